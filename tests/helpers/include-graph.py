#!/usr/bin/env python3
"""Checks the include graph of a source tree against the layers of docs/architecture.md.

usage: include-graph.py SRC_DIR [--dot]

Reads every `#include "DIR/FILE"` line of SRC_DIR/*/**.[ch] and derives the graph between
modules (the folders under SRC_DIR; under SRC_DIR/load each subfolder is its own module,
load/core below the protocol folders). Prints one line per problem and exits 1 when
there is any:

  upward edge   a module includes a header of a module in a higher layer
  cycle         modules of one layer that include each other, directly or not
  no layer      a folder this script does not place (add it to LAYERS below)
  private       a file outside src/load includes a load header other than the
                core's public interface (LOAD_PUBLIC)

With --dot, prints the module graph in Graphviz form instead (exit 0).
"""
import os
import re
import sys

# Lower number = lower layer. An edge may only point to the same or a lower layer.
LAYERS = {
    "common": 0,
    "load": 1,
    "store": 1,
    "monitor": 2,  # server metrics sampled beside a load run: load/core's hooks, used by cli
    "recipe": 2,
    "config": 2,
    "service": 3,
    "exec": 3,
    "script": 3,
    "session": 4,
    "report": 4,  # result files and reports: reads the store, used by cli
    "cli": 5,
}
# Inside load/: the core below every protocol folder.
LOAD_LAYERS = {"core": 0}
LOAD_PROTOCOL_LAYER = 1
# What code outside src/load may include from it: the protocol interface, the options
# a run, histograms, merging, repeats and figures (worker.h, sched.h ... are the core's own).
LOAD_PUBLIC = {
    "load/core/proto.h",
    "load/core/opts.h",
    "load/core/run.h",
    "load/core/hist.h",  # the histogram and its result-file form: report, merge
    "load/core/hist-json.h",
    "load/core/merge.h",  # replica results added exactly
    "load/core/repeat.h",  # repeated trials of any protocol
    "load/core/figures.h",  # the headline figures of a result, for summaries
}

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def module_of(rel):
    """'load/http/x.c' -> 'load/http'; 'cli/main.c' -> 'cli'; None for a top-level file."""
    parts = rel.split("/")
    if len(parts) < 2:
        return None
    if parts[0] == "load" and len(parts) >= 3:
        return "load/" + parts[1]
    return parts[0]


def layer_of(mod):
    """(outer layer, inner layer) or None when unplaced."""
    top = mod.split("/")[0]
    if top not in LAYERS:
        return None
    if top == "load" and "/" in mod:
        return (LAYERS[top], LOAD_LAYERS.get(mod.split("/")[1], LOAD_PROTOCOL_LAYER))
    return (LAYERS[top], 0)


def scan(src):
    edges = {}  # (from, to) -> first "file: #include" seen
    for root, _, files in os.walk(src):
        for name in sorted(files):
            if not name.endswith((".c", ".h")):
                continue
            path = os.path.join(root, name)
            rel = os.path.relpath(path, src)
            mod = module_of(rel)
            if mod is None:
                continue
            text = open(path, encoding="utf-8", errors="replace").read()
            for inc in INCLUDE.findall(text):
                to = module_of(inc)
                if to is None or to == mod:
                    continue
                edges.setdefault((mod, to, inc), rel)
    return edges


def cycles(nodes, graph):
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, on, stack, out = {}, {}, set(), [], []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(nodes):
        if v not in index:
            visit(v)
    return out


def main():
    args = sys.argv[1:]
    if not args or args[0].startswith("-"):
        sys.exit(__doc__)
    src, dot = args[0], "--dot" in args
    edges = scan(src)
    graph, nodes = {}, set()
    for (a, b, _inc) in edges:
        graph.setdefault(a, set()).add(b)
        nodes.update((a, b))
    if dot:
        print("digraph includes {")
        for a in sorted(graph):
            for b in sorted(graph[a]):
                print('  "%s" -> "%s";' % (a, b))
        print("}")
        return 0
    problems = []
    for mod in sorted(nodes):
        if layer_of(mod) is None:
            problems.append("no layer: src/%s is not placed in the layers (%s)" %
                            (mod, os.path.basename(__file__)))
    for (a, b, inc), where in sorted(edges.items()):
        la, lb = layer_of(a), layer_of(b)
        if la is None or lb is None:
            continue
        if la[0] < lb[0] or (la[0] == lb[0] and a.startswith("load/") and la[1] < lb[1]):
            problems.append("upward edge: %s -> %s (%s includes \"%s\")" % (a, b, where, inc))
        if not a.startswith("load") and b.startswith("load") and inc not in LOAD_PUBLIC:
            problems.append("private: %s includes \"%s\", not the load core's interface (%s)"
                            % (where, inc, ", ".join(sorted(LOAD_PUBLIC))))
    for comp in cycles(nodes, graph):
        problems.append("cycle: %s include each other" % " <-> ".join(comp))
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
