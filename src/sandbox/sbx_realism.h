/*
 * sbx_realism.h - the sandbox's realism settings ("knobs") and built-in scenarios, for the HTTP
 * front and the CLI.
 *
 * The knobs say how much of AWS's behaviour around the edges the sandbox reproduces: per-operation
 * rate limits (AWS's published quotas, on by default), added latency, injected faults, the delays
 * of asynchronous transitions, and how Customer Profiles and Connect leave things behind when
 * their resources are deleted. Every random draw comes from one generator seeded by knobs.seed, so
 * a run is reproducible. The front calls cpw_sbx_admit() for each verified request before
 * cpw_sbx_dispatch().
 */
#ifndef CPW_SANDBOX_SBX_REALISM_H
#define CPW_SANDBOX_SBX_REALISM_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "sbx.h"

#define CPW_SBX_DEFAULT_INSTANCE_ACTIVATION_MS 5000 /* CreateInstance: CREATION_IN_PROGRESS */
#define CPW_SBX_DEFAULT_ROLE_CLEANUP_MS        3000 /* DeleteDomain: until the role is gone */
#define CPW_SBX_DEFAULT_PROFILE_JOB_MS         2000 /* segment estimates, snapshots, uploads */

/* What DeleteDomain does (to rehearse "domain deletion not completing"). */
enum cpw_sbx_domain_delete_failure {
    CPW_SBX_DELETE_DOMAIN_OK = 0,   /* deletes (default) */
    CPW_SBX_DELETE_DOMAIN_INTERNAL, /* 500 InternalServerException, nothing deleted */
    CPW_SBX_DELETE_DOMAIN_DENIED,   /* 403 AccessDeniedException, nothing deleted */
    CPW_SBX_DELETE_DOMAIN_IN_USE,   /* 400 BadRequestException while a live instance uses it */
};

/* What a regional call answers in an opt-in region the account has not enabled. */
enum cpw_sbx_opt_in_error {
    CPW_SBX_OPT_IN_ERROR_UNRECOGNIZED_CLIENT = 0, /* 403 UnrecognizedClientException (default) */
    CPW_SBX_OPT_IN_ERROR_INVALID_TOKEN,           /* 403 InvalidClientTokenId */
    CPW_SBX_OPT_IN_ERROR_NONE,                    /* no check: every region answers */
};

#define CPW_SBX_DEFAULT_REGION_ENABLE_MS  4000 /* EnableRegion: ENABLING */
#define CPW_SBX_DEFAULT_REGION_DISABLE_MS 4000 /* DisableRegion: DISABLING */
#define CPW_SBX_DEFAULT_IDENTITY_JOB_MS   5000 /* identity resolution job: FIND_MATCHING */
#define CPW_SBX_DEFAULT_RECOMMENDER_MS    5000 /* each recommender status step */

/* Which error an injected fault answers. */
enum cpw_sbx_fault_kind {
    CPW_SBX_FAULT_MIXED = 0,   /* one of the three below, drawn */
    CPW_SBX_FAULT_INTERNAL,    /* the service's 500 */
    CPW_SBX_FAULT_UNAVAILABLE, /* 503 ServiceUnavailable */
    CPW_SBX_FAULT_THROTTLE,    /* the service's throttling error */
    CPW_SBX_FAULT_DENIED,      /* 403 AccessDenied(Exception): the caller's policy refuses it */
};

struct cpw_sbx_knobs {
    uint64_t seed;             /* generator seed for faults and jitter */
    bool rate_limits;          /* AWS's published request rates; default true */
    double rate_scale;         /* multiplies every rate and burst; <= 0: 1.0 */
    int64_t latency_ms;        /* added to every admitted request */
    int64_t latency_jitter_ms; /* plus a uniform draw in [0, jitter] */
    double fault_probability;  /* 0..1: chance that an admitted request gets a fault */
    enum cpw_sbx_fault_kind fault_kind;
    char fault_service[32];   /* signing name the faults apply to; "" all */
    char fault_operation[64]; /* operation the faults apply to; "" all */
    /* Asynchronous transitions (< 0: default; 0 allowed). */
    int64_t instance_activation_ms;   /* CreateInstance until ACTIVE */
    int64_t domain_role_cleanup_ms;   /* DeleteDomain until its service-linked role is deleted */
    int64_t instance_role_cleanup_ms; /* DeleteInstance until its role is deleted (if it is) */
    int64_t slr_deletion_delay_ms;    /* IAM DeleteServiceLinkedRole task; < 0: unchanged */
    int64_t create_account_delay_ms;  /* Organizations CreateAccount; < 0: unchanged */
    int64_t profile_job_ms;  /* Customer Profiles estimates, snapshots, uploads, workflows */
    int64_t identity_job_ms; /* an identity resolution job until COMPLETED */
    int64_t recommender_ms;  /* each step of a recommender's status (PENDING, ...) */
    /* Leftovers. */
    bool domain_role_persists;         /* DeleteDomain leaves its role behind (runbook case) */
    bool instance_delete_removes_role; /* DeleteInstance deletes its role; default false */
    bool instance_delete_removes_integrations; /* ... and integrations with its ARN as Uri */
    enum cpw_sbx_domain_delete_failure delete_domain_failure;
    char delete_domain_failure_message[256]; /* "" : a default message */
    /* Regions. */
    int64_t region_enable_ms;  /* EnableRegion until ENABLED (< 0: default) */
    int64_t region_disable_ms; /* DisableRegion until DISABLED (< 0: default) */
    enum cpw_sbx_opt_in_error opt_in_error;
    bool service_regions; /* refuse a service in a region its endpoints do not list */
    /* Authorization (sbx_authz.h): every signed request is evaluated against the caller's
     * policies, SCPs, boundary and session policies; default true, "authz": false (the
     * sandbox's --no-authz) allows every signed request as before. */
    bool authz;
};

/** Fills knobs with the defaults: rate limits on, everything else off, default delays. */
void cpw_sbx_knobs_init(struct cpw_sbx_knobs *knobs);

/**
 * Reads knobs from a JSON object (keys as the struct members: "seed", "rate_limits",
 * "latency_ms", "fault_probability", "fault_kind" ("mixed"|"internal"|"unavailable"|"denied"|
 * "throttle"), "delete_domain_failure" ("none"|"internal"|"denied"|"in_use"), ...) on top of
 * what knobs already holds. Returns 0, or -1 with CPW_ERR_CONFIG naming the bad key. Borrows obj.
 */
int cpw_sbx_knobs_from_json(const json_t *obj, struct cpw_sbx_knobs *knobs);

/**
 * Replaces the sandbox's knobs (copied) and resets the rate-limit buckets and the generator.
 * slr_deletion_delay_ms / create_account_delay_ms >= 0 also replace the delays given to
 * cpw_sbx_open(). Thread-safe (waits for the request in flight).
 */
void cpw_sbx_set_knobs(struct cpw_sbx *sbx, const struct cpw_sbx_knobs *knobs);

/** Copies the sandbox's current knobs into out. Thread-safe. */
void cpw_sbx_get_knobs(struct cpw_sbx *sbx, struct cpw_sbx_knobs *out);

enum cpw_sbx_admission {
    CPW_SBX_ADMITTED = 0,  /* dispatch it (after waiting *delay_ms) */
    CPW_SBX_THROTTLED = 1, /* answer *err (the service's throttling error) */
    CPW_SBX_FAULT = 2,     /* answer *err (an injected fault) */
};

/**
 * Decides, before dispatch, whether a request of service (signing name) / operation for
 * account / region at now_ms is admitted. Rate limits are token buckets per account, region and
 * operation (or per account and region where AWS shares one limit across operations). Fills
 * *delay_ms with the latency the front should add (0 without the latency knobs) and, unless
 * admitted, *err with the AWS error to answer. Thread-safe.
 */
enum cpw_sbx_admission cpw_sbx_admit(struct cpw_sbx *sbx,
                                     const char *service,
                                     const char *operation,
                                     const char *account_id,
                                     const char *region,
                                     int64_t now_ms,
                                     struct cpw_sbx_error *err,
                                     int64_t *delay_ms);

/**
 * The published rate of service/operation: requests per second and burst. Returns false when
 * the operation is not rate-limited (then *rate_per_s and *burst are 0). Static data.
 */
bool cpw_sbx_rate_of(const char *service, const char *operation, double *rate_per_s, double *burst);

/**
 * A built-in scenario document for cpw_sbx_load_scenario(): "orphans" (the runbook's
 * situation), "clean" (nothing), or "org:accounts=N,regions=R,leftover=P,seed=S" (generated,
 * deterministic from the seed). Returns 0 with *doc (owned), or -1 with CPW_ERR_CONFIG for an
 * unknown name or a bad parameter.
 */
int cpw_sbx_builtin_scenario(const char *spec, json_t **doc);

#endif
