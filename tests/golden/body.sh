# The recipe's own body: start the server in the background.
nc -lk -p "$HPCBENCH_PORT" >/dev/null &
