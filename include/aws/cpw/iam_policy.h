/*
 * iam_policy.h - IAM policy documents and AWS's policy evaluation logic, as a library.
 *
 * Three steps, each with its own object:
 *   1. cpw_iam_policy_parse() turns a policy document (JSON text) into a struct cpw_iam_policy,
 *      refusing what IAM refuses with IAM's MalformedPolicyDocument message as the error detail.
 *   2. A struct cpw_iam_context holds the request's condition keys (case-insensitive names,
 *      one or more string values each); a struct cpw_iam_request names the principal, the action
 *      and the resource; a struct cpw_iam_policy_set borrows every policy that applies to it,
 *      grouped by policy type (identity, SCP levels, RCP levels, boundary, session, resource).
 *   3. cpw_iam_evaluate() decides as AWS documents ("Policy evaluation logic", IAM User Guide):
 *      an explicit Deny in any applicable policy wins; otherwise every guard that is present
 *      (each SCP level from the root to the account, each RCP level, the permissions boundary,
 *      the session policies) must allow, and an identity-based or resource-based policy must
 *      grant. cpw_iam_denial_message() words a denial as AWS does ("User: ARN is not authorized
 *      to perform: ACTION on resource: ARN because no identity-based policy allows the ACTION
 *      action"). docs/authorization.md lists the order, the exemptions and every message form.
 *
 * Ownership: a parsed policy is owned by the caller (cpw_iam_policy_destroy). A policy set and a
 * request only borrow: every pointer in them must outlive the cpw_iam_evaluate() call. A
 * decision owns its arrays (cpw_iam_decision_clean_up); the policy ids and Sids its matched
 * statements point to are borrowed from the policies and live as long as they do.
 *
 * Thread-safety: parsed policies and contexts are read-only during evaluation, so one policy may
 * be evaluated on several threads at once; a context must not be modified while it is evaluated.
 */
#ifndef CPW_IAM_POLICY_H
#define CPW_IAM_POLICY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "cpw/buf.h"

/* Largest policy text accepted for parsing (IAM's own limits are far smaller: 6,144 characters
 * for a managed policy, 10,240 for a role's inline policies, 5,120 for an SCP). */
#define CPW_IAM_POLICY_MAX_BYTES (256u * 1024u)

/* ----- policies ------------------------------------------------------------------------------ */

/**
 * Where a policy sits in the evaluation. The type decides what the parser accepts (a Principal
 * is required in resource and trust policies and refused elsewhere) and which decision a
 * statement feeds. The numbering is stable; names are cpw_iam_policy_type_name().
 */
enum cpw_iam_policy_type {
    CPW_IAM_POLICY_IDENTITY = 0, /* inline or managed policy of a user, group or role */
    CPW_IAM_POLICY_RESOURCE, /* resource-based policy of the target (a role's trust policy too) */
    CPW_IAM_POLICY_SCP,      /* service control policy (AWS Organizations) */
    CPW_IAM_POLICY_RCP,      /* resource control policy (AWS Organizations) */
    CPW_IAM_POLICY_BOUNDARY, /* permissions boundary of the user or role */
    CPW_IAM_POLICY_SESSION,  /* session policy (AssumeRole Policy / PolicyArns) */
    CPW_IAM_POLICY_TYPE_COUNT_
};

/** "identity", "resource", "scp", "rcp", "boundary", "session"; static storage. */
const char *cpw_iam_policy_type_name(enum cpw_iam_policy_type type);

/** A parsed policy document (opaque). */
struct cpw_iam_policy;

/** How cpw_iam_policy_parse reads a document. */
struct cpw_iam_policy_parse_options {
    enum cpw_iam_policy_type type; /* decides Principal handling (see the enum) */
    const char *id;                /* label in matched statements (a policy ARN or name); copied;
                                      NULL gives "" */
};

/**
 * Parses a policy document. Accepts Version "2012-10-17" or "2008-10-17" (policy variables are
 * expanded only under 2012-10-17; a missing Version means 2008-10-17), Id, and Statement as one
 * object or an array of them, each with Sid, Effect (Allow|Deny), exactly one of Action /
 * NotAction, exactly one of Resource / NotResource (optional in resource and trust policies),
 * Principal / NotPrincipal ("*" or an object of AWS / Service / Federated / CanonicalUser, each
 * a string or an array), and Condition (operator -> key -> string, number, boolean or array).
 * Returns a new policy owned by the caller, or NULL with CPW_ERR_VALIDATION (or CPW_ERR_LIMIT
 * past CPW_IAM_POLICY_MAX_BYTES) and IAM's MalformedPolicyDocument message as the detail, e.g.
 * "Syntax errors in policy.", "Policy document should not specify a principal.",
 * "Missing required field Effect", "Statement is missing required field Action / NotAction".
 */
struct cpw_iam_policy *cpw_iam_policy_parse(struct cpw_span text,
                                            const struct cpw_iam_policy_parse_options *options);

/** cpw_iam_policy_parse over an already loaded document (borrowed; not kept). */
struct cpw_iam_policy *cpw_iam_policy_parse_json(
  const json_t *doc,
  const struct cpw_iam_policy_parse_options *options);

/** Releases a policy; NULL is a no-op. */
void cpw_iam_policy_destroy(struct cpw_iam_policy *policy);

/** The policy's id as given to the parser (borrowed, never NULL). */
const char *cpw_iam_policy_id(const struct cpw_iam_policy *policy);

/** The policy's type as given to the parser. */
enum cpw_iam_policy_type cpw_iam_policy_type(const struct cpw_iam_policy *policy);

/** Number of statements. */
size_t cpw_iam_policy_statement_count(const struct cpw_iam_policy *policy);

/** The Sid of statement i (borrowed), or NULL when it has none or i is out of range. */
const char *cpw_iam_policy_statement_sid(const struct cpw_iam_policy *policy, size_t i);

/* ----- request context ----------------------------------------------------------------------- */

/**
 * Condition keys of one request. Names compare case-insensitively ("aws:username" is
 * "aws:UserName"); values are strings as they arrive on the wire ("true", "2026-12-05T01:00:00Z",
 * "10.1.2.3", base64 for binary). A key holds one value or, when multi-valued (aws:TagKeys,
 * aws:CalledVia, ...), a set that may be empty.
 */
struct cpw_iam_context;

/** A new empty context, owned by the caller (cpw_iam_context_destroy). */
struct cpw_iam_context *cpw_iam_context_new(void);

/** Releases a context; NULL is a no-op. */
void cpw_iam_context_destroy(struct cpw_iam_context *context);

/**
 * Sets key to the single value (copied), replacing what it held. Returns 0, or -1 with
 * CPW_ERR_INVALID_ARGUMENT for a NULL or empty key or a NULL value.
 */
int cpw_iam_context_set(struct cpw_iam_context *context, const char *key, const char *value);

/**
 * Makes key multi-valued (an empty set when it was absent) and appends value (copied) unless
 * value is NULL. Returns 0, or -1 with CPW_ERR_INVALID_ARGUMENT.
 */
int cpw_iam_context_add(struct cpw_iam_context *context, const char *key, const char *value);

/** Removes key; absent keys are fine. */
void cpw_iam_context_remove(struct cpw_iam_context *context, const char *key);

/** Number of values of key (0 when absent or an empty set); *present says which. */
size_t cpw_iam_context_count(const struct cpw_iam_context *context, const char *key, bool *present);

/** Value i of key (borrowed), or NULL. */
const char *cpw_iam_context_value(const struct cpw_iam_context *context, const char *key, size_t i);

/* ----- requests ------------------------------------------------------------------------------ */

/** Who signs the request. */
enum cpw_iam_principal_kind {
    CPW_IAM_PRINCIPAL_USER = 0,     /* arn:aws:iam::A:user/path/name */
    CPW_IAM_PRINCIPAL_ROLE_SESSION, /* arn:aws:sts::A:assumed-role/name/session (role_arn set) */
    CPW_IAM_PRINCIPAL_ROOT,         /* arn:aws:iam::A:root: no identity policy needed */
    CPW_IAM_PRINCIPAL_FEDERATED,    /* arn:aws:sts::A:federated-user/name */
    CPW_IAM_PRINCIPAL_SERVICE,      /* an AWS service principal (service set), e.g. in trust */
};

struct cpw_iam_principal {
    enum cpw_iam_principal_kind kind;
    const char *arn;     /* the caller as AWS names it in messages */
    const char *account; /* 12-digit account id of the principal */
    /* ROLE_SESSION: arn:aws:iam::A:role/path/name; FEDERATED: the IAM user that called
     * GetFederationToken; else NULL. A resource-based policy naming it grants to the session,
     * limited by the permissions boundary and the session policies. */
    const char *role_arn;
    const char *service;      /* SERVICE: "connect.amazonaws.com"; else NULL */
    bool management_account;  /* a principal of the organization's management account: SCPs do
                                 not apply (RCPs do not apply to the management account's
                                 resources: give no rcp_levels for them) */
    bool service_linked_role; /* a service-linked role's session: SCPs and RCPs do not apply */
};

struct cpw_iam_request {
    struct cpw_iam_principal principal;
    const char *action;           /* "service:Action"; compared case-insensitively */
    const char *resource;         /* the resource ARN, or "*" for actions without a resource */
    const char *resource_account; /* account owning the resource; NULL = the principal's */
    const struct cpw_iam_context *context; /* condition keys and policy variables; NULL = none */
};

/* ----- policy sets --------------------------------------------------------------------------- */

/**
 * The policies of one level of an organization (the root, an OU, the account), borrowed. With
 * SCPs every level on the path from the root to the account must allow.
 */
struct cpw_iam_org_level {
    const char *target_id; /* "r-abcd", "ou-abcd-12345678", "111122223333" (informational) */
    const struct cpw_iam_policy *const *policies;
    size_t count;
};

/**
 * Every policy that applies to one request, borrowed. A guard that is absent (no SCP levels, no
 * boundary, no session policies) does not restrict; a guard that is present with zero policies
 * denies everything (has_boundary with boundary_count 0 is a boundary that allows nothing).
 */
struct cpw_iam_policy_set {
    const struct cpw_iam_policy *const *identity; /* user's/role's inline, managed, groups' */
    size_t identity_count;
    const struct cpw_iam_policy *resource;      /* the target's resource-based (or trust) policy */
    const struct cpw_iam_org_level *scp_levels; /* root first, account last; 0 = no organization */
    size_t scp_level_count;
    const struct cpw_iam_org_level *rcp_levels; /* as scp_levels, for the resource's account */
    size_t rcp_level_count;
    const struct cpw_iam_policy *const *boundary; /* the permissions boundary (one in IAM) */
    size_t boundary_count;
    bool has_boundary;
    const struct cpw_iam_policy *const *session; /* inline Policy and PolicyArns of the session */
    size_t session_count;
    bool has_session;
};

/* ----- decisions ----------------------------------------------------------------------------- */

enum cpw_iam_decision_kind {
    CPW_IAM_ALLOWED = 0,
    CPW_IAM_IMPLICIT_DENY,
    CPW_IAM_EXPLICIT_DENY,
    CPW_IAM_NOT_EVALUATED, /* per-type decisions only: that policy type does not apply */
};

/** "allowed", "implicitDeny", "explicitDeny" (SimulatePrincipalPolicy's EvalDecision values),
 * "notEvaluated"; static storage. */
const char *cpw_iam_decision_name(enum cpw_iam_decision_kind kind);

/** A statement whose Action, Resource, Principal and Condition all matched the request. */
struct cpw_iam_matched_statement {
    enum cpw_iam_policy_type type;
    const char *policy_id;  /* borrowed from the policy */
    size_t statement_index; /* 0-based position in the Statement array */
    const char *sid;        /* borrowed; NULL when the statement has none */
    bool deny;              /* Effect Deny */
};

struct cpw_iam_decision {
    enum cpw_iam_decision_kind decision;
    /* For a denial, the policy type that decided it: the type of the explicit Deny, or the guard
     * that did not allow (identity when neither identity nor resource policy granted). */
    enum cpw_iam_policy_type denied_by;
    /* Per policy type: how that type alone decided (NOT_EVALUATED when absent from the set or
     * exempt). organizations = SCPs (OrganizationsDecisionDetail.AllowedByOrganizations),
     * boundary = PermissionsBoundaryDecisionDetail.AllowedByPermissionsBoundary. */
    enum cpw_iam_decision_kind per_type[CPW_IAM_POLICY_TYPE_COUNT_];
    /* Every matching statement, in evaluation order (owned array). */
    struct cpw_iam_matched_statement *matched;
    size_t matched_count;
    /* Condition keys a relevant statement asked for that the context lacks, each once, in the
     * spelling the policy used (owned strings). */
    char **missing_keys;
    size_t missing_key_count;
};

/**
 * Evaluates request against set. Fills *out (which the caller later releases with
 * cpw_iam_decision_clean_up, also after a failure). Returns 0, or -1 with
 * CPW_ERR_INVALID_ARGUMENT when the request lacks an action, a resource or a principal account.
 */
int cpw_iam_evaluate(const struct cpw_iam_policy_set *set,
                     const struct cpw_iam_request *request,
                     struct cpw_iam_decision *out);

/** Releases what a decision owns and zeroes it; a zeroed decision is fine. */
void cpw_iam_decision_clean_up(struct cpw_iam_decision *decision);

/**
 * AWS's AccessDenied message for a denial, owned by the caller (cpw_free), e.g.
 * "User: arn:aws:iam::111122223333:user/bob is not authorized to perform: iam:CreateRole on
 * resource: arn:aws:iam::111122223333:role/x with an explicit deny in a service control policy".
 * NULL when decision is not a denial.
 */
char *cpw_iam_denial_message(const struct cpw_iam_request *request,
                             const struct cpw_iam_decision *decision);

/* ----- matching helpers (also used by the sandbox's tables) ---------------------------------- */

/** True when action matches pattern ("iam:Get*", "*"): '*' and '?' wildcards, ASCII case-folded. */
bool cpw_iam_action_matches(const char *pattern, const char *action);

/**
 * True when resource matches pattern as IAM compares resource ARNs: case-sensitive, '*' and '?'
 * wildcards that stay inside the first five ARN segments (partition, service, region, account)
 * and may span '/' and ':' in the resource part; "*" matches anything.
 */
bool cpw_iam_resource_matches(const char *pattern, const char *resource);

#endif
