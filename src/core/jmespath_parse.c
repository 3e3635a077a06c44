/*
 * jmespath_parse.c - the JMESPath lexer and parser: expression text to a tree in an arena.
 *
 * The text is first cut into tokens (so a lexical error anywhere wins over a parse error, as in
 * jmespath.py), then parsed by a Pratt parser with the specification's binding powers. Function
 * names and arities are resolved here, so an unknown function or a wrong argument count fails at
 * compile time, before any document is read. Error messages follow jmespath.py's, which the AWS
 * CLI prints after "Bad value for --query EXPR: ".
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/error.h"
#include "jmespath_lex.h"

/* The compiled tree's arena may hold this many times the expression's size (plus a floor). */
#define ARENA_FACTOR      128u
#define ARENA_FLOOR_BYTES (64u * 1024u)

static const char *const s_token_names[] = {
#define TOKEN_NAME_(t, name, bp) name,
    CPW_JMESPATH_TOKEN_LIST(TOKEN_NAME_)
#undef TOKEN_NAME_
};

static const int s_binding_power[] = {
#define TOKEN_BP_(t, name, bp) bp,
    CPW_JMESPATH_TOKEN_LIST(TOKEN_BP_)
#undef TOKEN_BP_
};

/* Tokens binding less than this end a projection's right side. */
#define PROJECTION_STOP 10

/* ----- errors ------------------------------------------------------------------------------- */

/*
 * The token's value as jmespath.py shows it (a name or a string unquoted, other literals as
 * compact JSON, anything else as written), capped; initialises value, which the caller cleans up.
 */
static void s_token_value(const struct cpw_jmespath_parser *p,
                          const struct cpw_jmespath_token *t,
                          struct cpw_buf *value)
{
    cpw_buf_init(value, 256);
    int rc = 0;
    if (t->text) {
        rc = cpw_buf_append(value, cpw_span_from(t->text, t->text_len));
    } else if (json_is_string(t->literal)) {
        rc = cpw_buf_append(
          value, cpw_span_from(json_string_value(t->literal), json_string_length(t->literal)));
    } else if (t->literal) {
        rc = cpw_jmespath_dump_compact(t->literal, value);
    } else {
        rc = cpw_buf_append(value, cpw_span_from(p->src + t->start, t->end - t->start));
    }
    if (rc) {
        (void)cpw_buf_append_cstr(value, "...");
    }
}

/* jmespath.py's ParseError: 'MSG: Parse error at column N, token "V" (TYPE), for expression:'. */
static void s_parse_error(struct cpw_jmespath_parser *p,
                          const struct cpw_jmespath_token *t,
                          const char *msg)
{
    char caret[256];
    char upper[32];
    const char *name = s_token_names[t->type];
    size_t i = 0;
    for (; name[i] && i + 1 < sizeof(upper); i++) {
        upper[i] = (char)(name[i] >= 'a' && name[i] <= 'z' ? name[i] - 'a' + 'A' : name[i]);
    }
    upper[i] = '\0';
    size_t col = cpw_jmespath_column(p, t->start);
    struct cpw_buf value;
    s_token_value(p, t, &value);
    cpw_jmespath_parse_fail(
      p, CPW_JMESPATH_ERR_SYNTAX, col,
      "%s: Parse error at column %zu, token \"%s\" (%s), for expression:\n\"%s\"\n%s", msg, col,
      cpw_buf_cstr(&value), upper, p->src, cpw_jmespath_caret(col + 1, caret, sizeof(caret)));
    cpw_buf_clean_up(&value);
}

/* jmespath.py's IncompleteExpressionError, pointing past the end. */
static void s_incomplete(struct cpw_jmespath_parser *p)
{
    char caret[256];
    size_t col = cpw_jmespath_column(p, p->src_len);
    cpw_jmespath_parse_fail(p, CPW_JMESPATH_ERR_SYNTAX, col,
                            "Invalid jmespath expression: Incomplete expression:\n\"%s\"\n%s",
                            p->src, cpw_jmespath_caret(col + 1, caret, sizeof(caret)));
}

/* ----- nodes -------------------------------------------------------------------------------- */

static struct cpw_jmespath_node *s_node(struct cpw_jmespath_parser *p,
                                        enum cpw_jmespath_node_type type)
{
    struct cpw_jmespath_node *n = cpw_arena_calloc(&p->q->arena, 1, sizeof(*n));
    if (!n) {
        cpw_jmespath_parse_fail(p, CPW_JMESPATH_ERR_LIMIT, 0,
                                "the expression is too large to compile");
        return NULL;
    }
    n->type = type;
    return n;
}

static struct cpw_jmespath_node *s_node2(struct cpw_jmespath_parser *p,
                                         enum cpw_jmespath_node_type type,
                                         struct cpw_jmespath_node *left,
                                         struct cpw_jmespath_node *right)
{
    if (!left || !right) {
        return NULL;
    }
    struct cpw_jmespath_node *n = s_node(p, type);
    if (n) {
        n->left = left;
        n->right = right;
    }
    return n;
}

/* ----- parser ------------------------------------------------------------------------------- */

static const struct cpw_jmespath_token *s_tok(const struct cpw_jmespath_parser *p, size_t ahead)
{
    size_t k = p->pos + ahead;
    return &p->tokens[k < p->count ? k : p->count - 1];
}

static enum cpw_jmespath_token_type s_cur(const struct cpw_jmespath_parser *p)
{
    return s_tok(p, 0)->type;
}

static void s_advance(struct cpw_jmespath_parser *p)
{
    if (p->pos + 1 < p->count) {
        p->pos++;
    }
}

static bool s_match(struct cpw_jmespath_parser *p, enum cpw_jmespath_token_type type)
{
    if (s_cur(p) == type) {
        s_advance(p);
        return true;
    }
    const struct cpw_jmespath_token *t = s_tok(p, 0);
    if (t->type == CPW_JT_EOF) {
        s_incomplete(p);
    } else {
        char msg[96];
        snprintf(msg, sizeof(msg), "Expecting: %s, got: %s", s_token_names[type],
                 s_token_names[t->type]);
        s_parse_error(p, t, msg);
    }
    return false;
}

static struct cpw_jmespath_node *s_expression(struct cpw_jmespath_parser *p, int bp);

static struct cpw_jmespath_node *s_parse_multi_list(struct cpw_jmespath_parser *p)
{
    struct cpw_jmespath_node **items = NULL;
    size_t count = 0, cap = 0;
    for (;;) {
        struct cpw_jmespath_node *e = s_expression(p, 0);
        if (!e) {
            return NULL;
        }
        if (count == cap) {
            cap = cap ? cap * 2 : 4;
            struct cpw_jmespath_node **grown = cpw_arena_calloc(&p->q->arena, cap, sizeof(*grown));
            if (!grown) {
                cpw_jmespath_parse_fail(p, CPW_JMESPATH_ERR_LIMIT, 0,
                                        "the expression is too large to compile");
                return NULL;
            }
            if (count) {
                memcpy(grown, items, count * sizeof(*grown));
            }
            items = grown;
        }
        items[count++] = e;
        if (s_cur(p) == CPW_JT_RBRACKET) {
            break;
        }
        if (!s_match(p, CPW_JT_COMMA)) {
            return NULL;
        }
    }
    if (!s_match(p, CPW_JT_RBRACKET)) {
        return NULL;
    }
    struct cpw_jmespath_node *n = s_node(p, CPW_JP_MULTI_LIST);
    if (n) {
        n->items = items;
        n->count = count;
    }
    return n;
}

static struct cpw_jmespath_node *s_parse_multi_hash(struct cpw_jmespath_parser *p)
{
    struct cpw_jmespath_node **items = NULL;
    const char **keys = NULL;
    size_t count = 0, cap = 0;
    for (;;) {
        const struct cpw_jmespath_token *key = s_tok(p, 0);
        if (key->type != CPW_JT_QUOTED && key->type != CPW_JT_UNQUOTED) {
            if (key->type == CPW_JT_EOF) {
                s_incomplete(p);
            } else {
                char msg[128];
                snprintf(msg, sizeof(msg),
                         "Expecting: ['quoted_identifier', 'unquoted_identifier'], got: %s",
                         s_token_names[key->type]);
                s_parse_error(p, key, msg);
            }
            return NULL;
        }
        s_advance(p);
        if (!s_match(p, CPW_JT_COLON)) {
            return NULL;
        }
        struct cpw_jmespath_node *value = s_expression(p, 0);
        if (!value) {
            return NULL;
        }
        if (count == cap) {
            cap = cap ? cap * 2 : 4;
            struct cpw_jmespath_node **gi = cpw_arena_calloc(&p->q->arena, cap, sizeof(*gi));
            const char **gk = cpw_arena_calloc(&p->q->arena, cap, sizeof(*gk));
            if (!gi || !gk) {
                cpw_jmespath_parse_fail(p, CPW_JMESPATH_ERR_LIMIT, 0,
                                        "the expression is too large to compile");
                return NULL;
            }
            if (count) {
                memcpy(gi, items, count * sizeof(*gi));
                memcpy(gk, keys, count * sizeof(*gk));
            }
            items = gi;
            keys = gk;
        }
        items[count] = value;
        keys[count] = key->text;
        count++;
        if (s_cur(p) == CPW_JT_COMMA) {
            s_advance(p);
        } else if (s_cur(p) == CPW_JT_RBRACE) {
            s_advance(p);
            break;
        }
        /* Anything else is read as the next key, and refused there, as jmespath.py does. */
    }
    struct cpw_jmespath_node *n = s_node(p, CPW_JP_MULTI_HASH);
    if (n) {
        n->items = items;
        n->keys = keys;
        n->count = count;
    }
    return n;
}

static struct cpw_jmespath_node *s_parse_dot_rhs(struct cpw_jmespath_parser *p, int bp)
{
    enum cpw_jmespath_token_type la = s_cur(p);
    if (la == CPW_JT_QUOTED || la == CPW_JT_UNQUOTED || la == CPW_JT_STAR) {
        return s_expression(p, bp);
    }
    if (la == CPW_JT_LBRACKET) {
        s_advance(p);
        return s_parse_multi_list(p);
    }
    if (la == CPW_JT_LBRACE) {
        s_advance(p);
        return s_parse_multi_hash(p);
    }
    const struct cpw_jmespath_token *t = s_tok(p, 0);
    char msg[160];
    snprintf(msg, sizeof(msg),
             "Expecting: ['quoted_identifier', 'unquoted_identifier', 'lbracket', 'lbrace'], "
             "got: %s",
             s_token_names[t->type]);
    s_parse_error(p, t, msg);
    return NULL;
}

static struct cpw_jmespath_node *s_parse_projection_rhs(struct cpw_jmespath_parser *p, int bp)
{
    enum cpw_jmespath_token_type cur = s_cur(p);
    if (s_binding_power[cur] < PROJECTION_STOP) {
        return s_node(p, CPW_JP_IDENTITY);
    }
    if (cur == CPW_JT_LBRACKET || cur == CPW_JT_FILTER) {
        return s_expression(p, bp);
    }
    if (cur == CPW_JT_DOT) {
        s_advance(p);
        return s_parse_dot_rhs(p, bp);
    }
    s_parse_error(p, s_tok(p, 0), "syntax error");
    return NULL;
}

/* [number] or [start:stop:step]; the current token is the first one after '['. */
static struct cpw_jmespath_node *s_parse_index(struct cpw_jmespath_parser *p)
{
    if (s_cur(p) == CPW_JT_COLON || s_tok(p, 1)->type == CPW_JT_COLON) {
        struct cpw_jmespath_node *n = s_node(p, CPW_JP_SLICE);
        if (!n) {
            return NULL;
        }
        size_t part = 0;
        while (s_cur(p) != CPW_JT_RBRACKET) {
            if (s_cur(p) == CPW_JT_COLON) {
                part++;
                if (part == 3) {
                    s_parse_error(p, s_tok(p, 0), "syntax error");
                    return NULL;
                }
                s_advance(p);
            } else if (s_cur(p) == CPW_JT_NUMBER) {
                n->slice[part] = s_tok(p, 0)->number;
                n->has_slice[part] = true;
                s_advance(p);
            } else {
                s_parse_error(p, s_tok(p, 0), "syntax error");
                return NULL;
            }
        }
        return s_match(p, CPW_JT_RBRACKET) ? n : NULL;
    }
    struct cpw_jmespath_node *n = s_node(p, CPW_JP_INDEX);
    if (!n) {
        return NULL;
    }
    n->slice[0] = s_tok(p, 0)->number;
    s_advance(p);
    return s_match(p, CPW_JT_RBRACKET) ? n : NULL;
}

/* left[index] or, for a slice, a projection over left[slice]. */
static struct cpw_jmespath_node *s_project_if_slice(struct cpw_jmespath_parser *p,
                                                    struct cpw_jmespath_node *left,
                                                    struct cpw_jmespath_node *right)
{
    struct cpw_jmespath_node *index = s_node2(p, CPW_JP_INDEX_EXPR, left, right);
    if (!index || right->type != CPW_JP_SLICE) {
        return index;
    }
    return s_node2(p, CPW_JP_LIST_PROJECTION, index,
                   s_parse_projection_rhs(p, s_binding_power[CPW_JT_STAR]));
}

static struct cpw_jmespath_node *s_led_filter(struct cpw_jmespath_parser *p,
                                              struct cpw_jmespath_node *left)
{
    struct cpw_jmespath_node *cond = s_expression(p, 0);
    if (!cond || !s_match(p, CPW_JT_RBRACKET)) {
        return NULL;
    }
    struct cpw_jmespath_node *right = s_cur(p) == CPW_JT_FLATTEN
                                        ? s_node(p, CPW_JP_IDENTITY)
                                        : s_parse_projection_rhs(p, s_binding_power[CPW_JT_FILTER]);
    struct cpw_jmespath_node *n = s_node2(p, CPW_JP_FILTER, left, right);
    if (n) {
        n->cond = cond;
    }
    return n;
}

static struct cpw_jmespath_node *s_nud(struct cpw_jmespath_parser *p,
                                       const struct cpw_jmespath_token *t)
{
    struct cpw_jmespath_node *n = NULL;
    switch (t->type) {
    case CPW_JT_LITERAL:
        n = s_node(p, CPW_JP_LITERAL);
        if (n) {
            n->literal = t->literal;
        }
        return n;
    case CPW_JT_UNQUOTED:
    case CPW_JT_QUOTED:
        if (t->type == CPW_JT_QUOTED && s_cur(p) == CPW_JT_LPAREN) {
            /* jmespath.py reports this one at column 0. */
            struct cpw_jmespath_token at0 = *s_tok(p, 0);
            at0.start = 0;
            at0.text = "(";
            at0.text_len = 1;
            s_parse_error(p, &at0, "Quoted identifier not allowed for function names.");
            return NULL;
        }
        n = s_node(p, CPW_JP_FIELD);
        if (n) {
            n->name = t->text;
            n->name_len = t->text_len;
        }
        return n;
    case CPW_JT_STAR: {
        struct cpw_jmespath_node *right =
          s_cur(p) == CPW_JT_RBRACKET ? s_node(p, CPW_JP_IDENTITY)
                                      : s_parse_projection_rhs(p, s_binding_power[CPW_JT_STAR]);
        return s_node2(p, CPW_JP_VALUE_PROJECTION, s_node(p, CPW_JP_IDENTITY), right);
    }
    case CPW_JT_FILTER:
        return s_led_filter(p, s_node(p, CPW_JP_IDENTITY));
    case CPW_JT_LBRACE:
        return s_parse_multi_hash(p);
    case CPW_JT_LPAREN:
        n = s_expression(p, 0);
        return n && s_match(p, CPW_JT_RPAREN) ? n : NULL;
    case CPW_JT_FLATTEN: {
        struct cpw_jmespath_node *flat = s_node(p, CPW_JP_FLATTEN);
        if (!flat) {
            return NULL;
        }
        flat->left = s_node(p, CPW_JP_IDENTITY);
        return s_node2(p, CPW_JP_LIST_PROJECTION, flat,
                       s_parse_projection_rhs(p, s_binding_power[CPW_JT_FLATTEN]));
    }
    case CPW_JT_NOT:
        n = s_node(p, CPW_JP_NOT);
        if (n) {
            n->left = s_expression(p, s_binding_power[CPW_JT_NOT]);
        }
        return n && n->left ? n : NULL;
    case CPW_JT_LBRACKET:
        if (s_cur(p) == CPW_JT_NUMBER || s_cur(p) == CPW_JT_COLON) {
            struct cpw_jmespath_node *right = s_parse_index(p);
            return right ? s_project_if_slice(p, s_node(p, CPW_JP_IDENTITY), right) : NULL;
        }
        if (s_cur(p) == CPW_JT_STAR && s_tok(p, 1)->type == CPW_JT_RBRACKET) {
            s_advance(p);
            s_advance(p);
            return s_node2(p, CPW_JP_LIST_PROJECTION, s_node(p, CPW_JP_IDENTITY),
                           s_parse_projection_rhs(p, s_binding_power[CPW_JT_STAR]));
        }
        return s_parse_multi_list(p);
    case CPW_JT_CURRENT:
        return s_node(p, CPW_JP_CURRENT);
    case CPW_JT_EXPREF:
        n = s_node(p, CPW_JP_EXPREF);
        if (n) {
            n->left = s_expression(p, s_binding_power[CPW_JT_EXPREF]);
        }
        return n && n->left ? n : NULL;
    case CPW_JT_EOF:
        s_incomplete(p);
        return NULL;
    default:
        s_parse_error(p, t, "invalid token");
        return NULL;
    }
}

static struct cpw_jmespath_node *s_led_function(struct cpw_jmespath_parser *p,
                                                struct cpw_jmespath_node *left,
                                                const struct cpw_jmespath_token *lparen)
{
    if (left->type != CPW_JP_FIELD) {
        const struct cpw_jmespath_token *prev =
          lparen - 1; /* a led always has a token on its left */
        char msg[96];
        snprintf(msg, sizeof(msg), "Invalid function name '%.*s'",
                 (int)(prev->end - prev->start < 40 ? prev->end - prev->start : 40),
                 p->src + prev->start);
        s_parse_error(p, prev, msg);
        return NULL;
    }
    struct cpw_jmespath_node *n = s_node(p, CPW_JP_FUNCTION);
    if (!n) {
        return NULL;
    }
    size_t cap = 0;
    while (s_cur(p) != CPW_JT_RPAREN) {
        struct cpw_jmespath_node *arg = s_expression(p, 0);
        if (!arg) {
            return NULL;
        }
        if (n->count == cap) {
            cap = cap ? cap * 2 : 4;
            struct cpw_jmespath_node **grown = cpw_arena_calloc(&p->q->arena, cap, sizeof(*grown));
            if (!grown) {
                cpw_jmespath_parse_fail(p, CPW_JMESPATH_ERR_LIMIT, 0,
                                        "the expression is too large to compile");
                return NULL;
            }
            if (n->count) {
                memcpy(grown, n->items, n->count * sizeof(*grown));
            }
            n->items = grown;
        }
        n->items[n->count++] = arg;
        if (s_cur(p) == CPW_JT_COMMA) {
            s_advance(p);
            if (s_cur(p) == CPW_JT_RPAREN) {
                s_parse_error(p, s_tok(p, 0), "invalid token");
                return NULL;
            }
        } else if (s_cur(p) != CPW_JT_RPAREN) {
            if (s_cur(p) == CPW_JT_EOF) {
                s_incomplete(p);
            } else {
                s_parse_error(p, s_tok(p, 0), "Expecting: comma or rparen");
            }
            return NULL;
        }
    }
    s_advance(p);
    /* Resolved once the whole expression has parsed, so a syntax error anywhere wins. */
    n->name = left->name;
    n->name_len = left->name_len;
    n->offset = lparen->start;
    if (p->ncalls == p->calls_cap) {
        p->calls_cap = p->calls_cap ? p->calls_cap * 2 : 8;
        p->calls = cpw_realloc(p->calls, p->calls_cap * sizeof(*p->calls));
    }
    p->calls[p->ncalls++] = n;
    return n;
}

/* Binds every call to its built-in function and checks its arity, in the order they close. */
static bool s_resolve_calls(struct cpw_jmespath_parser *p)
{
    for (size_t i = 0; i < p->ncalls; i++) {
        struct cpw_jmespath_node *n = p->calls[i];
        size_t column = cpw_jmespath_column(p, n->offset);
        n->function = cpw_jmespath_function_find(n->name, n->name_len);
        if (!n->function) {
            cpw_jmespath_parse_fail(p, CPW_JMESPATH_ERR_UNKNOWN_FUNCTION, column,
                                    "Unknown function: %.*s()",
                                    (int)(n->name_len < 64 ? n->name_len : 64), n->name);
            return false;
        }
        const struct cpw_jmespath_function *f = n->function;
        if (f->variadic ? n->count < f->min_args : n->count != f->min_args) {
            cpw_jmespath_parse_fail(p, CPW_JMESPATH_ERR_INVALID_ARITY, column,
                                    "Expected %s%zu argument%s for function %s(), received %zu",
                                    f->variadic ? "at least " : "", f->min_args,
                                    f->min_args == 1 ? "" : "s", f->name, n->count);
            return false;
        }
    }
    return true;
}

static struct cpw_jmespath_node *s_led(struct cpw_jmespath_parser *p,
                                       struct cpw_jmespath_node *left,
                                       const struct cpw_jmespath_token *t)
{
    struct cpw_jmespath_node *n = NULL;
    switch (t->type) {
    case CPW_JT_DOT:
        if (s_cur(p) != CPW_JT_STAR) {
            return s_node2(p, CPW_JP_SUBEXPR, left,
                           s_parse_dot_rhs(p, s_binding_power[CPW_JT_DOT]));
        }
        s_advance(p);
        return s_node2(p, CPW_JP_VALUE_PROJECTION, left,
                       s_parse_projection_rhs(p, s_binding_power[CPW_JT_DOT]));
    case CPW_JT_PIPE:
        return s_node2(p, CPW_JP_PIPE, left, s_expression(p, s_binding_power[CPW_JT_PIPE]));
    case CPW_JT_OR:
        return s_node2(p, CPW_JP_OR, left, s_expression(p, s_binding_power[CPW_JT_OR]));
    case CPW_JT_AND:
        return s_node2(p, CPW_JP_AND, left, s_expression(p, s_binding_power[CPW_JT_AND]));
    case CPW_JT_LPAREN:
        return s_led_function(p, left, t);
    case CPW_JT_FILTER:
        return s_led_filter(p, left);
    case CPW_JT_EQ:
    case CPW_JT_NE:
    case CPW_JT_LT:
    case CPW_JT_LTE:
    case CPW_JT_GT:
    case CPW_JT_GTE:
        n = s_node2(p, CPW_JP_COMPARE, left, s_expression(p, s_binding_power[t->type]));
        if (n) {
            n->cmp = t->type == CPW_JT_EQ    ? CPW_JP_EQ
                     : t->type == CPW_JT_NE  ? CPW_JP_NE
                     : t->type == CPW_JT_LT  ? CPW_JP_LT
                     : t->type == CPW_JT_LTE ? CPW_JP_LE
                     : t->type == CPW_JT_GT  ? CPW_JP_GT
                                             : CPW_JP_GE;
        }
        return n;
    case CPW_JT_FLATTEN: {
        struct cpw_jmespath_node *flat = s_node(p, CPW_JP_FLATTEN);
        if (!flat) {
            return NULL;
        }
        flat->left = left;
        return s_node2(p, CPW_JP_LIST_PROJECTION, flat,
                       s_parse_projection_rhs(p, s_binding_power[CPW_JT_FLATTEN]));
    }
    case CPW_JT_LBRACKET:
        if (s_cur(p) == CPW_JT_NUMBER || s_cur(p) == CPW_JT_COLON) {
            struct cpw_jmespath_node *right = s_parse_index(p);
            if (right && left->type == CPW_JP_INDEX_EXPR) {
                /* jmespath.py (so the AWS CLI) chains a second bracket onto an index
                 * expression without starting a projection, even for a slice: a[0][1:3].b is
                 * (a[0][1:3]).b. Kept, so that --query answers as the AWS CLI's. */
                return s_node2(p, CPW_JP_INDEX_EXPR, left, right);
            }
            return right ? s_project_if_slice(p, left, right) : NULL;
        }
        if (!s_match(p, CPW_JT_STAR) || !s_match(p, CPW_JT_RBRACKET)) {
            return NULL;
        }
        return s_node2(p, CPW_JP_LIST_PROJECTION, left,
                       s_parse_projection_rhs(p, s_binding_power[CPW_JT_STAR]));
    default:
        s_parse_error(p, t, "invalid token");
        return NULL;
    }
}

static struct cpw_jmespath_node *s_expression(struct cpw_jmespath_parser *p, int bp)
{
    if (p->failed) {
        return NULL;
    }
    if (++p->depth > CPW_JMESPATH_MAX_DEPTH) {
        cpw_jmespath_parse_fail(
          p, CPW_JMESPATH_ERR_LIMIT, cpw_jmespath_column(p, s_tok(p, 0)->start),
          "the expression nests deeper than %u levels", CPW_JMESPATH_MAX_DEPTH);
        return NULL;
    }
    const struct cpw_jmespath_token *t = s_tok(p, 0);
    s_advance(p);
    struct cpw_jmespath_node *left = s_nud(p, t);
    /* Every led call adds a level above left: count them too, so the tree's height is capped. */
    unsigned chain = 0;
    while (left && bp < s_binding_power[s_cur(p)]) {
        if (++chain + p->depth > CPW_JMESPATH_MAX_DEPTH) {
            cpw_jmespath_parse_fail(
              p, CPW_JMESPATH_ERR_LIMIT, cpw_jmespath_column(p, s_tok(p, 0)->start),
              "the expression nests deeper than %u levels", CPW_JMESPATH_MAX_DEPTH);
            left = NULL;
            break;
        }
        const struct cpw_jmespath_token *op = s_tok(p, 0);
        s_advance(p);
        left = s_led(p, left, op);
    }
    p->depth--;
    return p->failed ? NULL : left;
}

/* ----- public ------------------------------------------------------------------------------- */

struct cpw_jmespath *cpw_jmespath_compile(const char *expr, struct cpw_jmespath_error *err)
{
    struct cpw_jmespath_error local;
    if (!err) {
        err = &local;
    }
    memset(err, 0, sizeof(*err));
    if (!expr) {
        expr = "";
    }
    size_t len = strlen(expr);
    if (len > CPW_JMESPATH_MAX_EXPR_BYTES) {
        err->kind = CPW_JMESPATH_ERR_LIMIT;
        snprintf(err->message, sizeof(err->message),
                 "Invalid JMESPath expression: longer than %u bytes", CPW_JMESPATH_MAX_EXPR_BYTES);
        cpw_raise(CPW_ERR_LIMIT, "%s", err->message);
        return NULL;
    }
    struct cpw_jmespath *q = cpw_calloc(1, sizeof(*q));
    cpw_arena_init(&q->arena, len * ARENA_FACTOR + ARENA_FLOOR_BYTES);
    q->literals = json_array();
    struct cpw_jmespath_parser p = { .q = q, .src = expr, .src_len = len, .err = err };
    q->expression = cpw_arena_strndup(&q->arena, expr, len);
    if (!q->literals || !q->expression) {
        cpw_jmespath_parse_fail(&p, CPW_JMESPATH_ERR_LIMIT, 0,
                                "the expression is too large to compile");
        goto on_error;
    }
    p.src = q->expression;
    if (len == 0 || strspn(expr, " \t\r\n") == len) {
        cpw_jmespath_parse_fail(&p, CPW_JMESPATH_ERR_SYNTAX, 0,
                                "Invalid JMESPath expression: cannot be empty.");
        goto on_error;
    }
    if (!cpw_jmespath_lex(&p)) {
        goto on_error;
    }
    q->root = s_expression(&p, 0);
    if (!q->root) {
        goto on_error;
    }
    if (s_cur(&p) != CPW_JT_EOF) {
        const struct cpw_jmespath_token *t = s_tok(&p, 0);
        struct cpw_buf value;
        s_token_value(&p, t, &value);
        char msg[320];
        snprintf(msg, sizeof(msg), "Unexpected token: %.256s", cpw_buf_cstr(&value));
        cpw_buf_clean_up(&value);
        s_parse_error(&p, t, msg);
        goto on_error;
    }
    if (!s_resolve_calls(&p)) {
        goto on_error;
    }
    cpw_free(p.tokens);
    cpw_free(p.calls);
    return q;

on_error:
    if (!p.failed) {
        cpw_jmespath_parse_fail(&p, CPW_JMESPATH_ERR_SYNTAX, 0, "Invalid jmespath expression");
    }
    cpw_raise(err->kind == CPW_JMESPATH_ERR_LIMIT ? CPW_ERR_LIMIT : CPW_ERR_PARSE, "%s",
              err->message);
    cpw_free(p.tokens);
    cpw_free(p.calls);
    cpw_jmespath_destroy(q);
    return NULL;
}

void cpw_jmespath_destroy(struct cpw_jmespath *q)
{
    if (!q) {
        return;
    }
    json_decref(q->literals);
    cpw_arena_clean_up(&q->arena);
    cpw_free(q);
}

const char *cpw_jmespath_expression(const struct cpw_jmespath *q)
{
    return q ? q->expression : "";
}

const char *cpw_jmespath_error_kind_name(enum cpw_jmespath_error_kind kind)
{
    static const char *const names[] = {
#define CPW_JMESPATH_NAME_(k, name) name,
        CPW_JMESPATH_ERROR_LIST(CPW_JMESPATH_NAME_)
#undef CPW_JMESPATH_NAME_
    };
    return (size_t)kind < sizeof(names) / sizeof(names[0]) ? names[kind] : "unknown";
}
