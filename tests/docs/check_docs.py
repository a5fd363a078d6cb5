#!/usr/bin/env python3
"""Every switch, configuration value, MSI property and event ID the code knows is documented
once, in the document that owns it, and the documents name none the code lacks.

Usage: check_docs.py [--catches] SOURCE_DIR DLOAGENT_HOST CONFIG_ITEMS

What the code knows is read from the code: the switches from `dloagent-host /help` (the
command-line tables), the values from config_items (the configuration rows) and the installer
key's reads in agent/, the MSI properties from installer/dloagent.wxs (checked against the rows),
the event IDs from include/dlo/log.h and agent/win/dloagent.mc (which must agree).

The documents are README.md, CONTRIBUTING.md and docs/*.md. An item is *defined* by a row of a
table with its owner's header (OWNERS below), naming it in the first cell: each item must have
exactly one such row, in its owner's document, and every such row must name items the code
has. Other mentions may stand anywhere, but the switches on a dloagent command line, the event
IDs after "event" and the properties on an msiexec command line must exist too. Every relative
link of every Markdown file of the repository must reach a file and, in Markdown, a heading.
README.md stays within README_MAX_LINES.

--catches runs the same checks on copies of the documents with one planted mistake each, and
fails unless every copy fails for the reason planted."""
import glob
import json
import os
import re
import subprocess
import sys

README_MAX_LINES = 300

# kind: (owner document, the headers of its defining tables, what a first-cell item looks like)
OWNERS = {
    "switch": ("README.md", [("command", "what it does"), ("option", "what it does")],
               r"`(/[A-Za-z?]+)[^`]*`"),
    "value": ("docs/configuration.md", [("value", "type", "what it is", "default", "switch")],
              r"`([A-Z][A-Za-z]+)`"),
    "property": ("docs/msi.md", [("property", "registry value", "type")], r"`([A-Z][A-Z0-9]+)`"),
    "event": ("docs/events.md", [("id", "level", "meaning")], r"^\s*(\d{4})\s*$"),
}

# Windows Installer's own properties an msiexec line of the documents may set (Microsoft Learn,
# "Property Reference"): not the agent's, so not in its package's rows.
MSI_OWN = {"REMOVE", "REINSTALL", "REINSTALLMODE", "ADDLOCAL", "TRANSFORMS"}


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def known_switches(host):
    """The switch names /help lists ("plan", "export", "?"), lower case."""
    out = subprocess.run([host, "/help"], capture_output=True, text=True, check=True).stdout
    return {m.group(1).lower() for m in re.finditer(r"^  /([A-Za-z?]+)", out, re.M)}


def known_values(src, items):
    """The configuration rows' names, and the other values the agent reads from its key."""
    names = {v["name"] for v in items["values"]}
    for path in glob.glob(os.path.join(src, "agent", "**", "*.c"), recursive=True):
        names |= set(re.findall(r'DLO_CONFIG_KEY_INSTALLER,\s*"(\w+)"', read(path)))
    return names


def known_properties(src, items, errors):
    """The properties the package writes into the configuration key, as the rows name them."""
    wxs = read(os.path.join(src, "installer", "dloagent.wxs"))
    props = set(re.findall(r'Key="\$\(var\.ConfigKey\)"[^>]*Value="#?\[(\w+)\]"', wxs))
    rows = {v["msi"] for v in items["values"] if v.get("msi")}
    if props != rows:
        errors.append("installer/dloagent.wxs writes the properties %s, the configuration rows "
                      "name %s" % (sorted(props), sorted(rows)))
    return props


def known_events(src, errors):
    log_h = read(os.path.join(src, "include", "dlo", "log.h"))
    ids_h = {int(n) for n in re.findall(r"^\s*DLO_EV_[A-Z_]+ = (\d+),", log_h, re.M)} - {0}
    ids_mc = {int(n) for n in re.findall(r"^MessageId=(\d+)", read(os.path.join(
        src, "agent", "win", "dloagent.mc")), re.M)}
    if not ids_h or ids_h != ids_mc:
        errors.append("the event IDs of include/dlo/log.h %s and agent/win/dloagent.mc %s differ"
                      % (sorted(ids_h), sorted(ids_mc)))
    return {str(n) for n in ids_h}


def known(src, host, items_exe):
    errors = []
    items = json.loads(subprocess.run([items_exe], capture_output=True, text=True,
                                      check=True).stdout)
    return {"switch": known_switches(host), "value": known_values(src, items),
            "property": known_properties(src, items, errors),
            "event": known_events(src, errors)}, errors


def documents(src):
    """{relative path: text} of the documents the owners and mentions are checked in."""
    paths = ["README.md", "CONTRIBUTING.md"] + sorted(
        os.path.relpath(p, src) for p in glob.glob(os.path.join(src, "docs", "*.md")))
    return {p: read(os.path.join(src, p)) for p in paths if os.path.exists(os.path.join(src, p))}


def cells(line):
    return [c.strip() for c in re.split(r"(?<!\\)\|", line.strip().strip("|"))]


def tables(text):
    """(header cells in lower case, [(line number, first cell)]) of each table outside code."""
    found, header, fence = [], None, False
    for n, line in enumerate(text.split("\n"), 1):
        fence = fence != line.startswith("```")
        if fence or not line.startswith("|"):
            header = None
        elif header is None:
            header = tuple(c.lower() for c in cells(line))
            found.append((header, []))
        elif not re.match(r"^\|[-:| ]+\|$", line.strip()):
            found[-1][1].append((n, cells(line)[0]))
    return found


def definitions(docs, kind):
    """{item: [(document, line)]} of the defining rows of kind in every document."""
    _, headers, pattern = OWNERS[kind]
    defs = {}
    for path, text in docs.items():
        for header, rows in tables(text):
            if header not in headers:
                continue
            for n, first in rows:
                # What a parenthesis adds to the name ("(`MSSQLSERVER` or ...)") defines nothing.
                for m in re.finditer(pattern, re.sub(r"\([^)]*\)", "", first)):
                    name = m.group(1).lower().lstrip("/") if kind == "switch" else m.group(1)
                    defs.setdefault(name, []).append((path, n))
    return defs


def check_owner(docs, kind, names):
    owner = OWNERS[kind][0]
    defs, errors = definitions(docs, kind), []
    for name in sorted(names):
        where = defs.get(name, [])
        if len(where) != 1 or where[0][0] != owner:
            errors.append("%s %s: defined %d times (%s); expected once, in a table of %s" % (
                kind, name, len(where), ", ".join("%s:%d" % w for w in where) or "nowhere", owner))
    for name, where in sorted(defs.items()):
        if name not in names:
            errors.append("%s:%d: the %s %s is not in the code" % (where[0] + (kind, name)))
    return errors


def outside_fences(text):
    """(prose with the fenced blocks blanked, the fenced lines), line numbers kept."""
    prose, code, fence = [], [], False
    for line in text.split("\n"):
        toggle = line.startswith("```")
        fence = fence != toggle
        inside = fence or toggle
        prose.append("" if inside else line)
        code.append(line if inside else "")
    return "\n".join(prose), "\n".join(code)


def line_of(text, pos):
    return text.count("\n", 0, pos) + 1


def switch_mentions(text):
    """(line, name) of each switch on a dloagent command line: a code span that starts with a
    switch or with dloagent, or a code block line that runs it."""
    prose, code = outside_fences(text)
    spans = [(line_of(prose, m.start()), m.group(1))
             for m in re.finditer(r"`([^`\n]+(?:\n[^`\n]+)?)`", prose)]
    for m in re.finditer(r"^.*\bdloagent(?:\.exe|-host)? .*$", code, re.M):
        spans.append((line_of(code, m.start()), m.group(0)[m.group(0).index("dloagent"):]))
    for n, span in spans:
        if not re.match(r"(/[A-Za-z?]|dloagent(\.exe|-host)? )", span):
            continue
        for m in re.finditer(r"(?:^|(?<=\s))/([A-Za-z?]+)(?=[:=\s`]|$)", span):
            yield n, m.group(1).lower()


# The agent numbers its events 1000-1999 (include/dlo/log.h); the docs also quote the firewall's
# own events (2004-2099, Security's 4946-4948) that attribution reads, which are not the agent's.
AGENT_EVENT = re.compile(r"^1\d{3}$")


def event_mentions(text):
    for m in re.finditer(r"\b[Ee]vents?\s+((?:\d{4}(?:,\s*|\s+and\s+|\s+or\s+)?)+)", text):
        for n in re.findall(r"\d{4}", m.group(1)):
            if AGENT_EVENT.match(n):
                yield line_of(text, m.start()), n
    for header, rows in tables(text):
        if header and header[0] in ("event", "id"):
            for n, first in rows:
                for num in re.findall(r"\b(\d{4})\b", first):
                    yield n, num


def property_mentions(text):
    for m in re.finditer(r"^.*\bmsiexec\b.*$", text, re.M):
        for name in re.findall(r"\b([A-Z][A-Z0-9]+)=", m.group(0)):
            yield line_of(text, m.start()), name


def check_mentions(docs, names):
    errors = []
    for path, text in docs.items():
        for kind, found, extra in (("switch", switch_mentions(text), set()),
                                   ("event", event_mentions(text), set()),
                                   ("property", property_mentions(text), MSI_OWN)):
            for n, name in found:
                if name not in names[kind] and name not in extra:
                    errors.append("%s:%d: names the %s %s, which the code lacks" % (
                        path, n, kind, name))
    return errors


def slug(heading):
    """GitHub's anchor of a heading: lower case, punctuation dropped, blanks to hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower().replace("`", ""))
    return text.replace(" ", "-")


def anchors(text):
    seen, out = {}, set()
    for line in outside_fences(text)[0].split("\n"):
        m = re.match(r"^#{1,6} (.*)$", line)
        if m:
            base = slug(m.group(1))
            out.add(base if base not in seen else "%s-%d" % (base, seen[base]))
            seen[base] = seen.get(base, 0) + 1
    return out


def markdown_files(src):
    out = []
    for top, dirs, files in os.walk(src):
        dirs[:] = [d for d in dirs if d not in (".git", "build", "node_modules")]
        out += [os.path.relpath(os.path.join(top, f), src) for f in files if f.endswith(".md")]
    return sorted(out)


def check_links(src, docs):
    """Every relative link reaches a file, and a heading of it when it names one."""
    errors, texts = [], {}
    for path in markdown_files(src):
        texts[path] = docs.get(path) or read(os.path.join(src, path))
    texts.update(docs)
    for path, text in sorted(texts.items()):
        prose = outside_fences(text)[0]
        for m in re.finditer(r"\]\(([^)\s]+)\)", prose):
            target = m.group(1)
            if re.match(r"[a-z]+:", target):
                continue
            file, _, anchor = target.partition("#")
            dest = os.path.normpath(os.path.join(os.path.dirname(path), file)) if file else path
            where = "%s:%d: link %s" % (path, line_of(text, m.start()), target)
            if not os.path.exists(os.path.join(src, dest)) and dest not in texts:
                errors.append("%s: no file %s" % (where, dest))
            elif anchor and dest.endswith(".md") and anchor not in anchors(texts.get(dest, "")):
                errors.append("%s: %s has no heading #%s" % (where, dest, anchor))
    return errors


def check(src, docs, names):
    errors = []
    for kind in OWNERS:
        errors += check_owner(docs, kind, names[kind])
    errors += check_mentions(docs, names)
    errors += check_links(src, docs)
    lines = docs.get("README.md", "").count("\n")
    if lines > README_MAX_LINES:
        errors.append("README.md has %d lines; at most %d: move the detail into docs/" % (
            lines, README_MAX_LINES))
    return errors


def planted(docs):
    """(what is planted, the error it must cause, the documents with it)."""
    def edit(path, old, new):
        out = dict(docs)
        if old not in out[path]:
            raise SystemExit("FAIL: cannot plant in %s: %r is not there" % (path, old))
        out[path] = out[path].replace(old, new, 1)
        return out
    strict = "| `/strict` |"
    strict_row = next(l for l in docs["README.md"].split("\n") if l.startswith(strict))
    boimode_row = next(l for l in docs["docs/configuration.md"].split("\n")
                       if l.startswith("| `BOIMode` |"))
    return [
        ("a switch defined twice", "switch strict: defined 2 times",
         edit("README.md", strict_row, strict_row + "\n" + strict_row)),
        ("a switch the code lacks", "the switch frobnicate is not in the code",
         edit("README.md", strict_row, strict_row + "\n| `/frobnicate` | nothing |")),
        ("a switch on a command line", "names the switch frob, which the code lacks",
         edit("docs/probe.md", "\n```\n", "\n```\n> dloagent.exe /probe /frob\n")),
        ("a value without its row", "value BOIMode: defined 0 times",
         edit("docs/configuration.md", boimode_row + "\n", "")),
        ("a value the code lacks", "the value NoSuchValue is not in the code",
         edit("docs/configuration.md", boimode_row, boimode_row +
              "\n| `NoSuchValue` | `REG_SZ` | nothing | none | none |")),
        ("a property the code lacks", "the property NOSUCHPROPERTY is not in the code",
         edit("docs/msi.md", "| `BOIMODE` |", "| `NOSUCHPROPERTY` | `BOIMode` | `REG_SZ` |\n"
              "| `BOIMODE` |")),
        ("a property on an msiexec line", "names the property NOSUCHPROPERTY",
         edit("docs/msi.md", "msiexec /i dloagent.msi /qn BOIMODE=occasional",
              "msiexec /i dloagent.msi /qn NOSUCHPROPERTY=1")),
        ("an event without its row", "event 1502: defined 0 times",
         edit("docs/events.md", "\n| 1502 |", "\n| 15O2 |")),
        ("an event the code lacks", "names the event 1234, which the code lacks",
         edit("docs/service.md", "\n\n", "\n\nThe service logs event 1234.\n\n")),
        ("a link to no heading", "has no heading #no-such-heading",
         edit("README.md", "](docs/msi.md)", "](docs/msi.md#no-such-heading)")),
        ("a README too long", "README.md has",
         edit("README.md", "\n## ", "\n" + "text\n" * README_MAX_LINES + "\n## ")),
    ]


def catches(src, docs, names):
    failed = 0
    for what, want, copy in planted(docs):
        errors = check(src, copy, names)
        hit = [e for e in errors if want in e]
        print("%s %s: %s" % ("caught" if hit else "FAIL: missed", what, hit[0] if hit else want))
        failed += not hit
    return failed


def main(argv):
    catch = argv[:1] == ["--catches"]
    src, host, items = argv[1:] if catch else argv
    names, errors = known(src, host, items)
    docs = documents(src)
    if catch:
        return 1 if errors or catches(src, docs, names) else 0
    errors += check(src, docs, names)
    for e in errors:
        print("FAIL: " + e)
    if not errors:
        print("documented once each: %s" % ", ".join(
            "%s %d" % (k, len(names[k])) for k in OWNERS))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
