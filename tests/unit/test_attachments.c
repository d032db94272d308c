/* test_attachments.c: content sniffing on real magic bytes and disguises, file
 * name rules, storage paths, Content-Disposition, and the store (files on disk,
 * rows, claims by a comment) against a real database and directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "modules/attachments/attachments.h"
#include "platform/db/migrate.h"
#include "platform/util/util.h"

#define SNIFF(lit, name) attachment_sniff((const unsigned char *)(lit), sizeof(lit) - 1, (name))

/* --- a minimal ZIP (stored, empty entries) with the given names --------------- */

struct zipbuf {
    unsigned char data[4096];
    size_t len;
};

static void
put16(struct zipbuf *z, unsigned v)
{
    z->data[z->len++] = (unsigned char)(v & 0xff);
    z->data[z->len++] = (unsigned char)(v >> 8);
}

static void
put32(struct zipbuf *z, unsigned v)
{
    put16(z, v & 0xffff);
    put16(z, v >> 16);
}

static void
putn(struct zipbuf *z, const void *p, size_t n)
{
    memcpy(z->data + z->len, p, n);
    z->len += n;
}

static void
make_zip(struct zipbuf *z, const char *const *names)
{
    unsigned offsets[16], cd, n = 0;

    z->len = 0;
    for (; names[n]; n++) {
        offsets[n] = (unsigned)z->len;
        putn(z, "PK\3\4", 4);
        put16(z, 20), put16(z, 0), put16(z, 0), put16(z, 0), put16(z, 0);
        put32(z, 0), put32(z, 0), put32(z, 0);
        put16(z, (unsigned)strlen(names[n])), put16(z, 0);
        putn(z, names[n], strlen(names[n]));
    }
    cd = (unsigned)z->len;
    for (unsigned i = 0; i < n; i++) {
        putn(z, "PK\1\2", 4);
        put16(z, 20), put16(z, 20), put16(z, 0), put16(z, 0), put16(z, 0), put16(z, 0);
        put32(z, 0), put32(z, 0), put32(z, 0);
        put16(z, (unsigned)strlen(names[i])), put16(z, 0), put16(z, 0), put16(z, 0), put16(z, 0);
        put32(z, 0), put32(z, offsets[i]);
        putn(z, names[i], strlen(names[i]));
    }
    putn(z, "PK\5\6", 4);
    put16(z, 0), put16(z, 0), put16(z, n), put16(z, n);
    put32(z, (unsigned)z->len - cd), put32(z, cd);
    put16(z, 0);
}

static const char *
sniff_zip(const char *const *names, size_t cut)
{
    struct zipbuf z;
    make_zip(&z, names);
    return attachment_sniff(z.data, cut ? cut : z.len, "file.zip");
}

/* --- sniffing ---------------------------------------------------------------- */

static void
test_images_and_pdf_are_known_by_their_magic_bytes(void **state)
{
    (void)state;
    assert_string_equal(SNIFF("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "a.png"), "image/png");
    assert_string_equal(SNIFF("\xFF\xD8\xFF\xE0\0\x10JFIF\0", "a.jpg"), "image/jpeg");
    assert_string_equal(SNIFF("GIF89a\x01\0\x01\0", "a.gif"), "image/gif");
    assert_string_equal(SNIFF("GIF87a\x01\0\x01\0", "a.gif"), "image/gif");
    assert_string_equal(SNIFF("RIFF\x24\0\0\0WEBPVP8 ", "a.webp"), "image/webp");
    assert_string_equal(SNIFF("%PDF-1.7\n%\xE2\xE3\xCF\xD3\n", "a.pdf"), "application/pdf");
    /* the name plays no part for binary formats */
    assert_string_equal(SNIFF("%PDF-1.4\n", "photo.png"), "application/pdf");
    assert_string_equal(SNIFF("\x89PNG\r\n\x1a\n", NULL), "image/png");
}

static void
test_mp4_is_known_by_its_ftyp_box_and_heif_is_not_video(void **state)
{
    (void)state;
    assert_string_equal(SNIFF("\0\0\0\x18" "ftypisom\0\0\x02\0isomiso2", "v.mp4"), "video/mp4");
    assert_string_equal(SNIFF("\0\0\0\x14" "ftypmp42\0\0\0\0mp42", "v.mp4"), "video/mp4");
    assert_string_equal(SNIFF("\0\0\0\x14" "ftypqt  \0\0\0\0qt  ", "v.mov"), "video/quicktime");
    assert_null(SNIFF("\0\0\0\x18" "ftypheic\0\0\0\0mif1heic", "p.heic"));
    /* a box size larger than the file or too small to hold a brand */
    assert_null(SNIFF("\0\0\x10\0" "ftypisom\0\0\0\0isom", "v.mp4"));
    assert_null(SNIFF("\0\0\0\x04" "ftypisom\0\0\0\0isom", "v.mp4"));
}

static void
test_office_files_are_told_apart_from_plain_zip(void **state)
{
    static const char *const docx[] = {"[Content_Types].xml", "_rels/.rels", "word/document.xml",
                                       NULL};
    static const char *const xlsx[] = {"[Content_Types].xml", "xl/workbook.xml", NULL};
    static const char *const pptx[] = {"[Content_Types].xml", "ppt/presentation.xml", NULL};
    static const char *const plain[] = {"readme.txt", "word/not-office-without-content-types",
                                        NULL};
    static const char *const empty[] = {NULL};
    (void)state;

    assert_string_equal(sniff_zip(docx, 0),
                        "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
    assert_string_equal(sniff_zip(xlsx, 0),
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    assert_string_equal(sniff_zip(pptx, 0),
                        "application/vnd.openxmlformats-officedocument.presentationml.presentation");
    assert_string_equal(sniff_zip(plain, 0), "application/zip");
    assert_string_equal(sniff_zip(empty, 0), "application/zip");
}

static void
test_truncated_headers_are_refused(void **state)
{
    static const char *const docx[] = {"[Content_Types].xml", "word/document.xml", NULL};
    struct zipbuf z;
    (void)state;

    assert_null(SNIFF("\x89PN", "a.png"));
    assert_null(SNIFF("\xFF\xD8", "a.jpg"));
    assert_null(SNIFF("RIFF\x24\0\0\0WEB", "a.webp"));
    assert_null(SNIFF("\0\0\0\x18" "ftypis", "v.mp4"));
    /* a cut header of printable bytes is just text, never the format it began */
    assert_string_equal(SNIFF("GIF8", "a.gif"), "text/plain; charset=utf-8");
    assert_string_equal(SNIFF("%PDF", "a.pdf"), "text/plain; charset=utf-8");
    /* a ZIP cut anywhere loses its end record or its directory */
    make_zip(&z, docx);
    for (size_t cut = 4; cut < z.len; cut++) /* shorter is "PK..." text */
        assert_null(sniff_zip(docx, cut));
    /* a directory whose offset points outside the file */
    z.data[z.len - 6] = 0xff;
    assert_null(attachment_sniff(z.data, z.len, "x.docx"));
}

static void
test_html_svg_and_executables_are_refused_whatever_the_name(void **state)
{
    (void)state;
    assert_null(SNIFF("<html><body>hi</body></html>", "photo.png"));
    assert_null(SNIFF("\xEF\xBB\xBF  \n<!DOCTYPE html><p>x", "report.pdf"));
    assert_null(SNIFF("<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>", "a.png"));
    assert_null(SNIFF("<?xml version=\"1.0\"?><svg/>", "a.svg"));
    assert_null(SNIFF("hello\n<SCRIPT>alert(1)</SCRIPT>", "notes.txt"));
    assert_null(SNIFF("<p>a paragraph</p>", "a.txt"));
    assert_null(SNIFF("MZ\x90\0\x03\0\0\0\x04\0\0\0\xFF\xFF", "setup.pdf"));
    assert_null(SNIFF("\x7F" "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0", "a.txt"));
    assert_null(SNIFF("#!/bin/sh\nrm -rf /\0", "run.txt"));
}

static void
test_utf8_text_is_text_and_binary_is_not(void **state)
{
    char noisy[200];
    (void)state;

    assert_string_equal(SNIFF("Printer log\r\nline 2\tok\n", "log.txt"), "text/plain; charset=utf-8");
    assert_string_equal(SNIFF("型号,序列号\n打印机,SN-001\n", "资产.CSV"), "text/csv; charset=utf-8");
    assert_string_equal(SNIFF("\xEF\xBB\xBFname,qty\nbelt,2\n", "parts.csv"), "text/csv; charset=utf-8");
    assert_string_equal(SNIFF("a < b and c > d\n", "maths.txt"), "text/plain; charset=utf-8");
    assert_string_equal(SNIFF("\x1b[31mERROR\x1b[0m fuser\n", "device.log"),
                        "text/plain; charset=utf-8");
    assert_null(SNIFF("caf\xE9 au lait", "latin1.txt")); /* ISO-8859-1, not UTF-8 */
    assert_null(SNIFF("\xFF\xFEh\0i\0", "utf16.txt"));
    assert_null(SNIFF("text\0with a NUL", "a.txt"));
    assert_null(SNIFF("\xE6\x89\x93\xE5", "cut.txt")); /* a character cut short */
    /* more than 1% stray control characters is binary */
    memset(noisy, 'a', sizeof(noisy));
    memcpy(noisy, "\x01\x02\x03", 3);
    assert_null(attachment_sniff((unsigned char *)noisy, sizeof(noisy), "a.txt"));
    memcpy(noisy + 1, "aa", 2);
    assert_non_null(attachment_sniff((unsigned char *)noisy, sizeof(noisy), "a.txt"));
    assert_null(attachment_sniff((const unsigned char *)"", 0, "empty.txt"));
}

/* --- file names ---------------------------------------------------------------- */

static enum tend_rc
check_name(const char *name)
{
    struct tend_err err;
    enum tend_rc rc;

    tend_err_clear(&err);
    rc = attachment_filename_check(name, name ? strlen(name) : 0, &err);
    if (rc != TEND_OK)
        assert_string_equal(err.field, "filename");
    return rc;
}

static void
test_filenames_follow_the_rules(void **state)
{
    char name[1100];
    (void)state;

    assert_int_equal(check_name("report.pdf"), TEND_OK);
    assert_int_equal(check_name("维修报告 2026-11.pdf"), TEND_OK);
    assert_int_equal(check_name(".hidden"), TEND_OK);
    assert_int_equal(check_name("..."), TEND_OK);
    assert_int_equal(check_name("a\"b;c'%.txt"), TEND_OK);
    assert_int_equal(check_name(NULL), TEND_EINVAL);
    assert_int_equal(check_name(""), TEND_EINVAL);
    assert_int_equal(check_name("."), TEND_EINVAL);
    assert_int_equal(check_name(".."), TEND_EINVAL);
    assert_int_equal(check_name("../etc/passwd"), TEND_EINVAL);
    assert_int_equal(check_name("dir/file"), TEND_EINVAL);
    assert_int_equal(check_name("C:\\boot.ini"), TEND_EINVAL);
    assert_int_equal(check_name("tab\there"), TEND_EINVAL);
    assert_int_equal(check_name("new\nline"), TEND_EINVAL);
    assert_int_equal(check_name("del\x7f"), TEND_EINVAL);
    assert_int_equal(check_name("c1\xC2\x85" "control"), TEND_EINVAL);
    assert_int_equal(check_name("invoice\xE2\x80\xAE" "fdp.exe"), TEND_EINVAL); /* U+202E */
    assert_int_equal(check_name("bad\xFF" "utf8"), TEND_EINVAL);
    assert_int_equal(check_name("over\xC0\xAF" "long"), TEND_EINVAL);
    /* 255 characters, counted as code points, not bytes */
    memset(name, 'a', 255);
    name[255] = '\0';
    assert_int_equal(check_name(name), TEND_OK);
    name[255] = 'a';
    name[256] = '\0';
    assert_int_equal(check_name(name), TEND_EINVAL);
    for (int i = 0; i < 256; i++)
        memcpy(name + i * 3, "报", 3);
    name[255 * 3] = '\0'; /* 765 bytes, 255 characters */
    assert_int_equal(check_name(name), TEND_OK);
    memcpy(name + 255 * 3, "报", 3);
    name[256 * 3] = '\0';
    assert_int_equal(check_name(name), TEND_EINVAL);
}

/* --- paths and headers ------------------------------------------------------------ */

#define HEX "0e8754cfeb908584f7a2f2ccd08e37fda8d3d540cbaf2e16ac559c7ea59a7151"

static void
test_storage_path_comes_from_the_digest_only(void **state)
{
    char path[ATTACHMENT_PATH_MAX];
    (void)state;

    assert_int_equal(attachment_path("/var/lib/tend", HEX, path, sizeof(path)), 0);
    assert_string_equal(path, "/var/lib/tend/attachments/0e/87/" HEX);
    assert_int_equal(attachment_path("d", "../../etc/passwd", path, sizeof(path)), -1);
    assert_int_equal(attachment_path("d", "0E8754CFEB908584F7A2F2CCD08E37FDA8D3D540CBAF2E16AC559C7EA59A7151",
                                     path, sizeof(path)), -1);
    assert_int_equal(attachment_path("d", HEX "00", path, sizeof(path)), -1);
    assert_int_equal(attachment_path("d", "", path, sizeof(path)), -1);
    assert_int_equal(attachment_path("", HEX, path, sizeof(path)), -1); /* not at the root */
    assert_int_equal(attachment_path("/var/lib/tend", HEX, path, 40), -1);
}

static void
test_content_disposition_keeps_chinese_names_and_quotes_safely(void **state)
{
    char out[ATTACHMENT_DISPOSITION_MAX];
    char longname[1100];
    (void)state;

    attachment_content_disposition("report.pdf", out, sizeof(out));
    assert_string_equal(out, "attachment; filename=\"report.pdf\"; filename*=UTF-8''report.pdf");
    attachment_content_disposition("维修报告.pdf", out, sizeof(out));
    assert_string_equal(out, "attachment; filename=\"____.pdf\"; "
                             "filename*=UTF-8''%E7%BB%B4%E4%BF%AE%E6%8A%A5%E5%91%8A.pdf");
    attachment_content_disposition("a \"b\" 100%;x.txt", out, sizeof(out));
    assert_string_equal(out, "attachment; filename=\"a _b_ 100_;x.txt\"; "
                             "filename*=UTF-8''a%20%22b%22%20100%25%3Bx.txt");
    /* the longest name fits whole */
    for (int i = 0; i < 255; i++)
        memcpy(longname + i * 4, "\xF0\x9F\x98\x80", 4); /* U+1F600 */
    longname[255 * 4] = '\0';
    attachment_content_disposition(longname, out, sizeof(out));
    assert_int_equal(strlen(out), strlen("attachment; filename=\"\"; filename*=UTF-8''") + 255 +
                                      255 * 12);
    /* a short buffer never ends inside a %XX */
    attachment_content_disposition("维修报告.pdf", out, 60);
    assert_true(strlen(out) < 60);
    assert_int_not_equal(out[strlen(out) - 1], '%');
    assert_true(out[strlen(out) - 2] != '%');
}

/* --- the store: files and rows ------------------------------------------------------ */

struct fixture {
    char dir[64];
    struct db *db;
};

static int
setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    struct tend_err err;
    char url[128];

    snprintf(f->dir, sizeof(f->dir), "/tmp/tend-unit-XXXXXX");
    if (!mkdtemp(f->dir)) {
        free(f);
        return -1;
    }
    snprintf(url, sizeof(url), "sqlite:%s/t.db", f->dir);
    if (db_open(url, DB_OPEN_CREATE, &f->db, &err) || migrate_up(f->db, NULL, &err) ||
        db_exec(f->db,
                "INSERT INTO tickets (id, number, subject, status, priority, created_at, "
                "updated_at) VALUES (1, 'SR-1', 's', 'new', 'normal', 0, 0); "
                "INSERT INTO comments (id, ticket_id, author, body, created_at) "
                "VALUES (7, 1, 'a', 'x', 0)",
                &err)) {
        fprintf(stderr, "setup: %s\n", err.message);
        db_close(f->db);
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fixture *f = *state;
    char cmd[128];

    db_close(f->db);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
    if (system(cmd) != 0)
        return -1;
    free(f);
    return 0;
}

static void
test_files_are_stored_once_under_their_digest(void **state)
{
    struct fixture *f = *state;
    char path[ATTACHMENT_PATH_MAX], dir[ATTACHMENT_PATH_MAX];
    struct tend_err err;
    struct stat st;
    FILE *fp;
    char buf[32];

    tend_err_clear(&err);
    assert_int_equal(attachments_prepare_dir(f->dir, &err), TEND_OK);
    assert_int_equal(attachments_prepare_dir(f->dir, &err), TEND_OK); /* already there */
    assert_int_equal(attachments_store_file(f->dir, HEX, "hello", 5, &err), TEND_OK);
    assert_int_equal(attachment_path(f->dir, HEX, path, sizeof(path)), 0);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_size, 5);
    /* the same digest again is not rewritten (the content would be the same) */
    assert_int_equal(attachments_store_file(f->dir, HEX, "HELLO", 5, &err), TEND_OK);
    fp = fopen(path, "rb");
    assert_non_null(fp);
    assert_int_equal(fread(buf, 1, sizeof(buf), fp), 5);
    fclose(fp);
    assert_memory_equal(buf, "hello", 5);
    /* no temporary file is left behind */
    snprintf(dir, sizeof(dir), "%s/attachments/0e/87", f->dir);
    {
        char cmd[ATTACHMENT_PATH_MAX + 32];
        snprintf(cmd, sizeof(cmd), "test $(ls -A %s | wc -l) -eq 1", dir);
        assert_int_equal(system(cmd), 0);
    }
    assert_int_not_equal(attachments_store_file(f->dir, "../x", "a", 1, &err), TEND_OK);
}

static int64_t
add(struct db *db, int64_t ticket, int internal, const char *name)
{
    struct attachment a;
    struct tend_err err;

    memset(&a, 0, sizeof(a));
    strlcopy(a.entity, "ticket", sizeof(a.entity));
    a.entity_id = ticket;
    a.internal = internal;
    strlcopy(a.sha256, HEX, sizeof(a.sha256));
    strlcopy(a.filename, name, sizeof(a.filename));
    strlcopy(a.content_type, "image/png", sizeof(a.content_type));
    a.size = 5;
    assert_int_equal(attachments_store_add(db, &a, 0, "tester", 1000, &err), TEND_OK);
    assert_true(a.id > 0);
    return a.id;
}

static void
test_list_is_oldest_first_and_hides_internal_files(void **state)
{
    struct fixture *f = *state;
    struct tend_err err;
    json_t *items;
    int64_t first = add(f->db, 1, 0, "one.png"), second = add(f->db, 1, 1, "two.png");

    add(f->db, 2, 0, "other-ticket.png");
    assert_int_equal(attachments_store_list(f->db, "ticket", 1, 1, &items, &err), TEND_OK);
    assert_int_equal(json_array_size(items), 2);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(items, 0), "id")), first);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(items, 1), "id")), second);
    assert_true(json_is_null(json_object_get(json_array_get(items, 0), "comment_id")));
    assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "created_at")),
                        "1970-01-01T00:00:01.000Z");
    json_decref(items);
    assert_int_equal(attachments_store_list(f->db, "ticket", 1, 0, &items, &err), TEND_OK);
    assert_int_equal(json_array_size(items), 1);
    json_decref(items);
}

static void
test_claim_puts_files_on_a_comment_once(void **state)
{
    struct fixture *f = *state;
    struct tend_err err;
    struct attachment a;
    int64_t mine = add(f->db, 1, 0, "a.png"), also = add(f->db, 1, 0, "b.png");
    int64_t elsewhere = add(f->db, 2, 0, "c.png");
    int64_t ids[3];

    ids[0] = mine;
    ids[1] = elsewhere;
    assert_int_equal(attachments_store_claim(f->db, "ticket", 1, 7, 1, ids, 2, &err), TEND_EINVAL);
    assert_string_equal(err.field, "attachment_ids[1]");
    ids[1] = 987654;
    assert_int_equal(attachments_store_claim(f->db, "ticket", 1, 7, 1, ids, 2, &err), TEND_EINVAL);
    assert_string_equal(err.field, "attachment_ids[1]");
    ids[1] = also;
    ids[2] = mine;
    assert_int_equal(attachments_store_claim(f->db, "ticket", 1, 7, 1, ids, 3, &err), TEND_EINVAL);
    assert_string_equal(err.field, "attachment_ids[2]");
    /* nothing was claimed by the refusals */
    assert_int_equal(attachments_store_get(f->db, mine, &a, &err), TEND_OK);
    assert_int_equal(a.comment_id, 0);

    assert_int_equal(attachments_store_claim(f->db, "ticket", 1, 7, 1, ids, 2, &err), TEND_OK);
    assert_int_equal(attachments_store_get(f->db, also, &a, &err), TEND_OK);
    assert_int_equal(a.comment_id, 7);
    assert_int_equal(a.internal, 1);
    ids[0] = also;
    assert_int_equal(attachments_store_claim(f->db, "ticket", 1, 7, 0, ids, 1, &err), TEND_EINVAL);
    assert_string_equal(err.field, "attachment_ids[0]");
    assert_int_equal(attachments_store_get(f->db, 987654, &a, &err), TEND_ENOTFOUND);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_images_and_pdf_are_known_by_their_magic_bytes),
        cmocka_unit_test(test_mp4_is_known_by_its_ftyp_box_and_heif_is_not_video),
        cmocka_unit_test(test_office_files_are_told_apart_from_plain_zip),
        cmocka_unit_test(test_truncated_headers_are_refused),
        cmocka_unit_test(test_html_svg_and_executables_are_refused_whatever_the_name),
        cmocka_unit_test(test_utf8_text_is_text_and_binary_is_not),
        cmocka_unit_test(test_filenames_follow_the_rules),
        cmocka_unit_test(test_storage_path_comes_from_the_digest_only),
        cmocka_unit_test(test_content_disposition_keeps_chinese_names_and_quotes_safely),
        cmocka_unit_test_setup_teardown(test_files_are_stored_once_under_their_digest, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_list_is_oldest_first_and_hides_internal_files, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_claim_puts_files_on_a_comment_once, setup, teardown),
    };
    return cmocka_run_group_tests_name("attachments", tests, NULL, NULL);
}
