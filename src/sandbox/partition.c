/*
 * partition.c - the ARN partition of a request: "aws", "aws-cn" (China) or "aws-us-gov"
 * (GovCloud), from the region the caller signed for and the embedded partitions table.
 */
#include <stdio.h>
#include <string.h>

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

bool cpw_sbx_arn_partition(const char *arn, char *out, size_t cap)
{
    if (arn == NULL || strncmp(arn, "arn:", 4) != 0) {
        return false;
    }
    const char *end = strchr(arn + 4, ':');
    size_t len = end ? (size_t)(end - (arn + 4)) : 0;
    if (len == 0 || len >= cap) {
        return false;
    }
    snprintf(out, cap, "%.*s", (int)len, arn + 4);
    return true;
}

int cpw_sbx_partition_arn(const char *partition, const char *arn, char *out, size_t cap)
{
    const char *end = arn && strncmp(arn, "arn:", 4) == 0 ? strchr(arn + 4, ':') : NULL;
    if (end == NULL) {
        return cpw_raise(CPW_ERR_INVALID_ARGUMENT, "'%s' is not an ARN", arn ? arn : "");
    }
    int n = snprintf(out, cap, "arn:%s%s", partition, end);
    if (n < 0 || (size_t)n >= cap) {
        return cpw_raise(CPW_ERR_INVALID_ARGUMENT, "the ARN '%s' is too long", arn);
    }
    return 0;
}

const char *cpw_sbx_partition_region(const char *partition)
{
    const json_t *part = partition ? cpw_partition_get(partition) : NULL;
    const char *region = json_string_value(json_array_get(json_object_get(part, "regions"), 0));
    if (region == NULL) {
        cpw_error_clear();
    }
    return region;
}
