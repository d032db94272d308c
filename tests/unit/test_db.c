/* test_db.c: the SQLite backend, migrations, the tickets store, the group-commit
 * writer and the worker pool, against a real database file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "modules/tickets/tickets.h"
#include "platform/db/db.h"
#include "platform/db/migrate.h"
#include "platform/db/writer.h"
#include "platform/jobs/pool.h"
#include "platform/util/metrics.h"
#include "platform/util/util.h"

struct fixture {
    char dir[64];
    char url[128];
    struct db *db;
};

static int
setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    struct tend_err err;

    snprintf(f->dir, sizeof(f->dir), "/tmp/tend-unit-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->url, sizeof(f->url), "sqlite:%s/t.db", f->dir);
    if (db_open(f->url, DB_OPEN_CREATE, &f->db, &err) || migrate_up(f->db, NULL, &err)) {
        fprintf(stderr, "setup: %s\n", err.message);
        return -1;
    }
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fixture *f = *state;
    char cmd[128];
    db_close(f->db);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
    if (system(cmd) != 0)
        return -1;
    free(f);
    return 0;
}

static int64_t
count(struct db *db, const char *sql)
{
    struct tend_err err;
    struct db_stmt *st = db_prepare(db, sql, &err);
    int64_t n = -1;
    assert_non_null(st);
    if (db_step(st, &err) == DB_ROW)
        n = db_col_int64(st, 0);
    db_reset(st);
    return n;
}

static void
test_migrate_is_idempotent_and_recorded(void **state)
{
    struct fixture *f = *state;
    struct tend_err err;
    int applied = -1, version = 0;

    assert_int_equal(migrate_up(f->db, &applied, &err), TEND_OK);
    assert_int_equal(applied, 0);
    assert_int_equal(migrate_current(f->db, &version, &err), TEND_OK);
    assert_int_equal(version, migrate_latest());
}

/* Both dialects carry the same migrations: versions and names match. */
static void
test_migrations_match_across_dialects(void **state)
{
    (void)state;
    assert_int_equal(migrations_count, migrations_pg_count);
    for (int i = 0; i < migrations_count; i++) {
        assert_int_equal(migrations[i].version, migrations_pg[i].version);
        assert_string_equal(migrations[i].name, migrations_pg[i].name);
    }
}

/* `?` placeholders and dialect checks of URLs. */
static void
test_url_check_names_both_backends(void **state)
{
    struct tend_err err;
    (void)state;
    assert_int_equal(db_url_check("postgres://u@127.0.0.1:1/x", &err), TEND_OK);
    assert_int_equal(db_url_check("postgresql://u@127.0.0.1:1/x", &err), TEND_OK);
    assert_int_equal(db_url_check("mysql://x", &err), TEND_EINVAL);
    assert_non_null(strstr(err.message, "postgres://"));
}

/* Passwords never reach a log line. */
static void
test_url_redact_hides_passwords(void **state)
{
    char out[256];
    (void)state;
    db_url_redact("postgres://tend:s3cret@db:5432/tend", out, sizeof(out));
    assert_string_equal(out, "postgres://tend:***@db:5432/tend");
    db_url_redact("postgres://tend@db/tend?sslmode=require&password=s3cret&x=1", out, sizeof(out));
    assert_string_equal(out, "postgres://tend@db/tend?sslmode=require&password=***&x=1");
    db_url_redact("postgres://tend@db/tend?password=p", out, sizeof(out));
    assert_string_equal(out, "postgres://tend@db/tend?password=***");
    db_url_redact("sqlite:/var/lib/tend/tend.db", out, sizeof(out));
    assert_string_equal(out, "sqlite:/var/lib/tend/tend.db");
    db_url_redact("postgres://db:5432/tend", out, sizeof(out));
    assert_string_equal(out, "postgres://db:5432/tend");
}

static void
test_migrate_refuses_a_newer_database(void **state)
{
    struct fixture *f = *state;
    struct tend_err err;

    assert_int_equal(db_exec(f->db,
                             "INSERT INTO schema_migrations (version, name, applied_at) "
                             "VALUES (9999, '9999_future', 0)",
                             &err),
                     TEND_OK);
    assert_int_equal(migrate_up(f->db, NULL, &err), TEND_ECONFLICT);
    assert_non_null(strstr(err.message, "upgrade tend"));
}

static void
test_open_explains_missing_paths(void **state)
{
    struct db *db = NULL;
    struct tend_err err;
    (void)state;

    assert_int_equal(db_open("sqlite:/nonexistent-dir/x.db", DB_OPEN_CREATE, &db, &err), TEND_EINVAL);
    assert_non_null(strstr(err.message, "/nonexistent-dir"));
    assert_int_equal(db_open("sqlite:/tmp/definitely-missing.db", DB_OPEN_READONLY, &db, &err),
                     TEND_EINVAL);
    assert_int_equal(db_open("mysql://x", 0, &db, &err), TEND_EINVAL);
    assert_null(db);
}

static void
make_input(struct ticket_input *in, const char *subject, const char *priority)
{
    memset(in, 0, sizeof(*in));
    in->subject = (char *)subject;
    in->description = (char *)"";
    strlcopy(in->priority, priority, sizeof(in->priority));
}

static const struct ticket_actor agent = {"agent", 2, 1 << 3};

static void
test_tickets_store_numbers_updates_and_conflicts(void **state)
{
    struct fixture *f = *state;
    struct ticket_input in;
    struct ticket a, b, got;
    struct tend_err err;

    make_input(&in, "first", "normal");
    assert_int_equal(tickets_store_create(f->db, &in, NULL, 1795439400000LL, &a, &err), TEND_OK);
    make_input(&in, "second", "high");
    assert_int_equal(tickets_store_create(f->db, &in, NULL, 1795439400000LL, &b, &err), TEND_OK);
    assert_string_equal(a.number, "SR-2026-000001");
    assert_string_equal(b.number, "SR-2026-000002");

    memset(&in, 0, sizeof(in));
    in.fields = TF_STATUS | TF_VERSION;
    strlcopy(in.status, "in_progress", sizeof(in.status));
    in.version = 1;
    assert_int_equal(tickets_store_update(f->db, a.id, &in, NULL, &agent, 1795439500000LL, &got, &err),
                     TEND_OK);
    assert_int_equal(got.version, 2);
    assert_string_equal(got.status, "in_progress");
    assert_string_equal(got.status_category, "open");
    ticket_cleanup(&got);
    /* the same stale version again is a conflict that reports the current version */
    assert_int_equal(tickets_store_update(f->db, a.id, &in, NULL, &agent, 1795439600000LL, &got, &err),
                     TEND_ECONFLICT);
    assert_int_equal(got.version, 2);
    ticket_cleanup(&got);
    /* a transition the workflow does not have is refused and changes nothing */
    strlcopy(in.status, "pending_followup", sizeof(in.status));
    in.version = 2;
    assert_int_equal(tickets_store_update(f->db, a.id, &in, NULL, &agent, 1795439600000LL, &got, &err),
                     TEND_EINVAL);
    assert_string_equal(err.field, "status");
    /* resolving requires a resolution code, given in the same change */
    strlcopy(in.status, "resolved", sizeof(in.status));
    assert_int_equal(tickets_store_update(f->db, a.id, &in, NULL, &agent, 1795439600000LL, &got, &err),
                     TEND_EINVAL);
    assert_string_equal(err.field, "resolution_code");
    in.fields |= TF_RESOLUTION_CODE;
    in.resolution_code = (char *)"replaced_part";
    assert_int_equal(tickets_store_update(f->db, a.id, &in, NULL, &agent, 1795439600000LL, &got, &err),
                     TEND_OK);
    assert_string_equal(got.status_category, "resolved");
    ticket_cleanup(&got);
    assert_int_equal(count(f->db, "SELECT n FROM ticket_counts WHERE dim = 'all' AND status = 'resolved'"), 1);
    assert_int_equal(count(f->db, "SELECT n FROM ticket_counts WHERE dim = 'all' AND status = 'new'"), 1);
    assert_int_equal(tickets_store_get(f->db, 999, NULL, &got, &err), TEND_ENOTFOUND);
    assert_int_equal(count(f->db, "SELECT COUNT(*) FROM events WHERE entity_id = 1"), 5); /* created; updated + status_changed, twice */
    ticket_cleanup(&a);
    ticket_cleanup(&b);
}

/* A list page as copies, through the store's row visitor. */
struct page {
    struct ticket items[64];
    size_t count;
};

static void
keep_row(void *ctx, const struct ticket *t)
{
    struct page *p = ctx;
    struct ticket *copy = &p->items[p->count++];
    *copy = *t;
    copy->subject = strdup(t->subject);
    copy->description = strdup(t->description);
    copy->customer_ref = t->customer_ref ? strdup(t->customer_ref) : NULL;
    copy->tags = strdup(t->tags);
    copy->watchers = strdup(t->watchers);
    copy->custom = strdup(t->custom);
    copy->resolution_code = t->resolution_code ? strdup(t->resolution_code) : NULL;
    copy->resolution = t->resolution ? strdup(t->resolution) : NULL;
    copy->required_skills = t->required_skills ? strdup(t->required_skills) : NULL;
}

static enum tend_rc
list_page(struct db *db, const struct ticket_filter *f, struct ticket **items, size_t *n,
          struct tend_err *err)
{
    static struct page p;
    enum tend_rc rc;

    p.count = 0;
    rc = tickets_store_scan(db, f, keep_row, &p, err);
    *items = p.items;
    *n = p.count;
    return rc;
}

static void
test_tickets_list_filters_and_pages_newest_first(void **state)
{
    struct fixture *f = *state;
    struct ticket_input in;
    struct ticket t, *items;
    struct ticket_filter filter;
    struct tend_err err;
    size_t n, seen = 0;

    for (int i = 0; i < 25; i++) {
        make_input(&in, "t", i % 5 == 0 ? "urgent" : "low");
        assert_int_equal(tickets_store_create(f->db, &in, NULL, time_now_ms(), &t, &err), TEND_OK);
        ticket_cleanup(&t);
    }
    memset(&filter, 0, sizeof(filter));
    filter.descending = 1;
    filter.priorities[0] = "urgent";
    filter.npriorities = 1;
    filter.limit = 50;
    assert_int_equal(list_page(f->db, &filter, &items, &n, &err), TEND_OK);
    assert_int_equal(n, 5);
    for (size_t i = 0; i < n; i++)
        ticket_cleanup(&items[i]);

    memset(&filter, 0, sizeof(filter));
    filter.descending = 1;
    filter.limit = 10;
    for (;;) {
        int64_t last = 0;
        assert_int_equal(list_page(f->db, &filter, &items, &n, &err), TEND_OK);
        for (size_t i = 0; i < n && i < 10; i++) {
            if (last)
                assert_true(items[i].id < last);
            last = items[i].id;
            seen++;
        }
        for (size_t i = 0; i < n; i++)
            ticket_cleanup(&items[i]);
        if (n <= 10)
            break;
        filter.after_id = last;
    }
    assert_int_equal(seen, 25);
}

/* --- the writer -------------------------------------------------------- */

struct counted_task {
    struct task task;
    int n;
    int fail;
    int *done_count;
    pthread_mutex_t *lock;
    pthread_cond_t *cond; /* the first task waits on it until the rest are queued */
    int *release;
};

static enum tend_rc
counted_run(struct task *t, struct db *db)
{
    struct counted_task *c = (struct counted_task *)t;
    struct db_stmt *st;

    if (c->cond) {
        pthread_mutex_lock(c->lock);
        while (!*c->release)
            pthread_cond_wait(c->cond, c->lock);
        pthread_mutex_unlock(c->lock);
    }
    st = db_prepare(db, "INSERT INTO sequences (name, value) VALUES (?, ?)", &t->err);
    if (!st)
        return t->err.rc;
    {
        char name[32];
        snprintf(name, sizeof(name), "task-%d", c->n);
        db_bind_str(st, 1, name);
        db_bind_int64(st, 2, c->n);
        if (db_run(st, &t->err))
            return t->err.rc;
    }
    if (c->fail) /* its insert must be rolled back, and only its own */
        return tend_fail(&t->err, TEND_EINVAL, "n", "task %d fails on purpose", c->n);
    return TEND_OK;
}

static void
counted_done(struct task *t)
{
    struct counted_task *c = (struct counted_task *)t;
    pthread_mutex_lock(c->lock);
    if (t->rc == TEND_OK)
        (*c->done_count)++;
    pthread_mutex_unlock(c->lock);
    free(c);
}

static uint64_t
commits_so_far(void)
{
    size_t len;
    char *text = metrics_render(&len);
    const char *p = strstr(text, "tend_db_commit_batch_size_count ");
    uint64_t v = p ? strtoull(p + 32, NULL, 10) : 0;
    free(text);
    return v;
}

static void
test_writer_commits_queued_writes_together_and_isolates_failures(void **state)
{
    struct fixture *f = *state;
    struct db_writer *w;
    struct tend_err err;
    pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
    int done = 0, release = 0;
    uint64_t commits_before = commits_so_far();
    const int total = 200;

    assert_int_equal(db_writer_new(f->url, &w, &err), TEND_OK);
    for (int i = 0; i < total; i++) {
        struct counted_task *c = calloc(1, sizeof(*c));
        c->task.run = counted_run;
        c->task.done = counted_done;
        c->n = i;
        c->fail = i % 10 == 7;
        c->done_count = &done;
        c->lock = &lock;
        if (i == 0) {
            c->cond = &cond;
            c->release = &release;
        }
        db_writer_submit(w, &c->task);
    }
    pthread_mutex_lock(&lock);
    release = 1;
    pthread_cond_broadcast(&cond);
    pthread_mutex_unlock(&lock);
    db_writer_free(w);

    assert_int_equal(done, total - total / 10);
    assert_int_equal(count(f->db, "SELECT COUNT(*) FROM sequences WHERE name LIKE 'task-%'"),
                     total - total / 10);
    /* the first task held the writer while the other 199 queued: at most 3 commits */
    assert_true(commits_so_far() - commits_before <= 3);
}

/* --- the pool ---------------------------------------------------------- */

static enum tend_rc
pool_run(struct task *t, struct db *db)
{
    (void)db;
    ((struct counted_task *)t)->n *= 2;
    return TEND_OK;
}

static void
test_pool_runs_every_task(void **state)
{
    struct job_pool *p = job_pool_new(3);
    pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    int done = 0;
    (void)state;

    for (int i = 0; i < 100; i++) {
        struct counted_task *c = calloc(1, sizeof(*c));
        c->task.run = pool_run;
        c->task.done = counted_done;
        c->done_count = &done;
        c->lock = &lock;
        job_pool_submit(p, &c->task);
    }
    job_pool_free(p);
    assert_int_equal(done, 100);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_migrate_is_idempotent_and_recorded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migrate_refuses_a_newer_database, setup, teardown),
        cmocka_unit_test(test_open_explains_missing_paths),
        cmocka_unit_test(test_migrations_match_across_dialects),
        cmocka_unit_test(test_url_check_names_both_backends),
        cmocka_unit_test(test_url_redact_hides_passwords),
        cmocka_unit_test_setup_teardown(test_tickets_store_numbers_updates_and_conflicts, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_tickets_list_filters_and_pages_newest_first, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_writer_commits_queued_writes_together_and_isolates_failures, setup, teardown),
        cmocka_unit_test(test_pool_runs_every_task),
    };
    return cmocka_run_group_tests_name("db", tests, NULL, NULL);
}
