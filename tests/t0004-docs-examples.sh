#!/usr/bin/env bash
# What README.md and docs/ show is what hpcbench does:
#  - every fenced ```yaml block is a recipe that `hpcbench validate` accepts, unless a
#    line `<!-- docs-test: KIND -->` right above it says otherwise: `config` (validated
#    as a config file), `fragment ...` (a part of a recipe: must be YAML), `with-file F`
#    (a recipe naming file F next to it, e.g. a script:);
#  - every block marked `<!-- docs-test: run -->` runs, line by line as written, in a
#    folder holding a copy of recipes/, with this build's hpcbench first on PATH
#    (only blocks that need nothing but loopback servers are marked);
#  - links to other pages of the repository point to files that exist;
#  - docs/architecture.md's module map names every folder of src/.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

command -v redis-server >/dev/null || skip_all "redis-server is not installed"

blocks=$SCRATCH/blocks
mkdir -p "$blocks"
# One line per block: KIND FILE:LINE PATH (PATH: the block's text, indentation removed).
python3 - "$TOP" "$blocks" >"$SCRATCH/index" <<'PY'
import glob, os, re, sys
top, out = sys.argv[1], sys.argv[2]
pages = ["README.md"] + sorted(os.path.relpath(p, top) for p in glob.glob(top + "/docs/*.md"))
for page in pages:
    lines = open(os.path.join(top, page)).read().split("\n")
    for i, line in enumerate(lines):
        m = re.match(r"^(\s*)```(\w*)\s*$", line)
        if not m:
            continue
        ind, lang = len(m.group(1)), m.group(2)
        mark = re.match(r"^\s*<!-- docs-test: (.*?) -->\s*$", lines[i - 1]) if i else None
        kind = mark.group(1) if mark else ("recipe" if lang in ("yaml", "yml") else None)
        if not kind or not lang:
            continue  # an opening fence without language, or a closing fence
        body = []
        j = i + 1
        while not lines[j].strip().startswith("```"):
            body.append(lines[j][ind:] if not lines[j][:ind].strip() else lines[j])
            j += 1
        path = "%s/%s-%d.%s" % (out, page.replace("/", "_"), i + 1, "sh" if lang in ("sh", "bash") else "yaml")
        open(path, "w").write("\n".join(body) + "\n")
        print(kind.replace(" ", "_"), "%s:%d" % (page, i + 1), path)
PY
cmp_num "$(grep -vc '^run ' "$SCRATCH/index")" -ge 13 \
	"the YAML blocks of the docs are found ($(grep -vc '^run ' "$SCRATCH/index"))"

printf 'service: {name: r, type: redis, runtime: native}\n' >"$SCRATCH/any.yaml"
while read -r kind where path; do
	case $kind in
	recipe)
		ok "$where: a valid recipe" hb validate "$path"
		;;
	config)
		ok "$where: a valid config" hb --config "$path" validate "$SCRATCH/any.yaml"
		;;
	fragment*)
		ok "$where: YAML (a fragment of a recipe)" python3 -c 'import sys, yaml; yaml.safe_load(open(sys.argv[1]))' "$path"
		;;
	with-file_*)
		: >"$(dirname "$path")/${kind#with-file_}"
		ok "$where: a valid recipe (with ${kind#with-file_} beside it)" hb validate "$path"
		;;
	run)
		work=$SCRATCH/run-${where//[:\/.]/_}
		mkdir -p "$work"
		cp -a "$TOP/recipes" "$work/"
		ok "$where: runs as written" env PATH="$BUILD:$PATH" bash -c "cd '$work' && set -eo pipefail && . '$path'"
		;;
	*)
		_tap 1 "$where: unknown docs-test marker '$kind'"
		;;
	esac
done <"$SCRATCH/index"
is "$(grep -c '^run ' "$SCRATCH/index")" 1 "one block is marked runnable (README's tour)"

# Links between pages: [text](path) to a file of the repository must exist.
broken=$(cd "$TOP" && python3 - README.md docs/*.md <<'PY'
import os, re, sys
for page in sys.argv[1:]:
    for m in re.finditer(r"\]\(([^)#\s]+)(#[^)]*)?\)", open(page).read()):
        target = m.group(1)
        if re.match(r"^[a-z]+:", target):
            continue
        if not os.path.exists(os.path.join(os.path.dirname(page), target)):
            print("%s -> %s" % (page, target))
PY
)
is "$broken" "" "every link to a page or file of the repository resolves"

# The module map of docs/architecture.md names every folder of src/.
for d in "$TOP"/src/*/ "$TOP"/src/load/*/; do
	rel=${d#"$TOP"/}
	ok "docs/architecture.md names $rel" grep -qF -- "$rel" "$TOP/docs/architecture.md"
done

done_testing
