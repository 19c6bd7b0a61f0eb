#!/usr/bin/env bash
# Checks the README's commands on a really fresh Debian 12, in one command:
#   1. debootstrap --variant=minbase bookworm into a folder, from the Debian mirror this
#      machine's apt is configured with (read from /etc/apt/sources.list*);
#   2. what a booted machine has: /proc, /sys, the cgroup hierarchy, /dev, a fresh /run,
#      the hostname in /etc/hosts (127.0.1.1, as Debian's installer writes it);
#   3. this repository's HEAD (committed work only) cloned into /opt/hpcbench;
#   4. inside, as root with a clean login environment: the README's bootstrap line, then
#      `make quickstart` and `make test`;
#   5. the result lines, everything unmounted, the folder removed.
# Exit 0 when both make commands succeeded. Takes a while (packages, Chroma from npm,
# then the whole suite); the package archive and npm's registry must be reachable.
#
# Usage: scripts/fresh-check.sh [--keep] [DIR]
#   DIR     where the root filesystem goes (default: a new folder under /var/tmp);
#           it must not exist or be empty
#   --keep  leave DIR in place afterwards (unmounted) to look around
set -euo pipefail

usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; }

keep=0
dir=
while [ $# -gt 0 ]; do
	case $1 in
	--keep) keep=1 ;;
	-h | --help)
		usage
		exit 0
		;;
	-*)
		echo "fresh-check: unknown option $1 (see --help)" >&2
		exit 2
		;;
	*) dir=$1 ;;
	esac
	shift
done

die() {
	echo "fresh-check: $*" >&2
	exit 1
}

[ "$(id -u)" -eq 0 ] || die "needs root (debootstrap, chroot, mount)"
command -v debootstrap >/dev/null || die "debootstrap is missing: bash scripts/install-deps.sh"
chroot=$(command -v chroot) || die "chroot is missing (package coreutils)"
top=$(cd "$(dirname "$0")/.." && pwd)
commit=$(git -C "$top" rev-parse HEAD)
if [ -n "$(git -C "$top" status --porcelain)" ]; then
	echo "fresh-check: note: uncommitted changes in $top are not part of the check" >&2
fi

# The README's bootstrap line: the one that starts with "apt-get update", comment dropped.
bootstrap=$(sed -n 's/^\(apt-get update .*\)$/\1/p' "$top/README.md" | head -1)
bootstrap=${bootstrap%%#*}
[ -n "$bootstrap" ] || die "README.md has no line starting with 'apt-get update'"

# mirror_for SUITE: the first URI this machine's apt uses for SUITE (one-line and deb822
# formats), printed without a trailing slash.
mirror_for() {
	local f files=()
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
		/etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] && files+=("$f")
	done
	[ ${#files[@]} -gt 0 ] || return 0
	awk -v suite="$1" '
		function has(list, w,   n, a, i) {
			n = split(list, a, /[ \t]+/)
			for (i = 1; i <= n; i++) if (a[i] == w) return 1
			return 0
		}
		function stanza() {
			if (uris != "" && has(types, "deb") && has(suites, suite) && enabled != "no" && !found) {
				split(uris, u, /[ \t]+/); print u[1]; found = 1
			}
			types = uris = suites = enabled = ""
		}
		FNR == 1 { stanza(); deb822 = (FILENAME ~ /\.sources$/) }
		deb822 && /^[ \t]*$/ { stanza(); next }
		deb822 && /^Types:/ { sub(/^Types:[ \t]*/, ""); types = $0; next }
		deb822 && /^URIs:/ { sub(/^URIs:[ \t]*/, ""); uris = $0; next }
		deb822 && /^Suites:/ { sub(/^Suites:[ \t]*/, ""); suites = $0; next }
		deb822 && /^Enabled:/ { sub(/^Enabled:[ \t]*/, ""); enabled = tolower($0); next }
		!deb822 && $1 == "deb" && !found {
			i = 2
			if ($i ~ /^\[/) while ($i !~ /\]$/) i++
			if ($i ~ /^\[/ || $i ~ /\]$/) i++
			if ($(i + 1) == suite) { print $i; found = 1 }
		}
		END { stanza() }
	' "${files[@]}" | sed 's:/*$::'
}
mirror=$(mirror_for bookworm)
security=$(mirror_for bookworm-security)
[ -n "$mirror" ] || die "no Debian bookworm mirror in /etc/apt/sources.list*"

if [ -z "$dir" ]; then
	dir=$(mktemp -d /var/tmp/hpcbench-fresh.XXXXXX)
elif [ -e "$dir" ] && [ -n "$(ls -A "$dir")" ]; then
	die "$dir is not empty"
fi
mkdir -p "$dir"
root=$(cd "$dir" && pwd)
[ "$root" != / ] || die "refusing to use / as the root"
out=$(mktemp /var/tmp/hpcbench-fresh-out.XXXXXX)
mounted=()

# Stops what still runs inside the root (started by this script, found by their root
# folder), unmounts everything in reverse order, removes the folder unless --keep.
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	local rc=$? p i left
	trap - EXIT INT TERM
	for p in /proc/[0-9]*; do
		if [ "$(readlink "$p/root" 2>/dev/null)" = "$root" ]; then
			kill -TERM "${p#/proc/}" 2>/dev/null || true
		fi
	done
	sleep 1
	for p in /proc/[0-9]*; do
		if [ "$(readlink "$p/root" 2>/dev/null)" = "$root" ]; then
			kill -KILL "${p#/proc/}" 2>/dev/null || true
		fi
	done
	for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
		umount -R "${mounted[i]}" 2>/dev/null || umount -R -l "${mounted[i]}" || true
	done
	left=$(awk -v r="$root/" 'index($2 "/", r) == 1 { print $2 }' /proc/self/mounts)
	if [ -n "$left" ]; then
		echo "fresh-check: still mounted, $root kept: $left" >&2
	elif [ "$keep" = 0 ]; then
		rm -rf --one-file-system "$root"
	else
		echo "fresh-check: kept $root"
	fi
	rm -f "$out"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now() { date +%s; }
t_start=$(now)
results=()
# note TEXT: a result line, printed now and again at the end.
note() {
	results+=("$*")
	echo "fresh-check: $*"
}

echo "fresh-check: commit $commit, root $root, mirror $mirror"
t=$(now)
debootstrap --variant=minbase bookworm "$root" "$mirror" ||
	die "debootstrap failed"
note "debootstrap --variant=minbase bookworm: $(($(now) - t)) s"

# What a booted machine has. Binds are made private to the root's side (rslave), so
# unmounting them there never reaches the host's own mounts.
mount -t proc proc "$root/proc"
mounted+=("$root/proc")
mount --rbind /sys "$root/sys"
mount --make-rslave "$root/sys"
mounted+=("$root/sys")
mount --rbind /dev "$root/dev"
mount --make-rslave "$root/dev"
mounted+=("$root/dev")
mount -t tmpfs -o mode=755,nosuid,nodev tmpfs "$root/run"
mounted+=("$root/run")
host=$(hostname)
printf '%s\n' "$host" >"$root/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\t%s\n::1\tlocalhost ip6-localhost ip6-loopback\n' \
	"$host" >"$root/etc/hosts"
cp -L /etc/resolv.conf "$root/etc/resolv.conf"
rm -f "$root/etc/apt/sources.list"
{
	printf 'Types: deb\nURIs: %s\nSuites: bookworm bookworm-updates\nComponents: main\n' "$mirror"
	printf 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n'
	if [ -n "$security" ]; then
		printf '\nTypes: deb\nURIs: %s\nSuites: bookworm-security\nComponents: main\n' "$security"
		printf 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n'
	fi
} >"$root/etc/apt/sources.list.d/debian.sources"

git clone -q "$top" "$root/opt/hpcbench"
git -C "$root/opt/hpcbench" -c advice.detachedHead=false checkout -q "$commit"

# in_root TITLE CMD: runs CMD in /opt/hpcbench inside the root as a root login shell
# with nothing inherited from this environment; output to $out, shown as it comes.
# In the background, so that a TERM or INT reaches the cleanup at once.
in_root() {
	local title=$1 rc=0 pid
	echo "fresh-check: --- $title"
	t=$(now)
	env -i HOME=/root USER=root LOGNAME=root TERM=dumb SHELL=/bin/bash \
		"$chroot" "$root" /bin/bash -l -c "cd /opt/hpcbench && $2" >"$out" 2>&1 </dev/null &
	pid=$!
	tail -n +1 -f --pid="$pid" "$out" &
	wait "$pid" || rc=$?
	wait
	last_s=$(($(now) - t))
	return "$rc"
}

fail=0
if in_root "$bootstrap" "$bootstrap"; then
	note "bootstrap ($bootstrap): ok, $last_s s"
else
	note "bootstrap ($bootstrap): FAILED, $last_s s"
	exit 1
fi
if in_root "make quickstart" "make quickstart"; then
	note "make quickstart: ok, $last_s s"
else
	note "make quickstart: FAILED, $last_s s"
	fail=1
fi
rc=0
in_root "make test" "make test" || rc=$?
summary=$(grep -E '^(# failed:|[0-9]+ passed, [0-9]+ failed)' "$out" | tail -2 | tr '\n' ' ')
note "make test: exit $rc, ${summary:-no summary line}, $last_s s"
[ "$rc" -eq 0 ] || fail=1

echo
echo "fresh-check: results (commit ${commit:0:12}, Debian bookworm minbase)"
for r in "${results[@]}"; do echo "fresh-check:   $r"; done
echo "fresh-check: total $(($(now) - t_start)) s: $([ "$fail" = 0 ] && echo PASS || echo FAIL)"
exit "$fail"
