/* commit_rate: the disk's one-fsync-per-commit SQLite rate, the baseline that
 * tend's group commit must beat. Inserts one ticket-shaped row per transaction
 * (WAL, synchronous=FULL) for a fixed time, from one or many connections. */

#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_THREADS 1024

/* The same shape as tend's tickets table (migrations/0001_init.sql): text
 * columns, a version, epoch-millisecond times, and the list indexes. */
static const char schema_sql[] = "CREATE TABLE tickets ("
                                 " id INTEGER PRIMARY KEY,"
                                 " number TEXT NOT NULL UNIQUE,"
                                 " subject TEXT NOT NULL,"
                                 " description TEXT NOT NULL DEFAULT '',"
                                 " status TEXT NOT NULL,"
                                 " priority TEXT NOT NULL,"
                                 " customer_ref TEXT,"
                                 " version INTEGER NOT NULL DEFAULT 1,"
                                 " created_at INTEGER NOT NULL,"
                                 " updated_at INTEGER NOT NULL);"
                                 "CREATE INDEX tickets_status ON tickets(status, id);"
                                 "CREATE INDEX tickets_priority ON tickets(priority, id);"
                                 "CREATE INDEX tickets_customer ON tickets(customer_ref, id);";

static const char insert_sql[] =
    "INSERT INTO tickets(number, subject, description, status, priority,"
    " customer_ref, created_at, updated_at)"
    " VALUES(?1, ?2, ?3, 'new', 'normal', ?4, ?5, ?5)";

static const char description_text[] =
    "Since Monday the printer on the second floor jams on tray 2 roughly every "
    "twenty pages. The paper is the usual 80 g/m2 A4 from the same supplier. We "
    "cleaned the rollers as described in the manual and the problem came back "
    "the next morning. Error code E-204 shows on the panel. Please send an "
    "engineer; the device is under the service contract SC-2026-0113.";

struct worker {
    pthread_t thread;
    const char *db_path;
    int index;
    atomic_int *stop;
    pthread_barrier_t *ready; /* all connections open: the clock starts */
    uint64_t commits;         /* committed before stop; written by the worker, read after join */
    uint64_t busy;            /* transactions that gave up on the lock */
    char error[256];          /* first fatal error, empty if none */
};

static double
now_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
exec_sql(sqlite3 *db, const char *sql, char *error, size_t error_size)
{
    char *message = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &message);

    if (rc != SQLITE_OK) {
        snprintf(error, error_size, "%s: %s", sql, message ? message : sqlite3_errstr(rc));
        sqlite3_free(message);
    }
    return rc;
}

/* Opens a connection with the durability settings tend uses; NULL on error. */
static sqlite3 *
open_db(const char *path, char *error, size_t error_size)
{
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);

    if (rc != SQLITE_OK) {
        snprintf(error, error_size, "open %s: %s", path, sqlite3_errstr(rc));
        sqlite3_close(db);
        return NULL;
    }
    sqlite3_busy_timeout(db, 10000);
    if (exec_sql(db, "PRAGMA journal_mode=WAL", error, error_size) ||
        exec_sql(db, "PRAGMA synchronous=FULL", error, error_size)) {
        sqlite3_close(db);
        return NULL;
    }
    return db;
}

/* One transaction with one row; returns SQLITE_OK, SQLITE_BUSY, or an error. */
static int
insert_one(sqlite3 *db, sqlite3_stmt *insert, int worker, uint64_t seq)
{
    char number[64];
    char subject[96];
    char customer[32];
    struct timespec ts;
    int64_t now_ms;
    int rc;

    clock_gettime(CLOCK_REALTIME, &ts);
    now_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    snprintf(number, sizeof(number), "SR-BENCH-%03d-%09llu", worker, (unsigned long long)seq);
    snprintf(subject, sizeof(subject), "Printer jams on tray 2 (%d/%llu)", worker,
             (unsigned long long)seq);
    snprintf(customer, sizeof(customer), "ACME-%03llu", (unsigned long long)(seq % 500));

    rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return rc;
    sqlite3_bind_text(insert, 1, number, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(insert, 2, subject, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(insert, 3, description_text, -1, SQLITE_STATIC);
    sqlite3_bind_text(insert, 4, customer, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(insert, 5, now_ms);
    rc = sqlite3_step(insert);
    sqlite3_reset(insert);
    if (rc != SQLITE_DONE) {
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        return rc;
    }
    rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

static void *
worker_main(void *arg)
{
    struct worker *w = arg;
    sqlite3 *db = open_db(w->db_path, w->error, sizeof(w->error));
    sqlite3_stmt *insert = NULL;
    uint64_t seq = 0;
    int rc;

    if (db) {
        rc = sqlite3_prepare_v2(db, insert_sql, -1, &insert, NULL);
        if (rc != SQLITE_OK)
            snprintf(w->error, sizeof(w->error), "prepare: %s", sqlite3_errmsg(db));
    }
    pthread_barrier_wait(w->ready);
    if (!insert)
        goto out;
    while (!atomic_load(w->stop)) {
        rc = insert_one(db, insert, w->index, seq++);
        if (rc == SQLITE_OK) {
            /* Only commits that finished inside the measured interval count. */
            if (!atomic_load(w->stop))
                w->commits++;
        } else if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
            w->busy++;
        } else {
            snprintf(w->error, sizeof(w->error), "insert: %s", sqlite3_errmsg(db));
            break;
        }
    }
out:
    sqlite3_finalize(insert);
    sqlite3_close(db);
    return NULL;
}

static int
parse_positive(const char *text, long max, long *out)
{
    char *end = NULL;
    long v;

    errno = 0;
    v = strtol(text, &end, 10);
    if (errno || end == text || *end || v < 1 || v > max)
        return -1;
    *out = v;
    return 0;
}

static void
usage(void)
{
    fprintf(stderr, "usage: commit_rate DB_PATH SECONDS [THREADS]\n"
                    "  DB_PATH must not exist yet (a fresh database is created).\n"
                    "  Prints: commits_per_sec=<rate> threads=<n> commits=<n> busy=<n> "
                    "seconds=<s>\n");
}

int
main(int argc, char **argv)
{
    static struct worker workers[MAX_THREADS];
    atomic_int stop = 0;
    long seconds, threads = 1;
    char error[256] = "";
    uint64_t commits = 0, busy = 0;
    pthread_barrier_t ready;
    double started, elapsed;
    sqlite3 *db;
    int failed = 0;

    if (argc < 3 || argc > 4 || parse_positive(argv[2], 3600, &seconds) ||
        (argc == 4 && parse_positive(argv[3], MAX_THREADS, &threads))) {
        usage();
        return 2;
    }
    if (access(argv[1], F_OK) == 0) {
        fprintf(stderr, "commit_rate: %s exists; give the path of a fresh database\n", argv[1]);
        return 2;
    }
    /* Create the schema once, so the workers only insert. */
    db = open_db(argv[1], error, sizeof(error));
    if (!db || exec_sql(db, schema_sql, error, sizeof(error))) {
        fprintf(stderr, "commit_rate: %s\n", error);
        sqlite3_close(db);
        return 1;
    }

    pthread_barrier_init(&ready, NULL, (unsigned)threads + 1);
    for (long i = 0; i < threads; i++) {
        workers[i].db_path = argv[1];
        workers[i].index = (int)i;
        workers[i].stop = &stop;
        workers[i].ready = &ready;
        if (pthread_create(&workers[i].thread, NULL, worker_main, &workers[i])) {
            fprintf(stderr, "commit_rate: pthread_create failed\n");
            return 1;
        }
    }
    pthread_barrier_wait(&ready);
    started = now_seconds();
    sleep((unsigned)seconds);
    atomic_store(&stop, 1);
    elapsed = now_seconds() - started;
    for (long i = 0; i < threads; i++) {
        pthread_join(workers[i].thread, NULL);
        commits += workers[i].commits;
        busy += workers[i].busy;
        if (workers[i].error[0]) {
            fprintf(stderr, "commit_rate: thread %ld: %s\n", i, workers[i].error);
            failed = 1;
        }
    }
    pthread_barrier_destroy(&ready);
    sqlite3_close(db);

    printf("commits_per_sec=%.1f threads=%ld commits=%llu busy=%llu seconds=%.2f\n",
           (double)commits / elapsed, threads, (unsigned long long)commits,
           (unsigned long long)busy, elapsed);
    return failed;
}
