/*
 * iam_saml_providers.c - IAM SAML 2.0 identity providers in the sandbox: CreateSAMLProvider,
 * GetSAMLProvider, UpdateSAMLProvider, ListSAMLProviders, DeleteSAMLProvider.
 *
 * The metadata document is kept as sent. IAM parses it and refuses one that is not SAML
 * metadata ("Could not parse metadata", InvalidInput); the sandbox asks for an XML document
 * with an EntityDescriptor element and takes ValidUntil from its validUntil attribute. Names
 * are unique per account; an account holds at most 100 providers (IAM quota). ListSAMLProviders
 * orders by name.
 */
#include <stdio.h>
#include <string.h>

#include "cpw/alloc.h"
#include "sbx_service.h"

#define PROVIDERS_MAX 100

static const char *s_account(struct cpw_sbx_ctx *ctx)
{
    return ctx->req->caller->account_id;
}

/*
 * The validUntil of the metadata's EntityDescriptor into out ("" when it has none): 0, or 1
 * with InvalidInput answered when the document is not SAML metadata.
 */
static int s_parse_metadata(struct cpw_sbx_ctx *ctx, const char *doc, char *out, size_t cap)
{
    out[0] = '\0';
    const char *lt = doc ? strchr(doc, '<') : NULL;
    const char *entity = lt ? strstr(lt, "EntityDescriptor") : NULL;
    if (entity == NULL || strchr(entity, '>') == NULL) {
        return cpw_sbx_fail(ctx, 400, "InvalidInput", "Could not parse metadata");
    }
    const char *end = strchr(entity, '>');
    const char *v = strstr(entity, "validUntil=\"");
    if (v != NULL && v < end) {
        v += strlen("validUntil=\"");
        const char *q = strchr(v, '"');
        char text[64];
        int64_t ms = 0;
        if (q != NULL && (size_t)(q - v) < sizeof(text)) {
            memcpy(text, v, (size_t)(q - v));
            text[q - v] = '\0';
            json_t *holder = json_pack("{s:s}", "t", text);
            if (cpw_sbx_in_time(holder, "t", &ms) == 2) {
                json_t *iso = cpw_sbx_time_json(ms);
                snprintf(out, cap, "%s", json_string_value(iso));
                json_decref(iso);
            }
            json_decref(holder);
        }
        if (out[0] == '\0') {
            return cpw_sbx_fail(ctx, 400, "InvalidInput", "Could not parse metadata");
        }
    }
    return 0;
}

/* Finds the provider arn of the caller's account: 0 found, 1 NoSuchEntity answered, -1. */
static int s_need(struct cpw_sbx_ctx *ctx, const char *arn, json_t **row)
{
    sqlite3_stmt *stmt = cpw_sbx_sql_query(ctx->db,
                                           "SELECT uuid, metadata, created_ms, valid_until, tags"
                                           " FROM iam_saml_providers WHERE account_id = ? AND"
                                           " arn = ?",
                                           "ss", s_account(ctx), arn ? arn : "");
    int rc = stmt ? cpw_sbx_sql_step(stmt) : -1;
    if (rc == 1 && row != NULL) {
        json_t *r = json_pack("{s:s,s:s,s:o}", "SAMLProviderUUID", cpw_sbx_col(stmt, 0),
                              "SAMLMetadataDocument", cpw_sbx_col(stmt, 1), "CreateDate",
                              cpw_sbx_time_json(sqlite3_column_int64(stmt, 2)));
        if (sqlite3_column_type(stmt, 3) != SQLITE_NULL) {
            json_object_set_new(r, "ValidUntil", json_string(cpw_sbx_col(stmt, 3)));
        }
        json_t *tags = cpw_json_load_cstr(cpw_sbx_col(stmt, 4));
        if (json_array_size(tags) > 0) {
            json_object_set(r, "Tags", tags);
        }
        json_decref(tags);
        *row = r;
    }
    cpw_sbx_sql_done(stmt);
    if (rc == 0) {
        return cpw_sbx_fail(ctx, 404, "NoSuchEntity", "Manifest not found for arn %s",
                            arn ? arn : "");
    }
    return rc < 0 ? -1 : 0;
}

int cpw_sbx_iam_create_saml_provider(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out)
{
    const char *name = cpw_sbx_in_str(in, "Name");
    const char *doc = cpw_sbx_in_str(in, "SAMLMetadataDocument");
    const json_t *tags = json_object_get(in, "Tags");
    char valid_until[64];
    int rc = s_parse_metadata(ctx, doc, valid_until, sizeof(valid_until));
    if (rc == 0) {
        rc = cpw_sbx_iam_tags_check(ctx, tags);
    }
    if (rc != 0) {
        return rc;
    }
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      ctx->db, "SELECT count(*), sum(name = ?2) FROM iam_saml_providers WHERE account_id = ?1",
      "ss", s_account(ctx), name ? name : "");
    rc = stmt ? cpw_sbx_sql_step(stmt) : -1;
    int total = rc == 1 ? sqlite3_column_int(stmt, 0) : 0;
    int taken = rc == 1 ? sqlite3_column_int(stmt, 1) : 0;
    cpw_sbx_sql_done(stmt);
    if (rc != 1) {
        return -1;
    }
    if (taken > 0) {
        return cpw_sbx_fail(ctx, 409, "EntityAlreadyExists", "SAMLProvider %s already exists.",
                            name);
    }
    if (total >= PROVIDERS_MAX) {
        return cpw_sbx_fail(ctx, 409, "LimitExceeded",
                            "Cannot exceed quota for SamlProvidersPerAccount: %d", PROVIDERS_MAX);
    }
    char uuid[37];
    char arn[512];
    if (cpw_sbx_uuid(uuid) != 0) {
        return -1;
    }
    snprintf(arn, sizeof(arn), "arn:%s:iam::%s:saml-provider/%s", cpw_sbx_ctx_partition(ctx),
             s_account(ctx), name);
    char *tag_text = tags ? cpw_json_dump_cstr(tags, CPW_JSON_DUMP_COMPACT) : NULL;
    rc = cpw_sbx_sql_do(ctx->db,
                        "INSERT INTO iam_saml_providers(account_id, name, arn, uuid, metadata,"
                        " created_ms, valid_until, tags) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        "sssssiss", s_account(ctx), name, arn, uuid, doc, ctx->req->now_ms,
                        valid_until[0] ? valid_until : NULL, tag_text ? tag_text : "[]");
    cpw_free(tag_text);
    if (rc < 0) {
        return -1;
    }
    cpw_sbx_add_resource(ctx, "AWS::IAM::SAMLProvider", arn);
    *out = json_pack("{s:s}", "SAMLProviderArn", arn);
    if (json_array_size(tags) > 0) {
        json_object_set(*out, "Tags", (json_t *)tags);
    }
    return 0;
}

int cpw_sbx_iam_get_saml_provider(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out)
{
    return s_need(ctx, cpw_sbx_in_str(in, "SAMLProviderArn"), out);
}

int cpw_sbx_iam_update_saml_provider(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out)
{
    const char *arn = cpw_sbx_in_str(in, "SAMLProviderArn");
    const char *doc = cpw_sbx_in_str(in, "SAMLMetadataDocument");
    int rc = s_need(ctx, arn, NULL);
    if (rc != 0) {
        return rc;
    }
    if (doc != NULL) {
        char valid_until[64];
        rc = s_parse_metadata(ctx, doc, valid_until, sizeof(valid_until));
        if (rc != 0) {
            return rc;
        }
        if (cpw_sbx_sql_do(ctx->db,
                           "UPDATE iam_saml_providers SET metadata = ?, valid_until = ? WHERE"
                           " account_id = ? AND arn = ?",
                           "ssss", doc, valid_until[0] ? valid_until : NULL, s_account(ctx),
                           arn) < 0) {
            return -1;
        }
    }
    cpw_sbx_add_resource(ctx, "AWS::IAM::SAMLProvider", arn);
    *out = json_pack("{s:s}", "SAMLProviderArn", arn);
    return 0;
}

int cpw_sbx_iam_list_saml_providers(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out)
{
    (void)in;
    sqlite3_stmt *stmt = cpw_sbx_sql_query(ctx->db,
                                           "SELECT arn, created_ms, valid_until FROM"
                                           " iam_saml_providers WHERE account_id = ?"
                                           " ORDER BY name",
                                           "s", s_account(ctx));
    if (stmt == NULL) {
        return -1;
    }
    json_t *list = json_array();
    int rc;
    while ((rc = cpw_sbx_sql_step(stmt)) == 1) {
        json_t *p = json_pack("{s:s,s:o}", "Arn", cpw_sbx_col(stmt, 0), "CreateDate",
                              cpw_sbx_time_json(sqlite3_column_int64(stmt, 1)));
        if (sqlite3_column_type(stmt, 2) != SQLITE_NULL) {
            json_object_set_new(p, "ValidUntil", json_string(cpw_sbx_col(stmt, 2)));
        }
        json_array_append_new(list, p);
    }
    cpw_sbx_sql_done(stmt);
    if (rc < 0) {
        json_decref(list);
        return -1;
    }
    *out = json_pack("{s:o}", "SAMLProviderList", list);
    return 0;
}

int cpw_sbx_iam_delete_saml_provider(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out)
{
    const char *arn = cpw_sbx_in_str(in, "SAMLProviderArn");
    int rc = s_need(ctx, arn, NULL);
    if (rc != 0) {
        return rc;
    }
    if (cpw_sbx_sql_do(ctx->db, "DELETE FROM iam_saml_providers WHERE account_id = ? AND arn = ?",
                       "ss", s_account(ctx), arn) < 0) {
        return -1;
    }
    cpw_sbx_add_resource(ctx, "AWS::IAM::SAMLProvider", arn);
    *out = json_object();
    return 0;
}
