/* Who may change the configuration, judged on what this run will do (dlo/msipolicy.h).
 *
 * DloCheckWrites (immediate, after InstallValidate, when costing has fixed every action state):
 * reads the action state of the agent's exe component and of each value's component
 * ($Component=3 written, =2 removed), the property each written value comes from, who started
 * the install (the client's token) and whether the agent was installed already (the
 * installer's own registration of the exe's component, for this product or any other, such as
 * the version an upgrade replaces); refuses a run the policy refuses, and hands the plan to
 * DloGuardConfig as its CustomActionData.
 *
 * DloGuardConfig (deferred, as SYSTEM, first in the transaction before any value is removed or
 * written): goes on only with a whole plan from DloCheckWrites of this session, and judges it
 * again against the key as it is then. */
#ifndef DLO_CA_PLAN_H
#define DLO_CA_PLAN_H

#include "ca_msi.h"

UINT ca_plan_check(MSIHANDLE install);
UINT ca_plan_guard(MSIHANDLE install);

#endif
