/* pool.c: worker threads taking tasks from one FIFO queue. */
#include "pool.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "platform/util/metrics.h"
#include "platform/util/util.h"

struct job_pool {
    pthread_t *threads;
    int nthreads;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    struct task *head, *tail; /* guarded by lock */
    size_t depth;             /* guarded by lock */
    int stopping;             /* guarded by lock */
};

static void *
worker_main(void *arg)
{
    struct job_pool *p = arg;

    for (;;) {
        struct task *t;

        pthread_mutex_lock(&p->lock);
        while (!p->head && !p->stopping)
            pthread_cond_wait(&p->wake, &p->lock);
        t = p->head;
        if (!t) {
            pthread_mutex_unlock(&p->lock);
            return NULL;
        }
        p->head = t->next;
        if (!p->head)
            p->tail = NULL;
        p->depth--;
        metrics_set_worker_queue(p->depth);
        pthread_mutex_unlock(&p->lock);
        t->next = NULL;
        tend_err_clear(&t->err);
        t->rc = t->run(t, NULL);
        task_complete(t);
    }
}

struct job_pool *
job_pool_new(int threads)
{
    struct job_pool *p = xcalloc(1, sizeof(*p));

    if (threads < 1)
        threads = 1;
    if (threads > 64)
        threads = 64;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->wake, NULL);
    p->threads = xcalloc((size_t)threads, sizeof(*p->threads));
    for (int i = 0; i < threads; i++) {
        if (pthread_create(&p->threads[i], NULL, worker_main, p) != 0)
            break;
        p->nthreads++;
    }
    if (p->nthreads == 0) {
        fprintf(stderr, "tend: cannot start worker threads\n");
        abort();
    }
    return p;
}

void
job_pool_submit(struct job_pool *p, struct task *t)
{
    t->next = NULL;
    pthread_mutex_lock(&p->lock);
    if (p->tail)
        p->tail->next = t;
    else
        p->head = t;
    p->tail = t;
    p->depth++;
    metrics_set_worker_queue(p->depth);
    pthread_cond_signal(&p->wake);
    pthread_mutex_unlock(&p->lock);
}

size_t
job_pool_queue_depth(struct job_pool *p)
{
    size_t d;
    pthread_mutex_lock(&p->lock);
    d = p->depth;
    pthread_mutex_unlock(&p->lock);
    return d;
}

void
job_pool_free(struct job_pool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    p->stopping = 1;
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->lock);
    for (int i = 0; i < p->nthreads; i++)
        pthread_join(p->threads[i], NULL);
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->wake);
    free(p->threads);
    free(p);
}
