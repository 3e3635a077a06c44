/*
 * plan_json.c - the plan document (docs/plan-format.md): writing it with its checksum, and the
 * strict loader that refuses anything it did not write, anything edited since, and anything made
 * for another account.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "atomic_file.h"
#include "cpw/alloc.h"
#include "cpw/error.h"
#include "cpw/json.h"
#include "cpw/plan.h"
#include "plan_internal.h"

/* ----- writing ---------------------------------------------------------------------------- */

static json_t *s_strv_json(char *const *v, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(arr, json_string(v[i]));
    }
    return arr;
}

static json_t *s_impact_json(const struct cpw_plan_impact *im)
{
    json_t *o = json_object();
    json_object_set_new(o, "profiles", json_integer((json_int_t)im->profiles));
    json_object_set_new(o, "objects", json_integer((json_int_t)im->objects));
    json_object_set_new(o, "integrations", json_integer((json_int_t)im->integrations));
    json_object_set_new(o, "object_types", json_integer((json_int_t)im->object_types));
    json_object_set_new(o, "event_streams", json_integer((json_int_t)im->event_streams));
    json_object_set_new(o, "calculated_attributes",
                        json_integer((json_int_t)im->calculated_attributes));
    json_t *conf = json_object();
    for (int k = CPW_BACKUP_CALCULATED_ATTRIBUTES + 1; k < CPW_BACKUP_SECTION_COUNT_; k++) {
        if (im->configuration[k]) {
            json_object_set_new(conf, cpw_backup_section_name((enum cpw_backup_section)k),
                                json_integer((json_int_t)im->configuration[k]));
        }
    }
    if (json_object_size(conf) > 0) { /* absent otherwise: plans without them stay as they were */
        json_object_set_new(o, "configuration", conf);
    } else {
        json_decref(conf);
    }
    return o;
}

/* impact.configuration: {section name: count}, the kinds after calculated_attributes only. */
static int s_parse_configuration(const json_t *conf, const char *where, struct cpw_plan_impact *im)
{
    if (!json_is_object(conf)) {
        return cpw_raise(CPW_ERR_PARSE, "plan: %s.configuration must be an object", where);
    }
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)conf, key, value)
    {
        int found = -1;
        for (int k = CPW_BACKUP_CALCULATED_ATTRIBUTES + 1; k < CPW_BACKUP_SECTION_COUNT_; k++) {
            if (strcmp(key, cpw_backup_section_name((enum cpw_backup_section)k)) == 0) {
                found = k;
            }
        }
        if (found < 0 || !json_is_integer(value) || json_integer_value(value) < 0) {
            return cpw_raise(CPW_ERR_PARSE,
                             "plan: %s.configuration.%s must be a known kind with a count", where,
                             key);
        }
        im->configuration[found] = (uint64_t)json_integer_value(value);
    }
    return 0;
}

static json_t *s_action_json(const struct cpw_plan_action *a)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(a->id));
    json_object_set_new(o, "kind", json_string(cpw_plan_action_kind_name(a->kind)));
    json_object_set_new(o, "status", json_string(cpw_plan_action_status_name(a->status)));
    json_object_set_new(o, "reason", json_string(a->reason));
    json_t *target = json_object();
    json_object_set_new(target, "account", json_string(a->account));
    json_object_set_new(target, "region", json_string(a->region));
    json_object_set_new(target, "arn", json_string(a->arn));
    json_object_set_new(target, "name", json_string(a->name));
    json_object_set_new(o, "target", target);
    json_object_set_new(o, "depends_on", s_strv_json(a->depends_on, a->depends_on_count));
    json_object_set_new(o, "preconditions", s_strv_json(a->preconditions, a->precondition_count));
    json_t *facts = json_object();
    for (size_t i = 0; i < a->fact_count; i++) {
        json_object_set_new(facts, a->facts[i].key, json_string(a->facts[i].value));
    }
    json_object_set_new(o, "observed", facts);
    json_object_set_new(o, "impact", s_impact_json(&a->impact));
    return o;
}

static json_t *s_checklist_json(const struct cpw_plan_checklist *list)
{
    json_t *o = json_object();
    json_object_set_new(o, "account", json_string(list->account));
    json_object_set_new(o, "region", json_string(list->region));
    json_object_set_new(o, "domain", json_string(list->domain));
    json_t *items = json_array();
    for (size_t i = 0; i < list->item_count; i++) {
        const struct cpw_plan_check *c = &list->items[i];
        json_t *item = json_object();
        json_object_set_new(item, "id", json_string(c->id));
        json_object_set_new(item, "label", json_string(c->label));
        json_object_set_new(item, "status", json_string(cpw_plan_check_status_name(c->status)));
        json_object_set_new(item, "detail", json_string(c->detail));
        json_array_append_new(items, item);
    }
    json_object_set_new(o, "items", items);
    return o;
}

/* The document without its checksum. */
static json_t *s_body_json(const struct cpw_plan *plan)
{
    json_t *doc = json_object();
    json_object_set_new(doc, "format", json_string(CPW_PLAN_FORMAT_NAME));
    json_object_set_new(doc, "format_version", json_integer(plan->format_version));
    json_object_set_new(doc, "created_at", json_string(plan->created_at));
    json_t *caller = json_object();
    json_object_set_new(caller, "account", json_string(plan->caller_account));
    json_object_set_new(caller, "arn", json_string(plan->caller_arn));
    json_object_set_new(doc, "caller", caller);
    json_t *options = json_object();
    json_object_set_new(options, "force", json_boolean(plan->force));
    json_object_set_new(options, "include_possible", json_boolean(plan->include_possible));
    json_object_set_new(options, "organization", json_boolean(plan->organization));
    json_object_set_new(options, "role_name", json_string(plan->role_name ? plan->role_name : ""));
    json_object_set_new(doc, "options", options);
    json_object_set_new(doc, "accounts", s_strv_json(plan->accounts, plan->account_count));
    json_object_set_new(doc, "fingerprint", json_string(plan->fingerprint));
    json_t *lists = json_array();
    for (size_t i = 0; i < plan->checklist_count; i++) {
        json_array_append_new(lists, s_checklist_json(&plan->checklists[i]));
    }
    json_object_set_new(doc, "checklists", lists);
    json_t *actions = json_array();
    for (size_t i = 0; i < plan->action_count; i++) {
        json_array_append_new(actions, s_action_json(&plan->actions[i]));
    }
    json_object_set_new(doc, "actions", actions);
    return doc;
}

static int s_checksum(const json_t *body, char out[CPW_SHA256_HEX_LEN + 1])
{
    struct cpw_buf canonical;
    cpw_buf_init(&canonical, CPW_PLAN_MAX_BYTES);
    int rc = cpw_plan_canonical_json(body, &canonical);
    if (rc == 0) {
        rc = cpw_plan_sha256_hex(cpw_buf_span(&canonical), out);
    }
    cpw_buf_clean_up(&canonical);
    return rc;
}

int cpw_plan_to_json(const struct cpw_plan *plan, struct cpw_buf *out)
{
    json_t *doc = s_body_json(plan);
    char sum[CPW_SHA256_HEX_LEN + 1];
    int rc = s_checksum(doc, sum);
    if (rc == 0) {
        json_object_set_new(doc, "checksum", json_string(sum));
        if (cpw_json_dump_with(doc, CPW_JSON_DUMP_INDENT2, out) != 0 ||
            cpw_buf_append_byte(out, '\n')) {
            rc = cpw_raise(CPW_ERR_LIMIT, "the plan does not fit in %zu bytes", out->max);
        }
    }
    json_decref(doc);
    return rc;
}

int cpw_plan_write_file(const struct cpw_plan *plan, const char *path)
{
    struct cpw_buf text;
    cpw_buf_init(&text, CPW_PLAN_MAX_BYTES);
    struct cpw_atomic_file file = { 0 };
    int rc = cpw_plan_to_json(plan, &text);
    if (rc == 0) {
        rc = cpw_atomic_file_open(&file, path);
    }
    if (rc == 0) {
        rc = cpw_atomic_file_write(&file, cpw_buf_span(&text));
    }
    if (rc == 0) {
        rc = cpw_atomic_file_commit(&file);
    }
    cpw_atomic_file_clean_up(&file);
    cpw_buf_clean_up(&text);
    return rc;
}

/* ----- loading ---------------------------------------------------------------------------- */

/* An IAM role name: 1 to 64 of [A-Za-z0-9+=,.@_-]. */
static bool s_is_role_name(const char *s)
{
    size_t len = strlen(s);
    return len > 0 && len <= 64 &&
           strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+=,.@_-") ==
             len;
}

static int s_string(const json_t *obj, const char *key, const char *where, char **out)
{
    const json_t *v = json_object_get(obj, key);
    if (!json_is_string(v)) {
        return cpw_raise(CPW_ERR_PARSE, "plan: %s.%s must be a string", where, key);
    }
    *out = cpw_strndup(json_string_value(v), json_string_length(v));
    if (strlen(*out) != json_string_length(v)) {
        return cpw_raise(CPW_ERR_PARSE, "plan: %s.%s contains a NUL character", where, key);
    }
    return 0;
}

static int s_u64(const json_t *obj, const char *key, const char *where, uint64_t *out)
{
    const json_t *v = json_object_get(obj, key);
    if (!json_is_integer(v) || json_integer_value(v) < 0) {
        return cpw_raise(CPW_ERR_PARSE, "plan: %s.%s must be a non-negative integer", where, key);
    }
    *out = (uint64_t)json_integer_value(v);
    return 0;
}

static int s_bool(const json_t *obj, const char *key, const char *where, bool *out)
{
    const json_t *v = json_object_get(obj, key);
    if (!json_is_boolean(v)) {
        return cpw_raise(CPW_ERR_PARSE, "plan: %s.%s must be true or false", where, key);
    }
    *out = json_is_true(v);
    return 0;
}

static int s_strv(const json_t *obj, const char *key, const char *where, char ***v, size_t *n)
{
    const json_t *arr = json_object_get(obj, key);
    if (!json_is_array(arr)) {
        return cpw_raise(CPW_ERR_PARSE, "plan: %s.%s must be an array", where, key);
    }
    for (size_t i = 0; i < json_array_size(arr); i++) {
        const json_t *s = json_array_get(arr, i);
        if (!json_is_string(s) || strlen(json_string_value(s)) != json_string_length(s)) {
            return cpw_raise(CPW_ERR_PARSE, "plan: %s.%s[%zu] must be a string", where, key, i);
        }
        cpw_plan_strv_push(v, n, json_string_value(s));
    }
    return 0;
}

static bool s_is_account_id(const char *s)
{
    if (strlen(s) != 12) {
        return false;
    }
    for (size_t i = 0; i < 12; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
    }
    return true;
}

static int s_parse_action(const json_t *o, size_t index, struct cpw_plan_action *a)
{
    static const char *const keys[] = { "id",     "kind",       "status",        "reason",
                                        "target", "depends_on", "preconditions", "observed",
                                        "impact" };
    static const char *const target_keys[] = { "account", "region", "arn", "name" };
    static const char *const impact_keys[] = { "profiles",      "objects",
                                               "integrations",  "object_types",
                                               "event_streams", "calculated_attributes",
                                               "configuration" };
    char where[64];
    snprintf(where, sizeof(where), "actions[%zu]", index);
    if (cpw_json_expect_keys(o, "plan", where, keys, sizeof(keys) / sizeof(keys[0])) ||
        s_string(o, "id", where, &a->id) || s_string(o, "reason", where, &a->reason)) {
        return -1;
    }
    char *text = NULL;
    int rc = s_string(o, "kind", where, &text);
    if (rc == 0 && cpw_plan_action_kind_parse(text, &a->kind)) {
        rc = cpw_raise(CPW_ERR_PARSE, "plan: %s.kind '%s' is not an action kind", where, text);
    }
    cpw_free(text);
    text = NULL;
    if (rc == 0) {
        rc = s_string(o, "status", where, &text);
    }
    if (rc == 0) {
        if (strcmp(text, "planned") == 0) {
            a->status = CPW_PLAN_ACTION_PLANNED;
        } else if (strcmp(text, "skipped") == 0) {
            a->status = CPW_PLAN_ACTION_SKIPPED;
        } else if (strcmp(text, "refused") == 0) {
            a->status = CPW_PLAN_ACTION_REFUSED;
        } else {
            rc = cpw_raise(CPW_ERR_PARSE, "plan: %s.status '%s' is not planned/skipped/refused",
                           where, text);
        }
    }
    cpw_free(text);
    if (rc) {
        return rc;
    }
    if ((a->status == CPW_PLAN_ACTION_PLANNED) != (a->reason[0] == '\0')) {
        return cpw_raise(CPW_ERR_PARSE,
                         "plan: %s.reason must be empty exactly when the action is planned", where);
    }
    const json_t *target = json_object_get(o, "target");
    char target_where[80];
    snprintf(target_where, sizeof(target_where), "%s.target", where);
    if (cpw_json_expect_keys(target, "plan", target_where, target_keys, 4) ||
        s_string(target, "account", target_where, &a->account) ||
        s_string(target, "region", target_where, &a->region) ||
        s_string(target, "arn", target_where, &a->arn) ||
        s_string(target, "name", target_where, &a->name)) {
        return -1;
    }
    if (!s_is_account_id(a->account)) {
        return cpw_raise(CPW_ERR_PARSE, "plan: %s.account '%s' is not an account id", target_where,
                         a->account);
    }
    if (s_strv(o, "depends_on", where, &a->depends_on, &a->depends_on_count) ||
        s_strv(o, "preconditions", where, &a->preconditions, &a->precondition_count)) {
        return -1;
    }
    const json_t *observed = json_object_get(o, "observed");
    if (!json_is_object(observed)) {
        return cpw_raise(CPW_ERR_PARSE, "plan: %s.observed must be an object", where);
    }
    const char *key;
    json_t *value;
    a->facts = cpw_calloc(json_object_size(observed) + 1, sizeof(*a->facts));
    json_object_foreach((json_t *)observed, key, value)
    {
        if (!json_is_string(value) ||
            strlen(json_string_value(value)) != json_string_length(value)) {
            return cpw_raise(CPW_ERR_PARSE, "plan: %s.observed.%s must be a string", where, key);
        }
        a->facts[a->fact_count].key = cpw_strdup(key);
        a->facts[a->fact_count].value = cpw_strdup(json_string_value(value));
        a->fact_count++;
    }
    cpw_plan_sort_facts(a);
    const json_t *impact = json_object_get(o, "impact");
    char impact_where[80];
    snprintf(impact_where, sizeof(impact_where), "%s.impact", where);
    bool with_conf = json_object_get(impact, "configuration") != NULL;
    if (cpw_json_expect_keys(impact, "plan", impact_where, impact_keys, with_conf ? 7 : 6) ||
        (with_conf && s_parse_configuration(json_object_get(impact, "configuration"), impact_where,
                                            &a->impact)) ||
        s_u64(impact, "profiles", impact_where, &a->impact.profiles) ||
        s_u64(impact, "objects", impact_where, &a->impact.objects) ||
        s_u64(impact, "integrations", impact_where, &a->impact.integrations) ||
        s_u64(impact, "object_types", impact_where, &a->impact.object_types) ||
        s_u64(impact, "event_streams", impact_where, &a->impact.event_streams) ||
        s_u64(impact, "calculated_attributes", impact_where, &a->impact.calculated_attributes)) {
        return -1;
    }
    return 0;
}

static int s_parse_checklist(const json_t *o, size_t index, struct cpw_plan_checklist *list)
{
    static const char *const keys[] = { "account", "region", "domain", "items" };
    static const char *const item_keys[] = { "id", "label", "status", "detail" };
    char where[64];
    snprintf(where, sizeof(where), "checklists[%zu]", index);
    if (cpw_json_expect_keys(o, "plan", where, keys, 4) ||
        s_string(o, "account", where, &list->account) ||
        s_string(o, "region", where, &list->region) ||
        s_string(o, "domain", where, &list->domain)) {
        return -1;
    }
    const json_t *items = json_object_get(o, "items");
    if (!json_is_array(items)) {
        return cpw_raise(CPW_ERR_PARSE, "plan: %s.items must be an array", where);
    }
    list->items = cpw_calloc(json_array_size(items) + 1, sizeof(*list->items));
    for (size_t i = 0; i < json_array_size(items); i++) {
        const json_t *item = json_array_get(items, i);
        struct cpw_plan_check *c = &list->items[list->item_count++];
        char item_where[96];
        snprintf(item_where, sizeof(item_where), "%s.items[%zu]", where, i);
        char *status = NULL;
        if (cpw_json_expect_keys(item, "plan", item_where, item_keys, 4) ||
            s_string(item, "id", item_where, &c->id) ||
            s_string(item, "label", item_where, &c->label) ||
            s_string(item, "detail", item_where, &c->detail) ||
            s_string(item, "status", item_where, &status)) {
            cpw_free(status);
            return -1;
        }
        int rc = 0;
        if (strcmp(status, "pass") == 0) {
            c->status = CPW_PLAN_CHECK_PASS;
        } else if (strcmp(status, "fail") == 0) {
            c->status = CPW_PLAN_CHECK_FAIL;
        } else if (strcmp(status, "pending") == 0) {
            c->status = CPW_PLAN_CHECK_PENDING;
        } else {
            rc = cpw_raise(CPW_ERR_PARSE, "plan: %s.status '%s' is not pass/fail/pending",
                           item_where, status);
        }
        cpw_free(status);
        if (rc) {
            return rc;
        }
    }
    return 0;
}

static int s_parse_body(const json_t *root, struct cpw_plan *plan)
{
    static const char *const keys[] = { "format",  "format_version", "created_at",  "caller",
                                        "options", "accounts",       "fingerprint", "checklists",
                                        "actions", "checksum" };
    static const char *const caller_keys[] = { "account", "arn" };
    static const char *const option_keys[] = { "force", "include_possible", "organization",
                                               "role_name" };
    if (cpw_json_expect_keys(root, "plan", "the plan", keys, sizeof(keys) / sizeof(keys[0]))) {
        return -1;
    }
    plan->format_version = (int)json_integer_value(json_object_get(root, "format_version"));
    char *fingerprint = NULL;
    const json_t *caller = json_object_get(root, "caller");
    const json_t *options = json_object_get(root, "options");
    if (s_string(root, "created_at", "plan", &plan->created_at) ||
        cpw_json_expect_keys(caller, "plan", "caller", caller_keys, 2) ||
        s_string(caller, "account", "caller", &plan->caller_account) ||
        s_string(caller, "arn", "caller", &plan->caller_arn) ||
        cpw_json_expect_keys(options, "plan", "options", option_keys, 4) ||
        s_bool(options, "force", "options", &plan->force) ||
        s_bool(options, "include_possible", "options", &plan->include_possible) ||
        s_bool(options, "organization", "options", &plan->organization) ||
        s_string(options, "role_name", "options", &plan->role_name) ||
        s_strv(root, "accounts", "plan", &plan->accounts, &plan->account_count) ||
        s_string(root, "fingerprint", "plan", &fingerprint)) {
        cpw_free(fingerprint);
        return -1;
    }
    size_t fp_len = strlen(fingerprint);
    if (fp_len == CPW_SHA256_HEX_LEN) {
        memcpy(plan->fingerprint, fingerprint, fp_len + 1);
    }
    cpw_free(fingerprint);
    if (fp_len != CPW_SHA256_HEX_LEN) {
        return cpw_raise(CPW_ERR_PARSE, "plan: fingerprint must be 64 hex digits");
    }
    if (!s_is_account_id(plan->caller_account)) {
        return cpw_raise(CPW_ERR_PARSE, "plan: caller.account '%s' is not an account id",
                         plan->caller_account);
    }
    if (plan->organization ? !s_is_role_name(plan->role_name) : plan->role_name[0] != '\0') {
        return cpw_raise(CPW_ERR_PARSE, "plan: options.role_name must be an IAM role name with "
                                        "options.organization, and \"\" without");
    }
    for (size_t i = 0; i < plan->account_count; i++) {
        if (!s_is_account_id(plan->accounts[i])) {
            return cpw_raise(CPW_ERR_PARSE, "plan: accounts[%zu] '%s' is not an account id", i,
                             plan->accounts[i]);
        }
    }
    const json_t *lists = json_object_get(root, "checklists");
    const json_t *actions = json_object_get(root, "actions");
    if (!json_is_array(lists) || !json_is_array(actions)) {
        return cpw_raise(CPW_ERR_PARSE, "plan: checklists and actions must be arrays");
    }
    if (json_array_size(actions) > CPW_PLAN_MAX_ACTIONS) {
        return cpw_raise(CPW_ERR_LIMIT, "plan: %zu actions is over the limit of %u",
                         json_array_size(actions), CPW_PLAN_MAX_ACTIONS);
    }
    plan->checklists = cpw_calloc(json_array_size(lists) + 1, sizeof(*plan->checklists));
    for (size_t i = 0; i < json_array_size(lists); i++) {
        if (s_parse_checklist(json_array_get(lists, i), i,
                              &plan->checklists[plan->checklist_count++])) {
            return -1;
        }
    }
    plan->actions = cpw_calloc(json_array_size(actions) + 1, sizeof(*plan->actions));
    for (size_t i = 0; i < json_array_size(actions); i++) {
        if (s_parse_action(json_array_get(actions, i), i, &plan->actions[plan->action_count++])) {
            return -1;
        }
    }
    return 0;
}

static long s_index_of(const struct cpw_plan *plan, const char *id)
{
    for (size_t i = 0; i < plan->action_count; i++) {
        if (strcmp(plan->actions[i].id, id) == 0) {
            return (long)i;
        }
    }
    return -1;
}

/* Depth-first search over depends_on; colour 1 = on the current path, 2 = done. */
static int s_find_cycle(const struct cpw_plan *plan, size_t at, unsigned char *colour)
{
    colour[at] = 1;
    const struct cpw_plan_action *a = &plan->actions[at];
    for (size_t d = 0; d < a->depends_on_count; d++) {
        size_t next = (size_t)s_index_of(plan, a->depends_on[d]);
        if (colour[next] == 1) {
            return cpw_raise(CPW_ERR_PARSE,
                             "plan: dependency cycle: %s depends on %s, which "
                             "depends (directly or not) on %s",
                             a->id, plan->actions[next].id, a->id);
        }
        if (colour[next] == 0 && s_find_cycle(plan, next, colour)) {
            return -1;
        }
    }
    colour[at] = 2;
    return 0;
}

static int s_check_graph(const struct cpw_plan *plan)
{
    for (size_t i = 0; i < plan->action_count; i++) {
        if (plan->actions[i].id[0] == '\0') {
            return cpw_raise(CPW_ERR_PARSE, "plan: actions[%zu] has an empty id", i);
        }
        if ((size_t)s_index_of(plan, plan->actions[i].id) != i) {
            return cpw_raise(CPW_ERR_PARSE, "plan: duplicate action id '%s'", plan->actions[i].id);
        }
    }
    for (size_t i = 0; i < plan->action_count; i++) {
        const struct cpw_plan_action *a = &plan->actions[i];
        for (size_t d = 0; d < a->depends_on_count; d++) {
            if (s_index_of(plan, a->depends_on[d]) < 0) {
                return cpw_raise(CPW_ERR_PARSE, "plan: action %s depends on unknown action '%s'",
                                 a->id, a->depends_on[d]);
            }
        }
    }
    unsigned char *colour = cpw_calloc(plan->action_count + 1, 1);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < plan->action_count; i++) {
        if (colour[i] == 0) {
            rc = s_find_cycle(plan, i, colour);
        }
    }
    cpw_free(colour);
    for (size_t i = 0; rc == 0 && i < plan->action_count; i++) {
        const struct cpw_plan_action *a = &plan->actions[i];
        for (size_t d = 0; rc == 0 && d < a->depends_on_count; d++) {
            if ((size_t)s_index_of(plan, a->depends_on[d]) > i) {
                rc = cpw_raise(CPW_ERR_PARSE, "plan: action %s depends on %s, which comes after it",
                               a->id, a->depends_on[d]);
            }
        }
    }
    return rc;
}

struct cpw_plan *cpw_plan_load(struct cpw_span document, const struct cpw_plan_load_options *opts)
{
    struct cpw_plan *plan = NULL;
    json_t *root = NULL;
    json_t *body = NULL;
    if (!opts || !opts->current_account || !s_is_account_id(opts->current_account)) {
        cpw_raise(CPW_ERR_INVALID_ARGUMENT, "loading a plan needs the current 12-digit account");
        return NULL;
    }
    if (document.len > CPW_PLAN_MAX_BYTES) {
        cpw_raise(CPW_ERR_LIMIT, "plan: %zu bytes is over the %u-byte limit", document.len,
                  CPW_PLAN_MAX_BYTES);
        return NULL;
    }
    json_error_t err;
    if (cpw_json_load_ex(document, SIZE_MAX, CPW_JSON_LOAD_CONTAINER, &root, &err)) {
        cpw_raise(CPW_ERR_PARSE,
                  "plan is not valid JSON (truncated or damaged?): line %d, "
                  "column %d: %s",
                  err.line, err.column, err.text);
        goto on_error;
    }
    const json_t *format = json_object_get(root, "format");
    if (!json_is_object(root) || !json_is_string(format) ||
        strcmp(json_string_value(format), CPW_PLAN_FORMAT_NAME) != 0) {
        cpw_raise(CPW_ERR_PARSE, "not a cpwarden plan (\"format\" is not \"%s\")",
                  CPW_PLAN_FORMAT_NAME);
        goto on_error;
    }
    const json_t *version = json_object_get(root, "format_version");
    if (!json_is_integer(version) || json_integer_value(version) != CPW_PLAN_FORMAT_VERSION) {
        cpw_raise(CPW_ERR_VERSION,
                  "plan format version %lld is not supported (this cpwarden reads version %d)",
                  json_is_integer(version) ? (long long)json_integer_value(version) : -1LL,
                  CPW_PLAN_FORMAT_VERSION);
        goto on_error;
    }
    const json_t *checksum = json_object_get(root, "checksum");
    if (!json_is_string(checksum)) {
        cpw_raise(CPW_ERR_PARSE, "plan: missing field 'checksum' in the plan");
        goto on_error;
    }
    body = json_deep_copy(root);
    json_object_del(body, "checksum");
    char computed[CPW_SHA256_HEX_LEN + 1];
    if (s_checksum(body, computed)) {
        goto on_error;
    }
    if (strcmp(computed, json_string_value(checksum)) != 0) {
        cpw_raise(CPW_ERR_INTEGRITY, "plan checksum does not match its content: the file was "
                                     "edited or damaged after cpwarden wrote it");
        goto on_error;
    }
    plan = cpw_calloc(1, sizeof(*plan));
    if (s_parse_body(root, plan)) {
        goto on_error;
    }
    char fingerprint[CPW_SHA256_HEX_LEN + 1];
    if (cpw_plan_compute_fingerprint(plan, fingerprint)) {
        goto on_error;
    }
    if (strcmp(fingerprint, plan->fingerprint) != 0) {
        cpw_raise(CPW_ERR_INTEGRITY, "plan fingerprint does not match the observed facts of its "
                                     "actions: the plan was altered");
        goto on_error;
    }
    if (s_check_graph(plan)) {
        goto on_error;
    }
    if (strcmp(plan->caller_account, opts->current_account) != 0) {
        cpw_raise(CPW_ERR_WRONG_ACCOUNT,
                  "plan was made for account %s (%s), but the current identity is in account "
                  "%s",
                  plan->caller_account, plan->caller_arn, opts->current_account);
        goto on_error;
    }
    if (cpw_plan_verify_trust(plan, opts->current_account, opts->allow_other_accounts)) {
        goto on_error;
    }
    json_decref(body);
    json_decref(root);
    return plan;
on_error:
    json_decref(body);
    json_decref(root);
    cpw_plan_destroy(plan);
    return NULL;
}

struct cpw_plan *cpw_plan_load_file(const char *path, const struct cpw_plan_load_options *opts)
{
    struct cpw_buf text;
    cpw_buf_init(&text, CPW_PLAN_MAX_BYTES);
    struct cpw_plan *plan = NULL;
    if (cpw_buf_read_file(&text, path) == 0) {
        plan = cpw_plan_load(cpw_buf_span(&text), opts);
    }
    if (!plan) { /* prefix the detail with the path (copied: raise rewrites the slot) */
        enum cpw_error code = cpw_last_error();
        char *detail = cpw_strdup(cpw_last_error_detail());
        cpw_raise(code, "%s: %s", path, detail);
        cpw_free(detail);
    }
    cpw_buf_clean_up(&text);
    return plan;
}
