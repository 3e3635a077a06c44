/*
 * customer_profiles_config.h - the Customer Profiles domain configuration the sandbox keeps beside
 * profiles and object types (internal to src/sandbox/): domain layouts, domain object types,
 * event triggers, segment definitions with their estimates and snapshots, integration workflows
 * and upload jobs. Each kind is a cp_items row inside its domain, so DeleteDomain removes all of
 * it with the domain (the rows cascade).
 *
 * Documents are stored with model member names; members whose name starts with '_' are the
 * sandbox's own bookkeeping (times of asynchronous jobs) and never leave the handlers.
 */
#ifndef CPW_SANDBOX_CUSTOMER_PROFILES_CONFIG_H
#define CPW_SANDBOX_CUSTOMER_PROFILES_CONFIG_H

#include "sbx_contact.h"

/* Kinds of cp_items rows. */
#define CPW_CP_LAYOUT             "layout"
#define CPW_CP_DOMAIN_OBJECT_TYPE "domain-object-type"
#define CPW_CP_EVENT_TRIGGER      "event-trigger"
#define CPW_CP_SEGMENT            "segment-definition"
#define CPW_CP_SEGMENT_ESTIMATE   "segment-estimate"
#define CPW_CP_SEGMENT_SNAPSHOT   "segment-snapshot"
#define CPW_CP_WORKFLOW           "workflow"
#define CPW_CP_UPLOAD_JOB         "upload-job"

/* ----- helpers (customer_profiles_config.c) ------------------------------------------------- */

/**
 * arn:aws:profile:REGION:ACCOUNT:domains/DOMAIN/PATH/NAME into out, and the same ARN as the
 * CloudTrail resource of the request with resource type type ("AWS::CustomerProfiles::...").
 * NULL domain or name count as "".
 */
void cpw_cp_cfg_resource(struct cpw_sbx_ctx *ctx,
                         const char *domain,
                         const char *path,
                         const char *name,
                         const char *type,
                         char *out,
                         size_t cap);

/**
 * The item of kind named name in the caller's domain: 0 with *doc (owned, CreatedAt and
 * LastUpdatedAt set), 1 answered (ResourceNotFoundException for the domain or, naming what,
 * the item), -1.
 */
int cpw_cp_cfg_need(struct cpw_sbx_ctx *ctx,
                    const char *domain,
                    const char *kind,
                    const char *name,
                    const char *what,
                    json_t **doc);

/** A new object (owned) with the members keys[0..n) of src that are present, copied. */
json_t *cpw_cp_cfg_pick(const json_t *src, const char *const *keys, size_t n);

/** Copies the members keys[0..n) present in input over doc (replacing). */
void cpw_cp_cfg_merge(json_t *doc, const json_t *input, const char *const *keys, size_t n);

/** Removes the sandbox's '_' bookkeeping members from doc. */
void cpw_cp_cfg_strip(json_t *doc);

/** 32 random lowercase hex digits (the model's uuid pattern) into out. Returns 0 or -1. */
int cpw_cp_cfg_hex_id(char out[33]);

/** How long the domain's asynchronous jobs run (the profile_job_ms knob), in ms. */
int64_t cpw_cp_cfg_job_ms(const struct cpw_sbx_ctx *ctx);

/**
 * Turns a stored document (borrowed, with CreatedAt/LastUpdatedAt) into a list item (owned), or
 * NULL to leave it out of the answer (a filter).
 */
typedef json_t *(*cpw_cp_cfg_item_fn)(struct cpw_sbx_ctx *ctx,
                                      const json_t *input,
                                      const json_t *doc);

/**
 * A List* answer {"Items": [...], "NextToken"} over the items of kind in the caller's domain, in
 * name order (or newest first), filtered and shaped by item_fn (NULL: as stored, bookkeeping
 * stripped), paged by NextToken (decimal offset among the kept items) and MaxResults
 * (1..max_results, default max_results). Returns 0, 1 answered, -1.
 */
int cpw_cp_cfg_list(struct cpw_sbx_ctx *ctx,
                    const json_t *input,
                    const char *kind,
                    int64_t max_results,
                    bool newest_first,
                    cpw_cp_cfg_item_fn item_fn,
                    json_t **output);

/* ----- operation handlers ------------------------------------------------------------------- */

/* customer_profiles_layouts.c */
CPW_CP_OP(cpw_cp_create_domain_layout);
CPW_CP_OP(cpw_cp_get_domain_layout);
CPW_CP_OP(cpw_cp_update_domain_layout);
CPW_CP_OP(cpw_cp_delete_domain_layout);
CPW_CP_OP(cpw_cp_list_domain_layouts);
/* customer_profiles_object_types_domain.c */
CPW_CP_OP(cpw_cp_put_domain_object_type);
CPW_CP_OP(cpw_cp_get_domain_object_type);
CPW_CP_OP(cpw_cp_list_domain_object_types);
CPW_CP_OP(cpw_cp_delete_domain_object_type);
/* customer_profiles_triggers.c */
CPW_CP_OP(cpw_cp_create_event_trigger);
CPW_CP_OP(cpw_cp_get_event_trigger);
CPW_CP_OP(cpw_cp_update_event_trigger);
CPW_CP_OP(cpw_cp_delete_event_trigger);
CPW_CP_OP(cpw_cp_list_event_triggers);
/* customer_profiles_segments.c */
CPW_CP_OP(cpw_cp_create_segment_definition);
CPW_CP_OP(cpw_cp_get_segment_definition);
CPW_CP_OP(cpw_cp_list_segment_definitions);
CPW_CP_OP(cpw_cp_delete_segment_definition);
CPW_CP_OP(cpw_cp_create_segment_estimate);
CPW_CP_OP(cpw_cp_get_segment_estimate);
CPW_CP_OP(cpw_cp_get_segment_membership);
CPW_CP_OP(cpw_cp_create_segment_snapshot);
CPW_CP_OP(cpw_cp_get_segment_snapshot);
/* customer_profiles_workflows.c (and cpw_cp_list_workflows) */
CPW_CP_OP(cpw_cp_create_integration_workflow);
CPW_CP_OP(cpw_cp_get_workflow);
CPW_CP_OP(cpw_cp_get_workflow_steps);
CPW_CP_OP(cpw_cp_delete_workflow);
/* customer_profiles_uploads.c */
CPW_CP_OP(cpw_cp_create_upload_job);
CPW_CP_OP(cpw_cp_get_upload_job);
CPW_CP_OP(cpw_cp_get_upload_job_path);
CPW_CP_OP(cpw_cp_list_upload_jobs);
CPW_CP_OP(cpw_cp_start_upload_job);
CPW_CP_OP(cpw_cp_stop_upload_job);

#endif
