#!/usr/bin/env bash
# The config file through the CLI: lookup order (--config, $HPCBENCH_CONFIG,
# $XDG_CONFIG_HOME/hpcbench/config.yaml), missing files, refusals, positions, exit 2.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

recipe=$TOP/tests/fixtures/recipes/good/command-client.yaml
cd "$SCRATCH" || exit 1

good=$SCRATCH/good.yaml
cat >"$good" <<'EOF'
hpc:
  hostname: login.example.org
  username: someone
  key_filename: ~/.ssh/id_ed25519
  port: 8822
slurm: {account: p200981, partition: cpu, qos: default, time: "01:00:00", nodes: 1}
modules: [Apptainer]
workdir: /scratch/someone/hpcbench
containers: {cache: $HOME/containers}
logging: {level: INFO}
EOF
broken=$SCRATCH/broken.yaml
printf 'slurm:\n  acount: p1\n' >"$broken"
broken_msg="hpcbench: error: $broken:2:3: unknown key 'acount' in slurm (did you mean 'account'?)"

out=$(hb validate "$recipe" 2>&1)
is "$?" 0 "no config anywhere: local defaults"

out=$(hb --config "$good" validate "$recipe" 2>&1)
is "$?" 0 "a good config with old and new keys loads"

out=$(hb --config "$broken" validate "$recipe" 2>&1)
is "$?" 2 "a bad config: exit 2"
is "$out" "$broken_msg" "a bad config: FILE:LINE:COL and a suggestion"

out=$(hb --config "$SCRATCH/nope.yaml" validate "$recipe" 2>&1)
is "$?" 2 "--config naming a missing file: exit 2"
is "$out" "hpcbench: error: $SCRATCH/nope.yaml: config file not found (named by --config)" \
	"--config naming a missing file: says which and why"

out=$(HPCBENCH_CONFIG=$SCRATCH/gone.yaml hb validate "$recipe" 2>&1)
is "$?" 2 "\$HPCBENCH_CONFIG naming a missing file: exit 2"
like "$out" "gone.yaml: config file not found \\(named by \\\$HPCBENCH_CONFIG\\)" \
	"\$HPCBENCH_CONFIG naming a missing file: says so"

# The default file is read: a broken one there is reported...
mkdir -p "$XDG_CONFIG_HOME/hpcbench"
cp "$broken" "$XDG_CONFIG_HOME/hpcbench/config.yaml"
out=$(hb validate "$recipe" 2>&1)
is "$?" 2 "\$XDG_CONFIG_HOME/hpcbench/config.yaml is read"
like "$out" "$XDG_CONFIG_HOME/hpcbench/config.yaml:2:3: unknown key 'acount'" \
	"  and its errors name it"
# ... but $HPCBENCH_CONFIG comes first, and --config before both.
out=$(HPCBENCH_CONFIG=$good hb validate "$recipe" 2>&1)
is "$?" 0 "\$HPCBENCH_CONFIG is used before the default file"
out=$(HPCBENCH_CONFIG=$broken hb --config "$good" validate "$recipe" 2>&1)
is "$?" 0 "--config is used before \$HPCBENCH_CONFIG"
rm "$XDG_CONFIG_HOME/hpcbench/config.yaml"

# Without XDG_CONFIG_HOME: ~/.config/hpcbench/config.yaml.
mkdir -p "$SCRATCH/home/.config/hpcbench"
cp "$broken" "$SCRATCH/home/.config/hpcbench/config.yaml"
out=$(env -u XDG_CONFIG_HOME HOME="$SCRATCH/home" "$HPCBENCH" validate "$recipe" 2>&1)
is "$?" 2 "\$HOME/.config/hpcbench/config.yaml is the default without XDG_CONFIG_HOME"

printf 'hpc:\n  hostname: h\n  password: hunter2\n' >"$SCRATCH/pw.yaml"
out=$(hb --config "$SCRATCH/pw.yaml" validate "$recipe" 2>&1)
is "$?" 2 "a password in the config: exit 2"
like "$out" "pw.yaml:3:13: hpc.password: passwords are not accepted in the config file; use an SSH key \(hpc.key_filename\) or ssh-agent" \
	"a password in the config: refused with advice"
unlike "$out" hunter2 "the password itself is not echoed"

printf 'ssh:\n  hostname: login\n  username: me\n' >"$SCRATCH/ssh.yaml"
out=$(hb --config "$SCRATCH/ssh.yaml" validate "$recipe" 2>&1)
is "$?" 0 "the old docs' ssh: section is accepted as hpc:"

printf 'hpc:\n  port: twenty-two\nslurm:\n  time: forever\n' >"$SCRATCH/types.yaml"
hb --config "$SCRATCH/types.yaml" validate "$recipe" >/dev/null 2>"$SCRATCH/err"
is "$?" 2 "wrong types in the config: exit 2"
is "$(cat "$SCRATCH/err")" "hpcbench: error: $SCRATCH/types.yaml:2:9: hpc.port: expected a whole number from 1 to 65535, got 'twenty-two'
hpcbench: error: $SCRATCH/types.yaml:4:9: slurm.time: bad time 'forever' (expected MM, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS or UNLIMITED, e.g. \"01:30:00\")" \
	"wrong types in the config: every error, with positions"

done_testing
