/* idempotency.c: the idempotency_keys table. */
#include "idempotency.h"

#include <stdio.h>
#include <string.h>

enum tend_rc
idem_key_check(const char *key, struct tend_err *err)
{
    size_t len = strlen(key);

    if (len == 0 || len > IDEM_KEY_MAX)
        return tend_fail(err, TEND_EINVAL, "Idempotency-Key", "must be 1 to %d characters long",
                         IDEM_KEY_MAX);
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)key[i] < 0x21 || (unsigned char)key[i] > 0x7e)
            return tend_fail(err, TEND_EINVAL, "Idempotency-Key",
                             "must contain only visible ASCII characters");
    return TEND_OK;
}

enum tend_rc
idem_lookup(struct db *db, const char *scope, const char *key, const char *request_hash,
            int64_t *resource_id, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(
        db, "SELECT request_hash, resource_id FROM idempotency_keys WHERE scope = ? AND key = ?", err);
    enum db_step_result r;
    enum tend_rc rc = TEND_OK;

    if (!st)
        return err->rc;
    db_bind_str(st, 1, scope);
    db_bind_str(st, 2, key);
    *resource_id = 0;
    r = db_step(st, err);
    if (r == DB_ROW) {
        if (strcmp(db_col_text(st, 0), request_hash) != 0)
            rc = tend_fail(err, TEND_EINVAL, "Idempotency-Key",
                           "was already used for a different request");
        else
            *resource_id = db_col_int64(st, 1);
    } else if (r == DB_FAIL) {
        rc = err->rc;
    }
    db_reset(st);
    return rc;
}

enum tend_rc
idem_record(struct db *db, const char *scope, const char *key, const char *request_hash,
            int64_t resource_id, int64_t now, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db,
                                    "INSERT INTO idempotency_keys (scope, key, request_hash, "
                                    "resource_id, created_at) VALUES (?, ?, ?, ?, ?)",
                                    err);
    if (!st)
        return err->rc;
    db_bind_str(st, 1, scope);
    db_bind_str(st, 2, key);
    db_bind_str(st, 3, request_hash);
    db_bind_int64(st, 4, resource_id);
    db_bind_int64(st, 5, now);
    return db_run(st, err);
}

enum tend_rc
idem_purge(struct db *db, int64_t now, char *detail, size_t detail_len, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db, "DELETE FROM idempotency_keys WHERE created_at < ? RETURNING 1", err);
    long n = 0;

    if (!st)
        return err->rc;
    db_bind_int64(st, 1, now - IDEM_KEEP_MS);
    if (db_run_counting(st, &n, err))
        return err->rc;
    snprintf(detail, detail_len, "deleted %ld key%s older than 24 hours", n, n == 1 ? "" : "s");
    return TEND_OK;
}
