/* Prints the configuration values the agent reads, from the core's own table, for the checks of
 * the Group Policy template and the MSI against the agent:
 *   {"installer_key": "...", "policy_key": "...",
 *    "values": [{"name": "BOIMode", "policy": true, "types": ["REG_SZ"], "switch": "mode",
 *                "flag": false}]}
 * "policy": read from the policy key too; "types": the registry types the agent accepts; "flag":
 * an on/off value (REG_DWORD 1 or 0). */
#include <stdio.h>

#include "dlo/buf.h"
#include "dlo/config.h"
#include "dlo/registry.h"

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
        dlo_buf_printf(&out, ", \"flag\": %s}",
                       dlo_config_item_is_flag((dlo_config_item)item) ? "true" : "false");
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
