/* Feeds the detection table parser arbitrary text. What parses is then described, run against
 * a small fixed machine and formatted as text and JSON, so the matcher and the report see
 * whatever patterns and paths the parser lets through. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dlo/detect.h"
#include "dlo/report.h"
#include "dlo/str.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static dlo_status list_services(void *ctx, dlo_service_list *out, dlo_error *err)
{
    (void)ctx;
    (void)err;
    if (dlo_service_list_add(out, "DLOAdminSvcu", "DLO Administration Service",
                             DLO_SERVICE_RUNNING) ||
        dlo_service_list_add(out, "MSSQL$DLO", "SQL Server (DLO)", DLO_SERVICE_RUNNING))
        return DLO_E_NOMEM;
    return DLO_OK;
}

static dlo_status set_text(dlo_reg_value *out, const char *s)
{
    out->type = DLO_REG_SZ;
    out->text = dlo_strdup(s);
    out->text_len = strlen(s) + 1;
    out->size = out->text_len * 2;
    return out->text ? DLO_OK : DLO_E_NOMEM;
}

static dlo_status reg_read(void *ctx, dlo_reg_view view, const char *key, const char *value,
                           dlo_reg_value *out, dlo_error *err)
{
    (void)ctx;
    (void)view;
    (void)err;
    if (strstr(key, "Uninstall\\") && strcmp(value, "DisplayName") == 0)
        return set_text(out, "Arctera DLO Edge Server");
    if (strstr(key, "Instance Names"))
        return set_text(out, "MSSQL16.DLO");
    if (strcmp(value, "TcpPort") == 0)
        return set_text(out, "1433,x");
    /* Every other value names a folder, so regfile entries reach file_exists. */
    return set_text(out, "\"C:\\DLO\\\"");
}

static dlo_status reg_subkeys(void *ctx, dlo_reg_view view, const char *key, dlo_strlist *out,
                              dlo_error *err)
{
    (void)ctx;
    (void)key;
    if (view == DLO_REG_VIEW_32)
        return dlo_error_set(err, DLO_E_ACCESS, "denied");
    return dlo_strlist_add(out, "{EDGE}");
}

static dlo_status file_exists(void *ctx, const char *path, dlo_error *err)
{
    (void)ctx;
    return strlen(path) % 2 ? DLO_OK : dlo_error_set(err, DLO_E_NOTFOUND, "no");
}

static dlo_status known_folder(void *ctx, const char *name, dlo_buf *out, dlo_error *err)
{
    (void)ctx;
    (void)err;
    dlo_buf_printf(out, "C:\\%s", name);
    return DLO_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const dlo_detect_os os = {NULL, list_services, file_exists, known_folder};
    static const dlo_registry reg = {NULL, reg_read, reg_subkeys, NULL};
    dlo_detect_params params = {NULL, NULL};
    dlo_detect_table table;
    dlo_detect_result result;
    dlo_error err;
    dlo_buf out;
    size_t i;

    dlo_detect_table_init(&table);
    dlo_error_clear(&err);
    if (dlo_detect_table_parse(&table, "fuzz.detect", (const char *)data, size, &err)) {
        /* Every failure explains itself, names the file, and leaves nothing behind. */
        if (err.msg[0] == '\0' || strncmp(err.msg, "fuzz.detect:", 12) != 0 || table.count)
            abort();
        return 0;
    }
    dlo_buf_init(&out);
    for (i = 0; i < table.count; i++)
        dlo_detect_entry_describe(&out, &table.entries[i]);
    if (dlo_detect_run(&table, &os, &reg, &params, &result, &err))
        abort();
    dlo_report_detect_text(&out, &result);
    dlo_report_detect_json(&out, &result);
    dlo_detect_result_free(&result);
    dlo_buf_free(&out);
    dlo_detect_table_free(&table);
    return 0;
}
