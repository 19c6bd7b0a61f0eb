#!/usr/bin/env bash
# Install every Debian package hpcbench needs to build and to run its tests.
# Idempotent: installs only what is missing. Used by `make quickstart` and `make test`.
# Not root: prints the exact apt-get line to run instead and exits 1 if anything is missing.
set -euo pipefail

# Build: compiler, pkg-config and the -dev packages of our libraries.
build_pkgs=(gcc make pkg-config libyaml-dev libjansson-dev libsqlite3-dev libcmocka-dev
	libmariadb-dev libpq-dev libssl-dev)
# Tests, quickstart and bench/: real servers, reference tools (bench/ measures CPU with
# /usr/bin/time, package "time"), cluster software; memcached for the worked example
# of docs/extending.md, which t0010 builds and runs.
test_pkgs=(redis-server redis-tools nginx-light wrk slurm-wlm slurm-client munge
	openssh-server openssh-client mariadb-server mariadb-client postgresql postgresql-contrib
	prometheus prometheus-node-exporter sysbench shellcheck jq python3 python3-yaml curl
	netcat-openbsd iproute2 procps psmisc sqlite3 time libhdf5-dev hdf5-tools chromium
	clang libclang-rt-14-dev nodejs debootstrap git ca-certificates memcached)

want=("${build_pkgs[@]}")
if [ "${1:-}" != "--build-only" ]; then
	want+=("${test_pkgs[@]}")
fi

# Chroma (the vector database) comes from npm, pinned: chromadb 3.0.6 with the native
# bindings 1.0.5, the last build that runs on Debian 12's glibc 2.36 (1.0.6+ need 2.38).
# Installed under $CHROMA_DIR, with `chroma` linked into /usr/local/bin.
CHROMA_DIR=${HPCBENCH_CHROMA_DIR:-/opt/hpcbench/chroma}
install_chroma() {
	[ "${1:-}" != "--build-only" ] || return 0
	if [ -x "$CHROMA_DIR/node_modules/.bin/chroma" ] && command -v chroma >/dev/null 2>&1; then
		return 0
	fi
	if [ "$(id -u)" -ne 0 ]; then
		echo "hpcbench: Chroma is missing; run as root: bash scripts/install-deps.sh" >&2
		exit 1
	fi
	echo "installing: chromadb@3.0.6 (npm) into $CHROMA_DIR" >&2
	mkdir -p "$CHROMA_DIR"
	cat >"$CHROMA_DIR/package.json" <<'JSON'
{
  "name": "hpcbench-chroma",
  "private": true,
  "dependencies": { "chromadb": "3.0.6" },
  "overrides": { "chromadb-js-bindings-linux-x64-gnu": "1.0.5" }
}
JSON
	(cd "$CHROMA_DIR" && npm install --no-audit --no-fund --loglevel=error >/dev/null)
	ln -sf "$CHROMA_DIR/node_modules/.bin/chroma" /usr/local/bin/chroma
}

missing=()
for p in "${want[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
		missing+=("$p")
	fi
done

# npm ships inside some nodejs builds and as its own package in Debian's: ask for the
# package only when the command is absent.
if [ "${1:-}" != "--build-only" ] && ! command -v npm >/dev/null 2>&1; then
	if ! dpkg-query -W -f='${Status}' npm 2>/dev/null | grep -q "ok installed"; then
		missing+=(npm)
	fi
fi

if [ ${#missing[@]} -eq 0 ]; then
	install_chroma "${1:-}"
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
install_chroma "${1:-}"
