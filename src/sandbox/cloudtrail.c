/*
 * cloudtrail.c - CloudTrail in the sandbox: the event recorder that dispatch and services call,
 * LookupEvents over the recorded events, and trails (Create/Describe/Delete, GetTrailStatus,
 * Start/StopLogging, Get/PutEventSelectors).
 *
 * Events are kept per recipient account and region; global services (IAM, STS, Organizations)
 * record in us-east-1 as AWS does since 2021 (docs/aws-facts.md §7.1). The CloudTrailEvent JSON
 * follows AWS's record format (eventVersion 1.09); secrets (SecretAccessKey, SessionToken,
 * passwords, private keys) are removed from requestParameters and responseElements before storing.
 * Trails are stored but deliver nothing: events are recorded whether or not a trail logs. A new
 * trail has AWS's default event selector (all management events, read and write); a trail is
 * changed (selectors, deletion) only in its home region, as on AWS.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cpw/alloc.h"
#include "cpw/buf.h"
#include "cpw/crypto.h"
#include "cpw/error.h"
#include "cpw/json.h"
#include "sbx_service.h"

#define WINDOW_MS     (90LL * 24 * 3600 * 1000)
#define LOOKUP_MAX    50
#define GLOBAL_REGION "us-east-1"

static const char s_schema[] =
  "CREATE TABLE IF NOT EXISTS cloudtrail_trails("
  " account_id TEXT NOT NULL REFERENCES accounts(account_id) ON DELETE CASCADE,"
  " name TEXT NOT NULL, region TEXT NOT NULL, bucket TEXT NOT NULL,"
  " multi_region INTEGER NOT NULL, global_events INTEGER NOT NULL,"
  " validation INTEGER NOT NULL, logging INTEGER NOT NULL DEFAULT 0,"
  " started_ms INTEGER, stopped_ms INTEGER, selectors TEXT,"
  " PRIMARY KEY(account_id, name)) STRICT;";

const char *cpw_sbx_event_region(const struct cpw_sbx_service *service, const char *region)
{
    if ((service != NULL && service->global) || region == NULL) {
        return GLOBAL_REGION;
    }
    return region;
}

void cpw_sbx_add_resource(struct cpw_sbx_ctx *ctx, const char *type, const char *name)
{
    if (type != NULL && name != NULL) {
        json_array_append_new(ctx->resources,
                              json_pack("{s:s,s:s}", "ResourceType", type, "ResourceName", name));
    }
}

/* ----- event documents --------------------------------------------------------------------- */

static bool s_is_secret(const char *key)
{
    static const char *const secrets[] = { "secretAccessKey",  "sessionToken", "password",
                                           "newPassword",      "oldPassword",  "privateKey",
                                           "base32StringSeed", "qRCodePNG" };
    for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++) {
        if (strcasecmp(key, secrets[i]) == 0) {
            return true;
        }
    }
    return false;
}

/* Model member names to CloudTrail's lowerCamelCase ("RoleName" -> "roleName"), secrets gone. */
static json_t *s_camel(const json_t *v)
{
    if (json_is_object(v)) {
        json_t *out = json_object();
        const char *key;
        json_t *item;
        json_object_foreach((json_t *)v, key, item)
        {
            char *k = cpw_strdup(key);
            k[0] = (char)tolower((unsigned char)k[0]);
            if (!s_is_secret(k)) {
                json_object_set_new(out, k, s_camel(item));
            }
            cpw_free(k);
        }
        return out;
    }
    if (json_is_array(v)) {
        json_t *out = json_array();
        size_t i;
        json_t *item;
        json_array_foreach(v, i, item)
        {
            json_array_append_new(out, s_camel(item));
        }
        return out;
    }
    return json_deep_copy(v);
}

static json_t *s_params(const json_t *doc)
{
    return json_object_size(doc) > 0 ? s_camel(doc) : json_null();
}

/* The ARN (with its path) of the role a session belongs to; "" when the role is gone. */
static void s_role_arn(sqlite3 *db, const char *account_id, const char *name, char *out, size_t cap)
{
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      db, "SELECT arn FROM iam_roles WHERE account_id = ? AND name = ?", "ss", account_id, name);
    out[0] = '\0';
    if (stmt != NULL && cpw_sbx_sql_step(stmt) == 1) {
        snprintf(out, cap, "%s", cpw_sbx_col(stmt, 0));
    }
    cpw_sbx_sql_done(stmt);
    cpw_error_clear();
}

/* userIdentity of a caller, and the Username that LookupEvents shows. */
static json_t *s_user_identity(sqlite3 *db,
                               const struct cpw_sbx_caller *caller,
                               char *username,
                               size_t cap)
{
    const char *arn = caller->principal_arn ? caller->principal_arn : "";
    json_t *id = json_object();
    const char *assumed = strstr(arn, ":assumed-role/");
    const char *user = strstr(arn, ":user/");
    if (assumed != NULL) {
        const char *role = assumed + strlen(":assumed-role/");
        const char *slash = strchr(role, '/');
        int role_len = slash ? (int)(slash - role) : (int)strlen(role);
        char role_arn[600];
        char role_name[128];
        snprintf(role_name, sizeof(role_name), "%.*s", role_len, role);
        s_role_arn(db, caller->account_id, role_name, role_arn, sizeof(role_arn));
        if (role_arn[0] == '\0') {
            snprintf(role_arn, sizeof(role_arn), "arn:aws:iam::%s:role/%s", caller->account_id,
                     role_name);
        }
        char role_id[64] = "";
        const char *uid = caller->user_id ? caller->user_id : "";
        const char *colon = strchr(uid, ':');
        snprintf(role_id, sizeof(role_id), "%.*s", colon ? (int)(colon - uid) : (int)strlen(uid),
                 uid);
        json_object_set_new(id, "type", json_string("AssumedRole"));
        json_object_set_new(id, "sessionContext",
                            json_pack("{s:{s:s,s:s,s:s,s:s,s:s},s:{s:s}}", "sessionIssuer", "type",
                                      "Role", "principalId", role_id, "arn", role_arn, "accountId",
                                      caller->account_id, "userName", role_name, "attributes",
                                      "mfaAuthenticated", "false"));
        snprintf(username, cap, "%s", slash ? slash + 1 : "");
    } else if (user != NULL) {
        json_object_set_new(id, "type", json_string("IAMUser"));
        json_object_set_new(id, "userName", json_string(strrchr(arn, '/') + 1));
        snprintf(username, cap, "%s", strrchr(arn, '/') + 1);
    } else {
        json_object_set_new(id, "type", json_string("Root"));
        snprintf(username, cap, "root");
    }
    json_object_set_new(id, "principalId", json_string(caller->user_id ? caller->user_id : ""));
    json_object_set_new(id, "arn", json_string(arn));
    json_object_set_new(id, "accountId", json_string(caller->account_id));
    if (caller->access_key_id != NULL) {
        json_object_set_new(id, "accessKeyId", json_string(caller->access_key_id));
    }
    return id;
}

static json_t *s_event_resources(const json_t *resources, const char *account_id)
{
    json_t *out = json_array();
    size_t i;
    json_t *r;
    json_array_foreach(resources, i, r)
    {
        const char *name = json_string_value(json_object_get(r, "ResourceName"));
        if (name == NULL || !json_is_string(json_object_get(r, "ResourceType"))) {
            continue;
        }
        json_t *item = json_pack("{s:s,s:O}", "accountId", account_id, "type",
                                 json_object_get(r, "ResourceType"));
        json_object_set_new(item, strncmp(name, "arn:", 4) == 0 ? "ARN" : "name",
                            json_string(name));
        json_array_append_new(out, item);
    }
    return out;
}

struct event_row {
    const char *account_id;
    const char *region;
    const char *event_name;
    const char *event_source;
    const char *username;
    const char *access_key_id;
    const json_t *resources;
    json_t *body; /* borrowed; completed here */
};

static int s_store(struct cpw_sbx_ctx *ctx, const struct event_row *row)
{
    char event_id[37];
    char request_id[37];
    if (cpw_sbx_uuid(event_id) != 0 || cpw_sbx_uuid(request_id) != 0) {
        return -1;
    }
    const char *rid = ctx->req->request_id ? ctx->req->request_id : request_id;
    json_object_set_new(row->body, "requestID", json_string(rid));
    json_object_set_new(row->body, "eventID", json_string(event_id));
    json_object_set_new(row->body, "readOnly", json_false());
    json_object_set_new(row->body, "resources", s_event_resources(row->resources, row->account_id));
    json_object_set_new(row->body, "eventType", json_string("AwsApiCall"));
    json_object_set_new(row->body, "managementEvent", json_true());
    json_object_set_new(row->body, "recipientAccountId", json_string(row->account_id));
    json_object_set_new(row->body, "eventCategory", json_string("Management"));
    char *body = cpw_json_dump_cstr(row->body, CPW_JSON_DUMP_COMPACT);
    char *resources = cpw_json_dump_cstr(row->resources, CPW_JSON_DUMP_COMPACT);
    int rc = cpw_sbx_sql_do(
      ctx->db,
      "INSERT INTO events(account_id, region, event_id, event_time_ms, event_name, event_source,"
      " read_only, username, access_key_id, resources, body) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
      "sssisssssss", row->account_id, row->region, event_id, ctx->req->now_ms, row->event_name,
      row->event_source, "false", row->username, row->access_key_id, resources, body);
    cpw_free(body);
    cpw_free(resources);
    return rc < 0 ? -1 : 0;
}

static json_t *s_body_start(struct cpw_sbx_ctx *ctx,
                            const char *source,
                            const char *name,
                            const char *region)
{
    json_t *body = json_object();
    json_object_set_new(body, "eventVersion", json_string("1.09"));
    json_object_set_new(body, "eventTime", cpw_sbx_time_json(ctx->req->now_ms));
    json_object_set_new(body, "eventSource", json_string(source));
    json_object_set_new(body, "eventName", json_string(name));
    json_object_set_new(body, "awsRegion", json_string(region));
    return body;
}

int cpw_sbx_record_call_event(struct cpw_sbx_ctx *ctx,
                              const struct cpw_sbx_service *service,
                              const json_t *output)
{
    const struct cpw_sbx_caller *caller = ctx->req->caller;
    const char *region = cpw_sbx_event_region(service, caller->region);
    char username[128] = "";
    json_t *body = s_body_start(ctx, service->event_source, ctx->req->operation, region);
    json_t *identity = s_user_identity(ctx->db, caller, username, sizeof(username));
    if (caller->principal_arn == NULL && caller->access_key_id == NULL) {
        /* An unsigned federation call (sts.c): no AWS principal made it, as AWS records it. */
        bool saml = strcmp(ctx->req->operation, "AssumeRoleWithSAML") == 0;
        json_object_set_new(identity, "type", json_string(saml ? "SAMLUser" : "WebIdentityUser"));
        json_object_del(identity, "arn");
        username[0] = '\0';
    }
    json_object_set_new(body, "userIdentity", identity);
    json_object_set_new(body, "sourceIPAddress",
                        json_string(caller->source_ip ? caller->source_ip : "127.0.0.1"));
    json_object_set_new(body, "userAgent",
                        json_string(caller->user_agent ? caller->user_agent : "cpwarden"));
    if (output == NULL) {
        json_object_set_new(body, "errorCode", json_string(ctx->err->code));
        json_object_set_new(body, "errorMessage", json_string(ctx->err->message));
    }
    json_object_set_new(body, "requestParameters", s_params(ctx->req->input));
    json_object_set_new(body, "responseElements", output ? s_params(output) : json_null());
    struct event_row row = {
        .account_id = caller->account_id,
        .region = region,
        .event_name = ctx->req->operation,
        .event_source = service->event_source,
        .username = username,
        .access_key_id = caller->access_key_id,
        .resources = ctx->resources,
        .body = body,
    };
    int rc = s_store(ctx, &row);
    json_decref(body);
    return rc;
}

int cpw_sbx_record_service_event(struct cpw_sbx_ctx *ctx, const struct cpw_sbx_service_event *ev)
{
    json_t *body =
      s_body_start(ctx, ev->event_source, ev->event_name, ev->region ? ev->region : GLOBAL_REGION);
    json_object_set_new(body, "userIdentity",
                        json_pack("{s:s,s:s}", "type", "AWSService", "invokedBy", ev->invoked_by));
    json_object_set_new(body, "sourceIPAddress", json_string(ev->invoked_by));
    json_object_set_new(body, "userAgent", json_string(ev->invoked_by));
    if (ev->error_code != NULL) {
        json_object_set_new(body, "errorCode", json_string(ev->error_code));
        json_object_set_new(body, "errorMessage",
                            json_string(ev->error_message ? ev->error_message : ""));
    }
    json_object_set_new(body, "requestParameters", s_params(ev->request));
    json_object_set_new(body, "responseElements", s_params(ev->response));
    json_t *empty = json_array();
    struct event_row row = {
        .account_id = ev->account_id,
        .region = ev->region ? ev->region : GLOBAL_REGION,
        .event_name = ev->event_name,
        .event_source = ev->event_source,
        .username = ev->invoked_by,
        .access_key_id = NULL,
        .resources = ev->resources ? ev->resources : empty,
        .body = body,
    };
    int rc = s_store(ctx, &row);
    json_decref(body);
    json_decref(empty);
    return rc;
}

/* ----- LookupEvents ------------------------------------------------------------------------ */

static const char *s_attribute_sql(const char *key)
{
    static const char *const map[][2] = {
        { "EventId", "event_id = ?" },
        { "EventName", "event_name = ?" },
        { "ReadOnly", "read_only = ?" },
        { "Username", "username = ?" },
        { "EventSource", "event_source = ?" },
        { "AccessKeyId", "access_key_id = ?" },
        { "ResourceType", "EXISTS (SELECT 1 FROM json_each(resources)"
                          " WHERE json_extract(value, '$.ResourceType') = ?)" },
        { "ResourceName", "EXISTS (SELECT 1 FROM json_each(resources)"
                          " WHERE json_extract(value, '$.ResourceName') = ?)" },
    };
    for (size_t i = 0; key != NULL && i < sizeof(map) / sizeof(map[0]); i++) {
        if (strcmp(map[i][0], key) == 0) {
            return map[i][1];
        }
    }
    return NULL;
}

static json_t *s_event_from_row(sqlite3_stmt *stmt)
{
    json_t *ev = json_object();
    json_object_set_new(ev, "EventId", json_string(cpw_sbx_col(stmt, 1)));
    json_object_set_new(ev, "EventName", json_string(cpw_sbx_col(stmt, 2)));
    json_object_set_new(ev, "ReadOnly", json_string(cpw_sbx_col(stmt, 3)));
    if (sqlite3_column_type(stmt, 4) != SQLITE_NULL) {
        json_object_set_new(ev, "AccessKeyId", json_string(cpw_sbx_col(stmt, 4)));
    }
    json_object_set_new(ev, "EventTime", cpw_sbx_time_json(sqlite3_column_int64(stmt, 5)));
    json_object_set_new(ev, "EventSource", json_string(cpw_sbx_col(stmt, 6)));
    json_object_set_new(ev, "Username", json_string(cpw_sbx_col(stmt, 7)));
    json_t *resources = cpw_json_load_cstr(cpw_sbx_col(stmt, 8));
    json_object_set_new(ev, "Resources", resources ? resources : json_array());
    json_object_set_new(ev, "CloudTrailEvent", json_string(cpw_sbx_col(stmt, 9)));
    return ev;
}

static int s_parse_token(const char *token, int64_t *time_ms, int64_t *seq)
{
    /* "T.S": two decimal numbers and nothing after them */
    char *end = NULL;
    errno = 0;
    long long t = strtoll(token, &end, 10);
    if (end == token || *end != '.' || errno != 0) {
        return -1;
    }
    const char *rest = end + 1;
    long long s = strtoll(rest, &end, 10);
    if (end == rest || *end != '\0' || errno != 0) {
        return -1;
    }
    *time_ms = t;
    *seq = s;
    return 0;
}

static int s_lookup_events(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const json_t *attrs = json_object_get(input, "LookupAttributes");
    const char *key = NULL;
    const char *value = NULL;
    if (json_array_size(attrs) > 1) {
        return cpw_sbx_fail(ctx, 400, "InvalidLookupAttributesException",
                            "You cannot specify more than one lookup attribute.");
    }
    if (json_array_size(attrs) == 1) {
        key = cpw_sbx_in_str(json_array_get(attrs, 0), "AttributeKey");
        value = cpw_sbx_in_str(json_array_get(attrs, 0), "AttributeValue");
        if (s_attribute_sql(key) == NULL || value == NULL) {
            return cpw_sbx_fail(ctx, 400, "InvalidLookupAttributesException",
                                "The lookup attribute key %s is not valid.", key ? key : "");
        }
    }
    const char *category = cpw_sbx_in_str(input, "EventCategory");
    if (category != NULL && strcmp(category, "insight") != 0) {
        return cpw_sbx_fail(ctx, 400, "InvalidEventCategoryException",
                            "The event category %s is not valid.", category);
    }
    if (category != NULL) { /* the sandbox has no Insights events */
        *output = json_pack("{s:[]}", "Events");
        return 0;
    }
    int64_t now = ctx->req->now_ms;
    int64_t start = now - WINDOW_MS;
    int64_t end = now;
    if (cpw_sbx_in_time(input, "StartTime", &start) == 1 ||
        cpw_sbx_in_time(input, "EndTime", &end) == 1 || start > end) {
        return cpw_sbx_fail(ctx, 400, "InvalidTimeRangeException",
                            "Start time must be before end time.");
    }
    start = start < now - WINDOW_MS ? now - WINDOW_MS : start;
    int64_t max = LOOKUP_MAX;
    if (cpw_sbx_in_int(input, "MaxResults", LOOKUP_MAX, &max) != 0 || max < 1 || max > LOOKUP_MAX) {
        cpw_error_clear();
        return cpw_sbx_fail(ctx, 400, "InvalidMaxResultsException",
                            "MaxResults must be between 1 and 50.");
    }
    int64_t after_time = INT64_MAX;
    int64_t after_seq = INT64_MAX;
    const char *token = cpw_sbx_in_str(input, "NextToken");
    if (token != NULL && s_parse_token(token, &after_time, &after_seq) != 0) {
        return cpw_sbx_fail(ctx, 400, "InvalidNextTokenException", "Invalid NextToken.");
    }
    char sql[1024];
    const char *filter = key ? s_attribute_sql(key) : "? IS NULL";
    snprintf(sql, sizeof(sql),
             "SELECT seq, event_id, event_name, read_only, access_key_id, event_time_ms,"
             " event_source, username, resources, body FROM events WHERE account_id = ? AND"
             " region = ? AND event_time_ms BETWEEN ? AND ? AND (event_time_ms, seq) < (?, ?)"
             " AND %s ORDER BY event_time_ms DESC, seq DESC LIMIT ?",
             filter);
    const char *region = ctx->req->caller->region ? ctx->req->caller->region : GLOBAL_REGION;
    sqlite3_stmt *stmt =
      cpw_sbx_sql_query(ctx->db, sql, "ssiiiisi", ctx->req->caller->account_id, region, start, end,
                        after_time, after_seq, value, max + 1);
    if (stmt == NULL) {
        return -1;
    }
    json_t *events = json_array();
    json_t *result = json_pack("{s:o}", "Events", events);
    int rc;
    int64_t last_time = 0;
    int64_t last_seq = 0;
    while ((rc = cpw_sbx_sql_step(stmt)) == 1) {
        if ((int64_t)json_array_size(events) == max) {
            char next[64];
            snprintf(next, sizeof(next), "%lld.%lld", (long long)last_time, (long long)last_seq);
            json_object_set_new(result, "NextToken", json_string(next));
            break;
        }
        last_seq = sqlite3_column_int64(stmt, 0);
        last_time = sqlite3_column_int64(stmt, 5);
        json_array_append_new(events, s_event_from_row(stmt));
    }
    cpw_sbx_sql_done(stmt);
    if (rc < 0) {
        json_decref(result);
        return -1;
    }
    *output = result;
    return 0;
}

/* ----- trails ------------------------------------------------------------------------------ */

/* A trail name or ARN (arn:aws:cloudtrail:R:A:trail/NAME) to the name. */
static const char *s_trail_name(const char *name_or_arn)
{
    const char *p = name_or_arn ? strstr(name_or_arn, ":trail/") : NULL;
    return p ? p + strlen(":trail/") : name_or_arn;
}

static json_t *s_trail_from_row(sqlite3_stmt *stmt, const char *account_id)
{
    char arn[600];
    snprintf(arn, sizeof(arn), "arn:%s:cloudtrail:%s:%s:trail/%s",
             cpw_sbx_partition(cpw_sbx_col(stmt, 1)), cpw_sbx_col(stmt, 1), account_id,
             cpw_sbx_col(stmt, 0));
    return json_pack("{s:s,s:s,s:b,s:b,s:s,s:s,s:b,s:b,s:b,s:b}", "Name", cpw_sbx_col(stmt, 0),
                     "S3BucketName", cpw_sbx_col(stmt, 2), "IncludeGlobalServiceEvents",
                     sqlite3_column_int(stmt, 4), "IsMultiRegionTrail", sqlite3_column_int(stmt, 3),
                     "HomeRegion", cpw_sbx_col(stmt, 1), "TrailARN", arn,
                     "LogFileValidationEnabled", sqlite3_column_int(stmt, 5),
                     "HasCustomEventSelectors", sqlite3_column_type(stmt, 6) != SQLITE_NULL,
                     "HasInsightSelectors", 0, "IsOrganizationTrail", 0);
}

#define TRAIL_COLUMNS "name, region, bucket, multi_region, global_events, validation, selectors"

static bool s_in_bool(const json_t *input, const char *key, bool def)
{
    const json_t *v = json_object_get(input, key);
    return json_is_boolean(v) ? json_is_true(v) : def;
}

static int s_create_trail(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *name = cpw_sbx_in_str(input, "Name");
    const char *bucket = cpw_sbx_in_str(input, "S3BucketName");
    const char *region = ctx->req->caller->region ? ctx->req->caller->region : GLOBAL_REGION;
    if (name == NULL || strlen(name) < 3 || strlen(name) > 128 || bucket == NULL) {
        return cpw_sbx_fail(ctx, 400, "InvalidTrailNameException",
                            "Trail name must be 3 to 128 characters.");
    }
    int n = cpw_sbx_sql_do(ctx->db,
                           "INSERT OR IGNORE INTO cloudtrail_trails(account_id, name, region,"
                           " bucket, multi_region, global_events, validation)"
                           " VALUES (?,?,?,?,?,?,?)",
                           "ssssiii", ctx->req->caller->account_id, name, region, bucket,
                           (int64_t)s_in_bool(input, "IsMultiRegionTrail", false),
                           (int64_t)s_in_bool(input, "IncludeGlobalServiceEvents", true),
                           (int64_t)s_in_bool(input, "EnableLogFileValidation", false));
    if (n < 0) {
        return -1;
    }
    if (n == 0) {
        return cpw_sbx_fail(ctx, 400, "TrailAlreadyExistsException",
                            "Trail %s already exists for customer: %s", name,
                            ctx->req->caller->account_id);
    }
    sqlite3_stmt *stmt = cpw_sbx_sql_query(ctx->db,
                                           "SELECT " TRAIL_COLUMNS " FROM cloudtrail_trails"
                                           " WHERE account_id = ? AND name = ?",
                                           "ss", ctx->req->caller->account_id, name);
    if (stmt == NULL || cpw_sbx_sql_step(stmt) != 1) {
        cpw_sbx_sql_done(stmt);
        return -1;
    }
    json_t *trail = s_trail_from_row(stmt, ctx->req->caller->account_id);
    cpw_sbx_sql_done(stmt);
    json_object_del(trail, "HomeRegion");
    json_object_del(trail, "HasCustomEventSelectors");
    json_object_del(trail, "HasInsightSelectors");
    cpw_sbx_add_resource(ctx, "AWS::CloudTrail::Trail",
                         json_string_value(json_object_get(trail, "TrailARN")));
    *output = trail;
    return 0;
}

static int s_describe_trails(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const json_t *names = json_object_get(input, "trailNameList");
    sqlite3_stmt *stmt = cpw_sbx_sql_query(ctx->db,
                                           "SELECT " TRAIL_COLUMNS " FROM cloudtrail_trails"
                                           " WHERE account_id = ? ORDER BY name",
                                           "s", ctx->req->caller->account_id);
    if (stmt == NULL) {
        return -1;
    }
    json_t *list = json_array();
    int rc;
    while ((rc = cpw_sbx_sql_step(stmt)) == 1) {
        bool wanted = json_array_size(names) == 0;
        size_t i;
        json_t *n;
        json_array_foreach(names, i, n)
        {
            const char *want = s_trail_name(json_string_value(n));
            wanted = wanted || (want != NULL && strcmp(want, cpw_sbx_col(stmt, 0)) == 0);
        }
        if (wanted) {
            json_array_append_new(list, s_trail_from_row(stmt, ctx->req->caller->account_id));
        }
    }
    cpw_sbx_sql_done(stmt);
    if (rc < 0) {
        json_decref(list);
        return -1;
    }
    *output = json_pack("{s:o}", "trailList", list);
    return 0;
}

static int s_no_trail(struct cpw_sbx_ctx *ctx, const char *name)
{
    return cpw_sbx_fail(ctx, 400, "TrailNotFoundException", "Unknown trail: %s for the user: %s",
                        name ? name : "", ctx->req->caller->account_id);
}

static int s_get_trail_status(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *name = s_trail_name(cpw_sbx_in_str(input, "Name"));
    sqlite3_stmt *stmt = cpw_sbx_sql_query(ctx->db,
                                           "SELECT logging, started_ms, stopped_ms FROM"
                                           " cloudtrail_trails WHERE account_id = ? AND name = ?",
                                           "ss", ctx->req->caller->account_id, name);
    if (stmt == NULL) {
        return -1;
    }
    int rc = cpw_sbx_sql_step(stmt);
    if (rc == 1) {
        json_t *status = json_pack("{s:b}", "IsLogging", sqlite3_column_int(stmt, 0));
        if (sqlite3_column_type(stmt, 1) != SQLITE_NULL) {
            json_object_set_new(status, "StartLoggingTime",
                                cpw_sbx_time_json(sqlite3_column_int64(stmt, 1)));
        }
        if (sqlite3_column_type(stmt, 2) != SQLITE_NULL) {
            json_object_set_new(status, "StopLoggingTime",
                                cpw_sbx_time_json(sqlite3_column_int64(stmt, 2)));
        }
        *output = status;
    }
    cpw_sbx_sql_done(stmt);
    if (rc == 0) {
        return s_no_trail(ctx, name);
    }
    return rc < 0 ? -1 : 0;
}

static int s_set_logging(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output, bool on)
{
    const char *name = s_trail_name(cpw_sbx_in_str(input, "Name"));
    int n = cpw_sbx_sql_do(ctx->db,
                           on ? "UPDATE cloudtrail_trails SET logging = 1, started_ms = ?"
                                " WHERE account_id = ? AND name = ?"
                              : "UPDATE cloudtrail_trails SET logging = 0, stopped_ms = ?"
                                " WHERE account_id = ? AND name = ?",
                           "iss", ctx->req->now_ms, ctx->req->caller->account_id, name);
    if (n < 0) {
        return -1;
    }
    if (n == 0) {
        return s_no_trail(ctx, name);
    }
    cpw_sbx_add_resource(ctx, "AWS::CloudTrail::Trail", name);
    *output = json_object();
    return 0;
}

static int s_start_logging(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    return s_set_logging(ctx, input, output, true);
}

static int s_stop_logging(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    return s_set_logging(ctx, input, output, false);
}

/* The trail's home region into home: 0, 1 (the TrailNotFound answer is set) or -1. */
static int s_home_region(struct cpw_sbx_ctx *ctx, const char *name, char *home, size_t cap)
{
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      ctx->db, "SELECT region FROM cloudtrail_trails WHERE account_id = ? AND name = ?", "ss",
      ctx->req->caller->account_id, name);
    if (stmt == NULL) {
        return -1;
    }
    int rc = cpw_sbx_sql_step(stmt);
    if (rc == 1) {
        snprintf(home, cap, "%s", cpw_sbx_col(stmt, 0));
    }
    cpw_sbx_sql_done(stmt);
    if (rc == 0) {
        return s_no_trail(ctx, name);
    }
    return rc < 0 ? -1 : 0;
}

/* Changes to a trail are made in its home region (InvalidHomeRegionException elsewhere):
 * 0 here, 1 with the AWS error set, -1 failure. */
static int s_in_home_region(struct cpw_sbx_ctx *ctx, const char *name)
{
    char home[64] = "";
    int rc = s_home_region(ctx, name, home, sizeof(home));
    if (rc != 0) {
        return rc;
    }
    const char *region = ctx->req->caller->region ? ctx->req->caller->region : GLOBAL_REGION;
    if (strcmp(home, region) != 0) {
        return cpw_sbx_fail(ctx, 400, "InvalidHomeRegionException",
                            "This operation must be called from the trail's home region (%s).",
                            home);
    }
    return 0;
}

static json_t *s_default_selectors(void)
{
    return json_pack("[{s:s,s:b,s:[],s:[]}]", "ReadWriteType", "All", "IncludeManagementEvents", 1,
                     "DataResources", "ExcludeManagementEventSources");
}

static int s_get_event_selectors(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *name = s_trail_name(cpw_sbx_in_str(input, "TrailName"));
    sqlite3_stmt *stmt = cpw_sbx_sql_query(ctx->db,
                                           "SELECT region, selectors FROM cloudtrail_trails"
                                           " WHERE account_id = ? AND name = ?",
                                           "ss", ctx->req->caller->account_id, name);
    if (stmt == NULL) {
        return -1;
    }
    int rc = cpw_sbx_sql_step(stmt);
    if (rc == 1) {
        char arn[600];
        snprintf(arn, sizeof(arn), "arn:%s:cloudtrail:%s:%s:trail/%s",
                 cpw_sbx_partition(cpw_sbx_col(stmt, 0)), cpw_sbx_col(stmt, 0),
                 ctx->req->caller->account_id, name);
        json_t *stored = NULL;
        if (sqlite3_column_type(stmt, 1) != SQLITE_NULL &&
            cpw_json_load(cpw_span_from_cstr(cpw_sbx_col(stmt, 1)), CPW_JSON_MAX_TEXT_BYTES,
                          &stored) != 0) {
            cpw_error_clear(); /* a selector column this build did not write: the default */
        }
        json_t *out = json_pack("{s:s}", "TrailARN", arn);
        if (json_is_object(stored)) {
            json_object_update(out, stored);
        } else {
            json_object_set_new(out, "EventSelectors", s_default_selectors());
        }
        json_decref(stored);
        *output = out;
    }
    cpw_sbx_sql_done(stmt);
    if (rc == 0) {
        return s_no_trail(ctx, name);
    }
    return rc < 0 ? -1 : 0;
}

static int s_put_event_selectors(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *name = s_trail_name(cpw_sbx_in_str(input, "TrailName"));
    const json_t *basic = json_object_get(input, "EventSelectors");
    const json_t *advanced = json_object_get(input, "AdvancedEventSelectors");
    if ((basic == NULL) == (advanced == NULL)) {
        return cpw_sbx_fail(ctx, 400, "InvalidEventSelectorsException",
                            "Specify either EventSelectors or AdvancedEventSelectors.");
    }
    if (json_array_size(basic) > 5) {
        return cpw_sbx_fail(ctx, 400, "InvalidEventSelectorsException",
                            "A trail can have at most 5 event selectors.");
    }
    int home = s_in_home_region(ctx, name);
    if (home != 0) {
        return home;
    }
    json_t *stored = json_object();
    if (basic != NULL) {
        json_t *list = json_array();
        size_t i;
        json_t *sel;
        json_array_foreach(basic, i, sel)
        {
            json_t *one = json_deep_copy(sel);
            if (json_object_get(one, "ReadWriteType") == NULL) {
                json_object_set_new(one, "ReadWriteType", json_string("All"));
            }
            if (json_object_get(one, "IncludeManagementEvents") == NULL) {
                json_object_set_new(one, "IncludeManagementEvents", json_true());
            }
            json_array_append_new(list, one);
        }
        json_object_set_new(stored, "EventSelectors", list);
    } else {
        json_object_set(stored, "AdvancedEventSelectors", (json_t *)advanced);
    }
    struct cpw_buf text;
    cpw_buf_init(&text, CPW_JSON_MAX_TEXT_BYTES);
    int n = cpw_json_dump(stored, &text);
    if (n == 0) {
        n = cpw_sbx_sql_do(ctx->db,
                           "UPDATE cloudtrail_trails SET selectors = ? WHERE account_id = ?"
                           " AND name = ?",
                           "sss", cpw_buf_cstr(&text), ctx->req->caller->account_id, name);
    }
    cpw_buf_clean_up(&text);
    if (n < 0) {
        json_decref(stored);
        return -1;
    }
    char arn[600];
    const char *region = ctx->req->caller->region ? ctx->req->caller->region : GLOBAL_REGION;
    snprintf(arn, sizeof(arn), "arn:%s:cloudtrail:%s:%s:trail/%s", cpw_sbx_partition(region),
             region, ctx->req->caller->account_id, name);
    json_object_set_new(stored, "TrailARN", json_string(arn));
    cpw_sbx_add_resource(ctx, "AWS::CloudTrail::Trail", arn);
    *output = stored;
    return 0;
}

static int s_delete_trail(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *name = s_trail_name(cpw_sbx_in_str(input, "Name"));
    int home = s_in_home_region(ctx, name);
    if (home != 0) {
        return home;
    }
    if (cpw_sbx_sql_do(ctx->db, "DELETE FROM cloudtrail_trails WHERE account_id = ? AND name = ?",
                       "ss", ctx->req->caller->account_id, name) < 0) {
        return -1;
    }
    cpw_sbx_add_resource(ctx, "AWS::CloudTrail::Trail", name);
    *output = json_object();
    return 0;
}

static const struct cpw_sbx_op s_ops[] = {
    { "LookupEvents", s_lookup_events },
    { "CreateTrail", s_create_trail },
    { "DescribeTrails", s_describe_trails },
    { "GetTrailStatus", s_get_trail_status },
    { "StartLogging", s_start_logging },
    { "StopLogging", s_stop_logging },
    { "GetEventSelectors", s_get_event_selectors },
    { "PutEventSelectors", s_put_event_selectors },
    { "DeleteTrail", s_delete_trail },
};

const struct cpw_sbx_service cpw_sbx_cloudtrail_service = {
    .signing_name = "cloudtrail",
    .model_name = "cloudtrail",
    .event_source = "cloudtrail.amazonaws.com",
    .global = false,
    .ops = s_ops,
    .op_count = sizeof(s_ops) / sizeof(s_ops[0]),
    .schema_sql = s_schema,
};
