/*
 * sbx_cp_profiles.h - what the Customer Profiles files for profile keys, merges, history,
 * calculated attributes for a profile, object type analytics, identity resolution and
 * recommenders share (internal to src/sandbox/): their cp_items kinds, the history hook the
 * profile handlers call, small helpers and the operation handlers the service table names.
 *
 * Every row lives in cp_items under its domain, so DeleteDomain (which cascades) removes it.
 */
#ifndef CPW_SANDBOX_SBX_CP_PROFILES_H
#define CPW_SANDBOX_SBX_CP_PROFILES_H

#include "sbx_contact.h"

/* Kinds of cp_items rows (name in parentheses). */
#define CPW_CP_PROFILE_KEY   "profile-key"        /* (KEY/VALUE) {KeyName, Value, ProfileId} */
#define CPW_CP_HISTORY       "history"            /* (32-hex id) a profile history record */
#define CPW_CP_IR_JOB        "identity-job"       /* (32-hex id) an identity resolution job */
#define CPW_CP_RECOMMENDER   "recommender"        /* (name) */
#define CPW_CP_REC_FILTER    "recommender-filter" /* (name) */
#define CPW_CP_REC_SCHEMA    "recommender-schema" /* (name) */
#define CPW_CP_PROFILE_SCOPE "_profile"           /* ObjectTypeName of profile-level history */

/**
 * Records one profile history record (ActionType action) for profile_id in domain:
 * object_type NULL means the profile itself ("_profile"); unique_key may be NULL; content is
 * the record's Content (a JSON text, may be NULL). Records are listed newest first.
 * Returns 0 or -1.
 */
int cpw_cp_history_add(struct cpw_sbx_ctx *ctx,
                       const char *domain,
                       const char *profile_id,
                       const char *action,
                       const char *object_type,
                       const char *unique_key,
                       const json_t *content);

/** The size cap for stored documents: CPW_JSON_MAX_TEXT_BYTES (16 MiB), computed in size_t. */
#define CPW_CP_DOC_MAX ((size_t)16 * 1024 * 1024)

/** 32 lower-case hex digits of SHA-256(text) into out (33 bytes): a deterministic id. */
int cpw_cp_digest_id(const char *text, char out[33]);

/* Identity resolution, shared by customer_profiles_matching.c and _matching_jobs.c. */
/** The domain's match groups of one kind (ML or rule-based; *groups owned) and its profile count
 *  (profile_count may be NULL). Returns 0 or -1. */
int cpw_cp_match_groups(struct cpw_sbx_ctx *ctx,
                        const char *domain,
                        bool rule_based,
                        const json_t *domain_doc,
                        json_t **groups,
                        size_t *profile_count);
/** Whether the domain document's MEMBER (Matching, RuleBasedMatching) is enabled. */
bool cpw_cp_ir_enabled(const json_t *domain_doc, const char *member);
/** The domain's document (owned) after answering 404: 0, 1 answered, -1. */
int cpw_cp_ir_domain_doc(struct cpw_sbx_ctx *ctx, const char *domain, json_t **doc);
/** Starts the identity-resolution jobs that are due, then loads the domain: 0 with *doc (owned),
 *  1 answered, -1. */
int cpw_cp_ir_prepare(struct cpw_sbx_ctx *ctx, const char *domain, json_t **doc);
/** The end of the newest completed job (0 when none). Returns 0 or -1. */
int cpw_cp_ir_last_job_end(struct cpw_sbx_ctx *ctx, const char *domain, int64_t *end_ms);

/** The profile document (owned) or NULL (*doc) after answering 404; 0, 1 answered, -1. */
int cpw_cp_need_profile(struct cpw_sbx_ctx *ctx,
                        const char *domain,
                        const char *profile_id,
                        json_t **doc);

/** A number as the API writes it in a string ("3", "2.5"), into out. */
void cpw_cp_number_text(double value, char *out, size_t cap);

/** The domain's stored document (owned; NULL when absent). Returns 0 or -1. */
int cpw_cp_domain_doc(struct cpw_sbx_ctx *ctx, const char *domain, json_t **doc);

#define CPW_CP_OP2(name) int name(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
/* customer_profiles_keys.c */
CPW_CP_OP2(cpw_cp_add_profile_key);
CPW_CP_OP2(cpw_cp_delete_profile_key);
CPW_CP_OP2(cpw_cp_delete_profile_object);
CPW_CP_OP2(cpw_cp_batch_get_profile);
CPW_CP_OP2(cpw_cp_merge_profiles);
/* customer_profiles_history.c */
CPW_CP_OP2(cpw_cp_get_profile_history_record);
CPW_CP_OP2(cpw_cp_list_profile_history_records);
/* customer_profiles_calculated.c */
CPW_CP_OP2(cpw_cp_get_calc_attr_for_profile);
CPW_CP_OP2(cpw_cp_batch_get_calc_attr_for_profile);
CPW_CP_OP2(cpw_cp_list_calc_attrs_for_profile);
/* customer_profiles_analytics.c */
CPW_CP_OP2(cpw_cp_detect_object_type);
CPW_CP_OP2(cpw_cp_get_attribute_statistics);
CPW_CP_OP2(cpw_cp_list_object_type_attributes);
CPW_CP_OP2(cpw_cp_list_object_type_attribute_values);
/* customer_profiles_matching.c */
CPW_CP_OP2(cpw_cp_get_matches);
CPW_CP_OP2(cpw_cp_list_rule_based_matches);
CPW_CP_OP2(cpw_cp_get_similar_profiles);
CPW_CP_OP2(cpw_cp_get_auto_merging_preview);
/* customer_profiles_matching_jobs.c */
CPW_CP_OP2(cpw_cp_get_identity_resolution_job);
CPW_CP_OP2(cpw_cp_list_identity_resolution_jobs);
/* customer_profiles_recommenders.c */
CPW_CP_OP2(cpw_cp_create_recommender);
CPW_CP_OP2(cpw_cp_get_recommender);
CPW_CP_OP2(cpw_cp_update_recommender);
CPW_CP_OP2(cpw_cp_delete_recommender);
CPW_CP_OP2(cpw_cp_list_recommenders);
CPW_CP_OP2(cpw_cp_start_recommender);
CPW_CP_OP2(cpw_cp_stop_recommender);
CPW_CP_OP2(cpw_cp_create_recommender_filter);
CPW_CP_OP2(cpw_cp_get_recommender_filter);
CPW_CP_OP2(cpw_cp_delete_recommender_filter);
CPW_CP_OP2(cpw_cp_list_recommender_filters);
CPW_CP_OP2(cpw_cp_create_recommender_schema);
CPW_CP_OP2(cpw_cp_get_recommender_schema);
CPW_CP_OP2(cpw_cp_delete_recommender_schema);
CPW_CP_OP2(cpw_cp_list_recommender_schemas);
CPW_CP_OP2(cpw_cp_list_recommender_recipes);
CPW_CP_OP2(cpw_cp_get_profile_recommendations);

#endif
