/* server.h: the HTTP server: one libh2o event loop per thread, each with its own
 * listening socket (SO_REUSEPORT) and its own read connection to the database;
 * writes go to the shared writer thread, blocking work to the worker pool. */
#ifndef TEND_SERVER_H
#define TEND_SERVER_H

#include <h2o.h>
#include <h2o/multithread.h>
#include <stdint.h>

#include "platform/http/router.h"
#include "platform/util/jbuf.h"
#include "platform/util/err.h"

struct db;
struct db_writer;
struct job_pool;
struct static_site;
struct scheduler;
struct sched_job;

struct http_config {
    const char *listen_host; /* "127.0.0.1" */
    uint16_t listen_port;
    int threads;
    const char *db_url;
    const char *data_dir;
    const char *web_root;
    int access_log; /* 1: JSON lines on stdout */
    const char *node; /* this node's name: logs, X-Tend-Node, job runs */
    int trust_proxy;  /* 1: the client's address is the last of X-Forwarded-For */
    const struct sched_job *jobs; /* periodic jobs (may be NULL) */
    int njobs;
    int64_t jobs_every_ms; /* > 0: every job runs this often (tests) */
    /* Runs before every routed handler: authenticate, check the route's permission,
     * fill r->actor. Returns 0 to go on, or -1 after answering (401/403). NULL: open. */
    int (*guard)(struct api_req *r);
    /* Called once the database is migrated (with a connection of its own), before
     * serving, and once after the loops stopped. Either may be NULL. */
    enum tend_rc (*on_start)(struct db *db, struct tend_err *err);
    void (*on_stop)(void);
    /* Called once the writer runs (to start threads that write through it, such
     * as the notifier), and before it stops. Either may be NULL. */
    enum tend_rc (*on_writer)(struct db_writer *writer, const char *node, struct tend_err *err);
    void (*on_writer_stop)(void);
};

struct http_server;

/* Metric rows for what is not in the route table, numbered after the routes. */
enum http_pseudo_route {
    HTTP_PSEUDO_HEALTHZ,
    HTTP_PSEUDO_READYZ,
    HTTP_PSEUDO_METRICS,
    HTTP_PSEUDO_STATIC,
    HTTP_PSEUDO_UNMATCHED,
    HTTP_PSEUDO_COUNT
};

/* One event-loop thread. Owned by the server. */
struct http_thread {
    int index;
    struct http_server *server;
    pthread_t tid;
    h2o_evloop_t *loop;
    h2o_context_t ctx;
    h2o_accept_ctx_t accept_ctx;
    h2o_multithread_queue_t *queue;
    h2o_multithread_receiver_t tasks; /* completed writes and jobs */
    h2o_multithread_receiver_t wakeup; /* shutdown */
    h2o_socket_t *listener;
    int listen_fd; /* until the thread wraps it in `listener` */
    struct db *read_db; /* owned, used only by this thread */
    uint64_t next_request;
    size_t pending; /* requests waiting for a write or job */
    char logbuf[65536];
    size_t loglen;
    struct jbuf logline; /* reused for each access-log line */
};

struct http_server {
    struct http_config config;
    h2o_globalconf_t globalconf;
    struct router router;
    struct db_writer *writer;
    struct job_pool *pool;
    struct scheduler *scheduler;
    struct static_site *site;
    struct http_thread *threads;
    int nthreads;
    pthread_barrier_t started;
    pthread_mutex_t wake_lock; /* held while waking the loops: none tears its queue down meanwhile */
    volatile int stopping;
    int ready;
    int started_hooks;
    int writer_hooks; /* on_writer ran: on_writer_stop is due */
    uint32_t instance; /* random, for request ids */
};

/* Build the server: open the database (migrating it), load the web app, bind the
 * sockets. Fails with a clear message (address in use, unreadable web root...). */
enum tend_rc http_server_new(const struct http_config *cfg, const struct route *routes, int nroutes,
                             struct http_server **out, struct tend_err *err);

/* Run until SIGINT or SIGTERM, then drain and return. */
void http_server_run(struct http_server *s);

void http_server_free(struct http_server *s);

/* Append one line to the thread's access log buffer (flushed by the loop). */
void http_thread_log(struct http_thread *t, const char *line, size_t len);

#endif
