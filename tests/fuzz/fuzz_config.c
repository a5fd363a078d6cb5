/* Feeds the configuration arbitrary registry values: any item, in either key, of any type, with
 * any data and any declared size, the way a script, a bad GPO or a person with regedit can
 * leave them. The load must refuse with a message or give a configuration that holds together:
 * every scope in normal form (a fixed point, or the agent rewrites rules forever), a positive
 * drift-repair period, and the same answer when loaded twice.
 *
 * Input: records of [item][flags: bit 0 policy key, bit 1 too large][type][declared size]
 * [data length][data]. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dlo/addr.h"
#include "dlo/config.h"
#include "dlo/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_RECORDS 32

typedef struct record {
    const char *key, *name;
    unsigned long type;
    size_t declared;
    int oversize;
    const uint8_t *bytes;
    size_t len;
} record;

typedef struct fuzz_registry {
    record r[MAX_RECORDS];
    size_t n;
} fuzz_registry;

static dlo_status fill_text(dlo_reg_value *out, const record *rec)
{
    size_t i;
    out->text = malloc(rec->len + 2);
    if (!out->text)
        return DLO_E_NOMEM;
    memcpy(out->text, rec->bytes, rec->len);
    out->text[rec->len] = '\0';
    out->text[rec->len + 1] = '\0';
    if (rec->type != DLO_REG_MULTI_SZ) {
        out->text_len = strlen(out->text) + 1;
        return DLO_OK;
    }
    /* The strings as the registry keeps them, each NUL-terminated. */
    out->text_len = rec->len + 1;
    out->count = rec->len ? 1 : 0;
    for (i = 0; i + 1 < rec->len; i++)
        out->count += rec->bytes[i] == '\0';
    return DLO_OK;
}

static dlo_status fuzz_read(void *ctx, dlo_reg_view view, const char *key, const char *name,
                            dlo_reg_value *out, dlo_error *err)
{
    fuzz_registry *f = ctx;
    size_t i, k;
    (void)view;
    (void)err;
    dlo_reg_value_init(out);
    for (i = f->n; i-- > 0;) {
        const record *rec = &f->r[i];
        if (strcmp(rec->key, key) != 0 || strcmp(rec->name, name) != 0)
            continue;
        out->type = rec->type;
        out->size = rec->declared;
        out->oversize = rec->oversize;
        if (rec->oversize)
            return DLO_OK;
        if (rec->type == DLO_REG_SZ || rec->type == DLO_REG_EXPAND_SZ ||
            rec->type == DLO_REG_MULTI_SZ)
            return fill_text(out, rec);
        for (k = 0; k < rec->len && k < 8; k++)
            out->number |= (uint64_t)rec->bytes[k] << (8 * k);
        return DLO_OK;
    }
    return DLO_E_NOTFOUND;
}

static size_t parse_records(fuzz_registry *f, const uint8_t *data, size_t size)
{
    size_t pos = 0;
    f->n = 0;
    while (pos + 5 <= size && f->n < MAX_RECORDS) {
        record *rec = &f->r[f->n++];
        rec->name = dlo_config_item_name((dlo_config_item)(data[pos] % DLO_CFG_COUNT));
        rec->key = (data[pos + 1] & 1) ? DLO_CONFIG_KEY_POLICY : DLO_CONFIG_KEY_INSTALLER;
        rec->oversize = (data[pos + 1] & 2) != 0;
        rec->type = data[pos + 2] % 12;
        rec->declared = data[pos + 3];
        rec->len = data[pos + 4];
        pos += 5;
        if (rec->len > size - pos)
            rec->len = size - pos;
        rec->bytes = data + pos;
        pos += rec->len;
    }
    return f->n;
}

static void check_loaded(const dlo_config *cfg, const dlo_registry *reg)
{
    dlo_config again, copy;
    dlo_buf b;
    dlo_error err;
    int r;

    dlo_buf_init(&b);
    for (r = 0; r < DLO_ROLE_COUNT; r++) {
        const char *scope = cfg->scopes[r];
        if (!scope)
            abort();
        dlo_buf_reset(&b);
        dlo_error_clear(&err);
        if (dlo_addr_normalize_scope(&scope, 1, DLO_OS_BUILD_UNKNOWN, &b, &err) != DLO_OK ||
            strcmp(dlo_buf_str(&b), cfg->scopes[r]) != 0)
            abort(); /* a scope not in normal form would be rewritten on every pass */
    }
    if (cfg->interval_seconds == 0)
        abort();
    if (dlo_config_load(&again, reg, NULL, &err) != DLO_OK || !dlo_config_equal(cfg, &again))
        abort();
    if (dlo_config_copy(&copy, cfg) != DLO_OK || !dlo_config_equal(cfg, &copy))
        abort();
    dlo_buf_reset(&b);
    dlo_report_config_text(&b, cfg);
    dlo_report_config_json(&b, cfg);
    dlo_config_free(&again);
    dlo_config_free(&copy);
    dlo_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_registry f;
    dlo_registry reg = {.ctx = &f, .read = fuzz_read};
    dlo_config cfg;
    dlo_error err;
    dlo_status st;

    parse_records(&f, data, size);
    dlo_error_clear(&err);
    st = dlo_config_load(&cfg, &reg, NULL, &err);
    if (st == DLO_OK)
        check_loaded(&cfg, &reg);
    else if (err.msg[0] == '\0')
        abort(); /* every refusal names what was wrong */
    dlo_config_free(&cfg);
    return 0;
}
