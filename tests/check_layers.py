#!/usr/bin/env python3
"""Checks that the agent's modules depend on each other one way only, and that each public
symbol is declared and defined in one module.

A module is a header and the sources of the same name: include/dlo/NAME.h with
agent/core/LAYER/NAME.c and any agent/core/LAYER/NAME_PART.c beside it (export_csp.c is part of
export); agent/win/win/NAME.h with agent/win/NAME.c and agent/win/NAME_PART.c. A header beside
the sources, agent/core/LAYER/NAME_PART.h, is the module's private header, which only the
module's own files include. The layer of a core module is the folder its sources stand in:
base <- model <- engine <- front, each layer may include its own and the layers below it, never
one above. Header-only modules take their layer
from HEADER_ONLY below. The Windows layer stands above the whole core; inside it, every module
may use the leaf utility module, which itself includes no other module of the Windows layer.

Fails, naming the file and what is wrong, on:
- an include that goes up a layer, an include cycle between modules (anywhere, in either
  layer), or a header it cannot place;
- a source that belongs to no module, an include of another module's private header, or two
  modules of one name (a core module and a module of the Windows layer alike; MAIN, the entry
  point, aside);
- a function or variable that a module's header declares and no source of that module defines
  (defined in another module, or nowhere), one that a source defines without static and its
  module's headers do not declare (declared by another module, or by none: make it static), one
  declared in two headers, and one declared in a source file.

Usage: check_layers.py [SOURCE_ROOT]"""
import os
import re
import sys

LAYERS = ["base", "model", "engine", "front"]
# Headers with no source of their own: seams and generated files. They declare no function.
HEADER_ONLY = {
    "version": "base",
    "fwbackend": "model",
    "platform": "engine",
}
WIN_LEAF = "winutil"
# The executable's entry point: a source with no header, and a name any program may use.
MAIN = "main"
INCLUDE = re.compile(r'^\s*#\s*include\s+"(dlo|win)/([A-Za-z0-9_]+)\.h"', re.M)
PRIVATE_INCLUDE = re.compile(r'^\s*#\s*include\s+"([A-Za-z0-9_]+\.h)"', re.M)
IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
NOT_DECLARATIONS = ("typedef", "struct", "enum", "union", "static")


def source_folders(root):
    """[(space, layer, folder, header folder)] of the core's layers and the Windows layer."""
    out = []
    core = os.path.join(root, "agent", "core")
    for layer in sorted(os.listdir(core)):
        if os.path.isdir(os.path.join(core, layer)):
            out.append(("dlo", layer, os.path.join(core, layer), os.path.join(root, "include", "dlo")))
    win = os.path.join(root, "agent", "win")
    if os.path.isdir(win):
        out.append(("win", "win", win, os.path.join(win, "win")))
    return out


def owner(name, names):
    """The module a source or private header NAME[_PART] belongs to: the longest module name
    that is NAME itself or a prefix of it followed by '_'."""
    best = None
    for m in names:
        if (name == m or name.startswith(m + "_")) and (best is None or len(m) > len(best)):
            best = m
    return best


def modules(root, problems):
    """{(space, name): {"layer", "headers": [public], "private": [...], "sources": [...]}}."""
    mods = {}
    for space, layer, folder, hfolder in source_folders(root):
        files = sorted(os.listdir(folder))
        stems = [f[:-2] for f in files if f.endswith(".c")]
        # A source is a module of its own when it has a public header of its name.
        names = [s for s in stems if os.path.exists(os.path.join(hfolder, s + ".h"))]
        for s in names:
            mods[(space, s)] = {"layer": layer, "headers": [os.path.join(hfolder, s + ".h")],
                                "private": [], "sources": []}
        for f in files:
            if not f.endswith((".c", ".h")):
                continue
            stem, path = f[:-2], os.path.join(folder, f)
            m = owner(stem, names)
            if m is None and stem == MAIN and f.endswith(".c"):
                mods[(space, MAIN)] = {"layer": layer, "headers": [], "private": [],
                                       "sources": [path]}
                continue
            if m is None:
                problems.append("%s: belongs to no module (expected a header %s.h, or a name "
                                "MODULE_PART of a module of this folder)"
                                % (os.path.relpath(path, root), stem))
                continue
            mods[(space, m)]["sources" if f.endswith(".c") else "private"].append(path)
    for name, layer in HEADER_ONLY.items():
        # version.h is made from version.h.in by the build: not read here.
        header = os.path.join(root, "include", "dlo", name + ".h")
        mods.setdefault(("dlo", name), {"layer": layer, "private": [], "sources": [],
                                        "headers": [header] if os.path.exists(header) else []})
    return mods


def files_of(mod):
    return mod["sources"] + mod["headers"] + mod["private"]


def edges(root, mods, problems):
    """{module: {included module: 'file: include line'}}."""
    deps = {m: {} for m in mods}
    for m, mod in mods.items():
        for path in files_of(mod):
            with open(path, encoding="utf-8") as f:
                text = f.read()
            private = {os.path.basename(f) for f in mod["private"]}
            for header in PRIVATE_INCLUDE.findall(text):
                # The Event Log's message table header is made by the build (windmc).
                if header not in private and not header.endswith("_msg.h"):
                    problems.append("%s: #include \"%s\": not a private header of module %s "
                                    "(a module's private header is for its own files)"
                                    % (os.path.relpath(path, root), header, m[1]))
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
            lm, ld = mods[m]["layer"], mods[dep]["layer"]
            if lm not in LAYERS + ["win"]:
                problems.append("%s: layer folder '%s' is not one of %s" % (where, lm, LAYERS))
            elif rank(ld) > rank(lm):
                problems.append("%s: %s (%s) may not use %s (%s): layers run base <- model <- "
                                "engine <- front" % (where, m[1], lm, dep[1], ld))
            if m == ("win", WIN_LEAF) and dep[0] == "win":
                problems.append("%s: the leaf utility module includes no other Windows module"
                                % where)


def check_names(mods, problems):
    """One module to a name, across the core and the Windows layer."""
    seen = {}
    for (space, name), mod in sorted(mods.items()):
        if name == MAIN:
            continue
        if name in seen:
            problems.append("two modules named '%s': %s/%s (%s) and %s/%s (%s); rename one"
                            % (name, seen[name][0], name, seen[name][1], space, name,
                               mod["layer"]))
        else:
            seen[name] = (space, mod["layer"])


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


# ---- where each symbol is declared and defined ----

def strip_code(text):
    """The text with comments, string and character literals and preprocessor lines blanked
    (newlines kept, so offsets still give line numbers)."""
    out, i, n = [], 0, len(text)
    at_line_start = True
    while i < n:
        c = text[i]
        if at_line_start and text[i:].lstrip(" \t").startswith("#"):
            j = i
            while j < n:  # the directive, with its continuation lines
                k = text.find("\n", j)
                k = n if k < 0 else k
                if k > j and text[k - 1] == "\\":
                    j = k + 1
                    continue
                j = k
                break
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
            continue
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
            continue
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
            continue
        if c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(c + " " * (min(j, n) - i - 1) + c)
            i = j + 1
            continue
        out.append(c)
        at_line_start = c == "\n" or (at_line_start and c in " \t")
        i += 1
    return "".join(out)


def top_statements(text):
    """(statement text, what ends it: ';' or '{', offset) of each statement at file scope; the
    body of a '{' is skipped."""
    code = strip_code(text)
    depth, start, i = 0, 0, 0
    while i < len(code):
        c = code[i]
        if c == "{":
            if depth == 0:
                yield code[start:i], "{", start
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                start = i + 1
        elif c == ";" and depth == 0:
            yield code[start:i], ";", start
            start = i + 1
        elif c == "(" and depth == 0:
            # A parameter list may hold no braces, but skip it whole all the same.
            level = 0
            while i < len(code):
                level += code[i] == "("
                level -= code[i] == ")"
                if level == 0:
                    break
                i += 1
        i += 1


def skip_call(s, i):
    """The offset after the parenthesised group that starts at s[i] ('(')."""
    level = 0
    while i < len(s):
        level += s[i] == "("
        level -= s[i] == ")"
        i += 1
        if level == 0:
            break
    return i


def without_macros(stmt):
    """The statement less __attribute__((...)) and the macro calls (NAME(...) in capitals) that
    stand at file scope before it, such as COM_TEXT(Name) that expand to whole functions."""
    while True:
        m = re.search(r"__attribute__\s*\(", stmt)
        if not m:
            break
        stmt = stmt[:m.start()] + stmt[skip_call(stmt, m.end() - 1):]
    while True:
        m = re.match(r"\s*[A-Z][A-Z0-9_]*\s*\(", stmt)
        if not m:
            return stmt
        stmt = stmt[skip_call(stmt, m.end() - 1):]


def symbol_of(stmt):
    """(name, 'function' or 'variable') declared or defined by a statement at file scope, or
    None for types, static symbols and anything else."""
    stmt = without_macros(stmt)
    words = stmt.split()
    if not words or words[0] in NOT_DECLARATIONS or "static" in words[:3]:
        return None
    head = stmt.split("=", 1)[0]
    paren = head.find("(")
    if paren >= 0:
        names = IDENT.findall(head[:paren])
        return (names[-1], "function") if names else None
    names = IDENT.findall(head.split("[", 1)[0])
    return (names[-1], "variable") if len(names) >= 2 else None


def symbols(path):
    """{name: (kind, 'declared' or 'defined', line)} of the file's symbols at file scope."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    out = {}
    for stmt, end, offset in top_statements(text):
        sym = symbol_of(stmt)
        if not sym:
            continue
        name, kind = sym
        stripped = stmt.strip()
        extern = stripped.startswith("extern")
        defined = (kind == "function" and end == "{") or (kind == "variable" and not extern)
        line = text.count("\n", 0, offset + len(stmt) - len(stmt.lstrip())) + 1
        out[name] = (kind, "defined" if defined else "declared", line)
    return out


def check_symbols(root, mods, problems):
    declared, defined = {}, {}  # name -> [(module, path, line)]
    for m, mod in mods.items():
        for path in mod["headers"] + mod["private"]:
            for name, (kind, how, line) in symbols(path).items():
                if how == "declared":
                    declared.setdefault(name, []).append((m, path, line))
        for path in mod["sources"]:
            for name, (kind, how, line) in symbols(path).items():
                if how == "defined":
                    if name not in ("main", "wmain"):
                        defined.setdefault(name, []).append((m, path, line))
                else:
                    problems.append("%s:%d: %s is declared in a source file; declare it in the "
                                    "header of the module that defines it"
                                    % (os.path.relpath(path, root), line, name))

    def where(entry):
        m, path, line = entry
        return "%s:%d (module %s, %s)" % (os.path.relpath(path, root), line, m[1],
                                         mods[m]["layer"])

    for name, decls in sorted(declared.items()):
        if len(decls) > 1:
            problems.append("%s is declared twice: %s" % (name, " and ".join(map(where, decls))))
    # Each declaration against the definitions, then each definition against the declarations.
    sides = [(declared, defined, "declares", "no source defines (delete the declaration)",
              "defines: the header of a module declares only what that module defines"),
             (defined, declared, "defines", "no header declares (make it static, or declare it "
              "in the module's header)", "declares: move the definition or the declaration so "
              "that one module has both")]
    for ours, theirs, verb, alone, elsewhere in sides:
        for name, entries in sorted(ours.items()):
            others = theirs.get(name, [])
            for e in entries:
                if not others:
                    problems.append("%s: %s %s, which %s" % (where(e), verb, name, alone))
                elif all(o[0] != e[0] for o in others):
                    problems.append("%s: %s %s, which %s %s"
                                    % (where(e), verb, name, where(others[0]), elsewhere))
    return len(declared)


def main():
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                           os.path.join(os.path.dirname(__file__), ".."))
    problems = []
    mods = modules(root, problems)
    deps = edges(root, mods, problems)
    check_directions(mods, deps, problems)
    check_names(mods, problems)
    for comp in cycles(deps):
        names = ", ".join("%s/%s" % m for m in comp)
        links = ["  %s" % deps[a][b] for a in comp for b in comp if b in deps[a]]
        problems.append("include cycle between %s:\n%s" % (names, "\n".join(links)))
    n_symbols = check_symbols(root, mods, problems)
    for p in problems:
        print("FAIL: " + p)
    counts = {layer: sum(1 for mod in mods.values() if mod["layer"] == layer)
              for layer in LAYERS + ["win"]}
    print("layers: " + ", ".join("%s %d" % kv for kv in counts.items()) +
          "; %d includes between modules; %d public symbols"
          % (sum(len(v) for v in deps.values()), n_symbols))
    print("%d passed, %d failed" % (len(mods), len(problems)) if problems else
          "%d passed, 0 failed" % len(mods))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
