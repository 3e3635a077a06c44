/*
 * iam_policy_fixture.h - small builders for the IAM policy engine's unit tests: parse a policy
 * from text (failing the test when it does not parse) and evaluate one request.
 */
#ifndef CPW_TEST_IAM_POLICY_FIXTURE_H
#define CPW_TEST_IAM_POLICY_FIXTURE_H

#include <string.h>

#include "cpw/alloc.h"
#include "cpw/error.h"
#include "cpw/iam_policy.h"
#include "harness.h"

#define FX_ACCOUNT  "111122223333"
#define FX_OTHER    "444455556666"
#define FX_USER_ARN "arn:aws:iam::111122223333:user/alice"

/* Parses text as a policy of type; the test fails when it does not parse. Owned. */
static inline struct cpw_iam_policy *fx_policy(enum cpw_iam_policy_type type,
                                               const char *id,
                                               const char *text)
{
    struct cpw_iam_policy_parse_options o = { .type = type, .id = id };
    struct cpw_iam_policy *p = cpw_iam_policy_parse(cpw_span_from_cstr(text), &o);
    if (!p) {
        print_error("policy %s did not parse: %s\n", id, cpw_last_error_detail());
    }
    assert_non_null(p);
    return p;
}

/* An Allow or Deny statement document for one action and resource. */
static inline struct cpw_iam_policy *fx_simple(enum cpw_iam_policy_type type,
                                               const char *effect,
                                               const char *action,
                                               const char *resource)
{
    char text[1024];
    snprintf(text, sizeof(text),
             "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"S\",\"Effect\":\"%s\","
             "\"Action\":\"%s\",\"Resource\":\"%s\"}]}",
             effect, action, resource);
    return fx_policy(type, "simple", text);
}

/* The IAM user alice of FX_ACCOUNT asking for action on resource. */
static inline struct cpw_iam_request fx_user_request(const char *action,
                                                     const char *resource,
                                                     const struct cpw_iam_context *context)
{
    struct cpw_iam_request r = {
        .principal = { .kind = CPW_IAM_PRINCIPAL_USER, .arn = FX_USER_ARN, .account = FX_ACCOUNT },
        .action = action,
        .resource = resource,
        .context = context,
    };
    return r;
}

/* Evaluates and returns the decision kind; *denied_by receives the deciding type. */
static inline enum cpw_iam_decision_kind fx_decide(const struct cpw_iam_policy_set *set,
                                                   const struct cpw_iam_request *request,
                                                   enum cpw_iam_policy_type *denied_by)
{
    struct cpw_iam_decision d;
    assert_int_equal(cpw_iam_evaluate(set, request, &d), 0);
    enum cpw_iam_decision_kind k = d.decision;
    if (denied_by) {
        *denied_by = d.denied_by;
    }
    cpw_iam_decision_clean_up(&d);
    return k;
}

#endif
