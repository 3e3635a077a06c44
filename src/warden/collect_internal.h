/*
 * collect_internal.h - what the collector's files share: the scan, its accounts and their parts
 * (one per region plus the global IAM part), and one paginated AWS call with its rate-limit key.
 *
 * Regions: per account, one AWS Account Management ListRegions (all statuses, all pages) runs
 * before the regional parts start; a region the account has not enabled is recorded as such and
 * its part ends without a call. Every regional part records its region's status when it ends.
 *
 * Lifetime: a part stays open while calls of it are in flight; when the last one ends the part
 * is flushed into the inventory (its domains merged with the integrations found from the
 * instance side) and counted done; an account is done when all its parts are.
 */
#ifndef CPW_WARDEN_COLLECT_INTERNAL_H
#define CPW_WARDEN_COLLECT_INTERNAL_H

#include <jansson.h>

#include "cpw/aws_call.h"
#include "cpw/inventory_collect.h"

struct cpw_collect;
struct cpw_collect_account;

/* One account x region (region NULL: the global part: IAM and CloudTrail's IAM events). */
struct cpw_collect_part {
    struct cpw_collect_account *account;
    const char *region; /* borrowed from the options; NULL for the global part */
    unsigned pending;   /* calls in flight */
    json_t *domains;    /* name -> {"get": GetDomain output, "list": item, "integrations": [...]} */
    json_t *account_integrations; /* ListAccountIntegrations items */
    bool not_enabled;             /* regional: ListRegions said the account cannot use it */
    bool started;                 /* regional: its calls are submitted */
    unsigned errors;              /* scan errors recorded for this part */
    char *unrecognized;           /* first UnrecognizedClientException of the part (owned) */
};

struct cpw_collect_account {
    struct cpw_collect *scan;
    char *id;
    struct cpw_credentials_provider *provider; /* owned; NULL: the client's credentials */
    struct cpw_collect_part *parts;            /* region_count + 1; the last is global */
    size_t parts_left;
    bool started;
    bool scanned;        /* its credentials worked: ListRegions and the scans were sent */
    json_t *listed;      /* region -> RegionOptStatus from ListRegions (owned) */
    char *regions_error; /* why ListRegions gave no answer (owned); NULL when it answered */
};

struct cpw_collect {
    struct cpw_aws_client *client;
    struct cpw_ratelimit *limits;
    const struct cpw_collect_options *opts;
    struct cpw_inventory *inv;
    char *caller_account;
    char *caller_arn;
    char *partition;
    struct cpw_collect_account **accounts;
    size_t account_count;
    size_t next_account; /* the next one to start */
    size_t accounts_in_flight;
    bool began;                    /* the caller is known and the scan's accounts may start */
    enum cpw_error identity_error; /* GetCallerIdentity failed: why (with identity_detail) */
    char *identity_detail;
    unsigned list_pages;   /* pages of ListAccounts asked for after the first */
    char *list_error_code; /* ListAccounts failed, not yet recorded (the caller unknown) */
    char *list_error_message;
    struct cpw_collect_progress progress;
    int64_t started_ms;
    int64_t last_progress_ms;
};

struct cpw_collect_call;

/* Receives one page's output (borrowed). */
typedef void(cpw_collect_page_fn)(struct cpw_collect_call *call, const json_t *output);
/* After the last page (ok) or a failure (recorded as a scan error unless quiet). */
typedef void(cpw_collect_end_fn)(struct cpw_collect_call *call, bool ok, const char *code);

struct cpw_collect_call_spec {
    const char *service;   /* model name: "customer-profiles", "connect", "iam", ... */
    const char *signing;   /* for scan errors: "profile", "connect", "iam", "cloudtrail" */
    const char *operation; /* model name */
    json_t *input;         /* taken (owned by the call); NULL: {} */
    const char *region;    /* NULL: the part's region (the client's for the global part) */
    const char *limit_key; /* the rate-limit key (copied); NULL: none */
    const char *in_token;  /* pagination: input member; NULL: one page */
    const char *out_token; /* output member */
    const char *more;      /* NULL, or the boolean member that says more pages follow */
    unsigned max_pages;    /* 0: 1000 */
    cpw_collect_page_fn *on_page;
    cpw_collect_end_fn *on_end; /* may be NULL */
    void *data;                 /* for the callbacks */
    bool quiet_not_found;       /* the service's not-found answer (aws_call.h) is no scan error */
    bool quiet;                 /* no failure is a scan error (on_end gets the code) */
};

struct cpw_collect_call {
    struct cpw_collect_part *part;
    struct cpw_collect_call_spec spec;
    char key[192];
    unsigned pages;
    const char *message; /* during on_end after a failure: the error's message (borrowed) */
    enum cpw_aws_outcome outcome; /* during on_end: how the call ended (cpw_aws_classify) */
};

/** Submits a call for part (counted pending). Failures to submit are recorded at once. */
void cpw_collect_submit(struct cpw_collect_part *part, const struct cpw_collect_call_spec *spec);

/** Records a scan error for part's account (region/service as given; copied). */
void cpw_collect_error(struct cpw_collect *scan,
                       const char *account,
                       const char *region,
                       const char *service,
                       const char *operation,
                       const char *code,
                       const char *message);

/** Builds the rate-limit key "ACCOUNT/REGION/SERVICE/WHAT" into out. */
void cpw_collect_key(char *out,
                     size_t cap,
                     const char *account,
                     const char *region,
                     const char *service,
                     const char *what);

/** Epoch seconds of a timestamp member of obj (ISO 8601 string or number), 0 when absent. */
int64_t cpw_collect_time(const json_t *obj, const char *key);

/** Starts the regional calls of a part (Connect and Customer Profiles, CloudTrail evidence). */
void cpw_collect_start_connect(struct cpw_collect_part *part);
void cpw_collect_start_profile(struct cpw_collect_part *part);
void cpw_collect_start_regional_evidence(struct cpw_collect_part *part);

/** Starts the global part's calls (IAM roles, CloudTrail IAM events). */
void cpw_collect_start_iam(struct cpw_collect_part *part);

/**
 * Submits CloudTrail LookupEvents for event_name in region (all pages, bounded), adding each
 * event to the inventory, under the rate-limit key.
 */
void cpw_collect_lookup_events(struct cpw_collect_part *part,
                               const char *region,
                               const char *event_name,
                               const char *limit_key);

/* What the scan learnt about one region of one account, to decide its status. */
struct cpw_collect_region_facts {
    bool reached;             /* the account's credentials worked */
    bool skipped;             /* not scanned because ListRegions said it is not enabled */
    const char *listed;       /* ListRegions' RegionOptStatus, NULL when it gave none */
    const char *list_error;   /* why ListRegions gave no answer, NULL when it answered */
    unsigned errors;          /* scan errors in the region */
    const char *unrecognized; /* the message of an UnrecognizedClientException there, or NULL */
};

/**
 * Records the status of region for account in inv (cpw_inventory_add_region_status): NOT_ENABLED
 * when ListRegions said DISABLED, DISABLING or ENABLING; ENABLED when it said ENABLED or
 * ENABLED_BY_DEFAULT, for a region that is not opt-in, or for an opt-in region whose scan
 * succeeded without ListRegions' answer; UNKNOWN otherwise, and for an opt-in region that
 * answered UnrecognizedClientException. The evidence says which.
 */
void cpw_collect_record_region(struct cpw_inventory *inv,
                               const char *account,
                               const char *region,
                               const struct cpw_collect_region_facts *facts);

/** True for a RegionOptStatus under which the region holds nothing usable (not ENABLED*). */
bool cpw_collect_region_unusable(const char *opt_status);

/** Adds the domains gathered in part to the inventory (at the part's end). */
void cpw_collect_flush_domains(struct cpw_collect_part *part);

#endif
