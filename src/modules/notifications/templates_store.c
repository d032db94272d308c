/* templates_store.c: email templates per notification kind and language. */
#include <string.h>

#include "notifications_store.h"
#include "platform/db/events.h"
#include "platform/util/util.h"

static json_t *
template_json(struct db_stmt *st)
{
    char when[40];

    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:o}", "kind", db_col_text(st, 0), "language", db_col_text(st, 1),
                     "subject", db_col_text(st, 2), "body_text", db_col_text(st, 3), "body_html", db_col_text(st, 4),
                     "updated_at", time_format_rfc3339(db_col_int64(st, 5), when, sizeof(when)), "updated_by",
                     db_col_is_null(st, 6) ? json_null() : json_string(db_col_text(st, 6)));
}

#define TEMPLATE_ROW "SELECT kind, language, subject, body_text, body_html, updated_at, updated_by FROM email_templates"

enum tend_rc
templates_store_list(struct db *db, json_t **out, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db, TEMPLATE_ROW " ORDER BY kind, language", err);
    json_t *items;

    if (!st || db_collect_json(st, template_json, &items, err))
        return err->rc;
    *out = json_pack("{s:o}", "items", items);
    return TEND_OK;
}

enum tend_rc
templates_store_get(struct db *db, const char *kind, const char *lang, json_t **out, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db, TEMPLATE_ROW " WHERE kind = ? AND language = ?", err);
    enum tend_rc rc;

    if (!st)
        return err->rc;
    db_bind_str(st, 1, kind);
    db_bind_str(st, 2, lang);
    rc = db_one_json(st, template_json, out, err);
    if (rc == TEND_ENOTFOUND)
        return tend_fail(err, TEND_ENOTFOUND, "kind", "no template for %s in %s", kind, lang);
    return rc;
}

enum tend_rc
templates_store_put(struct db *db, const char *kind, const char *lang, const json_t *body, const char *actor,
                    int64_t now, json_t **out, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db,
                                    "INSERT INTO email_templates (kind, language, subject, body_text, body_html, "
                                    "updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (kind, language) "
                                    "DO UPDATE SET subject = excluded.subject, body_text = excluded.body_text, "
                                    "body_html = excluded.body_html, updated_at = excluded.updated_at, "
                                    "updated_by = excluded.updated_by",
                                    err);
    enum tend_rc rc;

    if (!st)
        return err->rc;
    db_bind_str(st, 1, kind);
    db_bind_str(st, 2, lang);
    db_bind_str(st, 3, json_string_value(json_object_get(body, "subject")));
    db_bind_str(st, 4, json_string_value(json_object_get(body, "body_text")));
    db_bind_str(st, 5, json_string_value(json_object_get(body, "body_html")));
    db_bind_int64(st, 6, now);
    db_bind_str(st, 7, actor);
    rc = db_run(st, err);
    if (rc == TEND_OK)
        rc = event_record(db, "email_template.updated", "email_template", 0, actor,
                          json_pack("{s:s,s:s}", "kind", kind, "language", lang), now, err);
    if (rc == TEND_OK)
        rc = templates_store_get(db, kind, lang, out, err);
    return rc;
}
