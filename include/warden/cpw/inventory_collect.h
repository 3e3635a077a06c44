/*
 * inventory_collect.h - the collector behind `cpwarden inventory`: reads Connect instances,
 * Customer Profiles domains with their integrations, the service-linked roles of both services
 * and (optionally) CloudTrail evidence from every account and region in scope, concurrently on
 * one thread, and fills a struct cpw_inventory with them and with a scan error for every part it
 * could not read. Then it analyses the inventory (cpw_inventory_analyze).
 *
 * Scope: the caller's account (STS GetCallerIdentity) by default; with `org`, every ACTIVE
 * account of the organization (Organizations ListAccounts, all pages), each reached through STS
 * AssumeRole of role_name; `accounts` restricts and `exclude_accounts` removes accounts.
 *
 * Calls per account and region (docs/inventory-schema.md, "Collection"): first, per account, AWS
 * Account Management ListRegions (all statuses, all pages); a region the account has not enabled
 * (DISABLED, DISABLING, ENABLING) gets no call and the status NOT_ENABLED; every scanned region
 * gets a status too (cpw_inventory_region_status), UNKNOWN where ListRegions gave no answer for
 * an opt-in region whose scan failed, or where it answered UnrecognizedClientException. Then
 * Connect ListInstances
 * (all pages) + DescribeInstance; Customer Profiles ListDomains (all pages, NextToken) + GetDomain
 * + ListIntegrations per domain and ListAccountIntegrations per instance ARN; per account IAM
 * ListRoles for the two service-linked role paths (all pages) + GetRole; with evidence_cloudtrail
 * CloudTrail LookupEvents for CreateServiceLinkedRole (us-east-1) and CreateDomain (per region).
 * Every call carries client-side rate-limit keys at AWS's published rate for that operation,
 * per account and region (see CPW_COLLECT_RATE_*); retries follow the client's retry mode.
 *
 * A failure never stops the scan: AccessDenied, a region that is not enabled, a service not
 * offered, throttling beyond the retries, a refused AssumeRole each become a cpw_inv_error for
 * that account / region / service, and the analysis never turns what was not read into a certain
 * orphan.
 *
 * Thread-safety: runs on the calling thread, on the client's engine (which it must own: nothing
 * else may run on that engine meanwhile).
 */
#ifndef CPW_INVENTORY_COLLECT_H
#define CPW_INVENTORY_COLLECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpw/aws_client.h"
#include "cpw/inventory.h"

/* Published rates (requests per second, docs/aws-facts.md §6) used for the client-side limits. */
#define CPW_COLLECT_RATE_PROFILE_LIST      5.0   /* ListDomains, GetDomain, ListIntegrations */
#define CPW_COLLECT_RATE_PROFILE_ACCOUNT   100.0 /* ListAccountIntegrations */
#define CPW_COLLECT_RATE_CONNECT           2.0   /* shared by every Connect operation */
#define CPW_COLLECT_BURST_CONNECT          5.0
#define CPW_COLLECT_RATE_CLOUDTRAIL_LOOKUP 2.0 /* LookupEvents */
/* IAM publishes no per-operation rate: a conservative default per account, shared. */
#define CPW_COLLECT_RATE_IAM  10.0
#define CPW_COLLECT_BURST_IAM 10.0
/* AWS Account Management ListRegions: no published rate; one request a second per account is a
 * conservative pace for the one call (rarely two pages) each account needs. */
#define CPW_COLLECT_RATE_ACCOUNT_REGIONS  1.0
#define CPW_COLLECT_BURST_ACCOUNT_REGIONS 1.0
/* STS: 600/s per account and region shared; the collector keeps well under it. */
#define CPW_COLLECT_RATE_STS 100.0

/** Default role assumed in member accounts. */
#define CPW_COLLECT_DEFAULT_ROLE_NAME "OrganizationAccountAccessRole"

/** Progress counters, handed to the progress callback. */
struct cpw_collect_progress {
    size_t accounts_total;
    size_t accounts_done;
    size_t parts_total; /* account x (regions + the global part) */
    size_t parts_done;
    size_t regions_total; /* account x regions: the regional parts only */
    size_t regions_done;
    size_t scan_errors;
    uint64_t requests;  /* HTTP requests sent (engine statistics) */
    uint64_t throttles; /* answers classified as throttling */
    uint64_t retries;
    int64_t elapsed_ms;
    int64_t remaining_ms; /* estimate; -1 unknown */
    bool finished;        /* the last call */
};

/** Called from the run at most every progress_interval_ms and once when finished. */
typedef void(cpw_collect_progress_fn)(void *user, const struct cpw_collect_progress *progress);

struct cpw_collect_options {
    bool org;                    /* walk AWS Organizations */
    const char *role_name;       /* NULL: OrganizationAccountAccessRole */
    const char *const *accounts; /* only these account ids (may be NULL) */
    size_t account_count;
    const char *const *exclude_accounts; /* never these */
    size_t exclude_count;
    const char *const *regions; /* the regions to scan (required, at least one) */
    size_t region_count;
    bool evidence_cloudtrail;        /* LookupEvents to tie roles to domains */
    unsigned max_accounts_in_flight; /* 0: 32 */
    cpw_collect_progress_fn *progress;
    void *progress_user;
    int64_t progress_interval_ms; /* 0: 200 */
};

/** What the collector learnt about the scan itself. Release with cpw_collect_result_clean_up. */
struct cpw_collect_result {
    char *identity_arn;   /* the caller (GetCallerIdentity Arn), owned */
    char *caller_account; /* owned */
    size_t accounts_scanned;
    size_t scan_errors;
    struct cpw_collect_progress final; /* the last progress counters */
};

/** Frees what result owns and zeroes it. NULL is a no-op. */
void cpw_collect_result_clean_up(struct cpw_collect_result *result);

/**
 * Scans the scope described by opts with client and fills inv (which should be empty), then
 * analyses it. Returns 0 when the scan ran, whatever parts failed (count them with
 * cpw_inventory_error_count); -1 when it could not start: CPW_ERR_CREDENTIALS or CPW_ERR_AWS when
 * GetCallerIdentity fails (no usable credentials), CPW_ERR_INVALID_ARGUMENT for bad options.
 * result (zeroed by this call) is filled in both cases as far as known; the caller cleans it up.
 */
int cpw_collect_inventory(struct cpw_aws_client *client,
                          const struct cpw_collect_options *opts,
                          struct cpw_inventory *inv,
                          struct cpw_collect_result *result);

#endif
