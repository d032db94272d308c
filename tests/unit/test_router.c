/* test_router.c: path matching, parameters, 404 vs 405 with Allow. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "platform/http/router.h"

static void
noop(struct api_req *r)
{
    (void)r;
}

static const struct route routes[] = {
    {"GET", "/api/v1/tickets", noop, "tickets", "read", BODY_NONE, "list"},
    {"POST", "/api/v1/tickets", noop, "tickets", "create", BODY_JSON, "create"},
    {"GET", "/api/v1/tickets/:id", noop, "tickets", "read", BODY_NONE, "get"},
    {"PATCH", "/api/v1/tickets/:id", noop, "tickets", "update", BODY_JSON, "update"},
    {"GET", "/api/v1/tickets/:id/events", noop, "tickets", "read", BODY_NONE, "events"},
};

struct fixture {
    struct router rt;
    h2o_mem_pool_t pool;
};

static int
setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    h2o_mem_init_pool(&f->pool);
    if (router_init(&f->rt, routes, 5) != 0)
        return -1;
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fixture *f = *state;
    router_cleanup(&f->rt);
    h2o_mem_clear_pool(&f->pool);
    free(f);
    return 0;
}

static enum router_match
match(struct fixture *f, const char *method, const char *path, int *id, struct api_param *params,
      int *np, char *allow)
{
    return router_match(&f->rt, &f->pool, path, strlen(path), method, strlen(method), id, params, np,
                        allow, 128);
}

static void
test_exact_path_and_method_match(void **state)
{
    struct fixture *f = *state;
    struct api_param params[API_MAX_PARAMS];
    int id = -1, np = 0;
    char allow[128];

    assert_int_equal(match(f, "POST", "/api/v1/tickets", &id, params, &np, allow), ROUTER_FOUND);
    assert_int_equal(id, 1);
    assert_int_equal(np, 0);
}

static void
test_parameter_is_captured(void **state)
{
    struct fixture *f = *state;
    struct api_param params[API_MAX_PARAMS];
    int id = -1, np = 0;
    char allow[128];

    assert_int_equal(match(f, "GET", "/api/v1/tickets/42/events", &id, params, &np, allow),
                     ROUTER_FOUND);
    assert_int_equal(id, 4);
    assert_int_equal(np, 1);
    assert_string_equal(params[0].name, "id");
    assert_string_equal(params[0].value, "42");
}

static void
test_known_path_wrong_method_lists_allowed_methods(void **state)
{
    struct fixture *f = *state;
    struct api_param params[API_MAX_PARAMS];
    int id = -1, np = 0;
    char allow[128];

    assert_int_equal(match(f, "DELETE", "/api/v1/tickets/7", &id, params, &np, allow),
                     ROUTER_NO_METHOD);
    assert_string_equal(allow, "GET, PATCH");
}

static void
test_unknown_paths_do_not_match(void **state)
{
    struct fixture *f = *state;
    struct api_param params[API_MAX_PARAMS];
    int id = -1, np = 0;
    char allow[128];

    assert_int_equal(match(f, "GET", "/api/v1/nope", &id, params, &np, allow), ROUTER_NO_PATH);
    assert_int_equal(match(f, "GET", "/api/v1//tickets", &id, params, &np, allow), ROUTER_NO_PATH);
    assert_int_equal(match(f, "GET", "/api/v1/tickets/1/events/2", &id, params, &np, allow),
                     ROUTER_NO_PATH);
    assert_int_equal(match(f, "GET", "", &id, params, &np, allow), ROUTER_NO_PATH);
}

static void
test_trailing_slash_is_the_same_resource(void **state)
{
    struct fixture *f = *state;
    struct api_param params[API_MAX_PARAMS];
    int id = -1, np = 0;
    char allow[128];

    assert_int_equal(match(f, "GET", "/api/v1/tickets/", &id, params, &np, allow), ROUTER_FOUND);
    assert_int_equal(id, 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_exact_path_and_method_match, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parameter_is_captured, setup, teardown),
        cmocka_unit_test_setup_teardown(test_known_path_wrong_method_lists_allowed_methods, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_unknown_paths_do_not_match, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trailing_slash_is_the_same_resource, setup, teardown),
    };
    return cmocka_run_group_tests_name("router", tests, NULL, NULL);
}
