/* outbox.c: the notifier thread: fan-out, claim, send, record (see outbox.h). */
#include "outbox.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "platform/db/db.h"
#include "platform/db/writer.h"
#include "platform/jobs/task.h"
#include "smtp.h"
#include "webhook.h"
#include "platform/util/util.h"

#define CLAIM_BATCH 16
#define ERROR_MAX 480

void
notify_config_defaults(struct notify_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    strlcopy(cfg->mail_domain, "tend.invalid", sizeof(cfg->mail_domain));
    cfg->smtp_tls = SMTP_TLS_NONE;
    cfg->max_attempts = 8;
    cfg->poll_ms = 1000;
    cfg->retry_base_ms = 30000;
    cfg->retry_cap_ms = 6LL * 3600 * 1000;
    cfg->timeout_ms = 10000;
}

int
notify_config_set_from(struct notify_config *cfg, const char *from)
{
    const char *lt = strchr(from, '<'), *gt, *at;
    size_t n;

    if (lt) {
        const char *a = from, *z = lt;
        gt = strchr(lt, '>');
        if (!gt || gt[1] != '\0')
            return -1;
        while (a < z && (*a == ' ' || *a == '"'))
            a++;
        while (z > a && (z[-1] == ' ' || z[-1] == '"'))
            z--;
        n = (size_t)(z - a);
        if (n >= sizeof(cfg->smtp_from_name))
            return -1;
        memcpy(cfg->smtp_from_name, a, n);
        cfg->smtp_from_name[n] = '\0';
        n = (size_t)(gt - lt - 1);
        if (n >= sizeof(cfg->smtp_from_addr))
            return -1;
        memcpy(cfg->smtp_from_addr, lt + 1, n);
        cfg->smtp_from_addr[n] = '\0';
    } else {
        cfg->smtp_from_name[0] = '\0';
        if (strlcopy(cfg->smtp_from_addr, from, sizeof(cfg->smtp_from_addr)) >= sizeof(cfg->smtp_from_addr))
            return -1;
    }
    at = strchr(cfg->smtp_from_addr, '@');
    if (!at || at == cfg->smtp_from_addr || !at[1] || strpbrk(cfg->smtp_from_addr, " <>\r\n\""))
        return -1;
    strlcopy(cfg->mail_domain, at + 1, sizeof(cfg->mail_domain));
    return 0;
}

int64_t
outbox_backoff_ms(int attempt, int64_t base_ms, int64_t cap_ms, uint32_t rnd)
{
    int64_t d = base_ms, half;

    for (int i = 1; i < attempt && d < cap_ms; i++)
        d *= 2;
    if (d > cap_ms)
        d = cap_ms;
    half = d / 2;
    return d - half + (int64_t)(rnd % (uint32_t)(half + 1));
}

int64_t
outbox_lease_ms(const struct notify_config *cfg)
{
    return 2 * cfg->timeout_ms + 1000;
}

/* --- the thread and its writer tasks ----------------------------------------- */

struct claimed {
    int64_t id, event_id;
    int attempts, max_attempts;
    char channel[16];
    char event_type[64];
    char *recipient, *payload, *secret; /* owned */
    /* the outcome */
    int ok, code;
    int64_t started, duration_ms;
    char error[ERROR_MAX];
};

struct notifier;

/* A writer task the notifier waits for. */
struct sync_task {
    struct task task; /* first */
    struct notifier *n;
    int finished; /* guarded by n->lock */
};

struct notifier {
    struct notify_config cfg;
    struct db_writer *writer;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int stopping; /* guarded by lock */
    uint32_t rnd;
    struct claimed batch[CLAIM_BATCH];
    int nbatch;
    int fanned; /* events the last fan-out read */
};

static void
sync_done(struct task *t)
{
    struct sync_task *s = (struct sync_task *)t;

    pthread_mutex_lock(&s->n->lock);
    s->finished = 1;
    pthread_cond_broadcast(&s->n->wake);
    pthread_mutex_unlock(&s->n->lock);
}

/* Run `run` on the writer and wait for its commit. */
static enum tend_rc
run_sync(struct notifier *n, enum tend_rc (*run)(struct task *, struct db *))
{
    struct sync_task s;

    memset(&s, 0, sizeof(s));
    s.n = n;
    s.task.run = run;
    s.task.done = sync_done;
    db_writer_submit(n->writer, &s.task);
    pthread_mutex_lock(&n->lock);
    while (!s.finished)
        pthread_cond_wait(&n->wake, &n->lock);
    pthread_mutex_unlock(&n->lock);
    if (s.task.rc && s.task.rc != TEND_EBUSY)
        fprintf(stderr, "tend: notifier: %s\n", s.task.err.message);
    return s.task.rc;
}

static struct notifier *
owner(struct task *t)
{
    return ((struct sync_task *)t)->n;
}

static enum tend_rc
fanout_run(struct task *t, struct db *db)
{
    struct notifier *n = owner(t);

    n->fanned = 0;
    return n->cfg.fanout ? n->cfg.fanout(db, &n->cfg, time_now_ms(), &n->fanned, &t->err) : TEND_OK;
}

static void
batch_clear(struct notifier *n)
{
    for (int i = 0; i < n->nbatch; i++) {
        free(n->batch[i].recipient);
        free(n->batch[i].payload);
        free(n->batch[i].secret);
    }
    n->nbatch = 0;
}

static enum tend_rc
claim_run(struct task *t, struct db *db)
{
    struct notifier *n = owner(t);
    int64_t now = time_now_ms();
    struct tend_err *err = &t->err;
    const char *sql =
        db_kind(db) == DB_POSTGRES
            ? "SELECT d.id, d.channel, d.recipient, d.payload, d.attempts, d.max_attempts, d.event_id, "
              "d.event_type, w.secret FROM deliveries d LEFT JOIN webhooks w ON w.id = d.webhook_id "
              "WHERE d.status = 'pending' AND d.next_at <= ? AND (d.locked_until IS NULL OR d.locked_until <= ?) "
              "AND (d.channel <> 'email' OR ? <> 0) AND (d.webhook_id IS NULL OR (w.active <> 0 AND NOT EXISTS "
              "(SELECT 1 FROM deliveries e WHERE e.webhook_id = d.webhook_id AND e.status = 'pending' "
              "AND e.id < d.id))) ORDER BY d.next_at, d.id LIMIT ? FOR UPDATE OF d SKIP LOCKED"
            : "SELECT d.id, d.channel, d.recipient, d.payload, d.attempts, d.max_attempts, d.event_id, "
              "d.event_type, w.secret FROM deliveries d LEFT JOIN webhooks w ON w.id = d.webhook_id "
              "WHERE d.status = 'pending' AND d.next_at <= ? AND (d.locked_until IS NULL OR d.locked_until <= ?) "
              "AND (d.channel <> 'email' OR ? <> 0) AND (d.webhook_id IS NULL OR (w.active <> 0 AND NOT EXISTS "
              "(SELECT 1 FROM deliveries e WHERE e.webhook_id = d.webhook_id AND e.status = 'pending' "
              "AND e.id < d.id))) ORDER BY d.next_at, d.id LIMIT ?";
    struct db_stmt *st;
    enum db_step_result r;

    batch_clear(n); /* a rerun after a deadlock starts over */
    st = db_prepare(db, sql, err);
    if (!st)
        return err->rc;
    db_bind_int64(st, 1, now);
    db_bind_int64(st, 2, now);
    db_bind_int64(st, 3, n->cfg.smtp_url[0] != '\0');
    db_bind_int64(st, 4, CLAIM_BATCH);
    while ((r = db_step(st, err)) == DB_ROW && n->nbatch < CLAIM_BATCH) {
        struct claimed *c = &n->batch[n->nbatch++];
        memset(c, 0, sizeof(*c));
        c->id = db_col_int64(st, 0);
        strlcopy(c->channel, db_col_text(st, 1), sizeof(c->channel));
        c->recipient = xstrdup(db_col_text(st, 2));
        c->payload = xstrdup(db_col_text(st, 3));
        c->attempts = (int)db_col_int64(st, 4) + 1;
        c->max_attempts = (int)db_col_int64(st, 5);
        c->event_id = db_col_int64(st, 6);
        strlcopy(c->event_type, db_col_text(st, 7), sizeof(c->event_type));
        c->secret = xstrdup(db_col_is_null(st, 8) ? "" : db_col_text(st, 8));
    }
    db_reset(st);
    if (r == DB_FAIL) {
        batch_clear(n);
        return err->rc;
    }
    for (int i = 0; i < n->nbatch; i++) {
        st = db_prepare(db,
                        "UPDATE deliveries SET attempts = ?, locked_until = ?, locked_by = ?, updated_at = ? "
                        "WHERE id = ?",
                        err);
        if (!st || (db_bind_int64(st, 1, n->batch[i].attempts), db_bind_int64(st, 2, now + outbox_lease_ms(&n->cfg)),
                    db_bind_str(st, 3, n->cfg.node), db_bind_int64(st, 4, now),
                    db_bind_int64(st, 5, n->batch[i].id), db_run(st, err))) {
            batch_clear(n);
            return err->rc;
        }
    }
    return TEND_OK;
}

static uint32_t
next_random(struct notifier *n)
{
    n->rnd ^= n->rnd << 13;
    n->rnd ^= n->rnd >> 17;
    n->rnd ^= n->rnd << 5;
    return n->rnd;
}

static enum tend_rc
record_run(struct task *t, struct db *db)
{
    struct notifier *n = owner(t);
    struct tend_err *err = &t->err;
    int64_t now = time_now_ms();

    for (int i = 0; i < n->nbatch; i++) {
        struct claimed *c = &n->batch[i];
        const char *status = c->ok ? "sent" : c->attempts >= c->max_attempts ? "failed" : "pending";
        int64_t next = c->ok ? now : now + outbox_backoff_ms(c->attempts, n->cfg.retry_base_ms, n->cfg.retry_cap_ms,
                                                              next_random(n));
        /* only while the claim is still ours: a lease that ran out may have
         * been taken by another node, whose outcome then counts */
        struct db_stmt *st = db_prepare(db,
                                        "UPDATE deliveries SET status = ?, next_at = ?, locked_until = NULL, "
                                        "locked_by = NULL, last_error = ?, last_code = ?, sent_at = ?, updated_at = ? "
                                        "WHERE id = ? AND attempts = ? AND status = 'pending'",
                                        err);
        if (!st)
            return err->rc;
        db_bind_str(st, 1, status);
        db_bind_int64(st, 2, next);
        db_bind_str(st, 3, c->ok ? NULL : c->error);
        db_bind_ref(st, 4, c->code);
        db_bind_ref(st, 5, c->ok ? now : 0);
        db_bind_int64(st, 6, now);
        db_bind_int64(st, 7, c->id);
        db_bind_int64(st, 8, c->attempts);
        if (db_run(st, err))
            return err->rc;
        st = db_prepare(db,
                        "INSERT INTO delivery_attempts (delivery_id, attempt, node, at, duration_ms, ok, code, error) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        err);
        if (!st)
            return err->rc;
        db_bind_int64(st, 1, c->id);
        db_bind_int64(st, 2, c->attempts);
        db_bind_str(st, 3, n->cfg.node);
        db_bind_int64(st, 4, c->started);
        db_bind_int64(st, 5, c->duration_ms);
        db_bind_int64(st, 6, c->ok);
        db_bind_ref(st, 7, c->code);
        db_bind_str(st, 8, c->ok ? NULL : c->error);
        if (db_run(st, err))
            return err->rc;
    }
    return TEND_OK;
}

static void
send_one(struct notifier *n, struct claimed *c)
{
    int64_t t0 = time_now_ms();

    c->started = t0;
    if (strcmp(c->channel, "email") == 0)
        c->ok = smtp_send(&n->cfg, c->payload, t0, &c->code, c->error, sizeof(c->error)) == 0;
    else
        c->ok = webhook_send(c->recipient, c->secret, c->payload, c->id, c->event_type, n->cfg.timeout_ms, t0,
                             &c->code, c->error, sizeof(c->error)) == 0;
    c->duration_ms = time_now_ms() - t0;
    utf8_sanitize(c->error);
}

static int
stopping(struct notifier *n)
{
    int s;
    pthread_mutex_lock(&n->lock);
    s = n->stopping;
    pthread_mutex_unlock(&n->lock);
    return s;
}

static void *
notifier_main(void *arg)
{
    struct notifier *n = arg;

    while (!stopping(n)) {
        int busy = 0;

        if (run_sync(n, fanout_run) == TEND_OK && n->fanned > 0)
            busy = 1;
        if (run_sync(n, claim_run) == TEND_OK && n->nbatch > 0) {
            for (int i = 0; i < n->nbatch; i++)
                send_one(n, &n->batch[i]);
            /* an outcome that cannot be recorded is sent again after the lease */
            run_sync(n, record_run);
            busy = busy || n->nbatch == CLAIM_BATCH;
        }
        batch_clear(n);
        if (busy)
            continue;
        pthread_mutex_lock(&n->lock);
        if (!n->stopping) {
            struct timespec until;
            int64_t ns;
            clock_gettime(CLOCK_REALTIME, &until);
            ns = until.tv_nsec + n->cfg.poll_ms % 1000 * 1000000;
            until.tv_sec += (time_t)(n->cfg.poll_ms / 1000 + ns / 1000000000);
            until.tv_nsec = (long)(ns % 1000000000);
            pthread_cond_timedwait(&n->wake, &n->lock, &until);
        }
        pthread_mutex_unlock(&n->lock);
    }
    return NULL;
}

struct notifier *
notifier_start(const struct notify_config *cfg, struct db_writer *writer)
{
    struct notifier *n = xcalloc(1, sizeof(*n));

    n->cfg = *cfg;
    n->writer = writer;
    n->rnd = (uint32_t)time_mono_ns() | 1u;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    pthread_mutex_init(&n->lock, NULL);
    pthread_cond_init(&n->wake, NULL);
    if (pthread_create(&n->thread, NULL, notifier_main, n) != 0) {
        pthread_mutex_destroy(&n->lock);
        pthread_cond_destroy(&n->wake);
        curl_global_cleanup();
        free(n);
        return NULL;
    }
    return n;
}

void
notifier_free(struct notifier *n)
{
    if (!n)
        return;
    pthread_mutex_lock(&n->lock);
    n->stopping = 1;
    pthread_cond_broadcast(&n->wake);
    pthread_mutex_unlock(&n->lock);
    pthread_join(n->thread, NULL);
    batch_clear(n);
    pthread_mutex_destroy(&n->lock);
    pthread_cond_destroy(&n->wake);
    curl_global_cleanup();
    free(n);
}
