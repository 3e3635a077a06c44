/*
 * customer_profiles_matching_jobs.c - identity resolution jobs in the Customer Profiles sandbox:
 * GetIdentityResolutionJob and ListIdentityResolutionJobs, and the job bookkeeping every
 * identity-resolution read settles first (customer_profiles_matching.c computes the matches).
 *
 * Jobs: while Matching is enabled, the first read of jobs or matches starts a job at once (the
 * run AWS makes after matching is enabled); then one job starts at the most recent occurrence of
 * JobSchedule (DayOfTheWeek, Time "HH:MM" UTC; default SATURDAY 12:00) not yet run. A job is
 * FIND_MATCHING for the identity_job_ms knob (default 5000), then COMPLETED; its JobStats count
 * the domain's profiles and match groups when read. The sandbox never merges automatically
 * (NumberOfMergesDone is 0). GetMatches answers the match groups once a job has completed
 * (MatchGenerationDate = that job's end), and nothing before.
 */
#include <stdio.h>
#include <string.h>

#include "cpw/json.h"
#include "sbx_cp_profiles.h"

#define LIST_MAX 100
#define DAY_MS   86400000LL
#define WEEK_MS  (7 * DAY_MS)

/* ----- jobs -------------------------------------------------------------------------------- */

static const char *const s_days[] = { "SUNDAY",   "MONDAY", "TUESDAY", "WEDNESDAY",
                                      "THURSDAY", "FRIDAY", "SATURDAY" };

/* The most recent scheduled start at or before now_ms (weekly, UTC). */
static int64_t s_last_occurrence(const json_t *schedule, int64_t now_ms)
{
    const char *day = cpw_json_get_string(schedule, "DayOfTheWeek");
    const char *time = cpw_json_get_string(schedule, "Time");
    int64_t dow = 6; /* SATURDAY */
    for (int64_t i = 0; day != NULL && i < 7; i++) {
        if (strcmp(day, s_days[i]) == 0) {
            dow = i;
        }
    }
    int64_t minutes = (int64_t)12 * 60;
    if (time != NULL && strlen(time) == 5 && time[2] == ':') {
        int64_t hh = (int64_t)(time[0] - '0') * 10 + (int64_t)(time[1] - '0');
        int64_t mm = (int64_t)(time[3] - '0') * 10 + (int64_t)(time[4] - '0');
        minutes = hh * 60 + mm;
    }
    int64_t day_index = now_ms / DAY_MS;
    int64_t today = (day_index + 4) % 7; /* 1970-01-01 was a Thursday */
    int64_t back = (today - dow + 7) % 7;
    int64_t at = (day_index - back) * DAY_MS + minutes * 60000;
    return at > now_ms ? at - WEEK_MS : at;
}

/* Starts the jobs that are due for the domain (see the header). Returns 0 or -1. */
static int s_settle_jobs(struct cpw_sbx_ctx *ctx, const char *domain, const json_t *domain_doc)
{
    if (!cpw_cp_ir_enabled(domain_doc, "Matching")) {
        return 0;
    }
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      ctx->db,
      "SELECT max(json_extract(doc, '$.StartMs')) FROM cp_items WHERE account_id = ?"
      " AND region = ? AND domain = ? AND kind = ?",
      "ssss", ctx->req->caller->account_id, cpw_cp_region(ctx), domain, CPW_CP_IR_JOB);
    if (stmt == NULL || cpw_sbx_sql_step(stmt) != 1) {
        cpw_sbx_sql_done(stmt);
        return -1;
    }
    bool none = sqlite3_column_type(stmt, 0) == SQLITE_NULL;
    int64_t last = sqlite3_column_int64(stmt, 0);
    cpw_sbx_sql_done(stmt);
    const json_t *matching = cpw_json_get(domain_doc, "Matching");
    int64_t start = ctx->req->now_ms;
    if (!none) {
        start = s_last_occurrence(cpw_json_get(matching, "JobSchedule"), ctx->req->now_ms);
        if (start <= last) {
            return 0;
        }
    }
    char seed[200];
    char id[33];
    snprintf(seed, sizeof(seed), "%s|%lld", domain, (long long)start);
    if (cpw_cp_digest_id(seed, id) != 0) {
        return -1;
    }
    json_t *job = json_pack("{s:s,s:I}", "JobId", id, "StartMs", (json_int_t)start);
    const json_t *auto_merging = cpw_json_get(matching, "AutoMerging");
    if (auto_merging != NULL) {
        cpw_json_set_take(job, "AutoMerging", json_deep_copy(auto_merging));
    }
    const json_t *s3 = cpw_json_get(cpw_json_get(matching, "ExportingConfig"), "S3Exporting");
    const char *bucket = cpw_json_get_string(s3, "S3BucketName");
    if (bucket != NULL) {
        const char *prefix = cpw_json_get_string(s3, "S3KeyName");
        char key[1024];
        snprintf(key, sizeof(key), "%s%s%s", prefix ? prefix : "", prefix ? "/" : "", id);
        cpw_json_set_take(
          job, "ExportingLocation",
          json_pack("{s:{s:s,s:s}}", "S3Exporting", "S3BucketName", bucket, "S3KeyName", key));
    }
    int rc = cpw_cp_item_put(ctx, domain, CPW_CP_IR_JOB, id, job);
    cpw_json_release(job);
    return rc;
}

/* A stored job as the API shows it (owned), with its status at now. */
static json_t *s_job_view(struct cpw_sbx_ctx *ctx,
                          const char *domain,
                          const json_t *stored,
                          int64_t updated_ms,
                          size_t profiles,
                          size_t matches,
                          bool full)
{
    struct cpw_sbx_knobs knobs;
    cpw_sbx_knobs_current(ctx->sbx, &knobs);
    int64_t start = (int64_t)json_integer_value(cpw_json_get(stored, "StartMs"));
    int64_t end = start + knobs.identity_job_ms;
    bool done = ctx->req->now_ms >= end;
    json_t *job = json_pack("{s:s,s:O,s:o,s:s}", "DomainName", domain, "JobId",
                            cpw_json_get(stored, "JobId"), "JobStartTime", cpw_sbx_time_json(start),
                            "Status", done ? "COMPLETED" : "FIND_MATCHING");
    if (done) {
        cpw_json_set_take(job, "JobEndTime", cpw_sbx_time_json(end));
        cpw_json_set_take(job, "JobStats",
                          json_pack("{s:I,s:I,s:I}", "NumberOfProfilesReviewed",
                                    (json_int_t)profiles, "NumberOfMatchesFound",
                                    (json_int_t)matches, "NumberOfMergesDone", (json_int_t)0));
    }
    if (cpw_json_get(stored, "ExportingLocation") != NULL) {
        cpw_json_set_take(job, "ExportingLocation",
                          json_deep_copy(cpw_json_get(stored, "ExportingLocation")));
    }
    if (full) {
        cpw_json_set_take(
          job, "LastUpdatedAt",
          cpw_sbx_time_json(done ? end : (updated_ms > start ? updated_ms : start)));
        if (done) {
            cpw_json_set_take(job, "JobExpirationTime", cpw_sbx_time_json(end + 30 * DAY_MS));
        }
        if (cpw_json_get(stored, "AutoMerging") != NULL) {
            cpw_json_set_take(job, "AutoMerging",
                              json_deep_copy(cpw_json_get(stored, "AutoMerging")));
        }
    }
    return job;
}

/* Settles jobs and loads the domain: 0 with *doc (owned), 1 answered, -1. */
int cpw_cp_ir_prepare(struct cpw_sbx_ctx *ctx, const char *domain, json_t **doc)
{
    int rc = cpw_cp_ir_domain_doc(ctx, domain, doc);
    if (rc == 0 && s_settle_jobs(ctx, domain, *doc) != 0) {
        rc = -1;
    }
    if (rc != 0) {
        cpw_json_release(*doc);
        *doc = NULL;
    }
    return rc;
}

int cpw_cp_get_identity_resolution_job(struct cpw_sbx_ctx *ctx,
                                       const json_t *input,
                                       json_t **output)
{
    const char *domain = cpw_sbx_in_str(input, "DomainName");
    const char *job_id = cpw_sbx_in_str(input, "JobId");
    json_t *doc = NULL;
    int rc = cpw_cp_ir_prepare(ctx, domain, &doc);
    if (rc != 0) {
        return rc;
    }
    json_t *stored = NULL;
    json_t *groups = NULL;
    size_t profiles = 0;
    if (cpw_cp_item_get(ctx, domain, CPW_CP_IR_JOB, job_id ? job_id : "", &stored) != 0 ||
        (stored != NULL && cpw_cp_match_groups(ctx, domain, false, doc, &groups, &profiles) != 0)) {
        rc = -1;
    } else if (stored == NULL) {
        rc =
          cpw_cp_not_found(ctx, "Identity resolution job %s does not exist.", job_id ? job_id : "");
    } else {
        int64_t updated = 0;
        cpw_sbx_in_time(stored, "LastUpdatedAt", &updated);
        *output = s_job_view(ctx, domain, stored, updated, profiles, json_array_size(groups), true);
    }
    cpw_json_release(groups);
    cpw_json_release(stored);
    cpw_json_release(doc);
    return rc;
}

int cpw_cp_list_identity_resolution_jobs(struct cpw_sbx_ctx *ctx,
                                         const json_t *input,
                                         json_t **output)
{
    const char *domain = cpw_sbx_in_str(input, "DomainName");
    int64_t offset = 0;
    int64_t limit = LIST_MAX;
    json_t *doc = NULL;
    int rc = cpw_cp_ir_prepare(ctx, domain, &doc);
    if (rc == 0) {
        rc = cpw_cp_paging(ctx, input, LIST_MAX, &offset, &limit);
    }
    if (rc != 0) {
        cpw_json_release(doc);
        return rc;
    }
    json_t *groups = NULL;
    size_t profiles = 0;
    sqlite3_stmt *stmt = NULL;
    if (cpw_cp_match_groups(ctx, domain, false, doc, &groups, &profiles) == 0) {
        stmt = cpw_sbx_sql_query(
          ctx->db,
          "SELECT doc, updated_ms FROM cp_items WHERE account_id = ? AND region = ?"
          " AND domain = ? AND kind = ? ORDER BY json_extract(doc, '$.StartMs') DESC"
          " LIMIT ? OFFSET ?",
          "ssssii", ctx->req->caller->account_id, cpw_cp_region(ctx), domain, CPW_CP_IR_JOB,
          limit + 1, offset);
    }
    cpw_json_release(doc);
    if (stmt == NULL) {
        cpw_json_release(groups);
        return -1;
    }
    json_t *jobs = json_array();
    bool more = false;
    while ((rc = cpw_sbx_sql_step(stmt)) == 1) {
        if ((int64_t)json_array_size(jobs) == limit) {
            more = true;
            break;
        }
        json_t *stored = NULL;
        if (cpw_json_load(cpw_span_from_cstr(cpw_sbx_col(stmt, 0)), CPW_CP_DOC_MAX, &stored) != 0) {
            rc = -1;
            break;
        }
        cpw_json_append_take(jobs, s_job_view(ctx, domain, stored, sqlite3_column_int64(stmt, 1),
                                              profiles, json_array_size(groups), false));
        cpw_json_release(stored);
    }
    cpw_sbx_sql_done(stmt);
    cpw_json_release(groups);
    if (rc < 0) {
        cpw_json_release(jobs);
        return -1;
    }
    json_t *result = json_object();
    cpw_json_set_take(result, "IdentityResolutionJobsList", jobs);
    cpw_cp_next_token(result, offset, limit, more);
    *output = result;
    return 0;
}

/* The end of the newest completed job (0 when none). Returns 0 or -1. */
int cpw_cp_ir_last_job_end(struct cpw_sbx_ctx *ctx, const char *domain, int64_t *end_ms)
{
    struct cpw_sbx_knobs knobs;
    cpw_sbx_knobs_current(ctx->sbx, &knobs);
    *end_ms = 0;
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      ctx->db,
      "SELECT max(json_extract(doc, '$.StartMs')) FROM cp_items WHERE account_id = ?"
      " AND region = ? AND domain = ? AND kind = ? AND json_extract(doc, '$.StartMs') <= ?",
      "ssssi", ctx->req->caller->account_id, cpw_cp_region(ctx), domain, CPW_CP_IR_JOB,
      ctx->req->now_ms - knobs.identity_job_ms);
    if (stmt == NULL || cpw_sbx_sql_step(stmt) != 1) {
        cpw_sbx_sql_done(stmt);
        return -1;
    }
    if (sqlite3_column_type(stmt, 0) != SQLITE_NULL) {
        *end_ms = sqlite3_column_int64(stmt, 0) + knobs.identity_job_ms;
    }
    cpw_sbx_sql_done(stmt);
    return 0;
}
