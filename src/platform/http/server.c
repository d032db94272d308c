/* server.c: start-up (migrate, writer, sockets), one event loop per thread,
 * signal handling and an orderly drain on shutdown. */
#include "server.h"

#include <stdlib.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <unistd.h>

#include <sodium.h>

#include "platform/jobs/scheduler.h"
#include "platform/db/db.h"
#include "platform/db/migrate.h"
#include "platform/db/writer.h"
#include "platform/http/dispatch.h"
#include "platform/http/static.h"
#include "platform/jobs/pool.h"
#include "platform/util/metrics.h"
#include "platform/util/util.h"

#define DRAIN_SECONDS 5
#define H2O_BODY_LIMIT ((size_t)32 << 20)

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static void
flush_log(struct http_thread *t)
{
    size_t off = 0;

    if (!t->loglen)
        return;
    pthread_mutex_lock(&log_lock);
    while (off < t->loglen) {
        ssize_t n = write(STDOUT_FILENO, t->logbuf + off, t->loglen - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break; /* stdout is gone: drop the log rather than stall the loop */
        off += (size_t)n;
    }
    pthread_mutex_unlock(&log_lock);
    t->loglen = 0;
}

void
http_thread_log(struct http_thread *t, const char *line, size_t len)
{
    if (t->loglen + len > sizeof(t->logbuf))
        flush_log(t);
    if (len > sizeof(t->logbuf))
        return;
    memcpy(t->logbuf + t->loglen, line, len);
    t->loglen += len;
}

static int
on_req(h2o_handler_t *self, h2o_req_t *req)
{
    struct http_thread *t = H2O_STRUCT_FROM_MEMBER(struct http_thread, ctx, req->conn->ctx);
    (void)self;
    http_dispatch(t, req);
    return 0;
}

static void
on_accept(h2o_socket_t *listener, const char *err)
{
    struct http_thread *t = listener->data;
    int i;

    if (err)
        return;
    for (i = 0; i < 64; i++) { /* bounded, so one loop cannot starve its own requests */
        h2o_socket_t *sock = h2o_evloop_socket_accept(listener);
        if (!sock)
            break;
        h2o_accept(&t->accept_ctx, sock);
    }
}

static void
on_wakeup(h2o_multithread_receiver_t *receiver, h2o_linklist_t *messages)
{
    (void)receiver;
    while (!h2o_linklist_is_empty(messages)) {
        h2o_multithread_message_t *m =
            H2O_STRUCT_FROM_MEMBER(h2o_multithread_message_t, link, messages->next);
        h2o_linklist_unlink(&m->link);
        free(m);
    }
}

static int
open_listener(const struct http_config *cfg, int reuseport, struct tend_err *err)
{
    struct sockaddr_in addr;
    int fd, on = 1;

    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_port = htons(cfg->listen_port);
    if (inet_pton(AF_INET, cfg->listen_host, &addr.sin_addr) != 1) {
        tend_fail(err, TEND_EINVAL, "listen", "'%s' is not an IPv4 address", cfg->listen_host);
        return -1;
    }
    fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        tend_fail(err, TEND_EINTERNAL, "listen", "socket: %s", strerror(errno));
        return -1;
    }
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
    /* inherited by accepted sockets: answers leave at once, never held by Nagle */
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
    if (reuseport)
        setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on));
    if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 || listen(fd, 1024) != 0) {
        tend_fail(err, TEND_EINVAL, "listen", "cannot listen on %s:%u: %s", cfg->listen_host,
                  cfg->listen_port, strerror(errno));
        close(fd);
        return -1;
    }
    fcntl(fd, F_SETFL, O_NONBLOCK);
    return fd;
}

/* Everything h2o on this thread is created here, on the thread itself: h2o keeps
 * per-thread allocators (socket buffers, memory pools), so a loop, context or
 * socket made on another thread would share that thread's allocator. */
static void
setup_loop(struct http_thread *t)
{
    struct http_server *s = t->server;

    t->loop = h2o_evloop_create();
    h2o_context_init(&t->ctx, t->loop, &s->globalconf);
    t->queue = h2o_multithread_create_queue(t->loop);
    h2o_multithread_register_receiver(t->queue, &t->tasks, task_receive);
    h2o_multithread_register_receiver(t->queue, &t->wakeup, on_wakeup);
    t->accept_ctx.ctx = &t->ctx;
    t->accept_ctx.hosts = s->globalconf.hosts;
    t->listener = h2o_evloop_socket_create(t->loop, t->listen_fd, H2O_SOCKET_FLAG_DONT_READ);
    t->listen_fd = -1; /* the socket owns it now */
    t->listener->data = t;
    h2o_socket_read_start(t->listener, on_accept);
}

static void
teardown_loop(struct http_thread *t)
{
    if (t->listener) {
        h2o_socket_read_stop(t->listener);
        h2o_socket_close(t->listener);
        t->listener = NULL;
    }
    /* the main thread may be sending the shutdown wake-ups right now: wait for
     * it, then run the loop briefly so closes, frees and those wake-ups
     * complete here */
    pthread_mutex_lock(&t->server->wake_lock);
    h2o_evloop_run(t->loop, 0);
    h2o_multithread_unregister_receiver(t->queue, &t->tasks);
    h2o_multithread_unregister_receiver(t->queue, &t->wakeup);
    h2o_multithread_destroy_queue(t->queue);
    t->queue = NULL;
    pthread_mutex_unlock(&t->server->wake_lock);
    /* h2o 2.2 cannot dispose a context while keep-alive connections are still
     * open (it asserts), and has no way to close them: the process is exiting, so
     * the context and its idle connections are left to the kernel. */
}

static void *
thread_main(void *arg)
{
    struct http_thread *t = arg;
    struct http_server *s = t->server;
    uint64_t drain_deadline = 0;

    setup_loop(t);
    pthread_barrier_wait(&s->started);
    while (!s->stopping || t->pending > 0) {
        h2o_evloop_run(t->loop, 500);
        flush_log(t);
        if (s->stopping) {
            if (t->listener) {
                h2o_socket_read_stop(t->listener);
                h2o_socket_close(t->listener);
                t->listener = NULL;
                drain_deadline = time_mono_ns() + DRAIN_SECONDS * 1000000000ull;
            }
            if (time_mono_ns() > drain_deadline)
                break;
        }
    }
    flush_log(t);
    teardown_loop(t);
    jbuf_cleanup(&t->logline);
    return NULL;
}

static enum tend_rc
init_thread(struct http_server *s, struct http_thread *t, int fd, struct tend_err *err)
{
    enum tend_rc rc = db_open(s->config.db_url, DB_OPEN_READONLY, &t->read_db, err);

    if (rc)
        return rc;
    t->listen_fd = fd;
    return TEND_OK;
}

enum tend_rc
http_server_new(const struct http_config *cfg, const struct route *routes, int nroutes,
                struct http_server **out, struct tend_err *err)
{
    struct http_server *s = xcalloc(1, sizeof(*s));
    h2o_hostconf_t *host;
    h2o_pathconf_t *pathconf;
    h2o_handler_t *handler;
    struct db *db = NULL;
    const char **names;
    enum tend_rc rc;
    int probe;

    pthread_mutex_init(&s->wake_lock, NULL);
    s->config = *cfg;
    randombytes_buf(&s->instance, sizeof(s->instance));
    if (router_init(&s->router, routes, nroutes) != 0) {
        rc = tend_fail(err, TEND_EINTERNAL, NULL, "the route table is malformed");
        goto fail;
    }
    names = xcalloc((size_t)nroutes + HTTP_PSEUDO_COUNT, sizeof(*names));
    for (int i = 0; i < nroutes; i++) {
        size_t len = strlen(routes[i].method) + strlen(routes[i].path) + 2;
        char *n = xmalloc(len);
        snprintf(n, len, "%s %s", routes[i].method, routes[i].path);
        names[i] = n;
    }
    names[nroutes + HTTP_PSEUDO_HEALTHZ] = xstrdup("GET /healthz");
    names[nroutes + HTTP_PSEUDO_READYZ] = xstrdup("GET /readyz");
    names[nroutes + HTTP_PSEUDO_METRICS] = xstrdup("GET /metrics");
    names[nroutes + HTTP_PSEUDO_STATIC] = xstrdup("GET (static)");
    names[nroutes + HTTP_PSEUDO_UNMATCHED] = xstrdup("ANY (unmatched)");
    metrics_init(names, nroutes + HTTP_PSEUDO_COUNT);
    for (int i = 0; i < nroutes + HTTP_PSEUDO_COUNT; i++)
        free((char *)names[i]);
    free(names);

    rc = static_site_load(cfg->web_root, &s->site, err);
    if (rc)
        goto fail;
    /* the address first, so that a busy port fails before touching the database */
    probe = open_listener(cfg, 0, err);
    if (probe < 0) {
        rc = err->rc;
        goto fail;
    }
    close(probe);

    rc = db_open(cfg->db_url, DB_OPEN_CREATE, &db, err);
    if (rc)
        goto fail;
    rc = migrate_up(db, NULL, err);
    if (rc == TEND_OK && cfg->on_start)
        rc = cfg->on_start(db, err);
    db_close(db);
    if (rc)
        goto fail;
    s->started_hooks = 1;
    rc = db_writer_new(cfg->db_url, &s->writer, err);
    if (rc)
        goto fail;
    if (cfg->on_writer) {
        rc = cfg->on_writer(s->writer, cfg->node ? cfg->node : "tend", err);
        if (rc)
            goto fail;
        s->writer_hooks = 1;
    }
    s->pool = job_pool_new(cfg->threads > 2 ? cfg->threads : 2);
    if (cfg->njobs)
        s->scheduler = scheduler_start(cfg->jobs, cfg->njobs, s->writer, cfg->node ? cfg->node : "tend",
                                       cfg->jobs_every_ms);

    h2o_config_init(&s->globalconf);
    s->globalconf.max_request_entity_size = H2O_BODY_LIMIT;
    s->globalconf.server_name = h2o_iovec_init(H2O_STRLIT("tend"));
    host = h2o_config_register_host(&s->globalconf, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    pathconf = h2o_config_register_path(host, "/", 0);
    handler = h2o_create_handler(pathconf, sizeof(*handler));
    handler->on_req = on_req;

    s->nthreads = cfg->threads;
    s->threads = xcalloc((size_t)s->nthreads, sizeof(*s->threads));
    for (int i = 0; i < s->nthreads; i++) {
        int fd = open_listener(cfg, 1, err);
        if (fd < 0) {
            rc = err->rc;
            goto fail;
        }
        s->threads[i].index = i;
        s->threads[i].server = s;
        s->threads[i].listen_fd = -1;
        rc = init_thread(s, &s->threads[i], fd, err);
        if (rc) {
            close(fd);
            goto fail;
        }
    }
    *out = s;
    return TEND_OK;
fail:
    http_server_free(s);
    return rc;
}

void
http_server_run(struct http_server *s)
{
    sigset_t set;
    int sig = 0;

    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    /* a file-size limit (RLIMIT_FSIZE) must fail the write, not kill the server */
    signal(SIGXFSZ, SIG_IGN);
    pthread_barrier_init(&s->started, NULL, (unsigned)s->nthreads + 1);
    for (int i = 0; i < s->nthreads; i++)
        pthread_create(&s->threads[i].tid, NULL, thread_main, &s->threads[i]);
    pthread_barrier_wait(&s->started);
    pthread_barrier_destroy(&s->started);
    s->ready = 1;
    {
        char shown[1100];
        db_url_redact(s->config.db_url, shown, sizeof(shown));
        fprintf(stderr, "tend: node %s serving http://%s:%u with %d threads on %s\n",
                s->config.node ? s->config.node : "tend", s->config.listen_host, s->config.listen_port,
                s->nthreads, shown);
    }
    sigwait(&set, &sig);
    fprintf(stderr, "tend: %s received, finishing in-flight requests\n",
            sig == SIGINT ? "SIGINT" : "SIGTERM");
    s->ready = 0;
    /* a loop that sees `stopping` at its own time-out may finish and tear down
     * its queue: not while we are still waking the others */
    pthread_mutex_lock(&s->wake_lock);
    s->stopping = 1;
    for (int i = 0; i < s->nthreads; i++) {
        h2o_multithread_message_t *m = xcalloc(1, sizeof(*m));
        if (s->threads[i].queue)
            h2o_multithread_send_message(&s->threads[i].wakeup, m);
        else
            free(m);
    }
    pthread_mutex_unlock(&s->wake_lock);
    for (int i = 0; i < s->nthreads; i++)
        pthread_join(s->threads[i].tid, NULL);
    for (int i = 0; i < s->nthreads; i++)
        s->threads[i].tid = 0;
    scheduler_stop(s->scheduler);
    if (s->writer_hooks && s->config.on_writer_stop)
        s->config.on_writer_stop();
    s->writer_hooks = 0;
    fprintf(stderr, "tend: stopped\n");
}

void
http_server_free(struct http_server *s)
{
    if (!s)
        return;
    /* the writer first: it may still complete tasks, posted to loops that are gone
     * (and the scheduler's claims, so the scheduler goes after it) */
    scheduler_stop(s->scheduler);
    if (s->writer_hooks && s->config.on_writer_stop)
        s->config.on_writer_stop();
    db_writer_free(s->writer);
    scheduler_free(s->scheduler);
    job_pool_free(s->pool);
    for (int i = 0; s->threads && i < s->nthreads; i++) {
        struct http_thread *t = &s->threads[i];
        if (t->listen_fd > 0)
            close(t->listen_fd); /* never handed to a loop */
        db_close(t->read_db);
    }
    free(s->threads);
    if (s->started_hooks && s->config.on_stop)
        s->config.on_stop();
    if (s->globalconf.hosts)
        h2o_config_dispose(&s->globalconf);
    static_site_free(s->site);
    router_cleanup(&s->router);
    metrics_cleanup();
    pthread_mutex_destroy(&s->wake_lock);
    free(s);
}
