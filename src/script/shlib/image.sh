# Pulls $1 (docker://...) into HB_IMAGE when missing, one job at a time (flock).
hb_pull_image() {
	local src=$1
	[ -e "$HB_IMAGE" ] && return 0
	[ -n "$src" ] || hb_fail "container image $HB_IMAGE is missing and no container.docker_source is given"
	mkdir -p "$(dirname "$HB_IMAGE")"
	(
		flock -w 3600 9 || exit 1
		if [ ! -e "$HB_IMAGE" ]; then
			"$HB_APPTAINER" pull "$HB_IMAGE.tmp.$$" "$src" && mv -f "$HB_IMAGE.tmp.$$" "$HB_IMAGE"
		fi
	) 9>"$HB_IMAGE.lock" || hb_fail "cannot pull $src into $HB_IMAGE"
}
