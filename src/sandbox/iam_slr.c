/*
 * iam_slr.c - IAM service-linked roles: creation with AWS's naming per service principal, the
 * asynchronous DeleteServiceLinkedRole task and GetServiceLinkedRoleDeletionStatus.
 *
 * A deletion task stays IN_PROGRESS for the sandbox's slr_deletion_delay_ms after it was
 * submitted. It is settled lazily, from timestamps, at the first IAM request of the account that
 * comes after that time: the role-usage hook registered for the role's service principal is asked
 * which resources still use the role; if any, the task ends FAILED with a RoleUsageList, else the
 * role is deleted and the task ends SUCCEEDED. No threads, no timers: tests move now_ms.
 */
#include <stdio.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/error.h"
#include "sbx_service.h"

#define TASK_PREFIX "task/aws-service-role/"

struct slr_naming {
    const char *principal;
    const char *base;     /* AWSServiceRoleFor<base> */
    bool suffix_required; /* generated when the caller gives none */
    bool suffix_allowed;
    const char *policy; /* attached managed policy, or NULL */
};

/* Names from AWS documentation (docs/aws-facts.md §1, §2, §5.1). */
static const struct slr_naming s_namings[] = {
    { "profile.amazonaws.com", "Profile", true, true,
      "arn:aws:iam::aws:policy/aws-service-role/CustomerProfilesServiceLinkedRolePolicy" },
    { "connect.amazonaws.com", "AmazonConnect", true, true,
      "arn:aws:iam::aws:policy/aws-service-role/AmazonConnectServiceLinkedRolePolicy" },
    { "synchronization.connect.amazonaws.com", "AmazonConnectSynchronization", true, true, NULL },
    { "connect-campaigns.amazonaws.com", "ConnectCampaigns", false, false, NULL },
    { "app-integrations.amazonaws.com", "AppIntegrations", false, false, NULL },
    { "elasticfilesystem.amazonaws.com", "AmazonElasticFileSystem", false, false, NULL },
    { "ecs.amazonaws.com", "ECS", false, false, NULL },
    { "es.amazonaws.com", "AmazonElasticsearchService", false, false, NULL },
    { "autoscaling.amazonaws.com", "AutoScaling", false, true, NULL },
    { "elasticloadbalancing.amazonaws.com", "ElasticLoadBalancing", false, false, NULL },
    { "organizations.amazonaws.com", "Organizations", false, false, NULL },
    { "sso.amazonaws.com", "SSO", false, false, NULL },
    { "guardduty.amazonaws.com", "AmazonGuardDuty", false, false, NULL },
    { "support.amazonaws.com", "Support", false, false, NULL },
    { "trustedadvisor.amazonaws.com", "TrustedAdvisor", false, false, NULL },
    { "cloudtrail.amazonaws.com", "CloudTrail", false, false, NULL },
    { "rds.amazonaws.com", "RDS", false, false, NULL },
    /* Elastic Beanstalk User Guide, "Using service-linked roles for Elastic Beanstalk". */
    { "elasticbeanstalk.amazonaws.com", "ElasticBeanstalk", false, false, NULL },
    /* Application Auto Scaling User Guide, "Service-linked roles for Application Auto Scaling":
     * one role per scalable resource type. */
    { "appstream.application-autoscaling.amazonaws.com", "ApplicationAutoScaling_AppStreamFleet",
      false, false, NULL },
    { "dynamodb.application-autoscaling.amazonaws.com", "ApplicationAutoScaling_DynamoDBTable",
      false, false, NULL },
    { "ec2.application-autoscaling.amazonaws.com", "ApplicationAutoScaling_EC2SpotFleetRequest",
      false, false, NULL },
    { "ecs.application-autoscaling.amazonaws.com", "ApplicationAutoScaling_ECSService", false,
      false, NULL },
    { "rds.application-autoscaling.amazonaws.com", "ApplicationAutoScaling_RDSCluster", false,
      false, NULL },
    { "sagemaker.application-autoscaling.amazonaws.com", "ApplicationAutoScaling_SageMakerEndpoint",
      false, false, NULL },
    { "custom-resource.application-autoscaling.amazonaws.com",
      "ApplicationAutoScaling_CustomResource", false, false, NULL },
};

static const struct slr_naming *s_naming(const char *principal)
{
    for (size_t i = 0; i < sizeof(s_namings) / sizeof(s_namings[0]); i++) {
        if (strcmp(s_namings[i].principal, principal) == 0) {
            return &s_namings[i];
        }
    }
    return NULL;
}

int cpw_sbx_iam_create_slr(struct cpw_sbx_ctx *ctx,
                           const char *account_id,
                           const char *principal,
                           const char *custom_suffix,
                           const char *description,
                           bool legacy_unsuffixed,
                           json_t **role)
{
    const struct slr_naming *naming = principal ? s_naming(principal) : NULL;
    if (naming == NULL) {
        return cpw_sbx_fail(ctx, 400, "InvalidInput",
                            "Service principal %s is not known to the sandbox's IAM",
                            principal ? principal : "");
    }
    if (custom_suffix != NULL && !naming->suffix_allowed) {
        return cpw_sbx_fail(ctx, 400, "InvalidInput", "Custom suffix is not allowed for %s",
                            principal);
    }
    char suffix[72] = "";
    if (custom_suffix != NULL) {
        snprintf(suffix, sizeof(suffix), "_%s", custom_suffix);
    } else if (naming->suffix_required && !legacy_unsuffixed) {
        suffix[0] = '_';
        if (cpw_sbx_random_chars(suffix + 1, 20, CPW_SBX_ALNUM) != 0) {
            return -1;
        }
    }
    char name[160];
    char path[300];
    char trust[600];
    snprintf(name, sizeof(name), "AWSServiceRoleFor%s%s", naming->base, suffix);
    if (strlen(name) > 64) {
        return cpw_sbx_fail(ctx, 400, "InvalidInput", "Role name %s is longer than 64 characters",
                            name);
    }
    snprintf(path, sizeof(path), "/aws-service-role/%s/", principal);
    snprintf(trust, sizeof(trust),
             "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":"
             "{\"Service\":[\"%s\"]},\"Action\":[\"sts:AssumeRole\"]}]}",
             principal);
    struct cpw_sbx_role_spec spec = {
        .account_id = account_id,
        .name = name,
        .path = path,
        .trust_policy = trust,
        .description = description,
        .slr_principal = principal,
        .now_ms = ctx->req->now_ms,
        .partition = cpw_sbx_ctx_partition(ctx),
    };
    int rc = cpw_sbx_iam_insert_role(ctx->db, &spec);
    if (rc == 1) {
        return cpw_sbx_fail(ctx, 400, "InvalidInput",
                            "Service role name %s has been taken in this account, please try a "
                            "different suffix.",
                            name);
    }
    if (rc == 2) {
        return cpw_sbx_fail(ctx, 409, "LimitExceeded",
                            "Cannot exceed quota for RolesPerAccount: 1000");
    }
    if (rc < 0 || (naming->policy != NULL &&
                   cpw_sbx_iam_attach_policy(ctx->db, account_id, name, naming->policy) != 0)) {
        return -1;
    }
    *role = cpw_sbx_iam_role_json(ctx->db, account_id, name, false);
    return *role ? 0 : -1;
}

int cpw_sbx_iam_create_slr_op(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    json_t *role = NULL;
    int rc = cpw_sbx_iam_create_slr(
      ctx, ctx->req->caller->account_id, cpw_sbx_in_str(input, "AWSServiceName"),
      cpw_sbx_in_str(input, "CustomSuffix"), cpw_sbx_in_str(input, "Description"), false, &role);
    if (rc != 0) {
        return rc;
    }
    cpw_sbx_add_resource(ctx, "AWS::IAM::Role",
                         json_string_value(json_object_get(role, "RoleName")));
    *output = json_pack("{s:o}", "Role", role);
    return 0;
}

/* ----- deletion tasks ---------------------------------------------------------------------- */

static int s_ask_hooks(struct cpw_sbx_ctx *ctx,
                       const char *account_id,
                       const char *principal,
                       const char *role_arn,
                       json_t *usage)
{
    for (size_t i = 0; i < ctx->sbx->hook_count; i++) {
        const struct cpw_sbx_hook *hook = &ctx->sbx->hooks[i];
        if (strcmp(hook->principal, principal) == 0 &&
            hook->fn(hook->user, ctx, account_id, role_arn, usage) != 0) {
            return -1;
        }
    }
    return 0;
}

static int s_settle_one(struct cpw_sbx_ctx *ctx,
                        const char *task_id,
                        const char *account_id,
                        const char *role_name,
                        const char *principal,
                        const char *role_arn)
{
    json_t *usage = json_array();
    if (s_ask_hooks(ctx, account_id, principal, role_arn, usage) != 0) {
        json_decref(usage);
        return -1;
    }
    int rc;
    if (json_array_size(usage) > 0) {
        json_t *reason = json_pack("{s:s,s:o}", "Reason",
                                   "Cannot delete the service-linked role because it is in use "
                                   "by resources of the linked service; delete them first.",
                                   "RoleUsageList", usage);
        char *text = cpw_json_dump_cstr(reason, CPW_JSON_DUMP_COMPACT);
        json_decref(reason);
        rc = cpw_sbx_sql_do(ctx->db,
                            "UPDATE iam_slr_tasks SET status = 'FAILED', reason = ?"
                            " WHERE task_id = ?",
                            "ss", text, task_id);
        cpw_free(text);
    } else {
        json_decref(usage);
        rc = cpw_sbx_sql_do(ctx->db, "DELETE FROM iam_roles WHERE account_id = ? AND name = ?",
                            "ss", account_id, role_name);
        if (rc >= 0) {
            rc = cpw_sbx_sql_do(ctx->db,
                                "UPDATE iam_slr_tasks SET status = 'SUCCEEDED' WHERE task_id = ?",
                                "s", task_id);
        }
    }
    return rc < 0 ? -1 : 0;
}

int cpw_sbx_iam_settle_tasks(struct cpw_sbx_ctx *ctx, const char *account_id)
{
    sqlite3_stmt *stmt =
      cpw_sbx_sql_query(ctx->db,
                        "SELECT task_id, role_name, principal, role_arn FROM iam_slr_tasks"
                        " WHERE account_id = ? AND status = 'IN_PROGRESS' AND created_ms + ? <= ?"
                        " ORDER BY created_ms",
                        "sii", account_id, ctx->sbx->slr_deletion_delay_ms, ctx->req->now_ms);
    if (stmt == NULL) {
        return -1;
    }
    /* Collect first: settling writes to the table being read. */
    json_t *due = json_array();
    int rc;
    while ((rc = cpw_sbx_sql_step(stmt)) == 1) {
        json_array_append_new(due, json_pack("[ssss]", cpw_sbx_col(stmt, 0), cpw_sbx_col(stmt, 1),
                                             cpw_sbx_col(stmt, 2), cpw_sbx_col(stmt, 3)));
    }
    cpw_sbx_sql_done(stmt);
    size_t i;
    json_t *task;
    json_array_foreach(due, i, task)
    {
        if (rc == 0) {
            rc = s_settle_one(ctx, json_string_value(json_array_get(task, 0)), account_id,
                              json_string_value(json_array_get(task, 1)),
                              json_string_value(json_array_get(task, 2)),
                              json_string_value(json_array_get(task, 3)));
        }
    }
    json_decref(due);
    return rc < 0 ? -1 : 0;
}

int cpw_sbx_iam_delete_slr_as_service(struct cpw_sbx_ctx *ctx,
                                      const char *account_id,
                                      const char *role_name)
{
    sqlite3_stmt *stmt = cpw_sbx_sql_query(ctx->db,
                                           "SELECT name, slr_principal FROM iam_roles WHERE"
                                           " account_id = ? AND name = ? AND"
                                           " slr_principal IS NOT NULL",
                                           "ss", account_id, role_name);
    if (stmt == NULL) {
        return -1;
    }
    int rc = cpw_sbx_sql_step(stmt);
    char name[128] = "";
    char principal[256] = "";
    if (rc == 1) {
        snprintf(name, sizeof(name), "%s", cpw_sbx_col(stmt, 0));
        snprintf(principal, sizeof(principal), "%s", cpw_sbx_col(stmt, 1));
    }
    cpw_sbx_sql_done(stmt);
    if (rc <= 0) {
        return rc < 0 ? -1 : 1;
    }
    if (cpw_sbx_sql_do(ctx->db, "DELETE FROM iam_roles WHERE account_id = ? AND name = ?", "ss",
                       account_id, name) < 0) {
        return -1;
    }
    /* The event AWS records for a service's own deletion: UNVERIFIED (docs/aws-facts.md §7.1). */
    json_t *request = json_pack("{s:s}", "RoleName", name);
    json_t *resources =
      json_pack("[{s:s,s:s}]", "ResourceType", "AWS::IAM::Role", "ResourceName", name);
    struct cpw_sbx_service_event ev = {
        .account_id = account_id,
        .event_source = "iam.amazonaws.com",
        .event_name = "DeleteServiceLinkedRole",
        .region = "us-east-1",
        .invoked_by = principal,
        .request = request,
        .resources = resources,
    };
    rc = cpw_sbx_record_service_event(ctx, &ev);
    json_decref(request);
    json_decref(resources);
    return rc;
}

int cpw_sbx_iam_delete_slr_op(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *account_id = ctx->req->caller->account_id;
    const char *name = cpw_sbx_in_str(input, "RoleName");
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      ctx->db, "SELECT name, slr_principal, arn FROM iam_roles WHERE account_id = ? AND name = ?",
      "ss", account_id, name);
    if (stmt == NULL) {
        return -1;
    }
    int rc = cpw_sbx_sql_step(stmt);
    char role_name[128] = "";
    char principal[256] = "";
    char arn[1024] = "";
    if (rc == 1) {
        snprintf(role_name, sizeof(role_name), "%s", cpw_sbx_col(stmt, 0));
        snprintf(principal, sizeof(principal), "%s", cpw_sbx_col(stmt, 1));
        snprintf(arn, sizeof(arn), "%s", cpw_sbx_col(stmt, 2));
    }
    cpw_sbx_sql_done(stmt);
    if (rc < 0) {
        return -1;
    }
    if (rc == 0) {
        return cpw_sbx_fail(ctx, 404, "NoSuchEntity", "The role with name %s cannot be found.",
                            name ? name : "");
    }
    if (principal[0] == '\0') {
        return cpw_sbx_fail(ctx, 400, "InvalidInput", "Role %s is not a service-linked role.",
                            role_name);
    }
    /* AWS: a second request while the first task is pending answers the same task id. */
    stmt = cpw_sbx_sql_query(ctx->db,
                             "SELECT task_id FROM iam_slr_tasks WHERE account_id = ? AND"
                             " role_name = ? AND status = 'IN_PROGRESS'",
                             "ss", account_id, role_name);
    if (stmt == NULL) {
        return -1;
    }
    char task_id[1100] = "";
    rc = cpw_sbx_sql_step(stmt);
    if (rc == 1) {
        snprintf(task_id, sizeof(task_id), "%s", cpw_sbx_col(stmt, 0));
    }
    cpw_sbx_sql_done(stmt);
    if (rc < 0) {
        return -1;
    }
    if (rc == 0) {
        char uuid[37];
        if (cpw_sbx_uuid(uuid) != 0) {
            return -1;
        }
        snprintf(task_id, sizeof(task_id), TASK_PREFIX "%s/%s/%s", principal, role_name, uuid);
        if (cpw_sbx_sql_do(ctx->db,
                           "INSERT INTO iam_slr_tasks(task_id, account_id, role_name, principal,"
                           " role_arn, created_ms, status) VALUES (?,?,?,?,?,?,'IN_PROGRESS')",
                           "sssssi", task_id, account_id, role_name, principal, arn,
                           ctx->req->now_ms) < 0) {
            return -1;
        }
    }
    cpw_sbx_add_resource(ctx, "AWS::IAM::Role", role_name);
    *output = json_pack("{s:s}", "DeletionTaskId", task_id);
    return 0;
}

/* task/aws-service-role/<principal>/<role>/<uuid>: four non-empty parts after the prefix. */
static bool s_task_id_ok(const char *id)
{
    if (id == NULL || strncmp(id, TASK_PREFIX, strlen(TASK_PREFIX)) != 0) {
        return false;
    }
    const char *p = id + strlen(TASK_PREFIX);
    int parts = 1;
    size_t run = 0;
    for (; *p != '\0'; p++) {
        if (*p == '/') {
            if (run == 0) {
                return false;
            }
            parts++;
            run = 0;
        } else {
            run++;
        }
    }
    return parts == 3 && run > 0;
}

int cpw_sbx_iam_slr_status_op(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *id = cpw_sbx_in_str(input, "DeletionTaskId");
    if (!s_task_id_ok(id)) {
        return cpw_sbx_fail(ctx, 400, "InvalidInput", "Invalid deletion task id: %s", id ? id : "");
    }
    sqlite3_stmt *stmt = cpw_sbx_sql_query(ctx->db,
                                           "SELECT status, reason FROM iam_slr_tasks WHERE"
                                           " task_id = ? AND account_id = ?",
                                           "ss", id, ctx->req->caller->account_id);
    if (stmt == NULL) {
        return -1;
    }
    int rc = cpw_sbx_sql_step(stmt);
    if (rc == 1) {
        json_t *result = json_pack("{s:s}", "Status", cpw_sbx_col(stmt, 0));
        if (sqlite3_column_type(stmt, 1) != SQLITE_NULL) {
            json_object_set_new(result, "Reason", cpw_json_load_cstr(cpw_sbx_col(stmt, 1)));
        }
        *output = result;
    }
    cpw_sbx_sql_done(stmt);
    if (rc == 0) {
        return cpw_sbx_fail(ctx, 404, "NoSuchEntity", "Deletion task %s does not exist.", id);
    }
    return rc < 0 ? -1 : 0;
}
