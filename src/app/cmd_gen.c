/* cmd_gen.c: `tend gen tickets` and `tend gen assets`: benchmark data,
 * millions of tickets, or of assets with their organisations. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "modules/assets/assets.h"
#include "modules/tickets/tickets.h"
#include "options.h"
#include "platform/db/db.h"
#include "platform/db/migrate.h"
#include "platform/util/util.h"

static void
show_progress(void *ctx, int64_t done, int64_t total)
{
    uint64_t started = *(uint64_t *)ctx;
    double secs = (double)(time_mono_ns() - started) / 1e9;

    fprintf(stderr, "\rtend gen: %lld / %lld rows (%.0f%%), %.0f/s   ", (long long)done,
            (long long)total, 100.0 * (double)done / (double)total, secs > 0 ? (double)done / secs : 0);
    if (done == total)
        fprintf(stderr, "\n");
}

int
cmd_gen(int argc, char **argv)
{
    struct option_def defs[] = {
        {"db", "TEND_DB", "URL", "database: sqlite:PATH (default: sqlite:DATA_DIR/tend.db)", NULL},
        {"data-dir", "TEND_DATA_DIR", "DIR", "data directory", "data"},
        {"count", NULL, "N", "how many tickets (or assets) to add", "100000"},
        {"organisations", NULL, "N", "assets: how many organisations they belong to", "20000"},
        {"seed", NULL, "N", "random seed (the same seed makes the same data)", "1"},
        {NULL, NULL, NULL, NULL, NULL},
    };
    struct db *db = NULL;
    struct tend_err err;
    char url[1100];
    int64_t count, seed;
    uint64_t started = time_mono_ns();
    int applied = 0;
    int what = argc > 0 && strcmp(argv[0], "tickets") == 0 ? 1 : argc > 0 && strcmp(argv[0], "assets") == 0 ? 2 : 0;
    int64_t orgs = 0;
    int rc = options_parse("gen", "Add generated tickets or assets for benchmarks (what: tickets, assets).", defs,
                           what ? argc - 1 : argc, what ? argv + 1 : argv);

    if (rc)
        return rc > 0 ? 0 : 2;
    if (!what) {
        fprintf(stderr, "tend gen: say what to generate: tend gen tickets|assets --count N\n");
        return 2;
    }
    if (parse_int64(options_get(defs, "organisations"), strlen(options_get(defs, "organisations")), 1, 10000000,
                    &orgs) != 0) {
        fprintf(stderr, "tend gen: --organisations must be 1 to 10000000\n");
        return 2;
    }
    if (parse_int64(options_get(defs, "count"), strlen(options_get(defs, "count")), 1, 100000000,
                    &count) != 0 ||
        parse_int64(options_get(defs, "seed"), strlen(options_get(defs, "seed")), 0, INT64_MAX, &seed) != 0) {
        fprintf(stderr, "tend gen: --count must be 1 to 100000000 and --seed a non-negative integer\n");
        return 2;
    }
    if (resolve_db("gen", options_get(defs, "db"), options_get(defs, "data-dir"), url, sizeof(url)) != 0)
        return 1;
    tend_err_clear(&err);
    if (db_open(url, DB_OPEN_CREATE, &db, &err) || migrate_up(db, &applied, &err) ||
        db_exec(db,
                db_kind(db) == DB_POSTGRES ? "SET synchronous_commit = off"
                                           : "PRAGMA synchronous = OFF; PRAGMA cache_size = -1048576",
                &err) ||
        (what == 1 ? tickets_store_generate(db, count, (uint64_t)seed, show_progress, &started, &err)
                   : assets_store_generate(db, orgs, count, (uint64_t)seed, show_progress, &started, &err))) {
        fprintf(stderr, "\ntend gen: %s\n", err.message);
        db_close(db);
        return 1;
    }
    db_close(db);
    printf("added %lld %s in %.1f s\n", (long long)count, what == 1 ? "tickets" : "assets",
           (double)(time_mono_ns() - started) / 1e9);
    return 0;
}
