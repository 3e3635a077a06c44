/*
 * doctor.h - `cpwarden doctor`: why a step would fail, before it does. For the credentials in use
 * and, across an organization, for each member account reached through the role cpwarden
 * assumes: where the credentials come from, the clock's skew against the endpoint's Date, the
 * caller's identity, which regions answer, every action each command needs (permissions.h)
 * checked with iam:SimulatePrincipalPolicy (the SCP and permissions-boundary decisions named;
 * cheap read probes when the simulation itself is denied), the service-linked role deletion
 * tasks cpwarden's journal knows that are pending or FAILED and what blocks them, recent
 * DeleteDomain failures in CloudTrail with the runbook's 15 minutes between attempts, and the
 * throttling the client saw. Each problem carries its fix.
 *
 * The checks are rows of a report; the verdict functions (cpw_doctor_check_*) are pure and take
 * what AWS answered, so each verdict and its fix text is unit-tested on canned answers;
 * cpw_doctor_run makes the calls. Ownership: the report owns its strings
 * (cpw_doctor_report_clean_up). Thread-safety: one report per thread.
 */
#ifndef CPW_DOCTOR_H
#define CPW_DOCTOR_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpw/aws_client.h"
#include "cpw/buf.h"
#include "cpw/permissions.h"

struct cpw_store;

/* The runbook: wait 15 minutes between DeleteDomain attempts. */
#define CPW_DOCTOR_DELETE_DOMAIN_WAIT_S (15 * 60)
/* SigV4 requests more than 5 minutes off the service's clock are refused (RequestTimeTooSkewed,
 * SignatureDoesNotMatch "Signature expired"); a skew of a minute is already worth fixing. */
#define CPW_DOCTOR_SKEW_FAIL_S 300
#define CPW_DOCTOR_SKEW_WARN_S 60

enum cpw_doctor_status {
    CPW_DOCTOR_OK,
    CPW_DOCTOR_INFO, /* worth knowing, needs nothing */
    CPW_DOCTOR_WARN, /* may make a step fail or wait; exit status unaffected */
    CPW_DOCTOR_FAIL, /* a step will fail: exit CPW_EXIT_PROBLEMS */
};

/** "ok", "info", "warn", "fail" (static storage). */
const char *cpw_doctor_status_name(enum cpw_doctor_status status);

/** One finding. Every string owned by the report; fix and subject may be NULL. */
struct cpw_doctor_check {
    char *account; /* 12 digits, or "" before the identity is known */
    char *check;   /* credentials, clock, identity, regions, permission, deletion-task,
                      delete-domain, throttling, organization */
    enum cpw_doctor_status status;
    char *subject; /* the action, region, task or domain the row is about */
    char *detail;  /* what was found */
    char *fix;     /* what to do (a policy statement as JSON, the SCP to look at, the time) */
};

struct cpw_doctor_report {
    struct cpw_doctor_check *checks;
    size_t count;
    size_t cap;
};

void cpw_doctor_report_init(struct cpw_doctor_report *report);
void cpw_doctor_report_clean_up(struct cpw_doctor_report *report);

/** Appends a row (strings copied; subject and fix may be NULL). */
void cpw_doctor_add(struct cpw_doctor_report *report,
                    const char *account,
                    const char *check,
                    enum cpw_doctor_status status,
                    const char *subject,
                    const char *detail,
                    const char *fix);

/** The worst status of the report's rows (CPW_DOCTOR_OK for none). */
enum cpw_doctor_status cpw_doctor_worst(const struct cpw_doctor_report *report);

/* ----- verdicts on what AWS answered (pure) -------------------------------------------------- */

/** One EvaluationResults member of iam:SimulatePrincipalPolicy / SimulateCustomPolicy. */
struct cpw_doctor_decision {
    char *action;              /* EvalActionName */
    char *resource;            /* EvalResourceName */
    char *decision;            /* allowed, explicitDeny, implicitDeny */
    bool organizations_denied; /* OrganizationsDecisionDetail.AllowedByOrganizations false */
    bool boundary_denied;      /* PermissionsBoundaryDecisionDetail.AllowedByPermissionsBoundary
                                  false */
    char *matched;             /* the MatchedStatements' SourcePolicyIds, comma-joined; NULL */
    char *missing_context;     /* MissingContextValues, comma-joined; NULL */
};

/**
 * Parses a Simulate*Policy output ({"EvaluationResults": [...]}) into *out (owned, free with
 * cpw_doctor_decisions_free). 0, or -1 with CPW_ERR_PARSE (no EvaluationResults array, a
 * member without EvalActionName or EvalDecision).
 */
int cpw_doctor_parse_simulation(const json_t *output,
                                struct cpw_doctor_decision **out,
                                size_t *count);
void cpw_doctor_decisions_free(struct cpw_doctor_decision *list, size_t count);

/**
 * The rows for one command's resource group of permission rows (rows[0..n), all of command and
 * group) given the decisions simulated for them (matched by action): one OK row per command
 * and group when all are allowed; else one FAIL row per denied action naming why (no
 * identity-based policy allows it / an explicit deny in an identity-based policy / an SCP /
 * the permissions boundary) with the fix: the missing statement as JSON for an implicit deny,
 * the policy to edit for an explicit one, "look at the SCPs of account ..." (scp_hint: the
 * SCPs found to deny it, or NULL) for an SCP. options expand the statement's resource.
 */
void cpw_doctor_check_permissions(struct cpw_doctor_report *report,
                                  const char *account,
                                  const struct cpw_permission *const *rows,
                                  size_t n,
                                  const struct cpw_doctor_decision *decisions,
                                  size_t decision_count,
                                  const char *scp_hint,
                                  const struct cpw_permissions_options *options);

/**
 * The clock row: the skew between local_s (when the answer arrived) and the answer's HTTP Date
 * header (RFC 7231 IMF-fixdate; NULL: no Date, an INFO row). FAIL beyond
 * CPW_DOCTOR_SKEW_FAIL_S, WARN beyond CPW_DOCTOR_SKEW_WARN_S, with the fix (sync the clock).
 */
void cpw_doctor_check_clock(struct cpw_doctor_report *report,
                            const char *account,
                            int64_t local_s,
                            const char *http_date);

/**
 * The row of one deletion task from its GetServiceLinkedRoleDeletionStatus output: SUCCEEDED
 * OK; NOT_STARTED or IN_PROGRESS WARN (wait, then `cpwarden apply` resumes); FAILED FAIL with
 * the Reason and each RoleUsageList region and resource that blocks it, the fix being to
 * delete or detach those first and apply again.
 */
void cpw_doctor_check_deletion_task(struct cpw_doctor_report *report,
                                    const char *account,
                                    const char *task_id,
                                    const json_t *status_output);

/** A DeleteDomain call that failed, from CloudTrail. */
struct cpw_doctor_delete_failure {
    const char *domain;
    const char *region;
    const char *error_code;
    int64_t at_s;
};

/**
 * The DeleteDomain rows: for each domain (the newest failure of each), WARN while the runbook's
 * CPW_DOCTOR_DELETE_DOMAIN_WAIT_S since the failure have not passed (the fix: the UTC time the
 * next attempt is allowed), INFO once they have. No failure: one OK row.
 */
void cpw_doctor_check_delete_failures(struct cpw_doctor_report *report,
                                      const char *account,
                                      const struct cpw_doctor_delete_failure *failures,
                                      size_t count,
                                      int64_t now_s);

/**
 * The throttling row from the client's counters: OK without throttled attempts, WARN with (how
 * many, and the fix: --max-attempts / AWS_RETRY_MODE=adaptive, fewer regions at a time).
 */
void cpw_doctor_check_throttling(struct cpw_doctor_report *report,
                                 const char *account,
                                 uint64_t requests,
                                 uint64_t throttles,
                                 uint64_t retries);

/* ----- the run -------------------------------------------------------------------------------- */

struct cpw_doctor_options {
    struct cpw_aws_client *client;                       /* the caller's, borrowed */
    const struct cpw_aws_client_options *client_options; /* for member clients (--org) */
    const char *credentials_source; /* where the chain found the credentials (credentials.h) */
    const char *access_key_id;      /* shown as its last 4 characters only; may be NULL */
    int64_t identity_local_s;       /* when GetCallerIdentity's answer arrived */
    const char *identity_date;      /* that answer's Date header; NULL: not seen */
    const char *account;            /* the caller's */
    const char *arn;
    const char *principal;      /* the IAM user or role whose permissions are simulated in the
                                   caller's account; NULL: the caller's own (an assumed role's role) */
    bool org;                   /* --org: every ACTIVE member too */
    const char *role_name;      /* assumed in members; NULL: the default */
    const char *const *regions; /* regions to check */
    size_t region_count;
    const char *const *commands; /* commands whose actions are checked; NULL: all but doctor */
    size_t command_count;
    struct cpw_store *store; /* the journal's deletion tasks; NULL: none */
    int64_t now_s;           /* 0: the clock */
    int64_t events_since_s;  /* CloudTrail window start; 0: now - 24 h */
};

/**
 * Runs every check into report. Returns 0 (problems are rows), or -1 only when nothing could be
 * checked at all (the error raised).
 */
int cpw_doctor_run(const struct cpw_doctor_options *options, struct cpw_doctor_report *report);

/* ----- output ----------------------------------------------------------------------------------
 */

/** {"status": worst, "checks": [{account, check, status, subject, detail, fix}]}. Owned. */
json_t *cpw_doctor_json(const struct cpw_doctor_report *report);
/** A text table (STATUS ACCOUNT CHECK SUBJECT DETAIL, the fix indented below). 0 or -1. */
int cpw_doctor_table(const struct cpw_doctor_report *report, struct cpw_buf *out);
/** Markdown: a table and the fixes as a list with code blocks. 0 or -1. */
int cpw_doctor_markdown(const struct cpw_doctor_report *report, struct cpw_buf *out);

#endif
