/*
 * shorthand.c - the AWS CLI's shorthand parser (awscli/shorthand.py), production for
 * production: parameter, keyval, key, values, csv-value with its backtracking, explicit-list,
 * hash-literal, first/second value (their character classes) and quoted values.
 *
 * Characters are UTF-8 bytes: every byte of 0x80 or above counts as a word character, as the
 * AWS CLI's classes admit every character from U+007C up (it refuses only those beyond U+FFFF).
 */
#include "cpw/shorthand.h"

#include <stdbool.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/buf.h"
#include "cpw/error.h"

#define SHORTHAND_MAX_DEPTH 64

struct parser {
    const char *s;
    size_t len;
    size_t i;
    int depth;
    bool failed;         /* a syntax error is pending */
    char expected[24];   /* what the failed step wanted */
    char actual[8];      /* what it found ("EOF", "<none>" or the character) */
    size_t error_at;     /* where */
    bool is_duplicate;   /* the error is a repeated top-level key... */
    char duplicate[128]; /* ...this one */
};

static bool s_eof(const struct parser *p)
{
    return p->i >= p->len;
}

static int s_cur(const struct parser *p)
{
    return s_eof(p) ? -1 : (unsigned char)p->s[p->i];
}

static bool s_space(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static void s_ws(struct parser *p)
{
    while (!s_eof(p) && s_space(s_cur(p))) {
        p->i++;
    }
}

static void s_fail(struct parser *p, const char *expected, const char *actual)
{
    if (p->failed) {
        return;
    }
    p->failed = true;
    snprintf(p->expected, sizeof(p->expected), "%s", expected);
    snprintf(p->actual, sizeof(p->actual), "%s", actual);
    p->error_at = p->i;
}

/* _expect(char, consume_whitespace) */
static bool s_expect(struct parser *p, char c, bool ws)
{
    if (ws) {
        s_ws(p);
    }
    char want[2] = { c, '\0' };
    if (s_eof(p)) {
        s_fail(p, want, "EOF");
        return false;
    }
    if (s_cur(p) != (unsigned char)c) {
        char got[8] = { 0 }; /* the whole character, as the AWS CLI names it */
        size_t n = 1;
        while (n < 4 && p->i + n < p->len && ((unsigned char)p->s[p->i + n] & 0xC0) == 0x80 &&
               ((unsigned char)p->s[p->i] & 0x80)) {
            n++;
        }
        memcpy(got, p->s + p->i, n);
        s_fail(p, want, got);
        return false;
    }
    p->i++;
    if (ws) {
        s_ws(p);
    }
    return true;
}

/* _START_WORD: ! #-& (-+ --< >-Z \-z and | upwards */
static bool s_start_word(int c)
{
    return c == '!' || (c >= '#' && c <= '&') || (c >= '(' && c <= '+') || (c >= '-' && c <= '<') ||
           (c >= '>' && c <= 'Z') || (c >= '\\' && c <= 'z') || c >= '|';
}

/* _FIRST_FOLLOW_CHARS: whitespace ! #-& (-+ --\ ^-| and ~ upwards (not " ' , ] }) */
static bool s_first_follow(int c)
{
    return s_space(c) || c == '!' || (c >= '#' && c <= '&') || (c >= '(' && c <= '+') ||
           (c >= '-' && c <= '\\') || (c >= '^' && c <= '|') || c >= '~';
}

/* _SECOND_FOLLOW_CHARS: whitespace ! #-& (-+ --< and > upwards (not " ' , =) */
static bool s_second_follow(int c)
{
    return s_space(c) || c == '!' || (c >= '#' && c <= '&') || (c >= '(' && c <= '+') ||
           (c >= '-' && c <= '<') || c >= '>';
}

/* The regex ({escaped_comma}|[start])({escaped_comma}|[follow])* at p->i: its length, or 0. */
static size_t s_word(const struct parser *p, bool (*follow)(int))
{
    size_t j = p->i;
    bool first = true;
    while (j < p->len) {
        if (p->s[j] == '\\' && j + 1 < p->len && p->s[j + 1] == ',') {
            j += 2;
        } else if (first ? s_start_word((unsigned char)p->s[j]) : follow((unsigned char)p->s[j])) {
            j++;
        } else {
            break;
        }
        first = false;
    }
    return j - p->i;
}

/* A word's value: "\," becomes ",", trailing whitespace stripped. */
static json_t *s_word_value(struct parser *p, size_t n)
{
    struct cpw_buf v;
    cpw_buf_init(&v, n + 1);
    for (size_t k = 0; k < n; k++) {
        if (p->s[p->i + k] == '\\' && k + 1 < n && p->s[p->i + k + 1] == ',') {
            continue; /* the comma follows */
        }
        (void)cpw_buf_append_byte(&v, (uint8_t)p->s[p->i + k]);
    }
    while (v.len && s_space(v.data[v.len - 1])) {
        v.len--;
    }
    p->i += n;
    json_t *out = json_stringn(v.len ? (const char *)v.data : "", v.len);
    cpw_buf_clean_up(&v);
    if (!out) {
        s_fail(p, "<UTF-8 text>", "<none>");
    }
    return out;
}

/* '...' or "...": (?:\\\\|\\q|[^q])* between quotes, then \q -> q and \\ -> \ (in that order). */
static json_t *s_quoted(struct parser *p)
{
    char q = p->s[p->i];
    size_t j = p->i + 1;
    size_t last_escaped_quote = 0;
    bool closed = false;
    while (j < p->len) {
        if (p->s[j] == '\\' && j + 1 < p->len && p->s[j + 1] == '\\') {
            j += 2;
        } else if (p->s[j] == '\\' && j + 1 < p->len && p->s[j + 1] == q) {
            last_escaped_quote = j + 1;
            j += 2;
        } else if (p->s[j] != q) {
            j++;
        } else {
            closed = true;
            break;
        }
    }
    if (!closed && last_escaped_quote) {
        j = last_escaped_quote; /* the regex backtracks: that quote closes the value */
        closed = true;
    }
    if (!closed) {
        s_fail(p, q == '\'' ? "<singled quoted>" : "<double quoted>", "<none>");
        return NULL;
    }
    struct cpw_buf once;
    struct cpw_buf twice;
    size_t n = j - p->i - 1;
    cpw_buf_init(&once, n + 1);
    cpw_buf_init(&twice, n + 1);
    const char *in = p->s + p->i + 1;
    for (size_t k = 0; k < n; k++) {
        if (in[k] == '\\' && k + 1 < n && in[k + 1] == q) {
            continue;
        }
        (void)cpw_buf_append_byte(&once, (uint8_t)in[k]);
    }
    for (size_t k = 0; k < once.len; k++) {
        (void)cpw_buf_append_byte(&twice, once.data[k]);
        if (once.data[k] == '\\' && k + 1 < once.len && once.data[k + 1] == '\\') {
            k++;
        }
    }
    p->i = j + 1;
    json_t *out = json_stringn(twice.len ? (const char *)twice.data : "", twice.len);
    cpw_buf_clean_up(&once);
    cpw_buf_clean_up(&twice);
    if (!out) {
        s_fail(p, "<UTF-8 text>", "<none>");
    }
    return out;
}

/* _first_value: a quoted value, or the first-value word ('' when none) */
static json_t *s_first_value(struct parser *p)
{
    if (s_cur(p) == '\'' || s_cur(p) == '"') {
        return s_quoted(p);
    }
    return s_word_value(p, s_word(p, s_first_follow));
}

/* _second_value: a quoted value, or a second-value word (an error when none) */
static json_t *s_second_value(struct parser *p)
{
    if (s_cur(p) == '\'' || s_cur(p) == '"') {
        return s_quoted(p);
    }
    size_t n = s_word(p, s_second_follow);
    if (n == 0) {
        s_fail(p, "<second>", "<none>");
        return NULL;
    }
    return s_word_value(p, n);
}

/* _key: [A-Za-z0-9-_.#/:]*, possibly empty */
static char *s_key(struct parser *p)
{
    size_t start = p->i;
    while (!s_eof(p)) {
        int c = s_cur(p);
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_' || c == '.' || c == '#' || c == '/' || c == ':';
        if (!ok) {
            break;
        }
        p->i++;
    }
    return cpw_strndup(p->s + start, p->i - start);
}

static json_t *s_explicit_values(struct parser *p);

static json_t *s_explicit_list(struct parser *p)
{
    if (!s_expect(p, '[', true)) {
        return NULL;
    }
    json_t *list = json_array();
    while (s_cur(p) != ']') {
        json_t *v = s_explicit_values(p);
        if (!v) {
            json_decref(list);
            return NULL;
        }
        json_array_append_new(list, v);
        s_ws(p);
        if (s_cur(p) != ']') {
            if (!s_expect(p, ',', false)) {
                json_decref(list);
                return NULL;
            }
            s_ws(p);
        }
    }
    if (!s_expect(p, ']', false)) {
        json_decref(list);
        return NULL;
    }
    return list;
}

static json_t *s_hash_literal(struct parser *p)
{
    if (!s_expect(p, '{', true)) {
        return NULL;
    }
    json_t *obj = json_object();
    while (s_cur(p) != '}') {
        char *key = s_key(p);
        json_t *v = s_expect(p, '=', true) ? s_explicit_values(p) : NULL;
        if (v) {
            s_ws(p);
            if (s_cur(p) != '}' && s_expect(p, ',', false)) {
                s_ws(p);
            }
        }
        if (!v || p->failed) {
            json_decref(v);
            cpw_free(key);
            json_decref(obj);
            return NULL;
        }
        json_object_set_new(obj, key, v); /* a repeated key inside braces: the last one wins */
        cpw_free(key);
    }
    if (!s_expect(p, '}', false)) {
        json_decref(obj);
        return NULL;
    }
    return obj;
}

static json_t *s_explicit_values(struct parser *p)
{
    if (++p->depth > SHORTHAND_MAX_DEPTH) {
        s_fail(p, "<shallower value>", "<none>");
        return NULL;
    }
    json_t *v = s_cur(p) == '['   ? s_explicit_list(p)
                : s_cur(p) == '{' ? s_hash_literal(p)
                                  : s_first_value(p);
    p->depth--;
    return v;
}

/* _csv_value: "a" is a string, "a,b,c" a list up to the next "key=" */
static json_t *s_csv_value(struct parser *p)
{
    json_t *first = s_first_value(p);
    if (!first) {
        return NULL;
    }
    s_ws(p);
    if (s_eof(p) || s_cur(p) != ',') {
        return first;
    }
    if (!s_expect(p, ',', true)) {
        json_decref(first);
        return NULL;
    }
    json_t *list = json_array();
    json_array_append_new(list, first);
    for (;;) {
        json_t *current = s_second_value(p);
        if (current) {
            s_ws(p);
            if (s_eof(p)) {
                json_array_append_new(list, current);
                break;
            }
            if (s_expect(p, ',', true)) {
                json_array_append_new(list, current);
                continue;
            }
            json_decref(current);
        }
        /* a syntax error: at the end it stands, otherwise back to the last comma (it separated
         * this value from the next key=value) */
        if (s_eof(p)) {
            json_decref(list);
            return NULL;
        }
        p->failed = false;
        while (p->i > 0 && p->s[p->i] != ',') {
            p->i--;
        }
        break;
    }
    if (json_array_size(list) == 1) {
        json_t *only = json_incref(json_array_get(list, 0));
        json_decref(list);
        return only;
    }
    return list;
}

static json_t *s_values(struct parser *p)
{
    if (s_eof(p)) {
        return json_string("");
    }
    if (s_cur(p) == '[') {
        return s_explicit_list(p);
    }
    if (s_cur(p) == '{') {
        return s_hash_literal(p);
    }
    return s_csv_value(p);
}

/* The AWS CLI's error location: the input up to the line of the error, a caret, the rest. */
static void s_raise(const struct parser *p)
{
    struct cpw_buf msg;
    cpw_buf_init(&msg, 2 * p->len + 512);
    if (p->is_duplicate) {
        (void)cpw_buf_appendf(&msg, "Second instance of key \"%s\" encountered for input:\n",
                              p->duplicate);
    } else {
        (void)cpw_buf_appendf(&msg, "Expected: '%s', received: '%s' for input:\n", p->expected,
                              p->actual);
    }
    size_t line_start = 0;
    for (size_t k = 0; k < p->error_at && k < p->len; k++) {
        if (p->s[k] == '\n') {
            line_start = k + 1;
        }
    }
    size_t line_end = p->error_at;
    while (line_end < p->len && p->s[line_end] != '\n') {
        line_end++;
    }
    (void)cpw_buf_append(&msg, cpw_span_from(p->s, line_end));
    (void)cpw_buf_append_byte(&msg, '\n');
    for (size_t k = line_start; k < p->error_at && k < p->len; k++) {
        if (((unsigned char)p->s[k] & 0xC0) != 0x80) { /* one space per character */
            (void)cpw_buf_append_byte(&msg, ' ');
        }
    }
    (void)cpw_buf_append_byte(&msg, '^');
    (void)cpw_buf_append(&msg, cpw_span_from(p->s + line_end, p->len - line_end));
    if (p->is_duplicate) {
        (void)cpw_buf_append_cstr(&msg, "\nThis is often because there is a preceding \",\" "
                                        "instead of a space.");
    }
    cpw_raise(CPW_ERR_PARSE, "%s", cpw_buf_cstr(&msg));
    cpw_buf_clean_up(&msg);
}

int cpw_shorthand_parse(const char *text, json_t **out)
{
    struct parser p = { .s = text, .len = strlen(text) };
    *out = NULL;
    json_t *params = json_object();
    size_t last_index = 0;
    bool first = true;
    while (first || !s_eof(&p)) {
        if (!first && !s_expect(&p, ',', true)) {
            break;
        }
        char *key = s_key(&p);
        json_t *value = s_expect(&p, '=', true) ? s_values(&p) : NULL;
        if (value && json_object_get(params, key)) {
            snprintf(p.duplicate, sizeof(p.duplicate), "%s", key);
            p.is_duplicate = true;
            p.error_at = last_index + 1;
            json_decref(value);
            value = NULL;
        }
        if (!value) {
            cpw_free(key);
            break;
        }
        json_object_set_new(params, key, value);
        cpw_free(key);
        last_index = p.i;
        first = false;
    }
    if (p.failed || p.is_duplicate) {
        s_raise(&p);
        json_decref(params);
        return -1;
    }
    *out = params;
    return 0;
}
