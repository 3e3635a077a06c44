/*
 * jmespath_lex.h - what the JMESPath lexer (jmespath_lex.c) hands the parser (jmespath_parse.c):
 * the token kinds, the tokens, the parser state they share, and the error helpers both report
 * with. Not part of the public API.
 */
#ifndef CPW_JMESPATH_LEX_H
#define CPW_JMESPATH_LEX_H

#include <stdbool.h>
#include <stddef.h>

#include "jmespath_internal.h"

/* X(token, name jmespath.py gives it, binding power). */
#define CPW_JMESPATH_TOKEN_LIST(X)                                                                 \
    X(CPW_JT_EOF, "eof", 0)                                                                        \
    X(CPW_JT_UNQUOTED, "unquoted_identifier", 0)                                                   \
    X(CPW_JT_QUOTED, "quoted_identifier", 0)                                                       \
    X(CPW_JT_LITERAL, "literal", 0)                                                                \
    X(CPW_JT_RBRACKET, "rbracket", 0)                                                              \
    X(CPW_JT_RPAREN, "rparen", 0)                                                                  \
    X(CPW_JT_COMMA, "comma", 0)                                                                    \
    X(CPW_JT_RBRACE, "rbrace", 0)                                                                  \
    X(CPW_JT_NUMBER, "number", 0)                                                                  \
    X(CPW_JT_CURRENT, "current", 0)                                                                \
    X(CPW_JT_EXPREF, "expref", 0)                                                                  \
    X(CPW_JT_COLON, "colon", 0)                                                                    \
    X(CPW_JT_PIPE, "pipe", 1)                                                                      \
    X(CPW_JT_OR, "or", 2)                                                                          \
    X(CPW_JT_AND, "and", 3)                                                                        \
    X(CPW_JT_EQ, "eq", 5)                                                                          \
    X(CPW_JT_GT, "gt", 5)                                                                          \
    X(CPW_JT_LT, "lt", 5)                                                                          \
    X(CPW_JT_GTE, "gte", 5)                                                                        \
    X(CPW_JT_LTE, "lte", 5)                                                                        \
    X(CPW_JT_NE, "ne", 5)                                                                          \
    X(CPW_JT_FLATTEN, "flatten", 9)                                                                \
    X(CPW_JT_STAR, "star", 20)                                                                     \
    X(CPW_JT_FILTER, "filter", 21)                                                                 \
    X(CPW_JT_DOT, "dot", 40)                                                                       \
    X(CPW_JT_NOT, "not", 45)                                                                       \
    X(CPW_JT_LBRACE, "lbrace", 50)                                                                 \
    X(CPW_JT_LBRACKET, "lbracket", 55)                                                             \
    X(CPW_JT_LPAREN, "lparen", 60)

enum cpw_jmespath_token_type {
#define TOKEN_ENUM_(t, name, bp) t,
    CPW_JMESPATH_TOKEN_LIST(TOKEN_ENUM_)
#undef TOKEN_ENUM_
};

struct cpw_jmespath_token {
    enum cpw_jmespath_token_type type;
    size_t start; /* byte offset into the expression */
    size_t end;
    const char *text; /* identifier name (arena, NUL-terminated) */
    size_t text_len;
    long long number;
    json_t *literal; /* owned by the query's literal list */
};

struct cpw_jmespath_parser {
    struct cpw_jmespath *q;
    const char *src;
    size_t src_len;
    struct cpw_jmespath_token *tokens;
    size_t count;
    size_t cap;
    size_t pos;
    unsigned depth;
    struct cpw_jmespath_node **calls; /* function calls, resolved after the parse */
    size_t ncalls;
    size_t calls_cap;
    struct cpw_jmespath_error *err;
    bool failed;
};

/** Character (code point) column of a byte offset: jmespath.py counts characters. */
size_t cpw_jmespath_column(const struct cpw_jmespath_parser *p, size_t offset);

/** Records the first error of a compilation (later ones are ignored). */
void cpw_jmespath_parse_fail(struct cpw_jmespath_parser *p,
                             enum cpw_jmespath_error_kind kind,
                             size_t column,
                             const char *fmt,
                             ...) __attribute__((format(printf, 4, 5)));

/** Writes col spaces (at most 200) and a caret into buf: the underline of an error. */
const char *cpw_jmespath_caret(size_t col, char *buf, size_t size);

/** Appends a token to p's list (growing it); NULL with a limit error past the cap. */
struct cpw_jmespath_token *cpw_jmespath_push_token(struct cpw_jmespath_parser *p,
                                                   enum cpw_jmespath_token_type type,
                                                   size_t start,
                                                   size_t end);

/**
 * Cuts p->src into p->tokens, ending with CPW_JT_EOF. Returns false with the error recorded
 * (jmespath.py's LexerError wording) on an unknown character, an unclosed delimiter or a bad
 * literal.
 */
bool cpw_jmespath_lex(struct cpw_jmespath_parser *p);

#endif
