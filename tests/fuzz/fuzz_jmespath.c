/*
 * fuzz_jmespath.c - the JMESPath compiler and evaluator on arbitrary bytes: an input is an
 * expression, a NUL byte, then a JSON document (a fixed document when there is no NUL or the rest
 * is not JSON). Compilation must succeed or fail cleanly; a compiled expression must evaluate or
 * fail cleanly, without crashing, leaking, reading out of bounds or running without bound; the
 * result must be a value that serialises.
 */
#include <stdint.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/buf.h"
#include "cpw/jmespath.h"
#include "cpw/json.h"

static const char s_default_doc[] =
  "{\"Roles\": [{\"RoleName\": \"AWSServiceRoleForProfile_a\", \"Path\": \"/aws-service-role/\","
  " \"MaxSessionDuration\": 3600, \"Tags\": []}, {\"RoleName\": \"app\", \"Path\": \"/\","
  " \"MaxSessionDuration\": 7200.5, \"Tags\": [{\"Key\": \"k\", \"Value\": \"v\"}]}],"
  " \"a\": {\"b\": [1, -2, 3.5, null, true, \"x\", [4, [5]], {\"c\": \"\\u00e9\"}]}, \"n\": null}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, 0, size);
    size_t expr_len = nul ? (size_t)(nul - data) : size;
    char *expr = cpw_strndup((const char *)data, expr_len);
    json_t *doc = NULL;
    if (nul) {
        struct cpw_span rest = cpw_span_from(nul + 1, size - expr_len - 1);
        (void)cpw_json_load(rest, CPW_JSON_MAX_TEXT_BYTES, &doc);
    }
    if (!doc) {
        (void)cpw_json_load(cpw_span_from_cstr(s_default_doc), sizeof(s_default_doc), &doc);
    }
    struct cpw_jmespath_error err;
    struct cpw_jmespath *q = cpw_jmespath_compile(expr, &err);
    if (q) {
        json_t *out = NULL;
        if (cpw_jmespath_search(q, doc, &out) == 0) {
            struct cpw_buf text;
            cpw_buf_init(&text, 64u << 20);
            (void)cpw_json_dump(out, &text);
            cpw_buf_clean_up(&text);
            json_decref(out);
        }
        cpw_jmespath_destroy(q);
    }
    json_decref(doc);
    cpw_free(expr);
    return 0;
}
