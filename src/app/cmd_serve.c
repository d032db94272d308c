/* cmd_serve.c: `tend serve`: check the flags, take the database lock, run the server. */
#include <stdlib.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "modules/attachments/attachments.h"
#include "modules/auth/auth.h"
#include "modules/auth/auth_api.h"
#include "options.h"
#include "platform/db/db.h"
#include "platform/http/server.h"
#include "platform/util/util.h"
#include "jobs.h"
#include "notify_setup.h"
#include "routes.h"

int
resolve_db(const char *command, const char *db, const char *data_dir, char *out, size_t outlen)
{
    struct stat st;
    struct tend_err err;

    if (data_dir && *data_dir) {
        if (stat(data_dir, &st) != 0) {
            if (mkdir(data_dir, 0750) != 0) {
                fprintf(stderr, "tend %s: cannot create data directory '%s': %s\n", command,
                        data_dir, strerror(errno));
                return -1;
            }
        } else if (!S_ISDIR(st.st_mode)) {
            fprintf(stderr, "tend %s: data directory '%s' is not a directory\n", command, data_dir);
            return -1;
        }
        if (access(data_dir, W_OK | X_OK) != 0) {
            fprintf(stderr, "tend %s: data directory '%s' is not writable: %s\n", command, data_dir,
                    strerror(errno));
            return -1;
        }
    }
    if (db && *db) {
        if ((size_t)snprintf(out, outlen, "%s", db) >= outlen) {
            fprintf(stderr, "tend %s: --db is too long\n", command);
            return -1;
        }
    } else if ((size_t)snprintf(out, outlen, "sqlite:%s/tend.db", data_dir ? data_dir : ".") >=
               outlen) {
        fprintf(stderr, "tend %s: --data-dir is too long\n", command);
        return -1;
    }
    tend_err_clear(&err);
    if (db_url_check(out, &err)) {
        fprintf(stderr, "tend %s: %s\n", command, err.message);
        return -1;
    }
    return 0;
}

/* One `tend serve` per SQLite file: an exclusive lock on PATH.lock, held for life. */
static int
lock_database(const char *url)
{
    char path[1100];
    int fd;

    if (strncmp(url, "sqlite:", 7) != 0)
        return 0;
    snprintf(path, sizeof(path), "%s.lock", url + 7);
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0) {
        fprintf(stderr, "tend serve: cannot open lock file '%s': %s\n", path, strerror(errno));
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        fprintf(stderr,
                "tend serve: database '%s' is locked: another tend serve is using it\n", url + 7);
        close(fd);
        return -1;
    }
    return fd; /* kept open (and locked) until the process exits */
}

static int
parse_listen(const char *s, char *host, size_t hostlen, uint16_t *port)
{
    const char *colon = strrchr(s, ':');
    int64_t p;

    if (!colon || colon == s || (size_t)(colon - s) >= hostlen)
        return -1;
    if (parse_int64(colon + 1, strlen(colon + 1), 1, 65535, &p) != 0)
        return -1;
    memcpy(host, s, (size_t)(colon - s));
    host[colon - s] = '\0';
    if (strcmp(host, "localhost") == 0)
        strlcopy(host, "127.0.0.1", hostlen);
    *port = (uint16_t)p;
    return 0;
}

int
cmd_serve(int argc, char **argv)
{
    struct option_def defs[32] = {
        {"listen", "TEND_LISTEN", "HOST:PORT", "address to listen on", "127.0.0.1:8080"},
        {"threads", "TEND_THREADS", "N", "event-loop threads (1-64; default: the number of cores)",
         NULL},
        {"db", "TEND_DB", "URL",
         "database: sqlite:PATH or postgres://USER@HOST:PORT/NAME (default: sqlite:DATA_DIR/tend.db)", NULL},
        {"data-dir", "TEND_DATA_DIR", "DIR", "where attachments and the default database live",
         "data"},
        {"web-root", "TEND_WEB_ROOT", "DIR", "the built web app", "web/dist"},
        {"access-log", "TEND_ACCESS_LOG", "on|off", "JSON access log on stdout", "on"},
        {"trust-proxy", "TEND_TRUST_PROXY", "on|off",
         "behind nginx: take the client's address from X-Forwarded-For (sign-in limits, logs)", "off"},
        {"node", "TEND_NODE", "NAME", "this node's name in logs, X-Tend-Node and job runs (default: HOST:PORT)",
         NULL},
    };
    const char *synopsis = "Serve the web app and the JSON API.";
    struct http_config cfg;
    struct http_server *server = NULL;
    struct tend_err err;
    char host[64], url[1100], node[128];
    const char *every = getenv("TEND_JOBS_EVERY_MS");
    int64_t every_ms = 0;
    const char *threads, *log;
    int64_t nthreads;
    int rc, ndefs = 0;

    while (defs[ndefs].name)
        ndefs++;
    for (int i = 0; i < notify_options_count; i++)
        defs[ndefs++] = notify_options[i];
    rc = options_parse("serve", synopsis, defs, argc, argv);
    if (rc)
        return rc > 0 ? 0 : 2;
    memset(&cfg, 0, sizeof(cfg));
    if (parse_listen(options_get(defs, "listen"), host, sizeof(host), &cfg.listen_port) != 0) {
        fprintf(stderr, "tend serve: --listen '%s' must be HOST:PORT with a port from 1 to 65535\n",
                options_get(defs, "listen"));
        return 2;
    }
    threads = options_get(defs, "threads");
    if (threads) {
        if (parse_int64(threads, strlen(threads), 1, 64, &nthreads) != 0) {
            fprintf(stderr, "tend serve: --threads '%s' must be a number from 1 to 64\n", threads);
            return 2;
        }
    } else {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        nthreads = n < 1 ? 1 : n > 64 ? 64 : n;
    }
    log = options_get(defs, "access-log");
    if (strcmp(log, "on") != 0 && strcmp(log, "off") != 0) {
        fprintf(stderr, "tend serve: --access-log must be on or off\n");
        return 2;
    }
    if (resolve_db("serve", options_get(defs, "db"), options_get(defs, "data-dir"), url,
                   sizeof(url)) != 0)
        return 1;
    if (lock_database(url) < 0)
        return 1;
    tend_err_clear(&err);
    if (attachments_prepare_dir(options_get(defs, "data-dir"), &err) != TEND_OK) {
        fprintf(stderr, "tend serve: cannot create the attachments directory: %s\n", err.message);
        return 1;
    }
    cfg.listen_host = host;
    cfg.threads = (int)nthreads;
    cfg.db_url = url;
    cfg.data_dir = options_get(defs, "data-dir");
    cfg.web_root = options_get(defs, "web-root");
    cfg.access_log = strcmp(log, "on") == 0;
    if (options_get(defs, "node")) {
        const char *n = options_get(defs, "node");
        if (!*n || strlen(n) >= sizeof(node) || strspn(n, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                          "0123456789.-_:") != strlen(n)) {
            fprintf(stderr, "tend serve: --node must be 1-127 letters, digits or . - _ :\n");
            return 2;
        }
        strlcopy(node, n, sizeof(node));
    } else {
        char hn[64] = "tend";
        gethostname(hn, sizeof(hn) - 1);
        snprintf(node, sizeof(node), "%.63s:%u", hn, cfg.listen_port);
    }
    if (every && parse_int64(every, strlen(every), 10, 86400000, &every_ms) != 0) {
        fprintf(stderr, "tend serve: TEND_JOBS_EVERY_MS must be 10 to 86400000\n");
        return 2;
    }
    if (strcmp(options_get(defs, "trust-proxy"), "on") != 0 && strcmp(options_get(defs, "trust-proxy"), "off") != 0) {
        fprintf(stderr, "tend serve: --trust-proxy must be on or off\n");
        return 2;
    }
    cfg.trust_proxy = strcmp(options_get(defs, "trust-proxy"), "on") == 0;
    if (notify_setup(defs, options_get(defs, "listen")) != 0)
        return 2;
    cfg.on_writer = notify_on_writer;
    cfg.on_writer_stop = notify_on_writer_stop;
    cfg.node = node;
    cfg.jobs = app_jobs;
    cfg.njobs = app_jobs_count;
    cfg.jobs_every_ms = every_ms;
    cfg.guard = auth_guard;
    cfg.on_start = auth_start;
    cfg.on_stop = auth_stop;
    tend_err_clear(&err);
    if (http_server_new(&cfg, app_routes, app_routes_count, &server, &err) != TEND_OK) {
        fprintf(stderr, "tend serve: %s\n", err.message);
        return 1;
    }
    http_server_run(server);
    http_server_free(server);
    return 0;
}
