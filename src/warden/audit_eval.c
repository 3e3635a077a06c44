/*
 * audit_eval.c - evaluates the audit's rules over an inventory and the facts beside it, into the
 * report document every output is rendered from (docs/audit.md, "JSON"). Each rule looks only at
 * the resources its filters (the file's, then its own) select, records what it checked, and
 * says "not evaluated" with the reason when the facts it needs were not read.
 */
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit_internal.h"
#include "cpw/alloc.h"
#include "cpw/error.h"
#include "cpw/time.h"

#define DAY_S 86400

/* A resource as the filters see it. */
struct subject {
    const char *type; /* "domain", "instance", "role", "account", "finding" */
    const char *arn;
    const char *name;
    const char *account;
    const char *region; /* NULL: global */
    const struct cpw_inv_tag *tags;
    size_t tag_count;
    bool has_tags; /* false: the resource's tags are unknown (never matches a tag filter) */
};

struct eval {
    const struct cpw_audit_rules *rules;
    const struct cpw_inventory *inv;
    const struct cpw_audit_facts *facts;
    int64_t now_s;
    json_t *results;
    /* the rule being evaluated */
    enum cpw_audit_rule_id rule;
    json_t *checked;
    size_t violations;
};

static bool s_in_list(char *const *list, size_t count, const char *s)
{
    for (size_t i = 0; i < count; i++) {
        if (s && strcmp(list[i], s) == 0) {
            return true;
        }
    }
    return false;
}

static bool s_glob_any(char *const *globs, size_t count, const char *s)
{
    for (size_t i = 0; i < count; i++) {
        if (s && fnmatch(globs[i], s, 0) == 0) {
            return true;
        }
    }
    return false;
}

static const char *s_tag(const struct cpw_inv_tag *tags, size_t count, const char *key)
{
    for (size_t i = 0; i < count; i++) {
        if (strcmp(tags[i].key, key) == 0) {
            return tags[i].value ? tags[i].value : "";
        }
    }
    return NULL;
}

static bool s_filter_match(const struct cpw_audit_filter *f, const struct subject *s)
{
    if (f->account_count && !s_in_list(f->accounts, f->account_count, s->account)) {
        return false;
    }
    if (f->region_count && s->region && !s_in_list(f->regions, f->region_count, s->region)) {
        return false;
    }
    if (f->name_count && !s_glob_any(f->names, f->name_count, s->name)) {
        return false;
    }
    if (f->exclude_name_count && s_glob_any(f->exclude_names, f->exclude_name_count, s->name)) {
        return false;
    }
    for (size_t i = 0; i < f->tag_count; i++) {
        const char *v = s->has_tags ? s_tag(s->tags, s->tag_count, f->tags[i].key) : NULL;
        if (!v || (f->tags[i].value && strcmp(v, f->tags[i].value) != 0)) {
            return false;
        }
    }
    return true;
}

/* True when the rule looks at s; records it as checked. */
static bool s_selects(struct eval *ev, const struct subject *s)
{
    if (!s_filter_match(&ev->rules->filter, s) ||
        !s_filter_match(&ev->rules->rules[ev->rule].filter, s)) {
        return false;
    }
    json_array_append_new(ev->checked, json_string(s->arn ? s->arn : s->account));
    return true;
}

static const struct cpw_audit_rule_config *s_cfg(const struct eval *ev)
{
    return &ev->rules->rules[ev->rule];
}

/* Adds a violation about s. evidence: a JSON array (consumed) or NULL. key distinguishes several
 * violations of one rule about one resource in the fingerprint. */
static void s_violation(struct eval *ev,
                        const struct subject *s,
                        const char *key,
                        json_t *evidence,
                        const char *fix,
                        const char *fmt,
                        ...) __attribute__((format(printf, 6, 7)));

static void s_violation(struct eval *ev,
                        const struct subject *s,
                        const char *key,
                        json_t *evidence,
                        const char *fix,
                        const char *fmt,
                        ...)
{
    char message[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    const char *rule = cpw_audit_rule_name(ev->rule);
    const char *resource = s->arn ? s->arn : s->account;
    struct cpw_buf fp;
    cpw_buf_init(&fp, 4096);
    (void)cpw_buf_appendf(&fp, "%s|%s|%s", rule, resource ? resource : "", key ? key : "");
    json_t *r = json_object();
    cpw_json_set_take(r, "rule", json_string(rule));
    cpw_json_set_take(r, "severity", json_string(cpw_audit_severity_name(s_cfg(ev)->severity)));
    cpw_json_set_take(r, "resource_type", json_string(s->type));
    cpw_json_set_take(r, "resource", resource ? json_string(resource) : json_null());
    cpw_json_set_take(r, "name", s->name ? json_string(s->name) : json_null());
    cpw_json_set_take(r, "account", s->account ? json_string(s->account) : json_null());
    cpw_json_set_take(r, "region", s->region ? json_string(s->region) : json_null());
    cpw_json_set_take(r, "message", json_string(message));
    cpw_json_set_take(r, "evidence", evidence ? evidence : json_array());
    cpw_json_set_take(r, "fix", json_string(fix ? fix : ""));
    cpw_json_set_take(r, "fingerprint", json_string(cpw_buf_cstr(&fp)));
    cpw_buf_clean_up(&fp);
    json_array_append_new(ev->results, r);
    ev->violations++;
}

static void s_date(int64_t epoch_s, char out[CPW_TIME_ISO8601_LEN + 1])
{
    if (epoch_s <= 0 || cpw_time_format_iso8601(epoch_s, out)) {
        snprintf(out, CPW_TIME_ISO8601_LEN + 1, "unknown");
    }
}

static struct subject s_domain_subject(const struct cpw_inv_domain *d)
{
    return (struct subject){ .type = "domain",
                             .arn = d->arn,
                             .name = d->name,
                             .account = d->account,
                             .region = d->region,
                             .tags = d->tags,
                             .tag_count = d->tag_count,
                             .has_tags = true };
}

static const struct cpw_audit_instance_tags *s_instance_tags(const struct cpw_audit_facts *f,
                                                             const char *arn)
{
    for (size_t i = 0; f && f->instance_tags_read && arn && i < f->instance_count; i++) {
        if (f->instances[i].arn && strcmp(f->instances[i].arn, arn) == 0) {
            return &f->instances[i];
        }
    }
    return NULL;
}

static struct subject s_instance_subject(const struct eval *ev, const struct cpw_inv_instance *x)
{
    const struct cpw_audit_instance_tags *t = s_instance_tags(ev->facts, x->arn);
    return (struct subject){ .type = "instance",
                             .arn = x->arn,
                             .name = x->alias ? x->alias : x->id,
                             .account = x->account,
                             .region = x->region,
                             .tags = t ? t->tags : NULL,
                             .tag_count = t ? t->tag_count : 0,
                             .has_tags = t != NULL };
}

static struct subject s_role_subject(const struct cpw_inv_role *r)
{
    return (struct subject){ .type = "role",
                             .arn = r->arn,
                             .name = r->name,
                             .account = r->account,
                             .tags = r->tags,
                             .tag_count = r->tag_count,
                             .has_tags = true };
}

/* ----- the rules ------------------------------------------------------------------------------ */

static const char *s_leftovers(struct eval *ev)
{
    const struct cpw_audit_rule_config *c = s_cfg(ev);
    for (size_t i = 0; i < cpw_inventory_finding_count(ev->inv); i++) {
        const struct cpw_inv_finding *f = cpw_inventory_finding(ev->inv, i);
        struct subject s = {
            .type = "finding", .arn = f->resource_arn, .account = f->account, .region = f->region
        };
        const struct cpw_inv_domain *d = cpw_inventory_find_domain(ev->inv, f->resource_arn);
        const struct cpw_inv_instance *x = cpw_inventory_find_instance(ev->inv, f->resource_arn);
        const struct cpw_inv_role *r = cpw_inventory_find_role(ev->inv, f->resource_arn);
        if (d) {
            s = s_domain_subject(d);
        } else if (x) {
            s = s_instance_subject(ev, x);
        } else if (r) {
            s = s_role_subject(r);
        }
        if (f->confidence < c->min_confidence || !s_selects(ev, &s)) {
            continue;
        }
        json_t *evidence = json_array();
        for (size_t k = 0; k < f->evidence_count; k++) {
            json_array_append_new(evidence, json_string(f->evidence[k]));
        }
        const char *kind = cpw_inv_finding_kind_name(f->kind);
        s_violation(ev, &s, kind, evidence, f->action, "%s (%s)", kind,
                    cpw_inv_confidence_name(f->confidence));
    }
    return NULL;
}

static const char *s_naming(struct eval *ev)
{
    const struct cpw_audit_rule_config *c = s_cfg(ev);
    for (size_t i = 0; c->domain_pattern && i < cpw_inventory_domain_count(ev->inv); i++) {
        const struct cpw_inv_domain *d = cpw_inventory_domain(ev->inv, i);
        struct subject s = s_domain_subject(d);
        if (s_selects(ev, &s) && !cpw_regex_match(c->domain_pattern, d->name)) {
            s_violation(ev, &s, "domain-name",
                        json_pack("[s+]", "pattern: ", cpw_regex_pattern(c->domain_pattern)),
                        "Customer Profiles domains cannot be renamed: create a domain with a "
                        "conforming name, move the data (backup/restore) and delete this one",
                        "domain name '%s' does not match the naming pattern", d->name);
        }
    }
    for (size_t i = 0; c->instance_pattern && i < cpw_inventory_instance_count(ev->inv); i++) {
        const struct cpw_inv_instance *x = cpw_inventory_instance(ev->inv, i);
        struct subject s = s_instance_subject(ev, x);
        if (x->alias && s_selects(ev, &s) && !cpw_regex_match(c->instance_pattern, x->alias)) {
            s_violation(ev, &s, "instance-alias",
                        json_pack("[s+]", "pattern: ", cpw_regex_pattern(c->instance_pattern)),
                        "instance aliases cannot be changed: follow the pattern for new instances "
                        "or add this one to the rule's exclude_names",
                        "instance alias '%s' does not match the naming pattern", x->alias);
        }
    }
    return NULL;
}

static void s_tags_check(struct eval *ev, const struct subject *s)
{
    const struct cpw_audit_rule_config *c = s_cfg(ev);
    struct cpw_buf missing;
    cpw_buf_init(&missing, 4096);
    for (size_t k = 0; k < c->required_key_count; k++) {
        if (!s_tag(s->tags, s->tag_count, c->required_keys[k])) {
            (void)cpw_buf_appendf(&missing, "%s%s", missing.len ? ", " : "", c->required_keys[k]);
        }
    }
    if (missing.len) {
        s_violation(ev, s, "missing",
                    json_pack("[s+]", "missing tag keys: ", cpw_buf_cstr(&missing)),
                    "add the tags (Customer Profiles TagResource / Connect TagResource)",
                    "%s '%s' lacks required tag(s): %s", s->type, s->name ? s->name : "",
                    cpw_buf_cstr(&missing));
    }
    cpw_buf_clean_up(&missing);
    for (size_t k = 0; k < c->allowed_count; k++) {
        const struct cpw_audit_allowed_values *a = &c->allowed[k];
        const char *v = s_tag(s->tags, s->tag_count, a->key);
        if (v && !s_in_list(a->values, a->value_count, v)) {
            char key[300];
            snprintf(key, sizeof(key), "value:%s", a->key);
            json_t *allowed = json_array();
            for (size_t j = 0; j < a->value_count; j++) {
                json_array_append_new(allowed, json_string(a->values[j]));
            }
            s_violation(ev, s, key, json_pack("[s+,o]", "allowed values of ", a->key, allowed),
                        "set the tag to one of the allowed values",
                        "%s '%s' has %s=%s, which is not an allowed value", s->type,
                        s->name ? s->name : "", a->key, v);
        }
    }
}

static const char *s_tagging(struct eval *ev)
{
    for (size_t i = 0; i < cpw_inventory_domain_count(ev->inv); i++) {
        struct subject s = s_domain_subject(cpw_inventory_domain(ev->inv, i));
        if (s_selects(ev, &s)) {
            s_tags_check(ev, &s);
        }
    }
    if (!ev->facts || !ev->facts->instance_tags_read) {
        return cpw_inventory_instance_count(ev->inv)
                 ? "instances not checked: their tags were not read (a fresh scan reads them)"
                 : NULL;
    }
    for (size_t i = 0; i < cpw_inventory_instance_count(ev->inv); i++) {
        struct subject s = s_instance_subject(ev, cpw_inventory_instance(ev->inv, i));
        if (s.has_tags && s_selects(ev, &s)) {
            s_tags_check(ev, &s);
        }
    }
    return NULL;
}

static const char *s_cloudtrail(struct eval *ev)
{
    for (size_t i = 0; i < cpw_inventory_account_count(ev->inv); i++) {
        const char *account = cpw_inventory_account(ev->inv, i);
        struct subject s = { .type = "account", .account = account, .name = account };
        if (!s_selects(ev, &s)) {
            continue;
        }
        const struct cpw_audit_account_trails *t = NULL;
        for (size_t k = 0; k < ev->facts->account_count && !t; k++) {
            if (strcmp(ev->facts->accounts[k].account, account) == 0) {
                t = &ev->facts->accounts[k];
            }
        }
        const char *fix = "create a multi-region trail (aws cloudtrail create-trail "
                          "--is-multi-region-trail), start-logging, and keep management events "
                          "in its event selectors";
        if (!t || t->error) {
            s_violation(ev, &s, "unreadable",
                        json_pack("[s]", t && t->error ? t->error : "not read"), fix,
                        "account %s: its trails could not be read", account);
            continue;
        }
        json_t *evidence = json_array();
        bool ok = false;
        for (size_t k = 0; k < t->trail_count; k++) {
            const struct cpw_audit_trail *tr = &t->trails[k];
            ok = ok || (tr->multi_region && tr->logging && tr->management_events);
            char line[600];
            snprintf(line, sizeof(line), "trail %s (home %s): %s, %s, %s", tr->name,
                     tr->home_region ? tr->home_region : "?",
                     tr->multi_region ? "multi-region" : "single-region",
                     tr->logging ? "logging" : "NOT logging",
                     tr->management_events ? "records management events" : "NO management events");
            json_array_append_new(evidence, json_string(line));
        }
        if (ok) {
            json_decref(evidence);
            continue;
        }
        if (t->trail_count == 0) {
            json_array_append_new(evidence, json_string("DescribeTrails: no trail"));
        }
        s_violation(ev, &s, "trail", evidence, fix,
                    "account %s has no multi-region trail that is logging management events",
                    account);
    }
    return NULL;
}

static bool s_aws_managed_key(const char *key)
{
    return strstr(key, "alias/aws/") != NULL;
}

static const char *s_domain_settings(struct eval *ev)
{
    const struct cpw_audit_rule_config *c = s_cfg(ev);
    for (size_t i = 0; i < cpw_inventory_domain_count(ev->inv); i++) {
        const struct cpw_inv_domain *d = cpw_inventory_domain(ev->inv, i);
        struct subject s = s_domain_subject(d);
        if (!s_selects(ev, &s)) {
            continue;
        }
        char when[CPW_TIME_ISO8601_LEN + 1];
        s_date(d->created_at_s, when);
        switch (ev->rule) {
        case CPW_AUDIT_RULE_DOMAIN_KMS_KEY:
            if (!d->default_encryption_key || s_aws_managed_key(d->default_encryption_key)) {
                s_violation(ev, &s, "kms",
                            json_pack("[s+]", "DefaultEncryptionKey: ",
                                      d->default_encryption_key ? d->default_encryption_key
                                                                : "(none: an AWS owned key)"),
                            "aws customer-profiles update-domain --default-encryption-key "
                            "<customer-managed KMS key ARN>",
                            "domain '%s' is not encrypted with a customer-managed KMS key",
                            d->name);
            }
            break;
        case CPW_AUDIT_RULE_DOMAIN_DLQ:
            if (!d->dead_letter_queue_url) {
                s_violation(ev, &s, "dlq", json_pack("[s]", "DeadLetterQueueUrl: (none)"),
                            "aws customer-profiles update-domain --dead-letter-queue-url "
                            "<SQS queue URL>",
                            "domain '%s' has no dead-letter queue", d->name);
            }
            break;
        case CPW_AUDIT_RULE_DOMAIN_EMPTY: {
            int64_t age_days = d->created_at_s ? (ev->now_s - d->created_at_s) / DAY_S : 0;
            if (d->profile_count == 0 && d->created_at_s && age_days > c->max_age_days) {
                char line[200];
                snprintf(line, sizeof(line), "ProfileCount: 0; created %s", when);
                s_violation(ev, &s, "empty", json_pack("[s]", line),
                            "delete the domain if nothing uses it (cpwarden plan), or load its "
                            "profiles",
                            "domain '%s' has held no profiles for %lld days (limit %lld)", d->name,
                            (long long)age_days, (long long)c->max_age_days);
            }
            break;
        }
        case CPW_AUDIT_RULE_DOMAIN_OWNER:
            if (!s_tag(d->tags, d->tag_count, c->tag_key)) {
                s_violation(ev, &s, "owner", json_pack("[s+]", "no tag ", c->tag_key),
                            "aws customer-profiles tag-resource --resource-arn <domain ARN> "
                            "--tags owner=<team>",
                            "domain '%s' has no %s tag", d->name, c->tag_key);
            }
            break;
        default:
            break;
        }
    }
    return NULL;
}

static const char *s_expiration(struct eval *ev)
{
    const struct cpw_audit_rule_config *c = s_cfg(ev);
    if (!ev->facts || !ev->facts->domain_details_read) {
        return "the domains' DefaultExpirationDays were not read (the inventory does not record "
               "them; a fresh scan reads them with GetDomain)";
    }
    for (size_t i = 0; i < cpw_inventory_domain_count(ev->inv); i++) {
        const struct cpw_inv_domain *d = cpw_inventory_domain(ev->inv, i);
        int64_t days = -1;
        for (size_t k = 0; k < ev->facts->domain_count; k++) {
            if (d->arn && strcmp(ev->facts->domains[k].arn, d->arn) == 0) {
                days = ev->facts->domains[k].default_expiration_days;
            }
        }
        struct subject s = s_domain_subject(d);
        if (days < 0 || !s_selects(ev, &s)) {
            continue;
        }
        if (days < c->min_days || days > c->max_days) {
            char line[200];
            snprintf(line, sizeof(line), "DefaultExpirationDays: %lld; allowed %lld to %lld",
                     (long long)days, (long long)c->min_days, (long long)c->max_days);
            s_violation(ev, &s, "expiration", json_pack("[s]", line),
                        "aws customer-profiles update-domain --default-expiration-days N",
                        "domain '%s' keeps data %lld days, outside %lld to %lld", d->name,
                        (long long)days, (long long)c->min_days, (long long)c->max_days);
        }
    }
    return NULL;
}

static bool s_service_linked(const struct cpw_inv_role *r)
{
    return r->service == CPW_INV_ROLE_PROFILE || r->service == CPW_INV_ROLE_CONNECT;
}

static const char *s_role_unused(struct eval *ev)
{
    const struct cpw_audit_rule_config *c = s_cfg(ev);
    for (size_t i = 0; i < cpw_inventory_role_count(ev->inv); i++) {
        const struct cpw_inv_role *r = cpw_inventory_role(ev->inv, i);
        struct subject s = s_role_subject(r);
        if (!s_service_linked(r) || !s_selects(ev, &s)) {
            continue;
        }
        int64_t since = r->last_used_at_s ? r->last_used_at_s : r->created_at_s;
        if (!since) {
            continue;
        }
        int64_t days = (ev->now_s - since) / DAY_S;
        if (days <= c->max_age_days) {
            continue;
        }
        char when[CPW_TIME_ISO8601_LEN + 1];
        s_date(since, when);
        char line[300];
        if (r->last_used_at_s) {
            snprintf(line, sizeof(line), "RoleLastUsed: %s", when);
        } else {
            snprintf(line, sizeof(line), "RoleLastUsed: never; created %s", when);
        }
        json_t *evidence = json_pack("[s]", line);
        s_violation(ev, &s, "unused", evidence,
                    "if nothing uses its resource any more, remove it with cpwarden plan / apply "
                    "(DeleteServiceLinkedRole)",
                    "service-linked role %s unused for %lld days (limit %lld)", r->name,
                    (long long)days, (long long)c->max_age_days);
    }
    return NULL;
}

static const char *s_role_deletion(struct eval *ev)
{
    const struct cpw_audit_rule_config *c = s_cfg(ev);
    bool unknown_age = false;
    for (size_t i = 0; i < cpw_inventory_role_count(ev->inv); i++) {
        const struct cpw_inv_role *r = cpw_inventory_role(ev->inv, i);
        struct subject s = s_role_subject(r);
        if (!r->deletion_status || !s_selects(ev, &s)) {
            continue;
        }
        if (strcmp(r->deletion_status, "FAILED") == 0) {
            s_violation(ev, &s, "failed",
                        json_pack("[s+,s+]", "deletion task ",
                                  r->deletion_task_id ? r->deletion_task_id : "?", "reason: ",
                                  r->deletion_reason ? r->deletion_reason : "(none given)"),
                        "remove what still uses the role (its RoleUsageList), then delete it "
                        "again (cpwarden plan / apply)",
                        "deletion of %s FAILED", r->name);
        } else if (strcmp(r->deletion_status, "SUCCEEDED") != 0) {
            if (c->max_age_days == 0) {
                s_violation(ev, &s, "pending",
                            json_pack("[s+,s+]", "deletion task ",
                                      r->deletion_task_id ? r->deletion_task_id : "?",
                                      "status: ", r->deletion_status),
                            "poll GetServiceLinkedRoleDeletionStatus; a task that stays pending "
                            "needs an AWS support case",
                            "deletion of %s still %s", r->name, r->deletion_status);
            } else {
                unknown_age = true;
            }
        }
    }
    for (size_t i = 0; ev->facts && i < ev->facts->task_count; i++) {
        const struct cpw_audit_deletion_task *t = &ev->facts->tasks[i];
        const struct cpw_inv_role *r =
          t->role_arn ? cpw_inventory_find_role(ev->inv, t->role_arn) : NULL;
        struct subject s = r ? s_role_subject(r) : (struct subject){ 0 };
        if (!r || !t->status ||
            (r->deletion_task_id && strcmp(r->deletion_task_id, t->task_id) == 0) ||
            !s_selects(ev, &s)) {
            continue; /* the role is gone, the task unread, or already judged from the inventory */
        }
        char when[CPW_TIME_ISO8601_LEN + 1];
        s_date(t->submitted_s, when);
        int64_t days = (ev->now_s - t->submitted_s) / DAY_S;
        if (strcmp(t->status, "FAILED") == 0) {
            s_violation(ev, &s, "failed",
                        json_pack("[s+,s+,s+]", "deletion task ", t->task_id, "submitted ", when,
                                  "reason: ", t->reason ? t->reason : "(none given)"),
                        "remove what still uses the role (its RoleUsageList), then delete it "
                        "again (cpwarden plan / apply)",
                        "deletion of %s FAILED", r->name);
        } else if (strcmp(t->status, "SUCCEEDED") != 0 && days >= c->max_age_days) {
            s_violation(ev, &s, "pending",
                        json_pack("[s+,s+,s+]", "deletion task ", t->task_id, "submitted ", when,
                                  "status: ", t->status),
                        "poll GetServiceLinkedRoleDeletionStatus; a task that stays pending needs "
                        "an AWS support case",
                        "deletion of %s still %s after %lld day(s) (limit %lld)", r->name,
                        t->status, (long long)days, (long long)c->max_age_days);
        }
    }
    return unknown_age ? "pending deletion tasks were seen whose start time is unknown; set "
                         "max_pending_days: 0 to report every pending task"
                       : NULL;
}

static const char *s_least_privilege(struct eval *ev)
{
    const struct cpw_audit_rule_config *c = s_cfg(ev);
    const struct cpw_audit_authorizer *az = ev->facts ? ev->facts->authorizer : NULL;
    if (!az || !az->allowed_principals) {
        return "no authorization engine: the IAM policies were not read (a stored inventory "
               "keeps none), so who may delete domains or service-linked roles on * is unknown";
    }
    /* "*": an unrestricted grant (Action "*" on "*"), which covers every action cpwarden's own
     * least-privilege policy lists and all others. */
    static const char *const actions[] = { "profile:DeleteDomain", "iam:DeleteServiceLinkedRole",
                                           "*" };
    static _Thread_local char reason[700];
    reason[0] = '\0';
    for (size_t i = 0; i < cpw_inventory_account_count(ev->inv); i++) {
        const char *account = cpw_inventory_account(ev->inv, i);
        struct subject s = { .type = "account", .account = account, .name = account };
        if (!s_selects(ev, &s)) {
            continue;
        }
        for (size_t a = 0; a < sizeof(actions) / sizeof(actions[0]); a++) {
            json_t *principals = json_array();
            if (az->allowed_principals(az->ctx, account, actions[a], principals)) {
                json_decref(principals);
                if (reason[0] == '\0') { /* the first account that failed; the others go on */
                    snprintf(reason, sizeof(reason), "%s", cpw_last_error_detail());
                }
                cpw_error_clear();
                /* not checked after all (s_selects recorded it) */
                json_array_remove(ev->checked, json_array_size(ev->checked) - 1);
                break;
            }
            size_t k;
            json_t *p;
            json_array_foreach(principals, k, p)
            {
                const char *arn = json_string_value(p);
                if (!arn || s_glob_any(c->allow_principals, c->allow_principal_count, arn)) {
                    continue;
                }
                struct subject ps = { .type = "principal", .arn = arn, .account = account };
                char key[600];
                snprintf(key, sizeof(key), "%s", actions[a]);
                if (strcmp(actions[a], "*") == 0) {
                    s_violation(ev, &ps, "admin", json_pack("[s+]", "evaluated by ", az->name),
                                "replace the Action \"*\" grant with the actions the principal "
                                "needs (cpwarden policy prints cpwarden's own), or add the "
                                "principal to least-privilege.allow",
                                "%s may call every action on * (administrator access)", arn);
                    continue;
                }
                s_violation(ev, &ps, key, json_pack("[s+]", "evaluated by ", az->name),
                            "scope the policy to named resources, or add the principal to "
                            "least-privilege.allow",
                            "%s may call %s on *", arn, actions[a]);
            }
            json_decref(principals);
        }
    }
    return reason[0] ? reason : NULL;
}

static const char *s_documentation(struct eval *ev)
{
    const struct cpw_audit_rule_config *c = s_cfg(ev);
    if (!ev->facts || !ev->facts->documents_read) {
        return "the state store's documentation records were not read";
    }
    for (size_t i = 0; i < cpw_inventory_domain_count(ev->inv); i++) {
        const struct cpw_inv_domain *d = cpw_inventory_domain(ev->inv, i);
        struct subject s = s_domain_subject(d);
        if (!s_selects(ev, &s)) {
            continue;
        }
        int64_t newest = 0;
        for (size_t k = 0; k < ev->facts->document_count; k++) {
            const struct cpw_audit_document_record *r = &ev->facts->documents[k];
            if (strcmp(r->account, d->account) == 0 && strcmp(r->region, d->region) == 0 &&
                strcmp(r->domain, d->name) == 0 && r->created_at_s > newest) {
                newest = r->created_at_s;
            }
        }
        const char *fix = "cpwarden document --domain NAME --region REGION (stores a record)";
        if (!newest) {
            s_violation(ev, &s, "missing", json_pack("[s]", "no document record in the store"), fix,
                        "domain '%s' has never been documented", d->name);
            continue;
        }
        int64_t days = (ev->now_s - newest) / DAY_S;
        if (days > c->max_age_days) {
            char when[CPW_TIME_ISO8601_LEN + 1];
            s_date(newest, when);
            s_violation(ev, &s, "stale", json_pack("[s+]", "last documented ", when), fix,
                        "domain '%s' was last documented %lld days ago (limit %lld)", d->name,
                        (long long)days, (long long)c->max_age_days);
        }
    }
    return NULL;
}

/* ----- the report ----------------------------------------------------------------------------- */

static const char *s_run_rule(struct eval *ev)
{
    switch (ev->rule) {
    case CPW_AUDIT_RULE_LEFTOVERS:
        return s_leftovers(ev);
    case CPW_AUDIT_RULE_NAMING:
        return s_naming(ev);
    case CPW_AUDIT_RULE_TAGGING:
        return s_tagging(ev);
    case CPW_AUDIT_RULE_CLOUDTRAIL:
        if (!ev->facts || !ev->facts->trails_read) {
            return ev->facts && ev->facts->trails_reason
                     ? ev->facts->trails_reason
                     : "the accounts' trails were not read (a fresh scan reads them)";
        }
        return s_cloudtrail(ev);
    case CPW_AUDIT_RULE_DOMAIN_KMS_KEY:
    case CPW_AUDIT_RULE_DOMAIN_DLQ:
    case CPW_AUDIT_RULE_DOMAIN_EMPTY:
    case CPW_AUDIT_RULE_DOMAIN_OWNER:
        return s_domain_settings(ev);
    case CPW_AUDIT_RULE_DOMAIN_EXPIRATION:
        return s_expiration(ev);
    case CPW_AUDIT_RULE_ROLE_UNUSED:
        return s_role_unused(ev);
    case CPW_AUDIT_RULE_ROLE_DELETION:
        return s_role_deletion(ev);
    case CPW_AUDIT_RULE_LEAST_PRIVILEGE:
        return s_least_privilege(ev);
    case CPW_AUDIT_RULE_DOCUMENTATION:
        return s_documentation(ev);
    default:
        break;
    }
    return "unknown rule";
}

/* Rules whose "reason" means the rule did not run at all (as opposed to a partial note). */
static bool s_not_evaluated(struct eval *ev, const char *reason)
{
    return reason && ev->violations == 0 && json_array_size(ev->checked) == 0 &&
           ev->rule != CPW_AUDIT_RULE_TAGGING && ev->rule != CPW_AUDIT_RULE_ROLE_DELETION;
}

struct ranked {
    json_t *result;
    int severity;
    size_t order; /* rule order, then the order the rule found them */
};

static int s_rank_cmp(const void *a, const void *b)
{
    const struct ranked *x = a;
    const struct ranked *y = b;
    if (x->severity != y->severity) {
        return x->severity > y->severity ? -1 : 1; /* worst first */
    }
    return x->order < y->order ? -1 : x->order > y->order;
}

/* The results worst first; within a severity in rule order, each rule's in its own order. */
static json_t *s_sorted(json_t *results)
{
    size_t n = json_array_size(results);
    struct ranked *list = cpw_calloc(n ? n : 1, sizeof(*list));
    for (size_t i = 0; i < n; i++) {
        enum cpw_audit_severity sev = CPW_AUDIT_SEVERITY_INFO;
        list[i].result = json_array_get(results, i);
        (void)cpw_audit_severity_parse(cpw_json_get_string(list[i].result, "severity"), &sev);
        list[i].severity = (int)sev;
        list[i].order = i;
    }
    qsort(list, n, sizeof(*list), s_rank_cmp);
    json_t *sorted = json_array();
    for (size_t i = 0; i < n; i++) {
        json_array_append(sorted, list[i].result);
    }
    cpw_free(list);
    json_decref(results);
    return sorted;
}

json_t *cpw_audit_evaluate(const struct cpw_audit_rules *rules,
                           const struct cpw_inventory *inv,
                           const struct cpw_audit_facts *facts,
                           int64_t now_s)
{
    struct eval ev = {
        .rules = rules, .inv = inv, .facts = facts, .now_s = now_s, .results = json_array()
    };
    json_t *rule_list = json_array();
    size_t by_severity[CPW_AUDIT_SEVERITY_COUNT_] = { 0 };
    size_t not_evaluated = 0;
    for (size_t i = 0; i < CPW_AUDIT_RULE_COUNT_; i++) {
        ev.rule = (enum cpw_audit_rule_id)i;
        ev.checked = json_array();
        ev.violations = 0;
        const struct cpw_audit_rule_config *c = &rules->rules[i];
        const char *status = "disabled";
        const char *reason = NULL;
        if (c->enabled) {
            reason = s_run_rule(&ev);
            status = s_not_evaluated(&ev, reason) ? "not-evaluated" : "evaluated";
            not_evaluated += strcmp(status, "not-evaluated") == 0;
            by_severity[c->severity] += ev.violations;
        }
        json_t *r =
          json_pack("{s:s,s:s,s:s,s:b,s:s,s:I,s:o}", "id", cpw_audit_rule_name(ev.rule),
                    "description", cpw_audit_rule_description(ev.rule), "severity",
                    cpw_audit_severity_name(c->severity), "enabled", c->enabled, "status", status,
                    "violations", (json_int_t)ev.violations, "checked", ev.checked);
        cpw_json_set_take(r, "reason", reason ? json_string(reason) : json_null());
        json_array_append_new(rule_list, r);
    }
    json_t *sev = json_object();
    size_t total = 0;
    for (size_t s = 0; s < CPW_AUDIT_SEVERITY_COUNT_; s++) {
        cpw_json_set_take(sev, cpw_audit_severity_name((enum cpw_audit_severity)s),
                          json_integer((json_int_t)by_severity[s]));
        total += by_severity[s];
    }
    json_t *accounts = json_array();
    for (size_t i = 0; i < cpw_inventory_account_count(inv); i++) {
        json_array_append_new(accounts, json_string(cpw_inventory_account(inv, i)));
    }
    json_t *regions = json_array();
    for (size_t i = 0; i < cpw_inventory_region_count(inv); i++) {
        json_array_append_new(regions, json_string(cpw_inventory_region(inv, i)));
    }
    ev.results = s_sorted(ev.results);
    char ran[CPW_TIME_ISO8601_LEN + 1];
    s_date(now_s, ran);
    char scanned[CPW_TIME_ISO8601_LEN + 1];
    s_date(cpw_inventory_scanned_at(inv), scanned);
    return json_pack("{s:i,s:s,s:s,s:{s:o,s:o,s:s,s:I},s:{s:I,s:o,s:I},s:o,s:o}", "format_version",
                     CPW_AUDIT_FORMAT_VERSION, "ran_at", ran, "rules_source", rules->source,
                     "scope", "accounts", accounts, "regions", regions, "scanned_at", scanned,
                     "scan_errors", (json_int_t)cpw_inventory_error_count(inv), "summary",
                     "violations", (json_int_t)total, "by_severity", sev, "rules_not_evaluated",
                     (json_int_t)not_evaluated, "rules", rule_list, "results", ev.results);
}
