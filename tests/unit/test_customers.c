/* test_customers.c: the pure parts of customers and assets: the entitlement
 * decision, record validation, spreadsheet cells, CSV reading and writing,
 * and XLSX containers that are not. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "modules/assets/assets.h"
#include "modules/customers/customers.h"
#include "platform/util/jbuf.h"

/* A contract for the entitlement tests: active, 2026, covering what is asked. */
static struct ent_contract
contract(int64_t id, const char *starts, const char *ends, int parts, int labour, int travel, int64_t sla)
{
    struct ent_contract c = {id, "SC", "active", starts, ends, 0, parts, labour, travel, sla};
    return c;
}

static void
test_warranty_alone_covers_parts_and_labour_within_its_dates(void **state)
{
    struct ent_decision d;
    (void)state;
    entitlement_decide("2026-06-01", "2025-03-01", "2027-02-28", NULL, 0, &d);
    assert_true(d.under_warranty);
    assert_int_equal(d.contract, -1);
    assert_true(d.parts && d.labour);
    assert_false(d.travel);
    assert_string_equal(d.basis, "warranty");
    entitlement_decide("2027-03-01", "2025-03-01", "2027-02-28", NULL, 0, &d);
    assert_false(d.under_warranty);
    assert_string_equal(d.basis, "none");
    entitlement_decide("2025-02-28", "2025-03-01", "2027-02-28", NULL, 0, &d);
    assert_false(d.under_warranty);
    entitlement_decide("2027-02-28", NULL, "2027-02-28", NULL, 0, &d);
    assert_true(d.under_warranty); /* the last day counts */
    entitlement_decide("2026-01-01", "2025-01-01", NULL, NULL, 0, &d);
    assert_false(d.under_warranty); /* no end: no warranty */
}

static void
test_the_contract_covering_most_applies_and_brings_its_sla(void **state)
{
    struct ent_contract cs[3];
    struct ent_decision d;
    (void)state;
    cs[0] = contract(1, "2026-01-01", "2026-12-31", 1, 0, 0, 3);
    cs[1] = contract(2, "2026-01-01", "2026-12-31", 1, 1, 1, 7);
    cs[2] = contract(3, "2027-01-01", "2027-12-31", 1, 1, 1, 9);
    entitlement_decide("2026-06-01", NULL, NULL, cs, 3, &d);
    assert_int_equal(d.contract, 1);
    assert_int_equal(d.sla_policy_id, 7);
    assert_true(d.parts && d.labour && d.travel);
    assert_string_equal(d.basis, "contract");
    entitlement_decide("2027-06-01", NULL, NULL, cs, 3, &d);
    assert_int_equal(d.contract, 2);
    entitlement_decide("2028-01-01", NULL, NULL, cs, 3, &d);
    assert_int_equal(d.contract, -1);
    assert_int_equal(d.sla_policy_id, 0);
}

static void
test_cancelled_and_draft_contracts_never_cover(void **state)
{
    struct ent_contract cs[2];
    struct ent_decision d;
    (void)state;
    cs[0] = contract(1, "2026-01-01", "2026-12-31", 1, 1, 1, 1);
    cs[0].status = "cancelled";
    cs[1] = contract(2, "2026-01-01", "2026-12-31", 1, 1, 1, 1);
    cs[1].status = "draft";
    entitlement_decide("2026-06-01", NULL, NULL, cs, 2, &d);
    assert_int_equal(d.contract, -1);
}

static void
test_auto_renewing_contract_applies_after_its_end_but_loses_ties(void **state)
{
    struct ent_contract cs[2];
    struct ent_decision d;
    (void)state;
    cs[0] = contract(1, "2025-01-01", "2025-12-31", 1, 1, 0, 1);
    cs[0].auto_renew = 1;
    entitlement_decide("2026-06-01", NULL, NULL, cs, 1, &d);
    assert_int_equal(d.contract, 0);
    assert_true(d.renewed);
    cs[1] = contract(2, "2026-01-01", "2026-12-31", 1, 1, 0, 2);
    entitlement_decide("2026-06-01", NULL, NULL, cs, 2, &d);
    assert_int_equal(d.contract, 1); /* within its term beats renewed */
    assert_false(d.renewed);
}

static void
test_warranty_and_contract_add_up(void **state)
{
    struct ent_contract c = contract(4, "2026-01-01", "2026-12-31", 0, 0, 1, 5);
    struct ent_decision d;
    json_t *j;
    (void)state;
    entitlement_decide("2026-06-01", "2026-01-01", "2026-12-31", &c, 1, &d);
    assert_true(d.parts && d.labour && d.travel);
    assert_string_equal(d.basis, "warranty+contract");
    j = entitlement_json("2026-06-01", "2026-01-01", "2026-12-31", &c, &d);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "contract"), "id")), 4);
    assert_int_equal(json_integer_value(json_object_get(j, "sla_policy_id")), 5);
    assert_true(json_is_true(json_object_get(json_object_get(j, "covered"), "travel")));
    json_decref(j);
}

static void
test_dates_must_exist(void **state)
{
    (void)state;
    assert_true(rec_date_valid("2024-02-29"));
    assert_false(rec_date_valid("2026-02-29"));
    assert_false(rec_date_valid("2026-13-01"));
    assert_false(rec_date_valid("2026-1-01"));
    assert_false(rec_date_valid("26-01-01xx"));
}

static void
test_records_validate_types_limits_and_unknown_fields(void **state)
{
    struct tend_err err;
    json_t *out = NULL, *body;
    (void)state;
    body = json_pack("{s:s,s:s}", "name", "ACME", "tier", "vip");
    assert_int_equal(rec_validate(&organisation_kind, body, 1, NULL, &out, &err), TEND_OK);
    assert_string_equal(json_string_value(json_object_get(out, "notes")), "");
    assert_true(json_is_object(json_object_get(out, "custom")));
    json_decref(out);
    json_decref(body);

    body = json_pack("{s:s,s:s}", "name", "ACME", "tier", "diamond");
    assert_int_equal(rec_validate(&organisation_kind, body, 1, NULL, &out, &err), TEND_EINVAL);
    assert_string_equal(err.field, "tier");
    json_decref(body);

    body = json_pack("{s:s}", "tier", "vip");
    assert_int_equal(rec_validate(&organisation_kind, body, 1, NULL, &out, &err), TEND_EINVAL);
    assert_string_equal(err.field, "name");
    assert_int_equal(rec_validate(&organisation_kind, body, 0, NULL, &out, &err), TEND_OK); /* a change */
    json_decref(out);
    json_decref(body);

    body = json_pack("{s:i,s:s,s:s}", "organisation_id", 1, "name", "x", "email", "not-an-address");
    assert_int_equal(rec_validate(&contact_kind, body, 1, NULL, &out, &err), TEND_EINVAL);
    assert_string_equal(err.field, "email");
    json_decref(body);

    body = json_pack("{s:i,s:s,s:f}", "organisation_id", 1, "name", "x", "latitude", 95.0);
    assert_int_equal(rec_validate(&site_kind, body, 1, NULL, &out, &err), TEND_EINVAL);
    assert_string_equal(err.field, "latitude");
    json_decref(body);

    body = json_pack("{s:s,s:s,s:{s:{}}}", "name", "x", "colour", "red", "custom", "a");
    assert_int_equal(rec_validate(&organisation_kind, body, 1, NULL, &out, &err), TEND_EINVAL);
    assert_string_equal(err.field, "colour");
    json_object_del(body, "colour");
    assert_int_equal(rec_validate(&organisation_kind, body, 1, NULL, &out, &err), TEND_EINVAL);
    assert_string_equal(err.field, "custom.a");
    json_decref(body);

    body = json_pack("{s:s,s:i,s:s,s:s,s:[i,i]}", "number", "C1", "organisation_id", 1, "starts_on", "2026-01-01",
                     "ends_on", "2026-12-31", "asset_ids", 3, 3);
    assert_int_equal(rec_validate(&contract_kind, body, 1, NULL, &out, &err), TEND_EINVAL);
    assert_string_equal(err.field, "asset_ids[1]");
    json_decref(body);
}

static void
test_spreadsheet_cells_become_typed_values(void **state)
{
    struct tend_err err;
    json_t *v = NULL;
    (void)state;
    assert_int_equal(rec_value_from_text(rec_field_of(&asset_kind, "model_id"), "12.0", &v, &err), TEND_OK);
    assert_int_equal(json_integer_value(v), 12);
    json_decref(v);
    assert_int_equal(rec_value_from_text(rec_field_of(&asset_kind, "model_id"), "12.5", &v, &err), TEND_EINVAL);
    assert_int_equal(rec_value_from_text(rec_field_of(&asset_kind, "warranty_end"), "2027/12/31", &v, &err), TEND_OK);
    assert_string_equal(json_string_value(v), "2027-12-31");
    json_decref(v);
    assert_int_equal(rec_value_from_text(rec_field_of(&asset_kind, "warranty_end"), "46387", &v, &err), TEND_OK);
    assert_string_equal(json_string_value(v), "2026-12-31"); /* an Excel serial day */
    json_decref(v);
    assert_int_equal(rec_value_from_text(rec_field_of(&asset_kind, "warranty_end"), "31/12/2027", &v, &err),
                     TEND_EINVAL);
    assert_int_equal(rec_value_from_text(rec_field_of(&contract_kind, "auto_renew"), "yes", &v, &err), TEND_OK);
    assert_true(json_is_true(v));
    json_decref(v);
    assert_int_equal(rec_value_from_text(rec_field_of(&model_kind, "fault_codes"), "E01; E02", &v, &err), TEND_OK);
    assert_int_equal(json_array_size(v), 2);
    assert_string_equal(json_string_value(json_array_get(v, 1)), "E02");
    {
        char *text = rec_value_to_text(rec_field_of(&model_kind, "fault_codes"), v);
        assert_string_equal(text, "E01;E02");
        free(text);
    }
    json_decref(v);
    assert_int_equal(rec_value_from_text(rec_field_of(&asset_kind, "serial"), "", &v, &err), TEND_OK);
    assert_true(json_is_null(v));
    json_decref(v);
}

static void
test_phone_numbers_compare_by_digits(void **state)
{
    char a[32], b[32];
    (void)state;
    rec_phone_norm("+86 21 5555-0101", a, sizeof(a));
    rec_phone_norm("(86) 21.5555.0101", b, sizeof(b));
    assert_string_equal(a, "862155550101");
    assert_string_equal(a, b);
}

static void
test_csv_reads_quotes_line_breaks_bom_and_blank_lines(void **state)
{
    const char *text = "\xEF\xBB\xBFname,notes\r\n\"ACME, Inc.\",\"said \"\"hi\"\"\nline 2\"\r\n\r\n上海,\n";
    struct sheet s;
    struct tend_err err;
    (void)state;
    assert_int_equal(csv_parse(text, strlen(text), 100, &s, &err), TEND_OK);
    assert_int_equal(s.nrows, 3);
    assert_string_equal(s.rows[0][0], "name");
    assert_string_equal(s.rows[1][0], "ACME, Inc.");
    assert_string_equal(s.rows[1][1], "said \"hi\"\nline 2");
    assert_string_equal(s.rows[2][0], "上海");
    assert_string_equal(s.rows[2][1], "");
    assert_int_equal(s.lineno[2], 5); /* the line where the row starts */
    sheet_free(&s);
}

static void
test_csv_refuses_what_it_cannot_read_with_the_line(void **state)
{
    struct sheet s;
    struct tend_err err;
    (void)state;
    assert_int_equal(csv_parse("a\n\"open\n", 8, 100, &s, &err), TEND_EINVAL);
    assert_string_equal(err.field, "line 2");
    assert_int_equal(csv_parse("a\nb\"c\n", 6, 100, &s, &err), TEND_EINVAL);
    assert_int_equal(csv_parse("a\n\xff\n", 4, 100, &s, &err), TEND_EINVAL);
    assert_int_equal(csv_parse("a\nb\nc\n", 6, 2, &s, &err), TEND_ETOOLARGE);
}

static void
test_csv_writes_what_it_reads_and_neutralises_formulas(void **state)
{
    struct jbuf b;
    struct sheet s;
    struct tend_err err;
    (void)state;
    jbuf_init(&b, 64);
    csv_put(&b, "a,b", 0);
    csv_put(&b, "=1+1", 0);
    csv_put(&b, "+86 21 5555", 0);
    csv_put(&b, "q\"uote", 1);
    assert_int_equal(csv_parse(b.data, b.len, 10, &s, &err), TEND_OK);
    assert_string_equal(s.rows[0][0], "a,b");
    assert_string_equal(s.rows[0][1], "'=1+1");
    assert_string_equal(s.rows[0][2], "+86 21 5555");
    assert_string_equal(s.rows[0][3], "q\"uote");
    sheet_free(&s);
    jbuf_cleanup(&b);
}

static void
test_xlsx_refuses_what_is_not_a_workbook(void **state)
{
    struct sheet s;
    struct tend_err err;
    static const char not_zip[] = "name\nx\n";
    static const char empty_zip[] = "PK\x05\x06\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0";
    (void)state;
    assert_int_equal(xlsx_parse(not_zip, sizeof(not_zip) - 1, 10, &s, &err), TEND_EINVAL);
    assert_int_equal(xlsx_parse(empty_zip, sizeof(empty_zip) - 1, 10, &s, &err), TEND_EINVAL);
    assert_int_equal(xlsx_parse("", 0, 10, &s, &err), TEND_EINVAL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_warranty_alone_covers_parts_and_labour_within_its_dates),
        cmocka_unit_test(test_the_contract_covering_most_applies_and_brings_its_sla),
        cmocka_unit_test(test_cancelled_and_draft_contracts_never_cover),
        cmocka_unit_test(test_auto_renewing_contract_applies_after_its_end_but_loses_ties),
        cmocka_unit_test(test_warranty_and_contract_add_up),
        cmocka_unit_test(test_dates_must_exist),
        cmocka_unit_test(test_records_validate_types_limits_and_unknown_fields),
        cmocka_unit_test(test_spreadsheet_cells_become_typed_values),
        cmocka_unit_test(test_phone_numbers_compare_by_digits),
        cmocka_unit_test(test_csv_reads_quotes_line_breaks_bom_and_blank_lines),
        cmocka_unit_test(test_csv_refuses_what_it_cannot_read_with_the_line),
        cmocka_unit_test(test_csv_writes_what_it_reads_and_neutralises_formulas),
        cmocka_unit_test(test_xlsx_refuses_what_is_not_a_workbook),
    };
    return cmocka_run_group_tests_name("customers", tests, NULL, NULL);
}
