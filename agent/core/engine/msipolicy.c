#include "dlo/msipolicy.h"

#include "dlo/buf.h"

#include <string.h>

static bool changes(const dlo_msi_value *v)
{
    return v->given && (!v->current || strcmp(v->given, v->current) != 0);
}

dlo_status dlo_msi_policy_check(bool installed, dlo_msi_client client, const dlo_msi_value *v,
                                size_t n, dlo_error *err)
{
    dlo_buf names;
    dlo_status st = DLO_OK;
    size_t i;

    if (!installed || client == DLO_MSI_CLIENT_ADMIN || client == DLO_MSI_CLIENT_SYSTEM)
        return DLO_OK;
    dlo_buf_init(&names);
    for (i = 0; i < n; i++)
        if (changes(&v[i]))
            dlo_buf_printf(&names, "%s%s=\"%s\" (now %s%s%s)", names.len ? ", " : "", v[i].name,
                           v[i].given, v[i].current ? "\"" : "",
                           v[i].current ? v[i].current : "unset", v[i].current ? "\"" : "");
    if (dlo_buf_status(&names))
        st = dlo_error_set(err, DLO_E_NOMEM, "out of memory");
    else if (names.len)
        st = dlo_error_set(err, DLO_E_ACCESS,
                           "this maintenance install (repair or change of the installed product) "
                           "would change the configuration: %s; it was not started by an elevated "
                           "administrator, and only an elevated administrator, a first install or "
                           "a Group Policy assignment may change it. Nothing was changed",
                           dlo_buf_str(&names));
    dlo_buf_free(&names);
    return st;
}

dlo_status dlo_msi_verdict_check(const char *custom_action_data, dlo_error *err)
{
    if (custom_action_data && strcmp(custom_action_data, DLO_MSI_VERDICT_ALLOWED) == 0)
        return DLO_OK;
    return dlo_error_set(err, DLO_E_ACCESS,
                         "the configuration values are not written: the check of who may change "
                         "them did not pass before this step (it was given \"%.64s\", expected "
                         "the verdict of the package's own check)",
                         custom_action_data ? custom_action_data : "");
}
