/*
 * model.c - lazy, thread-safe access to the embedded botocore service models.
 */
#include "cpw/model.h"
#include "cpw/json.h"

#include <ctype.h>
#include <pthread.h>
#include <string.h>

#include "codec_internal.h"
#include "cpw/alloc.h"
#include "cpw/error.h"
#include "embedded.h"
#include "validate_internal.h"

struct cpw_model_service {
    const struct cpw_model_blob *blob;
    json_t *doc; /* owned; NULL until parsed */
    enum cpw_protocol protocol;
    const char *signing_name;
    const char *endpoint_prefix;
};

#define MAX_SERVICES 16

static pthread_mutex_t s_lock = PTHREAD_MUTEX_INITIALIZER;
static struct cpw_model_service s_services[MAX_SERVICES];
static size_t s_service_count;
static json_t *s_endpoints;
static bool s_indexed;

static void s_index_locked(void)
{
    if (s_indexed) {
        return;
    }
    for (size_t i = 0; i < cpw_model_blob_count && s_service_count < MAX_SERVICES; i++) {
        if (strcmp(cpw_model_blobs[i].name, "endpoints") == 0) {
            continue;
        }
        s_services[s_service_count++].blob = &cpw_model_blobs[i];
    }
    s_indexed = true;
}

static const char *s_meta(const json_t *doc, const char *key)
{
    return json_string_value(json_object_get(json_object_get(doc, "metadata"), key));
}

static json_t *s_parse_blob(const struct cpw_model_blob *blob)
{
    json_error_t err;
    json_t *doc = NULL;
    (void)cpw_json_load_ex(cpw_span_from(blob->start, (size_t)(blob->end - blob->start)), SIZE_MAX,
                           CPW_JSON_LOAD_CONTAINER, &doc, &err);
    if (!doc) {
        cpw_raise(CPW_ERR_MODEL, "embedded model %s does not parse: %s (line %d)", blob->name,
                  err.text, err.line);
    }
    return doc;
}

static bool s_same(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* Parses svc's model if needed. Caller holds s_lock. */
static int s_load_locked(struct cpw_model_service *svc)
{
    if (svc->doc) {
        return 0;
    }
    json_t *doc = s_parse_blob(svc->blob);
    if (!doc) {
        return -1;
    }
    const char *protocol = s_meta(doc, "protocol");
    if (!protocol) {
        json_decref(doc);
        return cpw_raise(CPW_ERR_MODEL, "model %s has no protocol", svc->blob->name);
    }
    if (strcmp(protocol, "rest-json") == 0) {
        svc->protocol = CPW_PROTOCOL_REST_JSON;
    } else if (strcmp(protocol, "query") == 0) {
        svc->protocol = CPW_PROTOCOL_QUERY;
    } else if (strcmp(protocol, "json") == 0) {
        svc->protocol = CPW_PROTOCOL_JSON;
    } else {
        json_decref(doc);
        return cpw_raise(CPW_ERR_MODEL, "model %s uses unsupported protocol %s", svc->blob->name,
                         protocol);
    }
    svc->endpoint_prefix = s_meta(doc, "endpointPrefix");
    svc->signing_name = s_meta(doc, "signingName");
    if (!svc->signing_name) {
        svc->signing_name = svc->endpoint_prefix;
    }
    const struct cpw_model_blob *blob = svc->blob;
    const char *table_signing = blob->signing_name ? blob->signing_name : blob->endpoint_prefix;
    if (!s_same(table_signing, svc->signing_name) ||
        !s_same(blob->endpoint_prefix, svc->endpoint_prefix)) {
        json_decref(doc);
        return cpw_raise(CPW_ERR_MODEL, "model %s: build-time metadata table is stale", blob->name);
    }
    svc->doc = doc;
    return 0;
}

const struct cpw_model_service *cpw_model_service_get(const char *name)
{
    if (!name) {
        cpw_raise(CPW_ERR_MODEL, "no service name given");
        return NULL;
    }
    pthread_mutex_lock(&s_lock);
    s_index_locked();
    struct cpw_model_service *found = NULL;
    for (size_t i = 0; i < s_service_count && !found; i++) {
        if (strcmp(s_services[i].blob->name, name) == 0) {
            found = &s_services[i];
        }
    }
    /* Signing names and endpoint prefixes come from the build-time table: no other model is
     * parsed to find this one (s_load_locked checks the table against the parsed metadata). */
    for (size_t i = 0; i < s_service_count && !found; i++) {
        const struct cpw_model_blob *blob = s_services[i].blob;
        const char *signing = blob->signing_name ? blob->signing_name : blob->endpoint_prefix;
        if ((signing && strcmp(signing, name) == 0) ||
            (blob->endpoint_prefix && strcmp(blob->endpoint_prefix, name) == 0)) {
            found = &s_services[i];
        }
    }
    if (found && s_load_locked(found)) {
        found = NULL;
    } else if (!found) {
        cpw_raise(CPW_ERR_MODEL, "'%s' is not a service cpwarden knows", name);
    }
    pthread_mutex_unlock(&s_lock);
    return found;
}

size_t cpw_model_service_count(void)
{
    pthread_mutex_lock(&s_lock);
    s_index_locked();
    size_t n = s_service_count;
    pthread_mutex_unlock(&s_lock);
    return n;
}

const struct cpw_model_service *cpw_model_service_at(size_t i)
{
    if (i >= cpw_model_service_count()) {
        return NULL;
    }
    return cpw_model_service_get(s_services[i].blob->name);
}

const char *cpw_model_name(const struct cpw_model_service *svc)
{
    return svc->blob->name;
}

enum cpw_protocol cpw_model_protocol(const struct cpw_model_service *svc)
{
    return svc->protocol;
}

const char *cpw_model_signing_name(const struct cpw_model_service *svc)
{
    return svc->signing_name;
}

const char *cpw_model_endpoint_prefix(const struct cpw_model_service *svc)
{
    return svc->endpoint_prefix;
}

const char *cpw_model_service_id(const struct cpw_model_service *svc)
{
    return s_meta(svc->doc, "serviceId");
}

const char *cpw_model_api_version(const struct cpw_model_service *svc)
{
    return s_meta(svc->doc, "apiVersion");
}

const char *cpw_model_target_prefix(const struct cpw_model_service *svc)
{
    return s_meta(svc->doc, "targetPrefix");
}

const char *cpw_model_json_version(const struct cpw_model_service *svc)
{
    return s_meta(svc->doc, "jsonVersion");
}

const char *cpw_model_xml_namespace(const struct cpw_model_service *svc)
{
    return s_meta(svc->doc, "xmlNamespace");
}

const json_t *cpw_model_document(const struct cpw_model_service *svc)
{
    return svc->doc;
}

const json_t *cpw_model_operation(const struct cpw_model_service *svc, const char *operation)
{
    return json_object_get(json_object_get(svc->doc, "operations"), operation);
}

/* "ListDomains" -> "list-domains", botocore's xform_name for the common cases (runs of capitals
 * such as "SAMLProvider" become "saml-provider"). */
static void s_kebab(const char *name, char *out, size_t out_size)
{
    size_t n = 0;
    size_t len = strlen(name);
    for (size_t i = 0; i < len && n + 2 < out_size; i++) {
        unsigned char c = (unsigned char)name[i];
        bool upper = isupper(c);
        if (upper && i > 0) {
            bool prev_lower =
              islower((unsigned char)name[i - 1]) || isdigit((unsigned char)name[i - 1]);
            bool next_lower = i + 1 < len && islower((unsigned char)name[i + 1]);
            bool prev_upper = isupper((unsigned char)name[i - 1]);
            if (prev_lower || (prev_upper && next_lower)) {
                out[n++] = '-';
            }
        }
        out[n++] = (char)tolower(c);
    }
    out[n] = '\0';
}

const char *cpw_model_operation_resolve(const struct cpw_model_service *svc, const char *spelling)
{
    const json_t *ops = json_object_get(svc->doc, "operations");
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)ops, key, value)
    {
        if (strcmp(key, spelling) == 0) {
            return key;
        }
    }
    char kebab[256];
    json_object_foreach((json_t *)ops, key, value)
    {
        s_kebab(key, kebab, sizeof(kebab));
        if (strcmp(kebab, spelling) == 0) {
            return key;
        }
    }
    cpw_raise(CPW_ERR_MODEL, "%s has no operation '%s'", cpw_model_name(svc), spelling);
    return NULL;
}

const json_t *cpw_model_shape(const struct cpw_model_service *svc, const char *shape)
{
    return shape ? json_object_get(json_object_get(svc->doc, "shapes"), shape) : NULL;
}

const json_t *cpw_model_resolve_ref(const struct cpw_model_service *svc, const json_t *ref)
{
    return cpw_model_shape(svc, json_string_value(json_object_get(ref, "shape")));
}

const json_t *cpw_model_input_shape(const struct cpw_model_service *svc, const char *operation)
{
    return cpw_model_resolve_ref(svc,
                                 json_object_get(cpw_model_operation(svc, operation), "input"));
}

const json_t *cpw_model_output_shape(const struct cpw_model_service *svc, const char *operation)
{
    return cpw_model_resolve_ref(svc,
                                 json_object_get(cpw_model_operation(svc, operation), "output"));
}

const json_t *cpw_model_paginator(const struct cpw_model_service *svc, const char *operation)
{
    return json_object_get(json_object_get(svc->doc, "paginators"), operation);
}

const char *cpw_model_botocore_version(void)
{
    const struct cpw_model_service *svc = cpw_model_service_get("sts");
    if (!svc) {
        return "unknown";
    }
    const char *v =
      json_string_value(json_object_get(json_object_get(svc->doc, "source"), "botocore"));
    return v ? v : "unknown";
}

const json_t *cpw_model_partitions(void)
{
    pthread_mutex_lock(&s_lock);
    if (!s_endpoints) {
        for (size_t i = 0; i < cpw_model_blob_count; i++) {
            if (strcmp(cpw_model_blobs[i].name, "endpoints") == 0) {
                s_endpoints = s_parse_blob(&cpw_model_blobs[i]);
            }
        }
        if (!s_endpoints && cpw_last_error() != CPW_ERR_MODEL) {
            cpw_raise(CPW_ERR_MODEL, "no embedded endpoints table");
        }
    }
    const json_t *parts = json_object_get(s_endpoints, "partitions");
    pthread_mutex_unlock(&s_lock);
    return parts;
}

void cpw_model_clean_up(void)
{
    pthread_mutex_lock(&s_lock);
    for (size_t i = 0; i < s_service_count; i++) {
        json_decref(s_services[i].doc);
        s_services[i].doc = NULL;
    }
    json_decref(s_endpoints);
    s_endpoints = NULL;
    pthread_mutex_unlock(&s_lock);
    cpw_validate_pattern_cache_clean_up(); /* compiled from the models' patterns */
    cpw_codec_rest_routes_clean_up();      /* borrowed the models' requestUri strings */
}
