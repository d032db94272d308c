/* err.c: filling the error carrier. */
#include "err.h"

#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

enum tend_rc
tend_fail(struct tend_err *err, enum tend_rc rc, const char *field, const char *fmt, ...)
{
    va_list ap;

    if (!err)
        return rc;
    err->rc = rc;
    snprintf(err->field, sizeof(err->field), "%s", field ? field : "");
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
    /* bounded copies may cut a character in two: what we answer must stay UTF-8 */
    utf8_sanitize(err->field);
    utf8_sanitize(err->message);
    return rc;
}

void
tend_err_clear(struct tend_err *err)
{
    if (!err)
        return;
    err->rc = TEND_OK;
    err->field[0] = '\0';
    err->message[0] = '\0';
}

const char *
tend_rc_name(enum tend_rc rc)
{
    static const char *const names[] = {
        [TEND_OK] = "ok",           [TEND_EINVAL] = "invalid",    [TEND_ESYNTAX] = "syntax",
        [TEND_ENOTFOUND] = "not_found", [TEND_ECONFLICT] = "conflict", [TEND_EFORBIDDEN] = "forbidden",
        [TEND_ETOOLARGE] = "too_large", [TEND_EMEDIA] = "media_type", [TEND_EBUSY] = "busy",    [TEND_EUNAVAILABLE] = "unavailable",
        [TEND_EDB] = "database",    [TEND_EINTERNAL] = "internal",
    };
    if ((unsigned)rc < sizeof(names) / sizeof(names[0]) && names[rc])
        return names[rc];
    return "unknown";
}
