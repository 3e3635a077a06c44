/*
 * fuzz_render.c - the AWS CLI's text and table layouts on arbitrary JSON documents (any nesting,
 * mixed lists, wide and invalid characters): both must render or fail cleanly, without crashing,
 * leaking or looping; the first byte picks the terminal width, so the vertical fallback is hit.
 */
#include <stdint.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/buf.h"
#include "cpw/json.h"
#include "cpw/render.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    json_t *doc = NULL;
    if (cpw_json_load(cpw_span_from(data + 1, size - 1), CPW_JSON_MAX_TEXT_BYTES, &doc) != 0) {
        return 0;
    }
    struct cpw_buf out;
    cpw_buf_init(&out, 64u << 20);
    (void)cpw_render_text(doc, &out);
    cpw_buf_reset(&out);
    struct cpw_render_table_options options = { .title = "Op",
                                                .terminal_width = data[0],
                                                .color = (data[0] & 1) != 0 };
    (void)cpw_render_table(doc, &options, &out);
    cpw_buf_clean_up(&out);
    json_decref(doc);
    return 0;
}
