/* Feeds the rule comparison two arbitrary rules, the way an enumeration can return anything a
 * person or a program wrote. The comparison decides what the agent rewrites, so it must be an
 * equivalence: a rule equals itself and its copy (or a compliant firewall would be rewritten
 * every pass), the answer does not depend on which side is which, and every property a
 * difference names can be formatted for the report.
 *
 * Input: NUL-separated fields; the first five bytes of the last field are the numbers. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dlo/addr.h"
#include "dlo/portset.h"
#include "dlo/reconcile.h"
#include "dlo/rule.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The text properties, filled in table order from the fields. */
static size_t fill(dlo_rule *r, char **fields, size_t n, size_t next)
{
    size_t i;
    for (i = 0; i < DLO_PROP_COUNT; i++) {
        const dlo_prop *p = &dlo_props[i];
        if (p->type > DLO_PT_ADDRS || next >= n)
            continue;
        if (dlo_prop_set_text(r, p, fields[next++]) != DLO_OK)
            abort();
    }
    return next;
}

static void numbers(dlo_rule *r, const unsigned char *b, size_t n)
{
    static const int protocols[] = {DLO_PROTO_TCP, DLO_PROTO_UDP, DLO_PROTO_ANY, 1, 58};
    if (n < 5)
        return;
    r->direction = (b[0] & 1) ? DLO_DIR_IN : DLO_DIR_OUT;
    r->protocol = protocols[b[1] % 5];
    r->profiles = (unsigned)b[2] | ((b[2] & 0x80) ? 0x7FFFFF00u : 0);
    r->action = (b[3] & 1) ? DLO_ACTION_ALLOW : DLO_ACTION_BLOCK;
    r->enabled = b[4] & 1;
}

/* Only a list that parses can equal anything: a read-back the agent cannot read is rewritten.
 * Whatever parses must equal itself and its copy. */
static bool parses(const dlo_prop *p, const char *text)
{
    dlo_portset ports;
    dlo_buf addrs;
    bool ok;
    if (p->type == DLO_PT_PORTS) {
        ok = dlo_portset_parse(text, DLO_PORTS_FIREWALL, &ports, NULL) == DLO_OK;
        dlo_portset_free(&ports);
        return ok;
    }
    if (p->type != DLO_PT_ADDRS || !text || !text[strspn(text, " \t")])
        return true; /* a blank list is "any" */
    dlo_buf_init(&addrs);
    ok = dlo_addr_normalize(&text, 1, DLO_OS_BUILD_UNKNOWN, &addrs, NULL) == DLO_OK;
    dlo_buf_free(&addrs);
    return ok;
}

static void check_reflexive(const dlo_rule *a, const dlo_rule *copy)
{
    size_t i;
    for (i = 0; i < DLO_PROP_COUNT; i++) {
        const dlo_prop *p = &dlo_props[i];
        bool self = dlo_prop_equal(p, a, a);
        if (self != dlo_prop_equal(p, a, copy) || self != dlo_prop_equal(p, copy, a))
            abort();
        if (!self && (p->type > DLO_PT_ADDRS || parses(p, dlo_prop_text(a, p))))
            abort(); /* only a list can fail to parse */
    }
}

static void check_reports(const dlo_rule *a, unsigned diff)
{
    dlo_buf b;
    unsigned bit;
    dlo_buf_init(&b);
    for (bit = 1; bit && bit < (1u << DLO_PROP_COUNT); bit <<= 1) {
        if (!(diff & bit))
            continue;
        if (!dlo_prop_name(bit))
            abort();
        dlo_prop_value(&b, a, bit);
    }
    dlo_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *copy = malloc(size + 1);
    char *fields[2 * DLO_PROP_COUNT + 1];
    size_t n = 0, i, start = 0, next;
    dlo_rule a, b, a2;
    unsigned ab, ba;

    if (!copy)
        return 0;
    memcpy(copy, data, size);
    copy[size] = '\0';
    for (i = 0; i <= size && n < sizeof(fields) / sizeof(fields[0]); i++) {
        if (copy[i] == '\0') {
            fields[n++] = copy + start;
            start = i + 1;
        }
    }
    dlo_rule_init(&a);
    dlo_rule_init(&b);
    next = fill(&a, fields, n, 0);
    next = fill(&b, fields, n, next);
    if (n > 0) {
        numbers(&a, (const unsigned char *)fields[n - 1], strlen(fields[n - 1]));
        numbers(&b, (const unsigned char *)fields[n - 1] + 5,
                strlen(fields[n - 1]) > 5 ? strlen(fields[n - 1]) - 5 : 0);
    }
    if (dlo_rule_copy(&a2, &a) != DLO_OK)
        abort();
    check_reflexive(&a, &a2);
    ab = dlo_rule_differences(&a, &b);
    ba = dlo_rule_differences(&b, &a);
    if (ab != ba)
        abort();
    check_reports(&a, ab);
    check_reports(&b, ab);
    dlo_rule_free(&a);
    dlo_rule_free(&a2);
    dlo_rule_free(&b);
    free(copy);
    return 0;
}
