/*
 * audit_collect.c - the facts a fresh audit reads beside the inventory, account by account:
 * the trails (CloudTrail DescribeTrails, then GetTrailStatus and GetEventSelectors in each trail's
 * home region), each domain's GetDomain (DefaultExpirationDays) and each instance's tags
 * (Connect DescribeInstance), and each account's IAM GetAccountAuthorizationDetails for the
 * least-privilege rule (audit_authz.c). A failure stays in the facts, so the rule that needs the
 * fact reports it instead of passing.
 */
#include <stdio.h>
#include <string.h>

#include "audit_internal.h"
#include "cpw/accounts.h"
#include "cpw/alloc.h"
#include "cpw/aws_client.h"
#include "cpw/error.h"

static char *s_error_text(const char *doing)
{
    char text[700];
    snprintf(text, sizeof(text), "%s: %s", doing, cpw_last_error_detail());
    cpw_error_clear();
    return cpw_strdup(text);
}

/* True when the trail's selectors record management events: a basic selector with
 * IncludeManagementEvents (true when absent), or an advanced selector on eventCategory
 * Management. A trail without selectors records management events (AWS's default). */
static bool s_management_events(const json_t *selectors)
{
    const json_t *basic = cpw_json_get(selectors, "EventSelectors");
    const json_t *advanced = cpw_json_get(selectors, "AdvancedEventSelectors");
    if (json_array_size(basic) == 0 && json_array_size(advanced) == 0) {
        return true;
    }
    size_t i;
    json_t *s;
    json_array_foreach(basic, i, s)
    {
        const json_t *inc = cpw_json_get(s, "IncludeManagementEvents");
        const char *rw = cpw_json_get_string(s, "ReadWriteType");
        if ((!inc || json_is_true(inc)) && (!rw || strcmp(rw, "ReadOnly") != 0)) {
            return true;
        }
    }
    json_array_foreach(advanced, i, s)
    {
        size_t k;
        json_t *f;
        json_array_foreach(cpw_json_get(s, "FieldSelectors"), k, f)
        {
            const char *field = cpw_json_get_string(f, "Field");
            const char *first = json_string_value(json_array_get(cpw_json_get(f, "Equals"), 0));
            if (field && first && strcmp(field, "eventCategory") == 0 &&
                strcmp(first, "Management") == 0) {
                return true;
            }
        }
    }
    return false;
}

static void s_trails(struct cpw_aws_client *client,
                     const char *region,
                     struct cpw_audit_account_trails *out)
{
    json_t *list = NULL;
    struct cpw_aws_call call = { .service = "cloudtrail",
                                 .operation = "DescribeTrails",
                                 .region = region };
    if (cpw_aws_client_call(client, &call, &list, NULL)) {
        out->error = s_error_text("DescribeTrails");
        return;
    }
    const json_t *trails = cpw_json_get(list, "trailList");
    out->trails = cpw_calloc(json_array_size(trails) + 1, sizeof(*out->trails));
    size_t i;
    json_t *t;
    json_array_foreach(trails, i, t)
    {
        struct cpw_audit_trail *tr = &out->trails[out->trail_count++];
        const char *arn = cpw_json_get_string(t, "TrailARN");
        const char *home = cpw_json_get_string(t, "HomeRegion");
        tr->name =
          cpw_strdup(cpw_json_get_string(t, "Name") ? cpw_json_get_string(t, "Name") : "?");
        tr->arn = arn ? cpw_strdup(arn) : NULL;
        tr->home_region = home ? cpw_strdup(home) : NULL;
        tr->multi_region = json_is_true(cpw_json_get(t, "IsMultiRegionTrail"));
        json_t *in = json_pack("{s:s}", "Name", arn ? arn : tr->name);
        json_t *status = NULL;
        struct cpw_aws_call scall = { .service = "cloudtrail",
                                      .operation = "GetTrailStatus",
                                      .input = in,
                                      .region = home ? home : region };
        if (cpw_aws_client_call(client, &scall, &status, NULL) == 0) {
            tr->logging = json_is_true(cpw_json_get(status, "IsLogging"));
        } else {
            cpw_error_clear();
        }
        json_decref(status);
        json_decref(in);
        in = json_pack("{s:s}", "TrailName", arn ? arn : tr->name);
        json_t *selectors = NULL;
        struct cpw_aws_call ecall = { .service = "cloudtrail",
                                      .operation = "GetEventSelectors",
                                      .input = in,
                                      .region = home ? home : region };
        if (cpw_aws_client_call(client, &ecall, &selectors, NULL) == 0) {
            tr->management_events = s_management_events(selectors);
        } else {
            cpw_error_clear();
        }
        json_decref(selectors);
        json_decref(in);
    }
    json_decref(list);
}

static void s_domain_detail(struct cpw_aws_client *client,
                            const struct cpw_inv_domain *d,
                            struct cpw_audit_domain_detail *out)
{
    out->arn = cpw_strdup(d->arn ? d->arn : "");
    out->default_expiration_days = -1;
    json_t *in = json_pack("{s:s}", "DomainName", d->name);
    json_t *doc = NULL;
    struct cpw_aws_call call = {
        .service = "customer-profiles", .operation = "GetDomain", .input = in, .region = d->region
    };
    if (cpw_aws_client_call(client, &call, &doc, NULL) == 0) {
        const json_t *days = cpw_json_get(doc, "DefaultExpirationDays");
        if (json_is_integer(days)) {
            out->default_expiration_days = (int64_t)json_integer_value(days);
        }
    } else {
        cpw_error_clear();
    }
    json_decref(doc);
    json_decref(in);
}

static void s_instance_tags(struct cpw_aws_client *client,
                            const struct cpw_inv_instance *x,
                            struct cpw_audit_instance_tags *out)
{
    json_t *in = json_pack("{s:s}", "InstanceId", x->id ? x->id : "");
    json_t *doc = NULL;
    struct cpw_aws_call call = {
        .service = "connect", .operation = "DescribeInstance", .input = in, .region = x->region
    };
    if (cpw_aws_client_call(client, &call, &doc, NULL) == 0) {
        out->arn = cpw_strdup(x->arn ? x->arn : "");
        const json_t *tags = cpw_json_get(cpw_json_get(doc, "Instance"), "Tags");
        out->tags = cpw_calloc(json_object_size(tags) + 1, sizeof(*out->tags));
        const char *key;
        json_t *value;
        json_object_foreach((json_t *)tags, key, value)
        {
            out->tags[out->tag_count].key = cpw_strdup(key);
            out->tags[out->tag_count].value =
              cpw_strdup(json_string_value(value) ? json_string_value(value) : "");
            out->tag_count++;
        }
    } else {
        cpw_error_clear();
    }
    json_decref(doc);
    json_decref(in);
}

/* The task's status, asked in the account of the inventory's role of that name that knows it. */
static void s_task_status(struct cpw_accounts *accounts,
                          const struct cpw_inventory *inv,
                          struct cpw_audit_deletion_task *t)
{
    for (size_t i = 0; i < cpw_inventory_role_count(inv) && !t->status; i++) {
        const struct cpw_inv_role *r = cpw_inventory_role(inv, i);
        struct cpw_aws_client *client = r->name && strcmp(r->name, t->role_name) == 0
                                          ? cpw_accounts_client(accounts, r->account)
                                          : NULL;
        if (!client) {
            cpw_error_clear();
            continue;
        }
        json_t *in = json_pack("{s:s}", "DeletionTaskId", t->task_id);
        json_t *out = NULL;
        struct cpw_aws_call call = { .service = "iam",
                                     .operation = "GetServiceLinkedRoleDeletionStatus",
                                     .input = in };
        if (cpw_aws_client_call(client, &call, &out, NULL) == 0) {
            const char *status = cpw_json_get_string(out, "Status");
            const char *reason = cpw_json_get_string(cpw_json_get(out, "Reason"), "Reason");
            t->status = cpw_strdup(status ? status : "UNKNOWN");
            t->reason = reason ? cpw_strdup(reason) : NULL;
            t->role_arn = r->arn ? cpw_strdup(r->arn) : NULL;
        } else {
            cpw_error_clear(); /* another account's task, or unreadable: stays unknown */
        }
        json_decref(out);
        json_decref(in);
    }
}

int cpw_audit_collect_facts(struct cpw_accounts *accounts,
                            const struct cpw_inventory *inv,
                            const char *region,
                            struct cpw_audit_facts *facts)
{
    size_t n = cpw_inventory_account_count(inv);
    facts->accounts = cpw_calloc(n + 1, sizeof(*facts->accounts));
    facts->domains = cpw_calloc(cpw_inventory_domain_count(inv) + 1, sizeof(*facts->domains));
    facts->instances = cpw_calloc(cpw_inventory_instance_count(inv) + 1, sizeof(*facts->instances));
    facts->authz = cpw_calloc(n + 1, sizeof(*facts->authz));
    for (size_t i = 0; i < n; i++) {
        const char *account = cpw_inventory_account(inv, i);
        struct cpw_audit_account_trails *t = &facts->accounts[facts->account_count++];
        t->account = cpw_strdup(account);
        struct cpw_aws_client *client = cpw_accounts_client(accounts, account);
        struct cpw_audit_account_authz *az = &facts->authz[facts->authz_count++];
        if (!client) {
            t->error = s_error_text("no client");
            az->account = cpw_strdup(account);
            az->error = cpw_strdup(t->error);
            continue;
        }
        s_trails(client, region, t);
        cpw_audit_read_authz(client, account, az);
        for (size_t k = 0; k < cpw_inventory_domain_count(inv); k++) {
            const struct cpw_inv_domain *d = cpw_inventory_domain(inv, k);
            if (strcmp(d->account, account) == 0) {
                s_domain_detail(client, d, &facts->domains[facts->domain_count++]);
            }
        }
        for (size_t k = 0; k < cpw_inventory_instance_count(inv); k++) {
            const struct cpw_inv_instance *x = cpw_inventory_instance(inv, k);
            if (strcmp(x->account, account) == 0) {
                struct cpw_audit_instance_tags *it = &facts->instances[facts->instance_count];
                s_instance_tags(client, x, it);
                facts->instance_count += it->arn != NULL;
            }
        }
    }
    for (size_t i = 0; i < facts->task_count; i++) {
        s_task_status(accounts, inv, &facts->tasks[i]);
    }
    facts->deletion_tasks_read = true;
    facts->trails_read = true;
    facts->domain_details_read = true;
    facts->instance_tags_read = true;
    if (!facts->authorizer) {
        facts->iam_engine = cpw_audit_iam_authorizer(facts);
        facts->authorizer = &facts->iam_engine;
    }
    return 0;
}

void cpw_audit_facts_clean_up(struct cpw_audit_facts *f)
{
    if (!f) {
        return;
    }
    for (size_t i = 0; f->accounts && i < f->account_count; i++) {
        struct cpw_audit_account_trails *a = &f->accounts[i];
        for (size_t k = 0; k < a->trail_count; k++) {
            cpw_free(a->trails[k].name);
            cpw_free(a->trails[k].arn);
            cpw_free(a->trails[k].home_region);
        }
        cpw_free(a->trails);
        cpw_free(a->account);
        cpw_free(a->error);
    }
    cpw_free(f->accounts);
    for (size_t i = 0; f->domains && i < f->domain_count; i++) {
        cpw_free(f->domains[i].arn);
    }
    cpw_free(f->domains);
    for (size_t i = 0; f->instances && i < f->instance_count; i++) {
        for (size_t k = 0; k < f->instances[i].tag_count; k++) {
            cpw_free(f->instances[i].tags[k].key);
            cpw_free(f->instances[i].tags[k].value);
        }
        cpw_free(f->instances[i].tags);
        cpw_free(f->instances[i].arn);
    }
    cpw_free(f->instances);
    for (size_t i = 0; f->documents && i < f->document_count; i++) {
        cpw_free(f->documents[i].account);
        cpw_free(f->documents[i].region);
        cpw_free(f->documents[i].domain);
    }
    cpw_free(f->documents);
    for (size_t i = 0; f->tasks && i < f->task_count; i++) {
        cpw_free(f->tasks[i].task_id);
        cpw_free(f->tasks[i].role_name);
        cpw_free(f->tasks[i].role_arn);
        cpw_free(f->tasks[i].status);
        cpw_free(f->tasks[i].reason);
    }
    cpw_free(f->tasks);
    for (size_t i = 0; f->authz && i < f->authz_count; i++) {
        cpw_free(f->authz[i].account);
        cpw_free(f->authz[i].error);
        json_decref(f->authz[i].details);
    }
    cpw_free(f->authz);
    memset(f, 0, sizeof(*f));
}
