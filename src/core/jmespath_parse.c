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

#include "core/jmespath_internal.h"
#include "cpw/alloc.h"
#include "cpw/error.h"

/* The compiled tree's arena may hold this many times the expression's size (plus a floor). */
#define ARENA_FACTOR      128u
#define ARENA_FLOOR_BYTES (64u * 1024u)

/* X(token, name jmespath.py gives it, binding power). */
#define TOKEN_LIST(X)                                                                              \
    X(T_EOF, "eof", 0)                                                                             \
    X(T_UNQUOTED, "unquoted_identifier", 0)                                                        \
    X(T_QUOTED, "quoted_identifier", 0)                                                            \
    X(T_LITERAL, "literal", 0)                                                                     \
    X(T_RBRACKET, "rbracket", 0)                                                                   \
    X(T_RPAREN, "rparen", 0)                                                                       \
    X(T_COMMA, "comma", 0)                                                                         \
    X(T_RBRACE, "rbrace", 0)                                                                       \
    X(T_NUMBER, "number", 0)                                                                       \
    X(T_CURRENT, "current", 0)                                                                     \
    X(T_EXPREF, "expref", 0)                                                                       \
    X(T_COLON, "colon", 0)                                                                         \
    X(T_PIPE, "pipe", 1)                                                                           \
    X(T_OR, "or", 2)                                                                               \
    X(T_AND, "and", 3)                                                                             \
    X(T_EQ, "eq", 5)                                                                               \
    X(T_GT, "gt", 5)                                                                               \
    X(T_LT, "lt", 5)                                                                               \
    X(T_GTE, "gte", 5)                                                                             \
    X(T_LTE, "lte", 5)                                                                             \
    X(T_NE, "ne", 5)                                                                               \
    X(T_FLATTEN, "flatten", 9)                                                                     \
    X(T_STAR, "star", 20)                                                                          \
    X(T_FILTER, "filter", 21)                                                                      \
    X(T_DOT, "dot", 40)                                                                            \
    X(T_NOT, "not", 45)                                                                            \
    X(T_LBRACE, "lbrace", 50)                                                                      \
    X(T_LBRACKET, "lbracket", 55)                                                                  \
    X(T_LPAREN, "lparen", 60)

enum token_type {
#define TOKEN_ENUM_(t, name, bp) t,
    TOKEN_LIST(TOKEN_ENUM_)
#undef TOKEN_ENUM_
};

static const char *const s_token_names[] = {
#define TOKEN_NAME_(t, name, bp) name,
    TOKEN_LIST(TOKEN_NAME_)
#undef TOKEN_NAME_
};

static const int s_binding_power[] = {
#define TOKEN_BP_(t, name, bp) bp,
    TOKEN_LIST(TOKEN_BP_)
#undef TOKEN_BP_
};

/* Tokens binding less than this end a projection's right side. */
#define PROJECTION_STOP 10

struct token {
    enum token_type type;
    size_t start; /* byte offset into the expression */
    size_t end;
    const char *text; /* identifier name (arena, NUL-terminated) */
    size_t text_len;
    long long number;
    json_t *literal; /* owned by the query's literal list */
};

struct parser {
    struct cpw_jmespath *q;
    const char *src;
    size_t src_len;
    struct token *tokens;
    size_t count;
    size_t cap;
    size_t pos;
    unsigned depth;
    struct cpw_jmespath_error *err;
    bool failed;
};

/* ----- errors ------------------------------------------------------------------------------- */

/* Character (code point) column of a byte offset: jmespath.py counts characters. */
static size_t s_column(const struct parser *p, size_t offset)
{
    size_t col = 0;
    for (size_t i = 0; i < offset && i < p->src_len; i++) {
        if (((unsigned char)p->src[i] & 0xC0u) != 0x80u) {
            col++;
        }
    }
    return col;
}

static void s_vfail(struct parser *p,
                    enum cpw_jmespath_error_kind kind,
                    size_t column,
                    const char *fmt,
                    va_list ap) __attribute__((format(printf, 4, 0)));

static void s_vfail(struct parser *p,
                    enum cpw_jmespath_error_kind kind,
                    size_t column,
                    const char *fmt,
                    va_list ap)
{
    if (p->failed) {
        return;
    }
    p->failed = true;
    p->err->kind = kind;
    p->err->column = column;
    (void)vsnprintf(p->err->message, sizeof(p->err->message), fmt, ap);
}

static void s_fail(struct parser *p,
                   enum cpw_jmespath_error_kind kind,
                   size_t column,
                   const char *fmt,
                   ...) __attribute__((format(printf, 4, 5)));

static void s_fail(struct parser *p,
                   enum cpw_jmespath_error_kind kind,
                   size_t column,
                   const char *fmt,
                   ...)
{
    va_list ap;
    va_start(ap, fmt);
    s_vfail(p, kind, column, fmt, ap);
    va_end(ap);
}

/* Up to 200 columns of spaces, then a caret: the underline under the offending character. */
static const char *s_caret(size_t col, char *buf, size_t size)
{
    size_t n = col < 200 ? col : 200;
    if (n + 2 > size) {
        n = size - 2;
    }
    memset(buf, ' ', n);
    buf[n] = '^';
    buf[n + 1] = '\0';
    return buf;
}

/* jmespath.py's LexerError: "Bad jmespath expression: MSG:\nEXPR\n   ^". */
static void s_lex_error(struct parser *p, size_t offset, const char *msg)
{
    char caret[256];
    size_t col = s_column(p, offset);
    s_fail(p, CPW_JMESPATH_ERR_SYNTAX, col, "Bad jmespath expression: %s:\n%s\n%s", msg, p->src,
           s_caret(col, caret, sizeof(caret)));
}

/* jmespath.py's ParseError: 'MSG: Parse error at column N, token "V" (TYPE), for expression:'. */
static void s_parse_error(struct parser *p, const struct token *t, const char *msg)
{
    char caret[256];
    char upper[32];
    const char *name = s_token_names[t->type];
    size_t i = 0;
    for (; name[i] && i + 1 < sizeof(upper); i++) {
        upper[i] = (char)(name[i] >= 'a' && name[i] <= 'z' ? name[i] - 'a' + 'A' : name[i]);
    }
    upper[i] = '\0';
    size_t col = s_column(p, t->start);
    /* The token's value as jmespath.py shows it: a name or string unquoted, else the text. */
    struct cpw_buf value;
    cpw_buf_init(&value, 256);
    int rc = 0;
    if (t->text) {
        rc = cpw_buf_append(&value, cpw_span_from(t->text, t->text_len));
    } else if (t->literal && json_is_string(t->literal)) {
        rc = cpw_buf_append(
          &value, cpw_span_from(json_string_value(t->literal), json_string_length(t->literal)));
    } else if (t->literal) {
        rc = cpw_jmespath_dump_compact(t->literal, &value);
    } else {
        rc = cpw_buf_append(&value, cpw_span_from(p->src + t->start, t->end - t->start));
    }
    s_fail(p, CPW_JMESPATH_ERR_SYNTAX, col,
           "%s: Parse error at column %zu, token \"%s\" (%s), for expression:\n\"%s\"\n%s", msg,
           col, rc ? "..." : cpw_buf_cstr(&value), upper, p->src,
           s_caret(col + 1, caret, sizeof(caret)));
    cpw_buf_clean_up(&value);
}

/* jmespath.py's IncompleteExpressionError, pointing past the end. */
static void s_incomplete(struct parser *p)
{
    char caret[256];
    size_t col = s_column(p, p->src_len);
    s_fail(p, CPW_JMESPATH_ERR_SYNTAX, col,
           "Invalid jmespath expression: Incomplete expression:\n\"%s\"\n%s", p->src,
           s_caret(col + 1, caret, sizeof(caret)));
}

/* ----- lexer -------------------------------------------------------------------------------- */

static struct token *s_push(struct parser *p, enum token_type type, size_t start, size_t end)
{
    if (p->count == p->cap) {
        if (p->cap >= CPW_JMESPATH_MAX_EXPR_BYTES + 1) {
            s_fail(p, CPW_JMESPATH_ERR_LIMIT, 0, "the expression is too large to compile");
            return NULL;
        }
        p->cap = p->cap ? p->cap * 2 : 16;
        p->tokens = cpw_realloc(p->tokens, p->cap * sizeof(*p->tokens));
    }
    struct token *t = &p->tokens[p->count++];
    memset(t, 0, sizeof(*t));
    t->type = type;
    t->start = start;
    t->end = end;
    return t;
}

static bool s_ident_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool s_ident_char(char c)
{
    return s_ident_start(c) || (c >= '0' && c <= '9');
}

/*
 * From the opening delimiter at *i to the matching closing one, a backslash escaping the next
 * character. Sets *body and *body_len to the bytes between the delimiters and moves *i past the
 * closing one. Returns false (error raised) when the delimiter is never closed.
 */
static bool s_until(struct parser *p, size_t *i, char delim, size_t *body, size_t *body_len)
{
    size_t start = *i;
    size_t j = start + 1;
    while (j < p->src_len && p->src[j] != delim) {
        if (p->src[j] == '\\' && j + 1 < p->src_len) {
            j++;
        }
        j++;
    }
    if (j >= p->src_len) {
        char msg[64];
        snprintf(msg, sizeof(msg), "Unclosed %c delimiter", delim);
        s_lex_error(p, start, msg);
        return false;
    }
    *body = start + 1;
    *body_len = j - start - 1;
    *i = j + 1;
    return true;
}

/* Copies body with every backslash-delim pair turned into delim. */
static char *s_unescape(struct parser *p, size_t body, size_t len, char delim, size_t *out_len)
{
    char *s = cpw_arena_alloc(&p->q->arena, len + 1);
    if (!s) {
        s_fail(p, CPW_JMESPATH_ERR_LIMIT, 0, "the expression is too large to compile");
        return NULL;
    }
    size_t n = 0;
    for (size_t k = 0; k < len; k++) {
        char c = p->src[body + k];
        if (c == '\\' && k + 1 < len && p->src[body + k + 1] == delim) {
            c = delim;
            k++;
        }
        s[n++] = c;
    }
    s[n] = '\0';
    *out_len = n;
    return s;
}

static json_t *s_keep_literal(struct parser *p, json_t *v)
{
    json_array_append_new(p->q->literals, v);
    return v;
}

static bool s_lex_literal(struct parser *p, size_t *i)
{
    size_t start = *i, body, len, text_len;
    if (!s_until(p, i, '`', &body, &len)) {
        return false;
    }
    char *text = s_unescape(p, body, len, '`', &text_len);
    if (!text) {
        return false;
    }
    json_t *v = NULL;
    if (cpw_json_load(cpw_span_from(text, text_len), text_len, &v) != 0) {
        /* JEP-12's deprecated form: text that is not JSON is a string (leading blanks cut). */
        const char *lead = text;
        while (*lead == ' ' || *lead == '\t' || *lead == '\n' || *lead == '\r') {
            lead++;
        }
        struct cpw_buf quoted;
        cpw_buf_init(&quoted, text_len + 3);
        int rc = cpw_buf_append_byte(&quoted, '"');
        rc = rc ? rc : cpw_buf_append_cstr(&quoted, lead);
        rc = rc ? rc : cpw_buf_append_byte(&quoted, '"');
        if (rc || cpw_json_load(cpw_buf_span(&quoted), quoted.len, &v) != 0) {
            cpw_buf_clean_up(&quoted);
            char msg[96];
            snprintf(msg, sizeof(msg), "Bad token %.*s", (int)(text_len < 64 ? text_len : 64),
                     text);
            s_lex_error(p, start, msg);
            return false;
        }
        cpw_buf_clean_up(&quoted);
    }
    struct token *t = s_push(p, T_LITERAL, start, *i);
    if (!t) {
        json_decref(v);
        return false;
    }
    t->literal = s_keep_literal(p, v);
    return true;
}

static bool s_lex_raw_string(struct parser *p, size_t *i)
{
    size_t start = *i, body, len, text_len;
    if (!s_until(p, i, '\'', &body, &len)) {
        return false;
    }
    char *text = s_unescape(p, body, len, '\'', &text_len);
    if (!text) {
        return false;
    }
    json_t *v = json_stringn(text, text_len);
    if (!v) {
        s_lex_error(p, start, "Invalid UTF-8 in raw string");
        return false;
    }
    struct token *t = s_push(p, T_LITERAL, start, *i);
    if (!t) {
        json_decref(v);
        return false;
    }
    t->literal = s_keep_literal(p, v);
    return true;
}

static bool s_lex_quoted(struct parser *p, size_t *i)
{
    size_t start = *i, body, len;
    if (!s_until(p, i, '"', &body, &len)) {
        return false;
    }
    json_t *v = NULL;
    if (cpw_json_load(cpw_span_from(p->src + start, len + 2), len + 2, &v) != 0 ||
        !json_is_string(v)) {
        json_decref(v);
        s_lex_error(p, start, "Invalid quoted identifier");
        return false;
    }
    size_t n = json_string_length(v);
    char *name = cpw_arena_strndup(&p->q->arena, json_string_value(v), n);
    json_decref(v);
    struct token *t = name ? s_push(p, T_QUOTED, start, *i) : NULL;
    if (!t) {
        s_fail(p, CPW_JMESPATH_ERR_LIMIT, 0, "the expression is too large to compile");
        return false;
    }
    t->text = name;
    t->text_len = n;
    return true;
}

static bool s_lex_number(struct parser *p, size_t *i)
{
    size_t start = *i;
    size_t j = start;
    if (p->src[j] == '-') {
        j++;
    }
    if (j >= p->src_len || p->src[j] < '0' || p->src[j] > '9') {
        s_lex_error(p, start, "Unknown token '-'");
        return false;
    }
    long long value = 0;
    for (; j < p->src_len && p->src[j] >= '0' && p->src[j] <= '9'; j++) {
        if (value > (1LL << 53)) {
            s_lex_error(p, start, "Number too large");
            return false;
        }
        value = value * 10 + (p->src[j] - '0');
    }
    struct token *t = s_push(p, T_NUMBER, start, j);
    if (!t) {
        return false;
    }
    t->number = p->src[start] == '-' ? -value : value;
    *i = j;
    return true;
}

/* Two-character operators: c followed by next gives two_type, else one_type (or an error). */
static bool s_lex_pair(struct parser *p, size_t *i, char next, int two_type, int one_type)
{
    size_t start = *i;
    if (start + 1 < p->src_len && p->src[start + 1] == next) {
        *i += 2;
        return s_push(p, (enum token_type)two_type, start, start + 2) != NULL;
    }
    if (one_type < 0) {
        char msg[32];
        snprintf(msg, sizeof(msg), "Unknown token '%c'", p->src[start]);
        s_lex_error(p, start, msg);
        return false;
    }
    *i += 1;
    return s_push(p, (enum token_type)one_type, start, start + 1) != NULL;
}

static bool s_lex(struct parser *p)
{
    size_t i = 0;
    while (i < p->src_len) {
        char c = p->src[i];
        size_t start = i;
        bool ok = true;
        switch (c) {
        case ' ':
        case '\t':
        case '\n':
        case '\r':
            i++;
            continue;
        case '.':
            ok = s_push(p, T_DOT, start, ++i) != NULL;
            break;
        case '*':
            ok = s_push(p, T_STAR, start, ++i) != NULL;
            break;
        case ']':
            ok = s_push(p, T_RBRACKET, start, ++i) != NULL;
            break;
        case ',':
            ok = s_push(p, T_COMMA, start, ++i) != NULL;
            break;
        case ':':
            ok = s_push(p, T_COLON, start, ++i) != NULL;
            break;
        case '@':
            ok = s_push(p, T_CURRENT, start, ++i) != NULL;
            break;
        case '(':
            ok = s_push(p, T_LPAREN, start, ++i) != NULL;
            break;
        case ')':
            ok = s_push(p, T_RPAREN, start, ++i) != NULL;
            break;
        case '{':
            ok = s_push(p, T_LBRACE, start, ++i) != NULL;
            break;
        case '}':
            ok = s_push(p, T_RBRACE, start, ++i) != NULL;
            break;
        case '[':
            if (i + 1 < p->src_len && p->src[i + 1] == ']') {
                i += 2;
                ok = s_push(p, T_FLATTEN, start, i) != NULL;
            } else if (i + 1 < p->src_len && p->src[i + 1] == '?') {
                i += 2;
                ok = s_push(p, T_FILTER, start, i) != NULL;
            } else {
                ok = s_push(p, T_LBRACKET, start, ++i) != NULL;
            }
            break;
        case '|':
            ok = s_lex_pair(p, &i, '|', T_OR, T_PIPE);
            break;
        case '&':
            ok = s_lex_pair(p, &i, '&', T_AND, T_EXPREF);
            break;
        case '<':
            ok = s_lex_pair(p, &i, '=', T_LTE, T_LT);
            break;
        case '>':
            ok = s_lex_pair(p, &i, '=', T_GTE, T_GT);
            break;
        case '!':
            ok = s_lex_pair(p, &i, '=', T_NE, T_NOT);
            break;
        case '=':
            ok = s_lex_pair(p, &i, '=', T_EQ, -1);
            break;
        case '`':
            ok = s_lex_literal(p, &i);
            break;
        case '\'':
            ok = s_lex_raw_string(p, &i);
            break;
        case '"':
            ok = s_lex_quoted(p, &i);
            break;
        default:
            if (c == '-' || (c >= '0' && c <= '9')) {
                ok = s_lex_number(p, &i);
            } else if (s_ident_start(c)) {
                while (i < p->src_len && s_ident_char(p->src[i])) {
                    i++;
                }
                struct token *t = s_push(p, T_UNQUOTED, start, i);
                ok = t != NULL;
                if (t) {
                    t->text = cpw_arena_strndup(&p->q->arena, p->src + start, i - start);
                    t->text_len = i - start;
                    ok = t->text != NULL;
                }
            } else {
                char msg[64];
                size_t n = 1;
                while (start + n < p->src_len &&
                       ((unsigned char)p->src[start + n] & 0xC0u) == 0x80u) {
                    n++;
                }
                snprintf(msg, sizeof(msg), "Unknown token %.*s", (int)n, p->src + start);
                s_lex_error(p, start, msg);
                ok = false;
            }
            break;
        }
        if (!ok) {
            if (!p->failed) {
                s_fail(p, CPW_JMESPATH_ERR_LIMIT, 0, "the expression is too large to compile");
            }
            return false;
        }
    }
    return s_push(p, T_EOF, p->src_len, p->src_len) != NULL;
}

/* ----- nodes -------------------------------------------------------------------------------- */

static struct cpw_jmespath_node *s_node(struct parser *p, enum cpw_jmespath_node_type type)
{
    struct cpw_jmespath_node *n = cpw_arena_calloc(&p->q->arena, 1, sizeof(*n));
    if (!n) {
        s_fail(p, CPW_JMESPATH_ERR_LIMIT, 0, "the expression is too large to compile");
        return NULL;
    }
    n->type = type;
    return n;
}

static struct cpw_jmespath_node *s_node2(struct parser *p,
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

static const struct token *s_tok(const struct parser *p, size_t ahead)
{
    size_t k = p->pos + ahead;
    return &p->tokens[k < p->count ? k : p->count - 1];
}

static enum token_type s_cur(const struct parser *p)
{
    return s_tok(p, 0)->type;
}

static void s_advance(struct parser *p)
{
    if (p->pos + 1 < p->count) {
        p->pos++;
    }
}

static bool s_match(struct parser *p, enum token_type type)
{
    if (s_cur(p) == type) {
        s_advance(p);
        return true;
    }
    const struct token *t = s_tok(p, 0);
    if (t->type == T_EOF) {
        s_incomplete(p);
    } else {
        char msg[96];
        snprintf(msg, sizeof(msg), "Expecting: %s, got: %s", s_token_names[type],
                 s_token_names[t->type]);
        s_parse_error(p, t, msg);
    }
    return false;
}

static struct cpw_jmespath_node *s_expression(struct parser *p, int bp);

static struct cpw_jmespath_node *s_parse_multi_list(struct parser *p)
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
                s_fail(p, CPW_JMESPATH_ERR_LIMIT, 0, "the expression is too large to compile");
                return NULL;
            }
            if (count) {
                memcpy(grown, items, count * sizeof(*grown));
            }
            items = grown;
        }
        items[count++] = e;
        if (s_cur(p) == T_RBRACKET) {
            break;
        }
        if (!s_match(p, T_COMMA)) {
            return NULL;
        }
    }
    if (!s_match(p, T_RBRACKET)) {
        return NULL;
    }
    struct cpw_jmespath_node *n = s_node(p, CPW_JP_MULTI_LIST);
    if (n) {
        n->items = items;
        n->count = count;
    }
    return n;
}

static struct cpw_jmespath_node *s_parse_multi_hash(struct parser *p)
{
    struct cpw_jmespath_node **items = NULL;
    const char **keys = NULL;
    size_t count = 0, cap = 0;
    for (;;) {
        const struct token *key = s_tok(p, 0);
        if (key->type != T_QUOTED && key->type != T_UNQUOTED) {
            if (key->type == T_EOF) {
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
        if (!s_match(p, T_COLON)) {
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
                s_fail(p, CPW_JMESPATH_ERR_LIMIT, 0, "the expression is too large to compile");
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
        if (s_cur(p) == T_COMMA) {
            s_advance(p);
        } else if (s_cur(p) == T_RBRACE) {
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

static struct cpw_jmespath_node *s_parse_dot_rhs(struct parser *p, int bp)
{
    enum token_type la = s_cur(p);
    if (la == T_QUOTED || la == T_UNQUOTED || la == T_STAR) {
        return s_expression(p, bp);
    }
    if (la == T_LBRACKET) {
        s_advance(p);
        return s_parse_multi_list(p);
    }
    if (la == T_LBRACE) {
        s_advance(p);
        return s_parse_multi_hash(p);
    }
    const struct token *t = s_tok(p, 0);
    char msg[160];
    snprintf(msg, sizeof(msg),
             "Expecting: ['quoted_identifier', 'unquoted_identifier', 'lbracket', 'lbrace'], "
             "got: %s",
             s_token_names[t->type]);
    s_parse_error(p, t, msg);
    return NULL;
}

static struct cpw_jmespath_node *s_parse_projection_rhs(struct parser *p, int bp)
{
    enum token_type cur = s_cur(p);
    if (s_binding_power[cur] < PROJECTION_STOP) {
        return s_node(p, CPW_JP_IDENTITY);
    }
    if (cur == T_LBRACKET || cur == T_FILTER) {
        return s_expression(p, bp);
    }
    if (cur == T_DOT) {
        s_advance(p);
        return s_parse_dot_rhs(p, bp);
    }
    s_parse_error(p, s_tok(p, 0), "syntax error");
    return NULL;
}

/* [number] or [start:stop:step]; the current token is the first one after '['. */
static struct cpw_jmespath_node *s_parse_index(struct parser *p)
{
    if (s_cur(p) == T_COLON || s_tok(p, 1)->type == T_COLON) {
        struct cpw_jmespath_node *n = s_node(p, CPW_JP_SLICE);
        if (!n) {
            return NULL;
        }
        size_t part = 0;
        while (s_cur(p) != T_RBRACKET) {
            if (s_cur(p) == T_COLON) {
                part++;
                if (part == 3) {
                    s_parse_error(p, s_tok(p, 0), "syntax error");
                    return NULL;
                }
                s_advance(p);
            } else if (s_cur(p) == T_NUMBER) {
                n->slice[part] = s_tok(p, 0)->number;
                n->has_slice[part] = true;
                s_advance(p);
            } else {
                s_parse_error(p, s_tok(p, 0), "syntax error");
                return NULL;
            }
        }
        return s_match(p, T_RBRACKET) ? n : NULL;
    }
    struct cpw_jmespath_node *n = s_node(p, CPW_JP_INDEX);
    if (!n) {
        return NULL;
    }
    n->slice[0] = s_tok(p, 0)->number;
    s_advance(p);
    return s_match(p, T_RBRACKET) ? n : NULL;
}

/* left[index] or, for a slice, a projection over left[slice]. */
static struct cpw_jmespath_node *s_project_if_slice(struct parser *p,
                                                    struct cpw_jmespath_node *left,
                                                    struct cpw_jmespath_node *right)
{
    struct cpw_jmespath_node *index = s_node2(p, CPW_JP_SUBEXPR, left, right);
    if (!index || right->type != CPW_JP_SLICE) {
        return index;
    }
    return s_node2(p, CPW_JP_LIST_PROJECTION, index,
                   s_parse_projection_rhs(p, s_binding_power[T_STAR]));
}

static struct cpw_jmespath_node *s_led_filter(struct parser *p, struct cpw_jmespath_node *left)
{
    struct cpw_jmespath_node *cond = s_expression(p, 0);
    if (!cond || !s_match(p, T_RBRACKET)) {
        return NULL;
    }
    struct cpw_jmespath_node *right = s_cur(p) == T_FLATTEN
                                        ? s_node(p, CPW_JP_IDENTITY)
                                        : s_parse_projection_rhs(p, s_binding_power[T_FILTER]);
    struct cpw_jmespath_node *n = s_node2(p, CPW_JP_FILTER, left, right);
    if (n) {
        n->cond = cond;
    }
    return n;
}

static struct cpw_jmespath_node *s_nud(struct parser *p, const struct token *t)
{
    struct cpw_jmespath_node *n = NULL;
    switch (t->type) {
    case T_LITERAL:
        n = s_node(p, CPW_JP_LITERAL);
        if (n) {
            n->literal = t->literal;
        }
        return n;
    case T_UNQUOTED:
    case T_QUOTED:
        if (t->type == T_QUOTED && s_cur(p) == T_LPAREN) {
            /* jmespath.py reports this one at column 0. */
            struct token at0 = *s_tok(p, 0);
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
    case T_STAR: {
        struct cpw_jmespath_node *right = s_cur(p) == T_RBRACKET
                                            ? s_node(p, CPW_JP_IDENTITY)
                                            : s_parse_projection_rhs(p, s_binding_power[T_STAR]);
        return s_node2(p, CPW_JP_VALUE_PROJECTION, s_node(p, CPW_JP_IDENTITY), right);
    }
    case T_FILTER:
        return s_led_filter(p, s_node(p, CPW_JP_IDENTITY));
    case T_LBRACE:
        return s_parse_multi_hash(p);
    case T_LPAREN:
        n = s_expression(p, 0);
        return n && s_match(p, T_RPAREN) ? n : NULL;
    case T_FLATTEN: {
        struct cpw_jmespath_node *flat = s_node(p, CPW_JP_FLATTEN);
        if (!flat) {
            return NULL;
        }
        flat->left = s_node(p, CPW_JP_IDENTITY);
        return s_node2(p, CPW_JP_LIST_PROJECTION, flat,
                       s_parse_projection_rhs(p, s_binding_power[T_FLATTEN]));
    }
    case T_NOT:
        n = s_node(p, CPW_JP_NOT);
        if (n) {
            n->left = s_expression(p, s_binding_power[T_NOT]);
        }
        return n && n->left ? n : NULL;
    case T_LBRACKET:
        if (s_cur(p) == T_NUMBER || s_cur(p) == T_COLON) {
            struct cpw_jmespath_node *right = s_parse_index(p);
            return right ? s_project_if_slice(p, s_node(p, CPW_JP_IDENTITY), right) : NULL;
        }
        if (s_cur(p) == T_STAR && s_tok(p, 1)->type == T_RBRACKET) {
            s_advance(p);
            s_advance(p);
            return s_node2(p, CPW_JP_LIST_PROJECTION, s_node(p, CPW_JP_IDENTITY),
                           s_parse_projection_rhs(p, s_binding_power[T_STAR]));
        }
        return s_parse_multi_list(p);
    case T_CURRENT:
        return s_node(p, CPW_JP_CURRENT);
    case T_EXPREF:
        n = s_node(p, CPW_JP_EXPREF);
        if (n) {
            n->left = s_expression(p, s_binding_power[T_EXPREF]);
        }
        return n && n->left ? n : NULL;
    case T_EOF:
        s_incomplete(p);
        return NULL;
    default:
        s_parse_error(p, t, "invalid token");
        return NULL;
    }
}

static struct cpw_jmespath_node *s_led_function(struct parser *p,
                                                struct cpw_jmespath_node *left,
                                                const struct token *lparen)
{
    if (left->type != CPW_JP_FIELD) {
        const struct token *prev = lparen - 1; /* a led always has a token on its left */
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
    while (s_cur(p) != T_RPAREN) {
        struct cpw_jmespath_node *arg = s_expression(p, 0);
        if (!arg) {
            return NULL;
        }
        if (n->count == cap) {
            cap = cap ? cap * 2 : 4;
            struct cpw_jmespath_node **grown = cpw_arena_calloc(&p->q->arena, cap, sizeof(*grown));
            if (!grown) {
                s_fail(p, CPW_JMESPATH_ERR_LIMIT, 0, "the expression is too large to compile");
                return NULL;
            }
            if (n->count) {
                memcpy(grown, n->items, n->count * sizeof(*grown));
            }
            n->items = grown;
        }
        n->items[n->count++] = arg;
        if (s_cur(p) == T_COMMA) {
            s_advance(p);
            if (s_cur(p) == T_RPAREN) {
                s_parse_error(p, s_tok(p, 0), "invalid token");
                return NULL;
            }
        } else if (s_cur(p) != T_RPAREN) {
            if (s_cur(p) == T_EOF) {
                s_incomplete(p);
            } else {
                s_parse_error(p, s_tok(p, 0), "Expecting: comma or rparen");
            }
            return NULL;
        }
    }
    s_advance(p);
    n->function = cpw_jmespath_function_find(left->name, left->name_len);
    if (!n->function) {
        s_fail(p, CPW_JMESPATH_ERR_UNKNOWN_FUNCTION, s_column(p, (size_t)(lparen->start)),
               "Unknown function: %.*s()", (int)(left->name_len < 64 ? left->name_len : 64),
               left->name);
        return NULL;
    }
    const struct cpw_jmespath_function *f = n->function;
    if (f->variadic ? n->count < f->min_args : n->count != f->min_args) {
        s_fail(p, CPW_JMESPATH_ERR_INVALID_ARITY, s_column(p, lparen->start),
               "Expected %s%zu argument%s for function %s(), received %zu",
               f->variadic ? "at least " : "", f->min_args, f->min_args == 1 ? "" : "s", f->name,
               n->count);
        return NULL;
    }
    return n;
}

static struct cpw_jmespath_node *s_led(struct parser *p,
                                       struct cpw_jmespath_node *left,
                                       const struct token *t)
{
    struct cpw_jmespath_node *n = NULL;
    switch (t->type) {
    case T_DOT:
        if (s_cur(p) != T_STAR) {
            return s_node2(p, CPW_JP_SUBEXPR, left, s_parse_dot_rhs(p, s_binding_power[T_DOT]));
        }
        s_advance(p);
        return s_node2(p, CPW_JP_VALUE_PROJECTION, left,
                       s_parse_projection_rhs(p, s_binding_power[T_DOT]));
    case T_PIPE:
        return s_node2(p, CPW_JP_PIPE, left, s_expression(p, s_binding_power[T_PIPE]));
    case T_OR:
        return s_node2(p, CPW_JP_OR, left, s_expression(p, s_binding_power[T_OR]));
    case T_AND:
        return s_node2(p, CPW_JP_AND, left, s_expression(p, s_binding_power[T_AND]));
    case T_LPAREN:
        return s_led_function(p, left, t);
    case T_FILTER:
        return s_led_filter(p, left);
    case T_EQ:
    case T_NE:
    case T_LT:
    case T_LTE:
    case T_GT:
    case T_GTE:
        n = s_node2(p, CPW_JP_COMPARE, left, s_expression(p, s_binding_power[t->type]));
        if (n) {
            n->cmp = t->type == T_EQ    ? CPW_JP_EQ
                     : t->type == T_NE  ? CPW_JP_NE
                     : t->type == T_LT  ? CPW_JP_LT
                     : t->type == T_LTE ? CPW_JP_LE
                     : t->type == T_GT  ? CPW_JP_GT
                                        : CPW_JP_GE;
        }
        return n;
    case T_FLATTEN: {
        struct cpw_jmespath_node *flat = s_node(p, CPW_JP_FLATTEN);
        if (!flat) {
            return NULL;
        }
        flat->left = left;
        return s_node2(p, CPW_JP_LIST_PROJECTION, flat,
                       s_parse_projection_rhs(p, s_binding_power[T_FLATTEN]));
    }
    case T_LBRACKET:
        if (s_cur(p) == T_NUMBER || s_cur(p) == T_COLON) {
            struct cpw_jmespath_node *right = s_parse_index(p);
            return right ? s_project_if_slice(p, left, right) : NULL;
        }
        if (!s_match(p, T_STAR) || !s_match(p, T_RBRACKET)) {
            return NULL;
        }
        return s_node2(p, CPW_JP_LIST_PROJECTION, left,
                       s_parse_projection_rhs(p, s_binding_power[T_STAR]));
    default:
        s_parse_error(p, t, "invalid token");
        return NULL;
    }
}

static struct cpw_jmespath_node *s_expression(struct parser *p, int bp)
{
    if (p->failed) {
        return NULL;
    }
    if (++p->depth > CPW_JMESPATH_MAX_DEPTH) {
        s_fail(p, CPW_JMESPATH_ERR_LIMIT, s_column(p, s_tok(p, 0)->start),
               "the expression nests deeper than %u levels", CPW_JMESPATH_MAX_DEPTH);
        return NULL;
    }
    const struct token *t = s_tok(p, 0);
    s_advance(p);
    struct cpw_jmespath_node *left = s_nud(p, t);
    /* Every led call adds a level above left: count them too, so the tree's height is capped. */
    unsigned chain = 0;
    while (left && bp < s_binding_power[s_cur(p)]) {
        if (++chain + p->depth > CPW_JMESPATH_MAX_DEPTH) {
            s_fail(p, CPW_JMESPATH_ERR_LIMIT, s_column(p, s_tok(p, 0)->start),
                   "the expression nests deeper than %u levels", CPW_JMESPATH_MAX_DEPTH);
            left = NULL;
            break;
        }
        const struct token *op = s_tok(p, 0);
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
    struct parser p = { .q = q, .src = expr, .src_len = len, .err = err };
    q->expression = cpw_arena_strndup(&q->arena, expr, len);
    if (!q->literals || !q->expression) {
        s_fail(&p, CPW_JMESPATH_ERR_LIMIT, 0, "the expression is too large to compile");
        goto on_error;
    }
    p.src = q->expression;
    if (len == 0 || strspn(expr, " \t\r\n") == len) {
        s_fail(&p, CPW_JMESPATH_ERR_SYNTAX, 0, "Invalid JMESPath expression: cannot be empty.");
        goto on_error;
    }
    if (!s_lex(&p)) {
        goto on_error;
    }
    q->root = s_expression(&p, 0);
    if (!q->root) {
        goto on_error;
    }
    if (s_cur(&p) != T_EOF) {
        const struct token *t = s_tok(&p, 0);
        char msg[96];
        snprintf(msg, sizeof(msg), "Unexpected token: %.*s",
                 (int)(t->end - t->start < 40 ? t->end - t->start : 40), p.src + t->start);
        s_parse_error(&p, t, msg);
        goto on_error;
    }
    cpw_free(p.tokens);
    return q;

on_error:
    if (!p.failed) {
        s_fail(&p, CPW_JMESPATH_ERR_SYNTAX, 0, "Invalid jmespath expression");
    }
    cpw_raise(err->kind == CPW_JMESPATH_ERR_LIMIT ? CPW_ERR_LIMIT : CPW_ERR_PARSE, "%s",
              err->message);
    cpw_free(p.tokens);
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
