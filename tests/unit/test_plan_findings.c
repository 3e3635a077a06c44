/*
 * test_plan_findings.c - finding ids and the plan targets of selected findings: ids are stable
 * and distinct, selecting findings gives exactly their targets (a domain with its role, an
 * orphaned role), selecting every finding gives what --orphans gives, and a selection of
 * findings that plan nothing gives nothing.
 */
#include <string.h>

#include "cpw/inventory.h"
#include "cpw/plan_targets.h"
#include "harness.h"
#include "inventory_fixtures.h"

/* The id of the first finding of kind, into id; false when there is none. */
static bool s_id_of(const struct cpw_inventory *inv,
                    enum cpw_inv_finding_kind kind,
                    char id[CPW_INV_FINDING_ID_LEN + 1])
{
    for (size_t i = 0; i < cpw_inventory_finding_count(inv); i++) {
        const struct cpw_inv_finding *f = cpw_inventory_finding(inv, i);
        if (f->kind == kind) {
            assert_int_equal(cpw_inventory_finding_id(f, id), 0);
            return true;
        }
    }
    return false;
}

static void t_ids_stable_and_distinct(void **state)
{
    (void)state;
    struct cpw_inventory *a = fx_orphans_story();
    struct cpw_inventory *b = fx_orphans_story();
    assert_int_equal(cpw_inventory_analyze(a), 0);
    assert_int_equal(cpw_inventory_analyze(b), 0);
    size_t n = cpw_inventory_finding_count(a);
    assert_true(n >= 2);
    assert_int_equal(n, cpw_inventory_finding_count(b));
    for (size_t i = 0; i < n; i++) {
        char x[CPW_INV_FINDING_ID_LEN + 1];
        char y[CPW_INV_FINDING_ID_LEN + 1];
        assert_int_equal(cpw_inventory_finding_id(cpw_inventory_finding(a, i), x), 0);
        assert_int_equal(cpw_inventory_finding_id(cpw_inventory_finding(b, i), y), 0);
        assert_int_equal(strlen(x), CPW_INV_FINDING_ID_LEN);
        assert_int_equal(strspn(x, "0123456789abcdef"), CPW_INV_FINDING_ID_LEN);
        assert_string_equal(x, y); /* the same leftover, another scan: the same id */
        for (size_t k = 0; k < i; k++) {
            char z[CPW_INV_FINDING_ID_LEN + 1];
            assert_int_equal(cpw_inventory_finding_id(cpw_inventory_finding(a, k), z), 0);
            assert_string_not_equal(x, z);
        }
    }
    cpw_inventory_destroy(a);
    cpw_inventory_destroy(b);
}

static void t_selection(void **state)
{
    (void)state;
    struct cpw_inventory *inv = fx_orphans_story();
    assert_int_equal(cpw_inventory_analyze(inv), 0);
    char domain[CPW_INV_FINDING_ID_LEN + 1];
    char role[CPW_INV_FINDING_ID_LEN + 1];
    assert_true(s_id_of(inv, CPW_INV_FINDING_DOMAIN_WITHOUT_INSTANCE, domain));
    assert_true(s_id_of(inv, CPW_INV_FINDING_ORPHANED_CONNECT_ROLE, role));

    struct cpw_plan_targets all = { 0 };
    struct cpw_plan_targets every = { 0 };
    assert_int_equal(cpw_plan_targets_from_inventory(inv, NULL, false, &all), 0);
    assert_int_equal(cpw_plan_targets_from_findings(inv, NULL, false, NULL, 0, &every), 0);
    assert_int_equal(all.domain_count, every.domain_count);
    assert_int_equal(all.role_count, every.role_count);
    assert_true(all.domain_count >= 1 && all.role_count >= 1);

    const char *just_domain[] = { domain };
    struct cpw_plan_targets t = { 0 };
    assert_int_equal(cpw_plan_targets_from_findings(inv, NULL, false, just_domain, 1, &t), 0);
    assert_int_equal(t.domain_count, 1);
    assert_int_equal(t.role_count, 0);
    assert_string_equal(t.domains[0].name, all.domains[0].name);
    cpw_plan_targets_clean_up(&t);

    const char *just_role[] = { role };
    assert_int_equal(cpw_plan_targets_from_findings(inv, NULL, false, just_role, 1, &t), 0);
    assert_int_equal(t.domain_count, 0);
    assert_int_equal(t.role_count, 1);
    assert_int_equal(t.roles[0].kind, CPW_PLAN_ROLE_CONNECT_SLR);
    cpw_plan_targets_clean_up(&t);

    const char *none[] = { "0000000000000000" };
    assert_int_equal(cpw_plan_targets_from_findings(inv, NULL, false, none, 1, &t), 0);
    assert_int_equal(t.domain_count + t.role_count, 0);

    cpw_plan_targets_clean_up(&all);
    cpw_plan_targets_clean_up(&every);
    cpw_inventory_destroy(inv);
}

CPW_TEST_MAIN("plan_findings", CPW_TEST(t_ids_stable_and_distinct), CPW_TEST(t_selection))
