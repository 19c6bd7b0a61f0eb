#!/usr/bin/env bash
# A wait of more than a second says what it waits for (issue 14, defect 7): `load llm`
# against a port where nothing listens used to print nothing for 60 s, even with -v.
# Now one line on stderr names the target and the reason, and a closed port (connection
# refused) reads differently from a server that accepts but has not answered (loading).
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
cd "$SCRATCH" || exit 1

port=$(free_port)
out=$(hb load llm "http://127.0.0.1:$port" --model m -n 1 --ready-timeout 3s 2>&1 >/dev/null)
is "$?" 1 "load llm against a closed port: exit 1 after --ready-timeout"
like "$out" "hpcbench: waiting for http://127.0.0.1:$port: nothing listens there yet \(cannot connect to 127.0.0.1:$port: Connection refused\); trying GET /v1/models every 0.5 s for up to 3 s \(--ready-timeout\)" \
	"  says at once what it waits for and why it is not there"
is "$(grep -c 'waiting for' <<<"$out")" 1 "  once (not per try), when stderr is not a terminal"
like "$out" "not ready after 3 s: .*Connection refused \(nothing listens on that port: is the server running, and the port right\?\)" \
	"  and the final error names the likely cause"

# A server that accepts connections and never answers (a model still loading).
cat >hang.py <<'PY'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(64)
open("hang.port.tmp", "w").write(str(s.getsockname()[1]))
__import__("os").rename("hang.port.tmp", "hang.port")
held = []
while True:
    held.append(s.accept()[0])
PY
python3 hang.py &
track_pid $!
for _ in $(seq 100); do [ -s hang.port ] && break; sleep 0.1; done
hport=$(cat hang.port)
out=$(hb load llm "http://127.0.0.1:$hport" --model m -n 1 --ready-timeout 4s 2>&1 >/dev/null)
is "$?" 1 "load llm against a server that never answers: exit 1"
like "$out" "waiting for http://127.0.0.1:$hport: it accepts connections but has not answered GET /v1/models yet \(.*no complete answer within [0-9]+ ms; a server loading its model does this\)" \
	"  says the server is there but not answering (loading), not that nothing listens"
unlike "$out" "nothing listens" "  and never calls it a closed port"
like "$out" "not ready after 4 s" "  then fails at --ready-timeout, not later"

done_testing
