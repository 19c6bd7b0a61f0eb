#!/usr/bin/env bash
# GPU telemetry and energy (--server-metrics nvidia-smi) with a stand-in nvidia-smi
# (tests/helpers/nvidia-smi) that prints exactly the real tool's CSV: two GPUs drawing
# 100 W and 200 W. The energy is the trapezoidal integral of power.draw over the part of
# the window the samples cover; joules per request and per output token (LLM) follow
# from it; a driver that rejects total_energy_consumption is handled; a missing
# nvidia-smi is an error named as such.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/lib-llm.sh
. "$(dirname "$0")/lib-llm.sh"

need redis-server
port=$(start_redis --loglevel notice) || bail "redis-server did not start"
track_pid "$(redis_pid "$port")"
SMI=$TOP/tests/helpers/nvidia-smi
G="nvidia-smi:$SMI"
# src FILE EXPR: python3 over the nvidia-smi source object s and the result d
src() {
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); s=d['server_metrics']['sources'][sys.argv[2]]; print($2)" "$1" "$G"
}

# 1. Redis load with GPU telemetry: energy = 300 W x the covered time.
out=$(hb load redis "127.0.0.1:$port" -c 2 -d 3s --server-metrics "$G" --json "$SCRATCH/r.json" 2>&1)
is "$?" 0 "a run with the nvidia-smi source exits 0"
like "$out" "server +$G: 10 series" "five series per GPU, two GPUs"
is "$(src "$SCRATCH/r.json" 's["energy_method"]')" "trapezoid(power.draw)" "the energy method is named"
ok "energy = (100 W + 200 W) x the part of the window the samples cover" python3 -c '
import json,sys; s=json.load(open(sys.argv[1]))["server_metrics"]["sources"][sys.argv[2]]
cov, e = s["energy_covered_s"], s["energy_j"]
# energy_covered_s is the least any GPU covers: a GPU whose next line was already read
# covers up to one more 500 ms period.
assert 300 * cov - 0.01 <= e <= 300 * cov + 100 * 0.5 + 0.01, (e, cov)
assert s["window_s"] - 1.2 <= cov <= s["window_s"] + 1e-3, (cov, s["window_s"])
per = s["energy_per_gpu_j"]
assert abs(per["{gpu=\"0\",name=\"NVIDIA H200\"}"] * 2 - per["{gpu=\"1\",name=\"NVIDIA H200\"}"]) < 0.01, per' \
	"$SCRATCH/r.json" "$G"
ok "joules per request = energy / requests ok" python3 -c '
import json,sys; d=json.load(open(sys.argv[1])); s=d["server_metrics"]["sources"][sys.argv[2]]
assert abs(s["joules_per_request"] - s["energy_j"] / d["requests"]["ok"]) < 1e-6, s
assert s["joules_per_output_token"] is None and s["energy_counter"] is False' "$SCRATCH/r.json" "$G"
ok "power, utilisation, memory, SM clock and temperature in their units" python3 -c '
import json,sys; s=json.load(open(sys.argv[1]))["server_metrics"]["sources"][sys.argv[2]]["series"]
g1 = "{gpu=\"1\",name=\"NVIDIA H200\"}"
assert s["nvidia_gpu_power_draw_watts" + g1]["mean"] == 200 and s["nvidia_gpu_power_draw_watts" + g1]["unit"] == "watts"
assert s["nvidia_gpu_utilization_percent" + g1]["last"] == 50
assert s["nvidia_gpu_memory_used_bytes" + g1]["last"] == 1025 * 1048576
assert s["nvidia_gpu_sm_clock_hertz" + g1]["last"] == 1980e6
assert s["nvidia_gpu_temperature_celsius" + g1]["last"] == 41' "$SCRATCH/r.json" "$G"
ok "the stand-in was stopped with the run" bash -c "! pgrep -f '^bash $SMI' >/dev/null"

# 2. LLM: joules per output token.
lport=$(start_llm_server --ttft-ms 5 --itl-ms 2 --tokens 8) || bail "llm-server did not start"
hb load llm "http://127.0.0.1:$lport" --api openai-chat --model llama3 -c 2 -d 2s --max-tokens 100 \
	--server-metrics "$G" --json "$SCRATCH/l.json" >"$SCRATCH/l.out" 2>&1
is "$?" 0 "an LLM run with GPU telemetry exits 0"
ok "joules per output token = energy / the output tokens the server reported" python3 -c '
import json,sys; d=json.load(open(sys.argv[1])); s=d["server_metrics"]["sources"][sys.argv[2]]
tok = d["llm"]["output_tokens"]
assert tok > 0 and abs(s["joules_per_output_token"] - s["energy_j"] / tok) < 1e-6, (s, tok)' \
	"$SCRATCH/l.json" "$G"

# 3. No nvidia-smi there: exit 1, named.
out=$(hb load redis "127.0.0.1:$port" -n 100 --server-metrics "nvidia-smi:$SCRATCH/none" 2>&1)
is "$?" 1 "a missing nvidia-smi exits 1"
like "$out" "server metrics: nvidia-smi:$SCRATCH/none: cannot run $SCRATCH/none" "saying it cannot run it"

done_testing
