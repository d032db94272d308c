/* test_auth.c: the permission policy, token scopes, secrets and login limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "modules/auth/auth.h"
#include "modules/users/users.h"

static struct auth_grant grants[] = {
    {ROLE_AGENT, "tickets", "read"},
    {ROLE_AGENT, "tickets", "update"},
    {ROLE_CUSTOMER, "tickets", "read"},
    {ROLE_ADMIN, "users", "manage"},
};
static const struct auth_policy policy = {grants, 4};

static void
test_policy_allows_only_granted_role_actions(void **state)
{
    (void)state;
    assert_true(auth_policy_allows(&policy, ROLE_AGENT, "tickets", "update"));
    assert_false(auth_policy_allows(&policy, ROLE_CUSTOMER, "tickets", "update"));
    assert_true(auth_policy_allows(&policy, ROLE_CUSTOMER | ROLE_ADMIN, "users", "manage"));
    assert_false(auth_policy_allows(&policy, 0, "tickets", "read"));
    assert_false(auth_policy_allows(&policy, ROLE_AGENT, "tickets", "delete"));
}

static void
test_permissions_are_grouped_and_narrowed_by_scopes(void **state)
{
    json_t *p = auth_policy_permissions(&policy, ROLE_AGENT, NULL);
    (void)state;
    assert_int_equal(json_array_size(json_object_get(p, "tickets")), 2);
    json_decref(p);
    p = auth_policy_permissions(&policy, ROLE_AGENT, "tickets:read");
    assert_int_equal(json_array_size(json_object_get(p, "tickets")), 1);
    json_decref(p);
}

static void
test_scopes_match_exact_wildcard_and_star(void **state)
{
    (void)state;
    assert_true(auth_scope_allows("*", "users", "manage"));
    assert_true(auth_scope_allows("tickets:read,users:read", "users", "read"));
    assert_false(auth_scope_allows("tickets:read", "tickets", "create"));
    assert_true(auth_scope_allows("tickets:*", "tickets", "create"));
    assert_false(auth_scope_allows("tickets:readx", "tickets", "read"));
    assert_false(auth_scope_allows("", "tickets", "read"));
}

static void
test_scopes_parse_rejects_unknown_resources(void **state)
{
    char out[128];
    struct tend_err err;
    json_t *ok = json_pack("[s,s]", "tickets:read", "users:*");
    json_t *bad = json_pack("[s]", "billing:read");
    json_t *empty = json_array();
    (void)state;
    assert_int_equal(auth_scopes_parse(ok, &policy, out, sizeof(out), &err), TEND_OK);
    assert_string_equal(out, "tickets:read,users:*");
    assert_int_equal(auth_scopes_parse(bad, &policy, out, sizeof(out), &err), TEND_EINVAL);
    assert_string_equal(err.field, "scopes");
    assert_int_equal(auth_scopes_parse(empty, &policy, out, sizeof(out), &err), TEND_EINVAL);
    json_decref(ok);
    json_decref(bad);
    json_decref(empty);
}

static void
test_secrets_are_random_and_hashed(void **state)
{
    char a[AUTH_SECRET_MAX], b[AUTH_SECRET_MAX], h[AUTH_HASH_HEX];
    (void)state;
    auth_secret_new("tend_", a, sizeof(a));
    auth_secret_new("tend_", b, sizeof(b));
    assert_int_equal(strlen(a), 5 + 43);
    assert_int_equal(strncmp(a, "tend_", 5), 0);
    assert_string_not_equal(a, b);
    auth_secret_hash("abc", h);
    assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void
test_limiter_blocks_after_max_failures_until_the_window_ends(void **state)
{
    struct auth_limiter *l = auth_limiter_new(64);
    int64_t t0 = 1000000;
    (void)state;
    for (int i = 0; i < 5; i++) {
        assert_int_equal(auth_limiter_wait(l, "u:alice", 5, t0 + i), 0);
        auth_limiter_fail(l, "u:alice", t0 + i);
    }
    assert_int_equal(auth_limiter_wait(l, "u:alice", 5, t0 + 10), AUTH_FAIL_WINDOW_MS / 1000);
    assert_int_equal(auth_limiter_wait(l, "u:bob", 5, t0 + 10), 0);
    assert_int_equal(auth_limiter_wait(l, "u:alice", 5, t0 + AUTH_FAIL_WINDOW_MS), 0);
    auth_limiter_fail(l, "u:carol", t0);
    auth_limiter_reset(l, "u:carol");
    assert_int_equal(auth_limiter_wait(l, "u:carol", 1, t0 + 1), 0);
    auth_limiter_free(l);
}

static void
test_limiter_stays_bounded_under_many_keys(void **state)
{
    struct auth_limiter *l = auth_limiter_new(16);
    char key[32];
    (void)state;
    for (int i = 0; i < 10000; i++) {
        snprintf(key, sizeof(key), "a:10.0.%d.%d", i / 256, i % 256);
        auth_limiter_fail(l, key, 1000 + i);
    }
    auth_limiter_free(l); /* no growth: 16 slots whatever the attack */
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policy_allows_only_granted_role_actions),
        cmocka_unit_test(test_permissions_are_grouped_and_narrowed_by_scopes),
        cmocka_unit_test(test_scopes_match_exact_wildcard_and_star),
        cmocka_unit_test(test_scopes_parse_rejects_unknown_resources),
        cmocka_unit_test(test_secrets_are_random_and_hashed),
        cmocka_unit_test(test_limiter_blocks_after_max_failures_until_the_window_ends),
        cmocka_unit_test(test_limiter_stays_bounded_under_many_keys),
    };
    if (sodium_init() < 0)
        return 1;
    return cmocka_run_group_tests_name("auth", tests, NULL, NULL);
}
