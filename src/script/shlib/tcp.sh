# TCP probe: succeeds once $1:$2 accepts a connection.
hb_probe_tcp() {
	(exec 3<>"/dev/tcp/$1/$2")
}
