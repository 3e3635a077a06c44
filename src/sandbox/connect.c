/*
 * connect.c - Amazon Connect instances in the sandbox (signing name "connect"): CreateInstance,
 * DescribeInstance, ListInstances, DeleteInstance, and TagResource / UntagResource /
 * ListTagsForResource on instance ARNs.
 *
 * CreateInstance creates the instance's AWSServiceRoleForAmazonConnect_<20 alphanumerics>
 * service-linked role (reported as ServiceRole) and answers at once; the instance reports
 * CREATION_IN_PROGRESS until the instance_activation_ms knob has passed (computed from
 * timestamps), then ACTIVE. AWS's quota of 2 instances per account and region answers
 * ServiceQuotaExceededException (402). DeleteInstance removes the instance only: by default its
 * role and any Customer Profiles integration with its ARN as Uri stay behind (docs/aws-facts.md §2,
 * §3, the runbook's situation); knobs choose the other behaviours.
 */
#include <stdio.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/buf.h"
#include "cpw/error.h"
#include "sbx_contact.h"

#define INSTANCE_QUOTA 2 /* per account and region (docs/aws-facts.md §6.2) */
#define LIST_MAX       10

static const char *s_region(const struct cpw_sbx_ctx *ctx)
{
    return cpw_cp_region(ctx);
}

static int s_invalid(struct cpw_sbx_ctx *ctx, const char *message)
{
    return cpw_sbx_fail(ctx, 400, "InvalidRequestException", "%s", message);
}

static const char s_columns[] = "id, arn, alias, created_ms, active_ms, identity_type, inbound,"
                                " outbound, service_role, tags";

static json_t *s_instance_json(sqlite3_stmt *stmt, int64_t now_ms, bool with_tags)
{
    const char *alias = cpw_sbx_col(stmt, 2);
    const char *id = cpw_sbx_col(stmt, 0);
    char url[200];
    snprintf(url, sizeof(url), "https://%s.my.connect.aws", alias[0] ? alias : id);
    bool active = now_ms >= sqlite3_column_int64(stmt, 4);
    json_t *doc =
      json_pack("{s:s,s:s,s:s,s:o,s:s,s:s,s:b,s:b,s:s}", "Id", id, "Arn", cpw_sbx_col(stmt, 1),
                "IdentityManagementType", cpw_sbx_col(stmt, 5), "CreatedTime",
                cpw_sbx_time_json(sqlite3_column_int64(stmt, 3)), "InstanceStatus",
                active ? "ACTIVE" : "CREATION_IN_PROGRESS", "ServiceRole", cpw_sbx_col(stmt, 8),
                "InboundCallsEnabled", sqlite3_column_int64(stmt, 6) != 0, "OutboundCallsEnabled",
                sqlite3_column_int64(stmt, 7) != 0, "InstanceAccessUrl", url);
    if (alias[0] != '\0') {
        json_object_set_new(doc, "InstanceAlias", json_string(alias));
    }
    if (with_tags) {
        json_t *tags = cpw_json_load_cstr(cpw_sbx_col(stmt, 9));
        json_object_set_new(doc, "Tags", tags ? tags : json_object());
    }
    return doc;
}

/* Finds the caller's instance by id or ARN: a statement positioned on its row, or NULL. */
static int s_find(struct cpw_sbx_ctx *ctx, const char *id_or_arn, sqlite3_stmt **row)
{
    *row = NULL;
    char sql[300];
    snprintf(sql, sizeof(sql),
             "SELECT %s FROM connect_instances WHERE account_id = ? AND region = ?"
             " AND (id = ? OR arn = ?)",
             s_columns);
    const char *key = id_or_arn ? id_or_arn : "";
    sqlite3_stmt *stmt = cpw_sbx_sql_query(ctx->db, sql, "ssss", ctx->req->caller->account_id,
                                           s_region(ctx), key, key);
    if (stmt == NULL) {
        return -1;
    }
    int rc = cpw_sbx_sql_step(stmt);
    if (rc != 1) {
        cpw_sbx_sql_done(stmt);
        return rc < 0 ? -1
                      : cpw_sbx_fail(ctx, 404, "ResourceNotFoundException",
                                     "Instance with id %s not found", key);
    }
    *row = stmt;
    return 0;
}

static int s_count(struct cpw_sbx_ctx *ctx, const char *where, const char *value, int64_t *n)
{
    char sql[200];
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM connect_instances WHERE account_id = ? AND region = ?%s", where);
    sqlite3_stmt *stmt =
      value
        ? cpw_sbx_sql_query(ctx->db, sql, "sss", ctx->req->caller->account_id, s_region(ctx), value)
        : cpw_sbx_sql_query(ctx->db, sql, "ss", ctx->req->caller->account_id, s_region(ctx));
    if (stmt == NULL || cpw_sbx_sql_step(stmt) != 1) {
        cpw_sbx_sql_done(stmt);
        return -1;
    }
    *n = sqlite3_column_int64(stmt, 0);
    cpw_sbx_sql_done(stmt);
    return 0;
}

/*
 * The model's DirectoryAlias pattern ^(?!d-)([\da-zA-Z]+)([-]*[\da-zA-Z])*$ with its 1-45 length:
 * letters, digits and hyphens, a letter or digit at both ends, not starting with "d-". The HTTP
 * front end checks the pattern already; this keeps in-process callers to the same rule.
 */
static bool s_alias_ok(const char *alias)
{
    size_t len = strlen(alias);
    if (len < 1 || len > 45 || strncmp(alias, "d-", 2) == 0 || alias[0] == '-' ||
        alias[len - 1] == '-') {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        char c = alias[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-')) {
            return false;
        }
    }
    return true;
}

static int s_create_instance(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *type = cpw_sbx_in_str(input, "IdentityManagementType");
    const char *alias = cpw_sbx_in_str(input, "InstanceAlias");
    const json_t *inbound = json_object_get(input, "InboundCallsEnabled");
    const json_t *outbound = json_object_get(input, "OutboundCallsEnabled");
    const json_t *tags = json_object_get(input, "Tags");
    if (type == NULL || (strcmp(type, "SAML") != 0 && strcmp(type, "CONNECT_MANAGED") != 0 &&
                         strcmp(type, "EXISTING_DIRECTORY") != 0)) {
        return s_invalid(ctx, "IdentityManagementType must be SAML, CONNECT_MANAGED or "
                              "EXISTING_DIRECTORY.");
    }
    if (!json_is_boolean(inbound) || !json_is_boolean(outbound)) {
        return s_invalid(ctx, "InboundCallsEnabled and OutboundCallsEnabled are required.");
    }
    if (tags != NULL && !json_is_object(tags)) {
        return s_invalid(ctx, "Tags must be a map.");
    }
    if (alias != NULL && !s_alias_ok(alias)) {
        return s_invalid(ctx, "Invalid Input. Instance alias is invalid.");
    }
    int64_t n = 0;
    if (s_count(ctx, "", NULL, &n) != 0) {
        return -1;
    }
    if (n >= INSTANCE_QUOTA) {
        return cpw_sbx_fail(ctx, 402, "ServiceQuotaExceededException",
                            "The service quota has been exceeded: at most %d instances per"
                            " Region.",
                            INSTANCE_QUOTA);
    }
    if (alias != NULL && (s_count(ctx, " AND alias = ?", alias, &n) != 0)) {
        return -1;
    }
    if (alias != NULL && n > 0) {
        return s_invalid(ctx, "The instance alias is already in use.");
    }
    char id[37];
    if (cpw_sbx_uuid(id) != 0) {
        return -1;
    }
    char arn[200];
    snprintf(arn, sizeof(arn), "arn:%s:connect:%s:%s:instance/%s", cpw_sbx_ctx_partition(ctx),
             s_region(ctx), ctx->req->caller->account_id, id);
    cpw_sbx_add_resource(ctx, "AWS::Connect::Instance", arn);
    char role_name[128];
    char role_arn[512];
    int rc =
      cpw_sbx_contact_create_role(ctx, ctx->req->caller->account_id, CPW_CONNECT_PRINCIPAL, NULL,
                                  role_name, sizeof(role_name), role_arn, sizeof(role_arn));
    if (rc != 0) {
        return rc;
    }
    struct cpw_sbx_knobs knobs;
    cpw_sbx_knobs_current(ctx->sbx, &knobs);
    char *tag_text = tags ? cpw_json_dump_cstr(tags, CPW_JSON_DUMP_COMPACT) : cpw_strdup("{}");
    rc = cpw_sbx_sql_do(ctx->db,
                        "INSERT INTO connect_instances(account_id, region, id, arn, alias,"
                        " created_ms, active_ms, identity_type, inbound, outbound, service_role,"
                        " tags) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                        "sssssiisiiss", ctx->req->caller->account_id, s_region(ctx), id, arn, alias,
                        ctx->req->now_ms, ctx->req->now_ms + knobs.instance_activation_ms, type,
                        (int64_t)json_is_true(inbound), (int64_t)json_is_true(outbound), role_arn,
                        tag_text);
    cpw_free(tag_text);
    if (rc < 0) {
        return -1;
    }
    *output = json_pack("{s:s,s:s}", "Id", id, "Arn", arn);
    return 0;
}

static int s_describe_instance(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    sqlite3_stmt *row = NULL;
    int rc = s_find(ctx, cpw_sbx_in_str(input, "InstanceId"), &row);
    if (rc != 0) {
        return rc;
    }
    *output = json_pack("{s:o}", "Instance", s_instance_json(row, ctx->req->now_ms, true));
    cpw_sbx_sql_done(row);
    return 0;
}

static int s_list_instances(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *token = cpw_sbx_in_str(input, "NextToken");
    uint64_t offset = 0;
    int64_t limit = LIST_MAX;
    if (token != NULL && cpw_span_to_u64(cpw_span_from_cstr(token), 1u << 30, &offset) != 0) {
        cpw_error_clear();
        return s_invalid(ctx, "The NextToken is not valid.");
    }
    if (cpw_sbx_in_int(input, "MaxResults", LIST_MAX, &limit) != 0 || limit < 1 ||
        limit > LIST_MAX) {
        cpw_error_clear();
        return s_invalid(ctx, "MaxResults must be between 1 and 10.");
    }
    char sql[300];
    snprintf(sql, sizeof(sql),
             "SELECT %s FROM connect_instances WHERE account_id = ? AND region = ?"
             " ORDER BY created_ms, id LIMIT ? OFFSET ?",
             s_columns);
    sqlite3_stmt *stmt = cpw_sbx_sql_query(ctx->db, sql, "ssii", ctx->req->caller->account_id,
                                           s_region(ctx), limit + 1, (int64_t)offset);
    if (stmt == NULL) {
        return -1;
    }
    json_t *list = json_array();
    json_t *result = json_pack("{s:o}", "InstanceSummaryList", list);
    int rc;
    while ((rc = cpw_sbx_sql_step(stmt)) == 1) {
        if ((int64_t)json_array_size(list) == limit) {
            char next[32];
            snprintf(next, sizeof(next), "%lld", (long long)offset + (long long)limit);
            json_object_set_new(result, "NextToken", json_string(next));
            break;
        }
        json_array_append_new(list, s_instance_json(stmt, ctx->req->now_ms, false));
    }
    cpw_sbx_sql_done(stmt);
    if (rc < 0) {
        json_decref(result);
        return -1;
    }
    *output = result;
    return 0;
}

static int s_delete_instance(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    sqlite3_stmt *row = NULL;
    int rc = s_find(ctx, cpw_sbx_in_str(input, "InstanceId"), &row);
    if (rc != 0) {
        return rc;
    }
    char id[64];
    char arn[200];
    char role_arn[512];
    snprintf(id, sizeof(id), "%s", cpw_sbx_col(row, 0));
    snprintf(arn, sizeof(arn), "%s", cpw_sbx_col(row, 1));
    snprintf(role_arn, sizeof(role_arn), "%s", cpw_sbx_col(row, 8));
    cpw_sbx_sql_done(row);
    cpw_sbx_add_resource(ctx, "AWS::Connect::Instance", arn);
    if (cpw_sbx_sql_do(ctx->db, "DELETE FROM connect_instances WHERE arn = ?", "s", arn) < 0) {
        return -1;
    }
    struct cpw_sbx_knobs knobs;
    cpw_sbx_knobs_current(ctx->sbx, &knobs);
    if (knobs.instance_delete_removes_integrations &&
        cpw_cp_delete_integrations_by_uri(ctx->db, ctx->req->caller->account_id, s_region(ctx),
                                          arn) < 0) {
        return -1;
    }
    const char *slash = strrchr(role_arn, '/');
    if (knobs.instance_delete_removes_role && slash != NULL &&
        cpw_sbx_contact_schedule_role_cleanup(
          ctx, ctx->req->caller->account_id, slash + 1, CPW_CONNECT_PRINCIPAL,
          ctx->req->now_ms + knobs.instance_role_cleanup_ms) != 0) {
        return -1;
    }
    *output = json_object();
    return 0;
}

/* ----- tags -------------------------------------------------------------------------------- */

static int s_tag_target(struct cpw_sbx_ctx *ctx,
                        const json_t *input,
                        json_t **tags,
                        char *arn,
                        size_t cap)
{
    const char *given = cpw_sbx_in_str(input, "resourceArn");
    if (given == NULL || strncmp(given, "arn:aws", 7) != 0 || strstr(given, ":connect:") == NULL) {
        return cpw_sbx_fail(ctx, 400, "InvalidParameterException",
                            "resourceArn is not an Amazon Connect ARN.");
    }
    sqlite3_stmt *row = NULL;
    int rc = s_find(ctx, given, &row);
    if (rc != 0) {
        return rc;
    }
    snprintf(arn, cap, "%s", cpw_sbx_col(row, 1));
    *tags = cpw_json_load_cstr(cpw_sbx_col(row, 9));
    if (*tags == NULL) {
        *tags = json_object();
    }
    cpw_sbx_sql_done(row);
    return 0;
}

static int s_store_tags(struct cpw_sbx_ctx *ctx, const char *arn, json_t *tags)
{
    if (json_object_size(tags) > 50) {
        json_decref(tags);
        return cpw_sbx_fail(ctx, 400, "InvalidParameterException",
                            "A resource can have at most 50 tags.");
    }
    char *text = cpw_json_dump_cstr(tags, CPW_JSON_DUMP_COMPACT);
    json_decref(tags);
    int rc = cpw_sbx_sql_do(ctx->db, "UPDATE connect_instances SET tags = ? WHERE arn = ?", "ss",
                            text, arn);
    cpw_free(text);
    cpw_sbx_add_resource(ctx, "AWS::Connect::Instance", arn);
    return rc < 0 ? -1 : 0;
}

static int s_tag_resource(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const json_t *add = json_object_get(input, "tags");
    if (!json_is_object(add) || json_object_size(add) == 0) {
        return cpw_sbx_fail(ctx, 400, "InvalidParameterException", "tags must be a non-empty map.");
    }
    json_t *tags = NULL;
    char arn[200];
    int rc = s_tag_target(ctx, input, &tags, arn, sizeof(arn));
    if (rc != 0) {
        return rc;
    }
    json_object_update(tags, (json_t *)add);
    rc = s_store_tags(ctx, arn, tags);
    if (rc == 0) {
        *output = json_object();
    }
    return rc;
}

static int s_untag_resource(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    json_t *tags = NULL;
    char arn[200];
    int rc = s_tag_target(ctx, input, &tags, arn, sizeof(arn));
    if (rc != 0) {
        return rc;
    }
    size_t i;
    const json_t *key;
    json_array_foreach(json_object_get(input, "tagKeys"), i, key)
    {
        if (json_is_string(key)) {
            json_object_del(tags, json_string_value(key));
        }
    }
    rc = s_store_tags(ctx, arn, tags);
    if (rc == 0) {
        *output = json_object();
    }
    return rc;
}

static int s_list_tags(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    json_t *tags = NULL;
    char arn[200];
    int rc = s_tag_target(ctx, input, &tags, arn, sizeof(arn));
    if (rc != 0) {
        return rc;
    }
    *output = json_pack("{s:o}", "tags", tags);
    return 0;
}

int cpw_connect_instance_exists(sqlite3 *db, const char *arn)
{
    sqlite3_stmt *stmt =
      cpw_sbx_sql_query(db, "SELECT 1 FROM connect_instances WHERE arn = ?", "s", arn);
    if (stmt == NULL) {
        return -1;
    }
    int rc = cpw_sbx_sql_step(stmt);
    cpw_sbx_sql_done(stmt);
    return rc;
}

static const struct cpw_sbx_op s_ops[] = {
    { "CreateInstance", s_create_instance }, { "DescribeInstance", s_describe_instance },
    { "ListInstances", s_list_instances },   { "DeleteInstance", s_delete_instance },
    { "TagResource", s_tag_resource },       { "UntagResource", s_untag_resource },
    { "ListTagsForResource", s_list_tags },
};

const struct cpw_sbx_service cpw_sbx_connect_service = {
    .signing_name = "connect",
    .model_name = "connect",
    .event_source = "connect.amazonaws.com",
    .global = false,
    .ops = s_ops,
    .op_count = sizeof(s_ops) / sizeof(s_ops[0]),
    .schema_sql = NULL,
};
