/*
 * plan_build.c - turns typed inventory facts into a plan's ordered actions and checklists,
 * consulting the protections and the ACTIVE-instance rule before proposing any deletion.
 *
 * Order per domain (docs/aws-facts.md §1, §5.2-5.4, §8): back up the domain, delete its dangling
 * integrations, DeleteDomain, verify the domain is gone, wait for the service to delete the
 * domain's service-linked role, else DeleteServiceLinkedRole and poll the deletion task, verify
 * the role is gone. Orphaned Connect roles follow every domain.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/error.h"
#include "cpw/plan.h"
#include "cpw/time.h"
#include "plan_internal.h"

struct action_list {
    struct cpw_plan_action *items;
    size_t count;
};

/* An orphan role kept until finish, so that its actions follow every domain's. */
struct owned_role {
    struct cpw_plan_role_input input; /* strings and tags below, owned */
    struct cpw_tag *tags;
};

struct cpw_plan_builder {
    struct cpw_plan *plan;      /* checklists live here while building */
    struct action_list actions; /* in execution order, final ids */
    struct owned_role *roles;
    size_t role_count;
    const struct cpw_protect *protect;
    bool spent;
};

/* The status and reason shared by a chain of actions. */
struct verdict {
    enum cpw_plan_action_status status;
    char *reason; /* owned */
};

static char *s_format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *s_format(const char *fmt, ...)
{
    struct cpw_buf text;
    cpw_buf_init(&text, 64u * 1024u);
    va_list ap;
    va_start(ap, fmt);
    (void)cpw_buf_vappendf(&text, fmt, ap);
    va_end(ap);
    return cpw_buf_detach(&text);
}

static const char *s_or(const char *s, const char *fallback)
{
    return s && *s ? s : fallback;
}

static bool s_is_account_id(const char *s)
{
    if (!s || strlen(s) != 12) {
        return false;
    }
    for (size_t i = 0; i < 12; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
    }
    return true;
}

static struct cpw_plan_action *s_add_action(struct action_list *list,
                                            enum cpw_plan_action_kind kind,
                                            const struct verdict *verdict,
                                            const char *account,
                                            const char *region,
                                            const char *arn,
                                            const char *name)
{
    list->items = cpw_realloc(list->items, (list->count + 1) * sizeof(*list->items));
    struct cpw_plan_action *a = &list->items[list->count++];
    memset(a, 0, sizeof(*a));
    a->id = s_format("a%02zu", list->count);
    a->kind = kind;
    a->status = verdict->status;
    a->reason = cpw_strdup(verdict->reason ? verdict->reason : "");
    a->account = cpw_strdup(s_or(account, ""));
    a->region = cpw_strdup(s_or(region, ""));
    a->arn = cpw_strdup(s_or(arn, ""));
    a->name = cpw_strdup(s_or(name, ""));
    return a;
}

static void s_fact(struct cpw_plan_action *a, const char *key, const char *fmt, ...)
  __attribute__((format(printf, 3, 4)));

static void s_fact(struct cpw_plan_action *a, const char *key, const char *fmt, ...)
{
    struct cpw_buf text;
    cpw_buf_init(&text, 64u * 1024u);
    va_list ap;
    va_start(ap, fmt);
    (void)cpw_buf_vappendf(&text, fmt, ap);
    va_end(ap);
    for (size_t i = 0; i < a->fact_count; i++) {
        if (strcmp(a->facts[i].key, key) == 0) { /* last one wins: keys stay unique */
            cpw_free(a->facts[i].value);
            a->facts[i].value = cpw_buf_detach(&text);
            return;
        }
    }
    a->facts = cpw_realloc(a->facts, (a->fact_count + 1) * sizeof(*a->facts));
    a->facts[a->fact_count].key = cpw_strdup(key);
    a->facts[a->fact_count].value = cpw_buf_detach(&text);
    a->fact_count++;
}

static void s_pre(struct cpw_plan_action *a, const char *fmt, ...)
  __attribute__((format(printf, 2, 3)));

static void s_pre(struct cpw_plan_action *a, const char *fmt, ...)
{
    struct cpw_buf text;
    cpw_buf_init(&text, 64u * 1024u);
    va_list ap;
    va_start(ap, fmt);
    (void)cpw_buf_vappendf(&text, fmt, ap);
    va_end(ap);
    a->preconditions =
      cpw_realloc(a->preconditions, (a->precondition_count + 1) * sizeof(*a->preconditions));
    a->preconditions[a->precondition_count++] = cpw_buf_detach(&text);
}

static void s_dep(struct cpw_plan_action *a, const char *id)
{
    cpw_plan_strv_push(&a->depends_on, &a->depends_on_count, id);
}

static void s_check(struct cpw_plan_checklist *list,
                    const char *id,
                    const char *label,
                    enum cpw_plan_check_status status,
                    char *detail_owned)
{
    list->items = cpw_realloc(list->items, (list->item_count + 1) * sizeof(*list->items));
    struct cpw_plan_check *c = &list->items[list->item_count++];
    c->id = cpw_strdup(id);
    c->label = cpw_strdup(label);
    c->status = status;
    c->detail = detail_owned;
}

struct cpw_plan_builder *cpw_plan_builder_new(const struct cpw_plan_builder_options *opts)
{
    if (!opts || !s_is_account_id(opts->caller_account) || !opts->caller_arn ||
        strncmp(opts->caller_arn, "arn:", 4) != 0) {
        cpw_raise(CPW_ERR_INVALID_ARGUMENT,
                  "a plan needs the caller's identity: a 12-digit account and an ARN");
        return NULL;
    }
    /* To the millisecond: the journal knows a plan by its checksum, so two plans of the same
     * world made within one second must still differ (the second is not a resume of the first). */
    char now[CPW_TIME_ISO8601_MS_LEN + 1];
    if (cpw_time_format_iso8601_ms(cpw_time_now_ms(), now)) {
        return NULL;
    }
    struct cpw_plan_builder *b = cpw_calloc(1, sizeof(*b));
    b->protect = opts->protect;
    b->plan = cpw_calloc(1, sizeof(*b->plan));
    b->plan->format_version = CPW_PLAN_FORMAT_VERSION;
    b->plan->created_at = cpw_strdup(now);
    b->plan->caller_account = cpw_strdup(opts->caller_account);
    b->plan->caller_arn = cpw_strdup(opts->caller_arn);
    b->plan->force = opts->force;
    b->plan->include_possible = opts->include_possible;
    b->plan->organization = opts->organization;
    b->plan->role_name = cpw_strdup(!opts->organization ? ""
                                    : opts->role_name   ? opts->role_name
                                                        : "OrganizationAccountAccessRole");
    return b;
}

static void s_owned_role_clean_up(struct owned_role *role)
{
    cpw_free((char *)role->input.account);
    cpw_free((char *)role->input.name);
    cpw_free((char *)role->input.arn);
    cpw_free((char *)role->input.linked_resource);
    cpw_free((char *)role->input.last_used);
    for (size_t i = 0; i < role->input.tag_count; i++) {
        cpw_free((char *)role->tags[i].key);
        cpw_free((char *)role->tags[i].value);
    }
    cpw_free(role->tags);
}

static char *s_dup_or_null(const char *s)
{
    return s ? cpw_strdup(s) : NULL;
}

static void s_action_list_clean_up(struct action_list *list)
{
    for (size_t i = 0; i < list->count; i++) {
        cpw_plan_action_clean_up(&list->items[i]);
    }
    cpw_free(list->items);
    list->items = NULL;
    list->count = 0;
}

void cpw_plan_builder_destroy(struct cpw_plan_builder *builder)
{
    if (!builder) {
        return;
    }
    s_action_list_clean_up(&builder->actions);
    for (size_t i = 0; i < builder->role_count; i++) {
        s_owned_role_clean_up(&builder->roles[i]);
    }
    cpw_free(builder->roles);
    cpw_plan_destroy(builder->plan);
    cpw_free(builder);
}

/* The service principal the role is linked to (docs/aws-facts.md §1, §2). */
static const char *s_role_service(enum cpw_plan_role_kind kind)
{
    return kind == CPW_PLAN_ROLE_PROFILE_SLR ? "profile.amazonaws.com" : "connect.amazonaws.com";
}

/* The role's service-linked-role deletion chain: delete, poll the task, verify. */
static void s_role_chain(struct action_list *list,
                         const struct cpw_plan_role_input *role,
                         const struct verdict *verdict,
                         const char *after_id,
                         bool linked_gone)
{
    struct cpw_plan_action *del = s_add_action(list, CPW_PLAN_DELETE_SERVICE_LINKED_ROLE, verdict,
                                               role->account, "", role->arn, role->name);
    if (after_id) {
        s_dep(del, after_id);
        s_pre(del, "role %s still exists after the wait (the service did not delete it)",
              role->name);
    }
    if (linked_gone) {
        s_pre(del, "linked resource %s no longer exists", s_or(role->linked_resource, "(unknown)"));
    }
    if (role->last_used && *role->last_used) {
        s_pre(del, "role unused since %s", role->last_used);
    } else {
        s_pre(del, "role not used within IAM's tracking period");
    }
    s_fact(del, "role.arn", "%s", s_or(role->arn, ""));
    s_fact(del, "role.exists", "true");
    s_fact(del, "role.service", "%s", s_role_service(role->kind));
    s_fact(del, "role.last_used", "%s", s_or(role->last_used, "never"));
    s_fact(del, "role.linked_resource", "%s", s_or(role->linked_resource, ""));
    if (linked_gone) {
        s_fact(del, "role.linked_resource.exists", "false");
    }
    char *del_id = cpw_strdup(del->id);

    struct cpw_plan_action *poll = s_add_action(list, CPW_PLAN_POLL_ROLE_DELETION, verdict,
                                                role->account, "", role->arn, role->name);
    s_dep(poll, del_id);
    s_pre(poll, "deletion task submitted by %s", del_id);
    s_fact(poll, "role.arn", "%s", s_or(role->arn, ""));
    char *poll_id = cpw_strdup(poll->id);

    struct cpw_plan_action *verify = s_add_action(list, CPW_PLAN_VERIFY_ROLE_GONE, verdict,
                                                  role->account, "", role->arn, role->name);
    s_dep(verify, poll_id);
    s_pre(verify, "deletion task of %s reported SUCCEEDED", poll_id);
    s_fact(verify, "role.arn", "%s", s_or(role->arn, ""));
    cpw_free(del_id);
    cpw_free(poll_id);
}

static struct verdict s_role_verdict(const struct cpw_plan_builder *b,
                                     const struct cpw_plan_role_input *role,
                                     const struct verdict *parent)
{
    struct verdict v = { CPW_PLAN_ACTION_PLANNED, NULL };
    if (parent && parent->status != CPW_PLAN_ACTION_PLANNED) {
        v.status = parent->status;
        v.reason = cpw_strdup(parent->reason);
        return v;
    }
    if (cpw_protect_check(b->protect, role->account, CPW_PROTECT_ROLE, role->name, role->tags,
                          role->tag_count, &v.reason) == CPW_PROTECT_PROTECTED) {
        v.status = CPW_PLAN_ACTION_SKIPPED;
        return v;
    }
    if (!parent && role->possible && !b->plan->include_possible) {
        v.status = CPW_PLAN_ACTION_SKIPPED;
        v.reason = s_format("role '%s' is only possibly orphaned (weak evidence); include it "
                            "with --include-possible",
                            role->name);
    }
    return v;
}

static bool s_role_input_ok(const struct cpw_plan_role_input *role)
{
    return role && role->name && *role->name && s_is_account_id(role->account);
}

int cpw_plan_builder_add_orphan_role(struct cpw_plan_builder *b,
                                     const struct cpw_plan_role_input *role)
{
    if (!b || b->spent) {
        return cpw_raise(CPW_ERR_INVALID_ARGUMENT, "the plan builder is already finished");
    }
    if (!s_role_input_ok(role)) {
        return cpw_raise(CPW_ERR_INVALID_ARGUMENT, "a role needs a name and a 12-digit account");
    }
    b->roles = cpw_realloc(b->roles, (b->role_count + 1) * sizeof(*b->roles));
    struct owned_role *copy = &b->roles[b->role_count++];
    memset(copy, 0, sizeof(*copy));
    copy->input = *role;
    copy->input.account = cpw_strdup(role->account);
    copy->input.name = cpw_strdup(role->name);
    copy->input.arn = s_dup_or_null(role->arn);
    copy->input.linked_resource = s_dup_or_null(role->linked_resource);
    copy->input.last_used = s_dup_or_null(role->last_used);
    copy->tags = cpw_calloc(role->tag_count ? role->tag_count : 1, sizeof(*copy->tags));
    for (size_t i = 0; i < role->tag_count; i++) {
        copy->tags[i].key = cpw_strdup(role->tags[i].key ? role->tags[i].key : "");
        copy->tags[i].value = cpw_strdup(role->tags[i].value ? role->tags[i].value : "");
    }
    copy->input.tags = copy->tags;
    return 0;
}

static void s_domain_facts(struct cpw_plan_action *a, const struct cpw_plan_domain_input *d)
{
    s_fact(a, "domain.arn", "%s", s_or(d->arn, ""));
    s_fact(a, "domain.exists", "true");
    if (d->profile_count_known) {
        s_fact(a, "domain.profile_count", "%llu", (unsigned long long)d->profile_count);
    } else {
        s_fact(a, "domain.profile_count", "unknown");
    }
    s_fact(a, "domain.object_count", "%llu", (unsigned long long)d->object_count);
    s_fact(a, "domain.integration_count", "%zu", d->integration_count);
    s_fact(a, "domain.object_type_count", "%llu", (unsigned long long)d->object_type_count);
    s_fact(a, "domain.event_stream_count", "%llu", (unsigned long long)d->event_stream_count);
    s_fact(a, "domain.calculated_attribute_count", "%llu",
           (unsigned long long)d->calculated_attribute_count);
    for (size_t i = 0; i < d->instance_count; i++) {
        char key[1200];
        snprintf(key, sizeof(key), "instance.%s.status", s_or(d->instances[i].arn, "?"));
        s_fact(a, key, "%s", s_or(d->instances[i].status, "UNKNOWN"));
    }
}

static void s_domain_checklist(struct cpw_plan_builder *b,
                               const struct cpw_plan_domain_input *d,
                               const struct verdict *domain_verdict,
                               const char *protect_reason,
                               const char *active_arn,
                               size_t active_count,
                               const char *backup_id)
{
    struct cpw_plan *plan = b->plan;
    plan->checklists =
      cpw_realloc(plan->checklists, (plan->checklist_count + 1) * sizeof(*plan->checklists));
    struct cpw_plan_checklist *list = &plan->checklists[plan->checklist_count++];
    memset(list, 0, sizeof(*list));
    list->account = cpw_strdup(d->account);
    list->region = cpw_strdup(d->region);
    list->domain = cpw_strdup(d->name);

    s_check(list, "domain-identified", "Domain identified", CPW_PLAN_CHECK_PASS,
            s_format("%s in account %s, region %s (%s)", d->name, d->account, d->region,
                     s_or(d->arn, "ARN unknown")));
    s_check(list, "protection-checked", "Protections checked",
            protect_reason ? CPW_PLAN_CHECK_FAIL : CPW_PLAN_CHECK_PASS,
            protect_reason ? s_format("protected: %s", protect_reason)
                           : s_format("no protection rule matches"));
    if (active_count) {
        s_check(list, "instances-checked", "Associated instances checked (none ACTIVE)",
                CPW_PLAN_CHECK_FAIL,
                s_format("%zu ACTIVE instance(s) use the domain, e.g. %s%s", active_count,
                         active_arn, plan->force ? " (forced)" : ""));
    } else {
        s_check(list, "instances-checked", "Associated instances checked (none ACTIVE)",
                CPW_PLAN_CHECK_PASS,
                s_format("no ACTIVE instance uses the domain (%zu linked instance(s))",
                         d->instance_count));
    }
    if (d->profile_count_known) {
        s_check(list, "profile-count-recorded", "Profile count recorded", CPW_PLAN_CHECK_PASS,
                s_format("%llu profile(s), %llu object(s)", (unsigned long long)d->profile_count,
                         (unsigned long long)d->object_count));
    } else {
        s_check(list, "profile-count-recorded", "Profile count recorded", CPW_PLAN_CHECK_PENDING,
                s_format("the profile count could not be read"));
    }
    s_check(list, "resources-counted",
            "Integrations, object types, event streams, calculated attributes counted",
            CPW_PLAN_CHECK_PASS,
            s_format("%zu integration(s), %llu object type(s), %llu event stream(s), %llu "
                     "calculated attribute(s)",
                     d->integration_count, (unsigned long long)d->object_type_count,
                     (unsigned long long)d->event_stream_count,
                     (unsigned long long)d->calculated_attribute_count));
    s_check(list, "backup-planned", "Backup planned",
            domain_verdict->status == CPW_PLAN_ACTION_PLANNED ? CPW_PLAN_CHECK_PASS
                                                              : CPW_PLAN_CHECK_PENDING,
            domain_verdict->status == CPW_PLAN_ACTION_PLANNED
              ? s_format("backup-domain action %s runs before any deletion", backup_id)
              : s_format("no backup: the domain is %s",
                         cpw_plan_action_status_name(domain_verdict->status)));
    if (d->role) {
        s_check(list, "role-identified", "Service-linked role identified", CPW_PLAN_CHECK_PASS,
                s_format("%s", s_or(d->role->arn, d->role->name)));
    } else {
        s_check(list, "role-identified", "Service-linked role identified", CPW_PLAN_CHECK_PENDING,
                s_format("no AWSServiceRoleForProfile_* role was linked to the domain"));
    }
    s_check(list, "permissions-checked", "SCP and permission check", CPW_PLAN_CHECK_PENDING,
            s_format("checked at apply time (and by cpwarden doctor)"));
}

int cpw_plan_builder_add_domain(struct cpw_plan_builder *b, const struct cpw_plan_domain_input *d)
{
    if (!b || b->spent) {
        return cpw_raise(CPW_ERR_INVALID_ARGUMENT, "the plan builder is already finished");
    }
    if (!d || !s_is_account_id(d->account) || !d->region || !*d->region || !d->name || !*d->name) {
        return cpw_raise(CPW_ERR_INVALID_ARGUMENT,
                         "a domain needs a 12-digit account, a region and a name");
    }
    if (d->role && !s_role_input_ok(d->role)) {
        return cpw_raise(CPW_ERR_INVALID_ARGUMENT, "the domain's role needs a name and account");
    }
    struct verdict v = { CPW_PLAN_ACTION_PLANNED, NULL };
    char *protect_reason = NULL;
    size_t active_count = 0;
    const char *active_arn = NULL;
    for (size_t i = 0; i < d->instance_count; i++) {
        if (d->instances[i].status && strcmp(d->instances[i].status, "ACTIVE") == 0) {
            active_arn = active_arn ? active_arn : s_or(d->instances[i].arn, "(unknown)");
            active_count++;
        }
    }
    if (cpw_protect_check(b->protect, d->account, CPW_PROTECT_DOMAIN, d->name, d->tags,
                          d->tag_count, &protect_reason) == CPW_PROTECT_PROTECTED) {
        v.status = CPW_PLAN_ACTION_SKIPPED;
        v.reason = cpw_strdup(protect_reason);
    } else if (active_count && !b->plan->force) {
        v.status = CPW_PLAN_ACTION_REFUSED;
        v.reason = s_format("domain '%s' is used by ACTIVE Connect instance %s; deleting it "
                            "would break that instance (use --force to override)",
                            d->name, active_arn);
    }

    struct action_list *list = &b->actions;
    struct cpw_plan_action *backup =
      s_add_action(list, CPW_PLAN_BACKUP_DOMAIN, &v, d->account, d->region, d->arn, d->name);
    s_pre(backup, "domain %s exists in %s/%s", d->name, d->account, d->region);
    if (d->profile_count_known) {
        s_pre(backup, "profile count %llu", (unsigned long long)d->profile_count);
    }
    s_domain_facts(backup, d);
    char *backup_id = cpw_strdup(backup->id);

    char **integration_ids = NULL;
    size_t integration_id_count = 0;
    for (size_t i = 0; i < d->integration_count; i++) {
        const struct cpw_plan_integration_input *in = &d->integrations[i];
        if (!in->dangling) {
            continue;
        }
        struct cpw_plan_action *del = s_add_action(list, CPW_PLAN_DELETE_INTEGRATION, &v,
                                                   d->account, d->region, d->arn, in->uri);
        s_dep(del, backup_id);
        s_pre(del, "integration target %s no longer exists", s_or(in->uri, "(unknown)"));
        s_fact(del, "integration.uri", "%s", s_or(in->uri, ""));
        s_fact(del, "integration.object_type", "%s", s_or(in->object_type_name, ""));
        s_fact(del, "integration.target_exists", "false");
        s_fact(del, "domain.arn", "%s", s_or(d->arn, ""));
        del->impact.integrations = 1;
        cpw_plan_strv_push(&integration_ids, &integration_id_count, del->id);
    }

    struct cpw_plan_action *del =
      s_add_action(list, CPW_PLAN_DELETE_DOMAIN, &v, d->account, d->region, d->arn, d->name);
    s_dep(del, backup_id);
    for (size_t i = 0; i < integration_id_count; i++) {
        s_dep(del, integration_ids[i]);
    }
    if (active_count) {
        s_pre(del, "%zu ACTIVE instance(s) use the domain, e.g. %s%s", active_count, active_arn,
              b->plan->force ? " (forced)" : "");
    } else {
        s_pre(del, "no ACTIVE instance uses the domain");
    }
    if (d->profile_count_known) {
        s_pre(del, "profile count %llu", (unsigned long long)d->profile_count);
    } else {
        s_pre(del, "profile count unknown");
    }
    s_pre(del, "backup %s completed and verified", backup_id);
    s_domain_facts(del, d);
    del->impact = (struct cpw_plan_impact){
        .profiles = d->profile_count,
        .objects = d->object_count,
        .integrations = d->integration_count - integration_id_count, /* the rest go first */
        .object_types = d->object_type_count,
        .event_streams = d->event_stream_count,
        .calculated_attributes = d->calculated_attribute_count,
    };
    for (int k = CPW_BACKUP_CALCULATED_ATTRIBUTES + 1;
         d->configuration_counts && k < CPW_BACKUP_SECTION_COUNT_; k++) {
        del->impact.configuration[k] = d->configuration_counts[k];
    }
    char *del_id = cpw_strdup(del->id);

    struct cpw_plan_action *verify =
      s_add_action(list, CPW_PLAN_VERIFY_DOMAIN_GONE, &v, d->account, d->region, d->arn, d->name);
    s_dep(verify, del_id);
    s_pre(verify, "DeleteDomain of %s answered 200", d->name);
    s_fact(verify, "domain.arn", "%s", s_or(d->arn, ""));
    char *verify_id = cpw_strdup(verify->id);

    if (d->role) {
        struct verdict rv = s_role_verdict(b, d->role, &v);
        struct cpw_plan_action *wait = s_add_action(
          list, CPW_PLAN_WAIT_ROLE_GONE, &rv, d->role->account, "", d->role->arn, d->role->name);
        s_dep(wait, verify_id);
        s_pre(wait, "role %s exists; Customer Profiles deletes it after DeleteDomain",
              d->role->name);
        s_fact(wait, "role.arn", "%s", s_or(d->role->arn, ""));
        s_fact(wait, "role.exists", "true");
        s_fact(wait, "role.linked_resource", "%s", s_or(d->role->linked_resource, d->arn));
        char *wait_id = cpw_strdup(wait->id);
        s_role_chain(list, d->role, &rv, wait_id, false);
        cpw_free(wait_id);
        cpw_free(rv.reason);
    }

    s_domain_checklist(b, d, &v, protect_reason, active_arn, active_count, backup_id);
    cpw_plan_strv_free(integration_ids, integration_id_count);
    cpw_free(backup_id);
    cpw_free(del_id);
    cpw_free(verify_id);
    cpw_free(protect_reason);
    cpw_free(v.reason);
    return 0;
}

static int s_str_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

struct cpw_plan *cpw_plan_builder_finish(struct cpw_plan_builder *b)
{
    if (!b || b->spent) {
        cpw_raise(CPW_ERR_INVALID_ARGUMENT, "the plan builder is already finished");
        return NULL;
    }
    b->spent = true;
    for (size_t i = 0; i < b->role_count; i++) { /* orphan roles after every domain */
        struct verdict v = s_role_verdict(b, &b->roles[i].input, NULL);
        s_role_chain(&b->actions, &b->roles[i].input, &v, NULL, true);
        cpw_free(v.reason);
    }
    struct cpw_plan *plan = b->plan;
    plan->actions = b->actions.items;
    plan->action_count = b->actions.count;
    b->actions.items = NULL;
    b->actions.count = 0;
    for (size_t i = 0; i < plan->action_count; i++) {
        struct cpw_plan_action *a = &plan->actions[i];
        cpw_plan_sort_facts(a);
        if (a->status != CPW_PLAN_ACTION_PLANNED) {
            continue;
        }
        bool seen = false;
        for (size_t k = 0; k < plan->account_count; k++) {
            seen = seen || strcmp(plan->accounts[k], a->account) == 0;
        }
        if (!seen) {
            cpw_plan_strv_push(&plan->accounts, &plan->account_count, a->account);
        }
    }
    if (plan->account_count > 1) {
        qsort(plan->accounts, plan->account_count, sizeof(*plan->accounts), s_str_cmp);
    }
    if (cpw_plan_compute_fingerprint(plan, plan->fingerprint)) {
        return NULL; /* the plan stays with the builder and goes with it */
    }
    b->plan = NULL;
    return plan;
}
