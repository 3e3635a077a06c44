/*
 * customer_profiles_tags.c - TagResource, UntagResource and ListTagsForResource of Customer
 * Profiles in the sandbox, on domain, object type, integration, event stream and calculated
 * attribute, layout, domain object type, event trigger, segment definition, recommender,
 * recommender filter and recommender schema ARNs (arn:aws:profile:REGION:ACCOUNT:domains/NAME[
 * /object-types/TYPE | /integrations/URI | /event-streams/NAME | /calculated-attributes/NAME |
 * /layouts/NAME | /domain-object-types/NAME | /event-triggers/NAME | /segment-definitions/NAME |
 * /recommenders/NAME | /recommender-filters/NAME | /recommender-schemas/NAME]). Tags live in the
 * resource's document ("Tags" map), so Get and List answers show them too.
 */
#include <stdio.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/error.h"
#include "customer_profiles_config.h"
#include "sbx_contact.h"
#include "sbx_cp_profiles.h"

#define TAG_MAX 50

struct target {
    char domain[80];
    const char *kind; /* NULL: the domain itself */
    char name[400];
};

/* 0 with *t filled, 1 answered (not found / malformed), -1. */
static int s_parse(struct cpw_sbx_ctx *ctx, const char *arn, struct target *t)
{
    static const char *const kinds[][2] = {
        { "object-types/", CPW_CP_OBJECT_TYPE },
        { "integrations/", CPW_CP_INTEGRATION },
        { "event-streams/", CPW_CP_EVENT_STREAM },
        { "calculated-attributes/", CPW_CP_CALC_ATTR },
        { "layouts/", CPW_CP_LAYOUT },
        { "domain-object-types/", CPW_CP_DOMAIN_OBJECT_TYPE },
        { "event-triggers/", CPW_CP_EVENT_TRIGGER },
        { "segment-definitions/", CPW_CP_SEGMENT },
        { "recommenders/", CPW_CP_RECOMMENDER },
        { "recommender-filters/", CPW_CP_REC_FILTER },
        { "recommender-schemas/", CPW_CP_REC_SCHEMA },
    };
    memset(t, 0, sizeof(*t));
    char prefix[200];
    snprintf(prefix, sizeof(prefix), "arn:%s:profile:%s:%s:domains/", cpw_sbx_ctx_partition(ctx),
             cpw_cp_region(ctx), ctx->req->caller->account_id);
    if (arn == NULL || strncmp(arn, "arn:aws", 7) != 0 || strstr(arn, ":profile:") == NULL) {
        return cpw_cp_bad(ctx, "resourceArn is not a Customer Profiles ARN.");
    }
    if (strncmp(arn, prefix, strlen(prefix)) != 0) {
        return cpw_cp_not_found(ctx, "Resource %s does not exist.", arn);
    }
    const char *rest = arn + strlen(prefix);
    const char *slash = strchr(rest, '/');
    size_t len = slash ? (size_t)(slash - rest) : strlen(rest);
    if (len == 0 || len >= sizeof(t->domain)) {
        return cpw_cp_not_found(ctx, "Resource %s does not exist.", arn);
    }
    memcpy(t->domain, rest, len);
    if (slash == NULL) {
        return 0;
    }
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        if (strncmp(slash + 1, kinds[i][0], strlen(kinds[i][0])) == 0) {
            t->kind = kinds[i][1];
            snprintf(t->name, sizeof(t->name), "%s", slash + 1 + strlen(kinds[i][0]));
            return t->name[0] ? 0 : cpw_cp_not_found(ctx, "Resource %s does not exist.", arn);
        }
    }
    return cpw_cp_not_found(ctx, "Resource %s does not exist.", arn);
}

/* The resource's stored tags (owned map): 0, 1 answered, -1. */
static int s_tags_of(struct cpw_sbx_ctx *ctx,
                     const char *arn,
                     const struct target *t,
                     json_t **tags)
{
    *tags = NULL;
    int rc = cpw_cp_need_domain(ctx, t->domain);
    if (rc != 0) {
        return rc == 1 ? cpw_cp_not_found(ctx, "Resource %s does not exist.", arn) : rc;
    }
    json_t *doc = NULL;
    if (t->kind != NULL) {
        if (cpw_cp_item_get(ctx, t->domain, t->kind, t->name, &doc) != 0) {
            return -1;
        }
        if (doc == NULL) {
            return cpw_cp_not_found(ctx, "Resource %s does not exist.", arn);
        }
    } else {
        sqlite3_stmt *stmt = cpw_sbx_sql_query(
          ctx->db, "SELECT doc FROM cp_domains WHERE account_id = ? AND region = ? AND name = ?",
          "sss", ctx->req->caller->account_id, cpw_cp_region(ctx), t->domain);
        if (stmt == NULL || cpw_sbx_sql_step(stmt) != 1) {
            cpw_sbx_sql_done(stmt);
            return -1;
        }
        doc = cpw_json_load_cstr(cpw_sbx_col(stmt, 0));
        cpw_sbx_sql_done(stmt);
    }
    json_t *found = json_object_get(doc, "Tags");
    *tags = json_is_object(found) ? json_deep_copy(found) : json_object();
    json_decref(doc);
    return 0;
}

static int s_store_tags(struct cpw_sbx_ctx *ctx, const struct target *t, const json_t *tags)
{
    char *text = cpw_json_dump_cstr(tags, CPW_JSON_DUMP_COMPACT);
    int rc;
    if (t->kind != NULL) {
        rc = cpw_sbx_sql_do(ctx->db,
                            "UPDATE cp_items SET doc = json_set(doc, '$.Tags', json(?))"
                            " WHERE account_id = ? AND region = ? AND domain = ? AND kind = ?"
                            " AND name = ?",
                            "ssssss", text, ctx->req->caller->account_id, cpw_cp_region(ctx),
                            t->domain, t->kind, t->name);
    } else {
        rc =
          cpw_sbx_sql_do(ctx->db,
                         "UPDATE cp_domains SET doc = json_set(doc, '$.Tags', json(?))"
                         " WHERE account_id = ? AND region = ? AND name = ?",
                         "ssss", text, ctx->req->caller->account_id, cpw_cp_region(ctx), t->domain);
    }
    cpw_free(text);
    return rc < 0 ? -1 : 0;
}

int cpw_cp_tag_resource(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *arn = cpw_sbx_in_str(input, "resourceArn");
    const json_t *add = json_object_get(input, "tags");
    struct target t;
    json_t *tags = NULL;
    int rc = s_parse(ctx, arn, &t);
    if (rc == 0) {
        rc = cpw_cp_check_tags(ctx, add);
    }
    if (rc == 0 && json_object_size(add) == 0) {
        rc = cpw_cp_bad(ctx, "tags must hold 1 to %d tags.", TAG_MAX);
    }
    if (rc == 0) {
        rc = s_tags_of(ctx, arn, &t, &tags);
    }
    if (rc != 0) {
        return rc;
    }
    cpw_sbx_add_resource(ctx, "AWS::CustomerProfiles::Resource", arn);
    json_object_update(tags, (json_t *)add);
    if (json_object_size(tags) > TAG_MAX) {
        json_decref(tags);
        return cpw_cp_bad(ctx, "A resource can have at most %d tags.", TAG_MAX);
    }
    rc = s_store_tags(ctx, &t, tags);
    json_decref(tags);
    if (rc != 0) {
        return -1;
    }
    *output = json_object();
    return 0;
}

int cpw_cp_untag_resource(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *arn = cpw_sbx_in_str(input, "resourceArn");
    const json_t *keys = json_object_get(input, "tagKeys");
    struct target t;
    json_t *tags = NULL;
    int rc = s_parse(ctx, arn, &t);
    if (rc == 0 && (!json_is_array(keys) || json_array_size(keys) == 0)) {
        rc = cpw_cp_bad(ctx, "tagKeys must hold 1 to %d keys.", TAG_MAX);
    }
    if (rc == 0) {
        rc = s_tags_of(ctx, arn, &t, &tags);
    }
    if (rc != 0) {
        return rc;
    }
    cpw_sbx_add_resource(ctx, "AWS::CustomerProfiles::Resource", arn);
    size_t i;
    const json_t *key;
    json_array_foreach(keys, i, key)
    {
        if (json_is_string(key)) {
            json_object_del(tags, json_string_value(key));
        }
    }
    rc = s_store_tags(ctx, &t, tags);
    json_decref(tags);
    if (rc != 0) {
        return -1;
    }
    *output = json_object();
    return 0;
}

int cpw_cp_list_tags(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *arn = cpw_sbx_in_str(input, "resourceArn");
    struct target t;
    json_t *tags = NULL;
    int rc = s_parse(ctx, arn, &t);
    if (rc == 0) {
        rc = s_tags_of(ctx, arn, &t, &tags);
    }
    if (rc != 0) {
        return rc;
    }
    *output = json_pack("{s:o}", "tags", tags);
    return 0;
}
