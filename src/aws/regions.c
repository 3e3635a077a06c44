/*
 * regions.c - region names, partitions and service availability from the embedded partitions
 * table (botocore's endpoints.json/partitions.json, see scripts/extract-models).
 *
 * The partitions' regionRegex values are written in the ECMAScript dialect botocore uses
 * ("\-", "\w", "\d"); they are translated to POSIX extended expressions before regcomp().
 */
#include "cpw/regions.h"

#include <regex.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/buf.h"
#include "cpw/error.h"
#include "cpw/log.h"
#include "cpw/model.h"

#define REGION_MAX_LEN   64
#define REGIONS_SPEC_MAX (64u * 1024u)

/* A region's shape: lower-case words joined by '-', the last one a number ("eu-west-1"). */
static const char s_shape[] = "^[a-z]{2,}(-[a-z]+)+-[0-9]{1,3}$";

/* Matches text against a POSIX extended expression. False for a pattern that fails to compile. */
static bool s_matches(const char *pattern, const char *text)
{
    regex_t re;
    if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB) != 0) {
        return false;
    }
    bool ok = regexec(&re, text, 0, NULL, 0) == 0;
    regfree(&re);
    return ok;
}

/* Translates botocore's regionRegex ("^cn\-\w+\-\d+$") to POSIX ERE and matches text. */
static bool s_matches_region_regex(const char *ecma, const char *text)
{
    struct cpw_buf ere;
    cpw_buf_init(&ere, 4096);
    int rc = 0;
    for (const char *p = ecma; *p && rc == 0; p++) {
        if (*p != '\\' || p[1] == '\0') {
            rc = cpw_buf_append_byte(&ere, (uint8_t)*p);
            continue;
        }
        p++;
        switch (*p) {
        case 'w':
            rc = cpw_buf_append_cstr(&ere, "[A-Za-z0-9_]");
            break;
        case 'd':
            rc = cpw_buf_append_cstr(&ere, "[0-9]");
            break;
        case '-':
            rc = cpw_buf_append_byte(&ere, '-');
            break;
        default:
            rc = cpw_buf_append_byte(&ere, '\\') || cpw_buf_append_byte(&ere, (uint8_t)*p);
        }
    }
    bool ok = rc == 0 && s_matches(cpw_buf_cstr(&ere), text);
    cpw_buf_clean_up(&ere);
    return ok;
}

static bool s_array_has(const json_t *array, const char *s)
{
    size_t i;
    const json_t *v;
    json_array_foreach(array, i, v)
    {
        if (json_is_string(v) && strcmp(json_string_value(v), s) == 0) {
            return true;
        }
    }
    return false;
}

/* True when region is listed by the partition, or is one of its partition endpoints. */
static bool s_partition_lists(const json_t *part, const char *region)
{
    if (s_array_has(json_object_get(part, "regions"), region)) {
        return true;
    }
    const char *name;
    const json_t *svc;
    json_object_foreach((json_t *)json_object_get(part, "services"), name, svc)
    {
        const char *pe = json_string_value(json_object_get(svc, "partitionEndpoint"));
        if (pe && strcmp(pe, region) == 0) {
            return true;
        }
    }
    return false;
}

const json_t *cpw_partition_get(const char *partition)
{
    const json_t *parts = cpw_model_partitions();
    if (!parts) {
        return NULL;
    }
    size_t i;
    const json_t *part;
    json_array_foreach(parts, i, part)
    {
        const char *name = json_string_value(json_object_get(part, "partition"));
        if (name && partition && strcmp(name, partition) == 0) {
            return part;
        }
    }
    cpw_raise(CPW_ERR_NOT_FOUND, "unknown partition '%s'", partition ? partition : "(null)");
    return NULL;
}

const json_t *cpw_region_partition(const char *region)
{
    const json_t *parts = cpw_model_partitions();
    if (!parts) {
        return NULL;
    }
    if (!region || !*region || strlen(region) > REGION_MAX_LEN) {
        cpw_raise(CPW_ERR_CONFIG, "'%s' is not a valid region name", region ? region : "");
        return NULL;
    }
    size_t i;
    const json_t *part;
    json_array_foreach(parts, i, part)
    {
        if (s_partition_lists(part, region)) {
            return part;
        }
    }
    json_array_foreach(parts, i, part)
    {
        const char *re = json_string_value(json_object_get(part, "regionRegex"));
        if (re && s_matches_region_regex(re, region)) {
            return part;
        }
    }
    cpw_raise(CPW_ERR_CONFIG, "region '%s' belongs to no known AWS partition", region);
    return NULL;
}

const char *cpw_region_partition_name(const char *region)
{
    const json_t *part = cpw_region_partition(region);
    return part ? json_string_value(json_object_get(part, "partition")) : NULL;
}

/* ----- opt-in regions ------------------------------------------------------------------------ */

/*
 * The regions of the aws partition that an account must enable before using them: every region
 * launched after 20 March 2019 (AWS Account Management, "Specify which AWS Regions your account
 * can use"). The partitions table does not say which regions are opt-in, so this list is kept by
 * hand, sorted. The other partitions have no opt-in regions.
 */
static const char *const s_opt_in[] = {
    "af-south-1",     "ap-east-1",      "ap-east-2",      "ap-south-2",     "ap-southeast-3",
    "ap-southeast-4", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "ca-west-1",
    "eu-central-2",   "eu-south-1",     "eu-south-2",     "il-central-1",   "me-central-1",
    "me-south-1",     "mx-central-1",
};

bool cpw_region_is_opt_in(const char *region)
{
    for (size_t i = 0; region && i < sizeof(s_opt_in) / sizeof(s_opt_in[0]); i++) {
        if (strcmp(s_opt_in[i], region) == 0) {
            return true;
        }
    }
    return false;
}

size_t cpw_region_opt_in_count(void)
{
    return sizeof(s_opt_in) / sizeof(s_opt_in[0]);
}

const char *cpw_region_opt_in(size_t i)
{
    return i < cpw_region_opt_in_count() ? s_opt_in[i] : NULL;
}

bool cpw_region_offers(const char *service, const char *region)
{
    const struct cpw_model_service *svc = cpw_model_service_get(service);
    const json_t *part = svc ? cpw_region_partition(region) : NULL;
    if (!part) {
        cpw_error_clear();
        return false;
    }
    const json_t *entry = json_object_get(json_object_get(part, "services"), cpw_model_name(svc));
    return entry != NULL && (json_is_true(json_object_get(entry, "global")) ||
                             s_array_has(json_object_get(entry, "regions"), region));
}

/* The length of a region's words without the final "-N" ("eu-west" of "eu-west-1"). */
static size_t s_words_len(const char *region)
{
    const char *dash = strrchr(region, '-');
    return dash ? (size_t)(dash - region) : strlen(region);
}

/* A well-formed region that no partition lists is allowed (newer than the embedded data), but
 * when its words ("eu-wset") are not those of any listed region it is probably a typo: warn
 * and name the closest listed region. */
static void s_warn_if_typo(const json_t *part, const char *region)
{
    size_t words = s_words_len(region);
    const char *closest = NULL;
    size_t best = (size_t)-1;
    size_t i;
    const json_t *v;
    json_array_foreach(json_object_get(part, "regions"), i, v)
    {
        const char *known = json_string_value(v);
        if (!known) {
            continue;
        }
        if (s_words_len(known) == words && strncmp(known, region, words) == 0) {
            return; /* "eu-west-9": a new number in a known area */
        }
        size_t d = cpw_edit_distance(known, region);
        if (d < best) {
            best = d;
            closest = known;
        }
    }
    if (closest) {
        cpw_log(CPW_LOG_WARN,
                "region '%s' is not one cpwarden knows; using it as given (did you mean '%s'?)",
                region, closest);
    }
}

int cpw_region_check(const char *region)
{
    const char *shown = region ? region : "";
    if (!region || !*region || strlen(region) > REGION_MAX_LEN) {
        return cpw_raise(CPW_ERR_CONFIG,
                         "'%s' is not a valid region name (expected a name like 'us-east-1')",
                         shown);
    }
    const json_t *parts = cpw_model_partitions();
    if (!parts) {
        return -1;
    }
    size_t i;
    const json_t *part;
    json_array_foreach(parts, i, part)
    {
        if (s_partition_lists(part, region)) {
            return 0;
        }
    }
    if (!s_matches(s_shape, region)) {
        return cpw_raise(CPW_ERR_CONFIG,
                         "'%s' is not a valid region name (expected lower-case words joined by "
                         "'-' and ending in a number, like 'us-east-1')",
                         region);
    }
    const json_t *owner = cpw_region_partition(region);
    if (!owner) {
        return cpw_raise(CPW_ERR_CONFIG,
                         "'%s' is not a region of any known AWS partition (aws, aws-cn, "
                         "aws-us-gov, ...); check the spelling",
                         region);
    }
    s_warn_if_typo(owner, region);
    return 0;
}

void cpw_region_list_clean_up(struct cpw_region_list *list)
{
    if (!list) {
        return;
    }
    for (size_t i = 0; i < list->count; i++) {
        cpw_free(list->names[i]);
    }
    cpw_free(list->names);
    list->names = NULL;
    list->count = 0;
    list->cap = 0;
}

int cpw_region_list_contains(const struct cpw_region_list *list, const char *region)
{
    for (size_t i = 0; i < list->count; i++) {
        if (strcmp(list->names[i], region) == 0) {
            return 1;
        }
    }
    return 0;
}

void cpw_region_list_add(struct cpw_region_list *list, const char *region)
{
    if (cpw_region_list_contains(list, region)) {
        return;
    }
    if (list->count == list->cap) {
        list->cap = list->cap ? list->cap * 2 : 16;
        list->names = cpw_realloc(list->names, list->cap * sizeof(*list->names));
    }
    list->names[list->count++] = cpw_strdup(region);
}

int cpw_regions_for_service(const char *service, const char *partition, struct cpw_region_list *out)
{
    const struct cpw_model_service *svc = cpw_model_service_get(service);
    if (!svc) {
        return -1;
    }
    const json_t *part = cpw_partition_get(partition);
    if (!part) {
        return -1;
    }
    const json_t *entry = json_object_get(json_object_get(part, "services"), cpw_model_name(svc));
    size_t i;
    const json_t *r;
    json_array_foreach(json_object_get(entry, "regions"), i, r)
    {
        if (json_is_string(r)) {
            cpw_region_list_add(out, json_string_value(r));
        }
    }
    return 0;
}

static int s_cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* True when some partition lists the region (or has it as a partition endpoint). */
static bool s_known(const char *region)
{
    size_t i;
    const json_t *part;
    json_array_foreach(cpw_model_partitions(), i, part)
    {
        if (s_partition_lists(part, region)) {
            return true;
        }
    }
    return false;
}

static int s_parse_all(const char *const *services,
                       size_t service_count,
                       const char *current_region,
                       struct cpw_region_list *out)
{
    if (!current_region) {
        return cpw_raise(CPW_ERR_CONFIG, "--regions all needs a region to choose the partition "
                                         "(set --region, AWS_REGION or the profile's region)");
    }
    const char *partition = cpw_region_partition_name(current_region);
    if (!partition) {
        return -1;
    }
    for (size_t i = 0; i < service_count; i++) {
        if (cpw_regions_for_service(services[i], partition, out)) {
            return -1;
        }
    }
    if (out->count) {
        qsort(out->names, out->count, sizeof(*out->names), s_cmp_names);
    }
    return 0;
}

static int s_parse_list(const char *spec, struct cpw_region_list *out)
{
    struct cpw_buf bad;
    cpw_buf_init(&bad, REGIONS_SPEC_MAX);
    size_t bad_count = 0;
    struct cpw_span rest = cpw_span_from_cstr(spec);
    struct cpw_span token;
    int rc = 0;
    while (rc == 0 && cpw_span_next_token(&rest, ',', &token)) {
        token = cpw_span_trim(token);
        char *name = cpw_strndup((const char *)token.ptr, token.len);
        if (token.len == 0 || !s_known(name)) {
            rc = cpw_buf_appendf(&bad, "%s'%s'", bad_count ? ", " : "", name);
            bad_count++;
        } else {
            cpw_region_list_add(out, name);
        }
        cpw_free(name);
    }
    if (rc == 0 && bad_count) {
        rc = cpw_raise(CPW_ERR_CONFIG,
                       "--regions: unknown region%s %s (give 'all' or a comma-separated list of "
                       "region names such as us-east-1,eu-west-2)",
                       bad_count > 1 ? "s" : "", cpw_buf_cstr(&bad));
    } else if (rc == 0 && out->count == 0) {
        rc = cpw_raise(CPW_ERR_CONFIG, "--regions: no region given");
    }
    cpw_buf_clean_up(&bad);
    return rc;
}

int cpw_regions_parse(const struct cpw_regions_parse_options *opts, struct cpw_region_list *out)
{
    if (!opts->spec) {
        return cpw_raise(CPW_ERR_CONFIG, "--regions: no value given");
    }
    if (strlen(opts->spec) > REGIONS_SPEC_MAX) {
        return cpw_raise(CPW_ERR_CONFIG, "--regions: value too long");
    }
    struct cpw_span trimmed = cpw_span_trim(cpw_span_from_cstr(opts->spec));
    int rc = cpw_span_eq_cstr(trimmed, "all")
               ? s_parse_all(opts->services, opts->service_count, opts->current_region, out)
               : s_parse_list(opts->spec, out);
    if (rc) {
        cpw_region_list_clean_up(out);
    }
    return rc;
}
