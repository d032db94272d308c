/* fuzz_query.c: libFuzzer harness for the query-string parser. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "platform/http/query.h"
#include "platform/util/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    h2o_mem_pool_t pool;
    struct api_param params[API_MAX_QUERY];
    const char *bad = NULL, *why = NULL;
    int n = 0;

    h2o_mem_init_pool(&pool);
    if (http_query_parse(&pool, (const char *)data, size, params, API_MAX_QUERY, &n, &bad, &why) == 0) {
        for (int i = 0; i < n; i++) /* every decoded pair is valid UTF-8, NUL-free */
            if (!utf8_valid(params[i].name, strlen(params[i].name)) ||
                !utf8_valid(params[i].value, strlen(params[i].value)))
                __builtin_trap();
    } else if (!bad || !why) {
        __builtin_trap();
    }
    h2o_mem_clear_pool(&pool);
    return 0;
}
