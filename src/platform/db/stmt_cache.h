/* stmt_cache.h: a connection's prepared statements keyed by their SQL text
 * (internal to db/; both backends use it). Open addressing, grown at half full. */
#ifndef TEND_STMT_CACHE_H
#define TEND_STMT_CACHE_H

#include <stddef.h>
#include <stdint.h>

struct db_stmt;

struct stmt_cache_entry {
    uint64_t hash;
    char *sql; /* owned copy */
    struct db_stmt *st;
};

struct stmt_cache {
    struct stmt_cache_entry *slots;
    size_t cap, used;
};

void stmt_cache_init(struct stmt_cache *c);

/* The statement cached for `sql`, or NULL. */
struct db_stmt *stmt_cache_find(const struct stmt_cache *c, const char *sql);

/* Cache `st` under a copy of `sql` (not already cached). */
void stmt_cache_put(struct stmt_cache *c, const char *sql, struct db_stmt *st);

/* Free every statement with `free_stmt`, then the table. */
void stmt_cache_clear(struct stmt_cache *c, void (*free_stmt)(struct db_stmt *st));

#endif
