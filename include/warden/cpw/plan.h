/*
 * plan.h - saved clean-up plans: build, write, load strictly, render.
 *
 * A plan is what `cpwarden plan` proposes and `cpwarden apply PLAN` executes: the ordered
 * actions for each orphaned Customer Profiles domain and service-linked role, the runbook's
 * pre-deletion checklist per domain, the caller identity it was made with, and a fingerprint of
 * the observed facts each action depends on (apply re-observes them and refuses a stale plan).
 * docs/plan-format.md describes the JSON document, version CPW_PLAN_FORMAT_VERSION.
 *
 * Building: cpw_plan_builder_new(), then cpw_plan_builder_add_domain() / _add_orphan_role() with
 * typed facts from the inventory, then cpw_plan_builder_finish(). Per domain the actions are:
 * backup-domain -> delete-integration (each dangling one) -> delete-domain -> verify-domain-gone
 * -> wait-role-gone -> delete-service-linked-role -> poll-role-deletion -> verify-role-gone; then
 * orphaned Connect roles: delete-service-linked-role -> poll-role-deletion -> verify-role-gone.
 * A protected target (protect.h) gives skipped actions, a domain used by an ACTIVE instance gives
 * refused actions (unless force); both carry the reason and are never executed.
 *
 * Ownership: struct cpw_plan and everything it points to is owned by the plan
 * (cpw_plan_destroy); its fields are read-only for callers. Inputs to the builder are copied.
 * Thread-safety: a plan is immutable once built or loaded, so concurrent reads are safe; a
 * builder belongs to one thread.
 */
#ifndef CPW_PLAN_H
#define CPW_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpw/backup_file.h" /* the configuration kinds counted in an impact */
#include "cpw/buf.h"
#include "cpw/crypto.h"
#include "cpw/protect.h"

#define CPW_PLAN_FORMAT_VERSION 2 /* 2: options.organization and options.role_name */
#define CPW_PLAN_FORMAT_NAME    "cpwarden-plan"
#define CPW_PLAN_MAX_BYTES      (64u * 1024u * 1024u)
#define CPW_PLAN_MAX_ACTIONS    10000u /* a loaded plan holds at most this many actions */

/* X(enum, name in the document) */
#define CPW_PLAN_ACTION_KIND_LIST(X)                                                               \
    X(CPW_PLAN_BACKUP_DOMAIN, "backup-domain")                                                     \
    X(CPW_PLAN_DELETE_INTEGRATION, "delete-integration")                                           \
    X(CPW_PLAN_DELETE_DOMAIN, "delete-domain")                                                     \
    X(CPW_PLAN_VERIFY_DOMAIN_GONE, "verify-domain-gone")                                           \
    X(CPW_PLAN_WAIT_ROLE_GONE, "wait-role-gone")                                                   \
    X(CPW_PLAN_DELETE_SERVICE_LINKED_ROLE, "delete-service-linked-role")                           \
    X(CPW_PLAN_POLL_ROLE_DELETION, "poll-role-deletion")                                           \
    X(CPW_PLAN_VERIFY_ROLE_GONE, "verify-role-gone")

enum cpw_plan_action_kind {
#define CPW_PLAN_KIND_ENUM_(e, name) e,
    CPW_PLAN_ACTION_KIND_LIST(CPW_PLAN_KIND_ENUM_)
#undef CPW_PLAN_KIND_ENUM_
      CPW_PLAN_ACTION_KIND_COUNT_
};

/** Whether apply executes an action ("planned") or must leave it alone. */
enum cpw_plan_action_status {
    CPW_PLAN_ACTION_PLANNED, /* "planned" */
    CPW_PLAN_ACTION_SKIPPED, /* "skipped": a protection rule or a flag keeps it out */
    CPW_PLAN_ACTION_REFUSED, /* "refused": unsafe (ACTIVE instance) and not forced */
};

/** State of one checklist item. */
enum cpw_plan_check_status {
    CPW_PLAN_CHECK_PASS,    /* "pass" */
    CPW_PLAN_CHECK_FAIL,    /* "fail" */
    CPW_PLAN_CHECK_PENDING, /* "pending": checked at apply time or by hand */
};

/** What a deletion destroys (0 where it does not apply). */
struct cpw_plan_impact {
    uint64_t profiles;
    uint64_t objects;
    uint64_t integrations;
    uint64_t object_types;
    uint64_t event_streams;
    uint64_t calculated_attributes;
    /* Every other configuration kind a backup carries, by backup section (the list sections
     * after calculated_attributes: domain object types, workflows, segment definitions, event
     * triggers, layouts, recommender schemas, recommenders, recommender filters); 0 where none
     * or not counted. In the plan file as impact.configuration, only when one is not 0. */
    uint64_t configuration[CPW_BACKUP_SECTION_COUNT_];
};

/** One observed fact an action depends on: "domain.profile_count" = "1234". */
struct cpw_plan_fact {
    char *key;
    char *value;
};

struct cpw_plan_action {
    char *id; /* "a01", unique in the plan */
    enum cpw_plan_action_kind kind;
    enum cpw_plan_action_status status;
    char *reason;  /* why skipped/refused; "" when planned */
    char *account; /* target */
    char *region;  /* "" for global (IAM) */
    char *arn;     /* resource ARN, "" when unknown */
    char *name;    /* domain name, role name, or integration URI */
    char **depends_on;
    size_t depends_on_count;
    char **preconditions; /* sentences, as observed */
    size_t precondition_count;
    struct cpw_plan_fact *facts; /* sorted by key */
    size_t fact_count;
    struct cpw_plan_impact impact;
};

struct cpw_plan_check {
    char *id;    /* "domain-identified", "instances-checked", ... */
    char *label; /* the runbook's wording */
    enum cpw_plan_check_status status;
    char *detail;
};

/** The runbook's pre-deletion checklist for one domain. */
struct cpw_plan_checklist {
    char *account;
    char *region;
    char *domain;
    struct cpw_plan_check *items;
    size_t item_count;
};

struct cpw_plan {
    int format_version;
    char *created_at;     /* ISO 8601 */
    char *caller_account; /* identity the plan was made with */
    char *caller_arn;
    bool force;
    bool include_possible;
    bool organization; /* acts in an organization's member accounts through role_name */
    char *role_name;   /* the role assumed in each member account; "" unless organization */
    char **accounts;   /* accounts the plan touches, sorted */
    size_t account_count;
    char fingerprint[CPW_SHA256_HEX_LEN + 1]; /* over every action's facts */
    struct cpw_plan_checklist *checklists;
    size_t checklist_count;
    struct cpw_plan_action *actions; /* in execution order */
    size_t action_count;
};

/* ----- builder inputs (all strings borrowed for the duration of the call) ---------------- */

/** A Connect instance linked to a domain, with the status the inventory observed. */
struct cpw_plan_instance_input {
    const char *arn;
    const char *status; /* Connect InstanceStatus ("ACTIVE", ...) or "DELETED" when gone */
};

/** A Customer Profiles integration of the domain. */
struct cpw_plan_integration_input {
    const char *uri;              /* the integration's Uri (a Connect instance ARN, ...) */
    const char *object_type_name; /* may be NULL */
    bool dangling;                /* its Uri names a resource that no longer exists */
};

enum cpw_plan_role_kind {
    CPW_PLAN_ROLE_PROFILE_SLR, /* AWSServiceRoleForProfile_*: goes with its domain */
    CPW_PLAN_ROLE_CONNECT_SLR, /* AWSServiceRoleForAmazonConnect_*: goes with its instance */
};

struct cpw_plan_role_input {
    enum cpw_plan_role_kind kind;
    const char *account;
    const char *name;
    const char *arn;
    const char *linked_resource; /* domain or instance ARN the role serves; may be NULL */
    const char *last_used;       /* RoleLastUsed.LastUsedDate (ISO 8601) or NULL (never) */
    bool possible;               /* the orphan finding is only "possible" (weak evidence) */
    const struct cpw_tag *tags;
    size_t tag_count;
};

struct cpw_plan_domain_input {
    const char *account;
    const char *region;
    const char *name;
    const char *arn;
    const struct cpw_tag *tags;
    size_t tag_count;
    const struct cpw_plan_instance_input *instances;
    size_t instance_count;
    const struct cpw_plan_integration_input *integrations;
    size_t integration_count;
    bool profile_count_known;
    uint64_t profile_count;
    uint64_t object_count;
    uint64_t object_type_count;
    uint64_t event_stream_count;
    uint64_t calculated_attribute_count;
    /* Items of every other configuration kind, by backup section (cpw_backup_count_kinds), or
     * NULL when not counted; only the impact shows them (no fact, no precondition). */
    const uint64_t *configuration_counts;
    const struct cpw_plan_role_input *role; /* the domain's service-linked role, or NULL */
};

struct cpw_plan_builder_options {
    const char *caller_account;        /* required: 12 digits */
    const char *caller_arn;            /* required */
    const struct cpw_protect *protect; /* borrowed for the builder's life; NULL: no rules */
    bool force;                        /* act on domains that an ACTIVE instance uses */
    bool include_possible;             /* act on roles whose orphan finding is only "possible" */
    bool organization;     /* targets in member accounts, reached by assuming role_name */
    const char *role_name; /* with organization; NULL: OrganizationAccountAccessRole */
};

struct cpw_plan_builder;

/**
 * A builder for a plan made by caller_account/caller_arn at the current time (cpw_time_now_s).
 * NULL with CPW_ERR_INVALID_ARGUMENT when the identity is missing or malformed. Owned by the
 * caller (cpw_plan_builder_destroy).
 */
struct cpw_plan_builder *cpw_plan_builder_new(const struct cpw_plan_builder_options *opts);

/**
 * Adds the actions and checklist for one domain (and its role when given). Returns 0, or -1
 * with CPW_ERR_INVALID_ARGUMENT for missing account/region/name.
 */
int cpw_plan_builder_add_domain(struct cpw_plan_builder *builder,
                                const struct cpw_plan_domain_input *domain);

/**
 * Adds the deletion of an orphaned service-linked role whose linked resource is gone (typically
 * a Connect role whose instance was deleted). These actions come after every domain's.
 * Returns 0, or -1 with CPW_ERR_INVALID_ARGUMENT.
 */
int cpw_plan_builder_add_orphan_role(struct cpw_plan_builder *builder,
                                     const struct cpw_plan_role_input *role);

/**
 * Seals the plan: orders the actions, computes the fingerprint. Returns the plan (owned by the
 * caller) or NULL; the builder is spent either way and only cpw_plan_builder_destroy remains.
 */
struct cpw_plan *cpw_plan_builder_finish(struct cpw_plan_builder *builder);

/** Frees a builder (and the unfinished plan it holds). NULL is a no-op. */
void cpw_plan_builder_destroy(struct cpw_plan_builder *builder);

/* ----- documents -------------------------------------------------------------------------- */

struct cpw_plan_load_options {
    const char *current_account; /* required: the caller's account now (STS identity) */
    bool allow_other_accounts;   /* an organization plan: planned actions may touch accounts
                                    other than current_account (cpw_plan_verify_trust) */
};

/**
 * Parses and verifies a plan document: JSON well-formed and complete (CPW_ERR_PARSE), format
 * name and version (CPW_ERR_VERSION), body checksum (CPW_ERR_INTEGRITY: edited by hand), no
 * unknown or missing fields (CPW_ERR_PARSE), fingerprint matching the facts (CPW_ERR_INTEGRITY),
 * unique action ids, known dependencies, no cycle, dependencies before dependents
 * (CPW_ERR_PARSE), at most CPW_PLAN_MAX_ACTIONS actions (CPW_ERR_LIMIT), made by current_account
 * (CPW_ERR_WRONG_ACCOUNT), then cpw_plan_verify_trust(plan, current_account,
 * opts->allow_other_accounts). The detail says what is wrong and where. Returns the plan, owned
 * by the caller, or NULL.
 *
 * The checksum is a plain digest of a documented form: anyone can re-seal an edited file, so it
 * only detects accidental damage. Nothing that can be derived is taken from the file on trust
 * (docs/plan-format.md, "What apply trusts").
 */
struct cpw_plan *cpw_plan_load(struct cpw_span document, const struct cpw_plan_load_options *opts);

/**
 * The one place where a plan's claims about accounts are checked against what it does:
 *  - `accounts` must be exactly the sorted set of accounts of its planned actions (the accounts
 *    a user confirms are derived from the actions, never taken from the file):
 *    CPW_ERR_INTEGRITY "the file was edited or is inconsistent" otherwise;
 *  - unless allow_other_accounts (an organization plan), every planned action must be in
 *    live_account, the caller's account read live: CPW_ERR_WRONG_ACCOUNT otherwise.
 * Returns 0 or -1 with the detail naming the accounts.
 */
int cpw_plan_verify_trust(const struct cpw_plan *plan,
                          const char *live_account,
                          bool allow_other_accounts);

/** Reads path and runs cpw_plan_load on it (CPW_ERR_IO when unreadable). */
struct cpw_plan *cpw_plan_load_file(const char *path, const struct cpw_plan_load_options *opts);

/**
 * Appends the plan's JSON document (pretty-printed, with its checksum, newline-terminated) to
 * out. Returns 0 or -1.
 */
int cpw_plan_to_json(const struct cpw_plan *plan, struct cpw_buf *out);

/** Writes the document to path: mode 0600, atomically (temporary file + rename). 0 or -1. */
int cpw_plan_write_file(const struct cpw_plan *plan, const char *path);

/**
 * Computes the fingerprint of a plan's facts into out (lower-case hex + NUL): sha256 over the
 * canonical serialization described in docs/plan-format.md. apply compares it with a plan
 * rebuilt from live facts. Returns 0 or -1.
 */
int cpw_plan_compute_fingerprint(const struct cpw_plan *plan, char out[CPW_SHA256_HEX_LEN + 1]);

/**
 * Terraform's stale-plan rule: compares a saved plan with one rebuilt from live observations
 * (same inputs, same flags). Returns 0 when their fingerprints match, else -1 with
 * CPW_ERR_STALE_PLAN and a detail naming the first difference, e.g. "a03 delete-domain
 * orphan-dom: domain.profile_count was 1234, is now 1300" or an action that appeared or went.
 */
int cpw_plan_check_fresh(const struct cpw_plan *saved, const struct cpw_plan *live);

/** Frees a plan. NULL is a no-op. */
void cpw_plan_destroy(struct cpw_plan *plan);

/* ----- names and lookups ------------------------------------------------------------------ */

/** "backup-domain", ...; static storage. */
const char *cpw_plan_action_kind_name(enum cpw_plan_action_kind kind);
/** Parses a kind name. Returns 0, or -1 with CPW_ERR_PARSE. */
int cpw_plan_action_kind_parse(const char *name, enum cpw_plan_action_kind *out);
/** "planned", "skipped", "refused"; static storage. */
const char *cpw_plan_action_status_name(enum cpw_plan_action_status status);
/** "pass", "fail", "pending"; static storage. */
const char *cpw_plan_check_status_name(enum cpw_plan_check_status status);
/** The action with that id, or NULL. Borrowed from the plan. */
const struct cpw_plan_action *cpw_plan_find_action(const struct cpw_plan *plan, const char *id);
/** The value of a fact of an action, or NULL. Borrowed. */
const char *cpw_plan_action_fact(const struct cpw_plan_action *action, const char *key);

/* ----- rendering (for humans) ------------------------------------------------------------- */

/** Appends a fixed-width text table of the actions and the checklists to out. 0 or -1. */
int cpw_plan_render_table(const struct cpw_plan *plan, struct cpw_buf *out);

/** Appends a Markdown report: summary, checklists, actions in order, impact. 0 or -1. */
int cpw_plan_render_markdown(const struct cpw_plan *plan, struct cpw_buf *out);

#endif
