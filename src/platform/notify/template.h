/* template.h: the message templates of notifications: text with {{name}}
 * placeholders filled from a JSON object of values. Pure. */
#ifndef TEND_NOTIFY_TEMPLATE_H
#define TEND_NOTIFY_TEMPLATE_H

#include <jansson.h>
#include <stddef.h>

/* `tmpl` with every {{name}} (spaces inside the braces allowed) replaced by
 * the value of `name` in `vars` (a string, or a number written in decimal);
 * a missing name renders empty. html = 1 escapes & < > " ' in the values (the
 * template itself is trusted). malloc'd; caller frees. */
char *template_render(const char *tmpl, const json_t *vars, int html);

/* 0 when every placeholder of `tmpl` is closed and names a member of `known`;
 * else -1 with `bad` the offending name, or "{{" for an unclosed one. */
int template_check(const char *tmpl, const json_t *known, char *bad, size_t badlen);

#endif
