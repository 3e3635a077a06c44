/*
 * codec_query_xml.c - the query protocol's XML replies: <OpResponse><OpResult>...</OpResult>
 * <ResponseMetadata><RequestId/></ResponseMetadata></OpResponse>, with "member" lists, "entry"
 * maps and flattened variants, read as botocore's QueryParser reads them and written the way
 * IAM and STS write them.
 */
#include <stdio.h>
#include <string.h>

#include "codec_internal.h"
#include "cpw/alloc.h"
#include "cpw/codec.h"
#include "cpw/error.h"
#include "cpw/xml.h"

static bool s_flattened(const json_t *ref, const json_t *shape)
{
    return json_is_true(json_object_get(ref, "flattened")) ||
           json_is_true(json_object_get(shape, "flattened"));
}

/* botocore _member_key_name: a flattened list uses its item's locationName when it has one. */
static const char *s_xml_name(const struct cpw_model_service *svc,
                              const json_t *mref,
                              const char *member)
{
    const json_t *mshape = cpw_model_resolve_ref(svc, mref);
    if (mshape && strcmp(cpw_codec_type(mshape), "list") == 0 && s_flattened(mref, mshape)) {
        const char *item = cpw_codec_str(json_object_get(mshape, "member"), "locationName");
        if (item) {
            return item;
        }
    }
    return cpw_codec_wire_name(mref, member);
}

/* ----- reading ----------------------------------------------------------------------------- */

#define XML_MEMO_SLOTS 64

enum xml_member_kind {
    XML_MEMBER_NESTED, /* an element holding the value */
    XML_MEMBER_FLAT_LIST,
    XML_MEMBER_FLAT_MAP,
};

/* What a structure member resolves to, remembered for one reply (lists repeat members). */
struct xml_memo {
    const json_t *mref;
    const json_t *mshape;
    const char *xml_name;
    enum xml_member_kind kind;
};

/* One reply being read: the model, and the members already resolved. */
struct xml_in {
    const struct cpw_model_service *svc;
    struct xml_memo memo[XML_MEMO_SLOTS];
};

/* The memo of member mref called name, or NULL with CPW_ERR_MODEL for a shape not in the
 * model. */
static const struct xml_memo *s_member(struct xml_in *x, const json_t *mref, const char *name)
{
    struct xml_memo *m = &x->memo[((uintptr_t)mref >> 4) % XML_MEMO_SLOTS];
    if (m->mref == mref && mref) {
        return m;
    }
    const json_t *mshape = cpw_codec_target(x->svc, mref);
    if (!mshape) {
        return NULL;
    }
    m->mref = mref;
    m->mshape = mshape;
    m->xml_name = s_xml_name(x->svc, mref, name);
    const char *mt = cpw_codec_type(mshape);
    m->kind = XML_MEMBER_NESTED;
    if (s_flattened(mref, mshape)) {
        m->kind = strcmp(mt, "list") == 0  ? XML_MEMBER_FLAT_LIST
                  : strcmp(mt, "map") == 0 ? XML_MEMBER_FLAT_MAP
                                           : XML_MEMBER_NESTED;
    }
    return m;
}

static int s_xml_in(struct xml_in *x,
                    const json_t *ref,
                    const json_t *shape,
                    const struct cpw_xml_node *node,
                    int depth,
                    json_t **out);

static int s_list_items(struct xml_in *x,
                        const json_t *shape,
                        const struct cpw_xml_node *first,
                        const char *only_name,
                        int depth,
                        json_t **out)
{
    const json_t *iref = json_object_get(shape, "member");
    const json_t *ishape = cpw_codec_target(x->svc, iref);
    if (!ishape) {
        return -1;
    }
    json_t *arr = json_array();
    for (const struct cpw_xml_node *c = first; c; c = cpw_xml_next(c)) {
        if (only_name && !cpw_xml_is(c, only_name)) {
            continue;
        }
        json_t *item = NULL;
        if (s_xml_in(x, iref, ishape, c, depth + 1, &item)) {
            json_decref(arr);
            return -1;
        }
        json_array_append_new(arr, item);
    }
    *out = arr;
    return 0;
}

static int s_map_entry(struct xml_in *x,
                       const json_t *shape,
                       const struct cpw_xml_node *entry,
                       int depth,
                       json_t *map)
{
    const json_t *kref = json_object_get(shape, "key");
    const json_t *vref = json_object_get(shape, "value");
    const json_t *vshape = cpw_codec_target(x->svc, vref);
    const struct cpw_xml_node *k = cpw_xml_child(entry, cpw_codec_wire_name(kref, "key"));
    const struct cpw_xml_node *v = cpw_xml_child(entry, cpw_codec_wire_name(vref, "value"));
    if (!vshape || !k || !v) {
        return cpw_raise(CPW_ERR_PARSE, "a map entry lacks its key or value");
    }
    json_t *value = NULL;
    if (s_xml_in(x, vref, vshape, v, depth + 1, &value)) {
        return -1;
    }
    char *key = cpw_xml_text(k);
    json_object_set_new(map, key, value);
    cpw_free(key);
    return 0;
}

static int s_xml_in(struct xml_in *x,
                    const json_t *ref,
                    const json_t *shape,
                    const struct cpw_xml_node *node,
                    int depth,
                    json_t **out)
{
    *out = NULL;
    if (depth > CPW_CODEC_MAX_DEPTH) {
        return cpw_raise(CPW_ERR_PARSE, "XML nested deeper than %d levels", CPW_CODEC_MAX_DEPTH);
    }
    const char *t = cpw_codec_type(shape);
    if (strcmp(t, "structure") == 0) {
        json_t *obj = json_object();
        const char *name;
        json_t *mref;
        json_object_foreach(json_object_get(shape, "members"), name, mref)
        {
            const struct xml_memo *m = s_member(x, mref, name);
            if (!m) {
                json_decref(obj);
                return -1;
            }
            const json_t *mshape = m->mshape;
            const char *xml_name = m->xml_name;
            const struct cpw_xml_node *child = cpw_xml_child(node, xml_name);
            if (!child) {
                continue;
            }
            json_t *value = NULL;
            int rc;
            if (m->kind == XML_MEMBER_FLAT_LIST) {
                rc = s_list_items(x, mshape, child, xml_name, depth + 1, &value);
            } else if (m->kind == XML_MEMBER_FLAT_MAP) {
                value = json_object();
                rc = 0;
                for (const struct cpw_xml_node *c = child; c && rc == 0; c = cpw_xml_next(c)) {
                    if (cpw_xml_is(c, xml_name)) {
                        rc = s_map_entry(x, mshape, c, depth + 1, value);
                    }
                }
            } else {
                rc = s_xml_in(x, mref, mshape, child, depth + 1, &value);
            }
            if (rc) {
                json_decref(value);
                json_decref(obj);
                return -1;
            }
            json_object_set_new(obj, name, value);
        }
        *out = obj;
        return 0;
    }
    if (strcmp(t, "list") == 0) {
        return s_list_items(x, shape, cpw_xml_first_child(node), NULL, depth, out);
    }
    if (strcmp(t, "map") == 0) {
        json_t *map = json_object();
        for (const struct cpw_xml_node *e = cpw_xml_first_child(node); e; e = cpw_xml_next(e)) {
            if (s_map_entry(x, shape, e, depth, map)) {
                json_decref(map);
                return -1;
            }
        }
        *out = map;
        return 0;
    }
    /* Most elements hold one text node: read it in place rather than through a copy. */
    struct cpw_span borrowed;
    char *text = cpw_xml_text_span(node, &borrowed) ? NULL : cpw_xml_text(node);
    int rc = cpw_codec_scalar_parse(shape, text ? cpw_span_from_cstr(text) : borrowed, out);
    if (rc) {
        rc = cpw_raise(CPW_ERR_PARSE, "<%s>: not a valid %s", cpw_xml_name(node), t);
    }
    cpw_free(text);
    (void)ref;
    return rc;
}

int cpw_codec_query_read_tree(const struct cpw_model_service *svc,
                              const char *operation,
                              struct cpw_span body,
                              json_t **output)
{
    *output = NULL;
    const json_t *shape = cpw_model_output_shape(svc, operation);
    struct cpw_xml_doc *doc = cpw_xml_parse(body);
    if (!doc) {
        char detail[400];
        snprintf(detail, sizeof(detail), "%s", cpw_last_error_detail());
        return cpw_raise(CPW_ERR_PARSE, "Unable to parse response (%s), invalid XML received",
                         detail);
    }
    int rc = 0;
    if (!shape) {
        *output = json_object();
    } else {
        const json_t *oref = json_object_get(cpw_model_operation(svc, operation), "output");
        const char *wrapper = cpw_codec_str(oref, "resultWrapper");
        const struct cpw_xml_node *start = cpw_xml_root(doc);
        if (wrapper) {
            start = cpw_xml_child(start, wrapper);
        }
        if (!start) {
            rc = cpw_raise(CPW_ERR_PARSE, "the %s reply has no <%s> element", operation, wrapper);
        } else {
            struct xml_in x;
            memset(&x, 0, sizeof(x));
            x.svc = svc;
            rc = s_xml_in(&x, oref, shape, start, 0, output);
        }
    }
    cpw_xml_doc_destroy(doc);
    return rc;
}

int cpw_codec_query_parse_output(const struct cpw_model_service *svc,
                                 const char *operation,
                                 const struct cpw_http_response *resp,
                                 json_t **output)
{
    *output = NULL;
    const json_t *shape = cpw_model_output_shape(svc, operation);
    if (shape) {
        /* One pass when the reply allows it; else the tree, for its document or its error. */
        const json_t *oref = json_object_get(cpw_model_operation(svc, operation), "output");
        if (cpw_codec_xml_read(svc, shape, cpw_codec_str(oref, "resultWrapper"),
                               cpw_buf_span(&resp->body), output) == 0) {
            return 0;
        }
    }
    return cpw_codec_query_read_tree(svc, operation, cpw_buf_span(&resp->body), output);
}

/* ----- writing ----------------------------------------------------------------------------- */

static int s_xml_out(struct cpw_xml_writer *w,
                     const struct cpw_model_service *svc,
                     const json_t *ref,
                     const json_t *shape,
                     const json_t *value,
                     const char *name,
                     int depth);

static int s_xml_members(struct cpw_xml_writer *w,
                         const struct cpw_model_service *svc,
                         const json_t *shape,
                         const json_t *value,
                         int depth)
{
    if (!json_is_object(value)) {
        return cpw_raise(CPW_ERR_VALIDATION, "expected an object");
    }
    const json_t *members = json_object_get(shape, "members");
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)value, key, v)
    {
        const json_t *mref = json_object_get(members, key);
        if (!mref) {
            return cpw_raise(CPW_ERR_VALIDATION, "unknown member \"%s\"", key);
        }
        const json_t *mshape = cpw_codec_target(svc, mref);
        if (json_is_null(v)) {
            continue;
        }
        if (!mshape || s_xml_out(w, svc, mref, mshape, v, s_xml_name(svc, mref, key), depth + 1)) {
            return -1;
        }
    }
    return 0;
}

static int s_xml_out(struct cpw_xml_writer *w,
                     const struct cpw_model_service *svc,
                     const json_t *ref,
                     const json_t *shape,
                     const json_t *value,
                     const char *name,
                     int depth)
{
    if (depth > CPW_CODEC_MAX_DEPTH) {
        return cpw_raise(CPW_ERR_VALIDATION, "output nested too deeply");
    }
    const char *t = cpw_codec_type(shape);
    if (strcmp(t, "structure") == 0) {
        return cpw_xml_start(w, name, NULL) || s_xml_members(w, svc, shape, value, depth) ||
                   cpw_xml_end(w)
                 ? -1
                 : 0;
    }
    if (strcmp(t, "list") == 0) {
        if (!json_is_array(value)) {
            return cpw_raise(CPW_ERR_VALIDATION, "%s: expected a list", name);
        }
        const json_t *iref = json_object_get(shape, "member");
        const json_t *ishape = cpw_codec_target(svc, iref);
        bool flat = s_flattened(ref, shape);
        const char *item_name = flat ? name : cpw_codec_wire_name(iref, "member");
        if (!ishape || (!flat && cpw_xml_start(w, name, NULL))) {
            return -1;
        }
        size_t i;
        json_t *item;
        json_array_foreach(value, i, item)
        {
            if (s_xml_out(w, svc, iref, ishape, item, item_name, depth + 1)) {
                return -1;
            }
        }
        return flat ? 0 : cpw_xml_end(w);
    }
    if (strcmp(t, "map") == 0) {
        if (!json_is_object(value)) {
            return cpw_raise(CPW_ERR_VALIDATION, "%s: expected a map", name);
        }
        const json_t *kref = json_object_get(shape, "key");
        const json_t *vref = json_object_get(shape, "value");
        const json_t *vshape = cpw_codec_target(svc, vref);
        bool flat = s_flattened(ref, shape);
        if (!vshape || (!flat && cpw_xml_start(w, name, NULL))) {
            return -1;
        }
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)value, k, v)
        {
            if (cpw_xml_start(w, flat ? name : "entry", NULL) ||
                cpw_xml_element(w, cpw_codec_wire_name(kref, "key"), k) ||
                s_xml_out(w, svc, vref, vshape, v, cpw_codec_wire_name(vref, "value"), depth + 1) ||
                cpw_xml_end(w)) {
                return -1;
            }
        }
        return flat ? 0 : cpw_xml_end(w);
    }
    struct cpw_buf text;
    cpw_buf_init(&text, CPW_HTTP_MAX_BODY_BYTES);
    int rc = cpw_codec_scalar_text(ref, shape, value, "iso8601", &text);
    if (rc == 0) {
        rc = cpw_xml_element(w, name, cpw_buf_cstr(&text));
    } else {
        rc = cpw_raise(CPW_ERR_VALIDATION, "%s: not a valid %s", name, t);
    }
    cpw_buf_clean_up(&text);
    return rc;
}

int cpw_codec_query_serialize_response(const struct cpw_model_service *svc,
                                       const char *operation,
                                       const json_t *output,
                                       const char *request_id,
                                       struct cpw_http_response *out)
{
    const json_t *shape = cpw_model_output_shape(svc, operation);
    const json_t *oref = json_object_get(cpw_model_operation(svc, operation), "output");
    const char *wrapper = cpw_codec_str(oref, "resultWrapper");
    char root[256];
    snprintf(root, sizeof(root), "%sResponse", operation);
    struct cpw_xml_writer *w = cpw_xml_writer_new();
    int rc = cpw_xml_start(w, root, cpw_model_xml_namespace(svc));
    if (rc == 0 && shape) {
        if (wrapper) {
            rc = cpw_xml_start(w, wrapper, NULL) || s_xml_members(w, svc, shape, output, 0) ||
                 cpw_xml_end(w);
        } else {
            rc = s_xml_members(w, svc, shape, output, 0);
        }
    } else if (rc == 0 && json_object_size(output)) {
        rc = cpw_raise(CPW_ERR_VALIDATION, "%s has no output", operation);
    }
    if (rc == 0) {
        rc = cpw_xml_start(w, "ResponseMetadata", NULL) ||
             cpw_xml_element(w, "RequestId", request_id ? request_id : "") || cpw_xml_end(w) ||
             cpw_xml_writer_finish(w, &out->body);
    }
    cpw_xml_writer_destroy(w);
    if (rc) {
        return -1;
    }
    out->status = 200;
    cpw_headers_set(&out->headers, "Content-Type", "text/xml");
    if (request_id) {
        cpw_headers_set(&out->headers, "x-amzn-RequestId", request_id);
    }
    return 0;
}
