#!/usr/bin/env bash
# Writes docs/cli.md from the binary's own help texts, so the page cannot drift from
# the program. Usage: scripts/gen-cli-doc.sh [HPCBENCH] > docs/cli.md
# (tests/t0002-cli-doc.sh checks that docs/cli.md is current).
set -euo pipefail
hb=${1:-build/hpcbench}

cat <<'HEAD'
# Command-line reference

Generated from `hpcbench help` by `scripts/gen-cli-doc.sh`; do not edit by hand.

```
hpcbench [--config FILE] [-v] COMMAND [ARGS]
```

Options may come before or after positional arguments. Machine-readable output
(`--json`, ids) goes to stdout; progress goes to stderr, and only when stderr is a
terminal (or with `-v`).

| exit code | meaning |
|---|---|
| 0 | success |
| 1 | the work failed: a service never became ready, a request failed, an SLO was missed |
| 2 | bad usage or bad input (recipe, config, arguments); nothing was submitted or written |
| 3 | the cluster could not be reached (ssh, sbatch) |

HEAD
echo '## Overview'
echo
echo '```'
"$hb" help
echo '```'
for c in $("$hb" help | awk '/^commands:/ {f = 1; next} /^$/ {f = 0} f && /^  [a-z]/ {print $1}'); do
	echo
	echo "## hpcbench $c"
	echo
	echo '```'
	"$hb" help "$c"
	echo '```'
done
