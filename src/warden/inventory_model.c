/*
 * inventory_model.c - the inventory data model: building it (deep copies), reading it, freeing
 * it and naming its enums (its order and lookup aids are in inventory_order.c). The rules live in
 * inventory_rules.c, the formats in inventory_json.c, inventory_text.c and inventory_report.c.
 */
#include <stdlib.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/buf.h"
#include "cpw/error.h"
#include "cpw/time.h"
#include "inventory_internal.h"

/* ----- small helpers ------------------------------------------------------------------------ */

void cpw_inventory_strv_push(char ***v, size_t *count, const char *s)
{
    *v = cpw_realloc(*v, (*count + 1) * sizeof(**v));
    (*v)[(*count)++] = cpw_strdup(s);
}

void cpw_inventory_strv_free(char ***v, size_t *count)
{
    for (size_t i = 0; i < *count; i++) {
        cpw_free((*v)[i]);
    }
    cpw_free(*v);
    *v = NULL;
    *count = 0;
}

int cpw_inventory_strcmp(const char *a, const char *b)
{
    if (!a || !b) {
        return (a != NULL) - (b != NULL);
    }
    return strcmp(a, b);
}

bool cpw_inventory_streq(const char *a, const char *b)
{
    return cpw_inventory_strcmp(a, b) == 0;
}

void cpw_inventory_set_str(char **slot, const char *s)
{
    char *copy = cpw_strdup(s);
    cpw_free(*slot);
    *slot = copy;
}

void cpw_inventory_format_time(int64_t epoch_s, char out[32])
{
    if (epoch_s == 0 || cpw_time_format_iso8601(epoch_s, out) != 0) {
        memcpy(out, "unknown", sizeof("unknown"));
    }
}

/*
 * The strings an element is added with live in the element's own allocation, after the struct:
 * one allocation per element instead of one per string (the organization's inventory is held
 * until its analysis). s_packed_size sums what they need; s_pack copies one (NULL stays NULL).
 */
static size_t s_packed_size(const char *const *strings, size_t count)
{
    size_t n = 0;
    for (size_t i = 0; i < count; i++) {
        n += strings[i] ? strlen(strings[i]) + 1 : 0;
    }
    return n;
}

static char *s_pack(char **cursor, const char *s)
{
    if (!s) {
        return NULL;
    }
    size_t n = strlen(s) + 1;
    char *at = *cursor;
    memcpy(at, s, n);
    *cursor += n;
    return at;
}

static struct cpw_inv_tag *s_copy_tags(const struct cpw_inv_tag *tags, size_t count)
{
    if (count == 0 || !tags) {
        return NULL;
    }
    struct cpw_inv_tag *copy = cpw_calloc(count, sizeof(*copy));
    for (size_t i = 0; i < count; i++) {
        copy[i].key = cpw_strdup(tags[i].key);
        copy[i].value = cpw_strdup(tags[i].value);
    }
    return copy;
}

static void s_free_tags(struct cpw_inv_tag *tags, size_t count)
{
    for (size_t i = 0; tags && i < count; i++) {
        cpw_free(tags[i].key);
        cpw_free(tags[i].value);
    }
    cpw_free(tags);
}

static void s_push_ptr(void ***v, size_t *count, void *p)
{
    *v = cpw_realloc(*v, (*count + 1) * sizeof(**v));
    (*v)[(*count)++] = p;
}

/* ----- freeing ------------------------------------------------------------------------------- */

static void s_free_instance(struct cpw_inv_instance *x)
{
    if (!x) {
        return;
    }
    cpw_free(x->domain_arn); /* the other strings live in x's allocation */
    cpw_free(x);
}

static void s_free_domain(struct cpw_inv_domain *x)
{
    if (!x) {
        return;
    }
    s_free_tags(x->tags, x->tag_count); /* account ... dead_letter_queue_url live in x's */
    cpw_free(x->integrations);          /* with its strings */
    cpw_inventory_strv_free(&x->instance_arns, &x->instance_arn_count);
    cpw_free(x->role_arn);
    cpw_free(x);
}

static void s_free_role(struct cpw_inv_role *x)
{
    if (!x) {
        return;
    }
    s_free_tags(x->tags, x->tag_count); /* account ... last_used_region live in x's allocation */
    cpw_free(x->deletion_task_id);
    cpw_free(x->deletion_status);
    cpw_free(x->deletion_reason);
    cpw_free(x->linked_arn);
    cpw_free(x);
}

static void s_free_event(struct cpw_inv_event *x)
{
    if (!x) {
        return;
    }
    cpw_free(x->account);
    cpw_free(x->region);
    cpw_free(x->event_name);
    cpw_inventory_strv_free(&x->resource_names, &x->resource_name_count);
    cpw_free(x->invoked_by);
    s_free_tags(x->request_parameters, x->request_parameter_count);
    cpw_free(x);
}

static void s_free_error(struct cpw_inv_error *x)
{
    if (!x) {
        return;
    }
    cpw_free(x->account);
    cpw_free(x->region);
    cpw_free(x->service);
    cpw_free(x->operation);
    cpw_free(x->code);
    cpw_free(x->message);
    cpw_free(x);
}

static void s_free_region_status(struct cpw_inv_region_status *x)
{
    if (!x) {
        return;
    }
    cpw_free(x->account);
    cpw_free(x->region);
    cpw_free(x->evidence);
    cpw_free(x);
}

static void s_free_finding(struct cpw_inv_finding *x)
{
    if (!x) {
        return;
    }
    cpw_free(x->resource_arn);
    cpw_free(x->account);
    cpw_free(x->region);
    cpw_inventory_strv_free(&x->evidence, &x->evidence_count);
    cpw_free(x->action);
    cpw_free(x);
}

/* ----- lifecycle -------------------------------------------------------------------------------
 */

struct cpw_inventory *cpw_inventory_new(void)
{
    return cpw_calloc(1, sizeof(struct cpw_inventory));
}

void cpw_inventory_destroy(struct cpw_inventory *inv)
{
    if (!inv) {
        return;
    }
    cpw_inventory_strv_free(&inv->accounts, &inv->account_count);
    cpw_inventory_strv_free(&inv->regions, &inv->region_count);
    for (size_t i = 0; i < inv->instance_count; i++) {
        s_free_instance(inv->instances[i]);
    }
    for (size_t i = 0; i < inv->domain_count; i++) {
        s_free_domain(inv->domains[i]);
    }
    for (size_t i = 0; i < inv->role_count; i++) {
        s_free_role(inv->roles[i]);
    }
    for (size_t i = 0; i < inv->event_count; i++) {
        s_free_event(inv->events[i]);
    }
    for (size_t i = 0; i < inv->error_count; i++) {
        s_free_error(inv->errors[i]);
    }
    for (size_t i = 0; i < inv->finding_count; i++) {
        s_free_finding(inv->findings[i]);
    }
    for (size_t i = 0; i < inv->region_status_count; i++) {
        s_free_region_status(inv->region_statuses[i]);
    }
    cpw_inventory_unsorted(inv);
    cpw_free(inv->region_statuses);
    cpw_free(inv->instances);
    cpw_free(inv->domains);
    cpw_free(inv->roles);
    cpw_free(inv->events);
    cpw_free(inv->errors);
    cpw_free(inv->findings);
    cpw_free(inv);
}

void cpw_inventory_set_scanned_at(struct cpw_inventory *inv, int64_t epoch_s)
{
    inv->scanned_at_s = epoch_s;
}

int64_t cpw_inventory_scanned_at(const struct cpw_inventory *inv)
{
    return inv->scanned_at_s;
}

static void s_add_unique(char ***v, size_t *count, const char *s)
{
    if (!s) {
        return;
    }
    for (size_t i = 0; i < *count; i++) {
        if (strcmp((*v)[i], s) == 0) {
            return;
        }
    }
    cpw_inventory_strv_push(v, count, s);
}

void cpw_inventory_add_account(struct cpw_inventory *inv, const char *account)
{
    cpw_inventory_unsorted(inv);
    s_add_unique(&inv->accounts, &inv->account_count, account);
}

void cpw_inventory_add_region(struct cpw_inventory *inv, const char *region)
{
    cpw_inventory_unsorted(inv);
    s_add_unique(&inv->regions, &inv->region_count, region);
}

static bool s_check_account(const char *what, const char *account)
{
    if (!account) {
        cpw_raise(CPW_ERR_INVALID_ARGUMENT, "inventory: a %s needs an account", what);
        return false;
    }
    return true;
}

struct cpw_inv_instance *cpw_inventory_add_instance(struct cpw_inventory *inv,
                                                    const struct cpw_inv_instance *src)
{
    if (!s_check_account("instance", src->account)) {
        return NULL;
    }
    const char *const strings[] = {
        src->account, src->region, src->id, src->arn, src->alias, src->status, src->service_role_arn
    };
    struct cpw_inv_instance *x =
      cpw_calloc(1, sizeof(*x) + s_packed_size(strings, sizeof(strings) / sizeof(strings[0])));
    char *cursor = (char *)(x + 1);
    x->account = s_pack(&cursor, src->account);
    x->region = s_pack(&cursor, src->region);
    x->id = s_pack(&cursor, src->id);
    x->arn = s_pack(&cursor, src->arn);
    x->alias = s_pack(&cursor, src->alias);
    x->status = s_pack(&cursor, src->status);
    x->service_role_arn = s_pack(&cursor, src->service_role_arn);
    x->created_at_s = src->created_at_s;
    cpw_inventory_unsorted(inv);
    s_push_ptr((void ***)&inv->instances, &inv->instance_count, x);
    return x;
}

struct cpw_inv_domain *cpw_inventory_add_domain(struct cpw_inventory *inv,
                                                const struct cpw_inv_domain *src)
{
    if (!s_check_account("domain", src->account)) {
        return NULL;
    }
    struct cpw_buf built;
    cpw_buf_init(&built, 4096);
    const char *arn = src->arn;
    if (!arn && src->region && src->name &&
        cpw_inventory_domain_arn(&built, src->account, src->region, src->name) == 0) {
        arn = cpw_buf_cstr(&built);
    }
    const char *const strings[] = { src->account,
                                    src->region,
                                    src->name,
                                    arn,
                                    src->default_encryption_key,
                                    src->dead_letter_queue_url };
    struct cpw_inv_domain *x =
      cpw_calloc(1, sizeof(*x) + s_packed_size(strings, sizeof(strings) / sizeof(strings[0])));
    char *cursor = (char *)(x + 1);
    x->account = s_pack(&cursor, src->account);
    x->region = s_pack(&cursor, src->region);
    x->name = s_pack(&cursor, src->name);
    x->arn = s_pack(&cursor, arn);
    x->default_encryption_key = s_pack(&cursor, src->default_encryption_key);
    x->dead_letter_queue_url = s_pack(&cursor, src->dead_letter_queue_url);
    cpw_buf_clean_up(&built);
    x->created_at_s = src->created_at_s;
    x->updated_at_s = src->updated_at_s;
    x->profile_count = src->profile_count;
    x->object_count = src->object_count;
    x->metering_profile_count = src->metering_profile_count;
    x->matching_enabled = src->matching_enabled;
    x->tags = s_copy_tags(src->tags, src->tag_count);
    x->tag_count = x->tags ? src->tag_count : 0;
    if (src->integration_count && src->integrations) {
        /* The list and its strings in one allocation, as the element's own strings. */
        size_t bytes = src->integration_count * sizeof(*x->integrations);
        for (size_t i = 0; i < src->integration_count; i++) {
            const char *const pair[] = { src->integrations[i].uri,
                                         src->integrations[i].object_type_name };
            bytes += s_packed_size(pair, 2);
        }
        x->integrations = cpw_calloc(1, bytes);
        char *at = (char *)(x->integrations + src->integration_count);
        for (size_t i = 0; i < src->integration_count; i++) {
            x->integrations[i].uri = s_pack(&at, src->integrations[i].uri);
            x->integrations[i].object_type_name =
              s_pack(&at, src->integrations[i].object_type_name);
            x->integrations[i].created_at_s = src->integrations[i].created_at_s;
        }
        x->integration_count = src->integration_count;
    }
    cpw_inventory_unsorted(inv);
    s_push_ptr((void ***)&inv->domains, &inv->domain_count, x);
    return x;
}

static enum cpw_inv_role_service s_service_from_path(const char *path)
{
    if (path && strcmp(path, CPW_INV_PROFILE_ROLE_PATH) == 0) {
        return CPW_INV_ROLE_PROFILE;
    }
    if (path && strcmp(path, CPW_INV_CONNECT_ROLE_PATH) == 0) {
        return CPW_INV_ROLE_CONNECT;
    }
    return CPW_INV_ROLE_OTHER;
}

struct cpw_inv_role *cpw_inventory_add_role(struct cpw_inventory *inv,
                                            const struct cpw_inv_role *src)
{
    if (!s_check_account("role", src->account)) {
        return NULL;
    }
    const char *const strings[] = { src->account, src->name, src->arn, src->path,
                                    src->last_used_region };
    struct cpw_inv_role *x =
      cpw_calloc(1, sizeof(*x) + s_packed_size(strings, sizeof(strings) / sizeof(strings[0])));
    char *cursor = (char *)(x + 1);
    x->account = s_pack(&cursor, src->account);
    x->name = s_pack(&cursor, src->name);
    x->arn = s_pack(&cursor, src->arn);
    x->path = s_pack(&cursor, src->path);
    x->last_used_region = s_pack(&cursor, src->last_used_region);
    x->service = s_service_from_path(src->path);
    x->created_at_s = src->created_at_s;
    x->last_used_at_s = src->last_used_at_s;
    x->tags = s_copy_tags(src->tags, src->tag_count);
    x->tag_count = x->tags ? src->tag_count : 0;
    x->deletion_task_id = cpw_strdup(src->deletion_task_id);
    x->deletion_status = cpw_strdup(src->deletion_status);
    x->deletion_reason = cpw_strdup(src->deletion_reason);
    cpw_inventory_unsorted(inv);
    s_push_ptr((void ***)&inv->roles, &inv->role_count, x);
    return x;
}

struct cpw_inv_event *cpw_inventory_add_event(struct cpw_inventory *inv,
                                              const struct cpw_inv_event *src)
{
    if (!s_check_account("CloudTrail event", src->account)) {
        return NULL;
    }
    struct cpw_inv_event *x = cpw_calloc(1, sizeof(*x));
    x->account = cpw_strdup(src->account);
    x->region = cpw_strdup(src->region);
    x->event_name = cpw_strdup(src->event_name);
    x->event_time_s = src->event_time_s;
    for (size_t i = 0; src->resource_names && i < src->resource_name_count; i++) {
        cpw_inventory_strv_push(&x->resource_names, &x->resource_name_count,
                                src->resource_names[i]);
    }
    x->invoked_by = cpw_strdup(src->invoked_by);
    x->request_parameters = s_copy_tags(src->request_parameters, src->request_parameter_count);
    x->request_parameter_count = x->request_parameters ? src->request_parameter_count : 0;
    cpw_inventory_unsorted(inv);
    s_push_ptr((void ***)&inv->events, &inv->event_count, x);
    return x;
}

/* A copy of text a remote party wrote (an error code or message), with every control character
 * escaped, so that no renderer (table, markdown, csv, plan) can pass a terminal escape through. */
static char *s_printable_dup(const char *s)
{
    if (!s) {
        return NULL;
    }
    struct cpw_buf out;
    cpw_buf_init(&out, 4 * strlen(s) + 1);
    (void)cpw_buf_append_printable(&out, cpw_span_from_cstr(s), 0);
    return cpw_buf_detach(&out);
}

struct cpw_inv_error *cpw_inventory_add_error(struct cpw_inventory *inv,
                                              const struct cpw_inv_error *src)
{
    if (!s_check_account("scan error", src->account)) {
        return NULL;
    }
    struct cpw_inv_error *x = cpw_calloc(1, sizeof(*x));
    x->account = cpw_strdup(src->account);
    x->region = cpw_strdup(src->region);
    x->service = cpw_strdup(src->service);
    x->operation = cpw_strdup(src->operation);
    x->code = s_printable_dup(src->code);
    x->message = s_printable_dup(src->message);
    cpw_inventory_unsorted(inv);
    s_push_ptr((void ***)&inv->errors, &inv->error_count, x);
    return x;
}

struct cpw_inv_region_status *cpw_inventory_add_region_status(
  struct cpw_inventory *inv,
  const struct cpw_inv_region_status *src)
{
    if (!s_check_account("region status", src->account)) {
        return NULL;
    }
    if (!src->region) {
        cpw_raise(CPW_ERR_INVALID_ARGUMENT, "a region status needs a region");
        return NULL;
    }
    struct cpw_inv_region_status *x = NULL;
    for (size_t i = 0; i < inv->region_status_count; i++) {
        if (cpw_inventory_streq(inv->region_statuses[i]->account, src->account) &&
            cpw_inventory_streq(inv->region_statuses[i]->region, src->region)) {
            x = inv->region_statuses[i];
        }
    }
    if (!x) {
        x = cpw_calloc(1, sizeof(*x));
        x->account = cpw_strdup(src->account);
        x->region = cpw_strdup(src->region);
        cpw_inventory_unsorted(inv);
        s_push_ptr((void ***)&inv->region_statuses, &inv->region_status_count, x);
    }
    x->state = src->state;
    cpw_inventory_set_str(&x->evidence, src->evidence);
    return x;
}

int cpw_inventory_domain_arn(struct cpw_buf *out,
                             const char *account,
                             const char *region,
                             const char *name)
{
    /* Service Authorization Reference: arn:${Partition}:profile:${Region}:${Account}:domains/... */
    const char *partition = "aws";
    if (region && strncmp(region, "cn-", 3) == 0) {
        partition = "aws-cn";
    } else if (region && strncmp(region, "us-gov-", 7) == 0) {
        partition = "aws-us-gov";
    }
    return cpw_buf_appendf(out, "arn:%s:profile:%s:%s:domains/%s", partition, region ? region : "",
                           account ? account : "", name ? name : "");
}

struct cpw_inv_finding *cpw_inventory_push_finding(struct cpw_inventory *inv,
                                                   enum cpw_inv_finding_kind kind,
                                                   enum cpw_inv_severity severity,
                                                   enum cpw_inv_confidence confidence,
                                                   const char *resource_arn,
                                                   const char *account,
                                                   const char *region)
{
    struct cpw_inv_finding *f = cpw_calloc(1, sizeof(*f));
    f->kind = kind;
    f->severity = severity;
    f->confidence = confidence;
    f->resource_arn = cpw_strdup(resource_arn);
    f->account = cpw_strdup(account);
    f->region = cpw_strdup(region);
    s_push_ptr((void ***)&inv->findings, &inv->finding_count, f);
    return f;
}

void cpw_inventory_evidence(struct cpw_inv_finding *f, const char *fmt, ...)
{
    struct cpw_buf text;
    cpw_buf_init(&text, 64 * 1024);
    va_list ap;
    va_start(ap, fmt);
    (void)cpw_buf_vappendf(&text, fmt, ap); /* on failure the statement is empty, never partial */
    va_end(ap);
    f->evidence = cpw_realloc(f->evidence, (f->evidence_count + 1) * sizeof(*f->evidence));
    f->evidence[f->evidence_count++] = cpw_strdup(cpw_buf_cstr(&text)); /* no spare capacity */
    cpw_buf_clean_up(&text);
}

void cpw_inventory_clear_derived(struct cpw_inventory *inv)
{
    for (size_t i = 0; i < inv->instance_count; i++) {
        cpw_inventory_set_str(&inv->instances[i]->domain_arn, NULL);
    }
    for (size_t i = 0; i < inv->domain_count; i++) {
        struct cpw_inv_domain *d = inv->domains[i];
        cpw_inventory_strv_free(&d->instance_arns, &d->instance_arn_count);
        cpw_inventory_set_str(&d->role_arn, NULL);
        d->role_confidence = CPW_INV_CONFIDENCE_NONE;
    }
    for (size_t i = 0; i < inv->role_count; i++) {
        cpw_inventory_set_str(&inv->roles[i]->linked_arn, NULL);
    }
    for (size_t i = 0; i < inv->finding_count; i++) {
        s_free_finding(inv->findings[i]);
    }
    cpw_free(inv->findings);
    inv->findings = NULL;
    inv->finding_count = 0;
}

/* ----- reading ------------------------------------------------------------------------------- */

size_t cpw_inventory_account_count(const struct cpw_inventory *inv)
{
    return inv->account_count;
}

const char *cpw_inventory_account(const struct cpw_inventory *inv, size_t i)
{
    return i < inv->account_count ? inv->accounts[i] : NULL;
}

size_t cpw_inventory_region_count(const struct cpw_inventory *inv)
{
    return inv->region_count;
}

const char *cpw_inventory_region(const struct cpw_inventory *inv, size_t i)
{
    return i < inv->region_count ? inv->regions[i] : NULL;
}

#define CPW_INV_ACCESSORS_(type, plural)                                                           \
    size_t cpw_inventory_##type##_count(const struct cpw_inventory *inv)                           \
    {                                                                                              \
        return inv->type##_count;                                                                  \
    }                                                                                              \
    const struct cpw_inv_##type *cpw_inventory_##type(const struct cpw_inventory *inv, size_t i)   \
    {                                                                                              \
        return i < inv->type##_count ? inv->plural[i] : NULL;                                      \
    }

CPW_INV_ACCESSORS_(instance, instances)
CPW_INV_ACCESSORS_(domain, domains)
CPW_INV_ACCESSORS_(role, roles)
CPW_INV_ACCESSORS_(event, events)
CPW_INV_ACCESSORS_(error, errors)
CPW_INV_ACCESSORS_(finding, findings)
CPW_INV_ACCESSORS_(region_status, region_statuses)

const struct cpw_inv_region_status *cpw_inventory_find_region_status(
  const struct cpw_inventory *inv,
  const char *account,
  const char *region)
{
    size_t lo = 0;
    size_t hi = 0;
    CPW_INV_RANGE(inv, region_statuses, region_status_count, struct cpw_inv_region_status, account,
                  &lo, &hi);
    for (size_t i = lo; i < hi; i++) {
        const struct cpw_inv_region_status *x = inv->region_statuses[i];
        if (cpw_inventory_streq(x->account, account) && cpw_inventory_streq(x->region, region)) {
            return x;
        }
    }
    return NULL;
}

const struct cpw_inv_instance *cpw_inventory_find_instance(const struct cpw_inventory *inv,
                                                           const char *arn)
{
    if (inv->sorted) {
        size_t first = 0;
        return cpw_inventory_index_find(inv->instance_by_arn, inv->instance_by_arn_count, arn,
                                        &first)
                 ? inv->instances[inv->instance_by_arn[first].pos]
                 : NULL;
    }
    for (size_t i = 0; arn && i < inv->instance_count; i++) {
        if (cpw_inventory_streq(inv->instances[i]->arn, arn)) {
            return inv->instances[i];
        }
    }
    return NULL;
}

const struct cpw_inv_domain *cpw_inventory_find_domain(const struct cpw_inventory *inv,
                                                       const char *arn)
{
    for (size_t i = 0; arn && i < inv->domain_count; i++) {
        if (cpw_inventory_streq(inv->domains[i]->arn, arn)) {
            return inv->domains[i];
        }
    }
    return NULL;
}

const struct cpw_inv_role *cpw_inventory_find_role(const struct cpw_inventory *inv, const char *arn)
{
    if (inv->sorted) {
        size_t first = 0;
        return cpw_inventory_index_find(inv->role_by_arn, inv->role_by_arn_count, arn, &first)
                 ? inv->roles[inv->role_by_arn[first].pos]
                 : NULL;
    }
    for (size_t i = 0; arn && i < inv->role_count; i++) {
        if (cpw_inventory_streq(inv->roles[i]->arn, arn)) {
            return inv->roles[i];
        }
    }
    return NULL;
}

const struct cpw_inv_finding *cpw_inventory_find_finding(const struct cpw_inventory *inv,
                                                         enum cpw_inv_finding_kind kind,
                                                         const char *resource_arn)
{
    for (size_t i = 0; i < inv->finding_count; i++) {
        const struct cpw_inv_finding *f = inv->findings[i];
        if (f->kind == kind && cpw_inventory_streq(f->resource_arn, resource_arn)) {
            return f;
        }
    }
    return NULL;
}

/* ----- names -----------------------------------------------------------------------------------
 */

static const char *const s_kind_names[CPW_INV_FINDING_KIND_COUNT_] = {
#define CPW_INV_FINDING_NAME_(e, name) [(e)] = (name),
    CPW_INV_FINDING_KIND_LIST(CPW_INV_FINDING_NAME_)
#undef CPW_INV_FINDING_NAME_
};

#define CPW_INV_NAME_(e, name) [(e)] = (name),
static const char *const s_confidence_names[CPW_INV_CONFIDENCE_COUNT] = { CPW_INV_CONFIDENCE_LIST(
  CPW_INV_NAME_) };
static const char *const s_severity_names[CPW_INV_SEVERITY_COUNT] = { CPW_INV_SEVERITY_LIST(
  CPW_INV_NAME_) };
static const char *const s_service_names[CPW_INV_ROLE_SERVICE_COUNT] = { CPW_INV_ROLE_SERVICE_LIST(
  CPW_INV_NAME_) };
static const char *const s_format_names[CPW_INV_FORMAT_COUNT] = { CPW_INV_FORMAT_LIST(
  CPW_INV_NAME_) };
static const char *const s_region_state_names[CPW_INV_REGION_STATE_COUNT] = {
    CPW_INV_REGION_STATE_LIST(CPW_INV_NAME_)
};
#undef CPW_INV_NAME_

const char *cpw_inv_finding_kind_name(enum cpw_inv_finding_kind kind)
{
    return (unsigned)kind < CPW_INV_FINDING_KIND_COUNT_ ? s_kind_names[kind] : "unknown";
}

const char *cpw_inv_confidence_name(enum cpw_inv_confidence confidence)
{
    return (unsigned)confidence < CPW_INV_CONFIDENCE_COUNT ? s_confidence_names[confidence] : NULL;
}

const char *cpw_inv_severity_name(enum cpw_inv_severity severity)
{
    return (unsigned)severity < CPW_INV_SEVERITY_COUNT ? s_severity_names[severity] : "unknown";
}

const char *cpw_inv_role_service_name(enum cpw_inv_role_service service)
{
    return (unsigned)service < CPW_INV_ROLE_SERVICE_COUNT ? s_service_names[service] : "other";
}

const char *cpw_inv_format_name(enum cpw_inv_format format)
{
    return (unsigned)format < CPW_INV_FORMAT_COUNT ? s_format_names[format] : "unknown";
}

const char *cpw_inv_region_state_name(enum cpw_inv_region_state state)
{
    return (unsigned)state < CPW_INV_REGION_STATE_COUNT ? s_region_state_names[state] : "unknown";
}

static int s_parse_name(const char *name, const char *const *names, size_t count)
{
    for (size_t i = 0; name && i < count; i++) {
        if (names[i] && strcmp(names[i], name) == 0) {
            return (int)i;
        }
    }
    return -1;
}

int cpw_inv_format_parse(const char *name, enum cpw_inv_format *out)
{
    int i = s_parse_name(name, s_format_names, CPW_INV_FORMAT_COUNT);
    if (i < 0) {
        return cpw_raise(CPW_ERR_INVALID_ARGUMENT,
                         "unknown output format '%s' (table, json, csv or markdown)",
                         name ? name : "");
    }
    *out = (enum cpw_inv_format)i;
    return 0;
}

int cpw_inventory_parse_confidence(const char *name, enum cpw_inv_confidence *out)
{
    int i = s_parse_name(name, s_confidence_names, CPW_INV_CONFIDENCE_COUNT);
    if (i < 1) {
        return -1;
    }
    *out = (enum cpw_inv_confidence)i;
    return 0;
}

int cpw_inventory_parse_severity(const char *name, enum cpw_inv_severity *out)
{
    int i = s_parse_name(name, s_severity_names, CPW_INV_SEVERITY_COUNT);
    if (i < 0) {
        return -1;
    }
    *out = (enum cpw_inv_severity)i;
    return 0;
}

int cpw_inventory_parse_kind(const char *name, enum cpw_inv_finding_kind *out)
{
    int i = s_parse_name(name, s_kind_names, CPW_INV_FINDING_KIND_COUNT_);
    if (i < 0) {
        return -1;
    }
    *out = (enum cpw_inv_finding_kind)i;
    return 0;
}

int cpw_inventory_parse_role_service(const char *name, enum cpw_inv_role_service *out)
{
    int i = s_parse_name(name, s_service_names, CPW_INV_ROLE_SERVICE_COUNT);
    if (i < 0) {
        return -1;
    }
    *out = (enum cpw_inv_role_service)i;
    return 0;
}

int cpw_inventory_parse_region_state(const char *name, enum cpw_inv_region_state *out)
{
    int i = s_parse_name(name, s_region_state_names, CPW_INV_REGION_STATE_COUNT);
    if (i < 0) {
        return -1;
    }
    *out = (enum cpw_inv_region_state)i;
    return 0;
}
