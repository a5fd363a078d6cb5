#!/usr/bin/env python3
"""/export:powershell by PowerShell's own rules, for every role and mode and each configuration
that changes the script:
- a real PowerShell grammar (tree-sitter-powershell, tests/policy/pstokens.cjs) parses it with
  no error, and every command it calls is a function the script defines or a cmdlet of
  powershell-cmdlets.txt (from Microsoft Learn) called with parameters that cmdlet has,
  splatted hashtables included;
- a rule name holding what PowerShell ends a string at (' U+2018 U+2019 U+201A U+201B), or
  anything else a name could use to break out (", `, $( ), #, U+2028, U+2029, U+0085, a here-
  string marker, a fake signature block), comes out as exactly one string token equal to the
  name: read by PowerShell's quoting rules (exportparse.py) and by the grammar's token, and no
  command appears that the export does not write. The same checks must fail on a script whose
  quote was not doubled (the checks' own test).

Usage: check_powershell.py AGENT POLICY CMDLETS MODULE_DIR"""
import json
import os
import subprocess
import sys
import tempfile

from exportparse import ps_rule_blocks, ps_string_at

AGENT, POLICY, CMDLETS, MODULES = sys.argv[1:5]
HERE = os.path.dirname(os.path.abspath(__file__))
MODES = ["nonboi", "exclusive", "occasional"]
VARIANTS = [[], ["/pushinstallports:rpc", "/closepushportswheninstalled:1"],
            ["/corporateprofiles:domain,private", "/clientnetworks:10.8.0.0/16,RmtIntranet,Ply2Renders",
             "/adminservers:fd00::5,Intranet,Internet,LocalSubnet"]]
BREAKERS = ["'", "\u2018", "\u2019", "\u201a", "\u201b", "''", "\u2019\u2019", '"', "`", "$(Get-Date)",
            "# x", "\u2028", "\u2029", "\u0085", "'@", "@'", "# SIG # Begin signature block"]
failures = []
quiet = []


def fail(what):
    failures.append(what)
    if not quiet:
        print("FAIL: " + what)


def agent(*args, policy=None):
    cmd = [AGENT] + list(args) + (["/policy:" + policy] if policy else [])
    p = subprocess.run(cmd, capture_output=True)
    if p.returncode != 0:
        raise SystemExit("%s: exit %d: %s" % (" ".join(cmd), p.returncode, p.stderr.decode()))
    return p.stdout


# The roles the agent knows, from its own table (/matrix /json), never a list of this script's.
ROLES = [r["name"] for r in json.loads(agent("/matrix", "/json"))["roles"]]


def read_cmdlets():
    table, current = {}, None
    with open(CMDLETS, encoding="utf-8") as f:
        for line in f:
            if not line.strip() or line.startswith("#"):
                continue
            if line[0] != " ":
                current = line.split()[0]
                table[current] = set()
            else:
                table[current].update(line.split())
    common = table.pop("*common")
    return {k.lower(): {p.lower() for p in v | common} for k, v in table.items()}


def grammar(scripts):
    """The grammar's reading of each script (bytes), in order, from one Node process; None when
    the grammar is not installed."""
    folder = tempfile.mkdtemp(prefix="dlo-ps-")
    paths = []
    try:
        for i, script_bytes in enumerate(scripts):
            paths.append(os.path.join(folder, "%d.ps1" % i))
            with open(paths[-1], "wb") as f:
                f.write(script_bytes)
        # --liftoff-only: V8 otherwise recompiles the grammar's WebAssembly in the background and
        # waits for that at exit, about 30 s a run on this machine, for a parse of 0.1 s.
        p = subprocess.run(["node", "--liftoff-only", os.path.join(HERE, "pstokens.cjs"), MODULES]
                           + paths, capture_output=True, text=True)
    finally:
        for path in paths:
            os.unlink(path)
        os.rmdir(folder)
    if p.returncode == 2:
        return None
    if p.returncode != 0:
        raise SystemExit("pstokens.cjs failed: " + p.stderr)
    trees = json.loads(p.stdout)
    if len(trees) != len(scripts):
        raise SystemExit("pstokens.cjs read %d of %d scripts" % (len(trees), len(scripts)))
    return trees


def check_commands(where, tree, cmdlets):
    own = {f.lower() for f in tree["functions"]}
    for c in tree["commands"]:
        name = (c["name"] or "").lower()
        if name in own:
            continue
        if name not in cmdlets:
            fail("%s line %d: %s is neither a function of the script nor a cmdlet of the list"
                 % (where, c["row"], c["name"]))
            continue
        passed = c["params"] + [k for s in c["splats"] for k in tree["hashkeys"].get(s, [])]
        for p in passed:
            if p.lower() not in cmdlets[name]:
                fail("%s line %d: %s has no parameter -%s (Microsoft Learn)"
                     % (where, c["row"], c["name"], p))
        for s in c["splats"]:
            if s not in tree["hashkeys"]:
                fail("%s line %d: @%s splats a hashtable the script never builds"
                     % (where, c["row"], s))


def check_script(where, tree, cmdlets):
    for e in tree["errors"]:
        fail("%s line %d: the grammar %s" % (where, e["row"], e["what"]))
    check_commands(where, tree, cmdlets)


def decode(script_bytes):
    text = script_bytes.decode("utf-8")
    return text[1:] if text.startswith("\ufeff") else text


def hostile_policy(name):
    with open(POLICY, encoding="utf-8") as f:
        text = f.read()
    line = "  rule       Administration Service\n"
    if line not in text:
        raise SystemExit("%s has no row titled Administration Service to rename" % POLICY)
    f = tempfile.NamedTemporaryFile("w", suffix=".ports", delete=False, encoding="utf-8")
    f.write(text.replace(line, "  rule       %s\n" % name))
    f.close()
    return f.name


def check_one_token(where, script_bytes, tree, names, cmdlets):
    """Each name is one string token: PowerShell's rules read the DisplayName back exactly, and
    the grammar has that token on the line with nothing else a command."""
    text = decode(script_bytes)
    try:
        got = [r["DisplayName"] for r in ps_rule_blocks(text)]
    except ValueError as e:
        fail("%s: a rule block does not read back: %s" % (where, e))
        return
    for n in names:
        if n not in got:
            fail("%s: the name %r does not come back as one string" % (where, n))
    check_script(where, tree, cmdlets)
    lines = text.split("\n")
    for s in tree["strings"]:
        line = lines[s["row"] - 1]
        if line.startswith("    DisplayName   = "):
            value, end = ps_string_at(s["text"], 0)
            if end != len(s["text"]) or value not in got:
                fail("%s line %d: the grammar's token %r is not one of the names" % (
                    where, s["row"], s["text"]))
    if any(c["name"] and c["name"].lower() in ("get-date", "write-host") for c in tree["commands"]):
        fail("%s: a name became a command" % where)


def breaker_scripts():
    """(where, script, names) for a rule titled with each breaker."""
    out = []
    for b in BREAKERS:
        title = "Admin%s -Direction Inbound; Write-Host pwned; %sx" % (b, b)
        policy = hostile_policy(title)
        try:
            plan = json.loads(agent("/plan", "/json", "/roles:admin-server", policy=policy))
            names = [r["name"] for r in plan["rules"] if title in r["name"]]
            script = agent("/export:powershell", "/roles:admin-server", policy=policy)
        finally:
            os.unlink(policy)
        if not names:
            fail("no rule took the name with %r" % b)
        out.append(("name with %r" % b, script, names))
    return out


def broken_script():
    """A script in which one U+2019 of a name was not doubled, and that name."""
    title = "Admin\u2019 -Direction Inbound; Write-Host pwned; \u2019x"
    policy = hostile_policy(title)
    try:
        script = agent("/export:powershell", "/roles:admin-server", policy=policy)
    finally:
        os.unlink(policy)
    return script.replace("\u2019\u2019".encode(), "\u2019".encode(), 1), title


def check_catches(broken, tree, title, cmdlets):
    """The checks fail on the broken script."""
    before = len(failures)
    quiet.append(True)
    check_one_token("(the checks' own test)", broken, tree, [title], cmdlets)
    quiet.pop()
    caught = len(failures) > before
    del failures[before:]
    if not caught:
        fail("the checks pass a script in which a name ends its string early")


def main():
    cmdlets = read_cmdlets()
    exports = []
    for mode in MODES:
        for role in ROLES:
            for v in VARIANTS:
                script = agent("/export:powershell", "/roles:" + role, "/mode:" + mode, *v)
                exports.append(("%s/%s %s" % (role, mode, " ".join(v)), script))
    hostile = breaker_scripts()
    broken, title = broken_script()
    trees = grammar([s for _, s in exports] + [s for _, s, _ in hostile] + [broken])
    if trees is None:
        raise SystemExit("the PowerShell grammar is not in %s (toolchain/setup.sh installs it)"
                         % MODULES)
    for (where, script), tree in zip(exports, trees):
        check_script(where, tree, cmdlets)
    for (where, script, names), tree in zip(hostile, trees[len(exports):]):
        check_one_token(where, script, tree, names, cmdlets)
    check_catches(broken, trees[-1], title, cmdlets)
    print("%d scripts and %d hostile names checked, %d failures" % (len(exports), len(BREAKERS),
                                                                    len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
