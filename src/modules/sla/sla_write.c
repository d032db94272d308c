/* sla_write.c: SLA routes' writes through the writer thread (sla_write.h). */
#include "sla_write.h"

#include <stdlib.h>

#include "platform/util/util.h"

struct sla_write {
    struct api_write w; /* first */
    sla_write_fn fn;
    int64_t id;
    int created;
    json_t *body; /* a private copy */
    char actor[72];
    json_t *result;
};

static enum tend_rc
apply(struct api_write *w, struct db *db)
{
    struct sla_write *s = (struct sla_write *)w;

    return s->fn(db, s->id, s->body, s->actor, time_now_ms(), &s->result, &w->task.err);
}

static void
respond(struct api_write *w, struct api_req *r)
{
    struct sla_write *s = (struct sla_write *)w;

    if (w->task.rc == TEND_ECONFLICT && s->result) { /* the current record with the 409 */
        api_send_problem(r, 409, w->task.err.field, w->task.err.message, json_incref(s->result));
        return;
    }
    if (w->task.rc) {
        api_send_error(r, &w->task.err);
        return;
    }
    if (!s->result) {
        api_send_raw(r, 204, "application/json", "", 0);
        return;
    }
    api_send_json(r, s->created ? 201 : 200, s->result);
    s->result = NULL;
}

static void
release(struct api_write *w)
{
    struct sla_write *s = (struct sla_write *)w;

    json_decref(s->body);
    json_decref(s->result);
    free(s);
}

void
sla_write_submit(struct api_req *r, const char *path_id, int created, sla_write_fn fn)
{
    struct sla_write *s;
    int64_t id = 0;

    if (path_id && api_path_id(r, path_id, &id))
        return;
    s = xcalloc(1, sizeof(*s));
    s->fn = fn;
    s->id = id;
    s->created = created;
    s->body = r->body ? json_deep_copy(r->body) : json_object();
    strlcopy(s->actor, r->actor.username, sizeof(s->actor));
    s->w.apply = apply;
    s->w.respond = respond;
    s->w.release = release;
    api_submit_write(r, &s->w);
}
