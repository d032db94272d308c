/* cmd_db.c: `tend migrate` and `tend demo`. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "demo.h"
#include "options.h"
#include "platform/db/db.h"
#include "platform/db/migrate.h"

/* Open `url` (creating it) and bring its schema up to date. */
static int
open_migrated(const char *command, const char *url, struct db **db)
{
    struct tend_err err;
    int applied = 0;

    tend_err_clear(&err);
    if (db_open(url, DB_OPEN_CREATE, db, &err) || migrate_up(*db, &applied, &err)) {
        fprintf(stderr, "tend %s: %s\n", command, err.message);
        db_close(*db);
        *db = NULL;
        return -1;
    }
    if (applied)
        fprintf(stderr, "tend %s: applied %d migration%s (schema version %d)\n", command, applied,
                applied == 1 ? "" : "s", migrate_latest());
    return 0;
}

int
cmd_migrate(int argc, char **argv)
{
    struct option_def defs[] = {
        {"db", "TEND_DB", "URL", "database: sqlite:PATH (default: sqlite:DATA_DIR/tend.db)", NULL},
        {"data-dir", "TEND_DATA_DIR", "DIR", "data directory", "data"},
        {NULL, NULL, NULL, NULL, NULL},
    };
    struct db *db = NULL;
    char url[1100];
    int rc = options_parse("migrate", "Create or upgrade the database schema (safe to repeat).",
                           defs, argc, argv);

    if (rc)
        return rc > 0 ? 0 : 2;
    if (resolve_db("migrate", options_get(defs, "db"), options_get(defs, "data-dir"), url,
                   sizeof(url)) != 0)
        return 1;
    if (open_migrated("migrate", url, &db) != 0)
        return 1;
    printf("schema is at version %d\n", migrate_latest());
    db_close(db);
    return 0;
}

int
cmd_demo(int argc, char **argv)
{
    struct option_def defs[] = {
        {"db", "TEND_DB", "URL", "database: sqlite:PATH (default: sqlite:DATA_DIR/tend.db)", NULL},
        {"data-dir", "TEND_DATA_DIR", "DIR", "data directory", "data"},
        {"quiet", NULL, NULL, "do not print the demo logins", NULL},
        {NULL, NULL, NULL, NULL, NULL},
    };
    struct db *db = NULL;
    struct tend_err err;
    char url[1100];
    int loaded = 0;
    int rc = options_parse("demo",
                           "Load demo data: organisations, contacts, a user of each role and "
                           "tickets in every status. Does nothing if already loaded.",
                           defs, argc, argv);

    if (rc)
        return rc > 0 ? 0 : 2;
    if (resolve_db("demo", options_get(defs, "db"), options_get(defs, "data-dir"), url,
                   sizeof(url)) != 0)
        return 1;
    if (open_migrated("demo", url, &db) != 0)
        return 1;
    tend_err_clear(&err);
    if (demo_load(db, &loaded, &err) != TEND_OK) {
        fprintf(stderr, "tend demo: %s\n", err.message);
        db_close(db);
        return 1;
    }
    db_close(db);
    if (!options_get(defs, "quiet"))
        demo_print_logins(loaded);
    return 0;
}
