#include "dlo/listeners.h"

#include "dlo/str.h"

#include <stdlib.h>
#include <string.h>

void dlo_listener_table_init(dlo_listener_table *t, dlo_listener_list *out, dlo_owner_fn lookup,
                             void *ctx)
{
    memset(t, 0, sizeof(*t));
    t->out = out;
    t->lookup = lookup;
    t->ctx = ctx;
}

/* The owner of pid, looked up the first time it is asked for; NULL when out of memory. */
static const dlo_owner *owner_of(dlo_listener_table *t, unsigned long pid)
{
    dlo_owner *o;
    size_t i;
    for (i = 0; i < t->n_owners; i++)
        if (t->owners[i].pid == pid)
            return &t->owners[i];
    o = dlo_array_grow(t->owners, &t->cap_owners, t->n_owners, sizeof(*o));
    if (!o)
        return NULL;
    t->owners = o;
    o = &t->owners[t->n_owners++];
    memset(o, 0, sizeof(*o));
    o->pid = pid;
    o->unknown = pid == 0 || !t->lookup || !t->lookup(t->ctx, pid, &o->image, &o->service);
    return o;
}

dlo_status dlo_listener_table_row(dlo_listener_table *t, int protocol, unsigned port,
                                  unsigned long pid)
{
    const dlo_owner *o;
    size_t i;
    for (i = 0; i < t->out->count; i++)
        if (t->out->items[i].protocol == protocol && t->out->items[i].port == port &&
            t->out->items[i].pid == pid)
            return DLO_OK;
    o = owner_of(t, pid);
    if (!o || dlo_listener_add(t->out, protocol, port, pid, o->image, o->service))
        return DLO_E_NOMEM;
    t->out->items[t->out->count - 1].owner_unknown = o->unknown;
    return DLO_OK;
}

void dlo_listener_table_free(dlo_listener_table *t)
{
    size_t i;
    for (i = 0; i < t->n_owners; i++) {
        free(t->owners[i].image);
        free(t->owners[i].service);
    }
    free(t->owners);
    memset(t, 0, sizeof(*t));
}
