# hpcbench — see README.md. `make` builds build/hpcbench.
#   make test        install what is missing, build, run every test (unit + end-to-end)
#   make asan        the same suite under AddressSanitizer + UndefinedBehaviorSanitizer (clang)
#   make quickstart  install, build, run a real local benchmark session
#   make fuzz        build the libFuzzer targets in fuzz/ and run each FUZZ_TIME seconds
# BUILD=dir builds elsewhere (parallel work trees, the asan build).

CC      ?= gcc
BUILD   ?= build
# Debian's libhdf5-dev names its pkg-config file hdf5-serial (hdf5 only through alternatives).
HDF5_PKG := $(shell pkg-config --exists hdf5-serial 2>/dev/null && echo hdf5-serial || echo hdf5)
PKGS    := yaml-0.1 jansson sqlite3 libmariadb libpq libcrypto $(HDF5_PKG)
CFLAGS  ?= -O2 -g
# Project flags live apart from CFLAGS so that `make CFLAGS=...` (the asan build) keeps them.
BASE_CFLAGS := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wno-unused-parameter \
           -Wshadow -Wstrict-prototypes -Wformat=2 -Isrc -pthread -MMD -MP
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
LDLIBS  += $(PKG_LIBS) -lm -pthread
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null)

# Modules are src/NAME/ (one level) or src/load/PART/ (the load core and one folder per protocol).
SRC_DIRS := $(wildcard src/*/ src/*/*/)
LIB_SRC := $(filter-out src/cli/main.c,$(wildcard $(addsuffix *.c,$(SRC_DIRS))))
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
MAIN_OBJ := $(BUILD)/src/cli/main.o
UNIT_SRC := $(wildcard tests/unit/test-*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
HELPER_SRC := $(wildcard tests/helpers/*.c)
HELPER_BIN := $(HELPER_SRC:tests/helpers/%.c=$(BUILD)/helpers/%)

.PHONY: all deps test unit asan fuzz fuzz-build fuzz-targets quickstart clean format check-format shellcheck
all: $(BUILD)/hpcbench

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(CFLAGS) $(PKG_CFLAGS) -c -o $@ $<

# The commit hpcbench was built from, for the provenance of results (common/provenance.c):
# `git describe`, else "unknown" (a source tarball). The stamp file changes only when the
# commit does, so that only provenance.o is rebuilt.
GIT_COMMIT := $(shell git describe --always --dirty --abbrev=12 2>/dev/null || echo unknown)
$(BUILD)/git-commit.stamp: FORCE
	@mkdir -p $(dir $@)
	@echo '$(GIT_COMMIT)' | cmp -s - $@ || echo '$(GIT_COMMIT)' > $@
$(BUILD)/src/common/provenance.o: $(BUILD)/git-commit.stamp
$(BUILD)/src/common/provenance.o: BASE_CFLAGS += -DHPCBENCH_GIT_COMMIT='"$(GIT_COMMIT)"'
.PHONY: FORCE
FORCE:

$(BUILD)/libhpcbench.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/hpcbench: $(MAIN_OBJ) $(BUILD)/libhpcbench.a
	$(CC) $(BASE_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $(MAIN_OBJ) -Wl,--whole-archive $(BUILD)/libhpcbench.a \
		-Wl,--no-whole-archive $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libhpcbench.a
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(CFLAGS) $(PKG_CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libhpcbench.a $(CMOCKA_LIBS) $(LDLIBS)

$(BUILD)/helpers/%: tests/helpers/%.c $(BUILD)/libhpcbench.a
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(CFLAGS) $(PKG_CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libhpcbench.a $(LDLIBS)

deps:
	@bash scripts/install-deps.sh

unit: $(UNIT_BIN) $(HELPER_BIN)

# The whole suite; tests/run.sh ends with "N passed, N failed".
test: deps
	@$(MAKE) --no-print-directory all unit
	@HPCBENCH_BUILD=$(abspath $(BUILD)) bash tests/run.sh $(T)

# clang, because its UBSan also checks float-to-integer overflow (gcc's does not).
SAN_FLAGS := -fsanitize=address,undefined,float-cast-overflow
asan: deps
	@$(MAKE) --no-print-directory BUILD=build-asan CC=clang \
		CFLAGS="-O1 -g -fno-omit-frame-pointer $(SAN_FLAGS) -fno-sanitize-recover=all" \
		LDFLAGS="$(SAN_FLAGS)" all unit
	@HPCBENCH_BUILD=$(abspath build-asan) ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 bash tests/run.sh $(T)

# libFuzzer targets (fuzz/fuzz-*.c, see fuzz/README.md), built with clang into build-fuzz:
# the library with coverage instrumentation and the sanitizers, each target linked
# with libFuzzer's main. `make fuzz FUZZ_TIME=20` runs each one 20 s on its corpus.
FUZZ_TIME ?= 10
FUZZ_SAN := -fsanitize=address,undefined,float-cast-overflow -fno-sanitize-recover=all
FUZZ_SRC := $(wildcard fuzz/fuzz-*.c)
FUZZ_BIN := $(FUZZ_SRC:fuzz/%.c=$(BUILD)/fuzz/%)
$(BUILD)/fuzz/%: fuzz/%.c fuzz/fuzz.h fuzz/fuzz-file.h $(BUILD)/libhpcbench.a
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) -I. $(CFLAGS) $(PKG_CFLAGS) -fsanitize=fuzzer $(LDFLAGS) -o $@ $< \
		$(BUILD)/libhpcbench.a $(LDLIBS)

fuzz-targets: $(FUZZ_BIN)

fuzz-build:
	@$(MAKE) --no-print-directory BUILD=build-fuzz CC=clang \
		CFLAGS="-O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link $(FUZZ_SAN)" \
		LDFLAGS="$(FUZZ_SAN)" fuzz-targets

fuzz: fuzz-build
	@bash fuzz/run.sh build-fuzz/fuzz $(FUZZ_TIME)

quickstart: deps
	@$(MAKE) --no-print-directory all
	@bash scripts/quickstart.sh

# Every script we ship; the job library fragments (src/script/shlib) are bash without
# a shebang of their own, and the rendered job scripts are checked by t0200.
SHELL_SCRIPTS := $(wildcard scripts/*.sh tests/*.sh tests/helpers/*.sh bench/*.sh fuzz/*.sh) .ci/run
shellcheck:
	shellcheck -x $(SHELL_SCRIPTS)
	shellcheck -s bash $(wildcard src/script/shlib/*.sh)

FORMAT_SRC := $(wildcard $(addsuffix *.c,$(SRC_DIRS)) $(addsuffix *.h,$(SRC_DIRS)) tests/unit/*.c tests/helpers/*.c fuzz/*.c fuzz/*.h)
format:
	clang-format -i $(FORMAT_SRC)

# Fails, listing the files, when any C file differs from .clang-format.
check-format:
	@bad=$$(for f in $(FORMAT_SRC); do clang-format $$f | cmp -s - $$f || echo $$f; done); \
	if [ -n "$$bad" ]; then echo "not formatted (run make format):" $$bad >&2; exit 1; fi

clean:
	rm -rf build build-asan

-include $(LIB_OBJ:.o=.d) $(MAIN_OBJ:.o=.d)
