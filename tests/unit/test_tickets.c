/* test_tickets.c: ticket input validation, updates and their change sets, cursors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "modules/tickets/tickets.h"

static json_t *
parse(const char *text)
{
    json_t *v = json_loads(text, 0, NULL);
    assert_non_null(v);
    return v;
}

static enum tend_rc
create_from(const char *text, struct ticket_input *in, struct tend_err *err)
{
    json_t *body = parse(text);
    enum tend_rc rc = ticket_input_for_create(body, in, err);
    json_decref(body);
    return rc;
}

static void
test_create_applies_defaults_and_trims_subject(void **state)
{
    struct ticket_input in;
    struct tend_err err;
    (void)state;

    assert_int_equal(create_from("{\"subject\":\"  Printer jams  \"}", &in, &err), TEND_OK);
    assert_string_equal(in.subject, "Printer jams");
    assert_string_equal(in.priority, "normal");
    assert_string_equal(in.description, "");
    assert_null(in.customer_ref);
    ticket_input_cleanup(&in);
}

static void
test_create_requires_a_subject(void **state)
{
    struct ticket_input in;
    struct tend_err err;
    (void)state;

    assert_int_equal(create_from("{\"description\":\"x\"}", &in, &err), TEND_EINVAL);
    assert_string_equal(err.field, "subject");
    assert_int_equal(create_from("{\"subject\":\"   \"}", &in, &err), TEND_EINVAL);
    assert_string_equal(err.field, "subject");
    assert_int_equal(create_from("{\"subject\":42}", &in, &err), TEND_EINVAL);
    assert_string_equal(err.message, "must be a string");
}

static void
test_create_rejects_unknown_fields_and_bad_enums(void **state)
{
    struct ticket_input in;
    struct tend_err err;
    (void)state;

    assert_int_equal(create_from("{\"subject\":\"a\",\"colour\":\"red\"}", &in, &err), TEND_EINVAL);
    assert_string_equal(err.field, "colour");
    assert_int_equal(create_from("{\"subject\":\"a\",\"priority\":\"asap\"}", &in, &err),
                     TEND_EINVAL);
    assert_string_equal(err.field, "priority");
    /* status is not settable at creation */
    assert_int_equal(create_from("{\"subject\":\"a\",\"status\":\"closed\"}", &in, &err),
                     TEND_EINVAL);
    assert_string_equal(err.field, "status");
}

static void
test_subject_length_counts_characters_not_bytes(void **state)
{
    struct ticket_input in;
    struct tend_err err;
    char body[2048];
    char subject[1024] = "";
    (void)state;

    for (int i = 0; i < 200; i++)
        strcat(subject, "空"); /* 200 characters, 600 bytes */
    snprintf(body, sizeof(body), "{\"subject\":\"%s\"}", subject);
    assert_int_equal(create_from(body, &in, &err), TEND_OK);
    ticket_input_cleanup(&in);
    strcat(subject, "调");
    snprintf(body, sizeof(body), "{\"subject\":\"%s\"}", subject);
    assert_int_equal(create_from(body, &in, &err), TEND_EINVAL);
    assert_string_equal(err.field, "subject");
}

static void
test_update_needs_something_to_change(void **state)
{
    struct ticket_input in;
    struct tend_err err;
    json_t *body = parse("{\"version\":3}");
    (void)state;

    assert_int_equal(ticket_input_for_update(body, &in, &err), TEND_EINVAL);
    json_decref(body);
    body = parse("{\"version\":0,\"status\":\"open\"}");
    assert_int_equal(ticket_input_for_update(body, &in, &err), TEND_EINVAL);
    assert_string_equal(err.field, "version");
    json_decref(body);
    body = parse("{\"version\":2,\"status\":\"open\",\"customer_ref\":null}");
    assert_int_equal(ticket_input_for_update(body, &in, &err), TEND_OK);
    assert_int_equal(in.version, 2);
    assert_true(in.fields & TF_CUSTOMER_REF);
    assert_null(in.customer_ref);
    ticket_input_cleanup(&in);
    json_decref(body);
}

static void
test_apply_update_records_only_real_changes(void **state)
{
    struct ticket t = {0};
    struct ticket_input in;
    struct tend_err err;
    json_t *body = parse("{\"version\":1,\"status\":\"in_progress\",\"priority\":\"high\","
                         "\"customer_ref\":\"ACME\",\"tags\":[\" Jam \",\"jam\",\"Tray-2\"]}");
    json_t *changes = json_object();
    (void)state;

    t.subject = strdup("s");
    t.description = strdup("");
    t.tags = strdup("[]");
    strcpy(t.status, "new");
    strcpy(t.priority, "normal");
    assert_int_equal(ticket_input_for_update(body, &in, &err), TEND_OK);
    assert_int_equal(ticket_apply_update(&t, &in, changes), 3);
    assert_string_equal(t.status, "new"); /* the workflow moves the status, not this */
    assert_string_equal(t.priority, "high");
    assert_string_equal(t.customer_ref, "ACME");
    assert_string_equal(t.tags, "[\"jam\",\"tray-2\"]");
    assert_string_equal(json_string_value(json_object_get(json_object_get(changes, "priority"), "from")),
                        "normal");
    assert_null(json_object_get(changes, "status"));
    assert_true(json_is_null(json_object_get(json_object_get(changes, "customer_ref"), "from")));
    ticket_input_cleanup(&in);
    ticket_cleanup(&t);
    json_decref(changes);
    json_decref(body);
}

static enum tend_rc
filter_from(const char *const *names, const char *const *values, int n, struct ticket_filter *f,
            struct tend_err *err)
{
    static char copies[8][600];
    const char *v[8];
    for (int i = 0; i < n; i++) {
        strcpy(copies[i], values[i]);
        v[i] = copies[i];
    }
    return ticket_filter_parse(names, v, n, NULL, 0, 42, 1, f, err);
}

static void
test_filter_parses_lists_ids_and_rejects_unknowns(void **state)
{
    struct ticket_filter f;
    struct tend_err err;
    const char *names[] = {"status_category", "priority", "assignee_id", "group_id", "tag"};
    const char *values[] = {"open,pending", "high", "me", "none", "jam"};
    const char *bad[] = {"stauts"};
    const char *badv[] = {"open"};
    const char *cat[] = {"status_category"};
    const char *catv[] = {"opne"};
    (void)state;

    assert_int_equal(filter_from(names, values, 5, &f, &err), TEND_OK);
    assert_int_equal(f.ncategories, 2);
    assert_string_equal(f.categories[1], "pending");
    assert_int_equal(f.assignee_id, 42);
    assert_int_equal(f.group_id, -1);
    assert_string_equal(f.tag, "jam");
    assert_int_equal(filter_from(bad, badv, 1, &f, &err), TEND_ESYNTAX);
    assert_string_equal(err.field, "stauts");
    assert_int_equal(filter_from(cat, catv, 1, &f, &err), TEND_ESYNTAX);
    assert_string_equal(err.field, "status_category");
}

static void
test_cursor_round_trips_and_rejects_forgeries(void **state)
{
    struct ticket_filter f, g;
    struct ticket last = {0};
    struct tend_err err;
    char cursor[600];
    const char *names[] = {"sort", "cursor"};
    const char *values[2];
    (void)state;

    last.id = 12345;
    last.updated_at = 1700000000000LL;
    strcpy(last.priority, "high");
    values[0] = "-updated_at";
    values[1] = "x";
    assert_int_equal(filter_from(names, values, 1, &f, &err), TEND_OK);
    ticket_filter_cursor(&f, &last, cursor, sizeof(cursor));
    values[1] = cursor;
    assert_int_equal(filter_from(names, values, 2, &g, &err), TEND_OK);
    assert_int_equal(g.after_id, 12345);
    assert_int_equal(g.after_int, 1700000000000LL);
    /* the same cursor under another sort is refused */
    values[0] = "priority";
    assert_int_equal(filter_from(names, values, 2, &g, &err), TEND_ESYNTAX);
    assert_string_equal(err.field, "cursor");
    values[0] = "id";
    values[1] = "zzz";
    assert_int_equal(filter_from(names, values, 2, &g, &err), TEND_ESYNTAX);
}

static void
test_etag_forms_parse_to_a_version(void **state)
{
    (void)state;
    assert_int_equal(ticket_parse_etag("\"v3\""), 3);
    assert_int_equal(ticket_parse_etag("W/\"v12\""), 12);
    assert_int_equal(ticket_parse_etag("7"), 7);
    assert_int_equal(ticket_parse_etag("\"vx\""), -1);
    assert_int_equal(ticket_parse_etag(""), -1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_applies_defaults_and_trims_subject),
        cmocka_unit_test(test_create_requires_a_subject),
        cmocka_unit_test(test_create_rejects_unknown_fields_and_bad_enums),
        cmocka_unit_test(test_subject_length_counts_characters_not_bytes),
        cmocka_unit_test(test_update_needs_something_to_change),
        cmocka_unit_test(test_apply_update_records_only_real_changes),
        cmocka_unit_test(test_filter_parses_lists_ids_and_rejects_unknowns),
        cmocka_unit_test(test_cursor_round_trips_and_rejects_forgeries),
        cmocka_unit_test(test_etag_forms_parse_to_a_version),
    };
    return cmocka_run_group_tests_name("tickets", tests, NULL, NULL);
}
