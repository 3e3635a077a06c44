/*
 * inventory_diff_internal.h - the layout of a diff, shared by its computation and its formats.
 */
#ifndef CPW_WARDEN_INVENTORY_DIFF_INTERNAL_H
#define CPW_WARDEN_INVENTORY_DIFF_INTERNAL_H

#include "cpw/inventory_diff.h"

struct cpw_inventory_diff {
    int64_t from_scanned_at_s;
    int64_t to_scanned_at_s;
    struct cpw_inv_change **changes;
    size_t count;
};

#endif
