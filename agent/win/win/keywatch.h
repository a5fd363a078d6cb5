/* The watch on a configuration key, which may not exist yet, that the service waits on. */
#ifndef DLO_WIN_KEYWATCH_H
#define DLO_WIN_KEYWATCH_H

#include <windows.h>

#include <stdbool.h>

#include "dlo/status.h"

/* Watches HKLM\path for changes of its values, and its creation or deletion, without polling.
 * A key that does not exist cannot be watched, so the watch also holds the deepest ancestor
 * that exists and watches it for subkeys created or deleted: when the missing key (or a key on
 * the way to it) appears, or the watched key is deleted, an event fires and win_key_watch_arm
 * must be called again to follow the key where it is now. The ancestor watch is also what sees
 * the key deleted on Wine, which does not signal a deleted key's own watchers.
 *
 * The key and the ancestor each have an event of their own: asking for a notification resets
 * the event it is given (Wine's server does; tests/win/test_keywatch.c shows it), so with one
 * shared event a change of the key between the two requests (as when a value is written right after
 * its key was created) was wiped out by the second request, and the key's one-shot notification was
 * spent with nobody woken.
 *
 * RegNotifyChangeKeyValue ties a notification to the thread that asked for it: arm the watch on
 * the thread that waits. */
typedef struct win_key_watch {
    const wchar_t *path;   /* under HKLM */
    bool subtree;          /* the key's subkeys too, to any depth */
    HKEY key;              /* the key itself, when it exists */
    HKEY ancestor;         /* the deepest existing ancestor */
    HANDLE key_event;      /* signalled when the key changes; NULL while it does not exist */
    HANDLE ancestor_event; /* signalled when the ancestor's subkeys change */
} win_key_watch;

void win_key_watch_init(win_key_watch *w, const wchar_t *path);
/* The same for a key watched with all its subkeys (RegNotifyChangeKeyValue's bWatchSubtree):
 * a value written in any of them, or a subkey created or deleted anywhere below. */
void win_key_watch_init_tree(win_key_watch *w, const wchar_t *path);
/* (Re-)arms the watch: opens and watches the key or its ancestor, then closes the old handles.
 * The events are new each time (closing a watched key signals the old ones). */
dlo_status win_key_watch_arm(win_key_watch *w, dlo_error *err);
void win_key_watch_close(win_key_watch *w);

#endif
