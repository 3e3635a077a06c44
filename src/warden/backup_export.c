/*
 * backup_export.c - `cpwarden backup` as a library call: reads one Customer Profiles domain's
 * whole configuration through the AWS client and writes it into a backup file (backup_file.h),
 * with its profiles and their objects streamed as records, one profile at a time.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "backup_internal.h"
#include "cpw/alloc.h"
#include "cpw/aws_call.h"
#include "cpw/backup.h"
#include "cpw/crypto.h"
#include "cpw/error.h"
#include "cpw/inventory.h"
#include "cpw/json.h"
#include "cpw/log.h"
#include "cpw/store.h"
#include "cpw/time.h"

#define SERVICE          "customer-profiles"
#define PATH_MAX_BYTES   4096u
#define SEARCH_BATCH     100u /* SearchProfiles: Values and MaxResults up to 100 */
#define FILE_CHUNK_BYTES (64u * 1024u)

int cpw_backup_call(struct cpw_aws_client *client,
                    const char *region,
                    const char *service,
                    const char *operation,
                    json_t *input,
                    bool all_pages,
                    json_t **output)
{
    struct cpw_aws_call call = {
        .service = service, .operation = operation, .input = input, .region = region
    };
    enum cpw_aws_outcome outcome;
    int rc = cpw_aws_call_classified(client, &call, all_pages, output, NULL, &outcome);
    json_decref(input);
    return rc;
}

int cpw_backup_caller(struct cpw_aws_client *client,
                      const char *region,
                      char account[16],
                      char *arn,
                      size_t arn_size)
{
    struct cpw_aws_identity who;
    if (cpw_aws_caller_identity(client, region, &who, NULL)) {
        return -1;
    }
    snprintf(account, 16, "%s", who.account);
    if (arn && arn_size) {
        snprintf(arn, arn_size, "%s", who.arn);
    }
    cpw_aws_identity_clean_up(&who);
    return 0;
}

json_t *cpw_backup_project(const json_t *src, const char *const *keys)
{
    return cpw_json_project(src, keys);
}

int cpw_backup_file_name(struct cpw_buf *out,
                         const char *dir,
                         const char *domain,
                         const char *region,
                         const char *tag)
{
    return cpw_buf_appendf(out, "%s/%s-%s-%s.cpwbackup", dir, domain, region, tag);
}

int cpw_backup_default_path(const char *state_dir,
                            const char *domain,
                            const char *region,
                            int64_t now_s,
                            struct cpw_buf *out)
{
    struct cpw_buf dir;
    cpw_buf_init(&dir, PATH_MAX_BYTES);
    int rc = -1;
    if ((state_dir ? cpw_buf_append_cstr(&dir, state_dir) : cpw_store_default_dir(&dir)) ||
        cpw_buf_append_cstr(&dir, "/backups")) {
        goto cleanup;
    }
    /* mkdir -p, 0700 for what it creates */
    char *p = (char *)dir.data;
    for (char *q = p + 1;; q++) {
        if (*q != '/' && *q != '\0') {
            continue;
        }
        char saved = *q;
        *q = '\0';
        if (mkdir(p, 0700) != 0 && errno != EEXIST) {
            cpw_raise(CPW_ERR_IO, "cannot create directory %s: %s", p, strerror(errno));
            goto cleanup;
        }
        *q = saved;
        if (saved == '\0') {
            break;
        }
    }
    if (chmod(p, 0700) != 0) {
        cpw_raise(CPW_ERR_IO, "cannot set mode 0700 on %s: %s", p, strerror(errno));
        goto cleanup;
    }
    char stamp[CPW_TIME_AMZ_LEN + 1];
    if (cpw_time_format_amz(now_s, stamp)) {
        goto cleanup;
    }
    rc = cpw_backup_file_name(out, p, domain, region, stamp);
cleanup:
    cpw_buf_clean_up(&dir);
    return rc;
}

/* ----- export ----------------------------------------------------------------------------- */

struct export
{
    struct cpw_aws_client *client;
    const char *region;
    const char *domain;
    struct cpw_backup_writer *writer;
    json_t *type_names; /* array of object type names */
    uint64_t records;
};

/* What a Get answers that is not configuration: a recommender's trained state. */
static const char *const s_not_configuration[] = { "TrainingMetrics", "LatestRecommenderUpdate",
                                                   "FailureReason", NULL };

/* One list section: List (all pages) and, when the kind has one, Get each item in full. */
static json_t *s_list_and_get(struct export *ex, const struct cpw_backup_kind *kind)
{
    json_t *listed = NULL;
    if (cpw_backup_call(ex->client, ex->region, SERVICE, kind->list_op,
                        json_pack("{s:s}", "DomainName", ex->domain), true, &listed)) {
        return NULL;
    }
    json_t *all = json_array();
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(listed, kind->items_key), i, item)
    {
        const char *name = cpw_json_get_string(item, kind->name_member);
        if (!name) {
            continue;
        }
        if (!kind->get_op) {
            json_array_append(all, item);
            continue;
        }
        json_t *full = NULL;
        if (cpw_backup_call(
              ex->client, ex->region, SERVICE, kind->get_op,
              json_pack("{s:s,s:s}", "DomainName", ex->domain, kind->get_member, name), false,
              &full)) {
            json_decref(all);
            all = NULL;
            break;
        }
        if (!json_object_get(full, kind->get_member)) {
            json_object_set_new(full, kind->get_member, json_string(name));
        }
        for (size_t k = 0; s_not_configuration[k]; k++) {
            json_object_del(full, s_not_configuration[k]);
        }
        json_array_append_new(all, full);
    }
    json_decref(listed);
    return all;
}

/* One profile's objects, every object type, every page. */
static json_t *s_profile_objects(struct export *ex, const char *profile_id)
{
    json_t *objects = json_array();
    size_t i;
    json_t *type;
    json_array_foreach(ex->type_names, i, type)
    {
        json_t *out = NULL;
        if (cpw_backup_call(ex->client, ex->region, SERVICE, "ListProfileObjects",
                            json_pack("{s:s,s:O,s:s}", "DomainName", ex->domain, "ObjectTypeName",
                                      type, "ProfileId", profile_id),
                            true, &out)) {
            json_decref(objects);
            return NULL;
        }
        json_array_extend(objects, json_object_get(out, "Items"));
        json_decref(out);
    }
    return objects;
}

/* Searches one batch of ids and writes a record per profile found. */
static int s_write_batch(struct export *ex, json_t *ids)
{
    json_t *out = NULL;
    if (cpw_backup_call(ex->client, ex->region, SERVICE, "SearchProfiles",
                        json_pack("{s:s,s:s,s:O,s:i}", "DomainName", ex->domain, "KeyName",
                                  "_profileId", "Values", ids, "MaxResults", (int)SEARCH_BATCH),
                        true, &out)) {
        return -1;
    }
    int rc = 0;
    size_t i;
    json_t *profile;
    json_array_foreach(json_object_get(out, "Items"), i, profile)
    {
        const char *id = cpw_json_get_string(profile, "ProfileId");
        if (!id) {
            continue;
        }
        json_object_del(profile, "FoundByItems"); /* how it was found, not what it is */
        json_t *objects = s_profile_objects(ex, id);
        if (!objects) {
            rc = -1;
            break;
        }
        json_t *record = json_pack("{s:O,s:o}", "profile", profile, "objects", objects);
        rc = cpw_backup_writer_add_record(ex->writer, record);
        json_decref(record);
        if (rc) {
            break;
        }
        ex->records++;
    }
    json_decref(out);
    return rc;
}

/*
 * Customer Profiles has no operation that lists profiles: ListProfileAttributeValues on
 * ProfileId names them (ids only, 32 bytes each), SearchProfiles on _profileId reads them in
 * batches, so only one batch of documents is in memory at a time.
 */
static int s_write_profiles(struct export *ex)
{
    json_t *out = NULL;
    if (cpw_backup_call(
          ex->client, ex->region, SERVICE, "ListProfileAttributeValues",
          json_pack("{s:s,s:s}", "DomainName", ex->domain, "AttributeName", "ProfileId"), false,
          &out)) {
        return -1;
    }
    int rc = 0;
    json_t *batch = json_array();
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(out, "Items"), i, item)
    {
        json_t *value = json_object_get(item, "Value");
        if (!json_is_string(value)) {
            continue;
        }
        json_array_append(batch, value);
        if (json_array_size(batch) == SEARCH_BATCH) {
            rc = s_write_batch(ex, batch);
            json_array_clear(batch);
            if (rc) {
                break;
            }
        }
    }
    if (rc == 0 && json_array_size(batch) > 0) {
        rc = s_write_batch(ex, batch);
    }
    json_decref(batch);
    json_decref(out);
    return rc;
}

static int s_file_sha256(const char *path, char hex[65])
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        return cpw_raise(CPW_ERR_IO, "cannot read %s: %s", path, strerror(errno));
    }
    struct cpw_sha256_ctx *sha = cpw_sha256_new();
    uint8_t *chunk = cpw_malloc(FILE_CHUNK_BYTES);
    int rc = 0;
    size_t n;
    while ((n = fread(chunk, 1, FILE_CHUNK_BYTES, f)) > 0) {
        if (cpw_sha256_update(sha, cpw_span_from(chunk, n))) {
            rc = -1;
            break;
        }
    }
    if (rc == 0 && ferror(f)) {
        rc = cpw_raise(CPW_ERR_IO, "cannot read %s", path);
    }
    uint8_t digest[CPW_SHA256_LEN];
    if (rc == 0 && cpw_sha256_final(sha, digest) == 0) {
        cpw_hex_encode_to(hex, digest, CPW_SHA256_LEN);
    } else {
        rc = -1;
    }
    cpw_sha256_destroy(sha);
    cpw_free(chunk);
    fclose(f);
    return rc;
}

static uint64_t s_stat(const json_t *domain_doc, const char *name)
{
    json_int_t v = json_integer_value(json_object_get(json_object_get(domain_doc, "Stats"), name));
    return v > 0 ? (uint64_t)v : 0;
}

int cpw_backup_domain(struct cpw_aws_client *client,
                      const char *region,
                      const char *domain,
                      const char *path,
                      const struct cpw_backup_options *options,
                      struct cpw_backup_summary *summary)
{
    static const char *const matching_keys[] = { "Matching", NULL };
    static const char *const rule_keys[] = { "RuleBasedMatching", NULL };
    struct cpw_backup_options none = { 0 };
    const struct cpw_backup_options *opts = options ? options : &none;
    struct export ex = { .client = client, .region = region, .domain = domain };
    json_t *settings = NULL, *tags = NULL, *section = NULL;
    json_t *lists[CPW_BACKUP_SECTION_COUNT_] = { NULL };
    size_t nkinds = 0;
    const struct cpw_backup_kind *kinds = cpw_backup_kinds(&nkinds);
    struct cpw_buf arn;
    cpw_buf_init(&arn, 2048);
    char account[16] = "";
    char identity[1024] = "";
    int rc = -1;
    if (!domain || !path || !region) {
        return cpw_raise(CPW_ERR_INVALID_ARGUMENT,
                         "backup: a domain, a region and a path are required");
    }
    const char *r = region;
    if (opts->account && opts->source_identity) {
        snprintf(account, sizeof(account), "%s", opts->account);
        snprintf(identity, sizeof(identity), "%s", opts->source_identity);
    } else if (cpw_backup_caller(client, r, account, identity, sizeof(identity))) {
        goto cleanup;
    }
    if (opts->account) {
        snprintf(account, sizeof(account), "%s", opts->account);
    }
    if (cpw_backup_call(client, r, SERVICE, "GetDomain", json_pack("{s:s}", "DomainName", domain),
                        false, &settings)) {
        goto cleanup;
    }
    const char *domain_region = r;
    if (cpw_inventory_domain_arn(&arn, account, domain_region, domain)) {
        goto cleanup;
    }
    json_t *tag_out = NULL;
    if (cpw_backup_call(client, r, SERVICE, "ListTagsForResource",
                        json_pack("{s:s}", "resourceArn", cpw_buf_cstr(&arn)), false, &tag_out)) {
        goto cleanup;
    }
    tags = json_incref(json_object_get(tag_out, "tags"));
    json_decref(tag_out);
    if (!tags) {
        tags = json_object();
    }
    struct cpw_backup_writer_options wopts = {
        .path = path,
        .account = account,
        .region = domain_region,
        .domain = domain,
        .source_identity = identity,
        .counts = { .profiles = s_stat(settings, "ProfileCount"),
                    .objects = s_stat(settings, "ObjectCount") },
    };
    for (size_t k = 0; k < nkinds; k++) {
        if (!(lists[kinds[k].section] = s_list_and_get(&ex, &kinds[k]))) {
            goto cleanup;
        }
        wopts.items[kinds[k].section] = json_array_size(lists[kinds[k].section]);
    }
    wopts.counts.object_types = wopts.items[CPW_BACKUP_OBJECT_TYPES];
    wopts.counts.integrations = wopts.items[CPW_BACKUP_INTEGRATIONS];
    wopts.counts.event_streams = wopts.items[CPW_BACKUP_EVENT_STREAMS];
    wopts.counts.calculated_attributes = wopts.items[CPW_BACKUP_CALCULATED_ATTRIBUTES];
    ex.writer = cpw_backup_writer_new(&wopts);
    if (!ex.writer || cpw_backup_writer_add_section(ex.writer, CPW_BACKUP_SETTINGS, settings) ||
        cpw_backup_writer_add_section(ex.writer, CPW_BACKUP_TAGS, tags)) {
        goto cleanup;
    }
    for (size_t k = 0; k < nkinds; k++) {
        if (cpw_backup_writer_add_section(ex.writer, kinds[k].section, lists[kinds[k].section])) {
            goto cleanup;
        }
    }
    section = cpw_backup_project(settings, matching_keys);
    if (cpw_backup_writer_add_section(ex.writer, CPW_BACKUP_MATCHING, section)) {
        goto cleanup;
    }
    json_decref(section);
    section = cpw_backup_project(settings, rule_keys);
    if (cpw_backup_writer_add_section(ex.writer, CPW_BACKUP_RULE_BASED_MATCHING, section)) {
        goto cleanup;
    }
    if (opts->with_profiles) {
        ex.type_names = json_array();
        size_t i;
        json_t *t;
        json_array_foreach(lists[CPW_BACKUP_OBJECT_TYPES], i, t)
        {
            json_array_append(ex.type_names, json_object_get(t, "ObjectTypeName"));
        }
        if (s_write_profiles(&ex)) {
            goto cleanup;
        }
    }
    if (cpw_backup_writer_finish(ex.writer)) {
        goto cleanup;
    }
    if (summary) {
        memset(summary, 0, sizeof(*summary));
        snprintf(summary->account, sizeof(summary->account), "%s", account);
        summary->counts = wopts.counts;
        memcpy(summary->items, wopts.items, sizeof(summary->items));
        summary->records = ex.records;
        summary->created_at_s = cpw_time_now_s();
        if (s_file_sha256(path, summary->sha256)) {
            goto cleanup;
        }
    }
    cpw_log(CPW_LOG_INFO, "backup of %s written to %s (%llu profile records)", domain, path,
            (unsigned long long)ex.records);
    rc = 0;
cleanup:
    if (rc != 0 && settings && cpw_last_error() == CPW_ERR_NOT_FOUND) {
        /* Only GetDomain's not-found means the domain is gone (apply takes it as "already
         * deleted"); a part that vanished after it is a failed backup. */
        cpw_raise(CPW_ERR_AWS, "%s", cpw_last_error_detail());
    }
    cpw_backup_writer_destroy(ex.writer);
    json_decref(ex.type_names);
    json_decref(section);
    json_decref(settings);
    json_decref(tags);
    for (size_t i = 0; i < CPW_BACKUP_SECTION_COUNT_; i++) {
        json_decref(lists[i]);
    }
    cpw_buf_clean_up(&arn);
    return rc;
}
