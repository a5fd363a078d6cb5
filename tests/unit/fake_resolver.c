#include "fake_resolver.h"

#include "dlo/addr.h"

#include <string.h>

static unsigned long long fake_now(void *ctx)
{
    return ((fake_resolver *)ctx)->now;
}

static void parse_addrs(const char *list, dlo_resolved_ip *out, size_t max, size_t *n)
{
    const char *p = list;
    while (*p && *n < max) {
        size_t len = strcspn(p, ",");
        dlo_resolved_ip ip;
        memset(&ip, 0, sizeof(ip));
        if (dlo_addr_parse_ipv4(p, len, ip.addr))
            ip.family = 4;
        else if (dlo_addr_parse_ipv6(p, len, ip.addr))
            ip.family = 6;
        if (ip.family)
            out[(*n)++] = ip;
        p += len + (p[len] == ',');
    }
}

static dlo_status fake_resolve(void *ctx, const char *name, unsigned timeout_ms,
                               dlo_resolved_ip *out, size_t max, size_t *n, unsigned *ttl,
                               dlo_error *err)
{
    fake_resolver *f = ctx;
    size_t i;
    f->calls++;
    f->last_timeout_ms = timeout_ms;
    *n = 0;
    *ttl = 0;
    for (i = 0; i < f->n; i++) {
        const fake_answer *a = &f->answers[i];
        if (strcmp(a->name, name) != 0)
            continue;
        if (a->delay_ms > timeout_ms) {
            f->now += timeout_ms;
            return dlo_error_set(err, DLO_E_IO, "no answer within %u ms", timeout_ms);
        }
        f->now += a->delay_ms;
        if (!a->addrs)
            return dlo_error_set(err, DLO_E_NOTFOUND, "no such host is known");
        parse_addrs(a->addrs, out, max, n);
        *ttl = a->ttl;
        return DLO_OK;
    }
    return dlo_error_set(err, DLO_E_NOTFOUND, "no such host is known");
}

void fake_resolver_init(fake_resolver *f)
{
    memset(f, 0, sizeof(*f));
    f->seam.ctx = f;
    f->seam.resolve = fake_resolve;
    f->seam.now_ms = fake_now;
    f->now = 1000;
}

void fake_resolver_set(fake_resolver *f, const char *name, const char *addrs, unsigned ttl,
                       unsigned delay_ms)
{
    size_t i;
    for (i = 0; i < f->n && strcmp(f->answers[i].name, name) != 0; i++)
        ;
    if (i == FAKE_RESOLVER_MAX)
        return;
    f->answers[i].name = name;
    f->answers[i].addrs = addrs;
    f->answers[i].ttl = ttl;
    f->answers[i].delay_ms = delay_ms;
    if (i == f->n)
        f->n++;
}
