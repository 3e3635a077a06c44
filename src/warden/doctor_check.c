/*
 * doctor_check.c - the doctor's report and its verdicts on what AWS answered (doctor.h): pure
 * functions from a Simulate*Policy answer, an HTTP Date, a deletion task's status, CloudTrail's
 * DeleteDomain failures and the client's counters to rows with their fixes.
 */
#include <stdio.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/doctor.h"
#include "cpw/error.h"
#include "cpw/json.h"
#include "cpw/time.h"

const char *cpw_doctor_status_name(enum cpw_doctor_status status)
{
    switch (status) {
    case CPW_DOCTOR_OK:
        return "ok";
    case CPW_DOCTOR_INFO:
        return "info";
    case CPW_DOCTOR_WARN:
        return "warn";
    case CPW_DOCTOR_FAIL:
        return "fail";
    }
    return "unknown";
}

void cpw_doctor_report_init(struct cpw_doctor_report *report)
{
    memset(report, 0, sizeof(*report));
}

void cpw_doctor_report_clean_up(struct cpw_doctor_report *report)
{
    if (!report) {
        return;
    }
    for (size_t i = 0; i < report->count; i++) {
        struct cpw_doctor_check *c = &report->checks[i];
        cpw_free(c->account);
        cpw_free(c->check);
        cpw_free(c->subject);
        cpw_free(c->detail);
        cpw_free(c->fix);
    }
    cpw_free(report->checks);
    memset(report, 0, sizeof(*report));
}

void cpw_doctor_add(struct cpw_doctor_report *report,
                    const char *account,
                    const char *check,
                    enum cpw_doctor_status status,
                    const char *subject,
                    const char *detail,
                    const char *fix)
{
    if (report->count == report->cap) {
        size_t cap = report->cap ? report->cap * 2 : 32;
        struct cpw_doctor_check *grown = cpw_calloc(cap, sizeof(*grown));
        if (report->count) {
            memcpy(grown, report->checks, report->count * sizeof(*grown));
        }
        cpw_free(report->checks);
        report->checks = grown;
        report->cap = cap;
    }
    struct cpw_doctor_check *c = &report->checks[report->count++];
    c->account = cpw_strdup(account ? account : "");
    c->check = cpw_strdup(check);
    c->status = status;
    c->subject = subject ? cpw_strdup(subject) : NULL;
    c->detail = cpw_strdup(detail ? detail : "");
    c->fix = fix ? cpw_strdup(fix) : NULL;
}

enum cpw_doctor_status cpw_doctor_worst(const struct cpw_doctor_report *report)
{
    enum cpw_doctor_status worst = CPW_DOCTOR_OK;
    for (size_t i = 0; i < report->count; i++) {
        worst = report->checks[i].status > worst ? report->checks[i].status : worst;
    }
    return worst;
}

/* ----- Simulate*Policy ------------------------------------------------------------------------ */

void cpw_doctor_decisions_free(struct cpw_doctor_decision *list, size_t count)
{
    for (size_t i = 0; list && i < count; i++) {
        cpw_free(list[i].action);
        cpw_free(list[i].resource);
        cpw_free(list[i].decision);
        cpw_free(list[i].matched);
        cpw_free(list[i].missing_context);
    }
    cpw_free(list);
}

/* The strings of an array (of strings, or of objects' key member) comma-joined; NULL if none. */
static char *s_join(const json_t *array, const char *key)
{
    struct cpw_buf b;
    cpw_buf_init(&b, 64u * 1024u);
    size_t i;
    const json_t *v;
    int rc = 0;
    json_array_foreach(array, i, v)
    {
        const char *s = key ? cpw_json_get_string(v, key) : json_string_value(v);
        if (s && *s) {
            rc = rc ? rc : cpw_buf_appendf(&b, "%s%s", b.len ? ", " : "", s);
        }
    }
    char *out = rc == 0 && b.len ? cpw_strdup(cpw_buf_cstr(&b)) : NULL;
    cpw_buf_clean_up(&b);
    return out;
}

int cpw_doctor_parse_simulation(const json_t *output,
                                struct cpw_doctor_decision **out,
                                size_t *count)
{
    *out = NULL;
    *count = 0;
    const json_t *results = cpw_json_get(output, "EvaluationResults");
    if (!json_is_array(results)) {
        return cpw_raise(CPW_ERR_PARSE, "simulation: no EvaluationResults list");
    }
    size_t n = json_array_size(results);
    struct cpw_doctor_decision *list = cpw_calloc(n ? n : 1, sizeof(*list));
    for (size_t i = 0; i < n; i++) {
        const json_t *r = json_array_get(results, i);
        const char *action = cpw_json_get_string(r, "EvalActionName");
        const char *decision = cpw_json_get_string(r, "EvalDecision");
        if (!action || !decision) {
            cpw_doctor_decisions_free(list, i);
            return cpw_raise(CPW_ERR_PARSE,
                             "simulation: EvaluationResults[%zu] without EvalActionName or "
                             "EvalDecision",
                             i);
        }
        const char *resource = cpw_json_get_string(r, "EvalResourceName");
        list[i].action = cpw_strdup(action);
        list[i].resource = cpw_strdup(resource ? resource : "*");
        list[i].decision = cpw_strdup(decision);
        const json_t *org = cpw_json_get(r, "OrganizationsDecisionDetail");
        const json_t *allowed_org = cpw_json_get(org, "AllowedByOrganizations");
        list[i].organizations_denied = json_is_false(allowed_org);
        const json_t *pb = cpw_json_get(r, "PermissionsBoundaryDecisionDetail");
        list[i].boundary_denied = json_is_false(cpw_json_get(pb, "AllowedByPermissionsBoundary"));
        list[i].matched = s_join(cpw_json_get(r, "MatchedStatements"), "SourcePolicyId");
        list[i].missing_context = s_join(cpw_json_get(r, "MissingContextValues"), NULL);
    }
    *out = list;
    *count = n;
    return 0;
}

static const struct cpw_doctor_decision *s_decision(const struct cpw_doctor_decision *list,
                                                    size_t n,
                                                    const char *action)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(list[i].action, action) == 0) {
            return &list[i];
        }
    }
    return NULL;
}

/* The fix for one denied action: what to change, and the statement that would allow it. */
static void s_denied(struct cpw_doctor_report *report,
                     const char *account,
                     const struct cpw_permission *row,
                     const struct cpw_doctor_decision *d,
                     const char *scp_hint,
                     const struct cpw_permissions_options *options)
{
    char detail[1024];
    struct cpw_buf fix;
    cpw_buf_init(&fix, 64u * 1024u);
    const char *when = row->when ? row->when : "every run";
    int rc = 0;
    if (!d) {
        snprintf(detail, sizeof(detail),
                 "cpwarden %s (%s) needs %s: not in the simulation's answer", row->command, when,
                 row->action);
        rc = cpw_buf_appendf(&fix, "run doctor again; if this stays, check with "
                                   "'aws iam simulate-principal-policy'");
    } else if (d->organizations_denied) {
        snprintf(detail, sizeof(detail),
                 "cpwarden %s (%s) needs %s on %s: denied by a service control policy (SCP) "
                 "of the organization",
                 row->command, when, row->action, d->resource);
        rc = scp_hint ? cpw_buf_appendf(&fix, "%s", scp_hint)
                      : cpw_buf_appendf(&fix,
                                        "ask the management account to look at the SCPs "
                                        "attached to account %s, its OUs and the root "
                                        "(organizations list-policies-for-target --filter "
                                        "SERVICE_CONTROL_POLICY): one denies %s, or none allows "
                                        "it",
                                        account, row->action);
    } else if (d->boundary_denied) {
        snprintf(detail, sizeof(detail),
                 "cpwarden %s (%s) needs %s on %s: not allowed by the principal's permissions "
                 "boundary",
                 row->command, when, row->action, d->resource);
        rc = cpw_buf_appendf(&fix,
                             "the permissions boundary of the principal must allow %s (add it "
                             "to the boundary policy, or remove the boundary)",
                             row->action);
    } else if (strcmp(d->decision, "explicitDeny") == 0) {
        snprintf(detail, sizeof(detail),
                 "cpwarden %s (%s) needs %s on %s: explicitly denied by an identity-based "
                 "policy%s%s",
                 row->command, when, row->action, d->resource, d->matched ? ": " : "",
                 d->matched ? d->matched : "");
        rc = cpw_buf_appendf(&fix, "remove or narrow the Deny statement of %s that names %s",
                             d->matched ? d->matched : "the principal's policies", row->action);
    } else {
        char context[512] = "";
        if (d->missing_context) {
            snprintf(context, sizeof(context), " (context keys the simulation lacked: %s)",
                     d->missing_context);
        }
        snprintf(detail, sizeof(detail),
                 "cpwarden %s (%s) needs %s on %s: no identity-based policy allows it%s",
                 row->command, when, row->action, d->resource, context);
        const struct cpw_permission *one[1] = { row };
        json_t *st = cpw_permissions_statement(one, 1, options);
        rc = cpw_buf_append_cstr(&fix, "add to the principal's policy: ");
        rc = rc ? rc : cpw_json_dump_with(st, CPW_JSON_DUMP_COMPACT, &fix);
        cpw_json_release(st);
    }
    cpw_doctor_add(report, account, "permission", CPW_DOCTOR_FAIL, row->action, detail,
                   rc == 0 ? cpw_buf_cstr(&fix) : NULL);
    cpw_buf_clean_up(&fix);
}

void cpw_doctor_check_permissions(struct cpw_doctor_report *report,
                                  const char *account,
                                  const struct cpw_permission *const *rows,
                                  size_t n,
                                  const struct cpw_doctor_decision *decisions,
                                  size_t decision_count,
                                  const char *scp_hint,
                                  const struct cpw_permissions_options *options)
{
    size_t denied = 0;
    for (size_t i = 0; i < n; i++) {
        const struct cpw_doctor_decision *d =
          s_decision(decisions, decision_count, rows[i]->action);
        if (d && strcmp(d->decision, "allowed") == 0) {
            continue;
        }
        s_denied(report, account, rows[i], d, scp_hint, options);
        denied++;
    }
    if (n > 0 && denied == 0) {
        char subject[160];
        char detail[640];
        char arn[512];
        if (cpw_permissions_resource(rows[0]->resource, options, arn, sizeof(arn))) {
            cpw_error_clear();
            snprintf(arn, sizeof(arn), "%s", cpw_permissions_resource_template(rows[0]->resource));
        }
        snprintf(subject, sizeof(subject), "%s %s", rows[0]->command,
                 cpw_permissions_resource_label(rows[0]->resource));
        snprintf(detail, sizeof(detail), "%zu action%s allowed on %s", n, n == 1 ? "" : "s", arn);
        cpw_doctor_add(report, account, "permission", CPW_DOCTOR_OK, subject, detail, NULL);
    }
}

/* ----- the clock ------------------------------------------------------------------------------ */

void cpw_doctor_check_clock(struct cpw_doctor_report *report,
                            const char *account,
                            int64_t local_s,
                            const char *http_date)
{
    int64_t server_s = 0;
    if (!http_date || cpw_time_parse_http_date(cpw_span_from_cstr(http_date), &server_s) != 0) {
        cpw_error_clear();
        cpw_doctor_add(report, account, "clock", CPW_DOCTOR_INFO, NULL,
                       "the endpoint's answer had no Date header to compare the clock with", NULL);
        return;
    }
    int64_t skew = local_s - server_s;
    int64_t abs_skew = skew < 0 ? -skew : skew;
    char detail[256];
    snprintf(detail, sizeof(detail), "local clock %s the endpoint's Date (%s) by %lld s",
             skew >= 0 ? "ahead of" : "behind", http_date, (long long)abs_skew);
    if (abs_skew > CPW_DOCTOR_SKEW_FAIL_S) {
        cpw_doctor_add(report, account, "clock", CPW_DOCTOR_FAIL, NULL, detail,
                       "synchronise the clock (timedatectl set-ntp true, chronyc makestep): AWS "
                       "refuses requests signed more than 5 minutes off its time");
    } else if (abs_skew > CPW_DOCTOR_SKEW_WARN_S) {
        cpw_doctor_add(report, account, "clock", CPW_DOCTOR_WARN, NULL, detail,
                       "synchronise the clock (timedatectl set-ntp true) before it drifts past "
                       "the 5 minutes AWS allows");
    } else {
        cpw_doctor_add(report, account, "clock", CPW_DOCTOR_OK, NULL, detail, NULL);
    }
}

/* ----- deletion tasks ------------------------------------------------------------------------- */

void cpw_doctor_check_deletion_task(struct cpw_doctor_report *report,
                                    const char *account,
                                    const char *task_id,
                                    const json_t *status_output)
{
    const char *status = cpw_json_get_string(status_output, "Status");
    status = status ? status : "UNKNOWN";
    char detail[2048];
    if (strcmp(status, "SUCCEEDED") == 0) {
        cpw_doctor_add(report, account, "deletion-task", CPW_DOCTOR_OK, task_id,
                       "SUCCEEDED: the role is deleted", NULL);
        return;
    }
    if (strcmp(status, "IN_PROGRESS") == 0 || strcmp(status, "NOT_STARTED") == 0) {
        snprintf(detail, sizeof(detail), "%s: IAM has not finished deleting the role", status);
        cpw_doctor_add(report, account, "deletion-task", CPW_DOCTOR_WARN, task_id, detail,
                       "wait for the task to end, then run 'cpwarden apply PLAN' again: it "
                       "resumes at the poll step");
        return;
    }
    const json_t *reason = cpw_json_get(status_output, "Reason");
    const char *why = cpw_json_get_string(reason, "Reason");
    struct cpw_buf blocks;
    cpw_buf_init(&blocks, 64u * 1024u);
    size_t i;
    const json_t *usage;
    int rc = 0;
    json_array_foreach(cpw_json_get(reason, "RoleUsageList"), i, usage)
    {
        const char *region = cpw_json_get_string(usage, "Region");
        size_t k;
        const json_t *res;
        json_array_foreach(cpw_json_get(usage, "Resources"), k, res)
        {
            rc = rc ? rc
                    : cpw_buf_appendf(&blocks, "%s%s (%s)", blocks.len ? ", " : "",
                                      json_string_value(res) ? json_string_value(res) : "?",
                                      region ? region : "?");
        }
    }
    snprintf(detail, sizeof(detail), "%s%s%s%s%s", status, why ? ": " : "", why ? why : "",
             blocks.len ? "; still used by " : "", blocks.len ? cpw_buf_cstr(&blocks) : "");
    char fix[2304];
    if (blocks.len) {
        snprintf(fix, sizeof(fix),
                 "delete (or detach from the role) what still uses it: %s; then run "
                 "'cpwarden plan' and 'cpwarden apply' again",
                 cpw_buf_cstr(&blocks));
    } else {
        snprintf(fix, sizeof(fix),
                 "read the reason; once nothing uses the role, run 'cpwarden plan' and "
                 "'cpwarden apply' again");
    }
    cpw_buf_clean_up(&blocks);
    cpw_doctor_add(report, account, "deletion-task",
                   strcmp(status, "FAILED") == 0 ? CPW_DOCTOR_FAIL : CPW_DOCTOR_WARN, task_id,
                   detail, fix);
}

/* ----- DeleteDomain failures -------------------------------------------------------------------
 */

void cpw_doctor_check_delete_failures(struct cpw_doctor_report *report,
                                      const char *account,
                                      const struct cpw_doctor_delete_failure *failures,
                                      size_t count,
                                      int64_t now_s)
{
    size_t reported = 0;
    for (size_t i = 0; i < count; i++) {
        /* the newest failure of each domain and region only */
        bool newer = false;
        for (size_t k = 0; k < count && !newer; k++) {
            newer = k != i && strcmp(failures[k].domain, failures[i].domain) == 0 &&
                    strcmp(failures[k].region, failures[i].region) == 0 &&
                    (failures[k].at_s > failures[i].at_s ||
                     (failures[k].at_s == failures[i].at_s && k > i));
        }
        if (newer) {
            continue;
        }
        char at[CPW_TIME_ISO8601_LEN + 1];
        char next[CPW_TIME_ISO8601_LEN + 1];
        int64_t next_s = failures[i].at_s + CPW_DOCTOR_DELETE_DOMAIN_WAIT_S;
        if (cpw_time_format_iso8601(failures[i].at_s, at) ||
            cpw_time_format_iso8601(next_s, next)) {
            cpw_error_clear();
            continue;
        }
        char subject[320];
        char detail[512];
        char fix[512];
        snprintf(subject, sizeof(subject), "%s %s", failures[i].region, failures[i].domain);
        snprintf(detail, sizeof(detail), "DeleteDomain failed at %s with %s", at,
                 failures[i].error_code);
        reported++;
        if (now_s < next_s) {
            snprintf(fix, sizeof(fix),
                     "wait 15 minutes between attempts (the runbook): the next attempt is "
                     "allowed at %s, in %lld min",
                     next, (long long)((next_s - now_s + 59) / 60));
            cpw_doctor_add(report, account, "delete-domain", CPW_DOCTOR_WARN, subject, detail, fix);
        } else {
            snprintf(fix, sizeof(fix),
                     "15 minutes have passed since (%s): a new attempt is allowed; if it "
                     "fails again, read the error first",
                     next);
            cpw_doctor_add(report, account, "delete-domain", CPW_DOCTOR_INFO, subject, detail, fix);
        }
    }
    if (reported == 0) {
        cpw_doctor_add(report, account, "delete-domain", CPW_DOCTOR_OK, NULL,
                       "no failed DeleteDomain in CloudTrail in the window looked at", NULL);
    }
}

/* ----- throttling ------------------------------------------------------------------------------
 */

void cpw_doctor_check_throttling(struct cpw_doctor_report *report,
                                 const char *account,
                                 uint64_t requests,
                                 uint64_t throttles,
                                 uint64_t retries)
{
    char detail[256];
    snprintf(detail, sizeof(detail), "%llu of %llu requests throttled, %llu retried",
             (unsigned long long)throttles, (unsigned long long)requests,
             (unsigned long long)retries);
    if (throttles == 0) {
        cpw_doctor_add(report, account, "throttling", CPW_DOCTOR_OK, NULL, detail, NULL);
        return;
    }
    cpw_doctor_add(report, account, "throttling", CPW_DOCTOR_WARN, NULL, detail,
                   "another client is using the same API quota: run at a quieter time, with "
                   "AWS_RETRY_MODE=adaptive and a higher AWS_MAX_ATTEMPTS, or fewer --regions "
                   "at once");
}
