/*
 * account.c - AWS Account Management in the sandbox: which regions each account may use.
 *
 * The regions of the caller's partition (the embedded partitions table) are ENABLED_BY_DEFAULT,
 * except the opt-in regions (cpw_region_is_opt_in), which are DISABLED until EnableRegion.
 * EnableRegion and DisableRegion are asynchronous as on AWS: the region reports ENABLING (or
 * DISABLING) until the region_enable_ms (region_disable_ms) knob has passed on the sandbox clock,
 * then ENABLED (DISABLED). Status is computed from timestamps: one row per account and opt-in
 * region that was ever enabled, holding the target state and when it is reached.
 *
 * AccountId: omitted, the caller's own account; another account only for the management account
 * of an organization acting on one of its members (trusted access and delegated administrators
 * are not modelled); the management account naming itself is refused as AWS documents.
 */
#include <stdio.h>
#include <string.h>

#include "cpw/buf.h"
#include "cpw/crypto.h"
#include "cpw/error.h"
#include "cpw/regions.h"
#include "sbx_contact.h"

#define LIST_MAX_RESULTS 50
#define LIST_DEFAULT     20

static const char s_schema[] =
  "CREATE TABLE IF NOT EXISTS account_regions("
  " account_id TEXT NOT NULL REFERENCES accounts(account_id) ON DELETE CASCADE,"
  " region TEXT NOT NULL, enabled INTEGER NOT NULL, settles_ms INTEGER NOT NULL,"
  " PRIMARY KEY(account_id, region)) STRICT;";

/* ----- state ------------------------------------------------------------------------------- */

int cpw_sbx_region_status(sqlite3 *db,
                          const char *account_id,
                          const char *region,
                          int64_t now_ms,
                          const char **status)
{
    if (!cpw_region_is_opt_in(region)) {
        *status = "ENABLED_BY_DEFAULT";
        return 0;
    }
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      db, "SELECT enabled, settles_ms FROM account_regions WHERE account_id = ? AND region = ?",
      "ss", account_id, region);
    if (stmt == NULL) {
        return -1;
    }
    int rc = cpw_sbx_sql_step(stmt);
    *status = "DISABLED";
    if (rc == 1) {
        bool enabled = sqlite3_column_int64(stmt, 0) != 0;
        bool settled = now_ms >= sqlite3_column_int64(stmt, 1);
        *status =
          enabled ? (settled ? "ENABLED" : "ENABLING") : (settled ? "DISABLED" : "DISABLING");
    }
    cpw_sbx_sql_done(stmt);
    return rc < 0 ? -1 : 0;
}

int cpw_sbx_region_set(sqlite3 *db,
                       const char *account_id,
                       const char *region,
                       bool enabled,
                       int64_t settles_ms)
{
    return cpw_sbx_sql_do(db,
                          "INSERT INTO account_regions(account_id, region, enabled, settles_ms)"
                          " VALUES(?, ?, ?, ?) ON CONFLICT(account_id, region) DO UPDATE SET"
                          " enabled = excluded.enabled, settles_ms = excluded.settles_ms",
                          "ssii", account_id, region, (int64_t)(enabled ? 1 : 0), settles_ms) < 0
             ? -1
             : 0;
}

/* ----- helpers ----------------------------------------------------------------------------- */

static int s_validation(struct cpw_sbx_ctx *ctx, const char *message)
{
    return cpw_sbx_fail(ctx, 400, "ValidationException", "%s", message);
}

/* The organization's management account of account_id into out ("" none). Returns 0 or -1. */
static int s_management_of(struct cpw_sbx_ctx *ctx, const char *account_id, char out[16])
{
    out[0] = '\0';
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      ctx->db,
      "SELECT o.management_account_id FROM org_organizations o JOIN org_accounts a"
      " ON a.org_id = o.org_id WHERE a.account_id = ?",
      "s", account_id);
    if (stmt == NULL) {
        return -1;
    }
    int rc = cpw_sbx_sql_step(stmt);
    if (rc == 1) {
        snprintf(out, 16, "%s", cpw_sbx_col(stmt, 0));
    }
    cpw_sbx_sql_done(stmt);
    return rc < 0 ? -1 : 0;
}

/* The account the request acts on into *target (borrowed). Returns 0, 1 (answered) or -1. */
static int s_target(struct cpw_sbx_ctx *ctx, const json_t *input, const char **target)
{
    const struct cpw_sbx_caller *caller = ctx->req->caller;
    const char *id = cpw_sbx_in_str(input, "AccountId");
    *target = caller->account_id;
    if (id == NULL) {
        return 0;
    }
    char management[16];
    if (s_management_of(ctx, id, management) != 0) {
        return -1;
    }
    if (strcmp(id, caller->account_id) == 0) {
        if (strcmp(management, caller->account_id) == 0) {
            return s_validation(ctx, "The management account can't specify its own AccountId; "
                                     "call the operation without AccountId.");
        }
        return 0;
    }
    if (strcmp(management, caller->account_id) != 0) {
        return cpw_sbx_fail(ctx, 403, "AccessDeniedException",
                            "User: %s is not authorized to perform: account:%s on resource: "
                            "arn:%s:account::%s:account/%s",
                            caller->principal_arn, ctx->req->operation, cpw_sbx_ctx_partition(ctx),
                            caller->account_id, id);
    }
    *target = id;
    return 0;
}

/* The partition object of the caller's region ("aws" when unknown). Borrowed. */
static const json_t *s_partition(const struct cpw_sbx_ctx *ctx)
{
    const char *region = ctx->req->caller->region;
    const json_t *part = region ? cpw_region_partition(region) : NULL;
    if (part == NULL) {
        cpw_error_clear();
        part = cpw_partition_get("aws");
    }
    return part;
}

/* 0 when the region is one of the partition's, else 1 with ValidationException. */
static int s_need_region(struct cpw_sbx_ctx *ctx, const char *region)
{
    const json_t *regions = json_object_get(s_partition(ctx), "regions");
    size_t i;
    const json_t *r;
    json_array_foreach(regions, i, r)
    {
        if (region && strcmp(json_string_value(r), region) == 0) {
            return 0;
        }
    }
    return cpw_sbx_fail(ctx, 400, "ValidationException", "%s is not a valid region name.",
                        region ? region : "(null)");
}

/* ----- operations -------------------------------------------------------------------------- */

static bool s_wanted(const json_t *filter, const char *status)
{
    if (json_array_size(filter) == 0) {
        return true;
    }
    size_t i;
    const json_t *f;
    json_array_foreach(filter, i, f)
    {
        if (json_is_string(f) && strcmp(json_string_value(f), status) == 0) {
            return true;
        }
    }
    return false;
}

static int s_list_regions(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *target = NULL;
    int rc = s_target(ctx, input, &target);
    if (rc != 0) {
        return rc;
    }
    int64_t max = LIST_DEFAULT;
    if (cpw_sbx_in_int(input, "MaxResults", LIST_DEFAULT, &max) != 0 || max < 1 ||
        max > LIST_MAX_RESULTS) {
        cpw_error_clear();
        return s_validation(ctx, "MaxResults must be between 1 and 50.");
    }
    /* The token is the opaque form of the first region name of the next page. */
    const char *token = cpw_sbx_in_str(input, "NextToken");
    struct cpw_buf after;
    cpw_buf_init(&after, 256);
    if (token && *token && cpw_base64_decode(&after, cpw_span_from_cstr(token)) != 0) {
        cpw_error_clear();
        cpw_buf_clean_up(&after);
        return s_validation(ctx, "The NextToken is not valid.");
    }
    const json_t *filter = json_object_get(input, "RegionOptStatusContains");
    json_t *regions = json_array();
    json_t *result = json_pack("{s:o}", "Regions", regions);
    size_t i;
    const json_t *r;
    json_array_foreach(json_object_get(s_partition(ctx), "regions"), i, r)
    {
        const char *name = json_string_value(r);
        const char *status = NULL;
        if (name == NULL || strcmp(name, cpw_buf_cstr(&after)) < 0) {
            continue;
        }
        if (cpw_sbx_region_status(ctx->db, target, name, ctx->req->now_ms, &status) != 0) {
            rc = -1;
            break;
        }
        if (!s_wanted(filter, status)) {
            continue;
        }
        if ((int64_t)json_array_size(regions) == max) {
            struct cpw_buf next;
            cpw_buf_init(&next, 256);
            (void)cpw_base64_encode(&next, cpw_span_from_cstr(name));
            json_object_set_new(result, "NextToken", json_string(cpw_buf_cstr(&next)));
            cpw_buf_clean_up(&next);
            break;
        }
        json_array_append_new(
          regions, json_pack("{s:s,s:s}", "RegionName", name, "RegionOptStatus", status));
    }
    cpw_buf_clean_up(&after);
    if (rc != 0) {
        json_decref(result);
        return rc;
    }
    *output = result;
    return 0;
}

static int s_get_region_opt_status(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *target = NULL;
    const char *region = cpw_sbx_in_str(input, "RegionName");
    int rc = s_target(ctx, input, &target);
    if (rc == 0) {
        rc = s_need_region(ctx, region);
    }
    const char *status = NULL;
    if (rc == 0 && cpw_sbx_region_status(ctx->db, target, region, ctx->req->now_ms, &status)) {
        rc = -1;
    }
    if (rc == 0) {
        *output = json_pack("{s:s,s:s}", "RegionName", region, "RegionOptStatus", status);
    }
    return rc;
}

/* EnableRegion (enable true) and DisableRegion. */
static int s_change(struct cpw_sbx_ctx *ctx, const json_t *input, bool enable)
{
    const char *target = NULL;
    const char *region = cpw_sbx_in_str(input, "RegionName");
    int rc = s_target(ctx, input, &target);
    if (rc == 0) {
        rc = s_need_region(ctx, region);
    }
    if (rc != 0) {
        return rc;
    }
    if (!cpw_region_is_opt_in(region)) {
        return s_validation(ctx, "The region is enabled by default and cannot be enabled or "
                                 "disabled.");
    }
    const char *status = NULL;
    if (cpw_sbx_region_status(ctx->db, target, region, ctx->req->now_ms, &status) != 0) {
        return -1;
    }
    if (strcmp(status, "ENABLING") == 0 || strcmp(status, "DISABLING") == 0) {
        return cpw_sbx_fail(ctx, 409, "ConflictException",
                            "The region %s is %s; wait until it completes.", region, status);
    }
    if (strcmp(status, enable ? "ENABLED" : "DISABLED") == 0) {
        return 0; /* already there */
    }
    struct cpw_sbx_knobs knobs;
    cpw_sbx_knobs_current(ctx->sbx, &knobs);
    int64_t delay = enable ? knobs.region_enable_ms : knobs.region_disable_ms;
    cpw_sbx_add_resource(ctx, "AWS::Account::Region", region);
    return cpw_sbx_region_set(ctx->db, target, region, enable, ctx->req->now_ms + delay);
}

static int s_enable_region(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    (void)output;
    return s_change(ctx, input, true);
}

static int s_disable_region(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    (void)output;
    return s_change(ctx, input, false);
}

static const struct cpw_sbx_op s_ops[] = {
    { "ListRegions", s_list_regions },
    { "GetRegionOptStatus", s_get_region_opt_status },
    { "EnableRegion", s_enable_region },
    { "DisableRegion", s_disable_region },
};

const struct cpw_sbx_service cpw_sbx_account_service = {
    .signing_name = "account",
    .model_name = "account",
    .event_source = "account.amazonaws.com",
    .global = true,
    .ops = s_ops,
    .op_count = sizeof(s_ops) / sizeof(s_ops[0]),
    .schema_sql = s_schema,
};

/* ----- the regional gate ------------------------------------------------------------------- */

int cpw_sbx_region_gate(struct cpw_sbx_ctx *ctx, const struct cpw_sbx_service *service)
{
    const char *region = ctx->req->caller->region;
    if (service == NULL || service->global || strcmp(service->signing_name, "sts") == 0 ||
        region == NULL) {
        return 0;
    }
    struct cpw_sbx_knobs knobs;
    cpw_sbx_knobs_current(ctx->sbx, &knobs);
    if (knobs.service_regions && !cpw_region_offers(service->model_name, region)) {
        /* No endpoint of the service serves this region: AWS's answer for a credential scope
         * the endpoint does not serve. */
        return cpw_sbx_fail(ctx, 403, "InvalidSignatureException",
                            "Credential should be scoped to a valid region, not '%s'. ", region);
    }
    if (knobs.opt_in_error == CPW_SBX_OPT_IN_ERROR_NONE) {
        return 0;
    }
    const char *status = NULL;
    if (cpw_sbx_region_status(ctx->db, ctx->req->caller->account_id, region, ctx->req->now_ms,
                              &status) != 0) {
        return -1;
    }
    if (strcmp(status, "ENABLED") == 0 || strcmp(status, "ENABLED_BY_DEFAULT") == 0) {
        return 0;
    }
    if (knobs.opt_in_error == CPW_SBX_OPT_IN_ERROR_INVALID_TOKEN) {
        return cpw_sbx_fail(ctx, 403, "InvalidClientTokenId",
                            "The security token included in the request is invalid.");
    }
    return cpw_sbx_fail(ctx, 403, "UnrecognizedClientException",
                        "The security token included in the request is invalid.");
}
