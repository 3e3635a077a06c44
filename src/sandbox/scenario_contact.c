/*
 * scenario_contact.c - the Customer Profiles and Connect members of a scenario document
 * (docs/sandbox-scenarios.md): "connect_instances", "profile_domains" and "knobs". They preload
 * the runbook's situations: live instances with their domains and roles, and the leftovers of
 * deleted instances (an instance marked "deleted" leaves only its service-linked role, and
 * integrations that name it keep its ARN as their Uri).
 *
 * Runs inside cpw_sbx_load_scenario()'s transaction, after the identity members; the first bad
 * element fails the whole load with its path. Preloaded state records no CloudTrail events.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/error.h"
#include "sbx_contact.h"

struct loader {
    struct cpw_sbx *sbx;
    sqlite3 *db;
    int64_t now_ms;
    json_t *instances; /* alias or id -> ARN, for integrations to refer to */
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

static const char *s_str(const json_t *obj, const char *key, const char *def)
{
    const json_t *v = json_object_get(obj, key);
    return json_is_string(v) ? json_string_value(v) : def;
}

/* A context for the IAM and Customer Profiles helpers, as the given account and region. */
struct fake {
    struct cpw_sbx_caller caller;
    struct cpw_sbx_request req;
    struct cpw_sbx_error err;
    struct cpw_sbx_ctx ctx;
};

static void s_fake(struct loader *ld, const char *account, const char *region, struct fake *f)
{
    memset(f, 0, sizeof(*f));
    f->caller.account_id = account;
    f->caller.region = region;
    f->req.caller = &f->caller;
    f->req.now_ms = ld->now_ms;
    f->ctx.sbx = ld->sbx;
    f->ctx.db = ld->db;
    f->ctx.req = &f->req;
    f->ctx.err = &f->err;
}

static int s_where(struct loader *ld,
                   const json_t *item,
                   const char *path,
                   const char **account,
                   const char **region)
{
    if (!json_is_object(item)) {
        return s_bad(path, "must be an object");
    }
    *account = s_str(item, "account", CPW_SBX_DEFAULT_ACCOUNT);
    *region = s_str(item, "region", "us-east-1");
    int rc = cpw_sbx_account_exists(ld->db, *account);
    if (rc <= 0) {
        return rc < 0 ? -1 : s_bad(path, "account %s is not declared", *account);
    }
    return 0;
}

/* When the element was created: "age_days" (a number >= 0) days before the load. */
static int s_created_ms(const struct loader *ld, const json_t *item, const char *path, int64_t *ms)
{
    const json_t *age = json_object_get(item, "age_days");
    *ms = ld->now_ms;
    if (age == NULL) {
        return 0;
    }
    if (!json_is_number(age) || json_number_value(age) < 0 || json_number_value(age) > 36500) {
        return s_bad(path, "age_days must be a number of days from 0 to 36500");
    }
    *ms -= (int64_t)(json_number_value(age) * 86400000.0);
    return 0;
}

/* A service-linked role for principal: "role" names an existing one, else one is created. */
static int s_role(struct loader *ld,
                  struct fake *f,
                  const json_t *item,
                  const char *path,
                  const char *principal,
                  char *name,
                  size_t cap,
                  char *arn,
                  size_t arn_cap)
{
    const char *existing = s_str(item, "role", NULL);
    json_t *role = NULL;
    if (existing != NULL) {
        role = cpw_sbx_iam_role_json(ld->db, f->caller.account_id, existing, false);
        if (role == NULL) {
            cpw_error_clear();
            return s_bad(path, "role %s does not exist", existing);
        }
    } else {
        int rc = cpw_sbx_iam_create_slr(&f->ctx, f->caller.account_id, principal,
                                        s_str(item, "role_suffix", NULL), NULL, false, &role);
        if (rc != 0) {
            return rc < 0 ? -1 : s_bad(path, "%s: %s", f->err.code, f->err.message);
        }
    }
    snprintf(name, cap, "%s", json_string_value(json_object_get(role, "RoleName")));
    snprintf(arn, arn_cap, "%s", json_string_value(json_object_get(role, "Arn")));
    json_decref(role);
    return 0;
}

/*
 * RoleLastUsed as IAM keeps it: the service uses a resource's service-linked role while the
 * resource is in use, so the role of a live instance, and of a domain integrated with a live
 * instance, was last used when the scenario starts, in the resource's region. A leftover's role
 * (a deleted instance's, or a domain's that no live instance uses) shows no use within IAM's
 * tracking period, as the leftovers the runbook finds usually do. A role the element names
 * ("role") keeps its own RoleLastUsed. "role_last_used_days" (days before the load, a number
 * >= 0) says otherwise; null leaves the role never used.
 */
static int s_role_last_used(struct loader *ld,
                            const json_t *item,
                            const char *path,
                            const char *account,
                            const char *region,
                            const char *role_name,
                            int64_t default_ms)
{
    const json_t *days = json_object_get(item, "role_last_used_days");
    int64_t used_ms = default_ms;
    if (json_is_null(days) || (days == NULL && default_ms == 0)) {
        return 0;
    }
    if (days == NULL && s_str(item, "role", NULL) != NULL) {
        return 0; /* an existing role ("role"): its use is its own, unless the element says */
    }
    if (days != NULL) {
        if (!json_is_number(days) || json_number_value(days) < 0 ||
            json_number_value(days) > 36500) {
            return s_bad(path, "role_last_used_days must be a number of days from 0 to 36500");
        }
        used_ms = ld->now_ms - (int64_t)(json_number_value(days) * 86400000.0);
    }
    return cpw_sbx_sql_do(ld->db,
                          "UPDATE iam_roles SET last_used_ms = ?, last_used_region = ?"
                          " WHERE account_id = ? AND name = ?",
                          "isss", used_ms, region, account, role_name) < 0
             ? -1
             : 0;
}

static int s_instance(struct loader *ld, const json_t *item, size_t i)
{
    char path[64];
    snprintf(path, sizeof(path), "$.connect_instances[%zu]", i);
    const char *account = NULL;
    const char *region = NULL;
    if (s_where(ld, item, path, &account, &region) != 0) {
        return -1;
    }
    char id[64];
    const char *given = s_str(item, "id", NULL);
    if (given != NULL) {
        snprintf(id, sizeof(id), "%s", given);
    } else if (cpw_sbx_uuid(id) != 0) {
        return -1;
    }
    const char *alias = s_str(item, "alias", NULL);
    int64_t created_ms = 0;
    if (s_created_ms(ld, item, path, &created_ms) != 0) {
        return -1;
    }
    char arn[200];
    snprintf(arn, sizeof(arn), "arn:aws:connect:%s:%s:instance/%s", region, account, id);
    json_object_set_new(ld->instances, id, json_string(arn));
    if (alias != NULL) {
        json_object_set_new(ld->instances, alias, json_string(arn));
    }
    struct fake f;
    s_fake(ld, account, region, &f);
    f.req.now_ms = created_ms;
    char role_name[128];
    char role_arn[512];
    if (s_role(ld, &f, item, path, CPW_CONNECT_PRINCIPAL, role_name, sizeof(role_name), role_arn,
               sizeof(role_arn)) != 0) {
        return -1;
    }
    bool deleted = json_is_true(json_object_get(item, "deleted"));
    if (s_role_last_used(ld, item, path, account, region, role_name, deleted ? 0 : ld->now_ms) !=
        0) {
        return -1;
    }
    if (deleted) {
        return 0; /* only the role stays behind */
    }
    const json_t *tags = json_object_get(item, "tags");
    char *tag_text =
      json_is_object(tags) ? cpw_json_dump_cstr(tags, CPW_JSON_DUMP_COMPACT) : cpw_strdup("{}");
    int rc = cpw_sbx_sql_do(
      ld->db,
      "INSERT INTO connect_instances(account_id, region, id, arn, alias, created_ms, active_ms,"
      " identity_type, inbound, outbound, service_role, tags) VALUES (?,?,?,?,?,?,?,?,1,1,?,?)",
      "sssssiisss", account, region, id, arn, alias, created_ms, (int64_t)0,
      s_str(item, "identity_management_type", "CONNECT_MANAGED"), role_arn, tag_text);
    cpw_free(tag_text);
    if (rc < 0) {
        cpw_error_clear();
        return s_bad(path, "instance %s already exists", id);
    }
    return 0;
}

static int s_domain_items(struct loader *ld,
                          struct fake *f,
                          const json_t *item,
                          const char *path,
                          const char *name)
{
    struct cpw_sbx_ctx *ctx = &f->ctx;
    size_t k;
    const json_t *it;
    json_array_foreach(json_object_get(item, "object_types"), k, it)
    {
        const char *type = s_str(it, "name", NULL);
        if (type == NULL) {
            return s_bad(path, "object_types[%zu].name is required", k);
        }
        json_t *doc = json_pack("{s:s,s:s}", "ObjectTypeName", type, "Description",
                                s_str(it, "description", type));
        int rc = cpw_cp_item_put(ctx, name, CPW_CP_OBJECT_TYPE, type, doc);
        json_decref(doc);
        if (rc != 0) {
            return -1;
        }
    }
    json_array_foreach(json_object_get(item, "integrations"), k, it)
    {
        const char *uri = s_str(it, "uri", NULL);
        const char *instance = s_str(it, "connect_instance", NULL);
        if (instance != NULL) {
            uri = json_string_value(json_object_get(ld->instances, instance));
            if (uri == NULL) {
                return s_bad(path, "integrations[%zu].connect_instance %s is not declared", k,
                             instance);
            }
        }
        if (uri == NULL) {
            return s_bad(path, "integrations[%zu] needs uri or connect_instance", k);
        }
        json_t *doc =
          json_pack("{s:s,s:s,s:s,s:s,s:b}", "DomainName", name, "Uri", uri, "ObjectTypeName",
                    s_str(it, "object_type", "CTR"), "Scope", "PROFILE", "IsUnstructured", 0);
        int rc = cpw_cp_item_put(ctx, name, CPW_CP_INTEGRATION, uri, doc);
        json_decref(doc);
        if (rc != 0) {
            return -1;
        }
    }
    const json_t *profiles = json_object_get(item, "profiles");
    for (json_int_t p = 0; json_is_integer(profiles) && p < json_integer_value(profiles); p++) {
        char id[33];
        snprintf(id, sizeof(id), "%032llx", (unsigned long long)(p + 1));
        json_t *doc = json_pack("{s:s}", "ProfileId", id);
        int rc = cpw_cp_item_put(ctx, name, CPW_CP_PROFILE, id, doc);
        json_decref(doc);
        if (rc != 0) {
            return -1;
        }
    }
    return 0;
}

/* True when one of the domain's integrations names an instance that exists (not deleted). */
static bool s_serves_live_instance(struct loader *ld, const json_t *item)
{
    size_t k;
    const json_t *it;
    bool live = false;
    json_array_foreach(json_object_get(item, "integrations"), k, it)
    {
        const char *instance = s_str(it, "connect_instance", NULL);
        const char *uri = instance ? json_string_value(json_object_get(ld->instances, instance))
                                   : s_str(it, "uri", NULL);
        sqlite3_stmt *stmt =
          uri ? cpw_sbx_sql_query(ld->db, "SELECT 1 FROM connect_instances WHERE arn = ?", "s", uri)
              : NULL;
        live = live || (stmt != NULL && cpw_sbx_sql_step(stmt) == 1);
        cpw_sbx_sql_done(stmt);
    }
    cpw_error_clear();
    return live;
}

static int s_domain(struct loader *ld, const json_t *item, size_t i)
{
    char path[64];
    snprintf(path, sizeof(path), "$.profile_domains[%zu]", i);
    const char *account = NULL;
    const char *region = NULL;
    if (s_where(ld, item, path, &account, &region) != 0) {
        return -1;
    }
    const char *name = s_str(item, "name", NULL);
    if (name == NULL || name[0] == '\0' || strlen(name) > 64) {
        return s_bad(path, "name (1 to 64 characters) is required");
    }
    int64_t created_ms = 0;
    if (s_created_ms(ld, item, path, &created_ms) != 0) {
        return -1;
    }
    struct fake f;
    s_fake(ld, account, region, &f);
    f.req.now_ms = created_ms;
    char role_name[128];
    char role_arn[512];
    if (s_role(ld, &f, item, path, CPW_CP_PRINCIPAL, role_name, sizeof(role_name), role_arn,
               sizeof(role_arn)) != 0) {
        return -1;
    }
    const json_t *days = json_object_get(item, "default_expiration_days");
    json_t *doc = json_pack("{s:I}", "DefaultExpirationDays",
                            json_is_integer(days) ? json_integer_value(days) : (json_int_t)366);
    if (json_is_object(json_object_get(item, "tags"))) {
        json_object_set(doc, "Tags", json_object_get(item, "tags"));
    }
    const char *key = s_str(item, "encryption_key", NULL);
    if (key != NULL) {
        json_object_set_new(doc, "DefaultEncryptionKey", json_string(key));
    }
    const char *dlq = s_str(item, "dead_letter_queue", NULL);
    if (dlq != NULL) {
        json_object_set_new(doc, "DeadLetterQueueUrl", json_string(dlq));
    }
    if (s_role_last_used(ld, item, path, account, region, role_name,
                         s_serves_live_instance(ld, item) ? ld->now_ms : 0) != 0) {
        json_decref(doc);
        return -1;
    }
    char *text = cpw_json_dump_cstr(doc, CPW_JSON_DUMP_COMPACT);
    json_decref(doc);
    int rc =
      cpw_sbx_sql_do(ld->db,
                     "INSERT INTO cp_domains(account_id, region, name, created_ms,"
                     " updated_ms, doc, role_name) VALUES (?,?,?,?,?,?,?)",
                     "sssiiss", account, region, name, created_ms, created_ms, text, role_name);
    cpw_free(text);
    if (rc < 0) {
        cpw_error_clear();
        return s_bad(path, "domain %s already exists in %s", name, region);
    }
    return s_domain_items(ld, &f, item, path, name);
}

int cpw_sbx_scenario_contact(struct cpw_sbx *sbx,
                             sqlite3 *db,
                             const json_t *scenario,
                             int64_t now_ms)
{
    struct cpw_sbx_knobs knobs;
    cpw_sbx_knobs_current(sbx, &knobs);
    const json_t *knob_doc = json_object_get(scenario, "knobs");
    if (knob_doc != NULL && cpw_sbx_knobs_from_json(knob_doc, &knobs) != 0) {
        char detail[300];
        snprintf(detail, sizeof(detail), "%s", cpw_last_error_detail());
        return s_bad("$.knobs", "%s", detail);
    }
    struct loader ld = { .sbx = sbx, .db = db, .now_ms = now_ms, .instances = json_object() };
    int rc = 0;
    size_t i;
    const json_t *item;
    json_array_foreach(json_object_get(scenario, "connect_instances"), i, item)
    {
        if (rc == 0) {
            rc = s_instance(&ld, item, i);
        }
    }
    json_array_foreach(json_object_get(scenario, "profile_domains"), i, item)
    {
        if (rc == 0) {
            rc = s_domain(&ld, item, i);
        }
    }
    json_decref(ld.instances);
    if (rc == 0 && knob_doc != NULL) {
        cpw_sbx_set_knobs_locked(sbx, &knobs);
    }
    return rc;
}
