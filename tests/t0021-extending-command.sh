#!/usr/bin/env bash
# docs/extending.md §5 (a command), followed literally: the page's example (the block
# marked `<!-- test-command: PATH -->`) is written into a copy of the sources and
# registered with the two lines the page names; the copy is built and the new command
# run as a user would: listed in help, set up by the dispatcher (CMD_STORE), its output
# checked against the runs a real session recorded, bad usage refused with exit 2.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

GUIDE=$TOP/docs/extending.md
TREE=$SCRATCH/tree
mkdir -p "$TREE"
cp -a "$TOP/Makefile" "$TOP/src" "$TREE/"
# the plain build, as t0010 (under make asan, $BUILD holds clang objects the copy cannot link)
[ -d "$TOP/build" ] && cp -a "$TOP/build" "$TREE/build"

# --- The page's block, as a file of the copy.
blocks=$(python3 - "$GUIDE" "$TREE" <<'PY'
import os, re, sys
lines = open(sys.argv[1]).read().split("\n")
for i, line in enumerate(lines):
    m = re.match(r"^<!-- test-command: (\S+) -->\s*$", line)
    if not m:
        continue
    if not lines[i + 1].startswith("```"):
        sys.exit("%s: the marker is not followed by a fenced block" % m.group(1))
    end = lines.index("```", i + 2)
    dest = os.path.join(sys.argv[2], m.group(1))
    open(dest, "w").write("\n".join(lines[i + 2:end]) + "\n")
    print(m.group(1))
PY
)
is "$blocks" "src/cli/cmd-runs.c" "the page's example: one command file"

# --- Registration: the two lines the page names, placed in the table it names.
for line in 'extern const struct cmd_entry cmd_runs_entry;' '&cmd_runs_entry,'; do
	ok "the page names '$line'" grep -qF -- "\`$line\`" "$GUIDE"
done
python3 - "$TREE/src/cli/main.c" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
for before, new in (("extern const struct cmd_entry cmd_status_entry;",
                     "extern const struct cmd_entry cmd_runs_entry;\n"),
                    ("&cmd_status_entry,", "&cmd_runs_entry, ")):
    assert before in s, before
    s = s.replace(before, new + before, 1)
open(p, "w").write(s)
PY
is "$?" 0 "registered in main.c's command table"

make -C "$TREE" -j2 BUILD=build build/hpcbench >"$SCRATCH/build.log" 2>&1
rc=$?
is "$rc" 0 "the copy builds with the page's command (-Wall -Wextra -Werror)"
[ "$rc" = 0 ] || { grep -E 'error|warning' "$SCRATCH/build.log" | head -20 | sed 's/^/#   /'; done_testing; exit; }
HB2=$TREE/build/hpcbench

like "$("$HB2" help)" $'\n  runs +the ids of the recorded runs, oldest first' "help lists the new command"
like "$("$HB2" runs --help)" "Prints one run id per line" "runs --help prints its help"

# --- With nothing recorded: no output, exit 0 (the dispatcher opened the database).
out=$("$HB2" runs 2>"$SCRATCH/err")
is "$?:$out:$(cat "$SCRATCH/err")" "0::" "no runs yet: nothing printed, exit 0"
ok "  the state database was created by the set-up" test -f "$XDG_STATE_HOME/hpcbench/state.db"

# --- Two real sessions (a client that runs a command), then the command lists both.
cat >"$SCRATCH/one.yaml" <<'YAML'
clients:
  - name: hello
    command: "true"
YAML
"$HB2" run "$SCRATCH/one.yaml" >/dev/null 2>"$SCRATCH/run1.err"
is "$?" 0 "a first session runs"
"$HB2" run "$SCRATCH/one.yaml" >/dev/null 2>"$SCRATCH/run2.err"
is "$?" 0 "a second session runs"
want=$("$HB2" status --all --json | python3 -c 'import json,sys; print("\n".join(r["id"] for r in json.load(sys.stdin)["runs"]))')
is "$("$HB2" runs)" "$want" "runs prints the ids status --all shows, oldest first"
is "$(echo "$want" | wc -l)" 2 "  (two of them)"

# --- Bad usage: exit 2 and a message, as every command.
out=$("$HB2" runs extra 2>&1)
is "$?" 2 "an argument is refused: exit 2"
like "$out" "hpcbench: runs: unexpected argument 'extra'" "  with the reason"
out=$("$HB2" runs --bogus 2>&1)
is "$?" 2 "an unknown option: exit 2"

# --- A bad config stops it before the database is touched (CMD_STORE implies the config).
printf 'hpc: [not, a, map]\n' >"$SCRATCH/bad.yaml"
out=$("$HB2" --config "$SCRATCH/bad.yaml" runs 2>&1)
is "$?" 2 "an invalid config: exit 2"

done_testing
