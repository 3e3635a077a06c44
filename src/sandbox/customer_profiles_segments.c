/*
 * customer_profiles_segments.c - Customer Profiles segments in the sandbox:
 * CreateSegmentDefinition, GetSegmentDefinition, ListSegmentDefinitions,
 * DeleteSegmentDefinition, CreateSegmentEstimate, GetSegmentEstimate, GetSegmentMembership,
 * CreateSegmentSnapshot and GetSegmentSnapshot.
 *
 * A segment definition holds either SegmentGroups (SegmentType CLASSIC) or a SegmentSqlQuery
 * (ENHANCED), is tagged on arn:aws:profile:REGION:ACCOUNT:domains/DOMAIN/segment-definitions/NAME
 * and cannot be deleted while an event trigger filters on it.
 *
 * Membership is computed from the domain's stored profiles, deterministically:
 *  - a segment's Groups combine by Include (ALL: every group holds, ANY: one does, NONE: none
 *    does; default ALL); a group holds when its Dimensions combine by Type and its
 *    SourceSegments (membership of those segments, nested at most 5 deep) by SourceType; an
 *    empty list holds;
 *  - a dimension's ProfileAttributes all hold: a Profile member ("FirstName"), a part of an
 *    address ("Address": {"City": ...}) or a custom attribute ("Attributes": {"tier": ...})
 *    is compared with the dimension's Values by its DimensionType: INCLUSIVE (equals one),
 *    EXCLUSIVE (equals none; an absent value qualifies), CONTAINS / BEGINS_WITH / ENDS_WITH
 *    (one of them, case-sensitive), EQUAL / GREATER_THAN / LESS_THAN / GREATER_THAN_OR_EQUAL /
 *    LESS_THAN_OR_EQUAL (with Values[0]), BETWEEN / NOT_BETWEEN (Values[0]..Values[1],
 *    inclusive), BEFORE / AFTER / ON (dates). Two numbers compare as numbers, anything else as
 *    strings (ISO 8601 dates sort as strings). An absent value satisfies only EXCLUSIVE;
 *  - CalculatedAttributes dimensions have no value in the sandbox: they hold only as EXCLUSIVE.
 *  - a SegmentSqlQuery is not evaluated: its estimates end FAILED, and memberships answer each
 *    profile as a failure saying so.
 *
 * Estimates and snapshots are asynchronous jobs: counted when created, they stay RUNNING
 * (IN_PROGRESS) for the profile_job_ms knob (default 2000 ms) and then read SUCCEEDED
 * (COMPLETED), evaluated lazily from timestamps. 200 snapshots a day per account and region.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpw/error.h"
#include "cpw/json.h"
#include "customer_profiles_config.h"

#define SEGMENT_LIST_MAX       500
#define SNAPSHOTS_PER_DAY      200
#define DAY_MS                 86400000LL
#define SOURCE_DEPTH_MAX       5
#define PROFILE_SCAN_MAX       100000
#define SQL_NOT_EVALUATED      "The sandbox does not evaluate SegmentSqlQuery segments."
#define SEGMENT_RESOURCE_TYPE  "AWS::CustomerProfiles::SegmentDefinition"
#define MEMBERSHIP_PROFILE_MAX 100

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ----- evaluation -------------------------------------------------------------------------- */

struct eval {
    struct cpw_sbx_ctx *ctx;
    const char *domain;
    int depth;
};

static bool s_number(const char *s, double *out)
{
    if (s == NULL || s[0] == '\0') {
        return false;
    }
    char *end = NULL;
    *out = strtod(s, &end);
    return end != NULL && *end == '\0';
}

/* <0, 0, >0 as a compares with b: numerically when both are numbers, else as strings. */
static int s_compare(const char *a, const char *b)
{
    double x = 0;
    double y = 0;
    if (s_number(a, &x) && s_number(b, &y)) {
        return x < y ? -1 : x > y ? 1 : 0;
    }
    return strcmp(a, b);
}

static bool s_ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s);
    size_t m = strlen(suffix);
    return m <= n && strcmp(s + n - m, suffix) == 0;
}

/* Whether value (NULL: absent) satisfies DimensionType op against values. */
static bool s_value_matches(const char *op, const char *value, const json_t *values)
{
    if (op == NULL) {
        return false;
    }
    if (strcmp(op, "EXCLUSIVE") == 0) {
        size_t i;
        const json_t *v;
        json_array_foreach(values, i, v)
        {
            if (value != NULL && json_is_string(v) && strcmp(value, json_string_value(v)) == 0) {
                return false;
            }
        }
        return true;
    }
    if (value == NULL) {
        return false;
    }
    const char *first = json_string_value(json_array_get(values, 0));
    const char *second = json_string_value(json_array_get(values, 1));
    if (strcmp(op, "INCLUSIVE") == 0 || strcmp(op, "CONTAINS") == 0 ||
        strcmp(op, "BEGINS_WITH") == 0 || strcmp(op, "ENDS_WITH") == 0) {
        size_t i;
        const json_t *v;
        json_array_foreach(values, i, v)
        {
            const char *w = json_string_value(v);
            if (w == NULL) {
                continue;
            }
            if ((op[0] == 'I' && strcmp(value, w) == 0) ||
                (op[0] == 'C' && strstr(value, w) != NULL) ||
                (op[0] == 'B' && strncmp(value, w, strlen(w)) == 0) ||
                (op[0] == 'E' && s_ends_with(value, w))) {
                return true;
            }
        }
        return false;
    }
    if (first == NULL) {
        return false;
    }
    int c = s_compare(value, first);
    if (strcmp(op, "EQUAL") == 0 || strcmp(op, "ON") == 0) {
        return c == 0;
    }
    if (strcmp(op, "GREATER_THAN") == 0 || strcmp(op, "AFTER") == 0) {
        return c > 0;
    }
    if (strcmp(op, "LESS_THAN") == 0 || strcmp(op, "BEFORE") == 0) {
        return c < 0;
    }
    if (strcmp(op, "GREATER_THAN_OR_EQUAL") == 0) {
        return c >= 0;
    }
    if (strcmp(op, "LESS_THAN_OR_EQUAL") == 0) {
        return c <= 0;
    }
    if ((strcmp(op, "BETWEEN") == 0 || strcmp(op, "NOT_BETWEEN") == 0) && second != NULL) {
        bool inside = c >= 0 && s_compare(value, second) <= 0;
        return op[0] == 'B' ? inside : !inside;
    }
    return false;
}

static bool s_dimension_holds(const json_t *dim, const json_t *value)
{
    char number[64];
    const char *text = json_string_value(value);
    if (json_is_integer(value)) {
        snprintf(number, sizeof(number), "%" JSON_INTEGER_FORMAT, json_integer_value(value));
        text = number;
    } else if (json_is_real(value)) {
        snprintf(number, sizeof(number), "%.17g", json_real_value(value));
        text = number;
    }
    return s_value_matches(cpw_sbx_in_str(dim, "DimensionType"), text,
                           json_object_get(dim, "Values"));
}

static bool s_is_address(const char *key)
{
    return strcmp(key, "Address") == 0 || strcmp(key, "ShippingAddress") == 0 ||
           strcmp(key, "MailingAddress") == 0 || strcmp(key, "BillingAddress") == 0;
}

/* Every attribute of a ProfileAttributes dimension holds for profile. */
static bool s_profile_attributes_hold(const json_t *attrs, const json_t *profile)
{
    const char *key;
    const json_t *dim;
    json_object_foreach((json_t *)attrs, key, dim)
    {
        if (strcmp(key, "Attributes") == 0 || s_is_address(key)) {
            const json_t *have = json_object_get(profile, key);
            const char *part;
            const json_t *sub;
            json_object_foreach((json_t *)dim, part, sub)
            {
                if (!s_dimension_holds(sub, json_object_get(have, part))) {
                    return false;
                }
            }
        } else if (!s_dimension_holds(dim, json_object_get(profile, key))) {
            return false;
        }
    }
    return true;
}

/* Calculated attributes have no value in the sandbox: only EXCLUSIVE holds. */
static bool s_calculated_hold(const json_t *attrs)
{
    const char *key;
    const json_t *dim;
    json_object_foreach((json_t *)attrs, key, dim)
    {
        if (!s_dimension_holds(dim, NULL)) {
            return false;
        }
    }
    return true;
}

/* ALL / ANY / NONE over results[0..n); an empty list holds. */
static bool s_combine(const char *include, const bool *results, size_t n)
{
    if (n == 0) {
        return true;
    }
    size_t held = 0;
    for (size_t i = 0; i < n; i++) {
        held += results[i] ? 1 : 0;
    }
    if (include != NULL && strcmp(include, "ANY") == 0) {
        return held > 0;
    }
    if (include != NULL && strcmp(include, "NONE") == 0) {
        return held == 0;
    }
    return held == n;
}

static int s_groups_hold(struct eval *ev, const json_t *groups, const json_t *profile, bool *out);

/* Whether profile is a member of segment name (a CLASSIC definition of the domain). */
static int s_member_of(struct eval *ev, const char *name, const json_t *profile, bool *out)
{
    *out = false;
    if (name == NULL || ev->depth >= SOURCE_DEPTH_MAX) {
        return 0;
    }
    json_t *def = NULL;
    if (cpw_cp_item_get(ev->ctx, ev->domain, CPW_CP_SEGMENT, name, &def) != 0) {
        return -1;
    }
    int rc = 0;
    const json_t *groups = json_object_get(def, "SegmentGroups");
    if (groups != NULL) {
        ev->depth++;
        rc = s_groups_hold(ev, groups, profile, out);
        ev->depth--;
    }
    json_decref(def);
    return rc;
}

static int s_group_holds(struct eval *ev, const json_t *group, const json_t *profile, bool *out)
{
    bool results[64];
    const json_t *dims = json_object_get(group, "Dimensions");
    size_t n = 0;
    size_t i;
    const json_t *dim;
    json_array_foreach(dims, i, dim)
    {
        if (n == COUNT(results)) {
            break;
        }
        bool held = true;
        const json_t *attrs = json_object_get(dim, "ProfileAttributes");
        const json_t *calc = json_object_get(dim, "CalculatedAttributes");
        if (attrs != NULL) {
            held = s_profile_attributes_hold(attrs, profile);
        }
        if (calc != NULL) {
            held = held && s_calculated_hold(calc);
        }
        results[n++] = held;
    }
    if (!s_combine(cpw_sbx_in_str(group, "Type"), results, n)) {
        *out = false;
        return 0;
    }
    n = 0;
    const json_t *source;
    json_array_foreach(json_object_get(group, "SourceSegments"), i, source)
    {
        if (n == COUNT(results)) {
            break;
        }
        if (s_member_of(ev, cpw_sbx_in_str(source, "SegmentDefinitionName"), profile,
                        &results[n]) != 0) {
            return -1;
        }
        n++;
    }
    *out = s_combine(cpw_sbx_in_str(group, "SourceType"), results, n);
    return 0;
}

static int s_groups_hold(struct eval *ev, const json_t *groups, const json_t *profile, bool *out)
{
    bool results[64];
    size_t n = 0;
    size_t i;
    const json_t *group;
    json_array_foreach(json_object_get(groups, "Groups"), i, group)
    {
        if (n == COUNT(results)) {
            break;
        }
        if (s_group_holds(ev, group, profile, &results[n]) != 0) {
            return -1;
        }
        n++;
    }
    *out = s_combine(cpw_sbx_in_str(groups, "Include"), results, n);
    return 0;
}

/* Number of the domain's profiles that groups select. Returns 0 or -1. */
static int s_count_members(struct cpw_sbx_ctx *ctx,
                           const char *domain,
                           const json_t *groups,
                           int64_t *count)
{
    *count = 0;
    sqlite3_stmt *stmt =
      cpw_sbx_sql_query(ctx->db,
                        "SELECT doc FROM cp_items WHERE account_id = ? AND region = ?"
                        " AND domain = ? AND kind = ? ORDER BY name LIMIT ?",
                        "ssssi", ctx->req->caller->account_id, cpw_cp_region(ctx), domain,
                        CPW_CP_PROFILE, (int64_t)PROFILE_SCAN_MAX);
    if (stmt == NULL) {
        return -1;
    }
    struct eval ev = { .ctx = ctx, .domain = domain, .depth = 0 };
    int rc;
    while ((rc = cpw_sbx_sql_step(stmt)) == 1) {
        json_t *profile = NULL;
        bool member = false;
        if (cpw_json_load(cpw_span_from_cstr(cpw_sbx_col(stmt, 0)), CPW_JSON_MAX_TEXT_BYTES,
                          &profile) != 0 ||
            s_groups_hold(&ev, groups, profile, &member) != 0) {
            cpw_json_release(profile);
            rc = -1;
            break;
        }
        cpw_json_release(profile);
        *count += member ? 1 : 0;
    }
    cpw_sbx_sql_done(stmt);
    return rc < 0 ? -1 : 0;
}

/* ----- definitions ------------------------------------------------------------------------- */

static void s_resource(struct cpw_sbx_ctx *ctx,
                       const char *domain,
                       const char *name,
                       char *arn,
                       size_t cap)
{
    cpw_cp_cfg_resource(ctx, domain, "segment-definitions", name, SEGMENT_RESOURCE_TYPE, arn, cap);
}

/* Every SourceSegments name of groups exists in the domain: 0, 1 answered, -1. */
static int s_check_sources(struct cpw_sbx_ctx *ctx, const char *domain, const json_t *groups)
{
    size_t i;
    const json_t *group;
    json_array_foreach(json_object_get(groups, "Groups"), i, group)
    {
        size_t j;
        const json_t *source;
        json_array_foreach(json_object_get(group, "SourceSegments"), j, source)
        {
            const char *name = cpw_sbx_in_str(source, "SegmentDefinitionName");
            json_t *def = NULL;
            if (name != NULL && cpw_cp_item_get(ctx, domain, CPW_CP_SEGMENT, name, &def) != 0) {
                return -1;
            }
            if (def == NULL) {
                return cpw_cp_bad(ctx, "Source segment %s does not exist in domain %s.",
                                  name ? name : "", domain);
            }
            json_decref(def);
        }
    }
    return 0;
}

int cpw_cp_create_segment_definition(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *domain = cpw_sbx_in_str(input, "DomainName");
    const char *name = cpw_sbx_in_str(input, "SegmentDefinitionName");
    char arn[800];
    s_resource(ctx, domain, name, arn, sizeof(arn));
    int rc = cpw_cp_need_domain(ctx, domain);
    if (rc != 0) {
        return rc;
    }
    const char *display = cpw_sbx_in_str(input, "DisplayName");
    if (name == NULL || name[0] == '\0' || display == NULL || display[0] == '\0') {
        return cpw_cp_bad(ctx, "SegmentDefinitionName and DisplayName are required.");
    }
    const json_t *groups = json_object_get(input, "SegmentGroups");
    const json_t *sql = json_object_get(input, "SegmentSqlQuery");
    if ((groups == NULL) == (sql == NULL)) {
        return cpw_cp_bad(ctx, "Exactly one of SegmentGroups and SegmentSqlQuery is required.");
    }
    if ((rc = cpw_cp_check_tags(ctx, json_object_get(input, "Tags"))) != 0 ||
        (groups != NULL && (rc = s_check_sources(ctx, domain, groups)) != 0)) {
        return rc;
    }
    json_t *existing = NULL;
    if (cpw_cp_item_get(ctx, domain, CPW_CP_SEGMENT, name, &existing) != 0) {
        return -1;
    }
    if (existing != NULL) {
        json_decref(existing);
        return cpw_cp_bad(ctx, "Segment definition %s already exists in domain %s.", name, domain);
    }
    static const char *const fields[] = { "DisplayName",     "Description", "SegmentGroups",
                                          "SegmentSqlQuery", "SegmentSort", "Tags" };
    json_t *doc = json_pack("{s:s,s:s,s:s}", "SegmentDefinitionName", name, "SegmentDefinitionArn",
                            arn, "SegmentType", groups != NULL ? "CLASSIC" : "ENHANCED");
    cpw_cp_cfg_merge(doc, input, fields, COUNT(fields));
    json_t *stored = NULL;
    rc = cpw_cp_item_put(ctx, domain, CPW_CP_SEGMENT, name, doc);
    json_decref(doc);
    if (rc != 0 || cpw_cp_item_get(ctx, domain, CPW_CP_SEGMENT, name, &stored) != 0) {
        return -1;
    }
    static const char *const answer[] = { "SegmentDefinitionName", "DisplayName",
                                          "Description",           "CreatedAt",
                                          "SegmentDefinitionArn",  "Tags" };
    *output = cpw_cp_cfg_pick(stored, answer, COUNT(answer));
    json_decref(stored);
    return 0;
}

int cpw_cp_get_segment_definition(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    int rc =
      cpw_cp_cfg_need(ctx, cpw_sbx_in_str(input, "DomainName"), CPW_CP_SEGMENT,
                      cpw_sbx_in_str(input, "SegmentDefinitionName"), "Segment definition", output);
    if (rc == 0) {
        json_object_del(*output, "LastUpdatedAt"); /* not a member of the answer */
    }
    return rc;
}

static json_t *s_list_item(struct cpw_sbx_ctx *ctx, const json_t *input, const json_t *doc)
{
    static const char *const keep[] = { "SegmentDefinitionName",
                                        "DisplayName",
                                        "Description",
                                        "SegmentDefinitionArn",
                                        "CreatedAt",
                                        "Tags",
                                        "SegmentType" };
    (void)ctx;
    (void)input;
    return cpw_cp_cfg_pick(doc, keep, COUNT(keep));
}

int cpw_cp_list_segment_definitions(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    return cpw_cp_cfg_list(ctx, input, CPW_CP_SEGMENT, SEGMENT_LIST_MAX, false, s_list_item,
                           output);
}

int cpw_cp_delete_segment_definition(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *domain = cpw_sbx_in_str(input, "DomainName");
    const char *name = cpw_sbx_in_str(input, "SegmentDefinitionName");
    char arn[800];
    s_resource(ctx, domain, name, arn, sizeof(arn));
    json_t *doc = NULL;
    int rc = cpw_cp_cfg_need(ctx, domain, CPW_CP_SEGMENT, name, "Segment definition", &doc);
    if (rc != 0) {
        return rc;
    }
    json_decref(doc);
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      ctx->db,
      "SELECT name FROM cp_items WHERE account_id = ? AND region = ? AND domain = ? AND kind = ?"
      " AND json_extract(doc, '$.SegmentFilter') = ? ORDER BY name LIMIT 1",
      "sssss", ctx->req->caller->account_id, cpw_cp_region(ctx), domain, CPW_CP_EVENT_TRIGGER,
      name);
    if (stmt == NULL) {
        return -1;
    }
    rc = cpw_sbx_sql_step(stmt);
    if (rc == 1) {
        rc = cpw_cp_bad(ctx, "Segment definition %s is used by event trigger %s.", name,
                        cpw_sbx_col(stmt, 0));
        cpw_sbx_sql_done(stmt);
        return rc;
    }
    cpw_sbx_sql_done(stmt);
    if (rc < 0 || cpw_cp_item_delete(ctx, domain, CPW_CP_SEGMENT, name) < 0) {
        return -1;
    }
    /* Its snapshots go with it. */
    if (cpw_sbx_sql_do(ctx->db,
                       "DELETE FROM cp_items WHERE account_id = ? AND region = ? AND domain = ?"
                       " AND kind = ? AND json_extract(doc, '$.SegmentDefinitionName') = ?",
                       "sssss", ctx->req->caller->account_id, cpw_cp_region(ctx), domain,
                       CPW_CP_SEGMENT_SNAPSHOT, name) < 0) {
        return -1;
    }
    *output = json_pack("{s:s}", "Message", "Segment definition deleted");
    return 0;
}

/* ----- estimates --------------------------------------------------------------------------- */

int cpw_cp_create_segment_estimate(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *domain = cpw_sbx_in_str(input, "DomainName");
    int rc = cpw_cp_need_domain(ctx, domain);
    if (rc != 0) {
        return rc;
    }
    const json_t *query = json_object_get(input, "SegmentQuery");
    const json_t *sql = json_object_get(input, "SegmentSqlQuery");
    if ((query == NULL) == (sql == NULL)) {
        return cpw_cp_bad(ctx, "Exactly one of SegmentQuery and SegmentSqlQuery is required.");
    }
    if (query != NULL && (rc = s_check_sources(ctx, domain, query)) != 0) {
        return rc;
    }
    int64_t count = 0;
    if (query != NULL && s_count_members(ctx, domain, query, &count) != 0) {
        return -1;
    }
    char id[33];
    if (cpw_cp_cfg_hex_id(id) != 0) {
        return -1;
    }
    json_t *doc = json_pack(
      "{s:s,s:I,s:I,s:b}", "EstimateId", id, "_count", (json_int_t)count, "_due_ms",
      (json_int_t)ctx->req->now_ms + (json_int_t)cpw_cp_cfg_job_ms(ctx), "_sql", sql != NULL);
    rc = cpw_cp_item_put(ctx, domain, CPW_CP_SEGMENT_ESTIMATE, id, doc);
    json_decref(doc);
    if (rc != 0) {
        return -1;
    }
    *output = json_pack("{s:s,s:s,s:i}", "DomainName", domain, "EstimateId", id, "StatusCode", 200);
    return 0;
}

int cpw_cp_get_segment_estimate(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *domain = cpw_sbx_in_str(input, "DomainName");
    const char *id = cpw_sbx_in_str(input, "EstimateId");
    json_t *doc = NULL;
    int rc = cpw_cp_cfg_need(ctx, domain, CPW_CP_SEGMENT_ESTIMATE, id, "Segment estimate", &doc);
    if (rc != 0) {
        return rc;
    }
    int64_t due_ms = 0;
    int64_t count = 0;
    (void)cpw_sbx_in_int(doc, "_due_ms", 0, &due_ms);
    (void)cpw_sbx_in_int(doc, "_count", 0, &count);
    bool sql = json_is_true(json_object_get(doc, "_sql"));
    json_decref(doc);
    json_t *out =
      json_pack("{s:s,s:s,s:i}", "DomainName", domain, "EstimateId", id, "StatusCode", 200);
    if (ctx->req->now_ms < due_ms) {
        json_object_set_new(out, "Status", json_string("RUNNING"));
    } else if (sql) {
        json_object_set_new(out, "Status", json_string("FAILED"));
        json_object_set_new(out, "Message", json_string(SQL_NOT_EVALUATED));
    } else {
        char text[32];
        snprintf(text, sizeof(text), "%" PRId64, count);
        json_object_set_new(out, "Status", json_string("SUCCEEDED"));
        json_object_set_new(out, "Estimate", json_string(text));
    }
    *output = out;
    return 0;
}

/* ----- membership -------------------------------------------------------------------------- */

int cpw_cp_get_segment_membership(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *domain = cpw_sbx_in_str(input, "DomainName");
    const char *name = cpw_sbx_in_str(input, "SegmentDefinitionName");
    const json_t *ids = json_object_get(input, "ProfileIds");
    json_t *def = NULL;
    int rc = cpw_cp_cfg_need(ctx, domain, CPW_CP_SEGMENT, name, "Segment definition", &def);
    if (rc != 0) {
        return rc;
    }
    size_t n = json_array_size(ids);
    if (n < 1 || n > MEMBERSHIP_PROFILE_MAX) {
        json_decref(def);
        return cpw_cp_bad(ctx, "ProfileIds must hold 1 to %d profile ids.", MEMBERSHIP_PROFILE_MAX);
    }
    const json_t *groups = json_object_get(def, "SegmentGroups");
    struct eval ev = { .ctx = ctx, .domain = domain, .depth = 0 };
    json_t *profiles = json_array();
    json_t *failures = json_array();
    size_t i;
    const json_t *idv;
    json_array_foreach(ids, i, idv)
    {
        const char *id = json_string_value(idv);
        json_t *profile = NULL;
        if (id != NULL && cpw_cp_item_get(ctx, domain, CPW_CP_PROFILE, id, &profile) != 0) {
            rc = -1;
            break;
        }
        if (profile == NULL) {
            cpw_json_append_take(failures,
                                 json_pack("{s:s,s:s,s:i}", "ProfileId", id ? id : "", "Message",
                                           "Profile not found", "Status", 404));
            continue;
        }
        if (groups == NULL) {
            cpw_json_append_take(failures, json_pack("{s:s,s:s,s:i}", "ProfileId", id, "Message",
                                                     SQL_NOT_EVALUATED, "Status", 400));
            cpw_json_release(profile);
            continue;
        }
        bool member = false;
        if (s_groups_hold(&ev, groups, profile, &member) != 0) {
            cpw_json_release(profile);
            rc = -1;
            break;
        }
        json_t *item =
          json_pack("{s:s,s:s}", "ProfileId", id, "QueryResult", member ? "PRESENT" : "ABSENT");
        if (member) {
            json_object_del(profile, "CreatedAt");
            json_object_del(profile, "LastUpdatedAt");
            cpw_cp_cfg_strip(profile);
            cpw_json_set_take(item, "Profile", profile);
        } else {
            cpw_json_release(profile);
        }
        cpw_json_append_take(profiles, item);
    }
    json_decref(def);
    if (rc != 0) {
        json_decref(profiles);
        json_decref(failures);
        return -1;
    }
    *output =
      json_pack("{s:s,s:o,s:o,s:o}", "SegmentDefinitionName", name, "Profiles", profiles,
                "Failures", failures, "LastComputedAt", cpw_sbx_time_json(ctx->req->now_ms));
    return 0;
}

/* ----- snapshots --------------------------------------------------------------------------- */

int cpw_cp_create_segment_snapshot(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *domain = cpw_sbx_in_str(input, "DomainName");
    const char *name = cpw_sbx_in_str(input, "SegmentDefinitionName");
    char arn[800];
    s_resource(ctx, domain, name, arn, sizeof(arn));
    json_t *def = NULL;
    int rc = cpw_cp_cfg_need(ctx, domain, CPW_CP_SEGMENT, name, "Segment definition", &def);
    if (rc != 0) {
        return rc;
    }
    if (cpw_sbx_in_str(input, "DataFormat") == NULL) {
        json_decref(def);
        return cpw_cp_bad(ctx, "DataFormat is required.");
    }
    sqlite3_stmt *stmt =
      cpw_sbx_sql_query(ctx->db,
                        "SELECT count(*) FROM cp_items WHERE account_id = ? AND region = ?"
                        " AND kind = ? AND created_ms > ?",
                        "sssi", ctx->req->caller->account_id, cpw_cp_region(ctx),
                        CPW_CP_SEGMENT_SNAPSHOT, ctx->req->now_ms - DAY_MS);
    if (stmt == NULL || cpw_sbx_sql_step(stmt) != 1) {
        cpw_sbx_sql_done(stmt);
        json_decref(def);
        return -1;
    }
    int64_t today = sqlite3_column_int64(stmt, 0);
    cpw_sbx_sql_done(stmt);
    if (today >= SNAPSHOTS_PER_DAY) {
        json_decref(def);
        return cpw_cp_bad(ctx,
                          "You have reached the maximum number of segment snapshots (%d) a day.",
                          SNAPSHOTS_PER_DAY);
    }
    int64_t count = 0;
    const json_t *groups = json_object_get(def, "SegmentGroups");
    rc = groups != NULL ? s_count_members(ctx, domain, groups, &count) : 0;
    json_decref(def);
    char id[33];
    if (rc != 0 || cpw_cp_cfg_hex_id(id) != 0) {
        return -1;
    }
    static const char *const fields[] = { "DataFormat", "DestinationUri", "EncryptionKey",
                                          "RoleArn" };
    json_t *doc = json_pack("{s:s,s:s,s:I,s:I,s:b}", "SnapshotId", id, "SegmentDefinitionName",
                            name, "_count", (json_int_t)count, "_due_ms",
                            (json_int_t)ctx->req->now_ms + (json_int_t)cpw_cp_cfg_job_ms(ctx),
                            "_sql", groups == NULL);
    cpw_cp_cfg_merge(doc, input, fields, COUNT(fields));
    rc = cpw_cp_item_put(ctx, domain, CPW_CP_SEGMENT_SNAPSHOT, id, doc);
    json_decref(doc);
    if (rc != 0) {
        return -1;
    }
    *output = json_pack("{s:s}", "SnapshotId", id);
    return 0;
}

int cpw_cp_get_segment_snapshot(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *domain = cpw_sbx_in_str(input, "DomainName");
    const char *name = cpw_sbx_in_str(input, "SegmentDefinitionName");
    const char *id = cpw_sbx_in_str(input, "SnapshotId");
    json_t *doc = NULL;
    int rc = cpw_cp_cfg_need(ctx, domain, CPW_CP_SEGMENT_SNAPSHOT, id, "Segment snapshot", &doc);
    if (rc != 0) {
        return rc;
    }
    const char *owner = cpw_sbx_in_str(doc, "SegmentDefinitionName");
    if (owner == NULL || name == NULL || strcmp(owner, name) != 0) {
        json_decref(doc);
        return cpw_cp_not_found(ctx, "Segment snapshot %s does not exist for segment %s.", id,
                                name ? name : "");
    }
    int64_t due_ms = 0;
    int64_t count = 0;
    (void)cpw_sbx_in_int(doc, "_due_ms", 0, &due_ms);
    (void)cpw_sbx_in_int(doc, "_count", 0, &count);
    bool sql = json_is_true(json_object_get(doc, "_sql"));
    static const char *const keep[] = { "SnapshotId", "DataFormat", "DestinationUri",
                                        "EncryptionKey", "RoleArn" };
    json_t *out = cpw_cp_cfg_pick(doc, keep, COUNT(keep));
    json_decref(doc);
    char message[128];
    if (ctx->req->now_ms < due_ms) {
        json_object_set_new(out, "Status", json_string("IN_PROGRESS"));
    } else if (sql) {
        json_object_set_new(out, "Status", json_string("FAILED"));
        json_object_set_new(out, "StatusMessage", json_string(SQL_NOT_EVALUATED));
    } else {
        snprintf(message, sizeof(message), "Exported %" PRId64 " profiles.", count);
        json_object_set_new(out, "Status", json_string("COMPLETED"));
        json_object_set_new(out, "StatusMessage", json_string(message));
    }
    *output = out;
    return 0;
}
