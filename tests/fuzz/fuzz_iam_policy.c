/*
 * fuzz_iam_policy.c - the IAM policy parser and evaluator on arbitrary bytes. The input is read
 * as a policy of every type; a refusal must carry one of IAM's MalformedPolicyDocument messages
 * (CPW_ERR_VALIDATION, or CPW_ERR_LIMIT past the size cap), and an accepted policy is evaluated
 * against a request whose context holds single-valued, multivalued and empty keys, so whatever
 * the document says reaches the wildcard matcher, the variable expander and every operator. The
 * decision must be one of the three outcomes and a denial must have a message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/error.h"
#include "cpw/iam_policy.h"

static struct cpw_iam_context *s_context(void)
{
    struct cpw_iam_context *c = cpw_iam_context_new();
    (void)cpw_iam_context_set(c, "aws:username", "alice");
    (void)cpw_iam_context_set(c, "aws:userid", "AIDAEXAMPLE");
    (void)cpw_iam_context_set(c, "aws:PrincipalAccount", "111122223333");
    (void)cpw_iam_context_set(c, "aws:PrincipalArn", "arn:aws:iam::111122223333:user/alice");
    (void)cpw_iam_context_set(c, "aws:PrincipalTag/team", "blue*?");
    (void)cpw_iam_context_set(c, "aws:SourceIp", "203.0.113.7");
    (void)cpw_iam_context_set(c, "aws:CurrentTime", "2026-12-05T01:00:00Z");
    (void)cpw_iam_context_set(c, "aws:SecureTransport", "true");
    (void)cpw_iam_context_set(c, "s3:max-keys", "10");
    (void)cpw_iam_context_add(c, "aws:TagKeys", "env");
    (void)cpw_iam_context_add(c, "aws:TagKeys", "team");
    (void)cpw_iam_context_add(c, "aws:CalledVia", NULL);
    return c;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cpw_iam_context *ctx = s_context();
    for (int t = 0; t < CPW_IAM_POLICY_TYPE_COUNT_; t++) {
        struct cpw_iam_policy_parse_options o = { .type = (enum cpw_iam_policy_type)t,
                                                  .id = "fuzz" };
        struct cpw_iam_policy *p = cpw_iam_policy_parse(cpw_span_from(data, size), &o);
        if (!p) {
            enum cpw_error e = cpw_last_error();
            if (e != CPW_ERR_VALIDATION && e != CPW_ERR_LIMIT) {
                abort();
            }
            continue;
        }
        if (cpw_iam_policy_statement_count(p) == 0) {
            abort();
        }
        const struct cpw_iam_policy *list[] = { p };
        struct cpw_iam_org_level level = { .target_id = "r-1", .policies = list, .count = 1 };
        struct cpw_iam_policy_set set = { 0 };
        switch ((enum cpw_iam_policy_type)t) {
        case CPW_IAM_POLICY_RESOURCE:
            set.resource = p;
            break;
        case CPW_IAM_POLICY_SCP:
            set.scp_levels = &level;
            set.scp_level_count = 1;
            break;
        case CPW_IAM_POLICY_RCP:
            set.rcp_levels = &level;
            set.rcp_level_count = 1;
            break;
        case CPW_IAM_POLICY_BOUNDARY:
            set.boundary = list;
            set.boundary_count = 1;
            set.has_boundary = true;
            break;
        case CPW_IAM_POLICY_SESSION:
            set.session = list;
            set.session_count = 1;
            set.has_session = true;
            break;
        default:
            set.identity = list;
            set.identity_count = 1;
            break;
        }
        const char *resources[] = { "arn:aws:s3:::bucket/alice/key", "*",
                                    "arn:aws:iam::111122223333:user/alice" };
        for (size_t i = 0; i < sizeof(resources) / sizeof(resources[0]); i++) {
            struct cpw_iam_request r = {
                .principal = { .kind = CPW_IAM_PRINCIPAL_USER,
                               .arn = "arn:aws:iam::111122223333:user/alice",
                               .account = "111122223333" },
                .action = "s3:GetObject",
                .resource = resources[i],
                .context = ctx,
            };
            struct cpw_iam_decision d;
            if (cpw_iam_evaluate(&set, &r, &d) != 0 || d.decision > CPW_IAM_EXPLICIT_DENY) {
                abort();
            }
            char *msg = cpw_iam_denial_message(&r, &d);
            if ((d.decision == CPW_IAM_ALLOWED) != (msg == NULL)) {
                abort();
            }
            cpw_free(msg);
            cpw_iam_decision_clean_up(&d);
        }
        cpw_iam_policy_destroy(p);
    }
    cpw_iam_context_destroy(ctx);
    return 0;
}
