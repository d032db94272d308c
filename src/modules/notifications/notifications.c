/* notifications.c: the pure rules of notifications: kinds, defaults, mentions,
 * webhook patterns, template variables. */
#include "notifications.h"

#include <ctype.h>
#include <string.h>

#include "platform/util/util.h"

const char *const notify_kinds[] = {
    "ticket.assigned", "ticket.mentioned", "ticket.commented", "ticket.status_changed",
    "ticket.created",  "sla.warning",      "sla.breached",     "sla.escalated",
    "rule.notify",
};
const int notify_kinds_count = sizeof(notify_kinds) / sizeof(notify_kinds[0]);
const char *const notify_languages[] = {"en", "zh-CN"};
const int notify_languages_count = 2;

int
notify_kind_index(const char *kind)
{
    for (int i = 0; i < notify_kinds_count; i++)
        if (strcmp(notify_kinds[i], kind) == 0)
            return i;
    return -1;
}

int
notify_language_valid(const char *lang)
{
    for (int i = 0; i < notify_languages_count; i++)
        if (strcmp(notify_languages[i], lang) == 0)
            return 1;
    return 0;
}

int
notify_default_enabled(const char *kind, const char *channel)
{
    if (strcmp(channel, "in_app") == 0)
        return 1;
    /* email only for what needs the person: replies and status moves would flood */
    return strcmp(kind, "ticket.commented") != 0 && strcmp(kind, "ticket.status_changed") != 0 &&
           strcmp(kind, "ticket.created") != 0;
}

static int
name_char(char c)
{
    return isalnum((unsigned char)c) || c == '.' || c == '_' || c == '-';
}

int
notify_mentions(const char *body, char (*names)[64], int max)
{
    int n = 0;

    for (const char *p = body; *p && n < max; p++) {
        size_t len = 0;
        int seen = 0;
        if (*p != '@' || (p > body && name_char(p[-1])))
            continue;
        while (name_char(p[1 + len]))
            len++;
        while (len > 0 && p[len] == '.') /* "@li.na." ends a sentence */
            len--;
        if (len == 0 || len >= 64)
            continue;
        for (int i = 0; i < n && !seen; i++)
            seen = strncmp(names[i], p + 1, len) == 0 && names[i][len] == '\0';
        if (!seen) {
            memcpy(names[n], p + 1, len);
            names[n][len] = '\0';
            n++;
        }
        p += len;
    }
    return n;
}

int
notify_pattern_match(const json_t *patterns, const char *type)
{
    size_t i;
    json_t *v;

    json_array_foreach(patterns, i, v) {
        const char *p = json_string_value(v);
        size_t len;
        if (!p)
            continue;
        len = strlen(p);
        if (strcmp(p, "*") == 0 || strcmp(p, type) == 0)
            return 1;
        if (len >= 2 && p[len - 1] == '*' && p[len - 2] == '.' && strncmp(p, type, len - 1) == 0)
            return 1;
    }
    return 0;
}

json_t *
notify_time_json(int64_t ms)
{
    char buf[40];
    return json_string(time_format_rfc3339(ms, buf, sizeof(buf)));
}

json_t *
notify_sample_vars(void)
{
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "ticket.id", "42", "ticket.number",
                     "SR-2026-000042", "ticket.subject", "空调不制冷 / Air conditioner not cooling", "ticket.status",
                     "in_progress", "ticket.priority", "high", "actor", "李娜", "recipient.name", "王伟", "link",
                     "https://tend.example/tickets/42", "comment.body", "@wang.wei please check the compressor.",
                     "sla.metric", "resolution", "sla.due_at", "2026-11-23T18:00:00.000Z", "sla.level", "1",
                     "event.type", "ticket.assigned");
}
