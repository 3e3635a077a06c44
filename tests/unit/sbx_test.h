/*
 * sbx_test.h - what the sandbox's unit tests share: a sandbox with a movable clock and callers
 * made from real credentials (the way the HTTP front makes them), and a one-line dispatch.
 */
#ifndef CPW_TESTS_SBX_TEST_H
#define CPW_TESTS_SBX_TEST_H

#include <stdio.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/error.h"
#include "cpw/model.h"
#include "harness.h"
#include "sandbox/sbx.h"

#define T0_MS 1795000000000LL /* 2026-11-18: an arbitrary fixed "now" */

struct sbx_identity {
    struct cpw_sbx_credentials creds;
    struct cpw_sbx_caller caller;
};

struct sbx_fixture {
    struct cpw_sbx *sbx;
    int64_t now_ms;
    struct sbx_identity root;
    struct cpw_sbx_error err;
};

/* Fills id from the credentials of access_key_id (which must exist and not be expired). */
static inline void sbx_identity_for(struct sbx_fixture *fx,
                                    const char *access_key_id,
                                    const char *region,
                                    struct sbx_identity *id)
{
    assert_int_equal(cpw_sbx_credentials_lookup(fx->sbx, access_key_id, fx->now_ms, &id->creds), 0);
    assert_false(id->creds.expired);
    cpw_sbx_caller_from_credentials(&id->creds, region, "192.0.2.10", "aws-cli/2.9.19",
                                    &id->caller);
}

static inline void sbx_fixture_open(struct sbx_fixture *fx, const struct cpw_sbx_options *opts)
{
    memset(fx, 0, sizeof(*fx));
    fx->sbx = cpw_sbx_open(opts);
    if (fx->sbx == NULL) {
        fail_msg("cpw_sbx_open: %s", cpw_last_error_detail());
    }
    fx->now_ms = T0_MS;
    sbx_identity_for(fx, CPW_SBX_ROOT_ACCESS_KEY_ID, "eu-west-1", &fx->root);
}

static inline void sbx_fixture_close(struct sbx_fixture *fx)
{
    cpw_sbx_close(fx->sbx);
    cpw_model_clean_up();
}

/*
 * Calls service:operation as who with input (a JSON text, or NULL). Returns dispatch's result;
 * *out receives the output (owned) or NULL.
 */
static inline int sbx_call(struct sbx_fixture *fx,
                           const struct sbx_identity *who,
                           const char *service,
                           const char *operation,
                           const char *input_json,
                           json_t **out)
{
    json_error_t jerr;
    json_t *input = input_json ? json_loads(input_json, 0, &jerr) : json_object();
    if (input == NULL) {
        fail_msg("bad test input: %s", jerr.text);
    }
    struct cpw_sbx_request req = {
        .service = service,
        .operation = operation,
        .input = input,
        .caller = &who->caller,
        .request_id = NULL,
        .now_ms = fx->now_ms,
    };
    json_t *output = NULL;
    int rc = cpw_sbx_dispatch(fx->sbx, &req, &output, &fx->err);
    json_decref(input);
    if (rc < 0) {
        fail_msg("%s:%s failed internally: %s", service, operation, cpw_last_error_detail());
    }
    if (out != NULL) {
        *out = output;
    } else {
        json_decref(output);
    }
    return rc;
}

/*
 * Checks value against a botocore shape: every member name exists in the model, required members
 * are present, enums hold a listed value, JSON types match. Timestamps are ISO 8601 strings.
 */
static inline void sbx_check_shape(const struct cpw_model_service *svc,
                                   const json_t *shape,
                                   const json_t *value,
                                   const char *path)
{
    const char *type = json_string_value(json_object_get(shape, "type"));
    char sub[512];
    if (type == NULL) {
        fail_msg("%s: shape without type", path);
    }
    if (strcmp(type, "structure") == 0) {
        if (!json_is_object(value)) {
            fail_msg("%s: not an object", path);
        }
        const json_t *members = json_object_get(shape, "members");
        const char *key;
        json_t *item;
        json_object_foreach((json_t *)value, key, item)
        {
            const json_t *ref = json_object_get(members, key);
            snprintf(sub, sizeof(sub), "%s.%s", path, key);
            if (ref == NULL) {
                fail_msg("%s: not a member in the model", sub);
            }
            sbx_check_shape(svc, cpw_model_resolve_ref(svc, ref), item, sub);
        }
        size_t i;
        json_t *req;
        json_array_foreach(json_object_get(shape, "required"), i, req)
        {
            if (json_object_get(value, json_string_value(req)) == NULL) {
                fail_msg("%s: required member %s missing", path, json_string_value(req));
            }
        }
    } else if (strcmp(type, "list") == 0) {
        if (!json_is_array(value)) {
            fail_msg("%s: not a list", path);
        }
        size_t i;
        json_t *item;
        json_array_foreach(value, i, item)
        {
            snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
            sbx_check_shape(svc, cpw_model_resolve_ref(svc, json_object_get(shape, "member")), item,
                            sub);
        }
    } else if (strcmp(type, "map") == 0) {
        if (!json_is_object(value)) {
            fail_msg("%s: not a map", path);
        }
    } else if (strcmp(type, "string") == 0 || strcmp(type, "timestamp") == 0) {
        if (!json_is_string(value)) {
            fail_msg("%s: not a string", path);
        }
        const json_t *enums = json_object_get(shape, "enum");
        if (enums != NULL) {
            bool found = false;
            size_t i;
            json_t *e;
            json_array_foreach(enums, i, e)
            {
                found = found || strcmp(json_string_value(e), json_string_value(value)) == 0;
            }
            if (!found) {
                fail_msg("%s: %s is not in the model's enum", path, json_string_value(value));
            }
        }
    } else if (strcmp(type, "integer") == 0 || strcmp(type, "long") == 0) {
        if (!json_is_integer(value)) {
            fail_msg("%s: not an integer", path);
        }
    } else if (strcmp(type, "boolean") == 0) {
        if (!json_is_boolean(value)) {
            fail_msg("%s: not a boolean", path);
        }
    }
}

/* Every successful output must match the operation's output shape in the model. */
static inline void sbx_check_output(const char *service, const char *operation, const json_t *out)
{
    const struct cpw_model_service *svc = cpw_model_service_get(service);
    if (svc == NULL) {
        fail_msg("no model for %s", service);
    }
    const json_t *shape = cpw_model_output_shape(svc, operation);
    if (shape == NULL) {
        if (json_object_size(out) != 0) {
            fail_msg("%s:%s has no output in the model but answered members", service, operation);
        }
        return;
    }
    sbx_check_shape(svc, shape, out, operation);
}

/* Calls and expects success; returns the output (owned), checked against the model. */
static inline json_t *sbx_ok(struct sbx_fixture *fx,
                             const struct sbx_identity *who,
                             const char *service,
                             const char *operation,
                             const char *input_json)
{
    json_t *out = NULL;
    int rc = sbx_call(fx, who, service, operation, input_json, &out);
    if (rc != 0) {
        fail_msg("%s:%s answered %ld %s: %s", service, operation, fx->err.status, fx->err.code,
                 fx->err.message);
    }
    sbx_check_output(service, operation, out);
    return out;
}

/* Calls and expects the AWS error code with status. */
static inline void sbx_expect_error(struct sbx_fixture *fx,
                                    const struct sbx_identity *who,
                                    const char *service,
                                    const char *operation,
                                    const char *input_json,
                                    long status,
                                    const char *code)
{
    json_t *out = NULL;
    int rc = sbx_call(fx, who, service, operation, input_json, &out);
    json_decref(out);
    if (rc != 1) {
        fail_msg("%s:%s succeeded, expected %s", service, operation, code);
    }
    assert_string_equal(fx->err.code, code);
    assert_int_equal(fx->err.status, status);
}

/* A string at a JSON path of two levels ("Role", "RoleName"); "" when absent. */
static inline const char *sbx_str2(const json_t *doc, const char *a, const char *b)
{
    const char *s = json_string_value(json_object_get(json_object_get(doc, a), b));
    return s ? s : "";
}

#endif
