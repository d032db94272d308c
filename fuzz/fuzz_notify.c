/* fuzz_notify.c: libFuzzer harness for what notifications make of admin and
 * user input: email templates (check and render, text and HTML), RFC 2047
 * header encoding and addresses, @mentions, webhook event patterns, the
 * sender flag. */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "modules/notifications/notifications.h"
#include "platform/notify/mime.h"
#include "platform/notify/template.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1), bad[80], names[16][64];
    json_t *vars = notify_sample_vars(), *patterns;
    struct notify_config cfg;
    char *out;

    memcpy(s, data, size);
    s[size] = '\0';
    (void)template_check(s, vars, bad, sizeof(bad));
    out = template_render(s, vars, 0);
    free(out);
    out = template_render(s, vars, 1);
    free(out);
    out = mime_encode_header(s);
    free(out);
    out = mime_address(s, "x@example.test");
    free(out);
    out = mime_base64(data, size, 76);
    free(out);
    (void)notify_mentions(s, names, 16);
    patterns = json_loadb(s, size, JSON_DECODE_ANY, NULL);
    if (patterns) {
        (void)notify_pattern_match(patterns, "ticket.created");
        json_decref(patterns);
    }
    notify_config_defaults(&cfg);
    (void)notify_config_set_from(&cfg, s);
    json_decref(vars);
    free(s);
    return 0;
}
