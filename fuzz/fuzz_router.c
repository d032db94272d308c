/* fuzz_router.c: libFuzzer harness for route matching over the real route table.
 * Input: "METHOD PATH". */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "app/routes.h"
#include "platform/http/router.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct router rt;
    static int ready;
    const char *in = (const char *)data, *sp;
    h2o_mem_pool_t pool;
    struct api_param params[API_MAX_PARAMS];
    int id = -1, np = 0;
    char allow[128];
    enum router_match m;

    if (!ready) {
        if (router_init(&rt, app_routes, app_routes_count) != 0)
            __builtin_trap();
        ready = 1;
    }
    sp = memchr(in, ' ', size);
    if (!sp)
        return 0;
    h2o_mem_init_pool(&pool);
    m = router_match(&rt, &pool, sp + 1, size - (size_t)(sp - in) - 1, in, (size_t)(sp - in), &id,
                     params, &np, allow, sizeof(allow));
    if (m == ROUTER_FOUND && (id < 0 || id >= rt.count || np > API_MAX_PARAMS))
        __builtin_trap();
    h2o_mem_clear_pool(&pool);
    return 0;
}
