/* Prints the configuration values the agent reads, from the core's own rows (dlo_config_rows),
 * for the checks of the Group Policy template and the MSI against the agent:
 *   {"installer_key": "...", "policy_key": "...",
 *    "values": [{"name": "BOIMode", "type": "mode", "policy": true, "msi": "BOIMODE",
 *                "types": ["REG_SZ"], "switch": "mode", "flag": false, "default": "nonboi",
 *                "choices": ["nonboi", "exclusive", "occasional"]}]}
 * "policy": read from the policy key too; "msi": the MSI property that writes it (null when
 * not "policy"); "types": the registry types the agent accepts; "flag": an on/off value
 * (REG_DWORD 1 or 0); "min", "max": the bounds of a number; "default": the value when not
 * configured (null when that is "not set"); "choices": the names a mode or choice takes. */
#include <stdio.h>

#include "dlo/buf.h"
#include "dlo/config.h"
#include "dlo/registry.h"
#include "dlo/roles.h"

static const char *const type_names[] = {
    [DLO_CT_MODE] = "mode",         [DLO_CT_ROLES] = "roles",       [DLO_CT_PORT] = "port",
    [DLO_CT_INSTANCE] = "instance", [DLO_CT_SCOPE] = "scope",       [DLO_CT_NUMBER] = "number",
    [DLO_CT_PATH] = "path",         [DLO_CT_PROFILES] = "profiles", [DLO_CT_FLAG] = "flag",
    [DLO_CT_CHOICE] = "choice",
};

/* The name of choice i of a mode or choice row. */
static const char *choice_name(const dlo_config_row *row, unsigned i)
{
    if (row->type == DLO_CT_MODE)
        return i < DLO_MODE_COUNT ? dlo_mode_name((dlo_mode)i) : NULL;
    return i < row->n_choices ? row->choices[i].name : NULL;
}

/* The row's facts beyond name, policy, types and switch. */
static void put_row(dlo_buf *out, const dlo_config_row *row)
{
    unsigned i;

    dlo_buf_puts(out, ", \"type\": ");
    dlo_buf_json_str(out, type_names[row->type]);
    dlo_buf_puts(out, ", \"msi\": ");
    if (row->msi)
        dlo_buf_json_str(out, row->msi);
    else
        dlo_buf_puts(out, "null");
    if (row->type == DLO_CT_NUMBER || row->type == DLO_CT_PORT || row->type == DLO_CT_FLAG)
        dlo_buf_printf(out, ", \"min\": %u, \"max\": %u", row->min, row->max);
    dlo_buf_puts(out, ", \"default\": ");
    if (row->type == DLO_CT_MODE || row->type == DLO_CT_CHOICE)
        dlo_buf_json_str(out, choice_name(row, row->def));
    else if ((row->type == DLO_CT_NUMBER && row->def) || row->type == DLO_CT_FLAG)
        dlo_buf_printf(out, "%u", row->def);
    else
        dlo_buf_puts(out, "null");
    if (row->type != DLO_CT_MODE && row->type != DLO_CT_CHOICE)
        return;
    dlo_buf_puts(out, ", \"choices\": [");
    for (i = 0; choice_name(row, i); i++) {
        dlo_buf_puts(out, i ? ", " : "");
        dlo_buf_json_str(out, choice_name(row, i));
    }
    dlo_buf_putc(out, ']');
}

int main(void)
{
    dlo_buf out;
    int item;
    unsigned long type;

    dlo_buf_init(&out);
    dlo_buf_puts(&out, "{\"installer_key\": ");
    dlo_buf_json_str(&out, "HKLM\\" DLO_CONFIG_KEY_INSTALLER);
    dlo_buf_puts(&out, ",\n \"policy_key\": ");
    dlo_buf_json_str(&out, "HKLM\\" DLO_CONFIG_KEY_POLICY);
    dlo_buf_puts(&out, ",\n \"values\": [");
    for (item = 0; item < DLO_CFG_COUNT; item++) {
        const char *sw = dlo_config_item_switch((dlo_config_item)item);
        unsigned types = dlo_config_item_types((dlo_config_item)item);
        bool first = true;

        dlo_buf_printf(&out, "%s\n  {\"name\": ", item ? "," : "");
        dlo_buf_json_str(&out, dlo_config_item_name((dlo_config_item)item));
        dlo_buf_printf(&out, ", \"policy\": %s, \"types\": [",
                       dlo_config_item_in_policy((dlo_config_item)item) ? "true" : "false");
        for (type = 0; type < 32; type++) {
            char tbuf[32];
            if (!(types & DLO_REG_TYPE_BIT(type)))
                continue;
            dlo_buf_puts(&out, first ? "" : ", ");
            dlo_buf_json_str(&out, dlo_reg_type_name(type, tbuf, sizeof(tbuf)));
            first = false;
        }
        dlo_buf_puts(&out, "], \"switch\": ");
        if (sw)
            dlo_buf_json_str(&out, sw);
        else
            dlo_buf_puts(&out, "null");
        dlo_buf_printf(&out, ", \"flag\": %s",
                       dlo_config_item_is_flag((dlo_config_item)item) ? "true" : "false");
        put_row(&out, dlo_config_row_of((dlo_config_item)item));
        dlo_buf_putc(&out, '}');
    }
    dlo_buf_puts(&out, "\n]}\n");
    if (dlo_buf_status(&out)) {
        fputs("config_items: out of memory\n", stderr);
        return 3;
    }
    fwrite(out.data, 1, out.len, stdout);
    dlo_buf_free(&out);
    return 0;
}
