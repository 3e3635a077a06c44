/*
 * jmespath.h - JMESPath (https://jmespath.org/specification.html) over jansson values, the query
 * language of the AWS CLI's --query.
 *
 * An expression is compiled once into a tree held in an arena and then searched against any
 * number of documents. The whole specification is implemented: identifiers (plain and quoted),
 * sub-expressions, indexes, slices (negative steps), list/object/flatten projections, filters with
 * comparators, `&&` `||` `!`, JSON and raw-string literals, multi-select lists and hashes, pipes,
 * `@`, expression references `&` and every built-in function. Behaviour follows the official
 * compliance suite (tests/vectors/jmespath/) and, where the suite is silent, jmespath.py, which the
 * AWS CLI embeds: ordering comparisons accept two numbers or two strings, anything else gives null.
 *
 * Errors carry one of the suite's kinds. Syntax, arity and unknown-function errors are found at
 * compile time; type and value errors (a function given the wrong type, a slice step of 0) at
 * search time. Messages are the ones the AWS CLI prints, with the column of the offending token.
 *
 * Bounds: an expression longer than CPW_JMESPATH_MAX_EXPR_BYTES or nested deeper than
 * CPW_JMESPATH_MAX_DEPTH is refused at compile time; a search that visits more than
 * CPW_JMESPATH_MAX_STEPS values (its time), builds arrays and objects of more than
 * CPW_JMESPATH_MAX_ITEMS elements in all (its memory), or a string longer than
 * CPW_JMESPATH_MAX_STRING_BYTES, stops with CPW_JMESPATH_ERR_LIMIT.
 *
 * Thread-safety: a compiled expression is immutable and may be searched from several threads at
 * once, on documents that are not shared between them (jansson reference counts are not atomic).
 */
#ifndef CPW_JMESPATH_H
#define CPW_JMESPATH_H

#include <stdbool.h>
#include <stddef.h>

#include "cpw/json.h"

#define CPW_JMESPATH_MAX_EXPR_BYTES   (64u * 1024u)
#define CPW_JMESPATH_MAX_DEPTH        128u
#define CPW_JMESPATH_MAX_STEPS        20000000u
#define CPW_JMESPATH_MAX_ITEMS        4000000u
#define CPW_JMESPATH_MAX_STRING_BYTES (16u * 1024u * 1024u)

/* X(kind, the compliance suite's name). */
#define CPW_JMESPATH_ERROR_LIST(X)                                                                 \
    X(CPW_JMESPATH_OK, "none")                                                                     \
    X(CPW_JMESPATH_ERR_SYNTAX, "syntax")                                                           \
    X(CPW_JMESPATH_ERR_INVALID_TYPE, "invalid-type")                                               \
    X(CPW_JMESPATH_ERR_INVALID_VALUE, "invalid-value")                                             \
    X(CPW_JMESPATH_ERR_INVALID_ARITY, "invalid-arity")                                             \
    X(CPW_JMESPATH_ERR_UNKNOWN_FUNCTION, "unknown-function")                                       \
    X(CPW_JMESPATH_ERR_LIMIT, "limit")

enum cpw_jmespath_error_kind {
#define CPW_JMESPATH_ENUM_(kind, name) kind,
    CPW_JMESPATH_ERROR_LIST(CPW_JMESPATH_ENUM_)
#undef CPW_JMESPATH_ENUM_
};

#define CPW_JMESPATH_MESSAGE_BYTES 1024u

/** What went wrong, for the caller to print or test. */
struct cpw_jmespath_error {
    enum cpw_jmespath_error_kind kind;
    size_t column;                            /* 0-based character column (syntax errors) */
    char message[CPW_JMESPATH_MESSAGE_BYTES]; /* the AWS CLI's wording, possibly several lines */
};

struct cpw_jmespath;

/**
 * Compiles expr (NUL-terminated UTF-8). Returns the compiled expression (owned; release with
 * cpw_jmespath_destroy), or NULL with *err filled (when err is not NULL) and the thread's error
 * slot raised: CPW_ERR_PARSE for syntax, arity and unknown-function errors, CPW_ERR_LIMIT past the
 * length or depth caps. The message never quotes anything but the expression itself.
 */
struct cpw_jmespath *cpw_jmespath_compile(const char *expr, struct cpw_jmespath_error *err);

/**
 * Evaluates q against doc (borrowed, never modified). Returns 0 with *out a new reference owned
 * by the caller (JSON null when nothing matches), or -1 with *out NULL and the error slot raised
 * (CPW_ERR_INVALID_ARGUMENT for type and value errors, CPW_ERR_LIMIT past a bound); the kind and
 * message are then available from cpw_jmespath_last_error().
 */
int cpw_jmespath_search(const struct cpw_jmespath *q, const json_t *doc, json_t **out);

/** The kind and message of this thread's last failed cpw_jmespath_search; borrowed. */
const struct cpw_jmespath_error *cpw_jmespath_last_error(void);

/** The source text q was compiled from; borrowed from q. */
const char *cpw_jmespath_expression(const struct cpw_jmespath *q);

/** Releases a compiled expression. NULL is a no-op. */
void cpw_jmespath_destroy(struct cpw_jmespath *q);

/** JMESPath equality (the == operator): deep, numbers by value (1 == 1.0), true is not 1. */
bool cpw_jmespath_equal(const json_t *a, const json_t *b);

/** The suite's name of a kind ("syntax", "invalid-type", ...); static storage. */
const char *cpw_jmespath_error_kind_name(enum cpw_jmespath_error_kind kind);

#endif
