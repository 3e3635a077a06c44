/*
 * inventory_fixtures.h - inventories that reproduce the runbook situations, shared by the
 * inventory, output and store tests. Static helpers: include from one test file each.
 */
#ifndef CPW_TEST_INVENTORY_FIXTURES_H
#define CPW_TEST_INVENTORY_FIXTURES_H

#include <stdio.h>

#include "cpw/inventory.h"
#include "cpw/regions.h"

#define FX_ACCOUNT  "111111111111"
#define FX_ACCOUNT2 "222222222222"
#define FX_REGION_A "us-east-1"
#define FX_REGION_B "us-west-2"
#define FX_T0       1700000000 /* 2023-11-14T22:13:20Z */
#define FX_DAY      86400

static inline void fx_instance_arn(char *out,
                                   size_t n,
                                   const char *account,
                                   const char *region,
                                   const char *id)
{
    snprintf(out, n, "arn:aws:connect:%s:%s:instance/%s", region, account, id);
}

static inline void fx_role_arn(char *out,
                               size_t n,
                               const char *account,
                               enum cpw_inv_role_service svc,
                               const char *name)
{
    snprintf(out, n, "arn:aws:iam::%s:role%s%s", account,
             svc == CPW_INV_ROLE_PROFILE ? CPW_INV_PROFILE_ROLE_PATH : CPW_INV_CONNECT_ROLE_PATH,
             name);
}

static inline void fx_instance(struct cpw_inventory *inv,
                               const char *account,
                               const char *region,
                               const char *id,
                               const char *status,
                               const char *role_name)
{
    char arn[256];
    char role[256];
    fx_instance_arn(arn, sizeof(arn), account, region, id);
    fx_role_arn(role, sizeof(role), account, CPW_INV_ROLE_CONNECT, role_name);
    struct cpw_inv_instance x = { .account = (char *)account,
                                  .region = (char *)region,
                                  .id = (char *)id,
                                  .arn = arn,
                                  .alias = (char *)id,
                                  .status = (char *)status,
                                  .service_role_arn = role,
                                  .created_at_s = FX_T0 - FX_DAY };
    cpw_inventory_add_instance(inv, &x);
}

/* A domain with up to two Connect integrations pointing at instance ids in the same region. */
static inline void fx_domain(struct cpw_inventory *inv,
                             const char *account,
                             const char *region,
                             const char *name,
                             int64_t created,
                             const char *instance_id,
                             const char *instance_id2)
{
    char uri1[256];
    char uri2[256];
    struct cpw_inv_integration integ[2] = { 0 };
    size_t n = 0;
    if (instance_id) {
        fx_instance_arn(uri1, sizeof(uri1), account, region, instance_id);
        integ[n++] = (struct cpw_inv_integration){ .uri = uri1,
                                                   .object_type_name = "CTR",
                                                   .created_at_s = created + 60 };
    }
    if (instance_id2) {
        fx_instance_arn(uri2, sizeof(uri2), account, region, instance_id2);
        integ[n++] = (struct cpw_inv_integration){ .uri = uri2,
                                                   .object_type_name = "CTR",
                                                   .created_at_s = created + 120 };
    }
    struct cpw_inv_domain d = { .account = (char *)account,
                                .region = (char *)region,
                                .name = (char *)name,
                                .created_at_s = created,
                                .profile_count = 42,
                                .object_count = 100,
                                .metering_profile_count = 40,
                                .integrations = integ,
                                .integration_count = n };
    cpw_inventory_add_domain(inv, &d);
}

static inline struct cpw_inv_role *fx_role(struct cpw_inventory *inv,
                                           const char *account,
                                           enum cpw_inv_role_service svc,
                                           const char *name,
                                           int64_t created,
                                           const char *last_used_region)
{
    char arn[256];
    fx_role_arn(arn, sizeof(arn), account, svc, name);
    struct cpw_inv_role r = {
        .account = (char *)account,
        .name = (char *)name,
        .arn = arn,
        .path = svc == CPW_INV_ROLE_PROFILE ? CPW_INV_PROFILE_ROLE_PATH : CPW_INV_CONNECT_ROLE_PATH,
        .created_at_s = created,
        .last_used_at_s = last_used_region ? FX_T0 + 10 * FX_DAY : 0,
        .last_used_region = (char *)last_used_region,
    };
    return cpw_inventory_add_role(inv, &r);
}

static inline void fx_error(struct cpw_inventory *inv,
                            const char *account,
                            const char *region,
                            const char *service,
                            const char *operation,
                            const char *code)
{
    struct cpw_inv_error e = { .account = (char *)account,
                               .region = (char *)region,
                               .service = (char *)service,
                               .operation = (char *)operation,
                               .code = (char *)code,
                               .message = "User is not authorized to perform this action" };
    cpw_inventory_add_error(inv, &e);
}

/* Scans every region where Connect or Customer Profiles is offered in the aws partition (what
 * `--regions all` reads): the complete scope that role findings need to be certain. */
static inline void fx_scope_all(struct cpw_inventory *inv)
{
    struct cpw_region_list all = { 0 };
    static const char *const services[] = { "connect", "customer-profiles" };
    for (size_t s = 0; s < 2; s++) {
        if (cpw_regions_for_service(services[s], "aws", &all) != 0) {
            fprintf(stderr, "fixture: no regions for %s\n", services[s]);
        }
    }
    for (size_t i = 0; i < all.count; i++) {
        cpw_inventory_add_region(inv, all.names[i]);
    }
    cpw_region_list_clean_up(&all);
}

/*
 * The `orphans` story, scanned in every region (fx_scope_all). Region A: live instance inst-a with
 * domain dom-a (integration Uri = its ARN), dom-a's role and inst-a's role. Region B: instance
 * inst-b was deleted; its domain dom-b, dom-b's role and inst-b's role stayed. Plus one legacy
 * AWSServiceRoleForProfile.
 */
static inline struct cpw_inventory *fx_orphans_story(void)
{
    struct cpw_inventory *inv = cpw_inventory_new();
    cpw_inventory_set_scanned_at(inv, FX_T0 + 30 * FX_DAY);
    cpw_inventory_add_account(inv, FX_ACCOUNT);
    fx_scope_all(inv);
    fx_instance(inv, FX_ACCOUNT, FX_REGION_A, "inst-a", "ACTIVE",
                "AWSServiceRoleForAmazonConnect_A");
    fx_domain(inv, FX_ACCOUNT, FX_REGION_A, "dom-a", FX_T0, "inst-a", NULL);
    fx_role(inv, FX_ACCOUNT, CPW_INV_ROLE_PROFILE, "AWSServiceRoleForProfile_a", FX_T0 + 30,
            FX_REGION_A);
    fx_role(inv, FX_ACCOUNT, CPW_INV_ROLE_CONNECT, "AWSServiceRoleForAmazonConnect_A",
            FX_T0 - FX_DAY + 5, FX_REGION_A);
    fx_domain(inv, FX_ACCOUNT, FX_REGION_B, "dom-b", FX_T0 + FX_DAY, "inst-b", NULL);
    fx_role(inv, FX_ACCOUNT, CPW_INV_ROLE_PROFILE, "AWSServiceRoleForProfile_b",
            FX_T0 + FX_DAY + 40, NULL);
    fx_role(inv, FX_ACCOUNT, CPW_INV_ROLE_CONNECT, "AWSServiceRoleForAmazonConnect_B",
            FX_T0 - 2 * FX_DAY, NULL);
    fx_role(inv, FX_ACCOUNT, CPW_INV_ROLE_PROFILE, CPW_INV_LEGACY_PROFILE_ROLE,
            FX_T0 - 365 * FX_DAY, NULL);
    return inv;
}

#endif
