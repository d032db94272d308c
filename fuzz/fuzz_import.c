/* fuzz_import.c: libFuzzer harness for the import readers: the bytes as CSV
 * and as an XLSX workbook, and every cell of what parses through the asset
 * record's columns (cells to typed values, then validation). Nothing may
 * crash, leak or accept a row that is not UTF-8. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "modules/assets/assets.h"
#include "modules/customers/customers.h"
#include "platform/util/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_sheet(const struct sheet *s)
{
    for (int r = 0; r < s->nrows; r++) {
        json_t *body = json_object(), *rec = NULL;
        struct tend_err err;
        for (int c = 0; c < s->ncells[r]; c++) {
            const struct rec_field *f = &asset_kind.fields[c % asset_kind.nfields];
            json_t *v = NULL;
            if (!utf8_valid(s->rows[r][c], strlen(s->rows[r][c])))
                __builtin_trap();
            if (rec_value_from_text(f, s->rows[r][c], &v, &err) == TEND_OK)
                json_object_set_new(body, f->name, v);
        }
        if (rec_validate(&asset_kind, body, 1, NULL, &rec, &err) == TEND_OK)
            json_decref(rec);
        json_decref(body);
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sheet s;
    struct tend_err err;

    if (csv_parse((const char *)data, size, 1000, &s, &err) == TEND_OK) {
        check_sheet(&s);
        sheet_free(&s);
    }
    if (xlsx_parse((const char *)data, size, 1000, &s, &err) == TEND_OK) {
        check_sheet(&s);
        sheet_free(&s);
    }
    return 0;
}
