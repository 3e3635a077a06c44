/*
 * iam_policy_match.c - wildcard, ARN and policy-variable matching for IAM policies.
 *
 * IAM's wildcards are '*' (any run of characters, also empty) and '?' (one character). Actions
 * compare case-insensitively; resource ARNs compare segment by segment ("arn:partition:service:
 * region:account:resource"): a wildcard in one of the first five segments stays inside it, the
 * resource part may contain ':' and '/'. Policy variables ("${aws:username}") are replaced by the
 * request's value before matching; the value is literal text, never a wildcard, and "${*}",
 * "${?}", "${$}" stand for a literal '*', '?' and '$' (IAM User Guide, "IAM policy elements:
 * Variables and tags").
 *
 * Expanded patterns mark literal bytes with a 0x01 prefix so the matcher can tell "${*}" from '*'.
 */
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/buf.h"
#include "cpw/error.h"
#include "iam_policy_internal.h"

#define S_LITERAL '\x01'

static unsigned char s_fold(unsigned char c, bool fold)
{
    if (fold && c >= 'A' && c <= 'Z') {
        return (unsigned char)(c - 'A' + 'a');
    }
    return c;
}

/*
 * The classic iterative wildcard match: on a mismatch, go back to the last '*' and let it eat
 * one more character. Linear in practice, O(n*m) at worst, no recursion. tokens: -1 '*', -2 '?',
 * else a literal byte.
 */
static bool s_match_tokens(const int *tokens,
                           size_t n,
                           const char *text,
                           size_t text_len,
                           bool fold)
{
    size_t p = 0;
    size_t t = 0;
    size_t star_p = SIZE_MAX;
    size_t star_t = 0;
    while (t < text_len) {
        if (p < n && tokens[p] == -1) {
            star_p = p++;
            star_t = t;
        } else if (p < n && (tokens[p] == -2 || s_fold((unsigned char)tokens[p], fold) ==
                                                  s_fold((unsigned char)text[t], fold))) {
            p++;
            t++;
        } else if (star_p != SIZE_MAX) {
            p = star_p + 1;
            t = ++star_t;
        } else {
            return false;
        }
    }
    while (p < n && tokens[p] == -1) {
        p++;
    }
    return p == n;
}

/* Tokenizes pattern[0..len); escaped: 0x01 makes the next byte literal. */
static int *s_tokens(const char *pattern, size_t len, bool escaped, size_t *n_out)
{
    int *tokens = cpw_calloc(len + 1, sizeof(*tokens));
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)pattern[i];
        if (escaped && c == S_LITERAL && i + 1 < len) {
            tokens[n++] = (unsigned char)pattern[++i];
        } else if (c == '*') {
            tokens[n++] = -1;
        } else if (c == '?') {
            tokens[n++] = -2;
        } else {
            tokens[n++] = c;
        }
    }
    *n_out = n;
    return tokens;
}

static bool s_glob(const char *pattern,
                   size_t pattern_len,
                   const char *text,
                   size_t text_len,
                   bool fold,
                   bool escaped)
{
    size_t n = 0;
    int *tokens = s_tokens(pattern, pattern_len, escaped, &n);
    bool ok = s_match_tokens(tokens, n, text, text_len, fold);
    cpw_free(tokens);
    return ok;
}

bool cpw_iam_glob(const char *pattern,
                  size_t pattern_len,
                  const char *text,
                  size_t text_len,
                  bool fold)
{
    return s_glob(pattern, pattern_len, text, text_len, fold, false);
}

bool cpw_iam_glob_escaped(const char *pattern, const char *text, bool fold)
{
    return s_glob(pattern, strlen(pattern), text, strlen(text), fold, true);
}

bool cpw_iam_action_matches(const char *pattern, const char *action)
{
    if (!pattern || !action) {
        return false;
    }
    return cpw_iam_glob(pattern, strlen(pattern), action, strlen(action), true);
}

/*
 * Splits an ARN into its six parts at the first five ':' that are not escaped. Returns the
 * number of parts found (6 for a full ARN); starts/lens receive offsets.
 */
static size_t s_arn_split(const char *s, bool escaped, size_t starts[6], size_t lens[6])
{
    size_t len = strlen(s);
    size_t part = 0;
    starts[0] = 0;
    for (size_t i = 0; i < len && part < 5; i++) {
        if (escaped && s[i] == S_LITERAL) {
            i++;
            continue;
        }
        if (s[i] == ':') {
            lens[part] = i - starts[part];
            part++;
            starts[part] = i + 1;
        }
    }
    lens[part] = len - starts[part];
    return part + 1;
}

bool cpw_iam_arn_like(const char *pattern, const char *arn, bool escaped)
{
    size_t ps[6] = { 0 }, pl[6] = { 0 }, as[6] = { 0 }, al[6] = { 0 };
    size_t pn = s_arn_split(pattern, escaped, ps, pl);
    size_t an = s_arn_split(arn, false, as, al);
    if (pn != 6 || an != 6) {
        return false;
    }
    for (size_t i = 0; i < 6; i++) {
        if (!s_glob(pattern + ps[i], pl[i], arn + as[i], al[i], false, escaped)) {
            return false;
        }
    }
    return true;
}

bool cpw_iam_resource_matches(const char *pattern, const char *resource)
{
    if (!pattern || !resource) {
        return false;
    }
    if (strcmp(pattern, "*") == 0) {
        return true;
    }
    if (strncmp(pattern, "arn:", 4) != 0) {
        return cpw_iam_glob(pattern, strlen(pattern), resource, strlen(resource), false);
    }
    return cpw_iam_arn_like(pattern, resource, false);
}

/* Appends one byte of literal text to out, marked so that the matcher takes it literally. */
static int s_put_literal(struct cpw_buf *out, char c)
{
    char pair[2] = { S_LITERAL, c };
    return cpw_buf_append(out, cpw_span_from(pair, 2));
}

static int s_put_literal_str(struct cpw_buf *out, const char *s)
{
    for (const char *p = s; *p; p++) {
        if (s_put_literal(out, *p) != 0) {
            return -1;
        }
    }
    return 0;
}

/* Resolves the variable body (between "${" and "}"): "key" or "key, 'default'". */
static int s_resolve(const char *body,
                     size_t len,
                     const struct cpw_iam_context *context,
                     struct cpw_buf *out,
                     char **missing_key)
{
    if (len == 1 && (body[0] == '*' || body[0] == '?' || body[0] == '$')) {
        return s_put_literal(out, body[0]) == 0 ? 1 : -1;
    }
    size_t key_len = len;
    const char *dflt = NULL;
    size_t dflt_len = 0;
    const char *comma = memchr(body, ',', len);
    if (comma) {
        key_len = (size_t)(comma - body);
        const char *d = comma + 1;
        const char *end = body + len;
        while (d < end && *d == ' ') {
            d++;
        }
        while (end > d && end[-1] == ' ') {
            end--;
        }
        if (end - d >= 2 && d[0] == '\'' && end[-1] == '\'') {
            dflt = d + 1;
            dflt_len = (size_t)(end - d) - 2;
        }
    }
    while (key_len > 0 && body[key_len - 1] == ' ') {
        key_len--;
    }
    char *key = cpw_strndup(body, key_len);
    const struct cpw_iam_context_entry *e = cpw_iam_context_find(context, key);
    int rc = 1;
    if (e && !e->multi && e->values.count == 1) {
        rc = s_put_literal_str(out, e->values.items[0]) == 0 ? 1 : -1;
    } else if (dflt) {
        for (size_t i = 0; i < dflt_len && rc == 1; i++) {
            rc = s_put_literal(out, dflt[i]) == 0 ? 1 : -1;
        }
    } else {
        rc = 0;
        if (missing_key && !*missing_key) {
            *missing_key = key;
            key = NULL;
        }
    }
    cpw_free(key);
    return rc;
}

int cpw_iam_expand(const char *s,
                   const struct cpw_iam_context *context,
                   char **out,
                   char **missing_key)
{
    struct cpw_buf buf;
    cpw_buf_init(&buf, CPW_IAM_MAX_EXPANDED_BYTES);
    *out = NULL;
    int resolved = 1;
    size_t len = strlen(s);
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '$' && i + 1 < len && s[i + 1] == '{') {
            const char *close = memchr(s + i + 2, '}', len - i - 2);
            if (close) {
                size_t body_len = (size_t)(close - (s + i + 2));
                int rc = s_resolve(s + i + 2, body_len, context, &buf, missing_key);
                if (rc < 0) {
                    cpw_buf_clean_up(&buf);
                    return -1;
                }
                if (rc == 0) {
                    resolved = 0;
                }
                i += body_len + 2;
                continue;
            }
        }
        if (s[i] == S_LITERAL) {
            if (s_put_literal(&buf, s[i]) != 0) {
                cpw_buf_clean_up(&buf);
                return -1;
            }
            continue;
        }
        if (cpw_buf_append(&buf, cpw_span_from(s + i, 1)) != 0) {
            cpw_buf_clean_up(&buf);
            return -1;
        }
    }
    *out = cpw_strndup(buf.data ? (const char *)buf.data : "", buf.len);
    cpw_buf_clean_up(&buf);
    return resolved;
}
