/* test_users.c: username, role and password rules; argon2id hashing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <string.h>

#include "modules/users/users.h"

static void
test_usernames_are_lowercase_words(void **state)
{
    struct tend_err err;
    (void)state;
    assert_int_equal(user_check_username("alice", &err), TEND_OK);
    assert_int_equal(user_check_username("li.na_2", &err), TEND_OK);
    assert_int_equal(user_check_username("A", &err), TEND_EINVAL);
    assert_int_equal(user_check_username("Alice", &err), TEND_EINVAL);
    assert_int_equal(user_check_username(".alice", &err), TEND_EINVAL);
    assert_int_equal(user_check_username("al ice", &err), TEND_EINVAL);
}

static void
test_roles_must_be_known(void **state)
{
    struct tend_err err;
    (void)state;
    assert_int_equal(user_check_roles("agent", &err), TEND_OK);
    assert_int_equal(user_check_roles("agent,dispatcher", &err), TEND_OK);
    assert_int_equal(user_check_roles("superuser", &err), TEND_EINVAL);
    assert_string_equal(err.field, "roles");
    assert_int_equal(user_check_roles("", &err), TEND_EINVAL);
}

static void
test_password_policy_rejects_short_common_and_username(void **state)
{
    struct tend_err err;
    (void)state;
    assert_int_equal(user_check_password("correct horse battery", "alice", &err), TEND_OK);
    assert_int_equal(user_check_password("short", "alice", &err), TEND_EINVAL);
    assert_int_equal(user_check_password("Password123", "alice", &err), TEND_EINVAL);
    assert_int_equal(user_check_password("alice.smith", "alice.smith", &err), TEND_EINVAL);
}

static void
test_hash_verifies_only_the_right_password(void **state)
{
    char hash[256];
    struct tend_err err;
    (void)state;
    assert_int_equal(user_hash_password("correct horse battery", hash, sizeof(hash), &err), TEND_OK);
    assert_non_null(strstr(hash, "$argon2id$"));
    assert_true(user_verify_password(hash, "correct horse battery"));
    assert_false(user_verify_password(hash, "correct horse batterY"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_usernames_are_lowercase_words),
        cmocka_unit_test(test_roles_must_be_known),
        cmocka_unit_test(test_password_policy_rejects_short_common_and_username),
        cmocka_unit_test(test_hash_verifies_only_the_right_password),
    };
    if (sodium_init() < 0)
        return 1;
    return cmocka_run_group_tests_name("users", tests, NULL, NULL);
}
