#!/usr/bin/env bash
# Every file hpcbench reads has a limit fit for its kind and non-regular files are
# refused (issue 14, defect 4): `validate /dev/zero`, `--config /dev/zero`, `--auth
# /dev/zero`, `--dataset /dev/zero` used to grow memory without end. Caps:
# docs/limits.md. (timeout: a regression fails here instead of eating the machine.)
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
cd "$SCRATCH" || exit 1

# run_capped DESC EXPECT-REGEX CMD...: exit 2 within 20 s, with the message.
run_capped() {
	local desc=$1 want=$2 out rc
	shift 2
	out=$(timeout 20 "$@" 2>&1)
	rc=$?
	is "$rc" 2 "$desc: exit 2"
	like "$out" "$want" "  $want"
}

mkfifo fifo
mkdir folder
printf 'service: {name: r, type: redis, runtime: native}\n' >ok.yaml
run_capped "validate /dev/zero" "/dev/zero: not a regular file \(a recipe must be a file, not a device\)" \
	"$HPCBENCH" validate /dev/zero
run_capped "validate a FIFO with no writer (no hang)" "fifo: not a regular file \(a recipe must be a file, not a pipe\)" \
	"$HPCBENCH" validate fifo
run_capped "validate a folder" "folder: not a regular file \(a recipe must be a file, not a folder\)" \
	"$HPCBENCH" validate folder
run_capped "--config /dev/zero" "/dev/zero: not a regular file \(a config must be a file" \
	"$HPCBENCH" --config /dev/zero validate ok.yaml
HPCBENCH_CONFIG=/dev/zero run_capped "HPCBENCH_CONFIG=/dev/zero" "/dev/zero: not a regular file" \
	"$HPCBENCH" validate ok.yaml

# Size caps: a recipe over 1 MiB (a comment pads it: still valid YAML), a config too.
{
	cat ok.yaml
	head -c $((1024 * 1024)) /dev/zero | tr '\0' '#' | fold -w 100 | sed 's/^/# /'
} >huge.yaml
run_capped "a recipe over 1 MiB" "huge.yaml: larger than the 1 MiB limit for a recipe \(docs/limits.md\)" \
	"$HPCBENCH" validate huge.yaml
cp huge.yaml hugecfg.yaml
sed -i '1d' hugecfg.yaml
run_capped "a config over 1 MiB" "hugecfg.yaml: larger than the 1 MiB limit for a config" \
	"$HPCBENCH" --config hugecfg.yaml validate ok.yaml
head -c 1000000 huge.yaml >under.yaml
printf '\n' >>under.yaml
out=$(hb validate under.yaml 2>&1)
is "$?" 0 "a recipe just under 1 MiB still validates"

# A script: file named by the recipe.
printf 'service: {name: r, type: generic, runtime: native, script: /dev/zero}\n' >script.yaml
run_capped "script: /dev/zero" "script: /dev/zero: not a regular file \(a script must be a file" \
	"$HPCBENCH" validate script.yaml

# Secrets and datasets of the load generator (the port is closed: they are read first).
port=$(free_port)
run_capped "load redis --auth /dev/zero" "/dev/zero: not a regular file \(a secret must be a file" \
	"$HPCBENCH" load redis "127.0.0.1:$port" --auth /dev/zero -n 1
head -c $((65 * 1024)) /dev/zero | tr '\0' 'x' >bigsecret
run_capped "load redis --auth over 64 KiB" "bigsecret: larger than the 64 KiB limit for a secret" \
	"$HPCBENCH" load redis "127.0.0.1:$port" --auth bigsecret -n 1
run_capped "load llm --api-key-file /dev/zero" "/dev/zero: not a regular file \(a secret" \
	"$HPCBENCH" load llm "http://127.0.0.1:$port" --model m --api-key-file /dev/zero -n 1
run_capped "load sql --password-file /dev/zero" "/dev/zero: not a regular file \(a secret" \
	"$HPCBENCH" load sql "mysql://u@127.0.0.1:$port/db" --password-file /dev/zero -n 1
run_capped "load http --body @/dev/zero" "/dev/zero: not a regular file \(a request body" \
	"$HPCBENCH" load http "http://127.0.0.1:$port/" --body @/dev/zero -n 1
run_capped "load llm --dataset /dev/zero" "/dev/zero: not a regular file \(a dataset must be a file" \
	"$HPCBENCH" load llm "http://127.0.0.1:$port" --model m --dataset /dev/zero -n 1
run_capped "load llm --dataset FIFO" "fifo: not a regular file \(a dataset" \
	"$HPCBENCH" load llm "http://127.0.0.1:$port" --model m --dataset fifo -n 1
# A regular dataset with one endless line: the per-line cap, not the memory, stops it.
head -c $((17 * 1024 * 1024)) /dev/zero | tr '\0' 'x' >oneline.prompts
run_capped "a dataset line over 16 MiB" "oneline.prompts:1: line longer than 16 MiB" \
	"$HPCBENCH" load llm "http://127.0.0.1:$port" --model m --dataset oneline.prompts -n 1

done_testing
