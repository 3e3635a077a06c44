/*
 * audit.h - `cpwarden audit`: the runbook's best practices as rules evaluated over an inventory
 * (inventory.h) and the facts an inventory does not carry (trails, domain settings, instance
 * tags, documentation records, an authorization engine), with the results as one JSON document
 * that every output format (table, json, markdown, SARIF 2.1.0, JUnit XML) is rendered from and
 * that the state store keeps for `audit --diff` (docs/audit.md).
 *
 * Rules come from a YAML file (audit_rules.c: schema in docs/audit.md) or the built-in set;
 * every rule has an id, a severity, enabled, resource filters (accounts, regions, name globs,
 * tags) and its own parameters. A rule that cannot be evaluated with the facts at hand (no trail
 * information read, no authorization engine) says "not evaluated" and why; it never passes.
 *
 * Ownership: rules and facts are owned by the caller (destroy / clean_up); documents returned
 * as json_t are new references owned by the caller. Thread-safety: none needed (one thread).
 */
#ifndef CPW_AUDIT_H
#define CPW_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpw/buf.h"
#include "cpw/inventory.h"
#include "cpw/json.h"

/** The version of the audit JSON document. */
#define CPW_AUDIT_FORMAT_VERSION 1

/** Severities, lowest first; their names are the YAML and JSON spelling. */
#define CPW_AUDIT_SEVERITY_LIST(X)                                                                 \
    X(CPW_AUDIT_SEVERITY_INFO, "info")                                                             \
    X(CPW_AUDIT_SEVERITY_LOW, "low")                                                               \
    X(CPW_AUDIT_SEVERITY_MEDIUM, "medium")                                                         \
    X(CPW_AUDIT_SEVERITY_HIGH, "high")                                                             \
    X(CPW_AUDIT_SEVERITY_CRITICAL, "critical")

enum cpw_audit_severity {
#define CPW_AUDIT_SEVERITY_ENUM_(e, name) e,
    CPW_AUDIT_SEVERITY_LIST(CPW_AUDIT_SEVERITY_ENUM_)
#undef CPW_AUDIT_SEVERITY_ENUM_
      CPW_AUDIT_SEVERITY_COUNT_
};

/**
 * The built-in rules: X(ENUMERATOR, "id", default severity, "what it checks"). The id is the
 * rules file's key and the SARIF ruleId.
 */
#define CPW_AUDIT_RULE_LIST(X)                                                                     \
    X(CPW_AUDIT_RULE_LEFTOVERS, "leftovers", CPW_AUDIT_SEVERITY_HIGH,                              \
      "inventory findings (leftovers) at or above a confidence")                                   \
    X(CPW_AUDIT_RULE_NAMING, "naming", CPW_AUDIT_SEVERITY_LOW,                                     \
      "domain names and instance aliases match the naming pattern")                                \
    X(CPW_AUDIT_RULE_TAGGING, "tagging", CPW_AUDIT_SEVERITY_MEDIUM,                                \
      "required tag keys (and allowed values) on domains and instances")                           \
    X(CPW_AUDIT_RULE_CLOUDTRAIL, "cloudtrail", CPW_AUDIT_SEVERITY_HIGH,                            \
      "a multi-region trail that is logging management events in every account")                   \
    X(CPW_AUDIT_RULE_DOMAIN_KMS_KEY, "domain-kms-key", CPW_AUDIT_SEVERITY_MEDIUM,                  \
      "domains encrypted with a customer-managed KMS key")                                         \
    X(CPW_AUDIT_RULE_DOMAIN_DLQ, "domain-dead-letter-queue", CPW_AUDIT_SEVERITY_LOW,               \
      "domains with a dead-letter queue")                                                          \
    X(CPW_AUDIT_RULE_DOMAIN_EXPIRATION, "domain-expiration", CPW_AUDIT_SEVERITY_LOW,               \
      "domains' default expiration within bounds")                                                 \
    X(CPW_AUDIT_RULE_DOMAIN_EMPTY, "domain-empty", CPW_AUDIT_SEVERITY_MEDIUM,                      \
      "no domain without profiles older than N days")                                              \
    X(CPW_AUDIT_RULE_DOMAIN_OWNER, "domain-owner-tag", CPW_AUDIT_SEVERITY_MEDIUM,                  \
      "every domain names its owner in a tag")                                                     \
    X(CPW_AUDIT_RULE_ROLE_UNUSED, "role-unused", CPW_AUDIT_SEVERITY_MEDIUM,                        \
      "no service-linked role unused for more than N days")                                        \
    X(CPW_AUDIT_RULE_ROLE_DELETION, "role-deletion-task", CPW_AUDIT_SEVERITY_HIGH,                 \
      "no FAILED or long-pending service-linked role deletion task")                               \
    X(CPW_AUDIT_RULE_LEAST_PRIVILEGE, "least-privilege", CPW_AUDIT_SEVERITY_HIGH,                  \
      "only allowlisted principals may delete domains or service-linked roles on *")               \
    X(CPW_AUDIT_RULE_DOCUMENTATION, "documentation", CPW_AUDIT_SEVERITY_LOW,                       \
      "every domain has a `cpwarden document` record no older than N days")

enum cpw_audit_rule_id {
#define CPW_AUDIT_RULE_ENUM_(e, id, sev, text) e,
    CPW_AUDIT_RULE_LIST(CPW_AUDIT_RULE_ENUM_)
#undef CPW_AUDIT_RULE_ENUM_
      CPW_AUDIT_RULE_COUNT_
};

/** "high", "leftovers", ... Static; NULL out of range. */
const char *cpw_audit_severity_name(enum cpw_audit_severity severity);
const char *cpw_audit_rule_name(enum cpw_audit_rule_id rule);
const char *cpw_audit_rule_description(enum cpw_audit_rule_id rule);

/** Parses a severity name. 0, or -1 with CPW_ERR_INVALID_ARGUMENT listing the names. */
int cpw_audit_severity_parse(const char *name, enum cpw_audit_severity *out);

/* ----- rules ---------------------------------------------------------------------------------- */

struct cpw_audit_rules;

/** The built-in rule set (docs/audit.md, "Built-in rules"). Owned by the caller. Never NULL. */
struct cpw_audit_rules *cpw_audit_rules_default(void);

/**
 * Reads a rules file's text (YAML; source names it in errors and in the report, e.g. its path)
 * over the built-in defaults. Returns the rules (owned) or NULL with CPW_ERR_PARSE (malformed
 * YAML) or CPW_ERR_CONFIG (a schema mistake); either detail reads "SOURCE:LINE:COLUMN: what".
 */
struct cpw_audit_rules *cpw_audit_rules_load(struct cpw_span yaml, const char *source);

/** Frees rules. NULL is a no-op. */
void cpw_audit_rules_destroy(struct cpw_audit_rules *rules);

/** The source name given to load ("built-in" for the defaults). Borrowed. */
const char *cpw_audit_rules_source(const struct cpw_audit_rules *rules);

/** Whether a rule is enabled, and its severity. */
bool cpw_audit_rule_enabled(const struct cpw_audit_rules *rules, enum cpw_audit_rule_id rule);
enum cpw_audit_severity cpw_audit_rule_severity(const struct cpw_audit_rules *rules,
                                                enum cpw_audit_rule_id rule);

/* ----- facts beyond the inventory ---------------------------------------------------------------
 */

/** One trail as DescribeTrails, GetTrailStatus and GetEventSelectors showed it. */
struct cpw_audit_trail {
    char *name;
    char *arn;
    char *home_region;
    bool multi_region;
    bool logging;           /* GetTrailStatus IsLogging */
    bool management_events; /* an event selector (basic or advanced) records management events */
};

/** The trails of one account, or why they could not be read. */
struct cpw_audit_account_trails {
    char *account;
    char *error; /* NULL: read; else why not (the AWS error) */
    struct cpw_audit_trail *trails;
    size_t trail_count;
};

/** GetDomain facts the inventory does not keep. */
struct cpw_audit_domain_detail {
    char *arn;
    int64_t default_expiration_days; /* -1 unknown */
};

/** An instance's tags (DescribeInstance Tags). */
struct cpw_audit_instance_tags {
    char *arn;
    struct cpw_inv_tag *tags;
    size_t tag_count;
};

/**
 * A DeleteServiceLinkedRole task cpwarden submitted (the apply journal) and what IAM says of it
 * now (GetServiceLinkedRoleDeletionStatus).
 */
struct cpw_audit_deletion_task {
    char *task_id;
    char *role_name;     /* from the task id: task/aws-service-role/PRINCIPAL/ROLE/UUID */
    int64_t submitted_s; /* the journal's time of the step */
    char *role_arn;      /* the role of the inventory it belongs to; NULL: not matched */
    char *status;        /* NOT_STARTED, IN_PROGRESS, SUCCEEDED, FAILED; NULL: not read */
    char *reason;        /* a FAILED task's Reason.Reason */
};

/** The newest `cpwarden document` record of a domain (state store). */
struct cpw_audit_document_record {
    char *account;
    char *region;
    char *domain;
    int64_t created_at_s;
};

/**
 * An authorization engine (IAM policy simulation, e.g. SimulatePrincipalPolicy): the
 * least-privilege rule asks it which principals may call action on resource "*". NULL in the
 * facts: the rule is reported as not evaluated.
 */
struct cpw_audit_authorizer {
    void *ctx;
    const char *name; /* for the report: "SimulatePrincipalPolicy" */
    /* Appends to *principals (a JSON array of ARNs, owned by the caller) every principal of
     * account allowed action on "*". Returns 0, or -1 with the error raised. */
    int (*allowed_principals)(void *ctx,
                              const char *account,
                              const char *action,
                              json_t *principals);
};

/** An account's IAM users, groups, roles and managed policies (GetAccountAuthorizationDetails,
 * every page), or why they could not be read. */
struct cpw_audit_account_authz {
    char *account;
    json_t *details; /* UserDetailList, GroupDetailList, RoleDetailList, Policies; NULL: error */
    char *error;
};

struct cpw_audit_facts {
    bool trails_read; /* false: the cloudtrail rule is not evaluated (why: trails_reason) */
    const char *trails_reason;
    struct cpw_audit_account_trails *accounts;
    size_t account_count;
    bool domain_details_read; /* false: domain-expiration not evaluated */
    struct cpw_audit_domain_detail *domains;
    size_t domain_count;
    bool instance_tags_read; /* false: instances are skipped by the tagging rule */
    struct cpw_audit_instance_tags *instances;
    size_t instance_count;
    bool deletion_tasks_read; /* statuses of the journal's tasks were asked of IAM */
    struct cpw_audit_deletion_task *tasks;
    size_t task_count;
    bool documents_read; /* false: the documentation rule is not evaluated */
    struct cpw_audit_document_record *documents;
    size_t document_count;
    const struct cpw_audit_authorizer *authorizer; /* borrowed; NULL: none */
    /* Read by cpw_audit_collect_facts, which then points authorizer at iam_engine: the IAM policy
     * engine (iam_policy.h) over these details (cpw_audit_iam_authorizer). */
    struct cpw_audit_account_authz *authz;
    size_t authz_count;
    struct cpw_audit_authorizer iam_engine;
};

/**
 * Reads account's GetAccountAuthorizationDetails (every page) through client into out (owned
 * strings and document; a failure is kept in out->error, never returned).
 */
struct cpw_aws_client;
void cpw_audit_read_authz(struct cpw_aws_client *client,
                          const char *account,
                          struct cpw_audit_account_authz *out);

/**
 * The authorizer that evaluates facts->authz with the IAM policy engine: a user or role (service-
 * linked roles excepted: AWS owns their policies) is allowed action on "*" when its inline and
 * attached policies, its groups' for a user, and its permissions boundary allow it with no
 * condition keys known (a grant under a Condition is not counted; a Deny under one is not
 * either). action "*" asks for an unrestricted grant: only Action "*" (or a NotAction Allow)
 * gives it. ctx is facts, borrowed; an account without details fails with its read error.
 */
struct cpw_audit_authorizer cpw_audit_iam_authorizer(const struct cpw_audit_facts *facts);

/** Frees what facts owns and zeroes it (the authorizer is borrowed). */
void cpw_audit_facts_clean_up(struct cpw_audit_facts *facts);

struct cpw_accounts;

/**
 * Reads the facts of a fresh scan: for every account of inv, its trails (DescribeTrails in
 * region, then GetTrailStatus and GetEventSelectors per trail), every domain's GetDomain and every
 * instance's DescribeInstance tags, and the status of every deletion task already in facts
 * (cpw_audit_read_deletion_tasks) whose role is in inv (GetServiceLinkedRoleDeletionStatus),
 * through accounts (the clients of the scanned accounts).
 * A failure is recorded in the facts (the account's trails error, a detail left unknown), never
 * returned: the rule that needs it reports it. Returns 0.
 */
int cpw_audit_collect_facts(struct cpw_accounts *accounts,
                            const struct cpw_inventory *inv,
                            const char *region,
                            struct cpw_audit_facts *facts);

/* ----- evaluation and the report ----------------------------------------------------------------
 */

/**
 * Evaluates every enabled rule over inv and facts at time now_s and returns the report document
 * (docs/audit.md, "JSON"): format_version, ran_at, rules_source, scope, summary, rules (each with
 * status evaluated/not-evaluated/disabled and the reason), results (each violation with rule,
 * severity, resource, account, region, message, evidence, fix and a fingerprint). Owned.
 */
json_t *cpw_audit_evaluate(const struct cpw_audit_rules *rules,
                           const struct cpw_inventory *inv,
                           const struct cpw_audit_facts *facts,
                           int64_t now_s);

/** The worst severity among the report's violations, or -1 when there is none. */
int cpw_audit_worst_severity(const json_t *report);

/** Counts the report's violations at or above severity. */
size_t cpw_audit_count_at_least(const json_t *report, enum cpw_audit_severity severity);

/**
 * What changed between two reports (by fingerprint): {"format_version", "before_ran_at",
 * "ran_at", "new": [results], "fixed": [results], "unchanged": N, "not_compared": N}. Only rules
 * evaluated in both reports are compared: a violation of a rule the other report did not
 * evaluate is counted in not_compared, never as new or fixed. Owned.
 */
json_t *cpw_audit_diff(const json_t *before, const json_t *after);

/** Output formats of the audit report. */
enum cpw_audit_format {
    CPW_AUDIT_FORMAT_TABLE = 0,
    CPW_AUDIT_FORMAT_JSON,
    CPW_AUDIT_FORMAT_MARKDOWN,
    CPW_AUDIT_FORMAT_SARIF,
    CPW_AUDIT_FORMAT_JUNIT,
};

/** Parses "table", "json", "markdown", "sarif", "junit". 0 or -1 (CPW_ERR_INVALID_ARGUMENT). */
int cpw_audit_format_parse(const char *name, enum cpw_audit_format *out);

/**
 * Appends report in format to out: table and markdown for people, json as is (the document),
 * SARIF 2.1.0 (one run, the rules as reportingDescriptors, each violation a result with its
 * level and logical location) and JUnit XML (one testsuite per rule, one testcase per resource
 * checked or per violation, <failure> for a violation, <skipped> for a rule not evaluated).
 * Returns 0, or -1 with CPW_ERR_LIMIT.
 */
int cpw_audit_write(const json_t *report, enum cpw_audit_format format, struct cpw_buf *out);

/** Appends a diff from cpw_audit_diff as table, json or markdown. -1 (UNSUPPORTED) otherwise. */
int cpw_audit_diff_write(const json_t *diff, enum cpw_audit_format format, struct cpw_buf *out);

/* ----- the state store ------------------------------------------------------------------------ */

struct cpw_store;

/** Saves a report in the store (audits table). *id_out may be NULL. 0 or -1 (CPW_ERR_STORE). */
int cpw_audit_save(struct cpw_store *store,
                   const json_t *report,
                   const char *scope,
                   int64_t *id_out);

/**
 * Loads the newest stored report (of scope when not NULL) as a document (owned), or NULL with
 * CPW_ERR_NOT_FOUND (none) or CPW_ERR_STORE / CPW_ERR_PARSE.
 */
json_t *cpw_audit_load_latest(struct cpw_store *store, const char *scope);

/**
 * Reads the newest document record of every domain from the store into facts (documents,
 * documents_read). 0, or -1 with CPW_ERR_STORE (facts left without documents).
 */
int cpw_audit_read_documents(struct cpw_store *store, struct cpw_audit_facts *facts);

/**
 * Reads the DeleteServiceLinkedRole tasks that `cpwarden apply` submitted (the journal's
 * delete-service-linked-role steps that are done) into facts->tasks, newest submission per task,
 * without their status (cpw_audit_collect_facts asks IAM). 0, or -1 with CPW_ERR_STORE.
 */
int cpw_audit_read_deletion_tasks(struct cpw_store *store, struct cpw_audit_facts *facts);

#endif
