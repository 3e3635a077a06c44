/*
 * customer_profiles_recommenders.c - recommenders of the Customer Profiles sandbox: recommenders
 * (Create, Get, Update, Delete, List, Start, Stop), their filters and schemas (Create, Get,
 * Delete, List), ListRecommenderRecipes (the six documented recipes) and
 * GetProfileRecommendations.
 *
 * Lifecycle, in steps of the recommender_ms knob (default 5000): a new recommender is PENDING
 * for one step, IN_PROGRESS for one more, then ACTIVE; StartRecommender (only from INACTIVE) is
 * STARTING for one step, then ACTIVE; StopRecommender (only from ACTIVE) is STOPPING for one
 * step, then INACTIVE. UpdateRecommender records LatestRecommenderUpdate, IN_PROGRESS for one
 * step, after which its RecommenderConfig is the recommender's. Filters and schemas are ACTIVE
 * at once; a schema a recommender or filter uses cannot be deleted.
 *
 * GetProfileRecommendations (recommender ACTIVE): an object's item is its ItemId / itemId /
 * item_id / ProductId / productId / product_id / Sku / sku / item member. Items are ranked by
 * the number of the domain's objects naming them (ties by id), leaving out the items of the
 * profile's own objects; CandidateIds, when given, restricts the ranking to them. A filter
 * "INCLUDE|EXCLUDE ItemID WHERE Items.FIELD IN (\"a\", $P)" keeps (drops) the items whose object
 * has FIELD among the listed values ($P from the request's Values). Score = count / highest
 * count. CatalogItem carries Id and, when an object of the item has them, Name (name / title),
 * Category (category) and Price (price). Promotional filters are accepted and not applied.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cpw/alloc.h"
#include "cpw/error.h"
#include "cpw/json.h"
#include "sbx_cp_profiles.h"

#define LIST_MAX            100
#define RECOMMENDATIONS_MAX 500

/* ----- shared ------------------------------------------------------------------------------ */

static void s_arn(struct cpw_sbx_ctx *ctx,
                  const char *domain,
                  const char *collection,
                  const char *name,
                  char *out,
                  size_t cap)
{
    char suffix[300];
    snprintf(suffix, sizeof(suffix), "%s/%s", collection, name ? name : "");
    cpw_cp_arn(ctx, domain ? domain : "", suffix, out, cap);
}

/* The item (owned) after answering 404 with what: 0, 1, -1. */
static int s_need(struct cpw_sbx_ctx *ctx,
                  const char *domain,
                  const char *kind,
                  const char *name,
                  const char *what,
                  json_t **doc)
{
    *doc = NULL;
    int rc = cpw_cp_need_domain(ctx, domain);
    if (rc != 0) {
        return rc;
    }
    if (cpw_cp_item_get(ctx, domain, kind, name ? name : "", doc) != 0) {
        return -1;
    }
    return *doc != NULL ? 0
                        : cpw_cp_not_found(ctx, "%s %s does not exist.", what, name ? name : "");
}

/* 0 when the item does not exist yet, 1 answered (BadRequestException), -1. */
static int s_need_absent(struct cpw_sbx_ctx *ctx,
                         const char *domain,
                         const char *kind,
                         const char *name,
                         const char *what)
{
    json_t *doc = NULL;
    if (cpw_cp_item_get(ctx, domain, kind, name ? name : "", &doc) != 0) {
        return -1;
    }
    cpw_json_release(doc);
    return doc == NULL ? 0 : cpw_cp_bad(ctx, "%s %s already exists.", what, name);
}

/* A page of the kind's items, each made by fn, under member. */
static int s_list(struct cpw_sbx_ctx *ctx,
                  const json_t *input,
                  const char *kind,
                  const char *member,
                  json_t *(*fn)(struct cpw_sbx_ctx *, const json_t *),
                  json_t **output)
{
    const char *domain = cpw_sbx_in_str(input, "DomainName");
    json_t *page = NULL;
    int rc = cpw_cp_item_list(ctx, input, domain, kind, NULL, &page);
    if (rc != 0) {
        return rc;
    }
    json_t *items = json_array();
    size_t i;
    const json_t *doc;
    json_array_foreach(cpw_json_get(page, "Items"), i, doc)
    {
        cpw_json_append_take(items, fn(ctx, doc));
    }
    json_t *result = json_object();
    cpw_json_set_take(result, member, items);
    if (cpw_json_get(page, "NextToken") != NULL) {
        json_object_set(result, "NextToken", cpw_json_get(page, "NextToken"));
    }
    cpw_json_release(page);
    *output = result;
    return 0;
}

/* ----- recommenders ------------------------------------------------------------------------ */

/* The recommender's status at now from its phase. */
static const char *s_status(struct cpw_sbx_ctx *ctx, const json_t *doc)
{
    struct cpw_sbx_knobs knobs;
    cpw_sbx_knobs_current(ctx->sbx, &knobs);
    const char *phase = cpw_json_get_string(doc, "Phase");
    int64_t at = (int64_t)json_integer_value(cpw_json_get(doc, "PhaseMs"));
    int64_t step = knobs.recommender_ms;
    int64_t now = ctx->req->now_ms;
    if (phase != NULL && strcmp(phase, "start") == 0) {
        return now < at + step ? "STARTING" : "ACTIVE";
    }
    if (phase != NULL && strcmp(phase, "stop") == 0) {
        return now < at + step ? "STOPPING" : "INACTIVE";
    }
    return now < at + step ? "PENDING" : now < at + 2 * step ? "IN_PROGRESS" : "ACTIVE";
}

/* The recommender as Get (full) or List shows it (owned). */
static json_t *s_recommender_view(struct cpw_sbx_ctx *ctx, const json_t *doc, bool full)
{
    struct cpw_sbx_knobs knobs;
    cpw_sbx_knobs_current(ctx->sbx, &knobs);
    json_t *view = json_object();
    static const char *const copied[] = { "RecommenderName", "RecommenderSchemaName", "Description",
                                          "CreatedAt", "LastUpdatedAt" };
    for (size_t i = 0; i < sizeof(copied) / sizeof(copied[0]); i++) {
        if (cpw_json_get(doc, copied[i]) != NULL) {
            json_object_set(view, copied[i], cpw_json_get(doc, copied[i]));
        }
    }
    json_object_set(view, full ? "RecommenderRecipeName" : "RecipeName",
                    cpw_json_get(doc, "RecommenderRecipeName"));
    cpw_json_set_take(view, "Status", json_string(s_status(ctx, doc)));
    const json_t *config = cpw_json_get(doc, "RecommenderConfig");
    const json_t *update = cpw_json_get(doc, "Update");
    if (update != NULL) {
        int64_t at = (int64_t)json_integer_value(cpw_json_get(update, "AtMs"));
        bool done = ctx->req->now_ms >= at + knobs.recommender_ms;
        if (done) {
            config = cpw_json_get(update, "RecommenderConfig");
        }
        json_t *latest =
          json_pack("{s:o,s:o,s:s}", "CreatedAt", cpw_sbx_time_json(at), "LastUpdatedAt",
                    cpw_sbx_time_json(done ? at + knobs.recommender_ms : at), "Status",
                    done ? "ACTIVE" : "IN_PROGRESS");
        if (cpw_json_get(update, "RecommenderConfig") != NULL) {
            json_object_set(latest, "RecommenderConfig", cpw_json_get(update, "RecommenderConfig"));
        }
        cpw_json_set_take(view, "LatestRecommenderUpdate", latest);
    }
    if (config != NULL) {
        json_object_set(view, "RecommenderConfig", (json_t *)config);
    }
    if (json_object_size(cpw_json_get(doc, "Tags")) > 0) {
        json_object_set(view, "Tags", cpw_json_get(doc, "Tags"));
    }
    return view;
}

static json_t *s_recommender_item(struct cpw_sbx_ctx *ctx, const json_t *doc)
{
    return s_recommender_view(ctx, doc, false);
}

int cpw_cp_create_recommender(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *domain = cpw_sbx_in_str(input, "DomainName");
    const char *name = cpw_sbx_in_str(input, "RecommenderName");
    const char *recipe = cpw_sbx_in_str(input, "RecommenderRecipeName");
    const char *schema = cpw_sbx_in_str(input, "RecommenderSchemaName");
    const json_t *tags = cpw_json_get(input, "Tags");
    char arn[600];
    s_arn(ctx, domain, "recommenders", name, arn, sizeof(arn));
    cpw_sbx_add_resource(ctx, "AWS::CustomerProfiles::Recommender", arn);
    int rc = cpw_cp_need_domain(ctx, domain);
    if (rc == 0 && (name == NULL || name[0] == '\0' || recipe == NULL)) {
        rc = cpw_cp_bad(ctx, "RecommenderName and RecommenderRecipeName are required.");
    }
    if (rc == 0) {
        rc = cpw_cp_check_tags(ctx, tags);
    }
    if (rc == 0) {
        rc = s_need_absent(ctx, domain, CPW_CP_RECOMMENDER, name, "Recommender");
    }
    if (rc == 0 && schema != NULL) {
        json_t *found = NULL;
        rc = s_need(ctx, domain, CPW_CP_REC_SCHEMA, schema, "Recommender schema", &found);
        cpw_json_release(found);
    }
    if (rc != 0) {
        return rc;
    }
    json_t *doc = json_deep_copy(input);
    json_object_del(doc, "DomainName");
    cpw_json_set_take(doc, "Phase", json_string("create"));
    cpw_json_set_take(doc, "PhaseMs", json_integer((json_int_t)ctx->req->now_ms));
    rc = cpw_cp_item_put(ctx, domain, CPW_CP_RECOMMENDER, name, doc);
    cpw_json_release(doc);
    if (rc != 0) {
        return -1;
    }
    *output = json_pack("{s:s}", "RecommenderArn", arn);
    if (tags != NULL) {
        json_object_set(*output, "Tags", (json_t *)tags);
    }
    return 0;
}

int cpw_cp_get_recommender(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    json_t *doc = NULL;
    int rc = s_need(ctx, cpw_sbx_in_str(input, "DomainName"), CPW_CP_RECOMMENDER,
                    cpw_sbx_in_str(input, "RecommenderName"), "Recommender", &doc);
    if (rc != 0) {
        return rc;
    }
    *output = s_recommender_view(ctx, doc, true);
    cpw_json_release(doc);
    return 0;
}

int cpw_cp_list_recommenders(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    return s_list(ctx, input, CPW_CP_RECOMMENDER, "Recommenders", s_recommender_item, output);
}

/* Moves a recommender to a phase (start/stop) when its status is from. */
static int s_transition(struct cpw_sbx_ctx *ctx,
                        const json_t *input,
                        const char *from,
                        const char *phase,
                        json_t **output)
{
    const char *domain = cpw_sbx_in_str(input, "DomainName");
    const char *name = cpw_sbx_in_str(input, "RecommenderName");
    char arn[600];
    s_arn(ctx, domain, "recommenders", name, arn, sizeof(arn));
    cpw_sbx_add_resource(ctx, "AWS::CustomerProfiles::Recommender", arn);
    json_t *doc = NULL;
    int rc = s_need(ctx, domain, CPW_CP_RECOMMENDER, name, "Recommender", &doc);
    if (rc != 0) {
        return rc;
    }
    const char *status = s_status(ctx, doc);
    if (strcmp(status, from) != 0) {
        rc = cpw_cp_bad(ctx, "Recommender %s is %s; it must be %s.", name, status, from);
    } else {
        cpw_json_set_take(doc, "Phase", json_string(phase));
        cpw_json_set_take(doc, "PhaseMs", json_integer((json_int_t)ctx->req->now_ms));
        rc = cpw_cp_item_put(ctx, domain, CPW_CP_RECOMMENDER, name, doc);
    }
    cpw_json_release(doc);
    if (rc == 0) {
        *output = json_object();
    }
    return rc;
}

int cpw_cp_start_recommender(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    return s_transition(ctx, input, "INACTIVE", "start", output);
}

int cpw_cp_stop_recommender(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    return s_transition(ctx, input, "ACTIVE", "stop", output);
}

int cpw_cp_update_recommender(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *domain = cpw_sbx_in_str(input, "DomainName");
    const char *name = cpw_sbx_in_str(input, "RecommenderName");
    char arn[600];
    s_arn(ctx, domain, "recommenders", name, arn, sizeof(arn));
    cpw_sbx_add_resource(ctx, "AWS::CustomerProfiles::Recommender", arn);
    json_t *doc = NULL;
    int rc = s_need(ctx, domain, CPW_CP_RECOMMENDER, name, "Recommender", &doc);
    if (rc != 0) {
        return rc;
    }
    const char *status = s_status(ctx, doc);
    if (strcmp(status, "PENDING") == 0 || strcmp(status, "IN_PROGRESS") == 0) {
        cpw_json_release(doc);
        return cpw_cp_bad(ctx, "Recommender %s is %s and cannot be updated yet.", name, status);
    }
    const json_t *description = cpw_json_get(input, "Description");
    if (description != NULL) {
        json_object_set(doc, "Description", (json_t *)description);
    }
    const json_t *config = cpw_json_get(input, "RecommenderConfig");
    if (config != NULL) {
        /* A previous update that has finished becomes the recommender's configuration. */
        struct cpw_sbx_knobs knobs;
        cpw_sbx_knobs_current(ctx->sbx, &knobs);
        const json_t *update = cpw_json_get(doc, "Update");
        if (update != NULL && cpw_json_get(update, "RecommenderConfig") != NULL &&
            ctx->req->now_ms >=
              (int64_t)json_integer_value(cpw_json_get(update, "AtMs")) + knobs.recommender_ms) {
            json_object_set(doc, "RecommenderConfig", cpw_json_get(update, "RecommenderConfig"));
        }
        cpw_json_set_take(doc, "Update",
                          json_pack("{s:O,s:I}", "RecommenderConfig", config, "AtMs",
                                    (json_int_t)ctx->req->now_ms));
    }
    rc = cpw_cp_item_put(ctx, domain, CPW_CP_RECOMMENDER, name, doc);
    cpw_json_release(doc);
    if (rc != 0) {
        return -1;
    }
    *output = json_pack("{s:s}", "RecommenderName", name);
    return 0;
}

int cpw_cp_delete_recommender(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *domain = cpw_sbx_in_str(input, "DomainName");
    const char *name = cpw_sbx_in_str(input, "RecommenderName");
    char arn[600];
    s_arn(ctx, domain, "recommenders", name, arn, sizeof(arn));
    cpw_sbx_add_resource(ctx, "AWS::CustomerProfiles::Recommender", arn);
    int rc = cpw_cp_need_domain(ctx, domain);
    if (rc != 0) {
        return rc;
    }
    rc = cpw_cp_item_delete(ctx, domain, CPW_CP_RECOMMENDER, name ? name : "");
    if (rc <= 0) {
        return rc < 0 ? -1 : cpw_cp_not_found(ctx, "Recommender %s does not exist.", name);
    }
    *output = json_object();
    return 0;
}

/* ----- filters ----------------------------------------------------------------------------- */

static json_t *s_filter_view(struct cpw_sbx_ctx *ctx, const json_t *doc)
{
    (void)ctx;
    json_t *view = json_deep_copy(doc);
    json_object_del(view, "LastUpdatedAt");
    if (!json_is_object(cpw_json_get(view, "Tags"))) {
        cpw_json_set_take(view, "Tags", json_object());
    }
    return view;
}

int cpw_cp_create_recommender_filter(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *domain = cpw_sbx_in_str(input, "DomainName");
    const char *name = cpw_sbx_in_str(input, "RecommenderFilterName");
    const char *expression = cpw_sbx_in_str(input, "RecommenderFilterExpression");
    const char *schema = cpw_sbx_in_str(input, "RecommenderSchemaName");
    const json_t *tags = cpw_json_get(input, "Tags");
    char arn[600];
    s_arn(ctx, domain, "recommender-filters", name, arn, sizeof(arn));
    cpw_sbx_add_resource(ctx, "AWS::CustomerProfiles::RecommenderFilter", arn);
    int rc = cpw_cp_need_domain(ctx, domain);
    if (rc == 0 && (name == NULL || name[0] == '\0' || expression == NULL ||
                    (strncasecmp(expression, "INCLUDE ", 8) != 0 &&
                     strncasecmp(expression, "EXCLUDE ", 8) != 0))) {
        rc = cpw_cp_bad(ctx, "RecommenderFilterExpression must start with INCLUDE or EXCLUDE.");
    }
    if (rc == 0) {
        rc = cpw_cp_check_tags(ctx, tags);
    }
    if (rc == 0) {
        rc = s_need_absent(ctx, domain, CPW_CP_REC_FILTER, name, "Recommender filter");
    }
    if (rc == 0 && schema != NULL) {
        json_t *found = NULL;
        rc = s_need(ctx, domain, CPW_CP_REC_SCHEMA, schema, "Recommender schema", &found);
        cpw_json_release(found);
    }
    if (rc != 0) {
        return rc;
    }
    json_t *doc = json_deep_copy(input);
    json_object_del(doc, "DomainName");
    cpw_json_set_take(doc, "Status", json_string("ACTIVE"));
    rc = cpw_cp_item_put(ctx, domain, CPW_CP_REC_FILTER, name, doc);
    cpw_json_release(doc);
    if (rc != 0) {
        return -1;
    }
    *output = json_pack("{s:s}", "RecommenderFilterArn", arn);
    if (tags != NULL) {
        json_object_set(*output, "Tags", (json_t *)tags);
    }
    return 0;
}

int cpw_cp_get_recommender_filter(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    json_t *doc = NULL;
    int rc = s_need(ctx, cpw_sbx_in_str(input, "DomainName"), CPW_CP_REC_FILTER,
                    cpw_sbx_in_str(input, "RecommenderFilterName"), "Recommender filter", &doc);
    if (rc != 0) {
        return rc;
    }
    *output = s_filter_view(ctx, doc);
    cpw_json_release(doc);
    return 0;
}

int cpw_cp_list_recommender_filters(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    return s_list(ctx, input, CPW_CP_REC_FILTER, "RecommenderFilters", s_filter_view, output);
}

int cpw_cp_delete_recommender_filter(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *domain = cpw_sbx_in_str(input, "DomainName");
    const char *name = cpw_sbx_in_str(input, "RecommenderFilterName");
    char arn[600];
    s_arn(ctx, domain, "recommender-filters", name, arn, sizeof(arn));
    cpw_sbx_add_resource(ctx, "AWS::CustomerProfiles::RecommenderFilter", arn);
    int rc = cpw_cp_need_domain(ctx, domain);
    if (rc != 0) {
        return rc;
    }
    rc = cpw_cp_item_delete(ctx, domain, CPW_CP_REC_FILTER, name ? name : "");
    if (rc <= 0) {
        return rc < 0 ? -1 : cpw_cp_not_found(ctx, "Recommender filter %s does not exist.", name);
    }
    *output = json_pack("{s:s}", "Message", "Recommender filter deleted");
    return 0;
}

/* ----- schemas ----------------------------------------------------------------------------- */

static json_t *s_schema_view(struct cpw_sbx_ctx *ctx, const json_t *doc)
{
    (void)ctx;
    return json_pack("{s:O,s:O,s:O,s:s}", "CreatedAt", cpw_json_get(doc, "CreatedAt"), "Fields",
                     cpw_json_get(doc, "Fields"), "RecommenderSchemaName",
                     cpw_json_get(doc, "RecommenderSchemaName"), "Status", "ACTIVE");
}

int cpw_cp_create_recommender_schema(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *domain = cpw_sbx_in_str(input, "DomainName");
    const char *name = cpw_sbx_in_str(input, "RecommenderSchemaName");
    const json_t *fields = cpw_json_get(input, "Fields");
    const json_t *tags = cpw_json_get(input, "Tags");
    char arn[600];
    s_arn(ctx, domain, "recommender-schemas", name, arn, sizeof(arn));
    cpw_sbx_add_resource(ctx, "AWS::CustomerProfiles::RecommenderSchema", arn);
    int rc = cpw_cp_need_domain(ctx, domain);
    if (rc == 0 && (name == NULL || name[0] == '\0' || !json_is_object(fields) ||
                    json_object_size(fields) == 0)) {
        rc = cpw_cp_bad(ctx, "RecommenderSchemaName and Fields are required.");
    }
    if (rc == 0) {
        rc = cpw_cp_check_tags(ctx, tags);
    }
    if (rc == 0) {
        rc = s_need_absent(ctx, domain, CPW_CP_REC_SCHEMA, name, "Recommender schema");
    }
    if (rc != 0) {
        return rc;
    }
    json_t *doc = json_pack("{s:s,s:O}", "RecommenderSchemaName", name, "Fields", fields);
    if (tags != NULL) {
        json_object_set(doc, "Tags", (json_t *)tags);
    }
    rc = cpw_cp_item_put(ctx, domain, CPW_CP_REC_SCHEMA, name, doc);
    cpw_json_release(doc);
    json_t *stored = NULL;
    if (rc != 0 || cpw_cp_item_get(ctx, domain, CPW_CP_REC_SCHEMA, name, &stored) != 0) {
        return -1;
    }
    *output = s_schema_view(ctx, stored);
    cpw_json_set_take(*output, "RecommenderSchemaArn", json_string(arn));
    if (tags != NULL) {
        json_object_set(*output, "Tags", (json_t *)tags);
    }
    cpw_json_release(stored);
    return 0;
}

int cpw_cp_get_recommender_schema(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    json_t *doc = NULL;
    int rc = s_need(ctx, cpw_sbx_in_str(input, "DomainName"), CPW_CP_REC_SCHEMA,
                    cpw_sbx_in_str(input, "RecommenderSchemaName"), "Recommender schema", &doc);
    if (rc != 0) {
        return rc;
    }
    *output = s_schema_view(ctx, doc);
    cpw_json_release(doc);
    return 0;
}

int cpw_cp_list_recommender_schemas(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    return s_list(ctx, input, CPW_CP_REC_SCHEMA, "RecommenderSchemas", s_schema_view, output);
}

int cpw_cp_delete_recommender_schema(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *domain = cpw_sbx_in_str(input, "DomainName");
    const char *name = cpw_sbx_in_str(input, "RecommenderSchemaName");
    char arn[600];
    s_arn(ctx, domain, "recommender-schemas", name, arn, sizeof(arn));
    cpw_sbx_add_resource(ctx, "AWS::CustomerProfiles::RecommenderSchema", arn);
    json_t *doc = NULL;
    int rc = s_need(ctx, domain, CPW_CP_REC_SCHEMA, name, "Recommender schema", &doc);
    cpw_json_release(doc);
    if (rc != 0) {
        return rc;
    }
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      ctx->db,
      "SELECT name FROM cp_items WHERE account_id = ? AND region = ? AND domain = ?"
      " AND kind IN (?, ?) AND json_extract(doc, '$.RecommenderSchemaName') = ? LIMIT 1",
      "ssssss", ctx->req->caller->account_id, cpw_cp_region(ctx), domain, CPW_CP_RECOMMENDER,
      CPW_CP_REC_FILTER, name);
    if (stmt == NULL) {
        return -1;
    }
    rc = cpw_sbx_sql_step(stmt);
    if (rc == 1) {
        rc = cpw_cp_bad(ctx, "Recommender schema %s is used by %s.", name, cpw_sbx_col(stmt, 0));
    }
    cpw_sbx_sql_done(stmt);
    if (rc != 0) {
        return rc < 0 ? -1 : rc;
    }
    if (cpw_cp_item_delete(ctx, domain, CPW_CP_REC_SCHEMA, name) < 0) {
        return -1;
    }
    *output = json_object();
    return 0;
}

/* ----- recipes ----------------------------------------------------------------------------- */

static const char *const s_recipes[][2] = {
    { "recommended-for-you",
      "Personalized recommendations for a profile, from the interactions of every profile." },
    { "similar-items", "Items similar to a given item, from co-occurring interactions." },
    { "frequently-paired-items", "Items that are often chosen together with a given item." },
    { "popular-items", "The items with the most interactions." },
    { "trending-now", "The items whose interactions are increasing the fastest." },
    { "personalized-ranking", "Ranks a given list of items for a profile." },
};

int cpw_cp_list_recommender_recipes(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    int64_t offset = 0;
    int64_t limit = LIST_MAX;
    int rc = cpw_cp_paging(ctx, input, LIST_MAX, &offset, &limit);
    if (rc != 0) {
        return rc;
    }
    size_t n = sizeof(s_recipes) / sizeof(s_recipes[0]);
    json_t *items = json_array();
    for (size_t i = (size_t)offset; i < n && (int64_t)json_array_size(items) < limit; i++) {
        cpw_json_append_take(
          items, json_pack("{s:s,s:s}", "name", s_recipes[i][0], "description", s_recipes[i][1]));
    }
    json_t *result = json_object();
    cpw_json_set_take(result, "RecommenderRecipes", items);
    cpw_cp_next_token(result, offset, limit, (size_t)(offset + limit) < n);
    *output = result;
    return 0;
}

/* ----- recommendations --------------------------------------------------------------------- */

/* The member of object named (case-insensitively) one of names, as text into out; false. */
static bool s_member_text(const json_t *object, const char *const *names, char *out, size_t cap)
{
    for (size_t i = 0; names[i] != NULL; i++) {
        const char *key;
        json_t *v;
        json_object_foreach((json_t *)object, key, v)
        {
            if (strcasecmp(key, names[i]) != 0) {
                continue;
            }
            if (json_is_string(v) && json_string_length(v) > 0) {
                snprintf(out, cap, "%s", json_string_value(v));
                return true;
            }
            if (json_is_number(v)) {
                cpw_cp_number_text(json_number_value(v), out, cap);
                return true;
            }
        }
    }
    return false;
}

static const char *const s_item_members[] = { "ItemId", "item_id", "ProductId", "product_id",
                                              "Sku",    "item",    NULL };

struct filter {
    bool include;
    char field[128];
    json_t *values; /* set of accepted texts */
};

/* Parses a filter expression with the request's values: 0, or -1 when it cannot be applied. */
static int s_filter_parse(const char *expression, const json_t *params, struct filter *f)
{
    memset(f, 0, sizeof(*f));
    f->include = strncasecmp(expression, "INCLUDE", 7) == 0;
    const char *items = strstr(expression, "Items.");
    const char *in = items ? strstr(items, " IN ") : NULL;
    const char *open = in ? strchr(in, '(') : NULL;
    const char *close = open ? strrchr(open, ')') : NULL;
    if (items == NULL || in == NULL || open == NULL || close == NULL) {
        return -1;
    }
    size_t n = (size_t)(in - (items + 6));
    if (n == 0 || n >= sizeof(f->field)) {
        return -1;
    }
    memcpy(f->field, items + 6, n);
    f->values = json_object();
    const char *p = open + 1;
    for (size_t guard = 0; p < close && guard < 1000; guard++) {
        while (p < close && (*p == ' ' || *p == ',')) {
            p++;
        }
        if (p >= close) {
            break;
        }
        char token[512];
        size_t len = 0;
        if (*p == '"') {
            p++;
            while (p < close && *p != '"' && len + 1 < sizeof(token)) {
                token[len++] = *p++;
            }
            p++;
            token[len] = '\0';
            json_object_set_new(f->values, token, json_true());
        } else if (*p == '$') {
            p++;
            while (p < close && *p != ',' && *p != ' ' && len + 1 < sizeof(token)) {
                token[len++] = *p++;
            }
            token[len] = '\0';
            /* A parameter's value is a list like "\"a\",\"b\"" or a bare value. */
            const char *value = cpw_json_get_string(params, token);
            if (value == NULL) {
                return -1;
            }
            char part[512];
            size_t k = 0;
            for (const char *q = value;; q++) {
                if (*q == ',' || *q == '\0') {
                    part[k] = '\0';
                    if (k > 0) {
                        json_object_set_new(f->values, part, json_true());
                    }
                    k = 0;
                    if (*q == '\0') {
                        break;
                    }
                } else if (*q != '"' && *q != ' ' && k + 1 < sizeof(part)) {
                    part[k++] = *q;
                }
            }
        } else {
            return -1;
        }
    }
    return 0;
}

int cpw_cp_get_profile_recommendations(struct cpw_sbx_ctx *ctx,
                                       const json_t *input,
                                       json_t **output)
{
    const char *domain = cpw_sbx_in_str(input, "DomainName");
    const char *profile_id = cpw_sbx_in_str(input, "ProfileId");
    const char *name = cpw_sbx_in_str(input, "RecommenderName");
    const json_t *candidates = cpw_json_get(input, "CandidateIds");
    int64_t max = 25;
    if (cpw_sbx_in_int(input, "MaxResults", 25, &max) != 0 || max < 1 ||
        max > RECOMMENDATIONS_MAX) {
        cpw_error_clear();
        return cpw_cp_bad(ctx, "MaxResults must be between 1 and %d.", RECOMMENDATIONS_MAX);
    }
    json_t *profile = NULL;
    json_t *recommender = NULL;
    int rc = cpw_cp_need_profile(ctx, domain, profile_id, &profile);
    cpw_json_release(profile);
    if (rc == 0) {
        rc = s_need(ctx, domain, CPW_CP_RECOMMENDER, name, "Recommender", &recommender);
    }
    if (rc == 0 && strcmp(s_status(ctx, recommender), "ACTIVE") != 0) {
        rc = cpw_cp_bad(ctx, "Recommender %s is %s, not ACTIVE.", name, s_status(ctx, recommender));
    }
    cpw_json_release(recommender);
    if (rc != 0) {
        return rc;
    }
    struct filter filters[8];
    size_t filter_count = 0;
    size_t i;
    const json_t *want;
    json_array_foreach(cpw_json_get(input, "RecommenderFilters"), i, want)
    {
        json_t *doc = NULL;
        if (filter_count == sizeof(filters) / sizeof(filters[0])) {
            rc = cpw_cp_bad(ctx, "At most %zu recommender filters apply at once.", filter_count);
        } else {
            rc = s_need(ctx, domain, CPW_CP_REC_FILTER, cpw_json_get_string(want, "Name"),
                        "Recommender filter", &doc);
        }
        if (rc == 0 && s_filter_parse(cpw_json_get_string(doc, "RecommenderFilterExpression"),
                                      cpw_json_get(want, "Values"), &filters[filter_count]) != 0) {
            cpw_json_release(filters[filter_count].values);
            rc = cpw_cp_bad(ctx, "Recommender filter %s cannot be applied.",
                            cpw_json_get_string(want, "Name"));
        }
        cpw_json_release(doc);
        if (rc != 0) {
            break;
        }
        filter_count++;
    }
    sqlite3_stmt *stmt = NULL;
    if (rc == 0) {
        stmt = cpw_sbx_sql_query(
          ctx->db,
          "SELECT json_extract(doc, '$.Object'), json_extract(doc, '$.ProfileId') FROM cp_items"
          " WHERE account_id = ? AND region = ? AND domain = ? AND kind = ? ORDER BY rowid",
          "ssss", ctx->req->caller->account_id, cpw_cp_region(ctx), domain, CPW_CP_OBJECT);
        rc = stmt == NULL ? -1 : 0;
    }
    json_t *counts = json_object(); /* item -> {count, CatalogItem} */
    json_t *own = json_object();
    json_t *dropped = json_object();
    while (rc == 0 && (rc = cpw_sbx_sql_step(stmt)) == 1) {
        rc = 0;
        json_t *object = NULL;
        if (cpw_json_load(cpw_span_from_cstr(cpw_sbx_col(stmt, 0)), CPW_CP_DOC_MAX, &object) != 0) {
            cpw_error_clear();
            continue;
        }
        char item[256];
        if (!s_member_text(object, s_item_members, item, sizeof(item))) {
            cpw_json_release(object);
            continue;
        }
        if (strcmp(cpw_sbx_col(stmt, 1), profile_id) == 0) {
            json_object_set_new(own, item, json_true());
        }
        for (size_t k = 0; k < filter_count; k++) {
            char value[512];
            const char *names[] = { filters[k].field, NULL };
            bool listed = s_member_text(object, names, value, sizeof(value)) &&
                          json_object_get(filters[k].values, value) != NULL;
            if (listed != filters[k].include) {
                json_object_set_new(dropped, item, json_true());
            }
        }
        json_t *entry = cpw_json_get(counts, item);
        if (entry == NULL) {
            json_t *catalog = json_pack("{s:s}", "Id", item);
            static const char *const names[] = { "name", "title", NULL };
            static const char *const categories[] = { "category", NULL };
            static const char *const prices[] = { "price", NULL };
            char text[256];
            if (s_member_text(object, names, text, sizeof(text))) {
                cpw_json_set_take(catalog, "Name", json_string(text));
            }
            if (s_member_text(object, categories, text, sizeof(text))) {
                cpw_json_set_take(catalog, "Category", json_string(text));
            }
            if (s_member_text(object, prices, text, sizeof(text))) {
                cpw_json_set_take(catalog, "Price", json_string(text));
            }
            entry = json_pack("{s:I,s:o}", "n", (json_int_t)0, "CatalogItem", catalog);
            cpw_json_set_take(counts, item, entry);
        }
        json_object_set_new(entry, "n",
                            json_integer(json_integer_value(json_object_get(entry, "n")) + 1));
        cpw_json_release(object);
    }
    cpw_sbx_sql_done(stmt);
    for (size_t k = 0; k < filter_count; k++) {
        cpw_json_release(filters[k].values);
    }
    json_t *ranked = json_array();
    json_int_t best = 0;
    if (rc == 0) {
        const char *item;
        json_t *entry;
        json_object_foreach(counts, item, entry)
        {
            bool candidate = !json_is_array(candidates);
            size_t c;
            const json_t *id;
            json_array_foreach(candidates, c, id)
            {
                candidate =
                  candidate || (json_is_string(id) && strcmp(json_string_value(id), item) == 0);
            }
            if (!candidate || json_object_get(own, item) != NULL ||
                json_object_get(dropped, item) != NULL) {
                continue;
            }
            json_int_t n = json_integer_value(json_object_get(entry, "n"));
            best = n > best ? n : best;
            /* Insertion in rank order: count descending, then id. */
            size_t at = 0;
            for (; at < json_array_size(ranked); at++) {
                const json_t *other = json_array_get(ranked, at);
                json_int_t m = json_integer_value(json_object_get(other, "n"));
                const char *other_id =
                  cpw_json_get_string(cpw_json_get(other, "CatalogItem"), "Id");
                if (n > m || (n == m && strcmp(item, other_id) < 0)) {
                    break;
                }
            }
            json_array_insert(ranked, at, entry);
        }
    }
    cpw_json_release(own);
    cpw_json_release(dropped);
    if (rc < 0) {
        cpw_json_release(ranked);
        cpw_json_release(counts);
        return -1;
    }
    json_t *recommendations = json_array();
    size_t k;
    const json_t *entry;
    json_array_foreach(ranked, k, entry)
    {
        if ((int64_t)k >= max) {
            break;
        }
        double score = (double)json_integer_value(json_object_get(entry, "n")) / (double)best;
        cpw_json_append_take(recommendations,
                             json_pack("{s:O,s:f}", "CatalogItem",
                                       cpw_json_get(entry, "CatalogItem"), "Score", score));
    }
    cpw_json_release(ranked);
    cpw_json_release(counts);
    *output = json_object();
    cpw_json_set_take(*output, "Recommendations", recommendations);
    return 0;
}
