/* err.h: the one error code and carrier used across Tend (see STYLE.md, "Errors"). */
#ifndef TEND_ERR_H
#define TEND_ERR_H

enum tend_rc {
    TEND_OK = 0,
    TEND_EINVAL,      /* the input is invalid (422, or 400 for syntax/query) */
    TEND_ESYNTAX,     /* the input cannot be parsed at all (400) */
    TEND_ENOTFOUND,   /* 404 */
    TEND_ECONFLICT,   /* version or state conflict (409) */
    TEND_EFORBIDDEN,  /* 403 */
    TEND_ETOOLARGE,   /* 413 */
    TEND_EMEDIA,      /* unsupported media type (415) */
    TEND_EBUSY,       /* locked or unavailable, try again later (503) */
    TEND_EUNAVAILABLE, /* storage cannot take writes now: disk full, I/O error (503, logged) */
    TEND_EDB,         /* the database failed (500, logged) */
    TEND_EINTERNAL,   /* a bug or resource exhaustion (500, logged) */
};

struct tend_err {
    enum tend_rc rc;
    char field[64];    /* JSON path or parameter name of the offending input, "" if none */
    char message[256]; /* for the user, in plain words */
};

/* Fill `err` (which may be NULL) and return `rc`. `field` may be NULL. */
enum tend_rc tend_fail(struct tend_err *err, enum tend_rc rc, const char *field, const char *fmt,
                       ...) __attribute__((format(printf, 4, 5)));

/* Reset `err` to "no error". */
void tend_err_clear(struct tend_err *err);

/* A short, stable name for `rc` ("invalid", "not_found", ...). */
const char *tend_rc_name(enum tend_rc rc);

#endif
