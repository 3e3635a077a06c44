/*
 * fuzz_codec_jsonwrite.c - arbitrary JSON documents written as a JSON body by the direct writer
 * (cpw_codec_json_write) and by the reference path (cpw_codec_json_to_wire, then cpw_json_dump).
 * Must never crash, leak or hang; whenever the writer takes a document the reference must write
 * the very same bytes, and when it gives up it must leave the buffer as it was: anything else
 * aborts.
 *
 * Input layout: byte 0 picks the shape (bit 0: with fractions), then the document as JSON text.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aws/codec_internal.h"
#include "cpw/alloc.h"
#include "cpw/codec.h"
#include "cpw/json.h"

static const char *const s_shapes[][3] = {
    { "cloudtrail", "LookupEvents", "in" },
    { "cloudtrail", "LookupEvents", "out" },
    { "customer-profiles", "PutProfileObjectType", "in" },
    { "customer-profiles", "GetDomain", "out" },
    { "connect", "CreateInstance", "in" },
    { "iam", "ListRoles", "out" },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * The replay harness counts live allocations per input, so the lazily parsed models are
 * released there; libFuzzer (no counting allocator) keeps them for speed.
 */
static void s_release_models(void)
{
    if (cpw_alloc_live_count() > 0) {
        cpw_model_clean_up();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    size_t pick = (size_t)(data[0] >> 1) % (sizeof(s_shapes) / sizeof(s_shapes[0]));
    unsigned flags = (data[0] & 1) ? CPW_CODEC_JSON_FRACTIONS : 0;
    const struct cpw_model_service *svc = cpw_model_service_get(s_shapes[pick][0]);
    const json_t *shape = NULL;
    if (svc) {
        shape = strcmp(s_shapes[pick][2], "in") == 0
                  ? cpw_model_input_shape(svc, s_shapes[pick][1])
                  : cpw_model_output_shape(svc, s_shapes[pick][1]);
    }
    json_t *doc = NULL;
    if (!shape || cpw_json_load(cpw_span_from(data + 1, size - 1), 1u << 20, &doc)) {
        s_release_models();
        return 0;
    }
    struct cpw_buf fast;
    struct cpw_buf ref;
    cpw_buf_init(&fast, 1u << 22);
    cpw_buf_init(&ref, 1u << 22);
    (void)cpw_buf_append_cstr(&fast, "x");
    int rc = cpw_codec_json_write(svc, shape, doc, flags, &fast);
    json_t *wire = NULL;
    int ref_rc = cpw_codec_json_to_wire(svc, NULL, shape, doc, "unixTimestamp", flags, 0, &wire);
    (void)cpw_buf_append_cstr(&ref, "x");
    if (ref_rc == 0) {
        ref_rc = cpw_json_dump(wire, &ref);
    }
    if (rc == 0 &&
        (ref_rc != 0 || fast.len != ref.len || memcmp(fast.data, ref.data, ref.len) != 0)) {
        abort(); /* written where the reference refuses, or different bytes */
    }
    if (rc != 0 && (fast.len != 1 || fast.data[1] != '\0')) {
        abort(); /* the buffer not left as it was */
    }
    json_decref(wire);
    json_decref(doc);
    cpw_buf_clean_up(&fast);
    cpw_buf_clean_up(&ref);
    s_release_models();
    return 0;
}
