/*
 * partition.c - the ARN partition of a request: "aws", "aws-cn" (China) or "aws-us-gov"
 * (GovCloud), from the region the caller signed for and the embedded partitions table.
 */
#include "cpw/error.h"
#include "cpw/regions.h"
#include "sbx_service.h"

const char *cpw_sbx_partition(const char *region)
{
    const char *name = region ? cpw_region_partition_name(region) : NULL;
    if (name == NULL) {
        cpw_error_clear();
        return "aws";
    }
    return name;
}

const char *cpw_sbx_ctx_partition(const struct cpw_sbx_ctx *ctx)
{
    return cpw_sbx_partition(ctx->req && ctx->req->caller ? ctx->req->caller->region : NULL);
}
