/* Feeds the command-line parser arbitrary argument vectors: the input is split at NUL bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dlo/buf.h"
#include "dlo/cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *copy = malloc(size + 1);
    char *argv[64];
    int argc = 1;
    size_t i, start = 0;
    dlo_cli cli;
    dlo_error err;

    if (!copy)
        return 0;
    memcpy(copy, data, size);
    copy[size] = '\0';
    argv[0] = "dloagent.exe";
    for (i = 0; i <= size && argc < 63; i++) {
        if (copy[i] == '\0') {
            argv[argc++] = copy + start;
            start = i + 1;
        }
    }
    argv[argc] = NULL;
    dlo_error_clear(&err);
    if (dlo_cli_parse(argc, argv, &cli, &err) != DLO_OK) {
        if (err.msg[0] == '\0')
            abort(); /* every failure must explain itself */
    } else {
        dlo_config_overrides ov;
        int item;
        /* Every override is one of the parsed values, never something else. */
        dlo_cli_config_overrides(&cli, &ov);
        for (item = 0; item < DLO_CFG_COUNT; item++)
            if (ov.values[item] && (ov.values[item] < copy || ov.values[item] > copy + size))
                abort();
    }
    free(copy);
    return 0;
}
