/* One firewall rule as Windows keeps it in its local store: the rule-string format of
 * MS-GPFAS 2.2.2.19 ("v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=3999|...|"),
 * and the validation INetFwRule applies to each property when it is set.
 *
 * Plain C on wchar_t strings (UTF-16 under Windows, as the registry holds them), no windows.h,
 * so the format can be read and tested apart from COM and the registry.
 *
 * Fields the model does not know are kept verbatim, in their order, and written back after the
 * modelled ones: a rule planted by a test with fields this double ignores survives being
 * rewritten. */
#ifndef FWDOUBLE_FWRULE_H
#define FWDOUBLE_FWRULE_H

#include <stddef.h>
#include <wchar.h>

/* The version a rule written from scratch carries (Windows 10 writes v2.30 and later). */
#define FWR_VERSION L"2.30"

/* Longest string property, as FW_RULE bounds them (MS-FASP 2.2.37: range(1, 10001) with NUL). */
#define FWR_MAX_STRING 10000

/* Values of the COM enumerations (icftypes.h), repeated so this file needs no Windows header. */
#define FWR_PROTOCOL_TCP    6
#define FWR_PROTOCOL_UDP    17
#define FWR_PROTOCOL_ICMP4  1
#define FWR_PROTOCOL_ICMP6  58
#define FWR_PROTOCOL_ANY    256
#define FWR_DIR_IN          1
#define FWR_DIR_OUT         2
#define FWR_ACTION_BLOCK    0
#define FWR_ACTION_ALLOW    1
#define FWR_ACTION_BYPASS   2 /* only ever read from the store: COM cannot set it */
#define FWR_PROFILE_DOMAIN  0x1
#define FWR_PROFILE_PRIVATE 0x2
#define FWR_PROFILE_PUBLIC  0x4
#define FWR_PROFILE_ALL     0x7fffffff
/* NET_FW_EDGE_TRAVERSAL_TYPE */
#define FWR_EDGE_DENY          0
#define FWR_EDGE_ALLOW         1
#define FWR_EDGE_DEFER_TO_APP  2
#define FWR_EDGE_DEFER_TO_USER 3

/* Port keywords, one bit per token the store knows (a COM keyword may stand for two). */
enum fwr_port_keyword {
    FWR_PORT_RPC = 0x01,         /* LPort=RPC */
    FWR_PORT_RPC_EPMAP = 0x02,   /* LPort=RPC-EPMap */
    FWR_PORT_TEREDO = 0x04,      /* LPort=Teredo */
    FWR_PORT_IPTLS_IN = 0x08,    /* LPort2_10=IPTLSIn    } COM "IPHTTPS" on LocalPorts */
    FWR_PORT_IPHTTPS_IN = 0x10,  /* LPort2_10=IPHTTPSIn  } */
    FWR_PORT_PLY2DISC = 0x20,    /* LPort2_20=Ply2Disc */
    FWR_PORT_MDNS = 0x40,        /* LPort2_24=mDNS */
    FWR_PORT_IPTLS_OUT = 0x80,   /* RPort2_10=IPTLSOut   } COM "IPHTTPS" on RemotePorts */
    FWR_PORT_IPHTTPS_OUT = 0x100 /* RPort2_10=IPHTTPSOut } */
};

/* Address keywords (MS-GPFAS 2.2.2.13). The first five live in RA4/RA6, the others (schema
 * 2.20) in RA42/RA62. */
enum fwr_addr_keyword {
    FWR_ADDR_LOCALSUBNET = 0x001,
    FWR_ADDR_DNS = 0x002,
    FWR_ADDR_DHCP = 0x004,
    FWR_ADDR_WINS = 0x008,
    FWR_ADDR_DEFAULTGATEWAY = 0x010,
    FWR_ADDR_INTRANET = 0x020,
    FWR_ADDR_REMOTEINTRANET = 0x040,
    FWR_ADDR_INTERNET = 0x080,
    FWR_ADDR_PLAYTODEVICE = 0x100
};

/* Interface types (IFType=) */
enum fwr_iftype { FWR_IF_LAN = 1, FWR_IF_WIRELESS = 2, FWR_IF_REMOTEACCESS = 4 };

struct fwr_range {
    unsigned short lo, hi; /* lo == hi: a single port */
};

struct fwr_ports {
    struct fwr_range *v;
    size_t n;
    unsigned keywords; /* enum fwr_port_keyword */
};

enum fwr_addr_kind { FWR_ADDR_SINGLE, FWR_ADDR_SUBNET, FWR_ADDR_RANGE };

struct fwr_addr {
    unsigned char family; /* 4 or 6 */
    unsigned char kind;   /* enum fwr_addr_kind */
    unsigned char prefix; /* FWR_ADDR_SUBNET: prefix length */
    unsigned char a[16];  /* address, or first of a range; network byte order */
    unsigned char b[16];  /* FWR_ADDR_RANGE: last address */
};

struct fwr_addrs {
    struct fwr_addr *v;
    size_t n;
    unsigned keywords4; /* enum fwr_addr_keyword present in RA4 / RA42 */
    unsigned keywords6; /* ... in RA6 / RA62 */
};

struct fwr_icmp {
    unsigned char v6;   /* ICMP6= rather than ICMP4= */
    unsigned char type; /* 0..255 */
    short code;         /* 0..255, or -1 for any ('*') */
};

struct fwrule {
    wchar_t *version;  /* "2.30", without the 'v' */
    int action;        /* FWR_ACTION_* */
    int active;        /* 0 or 1 */
    int dir;           /* FWR_DIR_* */
    int protocol;      /* 0..255, or FWR_PROTOCOL_ANY when the field is absent */
    unsigned profiles; /* FWR_PROFILE_* bits, or FWR_PROFILE_ALL when no Profile= field */
    struct fwr_ports lports, rports;
    struct fwr_icmp *icmp;
    size_t n_icmp;
    struct fwr_addrs laddrs, raddrs;
    unsigned iftypes; /* enum fwr_iftype bits; 0 = all */
    int edge;         /* FWR_EDGE_* */
    wchar_t *app, *svc, *name, *desc, *embedctxt;
    wchar_t *luown, *apppkgid, *luauth, *ruauth, *rmauth;
    wchar_t **extra; /* "Key=Value" of fields not modelled, in their order */
    size_t n_extra;
};

/* Why a parse or a property value was refused: names the field or token and what was expected. */
struct fwr_error {
    char msg[256];
};

/* A rule as INetFwRule starts out (documented defaults: Enabled false; inbound, allow, any
 * protocol, all profiles). */
void fwrule_init(struct fwrule *r);
void fwrule_free(struct fwrule *r);
/* Deep copy; -1 when out of memory. */
int fwrule_copy(struct fwrule *dst, const struct fwrule *src);

/* Parses the data of one rule value. 0 on success; -1 with err filled in when the text does not
 * follow the grammar or a modelled field holds a value the format does not allow. */
int fwrule_parse(const wchar_t *text, struct fwrule *out, struct fwr_error *err);
/* The rule in the store's format, malloc'd; NULL when out of memory. */
wchar_t *fwrule_format(const struct fwrule *r);

/* --- INetFwRule properties: put_X validates and applies, get_X renders (malloc'd, or NULL for
 * an absent string). A put that fails leaves the rule as it was. Every put returns 0, or -1 with
 * err filled in (the COM layer answers E_INVALIDARG), or -2 when out of memory. --- */

/* Name, Description, ApplicationName, ServiceName, Grouping, and the INetFwRule3 strings. */
enum fwr_string_prop {
    FWR_NAME,
    FWR_DESC,
    FWR_APP,
    FWR_SVC,
    FWR_GROUPING,
    FWR_LUOWN,
    FWR_APPPKGID,
    FWR_LUAUTH,
    FWR_RUAUTH,
    FWR_RMAUTH
};
int fwrule_put_string(struct fwrule *r, enum fwr_string_prop prop, const wchar_t *value,
                      struct fwr_error *err);
const wchar_t *fwrule_get_string(const struct fwrule *r, enum fwr_string_prop prop);

int fwrule_put_protocol(struct fwrule *r, long protocol, struct fwr_error *err);
int fwrule_put_ports(struct fwrule *r, int remote, const wchar_t *value, struct fwr_error *err);
wchar_t *fwrule_get_ports(const struct fwrule *r, int remote);
int fwrule_put_addresses(struct fwrule *r, int remote, const wchar_t *value, struct fwr_error *err);
wchar_t *fwrule_get_addresses(const struct fwrule *r, int remote);

/* Address behaviour no public source settles, chosen by the test key (README.md). */
enum fwr_addr_option {
    FWR_REFUSE_IPV4_LOOPBACK = 0x1, /* refuse 127.0.0.0/8 as the service refuses ::1 */
    FWR_DROP_CONTAINED = 0x2        /* read-back leaves out an entry inside another one */
};
/* What put_ returns for an address the firewall service refuses (MS-FASP), not the COM layer:
 * COM reports it as FWR_SERVICE_REFUSED_HRESULT. */
#define FWR_REFUSED_BY_SERVICE      (-3)
#define FWR_SERVICE_REFUSED_HRESULT 0xD000000Dul /* STATUS_INVALID_PARAMETER, seen for ::1 */
int fwrule_put_addresses_opt(struct fwrule *r, int remote, const wchar_t *value, unsigned options,
                             struct fwr_error *err);
wchar_t *fwrule_get_addresses_opt(const struct fwrule *r, int remote, unsigned options);
int fwrule_put_icmp(struct fwrule *r, const wchar_t *value, struct fwr_error *err);
wchar_t *fwrule_get_icmp(const struct fwrule *r);
int fwrule_put_iftypes(struct fwrule *r, const wchar_t *value, struct fwr_error *err);
wchar_t *fwrule_get_iftypes(const struct fwrule *r);
int fwrule_put_direction(struct fwrule *r, long dir, struct fwr_error *err);
int fwrule_put_action(struct fwrule *r, long action, struct fwr_error *err);
int fwrule_put_profiles(struct fwrule *r, long profiles, struct fwr_error *err);
int fwrule_put_edge(struct fwrule *r, long option, struct fwr_error *err);

/* Specific interfaces: one IF= field per interface, its GUID in braces (MS-GPFAS IF-VAL; the
 * COM layer maps friendly names to GUIDs). IF= fields are kept where they stood among the
 * fields the model does not otherwise read; put replaces them all, after those fields. */
int fwrule_has_interfaces(const struct fwrule *r);
/* value: GUIDs separated by commas; NULL or "" for none (every interface). */
int fwrule_put_interfaces(struct fwrule *r, const wchar_t *value, struct fwr_error *err);
/* The IF= values in their order, separated by commas (malloc'd); NULL when there is none. */
wchar_t *fwrule_get_interfaces(const struct fwrule *r);
/* Whether s[0..n) is a GUID in braces, {xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}. */
int fwr_is_braced_guid(const wchar_t *s, size_t n);
/* Drops the unmodelled fields whose "Key=Value" starts with prefix (L"IF=", L"Security"). */
void fwrule_drop_extra(struct fwrule *r, const wchar_t *prefix);

/* ASCII case-insensitive comparison; the keywords of the format are ASCII. */
int fwr_strieq(const wchar_t *a, const wchar_t *b);

#endif
