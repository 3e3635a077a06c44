/*
 * test_audit.c - the audit's YAML loader (core/yaml and the rules schema: bad YAML, unknown keys,
 * wrong types, each named by line and column), every built-in rule over a small inventory with
 * facts (each test shows the violation appear with the condition and vanish without it), the
 * filters, the outputs' structure and the diff between two reports.
 */
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/audit.h"
#include "cpw/error.h"
#include "cpw/regex.h"
#include "cpw/yaml.h"
#include "harness.h"

#define ACC  "111111111111"
#define ACC2 "222222222222"
#define REG  "us-east-1"
#define NOW  INT64_C(1800000000)
#define DAY  INT64_C(86400)

/* ----- YAML ----------------------------------------------------------------------------------- */

static struct cpw_yaml_node *s_yaml(const char *text)
{
    struct cpw_yaml_node *root = NULL;
    assert_int_equal(cpw_yaml_load(cpw_span_from_cstr(text), 0, &root), 0);
    return root;
}

static void test_yaml_tree_positions(void **state)
{
    (void)state;
    struct cpw_yaml_node *root = s_yaml("a: 1\nlist:\n  - x\n  - 'true'\nmap: {k: v}\n");
    assert_int_equal(root->kind, CPW_YAML_MAPPING);
    assert_int_equal(root->count, 3);
    const struct cpw_yaml_node *list = cpw_yaml_get(root, "list");
    assert_non_null(list);
    assert_int_equal(list->kind, CPW_YAML_SEQUENCE);
    assert_int_equal(list->count, 2);
    assert_int_equal(list->items[1]->line, 4);
    assert_int_equal(list->items[1]->column, 5);
    assert_true(list->items[1]->quoted);
    bool b = false;
    assert_int_equal(cpw_yaml_bool(list->items[1], &b), -1); /* quoted: a string */
    int64_t n = 0;
    assert_int_equal(cpw_yaml_int(cpw_yaml_get(root, "a"), &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(cpw_yaml_get(cpw_yaml_get(root, "map"), "k")->value, "v");
    assert_null(cpw_yaml_get(root, "missing"));
    cpw_yaml_destroy(root);
    root = s_yaml("");
    assert_int_equal(root->kind, CPW_YAML_MAPPING);
    assert_int_equal(root->count, 0);
    cpw_yaml_destroy(root);
}

static void s_yaml_fails(const char *text, const char *needle)
{
    struct cpw_yaml_node *root = NULL;
    assert_int_equal(cpw_yaml_load(cpw_span_from_cstr(text), 0, &root), -1);
    assert_null(root);
    assert_true(cpw_last_error() == CPW_ERR_PARSE || cpw_last_error() == CPW_ERR_LIMIT);
    if (!strstr(cpw_last_error_detail(), needle)) {
        fail_msg("'%s' not in '%s'", needle, cpw_last_error_detail());
    }
}

static void test_yaml_refusals(void **state)
{
    (void)state;
    s_yaml_fails("a: &x [1]\nb: *x\n", "line 2, column 4: aliases");
    s_yaml_fails("a: 1\nb: 2\na: 3\n", "line 3, column 1: duplicate key 'a'");
    s_yaml_fails("a: 1\n---\nb: 2\n", "only one YAML document");
    s_yaml_fails("a: [1, 2\n", "line ");
    s_yaml_fails("? [a]\n: 1\n", "mapping key must be a plain scalar");
    char deep[200] = "";
    for (int i = 0; i < 40; i++) {
        strcat(deep, "[");
    }
    s_yaml_fails(deep, "nested deeper");
}

/* ----- the rules file ---------------------------------------------------------------------------
 */

static void s_rules_fail(const char *text, enum cpw_error code, const char *needle)
{
    struct cpw_audit_rules *r = cpw_audit_rules_load(cpw_span_from_cstr(text), "r.yaml");
    assert_null(r);
    assert_int_equal(cpw_last_error(), code);
    if (!strstr(cpw_last_error_detail(), needle)) {
        fail_msg("'%s' not in '%s'", needle, cpw_last_error_detail());
    }
}

static void test_rules_schema_errors(void **state)
{
    (void)state;
    s_rules_fail("rules:\n  naming:\n    domain_patern: x\n", CPW_ERR_CONFIG,
                 "r.yaml:3:5: unknown key 'domain_patern' in rule naming (did you mean "
                 "'domain_pattern'?)");
    s_rules_fail("rulez: {}\n", CPW_ERR_CONFIG, "r.yaml:1:1: unknown key 'rulez'");
    s_rules_fail("rules:\n  nameing: false\n", CPW_ERR_CONFIG, "did you mean 'naming'");
    s_rules_fail("rules:\n  tagging:\n    severity: [high]\n", CPW_ERR_CONFIG,
                 "r.yaml:3:15: tagging.severity must be info, low, medium, high or critical");
    s_rules_fail("rules:\n  tagging:\n    severity: severe\n", CPW_ERR_CONFIG, "r.yaml:3:15");
    s_rules_fail("rules:\n  cloudtrail:\n    enabled: maybe\n", CPW_ERR_CONFIG,
                 "r.yaml:3:14: cloudtrail.enabled must be true or false");
    s_rules_fail("rules:\n  domain-empty:\n    max_age_days: -3\n", CPW_ERR_CONFIG,
                 "r.yaml:3:19: max_age_days must be a whole number");
    s_rules_fail("rules:\n  tagging:\n    required: {a: b}\n", CPW_ERR_CONFIG,
                 "r.yaml:3:15: tagging.required must be a sequence, not a mapping");
    s_rules_fail("rules:\n  naming:\n    domain_pattern: '(['\n", CPW_ERR_CONFIG,
                 "r.yaml:3:21: naming.domain_pattern: pattern '([' at offset");
    s_rules_fail("rules:\n  domain-expiration: {min_days: 90, max_days: 30}\n", CPW_ERR_CONFIG,
                 "min_days (90) is above max_days (30)");
    s_rules_fail("filters:\n  accounts: [12345]\n", CPW_ERR_CONFIG, "not a 12-digit account id");
    s_rules_fail("version: 2\n", CPW_ERR_CONFIG, "version must be 1");
    s_rules_fail("- a\n- b\n", CPW_ERR_CONFIG, "a rules file must be a mapping, not a sequence");
    s_rules_fail("rules:\n  naming: [\n", CPW_ERR_PARSE, "r.yaml: line ");
}

static void test_rules_defaults_and_overrides(void **state)
{
    (void)state;
    struct cpw_audit_rules *d = cpw_audit_rules_default();
    assert_string_equal(cpw_audit_rules_source(d), "built-in");
    for (int i = 0; i < CPW_AUDIT_RULE_COUNT_; i++) {
        assert_true(cpw_audit_rule_enabled(d, (enum cpw_audit_rule_id)i));
    }
    assert_int_equal(cpw_audit_rule_severity(d, CPW_AUDIT_RULE_CLOUDTRAIL),
                     CPW_AUDIT_SEVERITY_HIGH);
    cpw_audit_rules_destroy(d);
    const char *text = "version: 1\n"
                       "rules:\n"
                       "  naming: false\n"
                       "  cloudtrail:\n"
                       "    severity: critical\n"
                       "  documentation:\n"
                       "    enabled: false\n";
    struct cpw_audit_rules *r = cpw_audit_rules_load(cpw_span_from_cstr(text), "x.yaml");
    assert_non_null(r);
    assert_string_equal(cpw_audit_rules_source(r), "x.yaml");
    assert_false(cpw_audit_rule_enabled(r, CPW_AUDIT_RULE_NAMING));
    assert_false(cpw_audit_rule_enabled(r, CPW_AUDIT_RULE_DOCUMENTATION));
    assert_true(cpw_audit_rule_enabled(r, CPW_AUDIT_RULE_TAGGING));
    assert_int_equal(cpw_audit_rule_severity(r, CPW_AUDIT_RULE_CLOUDTRAIL),
                     CPW_AUDIT_SEVERITY_CRITICAL);
    cpw_audit_rules_destroy(r);
}

static void test_examples_parse(void **state)
{
    (void)state;
    static const char *const files[] = { "examples/audit-strict.yaml",
                                         "examples/audit-relaxed.yaml" };
    for (size_t i = 0; i < 2; i++) {
        char *path = cpw_test_source_path(files[i]);
        struct cpw_buf text;
        cpw_buf_init(&text, 1024 * 1024);
        assert_int_equal(cpw_buf_read_regular_file(&text, path), 0);
        struct cpw_audit_rules *r = cpw_audit_rules_load(cpw_buf_span(&text), path);
        if (!r) {
            fail_msg("%s", cpw_last_error_detail());
        }
        cpw_audit_rules_destroy(r);
        cpw_buf_clean_up(&text);
        cpw_free(path);
    }
}

/* ----- evaluation ------------------------------------------------------------------------------
 */

struct world {
    struct cpw_inventory *inv;
    struct cpw_audit_facts facts;
};

static void s_domain(struct cpw_inventory *inv,
                     const char *account,
                     const char *name,
                     bool tidy,
                     int64_t profiles)
{
    struct cpw_buf arn;
    cpw_buf_init(&arn, 512);
    assert_int_equal(cpw_inventory_domain_arn(&arn, account, REG, name), 0);
    struct cpw_inv_tag tags[] = { { "owner", "team-a" }, { "environment", "prod" } };
    struct cpw_inv_domain d = {
        .account = (char *)account,
        .region = REG,
        .name = (char *)name,
        .arn = (char *)cpw_buf_cstr(&arn),
        .created_at_s = NOW - 100 * DAY,
        .profile_count = profiles,
        .object_count = -1,
        .metering_profile_count = -1,
        .default_encryption_key =
          tidy ? "arn:aws:kms:us-east-1:111111111111:key/1234abcd-0000-4000-8000-000000000000"
               : NULL,
        .dead_letter_queue_url = tidy ? "https://sqs.us-east-1.amazonaws.com/1/dlq" : NULL,
        .tags = tidy ? tags : NULL,
        .tag_count = tidy ? 2 : 0,
    };
    assert_non_null(cpw_inventory_add_domain(inv, &d));
    cpw_buf_clean_up(&arn);
}

static void s_role(struct cpw_inventory *inv,
                   const char *name,
                   int64_t last_used,
                   const char *deletion)
{
    char arn[300];
    snprintf(arn, sizeof(arn), "arn:aws:iam::%s:role%s%s", ACC, CPW_INV_PROFILE_ROLE_PATH, name);
    struct cpw_inv_role r = { .account = ACC,
                              .name = (char *)name,
                              .arn = arn,
                              .path = CPW_INV_PROFILE_ROLE_PATH,
                              .created_at_s = NOW - 300 * DAY,
                              .last_used_at_s = last_used,
                              .last_used_region = REG,
                              .deletion_task_id = deletion ? "task/1" : NULL,
                              .deletion_status = (char *)deletion,
                              .deletion_reason = deletion ? "in use" : NULL };
    assert_non_null(cpw_inventory_add_role(inv, &r));
}

static void s_world(struct world *w)
{
    memset(w, 0, sizeof(*w));
    w->inv = cpw_inventory_new();
    cpw_inventory_set_scanned_at(w->inv, NOW);
    cpw_inventory_add_account(w->inv, ACC);
    cpw_inventory_add_account(w->inv, ACC2);
    cpw_inventory_add_region(w->inv, REG);
    s_domain(w->inv, ACC, "Bad_Name", false, 0);
    s_domain(w->inv, ACC, "good-one", true, 5);
    s_role(w->inv, "AWSServiceRoleForProfile_Fresh", NOW - DAY, NULL);
    s_role(w->inv, "AWSServiceRoleForProfile_Stale", NOW - 200 * DAY, NULL);
    s_role(w->inv, "AWSServiceRoleForProfile_Failed", NOW - DAY, "FAILED");
    struct cpw_inv_instance x = { .account = ACC,
                                  .region = REG,
                                  .id = "0001",
                                  .arn = "arn:aws:connect:us-east-1:111111111111:instance/0001",
                                  .alias = "Contact_Center",
                                  .status = "ACTIVE",
                                  .created_at_s = NOW - 10 * DAY };
    assert_non_null(cpw_inventory_add_instance(w->inv, &x));
    assert_int_equal(cpw_inventory_analyze(w->inv), 0);
    /* facts: ACC has only a single-region trail, ACC2 a good one */
    w->facts.trails_read = true;
    w->facts.accounts = cpw_calloc(2, sizeof(*w->facts.accounts));
    w->facts.account_count = 2;
    const char *accounts[] = { ACC, ACC2 };
    for (size_t i = 0; i < 2; i++) {
        struct cpw_audit_account_trails *t = &w->facts.accounts[i];
        t->account = cpw_strdup(accounts[i]);
        t->trails = cpw_calloc(1, sizeof(*t->trails));
        t->trail_count = 1;
        t->trails[0].name = cpw_strdup("main");
        t->trails[0].home_region = cpw_strdup(REG);
        t->trails[0].multi_region = i == 1;
        t->trails[0].logging = true;
        t->trails[0].management_events = true;
    }
    w->facts.domain_details_read = true;
    w->facts.domains = cpw_calloc(2, sizeof(*w->facts.domains));
    w->facts.domain_count = 2;
    for (size_t i = 0; i < 2; i++) {
        const struct cpw_inv_domain *d = cpw_inventory_domain(w->inv, i);
        w->facts.domains[i].arn = cpw_strdup(d->arn);
        w->facts.domains[i].default_expiration_days = strcmp(d->name, "Bad_Name") == 0 ? 2000 : 366;
    }
    w->facts.instance_tags_read = true;
    w->facts.instances = cpw_calloc(1, sizeof(*w->facts.instances));
    w->facts.instance_count = 1;
    w->facts.instances[0].arn = cpw_strdup(x.arn);
    w->facts.instances[0].tags = cpw_calloc(1, sizeof(struct cpw_inv_tag));
    w->facts.instances[0].tags[0].key = cpw_strdup("environment");
    w->facts.instances[0].tags[0].value = cpw_strdup("qa");
    w->facts.instances[0].tag_count = 1;
    w->facts.documents_read = true;
    w->facts.documents = cpw_calloc(1, sizeof(*w->facts.documents));
    w->facts.document_count = 1;
    w->facts.documents[0].account = cpw_strdup(ACC);
    w->facts.documents[0].region = cpw_strdup(REG);
    w->facts.documents[0].domain = cpw_strdup("good-one");
    w->facts.documents[0].created_at_s = NOW - 5 * DAY;
}

static void s_world_free(struct world *w)
{
    cpw_inventory_destroy(w->inv);
    cpw_audit_facts_clean_up(&w->facts);
}

/* The violations of rule in report whose resource or message contains needle (NULL: any). */
static size_t s_count(const json_t *report, const char *rule, const char *needle)
{
    size_t n = 0;
    size_t i;
    json_t *r;
    json_array_foreach(cpw_json_get(report, "results"), i, r)
    {
        const char *res = cpw_json_get_string(r, "resource");
        const char *msg = cpw_json_get_string(r, "message");
        if (strcmp(cpw_json_get_string(r, "rule"), rule) == 0 &&
            (!needle || (res && strstr(res, needle)) || strstr(msg, needle))) {
            n++;
        }
    }
    return n;
}

static const json_t *s_rule_entry(const json_t *report, const char *rule)
{
    size_t i;
    json_t *r;
    json_array_foreach(cpw_json_get(report, "rules"), i, r)
    {
        if (strcmp(cpw_json_get_string(r, "id"), rule) == 0) {
            return r;
        }
    }
    fail_msg("no rule %s", rule);
    return NULL;
}

static json_t *s_eval_text(struct world *w, const char *yaml)
{
    struct cpw_audit_rules *rules =
      yaml ? cpw_audit_rules_load(cpw_span_from_cstr(yaml), "t") : cpw_audit_rules_default();
    if (!rules) {
        fail_msg("%s", cpw_last_error_detail());
    }
    json_t *report = cpw_audit_evaluate(rules, w->inv, &w->facts, NOW);
    cpw_audit_rules_destroy(rules);
    return report;
}

static void test_rule_leftovers(void **state)
{
    (void)state;
    struct world w;
    s_world(&w);
    size_t likely = 0;
    size_t any = 0;
    for (size_t i = 0; i < cpw_inventory_finding_count(w.inv); i++) {
        const struct cpw_inv_finding *f = cpw_inventory_finding(w.inv, i);
        likely += f->confidence >= CPW_INV_CONFIDENCE_LIKELY;
        any++;
    }
    assert_true(any > 0);
    json_t *report = s_eval_text(&w, NULL);
    assert_int_equal(s_count(report, "leftovers", NULL), likely);
    json_decref(report);
    report = s_eval_text(&w, "rules:\n  leftovers: {min_confidence: possible}\n");
    assert_int_equal(s_count(report, "leftovers", NULL), any);
    json_decref(report);
    report = s_eval_text(&w, "rules:\n  leftovers: false\n");
    assert_int_equal(s_count(report, "leftovers", NULL), 0);
    assert_string_equal(cpw_json_get_string(s_rule_entry(report, "leftovers"), "status"),
                        "disabled");
    json_decref(report);
    s_world_free(&w);
}

static void test_rule_naming_and_filters(void **state)
{
    (void)state;
    struct world w;
    s_world(&w);
    json_t *report = s_eval_text(&w, NULL);
    assert_int_equal(s_count(report, "naming", "Bad_Name"), 1);
    assert_int_equal(s_count(report, "naming", "good-one"), 0);
    assert_int_equal(s_count(report, "naming", "Contact_Center"), 1);
    json_decref(report);
    /* a rule's own name filter, and the file's account filter */
    report = s_eval_text(&w, "rules:\n  naming:\n    filters: {exclude_names: ['Bad_*']}\n");
    assert_int_equal(s_count(report, "naming", "Bad_Name"), 0);
    assert_int_equal(s_count(report, "naming", "Contact_Center"), 1);
    json_decref(report);
    report = s_eval_text(&w, "filters: {accounts: ['" ACC2 "']}\n");
    assert_int_equal(s_count(report, "naming", NULL), 0);
    assert_int_equal(s_count(report, "cloudtrail", NULL), 0);
    json_decref(report);
    /* a tag filter: only resources tagged environment=prod */
    report = s_eval_text(&w, "rules:\n  naming:\n    domain_pattern: '^x'\n"
                             "    filters: {tags: {environment: prod}}\n");
    assert_int_equal(s_count(report, "naming", "good-one"), 1);
    assert_int_equal(s_count(report, "naming", "Bad_Name"), 0);
    json_decref(report);
    s_world_free(&w);
}

static void test_rule_tagging(void **state)
{
    (void)state;
    struct world w;
    s_world(&w);
    json_t *report = s_eval_text(&w, "rules:\n  tagging:\n    required: [owner, environment]\n"
                                     "    allowed_values: {environment: [prod, dev]}\n");
    assert_int_equal(s_count(report, "tagging", "Bad_Name"), 1);
    assert_int_equal(s_count(report, "tagging", "good-one"), 0);
    /* the instance lacks owner and has environment=qa, which is not allowed */
    assert_int_equal(s_count(report, "tagging", "instance/0001"), 2);
    json_decref(report);
    report = s_eval_text(&w, "rules:\n  tagging: {required: []}\n");
    assert_int_equal(s_count(report, "tagging", NULL), 0);
    json_decref(report);
    s_world_free(&w);
}

static void test_rule_cloudtrail(void **state)
{
    (void)state;
    struct world w;
    s_world(&w);
    json_t *report = s_eval_text(&w, NULL);
    assert_int_equal(s_count(report, "cloudtrail", ACC), 1);
    assert_int_equal(s_count(report, "cloudtrail", ACC2), 0);
    json_decref(report);
    w.facts.accounts[1].trails[0].logging = false; /* stopped: ACC2 fails too */
    report = s_eval_text(&w, NULL);
    assert_int_equal(s_count(report, "cloudtrail", ACC2), 1);
    json_decref(report);
    w.facts.accounts[1].trails[0].logging = true;
    w.facts.accounts[1].trails[0].management_events = false;
    report = s_eval_text(&w, NULL);
    assert_int_equal(s_count(report, "cloudtrail", ACC2), 1);
    json_decref(report);
    w.facts.trails_read = false;
    report = s_eval_text(&w, NULL);
    assert_int_equal(s_count(report, "cloudtrail", NULL), 0);
    assert_string_equal(cpw_json_get_string(s_rule_entry(report, "cloudtrail"), "status"),
                        "not-evaluated");
    json_decref(report);
    s_world_free(&w);
}

static void test_rules_domains(void **state)
{
    (void)state;
    struct world w;
    s_world(&w);
    json_t *report = s_eval_text(&w, NULL);
    static const char *const rules[] = { "domain-kms-key", "domain-dead-letter-queue",
                                         "domain-expiration", "domain-empty", "domain-owner-tag" };
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(s_count(report, rules[i], "Bad_Name"), 1);
        assert_int_equal(s_count(report, rules[i], "good-one"), 0);
    }
    json_decref(report);
    report = s_eval_text(&w, "rules:\n  domain-empty: {max_age_days: 365}\n"
                             "  domain-expiration: {min_days: 1, max_days: 3000}\n"
                             "  domain-owner-tag: {tag_key: cost-center}\n");
    assert_int_equal(s_count(report, "domain-empty", NULL), 0);
    assert_int_equal(s_count(report, "domain-expiration", NULL), 0);
    assert_int_equal(s_count(report, "domain-owner-tag", "good-one"), 1);
    json_decref(report);
    w.facts.domain_details_read = false;
    report = s_eval_text(&w, NULL);
    assert_string_equal(cpw_json_get_string(s_rule_entry(report, "domain-expiration"), "status"),
                        "not-evaluated");
    json_decref(report);
    s_world_free(&w);
}

static void test_rules_roles(void **state)
{
    (void)state;
    struct world w;
    s_world(&w);
    json_t *report = s_eval_text(&w, NULL);
    assert_int_equal(s_count(report, "role-unused", "_Stale"), 1);
    assert_int_equal(s_count(report, "role-unused", "_Fresh"), 0);
    assert_int_equal(s_count(report, "role-deletion-task", "_Failed"), 1);
    assert_int_equal(s_count(report, "role-deletion-task", "_Stale"), 0);
    json_decref(report);
    report = s_eval_text(&w, "rules:\n  role-unused: {max_unused_days: 365}\n");
    assert_int_equal(s_count(report, "role-unused", NULL), 0);
    json_decref(report);
    /* tasks from the journal, their status read from IAM */
    w.facts.tasks = cpw_calloc(2, sizeof(*w.facts.tasks));
    w.facts.task_count = 2;
    w.facts.deletion_tasks_read = true;
    static const char *const names[] = { "AWSServiceRoleForProfile_Stale",
                                         "AWSServiceRoleForProfile_Fresh" };
    static const char *const statuses[] = { "FAILED", "IN_PROGRESS" };
    for (size_t i = 0; i < 2; i++) {
        char arn[300];
        snprintf(arn, sizeof(arn), "arn:aws:iam::%s:role%s%s", ACC, CPW_INV_PROFILE_ROLE_PATH,
                 names[i]);
        w.facts.tasks[i].task_id = cpw_strdup("task/aws-service-role/profile.amazonaws.com/x/1");
        w.facts.tasks[i].role_name = cpw_strdup(names[i]);
        w.facts.tasks[i].role_arn = cpw_strdup(arn);
        w.facts.tasks[i].status = cpw_strdup(statuses[i]);
        w.facts.tasks[i].submitted_s = NOW - 3 * DAY;
    }
    report = s_eval_text(&w, NULL); /* max_pending_days 1 */
    assert_int_equal(s_count(report, "role-deletion-task", "_Stale"), 1);
    assert_int_equal(s_count(report, "role-deletion-task", "_Fresh"), 1);
    json_decref(report);
    report = s_eval_text(&w, "rules:\n  role-deletion-task: {max_pending_days: 5}\n");
    assert_int_equal(s_count(report, "role-deletion-task", "_Stale"), 1);
    assert_int_equal(s_count(report, "role-deletion-task", "_Fresh"), 0);
    json_decref(report);
    s_world_free(&w);
}

static int s_fake_authorizer(void *ctx, const char *account, const char *action, json_t *principals)
{
    (void)ctx;
    (void)action;
    char arn[200];
    snprintf(arn, sizeof(arn), "arn:aws:iam::%s:role/Admin", account);
    json_array_append_new(principals, json_string(arn));
    snprintf(arn, sizeof(arn), "arn:aws:iam::%s:role/cpwarden-cleanup", account);
    json_array_append_new(principals, json_string(arn));
    return 0;
}

static void test_rule_least_privilege(void **state)
{
    (void)state;
    struct world w;
    s_world(&w);
    json_t *report = s_eval_text(&w, NULL);
    const json_t *entry = s_rule_entry(report, "least-privilege");
    assert_string_equal(cpw_json_get_string(entry, "status"), "not-evaluated");
    assert_non_null(strstr(cpw_json_get_string(entry, "reason"), "IAM policies were not read"));
    json_decref(report);
    struct cpw_audit_authorizer az = { .name = "fake", .allowed_principals = s_fake_authorizer };
    w.facts.authorizer = &az;
    report = s_eval_text(&w, "rules:\n  least-privilege: {allow: ['*:role/cpwarden-*']}\n");
    /* Admin in both accounts, for both actions and as administrator; the allowlisted role
     * never */
    assert_int_equal(s_count(report, "least-privilege", "role/Admin"), 6);
    assert_int_equal(s_count(report, "least-privilege", "administrator access"), 2);
    assert_int_equal(s_count(report, "least-privilege", "cpwarden-cleanup"), 0);
    json_decref(report);
    s_world_free(&w);
}

/* GetAccountAuthorizationDetails of ACC as IAM answers it (documents percent-encoded or not). */
static const char s_details[] =
  "{\"UserDetailList\": [ "
  "{\"UserName\": \"admin\", \"Arn\": \"arn:aws:iam::111111111111:user/admin\", "
  "\"UserPolicyList\": [{\"PolicyName\": \"all\", \"PolicyDocument\": "
  "\"%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%"
  "22Action%22%3A%22*%22%2C%22Resource%22%3A%22*%22%7D%5D%7D\"}], "
  "\"AttachedManagedPolicies\": [], \"GroupList\": []}, "
  "{\"UserName\": \"bounded\", \"Arn\": \"arn:aws:iam::111111111111:user/bounded\", \"GroupList\": "
  "[\"ops\"], \"AttachedManagedPolicies\": [], "
  "\"PermissionsBoundary\": {\"PermissionsBoundaryType\": \"Policy\", \"PermissionsBoundaryArn\": "
  "\"arn:aws:iam::111111111111:policy/s3-only\"}}, "
  "{\"UserName\": \"grouped\", \"Arn\": \"arn:aws:iam::111111111111:user/grouped\", \"GroupList\": "
  "[\"ops\"], \"AttachedManagedPolicies\": []}], "
  "\"GroupDetailList\": [{\"GroupName\": \"ops\", \"GroupPolicyList\": [], "
  "\"AttachedManagedPolicies\": [{\"PolicyName\": \"AdministratorAccess\", \"PolicyArn\": "
  "\"arn:aws:iam::aws:policy/AdministratorAccess\"}]}], "
  "\"RoleDetailList\": [ "
  "{\"RoleName\": \"scoped\", \"Path\": \"/\", \"Arn\": \"arn:aws:iam::111111111111:role/scoped\", "
  "\"RolePolicyList\": [{\"PolicyName\": \"one\", \"PolicyDocument\": {\"Version\": "
  "\"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": [\"profile:DeleteDomain\", "
  "\"iam:DeleteServiceLinkedRole\"], \"Resource\": "
  "\"arn:aws:profile:us-east-1:111111111111:domains/good-one\"}]}}], "
  "\"AttachedManagedPolicies\": []}, "
  "{\"RoleName\": \"deleter\", \"Path\": \"/\", \"Arn\": "
  "\"arn:aws:iam::111111111111:role/deleter\", \"RolePolicyList\": [], "
  "\"AttachedManagedPolicies\": [{\"PolicyName\": \"delete-domains\", \"PolicyArn\": "
  "\"arn:aws:iam::111111111111:policy/delete-domains\"}]}, "
  "{\"RoleName\": \"denier\", \"Path\": \"/\", \"Arn\": \"arn:aws:iam::111111111111:role/denier\", "
  "\"RolePolicyList\": [{\"PolicyName\": \"most\", \"PolicyDocument\": {\"Version\": "
  "\"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": "
  "\"*\"}, {\"Effect\": \"Deny\", \"Action\": \"profile:*\", \"Resource\": \"*\"}]}}], "
  "\"AttachedManagedPolicies\": []}, "
  "{\"RoleName\": \"AWSServiceRoleForX\", \"Path\": \"/aws-service-role/x.amazonaws.com/\", "
  "\"Arn\": "
  "\"arn:aws:iam::111111111111:role/aws-service-role/x.amazonaws.com/AWSServiceRoleForX\", "
  "\"RolePolicyList\": [], \"AttachedManagedPolicies\": [{\"PolicyName\": \"AdministratorAccess\", "
  "\"PolicyArn\": \"arn:aws:iam::aws:policy/AdministratorAccess\"}]}], "
  "\"Policies\": [ "
  "{\"Arn\": \"arn:aws:iam::aws:policy/AdministratorAccess\", \"DefaultVersionId\": \"v1\", "
  "\"PolicyVersionList\": [{\"VersionId\": \"v1\", \"IsDefaultVersion\": true, \"Document\": "
  "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"*\", "
  "\"Resource\": \"*\"}]}}]}, "
  "{\"Arn\": \"arn:aws:iam::111111111111:policy/s3-only\", \"DefaultVersionId\": \"v1\", "
  "\"PolicyVersionList\": [{\"VersionId\": \"v1\", \"IsDefaultVersion\": true, \"Document\": "
  "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:*\", "
  "\"Resource\": \"*\"}]}}]}, "
  "{\"Arn\": \"arn:aws:iam::111111111111:policy/delete-domains\", \"DefaultVersionId\": \"v2\", "
  "\"PolicyVersionList\": [ "
  "{\"VersionId\": \"v1\", \"IsDefaultVersion\": false, \"Document\": {\"Version\": "
  "\"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": "
  "\"*\"}]}}, "
  "{\"VersionId\": \"v2\", \"IsDefaultVersion\": true, \"Document\": {\"Version\": \"2012-10-17\", "
  "\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"profile:DeleteDomain\", \"Resource\": "
  "\"*\"}]}}]}]} ";

/* The IAM policy engine over GetAccountAuthorizationDetails: who is flagged and who is not. */
static void test_rule_least_privilege_engine(void **state)
{
    (void)state;
    struct world w;
    s_world(&w);
    w.facts.authz = cpw_calloc(2, sizeof(*w.facts.authz));
    w.facts.authz_count = 2;
    w.facts.authz[0].account = cpw_strdup(ACC);
    w.facts.authz[0].details = cpw_json_load_cstr(s_details);
    assert_non_null(w.facts.authz[0].details);
    w.facts.authz[1].account = cpw_strdup(ACC2);
    w.facts.authz[1].error = cpw_strdup("GetAccountAuthorizationDetails: AccessDenied");
    w.facts.iam_engine = cpw_audit_iam_authorizer(&w.facts);
    w.facts.authorizer = &w.facts.iam_engine;

    /* ACC2's details could not be read: the rule says so, and still judges ACC */
    json_t *report = s_eval_text(&w, NULL);
    const json_t *entry = s_rule_entry(report, "least-privilege");
    assert_non_null(strstr(cpw_json_get_string(entry, "reason"), "AccessDenied"));
    assert_int_equal(s_count(report, "least-privilege", "user/admin "), 3);
    json_decref(report);
    report = s_eval_text(&w, "filters:\n  accounts: ['222222222222']\n");
    entry = s_rule_entry(report, "least-privilege");
    assert_string_equal(cpw_json_get_string(entry, "status"), "not-evaluated");
    assert_non_null(strstr(cpw_json_get_string(entry, "reason"), "AccessDenied"));
    json_decref(report);

    report = s_eval_text(&w, "filters:\n  accounts: ['111111111111']\n");
    entry = s_rule_entry(report, "least-privilege");
    assert_string_equal(cpw_json_get_string(entry, "status"), "evaluated");
    /* Action "*" (a percent-encoded inline policy): both actions and administrator access */
    assert_int_equal(s_count(report, "least-privilege", "user/admin "), 3);
    /* AdministratorAccess through a group */
    assert_int_equal(s_count(report, "least-privilege", "user/grouped "), 3);
    /* the same group, but a permissions boundary allowing only s3:* */
    assert_int_equal(s_count(report, "least-privilege", "user/bounded"), 0);
    /* the grant names one domain, not * */
    assert_int_equal(s_count(report, "least-privilege", "role/scoped"), 0);
    /* the default version (v2) of a managed policy: DeleteDomain on *, nothing else */
    assert_int_equal(s_count(report, "least-privilege", "role/deleter"), 1);
    assert_int_equal(s_count(report, "least-privilege", "deleter may call profile:DeleteDomain"),
                     1);
    /* Action "*" with profile:* denied: administrator, and DeleteServiceLinkedRole */
    assert_int_equal(s_count(report, "least-privilege", "role/denier"), 2);
    assert_int_equal(s_count(report, "least-privilege", "denier may call profile"), 0);
    /* service-linked roles are AWS's to scope */
    assert_int_equal(s_count(report, "least-privilege", "AWSServiceRoleForX"), 0);
    json_decref(report);

    report = s_eval_text(&w, "filters:\n  accounts: ['111111111111']\n"
                             "rules:\n  least-privilege: {allow: ['*:user/*']}\n");
    assert_int_equal(s_count(report, "least-privilege", "user/"), 0);
    assert_int_equal(s_count(report, "least-privilege", "role/deleter"), 1);
    json_decref(report);
    s_world_free(&w);
}

static void test_rule_documentation(void **state)
{
    (void)state;
    struct world w;
    s_world(&w);
    json_t *report = s_eval_text(&w, NULL);
    assert_int_equal(s_count(report, "documentation", "Bad_Name"), 1);
    assert_int_equal(s_count(report, "documentation", "good-one"), 0);
    json_decref(report);
    report = s_eval_text(&w, "rules:\n  documentation: {max_age_days: 2}\n");
    assert_int_equal(s_count(report, "documentation", "good-one"), 1);
    json_decref(report);
    s_world_free(&w);
}

static void test_outputs_and_diff(void **state)
{
    (void)state;
    struct world w;
    s_world(&w);
    json_t *report = s_eval_text(&w, NULL);
    size_t violations = json_array_size(cpw_json_get(report, "results"));
    assert_true(violations > 0);
    assert_int_equal(cpw_audit_count_at_least(report, CPW_AUDIT_SEVERITY_INFO), violations);
    assert_int_equal(cpw_audit_worst_severity(report), CPW_AUDIT_SEVERITY_HIGH);
    struct cpw_buf out;
    cpw_buf_init(&out, 16 * 1024 * 1024);
    assert_int_equal(cpw_audit_write(report, CPW_AUDIT_FORMAT_SARIF, &out), 0);
    json_t *sarif = NULL;
    assert_int_equal(cpw_json_load(cpw_buf_span(&out), out.max, &sarif), 0);
    assert_string_equal(cpw_json_get_string(sarif, "version"), "2.1.0");
    const json_t *run = json_array_get(cpw_json_get(sarif, "runs"), 0);
    assert_int_equal(json_array_size(cpw_json_get(run, "results")), violations);
    json_decref(sarif);
    cpw_buf_reset(&out);
    assert_int_equal(cpw_audit_write(report, CPW_AUDIT_FORMAT_JUNIT, &out), 0);
    assert_non_null(strstr(cpw_buf_cstr(&out), "<testsuites name=\"cpwarden audit\""));
    assert_non_null(strstr(cpw_buf_cstr(&out), "<skipped message=\"no authorization engine"));
    cpw_buf_reset(&out);
    assert_int_equal(cpw_audit_write(report, CPW_AUDIT_FORMAT_MARKDOWN, &out), 0);
    assert_non_null(strstr(cpw_buf_cstr(&out), "| domain-kms-key |"));
    cpw_buf_reset(&out);
    assert_int_equal(cpw_audit_write(report, CPW_AUDIT_FORMAT_TABLE, &out), 0);
    assert_non_null(strstr(cpw_buf_cstr(&out), "not evaluated: least-privilege"));
    /* fix the trail of ACC and tag Bad_Name's owner away from the world: one fixed, none new */
    w.facts.accounts[0].trails[0].multi_region = true;
    json_t *after = s_eval_text(&w, NULL);
    json_t *diff = cpw_audit_diff(report, after);
    assert_int_equal(json_array_size(cpw_json_get(diff, "fixed")), 1);
    assert_string_equal(cpw_json_get_string(json_array_get(cpw_json_get(diff, "fixed"), 0), "rule"),
                        "cloudtrail");
    assert_int_equal(json_array_size(cpw_json_get(diff, "new")), 0);
    cpw_buf_reset(&out);
    assert_int_equal(cpw_audit_diff_write(diff, CPW_AUDIT_FORMAT_TABLE, &out), 0);
    assert_non_null(strstr(cpw_buf_cstr(&out), "0 new, 1 fixed"));
    assert_int_equal(cpw_audit_diff_write(diff, CPW_AUDIT_FORMAT_SARIF, &out), -1);
    json_decref(diff);
    diff = cpw_audit_diff(after, report);
    assert_int_equal(json_array_size(cpw_json_get(diff, "new")), 1);
    json_decref(diff);
    /* a rule not evaluated the second time proves nothing fixed */
    w.facts.trails_read = false;
    w.facts.accounts[0].trails[0].multi_region = false;
    json_t *offline = s_eval_text(&w, NULL);
    diff = cpw_audit_diff(report, offline);
    assert_int_equal(json_array_size(cpw_json_get(diff, "fixed")), 0);
    assert_int_equal(json_integer_value(cpw_json_get(diff, "not_compared")), 1);
    json_decref(diff);
    json_decref(offline);
    json_decref(after);
    json_decref(report);
    cpw_buf_clean_up(&out);
    s_world_free(&w);
}

static void test_regex(void **state)
{
    (void)state;
    struct cpw_regex *re = cpw_regex_new("^[a-z]+(-[a-z]+)*$");
    assert_non_null(re);
    assert_true(cpw_regex_match(re, "good-name"));
    assert_false(cpw_regex_match(re, "Bad_Name"));
    cpw_regex_destroy(re);
    assert_null(cpw_regex_new("(["));
    assert_int_equal(cpw_last_error(), CPW_ERR_PARSE);
}

CPW_TEST_MAIN("audit",
              CPW_TEST(test_yaml_tree_positions),
              CPW_TEST(test_yaml_refusals),
              CPW_TEST(test_rules_schema_errors),
              CPW_TEST(test_rules_defaults_and_overrides),
              CPW_TEST(test_examples_parse),
              CPW_TEST(test_rule_leftovers),
              CPW_TEST(test_rule_naming_and_filters),
              CPW_TEST(test_rule_tagging),
              CPW_TEST(test_rule_cloudtrail),
              CPW_TEST(test_rules_domains),
              CPW_TEST(test_rules_roles),
              CPW_TEST(test_rule_least_privilege),
              CPW_TEST(test_rule_least_privilege_engine),
              CPW_TEST(test_rule_documentation),
              CPW_TEST(test_outputs_and_diff),
              CPW_TEST(test_regex))
