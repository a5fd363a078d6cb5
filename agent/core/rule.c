#include "dlo/rule.h"

#include "dlo/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The string fields of dlo_rule, so free and copy cannot forget one. */
#define RULE_STRINGS(X)                                                                            \
    X(name)                                                                                        \
    X(description)                                                                                 \
    X(grouping)                                                                                    \
    X(local_ports)                                                                                 \
    X(remote_ports)                                                                                \
    X(local_addresses)                                                                             \
    X(remote_addresses)                                                                            \
    X(application)                                                                                 \
    X(service)                                                                                     \
    X(rows)

void dlo_rule_init(dlo_rule *r)
{
    memset(r, 0, sizeof(*r));
    r->direction = DLO_DIR_IN;
    r->protocol = DLO_PROTO_ANY;
    r->profiles = DLO_PROFILE_ALL;
    r->action = DLO_ACTION_ALLOW;
    r->enabled = true;
}

void dlo_rule_free(dlo_rule *r)
{
#define FREE_FIELD(f) free(r->f);
    RULE_STRINGS(FREE_FIELD)
#undef FREE_FIELD
    dlo_rule_init(r);
}

dlo_status dlo_rule_set(char **field, const char *value)
{
    char *copy = NULL;
    if (value) {
        size_t n = strlen(value) + 1;
        copy = malloc(n);
        if (!copy)
            return DLO_E_NOMEM;
        memcpy(copy, value, n);
    }
    free(*field);
    *field = copy;
    return DLO_OK;
}

dlo_status dlo_rule_copy(dlo_rule *dst, const dlo_rule *src)
{
    dlo_rule_init(dst);
    dst->direction = src->direction;
    dst->protocol = src->protocol;
    dst->profiles = src->profiles;
    dst->action = src->action;
    dst->enabled = src->enabled;
    dst->local_roles = src->local_roles;
    dst->peers = src->peers;
#define COPY_FIELD(f)                                                                              \
    if (dlo_rule_set(&dst->f, src->f))                                                             \
        goto fail;
    RULE_STRINGS(COPY_FIELD)
#undef COPY_FIELD
    return DLO_OK;
fail:
    dlo_rule_free(dst);
    return DLO_E_NOMEM;
}

void dlo_rule_list_init(dlo_rule_list *l)
{
    memset(l, 0, sizeof(*l));
}

void dlo_rule_list_free(dlo_rule_list *l)
{
    size_t i;
    for (i = 0; i < l->count; i++)
        dlo_rule_free(&l->items[i]);
    free(l->items);
    dlo_rule_list_init(l);
}

dlo_rule *dlo_rule_list_add(dlo_rule_list *l)
{
    dlo_rule *r, *items = dlo_array_grow(l->items, &l->cap, l->count, sizeof(*items));
    if (!items)
        return NULL;
    l->items = items;
    r = &l->items[l->count++];
    dlo_rule_init(r);
    return r;
}

const char *dlo_direction_name(dlo_direction d)
{
    return d == DLO_DIR_OUT ? "out" : "in";
}

const char *dlo_protocol_name(int proto)
{
    switch (proto) {
    case DLO_PROTO_TCP:
        return "tcp";
    case DLO_PROTO_UDP:
        return "udp";
    case DLO_PROTO_ANY:
        return "any";
    default:
        return "other";
    }
}

static const struct {
    unsigned bit;
    const char *json;
    const char *text;
} profile_names[] = {
    {DLO_PROFILE_DOMAIN, "domain", "Domain"},
    {DLO_PROFILE_PRIVATE, "private", "Private"},
    {DLO_PROFILE_PUBLIC, "public", "Public"},
};

void dlo_profiles_json(dlo_buf *b, unsigned profiles)
{
    size_t i;
    bool first = true;
    for (i = 0; i < sizeof(profile_names) / sizeof(profile_names[0]); i++) {
        if (profiles & profile_names[i].bit) {
            dlo_buf_printf(b, "%s\"%s\"", first ? "" : ", ", profile_names[i].json);
            first = false;
        }
    }
}

void dlo_profiles_text(dlo_buf *b, unsigned profiles)
{
    size_t i;
    bool first = true;
    if ((profiles & DLO_PROFILE_ALL) == DLO_PROFILE_ALL) {
        dlo_buf_puts(b, "All");
        return;
    }
    for (i = 0; i < sizeof(profile_names) / sizeof(profile_names[0]); i++) {
        if (profiles & profile_names[i].bit) {
            dlo_buf_printf(b, "%s%s", first ? "" : ",", profile_names[i].text);
            first = false;
        }
    }
}
