#!/usr/bin/env python3
"""Checks the release artefacts as they are built, read from the files themselves.

Usage:
  check_release.py version VERSION DLOAGENT.exe DLOAGENT.msi NEXT.msi [RUNNER...]
  check_release.py signed CAFILE OBJDUMP DLOAGENT.msi NEXT.msi BINARY...

version: the one project version VERSION (CMake's) is in the exe's VERSIONINFO (fixed part and
strings), its manifest's assemblyIdentity, `/version` and `/version /json` (run through RUNNER,
e.g. wine), the MSI's ProductVersion and the VERSIONINFO of the exe inside the MSI; NEXT.msi,
the upgrade test's package, carries the same exe with a higher ProductVersion.

signed: each BINARY (the first is dloagent.exe) has an Authenticode signature that
`osslsigncode verify` accepts with CAFILE as trust anchor, no debug sections, and a
.gnu_debuglink naming BINARY.debug beside it, which holds the debug information and matches
the link's CRC; both MSIs are signed; the dloagent.exe inside each MSI is the signed build,
at most 768 KiB; the custom action DLL in the Binary table is signed.

Prints one line per check and a closing "N passed, N failed" line; exits 1 if any failed.
"""
import json
import os
import re
import struct
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "wine"))
from winefw import check, finish  # noqa: E402 (the shared check counter)

# An unstripped exe is several MiB; the stripped one is about 530 KiB with host names, plan
# comparison and drift attribution, so this bound catches the debug information, not growth.
MAX_EXE_BYTES = 768 * 1024
RT_VERSION = 16
RT_MANIFEST = 24


def run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True)


# --- PE resources -----------------------------------------------------------------------------

def pe_resources(data, rtype):
    """The data of every resource of type rtype (numeric), in directory order."""
    pe = struct.unpack_from("<I", data, 0x3C)[0]
    if data[pe:pe + 4] != b"PE\0\0":
        raise ValueError("not a PE file")
    nsections, _, _, _, optsize = struct.unpack_from("<HIIIH", data, pe + 6)
    opt = pe + 24
    magic = struct.unpack_from("<H", data, opt)[0]
    dirs = opt + (112 if magic == 0x20B else 96)
    rsrc_rva = struct.unpack_from("<I", data, dirs + 2 * 8)[0]
    sections = []
    for i in range(nsections):
        s = opt + optsize + 40 * i
        vsize, va, rawsize, raw = struct.unpack_from("<IIII", data, s + 8)
        sections.append((va, max(vsize, rawsize), raw))

    def offset(rva):
        for va, size, raw in sections:
            if va <= rva < va + size:
                return rva - va + raw
        raise ValueError("RVA %#x is in no section" % rva)

    base = offset(rsrc_rva)

    def entries(off):
        named, ids = struct.unpack_from("<HH", data, base + off + 12)
        for i in range(named + ids):
            name, target = struct.unpack_from("<II", data, base + off + 16 + 8 * i)
            yield name, target

    found = []
    for name, target in entries(0):
        if name == rtype and target & 0x80000000:
            for _, t2 in entries(target & 0x7FFFFFFF):
                for _, leaf in entries(t2 & 0x7FFFFFFF):
                    rva, size = struct.unpack_from("<II", data, base + leaf)
                    found.append(data[offset(rva):offset(rva) + size])
    return found


def version_block(data, off):
    """One VERSIONINFO block: (key, value bytes, children, end offset)."""
    length, value_len, vtype = struct.unpack_from("<HHH", data, off)
    end = off + length
    key_end = off + 6
    while data[key_end:key_end + 2] != b"\0\0":
        key_end += 2
    key = data[off + 6:key_end].decode("utf-16-le")
    pos = (key_end + 2 + 3) & ~3
    value = data[pos:pos + (value_len * 2 if vtype == 1 else value_len)]
    pos = (pos + len(value) + 3) & ~3
    children = []
    while pos < end:
        child = version_block(data, pos)
        children.append(child)
        pos = (child[3] + 3) & ~3
    return key, value, children, end


def version_info(data):
    """(file version tuple, product version tuple, {string name: value}) of a PE."""
    res = pe_resources(data, RT_VERSION)
    if not res:
        raise ValueError("no VERSIONINFO resource")
    key, fixed, children, _ = version_block(res[0], 0)
    sig, _, fms, fls, pms, pls = struct.unpack_from("<IIIIII", fixed, 0)
    if key != "VS_VERSION_INFO" or sig != 0xFEEF04BD:
        raise ValueError("malformed VERSIONINFO (%s, signature %#x)" % (key, sig))
    strings = {}
    for ckey, _, tables, _ in children:
        if ckey == "StringFileInfo":
            for _, _, items, _ in tables:
                for name, value, _, _ in items:
                    strings[name] = value.decode("utf-16-le").rstrip("\0")
    split = lambda ms, ls: (ms >> 16, ms & 0xFFFF, ls >> 16, ls & 0xFFFF)
    return split(fms, fls), split(pms, pls), strings


def manifest_version(data):
    res = pe_resources(data, RT_MANIFEST)
    if not res:
        raise ValueError("no manifest resource")
    ident = ET.fromstring(res[0]).find("{urn:schemas-microsoft-com:asm.v1}assemblyIdentity")
    return None if ident is None else ident.get("version")


# --- MSI --------------------------------------------------------------------------------------

def msi_property(msi, name):
    out = run(["msiinfo", "export", msi, "Property"]).stdout.replace("\r", "")
    for line in out.split("\n")[3:]:
        if line.split("\t")[0] == name:
            return line.split("\t", 1)[1]
    return None


def msi_exe(msi, tmp):
    """The dloagent.exe the MSI installs, extracted into tmp (None if there is none)."""
    dest = tempfile.mkdtemp(dir=tmp)
    p = run(["msiextract", "-C", dest, msi])
    if p.returncode != 0:
        print("msiextract %s: %s" % (msi, p.stderr.strip()))
        return None
    for root, _, files in os.walk(dest):
        if "dloagent.exe" in files:
            return os.path.join(root, "dloagent.exe")
    return None


def check_version(args):
    version, exe, msi, next_msi, runner = args[0], args[1], args[2], args[3], args[4:]
    want = tuple(int(x) for x in version.split(".")) + (0,)
    with open(exe, "rb") as f:
        data = f.read()
    fixed_file, fixed_product, strings = version_info(data)
    check(fixed_file == want, "VERSIONINFO FILEVERSION is %s (%s)" % (version, fixed_file))
    check(fixed_product == want, "VERSIONINFO PRODUCTVERSION is %s (%s)" % (version, fixed_product))
    for name in ("FileVersion", "ProductVersion"):
        check(strings.get(name) == version, "VERSIONINFO %s is %s (%s)" % (name, version, strings.get(name)))
    mv = manifest_version(data)
    check(mv == version + ".0", "the manifest's assemblyIdentity version is %s.0 (%s)" % (version, mv))

    p = run(runner + [exe, "/version"])
    check(p.returncode == 0 and p.stdout.strip() == "dloagent " + version,
          "/version prints 'dloagent %s' (%r, exit %d)" % (version, p.stdout.strip(), p.returncode))
    p = run(runner + [exe, "/version", "/json"])
    try:
        reported = json.loads(p.stdout).get("version")
    except ValueError:
        reported = None
    check(reported == version, "/version /json says %s (%r)" % (version, p.stdout.strip()))

    pv = msi_property(msi, "ProductVersion")
    check(pv == version, "the MSI's ProductVersion is %s (%s)" % (version, pv))
    nv = msi_property(next_msi, "ProductVersion") or "0"
    check(tuple(int(x) for x in nv.split(".")) > want[:3],
          "NEXT.msi has a higher ProductVersion than %s (%s)" % (version, nv))
    with tempfile.TemporaryDirectory() as tmp:
        for package in (msi, next_msi):
            inside = msi_exe(package, tmp)
            if check(inside is not None, "%s holds dloagent.exe" % os.path.basename(package)):
                with open(inside, "rb") as f:
                    fv = version_info(f.read())[0]
                check(fv == want, "the exe in %s has FILEVERSION %s (%s)" % (os.path.basename(package), version, fv))
    return finish()


# --- signatures, stripping --------------------------------------------------------------------

def verify_signature(path, cafile, what):
    p = run(["osslsigncode", "verify", "-CAfile", cafile, "-in", path])
    ok = p.returncode == 0 and "Signature verification: ok" in p.stdout
    if not ok:
        print((p.stdout + p.stderr).strip()[-600:])
    return check(ok, "%s has a valid Authenticode signature (osslsigncode verify)" % what)


def debuglink(objdump, path):
    """(file name, CRC) of a PE's .gnu_debuglink, or None."""
    p = run([objdump, "-s", "-j", ".gnu_debuglink", path])
    raw = b""
    for line in p.stdout.split("\n"):
        m = re.match(r"^ [0-9a-f]+ ((?:[0-9a-f]{2,8} ){1,4})", line + " ")
        if m:
            raw += bytes.fromhex(m.group(1).replace(" ", ""))
    if not raw or b"\0" not in raw:
        return None
    name = raw[:raw.index(b"\0")].decode()
    return name, struct.unpack_from("<I", raw, len(raw) - 4)[0]


def sections(objdump, path):
    out = run([objdump, "-h", path]).stdout
    return re.findall(r"^\s*\d+\s+(\S+)\s", out, re.M)


def check_binary(objdump, cafile, path):
    name = os.path.basename(path)
    verify_signature(path, cafile, name)
    names = sections(objdump, path)
    debug = [s for s in names if s.startswith(".debug")]
    check(names and not debug, "%s is stripped (debug sections: %s)" % (name, debug or "none"))
    link = debuglink(objdump, path)
    dbg = path + ".debug"
    if check(link is not None and link[0] == os.path.basename(dbg),
             "%s links its debug information in %s (%s)" % (name, os.path.basename(dbg), link)):
        exists = os.path.isfile(dbg)
        with open(dbg, "rb") if exists else open(os.devnull, "rb") as f:
            crc = zlib.crc32(f.read()) & 0xFFFFFFFF
        check(exists and crc == link[1], "%s is there and matches the link's CRC" % os.path.basename(dbg))
        check(exists and ".debug_info" in sections(objdump, dbg),
              "%s holds the debug information" % os.path.basename(dbg))


def check_signed(args):
    cafile, objdump, msi, next_msi, binaries = args[0], args[1], args[2], args[3], args[4:]
    for path in binaries:
        check_binary(objdump, cafile, path)
    exe = binaries[0]
    with open(exe, "rb") as f:
        built = f.read()
    with tempfile.TemporaryDirectory() as tmp:
        for package in (msi, next_msi):
            pname = os.path.basename(package)
            verify_signature(package, cafile, pname)
            inside = msi_exe(package, tmp)
            if not check(inside is not None, "%s holds dloagent.exe" % pname):
                continue
            size = os.path.getsize(inside)
            check(size <= MAX_EXE_BYTES, "the dloagent.exe in %s is at most %d bytes (%d)" % (pname, MAX_EXE_BYTES, size))
            verify_signature(inside, cafile, "the dloagent.exe in " + pname)
            with open(inside, "rb") as f:
                check(f.read() == built, "the dloagent.exe in %s is the build's %s" % (pname, exe))
            dll = os.path.join(tmp, pname + ".dll")
            with open(dll, "wb") as f:
                p = subprocess.run(["msiinfo", "extract", package, "Binary.DloCustomActions"], stdout=f)
            if check(p.returncode == 0, "%s has the custom action DLL in its Binary table" % pname):
                verify_signature(dll, cafile, "the custom action DLL in " + pname)
    return finish()


def main():
    if len(sys.argv) >= 6 and sys.argv[1] == "version":
        return check_version(sys.argv[2:])
    if len(sys.argv) >= 7 and sys.argv[1] == "signed":
        return check_signed(sys.argv[2:])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
