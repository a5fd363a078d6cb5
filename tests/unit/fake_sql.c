#include "fake_sql.h"

#include <string.h>

#include "testutil.h"

static dlo_status sql_embedded(void *ctx, const char *name, dlo_buf *out, dlo_error *err)
{
    (void)ctx;
    if (strcmp(name, "PORTMATRIX") == 0)
        test_read_source_file("policies/dlo-10.0.ports", out);
    else if (strcmp(name, "DETECTION") == 0)
        test_read_source_file("policies/dlo-10.0.detect", out);
    else
        return dlo_error_set(err, DLO_E_NOTFOUND, "no %s", name);
    return DLO_OK;
}

static dlo_status sql_services(void *ctx, dlo_service_list *out, dlo_error *err)
{
    (void)ctx;
    if (dlo_service_list_add(out, "DLOAdminSvcu", "DLO Administration Service",
                             DLO_SERVICE_RUNNING) ||
        dlo_service_list_add(out, "MSSQLSERVER", "SQL Server (MSSQLSERVER)", DLO_SERVICE_RUNNING))
        return dlo_error_set(err, DLO_E_NOMEM, "out of memory");
    return DLO_OK;
}

static dlo_status sql_no_file(void *ctx, const char *path, dlo_error *err)
{
    (void)ctx, (void)path, (void)err;
    return DLO_E_NOTFOUND;
}

static dlo_status sql_folder(void *ctx, const char *name, dlo_buf *out, dlo_error *err)
{
    (void)ctx, (void)err;
    dlo_buf_printf(out, "C:\\%s", name);
    return DLO_OK;
}

static dlo_status sql_listeners(void *ctx, dlo_listener_list *out, dlo_error *err)
{
    const fake_sql *m = ctx;
    size_t i;
    if (m->listeners_fail)
        return dlo_error_set(err, DLO_E_IO, "GetExtendedTcpTable: access denied");
    for (i = 0; i < m->listeners.count; i++) {
        const dlo_listener *l = &m->listeners.items[i];
        if (dlo_listener_add(out, l->protocol, l->port, l->pid, l->image, l->service))
            return dlo_error_set(err, DLO_E_NOMEM, "out of memory");
        out->items[out->count - 1].owner_unknown = l->owner_unknown;
    }
    return DLO_OK;
}

static dlo_status sql_open_firewall(void *ctx, dlo_fw_backend *out, dlo_error *err)
{
    (void)err;
    *out = fwmem_backend(&((fake_sql *)ctx)->fw);
    return DLO_OK;
}

static void sql_close_firewall(void *ctx, dlo_fw_backend *fw)
{
    (void)ctx;
    memset(fw, 0, sizeof(*fw));
}

static bool sql_elevated(void *ctx)
{
    (void)ctx;
    return true;
}

static void sql_out(void *ctx, const char *s, size_t n)
{
    dlo_buf_append(&((fake_sql *)ctx)->out, s, n);
}

static void sql_err(void *ctx, const char *s, size_t n)
{
    dlo_buf_append(&((fake_sql *)ctx)->err, s, n);
}

void fake_sql_init(fake_sql *m, const char *tcp_port)
{
    dlo_detect_os os = {m, sql_services, sql_no_file, sql_folder};
    memset(m, 0, sizeof(*m));
    fake_reg_init(&m->reg);
    fake_reg_sz(&m->reg, "SOFTWARE\\Microsoft\\Microsoft SQL Server\\Instance Names\\SQL",
                "MSSQLSERVER", "MSSQL16.MSSQLSERVER");
    fake_reg_sz(&m->reg, FAKE_SQL_IPALL, "TcpPort", tcp_port);
    fwmem_init(&m->fw);
    m->os = os;
    m->plat.ctx = m;
    m->plat.write_out = sql_out;
    m->plat.write_err = sql_err;
    m->plat.load_embedded = sql_embedded;
    m->plat.open_firewall = sql_open_firewall;
    m->plat.close_firewall = sql_close_firewall;
    m->plat.is_elevated = sql_elevated;
    m->plat.registry = fake_reg_seam(&m->reg);
    m->plat.detect_os = &m->os;
    m->probe.ctx = m;
    m->probe.listeners = sql_listeners;
    m->plat.probe_os = &m->probe;
    dlo_buf_init(&m->out);
    dlo_buf_init(&m->err);
}

void fake_sql_break_port(fake_sql *m)
{
    fake_reg_fail(&m->reg, FAKE_SQL_IPALL, "TcpPort", DLO_E_ACCESS);
}

void fake_sql_listen(fake_sql *m, int protocol, unsigned port, unsigned long pid, const char *image,
                     const char *service, bool owner_unknown)
{
    if (dlo_listener_add(&m->listeners, protocol, port, pid, image, service)) {
        fprintf(stderr, "fake_sql_listen: out of memory\n");
        abort();
    }
    m->listeners.items[m->listeners.count - 1].owner_unknown = owner_unknown;
}

void fake_sql_silence(fake_sql *m)
{
    dlo_listener_list_free(&m->listeners);
}

void fake_sql_free(fake_sql *m)
{
    dlo_listener_list_free(&m->listeners);
    fwmem_free(&m->fw);
    fake_reg_free(&m->reg);
    dlo_buf_free(&m->out);
    dlo_buf_free(&m->err);
}
