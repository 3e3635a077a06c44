/*
 * jmespath_internal.h - the compiled form of a JMESPath expression, shared by the parser
 * (jmespath_parse.c), the evaluator (jmespath_eval.c) and the built-in functions
 * (jmespath_func.c). Not part of the public API.
 */
#ifndef CPW_JMESPATH_INTERNAL_H
#define CPW_JMESPATH_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "cpw/arena.h"
#include "cpw/jmespath.h"

enum cpw_jmespath_node_type {
    CPW_JP_IDENTITY,         /* the value itself (implicit right side of a projection) */
    CPW_JP_CURRENT,          /* @ */
    CPW_JP_FIELD,            /* name */
    CPW_JP_SUBEXPR,          /* a.b: right evaluated on the result of left */
    CPW_JP_INDEX_EXPR,       /* left[...]: right (INDEX or SLICE) evaluated on left's result */
    CPW_JP_INDEX,            /* [n] */
    CPW_JP_SLICE,            /* [start:stop:step] */
    CPW_JP_LIST_PROJECTION,  /* left must be an array; right applied to each element */
    CPW_JP_VALUE_PROJECTION, /* left must be an object; right applied to each value */
    CPW_JP_FILTER,           /* left must be an array; cond filters, right projects */
    CPW_JP_FLATTEN,          /* left[] one level merged */
    CPW_JP_LITERAL,          /* `json` or 'raw' */
    CPW_JP_MULTI_LIST,       /* [a, b] */
    CPW_JP_MULTI_HASH,       /* {k: a, l: b} */
    CPW_JP_PIPE,             /* a | b */
    CPW_JP_OR,               /* a || b */
    CPW_JP_AND,              /* a && b */
    CPW_JP_NOT,              /* !a */
    CPW_JP_COMPARE,          /* a OP b */
    CPW_JP_FUNCTION,         /* name(args...) */
    CPW_JP_EXPREF,           /* &a */
};

enum cpw_jmespath_cmp {
    CPW_JP_EQ,
    CPW_JP_NE,
    CPW_JP_LT,
    CPW_JP_LE,
    CPW_JP_GT,
    CPW_JP_GE,
};

struct cpw_jmespath_function;

struct cpw_jmespath_node {
    enum cpw_jmespath_node_type type;
    struct cpw_jmespath_node *left; /* also the only child of NOT, FLATTEN, EXPREF */
    struct cpw_jmespath_node *right;
    struct cpw_jmespath_node *cond;   /* FILTER */
    struct cpw_jmespath_node **items; /* MULTI_LIST, MULTI_HASH values, FUNCTION arguments */
    const char **keys;                /* MULTI_HASH keys (NUL-terminated, no embedded NUL) */
    size_t count;                     /* items (and keys) */
    const char *name;                 /* FIELD or FUNCTION name */
    size_t name_len;                  /* its length in bytes */
    size_t offset;                    /* FUNCTION: byte offset of its "(" (for errors) */
    json_t *literal;                  /* LITERAL, borrowed from the query's literal list */
    long long slice[3];               /* INDEX uses slice[0] */
    bool has_slice[3];
    enum cpw_jmespath_cmp cmp;
    const struct cpw_jmespath_function *function;
};

struct cpw_jmespath {
    struct cpw_arena arena; /* every node and string */
    json_t *literals;       /* array owning each literal value */
    struct cpw_jmespath_node *root;
    char *expression; /* from the arena */
};

/* ----- evaluation context ------------------------------------------------------------------- */

struct cpw_jmespath_eval {
    uint64_t steps; /* values visited so far, against CPW_JMESPATH_MAX_STEPS */
    uint64_t items; /* elements of arrays and objects built so far, against _MAX_ITEMS */
    struct cpw_jmespath_error *err;
};

/** A function argument: a value (owned reference) or an expression reference. */
struct cpw_jmespath_arg {
    json_t *value; /* NULL when expref is set */
    const struct cpw_jmespath_node *expref;
};

struct cpw_jmespath_function {
    const char *name;
    size_t min_args;
    bool variadic; /* more than min_args allowed */
    json_t *(*call)(struct cpw_jmespath_eval *ev, struct cpw_jmespath_arg *args, size_t n);
};

/** The built-in function called name, or NULL. */
const struct cpw_jmespath_function *cpw_jmespath_function_find(const char *name, size_t len);

/** Evaluates node against value (borrowed). Returns a new reference, or NULL with ev->err set. */
json_t *cpw_jmespath_eval_node(struct cpw_jmespath_eval *ev,
                               const struct cpw_jmespath_node *node,
                               json_t *value);

/** Sets ev->err (kind and printf message) and returns NULL, so a failure is one line. */
json_t *cpw_jmespath_fail(struct cpw_jmespath_eval *ev,
                          enum cpw_jmespath_error_kind kind,
                          const char *fmt,
                          ...) __attribute__((format(printf, 3, 4)));

/**
 * Counts n more elements in arrays or objects the search builds. Returns false (with a limit error
 * recorded) once the total passes CPW_JMESPATH_MAX_ITEMS: the bound on a search's memory.
 */
bool cpw_jmespath_charge(struct cpw_jmespath_eval *ev, size_t n);

/** JMESPath truthiness: false, null, "", [], {} are false; everything else is true. */
bool cpw_jmespath_truthy(const json_t *v);

/** The JMESPath type name of v: number, string, boolean, array, object, null. */
const char *cpw_jmespath_type_name(const json_t *v);

/** A number as a double (integers and reals). */
double cpw_jmespath_number(const json_t *v);

/**
 * A number value: an integer when d is integral and fits json_int_t, else a real. NULL with an
 * invalid-value error when d is not finite.
 */
json_t *cpw_jmespath_number_new(struct cpw_jmespath_eval *ev, double d);

/** Appends v as JSON the way Python's json.dumps(v, separators=(',', ':')) writes it. */
int cpw_jmespath_dump_compact(const json_t *v, struct cpw_buf *out);

#endif
