/*
 * authz_iam.c - the IAM operations of the sandbox's authorization: permissions boundaries
 * (Put/DeleteRolePermissionsBoundary, Put/DeleteUserPermissionsBoundary, CreateRole's and
 * CreateUser's PermissionsBoundary, shown by GetRole / GetUser) and the policy simulator
 * (SimulatePrincipalPolicy, SimulateCustomPolicy) on the same engine as enforcement.
 *
 * The simulator answers as IAM does: one EvaluationResult per action (EvalResourceName the first
 * resource, "*" without ResourceArns), ResourceSpecificResults per resource when ResourceArns
 * are given, MatchedStatements with SourcePolicyId and SourcePolicyType (the engine reports
 * statement indexes, not text positions, so StartPosition and EndPosition are left out),
 * MissingContextValues, OrganizationsDecisionDetail when SCPs applied and
 * PermissionsBoundaryDecisionDetail when a boundary applied. Only ContextEntries (plus
 * aws:username of a simulated user) feed the condition keys, as the IAM simulator does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/error.h"
#include "cpw/iam_policy.h"
#include "sbx_authz.h"
#include "sbx_iam.h"
#include "sbx_service.h"

#define SIM_MAX_ACTIONS   1000
#define SIM_MAX_RESOURCES 100
#define SIM_MAX_INPUT     10

/* ----- permissions boundaries -------------------------------------------------------------- */

static int s_put_boundary(struct cpw_sbx_ctx *ctx, bool role, const char *name, const char *arn)
{
    if (arn == NULL) {
        return cpw_sbx_fail(ctx, 400, "InvalidInput", "PermissionsBoundary is required.");
    }
    int rc = cpw_sbx_iam_need_policy(ctx, arn);
    if (rc != 0) {
        return rc;
    }
    return cpw_sbx_sql_do(ctx->db,
                          role ? "INSERT OR REPLACE INTO authz_role_boundary(account_id, role_name,"
                                 " policy_arn) VALUES (?, ?, ?)"
                               : "INSERT OR REPLACE INTO authz_user_boundary(account_id, user_name,"
                                 " policy_arn) VALUES (?, ?, ?)",
                          "sss", ctx->req->caller->account_id, name, arn) < 0
             ? -1
             : 0;
}

int cpw_sbx_authz_boundary_on_create(struct cpw_sbx_ctx *ctx,
                                     bool role,
                                     const char *name,
                                     const json_t *input,
                                     json_t *doc)
{
    const char *arn = cpw_sbx_in_str(input, "PermissionsBoundary");
    if (arn == NULL) {
        return 0;
    }
    int rc = s_put_boundary(ctx, role, name, arn);
    if (rc == 0 && doc != NULL) {
        json_object_set_new(doc, "PermissionsBoundary",
                            json_pack("{s:s,s:s}", "PermissionsBoundaryType",
                                      "PermissionsBoundaryPolicy", "PermissionsBoundaryArn", arn));
    }
    return rc;
}

int cpw_sbx_authz_boundary_describe(struct cpw_sbx_ctx *ctx,
                                    bool role,
                                    const char *name,
                                    json_t *doc)
{
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      ctx->db,
      role ? "SELECT policy_arn FROM authz_role_boundary WHERE account_id = ? AND role_name = ?"
           : "SELECT policy_arn FROM authz_user_boundary WHERE account_id = ? AND user_name = ?",
      "ss", ctx->req->caller->account_id, name);
    if (stmt == NULL) {
        return -1;
    }
    int rc = cpw_sbx_sql_step(stmt);
    if (rc == 1) {
        json_object_set_new(doc, "PermissionsBoundary",
                            json_pack("{s:s,s:s}", "PermissionsBoundaryType",
                                      "PermissionsBoundaryPolicy", "PermissionsBoundaryArn",
                                      cpw_sbx_col(stmt, 0)));
    }
    cpw_sbx_sql_done(stmt);
    return rc < 0 ? -1 : 0;
}

int cpw_sbx_iam_put_role_permissions_boundary(struct cpw_sbx_ctx *ctx,
                                              const json_t *input,
                                              json_t **output)
{
    const char *name = cpw_sbx_in_str(input, "RoleName");
    int rc = cpw_sbx_iam_need_modifiable_role(ctx, name);
    if (rc == 0) {
        rc = s_put_boundary(ctx, true, name, cpw_sbx_in_str(input, "PermissionsBoundary"));
    }
    if (rc == 0) {
        cpw_sbx_iam_add_role_resource(ctx, name);
        *output = json_object();
    }
    return rc;
}

int cpw_sbx_iam_delete_role_permissions_boundary(struct cpw_sbx_ctx *ctx,
                                                 const json_t *input,
                                                 json_t **output)
{
    const char *name = cpw_sbx_in_str(input, "RoleName");
    int rc = cpw_sbx_iam_need_modifiable_role(ctx, name);
    if (rc != 0) {
        return rc;
    }
    if (cpw_sbx_sql_do(ctx->db,
                       "DELETE FROM authz_role_boundary WHERE account_id = ? AND role_name = ?",
                       "ss", ctx->req->caller->account_id, name) < 0) {
        return -1;
    }
    cpw_sbx_iam_add_role_resource(ctx, name);
    *output = json_object();
    return 0;
}

int cpw_sbx_iam_put_user_permissions_boundary(struct cpw_sbx_ctx *ctx,
                                              const json_t *input,
                                              json_t **output)
{
    const char *name = cpw_sbx_in_str(input, "UserName");
    int rc = cpw_sbx_iam_need_user(ctx, name);
    if (rc == 0) {
        rc = s_put_boundary(ctx, false, name, cpw_sbx_in_str(input, "PermissionsBoundary"));
    }
    if (rc == 0) {
        cpw_sbx_add_resource(ctx, "AWS::IAM::User", name);
        *output = json_object();
    }
    return rc;
}

int cpw_sbx_iam_delete_user_permissions_boundary(struct cpw_sbx_ctx *ctx,
                                                 const json_t *input,
                                                 json_t **output)
{
    const char *name = cpw_sbx_in_str(input, "UserName");
    int rc = cpw_sbx_iam_need_user(ctx, name);
    if (rc != 0) {
        return rc;
    }
    if (cpw_sbx_sql_do(ctx->db,
                       "DELETE FROM authz_user_boundary WHERE account_id = ? AND user_name = ?",
                       "ss", ctx->req->caller->account_id, name) < 0) {
        return -1;
    }
    cpw_sbx_add_resource(ctx, "AWS::IAM::User", name);
    *output = json_object();
    return 0;
}

/* ----- the simulator ----------------------------------------------------------------------- */

struct sim {
    struct cpw_sbx_authz_subject subject;
    struct cpw_sbx_authz_set set;
    bool gathered;
    struct cpw_iam_context *context;
    /* Policies given in the input (PolicyInputList, PermissionsBoundaryPolicyInputList,
     * ResourcePolicy), owned. */
    struct cpw_iam_policy *owned[2 * SIM_MAX_INPUT + 1];
    size_t owned_count;
    const struct cpw_iam_policy *identity[CPW_SBX_AUTHZ_MAX_IDENTITY + SIM_MAX_INPUT];
    const struct cpw_iam_policy *boundary[SIM_MAX_INPUT];
    struct cpw_iam_policy_set engine;
    bool custom; /* SimulateCustomPolicy: managed policy types are "none" */
};

static void s_sim_clean_up(struct sim *sim)
{
    if (sim->gathered) {
        cpw_sbx_authz_set_release(&sim->set);
    }
    for (size_t i = 0; i < sim->owned_count; i++) {
        cpw_iam_policy_destroy(sim->owned[i]);
    }
    cpw_iam_context_destroy(sim->context);
}

/* Parses the list member of input into sim->owned; ids "<member>.<n>". 0, 1 answered, -1. */
static int s_parse_inputs(struct cpw_sbx_ctx *ctx,
                          struct sim *sim,
                          const json_t *input,
                          const char *member,
                          enum cpw_iam_policy_type type,
                          const struct cpw_iam_policy **list,
                          size_t *count)
{
    const json_t *items = json_object_get(input, member);
    if (json_array_size(items) > SIM_MAX_INPUT) {
        return cpw_sbx_fail(ctx, 400, "InvalidInput", "%s holds more than %d policies.", member,
                            SIM_MAX_INPUT);
    }
    size_t i;
    json_t *item;
    json_array_foreach(items, i, item)
    {
        char id[96];
        snprintf(id, sizeof(id), "%s.%zu", member, i + 1);
        struct cpw_iam_policy_parse_options opts = { .type = type, .id = id };
        struct cpw_iam_policy *p =
          cpw_iam_policy_parse(cpw_span_from_cstr(json_string_value(item)), &opts);
        if (p == NULL) {
            int rc =
              cpw_sbx_fail(ctx, 400, "MalformedPolicyDocument", "%s", cpw_last_error_detail());
            cpw_error_clear();
            return rc;
        }
        sim->owned[sim->owned_count++] = p;
        list[(*count)++] = p;
    }
    return 0;
}

/* ContextEntries -> the context. 0 or 1 answered. */
static int s_context_entries(struct cpw_sbx_ctx *ctx, struct sim *sim, const json_t *input)
{
    size_t i;
    json_t *entry;
    json_array_foreach(json_object_get(input, "ContextEntries"), i, entry)
    {
        const char *name = cpw_sbx_in_str(entry, "ContextKeyName");
        const char *type = cpw_sbx_in_str(entry, "ContextKeyType");
        const json_t *values = json_object_get(entry, "ContextKeyValues");
        if (name == NULL || name[0] == '\0') {
            return cpw_sbx_fail(ctx, 400, "InvalidInput", "ContextKeyName is required.");
        }
        bool list = type != NULL && strstr(type, "List") != NULL;
        size_t k;
        json_t *v;
        if (list && cpw_iam_context_add(sim->context, name, NULL) != 0) {
            return -1;
        }
        json_array_foreach(values, k, v)
        {
            const char *s = json_string_value(v);
            if (s == NULL) {
                continue;
            }
            if ((list ? cpw_iam_context_add(sim->context, name, s)
                      : cpw_iam_context_set(sim->context, name, s)) != 0) {
                return -1;
            }
            if (!list) {
                break;
            }
        }
    }
    return 0;
}

static const char *s_source_type(const struct sim *sim, const struct cpw_iam_matched_statement *m)
{
    if (m->type == CPW_IAM_POLICY_RESOURCE) {
        return "resource";
    }
    const char *id = m->policy_id ? m->policy_id : "";
    if (strncmp(id, "arn:", 4) == 0) {
        return strstr(id, ":iam::aws:policy/") != NULL ? "aws-managed" : "user-managed";
    }
    if (sim->custom || strchr(id, '.') != NULL || m->type != CPW_IAM_POLICY_IDENTITY) {
        return "none";
    }
    return sim->subject.kind == CPW_IAM_PRINCIPAL_USER ? "user" : "role";
}

static json_t *s_matched(const struct sim *sim, const struct cpw_iam_decision *d)
{
    json_t *list = json_array();
    for (size_t i = 0; i < d->matched_count; i++) {
        const struct cpw_iam_matched_statement *m = &d->matched[i];
        json_array_append_new(list, json_pack("{s:s,s:s}", "SourcePolicyId",
                                              m->policy_id ? m->policy_id : "", "SourcePolicyType",
                                              s_source_type(sim, m)));
    }
    return list;
}

static json_t *s_missing(const struct cpw_iam_decision *d)
{
    json_t *list = json_array();
    for (size_t i = 0; i < d->missing_key_count; i++) {
        json_array_append_new(list, json_string(d->missing_keys[i]));
    }
    return list;
}

/* The per-policy-type decisions IAM reports as EvalDecisionDetails. */
static json_t *s_details(const struct sim *sim, const struct cpw_iam_decision *d)
{
    json_t *details = json_object();
    json_object_set_new(details, "IAM Policy",
                        json_string(cpw_iam_decision_name(
                          d->per_type[CPW_IAM_POLICY_IDENTITY] == CPW_IAM_NOT_EVALUATED
                            ? CPW_IAM_IMPLICIT_DENY
                            : d->per_type[CPW_IAM_POLICY_IDENTITY])));
    if (sim->engine.resource != NULL) {
        json_object_set_new(
          details, "Resource Policy",
          json_string(cpw_iam_decision_name(d->per_type[CPW_IAM_POLICY_RESOURCE])));
    }
    return details;
}

/* Evaluates action on resource into *d. */
static int s_evaluate(struct cpw_sbx_ctx *ctx,
                      struct sim *sim,
                      const char *action,
                      const char *resource,
                      const char *resource_owner,
                      struct cpw_iam_decision *d)
{
    (void)ctx;
    struct cpw_iam_request request = {
        .action = action,
        .resource = resource,
        .resource_account = resource_owner,
        .context = sim->context,
    };
    cpw_sbx_authz_principal(&sim->subject, &sim->set, &request.principal);
    return cpw_iam_evaluate(&sim->engine, &request, d);
}

static void s_add_guard_details(const struct sim *sim,
                                const struct cpw_iam_decision *d,
                                json_t *result,
                                bool organizations)
{
    if (organizations && d->per_type[CPW_IAM_POLICY_SCP] != CPW_IAM_NOT_EVALUATED &&
        sim->engine.scp_level_count > 0) {
        json_object_set_new(result, "OrganizationsDecisionDetail",
                            json_pack("{s:b}", "AllowedByOrganizations",
                                      d->per_type[CPW_IAM_POLICY_SCP] == CPW_IAM_ALLOWED));
    }
    if (sim->engine.has_boundary) {
        json_object_set_new(result, "PermissionsBoundaryDecisionDetail",
                            json_pack("{s:b}", "AllowedByPermissionsBoundary",
                                      d->per_type[CPW_IAM_POLICY_BOUNDARY] == CPW_IAM_ALLOWED));
    }
}

/* 0 means "allowed" < "implicitDeny" < "explicitDeny": the worse of two. */
static enum cpw_iam_decision_kind s_worse(enum cpw_iam_decision_kind a,
                                          enum cpw_iam_decision_kind b)
{
    return (int)a >= (int)b ? a : b;
}

/* One EvaluationResult for action over resources. 0 or -1. */
static int s_result(struct cpw_sbx_ctx *ctx,
                    struct sim *sim,
                    const char *action,
                    const json_t *resources,
                    const char *owner,
                    json_t **out)
{
    size_t n = json_array_size(resources);
    const char *first = n ? json_string_value(json_array_get(resources, 0)) : "*";
    struct cpw_iam_decision d = { 0 };
    json_t *result = NULL;
    if (s_evaluate(ctx, sim, action, first ? first : "*", owner, &d) != 0) {
        cpw_iam_decision_clean_up(&d);
        return -1;
    }
    enum cpw_iam_decision_kind overall = d.decision;
    result =
      json_pack("{s:s,s:s,s:o,s:o,s:o}", "EvalActionName", action, "EvalResourceName",
                first ? first : "*", "MatchedStatements", s_matched(sim, &d),
                "MissingContextValues", s_missing(&d), "EvalDecisionDetails", s_details(sim, &d));
    s_add_guard_details(sim, &d, result, true);
    cpw_iam_decision_clean_up(&d);
    if (n > 0) {
        json_t *specific = json_array();
        for (size_t i = 0; i < n; i++) {
            const char *arn = json_string_value(json_array_get(resources, i));
            struct cpw_iam_decision rd = { 0 };
            if (arn == NULL || s_evaluate(ctx, sim, action, arn, owner, &rd) != 0) {
                cpw_iam_decision_clean_up(&rd);
                json_decref(specific);
                json_decref(result);
                return arn == NULL ? cpw_raise(CPW_ERR_VALIDATION, "ResourceArns") : -1;
            }
            overall = s_worse(overall, rd.decision);
            json_t *r = json_pack("{s:s,s:s,s:o,s:o,s:o}", "EvalResourceName", arn,
                                  "EvalResourceDecision", cpw_iam_decision_name(rd.decision),
                                  "MatchedStatements", s_matched(sim, &rd), "MissingContextValues",
                                  s_missing(&rd), "EvalDecisionDetails", s_details(sim, &rd));
            s_add_guard_details(sim, &rd, r, false);
            json_array_append_new(specific, r);
            cpw_iam_decision_clean_up(&rd);
        }
        json_object_set_new(result, "ResourceSpecificResults", specific);
    }
    json_object_set_new(result, "EvalDecision", json_string(cpw_iam_decision_name(overall)));
    *out = result;
    return 0;
}

/* The shared part of both simulations, after sim's policies are in place. */
static int s_simulate(struct cpw_sbx_ctx *ctx,
                      struct sim *sim,
                      const json_t *input,
                      json_t **output)
{
    const json_t *actions = json_object_get(input, "ActionNames");
    const json_t *resources = json_object_get(input, "ResourceArns");
    size_t count = json_array_size(actions);
    if (count == 0 || count > SIM_MAX_ACTIONS) {
        return cpw_sbx_fail(ctx, 400, "InvalidInput", "ActionNames must hold 1 to %d actions.",
                            SIM_MAX_ACTIONS);
    }
    if (json_array_size(resources) > SIM_MAX_RESOURCES) {
        return cpw_sbx_fail(ctx, 400, "InvalidInput", "ResourceArns holds more than %d ARNs.",
                            SIM_MAX_RESOURCES);
    }
    int rc = s_context_entries(ctx, sim, input);
    if (rc != 0) {
        return rc;
    }
    int64_t max_items = 100;
    if (cpw_sbx_in_int(input, "MaxItems", 100, &max_items) != 0 || max_items < 1 ||
        max_items > 1000) {
        cpw_error_clear();
        return cpw_sbx_fail(ctx, 400, "ValidationError",
                            "1 validation error detected: Value at 'maxItems' failed to satisfy "
                            "constraint: Member must have value between 1 and 1000");
    }
    size_t start = 0;
    const char *marker = cpw_sbx_in_str(input, "Marker");
    if (marker != NULL) {
        char *end = NULL;
        unsigned long long v = strtoull(marker, &end, 10);
        if (end == marker || *end != '\0' || v == 0 || v >= count) {
            return cpw_sbx_fail(ctx, 400, "InvalidInput", "Invalid Marker.");
        }
        start = (size_t)v;
    }
    const char *owner = cpw_sbx_in_str(input, "ResourceOwner");
    char owner_account[16] = "";
    if (owner != NULL && strlen(owner) >= 25) {
        snprintf(owner_account, sizeof(owner_account), "%.12s", owner + 13);
    }
    json_t *results = json_array();
    size_t end_index = start + (size_t)max_items < count ? start + (size_t)max_items : count;
    for (size_t i = start; i < end_index; i++) {
        const char *action = json_string_value(json_array_get(actions, i));
        json_t *result = NULL;
        if (action == NULL || s_result(ctx, sim, action, resources,
                                       owner_account[0] ? owner_account : NULL, &result) != 0) {
            json_decref(results);
            if (action == NULL || cpw_last_error() == CPW_ERR_INVALID_ARGUMENT ||
                cpw_last_error() == CPW_ERR_VALIDATION) {
                cpw_error_clear();
                return cpw_sbx_fail(ctx, 400, "InvalidInput", "Invalid action name at %zu.", i);
            }
            return -1;
        }
        json_array_append_new(results, result);
    }
    json_t *out =
      json_pack("{s:o,s:b}", "EvaluationResults", results, "IsTruncated", end_index < count);
    if (end_index < count) {
        char next[32];
        snprintf(next, sizeof(next), "%zu", end_index);
        json_object_set_new(out, "Marker", json_string(next));
    }
    *output = out;
    return 0;
}

/* Policies common to both: PolicyInputList (identity), PermissionsBoundaryPolicyInputList,
 * ResourcePolicy. identity_base/boundary_base: what the principal already has. 0/1/-1. */
static int s_inputs(struct cpw_sbx_ctx *ctx, struct sim *sim, const json_t *input)
{
    size_t identity_count = 0;
    for (size_t i = 0; i < sim->set.identity_count; i++) {
        sim->identity[identity_count++] = sim->set.identity[i];
    }
    int rc = s_parse_inputs(ctx, sim, input, "PolicyInputList", CPW_IAM_POLICY_IDENTITY,
                            sim->identity, &identity_count);
    size_t boundary_count = 0;
    const json_t *boundaries = json_object_get(input, "PermissionsBoundaryPolicyInputList");
    if (rc == 0 && json_array_size(boundaries) > 0) {
        rc = s_parse_inputs(ctx, sim, input, "PermissionsBoundaryPolicyInputList",
                            CPW_IAM_POLICY_BOUNDARY, sim->boundary, &boundary_count);
    }
    const struct cpw_iam_policy *resource = NULL;
    const char *resource_text = cpw_sbx_in_str(input, "ResourcePolicy");
    if (rc == 0 && resource_text != NULL) {
        struct cpw_iam_policy_parse_options opts = { .type = CPW_IAM_POLICY_RESOURCE,
                                                     .id = "ResourcePolicy" };
        struct cpw_iam_policy *p = cpw_iam_policy_parse(cpw_span_from_cstr(resource_text), &opts);
        if (p == NULL) {
            rc = cpw_sbx_fail(ctx, 400, "MalformedPolicyDocument", "%s", cpw_last_error_detail());
            cpw_error_clear();
        } else {
            sim->owned[sim->owned_count++] = p;
            resource = p;
        }
    }
    if (rc != 0) {
        return rc;
    }
    sim->engine = sim->set.engine;
    sim->engine.identity = sim->identity;
    sim->engine.identity_count = identity_count;
    sim->engine.resource = resource;
    if (boundary_count > 0) {
        sim->engine.boundary = sim->boundary;
        sim->engine.boundary_count = boundary_count;
        sim->engine.has_boundary = true;
    }
    return 0;
}

int cpw_sbx_iam_simulate_principal_policy(struct cpw_sbx_ctx *ctx,
                                          const json_t *input,
                                          json_t **output)
{
    const char *source = cpw_sbx_in_str(input, "PolicySourceArn");
    struct sim sim = { 0 };
    sim.context = cpw_iam_context_new();
    int rc = 0;
    if (source == NULL || strncmp(source, "arn:", 4) != 0 || strlen(source) < 26 ||
        (strstr(source, ":user/") == NULL && strstr(source, ":role/") == NULL)) {
        rc = cpw_sbx_fail(ctx, 400, "InvalidInput",
                          "Invalid ARN: %s. PolicySourceArn must name a user or a role.",
                          source ? source : "");
        goto done;
    }
    char account[16];
    snprintf(account, sizeof(account), "%.12s", source + 13);
    cpw_sbx_authz_subject_parse(source, account, NULL, &sim.subject);
    /* The principal must exist, as IAM answers NoSuchEntity otherwise. */
    bool role = sim.subject.role_arn[0] != '\0';
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      ctx->db,
      role ? "SELECT 1 FROM iam_roles WHERE account_id = ? AND name = ? AND arn = ?"
           : "SELECT 1 FROM iam_users WHERE account_id = ? AND name = ? AND arn = ?",
      "sss", account, sim.subject.name, source);
    int found = stmt ? cpw_sbx_sql_step(stmt) : -1;
    cpw_sbx_sql_done(stmt);
    if (found <= 0) {
        rc = found < 0 ? -1
                       : cpw_sbx_fail(ctx, 404, "NoSuchEntity", "%s %s cannot be found.",
                                      role ? "Role" : "User", source);
        goto done;
    }
    if (cpw_sbx_authz_gather(ctx, &sim.subject, &sim.set) != 0) {
        rc = -1;
        goto done;
    }
    sim.gathered = true;
    if (!role && cpw_iam_context_set(sim.context, "aws:username", sim.subject.name) != 0) {
        rc = -1;
        goto done;
    }
    rc = s_inputs(ctx, &sim, input);
    if (rc == 0) {
        rc = s_simulate(ctx, &sim, input, output);
    }
done:
    s_sim_clean_up(&sim);
    return rc;
}

int cpw_sbx_iam_simulate_custom_policy(struct cpw_sbx_ctx *ctx,
                                       const json_t *input,
                                       json_t **output)
{
    struct sim sim = { .custom = true };
    sim.context = cpw_iam_context_new();
    int rc = 0;
    if (json_array_size(json_object_get(input, "PolicyInputList")) == 0) {
        rc = cpw_sbx_fail(ctx, 400, "InvalidInput", "PolicyInputList must hold a policy.");
        goto done;
    }
    /* The simulated caller: CallerArn, or an IAM user of the caller's account. */
    const char *caller = cpw_sbx_in_str(input, "CallerArn");
    char fallback[128];
    snprintf(fallback, sizeof(fallback), "arn:%s:iam::%s:user/simulated-caller",
             cpw_sbx_ctx_partition(ctx), ctx->req->caller->account_id);
    cpw_sbx_authz_subject_parse(caller ? caller : fallback, ctx->req->caller->account_id, NULL,
                                &sim.subject);
    if (sim.subject.kind == CPW_IAM_PRINCIPAL_ROOT) {
        sim.subject.kind = CPW_IAM_PRINCIPAL_USER; /* custom policies alone decide */
    }
    sim.set.cache = ctx->sbx->authz;
    rc = s_inputs(ctx, &sim, input);
    if (rc == 0) {
        rc = s_simulate(ctx, &sim, input, output);
    }
done:
    s_sim_clean_up(&sim);
    return rc;
}
