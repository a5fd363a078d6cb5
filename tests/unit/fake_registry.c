#include "fake_registry.h"

#include <stdlib.h>
#include <string.h>

static int ci_compare(const char *a, const char *b)
{
    for (;; a++, b++) {
        int x = (*a >= 'A' && *a <= 'Z') ? *a - 'A' + 'a' : *a;
        int y = (*b >= 'A' && *b <= 'Z') ? *b - 'A' + 'a' : *b;
        if (x != y || x == 0)
            return x - y;
    }
}

static dlo_status fake_read(void *ctx, const char *key, const char *name, dlo_reg_value *out,
                            dlo_error *err)
{
    fake_registry *f = ctx;
    size_t i;

    f->reads++;
    dlo_reg_value_init(out);
    for (i = 0; i < f->n; i++) {
        const fake_entry *e = &f->entries[i];
        /* The registry compares key and value names without regard to case. */
        if (ci_compare(e->key, key) != 0 || ci_compare(e->name, name) != 0)
            continue;
        if (e->fail)
            return dlo_error_set(err, e->fail, "HKLM\\%s value %s cannot be read: fake failure",
                                 key, name);
        out->type = e->type;
        out->number = e->number;
        out->size = e->size;
        out->count = e->count;
        out->oversize = e->oversize;
        if (e->text) {
            out->text = malloc(e->text_len);
            if (!out->text)
                return dlo_error_set(err, DLO_E_NOMEM, "out of memory");
            memcpy(out->text, e->text, e->text_len);
            out->text_len = e->text_len;
        }
        return DLO_OK;
    }
    return DLO_E_NOTFOUND;
}

void fake_reg_init(fake_registry *f)
{
    memset(f, 0, sizeof(*f));
    f->reg.ctx = f;
    f->reg.read = fake_read;
}

void fake_reg_remove(fake_registry *f, const char *key, const char *name)
{
    size_t i;
    for (i = 0; i < f->n; i++) {
        if (ci_compare(f->entries[i].key, key) == 0 && ci_compare(f->entries[i].name, name) == 0) {
            free(f->entries[i].text);
            f->entries[i] = f->entries[--f->n];
            return;
        }
    }
}

void fake_reg_free(fake_registry *f)
{
    while (f->n)
        fake_reg_remove(f, f->entries[0].key, f->entries[0].name);
}

static fake_entry *slot(fake_registry *f, const char *key, const char *name)
{
    fake_entry *e;
    fake_reg_remove(f, key, name);
    if (f->n == FAKE_REG_MAX)
        abort();
    e = &f->entries[f->n++];
    memset(e, 0, sizeof(*e));
    strncpy(e->key, key, sizeof(e->key) - 1);
    strncpy(e->name, name, sizeof(e->name) - 1);
    return e;
}

void fake_reg_sz(fake_registry *f, const char *key, const char *name, const char *text)
{
    fake_entry *e = slot(f, key, name);
    size_t n = strlen(text) + 1;
    e->type = DLO_REG_SZ;
    e->text = malloc(n);
    if (!e->text)
        abort();
    memcpy(e->text, text, n);
    e->text_len = n;
    e->size = n * 2;
}

void fake_reg_multi(fake_registry *f, const char *key, const char *name, const char *const *strs,
                    size_t n)
{
    fake_entry *e = slot(f, key, name);
    size_t i, len = 0, at = 0;
    for (i = 0; i < n; i++)
        len += strlen(strs[i]) + 1;
    e->type = DLO_REG_MULTI_SZ;
    e->text = malloc(len ? len : 1);
    if (!e->text)
        abort();
    for (i = 0; i < n; i++) {
        size_t l = strlen(strs[i]) + 1;
        memcpy(e->text + at, strs[i], l);
        at += l;
    }
    e->text_len = len;
    e->count = n;
    e->size = (len + 1) * 2;
}

void fake_reg_dword(fake_registry *f, const char *key, const char *name, uint32_t v)
{
    fake_entry *e = slot(f, key, name);
    e->type = DLO_REG_DWORD;
    e->number = v;
    e->size = 4;
}

void fake_reg_typed(fake_registry *f, const char *key, const char *name, unsigned long type,
                    uint64_t number, size_t size)
{
    fake_entry *e = slot(f, key, name);
    e->type = type;
    e->number = number;
    e->size = size;
}

void fake_reg_oversize(fake_registry *f, const char *key, const char *name, unsigned long type,
                       size_t size)
{
    fake_entry *e = slot(f, key, name);
    e->type = type;
    e->size = size;
    e->oversize = 1;
}

void fake_reg_fail(fake_registry *f, const char *key, const char *name, dlo_status st)
{
    fake_entry *e = slot(f, key, name);
    e->fail = st;
}
