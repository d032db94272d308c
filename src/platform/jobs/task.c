/* task.c: delivering finished tasks back to the loop that submitted them. */
#include "task.h"

void
task_receive(h2o_multithread_receiver_t *receiver, h2o_linklist_t *messages)
{
    (void)receiver;
    while (!h2o_linklist_is_empty(messages)) {
        struct task *t = H2O_STRUCT_FROM_MEMBER(struct task, msg.link, messages->next);
        h2o_linklist_unlink(&t->msg.link);
        t->done(t);
    }
}

void
task_complete(struct task *t)
{
    if (t->reply_to)
        h2o_multithread_send_message(t->reply_to, &t->msg);
    else
        t->done(t);
}
