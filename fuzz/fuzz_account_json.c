/* fuzz_account_json.c: libFuzzer harness for the JSON bodies of users, groups and
 * API tokens (create and update), decoded with the server's jansson flags. */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "modules/auth/auth.h"
#include "modules/users/users.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every refusal must say why, on a field. */
static void
check(enum tend_rc rc, const struct tend_err *err)
{
    if (rc != TEND_OK && (rc != TEND_EINVAL || !err->message[0]))
        __builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct auth_grant grants[] = {{ROLE_AGENT, "tickets", "read"}, {ROLE_ADMIN, "users", "manage"}};
    static const struct auth_policy policy = {grants, 2};
    json_error_t jerr;
    json_t *body = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
    struct user_input user;
    struct group_input group;
    struct auth_token_input token;
    struct tend_err err;

    if (!body)
        return 0;
    for (int create = 0; create <= 1; create++) {
        tend_err_clear(&err);
        check(user_input_parse(body, create, &user, &err), &err);
        user_input_cleanup(&user);
        tend_err_clear(&err);
        check(group_input_parse(body, create, &group, &err), &err);
        group_input_cleanup(&group);
    }
    tend_err_clear(&err);
    check(auth_token_input_parse(body, &policy, 1795439400000LL, &token, &err), &err);
    json_decref(body);
    return 0;
}
