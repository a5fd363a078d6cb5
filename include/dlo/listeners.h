/* The listeners table as the Windows layer reads it (GetExtendedTcpTable, GetExtendedUdpTable):
 * rows of protocol, port and owning process, each process's image and service looked up once,
 * however many processes and rows there are. The evidence a binding rests on (dlo/binding.h)
 * must not vanish because a machine runs more processes than some cache holds: a process whose
 * owner could not be read is marked so (dlo_listener.owner_unknown), never shown as a program
 * that is no service. */
#ifndef DLO_LISTENERS_H
#define DLO_LISTENERS_H

#include "dlo/probe.h"
#include "dlo/status.h"

#include <stdbool.h>
#include <stddef.h>

/* Who process pid is: its image path and the service it hosts, each a new string or NULL (not
 * readable, or none). False when who it is cannot be told at all (the services could not be
 * listed). */
typedef bool (*dlo_owner_fn)(void *ctx, unsigned long pid, char **image, char **service);

typedef struct dlo_owner {
    unsigned long pid;
    char *image, *service;
    bool unknown;
} dlo_owner;

typedef struct dlo_listener_table {
    dlo_listener_list *out;
    dlo_owner_fn lookup;
    void *ctx;
    dlo_owner *owners; /* every process looked up so far */
    size_t n_owners, cap_owners;
} dlo_listener_table;

/* Rows go to out; owners come from lookup(ctx, ...). */
void dlo_listener_table_init(dlo_listener_table *t, dlo_listener_list *out, dlo_owner_fn lookup,
                             void *ctx);
/* Appends one row with its owner, unless the same process already listens on that protocol
 * and port (IPv4 and IPv6, or two local addresses). PID 0 is no process the table could name
 * (Wine 8 gives it for a socket whose owner it did not find): its owner is unknown. */
dlo_status dlo_listener_table_row(dlo_listener_table *t, int protocol, unsigned port,
                                  unsigned long pid);
/* Frees the owners; the rows stay in out. */
void dlo_listener_table_free(dlo_listener_table *t);

#endif
