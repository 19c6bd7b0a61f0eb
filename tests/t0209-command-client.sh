#!/usr/bin/env bash
# A client with its own command and no target runs through `hpcbench run` (local
# executor): the command's arguments arrive literally, $HOME expands, the session
# succeeds; a load client with no target still fails before anything is submitted.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

cat >"$SCRATCH/cmd.yaml" <<'YAML'
client:
  name: hello
  runtime: native
  command: /bin/sh
  args: ["-c", "printf '%s|' \"$0\" \"$1\" >\"$2\"", "it's a $(test)", "$HOME", "OUT_FILE"]
YAML
sed -i "s|OUT_FILE|$SCRATCH/out.txt|" "$SCRATCH/cmd.yaml"
ok "the recipe validates" hb validate "$SCRATCH/cmd.yaml"
hb run "$SCRATCH/cmd.yaml" >"$SCRATCH/run.out" 2>"$SCRATCH/run.err"
is "$?" 0 "a command client with no target runs to completion"
# shellcheck disable=SC2016
is "$(cat "$SCRATCH/out.txt" 2>/dev/null)" "it's a \$(test)|$HOME|" "arguments arrive literally, \$HOME expands"

cat >"$SCRATCH/load.yaml" <<'YAML'
client:
  name: orphan
  type: redis
YAML
out=$(hb run "$SCRATCH/load.yaml" 2>&1)
rc=$?
is "$rc" 2 "a load client with no target is bad input (exit 2)"
like "$out" "orphan|target" "and the message names the client or its missing target"

done_testing
