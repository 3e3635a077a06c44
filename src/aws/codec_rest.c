/*
 * codec_rest.c - the rest-json protocol (Customer Profiles, Connect, SSO): operations are
 * routed by method and requestUri template; members bind to URI labels, query strings, headers,
 * the status code, a payload member or the JSON body (botocore BaseRestSerializer /
 * RestJSONSerializer / BaseRestParser).
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "codec_rest.h"
#include "cpw/alloc.h"
#include "cpw/error.h"
#include "cpw/json.h"
#include "cpw/uri.h"

/* ----- templates --------------------------------------------------------------------------- */

/* The requestUri split at '?': path template and static query ("tagging", "a=b&c"). */
static void s_split_uri(const char *uri, struct cpw_span *path, struct cpw_span *static_query)
{
    struct cpw_span all = cpw_span_from_cstr(uri ? uri : "/");
    long q = cpw_span_find_byte(all, '?');
    *path = q < 0 ? all : cpw_span_sub(all, 0, (size_t)q);
    *static_query = q < 0 ? cpw_span_from("", 0) : cpw_span_sub(all, (size_t)q + 1, all.len);
}

/* The member of shape bound to URI label `label` (its locationName, else its name). */
static const char *s_label_member(const json_t *shape, struct cpw_span label, const json_t **mref)
{
    const char *name;
    json_t *ref;
    json_object_foreach(json_object_get(shape, "members"), name, ref)
    {
        const char *loc = cpw_codec_str(ref, "location");
        if (loc && strcmp(loc, "uri") == 0 &&
            cpw_span_eq_cstr(label, cpw_codec_wire_name(ref, name))) {
            *mref = ref;
            return name;
        }
    }
    *mref = NULL;
    return NULL;
}

int cpw_codec_rest_serialize_request(const struct cpw_model_service *svc,
                                     const char *operation,
                                     const json_t *input,
                                     struct cpw_http_request *out)
{
    const json_t *http = json_object_get(cpw_model_operation(svc, operation), "http");
    const char *method = cpw_codec_str(http, "method");
    cpw_http_request_set_method(out, method ? method : "POST");
    struct cpw_span tpl;
    struct cpw_span static_query;
    s_split_uri(cpw_codec_str(http, "requestUri"), &tpl, &static_query);
    const json_t *shape = cpw_model_input_shape(svc, operation);
    if (!shape && json_object_size(input)) {
        return cpw_raise(CPW_ERR_VALIDATION, "%s takes no input", operation);
    }

    /* Path: render {Label} (SigV4 set) and {Label+} (keeping '/'). */
    struct cpw_buf text;
    cpw_buf_init(&text, CPW_HTTP_MAX_PATH_BYTES);
    cpw_buf_reset(&out->path);
    size_t i = 0;
    int rc = 0;
    while (rc == 0 && i < tpl.len) {
        if (tpl.ptr[i] != '{') {
            rc = cpw_buf_append_byte(&out->path, tpl.ptr[i++]);
            continue;
        }
        long close = cpw_span_find_byte(cpw_span_sub(tpl, i, tpl.len - i), '}');
        if (close < 0) {
            rc = cpw_raise(CPW_ERR_MODEL, "unterminated label in requestUri");
            break;
        }
        struct cpw_span label = cpw_span_sub(tpl, i + 1, (size_t)close - 1);
        bool greedy = label.len && label.ptr[label.len - 1] == '+';
        if (greedy) {
            label.len--;
        }
        const json_t *mref = NULL;
        const char *member = shape ? s_label_member(shape, label, &mref) : NULL;
        const json_t *value = member ? json_object_get(input, member) : NULL;
        const json_t *mshape = mref ? cpw_codec_target(svc, mref) : NULL;
        if (!value || json_is_null(value) || !mshape) {
            rc = cpw_raise(CPW_ERR_VALIDATION, "missing URI label \"%.*s\" for %s", (int)label.len,
                           (const char *)label.ptr, operation);
            break;
        }
        cpw_buf_reset(&text);
        rc = cpw_codec_scalar_text(mref, mshape, value, "iso8601", &text) ||
             cpw_uri_encode(&out->path, cpw_buf_span(&text),
                            greedy ? CPW_URI_KEEP_SLASH : CPW_URI_ENCODE_DEFAULT);
        i += (size_t)close + 1;
    }

    /* Query string: the static part first, then members in input order. */
    struct cpw_codec_pairs pairs;
    cpw_codec_pairs_init(&pairs);
    cpw_buf_reset(&out->query);
    if (rc == 0 && static_query.len) {
        rc = cpw_buf_append(&out->query, static_query);
    }
    const json_t *members = json_object_get(shape, "members");
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)input, key, value)
    {
        const json_t *mref = json_object_get(members, key);
        const char *loc = cpw_codec_str(mref, "location");
        if (rc || !loc || strcmp(loc, "querystring") != 0 || json_is_null(value)) {
            continue;
        }
        const json_t *mshape = cpw_codec_target(svc, mref);
        const char *name = cpw_codec_wire_name(mref, key);
        const char *t = cpw_codec_type(mshape);
        if (!mshape) {
            rc = -1;
        } else if (strcmp(t, "map") == 0 && json_is_object(value)) {
            const char *k;
            json_t *v;
            json_object_foreach(value, k, v)
            {
                if (json_is_string(v)) {
                    cpw_codec_pairs_add(&pairs, k, cpw_span_from_cstr(json_string_value(v)));
                } else if (json_is_array(v)) {
                    size_t j;
                    json_t *item;
                    json_array_foreach(v, j, item)
                    {
                        if (json_is_string(item)) {
                            cpw_codec_pairs_add(&pairs, k,
                                                cpw_span_from_cstr(json_string_value(item)));
                        }
                    }
                }
            }
        } else if (strcmp(t, "list") == 0 && json_is_array(value)) {
            const json_t *iref = json_object_get(mshape, "member");
            const json_t *ishape = cpw_codec_target(svc, iref);
            size_t j;
            json_t *item;
            json_array_foreach(value, j, item)
            {
                cpw_buf_reset(&text);
                if (!ishape || cpw_codec_scalar_text(iref, ishape, item, "iso8601", &text)) {
                    rc = -1;
                    break;
                }
                cpw_codec_pairs_add(&pairs, name, cpw_buf_span(&text));
            }
        } else {
            cpw_buf_reset(&text);
            rc = cpw_codec_scalar_text(mref, mshape, value, "iso8601", &text);
            if (rc == 0) {
                cpw_codec_pairs_add(&pairs, name, cpw_buf_span(&text));
            }
        }
        if (rc) {
            char detail[300];
            snprintf(detail, sizeof(detail), "%s", cpw_last_error_detail());
            rc = cpw_raise(CPW_ERR_VALIDATION, "%s: %s", key, detail);
        }
    }
    if (rc == 0 && pairs.count) {
        rc = (out->query.len && cpw_buf_append_byte(&out->query, '&')) ||
             cpw_codec_pairs_encode(&pairs, false, &out->query);
    }
    cpw_codec_pairs_clean_up(&pairs);
    cpw_buf_clean_up(&text);
    if (rc || !shape) {
        return rc ? -1 : 0;
    }

    /* Headers, then the body. */
    bool is_json = false;
    if (cpw_codec_rest_headers_out(svc, shape, input, &out->headers, NULL) ||
        cpw_codec_rest_body_out(svc, shape, input, false, &out->body, &is_json)) {
        return -1;
    }
    if (is_json && out->body.len && !cpw_headers_get(&out->headers, "Content-Type")) {
        cpw_headers_set(&out->headers, "Content-Type", "application/json");
    }
    return 0;
}

/* ----- routing ----------------------------------------------------------------------------- */

/* True when text holds a C0 control character or DEL (NUL included). */
static bool s_has_control(struct cpw_span text)
{
    for (size_t i = 0; i < text.len; i++) {
        if (text.ptr[i] < 0x20 || text.ptr[i] == 0x7f) {
            return true;
        }
    }
    return false;
}

long cpw_codec_rest_match(struct cpw_span tpl, struct cpw_span path, struct cpw_codec_pairs *labels)
{
    long score = 1;
    struct cpw_span trest = tpl;
    struct cpw_span prest = path;
    struct cpw_span tseg;
    struct cpw_span pseg;
    struct cpw_buf decoded;
    cpw_buf_init(&decoded, CPW_HTTP_MAX_PATH_BYTES);
    /* Both start with '/': skip the empty first token. */
    if (!cpw_span_next_token(&trest, '/', &tseg) || !cpw_span_next_token(&prest, '/', &pseg) ||
        tseg.len || pseg.len) {
        return 0;
    }
    for (;;) {
        bool has_t = cpw_span_next_token(&trest, '/', &tseg);
        if (!has_t) {
            /* A trailing slash on either side is a different path. */
            score = cpw_span_next_token(&prest, '/', &pseg) ? 0 : score;
            break;
        }
        if (!cpw_span_next_token(&prest, '/', &pseg)) {
            score = 0;
            break;
        }
        bool label = tseg.len >= 3 && tseg.ptr[0] == '{' && tseg.ptr[tseg.len - 1] == '}';
        if (!label) {
            if (!cpw_span_eq(tseg, pseg)) {
                score = 0;
                break;
            }
            score += 1000;
            continue;
        }
        struct cpw_span name = cpw_span_sub(tseg, 1, tseg.len - 2);
        bool greedy = name.ptr[name.len - 1] == '+';
        struct cpw_span value = pseg;
        if (greedy) {
            name.len--;
            /* The rest of the path, slashes included. */
            value = cpw_span_from(pseg.ptr, (size_t)(path.ptr + path.len - pseg.ptr));
            prest = cpw_span_from("", 0);
            score += 1;
        } else {
            score += 10;
        }
        if (value.len == 0) {
            score = 0;
            break;
        }
        if (labels) {
            cpw_buf_reset(&decoded);
            if (cpw_uri_decode(&decoded, value, CPW_URI_DECODE_DEFAULT)) {
                score = 0;
                break;
            }
            char key[256];
            snprintf(key, sizeof(key), "%.*s", (int)name.len, (const char *)name.ptr);
            /* "%00" would end the name early ("keepme%00-x" naming "keepme"): refused. */
            if (s_has_control(cpw_buf_span(&decoded))) {
                cpw_raise(CPW_ERR_PARSE, "URI label %s contains a NUL or control character", key);
                score = 0;
                break;
            }
            cpw_codec_pairs_add(labels, key, cpw_buf_span(&decoded));
        }
        if (greedy) {
            break;
        }
    }
    cpw_buf_clean_up(&decoded);
    return score;
}

/* Every key of the static query must be in the request's query. */
static long s_static_query_score(struct cpw_span static_query, const struct cpw_codec_pairs *query)
{
    struct cpw_codec_pairs wanted;
    cpw_codec_pairs_init(&wanted);
    long score = 0;
    if (cpw_codec_pairs_decode(static_query, &wanted) == 0) {
        for (size_t i = 0; i < wanted.count; i++) {
            const char *got = cpw_codec_pairs_get(query, wanted.items[i].key);
            if (!got || (wanted.items[i].value[0] && strcmp(got, wanted.items[i].value) != 0)) {
                score = -1;
                break;
            }
            score += 100;
        }
    } else {
        score = -1;
    }
    cpw_codec_pairs_clean_up(&wanted);
    return score;
}

/* ----- server: route a request ------------------------------------------------------------ */

/* One operation's route, read from the model once (strings borrowed from the model document). */
struct route {
    const char *name;
    const char *method;
    struct cpw_span tpl;
    struct cpw_span static_query;
    struct cpw_span first; /* the template's first segment when literal; empty for a label */
};

/* The routes of one REST model, in the model's operation order (ties go to the first). */
struct routes {
    const struct cpw_model_service *svc;
    struct route *items;
    size_t count;
};

#define ROUTE_MODELS 16

static pthread_mutex_t s_routes_lock = PTHREAD_MUTEX_INITIALIZER;
static struct routes s_routes[ROUTE_MODELS];

/* The first segment of a path or template ("/instance/{Id}" -> "instance"). */
static struct cpw_span s_first_segment(struct cpw_span path)
{
    struct cpw_span rest = path;
    struct cpw_span seg = cpw_span_from("", 0);
    if (cpw_span_next_token(&rest, '/', &seg) && seg.len == 0) {
        (void)cpw_span_next_token(&rest, '/', &seg);
    }
    return seg;
}

static void s_routes_build(struct routes *r, const struct cpw_model_service *svc)
{
    const json_t *ops = json_object_get(cpw_model_document(svc), "operations");
    r->svc = svc;
    r->items = cpw_calloc(json_object_size(ops) + 1, sizeof(*r->items));
    r->count = 0;
    const char *name;
    json_t *op;
    json_object_foreach((json_t *)ops, name, op)
    {
        const json_t *http = json_object_get(op, "http");
        const char *method = cpw_codec_str(http, "method");
        if (!method) {
            continue;
        }
        struct route *route = &r->items[r->count++];
        route->name = name;
        route->method = method;
        s_split_uri(cpw_codec_str(http, "requestUri"), &route->tpl, &route->static_query);
        struct cpw_span first = s_first_segment(route->tpl);
        bool label = first.len >= 1 && first.ptr[0] == '{';
        route->first = label ? cpw_span_from("", 0) : first;
    }
}

/* The model's routes, built on first use; they live until cpw_codec_rest_routes_clean_up. */
static const struct routes *s_routes_of(const struct cpw_model_service *svc)
{
    const struct routes *found = NULL;
    pthread_mutex_lock(&s_routes_lock);
    for (size_t i = 0; i < ROUTE_MODELS && !found; i++) {
        if (s_routes[i].svc == svc) {
            found = &s_routes[i];
        } else if (s_routes[i].svc == NULL) {
            s_routes_build(&s_routes[i], svc);
            found = &s_routes[i];
        }
    }
    pthread_mutex_unlock(&s_routes_lock);
    return found;
}
void cpw_codec_rest_routes_clean_up(void)
{
    pthread_mutex_lock(&s_routes_lock);
    for (size_t i = 0; i < ROUTE_MODELS; i++) {
        cpw_free(s_routes[i].items);
        memset(&s_routes[i], 0, sizeof(s_routes[i]));
    }
    pthread_mutex_unlock(&s_routes_lock);
}

int cpw_codec_rest_route(const struct cpw_model_service *svc,
                         const struct cpw_http_request *req,
                         const char **operation)
{
    const struct routes *routes = s_routes_of(svc);
    if (!routes) {
        return cpw_raise(CPW_ERR_MODEL, "no room for the routes of %s", cpw_model_name(svc));
    }
    struct cpw_codec_pairs query;
    cpw_codec_pairs_init(&query);
    if (cpw_codec_pairs_decode(cpw_buf_span(&req->query), &query)) {
        /* Routed on method and path alone; parsing the input then answers 400 for the query. */
        cpw_codec_pairs_clean_up(&query);
        cpw_codec_pairs_init(&query);
        cpw_error_clear();
    }
    struct cpw_span path = cpw_buf_span(&req->path);
    struct cpw_span first = s_first_segment(path);
    long best = 0;
    for (size_t i = 0; i < routes->count; i++) {
        const struct route *route = &routes->items[i];
        if (!req->method || strcmp(route->method, req->method) != 0 ||
            (route->first.len && !cpw_span_eq(route->first, first))) {
            continue; /* a literal first segment that differs cannot match */
        }
        long score = cpw_codec_rest_match(route->tpl, path, NULL);
        if (score <= 0) {
            continue;
        }
        long q = s_static_query_score(route->static_query, &query);
        if (q < 0) {
            continue;
        }
        if (score + q > best) {
            best = score + q;
            *operation = route->name;
        }
    }
    cpw_codec_pairs_clean_up(&query);
    if (!best) {
        return cpw_raise(CPW_ERR_NOT_FOUND, "no %s operation for %s %s", cpw_model_name(svc),
                         req->method ? req->method : "?", cpw_buf_cstr(&req->path));
    }
    return 0;
}

/* ----- server: parse a request ------------------------------------------------------------- */

static bool s_claimed_query_key(const json_t *shape, const char *key)
{
    const char *name;
    json_t *ref;
    json_object_foreach(json_object_get(shape, "members"), name, ref)
    {
        const char *loc = cpw_codec_str(ref, "location");
        if (loc && strcmp(loc, "querystring") == 0 &&
            strcmp(cpw_codec_wire_name(ref, name), key) == 0) {
            return true;
        }
    }
    return false;
}

static int s_query_in(const struct cpw_model_service *svc,
                      const json_t *shape,
                      const struct cpw_codec_pairs *query,
                      json_t *doc)
{
    const char *name;
    json_t *mref;
    json_object_foreach(json_object_get(shape, "members"), name, mref)
    {
        const char *loc = cpw_codec_str(mref, "location");
        if (!loc || strcmp(loc, "querystring") != 0) {
            continue;
        }
        const json_t *mshape = cpw_codec_target(svc, mref);
        if (!mshape) {
            return -1;
        }
        const char *wire = cpw_codec_wire_name(mref, name);
        const char *t = cpw_codec_type(mshape);
        json_t *value = NULL;
        if (strcmp(t, "map") == 0) {
            value = json_object();
            for (size_t i = 0; i < query->count; i++) {
                if (!s_claimed_query_key(shape, query->items[i].key) &&
                    !json_object_get(value, query->items[i].key)) {
                    json_t *v = json_string(query->items[i].value);
                    if (v) {
                        json_object_set_new(value, query->items[i].key, v);
                    }
                }
            }
            if (json_object_size(value) == 0) {
                json_decref(value);
                value = NULL;
            }
        } else if (strcmp(t, "list") == 0) {
            const json_t *ishape = cpw_codec_target(svc, json_object_get(mshape, "member"));
            for (size_t i = 0; ishape && i < query->count; i++) {
                if (strcmp(query->items[i].key, wire) != 0) {
                    continue;
                }
                json_t *item = NULL;
                if (cpw_codec_scalar_parse(ishape, cpw_span_from_cstr(query->items[i].value),
                                           &item)) {
                    json_decref(value);
                    return cpw_raise(CPW_ERR_PARSE, "query parameter %s: %s", wire,
                                     "malformed value");
                }
                if (!value) {
                    value = json_array();
                }
                json_array_append_new(value, item);
            }
        } else {
            const char *text = cpw_codec_pairs_get(query, wire);
            if (text && cpw_codec_scalar_parse(mshape, cpw_span_from_cstr(text), &value)) {
                return cpw_raise(CPW_ERR_PARSE, "query parameter %s: malformed value", wire);
            }
        }
        if (value) {
            json_object_set_new(doc, name, value);
        }
    }
    return 0;
}

int cpw_codec_rest_parse_request(const struct cpw_model_service *svc,
                                 const char *operation,
                                 const struct cpw_http_request *req,
                                 json_t **input)
{
    const json_t *shape = cpw_model_input_shape(svc, operation);
    *input = json_object();
    if (!shape) {
        return 0;
    }
    const json_t *http = json_object_get(cpw_model_operation(svc, operation), "http");
    struct cpw_span tpl;
    struct cpw_span static_query;
    s_split_uri(cpw_codec_str(http, "requestUri"), &tpl, &static_query);
    struct cpw_codec_pairs labels;
    struct cpw_codec_pairs query;
    cpw_codec_pairs_init(&labels);
    cpw_codec_pairs_init(&query);
    int rc = 0;
    cpw_error_clear();
    if (cpw_codec_rest_match(tpl, cpw_buf_span(&req->path), &labels) <= 0) {
        rc = cpw_last_error() == CPW_ERR_PARSE
               ? -1
               : cpw_raise(CPW_ERR_PARSE, "the path does not match %s", operation);
    } else if (cpw_codec_pairs_decode(cpw_buf_span(&req->query), &query)) {
        rc = -1;
    }
    for (size_t i = 0; rc == 0 && i < query.count; i++) {
        if (s_has_control(cpw_span_from_cstr(query.items[i].value))) {
            rc = cpw_raise(CPW_ERR_PARSE, "query parameter %s contains a control character",
                           query.items[i].key);
        }
    }
    for (size_t i = 0; rc == 0 && i < labels.count; i++) {
        const json_t *mref = NULL;
        const char *member = s_label_member(shape, cpw_span_from_cstr(labels.items[i].key), &mref);
        const json_t *mshape = mref ? cpw_codec_target(svc, mref) : NULL;
        json_t *value = NULL;
        if (!mshape ||
            cpw_codec_scalar_parse(mshape, cpw_span_from_cstr(labels.items[i].value), &value)) {
            rc = cpw_raise(CPW_ERR_PARSE, "URI label %s is malformed", labels.items[i].key);
            break;
        }
        json_object_set_new(*input, member, value);
    }
    if (rc == 0) {
        rc = s_query_in(svc, shape, &query, *input) ||
             cpw_codec_rest_headers_in(svc, shape, &req->headers, 0, *input) ||
             cpw_codec_rest_body_in(svc, shape, cpw_buf_span(&req->body), *input);
    }
    cpw_codec_pairs_clean_up(&labels);
    cpw_codec_pairs_clean_up(&query);
    if (rc) {
        json_decref(*input);
        *input = NULL;
        return -1;
    }
    return 0;
}

/* ----- responses --------------------------------------------------------------------------- */

int cpw_codec_rest_parse_output(const struct cpw_model_service *svc,
                                const char *operation,
                                const struct cpw_http_response *resp,
                                json_t **output)
{
    const json_t *shape = cpw_model_output_shape(svc, operation);
    *output = json_object();
    if (!shape) {
        return 0;
    }
    if (cpw_codec_rest_headers_in(svc, shape, &resp->headers, resp->status, *output) ||
        cpw_codec_rest_body_in(svc, shape, cpw_buf_span(&resp->body), *output)) {
        json_decref(*output);
        *output = NULL;
        return -1;
    }
    return 0;
}

int cpw_codec_rest_serialize_response(const struct cpw_model_service *svc,
                                      const char *operation,
                                      const json_t *output,
                                      struct cpw_http_response *out)
{
    const json_t *op = cpw_model_operation(svc, operation);
    const json_t *code = json_object_get(json_object_get(op, "http"), "responseCode");
    out->status = json_is_integer(code) ? (long)json_integer_value(code) : 200;
    const json_t *shape = cpw_model_output_shape(svc, operation);
    bool is_json = true;
    if (!shape) {
        cpw_headers_set(&out->headers, "Content-Type", "application/json");
        return cpw_buf_append_cstr(&out->body, "{}");
    }
    if (cpw_codec_rest_headers_out(svc, shape, output, &out->headers, &out->status) ||
        cpw_codec_rest_body_out(svc, shape, output, true, &out->body, &is_json)) {
        return -1;
    }
    if (is_json) {
        cpw_headers_set(&out->headers, "Content-Type", "application/json");
    }
    return 0;
}
