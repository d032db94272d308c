/* template.c: {{name}} placeholders (see template.h). */
#include "template.h"

#include <stdio.h>
#include <string.h>

#include "platform/util/jbuf.h"
#include "platform/util/util.h"

#define NAME_MAX_LEN 64

static void
escaped(struct jbuf *b, const char *s, int html)
{
    if (!html) {
        jbuf_lit(b, s);
        return;
    }
    for (; *s; s++) {
        switch (*s) {
        case '&': jbuf_lit(b, "&amp;"); break;
        case '<': jbuf_lit(b, "&lt;"); break;
        case '>': jbuf_lit(b, "&gt;"); break;
        case '"': jbuf_lit(b, "&quot;"); break;
        case '\'': jbuf_lit(b, "&#39;"); break;
        default: jbuf_raw(b, s, 1);
        }
    }
}

/* The placeholder name between `open` (after "{{") and "}}": trimmed into
 * `name`; returns the position after "}}", or NULL when unclosed or too long. */
static const char *
placeholder(const char *open, char *name, size_t namelen)
{
    const char *close = strstr(open, "}}"), *a = open, *z;

    if (!close)
        return NULL;
    z = close;
    while (a < z && *a == ' ')
        a++;
    while (z > a && z[-1] == ' ')
        z--;
    if ((size_t)(z - a) >= namelen)
        return NULL;
    memcpy(name, a, (size_t)(z - a));
    name[z - a] = '\0';
    return close + 2;
}

char *
template_render(const char *tmpl, const json_t *vars, int html)
{
    struct jbuf b;
    const char *p = tmpl;

    jbuf_init(&b, strlen(tmpl) + 256);
    while (*p) {
        const char *open = strstr(p, "{{"), *next;
        char name[NAME_MAX_LEN];
        json_t *v;

        if (!open) {
            jbuf_lit(&b, p);
            break;
        }
        jbuf_raw(&b, p, (size_t)(open - p));
        next = placeholder(open + 2, name, sizeof(name));
        if (!next) { /* not a placeholder: keep the text */
            jbuf_raw(&b, "{{", 2);
            p = open + 2;
            continue;
        }
        v = json_object_get(vars, name);
        if (json_is_string(v)) {
            escaped(&b, json_string_value(v), html);
        } else if (json_is_integer(v)) {
            char num[32];
            snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
            jbuf_lit(&b, num);
        }
        p = next;
    }
    jbuf_raw(&b, "", 1);
    return b.data;
}

int
template_check(const char *tmpl, const json_t *known, char *bad, size_t badlen)
{
    const char *p = tmpl, *open;

    while ((open = strstr(p, "{{")) != NULL) {
        char name[NAME_MAX_LEN];
        const char *next = placeholder(open + 2, name, sizeof(name));
        if (!next) {
            strlcopy(bad, "{{", badlen);
            return -1;
        }
        if (!json_object_get(known, name)) {
            strlcopy(bad, name, badlen);
            return -1;
        }
        p = next;
    }
    return 0;
}
