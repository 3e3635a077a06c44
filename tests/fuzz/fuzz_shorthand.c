/*
 * fuzz_shorthand.c - the AWS CLI shorthand parser on arbitrary text: it must return an object of
 * strings, lists and objects, or fail cleanly with an error, without crashing, leaking, reading
 * out of bounds or recursing without bound.
 */
#include <stdint.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/buf.h"
#include "cpw/json.h"
#include "cpw/shorthand.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = cpw_strndup((const char *)data, size); /* stops at a NUL, as argv would */
    json_t *doc = NULL;
    if (cpw_shorthand_parse(text, &doc) == 0) {
        if (!json_is_object(doc)) {
            __builtin_trap();
        }
        struct cpw_buf out;
        cpw_buf_init(&out, 64u << 20);
        (void)cpw_json_dump(doc, &out);
        cpw_buf_clean_up(&out);
        json_decref(doc);
    } else if (doc) {
        __builtin_trap();
    }
    cpw_free(text);
    return 0;
}
