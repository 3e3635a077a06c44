/*
 * inventory.h - what `cpwarden inventory` knows after a scan: Connect instances, Customer
 * Profiles domains and their integrations, the service-linked roles of both services, CloudTrail
 * evidence and scan errors; the graph that links them; the findings about leftovers; and the four
 * output formats plus the JSON loader (docs/inventory-schema.md).
 *
 * The collector creates an inventory, fills it with cpw_inventory_add_*() (each call deep-copies
 * the borrowed strings and arrays of its argument), then calls cpw_inventory_analyze(), which
 * links the resources, fills the derived fields (marked "derived" below) and computes the
 * findings. Everything is sorted afterwards, so output is deterministic.
 *
 * Conventions: strings are NUL-terminated UTF-8; NULL means "unknown / not applicable". Times are
 * epoch seconds, 0 meaning unknown. Region NULL on a role, a finding or an error means the global
 * (IAM) scope.
 *
 * Ownership: the inventory owns every element and string; pointers returned by accessors and
 * add functions are borrowed and stay valid until cpw_inventory_destroy() (elements are never
 * moved). Thread-safety: an inventory is not synchronised; fill it from one thread (or under the
 * caller's lock). A finished inventory may be read (and written out) from several threads.
 */
#ifndef CPW_INVENTORY_H
#define CPW_INVENTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cpw/buf.h"

/** The version of the JSON document (docs/inventory-schema.md). */
#define CPW_INVENTORY_SCHEMA 1

/** A role created this long after a domain's CreatedAt (or CreateDomain event) can be its role. */
#define CPW_INVENTORY_LINK_WINDOW_S 600

/** Trusted principals and IAM paths of the two service-linked roles (docs/aws-facts.md §1, §2). */
#define CPW_INV_PROFILE_PRINCIPAL   "profile.amazonaws.com"
#define CPW_INV_CONNECT_PRINCIPAL   "connect.amazonaws.com"
#define CPW_INV_PROFILE_ROLE_PATH   "/aws-service-role/profile.amazonaws.com/"
#define CPW_INV_CONNECT_ROLE_PATH   "/aws-service-role/connect.amazonaws.com/"
#define CPW_INV_LEGACY_PROFILE_ROLE "AWSServiceRoleForProfile"

/**
 * 2023-06-08T00:00:00Z: from then on Customer Profiles gives each new domain its own
 * AWSServiceRoleForProfile_* role; a domain created earlier (or at an unknown time) may rely on
 * the legacy AWSServiceRoleForProfile (docs/aws-facts.md §1).
 */
#define CPW_INV_PER_DOMAIN_ROLES_SINCE_S INT64_C(1686182400)

/** A domain updated this recently before the scan shows a sign of life (unattached-domain). */
#define CPW_INV_RECENT_UPDATE_S (30 * 86400)

/* ----- enums ---------------------------------------------------------------------------------- */

/* The enums below are X-macro lists X(ENUMERATOR, "name"), numbered from 0 in list order; the
 * names are the JSON and command-line spelling (cpw_inv_*_name, cpw_inventory_parse_*), and each
 * list's length is its CPW_INV_*_COUNT. */
#define CPW_INV_ENUM_(e, name)  e,
#define CPW_INV_COUNT_(e, name) +1

/** Which service a service-linked role belongs to (from its path): other; profile:
 * /aws-service-role/profile.amazonaws.com/; connect: /aws-service-role/connect.amazonaws.com/. */
#define CPW_INV_ROLE_SERVICE_LIST(X)                                                               \
    X(CPW_INV_ROLE_OTHER, "other")                                                                 \
    X(CPW_INV_ROLE_PROFILE, "profile")                                                             \
    X(CPW_INV_ROLE_CONNECT, "connect")

enum cpw_inv_role_service { CPW_INV_ROLE_SERVICE_LIST(CPW_INV_ENUM_) };
enum { CPW_INV_ROLE_SERVICE_COUNT = 0 CPW_INV_ROLE_SERVICE_LIST(CPW_INV_COUNT_) };

/** How sure a link or a finding is; NONE only for "no link". Ordered: higher is surer. */
#define CPW_INV_CONFIDENCE_LIST(X)                                                                 \
    X(CPW_INV_CONFIDENCE_NONE, NULL)                                                               \
    X(CPW_INV_CONFIDENCE_POSSIBLE, "possible")                                                     \
    X(CPW_INV_CONFIDENCE_LIKELY, "likely")                                                         \
    X(CPW_INV_CONFIDENCE_CERTAIN, "certain")

enum cpw_inv_confidence { CPW_INV_CONFIDENCE_LIST(CPW_INV_ENUM_) };
enum { CPW_INV_CONFIDENCE_COUNT = 0 CPW_INV_CONFIDENCE_LIST(CPW_INV_COUNT_) };

/** How much a finding matters. Ordered: higher is worse. */
#define CPW_INV_SEVERITY_LIST(X)                                                                   \
    X(CPW_INV_SEVERITY_INFO, "info")                                                               \
    X(CPW_INV_SEVERITY_WARNING, "warning")                                                         \
    X(CPW_INV_SEVERITY_ERROR, "error")

enum cpw_inv_severity { CPW_INV_SEVERITY_LIST(CPW_INV_ENUM_) };
enum { CPW_INV_SEVERITY_COUNT = 0 CPW_INV_SEVERITY_LIST(CPW_INV_COUNT_) };

/**
 * Finding kinds, one X(ENUMERATOR, "json-name") per kind, in the order findings are sorted; their
 * names (cpw_inv_finding_kind_name) are the JSON spelling. docs/inventory-schema.md ("Findings")
 * says when each is raised and with which confidence.
 */
#define CPW_INV_FINDING_KIND_LIST(X)                                                               \
    X(CPW_INV_FINDING_ORPHANED_CONNECT_ROLE, "orphaned-connect-role")                              \
    X(CPW_INV_FINDING_ORPHANED_PROFILE_ROLE, "orphaned-profile-role")                              \
    X(CPW_INV_FINDING_LEGACY_PROFILE_ROLE, "legacy-profile-role")                                  \
    X(CPW_INV_FINDING_DOMAIN_WITHOUT_INSTANCE, "domain-without-instance")                          \
    X(CPW_INV_FINDING_DANGLING_INTEGRATION, "dangling-integration")                                \
    X(CPW_INV_FINDING_INSTANCE_NOT_ACTIVE, "instance-not-active")                                  \
    X(CPW_INV_FINDING_ROLE_DELETION_PENDING, "role-deletion-pending")                              \
    X(CPW_INV_FINDING_UNATTACHED_DOMAIN, "unattached-domain")                                      \
    X(CPW_INV_FINDING_SURPLUS_PROFILE_ROLES, "surplus-profile-roles")                              \
    X(CPW_INV_FINDING_PROFILE_ROLES_IN_USE, "profile-roles-in-use")

enum cpw_inv_finding_kind {
#define CPW_INV_FINDING_ENUM_(e, name) e,
    CPW_INV_FINDING_KIND_LIST(CPW_INV_FINDING_ENUM_)
#undef CPW_INV_FINDING_ENUM_
      CPW_INV_FINDING_KIND_COUNT_
};

/** Output formats of cpw_inventory_write() and cpw_inventory_diff_write(). */
#define CPW_INV_FORMAT_LIST(X)                                                                     \
    X(CPW_INV_FORMAT_TABLE, "table")                                                               \
    X(CPW_INV_FORMAT_JSON, "json")                                                                 \
    X(CPW_INV_FORMAT_CSV, "csv")                                                                   \
    X(CPW_INV_FORMAT_MARKDOWN, "markdown")

enum cpw_inv_format { CPW_INV_FORMAT_LIST(CPW_INV_ENUM_) };
enum { CPW_INV_FORMAT_COUNT = 0 CPW_INV_FORMAT_LIST(CPW_INV_COUNT_) };

/* ----- elements ---------------------------------------------------------------------------------
 */

struct cpw_inv_tag {
    char *key;
    char *value;
};

/** A Connect instance (ListInstances / DescribeInstance). */
struct cpw_inv_instance {
    char *account;
    char *region;
    char *id;
    char *arn;
    char *alias;
    char *status;           /* InstanceStatus: ACTIVE, CREATION_IN_PROGRESS, CREATION_FAILED */
    char *service_role_arn; /* ServiceRole */
    int64_t created_at_s;
    char *domain_arn; /* derived: the domain with an integration whose Uri is this ARN */
};

/** A Customer Profiles integration of a domain (ListIntegrations item). */
struct cpw_inv_integration {
    char *uri;
    char *object_type_name;
    int64_t created_at_s;
};

/** A Customer Profiles domain (ListDomains + GetDomain + ListIntegrations). */
struct cpw_inv_domain {
    char *account;
    char *region;
    char *name;
    char *arn; /* arn:aws:profile:REGION:ACCOUNT:domains/NAME (GetDomain returns none) */
    int64_t created_at_s;
    int64_t updated_at_s;           /* LastUpdatedAt; 0 unknown */
    int64_t profile_count;          /* Stats.ProfileCount; -1 unknown */
    int64_t object_count;           /* Stats.ObjectCount; -1 unknown */
    int64_t metering_profile_count; /* Stats.MeteringProfileCount; -1 unknown */
    char *default_encryption_key;
    char *dead_letter_queue_url;
    bool matching_enabled;
    struct cpw_inv_tag *tags;
    size_t tag_count;
    struct cpw_inv_integration *integrations;
    size_t integration_count;
    /* derived */
    char **instance_arns; /* listed instances whose integration points here, sorted */
    size_t instance_arn_count;
    char *role_arn; /* the Customer Profiles role linked to this domain */
    enum cpw_inv_confidence role_confidence;
};

/** An IAM service-linked role (ListRoles by path prefix + GetRole). */
struct cpw_inv_role {
    char *account;
    char *name;
    char *arn;
    char *path;
    enum cpw_inv_role_service service; /* derived from path by add_role */
    int64_t created_at_s;
    int64_t last_used_at_s; /* RoleLastUsed.LastUsedDate; 0 never / unknown */
    char *last_used_region; /* RoleLastUsed.Region */
    struct cpw_inv_tag *tags;
    size_t tag_count;
    char *deletion_task_id; /* a DeleteServiceLinkedRole task, if one is known */
    char *deletion_status;  /* NOT_STARTED, IN_PROGRESS, SUCCEEDED, FAILED */
    char *deletion_reason;  /* Reason.Reason of a FAILED task */
    char *linked_arn;       /* derived: the instance or domain this role serves */
};

/** One CloudTrail LookupEvents record, reduced to the facts the rules use. */
struct cpw_inv_event {
    char *account;
    char *region;     /* where the event was recorded (us-east-1 for IAM) */
    char *event_name; /* CreateDomain, CreateServiceLinkedRole, ... */
    int64_t event_time_s;
    char **resource_names; /* Resources[].ResourceName */
    size_t resource_name_count;
    char *invoked_by;                       /* userIdentity.invokedBy */
    struct cpw_inv_tag *request_parameters; /* a subset, e.g. aWSServiceName, domainName */
    size_t request_parameter_count;
};

/** Something the scan could not read. */
struct cpw_inv_error {
    char *account;
    char *region;    /* NULL for IAM (global) */
    char *service;   /* signing name: connect, profile, iam, cloudtrail; NULL: all services */
    char *operation; /* ListInstances, ListDomains, ... */
    char *code;      /* AccessDeniedException, RegionNotEnabled, ThrottlingException, ... */
    char *message;
};

/** Whether a region is open to an account (AWS Account Management ListRegions). */
/* enabled: ENABLED or ENABLED_BY_DEFAULT, it was (or can be) scanned; not-enabled: an opt-in
 * region the account has not enabled, holds nothing; unknown: could not be determined, treat as
 * a scan error. */
#define CPW_INV_REGION_STATE_LIST(X)                                                               \
    X(CPW_INV_REGION_ENABLED, "enabled")                                                           \
    X(CPW_INV_REGION_NOT_ENABLED, "not-enabled")                                                   \
    X(CPW_INV_REGION_UNKNOWN, "unknown")

enum cpw_inv_region_state { CPW_INV_REGION_STATE_LIST(CPW_INV_ENUM_) };
enum { CPW_INV_REGION_STATE_COUNT = 0 CPW_INV_REGION_STATE_LIST(CPW_INV_COUNT_) };

/**
 * What the scan knows about one region of one account. A scanned region without a status is
 * taken as enabled (scanned). A NOT_ENABLED region is complete and empty for the scope rules;
 * an UNKNOWN one is as unread as a region with a scan error.
 */
struct cpw_inv_region_status {
    char *account;
    char *region;
    enum cpw_inv_region_state state;
    char *evidence; /* how it is known: "ListRegions: DISABLED", "GetRegionOptStatus failed: ..." */
};

/** A finding about one resource, with the facts behind it. */
struct cpw_inv_finding {
    enum cpw_inv_finding_kind kind;
    enum cpw_inv_severity severity;
    enum cpw_inv_confidence confidence;
    char *resource_arn;
    char *account;
    char *region;
    char **evidence; /* human-readable statements, strongest first */
    size_t evidence_count;
    char *action; /* the suggested next step */
};

struct cpw_inventory;

/* ----- lifecycle and filling --------------------------------------------------------------------
 */

/** An empty inventory. Owned by the caller (cpw_inventory_destroy). Never NULL. */
struct cpw_inventory *cpw_inventory_new(void);

/** Frees the inventory and everything in it. NULL is a no-op. */
void cpw_inventory_destroy(struct cpw_inventory *inv);

/** Sets when the scan ran (epoch seconds). */
void cpw_inventory_set_scanned_at(struct cpw_inventory *inv, int64_t epoch_s);

/** When the scan ran (epoch seconds; 0 unknown). */
int64_t cpw_inventory_scanned_at(const struct cpw_inventory *inv);

/** Adds a scanned account id / region name (duplicates are ignored). Copies the string. */
void cpw_inventory_add_account(struct cpw_inventory *inv, const char *account);
void cpw_inventory_add_region(struct cpw_inventory *inv, const char *region);

/**
 * Adds a copy of src (its strings and arrays are borrowed and deep-copied; derived fields are
 * ignored and start empty). Returns the stored element, borrowed. add_role sets `service` from
 * the path. account is required for every element; NULL for it raises CPW_ERR_INVALID_ARGUMENT and
 * returns NULL.
 */
struct cpw_inv_instance *cpw_inventory_add_instance(struct cpw_inventory *inv,
                                                    const struct cpw_inv_instance *src);
struct cpw_inv_domain *cpw_inventory_add_domain(struct cpw_inventory *inv,
                                                const struct cpw_inv_domain *src);
struct cpw_inv_role *cpw_inventory_add_role(struct cpw_inventory *inv,
                                            const struct cpw_inv_role *src);
struct cpw_inv_event *cpw_inventory_add_event(struct cpw_inventory *inv,
                                              const struct cpw_inv_event *src);
struct cpw_inv_error *cpw_inventory_add_error(struct cpw_inventory *inv,
                                              const struct cpw_inv_error *src);
/** Records (or replaces) the status of src->region for src->account. */
struct cpw_inv_region_status *cpw_inventory_add_region_status(
  struct cpw_inventory *inv,
  const struct cpw_inv_region_status *src);

/**
 * Builds the Customer Profiles domain ARN (arn:aws:profile:REGION:ACCOUNT:domains/NAME) into out.
 * Returns 0 or -1 (buffer limit).
 */
int cpw_inventory_domain_arn(struct cpw_buf *out,
                             const char *account,
                             const char *region,
                             const char *name);

/* ----- reading
 * ------------------------------------------------------------------------------------ */

/** Counts and borrowed elements (index < count). */
size_t cpw_inventory_account_count(const struct cpw_inventory *inv);
const char *cpw_inventory_account(const struct cpw_inventory *inv, size_t i);
size_t cpw_inventory_region_count(const struct cpw_inventory *inv);
const char *cpw_inventory_region(const struct cpw_inventory *inv, size_t i);
size_t cpw_inventory_instance_count(const struct cpw_inventory *inv);
const struct cpw_inv_instance *cpw_inventory_instance(const struct cpw_inventory *inv, size_t i);
size_t cpw_inventory_domain_count(const struct cpw_inventory *inv);
const struct cpw_inv_domain *cpw_inventory_domain(const struct cpw_inventory *inv, size_t i);
size_t cpw_inventory_role_count(const struct cpw_inventory *inv);
const struct cpw_inv_role *cpw_inventory_role(const struct cpw_inventory *inv, size_t i);
size_t cpw_inventory_event_count(const struct cpw_inventory *inv);
const struct cpw_inv_event *cpw_inventory_event(const struct cpw_inventory *inv, size_t i);
size_t cpw_inventory_error_count(const struct cpw_inventory *inv);
const struct cpw_inv_error *cpw_inventory_error(const struct cpw_inventory *inv, size_t i);
size_t cpw_inventory_region_status_count(const struct cpw_inventory *inv);
const struct cpw_inv_region_status *cpw_inventory_region_status(const struct cpw_inventory *inv,
                                                                size_t i);
/** The status recorded for account/region, or NULL (none recorded). Borrowed. */
const struct cpw_inv_region_status *cpw_inventory_find_region_status(
  const struct cpw_inventory *inv,
  const char *account,
  const char *region);
size_t cpw_inventory_finding_count(const struct cpw_inventory *inv);
const struct cpw_inv_finding *cpw_inventory_finding(const struct cpw_inventory *inv, size_t i);

/** Lookups by ARN (exact match); borrowed or NULL. */
const struct cpw_inv_instance *cpw_inventory_find_instance(const struct cpw_inventory *inv,
                                                           const char *arn);
const struct cpw_inv_domain *cpw_inventory_find_domain(const struct cpw_inventory *inv,
                                                       const char *arn);
const struct cpw_inv_role *cpw_inventory_find_role(const struct cpw_inventory *inv,
                                                   const char *arn);

/** The first finding of kind about resource_arn, or NULL. Borrowed. */
const struct cpw_inv_finding *cpw_inventory_find_finding(const struct cpw_inventory *inv,
                                                         enum cpw_inv_finding_kind kind,
                                                         const char *resource_arn);

/** Length of a finding id: 16 lowercase hex digits. */
#define CPW_INV_FINDING_ID_LEN 16

/**
 * A finding's stable id: the first 16 hex digits of SHA-256 over its kind, account, region and
 * resource ARN, so the same leftover keeps its id from one scan to the next (`plan --finding`,
 * the console). Returns 0, or -1 when hashing fails.
 */
int cpw_inventory_finding_id(const struct cpw_inv_finding *finding,
                             char out[CPW_INV_FINDING_ID_LEN + 1]);

/* ----- names ------------------------------------------------------------------------------------
 */

/** JSON spellings: "orphaned-connect-role", "certain", "warning", "profile", "json". Static. */
const char *cpw_inv_finding_kind_name(enum cpw_inv_finding_kind kind);
const char *cpw_inv_confidence_name(enum cpw_inv_confidence confidence); /* NONE gives NULL */
const char *cpw_inv_severity_name(enum cpw_inv_severity severity);
const char *cpw_inv_role_service_name(enum cpw_inv_role_service service);
const char *cpw_inv_format_name(enum cpw_inv_format format);
const char *cpw_inv_region_state_name(enum cpw_inv_region_state state); /* "enabled", ... */

/** Parses a --output value ("table", "json", "csv", "markdown"). -1 with INVALID_ARGUMENT. */
int cpw_inv_format_parse(const char *name, enum cpw_inv_format *out);

/* ----- analysis ------------------------------------------------------------------------------- */

/**
 * Links the graph and computes the findings (replacing earlier derived fields and findings), then
 * sorts every list. The rules, their evidence and confidence are described in
 * docs/inventory-schema.md ("Findings"). The central rule: a resource in an account/region/service
 * that the scan could not read (a scan error) never yields a certain orphan; the finding's
 * confidence drops or it is not raised, and the evidence says which error caused that.
 * Returns 0 (it cannot fail today; -1 is reserved).
 */
int cpw_inventory_analyze(struct cpw_inventory *inv);

/* ----- output --------------------------------------------------------------------------------- */

struct cpw_inventory_write_options {
    bool color; /* ANSI colours in the table format (the caller decides: isatty, NO_COLOR) */
};

/**
 * Appends the inventory in format to out. opts may be NULL (no colour). Returns 0, or -1 with
 * the error of the buffer (CPW_ERR_LIMIT) or CPW_ERR_INTERNAL.
 */
int cpw_inventory_write(const struct cpw_inventory *inv,
                        enum cpw_inv_format format,
                        const struct cpw_inventory_write_options *opts,
                        struct cpw_buf *out);

/** Same, written to a stream. Returns 0, or -1 with CPW_ERR_IO. */
int cpw_inventory_write_file(const struct cpw_inventory *inv,
                             enum cpw_inv_format format,
                             const struct cpw_inventory_write_options *opts,
                             FILE *stream);

/**
 * Appends s as one RFC 4180 CSV field: enclosed in quotes (inner quotes doubled) when it holds a
 * comma, quote, CR or LF; NULL gives an empty field. Shared by every CSV output. Returns 0 or -1.
 */
int cpw_inventory_csv_field(struct cpw_buf *out, const char *s);

/**
 * Reads a JSON document written by cpw_inventory_write(JSON) back into a new inventory (the
 * fields the document carries, derived links and findings included; CloudTrail events are not
 * part of the document). Returns the inventory (owned by the caller) or NULL with
 * CPW_ERR_UNSUPPORTED for another schema version and CPW_ERR_PARSE (with the JSON path of the
 * offending value) for anything malformed. At most 64 MiB are accepted.
 */
struct cpw_inventory *cpw_inventory_load_json(struct cpw_span json);

/* ----- snapshots in the state store -------------------------------------------------------- */

struct cpw_store;

/**
 * Saves inv's JSON document as a snapshot with who scanned it and what was scanned (identity and
 * scope may be NULL). *id_out (may be NULL) receives its id. Returns 0 or -1 (CPW_ERR_STORE).
 */
int cpw_inventory_snapshot_save(struct cpw_store *store,
                                const struct cpw_inventory *inv,
                                const char *identity,
                                const char *scope,
                                int64_t *id_out);

/**
 * Loads snapshot id (0: the latest) as an inventory (owned by the caller). NULL with
 * CPW_ERR_NOT_FOUND when there is none, CPW_ERR_STORE, or the loader's errors for a document
 * this build cannot read (CPW_ERR_UNSUPPORTED for another schema).
 */
struct cpw_inventory *cpw_inventory_snapshot_load(struct cpw_store *store, int64_t id);

#endif
