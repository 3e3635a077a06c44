/*
 * cloudwatch.c - CloudWatch metrics in the sandbox: PutMetricData stores data points per account,
 * region, namespace, metric name and dimension set; ListMetrics lists the metrics; GetMetricData
 * answers MetricStat queries with Sum, Average, Maximum, Minimum or SampleCount per period.
 *
 * Enough to check what `cpwarden metrics --cloudwatch` publishes with the AWS CLI (query
 * protocol, as Debian's AWS CLI v2 speaks it). Not emulated: metric math expressions, alarms,
 * dashboards, high-resolution storage rules and data retention (points are kept as sent).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/error.h"
#include "cpw/json.h"
#include "sbx_service.h"

#define MAX_METRIC_DATA 1000 /* per PutMetricData */
#define MAX_DIMENSIONS  30
#define MAX_VALUES      150 /* Values/Counts per datum */
#define LIST_PAGE       500
#define MAX_QUERIES     500
#define MAX_DATAPOINTS  100800
#define NAME_MAX_LEN    255
#define DIM_VALUE_MAX   1024
#define TWO_WEEKS_MS    (14LL * 24 * 3600 * 1000)
#define TWO_HOURS_MS    (2LL * 3600 * 1000)

static const char s_schema[] =
  "CREATE TABLE IF NOT EXISTS cloudwatch_points("
  " account_id TEXT NOT NULL REFERENCES accounts(account_id) ON DELETE CASCADE,"
  " region TEXT NOT NULL, namespace TEXT NOT NULL, metric_name TEXT NOT NULL,"
  " dimensions TEXT NOT NULL, time_ms INTEGER NOT NULL, sample_count REAL NOT NULL,"
  " sum REAL NOT NULL, minimum REAL NOT NULL, maximum REAL NOT NULL, unit TEXT NOT NULL) STRICT;"
  "CREATE INDEX IF NOT EXISTS cloudwatch_points_metric ON cloudwatch_points("
  " account_id, region, namespace, metric_name, dimensions, time_ms);";

static const char *s_region(const struct cpw_sbx_ctx *ctx)
{
    return ctx->req->caller->region ? ctx->req->caller->region : "us-east-1";
}

/* A number member (JSON number, or decimal text as the query protocol may carry it). */
static int s_in_double(const json_t *obj, const char *key, double *out)
{
    const json_t *v = json_object_get(obj, key);
    if (v == NULL) {
        return 0;
    }
    if (json_is_number(v)) {
        *out = json_number_value(v);
        return 2;
    }
    if (json_is_string(v)) {
        char *end = NULL;
        double d = strtod(json_string_value(v), &end);
        if (end && *end == '\0' && end != json_string_value(v)) {
            *out = d;
            return 2;
        }
    }
    return 1;
}

static int s_cmp_dims(const void *a, const void *b)
{
    const json_t *const *x = a;
    const json_t *const *y = b;
    return strcmp(cpw_sbx_in_str(*x, "Name"), cpw_sbx_in_str(*y, "Name"));
}

/*
 * The dimension list in its canonical stored form (sorted by name, compact JSON) into out.
 * Returns 0, 1 after answering InvalidParameterValue (missing name/value, duplicate, too many),
 * or -1. With filter true a dimension may lack its Value (ListMetrics' DimensionFilter).
 */
static int s_dims(struct cpw_sbx_ctx *ctx, const json_t *list, bool filter, struct cpw_buf *out)
{
    size_t n = json_array_size(list);
    if (n > MAX_DIMENSIONS) {
        return cpw_sbx_fail(ctx, 400, "InvalidParameterValue",
                            "The collection Dimensions must not have a size greater than %d.",
                            MAX_DIMENSIONS);
    }
    const json_t *items[MAX_DIMENSIONS];
    for (size_t i = 0; i < n; i++) {
        items[i] = json_array_get(list, i);
        const char *name = cpw_sbx_in_str(items[i], "Name");
        const char *value = cpw_sbx_in_str(items[i], "Value");
        if (name == NULL || *name == '\0' || strlen(name) > NAME_MAX_LEN ||
            (!filter && (value == NULL || *value == '\0')) ||
            (value != NULL && strlen(value) > DIM_VALUE_MAX)) {
            return cpw_sbx_fail(ctx, 400, "InvalidParameterValue",
                                "Each dimension needs a Name (1-255) and a Value (1-1024).");
        }
    }
    qsort(items, n, sizeof(items[0]), s_cmp_dims);
    json_t *sorted = json_array();
    for (size_t i = 0; i < n; i++) {
        const char *name = cpw_sbx_in_str(items[i], "Name");
        if (i > 0 && strcmp(name, cpw_sbx_in_str(items[i - 1], "Name")) == 0) {
            json_decref(sorted);
            return cpw_sbx_fail(ctx, 400, "InvalidParameterValue",
                                "No metric may have duplicate dimensions (%s).", name);
        }
        const char *value = cpw_sbx_in_str(items[i], "Value");
        json_array_append_new(sorted, value ? json_pack("{s:s, s:s}", "Name", name, "Value", value)
                                            : json_pack("{s:s}", "Name", name));
    }
    int rc = cpw_json_dump(sorted, out);
    json_decref(sorted);
    return rc;
}

static int s_name_ok(struct cpw_sbx_ctx *ctx, const char *what, const char *name)
{
    if (name == NULL || *name == '\0' || strlen(name) > NAME_MAX_LEN) {
        return cpw_sbx_fail(ctx, 400, "MissingParameter",
                            "The parameter %s is required and has 1 to 255 characters.", what);
    }
    return 0;
}

/* ----- PutMetricData ----------------------------------------------------------------------- */

/* One datum: its statistics from Value, Values/Counts or StatisticValues. 0, 1 answered, -1. */
static int s_put_datum(struct cpw_sbx_ctx *ctx, const char *ns, const json_t *datum)
{
    const char *name = cpw_sbx_in_str(datum, "MetricName");
    int rc = s_name_ok(ctx, "MetricData.member.N.MetricName", name);
    if (rc != 0) {
        return rc;
    }
    struct cpw_buf dims;
    cpw_buf_init(&dims, 64u * 1024u);
    rc = s_dims(ctx, json_object_get(datum, "Dimensions"), false, &dims);
    if (rc != 0) {
        cpw_buf_clean_up(&dims);
        return rc;
    }
    int64_t now = ctx->req->now_ms;
    int64_t at = now;
    if (cpw_sbx_in_time(datum, "Timestamp", &at) == 1 || at < now - TWO_WEEKS_MS ||
        at > now + TWO_HOURS_MS) {
        cpw_buf_clean_up(&dims);
        return cpw_sbx_fail(ctx, 400, "InvalidParameterValue",
                            "The timestamp must be within the last two weeks and at most two "
                            "hours ahead.");
    }
    double count = 0;
    double sum = 0;
    double min = INFINITY;
    double max = -INFINITY;
    double value = 0;
    const json_t *values = json_object_get(datum, "Values");
    const json_t *counts = json_object_get(datum, "Counts");
    const json_t *stats = json_object_get(datum, "StatisticValues");
    int has_value = s_in_double(datum, "Value", &value);
    int kinds = (has_value == 2) + (json_array_size(values) > 0) + (stats != NULL);
    if (has_value == 1 || kinds != 1 || json_array_size(values) > MAX_VALUES ||
        (counts && json_array_size(counts) != json_array_size(values))) {
        cpw_buf_clean_up(&dims);
        return cpw_sbx_fail(ctx, 400, "InvalidParameterCombination",
                            "Each datum needs exactly one of Value, Values (with as many "
                            "Counts) or StatisticValues.");
    }
    if (has_value == 2) {
        count = 1;
        sum = min = max = value;
    } else if (stats) {
        if (s_in_double(stats, "SampleCount", &count) != 2 ||
            s_in_double(stats, "Sum", &sum) != 2 || s_in_double(stats, "Minimum", &min) != 2 ||
            s_in_double(stats, "Maximum", &max) != 2 || count <= 0) {
            cpw_buf_clean_up(&dims);
            return cpw_sbx_fail(ctx, 400, "MissingParameter",
                                "StatisticValues needs SampleCount, Sum, Minimum and Maximum.");
        }
    } else {
        for (size_t i = 0; i < json_array_size(values); i++) {
            const json_t *v = json_array_get(values, i);
            const json_t *c = counts ? json_array_get(counts, i) : NULL;
            double x = json_is_number(v)
                         ? json_number_value(v)
                         : strtod(json_string_value(v) ? json_string_value(v) : "0", NULL);
            double k = c == NULL ? 1
                       : json_is_number(c)
                         ? json_number_value(c)
                         : strtod(json_string_value(c) ? json_string_value(c) : "1", NULL);
            count += k;
            sum += x * k;
            min = x < min ? x : min;
            max = x > max ? x : max;
        }
    }
    if (!isfinite(sum) || !isfinite(min) || !isfinite(max)) {
        cpw_buf_clean_up(&dims);
        return cpw_sbx_fail(ctx, 400, "InvalidParameterValue", "Values must be finite numbers.");
    }
    const char *unit = cpw_sbx_in_str(datum, "Unit");
    int changed = 0;
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      ctx->db,
      "INSERT INTO cloudwatch_points (account_id, region, namespace, metric_name, dimensions,"
      " time_ms, sample_count, sum, minimum, maximum, unit) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
      " ?)",
      "sssssi", ctx->req->caller->account_id, s_region(ctx), ns, name, cpw_buf_cstr(&dims), at);
    if (stmt != NULL) {
        sqlite3_bind_double(stmt, 7, count);
        sqlite3_bind_double(stmt, 8, sum);
        sqlite3_bind_double(stmt, 9, min);
        sqlite3_bind_double(stmt, 10, max);
        sqlite3_bind_text(stmt, 11, unit ? unit : "None", -1, SQLITE_TRANSIENT);
        changed = cpw_sbx_sql_step(stmt);
        cpw_sbx_sql_done(stmt);
    }
    cpw_buf_clean_up(&dims);
    return stmt != NULL && changed >= 0 ? 0 : -1;
}

static int s_put_metric_data(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *ns = cpw_sbx_in_str(input, "Namespace");
    int rc = s_name_ok(ctx, "Namespace", ns);
    if (rc != 0) {
        return rc;
    }
    if (strncmp(ns, "AWS/", 4) == 0 || ns[0] == ':') {
        return cpw_sbx_fail(ctx, 400, "InvalidParameterValue",
                            "The value %s for parameter Namespace is not valid.", ns);
    }
    const json_t *data = json_object_get(input, "MetricData");
    size_t n = json_array_size(data);
    if (n == 0 || n > MAX_METRIC_DATA) {
        return cpw_sbx_fail(ctx, 400, "InvalidParameterValue",
                            "The collection MetricData must have 1 to %d members.",
                            MAX_METRIC_DATA);
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        rc = s_put_datum(ctx, ns, json_array_get(data, i));
    }
    if (rc == 0) {
        *output = json_object();
    }
    return rc;
}

/* ----- ListMetrics ------------------------------------------------------------------------- */

/* True when every filter dimension is in dims (with its value, when the filter gives one). */
static bool s_dims_match(const json_t *dims, const json_t *filter)
{
    for (size_t i = 0; i < json_array_size(filter); i++) {
        const json_t *f = json_array_get(filter, i);
        const char *value = cpw_sbx_in_str(f, "Value");
        bool found = false;
        for (size_t k = 0; !found && k < json_array_size(dims); k++) {
            const json_t *d = json_array_get(dims, k);
            found = strcmp(cpw_sbx_in_str(d, "Name"), cpw_sbx_in_str(f, "Name")) == 0 &&
                    (value == NULL || strcmp(cpw_sbx_in_str(d, "Value"), value) == 0);
        }
        if (!found) {
            return false;
        }
    }
    return true;
}

static int s_list_metrics(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *ns = cpw_sbx_in_str(input, "Namespace");
    const char *name = cpw_sbx_in_str(input, "MetricName");
    struct cpw_buf filter_text;
    cpw_buf_init(&filter_text, 64u * 1024u);
    int rc = s_dims(ctx, json_object_get(input, "Dimensions"), true, &filter_text);
    json_t *filter = NULL;
    if (rc == 0 && cpw_json_load(cpw_buf_span(&filter_text), 64u * 1024u, &filter) != 0) {
        rc = -1;
    }
    cpw_buf_clean_up(&filter_text);
    int64_t skip = 0;
    const char *token = cpw_sbx_in_str(input, "NextToken");
    if (rc == 0 && token != NULL) {
        char *end = NULL;
        long long v = strtoll(token, &end, 10);
        if (end == token || *end != '\0' || v < 0) {
            rc = cpw_sbx_fail(ctx, 400, "InvalidNextToken", "The NextToken is not valid.");
        }
        skip = v;
    }
    if (rc != 0) {
        json_decref(filter);
        return rc;
    }
    const char *region = s_region(ctx);
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      ctx->db,
      "SELECT DISTINCT namespace, metric_name, dimensions FROM cloudwatch_points"
      " WHERE account_id = ? AND region = ? AND (? IS NULL OR namespace = ?)"
      " AND (? IS NULL OR metric_name = ?) ORDER BY namespace, metric_name, dimensions",
      "ssssss", ctx->req->caller->account_id, region, ns, ns, name, name);
    if (stmt == NULL) {
        json_decref(filter);
        return -1;
    }
    json_t *metrics = json_array();
    json_t *result = json_pack("{s:o}", "Metrics", metrics);
    int64_t index = 0;
    int step;
    while ((step = cpw_sbx_sql_step(stmt)) == 1) {
        json_t *dims = NULL;
        const char *text = cpw_sbx_col(stmt, 2);
        if (cpw_json_load(cpw_span_from_cstr(text), 64u * 1024u, &dims) != 0) {
            step = -1;
            break;
        }
        if (s_dims_match(dims, filter)) {
            if (index >= skip + LIST_PAGE) {
                char next[32];
                snprintf(next, sizeof(next), "%lld", (long long)index);
                json_object_set_new(result, "NextToken", json_string(next));
                json_decref(dims);
                break;
            }
            if (index >= skip) {
                json_array_append_new(metrics, json_pack("{s:s, s:s, s:O}", "Namespace",
                                                         cpw_sbx_col(stmt, 0), "MetricName",
                                                         cpw_sbx_col(stmt, 1), "Dimensions", dims));
            }
            index++;
        }
        json_decref(dims);
    }
    cpw_sbx_sql_done(stmt);
    json_decref(filter);
    if (step < 0) {
        json_decref(result);
        return -1;
    }
    *output = result;
    return 0;
}

/* ----- GetMetricData ----------------------------------------------------------------------- */

enum stat { STAT_SUM, STAT_AVERAGE, STAT_MAXIMUM, STAT_MINIMUM, STAT_SAMPLE_COUNT };

static int s_stat(const char *name, enum stat *out)
{
    static const char *const names[] = { "Sum", "Average", "Maximum", "Minimum", "SampleCount" };
    for (size_t i = 0; name && i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcmp(name, names[i]) == 0) {
            *out = (enum stat)i;
            return 0;
        }
    }
    return -1;
}

/* One MetricStat query's result: a point per period holding data, newest first by default. */
static int s_query(struct cpw_sbx_ctx *ctx,
                   const json_t *q,
                   int64_t start,
                   int64_t end,
                   bool ascending,
                   json_t *results)
{
    const char *id = cpw_sbx_in_str(q, "Id");
    const json_t *stat_doc = json_object_get(q, "MetricStat");
    if (id == NULL || *id == '\0') {
        return cpw_sbx_fail(ctx, 400, "ValidationError", "Each query needs an Id.");
    }
    if (json_object_get(q, "Expression") != NULL || stat_doc == NULL) {
        return cpw_sbx_fail(ctx, 400, "ValidationError",
                            "The sandbox answers MetricStat queries only (query %s).", id);
    }
    const json_t *metric = json_object_get(stat_doc, "Metric");
    const char *ns = cpw_sbx_in_str(metric, "Namespace");
    const char *name = cpw_sbx_in_str(metric, "MetricName");
    enum stat stat = STAT_SUM;
    int64_t period = 0;
    if (ns == NULL || name == NULL || s_stat(cpw_sbx_in_str(stat_doc, "Stat"), &stat) != 0 ||
        cpw_sbx_in_int(stat_doc, "Period", 0, &period) != 0 || period < 1 ||
        (period >= 60 && period % 60 != 0) || (period < 60 && 60 % period != 0)) {
        cpw_error_clear();
        return cpw_sbx_fail(ctx, 400, "ValidationError",
                            "Query %s: MetricStat needs Metric.Namespace, Metric.MetricName, a "
                            "Stat (Sum, Average, Maximum, Minimum, SampleCount) and a Period "
                            "(1, 5, 10, 30 or a multiple of 60).",
                            id);
    }
    struct cpw_buf dims;
    cpw_buf_init(&dims, 64u * 1024u);
    int rc = s_dims(ctx, json_object_get(metric, "Dimensions"), false, &dims);
    if (rc != 0) {
        cpw_buf_clean_up(&dims);
        return rc;
    }
    int64_t period_ms = period * 1000;
    char sql[640];
    snprintf(sql, sizeof(sql),
             "SELECT (time_ms / ?) * ? AS bucket, SUM(sample_count), SUM(sum), MIN(minimum),"
             " MAX(maximum) FROM cloudwatch_points WHERE account_id = ? AND region = ? AND"
             " namespace = ? AND metric_name = ? AND dimensions = ? AND time_ms >= ? AND"
             " time_ms < ? GROUP BY bucket ORDER BY bucket %s",
             ascending ? "ASC" : "DESC");
    sqlite3_stmt *stmt = cpw_sbx_sql_query(ctx->db, sql, "iisssssii", period_ms, period_ms,
                                           ctx->req->caller->account_id, s_region(ctx), ns, name,
                                           cpw_buf_cstr(&dims), start, end);
    cpw_buf_clean_up(&dims);
    if (stmt == NULL) {
        return -1;
    }
    json_t *times = json_array();
    json_t *values = json_array();
    int step;
    while ((step = cpw_sbx_sql_step(stmt)) == 1 && json_array_size(values) < MAX_DATAPOINTS) {
        double count = sqlite3_column_double(stmt, 1);
        double sum = sqlite3_column_double(stmt, 2);
        double v = stat == STAT_SUM       ? sum
                   : stat == STAT_AVERAGE ? (count > 0 ? sum / count : 0)
                   : stat == STAT_MAXIMUM ? sqlite3_column_double(stmt, 4)
                   : stat == STAT_MINIMUM ? sqlite3_column_double(stmt, 3)
                                          : count;
        json_array_append_new(times, cpw_sbx_time_json(sqlite3_column_int64(stmt, 0)));
        json_array_append_new(values, json_real(v));
    }
    cpw_sbx_sql_done(stmt);
    if (step < 0) {
        json_decref(times);
        json_decref(values);
        return -1;
    }
    const char *label = cpw_sbx_in_str(q, "Label");
    json_array_append_new(results, json_pack("{s:s, s:s, s:o, s:o, s:s}", "Id", id, "Label",
                                             label ? label : name, "Timestamps", times, "Values",
                                             values, "StatusCode", "Complete"));
    return 0;
}

static int s_get_metric_data(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const json_t *queries = json_object_get(input, "MetricDataQueries");
    size_t n = json_array_size(queries);
    if (n == 0 || n > MAX_QUERIES) {
        return cpw_sbx_fail(ctx, 400, "ValidationError",
                            "MetricDataQueries must have 1 to %d members.", MAX_QUERIES);
    }
    int64_t start = 0;
    int64_t end = 0;
    if (cpw_sbx_in_time(input, "StartTime", &start) != 2 ||
        cpw_sbx_in_time(input, "EndTime", &end) != 2 || start >= end) {
        return cpw_sbx_fail(ctx, 400, "ValidationError",
                            "StartTime and EndTime are required, StartTime before EndTime.");
    }
    const char *scan_by = cpw_sbx_in_str(input, "ScanBy");
    bool ascending = scan_by != NULL && strcmp(scan_by, "TimestampAscending") == 0;
    json_t *results = json_array();
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const json_t *q = json_array_get(queries, i);
        const json_t *ret = json_object_get(q, "ReturnData");
        if (ret != NULL && json_is_false(ret)) {
            continue;
        }
        rc = s_query(ctx, q, start, end, ascending, results);
    }
    if (rc != 0) {
        json_decref(results);
        return rc;
    }
    *output = json_pack("{s:o, s:[]}", "MetricDataResults", results, "Messages");
    return 0;
}

static const struct cpw_sbx_op s_ops[] = {
    { "PutMetricData", s_put_metric_data },
    { "ListMetrics", s_list_metrics },
    { "GetMetricData", s_get_metric_data },
};

const struct cpw_sbx_service cpw_sbx_cloudwatch_service = {
    .signing_name = "monitoring",
    .model_name = "cloudwatch",
    .event_source = "monitoring.amazonaws.com",
    .global = false,
    .ops = s_ops,
    .op_count = sizeof(s_ops) / sizeof(s_ops[0]),
    .schema_sql = s_schema,
};
