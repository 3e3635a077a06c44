/*
 * jmespath_lex.c - the JMESPath lexer: expression text to tokens, as jmespath.py's lexer cuts it
 * (its token kinds, its literal and escape rules, its error wording and character columns).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/error.h"
#include "jmespath_lex.h"

/* ----- errors ------------------------------------------------------------------------------- */

/* Character (code point) column of a byte offset: jmespath.py counts characters. */
size_t cpw_jmespath_column(const struct cpw_jmespath_parser *p, size_t offset)
{
    size_t col = 0;
    for (size_t i = 0; i < offset && i < p->src_len; i++) {
        if (((unsigned char)p->src[i] & 0xC0u) != 0x80u) {
            col++;
        }
    }
    return col;
}

static void s_vfail(struct cpw_jmespath_parser *p,
                    enum cpw_jmespath_error_kind kind,
                    size_t column,
                    const char *fmt,
                    va_list ap) __attribute__((format(printf, 4, 0)));

static void s_vfail(struct cpw_jmespath_parser *p,
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

void cpw_jmespath_parse_fail(struct cpw_jmespath_parser *p,
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
const char *cpw_jmespath_caret(size_t col, char *buf, size_t size)
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
static void s_lex_error(struct cpw_jmespath_parser *p, size_t offset, const char *msg)
{
    char caret[256];
    size_t col = cpw_jmespath_column(p, offset);
    cpw_jmespath_parse_fail(p, CPW_JMESPATH_ERR_SYNTAX, col, "Bad jmespath expression: %s:\n%s\n%s",
                            msg, p->src, cpw_jmespath_caret(col, caret, sizeof(caret)));
}

/* ----- lexer -------------------------------------------------------------------------------- */

struct cpw_jmespath_token *cpw_jmespath_push_token(struct cpw_jmespath_parser *p,
                                                   enum cpw_jmespath_token_type type,
                                                   size_t start,
                                                   size_t end)
{
    if (p->count == p->cap) {
        if (p->cap >= CPW_JMESPATH_MAX_EXPR_BYTES + 1) {
            cpw_jmespath_parse_fail(p, CPW_JMESPATH_ERR_LIMIT, 0,
                                    "the expression is too large to compile");
            return NULL;
        }
        p->cap = p->cap ? p->cap * 2 : 16;
        p->tokens = cpw_realloc(p->tokens, p->cap * sizeof(*p->tokens));
    }
    struct cpw_jmespath_token *t = &p->tokens[p->count++];
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
static bool s_until(struct cpw_jmespath_parser *p,
                    size_t *i,
                    char delim,
                    size_t *body,
                    size_t *body_len)
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
static char *s_unescape(struct cpw_jmespath_parser *p,
                        size_t body,
                        size_t len,
                        char delim,
                        size_t *out_len)
{
    char *s = cpw_arena_alloc(&p->q->arena, len + 1);
    if (!s) {
        cpw_jmespath_parse_fail(p, CPW_JMESPATH_ERR_LIMIT, 0,
                                "the expression is too large to compile");
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

static json_t *s_keep_literal(struct cpw_jmespath_parser *p, json_t *v)
{
    json_array_append_new(p->q->literals, v);
    return v;
}

static bool s_lex_literal(struct cpw_jmespath_parser *p, size_t *i)
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
    struct cpw_jmespath_token *t = cpw_jmespath_push_token(p, CPW_JT_LITERAL, start, *i);
    if (!t) {
        json_decref(v);
        return false;
    }
    t->literal = s_keep_literal(p, v);
    return true;
}

static bool s_lex_raw_string(struct cpw_jmespath_parser *p, size_t *i)
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
    struct cpw_jmespath_token *t = cpw_jmespath_push_token(p, CPW_JT_LITERAL, start, *i);
    if (!t) {
        json_decref(v);
        return false;
    }
    t->literal = s_keep_literal(p, v);
    return true;
}

static bool s_lex_quoted(struct cpw_jmespath_parser *p, size_t *i)
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
    struct cpw_jmespath_token *t =
      name ? cpw_jmespath_push_token(p, CPW_JT_QUOTED, start, *i) : NULL;
    if (!t) {
        cpw_jmespath_parse_fail(p, CPW_JMESPATH_ERR_LIMIT, 0,
                                "the expression is too large to compile");
        return false;
    }
    t->text = name;
    t->text_len = n;
    return true;
}

static bool s_lex_number(struct cpw_jmespath_parser *p, size_t *i)
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
    struct cpw_jmespath_token *t = cpw_jmespath_push_token(p, CPW_JT_NUMBER, start, j);
    if (!t) {
        return false;
    }
    t->number = p->src[start] == '-' ? -value : value;
    *i = j;
    return true;
}

/* Two-character operators: c followed by next gives two_type, else one_type (or an error). */
static bool s_lex_pair(struct cpw_jmespath_parser *p,
                       size_t *i,
                       char next,
                       int two_type,
                       int one_type)
{
    size_t start = *i;
    if (start + 1 < p->src_len && p->src[start + 1] == next) {
        *i += 2;
        return cpw_jmespath_push_token(p, (enum cpw_jmespath_token_type)two_type, start,
                                       start + 2) != NULL;
    }
    if (one_type < 0) {
        char msg[32];
        snprintf(msg, sizeof(msg), "Unknown token '%c'", p->src[start]);
        s_lex_error(p, start, msg);
        return false;
    }
    *i += 1;
    return cpw_jmespath_push_token(p, (enum cpw_jmespath_token_type)one_type, start, start + 1) !=
           NULL;
}

bool cpw_jmespath_lex(struct cpw_jmespath_parser *p)
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
            ok = cpw_jmespath_push_token(p, CPW_JT_DOT, start, ++i) != NULL;
            break;
        case '*':
            ok = cpw_jmespath_push_token(p, CPW_JT_STAR, start, ++i) != NULL;
            break;
        case ']':
            ok = cpw_jmespath_push_token(p, CPW_JT_RBRACKET, start, ++i) != NULL;
            break;
        case ',':
            ok = cpw_jmespath_push_token(p, CPW_JT_COMMA, start, ++i) != NULL;
            break;
        case ':':
            ok = cpw_jmespath_push_token(p, CPW_JT_COLON, start, ++i) != NULL;
            break;
        case '@':
            ok = cpw_jmespath_push_token(p, CPW_JT_CURRENT, start, ++i) != NULL;
            break;
        case '(':
            ok = cpw_jmespath_push_token(p, CPW_JT_LPAREN, start, ++i) != NULL;
            break;
        case ')':
            ok = cpw_jmespath_push_token(p, CPW_JT_RPAREN, start, ++i) != NULL;
            break;
        case '{':
            ok = cpw_jmespath_push_token(p, CPW_JT_LBRACE, start, ++i) != NULL;
            break;
        case '}':
            ok = cpw_jmespath_push_token(p, CPW_JT_RBRACE, start, ++i) != NULL;
            break;
        case '[':
            if (i + 1 < p->src_len && p->src[i + 1] == ']') {
                i += 2;
                ok = cpw_jmespath_push_token(p, CPW_JT_FLATTEN, start, i) != NULL;
            } else if (i + 1 < p->src_len && p->src[i + 1] == '?') {
                i += 2;
                ok = cpw_jmespath_push_token(p, CPW_JT_FILTER, start, i) != NULL;
            } else {
                ok = cpw_jmespath_push_token(p, CPW_JT_LBRACKET, start, ++i) != NULL;
            }
            break;
        case '|':
            ok = s_lex_pair(p, &i, '|', CPW_JT_OR, CPW_JT_PIPE);
            break;
        case '&':
            ok = s_lex_pair(p, &i, '&', CPW_JT_AND, CPW_JT_EXPREF);
            break;
        case '<':
            ok = s_lex_pair(p, &i, '=', CPW_JT_LTE, CPW_JT_LT);
            break;
        case '>':
            ok = s_lex_pair(p, &i, '=', CPW_JT_GTE, CPW_JT_GT);
            break;
        case '!':
            ok = s_lex_pair(p, &i, '=', CPW_JT_NE, CPW_JT_NOT);
            break;
        case '=':
            ok = s_lex_pair(p, &i, '=', CPW_JT_EQ, -1);
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
                struct cpw_jmespath_token *t =
                  cpw_jmespath_push_token(p, CPW_JT_UNQUOTED, start, i);
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
                cpw_jmespath_parse_fail(p, CPW_JMESPATH_ERR_LIMIT, 0,
                                        "the expression is too large to compile");
            }
            return false;
        }
    }
    return cpw_jmespath_push_token(p, CPW_JT_EOF, p->src_len, p->src_len) != NULL;
}
