/* attachments_store.c: where attachments live: their bytes as files named by
 * their SHA-256 under <data-dir>/attachments, their rows in the database. */
#include "attachments.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "platform/db/events.h"
#include "platform/util/util.h"

/* --- files ------------------------------------------------------------------ */

/* The error for a failed system call on `what`: a full disk or an I/O error means
 * storage cannot take the file now (503), anything else is ours to look at (500). */
static enum tend_rc
io_fail(struct tend_err *err, const char *what, int errnum)
{
    if (errnum == ENOSPC || errnum == EDQUOT || errnum == EIO || errnum == EROFS ||
        errnum == EFBIG)
        return tend_fail(err, TEND_EUNAVAILABLE, NULL,
                         "the attachment store cannot take files now (%s: %s)", what,
                         strerror(errnum));
    return tend_fail(err, TEND_EINTERNAL, NULL, "attachment store: %s: %s", what, strerror(errnum));
}

static int
fsync_path(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int rc;

    if (fd < 0)
        return -1;
    rc = fsync(fd);
    close(fd);
    return rc;
}

/* mkdir `path` unless it exists; when it is new, fsync `parent` so that the new
 * entry survives a crash along with the file we are about to put inside. */
static enum tend_rc
ensure_dir(const char *path, const char *parent, struct tend_err *err)
{
    if (mkdir(path, 0750) == 0) {
        if (parent && fsync_path(parent) != 0)
            return io_fail(err, "fsync directory", errno);
        return TEND_OK;
    }
    if (errno == EEXIST)
        return TEND_OK;
    return io_fail(err, "mkdir", errno);
}

enum tend_rc
attachments_prepare_dir(const char *data_dir, struct tend_err *err)
{
    char path[ATTACHMENT_PATH_MAX];
    int n;

    if (!data_dir || !*data_dir) /* never "/attachments" at the root */
        return tend_fail(err, TEND_EINVAL, "data-dir", "is empty");
    n = snprintf(path, sizeof(path), "%s/attachments", data_dir);
    if (n < 0 || (size_t)n >= sizeof(path))
        return tend_fail(err, TEND_EINVAL, "data-dir", "is too long");
    return ensure_dir(path, data_dir, err);
}

static int
write_all(int fd, const unsigned char *p, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Write `data` into a fresh temporary file in `dir`, fsync it and rename it to
 * `final`; the temporary file never outlives a failure. */
static enum tend_rc
write_durably(const char *dir, const char *final, const void *data, size_t len,
              struct tend_err *err)
{
    char tmp[ATTACHMENT_PATH_MAX];
    enum tend_rc rc = TEND_OK;
    int fd, n = snprintf(tmp, sizeof(tmp), "%s/.upload-XXXXXX", dir);

    if (n < 0 || (size_t)n >= sizeof(tmp))
        return tend_fail(err, TEND_EINTERNAL, NULL, "attachment path too long");
    fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0)
        return io_fail(err, "create", errno);
    if (write_all(fd, data, len) != 0)
        rc = io_fail(err, "write", errno ? errno : EIO);
    else if (fsync(fd) != 0)
        rc = io_fail(err, "fsync", errno);
    if (close(fd) != 0 && rc == TEND_OK)
        rc = io_fail(err, "close", errno);
    if (rc == TEND_OK && rename(tmp, final) != 0)
        rc = io_fail(err, "rename", errno);
    if (rc != TEND_OK) {
        unlink(tmp);
        return rc;
    }
    if (fsync_path(dir) != 0)
        return io_fail(err, "fsync directory", errno);
    return TEND_OK;
}

enum tend_rc
attachments_store_file(const char *data_dir, const char *hex, const void *data, size_t len,
                       struct tend_err *err)
{
    char root[ATTACHMENT_PATH_MAX], level1[ATTACHMENT_PATH_MAX], level2[ATTACHMENT_PATH_MAX];
    char final[ATTACHMENT_PATH_MAX];
    struct stat st;
    enum tend_rc rc;

    if (attachment_path(data_dir, hex, final, sizeof(final)) != 0)
        return tend_fail(err, TEND_EINTERNAL, NULL, "attachment path too long or bad digest");
    /* the directories are prefixes of the final path: cut it at its slashes */
    strlcopy(level2, final, sizeof(level2));
    *strrchr(level2, '/') = '\0';
    strlcopy(level1, level2, sizeof(level1));
    *strrchr(level1, '/') = '\0';
    strlcopy(root, level1, sizeof(root));
    *strrchr(root, '/') = '\0';
    /* the same bytes are stored once: a file of this name was renamed into place
     * whole and fsynced, so its size is the only thing left to doubt */
    if (stat(final, &st) == 0 && S_ISREG(st.st_mode) && (size_t)st.st_size == len)
        return TEND_OK;
    rc = ensure_dir(root, data_dir, err);
    if (rc == TEND_OK)
        rc = ensure_dir(level1, root, err);
    if (rc == TEND_OK)
        rc = ensure_dir(level2, level1, err);
    if (rc == TEND_OK)
        rc = write_durably(level2, final, data, len, err);
    return rc;
}

/* --- rows ---------------------------------------------------------------------- */

#define ATTACHMENT_COLUMNS                                                                       \
    "id, entity, entity_id, comment_id, internal, sha256, filename, content_type, size, "        \
    "created_at"

static void
read_row(struct db_stmt *st, void *out)
{
    struct attachment *a = out;

    memset(a, 0, sizeof(*a));
    a->id = db_col_int64(st, 0);
    strlcopy(a->entity, db_col_text(st, 1), sizeof(a->entity));
    a->entity_id = db_col_int64(st, 2);
    a->comment_id = db_col_is_null(st, 3) ? 0 : db_col_int64(st, 3);
    a->internal = db_col_int64(st, 4) != 0;
    strlcopy(a->sha256, db_col_text(st, 5), sizeof(a->sha256));
    strlcopy(a->filename, db_col_text(st, 6), sizeof(a->filename));
    strlcopy(a->content_type, db_col_text(st, 7), sizeof(a->content_type));
    a->size = db_col_int64(st, 8);
    a->created_at = db_col_int64(st, 9);
}

enum tend_rc
attachments_store_add(struct db *db, struct attachment *a, int64_t uploaded_by, const char *actor,
                      int64_t now, struct tend_err *err)
{
    struct db_stmt *st = db_prepare(db,
                                    "INSERT INTO attachments (entity, entity_id, comment_id, "
                                    "internal, sha256, filename, content_type, size, uploaded_by, "
                                    "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                                    err);
    enum tend_rc rc;

    if (!st)
        return err->rc;
    db_bind_str(st, 1, a->entity);
    db_bind_int64(st, 2, a->entity_id);
    db_bind_ref(st, 3, a->comment_id);
    db_bind_int64(st, 4, a->internal ? 1 : 0);
    db_bind_str(st, 5, a->sha256);
    db_bind_str(st, 6, a->filename);
    db_bind_str(st, 7, a->content_type);
    db_bind_int64(st, 8, a->size);
    db_bind_ref(st, 9, uploaded_by);
    db_bind_int64(st, 10, now);
    rc = db_run_returning_id(st, &a->id, err);
    if (rc)
        return rc;
    a->created_at = now;
    return event_record(db, "attachment.added", a->entity, a->entity_id, actor,
                        json_pack("{s:I,s:s,s:I}", "attachment_id", (json_int_t)a->id, "filename",
                                  a->filename, "size", (json_int_t)a->size),
                        now, err);
}

enum tend_rc
attachments_store_get(struct db *db, int64_t id, struct attachment *out, struct tend_err *err)
{
    struct db_stmt *st =
        db_prepare(db, "SELECT " ATTACHMENT_COLUMNS " FROM attachments WHERE id = ?", err);
    enum tend_rc rc;

    if (!st)
        return err->rc;
    db_bind_int64(st, 1, id);
    rc = db_fetch_one(st, read_row, out, err);
    if (rc == TEND_ENOTFOUND)
        return tend_fail(err, TEND_ENOTFOUND, "id", "no such attachment");
    return rc;
}

enum tend_rc
attachments_store_list(struct db *db, const char *entity, int64_t entity_id, int include_internal,
                       json_t **items, struct tend_err *err)
{
    /* one statement for both audiences: "? <> 0 OR internal = 0" keeps the index on
     * (entity, entity_id, id) for the order */
    struct db_stmt *st = db_prepare(db,
                                    "SELECT " ATTACHMENT_COLUMNS " FROM attachments "
                                    "WHERE entity = ? AND entity_id = ? AND (? <> 0 OR internal = 0) "
                                    "ORDER BY id",
                                    err);
    enum db_step_result r;
    struct attachment *a;
    json_t *out;

    if (!st)
        return err->rc;
    db_bind_str(st, 1, entity);
    db_bind_int64(st, 2, entity_id);
    db_bind_int64(st, 3, include_internal ? 1 : 0);
    a = xmalloc(sizeof(*a));
    out = json_array();
    while ((r = db_step(st, err)) == DB_ROW) {
        read_row(st, a);
        json_array_append_new(out, attachment_to_json(a));
    }
    db_reset(st);
    free(a);
    if (r == DB_FAIL) {
        json_decref(out);
        return err->rc;
    }
    *items = out;
    return TEND_OK;
}

/* Check that attachment ids[i] may go on a comment of the entity. */
static enum tend_rc
check_claimable(struct db *db, const char *entity, int64_t entity_id, const int64_t *ids, int i,
                struct tend_err *err)
{
    char field[32];
    struct attachment a;
    enum tend_rc rc;

    memset(&a, 0, sizeof(a));
    snprintf(field, sizeof(field), "attachment_ids[%d]", i);
    for (int j = 0; j < i; j++)
        if (ids[j] == ids[i])
            return tend_fail(err, TEND_EINVAL, field, "is listed twice");
    rc = attachments_store_get(db, ids[i], &a, err);
    if (rc == TEND_ENOTFOUND || (rc == TEND_OK && (strcmp(a.entity, entity) != 0 ||
                                                   a.entity_id != entity_id)))
        return tend_fail(err, TEND_EINVAL, field, "no attachment %lld on this %s",
                         (long long)ids[i], entity);
    if (rc)
        return rc;
    if (a.comment_id)
        return tend_fail(err, TEND_EINVAL, field, "attachment %lld is already on a comment",
                         (long long)ids[i]);
    return TEND_OK;
}

enum tend_rc
attachments_store_claim(struct db *db, const char *entity, int64_t entity_id, int64_t comment_id,
                        int internal, const int64_t *ids, int n, struct tend_err *err)
{
    struct db_stmt *st;
    enum tend_rc rc;

    for (int i = 0; i < n; i++) {
        rc = check_claimable(db, entity, entity_id, ids, i, err);
        if (rc)
            return rc;
    }
    for (int i = 0; i < n; i++) {
        st = db_prepare(db,
                        "UPDATE attachments SET comment_id = ?, internal = ? "
                        "WHERE id = ? AND comment_id IS NULL",
                        err);
        if (!st)
            return err->rc;
        db_bind_int64(st, 1, comment_id);
        db_bind_int64(st, 2, internal ? 1 : 0);
        db_bind_int64(st, 3, ids[i]);
        rc = db_run(st, err);
        if (rc)
            return rc;
    }
    return TEND_OK;
}
