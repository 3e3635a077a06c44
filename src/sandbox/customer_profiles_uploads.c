/*
 * customer_profiles_uploads.c - Customer Profiles upload jobs in the sandbox: CreateUploadJob,
 * GetUploadJob, GetUploadJobPath, ListUploadJobs (newest first, MaxResults 1..500),
 * StartUploadJob and StopUploadJob.
 *
 * Lifecycle: CREATED, then StartUploadJob makes it IN_PROGRESS for the profile_job_ms knob
 * (default 2000 ms), after which it reads SUCCEEDED (CompletedAt = the end of that time);
 * StopUploadJob on a CREATED or IN_PROGRESS job makes it STOPPED. Starting a job that is not
 * CREATED, or stopping a finished one, answers BadRequestException. The sandbox keeps no uploaded
 * file, so ResultsSummary of a finished job counts 0 created, 0 updated and 0 failed records.
 * GetUploadJobPath answers a presigned-looking URL on the sandbox's own endpoint (outside HTTP,
 * the regional profile endpoint), valid one hour, and the job's ClientToken.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cpw/error.h"
#include "customer_profiles_config.h"

#define UPLOAD_LIST_MAX 500
#define PATH_VALID_MS   3600000LL

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

struct job_state {
    const char *status; /* the model's UploadJobStatus */
    int64_t completed_ms;
};

static struct job_state s_state(const struct cpw_sbx_ctx *ctx, const json_t *doc)
{
    struct job_state st = { .status = "CREATED", .completed_ms = 0 };
    const char *stored = cpw_sbx_in_str(doc, "_status");
    int64_t due = 0;
    (void)cpw_sbx_in_int(doc, "_due_ms", 0, &due);
    if (stored != NULL && strcmp(stored, "STOPPED") == 0) {
        st.status = "STOPPED";
        (void)cpw_sbx_in_int(doc, "_stopped_ms", 0, &st.completed_ms);
    } else if (stored != NULL && strcmp(stored, "IN_PROGRESS") == 0) {
        st.status = ctx->req->now_ms >= due ? "SUCCEEDED" : "IN_PROGRESS";
        st.completed_ms = ctx->req->now_ms >= due ? due : 0;
    }
    return st;
}

/* The job as GetUploadJob answers it (owned). */
static json_t *s_job_json(const struct cpw_sbx_ctx *ctx, const json_t *doc, bool full)
{
    static const char *const full_keys[] = { "JobId",     "DisplayName", "Fields",
                                             "UniqueKey", "DataExpiry",  "CreatedAt" };
    static const char *const item_keys[] = { "JobId", "DisplayName", "DataExpiry", "CreatedAt" };
    json_t *out = full ? cpw_cp_cfg_pick(doc, full_keys, COUNT(full_keys))
                       : cpw_cp_cfg_pick(doc, item_keys, COUNT(item_keys));
    struct job_state st = s_state(ctx, doc);
    json_object_set_new(out, "Status", json_string(st.status));
    if (st.completed_ms > 0) {
        json_object_set_new(out, "CompletedAt", cpw_sbx_time_json(st.completed_ms));
        if (full) {
            json_object_set_new(out, "ResultsSummary",
                                json_pack("{s:I,s:I,s:I}", "CreatedRecords", (json_int_t)0,
                                          "UpdatedRecords", (json_int_t)0, "FailedRecords",
                                          (json_int_t)0));
        }
    }
    return out;
}

/* The domain's DefaultExpirationDays (14 when unreadable). Returns 0 or -1. */
static int s_domain_expiry(struct cpw_sbx_ctx *ctx, const char *domain, int64_t *days)
{
    *days = 14;
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      ctx->db,
      "SELECT json_extract(doc, '$.DefaultExpirationDays') FROM cp_domains WHERE account_id = ?"
      " AND region = ? AND name = ?",
      "sss", ctx->req->caller->account_id, cpw_cp_region(ctx), domain);
    if (stmt == NULL) {
        return -1;
    }
    int rc = cpw_sbx_sql_step(stmt);
    if (rc == 1 && sqlite3_column_type(stmt, 0) == SQLITE_INTEGER) {
        *days = sqlite3_column_int64(stmt, 0);
    }
    cpw_sbx_sql_done(stmt);
    return rc < 0 ? -1 : 0;
}

int cpw_cp_create_upload_job(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *domain = cpw_sbx_in_str(input, "DomainName");
    int rc = cpw_cp_need_domain(ctx, domain);
    if (rc != 0) {
        return rc;
    }
    const char *display = cpw_sbx_in_str(input, "DisplayName");
    const char *unique = cpw_sbx_in_str(input, "UniqueKey");
    const json_t *fields = json_object_get(input, "Fields");
    if (display == NULL || display[0] == '\0' || unique == NULL || !json_is_object(fields) ||
        json_object_size(fields) == 0) {
        return cpw_cp_bad(ctx, "DisplayName, Fields and UniqueKey are required.");
    }
    if (json_object_get(fields, unique) == NULL) {
        return cpw_cp_bad(ctx, "UniqueKey %s must be one of the Fields.", unique);
    }
    int64_t days = 0;
    if (json_object_get(input, "DataExpiry") != NULL) {
        if (cpw_sbx_in_int(input, "DataExpiry", 0, &days) != 0 || days < 1 || days > 1098) {
            cpw_error_clear();
            return cpw_cp_bad(ctx, "DataExpiry must be between 1 and 1098.");
        }
    } else if (s_domain_expiry(ctx, domain, &days) != 0) {
        return -1;
    }
    char id[33];
    char token[33];
    if (cpw_cp_cfg_hex_id(id) != 0 || cpw_cp_cfg_hex_id(token) != 0) {
        return -1;
    }
    json_t *doc = json_pack("{s:s,s:s,s:O,s:s,s:I,s:s,s:s}", "JobId", id, "DisplayName", display,
                            "Fields", fields, "UniqueKey", unique, "DataExpiry", (json_int_t)days,
                            "_status", "CREATED", "_token", token);
    rc = cpw_cp_item_put(ctx, domain, CPW_CP_UPLOAD_JOB, id, doc);
    json_decref(doc);
    if (rc != 0) {
        return -1;
    }
    *output = json_pack("{s:s}", "JobId", id);
    return 0;
}

int cpw_cp_get_upload_job(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    json_t *doc = NULL;
    int rc = cpw_cp_cfg_need(ctx, cpw_sbx_in_str(input, "DomainName"), CPW_CP_UPLOAD_JOB,
                             cpw_sbx_in_str(input, "JobId"), "Upload job", &doc);
    if (rc != 0) {
        return rc;
    }
    *output = s_job_json(ctx, doc, true);
    json_decref(doc);
    return 0;
}

int cpw_cp_get_upload_job_path(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *domain = cpw_sbx_in_str(input, "DomainName");
    const char *id = cpw_sbx_in_str(input, "JobId");
    json_t *doc = NULL;
    int rc = cpw_cp_cfg_need(ctx, domain, CPW_CP_UPLOAD_JOB, id, "Upload job", &doc);
    if (rc != 0) {
        return rc;
    }
    char signature[65];
    if (cpw_sbx_random_chars(signature, 64, "0123456789abcdef") != 0) {
        json_decref(doc);
        return -1;
    }
    char base[160];
    if (ctx->req->endpoint != NULL && ctx->req->endpoint[0] != '\0') {
        snprintf(base, sizeof(base), "%s", ctx->req->endpoint);
    } else {
        snprintf(base, sizeof(base), "https://profile.%s.amazonaws.com", cpw_cp_region(ctx));
    }
    /* A date for the X-Amz-Date parameter: the ISO time without separators. */
    json_t *now = cpw_sbx_time_json(ctx->req->now_ms);
    char amz_date[32] = "";
    size_t n = 0;
    for (const char *p = json_string_value(now); p != NULL && *p && n + 1 < sizeof(amz_date); p++) {
        if (*p != '-' && *p != ':') {
            amz_date[n++] = *p;
        }
    }
    amz_date[n] = '\0';
    json_decref(now);
    char url[1024];
    snprintf(url, sizeof(url),
             "%s/_cpwarden/uploads/%s/%s?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=%s"
             "&X-Amz-Expires=%lld&X-Amz-SignedHeaders=host&X-Amz-Signature=%s",
             base, domain, id, amz_date, PATH_VALID_MS / 1000, signature);
    const char *token = cpw_sbx_in_str(doc, "_token");
    *output = json_pack("{s:s,s:s,s:o}", "Url", url, "ClientToken", token ? token : id,
                        "ValidUntil", cpw_sbx_time_json(ctx->req->now_ms + PATH_VALID_MS));
    json_decref(doc);
    return 0;
}

static json_t *s_list_item(struct cpw_sbx_ctx *ctx, const json_t *input, const json_t *doc)
{
    (void)input;
    return s_job_json(ctx, doc, false);
}

int cpw_cp_list_upload_jobs(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    return cpw_cp_cfg_list(ctx, input, CPW_CP_UPLOAD_JOB, UPLOAD_LIST_MAX, true, s_list_item,
                           output);
}

/* Loads the job and its state: 0, 1 answered, -1. */
static int s_job(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **doc, struct job_state *st)
{
    const char *domain = cpw_sbx_in_str(input, "DomainName");
    const char *id = cpw_sbx_in_str(input, "JobId");
    char arn[800];
    cpw_cp_cfg_resource(ctx, domain, "upload-jobs", id, "AWS::CustomerProfiles::UploadJob", arn,
                        sizeof(arn));
    int rc = cpw_cp_cfg_need(ctx, domain, CPW_CP_UPLOAD_JOB, id, "Upload job", doc);
    if (rc == 0) {
        *st = s_state(ctx, *doc);
        json_object_del(*doc, "CreatedAt");
        json_object_del(*doc, "LastUpdatedAt");
    }
    return rc;
}

int cpw_cp_start_upload_job(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    json_t *doc = NULL;
    struct job_state st;
    int rc = s_job(ctx, input, &doc, &st);
    if (rc != 0) {
        return rc;
    }
    if (strcmp(st.status, "CREATED") != 0) {
        json_decref(doc);
        return cpw_cp_bad(ctx, "Upload job %s is %s; only a CREATED job can be started.",
                          cpw_sbx_in_str(input, "JobId"), st.status);
    }
    json_object_set_new(doc, "_status", json_string("IN_PROGRESS"));
    json_object_set_new(
      doc, "_due_ms",
      json_integer((json_int_t)ctx->req->now_ms + (json_int_t)cpw_cp_cfg_job_ms(ctx)));
    rc = cpw_cp_item_put(ctx, cpw_sbx_in_str(input, "DomainName"), CPW_CP_UPLOAD_JOB,
                         cpw_sbx_in_str(input, "JobId"), doc);
    json_decref(doc);
    if (rc != 0) {
        return -1;
    }
    *output = json_object();
    return 0;
}

int cpw_cp_stop_upload_job(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    json_t *doc = NULL;
    struct job_state st;
    int rc = s_job(ctx, input, &doc, &st);
    if (rc != 0) {
        return rc;
    }
    if (strcmp(st.status, "CREATED") != 0 && strcmp(st.status, "IN_PROGRESS") != 0) {
        json_decref(doc);
        return cpw_cp_bad(ctx, "Upload job %s is %s and cannot be stopped.",
                          cpw_sbx_in_str(input, "JobId"), st.status);
    }
    json_object_set_new(doc, "_status", json_string("STOPPED"));
    json_object_set_new(doc, "_stopped_ms", json_integer((json_int_t)ctx->req->now_ms));
    rc = cpw_cp_item_put(ctx, cpw_sbx_in_str(input, "DomainName"), CPW_CP_UPLOAD_JOB,
                         cpw_sbx_in_str(input, "JobId"), doc);
    json_decref(doc);
    if (rc != 0) {
        return -1;
    }
    *output = json_object();
    return 0;
}
