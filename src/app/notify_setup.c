/* notify_setup.c: flags and life cycle of the notifier in `tend serve`. */
#include "notify_setup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/notifications/notifications.h"
#include "platform/notify/outbox.h"
#include "platform/util/util.h"

const struct option_def notify_options[] = {
    {"smtp-url", "TEND_SMTP_URL", "URL",
     "SMTP server for email notifications: smtp://HOST:PORT or smtps://HOST:PORT (none: email waits)", NULL},
    {"smtp-user", "TEND_SMTP_USER", "NAME", "SMTP AUTH user name (none: no AUTH)", NULL},
    {"smtp-password", "TEND_SMTP_PASSWORD", "SECRET", "SMTP AUTH password (prefer the variable to the flag)", NULL},
    {"smtp-from", "TEND_SMTP_FROM", "ADDRESS", "sender of notifications: \"Name <addr>\" or addr",
     "Tend <tend@localhost>"},
    {"smtp-tls", "TEND_SMTP_TLS", "none|starttls|tls",
     "starttls: require STARTTLS on smtp://; tls: implicit TLS (smtps://)", "none"},
    {"public-url", "TEND_PUBLIC_URL", "URL", "the console's address in messages (default: http://LISTEN)", NULL},
    {"notify-max-attempts", "TEND_NOTIFY_MAX_ATTEMPTS", "N",
     "tries of an email or webhook delivery before it is parked as failed (1-50)", "8"},
};
const int notify_options_count = sizeof(notify_options) / sizeof(notify_options[0]);

static struct notify_config config;
static struct notifier *running;

/* A TEND_NOTIFY_* knob in milliseconds (tests shorten the waits). */
static int
knob(const char *name, int64_t min, int64_t max, int64_t *out)
{
    const char *v = getenv(name);

    if (!v)
        return 0;
    if (parse_int64(v, strlen(v), min, max, out) != 0) {
        fprintf(stderr, "tend serve: %s must be %lld to %lld\n", name, (long long)min, (long long)max);
        return -1;
    }
    return 0;
}

int
notify_setup(const struct option_def *defs, const char *listen)
{
    const char *url = options_get(defs, "smtp-url"), *tls = options_get(defs, "smtp-tls");
    const char *pub = options_get(defs, "public-url"), *att = options_get(defs, "notify-max-attempts");
    int64_t attempts;

    notify_config_defaults(&config);
    if (url && *url) {
        if ((strncmp(url, "smtp://", 7) != 0 && strncmp(url, "smtps://", 8) != 0) ||
            strlen(url) >= sizeof(config.smtp_url)) {
            fprintf(stderr, "tend serve: --smtp-url must be smtp://HOST:PORT or smtps://HOST:PORT\n");
            return -1;
        }
        strlcopy(config.smtp_url, url, sizeof(config.smtp_url));
    }
    if (strcmp(tls, "none") == 0)
        config.smtp_tls = SMTP_TLS_NONE;
    else if (strcmp(tls, "starttls") == 0)
        config.smtp_tls = SMTP_TLS_STARTTLS;
    else if (strcmp(tls, "tls") == 0)
        config.smtp_tls = SMTP_TLS_TLS;
    else {
        fprintf(stderr, "tend serve: --smtp-tls must be none, starttls or tls\n");
        return -1;
    }
    if (config.smtp_tls == SMTP_TLS_TLS && url && strncmp(url, "smtps://", 8) != 0) {
        fprintf(stderr, "tend serve: --smtp-tls tls needs an smtps:// --smtp-url\n");
        return -1;
    }
    if (options_get(defs, "smtp-user"))
        strlcopy(config.smtp_user, options_get(defs, "smtp-user"), sizeof(config.smtp_user));
    if (options_get(defs, "smtp-password"))
        strlcopy(config.smtp_password, options_get(defs, "smtp-password"), sizeof(config.smtp_password));
    if (notify_config_set_from(&config, options_get(defs, "smtp-from")) != 0) {
        fprintf(stderr, "tend serve: --smtp-from must be an address, or \"Name <address>\"\n");
        return -1;
    }
    if (pub && *pub) {
        size_t n = strlen(pub);
        if ((strncmp(pub, "http://", 7) != 0 && strncmp(pub, "https://", 8) != 0) || n >= sizeof(config.public_url)) {
            fprintf(stderr, "tend serve: --public-url must be an http:// or https:// URL\n");
            return -1;
        }
        strlcopy(config.public_url, pub, sizeof(config.public_url));
        if (config.public_url[n - 1] == '/')
            config.public_url[n - 1] = '\0';
    } else {
        snprintf(config.public_url, sizeof(config.public_url), "http://%.200s", listen);
    }
    if (parse_int64(att, strlen(att), 1, 50, &attempts) != 0) {
        fprintf(stderr, "tend serve: --notify-max-attempts must be a number from 1 to 50\n");
        return -1;
    }
    config.max_attempts = (int)attempts;
    if (knob("TEND_NOTIFY_POLL_MS", 10, 60000, &config.poll_ms) ||
        knob("TEND_NOTIFY_RETRY_MS", 10, 3600000, &config.retry_base_ms) ||
        knob("TEND_NOTIFY_TIMEOUT_MS", 100, 600000, &config.timeout_ms))
        return -1;
    if (config.retry_cap_ms < config.retry_base_ms)
        config.retry_cap_ms = config.retry_base_ms;
    config.fanout = notifications_fanout;
    return 0;
}

enum tend_rc
notify_on_writer(struct db_writer *writer, const char *node, struct tend_err *err)
{
    strlcopy(config.node, node, sizeof(config.node));
    running = notifier_start(&config, writer);
    if (!running)
        return tend_fail(err, TEND_EINTERNAL, NULL, "cannot start the notifier thread");
    return TEND_OK;
}

void
notify_on_writer_stop(void)
{
    notifier_free(running);
    running = NULL;
}
