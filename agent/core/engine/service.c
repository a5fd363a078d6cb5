#include "dlo/service.h"

#include "dlo/fwprint.h"
#include "dlo/log.h"

#include <string.h>

void dlo_wake_text(dlo_buf *out, unsigned why)
{
    static const struct {
        unsigned bit;
        const char *text;
    } names[] = {
        {DLO_WAKE_START, "start"},
        {DLO_WAKE_CONFIG, "configuration changed"},
        {DLO_WAKE_SERVICES, "services created or deleted"},
        {DLO_WAKE_TIMER, "drift-repair interval"},
        {DLO_WAKE_RETRY, "retry after a failure"},
        {DLO_WAKE_FIREWALL, "firewall changed"},
        {DLO_WAKE_GROUP_POLICY, "Group Policy's firewall settings changed"},
        {DLO_WAKE_NETWORK, "network category changed"},
    };
    size_t i;
    bool first = true;

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (why & names[i].bit) {
            dlo_buf_printf(out, "%s%s", first ? "" : ", ", names[i].text);
            first = false;
        }
    }
    if (first)
        dlo_buf_puts(out, "no reason");
}

void dlo_service_loop_init(dlo_service_loop *s)
{
    memset(s, 0, sizeof(*s));
    dlo_strlist_init(&s->owned_ids);
}

void dlo_service_loop_free(dlo_service_loop *s)
{
    if (s->have_applied)
        dlo_config_free(&s->applied);
    if (s->have_logged)
        dlo_config_free(&s->logged);
    dlo_strlist_free(&s->owned_ids);
    dlo_names_free(&s->names);
    dlo_service_loop_init(s);
}

/* Moves *cfg into *slot (freeing what was there). */
static void keep(dlo_config *slot, bool *have, dlo_config *cfg)
{
    if (*have)
        dlo_config_free(slot);
    *slot = *cfg;
    *have = true;
    memset(cfg, 0, sizeof(*cfg));
}

/* Reads the firewall's keys as they are before the pass looks at the firewall; true when the
 * wake-up has nothing new to look at: only those keys woke it, and they hash as the last pass
 * that wrote nothing read them (the notification of the agent's own writes, found right by the
 * pass after them, or a rewrite of the same values). */
static bool firewall_unchanged(dlo_service_loop *s, const dlo_registry *reg, unsigned why,
                               bool *have_before, uint64_t *before)
{
    dlo_error err;

    *have_before = dlo_fwprint_read(reg, before, &err) == DLO_OK;
    return *have_before && s->have_print && *before == s->print && why &&
           !(why & ~DLO_WAKE_FIREWALL_KEYS);
}

/* After a successful reconcile: the hash read before it stands for the firewall as the pass
 * left it only if the pass wrote nothing. */
static void remember_print(dlo_service_loop *s, bool have_before, uint64_t before)
{
    s->have_print = have_before && !s->wrote;
    s->print = before;
}

dlo_status dlo_service_pass(dlo_service_loop *s, const dlo_service_ops *ops,
                            const dlo_registry *reg, const dlo_config_overrides *overrides,
                            unsigned why, unsigned *interval_seconds)
{
    dlo_config cfg, copy;
    dlo_error err;
    dlo_buf text;
    dlo_status st;
    bool have_before;
    uint64_t before;

    dlo_error_clear(&err);
    dlo_buf_init(&text);
    *interval_seconds =
        s->have_applied ? s->applied.interval_seconds : DLO_CONFIG_DEFAULT_INTERVAL_MINUTES * 60u;
    if (firewall_unchanged(s, reg, why, &have_before, &before)) {
        s->unchanged++;
        return DLO_OK;
    }
    st = dlo_config_load(&cfg, reg, overrides, &err);
    if (st) {
        dlo_log_event(DLO_EV_CONFIG_ERROR, DLO_LOG_ERR,
                      "configuration invalid, firewall rules left as they are: %s", err.msg);
        /* Unreadable or invalid: either way the configuration is not known. */
        st = DLO_E_CONFIG;
        /* Once it is valid again, say so. */
        if (s->have_logged)
            dlo_config_free(&s->logged);
        s->have_logged = false;
        if (ops->failed)
            ops->failed(ops->ctx, err.msg);
        goto cleanup_cfg;
    }
    *interval_seconds = cfg.interval_seconds;

    if (!s->have_logged || !dlo_config_equal(&s->logged, &cfg)) {
        if (ops->summarize)
            ops->summarize(&text, &cfg);
        dlo_log_event(DLO_EV_CONFIG_IN_EFFECT, DLO_LOG_INFO, "configuration in effect%s%s",
                      text.len ? ": " : "", dlo_buf_str(&text));
        dlo_buf_reset(&text);
        if (dlo_config_copy(&copy, &cfg) == DLO_OK)
            keep(&s->logged, &s->have_logged, &copy);
    }

    /* A configuration key rewritten with the same values (Group Policy's refresh, the State
     * key's swap under the installer key) is no reason: alone it needs no pass, and beside a
     * change of the firewall it must not make that pass look like one for a new plan (the
     * drift would be reported as rules applied, and nobody looked up for it). */
    if ((why & DLO_WAKE_CONFIG) && s->have_applied && dlo_config_equal(&s->applied, &cfg)) {
        why &= ~(unsigned)DLO_WAKE_CONFIG;
        if (!why)
            goto cleanup_cfg;
    }

    /* Whatever follows, the firewall is looked at afresh by the next wake-up of its keys,
     * until a pass that wrote nothing says what it saw. */
    s->have_print = false;
    s->wrote = false;
    s->passes++;
    st = ops->reconcile(ops->ctx, &cfg, s, why, &err);
    if (st) {
        if (!err.msg[0])
            dlo_error_set(&err, st, "%s", dlo_status_name(st));
        dlo_wake_text(&text, why);
        /* A configured data file that is not trusted or does not parse is found only now. */
        if (st == DLO_E_CONFIG)
            dlo_log_event(DLO_EV_CONFIG_ERROR, DLO_LOG_ERR,
                          "configuration invalid, firewall rules left as they are: %s", err.msg);
        else if (st == DLO_E_FIREWALL || st == DLO_E_ACCESS)
            dlo_log_event(DLO_EV_FIREWALL_ERROR, DLO_LOG_ERR, "firewall error (pass for: %s): %s",
                          dlo_buf_str(&text), err.msg);
        else
            dlo_log_event(DLO_EV_RECONCILE_FAILED, DLO_LOG_ERR, "pass failed (for: %s): %s",
                          dlo_buf_str(&text), err.msg);
        if (ops->failed)
            ops->failed(ops->ctx, err.msg);
        goto cleanup_cfg;
    }
    remember_print(s, have_before, before);
    keep(&s->applied, &s->have_applied, &cfg);

cleanup_cfg:
    /* Names are resolved again on their own schedule, also after a pass they failed. */
    if (s->names_refresh_seconds && s->names_refresh_seconds < *interval_seconds)
        *interval_seconds = s->names_refresh_seconds;
    dlo_config_free(&cfg);
    dlo_buf_free(&text);
    return st;
}
