/*
 * backup_restore.c - `cpwarden restore` as a library call: verifies a backup file, then
 * recreates the domain, its tags, object types, integrations, event streams, calculated
 * attributes and (when the backup holds them) profiles with their objects. Every item is
 * compared with what the target holds first, so a second restore changes nothing.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "backup_internal.h"
#include "backup_restore_internal.h"
#include "cpw/alloc.h"
#include "cpw/backup.h"
#include "cpw/error.h"
#include "cpw/inventory.h"
#include "cpw/json.h"

#define SERVICE "customer-profiles"

/* CreateDomain's settings, as GetDomain answers them. */
static const char *const s_domain_keys[] = { "DefaultExpirationDays", "DefaultEncryptionKey",
                                             "DeadLetterQueueUrl",    "Matching",
                                             "RuleBasedMatching",     NULL };
static const char *const s_type_keys[] = { "Description",
                                           "TemplateId",
                                           "ExpirationDays",
                                           "EncryptionKey",
                                           "AllowProfileCreation",
                                           "SourceLastUpdatedTimestampFormat",
                                           "MaxProfileObjectCount",
                                           "SourcePriority",
                                           "Fields",
                                           "Keys",
                                           "Tags",
                                           NULL };
/* Uri first: it names the integration and is left out of comparisons (keys + 1). */
static const char *const s_integration_keys[] = { "Uri",  "ObjectTypeName", "ObjectTypeNames",
                                                  "Tags", "RoleArn",        "EventTriggerNames",
                                                  NULL };
static const char *const s_calc_keys[] = { "DisplayName",       "Description", "AttributeDetails",
                                           "Conditions",        "Filter",      "Statistic",
                                           "UseHistoricalData", "Tags",        NULL };
static const char *const s_calc_update_keys[] = { "DisplayName", "Description", "Conditions",
                                                  NULL };

const char *cpw_restore_action_name(enum cpw_restore_action action)
{
    static const char *const names[CPW_RESTORE_ACTION_COUNT_] = {
#define CPW_RESTORE_ACTION_NAME_(e, name) [(e)] = (name),
        CPW_RESTORE_ACTION_LIST(CPW_RESTORE_ACTION_NAME_)
#undef CPW_RESTORE_ACTION_NAME_
    };
    return (unsigned)action < CPW_RESTORE_ACTION_COUNT_ ? names[action] : "unknown";
}

void cpw_restore_note(struct cpw_restore_run *run,
                      enum cpw_restore_action action,
                      const char *kind,
                      const char *name,
                      const char *detail)
{
    struct cpw_restore_summary *s = &run->summary;
    switch (action) {
    case CPW_RESTORE_CREATE:
        s->created++;
        break;
    case CPW_RESTORE_SKIP:
        s->skipped++;
        break;
    case CPW_RESTORE_UPDATE:
        s->updated++;
        break;
    case CPW_RESTORE_CONFLICT:
        s->conflicts++;
        break;
    case CPW_RESTORE_WARNING:
        s->warnings++;
        break;
    case CPW_RESTORE_FAILED:
        s->failed++;
        break;
    case CPW_RESTORE_NOT_RESTORED:
        s->not_restored++;
        break;
    case CPW_RESTORE_ACTION_COUNT_: /* not an action */
        break;
    }
    if (run->opts->report) {
        run->opts->report(run->opts->report_user, action, kind, name, detail ? detail : "");
    }
}

int cpw_restore_send(struct cpw_restore_run *run, const char *op, json_t *input, json_t **output)
{
    json_t *out = NULL;
    json_object_set_new(input, "DomainName", json_string(run->domain));
    int rc = cpw_backup_call(run->client, run->region, SERVICE, op, input, false, &out);
    if (rc == 0 && run->opts->kill_after_change &&
        (strncmp(op, "Create", 6) == 0 || strncmp(op, "Put", 3) == 0 ||
         strncmp(op, "Update", 6) == 0) &&
        ++run->changes == run->opts->kill_after_change) {
        raise(SIGKILL); /* the crash tests' hook: die right after the Nth change */
    }
    if (output) {
        *output = out;
    } else {
        json_decref(out);
    }
    return rc;
}

/* GetX of one item: *out owned when found. */
static enum cpw_restore_lookup s_get(struct cpw_restore_run *run,
                                     const char *op,
                                     const char *member,
                                     const char *name,
                                     json_t **out)
{
    *out = NULL;
    if (!run->domain_exists) {
        return CPW_RESTORE_MISSING;
    }
    json_t *input = json_pack("{s:s}", member, name);
    if (cpw_restore_send(run, op, input, out) == 0) {
        return CPW_RESTORE_FOUND;
    }
    return cpw_last_error() == CPW_ERR_NOT_FOUND ? CPW_RESTORE_MISSING : CPW_RESTORE_UNREADABLE;
}

/* Creates (or with force updates) one item after comparing it with the target's. */
static void s_item(struct cpw_restore_run *run,
                   const char *kind,
                   const char *name,
                   json_t *want, /* consumed: the create input without DomainName */
                   const char *get_op,
                   const char *get_member,
                   const char *const *compare_keys,
                   const char *create_op,
                   const char *update_op,
                   const char *const *update_keys)
{
    json_t *have_doc = NULL;
    enum cpw_restore_lookup found = s_get(run, get_op, get_member, name, &have_doc);
    if (found == CPW_RESTORE_UNREADABLE) {
        cpw_restore_note(run, CPW_RESTORE_FAILED, kind, name, cpw_last_error_detail());
        json_decref(want);
        return;
    }
    if (found == CPW_RESTORE_FOUND) {
        json_t *have = cpw_backup_project(have_doc, compare_keys);
        json_t *cmp = cpw_backup_project(want, compare_keys);
        bool equal = json_equal(have, cmp);
        json_decref(have);
        json_decref(cmp);
        json_decref(have_doc);
        if (equal) {
            cpw_restore_note(run, CPW_RESTORE_SKIP, kind, name, "already there, equal");
            json_decref(want);
            return;
        }
        if (!run->opts->force) {
            cpw_restore_note(run, CPW_RESTORE_CONFLICT, kind, name,
                             "exists with a different configuration (--force overwrites it)");
            json_decref(want);
            return;
        }
        if (!update_op && strncmp(create_op, "Put", 3) != 0) {
            cpw_restore_note(run, CPW_RESTORE_CONFLICT, kind, name,
                             "exists with a different configuration and cannot be changed in "
                             "place (delete it to restore it)");
            json_decref(want);
            return;
        }
        if (run->opts->dry_run) {
            cpw_restore_note(run, CPW_RESTORE_UPDATE, kind, name, "would be overwritten");
            json_decref(want);
            return;
        }
        json_t *input = update_keys ? cpw_backup_project(want, update_keys) : json_incref(want);
        json_object_set_new(input, get_member, json_string(name));
        json_decref(want);
        if (cpw_restore_send(run, update_op ? update_op : create_op, input, NULL)) {
            cpw_restore_note(run, CPW_RESTORE_FAILED, kind, name, cpw_last_error_detail());
        } else {
            cpw_restore_note(run, CPW_RESTORE_UPDATE, kind, name, "overwritten (--force)");
        }
        return;
    }
    if (run->opts->dry_run) {
        cpw_restore_note(run, CPW_RESTORE_CREATE, kind, name, "would be created");
        json_decref(want);
        return;
    }
    json_object_set_new(want, get_member, json_string(name));
    if (cpw_restore_send(run, create_op, want, NULL)) {
        cpw_restore_note(run, CPW_RESTORE_FAILED, kind, name, cpw_last_error_detail());
    } else {
        cpw_restore_note(run, CPW_RESTORE_CREATE, kind, name, "");
    }
}

static void s_object_types(struct cpw_restore_run *run, const json_t *types)
{
    size_t i;
    json_t *t;
    json_array_foreach(types, i, t)
    {
        const char *name = cpw_json_get_string(t, "ObjectTypeName");
        if (name) {
            s_item(run, "object-type", name, cpw_backup_project(t, s_type_keys),
                   "GetProfileObjectType", "ObjectTypeName", s_type_keys, "PutProfileObjectType",
                   NULL, NULL);
        }
    }
}

/* The first domain other than the target (its name in region) that integrates uri, as
 * ListAccountIntegrations in region answers: 1 found (into other), 0 none, -1 error. */
static int s_other_domain(struct cpw_restore_run *run,
                          const char *region,
                          const char *uri,
                          char *other,
                          size_t size)
{
    json_t *out = NULL;
    if (cpw_backup_call(run->client, region, SERVICE, "ListAccountIntegrations",
                        json_pack("{s:s}", "Uri", uri), true, &out) != 0) {
        return -1;
    }
    int found = 0;
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(out, "Items"), i, item)
    {
        const char *d = cpw_json_get_string(item, "DomainName");
        if (d && (strcmp(d, run->domain) != 0 || strcmp(region, run->region) != 0)) {
            snprintf(other, size, "%s (%s)", d, region);
            found = 1;
            break;
        }
    }
    json_decref(out);
    return found;
}

/*
 * Whether an integration may be restored, for a Uri naming an Amazon Connect instance: one of
 * another account gets a warning (the target cannot look at it); a live instance of the
 * target's account that another domain (of its own region or the target's) already integrates
 * is not re-attached unless attach_integrations, so a copy restored under a new name or in
 * another region never takes a live instance from the domain that uses it. Returns false when
 * the integration is to be left out (already reported).
 */
static bool s_connect_uri_ok(struct cpw_restore_run *run, const char *uri)
{
    static const char prefix[] = "arn:aws:connect:";
    if (strncmp(uri, prefix, sizeof(prefix) - 1) != 0) {
        return true;
    }
    char region[64] = "", account[16] = "", id[128] = "";
    if (sscanf(uri + sizeof(prefix) - 1, "%63[^:]:%15[^:]:instance/%127s", region, account, id) !=
        3) {
        return true;
    }
    char detail[768];
    if (strcmp(account, run->account) != 0) {
        snprintf(detail, sizeof(detail),
                 "the Uri is a Connect instance of account %s in %s, not of the target (%s, %s): "
                 "the integration will point at an instance the target does not have",
                 account, region, run->account, run->region);
        cpw_restore_note(run, CPW_RESTORE_WARNING, "integration", uri, detail);
        return true;
    }
    json_t *out = NULL;
    if (cpw_backup_call(run->client, region, "connect", "DescribeInstance",
                        json_pack("{s:s}", "InstanceId", id), false, &out) != 0) {
        if (cpw_last_error() == CPW_ERR_NOT_FOUND) {
            snprintf(detail, sizeof(detail),
                     "the Uri is Connect instance %s (%s), which no longer exists: the "
                     "integration will point at nothing until it is recreated or removed",
                     id, region);
        } else {
            snprintf(detail, sizeof(detail), "cannot check Connect instance %s: %s", id,
                     cpw_last_error_detail());
        }
        cpw_restore_note(run, CPW_RESTORE_WARNING, "integration", uri, detail);
        return true;
    }
    json_decref(out);
    /* The instance is live: does another domain integrate it already? */
    char other[256] = "";
    int found = s_other_domain(run, region, uri, other, sizeof(other));
    if (found == 0 && strcmp(region, run->region) != 0) {
        found = s_other_domain(run, run->region, uri, other, sizeof(other));
    }
    if (found < 0) {
        snprintf(detail, sizeof(detail),
                 "Connect instance %s is live and which domain uses it cannot be checked (%s)%s",
                 id, cpw_last_error_detail(),
                 run->opts->attach_integrations
                   ? ": attached anyway (--attach-integrations)"
                   : ": not attached (--attach-integrations attaches it)");
    } else if (found > 0) {
        snprintf(detail, sizeof(detail),
                 "Connect instance %s is live and integrated with domain %s%s", id, other,
                 run->opts->attach_integrations
                   ? ": attached to this domain too (--attach-integrations)"
                   : ": not re-attached to this domain (--attach-integrations attaches it)");
    } else {
        return true;
    }
    cpw_restore_note(
      run, run->opts->attach_integrations ? CPW_RESTORE_WARNING : CPW_RESTORE_NOT_RESTORED,
      "integration", uri, detail);
    return run->opts->attach_integrations;
}

static void s_integrations(struct cpw_restore_run *run, const json_t *integrations)
{
    size_t i;
    json_t *it;
    json_array_foreach(integrations, i, it)
    {
        const char *uri = cpw_json_get_string(it, "Uri");
        if (!uri) {
            continue;
        }
        const char *workflow = cpw_json_get_string(it, "WorkflowId");
        if (workflow) {
            char detail[256];
            snprintf(detail, sizeof(detail),
                     "made by workflow %s together with it; restored with it, not alone", workflow);
            cpw_restore_note(run, CPW_RESTORE_NOT_RESTORED, "integration", uri, detail);
            continue;
        }
        if (!s_connect_uri_ok(run, uri)) {
            continue;
        }
        json_t *want = cpw_backup_project(it, s_integration_keys);
        json_object_del(want, "Uri");
        s_item(run, "integration", uri, want, "GetIntegration", "Uri", s_integration_keys + 1,
               "PutIntegration", NULL, NULL);
    }
}

/* Workflows cannot be recreated from what GetWorkflow answers: say so for each. */
static void s_workflows(struct cpw_restore_run *run, const json_t *workflows)
{
    size_t i;
    json_t *w;
    json_array_foreach(workflows, i, w)
    {
        const char *id = cpw_json_get_string(w, "WorkflowId");
        if (id) {
            cpw_restore_note(run, CPW_RESTORE_NOT_RESTORED, "workflow", id,
                             "GetWorkflow does not return the AppFlow flow definition it was "
                             "created with, and its run history cannot be written back: "
                             "recreate it with CreateIntegrationWorkflow (the backup keeps its "
                             "type, source and role)");
        }
    }
}

/* A list section restored item by item through s_item: what to send and compare. */
struct item_kind {
    enum cpw_backup_section section;
    const char *kind;   /* in reports */
    const char *member; /* names an item (the Get input member) */
    const char *get_op;
    const char *create_op;          /* Put... overwrite in place */
    const char *update_op;          /* NULL: none (Create-only kinds conflict even with force) */
    const char *const *keys;        /* create input and comparison */
    const char *const *update_keys; /* NULL: keys */
    const char *note;               /* added to a created item's report, or NULL */
};

static const char *const s_domain_type_keys[] = { "Description", "EncryptionKey", "Fields", "Tags",
                                                  NULL };
static const char *const s_segment_keys[] = { "DisplayName", "Description",     "SegmentGroups",
                                              "SegmentSort", "SegmentSqlQuery", "Tags",
                                              NULL };
static const char *const s_trigger_keys[] = { "Description",
                                              "EventTriggerConditions",
                                              "EventTriggerLimits",
                                              "ObjectTypeName",
                                              "SegmentFilter",
                                              "Tags",
                                              NULL };
static const char *const s_trigger_update_keys[] = { "Description",        "EventTriggerConditions",
                                                     "EventTriggerLimits", "ObjectTypeName",
                                                     "SegmentFilter",      NULL };
static const char *const s_layout_keys[] = { "Description", "DisplayName", "IsDefault", "Layout",
                                             "LayoutType",  "Tags",        NULL };
static const char *const s_layout_update_keys[] = { "Description", "DisplayName", "IsDefault",
                                                    "Layout",      "LayoutType",  NULL };
static const char *const s_schema_keys[] = { "Fields", "Tags", NULL };
static const char *const s_recommender_keys[] = {
    "Description", "RecommenderConfig", "RecommenderRecipeName", "RecommenderSchemaName", "Tags",
    NULL
};
static const char *const s_recommender_update_keys[] = { "Description", "RecommenderConfig", NULL };
static const char *const s_filter_keys[] = { "Description", "RecommenderFilterExpression",
                                             "RecommenderSchemaName", "Tags", NULL };

static const struct item_kind s_item_kinds[] = {
    { CPW_BACKUP_DOMAIN_OBJECT_TYPES, "domain-object-type", "ObjectTypeName", "GetDomainObjectType",
      "PutDomainObjectType", NULL, s_domain_type_keys, NULL, NULL },
    { CPW_BACKUP_SEGMENT_DEFINITIONS, "segment-definition", "SegmentDefinitionName",
      "GetSegmentDefinition", "CreateSegmentDefinition", NULL, s_segment_keys, NULL, NULL },
    { CPW_BACKUP_EVENT_TRIGGERS, "event-trigger", "EventTriggerName", "GetEventTrigger",
      "CreateEventTrigger", "UpdateEventTrigger", s_trigger_keys, s_trigger_update_keys, NULL },
    { CPW_BACKUP_LAYOUTS, "layout", "LayoutDefinitionName", "GetDomainLayout", "CreateDomainLayout",
      "UpdateDomainLayout", s_layout_keys, s_layout_update_keys, NULL },
    { CPW_BACKUP_RECOMMENDER_SCHEMAS, "recommender-schema", "RecommenderSchemaName",
      "GetRecommenderSchema", "CreateRecommenderSchema", NULL, s_schema_keys, NULL, NULL },
    { CPW_BACKUP_RECOMMENDERS, "recommender", "RecommenderName", "GetRecommender",
      "CreateRecommender", "UpdateRecommender", s_recommender_keys, s_recommender_update_keys,
      "its trained state (models, training metrics) is not in backups: it trains again" },
    { CPW_BACKUP_RECOMMENDER_FILTERS, "recommender-filter", "RecommenderFilterName",
      "GetRecommenderFilter", "CreateRecommenderFilter", NULL, s_filter_keys, NULL, NULL },
};

static void s_items(struct cpw_restore_run *run, const struct item_kind *k, const json_t *list)
{
    size_t i;
    json_t *doc;
    json_array_foreach(list, i, doc)
    {
        const char *name = cpw_json_get_string(doc, k->member);
        if (!name) {
            continue;
        }
        unsigned created = run->summary.created;
        s_item(run, k->kind, name, cpw_backup_project(doc, k->keys), k->get_op, k->member, k->keys,
               k->create_op, k->update_op, k->update_keys ? k->update_keys : k->keys);
        if (k->note && run->summary.created != created) {
            cpw_restore_note(run, CPW_RESTORE_NOT_RESTORED, k->kind, name, k->note);
        }
    }
}

static const struct item_kind *s_item_kind(enum cpw_backup_section section)
{
    for (size_t i = 0; i < sizeof(s_item_kinds) / sizeof(s_item_kinds[0]); i++) {
        if (s_item_kinds[i].section == section) {
            return &s_item_kinds[i];
        }
    }
    return NULL;
}

static void s_event_streams(struct cpw_restore_run *run, const json_t *streams)
{
    static const char *const keys[] = { "Uri", "Tags", NULL };
    size_t i;
    json_t *es;
    json_array_foreach(streams, i, es)
    {
        const char *name = cpw_json_get_string(es, "EventStreamName");
        const char *uri = cpw_json_get_string(json_object_get(es, "DestinationDetails"), "Uri");
        if (!name || !uri) {
            continue;
        }
        json_t *want = json_pack("{s:s}", "Uri", uri);
        json_t *tags = json_object_get(es, "Tags");
        if (json_object_size(tags) > 0) {
            json_object_set(want, "Tags", tags);
        }
        json_t *have_doc = NULL;
        enum cpw_restore_lookup found =
          s_get(run, "GetEventStream", "EventStreamName", name, &have_doc);
        if (found == CPW_RESTORE_FOUND) {
            /* GetEventStream nests the Uri: compare in the create input's shape */
            json_t *have =
              json_pack("{s:O?}", "Uri",
                        json_object_get(json_object_get(have_doc, "DestinationDetails"), "Uri"));
            if (json_object_size(json_object_get(have_doc, "Tags")) > 0) {
                json_object_set(have, "Tags", json_object_get(have_doc, "Tags"));
            }
            bool equal = json_equal(have, want);
            json_decref(have);
            json_decref(have_doc);
            if (equal) {
                cpw_restore_note(run, CPW_RESTORE_SKIP, "event-stream", name,
                                 "already there, equal");
            } else {
                /* a stream's destination cannot be changed in place: report it */
                cpw_restore_note(run, CPW_RESTORE_CONFLICT, "event-stream", name,
                                 "exists with another destination or tags (delete it to restore)");
            }
            json_decref(want);
            continue;
        }
        if (found == CPW_RESTORE_UNREADABLE) {
            cpw_restore_note(run, CPW_RESTORE_FAILED, "event-stream", name,
                             cpw_last_error_detail());
            json_decref(want);
            continue;
        }
        s_item(run, "event-stream", name, want, "GetEventStream", "EventStreamName", keys,
               "CreateEventStream", NULL, NULL);
    }
}

static void s_calculated_attributes(struct cpw_restore_run *run, const json_t *calcs)
{
    size_t i;
    json_t *ca;
    json_array_foreach(calcs, i, ca)
    {
        const char *name = cpw_json_get_string(ca, "CalculatedAttributeName");
        if (name) {
            s_item(run, "calculated-attribute", name, cpw_backup_project(ca, s_calc_keys),
                   "GetCalculatedAttributeDefinition", "CalculatedAttributeName", s_calc_keys,
                   "CreateCalculatedAttributeDefinition", "UpdateCalculatedAttributeDefinition",
                   s_calc_update_keys);
        }
    }
}

/* The domain's settings in CreateDomain's shape (RuleBasedMatching without its Status). */
static json_t *s_domain_input(const json_t *settings)
{
    json_t *want = cpw_backup_project(settings, s_domain_keys);
    json_t *rbm = json_object_get(want, "RuleBasedMatching");
    if (rbm) {
        json_t *copy = json_deep_copy(rbm);
        json_object_del(copy, "Status");
        json_object_set_new(want, "RuleBasedMatching", copy);
    }
    return want;
}

/* Names the settings that differ, into out. */
static void s_differences(const json_t *a, const json_t *b, char *out, size_t size)
{
    out[0] = '\0';
    size_t used = 0;
    for (size_t i = 0; s_domain_keys[i]; i++) {
        if (!json_equal(json_object_get(a, s_domain_keys[i]),
                        json_object_get(b, s_domain_keys[i])) &&
            (json_object_get(a, s_domain_keys[i]) || json_object_get(b, s_domain_keys[i]))) {
            int n = snprintf(out + used, size - used, "%s%s", used ? ", " : "", s_domain_keys[i]);
            if (n < 0 || (size_t)n >= size - used) {
                break;
            }
            used += (size_t)n;
        }
    }
}

static int s_domain(struct cpw_restore_run *run, const json_t *settings, const json_t *tags)
{
    json_t *want = s_domain_input(settings);
    json_t *have_doc = NULL;
    int rc = -1;
    if (cpw_restore_send(run, "GetDomain", json_object(), &have_doc) == 0) {
        run->domain_exists = true;
        json_t *have = s_domain_input(have_doc);
        /* the service may add defaults to what was asked: compare what the backup holds */
        json_t *have_cmp = cpw_backup_project(have, s_domain_keys);
        bool equal = json_equal(have_cmp, want);
        char diff[256];
        s_differences(have_cmp, want, diff, sizeof(diff));
        json_decref(have_cmp);
        json_decref(have);
        if (equal) {
            cpw_restore_note(run, CPW_RESTORE_SKIP, "domain", run->domain, "already there, equal");
        } else if (!run->opts->force) {
            cpw_raise(CPW_ERR_CONFLICT,
                      "domain %s already exists in %s with different settings (%s); nothing was "
                      "changed (--force overwrites them)",
                      run->domain, run->region, diff);
            goto cleanup;
        } else if (run->opts->dry_run) {
            cpw_restore_note(run, CPW_RESTORE_UPDATE, "domain", run->domain,
                             "would be overwritten");
        } else if (cpw_restore_send(run, "UpdateDomain", json_incref(want), NULL)) {
            goto cleanup;
        } else {
            cpw_restore_note(run, CPW_RESTORE_UPDATE, "domain", run->domain,
                             "settings overwritten (--force)");
        }
    } else if (cpw_last_error() != CPW_ERR_NOT_FOUND) {
        goto cleanup;
    } else if (run->opts->dry_run) {
        cpw_restore_note(run, CPW_RESTORE_CREATE, "domain", run->domain, "would be created");
    } else {
        json_t *input = json_incref(want);
        if (json_object_size(tags) > 0) {
            json_object_set(input, "Tags", (json_t *)tags);
        }
        if (cpw_restore_send(run, "CreateDomain", input, NULL)) {
            goto cleanup;
        }
        run->domain_exists = true;
        run->domain_created = true;
        cpw_restore_note(run, CPW_RESTORE_CREATE, "domain", run->domain, "");
    }
    rc = 0;
cleanup:
    json_decref(want);
    json_decref(have_doc);
    return rc;
}

static void s_tags(struct cpw_restore_run *run, const json_t *tags)
{
    if (json_object_size(tags) == 0 || run->domain_created) {
        return; /* none, or given to CreateDomain */
    }
    struct cpw_buf arn;
    cpw_buf_init(&arn, 2048);
    if (cpw_inventory_domain_arn(&arn, run->account, run->region, run->domain)) {
        return;
    }
    json_t *have = NULL;
    json_t *missing = json_object();
    if (run->domain_exists &&
        cpw_backup_call(run->client, run->region, SERVICE, "ListTagsForResource",
                        json_pack("{s:s}", "resourceArn", cpw_buf_cstr(&arn)), false, &have)) {
        cpw_restore_note(run, CPW_RESTORE_FAILED, "tags", run->domain, cpw_last_error_detail());
        goto cleanup;
    }
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)tags, key, value)
    {
        if (!json_equal(json_object_get(json_object_get(have, "tags"), key), value)) {
            json_object_set(missing, key, value);
        }
    }
    if (json_object_size(missing) == 0) {
        cpw_restore_note(run, CPW_RESTORE_SKIP, "tags", run->domain, "already there, equal");
    } else if (run->opts->dry_run) {
        cpw_restore_note(run, CPW_RESTORE_CREATE, "tags", run->domain, "would be tagged");
    } else {
        json_t *out = NULL;
        if (cpw_backup_call(
              run->client, run->region, SERVICE, "TagResource",
              json_pack("{s:s,s:O}", "resourceArn", cpw_buf_cstr(&arn), "tags", missing), false,
              &out)) {
            cpw_restore_note(run, CPW_RESTORE_FAILED, "tags", run->domain, cpw_last_error_detail());
        } else {
            cpw_restore_note(run, CPW_RESTORE_CREATE, "tags", run->domain, "");
        }
        json_decref(out);
    }
cleanup:
    json_decref(have);
    json_decref(missing);
    cpw_buf_clean_up(&arn);
}

enum cpw_restore_status cpw_restore_domain(struct cpw_aws_client *client,
                                           const char *path,
                                           const struct cpw_restore_options *options,
                                           struct cpw_restore_summary *summary)
{
    struct cpw_restore_options none = { 0 };
    struct cpw_restore_run run = { .client = client, .opts = options ? options : &none };
    struct cpw_backup_reader *reader = cpw_backup_reader_open(path);
    enum cpw_restore_status rc = CPW_RESTORE_STOPPED;
    if (!reader) {
        goto cleanup;
    }
    const struct cpw_backup_header *header = cpw_backup_reader_header(reader);
    run.domain = run.opts->domain ? run.opts->domain : header->domain;
    run.region = run.opts->region ? run.opts->region : header->region;
    if (run.opts->account) {
        snprintf(run.account, sizeof(run.account), "%s", run.opts->account);
    } else if (cpw_backup_caller(client, run.region, run.account, NULL, 0)) {
        goto cleanup;
    }
    const json_t *settings = cpw_backup_reader_section(reader, CPW_BACKUP_SETTINGS);
    const json_t *tags = cpw_backup_reader_section(reader, CPW_BACKUP_TAGS);
    if (!settings) {
        cpw_raise(CPW_ERR_PARSE, "%s: the backup has no settings section", path);
        goto cleanup;
    }
    if (s_domain(&run, settings, tags)) {
        goto cleanup;
    }
    s_tags(&run, tags);
    /* Dependency order: object types before what names them (calculated attributes,
     * segments, triggers, integrations); segments before the triggers that filter on them;
     * triggers before the integrations that name them; schemas before recommenders, and
     * recommenders before their filters. */
    static const enum cpw_backup_section order[] = {
        CPW_BACKUP_OBJECT_TYPES,
        CPW_BACKUP_DOMAIN_OBJECT_TYPES,
        CPW_BACKUP_CALCULATED_ATTRIBUTES,
        CPW_BACKUP_SEGMENT_DEFINITIONS,
        CPW_BACKUP_EVENT_TRIGGERS,
        CPW_BACKUP_INTEGRATIONS,
        CPW_BACKUP_WORKFLOWS,
        CPW_BACKUP_EVENT_STREAMS,
        CPW_BACKUP_LAYOUTS,
        CPW_BACKUP_RECOMMENDER_SCHEMAS,
        CPW_BACKUP_RECOMMENDERS,
        CPW_BACKUP_RECOMMENDER_FILTERS,
    };
    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
        const json_t *list = cpw_backup_reader_section(reader, order[i]);
        switch (order[i]) {
        case CPW_BACKUP_OBJECT_TYPES:
            s_object_types(&run, list);
            break;
        case CPW_BACKUP_CALCULATED_ATTRIBUTES:
            s_calculated_attributes(&run, list);
            break;
        case CPW_BACKUP_INTEGRATIONS:
            s_integrations(&run, list);
            break;
        case CPW_BACKUP_WORKFLOWS:
            s_workflows(&run, list);
            break;
        case CPW_BACKUP_EVENT_STREAMS:
            s_event_streams(&run, list);
            break;
        default:
            s_items(&run, s_item_kind(order[i]), list);
            break;
        }
    }
    if (!run.opts->skip_profiles &&
        cpw_restore_profiles(&run, reader,
                             cpw_backup_reader_section(reader, CPW_BACKUP_OBJECT_TYPES))) {
        goto cleanup;
    }
    rc = (run.summary.conflicts || run.summary.failed) ? CPW_RESTORE_PARTIAL : CPW_RESTORE_COMPLETE;
cleanup:
    if (summary) {
        *summary = run.summary;
    }
    cpw_backup_reader_destroy(reader);
    return rc;
}
