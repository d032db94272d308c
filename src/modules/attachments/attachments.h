/* attachments.h: the public API of the attachments module: files attached to a
 * ticket (and later other entities), stored once under their SHA-256 in the data
 * directory. Pure checks (content sniffing, file names) and the store calls. */
#ifndef TEND_ATTACHMENTS_H
#define TEND_ATTACHMENTS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "platform/db/db.h"

#define ATTACHMENT_MAX_BYTES ((size_t)20 << 20)
#define ATTACHMENT_FILENAME_MAX_CHARS 255
/* The longest valid name in bytes: 255 code points of at most 4 bytes. */
#define ATTACHMENT_FILENAME_MAX_BYTES ((size_t)ATTACHMENT_FILENAME_MAX_CHARS * 4)
#define ATTACHMENT_SHA256_HEX 65 /* 64 hex digits and the NUL */
/* Room for "<data-dir>/attachments/ab/cd/<64 hex>" with a data dir of up to ~900 bytes. */
#define ATTACHMENT_PATH_MAX 1024
/* Room for the Content-Disposition of any valid file name (3 bytes per byte encoded). */
#define ATTACHMENT_DISPOSITION_MAX (64 + ATTACHMENT_FILENAME_MAX_CHARS + ATTACHMENT_FILENAME_MAX_BYTES * 3)

/* --- pure (attachments.c) ------------------------------------------------ */

/* The content type of a file, judged from its bytes only: PNG, JPEG, GIF, WebP,
 * PDF, ZIP (the Office type for docx/xlsx/pptx), MP4/QuickTime, and UTF-8 text
 * ("text/csv; charset=utf-8" when `filename` ends in .csv, else text/plain).
 * Returns a static string, or NULL for anything else (HTML, SVG, executables,
 * unknown or truncated formats): those are refused. `filename` may be NULL. */
const char *attachment_sniff(const unsigned char *data, size_t len, const char *filename);

/* Check a file name: 1-255 code points of valid UTF-8, no '/', '\', control or
 * bidirectional-override characters, not "." or "..". TEND_EINVAL on field
 * "filename" with the reason, else TEND_OK. */
enum tend_rc attachment_filename_check(const char *name, size_t len, struct tend_err *err);

/* Whether `hex` is a SHA-256 as this module writes it: 64 lower-case hex digits. */
int attachment_sha256_valid(const char *hex);

/* The storage path of a file: "<data_dir>/attachments/ab/cd/<hex>", built from the
 * digest only. Returns 0, or -1 when `hex` is not a valid digest or the path does
 * not fit in `outlen`. */
int attachment_path(const char *data_dir, const char *hex, char *out, size_t outlen);

/* The Content-Disposition for downloading `filename` (a valid name):
 * attachment; filename="ascii fallback"; filename*=UTF-8''percent-encoded
 * (RFC 6266 / RFC 5987). `out` should hold ATTACHMENT_DISPOSITION_MAX bytes; a
 * shorter one gets a truncated but well-formed header. */
void attachment_content_disposition(const char *filename, char *out, size_t outlen);

/* --- store (attachments_store.c) ------------------------------------------ */

/* One attachment row; strings are copied in. */
struct attachment {
    int64_t id;
    char entity[32];
    int64_t entity_id;
    int64_t comment_id; /* 0 when not on a comment */
    int internal;
    char sha256[ATTACHMENT_SHA256_HEX];
    char filename[ATTACHMENT_FILENAME_MAX_BYTES + 1];
    char content_type[128]; /* the longest sniffed type is 73 bytes */
    int64_t size;
    int64_t created_at; /* epoch ms */
};

/* Make "<data_dir>/attachments" if missing (at start-up, so a broken data
 * directory fails early). */
enum tend_rc attachments_prepare_dir(const char *data_dir, struct tend_err *err);

/* Store `len` bytes under their digest `hex` (blocking file I/O: call it on the
 * worker pool). Written to a temporary file in the same directory, fsynced,
 * renamed into place and the directory fsynced, so a file that exists is whole;
 * content already stored is not written again. A full disk or I/O error is
 * TEND_EUNAVAILABLE. */
enum tend_rc attachments_store_file(const char *data_dir, const char *hex, const void *data,
                                    size_t len, struct tend_err *err);

/* Insert the row of a new attachment (writer thread); a->id and a->created_at are
 * filled from `now`. Also records the event "attachment.added" on the entity. */
enum tend_rc attachments_store_add(struct db *db, struct attachment *a, int64_t uploaded_by,
                                   const char *actor, int64_t now, struct tend_err *err);

/* Read one attachment; TEND_ENOTFOUND if there is none. */
enum tend_rc attachments_store_get(struct db *db, int64_t id, struct attachment *out,
                                   struct tend_err *err);

/* The attachments of an entity, oldest first, as a JSON array of {id, comment_id,
 * filename, content_type, size, sha256, created_at}; internal ones only when
 * `include_internal`. The caller owns *items. */
enum tend_rc attachments_store_list(struct db *db, const char *entity, int64_t entity_id,
                                    int include_internal, json_t **items, struct tend_err *err);

/* Put attachments `ids[0..n)` on comment `comment_id` (writer thread, inside the
 * comment's transaction): each must be an attachment of the entity not yet on a
 * comment, and listed once; else TEND_EINVAL on field "attachment_ids[i]" (the
 * transaction is then to be rolled back by the caller's failure). Sets their
 * comment_id and `internal`. */
enum tend_rc attachments_store_claim(struct db *db, const char *entity, int64_t entity_id,
                                     int64_t comment_id, int internal, const int64_t *ids, int n,
                                     struct tend_err *err);

/* An attachment as the API's JSON object (the list's shape). */
json_t *attachment_to_json(const struct attachment *a);

#endif
