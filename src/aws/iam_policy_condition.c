/*
 * iam_policy_condition.c - the Condition element: operators, IfExists, set operators, Null.
 *
 * Semantics (IAM User Guide, "IAM JSON policy elements: Condition operators" and "Multivalued
 * context keys"):
 *   - a positive operator holds when the request value matches any of the policy's values; a
 *     negated operator (StringNotEquals, StringNotLike, NumericNotEquals, DateNotEquals,
 *     NotIpAddress, ArnNotEquals, ArnNotLike) holds when it matches none of them;
 *   - a missing key makes a positive operator false and a negated one true ("the condition
 *     evaluates to true for a negated operator when the key is absent"); ...IfExists makes any
 *     operator true when the key is absent;
 *   - without a set operator, a multivalued key makes the condition false (a set operator is
 *     required to compare a set);
 *   - ForAllValues holds when every request value satisfies the operator, hence also for a
 *     missing key or an empty set; ForAnyValue holds when at least one does, hence never for a
 *     missing key or an empty set (unless IfExists and the key is absent);
 *   - Null: true asks for the key to be absent, false for it to be present.
 * A value the operator cannot read (a number that is not one, a malformed address, a variable
 * that does not resolve) matches nothing, under negated operators too.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cpw/alloc.h"
#include "cpw/time.h"
#include "iam_policy_internal.h"

static const struct {
    const char *name;
    enum cpw_iam_cond_op op;
} s_ops[] = {
    { "StringEquals", CPW_IAM_OP_STRING_EQUALS },
    { "StringNotEquals", CPW_IAM_OP_STRING_NOT_EQUALS },
    { "StringEqualsIgnoreCase", CPW_IAM_OP_STRING_EQUALS_IGNORE_CASE },
    { "StringNotEqualsIgnoreCase", CPW_IAM_OP_STRING_NOT_EQUALS_IGNORE_CASE },
    { "StringLike", CPW_IAM_OP_STRING_LIKE },
    { "StringNotLike", CPW_IAM_OP_STRING_NOT_LIKE },
    { "NumericEquals", CPW_IAM_OP_NUMERIC_EQUALS },
    { "NumericNotEquals", CPW_IAM_OP_NUMERIC_NOT_EQUALS },
    { "NumericLessThan", CPW_IAM_OP_NUMERIC_LESS_THAN },
    { "NumericLessThanEquals", CPW_IAM_OP_NUMERIC_LESS_THAN_EQUALS },
    { "NumericGreaterThan", CPW_IAM_OP_NUMERIC_GREATER_THAN },
    { "NumericGreaterThanEquals", CPW_IAM_OP_NUMERIC_GREATER_THAN_EQUALS },
    { "DateEquals", CPW_IAM_OP_DATE_EQUALS },
    { "DateNotEquals", CPW_IAM_OP_DATE_NOT_EQUALS },
    { "DateLessThan", CPW_IAM_OP_DATE_LESS_THAN },
    { "DateLessThanEquals", CPW_IAM_OP_DATE_LESS_THAN_EQUALS },
    { "DateGreaterThan", CPW_IAM_OP_DATE_GREATER_THAN },
    { "DateGreaterThanEquals", CPW_IAM_OP_DATE_GREATER_THAN_EQUALS },
    { "Bool", CPW_IAM_OP_BOOL },
    { "BinaryEquals", CPW_IAM_OP_BINARY_EQUALS },
    { "IpAddress", CPW_IAM_OP_IP_ADDRESS },
    { "NotIpAddress", CPW_IAM_OP_NOT_IP_ADDRESS },
    { "ArnEquals", CPW_IAM_OP_ARN_EQUALS },
    { "ArnLike", CPW_IAM_OP_ARN_LIKE },
    { "ArnNotEquals", CPW_IAM_OP_ARN_NOT_EQUALS },
    { "ArnNotLike", CPW_IAM_OP_ARN_NOT_LIKE },
    { "Null", CPW_IAM_OP_NULL },
};

int cpw_iam_condition_parse_op(const char *name, struct cpw_iam_condition *out)
{
    size_t len = strlen(name);
    out->set_op = CPW_IAM_SET_NONE;
    out->if_exists = false;
    /* Operator names compare case-insensitively, as IAM reads them. */
    if (len > 12 && strncasecmp(name, "ForAnyValue:", 12) == 0) {
        out->set_op = CPW_IAM_SET_ANY_VALUE;
        name += 12;
        len -= 12;
    } else if (len > 13 && strncasecmp(name, "ForAllValues:", 13) == 0) {
        out->set_op = CPW_IAM_SET_ALL_VALUES;
        name += 13;
        len -= 13;
    }
    if (len > 8 && strcasecmp(name + len - 8, "IfExists") == 0) {
        out->if_exists = true;
        len -= 8;
    }
    for (size_t i = 0; i < sizeof(s_ops) / sizeof(s_ops[0]); i++) {
        if (strlen(s_ops[i].name) == len && strncasecmp(s_ops[i].name, name, len) == 0) {
            out->op = s_ops[i].op;
            if (out->op == CPW_IAM_OP_NULL && (out->if_exists || out->set_op)) {
                return -1; /* Null takes neither IfExists nor a set operator */
            }
            return 0;
        }
    }
    return -1;
}

static bool s_negated(enum cpw_iam_cond_op op)
{
    switch (op) {
    case CPW_IAM_OP_STRING_NOT_EQUALS:
    case CPW_IAM_OP_STRING_NOT_EQUALS_IGNORE_CASE:
    case CPW_IAM_OP_STRING_NOT_LIKE:
    case CPW_IAM_OP_NUMERIC_NOT_EQUALS:
    case CPW_IAM_OP_DATE_NOT_EQUALS:
    case CPW_IAM_OP_NOT_IP_ADDRESS:
    case CPW_IAM_OP_ARN_NOT_EQUALS:
    case CPW_IAM_OP_ARN_NOT_LIKE:
        return true;
    default:
        return false;
    }
}

/* "You can use a policy variable for Condition values in any condition that involves the
 * string operators or the ARN operators" (IAM User Guide, policy variables); elsewhere "${...}"
 * is literal text. */
static bool s_uses_variables(enum cpw_iam_cond_op op)
{
    return op <= CPW_IAM_OP_STRING_NOT_LIKE ||
           (op >= CPW_IAM_OP_ARN_EQUALS && op <= CPW_IAM_OP_ARN_NOT_LIKE);
}

static bool s_number(const char *s, double *out)
{
    if (!*s) {
        return false;
    }
    errno = 0;
    char *end = NULL;
    double v = strtod(s, &end);
    if (errno != 0 || *end != '\0' || !isfinite(v)) {
        return false;
    }
    *out = v;
    return true;
}

/* An IAM date: epoch seconds, "YYYY-MM-DD", or an ISO 8601 timestamp. Milliseconds. */
static bool s_date(const char *s, int64_t *ms)
{
    size_t len = strlen(s);
    if (len > 0 && len <= 12 && strspn(s, "0123456789") == len) {
        *ms = (int64_t)strtoll(s, NULL, 10) * 1000;
        return true;
    }
    if (len == 10) {
        char full[32] = { 0 };
        memcpy(full, s, 10);
        memcpy(full + 10, "T00:00:00Z", 10);
        return cpw_time_parse_iso8601_ms(cpw_span_from_cstr(full), ms) == 0;
    }
    if (len == 16 || len == 17) { /* YYYY-MM-DDTHH:MMZ */
        char full[32] = { 0 };
        memcpy(full, s, 16);
        memcpy(full + 16, ":00Z", 4);
        return cpw_time_parse_iso8601_ms(cpw_span_from_cstr(full), ms) == 0;
    }
    return cpw_time_parse_iso8601_ms(cpw_span_from_cstr(s), ms) == 0;
}

/* An address or a CIDR block: family, 16 bytes, prefix length. */
struct s_ip {
    int family;
    unsigned char bytes[16];
    unsigned prefix;
};

static bool s_ip_parse(const char *s, bool allow_prefix, struct s_ip *out)
{
    char text[64];
    size_t len = strlen(s);
    if (len == 0 || len >= sizeof(text)) {
        return false;
    }
    memcpy(text, s, len + 1);
    char *slash = strchr(text, '/');
    long prefix = -1;
    if (slash) {
        if (!allow_prefix || !slash[1] || strspn(slash + 1, "0123456789") != strlen(slash + 1) ||
            strlen(slash + 1) > 3) {
            return false;
        }
        prefix = strtol(slash + 1, NULL, 10);
        *slash = '\0';
    }
    memset(out, 0, sizeof(*out));
    if (inet_pton(AF_INET, text, out->bytes) == 1) {
        out->family = AF_INET;
        if (prefix > 32) {
            return false;
        }
        out->prefix = prefix < 0 ? 32u : (unsigned)prefix;
        return true;
    }
    if (inet_pton(AF_INET6, text, out->bytes) == 1) {
        out->family = AF_INET6;
        if (prefix > 128) {
            return false;
        }
        out->prefix = prefix < 0 ? 128u : (unsigned)prefix;
        return true;
    }
    return false;
}

static int s_ip_in(const char *cidr, const char *addr)
{
    struct s_ip block, ip;
    if (!s_ip_parse(cidr, true, &block) || !s_ip_parse(addr, false, &ip)) {
        return -1;
    }
    if (block.family != ip.family) {
        return 0;
    }
    for (unsigned bit = 0; bit < block.prefix; bit++) {
        unsigned mask = 0x80u >> (bit % 8);
        if ((block.bytes[bit / 8] & mask) != (ip.bytes[bit / 8] & mask)) {
            return 0;
        }
    }
    return 1;
}

/*
 * Does the relation of op's family hold between the request value and one policy value (already
 * expanded: literal bytes marked when escaped)? 1 yes, 0 no, -1 unreadable.
 */
static int s_relation(enum cpw_iam_cond_op op, const char *policy, bool escaped, const char *value)
{
    switch (op) {
    case CPW_IAM_OP_STRING_EQUALS:
    case CPW_IAM_OP_STRING_NOT_EQUALS:
    case CPW_IAM_OP_STRING_EQUALS_IGNORE_CASE:
    case CPW_IAM_OP_STRING_NOT_EQUALS_IGNORE_CASE: {
        bool fold = op == CPW_IAM_OP_STRING_EQUALS_IGNORE_CASE ||
                    op == CPW_IAM_OP_STRING_NOT_EQUALS_IGNORE_CASE;
        /* No wildcards: compare the unmarked text. */
        const char *p = policy;
        const char *v = value;
        while (*p && *v) {
            if (escaped && *p == '\x01' && p[1]) {
                p++;
            }
            unsigned char a = (unsigned char)*p;
            unsigned char b = (unsigned char)*v;
            if (fold) {
                a = (unsigned char)(a >= 'A' && a <= 'Z' ? a - 'A' + 'a' : a);
                b = (unsigned char)(b >= 'A' && b <= 'Z' ? b - 'A' + 'a' : b);
            }
            if (a != b) {
                return 0;
            }
            p++;
            v++;
        }
        if (escaped && *p == '\x01') {
            return 0;
        }
        return *p == '\0' && *v == '\0';
    }
    case CPW_IAM_OP_STRING_LIKE:
    case CPW_IAM_OP_STRING_NOT_LIKE:
        return escaped ? cpw_iam_glob_escaped(policy, value, false)
                       : cpw_iam_glob(policy, strlen(policy), value, strlen(value), false);
    case CPW_IAM_OP_NUMERIC_EQUALS:
    case CPW_IAM_OP_NUMERIC_NOT_EQUALS:
    case CPW_IAM_OP_NUMERIC_LESS_THAN:
    case CPW_IAM_OP_NUMERIC_LESS_THAN_EQUALS:
    case CPW_IAM_OP_NUMERIC_GREATER_THAN:
    case CPW_IAM_OP_NUMERIC_GREATER_THAN_EQUALS: {
        double p = 0, v = 0;
        if (!s_number(policy, &p) || !s_number(value, &v)) {
            return -1;
        }
        switch (op) {
        case CPW_IAM_OP_NUMERIC_LESS_THAN:
            return v < p;
        case CPW_IAM_OP_NUMERIC_LESS_THAN_EQUALS:
            return v <= p;
        case CPW_IAM_OP_NUMERIC_GREATER_THAN:
            return v > p;
        case CPW_IAM_OP_NUMERIC_GREATER_THAN_EQUALS:
            return v >= p;
        default:
            return !(v < p) && !(v > p);
        }
    }
    case CPW_IAM_OP_DATE_EQUALS:
    case CPW_IAM_OP_DATE_NOT_EQUALS:
    case CPW_IAM_OP_DATE_LESS_THAN:
    case CPW_IAM_OP_DATE_LESS_THAN_EQUALS:
    case CPW_IAM_OP_DATE_GREATER_THAN:
    case CPW_IAM_OP_DATE_GREATER_THAN_EQUALS: {
        int64_t p = 0, v = 0;
        if (!s_date(policy, &p) || !s_date(value, &v)) {
            return -1;
        }
        switch (op) {
        case CPW_IAM_OP_DATE_LESS_THAN:
            return v < p;
        case CPW_IAM_OP_DATE_LESS_THAN_EQUALS:
            return v <= p;
        case CPW_IAM_OP_DATE_GREATER_THAN:
            return v > p;
        case CPW_IAM_OP_DATE_GREATER_THAN_EQUALS:
            return v >= p;
        default:
            return v == p;
        }
    }
    case CPW_IAM_OP_BOOL: {
        char plain[8] = { 0 };
        size_t n = 0;
        for (const char *p = policy; *p && n < sizeof(plain) - 1; p++) {
            if (!(escaped && *p == '\x01')) {
                plain[n++] = *p;
            }
        }
        bool policy_ok = strcasecmp(plain, "true") == 0 || strcasecmp(plain, "false") == 0;
        bool value_ok = strcasecmp(value, "true") == 0 || strcasecmp(value, "false") == 0;
        if (!policy_ok || !value_ok) {
            return -1;
        }
        return strcasecmp(plain, value) == 0;
    }
    case CPW_IAM_OP_BINARY_EQUALS:
        return strcmp(policy, value) == 0;
    case CPW_IAM_OP_IP_ADDRESS:
    case CPW_IAM_OP_NOT_IP_ADDRESS:
        return s_ip_in(policy, value);
    case CPW_IAM_OP_ARN_EQUALS:
    case CPW_IAM_OP_ARN_LIKE:
    case CPW_IAM_OP_ARN_NOT_EQUALS:
    case CPW_IAM_OP_ARN_NOT_LIKE: {
        size_t colons = 0;
        for (const char *v = value; *v; v++) {
            colons += *v == ':';
        }
        if (colons < 5) {
            return -1;
        }
        return cpw_iam_arn_like(policy, value, escaped);
    }
    case CPW_IAM_OP_NULL:
        break;
    }
    return -1;
}

/* Does one request value satisfy the operator against every/any policy value? */
static bool s_value_satisfies(const struct cpw_iam_condition *c,
                              char *const *policy_values,
                              const bool *resolved,
                              bool escaped,
                              const char *value)
{
    bool negated = s_negated(c->op);
    for (size_t i = 0; i < c->values.count; i++) {
        int rel = resolved[i] ? s_relation(c->op, policy_values[i], escaped, value) : -1;
        if (negated && rel != 0) {
            return false;
        }
        if (!negated && rel == 1) {
            return true;
        }
    }
    return negated;
}

static void s_note_missing(struct cpw_iam_strings *missing, const char *key)
{
    if (!missing) {
        return;
    }
    for (size_t i = 0; i < missing->count; i++) {
        if (strcasecmp(missing->items[i], key) == 0) {
            return;
        }
    }
    cpw_iam_strings_push(missing, key);
}

bool cpw_iam_condition_holds(const struct cpw_iam_condition *c,
                             const struct cpw_iam_context *context,
                             bool variables,
                             struct cpw_iam_strings *missing)
{
    const struct cpw_iam_context_entry *e = cpw_iam_context_find(context, c->key);
    if (c->op == CPW_IAM_OP_NULL) {
        const char *goal = e ? "false" : "true";
        for (size_t i = 0; i < c->values.count; i++) {
            if (strcasecmp(c->values.items[i], goal) == 0) {
                return true;
            }
        }
        return false;
    }
    if (!e) {
        if (!c->if_exists) {
            s_note_missing(missing, c->key);
        }
        if (c->if_exists) {
            return true;
        }
        if (c->set_op == CPW_IAM_SET_ALL_VALUES) {
            return true;
        }
        if (c->set_op == CPW_IAM_SET_ANY_VALUE) {
            return false;
        }
        return s_negated(c->op);
    }
    if (c->set_op == CPW_IAM_SET_NONE && e->multi) {
        return false; /* a multivalued key needs a set operator */
    }
    /* Expand the policy values once. */
    bool escaped = variables && s_uses_variables(c->op);
    char **values = cpw_calloc(c->values.count + 1, sizeof(*values));
    bool *resolved = cpw_calloc(c->values.count + 1, sizeof(*resolved));
    for (size_t i = 0; i < c->values.count; i++) {
        if (escaped) {
            char *missing_key = NULL;
            int rc = cpw_iam_expand(c->values.items[i], context, &values[i], &missing_key);
            resolved[i] = rc == 1;
            if (missing_key) {
                s_note_missing(missing, missing_key);
                cpw_free(missing_key);
            }
        } else {
            values[i] = cpw_strdup(c->values.items[i]);
            resolved[i] = true;
        }
    }
    bool holds;
    if (c->set_op == CPW_IAM_SET_NONE) {
        holds = s_value_satisfies(c, values, resolved, escaped, e->values.items[0]);
    } else if (c->set_op == CPW_IAM_SET_ALL_VALUES) {
        holds = true;
        for (size_t k = 0; k < e->values.count && holds; k++) {
            holds = s_value_satisfies(c, values, resolved, escaped, e->values.items[k]);
        }
    } else {
        holds = false;
        for (size_t k = 0; k < e->values.count && !holds; k++) {
            holds = s_value_satisfies(c, values, resolved, escaped, e->values.items[k]);
        }
    }
    for (size_t i = 0; i < c->values.count; i++) {
        cpw_free(values[i]);
    }
    cpw_free(values);
    cpw_free(resolved);
    return holds;
}
