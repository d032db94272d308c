/* records_store.c: the SQL of records described as data (struct rec_kind):
 * read, list with keyset pages, create and change with their events, the
 * references, unique values and link tables they name. Statements are built
 * from the kind's fields (a bounded set of shapes, cached by the db layer). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "customers.h"
#include "platform/db/events.h"
#include "platform/http/api.h"
#include "platform/util/util.h"

#define SQL_MAX 4096

/* "SELECT id, version, created_at, updated_at, <columns> FROM <table><tail>" */
static void
select_sql(const struct rec_kind *k, char *sql, size_t len, const char *tail)
{
    size_t used = (size_t)snprintf(sql, len, "SELECT id, version, created_at, updated_at");

    for (int i = 0; i < k->nfields && used < len; i++)
        if (k->fields[i].type != RT_IDSET)
            used += (size_t)snprintf(sql + used, len - used, ", %s", k->fields[i].name);
    if (used < len)
        snprintf(sql + used, len - used, " FROM %s%s", k->table, tail);
}

static json_t *
column_json(const struct rec_field *f, struct db_stmt *st, int col)
{
    json_t *v;

    if (db_col_is_null(st, col))
        return json_null();
    switch (f->type) {
    case RT_INT:
    case RT_REF:
        return json_integer(db_col_int64(st, col));
    case RT_REAL:
        return json_real(strtod(db_col_text(st, col), NULL));
    case RT_BOOL:
        return json_boolean(db_col_int64(st, col) != 0);
    case RT_CUSTOM:
    case RT_STRLIST:
        v = json_loads(db_col_text(st, col), 0, NULL);
        return v ? v : f->type == RT_CUSTOM ? json_object() : json_array();
    default:
        return json_string(db_col_text(st, col));
    }
}

static json_t *
row_json(const struct rec_kind *k, struct db_stmt *st)
{
    json_t *out = json_object();
    int col = 4;

    json_object_set_new(out, "id", json_integer(db_col_int64(st, 0)));
    for (int i = 0; i < k->nfields; i++)
        if (k->fields[i].type != RT_IDSET)
            json_object_set_new(out, k->fields[i].name, column_json(&k->fields[i], st, col++));
    json_object_set_new(out, "version", json_integer(db_col_int64(st, 1)));
    json_object_set_new(out, "created_at", api_time(db_col_int64(st, 2)));
    json_object_set_new(out, "updated_at", api_time(db_col_int64(st, 3)));
    return out;
}

/* "contracts" -> "contract_id" */
static void
link_column(const char *table, char *out, size_t outlen)
{
    size_t n = strlen(table);
    snprintf(out, outlen, "%.*s_id", (int)(n > 1 && table[n - 1] == 's' ? n - 1 : n), table);
}

/* The RT_IDSET members of `rec` (row `id`) read from their link tables. */
static enum tend_rc
read_links(struct db *db, const struct rec_kind *k, int64_t id, json_t *rec, struct tend_err *err)
{
    for (int i = 0; i < k->nfields; i++) {
        const struct rec_field *f = &k->fields[i];
        char sql[256], self[64], other[64];
        struct db_stmt *st;
        enum db_step_result r;
        json_t *ids;
        if (f->type != RT_IDSET)
            continue;
        link_column(k->table, self, sizeof(self));
        link_column(f->ref, other, sizeof(other));
        snprintf(sql, sizeof(sql), "SELECT %s FROM %s WHERE %s = ? ORDER BY %s", other, f->link, self, other);
        st = db_prepare(db, sql, err);
        if (!st)
            return err->rc;
        db_bind_int64(st, 1, id);
        ids = json_array();
        while ((r = db_step(st, err)) == DB_ROW)
            json_array_append_new(ids, json_integer(db_col_int64(st, 0)));
        db_reset(st);
        json_object_set_new(rec, f->name, ids);
        if (r == DB_FAIL)
            return err->rc;
    }
    return TEND_OK;
}

static int
has_links(const struct rec_kind *k)
{
    for (int i = 0; i < k->nfields; i++)
        if (k->fields[i].type == RT_IDSET)
            return 1;
    return 0;
}

enum tend_rc
rec_store_get(struct db *db, const struct rec_kind *k, int64_t id, int64_t scope_org, json_t **out,
              struct tend_err *err)
{
    char sql[SQL_MAX], where[96];
    struct db_stmt *st;
    enum db_step_result r;

    *out = NULL;
    if (scope_org && k->scope_col)
        snprintf(where, sizeof(where), " WHERE id = ? AND %s = ?", k->scope_col);
    else
        snprintf(where, sizeof(where), " WHERE id = ?");
    select_sql(k, sql, sizeof(sql), where);
    st = db_prepare(db, sql, err);
    if (!st)
        return err->rc;
    db_bind_int64(st, 1, id);
    if (scope_org && k->scope_col)
        db_bind_int64(st, 2, scope_org);
    r = db_step(st, err);
    if (r == DB_ROW)
        *out = row_json(k, st);
    db_reset(st);
    if (r == DB_FAIL)
        return err->rc;
    if (r == DB_DONE)
        return tend_fail(err, TEND_ENOTFOUND, "id", "no %s %lld", k->name, (long long)id);
    if (has_links(k) && read_links(db, k, id, *out, err)) {
        json_decref(*out);
        *out = NULL;
        return err->rc;
    }
    return TEND_OK;
}

/* Escape LIKE's wildcards (with '\') and lower-case ASCII: "%q%". */
static void
like_pattern(const char *q, char *out, size_t outlen)
{
    size_t n = 0;

    out[n++] = '%';
    for (const char *p = q; *p && n + 3 < outlen; p++) {
        if (*p == '%' || *p == '_' || *p == '\\')
            out[n++] = '\\';
        out[n++] = (*p >= 'A' && *p <= 'Z') ? (char)(*p + 32) : *p;
    }
    out[n++] = '%';
    out[n] = '\0';
}

static void
bind_json(struct db_stmt *st, int i, const struct rec_field *f, const json_t *v, char **owned)
{
    *owned = NULL;
    if (!v || json_is_null(v)) {
        db_bind_null(st, i);
        return;
    }
    switch (f->type) {
    case RT_INT:
    case RT_REF:
        db_bind_int64(st, i, json_integer_value(v));
        break;
    case RT_REAL:
        db_bind_double(st, i, json_number_value(v));
        break;
    case RT_BOOL:
        db_bind_int64(st, i, json_is_true(v) ? 1 : 0);
        break;
    case RT_CUSTOM:
    case RT_STRLIST:
        *owned = json_dumps(v, JSON_COMPACT);
        db_bind_str(st, i, *owned);
        break;
    default:
        db_bind_str(st, i, json_string_value(v));
        break;
    }
}

enum tend_rc
rec_store_list(struct db *db, const struct rec_kind *k, const struct rec_filter *f, json_t **out,
               struct tend_err *err)
{
    char sql[SQL_MAX], pattern[512];
    size_t used;
    const char *glue = " WHERE";
    struct db_stmt *st;
    enum db_step_result r;
    json_t *items;
    int param = 1, count = 0;
    int64_t last = 0;

    select_sql(k, sql, sizeof(sql), "");
    used = strlen(sql);
#define COND(...)                                                                                                      \
    do {                                                                                                               \
        used += (size_t)snprintf(sql + used, sizeof(sql) - used, "%s ", glue);                                       \
        used += (size_t)snprintf(sql + used, sizeof(sql) - used, __VA_ARGS__);                                       \
        glue = " AND";                                                                                                 \
    } while (0)
    if (f->scope_org && k->scope_col)
        COND("%s = ?", k->scope_col);
    for (int i = 0; i < f->n; i++) {
        if (json_is_null(f->values[i]))
            COND("%s IS NULL", f->names[i]);
        else
            COND("%s = ?", f->names[i]);
    }
    if (f->q) {
        int first = 1;
        COND("(");
        for (int i = 0; i < k->nfields; i++)
            if (k->fields[i].flags & RF_SEARCH) {
                used += (size_t)snprintf(sql + used, sizeof(sql) - used, "%slower(%s) LIKE ? ESCAPE '\\'",
                                         first ? "" : " OR ", k->fields[i].name);
                first = 0;
            }
        used += (size_t)snprintf(sql + used, sizeof(sql) - used, ")");
    }
    if (f->after_id)
        COND("id > ?");
    snprintf(sql + used, sizeof(sql) - used, " ORDER BY id LIMIT %d", f->limit + 1);
#undef COND
    if (used >= sizeof(sql) - 32)
        return tend_fail(err, TEND_EINTERNAL, NULL, "list query too long");
    st = db_prepare(db, sql, err);
    if (!st)
        return err->rc;
    if (f->scope_org && k->scope_col)
        db_bind_int64(st, param++, f->scope_org);
    for (int i = 0; i < f->n; i++) {
        char *owned = NULL;
        if (json_is_null(f->values[i]))
            continue;
        bind_json(st, param++, rec_field_of(k, f->names[i]), f->values[i], &owned);
        free(owned); /* filters are scalars: nothing owned */
    }
    if (f->q) {
        like_pattern(f->q, pattern, sizeof(pattern));
        for (int i = 0; i < k->nfields; i++)
            if (k->fields[i].flags & RF_SEARCH)
                db_bind_str(st, param++, pattern);
    }
    if (f->after_id)
        db_bind_int64(st, param++, f->after_id);
    items = json_array();
    while ((r = db_step(st, err)) == DB_ROW) {
        if (count++ >= f->limit)
            continue;
        last = db_col_int64(st, 0);
        json_array_append_new(items, row_json(k, st));
    }
    db_reset(st);
    if (r == DB_FAIL) {
        json_decref(items);
        return err->rc;
    }
    for (size_t i = 0; has_links(k) && i < json_array_size(items); i++) {
        json_t *it = json_array_get(items, i);
        if (read_links(db, k, json_integer_value(json_object_get(it, "id")), it, err)) {
            json_decref(items);
            return err->rc;
        }
    }
    *out = json_pack("{s:o,s:o}", "items", items, "next_cursor", json_null());
    if (count > f->limit) {
        char next[96];
        cursor_encode(k->cursor_tag, last, next, sizeof(next));
        json_object_set_new(*out, "next_cursor", json_string(next));
    }
    return TEND_OK;
}

enum tend_rc
rec_store_each(struct db *db, const struct rec_kind *k, void (*row)(void *ctx, json_t *rec), void *ctx,
               struct tend_err *err)
{
    char sql[SQL_MAX];
    struct db_stmt *st;
    enum db_step_result r;

    select_sql(k, sql, sizeof(sql), " ORDER BY id");
    st = db_prepare(db, sql, err);
    if (!st)
        return err->rc;
    while ((r = db_step(st, err)) == DB_ROW) {
        json_t *rec = row_json(k, st);
        row(ctx, rec);
        json_decref(rec);
    }
    db_reset(st);
    return r == DB_FAIL ? err->rc : TEND_OK;
}

enum tend_rc
rec_store_find_external(struct db *db, const struct rec_kind *k, const char *ext, int64_t *id,
                        struct tend_err *err)
{
    char sql[128];
    struct db_stmt *st;
    enum db_step_result r;

    *id = 0;
    snprintf(sql, sizeof(sql), "SELECT id FROM %s WHERE external_id = ?", k->table);
    st = db_prepare(db, sql, err);
    if (!st)
        return err->rc;
    db_bind_str(st, 1, ext);
    r = db_step(st, err);
    if (r == DB_ROW)
        *id = db_col_int64(st, 0);
    db_reset(st);
    return r == DB_FAIL ? err->rc : TEND_OK;
}

enum tend_rc
rec_store_scalar(struct db *db, const char *sql, int64_t id, int64_t *out, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db, sql, err);
    enum db_step_result r;

    *out = 0;
    if (!st)
        return err->rc;
    db_bind_int64(st, 1, id);
    r = db_step(st, err);
    if (r == DB_ROW && !db_col_is_null(st, 0))
        *out = db_col_int64(st, 0);
    db_reset(st);
    if (r == DB_FAIL)
        return err->rc;
    return r == DB_ROW ? TEND_OK : TEND_ENOTFOUND;
}

enum tend_rc
rec_store_exists(struct db *db, const char *table, int64_t id, struct tend_err *err)
{
    char sql[128];
    struct db_stmt *st;
    enum db_step_result r;

    snprintf(sql, sizeof(sql), "SELECT 1 FROM %s WHERE id = ?", table);
    st = db_prepare(db, sql, err);
    if (!st)
        return err->rc;
    db_bind_int64(st, 1, id);
    r = db_step(st, err);
    db_reset(st);
    if (r == DB_FAIL)
        return err->rc;
    return r == DB_ROW ? TEND_OK : TEND_ENOTFOUND;
}

/* References, unique values and link ids of the members of `rec` that `which`
 * has (all of rec when which is NULL), for row `id` (0: a new one). */
static enum tend_rc
check_rows(struct db *db, const struct rec_kind *k, int64_t id, const json_t *rec, const json_t *which,
           struct tend_err *err)
{
    for (int i = 0; i < k->nfields; i++) {
        const struct rec_field *f = &k->fields[i];
        const json_t *v = json_object_get(rec, f->name);
        enum tend_rc rc;
        if ((which && !json_object_get(which, f->name)) || !v || json_is_null(v))
            continue;
        if (f->type == RT_REF) {
            rc = rec_store_exists(db, f->ref, json_integer_value(v), err);
            if (rc == TEND_ENOTFOUND)
                return tend_fail(err, TEND_EINVAL, f->name, "no %s with id %lld", f->ref,
                                 (long long)json_integer_value(v));
            if (rc)
                return rc;
        } else if (f->type == RT_IDSET) {
            size_t j;
            json_t *item;
            json_array_foreach(v, j, item) {
                char field[80];
                rc = rec_store_exists(db, f->ref, json_integer_value(item), err);
                snprintf(field, sizeof(field), "%s[%zu]", f->name, j);
                if (rc == TEND_ENOTFOUND)
                    return tend_fail(err, TEND_EINVAL, field, "no %s with id %lld", f->ref,
                                     (long long)json_integer_value(item));
                if (rc)
                    return rc;
            }
        }
        if (f->flags & RF_UNIQUE) {
            char sql[256];
            struct db_stmt *st;
            enum db_step_result r;
            int64_t other = 0;
            char *owned = NULL;
            snprintf(sql, sizeof(sql), "SELECT id FROM %s WHERE %s = ? AND id <> ?", k->table, f->name);
            st = db_prepare(db, sql, err);
            if (!st)
                return err->rc;
            bind_json(st, 1, f, v, &owned);
            db_bind_int64(st, 2, id);
            r = db_step(st, err);
            if (r == DB_ROW)
                other = db_col_int64(st, 0);
            db_reset(st);
            free(owned);
            if (r == DB_FAIL)
                return err->rc;
            if (other)
                return tend_fail(err, TEND_EINVAL, f->name, "is already used by %s %lld", k->name, (long long)other);
        }
    }
    return k->check ? k->check(db, k, id, rec, err) : TEND_OK;
}

/* Bind every column of `rec` from parameter 1 on (norm columns after their
 * field); returns the next parameter. `owned` collects text to free. */
static int
bind_record(struct db_stmt *st, const struct rec_kind *k, const json_t *rec, char **owned)
{
    int p = 1;

    for (int i = 0; i < k->nfields; i++) {
        const struct rec_field *f = &k->fields[i];
        const json_t *v = json_object_get(rec, f->name);
        if (f->type == RT_IDSET)
            continue;
        bind_json(st, p, f, v, &owned[p]);
        p++;
        if (f->flags & (RF_EMAIL | RF_PHONE)) {
            const char *s = json_is_string(v) ? json_string_value(v) : NULL;
            char norm[256];
            if (!s || !*s) {
                db_bind_null(st, p);
            } else {
                if (f->flags & RF_PHONE)
                    rec_phone_norm(s, norm, sizeof(norm));
                else {
                    size_t n = strlcopy(norm, s, sizeof(norm));
                    for (size_t j = 0; j < n && j < sizeof(norm); j++)
                        if (norm[j] >= 'A' && norm[j] <= 'Z')
                            norm[j] = (char)(norm[j] + 32);
                }
                owned[p] = xstrdup(norm);
                db_bind_str(st, p, owned[p]);
            }
            p++;
        }
    }
    return p;
}

static enum tend_rc
write_links(struct db *db, const struct rec_kind *k, int64_t id, const json_t *rec, const json_t *which,
            struct tend_err *err)
{
    for (int i = 0; i < k->nfields; i++) {
        const struct rec_field *f = &k->fields[i];
        const json_t *v = json_object_get(rec, f->name);
        char sql[256], self[64], other[64];
        struct db_stmt *st;
        size_t j;
        json_t *item;
        if (f->type != RT_IDSET || (which && !json_object_get(which, f->name)))
            continue;
        link_column(k->table, self, sizeof(self));
        link_column(f->ref, other, sizeof(other));
        snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE %s = ?", f->link, self);
        st = db_prepare(db, sql, err);
        if (!st)
            return err->rc;
        db_bind_int64(st, 1, id);
        if (db_run(st, err))
            return err->rc;
        snprintf(sql, sizeof(sql), "INSERT INTO %s (%s, %s) VALUES (?, ?)", f->link, self, other);
        json_array_foreach(v, j, item) {
            st = db_prepare(db, sql, err);
            if (!st)
                return err->rc;
            db_bind_int64(st, 1, id);
            db_bind_int64(st, 2, json_integer_value(item));
            if (db_run(st, err))
                return err->rc;
        }
    }
    return TEND_OK;
}

/* Column names for INSERT or "col = ?" pairs for UPDATE. */
static size_t
column_list(const struct rec_kind *k, int assign, char *sql, size_t len, size_t used, int *ncols)
{
    *ncols = 0;
    for (int i = 0; i < k->nfields && used < len; i++) {
        const struct rec_field *f = &k->fields[i];
        if (f->type == RT_IDSET)
            continue;
        used += (size_t)snprintf(sql + used, len - used, "%s%s%s", *ncols ? ", " : "", f->name, assign ? " = ?" : "");
        (*ncols)++;
        if (f->flags & (RF_EMAIL | RF_PHONE)) {
            used += (size_t)snprintf(sql + used, len - used, ", %s_norm%s", f->name, assign ? " = ?" : "");
            (*ncols)++;
        }
    }
    return used;
}

enum tend_rc
rec_store_insert(struct db *db, const struct rec_kind *k, const json_t *rec, const char *actor, int64_t now,
                 int64_t *id, struct tend_err *err)
{
    char sql[SQL_MAX];
    char *owned[128] = {0};
    size_t used;
    int ncols, p;
    struct db_stmt *st;
    enum tend_rc rc = check_rows(db, k, 0, rec, NULL, err);

    if (rc)
        return rc;
    used = (size_t)snprintf(sql, sizeof(sql), "INSERT INTO %s (", k->table);
    used = column_list(k, 0, sql, sizeof(sql), used, &ncols);
    used += (size_t)snprintf(sql + used, sizeof(sql) - used, ", version, created_at, updated_at) VALUES (");
    for (int i = 0; i < ncols; i++)
        used += (size_t)snprintf(sql + used, sizeof(sql) - used, "?, ");
    snprintf(sql + used, sizeof(sql) - used, "1, ?, ?) RETURNING id");
    st = db_prepare(db, sql, err);
    if (!st)
        return err->rc;
    p = bind_record(st, k, rec, owned);
    db_bind_int64(st, p, now);
    db_bind_int64(st, p + 1, now);
    rc = db_run_returning_id(st, id, err);
    for (int i = 0; i < 128; i++)
        free(owned[i]);
    if (rc == TEND_ECONFLICT)
        rc = tend_fail(err, TEND_EINVAL, "", "another %s has one of these unique values", k->name);
    if (rc == TEND_OK)
        rc = write_links(db, k, *id, rec, NULL, err);
    if (rc == TEND_OK) {
        char type[64];
        snprintf(type, sizeof(type), "%s.created", k->name);
        rc = event_append(db, type, k->name, *id, actor, rec, now, err);
    }
    return rc;
}

enum tend_rc
rec_store_update(struct db *db, const struct rec_kind *k, int64_t id, const json_t *patch, int64_t version,
                 int64_t scope_org, const char *actor, int64_t now, struct tend_err *err)
{
    char sql[SQL_MAX];
    char *owned[128] = {0};
    json_t *cur = NULL, *changes;
    const char *key;
    json_t *v;
    size_t used;
    int ncols, p;
    struct db_stmt *st;
    enum tend_rc rc = rec_store_get(db, k, id, scope_org, &cur, err);

    if (rc)
        return rc;
    if (version > 0 && json_integer_value(json_object_get(cur, "version")) != version) {
        rc = tend_fail(err, TEND_ECONFLICT, "version", "the %s changed since you read it (now version %lld)",
                       k->name, (long long)json_integer_value(json_object_get(cur, "version")));
        json_decref(cur);
        return rc;
    }
    changes = json_object();
    json_object_foreach((json_t *)patch, key, v) {
        json_t *before = json_object_get(cur, key);
        if (!json_equal(before, v))
            json_object_set_new(changes, key, json_pack("{s:O,s:O}", "from", before ? before : json_null(), "to", v));
        json_object_set(cur, key, v);
    }
    rc = check_rows(db, k, id, cur, patch, err);
    if (rc)
        goto out;
    used = (size_t)snprintf(sql, sizeof(sql), "UPDATE %s SET ", k->table);
    used = column_list(k, 1, sql, sizeof(sql), used, &ncols);
    snprintf(sql + used, sizeof(sql) - used, ", version = version + 1, updated_at = ? WHERE id = ?");
    st = db_prepare(db, sql, err);
    if (!st) {
        rc = err->rc;
        goto out;
    }
    p = bind_record(st, k, cur, owned);
    db_bind_int64(st, p, now);
    db_bind_int64(st, p + 1, id);
    rc = db_run(st, err);
    for (int i = 0; i < 128; i++)
        free(owned[i]);
    if (rc == TEND_ECONFLICT)
        rc = tend_fail(err, TEND_EINVAL, "", "another %s has one of these unique values", k->name);
    if (rc == TEND_OK)
        rc = write_links(db, k, id, cur, patch, err);
    if (rc == TEND_OK && json_object_size(changes)) {
        char type[64];
        snprintf(type, sizeof(type), "%s.changed", k->name);
        rc = event_append(db, type, k->name, id, actor, changes, now, err);
    }
out:
    json_decref(changes);
    json_decref(cur);
    return rc;
}
