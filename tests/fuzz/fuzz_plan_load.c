/*
 * fuzz_plan_load.c - the strict plan loader on arbitrary bytes: it must refuse or accept without
 * crashing, leaking or reading out of bounds. Each input is tried as is, then resealed (its
 * fingerprint and checksum recomputed) so that the field, graph and account checks behind the
 * checksum are reached too.
 */
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "cpw/alloc.h"
#include "cpw/buf.h"
#include "cpw/crypto.h"
#include "cpw/plan.h"

static int s_collect(const char *text, size_t size, void *data)
{
    return cpw_buf_append((struct cpw_buf *)data, cpw_span_from(text, size));
}

static int s_sha_hex(const json_t *doc, char out[CPW_SHA256_HEX_LEN + 1])
{
    struct cpw_buf text;
    cpw_buf_init(&text, CPW_PLAN_MAX_BYTES);
    uint8_t digest[CPW_SHA256_LEN];
    int rc = json_dump_callback(doc, s_collect, &text, JSON_COMPACT | JSON_SORT_KEYS);
    if (rc == 0) {
        rc = cpw_sha256(cpw_buf_span(&text), digest);
    }
    if (rc == 0) {
        cpw_hex_encode_to(out, digest, sizeof(digest));
    }
    cpw_buf_clean_up(&text);
    return rc;
}

static void s_try(struct cpw_span bytes)
{
    struct cpw_plan_load_options opts = { .current_account = "123456789012" };
    struct cpw_plan *plan = cpw_plan_load(bytes, &opts);
    if (plan) {
        struct cpw_buf out;
        cpw_buf_init(&out, CPW_PLAN_MAX_BYTES);
        (void)cpw_plan_to_json(plan, &out);
        cpw_buf_reset(&out);
        (void)cpw_plan_render_table(plan, &out);
        cpw_buf_reset(&out);
        (void)cpw_plan_render_markdown(plan, &out);
        cpw_buf_clean_up(&out);
        cpw_plan_destroy(plan);
    }
}

/* The documented fingerprint and checksum, recomputed over whatever the input holds. */
static void s_reseal(json_t *doc)
{
    char hex[CPW_SHA256_HEX_LEN + 1];
    json_t *list = json_array();
    const json_t *actions = json_object_get(doc, "actions");
    for (size_t i = 0; i < json_array_size(actions); i++) {
        const json_t *a = json_array_get(actions, i);
        const json_t *t = json_object_get(a, "target");
        json_t *item =
          json_pack("{s:O, s:O, s:O, s:O, s:O, s:O, s:O}", "id", json_object_get(a, "id"), "kind",
                    json_object_get(a, "kind"), "account", json_object_get(t, "account"), "region",
                    json_object_get(t, "region"), "arn", json_object_get(t, "arn"), "name",
                    json_object_get(t, "name"), "facts", json_object_get(a, "observed"));
        if (item) {
            json_array_append_new(list, item);
        }
    }
    if (s_sha_hex(list, hex) == 0) {
        json_object_set_new(doc, "fingerprint", json_string(hex));
    }
    json_decref(list);
    json_object_del(doc, "checksum");
    if (s_sha_hex(doc, hex) == 0) {
        json_object_set_new(doc, "checksum", json_string(hex));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    s_try(cpw_span_from(data, size));
    json_t *doc = json_loadb((const char *)data, size, 0, NULL);
    if (json_is_object(doc)) {
        s_reseal(doc);
        struct cpw_buf text;
        cpw_buf_init(&text, CPW_PLAN_MAX_BYTES);
        if (json_dump_callback(doc, s_collect, &text, 0) == 0) {
            s_try(cpw_buf_span(&text));
        }
        cpw_buf_clean_up(&text);
    }
    json_decref(doc);
    return 0;
}
