#!/usr/bin/env bash
# hpcbench load http against a real nginx on loopback: the requests hpcbench counts as
# successful are the lines of nginx's access log; status classes; the bytes that
# arrived (method, header, body length); chunked bodies (gzip); keep-alive, pipelining
# and --no-keepalive seen from nginx's own per-connection request counter.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

need nginx

# nginx with a log line per request that shows what arrived, and gzip (chunked bodies).
port=$(free_port)
dir=$SCRATCH/nginx
mkdir -p "$dir" "$SCRATCH/www"
chmod 755 "$SCRATCH/www"
printf 'hello from nginx\n' >"$SCRATCH/www/index.html"
python3 -c 'print("x" * 20000)' >"$SCRATCH/www/big.txt"
chmod 644 "$SCRATCH/www/"*
cat >"$dir/nginx.conf" <<NGINX
daemon off;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log;
events { worker_connections 4096; }
http {
	log_format t '\$request_method \$request_uri \$status \$request_length \$connection_requests "\$http_x_test" \$content_length';
	access_log $dir/access.log t;
	client_body_temp_path $dir/body;
	proxy_temp_path $dir/proxy;
	fastcgi_temp_path $dir/fastcgi;
	uwsgi_temp_path $dir/uwsgi;
	scgi_temp_path $dir/scgi;
	keepalive_requests 1000000;
	gzip on;
	gzip_min_length 0;
	gzip_types text/plain;
	server {
		listen 127.0.0.1:$port;
		root $SCRATCH/www;
		location /echo { return 200 "echo\n"; }
		location /boom { return 503; }
	}
}
NGINX
nginx -c "$dir/nginx.conf" -p "$dir" >/dev/null 2>&1 &
track_pid $!
wait_port "$port" 10 || { echo "nginx did not start" >&2; exit 1; }
log=$dir/access.log
url=http://127.0.0.1:$port

# json FILE EXPR: prints a value of the result file.
json() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }
lines() { if [ -f "$log" ]; then wc -l <"$log"; else echo 0; fi; }

# 1. Closed loop, keep-alive: every successful request is one access-log line.
: >"$log"
hb load http "$url/" -c 8 -n 2000 --json "$SCRATCH/a.json" >"$SCRATCH/a.out" 2>&1
is "$?" 0 "GET 2000 requests exits 0"
is "$(json "$SCRATCH/a.json" 'r["requests"]["ok"]')" 2000 "2000 successful requests reported"
sleep 0.2
is "$(lines)" 2000 "nginx logged 2000 requests"
is "$(grep -c '^GET / 200 ' "$log")" 2000 "all of them GET / 200"
is "$(json "$SCRATCH/a.json" 'r["by_kind"]["2xx"]["ok"]')" 2000 "counted in the 2xx class"
maxreq=$(awk '{print $5}' "$log" | sort -n | tail -1)
cmp_num "$maxreq" -gt 100 "connections were kept alive (nginx saw $maxreq requests on one)"

# 2. A 404 path: status class 4xx, errors of kind http_4xx, exit 1 unless --allow-errors.
: >"$log"
hb load http "$url/missing" -c 2 -n 50 --json "$SCRATCH/b.json" >"$SCRATCH/b.out" 2>&1
is "$?" 1 "404s make the run fail"
is "$(json "$SCRATCH/b.json" 'r["requests"]["errors_by_kind"]["http_4xx"]')" 50 "50 http_4xx errors"
like "$(cat "$SCRATCH/b.out")" "http status 404" "the summary shows the status"
sleep 0.2
is "$(grep -c '^GET /missing 404 ' "$log")" 50 "nginx answered 404 fifty times"
is "$(json "$SCRATCH/b.json" 'r["by_kind"]["4xx"]["errors"]')" 50 "counted in the 4xx class"
hb load http "$url/boom" -c 1 -n 5 --json "$SCRATCH/c.json" >/dev/null 2>&1
is "$(json "$SCRATCH/c.json" 'r["requests"]["errors_by_kind"]["server"]')" 5 "503 counted as server errors"

# 3. POST with headers and a body from a file: the bytes arrive.
: >"$log"
head -c 1234 /dev/zero | tr '\0' 'b' >"$SCRATCH/body.bin"
hb load http "$url/echo" -m POST -H 'X-Test: hpc bench' -H 'Content-Type: text/plain' \
	--body @"$SCRATCH/body.bin" -c 2 -n 100 >/dev/null 2>&1
is "$?" 0 "POST with a body exits 0"
sleep 0.2
is "$(grep -c '^POST /echo 200 [0-9]* [0-9]* "hpc bench" 1234$' "$log")" 100 \
	"nginx saw 100 POSTs with the header and a 1234-byte body"

# 4. Chunked bodies: gzip makes nginx stream a chunked response.
: >"$log"
hb load http "$url/big.txt" -H 'Accept-Encoding: gzip' -c 4 -n 400 --json "$SCRATCH/d.json" \
	>/dev/null 2>&1
is "$?" 0 "chunked (gzip) responses exit 0"
is "$(json "$SCRATCH/d.json" 'r["requests"]["ok"]')" 400 "400 chunked responses parsed"
resp=$(printf 'GET /big.txt HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n' |
	timeout 5 python3 -c 'import socket,sys; s=socket.create_connection(("127.0.0.1",'"$port"')); s.sendall(sys.stdin.buffer.read()); d=b""
while True:
    b=s.recv(65536)
    if not b: break
    d+=b
print(d.split(b"\r\n\r\n")[0].decode())')
like "$resp" "Transfer-Encoding: chunked" "nginx really answered chunked"

# 5. Pipelining: 8 requests in flight per connection, all counted once.
: >"$log"
hb load http "$url/echo" -c 4 --pipeline 8 -n 4000 --json "$SCRATCH/e.json" >/dev/null 2>&1
is "$?" 0 "pipelined run exits 0"
sleep 0.2
is "$(lines)" 4000 "nginx logged 4000 pipelined requests"
is "$(json "$SCRATCH/e.json" 'r["requests"]["ok"]')" 4000 "4000 reported"

# 6. --no-keepalive: one request per connection.
: >"$log"
hb load http "$url/" --no-keepalive -c 2 -n 100 >/dev/null 2>&1
is "$?" 0 "--no-keepalive exits 0"
sleep 0.2
is "$(awk '$5 != 1' "$log" | wc -l)" 0 "every request came on a fresh connection"
is "$(lines)" 100 "100 requests logged"

# 7. Bad input: exit 2 with a clear message.
out=$(hb load http "https://127.0.0.1:$port/" -n 1 2>&1)
is "$?" 2 "https is refused with exit 2"
like "$out" "https is not supported" "and says why"
out=$(hb load http "$url/" -H 'no colon' -n 1 2>&1)
is "$?" 2 "a bad header exits 2"
like "$out" "not 'Name: value'" "and says why"
out=$(hb load http "$url/" --body @"$SCRATCH/nope" -n 1 2>&1)
is "$?" 2 "a missing body file exits 2"

done_testing
