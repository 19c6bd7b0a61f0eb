#!/usr/bin/env bash
# The state database corrupted, truncated or replaced by a folder (issue 14, defect 8):
# every command used to fail with "PRAGMA journal_mode = WAL: file is not a database",
# no path, no hint. A file SQLite cannot use is now moved aside with a warning naming
# both paths, a fresh database is created, and the command goes on; a folder in its place
# is an error that names the path.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
cd "$SCRATCH" || exit 1

db=$XDG_STATE_HOME/hpcbench/state.db
mkdir -p "$(dirname "$db")"

printf 'this is not a database\n%.0s' $(seq 200) >"$db"
out=$(hb status 2>&1)
is "$?" 0 "status over a garbage state.db: exit 0"
like "$out" "warning: $db was not a usable state database \(.*file is not a database\); moved aside to $db\.corrupt-[0-9]+ and started a new one" \
	"  warns, naming the file, the reason and where it went"
like "$out" "no runs yet" "  and goes on with a fresh database"
aside=$(find "$(dirname "$db")" -name "state.db.corrupt-*" | head -1)
ok "  the old file is kept aside, byte for byte" grep -q "this is not a database" "$aside"
out=$(hb status 2>&1)
unlike "$out" "warning" "the next command finds the new database sound (no warning)"
rm -f "$db".corrupt-*

# Truncated: a real database (a run recorded in it) cut in half.
printf 'service: {name: r, type: generic, runtime: native, command: "true"}\n' >r.yaml
hb run r.yaml >/dev/null 2>&1
hb status --all >/dev/null 2>&1
python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("pragma wal_checkpoint(TRUNCATE)"); c.close()' "$db"
size=$(stat -c %s "$db")
truncate -s $((size / 2)) "$db"
rm -f "$db-wal" "$db-shm"
out=$(hb status --all 2>&1)
is "$?" 0 "status over a truncated state.db: exit 0"
like "$out" "warning: $db was not a usable state database \(.*(malformed|not a database)\); moved aside to" \
	"  warns and moves it aside"

# A folder where the database should be: an error with the path, nothing moved.
rm -rf "$db" "$db".corrupt-*
mkdir "$db"
out=$(hb status 2>&1)
is "$?" 1 "a folder in place of state.db: exit 1"
like "$out" "error: $db: cannot open: Is a directory" "  naming the path"
ok "  and the folder is left alone" test -d "$db"

done_testing
