/* Feeds the scope reader (dlo_addr_normalize_scope) and the host name check arbitrary bytes.
 * A name it keeps must be a fixed point (normalising the normal form gives it back), in lower
 * case, of letters, digits, '-' and '.', with no trailing dot, at most 253 characters, and must
 * check as a name again; every refusal explains itself and leaves nothing behind. What the
 * check accepts is held to the same character set on its own. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dlo/addr.h"
#include "dlo/hostname.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_name(const char *s, size_t n)
{
    size_t i;
    char why[600];
    if (dlo_hostname_check(s, n, why, sizeof(why)))
        abort();
    if (n == 0 || n > DLO_HOSTNAME_MAX || s[n - 1] == '.' || s[0] == '.' || !memchr(s, '.', n))
        abort();
    for (i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
              s[i] == '.'))
            abort();
}

static void check_names_in(const char *list)
{
    const char *p = list;
    char why[8];
    while (*p) {
        size_t n = strcspn(p, ",");
        if (!dlo_hostname_check(p, n, why, sizeof(why)))
            check_name(p, n);
        p += n + (p[n] == ',');
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *copy = malloc(size + 1);
    const char *list = copy;
    char why[600];
    dlo_buf out, again;
    dlo_error err;

    if (!copy)
        return 0;
    memcpy(copy, data, size);
    copy[size] = '\0';
    if (!dlo_hostname_check(copy, strlen(copy), why, sizeof(why))) {
        char *lower = malloc(size + 1);
        if (!lower)
            abort();
        dlo_hostname_lower(copy, strlen(copy), lower);
        check_name(lower, strlen(lower));
        free(lower);
    } else if (!why[0]) {
        abort();
    }
    dlo_buf_init(&out);
    dlo_buf_init(&again);
    dlo_error_clear(&err);
    if (dlo_addr_normalize_scope(&list, 1, DLO_OS_BUILD_UNKNOWN, &out, &err) == DLO_OK) {
        const char *written = dlo_buf_str(&out);
        if (dlo_addr_normalize_scope(&written, 1, DLO_OS_BUILD_UNKNOWN, &again, &err) != DLO_OK ||
            strcmp(dlo_buf_str(&out), dlo_buf_str(&again)) != 0)
            abort();
        check_names_in(written);
    } else if (err.msg[0] == '\0' || out.len != 0) {
        abort();
    }
    dlo_buf_free(&out);
    dlo_buf_free(&again);
    free(copy);
    return 0;
}
