/*
 * fuzz_codec_xmlread.c - arbitrary bytes as a query-protocol reply body, read by the one-pass
 * XML reader (cpw_codec_xml_read) and by the reference path (cpw_codec_query_read_tree). Must
 * never crash, leak or hang, and whenever the reader takes a body the reference must return the
 * very same document (members in the same order): anything else aborts.
 *
 * Input layout: byte 0 picks the operation, then the body.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aws/codec_internal.h"
#include "cpw/alloc.h"
#include "cpw/codec.h"
#include "cpw/json.h"

static const char *const s_ops[][2] = {
    { "iam", "ListRoles" },
    { "iam", "GetRole" },
    { "iam", "CreateServiceLinkedRole" },
    { "iam", "GetAccountSummary" },
    { "iam", "ListRoleTags" },
    { "sts", "AssumeRole" },
    { "sts", "GetCallerIdentity" },
    { "cloudwatch", "GetMetricData" },
    { "cloudwatch", "DescribeAlarms" },
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
    size_t n_ops = sizeof(s_ops) / sizeof(s_ops[0]);
    const char *operation = s_ops[data[0] % n_ops][1];
    const struct cpw_model_service *svc = cpw_model_service_get(s_ops[data[0] % n_ops][0]);
    const json_t *shape = svc ? cpw_model_output_shape(svc, operation) : NULL;
    if (!shape) {
        return 0;
    }
    const json_t *oref = json_object_get(cpw_model_operation(svc, operation), "output");
    struct cpw_span body = cpw_span_from(data + 1, size - 1);
    json_t *fast = NULL;
    int fast_rc = cpw_codec_xml_read(svc, shape, cpw_codec_str(oref, "resultWrapper"), body, &fast);
    json_t *ref = NULL;
    int ref_rc = cpw_codec_query_read_tree(svc, operation, body, &ref);
    if (fast_rc == 0) {
        if (ref_rc != 0) {
            abort(); /* the reader took a reply the reference refuses */
        }
        char *a = cpw_json_dump_cstr(fast, CPW_JSON_DUMP_COMPACT);
        char *b = cpw_json_dump_cstr(ref, CPW_JSON_DUMP_COMPACT);
        if (strcmp(a, b) != 0) {
            abort(); /* a different document */
        }
        cpw_free(a);
        cpw_free(b);
    } else if (fast) {
        abort();
    }
    json_decref(fast);
    json_decref(ref);
    s_release_models();
    return 0;
}
