#!/usr/bin/env python3
"""Checks that the agent's modules depend on each other one way only.

A module is a source file with its header of the same name (agent/core/LAYER/NAME.c and
include/dlo/NAME.h; agent/win/NAME.c and agent/win/win/NAME.h). The layer of a core module is
the folder its source stands in: base <- model <- engine <- front, each layer may include its
own and the layers below it, never one above. Header-only modules take their layer from
HEADER_ONLY below. The Windows layer stands above the whole core; inside it, every module may
use the leaf utility module, which itself includes no other module of the Windows layer.

Fails, naming the file and the include, on an include that goes up a layer, on an include cycle
between modules (anywhere, in either layer), or on a header it cannot place.

Usage: check_layers.py [SOURCE_ROOT]"""
import os
import re
import sys

LAYERS = ["base", "model", "engine", "front"]
# Headers with no source of their own: seams and generated files.
HEADER_ONLY = {
    "version": "base",
    "fwbackend": "model",
    "platform": "engine",
}
WIN_LEAF = "winutil"
INCLUDE = re.compile(r'^\s*#\s*include\s+"(dlo|win)/([A-Za-z0-9_]+)\.h"', re.M)


def modules(root):
    """{(space, name): (layer, [files])} for every module of the core and the Windows layer."""
    mods = {}
    core = os.path.join(root, "agent", "core")
    for layer in sorted(os.listdir(core)):
        folder = os.path.join(core, layer)
        if not os.path.isdir(folder):
            continue
        for f in sorted(os.listdir(folder)):
            if f.endswith(".c"):
                mods[("dlo", f[:-2])] = (layer, [os.path.join(folder, f)])
    for name, layer in HEADER_ONLY.items():
        mods.setdefault(("dlo", name), (layer, []))
    win = os.path.join(root, "agent", "win")
    for f in sorted(os.listdir(win)):
        if f.endswith(".c"):
            mods[("win", f[:-2])] = ("win", [os.path.join(win, f)])
    for (space, name), (layer, files) in mods.items():
        header = (os.path.join(root, "include", "dlo", name + ".h") if space == "dlo"
                  else os.path.join(win, "win", name + ".h"))
        if os.path.exists(header):
            files.append(header)
    return mods


def edges(root, mods, problems):
    """{module: {included module: 'file: include line'}}."""
    deps = {m: {} for m in mods}
    for m, (layer, files) in mods.items():
        for path in files:
            with open(path, encoding="utf-8") as f:
                text = f.read()
            for space, name in INCLUDE.findall(text):
                dep = (space, name)
                where = "%s: #include \"%s/%s.h\"" % (os.path.relpath(path, root), space, name)
                if dep not in mods:
                    if not (space == "dlo" and name.endswith("_msg")):
                        problems.append("%s: no module %s/%s (put its source in a layer "
                                        "folder or its name in HEADER_ONLY)" % (where, space, name))
                    continue
                if dep != m:
                    deps[m].setdefault(dep, where)
    return deps


def rank(layer):
    return len(LAYERS) if layer == "win" else LAYERS.index(layer)


def check_directions(mods, deps, problems):
    for m, out in deps.items():
        for dep, where in out.items():
            lm, ld = mods[m][0], mods[dep][0]
            if lm not in LAYERS + ["win"]:
                problems.append("%s: layer folder '%s' is not one of %s" % (where, lm, LAYERS))
            elif rank(ld) > rank(lm):
                problems.append("%s: %s (%s) may not use %s (%s): layers run base <- model <- "
                                "engine <- front" % (where, m[1], lm, dep[1], ld))
            if m == ("win", WIN_LEAF) and dep[0] == "win":
                problems.append("%s: the leaf utility module includes no other Windows module"
                                % where)


def cycles(deps):
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index, low, on, stack, out, counter = {}, {}, set(), [], [], [0]
    for start in deps:
        if start in index:
            continue
        work = [(start, iter(sorted(deps[start])))]
        index[start] = low[start] = counter[0]
        counter[0] += 1
        stack.append(start)
        on.add(start)
        while work:
            node, it = work[-1]
            nxt = next(it, None)
            if nxt is not None:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter[0]
                    counter[0] += 1
                    stack.append(nxt)
                    on.add(nxt)
                    work.append((nxt, iter(sorted(deps[nxt]))))
                elif nxt in on:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == node:
                        break
                if len(comp) > 1:
                    out.append(sorted(comp))
    return out


def main():
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                           os.path.join(os.path.dirname(__file__), ".."))
    problems = []
    mods = modules(root)
    deps = edges(root, mods, problems)
    check_directions(mods, deps, problems)
    for comp in cycles(deps):
        names = ", ".join("%s/%s" % m for m in comp)
        links = ["  %s" % deps[a][b] for a in comp for b in comp if b in deps[a]]
        problems.append("include cycle between %s:\n%s" % (names, "\n".join(links)))
    for p in problems:
        print("FAIL: " + p)
    counts = {layer: sum(1 for l, _ in mods.values() if l == layer) for layer in LAYERS + ["win"]}
    print("layers: " + ", ".join("%s %d" % kv for kv in counts.items()) +
          "; %d includes between modules" % sum(len(v) for v in deps.values()))
    print("%d passed, %d failed" % (len(mods), len(problems)) if problems else
          "%d passed, 0 failed" % len(mods))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
