/* Feeds the remote-address normaliser arbitrary lists (the input split at NUL bytes, as the
 * strings of a REG_MULTI_SZ). Whatever it accepts must be a fixed point: normalising the normal
 * form gives it back unchanged, or the agent would rewrite a rule it wrote itself forever; the
 * normal form must mean what the input meant, and compare equal to it; and what a list covers
 * (dlo_addrset_coverage) depends on what it means, not how it is spelled. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dlo/addr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *copy = malloc(size + 1);
    const char *tokens[16];
    size_t n = 0, i, start = 0;
    dlo_buf out, again;
    dlo_error err;

    if (!copy)
        return 0;
    memcpy(copy, data, size);
    copy[size] = '\0';
    for (i = 0; i <= size && n < 16; i++) {
        if (copy[i] == '\0') {
            tokens[n++] = copy + start;
            start = i + 1;
        }
    }
    dlo_buf_init(&out);
    dlo_buf_init(&again);
    dlo_error_clear(&err);
    if (dlo_addr_normalize(tokens, n, DLO_OS_BUILD_UNKNOWN, &out, &err) == DLO_OK) {
        dlo_addrset in, normal;
        const char *written = dlo_buf_str(&out);
        if (dlo_addr_normalize(&written, 1, DLO_OS_BUILD_UNKNOWN, &again, &err) != DLO_OK ||
            strcmp(dlo_buf_str(&out), dlo_buf_str(&again)) != 0)
            abort();
        if (dlo_addrset_parse(tokens, n, &in, &err) != DLO_OK ||
            dlo_addrset_parse((const char *const[]){dlo_buf_str(&out)}, 1, &normal, &err) !=
                DLO_OK ||
            !dlo_addrset_equal(&in, &normal) || !dlo_addrset_equal(&normal, &normal) ||
            dlo_addrset_coverage(&in) != dlo_addrset_coverage(&normal) ||
            dlo_addrset_coverage(&in) != dlo_addr_coverage(dlo_buf_str(&out)))
            abort();
        dlo_addrset_free(&in);
        dlo_addrset_free(&normal);
    } else if (err.msg[0] == '\0' || out.len != 0) {
        abort(); /* every refusal explains itself and leaves nothing behind */
    }
    dlo_buf_free(&out);
    dlo_buf_free(&again);
    free(copy);
    return 0;
}
