/*
 * test_plan.c - plan building in runbook order, refusals and protections, the document's
 * round trip, and every way the strict loader refuses a plan file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "cpw/alloc.h"
#include "cpw/crypto.h"
#include "cpw/error.h"
#include "cpw/plan.h"
#include "cpw/protect.h"
#include "cpw/time.h"
#include "harness.h"

#define ACCOUNT    "123456789012"
#define CALLER     "arn:aws:iam::123456789012:user/ops"
#define DOMAIN_ARN "arn:aws:profile:us-east-1:123456789012:domains/orphan-dom"
#define GONE_INSTANCE                                                                              \
    "arn:aws:connect:us-east-1:123456789012:instance/11111111-1111-1111-1111-111111111111"
#define LIVE_INSTANCE                                                                              \
    "arn:aws:connect:us-east-1:123456789012:instance/22222222-2222-2222-2222-222222222222"
#define PROFILE_ROLE "AWSServiceRoleForProfile_abc123"
#define CONNECT_ROLE "AWSServiceRoleForAmazonConnect_XYUbWO6kTpYfc9uUNk5i"

static const struct cpw_plan_role_input s_profile_role = {
    .kind = CPW_PLAN_ROLE_PROFILE_SLR,
    .account = ACCOUNT,
    .name = PROFILE_ROLE,
    .arn = "arn:aws:iam::123456789012:role/aws-service-role/profile.amazonaws.com/" PROFILE_ROLE,
    .linked_resource = DOMAIN_ARN,
    .last_used = "2026-01-02T00:00:00Z",
};

static const struct cpw_plan_role_input s_connect_role = {
    .kind = CPW_PLAN_ROLE_CONNECT_SLR,
    .account = ACCOUNT,
    .name = CONNECT_ROLE,
    .arn = "arn:aws:iam::123456789012:role/aws-service-role/connect.amazonaws.com/" CONNECT_ROLE,
    .linked_resource = GONE_INSTANCE,
};

static const struct cpw_plan_integration_input s_integrations[] = {
    { .uri = GONE_INSTANCE, .object_type_name = "CTR", .dangling = true },
    { .uri = "arn:aws:appflow:us-east-1:123456789012:flow/keep", .dangling = false },
};

static const struct cpw_plan_instance_input s_gone[] = { { GONE_INSTANCE, "DELETED" } };
static const struct cpw_plan_instance_input s_active[] = { { GONE_INSTANCE, "DELETED" },
                                                           { LIVE_INSTANCE, "ACTIVE" } };

static struct cpw_plan_domain_input s_domain(const char *name)
{
    return (struct cpw_plan_domain_input){
        .account = ACCOUNT,
        .region = "us-east-1",
        .name = name,
        .arn = DOMAIN_ARN,
        .instances = s_gone,
        .instance_count = 1,
        .integrations = s_integrations,
        .integration_count = 2,
        .profile_count_known = true,
        .profile_count = 1234,
        .object_count = 5678,
        .object_type_count = 3,
        .event_stream_count = 1,
        .calculated_attribute_count = 2,
        .role = &s_profile_role,
    };
}

static struct cpw_plan *s_build(const struct cpw_protect *protect,
                                bool force,
                                const struct cpw_plan_domain_input *domain,
                                const struct cpw_plan_role_input *orphan)
{
    cpw_time_pin_ms(1795000000000LL);
    struct cpw_plan_builder_options opts = {
        .caller_account = ACCOUNT, .caller_arn = CALLER, .protect = protect, .force = force
    };
    struct cpw_plan_builder *b = cpw_plan_builder_new(&opts);
    assert_non_null(b);
    if (orphan) { /* added first on purpose: orphan roles still come after every domain */
        assert_int_equal(cpw_plan_builder_add_orphan_role(b, orphan), 0);
    }
    if (domain) {
        assert_int_equal(cpw_plan_builder_add_domain(b, domain), 0);
    }
    struct cpw_plan *plan = cpw_plan_builder_finish(b);
    assert_non_null(plan);
    cpw_plan_builder_destroy(b);
    return plan;
}

static bool s_depends(const struct cpw_plan_action *a, const char *id)
{
    for (size_t i = 0; i < a->depends_on_count; i++) {
        if (strcmp(a->depends_on[i], id) == 0) {
            return true;
        }
    }
    return false;
}

static const struct cpw_plan_check *s_check(const struct cpw_plan *plan, const char *id)
{
    for (size_t i = 0; i < plan->checklists[0].item_count; i++) {
        if (strcmp(plan->checklists[0].items[i].id, id) == 0) {
            return &plan->checklists[0].items[i];
        }
    }
    fail_msg("no checklist item %s", id);
    return NULL;
}

static void test_runbook_order(void **state)
{
    (void)state;
    struct cpw_plan_domain_input d = s_domain("orphan-dom");
    struct cpw_plan *plan = s_build(NULL, false, &d, &s_connect_role);
    static const enum cpw_plan_action_kind expected[] = {
        CPW_PLAN_BACKUP_DOMAIN,
        CPW_PLAN_DELETE_INTEGRATION,
        CPW_PLAN_DELETE_DOMAIN,
        CPW_PLAN_VERIFY_DOMAIN_GONE,
        CPW_PLAN_WAIT_ROLE_GONE,
        CPW_PLAN_DELETE_SERVICE_LINKED_ROLE,
        CPW_PLAN_POLL_ROLE_DELETION,
        CPW_PLAN_VERIFY_ROLE_GONE,
        CPW_PLAN_DELETE_SERVICE_LINKED_ROLE,
        CPW_PLAN_POLL_ROLE_DELETION,
        CPW_PLAN_VERIFY_ROLE_GONE,
    };
    assert_int_equal(plan->action_count, sizeof(expected) / sizeof(expected[0]));
    for (size_t i = 0; i < plan->action_count; i++) {
        assert_int_equal(plan->actions[i].kind, expected[i]);
        assert_int_equal(plan->actions[i].status, CPW_PLAN_ACTION_PLANNED);
        assert_string_equal(plan->actions[i].reason, "");
        /* Every dependency comes earlier in the plan. */
        for (size_t d2 = 0; d2 < plan->actions[i].depends_on_count; d2++) {
            const struct cpw_plan_action *dep =
              cpw_plan_find_action(plan, plan->actions[i].depends_on[d2]);
            assert_non_null(dep);
            assert_true(dep < &plan->actions[i]);
        }
    }
    const struct cpw_plan_action *a = plan->actions;
    assert_string_equal(a[0].id, "a01");
    assert_string_equal(a[1].name, GONE_INSTANCE); /* only the dangling integration */
    assert_true(s_depends(&a[1], "a01"));
    assert_true(s_depends(&a[2], "a01") && s_depends(&a[2], "a02"));
    assert_true(s_depends(&a[3], "a03"));
    assert_true(s_depends(&a[4], "a04"));
    assert_true(s_depends(&a[5], "a05"));
    assert_string_equal(a[5].name, PROFILE_ROLE);
    assert_string_equal(a[5].region, "");
    assert_true(s_depends(&a[6], "a06") && s_depends(&a[7], "a07"));
    assert_string_equal(a[8].name, CONNECT_ROLE);
    assert_int_equal(a[8].depends_on_count, 0);
    assert_true(s_depends(&a[9], "a09") && s_depends(&a[10], "a10"));

    /* Impact and observed preconditions. */
    assert_int_equal(a[2].impact.profiles, 1234);
    assert_int_equal(a[2].impact.objects, 5678);
    assert_int_equal(a[2].impact.integrations, 1); /* the dangling one is a[1]'s */
    assert_int_equal(a[2].impact.object_types, 3);
    assert_int_equal(a[2].impact.event_streams, 1);
    assert_int_equal(a[2].impact.calculated_attributes, 2);
    assert_int_equal(a[1].impact.integrations, 1);
    assert_string_equal(cpw_plan_action_fact(&a[2], "domain.profile_count"), "1234");
    assert_string_equal(cpw_plan_action_fact(&a[2], "instance." GONE_INSTANCE ".status"),
                        "DELETED");
    bool saw_no_active = false;
    bool saw_backup = false;
    for (size_t i = 0; i < a[2].precondition_count; i++) {
        saw_no_active |= strcmp(a[2].preconditions[i], "no ACTIVE instance uses the domain") == 0;
        saw_backup |= strcmp(a[2].preconditions[i], "backup a01 completed and verified") == 0;
    }
    assert_true(saw_no_active && saw_backup);
    bool saw_unused = false;
    for (size_t i = 0; i < a[5].precondition_count; i++) {
        saw_unused |= strcmp(a[5].preconditions[i], "role unused since 2026-01-02T00:00:00Z") == 0;
    }
    assert_true(saw_unused);
    assert_string_equal(cpw_plan_action_fact(&a[5], "role.service"), "profile.amazonaws.com");
    assert_string_equal(cpw_plan_action_fact(&a[8], "role.service"), "connect.amazonaws.com");

    /* Header and checklist. */
    assert_string_equal(plan->created_at, "2026-11-18T11:06:40.000Z");
    assert_int_equal(plan->account_count, 1);
    assert_string_equal(plan->accounts[0], ACCOUNT);
    assert_int_equal(plan->checklist_count, 1);
    assert_int_equal(s_check(plan, "instances-checked")->status, CPW_PLAN_CHECK_PASS);
    assert_int_equal(s_check(plan, "profile-count-recorded")->status, CPW_PLAN_CHECK_PASS);
    assert_int_equal(s_check(plan, "backup-planned")->status, CPW_PLAN_CHECK_PASS);
    assert_non_null(strstr(s_check(plan, "backup-planned")->detail, "a01"));
    assert_int_equal(s_check(plan, "role-identified")->status, CPW_PLAN_CHECK_PASS);
    assert_int_equal(s_check(plan, "permissions-checked")->status, CPW_PLAN_CHECK_PENDING);
    assert_non_null(strstr(s_check(plan, "resources-counted")->detail, "2 integration(s)"));
    char fp[CPW_SHA256_HEX_LEN + 1];
    assert_int_equal(cpw_plan_compute_fingerprint(plan, fp), 0);
    assert_string_equal(fp, plan->fingerprint);
    cpw_plan_destroy(plan);
}

static void test_active_instance_refused_unless_forced(void **state)
{
    (void)state;
    struct cpw_plan_domain_input d = s_domain("busy-dom");
    d.instances = s_active;
    d.instance_count = 2;
    struct cpw_plan *plan = s_build(NULL, false, &d, NULL);
    assert_int_equal(plan->action_count, 8);
    for (size_t i = 0; i < plan->action_count; i++) {
        assert_int_equal(plan->actions[i].status, CPW_PLAN_ACTION_REFUSED);
        assert_non_null(strstr(plan->actions[i].reason, "ACTIVE Connect instance " LIVE_INSTANCE));
    }
    assert_int_equal(plan->account_count, 0); /* nothing will be touched */
    assert_int_equal(s_check(plan, "instances-checked")->status, CPW_PLAN_CHECK_FAIL);
    assert_int_equal(s_check(plan, "backup-planned")->status, CPW_PLAN_CHECK_PENDING);
    cpw_plan_destroy(plan);

    plan = s_build(NULL, true, &d, NULL);
    for (size_t i = 0; i < plan->action_count; i++) {
        assert_int_equal(plan->actions[i].status, CPW_PLAN_ACTION_PLANNED);
    }
    assert_true(plan->force);
    const struct cpw_plan_action *del = &plan->actions[2];
    assert_int_equal(del->kind, CPW_PLAN_DELETE_DOMAIN);
    assert_non_null(strstr(del->preconditions[0], "(forced)"));
    assert_string_equal(cpw_plan_action_fact(del, "instance." LIVE_INSTANCE ".status"), "ACTIVE");
    assert_int_equal(s_check(plan, "instances-checked")->status, CPW_PLAN_CHECK_FAIL);
    cpw_plan_destroy(plan);
}

static struct cpw_protect *s_protect(const char *text, char *dir, size_t dir_len)
{
    snprintf(dir, dir_len, "/tmp/cpw-plan-prot-XXXXXX");
    assert_non_null(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof(path), "%s/config", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    struct cpw_protect *cfg = cpw_protect_load(path);
    assert_non_null(cfg);
    unlink(path);
    rmdir(dir);
    return cfg;
}

static void s_assert_all(const struct cpw_plan *plan,
                         size_t from,
                         size_t to,
                         enum cpw_plan_action_status status,
                         const char *reason_fragment)
{
    for (size_t i = from; i < to; i++) {
        assert_int_equal(plan->actions[i].status, status);
        if (reason_fragment && !strstr(plan->actions[i].reason, reason_fragment)) {
            fail_msg("action %s reason '%s' lacks '%s'", plan->actions[i].id,
                     plan->actions[i].reason, reason_fragment);
        }
    }
}

static void test_protected_targets_are_skipped(void **state)
{
    (void)state;
    char dir[64];
    struct cpw_protect *cfg =
      s_protect("[protect]\ndomains = prod-*\nroles = AWSServiceRoleForAmazonConnect_XYU*\n", dir,
                sizeof(dir));

    /* By domain glob: the whole domain chain (and its role) is skipped, the orphan role too. */
    struct cpw_plan_domain_input d = s_domain("prod-customers");
    struct cpw_plan *plan = s_build(cfg, false, &d, &s_connect_role);
    s_assert_all(plan, 0, 8, CPW_PLAN_ACTION_SKIPPED, "matches protected glob 'prod-*'");
    s_assert_all(plan, 8, 11, CPW_PLAN_ACTION_SKIPPED,
                 "matches protected glob 'AWSServiceRoleForAmazonConnect_XYU*'");
    assert_int_equal(s_check(plan, "protection-checked")->status, CPW_PLAN_CHECK_FAIL);
    assert_int_equal(plan->account_count, 0);
    cpw_plan_destroy(plan);

    /* By tag (the default cpwarden:protect, any value), even with force. */
    struct cpw_tag tags[] = { { "cpwarden:protect", "yes" } };
    d = s_domain("orphan-dom");
    d.tags = tags;
    d.tag_count = 1;
    plan = s_build(cfg, true, &d, NULL);
    s_assert_all(plan, 0, plan->action_count, CPW_PLAN_ACTION_SKIPPED,
                 "carries protecting tag cpwarden:protect=yes");
    cpw_plan_destroy(plan);

    /* Only the role protected by tag: the domain goes, the role chain stays. */
    struct cpw_plan_role_input role = s_profile_role;
    role.tags = tags;
    role.tag_count = 1;
    d = s_domain("orphan-dom");
    d.role = &role;
    plan = s_build(cfg, false, &d, NULL);
    s_assert_all(plan, 0, 4, CPW_PLAN_ACTION_PLANNED, NULL);
    s_assert_all(plan, 4, 8, CPW_PLAN_ACTION_SKIPPED, "role '" PROFILE_ROLE "' carries");
    cpw_plan_destroy(plan);
    cpw_protect_destroy(cfg);

    /* Account blocklisted. */
    cfg = s_protect("[accounts]\nblocklist = 123456789012\n", dir, sizeof(dir));
    d = s_domain("orphan-dom");
    plan = s_build(cfg, true, &d, &s_connect_role);
    s_assert_all(plan, 0, plan->action_count, CPW_PLAN_ACTION_SKIPPED,
                 "account 123456789012 is on the blocklist");
    cpw_plan_destroy(plan);
    cpw_protect_destroy(cfg);
}

static void test_possible_orphans_need_include_possible(void **state)
{
    (void)state;
    struct cpw_plan_role_input role = s_connect_role;
    role.possible = true;
    struct cpw_plan *plan = s_build(NULL, false, NULL, &role);
    s_assert_all(plan, 0, 3, CPW_PLAN_ACTION_SKIPPED, "--include-possible");
    cpw_plan_destroy(plan);

    struct cpw_plan_builder_options opts = { .caller_account = ACCOUNT,
                                             .caller_arn = CALLER,
                                             .include_possible = true };
    struct cpw_plan_builder *b = cpw_plan_builder_new(&opts);
    assert_int_equal(cpw_plan_builder_add_orphan_role(b, &role), 0);
    plan = cpw_plan_builder_finish(b);
    cpw_plan_builder_destroy(b);
    s_assert_all(plan, 0, 3, CPW_PLAN_ACTION_PLANNED, NULL);
    cpw_plan_destroy(plan);
}

static void test_builder_rejects_bad_input(void **state)
{
    (void)state;
    struct cpw_plan_builder_options opts = { .caller_account = "12345", .caller_arn = CALLER };
    assert_null(cpw_plan_builder_new(&opts));
    assert_int_equal(cpw_last_error(), CPW_ERR_INVALID_ARGUMENT);
    opts.caller_account = ACCOUNT;
    struct cpw_plan_builder *b = cpw_plan_builder_new(&opts);
    struct cpw_plan_domain_input d = s_domain("x");
    d.region = NULL;
    assert_int_equal(cpw_plan_builder_add_domain(b, &d), -1);
    assert_int_equal(cpw_last_error(), CPW_ERR_INVALID_ARGUMENT);
    struct cpw_plan *plan = cpw_plan_builder_finish(b);
    assert_non_null(plan);
    assert_int_equal(plan->action_count, 0);
    assert_null(cpw_plan_builder_finish(b)); /* spent */
    assert_int_equal(cpw_plan_builder_add_orphan_role(b, &s_connect_role), -1);
    cpw_plan_builder_destroy(b);
    cpw_plan_destroy(plan);
}

/* ----- documents -------------------------------------------------------------------------- */

static char *s_to_json(const struct cpw_plan *plan)
{
    struct cpw_buf out;
    cpw_buf_init(&out, CPW_PLAN_MAX_BYTES);
    assert_int_equal(cpw_plan_to_json(plan, &out), 0);
    return cpw_buf_detach(&out);
}

/* Two plans of the same world made within one second are two plans: the journal knows a plan by
 * its checksum, and the second must not be taken for a resume of the first. */
static void test_plans_made_in_one_second_differ(void **state)
{
    (void)state;
    struct cpw_plan_domain_input domain = s_domain("retired");
    struct cpw_plan *a = s_build(NULL, false, &domain, NULL); /* at 1795000000000 ms */
    cpw_time_pin_ms(1795000000400LL);
    struct cpw_plan_builder_options opts = { .caller_account = ACCOUNT, .caller_arn = CALLER };
    struct cpw_plan_builder *builder = cpw_plan_builder_new(&opts);
    assert_non_null(builder);
    assert_int_equal(cpw_plan_builder_add_domain(builder, &domain), 0);
    struct cpw_plan *b = cpw_plan_builder_finish(builder);
    assert_non_null(b);
    cpw_plan_builder_destroy(builder);
    assert_string_equal(a->created_at, "2026-11-18T11:06:40.000Z");
    assert_string_equal(b->created_at, "2026-11-18T11:06:40.400Z");
    char *ja = s_to_json(a);
    char *jb = s_to_json(b);
    json_t *da = json_loads(ja, 0, NULL);
    json_t *db = json_loads(jb, 0, NULL);
    assert_non_null(da);
    assert_non_null(db);
    assert_string_not_equal(json_string_value(json_object_get(da, "checksum")),
                            json_string_value(json_object_get(db, "checksum")));
    json_decref(da);
    json_decref(db);
    cpw_free(ja);
    cpw_free(jb);
    cpw_plan_destroy(a);
    cpw_plan_destroy(b);
    cpw_time_pin_ms(-1);
}

static void test_round_trip_file_is_private(void **state)
{
    (void)state;
    struct cpw_plan_domain_input d = s_domain("orphan-dom");
    struct cpw_plan *plan = s_build(NULL, false, &d, &s_connect_role);
    char dir[64];
    snprintf(dir, sizeof(dir), "/tmp/cpw-plan-XXXXXX");
    assert_non_null(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof(path), "%s/plan.json", dir);
    mode_t old_mask = umask(0); /* even a permissive umask gives 0600 */
    assert_int_equal(cpw_plan_write_file(plan, path), 0);
    umask(old_mask);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);

    struct cpw_plan_load_options lo = { .current_account = ACCOUNT };
    struct cpw_plan *loaded = cpw_plan_load_file(path, &lo);
    if (!loaded) {
        fail_msg("%s", cpw_last_error_detail());
    }
    char *a = s_to_json(plan);
    char *b = s_to_json(loaded);
    assert_string_equal(a, b);
    assert_string_equal(loaded->fingerprint, plan->fingerprint);
    assert_int_equal(loaded->action_count, plan->action_count);
    assert_string_equal(loaded->actions[2].preconditions[0], plan->actions[2].preconditions[0]);

    /* A symbolic link at the path is refused: what it points to keeps its content, and the link
     * stays a link (rename would have silently replaced it). */
    char victim[128];
    char link[128];
    snprintf(victim, sizeof(victim), "%s/victim", dir);
    snprintf(link, sizeof(link), "%s/linked-plan.json", dir);
    FILE *vf = fopen(victim, "w");
    assert_non_null(vf);
    fputs("precious\n", vf);
    fclose(vf);
    assert_int_equal(symlink(victim, link), 0);
    assert_int_equal(cpw_plan_write_file(loaded, link), -1);
    assert_non_null(strstr(cpw_last_error_detail(), "linked-plan.json is a symbolic link"));
    assert_int_equal(lstat(link, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    assert_int_equal(stat(victim, &st), 0);
    assert_int_equal(st.st_size, 9);
    unlink(link);
    unlink(victim);

    /* Rewriting over an existing file replaces it atomically; no temporary file is left. */
    assert_int_equal(cpw_plan_write_file(loaded, path), 0);
    char cmd[160];
    snprintf(cmd, sizeof(cmd), "test $(ls -A %s | wc -l) -eq 1", dir);
    assert_int_equal(system(cmd), 0);

    struct cpw_buf text;
    cpw_buf_init(&text, 1u << 20);
    assert_int_equal(cpw_plan_render_table(loaded, &text), 0);
    const char *t = cpw_buf_cstr(&text);
    assert_non_null(strstr(t, "a03  planned  delete-domain"));
    assert_non_null(strstr(t, "1234 profiles, 5678 objects, 1 integration, 3 object types"));
    assert_non_null(strstr(t, "[pass   ] Associated instances checked"));
    cpw_buf_reset(&text);
    assert_int_equal(cpw_plan_render_markdown(loaded, &text), 0);
    t = cpw_buf_cstr(&text);
    assert_non_null(strstr(t, "| a03 | delete-domain | planned | `orphan-dom` |"));
    assert_non_null(strstr(t, "## Pre-deletion checklist: domain `orphan-dom`"));
    assert_non_null(strstr(t, "| SCP and permission check | pending |"));
    cpw_buf_clean_up(&text);

    cpw_free(a);
    cpw_free(b);
    unlink(path);
    rmdir(dir);
    cpw_plan_destroy(loaded);
    cpw_plan_destroy(plan);
}

/* Test-side copy of the documented canonical form (docs/plan-format.md). */
static int s_collect(const char *text, size_t size, void *data)
{
    return cpw_buf_append((struct cpw_buf *)data, cpw_span_from(text, size));
}

static void s_sha_hex(const json_t *doc, char out[CPW_SHA256_HEX_LEN + 1])
{
    struct cpw_buf text;
    cpw_buf_init(&text, CPW_PLAN_MAX_BYTES);
    assert_int_equal(json_dump_callback(doc, s_collect, &text, JSON_COMPACT | JSON_SORT_KEYS), 0);
    uint8_t digest[CPW_SHA256_LEN];
    assert_int_equal(cpw_sha256(cpw_buf_span(&text), digest), 0);
    cpw_hex_encode_to(out, digest, sizeof(digest));
    cpw_buf_clean_up(&text);
}

/* Recomputes the fingerprint (when asked) and the checksum, as a careful forger would. */
static void s_reseal(json_t *doc, bool fingerprint)
{
    char hex[CPW_SHA256_HEX_LEN + 1];
    if (fingerprint) {
        json_t *list = json_array();
        size_t i;
        json_t *a;
        json_array_foreach(json_object_get(doc, "actions"), i, a)
        {
            json_t *t = json_object_get(a, "target");
            json_array_append_new(
              list, json_pack("{s:O, s:O, s:O, s:O, s:O, s:O, s:O}", "id", json_object_get(a, "id"),
                              "kind", json_object_get(a, "kind"), "account",
                              json_object_get(t, "account"), "region", json_object_get(t, "region"),
                              "arn", json_object_get(t, "arn"), "name", json_object_get(t, "name"),
                              "facts", json_object_get(a, "observed")));
        }
        s_sha_hex(list, hex);
        json_decref(list);
        json_object_set_new(doc, "fingerprint", json_string(hex));
    }
    json_object_del(doc, "checksum");
    s_sha_hex(doc, hex);
    json_object_set_new(doc, "checksum", json_string(hex));
}

static json_t *s_doc(void)
{
    struct cpw_plan_domain_input d = s_domain("orphan-dom");
    struct cpw_plan *plan = s_build(NULL, false, &d, &s_connect_role);
    char *text = s_to_json(plan);
    cpw_plan_destroy(plan);
    json_t *doc = json_loads(text, 0, NULL);
    cpw_free(text);
    assert_non_null(doc);
    return doc;
}

static void s_expect_refused(json_t *doc,
                             const char *account,
                             enum cpw_error code,
                             const char *fragment)
{
    struct cpw_buf text;
    cpw_buf_init(&text, CPW_PLAN_MAX_BYTES);
    assert_int_equal(json_dump_callback(doc, s_collect, &text, JSON_INDENT(2)), 0);
    struct cpw_plan_load_options lo = { .current_account = account };
    struct cpw_plan *plan = cpw_plan_load(cpw_buf_span(&text), &lo);
    if (plan || cpw_last_error() != code || !strstr(cpw_last_error_detail(), fragment)) {
        fail_msg("expected %s '%s', got %s '%s'", cpw_error_name(code), fragment,
                 cpw_error_name(cpw_last_error()), cpw_last_error_detail());
    }
    cpw_buf_clean_up(&text);
    json_decref(doc);
}

static json_t *s_action(json_t *doc, size_t i)
{
    return json_array_get(json_object_get(doc, "actions"), i);
}

static void test_bad_plans_refused(void **state)
{
    (void)state;
    /* Resealed but untouched: loads (the forger's helper agrees with the writer). */
    json_t *doc = s_doc();
    s_reseal(doc, true);
    struct cpw_buf text;
    cpw_buf_init(&text, CPW_PLAN_MAX_BYTES);
    assert_int_equal(json_dump_callback(doc, s_collect, &text, 0), 0);
    struct cpw_plan_load_options lo = { .current_account = ACCOUNT };
    struct cpw_plan *ok = cpw_plan_load(cpw_buf_span(&text), &lo);
    assert_non_null(ok);
    cpw_plan_destroy(ok);

    /* Truncated. */
    text.len /= 2;
    assert_null(cpw_plan_load(cpw_buf_span(&text), &lo));
    assert_int_equal(cpw_last_error(), CPW_ERR_PARSE);
    assert_non_null(strstr(cpw_last_error_detail(), "not valid JSON"));
    cpw_buf_clean_up(&text);
    json_decref(doc);

    /* An edited action: the checksum catches it. */
    doc = s_doc();
    json_object_set_new(json_object_get(s_action(doc, 2), "target"), "name",
                        json_string("production"));
    s_expect_refused(doc, ACCOUNT, CPW_ERR_INTEGRITY, "checksum does not match");

    /* An edited fingerprint, checksum recomputed: the fingerprint catches it. */
    doc = s_doc();
    json_object_set_new(doc, "fingerprint",
                        json_string("00000000000000000000000000000000"
                                    "00000000000000000000000000000000"));
    s_reseal(doc, false);
    s_expect_refused(doc, ACCOUNT, CPW_ERR_INTEGRITY, "fingerprint does not match");

    /* An edited observed fact, checksum recomputed. */
    doc = s_doc();
    json_object_set_new(json_object_get(s_action(doc, 2), "observed"), "domain.profile_count",
                        json_string("0"));
    s_reseal(doc, false);
    s_expect_refused(doc, ACCOUNT, CPW_ERR_INTEGRITY, "fingerprint does not match");

    /* Wrong version (checked before the checksum). */
    doc = s_doc();
    json_object_set_new(doc, "format_version", json_integer(3));
    s_expect_refused(doc, ACCOUNT, CPW_ERR_VERSION, "version 3 is not supported");

    /* Not a plan at all. */
    doc = json_pack("{s:s}", "format", "something-else");
    s_expect_refused(doc, ACCOUNT, CPW_ERR_PARSE, "not a cpwarden plan");

    /* Wrong account. */
    doc = s_doc();
    s_expect_refused(doc, "210987654321", CPW_ERR_WRONG_ACCOUNT, "made for account 123456789012");

    /* Unknown and missing fields. */
    doc = s_doc();
    json_object_set_new(s_action(doc, 0), "extra", json_true());
    s_reseal(doc, true);
    s_expect_refused(doc, ACCOUNT, CPW_ERR_PARSE, "unknown field 'extra' in actions[0]");
    doc = s_doc();
    json_object_del(s_action(doc, 3), "impact");
    s_reseal(doc, true);
    s_expect_refused(doc, ACCOUNT, CPW_ERR_PARSE, "missing field 'impact' in actions[3]");

    /* Duplicate ids. */
    doc = s_doc();
    json_object_set_new(s_action(doc, 1), "id", json_string("a01"));
    s_reseal(doc, true);
    s_expect_refused(doc, ACCOUNT, CPW_ERR_PARSE, "duplicate action id 'a01'");

    /* A dependency on an unknown id. */
    doc = s_doc();
    json_array_append_new(json_object_get(s_action(doc, 2), "depends_on"), json_string("a99"));
    s_reseal(doc, true);
    s_expect_refused(doc, ACCOUNT, CPW_ERR_PARSE, "depends on unknown action 'a99'");

    /* A cycle: a01 -> a03 -> a01. */
    doc = s_doc();
    json_array_append_new(json_object_get(s_action(doc, 0), "depends_on"), json_string("a03"));
    s_reseal(doc, true);
    s_expect_refused(doc, ACCOUNT, CPW_ERR_PARSE, "dependency cycle");

    /* A dependency that comes later without a cycle. */
    doc = s_doc();
    json_array_append_new(json_object_get(s_action(doc, 8), "depends_on"), json_string("a10"));
    json_array_clear(json_object_get(s_action(doc, 9), "depends_on"));
    s_reseal(doc, true);
    s_expect_refused(doc, ACCOUNT, CPW_ERR_PARSE, "which comes after it");

    /* A planned action with a reason, a bad status, a bad account id. */
    doc = s_doc();
    json_object_set_new(s_action(doc, 0), "status", json_string("maybe"));
    s_reseal(doc, true);
    s_expect_refused(doc, ACCOUNT, CPW_ERR_PARSE, "is not planned/skipped/refused");
    doc = s_doc();
    json_object_set_new(json_object_get(s_action(doc, 0), "target"), "account", json_string("12"));
    s_reseal(doc, true);
    s_expect_refused(doc, ACCOUNT, CPW_ERR_PARSE, "is not an account id");
}

/* Re-targets every action to another account, as a forger would, keeping the graph valid. */
static void s_move_actions(json_t *doc, const char *account)
{
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(doc, "actions"), i, a)
    {
        json_object_set_new(json_object_get(a, "target"), "account", json_string(account));
    }
}

static void test_accounts_derived_not_trusted(void **state)
{
    (void)state;
    /* "accounts": [] re-sealed (checksum and fingerprint recomputed): the planned actions still
     * touch 123456789012, so the claim is refused; nobody could confirm an empty list. */
    json_t *doc = s_doc();
    json_object_set_new(doc, "accounts", json_array());
    s_reseal(doc, true);
    s_expect_refused(doc, ACCOUNT, CPW_ERR_INTEGRITY,
                     "\"accounts\" field says none, but its planned actions touch 123456789012");

    /* Another account id named for confirmation while the actions delete in the real one. */
    doc = s_doc();
    json_object_set_new(doc, "accounts", json_pack("[s]", "999999999999"));
    s_reseal(doc, true);
    s_expect_refused(doc, ACCOUNT, CPW_ERR_INTEGRITY,
                     "says 999999999999, but its planned actions touch 123456789012");

    /* Both accounts claimed, one touched. */
    doc = s_doc();
    json_object_set_new(doc, "accounts", json_pack("[s, s]", ACCOUNT, "999999999999"));
    s_reseal(doc, true);
    s_expect_refused(doc, ACCOUNT, CPW_ERR_INTEGRITY, "edited or is inconsistent");

    /* Actions moved to another account, accounts updated to match: consistent, but not the
     * caller's account, and this is no organization plan. */
    doc = s_doc();
    s_move_actions(doc, "999999999999");
    json_object_set_new(doc, "accounts", json_pack("[s]", "999999999999"));
    s_reseal(doc, true);
    s_expect_refused(doc, ACCOUNT, CPW_ERR_WRONG_ACCOUNT,
                     "is in account 999999999999, but the current identity is in account "
                     "123456789012; only an organization plan may act in other accounts");

    /* The same document loads when the caller allows other accounts (an organization plan). */
    doc = s_doc();
    s_move_actions(doc, "999999999999");
    json_object_set_new(doc, "accounts", json_pack("[s]", "999999999999"));
    s_reseal(doc, true);
    struct cpw_buf text;
    cpw_buf_init(&text, CPW_PLAN_MAX_BYTES);
    assert_int_equal(json_dump_callback(doc, s_collect, &text, 0), 0);
    struct cpw_plan_load_options org = { .current_account = ACCOUNT, .allow_other_accounts = true };
    struct cpw_plan *plan = cpw_plan_load(cpw_buf_span(&text), &org);
    assert_non_null(plan);
    assert_int_equal(plan->account_count, 1);
    assert_string_equal(plan->accounts[0], "999999999999");
    assert_int_equal(cpw_plan_verify_trust(plan, ACCOUNT, false), -1);
    assert_int_equal(cpw_last_error(), CPW_ERR_WRONG_ACCOUNT);
    assert_int_equal(cpw_plan_verify_trust(plan, ACCOUNT, true), 0);
    cpw_plan_destroy(plan);
    cpw_buf_clean_up(&text);
    json_decref(doc);

    /* Skipped and refused actions touch nothing: a protected plan claims no account. */
    struct cpw_plan_domain_input d = s_domain("orphan-dom");
    d.instances = s_active;
    d.instance_count = 2;
    plan = s_build(NULL, false, &d, NULL); /* refused: an ACTIVE instance, not forced */
    assert_int_equal(plan->account_count, 0);
    assert_int_equal(cpw_plan_verify_trust(plan, ACCOUNT, false), 0);
    cpw_plan_destroy(plan);
}

static void test_stale_plan_detected(void **state)
{
    (void)state;
    struct cpw_plan_domain_input d = s_domain("orphan-dom");
    struct cpw_plan *saved = s_build(NULL, false, &d, &s_connect_role);
    struct cpw_plan *same = s_build(NULL, false, &d, &s_connect_role);
    assert_int_equal(cpw_plan_check_fresh(saved, same), 0);
    cpw_plan_destroy(same);

    d.profile_count = 1300; /* profiles arrived since the plan was made */
    struct cpw_plan *live = s_build(NULL, false, &d, &s_connect_role);
    assert_int_equal(cpw_plan_check_fresh(saved, live), -1);
    assert_int_equal(cpw_last_error(), CPW_ERR_STALE_PLAN);
    assert_string_equal(cpw_last_error_detail(),
                        "a01 backup-domain orphan-dom: domain.profile_count was 1234, is now 1300");
    cpw_plan_destroy(live);

    d = s_domain("orphan-dom");
    d.instances = s_active; /* an instance was re-pointed at the domain */
    d.instance_count = 2;
    live = s_build(NULL, true, &d, &s_connect_role);
    assert_int_equal(cpw_plan_check_fresh(saved, live), -1);
    assert_non_null(strstr(cpw_last_error_detail(), "instance." LIVE_INSTANCE ".status is new"));
    cpw_plan_destroy(live);

    d = s_domain("orphan-dom");
    live = s_build(NULL, false, &d, NULL); /* the Connect role is gone already */
    assert_int_equal(cpw_plan_check_fresh(saved, live), -1);
    assert_non_null(strstr(cpw_last_error_detail(), "no longer called for"));
    cpw_plan_destroy(live);
    cpw_plan_destroy(saved);
}

/* The committed seed files double as golden files of the documented format. */
static void test_seed_files(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        enum cpw_error code; /* CPW_ERR_NONE: loads */
    } seeds[] = {
        { "valid.json", CPW_ERR_NONE },
        { "truncated.json", CPW_ERR_PARSE },
        { "empty.json", CPW_ERR_PARSE },
        { "edited-action.json", CPW_ERR_INTEGRITY },
        { "edited-fingerprint.json", CPW_ERR_INTEGRITY },
        { "wrong-version.json", CPW_ERR_VERSION },
        { "wrong-account.json", CPW_ERR_WRONG_ACCOUNT },
        { "cycle.json", CPW_ERR_PARSE },
        { "unknown-dep.json", CPW_ERR_PARSE },
        { "duplicate-id.json", CPW_ERR_PARSE },
        { "unknown-field.json", CPW_ERR_PARSE },
    };
    struct cpw_plan_load_options lo = { .current_account = ACCOUNT };
    for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
        char rel[128];
        snprintf(rel, sizeof(rel), "tests/fuzz/corpus/plan_load/%s", seeds[i].name);
        char *path = cpw_test_source_path(rel);
        struct cpw_plan *plan = cpw_plan_load_file(path, &lo);
        cpw_free(path);
        if (seeds[i].code == CPW_ERR_NONE) {
            if (!plan) {
                fail_msg("%s: %s", seeds[i].name, cpw_last_error_detail());
            }
            assert_int_equal(plan->action_count, 15);
            assert_int_equal(plan->actions[8].status, CPW_PLAN_ACTION_REFUSED);
        } else if (plan || cpw_last_error() != seeds[i].code) {
            fail_msg("%s: expected %s, got %s (%s)", seeds[i].name, cpw_error_name(seeds[i].code),
                     cpw_error_name(cpw_last_error()), cpw_last_error_detail());
        }
        cpw_plan_destroy(plan);
    }
}

CPW_TEST_MAIN("plan",
              CPW_TEST(test_seed_files),
              CPW_TEST(test_stale_plan_detected),
              CPW_TEST(test_runbook_order),
              CPW_TEST(test_active_instance_refused_unless_forced),
              CPW_TEST(test_protected_targets_are_skipped),
              CPW_TEST(test_possible_orphans_need_include_possible),
              CPW_TEST(test_builder_rejects_bad_input),
              CPW_TEST(test_plans_made_in_one_second_differ),
              CPW_TEST(test_round_trip_file_is_private),
              CPW_TEST(test_bad_plans_refused),
              CPW_TEST(test_accounts_derived_not_trusted))
