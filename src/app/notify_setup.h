/* notify_setup.h: the notifier of `tend serve`: its flags (SMTP server, sender,
 * TLS, public URL, attempts) checked into a config, and the writer hooks that
 * start and stop its thread. */
#ifndef TEND_APP_NOTIFY_SETUP_H
#define TEND_APP_NOTIFY_SETUP_H

#include "options.h"
#include "platform/util/err.h"

struct db_writer;

/* The option rows of the notifier, appended by cmd_serve to its own (terminated
 * by name == NULL like every option table). */
extern const struct option_def notify_options[];
extern const int notify_options_count;

/* Check the parsed flags (and the TEND_NOTIFY_* test knobs); prints the reason
 * and returns -1 when one is wrong. `listen` is HOST:PORT (the default public URL). */
int notify_setup(const struct option_def *defs, const char *listen);

/* http_config.on_writer / on_writer_stop. */
enum tend_rc notify_on_writer(struct db_writer *writer, const char *node, struct tend_err *err);
void notify_on_writer_stop(void);

#endif
