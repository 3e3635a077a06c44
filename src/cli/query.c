/*
 * query.c - the --query option shared by the commands: compile once, apply before rendering.
 */
#include "query.h"

#include <stdio.h>

#include "cli.h"

int cpw_cli_query_set(struct cpw_cli_query *q, const char *expr)
{
    struct cpw_jmespath_error err;
    struct cpw_jmespath *compiled = cpw_jmespath_compile(expr, &err);
    if (!compiled) {
        /* The AWS CLI's wording and exit status for a query that does not compile. */
        fprintf(stderr, "\nBad value for --query %s: %s\n", expr, err.message);
        return CPW_EXIT_USAGE;
    }
    cpw_jmespath_destroy(q->compiled);
    q->compiled = compiled;
    return 0;
}

int cpw_cli_query_apply(const struct cpw_cli_query *q, json_t **doc)
{
    if (!q->compiled) {
        return 0;
    }
    json_t *result = NULL;
    int rc = cpw_jmespath_search(q->compiled, *doc, &result);
    cpw_json_release(*doc);
    *doc = result;
    if (rc != 0) {
        fprintf(stderr, "\n%s\n", cpw_jmespath_last_error()->message);
        return -1;
    }
    return 0;
}

bool cpw_cli_query_given(const struct cpw_cli_query *q)
{
    return q->compiled != NULL;
}

void cpw_cli_query_clean_up(struct cpw_cli_query *q)
{
    cpw_jmespath_destroy(q->compiled);
    q->compiled = NULL;
}
