#include "dlo/trust.h"

#include "dlo/config.h"
#include "dlo/str.h"

#include <stdio.h>
#include <string.h>

/* What lets an account change an object, or swap it for another: on the object itself. */
#define WRITE_OBJECT                                                                               \
    (DLO_ACCESS_DELETE | DLO_ACCESS_WRITE_DAC | DLO_ACCESS_WRITE_OWNER | DLO_ACCESS_GENERIC_ALL |  \
     DLO_ACCESS_GENERIC_WRITE)
/* ... on a file: its content. */
#define WRITE_FILE (WRITE_OBJECT | DLO_ACCESS_WRITE_DATA | DLO_ACCESS_APPEND_DATA)
/* ... on a folder: delete (then re-create) what is inside. Adding files and subfolders is not
 * here: what a user adds is owned by that user, and the owner check refuses it. */
#define WRITE_FOLDER (WRITE_OBJECT | DLO_ACCESS_DELETE_CHILD)
/* ... on the key whose values are read: the values. On a key above it only WRITE_OBJECT counts:
 * a key cannot be deleted while it has subkeys, so its parent's rights cannot swap it. */
#define WRITE_KEY (WRITE_OBJECT | DLO_ACCESS_KEY_SET_VALUE)

bool dlo_trust_sid(const char *sid)
{
    return strcmp(sid, DLO_SID_SYSTEM) == 0 || strcmp(sid, DLO_SID_ADMINISTRATORS) == 0 ||
           dlo_str_equal_ci(sid, DLO_SID_TRUSTED_INSTALLER);
}

static bool is_drive_root(const char *p, size_t n)
{
    return n == 3 && p[1] == ':' && p[2] == '\\';
}

static bool is_local_absolute(const char *p)
{
    return dlo_path_on_drive(p, strlen(p));
}

bool dlo_trust_parent(const char *path, dlo_buf *out)
{
    size_t n = strlen(path);
    dlo_buf_reset(out);
    if (!is_local_absolute(path) || is_drive_root(path, n))
        return false;
    while (n > 3 && path[n - 1] == '\\')
        n--; /* "C:\a\" is the folder "C:\a" */
    while (n > 3 && path[n - 1] != '\\')
        n--;
    if (n > 3)
        n--; /* drop the separator, but keep the root's */
    dlo_buf_append(out, path, n);
    return dlo_buf_status(out) == DLO_OK;
}

/* The trusted accounts, and the account the caller runs as when it gave one. */
static bool trusted(const char *sid, const char *self)
{
    return dlo_trust_sid(sid) || (self && self[0] && dlo_str_equal_ci(sid, self));
}

/* Why the object refuses trust, or NULL if it does not. */
static const char *judge(const dlo_fs_object *o, unsigned long write_mask, const char *self,
                         const char **who)
{
    size_t i;
    *who = NULL;
    if (o->reparse_point)
        return "is a reparse point (a junction or symbolic link)";
    if (!trusted(o->owner, self)) {
        *who = o->owner;
        return "is owned by";
    }
    if (!o->has_dacl)
        return "has no DACL, so everyone may change it";
    if (o->too_many_aces)
        return "has more access-control entries than the agent reads";
    for (i = 0; i < o->n_aces; i++) {
        const dlo_ace *a = &o->aces[i];
        if (a->allow && !a->inherit_only && (a->mask & write_mask) && !trusted(a->sid, self)) {
            *who = a->sid;
            return "may be changed by";
        }
    }
    return NULL;
}

static dlo_status read_object(const dlo_fs_security *fs, const char *path, dlo_fs_object *o,
                              dlo_error *err)
{
    memset(o, 0, sizeof(*o));
    if (!fs || !fs->read)
        return dlo_error_set(err, DLO_E_INTERNAL, "%s: file security cannot be read here", path);
    return fs->read(fs->ctx, path, o, err);
}

static dlo_status refuse(dlo_error *err, const char *what, const char *path, const char *why,
                         const char *who, const char *self)
{
    bool also = self && self[0];
    return dlo_error_set(err, DLO_E_ACCESS,
                         "%s %s %s%s%s; expected only SYSTEM, Administrators%s%s and "
                         "TrustedInstaller to be able to change it and every folder above it",
                         what, path, why, who ? " " : "", who ? who : "",
                         also ? ", the account the agent runs as " : "", also ? self : "");
}

/* The folders from path's parent (or path itself, with self) up to the root. */
static dlo_status check_folders(const dlo_fs_security *fs, const char *start, bool self,
                                const char *self_sid, dlo_error *err)
{
    dlo_buf cur, up;
    dlo_fs_object o;
    dlo_status st = DLO_OK;
    const char *who, *why;

    dlo_buf_init(&cur);
    dlo_buf_init(&up);
    if (self)
        dlo_buf_puts(&cur, start);
    else if (!dlo_trust_parent(start, &cur))
        st = dlo_error_set(err, DLO_E_ACCESS, "%s is not an absolute local path", start);
    while (st == DLO_OK) {
        st = read_object(fs, dlo_buf_str(&cur), &o, err);
        if (st != DLO_OK)
            break;
        if (!o.directory) {
            st = refuse(err, "the folder", dlo_buf_str(&cur), "is not a folder", NULL, self_sid);
            break;
        }
        why = judge(&o, WRITE_FOLDER, self_sid, &who);
        if (why) {
            st = refuse(err, "the folder", dlo_buf_str(&cur), why, who, self_sid);
            break;
        }
        if (!dlo_trust_parent(dlo_buf_str(&cur), &up))
            break; /* the root was checked last */
        dlo_buf_reset(&cur);
        dlo_buf_puts(&cur, dlo_buf_str(&up));
    }
    dlo_buf_free(&cur);
    dlo_buf_free(&up);
    return st;
}

dlo_status dlo_trust_file(const dlo_fs_security *fs, const char *path, dlo_error *err)
{
    dlo_fs_object o;
    const char *who, *why;
    dlo_status st;

    if (!is_local_absolute(path))
        return dlo_error_set(err, DLO_E_ACCESS,
                             "%s is not an absolute path on a local drive (C:\\...): a network "
                             "share's security is another machine's",
                             path);
    st = read_object(fs, path, &o, err);
    if (st != DLO_OK)
        return st;
    if (o.directory)
        return refuse(err, "the file", path, "is a folder", NULL, NULL);
    why = judge(&o, WRITE_FILE, NULL, &who);
    if (why)
        return refuse(err, "the file", path, why, who, NULL);
    if (o.links != 1)
        return dlo_error_set(err, DLO_E_ACCESS,
                             "the file %s has %lu hard links; expected exactly one, so that no "
                             "other name can change it",
                             path, o.links);
    return check_folders(fs, path, false, NULL, err);
}

dlo_status dlo_trust_folder_as(const dlo_fs_security *fs, const char *path, const char *self_sid,
                               dlo_error *err)
{
    if (!is_local_absolute(path))
        return dlo_error_set(err, DLO_E_ACCESS,
                             "%s is not an absolute path on a local drive (C:\\...)", path);
    return check_folders(fs, path, true, self_sid, err);
}

bool dlo_trust_key_needed(const char *key)
{
    return dlo_str_equal_ci(key, DLO_CONFIG_KEY_INSTALLER) ||
           dlo_str_equal_ci(key, DLO_CONFIG_KEY_POLICY) ||
           dlo_str_equal_ci(key, DLO_CONFIG_KEY_NAMES);
}

/* The key above `key` ("SOFTWARE\\Arctera" for "SOFTWARE\\Arctera\\DLO"); false for a key
 * with no parent below HKLM. */
static bool key_parent(const char *key, dlo_buf *out)
{
    const char *slash = strrchr(key, '\\');
    dlo_buf_reset(out);
    if (!slash || slash == key)
        return false;
    dlo_buf_append(out, key, (size_t)(slash - key));
    return dlo_buf_status(out) == DLO_OK;
}

static dlo_status refuse_key(dlo_error *err, const char *key, dlo_reg_view view, const char *why,
                             const char *who)
{
    return dlo_error_set(err, DLO_E_CONFIG,
                         "HKLM\\%s (%s) %s%s%s; expected only SYSTEM, Administrators and "
                         "TrustedInstaller to be able to change it and every key above it, so "
                         "the agent does not use its values",
                         key, dlo_reg_view_name(view), why, who ? " " : "", who ? who : "");
}

dlo_status dlo_trust_key(const dlo_key_security *ks, dlo_reg_view view, const char *key,
                         dlo_error *err)
{
    dlo_buf cur, up;
    dlo_fs_object o;
    dlo_status st = DLO_OK;
    bool first = true;

    if (!ks || !ks->read)
        return dlo_error_set(err, DLO_E_INTERNAL, "HKLM\\%s: key security cannot be read here",
                             key);
    dlo_buf_init(&cur);
    dlo_buf_init(&up);
    dlo_buf_puts(&cur, key);
    while (st == DLO_OK) {
        const char *who, *why;
        memset(&o, 0, sizeof(o));
        st = ks->read(ks->ctx, view, dlo_buf_str(&cur), &o, err);
        if (st == DLO_E_NOTFOUND && !first)
            st = refuse_key(err, dlo_buf_str(&cur), view, "vanished while it was checked", NULL);
        if (st)
            break;
        why = o.reparse_point ? "is a symbolic link"
                              : judge(&o, first ? WRITE_KEY : WRITE_OBJECT, NULL, &who);
        if (o.reparse_point)
            who = NULL;
        if (why) {
            st = refuse_key(err, dlo_buf_str(&cur), view, why, who);
            break;
        }
        /* HKLM\SOFTWARE is the last: HKLM itself is no key one opens by a path. */
        if (!key_parent(dlo_buf_str(&cur), &up))
            break;
        dlo_buf_reset(&cur);
        dlo_buf_puts(&cur, dlo_buf_str(&up));
        first = false;
    }
    dlo_buf_free(&cur);
    dlo_buf_free(&up);
    return st;
}

dlo_folder_step dlo_trust_folder_step(const dlo_fs_object *o, char *why, size_t size)
{
    const char *who = NULL, *reason;
    bool link_or_file;

    if (!o)
        return DLO_FOLDER_CREATE;
    link_or_file = o->reparse_point || !o->directory;
    if (!dlo_trust_sid(o->owner)) {
        snprintf(why, size, "is owned by %s%s", o->owner,
                 o->reparse_point ? " and is a junction or symbolic link"
                 : !o->directory  ? " and is not a folder"
                                  : "");
        return link_or_file ? DLO_FOLDER_REPLACE : DLO_FOLDER_TAKE_OVER;
    }
    reason = !o->directory ? "is not a folder" : judge(o, WRITE_FOLDER, NULL, &who);
    if (!reason)
        return DLO_FOLDER_KEEP;
    snprintf(why, size, "%s%s%s", reason, who ? " " : "", who ? who : "");
    return DLO_FOLDER_LEAVE;
}

dlo_status dlo_trust_owner(const char *path, const char *owner, const char *self_sid,
                           dlo_error *err)
{
    if (trusted(owner, self_sid))
        return DLO_OK;
    return dlo_error_set(err, DLO_E_ACCESS,
                         "%s is owned by %s; expected SYSTEM, Administrators, TrustedInstaller%s%s",
                         path, owner,
                         self_sid && self_sid[0] ? " or the account the agent runs as " : "",
                         self_sid && self_sid[0] ? self_sid : "");
}
