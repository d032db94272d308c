/* thread_slot.c: per-thread objects (thread_slot.h). The object sits after a
 * small header naming its slot, so the key's destructor knows how to clean it. */
#include "thread_slot.h"

#include <stdlib.h>

#include "util.h"

struct slot_header {
    struct thread_slot *slot;
    max_align_t align[]; /* the object follows, aligned */
};

static void
slot_free(void *p)
{
    struct slot_header *h = p;

    if (h->slot->cleanup)
        h->slot->cleanup(h->align);
    free(h);
}

void *
thread_slot_get(struct thread_slot *slot)
{
    struct slot_header *h;

    if (!__atomic_load_n(&slot->ready, __ATOMIC_ACQUIRE)) { /* the first use on any thread */
        pthread_mutex_lock(&slot->lock);
        if (!slot->ready) {
            pthread_key_create(&slot->key, slot_free);
            __atomic_store_n(&slot->ready, 1, __ATOMIC_RELEASE);
        }
        pthread_mutex_unlock(&slot->lock);
    }
    h = pthread_getspecific(slot->key);
    if (!h) {
        h = xcalloc(1, sizeof(*h) + slot->size);
        h->slot = slot;
        pthread_setspecific(slot->key, h);
    }
    return h->align;
}
