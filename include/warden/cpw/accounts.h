/*
 * accounts.h - the accounts of an organization-wide clean-up: one AWS client per account, the
 * live check that the caller may act across the organization, and the confirmation of the
 * accounts touched.
 *
 * Clients: the caller's own client serves the caller's account; every other account gets its
 * own client whose credentials come from STS AssumeRole of arn:PARTITION:iam::ACCOUNT:role/ROLE
 * (ROLE: OrganizationAccountAccessRole unless given), called with the caller's credentials, the
 * way `cpwarden inventory --org` reaches the members (the same assume-role credentials provider,
 * credentials.h). Each member client has its own HTTP engine, hence its own rate limiter and
 * connections: one account's throttling never slows another's, and the clients of different
 * accounts can run on different threads.
 *
 * Ownership: the set owns the member clients and their providers; the caller's client is
 * borrowed and must outlive the set. Thread-safety: cpw_accounts_client() is not thread-safe;
 * resolve every account first, then each client belongs to one thread (the credentials
 * providers are thread-safe, and a refresh of an assumed role makes its STS call on a private
 * client).
 */
#ifndef CPW_ACCOUNTS_H
#define CPW_ACCOUNTS_H

#include <stdbool.h>
#include <stddef.h>

#include "cpw/aws_client.h"
#include "cpw/buf.h"
#include "cpw/plan.h"

#define CPW_ACCOUNTS_DEFAULT_ROLE_NAME "OrganizationAccountAccessRole"
/* Up to this many accounts the user types their ids; beyond, the count and the digest. */
#define CPW_ACCOUNTS_CONFIRM_LIST_MAX 5
#define CPW_ACCOUNTS_DIGEST_LEN       8 /* hex digits */

struct cpw_accounts_options {
    struct cpw_aws_client *caller; /* required, borrowed: the caller's account and the source
                                      of the AssumeRole calls */
    const struct cpw_aws_client_options *client_options; /* required: copied for the member
                                      clients (region, endpoint, engine); its pointers stay
                                      borrowed for the set's life */
    const char *caller_account;                          /* required: 12 digits */
    const char *caller_arn; /* the caller's ARN: its partition is the roles'; may be NULL */
    const char *role_name;  /* NULL: CPW_ACCOUNTS_DEFAULT_ROLE_NAME */
};

struct cpw_accounts;

/** A new, empty set (clients are made on first use). NULL with CPW_ERR_INVALID_ARGUMENT. */
struct cpw_accounts *cpw_accounts_new(const struct cpw_accounts_options *opts);

/** Frees the member clients and providers. NULL is a no-op. */
void cpw_accounts_destroy(struct cpw_accounts *accounts);

/**
 * The client for `account` (12 digits): the caller's own for the caller's account; for another
 * account a client made on first use, which assumes the role at once so that a refusal is known
 * here: NULL with CPW_ERR_CREDENTIALS and a detail naming the role's ARN (so the account) and
 * the STS answer ("cannot assume arn:...: ..."). A failure
 * is remembered: asking again raises the same error without another call. Borrowed from the set.
 */
struct cpw_aws_client *cpw_accounts_client(struct cpw_accounts *accounts, const char *account);

/** cpw_accounts_client as a cpw_plan_client_fn (plan_targets.h): ctx is the set. */
struct cpw_aws_client *cpw_accounts_client_fn(void *ctx, const char *account);

/**
 * Checks live, with the caller's client, that the caller may act in the member accounts listed:
 * Organizations DescribeOrganization answers (the caller belongs to an organization), the
 * caller's account is the organization's management account or plan_account (the account the
 * plan was made from, e.g. a delegated administrator), and Organizations ListAccounts lists every
 * one of accounts[] as an ACTIVE member. Returns 0, or -1 with CPW_ERR_WRONG_ACCOUNT naming what
 * does not hold, or the AWS error of the call.
 */
int cpw_accounts_check_organization(struct cpw_aws_client *caller,
                                    const char *caller_account,
                                    const char *plan_account,
                                    const char *const *accounts,
                                    size_t count);

/**
 * The distinct accounts of the plan's PLANNED actions, sorted (what apply acts in and so what
 * the user confirms; never the plan's own "accounts" field). *ids owned: cpw_accounts_list_free.
 * Returns the count.
 */
size_t cpw_accounts_of_plan(const struct cpw_plan *plan, char ***ids);

/** Frees a list from cpw_accounts_of_plan. NULL is a no-op. */
void cpw_accounts_list_free(char **ids, size_t count);

/**
 * The short digest of a list of account ids: the first CPW_ACCOUNTS_DIGEST_LEN hex digits of
 * the SHA-256 of the ids sorted and joined by "\n". Order-independent. 0 or -1.
 */
int cpw_accounts_digest(const char *const *ids,
                        size_t count,
                        char out[CPW_ACCOUNTS_DIGEST_LEN + 1]);

/**
 * Appends the confirmation prompt for ids (at least one): up to CPW_ACCOUNTS_CONFIRM_LIST_MAX
 * accounts, the ids and "Type the account id(s) to confirm: "; beyond, the count, the ids and
 * their digest, and "Type 'N DIGEST' to confirm: " (as aws-nuke asks for an alias instead of a
 * long id). 0 or -1.
 */
int cpw_accounts_confirm_prompt(const char *const *ids, size_t count, struct cpw_buf *out);

/**
 * Whether typed (one line) confirms ids as the prompt asked: up to
 * CPW_ACCOUNTS_CONFIRM_LIST_MAX accounts, exactly these ids in any order, separated by commas or
 * spaces; beyond, the count and the digest separated by a space.
 */
bool cpw_accounts_confirmation_matches(const char *const *ids, size_t count, const char *typed);

#endif
