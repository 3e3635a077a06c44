/*
 * inventory_finding_id.c - stable finding ids (inventory.h: cpw_inventory_finding_id).
 */
#include <string.h>

#include "cpw/buf.h"
#include "cpw/crypto.h"
#include "cpw/inventory.h"

int cpw_inventory_finding_id(const struct cpw_inv_finding *finding,
                             char out[CPW_INV_FINDING_ID_LEN + 1])
{
    out[0] = '\0';
    struct cpw_buf text;
    cpw_buf_init(&text, 64u * 1024u);
    const char *parts[] = { cpw_inv_finding_kind_name(finding->kind), finding->account,
                            finding->region, finding->resource_arn };
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < sizeof(parts) / sizeof(parts[0]); i++) {
        rc = cpw_buf_append_cstr(&text, parts[i] ? parts[i] : "");
        rc = rc ? rc : cpw_buf_append_byte(&text, '\n');
    }
    uint8_t digest[CPW_SHA256_LEN];
    rc = rc ? rc : cpw_sha256(cpw_buf_span(&text), digest);
    cpw_buf_clean_up(&text);
    if (rc) {
        return -1;
    }
    cpw_hex_encode_to(out, digest, CPW_INV_FINDING_ID_LEN / 2);
    out[CPW_INV_FINDING_ID_LEN] = '\0';
    return 0;
}
