#!/usr/bin/env bash
# What the suite assumes about the machine, checked before any test runs (tests/run.sh
# calls this). Each assumption is one line; prints what is wrong and how to fix it, and
# exits 1 when any does not hold. Packages are not checked here: scripts/install-deps.sh
# installs them (make test runs it) and a test missing one fails naming it.
#   HPCBENCH_BUILD  the build folder under test (default: build)
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${HPCBENCH_BUILD:-$top/build}
bad=0

# check DESCRIPTION FIX CMD...: one assumption.
check() {
	local what=$1 fix=$2
	shift 2
	if "$@" >/dev/null 2>&1; then
		echo "# preflight: ok: $what"
	else
		echo "# preflight: FAILED: $what: $fix"
		bad=$((bad + 1))
	fi
}

is_root() { [ "$(id -u)" -eq 0 ]; }
resolves() { getent hosts "$(hostname)"; }
cgroups_mounted() {
	awk '$2 == "/sys/fs/cgroup" && $3 == "cgroup2" { f = 1 }
		index($2, "/sys/fs/cgroup/") == 1 && $3 == "cgroup" { f = 1 }
		END { exit !f }' /proc/self/mounts
}
loopback() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()'
}

check "running as root" \
	"run the suite as root (it starts SLURM, sshd and MariaDB as root, PostgreSQL as user postgres)" \
	is_root
check "/proc is mounted" "mount -t proc proc /proc" test -r /proc/self/stat
check "the hostname '$(hostname)' resolves" \
	"add '127.0.1.1 $(hostname)' to /etc/hosts (SLURM jobs advertise their node's hostname)" \
	resolves
check "the cgroup file system is mounted at /sys/fs/cgroup" \
	"SLURM's slurmd needs it: mount it (in a container or chroot, bind the host's)" \
	cgroups_mounted
check "loopback (127.0.0.1) accepts servers" "bring up the loopback interface (ip link set lo up)" \
	loopback
check "hpcbench is built in $build" "run make (or make test, which builds it)" \
	test -x "$build/hpcbench"

if [ "$bad" -gt 0 ]; then
	echo "# preflight: no test was run: the machine is not as the suite assumes ($bad FAILED above)"
	exit 1
fi
