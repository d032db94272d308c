/* tickets_gen_store.c: a benchmark data generator: millions of realistic
 * tickets (a history that is mostly closed, with open work spread over groups,
 * engineers and customers) inserted in large transactions, then the counters
 * rebuilt in one pass. For `tend gen tickets`, never for production data. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform/util/util.h"
#include "ticket_config.h"
#include "tickets.h"

static const char *const products[] = {"MFP-4200 printer", "HVAC-900 chiller", "EVC-22 charger",
                                       "PM-60 patient monitor", "L12-5 ultrasound probe",
                                       "LC-3015 laser cutter", "空调机组 KX-7", "充电桩 DC-120",
                                       "输液泵 IP-30", "复印机 C-5500"};
static const char *const faults[] = {"jams on tray 2", "shows error E-%d", "is offline after update",
                                     "makes a grinding noise", "overheats under load",
                                     "报警代码 %d", "无法启动", "屏幕无显示", "通讯中断",
                                     "needs annual calibration"};
static const char *const details[] = {
    "Customer reports the issue started after the last maintenance visit.",
    "客户反映设备自上次保养后出现故障，需要工程师上门检查。",
    "Unit is under contract; please check the warranty before dispatch.",
    "Intermittent fault, logs attached by the site technician.",
    "设备在保修期内，请尽快安排备件。"};

/* A small, fast, seeded generator (xorshift64*): the same seed makes the same data. */
static uint64_t
next(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ULL;
}

struct gen_status {
    const char *status, *category;
    int permille; /* share of all tickets */
};

/* Mostly history: what a service desk looks like after some years. */
static const struct gen_status statuses[] = {
    {"closed", "closed", 860}, {"resolved", "resolved", 40}, {"pending_followup", "resolved", 10},
    {"in_progress", "open", 40}, {"assigned", "open", 15},   {"pending_customer", "pending", 20},
    {"new", "new", 15},
};

static const struct gen_status *
pick_status(uint64_t r)
{
    int x = (int)(r % 1000), acc = 0;

    for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
        acc += statuses[i].permille;
        if (x < acc)
            return &statuses[i];
    }
    return &statuses[0];
}

static enum tend_rc
ids_of(struct db *db, const char *sql, int64_t *out, int max, int *n, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db, sql, err);
    enum db_step_result r;

    *n = 0;
    if (!st)
        return err->rc;
    while ((r = db_step(st, err)) == DB_ROW && *n < max)
        out[(*n)++] = db_col_int64(st, 0);
    db_reset(st);
    return r == DB_FAIL ? err->rc : TEND_OK;
}

#define GEN_SPAN_MS (3LL * 365 * 24 * 3600 * 1000)

struct gen_parties {
    int64_t orgs[4096], staff[512], groups[64];
    int norgs, nstaff, ngroups;
};

static enum tend_rc
insert_batch(struct db *db, int64_t first, int64_t done, int64_t count, int64_t total, uint64_t *seed,
             const struct gen_parties *p, int64_t now, struct tend_err *err)
{
    const int64_t *orgs = p->orgs, *staff = p->staff, *groups = p->groups;
    int norgs = p->norgs, nstaff = p->nstaff, ngroups = p->ngroups;
    static const char *const channels[] = {"phone", "email", "portal", "wechat", "api", "iot"};
    static const char *const priorities[] = {"low", "normal", "normal", "normal", "high", "urgent"};
    enum tend_rc rc = TEND_OK;

    for (int64_t i = 0; i < count && rc == TEND_OK; i++) {
        int64_t n = first + i;
        /* created over three years, in id order */
        int64_t created = now - GEN_SPAN_MS + GEN_SPAN_MS * (done + i) / (total > 0 ? total : 1);
        uint64_t r = next(seed);
        const struct gen_status *s = pick_status(r);
        const char *product = products[next(seed) % 10], *fault = faults[next(seed) % 10];
        const char *priority = priorities[next(seed) % 6];
        char subject[200], fault_text[80], number[32], custom[96], description[400];
        int open = strcmp(s->category, "closed") != 0 && strcmp(s->category, "resolved") != 0;
        struct db_stmt *st;

        snprintf(fault_text, sizeof(fault_text), fault, (int)(next(seed) % 900 + 100));
        snprintf(subject, sizeof(subject), "%s %s (SN-%08lld)", product, fault_text, (long long)n);
        snprintf(description, sizeof(description), "%s Serial SN-%08lld, site %d.",
                 details[next(seed) % 5], (long long)n, (int)(next(seed) % 5000));
        snprintf(number, sizeof(number), "SR-GEN-%09lld", (long long)n);
        snprintf(custom, sizeof(custom), "{\"serial_no\":\"SN-%08lld\",\"pages\":%d}", (long long)n,
                 (int)(next(seed) % 500000));
        st = db_prepare(db,
                        "INSERT INTO tickets (number, subject, description, status, priority, version, "
                        "created_at, updated_at, organisation_id, assignee_id, type_id, status_category, "
                        "channel, group_id, tags, custom, priority_rank, resolution_code) "
                        "VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?)",
                        err);
        if (!st)
            return err->rc;
        db_bind_str(st, 1, number);
        db_bind_str(st, 2, subject);
        db_bind_str(st, 3, description);
        db_bind_str(st, 4, s->status);
        db_bind_str(st, 5, priority);
        db_bind_int64(st, 6, created);
        db_bind_int64(st, 7, created + (int64_t)(next(seed) % (open ? 3600000 : 864000000)));
        db_bind_ref(st, 8, norgs ? orgs[next(seed) % (uint64_t)norgs] : 0);
        db_bind_ref(st, 9, strcmp(s->status, "new") != 0 && nstaff ? staff[next(seed) % (uint64_t)nstaff] : 0);
        db_bind_str(st, 10, s->category);
        db_bind_str(st, 11, channels[next(seed) % 6]);
        db_bind_ref(st, 12, ngroups ? groups[next(seed) % (uint64_t)ngroups] : 0);
        db_bind_str(st, 13, next(seed) % 10 == 0 ? "[\"warranty\"]" : "[]");
        db_bind_str(st, 14, custom);
        db_bind_int64(st, 15, ticket_priority_rank(priority));
        db_bind_str(st, 16, open ? NULL : "fixed");
        rc = db_run(st, err);
    }
    return rc;
}

/* Customers, engineers and groups for the tickets to belong to, made once:
 * 2000 organisations, 50 engineers (who cannot sign in), 8 groups; and the two
 * custom fields the generated tickets carry. */
static enum tend_rc
gen_parties(struct db *db, int64_t now, struct tend_err *err)
{
    char sql[512];
    int have = 0;
    struct db_stmt *st = db_prepare(db, "SELECT count(*) FROM organisations WHERE external_id LIKE 'GEN-%'", err);
    enum tend_rc rc = TEND_OK;

    if (!st)
        return err->rc;
    if (db_step(st, err) == DB_ROW)
        have = (int)db_col_int64(st, 0);
    db_reset(st);
    if (have)
        return TEND_OK;
    rc = db_begin(db, err);
    for (int i = 1; i <= 2000 && rc == TEND_OK; i++) {
        snprintf(sql, sizeof(sql),
                 "INSERT INTO organisations (name, tier, region, external_id, created_at) VALUES "
                 "('Generated customer %d', '%s', '%s', 'GEN-%05d', %lld)",
                 i, i % 10 == 0 ? "vip" : "standard", i % 2 ? "east" : "west", i, (long long)now);
        rc = db_exec(db, sql, err);
    }
    for (int i = 1; i <= 50 && rc == TEND_OK; i++) {
        snprintf(sql, sizeof(sql),
                 "INSERT INTO users (username, display_name, password_hash, roles, created_at, updated_at) "
                 "VALUES ('gen-engineer-%d', 'Generated engineer %d', '!', 'engineer', %lld, %lld)",
                 i, i, (long long)now, (long long)now);
        rc = db_exec(db, sql, err);
    }
    for (int i = 1; i <= 8 && rc == TEND_OK; i++) {
        snprintf(sql, sizeof(sql),
                 "INSERT INTO groups (name, description, created_at, updated_at) VALUES "
                 "('Generated group %d', '', %lld, %lld)",
                 i, (long long)now, (long long)now);
        rc = db_exec(db, sql, err);
    }
    if (rc == TEND_OK)
        rc = db_exec(db,
                     "INSERT INTO custom_fields (key, definition, created_at, updated_at) VALUES "
                     "('serial_no', '{\"key\":\"serial_no\",\"label\":\"Serial number\",\"type\":\"text\"}', 0, 0), "
                     "('pages', '{\"key\":\"pages\",\"label\":\"Page count\",\"type\":\"number\"}', 0, 0) ON CONFLICT (key) DO NOTHING",
                     err);
    if (rc == TEND_OK)
        return db_commit(db, err);
    db_rollback(db);
    return rc;
}

enum tend_rc
tickets_store_generate(struct db *db, int64_t count, uint64_t seed,
                       void (*progress)(void *ctx, int64_t done, int64_t total), void *ctx,
                       struct tend_err *err)
{
    struct gen_parties *p = xcalloc(1, sizeof(*p));
    int64_t now = time_now_ms(), done = 0, base = 0;
    enum tend_rc rc;
    struct db_stmt *st;

    if (seed == 0)
        seed = 0x9E3779B97F4A7C15ULL;
    rc = gen_parties(db, now, err);
    if (rc == TEND_OK)
        rc = ids_of(db, "SELECT id FROM organisations ORDER BY id", p->orgs, 4096, &p->norgs, err);
    if (rc == TEND_OK)
        rc = ids_of(db, "SELECT id FROM users WHERE roles NOT LIKE '%customer%' ORDER BY id", p->staff,
                    512, &p->nstaff, err);
    if (rc == TEND_OK)
        rc = ids_of(db, "SELECT id FROM groups ORDER BY id", p->groups, 64, &p->ngroups, err);
    st = rc ? NULL : db_prepare(db, "SELECT coalesce(max(id), 0) FROM tickets", err);
    if (!st) {
        free(p);
        return err->rc;
    }
    if (db_step(st, err) == DB_ROW)
        base = db_col_int64(st, 0);
    db_reset(st);
    while (done < count && rc == TEND_OK) {
        int64_t batch = count - done < 50000 ? count - done : 50000;
        rc = db_begin(db, err);
        if (rc)
            break;
        rc = insert_batch(db, base + done + 1, done, batch, count, &seed, p, now, err);
        if (rc) {
            db_rollback(db);
            break;
        }
        rc = db_commit(db, err);
        done += batch;
        if (progress)
            progress(ctx, done, count);
    }
    free(p);
    if (rc)
        return rc;
    /* the counters, rebuilt from the tickets in one pass */
    rc = db_begin(db, err);
    if (rc == TEND_OK)
        rc = db_exec(db,
                     "DELETE FROM ticket_counts;"
                     "INSERT INTO ticket_counts (dim, key, category, status, n) SELECT 'all', 0, "
                     "status_category, status, count(*) FROM tickets GROUP BY 3, 4;"
                     "INSERT INTO ticket_counts (dim, key, category, status, n) SELECT 'group', "
                     "coalesce(group_id, 0), status_category, status, count(*) FROM tickets GROUP BY 2, 3, 4;"
                     "INSERT INTO ticket_counts (dim, key, category, status, n) SELECT 'assignee', "
                     "coalesce(assignee_id, 0), status_category, status, count(*) FROM tickets "
                     "GROUP BY 2, 3, 4;"
                     "INSERT INTO ticket_counts (dim, key, category, status, n) SELECT 'organisation', "
                     "coalesce(organisation_id, 0), status_category, status, count(*) FROM tickets "
                     "GROUP BY 2, 3, 4;"
                     "INSERT INTO ticket_tags (ticket_id, tag) SELECT id, 'warranty' FROM tickets "
                     "WHERE tags = '[\"warranty\"]' AND id NOT IN (SELECT ticket_id FROM ticket_tags);",
                     err);
    if (rc == TEND_OK)
        rc = ticket_config_index_field(db, "serial_no", CF_TEXT, err);
    if (rc == TEND_OK)
        rc = ticket_config_index_field(db, "pages", CF_NUMBER, err);
    if (rc == TEND_OK)
        rc = db_commit(db, err);
    else
        db_rollback(db);
    return rc;
}
