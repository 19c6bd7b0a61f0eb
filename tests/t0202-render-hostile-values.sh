#!/usr/bin/env bash
# Hostile recipe values (quotes, $(...), backticks, ;, ~, globs, newlines, spaces,
# backslashes, %) reach a rendered native job byte for byte, in the environment and in
# command arguments; $NAME and ${NAME} expand, $$ is a literal $; secrets never appear
# in the script but arrive in the environment.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/lib-render.sh
. "$(dirname "$0")/lib-render.sh"

canary=$SCRATCH/canary
python3 - "$SCRATCH" "$canary" <<'PY'
import json, sys
scratch, canary = sys.argv[1], sys.argv[2]
env = {
    "Q": "it's \"quoted\" 'twice'",
    "SUB": "$(touch %s-sub)" % canary,
    "BT": "`touch %s-bt`" % canary,
    "SEMI": "a; touch %s-semi && echo b | cat" % canary,
    "TILDE": "~/x ~root ~",
    "GLOB": "* ? [a-z]* /*",
    "NL": "line1\nline2\n\nline4\n",
    "SP": "  leading and trailing  ",
    "BS": "back\\slash \\n \\\\ \\",
    "PCT": "100% %s %d %%",
    "HASH": "#not a comment",
    "UNI": "h\u00e9llo \u2713",
    "DOLLARS": "cost $$5, $ alone, $1 and $",
    "REF": "$HB_T_HOME/x and ${HB_T_HOME}y",
    "DB_PASSWORD": "s3cr'et $(touch %s-pw) \"x\"" % canary,
}
args = ["it's", "$(touch %s-arg)" % canary, "*", "two words", "a\nb", "`id`", "${HB_T_HOME}", "$$"]
code = ("import json,os,sys\n"
        "names=%r\n"
        "json.dump({'env': {n: os.environ.get(n) for n in names}, 'argv': sys.argv[1:]},"
        " open(os.path.join(os.environ['JOB_DIR'], 'seen.json'), 'w'))\n") % sorted(env)
recipe = {"client": {"name": "hostile", "command": "python3", "args": ["-c", code] + args,
                     "target_service": {"endpoint": "127.0.0.1:9"}, "environment": env}}
# JSON is YAML: the recipe carries exactly these strings.
json.dump(recipe, open(scratch + "/hostile.yaml", "w"))
home = "/some where/$(odd)"
want_env = dict(env)
want_env["DOLLARS"] = "cost $5, $ alone, $1 and $"
want_env["REF"] = home + "/x and " + home + "y"
want_args = args[:6] + [home, "$"]
json.dump({"env": want_env, "argv": want_args, "home": home}, open(scratch + "/want.json", "w"))
PY

id=$(render_to "$SCRATCH/jobs" "$SCRATCH/hostile.yaml")
ok "the hostile recipe renders" test -s "$SCRATCH/jobs/$id.sh"
ok "the script passes bash -n" bash -n "$SCRATCH/jobs/$id.sh"
ok "the script passes shellcheck" shellcheck "$SCRATCH/jobs/$id.sh"
if grep -q "s3cr" "$SCRATCH/jobs/$id.sh"; then r=yes; else r=no; fi
is "$r" no "the secret is not in the script"
is "$(stat -c %a "$SCRATCH/jobs/$id/secrets/env/DB_PASSWORD")" 600 "the secret's side file is 0600"

home=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["home"])' "$SCRATCH/want.json")
HB_T_HOME=$home start_job "$SCRATCH/jobs" "$id"
ok "the job runs to its end" wait_exit "$JOB_PID" 20
is "$JOB_RC" 0 "the job exits 0"
like "$(cat "$RUN/$id/state")" '^COMPLETED 0 ' "state COMPLETED 0"
cmp_out=$(python3 - "$SCRATCH/want.json" "$RUN/$id/seen.json" <<'PY'
import json, sys
want, seen = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
bad = [n for n in want["env"] if want["env"][n] != seen["env"].get(n)]
for n in bad:
    print("env %s: want %r got %r" % (n, want["env"][n], seen["env"].get(n)))
if want["argv"] != seen["argv"]:
    print("argv: want %r got %r" % (want["argv"], seen["argv"]))
PY
)
is "$cmp_out" "" "every environment value and argument arrived byte for byte"
is "$(find "$SCRATCH" -maxdepth 1 -name 'canary*' | wc -l)" 0 "nothing in a value was executed"
for f in "$RUN/$id/out.log" "$RUN/$id/err.log"; do
	if grep -q "s3cr" "$f"; then r=yes; else r=no; fi
	is "$r" no "the secret is not in $(basename "$f")"
done

done_testing
