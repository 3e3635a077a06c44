/*
 * test_doctor.c - the doctor's verdicts on canned AWS answers: SimulatePrincipalPolicy results
 * parsed (decisions, SCP and boundary details, matched statements, missing context), each cause
 * of a denial named with its fix (the missing statement as JSON, the SCP, the boundary, the Deny
 * statement), the clock skew thresholds, deletion tasks and what blocks them, DeleteDomain's 15
 * minutes between attempts, throttling, and the report's three outputs.
 */
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/buf.h"
#include "cpw/doctor.h"
#include "cpw/error.h"
#include "cpw/json.h"
#include "cpw/permissions.h"
#include "harness.h"

#define T0 1796400000 /* 2026-12-04T16:00:00Z */

/* An iam:SimulatePrincipalPolicy answer as the client parses it from AWS's XML. */
static const char s_answer[] =
  "{\"EvaluationResults\": ["
  " {\"EvalActionName\": \"profile:GetDomain\", \"EvalResourceName\": "
  "  \"arn:aws:profile:*:200000000002:domains/*\", \"EvalDecision\": \"allowed\","
  "  \"MatchedStatements\": [{\"SourcePolicyId\": \"cpwarden\", \"SourcePolicyType\": "
  "  \"IAM Policy\"}], \"MissingContextValues\": [],"
  "  \"OrganizationsDecisionDetail\": {\"AllowedByOrganizations\": true}},"
  " {\"EvalActionName\": \"profile:DeleteDomain\", \"EvalResourceName\": "
  "  \"arn:aws:profile:*:200000000002:domains/*\", \"EvalDecision\": \"explicitDeny\","
  "  \"MatchedStatements\": [], \"MissingContextValues\": [],"
  "  \"OrganizationsDecisionDetail\": {\"AllowedByOrganizations\": false}},"
  " {\"EvalActionName\": \"profile:DeleteIntegration\", \"EvalResourceName\": "
  "  \"arn:aws:profile:*:200000000002:domains/*\", \"EvalDecision\": \"implicitDeny\","
  "  \"MatchedStatements\": [], \"MissingContextValues\": [\"aws:RequestedRegion\"]},"
  " {\"EvalActionName\": \"profile:ListIntegrations\", \"EvalResourceName\": "
  "  \"arn:aws:profile:*:200000000002:domains/*\", \"EvalDecision\": \"implicitDeny\","
  "  \"PermissionsBoundaryDecisionDetail\": {\"AllowedByPermissionsBoundary\": false}},"
  " {\"EvalActionName\": \"profile:ListTagsForResource\", \"EvalResourceName\": "
  "  \"arn:aws:profile:*:200000000002:domains/*\", \"EvalDecision\": \"explicitDeny\","
  "  \"MatchedStatements\": [{\"SourcePolicyId\": \"no-tags\", \"SourcePolicyType\": "
  "  \"IAM Policy\"}]}"
  "]}";

static void s_parse(struct cpw_doctor_decision **d, size_t *n)
{
    json_t *doc = cpw_json_load_cstr(s_answer);
    assert_non_null(doc);
    assert_int_equal(cpw_doctor_parse_simulation(doc, d, n), 0);
    cpw_json_release(doc);
}

static void test_parse_simulation(void **state)
{
    (void)state;
    struct cpw_doctor_decision *d = NULL;
    size_t n = 0;
    s_parse(&d, &n);
    assert_int_equal(n, 5);
    assert_string_equal(d[0].decision, "allowed");
    assert_string_equal(d[0].matched, "cpwarden");
    assert_false(d[0].organizations_denied);
    assert_string_equal(d[1].action, "profile:DeleteDomain");
    assert_true(d[1].organizations_denied);
    assert_null(d[1].matched);
    assert_string_equal(d[2].missing_context, "aws:RequestedRegion");
    assert_true(d[3].boundary_denied);
    assert_false(d[3].organizations_denied); /* no detail: not denied by it */
    assert_string_equal(d[4].matched, "no-tags");
    cpw_doctor_decisions_free(d, n);

    json_t *bad = cpw_json_load_cstr("{\"EvaluationResults\": [{\"EvalActionName\": \"a:B\"}]}");
    assert_int_equal(cpw_doctor_parse_simulation(bad, &d, &n), -1);
    assert_int_equal(cpw_last_error(), CPW_ERR_PARSE);
    assert_null(d);
    cpw_error_clear();
    cpw_json_release(bad);
    json_t *none = cpw_json_load_cstr("{}");
    assert_int_equal(cpw_doctor_parse_simulation(none, &d, &n), -1);
    cpw_error_clear();
    cpw_json_release(none);
}

/* apply's rows on Customer Profiles domains. */
static size_t s_apply_domain_rows(const struct cpw_permission **rows)
{
    size_t count = 0;
    size_t n = 0;
    const struct cpw_permission *all = cpw_permissions(&count);
    for (size_t i = 0; i < count; i++) {
        if (strcmp(all[i].command, "apply") == 0 &&
            all[i].resource == CPW_PERMISSIONS_RES_DOMAINS) {
            rows[n++] = &all[i];
        }
    }
    return n;
}

static const struct cpw_doctor_check *s_row(const struct cpw_doctor_report *r, const char *subject)
{
    for (size_t i = 0; i < r->count; i++) {
        if (r->checks[i].subject && strcmp(r->checks[i].subject, subject) == 0) {
            return &r->checks[i];
        }
    }
    return NULL;
}

static void test_permission_verdicts(void **state)
{
    (void)state;
    struct cpw_doctor_decision *d = NULL;
    size_t n = 0;
    s_parse(&d, &n);
    const struct cpw_permission *rows[64];
    size_t rn = s_apply_domain_rows(rows);
    assert_true(rn > 5);
    struct cpw_permissions_options po = { .account = "200000000002" };
    struct cpw_doctor_report r;
    cpw_doctor_report_init(&r);
    cpw_doctor_check_permissions(&r, "200000000002", rows, rn, d, n,
                                 "look at SCP p-deny1 (DenyDeleteDomain) attached to ou-ab12", &po);
    assert_int_equal(cpw_doctor_worst(&r), CPW_DOCTOR_FAIL);
    /* allowed: no row of its own */
    assert_null(s_row(&r, "profile:GetDomain"));
    /* SCP: the cause and the SCP named */
    const struct cpw_doctor_check *c = s_row(&r, "profile:DeleteDomain");
    assert_non_null(c);
    assert_int_equal(c->status, CPW_DOCTOR_FAIL);
    assert_non_null(strstr(c->detail, "service control policy"));
    assert_non_null(strstr(c->fix, "p-deny1 (DenyDeleteDomain)"));
    /* implicit deny: the missing statement as JSON, scoped to the account */
    c = s_row(&r, "profile:DeleteIntegration");
    assert_non_null(strstr(c->detail, "no identity-based policy allows it"));
    assert_non_null(strstr(c->detail, "aws:RequestedRegion"));
    assert_non_null(
      strstr(c->fix, "{\"Sid\":\"ApplyProfileDomains\",\"Effect\":\"Allow\",\"Action\":[\"profile:"
                     "DeleteIntegration\"],\"Resource\":\"arn:aws:profile:*:200000000002:domains/"
                     "*\"}"));
    /* boundary */
    c = s_row(&r, "profile:ListIntegrations");
    assert_non_null(strstr(c->detail, "permissions boundary"));
    assert_non_null(strstr(c->fix, "boundary"));
    /* explicit deny in an identity policy: the policy named */
    c = s_row(&r, "profile:ListTagsForResource");
    assert_non_null(strstr(c->detail, "explicitly denied"));
    assert_non_null(strstr(c->fix, "no-tags"));
    /* an action the answer did not cover is a failure too, never taken as allowed */
    c = s_row(&r, "profile:ListWorkflows");
    assert_non_null(c);
    assert_int_equal(c->status, CPW_DOCTOR_FAIL);
    cpw_doctor_report_clean_up(&r);

    /* without an SCP hint: where to look */
    cpw_doctor_report_init(&r);
    cpw_doctor_check_permissions(&r, "200000000002", rows, rn, d, n, NULL, &po);
    c = s_row(&r, "profile:DeleteDomain");
    assert_non_null(strstr(c->fix, "SCPs attached to account 200000000002"));
    cpw_doctor_report_clean_up(&r);
    cpw_doctor_decisions_free(d, n);
}

static void test_all_allowed(void **state)
{
    (void)state;
    const struct cpw_permission *rows[64];
    size_t rn = s_apply_domain_rows(rows);
    struct cpw_doctor_decision *d = cpw_calloc(rn, sizeof(*d));
    for (size_t i = 0; i < rn; i++) {
        d[i].action = cpw_strdup(rows[i]->action);
        d[i].resource = cpw_strdup("arn:aws:profile:*:*:domains/*");
        d[i].decision = cpw_strdup("allowed");
    }
    struct cpw_doctor_report r;
    cpw_doctor_report_init(&r);
    cpw_doctor_check_permissions(&r, "123456789012", rows, rn, d, rn, NULL, NULL);
    assert_int_equal(r.count, 1);
    assert_int_equal(r.checks[0].status, CPW_DOCTOR_OK);
    assert_string_equal(r.checks[0].subject, "apply ProfileDomains");
    assert_null(r.checks[0].fix);
    cpw_doctor_report_clean_up(&r);
    cpw_doctor_decisions_free(d, rn);
}

static void test_clock(void **state)
{
    (void)state;
    struct cpw_doctor_report r;
    cpw_doctor_report_init(&r);
    const char *date = "Fri, 04 Dec 2026 16:00:00 GMT"; /* T0 */
    cpw_doctor_check_clock(&r, "1", T0 + 3, date);
    cpw_doctor_check_clock(&r, "1", T0 - 120, date);
    cpw_doctor_check_clock(&r, "1", T0 + 301, date);
    cpw_doctor_check_clock(&r, "1", T0, NULL);
    assert_int_equal(r.count, 4);
    assert_int_equal(r.checks[0].status, CPW_DOCTOR_OK);
    assert_non_null(strstr(r.checks[0].detail, "ahead of the endpoint's Date"));
    assert_non_null(strstr(r.checks[0].detail, "by 3 s"));
    assert_int_equal(r.checks[1].status, CPW_DOCTOR_WARN);
    assert_non_null(strstr(r.checks[1].detail, "behind"));
    assert_int_equal(r.checks[2].status, CPW_DOCTOR_FAIL);
    assert_non_null(strstr(r.checks[2].fix, "5 minutes"));
    assert_int_equal(r.checks[3].status, CPW_DOCTOR_INFO);
    cpw_doctor_report_clean_up(&r);
}

static void test_deletion_tasks(void **state)
{
    (void)state;
    struct cpw_doctor_report r;
    cpw_doctor_report_init(&r);
    json_t *failed = cpw_json_load_cstr(
      "{\"Status\": \"FAILED\", \"Reason\": {\"Reason\": \"The role is in use\", "
      "\"RoleUsageList\": [{\"Region\": \"eu-west-2\", \"Resources\": "
      "[\"arn:aws:profile:eu-west-2:123456789012:domains/retired\"]}]}}");
    json_t *pending = cpw_json_load_cstr("{\"Status\": \"IN_PROGRESS\"}");
    json_t *done = cpw_json_load_cstr("{\"Status\": \"SUCCEEDED\"}");
    cpw_doctor_check_deletion_task(&r, "123456789012", "task/a", failed);
    cpw_doctor_check_deletion_task(&r, "123456789012", "task/b", pending);
    cpw_doctor_check_deletion_task(&r, "123456789012", "task/c", done);
    assert_int_equal(r.checks[0].status, CPW_DOCTOR_FAIL);
    assert_non_null(strstr(r.checks[0].detail, "FAILED: The role is in use"));
    assert_non_null(strstr(r.checks[0].detail,
                           "arn:aws:profile:eu-west-2:123456789012:domains/retired (eu-west-2)"));
    assert_non_null(strstr(r.checks[0].fix, "domains/retired"));
    assert_int_equal(r.checks[1].status, CPW_DOCTOR_WARN);
    assert_non_null(strstr(r.checks[1].fix, "resumes"));
    assert_int_equal(r.checks[2].status, CPW_DOCTOR_OK);
    cpw_json_release(failed);
    cpw_json_release(pending);
    cpw_json_release(done);
    cpw_doctor_report_clean_up(&r);
}

static void test_delete_domain_wait(void **state)
{
    (void)state;
    struct cpw_doctor_delete_failure f[] = {
        { "retired", "eu-west-2", "AccessDeniedException", T0 - 600 },
        { "retired", "eu-west-2", "ThrottlingException", T0 - 1800 }, /* older: not reported */
        { "old", "us-east-1", "InternalServerException", T0 - 3600 },
    };
    struct cpw_doctor_report r;
    cpw_doctor_report_init(&r);
    cpw_doctor_check_delete_failures(&r, "123456789012", f, 3, T0);
    assert_int_equal(r.count, 2);
    const struct cpw_doctor_check *c = s_row(&r, "eu-west-2 retired");
    assert_int_equal(c->status, CPW_DOCTOR_WARN);
    assert_non_null(strstr(c->detail, "AccessDeniedException"));
    /* failed at 15:50, so the next attempt is allowed at 16:05, in 5 minutes */
    assert_non_null(strstr(c->fix, "allowed at 2026-12-04T16:05:00Z, in 5 min"));
    c = s_row(&r, "us-east-1 old");
    assert_int_equal(c->status, CPW_DOCTOR_INFO);
    cpw_doctor_report_clean_up(&r);
    cpw_doctor_report_init(&r);
    cpw_doctor_check_delete_failures(&r, "123456789012", NULL, 0, T0);
    assert_int_equal(r.count, 1);
    assert_int_equal(r.checks[0].status, CPW_DOCTOR_OK);
    cpw_doctor_report_clean_up(&r);
}

static void test_throttling_and_outputs(void **state)
{
    (void)state;
    struct cpw_doctor_report r;
    cpw_doctor_report_init(&r);
    cpw_doctor_check_throttling(&r, "123456789012", 40, 0, 0);
    assert_int_equal(cpw_doctor_worst(&r), CPW_DOCTOR_OK);
    cpw_doctor_check_throttling(&r, "123456789012", 40, 3, 3);
    assert_int_equal(r.checks[1].status, CPW_DOCTOR_WARN);
    assert_non_null(strstr(r.checks[1].detail, "3 of 40 requests throttled"));
    cpw_doctor_add(&r, "200000000002", "permission", CPW_DOCTOR_FAIL, "profile:DeleteDomain",
                   "denied | by an SCP", "look at SCP p-1");
    json_t *doc = cpw_doctor_json(&r);
    assert_string_equal(cpw_json_get_string(doc, "status"), "fail");
    assert_int_equal(json_integer_value(cpw_json_get(doc, "problems")), 1);
    assert_int_equal(json_array_size(cpw_json_get(doc, "checks")), 3);
    assert_true(json_is_null(cpw_json_get(json_array_get(cpw_json_get(doc, "checks"), 0), "fix")) ||
                cpw_json_get(json_array_get(cpw_json_get(doc, "checks"), 0), "fix") == NULL);
    cpw_json_release(doc);
    struct cpw_buf b;
    cpw_buf_init(&b, 1u << 20);
    assert_int_equal(cpw_doctor_table(&r, &b), 0);
    assert_non_null(strstr(cpw_buf_cstr(&b), "FAIL   200000000002 permission"));
    assert_non_null(strstr(cpw_buf_cstr(&b), "       fix: look at SCP p-1\n"));
    assert_non_null(strstr(cpw_buf_cstr(&b), "1 problem found"));
    cpw_buf_reset(&b);
    assert_int_equal(cpw_doctor_markdown(&r, &b), 0);
    assert_non_null(strstr(cpw_buf_cstr(&b), "denied \\| by an SCP"));
    assert_non_null(strstr(cpw_buf_cstr(&b), "## Fixes"));
    cpw_buf_clean_up(&b);
    cpw_doctor_report_clean_up(&r);
}

CPW_TEST_MAIN("doctor",
              CPW_TEST(test_parse_simulation),
              CPW_TEST(test_permission_verdicts),
              CPW_TEST(test_all_allowed),
              CPW_TEST(test_clock),
              CPW_TEST(test_deletion_tasks),
              CPW_TEST(test_delete_domain_wait),
              CPW_TEST(test_throttling_and_outputs))
