/* query.c: the query-string parser (pure: fuzzed by fuzz/fuzz_query.c). */
#include "query.h"

#include <string.h>

#include "platform/util/util.h"

static int
hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Percent-decode (and '+' to space) into pool memory; NULL on a bad escape. */
static char *
decode(h2o_mem_pool_t *pool, const char *s, size_t len, size_t *outlen)
{
    char *out = h2o_mem_alloc_pool(pool, len + 1);
    size_t o = 0;

    for (size_t i = 0; i < len; i++) {
        if (s[i] == '%') {
            int hi, lo;
            if (i + 2 >= len)
                return NULL;
            hi = hexval(s[i + 1]);
            lo = hexval(s[i + 2]);
            if (hi < 0 || lo < 0)
                return NULL;
            out[o++] = (char)(hi * 16 + lo);
            i += 2;
        } else if (s[i] == '+') {
            out[o++] = ' ';
        } else {
            out[o++] = s[i];
        }
    }
    out[o] = '\0';
    *outlen = o;
    return out;
}

int
http_query_parse(h2o_mem_pool_t *pool, const char *q, size_t len, struct api_param *out, int max,
                 int *n, const char **bad, const char **why)
{
    const char *end = q + len;

    *n = 0;
    while (q < end) {
        const char *amp = memchr(q, '&', (size_t)(end - q));
        const char *pend = amp ? amp : end;
        const char *eq = memchr(q, '=', (size_t)(pend - q));
        size_t nlen = 0, vlen = 0;
        char *name, *value;

        if (pend == q) {
            q = pend + 1;
            continue;
        }
        name = decode(pool, q, (size_t)((eq ? eq : pend) - q), &nlen);
        value = eq ? decode(pool, eq + 1, (size_t)(pend - eq - 1), &vlen) : NULL;
        if (!eq) {
            value = h2o_mem_alloc_pool(pool, 1);
            value[0] = '\0';
        }
        if (!name || !utf8_valid(name, nlen)) {
            *bad = "query";
            *why = "has a parameter name that is not valid percent-encoded UTF-8";
            return -1;
        }
        if (!value || !utf8_valid(value, vlen)) {
            *bad = name;
            *why = "is not valid percent-encoded UTF-8";
            return -1;
        }
        if (*n == max) {
            *bad = "query";
            *why = "has too many parameters";
            return -1;
        }
        out[*n].name = name;
        out[*n].value = value;
        (*n)++;
        q = pend + 1;
    }
    return 0;
}
