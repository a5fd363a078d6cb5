/* The firewall as the reconcile engine sees it. The Windows layer implements it over
 * INetFwPolicy2; the host tests use an in-memory implementation.
 *
 * Rules given to update and remove are always ones this backend returned from enumerate in the
 * same run: the backend acts on the very rule (rule->handle), never looks it up by name, so a
 * foreign rule that happens to share a name is never touched. */
#ifndef DLO_FWBACKEND_H
#define DLO_FWBACKEND_H

#include "dlo/rule.h"
#include "dlo/status.h"

#include <stdbool.h>

/* The machine's Windows version as a rule's platform validity list is held against it
 * (MS-FASP 2.2.30: OSVERSIONINFOEX's dwPlatformId, dwMajorVersion, dwMinorVersion). */
typedef struct dlo_os_version {
    bool known; /* false: not read (the host build, a test that does not say) */
    unsigned platform, major, minor;
    unsigned long build;
} dlo_os_version;

typedef struct dlo_fw_state {
    unsigned current_profiles; /* DLO_PROFILE_* bits of the networks the machine is on now */
    bool enabled[3];           /* firewall on, per profile: [0] domain, [1] private, [2] public */
    bool outbound_block[3];    /* default outbound action is Block, per profile */
    bool inbound_block[3];     /* default inbound action is Block, per profile */
    bool gp_override;          /* Group Policy makes local rules ineffective */
    bool inbound_blocked;      /* LocalPolicyModifyState INBOUND_BLOCKED: no unsolicited inbound */
    dlo_os_version os;         /* the system the firewall runs on */
} dlo_fw_state;

typedef struct dlo_fw_backend {
    void *ctx;
    /* Every rule of the firewall, foreign ones included. Owned rules (Grouping
     * DLO_RULE_GROUPING) and Block rules come with every property; foreign Allow rules may come
     * with only name, grouping and action, which is all the engine reads of them. Owned rules
     * carry a handle. */
    dlo_status (*enumerate)(void *ctx, dlo_rule_list *out, dlo_error *err);
    dlo_status (*add)(void *ctx, const dlo_rule *rule, dlo_error *err);
    /* Makes `current` (from enumerate) carry the properties of `wanted` named by `differences`
     * (DLO_PROP_* bits from dlo/rule.h), and only those: one write per property. */
    dlo_status (*update)(void *ctx, dlo_rule *current, const dlo_rule *wanted, unsigned differences,
                         dlo_error *err);
    dlo_status (*remove)(void *ctx, dlo_rule *current, dlo_error *err);
    dlo_status (*get_state)(void *ctx, dlo_fw_state *out, dlo_error *err);
    /* Releases the handles of a list from enumerate (then dlo_rule_list_free it). */
    void (*release)(void *ctx, dlo_rule_list *list);
} dlo_fw_backend;

#endif
