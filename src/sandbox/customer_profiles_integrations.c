/*
 * customer_profiles_integrations.c - Customer Profiles integrations in the sandbox: PutIntegration,
 * GetIntegration, ListIntegrations, DeleteIntegration, ListAccountIntegrations (how a Connect
 * instance ARN finds its domain). ListWorkflows lives with the workflows
 * (customer_profiles_workflows.c).
 *
 * An integration is keyed by its Uri inside its domain. A Connect instance ARN may be the Uri of
 * one domain's integration only (docs/aws-facts.md §3: "Each Amazon Connect instance can be
 * associated with only one domain"); a second domain is refused with BadRequestException.
 */
#include <stdio.h>
#include <string.h>

#include "cpw/error.h"
#include "sbx_contact.h"

#define INTEGRATION_QUOTA 50 /* per domain (docs/aws-facts.md §6.1) */
#define LIST_MAX          100

static const char *const s_fields[] = { "ObjectTypeName", "ObjectTypeNames",   "Tags",
                                        "RoleArn",        "EventTriggerNames", "Scope" };

static void s_add_resource(struct cpw_sbx_ctx *ctx, const char *domain, const char *uri)
{
    char suffix[400];
    char arn[800];
    snprintf(suffix, sizeof(suffix), "integrations/%s", uri ? uri : "");
    cpw_cp_arn(ctx, domain ? domain : "", suffix, arn, sizeof(arn));
    cpw_sbx_add_resource(ctx, "AWS::CustomerProfiles::Integration", arn);
}

/* The domain (other than domain) whose integration already has this Uri, or "" . 0 or -1. */
static int s_other_domain(struct cpw_sbx_ctx *ctx,
                          const char *domain,
                          const char *uri,
                          char *other,
                          size_t cap)
{
    other[0] = '\0';
    sqlite3_stmt *stmt = cpw_sbx_sql_query(ctx->db,
                                           "SELECT domain FROM cp_items WHERE account_id = ? AND"
                                           " region = ? AND kind = ? AND name = ? AND domain <> ?",
                                           "sssss", ctx->req->caller->account_id,
                                           cpw_cp_region(ctx), CPW_CP_INTEGRATION, uri, domain);
    if (stmt == NULL) {
        return -1;
    }
    int rc = cpw_sbx_sql_step(stmt);
    if (rc == 1) {
        snprintf(other, cap, "%s", cpw_sbx_col(stmt, 0));
    }
    cpw_sbx_sql_done(stmt);
    return rc < 0 ? -1 : 0;
}

int cpw_cp_put_integration(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *domain = cpw_sbx_in_str(input, "DomainName");
    const char *uri = cpw_sbx_in_str(input, "Uri");
    s_add_resource(ctx, domain, uri);
    int rc = cpw_cp_need_domain(ctx, domain);
    if (rc != 0) {
        return rc;
    }
    if (uri == NULL || uri[0] == '\0' || strlen(uri) > 255) {
        return cpw_cp_bad(ctx, "Uri must be 1 to 255 characters.");
    }
    if (json_object_get(input, "ObjectTypeName") == NULL &&
        json_object_get(input, "ObjectTypeNames") == NULL) {
        return cpw_cp_bad(ctx, "Either ObjectTypeName or ObjectTypeNames is required.");
    }
    if ((rc = cpw_cp_check_tags(ctx, json_object_get(input, "Tags"))) != 0) {
        return rc;
    }
    char other[80];
    if (s_other_domain(ctx, domain, uri, other, sizeof(other)) != 0) {
        return -1;
    }
    if (other[0] != '\0' && strncmp(uri, "arn:aws", 7) == 0 && strstr(uri, ":connect:") != NULL) {
        return cpw_cp_bad(ctx,
                          "The Amazon Connect instance %s is already associated with domain %s;"
                          " an instance can be associated with only one domain.",
                          uri, other);
    }
    json_t *existing = NULL;
    if (cpw_cp_item_get(ctx, domain, CPW_CP_INTEGRATION, uri, &existing) != 0) {
        return -1;
    }
    if (existing == NULL &&
        cpw_cp_item_count(ctx, domain, CPW_CP_INTEGRATION) >= INTEGRATION_QUOTA) {
        return cpw_cp_bad(ctx,
                          "You have reached the maximum number of integrations (%d) for"
                          " domain %s.",
                          INTEGRATION_QUOTA, domain);
    }
    json_t *doc = json_pack("{s:s,s:s,s:b}", "DomainName", domain, "Uri", uri, "IsUnstructured", 0);
    for (size_t i = 0; i < sizeof(s_fields) / sizeof(s_fields[0]); i++) {
        const json_t *v = json_object_get(input, s_fields[i]);
        if (v != NULL) {
            json_object_set_new(doc, s_fields[i], json_deep_copy(v));
        } else if (existing != NULL && json_object_get(existing, s_fields[i]) != NULL) {
            json_object_set(doc, s_fields[i], json_object_get(existing, s_fields[i]));
        }
    }
    if (json_object_get(doc, "Scope") == NULL) {
        json_object_set_new(doc, "Scope", json_string("PROFILE"));
    }
    json_decref(existing);
    rc = cpw_cp_item_put(ctx, domain, CPW_CP_INTEGRATION, uri, doc);
    json_decref(doc);
    if (rc != 0 || cpw_cp_item_get(ctx, domain, CPW_CP_INTEGRATION, uri, output) != 0) {
        return -1;
    }
    return 0;
}

int cpw_cp_get_integration(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *domain = cpw_sbx_in_str(input, "DomainName");
    const char *uri = cpw_sbx_in_str(input, "Uri");
    int rc = cpw_cp_need_domain(ctx, domain);
    if (rc != 0) {
        return rc;
    }
    if (cpw_cp_item_get(ctx, domain, CPW_CP_INTEGRATION, uri ? uri : "", output) != 0) {
        return -1;
    }
    return *output ? 0
                   : cpw_cp_not_found(ctx, "Integration %s does not exist in domain %s.",
                                      uri ? uri : "", domain);
}

int cpw_cp_list_integrations(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    return cpw_cp_item_list(ctx, input, cpw_sbx_in_str(input, "DomainName"), CPW_CP_INTEGRATION,
                            NULL, output);
}

int cpw_cp_delete_integration(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *domain = cpw_sbx_in_str(input, "DomainName");
    const char *uri = cpw_sbx_in_str(input, "Uri");
    s_add_resource(ctx, domain, uri);
    int rc = cpw_cp_need_domain(ctx, domain);
    if (rc != 0) {
        return rc;
    }
    rc = cpw_cp_item_delete(ctx, domain, CPW_CP_INTEGRATION, uri ? uri : "");
    if (rc < 0) {
        return -1;
    }
    if (rc == 0) {
        return cpw_cp_not_found(ctx, "Integration %s does not exist in domain %s.", uri ? uri : "",
                                domain);
    }
    *output = json_pack("{s:s}", "Message", "Integration deleted");
    return 0;
}

int cpw_cp_list_account_integrations(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *uri = cpw_sbx_in_str(input, "Uri");
    if (uri == NULL || uri[0] == '\0') {
        return cpw_cp_bad(ctx, "Uri is required.");
    }
    int64_t offset = 0;
    int64_t limit = LIST_MAX;
    int rc = cpw_cp_paging(ctx, input, LIST_MAX, &offset, &limit);
    if (rc != 0) {
        return rc;
    }
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      ctx->db,
      "SELECT doc, created_ms, updated_ms FROM cp_items WHERE account_id = ? AND region = ?"
      " AND kind = ? AND name = ? ORDER BY domain LIMIT ? OFFSET ?",
      "ssssii", ctx->req->caller->account_id, cpw_cp_region(ctx), CPW_CP_INTEGRATION, uri,
      limit + 1, offset);
    if (stmt == NULL) {
        return -1;
    }
    json_t *items = json_array();
    json_t *result = json_pack("{s:o}", "Items", items);
    bool more = false;
    while ((rc = cpw_sbx_sql_step(stmt)) == 1) {
        if ((int64_t)json_array_size(items) == limit) {
            more = true;
            break;
        }
        json_t *doc = cpw_json_load_cstr(cpw_sbx_col(stmt, 0));
        if (doc == NULL) {
            doc = json_object();
        }
        json_object_set_new(doc, "CreatedAt", cpw_sbx_time_json(sqlite3_column_int64(stmt, 1)));
        json_object_set_new(doc, "LastUpdatedAt", cpw_sbx_time_json(sqlite3_column_int64(stmt, 2)));
        json_array_append_new(items, doc);
    }
    cpw_sbx_sql_done(stmt);
    if (rc < 0) {
        json_decref(result);
        return -1;
    }
    cpw_cp_next_token(result, offset, limit, more);
    *output = result;
    return 0;
}

int cpw_cp_delete_integrations_by_uri(sqlite3 *db,
                                      const char *account_id,
                                      const char *region,
                                      const char *uri)
{
    return cpw_sbx_sql_do(db,
                          "DELETE FROM cp_items WHERE account_id = ? AND region = ? AND kind = ?"
                          " AND name = ?",
                          "ssss", account_id, region, CPW_CP_INTEGRATION, uri);
}
