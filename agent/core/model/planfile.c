/* A saved plan's JSON back into rules (dlo/planfile.h). */
#include "dlo/planfile.h"

#include "dlo/addr.h"
#include "dlo/buf.h"
#include "dlo/json.h"
#include "dlo/portset.h"
#include "dlo/str.h"

#include <stdlib.h>
#include <string.h>

/* Where a rule is, for messages: "line 12: rules[3] 'NAME'". */
typedef struct rule_at {
    size_t index;
    const char *name;
    dlo_error *err;
} rule_at;

static dlo_status bad(const rule_at *at, const dlo_json *v, const char *what, const char *expected)
{
    return dlo_error_set(at->err, DLO_E_PARSE, "line %zu: rules[%zu] '%s': %s is %s, expected %s",
                         v->line, at->index, at->name, what, dlo_json_type_name(v->type), expected);
}

unsigned dlo_planfile_json_props(void)
{
    unsigned bits = DLO_PROP_APPLICATION | DLO_PROP_SERVICE;
    size_t i;
    for (i = 0; i < DLO_PROP_COUNT; i++)
        if (dlo_props[i].json_pos)
            bits |= dlo_props[i].bit;
    return bits;
}

/* A port or address list as the plan writes it: it must read as the firewall reads lists. */
static dlo_status list_value(const rule_at *at, const dlo_prop *p, const dlo_json *v, dlo_rule *r)
{
    dlo_status st;
    if (v->type == DLO_JSON_NULL)
        return dlo_prop_set_text(r, p, NULL);
    if (v->type != DLO_JSON_STRING)
        return bad(at, v, p->name, "a string or null");
    if (p->type == DLO_PT_PORTS || p->type == DLO_PT_ADDRS) {
        dlo_portset ports;
        dlo_addrset addrs;
        dlo_error why;
        st = p->type == DLO_PT_PORTS ? dlo_portset_parse(v->text, DLO_PORTS_FIREWALL, &ports, &why)
                                     : dlo_addrset_read(v->text, &addrs);
        if (p->type == DLO_PT_PORTS)
            dlo_portset_free(&ports);
        else
            dlo_addrset_free(&addrs);
        if (st)
            return dlo_error_set(at->err, DLO_E_PARSE,
                                 "line %zu: rules[%zu] '%s': %s \"%s\" is not a %s list as the "
                                 "firewall reads it (such as %s)",
                                 v->line, at->index, at->name, p->name, v->text,
                                 p->type == DLO_PT_PORTS ? "port" : "address",
                                 p->type == DLO_PT_PORTS ? "\"135-139,445\"" : "\"10.0.0.0/8\"");
    }
    return dlo_prop_set_text(r, p, v->text);
}

static bool word_value(const dlo_json *v, const char *const *words, size_t n, long *out)
{
    size_t i;
    for (i = 0; v->type == DLO_JSON_STRING && i < n; i++)
        if (words[i] && strcmp(v->text, words[i]) == 0) {
            *out = (long)i;
            return true;
        }
    return false;
}

static dlo_status profiles_value(const rule_at *at, const dlo_json *v, long *out)
{
    size_t i;
    *out = 0;
    if (v->type != DLO_JSON_ARRAY)
        return bad(at, v, "profiles", "an array of \"domain\", \"private\", \"public\"");
    for (i = 0; i < v->count; i++) {
        const dlo_json *e = &v->items[i];
        unsigned bit;
        const char *b;
        size_t bn;
        if (e->type != DLO_JSON_STRING ||
            !dlo_profiles_parse(e->text, strlen(e->text), &bit, &b, &bn))
            return bad(at, e, "an item of profiles", "\"domain\", \"private\" or \"public\"");
        *out |= (long)bit;
    }
    return DLO_OK;
}

/* Direction, protocol, action, flags and numbers as dlo_prop_json writes them. */
static dlo_status number_value(const rule_at *at, const dlo_prop *p, const dlo_json *v, dlo_rule *r)
{
    static const char *const dirs[] = {NULL, "in", "out"}, *const acts[] = {"block", "allow"};
    static const char *const protos[] = {"tcp", "udp", "any"};
    static const long proto_values[] = {DLO_PROTO_TCP, DLO_PROTO_UDP, DLO_PROTO_ANY};
    long n = 0;
    dlo_status st = DLO_OK;
    unsigned long num;
    switch (p->type) {
    case DLO_PT_DIRECTION:
        if (!word_value(v, dirs, 3, &n))
            st = bad(at, v, p->name, "\"in\" or \"out\"");
        break;
    case DLO_PT_PROTOCOL:
        if (!word_value(v, protos, 3, &n))
            st = bad(at, v, p->name, "\"tcp\", \"udp\" or \"any\"");
        else
            n = proto_values[n];
        break;
    case DLO_PT_ACTION:
        if (!word_value(v, acts, 2, &n))
            st = bad(at, v, p->name, "\"allow\" or \"block\"");
        break;
    case DLO_PT_PROFILES:
        st = profiles_value(at, v, &n);
        break;
    case DLO_PT_FLAG:
        if (v->type != DLO_JSON_TRUE && v->type != DLO_JSON_FALSE)
            st = bad(at, v, p->name, "true or false");
        n = v->type == DLO_JSON_TRUE;
        break;
    default:
        if (v->type != DLO_JSON_NUMBER ||
            dlo_decimal_parse(v->text, strlen(v->text), 0, 0xffff, &num))
            st = bad(at, v, p->name, "a whole number from 0 to 65535");
        else
            n = (long)num;
        break;
    }
    if (!st)
        dlo_prop_set_number(r, p, n);
    return st;
}

static dlo_status read_props(const rule_at *at, const dlo_json *obj, dlo_rule *r, unsigned *stated)
{
    size_t i;
    for (i = 0; i < DLO_PROP_COUNT; i++) {
        const dlo_prop *p = &dlo_props[i];
        const dlo_json *v = dlo_json_member(obj, p->name);
        dlo_status st;
        if (!v)
            continue;
        *stated |= p->bit;
        st = p->type == DLO_PT_TEXT || p->type == DLO_PT_NAME || p->type == DLO_PT_PORTS ||
                     p->type == DLO_PT_ADDRS || p->type == DLO_PT_WORDS
                 ? list_value(at, p, v, r)
                 : number_value(at, p, v, r);
        if (st)
            return st;
    }
    return DLO_OK;
}

/* The binding's evidence says whether the rule kept what the firewall has (keep_binding). */
static dlo_status read_binding(const rule_at *at, const dlo_json *obj, dlo_rule *r)
{
    const dlo_json *v = dlo_json_member(obj, "binding_evidence");
    if (!v || v->type == DLO_JSON_NULL)
        return DLO_OK;
    if (v->type != DLO_JSON_STRING)
        return bad(at, v, "binding_evidence", "a string or null");
    r->keep_binding = strncmp(v->text, DLO_BINDING_KEPT, strlen(DLO_BINDING_KEPT)) == 0;
    return dlo_rule_set(&r->binding, v->text);
}

static dlo_status required(const rule_at *at, const dlo_json *obj, unsigned stated)
{
    static const char *const names[] = {"direction", "protocol"};
    static const unsigned bits[] = {DLO_PROP_DIRECTION, DLO_PROP_PROTOCOL};
    size_t i;
    for (i = 0; i < 2; i++)
        if (!(stated & bits[i]))
            return dlo_error_set(at->err, DLO_E_PARSE,
                                 "line %zu: rules[%zu] '%s' has no %s: every version of the plan "
                                 "states a rule's name, direction and protocol",
                                 obj->line, at->index, at->name, names[i]);
    return DLO_OK;
}

static dlo_status read_rule(const dlo_json *obj, size_t index, const dlo_rule_list *before,
                            dlo_rule *r, unsigned *stated, dlo_error *err)
{
    const dlo_json *name = dlo_json_member(obj, "name");
    rule_at at = {index, "?", err};
    dlo_status st;
    size_t i;
    if (obj->type != DLO_JSON_OBJECT)
        return bad(&at, obj, "the rule", "an object");
    if (!name || name->type != DLO_JSON_STRING || !name->text[0])
        return dlo_error_set(err, DLO_E_PARSE,
                             "line %zu: rules[%zu] has no name: expected \"name\", a string "
                             "naming the rule",
                             obj->line, index);
    at.name = name->text;
    for (i = 0; i < before->count; i++)
        if (strcmp(before->items[i].name, name->text) == 0)
            return dlo_error_set(err, DLO_E_PARSE,
                                 "line %zu: rules[%zu] '%s' is named twice: a plan names each "
                                 "rule once",
                                 obj->line, index, name->text);
    st = dlo_rule_set(&r->name, name->text);
    if (!st)
        st = read_props(&at, obj, r, stated);
    if (!st)
        st = required(&at, obj, *stated);
    if (!st)
        st = read_binding(&at, obj, r);
    return st;
}

static dlo_status header_text(const dlo_json *doc, const char *key, char **out, dlo_error *err)
{
    const dlo_json *v = dlo_json_member(doc, key);
    if (!v)
        return DLO_OK;
    if (v->type != DLO_JSON_STRING)
        return dlo_error_set(err, DLO_E_PARSE, "line %zu: \"%s\" is %s, expected a string", v->line,
                             key, dlo_json_type_name(v->type));
    *out = dlo_strdup(v->text);
    return *out ? DLO_OK : DLO_E_NOMEM;
}

/* "roles": ["a", "b"] as "a,b". */
static dlo_status header_roles(const dlo_json *doc, char **out, dlo_error *err)
{
    const dlo_json *v = dlo_json_member(doc, "roles");
    dlo_buf b;
    size_t i;
    if (!v)
        return DLO_OK;
    dlo_buf_init(&b);
    dlo_buf_append(&b, "", 0);
    for (i = 0; v->type == DLO_JSON_ARRAY && i < v->count; i++) {
        if (v->items[i].type != DLO_JSON_STRING)
            break;
        dlo_buf_printf(&b, "%s%s", i ? "," : "", v->items[i].text);
    }
    if (v->type != DLO_JSON_ARRAY || i < v->count) {
        dlo_buf_free(&b);
        return dlo_error_set(err, DLO_E_PARSE,
                             "line %zu: \"roles\" must be an array of role "
                             "names",
                             v->line);
    }
    if (dlo_buf_status(&b)) {
        dlo_buf_free(&b);
        return DLO_E_NOMEM;
    }
    *out = b.data;
    return DLO_OK;
}

static dlo_status read_rules(const dlo_json *rules, dlo_saved_plan *out, dlo_error *err)
{
    size_t i;
    dlo_status st = DLO_OK;
    unsigned all = dlo_planfile_json_props();
    if (rules->count > DLO_PLANFILE_MAX_RULES)
        return dlo_error_set(err, DLO_E_PARSE,
                             "line %zu: %zu rules: expected at most %d, a plan holds far fewer",
                             rules->line, rules->count, DLO_PLANFILE_MAX_RULES);
    out->stated = calloc(rules->count ? rules->count : 1, sizeof(*out->stated));
    if (!out->stated)
        return DLO_E_NOMEM;
    for (i = 0; !st && i < rules->count; i++) {
        dlo_rule r;
        dlo_rule_init(&r);
        st = read_rule(&rules->items[i], i, &out->rules, &r, &out->stated[i], err);
        if (!st && !dlo_rule_list_add(&out->rules))
            st = DLO_E_NOMEM;
        if (st) {
            dlo_rule_free(&r);
            break;
        }
        out->rules.items[out->rules.count - 1] = r;
        out->missing |= all & ~out->stated[i];
        out->stated[i] |= ~all;
    }
    return st;
}

static dlo_status read_doc(const dlo_json *doc, dlo_saved_plan *out, dlo_error *err)
{
    const dlo_json *rules = dlo_json_member(doc, "rules");
    dlo_status st;
    if (doc->type != DLO_JSON_OBJECT)
        return dlo_error_set(err, DLO_E_PARSE,
                             "line %zu: the document is %s, expected an object as /plan /json "
                             "and /export:json print",
                             doc->line, dlo_json_type_name(doc->type));
    if (!rules || rules->type != DLO_JSON_ARRAY)
        return dlo_error_set(err, DLO_E_PARSE,
                             "line %zu: no \"rules\" array: expected a plan as /plan /json and "
                             "/export:json print it",
                             rules ? rules->line : doc->line);
    st = header_text(doc, "mode", &out->mode, err);
    if (!st)
        st = header_text(doc, "policy", &out->policy, err);
    if (!st)
        st = header_roles(doc, &out->roles, err);
    if (!st)
        st = read_rules(rules, out, err);
    return st;
}

dlo_status dlo_planfile_parse(const char *text, size_t len, dlo_saved_plan *out, dlo_error *err)
{
    dlo_json doc;
    dlo_status st;
    memset(out, 0, sizeof(*out));
    dlo_rule_list_init(&out->rules);
    st = dlo_json_parse(text, len, &doc, err);
    if (st)
        return st;
    st = read_doc(&doc, out, err);
    if (st == DLO_E_NOMEM)
        dlo_error_set(err, st, "out of memory reading the plan");
    if (st)
        dlo_saved_plan_free(out);
    dlo_json_free(&doc);
    return st;
}

void dlo_saved_plan_free(dlo_saved_plan *p)
{
    dlo_rule_list_free(&p->rules);
    free(p->stated);
    free(p->mode);
    free(p->policy);
    free(p->roles);
    memset(p, 0, sizeof(*p));
    dlo_rule_list_init(&p->rules);
}
