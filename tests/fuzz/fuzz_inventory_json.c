/*
 * fuzz_inventory_json.c - the inventory JSON loader on arbitrary bytes. Anything it accepts must
 * write back out, load again and write the same bytes (the round-trip property), survive
 * re-analysis and render in every format; anything it refuses must say why.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cpw/buf.h"
#include "cpw/error.h"
#include "cpw/inventory.h"

static void s_check(int ok)
{
    if (!ok) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cpw_inventory *inv = cpw_inventory_load_json(cpw_span_from(data, size));
    if (!inv) {
        s_check(cpw_last_error() != CPW_ERR_NONE && cpw_last_error_detail()[0] != '\0');
        return 0;
    }
    struct cpw_buf first;
    struct cpw_buf second;
    cpw_buf_init(&first, 64u << 20);
    cpw_buf_init(&second, 64u << 20);
    s_check(cpw_inventory_write(inv, CPW_INV_FORMAT_JSON, NULL, &first) == 0);
    struct cpw_inventory *again = cpw_inventory_load_json(cpw_buf_span(&first));
    s_check(again != NULL);
    s_check(cpw_inventory_write(again, CPW_INV_FORMAT_JSON, NULL, &second) == 0);
    s_check(first.len == second.len && memcmp(first.data, second.data, first.len) == 0);

    s_check(cpw_inventory_analyze(again) == 0);
    for (int fmt = CPW_INV_FORMAT_TABLE; fmt <= CPW_INV_FORMAT_MARKDOWN; fmt++) {
        cpw_buf_reset(&second);
        struct cpw_inventory_write_options opts = { .color = fmt == CPW_INV_FORMAT_TABLE };
        s_check(cpw_inventory_write(again, (enum cpw_inv_format)fmt, &opts, &second) == 0);
    }
    cpw_buf_clean_up(&first);
    cpw_buf_clean_up(&second);
    cpw_inventory_destroy(again);
    cpw_inventory_destroy(inv);
    return 0;
}
