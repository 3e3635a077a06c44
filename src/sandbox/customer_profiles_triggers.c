/*
 * customer_profiles_triggers.c - Customer Profiles event triggers in the sandbox:
 * CreateEventTrigger, GetEventTrigger, UpdateEventTrigger, DeleteEventTrigger and
 * ListEventTriggers. A trigger is keyed by EventTriggerName inside its domain and tagged on
 * arn:aws:profile:REGION:ACCOUNT:domains/DOMAIN/event-triggers/NAME; 50 per domain (aws-facts
 * §6.1). Its ObjectTypeName must name a profile object type of the domain and its SegmentFilter,
 * when given, a segment definition of the domain (a segment in use by a trigger cannot be
 * deleted). The sandbox stores triggers; it never fires them.
 */
#include <stdio.h>
#include <string.h>

#include "cpw/error.h"
#include "customer_profiles_config.h"

#define EVENT_TRIGGER_QUOTA 50
#define LIST_MAX            100

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *const s_fields[] = { "Description",        "ObjectTypeName",
                                        "EventTriggerLimits", "EventTriggerConditions",
                                        "SegmentFilter",      "Tags" };

static void s_resource(struct cpw_sbx_ctx *ctx, const char *domain, const char *name)
{
    char arn[800];
    cpw_cp_cfg_resource(ctx, domain, "event-triggers", name, "AWS::CustomerProfiles::EventTrigger",
                        arn, sizeof(arn));
}

/* 1 when the item exists, 0 when not, -1. */
static int s_exists(struct cpw_sbx_ctx *ctx, const char *domain, const char *kind, const char *name)
{
    json_t *doc = NULL;
    if (cpw_cp_item_get(ctx, domain, kind, name, &doc) != 0) {
        return -1;
    }
    int found = doc != NULL;
    json_decref(doc);
    return found;
}

/* Checks the trigger document's references and conditions: 0, 1 answered, -1. */
static int s_check(struct cpw_sbx_ctx *ctx, const char *domain, const json_t *doc)
{
    const char *type = cpw_sbx_in_str(doc, "ObjectTypeName");
    if (type == NULL || type[0] == '\0') {
        return cpw_cp_bad(ctx, "ObjectTypeName is required.");
    }
    int rc = s_exists(ctx, domain, CPW_CP_OBJECT_TYPE, type);
    if (rc <= 0) {
        return rc < 0
                 ? -1
                 : cpw_cp_bad(ctx, "Object type %s does not exist in domain %s.", type, domain);
    }
    const char *segment = cpw_sbx_in_str(doc, "SegmentFilter");
    if (segment != NULL) {
        rc = s_exists(ctx, domain, CPW_CP_SEGMENT, segment);
        if (rc <= 0) {
            return rc < 0 ? -1
                          : cpw_cp_bad(ctx, "Segment definition %s does not exist in domain %s.",
                                       segment, domain);
        }
    }
    const json_t *conditions = json_object_get(doc, "EventTriggerConditions");
    size_t n = json_array_size(conditions);
    if (n < 1 || n > 5) {
        return cpw_cp_bad(ctx, "EventTriggerConditions must hold 1 to 5 conditions.");
    }
    size_t i;
    const json_t *condition;
    json_array_foreach(conditions, i, condition)
    {
        size_t dims = json_array_size(json_object_get(condition, "EventTriggerDimensions"));
        if (dims < 1 || dims > 10 || cpw_sbx_in_str(condition, "LogicalOperator") == NULL) {
            return cpw_cp_bad(ctx,
                              "Each event trigger condition needs a LogicalOperator and 1 to 10"
                              " EventTriggerDimensions.");
        }
    }
    return 0;
}

int cpw_cp_create_event_trigger(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *domain = cpw_sbx_in_str(input, "DomainName");
    const char *name = cpw_sbx_in_str(input, "EventTriggerName");
    s_resource(ctx, domain, name);
    int rc = cpw_cp_need_domain(ctx, domain);
    if (rc != 0) {
        return rc;
    }
    if (name == NULL || name[0] == '\0') {
        return cpw_cp_bad(ctx, "EventTriggerName is required.");
    }
    json_t *doc = json_pack("{s:s}", "EventTriggerName", name);
    cpw_cp_cfg_merge(doc, input, s_fields, COUNT(s_fields));
    rc = s_check(ctx, domain, doc);
    if (rc == 0) {
        rc = cpw_cp_check_tags(ctx, json_object_get(input, "Tags"));
    }
    if (rc == 0) {
        int found = s_exists(ctx, domain, CPW_CP_EVENT_TRIGGER, name);
        rc = found < 0 ? -1
             : found
               ? cpw_cp_bad(ctx, "Event trigger %s already exists in domain %s.", name, domain)
               : 0;
    }
    if (rc == 0 && cpw_cp_item_count(ctx, domain, CPW_CP_EVENT_TRIGGER) >= EVENT_TRIGGER_QUOTA) {
        rc = cpw_cp_bad(ctx,
                        "You have reached the maximum number of event triggers (%d) for domain"
                        " %s.",
                        EVENT_TRIGGER_QUOTA, domain);
    }
    if (rc == 0 && (cpw_cp_item_put(ctx, domain, CPW_CP_EVENT_TRIGGER, name, doc) != 0 ||
                    cpw_cp_item_get(ctx, domain, CPW_CP_EVENT_TRIGGER, name, output) != 0)) {
        rc = -1;
    }
    json_decref(doc);
    return rc;
}

int cpw_cp_get_event_trigger(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    return cpw_cp_cfg_need(ctx, cpw_sbx_in_str(input, "DomainName"), CPW_CP_EVENT_TRIGGER,
                           cpw_sbx_in_str(input, "EventTriggerName"), "Event trigger", output);
}

int cpw_cp_update_event_trigger(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *domain = cpw_sbx_in_str(input, "DomainName");
    const char *name = cpw_sbx_in_str(input, "EventTriggerName");
    s_resource(ctx, domain, name);
    json_t *doc = NULL;
    int rc = cpw_cp_cfg_need(ctx, domain, CPW_CP_EVENT_TRIGGER, name, "Event trigger", &doc);
    if (rc != 0) {
        return rc;
    }
    /* Tags change through TagResource only (the model's update has no Tags). */
    cpw_cp_cfg_merge(doc, input, s_fields, COUNT(s_fields) - 1);
    rc = s_check(ctx, domain, doc);
    if (rc == 0 && (cpw_cp_item_put(ctx, domain, CPW_CP_EVENT_TRIGGER, name, doc) != 0 ||
                    cpw_cp_item_get(ctx, domain, CPW_CP_EVENT_TRIGGER, name, output) != 0)) {
        rc = -1;
    }
    json_decref(doc);
    return rc;
}

int cpw_cp_delete_event_trigger(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *domain = cpw_sbx_in_str(input, "DomainName");
    const char *name = cpw_sbx_in_str(input, "EventTriggerName");
    s_resource(ctx, domain, name);
    int rc = cpw_cp_need_domain(ctx, domain);
    if (rc != 0) {
        return rc;
    }
    rc = cpw_cp_item_delete(ctx, domain, CPW_CP_EVENT_TRIGGER, name ? name : "");
    if (rc <= 0) {
        return rc < 0 ? -1
                      : cpw_cp_not_found(ctx, "Event trigger %s does not exist in domain %s.",
                                         name ? name : "", domain);
    }
    *output = json_pack("{s:s}", "Message", "Event trigger deleted");
    return 0;
}

static json_t *s_list_item(struct cpw_sbx_ctx *ctx, const json_t *input, const json_t *doc)
{
    static const char *const keep[] = { "ObjectTypeName", "EventTriggerName", "Description",
                                        "CreatedAt",      "LastUpdatedAt",    "Tags" };
    (void)ctx;
    (void)input;
    return cpw_cp_cfg_pick(doc, keep, COUNT(keep));
}

int cpw_cp_list_event_triggers(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    return cpw_cp_cfg_list(ctx, input, CPW_CP_EVENT_TRIGGER, LIST_MAX, false, s_list_item, output);
}
