/* fuzz_attachment.c: libFuzzer harness for what an upload is judged by: the
 * content sniffer (on the bytes as a file) and the file-name rules with the
 * Content-Disposition built from an accepted name (on the bytes as a name). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "modules/attachments/attachments.h"
#include "platform/util/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const known_types[] = {
    "image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "application/zip",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "video/mp4", "video/quicktime", "text/plain; charset=utf-8", "text/csv; charset=utf-8", NULL};

static void
check_sniff(const uint8_t *data, size_t size)
{
    const char *type = attachment_sniff(data, size, "fuzz.csv");
    int known = type == NULL;

    for (int i = 0; type && known_types[i]; i++)
        known |= strcmp(type, known_types[i]) == 0;
    if (!known)
        __builtin_trap();
    /* text is only ever valid UTF-8 */
    if (type && strncmp(type, "text/", 5) == 0 && !utf8_valid((const char *)data, size))
        __builtin_trap();
}

static void
check_name(const uint8_t *data, size_t size)
{
    char *name = malloc(size + 1);
    char disposition[ATTACHMENT_DISPOSITION_MAX];
    struct tend_err err;

    memcpy(name, data, size);
    name[size] = '\0';
    tend_err_clear(&err);
    if (attachment_filename_check(name, size, &err) == TEND_OK) {
        /* an accepted name has no path separator, and its header is one clean line */
        if (strchr(name, '/') || strchr(name, '\\') || strcmp(name, "..") == 0)
            __builtin_trap();
        attachment_content_disposition(name, disposition, sizeof(disposition));
        for (const char *p = disposition; *p; p++)
            if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
                __builtin_trap();
    } else if (err.rc != TEND_EINVAL || strcmp(err.field, "filename") != 0) {
        __builtin_trap();
    }
    free(name);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_sniff(data, size);
    check_name(data, size);
    return 0;
}
