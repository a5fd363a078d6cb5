#include "ca_props.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlo/buf.h"
#include "dlo/log.h"
#include "dlo/str.h"
#include "win/winreg.h"
#include "win/winutil.h"

void ca_property_name(dlo_config_item item, char *out, size_t size)
{
    const dlo_config_row *row = dlo_config_row_of(item);
    snprintf(out, size, "%s", row && row->msi ? row->msi : "");
}

void ca_write_flag_name(const char *value_name, wchar_t *out, size_t size)
{
    char name[96];
    size_t i;
    snprintf(name, sizeof(name), "Dlo%sWrite", value_name);
    for (i = 0; name[i] && i + 1 < size; i++)
        out[i] = (wchar_t)(unsigned char)name[i]; /* value names are ASCII */
    out[i] = L'\0';
}

/* One configuration value the package writes: the public property named after the registry
 * value in capitals (BOIMode -> BOIMODE). */
typedef struct prop {
    dlo_config_item item;
    char name[64];          /* BOIMODE */
    wchar_t wname[64];      /* the same, for the MSI API */
    char *text;             /* what the property holds, or will hold once carried over */
    char *current;          /* the value in the installer key now, as text; NULL: none */
    bool given;             /* set on the command line (or by a transform) */
    bool carried;           /* taken from the value already in the installer key */
    bool valid;             /* the agent accepts it */
    unsigned long old_type; /* carried: the type of the value in the key */
    dlo_reg_value value;    /* the registry value the package will write from text */
} prop;

/* Which values the registry below shows the agent. */
typedef enum show { SHOW_ONE, SHOW_ALL, SHOW_CARRIED } show;

typedef struct props {
    prop p[DLO_CFG_COUNT];
    size_t n;
    show show;
    const prop *one; /* SHOW_ONE: this value only */
} props;

/* A number as the agent takes one from any source (dlo_decimal_parse): "01433" stays text, which
 * the agent's check refuses with its message. */
static bool is_decimal(const char *s, unsigned long *out)
{
    size_t n = strlen(s);
    dlo_trim(&s, &n);
    return !dlo_decimal_parse(s, n, 0, 0xFFFFFFFFul, out);
}

dlo_status ca_written_value(dlo_config_item item, const char *text, dlo_reg_value *out,
                            dlo_error *err)
{
    unsigned long number;

    dlo_reg_value_init(out);
    if ((dlo_config_item_types(item) & DLO_REG_TYPE_BIT(DLO_REG_DWORD)) &&
        is_decimal(text, &number)) {
        out->type = DLO_REG_DWORD;
        out->number = number;
        out->size = 4;
        return DLO_OK;
    }
    /* The Registry table reads a value that starts with '#' as a number (#), binary data (#x)
     * or an expandable string (#%), and "##" as a string without its first '#' (Microsoft
     * Learn, "Registry Table", Value column): such text would not be written as it is. */
    if (text[0] == '#')
        return dlo_error_set(err, DLO_E_CONFIG,
                             "'%.100s' starts with '#', which Windows Installer would not write "
                             "as this text",
                             text);
    out->type = DLO_REG_SZ;
    out->text = dlo_strdup(text);
    if (!out->text)
        return dlo_error_set(err, DLO_E_NOMEM, "out of memory");
    out->text_len = strlen(text) + 1;
    out->size = out->text_len * 2;
    return DLO_OK;
}

/* p->value from p->text, and p->text in the form the package writes (a number's digits). */
static dlo_status make_value(prop *p, dlo_error *err)
{
    char digits[16];
    char *normal;
    dlo_status st;

    dlo_reg_value_free(&p->value);
    st = ca_written_value(p->item, p->text, &p->value, err);
    if (st || p->value.type != DLO_REG_DWORD)
        return st;
    snprintf(digits, sizeof(digits), "%llu", (unsigned long long)p->value.number);
    normal = dlo_strdup(digits);
    if (!normal)
        return dlo_error_set(err, DLO_E_NOMEM, "out of memory");
    free(p->text);
    p->text = normal;
    return DLO_OK;
}

/* dlo_registry over the values the package is about to write: the installer key holds them,
 * the policy key nothing. The configuration lists no subkeys: that part stays NULL. */
static dlo_status props_read(void *ctx, dlo_reg_view view, const char *key, const char *name,
                             dlo_reg_value *out, dlo_error *err)
{
    const props *ps = ctx;
    size_t i;

    (void)err;
    (void)view;
    dlo_reg_value_init(out);
    if (strcmp(key, DLO_CONFIG_KEY_INSTALLER) != 0)
        return DLO_E_NOTFOUND;
    for (i = 0; i < ps->n; i++) {
        const prop *p = &ps->p[i];
        if (!p->value.type || strcmp(dlo_config_item_name(p->item), name) != 0)
            continue;
        /* SHOW_ALL: the given values and the valid carried ones; SHOW_CARRIED: the latter. */
        if (ps->show == SHOW_ONE
                ? ps->one != p
                : !((p->given && ps->show == SHOW_ALL) || (p->carried && p->valid)))
            continue;
        *out = p->value;
        if (p->value.text) {
            out->text = malloc(p->value.text_len);
            if (!out->text)
                return DLO_E_NOMEM;
            memcpy(out->text, p->value.text, p->value.text_len);
        }
        return DLO_OK;
    }
    return DLO_E_NOTFOUND;
}

/* The agent's verdict on the values the registry shows. */
static dlo_status check(props *ps, show what, const prop *one, dlo_error *err)
{
    const dlo_registry reg = {ps, props_read, NULL, NULL};
    /* The custom action runs on the machine the agent will run on: its scopes are checked for
     * that machine's firewall, as the agent will check them. */
    dlo_config_overrides machine = {{NULL}, 0};
    dlo_config cfg;
    dlo_status st;

    ps->show = what;
    ps->one = one;
    machine.os_build = win_os_build();
    dlo_error_clear(err);
    st = dlo_config_load(&cfg, &reg, &machine, err);
    dlo_config_free(&cfg);
    return st;
}

/* The text form of a value already in the installer key, as a property would give it; NULL
 * when there is none or it cannot be carried over (why is in `why`). */
static char *carried_text(const dlo_reg_value *v, char *why, size_t size)
{
    char tbuf[32];
    dlo_buf b;
    char *text = NULL;
    size_t i;
    const char *s;

    dlo_buf_init(&b);
    if (v->oversize) {
        snprintf(why, size, "it is too large");
    } else if (v->type == DLO_REG_SZ) {
        dlo_buf_puts(&b, v->text);
    } else if (v->type == DLO_REG_MULTI_SZ) {
        /* The agent reads the strings of a REG_MULTI_SZ as it reads a comma-separated REG_SZ. */
        for (i = 0, s = v->text; i < v->count; i++, s += strlen(s) + 1)
            if (!dlo_is_blank_str(s))
                dlo_buf_printf(&b, "%s%s", b.len ? "," : "", s);
    } else if (v->type == DLO_REG_DWORD) {
        dlo_buf_printf(&b, "%llu", (unsigned long long)v->number);
    } else {
        snprintf(why, size, "the package does not write %s values",
                 dlo_reg_type_name(v->type, tbuf, sizeof(tbuf)));
    }
    if (b.len && !dlo_is_blank_str(dlo_buf_str(&b)) && !dlo_buf_status(&b))
        text = dlo_strdup(dlo_buf_str(&b));
    dlo_buf_free(&b);
    return text;
}

/* True if writing p->value back means to the agent what the value in the key meant. */
static bool same_meaning(const prop *p)
{
    unsigned long now = p->value.type;
    return p->old_type == now || (p->old_type == DLO_REG_MULTI_SZ && now == DLO_REG_SZ) ||
           (p->old_type == DLO_REG_SZ && now == DLO_REG_DWORD &&
            (dlo_config_item_types(p->item) & DLO_REG_TYPE_BIT(DLO_REG_SZ)));
}

static void drop(prop *p)
{
    free(p->text);
    p->text = NULL;
    p->carried = false;
    dlo_reg_value_free(&p->value);
}

static void props_free(props *ps)
{
    size_t i;
    for (i = 0; i < ps->n; i++) {
        drop(&ps->p[i]);
        free(ps->p[i].current);
    }
}

/* The value of vname in the installer key as a property would give it (NULL when there is none
 * or it cannot be carried over: why says so, "" when it is absent). */
static char *key_text(const dlo_registry *machine, const char *vname, unsigned long *type,
                      char *why, size_t size)
{
    dlo_reg_value old;
    dlo_error err;
    char *text = NULL;

    dlo_error_clear(&err);
    dlo_reg_value_init(&old);
    switch (
        dlo_registry_read(machine, DLO_REG_VIEW_64, DLO_CONFIG_KEY_INSTALLER, vname, &old, &err)) {
    case DLO_OK:
        text = carried_text(&old, why, size);
        *type = old.type;
        break;
    case DLO_E_NOTFOUND:
        break;
    default:
        snprintf(why, size, "it cannot be read: %s", err.msg);
        break;
    }
    dlo_reg_value_free(&old);
    return text;
}

/* Reads the properties, the values now in the key, and the values to carry over for the
 * properties not given. */
static UINT collect(MSIHANDLE install, props *ps)
{
    const dlo_registry *machine = win_registry_unchecked();
    int item;

    for (item = 0; item < DLO_CFG_COUNT; item++) {
        const char *vname = dlo_config_item_name((dlo_config_item)item);
        prop *p = &ps->p[ps->n];
        char why[256] = "";
        size_t i;

        if (!dlo_config_item_in_policy((dlo_config_item)item))
            continue;
        ps->n++;
        p->item = (dlo_config_item)item;
        ca_property_name(p->item, p->name, sizeof(p->name));
        for (i = 0; p->name[i]; i++)
            p->wname[i] = (wchar_t)p->name[i];
        p->current = key_text(machine, vname, &p->old_type, why, sizeof(why));
        p->text = ca_get_property(install, p->wname);
        if (!p->text)
            return ERROR_OUTOFMEMORY;
        if (!dlo_is_blank_str(p->text)) {
            p->given = true;
            continue;
        }
        drop(p);
        if (why[0])
            ca_logf(install, INSTALLMESSAGE_INFO,
                    "dloagent: warning: HKLM\\%s value %s is not carried over: %s",
                    DLO_CONFIG_KEY_INSTALLER, vname, why);
        p->text = p->current ? dlo_strdup(p->current) : NULL;
        if (p->current && !p->text)
            return ERROR_OUTOFMEMORY;
        p->carried = p->text != NULL;
    }
    return ERROR_SUCCESS;
}

/* Each value alone, so that a message names the property that is wrong: a given property the
 * agent refuses fails the install; a carried-over one is kept as it is. */
static UINT check_each(MSIHANDLE install, props *ps)
{
    dlo_error err;
    size_t i;

    for (i = 0; i < ps->n; i++) {
        prop *p = &ps->p[i];
        if (!p->text)
            continue;
        dlo_error_clear(&err);
        switch (make_value(p, &err)) {
        case DLO_OK:
            break;
        case DLO_E_CONFIG:
            if (p->given) {
                ca_logf(install, INSTALLMESSAGE_ERROR,
                        "dloagent: the property %s=\"%s\" is invalid, nothing was installed: %s",
                        p->name, p->text, err.msg);
                return ERROR_INSTALL_FAILURE;
            }
            ca_logf(install, INSTALLMESSAGE_INFO,
                    "dloagent: warning: HKLM\\%s value %s is not carried over: %s",
                    DLO_CONFIG_KEY_INSTALLER, dlo_config_item_name(p->item), err.msg);
            drop(p);
            continue;
        default:
            return ERROR_OUTOFMEMORY;
        }
        if (p->carried && !same_meaning(p)) {
            ca_logf(install, INSTALLMESSAGE_INFO,
                    "dloagent: warning: HKLM\\%s value %s is not carried over: the package "
                    "would write it as another type",
                    DLO_CONFIG_KEY_INSTALLER, dlo_config_item_name(p->item));
            drop(p);
            continue;
        }
        p->valid = !check(ps, SHOW_ONE, p, &err);
        if (p->given && !p->valid) {
            ca_logf(install, INSTALLMESSAGE_ERROR,
                    "dloagent: the property %s=\"%s\" is invalid, nothing was installed: %s",
                    p->name, p->text, err.msg);
            return ERROR_INSTALL_FAILURE;
        }
        if (p->valid)
            ca_logf(install, INSTALLMESSAGE_INFO, "dloagent: %s=%s (%s)", p->name, p->text,
                    p->given ? "given" : "kept from the installer key");
        else
            /* Someone else's mistake is kept as it is, for the agent to report: the package
             * neither repairs nor drops it. */
            ca_logf(install, INSTALLMESSAGE_INFO,
                    "dloagent: warning: %s kept from the installer key as it is, although the "
                    "agent refuses it: %s",
                    p->name, err.msg);
    }
    return ERROR_SUCCESS;
}

/* All values together (AddRoles and ExcludeRoles may not name the same role): a conflict the
 * properties bring in fails the install, one the key already had is only reported. */
static UINT check_together(MSIHANDLE install, props *ps)
{
    dlo_error err, before;

    if (!check(ps, SHOW_ALL, NULL, &err))
        return ERROR_SUCCESS;
    if (check(ps, SHOW_CARRIED, NULL, &before) == DLO_OK) {
        ca_logf(install, INSTALLMESSAGE_ERROR,
                "dloagent: the properties (with the values kept from the installer key) are "
                "invalid together, nothing was installed: %s",
                err.msg);
        return ERROR_INSTALL_FAILURE;
    }
    ca_logf(install, INSTALLMESSAGE_INFO,
            "dloagent: warning: the values kept from the installer key are invalid together, "
            "as they were before: %s",
            before.msg);
    return ERROR_SUCCESS;
}

/* The package writes [PROP]: give it the normalised (or carried over) text. */
static UINT hand_back(MSIHANDLE install, props *ps)
{
    size_t i;

    for (i = 0; i < ps->n; i++) {
        prop *p = &ps->p[i];
        if (p->text && !ca_set_property(install, p->wname, p->text)) {
            ca_logf(install, INSTALLMESSAGE_ERROR, "dloagent: cannot set the property %s", p->name);
            return ERROR_INSTALL_FAILURE;
        }
    }
    return ERROR_SUCCESS;
}

/* The condition of each value's component (build-msi.sh): its flag is set for a value this
 * check accepted or carried over, and removed for every other, whatever the command line set. */
static UINT set_write_flags(MSIHANDLE install, const props *ps)
{
    size_t i;
    for (i = 0; i < ps->n; i++) {
        wchar_t flag[96];
        ca_write_flag_name(dlo_config_item_name(ps->p[i].item), flag,
                           sizeof(flag) / sizeof(flag[0]));
        if (!ca_set_property(install, flag, ps->p[i].text ? "1" : "")) {
            ca_logf(install, INSTALLMESSAGE_ERROR, "dloagent: cannot set the property %ls", flag);
            return ERROR_INSTALL_FAILURE;
        }
    }
    return ERROR_SUCCESS;
}

/* What the core logs while the check runs goes to the MSI log too. */
static void log_to_msi(void *ctx, dlo_log_level level, const char *msg)
{
    static const char *const names[] = {"info", "warning", "error"};
    ca_logf((MSIHANDLE)(UINT_PTR)ctx, INSTALLMESSAGE_INFO, "dloagent: %s: %s", names[level], msg);
}

UINT ca_props_check(MSIHANDLE install)
{
    props ps;
    UINT rc;

    memset(&ps, 0, sizeof(ps));
    dlo_log_set(log_to_msi, (void *)(UINT_PTR)install);
    rc = collect(install, &ps);
    if (!rc)
        rc = check_each(install, &ps);
    if (!rc)
        rc = check_together(install, &ps);
    if (!rc)
        rc = hand_back(install, &ps);
    if (!rc)
        rc = set_write_flags(install, &ps);
    props_free(&ps);
    dlo_log_set(NULL, NULL);
    return rc;
}
