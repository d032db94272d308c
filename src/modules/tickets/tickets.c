/* tickets.c: ticket rules without HTTP or SQL: input validation, updates and
 * their change sets, list cursors. */
#include "tickets.h"

#include <ctype.h>
#include <stddef.h>
#include <stdlib.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "modules/sla/sla.h"
#include "modules/users/users.h"
#include "platform/http/api.h"
#include "platform/util/jbuf.h"
#include "platform/util/util.h"
#include "workflow.h"

const char *const ticket_priorities[] = {"low", "normal", "high", "urgent", NULL};
const char *const ticket_channels[] = {"portal", "email", "phone", "wechat", "api", "iot", "internal", NULL};

void
ticket_cleanup(struct ticket *t)
{
    free(t->subject);
    free(t->description);
    free(t->customer_ref);
    free(t->tags);
    free(t->watchers);
    free(t->custom);
    free(t->resolution_code);
    free(t->resolution);
    free(t->required_skills);
    t->required_skills = NULL;
    t->subject = t->description = t->customer_ref = NULL;
    t->tags = t->watchers = t->custom = t->resolution_code = t->resolution = NULL;
}

void
ticket_input_cleanup(struct ticket_input *in)
{
    free(in->subject);
    free(in->description);
    free(in->customer_ref);
    free(in->resolution_code);
    free(in->resolution);
    json_decref(in->tags);
    json_decref(in->watchers);
    json_decref(in->custom);
    json_decref(in->required_skills);
    memset(in, 0, sizeof(*in));
}

int
ticket_value_in(const char *s, const char *const *values)
{
    for (; *values; values++)
        if (strcmp(s, *values) == 0)
            return 1;
    return 0;
}

static enum tend_rc
want_string(const json_t *v, const char *field, struct tend_err *err)
{
    if (!json_is_string(v))
        return tend_fail(err, TEND_EINVAL, field, "must be a string");
    return TEND_OK;
}

static enum tend_rc
take_subject(const json_t *v, struct ticket_input *in, struct tend_err *err)
{
    const char *s;
    size_t len, start = 0;

    if (want_string(v, "subject", err))
        return TEND_EINVAL;
    s = json_string_value(v);
    len = json_string_length(v);
    while (start < len && isspace((unsigned char)s[start]))
        start++;
    while (len > start && isspace((unsigned char)s[len - 1]))
        len--;
    if (len == start)
        return tend_fail(err, TEND_EINVAL, "subject", "must not be empty");
    if (utf8_count(s + start, len - start) > TICKET_SUBJECT_MAX_CHARS)
        return tend_fail(err, TEND_EINVAL, "subject", "must be at most %d characters",
                         TICKET_SUBJECT_MAX_CHARS);
    in->subject = xmalloc(len - start + 1);
    memcpy(in->subject, s + start, len - start);
    in->subject[len - start] = '\0';
    in->fields |= TF_SUBJECT;
    return TEND_OK;
}

static enum tend_rc
take_description(const json_t *v, struct ticket_input *in, struct tend_err *err)
{
    if (want_string(v, "description", err))
        return TEND_EINVAL;
    if (json_string_length(v) > TICKET_DESCRIPTION_MAX_BYTES)
        return tend_fail(err, TEND_EINVAL, "description", "must be at most %d bytes",
                         TICKET_DESCRIPTION_MAX_BYTES);
    in->description = xstrdup(json_string_value(v));
    in->fields |= TF_DESCRIPTION;
    return TEND_OK;
}

static enum tend_rc
take_enum(const json_t *v, const char *field, const char *const *values, char *out, size_t outlen,
          struct tend_err *err)
{
    char allowed[128] = "";
    size_t used = 0;

    if (want_string(v, field, err))
        return TEND_EINVAL;
    if (ticket_value_in(json_string_value(v), values)) {
        strlcopy(out, json_string_value(v), outlen);
        return TEND_OK;
    }
    for (const char *const *p = values; *p; p++)
        used += (size_t)snprintf(allowed + used, sizeof(allowed) - used, "%s%s", used ? ", " : "", *p);
    return tend_fail(err, TEND_EINVAL, field, "must be one of: %s", allowed);
}

static enum tend_rc
take_customer_ref(const json_t *v, struct ticket_input *in, struct tend_err *err)
{
    in->fields |= TF_CUSTOMER_REF;
    if (json_is_null(v))
        return TEND_OK;
    if (want_string(v, "customer_ref", err))
        return TEND_EINVAL;
    if (utf8_count(json_string_value(v), json_string_length(v)) > TICKET_CUSTOMER_REF_MAX_CHARS)
        return tend_fail(err, TEND_EINVAL, "customer_ref", "must be at most %d characters",
                         TICKET_CUSTOMER_REF_MAX_CHARS);
    in->customer_ref = xstrdup(json_string_value(v));
    return TEND_OK;
}

static enum tend_rc
take_reference(const json_t *v, const char *field, int64_t *out, struct tend_err *err)
{
    if (json_is_null(v)) {
        *out = 0;
        return TEND_OK;
    }
    if (!json_is_integer(v) || json_integer_value(v) < 1)
        return tend_fail(err, TEND_EINVAL, field, "must be an id or null");
    *out = json_integer_value(v);
    return TEND_OK;
}

static enum tend_rc
take_optional_text(const json_t *v, const char *field, size_t max_chars, size_t max_bytes, char **out,
                   struct tend_err *err)
{
    if (json_is_null(v))
        return TEND_OK;
    if (want_string(v, field, err))
        return TEND_EINVAL;
    if (max_bytes && json_string_length(v) > max_bytes)
        return tend_fail(err, TEND_EINVAL, field, "must be at most %zu bytes", max_bytes);
    if (max_chars && (json_string_length(v) == 0 ||
                      utf8_count(json_string_value(v), json_string_length(v)) > max_chars))
        return tend_fail(err, TEND_EINVAL, field, "must be 1 to %zu characters, or null", max_chars);
    *out = xstrdup(json_string_value(v));
    return TEND_OK;
}

void
ticket_json_add_missing(json_t *into, const json_t *add, size_t max)
{
    size_t i, j;
    json_t *v, *w;

    json_array_foreach(add, i, v) {
        int have = 0;
        json_array_foreach(into, j, w)
            have |= json_equal(v, w);
        if (!have && json_array_size(into) < max)
            json_array_append(into, v);
    }
}

char *
ticket_tag_normalise(const char *s, size_t len)
{
    size_t start = 0;
    char *out;

    while (start < len && isspace((unsigned char)s[start]))
        start++;
    while (len > start && isspace((unsigned char)s[len - 1]))
        len--;
    if (len == start || utf8_count(s + start, len - start) > TICKET_TAG_MAX_CHARS)
        return NULL;
    for (size_t i = start; i < len; i++)
        if (s[i] == ',' || (unsigned char)s[i] < 0x20)
            return NULL;
    out = xmalloc(len - start + 1);
    for (size_t i = start; i < len; i++)
        out[i - start] = (char)tolower((unsigned char)s[i]);
    out[len - start] = '\0';
    return out;
}

/* A list of tags or skills (`name` in errors) normalised into *out. */
static enum tend_rc
take_names(const json_t *v, const char *name, json_t **out, struct tend_err *err)
{
    size_t i;
    json_t *t;

    if (!json_is_array(v) || json_array_size(v) > TICKET_MAX_TAGS)
        return tend_fail(err, TEND_EINVAL, name, "must be a list of at most %d %s", TICKET_MAX_TAGS, name);
    json_decref(*out);
    *out = json_array();
    json_array_foreach(v, i, t) {
        char *norm = json_is_string(t) ? ticket_tag_normalise(json_string_value(t), json_string_length(t))
                                       : NULL;
        int dup = 0;
        size_t j;
        json_t *have;
        if (!norm)
            return tend_fail(err, TEND_EINVAL, name,
                             "item %zu must be 1 to %d characters without commas", i,
                             TICKET_TAG_MAX_CHARS);
        json_array_foreach(*out, j, have)
            dup |= strcmp(json_string_value(have), norm) == 0;
        if (!dup)
            json_array_append_new(*out, json_string(norm));
        free(norm);
    }
    return TEND_OK;
}

static enum tend_rc
take_tags(const json_t *v, struct ticket_input *in, struct tend_err *err)
{
    in->fields |= TF_TAGS;
    return take_names(v, "tags", &in->tags, err);
}

static enum tend_rc
take_watchers(const json_t *v, struct ticket_input *in, struct tend_err *err)
{
    size_t i;
    json_t *w;

    if (!json_is_array(v) || json_array_size(v) > TICKET_MAX_WATCHERS)
        return tend_fail(err, TEND_EINVAL, "watchers", "must be a list of at most %d user ids",
                         TICKET_MAX_WATCHERS);
    json_array_foreach(v, i, w) {
        if (!json_is_integer(w) || json_integer_value(w) < 1)
            return tend_fail(err, TEND_EINVAL, "watchers", "item %zu must be a user id", i);
        for (size_t j = 0; j < i; j++)
            if (json_integer_value(json_array_get(v, j)) == json_integer_value(w))
                return tend_fail(err, TEND_EINVAL, "watchers", "repeats user %lld",
                                 (long long)json_integer_value(w));
    }
    in->watchers = json_deep_copy(v);
    in->fields |= TF_WATCHERS;
    return TEND_OK;
}

enum fields_mode { FOR_CREATE, FOR_UPDATE, FOR_TRANSITION };

/* One member of a body; returns TEND_OK, or the error (unknown fields included). */
static enum tend_rc
take_member(const char *key, const json_t *v, struct ticket_input *in, enum fields_mode mode,
            struct tend_err *err)
{
    static const struct {
        const char *name;
        unsigned bit;
        size_t offset;
    } refs[] = {
        {"organisation_id", TF_ORGANISATION, offsetof(struct ticket_input, organisation_id)},
        {"assignee_id", TF_ASSIGNEE, offsetof(struct ticket_input, assignee_id)},
        {"group_id", TF_GROUP, offsetof(struct ticket_input, group_id)},
        {"category_id", TF_CATEGORY, offsetof(struct ticket_input, category_id)},
        {"fault_code_id", TF_FAULT_CODE, offsetof(struct ticket_input, fault_code_id)},
        {"asset_id", TF_ASSET, offsetof(struct ticket_input, asset_id)},
    };

    for (size_t i = 0; i < sizeof(refs) / sizeof(refs[0]); i++)
        if (strcmp(key, refs[i].name) == 0) {
            in->fields |= refs[i].bit;
            return take_reference(v, key, (int64_t *)((char *)in + refs[i].offset), err);
        }
    if (strcmp(key, "subject") == 0 && mode != FOR_TRANSITION)
        return take_subject(v, in, err);
    if (strcmp(key, "description") == 0 && mode != FOR_TRANSITION)
        return take_description(v, in, err);
    if (strcmp(key, "priority") == 0) {
        in->fields |= TF_PRIORITY;
        return take_enum(v, "priority", ticket_priorities, in->priority, sizeof(in->priority), err);
    }
    if (strcmp(key, "customer_ref") == 0 && mode != FOR_TRANSITION)
        return take_customer_ref(v, in, err);
    if (strcmp(key, "tags") == 0 && mode != FOR_TRANSITION)
        return take_tags(v, in, err);
    if (strcmp(key, "watchers") == 0 && mode != FOR_TRANSITION)
        return take_watchers(v, in, err);
    if (strcmp(key, "required_skills") == 0 && mode != FOR_TRANSITION) {
        in->fields |= TF_REQUIRED_SKILLS;
        return take_names(v, "required_skills", &in->required_skills, err);
    }
    if (strcmp(key, "custom") == 0) {
        if (!json_is_object(v))
            return tend_fail(err, TEND_EINVAL, "custom", "must be an object of custom field values");
        in->custom = json_deep_copy(v);
        in->fields |= TF_CUSTOM;
        return TEND_OK;
    }
    if (strcmp(key, "resolution_code") == 0) {
        in->fields |= TF_RESOLUTION_CODE;
        return take_optional_text(v, key, TICKET_RESOLUTION_CODE_MAX_CHARS, 0, &in->resolution_code, err);
    }
    if (strcmp(key, "resolution") == 0) {
        in->fields |= TF_RESOLUTION;
        return take_optional_text(v, key, 0, TICKET_DESCRIPTION_MAX_BYTES, &in->resolution, err);
    }
    if (mode == FOR_CREATE && strcmp(key, "type") == 0) {
        if (want_string(v, "type", err))
            return TEND_EINVAL;
        if (!wf_key_valid(json_string_value(v)))
            return tend_fail(err, TEND_EINVAL, "type", "is not a ticket type");
        strlcopy(in->type, json_string_value(v), sizeof(in->type));
        in->fields |= TF_TYPE;
        return TEND_OK;
    }
    if (mode == FOR_CREATE && strcmp(key, "channel") == 0) {
        in->fields |= TF_CHANNEL;
        return take_enum(v, "channel", ticket_channels, in->channel, sizeof(in->channel), err);
    }
    if (mode != FOR_CREATE && strcmp(key, mode == FOR_UPDATE ? "status" : "to") == 0) {
        if (want_string(v, key, err))
            return TEND_EINVAL;
        if (!wf_key_valid(json_string_value(v)))
            return tend_fail(err, TEND_EINVAL, key, "is not a status");
        strlcopy(in->status, json_string_value(v), sizeof(in->status));
        in->fields |= TF_STATUS;
        return TEND_OK;
    }
    if (mode != FOR_CREATE && strcmp(key, "version") == 0) {
        if (!json_is_integer(v) || json_integer_value(v) < 1)
            return tend_fail(err, TEND_EINVAL, "version", "must be an integer of at least 1");
        in->version = json_integer_value(v);
        in->fields |= TF_VERSION;
        return TEND_OK;
    }
    return tend_fail(err, TEND_EINVAL, key, "is not a known field");
}

static enum tend_rc
take_fields(const json_t *body, struct ticket_input *in, enum fields_mode mode, struct tend_err *err)
{
    const char *key;
    json_t *v;
    enum tend_rc rc = TEND_OK;

    memset(in, 0, sizeof(*in));
    if (!json_is_object(body))
        return tend_fail(err, TEND_EINVAL, "", "the request body must be a JSON object");
    json_object_foreach((json_t *)body, key, v) {
        rc = take_member(key, v, in, mode, err);
        if (rc)
            break;
    }
    if (rc)
        ticket_input_cleanup(in);
    return rc;
}

enum tend_rc
ticket_input_for_create(const json_t *body, struct ticket_input *in, struct tend_err *err)
{
    enum tend_rc rc = take_fields(body, in, FOR_CREATE, err);

    if (rc)
        return rc;
    if (!(in->fields & TF_SUBJECT)) {
        ticket_input_cleanup(in);
        return tend_fail(err, TEND_EINVAL, "subject", "is required");
    }
    if (!(in->fields & TF_PRIORITY))
        strlcopy(in->priority, "normal", sizeof(in->priority));
    if (!in->description)
        in->description = xstrdup("");
    return TEND_OK;
}

enum tend_rc
ticket_input_for_update(const json_t *body, struct ticket_input *in, struct tend_err *err)
{
    enum tend_rc rc = take_fields(body, in, FOR_UPDATE, err);

    if (rc)
        return rc;
    if (!(in->fields & ~(unsigned)TF_VERSION)) {
        ticket_input_cleanup(in);
        return tend_fail(err, TEND_EINVAL, "", "nothing to change: send at least one field");
    }
    return TEND_OK;
}

enum tend_rc
ticket_input_for_transition(const json_t *body, struct ticket_input *in, struct tend_err *err)
{
    enum tend_rc rc = take_fields(body, in, FOR_TRANSITION, err);

    if (rc)
        return rc;
    if (!(in->fields & TF_STATUS)) {
        ticket_input_cleanup(in);
        return tend_fail(err, TEND_EINVAL, "to", "is required: the status to move to");
    }
    in->transition = 1;
    return TEND_OK;
}

int
ticket_priority_rank(const char *priority)
{
    for (int i = 0; ticket_priorities[i]; i++)
        if (strcmp(priority, ticket_priorities[i]) == 0)
            return i;
    return 1;
}

int64_t
ticket_parse_etag(const char *s)
{
    int64_t v;
    size_t len;

    if (strncmp(s, "W/", 2) == 0)
        s += 2;
    len = strlen(s);
    if (len >= 2 && s[0] == '"' && s[len - 1] == '"') {
        s++;
        len -= 2;
    }
    if (len > 0 && s[0] == 'v') {
        s++;
        len--;
    }
    if (parse_int64(s, len, 1, INT64_MAX, &v) != 0)
        return -1;
    return v;
}

static void
note_change(json_t *changes, const char *field, const char *from, const char *to)
{
    json_object_set_new(changes, field,
                        json_pack("{s:o,s:o}", "from", from ? json_string(from) : json_null(), "to",
                                  to ? json_string(to) : json_null()));
}

static int
same(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

static int
replace_str(char **slot, const char *value, const char *field, json_t *changes)
{
    if (same(*slot, value))
        return 0;
    note_change(changes, field, *slot, value);
    free(*slot);
    *slot = value ? xstrdup(value) : NULL;
    return 1;
}

static int
replace_ref(int64_t *slot, int64_t value, const char *field, json_t *changes)
{
    if (*slot == value)
        return 0;
    json_object_set_new(changes, field,
                        json_pack("{s:o,s:o}", "from", *slot ? json_integer(*slot) : json_null(), "to",
                                  value ? json_integer(value) : json_null()));
    *slot = value;
    return 1;
}

/* A JSON-text column replaced by `value` (compact), with the change recorded. */
static int
replace_json(char **slot, const json_t *value, const char *field, json_t *changes)
{
    char *text = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);
    json_t *before;

    if (*slot && strcmp(*slot, text) == 0) {
        free(text);
        return 0;
    }
    before = *slot ? json_loads(*slot, JSON_DECODE_ANY, NULL) : NULL;
    json_object_set_new(changes, field,
                        json_pack("{s:o,s:O}", "from", before ? before : json_null(), "to", value));
    free(*slot);
    *slot = text;
    return 1;
}

int
ticket_apply_update(struct ticket *t, const struct ticket_input *in, json_t *changes)
{
    int n = 0;

    if (in->fields & TF_SUBJECT)
        n += replace_str(&t->subject, in->subject, "subject", changes);
    if (in->fields & TF_DESCRIPTION)
        n += replace_str(&t->description, in->description, "description", changes);
    if (in->fields & TF_CUSTOMER_REF)
        n += replace_str(&t->customer_ref, in->customer_ref, "customer_ref", changes);
    if (in->fields & TF_RESOLUTION_CODE)
        n += replace_str(&t->resolution_code, in->resolution_code, "resolution_code", changes);
    if (in->fields & TF_RESOLUTION)
        n += replace_str(&t->resolution, in->resolution, "resolution", changes);
    if (in->fields & TF_ORGANISATION)
        n += replace_ref(&t->organisation_id, in->organisation_id, "organisation_id", changes);
    if (in->fields & TF_ASSIGNEE)
        n += replace_ref(&t->assignee_id, in->assignee_id, "assignee_id", changes);
    if (in->fields & TF_GROUP)
        n += replace_ref(&t->group_id, in->group_id, "group_id", changes);
    if (in->fields & TF_CATEGORY)
        n += replace_ref(&t->category_id, in->category_id, "category_id", changes);
    if (in->fields & TF_FAULT_CODE)
        n += replace_ref(&t->fault_code_id, in->fault_code_id, "fault_code_id", changes);
    if (in->fields & TF_ASSET)
        n += replace_ref(&t->asset_id, in->asset_id, "asset_id", changes);
    if ((in->fields & TF_PRIORITY) && strcmp(t->priority, in->priority) != 0) {
        note_change(changes, "priority", t->priority, in->priority);
        strlcopy(t->priority, in->priority, sizeof(t->priority));
        n++;
    }
    if (in->fields & TF_TAGS)
        n += replace_json(&t->tags, in->tags, "tags", changes);
    if (in->fields & TF_WATCHERS)
        n += replace_json(&t->watchers, in->watchers, "watchers", changes);
    if (in->fields & TF_CUSTOM)
        n += replace_json(&t->custom, in->custom, "custom", changes);
    if (in->fields & TF_REQUIRED_SKILLS)
        n += replace_json(&t->required_skills, in->required_skills, "required_skills", changes);
    return n;
}

/* Staff roles that see every ticket; everyone else is scoped. */
#define UNSCOPED_ROLES                                                                           \
    (ROLE_ADMIN | ROLE_MANAGER | ROLE_DISPATCHER | ROLE_AGENT | ROLE_WAREHOUSE | ROLE_FINANCE)

struct ticket_scope
ticket_scope_for(const struct api_actor *actor)
{
    struct ticket_scope s = {0, 0};

    if (actor->roles & UNSCOPED_ROLES)
        return s;
    if (actor->roles & ROLE_ENGINEER)
        s.assignee_id = actor->user_id;
    else /* a customer; one without an organisation sees nothing */
        s.organisation_id = actor->organisation_id ? actor->organisation_id : -1;
    return s;
}

int
ticket_in_scope(const struct ticket *t, const struct ticket_scope *scope)
{
    if (!scope)
        return 1;
    if (scope->organisation_id && t->organisation_id != scope->organisation_id)
        return 0;
    if (scope->assignee_id && t->assignee_id != scope->assignee_id)
        return 0;
    return 1;
}

/* A JSON text column as it is (the store wrote it compact and valid). */
static void
raw_json(struct jbuf *b, const char *text, const char *fallback)
{
    jbuf_lit(b, text && *text ? text : fallback);
}

void
ticket_write_json(struct jbuf *b, const struct ticket *t, int customer)
{
    jbuf_lit(b, "{\"id\":");
    jbuf_int(b, t->id);
    jbuf_lit(b, ",\"number\":");
    jbuf_cstr(b, t->number);
    jbuf_lit(b, ",\"type\":");
    jbuf_cstr(b, t->type);
    jbuf_lit(b, ",\"subject\":");
    jbuf_cstr(b, t->subject);
    jbuf_lit(b, ",\"description\":");
    jbuf_cstr(b, t->description);
    jbuf_lit(b, ",\"status\":");
    jbuf_cstr(b, t->status);
    jbuf_lit(b, ",\"status_category\":");
    jbuf_cstr(b, t->status_category);
    jbuf_lit(b, ",\"priority\":");
    jbuf_cstr(b, t->priority);
    jbuf_lit(b, ",\"channel\":");
    jbuf_cstr(b, t->channel);
    jbuf_lit(b, ",\"category_id\":");
    jbuf_ref(b, t->category_id);
    jbuf_lit(b, ",\"fault_code_id\":");
    jbuf_ref(b, t->fault_code_id);
    jbuf_lit(b, ",\"tags\":");
    raw_json(b, t->tags, "[]");
    jbuf_lit(b, ",\"required_skills\":");
    raw_json(b, t->required_skills, "[]");
    jbuf_lit(b, ",\"watchers\":");
    raw_json(b, customer ? NULL : t->watchers, "[]");
    jbuf_lit(b, ",\"organisation_id\":");
    jbuf_ref(b, t->organisation_id);
    jbuf_lit(b, ",\"assignee_id\":");
    jbuf_ref(b, t->assignee_id);
    jbuf_lit(b, ",\"group_id\":");
    jbuf_ref(b, t->group_id);
    jbuf_lit(b, ",\"customer_ref\":");
    jbuf_cstr(b, t->customer_ref);
    jbuf_lit(b, ",\"custom\":");
    raw_json(b, t->custom, "{}");
    jbuf_lit(b, ",\"resolution_code\":");
    jbuf_cstr(b, t->resolution_code);
    jbuf_lit(b, ",\"resolution\":");
    jbuf_cstr(b, t->resolution);
    jbuf_lit(b, ",\"merged_into_id\":");
    jbuf_ref(b, t->merged_into_id);
    jbuf_lit(b, ",\"asset_id\":");
    jbuf_ref(b, t->asset_id);
    jbuf_lit(b, ",\"version\":");
    jbuf_int(b, t->version);
    jbuf_lit(b, ",\"created_at\":");
    jbuf_time(b, t->created_at);
    jbuf_lit(b, ",\"updated_at\":");
    jbuf_time(b, t->updated_at);
    jbuf_lit(b, ",\"sla\":");
    if (customer) /* targets are the organisation's own business */
        jbuf_lit(b, "null");
    else
        sla_summary_write(b, t->sla_policy_id, t->sla_due_at, t->sla_warn_at, t->sla_flags, time_now_ms());
    jbuf_raw(b, "}", 1);
}

void
comment_input_cleanup(struct comment_input *in)
{
    free(in->body);
    memset(in, 0, sizeof(*in));
}

enum tend_rc
comment_input_parse(const json_t *body, struct comment_input *in, struct tend_err *err)
{
    const char *key;
    json_t *v;

    memset(in, 0, sizeof(*in));
    if (!json_is_object(body))
        return tend_fail(err, TEND_EINVAL, "", "the request body must be a JSON object");
    json_object_foreach((json_t *)body, key, v) {
        if (strcmp(key, "body") == 0) {
            size_t len = json_string_length(v), start = 0;
            const char *s = json_string_value(v);
            if (!json_is_string(v))
                return tend_fail(err, TEND_EINVAL, "body", "must be a string");
            while (start < len && isspace((unsigned char)s[start]))
                start++;
            if (start == len)
                return tend_fail(err, TEND_EINVAL, "body", "must not be empty");
            if (len > COMMENT_BODY_MAX_BYTES)
                return tend_fail(err, TEND_EINVAL, "body", "must be at most %d bytes",
                                 COMMENT_BODY_MAX_BYTES);
            free(in->body);
            in->body = xstrdup(s);
        } else if (strcmp(key, "internal") == 0) {
            if (!json_is_boolean(v)) {
                comment_input_cleanup(in);
                return tend_fail(err, TEND_EINVAL, "internal", "must be true or false");
            }
            in->internal = json_is_true(v);
        } else if (strcmp(key, "attachment_ids") == 0) {
            size_t i;
            json_t *a;
            if (!json_is_array(v) || json_array_size(v) > COMMENT_MAX_ATTACHMENTS) {
                comment_input_cleanup(in);
                return tend_fail(err, TEND_EINVAL, "attachment_ids", "must be a list of at most %d ids",
                                 COMMENT_MAX_ATTACHMENTS);
            }
            json_array_foreach(v, i, a) {
                if (!json_is_integer(a) || json_integer_value(a) < 1) {
                    comment_input_cleanup(in);
                    return tend_fail(err, TEND_EINVAL, "attachment_ids", "item %zu must be an id", i);
                }
                in->attachment_ids[in->nattachments++] = json_integer_value(a);
            }
        } else {
            comment_input_cleanup(in);
            return tend_fail(err, TEND_EINVAL, key, "is not a known field");
        }
    }
    if (!in->body)
        return tend_fail(err, TEND_EINVAL, "body", "is required");
    return TEND_OK;
}
