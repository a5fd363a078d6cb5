#!/usr/bin/env python3
"""Fails when a shipped binary imports a DLL that is not a Known DLL.

Usage: check-imports.py OBJDUMP KNOWN_DLLS [--msi PACKAGE]... [BINARY]...

Every BINARY, and every PE file an MSI PACKAGE carries (the files it installs, extracted with
msiextract, and each stream of its Binary table, such as the custom action DLL), is read with
`OBJDUMP -p`: each DLL of its import table and of its delay-import table must be in KNOWN_DLLS
(tests/known-dlls.txt, which says why). A DLL outside that list is looked for in the folder the
program runs from before System32, so a copy of the program in a folder a user can write would
load that user's DLL; the binaries load such DLLs at run time from System32 instead. Prints one
line per binary and a closing "N passed, N failed" line."""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "wine"))
from winefw import check, finish  # noqa: E402 (the shared check counter)


def known_dlls(path):
    with open(path, encoding="utf-8") as f:
        return {l.split("#", 1)[0].strip().lower() for l in f} - {""}


def imports(objdump, path):
    """The DLLs path imports, statically or delay-loaded (objdump names both "DLL Name")."""
    out = subprocess.run([objdump, "-p", path], capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit("%s -p %s failed: %s" % (objdump, path, out.stderr.strip()))
    return sorted({l.split("DLL Name:", 1)[1].strip() for l in out.stdout.splitlines()
                   if "DLL Name:" in l})


def is_pe(path):
    with open(path, "rb") as f:
        return f.read(2) == b"MZ"


def msi_contents(msi, dest):
    """Every PE file of the package: what it installs and what its Binary table holds."""
    p = subprocess.run(["msiextract", "-C", dest, msi], capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit("msiextract %s: %s" % (msi, p.stderr.strip()))
    found = [os.path.join(root, n) for root, _, names in os.walk(dest) for n in names]
    # Exporting a table with streams writes them into ./Binary/ as well: run it inside dest.
    table = subprocess.run(["msiinfo", "export", os.path.abspath(msi), "Binary"], cwd=dest,
                           capture_output=True, text=True)
    for row in table.stdout.replace("\r", "").split("\n")[3:]:
        name = row.split("\t")[0]
        if not name:
            continue
        out = os.path.join(dest, "Binary." + name)
        with open(out, "wb") as f:
            if subprocess.run(["msiinfo", "extract", msi, "Binary." + name], stdout=f).returncode:
                raise SystemExit("msiinfo extract %s Binary.%s failed" % (msi, name))
        found.append(out)
    return [f for f in found if is_pe(f)]


def main():
    objdump, known = sys.argv[1], known_dlls(sys.argv[2])
    args, binaries, msis = sys.argv[3:], [], []
    while args:
        if args[0] == "--msi":
            msis.append(args[1])
            args = args[2:]
        else:
            binaries.append(args.pop(0))
    with tempfile.TemporaryDirectory() as tmp:
        for i, msi in enumerate(msis):
            inside = msi_contents(msi, os.path.join(tmp, str(i)))
            check(inside, "%s carries PE files (%d)" % (os.path.basename(msi), len(inside)))
            binaries += inside
        if not check(binaries, "there are binaries to check"):
            return finish()
        for path in binaries:
            dlls = imports(objdump, path)
            other = [d for d in dlls if d.lower() not in known]
            check(dlls and not other, "%s imports only Known DLLs (%s)%s"
                  % (os.path.relpath(path, tmp) if path.startswith(tmp) else os.path.basename(path),
                     ", ".join(dlls), "; not Known: " + ", ".join(other) if other else ""))
    return finish()


if __name__ == "__main__":
    sys.exit(main())
