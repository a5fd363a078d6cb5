/* Whether a file may be trusted by a service that runs as LocalSystem: only if nobody but
 * SYSTEM, the Administrators group and TrustedInstaller can change it, or any folder above it.
 *
 * Detection evidence, a replacement port matrix or detection table, and the trace folder all
 * decide what the service opens or believes; a file a standard user can write (or replace, by
 * renaming a folder above it) would let that user open firewall ports or steer what the
 * service writes. The decision is made here, over what the Windows layer reads of each object
 * (owner, DACL, reparse point, link count) through dlo_fs_security, so every branch is tested
 * on the host; the Windows layer only translates security descriptors.
 *
 * A path is trusted when, for the file and each folder above it up to the drive's root:
 *   - it is not a reparse point (a junction or symbolic link could point anywhere later);
 *   - its owner is a trusted account (an owner can always rewrite the DACL);
 *   - it has a DACL (no DACL means everyone has full control);
 *   - no ACE that applies to the object itself allows an untrusted account to write, append,
 *     delete, change the DACL or the owner (generic write or all included), and, for folders,
 *     to delete what is inside. Deny ACEs are ignored: they can only narrow access, so ignoring
 *     them errs towards refusing.
 * and the file itself is a regular file with one link (a hard link made by a user elsewhere
 * would share its content). Network paths (\\server\share) are refused: their security is
 * another machine's. */
#ifndef DLO_TRUST_H
#define DLO_TRUST_H

#include "dlo/buf.h"
#include "dlo/registry.h"
#include "dlo/status.h"

#include <stdbool.h>
#include <stddef.h>

/* Access-mask bits of Windows' own (winnt.h), so the Windows layer passes masks through. */
enum {
    DLO_ACCESS_WRITE_DATA = 0x0002,   /* file: write; folder: add a file */
    DLO_ACCESS_APPEND_DATA = 0x0004,  /* file: append; folder: add a subfolder */
    DLO_ACCESS_DELETE_CHILD = 0x0040, /* folder: delete what is inside */
    DLO_ACCESS_DELETE = 0x00010000,
    DLO_ACCESS_WRITE_DAC = 0x00040000,
    DLO_ACCESS_WRITE_OWNER = 0x00080000,
    DLO_ACCESS_GENERIC_ALL = 0x10000000,
    DLO_ACCESS_GENERIC_WRITE = 0x40000000,
    DLO_ACCESS_KEY_SET_VALUE = 0x0002, /* registry key: set a value */
};

#define DLO_SID_SYSTEM            "S-1-5-18"
#define DLO_SID_ADMINISTRATORS    "S-1-5-32-544"
#define DLO_SID_TRUSTED_INSTALLER "S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464"

/* One access-control entry, as the Windows layer reads it. */
typedef struct dlo_ace {
    char sid[192];     /* string form, S-1-... */
    bool allow;        /* ACCESS_ALLOWED_ACE_TYPE; false for deny and every other type */
    bool inherit_only; /* INHERIT_ONLY_ACE: applies to children only, not to this object */
    unsigned long mask;
} dlo_ace;

#define DLO_TRUST_MAX_ACES 64

typedef struct dlo_fs_object {
    char owner[192]; /* owner SID, string form */
    bool has_dacl;   /* false: a NULL DACL, everyone has full control */
    dlo_ace aces[DLO_TRUST_MAX_ACES];
    size_t n_aces;
    bool too_many_aces; /* more ACEs than read: refused rather than judged on a part */
    bool directory;
    bool reparse_point;
    unsigned long links; /* hard links (files) */
} dlo_fs_object;

typedef struct dlo_fs_security {
    void *ctx;
    /* Reads the object at path (UTF-8, "C:\\..."), without following a reparse point there.
     * DLO_E_NOTFOUND when it does not exist; other errors name the path. */
    dlo_status (*read)(void *ctx, const char *path, dlo_fs_object *out, dlo_error *err);
} dlo_fs_security;

/* DLO_OK when path is a file the service may trust. DLO_E_ACCESS when it is not: err says which
 * object (the file or which folder) and why, naming the account ("S-1-5-32-545 may write
 * C:\\ProgramData\\x"). Other statuses: the path could not be checked (err says why); callers
 * treat that as not trusted too. */
dlo_status dlo_trust_file(const dlo_fs_security *fs, const char *path, dlo_error *err);

/* The same for a folder the service writes in (the trace folder): the folder and those above,
 * also trusting self_sid (may be NULL): the account the process runs as. An
 * object only that account (or an administrator) can change gives nobody more than the process
 * already has, so a folder the process made for its own output may be owned by it. For the
 * service that account is SYSTEM, so nothing changes on Windows; under Wine every file belongs
 * to the Wine user, which is also the account the service runs as. Never for what decides what
 * the service believes (evidence, replacement data): those go by dlo_trust_file. */
dlo_status dlo_trust_folder_as(const dlo_fs_security *fs, const char *path, const char *self_sid,
                               dlo_error *err);

/* The owner and DACL of a registry key, read as a dlo_fs_object (reparse_point: the key is a
 * symbolic link; directory, links: unused). */
typedef struct dlo_key_security {
    void *ctx;
    /* Reads HKLM\`key` in `view` without following a symbolic link there. DLO_E_NOTFOUND when
     * it does not exist; other errors name the key. */
    dlo_status (*read)(void *ctx, dlo_reg_view view, const char *key, dlo_fs_object *out,
                       dlo_error *err);
} dlo_key_security;

/* True for the keys whose values the service believes: the two configuration keys (dlo/config.h),
 * which decide which ports open. */
bool dlo_trust_key_needed(const char *key);

/* Whether the service may believe the values of HKLM\`key`, as dlo_trust_file for a file: the
 * key and every key above it up to HKLM\SOFTWARE are no symbolic link, belong to SYSTEM,
 * Administrators or TrustedInstaller, have a DACL and give nobody else the right to delete
 * them or change their DACL or owner, and nobody else may set a value of the key itself.
 * Creating subkeys is allowed, as adding files to a folder is: what a user creates is theirs,
 * and the owner check refuses it. DLO_OK; DLO_E_NOTFOUND (no message) when the key does not
 * exist; DLO_E_CONFIG naming the key, the account and what is expected; other statuses when
 * it could not be read (err says why). */
dlo_status dlo_trust_key(const dlo_key_security *ks, dlo_reg_view view, const char *key,
                         dlo_error *err);

/* What the installer, as SYSTEM, does with one folder of the chain it makes for the service
 * (%ProgramData%\Arctera\DLO Firewall Agent\Trace), so that no folder a user made first keeps
 * the service from tracing, or steers what it writes:
 *   - CREATE: missing; made with the chain's protected DACL;
 *   - KEEP: a folder nobody but SYSTEM, Administrators and TrustedInstaller can change;
 *   - TAKE_OVER: a folder another account owns (a user made it first): its owner becomes
 *     Administrators and its DACL the chain's, through a handle that is checked to be that
 *     folder and no reparse point;
 *   - REPLACE: a junction, symbolic link or file another account owns: renamed aside (the
 *     link itself, never what it points to) and the folder made anew;
 *   - LEAVE: owned by a trusted account but others may change it, or a trusted account's
 *     junction: that account's choice, not the installer's to undo; left as it is and said
 *     (the service then refuses to trace there, and says why).
 * o is NULL for a missing folder. For every step but CREATE and KEEP, why (size bytes) says
 * what was found ("is owned by S-1-5-21-...-1001"). */
typedef enum dlo_folder_step {
    DLO_FOLDER_CREATE,
    DLO_FOLDER_KEEP,
    DLO_FOLDER_TAKE_OVER,
    DLO_FOLDER_REPLACE,
    DLO_FOLDER_LEAVE,
} dlo_folder_step;
dlo_folder_step dlo_trust_folder_step(const dlo_fs_object *o, char *why, size_t size);

/* True for SYSTEM, Administrators and TrustedInstaller. */
bool dlo_trust_sid(const char *sid);

/* Whether a file the service writes may belong to `owner`: a trusted account, or self_sid (may
 * be NULL), the account the service runs as. A file a user put in the trace folder before the
 * installer took the folder over stays that user's, who could read and rewrite the trace.
 * DLO_OK, or DLO_E_ACCESS naming the file and the owner. */
dlo_status dlo_trust_owner(const char *path, const char *owner, const char *self_sid,
                           dlo_error *err);

/* The folder above path ("C:\\a\\b.txt" -> "C:\\a", "C:\\a" -> "C:\\"); false at the root or
 * for a path that is not an absolute local path. */
bool dlo_trust_parent(const char *path, dlo_buf *out);

#endif
