/* dloagent-host: the portable core behind a POSIX platform, so the command line can be tested
 * natively under the sanitizers. Not shipped. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dlo/app.h"
#include "dlo/host_embedded.h"

static void host_out(void *ctx, const char *s, size_t n)
{
    (void)ctx;
    fwrite(s, 1, n, stdout);
}

static void host_err(void *ctx, const char *s, size_t n)
{
    (void)ctx;
    fwrite(s, 1, n, stderr);
}

static dlo_status host_read_file(void *ctx, const char *path, dlo_buf *out, dlo_error *err)
{
    FILE *f = fopen(path, "rb");
    char chunk[4096];
    size_t n;
    dlo_status st = DLO_OK;

    (void)ctx;
    if (!f)
        return dlo_error_set(err, DLO_E_IO, "cannot open %s: %s", path, strerror(errno));
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        dlo_buf_append(out, chunk, n);
    if (ferror(f))
        st = dlo_error_set(err, DLO_E_IO, "cannot read %s", path);
    else if (dlo_buf_status(out))
        st = dlo_error_set(err, DLO_E_NOMEM, "out of memory");
    fclose(f);
    return st;
}

static dlo_status host_load_embedded(void *ctx, const char *name, dlo_buf *out, dlo_error *err)
{
    size_t i;
    for (i = 0; host_embedded[i].name; i++)
        if (strcmp(host_embedded[i].name, name) == 0)
            return host_read_file(ctx, host_embedded[i].path, out, err);
    return dlo_error_set(err, DLO_E_NOTFOUND, "no embedded data named %s", name);
}

int main(int argc, char **argv)
{
    /* No firewall and no services on Linux: the commands that need them say so (exit 3). */
    const dlo_platform plat = {.write_out = host_out,
                               .write_err = host_err,
                               .load_embedded = host_load_embedded,
                               .read_file = host_read_file};
    return dlo_app_run(&plat, argc, argv);
}
