/* The firewall's events and account names for attribution (win/fwevents.h). */
#include <windows.h>
#include <sddl.h>
#include <winevt.h>

#include "win/fwevents.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlo/buf.h"
#include "win/winutil.h"

/* Events asked of EvtNext at a time, and how long one call may wait (a query, not a
 * subscription: the events are there or not). */
#define BATCH     16
#define NEXT_WAIT 5000

typedef struct win_wevt {
    EVT_HANDLE(WINAPI *query)(EVT_HANDLE, LPCWSTR, LPCWSTR, DWORD);
    BOOL(WINAPI *next)(EVT_HANDLE, DWORD, EVT_HANDLE *, DWORD, DWORD, PDWORD);
    BOOL(WINAPI *render)(EVT_HANDLE, EVT_HANDLE, DWORD, DWORD, PVOID, PDWORD, PDWORD);
    BOOL(WINAPI *close)(EVT_HANDLE);
} win_wevt;

#define BIND(member, name)                                                                         \
    ((api.member = (__typeof__(api.member))win_system_proc(L"wevtapi.dll", name, err)) != NULL)

static const win_wevt *wevt_load(dlo_error *err)
{
    static win_wevt api;
    static bool loaded;
    if (!loaded)
        loaded = BIND(query, "EvtQuery") && BIND(next, "EvtNext") && BIND(render, "EvtRender") &&
                 BIND(close, "EvtClose");
    return loaded ? &api : NULL;
}

/* "*[System[(EventID=2004 or ...) and TimeCreated[@SystemTime>='...']]]": the Event Log's
 * XPath subset; the time to the millisecond, cut down so that nothing at `since` is left out. */
static wchar_t *xpath(const unsigned *ids, size_t n_ids, int64_t since)
{
    char when[DLO_FWEVENT_TIME_LEN];
    dlo_buf b;
    size_t i;
    wchar_t *w;

    dlo_fwevent_time_format(since, when);
    dlo_buf_init(&b);
    dlo_buf_puts(&b, "*[System[(");
    for (i = 0; i < n_ids; i++)
        dlo_buf_printf(&b, "%sEventID=%u", i ? " or " : "", ids[i]);
    dlo_buf_printf(&b, ") and TimeCreated[@SystemTime>='%.23sZ']]]", when);
    w = dlo_buf_status(&b) ? NULL : win_utf8_to_utf16(b.data, b.len);
    dlo_buf_free(&b);
    return w;
}

/* One event as UTF-8 XML to the sink. */
static dlo_status render_one(const win_wevt *api, EVT_HANDLE ev, wchar_t **buf, DWORD *size,
                             dlo_attr_sink sink, void *sink_ctx, dlo_error *err)
{
    DWORD used = 0, props = 0;
    char *xml;
    dlo_status st;

    while (!api->render(NULL, ev, EvtRenderEventXml, *size, *buf, &used, &props)) {
        wchar_t *grown;
        if (GetLastError() != ERROR_INSUFFICIENT_BUFFER)
            return win_error_set(err, GetLastError(), "EvtRender");
        grown = realloc(*buf, used + sizeof(wchar_t));
        if (!grown)
            return dlo_error_set(err, DLO_E_NOMEM, "out of memory rendering an event");
        *buf = grown;
        *size = used;
    }
    xml = win_utf16_to_utf8(*buf);
    if (!xml)
        return dlo_error_set(err, DLO_E_NOMEM, "out of memory rendering an event");
    st = sink(sink_ctx, xml, strlen(xml));
    free(xml);
    return st;
}

/* Reads the result set newest first, up to DLO_ATTR_MAX_EVENTS. */
static dlo_status read_results(const win_wevt *api, EVT_HANDLE results, dlo_attr_sink sink,
                               void *sink_ctx, dlo_error *err)
{
    EVT_HANDLE batch[BATCH];
    DWORD got = 0, size = 0, i;
    wchar_t *buf = NULL;
    size_t handed = 0;
    dlo_status st = DLO_OK;

    while (!st && handed < DLO_ATTR_MAX_EVENTS) {
        if (!api->next(results, BATCH, batch, NEXT_WAIT, 0, &got)) {
            if (GetLastError() != ERROR_NO_MORE_ITEMS)
                st = win_error_set(err, GetLastError(), "EvtNext");
            break;
        }
        for (i = 0; i < got; i++) {
            if (!st && handed++ < DLO_ATTR_MAX_EVENTS)
                st = render_one(api, batch[i], &buf, &size, sink, sink_ctx, err);
            api->close(batch[i]);
        }
    }
    free(buf);
    return st;
}

static dlo_status win_query(void *ctx, const char *channel, const unsigned *ids, size_t n_ids,
                            int64_t since, dlo_attr_sink sink, void *sink_ctx, dlo_error *err)
{
    const win_wevt *api = wevt_load(err);
    wchar_t *path, *query;
    EVT_HANDLE results;
    DWORD code;
    dlo_status st;
    (void)ctx;

    if (!api)
        return dlo_error_set(err, DLO_E_NOTFOUND, "no Event Log API: %s", err ? err->msg : "");
    path = win_utf8_to_utf16(channel, strlen(channel));
    query = xpath(ids, n_ids, since);
    results = path && query
                  ? api->query(NULL, path, query, EvtQueryChannelPath | EvtQueryReverseDirection)
                  : NULL;
    code = GetLastError();
    free(path);
    free(query);
    if (!results && (code == ERROR_EVT_CHANNEL_NOT_FOUND || code == ERROR_SUCCESS))
        return dlo_error_set(err, DLO_E_NOTFOUND,
                             "the Event Log has no channel %s (EvtQuery: error %lu)", channel,
                             (unsigned long)code);
    if (!results)
        return win_error_set(err, code, channel);
    st = read_results(api, results, sink, sink_ctx, err);
    api->close(results);
    if (st)
        dlo_error_prefix(err, "%s: ", channel);
    return st;
}

static dlo_status win_account(void *ctx, const char *sid, dlo_buf *out, dlo_error *err)
{
    wchar_t *text = win_utf8_to_utf16(sid, strlen(sid)), name[256], domain[256];
    DWORD nn = 256, dn = 256;
    SID_NAME_USE use;
    PSID bin = NULL;
    char *n = NULL, *d = NULL;
    dlo_status st = DLO_OK;
    (void)ctx;

    if (!text || !ConvertStringSidToSidW(text, &bin))
        st = text ? win_error_set(err, GetLastError(), sid)
                  : dlo_error_set(err, DLO_E_NOMEM, "out of memory");
    else if (!LookupAccountSidW(NULL, bin, name, &nn, domain, &dn, &use))
        st = GetLastError() == ERROR_NONE_MAPPED
                 ? dlo_error_set(err, DLO_E_NOTFOUND, "no account has the SID %s", sid)
                 : win_error_set(err, GetLastError(), sid);
    else if (!(n = win_utf16_to_utf8(name)) || !(d = win_utf16_to_utf8(domain)))
        st = dlo_error_set(err, DLO_E_NOMEM, "out of memory");
    else if (*d)
        dlo_buf_printf(out, "%s\\%s", d, n);
    else
        dlo_buf_puts(out, n);
    free(n);
    free(d);
    LocalFree(bin);
    free(text);
    return st;
}

const dlo_attr_os *win_attr_os(void)
{
    static const dlo_attr_os os = {NULL, win_query, win_account};
    return &os;
}
