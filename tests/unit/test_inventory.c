/*
 * test_inventory.c - the inventory graph and its findings: the runbook situations, each with
 * the exact findings and confidence expected, and the rule that a scan error never yields a
 * certain orphan.
 */
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/error.h"
#include "cpw/inventory.h"
#include "cpw/plan_targets.h"
#include "harness.h"
#include "inventory_fixtures.h"

struct expect {
    enum cpw_inv_finding_kind kind;
    enum cpw_inv_confidence confidence;
    const char *arn_suffix; /* the resource ARN ends with this */
};

/* Asserts that the findings are exactly `expected`, in this order. */
static void s_assert_findings(const struct cpw_inventory *inv,
                              const struct expect *expected,
                              size_t count)
{
    if (cpw_inventory_finding_count(inv) != count) {
        for (size_t i = 0; i < cpw_inventory_finding_count(inv); i++) {
            const struct cpw_inv_finding *f = cpw_inventory_finding(inv, i);
            print_message("finding %zu: %s %s %s\n", i, cpw_inv_finding_kind_name(f->kind),
                          cpw_inv_confidence_name(f->confidence), f->resource_arn);
        }
    }
    assert_int_equal(cpw_inventory_finding_count(inv), count);
    for (size_t i = 0; i < count; i++) {
        const struct cpw_inv_finding *f = cpw_inventory_finding(inv, i);
        assert_string_equal(cpw_inv_finding_kind_name(f->kind),
                            cpw_inv_finding_kind_name(expected[i].kind));
        assert_string_equal(cpw_inv_confidence_name(f->confidence),
                            cpw_inv_confidence_name(expected[i].confidence));
        size_t len = strlen(f->resource_arn);
        size_t suffix = strlen(expected[i].arn_suffix);
        assert_true(len >= suffix);
        assert_string_equal(f->resource_arn + len - suffix, expected[i].arn_suffix);
        assert_true(f->evidence_count > 0);
        assert_non_null(f->action);
    }
}

static bool s_evidence_contains(const struct cpw_inv_finding *f, const char *needle)
{
    for (size_t i = 0; i < f->evidence_count; i++) {
        if (strstr(f->evidence[i], needle)) {
            return true;
        }
    }
    return false;
}

static const struct cpw_inv_domain *s_domain(const struct cpw_inventory *inv, const char *name)
{
    for (size_t i = 0; i < cpw_inventory_domain_count(inv); i++) {
        if (strcmp(cpw_inventory_domain(inv, i)->name, name) == 0) {
            return cpw_inventory_domain(inv, i);
        }
    }
    fail_msg("no domain %s", name);
    return NULL;
}

static const struct cpw_inv_role *s_role(const struct cpw_inventory *inv, const char *name)
{
    for (size_t i = 0; i < cpw_inventory_role_count(inv); i++) {
        if (strcmp(cpw_inventory_role(inv, i)->name, name) == 0) {
            return cpw_inventory_role(inv, i);
        }
    }
    fail_msg("no role %s", name);
    return NULL;
}

static void test_orphans_story(void **state)
{
    (void)state;
    struct cpw_inventory *inv = fx_orphans_story();
    assert_int_equal(cpw_inventory_analyze(inv), 0);

    const struct expect expected[] = {
        { CPW_INV_FINDING_ORPHANED_CONNECT_ROLE, CPW_INV_CONFIDENCE_CERTAIN,
          "/AWSServiceRoleForAmazonConnect_B" },
        { CPW_INV_FINDING_ORPHANED_PROFILE_ROLE, CPW_INV_CONFIDENCE_CERTAIN,
          "/AWSServiceRoleForProfile" },
        { CPW_INV_FINDING_LEGACY_PROFILE_ROLE, CPW_INV_CONFIDENCE_CERTAIN,
          "/AWSServiceRoleForProfile" },
        { CPW_INV_FINDING_DOMAIN_WITHOUT_INSTANCE, CPW_INV_CONFIDENCE_CERTAIN, ":domains/dom-b" },
    };
    s_assert_findings(inv, expected, 4);
    /* Every region was read: the role findings say so; both domains are from after June 2023,
     * so nothing can rely on the legacy role. */
    assert_true(s_evidence_contains(cpw_inventory_finding(inv, 0), "in every region where it is "
                                                                   "offered"));
    assert_true(strstr(cpw_inventory_finding(inv, 1)->action, "Delete it") != NULL);
    const struct cpw_inv_finding *dom_b = cpw_inventory_finding(inv, 3);
    assert_string_equal(dom_b->region, FX_REGION_B);
    assert_true(s_evidence_contains(dom_b, "instance/inst-b"));
    assert_true(s_evidence_contains(dom_b, "42 profiles"));
    assert_null(cpw_inventory_finding(inv, 0)->region); /* roles are global */

    /* The graph: region A is whole, region B's domain keeps its role by creation time. */
    const struct cpw_inv_domain *a = s_domain(inv, "dom-a");
    assert_int_equal(a->instance_arn_count, 1);
    assert_string_equal(a->instance_arns[0],
                        "arn:aws:connect:us-east-1:111111111111:instance/inst-a");
    assert_string_equal(a->role_arn, s_role(inv, "AWSServiceRoleForProfile_a")->arn);
    assert_int_equal(a->role_confidence, CPW_INV_CONFIDENCE_LIKELY);
    assert_string_equal(a->arn, "arn:aws:profile:us-east-1:111111111111:domains/dom-a");
    const struct cpw_inv_domain *b = s_domain(inv, "dom-b");
    assert_int_equal(b->instance_arn_count, 0);
    assert_string_equal(b->role_arn, s_role(inv, "AWSServiceRoleForProfile_b")->arn);
    assert_string_equal(cpw_inventory_instance(inv, 0)->domain_arn, a->arn);
    assert_string_equal(s_role(inv, "AWSServiceRoleForAmazonConnect_A")->linked_arn,
                        cpw_inventory_instance(inv, 0)->arn);
    assert_null(s_role(inv, "AWSServiceRoleForAmazonConnect_B")->linked_arn);

    /* Analysing twice gives the same result (derived state is replaced, not appended). */
    assert_int_equal(cpw_inventory_analyze(inv), 0);
    s_assert_findings(inv, expected, 4);
    cpw_inventory_destroy(inv);
}

/* The same story, but Connect could not be listed in region B: nothing there is certain. */
static void test_connect_scan_error_lowers_confidence(void **state)
{
    (void)state;
    struct cpw_inventory *inv = fx_orphans_story();
    fx_error(inv, FX_ACCOUNT, FX_REGION_B, "connect", "ListInstances", "AccessDeniedException");
    assert_int_equal(cpw_inventory_analyze(inv), 0);
    const struct expect expected[] = {
        { CPW_INV_FINDING_ORPHANED_CONNECT_ROLE, CPW_INV_CONFIDENCE_POSSIBLE,
          "/AWSServiceRoleForAmazonConnect_B" },
        { CPW_INV_FINDING_ORPHANED_PROFILE_ROLE, CPW_INV_CONFIDENCE_CERTAIN,
          "/AWSServiceRoleForProfile" },
        { CPW_INV_FINDING_LEGACY_PROFILE_ROLE, CPW_INV_CONFIDENCE_CERTAIN,
          "/AWSServiceRoleForProfile" },
        { CPW_INV_FINDING_DOMAIN_WITHOUT_INSTANCE, CPW_INV_CONFIDENCE_POSSIBLE, ":domains/dom-b" },
    };
    s_assert_findings(inv, expected, 4);
    assert_true(s_evidence_contains(cpw_inventory_finding(inv, 0), "AccessDeniedException"));
    assert_true(s_evidence_contains(cpw_inventory_finding(inv, 0), "not read: us-west-2"));
    assert_null(strstr(cpw_inventory_finding(inv, 0)->action, "Delete"));
    assert_true(s_evidence_contains(cpw_inventory_finding(inv, 3), "ListInstances failed"));
    cpw_inventory_destroy(inv);
}

/* Region B is not enabled: one error without a service covers Connect and Customer Profiles. */
static void test_region_not_enabled_covers_every_service(void **state)
{
    (void)state;
    struct cpw_inventory *inv = fx_orphans_story();
    struct cpw_inv_error e = { .account = FX_ACCOUNT,
                               .region = FX_REGION_B,
                               .operation = "ListInstances",
                               .code = "UnrecognizedClientException",
                               .message = "The security token included in the request is invalid" };
    assert_non_null(cpw_inventory_add_error(inv, &e));
    assert_int_equal(cpw_inventory_analyze(inv), 0);
    const struct expect expected[] = {
        { CPW_INV_FINDING_ORPHANED_CONNECT_ROLE, CPW_INV_CONFIDENCE_POSSIBLE,
          "/AWSServiceRoleForAmazonConnect_B" },
        { CPW_INV_FINDING_ORPHANED_PROFILE_ROLE, CPW_INV_CONFIDENCE_POSSIBLE,
          "/AWSServiceRoleForProfile" },
        /* region B unread: no role is linked to dom-b by time (another domain could own it) */
        { CPW_INV_FINDING_ORPHANED_PROFILE_ROLE, CPW_INV_CONFIDENCE_POSSIBLE,
          "/AWSServiceRoleForProfile_b" },
        { CPW_INV_FINDING_LEGACY_PROFILE_ROLE, CPW_INV_CONFIDENCE_POSSIBLE,
          "/AWSServiceRoleForProfile" },
        { CPW_INV_FINDING_DOMAIN_WITHOUT_INSTANCE, CPW_INV_CONFIDENCE_POSSIBLE, ":domains/dom-b" },
    };
    s_assert_findings(inv, expected, 5);
    assert_true(s_evidence_contains(cpw_inventory_finding(inv, 1), "UnrecognizedClientException"));
    for (size_t i = 0; i < 4; i++) { /* nothing possible proposes deletion */
        assert_null(strstr(cpw_inventory_finding(inv, i)->action, "Delete"));
    }
    cpw_inventory_destroy(inv);
}

/* An account with service-linked roles and no domain (nor instance) in any scanned region. */
static struct cpw_inventory *s_roles_only(void)
{
    struct cpw_inventory *inv = cpw_inventory_new();
    cpw_inventory_add_account(inv, FX_ACCOUNT2);
    fx_scope_all(inv);
    fx_role(inv, FX_ACCOUNT2, CPW_INV_ROLE_PROFILE, "AWSServiceRoleForProfile_x1", FX_T0, NULL);
    fx_role(inv, FX_ACCOUNT2, CPW_INV_ROLE_PROFILE, "AWSServiceRoleForProfile_x2", FX_T0 + 99,
            FX_REGION_B);
    fx_role(inv, FX_ACCOUNT2, CPW_INV_ROLE_CONNECT, "AWSServiceRoleForAmazonConnect_X", FX_T0,
            NULL);
    return inv;
}

static void test_roles_without_domains_are_certain_orphans(void **state)
{
    (void)state;
    struct cpw_inventory *inv = s_roles_only();
    assert_int_equal(cpw_inventory_analyze(inv), 0);
    const struct expect expected[] = {
        { CPW_INV_FINDING_ORPHANED_CONNECT_ROLE, CPW_INV_CONFIDENCE_CERTAIN,
          "/AWSServiceRoleForAmazonConnect_X" },
        { CPW_INV_FINDING_ORPHANED_PROFILE_ROLE, CPW_INV_CONFIDENCE_CERTAIN,
          "/AWSServiceRoleForProfile_x1" },
        { CPW_INV_FINDING_ORPHANED_PROFILE_ROLE, CPW_INV_CONFIDENCE_CERTAIN,
          "/AWSServiceRoleForProfile_x2" },
    };
    s_assert_findings(inv, expected, 3);
    assert_true(s_evidence_contains(cpw_inventory_finding(inv, 1), "has no domain in any region"));
    cpw_inventory_destroy(inv);
}

static void test_profile_scan_error_prevents_certain_orphans(void **state)
{
    (void)state;
    struct cpw_inventory *inv = s_roles_only();
    fx_error(inv, FX_ACCOUNT2, FX_REGION_B, "profile", "ListDomains", "AccessDeniedException");
    assert_int_equal(cpw_inventory_analyze(inv), 0);
    const struct expect expected[] = {
        { CPW_INV_FINDING_ORPHANED_CONNECT_ROLE, CPW_INV_CONFIDENCE_CERTAIN,
          "/AWSServiceRoleForAmazonConnect_X" },
        { CPW_INV_FINDING_ORPHANED_PROFILE_ROLE, CPW_INV_CONFIDENCE_POSSIBLE,
          "/AWSServiceRoleForProfile_x1" },
        { CPW_INV_FINDING_ORPHANED_PROFILE_ROLE, CPW_INV_CONFIDENCE_POSSIBLE,
          "/AWSServiceRoleForProfile_x2" },
    };
    s_assert_findings(inv, expected, 3);
    for (size_t i = 1; i < 3; i++) {
        const struct cpw_inv_finding *f = cpw_inventory_finding(inv, i);
        assert_true(s_evidence_contains(f, "ListDomains failed: AccessDeniedException"));
        assert_true(s_evidence_contains(f, "a domain there may own this role"));
    }
    assert_int_equal(cpw_inventory_error_count(inv), 1);
    cpw_inventory_destroy(inv);
}

/* Two roles created right after one domain: the creation-time rule cannot choose; the last-used
 * region picks one as `possible`, and CloudTrail then makes that link (and the leftover role's
 * orphan finding) certain. */
static struct cpw_inventory *s_ambiguous_domain(void)
{
    struct cpw_inventory *inv = cpw_inventory_new();
    cpw_inventory_add_account(inv, FX_ACCOUNT);
    cpw_inventory_add_region(inv, FX_REGION_A);
    fx_instance(inv, FX_ACCOUNT, FX_REGION_A, "inst-a", "ACTIVE",
                "AWSServiceRoleForAmazonConnect_A");
    fx_role(inv, FX_ACCOUNT, CPW_INV_ROLE_CONNECT, "AWSServiceRoleForAmazonConnect_A", FX_T0, NULL);
    fx_domain(inv, FX_ACCOUNT, FX_REGION_A, "dom-a", FX_T0, "inst-a", NULL);
    fx_role(inv, FX_ACCOUNT, CPW_INV_ROLE_PROFILE, "AWSServiceRoleForProfile_p1", FX_T0 + 20,
            FX_REGION_A);
    fx_role(inv, FX_ACCOUNT, CPW_INV_ROLE_PROFILE, "AWSServiceRoleForProfile_p9", FX_T0 + 40, NULL);
    return inv;
}

static void test_last_used_region_gives_possible_link(void **state)
{
    (void)state;
    struct cpw_inventory *inv = s_ambiguous_domain();
    assert_int_equal(cpw_inventory_analyze(inv), 0);
    const struct cpw_inv_domain *d = s_domain(inv, "dom-a");
    assert_string_equal(d->role_arn, s_role(inv, "AWSServiceRoleForProfile_p1")->arn);
    assert_int_equal(d->role_confidence, CPW_INV_CONFIDENCE_POSSIBLE);
    const struct expect expected[] = {
        { CPW_INV_FINDING_ORPHANED_PROFILE_ROLE, CPW_INV_CONFIDENCE_POSSIBLE,
          "/AWSServiceRoleForProfile_p9" },
    };
    s_assert_findings(inv, expected, 1);
    const struct cpw_inv_finding *f = cpw_inventory_finding(inv, 0);
    assert_true(s_evidence_contains(f, "not read: af-south-1, ap-northeast-1, ap-northeast-2 (+"));
    assert_null(strstr(f->action, "Delete"));
    cpw_inventory_destroy(inv);
}

static void test_cloudtrail_makes_link_certain(void **state)
{
    (void)state;
    struct cpw_inventory *inv = s_ambiguous_domain();
    fx_scope_all(inv); /* certain needs every region read */
    char *domain_names[] = { "arn:aws:profile:us-east-1:111111111111:domains/dom-a" };
    struct cpw_inv_event create = { .account = FX_ACCOUNT,
                                    .region = FX_REGION_A,
                                    .event_name = "CreateDomain",
                                    .event_time_s = FX_T0,
                                    .resource_names = domain_names,
                                    .resource_name_count = 1 };
    char *role_names[] = { "AWSServiceRoleForProfile_p1" };
    struct cpw_inv_tag params[] = { { "aWSServiceName", CPW_INV_PROFILE_PRINCIPAL } };
    struct cpw_inv_event slr = { .account = FX_ACCOUNT,
                                 .region = "us-east-1",
                                 .event_name = "CreateServiceLinkedRole",
                                 .event_time_s = FX_T0 + 20,
                                 .resource_names = role_names,
                                 .resource_name_count = 1,
                                 .invoked_by = CPW_INV_PROFILE_PRINCIPAL,
                                 .request_parameters = params,
                                 .request_parameter_count = 1 };
    assert_non_null(cpw_inventory_add_event(inv, &slr));
    assert_non_null(cpw_inventory_add_event(inv, &create));
    assert_int_equal(cpw_inventory_analyze(inv), 0);
    const struct cpw_inv_domain *d = s_domain(inv, "dom-a");
    assert_string_equal(d->role_arn, s_role(inv, "AWSServiceRoleForProfile_p1")->arn);
    assert_int_equal(d->role_confidence, CPW_INV_CONFIDENCE_CERTAIN);
    const struct expect expected[] = {
        { CPW_INV_FINDING_ORPHANED_PROFILE_ROLE, CPW_INV_CONFIDENCE_CERTAIN,
          "/AWSServiceRoleForProfile_p9" },
    };
    s_assert_findings(inv, expected, 1);
    cpw_inventory_destroy(inv);
}

static void test_dangling_integration_on_live_domain(void **state)
{
    (void)state;
    struct cpw_inventory *inv = cpw_inventory_new();
    cpw_inventory_add_account(inv, FX_ACCOUNT);
    cpw_inventory_add_region(inv, FX_REGION_A);
    fx_instance(inv, FX_ACCOUNT, FX_REGION_A, "inst-a", "ACTIVE",
                "AWSServiceRoleForAmazonConnect_A");
    fx_role(inv, FX_ACCOUNT, CPW_INV_ROLE_CONNECT, "AWSServiceRoleForAmazonConnect_A", FX_T0, NULL);
    fx_domain(inv, FX_ACCOUNT, FX_REGION_A, "dom-a", FX_T0, "inst-a", "inst-gone");
    fx_role(inv, FX_ACCOUNT, CPW_INV_ROLE_PROFILE, "AWSServiceRoleForProfile_a", FX_T0 + 30, NULL);
    assert_int_equal(cpw_inventory_analyze(inv), 0);
    const struct expect expected[] = {
        /* one region read: dom-a's role is not linked by time (a domain elsewhere could own it) */
        { CPW_INV_FINDING_ORPHANED_PROFILE_ROLE, CPW_INV_CONFIDENCE_POSSIBLE,
          "/AWSServiceRoleForProfile_a" },
        { CPW_INV_FINDING_DANGLING_INTEGRATION, CPW_INV_CONFIDENCE_CERTAIN,
          ":domains/dom-a/integrations/arn:aws:connect:us-east-1:111111111111:instance/inst-gone" },
    };
    s_assert_findings(inv, expected, 2);
    assert_true(s_evidence_contains(cpw_inventory_finding(inv, 1), "1 live instance"));
    assert_int_equal(s_domain(inv, "dom-a")->instance_arn_count, 1);
    cpw_inventory_destroy(inv);
}

static void test_instance_creation_failed(void **state)
{
    (void)state;
    struct cpw_inventory *inv = cpw_inventory_new();
    cpw_inventory_add_account(inv, FX_ACCOUNT);
    cpw_inventory_add_region(inv, FX_REGION_A);
    fx_instance(inv, FX_ACCOUNT, FX_REGION_A, "inst-f", "CREATION_FAILED",
                "AWSServiceRoleForAmazonConnect_F");
    fx_role(inv, FX_ACCOUNT, CPW_INV_ROLE_CONNECT, "AWSServiceRoleForAmazonConnect_F", FX_T0, NULL);
    assert_int_equal(cpw_inventory_analyze(inv), 0);
    const struct expect expected[] = {
        { CPW_INV_FINDING_INSTANCE_NOT_ACTIVE, CPW_INV_CONFIDENCE_CERTAIN, ":instance/inst-f" },
    };
    s_assert_findings(inv, expected, 1);
    const struct cpw_inv_finding *f = cpw_inventory_finding(inv, 0);
    assert_int_equal(f->severity, CPW_INV_SEVERITY_WARNING);
    assert_true(s_evidence_contains(f, "CREATION_FAILED"));
    cpw_inventory_destroy(inv);
}

static void test_pending_role_deletion(void **state)
{
    (void)state;
    struct cpw_inventory *inv = s_roles_only();
    struct cpw_inv_role pending = {
        .account = FX_ACCOUNT2,
        .name = "AWSServiceRoleForAmazonConnect_Y",
        .arn = "arn:aws:iam::222222222222:role/aws-service-role/connect.amazonaws.com/"
               "AWSServiceRoleForAmazonConnect_Y",
        .path = CPW_INV_CONNECT_ROLE_PATH,
        .created_at_s = FX_T0,
        .deletion_task_id = "task/aws-service-role/connect.amazonaws.com/"
                            "AWSServiceRoleForAmazonConnect_Y/0f3e",
        .deletion_status = "IN_PROGRESS",
    };
    assert_non_null(cpw_inventory_add_role(inv, &pending));
    assert_int_equal(cpw_inventory_analyze(inv), 0);
    const struct expect expected[] = {
        { CPW_INV_FINDING_ORPHANED_CONNECT_ROLE, CPW_INV_CONFIDENCE_CERTAIN,
          "/AWSServiceRoleForAmazonConnect_X" },
        { CPW_INV_FINDING_ORPHANED_PROFILE_ROLE, CPW_INV_CONFIDENCE_CERTAIN,
          "/AWSServiceRoleForProfile_x1" },
        { CPW_INV_FINDING_ORPHANED_PROFILE_ROLE, CPW_INV_CONFIDENCE_CERTAIN,
          "/AWSServiceRoleForProfile_x2" },
        { CPW_INV_FINDING_ROLE_DELETION_PENDING, CPW_INV_CONFIDENCE_CERTAIN,
          "/AWSServiceRoleForAmazonConnect_Y" },
    };
    s_assert_findings(inv, expected, 4);
    assert_true(s_evidence_contains(cpw_inventory_finding(inv, 3), "IN_PROGRESS"));
    cpw_inventory_destroy(inv);
}

static void test_unscanned_account_is_never_certain(void **state)
{
    (void)state;
    struct cpw_inventory *inv = cpw_inventory_new();
    cpw_inventory_add_region(inv, FX_REGION_A);
    fx_role(inv, FX_ACCOUNT, CPW_INV_ROLE_PROFILE, "AWSServiceRoleForProfile_z", FX_T0, NULL);
    fx_role(inv, FX_ACCOUNT, CPW_INV_ROLE_CONNECT, "AWSServiceRoleForAmazonConnect_Z", FX_T0, NULL);
    assert_int_equal(cpw_inventory_analyze(inv), 0);
    assert_int_equal(cpw_inventory_finding_count(inv), 2);
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(cpw_inventory_finding(inv, i)->confidence, CPW_INV_CONFIDENCE_POSSIBLE);
    }
    struct cpw_inv_role no_account = { .name = "x" };
    assert_null(cpw_inventory_add_role(inv, &no_account));
    assert_int_equal(cpw_last_error(), CPW_ERR_INVALID_ARGUMENT);
    cpw_inventory_destroy(inv);
}

/* ----- scope: every region where the service is offered ------------------------------------ */

#define FX_OPT_IN "af-south-1" /* an opt-in region where both services are offered */

/* An account with one Connect role no instance uses, scanned everywhere except FX_OPT_IN. */
static struct cpw_inventory *s_all_but_opt_in(void)
{
    struct cpw_inventory *inv = cpw_inventory_new();
    cpw_inventory_add_account(inv, FX_ACCOUNT);
    struct cpw_inventory *all = cpw_inventory_new();
    fx_scope_all(all);
    for (size_t i = 0; i < cpw_inventory_region_count(all); i++) {
        if (strcmp(cpw_inventory_region(all, i), FX_OPT_IN) != 0) {
            cpw_inventory_add_region(inv, cpw_inventory_region(all, i));
        }
    }
    assert_int_equal(cpw_inventory_region_count(inv) + 1, cpw_inventory_region_count(all));
    cpw_inventory_destroy(all);
    fx_role(inv, FX_ACCOUNT, CPW_INV_ROLE_CONNECT, "AWSServiceRoleForAmazonConnect_X", FX_T0, NULL);
    return inv;
}

static void s_region_status(struct cpw_inventory *inv,
                            const char *region,
                            enum cpw_inv_region_state state,
                            const char *evidence)
{
    struct cpw_inv_region_status st = { .account = FX_ACCOUNT,
                                        .region = (char *)region,
                                        .state = state,
                                        .evidence = (char *)evidence };
    assert_non_null(cpw_inventory_add_region_status(inv, &st));
}

/* A region where the service is offered and that was not read keeps the role finding possible;
 * an opt-in region recorded as not enabled holds nothing, so the scope is whole. */
static void test_not_enabled_region_counts_as_read(void **state)
{
    (void)state;
    struct cpw_inventory *inv = s_all_but_opt_in();
    assert_int_equal(cpw_inventory_analyze(inv), 0);
    const struct expect missing[] = {
        { CPW_INV_FINDING_ORPHANED_CONNECT_ROLE, CPW_INV_CONFIDENCE_POSSIBLE,
          "/AWSServiceRoleForAmazonConnect_X" },
    };
    s_assert_findings(inv, missing, 1);
    assert_true(s_evidence_contains(cpw_inventory_finding(inv, 0), "not read: " FX_OPT_IN ";"));
    assert_null(strstr(cpw_inventory_finding(inv, 0)->action, "Delete"));

    s_region_status(inv, FX_OPT_IN, CPW_INV_REGION_NOT_ENABLED, "ListRegions: DISABLED");
    assert_int_equal(cpw_inventory_analyze(inv), 0);
    const struct expect whole[] = {
        { CPW_INV_FINDING_ORPHANED_CONNECT_ROLE, CPW_INV_CONFIDENCE_CERTAIN,
          "/AWSServiceRoleForAmazonConnect_X" },
    };
    s_assert_findings(inv, whole, 1);
    assert_true(s_evidence_contains(cpw_inventory_finding(inv, 0),
                                    "opt-in regions not enabled for the account hold nothing: "
                                    "af-south-1"));
    assert_non_null(strstr(cpw_inventory_finding(inv, 0)->action, "Delete it"));
    cpw_inventory_destroy(inv);
}

/* A region whose state is unknown is as unread as a scan error, even when it was "scanned". */
static void test_unknown_region_state_is_not_read(void **state)
{
    (void)state;
    struct cpw_inventory *inv = s_all_but_opt_in();
    cpw_inventory_add_region(inv, FX_OPT_IN);
    s_region_status(inv, FX_OPT_IN, CPW_INV_REGION_UNKNOWN, "ListRegions failed: AccessDenied");
    s_region_status(inv, FX_REGION_A, CPW_INV_REGION_ENABLED, "ListRegions: ENABLED_BY_DEFAULT");
    assert_int_equal(cpw_inventory_analyze(inv), 0);
    const struct expect expected[] = {
        { CPW_INV_FINDING_ORPHANED_CONNECT_ROLE, CPW_INV_CONFIDENCE_POSSIBLE,
          "/AWSServiceRoleForAmazonConnect_X" },
    };
    s_assert_findings(inv, expected, 1);
    const struct cpw_inv_finding *f = cpw_inventory_finding(inv, 0);
    assert_true(s_evidence_contains(f, "not read: " FX_OPT_IN));
    assert_true(s_evidence_contains(f, "whether region af-south-1 is enabled for account "
                                       "111111111111 is unknown (ListRegions failed"));
    assert_null(strstr(f->action, "Delete"));
    cpw_inventory_destroy(inv);
}

/* The `orphans` story read in region B only (eu-west-2 in the sandbox): the live instance and
 * the live domain of region A are unseen, so their roles look unused; they must be possible,
 * keep their roles, and not be planned by default. The leftover domain of B stays certain. */
static void test_partial_scope_roles_are_possible_and_not_planned(void **state)
{
    (void)state;
    struct cpw_inventory *inv = cpw_inventory_new();
    cpw_inventory_set_scanned_at(inv, FX_T0 + 30 * FX_DAY);
    cpw_inventory_add_account(inv, FX_ACCOUNT);
    cpw_inventory_add_region(inv, FX_REGION_B);
    fx_domain(inv, FX_ACCOUNT, FX_REGION_B, "dom-b", FX_T0 + FX_DAY, "inst-b", NULL);
    fx_role(inv, FX_ACCOUNT, CPW_INV_ROLE_PROFILE, "AWSServiceRoleForProfile_a", FX_T0 + 30,
            FX_REGION_A);
    fx_role(inv, FX_ACCOUNT, CPW_INV_ROLE_CONNECT, "AWSServiceRoleForAmazonConnect_A",
            FX_T0 - FX_DAY + 5, FX_REGION_A);
    fx_role(inv, FX_ACCOUNT, CPW_INV_ROLE_PROFILE, "AWSServiceRoleForProfile_b",
            FX_T0 + FX_DAY + 40, NULL);
    assert_int_equal(cpw_inventory_analyze(inv), 0);
    const struct expect expected[] = {
        { CPW_INV_FINDING_ORPHANED_CONNECT_ROLE, CPW_INV_CONFIDENCE_POSSIBLE,
          "/AWSServiceRoleForAmazonConnect_A" },
        { CPW_INV_FINDING_ORPHANED_PROFILE_ROLE, CPW_INV_CONFIDENCE_POSSIBLE,
          "/AWSServiceRoleForProfile_a" },
        { CPW_INV_FINDING_ORPHANED_PROFILE_ROLE, CPW_INV_CONFIDENCE_POSSIBLE,
          "/AWSServiceRoleForProfile_b" },
        { CPW_INV_FINDING_DOMAIN_WITHOUT_INSTANCE, CPW_INV_CONFIDENCE_CERTAIN, ":domains/dom-b" },
    };
    s_assert_findings(inv, expected, 4);
    for (size_t i = 0; i < 3; i++) {
        const struct cpw_inv_finding *f = cpw_inventory_finding(inv, i);
        assert_true(s_evidence_contains(f, "not read: "));
        assert_true(s_evidence_contains(f, "(+"));
        assert_false(s_evidence_contains(f, FX_REGION_B ","));
        assert_null(strstr(f->action, "Delete"));
        assert_non_null(strstr(f->action, "Keep role"));
    }
    /* The plan takes the leftover domain without a role: with region A unread, a domain there
     * could own the role created in dom-b's window (a partial scope never links by time). The
     * roles come only as possible, which the builder records as skipped. */
    struct cpw_plan_targets t = { 0 };
    assert_int_equal(cpw_plan_targets_from_inventory(inv, FX_ACCOUNT, false, &t), 0);
    assert_int_equal(t.domain_count, 1);
    assert_string_equal(t.domains[0].name, "dom-b");
    assert_null(t.domains[0].role_name);
    assert_int_equal(t.role_count, 3);
    for (size_t i = 0; i < t.role_count; i++) {
        assert_true(t.roles[i].possible);
    }
    cpw_plan_targets_clean_up(&t);
    cpw_inventory_destroy(inv);
}

/* ----- the legacy role ------------------------------------------------------------------------ */

#define FX_PRE_2023 1672531200 /* 2023-01-01T00:00:00Z */

/* A domain from before June 8, 2023, tied only by creation time (likely) to a per-domain role,
 * may still rely on the legacy role: its orphan finding is possible and nothing proposes to
 * delete it. With an unknown CreatedAt the same holds. */
static void test_legacy_role_with_pre_2023_domain_is_possible(void **state)
{
    (void)state;
    for (int unknown = 0; unknown < 2; unknown++) {
        struct cpw_inventory *inv = cpw_inventory_new();
        cpw_inventory_set_scanned_at(inv, FX_T0);
        cpw_inventory_add_account(inv, FX_ACCOUNT);
        fx_scope_all(inv);
        fx_instance(inv, FX_ACCOUNT, FX_REGION_A, "inst-old", "ACTIVE",
                    "AWSServiceRoleForAmazonConnect_O");
        fx_role(inv, FX_ACCOUNT, CPW_INV_ROLE_CONNECT, "AWSServiceRoleForAmazonConnect_O",
                FX_PRE_2023, FX_REGION_A);
        fx_domain(inv, FX_ACCOUNT, FX_REGION_A, "dom-old", unknown ? 0 : FX_PRE_2023, "inst-old",
                  NULL);
        if (!unknown) { /* the likely link: a role created 30 s after the domain */
            fx_role(inv, FX_ACCOUNT, CPW_INV_ROLE_PROFILE, "AWSServiceRoleForProfile_old",
                    FX_PRE_2023 + 30, NULL);
        }
        fx_role(inv, FX_ACCOUNT, CPW_INV_ROLE_PROFILE, CPW_INV_LEGACY_PROFILE_ROLE,
                FX_PRE_2023 - FX_DAY, NULL);
        assert_int_equal(cpw_inventory_analyze(inv), 0);
        if (!unknown) {
            assert_int_equal(s_domain(inv, "dom-old")->role_confidence, CPW_INV_CONFIDENCE_LIKELY);
        }
        const struct expect expected[] = {
            { CPW_INV_FINDING_ORPHANED_PROFILE_ROLE, CPW_INV_CONFIDENCE_POSSIBLE,
              "/AWSServiceRoleForProfile" },
            { CPW_INV_FINDING_LEGACY_PROFILE_ROLE, CPW_INV_CONFIDENCE_POSSIBLE,
              "/AWSServiceRoleForProfile" },
        };
        s_assert_findings(inv, expected, 2);
        for (size_t i = 0; i < 2; i++) {
            const struct cpw_inv_finding *f = cpw_inventory_finding(inv, i);
            assert_true(s_evidence_contains(f, "domain dom-old in us-east-1 was created"));
            assert_true(
              s_evidence_contains(f, unknown ? "perhaps before 2023-06-08" : "before 2023-06-08"));
            assert_null(strstr(f->action, "Delete"));
            assert_null(strstr(f->action, "delete"));
            assert_non_null(strstr(f->action, "Keep"));
        }
        struct cpw_plan_targets t = { 0 };
        assert_int_equal(cpw_plan_targets_from_inventory(inv, FX_ACCOUNT, false, &t), 0);
        assert_int_equal(t.domain_count, 0);
        assert_int_equal(t.role_count, 1);
        assert_true(t.roles[0].possible); /* recorded as skipped, never planned by default */
        cpw_plan_targets_clean_up(&t);
        cpw_inventory_destroy(inv);
    }
}

/* A domain from before June 2023 relies on the legacy role when the account holds one; without
 * it, the domain must use one of the per-domain roles, so that role is not surplus. */
static void test_pre_2023_domain_counts_without_legacy_role(void **state)
{
    (void)state;
    for (int legacy = 0; legacy < 2; legacy++) {
        struct cpw_inventory *inv = cpw_inventory_new();
        cpw_inventory_set_scanned_at(inv, FX_T0);
        cpw_inventory_add_account(inv, FX_ACCOUNT);
        fx_scope_all(inv);
        fx_instance(inv, FX_ACCOUNT, FX_REGION_A, "inst-old", "ACTIVE",
                    "AWSServiceRoleForAmazonConnect_O");
        fx_role(inv, FX_ACCOUNT, CPW_INV_ROLE_CONNECT, "AWSServiceRoleForAmazonConnect_O",
                FX_PRE_2023, FX_REGION_A);
        fx_domain(inv, FX_ACCOUNT, FX_REGION_A, "dom-old", FX_PRE_2023, "inst-old", NULL);
        fx_role(inv, FX_ACCOUNT, CPW_INV_ROLE_PROFILE, "AWSServiceRoleForProfile_late",
                FX_T0 - 30 * FX_DAY, NULL);
        if (legacy) {
            fx_role(inv, FX_ACCOUNT, CPW_INV_ROLE_PROFILE, CPW_INV_LEGACY_PROFILE_ROLE,
                    FX_PRE_2023 - FX_DAY, NULL);
        }
        assert_int_equal(cpw_inventory_analyze(inv), 0);
        const char *late = s_role(inv, "AWSServiceRoleForProfile_late")->arn;
        const struct cpw_inv_finding *orphan =
          cpw_inventory_find_finding(inv, CPW_INV_FINDING_ORPHANED_PROFILE_ROLE, late);
        if (!legacy) {
            assert_null(orphan);
            assert_non_null(cpw_inventory_find_finding(inv, CPW_INV_FINDING_PROFILE_ROLES_IN_USE,
                                                       "arn:aws:iam::111111111111:root"));
        } else {
            /* The domain has the legacy role: the per-domain role serves nothing listed. */
            assert_non_null(orphan);
            assert_int_equal(orphan->confidence, CPW_INV_CONFIDENCE_CERTAIN);
            assert_true(s_evidence_contains(orphan, "relies on AWSServiceRoleForProfile"));
        }
        cpw_inventory_destroy(inv);
    }
}

/* ----- per-domain roles by counting --------------------------------------------------------- */

/* n live domains created in 2024 with their instances, and `roles` per-domain roles created
 * long after them (no creation-time link, no last use): links cannot be made. */
static struct cpw_inventory *s_unlinked_roles(size_t domains, size_t roles)
{
    struct cpw_inventory *inv = cpw_inventory_new();
    cpw_inventory_set_scanned_at(inv, FX_T0 + 90 * FX_DAY);
    cpw_inventory_add_account(inv, FX_ACCOUNT);
    fx_scope_all(inv);
    for (size_t i = 0; i < domains; i++) {
        char id[32];
        char name[32];
        char role[64];
        snprintf(id, sizeof(id), "inst-%zu", i);
        snprintf(name, sizeof(name), "dom-%zu", i);
        snprintf(role, sizeof(role), "AWSServiceRoleForAmazonConnect_%zu", i);
        fx_instance(inv, FX_ACCOUNT, FX_REGION_A, id, "ACTIVE", role);
        fx_role(inv, FX_ACCOUNT, CPW_INV_ROLE_CONNECT, role, FX_T0, NULL);
        fx_domain(inv, FX_ACCOUNT, FX_REGION_A, name, FX_T0 + (int64_t)i * FX_DAY, id, NULL);
    }
    for (size_t i = 0; i < roles; i++) {
        char role[64];
        snprintf(role, sizeof(role), "AWSServiceRoleForProfile_r%zu", i);
        fx_role(inv, FX_ACCOUNT, CPW_INV_ROLE_PROFILE, role, FX_T0 + 60 * FX_DAY + (int64_t)i,
                NULL);
    }
    return inv;
}

/* As many per-domain roles as domains created since June 2023, every domain alive: counting
 * shows every role is in use; no orphan, one note for the account. */
static void test_counting_shows_every_role_in_use(void **state)
{
    (void)state;
    struct cpw_inventory *inv = s_unlinked_roles(3, 3);
    assert_int_equal(cpw_inventory_analyze(inv), 0);
    const struct expect expected[] = {
        { CPW_INV_FINDING_PROFILE_ROLES_IN_USE, CPW_INV_CONFIDENCE_CERTAIN,
          "arn:aws:iam::111111111111:root" },
    };
    s_assert_findings(inv, expected, 1);
    const struct cpw_inv_finding *f = cpw_inventory_finding(inv, 0);
    assert_int_equal(f->severity, CPW_INV_SEVERITY_INFO);
    assert_true(s_evidence_contains(f, "every role is in use"));
    assert_null(strstr(f->action, "Delete"));
    assert_null(cpw_inventory_find_finding(inv, CPW_INV_FINDING_ORPHANED_PROFILE_ROLE,
                                           s_role(inv, "AWSServiceRoleForProfile_r0")->arn));
    struct cpw_plan_targets t = { 0 };
    assert_int_equal(cpw_plan_targets_from_inventory(inv, FX_ACCOUNT, true, &t), 0);
    assert_int_equal(t.role_count + t.domain_count, 0);
    cpw_plan_targets_clean_up(&t);
    cpw_inventory_destroy(inv);
}

/* More roles than domains and nothing tells which are surplus: one finding for the account,
 * possible, saying how many and what resolves it, never proposing a deletion; nothing planned,
 * even with --include-possible. */
static void test_ambiguous_surplus_is_one_finding(void **state)
{
    (void)state;
    struct cpw_inventory *inv = s_unlinked_roles(2, 5);
    assert_int_equal(cpw_inventory_analyze(inv), 0);
    const struct expect expected[] = {
        { CPW_INV_FINDING_SURPLUS_PROFILE_ROLES, CPW_INV_CONFIDENCE_POSSIBLE,
          "arn:aws:iam::111111111111:root" },
    };
    s_assert_findings(inv, expected, 1);
    const struct cpw_inv_finding *f = cpw_inventory_finding(inv, 0);
    assert_true(s_evidence_contains(f, "5 AWSServiceRoleForProfile_* role(s) and 2 domain(s)"));
    assert_true(s_evidence_contains(f, "3 role(s) are surplus"));
    assert_true(s_evidence_contains(f, "role AWSServiceRoleForProfile_r4"));
    assert_non_null(strstr(f->action, "--evidence cloudtrail"));
    assert_null(strstr(f->action, "Delete"));
    assert_null(strstr(f->action, "delete"));
    struct cpw_plan_targets t = { 0 };
    assert_int_equal(cpw_plan_targets_from_inventory(inv, FX_ACCOUNT, true, &t), 0);
    assert_int_equal(t.role_count + t.domain_count, 0);
    cpw_plan_targets_clean_up(&t);
    cpw_inventory_destroy(inv);
}

/* ----- domains ------------------------------------------------------------------------------ */

static void s_plain_domain(struct cpw_inventory *inv,
                           const char *name,
                           int64_t created,
                           const char *uri,
                           int64_t profiles)
{
    struct cpw_inv_integration integ = { .uri = (char *)uri, .object_type_name = "Orders" };
    struct cpw_inv_domain d = { .account = FX_ACCOUNT,
                                .region = FX_REGION_A,
                                .name = (char *)name,
                                .created_at_s = created,
                                .updated_at_s = created,
                                .profile_count = profiles,
                                .object_count = -1,
                                .metering_profile_count = -1,
                                .integrations = uri ? &integ : NULL,
                                .integration_count = uri ? 1 : 0 };
    assert_non_null(cpw_inventory_add_domain(inv, &d));
}

/* A domain created a minute before the scan through the API, holding a profile and with no
 * integration, is not a leftover of anything: unattached, possible, with its signs of life,
 * never a plan target. One with only an S3 integration likewise. */
static void test_fresh_domain_without_integration_is_unattached(void **state)
{
    (void)state;
    struct cpw_inventory *inv = cpw_inventory_new();
    cpw_inventory_set_scanned_at(inv, FX_T0 + 60);
    cpw_inventory_add_account(inv, FX_ACCOUNT);
    fx_scope_all(inv);
    s_plain_domain(inv, "fresh", FX_T0, NULL, 1);
    s_plain_domain(inv, "feeds", FX_T0 - 400 * FX_DAY, "s3://orders-bucket/profiles", 0);
    assert_int_equal(cpw_inventory_analyze(inv), 0);
    const struct expect expected[] = {
        { CPW_INV_FINDING_UNATTACHED_DOMAIN, CPW_INV_CONFIDENCE_POSSIBLE, ":domains/feeds" },
        { CPW_INV_FINDING_UNATTACHED_DOMAIN, CPW_INV_CONFIDENCE_POSSIBLE, ":domains/fresh" },
    };
    s_assert_findings(inv, expected, 2);
    const struct cpw_inv_finding *feeds = cpw_inventory_finding(inv, 0);
    const struct cpw_inv_finding *fresh = cpw_inventory_finding(inv, 1);
    assert_int_equal(fresh->severity, CPW_INV_SEVERITY_INFO);
    assert_true(s_evidence_contains(fresh, "no integration whose Uri is a Connect instance"));
    assert_true(s_evidence_contains(fresh, "sign of life: the domain holds 1 profiles"));
    assert_true(s_evidence_contains(fresh, "sign of life: created 2023-11-14T22:13:20Z"));
    assert_true(s_evidence_contains(feeds, "sign of life: integration s3://orders-bucket"));
    assert_false(s_evidence_contains(feeds, "sign of life: created"));
    for (size_t i = 0; i < 2; i++) {
        assert_null(strstr(cpw_inventory_finding(inv, i)->action, "Delete"));
        assert_null(strstr(cpw_inventory_finding(inv, i)->action, "delete"));
    }
    struct cpw_plan_targets t = { 0 };
    assert_int_equal(cpw_plan_targets_from_inventory(inv, FX_ACCOUNT, true, &t), 0);
    assert_int_equal(t.domain_count, 0);
    cpw_plan_targets_clean_up(&t);
    cpw_inventory_destroy(inv);
}

/* A domain whose Connect instance is gone but that also feeds from Salesforce may still be in
 * use: possible, and its action keeps it. */
static void test_gone_instance_with_other_integration_is_possible(void **state)
{
    (void)state;
    struct cpw_inventory *inv = cpw_inventory_new();
    cpw_inventory_set_scanned_at(inv, FX_T0 + 100 * FX_DAY);
    cpw_inventory_add_account(inv, FX_ACCOUNT);
    fx_scope_all(inv);
    char gone[256];
    fx_instance_arn(gone, sizeof(gone), FX_ACCOUNT, FX_REGION_A, "inst-gone");
    struct cpw_inv_integration integ[2] = {
        { .uri = gone, .object_type_name = "CTR" },
        { .uri = "arn:aws:appflow:us-east-1:111111111111:flow/salesforce-accounts",
          .object_type_name = "SalesforceAccount" },
    };
    struct cpw_inv_domain d = { .account = FX_ACCOUNT,
                                .region = FX_REGION_A,
                                .name = "mixed",
                                .created_at_s = FX_T0,
                                .profile_count = 7,
                                .object_count = -1,
                                .metering_profile_count = -1,
                                .integrations = integ,
                                .integration_count = 2 };
    assert_non_null(cpw_inventory_add_domain(inv, &d));
    assert_int_equal(cpw_inventory_analyze(inv), 0);
    /* The domain stays (possible), and its dead Connect integration is reported on its own:
     * the instance's region was read, so that one is certainly dangling. */
    const struct expect expected[] = {
        { CPW_INV_FINDING_DOMAIN_WITHOUT_INSTANCE, CPW_INV_CONFIDENCE_POSSIBLE, ":domains/mixed" },
        { CPW_INV_FINDING_DANGLING_INTEGRATION, CPW_INV_CONFIDENCE_CERTAIN, ":instance/inst-gone" },
    };
    s_assert_findings(inv, expected, 2);
    const struct cpw_inv_finding *f = cpw_inventory_finding(inv, 0);
    assert_true(s_evidence_contains(f, "sign of life: it also has integration arn:aws:appflow"));
    assert_null(strstr(f->action, "delete"));
    assert_non_null(strstr(f->action, "other integrations may still use it"));
    const struct cpw_inv_finding *dangling = cpw_inventory_finding(inv, 1);
    assert_true(s_evidence_contains(dangling, "other integrations that may still use it"));
    assert_non_null(strstr(dangling->action, "keep the domain"));
    cpw_inventory_destroy(inv);
}

static void test_names_and_formats(void **state)
{
    (void)state;
    enum cpw_inv_format fmt;
    assert_int_equal(cpw_inv_format_parse("markdown", &fmt), 0);
    assert_int_equal(fmt, CPW_INV_FORMAT_MARKDOWN);
    assert_int_equal(cpw_inv_format_parse("yaml", &fmt), -1);
    assert_int_equal(cpw_last_error(), CPW_ERR_INVALID_ARGUMENT);
    assert_null(cpw_inv_confidence_name(CPW_INV_CONFIDENCE_NONE));
    assert_string_equal(cpw_inv_finding_kind_name(CPW_INV_FINDING_ROLE_DELETION_PENDING),
                        "role-deletion-pending");
    assert_string_equal(cpw_inv_finding_kind_name(CPW_INV_FINDING_UNATTACHED_DOMAIN),
                        "unattached-domain");
    assert_string_equal(cpw_inv_finding_kind_name(CPW_INV_FINDING_SURPLUS_PROFILE_ROLES),
                        "surplus-profile-roles");
    assert_string_equal(cpw_inv_finding_kind_name(CPW_INV_FINDING_PROFILE_ROLES_IN_USE),
                        "profile-roles-in-use");
    assert_string_equal(cpw_inv_region_state_name(CPW_INV_REGION_NOT_ENABLED), "not-enabled");
}

CPW_TEST_MAIN("inventory",
              CPW_TEST(test_orphans_story),
              CPW_TEST(test_connect_scan_error_lowers_confidence),
              CPW_TEST(test_region_not_enabled_covers_every_service),
              CPW_TEST(test_roles_without_domains_are_certain_orphans),
              CPW_TEST(test_profile_scan_error_prevents_certain_orphans),
              CPW_TEST(test_last_used_region_gives_possible_link),
              CPW_TEST(test_cloudtrail_makes_link_certain),
              CPW_TEST(test_dangling_integration_on_live_domain),
              CPW_TEST(test_instance_creation_failed),
              CPW_TEST(test_pending_role_deletion),
              CPW_TEST(test_unscanned_account_is_never_certain),
              CPW_TEST(test_not_enabled_region_counts_as_read),
              CPW_TEST(test_unknown_region_state_is_not_read),
              CPW_TEST(test_partial_scope_roles_are_possible_and_not_planned),
              CPW_TEST(test_legacy_role_with_pre_2023_domain_is_possible),
              CPW_TEST(test_pre_2023_domain_counts_without_legacy_role),
              CPW_TEST(test_counting_shows_every_role_in_use),
              CPW_TEST(test_ambiguous_surplus_is_one_finding),
              CPW_TEST(test_fresh_domain_without_integration_is_unattached),
              CPW_TEST(test_gone_instance_with_other_integration_is_possible),
              CPW_TEST(test_names_and_formats))
