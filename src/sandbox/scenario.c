/*
 * scenario.c - preloads the sandbox from a scenario document (docs/sandbox-scenarios.md):
 * accounts, an organization with member accounts, IAM users with access keys, roles and
 * service-linked roles. The whole document is applied in one transaction: the first bad element
 * rolls everything back and is named by its path ("$.roles[1].name").
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/error.h"
#include "cpw/regions.h"
#include "cpw/time.h"
#include "sbx_contact.h"

struct loader {
    struct cpw_sbx *sbx;
    sqlite3 *db;
    int64_t now_ms;
};

static int s_bad(const char *path, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int s_bad(const char *path, const char *fmt, ...)
{
    char detail[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof(detail), fmt, ap);
    va_end(ap);
    return cpw_raise(CPW_ERR_CONFIG, "scenario: %s: %s", path, detail);
}

static bool s_is_path(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    return n >= 1 && n <= 512 && s[0] == '/' && s[n - 1] == '/';
}

/* An optional string member: 0 ok (*out NULL when absent), -1 not a string. */
static int s_opt_str(const json_t *obj, const char *key, const char *path, const char **out)
{
    const json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (v == NULL) {
        return 0;
    }
    if (!json_is_string(v)) {
        return s_bad(path, "%s must be a string", key);
    }
    *out = json_string_value(v);
    return 0;
}

/* The element's account: "account" or the default account, which must exist. */
static int s_account_of(struct loader *ld, const json_t *obj, const char *path, const char **out)
{
    if (s_opt_str(obj, "account", path, out) != 0) {
        return -1;
    }
    if (*out == NULL) {
        *out = CPW_SBX_DEFAULT_ACCOUNT;
    }
    int rc = cpw_sbx_account_exists(ld->db, *out);
    if (rc < 0) {
        return -1;
    }
    return rc == 1 ? 0 : s_bad(path, "account %s is not declared", *out);
}

/* The opt-in regions an account has enabled (already ENABLED when the scenario starts). */
static int s_enabled_regions(struct loader *ld,
                             const char *account_id,
                             const json_t *list,
                             const char *path)
{
    if (list == NULL) {
        return 0;
    }
    if (!json_is_array(list)) {
        return s_bad(path, "enabled_regions must be an array of region names");
    }
    size_t i;
    const json_t *r;
    json_array_foreach(list, i, r)
    {
        const char *region = json_string_value(r);
        if (!cpw_region_is_opt_in(region)) {
            return s_bad(path, "enabled_regions[%zu]: %s is not an opt-in region", i,
                         region ? region : "(not a string)");
        }
        if (cpw_sbx_region_set(ld->db, account_id, region, true, 0) != 0) {
            return -1;
        }
    }
    return 0;
}

static int s_accounts(struct loader *ld, const json_t *list)
{
    size_t i;
    const json_t *item;
    json_array_foreach(list, i, item)
    {
        char path[64];
        snprintf(path, sizeof(path), "$.accounts[%zu]", i);
        const char *id = NULL;
        const char *name = NULL;
        const char *email = NULL;
        if (!json_is_object(item)) {
            return s_bad(path, "must be an object");
        }
        if (s_opt_str(item, "id", path, &id) != 0 || s_opt_str(item, "name", path, &name) != 0 ||
            s_opt_str(item, "email", path, &email) != 0) {
            return -1;
        }
        if (!cpw_sbx_is_account_id(id)) {
            return s_bad(path, "id must be 12 digits");
        }
        char fallback[64]; /* one address per account, as AWS requires */
        snprintf(fallback, sizeof(fallback), "account-%s@example.com", id);
        if (cpw_sbx_account_create(ld->db, id, name ? name : id, email ? email : fallback,
                                   ld->now_ms) != 0) {
            return -1;
        }
        if (s_enabled_regions(ld, id, json_object_get(item, "enabled_regions"), path) != 0) {
            return -1;
        }
    }
    return 0;
}

static int s_organization(struct loader *ld, const json_t *org)
{
    const char *path = "$.organization";
    const char *management = NULL;
    const char *feature_set = NULL;
    if (!json_is_object(org)) {
        return s_bad(path, "must be an object");
    }
    if (s_account_of(ld, org, path, &management) != 0 ||
        s_opt_str(org, "feature_set", path, &feature_set) != 0) {
        return -1;
    }
    int rc = cpw_sbx_org_create(ld->db, management, feature_set, ld->now_ms);
    if (rc != 0) {
        return rc < 0 ? -1
                      : s_bad(path, "account %s already belongs to an organization", management);
    }
    size_t i;
    const json_t *member;
    json_array_foreach(json_object_get(org, "members"), i, member)
    {
        char mpath[64];
        snprintf(mpath, sizeof(mpath), "$.organization.members[%zu]", i);
        const char *id = json_string_value(member);
        rc = cpw_sbx_is_account_id(id) ? cpw_sbx_account_exists(ld->db, id) : 0;
        if (rc <= 0) {
            return rc < 0 ? -1 : s_bad(mpath, "must be a declared account id");
        }
        rc = cpw_sbx_org_add_member(ld->db, management, id, ld->now_ms);
        if (rc != 0) {
            return rc < 0 ? -1 : s_bad(mpath, "account %s already belongs to an organization", id);
        }
    }
    return 0;
}

static int s_users(struct loader *ld, const json_t *list)
{
    size_t i;
    const json_t *item;
    json_array_foreach(list, i, item)
    {
        char path[64];
        snprintf(path, sizeof(path), "$.users[%zu]", i);
        const char *account = NULL;
        const char *name = NULL;
        const char *user_path = NULL;
        if (!json_is_object(item)) {
            return s_bad(path, "must be an object");
        }
        if (s_account_of(ld, item, path, &account) != 0 ||
            s_opt_str(item, "name", path, &name) != 0 ||
            s_opt_str(item, "path", path, &user_path) != 0) {
            return -1;
        }
        if (!cpw_sbx_name_ok(name, 1, 64)) {
            return s_bad(path, "name must be 1 to 64 characters of [\\w+=,.@-]");
        }
        if (user_path != NULL && !s_is_path(user_path)) {
            return s_bad(path, "path must begin and end with /");
        }
        int rc = cpw_sbx_iam_insert_user(ld->db, account, name, user_path, ld->now_ms, NULL);
        if (rc != 0) {
            return rc < 0 ? -1 : s_bad(path, "user %s already exists", name);
        }
        size_t k;
        const json_t *key;
        json_array_foreach(json_object_get(item, "access_keys"), k, key)
        {
            char kpath[96];
            snprintf(kpath, sizeof(kpath), "$.users[%zu].access_keys[%zu]", i, k);
            const char *id = NULL;
            const char *secret = NULL;
            if (s_opt_str(key, "access_key_id", kpath, &id) != 0 ||
                s_opt_str(key, "secret_access_key", kpath, &secret) != 0) {
                return -1;
            }
            if (id == NULL || strncmp(id, "AKIA", 4) != 0 || strlen(id) < 16 || secret == NULL ||
                strlen(secret) < 16) {
                return s_bad(kpath, "needs access_key_id (AKIA...) and secret_access_key");
            }
            rc = cpw_sbx_iam_insert_access_key(ld->db, account, name, id, secret, ld->now_ms, NULL);
            if (rc != 0) {
                return rc < 0 ? -1 : s_bad(kpath, "access key %s already exists", id);
            }
        }
        /* Attached AWS managed policies, so that a user can act with authorization on. */
        const json_t *arn;
        json_array_foreach(json_object_get(item, "managed_policies"), k, arn)
        {
            if (cpw_sbx_aws_policy_find(json_string_value(arn)) == NULL) {
                return s_bad(path, "managed_policies[%zu] must be an AWS managed policy ARN", k);
            }
            if (cpw_sbx_sql_do(ld->db,
                               "INSERT OR IGNORE INTO iam_user_attached(account_id, user_name,"
                               " policy_arn) VALUES (?, ?, ?)",
                               "sss", account, name, json_string_value(arn)) < 0) {
                return -1;
            }
        }
    }
    return 0;
}

static int s_role(struct loader *ld, const json_t *item, size_t i)
{
    char path[64];
    snprintf(path, sizeof(path), "$.roles[%zu]", i);
    struct cpw_sbx_role_spec spec = { .now_ms = ld->now_ms };
    if (!json_is_object(item)) {
        return s_bad(path, "must be an object");
    }
    if (s_account_of(ld, item, path, &spec.account_id) != 0 ||
        s_opt_str(item, "name", path, &spec.name) != 0 ||
        s_opt_str(item, "path", path, &spec.path) != 0 ||
        s_opt_str(item, "description", path, &spec.description) != 0) {
        return -1;
    }
    char npath[80];
    snprintf(npath, sizeof(npath), "%s.name", path);
    if (!cpw_sbx_name_ok(spec.name, 1, 64)) {
        return s_bad(npath, "must be 1 to 64 characters of [\\w+=,.@-]");
    }
    if (spec.path != NULL && !s_is_path(spec.path)) {
        return s_bad(path, "path must begin and end with /");
    }
    const json_t *policy = json_object_get(item, "assume_role_policy");
    if (!json_is_object(policy)) {
        return s_bad(path, "assume_role_policy must be a policy document object");
    }
    const json_t *max = json_object_get(item, "max_session_duration");
    if (max != NULL && (!json_is_integer(max) || json_integer_value(max) < 3600 ||
                        json_integer_value(max) > 43200)) {
        return s_bad(path, "max_session_duration must be 3600 to 43200");
    }
    spec.max_session_s = max ? (int64_t)json_integer_value(max) : 3600;
    spec.tags = json_object_get(item, "tags");
    char *trust = cpw_json_dump_cstr(policy, CPW_JSON_DUMP_COMPACT);
    spec.trust_policy = trust;
    int rc = cpw_sbx_iam_insert_role(ld->db, &spec);
    cpw_free(trust);
    if (rc != 0) {
        return rc < 0 ? -1
                      : s_bad(path, rc == 1 ? "role %s already exists" : "role quota reached at %s",
                              spec.name);
    }
    size_t k;
    const json_t *arn;
    json_array_foreach(json_object_get(item, "managed_policies"), k, arn)
    {
        if (!json_is_string(arn) || strncmp(json_string_value(arn), "arn:aws:iam::", 13) != 0) {
            return s_bad(path, "managed_policies[%zu] must be a policy ARN", k);
        }
        if (cpw_sbx_iam_attach_policy(ld->db, spec.account_id, spec.name, json_string_value(arn)) !=
            0) {
            return -1;
        }
    }
    return 0;
}

static int s_service_linked_role(struct loader *ld, const json_t *item, size_t i)
{
    char path[64];
    snprintf(path, sizeof(path), "$.service_linked_roles[%zu]", i);
    const char *account = NULL;
    const char *service = NULL;
    const char *suffix = NULL;
    const char *description = NULL;
    if (!json_is_object(item)) {
        return s_bad(path, "must be an object");
    }
    if (s_account_of(ld, item, path, &account) != 0 ||
        s_opt_str(item, "service", path, &service) != 0 ||
        s_opt_str(item, "suffix", path, &suffix) != 0 ||
        s_opt_str(item, "description", path, &description) != 0) {
        return -1;
    }
    if (service == NULL) {
        return s_bad(path, "service (the service principal) is required");
    }
    const json_t *age = json_object_get(item, "age_days");
    if (age != NULL &&
        (!json_is_number(age) || json_number_value(age) < 0 || json_number_value(age) > 36500)) {
        return s_bad(path, "age_days must be a number of days from 0 to 36500");
    }
    int64_t created_ms =
      ld->now_ms - (age != NULL ? (int64_t)(json_number_value(age) * 86400000.0) : 0);
    struct cpw_sbx_caller caller = { .account_id = account };
    struct cpw_sbx_request req = { .caller = &caller, .now_ms = created_ms };
    struct cpw_sbx_error err = { 0 };
    struct cpw_sbx_ctx ctx = { .sbx = ld->sbx, .db = ld->db, .req = &req, .err = &err };
    json_t *role = NULL;
    int rc = cpw_sbx_iam_create_slr(&ctx, account, service, suffix, description,
                                    json_is_true(json_object_get(item, "legacy")), &role);
    json_decref(role);
    if (rc == 1) {
        return s_bad(path, "%s: %s", err.code, err.message);
    }
    return rc;
}

/* A trail (CloudTrail) of an account: "name", "region" (its home), "multi_region", "logging"
 * and "management_events" (each default true; false for the last one stores an event selector
 * that leaves management events out). */
static int s_trail(struct loader *ld, const json_t *item, size_t i)
{
    char path[64];
    snprintf(path, sizeof(path), "$.trails[%zu]", i);
    const char *account = NULL;
    const char *name = NULL;
    const char *region = NULL;
    if (!json_is_object(item)) {
        return s_bad(path, "must be an object");
    }
    if (s_account_of(ld, item, path, &account) != 0 || s_opt_str(item, "name", path, &name) != 0 ||
        s_opt_str(item, "region", path, &region)) {
        return -1;
    }
    if (name == NULL || strlen(name) < 3 || strlen(name) > 128) {
        return s_bad(path, "name (3 to 128 characters) is required");
    }
    static const char *const flags[] = { "multi_region", "logging", "management_events" };
    bool on[3] = { true, true, true };
    for (size_t k = 0; k < 3; k++) {
        const json_t *v = json_object_get(item, flags[k]);
        if (v != NULL && !json_is_boolean(v)) {
            return s_bad(path, "%s must be true or false", flags[k]);
        }
        on[k] = v == NULL || json_is_true(v);
    }
    const char *no_management = "{\"EventSelectors\": [{\"ReadWriteType\": \"All\", "
                                "\"IncludeManagementEvents\": false, \"DataResources\": [], "
                                "\"ExcludeManagementEventSources\": []}]}";
    int rc =
      cpw_sbx_sql_do(ld->db,
                     "INSERT OR IGNORE INTO cloudtrail_trails(account_id, name, region,"
                     " bucket, multi_region, global_events, validation, logging,"
                     " started_ms, selectors) VALUES (?,?,?,?,?,1,1,?,?,?)",
                     "ssssiiis", account, name, region ? region : "us-east-1", "cloudtrail-logs",
                     (int64_t)on[0], (int64_t)on[1], ld->now_ms, on[2] ? NULL : no_management);
    if (rc == 0) {
        return s_bad(path, "trail %s already exists in account %s", name, account);
    }
    return rc < 0 ? -1 : 0;
}

static int s_load(struct loader *ld, const json_t *scenario)
{
    static const char *const known[] = {
        "accounts",          "organization",    "users", "roles", "service_linked_roles",
        "connect_instances", "profile_domains", "knobs", "trails"
    };
    if (!json_is_object(scenario)) {
        return s_bad("$", "a scenario is a JSON object");
    }
    const char *key;
    const json_t *value;
    json_object_foreach((json_t *)scenario, key, value)
    {
        bool ok = false;
        for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
            ok = ok || strcmp(key, known[i]) == 0;
        }
        if (!ok) {
            char path[160];
            snprintf(path, sizeof(path), "$.%.100s", key);
            return s_bad(path, "unknown member");
        }
        if (strcmp(key, "organization") != 0 && strcmp(key, "knobs") != 0 &&
            !json_is_array(value)) {
            char path[160];
            snprintf(path, sizeof(path), "$.%s", key);
            return s_bad(path, "must be an array");
        }
    }
    if (s_accounts(ld, json_object_get(scenario, "accounts")) != 0) {
        return -1;
    }
    const json_t *org = json_object_get(scenario, "organization");
    if (org != NULL && s_organization(ld, org) != 0) {
        return -1;
    }
    if (s_users(ld, json_object_get(scenario, "users")) != 0) {
        return -1;
    }
    size_t i;
    json_array_foreach(json_object_get(scenario, "roles"), i, value)
    {
        if (s_role(ld, value, i) != 0) {
            return -1;
        }
    }
    json_array_foreach(json_object_get(scenario, "service_linked_roles"), i, value)
    {
        if (s_service_linked_role(ld, value, i) != 0) {
            return -1;
        }
    }
    json_array_foreach(json_object_get(scenario, "trails"), i, value)
    {
        if (s_trail(ld, value, i) != 0) {
            return -1;
        }
    }
    return cpw_sbx_scenario_contact(ld->sbx, ld->db, scenario, ld->now_ms);
}

int cpw_sbx_load_scenario(struct cpw_sbx *sbx, const json_t *scenario)
{
    struct loader ld = { .sbx = sbx, .db = sbx->db, .now_ms = cpw_time_now_ms() };
    pthread_mutex_lock(&sbx->lock);
    int rc = cpw_sbx_sql_exec(sbx->db, "BEGIN IMMEDIATE");
    if (rc == 0) {
        rc = s_load(&ld, scenario);
        if (rc == 0) {
            rc = cpw_sbx_sql_exec(sbx->db, "COMMIT");
        }
        if (rc != 0) {
            sqlite3_exec(sbx->db, "ROLLBACK", NULL, NULL, NULL);
        }
    }
    pthread_mutex_unlock(&sbx->lock);
    return rc;
}
