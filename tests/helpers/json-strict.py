#!/usr/bin/env python3
"""Strict JSON check of files hpcbench writes (used by tests/lib.sh: json_strict).

    json-strict.py FILE...

A .jsonl file holds one JSON value per non-empty line; any other file holds exactly one
JSON value. Rejected, with FILE[:LINE]: reason on stderr and exit status 1: a key twice
in one object (most readers keep the last and lose the first silently), NaN or Infinity
(not JSON), bytes that are not UTF-8, control characters inside strings, anything after
the value. Exit status 0 when every file passes.
"""
import json
import sys


class Bad(Exception):
    pass


def no_duplicates(pairs):
    seen = set()
    for k, _ in pairs:
        if k in seen:
            raise Bad("key %r twice in one object" % k)
        seen.add(k)
    return dict(pairs)


def no_constant(name):
    raise Bad("%s is not JSON" % name)


def check_text(text):
    json.loads(text, object_pairs_hook=no_duplicates, parse_constant=no_constant)


def check_file(path):
    """Returns a list of problems of one file."""
    try:
        with open(path, "rb") as f:
            data = f.read()
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as e:
        return ["%s: %s" % (path, e)]
    units = []
    if path.endswith(".jsonl"):
        units = [(i + 1, line) for i, line in enumerate(text.split("\n")) if line.strip()]
    else:
        units = [(None, text)]
    problems = []
    for line, unit in units:
        where = path if line is None else "%s:%d" % (path, line)
        try:
            check_text(unit)
        except (Bad, ValueError) as e:
            problems.append("%s: %s" % (where, e))
    return problems


def main(argv):
    if len(argv) < 2:
        print("usage: json-strict.py FILE...", file=sys.stderr)
        return 2
    problems = []
    for path in argv[1:]:
        problems += check_file(path)
    for p in problems:
        print(p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
