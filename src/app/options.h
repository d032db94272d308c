/* options.h: command-line flags declared as data, each also read from a TEND_*
 * environment variable; flags win over the environment, which wins over defaults. */
#ifndef TEND_OPTIONS_H
#define TEND_OPTIONS_H

struct option_def {
    const char *name;  /* "listen" for --listen */
    const char *env;   /* "TEND_LISTEN", or NULL */
    const char *metavar; /* "HOST:PORT", or NULL for a switch without value */
    const char *help;
    const char *value; /* in: default; out: the value given (or "1" for a switch) */
};

/* Parse argv (after the subcommand) into `defs` (terminated by name == NULL).
 * Returns 0, 1 when --help was asked (usage printed on stdout), or -1 after
 * printing a clear message on stderr. */
int options_parse(const char *command, const char *synopsis, struct option_def *defs, int argc,
                  char **argv);

/* The value of option `name`. */
const char *options_get(const struct option_def *defs, const char *name);

void options_usage(const char *command, const char *synopsis, const struct option_def *defs,
                   int to_stderr);

#endif
