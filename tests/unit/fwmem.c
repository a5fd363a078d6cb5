#include "fwmem.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlo/addr.h"
#include "dlo/rule.h"

void fwmem_init(fwmem *m)
{
    int p;
    memset(m, 0, sizeof(*m));
    dlo_rule_list_init(&m->rules);
    m->next_id = 1;
    m->state.current_profiles = DLO_PROFILE_DOMAIN;
    for (p = 0; p < 3; p++) {
        m->state.enabled[p] = true;
        m->state.inbound_block[p] = true;
    }
    m->fail_status = DLO_E_ACCESS;
}

void fwmem_free(fwmem *m)
{
    dlo_rule_list_free(&m->rules);
}

void fwmem_reset_counters(fwmem *m)
{
    m->enumerations = m->writes = m->adds = m->updates = m->removes = 0;
}

static void store(fwmem *m, const dlo_rule *r)
{
    dlo_rule *slot = dlo_rule_list_add(&m->rules);
    if (!slot || dlo_rule_copy(slot, r))
        abort();
    slot->handle = (void *)(uintptr_t)m->next_id++;
}

void fwmem_plant(fwmem *m, const dlo_rule *r)
{
    store(m, r);
}

static dlo_status write_allowed(fwmem *m, dlo_error *err)
{
    unsigned n = ++m->writes;
    if ((m->fail_at && n == m->fail_at) || (m->fail_from && n >= m->fail_from))
        return dlo_error_set(err, m->fail_status, "injected failure of write %u", n);
    return DLO_OK;
}

static dlo_rule *by_handle(fwmem *m, void *handle)
{
    size_t i;
    for (i = 0; i < m->rules.count; i++)
        if (m->rules.items[i].handle == handle)
            return &m->rules.items[i];
    return NULL;
}

/* Keywords first, then IPv4 by number, then IPv6 in their order. */
static bool goes_before(const dlo_addr_entry *a, const dlo_addr_entry *b)
{
    int ra = a->kind == DLO_ADDR_KEYWORD ? 0 : a->family,
        rb = b->kind == DLO_ADDR_KEYWORD ? 0 : b->family;
    if (ra != rb)
        return ra < rb;
    return ra == 4 && memcmp(a->lo, b->lo, sizeof(a->lo)) < 0;
}

static void sort_stable(dlo_addrset *s)
{
    size_t i, j;
    for (i = 1; i < s->count; i++) {
        dlo_addr_entry e = s->items[i];
        for (j = i; j > 0 && goes_before(&e, &s->items[j - 1]); j--)
            s->items[j] = s->items[j - 1];
        s->items[j] = e;
    }
}

/* Entry i of s lies inside entry j (keywords are inside nothing). */
static bool entry_inside(const dlo_addrset *s, size_t i, size_t j)
{
    dlo_addrset a = {false, &s->items[i], 1, 1}, b = {false, &s->items[j], 1, 1};
    return i != j && dlo_addrset_meet(&a, &b) == DLO_ADDR_INSIDE;
}

/* Leaves out each entry inside another (of two covering the same addresses, the later), as
 * Windows reads such a list back (WindowsFirewallHelper issue 64). */
static void drop_contained(dlo_addrset *s)
{
    size_t i, j, kept = 0;
    bool *drop = calloc(s->count + 1, sizeof(*drop));
    if (!drop)
        abort();
    for (i = 0; i < s->count; i++)
        for (j = 0; j < s->count && !drop[i]; j++)
            drop[i] = entry_inside(s, i, j) && (j < i || !entry_inside(s, j, i));
    for (i = 0; i < s->count; i++)
        if (!drop[i])
            s->items[kept++] = s->items[i];
    s->count = kept;
    free(drop);
}

/* An address list as m reads it back. */
static void read_back_addresses(const fwmem *m, char **list)
{
    const char *in = *list;
    dlo_addrset s;
    dlo_buf b;
    if (!m->readback || !in || !*in || dlo_addrset_parse(&in, 1, &s, NULL))
        return;
    if (m->readback & FWMEM_READBACK_DROP_CONTAINED)
        drop_contained(&s);
    if (m->readback & FWMEM_READBACK_SORTED)
        sort_stable(&s);
    dlo_buf_init(&b);
    dlo_addrset_format(&b, &s);
    if (dlo_buf_status(&b) || dlo_rule_set(list, dlo_buf_str(&b)))
        abort();
    dlo_buf_free(&b);
    dlo_addrset_free(&s);
}

static dlo_status mem_enumerate(void *ctx, dlo_rule_list *out, dlo_error *err)
{
    fwmem *m = ctx;
    size_t i;
    m->enumerations++;
    for (i = 0; i < m->rules.count; i++) {
        dlo_rule *r = dlo_rule_list_add(out);
        if (!r || dlo_rule_copy(r, &m->rules.items[i]))
            return dlo_error_set(err, DLO_E_NOMEM, "out of memory");
        r->handle = m->rules.items[i].handle;
        read_back_addresses(m, &r->remote_addresses);
        read_back_addresses(m, &r->local_addresses);
    }
    return DLO_OK;
}

static dlo_status mem_add(void *ctx, const dlo_rule *rule, dlo_error *err)
{
    fwmem *m = ctx;
    dlo_status st = write_allowed(m, err);
    if (st)
        return st;
    m->adds++;
    store(m, rule);
    return DLO_OK;
}

/* Each property is its own write, as each put_ is on Windows. */
static dlo_status mem_update(void *ctx, dlo_rule *current, const dlo_rule *wanted,
                             unsigned differences, dlo_error *err)
{
    fwmem *m = ctx;
    dlo_rule *r = by_handle(m, current->handle);
    size_t i;
    if (!r)
        return dlo_error_set(err, DLO_E_FIREWALL, "rule %p is gone", current->handle);
    for (i = 0; i < DLO_PROP_COUNT; i++) {
        dlo_status st;
        if (!(differences & dlo_props[i].bit))
            continue;
        st = write_allowed(m, err);
        if (st)
            return st;
        m->updates++;
        if (dlo_prop_copy(r, wanted, &dlo_props[i]))
            return dlo_error_set(err, DLO_E_NOMEM, "out of memory");
    }
    return DLO_OK;
}

static dlo_status mem_remove(void *ctx, dlo_rule *current, dlo_error *err)
{
    fwmem *m = ctx;
    dlo_rule *r = by_handle(m, current->handle);
    dlo_status st;
    if (!r)
        return dlo_error_set(err, DLO_E_FIREWALL, "rule %p is gone", current->handle);
    st = write_allowed(m, err);
    if (st)
        return st;
    m->removes++;
    dlo_rule_free(r);
    *r = m->rules.items[--m->rules.count];
    return DLO_OK;
}

static dlo_status mem_get_state(void *ctx, dlo_fw_state *out, dlo_error *err)
{
    (void)err;
    *out = ((fwmem *)ctx)->state;
    return DLO_OK;
}

static void mem_release(void *ctx, dlo_rule_list *list)
{
    size_t i;
    (void)ctx;
    for (i = 0; i < list->count; i++)
        list->items[i].handle = NULL;
}

dlo_fw_backend fwmem_backend(fwmem *m)
{
    dlo_fw_backend b = {m,          mem_enumerate, mem_add,    mem_update,
                        mem_remove, mem_get_state, mem_release};
    return b;
}

size_t fwmem_count(const fwmem *m, const char *grouping)
{
    size_t i, n = 0;
    for (i = 0; i < m->rules.count; i++)
        if (!grouping || strcmp(dlo_str(m->rules.items[i].grouping), grouping) == 0)
            n++;
    return n;
}

const dlo_rule *fwmem_find(const fwmem *m, const char *name, const char *grouping)
{
    size_t i;
    for (i = 0; i < m->rules.count; i++) {
        const dlo_rule *r = &m->rules.items[i];
        if (strcmp(dlo_str(r->name), name) == 0 &&
            strcmp(dlo_str(r->grouping), dlo_str(grouping)) == 0)
            return r;
    }
    return NULL;
}
