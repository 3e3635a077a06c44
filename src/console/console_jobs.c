/*
 * console_jobs.c - what the console does with AWS, one at a time: a scan (cpw_collect_inventory,
 * saved as a snapshot as `cpwarden inventory` saves it), a plan (cpw_plan_make over the latest
 * inventory and the selected findings, written as `cpwarden plan -o` writes it) and an apply
 * (cpw_apply_file, as `cpwarden apply`), and the server-sent event streams that follow scans and
 * applies as they happen.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "console_internal.h"
#include "cpw/alloc.h"
#include "cpw/apply_file.h"
#include "cpw/crypto.h"
#include "cpw/error.h"
#include "cpw/inventory_collect.h"
#include "cpw/json.h"
#include "cpw/lock.h"
#include "cpw/plan_make.h"
#include "cpw/time.h"

#define BODY_MAX (1024u * 1024u)
#define MAX_IDS  1000

/* ----- jobs and their events ---------------------------------------------------------------- */

/* Appends an event (data taken) to job and wakes the streams. */
static void s_event(struct console_job *job, const char *name, json_t *data)
{
    struct cpw_buf text;
    cpw_buf_init(&text, 16u * 1024u * 1024u);
    (void)cpw_buf_appendf(&text, "event: %s\ndata: ", name);
    if (!data || cpw_json_dump(data, &text)) {
        (void)cpw_buf_append_cstr(&text, "{}");
    }
    (void)cpw_buf_append_cstr(&text, "\n\n");
    cpw_json_release(data);
    struct cpw_console *c = job->console;
    pthread_mutex_lock(&c->lock);
    if (job->count < CONSOLE_MAX_EVENTS) {
        if (job->count == job->cap) {
            job->cap = job->cap ? job->cap * 2 : 16;
            job->events = cpw_realloc(job->events, job->cap * sizeof(*job->events));
        }
        job->events[job->count++] = cpw_buf_detach(&text);
    }
    pthread_cond_broadcast(&c->changed);
    pthread_mutex_unlock(&c->lock);
    cpw_buf_clean_up(&text);
}

/* Ends the job: no more events, the AWS client free again. */
static void s_finish(struct console_job *job)
{
    struct cpw_console *c = job->console;
    pthread_mutex_lock(&c->lock);
    job->finished = true;
    c->busy = false;
    pthread_cond_broadcast(&c->changed);
    pthread_mutex_unlock(&c->lock);
}

/* A new job registered (under the lock, busy taken), or NULL with the answer made. */
static struct console_job *s_job_new(struct console_req *r, bool apply)
{
    struct cpw_console *c = r->console;
    struct console_job *job = NULL;
    pthread_mutex_lock(&c->lock);
    if (!c->opts.client) {
        pthread_mutex_unlock(&c->lock);
        console_error(r, 503, "NoClient", "this console has no AWS client");
        return NULL;
    }
    if (c->busy || c->stopping) {
        pthread_mutex_unlock(&c->lock);
        console_error(r, 409, apply ? "Locked" : "Busy",
                      "a scan, plan or apply is running; try again when it is done");
        return NULL;
    }
    if (c->job_count == CONSOLE_MAX_JOBS) {
        pthread_mutex_unlock(&c->lock);
        console_error(r, 503, "TooManyJobs", "restart the console");
        return NULL;
    }
    job = cpw_calloc(1, sizeof(*job));
    job->console = c;
    job->apply = apply;
    snprintf(job->id, sizeof(job->id), "%s-%u", apply ? "run" : "scan",
             apply ? ++c->next_run : ++c->next_scan);
    c->jobs[c->job_count++] = job;
    c->busy = true;
    pthread_mutex_unlock(&c->lock);
    return job;
}

static void s_job_free(struct console_job *job)
{
    for (size_t i = 0; i < job->count; i++) {
        cpw_free(job->events[i]);
    }
    cpw_free(job->events);
    cpw_free(job->plan_path);
    cpw_free(job->plan_name);
    if (job->confirmation) {
        cpw_secure_zero(job->confirmation, strlen(job->confirmation));
    }
    cpw_free(job->confirmation);
    for (size_t i = 0; i < job->region_count; i++) {
        cpw_free(job->regions[i]);
    }
    cpw_free(job->regions);
    cpw_free(job);
}

void console_jobs_clean_up(struct cpw_console *c)
{
    for (size_t i = 0; i < c->job_count; i++) {
        if (c->jobs[i]->thread_started) {
            pthread_join(c->jobs[i]->thread, NULL);
        }
        s_job_free(c->jobs[i]);
        c->jobs[i] = NULL;
    }
    c->job_count = 0;
}

static void s_start(struct console_req *r, struct console_job *job, void *(*fn)(void *))
{
    if (pthread_create(&job->thread, NULL, fn, job) != 0) {
        s_event(job, "error", json_pack("{s:s}", "message", "cannot start a thread"));
        s_finish(job);
        console_error(r, 500, "InternalError", "cannot start a thread");
        return;
    }
    job->thread_started = true;
    console_bytes(r, 202, "application/json", cpw_span_from_cstr(""), NULL);
}

/* The JSON body of a POST (an object), or NULL with the answer made. */
static json_t *s_body(struct console_req *r, bool optional)
{
    const struct cpw_buf *body = &r->exchange->request->body;
    if (body->len == 0 && optional) {
        return json_object();
    }
    json_t *doc = NULL;
    if (cpw_json_load(cpw_buf_span(body), BODY_MAX, &doc) || !json_is_object(doc)) {
        cpw_json_release(doc);
        cpw_error_clear();
        console_error(r, 400, "InvalidBody", "the body must be a JSON object");
        return NULL;
    }
    return doc;
}

/* ----- scan --------------------------------------------------------------------------------- */

static void s_scan_progress(void *user, const struct cpw_collect_progress *p)
{
    struct console_job *job = user;
    char message[256];
    snprintf(message, sizeof(message),
             "accounts %zu/%zu, regions %zu/%zu, %llu requests, %zu scan errors", p->accounts_done,
             p->accounts_total, p->regions_done, p->regions_total, (unsigned long long)p->requests,
             p->scan_errors);
    s_event(job, "progress",
            json_pack("{s:I, s:I, s:n, s:n, s:s, s:b}", "done", (json_int_t)p->parts_done, "total",
                      (json_int_t)p->parts_total, "account", "region", "message", message,
                      "finished", p->finished));
}

/* What was scanned, in the words `cpwarden inventory` stores with a snapshot. */
static void s_scope(struct cpw_buf *out, const struct cpw_console *c, const struct console_job *job)
{
    (void)cpw_buf_appendf(out, "accounts=%s",
                          job->org                ? "org"
                          : c->opts.account_count ? ""
                                                  : "caller");
    for (size_t i = 0; !job->org && i < c->opts.account_count; i++) {
        (void)cpw_buf_appendf(out, "%s%s", i ? "," : "", c->opts.accounts[i]);
    }
    (void)cpw_buf_append_cstr(out, " regions=");
    for (size_t i = 0; i < job->region_count; i++) {
        (void)cpw_buf_appendf(out, "%s%s", i ? "," : "", job->regions[i]);
    }
}

static void *s_scan_thread(void *arg)
{
    struct console_job *job = arg;
    struct cpw_console *c = job->console;
    struct cpw_collect_options co = {
        .org = job->org,
        .role_name = c->opts.role_name,
        .accounts = c->opts.accounts,
        .account_count = c->opts.account_count,
        .exclude_accounts = c->opts.exclude_accounts,
        .exclude_count = c->opts.exclude_count,
        .regions = (const char *const *)job->regions,
        .region_count = job->region_count,
        .progress = s_scan_progress,
        .progress_user = job,
    };
    struct cpw_inventory *inv = cpw_inventory_new();
    struct cpw_collect_result result;
    struct cpw_buf scope;
    cpw_buf_init(&scope, 64u * 1024u);
    int64_t id = 0;
    if (cpw_collect_inventory(c->opts.client, &co, inv, &result)) {
        s_event(job, "error", json_pack("{s:s}", "message", cpw_last_error_detail()));
        cpw_inventory_destroy(inv);
    } else {
        s_scope(&scope, c, job);
        if (cpw_inventory_snapshot_save(c->store, inv, result.identity_arn, cpw_buf_cstr(&scope),
                                        &id)) {
            id = 0; /* the scan is still shown; it is not stored */
        }
        pthread_mutex_lock(&c->lock);
        cpw_inventory_destroy(c->inv);
        c->inv = inv;
        c->snapshot_id = id;
        pthread_mutex_unlock(&c->lock);
        s_event(job, "done",
                json_pack("{s:I, s:I}", "snapshot_id", (json_int_t)id, "scan_errors",
                          (json_int_t)result.scan_errors));
    }
    cpw_error_clear();
    cpw_collect_result_clean_up(&result);
    cpw_buf_clean_up(&scope);
    s_finish(job);
    return NULL;
}

void console_api_scan(struct console_req *r)
{
    struct cpw_console *c = r->console;
    json_t *body = s_body(r, true);
    if (!body) {
        return;
    }
    json_t *regions = cpw_json_get(body, "regions");
    json_t *org = cpw_json_get(body, "org");
    if ((regions && !json_is_array(regions)) || (org && !json_is_boolean(org)) ||
        json_array_size(regions) > 64) {
        cpw_json_release(body);
        console_error(r, 400, "InvalidBody", "regions is a list of region names, org a boolean");
        return;
    }
    size_t i;
    json_t *v;
    json_array_foreach(regions, i, v)
    {
        const char *s = json_string_value(v);
        bool known = false;
        for (size_t k = 0; s && k < c->opts.region_count; k++) {
            known = known || strcmp(c->opts.regions[k], s) == 0;
        }
        if (!known) {
            cpw_json_release(body);
            console_error(r, 400, "InvalidRegion", "a scan covers the console's regions only");
            return;
        }
    }
    struct console_job *job = s_job_new(r, false);
    if (!job) {
        cpw_json_release(body);
        return;
    }
    job->org = org ? json_is_true(org) : c->opts.org;
    size_t n = json_array_size(regions) ? json_array_size(regions) : c->opts.region_count;
    job->regions = cpw_calloc(n ? n : 1, sizeof(char *));
    for (size_t k = 0; k < n; k++) {
        job->regions[k] =
          cpw_strdup(json_array_size(regions) ? json_string_value(json_array_get(regions, k))
                                              : c->opts.regions[k]);
    }
    job->region_count = n;
    cpw_json_release(body);
    s_start(r, job, s_scan_thread);
    if (r->response->status == 202) {
        console_reply(r, json_pack("{s:s}", "scan_id", job->id), "scan");
        r->response->status = 202;
    }
}

/* ----- plan --------------------------------------------------------------------------------- */

static json_t *s_checklists(const struct cpw_plan *plan)
{
    json_t *list = json_array();
    for (size_t i = 0; i < plan->checklist_count; i++) {
        const struct cpw_plan_checklist *cl = &plan->checklists[i];
        json_t *items = json_array();
        for (size_t k = 0; k < cl->item_count; k++) {
            const struct cpw_plan_check *it = &cl->items[k];
            cpw_json_append_take(items,
                                 json_pack("{s:s, s:s, s:s, s:s}", "id", it->id, "label", it->label,
                                           "status", cpw_plan_check_status_name(it->status),
                                           "detail", it->detail ? it->detail : ""));
        }
        cpw_json_append_take(list,
                             json_pack("{s:s, s:s, s:s, s:o}", "account", cl->account, "region",
                                       cl->region, "domain", cl->domain, "items", items));
    }
    return list;
}

static json_t *s_impact(const struct cpw_plan *plan)
{
    struct cpw_plan_impact sum = { 0 };
    json_int_t planned = 0;
    json_int_t skipped = 0;
    json_int_t refused = 0;
    for (size_t i = 0; i < plan->action_count; i++) {
        const struct cpw_plan_action *a = &plan->actions[i];
        planned += a->status == CPW_PLAN_ACTION_PLANNED;
        skipped += a->status == CPW_PLAN_ACTION_SKIPPED;
        refused += a->status == CPW_PLAN_ACTION_REFUSED;
        if (a->status != CPW_PLAN_ACTION_PLANNED) {
            continue;
        }
        sum.profiles += a->impact.profiles;
        sum.objects += a->impact.objects;
        sum.integrations += a->impact.integrations;
        sum.object_types += a->impact.object_types;
        sum.event_streams += a->impact.event_streams;
        sum.calculated_attributes += a->impact.calculated_attributes;
    }
    return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "actions_planned", planned,
                     "actions_skipped", skipped, "actions_refused", refused, "profiles",
                     (json_int_t)sum.profiles, "objects", (json_int_t)sum.objects, "integrations",
                     (json_int_t)sum.integrations, "object_types", (json_int_t)sum.object_types,
                     "event_streams", (json_int_t)sum.event_streams, "calculated_attributes",
                     (json_int_t)sum.calculated_attributes);
}

/* Makes the plan of the selected findings; 0 or -1 with the answer made. */
static int s_make_plan(struct console_req *r, const char *const *ids, size_t n)
{
    struct cpw_console *c = r->console;
    pthread_mutex_lock(&c->lock);
    const struct cpw_inventory *inv = c->inv; /* replaced only by a scan, which we exclude */
    pthread_mutex_unlock(&c->lock);
    if (!inv) {
        console_error(r, 404, "NoScan", "no scan yet");
        return -1;
    }
    struct cpw_plan_make_options mo = {
        .inventory = inv,
        .finding_ids = ids,
        .finding_id_count = n,
        .org = c->opts.org,
        .accounts = c->opts.accounts,
        .account_count = c->opts.account_count,
        .role_name = c->opts.role_name,
        .client = c->opts.client,
        .client_options = c->opts.client_options,
        .region = c->opts.region,
        .account = c->opts.account,
        .caller_arn = c->opts.caller_arn,
        .protect = c->opts.protect,
    };
    struct cpw_plan *plan = cpw_plan_make(&mo);
    if (!plan) {
        bool nf = cpw_last_error() == CPW_ERR_NOT_FOUND;
        console_error(r, nf ? 404 : 502, nf ? "NotFound" : "PlanFailed", "%s",
                      cpw_last_error_detail());
        cpw_error_clear();
        return -1;
    }
    struct cpw_buf text;
    cpw_buf_init(&text, CPW_PLAN_MAX_BYTES);
    json_t *doc = NULL;
    int rc = cpw_plan_to_json(plan, &text);
    rc = rc ? rc : cpw_json_load(cpw_buf_span(&text), CPW_PLAN_MAX_BYTES, &doc);
    char name[128] = "";
    if (rc == 0) {
        const char *sum = cpw_json_get_string(doc, "checksum");
        char stamp[32] = "";
        snprintf(stamp, sizeof(stamp), "%s", plan->created_at ? plan->created_at : "");
        size_t k = 0;
        for (size_t i = 0; stamp[i]; i++) { /* 2026-12-05T01:02:03Z -> 20261205T010203Z */
            if (stamp[i] != '-' && stamp[i] != ':') {
                stamp[k++] = stamp[i];
            }
        }
        stamp[k] = '\0';
        snprintf(name, sizeof(name), "plan-%s-%.8s.json", stamp, sum ? sum : "00000000");
        struct cpw_buf path;
        cpw_buf_init(&path, 8192);
        (void)cpw_buf_appendf(&path, "%s/%s", cpw_buf_cstr(&c->plans_dir), name);
        rc = cpw_plan_write_file(plan, cpw_buf_cstr(&path)); /* 0600, as plan -o */
        cpw_buf_clean_up(&path);
    }
    if (rc) {
        console_error(r, 500, "InternalError", "cannot write the plan: %s",
                      cpw_last_error_detail());
        cpw_error_clear();
        cpw_json_release(doc);
    } else {
        json_t *answer = json_pack("{s:s, s:o, s:o, s:o}", "name", name, "plan", doc, "checklist",
                                   s_checklists(plan), "impact", s_impact(plan));
        console_reply(r, answer, "plan");
    }
    cpw_buf_clean_up(&text);
    cpw_plan_destroy(plan);
    return rc ? -1 : 0;
}

void console_api_plan(struct console_req *r)
{
    struct cpw_console *c = r->console;
    json_t *body = s_body(r, false);
    if (!body) {
        return;
    }
    json_t *list = cpw_json_get(body, "finding_ids");
    size_t n = json_array_size(list);
    if (!json_is_array(list) || n == 0 || n > MAX_IDS) {
        cpw_json_release(body);
        console_error(r, 400, "InvalidBody", "finding_ids lists the findings to plan");
        return;
    }
    const char **ids = cpw_calloc(n, sizeof(*ids));
    bool ok = true;
    for (size_t i = 0; i < n; i++) {
        ids[i] = json_string_value(json_array_get(list, i));
        ok = ok && ids[i];
    }
    if (!ok) {
        console_error(r, 400, "InvalidBody", "finding_ids are strings");
    } else {
        pthread_mutex_lock(&c->lock);
        bool mine = c->opts.client && !c->busy && !c->stopping;
        c->busy = c->busy || mine;
        bool no_client = !c->opts.client;
        pthread_mutex_unlock(&c->lock);
        if (!mine) {
            console_error(r, no_client ? 503 : 409, no_client ? "NoClient" : "Busy",
                          "a scan, plan or apply is running; try again when it is done");
        } else {
            (void)s_make_plan(r, ids, n);
            pthread_mutex_lock(&c->lock);
            c->busy = false;
            pthread_cond_broadcast(&c->changed);
            pthread_mutex_unlock(&c->lock);
        }
    }
    cpw_free((void *)ids);
    cpw_json_release(body);
}

/* ----- apply -------------------------------------------------------------------------------- */

static enum cpw_apply_answer s_ask(void *user, const char *prompt, char *line, size_t cap)
{
    struct console_job *job = user;
    (void)prompt; /* the page showed it (GET /api/plans/NAME/confirmation) */
    snprintf(line, cap, "%s", job->confirmation ? job->confirmation : "");
    return CPW_APPLY_ANSWERED;
}

static void s_record(void *user, const struct cpw_apply_record *rec)
{
    struct console_job *job = user;
    s_event(job, "step",
            json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:s}", "step", rec->action->id, "action",
                      cpw_plan_action_kind_name(rec->action->kind), "resource", rec->target,
                      "status", rec->status, "message", rec->detail, "run_id",
                      (json_int_t)rec->run_id, "account", rec->action->account));
}

static void s_notice(void *user, const char *line)
{
    struct console_job *job = user;
    s_event(job, "notice", json_pack("{s:s}", "message", line));
}

static void *s_apply_thread(void *arg)
{
    struct console_job *job = arg;
    struct cpw_console *c = job->console;
    struct cpw_apply_file_options ao = {
        .plan_path = job->plan_path,
        .state_dir = cpw_buf_cstr(&c->state_dir),
        .ask = s_ask,
        .ask_user = job,
        .client = c->opts.client,
        .client_options = c->opts.client_options,
        .retry_mode_configured = c->opts.retry_mode_configured,
        .account = c->opts.account,
        .caller_arn = c->opts.caller_arn,
        .protect = c->opts.protect,
        .run = c->opts.run,
    };
    ao.run.record = s_record;
    ao.run.record_user = job;
    ao.run.notice = s_notice;
    ao.run.notice_user = job;
    ao.run.progress = NULL;
    struct cpw_apply_file_result result;
    int rc = cpw_apply_file(&ao, &result);
    const struct cpw_apply_report *rep = result.report;
    const char *outcome = rc             ? (result.exit == CPW_EXIT_REFUSED ? "refused" : "error")
                          : !rep         ? "error"
                          : rep->failed  ? "failed"
                          : rep->refused ? "refused"
                                         : "completed";
    json_t *done = json_pack("{s:s, s:i, s:I}", "outcome", outcome, "exit_code", (int)result.exit,
                             "run_id", (json_int_t)(rep ? rep->run_id : 0));
    if (rc) {
        struct cpw_buf msg;
        cpw_buf_init(&msg, 64u * 1024u);
        (void)cpw_buf_appendf(&msg, "%s%s%s", result.context ? result.context : "",
                              result.context ? ": " : "", cpw_last_error_detail());
        cpw_json_set_take(done, "message", json_string(cpw_buf_cstr(&msg)));
        s_event(job, "error", json_pack("{s:s}", "message", cpw_buf_cstr(&msg)));
        cpw_buf_clean_up(&msg);
    } else if (rep) {
        cpw_json_set_take(done, "failed", json_integer((json_int_t)rep->failed));
        cpw_json_set_take(done, "refused", json_integer((json_int_t)rep->refused));
        cpw_json_set_take(done, "executed", json_integer((json_int_t)rep->executed));
    }
    s_event(job, "done", done);
    cpw_error_clear();
    cpw_apply_file_result_clean_up(&result);
    s_finish(job);
    return NULL;
}

/* 0 when no other process holds the plan's lock or an account's lock; else the answer 409. */
static int s_probe_locks(struct console_req *r, const struct cpw_plan *plan, const char *checksum)
{
    struct cpw_buf dir;
    cpw_buf_init(&dir, 8192);
    (void)cpw_buf_appendf(&dir, "%s/locks", cpw_buf_cstr(&r->console->state_dir));
    char name[96];
    snprintf(name, sizeof(name), "plan-%.64s", checksum);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i <= plan->account_count; i++) {
        if (i > 0) {
            snprintf(name, sizeof(name), "account-%.40s", plan->accounts[i - 1]);
        }
        struct cpw_lock *lock = cpw_lock_acquire(cpw_buf_cstr(&dir), name, "probe", NULL);
        if (!lock && cpw_last_error() == CPW_ERR_LOCKED) {
            console_error(r, 409, "Locked", "%s", cpw_last_error_detail());
            rc = -1;
        }
        cpw_lock_release(lock);
        cpw_error_clear();
    }
    cpw_buf_clean_up(&dir);
    return rc;
}

void console_api_apply(struct console_req *r)
{
    struct cpw_console *c = r->console;
    json_t *body = s_body(r, false);
    if (!body) {
        return;
    }
    const char *name = cpw_json_get_string(body, "plan");
    const char *typed = cpw_json_get_string(body, "confirmation");
    struct cpw_buf path;
    struct cpw_buf text;
    cpw_buf_init(&path, 8192);
    cpw_buf_init(&text, CPW_PLAN_MAX_BYTES);
    struct cpw_plan *plan = NULL;
    json_t *doc = NULL;
    if (!name || !typed || !console_plan_name_ok(name)) {
        console_error(r, 400, "InvalidBody", "plan (a saved plan's name) and confirmation needed");
        goto done;
    }
    (void)cpw_buf_appendf(&path, "%s/%s", cpw_buf_cstr(&c->plans_dir), name);
    if (cpw_buf_read_regular_file(&text, cpw_buf_cstr(&path))) {
        cpw_error_clear();
        console_error(r, 404, "NotFound", "no plan %s", name);
        goto done;
    }
    struct cpw_plan_load_options lo = { .current_account = c->opts.account ? c->opts.account : "",
                                        .allow_other_accounts = true };
    plan = cpw_plan_load(cpw_buf_span(&text), &lo);
    if (!plan || cpw_json_load(cpw_buf_span(&text), CPW_PLAN_MAX_BYTES, &doc)) {
        console_error(r, 400, "InvalidPlan", "%s", cpw_last_error_detail());
        cpw_error_clear();
        goto done;
    }
    /* The check apply makes after its own (cpw_apply_file asks through s_ask and checks again). */
    size_t planned = 0;
    for (size_t i = 0; i < plan->action_count; i++) {
        planned += plan->actions[i].status == CPW_PLAN_ACTION_PLANNED;
    }
    if (planned && !cpw_apply_confirmation_accepts(plan, typed)) { /* nothing planned: no ask */
        console_error(r, 400, "ConfirmationMismatch",
                      "what was typed does not confirm the account(s) the plan acts in");
        goto done;
    }
    const char *checksum = cpw_json_get_string(doc, "checksum");
    if (s_probe_locks(r, plan, checksum ? checksum : "")) {
        goto done;
    }
    struct console_job *job = s_job_new(r, true);
    if (!job) {
        goto done;
    }
    job->plan_path = cpw_strdup(cpw_buf_cstr(&path));
    job->plan_name = cpw_strdup(name);
    job->confirmation = cpw_strdup(typed);
    s_start(r, job, s_apply_thread);
    if (r->response->status == 202) {
        console_reply(r, json_pack("{s:s}", "run_id", job->id), "apply");
        r->response->status = 202;
    }
done:
    cpw_plan_destroy(plan);
    cpw_json_release(doc);
    cpw_json_release(body);
    cpw_buf_clean_up(&path);
    cpw_buf_clean_up(&text);
}

/* ----- event streams ------------------------------------------------------------------------ */

struct stream {
    struct cpw_console *console;
    struct console_job *job;
    size_t next;   /* the next event to send */
    char *pending; /* what is left of the event being sent (owned copy) */
    size_t pos;
    size_t len;
};

static long s_stream_next(void *user, char *out, size_t cap)
{
    struct stream *s = user;
    struct cpw_console *c = s->console;
    if (!s->pending) {
        pthread_mutex_lock(&c->lock);
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += CONSOLE_STREAM_WAIT_MS / 1000;
        int waited = 0;
        while (s->next == s->job->count && !s->job->finished && !c->stopping && waited == 0) {
            waited = pthread_cond_timedwait(&c->changed, &c->lock, &until);
        }
        if (s->next < s->job->count) {
            s->pending = cpw_strdup(s->job->events[s->next++]);
        } else if (!s->job->finished && !c->stopping) {
            s->pending = cpw_strdup(": waiting\n\n"); /* a comment: the client is still there */
        }
        pthread_mutex_unlock(&c->lock);
        if (!s->pending) {
            return -1;
        }
        s->pos = 0;
        s->len = strlen(s->pending);
    }
    size_t n = s->len - s->pos < cap ? s->len - s->pos : cap;
    memcpy(out, s->pending + s->pos, n);
    s->pos += n;
    if (s->pos == s->len) {
        cpw_free(s->pending);
        s->pending = NULL;
    }
    return (long)n;
}

static void s_stream_release(void *user)
{
    struct stream *s = user;
    cpw_free(s->pending);
    cpw_free(s);
}

void console_api_events(struct console_req *r, const char *job_id, bool apply)
{
    struct cpw_console *c = r->console;
    struct console_job *job = NULL;
    pthread_mutex_lock(&c->lock);
    for (size_t i = 0; i < c->job_count && !job; i++) {
        job = c->jobs[i]->apply == apply && strcmp(c->jobs[i]->id, job_id) == 0 ? c->jobs[i] : NULL;
    }
    pthread_mutex_unlock(&c->lock);
    if (!job) {
        console_error(r, 404, "NotFound", "no such %s", apply ? "run" : "scan");
        return;
    }
    struct stream *s = cpw_calloc(1, sizeof(*s));
    s->console = c;
    s->job = job;
    r->exchange->stream->next = s_stream_next;
    r->exchange->stream->release = s_stream_release;
    r->exchange->stream->user = s;
    r->response->status = 200;
    cpw_headers_set(&r->response->headers, "Content-Type", "text/event-stream");
    cpw_headers_set(&r->response->headers, "X-Accel-Buffering", "no");
}
