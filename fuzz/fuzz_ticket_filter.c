/* fuzz_ticket_filter.c: libFuzzer harness for ticket list parameters (filters,
 * sorts, keyset cursors), as they arrive after query-string decoding. Input:
 * "name=value" pairs separated by newlines. */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "modules/tickets/custom_fields.h"
#include "modules/tickets/tickets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct custom_field fields[3];
static int nfields;

static void
setup(void)
{
    static const char *const defs[] = {
        "{\"key\":\"serial_no\",\"label\":\"S\",\"type\":\"text\"}",
        "{\"key\":\"pages\",\"label\":\"P\",\"type\":\"number\"}",
        "{\"key\":\"parts\",\"label\":\"Q\",\"type\":\"multi_select\",\"options\":[\"a\",\"b\"]}"};
    struct tend_err err;

    for (int i = 0; i < 3; i++) {
        json_t *d = json_loads(defs[i], 0, NULL);
        if (custom_field_parse(d, NULL, &fields[nfields], &err) == TEND_OK)
            nfields++;
        json_decref(d);
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *copy, *line, *save = NULL;
    const char *names[32], *values[32];
    struct ticket_filter f;
    struct tend_err err;
    int n = 0;

    if (!nfields)
        setup();
    if (size > 4096)
        return 0;
    copy = malloc(size + 1);
    memcpy(copy, data, size);
    copy[size] = '\0';
    for (line = strtok_r(copy, "\n", &save); line && n < 32; line = strtok_r(NULL, "\n", &save)) {
        char *eq = strchr(line, '=');
        if (!eq)
            continue;
        *eq = '\0';
        names[n] = line;
        values[n++] = eq + 1;
    }
    tend_err_clear(&err);
    if (ticket_filter_parse(names, values, n, fields, nfields, 7, 1, &f, &err) == TEND_OK) {
        struct ticket last;
        char cursor[600];
        const char *cn[2] = {"sort", "cursor"};
        const char *cv[2];
        char sort[64];
        memset(&last, 0, sizeof(last));
        last.id = 42;
        last.custom = (char *)"{\"serial_no\":\"a|b\",\"pages\":2.5}";
        strcpy(last.priority, "high");
        ticket_filter_cursor(&f, &last, cursor, sizeof(cursor));
        /* a cursor we made must parse back under the same sort */
        snprintf(sort, sizeof(sort), "%s%s", f.descending ? "-" : "",
                 f.sort == SORT_ID ? "id" : f.sort == SORT_CREATED ? "created_at"
                 : f.sort == SORT_UPDATED ? "updated_at" : f.sort == SORT_PRIORITY ? "priority"
                 : f.sort_path[0] == '$' && f.sort_path[2] == 's' ? "custom.serial_no" : "custom.pages");
        cv[0] = sort;
        cv[1] = cursor;
        if (f.sort != SORT_CUSTOM || strcmp(f.sort_path, "$.serial_no") == 0 || strcmp(f.sort_path, "$.pages") == 0)
            if (ticket_filter_parse(cn, cv, 2, fields, nfields, 7, 1, &f, &err) != TEND_OK)
                __builtin_trap();
    } else if (!err.message[0]) {
        __builtin_trap(); /* every refusal says why */
    }
    free(copy);
    return 0;
}
