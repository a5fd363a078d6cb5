/* One event of the Windows Firewall's own channel (or of the Security log's firewall audit), read
 * from the XML that EvtRender(EvtRenderEventXml) gives: what attribution (dlo/attribution.h)
 * needs to say who changed a rule, and nothing more.
 *
 * The reader is strict because what it reads names people: text it cannot read exactly is
 * refused, never guessed at, so a malformed event can only make attribution say "unknown",
 * never name someone. It takes the five predefined entities and character references (as
 * EvtRender escapes text) and refuses any other entity, a DOCTYPE, CDATA or comment (EvtRender
 * writes none, and a declared entity is how XML text is made to say more than it holds), bytes
 * that are not UTF-8, a NUL, a field named twice, a field longer than DLO_FWEVENT_FIELD_MAX and
 * a document longer than DLO_FWEVENT_XML_MAX or nested deeper than DLO_FWEVENT_DEPTH_MAX. */
#ifndef DLO_FWEVENT_H
#define DLO_FWEVENT_H

#include "dlo/status.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An event of the firewall channel is about 2 KiB; the limits leave room and stop a flood. */
#define DLO_FWEVENT_XML_MAX   65536
#define DLO_FWEVENT_FIELD_MAX 4096
#define DLO_FWEVENT_DEPTH_MAX 16

typedef struct dlo_fwevent {
    unsigned id;       /* System/EventID */
    int64_t time;      /* System/TimeCreated@SystemTime: 100 ns ticks since 1601 UTC (FILETIME) */
    char *provider;    /* System/Provider@Name */
    char *channel;     /* System/Channel */
    char *rule_id;     /* EventData RuleId */
    char *rule_name;   /* EventData RuleName */
    char *user_sid;    /* EventData ModifyingUser (a SID) */
    char *application; /* EventData ModifyingApplication (a path) */
    bool has_error_code;
    unsigned long error_code; /* EventData ErrorCode (Windows 11 and later) */
} dlo_fwevent;

void dlo_fwevent_init(dlo_fwevent *ev);
void dlo_fwevent_free(dlo_fwevent *ev);

/* Reads one event from xml[0..n). Fields the event does not carry stay NULL; EventID and
 * TimeCreated are required. DLO_E_PARSE (err says what and where) when the text is refused as
 * above; ev is then left empty. */
dlo_status dlo_fwevent_parse(const char *xml, size_t n, dlo_fwevent *ev, dlo_error *err);

/* Reads s[0..n) as the UTC time the Event Log writes, "2023-05-04T17:01:45.8409961Z" (0 to 9
 * digits of fraction, 'Z' required), into 100 ns ticks since 1601-01-01. NULL on success, else
 * what is wrong with it. */
const char *dlo_fwevent_time_parse(const char *s, size_t n, int64_t *ticks);

/* Writes ticks as "2023-05-04T17:01:45.8409961Z" (what dlo_fwevent_time_parse reads, and what an
 * Event Log XPath compares SystemTime with); out holds at least DLO_FWEVENT_TIME_LEN bytes. */
#define DLO_FWEVENT_TIME_LEN 32
void dlo_fwevent_time_format(int64_t ticks, char *out);

#endif
