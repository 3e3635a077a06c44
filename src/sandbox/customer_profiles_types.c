/*
 * customer_profiles_types.c - Customer Profiles object types and object type templates in the
 * sandbox: PutProfileObjectType, GetProfileObjectType, ListProfileObjectTypes,
 * DeleteProfileObjectType (which removes the objects of that type, as AWS documents),
 * ListProfileObjectTypeTemplates and GetProfileObjectTypeTemplate over a few built-in templates.
 */
#include <stdio.h>
#include <string.h>

#include "cpw/error.h"
#include "sbx_contact.h"

#define OBJECT_TYPE_QUOTA 100 /* per domain (docs/aws-facts.md §6.1) */

struct template_def {
    const char *id;
    const char *source_name;
    const char *source_object;
    const char *fields_keys; /* {"Fields": ..., "Keys": ...} */
};

static const struct template_def s_templates[] = {
    { "Salesforce-Account", "Salesforce", "Account",
      "{\"Fields\":{\"Id\":{\"Source\":\"_source.Id\",\"Target\":\"_profile.AccountNumber\","
      "\"ContentType\":\"STRING\"},\"Name\":{\"Source\":\"_source.Name\",\"Target\":"
      "\"_profile.BusinessName\",\"ContentType\":\"NAME\"}},\"Keys\":{\"_salesforceAccountId\":"
      "[{\"StandardIdentifiers\":[\"PROFILE\",\"UNIQUE\"],\"FieldNames\":[\"Id\"]}]}}" },
    { "Salesforce-Contact", "Salesforce", "Contact",
      "{\"Fields\":{\"Id\":{\"Source\":\"_source.Id\",\"ContentType\":\"STRING\"},\"Email\":"
      "{\"Source\":\"_source.Email\",\"Target\":\"_profile.EmailAddress\",\"ContentType\":"
      "\"EMAIL_ADDRESS\"}},\"Keys\":{\"_salesforceContactId\":[{\"StandardIdentifiers\":"
      "[\"PROFILE\",\"UNIQUE\"],\"FieldNames\":[\"Id\"]}]}}" },
    { "Zendesk-User", "Zendesk", "User",
      "{\"Fields\":{\"id\":{\"Source\":\"_source.id\",\"ContentType\":\"STRING\"},\"email\":"
      "{\"Source\":\"_source.email\",\"Target\":\"_profile.EmailAddress\",\"ContentType\":"
      "\"EMAIL_ADDRESS\"}},\"Keys\":{\"_zendeskUserId\":[{\"StandardIdentifiers\":"
      "[\"PROFILE\",\"UNIQUE\"],\"FieldNames\":[\"id\"]}]}}" },
    { "Shopify-Customer", "Shopify", "Customer",
      "{\"Fields\":{\"id\":{\"Source\":\"_source.id\",\"ContentType\":\"STRING\"}},\"Keys\":"
      "{\"_shopifyCustomerId\":[{\"StandardIdentifiers\":[\"PROFILE\",\"UNIQUE\"],"
      "\"FieldNames\":[\"id\"]}]}}" },
    { "ServiceNow-sys_user", "ServiceNow", "sys_user",
      "{\"Fields\":{\"sys_id\":{\"Source\":\"_source.sys_id\",\"ContentType\":\"STRING\"}},"
      "\"Keys\":{\"_serviceNowSystemUserId\":[{\"StandardIdentifiers\":[\"PROFILE\",\"UNIQUE\"],"
      "\"FieldNames\":[\"sys_id\"]}]}}" },
};

#define TEMPLATE_COUNT (sizeof(s_templates) / sizeof(s_templates[0]))

static const struct template_def *s_template(const char *id)
{
    for (size_t i = 0; id != NULL && i < TEMPLATE_COUNT; i++) {
        if (strcmp(s_templates[i].id, id) == 0) {
            return &s_templates[i];
        }
    }
    return NULL;
}

static bool s_type_name_ok(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > 255 || (name[0] >= '0' && name[0] <= '9') || name[0] == '-') {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-')) {
            return false;
        }
    }
    return true;
}

static void s_add_resource(struct cpw_sbx_ctx *ctx, const char *domain, const char *type)
{
    char suffix[300];
    char arn[700];
    snprintf(suffix, sizeof(suffix), "object-types/%s", type ? type : "");
    cpw_cp_arn(ctx, domain ? domain : "", suffix, arn, sizeof(arn));
    cpw_sbx_add_resource(ctx, "AWS::CustomerProfiles::ObjectType", arn);
}

static const char *const s_fields[] = { "Description",
                                        "TemplateId",
                                        "ExpirationDays",
                                        "EncryptionKey",
                                        "AllowProfileCreation",
                                        "SourceLastUpdatedTimestampFormat",
                                        "MaxProfileObjectCount",
                                        "SourcePriority",
                                        "Fields",
                                        "Keys",
                                        "Tags" };

int cpw_cp_put_object_type(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *domain = cpw_sbx_in_str(input, "DomainName");
    const char *type = cpw_sbx_in_str(input, "ObjectTypeName");
    s_add_resource(ctx, domain, type);
    int rc = cpw_cp_need_domain(ctx, domain);
    if (rc != 0) {
        return rc;
    }
    if (!s_type_name_ok(type)) {
        return cpw_cp_bad(ctx, "ObjectTypeName must match ^[a-zA-Z_][a-zA-Z_0-9-]*$.");
    }
    const char *description = cpw_sbx_in_str(input, "Description");
    if (description == NULL || description[0] == '\0') {
        return cpw_cp_bad(ctx, "Description is required.");
    }
    const char *template_id = cpw_sbx_in_str(input, "TemplateId");
    if (template_id != NULL && s_template(template_id) == NULL) {
        return cpw_cp_bad(ctx, "Template %s does not exist.", template_id);
    }
    if ((rc = cpw_cp_check_tags(ctx, json_object_get(input, "Tags"))) != 0) {
        return rc;
    }
    json_t *existing = NULL;
    if (cpw_cp_item_get(ctx, domain, CPW_CP_OBJECT_TYPE, type, &existing) != 0) {
        return -1;
    }
    bool is_new = existing == NULL;
    json_decref(existing);
    if (is_new && cpw_cp_item_count(ctx, domain, CPW_CP_OBJECT_TYPE) >= OBJECT_TYPE_QUOTA) {
        return cpw_cp_bad(ctx,
                          "You have reached the maximum number of object types (%d) for"
                          " domain %s.",
                          OBJECT_TYPE_QUOTA, domain);
    }
    json_t *doc = json_pack("{s:s}", "ObjectTypeName", type);
    for (size_t i = 0; i < sizeof(s_fields) / sizeof(s_fields[0]); i++) {
        const json_t *v = json_object_get(input, s_fields[i]);
        if (v != NULL) {
            json_object_set_new(doc, s_fields[i], json_deep_copy(v));
        }
    }
    const struct template_def *tpl = s_template(template_id);
    if (tpl != NULL && json_object_get(doc, "Fields") == NULL) {
        json_t *fk = cpw_json_load_cstr(tpl->fields_keys);
        json_object_update(doc, fk);
        json_decref(fk);
    }
    rc = cpw_cp_item_put(ctx, domain, CPW_CP_OBJECT_TYPE, type, doc);
    json_decref(doc);
    if (rc != 0 || cpw_cp_item_get(ctx, domain, CPW_CP_OBJECT_TYPE, type, output) != 0) {
        return -1;
    }
    return 0;
}

int cpw_cp_get_object_type(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *domain = cpw_sbx_in_str(input, "DomainName");
    const char *type = cpw_sbx_in_str(input, "ObjectTypeName");
    int rc = cpw_cp_need_domain(ctx, domain);
    if (rc != 0) {
        return rc;
    }
    if (cpw_cp_item_get(ctx, domain, CPW_CP_OBJECT_TYPE, type ? type : "", output) != 0) {
        return -1;
    }
    return *output ? 0 : cpw_cp_not_found(ctx, "Object type %s does not exist.", type ? type : "");
}

static json_t *s_list_item(const json_t *doc)
{
    static const char *const keep[] = {
        "ObjectTypeName", "Description",           "CreatedAt", "LastUpdatedAt",
        "SourcePriority", "MaxProfileObjectCount", "Tags"
    };
    json_t *item = json_object();
    for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++) {
        json_t *v = json_object_get(doc, keep[i]);
        if (v != NULL) {
            json_object_set(item, keep[i], v);
        }
    }
    return item;
}

int cpw_cp_list_object_types(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    return cpw_cp_item_list(ctx, input, cpw_sbx_in_str(input, "DomainName"), CPW_CP_OBJECT_TYPE,
                            s_list_item, output);
}

int cpw_cp_delete_object_type(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *domain = cpw_sbx_in_str(input, "DomainName");
    const char *type = cpw_sbx_in_str(input, "ObjectTypeName");
    s_add_resource(ctx, domain, type);
    int rc = cpw_cp_need_domain(ctx, domain);
    if (rc != 0) {
        return rc;
    }
    rc = cpw_cp_item_delete(ctx, domain, CPW_CP_OBJECT_TYPE, type ? type : "");
    if (rc <= 0) {
        return rc < 0 ? -1
                      : cpw_cp_not_found(ctx, "Object type %s does not exist.", type ? type : "");
    }
    /* "removes all the ProfileObjects of that type" (docs/aws-facts.md §4.3). */
    if (cpw_sbx_sql_do(ctx->db,
                       "DELETE FROM cp_items WHERE account_id = ? AND region = ? AND domain = ?"
                       " AND kind = ? AND json_extract(doc, '$.ObjectTypeName') = ?",
                       "sssss", ctx->req->caller->account_id, cpw_cp_region(ctx), domain,
                       CPW_CP_OBJECT, type) < 0) {
        return -1;
    }
    *output = json_pack("{s:s}", "Message", "Object type deleted");
    return 0;
}

static json_t *s_template_json(const struct template_def *tpl, bool full)
{
    json_t *doc = json_pack("{s:s,s:s,s:s}", "TemplateId", tpl->id, "SourceName", tpl->source_name,
                            "SourceObject", tpl->source_object);
    if (full) {
        json_t *fk = cpw_json_load_cstr(tpl->fields_keys);
        json_object_update(doc, fk);
        json_decref(fk);
        json_object_set_new(doc, "AllowProfileCreation", json_false());
    }
    return doc;
}

int cpw_cp_list_templates(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    int64_t offset = 0;
    int64_t limit = 100;
    int rc = cpw_cp_paging(ctx, input, 100, &offset, &limit);
    if (rc != 0) {
        return rc;
    }
    json_t *items = json_array();
    json_t *result = json_pack("{s:o}", "Items", items);
    size_t end = (size_t)(offset + limit);
    for (size_t i = (size_t)offset; i < TEMPLATE_COUNT && i < end; i++) {
        json_array_append_new(items, s_template_json(&s_templates[i], false));
    }
    cpw_cp_next_token(result, offset, limit, end < TEMPLATE_COUNT);
    *output = result;
    return 0;
}

int cpw_cp_get_template(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *id = cpw_sbx_in_str(input, "TemplateId");
    const struct template_def *tpl = s_template(id);
    if (tpl == NULL) {
        return cpw_cp_not_found(ctx, "Template %s does not exist.", id ? id : "");
    }
    *output = s_template_json(tpl, true);
    return 0;
}
