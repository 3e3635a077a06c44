/*
 * sbx_contact.h - what the Customer Profiles and Amazon Connect files of the sandbox share
 * (internal to src/sandbox/): their state, the helpers every handler uses, the lifecycle of
 * service-linked roles they create and leave behind, and the realism state behind the knobs.
 *
 * Customer Profiles state is per account and region: a domain row, and every object inside a
 * domain (integration, object type, profile, profile object, event stream, calculated attribute)
 * as a row of cp_items keyed by (account, region, domain, kind, name) holding its document.
 */
#ifndef CPW_SANDBOX_SBX_CONTACT_H
#define CPW_SANDBOX_SBX_CONTACT_H

#include "sbx_realism.h"
#include "sbx_service.h"

#define CPW_CP_PRINCIPAL      "profile.amazonaws.com"
#define CPW_CONNECT_PRINCIPAL "connect.amazonaws.com"

/* Kinds of cp_items rows. */
#define CPW_CP_INTEGRATION  "integration"
#define CPW_CP_OBJECT_TYPE  "object-type"
#define CPW_CP_PROFILE      "profile"
#define CPW_CP_OBJECT       "object"
#define CPW_CP_EVENT_STREAM "event-stream"
#define CPW_CP_CALC_ATTR    "calculated-attribute"

extern const struct cpw_sbx_service cpw_sbx_profile_service;
extern const struct cpw_sbx_service cpw_sbx_connect_service;

/**
 * Registers Customer Profiles, Connect, their role-usage hooks, and allocates the realism state
 * (default knobs). Called once by cpw_sbx_open(). Returns 0 or -1.
 */
int cpw_sbx_contact_register(struct cpw_sbx *sbx);

/** A new realism state with the default knobs (owned; cpw_sbx_realism_destroy). */
struct cpw_sbx_realism *cpw_sbx_realism_new(void);

/** Frees the realism state of sbx (cpw_sbx_close). NULL-safe. */
void cpw_sbx_realism_destroy(struct cpw_sbx_realism *realism);

/** cpw_sbx_set_knobs() for a caller that already holds the sandbox's lock (scenario loading). */
void cpw_sbx_set_knobs_locked(struct cpw_sbx *sbx, const struct cpw_sbx_knobs *knobs);

/** The knobs in force (copy), for handlers running under the sandbox's lock. */
void cpw_sbx_knobs_current(const struct cpw_sbx *sbx, struct cpw_sbx_knobs *out);

/**
 * Settles the account's due clean-ups of service-linked roles left by DeleteDomain or
 * DeleteInstance (lazily, from timestamps). Dispatch calls it before every operation.
 */
int cpw_sbx_contact_settle(struct cpw_sbx_ctx *ctx, const char *account_id);

/* ----- handlers' helpers (customer_profiles.c) ---------------------------------------------- */

/** The caller's region (the credential scope's), "us-east-1" when unknown. Borrowed. */
const char *cpw_cp_region(const struct cpw_sbx_ctx *ctx);

/** 400 BadRequestException with a message. Returns 1. */
int cpw_cp_bad(struct cpw_sbx_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** 404 ResourceNotFoundException. Returns 1. */
int cpw_cp_not_found(struct cpw_sbx_ctx *ctx, const char *fmt, ...)
  __attribute__((format(printf, 2, 3)));

/** 0 when the caller's domain exists in its region, 1 with ResourceNotFoundException, -1. */
int cpw_cp_need_domain(struct cpw_sbx_ctx *ctx, const char *domain);

/** arn:aws:profile:REGION:ACCOUNT:domains/DOMAIN[/SUFFIX] into out. */
void cpw_cp_arn(const struct cpw_sbx_ctx *ctx,
                const char *domain,
                const char *suffix,
                char *out,
                size_t cap);

/** NextToken (decimal offset) and MaxResults (1..max, default max): 0, 1 answered, -1. */
int cpw_cp_paging(struct cpw_sbx_ctx *ctx,
                  const json_t *input,
                  int64_t max,
                  int64_t *offset,
                  int64_t *limit);

/** Sets NextToken on result when there are more items past offset + limit. */
void cpw_cp_next_token(json_t *result, int64_t offset, int64_t limit, bool more);

/** Converts a document's Tags (a map) check: 1..50 tags, keys not "aws:". 0, 1 answered. */
int cpw_cp_check_tags(struct cpw_sbx_ctx *ctx, const json_t *tags);

/* Items inside a domain. */

/**
 * The item document (owned) with CreatedAt / LastUpdatedAt added, or NULL when absent
 * (*found = false) or on failure (-1 via return of rc). Returns 0 or -1.
 */
int cpw_cp_item_get(struct cpw_sbx_ctx *ctx,
                    const char *domain,
                    const char *kind,
                    const char *name,
                    json_t **doc);

/** Inserts or replaces an item; keeps created_ms of an existing one. Returns 0 or -1. */
int cpw_cp_item_put(struct cpw_sbx_ctx *ctx,
                    const char *domain,
                    const char *kind,
                    const char *name,
                    const json_t *doc);

/** Deletes an item: 1 deleted, 0 absent, -1. */
int cpw_cp_item_delete(struct cpw_sbx_ctx *ctx,
                       const char *domain,
                       const char *kind,
                       const char *name);

/** Number of items of a kind in a domain, or -1. */
int64_t cpw_cp_item_count(struct cpw_sbx_ctx *ctx, const char *domain, const char *kind);

/** Turns a stored item document into a list item (owned). */
typedef json_t *(*cpw_cp_item_fn)(const json_t *doc);

/**
 * A List* answer over the items of a kind in a domain, in name order (or creation order with
 * by_creation), paged by NextToken/MaxResults (1..100): {"Items": [...], "NextToken"}.
 * item_fn NULL: the documents as stored. Returns 0, 1 answered, -1.
 */
int cpw_cp_item_list(struct cpw_sbx_ctx *ctx,
                     const json_t *input,
                     const char *domain,
                     const char *kind,
                     cpw_cp_item_fn item_fn,
                     json_t **output);

/* ----- operation handlers of the Customer Profiles files ------------------------------------ */

#define CPW_CP_OP(name) int name(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
CPW_CP_OP(cpw_cp_put_integration);
CPW_CP_OP(cpw_cp_get_integration);
CPW_CP_OP(cpw_cp_list_integrations);
CPW_CP_OP(cpw_cp_delete_integration);
CPW_CP_OP(cpw_cp_list_account_integrations);
CPW_CP_OP(cpw_cp_list_workflows);
CPW_CP_OP(cpw_cp_put_object_type);
CPW_CP_OP(cpw_cp_get_object_type);
CPW_CP_OP(cpw_cp_list_object_types);
CPW_CP_OP(cpw_cp_delete_object_type);
CPW_CP_OP(cpw_cp_list_templates);
CPW_CP_OP(cpw_cp_get_template);
CPW_CP_OP(cpw_cp_create_profile);
CPW_CP_OP(cpw_cp_update_profile);
CPW_CP_OP(cpw_cp_search_profiles);
CPW_CP_OP(cpw_cp_list_profile_attribute_values);
CPW_CP_OP(cpw_cp_delete_profile);
CPW_CP_OP(cpw_cp_put_profile_object);
CPW_CP_OP(cpw_cp_list_profile_objects);
CPW_CP_OP(cpw_cp_create_event_stream);
CPW_CP_OP(cpw_cp_get_event_stream);
CPW_CP_OP(cpw_cp_list_event_streams);
CPW_CP_OP(cpw_cp_delete_event_stream);
CPW_CP_OP(cpw_cp_create_calc_attr);
CPW_CP_OP(cpw_cp_get_calc_attr);
CPW_CP_OP(cpw_cp_list_calc_attrs);
CPW_CP_OP(cpw_cp_update_calc_attr);
CPW_CP_OP(cpw_cp_delete_calc_attr);
CPW_CP_OP(cpw_cp_tag_resource);
CPW_CP_OP(cpw_cp_untag_resource);
CPW_CP_OP(cpw_cp_list_tags);

/* ----- lifecycle (contact_lifecycle.c) -------------------------------------------------------- */

/**
 * Creates a service-linked role on behalf of a service as that service does (principal:
 * profile.amazonaws.com or connect.amazonaws.com), recording the CreateServiceLinkedRole event
 * invoked by the service. Returns 0 with the role's name and ARN copied out, 1 answered, -1.
 */
int cpw_sbx_contact_create_role(struct cpw_sbx_ctx *ctx,
                                const char *account_id,
                                const char *principal,
                                const char *custom_suffix,
                                char *role_name,
                                size_t name_cap,
                                char *role_arn,
                                size_t arn_cap);

/** Schedules the deletion of role_name (by principal) at due_ms. Returns 0 or -1. */
int cpw_sbx_contact_schedule_role_cleanup(struct cpw_sbx_ctx *ctx,
                                          const char *account_id,
                                          const char *role_name,
                                          const char *principal,
                                          int64_t due_ms);

/**
 * Deletes the integrations whose Uri is uri in every domain of the account and region.
 * Returns the number deleted, or -1.
 */
int cpw_cp_delete_integrations_by_uri(sqlite3 *db,
                                      const char *account_id,
                                      const char *region,
                                      const char *uri);

/** 1 when a Connect instance with this ARN exists, 0 when not, -1. */
int cpw_connect_instance_exists(sqlite3 *db, const char *arn);

/* ----- scenarios (scenario_contact.c) -------------------------------------------------------- */

/**
 * Loads the Customer Profiles and Connect members of a scenario ("connect_instances",
 * "profile_domains", "knobs") inside the loader's transaction. Returns 0 or -1 (CPW_ERR_CONFIG
 * naming the element's path).
 */
int cpw_sbx_scenario_contact(struct cpw_sbx *sbx,
                             sqlite3 *db,
                             const json_t *scenario,
                             int64_t now_ms);

#endif
