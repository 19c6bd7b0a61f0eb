#!/usr/bin/env bash
# What a job would refuse is refused before anything is submitted (issue 14, defect 9):
# `run --target-endpoint ''` (it used to submit, then fail), a recipe endpoint of the
# wrong shape, and client parameters that the load protocol's own option parser refuses
# (`ratio: "x"`, `method: "GE T"`): `validate` and `run` exit 2 with FILE:LINE:COL, and
# no run is recorded.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
cd "$SCRATCH" || exit 1

runs() { hb status --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["runs"]))'; }

for ep in '' ' ' 'http://' 'localhost' 'host:0' 'host:65536' 'http://h:x/'; do
	out=$(hb run --target-endpoint "$ep" "$TOP/recipes/clients/redis-load.yaml" 2>&1)
	is "$?" 2 "run --target-endpoint '$ep': exit 2"
	like "$out" "run: --target-endpoint: .*expected a URL such as http://HOST:PORT/ or HOST:PORT" \
		"  says what an endpoint looks like"
done
is "$(runs)" 0 "  and nothing was submitted (status lists no run)"

printf 'client:\n  name: c\n  type: redis\n  endpoint: ""\n' >ep.yaml
out=$(hb validate ep.yaml 2>&1)
is "$?" 2 "a recipe endpoint of '': validate exits 2"
like "$out" '^ep.yaml:4:13: endpoint: empty endpoint' "  at its FILE:LINE:COL"

# Parameters through the protocol's option check.
cat >params.yaml <<'EOF2'
client:
  name: c
  type: redis
  target_service: {name: redis}
  parameters:
    ratio: "x"
    clients: "1,zz,3"
    key_pattern: zipf
    duration: 10s
EOF2
out=$(hb validate params.yaml 2>&1)
is "$?" 2 "redis parameters the protocol refuses: validate exits 2"
like "$out" "params.yaml:6:12: parameters.ratio: --ratio: 'x' is not SET:GET" "  ratio: \"x\""
like "$out" "params.yaml:7:14: parameters.clients: --connections: 'zz' is not a number" \
	"  one bad value of a sweep list"
like "$out" "params.yaml:8:18: parameters.key_pattern: " "  key_pattern: zipf"
unlike "$out" "parameters.duration" "  the good value passes"
out=$(hb run params.yaml -e local 2>&1)
is "$?" 2 "run of that recipe: exit 2"
is "$(runs)" 0 "  before anything is submitted"

cat >http.yaml <<'EOF2'
client:
  name: h
  type: http
  endpoint: "http://127.0.0.1:8080/"
  parameters:
    method: "GE T"
    rate: 0
EOF2
out=$(hb validate http.yaml 2>&1)
is "$?" 2 "http method \"GE T\" and rate 0: validate exits 2"
like "$out" "http.yaml:6:13: parameters.method: -m: 'GE T' is not a method name" "  method"
like "$out" "http.yaml:7:11: parameters.rate: --rate: '0' is not a rate from 0.001" "  rate"

cat >llm.yaml <<'EOF2'
client:
  name: l
  type: llm
  endpoint: "http://127.0.0.1:8000"
  parameters:
    model: m
    temperature: hot
    max_tokens: [16, -1]
    dataset: /job/side/prompts.jsonl
EOF2
out=$(hb validate llm.yaml 2>&1)
is "$?" 2 "llm temperature: hot and max_tokens -1: validate exits 2"
like "$out" "llm.yaml:7:18: parameters.temperature: --temperature: 'hot'" "  temperature"
like "$out" "llm.yaml:8:22: parameters.max_tokens: " "  the bad item of a list"
unlike "$out" "dataset" "  a job-side path is not read when validating"

# The shipped recipes all pass the check.
for f in "$TOP"/recipes/*/*.yaml; do
	hb validate -q "$f" >/dev/null 2>&1
	is "$?" 0 "$(basename "$f") still validates"
done

done_testing
