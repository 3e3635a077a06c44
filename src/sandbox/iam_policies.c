/*
 * iam_policies.c - IAM managed policies in the sandbox: customer managed policies with up to 5
 * versions and tags, the AWS managed policies every account sees (iam_aws_policies.c), and their
 * attachment to users and groups (roles' attachments live in iam_role_policies.c, which asks
 * cpw_sbx_iam_need_policy here before attaching).
 *
 * Documents are stored as sent and returned URL-encoded, as IAM does. ListPolicies orders by
 * name (case-insensitive); its Marker is the opaque form of the next name.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cpw/alloc.h"
#include "cpw/buf.h"
#include "cpw/error.h"
#include "sbx_service.h"

#define MANAGED_PER_ENTITY 10
#define POLICY_NAME_MAX    128
#define POLICY_DOC_MAX     6144 /* characters, IAM quota for managed policy documents */

static const char *s_account(struct cpw_sbx_ctx *ctx)
{
    return ctx->req->caller->account_id;
}

/* ----- lookups ----------------------------------------------------------------------------- */

#define POLICY_COLUMNS                                                                             \
    "name, path, policy_id, arn, created_ms, updated_ms, description, default_version, tags"

static int64_t s_attachments(sqlite3 *db, const char *account_id, const char *arn)
{
    sqlite3_stmt *stmt =
      cpw_sbx_sql_query(db,
                        "SELECT (SELECT count(*) FROM iam_role_attached WHERE account_id = ?1 AND"
                        " policy_arn = ?2) + (SELECT count(*) FROM iam_user_attached WHERE"
                        " account_id = ?1 AND policy_arn = ?2) + (SELECT count(*) FROM"
                        " iam_group_attached WHERE account_id = ?1 AND policy_arn = ?2)",
                        "ss", account_id, arn);
    int rc = stmt ? cpw_sbx_sql_step(stmt) : -1;
    int64_t n = rc == 1 ? sqlite3_column_int64(stmt, 0) : -1;
    cpw_sbx_sql_done(stmt);
    return n;
}

static json_t *s_local_json(sqlite3 *db, sqlite3_stmt *stmt, const char *account_id, bool tags)
{
    json_t *p = json_object();
    json_object_set_new(p, "PolicyName", json_string(cpw_sbx_col(stmt, 0)));
    json_object_set_new(p, "PolicyId", json_string(cpw_sbx_col(stmt, 2)));
    json_object_set_new(p, "Arn", json_string(cpw_sbx_col(stmt, 3)));
    json_object_set_new(p, "Path", json_string(cpw_sbx_col(stmt, 1)));
    json_object_set_new(p, "DefaultVersionId", json_string(cpw_sbx_col(stmt, 7)));
    json_object_set_new(p, "AttachmentCount",
                        json_integer(s_attachments(db, account_id, cpw_sbx_col(stmt, 3))));
    json_object_set_new(p, "PermissionsBoundaryUsageCount", json_integer(0));
    json_object_set_new(p, "IsAttachable", json_true());
    if (sqlite3_column_type(stmt, 6) != SQLITE_NULL) {
        json_object_set_new(p, "Description", json_string(cpw_sbx_col(stmt, 6)));
    }
    json_object_set_new(p, "CreateDate", cpw_sbx_time_json(sqlite3_column_int64(stmt, 4)));
    json_object_set_new(p, "UpdateDate", cpw_sbx_time_json(sqlite3_column_int64(stmt, 5)));
    if (tags) {
        json_t *t = cpw_json_load_cstr(cpw_sbx_col(stmt, 8));
        if (json_array_size(t) > 0) {
            json_object_set(p, "Tags", t);
        }
        json_decref(t);
    }
    return p;
}

static json_t *s_aws_json(struct cpw_sbx_ctx *ctx, const struct cpw_sbx_aws_policy *ap)
{
    sqlite3 *db = ctx->db;
    const char *account_id = s_account(ctx);
    char arn[512];
    snprintf(arn, sizeof(arn), "arn:%s:iam::aws:policy%s%s", cpw_sbx_ctx_partition(ctx), ap->path,
             ap->name);
    json_t *p = json_object();
    json_object_set_new(p, "PolicyName", json_string(ap->name));
    json_object_set_new(p, "PolicyId", json_string(ap->policy_id));
    json_object_set_new(p, "Arn", json_string(arn));
    json_object_set_new(p, "Path", json_string(ap->path));
    json_object_set_new(p, "DefaultVersionId", json_string(ap->version_id));
    json_object_set_new(p, "AttachmentCount", json_integer(s_attachments(db, account_id, arn)));
    json_object_set_new(p, "PermissionsBoundaryUsageCount", json_integer(0));
    json_object_set_new(p, "IsAttachable", json_true());
    json_object_set_new(p, "Description", json_string(ap->description));
    json_object_set_new(p, "CreateDate", json_string(ap->created));
    json_object_set_new(p, "UpdateDate", json_string(ap->updated));
    return p;
}

/* The customer managed policy arn of the caller's account: 1 (*policy when asked), 0, -1. */
static int s_find_local(struct cpw_sbx_ctx *ctx,
                        const char *arn,
                        json_t **policy,
                        char *name,
                        size_t cap)
{
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      ctx->db, "SELECT " POLICY_COLUMNS " FROM iam_policies WHERE account_id = ? AND arn = ?", "ss",
      s_account(ctx), arn ? arn : "");
    if (stmt == NULL) {
        return -1;
    }
    int rc = cpw_sbx_sql_step(stmt);
    if (rc == 1 && policy != NULL) {
        *policy = s_local_json(ctx->db, stmt, s_account(ctx), true);
    }
    if (rc == 1 && name != NULL) {
        snprintf(name, cap, "%s", cpw_sbx_col(stmt, 0));
    }
    cpw_sbx_sql_done(stmt);
    return rc;
}

int cpw_sbx_iam_find_local_policy(struct cpw_sbx_ctx *ctx, const char *arn, char *name, size_t cap)
{
    return s_find_local(ctx, arn, NULL, name, cap);
}

int cpw_sbx_iam_no_policy(struct cpw_sbx_ctx *ctx, const char *arn)
{
    return cpw_sbx_fail(ctx, 404, "NoSuchEntity", "Policy %s was not found.", arn ? arn : "");
}

int cpw_sbx_iam_need_policy(struct cpw_sbx_ctx *ctx, const char *arn)
{
    if (arn == NULL || strncmp(arn, "arn:", 4) != 0 || strstr(arn, ":policy/") == NULL) {
        return cpw_sbx_fail(ctx, 400, "InvalidInput", "ARN %s is not valid.", arn ? arn : "");
    }
    if (cpw_sbx_aws_policy_find(arn) != NULL) {
        return 0;
    }
    int rc = s_find_local(ctx, arn, NULL, NULL, 0);
    if (rc == 0) {
        return cpw_sbx_fail(ctx, 404, "NoSuchEntity",
                            "Policy %s does not exist or is not attachable.", arn);
    }
    return rc < 0 ? -1 : 0;
}

int cpw_sbx_iam_need_local_policy(struct cpw_sbx_ctx *ctx, const char *arn, char *name, size_t cap)
{
    if (arn != NULL && cpw_sbx_aws_policy_find(arn) != NULL) {
        return cpw_sbx_fail(ctx, 400, "InvalidInput",
                            "Cannot modify AWS managed policy %s: it is maintained by AWS.", arn);
    }
    int rc = s_find_local(ctx, arn, NULL, name, cap);
    if (rc == 0) {
        return cpw_sbx_iam_no_policy(ctx, arn);
    }
    return rc < 0 ? -1 : 0;
}

/* ----- policies ---------------------------------------------------------------------------- */

int cpw_sbx_iam_check_policy_document(struct cpw_sbx_ctx *ctx, const char *document)
{
    int rc = cpw_sbx_iam_check_policy(ctx, document, CPW_SBX_POLICY_IDENTITY);
    if (rc != 0) {
        return rc;
    }
    if (strlen(document) > POLICY_DOC_MAX) {
        return cpw_sbx_fail(ctx, 409, "LimitExceeded", "Cannot exceed quota for PolicySize: %d",
                            POLICY_DOC_MAX);
    }
    return 0;
}

int cpw_sbx_iam_create_policy(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *name = cpw_sbx_in_str(input, "PolicyName");
    const char *path = cpw_sbx_in_str(input, "Path");
    const char *document = cpw_sbx_in_str(input, "PolicyDocument");
    const json_t *tags = json_object_get(input, "Tags");
    if (name == NULL || !cpw_sbx_name_ok(name, 1, POLICY_NAME_MAX)) {
        return cpw_sbx_fail(ctx, 400, "ValidationError",
                            "1 validation error detected: Value '%s' at 'policyName' failed to "
                            "satisfy constraint: Member must satisfy regular expression pattern: "
                            "[\\w+=,.@-]+",
                            name ? name : "");
    }
    path = path ? path : "/";
    size_t plen = strlen(path);
    if (plen > 512 || path[0] != '/' || path[plen - 1] != '/') {
        return cpw_sbx_fail(ctx, 400, "ValidationError",
                            "The specified value for path is invalid. It must begin and end with "
                            "/ and contain only alphanumeric characters and/or / characters.");
    }
    int rc = cpw_sbx_iam_check_policy_document(ctx, document);
    if (rc == 0) {
        rc = cpw_sbx_iam_tags_check(ctx, tags);
    }
    if (rc != 0) {
        return rc;
    }
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      ctx->db, "SELECT count(*) FROM iam_policies WHERE account_id = ? AND name = ?", "ss",
      s_account(ctx), name);
    rc = stmt ? cpw_sbx_sql_step(stmt) : -1;
    bool taken = rc == 1 && sqlite3_column_int(stmt, 0) > 0;
    cpw_sbx_sql_done(stmt);
    if (rc < 0) {
        return -1;
    }
    if (taken) {
        return cpw_sbx_fail(ctx, 409, "EntityAlreadyExists",
                            "A policy called %s already exists. Duplicate names are not allowed.",
                            name);
    }
    char policy_id[32] = "ANPA";
    if (cpw_sbx_random_chars(policy_id + 4, 17, CPW_SBX_UPPER_ALNUM) != 0) {
        return -1;
    }
    char arn[1024];
    snprintf(arn, sizeof(arn), "arn:%s:iam::%s:policy%s%s", cpw_sbx_ctx_partition(ctx),
             s_account(ctx), path, name);
    char *tag_text = tags ? cpw_json_dump_cstr(tags, CPW_JSON_DUMP_COMPACT) : NULL;
    rc = cpw_sbx_sql_do(ctx->db,
                        "INSERT INTO iam_policies(account_id, name, path, policy_id, arn,"
                        " created_ms, updated_ms, description, default_version, next_version,"
                        " tags) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'v1', 2, ?)",
                        "sssssiiss", s_account(ctx), name, path, policy_id, arn, ctx->req->now_ms,
                        ctx->req->now_ms, cpw_sbx_in_str(input, "Description"),
                        tag_text ? tag_text : "[]");
    cpw_free(tag_text);
    if (rc < 0 || cpw_sbx_sql_do(ctx->db,
                                 "INSERT INTO iam_policy_versions(account_id, policy_name,"
                                 " version_id, document, created_ms) VALUES (?, ?, 'v1', ?, ?)",
                                 "sssi", s_account(ctx), name, document, ctx->req->now_ms) < 0) {
        return -1;
    }
    json_t *policy = NULL;
    if (s_find_local(ctx, arn, &policy, NULL, 0) != 1) {
        return -1;
    }
    cpw_sbx_add_resource(ctx, "AWS::IAM::ManagedPolicy", arn);
    *output = json_pack("{s:o}", "Policy", policy);
    return 0;
}

int cpw_sbx_iam_get_policy(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *arn = cpw_sbx_in_str(input, "PolicyArn");
    const struct cpw_sbx_aws_policy *ap = cpw_sbx_aws_policy_find(arn);
    json_t *policy = NULL;
    if (ap != NULL) {
        policy = s_aws_json(ctx, ap);
    } else {
        int rc = s_find_local(ctx, arn, &policy, NULL, 0);
        if (rc <= 0) {
            return rc < 0 ? -1 : cpw_sbx_iam_no_policy(ctx, arn);
        }
    }
    *output = json_pack("{s:o}", "Policy", policy);
    return 0;
}

int cpw_sbx_iam_delete_policy(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *arn = cpw_sbx_in_str(input, "PolicyArn");
    char name[256];
    int rc = cpw_sbx_iam_need_local_policy(ctx, arn, name, sizeof(name));
    if (rc != 0) {
        return rc;
    }
    int64_t attached = s_attachments(ctx->db, s_account(ctx), arn);
    if (attached < 0) {
        return -1;
    }
    if (attached > 0) {
        return cpw_sbx_fail(ctx, 409, "DeleteConflict",
                            "Cannot delete a policy attached to entities.");
    }
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      ctx->db, "SELECT count(*) FROM iam_policy_versions WHERE account_id = ? AND policy_name = ?",
      "ss", s_account(ctx), name);
    rc = stmt ? cpw_sbx_sql_step(stmt) : -1;
    int versions = rc == 1 ? sqlite3_column_int(stmt, 0) : 0;
    cpw_sbx_sql_done(stmt);
    if (rc < 0) {
        return -1;
    }
    if (versions > 1) {
        return cpw_sbx_fail(ctx, 409, "DeleteConflict",
                            "This policy has more than one version. Before you delete a policy, "
                            "you must delete the policy's versions. The default version is "
                            "deleted with the policy.");
    }
    if (cpw_sbx_sql_do(ctx->db, "DELETE FROM iam_policies WHERE account_id = ? AND name = ?", "ss",
                       s_account(ctx), name) < 0) {
        return -1;
    }
    cpw_sbx_add_resource(ctx, "AWS::IAM::ManagedPolicy", arn);
    *output = json_object();
    return 0;
}

static int s_cmp_name(const void *a, const void *b)
{
    const char *x = json_string_value(json_object_get(*(json_t *const *)a, "PolicyName"));
    const char *y = json_string_value(json_object_get(*(json_t *const *)b, "PolicyName"));
    return strcasecmp(x ? x : "", y ? y : "");
}

static bool s_keep(const json_t *p, const char *prefix, bool only_attached)
{
    const char *path = json_string_value(json_object_get(p, "Path"));
    if (strncmp(path ? path : "", prefix, strlen(prefix)) != 0) {
        return false;
    }
    return !only_attached || json_integer_value(json_object_get(p, "AttachmentCount")) > 0;
}

int cpw_sbx_iam_list_policies(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *scope = cpw_sbx_in_str(input, "Scope");
    const char *prefix = cpw_sbx_in_str(input, "PathPrefix");
    const char *usage = cpw_sbx_in_str(input, "PolicyUsageFilter");
    const json_t *only = json_object_get(input, "OnlyAttached");
    bool only_attached =
      json_is_true(only) || (json_is_string(only) && strcmp(json_string_value(only), "true") == 0);
    scope = scope ? scope : "All";
    prefix = prefix ? prefix : "/";
    if (strcmp(scope, "All") != 0 && strcmp(scope, "AWS") != 0 && strcmp(scope, "Local") != 0) {
        return cpw_sbx_fail(ctx, 400, "ValidationError",
                            "1 validation error detected: Value '%s' at 'scope' failed to satisfy "
                            "constraint: Member must satisfy enum value set: [All, AWS, Local]",
                            scope);
    }
    if (usage != NULL && strcmp(usage, "PermissionsPolicy") != 0 &&
        strcmp(usage, "PermissionsBoundary") != 0) {
        return cpw_sbx_fail(ctx, 400, "ValidationError",
                            "1 validation error detected: Value '%s' at 'policyUsageFilter' "
                            "failed to satisfy constraint: Member must satisfy enum value set: "
                            "[PermissionsPolicy, PermissionsBoundary]",
                            usage);
    }
    int64_t max_items = 100;
    struct cpw_buf after;
    cpw_buf_init(&after, 1024);
    int rc = cpw_sbx_iam_page_start(ctx, input, &after, &max_items);
    if (rc != 0) {
        cpw_buf_clean_up(&after);
        return rc;
    }
    /* Permissions boundaries are not modelled: no policy is in use as one. */
    bool boundary_only = usage != NULL && strcmp(usage, "PermissionsBoundary") == 0;
    json_t *all = json_array();
    if (strcmp(scope, "Local") != 0 && !boundary_only) {
        for (size_t i = 0; i < cpw_sbx_aws_policy_count(); i++) {
            json_t *p = s_aws_json(ctx, cpw_sbx_aws_policy_at(i));
            if (s_keep(p, prefix, only_attached)) {
                json_array_append(all, p);
            }
            json_decref(p);
        }
    }
    if (strcmp(scope, "AWS") != 0 && !boundary_only) {
        sqlite3_stmt *stmt = cpw_sbx_sql_query(ctx->db,
                                               "SELECT " POLICY_COLUMNS " FROM iam_policies WHERE"
                                               " account_id = ? ORDER BY name",
                                               "s", s_account(ctx));
        while (stmt != NULL && (rc = cpw_sbx_sql_step(stmt)) == 1) {
            json_t *p = s_local_json(ctx->db, stmt, s_account(ctx), false);
            if (s_keep(p, prefix, only_attached)) {
                json_array_append(all, p);
            }
            json_decref(p);
        }
        cpw_sbx_sql_done(stmt);
        if (stmt == NULL || rc < 0) {
            json_decref(all);
            cpw_buf_clean_up(&after);
            return -1;
        }
    }
    size_t n = json_array_size(all);
    json_t **items = cpw_calloc(n ? n : 1, sizeof(*items));
    for (size_t i = 0; i < n; i++) {
        items[i] = json_array_get(all, i);
    }
    qsort(items, n, sizeof(*items), s_cmp_name);
    json_t *page = json_array();
    json_t *result = json_pack("{s:o}", "Policies", page);
    bool truncated = false;
    for (size_t i = 0; i < n; i++) {
        const char *pname = json_string_value(json_object_get(items[i], "PolicyName"));
        if (strcasecmp(pname, cpw_buf_cstr(&after)) < 0) {
            continue;
        }
        if ((int64_t)json_array_size(page) == max_items) {
            truncated = true;
            cpw_sbx_iam_page_marker(result, pname);
            break;
        }
        json_array_append(page, items[i]);
    }
    cpw_free(items);
    json_decref(all);
    cpw_buf_clean_up(&after);
    json_object_set_new(result, "IsTruncated", json_boolean(truncated));
    *output = result;
    return 0;
}

/* ----- tags -------------------------------------------------------------------------------- */

static json_t *s_load_tags(struct cpw_sbx_ctx *ctx, const char *name)
{
    sqlite3_stmt *stmt =
      cpw_sbx_sql_query(ctx->db, "SELECT tags FROM iam_policies WHERE account_id = ? AND name = ?",
                        "ss", s_account(ctx), name);
    json_t *tags = NULL;
    if (stmt != NULL && cpw_sbx_sql_step(stmt) == 1) {
        tags = cpw_json_load_cstr(cpw_sbx_col(stmt, 0));
    }
    cpw_sbx_sql_done(stmt);
    return json_is_array(tags) ? tags : (json_decref(tags), json_array());
}

static int s_store_tags(struct cpw_sbx_ctx *ctx, const char *name, json_t *tags)
{
    char *text = cpw_json_dump_cstr(tags, CPW_JSON_DUMP_COMPACT);
    int rc =
      cpw_sbx_sql_do(ctx->db, "UPDATE iam_policies SET tags = ? WHERE account_id = ? AND name = ?",
                     "sss", text, s_account(ctx), name);
    cpw_free(text);
    return rc < 0 ? -1 : 0;
}

int cpw_sbx_iam_tag_policy(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *arn = cpw_sbx_in_str(input, "PolicyArn");
    char name[256];
    int rc = cpw_sbx_iam_need_local_policy(ctx, arn, name, sizeof(name));
    if (rc != 0) {
        return rc;
    }
    json_t *tags = s_load_tags(ctx, name);
    rc = cpw_sbx_iam_tags_merge(ctx, tags, json_object_get(input, "Tags"));
    if (rc == 0) {
        rc = s_store_tags(ctx, name, tags);
    }
    json_decref(tags);
    if (rc != 0) {
        return rc;
    }
    cpw_sbx_add_resource(ctx, "AWS::IAM::ManagedPolicy", arn);
    *output = json_object();
    return 0;
}

int cpw_sbx_iam_untag_policy(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *arn = cpw_sbx_in_str(input, "PolicyArn");
    char name[256];
    int rc = cpw_sbx_iam_need_local_policy(ctx, arn, name, sizeof(name));
    if (rc != 0) {
        return rc;
    }
    json_t *tags = s_load_tags(ctx, name);
    cpw_sbx_iam_tags_remove(tags, json_object_get(input, "TagKeys"));
    rc = s_store_tags(ctx, name, tags);
    json_decref(tags);
    if (rc != 0) {
        return rc;
    }
    cpw_sbx_add_resource(ctx, "AWS::IAM::ManagedPolicy", arn);
    *output = json_object();
    return 0;
}

int cpw_sbx_iam_list_policy_tags(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *arn = cpw_sbx_in_str(input, "PolicyArn");
    if (cpw_sbx_aws_policy_find(arn) != NULL) {
        *output = json_pack("{s:[],s:b}", "Tags", "IsTruncated", 0);
        return 0;
    }
    char name[256];
    int rc = cpw_sbx_iam_need_local_policy(ctx, arn, name, sizeof(name));
    if (rc != 0) {
        return rc;
    }
    json_t *tags = s_load_tags(ctx, name);
    rc = cpw_sbx_iam_tags_page(ctx, tags, input, output);
    json_decref(tags);
    return rc;
}

/* ----- attachments ------------------------------------------------------------------------- */

struct entity {
    const char *key;      /* input member: "UserName" */
    const char *table;    /* "iam_users" */
    const char *attached; /* "iam_user_attached" */
    const char *col;      /* "user_name" */
    const char *kind;     /* "user" (messages) */
    const char *quota;    /* "PoliciesPerUser" */
    const char *ct_type;  /* CloudTrail resource type */
};

static const struct entity s_user = { "UserName",      "iam_users", "iam_user_attached",
                                      "user_name",     "user",      "PoliciesPerUser",
                                      "AWS::IAM::User" };
static const struct entity s_group = { "GroupName",      "iam_groups", "iam_group_attached",
                                       "group_name",     "group",      "PoliciesPerGroup",
                                       "AWS::IAM::Group" };

static int s_need_entity(struct cpw_sbx_ctx *ctx, const struct entity *e, const char *name)
{
    char sql[256];
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s WHERE account_id = ? AND name = ?",
             e->table);
    sqlite3_stmt *stmt = cpw_sbx_sql_query(ctx->db, sql, "ss", s_account(ctx), name ? name : "");
    int rc = stmt ? cpw_sbx_sql_step(stmt) : -1;
    bool found = rc == 1 && sqlite3_column_int(stmt, 0) > 0;
    cpw_sbx_sql_done(stmt);
    if (rc < 0) {
        return -1;
    }
    if (!found) {
        return cpw_sbx_fail(ctx, 404, "NoSuchEntity", "The %s with name %s cannot be found.",
                            e->kind, name ? name : "");
    }
    return 0;
}

static int s_attach(struct cpw_sbx_ctx *ctx,
                    const struct entity *e,
                    const json_t *input,
                    json_t **output)
{
    const char *name = cpw_sbx_in_str(input, e->key);
    const char *arn = cpw_sbx_in_str(input, "PolicyArn");
    int rc = s_need_entity(ctx, e, name);
    if (rc == 0) {
        rc = cpw_sbx_iam_need_policy(ctx, arn);
    }
    if (rc != 0) {
        return rc;
    }
    const struct cpw_sbx_aws_policy *ap = cpw_sbx_aws_policy_find(arn);
    if (ap != NULL && ap->service_linked) {
        return cpw_sbx_fail(ctx, 400, "PolicyNotAttachable",
                            "Cannot attach a Service Role Policy to a Customer Role.");
    }
    char sql[256];
    snprintf(sql, sizeof(sql),
             "SELECT count(*), sum(policy_arn = ?3) FROM %s WHERE account_id = ?1 AND %s = ?2",
             e->attached, e->col);
    sqlite3_stmt *stmt = cpw_sbx_sql_query(ctx->db, sql, "sss", s_account(ctx), name, arn);
    rc = stmt ? cpw_sbx_sql_step(stmt) : -1;
    int64_t count = rc == 1 ? sqlite3_column_int64(stmt, 0) : 0;
    bool already = rc == 1 && sqlite3_column_int64(stmt, 1) > 0;
    cpw_sbx_sql_done(stmt);
    if (rc < 0) {
        return -1;
    }
    if (!already && count >= MANAGED_PER_ENTITY) {
        return cpw_sbx_fail(ctx, 409, "LimitExceeded", "Cannot exceed quota for %s: %d", e->quota,
                            MANAGED_PER_ENTITY);
    }
    snprintf(sql, sizeof(sql),
             "INSERT OR IGNORE INTO %s(account_id, %s, policy_arn) VALUES (?, ?, ?)", e->attached,
             e->col);
    if (cpw_sbx_sql_do(ctx->db, sql, "sss", s_account(ctx), name, arn) < 0) {
        return -1;
    }
    cpw_sbx_add_resource(ctx, e->ct_type, name);
    *output = json_object();
    return 0;
}

static int s_detach(struct cpw_sbx_ctx *ctx,
                    const struct entity *e,
                    const json_t *input,
                    json_t **output)
{
    const char *name = cpw_sbx_in_str(input, e->key);
    const char *arn = cpw_sbx_in_str(input, "PolicyArn");
    int rc = s_need_entity(ctx, e, name);
    if (rc != 0) {
        return rc;
    }
    char sql[256];
    snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE account_id = ? AND %s = ? AND policy_arn = ?",
             e->attached, e->col);
    int n = cpw_sbx_sql_do(ctx->db, sql, "sss", s_account(ctx), name, arn);
    if (n < 0) {
        return -1;
    }
    if (n == 0) {
        return cpw_sbx_fail(ctx, 404, "NoSuchEntity", "Policy %s was not found.", arn ? arn : "");
    }
    cpw_sbx_add_resource(ctx, e->ct_type, name);
    *output = json_object();
    return 0;
}

static int s_list_attached(struct cpw_sbx_ctx *ctx,
                           const struct entity *e,
                           const json_t *input,
                           json_t **output)
{
    const char *name = cpw_sbx_in_str(input, e->key);
    int rc = s_need_entity(ctx, e, name);
    if (rc != 0) {
        return rc;
    }
    char sql[256];
    snprintf(sql, sizeof(sql),
             "SELECT policy_arn FROM %s WHERE account_id = ? AND %s = ? ORDER BY policy_arn",
             e->attached, e->col);
    sqlite3_stmt *stmt = cpw_sbx_sql_query(ctx->db, sql, "ss", s_account(ctx), name);
    json_t *list = json_array();
    while (stmt != NULL && (rc = cpw_sbx_sql_step(stmt)) == 1) {
        const char *arn = cpw_sbx_col(stmt, 0);
        const char *slash = strrchr(arn, '/');
        json_array_append_new(
          list, json_pack("{s:s,s:s}", "PolicyName", slash ? slash + 1 : arn, "PolicyArn", arn));
    }
    cpw_sbx_sql_done(stmt);
    if (stmt == NULL || rc < 0) {
        json_decref(list);
        return -1;
    }
    *output = json_pack("{s:o,s:b}", "AttachedPolicies", list, "IsTruncated", 0);
    return 0;
}

int cpw_sbx_iam_attach_user_policy(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    return s_attach(ctx, &s_user, input, output);
}

int cpw_sbx_iam_detach_user_policy(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    return s_detach(ctx, &s_user, input, output);
}

int cpw_sbx_iam_list_attached_user_policies(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out)
{
    return s_list_attached(ctx, &s_user, in, out);
}

int cpw_sbx_iam_attach_group_policy(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    return s_attach(ctx, &s_group, input, output);
}

int cpw_sbx_iam_detach_group_policy(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    return s_detach(ctx, &s_group, input, output);
}

int cpw_sbx_iam_list_attached_group_policies(struct cpw_sbx_ctx *ctx,
                                             const json_t *in,
                                             json_t **out)
{
    return s_list_attached(ctx, &s_group, in, out);
}

/* ----- ListEntitiesForPolicy --------------------------------------------------------------- */

static int s_entities(struct cpw_sbx_ctx *ctx,
                      const char *sql,
                      const char *arn,
                      json_t *list,
                      const char *name_key,
                      const char *id_key)
{
    sqlite3_stmt *stmt = cpw_sbx_sql_query(ctx->db, sql, "ss", s_account(ctx), arn);
    int rc = 0;
    while (stmt != NULL && (rc = cpw_sbx_sql_step(stmt)) == 1) {
        json_array_append_new(list, json_pack("{s:s,s:s}", name_key, cpw_sbx_col(stmt, 0), id_key,
                                              cpw_sbx_col(stmt, 1)));
    }
    cpw_sbx_sql_done(stmt);
    return stmt == NULL || rc < 0 ? -1 : 0;
}

int cpw_sbx_iam_list_entities_for_policy(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out)
{
    const char *arn = cpw_sbx_in_str(in, "PolicyArn");
    const char *filter = cpw_sbx_in_str(in, "EntityFilter");
    if (cpw_sbx_aws_policy_find(arn) == NULL) {
        int rc = s_find_local(ctx, arn, NULL, NULL, 0);
        if (rc <= 0) {
            return rc < 0 ? -1 : cpw_sbx_iam_no_policy(ctx, arn);
        }
    }
    bool all = filter == NULL || strcmp(filter, "LocalManagedPolicy") == 0 ||
               strcmp(filter, "AWSManagedPolicy") == 0;
    json_t *groups = json_array();
    json_t *users = json_array();
    json_t *roles = json_array();
    *out = json_pack("{s:o,s:o,s:o,s:b}", "PolicyGroups", groups, "PolicyUsers", users,
                     "PolicyRoles", roles, "IsTruncated", 0);
    int rc = 0;
    if (rc == 0 && (all || strcmp(filter, "Group") == 0)) {
        rc = s_entities(ctx,
                        "SELECT g.name, g.group_id FROM iam_group_attached a JOIN iam_groups g ON"
                        " g.account_id = a.account_id AND g.name = a.group_name WHERE"
                        " a.account_id = ? AND a.policy_arn = ? ORDER BY g.name",
                        arn, groups, "GroupName", "GroupId");
    }
    if (rc == 0 && (all || strcmp(filter, "User") == 0)) {
        rc = s_entities(ctx,
                        "SELECT u.name, u.user_id FROM iam_user_attached a JOIN iam_users u ON"
                        " u.account_id = a.account_id AND u.name = a.user_name WHERE"
                        " a.account_id = ? AND a.policy_arn = ? ORDER BY u.name",
                        arn, users, "UserName", "UserId");
    }
    if (rc == 0 && (all || strcmp(filter, "Role") == 0)) {
        rc = s_entities(ctx,
                        "SELECT r.name, r.role_id FROM iam_role_attached a JOIN iam_roles r ON"
                        " r.account_id = a.account_id AND r.name = a.role_name WHERE"
                        " a.account_id = ? AND a.policy_arn = ? ORDER BY r.name",
                        arn, roles, "RoleName", "RoleId");
    }
    if (rc != 0) {
        json_decref(*out);
        *out = NULL;
        return -1;
    }
    return 0;
}
