#!/usr/bin/env bash
# Install every Debian package hpcbench needs to build and to run its tests.
# Idempotent: installs only what is missing. Used by `make quickstart` and `make test`.
# Not root: prints the exact apt-get line to run instead and exits 1 if anything is missing.
set -euo pipefail

# Build: compiler, pkg-config and the -dev packages of our libraries.
build_pkgs=(gcc make pkg-config libyaml-dev libjansson-dev libsqlite3-dev libcmocka-dev
	libmariadb-dev libpq-dev)
# Tests, quickstart and bench/: real servers, reference tools (bench/ measures CPU with
# /usr/bin/time, package "time"), cluster software.
test_pkgs=(redis-server redis-tools nginx-light wrk slurm-wlm slurm-client munge
	openssh-server openssh-client mariadb-server mariadb-client postgresql postgresql-contrib
	prometheus prometheus-node-exporter sysbench shellcheck jq python3 curl netcat-openbsd
	iproute2 procps psmisc sqlite3 time)

want=("${build_pkgs[@]}")
if [ "${1:-}" != "--build-only" ]; then
	want+=("${test_pkgs[@]}")
fi

missing=()
for p in "${want[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
		missing+=("$p")
	fi
done

if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "hpcbench: missing packages; run as root:" >&2
	echo "  apt-get install -y --no-install-recommends ${missing[*]}" >&2
	exit 1
fi

echo "installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# Keep package maintainer scripts from starting daemons: tests start their own.
policy=/usr/sbin/policy-rc.d
made_policy=0
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\nexit 101\n' >"$policy"
	chmod 755 "$policy"
	made_policy=1
fi
cleanup() { if [ "$made_policy" = 1 ]; then rm -f "$policy"; fi; }
trap cleanup EXIT

if ! apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null 2>&1; then
	apt-get update -qq
	apt-get install -y --no-install-recommends "${missing[@]}"
fi
