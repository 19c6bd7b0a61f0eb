#!/usr/bin/env bash
# Every number read from a user is range-checked before it becomes an integer (issue 14,
# defect 2): out of range is exit 2 naming the allowed range, never a silently dropped
# #SBATCH line or a bogus result from an overflowed float-to-integer conversion.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
cd "$SCRATCH" || exit 1

printf 'service:\n  name: r\n  type: redis\n  runtime: native\n  resources: {mem: 1e300}\n' >huge.yaml
out=$(hb validate huge.yaml 2>&1)
is "$?" 2 "resources.mem: 1e300 is refused by validate"
like "$out" '^huge.yaml:5:20: service.resources.mem: bad memory size .1e300. \(expected a number from 1K to 1024T' \
	"  at FILE:LINE:COL, with the allowed range"
hb render huge.yaml >render.out 2>&1
is "$?" 2 "  and by render"
for mem in 1025T 2000000000G; do
	printf 'service:\n  name: r\n  type: redis\n  runtime: native\n  resources: {mem: %s}\n' "$mem" >big.yaml
	hb validate big.yaml >/dev/null 2>&1
	is "$?" 2 "resources.mem: $mem (over 1024T) is refused"
done
printf 'service:\n  name: r\n  type: redis\n  runtime: native\n  resources: {mem: 1024T}\n' >max.yaml
out=$(hb render max.yaml 2>&1)
is "$?" 0 "resources.mem: 1024T (the maximum) renders"
like "$out" '#SBATCH --mem=1073741824M' "  with its #SBATCH --mem line"

# Load options: the rate is bounded both ways; before, --rate 1e-12 ignored -d.
port=$(free_port)
for rate in 1e-12 0.0009 1e300 1e9 inf nan; do
	out=$(hb load redis "127.0.0.1:$port" --rate "$rate" -d 1s --json r.json 2>&1)
	is "$?" 2 "load --rate $rate: exit 2"
	like "$out" "--rate: '$rate' is not a rate from 0.001 to 100000000 requests/s" \
		"  naming the allowed range"
done
ok "  and no result file is written" test ! -e r.json
out=$(hb load llm "http://127.0.0.1:$port" --model m --sweep rate=1,1e-12 2>&1)
is "$?" 2 "load llm --sweep rate=1e-12: exit 2"
like "$out" "--sweep: '1e-12' is not a rate from 0.001 to 100000000 requests/s" \
	"  naming the value and the range (not freed memory)"
out=$(hb load llm "http://127.0.0.1:$port" --model m --sweep max_tokens=1.5 2>&1)
is "$?" 2 "load llm --sweep max_tokens=1.5: exit 2"
like "$out" "--sweep: '1.5' is not a whole number from 1 to 1000000000" "  with the range"
for d in 1e300 1e300s 99999999999999h; do
	hb load redis "127.0.0.1:$port" -d "$d" >/dev/null 2>&1
	is "$?" 2 "load -d $d: exit 2"
done
hb load redis "127.0.0.1:$port" --value-size 1e300 >/dev/null 2>&1
is "$?" 2 "load redis --value-size 1e300: exit 2"

# The lowest rate allowed runs and honours -d (a real server answers).
rport=$(start_redis) || bail "redis did not start"
hb load redis "127.0.0.1:$rport" --rate 0.001 -d 1s --json low.json >/dev/null 2>&1
is "$?" 0 "load --rate 0.001 -d 1s runs"
ok "  and writes a strict json result" json_strict low.json
sent=$(python3 -c 'import json,sys; print(json.load(open("low.json"))["requests"]["sent"])')
cmp_num "$sent" -le 1 "  sending at most one request in 1 s at 0.001/s"

done_testing
