/*
 * fuzz_endpoint_config.c - the user-typed strings of endpoint and region configuration: an
 * endpoint URL, a region name and a --regions list. None may crash, leak or read out of bounds,
 * and a rejected value must always come with a CONFIG error.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/endpoints.h"
#include "cpw/error.h"
#include "cpw/model.h"
#include "cpw/regions.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = cpw_strndup((const char *)data, size);
    if (cpw_endpoint_url_check(text, "fuzz") != 0 && cpw_last_error() != CPW_ERR_CONFIG) {
        abort();
    }
    if (cpw_region_check(text) != 0 && cpw_last_error() != CPW_ERR_CONFIG) {
        abort();
    }
    (void)cpw_region_partition_name(text);
    struct cpw_region_list list = { 0 };
    if (strcmp(text, "all") != 0 &&
        cpw_regions_parse(&(struct cpw_regions_parse_options){ .spec = text }, &list) == 0) {
        for (size_t i = 0; i < list.count; i++) {
            if (cpw_region_check(list.names[i]) != 0) {
                abort(); /* the list only holds known regions */
            }
        }
    }
    cpw_region_list_clean_up(&list);
    cpw_free(text);
    cpw_model_clean_up();
    return 0;
}
