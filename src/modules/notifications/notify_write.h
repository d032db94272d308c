/* notify_write.h: one deferred-write shape for the module's routes (internal):
 * the request's facts copied, an apply that calls one store function on the
 * writer, and the answer (status 200/201/204, or the error; a 409 carries the
 * current row when the store gave one). */
#ifndef TEND_NOTIFY_WRITE_H
#define TEND_NOTIFY_WRITE_H

#include <jansson.h>

#include "platform/http/api.h"

struct notify_write {
    struct api_write w; /* first */
    enum tend_rc (*op)(struct notify_write *n, struct db *db, int64_t now);
    int64_t id;
    int64_t user_id;
    json_t *body; /* a private copy, or NULL */
    char actor[72];
    char key[64], lang[16];
    int status; /* on success */
    json_t *result;
};

/* Queue `op` with the request's actor and a copy of its body; `status` answers success. */
void notify_submit(struct api_req *r, enum tend_rc (*op)(struct notify_write *, struct db *, int64_t), int64_t id,
                   const char *key, const char *lang, int status);

/* Answer 400 for a query parameter not in `allowed` (NULL-terminated); -1 then. */
int notify_only_params(struct api_req *r, const char *const *allowed);

/* ?limit (1..max, default def) and ?cursor under `tag`; -1 after answering 400. */
int notify_page(struct api_req *r, const char *tag, int max, int def, int *limit, int64_t *before);

/* Answer {items, next_cursor} from limit + 1 rows (steals items). */
void notify_send_page(struct api_req *r, const char *tag, json_t *items, int limit, json_t *extra);

#endif
