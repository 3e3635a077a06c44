/*
 * iam_policy_eval.c - AWS's policy evaluation logic over a set of parsed policies.
 *
 * Follows the IAM User Guide, "Policy evaluation logic" (and its "Cross-account policy
 * evaluation logic" page), in this order:
 *   1. every applicable policy is searched for a matching Deny: one anywhere decides
 *      (explicit deny), named after the first type found in the order SCP, RCP, resource,
 *      identity, permissions boundary, session;
 *   2. SCPs: each level from the root to the account must have a matching Allow (principals of
 *      the management account, service-linked roles and service principals are exempt);
 *   3. RCPs: each level must have a matching Allow (service-linked roles exempt);
 *   4. a grant: within one account an Allow in an identity-based policy or a resource-based
 *      policy whose Principal names the caller (not merely its account) suffices; across
 *      accounts both the identity-based policy and the resource-based policy must allow. The
 *      root user needs no identity-based policy;
 *   5. a permissions boundary and session policies, when present, must allow as well, except
 *      for a same-account grant by a resource-based policy that names the IAM user or the role
 *      session itself (not the role), which they do not limit.
 */
#include <string.h>
#include <strings.h>

#include "cpw/alloc.h"
#include "cpw/buf.h"
#include "cpw/error.h"
#include "iam_policy_internal.h"

/* How a resource-based policy's Principal names the caller, weakest first. */
enum s_principal_match {
    S_PM_NONE = 0,
    S_PM_ACCOUNT,  /* "111122223333" or arn:aws:iam::111122223333:root: delegates to the account */
    S_PM_WILDCARD, /* "*" or NotPrincipal that leaves the caller in */
    S_PM_ROLE,     /* the role of a role session */
    S_PM_EXACT,    /* the IAM user, the role session, the federated user or the service */
};

/* What one policy type decided. */
struct s_result {
    bool present;
    bool deny;
    bool allow;
    enum s_principal_match grant; /* resource policies: strongest principal match of an Allow */
};

struct s_eval {
    const struct cpw_iam_request *request;
    struct cpw_iam_decision *out;
    struct cpw_iam_strings missing;
    bool has_boundary; /* the caller has a permissions boundary */
};

const char *cpw_iam_decision_name(enum cpw_iam_decision_kind kind)
{
    switch (kind) {
    case CPW_IAM_ALLOWED:
        return "allowed";
    case CPW_IAM_IMPLICIT_DENY:
        return "implicitDeny";
    case CPW_IAM_EXPLICIT_DENY:
        return "explicitDeny";
    case CPW_IAM_NOT_EVALUATED:
        return "notEvaluated";
    }
    return "unknown";
}

static bool s_action_matches(const struct cpw_iam_statement *st, const char *action)
{
    bool any = false;
    for (size_t i = 0; i < st->actions.count && !any; i++) {
        any = cpw_iam_action_matches(st->actions.items[i], action);
    }
    return st->not_action ? !any : any;
}

/* Where the resource part of an ARN starts (after the fifth ':'), or 0 for a non-ARN. */
static size_t s_resource_part(const char *arn)
{
    size_t colons = 0;
    for (size_t i = 0; arn[i]; i++) {
        if (arn[i] == ':' && ++colons == 5) {
            return i + 1;
        }
    }
    return 0;
}

/*
 * One Resource entry against the request's resource, after policy variables. IAM expands
 * variables only in the resource part of an ARN, after the fifth colon ("You can't use a
 * variable to replace parts of the ARN before the fifth colon, such as the service or
 * account"): before it "${...}" is literal text and matches no real ARN.
 */
static int s_resource_entry_matches(const struct cpw_iam_policy *policy,
                                    const char *pattern,
                                    const struct cpw_iam_request *request,
                                    struct cpw_iam_strings *missing)
{
    if (strcmp(pattern, "*") == 0) {
        return 1;
    }
    size_t start = s_resource_part(pattern);
    if (!policy->variables || !strstr(pattern + start, "${")) {
        return cpw_iam_resource_matches(pattern, request->resource) ? 1 : 0;
    }
    char *expanded = NULL;
    char *missing_key = NULL;
    int rc = cpw_iam_expand(pattern + start, request->context, &expanded, &missing_key);
    bool ok = false;
    if (rc == 1) {
        struct cpw_buf full;
        cpw_buf_init(&full, 2 * CPW_IAM_MAX_EXPANDED_BYTES);
        if (cpw_buf_append(&full, cpw_span_from(pattern, start)) == 0 &&
            cpw_buf_append_cstr(&full, expanded) == 0) {
            ok = start > 0 ? cpw_iam_arn_like(cpw_buf_cstr(&full), request->resource, true)
                           : cpw_iam_glob_escaped(cpw_buf_cstr(&full), request->resource, false);
        }
        cpw_buf_clean_up(&full);
    }
    if (missing_key && missing) {
        bool seen = false;
        for (size_t i = 0; i < missing->count && !seen; i++) {
            seen = strcasecmp(missing->items[i], missing_key) == 0;
        }
        if (!seen) {
            cpw_iam_strings_push(missing, missing_key);
        }
    }
    cpw_free(missing_key);
    cpw_free(expanded);
    return rc == 1 ? (ok ? 1 : 0) : -1;
}

/*
 * Resource ARNs with fewer than six segments: in identity-side policies the missing trailing
 * segments read as '*'; in resource-based policies only when the ARN has a wildcard.
 */
static bool s_resource_matches(const struct cpw_iam_policy *policy,
                               const struct cpw_iam_statement *st,
                               const struct cpw_iam_request *request,
                               struct cpw_iam_strings *missing)
{
    if (!st->has_resource) {
        return true; /* trust and resource policies may leave Resource out */
    }
    bool any = false;
    bool unresolved = false;
    for (size_t i = 0; i < st->resources.count && !any; i++) {
        const char *pattern = st->resources.items[i];
        size_t colons = 0;
        for (const char *p = pattern; *p; p++) {
            colons += *p == ':';
        }
        int m = 0;
        if (strncmp(pattern, "arn:", 4) == 0 && colons < 5) {
            bool wild = strchr(pattern, '*') != NULL;
            if (policy->type == CPW_IAM_POLICY_RESOURCE && !wild) {
                continue;
            }
            struct cpw_buf padded;
            cpw_buf_init(&padded, CPW_IAM_MAX_EXPANDED_BYTES);
            int rc = cpw_buf_append_cstr(&padded, pattern);
            for (size_t k = colons; k < 5 && rc == 0; k++) {
                rc = cpw_buf_append_cstr(&padded, ":*");
            }
            m = rc == 0 ? s_resource_entry_matches(policy, cpw_buf_cstr(&padded), request, missing)
                        : 0;
            cpw_buf_clean_up(&padded);
        } else {
            m = s_resource_entry_matches(policy, pattern, request, missing);
        }
        any = m == 1;
        unresolved = unresolved || m < 0;
    }
    /* A variable that does not resolve makes the entry match nothing ("any attempt to match it
     * fails and causes the statement to be invalid"): NotResource does not hold either. */
    return st->not_resource ? !any && !unresolved : any;
}

static bool s_is_account_principal(const char *p, const char *account)
{
    if (strcmp(p, account) == 0) {
        return true;
    }
    const char *prefix = "arn:";
    if (strncmp(p, prefix, 4) != 0) {
        return false;
    }
    /* arn:PARTITION:iam::ACCOUNT:root */
    const char *iam = strstr(p, ":iam::");
    if (!iam) {
        return false;
    }
    const char *acct = iam + 6;
    size_t n = strlen(account);
    return strncmp(acct, account, n) == 0 && strcmp(acct + n, ":root") == 0;
}

static enum s_principal_match s_principal_list_match(const struct cpw_iam_principal_spec *spec,
                                                     const struct cpw_iam_principal *who)
{
    if (spec->any) {
        return S_PM_WILDCARD;
    }
    enum s_principal_match best = S_PM_NONE;
    if (who->kind == CPW_IAM_PRINCIPAL_SERVICE) {
        for (size_t i = 0; i < spec->service.count; i++) {
            if (who->service && strcmp(spec->service.items[i], who->service) == 0) {
                return S_PM_EXACT;
            }
        }
        return S_PM_NONE;
    }
    for (size_t i = 0; i < spec->aws.count; i++) {
        const char *p = spec->aws.items[i];
        if (who->arn && strcmp(p, who->arn) == 0) {
            return S_PM_EXACT;
        }
        if (who->role_arn && strcmp(p, who->role_arn) == 0 && best < S_PM_ROLE) {
            best = S_PM_ROLE;
        }
        if (who->account && s_is_account_principal(p, who->account) && best < S_PM_ACCOUNT) {
            best = S_PM_ACCOUNT;
        }
    }
    for (size_t i = 0; i < spec->federated.count; i++) {
        if (who->arn && strcmp(spec->federated.items[i], who->arn) == 0) {
            return S_PM_EXACT;
        }
    }
    return best;
}

static enum s_principal_match s_principal_matches(const struct cpw_iam_statement *st,
                                                  const struct cpw_iam_principal *who)
{
    enum s_principal_match m = s_principal_list_match(&st->principal, who);
    if (st->not_principal) {
        return m == S_PM_NONE ? S_PM_WILDCARD : S_PM_NONE;
    }
    return m;
}

static void s_record(struct s_eval *ev, const struct cpw_iam_policy *policy, size_t index)
{
    struct cpw_iam_decision *out = ev->out;
    out->matched = cpw_realloc(out->matched, (out->matched_count + 1) * sizeof(*out->matched));
    out->matched[out->matched_count++] = (struct cpw_iam_matched_statement){
        .type = policy->type,
        .policy_id = policy->id,
        .statement_index = index,
        .sid = policy->statements[index].sid,
        .deny = policy->statements[index].deny,
    };
}

/* Evaluates one policy's statements, folding the outcome into *r. */
static void s_eval_policy(struct s_eval *ev,
                          const struct cpw_iam_policy *policy,
                          enum cpw_iam_policy_type as_type,
                          struct s_result *r)
{
    const struct cpw_iam_request *req = ev->request;
    bool principal_policy = as_type == CPW_IAM_POLICY_RESOURCE || as_type == CPW_IAM_POLICY_RCP;
    for (size_t i = 0; i < policy->statement_count; i++) {
        const struct cpw_iam_statement *st = &policy->statements[i];
        if (!s_action_matches(st, req->action) ||
            !s_resource_matches(policy, st, req, &ev->missing)) {
            continue;
        }
        enum s_principal_match pm = S_PM_EXACT;
        if (principal_policy) {
            pm = st->has_principal ? s_principal_matches(st, &req->principal) : S_PM_NONE;
            /* "The NotPrincipal element with a Deny effect will always deny any IAM principal
             * that has a permissions boundary policy attached, regardless of the values
             * specified in the NotPrincipal element" (IAM User Guide, permissions boundaries). */
            if (st->deny && st->not_principal && ev->has_boundary) {
                pm = S_PM_WILDCARD;
            }
            if (pm == S_PM_NONE) {
                continue;
            }
        }
        bool holds = true;
        for (size_t k = 0; k < st->condition_count; k++) {
            /* Every condition is evaluated so that every missing key is reported. */
            if (!cpw_iam_condition_holds(&st->conditions[k], req->context, policy->variables,
                                         &ev->missing)) {
                holds = false;
            }
        }
        if (!holds) {
            continue;
        }
        s_record(ev, policy, i);
        if (st->deny) {
            r->deny = true;
        } else {
            r->allow = true;
            if (pm > r->grant) {
                r->grant = pm;
            }
        }
    }
}

static struct s_result s_eval_list(struct s_eval *ev,
                                   const struct cpw_iam_policy *const *list,
                                   size_t n,
                                   enum cpw_iam_policy_type as_type)
{
    struct s_result r = { .present = true };
    for (size_t i = 0; list && i < n; i++) {
        if (list[i]) {
            s_eval_policy(ev, list[i], as_type, &r);
        }
    }
    return r;
}

/* Every level must allow; a deny at any level is explicit. */
static struct s_result s_eval_levels(struct s_eval *ev,
                                     const struct cpw_iam_org_level *levels,
                                     size_t n,
                                     enum cpw_iam_policy_type as_type)
{
    struct s_result all = { .present = n > 0, .allow = n > 0 };
    for (size_t i = 0; i < n; i++) {
        struct s_result r = s_eval_list(ev, levels[i].policies, levels[i].count, as_type);
        all.deny = all.deny || r.deny;
        all.allow = all.allow && r.allow;
    }
    return all;
}

static enum cpw_iam_decision_kind s_kind(const struct s_result *r)
{
    if (!r->present) {
        return CPW_IAM_NOT_EVALUATED;
    }
    return r->deny ? CPW_IAM_EXPLICIT_DENY : r->allow ? CPW_IAM_ALLOWED : CPW_IAM_IMPLICIT_DENY;
}

static void s_deny(struct cpw_iam_decision *out,
                   enum cpw_iam_decision_kind kind,
                   enum cpw_iam_policy_type by)
{
    out->decision = kind;
    out->denied_by = by;
}

int cpw_iam_evaluate(const struct cpw_iam_policy_set *set,
                     const struct cpw_iam_request *request,
                     struct cpw_iam_decision *out)
{
    memset(out, 0, sizeof(*out));
    for (size_t t = 0; t < CPW_IAM_POLICY_TYPE_COUNT_; t++) {
        out->per_type[t] = CPW_IAM_NOT_EVALUATED;
    }
    out->decision = CPW_IAM_IMPLICIT_DENY;
    if (!set || !request || !request->action || !request->resource || !request->principal.account) {
        return cpw_raise(CPW_ERR_INVALID_ARGUMENT,
                         "iam evaluation: a policy set, an action, a resource and a principal "
                         "account are required");
    }
    const struct cpw_iam_principal *who = &request->principal;
    bool service = who->kind == CPW_IAM_PRINCIPAL_SERVICE;
    bool root = who->kind == CPW_IAM_PRINCIPAL_ROOT;
    struct s_eval ev = { .request = request,
                         .out = out,
                         .has_boundary = set->has_boundary && !root && !service };
    bool scp_exempt = service || who->management_account || who->service_linked_role;

    struct s_result scp = { 0 }, rcp = { 0 }, res = { 0 }, id = { 0 }, pb = { 0 }, ses = { 0 };
    if (!scp_exempt && set->scp_level_count > 0) {
        scp = s_eval_levels(&ev, set->scp_levels, set->scp_level_count, CPW_IAM_POLICY_SCP);
    }
    if (!who->service_linked_role && set->rcp_level_count > 0) {
        rcp = s_eval_levels(&ev, set->rcp_levels, set->rcp_level_count, CPW_IAM_POLICY_RCP);
    }
    if (set->resource) {
        res = s_eval_list(&ev, &set->resource, 1, CPW_IAM_POLICY_RESOURCE);
    }
    if (!service) {
        id = s_eval_list(&ev, set->identity, set->identity_count, CPW_IAM_POLICY_IDENTITY);
        if (set->has_boundary && !root) {
            pb = s_eval_list(&ev, set->boundary, set->boundary_count, CPW_IAM_POLICY_BOUNDARY);
        }
        if (set->has_session) {
            ses = s_eval_list(&ev, set->session, set->session_count, CPW_IAM_POLICY_SESSION);
        }
    }
    out->per_type[CPW_IAM_POLICY_SCP] = s_kind(&scp);
    out->per_type[CPW_IAM_POLICY_RCP] = s_kind(&rcp);
    out->per_type[CPW_IAM_POLICY_RESOURCE] = s_kind(&res);
    out->per_type[CPW_IAM_POLICY_IDENTITY] = s_kind(&id);
    out->per_type[CPW_IAM_POLICY_BOUNDARY] = s_kind(&pb);
    out->per_type[CPW_IAM_POLICY_SESSION] = s_kind(&ses);

    /* 1. explicit deny anywhere */
    const struct {
        const struct s_result *r;
        enum cpw_iam_policy_type type;
    } order[] = {
        { &scp, CPW_IAM_POLICY_SCP },      { &rcp, CPW_IAM_POLICY_RCP },
        { &res, CPW_IAM_POLICY_RESOURCE }, { &id, CPW_IAM_POLICY_IDENTITY },
        { &pb, CPW_IAM_POLICY_BOUNDARY },  { &ses, CPW_IAM_POLICY_SESSION },
    };
    bool decided = false;
    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]) && !decided; i++) {
        if (order[i].r->deny) {
            s_deny(out, CPW_IAM_EXPLICIT_DENY, order[i].type);
            decided = true;
        }
    }
    /* 2-3. the organization's guards */
    if (!decided && scp.present && !scp.allow) {
        s_deny(out, CPW_IAM_IMPLICIT_DENY, CPW_IAM_POLICY_SCP);
        decided = true;
    }
    if (!decided && rcp.present && !rcp.allow) {
        s_deny(out, CPW_IAM_IMPLICIT_DENY, CPW_IAM_POLICY_RCP);
        decided = true;
    }
    if (!decided) {
        /* 4-5. a grant, limited by the boundary and the session policies */
        bool same_account =
          !request->resource_account || strcmp(request->resource_account, who->account) == 0;
        bool identity_allows = root || id.allow;
        bool pb_ok = !pb.present || pb.allow;
        bool ses_ok = !ses.present || ses.allow;
        bool res_grants = res.allow && res.grant >= S_PM_WILDCARD;
        bool res_any = res.allow;
        bool allowed;
        if (service) {
            allowed = res.allow && res.grant >= S_PM_WILDCARD; /* its name, or "*" */
        } else if (same_account) {
            bool via_identity = identity_allows && pb_ok && ses_ok;
            /* A grant that names the IAM user or the session itself is limited by neither the
             * permissions boundary nor the session policies; a grant to every principal ("*")
             * is not limited by the boundary but is by the session policies (which exempt only
             * the session's ARN); a grant to the role is limited by both. */
            bool pb_bypass = res.grant == S_PM_EXACT || res.grant == S_PM_WILDCARD;
            bool ses_bypass = res.grant == S_PM_EXACT;
            bool via_resource = res_grants && (pb_bypass || pb_ok) && (ses_bypass || ses_ok);
            allowed = via_identity || via_resource;
        } else {
            allowed = identity_allows && res_any && pb_ok && ses_ok;
        }
        if (allowed) {
            out->decision = CPW_IAM_ALLOWED;
        } else {
            /* The first guard on the way that did not allow names the denial. */
            enum cpw_iam_policy_type by = CPW_IAM_POLICY_RESOURCE;
            if (!service && !identity_allows && !(same_account && res_grants)) {
                by = CPW_IAM_POLICY_IDENTITY;
            } else if (!service && !pb_ok) {
                by = CPW_IAM_POLICY_BOUNDARY;
            } else if (!service && !ses_ok) {
                by = CPW_IAM_POLICY_SESSION;
            }
            s_deny(out, CPW_IAM_IMPLICIT_DENY, by);
        }
    }
    out->missing_keys = ev.missing.items;
    out->missing_key_count = ev.missing.count;
    return 0;
}

void cpw_iam_decision_clean_up(struct cpw_iam_decision *decision)
{
    if (!decision) {
        return;
    }
    struct cpw_iam_strings missing = { decision->missing_keys, decision->missing_key_count };
    cpw_iam_strings_clean_up(&missing);
    cpw_free(decision->matched);
    memset(decision, 0, sizeof(*decision));
}

/* The policy type as AWS's AccessDenied messages name it, with its article. */
static const char *s_type_phrase(enum cpw_iam_policy_type type)
{
    switch (type) {
    case CPW_IAM_POLICY_IDENTITY:
        return "an identity-based policy";
    case CPW_IAM_POLICY_RESOURCE:
        return "a resource-based policy";
    case CPW_IAM_POLICY_SCP:
        return "a service control policy";
    case CPW_IAM_POLICY_RCP:
        return "a resource control policy";
    case CPW_IAM_POLICY_BOUNDARY:
        return "a permissions boundary";
    case CPW_IAM_POLICY_SESSION:
        return "a session policy";
    case CPW_IAM_POLICY_TYPE_COUNT_:
        break;
    }
    return "a policy";
}

char *cpw_iam_denial_message(const struct cpw_iam_request *request,
                             const struct cpw_iam_decision *decision)
{
    if (!request || !decision ||
        (decision->decision != CPW_IAM_IMPLICIT_DENY &&
         decision->decision != CPW_IAM_EXPLICIT_DENY)) {
        return NULL;
    }
    const char *who = request->principal.arn ? request->principal.arn : "";
    if (request->principal.kind == CPW_IAM_PRINCIPAL_SERVICE && request->principal.service) {
        who = request->principal.service;
    }
    struct cpw_buf buf;
    cpw_buf_init(&buf, 4 * CPW_IAM_MAX_EXPANDED_BYTES);
    int rc =
      cpw_buf_appendf(&buf, "User: %s is not authorized to perform: %s ", who, request->action);
    /* Actions without a resource type ("*") are named without "on resource:", as AWS does. */
    if (rc == 0 && request->resource && strcmp(request->resource, "*") != 0) {
        rc = cpw_buf_appendf(&buf, "on resource: %s ", request->resource);
    }
    const char *phrase = s_type_phrase(decision->denied_by);
    /* A role's trust policy is the resource-based policy of sts:AssumeRole*; AWS names it so. */
    bool trust = decision->denied_by == CPW_IAM_POLICY_RESOURCE && request->action &&
                 strncasecmp(request->action, "sts:AssumeRole", 14) == 0;
    if (trust) {
        phrase = decision->decision == CPW_IAM_EXPLICIT_DENY ? "the role trust policy"
                                                             : "a role trust policy";
    }
    if (rc == 0 && decision->decision == CPW_IAM_EXPLICIT_DENY) {
        rc = cpw_buf_appendf(&buf, "with an explicit deny in %s", phrase);
    } else if (rc == 0) {
        /* "because no identity-based policy allows ...": the phrase without its article */
        const char *bare = strchr(phrase, ' ') + 1;
        rc = cpw_buf_appendf(&buf, "because no %s allows the %s action", bare, request->action);
    }
    char *text = rc == 0 ? cpw_strndup(cpw_buf_cstr(&buf), buf.len) : NULL;
    cpw_buf_clean_up(&buf);
    return text;
}
