/*
 * apply_steps.c - the AWS side of each kind of clean-up step: back up, delete, wait, poll and
 * verify, each idempotent (a resource already gone counts as done) so that a resumed run may
 * safely repeat the step that was interrupted.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "apply_internal.h"
#include "cpw/alloc.h"
#include "cpw/backup.h"
#include "cpw/backup_file.h"
#include "cpw/error.h"
#include "cpw/json.h"
#include "cpw/live.h"
#include "cpw/time.h"

#define POLL_CAP_MS  30000
#define TRAIL_SKEW_S 300 /* how far the local clock may be ahead of CloudTrail's */

void cpw_apply_sleep_ms(int64_t ms)
{
    if (ms <= 0) {
        return;
    }
    struct timespec ts = { .tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

void cpw_apply_progress(const struct cpw_apply_ctx *ctx, const char *fmt, ...)
{
    if (!ctx->opts->progress) {
        return;
    }
    struct cpw_buf line;
    cpw_buf_init(&line, 8192);
    va_list ap;
    va_start(ap, fmt);
    (void)cpw_buf_vappendf(&line, fmt, ap);
    va_end(ap);
    ctx->opts->progress(ctx->opts->progress_user, cpw_buf_cstr(&line));
    cpw_buf_clean_up(&line);
}

static struct cpw_aws_client *s_client(const struct cpw_apply_ctx *ctx)
{
    return ctx->opts->client;
}

/* The next poll delay: doubling from the configured interval up to 30 s (or the interval). */
static int64_t s_backoff(const struct cpw_apply_ctx *ctx, int64_t current)
{
    int64_t cap = ctx->poll_interval_ms > POLL_CAP_MS ? ctx->poll_interval_ms : POLL_CAP_MS;
    int64_t next = current * 2;
    return next > cap ? cap : next;
}

/* Sleeps the delay unless that passes the deadline; false when the deadline has passed. */
static bool s_wait_more(int64_t deadline_ms, int64_t delay_ms)
{
    int64_t now = cpw_time_monotonic_ms();
    if (now >= deadline_ms) {
        return false;
    }
    cpw_apply_sleep_ms(delay_ms < deadline_ms - now ? delay_ms : deadline_ms - now);
    return true;
}

static void s_wait_text(int64_t ms, char *out, size_t size)
{
    if (ms % 60000 == 0) {
        snprintf(out, size, "%lld min", (long long)(ms / 60000));
    } else if (ms % 1000 == 0) {
        snprintf(out, size, "%lld s", (long long)(ms / 1000));
    } else {
        snprintf(out, size, "%lld ms", (long long)ms);
    }
}

/* "arn:aws:profile:R:A:domains/NAME" -> NAME (borrowed from arn), or NULL. */
static const char *s_domain_from_arn(const char *arn)
{
    const char *p = arn ? strstr(arn, ":domains/") : NULL;
    return p && p[9] ? p + 9 : NULL;
}

static int s_mkdirs(const char *dir)
{
    char path[4096];
    if (snprintf(path, sizeof(path), "%s", dir) >= (int)sizeof(path)) {
        return cpw_raise(CPW_ERR_LIMIT, "backup directory path too long");
    }
    for (char *p = path + 1;; p++) {
        if (*p != '/' && *p != '\0') {
            continue;
        }
        char saved = *p;
        *p = '\0';
        if (mkdir(path, 0700) != 0 && errno != EEXIST) {
            return cpw_raise(CPW_ERR_IO, "cannot create directory %s: %s", path, strerror(errno));
        }
        *p = saved;
        if (saved == '\0') {
            break;
        }
    }
    return 0;
}

static enum cpw_apply_outcome s_backup(struct cpw_apply_ctx *ctx,
                                       const struct cpw_plan_action *a,
                                       struct cpw_buf *detail,
                                       char **data)
{
    struct cpw_buf path;
    cpw_buf_init(&path, 8192);
    enum cpw_apply_outcome outcome = CPW_APPLY_FAILED;
    char tag[64];
    snprintf(tag, sizeof(tag), "%s-plan%.12s", a->account, ctx->opts->plan_checksum);
    if (s_mkdirs(ctx->opts->backup_dir) ||
        cpw_backup_file_name(&path, ctx->opts->backup_dir, a->name, a->region, tag)) {
        (void)cpw_buf_appendf(detail, "cannot prepare the backup: %s", cpw_last_error_detail());
        goto cleanup;
    }
    struct cpw_backup_options bo = { .account = a->account,
                                     .source_identity = ctx->opts->caller_arn };
    struct cpw_backup_summary summary;
    memset(&summary, 0, sizeof(summary));
    if (cpw_backup_domain(s_client(ctx), a->region, a->name, cpw_buf_cstr(&path), &bo, &summary)) {
        if (cpw_last_error() == CPW_ERR_NOT_FOUND) {
            (void)cpw_buf_appendf(detail, "domain %s is already gone: nothing to back up", a->name);
            outcome = CPW_APPLY_ALREADY;
        } else {
            (void)cpw_buf_appendf(detail, "backup failed: %s", cpw_last_error_detail());
        }
        goto cleanup;
    }
    /* Read it back before anything is deleted: version, trailer and checksum must hold. */
    struct cpw_backup_reader *reader = cpw_backup_reader_open(cpw_buf_cstr(&path));
    if (!reader) {
        (void)cpw_buf_appendf(detail, "the backup does not read back: %s", cpw_last_error_detail());
        goto cleanup;
    }
    cpw_backup_reader_destroy(reader);
    const struct cpw_backup_counts counts = summary.counts;
    (void)cpw_buf_appendf(
      detail,
      "backed up to %s (verified; %llu profile(s), %llu object type(s), "
      "%llu integration(s), %llu event stream(s), %llu calculated "
      "attribute(s))",
      cpw_buf_cstr(&path), (unsigned long long)counts.profiles,
      (unsigned long long)counts.object_types, (unsigned long long)counts.integrations,
      (unsigned long long)counts.event_streams, (unsigned long long)counts.calculated_attributes);
    *data = cpw_buf_detach(&path);
    outcome = CPW_APPLY_DONE;
cleanup:
    cpw_buf_clean_up(&path);
    return outcome;
}

/* One call whose not-found answer means "already done". */
static enum cpw_apply_outcome s_delete_call(struct cpw_apply_ctx *ctx,
                                            const char *service,
                                            const char *operation,
                                            json_t *input,
                                            const char *region,
                                            struct cpw_buf *detail,
                                            json_t **out)
{
    bool exists = true;
    json_t *doc = NULL;
    if (cpw_live_call(s_client(ctx), service, operation, input, region, false, &doc, &exists)) {
        (void)cpw_buf_append_cstr(detail, cpw_last_error_detail());
        return CPW_APPLY_FAILED;
    }
    if (out) {
        *out = doc;
    } else {
        json_decref(doc);
    }
    return exists ? CPW_APPLY_DONE : CPW_APPLY_ALREADY;
}

static enum cpw_apply_outcome s_delete_integration(struct cpw_apply_ctx *ctx,
                                                   const struct cpw_plan_action *a,
                                                   struct cpw_buf *detail)
{
    const char *domain = s_domain_from_arn(a->arn);
    enum cpw_apply_outcome o = cpw_apply_precheck(ctx, a, detail);
    if (o != CPW_APPLY_DONE) {
        return o;
    }
    o = s_delete_call(ctx, "customer-profiles", "DeleteIntegration",
                      json_pack("{s:s,s:s}", "DomainName", domain, "Uri", a->name), a->region,
                      detail, NULL);
    if (o == CPW_APPLY_DONE) {
        (void)cpw_buf_appendf(detail, "integration %s deleted from %s", a->name, domain);
    } else if (o == CPW_APPLY_ALREADY) {
        (void)cpw_buf_appendf(detail, "integration %s was already gone", a->name);
    }
    return o;
}

static enum cpw_apply_outcome s_delete_domain(struct cpw_apply_ctx *ctx,
                                              const struct cpw_plan_action *a,
                                              struct cpw_buf *detail)
{
    for (int attempt = 1;; attempt++) {
        struct cpw_buf error;
        cpw_buf_init(&error, 8192);
        enum cpw_apply_outcome o = cpw_apply_precheck(ctx, a, &error); /* before every attempt */
        if (o == CPW_APPLY_REFUSED || o == CPW_APPLY_ALREADY) {
            (void)cpw_buf_append_cstr(detail, cpw_buf_cstr(&error));
            cpw_buf_clean_up(&error);
            return o;
        }
        if (o == CPW_APPLY_DONE) {
            o = s_delete_call(ctx, "customer-profiles", "DeleteDomain",
                              json_pack("{s:s}", "DomainName", a->name), a->region, &error, NULL);
        }
        if (o != CPW_APPLY_FAILED) {
            (void)cpw_buf_appendf(detail,
                                  o == CPW_APPLY_DONE ? "DeleteDomain %s succeeded (attempt %d)"
                                                      : "domain %s was already gone (attempt %d)",
                                  a->name, attempt);
            cpw_buf_clean_up(&error);
            return o;
        }
        if (attempt > ctx->max_retries) {
            (void)cpw_buf_appendf(detail, "DeleteDomain %s failed after %d attempt(s): %s", a->name,
                                  attempt, cpw_buf_cstr(&error));
            cpw_buf_clean_up(&error);
            return CPW_APPLY_FAILED;
        }
        char wait[32];
        s_wait_text(ctx->retry_interval_ms, wait, sizeof(wait));
        cpw_apply_progress(ctx, "%s: DeleteDomain failed (%s); retrying in %s", a->id,
                           cpw_buf_cstr(&error), wait);
        cpw_buf_clean_up(&error);
        cpw_apply_sleep_ms(ctx->retry_interval_ms);
    }
}

/* What a live read says of a resource that is being deleted. */
enum presence {
    PRESENCE_UNKNOWN, /* the read failed (detail written) */
    PRESENCE_PRESENT, /* it still exists */
    PRESENCE_GONE,    /* it no longer exists */
};

/* Gone once GetDomain answers not found and ListDomains no longer lists it. */
static enum presence s_domain_presence(struct cpw_apply_ctx *ctx,
                                       const struct cpw_plan_action *a,
                                       struct cpw_buf *detail)
{
    bool exists = true;
    json_t *doc = NULL;
    if (cpw_live_call(s_client(ctx), "customer-profiles", "GetDomain",
                      json_pack("{s:s}", "DomainName", a->name), a->region, false, &doc, &exists)) {
        (void)cpw_buf_append_cstr(detail, cpw_last_error_detail());
        return PRESENCE_UNKNOWN;
    }
    json_decref(doc);
    if (exists) {
        return PRESENCE_PRESENT;
    }
    if (cpw_live_call(s_client(ctx), "customer-profiles", "ListDomains", NULL, a->region, true,
                      &doc, NULL)) {
        (void)cpw_buf_append_cstr(detail, cpw_last_error_detail());
        return PRESENCE_UNKNOWN;
    }
    bool gone = true;
    size_t i;
    json_t *item;
    json_array_foreach(cpw_json_get(doc, "Items"), i, item)
    {
        const char *name = cpw_json_get_string(item, "DomainName");
        gone = gone && !(name && strcmp(name, a->name) == 0);
    }
    json_decref(doc);
    return gone ? PRESENCE_GONE : PRESENCE_PRESENT;
}

static enum cpw_apply_outcome s_verify_domain(struct cpw_apply_ctx *ctx,
                                              const struct cpw_plan_action *a,
                                              struct cpw_buf *detail)
{
    int64_t deadline = cpw_time_monotonic_ms() + ctx->wait_ms;
    int64_t delay = ctx->poll_interval_ms;
    for (;;) {
        enum presence presence = s_domain_presence(ctx, a, detail);
        if (presence == PRESENCE_UNKNOWN) {
            return CPW_APPLY_FAILED;
        }
        if (presence == PRESENCE_GONE) {
            (void)cpw_buf_appendf(detail,
                                  "GetDomain answers ResourceNotFoundException and ListDomains "
                                  "no longer lists %s",
                                  a->name);
            return CPW_APPLY_DONE;
        }
        if (!s_wait_more(deadline, delay)) {
            (void)cpw_buf_appendf(detail, "domain %s still exists after DeleteDomain", a->name);
            return CPW_APPLY_FAILED;
        }
        delay = s_backoff(ctx, delay);
    }
}

/* Gone once GetRole answers NoSuchEntity. */
static enum presence s_role_presence(struct cpw_apply_ctx *ctx,
                                     const char *name,
                                     struct cpw_buf *detail)
{
    bool exists = true;
    json_t *doc = NULL;
    if (cpw_live_call(s_client(ctx), "iam", "GetRole", json_pack("{s:s}", "RoleName", name), NULL,
                      false, &doc, &exists)) {
        (void)cpw_buf_append_cstr(detail, cpw_last_error_detail());
        return PRESENCE_UNKNOWN;
    }
    json_decref(doc);
    return exists ? PRESENCE_PRESENT : PRESENCE_GONE;
}

static enum cpw_apply_outcome s_wait_role(struct cpw_apply_ctx *ctx,
                                          const struct cpw_plan_action *a,
                                          struct cpw_buf *detail,
                                          char **data)
{
    int64_t deadline = cpw_time_monotonic_ms() + ctx->wait_ms;
    int64_t delay = ctx->poll_interval_ms;
    for (;;) {
        enum presence presence = s_role_presence(ctx, a->name, detail);
        if (presence == PRESENCE_UNKNOWN) {
            return CPW_APPLY_FAILED;
        }
        if (presence == PRESENCE_GONE) {
            (void)cpw_buf_appendf(detail, "Customer Profiles deleted role %s", a->name);
            *data = cpw_strdup("gone");
            return CPW_APPLY_DONE;
        }
        if (!s_wait_more(deadline, delay)) {
            char wait[32];
            s_wait_text(ctx->wait_ms, wait, sizeof(wait));
            (void)cpw_buf_appendf(detail,
                                  "role %s is still there after %s: it is deleted with "
                                  "DeleteServiceLinkedRole next",
                                  a->name, wait);
            *data = cpw_strdup("present");
            return CPW_APPLY_DONE;
        }
        delay = s_backoff(ctx, delay);
    }
}

/* The intent of action a that an earlier run left without a result, latest (last) or
 * earliest (first), or NULL. */
static const struct cpw_journal_interrupted *s_interrupted(const struct cpw_apply_ctx *ctx,
                                                           const struct cpw_plan_action *a,
                                                           bool last)
{
    const struct cpw_journal_interrupted *found = NULL;
    for (size_t i = 0; i < ctx->interrupted_count; i++) {
        if (strcmp(ctx->interrupted[i].action_id, a->id) == 0) {
            found = &ctx->interrupted[i];
            if (!last) {
                break;
            }
        }
    }
    return found;
}

/* The region whose CloudTrail holds IAM's events in the partition of arn. */
static const char *s_iam_trail_region(const char *arn)
{
    if (arn && strncmp(arn, "arn:aws-cn:", 11) == 0) {
        return "cn-north-1";
    }
    if (arn && strncmp(arn, "arn:aws-us-gov:", 15) == 0) {
        return "us-gov-west-1";
    }
    return "us-east-1";
}

/* The latest successful DeleteServiceLinkedRole of role a->name in CloudTrail since the first
 * interrupted intent of a (less TRAIL_SKEW_S for the clocks' difference): its deletion task id
 * (owned) and, in when, the event's time; NULL when CloudTrail shows none or cannot be read (why,
 * in note). */
static char *s_trail_task(struct cpw_apply_ctx *ctx,
                          const struct cpw_plan_action *a,
                          char *when,
                          size_t when_size,
                          struct cpw_buf *note)
{
    const struct cpw_journal_interrupted *it = s_interrupted(ctx, a, false);
    int64_t since_ms = 0;
    char start[CPW_TIME_ISO8601_LEN + 1];
    if (cpw_time_parse_iso8601_ms(cpw_span_from_cstr(it->intent_at), &since_ms) ||
        cpw_time_format_iso8601(since_ms / 1000 - TRAIL_SKEW_S, start)) {
        (void)cpw_buf_appendf(note, "the intent's time %s does not read", it->intent_at);
        cpw_error_clear();
        return NULL;
    }
    json_t *out = NULL;
    json_t *input =
      json_pack("{s:[{s:s, s:s}], s:s}", "LookupAttributes", "AttributeKey", "EventName",
                "AttributeValue", "DeleteServiceLinkedRole", "StartTime", start);
    if (cpw_live_call(s_client(ctx), "cloudtrail", "LookupEvents", input,
                      s_iam_trail_region(a->arn), true, &out, NULL)) {
        (void)cpw_buf_appendf(note, "CloudTrail cannot be read: %s", cpw_last_error_detail());
        cpw_error_clear();
        return NULL;
    }
    char *task = NULL;
    size_t i;
    json_t *e;
    json_array_foreach(cpw_json_get(out, "Events"), i, e)
    {
        json_t *body = cpw_json_load_cstr(cpw_json_get_string(e, "CloudTrailEvent"));
        const char *role = cpw_json_get_string(cpw_json_get(body, "requestParameters"), "roleName");
        const char *id =
          cpw_json_get_string(cpw_json_get(body, "responseElements"), "deletionTaskId");
        const char *time = cpw_json_get_string(body, "eventTime");
        if (!task && role && strcmp(role, a->name) == 0 && !cpw_json_get(body, "errorCode") && id &&
            *id) { /* newest first: the latest task of the role */
            task = cpw_strdup(id);
            snprintf(when, when_size, "%s", time ? time : "?");
        }
        json_decref(body);
    }
    cpw_error_clear(); /* an event body that does not parse is no evidence */
    json_decref(out);
    if (!task) {
        (void)cpw_buf_appendf(note, "CloudTrail shows no successful DeleteServiceLinkedRole of %s",
                              a->name);
    }
    return task;
}

/*
 * A deletion step that an earlier run left with an intent and no result: that run stopped with
 * its DeleteServiceLinkedRole call possibly in flight, and IAM may have started the deletion
 * without the answer ever being recorded. Only reads: GetRole, CloudTrail and the deletion
 * task's status. True when it settles the step (*outcome, detail and *data set): the role is
 * gone (already), or the interrupted call's task is pending or FAILED (done with that task, not
 * submitted again, so the poll step that follows reports how it ends). False: nothing shows the
 * interrupted call reached IAM, and the step goes on as any other, its preconditions checked
 * before any call.
 */
static bool s_reconcile_role(struct cpw_apply_ctx *ctx,
                             const struct cpw_plan_action *a,
                             const struct cpw_journal_interrupted *it,
                             struct cpw_buf *detail,
                             char **data,
                             enum cpw_apply_outcome *outcome)
{
    struct cpw_buf note;
    cpw_buf_init(&note, 8192);
    bool settled = false;
    enum presence presence = s_role_presence(ctx, a->name, &note);
    if (presence == PRESENCE_GONE) {
        (void)cpw_buf_appendf(detail,
                              "role %s is already gone: run %lld stopped during this step (intent "
                              "at %s), its DeleteServiceLinkedRole call possibly in flight; that "
                              "call's deletion, whose answer was never recorded, or the service "
                              "removed it",
                              a->name, (long long)it->run_id, it->intent_at);
        *outcome = CPW_APPLY_ALREADY;
        settled = true;
    }
    char when[64] = "";
    char *task =
      presence == PRESENCE_PRESENT ? s_trail_task(ctx, a, when, sizeof(when), &note) : NULL;
    json_t *out = NULL;
    bool exists = false;
    if (task &&
        cpw_live_call(s_client(ctx), "iam", "GetServiceLinkedRoleDeletionStatus",
                      json_pack("{s:s}", "DeletionTaskId", task), NULL, false, &out, &exists)) {
        (void)cpw_buf_appendf(&note, "deletion task %s cannot be read: %s", task,
                              cpw_last_error_detail());
        cpw_error_clear();
    }
    const char *status = exists ? cpw_json_get_string(out, "Status") : NULL;
    if (status && (strcmp(status, "IN_PROGRESS") == 0 || strcmp(status, "NOT_STARTED") == 0 ||
                   strcmp(status, "FAILED") == 0)) {
        (void)cpw_buf_appendf(detail,
                              "run %lld stopped during this step (intent at %s) with its "
                              "DeleteServiceLinkedRole call in flight, and the call reached IAM: "
                              "CloudTrail shows it at %s, deletion task %s, now %s; recorded "
                              "here, not submitted again",
                              (long long)it->run_id, it->intent_at, when, task, status);
        *data = cpw_strdup(task);
        *outcome = CPW_APPLY_DONE;
        settled = true;
    } else if (task && status) {
        (void)cpw_buf_appendf(&note, "its latest deletion task %s is %s while the role exists",
                              task, status);
    }
    if (!settled) { /* the evidence the step goes on from, before its own */
        (void)cpw_buf_appendf(detail,
                              "run %lld stopped during this step (intent at %s), and nothing shows "
                              "its DeleteServiceLinkedRole call reached IAM (%s); ",
                              (long long)it->run_id, it->intent_at, cpw_buf_cstr(&note));
    }
    json_decref(out);
    cpw_free(task);
    cpw_buf_clean_up(&note);
    return settled;
}

static enum cpw_apply_outcome s_delete_role(struct cpw_apply_ctx *ctx,
                                            const struct cpw_plan_action *a,
                                            struct cpw_buf *detail,
                                            char **data)
{
    /* Reconciled only in the run's own account: another account's role is refused below. */
    const struct cpw_journal_interrupted *it =
      strcmp(a->account, ctx->opts->account) == 0 ? s_interrupted(ctx, a, true) : NULL;
    enum cpw_apply_outcome o = CPW_APPLY_FAILED;
    if (it && s_reconcile_role(ctx, a, it, detail, data, &o)) {
        return o;
    }
    o = cpw_apply_precheck(ctx, a, detail);
    if (o != CPW_APPLY_DONE) {
        return o;
    }
    json_t *out = NULL;
    o = s_delete_call(ctx, "iam", "DeleteServiceLinkedRole",
                      json_pack("{s:s}", "RoleName", a->name), NULL, detail, &out);
    const char *task = cpw_json_get_string(out, "DeletionTaskId");
    if (o == CPW_APPLY_DONE && task) {
        (void)cpw_buf_appendf(detail, "deletion task %s submitted", task);
        *data = cpw_strdup(task);
    } else if (o == CPW_APPLY_DONE) {
        (void)cpw_buf_appendf(detail, "DeleteServiceLinkedRole answered no DeletionTaskId");
        o = CPW_APPLY_FAILED;
    } else if (o == CPW_APPLY_ALREADY) {
        (void)cpw_buf_appendf(detail, "role %s is already gone", a->name);
    }
    json_decref(out);
    return o;
}

/* "the role is still used by ARN in REGION: delete that resource first" for each usage. */
static void s_explain_failure(const json_t *reason, struct cpw_buf *detail)
{
    const json_t *usage = cpw_json_get(reason, "RoleUsageList");
    size_t n = 0;
    size_t i;
    json_t *u;
    json_array_foreach((json_t *)usage, i, u)
    {
        const char *region = cpw_json_get_string(u, "Region");
        size_t k;
        json_t *res;
        json_array_foreach(cpw_json_get(u, "Resources"), k, res)
        {
            (void)cpw_buf_appendf(detail,
                                  "%sthe role is still used by %s in %s: delete that resource "
                                  "first",
                                  n++ ? "; " : "",
                                  json_is_string(res) ? json_string_value(res) : "?",
                                  region ? region : "an unknown region");
        }
    }
    const char *text = cpw_json_get_string(reason, "Reason");
    if (n == 0) {
        (void)cpw_buf_appendf(detail, "the deletion task FAILED: %s",
                              text && *text ? text : "IAM gave no reason");
    } else if (text && *text) {
        (void)cpw_buf_appendf(detail, " (IAM: %s)", text);
    }
}

static const struct cpw_apply_step *s_dependency(const struct cpw_apply_ctx *ctx,
                                                 const struct cpw_plan_action *a,
                                                 enum cpw_plan_action_kind kind)
{
    for (size_t d = 0; d < a->depends_on_count; d++) {
        for (size_t i = 0; i < ctx->report->step_count; i++) {
            const struct cpw_apply_step *s = &ctx->report->steps[i];
            if (s->action->kind == kind && strcmp(s->action->id, a->depends_on[d]) == 0) {
                return s;
            }
        }
    }
    return NULL;
}

static enum cpw_apply_outcome s_poll_role(struct cpw_apply_ctx *ctx,
                                          const struct cpw_plan_action *a,
                                          struct cpw_buf *detail)
{
    const struct cpw_apply_step *del = s_dependency(ctx, a, CPW_PLAN_DELETE_SERVICE_LINKED_ROLE);
    const char *task = del && del->data && *del->data ? del->data : NULL;
    if (!task) { /* no task was needed: the role went on its own */
        enum presence presence = s_role_presence(ctx, a->name, detail);
        if (presence != PRESENCE_GONE) {
            if (presence == PRESENCE_PRESENT) {
                (void)cpw_buf_appendf(detail, "no deletion task is known for role %s", a->name);
            }
            return CPW_APPLY_FAILED;
        }
        (void)cpw_buf_appendf(detail, "role %s is already gone", a->name);
        return CPW_APPLY_ALREADY;
    }
    int64_t deadline = cpw_time_monotonic_ms() + ctx->wait_ms;
    int64_t delay = ctx->poll_interval_ms;
    for (;;) {
        json_t *out = NULL;
        bool exists = true;
        if (cpw_live_call(s_client(ctx), "iam", "GetServiceLinkedRoleDeletionStatus",
                          json_pack("{s:s}", "DeletionTaskId", task), NULL, false, &out, &exists)) {
            (void)cpw_buf_append_cstr(detail, cpw_last_error_detail());
            return CPW_APPLY_FAILED;
        }
        const char *status = exists ? cpw_json_get_string(out, "Status") : NULL;
        if (!exists || (status && strcmp(status, "SUCCEEDED") == 0)) {
            json_decref(out);
            if (!exists && s_role_presence(ctx, a->name, detail) != PRESENCE_GONE) {
                (void)cpw_buf_appendf(detail, "deletion task %s is unknown to IAM", task);
                return CPW_APPLY_FAILED;
            }
            (void)cpw_buf_appendf(detail, "deletion task of %s SUCCEEDED", a->name);
            return CPW_APPLY_DONE;
        }
        if (status && strcmp(status, "FAILED") == 0) {
            s_explain_failure(cpw_json_get(out, "Reason"), detail);
            json_decref(out);
            return CPW_APPLY_FAILED;
        }
        if (!s_wait_more(deadline, delay)) {
            char wait[32];
            s_wait_text(ctx->wait_ms, wait, sizeof(wait));
            (void)cpw_buf_appendf(detail, "deletion task %s is still %s after %s", task,
                                  status ? status : "pending", wait);
            json_decref(out); /* status is borrowed from out */
            return CPW_APPLY_FAILED;
        }
        json_decref(out);
        delay = s_backoff(ctx, delay);
    }
}

static enum cpw_apply_outcome s_verify_role(struct cpw_apply_ctx *ctx,
                                            const struct cpw_plan_action *a,
                                            struct cpw_buf *detail)
{
    enum presence presence = s_role_presence(ctx, a->name, detail);
    if (presence == PRESENCE_UNKNOWN) {
        return CPW_APPLY_FAILED;
    }
    if (presence == PRESENCE_PRESENT) {
        (void)cpw_buf_appendf(detail, "role %s still exists", a->name);
        return CPW_APPLY_FAILED;
    }
    (void)cpw_buf_appendf(detail, "GetRole answers NoSuchEntity for %s", a->name);
    return CPW_APPLY_DONE;
}

enum cpw_apply_outcome cpw_apply_execute(struct cpw_apply_ctx *ctx,
                                         size_t i,
                                         struct cpw_buf *detail,
                                         char **data)
{
    const struct cpw_plan_action *a = ctx->report->steps[i].action;
    *data = NULL;
    switch (a->kind) {
    case CPW_PLAN_BACKUP_DOMAIN:
        return s_backup(ctx, a, detail, data);
    case CPW_PLAN_DELETE_INTEGRATION:
        return s_delete_integration(ctx, a, detail);
    case CPW_PLAN_DELETE_DOMAIN:
        return s_delete_domain(ctx, a, detail);
    case CPW_PLAN_VERIFY_DOMAIN_GONE:
        return s_verify_domain(ctx, a, detail);
    case CPW_PLAN_WAIT_ROLE_GONE:
        return s_wait_role(ctx, a, detail, data);
    case CPW_PLAN_DELETE_SERVICE_LINKED_ROLE:
        return s_delete_role(ctx, a, detail, data);
    case CPW_PLAN_POLL_ROLE_DELETION:
        return s_poll_role(ctx, a, detail);
    case CPW_PLAN_VERIFY_ROLE_GONE:
        return s_verify_role(ctx, a, detail);
    case CPW_PLAN_ACTION_KIND_COUNT_:
        break;
    }
    (void)cpw_buf_appendf(detail, "unknown action kind");
    return CPW_APPLY_FAILED;
}
