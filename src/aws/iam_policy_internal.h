/*
 * iam_policy_internal.h - the parsed form of an IAM policy, shared by the parser, the condition
 * evaluator and the evaluation engine (iam_policy_*.c). Not part of the public API.
 */
#ifndef CPW_IAM_POLICY_INTERNAL_H
#define CPW_IAM_POLICY_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "cpw/iam_policy.h"

/* Bounds that keep every loop and recursion finite whatever the document says. */
#define CPW_IAM_MAX_STATEMENTS     4096u
#define CPW_IAM_MAX_VALUES         4096u
#define CPW_IAM_MAX_EXPANDED_BYTES 8192u

struct cpw_iam_strings {
    char **items;
    size_t count;
};

/* The condition operators, without IfExists and the set prefixes. */
enum cpw_iam_cond_op {
    CPW_IAM_OP_STRING_EQUALS = 0,
    CPW_IAM_OP_STRING_NOT_EQUALS,
    CPW_IAM_OP_STRING_EQUALS_IGNORE_CASE,
    CPW_IAM_OP_STRING_NOT_EQUALS_IGNORE_CASE,
    CPW_IAM_OP_STRING_LIKE,
    CPW_IAM_OP_STRING_NOT_LIKE,
    CPW_IAM_OP_NUMERIC_EQUALS,
    CPW_IAM_OP_NUMERIC_NOT_EQUALS,
    CPW_IAM_OP_NUMERIC_LESS_THAN,
    CPW_IAM_OP_NUMERIC_LESS_THAN_EQUALS,
    CPW_IAM_OP_NUMERIC_GREATER_THAN,
    CPW_IAM_OP_NUMERIC_GREATER_THAN_EQUALS,
    CPW_IAM_OP_DATE_EQUALS,
    CPW_IAM_OP_DATE_NOT_EQUALS,
    CPW_IAM_OP_DATE_LESS_THAN,
    CPW_IAM_OP_DATE_LESS_THAN_EQUALS,
    CPW_IAM_OP_DATE_GREATER_THAN,
    CPW_IAM_OP_DATE_GREATER_THAN_EQUALS,
    CPW_IAM_OP_BOOL,
    CPW_IAM_OP_BINARY_EQUALS,
    CPW_IAM_OP_IP_ADDRESS,
    CPW_IAM_OP_NOT_IP_ADDRESS,
    CPW_IAM_OP_ARN_EQUALS,
    CPW_IAM_OP_ARN_LIKE,
    CPW_IAM_OP_ARN_NOT_EQUALS,
    CPW_IAM_OP_ARN_NOT_LIKE,
    CPW_IAM_OP_NULL,
};

enum cpw_iam_set_op {
    CPW_IAM_SET_NONE = 0,
    CPW_IAM_SET_ANY_VALUE,
    CPW_IAM_SET_ALL_VALUES,
};

/* One key of one operator block: "StringLike": {"aws:username": ["a*", "b"]}. */
struct cpw_iam_condition {
    enum cpw_iam_cond_op op;
    enum cpw_iam_set_op set_op;
    bool if_exists;
    char *key;                     /* as written in the policy */
    struct cpw_iam_strings values; /* JSON numbers and booleans kept as their text */
};

struct cpw_iam_principal_spec {
    bool any; /* "*" or {"AWS": "*"} */
    struct cpw_iam_strings aws, service, federated, canonical;
};

struct cpw_iam_statement {
    char *sid;
    bool deny;
    bool not_action;
    struct cpw_iam_strings actions;
    bool has_resource; /* Resource or NotResource present */
    bool not_resource;
    struct cpw_iam_strings resources;
    bool has_principal; /* Principal or NotPrincipal present */
    bool not_principal;
    struct cpw_iam_principal_spec principal;
    struct cpw_iam_condition *conditions;
    size_t condition_count;
};

struct cpw_iam_policy {
    char *id;
    enum cpw_iam_policy_type type;
    bool variables; /* Version 2012-10-17: ${...} is expanded */
    struct cpw_iam_statement *statements;
    size_t statement_count;
};

/* ----- iam_policy_match.c ----- */

/* Glob match with '*' and '?' (fold: ASCII case-insensitive). Bounded, no recursion. */
bool cpw_iam_glob(const char *pattern,
                  size_t pattern_len,
                  const char *text,
                  size_t text_len,
                  bool fold);

/*
 * Expands policy variables in s against context into out ("${aws:username}", "${*}", "${?}",
 * "${$}", "${key, 'default'}"). Returns 1 when every variable resolved, 0 when one did not (the
 * statement element then matches nothing; *missing, when not NULL, receives the key borrowed
 * from s's copy in out... see iam_policy_match.c), -1 on a limit (CPW_ERR_LIMIT).
 * Escapes and wildcards stay distinguishable: a resolved value's '*' and '?' are literal, so
 * out receives a pattern where literal characters are written as escaped_literal[] marks.
 */
int cpw_iam_expand(const char *s,
                   const struct cpw_iam_context *context,
                   char **out,
                   char **missing_key);

/* Match with an expanded pattern where '\x01' prefixes a literal byte. */
bool cpw_iam_glob_escaped(const char *pattern, const char *text, bool fold);

/* ArnLike/ArnEquals and Resource matching: segment-wise, the first five ':' separate. */
bool cpw_iam_arn_like(const char *pattern, const char *arn, bool escaped);

/* ----- iam_policy_context.c ----- */

struct cpw_iam_context_entry {
    char *key;
    bool multi;
    struct cpw_iam_strings values;
};

/* The entry for key (case-insensitive), or NULL. */
const struct cpw_iam_context_entry *cpw_iam_context_find(const struct cpw_iam_context *context,
                                                         const char *key);

/* ----- iam_policy_condition.c ----- */

/*
 * Evaluates one condition against context. Returns true when it holds. A key missing from the
 * context is appended to missing (when not NULL; duplicates are the caller's to fold) unless
 * IfExists or Null made its absence decisive. variables: expand ${...} in values.
 */
bool cpw_iam_condition_holds(const struct cpw_iam_condition *condition,
                             const struct cpw_iam_context *context,
                             bool variables,
                             struct cpw_iam_strings *missing);

/* Parses an operator name ("ForAnyValue:StringLikeIfExists"). Returns 0 or -1. */
int cpw_iam_condition_parse_op(const char *name, struct cpw_iam_condition *out);

/* ----- shared string-list helpers (iam_policy_parse.c) ----- */

void cpw_iam_strings_clean_up(struct cpw_iam_strings *list);
void cpw_iam_strings_push(struct cpw_iam_strings *list, const char *s);

#endif
