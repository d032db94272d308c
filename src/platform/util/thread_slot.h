/* thread_slot.h: one zeroed object per thread for a per-thread cache (the SLA
 * configuration, the compiled rules), made on first use and cleaned up and
 * freed when the thread ends. */
#ifndef TEND_THREAD_SLOT_H
#define TEND_THREAD_SLOT_H

#include <pthread.h>
#include <stddef.h>

struct thread_slot {
    size_t size;                 /* bytes of the per-thread object */
    void (*cleanup)(void *p);    /* what the object owns, at thread end (may be NULL) */
    pthread_mutex_t lock;        /* guards the one-time key creation */
    int ready;
    pthread_key_t key;
};
#define THREAD_SLOT_INIT(size, cleanup) {(size), (cleanup), PTHREAD_MUTEX_INITIALIZER, 0, 0}

/* This thread's object of `slot` (zeroed at first); never NULL. */
void *thread_slot_get(struct thread_slot *slot);

#endif
