/* test_notify.c: the pure parts of notifications: RFC 2047 headers and the
 * multipart message, templates, back-off, webhook signatures, mentions,
 * webhook patterns, sender parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "modules/notifications/notifications.h"
#include "platform/notify/mime.h"
#include "platform/notify/outbox.h"
#include "platform/notify/template.h"
#include "platform/notify/webhook.h"

/* Decode the base64 of every encoded word in `h` back into one string. */
static void
decode_words(const char *h, char *out, size_t outlen)
{
    static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t n = 0;
    const char *p = h;

    while ((p = strstr(p, "=?UTF-8?B?")) != NULL) {
        unsigned acc = 0;
        int bits = 0;
        for (p += 10; *p && *p != '?'; p++) {
            const char *d = strchr(digits, *p);
            if (*p == '=' || !d)
                continue;
            acc = (acc << 6) | (unsigned)(d - digits);
            bits += 6;
            if (bits >= 8) {
                bits -= 8;
                if (n + 1 < outlen)
                    out[n++] = (char)((acc >> bits) & 0xff);
            }
        }
    }
    out[n] = '\0';
}

static void
test_ascii_headers_stay_as_they_are(void **state)
{
    char *h = mime_encode_header("[SR-1] assigned to you");
    (void)state;
    assert_string_equal(h, "[SR-1] assigned to you");
    free(h);
}

static void
test_chinese_subject_becomes_encoded_words_of_at_most_75_without_split_characters(void **state)
{
    const char *s = "[SR-2026-000042] 已指派给您：空调不制冷，压缩机不启动，客户要求今天上门";
    char *h = mime_encode_header(s), back[256];
    const char *p = h;
    (void)state;
    assert_non_null(strstr(h, "=?UTF-8?B?"));
    while (*p) { /* every word short, folded with CRLF SP */
        const char *end = strstr(p, "\r\n ");
        size_t len = end ? (size_t)(end - p) : strlen(p);
        assert_true(len <= 75);
        assert_memory_equal(p, "=?UTF-8?B?", 10);
        p += len + (end ? 3 : 0);
    }
    decode_words(h, back, sizeof(back));
    assert_string_equal(back, s); /* whole characters in each word: the join is exact */
    free(h);
}

static void
test_addresses_encode_or_quote_the_name(void **state)
{
    char *a = mime_address("王伟", "wang@example.test"), *b = mime_address("Li \"Na\"", "li@example.test");
    char *c = mime_address(NULL, "x@example.test");
    (void)state;
    assert_string_equal(a, "=?UTF-8?B?546L5Lyf?= <wang@example.test>");
    assert_string_equal(b, "\"Li \\\"Na\\\"\" <li@example.test>");
    assert_string_equal(c, "<x@example.test>");
    free(a);
    free(b);
    free(c);
}

static void
test_message_is_multipart_with_threading_headers(void **state)
{
    struct mail_message m = {
        .from_name = "Tend", .from_addr = "service@tend.test", .to_name = "王伟", .to_addr = "wang@example.test",
        .subject = "新工单", .text = "你好\n", .html = "<p>你好</p>", .message_id = "<tend.ticket-7.e1.u2@tend.test>",
        .in_reply_to = "<tend.ticket-7@tend.test>", .references = "<tend.ticket-7@tend.test>",
        .date_ms = 1795507200000LL, .boundary = "=_b1"};
    char *msg = mime_build(&m);
    (void)state;
    assert_non_null(strstr(msg, "Date: Tue, 24 Nov 2026 08:00:00 +0000\r\n"));
    assert_non_null(strstr(msg, "Subject: =?UTF-8?B?5paw5bel5Y2V?=\r\n"));
    assert_non_null(strstr(msg, "Message-ID: <tend.ticket-7.e1.u2@tend.test>\r\n"));
    assert_non_null(strstr(msg, "In-Reply-To: <tend.ticket-7@tend.test>\r\n"));
    assert_non_null(strstr(msg, "References: <tend.ticket-7@tend.test>\r\n"));
    assert_non_null(strstr(msg, "Auto-Submitted: auto-generated\r\n"));
    assert_non_null(strstr(msg, "Content-Type: multipart/alternative; boundary=\"=_b1\"\r\n"));
    assert_non_null(strstr(msg, "--=_b1\r\nContent-Type: text/plain; charset=UTF-8\r\n"
                                "Content-Transfer-Encoding: base64\r\n\r\n5L2g5aW9Cg==\r\n"));
    assert_non_null(strstr(msg, "--=_b1\r\nContent-Type: text/html; charset=UTF-8\r\n"));
    assert_non_null(strstr(msg, "\r\n--=_b1--\r\n"));
    for (const char *p = msg; *p; p++) /* bare LF never appears */
        assert_true(*p != '\n' || (p > msg && p[-1] == '\r'));
    free(msg);
}

static void
test_base64_wraps_long_bodies_at_76(void **state)
{
    unsigned char data[200];
    char *b;
    (void)state;
    memset(data, 'a', sizeof(data));
    b = mime_base64(data, sizeof(data), 76);
    assert_int_equal(strcspn(b, "\r"), 76);
    free(b);
    b = mime_base64((const unsigned char *)"ab", 2, 0);
    assert_string_equal(b, "YWI=");
    free(b);
}

static void
test_template_fills_escapes_html_and_leaves_unknown_empty(void **state)
{
    json_t *v = json_pack("{s:s,s:s,s:i}", "ticket.subject", "<b>A&B</b>", "actor", "李娜", "n", 3);
    char *t = template_render("{{ actor }} wrote on {{ticket.subject}} ({{n}}){{missing}}", v, 0);
    char *h = template_render("<p>{{ticket.subject}}</p>", v, 1), *u = template_render("a {{ b", v, 0);
    (void)state;
    assert_string_equal(t, "李娜 wrote on <b>A&B</b> (3)");
    assert_string_equal(h, "<p>&lt;b&gt;A&amp;B&lt;/b&gt;</p>");
    assert_string_equal(u, "a {{ b");
    free(t);
    free(h);
    free(u);
    json_decref(v);
}

static void
test_template_check_names_unknown_and_unclosed_placeholders(void **state)
{
    json_t *known = notify_sample_vars();
    char bad[64];
    (void)state;
    assert_int_equal(template_check("[{{ticket.number}}] {{ actor }}", known, bad, sizeof(bad)), 0);
    assert_int_equal(template_check("{{ticket.colour}}", known, bad, sizeof(bad)), -1);
    assert_string_equal(bad, "ticket.colour");
    assert_int_equal(template_check("{{link", known, bad, sizeof(bad)), -1);
    assert_string_equal(bad, "{{");
    json_decref(known);
}

static void
test_backoff_doubles_with_jitter_in_the_upper_half_up_to_the_cap(void **state)
{
    (void)state;
    assert_int_equal(outbox_backoff_ms(1, 1000, 60000, 0), 500);
    assert_int_equal(outbox_backoff_ms(1, 1000, 60000, 500), 1000);
    assert_int_equal(outbox_backoff_ms(3, 1000, 60000, 0), 2000);
    assert_int_equal(outbox_backoff_ms(3, 1000, 60000, 2000), 4000);
    assert_int_equal(outbox_backoff_ms(30, 1000, 60000, 0), 30000);
    for (uint32_t r = 0; r < 100000; r += 997) {
        int64_t d = outbox_backoff_ms(4, 1000, 60000, r);
        assert_true(d >= 4000 && d <= 8000);
    }
}

static void
test_webhook_signature_is_hmac_sha256_of_timestamp_dot_body(void **state)
{
    char sig[128];
    (void)state;
    webhook_signature("Jefe", 1700000000, "what do ya want for nothing?", 28, sig, sizeof(sig));
    assert_string_equal(sig, "t=1700000000,v1=1cdd0650c8be1cb0974b1788d458b1e781206cfef59b85faafc582d2e182c57e");
}

static void
test_mentions_find_usernames_once_and_skip_emails(void **state)
{
    char names[8][64];
    int n = notify_mentions("@li.na 请看一下, cc @wang-wei and @li.na. Mail me at a@b.c or @ alone", names, 8);
    (void)state;
    assert_int_equal(n, 2);
    assert_string_equal(names[0], "li.na");
    assert_string_equal(names[1], "wang-wei");
    assert_int_equal(notify_mentions("(@zhao_lei)", names, 8), 1);
    assert_string_equal(names[0], "zhao_lei");
    assert_int_equal(notify_mentions("@a @b @c", names, 2), 2);
}

static void
test_webhook_patterns_match_types_prefixes_and_all(void **state)
{
    json_t *p = json_pack("[s,s]", "ticket.*", "sla.breached");
    json_t *all = json_pack("[s]", "*");
    (void)state;
    assert_true(notify_pattern_match(p, "ticket.created"));
    assert_true(notify_pattern_match(p, "sla.breached"));
    assert_false(notify_pattern_match(p, "sla.warning"));
    assert_false(notify_pattern_match(p, "tickets.created"));
    assert_true(notify_pattern_match(all, "user.created"));
    json_decref(p);
    json_decref(all);
}

static void
test_sender_parses_name_and_address(void **state)
{
    struct notify_config c;
    (void)state;
    notify_config_defaults(&c);
    assert_int_equal(notify_config_set_from(&c, "Tend 服务台 <service@tend.test>"), 0);
    assert_string_equal(c.smtp_from_name, "Tend 服务台");
    assert_string_equal(c.smtp_from_addr, "service@tend.test");
    assert_string_equal(c.mail_domain, "tend.test");
    assert_int_equal(notify_config_set_from(&c, "ops@example.cn"), 0);
    assert_string_equal(c.smtp_from_name, "");
    assert_int_equal(notify_config_set_from(&c, "no address"), -1);
    assert_int_equal(notify_config_set_from(&c, "x <a@b> trailing"), -1);
}

static void
test_email_defaults_leave_out_the_chatty_kinds(void **state)
{
    (void)state;
    assert_true(notify_default_enabled("ticket.assigned", "email"));
    assert_true(notify_default_enabled("sla.breached", "email"));
    assert_false(notify_default_enabled("ticket.commented", "email"));
    assert_true(notify_default_enabled("ticket.commented", "in_app"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ascii_headers_stay_as_they_are),
        cmocka_unit_test(test_chinese_subject_becomes_encoded_words_of_at_most_75_without_split_characters),
        cmocka_unit_test(test_addresses_encode_or_quote_the_name),
        cmocka_unit_test(test_message_is_multipart_with_threading_headers),
        cmocka_unit_test(test_base64_wraps_long_bodies_at_76),
        cmocka_unit_test(test_template_fills_escapes_html_and_leaves_unknown_empty),
        cmocka_unit_test(test_template_check_names_unknown_and_unclosed_placeholders),
        cmocka_unit_test(test_backoff_doubles_with_jitter_in_the_upper_half_up_to_the_cap),
        cmocka_unit_test(test_webhook_signature_is_hmac_sha256_of_timestamp_dot_body),
        cmocka_unit_test(test_mentions_find_usernames_once_and_skip_emails),
        cmocka_unit_test(test_webhook_patterns_match_types_prefixes_and_all),
        cmocka_unit_test(test_sender_parses_name_and_address),
        cmocka_unit_test(test_email_defaults_leave_out_the_chatty_kinds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
