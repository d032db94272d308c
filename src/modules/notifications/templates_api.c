/* templates_api.c: admin routes of email templates: list, replace one kind in
 * one language, and preview a template rendered with sample values. */
#include <stdlib.h>
#include <string.h>

#include "notifications.h"
#include "notifications_api.h"
#include "notifications_store.h"
#include "notify_write.h"
#include "platform/notify/template.h"
#include "platform/util/util.h"

#define PART_MAX 20000

void
templates_api_list(struct api_req *r)
{
    struct tend_err err;
    json_t *out = NULL;

    if (templates_store_list(r->db, &out, &err))
        api_send_error(r, &err);
    else
        api_send_json(r, 200, out);
}

/* Each of subject, body_text, body_html: a string with known placeholders
 * (required unless `optional`). -1 after answering. */
static int
check_parts(struct api_req *r, int optional)
{
    static const char *const parts[] = {"subject", "body_text", "body_html"};
    json_t *known = notify_sample_vars();
    int rc = 0;

    for (int i = 0; i < 3 && !rc; i++) {
        json_t *v = json_object_get(r->body, parts[i]);
        char bad[80], msg[160];
        if (!v && optional)
            continue;
        if (!json_is_string(v) || (i == 0 && json_string_length(v) == 0) || json_string_length(v) > PART_MAX ||
            (i == 0 && strpbrk(json_string_value(v), "\r\n"))) {
            api_send_problem(r, 422, parts[i],
                             i == 0 ? "is required: one line of text" : "is required: text of at most 20000 bytes",
                             NULL);
            rc = -1;
        } else if (template_check(json_string_value(v), known, bad, sizeof(bad)) != 0) {
            if (strcmp(bad, "{{") == 0)
                snprintf(msg, sizeof(msg), "has a {{ without its }}");
            else
                snprintf(msg, sizeof(msg), "uses {{%.60s}}, which is not a template variable", bad);
            api_send_problem(r, 422, parts[i], msg, NULL);
            rc = -1;
        }
    }
    json_decref(known);
    return rc;
}

static int
check_key(struct api_req *r, const char *kind, const char *lang)
{
    if (!kind || notify_kind_index(kind) < 0) {
        api_send_problem(r, 404, "kind", "is not a notification kind", NULL);
        return -1;
    }
    if (!lang || !notify_language_valid(lang)) {
        api_send_problem(r, 404, "language", "must be en or zh-CN", NULL);
        return -1;
    }
    return 0;
}

static enum tend_rc
op_put(struct notify_write *n, struct db *db, int64_t now)
{
    return templates_store_put(db, n->key, n->lang, n->body, n->actor, now, &n->result, &n->w.task.err);
}

void
templates_api_put(struct api_req *r)
{
    const char *kind = api_param(r, "kind"), *lang = api_param(r, "language");
    const char *key;
    json_t *v;

    if (check_key(r, kind, lang))
        return;
    json_object_foreach(r->body, key, v) {
        if (strcmp(key, "subject") != 0 && strcmp(key, "body_text") != 0 && strcmp(key, "body_html") != 0) {
            api_send_problem(r, 422, key, "is not a part of a template (subject, body_text, body_html)", NULL);
            return;
        }
    }
    if (check_parts(r, 0))
        return;
    notify_submit(r, op_put, 0, kind, lang, 200);
}

/* {kind, language, subject?, body_text?, body_html?}: the given parts, else
 * the stored ones, rendered with sample values. */
void
templates_api_preview(struct api_req *r)
{
    static const char *const parts[] = {"subject", "body_text", "body_html"};
    const char *kind = json_string_value(json_object_get(r->body, "kind"));
    const char *lang = json_string_value(json_object_get(r->body, "language"));
    json_t *stored = NULL, *vars, *out;
    struct tend_err err;

    if (!kind || notify_kind_index(kind) < 0) {
        api_send_problem(r, 422, "kind", "must be a notification kind", NULL);
        return;
    }
    if (!lang || !notify_language_valid(lang)) {
        api_send_problem(r, 422, "language", "must be en or zh-CN", NULL);
        return;
    }
    if (check_parts(r, 1))
        return;
    if (templates_store_get(r->db, kind, lang, &stored, &err) && err.rc != TEND_ENOTFOUND) {
        api_send_error(r, &err);
        return;
    }
    vars = notify_sample_vars();
    json_object_set_new(vars, "event.type", json_string(kind));
    out = json_pack("{s:s,s:s,s:O}", "kind", kind, "language", lang, "variables", vars);
    for (int i = 0; i < 3; i++) {
        json_t *given = json_object_get(r->body, parts[i]);
        const char *src = json_string_value(given ? given : json_object_get(stored, parts[i]));
        char *text = template_render(src ? src : "", vars, i == 2);
        json_object_set_new(out, parts[i], json_string(text));
        free(text);
    }
    json_decref(vars);
    json_decref(stored);
    api_send_json(r, 200, out);
}
