/*
 * query.h - `--query EXPR` for every command that prints JSON: the AWS CLI's JMESPath filter,
 * compiled once when the options are read and applied to the finished document (after
 * pagination) just before it is rendered, exactly where the AWS CLI applies it.
 *
 * A command adds CPW_CLI_QUERY_LONG_OPTION to its getopt_long table, keeps the argument of
 * CPW_CLI_OPT_QUERY, compiles it with cpw_cli_query_set() once its arguments are checked (before
 * any work), and calls cpw_cli_query_apply() on the json_t it is about to print.
 */
#ifndef CPW_CLI_QUERY_H
#define CPW_CLI_QUERY_H

#include <getopt.h>
#include <stdbool.h>

#include "cpw/jmespath.h"
#include "cpw/json.h"

enum { CPW_CLI_OPT_QUERY = 1100 };

#define CPW_CLI_QUERY_LONG_OPTION                                                                  \
    {                                                                                              \
        "query", required_argument, NULL, CPW_CLI_OPT_QUERY                                        \
    }

#define CPW_CLI_QUERY_HELP                                                                         \
    "  --query EXPR        JMESPath expression applied to the output before it is printed\n"       \
    "                      (as the AWS CLI's --query; see docs/query.md)\n"

/** A compiled --query; zero-initialise it (no query). */
struct cpw_cli_query {
    struct cpw_jmespath *compiled; /* owned; NULL when --query was not given */
};

/**
 * Compiles expr into q (replacing an earlier --query). Returns 0, or prints the AWS CLI's message
 * ("Bad value for --query EXPR: ...", with the column) to stderr and returns CPW_EXIT_USAGE.
 */
int cpw_cli_query_set(struct cpw_cli_query *q, const char *expr);

/**
 * Replaces *doc (consumed) by the query's result (owned by the caller), or leaves it unchanged when
 * no query was given. Returns 0, or prints the error to stderr and returns -1 (*doc released and
 * set to NULL); the caller exits with CPW_EXIT_OTHER (255, as the AWS CLI does).
 */
int cpw_cli_query_apply(const struct cpw_cli_query *q, json_t **doc);

/** True when a query was given. */
bool cpw_cli_query_given(const struct cpw_cli_query *q);

/** Releases the compiled query; the struct is empty again. */
void cpw_cli_query_clean_up(struct cpw_cli_query *q);

#endif
