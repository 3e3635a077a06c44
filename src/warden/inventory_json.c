/*
 * inventory_json.c - the inventory's JSON document (docs/inventory-schema.md): writing it, and
 * reading it back for snapshots and plans. The reader trusts nothing: every value is
 * type-checked and an error names the JSON path of the first bad value.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/error.h"
#include "cpw/json.h"
#include "cpw/time.h"
#include "inventory_internal.h"

#define JSON_MAX_BYTES (64u * 1024u * 1024u)

/* ----- writing ------------------------------------------------------------------------------- */

static json_t *s_str(const char *s)
{
    if (!s) {
        return json_null();
    }
    json_t *v = json_string(s);
    return v ? v : json_string("(invalid UTF-8)");
}

static json_t *s_time(int64_t epoch_s)
{
    char text[CPW_TIME_ISO8601_LEN + 1];
    if (epoch_s == 0 || cpw_time_format_iso8601(epoch_s, text) != 0) {
        return json_null();
    }
    return json_string(text);
}

static json_t *s_strv(char *const *v, size_t count)
{
    json_t *a = json_array();
    for (size_t i = 0; i < count; i++) {
        json_array_append_new(a, s_str(v[i]));
    }
    return a;
}

static json_t *s_instance(const struct cpw_inv_instance *x)
{
    json_t *o = json_object();
    json_object_set_new(o, "account", s_str(x->account));
    json_object_set_new(o, "region", s_str(x->region));
    json_object_set_new(o, "id", s_str(x->id));
    json_object_set_new(o, "arn", s_str(x->arn));
    json_object_set_new(o, "alias", s_str(x->alias));
    json_object_set_new(o, "status", s_str(x->status));
    json_object_set_new(o, "service_role_arn", s_str(x->service_role_arn));
    json_object_set_new(o, "domain", s_str(x->domain_arn));
    return o;
}

static json_t *s_domain(const struct cpw_inv_domain *x)
{
    json_t *o = json_object();
    json_object_set_new(o, "account", s_str(x->account));
    json_object_set_new(o, "region", s_str(x->region));
    json_object_set_new(o, "name", s_str(x->name));
    json_object_set_new(o, "arn", s_str(x->arn));
    json_object_set_new(o, "created_at", s_time(x->created_at_s));
    json_object_set_new(o, "updated_at", s_time(x->updated_at_s));
    json_object_set_new(o, "profile_count",
                        x->profile_count >= 0 ? json_integer(x->profile_count) : json_null());
    json_object_set_new(o, "instance_arns", s_strv(x->instance_arns, x->instance_arn_count));
    json_t *integrations = json_array();
    for (size_t i = 0; i < x->integration_count; i++) {
        json_t *it = json_object();
        json_object_set_new(it, "uri", s_str(x->integrations[i].uri));
        json_object_set_new(it, "object_type_name", s_str(x->integrations[i].object_type_name));
        json_object_set_new(it, "created_at", s_time(x->integrations[i].created_at_s));
        json_array_append_new(integrations, it);
    }
    json_object_set_new(o, "integrations", integrations);
    json_object_set_new(o, "role_arn", s_str(x->role_arn));
    json_object_set_new(o, "role_confidence", s_str(cpw_inv_confidence_name(x->role_confidence)));
    return o;
}

static json_t *s_role(const struct cpw_inv_role *x)
{
    json_t *o = json_object();
    json_object_set_new(o, "account", s_str(x->account));
    json_object_set_new(o, "name", s_str(x->name));
    json_object_set_new(o, "arn", s_str(x->arn));
    json_object_set_new(o, "path", s_str(x->path));
    json_object_set_new(o, "service", s_str(cpw_inv_role_service_name(x->service)));
    json_object_set_new(o, "created_at", s_time(x->created_at_s));
    json_object_set_new(o, "last_used_at", s_time(x->last_used_at_s));
    json_object_set_new(o, "last_used_region", s_str(x->last_used_region));
    json_object_set_new(o, "linked_arn", s_str(x->linked_arn));
    return o;
}

static json_t *s_finding(const struct cpw_inv_finding *x)
{
    json_t *o = json_object();
    json_object_set_new(o, "kind", s_str(cpw_inv_finding_kind_name(x->kind)));
    json_object_set_new(o, "severity", s_str(cpw_inv_severity_name(x->severity)));
    json_object_set_new(o, "confidence", s_str(cpw_inv_confidence_name(x->confidence)));
    json_object_set_new(o, "resource_arn", s_str(x->resource_arn));
    json_object_set_new(o, "account", s_str(x->account));
    json_object_set_new(o, "region", s_str(x->region));
    json_object_set_new(o, "evidence", s_strv(x->evidence, x->evidence_count));
    json_object_set_new(o, "action", s_str(x->action));
    return o;
}

static json_t *s_error(const struct cpw_inv_error *x)
{
    json_t *o = json_object();
    json_object_set_new(o, "account", s_str(x->account));
    json_object_set_new(o, "region", s_str(x->region));
    json_object_set_new(o, "service", s_str(x->service));
    json_object_set_new(o, "operation", s_str(x->operation));
    json_object_set_new(o, "code", s_str(x->code));
    json_object_set_new(o, "message", s_str(x->message));
    return o;
}

static json_t *s_region_status(const struct cpw_inv_region_status *x)
{
    json_t *o = json_object();
    json_object_set_new(o, "account", s_str(x->account));
    json_object_set_new(o, "region", s_str(x->region));
    json_object_set_new(o, "state", s_str(cpw_inv_region_state_name(x->state)));
    json_object_set_new(o, "evidence", s_str(x->evidence));
    return o;
}

/*
 * The document is written element by element, as jansson would print the whole tree with
 * JSON_INDENT(2): each element is built and dumped on its own at depth 0, then re-indented for
 * its depth in the document (strings never hold a raw newline: jansson escapes it), so that no
 * tree of the whole inventory and no copy of the whole text is ever held.
 */

/* Where the text goes: a buffer, or a stream through a bounded chunk. */
struct sink {
    struct cpw_buf *out; /* NULL: file */
    FILE *file;
    struct cpw_buf chunk; /* the file's pending bytes */
    struct cpw_buf elem;  /* one element's dump, reused */
    int failed;
};

#define SINK_CHUNK_BYTES (64u * 1024u)

static void s_flush(struct sink *k)
{
    if (k->file && k->chunk.len > 0 && !k->failed) {
        if (fwrite(k->chunk.data, 1, k->chunk.len, k->file) != k->chunk.len) {
            k->failed = cpw_raise(CPW_ERR_IO, "could not write the inventory");
        }
    }
    cpw_buf_reset(&k->chunk);
}

static void s_put(struct sink *k, const char *p, size_t n)
{
    if (k->failed) {
        return;
    }
    if (!k->file) {
        if (cpw_buf_append(k->out, cpw_span_from(p, n))) {
            k->failed = -1;
        }
        return;
    }
    if (k->chunk.len + n > SINK_CHUNK_BYTES) {
        s_flush(k);
    }
    if (n >= SINK_CHUNK_BYTES) {
        if (!k->failed && fwrite(p, 1, n, k->file) != n) {
            k->failed = cpw_raise(CPW_ERR_IO, "could not write the inventory");
        }
        return;
    }
    if (cpw_buf_append(&k->chunk, cpw_span_from(p, n))) {
        k->failed = -1;
    }
}

static void s_puts(struct sink *k, const char *s)
{
    s_put(k, s, strlen(s));
}

/* Dumps v (taken) at depth: every line after the first is indented by 2 * depth spaces more. */
static void s_put_value(struct sink *k, json_t *v, unsigned depth)
{
    cpw_buf_reset(&k->elem);
    int rc = v ? cpw_json_dump_with(v, CPW_JSON_DUMP_INDENT2, &k->elem) : -1;
    json_decref(v);
    if (rc != 0) {
        if (!k->failed) {
            k->failed = cpw_last_error() == CPW_ERR_LIMIT
                          ? -1
                          : cpw_raise(CPW_ERR_INTERNAL, "inventory JSON could not be written");
        }
        return;
    }
    static const char spaces[] = "        ";
    const char *p = (const char *)k->elem.data;
    size_t n = k->elem.len;
    size_t from = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\n') {
            s_put(k, p + from, i + 1 - from);
            s_put(k, spaces, 2u * depth);
            from = i + 1;
        }
    }
    s_put(k, p + from, n - from);
}

typedef json_t *(s_elem_fn)(const void *element);

static json_t *s_str_elem(const void *element)
{
    return s_str(element);
}
static json_t *s_instance_elem(const void *element)
{
    return s_instance(element);
}
static json_t *s_domain_elem(const void *element)
{
    return s_domain(element);
}
static json_t *s_role_elem(const void *element)
{
    return s_role(element);
}
static json_t *s_finding_elem(const void *element)
{
    return s_finding(element);
}
static json_t *s_error_elem(const void *element)
{
    return s_error(element);
}
static json_t *s_region_status_elem(const void *element)
{
    return s_region_status(element);
}

/* ,\n  "key": [\n    e,\n    e\n  ]  (or [] when empty), a member of the root object. */
static void s_put_array(struct sink *k,
                        const char *key,
                        const void *const *items,
                        size_t count,
                        s_elem_fn *fn)
{
    s_puts(k, ",\n  \"");
    s_puts(k, key);
    s_puts(k, count ? "\": [" : "\": []");
    for (size_t i = 0; i < count && !k->failed; i++) {
        s_puts(k, i ? ",\n    " : "\n    ");
        s_put_value(k, fn(items[i]), 2);
    }
    if (count) {
        s_puts(k, "\n  ]");
    }
}

static int s_write_json(const struct cpw_inventory *inv, struct sink *k)
{
    cpw_buf_init(&k->chunk, SINK_CHUNK_BYTES);
    cpw_buf_init(&k->elem, 256u * 1024u * 1024u);
    char head[64];
    snprintf(head, sizeof(head),
             "{\n  \"format_version\": %d,\n  \"scanned_at\": ", CPW_INVENTORY_SCHEMA);
    s_puts(k, head);
    s_put_value(k, s_time(inv->scanned_at_s), 1);
    s_put_array(k, "accounts", (const void *const *)inv->accounts, inv->account_count, s_str_elem);
    s_put_array(k, "regions", (const void *const *)inv->regions, inv->region_count, s_str_elem);
    s_put_array(k, "instances", (const void *const *)inv->instances, inv->instance_count,
                s_instance_elem);
    s_put_array(k, "domains", (const void *const *)inv->domains, inv->domain_count, s_domain_elem);
    s_put_array(k, "roles", (const void *const *)inv->roles, inv->role_count, s_role_elem);
    s_put_array(k, "findings", (const void *const *)inv->findings, inv->finding_count,
                s_finding_elem);
    s_put_array(k, "errors", (const void *const *)inv->errors, inv->error_count, s_error_elem);
    s_put_array(k, "region_statuses", (const void *const *)inv->region_statuses,
                inv->region_status_count, s_region_status_elem);
    s_puts(k, "\n}\n");
    s_flush(k);
    cpw_buf_clean_up(&k->chunk);
    cpw_buf_clean_up(&k->elem);
    return k->failed ? -1 : 0;
}

int cpw_inventory_write_json(const struct cpw_inventory *inv, struct cpw_buf *out)
{
    struct sink k = { .out = out };
    return s_write_json(inv, &k);
}

int cpw_inventory_write_json_file(const struct cpw_inventory *inv, FILE *stream)
{
    struct sink k = { .file = stream };
    return s_write_json(inv, &k);
}

/* ----- reading ------------------------------------------------------------------------------- */

/* Where the reader is, for error messages: "domains[2]". */
struct where {
    char text[160];
};

static void s_where(struct where *w, const char *section, size_t index)
{
    snprintf(w->text, sizeof(w->text), "%s[%zu]", section, index);
}

static int s_bad(const struct where *w, const char *key, const char *what)
{
    return cpw_raise(CPW_ERR_PARSE, "inventory JSON: %s%s%s: %s", w->text, key ? "." : "",
                     key ? key : "", what);
}

static int s_get_str(json_t *o, const struct where *w, const char *key, bool nullable, char **out)
{
    json_t *v = json_object_get(o, key);
    if (!v) {
        return s_bad(w, key, "missing");
    }
    if (json_is_null(v) && nullable) {
        *out = NULL;
        return 0;
    }
    if (!json_is_string(v)) {
        return s_bad(w, key, nullable ? "expected a string or null" : "expected a string");
    }
    if (memchr(json_string_value(v), '\0', json_string_length(v))) {
        return s_bad(w, key, "string contains NUL");
    }
    *out = cpw_strdup(json_string_value(v));
    return 0;
}

static int s_get_time(json_t *o, const struct where *w, const char *key, int64_t *out)
{
    json_t *v = json_object_get(o, key);
    if (!v) {
        return s_bad(w, key, "missing");
    }
    *out = 0;
    if (json_is_null(v)) {
        return 0;
    }
    int64_t ms = 0;
    char check[CPW_TIME_ISO8601_LEN + 1];
    /* Only times the writer can write back (after 1970, within its format) round-trip. */
    if (!json_is_string(v) ||
        cpw_time_parse_iso8601_ms(cpw_span_from(json_string_value(v), json_string_length(v)),
                                  &ms) != 0 ||
        ms < 1000 || cpw_time_format_iso8601(ms / 1000, check) != 0) {
        return s_bad(w, key, "expected an ISO 8601 time after 1970 or null");
    }
    *out = ms / 1000;
    return 0;
}

/* A time added after the first documents: a missing key reads as unknown. */
static int s_get_time_opt(json_t *o, const struct where *w, const char *key, int64_t *out)
{
    *out = 0;
    return json_object_get(o, key) ? s_get_time(o, w, key, out) : 0;
}

static int s_get_array(json_t *o, const struct where *w, const char *key, json_t **out)
{
    *out = json_object_get(o, key);
    if (!*out) {
        return s_bad(w, key, "missing");
    }
    return json_is_array(*out) ? 0 : s_bad(w, key, "expected an array");
}

static int s_get_strv(json_t *o, const struct where *w, const char *key, char ***v, size_t *count)
{
    json_t *a;
    if (s_get_array(o, w, key, &a)) {
        return -1;
    }
    for (size_t i = 0; i < json_array_size(a); i++) {
        json_t *s = json_array_get(a, i);
        if (!json_is_string(s) || memchr(json_string_value(s), '\0', json_string_length(s))) {
            return s_bad(w, key, "expected an array of strings");
        }
        cpw_inventory_strv_push(v, count, json_string_value(s));
    }
    return 0;
}

/* Reads a required string that must name an enum value through parse. */
static int s_get_enum(json_t *o,
                      const struct where *w,
                      const char *key,
                      bool nullable,
                      int (*parse)(const char *, void *),
                      void *out)
{
    char *name = NULL;
    if (s_get_str(o, w, key, nullable, &name)) {
        return -1;
    }
    int rc = (name && parse(name, out) != 0) ? s_bad(w, key, "unknown value") : 0;
    cpw_free(name);
    return rc;
}

static int s_parse_confidence(const char *n, void *out)
{
    return cpw_inventory_parse_confidence(n, out);
}
static int s_parse_severity(const char *n, void *out)
{
    return cpw_inventory_parse_severity(n, out);
}
static int s_parse_kind(const char *n, void *out)
{
    return cpw_inventory_parse_kind(n, out);
}
static int s_parse_service(const char *n, void *out)
{
    return cpw_inventory_parse_role_service(n, out);
}
static int s_parse_region_state(const char *n, void *out)
{
    return cpw_inventory_parse_region_state(n, out);
}

static void s_free_instance_fields(struct cpw_inv_instance *x)
{
    cpw_free(x->account);
    cpw_free(x->region);
    cpw_free(x->id);
    cpw_free(x->arn);
    cpw_free(x->alias);
    cpw_free(x->status);
    cpw_free(x->service_role_arn);
    cpw_free(x->domain_arn);
}

static int s_read_instance(struct cpw_inventory *inv, json_t *o, const struct where *w)
{
    struct cpw_inv_instance x = { 0 };
    int rc = -1;
    if (!json_is_object(o)) {
        s_bad(w, NULL, "expected an object");
        goto cleanup;
    }
    if (s_get_str(o, w, "account", false, &x.account) ||
        s_get_str(o, w, "region", true, &x.region) || s_get_str(o, w, "id", true, &x.id) ||
        s_get_str(o, w, "arn", true, &x.arn) || s_get_str(o, w, "alias", true, &x.alias) ||
        s_get_str(o, w, "status", true, &x.status) ||
        s_get_str(o, w, "service_role_arn", true, &x.service_role_arn) ||
        s_get_str(o, w, "domain", true, &x.domain_arn)) {
        goto cleanup;
    }
    struct cpw_inv_instance *stored = cpw_inventory_add_instance(inv, &x);
    stored->domain_arn = x.domain_arn;
    x.domain_arn = NULL;
    rc = 0;
cleanup:
    s_free_instance_fields(&x);
    return rc;
}

static int s_read_integrations(struct cpw_inv_domain *d, json_t *o, const struct where *w)
{
    json_t *a;
    if (s_get_array(o, w, "integrations", &a)) {
        return -1;
    }
    size_t n = json_array_size(a);
    d->integrations = n ? cpw_calloc(n, sizeof(*d->integrations)) : NULL;
    for (size_t i = 0; i < n; i++) {
        struct where iw;
        snprintf(iw.text, sizeof(iw.text), "%.64s.integrations[%zu]", w->text, i);
        json_t *it = json_array_get(a, i);
        struct cpw_inv_integration *x = &d->integrations[d->integration_count++];
        if (!json_is_object(it)) {
            return s_bad(&iw, NULL, "expected an object");
        }
        if (s_get_str(it, &iw, "uri", true, &x->uri) ||
            s_get_str(it, &iw, "object_type_name", true, &x->object_type_name) ||
            s_get_time(it, &iw, "created_at", &x->created_at_s)) {
            return -1;
        }
    }
    return 0;
}

static int s_read_domain(struct cpw_inventory *inv, json_t *o, const struct where *w)
{
    struct cpw_inv_domain *d = cpw_calloc(1, sizeof(*d));
    struct cpw_inv_domain *stored = NULL;
    int rc = -1;
    if (!json_is_object(o)) {
        s_bad(w, NULL, "expected an object");
        goto cleanup;
    }
    d->profile_count = -1;
    d->object_count = -1;
    d->metering_profile_count = -1;
    json_t *count = json_object_get(o, "profile_count");
    if (!count) {
        s_bad(w, "profile_count", "missing");
        goto cleanup;
    }
    if (json_is_integer(count) && json_integer_value(count) >= 0) {
        d->profile_count = json_integer_value(count);
    } else if (!json_is_null(count)) {
        s_bad(w, "profile_count", "expected a non-negative integer or null");
        goto cleanup;
    }
    if (s_get_str(o, w, "account", false, &d->account) ||
        s_get_str(o, w, "region", true, &d->region) || s_get_str(o, w, "name", true, &d->name) ||
        s_get_str(o, w, "arn", true, &d->arn) || s_get_time(o, w, "created_at", &d->created_at_s) ||
        s_get_time_opt(o, w, "updated_at", &d->updated_at_s) ||
        s_get_strv(o, w, "instance_arns", &d->instance_arns, &d->instance_arn_count) ||
        s_read_integrations(d, o, w) || s_get_str(o, w, "role_arn", true, &d->role_arn) ||
        s_get_enum(o, w, "role_confidence", true, s_parse_confidence, &d->role_confidence)) {
        goto cleanup;
    }
    stored = cpw_inventory_add_domain(inv, d);
    stored->instance_arns = d->instance_arns;
    stored->instance_arn_count = d->instance_arn_count;
    stored->role_arn = d->role_arn;
    stored->role_confidence = d->role_confidence;
    d->instance_arns = NULL;
    d->instance_arn_count = 0;
    d->role_arn = NULL;
    rc = 0;
cleanup:
    cpw_free(d->account);
    cpw_free(d->region);
    cpw_free(d->name);
    cpw_free(d->arn);
    for (size_t i = 0; d->integrations && i < d->integration_count; i++) {
        cpw_free(d->integrations[i].uri);
        cpw_free(d->integrations[i].object_type_name);
    }
    cpw_free(d->integrations);
    cpw_inventory_strv_free(&d->instance_arns, &d->instance_arn_count);
    cpw_free(d->role_arn);
    cpw_free(d);
    return rc;
}

static int s_read_role(struct cpw_inventory *inv, json_t *o, const struct where *w)
{
    struct cpw_inv_role x = { 0 };
    int rc = -1;
    if (!json_is_object(o)) {
        s_bad(w, NULL, "expected an object");
        goto cleanup;
    }
    if (s_get_str(o, w, "account", false, &x.account) || s_get_str(o, w, "name", true, &x.name) ||
        s_get_str(o, w, "arn", true, &x.arn) || s_get_str(o, w, "path", true, &x.path) ||
        s_get_enum(o, w, "service", false, s_parse_service, &x.service) ||
        s_get_time(o, w, "created_at", &x.created_at_s) ||
        s_get_time(o, w, "last_used_at", &x.last_used_at_s) ||
        s_get_str(o, w, "last_used_region", true, &x.last_used_region) ||
        s_get_str(o, w, "linked_arn", true, &x.linked_arn)) {
        goto cleanup;
    }
    struct cpw_inv_role *stored = cpw_inventory_add_role(inv, &x);
    stored->service = x.service;
    stored->linked_arn = x.linked_arn;
    x.linked_arn = NULL;
    rc = 0;
cleanup:
    cpw_free(x.account);
    cpw_free(x.name);
    cpw_free(x.arn);
    cpw_free(x.path);
    cpw_free(x.last_used_region);
    cpw_free(x.linked_arn);
    return rc;
}

static int s_read_finding(struct cpw_inventory *inv, json_t *o, const struct where *w)
{
    enum cpw_inv_finding_kind kind = 0;
    enum cpw_inv_severity severity = 0;
    enum cpw_inv_confidence confidence = 0;
    char *arn = NULL, *account = NULL, *region = NULL, *action = NULL;
    char **evidence = NULL;
    size_t evidence_count = 0;
    int rc = -1;
    if (!json_is_object(o)) {
        s_bad(w, NULL, "expected an object");
        goto cleanup;
    }
    if (s_get_enum(o, w, "kind", false, s_parse_kind, &kind) ||
        s_get_enum(o, w, "severity", false, s_parse_severity, &severity) ||
        s_get_enum(o, w, "confidence", false, s_parse_confidence, &confidence) ||
        s_get_str(o, w, "resource_arn", true, &arn) ||
        s_get_str(o, w, "account", false, &account) || s_get_str(o, w, "region", true, &region) ||
        s_get_strv(o, w, "evidence", &evidence, &evidence_count) ||
        s_get_str(o, w, "action", true, &action)) {
        goto cleanup;
    }
    struct cpw_inv_finding *f =
      cpw_inventory_push_finding(inv, kind, severity, confidence, arn, account, region);
    f->evidence = evidence;
    f->evidence_count = evidence_count;
    f->action = action;
    evidence = NULL;
    evidence_count = 0;
    action = NULL;
    rc = 0;
cleanup:
    cpw_free(arn);
    cpw_free(account);
    cpw_free(region);
    cpw_free(action);
    cpw_inventory_strv_free(&evidence, &evidence_count);
    return rc;
}

static int s_read_error(struct cpw_inventory *inv, json_t *o, const struct where *w)
{
    struct cpw_inv_error x = { 0 };
    int rc = -1;
    if (!json_is_object(o)) {
        s_bad(w, NULL, "expected an object");
        goto cleanup;
    }
    if (s_get_str(o, w, "account", false, &x.account) ||
        s_get_str(o, w, "region", true, &x.region) ||
        s_get_str(o, w, "service", true, &x.service) ||
        s_get_str(o, w, "operation", true, &x.operation) ||
        s_get_str(o, w, "code", true, &x.code) || s_get_str(o, w, "message", true, &x.message)) {
        goto cleanup;
    }
    cpw_inventory_add_error(inv, &x);
    rc = 0;
cleanup:
    cpw_free(x.account);
    cpw_free(x.region);
    cpw_free(x.service);
    cpw_free(x.operation);
    cpw_free(x.code);
    cpw_free(x.message);
    return rc;
}

static int s_read_region_status(struct cpw_inventory *inv, json_t *o, const struct where *w)
{
    struct cpw_inv_region_status x = { 0 };
    int rc = -1;
    if (!json_is_object(o)) {
        s_bad(w, NULL, "expected an object");
        goto cleanup;
    }
    if (s_get_str(o, w, "account", false, &x.account) ||
        s_get_str(o, w, "region", false, &x.region) ||
        s_get_enum(o, w, "state", false, s_parse_region_state, &x.state) ||
        s_get_str(o, w, "evidence", true, &x.evidence)) {
        goto cleanup;
    }
    if (cpw_inventory_find_region_status(inv, x.account, x.region)) {
        s_bad(w, "region", "a second status for the same account and region");
        goto cleanup;
    }
    (void)cpw_inventory_add_region_status(inv, &x);
    rc = 0;
cleanup:
    cpw_free(x.account);
    cpw_free(x.region);
    cpw_free(x.evidence);
    return rc;
}

typedef int(read_fn)(struct cpw_inventory *inv, json_t *o, const struct where *w);

static int s_read_section(struct cpw_inventory *inv, json_t *root, const char *key, read_fn *fn)
{
    struct where top = { "document" };
    json_t *a;
    if (s_get_array(root, &top, key, &a)) {
        return -1;
    }
    for (size_t i = 0; i < json_array_size(a); i++) {
        struct where w;
        s_where(&w, key, i);
        if (fn(inv, json_array_get(a, i), &w)) {
            return -1;
        }
    }
    return 0;
}

struct cpw_inventory *cpw_inventory_load_json(struct cpw_span json)
{
    struct cpw_inventory *inv = NULL;
    json_t *root = NULL;
    struct where top = { "document" };
    if (json.len > JSON_MAX_BYTES) {
        cpw_raise(CPW_ERR_LIMIT, "inventory JSON: %zu bytes is over the %u byte limit", json.len,
                  JSON_MAX_BYTES);
        goto on_error;
    }
    json_error_t err;
    if (cpw_json_load_ex(json, SIZE_MAX, CPW_JSON_LOAD_CONTAINER, &root, &err)) {
        cpw_raise(CPW_ERR_PARSE, "inventory JSON: line %d column %d: %s", err.line, err.column,
                  err.text);
        goto on_error;
    }
    if (!json_is_object(root)) {
        s_bad(&top, NULL, "expected an object");
        goto on_error;
    }
    /* "format_version", as every cpwarden document; "schema" in documents (and snapshots)
     * written before that name was shared. */
    const char *version_key = json_object_get(root, "format_version") ? "format_version" : "schema";
    json_t *schema = json_object_get(root, version_key);
    if (!json_is_integer(schema)) {
        s_bad(&top, version_key, "missing or not an integer");
        goto on_error;
    }
    if (json_integer_value(schema) != CPW_INVENTORY_SCHEMA) {
        cpw_raise(CPW_ERR_UNSUPPORTED,
                  "inventory JSON: format_version %lld is not supported (this cpwarden reads "
                  "format_version %d)",
                  (long long)json_integer_value(schema), CPW_INVENTORY_SCHEMA);
        goto on_error;
    }
    inv = cpw_inventory_new();
    if (s_get_time(root, &top, "scanned_at", &inv->scanned_at_s) ||
        s_get_strv(root, &top, "accounts", &inv->accounts, &inv->account_count) ||
        s_get_strv(root, &top, "regions", &inv->regions, &inv->region_count) ||
        s_read_section(inv, root, "instances", s_read_instance) ||
        s_read_section(inv, root, "domains", s_read_domain) ||
        s_read_section(inv, root, "roles", s_read_role) ||
        s_read_section(inv, root, "findings", s_read_finding) ||
        s_read_section(inv, root, "errors", s_read_error) ||
        (json_object_get(root, "region_statuses") && /* absent from earlier documents */
         s_read_section(inv, root, "region_statuses", s_read_region_status))) {
        goto on_error;
    }
    json_decref(root);
    return inv;
on_error:
    json_decref(root);
    cpw_inventory_destroy(inv);
    return NULL;
}
