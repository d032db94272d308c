/* options.c: parsing --flag VALUE, --flag=VALUE and TEND_* variables. */
#include "options.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
options_usage(const char *command, const char *synopsis, const struct option_def *defs,
              int to_stderr)
{
    FILE *out = to_stderr ? stderr : stdout;

    fprintf(out, "usage: tend %s [options]\n\n%s\n\noptions:\n", command, synopsis);
    for (const struct option_def *d = defs; d->name; d++) {
        char left[64];
        snprintf(left, sizeof(left), "--%s%s%s", d->name, d->metavar ? " " : "",
                 d->metavar ? d->metavar : "");
        fprintf(out, "  %-26s %s", left, d->help);
        if (d->env)
            fprintf(out, " [env %s]", d->env);
        if (d->value && d->metavar)
            fprintf(out, " (default: %s)", d->value);
        fputc('\n', out);
    }
    fprintf(out, "  %-26s %s\n", "--help", "show this help");
}

static struct option_def *
find(struct option_def *defs, const char *name, size_t len)
{
    for (struct option_def *d = defs; d->name; d++)
        if (strlen(d->name) == len && strncmp(d->name, name, len) == 0)
            return d;
    return NULL;
}

int
options_parse(const char *command, const char *synopsis, struct option_def *defs, int argc,
              char **argv)
{
    for (struct option_def *d = defs; d->name; d++) {
        const char *v = d->env ? getenv(d->env) : NULL;
        if (v && *v)
            d->value = v;
    }
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i], *eq;
        struct option_def *d;

        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            options_usage(command, synopsis, defs, 0);
            return 1;
        }
        if (strncmp(arg, "--", 2) != 0) {
            fprintf(stderr, "tend %s: unexpected argument '%s' (see tend %s --help)\n", command, arg,
                    command);
            return -1;
        }
        arg += 2;
        eq = strchr(arg, '=');
        d = find(defs, arg, eq ? (size_t)(eq - arg) : strlen(arg));
        if (!d) {
            fprintf(stderr, "tend %s: unknown option '%s' (see tend %s --help)\n", command, argv[i],
                    command);
            return -1;
        }
        if (!d->metavar) {
            if (eq) {
                fprintf(stderr, "tend %s: --%s takes no value\n", command, d->name);
                return -1;
            }
            d->value = "1";
            continue;
        }
        if (eq) {
            d->value = eq + 1;
        } else if (i + 1 < argc) {
            d->value = argv[++i];
        } else {
            fprintf(stderr, "tend %s: --%s needs a value (%s)\n", command, d->name, d->metavar);
            return -1;
        }
    }
    return 0;
}

const char *
options_get(const struct option_def *defs, const char *name)
{
    for (const struct option_def *d = defs; d->name; d++)
        if (strcmp(d->name, name) == 0)
            return d->value;
    return NULL;
}
