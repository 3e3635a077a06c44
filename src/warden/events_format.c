/*
 * events_format.c - joining CloudTrail events with cpwarden's journal, and the table, CSV and
 * JSON outputs of `cpwarden events` (events.h, docs/events.md).
 */
#include <stdio.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/error.h"
#include "cpw/events.h"
#include "cpw/inventory.h"
#include "cpw/json.h"
#include "cpw/time.h"

/* The journal action kind that makes each event, or NULL. */
static const char *s_action_of(const char *event_name)
{
    static const char *const pairs[][2] = {
        { "DeleteDomain", "delete-domain" },
        { "DeleteIntegration", "delete-integration" },
        { "DeleteServiceLinkedRole", "delete-service-linked-role" },
    };
    for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
        if (strcmp(pairs[i][0], event_name) == 0) {
            return pairs[i][1];
        }
    }
    return NULL;
}

/*
 * A journal target is "NAME (ACCOUNT REGION)" or "NAME (ACCOUNT)" (apply.c). True when it names
 * resource in account (and region, when the target has one).
 */
static bool s_target_matches(const char *target, const struct cpw_event *ev)
{
    char name[1024];
    char account[64] = "";
    char region[64] = "";
    const char *open = strrchr(target, '(');
    if (!open || open == target || (size_t)(open - target) >= sizeof(name)) {
        return false;
    }
    size_t len = (size_t)(open - target - 1);
    memcpy(name, target, len);
    name[len] = '\0';
    if (sscanf(open + 1, "%63[0-9] %63[a-z0-9-]", account, region) < 1) {
        return false;
    }
    bool regional = strcmp(ev->resource_type, "service-linked-role") != 0;
    return strcmp(name, ev->resource) == 0 && strcmp(account, ev->account) == 0 &&
           (!regional || !region[0] || strcmp(region, ev->region) == 0);
}

void cpw_events_join(struct cpw_events *list, const struct cpw_journal_entry *steps, size_t n)
{
    for (size_t i = 0; i < list->count; i++) {
        struct cpw_event *ev = &list->items[i];
        const char *kind = s_action_of(ev->event_name);
        const struct cpw_journal_entry *best = NULL;
        int64_t best_gap = CPW_EVENTS_JOIN_WINDOW_S + 1;
        for (size_t k = 0; kind && k < n; k++) {
            int64_t at_ms = 0;
            if (!steps[k].kind || strcmp(steps[k].kind, kind) != 0 || !steps[k].target ||
                !s_target_matches(steps[k].target, ev) || !steps[k].at ||
                cpw_time_parse_iso8601_ms(cpw_span_from_cstr(steps[k].at), &at_ms) != 0) {
                continue;
            }
            int64_t gap = at_ms / 1000 - ev->time_s;
            gap = gap < 0 ? -gap : gap;
            if (gap < best_gap) {
                best = &steps[k];
                best_gap = gap;
            }
        }
        cpw_error_clear();
        if (best) {
            ev->run_id = best->run_id;
            cpw_free(ev->plan_checksum);
            cpw_free(ev->step);
            ev->plan_checksum = cpw_strdup(best->plan_checksum ? best->plan_checksum : "");
            ev->step = cpw_strdup(best->action_id ? best->action_id : "");
        }
    }
}

static void s_when(int64_t t, char out[CPW_TIME_ISO8601_LEN + 1])
{
    if (cpw_time_format_iso8601(t, out) != 0) {
        snprintf(out, CPW_TIME_ISO8601_LEN + 1, "-");
    }
}

json_t *cpw_events_json(const struct cpw_events *list)
{
    json_t *events = json_array();
    for (size_t i = 0; i < list->count; i++) {
        const struct cpw_event *e = &list->items[i];
        char when[CPW_TIME_ISO8601_LEN + 1];
        s_when(e->time_s, when);
        json_t *item =
          json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "event_id",
                    e->event_id, "time", when, "account", e->account, "region", e->region, "event",
                    e->event_name, "source", e->event_source, "resource_type", e->resource_type,
                    "resource", e->resource, "actor", e->actor, "actor_type", e->actor_type,
                    "invoked_by", e->invoked_by, "source_ip", e->source_ip);
        cpw_json_set_take(item, "error_code",
                          e->error_code[0] ? json_string(e->error_code) : json_null());
        cpw_json_set_take(item, "cpwarden_run_id",
                          e->run_id ? json_integer((json_int_t)e->run_id) : json_null());
        cpw_json_set_take(item, "cpwarden_plan",
                          e->run_id ? json_string(e->plan_checksum) : json_null());
        cpw_json_set_take(item, "cpwarden_step", e->run_id ? json_string(e->step) : json_null());
        cpw_json_append_take(events, item);
    }
    json_t *errors = json_array();
    for (size_t i = 0; i < list->error_count; i++) {
        const struct cpw_events_error *e = &list->errors[i];
        cpw_json_append_take(errors,
                             json_pack("{s:s, s:s?, s:s}", "account", e->account, "region",
                                       e->region[0] ? e->region : NULL, "message", e->message));
    }
    return json_pack("{s:i, s:o, s:o}", "format_version", 1, "events", events, "errors", errors);
}

int cpw_events_table(const struct cpw_events *list, struct cpw_buf *out)
{
    int rc = cpw_buf_appendf(out, "%-20s %-12s %-14s %-23s %-40s %-8s %s\n", "TIME", "ACCOUNT",
                             "REGION", "EVENT", "RESOURCE", "RUN", "ACTOR");
    for (size_t i = 0; rc == 0 && i < list->count; i++) {
        const struct cpw_event *e = &list->items[i];
        char when[CPW_TIME_ISO8601_LEN + 1];
        char run[32] = "-";
        s_when(e->time_s, when);
        if (e->run_id) {
            snprintf(run, sizeof(run), "%lld", (long long)e->run_id);
        }
        rc = cpw_buf_appendf(out, "%-20s %-12s %-14s %-23s %-40s %-8s %s%s%s\n", when, e->account,
                             e->region, e->event_name, e->resource[0] ? e->resource : "-", run,
                             e->actor[0] ? e->actor : "-", e->error_code[0] ? "  FAILED " : "",
                             e->error_code);
    }
    return rc;
}

int cpw_events_csv(const struct cpw_events *list, struct cpw_buf *out)
{
    int rc = cpw_buf_append_cstr(out, "time,account,region,event,source,resource_type,resource,"
                                      "actor,actor_type,invoked_by,error_code,source_ip,event_id,"
                                      "cpwarden_run_id,cpwarden_plan,cpwarden_step\r\n");
    for (size_t i = 0; rc == 0 && i < list->count; i++) {
        const struct cpw_event *e = &list->items[i];
        char when[CPW_TIME_ISO8601_LEN + 1];
        char run[32] = "";
        s_when(e->time_s, when);
        if (e->run_id) {
            snprintf(run, sizeof(run), "%lld", (long long)e->run_id);
        }
        const char *cells[] = { when,
                                e->account,
                                e->region,
                                e->event_name,
                                e->event_source,
                                e->resource_type,
                                e->resource,
                                e->actor,
                                e->actor_type,
                                e->invoked_by,
                                e->error_code,
                                e->source_ip,
                                e->event_id,
                                run,
                                e->run_id ? e->plan_checksum : "",
                                e->run_id ? e->step : "" };
        size_t n = sizeof(cells) / sizeof(cells[0]);
        for (size_t k = 0; rc == 0 && k < n; k++) {
            rc = cpw_inventory_csv_field(out, cells[k]);
            rc = rc ? rc : cpw_buf_append_cstr(out, k + 1 < n ? "," : "\r\n");
        }
    }
    return rc;
}
