/*
 * codec_customize.c - what botocore does to an output document after parsing it, so that the
 * documents cpwarden's client returns equal what boto3 returns and the AWS CLI prints.
 *
 * Today one customization: IAM sends policy documents (every member of shape
 * policyDocumentType) URL-encoded; botocore's after-call handler json_decode_policies
 * percent-decodes them and loads the JSON, so boto3 and the AWS CLI show the policy as a JSON
 * object. A value that does not decode is left as it was, as botocore leaves it.
 */
#include <string.h>

#include "codec_internal.h"
#include "cpw/alloc.h"
#include "cpw/buf.h"
#include "cpw/codec.h"
#include "cpw/error.h"
#include "cpw/json.h"
#include "cpw/uri.h"

#define POLICY_SHAPE     "policyDocumentType"
#define POLICY_MAX_BYTES (1024u * 1024u)

static int s_hex_digit(uint8_t c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/*
 * Percent-decodes text into out (room for text.len bytes) as cpw_uri_decode does ('+' stays a
 * '+'); returns the decoded length or -1 for a truncated or malformed escape.
 */
static long s_percent_decode(struct cpw_span text, uint8_t *out)
{
    size_t n = 0;
    for (size_t i = 0; i < text.len; i++) {
        uint8_t c = text.ptr[i];
        if (c == '%') {
            if (i + 2 >= text.len) {
                return -1;
            }
            int hi = s_hex_digit(text.ptr[i + 1]);
            int lo = s_hex_digit(text.ptr[i + 2]);
            if (hi < 0 || lo < 0) {
                return -1;
            }
            c = (uint8_t)(hi * 16 + lo);
            i += 2;
        }
        out[n++] = c;
    }
    return (long)n;
}

/* The decoded policy, or NULL when value is not URL-encoded JSON. New reference. */
static json_t *s_decode_policy(const char *value)
{
    struct cpw_span encoded = cpw_span_from_cstr(value);
    json_t *doc = NULL;
    if (encoded.len < POLICY_MAX_BYTES) {
        /* Most policies are a few hundred bytes: decoded on the stack and read in one pass. */
        uint8_t small[4096];
        uint8_t *text = encoded.len <= sizeof(small) ? small : cpw_malloc(encoded.len);
        long n = s_percent_decode(encoded, text);
        if (n >= 0 && cpw_codec_json_read(NULL, NULL, cpw_span_from(text, (size_t)n), 0, &doc)) {
            (void)cpw_json_load(cpw_span_from(text, (size_t)n), POLICY_MAX_BYTES, &doc);
        }
        if (text != small) {
            cpw_free(text);
        }
        return doc;
    }
    struct cpw_buf text;
    cpw_buf_init(&text, POLICY_MAX_BYTES);
    if (cpw_uri_decode(&text, encoded, CPW_URI_DECODE_DEFAULT) == 0) {
        (void)cpw_json_load(cpw_buf_span(&text), POLICY_MAX_BYTES, &doc);
    }
    cpw_buf_clean_up(&text);
    return doc;
}

#define WALK_MEMO_SLOTS  64
#define WALK_SHAPE_DEPTH 16 /* deeper (or recursive) shapes are assumed to hold policies */

/* What a member reference leads to, remembered for one document. */
struct walk_ref {
    const json_t *ref;
    const json_t *target; /* the member's shape, or NULL */
    bool policy;          /* the member is a policy document */
    bool may_hold;        /* the target can hold a policy document somewhere inside */
};

struct walk_shape {
    const json_t *shape;
    bool may_hold;
};

/* One document being walked: the model and what its shapes were found to hold. */
struct walk {
    const struct cpw_model_service *svc;
    struct walk_ref refs[WALK_MEMO_SLOTS];
    struct walk_shape shapes[WALK_MEMO_SLOTS];
};

static size_t s_slot(const json_t *p)
{
    return ((uintptr_t)p >> 4) % WALK_MEMO_SLOTS;
}

static bool s_may_hold(struct walk *w, const json_t *shape, int depth);

static struct walk_ref s_ref(struct walk *w, const json_t *ref, int depth)
{
    struct walk_ref *m = &w->refs[s_slot(ref)];
    if (m->ref == ref && ref) {
        return *m;
    }
    struct walk_ref info = { .ref = ref };
    const char *shape_name = json_string_value(json_object_get(ref, "shape"));
    if (shape_name) {
        info.policy = strcmp(shape_name, POLICY_SHAPE) == 0;
        info.target = cpw_model_shape(w->svc, shape_name);
        info.may_hold = info.target && s_may_hold(w, info.target, depth + 1);
    }
    w->refs[s_slot(ref)] = info;
    return info;
}

/* Whether a value of shape can hold a policy document the walk below would decode. */
static bool s_may_hold(struct walk *w, const json_t *shape, int depth)
{
    if (depth > WALK_SHAPE_DEPTH) {
        return true;
    }
    struct walk_shape *m = &w->shapes[s_slot(shape)];
    if (m->shape == shape && shape) {
        return m->may_hold;
    }
    bool may_hold = false;
    const char *type = json_string_value(json_object_get(shape, "type"));
    if (type && strcmp(type, "structure") == 0) {
        const char *name;
        json_t *ref;
        json_object_foreach(json_object_get(shape, "members"), name, ref)
        {
            struct walk_ref info = s_ref(w, ref, depth);
            if (info.policy || info.may_hold) {
                may_hold = true;
                break;
            }
        }
    } else if (type && strcmp(type, "list") == 0) {
        may_hold = s_ref(w, json_object_get(shape, "member"), depth).may_hold;
    }
    w->shapes[s_slot(shape)] = (struct walk_shape){ .shape = shape, .may_hold = may_hold };
    return may_hold;
}

static void s_walk(struct walk *w, const json_t *shape, json_t *value, int depth)
{
    if (!shape || !value || depth > CPW_CODEC_MAX_DEPTH || !s_may_hold(w, shape, 0)) {
        return;
    }
    const char *type = json_string_value(json_object_get(shape, "type"));
    if (type && strcmp(type, "structure") == 0 && json_is_object(value)) {
        const char *name;
        json_t *ref;
        json_object_foreach(json_object_get(shape, "members"), name, ref)
        {
            struct walk_ref info = s_ref(w, ref, 0);
            if (!info.policy && !info.may_hold) {
                continue;
            }
            json_t *member = json_object_get(value, name);
            if (!member) {
                continue;
            }
            if (info.policy && json_is_string(member)) {
                json_t *doc = s_decode_policy(json_string_value(member));
                if (doc) {
                    json_object_set_new(value, name, doc);
                }
            } else {
                s_walk(w, info.target, member, depth + 1);
            }
        }
    } else if (type && strcmp(type, "list") == 0 && json_is_array(value)) {
        struct walk_ref info = s_ref(w, json_object_get(shape, "member"), 0);
        size_t i;
        json_t *item;
        json_array_foreach(value, i, item)
        {
            s_walk(w, info.target, item, depth + 1);
        }
    }
}

int cpw_codec_customize_output(const struct cpw_model_service *svc,
                               const char *operation,
                               json_t *output)
{
    if (!cpw_model_operation(svc, operation)) {
        return cpw_raise(CPW_ERR_MODEL, "%s has no operation %s", cpw_model_name(svc), operation);
    }
    if (strcmp(cpw_model_name(svc), "iam") == 0) { /* botocore: after-call.iam */
        struct walk w;
        memset(&w, 0, sizeof(w));
        w.svc = svc;
        s_walk(&w, cpw_model_output_shape(svc, operation), output, 0);
    }
    return 0;
}
