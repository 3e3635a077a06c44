/*
 * customer_profiles_calculated.c - the values of calculated attributes for a profile in the
 * Customer Profiles sandbox: GetCalculatedAttributeForProfile,
 * BatchGetCalculatedAttributeForProfile and ListCalculatedAttributesForProfile.
 *
 * A value is computed on every read from the definition (CreateCalculatedAttributeDefinition)
 * over the profile's objects. The expression's terms are {ObjectType.attribute} references and
 * numbers joined by + - * /, evaluated left to right (no precedence). The objects are those of
 * the first reference's type held by the profile, oldest first; an attribute is the object's
 * member of that name, else the member its object type field's Source (_source.X) names. An
 * object where a term is missing (or, with more than one term, not a number) does not count.
 * Conditions: Range (Value/Unit DAYS, or ValueRange Start/End days in the past) keeps objects
 * created in the window; ObjectCount keeps the newest N; Threshold (Operator, Value) leaves the
 * value out when the result does not satisfy it. Statistics: COUNT (objects), SUM, AVERAGE,
 * MINIMUM, MAXIMUM (of numeric results), FIRST_OCCURRENCE / LAST_OCCURRENCE (oldest / newest
 * result), MAX_OCCURRENCE (the most frequent result, the first seen on a tie). Without any
 * counted object only COUNT has a value ("0"). LastObjectTimestamp is the newest counted
 * object's creation time; IsDataPartial is "false".
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/error.h"
#include "cpw/json.h"
#include "sbx_cp_profiles.h"

#define LIST_MAX  100
#define BATCH_MAX 100
#define TERM_MAX  16
#define DAY_MS    86400000LL

struct term {
    char type[256]; /* "" for a number */
    char attr[256];
    double number;
    char op; /* operator before this term ('+' for the first) */
};

struct expr {
    struct term terms[TERM_MAX];
    size_t count;
};

/* Parses "{T.a} * {T.b} + 2": 0, or -1 when it is not such an expression. */
static int s_parse(const char *text, struct expr *e)
{
    memset(e, 0, sizeof(*e));
    const char *p = text ? text : "";
    char op = '+';
    while (*p != '\0') {
        while (*p == ' ') {
            p++;
        }
        if (*p == '\0' || e->count == TERM_MAX) {
            return -1;
        }
        struct term *t = &e->terms[e->count];
        t->op = op;
        if (*p == '{') {
            const char *close = strchr(p, '}');
            const char *dot = close ? memchr(p, '.', (size_t)(close - p)) : NULL;
            if (dot == NULL || dot == p + 1 || dot + 1 == close ||
                (size_t)(dot - p) >= sizeof(t->type) || (size_t)(close - dot) >= sizeof(t->attr)) {
                return -1;
            }
            memcpy(t->type, p + 1, (size_t)(dot - p - 1));
            memcpy(t->attr, dot + 1, (size_t)(close - dot - 1));
            p = close + 1;
        } else {
            char *end = NULL;
            t->number = strtod(p, &end);
            if (end == p) {
                return -1;
            }
            p = end;
        }
        e->count++;
        while (*p == ' ') {
            p++;
        }
        if (*p == '\0') {
            break;
        }
        if (strchr("+-*/", *p) == NULL) {
            return -1;
        }
        op = *p++;
    }
    return e->count > 0 && e->terms[0].type[0] != '\0' ? 0 : -1;
}

static bool s_number_of(const json_t *v, double *out)
{
    if (json_is_number(v)) {
        *out = json_number_value(v);
        return true;
    }
    if (json_is_string(v) && json_string_length(v) > 0) {
        char *end = NULL;
        *out = strtod(json_string_value(v), &end);
        return end != NULL && *end == '\0' && isfinite(*out);
    }
    return false;
}

/* The member of object an attribute of the object type names (borrowed), or NULL. */
static const json_t *s_attribute(const json_t *object, const json_t *type, const char *attr)
{
    const json_t *v = cpw_json_get(object, attr);
    if (v != NULL) {
        return v;
    }
    const char *source =
      cpw_json_get_string(cpw_json_get(cpw_json_get(type, "Fields"), attr), "Source");
    if (source != NULL && strncmp(source, "_source.", 8) == 0) {
        return cpw_json_get(object, source + 8);
    }
    return NULL;
}

struct window {
    bool set;
    int64_t from_ms;
    int64_t to_ms;
};

struct calc {
    bool has_value;
    char value[256];
    int64_t last_ms;
};

/* The expression's result on one object into text / number: false when it does not count. */
static bool s_eval_object(const struct expr *e,
                          const json_t *object,
                          const json_t *type,
                          char *text,
                          size_t cap,
                          double *number,
                          bool *numeric)
{
    if (e->count == 1) {
        const json_t *v = s_attribute(object, type, e->terms[0].attr);
        if (v == NULL || json_is_null(v) || json_is_object(v) || json_is_array(v)) {
            return false;
        }
        *numeric = s_number_of(v, number);
        if (json_is_string(v)) {
            snprintf(text, cap, "%s", json_string_value(v));
        } else if (json_is_boolean(v)) {
            snprintf(text, cap, "%s", json_is_true(v) ? "true" : "false");
        } else {
            cpw_cp_number_text(*number, text, cap);
        }
        return true;
    }
    double acc = 0;
    for (size_t i = 0; i < e->count; i++) {
        double x = e->terms[i].number;
        if (e->terms[i].type[0] != '\0' &&
            !s_number_of(s_attribute(object, type, e->terms[i].attr), &x)) {
            return false;
        }
        switch (e->terms[i].op) {
        case '-':
            acc -= x;
            break;
        case '*':
            acc *= x;
            break;
        case '/':
            if (x == 0) {
                return false;
            }
            acc /= x;
            break;
        default:
            acc += x;
            break;
        }
    }
    *number = acc;
    *numeric = true;
    cpw_cp_number_text(acc, text, cap);
    return true;
}

static bool s_threshold_ok(const json_t *threshold, const struct calc *c)
{
    const char *op = cpw_json_get_string(threshold, "Operator");
    double want = 0;
    double have = 0;
    if (op == NULL || !s_number_of(cpw_json_get(threshold, "Value"), &want)) {
        return true;
    }
    char *end = NULL;
    have = strtod(c->value, &end);
    if (end == c->value || *end != '\0') {
        bool same = strcmp(c->value, cpw_json_get_string(threshold, "Value")) == 0;
        return strcmp(op, "EQUAL_TO") == 0 ? same : strcmp(op, "NOT_EQUAL_TO") == 0 && !same;
    }
    if (strcmp(op, "GREATER_THAN") == 0) {
        return have > want;
    }
    if (strcmp(op, "LESS_THAN") == 0) {
        return have < want;
    }
    if (strcmp(op, "EQUAL_TO") == 0) {
        return have == want;
    }
    return have != want;
}

/* Computes the definition's value for a profile: 0, 1 answered (bad definition), -1. */
static int s_compute(struct cpw_sbx_ctx *ctx,
                     const char *domain,
                     const json_t *def,
                     const char *profile_id,
                     const struct window *override,
                     struct calc *out)
{
    memset(out, 0, sizeof(*out));
    const json_t *details = cpw_json_get(def, "AttributeDetails");
    const char *statistic = cpw_json_get_string(def, "Statistic");
    const json_t *conditions = cpw_json_get(def, "Conditions");
    struct expr e;
    if (s_parse(cpw_json_get_string(details, "Expression"), &e) != 0 || statistic == NULL) {
        return cpw_cp_bad(ctx, "The calculated attribute's expression cannot be evaluated.");
    }
    struct window w = { 0 };
    const json_t *range = cpw_json_get(conditions, "Range");
    int64_t value = 0;
    if (override != NULL && override->set) {
        w = *override;
    } else if (json_is_integer(cpw_json_get(range, "Value"))) {
        value = (int64_t)json_integer_value(cpw_json_get(range, "Value"));
        w = (struct window){ true, ctx->req->now_ms - value * DAY_MS, ctx->req->now_ms };
    } else if (cpw_json_get(range, "ValueRange") != NULL) {
        const json_t *vr = cpw_json_get(range, "ValueRange");
        w = (struct window){
            true,
            ctx->req->now_ms - (int64_t)json_integer_value(cpw_json_get(vr, "Start")) * DAY_MS,
            ctx->req->now_ms - (int64_t)json_integer_value(cpw_json_get(vr, "End")) * DAY_MS
        };
    }
    int64_t newest = INT64_MAX;
    if (json_is_integer(cpw_json_get(conditions, "ObjectCount"))) {
        newest = (int64_t)json_integer_value(cpw_json_get(conditions, "ObjectCount"));
    }
    json_t *type = NULL;
    if (cpw_cp_item_get(ctx, domain, CPW_CP_OBJECT_TYPE, e.terms[0].type, &type) != 0) {
        return -1;
    }
    /* Newest first so ObjectCount keeps the newest; the statistics walk them oldest first. */
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      ctx->db,
      "SELECT json_extract(doc, '$.Object'), created_ms FROM cp_items WHERE account_id = ?"
      " AND region = ? AND domain = ? AND kind = ? AND json_extract(doc, '$.ProfileId') = ?"
      " AND json_extract(doc, '$.ObjectTypeName') = ? AND (? = 0 OR created_ms BETWEEN ? AND ?)"
      " ORDER BY created_ms DESC, rowid DESC",
      "ssssssiii", ctx->req->caller->account_id, cpw_cp_region(ctx), domain, CPW_CP_OBJECT,
      profile_id, e.terms[0].type, (int64_t)(w.set ? 1 : 0), w.from_ms, w.to_ms);
    if (stmt == NULL) {
        cpw_json_release(type);
        return -1;
    }
    json_t *results = json_array(); /* newest first: [text, number|null, created_ms] */
    int rc;
    while ((rc = cpw_sbx_sql_step(stmt)) == 1 && (int64_t)json_array_size(results) < newest) {
        json_t *object = NULL;
        if (cpw_json_load(cpw_span_from_cstr(cpw_sbx_col(stmt, 0)), CPW_CP_DOC_MAX, &object) != 0) {
            cpw_error_clear();
            continue;
        }
        char text[256];
        double number = 0;
        bool numeric = false;
        if (s_eval_object(&e, object, type, text, sizeof(text), &number, &numeric)) {
            cpw_json_append_take(results, json_pack("[s,o,I]", text,
                                                    numeric ? json_real(number) : json_null(),
                                                    (json_int_t)sqlite3_column_int64(stmt, 1)));
        }
        cpw_json_release(object);
    }
    cpw_sbx_sql_done(stmt);
    cpw_json_release(type);
    if (rc < 0) {
        cpw_json_release(results);
        return -1;
    }
    size_t n = json_array_size(results);
    double sum = 0;
    double lo = 0;
    double hi = 0;
    size_t numeric_count = 0;
    const char *best = NULL;
    size_t best_count = 0;
    for (size_t k = n; k-- > 0;) { /* oldest first */
        const json_t *r = json_array_get(results, k);
        int64_t at = (int64_t)json_integer_value(json_array_get(r, 2));
        out->last_ms = at > out->last_ms ? at : out->last_ms;
        const json_t *num = json_array_get(r, 1);
        if (json_is_real(num)) {
            double x = json_real_value(num);
            lo = numeric_count == 0 || x < lo ? x : lo;
            hi = numeric_count == 0 || x > hi ? x : hi;
            sum += x;
            numeric_count++;
        }
        const char *text = json_string_value(json_array_get(r, 0));
        size_t same = 0;
        for (size_t j = 0; j < n; j++) {
            same +=
              strcmp(json_string_value(json_array_get(json_array_get(results, j), 0)), text) == 0;
        }
        if (same > best_count) {
            best = text;
            best_count = same;
        }
    }
    out->has_value = true;
    bool occurrence = strstr(statistic, "_OCCURRENCE") != NULL;
    if (strcmp(statistic, "COUNT") == 0) {
        snprintf(out->value, sizeof(out->value), "%zu", n);
    } else if (n == 0 || (!occurrence && numeric_count == 0)) {
        out->has_value = false;
    } else if (strcmp(statistic, "FIRST_OCCURRENCE") == 0) {
        snprintf(out->value, sizeof(out->value), "%s",
                 json_string_value(json_array_get(json_array_get(results, n - 1), 0)));
    } else if (strcmp(statistic, "LAST_OCCURRENCE") == 0) {
        snprintf(out->value, sizeof(out->value), "%s",
                 json_string_value(json_array_get(json_array_get(results, 0), 0)));
    } else if (strcmp(statistic, "MAX_OCCURRENCE") == 0) {
        snprintf(out->value, sizeof(out->value), "%s", best ? best : "");
    } else if (strcmp(statistic, "SUM") == 0) {
        cpw_cp_number_text(sum, out->value, sizeof(out->value));
    } else if (strcmp(statistic, "AVERAGE") == 0) {
        cpw_cp_number_text(sum / (double)numeric_count, out->value, sizeof(out->value));
    } else if (strcmp(statistic, "MINIMUM") == 0) {
        cpw_cp_number_text(lo, out->value, sizeof(out->value));
    } else if (strcmp(statistic, "MAXIMUM") == 0) {
        cpw_cp_number_text(hi, out->value, sizeof(out->value));
    } else {
        out->value[0] = '\0'; /* an unknown statistic has no value (below) */
    }
    cpw_json_release(results);
    const json_t *threshold = cpw_json_get(conditions, "Threshold");
    if (out->has_value && threshold != NULL && !s_threshold_ok(threshold, out)) {
        out->has_value = false;
    }
    if (out->value[0] == '\0') {
        out->has_value = false;
    }
    return 0;
}

/* The API's item for one computed value (owned). */
static json_t *s_value_item(const json_t *def, const char *name, const struct calc *c)
{
    json_t *item =
      json_pack("{s:s,s:s}", "CalculatedAttributeName", name, "IsDataPartial", "false");
    const char *display = cpw_json_get_string(def, "DisplayName");
    if (display != NULL) {
        cpw_json_set_take(item, "DisplayName", json_string(display));
    }
    if (c->has_value) {
        cpw_json_set_take(item, "Value", json_string(c->value));
    }
    if (c->last_ms > 0) {
        cpw_json_set_take(item, "LastObjectTimestamp", cpw_sbx_time_json(c->last_ms));
    }
    return item;
}

/* The definition (owned) after answering 404 when absent: 0, 1, -1. */
static int s_need_def(struct cpw_sbx_ctx *ctx, const char *domain, const char *name, json_t **def)
{
    if (cpw_cp_item_get(ctx, domain, CPW_CP_CALC_ATTR, name ? name : "", def) != 0) {
        return -1;
    }
    return *def != NULL
             ? 0
             : cpw_cp_not_found(ctx, "Calculated attribute %s does not exist.", name ? name : "");
}

int cpw_cp_get_calc_attr_for_profile(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *domain = cpw_sbx_in_str(input, "DomainName");
    const char *profile_id = cpw_sbx_in_str(input, "ProfileId");
    const char *name = cpw_sbx_in_str(input, "CalculatedAttributeName");
    json_t *profile = NULL;
    json_t *def = NULL;
    int rc = cpw_cp_need_profile(ctx, domain, profile_id, &profile);
    cpw_json_release(profile);
    if (rc == 0) {
        rc = s_need_def(ctx, domain, name, &def);
    }
    struct calc c;
    if (rc == 0) {
        rc = s_compute(ctx, domain, def, profile_id, NULL, &c);
    }
    if (rc == 0) {
        *output = s_value_item(def, name, &c);
    }
    cpw_json_release(def);
    return rc;
}

int cpw_cp_batch_get_calc_attr_for_profile(struct cpw_sbx_ctx *ctx,
                                           const json_t *input,
                                           json_t **output)
{
    const char *domain = cpw_sbx_in_str(input, "DomainName");
    const char *name = cpw_sbx_in_str(input, "CalculatedAttributeName");
    const json_t *ids = cpw_json_get(input, "ProfileIds");
    const json_t *overrides = cpw_json_get(input, "ConditionOverrides");
    json_t *def = NULL;
    int rc = cpw_cp_need_domain(ctx, domain);
    if (rc == 0) {
        rc = s_need_def(ctx, domain, name, &def);
    }
    if (rc != 0) {
        return rc;
    }
    if (!json_is_array(ids) || json_array_size(ids) == 0 || json_array_size(ids) > BATCH_MAX) {
        cpw_json_release(def);
        return cpw_cp_bad(ctx, "ProfileIds must hold 1 to %d profile ids.", BATCH_MAX);
    }
    struct window w = { 0 };
    const json_t *range = cpw_json_get(overrides, "Range");
    if (range != NULL) {
        int64_t start = (int64_t)json_integer_value(cpw_json_get(range, "Start"));
        int64_t end = (int64_t)json_integer_value(cpw_json_get(range, "End"));
        w = (struct window){ true, ctx->req->now_ms - start * DAY_MS,
                             ctx->req->now_ms - end * DAY_MS };
    }
    json_t *values = json_array();
    json_t *errors = json_array();
    size_t i;
    const json_t *v;
    json_array_foreach(ids, i, v)
    {
        const char *id = json_is_string(v) ? json_string_value(v) : "";
        json_t *profile = NULL;
        if (cpw_cp_item_get(ctx, domain, CPW_CP_PROFILE, id, &profile) != 0) {
            rc = -1;
            break;
        }
        if (profile == NULL) {
            cpw_json_append_take(errors,
                                 json_pack("{s:s,s:s,s:s}", "Code", "ResourceNotFoundException",
                                           "Message", "Profile does not exist.", "ProfileId", id));
            continue;
        }
        cpw_json_release(profile);
        struct calc c;
        rc = s_compute(ctx, domain, def, id, range ? &w : NULL, &c);
        if (rc != 0) {
            break;
        }
        json_t *item = s_value_item(def, name, &c);
        cpw_json_set_take(item, "ProfileId", json_string(id));
        cpw_json_append_take(values, item);
    }
    cpw_json_release(def);
    if (rc != 0) {
        cpw_json_release(values);
        cpw_json_release(errors);
        return rc;
    }
    *output = json_object();
    cpw_json_set_take(*output, "CalculatedAttributeValues", values);
    cpw_json_set_take(*output, "Errors", errors);
    if (overrides != NULL) {
        cpw_json_set_take(*output, "ConditionOverrides", json_deep_copy(overrides));
    }
    return 0;
}

int cpw_cp_list_calc_attrs_for_profile(struct cpw_sbx_ctx *ctx,
                                       const json_t *input,
                                       json_t **output)
{
    const char *domain = cpw_sbx_in_str(input, "DomainName");
    const char *profile_id = cpw_sbx_in_str(input, "ProfileId");
    int64_t offset = 0;
    int64_t limit = LIST_MAX;
    json_t *profile = NULL;
    int rc = cpw_cp_need_profile(ctx, domain, profile_id, &profile);
    cpw_json_release(profile);
    if (rc == 0) {
        rc = cpw_cp_paging(ctx, input, LIST_MAX, &offset, &limit);
    }
    if (rc != 0) {
        return rc;
    }
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      ctx->db,
      "SELECT name, doc FROM cp_items WHERE account_id = ? AND region = ? AND domain = ?"
      " AND kind = ? ORDER BY name LIMIT ? OFFSET ?",
      "ssssii", ctx->req->caller->account_id, cpw_cp_region(ctx), domain, CPW_CP_CALC_ATTR,
      limit + 1, offset);
    if (stmt == NULL) {
        return -1;
    }
    json_t *defs = json_array();
    bool more = false;
    while ((rc = cpw_sbx_sql_step(stmt)) == 1) {
        if ((int64_t)json_array_size(defs) == limit) {
            more = true;
            break;
        }
        json_t *def = NULL;
        if (cpw_json_load(cpw_span_from_cstr(cpw_sbx_col(stmt, 1)), CPW_CP_DOC_MAX, &def) != 0) {
            rc = -1;
            break;
        }
        cpw_json_set_take(def, "CalculatedAttributeName", json_string(cpw_sbx_col(stmt, 0)));
        cpw_json_append_take(defs, def);
    }
    cpw_sbx_sql_done(stmt);
    json_t *items = json_array();
    size_t i;
    const json_t *def;
    json_array_foreach(defs, i, def)
    {
        if (rc < 0) {
            break;
        }
        struct calc c;
        const char *name = cpw_json_get_string(def, "CalculatedAttributeName");
        int one = s_compute(ctx, domain, def, profile_id, NULL, &c);
        if (one < 0) {
            rc = -1;
        } else if (one == 0) {
            cpw_json_append_take(items, s_value_item(def, name, &c));
        } else {
            memset(ctx->err, 0, sizeof(*ctx->err)); /* left out: it cannot be evaluated */
        }
    }
    cpw_json_release(defs);
    if (rc < 0) {
        cpw_json_release(items);
        return -1;
    }
    json_t *result = json_object();
    cpw_json_set_take(result, "Items", items);
    cpw_cp_next_token(result, offset, limit, more);
    *output = result;
    return 0;
}
