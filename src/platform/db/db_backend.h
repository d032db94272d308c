/* db_backend.h: the table of functions a database backend implements (internal to db/). */
#ifndef TEND_DB_BACKEND_H
#define TEND_DB_BACKEND_H

#include "db.h"

struct db_ops {
    enum db_kind kind;
    enum tend_rc (*open)(const char *target, int flags, struct db **out, struct tend_err *err);
    void (*close)(struct db *db);
    enum tend_rc (*exec)(struct db *db, const char *sql, struct tend_err *err);
    struct db_stmt *(*prepare)(struct db *db, const char *sql, struct tend_err *err);
    void (*bind_int64)(struct db_stmt *st, int i, int64_t v);
    void (*bind_text)(struct db_stmt *st, int i, const char *s, size_t len);
    void (*bind_null)(struct db_stmt *st, int i);
    void (*bind_double)(struct db_stmt *st, int i, double v);
    enum db_step_result (*step)(struct db_stmt *st, struct tend_err *err);
    int64_t (*col_int64)(struct db_stmt *st, int i);
    const char *(*col_text)(struct db_stmt *st, int i);
    size_t (*col_len)(struct db_stmt *st, int i);
    int (*col_is_null)(struct db_stmt *st, int i);
    void (*reset)(struct db_stmt *st);
    enum tend_rc (*begin)(struct db *db, struct tend_err *err);
    int (*ping)(struct db *db);
};

/* Every connection and statement starts with a pointer to its backend's ops. */
struct db {
    const struct db_ops *ops;
};
struct db_stmt {
    const struct db_ops *ops;
};

extern const struct db_ops db_sqlite_ops;
extern const struct db_ops db_pg_ops;

#endif
