#!/usr/bin/env bash
# How `validate` time grows with the number of keys in one mapping (issue 14, defect 5):
# recipes with N environment keys, N = 10k..70k (70k is near the 1 MiB recipe cap).
# Usage: bench/recipe-keys.sh [HPCBENCH]   (default build/hpcbench). Prints N and seconds.
set -euo pipefail
hb=${1:-build/hpcbench}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
printf '%8s %8s\n' keys seconds
for n in 10000 20000 40000 70000; do
	{
		printf 'service:\n  name: r\n  type: redis\n  runtime: native\n  environment:\n'
		seq 0 $((n - 1)) | sed 's/.*/    V&: x/'
	} >"$dir/r.yaml"
	start=$(date +%s.%N)
	"$hb" validate -q "$dir/r.yaml"
	end=$(date +%s.%N)
	printf '%8d %8.2f\n' "$n" "$(echo "$end - $start" | bc)"
done
