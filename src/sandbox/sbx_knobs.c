/*
 * sbx_knobs.c - the sandbox's realism knobs: AWS's published request rates as token buckets,
 * added latency, injected faults, and the settings the Customer Profiles and Connect handlers
 * read (delays of asynchronous transitions, what deletions leave behind).
 *
 * Rates come from docs/aws-facts.md §6: Customer Profiles per operation (burst not published: the
 * bucket holds one second's worth), Connect 2 rps with burst 5 per account and region, CloudTrail
 * LookupEvents 2 rps, STS 600 rps shared by its operations. IAM and Organizations publish no
 * rates: the sandbox uses 20 rps with burst 40 per account (IAM is global) as a documented
 * default. Buckets are keyed by service, operation (or "*" when AWS shares one limit), account
 * and region. Every random draw comes from one splitmix64 generator seeded by knobs.seed.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/error.h"
#include "sbx_contact.h"

#define BUCKET_MAX 4096

static double s_min(double a, double b)
{
    return a < b ? a : b;
}

struct bucket {
    char key[160];
    double tokens;
    int64_t last_ms;
};

struct cpw_sbx_realism {
    pthread_mutex_t lock;
    struct cpw_sbx_knobs knobs;
    uint64_t rng;
    struct bucket *buckets;
    size_t bucket_count;
};

/* ----- published rates --------------------------------------------------------------------- */

struct rate {
    const char *operation;
    double per_s;
};

/* Customer Profiles API throttling quotas (docs/aws-facts.md §6.1). */
static const struct rate s_profile_rates[] = {
    { "ListDomains", 5 },
    { "GetDomain", 5 },
    { "CreateDomain", 1 },
    { "UpdateDomain", 1 },
    { "DeleteDomain", 1 },
    { "ListProfileObjectTypes", 5 },
    { "GetProfileObjectType", 10 },
    { "PutProfileObjectType", 1 },
    { "DeleteProfileObjectType", 1 },
    { "ListProfileObjectTypeTemplates", 5 },
    { "GetProfileObjectTypeTemplate", 5 },
    { "ListIntegrations", 5 },
    { "GetIntegration", 5 },
    { "PutIntegration", 1 },
    { "DeleteIntegration", 1 },
    { "CreateEventStream", 1 },
    { "ListEventStreams", 5 },
    { "DeleteEventStream", 5 },
    { "GetEventStream", 5 },
    { "CreateCalculatedAttributeDefinition", 1 },
    { "GetCalculatedAttributeDefinition", 5 },
    { "UpdateCalculatedAttributeDefinition", 1 },
    { "DeleteCalculatedAttributeDefinition", 5 },
    { "ListCalculatedAttributeDefinitions", 5 },
    { "ListWorkflows", 5 },
    { "SearchProfiles", 100 },
    { "ListProfileObjects", 100 },
    { "CreateProfile", 100 },
    { "UpdateProfile", 100 },
    { "PutProfileObject", 100 },
    { "DeleteProfile", 100 },
    { "TagResource", 5 },
    { "UntagResource", 5 },
    { "ListTagsForResource", 5 },
    { "ListAccountIntegrations", 100 },
    /* Profile keys, merges, computed values and identity resolution. */
    { "AddProfileKey", 100 },
    { "DeleteProfileKey", 100 },
    { "DeleteProfileObject", 100 },
    { "MergeProfiles", 100 },
    { "GetCalculatedAttributeForProfile", 100 },
    { "ListCalculatedAttributesForProfile", 100 },
    { "GetMatches", 100 },
    { "GetSimilarProfiles", 100 },
    { "ListRuleBasedMatches", 5 },
    { "ListIdentityResolutionJobs", 5 },
    { "GetIdentityResolutionJob", 5 },
    { "GetAutoMergingPreview", 1 },
};

/* Unpublished (docs/aws-facts.md §6.3): a documented sandbox default. */
#define IAM_DEFAULT_RATE  20.0
#define IAM_DEFAULT_BURST 40.0
/* AWS Account Management publishes no rate: a documented sandbox default per account. */
#define ACCOUNT_DEFAULT_RATE  5.0
#define ACCOUNT_DEFAULT_BURST 10.0

bool cpw_sbx_rate_of(const char *service, const char *operation, double *rate_per_s, double *burst)
{
    *rate_per_s = 0;
    *burst = 0;
    if (service == NULL || operation == NULL) {
        return false;
    }
    if (strcmp(service, "profile") == 0) {
        for (size_t i = 0; i < sizeof(s_profile_rates) / sizeof(s_profile_rates[0]); i++) {
            if (strcmp(s_profile_rates[i].operation, operation) == 0) {
                *rate_per_s = s_profile_rates[i].per_s;
                *burst = s_profile_rates[i].per_s;
                return true;
            }
        }
        *rate_per_s = 5; /* unlisted operations: the common 5 TPS */
        *burst = 5;
        return true;
    }
    if (strcmp(service, "connect") == 0) {
        *rate_per_s = 2;
        *burst = 5;
        return true;
    }
    if (strcmp(service, "cloudtrail") == 0) {
        *rate_per_s = strcmp(operation, "LookupEvents") == 0 ? 2 : 5;
        *burst = *rate_per_s;
        return true;
    }
    if (strcmp(service, "sts") == 0) {
        *rate_per_s = 600;
        *burst = 600;
        return true;
    }
    if (strcmp(service, "account") == 0) {
        *rate_per_s = ACCOUNT_DEFAULT_RATE;
        *burst = ACCOUNT_DEFAULT_BURST;
        return true;
    }
    if (strcmp(service, "iam") == 0 || strcmp(service, "organizations") == 0) {
        *rate_per_s = IAM_DEFAULT_RATE;
        *burst = IAM_DEFAULT_BURST;
        return true;
    }
    return false;
}

/* Whether one limit is shared by all operations of the service (account-wide rate). */
static bool s_shared(const char *service)
{
    return strcmp(service, "connect") == 0 || strcmp(service, "sts") == 0 ||
           strcmp(service, "iam") == 0 || strcmp(service, "organizations") == 0 ||
           strcmp(service, "account") == 0;
}

/* ----- errors per service ------------------------------------------------------------------ */

static void s_error(struct cpw_sbx_error *err, long status, const char *code, const char *message)
{
    memset(err, 0, sizeof(*err));
    err->status = status;
    snprintf(err->code, sizeof(err->code), "%s", code);
    snprintf(err->message, sizeof(err->message), "%s", message);
    err->receiver = status >= 500;
}

static void s_throttle_error(const char *service, struct cpw_sbx_error *err)
{
    if (strcmp(service, "iam") == 0 || strcmp(service, "sts") == 0) {
        s_error(err, 400, "Throttling", "Rate exceeded");
    } else if (strcmp(service, "organizations") == 0) {
        s_error(err, 400, "TooManyRequestsException", "Rate exceeded");
    } else if (strcmp(service, "cloudtrail") == 0) {
        s_error(err, 400, "ThrottlingException", "Rate exceeded");
    } else {
        s_error(err, 429, "ThrottlingException", "Rate exceeded");
    }
    err->receiver = false;
}

static void s_internal_error(const char *service, struct cpw_sbx_error *err)
{
    if (strcmp(service, "profile") == 0) {
        s_error(err, 500, "InternalServerException", "An internal error occurred.");
    } else if (strcmp(service, "connect") == 0) {
        s_error(err, 500, "InternalServiceException",
                "Request processing failed because of an"
                " error or failure with the service.");
    } else if (strcmp(service, "iam") == 0) {
        s_error(err, 500, "ServiceFailure",
                "The request processing has failed because of an"
                " unknown error, exception or failure.");
    } else if (strcmp(service, "organizations") == 0) {
        s_error(err, 500, "ServiceException",
                "AWS Organizations can't complete your request"
                " because of an internal service error.");
    } else {
        s_error(err, 500, "InternalFailure",
                "The request processing has failed because of an"
                " unknown error, exception or failure.");
    }
}

/* ----- knobs ------------------------------------------------------------------------------- */

void cpw_sbx_knobs_init(struct cpw_sbx_knobs *knobs)
{
    memset(knobs, 0, sizeof(*knobs));
    knobs->rate_limits = true;
    knobs->authz = true;
    knobs->rate_scale = 1.0;
    knobs->instance_activation_ms = CPW_SBX_DEFAULT_INSTANCE_ACTIVATION_MS;
    knobs->domain_role_cleanup_ms = CPW_SBX_DEFAULT_ROLE_CLEANUP_MS;
    knobs->instance_role_cleanup_ms = CPW_SBX_DEFAULT_ROLE_CLEANUP_MS;
    knobs->profile_job_ms = CPW_SBX_DEFAULT_PROFILE_JOB_MS;
    knobs->slr_deletion_delay_ms = -1;
    knobs->create_account_delay_ms = -1;
    knobs->region_enable_ms = CPW_SBX_DEFAULT_REGION_ENABLE_MS;
    knobs->region_disable_ms = CPW_SBX_DEFAULT_REGION_DISABLE_MS;
    knobs->identity_job_ms = CPW_SBX_DEFAULT_IDENTITY_JOB_MS;
    knobs->recommender_ms = CPW_SBX_DEFAULT_RECOMMENDER_MS;
}

static void s_normalise(struct cpw_sbx_knobs *k)
{
    if (k->rate_scale <= 0) {
        k->rate_scale = 1.0;
    }
    if (k->instance_activation_ms < 0) {
        k->instance_activation_ms = CPW_SBX_DEFAULT_INSTANCE_ACTIVATION_MS;
    }
    if (k->domain_role_cleanup_ms < 0) {
        k->domain_role_cleanup_ms = CPW_SBX_DEFAULT_ROLE_CLEANUP_MS;
    }
    if (k->instance_role_cleanup_ms < 0) {
        k->instance_role_cleanup_ms = CPW_SBX_DEFAULT_ROLE_CLEANUP_MS;
    }
    if (k->profile_job_ms < 0) {
        k->profile_job_ms = CPW_SBX_DEFAULT_PROFILE_JOB_MS;
    }
    if (k->region_enable_ms < 0) {
        k->region_enable_ms = CPW_SBX_DEFAULT_REGION_ENABLE_MS;
    }
    if (k->region_disable_ms < 0) {
        k->region_disable_ms = CPW_SBX_DEFAULT_REGION_DISABLE_MS;
    }
    if (k->identity_job_ms < 0) {
        k->identity_job_ms = CPW_SBX_DEFAULT_IDENTITY_JOB_MS;
    }
    if (k->recommender_ms < 0) {
        k->recommender_ms = CPW_SBX_DEFAULT_RECOMMENDER_MS;
    }
    if (k->latency_ms < 0) {
        k->latency_ms = 0;
    }
    if (k->latency_jitter_ms < 0) {
        k->latency_jitter_ms = 0;
    }
    if (k->fault_probability < 0) {
        k->fault_probability = 0;
    }
    if (k->fault_probability > 1) {
        k->fault_probability = 1;
    }
}

static int s_enum(const json_t *v, const char *key, const char *const *names, size_t n, int *out)
{
    for (size_t i = 0; json_is_string(v) && i < n; i++) {
        if (strcmp(json_string_value(v), names[i]) == 0) {
            *out = (int)i;
            return 0;
        }
    }
    return cpw_raise(CPW_ERR_CONFIG, "knobs: %s: unknown value", key);
}

int cpw_sbx_knobs_from_json(const json_t *obj, struct cpw_sbx_knobs *k)
{
    static const char *const faults[] = { "mixed", "internal", "unavailable", "throttle",
                                          "denied" };
    static const char *const failures[] = { "none", "internal", "denied", "in_use" };
    static const char *const opt_in_errors[] = { "unrecognized_client", "invalid_token", "none" };
    if (!json_is_object(obj)) {
        return cpw_raise(CPW_ERR_CONFIG, "knobs: must be an object");
    }
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)obj, key, v)
    {
        int e = 0;
        bool ok = true;
        if (strcmp(key, "seed") == 0 && json_is_integer(v)) {
            k->seed = (uint64_t)json_integer_value(v);
        } else if (strcmp(key, "authz") == 0 && json_is_boolean(v)) {
            k->authz = json_is_true(v);
        } else if (strcmp(key, "rate_limits") == 0 && json_is_boolean(v)) {
            k->rate_limits = json_is_true(v);
        } else if (strcmp(key, "rate_scale") == 0 && json_is_number(v)) {
            k->rate_scale = json_number_value(v);
        } else if (strcmp(key, "latency_ms") == 0 && json_is_integer(v)) {
            k->latency_ms = (int64_t)json_integer_value(v);
        } else if (strcmp(key, "latency_jitter_ms") == 0 && json_is_integer(v)) {
            k->latency_jitter_ms = (int64_t)json_integer_value(v);
        } else if (strcmp(key, "fault_probability") == 0 && json_is_number(v)) {
            k->fault_probability = json_number_value(v);
        } else if (strcmp(key, "fault_kind") == 0) {
            if (s_enum(v, key, faults, 5, &e) != 0) {
                return -1;
            }
            k->fault_kind = (enum cpw_sbx_fault_kind)e;
        } else if (strcmp(key, "fault_service") == 0 && json_is_string(v)) {
            snprintf(k->fault_service, sizeof(k->fault_service), "%s", json_string_value(v));
        } else if (strcmp(key, "fault_operation") == 0 && json_is_string(v)) {
            snprintf(k->fault_operation, sizeof(k->fault_operation), "%s", json_string_value(v));
        } else if (strcmp(key, "instance_activation_ms") == 0 && json_is_integer(v)) {
            k->instance_activation_ms = (int64_t)json_integer_value(v);
        } else if (strcmp(key, "domain_role_cleanup_ms") == 0 && json_is_integer(v)) {
            k->domain_role_cleanup_ms = (int64_t)json_integer_value(v);
        } else if (strcmp(key, "instance_role_cleanup_ms") == 0 && json_is_integer(v)) {
            k->instance_role_cleanup_ms = (int64_t)json_integer_value(v);
        } else if (strcmp(key, "profile_job_ms") == 0 && json_is_integer(v)) {
            k->profile_job_ms = (int64_t)json_integer_value(v);
        } else if (strcmp(key, "slr_deletion_delay_ms") == 0 && json_is_integer(v)) {
            k->slr_deletion_delay_ms = (int64_t)json_integer_value(v);
        } else if (strcmp(key, "create_account_delay_ms") == 0 && json_is_integer(v)) {
            k->create_account_delay_ms = (int64_t)json_integer_value(v);
        } else if (strcmp(key, "identity_job_ms") == 0 && json_is_integer(v)) {
            k->identity_job_ms = (int64_t)json_integer_value(v);
        } else if (strcmp(key, "recommender_ms") == 0 && json_is_integer(v)) {
            k->recommender_ms = (int64_t)json_integer_value(v);
        } else if (strcmp(key, "domain_role_persists") == 0 && json_is_boolean(v)) {
            k->domain_role_persists = json_is_true(v);
        } else if (strcmp(key, "instance_delete_removes_role") == 0 && json_is_boolean(v)) {
            k->instance_delete_removes_role = json_is_true(v);
        } else if (strcmp(key, "instance_delete_removes_integrations") == 0 && json_is_boolean(v)) {
            k->instance_delete_removes_integrations = json_is_true(v);
        } else if (strcmp(key, "delete_domain_failure") == 0) {
            if (s_enum(v, key, failures, 4, &e) != 0) {
                return -1;
            }
            k->delete_domain_failure = (enum cpw_sbx_domain_delete_failure)e;
        } else if (strcmp(key, "region_enable_ms") == 0 && json_is_integer(v)) {
            k->region_enable_ms = (int64_t)json_integer_value(v);
        } else if (strcmp(key, "region_disable_ms") == 0 && json_is_integer(v)) {
            k->region_disable_ms = (int64_t)json_integer_value(v);
        } else if (strcmp(key, "opt_in_error") == 0) {
            if (s_enum(v, key, opt_in_errors, 3, &e) != 0) {
                return -1;
            }
            k->opt_in_error = (enum cpw_sbx_opt_in_error)e;
        } else if (strcmp(key, "service_regions") == 0 && json_is_boolean(v)) {
            k->service_regions = json_is_true(v);
        } else if (strcmp(key, "delete_domain_failure_message") == 0 && json_is_string(v)) {
            snprintf(k->delete_domain_failure_message, sizeof(k->delete_domain_failure_message),
                     "%s", json_string_value(v));
        } else {
            ok = false;
        }
        if (!ok) {
            return cpw_raise(CPW_ERR_CONFIG, "knobs: %s: unknown key or wrong type", key);
        }
    }
    return 0;
}

struct cpw_sbx_realism *cpw_sbx_realism_new(void)
{
    struct cpw_sbx_realism *r = cpw_calloc(1, sizeof(*r));
    pthread_mutex_init(&r->lock, NULL);
    cpw_sbx_knobs_init(&r->knobs);
    r->buckets = cpw_calloc(BUCKET_MAX, sizeof(*r->buckets));
    return r;
}

void cpw_sbx_realism_destroy(struct cpw_sbx_realism *r)
{
    if (r == NULL) {
        return;
    }
    pthread_mutex_destroy(&r->lock);
    cpw_free(r->buckets);
    cpw_free(r);
}

void cpw_sbx_set_knobs_locked(struct cpw_sbx *sbx, const struct cpw_sbx_knobs *knobs)
{
    struct cpw_sbx_realism *r = sbx->realism;
    if (knobs->slr_deletion_delay_ms >= 0) {
        sbx->slr_deletion_delay_ms = knobs->slr_deletion_delay_ms;
    }
    if (knobs->create_account_delay_ms >= 0) {
        sbx->create_account_delay_ms = knobs->create_account_delay_ms;
    }
    pthread_mutex_lock(&r->lock);
    r->knobs = *knobs;
    s_normalise(&r->knobs);
    r->rng = knobs->seed;
    memset(r->buckets, 0, BUCKET_MAX * sizeof(*r->buckets));
    r->bucket_count = 0;
    pthread_mutex_unlock(&r->lock);
}

void cpw_sbx_set_knobs(struct cpw_sbx *sbx, const struct cpw_sbx_knobs *knobs)
{
    /* The delays in struct cpw_sbx are read by dispatch under the sandbox's lock. */
    pthread_mutex_lock(&sbx->lock);
    cpw_sbx_set_knobs_locked(sbx, knobs);
    pthread_mutex_unlock(&sbx->lock);
}

void cpw_sbx_get_knobs(struct cpw_sbx *sbx, struct cpw_sbx_knobs *out)
{
    cpw_sbx_knobs_current(sbx, out);
}

void cpw_sbx_knobs_current(const struct cpw_sbx *sbx, struct cpw_sbx_knobs *out)
{
    struct cpw_sbx_realism *r = sbx->realism;
    pthread_mutex_lock(&r->lock);
    *out = r->knobs;
    pthread_mutex_unlock(&r->lock);
}

/* ----- admission --------------------------------------------------------------------------- */

/* splitmix64: a uniform double in [0, 1). */
static double s_draw(struct cpw_sbx_realism *r)
{
    uint64_t z = (r->rng += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return (double)(z >> 11) / 9007199254740992.0;
}

/* FNV-1a of key: the bucket table's hash. */
static uint64_t s_hash(const char *key)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *key != '\0'; key++) {
        h = (h ^ (uint8_t)*key) * 0x100000001b3ULL;
    }
    return h;
}

/* Takes one token from the bucket of key: true when there was one. */
static bool s_take(struct cpw_sbx_realism *r,
                   const char *key,
                   double rate,
                   double burst,
                   int64_t now_ms)
{
    /* Open addressing; a table three quarters full starts over (buckets refill anyway). */
    if (r->bucket_count * 4 >= BUCKET_MAX * 3) {
        memset(r->buckets, 0, BUCKET_MAX * sizeof(*r->buckets));
        r->bucket_count = 0;
    }
    size_t slot = (size_t)(s_hash(key) % BUCKET_MAX);
    struct bucket *b = &r->buckets[slot];
    while (b->key[0] != '\0' && strcmp(b->key, key) != 0) {
        slot = (slot + 1) % BUCKET_MAX;
        b = &r->buckets[slot];
    }
    if (b->key[0] == '\0') {
        snprintf(b->key, sizeof(b->key), "%s", key);
        b->tokens = burst;
        b->last_ms = now_ms;
        r->bucket_count++;
    }
    if (now_ms > b->last_ms) {
        b->tokens = s_min(burst, b->tokens + rate * (double)(now_ms - b->last_ms) / 1000.0);
        b->last_ms = now_ms;
    }
    if (b->tokens >= 1.0) {
        b->tokens -= 1.0;
        return true;
    }
    return false;
}

enum cpw_sbx_admission cpw_sbx_admit(struct cpw_sbx *sbx,
                                     const char *service,
                                     const char *operation,
                                     const char *account_id,
                                     const char *region,
                                     int64_t now_ms,
                                     struct cpw_sbx_error *err,
                                     int64_t *delay_ms)
{
    struct cpw_sbx_realism *r = sbx->realism;
    enum cpw_sbx_admission result = CPW_SBX_ADMITTED;
    service = service ? service : "";
    operation = operation ? operation : "";
    memset(err, 0, sizeof(*err));
    *delay_ms = 0;
    pthread_mutex_lock(&r->lock);
    const struct cpw_sbx_knobs *k = &r->knobs;
    double rate = 0;
    double burst = 0;
    if (k->rate_limits && cpw_sbx_rate_of(service, operation, &rate, &burst)) {
        bool global = strcmp(service, "iam") == 0 || strcmp(service, "organizations") == 0 ||
                      strcmp(service, "account") == 0;
        char key[160];
        snprintf(key, sizeof(key), "%s|%s|%s|%s", service, s_shared(service) ? "*" : operation,
                 account_id ? account_id : "", global ? "" : (region ? region : ""));
        double scaled_burst = (burst * k->rate_scale < 1.0 ? 1.0 : burst * k->rate_scale);
        if (!s_take(r, key, rate * k->rate_scale, scaled_burst, now_ms)) {
            s_throttle_error(service, err);
            result = CPW_SBX_THROTTLED;
        }
    }
    bool targeted = (k->fault_service[0] == '\0' || strcmp(k->fault_service, service) == 0) &&
                    (k->fault_operation[0] == '\0' || strcmp(k->fault_operation, operation) == 0);
    if (result == CPW_SBX_ADMITTED && k->fault_probability > 0 && targeted &&
        s_draw(r) < k->fault_probability) {
        enum cpw_sbx_fault_kind kind = k->fault_kind;
        if (kind == CPW_SBX_FAULT_MIXED) {
            kind = (enum cpw_sbx_fault_kind)(1 + (int)(s_draw(r) * 3.0) % 3);
        }
        if (kind == CPW_SBX_FAULT_INTERNAL) {
            s_internal_error(service, err);
        } else if (kind == CPW_SBX_FAULT_UNAVAILABLE) {
            s_error(err, 503, "ServiceUnavailable", "Service is unavailable. Try again later.");
        } else if (kind == CPW_SBX_FAULT_DENIED) {
            bool query = strcmp(service, "iam") == 0 || strcmp(service, "sts") == 0;
            char message[256];
            snprintf(message, sizeof(message),
                     "User is not authorized to perform: %s:%s because no identity-based policy "
                     "allows the %s:%s action",
                     service, operation, service, operation);
            s_error(err, 403, query ? "AccessDenied" : "AccessDeniedException", message);
        } else {
            s_throttle_error(service, err);
        }
        result = CPW_SBX_FAULT;
    }
    if (result == CPW_SBX_ADMITTED) {
        *delay_ms = k->latency_ms;
        if (k->latency_jitter_ms > 0) {
            *delay_ms += (int64_t)(s_draw(r) * (double)(k->latency_jitter_ms + 1));
        }
    }
    pthread_mutex_unlock(&r->lock);
    return result;
}
