#!/usr/bin/env python3
"""The MSI's tables (read with msitools' msiinfo) against Windows Installer's own validation
rules: each ICE below is written from Microsoft's description of it (the page cited), for the
tables this package has. Microsoft's validator (Orca, msival2) needs Windows; these checks run
anywhere msitools does.

Usage: check_ice.py DLOAGENT.msi DLOAGENT.exe

DLOAGENT.exe is the build's agent: the File table must carry its VERSIONINFO. Prints one line
per check and a closing "N passed, N failed" line; exits 1 if any failed.
"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "wine"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "release"))
from winefw import check, finish  # noqa: E402 (the shared check counter)
from check_release import RT_VERSION, pe_resources, version_block, version_info  # noqa: E402

LEARN = "https://learn.microsoft.com/en-us/windows/win32/msi/"


def table(msi, name):
    """Rows of an MSI table as dicts keyed by column name; [] when the package has no such
    table."""
    if name not in subprocess.run(["msiinfo", "tables", msi], capture_output=True, text=True).stdout.split():
        return []
    out = subprocess.run(["msiinfo", "export", msi, name], capture_output=True, text=True,
                         check=True).stdout.replace("\r", "").split("\n")
    columns = out[0].split("\t")
    return [dict(zip(columns, line.split("\t"))) for line in out[3:] if line]


def properties(msi):
    return {r["Property"]: r["Value"] for r in table(msi, "Property")}


def product_version(v):
    """ProductVersion property: major.minor.build, each field a number, major and minor at most
    255, build at most 65535 (a fourth field is allowed and ignored). None if invalid."""
    fields = v.split(".") if v else []
    if not 3 <= len(fields) <= 4 or not all(f.isdigit() for f in fields):
        return None
    major, minor, build = (int(f) for f in fields[:3])
    return (major, minor, build) if major <= 255 and minor <= 255 and build <= 65535 else None


# Upgrade table attributes.
ONLY_DETECT, MIN_INCLUSIVE, MAX_INCLUSIVE = 2, 256, 512


def ice61(msi, props):
    """ICE61 (ice61): every ActionProperty not pre-authored, public, secure and unique to its
    row; VersionMax not below VersionMin; both valid product versions; no row that removes
    (not OnlyDetect) can find a version equal to or newer than this one."""
    rows = table(msi, "Upgrade")
    secure = props.get("SecureCustomProperties", "").split(";")
    mine = product_version(props.get("ProductVersion"))
    seen = [r["ActionProperty"] for r in rows]
    for r in rows:
        prop, attrs = r["ActionProperty"], int(r["Attributes"])
        what = "ICE61 (%sice61) Upgrade row %s" % (LEARN, prop)
        check(prop not in props, "%s: not pre-authored in the Property table" % what)
        check(prop == prop.upper(), "%s: a public property (no lowercase letter)" % what)
        check(prop in secure, "%s: in SecureCustomProperties" % what)
        check(seen.count(prop) == 1, "%s: used by one row only" % what)
        vmin, vmax = r["VersionMin"], r["VersionMax"]
        valid = all(product_version(v) for v in (vmin, vmax) if v)
        check(valid, "%s: VersionMin %r and VersionMax %r are product versions" % (what, vmin, vmax))
        if not valid:
            continue
        if vmin and vmax:
            check(product_version(vmax) >= product_version(vmin), "%s: VersionMax not below VersionMin" % what)
        if attrs & ONLY_DETECT:
            continue
        below = vmax and (product_version(vmax) < mine or
                          (product_version(vmax) == mine and not attrs & MAX_INCLUSIVE))
        check(bool(below) and (not vmin or product_version(vmin) < mine),
              "%s: removes only older versions than %s (VersionMin %r, VersionMax %r, "
              "Attributes %d)" % (what, props.get("ProductVersion"), vmin, vmax, attrs))


# Custom action types (Custom Action Types, Summary List of All Custom Action Types): the basic
# types by source and target, and the execution options of the in-script ones.
BASIC_TYPES = {1, 2, 5, 6, 7, 17, 18, 19, 21, 22, 23, 34, 35, 37, 38, 39, 50, 51, 53, 54}
IN_SCRIPT, ROLLBACK, COMMIT, NO_IMPERSONATE = 0x400, 0x100, 0x200, 0x800


def ice68(msi):
    """ICE68 (ice68): every custom action type is valid, and one marked elevated
    (msidbCustomActionTypeNoImpersonate) is deferred (msidbCustomActionTypeInScript), or the
    installer ignores the elevation; rollback and commit actions are in-script ones."""
    for r in table(msi, "CustomAction"):
        t = int(r["Type"])
        what = "ICE68 (%sice68) custom action %s, type %d" % (LEARN, r["Action"], t)
        check(t & 0x3F in BASIC_TYPES, "%s: a valid basic type (%d)" % (what, t & 0x3F))
        check(not t & NO_IMPERSONATE or t & IN_SCRIPT,
              "%s: marked elevated (0x800) only when deferred (0x400)" % what)
        check(not t & (ROLLBACK | COMMIT) or t & IN_SCRIPT, "%s: rollback or commit only in-script" % what)


def ice60(msi):
    """ICE60 (ice60): a file with a version that is not a font has a language, and no
    versioned file is listed in MsiFileHash."""
    fonts = {r["File_"] for r in table(msi, "Font")}
    files = {r["File"]: r for r in table(msi, "File")}
    hashed = {r["File_"] for r in table(msi, "MsiFileHash")}
    for key, r in sorted(files.items()):
        # A companion file's Version names another file, not a version.
        versioned = r["Version"] and r["Version"] not in files
        what = "ICE60 (%sice60) file %s" % (LEARN, key)
        if versioned and key not in fonts:
            check(r["Language"] != "", "%s: version %s with a language (%r)" % (what, r["Version"], r["Language"]))
        if versioned:
            check(key not in hashed, "%s: versioned, so not hashed in MsiFileHash" % what)


# Formatted columns of the tables this package uses, with the component each row belongs to.
FORMATTED = {"Registry": ("Key", "Name", "Value"),
             "ServiceInstall": ("Name", "DisplayName", "Dependencies", "StartName", "Arguments", "Description"),
             "ServiceControl": ("Name", "Arguments")}


def ice69(msi):
    """ICE69 (ice69): a [#filekey] in a formatted string names a file of the row's own
    component, and a [$componentkey] the row's own component."""
    component_of = {r["File"]: r["Component_"] for r in table(msi, "File")}
    for name, columns in sorted(FORMATTED.items()):
        for r in table(msi, name):
            for col in columns:
                for kind, key in re.findall(r"\[([#!$])([^\]]+)\]", r.get(col, "")):
                    owner = key if kind == "$" else component_of.get(key)
                    check(owner == r["Component_"],
                          "ICE69 (%sice69) %s row %s, %s: [%s%s] is of component %s, the row's is %s"
                          % (LEARN, name, r[name], col, kind, key, owner, r["Component_"]))


def ice36(msi, props):
    """ICE36 (ice36): every Icon row is used: by ARPPRODUCTICON or by a Class, ProgId or
    Shortcut."""
    used = {props.get("ARPPRODUCTICON")}
    for name in ("Class", "ProgId", "Shortcut"):
        used |= {r.get("Icon_") for r in table(msi, name)}
    for r in table(msi, "Icon"):
        check(r["Name"] in used, "ICE36 (%sice36) icon %s is used" % (LEARN, r["Name"]))


def sequence(msi, name="InstallExecuteSequence"):
    return {r["Action"]: int(r["Sequence"]) for r in table(msi, name) if r["Sequence"]}


def ice77(msi):
    """ICE77 (ice77): every in-script custom action (deferred, rollback, commit) is sequenced
    between InstallInitialize and InstallFinalize."""
    seq = sequence(msi)
    for r in table(msi, "CustomAction"):
        if int(r["Type"]) & IN_SCRIPT and r["Action"] in seq:
            check(seq["InstallInitialize"] < seq[r["Action"]] < seq["InstallFinalize"],
                  "ICE77 (%sice77) %s (%d) between InstallInitialize and InstallFinalize"
                  % (LEARN, r["Action"], seq[r["Action"]]))


# The service actions' order, as each action's page gives its sequence restrictions
# (StopServices, DeleteServices, InstallServices, StartServices and MsiConfigureServices
# actions), which ICE27 checks.
SERVICE_ORDER = ("InstallInitialize", "StopServices", "DeleteServices", "InstallFiles",
                 "InstallServices", "StartServices", "InstallFinalize")


def ice27_services(msi):
    """ICE27 (ice27), the service actions: those the install sequence holds, each after the one
    before it in SERVICE_ORDER."""
    seq = sequence(msi)
    order = [(a, seq[a]) for a in SERVICE_ORDER if a in seq]
    check(all(a[1] < b[1] for a, b in zip(order, order[1:])),
          "ICE27 (%sice27): the service actions in order %s" % (LEARN, order))


def ice24(props):
    """ICE24 (ice24): ProductCode an uppercase GUID, ProductVersion a valid version,
    ProductLanguage a numeric language ID."""
    code = props.get("ProductCode", "")
    check(re.fullmatch(r"\{[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}\}", code) is not None,
          "ICE24 (%sice24): ProductCode %s is an uppercase GUID" % (LEARN, code))
    check(product_version(props.get("ProductVersion")) is not None,
          "ICE24: ProductVersion %s is valid" % props.get("ProductVersion"))
    check(props.get("ProductLanguage", "").isdigit(), "ICE24: ProductLanguage %s is numeric" % props.get("ProductLanguage"))


def exe_language(data):
    """The language of the exe's first StringFileInfo table (its key: language, code page)."""
    _, _, children, _ = version_block(pe_resources(data, RT_VERSION)[0], 0)
    tables = [t for key, _, ts, _ in children if key == "StringFileInfo" for t in ts]
    return str(int(tables[0][0][:4], 16)) if tables else None


def file_version(msi, exe):
    """The File table's Version and Language for dloagent.exe are those of the exe it installs
    (File table: "the version string for a versioned file", and its language IDs); without them
    Windows Installer takes the file for unversioned and compares it by hash and date."""
    with open(exe, "rb") as f:
        data = f.read()
    fixed, _, _ = version_info(data)
    want = ".".join(str(n) for n in fixed)
    rows = [r for r in table(msi, "File") if r["FileName"].split("|")[-1] == "dloagent.exe"]
    check(len(rows) == 1 and rows[0]["Version"] == want and rows[0]["Language"] == exe_language(data),
          "File table (%sfile-table): dloagent.exe has the exe's version %s and language %s (%s)"
          % (LEARN, want, exe_language(data), [(r["Version"], r["Language"]) for r in rows]))


def main():
    msi, exe = sys.argv[1], sys.argv[2]
    props = properties(msi)
    ice24(props)
    ice27_services(msi)
    ice36(msi, props)
    ice60(msi)
    ice61(msi, props)
    ice68(msi)
    ice69(msi)
    ice77(msi)
    file_version(msi, exe)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
