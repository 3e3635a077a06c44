/*
 * validate_pattern.c - the model's Java-style `pattern` constraints as POSIX extended regular
 * expressions (regcomp/regexec), for input validation.
 *
 * Translated: \w \d \s (also inside brackets), \S \W \D outside brackets, \t \n \r, escaped
 * punctuation, \xHH and \uHHHH below 0x80, and (?: groups. Patterns that use anything else - \p{..}
 * classes, lookarounds (?= (?!, back references, non-ASCII \u escapes, lazy quantifiers - are
 * not checked (cpw_validate_pattern_translate returns 1). A pattern must match the whole value,
 * as Java's String.matches does.
 */
#include <regex.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "aws/validate_internal.h"
#include "cpw/buf.h"

static bool s_is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static long s_hex_value(const char *p, size_t n)
{
    long v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!s_is_hex(p[i])) {
            return -1;
        }
        v = v * 16 + (p[i] <= '9' ? p[i] - '0' : (p[i] | 0x20) - 'a' + 10);
    }
    return v;
}

/* Reads the escape at p (after '\'), giving a literal char or a class; advances *len. */
static int s_escape(const char *p, size_t *len, int *literal, const char **cls, bool in_bracket)
{
    *literal = -1;
    *cls = NULL;
    *len = 1;
    switch (p[0]) {
    case 'w':
        *cls = in_bracket ? "A-Za-z0-9_" : "[A-Za-z0-9_]";
        return 0;
    case 'd':
        *cls = in_bracket ? "0-9" : "[0-9]";
        return 0;
    case 's':
        *cls = in_bracket ? "[:space:]" : "[[:space:]]";
        return 0;
    case 'S':
        *cls = in_bracket ? NULL : "[^[:space:]]";
        return *cls ? 0 : 1;
    case 'W':
        *cls = in_bracket ? NULL : "[^A-Za-z0-9_]";
        return *cls ? 0 : 1;
    case 'D':
        *cls = in_bracket ? NULL : "[^0-9]";
        return *cls ? 0 : 1;
    case 't':
        *literal = '\t';
        return 0;
    case 'n':
        *literal = '\n';
        return 0;
    case 'r':
        *literal = '\r';
        return 0;
    case 'x':
    case 'u': {
        size_t n = p[0] == 'x' ? 2 : 4;
        if (strlen(p + 1) < n) {
            return 1;
        }
        long v = s_hex_value(p + 1, n);
        if (v < 1 || v >= 0x80) {
            return 1;
        }
        *literal = (int)v;
        *len = 1 + n;
        return 0;
    }
    default:
        if (p[0] && !((p[0] >= 'a' && p[0] <= 'z') || (p[0] >= 'A' && p[0] <= 'Z') ||
                      (p[0] >= '0' && p[0] <= '9'))) {
            *literal = (unsigned char)p[0];
            return 0;
        }
        return 1;
    }
}

int cpw_validate_pattern_translate(const char *java, struct cpw_buf *out)
{
    bool in_bracket = false;
    bool dash = false;
    bool caret = false;
    bool rbracket = false;
    size_t bracket_start = 0;
    if (cpw_buf_append_cstr(out, "^(")) {
        return -1;
    }
    for (const char *p = java; *p;) {
        char c = *p;
        if (c == '\\') {
            size_t len = 0;
            int literal;
            const char *cls;
            if (s_escape(p + 1, &len, &literal, &cls, in_bracket)) {
                return 1;
            }
            p += 1 + len;
            if (cls) {
                if (cpw_buf_append_cstr(out, cls)) {
                    return -1;
                }
            } else if (in_bracket) {
                if (literal == '-') {
                    dash = true;
                } else if (literal == '^') {
                    caret = true;
                } else if (literal == ']') {
                    rbracket = true;
                } else if (cpw_buf_append_byte(out, (uint8_t)literal)) {
                    return -1;
                }
            } else {
                if (strchr(".[]{}()*+?^$|\\", literal) && cpw_buf_append_byte(out, '\\')) {
                    return -1;
                }
                if (cpw_buf_append_byte(out, (uint8_t)literal)) {
                    return -1;
                }
            }
            continue;
        }
        if (in_bracket) {
            if (c == ']' && out->len > bracket_start) {
                /* Escaped specials go where POSIX brackets take them literally. */
                if ((caret && cpw_buf_append_byte(out, '^')) ||
                    (dash && cpw_buf_append_byte(out, '-')) || cpw_buf_append_byte(out, ']')) {
                    return -1;
                }
                in_bracket = false;
                p++;
                continue;
            }
            if (c == '[' && (p[1] == ':' || p[1] == '.' || p[1] == '=')) {
                return 1;
            }
            if (cpw_buf_append_byte(out, (uint8_t)c)) {
                return -1;
            }
            p++;
            continue;
        }
        if (c == '[') {
            if (cpw_buf_append_byte(out, '[')) {
                return -1;
            }
            p++;
            if (*p == '^') {
                if (cpw_buf_append_byte(out, '^')) {
                    return -1;
                }
                p++;
            }
            dash = caret = rbracket = false;
            /* An escaped ']' must come first; it is only known later, so refuse it here. */
            bracket_start = out->len;
            in_bracket = true;
            continue;
        }
        if (c == '(' && p[1] == '?') {
            if (p[2] != ':') {
                return 1; /* lookarounds, flags, named groups */
            }
            if (cpw_buf_append_byte(out, '(')) {
                return -1;
            }
            p += 3;
            continue;
        }
        if ((c == '*' || c == '+' || c == '?' || c == '}') && (p[1] == '?' || p[1] == '+')) {
            return 1; /* lazy or possessive quantifiers */
        }
        if (cpw_buf_append_byte(out, (uint8_t)c)) {
            return -1;
        }
        p++;
    }
    if (in_bracket || rbracket) {
        return 1;
    }
    /* A pattern that anchors its start itself but not its end ("^arn:[a-z0-9]{1,10}:profile",
     * Customer Profiles' TagArn) is a prefix rule: Smithy patterns are not implicitly anchored. */
    size_t len = strlen(java);
    bool prefix_rule = len > 1 && java[0] == '^' && java[len - 1] != '$';
    return cpw_buf_append_cstr(out, prefix_rule ? ")" : ")$") ? -1 : 0;
}

int cpw_validate_pattern_match(const char *java, const char *value)
{
    struct cpw_buf ere;
    cpw_buf_init(&ere, 16u * 1024u);
    int rc = cpw_validate_pattern_translate(java, &ere);
    if (rc) {
        cpw_buf_clean_up(&ere);
        return -1; /* not checkable */
    }
    regex_t re;
    if (regcomp(&re, cpw_buf_cstr(&ere), REG_EXTENDED | REG_NOSUB) != 0) {
        cpw_buf_clean_up(&ere);
        return -1;
    }
    int matched = regexec(&re, value, 0, NULL, 0) == 0;
    regfree(&re);
    cpw_buf_clean_up(&ere);
    return matched;
}
