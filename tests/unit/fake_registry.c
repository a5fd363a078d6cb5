#include "fake_registry.h"

#include "dlo/str.h"

#include <stdlib.h>
#include <string.h>

static fake_entry *find(fake_registry *f, dlo_reg_view view, const char *key, const char *name)
{
    size_t i;
    /* The registry compares key and value names without regard to case. */
    for (i = 0; i < f->n; i++)
        if (f->entries[i].view == view && dlo_str_equal_ci(f->entries[i].key, key) &&
            dlo_str_equal_ci(f->entries[i].name, name))
            return &f->entries[i];
    return NULL;
}

static dlo_status fill_value(const fake_entry *e, dlo_reg_value *out, dlo_error *err)
{
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

static dlo_status fake_read(void *ctx, dlo_reg_view view, const char *key, const char *name,
                            dlo_reg_value *out, dlo_error *err)
{
    fake_registry *f = ctx;
    const fake_entry *e = find(f, view, key, name);

    f->reads++;
    dlo_reg_value_init(out);
    if (!e)
        return DLO_E_NOTFOUND;
    if (e->fail)
        return dlo_error_set(err, e->fail, "HKLM\\%s value %s cannot be read: %s", key, name,
                             e->fail == DLO_E_ACCESS ? "Access denied" : dlo_status_name(e->fail));
    return fill_value(e, out, err);
}

/* A value set to fail makes the whole listing fail, as an unreadable key does. */
static dlo_status fake_values(void *ctx, dlo_reg_view view, const char *key, dlo_reg_value_fn fn,
                              void *user, dlo_error *err)
{
    fake_registry *f = ctx;
    size_t i;
    bool exists = false;
    dlo_status st = DLO_OK;

    f->listings++;
    for (i = 0; i < f->n && !st; i++) {
        const fake_entry *e = &f->entries[i];
        dlo_reg_value v;
        if (e->view != view || !dlo_str_equal_ci(e->key, key))
            continue;
        exists = true;
        if (e->fail)
            return dlo_error_set(err, e->fail, "cannot list the values of HKLM\\%s: %s", key,
                                 dlo_status_name(e->fail));
        dlo_reg_value_init(&v);
        st = fill_value(e, &v, err);
        if (!st)
            st = fn(user, e->name, &v, err);
        dlo_reg_value_free(&v);
    }
    return st ? st : exists ? DLO_OK : DLO_E_NOTFOUND;
}

static bool listed(const dlo_strlist *l, const char *name)
{
    size_t i;
    for (i = 0; i < l->count; i++)
        if (dlo_str_equal_ci(l->items[i], name))
            return true;
    return false;
}

static dlo_status fake_subkeys(void *ctx, dlo_reg_view view, const char *key, dlo_strlist *out,
                               dlo_error *err)
{
    fake_registry *f = ctx;
    size_t i, klen = strlen(key);
    bool exists = false;

    if (f->broken_key[0] && f->broken_view == view && dlo_str_equal_ci(f->broken_key, key))
        return dlo_error_set(err, DLO_E_ACCESS, "cannot list HKLM\\%s: Access denied", key);
    for (i = 0; i < f->n; i++) {
        const fake_entry *e = &f->entries[i];
        const char *rest;
        char name[256];
        size_t n;

        if (e->view != view || !dlo_str_prefix_ci(e->key, key))
            continue;
        if (e->key[klen] == '\0') {
            exists = true;
            continue;
        }
        if (e->key[klen] != '\\')
            continue;
        exists = true;
        rest = e->key + klen + 1;
        n = strcspn(rest, "\\");
        memcpy(name, rest, n);
        name[n] = '\0';
        if (!listed(out, name) && dlo_strlist_add(out, name))
            return DLO_E_NOMEM;
    }
    return exists ? DLO_OK : DLO_E_NOTFOUND;
}

const dlo_registry *fake_reg_seam(fake_registry *f)
{
    f->reg.ctx = f;
    f->reg.read = fake_read;
    f->reg.subkeys = fake_subkeys;
    f->reg.values = fake_values;
    return &f->reg;
}

void fake_reg_init(fake_registry *f)
{
    memset(f, 0, sizeof(*f));
    fake_reg_seam(f);
}

static void remove_in(fake_registry *f, dlo_reg_view view, const char *key, const char *name)
{
    fake_entry *e = find(f, view, key, name);
    if (e) {
        free(e->text);
        *e = f->entries[--f->n];
    }
}

void fake_reg_remove(fake_registry *f, const char *key, const char *name)
{
    remove_in(f, DLO_REG_VIEW_64, key, name);
}

void fake_reg_free(fake_registry *f)
{
    while (f->n)
        remove_in(f, f->entries[0].view, f->entries[0].key, f->entries[0].name);
}

static fake_entry *slot_in(fake_registry *f, dlo_reg_view view, const char *key, const char *name)
{
    fake_entry *e;
    remove_in(f, view, key, name);
    if (f->n == FAKE_REG_MAX || strlen(key) >= sizeof(e->key) || strlen(name) >= sizeof(e->name))
        abort();
    e = &f->entries[f->n++];
    memset(e, 0, sizeof(*e));
    e->view = view;
    strcpy(e->key, key);
    strcpy(e->name, name);
    return e;
}

static fake_entry *slot(fake_registry *f, const char *key, const char *name)
{
    return slot_in(f, DLO_REG_VIEW_64, key, name);
}

void fake_reg_sz_in(fake_registry *f, dlo_reg_view view, const char *key, const char *name,
                    const char *text)
{
    fake_entry *e = slot_in(f, view, key, name);
    size_t n = strlen(text) + 1;
    e->type = DLO_REG_SZ;
    e->text = malloc(n);
    if (!e->text)
        abort();
    memcpy(e->text, text, n);
    e->text_len = n;
    e->size = n * 2;
}

void fake_reg_sz(fake_registry *f, const char *key, const char *name, const char *text)
{
    fake_reg_sz_in(f, DLO_REG_VIEW_64, key, name, text);
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

void fake_reg_dword_in(fake_registry *f, dlo_reg_view view, const char *key, const char *name,
                       uint32_t v)
{
    fake_entry *e = slot_in(f, view, key, name);
    e->type = DLO_REG_DWORD;
    e->number = v;
    e->size = 4;
}

void fake_reg_dword(fake_registry *f, const char *key, const char *name, uint32_t v)
{
    fake_reg_dword_in(f, DLO_REG_VIEW_64, key, name, v);
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

void fake_reg_fail_in(fake_registry *f, dlo_reg_view view, const char *key, const char *name,
                      dlo_status st)
{
    fake_entry *e = slot_in(f, view, key, name);
    e->fail = st;
}

void fake_reg_fail(fake_registry *f, const char *key, const char *name, dlo_status st)
{
    fake_reg_fail_in(f, DLO_REG_VIEW_64, key, name, st);
}

void fake_reg_subkeys_fail(fake_registry *f, dlo_reg_view view, const char *key)
{
    if (strlen(key) >= sizeof(f->broken_key))
        abort();
    f->broken_view = view;
    strcpy(f->broken_key, key);
}
