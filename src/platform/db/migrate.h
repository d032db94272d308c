/* migrate.h: versioned schema migrations compiled into the binary from migrations/. */
#ifndef TEND_MIGRATE_H
#define TEND_MIGRATE_H

#include "platform/db/db.h"

struct migration {
    int version;
    const char *name;
    const char *sql;
};

/* SQLite's migrations (migrations/) and PostgreSQL's (migrations/pg/): the same
 * versions and names, each in its own dialect. */
extern const struct migration migrations[];
extern const int migrations_count;
extern const struct migration migrations_pg[];
extern const int migrations_pg_count;

/* The newest schema version this binary knows. */
int migrate_latest(void);

/* Apply every missing migration in one transaction, recording each in
 * schema_migrations. The transaction holds the database's write lock (SQLite)
 * or an advisory lock (PostgreSQL), so two nodes starting at once, or `tend
 * migrate` run while nodes serve, apply each migration exactly once. Refuses
 * (TEND_ECONFLICT) a database whose schema is newer than this binary.
 * *applied (may be NULL) gets the count. */
enum tend_rc migrate_up(struct db *db, int *applied, struct tend_err *err);

/* The schema version recorded in the database (0 for an empty one). */
enum tend_rc migrate_current(struct db *db, int *version, struct tend_err *err);

#endif
