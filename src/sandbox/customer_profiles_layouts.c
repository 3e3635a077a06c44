/*
 * customer_profiles_layouts.c - Customer Profiles domain layouts in the sandbox:
 * CreateDomainLayout, GetDomainLayout, UpdateDomainLayout, DeleteDomainLayout and
 * ListDomainLayouts. A layout is keyed by LayoutDefinitionName inside its domain and tagged on
 * arn:aws:profile:REGION:ACCOUNT:domains/DOMAIN/layouts/NAME. Version starts at "1" and counts
 * the updates; one layout of a domain at most is the default (IsDefault), so making one the
 * default clears the flag on the others.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cpw/error.h"
#include "customer_profiles_config.h"

#define LAYOUT_LIST_MAX 100

static const char *const s_fields[] = { "Description", "DisplayName", "IsDefault",
                                        "LayoutType",  "Layout",      "Tags" };

static const char *const s_list_fields[] = {
    "LayoutDefinitionName", "Description", "DisplayName", "IsDefault",
    "LayoutType",           "Tags",        "CreatedAt",   "LastUpdatedAt"
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static void s_resource(struct cpw_sbx_ctx *ctx, const char *domain, const char *name)
{
    char arn[800];
    cpw_cp_cfg_resource(ctx, domain, "layouts", name, "AWS::CustomerProfiles::DomainLayout", arn,
                        sizeof(arn));
}

/* Clears IsDefault on every other layout of the domain. Returns 0 or -1. */
static int s_clear_other_defaults(struct cpw_sbx_ctx *ctx, const char *domain, const char *name)
{
    int rc = cpw_sbx_sql_do(ctx->db,
                            "UPDATE cp_items SET doc = json_set(doc, '$.IsDefault', json('false'))"
                            " WHERE account_id = ? AND region = ? AND domain = ? AND kind = ?"
                            " AND name <> ? AND json_extract(doc, '$.IsDefault') = 1",
                            "sssss", ctx->req->caller->account_id, cpw_cp_region(ctx), domain,
                            CPW_CP_LAYOUT, name);
    return rc < 0 ? -1 : 0;
}

static int s_store_and_answer(struct cpw_sbx_ctx *ctx,
                              const char *domain,
                              const char *name,
                              const json_t *doc,
                              json_t **output)
{
    if (json_is_true(json_object_get(doc, "IsDefault")) &&
        s_clear_other_defaults(ctx, domain, name) != 0) {
        return -1;
    }
    if (cpw_cp_item_put(ctx, domain, CPW_CP_LAYOUT, name, doc) != 0 ||
        cpw_cp_item_get(ctx, domain, CPW_CP_LAYOUT, name, output) != 0) {
        return -1;
    }
    return 0;
}

int cpw_cp_create_domain_layout(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *domain = cpw_sbx_in_str(input, "DomainName");
    const char *name = cpw_sbx_in_str(input, "LayoutDefinitionName");
    s_resource(ctx, domain, name);
    int rc = cpw_cp_need_domain(ctx, domain);
    if (rc != 0) {
        return rc;
    }
    if (name == NULL || name[0] == '\0') {
        return cpw_cp_bad(ctx, "LayoutDefinitionName is required.");
    }
    static const char *const required[] = { "Description", "DisplayName", "LayoutType", "Layout" };
    for (size_t i = 0; i < COUNT(required); i++) {
        const char *v = cpw_sbx_in_str(input, required[i]);
        if (v == NULL || v[0] == '\0') {
            return cpw_cp_bad(ctx, "%s is required.", required[i]);
        }
    }
    if ((rc = cpw_cp_check_tags(ctx, json_object_get(input, "Tags"))) != 0) {
        return rc;
    }
    json_t *existing = NULL;
    if (cpw_cp_item_get(ctx, domain, CPW_CP_LAYOUT, name, &existing) != 0) {
        return -1;
    }
    if (existing != NULL) {
        json_decref(existing);
        return cpw_cp_bad(ctx, "Layout %s already exists in domain %s.", name, domain);
    }
    json_t *doc =
      json_pack("{s:s,s:b,s:s}", "LayoutDefinitionName", name, "IsDefault", 0, "Version", "1");
    cpw_cp_cfg_merge(doc, input, s_fields, COUNT(s_fields));
    rc = s_store_and_answer(ctx, domain, name, doc, output);
    json_decref(doc);
    return rc;
}

int cpw_cp_get_domain_layout(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    return cpw_cp_cfg_need(ctx, cpw_sbx_in_str(input, "DomainName"), CPW_CP_LAYOUT,
                           cpw_sbx_in_str(input, "LayoutDefinitionName"), "Layout", output);
}

int cpw_cp_update_domain_layout(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *domain = cpw_sbx_in_str(input, "DomainName");
    const char *name = cpw_sbx_in_str(input, "LayoutDefinitionName");
    s_resource(ctx, domain, name);
    json_t *doc = NULL;
    int rc = cpw_cp_cfg_need(ctx, domain, CPW_CP_LAYOUT, name, "Layout", &doc);
    if (rc != 0) {
        return rc;
    }
    static const char *const updatable[] = { "Description", "DisplayName", "LayoutType", "Layout" };
    for (size_t i = 0; i < COUNT(updatable); i++) {
        const char *v = cpw_sbx_in_str(input, updatable[i]);
        if (json_object_get(input, updatable[i]) != NULL && (v == NULL || v[0] == '\0')) {
            json_decref(doc);
            return cpw_cp_bad(ctx, "%s must not be empty.", updatable[i]);
        }
    }
    /* Tags change through TagResource only (the model's update has no Tags). */
    static const char *const fields[] = { "Description", "DisplayName", "IsDefault", "LayoutType",
                                          "Layout" };
    cpw_cp_cfg_merge(doc, input, fields, COUNT(fields));
    int64_t version = 1;
    const char *text = cpw_sbx_in_str(doc, "Version");
    if (text != NULL && cpw_sbx_in_int(doc, "Version", 1, &version) != 0) {
        cpw_error_clear();
        version = 1;
    }
    char next[32];
    snprintf(next, sizeof(next), "%" PRId64, version + 1);
    json_object_set_new(doc, "Version", json_string(next));
    rc = s_store_and_answer(ctx, domain, name, doc, output);
    json_decref(doc);
    return rc;
}

int cpw_cp_delete_domain_layout(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *domain = cpw_sbx_in_str(input, "DomainName");
    const char *name = cpw_sbx_in_str(input, "LayoutDefinitionName");
    s_resource(ctx, domain, name);
    int rc = cpw_cp_need_domain(ctx, domain);
    if (rc != 0) {
        return rc;
    }
    rc = cpw_cp_item_delete(ctx, domain, CPW_CP_LAYOUT, name ? name : "");
    if (rc <= 0) {
        return rc < 0 ? -1
                      : cpw_cp_not_found(ctx, "Layout %s does not exist in domain %s.",
                                         name ? name : "", domain);
    }
    *output = json_pack("{s:s}", "Message", "Layout deleted");
    return 0;
}

static json_t *s_list_item(struct cpw_sbx_ctx *ctx, const json_t *input, const json_t *doc)
{
    (void)ctx;
    (void)input;
    return cpw_cp_cfg_pick(doc, s_list_fields, COUNT(s_list_fields));
}

int cpw_cp_list_domain_layouts(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    return cpw_cp_cfg_list(ctx, input, CPW_CP_LAYOUT, LAYOUT_LIST_MAX, false, s_list_item, output);
}
