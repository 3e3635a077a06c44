/*
 * audit_authz.c - the least-privilege rule's authorization engine: each account's IAM users,
 * groups, roles and managed policies as GetAccountAuthorizationDetails answers them, evaluated
 * with the IAM policy engine (iam_policy.h) to find who may call an action on "*".
 *
 * For a user: its inline policies, its attached managed policies, those of its groups, limited
 * by its permissions boundary; for a role the same without groups. Service-linked roles are left
 * out (AWS owns their policies; nobody can narrow them). No condition keys are known, so a
 * statement with a Condition neither grants nor denies here (the engine's IfExists rules apply).
 * Policy documents arrive percent-encoded from IAM's query API and are decoded when they are.
 */
#include <stdio.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/audit.h"
#include "cpw/aws_client.h"
#include "cpw/buf.h"
#include "cpw/error.h"
#include "cpw/iam_policy.h"
#include "cpw/json.h"
#include "cpw/uri.h"

#define MAX_POLICIES 64 /* per principal: 10 managed + inline + 10 groups x (10 + inline) */

void cpw_audit_read_authz(struct cpw_aws_client *client,
                          const char *account,
                          struct cpw_audit_account_authz *out)
{
    out->account = cpw_strdup(account);
    struct cpw_aws_call call = { .service = "iam", .operation = "GetAccountAuthorizationDetails" };
    json_t *details = NULL;
    if (cpw_aws_client_call_all_pages(client, &call, 0, &details, NULL)) {
        char text[700];
        snprintf(text, sizeof(text), "GetAccountAuthorizationDetails: %s", cpw_last_error_detail());
        cpw_error_clear();
        out->error = cpw_strdup(text);
        return;
    }
    out->details = details;
}

/* The policies one principal's request is evaluated against (owned). */
struct principal_policies {
    struct cpw_iam_policy *identity[MAX_POLICIES];
    size_t identity_count;
    struct cpw_iam_policy *boundary;
    bool has_boundary;
};

static void s_policies_clean_up(struct principal_policies *p)
{
    for (size_t i = 0; i < p->identity_count; i++) {
        cpw_iam_policy_destroy(p->identity[i]);
    }
    cpw_iam_policy_destroy(p->boundary);
    memset(p, 0, sizeof(*p));
}

/* A policy document (JSON text, percent-encoded or not) parsed as type, or NULL (not counted). */
static struct cpw_iam_policy *s_parse(const json_t *doc,
                                      const char *id,
                                      enum cpw_iam_policy_type type)
{
    struct cpw_iam_policy_parse_options opts = { .type = type, .id = id };
    struct cpw_iam_policy *policy = NULL;
    if (json_is_object(doc)) {
        policy = cpw_iam_policy_parse_json(doc, &opts);
    } else if (json_is_string(doc)) {
        struct cpw_span text = cpw_span_from_cstr(json_string_value(doc));
        struct cpw_buf decoded;
        cpw_buf_init(&decoded, CPW_IAM_POLICY_MAX_BYTES * 3);
        if (text.len > 0 && text.ptr[0] == '%' &&
            cpw_uri_decode(&decoded, text, CPW_URI_DECODE_DEFAULT) == 0) {
            text = cpw_buf_span(&decoded);
        }
        policy = cpw_iam_policy_parse(text, &opts);
        cpw_buf_clean_up(&decoded);
    }
    if (policy == NULL) {
        cpw_error_clear(); /* IAM accepted it; a document the engine refuses is not counted */
    }
    return policy;
}

/* The default version's document of the managed policy arn, or NULL. */
static const json_t *s_managed_document(const json_t *details, const char *arn)
{
    size_t i;
    json_t *p;
    json_array_foreach(cpw_json_get(details, "Policies"), i, p)
    {
        const char *parn = cpw_json_get_string(p, "Arn");
        if (parn == NULL || arn == NULL || strcmp(parn, arn) != 0) {
            continue;
        }
        const char *def = cpw_json_get_string(p, "DefaultVersionId");
        size_t k;
        json_t *v;
        json_array_foreach(cpw_json_get(p, "PolicyVersionList"), k, v)
        {
            const char *vid = cpw_json_get_string(v, "VersionId");
            if (json_is_true(cpw_json_get(v, "IsDefaultVersion")) ||
                (def && vid && strcmp(def, vid) == 0)) {
                return cpw_json_get(v, "Document");
            }
        }
    }
    return NULL;
}

static void s_add(struct principal_policies *p, struct cpw_iam_policy *policy)
{
    if (policy == NULL) {
        return;
    }
    if (p->identity_count == MAX_POLICIES) {
        cpw_iam_policy_destroy(policy);
        return;
    }
    p->identity[p->identity_count++] = policy;
}

/* An entity's inline policies (list_key) and attached managed policies, into p. */
static void s_add_entity(struct principal_policies *p,
                         const json_t *details,
                         const json_t *entity,
                         const char *list_key)
{
    size_t i;
    json_t *item;
    json_array_foreach(cpw_json_get(entity, list_key), i, item)
    {
        s_add(p, s_parse(cpw_json_get(item, "PolicyDocument"),
                         cpw_json_get_string(item, "PolicyName"), CPW_IAM_POLICY_IDENTITY));
    }
    json_array_foreach(cpw_json_get(entity, "AttachedManagedPolicies"), i, item)
    {
        const char *arn = cpw_json_get_string(item, "PolicyArn");
        s_add(p, s_parse(s_managed_document(details, arn), arn, CPW_IAM_POLICY_IDENTITY));
    }
}

static void s_add_boundary(struct principal_policies *p,
                           const json_t *details,
                           const json_t *entity)
{
    const char *arn =
      cpw_json_get_string(cpw_json_get(entity, "PermissionsBoundary"), "PermissionsBoundaryArn");
    if (arn == NULL) {
        return;
    }
    p->has_boundary = true; /* a boundary that cannot be read allows nothing */
    p->boundary = s_parse(s_managed_document(details, arn), arn, CPW_IAM_POLICY_BOUNDARY);
}

static void s_add_groups(struct principal_policies *p, const json_t *details, const json_t *user)
{
    size_t i;
    json_t *name;
    json_array_foreach(cpw_json_get(user, "GroupList"), i, name)
    {
        size_t k;
        json_t *group;
        json_array_foreach(cpw_json_get(details, "GroupDetailList"), k, group)
        {
            const char *gname = cpw_json_get_string(group, "GroupName");
            if (json_is_string(name) && gname && strcmp(gname, json_string_value(name)) == 0) {
                s_add_entity(p, details, group, "GroupPolicyList");
            }
        }
    }
}

/* True when p allows action on "*" for principal. Returns 1 allowed, 0 not, -1 error. */
static int s_allows(const struct principal_policies *p,
                    enum cpw_iam_principal_kind kind,
                    const char *arn,
                    const char *account,
                    const char *action)
{
    const struct cpw_iam_policy *const *boundary =
      (const struct cpw_iam_policy *const *)&p->boundary;
    struct cpw_iam_policy_set set = {
        .identity = (const struct cpw_iam_policy *const *)p->identity,
        .identity_count = p->identity_count,
        .boundary = boundary,
        .boundary_count = p->boundary ? 1 : 0,
        .has_boundary = p->has_boundary,
    };
    struct cpw_iam_request req = {
        .principal = { .kind = kind,
                       .arn = arn,
                       .account = account,
                       .role_arn = kind == CPW_IAM_PRINCIPAL_ROLE_SESSION ? arn : NULL },
        .action = action,
        .resource = "*",
    };
    struct cpw_iam_decision decision;
    memset(&decision, 0, sizeof(decision));
    int rc = cpw_iam_evaluate(&set, &req, &decision);
    bool allowed = rc == 0 && decision.decision == CPW_IAM_ALLOWED;
    cpw_iam_decision_clean_up(&decision);
    return rc < 0 ? -1 : allowed ? 1 : 0;
}

static int s_allowed_principals(void *ctx,
                                const char *account,
                                const char *action,
                                json_t *principals)
{
    const struct cpw_audit_facts *facts = ctx;
    const struct cpw_audit_account_authz *a = NULL;
    for (size_t i = 0; i < facts->authz_count && a == NULL; i++) {
        if (strcmp(facts->authz[i].account, account) == 0) {
            a = &facts->authz[i];
        }
    }
    if (a == NULL || a->details == NULL) {
        return cpw_raise(CPW_ERR_AWS, "account %s: %s", account,
                         a && a->error ? a->error : "its IAM details were not read");
    }
    int rc = 0;
    size_t i;
    json_t *user;
    json_array_foreach(cpw_json_get(a->details, "UserDetailList"), i, user)
    {
        const char *arn = cpw_json_get_string(user, "Arn");
        struct principal_policies p;
        memset(&p, 0, sizeof(p));
        s_add_entity(&p, a->details, user, "UserPolicyList");
        s_add_groups(&p, a->details, user);
        s_add_boundary(&p, a->details, user);
        int allowed = arn ? s_allows(&p, CPW_IAM_PRINCIPAL_USER, arn, account, action) : 0;
        s_policies_clean_up(&p);
        if (allowed < 0) {
            rc = -1;
            break;
        }
        if (allowed) {
            json_array_append_new(principals, json_string(arn));
        }
    }
    json_t *role;
    json_array_foreach(cpw_json_get(a->details, "RoleDetailList"), i, role)
    {
        const char *arn = cpw_json_get_string(role, "Arn");
        const char *path = cpw_json_get_string(role, "Path");
        if (rc != 0 || arn == NULL || (path && strncmp(path, "/aws-service-role/", 18) == 0)) {
            continue;
        }
        struct principal_policies p;
        memset(&p, 0, sizeof(p));
        s_add_entity(&p, a->details, role, "RolePolicyList");
        s_add_boundary(&p, a->details, role);
        int allowed = s_allows(&p, CPW_IAM_PRINCIPAL_ROLE_SESSION, arn, account, action);
        s_policies_clean_up(&p);
        if (allowed < 0) {
            rc = -1;
        } else if (allowed) {
            json_array_append_new(principals, json_string(arn));
        }
    }
    return rc;
}

struct cpw_audit_authorizer cpw_audit_iam_authorizer(const struct cpw_audit_facts *facts)
{
    return (struct cpw_audit_authorizer){
        .ctx = (void *)facts,
        .name = "the IAM policy engine over GetAccountAuthorizationDetails",
        .allowed_principals = s_allowed_principals,
    };
}
