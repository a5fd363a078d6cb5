/* dloagent-host: the portable core behind a POSIX platform, so the command line can be tested
 * natively under the sanitizers. Not shipped. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dlo/app.h"
#include "dlo/host_embedded.h"
#include "dlo/policy.h"

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

/* Reads at most max + 1 bytes of fd into out: one byte more than max says the file grew. */
static dlo_status read_capped(int fd, const char *path, size_t max, dlo_buf *out, dlo_error *err)
{
    char chunk[4096];
    size_t got = 0;
    ssize_t n;
    while (got <= max) {
        size_t want = max + 1 - got < sizeof(chunk) ? max + 1 - got : sizeof(chunk);
        n = read(fd, chunk, want);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return dlo_error_set(err, DLO_E_IO, "cannot read %s: %s", path, strerror(errno));
        if (n == 0)
            break;
        dlo_buf_append(out, chunk, (size_t)n);
        got += (size_t)n;
    }
    if (got > max)
        return dlo_error_set(err, DLO_E_IO, "%s is more than %zu bytes; expected at most %zu", path,
                             max, max);
    return dlo_buf_status(out) ? dlo_error_set(err, DLO_E_NOMEM, "out of memory") : DLO_OK;
}

/* Opened without waiting (O_NONBLOCK: a FIFO nobody writes), and judged by what is open, not by
 * the name: a regular file within max, else refused before reading. */
static dlo_status host_read_file(void *ctx, const char *path, size_t max, dlo_buf *out,
                                 dlo_error *err)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    struct stat st;
    dlo_status s;

    (void)ctx;
    if (fd < 0)
        return dlo_error_set(err, DLO_E_IO, "cannot open %s: %s", path, strerror(errno));
    if (fstat(fd, &st) != 0)
        s = dlo_error_set(err, DLO_E_IO, "cannot read %s: %s", path, strerror(errno));
    else if (!S_ISREG(st.st_mode))
        s = dlo_error_set(err, DLO_E_IO,
                          "%s is not a regular file (a device, a pipe or a folder); expected a "
                          "data file",
                          path);
    else if ((unsigned long long)st.st_size > max)
        s = dlo_error_set(err, DLO_E_IO, "%s is %lld bytes; expected at most %zu", path,
                          (long long)st.st_size, max);
    else
        s = read_capped(fd, path, max, out, err);
    close(fd);
    return s;
}

static dlo_status host_load_embedded(void *ctx, const char *name, dlo_buf *out, dlo_error *err)
{
    size_t i;
    for (i = 0; host_embedded[i].name; i++)
        if (strcmp(host_embedded[i].name, name) == 0)
            return host_read_file(ctx, host_embedded[i].path, DLO_POLICY_MAX_BYTES, out, err);
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
