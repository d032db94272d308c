/* fuzz_ticket_json.c: libFuzzer harness for JSON request bodies decoded into
 * ticket create and update inputs (the same jansson flags as the server). */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "modules/tickets/custom_fields.h"
#include "modules/tickets/tickets.h"
#include "modules/tickets/workflow.h"
#include "platform/util/jbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_error_t jerr;
    json_t *body = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
    struct ticket_input in;
    struct tend_err err;

    if (!body)
        return 0;
    tend_err_clear(&err);
    if (ticket_input_for_create(body, &in, &err) == TEND_OK) {
        struct ticket t = {0};
        struct jbuf b;
        json_t *back;

        t.subject = in.subject;
        t.description = in.description;
        t.customer_ref = in.customer_ref;
        jbuf_init(&b, 256);
        ticket_write_json(&b, &t, 0); /* what we accepted must render as valid JSON */
        back = json_loadb(b.data, b.len, 0, NULL);
        if (!back)
            __builtin_trap();
        json_decref(back);
        jbuf_cleanup(&b);
        ticket_input_cleanup(&in);
    } else if (!err.message[0]) {
        __builtin_trap(); /* every refusal says why */
    }
    if (ticket_input_for_update(body, &in, &err) == TEND_OK)
        ticket_input_cleanup(&in);
    if (ticket_input_for_transition(body, &in, &err) == TEND_OK)
        ticket_input_cleanup(&in);
    {
        /* workflow definitions and custom field definitions and values */
        struct workflow wf = {0};
        struct custom_field f;
        if (workflow_parse(body, &wf, &err) == TEND_OK) {
            json_t *again = workflow_definition_json(&wf);
            struct workflow wf2 = {0};
            if (workflow_parse(again, &wf2, &err) != TEND_OK)
                __builtin_trap(); /* what we write back must parse */
            workflow_cleanup(&wf2);
            json_decref(again);
            workflow_cleanup(&wf);
        }
        if (custom_field_parse(body, NULL, &f, &err) == TEND_OK) {
            json_t *values = json_object(), *patch = json_object_get(body, "values");
            if (json_is_object(patch))
                (void)custom_values_apply(&f, 1, "repair", values, patch, 1, &err);
            json_decref(values);
            custom_field_cleanup(&f);
        }
    }
    json_decref(body);
    return 0;
}
