#!/usr/bin/env bash
# The include graph between modules points one way (docs/architecture.md):
# cli -> session -> service/exec/script -> recipe/config -> load/store -> common, with no
# cycle inside a layer, and code outside src/load using only the load core's interface.
# Derived from the `#include "..."` lines by tests/helpers/include-graph.py, which is
# first shown to catch each kind of problem in small trees of its own.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

CHECK=$TOP/tests/helpers/include-graph.py

# tree NAME FILE:INCLUDE... : a throwaway source tree, each FILE including one header.
tree() {
	local dir=$SCRATCH/$1 spec file inc
	shift
	for spec in "$@"; do
		file=${spec%%:*}
		inc=${spec#*:}
		mkdir -p "$dir/$(dirname "$file")"
		printf '#include "%s"\n' "$inc" >>"$dir/$file"
	done
	echo "$dir"
}

# --- the checker catches what it is meant to catch.
d=$(tree good "cli/main.c:session/session.h" "session/session.c:exec/executor.h" \
	"exec/local.c:store/store.h" "store/store.c:common/strbuf.h" "service/redis.c:script/hooks.h")
out=$(python3 "$CHECK" "$d")
is "$?:$out" "0:" "a tree whose includes point down passes"

d=$(tree up "store/store.c:session/session.h")
out=$(python3 "$CHECK" "$d")
is "$?" 1 "an upward include fails"
like "$out" '^upward edge: store -> session \(store/store.c includes "session/session.h"\)$' \
	"  and names the file and the include"

d=$(tree cyc "service/a.c:script/b.h" "script/b.c:exec/c.h" "exec/c.c:service/a.h")
out=$(python3 "$CHECK" "$d")
is "$?" 1 "a cycle inside one layer fails"
like "$out" '^cycle: exec <-> script <-> service include each other$' "  and names its modules"

d=$(tree new "gadget/g.c:common/strbuf.h")
out=$(python3 "$CHECK" "$d")
is "$?" 1 "a folder with no place in the layers fails"
like "$out" '^no layer: src/gadget ' "  and says which folder"

d=$(tree priv "cli/cmd-load.c:load/core/worker.h" "load/http/p.c:load/core/proto.h")
out=$(python3 "$CHECK" "$d")
is "$?" 1 "a command reaching into the load core's private headers fails"
like "$out" '^private: cli/cmd-load.c includes "load/core/worker.h"' "  and names it"

d=$(tree core "load/core/proto.c:load/http/http.h")
out=$(python3 "$CHECK" "$d")
is "$?" 1 "the load core including a protocol folder fails"
like "$out" '^upward edge: load/core -> load/http ' "  and names the edge"

# --- the real tree.
out=$(python3 "$CHECK" "$TOP/src")
rc=$?
is "$rc" 0 "src/: no upward include, no cycle, every folder placed"
[ "$rc" = 0 ] || printf '%s\n' "$out" | sed 's/^/#   /'
python3 "$CHECK" "$TOP/src" --dot >"$SCRATCH/graph.dot"
n=$(grep -c -- ' -> ' "$SCRATCH/graph.dot")
cmp_num "$n" -ge 20 "the graph it checked has the modules' edges ($n)"
ok "  among them cli -> session" grep -q '"cli" -> "session"' "$SCRATCH/graph.dot"
ok "  and load/llm -> load/core" grep -q '"load/llm" -> "load/core"' "$SCRATCH/graph.dot"
unlike "$(cat "$SCRATCH/graph.dot")" '"(recipe|config)" -> "(service|script|recipe)"' \
	"no edge from recipe or config up to service, script, or config to recipe"

done_testing
