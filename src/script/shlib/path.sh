# Appends to PATH the newest folder (version order) matching one of the globs "$2"...
# that holds command $1, unless $1 is on PATH already: Debian puts PostgreSQL's
# programs in /usr/lib/postgresql/VERSION/bin and servers in /usr/sbin, which a
# user's PATH lacks. Finding none changes nothing (the start then says what is missing).
hb_path_add() {
	local cmd=$1 pat d best=
	shift
	command -v "$cmd" >/dev/null && return 0
	for pat in "$@"; do
		while IFS= read -r d; do
			if [ -x "$d/$cmd" ]; then best=$d; fi
		done < <(compgen -G "$pat" | sort -V)
		[ -z "$best" ] || break
	done
	[ -n "$best" ] || return 0
	PATH=$PATH:$best
	export PATH
}
