/*
 * iam_tags.c - the tags of IAM roles, customer managed policies and instance profiles, held as
 * a JSON array of {"Key","Value"} in the entity's row, in the order they were first added.
 *
 * As IAM does: tag keys are case-insensitive, so a request naming the same key twice in any
 * casing is refused ("Duplicate tag keys found. ..."), and tagging an existing key replaces that
 * tag where it stands (key and value as sent). An entity holds at most 50 tags. The lengths and
 * characters of keys and values are checked against the model before a handler runs.
 *
 * List*Tags pages the array by position: its Marker is the decimal index of the next tag.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cpw/error.h"
#include "sbx_service.h"

#define TAGS_MAX         50
#define LIST_DEFAULT_MAX 100

static const char *s_key(const json_t *tag)
{
    return json_string_value(json_object_get(tag, "Key"));
}

/* Index of the tag whose key matches key ignoring case, or -1. */
static long s_find(const json_t *tags, const char *key)
{
    size_t i;
    json_t *tag;
    json_array_foreach(tags, i, tag)
    {
        const char *k = s_key(tag);
        if (k != NULL && strcasecmp(k, key) == 0) {
            return (long)i;
        }
    }
    return -1;
}

int cpw_sbx_iam_tags_check(struct cpw_sbx_ctx *ctx, const json_t *tags)
{
    size_t n = json_array_size(tags);
    for (size_t i = 1; i < n; i++) {
        const char *key = s_key(json_array_get(tags, i));
        for (size_t j = 0; key != NULL && j < i; j++) {
            const char *other = s_key(json_array_get(tags, j));
            if (other != NULL && strcasecmp(key, other) == 0) {
                return cpw_sbx_fail(ctx, 400, "InvalidInput",
                                    "Duplicate tag keys found. Please note that Tag keys are case "
                                    "insensitive.");
            }
        }
    }
    return 0;
}

int cpw_sbx_iam_tags_merge(struct cpw_sbx_ctx *ctx, json_t *tags, const json_t *add)
{
    int rc = cpw_sbx_iam_tags_check(ctx, add);
    if (rc != 0) {
        return rc;
    }
    size_t i;
    json_t *tag;
    json_array_foreach(add, i, tag)
    {
        const char *key = s_key(tag);
        if (key == NULL) {
            continue;
        }
        json_t *copy = json_pack("{s:s,s:s}", "Key", key, "Value",
                                 json_string_value(json_object_get(tag, "Value"))
                                   ? json_string_value(json_object_get(tag, "Value"))
                                   : "");
        long at = s_find(tags, key);
        if (at >= 0) {
            json_array_set_new(tags, (size_t)at, copy);
        } else {
            json_array_append_new(tags, copy);
        }
    }
    if (json_array_size(tags) > TAGS_MAX) {
        return cpw_sbx_fail(ctx, 409, "LimitExceeded",
                            "The number of tags has reached the maximum limit.");
    }
    return 0;
}

void cpw_sbx_iam_tags_remove(json_t *tags, const json_t *keys)
{
    size_t i;
    json_t *key;
    json_array_foreach(keys, i, key)
    {
        long at = json_is_string(key) ? s_find(tags, json_string_value(key)) : -1;
        if (at >= 0) {
            json_array_remove(tags, (size_t)at);
        }
    }
}

int cpw_sbx_iam_tags_page(struct cpw_sbx_ctx *ctx,
                          const json_t *tags,
                          const json_t *input,
                          json_t **output)
{
    int64_t max_items = LIST_DEFAULT_MAX;
    if (cpw_sbx_in_int(input, "MaxItems", LIST_DEFAULT_MAX, &max_items) != 0 || max_items < 1 ||
        max_items > 1000) {
        cpw_error_clear();
        return cpw_sbx_fail(ctx, 400, "ValidationError",
                            "1 validation error detected: Value at 'maxItems' failed to satisfy "
                            "constraint: Member must have value between 1 and 1000");
    }
    size_t start = 0;
    const char *marker = cpw_sbx_in_str(input, "Marker");
    if (marker != NULL) {
        char *end = NULL;
        unsigned long v = strtoul(marker, &end, 10);
        if (marker[0] < '0' || marker[0] > '9' || end == NULL || *end != '\0' || v > TAGS_MAX) {
            return cpw_sbx_fail(ctx, 400, "InvalidInput", "Invalid value for Marker: %s", marker);
        }
        start = (size_t)v;
    }
    json_t *page = json_array();
    size_t n = json_array_size(tags);
    size_t i = start;
    for (; i < n && (int64_t)json_array_size(page) < max_items; i++) {
        json_array_append(page, json_array_get(tags, i));
    }
    json_t *result = json_pack("{s:o,s:b}", "Tags", page, "IsTruncated", i < n);
    if (i < n) {
        char next[24];
        snprintf(next, sizeof(next), "%zu", i);
        json_object_set_new(result, "Marker", json_string(next));
    }
    *output = result;
    return 0;
}
