/* expr_int.h: what the condition language's two files share: the compiled
 * form (a flat array of nodes) and small helpers. Not for other files. */
#ifndef TEND_RULES_EXPR_INT_H
#define TEND_RULES_EXPR_INT_H

#include <regex.h>
#include <string.h>

#include "expr.h"

enum node_kind { N_TRUE, N_AND, N_OR, N_NOT, N_TEST };
enum value_kind { V_STR, V_NUM, V_BOOL };

struct value {
    enum value_kind kind;
    char *s;     /* V_STR, owned */
    char *fold;  /* V_STR: s lower-cased (ASCII), owned */
    double num;  /* V_NUM */
    int b;       /* V_BOOL */
    int64_t id;  /* EXPR_REF: the id (-1: a name that matches nothing) */
    int rank;    /* EXPR_PRIORITY */
    int64_t ms;  /* EXPR_TIME */
};

struct node {
    enum node_kind kind;
    int first, next; /* children of and/or/not; the next sibling (-1: none) */
    enum expr_field field;
    enum expr_type type;
    enum expr_op op;
    char *custom_key; /* owned */
    int64_t calendar_id;
    struct value *vals; /* owned */
    int nvals;
    regex_t re;
    int has_re;
};

struct expr {
    struct node *nodes;
    int n, cap;
    int root;
    uint64_t used;
};

/* ASCII lower case of one byte. */
static inline int
expr_fold_char(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* The index of `s` in NULL-terminated `set`, or -1. */
static inline int
expr_index_in(const char *s, const char *const *set)
{
    for (int i = 0; set[i]; i++)
        if (strcmp(s, set[i]) == 0)
            return i;
    return -1;
}

/* Keyword search with `needle` already folded (expr_eval.c). */
int expr_contains_folded(const char *hay, const char *needle);

extern const char *const expr_priorities[]; /* low, normal, high, urgent, NULL */

/* Why a `matches` pattern would be too costly for regcomp (stacked or
 * nested repetitions that multiply its size, counts over 255, groups over 32
 * deep), or NULL when it is fine (expr_regex.c). */
const char *regex_cost_problem(const char *re);

#endif
