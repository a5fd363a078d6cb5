/* Feeds the event XML reader whatever a channel could hand it: the text of a rule's name is
 * anyone's to choose, and the reader decides whether an event may name a person. The reader
 * must never crash or read out of bounds; what it accepts must be an event the rest of the
 * core can use (an ID, a time that formats and reads back to itself, fields no longer than the
 * limit and without a NUL); and attribution over the same text names someone only when the
 * reader accepted it, with its event ID. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dlo/attribution.h"
#include "dlo/fwevent.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct input {
    const char *xml;
    size_t n;
} input;

static dlo_status one_event(void *ctx, const char *channel, const unsigned *ids, size_t n_ids,
                            int64_t since, dlo_attr_sink sink, void *sink_ctx, dlo_error *err)
{
    const input *in = ctx;
    (void)ids;
    (void)n_ids;
    (void)since;
    (void)err;
    return strcmp(channel, DLO_ATTR_FIREWALL_CHANNEL) == 0 ? sink(sink_ctx, in->xml, in->n)
                                                           : DLO_OK;
}

static void check_field(const char *s)
{
    if (s && strlen(s) > DLO_FWEVENT_FIELD_MAX)
        abort();
}

/* The same text through attribution: known only for an event the reader accepted. */
static void attribute(const char *xml, size_t n, const dlo_fwevent *ev, bool read)
{
    input in = {xml, n};
    dlo_attr_os os = {&in, one_event, NULL};
    dlo_attr_query q = {read ? ev->rule_id : "{x}", "r", DLO_ATTR_DELETED, INT64_MIN, INT64_MAX,
                        "C:\\dloagent.exe"};
    dlo_attr_events events;
    dlo_attribution a;
    dlo_error err;
    int change;

    if (dlo_attr_load(&os, 0, &events, &err) != DLO_OK)
        abort();
    for (change = DLO_ATTR_CHANGED; change <= DLO_ATTR_DELETED; change++) {
        q.change = (dlo_attr_change)change;
        if (dlo_attr_find(&events, &os, &q, &a, &err) != DLO_OK)
            abort();
        if (a.origin != DLO_ATTR_UNKNOWN && (!read || a.event_id != ev->id))
            abort();
        if (a.origin == DLO_ATTR_UNKNOWN && !a.why[0])
            abort();
        dlo_attribution_free(&a);
    }
    dlo_attr_events_free(&events);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dlo_fwevent ev;
    dlo_error err;
    char when[DLO_FWEVENT_TIME_LEN];
    int64_t back;
    bool read = dlo_fwevent_parse((const char *)data, size, &ev, &err) == DLO_OK;

    if (!read && (err.status != DLO_E_PARSE || !err.msg[0]))
        abort();
    if (read) {
        if (ev.id == 0 || ev.id > 65535)
            abort();
        dlo_fwevent_time_format(ev.time, when);
        if (dlo_fwevent_time_parse(when, strlen(when), &back) || back != ev.time)
            abort();
        check_field(ev.provider);
        check_field(ev.channel);
        check_field(ev.rule_id);
        check_field(ev.rule_name);
        check_field(ev.user_sid);
        check_field(ev.application);
    }
    attribute((const char *)data, size, &ev, read);
    if (read)
        dlo_fwevent_free(&ev);
    return 0;
}
