/*
 * plan_core.c - the plan data structure: names, lookups, release, and the fingerprint over the
 * observed facts that makes a stale plan detectable.
 */
#include <stdlib.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/crypto.h"
#include "cpw/error.h"
#include "cpw/json.h"
#include "cpw/plan.h"
#include "plan_internal.h"

static const char *const s_kind_names[] = {
#define CPW_PLAN_KIND_NAME_(e, name) name,
    CPW_PLAN_ACTION_KIND_LIST(CPW_PLAN_KIND_NAME_)
#undef CPW_PLAN_KIND_NAME_
};

const char *cpw_plan_action_kind_name(enum cpw_plan_action_kind kind)
{
    if ((unsigned)kind >= CPW_PLAN_ACTION_KIND_COUNT_) {
        return "unknown";
    }
    return s_kind_names[kind];
}

int cpw_plan_action_kind_parse(const char *name, enum cpw_plan_action_kind *out)
{
    for (unsigned i = 0; i < CPW_PLAN_ACTION_KIND_COUNT_; i++) {
        if (name && strcmp(name, s_kind_names[i]) == 0) {
            *out = (enum cpw_plan_action_kind)i;
            return 0;
        }
    }
    return cpw_raise(CPW_ERR_PARSE, "unknown action kind '%s'", name ? name : "");
}

const char *cpw_plan_action_status_name(enum cpw_plan_action_status status)
{
    switch (status) {
    case CPW_PLAN_ACTION_PLANNED:
        return "planned";
    case CPW_PLAN_ACTION_SKIPPED:
        return "skipped";
    case CPW_PLAN_ACTION_REFUSED:
        return "refused";
    }
    return "unknown";
}

const char *cpw_plan_check_status_name(enum cpw_plan_check_status status)
{
    switch (status) {
    case CPW_PLAN_CHECK_PASS:
        return "pass";
    case CPW_PLAN_CHECK_FAIL:
        return "fail";
    case CPW_PLAN_CHECK_PENDING:
        return "pending";
    }
    return "unknown";
}

const struct cpw_plan_action *cpw_plan_find_action(const struct cpw_plan *plan, const char *id)
{
    for (size_t i = 0; plan && id && i < plan->action_count; i++) {
        if (strcmp(plan->actions[i].id, id) == 0) {
            return &plan->actions[i];
        }
    }
    return NULL;
}

const char *cpw_plan_action_fact(const struct cpw_plan_action *action, const char *key)
{
    for (size_t i = 0; action && key && i < action->fact_count; i++) {
        if (strcmp(action->facts[i].key, key) == 0) {
            return action->facts[i].value;
        }
    }
    return NULL;
}

void cpw_plan_strv_push(char ***v, size_t *n, const char *s)
{
    *v = cpw_realloc(*v, (*n + 1) * sizeof(**v));
    (*v)[*n] = cpw_strdup(s ? s : "");
    (*n)++;
}

void cpw_plan_strv_free(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        cpw_free(v[i]);
    }
    cpw_free(v);
}

void cpw_plan_action_clean_up(struct cpw_plan_action *action)
{
    cpw_free(action->id);
    cpw_free(action->reason);
    cpw_free(action->account);
    cpw_free(action->region);
    cpw_free(action->arn);
    cpw_free(action->name);
    cpw_plan_strv_free(action->depends_on, action->depends_on_count);
    cpw_plan_strv_free(action->preconditions, action->precondition_count);
    for (size_t i = 0; i < action->fact_count; i++) {
        cpw_free(action->facts[i].key);
        cpw_free(action->facts[i].value);
    }
    cpw_free(action->facts);
    memset(action, 0, sizeof(*action));
}

void cpw_plan_checklist_clean_up(struct cpw_plan_checklist *list)
{
    cpw_free(list->account);
    cpw_free(list->region);
    cpw_free(list->domain);
    for (size_t i = 0; i < list->item_count; i++) {
        cpw_free(list->items[i].id);
        cpw_free(list->items[i].label);
        cpw_free(list->items[i].detail);
    }
    cpw_free(list->items);
    memset(list, 0, sizeof(*list));
}

void cpw_plan_destroy(struct cpw_plan *plan)
{
    if (!plan) {
        return;
    }
    cpw_free(plan->created_at);
    cpw_free(plan->caller_account);
    cpw_free(plan->caller_arn);
    cpw_free(plan->role_name);
    cpw_plan_strv_free(plan->accounts, plan->account_count);
    for (size_t i = 0; i < plan->checklist_count; i++) {
        cpw_plan_checklist_clean_up(&plan->checklists[i]);
    }
    cpw_free(plan->checklists);
    for (size_t i = 0; i < plan->action_count; i++) {
        cpw_plan_action_clean_up(&plan->actions[i]);
    }
    cpw_free(plan->actions);
    cpw_free(plan);
}

static int s_str_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int s_fact_cmp(const void *a, const void *b)
{
    const struct cpw_plan_fact *fa = a;
    const struct cpw_plan_fact *fb = b;
    return strcmp(fa->key, fb->key);
}

void cpw_plan_sort_facts(struct cpw_plan_action *action)
{
    if (action->fact_count > 1) {
        qsort(action->facts, action->fact_count, sizeof(*action->facts), s_fact_cmp);
    }
}

int cpw_plan_canonical_json(const json_t *doc, struct cpw_buf *out)
{
    if (cpw_json_dump_with(doc, CPW_JSON_DUMP_COMPACT | CPW_JSON_DUMP_SORT_KEYS, out) != 0) {
        return cpw_raise(CPW_ERR_LIMIT, "cannot serialize the document (%zu bytes max)", out->max);
    }
    return 0;
}

int cpw_plan_sha256_hex(struct cpw_span bytes, char out[CPW_SHA256_HEX_LEN + 1])
{
    uint8_t digest[CPW_SHA256_LEN];
    if (cpw_sha256(bytes, digest)) {
        return -1;
    }
    cpw_hex_encode_to(out, digest, sizeof(digest));
    return 0;
}

/* Fingerprint input: [{"account","arn","facts":{k:v},"id","kind","name","region"}, ...] in
 * action order, serialized canonically. */
int cpw_plan_compute_fingerprint(const struct cpw_plan *plan, char out[CPW_SHA256_HEX_LEN + 1])
{
    json_t *list = json_array();
    for (size_t i = 0; i < plan->action_count; i++) {
        const struct cpw_plan_action *a = &plan->actions[i];
        json_t *facts = json_object();
        for (size_t f = 0; f < a->fact_count; f++) {
            json_object_set_new(facts, a->facts[f].key, json_string(a->facts[f].value));
        }
        json_t *item =
          json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o}", "id", a->id, "kind",
                    cpw_plan_action_kind_name(a->kind), "account", a->account, "region", a->region,
                    "arn", a->arn, "name", a->name, "facts", facts);
        if (!item || json_object_size(facts) != a->fact_count) {
            json_decref(item);
            json_decref(list);
            return cpw_raise(CPW_ERR_INVALID_ARGUMENT,
                             "action %s holds text that is not valid UTF-8", a->id);
        }
        json_array_append_new(list, item);
    }
    struct cpw_buf text;
    cpw_buf_init(&text, CPW_PLAN_MAX_BYTES);
    int rc = cpw_plan_canonical_json(list, &text);
    if (rc == 0) {
        rc = cpw_plan_sha256_hex(cpw_buf_span(&text), out);
    }
    cpw_buf_clean_up(&text);
    json_decref(list);
    return rc;
}

static bool s_same_target(const struct cpw_plan_action *a, const struct cpw_plan_action *b)
{
    return a->kind == b->kind && strcmp(a->account, b->account) == 0 &&
           strcmp(a->region, b->region) == 0 && strcmp(a->arn, b->arn) == 0 &&
           strcmp(a->name, b->name) == 0;
}

/* The first fact of `was` that `now` lacks or holds differently, raised as the stale detail. */
static int s_fact_difference(const struct cpw_plan_action *was, const struct cpw_plan_action *now)
{
    for (size_t i = 0; i < was->fact_count; i++) {
        const char *value = cpw_plan_action_fact(now, was->facts[i].key);
        if (!value || strcmp(value, was->facts[i].value) != 0) {
            return cpw_raise(CPW_ERR_STALE_PLAN, "%s %s %s: %s was %s, is now %s", was->id,
                             cpw_plan_action_kind_name(was->kind), was->name, was->facts[i].key,
                             was->facts[i].value, value ? value : "not observed");
        }
    }
    for (size_t i = 0; i < now->fact_count; i++) {
        if (!cpw_plan_action_fact(was, now->facts[i].key)) {
            return cpw_raise(CPW_ERR_STALE_PLAN, "%s %s %s: %s is new (now %s)", was->id,
                             cpw_plan_action_kind_name(was->kind), was->name, now->facts[i].key,
                             now->facts[i].value);
        }
    }
    return 0;
}

int cpw_plan_check_fresh(const struct cpw_plan *saved, const struct cpw_plan *live)
{
    if (strcmp(saved->fingerprint, live->fingerprint) == 0) {
        return 0;
    }
    size_t n = saved->action_count < live->action_count ? saved->action_count : live->action_count;
    for (size_t i = 0; i < n; i++) {
        const struct cpw_plan_action *was = &saved->actions[i];
        const struct cpw_plan_action *now = &live->actions[i];
        if (strcmp(was->id, now->id) != 0 || !s_same_target(was, now)) {
            return cpw_raise(CPW_ERR_STALE_PLAN,
                             "%s %s %s: the live state now calls for %s %s %s instead", was->id,
                             cpw_plan_action_kind_name(was->kind), was->name, now->id,
                             cpw_plan_action_kind_name(now->kind), now->name);
        }
        if (s_fact_difference(was, now)) {
            return -1;
        }
    }
    if (saved->action_count > n) {
        const struct cpw_plan_action *was = &saved->actions[n];
        return cpw_raise(CPW_ERR_STALE_PLAN, "%s %s %s: no longer called for by the live state",
                         was->id, cpw_plan_action_kind_name(was->kind), was->name);
    }
    if (live->action_count > n) {
        const struct cpw_plan_action *now = &live->actions[n];
        return cpw_raise(CPW_ERR_STALE_PLAN, "the live state now also calls for %s %s",
                         cpw_plan_action_kind_name(now->kind), now->name);
    }
    return cpw_raise(CPW_ERR_STALE_PLAN, "the observed facts differ from the plan's");
}

/* The sorted, distinct accounts of the planned actions, into *v (owned strings). */
static void s_derived_accounts(const struct cpw_plan *plan, char ***v, size_t *n)
{
    for (size_t i = 0; i < plan->action_count; i++) {
        const struct cpw_plan_action *a = &plan->actions[i];
        bool seen = a->status != CPW_PLAN_ACTION_PLANNED;
        for (size_t k = 0; !seen && k < *n; k++) {
            seen = strcmp((*v)[k], a->account) == 0;
        }
        if (!seen) {
            cpw_plan_strv_push(v, n, a->account);
        }
    }
    if (*n > 1) {
        qsort(*v, *n, sizeof(**v), s_str_cmp);
    }
}

static void s_join(char *const *v, size_t n, struct cpw_buf *out)
{
    if (n == 0) {
        (void)cpw_buf_append_cstr(out, "none");
    }
    for (size_t i = 0; i < n; i++) {
        (void)cpw_buf_appendf(out, "%s%s", i ? ", " : "", v[i]);
    }
}

int cpw_plan_verify_trust(const struct cpw_plan *plan,
                          const char *live_account,
                          bool allow_other_accounts)
{
    if (!plan || !live_account) {
        return cpw_raise(CPW_ERR_INVALID_ARGUMENT, "verifying a plan needs the plan and the "
                                                   "current account");
    }
    char **derived = NULL;
    size_t derived_count = 0;
    s_derived_accounts(plan, &derived, &derived_count);
    bool same = derived_count == plan->account_count;
    for (size_t i = 0; same && i < derived_count; i++) {
        same = strcmp(derived[i], plan->accounts[i]) == 0;
    }
    int rc = 0;
    if (!same) {
        struct cpw_buf claimed;
        struct cpw_buf touched;
        cpw_buf_init(&claimed, 64u * 1024u);
        cpw_buf_init(&touched, 64u * 1024u);
        s_join(plan->accounts, plan->account_count, &claimed);
        s_join(derived, derived_count, &touched);
        rc = cpw_raise(CPW_ERR_INTEGRITY,
                       "plan: its \"accounts\" field says %s, but its planned actions touch %s: "
                       "the file was edited or is inconsistent; make a new plan",
                       cpw_buf_cstr(&claimed), cpw_buf_cstr(&touched));
        cpw_buf_clean_up(&claimed);
        cpw_buf_clean_up(&touched);
    }
    for (size_t i = 0; rc == 0 && !allow_other_accounts && i < plan->action_count; i++) {
        const struct cpw_plan_action *a = &plan->actions[i];
        if (a->status == CPW_PLAN_ACTION_PLANNED && strcmp(a->account, live_account) != 0) {
            rc = cpw_raise(CPW_ERR_WRONG_ACCOUNT,
                           "plan: action %s %s %s is in account %s, but the current identity is "
                           "in account %s; only an organization plan may act in other accounts",
                           a->id, cpw_plan_action_kind_name(a->kind), a->name, a->account,
                           live_account);
        }
    }
    cpw_plan_strv_free(derived, derived_count);
    return rc;
}
