/* DloCheckProperties: the configuration properties, checked by the agent's own code and carried
 * over from the installer key, and which values' components the package installs.
 *
 * Immediate, before costing (which evaluates the component conditions): each public property
 * the package writes is checked as the registry value it will become, so the package and the
 * agent never disagree on what is valid; a property that is not given takes the value already
 * in the key, so an upgrade or a repair writes back what is there. Then, for each value, the
 * private property Dlo<ValueName>Write ("1" or unset) that is the condition of its component
 * (build-msi.sh): set only for a value this check accepted or carried over, and cleared
 * otherwise, whatever the command line held, so no property a user passes turns a component on.
 * Who may change the configuration is judged later, on the action states (ca_plan.h). */
#ifndef DLO_CA_PROPS_H
#define DLO_CA_PROPS_H

#include "ca_msi.h"

#include "dlo/config.h"
#include "dlo/registry.h"

UINT ca_props_check(MSIHANDLE install);

/* The registry value the package writes for item from text, as its component's Registry row
 * "[PROP]" or "#[PROP]" makes it: a REG_DWORD for the values the agent reads as numbers when
 * the text is a decimal number (normalised to its digits: blanks around them would not
 * survive "#"), else the REG_SZ text. DLO_E_CONFIG (why in err) for a REG_SZ the package
 * cannot write as it is: one that starts with '#', which Windows Installer's Registry table
 * reads as a number, binary data or an expandable string. */
dlo_status ca_written_value(dlo_config_item item, const char *text, dlo_reg_value *out,
                            dlo_error *err);

/* The MSI property of a value, from its row ("BOIMODE" for BOIMode; size at least 64). */
void ca_property_name(dlo_config_item item, char *out, size_t size);

/* The private property that is the condition of a value's component: "DloBOIModeWrite". */
void ca_write_flag_name(const char *value_name, wchar_t *out, size_t size);

#endif
