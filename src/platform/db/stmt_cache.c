/* stmt_cache.c: see stmt_cache.h. */
#include "stmt_cache.h"

#include <stdlib.h>
#include <string.h>

#include "platform/util/util.h"

#define INITIAL_SLOTS 64

/* Every prepare looks its SQL text up here (a few hundred bytes, twenty
 * times per ticket create), so the hash reads eight bytes per step rather
 * than one (FNV-1a byte by byte was ~4% of the writer thread's time). */
static uint64_t
sql_hash(const char *sql)
{
    size_t n = strlen(sql);
    uint64_t h = 0x9e3779b97f4a7c15ull ^ n, w;

    for (; n >= 8; n -= 8, sql += 8) {
        memcpy(&w, sql, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdull;
        h ^= h >> 32;
    }
    w = 0;
    memcpy(&w, sql, n);
    h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
    return h ^ (h >> 29);
}

static size_t
slot_of(const struct stmt_cache *c, uint64_t hash)
{
    return (size_t)(hash ^ (hash >> 29)) & (c->cap - 1);
}

void
stmt_cache_init(struct stmt_cache *c)
{
    c->cap = INITIAL_SLOTS;
    c->used = 0;
    c->slots = xcalloc(c->cap, sizeof(*c->slots));
}

struct db_stmt *
stmt_cache_find(const struct stmt_cache *c, const char *sql)
{
    uint64_t hash = sql_hash(sql);

    for (size_t s = slot_of(c, hash); c->slots[s].st; s = (s + 1) & (c->cap - 1))
        if (c->slots[s].hash == hash && strcmp(c->slots[s].sql, sql) == 0)
            return c->slots[s].st;
    return NULL;
}

static void
place(struct stmt_cache *c, struct stmt_cache_entry e)
{
    size_t s = slot_of(c, e.hash);

    while (c->slots[s].st)
        s = (s + 1) & (c->cap - 1);
    c->slots[s] = e;
}

void
stmt_cache_put(struct stmt_cache *c, const char *sql, struct db_stmt *st)
{
    struct stmt_cache_entry e = {sql_hash(sql), xstrdup(sql), st};

    if ((c->used + 1) * 2 > c->cap) {
        struct stmt_cache_entry *old = c->slots;
        size_t oldcap = c->cap;
        c->cap *= 2;
        c->slots = xcalloc(c->cap, sizeof(*c->slots));
        for (size_t i = 0; i < oldcap; i++)
            if (old[i].st)
                place(c, old[i]);
        free(old);
    }
    place(c, e);
    c->used++;
}

void
stmt_cache_clear(struct stmt_cache *c, void (*free_stmt)(struct db_stmt *st))
{
    for (size_t i = 0; c->slots && i < c->cap; i++) {
        if (c->slots[i].st) {
            free_stmt(c->slots[i].st);
            free(c->slots[i].sql);
        }
    }
    free(c->slots);
    c->slots = NULL;
    c->cap = c->used = 0;
}
