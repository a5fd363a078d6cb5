/* A machine with the DLO Administration Server and its SQL Server instance (MSSQLSERVER), for
 * tests of a whole pass or command: the embedded port matrix and detection table, the two
 * services, the registry (fake_registry: the instance id and its IPAll port), no files, and an
 * in-memory firewall. Output goes to two buffers. */
#ifndef DLO_TEST_FAKE_SQL_H
#define DLO_TEST_FAKE_SQL_H

#include "dlo/detect.h"
#include "dlo/platform.h"
#include "dlo/probe.h"
#include "fake_registry.h"
#include "fwmem.h"

#define FAKE_SQL_IPALL                                                                             \
    "SOFTWARE\\Microsoft\\Microsoft SQL Server\\MSSQL16.MSSQLSERVER\\MSSQLServer\\"                \
    "SuperSocketNetLib\\Tcp\\IPAll"

typedef struct fake_sql {
    fake_registry reg;
    fwmem fw;
    dlo_detect_os os;
    dlo_probe_os probe;          /* the listeners table: `listeners`, or a read failure */
    dlo_listener_list listeners; /* empty: nothing listens */
    bool listeners_fail;
    dlo_platform plat;
    dlo_buf out, err;
} fake_sql;

/* The machine, with IPAll TcpPort set to tcp_port. */
void fake_sql_init(fake_sql *m, const char *tcp_port);
/* From now on reading IPAll TcpPort fails (access denied): the port falls back to 1433. */
void fake_sql_break_port(fake_sql *m);
/* A row of the listeners table (image, service NULL: unknown, none); owner_unknown for a row
 * whose owner the table could not tell. */
void fake_sql_listen(fake_sql *m, int protocol, unsigned port, unsigned long pid, const char *image,
                     const char *service, bool owner_unknown);
/* Nothing listens any more. */
void fake_sql_silence(fake_sql *m);
void fake_sql_free(fake_sql *m);

#endif
