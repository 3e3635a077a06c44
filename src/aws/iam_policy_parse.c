/*
 * iam_policy_parse.c - reads an IAM policy document into struct cpw_iam_policy, refusing what IAM
 * refuses with IAM's MalformedPolicyDocument messages (IAM User Guide, "IAM JSON policy element
 * reference" and "grammar"). The checks run in IAM's order: JSON shape ("Syntax errors in
 * policy."), legacy parsing (Effect spelled exactly), Sid uniqueness, actions, resources, then
 * the Principal rules of the policy type and the action and resource formats.
 */
#include <string.h>
#include <strings.h>

#include "cpw/alloc.h"
#include "cpw/error.h"
#include "cpw/json.h"
#include "iam_policy_internal.h"

#define S_SYNTAX "Syntax errors in policy."

void cpw_iam_strings_clean_up(struct cpw_iam_strings *list)
{
    for (size_t i = 0; i < list->count; i++) {
        cpw_free(list->items[i]);
    }
    cpw_free(list->items);
    list->items = NULL;
    list->count = 0;
}

void cpw_iam_strings_push(struct cpw_iam_strings *list, const char *s)
{
    list->items = cpw_realloc(list->items, (list->count + 1) * sizeof(*list->items));
    list->items[list->count++] = cpw_strdup(s);
}

const char *cpw_iam_policy_type_name(enum cpw_iam_policy_type type)
{
    static const char *const names[CPW_IAM_POLICY_TYPE_COUNT_] = {
        "identity", "resource", "scp", "rcp", "boundary", "session",
    };
    return (unsigned)type < CPW_IAM_POLICY_TYPE_COUNT_ ? names[type] : "unknown";
}

static void s_principal_clean_up(struct cpw_iam_principal_spec *p)
{
    cpw_iam_strings_clean_up(&p->aws);
    cpw_iam_strings_clean_up(&p->service);
    cpw_iam_strings_clean_up(&p->federated);
    cpw_iam_strings_clean_up(&p->canonical);
}

static void s_statement_clean_up(struct cpw_iam_statement *st)
{
    cpw_free(st->sid);
    cpw_iam_strings_clean_up(&st->actions);
    cpw_iam_strings_clean_up(&st->resources);
    s_principal_clean_up(&st->principal);
    for (size_t i = 0; i < st->condition_count; i++) {
        cpw_free(st->conditions[i].key);
        cpw_iam_strings_clean_up(&st->conditions[i].values);
    }
    cpw_free(st->conditions);
}

void cpw_iam_policy_destroy(struct cpw_iam_policy *policy)
{
    if (!policy) {
        return;
    }
    for (size_t i = 0; i < policy->statement_count; i++) {
        s_statement_clean_up(&policy->statements[i]);
    }
    cpw_free(policy->statements);
    cpw_free(policy->id);
    cpw_free(policy);
}

const char *cpw_iam_policy_id(const struct cpw_iam_policy *policy)
{
    return policy->id;
}

enum cpw_iam_policy_type cpw_iam_policy_type(const struct cpw_iam_policy *policy)
{
    return policy->type;
}

size_t cpw_iam_policy_statement_count(const struct cpw_iam_policy *policy)
{
    return policy->statement_count;
}

const char *cpw_iam_policy_statement_sid(const struct cpw_iam_policy *policy, size_t i)
{
    return i < policy->statement_count ? policy->statements[i].sid : NULL;
}

static bool s_in(const char *key, const char *const *allowed)
{
    for (size_t i = 0; allowed[i]; i++) {
        if (strcmp(key, allowed[i]) == 0) {
            return true;
        }
    }
    return false;
}

/* A string or an array of strings into list. Returns 0, or -1 (syntax). */
static int s_strings(const json_t *v, struct cpw_iam_strings *list)
{
    if (json_is_string(v)) {
        cpw_iam_strings_push(list, json_string_value(v));
        return 0;
    }
    if (!json_is_array(v) || json_array_size(v) > CPW_IAM_MAX_VALUES) {
        return -1;
    }
    size_t i;
    const json_t *item;
    json_array_foreach(v, i, item)
    {
        if (!json_is_string(item)) {
            return -1;
        }
        cpw_iam_strings_push(list, json_string_value(item));
    }
    return 0;
}

/* A condition value: string, number or boolean, kept as text. */
static int s_condition_value(const json_t *v, struct cpw_iam_strings *list)
{
    if (json_is_string(v)) {
        cpw_iam_strings_push(list, json_string_value(v));
        return 0;
    }
    if (json_is_boolean(v)) {
        cpw_iam_strings_push(list, json_is_true(v) ? "true" : "false");
        return 0;
    }
    if (json_is_number(v)) {
        char *text = cpw_json_dump_cstr(v, CPW_JSON_DUMP_COMPACT);
        if (!text) {
            return -1;
        }
        cpw_iam_strings_push(list, text);
        cpw_free(text);
        return 0;
    }
    return -1;
}

static int s_principal(const json_t *v, struct cpw_iam_principal_spec *out)
{
    if (json_is_string(v)) {
        if (strcmp(json_string_value(v), "*") != 0) {
            return -1;
        }
        out->any = true;
        return 0;
    }
    if (!json_is_object(v) || json_object_size(v) == 0) {
        return -1;
    }
    const char *key;
    const json_t *item;
    json_object_foreach((json_t *)v, key, item)
    {
        struct cpw_iam_strings *list = NULL;
        if (strcmp(key, "AWS") == 0) {
            list = &out->aws;
        } else if (strcmp(key, "Service") == 0) {
            list = &out->service;
        } else if (strcmp(key, "Federated") == 0) {
            list = &out->federated;
        } else if (strcmp(key, "CanonicalUser") == 0) {
            list = &out->canonical;
        } else {
            return -1;
        }
        if (s_strings(item, list) != 0) {
            return -1;
        }
    }
    for (size_t i = 0; i < out->aws.count; i++) {
        if (strcmp(out->aws.items[i], "*") == 0) {
            out->any = true;
        }
    }
    return 0;
}

static int s_conditions(const json_t *v, struct cpw_iam_statement *st)
{
    if (!json_is_object(v)) {
        return -1;
    }
    const char *op_name;
    const json_t *block;
    json_object_foreach((json_t *)v, op_name, block)
    {
        if (!json_is_object(block)) {
            return -1;
        }
        struct cpw_iam_condition parsed = { 0 };
        if (cpw_iam_condition_parse_op(op_name, &parsed) != 0) {
            if (json_object_size(block) == 0) {
                continue; /* IAM ignores an empty block of an unknown operator */
            }
            return -1;
        }
        const char *key;
        const json_t *values;
        json_object_foreach((json_t *)block, key, values)
        {
            if (st->condition_count >= CPW_IAM_MAX_VALUES) {
                return -1;
            }
            st->conditions =
              cpw_realloc(st->conditions, (st->condition_count + 1) * sizeof(*st->conditions));
            struct cpw_iam_condition *c = &st->conditions[st->condition_count++];
            *c = parsed;
            c->key = cpw_strdup(key);
            c->values.items = NULL;
            c->values.count = 0;
            if (json_is_array(values)) {
                if (json_array_size(values) > CPW_IAM_MAX_VALUES) {
                    return -1;
                }
                size_t i;
                const json_t *item;
                json_array_foreach(values, i, item)
                {
                    if (s_condition_value(item, &c->values) != 0) {
                        return -1;
                    }
                }
            } else if (s_condition_value(values, &c->values) != 0) {
                return -1;
            }
        }
    }
    return 0;
}

static const char *const s_statement_keys[] = {
    "Sid",         "Effect",    "Action",       "NotAction", "Resource",
    "NotResource", "Principal", "NotPrincipal", "Condition", NULL,
};

/* The JSON shape of one statement; on success *st holds it. Returns 0 or -1 (syntax). */
static int s_statement_syntax(const json_t *obj, struct cpw_iam_statement *st)
{
    if (!json_is_object(obj)) {
        return -1;
    }
    const char *key;
    const json_t *item;
    json_object_foreach((json_t *)obj, key, item)
    {
        if (!s_in(key, s_statement_keys)) {
            return -1;
        }
    }
    const json_t *action = json_object_get(obj, "Action");
    const json_t *not_action = json_object_get(obj, "NotAction");
    const json_t *resource = json_object_get(obj, "Resource");
    const json_t *not_resource = json_object_get(obj, "NotResource");
    const json_t *principal = json_object_get(obj, "Principal");
    const json_t *not_principal = json_object_get(obj, "NotPrincipal");
    if ((action && not_action) || (resource && not_resource) || (principal && not_principal)) {
        return -1;
    }
    const json_t *effect = json_object_get(obj, "Effect");
    if (!json_is_string(effect) || (strcasecmp(json_string_value(effect), "Allow") != 0 &&
                                    strcasecmp(json_string_value(effect), "Deny") != 0)) {
        return -1;
    }
    st->deny = strcasecmp(json_string_value(effect), "Deny") == 0;
    const json_t *sid = json_object_get(obj, "Sid");
    if (sid) {
        if (!json_is_string(sid)) {
            return -1;
        }
        st->sid = cpw_strdup(json_string_value(sid));
    }
    st->not_action = not_action != NULL;
    if ((action || not_action) && s_strings(action ? action : not_action, &st->actions) != 0) {
        return -1;
    }
    st->has_resource = resource || not_resource;
    st->not_resource = not_resource != NULL;
    if (st->has_resource && s_strings(resource ? resource : not_resource, &st->resources) != 0) {
        return -1;
    }
    st->has_principal = principal || not_principal;
    st->not_principal = not_principal != NULL;
    if (st->has_principal &&
        s_principal(principal ? principal : not_principal, &st->principal) != 0) {
        return -1;
    }
    const json_t *condition = json_object_get(obj, "Condition");
    if (condition && s_conditions(condition, st) != 0) {
        return -1;
    }
    return 0;
}

static int s_action_format(const char *action)
{
    if (strcmp(action, "*") == 0) {
        return 0;
    }
    const char *colon = strchr(action, ':');
    if (!colon) {
        return cpw_raise(CPW_ERR_VALIDATION,
                         "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, "
                         "etc.");
    }
    if (strchr(colon + 1, ':')) {
        return cpw_raise(CPW_ERR_VALIDATION, "Actions/Condition can contain only one colon.");
    }
    for (const char *p = action; p < colon; p++) {
        bool ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                  (*p >= '0' && *p <= '9') || *p == '-' || *p == '.';
        if (!ok) {
            return cpw_raise(CPW_ERR_VALIDATION, "Vendor %.*s is not valid", (int)(colon - action),
                             action);
        }
    }
    return 0;
}

/* The rules that follow the JSON shape, in IAM's order. raw: the statements' JSON. */
static int s_semantics(const struct cpw_iam_policy *policy, const json_t *const *raw)
{
    for (size_t i = 0; i < policy->statement_count; i++) {
        const char *effect = json_string_value(json_object_get(raw[i], "Effect"));
        if (strcmp(effect, "Allow") != 0 && strcmp(effect, "Deny") != 0) {
            return cpw_raise(CPW_ERR_VALIDATION, "The policy failed legacy parsing");
        }
    }
    for (size_t i = 0; i < policy->statement_count; i++) {
        const char *sid = policy->statements[i].sid;
        for (size_t j = 0; sid && *sid && j < i; j++) {
            if (policy->statements[j].sid && strcmp(policy->statements[j].sid, sid) == 0) {
                return cpw_raise(CPW_ERR_VALIDATION,
                                 "Statement IDs (SID) in a single policy must be unique.");
            }
        }
    }
    for (size_t i = 0; i < policy->statement_count; i++) {
        if (policy->statements[i].actions.count == 0) {
            return cpw_raise(CPW_ERR_VALIDATION, "Policy statement must contain actions.");
        }
    }
    bool principal_policy =
      policy->type == CPW_IAM_POLICY_RESOURCE || policy->type == CPW_IAM_POLICY_RCP;
    for (size_t i = 0; i < policy->statement_count; i++) {
        const struct cpw_iam_statement *st = &policy->statements[i];
        if (!principal_policy && (!st->has_resource || st->resources.count == 0)) {
            return cpw_raise(CPW_ERR_VALIDATION, "Policy statement must contain resources.");
        }
        if (st->has_resource && st->resources.count == 0) {
            return cpw_raise(CPW_ERR_VALIDATION, "Policy statement must contain resources.");
        }
    }
    for (size_t i = 0; i < policy->statement_count; i++) {
        const struct cpw_iam_statement *st = &policy->statements[i];
        if (!principal_policy && st->has_principal) {
            return cpw_raise(CPW_ERR_VALIDATION, "Policy document should not specify a principal.");
        }
        if (principal_policy && !st->has_principal) {
            return cpw_raise(CPW_ERR_VALIDATION, "Missing required field Principal");
        }
        for (size_t k = 0; k < st->principal.aws.count; k++) {
            const char *p = st->principal.aws.items[k];
            size_t len = strlen(p);
            bool digits = len == 12 && strspn(p, "0123456789") == 12;
            if (strcmp(p, "*") != 0 && !digits && strncmp(p, "arn:", 4) != 0) {
                return cpw_raise(CPW_ERR_VALIDATION, "Invalid principal in policy: \"AWS\":\"%s\"",
                                 p);
            }
        }
        for (size_t k = 0; k < st->resources.count; k++) {
            const char *r = st->resources.items[k];
            if (strcmp(r, "*") != 0 && !strchr(r, ':')) {
                return cpw_raise(CPW_ERR_VALIDATION, "Resource %s must be in ARN format or \"*\".",
                                 r);
            }
        }
    }
    for (size_t i = 0; i < policy->statement_count; i++) {
        const struct cpw_iam_statement *st = &policy->statements[i];
        for (size_t k = 0; k < st->actions.count; k++) {
            if (s_action_format(st->actions.items[k]) != 0) {
                return -1;
            }
        }
    }
    return 0;
}

static const char *const s_top_keys[] = { "Version", "Id", "Statement", NULL };

struct cpw_iam_policy *cpw_iam_policy_parse_json(const json_t *doc,
                                                 const struct cpw_iam_policy_parse_options *options)
{
    struct cpw_iam_policy *policy = cpw_calloc(1, sizeof(*policy));
    const json_t **raw = NULL;
    policy->id = cpw_strdup(options && options->id ? options->id : "");
    policy->type = options ? options->type : CPW_IAM_POLICY_IDENTITY;
    if (!json_is_object(doc)) {
        cpw_raise(CPW_ERR_VALIDATION, S_SYNTAX);
        goto on_error;
    }
    const char *key;
    const json_t *item;
    json_object_foreach((json_t *)doc, key, item)
    {
        if (!s_in(key, s_top_keys)) {
            cpw_raise(CPW_ERR_VALIDATION, S_SYNTAX);
            goto on_error;
        }
    }
    const json_t *version = json_object_get(doc, "Version");
    if (version) {
        const char *v = json_string_value(version);
        if (!v || (strcmp(v, "2012-10-17") != 0 && strcmp(v, "2008-10-17") != 0)) {
            cpw_raise(CPW_ERR_VALIDATION, S_SYNTAX);
            goto on_error;
        }
        policy->variables = strcmp(v, "2012-10-17") == 0;
    }
    const json_t *id = json_object_get(doc, "Id");
    if (id && !json_is_string(id)) {
        cpw_raise(CPW_ERR_VALIDATION, S_SYNTAX);
        goto on_error;
    }
    const json_t *statement = json_object_get(doc, "Statement");
    size_t n = json_is_object(statement)  ? 1
               : json_is_array(statement) ? json_array_size(statement)
                                          : 0;
    if (n == 0 || n > CPW_IAM_MAX_STATEMENTS) {
        cpw_raise(CPW_ERR_VALIDATION, S_SYNTAX);
        goto on_error;
    }
    policy->statements = cpw_calloc(n, sizeof(*policy->statements));
    raw = cpw_calloc(n, sizeof(*raw));
    for (size_t i = 0; i < n; i++) {
        raw[i] = json_is_object(statement) ? statement : json_array_get(statement, i);
        policy->statement_count = i + 1;
        if (s_statement_syntax(raw[i], &policy->statements[i]) != 0) {
            cpw_raise(CPW_ERR_VALIDATION, S_SYNTAX);
            goto on_error;
        }
    }
    if (s_semantics(policy, raw) != 0) {
        goto on_error;
    }
    cpw_free(raw);
    return policy;
on_error:
    cpw_free(raw);
    cpw_iam_policy_destroy(policy);
    return NULL;
}

struct cpw_iam_policy *cpw_iam_policy_parse(struct cpw_span text,
                                            const struct cpw_iam_policy_parse_options *options)
{
    if (text.len > CPW_IAM_POLICY_MAX_BYTES) {
        cpw_raise(CPW_ERR_LIMIT, "policy document over %u bytes", CPW_IAM_POLICY_MAX_BYTES);
        return NULL;
    }
    json_t *doc = NULL;
    if (cpw_json_load_ex(text, CPW_IAM_POLICY_MAX_BYTES, CPW_JSON_LOAD_CONTAINER, &doc, NULL) !=
        0) {
        cpw_raise(CPW_ERR_VALIDATION, S_SYNTAX);
        return NULL;
    }
    struct cpw_iam_policy *policy = cpw_iam_policy_parse_json(doc, options);
    cpw_json_release(doc);
    return policy;
}
