#!/usr/bin/env bash
# docs/extending.md, followed literally: its examples (the blocks marked
# `<!-- test: PATH -->`) are written into a copy of the sources, registered the way the
# page says, built; then the generic recipe, the built-in service type, the client type
# and its load protocol are validated, rendered and run against a real Memcached, and
# the page's own test snippet runs as a test of the copy.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

GUIDE=$TOP/docs/extending.md
TREE=$SCRATCH/tree

# --- A copy of the sources (and of the build, so that only what changed is rebuilt).
mkdir -p "$TREE/tests/helpers"
cp -a "$TOP/Makefile" "$TOP/src" "$TREE/"
[ -d "$TOP/build" ] && cp -a "$TOP/build" "$TREE/build"
cp -a "$TOP/tests/lib.sh" "$TOP/tests/lib-render.sh" "$TOP/tests/run.sh" "$TREE/tests/"
cp -a "$TOP/tests/helpers/json-strict.py" "$TREE/tests/helpers/"

# --- The page's marked blocks, as files of the copy (indentation of list items removed).
blocks=$(python3 - "$GUIDE" "$TREE" <<'PY'
import os, re, sys
lines = open(sys.argv[1]).read().split("\n")
i = 0
while i < len(lines):
    m = re.match(r"^(\s*)<!-- test: (\S+) -->\s*$", lines[i])
    i += 1
    if not m:
        continue
    ind, path = len(m.group(1)), m.group(2)
    if not lines[i].strip().startswith("```"):
        sys.exit("%s: the marker is not followed by a fenced block" % path)
    i += 1
    body = []
    while not lines[i].strip().startswith("```"):
        body.append(lines[i][ind:] if not lines[i][:ind].strip() else lines[i])
        i += 1
    dest = os.path.join(sys.argv[2], path)
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    open(dest, "w").write("\n".join(body) + "\n")
    print(path)
PY
)
is "$(echo "$blocks" | sort | tr '\n' ' ')" \
	"memcached-generic.yaml src/load/memcached/proto-memcached.c src/service/client-memcached.c src/service/memcached.c tests/t9000-memcached-job.sh " \
	"the page's examples: a recipe, three C files, a test"

# --- Registration, with the lines the page names (checked to be on the page).
for line in 'extern const struct service_type service_type_memcached;' \
	'&service_type_memcached,' 'extern const struct client_type client_type_memcached;' \
	'&client_type_memcached,' 'extern const struct load_proto load_proto_memcached;' \
	'&load_proto_memcached,'; do
	ok "the page names '$line'" grep -qF -- "\`$line\`" "$GUIDE"
done
python3 - "$TREE" <<'PY'
import sys
top = sys.argv[1]
def edit(path, before, new):
    p = top + "/" + path
    s = open(p).read()
    assert before in s, (path, before)
    open(p, "w").write(s.replace(before, new + before, 1))
edit("src/service/types.h", "extern const struct service_type service_type_mysql;",
     "extern const struct service_type service_type_memcached;\n")
edit("src/service/types.h", "extern const struct client_type client_type_redis;",
     "extern const struct client_type client_type_memcached;\n")
edit("src/service/registry.c", "&service_type_mysql,", "&service_type_memcached, ")
edit("src/service/registry.c", "&client_type_redis,", "&client_type_memcached, ")
edit("src/load/core/proto.c", "extern const struct load_proto load_proto_redis;",
     "extern const struct load_proto load_proto_memcached;\n")
edit("src/load/core/proto.c", "&load_proto_redis,", "&load_proto_memcached, ")
PY
is "$?" 0 "registered in types.h, registry.c and proto.c"

# --- Build the copy: -Wall -Wextra -Werror, as the page's code must compile.
make -C "$TREE" -j2 BUILD=build build/hpcbench >"$SCRATCH/build.log" 2>&1
rc=$?
is "$rc" 0 "the copy builds with the page's code"
[ "$rc" = 0 ] || { sed 's/^/#   /' "$SCRATCH/build.log" | grep -E 'error|warning' | head -20; done_testing; exit; }
HB2=$TREE/build/hpcbench

like "$("$HB2" list services)" $'\nmemcached  Memcached cache' "list services shows the new type"
like "$("$HB2" list clients)" $'\nmemcached  Memcached text protocol' "list clients shows the client type"
like "$("$HB2" load 2>&1)" "llm, memcached, redis" "hpcbench load lists the protocol"

# --- §1: the generic recipe validates and renders.
ok "§1 generic recipe: validate" "$HB2" validate "$TREE/memcached-generic.yaml"
ok "§1 generic recipe: render" "$HB2" render "$TREE/memcached-generic.yaml" -o "$SCRATCH/r1"
for f in "$SCRATCH"/r1/*.sh; do ok "§1 its job script parses" bash -n "$f"; done

# --- §2: the built-in type, with its own key checked.
cat >"$SCRATCH/typed.yaml" <<'YAML'
service: {name: m, type: memcached, runtime: native, memory_mb: 64}
YAML
ok "§2 type: validate" "$HB2" validate "$SCRATCH/typed.yaml"
cat >"$SCRATCH/typed-bad.yaml" <<'YAML'
service: {name: m, type: memcached, runtime: native, memory_mb: lots}
YAML
out=$("$HB2" validate "$SCRATCH/typed-bad.yaml" 2>&1)
is "$?" 2 "§2 memory_mb must be an integer: exit 2"
like "$out" "typed-bad.yaml:1:[0-9]+: .*memory_mb" "  at its line and column"
"$HB2" render "$SCRATCH/typed.yaml" -o "$SCRATCH/r2" >/dev/null 2>&1
# shellcheck disable=SC2016 # the script's own $HPCBENCH_PORT, literally
like "$(cat "$SCRATCH"/r2/*.sh)" '"memcached" -p "\$HPCBENCH_PORT" .*-m "64"' \
	"§2 the script starts memcached on the chosen port, with -m 64"

# --- §4: the page's test snippet, run as a test of the copy.
out=$(HPCBENCH_BUILD=$TREE/build bash "$TREE/tests/t9000-memcached-job.sh" 2>&1)
is "$?" 0 "§4 the page's test passes"
like "$out" "ok [0-9]+ - it answers" "  (memcached answered its version)"

# --- §3: the load protocol against a real memcached, checked with memcached's counters.
mport=$(free_port)
memcached -p "$mport" -l 127.0.0.1 -U 0 -u "$(id -un)" -m 16 >"$SCRATCH/memcached.log" 2>&1 &
track_pid $!
wait_port "$mport" 10 || echo "# memcached did not start"
mstat() { printf 'stats\r\nquit\r\n' | nc -q1 127.0.0.1 "$mport" | tr -d '\r' | awk -v k="$1" '$2 == k {print $3}'; }
for k in $(seq 0 49); do printf 'set key:%d 0 0 5\r\nvalue\r\n' "$k"; done | nc -q1 127.0.0.1 "$mport" >/dev/null
gets0=$(mstat cmd_get)
"$HB2" load memcached "127.0.0.1:$mport" -c 4 -n 2000 --keyspace 100 --json "$SCRATCH/mc.json" \
	>"$SCRATCH/mc.out" 2>&1
is "$?" 0 "§3 hpcbench load memcached exits 0"
is "$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["requests"]["ok"], r["requests"]["errors"])' "$SCRATCH/mc.json")" \
	"2000 0" "  2000 GETs ok, no error"
is "$(($(mstat cmd_get) - gets0))" 2000 "  memcached counted 2000 gets"
hits=$(mstat get_hits)
cmp_num "$hits" -gt 0 "  some hits (50 of 100 keys set): VALUE replies parsed ($hits)"
is "$((hits + $(mstat get_misses)))" 2000 "  hits + misses = 2000"

# A session: the built-in service type and the client type, run end to end.
cat >"$SCRATCH/session.yaml" <<'YAML'
services:
  - {name: cache, type: memcached, runtime: native, memory_mb: 16}
clients:
  - name: gets
    type: memcached
    target_service: {name: cache}
    parameters: {requests: 1000, connections: 2, keyspace: 10, wait_for_service: 30}
YAML
ok "§3 session recipe: validate" "$HB2" validate "$SCRATCH/session.yaml"
"$HB2" run "$SCRATCH/session.yaml" --out "$SCRATCH/run" >"$SCRATCH/run.out" 2>"$SCRATCH/run.err"
is "$?" 0 "§3 a whole session runs (service ready, client, results, teardown)"
res=$(find "$SCRATCH/run" -path '*/gets_*/result.json' | head -1)
is "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["requests"]["ok"])' "$res" 2>&1)" \
	1000 "  its result.json: 1000 GETs ok"

done_testing
