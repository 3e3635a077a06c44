/*
 * customer_profiles_object_types_domain.c - Customer Profiles domain object types in the sandbox:
 * PutDomainObjectType (create or replace), GetDomainObjectType, ListDomainObjectTypes and
 * DeleteDomainObjectType. A domain object type is keyed by ObjectTypeName inside its domain,
 * apart from the profile object types of the same name, and tagged on
 * arn:aws:profile:REGION:ACCOUNT:domains/DOMAIN/domain-object-types/NAME. Every field maps a
 * Source to a Target ("_source.x" to "_domain.y" style); both are required.
 */
#include <stdio.h>
#include <string.h>

#include "cpw/error.h"
#include "customer_profiles_config.h"

#define DOMAIN_OBJECT_TYPE_QUOTA 100 /* as profile object types (aws-facts §6.1) */
#define LIST_MAX                 100

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static void s_resource(struct cpw_sbx_ctx *ctx, const char *domain, const char *name)
{
    char arn[800];
    cpw_cp_cfg_resource(ctx, domain, "domain-object-types", name,
                        "AWS::CustomerProfiles::DomainObjectType", arn, sizeof(arn));
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

/* 0 when Fields is a non-empty map whose fields each have Source and Target, else 1 answered. */
static int s_check_fields(struct cpw_sbx_ctx *ctx, const json_t *fields)
{
    if (!json_is_object(fields) || json_object_size(fields) == 0) {
        return cpw_cp_bad(ctx, "Fields must map at least one field name to a field.");
    }
    const char *key;
    const json_t *field;
    json_object_foreach((json_t *)fields, key, field)
    {
        const char *source = cpw_sbx_in_str(field, "Source");
        const char *target = cpw_sbx_in_str(field, "Target");
        if (source == NULL || source[0] == '\0' || target == NULL || target[0] == '\0') {
            return cpw_cp_bad(ctx, "Field %s needs a Source and a Target.", key);
        }
    }
    return 0;
}

int cpw_cp_put_domain_object_type(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *domain = cpw_sbx_in_str(input, "DomainName");
    const char *name = cpw_sbx_in_str(input, "ObjectTypeName");
    s_resource(ctx, domain, name);
    int rc = cpw_cp_need_domain(ctx, domain);
    if (rc != 0) {
        return rc;
    }
    if (!s_type_name_ok(name)) {
        return cpw_cp_bad(ctx, "ObjectTypeName must match ^[a-zA-Z_][a-zA-Z_0-9-]*$.");
    }
    if ((rc = s_check_fields(ctx, json_object_get(input, "Fields"))) != 0 ||
        (rc = cpw_cp_check_tags(ctx, json_object_get(input, "Tags"))) != 0) {
        return rc;
    }
    json_t *existing = NULL;
    if (cpw_cp_item_get(ctx, domain, CPW_CP_DOMAIN_OBJECT_TYPE, name, &existing) != 0) {
        return -1;
    }
    if (existing == NULL &&
        cpw_cp_item_count(ctx, domain, CPW_CP_DOMAIN_OBJECT_TYPE) >= DOMAIN_OBJECT_TYPE_QUOTA) {
        return cpw_cp_bad(ctx,
                          "You have reached the maximum number of domain object types (%d) for"
                          " domain %s.",
                          DOMAIN_OBJECT_TYPE_QUOTA, domain);
    }
    static const char *const fields[] = { "Description", "EncryptionKey", "Fields", "Tags" };
    json_t *doc = json_pack("{s:s}", "ObjectTypeName", name);
    cpw_cp_cfg_merge(doc, input, fields, COUNT(fields));
    /* A replacement keeps the tags TagResource gave unless new ones are given. */
    if (existing != NULL && json_object_get(input, "Tags") == NULL &&
        json_object_get(existing, "Tags") != NULL) {
        json_object_set(doc, "Tags", json_object_get(existing, "Tags"));
    }
    json_decref(existing);
    rc = cpw_cp_item_put(ctx, domain, CPW_CP_DOMAIN_OBJECT_TYPE, name, doc);
    json_decref(doc);
    if (rc != 0 || cpw_cp_item_get(ctx, domain, CPW_CP_DOMAIN_OBJECT_TYPE, name, output) != 0) {
        return -1;
    }
    return 0;
}

int cpw_cp_get_domain_object_type(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    return cpw_cp_cfg_need(ctx, cpw_sbx_in_str(input, "DomainName"), CPW_CP_DOMAIN_OBJECT_TYPE,
                           cpw_sbx_in_str(input, "ObjectTypeName"), "Domain object type", output);
}

static json_t *s_list_item(struct cpw_sbx_ctx *ctx, const json_t *input, const json_t *doc)
{
    static const char *const keep[] = { "ObjectTypeName", "Description", "CreatedAt",
                                        "LastUpdatedAt", "Tags" };
    (void)ctx;
    (void)input;
    return cpw_cp_cfg_pick(doc, keep, COUNT(keep));
}

int cpw_cp_list_domain_object_types(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    return cpw_cp_cfg_list(ctx, input, CPW_CP_DOMAIN_OBJECT_TYPE, LIST_MAX, false, s_list_item,
                           output);
}

int cpw_cp_delete_domain_object_type(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *domain = cpw_sbx_in_str(input, "DomainName");
    const char *name = cpw_sbx_in_str(input, "ObjectTypeName");
    s_resource(ctx, domain, name);
    int rc = cpw_cp_need_domain(ctx, domain);
    if (rc != 0) {
        return rc;
    }
    rc = cpw_cp_item_delete(ctx, domain, CPW_CP_DOMAIN_OBJECT_TYPE, name ? name : "");
    if (rc <= 0) {
        return rc < 0 ? -1
                      : cpw_cp_not_found(ctx, "Domain object type %s does not exist in domain %s.",
                                         name ? name : "", domain);
    }
    *output = json_object();
    return 0;
}
