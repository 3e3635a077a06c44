/*
 * plan_targets.h - what a plan is about, and the plan built from it over the live state.
 *
 * Targets are the domains (with their service-linked role, when known) and the orphaned
 * service-linked roles to clean up. They come from an inventory's findings (`plan --orphans`,
 * live or `--from-inventory`), from the command line (`--domain`, `--role`, `--instance`), or
 * from a saved plan (apply rebuilds the plan from the same targets to check it is still fresh).
 * cpw_plan_from_targets then reads each target's facts live (live.h) and feeds the plan builder,
 * so a plan made from an inventory file and the plan apply rebuilds observe the same facts the
 * same way.
 *
 * Targets may lie in several accounts (an organization's members): each carries its account, and
 * cpw_plan_from_targets_with reads each in its own account.
 *
 * Ownership: a target list owns its strings (cpw_plan_targets_clean_up). Thread-safety: none.
 */
#ifndef CPW_PLAN_TARGETS_H
#define CPW_PLAN_TARGETS_H

#include <stdbool.h>
#include <stddef.h>

#include "cpw/aws_client.h"
#include "cpw/inventory.h"
#include "cpw/plan.h"

struct cpw_plan_target_domain {
    char *account;
    char *region;
    char *name;
    char *role_name;       /* the domain's AWSServiceRoleForProfile_* role, or NULL */
    char *role_linked_arn; /* what the role serves (the domain's ARN), or NULL */
};

struct cpw_plan_target_role {
    enum cpw_plan_role_kind kind;
    char *account;
    char *name;
    char *linked_resource; /* or NULL */
    bool possible;         /* the orphan finding is only "possible" */
};

/** Zero-initialise; release with cpw_plan_targets_clean_up. */
struct cpw_plan_targets {
    struct cpw_plan_target_domain *domains;
    size_t domain_count;
    struct cpw_plan_target_role *roles;
    size_t role_count;
};

/** Frees what the list owns and zeroes it. NULL is a no-op. */
void cpw_plan_targets_clean_up(struct cpw_plan_targets *targets);

/** Adds a domain target (strings copied; role_name / role_linked_arn may be NULL). */
void cpw_plan_targets_add_domain(struct cpw_plan_targets *targets,
                                 const char *account,
                                 const char *region,
                                 const char *name,
                                 const char *role_name,
                                 const char *role_linked_arn);

/** Adds an orphaned-role target (strings copied; linked_resource may be NULL). */
void cpw_plan_targets_add_role(struct cpw_plan_targets *targets,
                               enum cpw_plan_role_kind kind,
                               const char *account,
                               const char *name,
                               const char *linked_resource,
                               bool possible);

/**
 * The kind of a service-linked role from its name: AWSServiceRoleForProfile* is a Customer
 * Profiles role, AWSServiceRoleForAmazonConnect* a Connect role. -1 with CPW_ERR_INVALID_ARGUMENT
 * for any other name (cpwarden deletes no other role).
 */
int cpw_plan_role_kind_of(const char *name, enum cpw_plan_role_kind *kind);

/**
 * Targets from an analysed inventory's findings in `account` (other accounts are left out; NULL
 * takes every account of the inventory, as for an organization's):
 * domain-without-instance (with the domain's linked role when the link is certain or likely),
 * orphaned-connect-role and orphaned-profile-role. Only certain and likely findings are planned
 * by default: weaker domains are taken only with include_possible; weaker roles are taken marked
 * possible (the builder records them as skipped, with the reason, unless the plan includes
 * possible findings). No other kind is ever a target, include_possible or not: unattached-domain
 * (nothing shows the domain is a leftover), surplus-profile-roles (it names no role that is safe
 * to delete), profile-roles-in-use, legacy-profile-role (its orphan finding is the target),
 * dangling-integration, instance-not-active, role-deletion-pending. Returns 0.
 */
int cpw_plan_targets_from_inventory(const struct cpw_inventory *inv,
                                    const char *account,
                                    bool include_possible,
                                    struct cpw_plan_targets *targets);

/**
 * cpw_plan_targets_from_inventory restricted to the findings whose id (cpw_inventory_finding_id)
 * is one of ids (ids NULL: every finding, as cpw_plan_targets_from_inventory); the same rules
 * decide what each selected finding contributes. Returns 0.
 */
int cpw_plan_targets_from_findings(const struct cpw_inventory *inv,
                                   const char *account,
                                   bool include_possible,
                                   const char *const *ids,
                                   size_t id_count,
                                   struct cpw_plan_targets *targets);

/**
 * The domains of `account` in inv that have an integration whose Uri names Connect instance
 * instance_id (its id or ARN), with their linked roles. Returns the number added.
 */
size_t cpw_plan_targets_for_instance(const struct cpw_inventory *inv,
                                     const char *account,
                                     const char *instance_id,
                                     struct cpw_plan_targets *targets);

/** The targets a saved plan was built from, in the plan's order. Returns 0. */
int cpw_plan_targets_from_plan(const struct cpw_plan *plan, struct cpw_plan_targets *targets);

/**
 * Reads every target live and builds the plan with opts: a domain or role that no longer exists
 * is left out (a domain's vanished role is dropped from its chain). Returns the plan (owned) or
 * NULL with the reader's or builder's error.
 */
struct cpw_plan *cpw_plan_from_targets(struct cpw_aws_client *client,
                                       const struct cpw_plan_builder_options *opts,
                                       const struct cpw_plan_targets *targets);

/**
 * The client that reads (and acts in) `account`: for the caller's account its own client, for
 * a member of an organization a client signed with the role assumed there (accounts.h). NULL
 * with the error raised (the account cannot be reached). The client stays the provider's.
 */
typedef struct cpw_aws_client *(cpw_plan_client_fn)(void *ctx, const char *account);

/**
 * cpw_plan_from_targets across accounts: each target's facts are read with
 * client_for(ctx, target's account), so in the account itself. NULL when a client cannot be
 * had (its error) or as cpw_plan_from_targets.
 */
struct cpw_plan *cpw_plan_from_targets_with(cpw_plan_client_fn *client_for,
                                            void *ctx,
                                            const struct cpw_plan_builder_options *opts,
                                            const struct cpw_plan_targets *targets);

/**
 * The distinct accounts of the targets, in first-seen order, into *accounts (owned: free each
 * string and the array with cpw_free). Returns the count.
 */
size_t cpw_plan_targets_accounts(const struct cpw_plan_targets *targets, char ***accounts);

/** Removes (and frees) every target in `account`. Returns how many went. */
size_t cpw_plan_targets_drop_account(struct cpw_plan_targets *targets, const char *account);

#endif
