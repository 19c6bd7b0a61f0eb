#!/usr/bin/env bash
# The ssh executor: a real sshd on 127.0.0.1 in front of a real single-node SLURM.
# One master connection per session, files moved over it byte for byte, jobs submitted,
# polled and cancelled on the "login node", hostile paths arriving literally, a missing
# remote hpcbench blocking only submissions, an unreachable host giving exit 3, and no
# master process or control socket left behind.
# shellcheck disable=SC2016 # job bodies are single-quoted on purpose: they run in the job
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/lib-cluster.sh
. "$(dirname "$0")/lib-cluster.sh"

tool=$BUILD/helpers/exec-tool
[ -x "$tool" ] || bail "exec-tool helper not built"
need slurmctld slurmd munged mungekey sshd ssh
start_slurm || bail "slurm did not start"
start_sshd || bail "sshd did not start"

# Control sockets go under $SCRATCH/t so that the test can see what is left behind.
mkdir -p "$SCRATCH/t"
export TMPDIR=$SCRATCH/t
cat >"$SCRATCH/cluster.yaml" <<YAML
hpc:
  hostname: hbcluster
  remote_bin: $tool
YAML
et() { timeout 120 "$tool" --config "$SCRATCH/cluster.yaml" ssh "$@"; }
accepted() { grep -c 'Accepted publickey' "$SSHD_DIR/sshd.log"; }

out=$(et open)
is "$?" 0 "open connects through the ssh config host"
like "$out" "home=$HOME_ORIG" "the remote home is reported"
like "$out" "bin=$tool" "hpc.remote_bin is found on the login node"

# Config paths name the login node's variables: they expand there, once.
# shellcheck disable=SC2088 # the tilde is for the executor to expand
is "$(et expand '~/hb/$USER/${LOGNAME}-$$x')" "$HOME_ORIG/hb/$(id -un)/$(id -un)-\$x" \
	"~, \$NAME, \${NAME} and \$\$ expand with the login node's environment"
is "$(HOME=/elsewhere et expand '$HOME')" "$HOME_ORIG" "the login node's values, not this process's"
out=$(et expand '/scratch/$HB_NOT_SET_ANYWHERE/x' 2>&1)
is "$?" 1 "an unset variable is an error"
like "$out" "HB_NOT_SET_ANYWHERE is not set on the login node" "that says where"

# Files travel over the connection byte for byte, with their modes.
run=$SCRATCH/run
ok "mkdir -p on the login node" et mkdir "$run/job1"
head -c 300000 /dev/urandom >"$SCRATCH/blob"
ok "put a binary file" et put "$run/job1/blob" 0640 <"$SCRATCH/blob"
ok "it arrives byte for byte" cmp "$SCRATCH/blob" "$run/job1/blob"
is "$(stat -c %a "$run/job1/blob")" 640 "with the requested mode"
printf 's3cret' | et put "$run/job1/secret" 0600
is "$(stat -c %a "$run/job1/secret")" 600 "a secret is 0600"
et get "$run/job1/blob" >"$SCRATCH/blob.back"
ok "get brings it back byte for byte" cmp "$SCRATCH/blob" "$SCRATCH/blob.back"
out=$(et get "$run/job1/nothing" 2>&1)
is "$?" 1 "getting a missing file fails"
like "$out" "reading $run/job1/nothing failed" "and names the file"

# A path full of shell syntax arrives literally (quoting happens once, in the runner).
weird="$run/we ird'\$(touch $SCRATCH/pwned)\`id\`;\"x\" *"
ok "mkdir of a hostile path" et mkdir "$weird"
printf 'literal' | et put "$weird/f i'le" 0644
is "$(cat "$weird/f i'le")" "literal" "the file lands at the literal path"
ok "no command in the path ran" test ! -e "$SCRATCH/pwned"

# A job through sbatch on the login node, polled to completion over one connection.
printf '#!/bin/bash\necho "RUNNING $(date +%%s)" >state\necho "hello over ssh"\necho "COMPLETED 0 $(date +%%s)" >state\n' |
	et put "$run/job1/job.sh" 0755
id=$(et submit "$run/job1")
like "$id" '^[0-9]+$' "submit returns the SLURM job id"
before=$(accepted)
out=$(et wait 60 "$run/job1" "$id" 2>"$SCRATCH/wait.err")
is "$out" "COMPLETED 0 -" "the job completes"
is "$(($(accepted) - before))" 1 "open + every poll of a session share one ssh connection"
is "$(et get "$run/job1/out.log")" "hello over ssh" "its log comes back"

# A poll of several jobs is one remote command holding one squeue (an ssh wrapper logs
# each remote command it is given: the last argument).
cat >"$SCRATCH/ssh-log" <<'SH'
#!/bin/sh
for last; do :; done
printf '%s\n' "$last" >>"$SSH_LOG"
exec ssh "$@"
SH
chmod 755 "$SCRATCH/ssh-log"
: >"$SCRATCH/ssh.log"
SSH_LOG=$SCRATCH/ssh.log HPCBENCH_SSH=$SCRATCH/ssh-log et poll "$run/job1" "$id" "$run/job1" "$id" >/dev/null
is "$(grep -c squeue "$SCRATCH/ssh.log")" 1 "one squeue for all jobs of a poll"
is "$(grep -c "^'" "$SCRATCH/ssh.log")" 2 "open's probe and the poll: two remote commands"

# Failure with an exit code and the script's reason.
et mkdir "$run/job2"
printf '#!/bin/bash\necho "FAILED 4 $(date +%%s) the server crashed" >state\nexit 4\n' |
	et put "$run/job2/job.sh" 0755
id=$(et submit "$run/job2")
is "$(et wait 60 "$run/job2" "$id" 2>/dev/null)" "FAILED 4 the server crashed" "a failing job reports exit code and reason"

# Cancel over ssh leaves nothing in squeue.
et mkdir "$run/job3"
printf '#!/bin/bash\nsleep 300\n' | et put "$run/job3/job.sh" 0755
id=$(et submit "$run/job3")
ok "cancel over ssh" et cancel "$run/job3" "$id"
like "$(et wait 30 "$run/job3" "$id" 2>/dev/null)" "^CANCELLED" "the job is CANCELLED"
is "$(job_ids_in_queue)" "" "squeue is empty"

# The same host given by explicit keys (no ssh config Host entry).
cat >"$SCRATCH/explicit.yaml" <<YAML
hpc:
  hostname: 127.0.0.1
  port: $SSHD_PORT
  username: $(id -un)
  key_filename: $SSH_KEY
  remote_bin: $tool
YAML
ok "hostname/port/username/key_filename reach the same login node" \
	timeout 60 "$tool" --config "$SCRATCH/explicit.yaml" ssh open

# hpcbench missing on the login node: status/stop work, submissions fail with advice.
cat >"$SCRATCH/nobin.yaml" <<YAML
hpc:
  hostname: hbcluster
  remote_bin: /nonexistent/hpcbench
YAML
ok "open works without the remote binary" timeout 60 "$tool" --config "$SCRATCH/nobin.yaml" ssh open
out=$(timeout 60 "$tool" --config "$SCRATCH/nobin.yaml" ssh submit "$run/job1" 2>&1)
is "$?" 1 "but a submission fails"
like "$out" "'/nonexistent/hpcbench' not found on the login node.*install" "with install advice"

# Unreachable: nothing listens on the port. Exit 3 and a clear message.
cat >"$SCRATCH/down.yaml" <<YAML
hpc:
  hostname: 127.0.0.1
  port: $(free_port)
YAML
t0=$(date +%s%N)
out=$(timeout 60 "$tool" --config "$SCRATCH/down.yaml" ssh open 2>&1)
rc=$?
echo "# unreachable reported after $((($(date +%s%N) - t0) / 1000000)) ms"
is "$rc" 3 "an unreachable host exits 3"
like "$out" "cannot reach 127.0.0.1:[0-9]+ over ssh: .*Connection refused" "and says where and why"

# Nothing left behind: no master process, no control socket folder.
left=$(find "$SCRATCH/t" -mindepth 1 2>/dev/null)
is "$left" "" "no control socket or private folder is left"
masters=$(pgrep -f "ControlPath=$SCRATCH/t/" || true)
is "$masters" "" "no ssh master process is left"

done_testing
