/*
 * live.h - the live state that `cpwarden plan` and `cpwarden apply` need, read from AWS over an
 * AWS client: who the caller is, a focused scan of the caller's account for leftovers (Connect
 * instances, Customer Profiles domains with their integrations, the service-linked roles of both
 * services) into an inventory, and the facts about one domain or one role that a plan records
 * and apply re-observes.
 *
 * Every call is blocking (cpw_aws_client_call / _all_pages). A resource that does not exist is
 * not an error: *exists says so. Other AWS errors fail the call with CPW_ERR_AWS and the AWS
 * CLI's sentence as detail.
 *
 * Ownership: the structs below own their strings (their _clean_up functions). Thread-safety: as
 * the client (one thread).
 */
#ifndef CPW_LIVE_H
#define CPW_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpw/aws_client.h"
#include "cpw/inventory.h"
#include "cpw/plan.h"
#include "cpw/regions.h"

/**
 * STS GetCallerIdentity (cpw_aws_caller_identity): *account (12 digits) and *arn, both owned by
 * the caller (cpw_free). Returns 0, or -1 (CPW_ERR_CREDENTIALS / CPW_ERR_AWS / CPW_ERR_HTTP as the
 * client raised).
 */
int cpw_live_identity(struct cpw_aws_client *client, char **account, char **arn);

/**
 * The caller's account's regions by RegionOptStatus (AWS Account Management ListRegions, all
 * pages), set into the object listed as {"af-south-1": "DISABLED", ...}. region is any region of
 * the account's partition. When there is no answer (not offered in the partition, access denied,
 * ...) listed stays as it was and *why (owned by the caller) says why; else *why is NULL.
 */
void cpw_live_list_regions(struct cpw_aws_client *client,
                           const char *region,
                           json_t *listed,
                           char **why);

/**
 * True when a region with this RegionOptStatus can hold resources: ENABLED, ENABLED_BY_DEFAULT,
 * or NULL (not listed: unknown, so it must be read). False for DISABLED, DISABLING, ENABLING.
 */
bool cpw_live_region_usable(const char *opt_status);

/**
 * Scans the caller's account in regions into inv (which the caller created): ListRegions (AWS
 * Account Management) first, then ListInstances, ListDomains + ListIntegrations per region the
 * account has enabled, ListRoles under the two service-linked-role paths; every region gets a
 * status (cpw_inventory_region_status) as the collector records it.
 * What could not be read becomes a scan error in the inventory (so no false orphan is found),
 * never a failure. Then runs cpw_inventory_analyze. Returns 0 (or -1 on internal errors).
 */
int cpw_live_scan(struct cpw_aws_client *client,
                  const char *account,
                  const struct cpw_region_list *regions,
                  struct cpw_inventory *inv);

/** A domain as a plan sees it: the builder's input with owned strings. */
struct cpw_live_domain {
    struct cpw_plan_domain_input input; /* strings point into the members below */
    char *account;
    char *region;
    char *name;
    char *arn;
    struct cpw_tag *tags; /* owned keys/values */
    struct cpw_plan_instance_input *instances;
    struct cpw_plan_integration_input *integrations; /* sorted by Uri */
};

/**
 * Reads domain `name` in account/region: GetDomain (Stats, Tags), ListIntegrations (sorted by
 * Uri), DescribeInstance for every integration whose Uri is a Connect instance (gone: status
 * DELETED and the integration dangling), ListProfileObjectTypes, ListEventStreams and
 * ListCalculatedAttributeDefinitions (counted). *exists false when GetDomain answers
 * ResourceNotFoundException (out is then empty). out.input.role is left NULL. Returns 0 or -1.
 * Release with cpw_live_domain_clean_up.
 */
int cpw_live_observe_domain(struct cpw_aws_client *client,
                            const char *account,
                            const char *region,
                            const char *name,
                            struct cpw_live_domain *out,
                            bool *exists);

/** Frees what the domain owns and zeroes it. NULL is a no-op. */
void cpw_live_domain_clean_up(struct cpw_live_domain *domain);

/** A role as a plan sees it. */
struct cpw_live_role {
    struct cpw_plan_role_input input; /* strings point into the members below */
    char *account;
    char *name;
    char *arn;
    char *last_used;       /* ISO 8601 or NULL */
    char *linked_resource; /* as given by the caller, or NULL */
    struct cpw_tag *tags;
};

/**
 * Reads role `name` with GetRole (ARN, Tags, RoleLastUsed). kind and linked_resource (may be
 * NULL; copied) are the caller's knowledge. *exists false on NoSuchEntity. Returns 0 or -1.
 */
int cpw_live_observe_role(struct cpw_aws_client *client,
                          const char *account,
                          const char *name,
                          enum cpw_plan_role_kind kind,
                          const char *linked_resource,
                          struct cpw_live_role *out,
                          bool *exists);

/** Frees what the role owns and zeroes it. NULL is a no-op. */
void cpw_live_role_clean_up(struct cpw_live_role *role);

/**
 * One blocking call of service/operation with input_owned (consumed; NULL: {}) in region (NULL:
 * the client's), every page when all_pages. Returns 0 with *out (owned) and *exists true; 0 with
 * *out NULL and *exists false when exists is not NULL and the service answers its not-found code
 * (cpw_aws_classify in aws_call.h: never for any other failure); else -1
 * with the error raised (CPW_ERR_AWS with the AWS CLI's sentence for service errors).
 */
int cpw_live_call(struct cpw_aws_client *client,
                  const char *service,
                  const char *operation,
                  json_t *input_owned,
                  const char *region,
                  bool all_pages,
                  json_t **out,
                  bool *exists);

#endif
