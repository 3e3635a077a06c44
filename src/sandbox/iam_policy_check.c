/*
 * iam_policy_check.c - IAM's grammar for the policy documents it stores, and IAM's
 * MalformedPolicyDocument messages for what it refuses (IAM User Guide, "IAM JSON policy
 * grammar" and "IAM JSON policy elements"; the messages are IAM's own, as its API answers them).
 *
 * IAM checks a document in passes, and the first pass that fails names the error:
 *   1. syntax: JSON object of Version / Id / Statement; each statement an object of the known
 *      elements, Effect Allow or Deny (any case), Action / Resource strings or lists of strings,
 *      Condition operator -> key -> value(s), Sid a string   "Syntax errors in policy."
 *   2. Version 2012-10-17 (permissions policies)  "Policy document must be version 2012-10-17
 *      or greater."
 *   3. the legacy parser: Effect exactly "Allow" / "Deny", Date condition values (read by
 *      iam_policy_dates.c), resources whose ARN splits wrongly
 *                                                  "The policy failed legacy parsing"
 *   4. unique non-empty Sids; every statement has actions; Principal where the kind wants it
 *   5. the first resource in a wrong ARN form (partition, vendor, region, IAM path)
 *   6. action vendors; then resources (permissions policies) or the trust policy's actions and
 *      its prohibited Resource.
 * Trust policies are a role's resource-based policy: a Principal is required and Resource is
 * prohibited; IAM keeps accepting the older Version there.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cpw/alloc.h"
#include "cpw/error.h"
#include "iam_policy_check.h"

#define S_SYNTAX "Syntax errors in policy."
#define S_LEGACY "The policy failed legacy parsing"
/* Resources are quoted up to this many bytes, so that a message always fits its buffer. */
#define S_QUOTE_MAX 1024

/* What a check found: 0 nothing, else the message is in the buffer. */
struct check {
    enum cpw_sbx_policy_kind kind;
    const json_t *statement; /* the Statement element: one object or an array of them */
    size_t count;
    struct cpw_buf *message;
    char resource_error[S_QUOTE_MAX * 3];
};

static const json_t *s_statement(const struct check *c, size_t i)
{
    return json_is_array(c->statement) ? json_array_get(c->statement, i) : c->statement;
}

static int s_refuse(const struct check *c, const char *text)
{
    cpw_buf_reset(c->message);
    return cpw_buf_append_cstr(c->message, text) == 0 ? 1 : -1;
}

static bool s_in(const char *s, const char *const *list)
{
    for (size_t i = 0; list[i] != NULL; i++) {
        if (strcmp(s, list[i]) == 0) {
            return true;
        }
    }
    return false;
}

/* ASCII classes: IAM's grammar is ASCII, whatever the locale. */
static bool s_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

static bool s_vendor_char(char ch)
{
    return s_digit(ch) || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '-' ||
           ch == '.';
}

/* ----- pass 1: syntax ---------------------------------------------------------------------- */

static const char *const s_top_keys[] = { "Version", "Id", "Statement", NULL };
static const char *const s_statement_keys[] = {
    "Sid",         "Effect",    "Action",       "NotAction", "Resource",
    "NotResource", "Principal", "NotPrincipal", "Condition", NULL,
};
static const char *const s_principal_keys[] = { "AWS", "Service", "Federated", "CanonicalUser",
                                                NULL };

/* Condition operators (IAM User Guide, "IAM JSON policy elements: Condition operators"). */
static const char *const s_operators[] = {
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
    "NumericEquals",
    "NumericNotEquals",
    "NumericLessThan",
    "NumericLessThanEquals",
    "NumericGreaterThan",
    "NumericGreaterThanEquals",
    "DateEquals",
    "DateNotEquals",
    "DateLessThan",
    "DateLessThanEquals",
    "DateGreaterThan",
    "DateGreaterThanEquals",
    "Bool",
    "BinaryEquals",
    "IpAddress",
    "NotIpAddress",
    "ArnEquals",
    "ArnLike",
    "ArnNotEquals",
    "ArnNotLike",
    "Null",
    NULL,
};

/* The operator without its set qualifier and IfExists (one of each at most), into out. */
static void s_bare_operator(const char *name, char *out, size_t cap)
{
    if (strncmp(name, "ForAnyValue:", 12) == 0) {
        name += 12;
    } else if (strncmp(name, "ForAllValues:", 13) == 0) {
        name += 13;
    }
    size_t len = strlen(name);
    if (len >= 8 && strcmp(name + len - 8, "IfExists") == 0) {
        len -= 8;
    }
    if (len >= cap) {
        len = cap - 1;
    }
    memcpy(out, name, len);
    out[len] = '\0';
}

/* A string, or a list whose items are strings (or null, which IAM skips). */
static bool s_strings_ok(const json_t *v)
{
    if (json_is_string(v)) {
        return true;
    }
    if (!json_is_array(v)) {
        return false;
    }
    size_t i;
    const json_t *item;
    json_array_foreach(v, i, item)
    {
        if (!json_is_string(item) && !json_is_null(item)) {
            return false;
        }
    }
    return true;
}

static bool s_condition_value_ok(const json_t *v)
{
    return json_is_string(v) || json_is_boolean(v) || json_is_number(v);
}

static bool s_condition_ok(const json_t *condition)
{
    if (!json_is_object(condition)) {
        return false;
    }
    const char *op;
    const json_t *block;
    json_object_foreach((json_t *)condition, op, block)
    {
        if (!json_is_object(block)) {
            return false;
        }
        const char *key;
        const json_t *values;
        json_object_foreach((json_t *)block, key, values)
        {
            if (json_is_array(values)) {
                size_t i;
                const json_t *item;
                json_array_foreach(values, i, item)
                {
                    if (!s_condition_value_ok(item)) {
                        return false;
                    }
                }
            } else if (!s_condition_value_ok(values)) {
                return false;
            }
        }
        char bare[64];
        s_bare_operator(op, bare, sizeof(bare));
        /* An unknown operator is ignored when its block is empty, refused otherwise. */
        if (!s_in(bare, s_operators) && json_object_size(block) > 0) {
            return false;
        }
    }
    return true;
}

static bool s_principal_ok(const json_t *v)
{
    if (json_is_string(v)) {
        return strcmp(json_string_value(v), "*") == 0;
    }
    if (!json_is_object(v) || json_object_size(v) == 0) {
        return false;
    }
    const char *key;
    const json_t *item;
    json_object_foreach((json_t *)v, key, item)
    {
        if (!s_in(key, s_principal_keys) || !s_strings_ok(item)) {
            return false;
        }
    }
    return true;
}

static bool s_statement_ok(const json_t *st)
{
    if (!json_is_object(st)) {
        return false;
    }
    const char *key;
    const json_t *item;
    json_object_foreach((json_t *)st, key, item)
    {
        if (!s_in(key, s_statement_keys)) {
            return false;
        }
    }
    static const char *const pairs[][2] = {
        { "Action", "NotAction" },
        { "Resource", "NotResource" },
        { "Principal", "NotPrincipal" },
    };
    for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
        if (json_object_get(st, pairs[i][0]) && json_object_get(st, pairs[i][1])) {
            return false;
        }
    }
    const char *effect = json_string_value(json_object_get(st, "Effect"));
    if (effect == NULL || (strcasecmp(effect, "Allow") != 0 && strcasecmp(effect, "Deny") != 0)) {
        return false;
    }
    static const char *const lists[] = { "Action", "NotAction", "Resource", "NotResource" };
    for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
        const json_t *v = json_object_get(st, lists[i]);
        if (v && !s_strings_ok(v)) {
            return false;
        }
    }
    const json_t *condition = json_object_get(st, "Condition");
    if (condition && !s_condition_ok(condition)) {
        return false;
    }
    const json_t *sid = json_object_get(st, "Sid");
    if (sid && !json_is_string(sid)) {
        return false;
    }
    const json_t *principal = json_object_get(st, "Principal");
    if (principal == NULL) {
        principal = json_object_get(st, "NotPrincipal");
    }
    return principal == NULL || s_principal_ok(principal);
}

static bool s_syntax_ok(const json_t *doc, struct check *c)
{
    if (!json_is_object(doc)) {
        return false;
    }
    const char *key;
    const json_t *item;
    json_object_foreach((json_t *)doc, key, item)
    {
        if (!s_in(key, s_top_keys)) {
            return false;
        }
    }
    const json_t *version = json_object_get(doc, "Version");
    if (version) {
        const char *v = json_string_value(version);
        if (v == NULL || (strcmp(v, "2012-10-17") != 0 && strcmp(v, "2008-10-17") != 0)) {
            return false;
        }
    }
    const json_t *id = json_object_get(doc, "Id");
    if (id && !json_is_string(id)) {
        return false;
    }
    c->statement = json_object_get(doc, "Statement");
    c->count = json_is_object(c->statement)  ? 1
               : json_is_array(c->statement) ? json_array_size(c->statement)
                                             : 0;
    if (c->count == 0) {
        return false;
    }
    for (size_t i = 0; i < c->count; i++) {
        if (!s_statement_ok(s_statement(c, i))) {
            return false;
        }
    }
    return true;
}

/* ----- pass 3: the legacy parser ----------------------------------------------------------- */

static bool s_date_value_ok(const json_t *v)
{
    if (json_is_string(v)) {
        return cpw_sbx_iam_policy_date_ok(json_string_value(v));
    }
    if (json_is_integer(v)) {
        return json_integer_value(v) >= 0;
    }
    return false;
}

static bool s_legacy_statement_ok(const json_t *st)
{
    const char *effect = json_string_value(json_object_get(st, "Effect"));
    if (strcmp(effect, "Allow") != 0 && strcmp(effect, "Deny") != 0) {
        return false;
    }
    const char *op;
    const json_t *block;
    json_object_foreach(json_object_get(st, "Condition"), op, block)
    {
        char bare[64];
        s_bare_operator(op, bare, sizeof(bare));
        if (strncmp(bare, "Date", 4) != 0) {
            continue;
        }
        const char *key;
        const json_t *values;
        json_object_foreach((json_t *)block, key, values)
        {
            if (!json_is_array(values)) {
                if (!s_date_value_ok(values)) {
                    return false;
                }
                continue;
            }
            size_t i;
            const json_t *item;
            json_array_foreach(values, i, item)
            {
                if (!s_date_value_ok(item)) {
                    return false;
                }
            }
        }
    }
    return true;
}

/* ----- resources --------------------------------------------------------------------------- */

/* ARN partitions (AWS General Reference, "Amazon Resource Names"). */
static const char *const s_partitions[] = {
    "aws",       "aws-cn",    "aws-us-gov", "aws-iso", "aws-iso-b",
    "aws-iso-e", "aws-iso-f", "aws-eusc",   NULL,
};

/* Resource paths IAM knows (the resource types of IAM in the Service Authorization Reference). */
static const char *const s_iam_paths[] = {
    "user/",
    "federated-user/",
    "role/",
    "group/",
    "instance-profile/",
    "mfa/",
    "server-certificate/",
    "policy/",
    "sms-mfa/",
    "saml-provider/",
    "oidc-provider/",
    "report/",
    "access-report/",
    NULL,
};

/* Field i (0-based) of text split at ':' into out (capped), or false when there is none. */
static bool s_field(const char *text, size_t i, char *out, size_t cap)
{
    const char *p = text;
    for (size_t k = 0; k < i; k++) {
        p = strchr(p, ':');
        if (p == NULL) {
            return false;
        }
        p++;
    }
    size_t len = strcspn(p, ":");
    len = len < cap ? len : cap - 1;
    memcpy(out, p, len);
    out[len] = '\0';
    return true;
}

/* After field i of text (the text following its i+1-th colon), or NULL. */
static const char *s_after_field(const char *text, size_t i)
{
    const char *p = text;
    for (size_t k = 0; k <= i; k++) {
        p = strchr(p, ':');
        if (p == NULL) {
            return NULL;
        }
        p++;
    }
    return p;
}

static bool s_starts_with_any(const char *s, const char *const *prefixes)
{
    for (size_t i = 0; prefixes[i] != NULL; i++) {
        if (strncmp(s, prefixes[i], strlen(prefixes[i])) == 0) {
            return true;
        }
    }
    return false;
}

/* IAM's complaint about one resource's ARN form, into out ("" when it has none). */
static void s_resource_form(const char *r, char *out, size_t cap)
{
    out[0] = '\0';
    if (strcmp(r, "*") == 0) {
        return;
    }
    if (strchr(r, ':') == NULL) {
        snprintf(out, cap, "Resource %.*s must be in ARN format or \"*\".", S_QUOTE_MAX, r);
        return;
    }
    char partition[64];
    (void)s_field(r, 1, partition, sizeof(partition));
    if (strcmp(partition, "*") != 0 && !s_in(partition, s_partitions)) {
        /* IAM names the resource as an ARN of six fields, "*" for the fields it lacks. */
        const char *rest = s_after_field(r, 1);
        rest = rest ? rest : "";
        size_t parts = 1;
        for (const char *p = rest; *p != '\0'; p++) {
            parts += *p == ':' ? 1 : 0;
        }
        char f[3][S_QUOTE_MAX / 4];
        for (size_t i = 0; i < 3; i++) {
            if (i >= parts || !s_field(rest, i, f[i], sizeof(f[i]))) {
                snprintf(f[i], sizeof(f[i]), "*");
            }
        }
        if (parts == 1 && rest[0] == '\0') {
            snprintf(f[0], sizeof(f[0]), "*");
        }
        const char *tail = parts > 3 ? s_after_field(rest, 2) : "*";
        snprintf(out, cap,
                 "Partition \"%.64s\" is not valid for resource \"arn:%.64s:%s:%s:%s:%.*s\".",
                 partition, partition, f[0], f[1], f[2], S_QUOTE_MAX, tail);
        return;
    }
    const char *after_partition = s_after_field(r, 1);
    if (after_partition == NULL) {
        snprintf(out, cap, "Resource vendor must be fully qualified and cannot contain regexes.");
        return;
    }
    char service[64];
    (void)s_field(r, 2, service, sizeof(service));
    const char *region = s_after_field(r, 2);
    const char *resource_id = s_after_field(r, 4);
    resource_id = resource_id ? resource_id : "";
    bool has_region = region == NULL || region[0] != ':';
    if (strcmp(service, "iam") == 0) {
        if (has_region) {
            snprintf(out, cap, "IAM resource %.*s cannot contain region information.", S_QUOTE_MAX,
                     r);
        } else if (strcmp(resource_id, "*") != 0 && !s_starts_with_any(resource_id, s_iam_paths)) {
            snprintf(out, cap,
                     "IAM resource path must either be \"*\" or start with user/, "
                     "federated-user/, role/, group/, instance-profile/, mfa/, "
                     "server-certificate/, policy/, sms-mfa/, saml-provider/, oidc-provider/, "
                     "report/, access-report/.");
        }
    } else if (strcmp(service, "s3") == 0 && has_region &&
               strncmp(resource_id, "accesspoint/", 12) != 0) {
        /* Buckets and objects are global; access points carry their Region. */
        snprintf(out, cap, "Resource %.*s can not contain region information.", S_QUOTE_MAX, r);
    }
}

/* What the legacy parser refuses in a resource: "::" short of six fields, or no vendor. */
static bool s_legacy_resource_ok(const char *r)
{
    if (strcmp(r, "*") == 0) {
        return true;
    }
    size_t colons = 0;
    for (const char *p = r; *p != '\0'; p++) {
        colons += *p == ':' ? 1 : 0;
    }
    if (colons < 5 && strstr(r, "::") != NULL) {
        return false;
    }
    const char *vendor = s_after_field(r, 1);
    return vendor != NULL && *vendor != ':' && *vendor != '\0';
}

/*
 * The resource forms of one element (Resource or NotResource) of every statement: the first
 * complaint is kept for pass 5; while there is none, each statement's resources go through the
 * legacy parser too. Returns false when the legacy parser refuses.
 */
static bool s_resources_legacy_ok(struct check *c, const char *element)
{
    char complaint[sizeof(c->resource_error)];
    for (size_t i = 0; i < c->count; i++) {
        const json_t *v = json_object_get(s_statement(c, i), element);
        if (v == NULL) {
            continue;
        }
        size_t n = json_is_array(v) ? json_array_size(v) : 1;
        for (size_t k = 0; k < n; k++) {
            const char *r = json_string_value(json_is_array(v) ? json_array_get(v, k) : v);
            if (r == NULL || c->resource_error[0] != '\0') {
                continue;
            }
            s_resource_form(r, complaint, sizeof(complaint));
            memcpy(c->resource_error, complaint, sizeof(complaint));
        }
        for (size_t k = 0; k < n && c->resource_error[0] == '\0'; k++) {
            const char *r = json_string_value(json_is_array(v) ? json_array_get(v, k) : v);
            if (r != NULL && !s_legacy_resource_ok(r)) {
                return false;
            }
        }
    }
    return true;
}

/* ----- pass 4 and 6: elements present, actions -------------------------------------------- */

/* The statement has the element (or its Not form) with at least one entry. */
static bool s_has(const json_t *st, const char *element, const char *not_element)
{
    const json_t *v = json_object_get(st, element);
    v = v ? v : json_object_get(st, not_element);
    return v != NULL && (!json_is_array(v) || json_array_size(v) > 0);
}

static int s_compare_strings(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sorted, so that a document of many statements costs n log n. */
static int s_sids_unique(const struct check *c)
{
    const char **sids = cpw_calloc(c->count, sizeof(*sids));
    size_t n = 0;
    for (size_t i = 0; i < c->count; i++) {
        const char *sid = json_string_value(json_object_get(s_statement(c, i), "Sid"));
        if (sid != NULL && sid[0] != '\0') {
            sids[n++] = sid;
        }
    }
    qsort(sids, n, sizeof(*sids), s_compare_strings);
    bool unique = true;
    for (size_t i = 1; i < n && unique; i++) {
        unique = strcmp(sids[i - 1], sids[i]) != 0;
    }
    cpw_free(sids);
    return unique ? 0 : s_refuse(c, "Statement IDs (SID) in a single policy must be unique.");
}

static int s_principals(const struct check *c)
{
    for (size_t i = 0; i < c->count; i++) {
        const json_t *st = s_statement(c, i);
        bool has = json_object_get(st, "Principal") || json_object_get(st, "NotPrincipal");
        if (c->kind == CPW_SBX_POLICY_IDENTITY && has) {
            return s_refuse(c, "Policy document should not specify a principal.");
        }
        if (c->kind == CPW_SBX_POLICY_TRUST && !has) {
            return s_refuse(c, "Missing required field Principal");
        }
        const json_t *p = json_object_get(st, "Principal");
        const json_t *aws = json_is_object(p) ? json_object_get(p, "AWS") : NULL;
        size_t n = json_is_array(aws) ? json_array_size(aws) : 1;
        for (size_t k = 0; aws != NULL && k < n; k++) {
            const char *who = json_string_value(json_is_array(aws) ? json_array_get(aws, k) : aws);
            bool account = who != NULL && strlen(who) == 12 && strspn(who, "0123456789") == 12;
            if (who != NULL && strcmp(who, "*") != 0 && !account && strncmp(who, "arn:", 4) != 0) {
                cpw_buf_reset(c->message);
                return cpw_buf_appendf(c->message, "Invalid principal in policy: \"AWS\":\"%.*s\"",
                                       S_QUOTE_MAX, who) == 0
                         ? 1
                         : -1;
            }
        }
    }
    return 0;
}

static int s_action_vendor(const struct check *c, const char *action)
{
    const char *colon = strchr(action, ':');
    if (colon == NULL) {
        return strcmp(action, "*") == 0
                 ? 0
                 : s_refuse(c, "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, "
                               "ec2, etc.");
    }
    if (strchr(colon + 1, ':') != NULL) {
        return s_refuse(c, "Actions/Condition can contain only one colon.");
    }
    size_t vendor_len = (size_t)(colon - action);
    if (vendor_len == 1 && action[0] == '*') {
        return 0;
    }
    for (size_t i = 0; i < vendor_len; i++) {
        if (!s_vendor_char(action[i])) {
            cpw_buf_reset(c->message);
            return cpw_buf_appendf(c->message, "Vendor %.*s is not valid",
                                   (int)(vendor_len < S_QUOTE_MAX ? vendor_len : S_QUOTE_MAX),
                                   action) == 0
                     ? 1
                     : -1;
        }
    }
    return 0;
}

/* Calls check on every string of element in every statement; stops at the first non-zero. */
static int s_each_string(const struct check *c,
                         const char *element,
                         int (*check)(const struct check *, const char *))
{
    for (size_t i = 0; i < c->count; i++) {
        const json_t *v = json_object_get(s_statement(c, i), element);
        size_t n = json_is_array(v) ? json_array_size(v) : (v != NULL ? 1 : 0);
        for (size_t k = 0; k < n; k++) {
            const char *s = json_string_value(json_is_array(v) ? json_array_get(v, k) : v);
            int rc = s != NULL ? check(c, s) : 0;
            if (rc != 0) {
                return rc;
            }
        }
    }
    return 0;
}

/* The actions a trust policy may grant (Service Authorization Reference, AWS STS). */
static const char *const s_trust_actions[] = {
    "sts:AssumeRole",
    "sts:AssumeRoleWithSAML",
    "sts:AssumeRoleWithWebIdentity",
    "sts:DecodeAuthorizationMessage",
    "sts:GetAccessKeyInfo",
    "sts:GetCallerIdentity",
    "sts:GetFederationToken",
    "sts:GetServiceBearerToken",
    "sts:GetSessionToken",
    "sts:SetContext",
    "sts:SetSourceIdentity",
    "sts:TagSession",
    NULL,
};

static int s_trust_action(const struct check *c, const char *action)
{
    for (size_t i = 0; s_trust_actions[i] != NULL; i++) {
        if (strcasecmp(action, s_trust_actions[i]) == 0) {
            return 0;
        }
    }
    return s_refuse(c, "Trust Policy statement actions can only be sts:AssumeRole, "
                       "sts:AssumeRoleWithSAML,  and sts:AssumeRoleWithWebIdentity");
}

static int s_trust_rules(const struct check *c)
{
    for (size_t i = 0; i < c->count; i++) {
        if (json_object_get(s_statement(c, i), "NotAction") != NULL) {
            return s_trust_action(c, "");
        }
    }
    int rc = s_each_string(c, "Action", s_trust_action);
    if (rc != 0) {
        return rc;
    }
    for (size_t i = 0; i < c->count; i++) {
        const json_t *st = s_statement(c, i);
        if (json_object_get(st, "Resource") || json_object_get(st, "NotResource")) {
            return s_refuse(c, "Has prohibited field Resource");
        }
    }
    return 0;
}

/* ----- the passes in IAM's order ----------------------------------------------------------- */

static int s_check(struct check *c, const json_t *doc)
{
    if (!s_syntax_ok(doc, c)) {
        return s_refuse(c, S_SYNTAX);
    }
    const char *version = json_string_value(json_object_get(doc, "Version"));
    if (c->kind == CPW_SBX_POLICY_IDENTITY &&
        (version == NULL || strcmp(version, "2012-10-17") != 0)) {
        return s_refuse(c, "Policy document must be version 2012-10-17 or greater.");
    }
    for (size_t i = 0; i < c->count; i++) {
        if (!s_legacy_statement_ok(s_statement(c, i))) {
            return s_refuse(c, S_LEGACY);
        }
    }
    if (!s_resources_legacy_ok(c, "Resource") || !s_resources_legacy_ok(c, "NotResource")) {
        return s_refuse(c, S_LEGACY);
    }
    int rc = s_sids_unique(c);
    if (rc != 0) {
        return rc;
    }
    for (size_t i = 0; i < c->count; i++) {
        if (!s_has(s_statement(c, i), "Action", "NotAction")) {
            return s_refuse(c, "Policy statement must contain actions.");
        }
    }
    rc = s_principals(c);
    if (rc != 0) {
        return rc;
    }
    if (c->resource_error[0] != '\0') {
        return s_refuse(c, c->resource_error);
    }
    rc = s_each_string(c, "Action", s_action_vendor);
    if (rc == 0) {
        rc = s_each_string(c, "NotAction", s_action_vendor);
    }
    if (rc != 0) {
        return rc;
    }
    if (c->kind == CPW_SBX_POLICY_TRUST) {
        return s_trust_rules(c);
    }
    for (size_t i = 0; i < c->count; i++) {
        if (!s_has(s_statement(c, i), "Resource", "NotResource")) {
            return s_refuse(c, "Policy statement must contain resources.");
        }
    }
    return 0;
}

/*
 * A trust policy without statements ("{}", "Statement": []) grants nobody anything. IAM refuses
 * it (the grammar requires a statement); the sandbox keeps accepting it, as it always has, since
 * scripts and tests create placeholder roles with it. Every statement present is checked.
 */
static bool s_statementless(const struct check *c, const json_t *doc)
{
    if (c->kind != CPW_SBX_POLICY_TRUST || !json_is_object(doc)) {
        return false;
    }
    const char *key;
    const json_t *item;
    json_object_foreach((json_t *)doc, key, item)
    {
        if (!s_in(key, s_top_keys)) {
            return false;
        }
    }
    const json_t *statement = json_object_get(doc, "Statement");
    return statement == NULL || (json_is_array(statement) && json_array_size(statement) == 0);
}

int cpw_sbx_iam_policy_problem(const char *document,
                               enum cpw_sbx_policy_kind kind,
                               struct cpw_buf *message)
{
    struct check check = { .kind = kind, .message = message };
    struct check *c = &check;
    json_t *doc = NULL;
    int rc;
    if (document == NULL ||
        cpw_json_load(cpw_span_from_cstr(document), CPW_JSON_MAX_TEXT_BYTES, &doc) != 0) {
        cpw_error_clear();
        /* A role's trust policy goes through the resource-policy reader, which words it so. */
        rc = s_refuse(c, kind == CPW_SBX_POLICY_TRUST ? "This policy contains invalid Json"
                                                      : S_SYNTAX);
        goto cleanup;
    }
    rc = s_statementless(c, doc) ? 0 : s_check(c, doc);
cleanup:
    json_decref(doc);
    return rc;
}

int cpw_sbx_iam_check_policy(struct cpw_sbx_ctx *ctx,
                             const char *document,
                             enum cpw_sbx_policy_kind kind)
{
    struct cpw_buf message;
    cpw_buf_init(&message, CPW_SBX_POLICY_MESSAGE_MAX);
    int rc = cpw_sbx_iam_policy_problem(document, kind, &message);
    if (rc == 1) {
        rc = cpw_sbx_fail(ctx, 400, "MalformedPolicyDocument", "%s", cpw_buf_cstr(&message));
    }
    cpw_buf_clean_up(&message);
    return rc;
}
