/* expr_regex.c: keeping `matches` patterns cheap to compile (see
 * regex_cost_problem in expr_int.h). */
#include "expr_int.h"

/* glibc's regcomp copies a repeated piece once per repetition (x+ is x x*,
 * x{2,5} five copies), so nested or stacked repetitions grow the compiled
 * pattern exponentially: a 40-character pattern can take seconds and
 * gigabytes. Estimate the copies, nesting-aware, and refuse what would be
 * large; NULL when the pattern is fine to hand to regcomp. */
#define REGEX_MAX_COPIES 4000
#define REGEX_MAX_COUNT 255
#define REGEX_MAX_NESTING 32

const char *
regex_cost_problem(const char *re)
{
    double sum[REGEX_MAX_NESTING + 1] = {0}, last[REGEX_MAX_NESTING + 1] = {0};
    int depth = 0, after_repeat = 0;

    for (const char *c = re; *c; c++) {
        double factor = 1;
        switch (*c) {
        case '(':
            if (depth == REGEX_MAX_NESTING)
                return "groups nest at most 32 deep in a pattern";
            depth++;
            sum[depth] = last[depth] = 0;
            after_repeat = 0;
            continue;
        case ')':
            if (depth > 0) {
                double v = sum[depth--];
                sum[depth] += v;
                last[depth] = v;
                after_repeat = 0;
                if (sum[depth] > REGEX_MAX_COPIES)
                    return "the pattern repeats too much (nested repetitions multiply)";
                continue;
            }
            break;
        case '*':
        case '?':
        case '+':
        case '{':
            if (after_repeat)
                return "a repetition cannot directly follow another repetition (write a+ not a++)";
            if (*c == '+') {
                factor = 2;
            } else if (*c == '{') {
                long lo = 0, hi;
                const char *d = c + 1;
                if (*d < '0' || *d > '9')
                    break; /* not an interval: regcomp decides */
                for (; *d >= '0' && *d <= '9' && lo <= REGEX_MAX_COUNT; d++)
                    lo = lo * 10 + (*d - '0');
                hi = lo;
                if (*d == ',') {
                    hi = 0;
                    for (d++; *d >= '0' && *d <= '9' && hi <= REGEX_MAX_COUNT; d++)
                        hi = hi * 10 + (*d - '0');
                    if (hi < lo)
                        hi = lo;
                }
                if (lo > REGEX_MAX_COUNT || hi > REGEX_MAX_COUNT)
                    return "repetition counts in a pattern are at most 255";
                factor = (double)hi + 1;
                while (*c && *c != '}')
                    c++;
                if (!*c)
                    return NULL; /* unterminated: regcomp refuses it */
            }
            sum[depth] += last[depth] * (factor - 1);
            last[depth] *= factor;
            after_repeat = 1;
            if (sum[depth] > REGEX_MAX_COPIES)
                return "the pattern repeats too much (nested repetitions multiply)";
            continue;
        case '[': /* a bracket expression is one piece: skip to its end */
            c++;
            if (*c == '^')
                c++;
            if (*c == ']')
                c++;
            while (*c && *c != ']') {
                if (*c == '[' && (c[1] == ':' || c[1] == '.' || c[1] == '=')) {
                    char kind = c[1];
                    for (c += 2; *c && !(*c == kind && c[1] == ']'); c++)
                        ;
                    if (*c)
                        c++;
                }
                if (*c)
                    c++;
            }
            if (!*c)
                return NULL; /* unterminated: regcomp refuses it */
            break;
        case '\\':
            if (c[1])
                c++;
            break;
        default:
            break;
        }
        sum[depth] += 1;
        last[depth] = 1;
        after_repeat = 0;
    }
    return NULL;
}
