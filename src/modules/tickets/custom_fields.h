/* custom_fields.h: admin-defined ticket fields: their definitions (type, where
 * they apply, required, validation, default) and the checking of values on
 * every write. Pure; the store loads and saves the definitions. */
#ifndef TEND_CUSTOM_FIELDS_H
#define TEND_CUSTOM_FIELDS_H

#include <jansson.h>
#include <regex.h>
#include <stdint.h>

#include "platform/util/err.h"

#define CF_MAX_OPTIONS 200
#define CF_MAX_TYPES 20
#define CF_TEXT_MAX_CHARS 500
#define CF_LONG_TEXT_MAX_BYTES 65536

enum cf_type {
    CF_TEXT,
    CF_LONG_TEXT,
    CF_NUMBER,
    CF_MONEY,
    CF_DATE,
    CF_DATETIME,
    CF_SELECT,
    CF_MULTI_SELECT,
    CF_CHECKBOX,
    CF_USER,
    CF_ASSET,
};

/* Whether values of `t` compare as numbers (checkbox: false 0, true 1). */
int cf_type_numeric(enum cf_type t);

/* NULL-terminated names of enum cf_type, in order. */
extern const char *const cf_type_names[];

struct custom_field {
    int64_t id;
    char key[41];
    char *label;
    enum cf_type type;
    json_t *ticket_types; /* array of type keys; empty: every type */
    int required;
    json_t *options;      /* array of strings (select, multi_select) */
    int has_min, has_max;
    double min, max;
    char *pattern;        /* text only; NULL: none */
    regex_t re;           /* compiled pattern when pattern != NULL */
    json_t *def;          /* default value (already valid), or NULL */
    char currency[4];     /* money only */
    int position;
    int active;
};

void custom_field_cleanup(struct custom_field *f);

/* Parse a definition body. For a create (`base` NULL) key, label and type are
 * required; for an update `base` is the current definition, key and type may not
 * change, and the result is base with the body's changes. Fills `out` (caller
 * cleans up) or `err` (fields as in the body: "options", "default"...). */
enum tend_rc custom_field_parse(const json_t *body, const struct custom_field *base,
                                struct custom_field *out, struct tend_err *err);

/* The definition as the API shows it (new reference); without id/active when
 * `full` is 0 (the stored form). */
json_t *custom_field_json(const struct custom_field *f, int full);

/* Whether field `f` applies to tickets of type `type_key`. */
int custom_field_applies(const struct custom_field *f, const char *type_key);

/* Check one value (not null) of field `f`; *normalised gets the value to store
 * (a new reference: trimmed text, UTC datetime...). Errors name "custom.<key>". */
enum tend_rc custom_value_check(const struct custom_field *f, const json_t *v, json_t **normalised,
                                struct tend_err *err);

/* Apply a patch of values to a ticket's custom object `values` (modified in
 * place): unknown or not-applicable keys are errors, null removes a value. On a
 * create, defaults are filled in first. Then every required, applicable field
 * must have a value. `fields` are the active definitions. */
enum tend_rc custom_values_apply(const struct custom_field *fields, int nfields,
                                 const char *type_key, json_t *values, const json_t *patch,
                                 int create, struct tend_err *err);

#endif
