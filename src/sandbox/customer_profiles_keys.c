/*
 * customer_profiles_keys.c - profile keys, object deletion, batch reads and merges of Customer
 * Profiles in the sandbox: AddProfileKey, DeleteProfileKey, DeleteProfileObject, BatchGetProfile
 * and MergeProfiles.
 *
 * A profile key value is a cp_items row "KEY/VALUE" naming the profile that holds it: adding a
 * value another profile holds moves it. MergeProfiles moves every object and key of the merged
 * profiles to the main profile and deletes the merged profiles. The main profile's fields win;
 * a field it lacks is taken from the first merged profile (in the order given) that has it;
 * FieldSourceProfileIds names, per field (per attribute for Attributes), the profile whose value
 * the main profile takes (the main profile or one being merged).
 */
#include <stdio.h>
#include <string.h>

#include "cpw/error.h"
#include "cpw/json.h"
#include "sbx_cp_profiles.h"

#define BATCH_MAX 20

/* The profile as the API shows it: the stored document without its times (owned). */
static json_t *s_public_profile(json_t *doc)
{
    json_object_del(doc, "CreatedAt");
    json_object_del(doc, "LastUpdatedAt");
    return doc;
}

int cpw_cp_add_profile_key(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *domain = cpw_sbx_in_str(input, "DomainName");
    const char *profile_id = cpw_sbx_in_str(input, "ProfileId");
    const char *key = cpw_sbx_in_str(input, "KeyName");
    const json_t *values = cpw_json_get(input, "Values");
    json_t *profile = NULL;
    int rc = cpw_cp_need_profile(ctx, domain, profile_id, &profile);
    if (rc != 0) {
        return rc;
    }
    cpw_json_release(profile);
    if (key == NULL || !json_is_array(values) || json_array_size(values) == 0) {
        return cpw_cp_bad(ctx, "KeyName and Values are required.");
    }
    size_t i;
    const json_t *v;
    json_array_foreach(values, i, v)
    {
        if (!json_is_string(v) || json_string_length(v) == 0) {
            return cpw_cp_bad(ctx, "Values must be non-empty strings.");
        }
        char name[400];
        snprintf(name, sizeof(name), "%s/%s", key, json_string_value(v));
        json_t *doc = json_pack("{s:s,s:s,s:s}", "KeyName", key, "Value", json_string_value(v),
                                "ProfileId", profile_id);
        rc = cpw_cp_item_put(ctx, domain, CPW_CP_PROFILE_KEY, name, doc);
        cpw_json_release(doc);
        if (rc != 0) {
            return -1;
        }
    }
    json_t *content = json_pack("{s:s,s:O}", "KeyName", key, "Values", values);
    rc = cpw_cp_history_add(ctx, domain, profile_id, "ADDED_PROFILE_KEY", NULL, NULL, content);
    cpw_json_release(content);
    if (rc != 0) {
        return -1;
    }
    *output = json_pack("{s:s,s:O}", "KeyName", key, "Values", values);
    return 0;
}

int cpw_cp_delete_profile_key(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *domain = cpw_sbx_in_str(input, "DomainName");
    const char *profile_id = cpw_sbx_in_str(input, "ProfileId");
    const char *key = cpw_sbx_in_str(input, "KeyName");
    const json_t *values = cpw_json_get(input, "Values");
    json_t *profile = NULL;
    int rc = cpw_cp_need_profile(ctx, domain, profile_id, &profile);
    if (rc != 0) {
        return rc;
    }
    cpw_json_release(profile);
    if (key == NULL || !json_is_array(values) || json_array_size(values) == 0) {
        return cpw_cp_bad(ctx, "KeyName and Values are required.");
    }
    int deleted = 0;
    size_t i;
    const json_t *v;
    json_array_foreach(values, i, v)
    {
        char name[400];
        snprintf(name, sizeof(name), "%s/%s", key, json_is_string(v) ? json_string_value(v) : "");
        rc =
          cpw_sbx_sql_do(ctx->db,
                         "DELETE FROM cp_items WHERE account_id = ? AND region = ? AND domain = ?"
                         " AND kind = ? AND name = ? AND json_extract(doc, '$.ProfileId') = ?",
                         "ssssss", ctx->req->caller->account_id, cpw_cp_region(ctx), domain,
                         CPW_CP_PROFILE_KEY, name, profile_id);
        if (rc < 0) {
            return -1;
        }
        deleted += rc;
    }
    if (deleted == 0) {
        return cpw_cp_not_found(ctx, "Profile %s holds none of the values of key %s.", profile_id,
                                key);
    }
    json_t *content = json_pack("{s:s,s:O}", "KeyName", key, "Values", values);
    rc = cpw_cp_history_add(ctx, domain, profile_id, "DELETED_PROFILE_KEY", NULL, NULL, content);
    cpw_json_release(content);
    if (rc != 0) {
        return -1;
    }
    *output = json_pack("{s:s}", "Message", "Profile key deleted");
    return 0;
}

int cpw_cp_delete_profile_object(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *domain = cpw_sbx_in_str(input, "DomainName");
    const char *profile_id = cpw_sbx_in_str(input, "ProfileId");
    const char *type = cpw_sbx_in_str(input, "ObjectTypeName");
    const char *unique = cpw_sbx_in_str(input, "ProfileObjectUniqueKey");
    json_t *profile = NULL;
    int rc = cpw_cp_need_profile(ctx, domain, profile_id, &profile);
    if (rc != 0) {
        return rc;
    }
    cpw_json_release(profile);
    char name[600];
    snprintf(name, sizeof(name), "%s/%s", type ? type : "", unique ? unique : "");
    json_t *object = NULL;
    if (cpw_cp_item_get(ctx, domain, CPW_CP_OBJECT, name, &object) != 0) {
        return -1;
    }
    const char *owner = cpw_json_get_string(object, "ProfileId");
    if (object == NULL || owner == NULL || strcmp(owner, profile_id) != 0) {
        cpw_json_release(object);
        return cpw_cp_not_found(ctx, "Profile object %s of type %s does not exist.",
                                unique ? unique : "", type ? type : "");
    }
    rc = cpw_cp_item_delete(ctx, domain, CPW_CP_OBJECT, name) < 0 ? -1 : 0;
    if (rc == 0) {
        json_t *content = NULL;
        const char *text = cpw_json_get_string(object, "Object");
        if (text != NULL &&
            cpw_json_load(cpw_span_from_cstr(text), CPW_CP_DOC_MAX, &content) != 0) {
            cpw_error_clear();
        }
        rc =
          cpw_cp_history_add(ctx, domain, profile_id, "DELETED_BY_CUSTOMER", type, unique, content);
        cpw_json_release(content);
    }
    cpw_json_release(object);
    if (rc != 0) {
        return -1;
    }
    *output = json_pack("{s:s}", "Message", "Profile object deleted");
    return 0;
}

int cpw_cp_batch_get_profile(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *domain = cpw_sbx_in_str(input, "DomainName");
    const json_t *ids = cpw_json_get(input, "ProfileIds");
    int rc = cpw_cp_need_domain(ctx, domain);
    if (rc != 0) {
        return rc;
    }
    if (!json_is_array(ids) || json_array_size(ids) == 0 || json_array_size(ids) > BATCH_MAX) {
        return cpw_cp_bad(ctx, "ProfileIds must hold 1 to %d profile ids.", BATCH_MAX);
    }
    json_t *profiles = json_array();
    json_t *errors = json_array();
    size_t i;
    const json_t *v;
    json_array_foreach(ids, i, v)
    {
        const char *id = json_is_string(v) ? json_string_value(v) : "";
        json_t *doc = NULL;
        if (cpw_cp_item_get(ctx, domain, CPW_CP_PROFILE, id, &doc) != 0) {
            rc = -1;
            break;
        }
        if (doc != NULL) {
            cpw_json_append_take(profiles, s_public_profile(doc));
        } else {
            cpw_json_append_take(errors,
                                 json_pack("{s:s,s:s,s:s}", "Code", "ResourceNotFoundException",
                                           "Message", "Profile does not exist.", "ProfileId", id));
        }
    }
    if (rc != 0) {
        cpw_json_release(profiles);
        cpw_json_release(errors);
        return -1;
    }
    *output = json_object();
    cpw_json_set_take(*output, "Errors", errors);
    cpw_json_set_take(*output, "Profiles", profiles);
    return 0;
}

/* Takes main[field] from source (removing it when source lacks it). */
static void s_take_field(json_t *main_doc, const json_t *source, const char *field)
{
    const json_t *v = cpw_json_get(source, field);
    if (v != NULL) {
        json_object_set(main_doc, field, (json_t *)v);
    } else {
        json_object_del(main_doc, field);
    }
}

/* The profile among main / merged whose id is id, or NULL. */
static const json_t *s_pick(const json_t *main_doc, const json_t *merged, const char *id)
{
    if (id == NULL) {
        return NULL;
    }
    if (strcmp(cpw_json_get_string(main_doc, "ProfileId"), id) == 0) {
        return main_doc;
    }
    size_t i;
    const json_t *p;
    json_array_foreach(merged, i, p)
    {
        if (strcmp(cpw_json_get_string(p, "ProfileId"), id) == 0) {
            return p;
        }
    }
    return NULL;
}

/* Applies FieldSourceProfileIds: 0, or 1 answered (a source that is not part of the merge). */
static int s_apply_sources(struct cpw_sbx_ctx *ctx,
                           json_t *main_doc,
                           const json_t *merged,
                           const json_t *sources)
{
    const char *field;
    const json_t *src;
    json_object_foreach((json_t *)sources, field, src)
    {
        if (strcmp(field, "Attributes") == 0 && json_is_object(src)) {
            json_t *attrs = cpw_json_get(main_doc, "Attributes");
            if (!json_is_object(attrs)) {
                attrs = json_object();
                cpw_json_set_take(main_doc, "Attributes", attrs);
            }
            const char *name;
            const json_t *id;
            json_object_foreach((json_t *)src, name, id)
            {
                const json_t *from = s_pick(main_doc, merged, json_string_value(id));
                if (from == NULL) {
                    return cpw_cp_bad(ctx, "Profile %s of attribute %s is not being merged.",
                                      json_is_string(id) ? json_string_value(id) : "", name);
                }
                s_take_field(attrs, cpw_json_get(from, "Attributes"), name);
            }
            continue;
        }
        const json_t *from = s_pick(main_doc, merged, json_string_value(src));
        if (from == NULL) {
            return cpw_cp_bad(ctx, "Profile %s of field %s is not being merged.",
                              json_is_string(src) ? json_string_value(src) : "", field);
        }
        s_take_field(main_doc, from, field);
    }
    return 0;
}

/* Moves the objects and keys of profile from to profile to. Returns 0 or -1. */
static int s_move_contents(struct cpw_sbx_ctx *ctx,
                           const char *domain,
                           const char *from,
                           const char *to)
{
    return cpw_sbx_sql_do(
             ctx->db,
             "UPDATE cp_items SET doc = json_set(doc, '$.ProfileId', ?), updated_ms = ?"
             " WHERE account_id = ? AND region = ? AND domain = ? AND kind IN (?, ?)"
             " AND json_extract(doc, '$.ProfileId') = ?",
             "sissssss", to, ctx->req->now_ms, ctx->req->caller->account_id, cpw_cp_region(ctx),
             domain, CPW_CP_OBJECT, CPW_CP_PROFILE_KEY, from) < 0
             ? -1
             : 0;
}

int cpw_cp_merge_profiles(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *domain = cpw_sbx_in_str(input, "DomainName");
    const char *main_id = cpw_sbx_in_str(input, "MainProfileId");
    const json_t *ids = cpw_json_get(input, "ProfileIdsToBeMerged");
    const json_t *sources = cpw_json_get(input, "FieldSourceProfileIds");
    json_t *main_doc = NULL;
    int rc = cpw_cp_need_profile(ctx, domain, main_id, &main_doc);
    if (rc != 0) {
        return rc;
    }
    if (!json_is_array(ids) || json_array_size(ids) == 0 || json_array_size(ids) > BATCH_MAX) {
        cpw_json_release(main_doc);
        return cpw_cp_bad(ctx, "ProfileIdsToBeMerged must hold 1 to %d profile ids.", BATCH_MAX);
    }
    json_t *merged = json_array();
    size_t i;
    const json_t *v;
    json_array_foreach(ids, i, v)
    {
        const char *id = json_is_string(v) ? json_string_value(v) : "";
        if (strcmp(id, main_id) == 0) {
            rc = cpw_cp_bad(ctx, "The main profile cannot be merged into itself.");
            break;
        }
        if (s_pick(main_doc, merged, id) != NULL) {
            continue; /* listed twice */
        }
        json_t *doc = NULL;
        if (cpw_cp_item_get(ctx, domain, CPW_CP_PROFILE, id, &doc) != 0) {
            rc = -1;
            break;
        }
        if (doc == NULL) {
            rc = cpw_cp_not_found(ctx, "Profile %s does not exist.", id);
            break;
        }
        cpw_json_append_take(merged, s_public_profile(doc));
    }
    s_public_profile(main_doc);
    if (rc == 0) {
        /* Fields the main profile lacks come from the merged profiles, in order. */
        json_array_foreach(merged, i, v)
        {
            const char *field;
            json_t *value;
            json_object_foreach((json_t *)v, field, value)
            {
                if (json_object_get(main_doc, field) == NULL) {
                    json_object_set(main_doc, field, value);
                }
            }
        }
        rc = s_apply_sources(ctx, main_doc, merged, sources);
    }
    json_array_foreach(merged, i, v)
    {
        const char *id = cpw_json_get_string(v, "ProfileId");
        if (rc == 0) {
            rc = s_move_contents(ctx, domain, id, main_id);
        }
        if (rc == 0) {
            rc = cpw_cp_item_delete(ctx, domain, CPW_CP_PROFILE, id) < 0 ? -1 : 0;
        }
        if (rc == 0) {
            json_t *content = json_pack("{s:s}", "MergedInto", main_id);
            rc = cpw_cp_history_add(ctx, domain, id, "DELETED_BY_MERGE", NULL, NULL, content);
            cpw_json_release(content);
        }
    }
    if (rc == 0) {
        rc = cpw_cp_item_put(ctx, domain, CPW_CP_PROFILE, main_id, main_doc);
    }
    if (rc == 0) {
        rc = cpw_cp_history_add(ctx, domain, main_id, "MERGED", NULL, NULL, main_doc);
    }
    cpw_json_release(merged);
    cpw_json_release(main_doc);
    if (rc != 0) {
        return rc;
    }
    *output = json_pack("{s:s}", "Message", "Profiles merged");
    return 0;
}
