/* fuzz_scalars.c: libFuzzer harness for the small parsers of client input: RFC
 * 3339 times, list cursors, ETags, integers, UTF-8, token scopes, usernames. */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "modules/auth/auth.h"
#include "modules/tickets/tickets.h"
#include "modules/users/users.h"
#include "platform/util/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct auth_grant grants[] = {{ROLE_AGENT, "tickets", "read"}};
    static const struct auth_policy policy = {grants, 1};
    char *s = malloc(size + 1);
    int64_t v;
    struct tend_err err;
    char out[512];
    json_t *scopes;

    memcpy(s, data, size);
    s[size] = '\0';
    (void)time_parse_rfc3339(s, &v);
    (void)cursor_decode("t1", s, &v);
    (void)ticket_parse_etag(s);
    (void)parse_int64(s, size, INT64_MIN, INT64_MAX, &v);
    (void)utf8_valid(s, size);
    (void)utf8_count(s, size);
    (void)user_check_username(s, &err);
    (void)user_check_roles(s, &err);
    (void)user_roles_bits(s);
    (void)auth_scope_allows(s, "tickets", "read");
    scopes = json_loadb(s, size, JSON_DECODE_ANY, NULL);
    if (scopes) {
        (void)auth_scopes_parse(scopes, &policy, out, sizeof(out), &err);
        json_decref(scopes);
    }
    free(s);
    return 0;
}
