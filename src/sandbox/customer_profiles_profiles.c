/*
 * customer_profiles_profiles.c - Customer Profiles profiles and profile objects in the sandbox:
 * CreateProfile, UpdateProfile, SearchProfiles, ListProfileAttributeValues, DeleteProfile,
 * PutProfileObject and ListProfileObjects. They are what GetDomain's Stats count.
 * ListProfileAttributeValues answers the distinct values of one Profile member (a standard key
 * such as _profileId or _email names its fields), in value order, unpaged as in the model.
 *
 * Searching matches a profile field exactly: KeyName is a Profile member name ("EmailAddress")
 * or one of the standard keys _profileId, _email, _phone, _account, _fullName; a value that is
 * the PROFILE key of an object also finds the profile that object belongs to, and a value
 * AddProfileKey gave a profile under KeyName finds that profile. Every change of a profile or
 * of its objects leaves a history record (customer_profiles_history.c). A profile object is
 * attached to the profile that already holds an object with the same PROFILE key value of its
 * object type, else to a new profile (which is how objects create profiles in AWS).
 */
#include <stdio.h>
#include <string.h>

#include "cpw/crypto.h"
#include "cpw/error.h"
#include "sbx_cp_profiles.h"

#define LIST_MAX 100

static int s_new_id(char out[33])
{
    return cpw_sbx_random_chars(out, 32, "0123456789abcdef");
}

static void s_copy_profile_fields(json_t *doc, const json_t *input)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)input, key, v)
    {
        if (strcmp(key, "DomainName") == 0 || strcmp(key, "ProfileId") == 0) {
            continue;
        }
        if (json_is_object(v) && json_is_object(json_object_get(doc, key))) {
            json_object_update(json_object_get(doc, key), v); /* UpdateAddress, UpdateAttributes */
        } else {
            json_object_set(doc, key, v);
        }
    }
}

int cpw_cp_create_profile(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *domain = cpw_sbx_in_str(input, "DomainName");
    int rc = cpw_cp_need_domain(ctx, domain);
    if (rc != 0) {
        return rc;
    }
    char id[33];
    if (s_new_id(id) != 0) {
        return -1;
    }
    json_t *doc = json_pack("{s:s}", "ProfileId", id);
    s_copy_profile_fields(doc, input);
    rc = cpw_cp_item_put(ctx, domain, CPW_CP_PROFILE, id, doc);
    if (rc == 0) {
        rc = cpw_cp_history_add(ctx, domain, id, "CREATED", NULL, NULL, doc);
    }
    json_decref(doc);
    if (rc != 0) {
        return -1;
    }
    *output = json_pack("{s:s}", "ProfileId", id);
    return 0;
}

int cpw_cp_update_profile(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *domain = cpw_sbx_in_str(input, "DomainName");
    const char *id = cpw_sbx_in_str(input, "ProfileId");
    int rc = cpw_cp_need_domain(ctx, domain);
    if (rc != 0) {
        return rc;
    }
    json_t *doc = NULL;
    if (cpw_cp_item_get(ctx, domain, CPW_CP_PROFILE, id ? id : "", &doc) != 0) {
        return -1;
    }
    if (doc == NULL) {
        return cpw_cp_not_found(ctx, "Profile %s does not exist.", id ? id : "");
    }
    s_copy_profile_fields(doc, input);
    rc = cpw_cp_item_put(ctx, domain, CPW_CP_PROFILE, id, doc);
    json_object_del(doc, "CreatedAt");
    json_object_del(doc, "LastUpdatedAt");
    if (rc == 0) {
        rc = cpw_cp_history_add(ctx, domain, id, "UPDATED", NULL, NULL, doc);
    }
    json_decref(doc);
    if (rc != 0) {
        return -1;
    }
    *output = json_pack("{s:s}", "ProfileId", id);
    return 0;
}

/* The profile fields a search key looks at (NULL-terminated). */
static void s_key_fields(const char *key, const char *fields[4])
{
    memset(fields, 0, 4 * sizeof(fields[0]));
    if (strcmp(key, "_profileId") == 0) {
        fields[0] = "ProfileId";
    } else if (strcmp(key, "_email") == 0) {
        fields[0] = "EmailAddress";
        fields[1] = "PersonalEmailAddress";
        fields[2] = "BusinessEmailAddress";
    } else if (strcmp(key, "_phone") == 0) {
        fields[0] = "PhoneNumber";
        fields[1] = "MobilePhoneNumber";
        fields[2] = "HomePhoneNumber";
    } else if (strcmp(key, "_account") == 0) {
        fields[0] = "AccountNumber";
    } else if (strcmp(key, "_fullName") == 0) {
        fields[0] = "FirstName";
    } else {
        fields[0] = key;
    }
}

static bool s_matches(const json_t *profile,
                      const char *key,
                      const json_t *values,
                      const json_t *by_object)
{
    const char *id = json_string_value(json_object_get(profile, "ProfileId"));
    if (id != NULL && json_object_get(by_object, id) != NULL) {
        return true;
    }
    const char *fields[4];
    s_key_fields(key, fields);
    for (size_t f = 0; f < 3 && fields[f] != NULL; f++) {
        const char *have = json_string_value(json_object_get(profile, fields[f]));
        size_t i;
        const json_t *v;
        json_array_foreach(values, i, v)
        {
            if (have != NULL && json_is_string(v) && strcmp(have, json_string_value(v)) == 0) {
                return true;
            }
        }
    }
    return false;
}

int cpw_cp_search_profiles(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *domain = cpw_sbx_in_str(input, "DomainName");
    const char *key = cpw_sbx_in_str(input, "KeyName");
    const json_t *values = json_object_get(input, "Values");
    int64_t offset = 0;
    int64_t limit = 20;
    int rc = cpw_cp_need_domain(ctx, domain);
    if (rc == 0) {
        rc = cpw_cp_paging(ctx, input, LIST_MAX, &offset, &limit);
    }
    if (rc != 0) {
        return rc;
    }
    if (key == NULL || !json_is_array(values) || json_array_size(values) == 0) {
        return cpw_cp_bad(ctx, "KeyName and Values are required.");
    }
    /* Keys of object types find the profiles their objects belong to. */
    json_t *by_object = json_object();
    size_t vi;
    const json_t *value;
    json_array_foreach(values, vi, value)
    {
        /* ... and so do the values AddProfileKey gave a profile under this key. */
        sqlite3_stmt *q = cpw_sbx_sql_query(
          ctx->db,
          "SELECT json_extract(doc, '$.ProfileId') FROM cp_items WHERE account_id = ? AND"
          " region = ? AND domain = ? AND ((kind = ? AND json_extract(doc, '$.ProfileKey') = ?)"
          " OR (kind = ? AND json_extract(doc, '$.KeyName') = ?"
          " AND json_extract(doc, '$.Value') = ?))",
          "ssssssss", ctx->req->caller->account_id, cpw_cp_region(ctx), domain, CPW_CP_OBJECT,
          json_is_string(value) ? json_string_value(value) : "", CPW_CP_PROFILE_KEY, key,
          json_is_string(value) ? json_string_value(value) : "");
        if (q == NULL) {
            json_decref(by_object);
            return -1;
        }
        while ((rc = cpw_sbx_sql_step(q)) == 1) {
            json_object_set_new(by_object, cpw_sbx_col(q, 0), json_true());
        }
        cpw_sbx_sql_done(q);
        if (rc < 0) {
            json_decref(by_object);
            return -1;
        }
    }
    sqlite3_stmt *stmt = cpw_sbx_sql_query(ctx->db,
                                           "SELECT doc FROM cp_items WHERE account_id = ? AND"
                                           " region = ? AND domain = ? AND kind = ? ORDER BY name",
                                           "ssss", ctx->req->caller->account_id, cpw_cp_region(ctx),
                                           domain, CPW_CP_PROFILE);
    if (stmt == NULL) {
        json_decref(by_object);
        return -1;
    }
    json_t *items = json_array();
    json_t *result = json_pack("{s:o}", "Items", items);
    int64_t seen = 0;
    bool more = false;
    while ((rc = cpw_sbx_sql_step(stmt)) == 1) {
        json_t *profile = cpw_json_load_cstr(cpw_sbx_col(stmt, 0));
        if (profile != NULL && s_matches(profile, key, values, by_object)) {
            if (seen >= offset + limit) {
                more = true;
            } else if (seen >= offset) {
                json_object_set_new(profile, "FoundByItems",
                                    json_pack("[{s:s,s:O}]", "KeyName", key, "Values", values));
                json_array_append(items, profile);
            }
            seen++;
        }
        json_decref(profile);
        if (more) {
            break;
        }
    }
    cpw_sbx_sql_done(stmt);
    json_decref(by_object);
    if (rc < 0) {
        json_decref(result);
        return -1;
    }
    cpw_cp_next_token(result, offset, limit, more);
    *output = result;
    return 0;
}

int cpw_cp_list_profile_attribute_values(struct cpw_sbx_ctx *ctx,
                                         const json_t *input,
                                         json_t **output)
{
    const char *domain = cpw_sbx_in_str(input, "DomainName");
    const char *attribute = cpw_sbx_in_str(input, "AttributeName");
    int rc = cpw_cp_need_domain(ctx, domain);
    if (rc != 0) {
        return rc;
    }
    const char *fields[4];
    s_key_fields(attribute ? attribute : "", fields);
    json_t *seen = json_object();
    json_t *items = json_array();
    for (size_t f = 0; f < 3 && fields[f] != NULL; f++) {
        char path[96];
        snprintf(path, sizeof(path), "$.%s", fields[f]);
        sqlite3_stmt *q = cpw_sbx_sql_query(
          ctx->db,
          "SELECT DISTINCT json_extract(doc, ?) FROM cp_items WHERE account_id = ? AND region = ?"
          " AND domain = ? AND kind = ? ORDER BY 1",
          "sssss", path, ctx->req->caller->account_id, cpw_cp_region(ctx), domain, CPW_CP_PROFILE);
        if (q == NULL) {
            rc = -1;
            break;
        }
        while ((rc = cpw_sbx_sql_step(q)) == 1) {
            const char *v = cpw_sbx_col(q, 0);
            if (v != NULL && v[0] != '\0' && json_object_get(seen, v) == NULL) {
                json_object_set_new(seen, v, json_true());
                json_array_append_new(items, json_pack("{s:s}", "Value", v));
            }
        }
        cpw_sbx_sql_done(q);
        if (rc < 0) {
            break;
        }
    }
    json_decref(seen);
    if (rc < 0) {
        json_decref(items);
        return -1;
    }
    *output =
      json_pack("{s:s,s:s,s:o}", "DomainName", domain, "AttributeName", attribute, "Items", items);
    return 0;
}

int cpw_cp_delete_profile(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *domain = cpw_sbx_in_str(input, "DomainName");
    const char *id = cpw_sbx_in_str(input, "ProfileId");
    int rc = cpw_cp_need_domain(ctx, domain);
    if (rc != 0) {
        return rc;
    }
    rc = cpw_cp_item_delete(ctx, domain, CPW_CP_PROFILE, id ? id : "");
    if (rc <= 0) {
        return rc < 0 ? -1 : cpw_cp_not_found(ctx, "Profile %s does not exist.", id ? id : "");
    }
    if (cpw_sbx_sql_do(ctx->db,
                       "DELETE FROM cp_items WHERE account_id = ? AND region = ? AND domain = ?"
                       " AND kind = ? AND json_extract(doc, '$.ProfileId') = ?",
                       "sssss", ctx->req->caller->account_id, cpw_cp_region(ctx), domain,
                       CPW_CP_OBJECT, id) < 0) {
        return -1;
    }
    /* Its keys go with it; its history stays. */
    if (cpw_sbx_sql_do(ctx->db,
                       "DELETE FROM cp_items WHERE account_id = ? AND region = ? AND domain = ?"
                       " AND kind = ? AND json_extract(doc, '$.ProfileId') = ?",
                       "sssss", ctx->req->caller->account_id, cpw_cp_region(ctx), domain,
                       CPW_CP_PROFILE_KEY, id) < 0 ||
        cpw_cp_history_add(ctx, domain, id, "DELETED_BY_CUSTOMER", NULL, NULL, NULL) != 0) {
        return -1;
    }
    *output = json_pack("{s:s}", "Message", "Profile deleted");
    return 0;
}

/* The value of the object type's first key with the given standard identifier, or NULL. */
static const char *s_key_value(const json_t *type, const json_t *object, const char *identifier)
{
    const char *key_name;
    const json_t *defs;
    json_object_foreach((json_t *)json_object_get(type, "Keys"), key_name, defs)
    {
        size_t i;
        const json_t *def;
        json_array_foreach(defs, i, def)
        {
            size_t k;
            const json_t *id;
            bool wanted = false;
            json_array_foreach(json_object_get(def, "StandardIdentifiers"), k, id)
            {
                wanted =
                  wanted || (json_is_string(id) && strcmp(json_string_value(id), identifier) == 0);
            }
            const char *field =
              json_string_value(json_array_get(json_object_get(def, "FieldNames"), 0));
            const json_t *v = field ? json_object_get(object, field) : NULL;
            if (wanted && json_is_string(v)) {
                return json_string_value(v);
            }
        }
    }
    return NULL;
}

/* The profile that holds an object with this PROFILE key value: copies its id or "". */
static int s_profile_by_key(struct cpw_sbx_ctx *ctx,
                            const char *domain,
                            const char *value,
                            char out[64])
{
    out[0] = '\0';
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      ctx->db,
      "SELECT json_extract(doc, '$.ProfileId') FROM cp_items WHERE account_id = ? AND region = ?"
      " AND domain = ? AND kind = ? AND json_extract(doc, '$.ProfileKey') = ? LIMIT 1",
      "sssss", ctx->req->caller->account_id, cpw_cp_region(ctx), domain, CPW_CP_OBJECT, value);
    if (stmt == NULL) {
        return -1;
    }
    int rc = cpw_sbx_sql_step(stmt);
    if (rc == 1) {
        snprintf(out, 64, "%s", cpw_sbx_col(stmt, 0));
    }
    cpw_sbx_sql_done(stmt);
    return rc < 0 ? -1 : 0;
}

int cpw_cp_put_profile_object(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *domain = cpw_sbx_in_str(input, "DomainName");
    const char *type_name = cpw_sbx_in_str(input, "ObjectTypeName");
    const char *text = cpw_sbx_in_str(input, "Object");
    int rc = cpw_cp_need_domain(ctx, domain);
    if (rc != 0) {
        return rc;
    }
    json_t *type = NULL;
    if (cpw_cp_item_get(ctx, domain, CPW_CP_OBJECT_TYPE, type_name ? type_name : "", &type) != 0) {
        return -1;
    }
    if (type == NULL) {
        return cpw_cp_not_found(ctx, "Object type %s does not exist.", type_name ? type_name : "");
    }
    json_t *object = text ? cpw_json_load_cstr(text) : NULL;
    if (!json_is_object(object) || strlen(text) > 250 * 1024) {
        json_decref(object);
        json_decref(type);
        return cpw_cp_bad(ctx, "Object must be a JSON object of at most 250 KB.");
    }
    char unique[300];
    char profile_id[64] = "";
    const char *unique_value = s_key_value(type, object, "UNIQUE");
    const char *profile_key = s_key_value(type, object, "PROFILE");
    if (unique_value != NULL) {
        snprintf(unique, sizeof(unique), "%s", unique_value);
    } else if (s_new_id(unique) != 0) {
        rc = -1;
    }
    if (rc == 0 && profile_key != NULL) {
        rc = s_profile_by_key(ctx, domain, profile_key, profile_id);
    }
    if (rc == 0 && profile_id[0] == '\0') {
        /* No profile holds this key yet: the object makes one. */
        rc = s_new_id(profile_id);
        json_t *profile = json_pack("{s:s}", "ProfileId", profile_id);
        if (rc == 0) {
            rc = cpw_cp_item_put(ctx, domain, CPW_CP_PROFILE, profile_id, profile);
        }
        if (rc == 0) {
            rc = cpw_cp_history_add(ctx, domain, profile_id, "CREATED", NULL, NULL, profile);
        }
        json_decref(profile);
    }
    char item_name[400];
    snprintf(item_name, sizeof(item_name), "%s/%s", type_name, unique);
    json_t *doc =
      json_pack("{s:s,s:s,s:s,s:s}", "ObjectTypeName", type_name, "ProfileObjectUniqueKey", unique,
                "ProfileId", profile_id, "Object", text);
    if (profile_key != NULL) {
        json_object_set_new(doc, "ProfileKey", json_string(profile_key));
    }
    if (rc == 0) {
        rc = cpw_cp_item_put(ctx, domain, CPW_CP_OBJECT, item_name, doc);
    }
    if (rc == 0) {
        rc = cpw_cp_history_add(ctx, domain, profile_id, "INGESTED", type_name, unique, object);
    }
    json_decref(doc);
    json_decref(object);
    json_decref(type);
    if (rc != 0) {
        return -1;
    }
    *output = json_pack("{s:s}", "ProfileObjectUniqueKey", unique);
    return 0;
}

int cpw_cp_list_profile_objects(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *domain = cpw_sbx_in_str(input, "DomainName");
    const char *type_name = cpw_sbx_in_str(input, "ObjectTypeName");
    const char *profile_id = cpw_sbx_in_str(input, "ProfileId");
    int64_t offset = 0;
    int64_t limit = LIST_MAX;
    int rc = cpw_cp_need_domain(ctx, domain);
    if (rc == 0) {
        rc = cpw_cp_paging(ctx, input, LIST_MAX, &offset, &limit);
    }
    /* An unknown object type or profile is ResourceNotFoundException, not an empty list. */
    json_t *found = NULL;
    if (rc == 0 &&
        cpw_cp_item_get(ctx, domain, CPW_CP_OBJECT_TYPE, type_name ? type_name : "", &found) != 0) {
        return -1;
    }
    if (rc == 0 && found == NULL) {
        rc = cpw_cp_not_found(ctx, "Object type %s does not exist.", type_name ? type_name : "");
    }
    json_decref(found);
    if (rc == 0) {
        rc = cpw_cp_need_profile(ctx, domain, profile_id, &found);
        json_decref(found);
    }
    if (rc != 0) {
        return rc;
    }
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      ctx->db,
      "SELECT json_extract(doc, '$.ObjectTypeName'), json_extract(doc,"
      " '$.ProfileObjectUniqueKey'), json_extract(doc, '$.Object') FROM cp_items"
      " WHERE account_id = ? AND region = ? AND domain = ? AND kind = ?"
      " AND json_extract(doc, '$.ObjectTypeName') = ? AND json_extract(doc, '$.ProfileId') = ?"
      " ORDER BY created_ms, name LIMIT ? OFFSET ?",
      "ssssssii", ctx->req->caller->account_id, cpw_cp_region(ctx), domain, CPW_CP_OBJECT,
      type_name ? type_name : "", profile_id ? profile_id : "", limit + 1, offset);
    if (stmt == NULL) {
        return -1;
    }
    json_t *items = json_array();
    json_t *result = json_pack("{s:o}", "Items", items);
    bool more = false;
    while ((rc = cpw_sbx_sql_step(stmt)) == 1) {
        if ((int64_t)json_array_size(items) == limit) {
            more = true;
            break;
        }
        json_array_append_new(items,
                              json_pack("{s:s,s:s,s:s}", "ObjectTypeName", cpw_sbx_col(stmt, 0),
                                        "ProfileObjectUniqueKey", cpw_sbx_col(stmt, 1), "Object",
                                        cpw_sbx_col(stmt, 2)));
    }
    cpw_sbx_sql_done(stmt);
    if (rc < 0) {
        json_decref(result);
        return -1;
    }
    cpw_cp_next_token(result, offset, limit, more);
    *output = result;
    return 0;
}
