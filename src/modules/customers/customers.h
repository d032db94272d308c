/* customers.h: the public API of the customers module: organisations, contacts
 * and sites, and the record machinery they share with the assets module (a
 * kind of record described as data: its fields, their types and limits, how a
 * list filters it and whose organisation it belongs to), the intake look-ups,
 * the organisation's 360 view, and CSV/XLSX import and export. */
#ifndef TEND_CUSTOMERS_H
#define TEND_CUSTOMERS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "platform/db/db.h"

/* --- records described as data (records.c: pure; records_store.c: SQL) ------ */

enum rec_type {
    RT_TEXT,    /* a string of at most `max` characters */
    RT_ENUM,    /* one of `values` */
    RT_INT,     /* an integer in [min, max] */
    RT_REAL,    /* a number in [min, max] */
    RT_BOOL,    /* true or false, stored 0/1 */
    RT_REF,     /* the id of a row of `ref` (checked by the store) */
    RT_DATE,    /* "YYYY-MM-DD" */
    RT_CUSTOM,  /* custom fields: an object of at most 50 scalar members */
    RT_STRLIST, /* an array of at most `max` strings of up to 64 characters */
    RT_IDSET,   /* ids of rows of `ref`, kept in the link table `link` */
};

enum rec_flag {
    RF_REQUIRED = 1 << 0, /* must be given (and not empty) on create */
    RF_FILTER = 1 << 1,   /* ?name=value filters lists */
    RF_SEARCH = 1 << 2,   /* ?q= matches it (substring, any case) */
    RF_UNIQUE = 1 << 3,   /* no two rows share a non-null value */
    RF_EMAIL = 1 << 4,    /* an e-mail address; also stored lower-cased in <name>_norm */
    RF_PHONE = 1 << 5,    /* a phone number; also stored as digits in <name>_norm */
};

struct rec_field {
    const char *name; /* JSON member, SQL column and spreadsheet header */
    enum rec_type type;
    unsigned flags;
    double min, max;           /* numbers: range; text: max characters; lists: max items */
    const char *ref;           /* RT_REF, RT_IDSET: the table; RT_IDSET: and `link` */
    const char *link;          /* RT_IDSET: link table (<kind>_id, <ref singular>_id) */
    const char *const *values; /* RT_ENUM: NULL-terminated */
    const char *dflt;          /* the value on create when not given (text form); NULL: null */
};

struct rec_kind;
/* A kind's own rule over a whole record (`rec` is the complete new state, id 0
 * on create), run by the store inside the write. */
typedef enum tend_rc (*rec_check_fn)(struct db *db, const struct rec_kind *k, int64_t id, const json_t *rec,
                                     struct tend_err *err);

struct rec_kind {
    const char *name;       /* "organisation": events, messages */
    const char *table;      /* "organisations": table, import kind */
    const char *route;      /* "/api/v1/organisations" */
    const char *cursor_tag; /* keyset cursors of its list */
    const char *scope_col;  /* the owning organisation's column ("id" for organisations); NULL: any */
    const struct rec_field *fields;
    int nfields;
    rec_check_fn check; /* NULL: none */
};

/* The kinds of this module. */
extern const struct rec_kind organisation_kind, contact_kind, site_kind;

#define REC_LIST_MAX 200
#define REC_LIST_DEFAULT 50
#define CUSTOM_MAX_MEMBERS 50

/* The field named `name`, or NULL. */
const struct rec_field *rec_field_of(const struct rec_kind *k, const char *name);

/* Validate a create (`create` 1: defaults fill what is missing, required fields
 * must be there) or a change (only the members given) from the JSON body:
 * unknown members, wrong types, out-of-range values are TEND_EINVAL naming the
 * member. `ignore` (may be NULL) names members to leave out silently ("version",
 * "id"...). *out is the normalised record (caller owns). Pure. */
enum tend_rc rec_validate(const struct rec_kind *k, const json_t *body, int create, const char *const *ignore,
                          json_t **out, struct tend_err *err);

/* One spreadsheet cell as the JSON value of field `f` ("" is null; booleans
 * true/false/yes/no/1/0; lists split on ';'). TEND_EINVAL with a reason. Pure. */
enum tend_rc rec_value_from_text(const struct rec_field *f, const char *text, json_t **out,
                                 struct tend_err *err);

/* Field `f` of `rec` as spreadsheet text (malloc'd; "" for null). Pure. */
char *rec_value_to_text(const struct rec_field *f, const json_t *v);

/* Whether `s` is a real calendar date "YYYY-MM-DD". Pure. */
int rec_date_valid(const char *s);

/* Digits of a phone number (the look-up key), into out; "" when none. Pure. */
void rec_phone_norm(const char *phone, char *out, size_t outlen);

/* What part of the records a caller may see: 0 all; -1 none; else the
 * organisation (a customer's). */
struct api_actor;
int64_t customers_scope_for(const struct api_actor *actor);

struct rec_filter {
    const char *names[16];
    const json_t *values[16]; /* borrowed */
    int n;
    const char *q; /* substring of the search fields, or NULL */
    int64_t after_id;
    int limit;
    int64_t scope_org;
};

/* Parse list parameters (name/value pairs) into `f`: the kind's filters, q,
 * limit, cursor. Values become JSON owned by *hold (caller decrefs). Unknown
 * parameters are TEND_ESYNTAX naming them. */
enum tend_rc rec_filter_parse(const struct rec_kind *k, const char *const *names, const char *const *values, int n,
                              struct rec_filter *f, json_t **hold, struct tend_err *err);

/* --- the generic store (records_store.c) ------------------------------------ */

/* Read one record as API JSON (fields plus id, version, created_at,
 * updated_at). TEND_ENOTFOUND (field "id") when absent or outside scope_org. */
enum tend_rc rec_store_get(struct db *db, const struct rec_kind *k, int64_t id, int64_t scope_org, json_t **out,
                           struct tend_err *err);

/* A page: {items, next_cursor}. */
enum tend_rc rec_store_list(struct db *db, const struct rec_kind *k, const struct rec_filter *f, json_t **out,
                            struct tend_err *err);

/* Every row of the kind in id order (exports): `row` is called with each record. */
enum tend_rc rec_store_each(struct db *db, const struct rec_kind *k, void (*row)(void *ctx, json_t *rec), void *ctx,
                            struct tend_err *err);

/* The id of the row whose external_id is `ext`; 0 when none. */
enum tend_rc rec_store_find_external(struct db *db, const struct rec_kind *k, const char *ext, int64_t *id,
                                     struct tend_err *err);

/* Create from a validated record (rec_validate with create 1): references,
 * unique values and the kind's check first (TEND_EINVAL naming the field),
 * then the row and its event. *id is the new row. */
enum tend_rc rec_store_insert(struct db *db, const struct rec_kind *k, const json_t *rec, const char *actor,
                              int64_t now, int64_t *id, struct tend_err *err);

/* Change row `id` with a validated patch (create 0). `version` > 0 must be the
 * stored version (TEND_ECONFLICT otherwise); 0 skips the check. The row must
 * be within scope_org. */
enum tend_rc rec_store_update(struct db *db, const struct rec_kind *k, int64_t id, const json_t *patch,
                              int64_t version, int64_t scope_org, const char *actor, int64_t now,
                              struct tend_err *err);

/* The integer of the first row of `sql` (one `?`: id) into *out (0 for
 * NULL); TEND_ENOTFOUND when there is no row. */
enum tend_rc rec_store_scalar(struct db *db, const char *sql, int64_t id, int64_t *out, struct tend_err *err);

/* Whether row `id` of `table` exists (TEND_ENOTFOUND if not). */
enum tend_rc rec_store_exists(struct db *db, const char *table, int64_t id, struct tend_err *err);

/* --- generic routes (records_api.c) ----------------------------------------- */

struct api_req;
void records_api_list(struct api_req *r, const struct rec_kind *k);
void records_api_get(struct api_req *r, const struct rec_kind *k);
void records_api_create(struct api_req *r, const struct rec_kind *k);
void records_api_update(struct api_req *r, const struct rec_kind *k);
/* PUT .../by-external-id/:ext: create (201) or change (200) the row with that external id. */
void records_api_upsert(struct api_req *r, const struct rec_kind *k);
/* The list parameters of the request as a filter; answers 400 and returns -1 if bad. */
int records_api_filter(struct api_req *r, const struct rec_kind *k, struct rec_filter *f, json_t **hold);

/* --- look-ups and the 360 view (customers_store.c, overview_store.c) -------- */

/* Contacts by e-mail (any case), phone (digits compared) or WeChat OpenID,
 * each with {organisation: {id, name, tier}}: *out is {items}. Exactly one of
 * the keys is non-NULL. */
enum tend_rc customers_store_lookup_contacts(struct db *db, const char *email, const char *phone,
                                             const char *wechat_openid, int64_t scope_org, json_t **out,
                                             struct tend_err *err);

/* The organisation's 360 view: {organisation, contacts, sites, assets,
 * tickets: {open, past}, contracts, parts_replaced, satisfaction, counts}. */
enum tend_rc customers_store_overview(struct db *db, int64_t id, int64_t scope_org, json_t **out,
                                      struct tend_err *err);

/* Tickets of one organisation (organisation_id = ?) or asset: the open ones and
 * the latest `limit` closed ones, as {open: [...], past: [...]} of
 * {id, number, subject, status, status_category, priority, asset_id, created_at, updated_at}. */
enum tend_rc customers_store_tickets_of(struct db *db, const char *column, int64_t id, int limit, json_t **out,
                                        struct tend_err *err);

/* --- import and export (csv.c, xlsx_read.c, import_store.c) ------------------ */

#define IMPORT_MAX_ROWS 1000000
#define IMPORT_MAX_ERRORS 1000

/* A parsed spreadsheet: row 0 is the header. Cells are malloc'd UTF-8. */
struct sheet {
    char ***rows;
    int *ncells;
    int *lineno; /* the row's number in the file (CSV line, spreadsheet row) */
    int nrows;
};
void sheet_free(struct sheet *s);

/* Parse CSV (RFC 4180: quoted fields, "" escapes, CRLF or LF; a UTF-8 BOM is
 * skipped): TEND_EINVAL with the line in err->field ("line 12") when malformed
 * or not UTF-8, TEND_ETOOLARGE past max_rows. Pure. */
enum tend_rc csv_parse(const char *data, size_t len, int max_rows, struct sheet *out, struct tend_err *err);

/* Append one CSV field (quoted when needed) and a separator or line end. */
struct jbuf;
void csv_put(struct jbuf *b, const char *s, int last);

/* Parse the first worksheet of an XLSX workbook (shared and inline strings,
 * numbers, booleans). TEND_EINVAL when it is not one. Pure. */
enum tend_rc xlsx_parse(const char *data, size_t len, int max_rows, struct sheet *out, struct tend_err *err);

/* The kind an import or export names ("organisations", "contacts", "sites",
 * "assets"), or NULL. */
const struct rec_kind *import_kind(const char *name);

/* Check every row of `s` against kind `k` and the database, then (when none
 * failed, or `partial`) write the valid ones: a row with an external_id that
 * exists updates it, others are created. Rows are numbered as in the file
 * (header = 1). *report: {total, processed, created, updated, failed, errors:
 * [{row, column, reason}]} (caller owns). `progress` (may be NULL) is called
 * every 500 rows. Returns TEND_OK when the report says what happened (even with
 * errors); other codes are database failures. */
enum tend_rc import_rows(struct db *db, const struct rec_kind *k, const struct sheet *s, int partial,
                         const char *actor, int64_t now, void (*progress)(void *ctx, int done, int total),
                         void *ctx, json_t **report, struct tend_err *err);

/* Append a row to `s` (taking over the n cells) numbered `lineno`. */
void sheet_append(struct sheet *s, char **cells, int n, int lineno);

/* Import jobs (import_store.c): a row per import with its progress and report. */
enum tend_rc import_job_create(struct db *db, const char *kind, const char *format, int partial, int total,
                               const char *actor, int64_t now, int64_t *id, struct tend_err *err);
/* Store the final report (import_rows) or, with report NULL, a failure `reason`. */
enum tend_rc import_job_finish(struct db *db, int64_t id, const json_t *report, const char *reason, int64_t now,
                               struct tend_err *err);
/* The job as {id, kind, format, status, partial, total, processed, created,
 * updated, failed, errors, created_by, created_at, finished_at}. */
enum tend_rc import_job_get(struct db *db, int64_t id, const char *kind, json_t **out, struct tend_err *err);

/* Every row of kind `k` as CSV (header: the import columns) or XLSX (`tmpdir`
 * for libxlsxwriter's file): *out malloc'd. */
enum tend_rc export_rows(struct db *db, const struct rec_kind *k, int xlsx, const char *tmpdir, char **out,
                         size_t *len, struct tend_err *err);

#endif
