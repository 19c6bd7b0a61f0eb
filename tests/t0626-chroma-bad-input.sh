#!/usr/bin/env bash
# hpcbench load chroma with bad input that needs no server: a malformed .fvecs file, a
# file that is not HDF5, an unreachable server. Each ends in one clear message, exit 2
# (the input) or 1 (the server), and no result file. (A dimension that does not match
# the collection needs a server: t0610.)
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

dead=$(free_port)
url="http://127.0.0.1:$dead"

# 9 bytes: a dimension of 8, then one float and a stray byte.
printf '\010\000\000\000\000\000\200\077\000' >"$SCRATCH/cut.fvecs"
err=$(hb load chroma "$url" --data "$SCRATCH/cut.fvecs" --query-data "$SCRATCH/cut.fvecs" \
	-n 5 --json "$SCRATCH/r1.json" 2>&1)
is "$?" 2 "a cut .fvecs file: exit 2"
like "$(echo "$err" | head -1)" "cut.fvecs: 9 bytes is not a whole number of 36-byte records \(dimension 8: 4 \+ 4 x 8 bytes per vector\); the file is cut or not a .fvecs file" \
	"  says what is wrong with it"
ok "  no result file" test ! -e "$SCRATCH/r1.json"

printf 'not hdf5 at all' >"$SCRATCH/x.hdf5"
err=$(hb load chroma "$url" --data "$SCRATCH/x.hdf5" -n 5 --json "$SCRATCH/r2.json" 2>&1)
is "$?" 2 "a file that is not HDF5: exit 2"
like "$(echo "$err" | head -1)" "x.hdf5: not an HDF5 file" "  says so"
ok "  no result file" test ! -e "$SCRATCH/r2.json"

err=$(hb load chroma "$url" --documents 10 --dimension 4 -n 5 --json "$SCRATCH/r3.json" 2>&1)
is "$?" 1 "an unreachable server: exit 1"
like "$err" "chroma at 127.0.0.1:$dead is not reachable: cannot connect to 127.0.0.1:$dead: Connection refused" \
	"  names the server and the reason"
is "$(echo "$err" | wc -l)" 1 "  on one line"
ok "  no result file" test ! -e "$SCRATCH/r3.json"

done_testing
