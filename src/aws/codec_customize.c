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
#include "cpw/buf.h"
#include "cpw/codec.h"
#include "cpw/error.h"
#include "cpw/json.h"
#include "cpw/uri.h"

#define POLICY_SHAPE     "policyDocumentType"
#define POLICY_MAX_BYTES (1024u * 1024u)

/* The decoded policy, or NULL when value is not URL-encoded JSON. New reference. */
static json_t *s_decode_policy(const char *value)
{
    struct cpw_buf text;
    cpw_buf_init(&text, POLICY_MAX_BYTES);
    json_t *doc = NULL;
    if (cpw_uri_decode(&text, cpw_span_from_cstr(value), CPW_URI_DECODE_DEFAULT) == 0) {
        if (cpw_codec_json_read(NULL, NULL, cpw_buf_span(&text), 0, &doc)) {
            (void)cpw_json_load(cpw_buf_span(&text), POLICY_MAX_BYTES, &doc); /* the reference */
        }
    }
    cpw_buf_clean_up(&text);
    return doc;
}

static void s_walk(const struct cpw_model_service *svc,
                   const json_t *shape,
                   json_t *value,
                   int depth)
{
    if (!shape || !value || depth > CPW_CODEC_MAX_DEPTH) {
        return;
    }
    const char *type = json_string_value(json_object_get(shape, "type"));
    if (type && strcmp(type, "structure") == 0 && json_is_object(value)) {
        const char *name;
        json_t *ref;
        json_object_foreach(json_object_get(shape, "members"), name, ref)
        {
            json_t *member = json_object_get(value, name);
            const char *shape_name = json_string_value(json_object_get(ref, "shape"));
            if (!member || !shape_name) {
                continue;
            }
            if (strcmp(shape_name, POLICY_SHAPE) == 0 && json_is_string(member)) {
                json_t *doc = s_decode_policy(json_string_value(member));
                if (doc) {
                    json_object_set_new(value, name, doc);
                }
            } else {
                s_walk(svc, cpw_model_shape(svc, shape_name), member, depth + 1);
            }
        }
    } else if (type && strcmp(type, "list") == 0 && json_is_array(value)) {
        const char *shape_name =
          json_string_value(json_object_get(json_object_get(shape, "member"), "shape"));
        const json_t *item_shape = shape_name ? cpw_model_shape(svc, shape_name) : NULL;
        size_t i;
        json_t *item;
        json_array_foreach(value, i, item)
        {
            s_walk(svc, item_shape, item, depth + 1);
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
        s_walk(svc, cpw_model_output_shape(svc, operation), output, 0);
    }
    return 0;
}
