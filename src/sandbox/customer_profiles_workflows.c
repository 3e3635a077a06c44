/*
 * customer_profiles_workflows.c - Customer Profiles integration workflows in the sandbox:
 * CreateIntegrationWorkflow, GetWorkflow, GetWorkflowSteps, ListWorkflows and DeleteWorkflow.
 *
 * A workflow (APPFLOW_INTEGRATION) imports records through an AppFlow flow into an object type
 * of the domain, which must exist. Creating one also creates the domain's integration for the
 * flow (Uri arn:aws:appflow:REGION:ACCOUNT:flow/FLOW_NAME, carrying the WorkflowId), as AWS
 * does; DeleteWorkflow removes both. The sandbox runs no flow: a workflow is IN_PROGRESS for the
 * profile_job_ms knob (default 2000 ms) after its creation and COMPLETE afterwards, with one step
 * per historical Batch (one step without batches) and no records processed.
 */
#include <stdio.h>
#include <string.h>

#include "cpw/error.h"
#include "cpw/json.h"
#include "customer_profiles_config.h"

#define INTEGRATION_QUOTA 50 /* per domain (aws-facts §6.1) */
#define LIST_MAX          100
#define STEPS_MAX         100

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* The flow definition of a stored workflow (borrowed), or NULL. */
static const json_t *s_flow(const json_t *doc)
{
    return json_object_get(
      json_object_get(json_object_get(doc, "IntegrationConfig"), "AppflowIntegration"),
      "FlowDefinition");
}

static const json_t *s_batches(const json_t *doc)
{
    return json_object_get(
      json_object_get(json_object_get(doc, "IntegrationConfig"), "AppflowIntegration"), "Batches");
}

/* Whether the workflow has finished at now, and when it does (ms). */
static bool s_complete(const struct cpw_sbx_ctx *ctx, const json_t *doc, int64_t *done_ms)
{
    int64_t due = 0;
    (void)cpw_sbx_in_int(doc, "_due_ms", 0, &due);
    *done_ms = due;
    return ctx->req->now_ms >= due;
}

int cpw_cp_create_integration_workflow(struct cpw_sbx_ctx *ctx,
                                       const json_t *input,
                                       json_t **output)
{
    const char *domain = cpw_sbx_in_str(input, "DomainName");
    int rc = cpw_cp_need_domain(ctx, domain);
    if (rc != 0) {
        return rc;
    }
    const char *type = cpw_sbx_in_str(input, "ObjectTypeName");
    const char *role = cpw_sbx_in_str(input, "RoleArn");
    const char *workflow_type = cpw_sbx_in_str(input, "WorkflowType");
    if (type == NULL || role == NULL || workflow_type == NULL ||
        strcmp(workflow_type, "APPFLOW_INTEGRATION") != 0) {
        return cpw_cp_bad(ctx, "ObjectTypeName, RoleArn and WorkflowType APPFLOW_INTEGRATION are"
                               " required.");
    }
    const json_t *flow = s_flow(input);
    const char *flow_name = cpw_sbx_in_str(flow, "FlowName");
    if (flow_name == NULL || flow_name[0] == '\0') {
        return cpw_cp_bad(ctx, "IntegrationConfig.AppflowIntegration.FlowDefinition.FlowName is"
                               " required.");
    }
    if ((rc = cpw_cp_check_tags(ctx, json_object_get(input, "Tags"))) != 0) {
        return rc;
    }
    json_t *object_type = NULL;
    if (cpw_cp_item_get(ctx, domain, CPW_CP_OBJECT_TYPE, type, &object_type) != 0) {
        return -1;
    }
    if (object_type == NULL) {
        return cpw_cp_bad(ctx, "Object type %s does not exist in domain %s.", type, domain);
    }
    json_decref(object_type);
    char uri[400];
    snprintf(uri, sizeof(uri), "arn:%s:appflow:%s:%s:flow/%s", cpw_sbx_ctx_partition(ctx),
             cpw_cp_region(ctx), ctx->req->caller->account_id, flow_name);
    json_t *existing = NULL;
    if (cpw_cp_item_get(ctx, domain, CPW_CP_INTEGRATION, uri, &existing) != 0) {
        return -1;
    }
    if (existing != NULL) {
        json_decref(existing);
        return cpw_cp_bad(ctx, "An integration for flow %s already exists in domain %s.", flow_name,
                          domain);
    }
    if (cpw_cp_item_count(ctx, domain, CPW_CP_INTEGRATION) >= INTEGRATION_QUOTA) {
        return cpw_cp_bad(ctx,
                          "You have reached the maximum number of integrations (%d) for"
                          " domain %s.",
                          INTEGRATION_QUOTA, domain);
    }
    char id[33];
    if (cpw_cp_cfg_hex_id(id) != 0) {
        return -1;
    }
    static const char *const fields[] = { "WorkflowType", "ObjectTypeName", "RoleArn",
                                          "IntegrationConfig", "Tags" };
    json_t *doc =
      json_pack("{s:s,s:I,s:I}", "WorkflowId", id, "_created_ms", (json_int_t)ctx->req->now_ms,
                "_due_ms", (json_int_t)ctx->req->now_ms + (json_int_t)cpw_cp_cfg_job_ms(ctx));
    cpw_cp_cfg_merge(doc, input, fields, COUNT(fields));
    json_t *integration =
      json_pack("{s:s,s:s,s:s,s:s,s:b,s:s}", "DomainName", domain, "Uri", uri, "ObjectTypeName",
                type, "WorkflowId", id, "IsUnstructured", 0, "Scope", "PROFILE");
    if (json_object_get(input, "Tags") != NULL) {
        json_object_set(integration, "Tags", json_object_get(input, "Tags"));
    }
    rc = cpw_cp_item_put(ctx, domain, CPW_CP_WORKFLOW, id, doc) != 0 ||
             cpw_cp_item_put(ctx, domain, CPW_CP_INTEGRATION, uri, integration) != 0
           ? -1
           : 0;
    json_decref(doc);
    json_decref(integration);
    if (rc != 0) {
        return -1;
    }
    char arn[800];
    cpw_cp_cfg_resource(ctx, domain, "integrations", uri, "AWS::CustomerProfiles::Integration", arn,
                        sizeof(arn));
    *output = json_pack("{s:s,s:s}", "WorkflowId", id, "Message", "Integration workflow created");
    return 0;
}

int cpw_cp_get_workflow(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *domain = cpw_sbx_in_str(input, "DomainName");
    const char *id = cpw_sbx_in_str(input, "WorkflowId");
    json_t *doc = NULL;
    int rc = cpw_cp_cfg_need(ctx, domain, CPW_CP_WORKFLOW, id, "Workflow", &doc);
    if (rc != 0) {
        return rc;
    }
    int64_t done_ms = 0;
    bool complete = s_complete(ctx, doc, &done_ms);
    int64_t created_ms = 0;
    (void)cpw_sbx_in_int(doc, "_created_ms", 0, &created_ms);
    const json_t *source = json_object_get(s_flow(doc), "SourceFlowConfig");
    const char *connector = cpw_sbx_in_str(source, "ConnectorType");
    const char *profile_name = cpw_sbx_in_str(source, "ConnectorProfileName");
    json_int_t steps = (json_int_t)json_array_size(s_batches(doc));
    if (steps == 0) {
        steps = 1;
    }
    json_t *attributes = json_pack(
      "{s:s,s:s}", "SourceConnectorType", connector ? connector : "S3", "ConnectorProfileName",
      profile_name ? profile_name : cpw_sbx_in_str(s_flow(doc), "FlowName"));
    if (cpw_sbx_in_str(doc, "RoleArn") != NULL) {
        json_object_set(attributes, "RoleArn", json_object_get(doc, "RoleArn"));
    }
    *output = json_pack(
      "{s:s,s:s,s:s,s:o,s:o,s:{s:o},s:{s:{s:I,s:I,s:I}}}", "WorkflowId", id, "WorkflowType",
      "APPFLOW_INTEGRATION", "Status", complete ? "COMPLETE" : "IN_PROGRESS", "StartDate",
      cpw_sbx_time_json(created_ms), "LastUpdatedAt",
      cpw_sbx_time_json(complete ? done_ms : created_ms), "Attributes", "AppflowIntegration",
      attributes, "Metrics", "AppflowIntegration", "RecordsProcessed", (json_int_t)0,
      "StepsCompleted", complete ? steps : (json_int_t)0, "TotalSteps", steps);
    json_decref(doc);
    return 0;
}

/* One step of a workflow: batch (borrowed, may be NULL) or the whole flow. */
static json_t *s_step(const json_t *doc,
                      const json_t *batch,
                      bool complete,
                      int64_t created_ms,
                      int64_t done_ms)
{
    int64_t start_ms = created_ms;
    int64_t end_ms = created_ms;
    if (batch != NULL) {
        if (cpw_sbx_in_time(batch, "StartTime", &start_ms) == 1 ||
            cpw_sbx_in_time(batch, "EndTime", &end_ms) == 1) {
            start_ms = end_ms = created_ms;
        }
    }
    json_t *start = cpw_sbx_time_json(start_ms);
    json_t *end = cpw_sbx_time_json(end_ms);
    const char *flow_name = cpw_sbx_in_str(s_flow(doc), "FlowName");
    json_t *step = json_pack("{s:{s:s,s:s,s:s,s:I,s:O,s:O,s:o,s:o}}", "AppflowIntegration",
                             "FlowName", flow_name ? flow_name : "", "Status",
                             complete ? "COMPLETE" : "IN_PROGRESS", "ExecutionMessage",
                             complete ? "Batch imported: 0 records." : "Batch import in progress.",
                             "RecordsProcessed", (json_int_t)0, "BatchRecordsStartTime", start,
                             "BatchRecordsEndTime", end, "CreatedAt", cpw_sbx_time_json(created_ms),
                             "LastUpdatedAt", cpw_sbx_time_json(complete ? done_ms : created_ms));
    json_decref(start);
    json_decref(end);
    return step;
}

int cpw_cp_get_workflow_steps(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *domain = cpw_sbx_in_str(input, "DomainName");
    const char *id = cpw_sbx_in_str(input, "WorkflowId");
    json_t *doc = NULL;
    int rc = cpw_cp_cfg_need(ctx, domain, CPW_CP_WORKFLOW, id, "Workflow", &doc);
    int64_t offset = 0;
    int64_t limit = STEPS_MAX;
    if (rc == 0 && (rc = cpw_cp_paging(ctx, input, STEPS_MAX, &offset, &limit)) != 0) {
        json_decref(doc);
    }
    if (rc != 0) {
        return rc;
    }
    int64_t done_ms = 0;
    bool complete = s_complete(ctx, doc, &done_ms);
    int64_t created_ms = 0;
    (void)cpw_sbx_in_int(doc, "_created_ms", 0, &created_ms);
    const json_t *batches = s_batches(doc);
    size_t total = json_array_size(batches) > 0 ? json_array_size(batches) : 1;
    json_t *items = json_array();
    for (size_t i = (size_t)offset; i < total && (int64_t)(i - (size_t)offset) < limit; i++) {
        cpw_json_append_take(
          items, s_step(doc, json_array_get(batches, i), complete, created_ms, done_ms));
    }
    json_decref(doc);
    json_t *result = json_pack("{s:s,s:s,s:o}", "WorkflowId", id, "WorkflowType",
                               "APPFLOW_INTEGRATION", "Items", items);
    cpw_cp_next_token(result, offset, limit, (size_t)(offset + limit) < total);
    *output = result;
    return 0;
}

static json_t *s_list_item(struct cpw_sbx_ctx *ctx, const json_t *input, const json_t *doc)
{
    int64_t done_ms = 0;
    bool complete = s_complete(ctx, doc, &done_ms);
    int64_t created_ms = 0;
    (void)cpw_sbx_in_int(doc, "_created_ms", 0, &created_ms);
    const char *status = complete ? "COMPLETE" : "IN_PROGRESS";
    const char *want_status = cpw_sbx_in_str(input, "Status");
    const char *want_type = cpw_sbx_in_str(input, "WorkflowType");
    int64_t from_ms = 0;
    int64_t to_ms = 0;
    if ((want_status != NULL && strcmp(want_status, status) != 0) ||
        (want_type != NULL && strcmp(want_type, "APPFLOW_INTEGRATION") != 0) ||
        (cpw_sbx_in_time(input, "QueryStartDate", &from_ms) == 2 && created_ms < from_ms) ||
        (cpw_sbx_in_time(input, "QueryEndDate", &to_ms) == 2 && created_ms > to_ms)) {
        return NULL;
    }
    return json_pack("{s:s,s:s,s:s,s:s,s:o,s:o}", "WorkflowType", "APPFLOW_INTEGRATION",
                     "WorkflowId", cpw_sbx_in_str(doc, "WorkflowId"), "Status", status,
                     "StatusDescription",
                     complete ? "The workflow has completed." : "The workflow is running.",
                     "CreatedAt", cpw_sbx_time_json(created_ms), "LastUpdatedAt",
                     cpw_sbx_time_json(complete ? done_ms : created_ms));
}

int cpw_cp_list_workflows(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    return cpw_cp_cfg_list(ctx, input, CPW_CP_WORKFLOW, LIST_MAX, true, s_list_item, output);
}

int cpw_cp_delete_workflow(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *domain = cpw_sbx_in_str(input, "DomainName");
    const char *id = cpw_sbx_in_str(input, "WorkflowId");
    json_t *doc = NULL;
    int rc = cpw_cp_cfg_need(ctx, domain, CPW_CP_WORKFLOW, id, "Workflow", &doc);
    if (rc != 0) {
        return rc;
    }
    json_decref(doc);
    if (cpw_cp_item_delete(ctx, domain, CPW_CP_WORKFLOW, id) < 0 ||
        cpw_sbx_sql_do(ctx->db,
                       "DELETE FROM cp_items WHERE account_id = ? AND region = ? AND domain = ?"
                       " AND kind = ? AND json_extract(doc, '$.WorkflowId') = ?",
                       "sssss", ctx->req->caller->account_id, cpw_cp_region(ctx), domain,
                       CPW_CP_INTEGRATION, id) < 0) {
        return -1;
    }
    *output = json_object();
    return 0;
}
