"""Reading the exports back the way their consumers read them, for the checks of tests/policy.

PowerShell: single-quoted strings end at any of ' U+2018 U+2019 U+201A U+201B, and a doubled one
stands for itself (about_Quoting_Rules; PowerShell's tokenizer, ScanStringLiteral); a line comment
ends at CR or LF (ScanToEndOfCommentLine). cmd: a batch line is cut at CR and LF, %% stands for
%, and a netsh value is a word or a double-quoted string. The keyword tables map each consumer's
spelling back to the plan's (Windows' COM and Firewall CSP spelling)."""
import re

PS_QUOTES = "'\u2018\u2019\u201a\u201b"

# Consumer spelling (lower case) -> the plan's spelling.
PS_ADDRESS_KEYWORDS = {"localsubnet": "LocalSubnet", "dns": "DNS", "dhcp": "DHCP", "wins": "WINS",
                       "defaultgateway": "DefaultGateway", "intranet": "Intranet",
                       "intranetremoteaccess": "RmtIntranet", "internet": "Internet",
                       "playtodevice": "Ply2Renders"}
PS_PORT_KEYWORDS = {"rpc": "RPC", "rpcepmap": "RPC-EPMap", "iphttpsin": "IPHTTPSIn",
                    "iphttpsout": "IPHTTPSOut", "teredo": "Teredo", "playtodiscovery": "Ply2Disc"}
NETSH_ADDRESS_KEYWORDS = {"localsubnet": "LocalSubnet", "dns": "DNS", "dhcp": "DHCP",
                          "wins": "WINS", "defaultgateway": "DefaultGateway"}
NETSH_PORT_KEYWORDS = {"rpc": "RPC", "rpc-epmap": "RPC-EPMap", "iphttps": "IPHTTPS"}
CSP_ADDRESS_KEYWORDS = {"localsubnet": "LocalSubnet", "dns": "DNS", "dhcp": "DHCP", "wins": "WINS",
                        "defaultgateway": "DefaultGateway", "intranet": "Intranet",
                        "rmtintranet": "RmtIntranet", "internet": "Internet",
                        "ply2renders": "Ply2Renders"}
CSP_NEWER_KEYWORDS = {"Intranet", "RmtIntranet", "Internet", "Ply2Renders"}


def ps_string_at(text, i):
    """The single-quoted string starting at text[i]: (value, index after it), as PowerShell reads
    it; ValueError when text[i] is no quote or the string does not end."""
    if i >= len(text) or text[i] not in PS_QUOTES:
        raise ValueError("no string at %d" % i)
    out = []
    i += 1
    while i < len(text):
        c = text[i]
        if c in PS_QUOTES:
            if i + 1 < len(text) and text[i + 1] in PS_QUOTES:
                out.append(text[i + 1])
                i += 2
                continue
            return "".join(out), i + 1
        out.append(c)
        i += 1
    raise ValueError("string not ended")


def ps_value_at(text, i):
    """A hashtable value of the export: a string, or @(string, ...): (value, index after)."""
    if text.startswith("@(", i):
        items = []
        i += 2
        while True:
            v, i = ps_string_at(text, i)
            items.append(v)
            if text[i] == ")":
                return items, i + 1
            if text[i] != ",":
                raise ValueError("expected , or ) at %d" % i)
            i += 1
    return ps_string_at(text, i)


def ps_rule_blocks(script):
    """Each `Sync-DloRule @{ ... }` of the script as {key: value}, and the rows comment before it.
    Raises ValueError when a block is not exactly `    Key = value` lines: a string that ended
    early would leave text after its value."""
    rules = []
    pos = 0
    while True:
        start = script.find("\nSync-DloRule @{\n", pos)
        if start < 0:
            return rules
        before = script.rfind("\n", 0, start)
        comment = script[before + 1:start]
        i = start + len("\nSync-DloRule @{\n")
        block = {"#": comment if comment.startswith("# matrix rows: ") else None}
        while not script.startswith("}\n", i):
            m = re.compile(r"    (\w+) *= ").match(script, i)
            if not m:
                raise ValueError("unexpected text in a rule block: %r" % script[i:i + 60])
            value, i = ps_value_at(script, m.end())
            if script[i] != "\n":
                raise ValueError("text after the value of %s: %r" % (m.group(1), script[i:i + 60]))
            block[m.group(1)] = value
            i += 1
        rules.append(block)
        pos = i


def cmd_lines(text):
    """A batch file's lines as cmd cuts them."""
    return re.split(r"\r\n|\r|\n", text)


def netsh_args(line):
    """The key=value arguments after `netsh advfirewall firewall add|delete rule`, values
    unquoted and %% read as %; ValueError for anything else on the line."""
    m = re.match(r"netsh advfirewall firewall (add|delete) rule", line)
    if not m:
        raise ValueError("not a netsh rule command: %r" % line)
    args = []
    i = m.end()
    while i < len(line):
        a = re.compile(r' (\w+)=("([^"]*)"|[^ "]+)').match(line, i)
        if not a:
            raise ValueError("unexpected text at %d: %r" % (i, line[i:i + 40]))
        raw = a.group(3) if a.group(3) is not None else a.group(2)
        if re.search(r"%(?!%)", raw.replace("%%", "")):
            raise ValueError("a single %% in %r, which cmd would expand" % raw)
        args.append((a.group(1), raw.replace("%%", "%")))
        i = a.end()
    return m.group(1), args


def to_plan_spelling(items, keywords, address):
    """Consumer list items in the plan's spelling (keywords mapped back; 'Any' and '*' as '*')."""
    out = []
    for x in items:
        if x.lower() in ("any", "*"):
            out.append("*")
        elif address and (":" in x or x[:1].isdigit()):
            out.append(x)
        elif not address and not x[:1].isalpha():
            out.append(x)
        else:
            out.append(keywords.get(x.lower(), "UNKNOWN:" + x))
    return out


def plan_list(s):
    return ["*"] if s in ("", "*", None) else s.split(",")
