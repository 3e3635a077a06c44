/*
 * customer_profiles_analytics.c - what the Customer Profiles sandbox infers and measures from
 * objects: DetectProfileObjectType, ListObjectTypeAttributes, ListObjectTypeAttributeValues and
 * GetObjectTypeAttributeStatistics.
 *
 * DetectProfileObjectType looks at the top-level members of the sample objects (1 to 5 JSON
 * objects): a member whose string values all look like e-mail addresses (x@y.z) is
 * EMAIL_ADDRESS (the first one targets _profile.EmailAddress and is the _email PROFILE key);
 * one whose values all look like phone numbers (only digits and + - ( ) . space, 7 to 15 digits)
 * is PHONE_NUMBER (_profile.PhoneNumber, key _phone); a member named like *name* is NAME (first /
 * last / middle / business or company names target the matching profile field); one whose
 * values are all numbers is NUMBER; anything else STRING. Every field's Source is
 * _source.MEMBER. The first member named id or ending in id / Id / _id whose values are all
 * distinct is the object's key (PROFILE and UNIQUE), named _MEMBER.
 *
 * The attributes of an object type are its Fields' names and the top-level members of its
 * stored objects; an attribute named by a field reads the member its Source (_source.X) names.
 * Values are the distinct values in string form, in value order; statistics are over the
 * numeric values (population standard deviation, percentiles by linear interpolation between
 * closest ranks) and answer BadRequestException when there is none.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/error.h"
#include "cpw/json.h"
#include "sbx_cp_profiles.h"

#define LIST_MAX   100
#define SAMPLE_MAX 5

static bool s_looks_email(const char *s)
{
    const char *at = strchr(s, '@');
    return at != NULL && at != s && strchr(at + 1, '@') == NULL && strchr(at + 1, '.') != NULL &&
           strchr(s, ' ') == NULL && s[strlen(s) - 1] != '.';
}

static bool s_looks_phone(const char *s)
{
    size_t digits = 0;
    for (const char *p = s; *p != '\0'; p++) {
        if (*p >= '0' && *p <= '9') {
            digits++;
        } else if (strchr("+-(). ", *p) == NULL) {
            return false;
        }
    }
    return digits >= 7 && digits <= 15;
}

static bool s_name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-')) {
            return false;
        }
    }
    return true;
}

/* Lower-case copy of s into out. */
static void s_lower(const char *s, char *out, size_t cap)
{
    size_t i = 0;
    for (; s[i] != '\0' && i + 1 < cap; i++) {
        out[i] = s[i];
        if (s[i] >= 'A' && s[i] <= 'Z') {
            out[i] = (char)(s[i] - 'A' + 'a');
        }
    }
    out[i] = '\0';
}

static bool s_ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s);
    size_t m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static const char *s_name_target(const char *lower)
{
    if (strstr(lower, "first") != NULL || strstr(lower, "given") != NULL) {
        return "_profile.FirstName";
    }
    if (strstr(lower, "last") != NULL || strstr(lower, "family") != NULL ||
        strstr(lower, "surname") != NULL) {
        return "_profile.LastName";
    }
    if (strstr(lower, "middle") != NULL) {
        return "_profile.MiddleName";
    }
    if (strstr(lower, "business") != NULL || strstr(lower, "company") != NULL) {
        return "_profile.BusinessName";
    }
    return NULL;
}

int cpw_cp_detect_object_type(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *domain = cpw_sbx_in_str(input, "DomainName");
    const json_t *texts = cpw_json_get(input, "Objects");
    int rc = cpw_cp_need_domain(ctx, domain);
    if (rc != 0) {
        return rc;
    }
    if (!json_is_array(texts) || json_array_size(texts) == 0 ||
        json_array_size(texts) > SAMPLE_MAX) {
        return cpw_cp_bad(ctx, "Objects must hold 1 to %d objects.", SAMPLE_MAX);
    }
    json_t *columns = json_object(); /* member -> [values] in first-seen order */
    json_t *order = json_array();
    size_t i;
    const json_t *text;
    json_array_foreach(texts, i, text)
    {
        json_t *object = NULL;
        if (!json_is_string(text) ||
            cpw_json_load(cpw_span_from_cstr(json_string_value(text)), CPW_CP_DOC_MAX, &object) !=
              0 ||
            !json_is_object(object)) {
            cpw_error_clear();
            cpw_json_release(object);
            cpw_json_release(columns);
            cpw_json_release(order);
            return cpw_cp_bad(ctx, "Objects[%zu] is not a JSON object.", i);
        }
        const char *key;
        json_t *v;
        json_object_foreach(object, key, v)
        {
            json_t *values = cpw_json_get(columns, key);
            if (values == NULL) {
                values = json_array();
                cpw_json_set_take(columns, key, values);
                cpw_json_append_take(order, json_string(key));
            }
            json_array_append(values, v);
        }
        cpw_json_release(object);
    }
    json_t *fields = json_object();
    json_t *keys = json_object();
    bool email_done = false;
    bool phone_done = false;
    bool id_done = false;
    const json_t *name;
    json_array_foreach(order, i, name)
    {
        const char *member = json_string_value(name);
        const json_t *values = cpw_json_get(columns, member);
        bool all_email = true;
        bool all_phone = true;
        bool all_number = true;
        bool distinct = true;
        size_t k;
        const json_t *v;
        json_array_foreach(values, k, v)
        {
            const char *s = json_string_value(v);
            all_email = all_email && s != NULL && s_looks_email(s);
            all_phone = all_phone && s != NULL && s_looks_phone(s);
            all_number = all_number && json_is_number(v);
            for (size_t j = 0; j < k; j++) {
                distinct = distinct && !cpw_json_equal(json_array_get(values, j), v);
            }
        }
        char lower[256];
        s_lower(member, lower, sizeof(lower));
        const char *content = "STRING";
        const char *target = NULL;
        if (all_email) {
            content = "EMAIL_ADDRESS";
            target = email_done ? NULL : "_profile.EmailAddress";
        } else if (all_phone && !all_number) {
            content = "PHONE_NUMBER";
            target = phone_done ? NULL : "_profile.PhoneNumber";
        } else if (strstr(lower, "name") != NULL) {
            content = "NAME";
            target = s_name_target(lower);
        } else if (all_number) {
            content = "NUMBER";
        }
        char source[1100];
        snprintf(source, sizeof(source), "_source.%s", member);
        json_t *field = json_pack("{s:s,s:s}", "Source", source, "ContentType", content);
        if (target != NULL) {
            cpw_json_set_take(field, "Target", json_string(target));
        }
        cpw_json_set_take(fields, member, field);
        if (!s_name_ok(member)) {
            continue; /* FieldNames allow [a-zA-Z0-9_-] only */
        }
        if (all_email && !email_done) {
            cpw_json_set_take(
              keys, "_email",
              json_pack("[{s:[s],s:[s]}]", "StandardIdentifiers", "PROFILE", "FieldNames", member));
            email_done = true;
        } else if (all_phone && !all_number && !phone_done) {
            cpw_json_set_take(
              keys, "_phone",
              json_pack("[{s:[s],s:[s]}]", "StandardIdentifiers", "PROFILE", "FieldNames", member));
            phone_done = true;
        } else if (!id_done && distinct && !all_email && !all_phone &&
                   (strcmp(lower, "id") == 0 || s_ends_with(member, "Id") ||
                    s_ends_with(lower, "_id") || s_ends_with(member, "ID"))) {
            char key[80];
            snprintf(key, sizeof(key), "_%s", member);
            cpw_json_set_take(keys, key,
                              json_pack("[{s:[s,s],s:[s]}]", "StandardIdentifiers", "PROFILE",
                                        "UNIQUE", "FieldNames", member));
            id_done = true;
        }
    }
    cpw_json_release(columns);
    cpw_json_release(order);
    json_t *detected = json_object();
    cpw_json_set_take(detected, "Fields", fields);
    cpw_json_set_take(detected, "Keys", keys);
    *output = json_object();
    cpw_json_set_take(*output, "DetectedProfileObjectTypes", json_pack("[o]", detected));
    return 0;
}

/* The object type (owned) after answering 404: 0, 1, -1. */
static int s_need_type(struct cpw_sbx_ctx *ctx, const char *domain, const char *name, json_t **type)
{
    *type = NULL;
    int rc = cpw_cp_need_domain(ctx, domain);
    if (rc != 0) {
        return rc;
    }
    if (cpw_cp_item_get(ctx, domain, CPW_CP_OBJECT_TYPE, name ? name : "", type) != 0) {
        return -1;
    }
    return *type != NULL
             ? 0
             : cpw_cp_not_found(ctx, "Object type %s does not exist.", name ? name : "");
}

/*
 * Collects, over the type's stored objects, attribute -> newest updated_ms (attr NULL: every
 * top-level member) or value text -> newest updated_ms of attribute attr, into *out (owned
 * object); numbers (owned array of reals) too when wanted. Returns 0 or -1.
 */
static int s_scan(struct cpw_sbx_ctx *ctx,
                  const char *domain,
                  const char *type_name,
                  const json_t *type,
                  const char *attr,
                  json_t **out,
                  json_t **numbers)
{
    *out = json_object();
    if (numbers != NULL) {
        *numbers = json_array();
    }
    const char *member = attr;
    const char *source =
      attr ? cpw_json_get_string(cpw_json_get(cpw_json_get(type, "Fields"), attr), "Source") : NULL;
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      ctx->db,
      "SELECT json_extract(doc, '$.Object'), updated_ms FROM cp_items WHERE account_id = ?"
      " AND region = ? AND domain = ? AND kind = ? AND json_extract(doc, '$.ObjectTypeName') = ?"
      " ORDER BY rowid",
      "sssss", ctx->req->caller->account_id, cpw_cp_region(ctx), domain, CPW_CP_OBJECT, type_name);
    if (stmt == NULL) {
        return -1;
    }
    int rc;
    while ((rc = cpw_sbx_sql_step(stmt)) == 1) {
        json_t *object = NULL;
        if (cpw_json_load(cpw_span_from_cstr(cpw_sbx_col(stmt, 0)), CPW_CP_DOC_MAX, &object) != 0) {
            cpw_error_clear();
            continue;
        }
        json_int_t at = (json_int_t)sqlite3_column_int64(stmt, 1);
        if (attr == NULL) {
            const char *key;
            json_t *v;
            json_object_foreach(object, key, v)
            {
                cpw_json_set_take(*out, key, json_integer(at));
            }
        } else {
            const json_t *v = cpw_json_get(object, member);
            if (v == NULL && source != NULL && strncmp(source, "_source.", 8) == 0) {
                v = cpw_json_get(object, source + 8);
            }
            char text[1001] = "";
            if (json_is_string(v)) {
                snprintf(text, sizeof(text), "%s", json_string_value(v));
            } else if (json_is_number(v)) {
                cpw_cp_number_text(json_number_value(v), text, sizeof(text));
            } else if (json_is_boolean(v)) {
                snprintf(text, sizeof(text), "%s", json_is_true(v) ? "true" : "false");
            }
            if (text[0] != '\0') {
                cpw_json_set_take(*out, text, json_integer(at));
                char *end = NULL;
                double x = json_is_number(v) ? json_number_value(v) : strtod(text, &end);
                if (numbers != NULL && (json_is_number(v) || (end != text && *end == '\0')) &&
                    isfinite(x)) {
                    cpw_json_append_take(*numbers, json_real(x));
                }
            }
        }
        cpw_json_release(object);
    }
    cpw_sbx_sql_done(stmt);
    return rc < 0 ? -1 : 0;
}

static int s_cmp_text(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A page of map's keys in order as items {name_key: key, LastUpdatedAt}. */
static int s_page(struct cpw_sbx_ctx *ctx,
                  const json_t *input,
                  const json_t *map,
                  const char *name_key,
                  json_t **output)
{
    int64_t offset = 0;
    int64_t limit = LIST_MAX;
    int rc = cpw_cp_paging(ctx, input, LIST_MAX, &offset, &limit);
    if (rc != 0) {
        return rc;
    }
    size_t n = json_object_size(map);
    const char **names = cpw_calloc(n + 1, sizeof(*names));
    size_t k = 0;
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)map, key, v)
    {
        names[k++] = key;
    }
    qsort(names, n, sizeof(*names), s_cmp_text);
    json_t *items = json_array();
    for (size_t i = (size_t)offset; i < n && (int64_t)json_array_size(items) < limit; i++) {
        cpw_json_append_take(items, json_pack("{s:s,s:o}", name_key, names[i], "LastUpdatedAt",
                                              cpw_sbx_time_json((int64_t)json_integer_value(
                                                json_object_get(map, names[i])))));
    }
    cpw_free(names);
    json_t *result = json_object();
    cpw_json_set_take(result, "Items", items);
    cpw_cp_next_token(result, offset, limit, (size_t)(offset + limit) < n);
    *output = result;
    return 0;
}

int cpw_cp_list_object_type_attributes(struct cpw_sbx_ctx *ctx,
                                       const json_t *input,
                                       json_t **output)
{
    const char *domain = cpw_sbx_in_str(input, "DomainName");
    const char *name = cpw_sbx_in_str(input, "ObjectTypeName");
    json_t *type = NULL;
    int rc = s_need_type(ctx, domain, name, &type);
    if (rc != 0) {
        return rc;
    }
    json_t *seen = NULL;
    if (s_scan(ctx, domain, name, type, NULL, &seen, NULL) != 0) {
        cpw_json_release(type);
        cpw_json_release(seen);
        return -1;
    }
    /* The type's own fields, last updated with the type, unless objects show them later. */
    int64_t type_ms = 0;
    cpw_sbx_in_time(type, "LastUpdatedAt", &type_ms);
    const char *key;
    json_t *v;
    json_object_foreach(cpw_json_get(type, "Fields"), key, v)
    {
        if (json_object_get(seen, key) == NULL) {
            cpw_json_set_take(seen, key, json_integer((json_int_t)type_ms));
        }
    }
    void *tmp;
    json_object_foreach_safe(seen, tmp, key, v)
    {
        if (!s_name_ok(key)) {
            json_object_del(seen, key); /* AttributeName allows [a-zA-Z0-9_-] only */
        }
    }
    rc = s_page(ctx, input, seen, "AttributeName", output);
    cpw_json_release(seen);
    cpw_json_release(type);
    return rc;
}

int cpw_cp_list_object_type_attribute_values(struct cpw_sbx_ctx *ctx,
                                             const json_t *input,
                                             json_t **output)
{
    const char *domain = cpw_sbx_in_str(input, "DomainName");
    const char *name = cpw_sbx_in_str(input, "ObjectTypeName");
    const char *attr = cpw_sbx_in_str(input, "AttributeName");
    json_t *type = NULL;
    int rc = s_need_type(ctx, domain, name, &type);
    if (rc != 0) {
        return rc;
    }
    json_t *values = NULL;
    if (s_scan(ctx, domain, name, type, attr ? attr : "", &values, NULL) != 0) {
        cpw_json_release(type);
        cpw_json_release(values);
        return -1;
    }
    rc = s_page(ctx, input, values, "Value", output);
    cpw_json_release(values);
    cpw_json_release(type);
    return rc;
}

static int s_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a;
    double y = *(const double *)b;
    return x < y ? -1 : x > y ? 1 : 0;
}

static double s_percentile(const double *sorted, size_t n, double p)
{
    double rank = p * (double)(n - 1);
    size_t lo = (size_t)rank;
    size_t hi = lo + 1 < n ? lo + 1 : lo;
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - (double)lo);
}

int cpw_cp_get_attribute_statistics(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *domain = cpw_sbx_in_str(input, "DomainName");
    const char *name = cpw_sbx_in_str(input, "ObjectTypeName");
    const char *attr = cpw_sbx_in_str(input, "AttributeName");
    json_t *type = NULL;
    int rc = s_need_type(ctx, domain, name, &type);
    if (rc != 0) {
        return rc;
    }
    json_t *values = NULL;
    json_t *numbers = NULL;
    rc = s_scan(ctx, domain, name, type, attr ? attr : "", &values, &numbers);
    cpw_json_release(type);
    cpw_json_release(values);
    size_t n = json_array_size(numbers);
    if (rc != 0 || n == 0) {
        cpw_json_release(numbers);
        return rc != 0 ? -1
                       : cpw_cp_bad(ctx, "Attribute %s of object type %s has no numeric values.",
                                    attr ? attr : "", name);
    }
    double *x = cpw_calloc(n, sizeof(*x));
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        x[i] = json_real_value(json_array_get(numbers, i));
        sum += x[i];
    }
    cpw_json_release(numbers);
    qsort(x, n, sizeof(*x), s_cmp_double);
    double mean = sum / (double)n;
    double var = 0;
    for (size_t i = 0; i < n; i++) {
        var += (x[i] - mean) * (x[i] - mean);
    }
    json_t *percentiles = json_pack("{s:f,s:f,s:f,s:f,s:f}", "P5", s_percentile(x, n, 0.05), "P25",
                                    s_percentile(x, n, 0.25), "P50", s_percentile(x, n, 0.5), "P75",
                                    s_percentile(x, n, 0.75), "P95", s_percentile(x, n, 0.95));
    json_t *stats =
      json_pack("{s:f,s:f,s:f,s:f,s:o}", "Average", mean, "Maximum", x[n - 1], "Minimum", x[0],
                "StandardDeviation", sqrt(var / (double)n), "Percentiles", percentiles);
    cpw_free(x);
    *output = json_pack("{s:o,s:o}", "CalculatedAt", cpw_sbx_time_json(ctx->req->now_ms),
                        "Statistics", stats);
    return 0;
}
