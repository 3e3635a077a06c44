/*
 * backup_restore_profiles.c - restores a backup's profile records, one at a time: finds the
 * profile in the target (by its objects' PROFILE key, else by a standard key: account number,
 * e-mail, phone, else by identical fields among the target's key-less profiles), puts the
 * objects it lacks (PutProfileObject joins them to the profile that
 * holds their PROFILE key, as Customer Profiles does), and creates or completes the profile.
 */
#include <stdio.h>
#include <string.h>

#include "backup_internal.h"
#include "backup_restore_internal.h"
#include "cpw/error.h"
#include "cpw/json.h"

/* Standard search keys and the profile members they match, strongest first. */
static const struct {
    const char *key;
    const char *member;
} s_standard_keys[] = {
    { "_account", "AccountNumber" },
    { "_email", "EmailAddress" },
    { "_phone", "PhoneNumber" },
};

/* The PROFILE key of an object: its key name and value (borrowed from type and object). */
static bool s_profile_key(const json_t *type,
                          const json_t *object,
                          const char **key_name,
                          const char **value)
{
    const char *name;
    json_t *defs;
    json_object_foreach((json_t *)json_object_get(type, "Keys"), name, defs)
    {
        size_t i;
        json_t *def;
        json_array_foreach(defs, i, def)
        {
            bool profile = false;
            size_t k;
            json_t *id;
            json_array_foreach(json_object_get(def, "StandardIdentifiers"), k, id)
            {
                profile =
                  profile || (json_is_string(id) && strcmp(json_string_value(id), "PROFILE") == 0);
            }
            const char *field =
              json_string_value(json_array_get(json_object_get(def, "FieldNames"), 0));
            if (!profile || !field) {
                continue;
            }
            /* the field's Source "_source.X" names the object member X */
            const char *source = cpw_json_get_string(
              json_object_get(json_object_get(type, "Fields"), field), "Source");
            const char *member = field;
            if (source && strncmp(source, "_source.", 8) == 0) {
                member = source + 8;
            }
            const char *v = cpw_json_get_string(object, member);
            if (v) {
                *key_name = name;
                *value = v;
                return true;
            }
        }
    }
    return false;
}

static const json_t *s_type(const json_t *types, const char *name)
{
    size_t i;
    json_t *t;
    json_array_foreach(types, i, t)
    {
        const char *n = cpw_json_get_string(t, "ObjectTypeName");
        if (n && strcmp(n, name) == 0) {
            return t;
        }
    }
    return NULL;
}

/* The profile's own fields (no id, no search decoration). */
static json_t *s_fields(const json_t *profile)
{
    json_t *f = json_deep_copy(profile);
    json_object_del(f, "ProfileId");
    json_object_del(f, "FoundByItems");
    return f;
}

/* Whether every member of have is in want with the same value (have lacks some, differs in
 * none): the profile an interrupted restore created before it filled its fields in. */
static bool s_subset(const json_t *have, const json_t *want)
{
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)have, key, value)
    {
        if (!json_equal(value, json_object_get(want, key))) {
            return false;
        }
    }
    return true;
}

/* Fields as canonical text: sorted keys, compact. */
static int s_dump_sorted(const json_t *value, struct cpw_buf *out)
{
    return cpw_json_dump_with(value, CPW_JSON_DUMP_COMPACT | CPW_JSON_DUMP_SORT_KEYS, out);
}

/* SearchProfiles: *profile (owned) when found. */
static enum cpw_restore_lookup s_search(struct cpw_restore_run *run,
                                        const char *key,
                                        const char *value,
                                        json_t **profile)
{
    *profile = NULL;
    json_t *out = NULL;
    if (cpw_restore_send(
          run, "SearchProfiles",
          json_pack("{s:s,s:[s],s:i}", "KeyName", key, "Values", value, "MaxResults", 2), &out)) {
        return CPW_RESTORE_UNREADABLE;
    }
    json_t *first = json_array_get(json_object_get(out, "Items"), 0);
    if (first) {
        *profile = json_incref(first);
    }
    json_decref(out);
    return first ? CPW_RESTORE_FOUND : CPW_RESTORE_MISSING;
}

/* Finds the target's profile for a record: *found (owned) when found. */
static enum cpw_restore_lookup s_find(struct cpw_restore_run *run,
                                      const json_t *profile,
                                      const json_t *objects,
                                      const json_t *types,
                                      json_t **found)
{
    *found = NULL;
    if (!run->domain_exists) {
        return CPW_RESTORE_MISSING;
    }
    size_t i;
    json_t *item;
    json_array_foreach(objects, i, item)
    {
        const json_t *type = s_type(types, cpw_json_get_string(item, "ObjectTypeName"));
        const char *text = cpw_json_get_string(item, "Object");
        json_t *object = text ? cpw_json_load_cstr(text) : NULL;
        const char *key = NULL, *value = NULL;
        enum cpw_restore_lookup rc = CPW_RESTORE_MISSING;
        if (type && object && s_profile_key(type, object, &key, &value)) {
            rc = s_search(run, key, value, found);
        }
        json_decref(object);
        if (rc != CPW_RESTORE_MISSING) {
            return rc;
        }
    }
    for (size_t k = 0; k < sizeof(s_standard_keys) / sizeof(s_standard_keys[0]); k++) {
        const char *value = cpw_json_get_string(profile, s_standard_keys[k].member);
        if (value) {
            return s_search(run, s_standard_keys[k].key, value, found);
        }
    }
    /* No key: a profile of the target with exactly these fields (counted once each). */
    json_t *fields = s_fields(profile);
    struct cpw_buf text;
    cpw_buf_init(&text, 1024u * 1024u);
    enum cpw_restore_lookup rc = CPW_RESTORE_MISSING;
    json_t *ids = NULL;
    if (run->keyless && s_dump_sorted(fields, &text) == 0 &&
        (ids = json_object_get(run->keyless, cpw_buf_cstr(&text))) && json_array_size(ids) > 0) {
        *found = json_deep_copy(fields);
        json_object_set(*found, "ProfileId", json_array_get(ids, json_array_size(ids) - 1));
        json_array_remove(ids, json_array_size(ids) - 1);
        rc = CPW_RESTORE_FOUND;
    }
    cpw_buf_clean_up(&text);
    json_decref(fields);
    return rc;
}

/* Puts the record's objects that the target profile (NULL: none yet) does not hold. */
static int s_put_objects(struct cpw_restore_run *run, const char *profile_id, const json_t *objects)
{
    size_t i;
    json_t *item;
    json_array_foreach(objects, i, item)
    {
        const char *type = cpw_json_get_string(item, "ObjectTypeName");
        const char *text = cpw_json_get_string(item, "Object");
        if (!type || !text) {
            continue;
        }
        bool present = false;
        if (profile_id) {
            json_t *out = NULL;
            json_t *input = json_pack("{s:s,s:s}", "ObjectTypeName", type, "ProfileId", profile_id);
            json_object_set_new(input, "DomainName", json_string(run->domain));
            if (cpw_backup_call(run->client, run->region, "customer-profiles", "ListProfileObjects",
                                input, true, &out)) {
                return -1;
            }
            size_t j;
            json_t *have;
            json_array_foreach(json_object_get(out, "Items"), j, have)
            {
                present = present || json_equal(json_object_get(have, "Object"),
                                                json_object_get(item, "Object"));
            }
            json_decref(out);
        }
        if (present) {
            continue;
        }
        if (!run->opts->dry_run &&
            cpw_restore_send(run, "PutProfileObject",
                             json_pack("{s:s,s:s}", "ObjectTypeName", type, "Object", text),
                             NULL)) {
            return -1;
        }
        run->summary.objects_put++;
    }
    return 0;
}

static void s_record(struct cpw_restore_run *run, const json_t *record, const json_t *types)
{
    const json_t *profile = json_object_get(record, "profile");
    const json_t *objects = json_object_get(record, "objects");
    const char *orig_id = cpw_json_get_string(profile, "ProfileId");
    const char *name = orig_id ? orig_id : "(profile)";
    json_t *want = s_fields(profile);
    json_t *found = NULL;
    enum cpw_restore_lookup rc = s_find(run, profile, objects, types, &found);
    if (rc == CPW_RESTORE_UNREADABLE) {
        goto failed;
    }
    if (rc == CPW_RESTORE_FOUND) {
        json_t *have = s_fields(found);
        bool equal = json_equal(have, want);
        bool partial = !equal && s_subset(have, want);
        json_decref(have);
        const char *id = cpw_json_get_string(found, "ProfileId");
        if (!equal && !partial && !run->opts->force) {
            cpw_restore_note(run, CPW_RESTORE_CONFLICT, "profile", name,
                             "a profile with the same key exists with other fields");
            goto done;
        }
        if (s_put_objects(run, id, objects)) {
            goto failed;
        }
        if (equal) {
            run->summary.profiles_skipped++;
        } else {
            json_t *input = json_deep_copy(want);
            json_object_set_new(input, "ProfileId", json_string(id));
            if (!run->opts->dry_run && cpw_restore_send(run, "UpdateProfile", input, NULL)) {
                goto failed;
            }
            if (run->opts->dry_run) {
                json_decref(input);
            }
            cpw_restore_note(run, CPW_RESTORE_UPDATE, "profile", name,
                             partial ? "completed: it lacked some of the backup's fields (a "
                                       "restore interrupted half-way)"
                                     : "fields overwritten (--force)");
        }
        goto done;
    }
    /* New: the objects make (or join) the profile; then its fields are filled in. */
    if (s_put_objects(run, NULL, objects)) {
        goto failed;
    }
    run->summary.profiles_created++;
    if (run->opts->dry_run) {
        goto done;
    }
    rc = json_array_size(objects) > 0 ? s_find(run, profile, objects, types, &found)
                                      : CPW_RESTORE_MISSING;
    if (rc == CPW_RESTORE_UNREADABLE) {
        goto failed;
    }
    if (rc == CPW_RESTORE_FOUND) {
        json_t *input = json_deep_copy(want);
        json_object_set_new(input, "ProfileId",
                            json_string(cpw_json_get_string(found, "ProfileId")));
        if (json_object_size(want) > 0 && cpw_restore_send(run, "UpdateProfile", input, NULL)) {
            goto failed;
        }
        if (json_object_size(want) == 0) {
            json_decref(input);
        }
    } else if (cpw_restore_send(run, "CreateProfile", json_deep_copy(want), NULL)) {
        goto failed;
    }
    goto done;
failed:
    cpw_restore_note(run, CPW_RESTORE_FAILED, "profile", name, cpw_last_error_detail());
done:
    json_decref(found);
    json_decref(want);
}

static bool s_has_standard_key(const json_t *profile)
{
    for (size_t k = 0; k < sizeof(s_standard_keys) / sizeof(s_standard_keys[0]); k++) {
        if (cpw_json_get_string(profile, s_standard_keys[k].member)) {
            return true;
        }
    }
    return false;
}

/* Indexes the target's profiles that have no standard key by their fields (text -> [ids]),
 * reading them in batches: ListProfileAttributeValues on ProfileId, SearchProfiles on ids. */
static int s_index_keyless(struct cpw_restore_run *run)
{
    json_t *out = NULL;
    if (cpw_restore_send(run, "ListProfileAttributeValues",
                         json_pack("{s:s}", "AttributeName", "ProfileId"), &out)) {
        return -1;
    }
    run->keyless = json_object();
    json_t *items = json_object_get(out, "Items");
    int rc = 0;
    struct cpw_buf text;
    cpw_buf_init(&text, 1024u * 1024u);
    for (size_t start = 0; rc == 0 && start < json_array_size(items); start += 100) {
        json_t *batch = json_array();
        for (size_t i = start; i < start + 100 && i < json_array_size(items); i++) {
            json_array_append(batch, json_object_get(json_array_get(items, i), "Value"));
        }
        json_t *found = NULL;
        json_t *input =
          json_pack("{s:s,s:o,s:i}", "KeyName", "_profileId", "Values", batch, "MaxResults", 100);
        json_object_set_new(input, "DomainName", json_string(run->domain));
        rc = cpw_backup_call(run->client, run->region, "customer-profiles", "SearchProfiles", input,
                             true, &found);
        size_t i;
        json_t *p;
        json_array_foreach(json_object_get(found, "Items"), i, p)
        {
            if (s_has_standard_key(p)) {
                continue;
            }
            json_t *fields = s_fields(p);
            cpw_buf_reset(&text);
            if (s_dump_sorted(fields, &text) == 0) {
                json_t *ids = json_object_get(run->keyless, cpw_buf_cstr(&text));
                if (!ids) {
                    ids = json_array();
                    json_object_set_new(run->keyless, cpw_buf_cstr(&text), ids);
                }
                json_array_append(ids, json_object_get(p, "ProfileId"));
            }
            json_decref(fields);
        }
        json_decref(found);
    }
    cpw_buf_clean_up(&text);
    json_decref(out);
    return rc;
}

int cpw_restore_profiles(struct cpw_restore_run *run,
                         struct cpw_backup_reader *reader,
                         const json_t *object_types)
{
    const json_t *record = NULL;
    enum cpw_backup_next rc;
    uint64_t records = 0;
    while ((rc = cpw_backup_reader_next(reader, &record)) == CPW_BACKUP_NEXT_RECORD) {
        if (records == 0 && run->domain_exists && !run->domain_created && s_index_keyless(run)) {
            json_decref(run->keyless);
            run->keyless = NULL;
            return -1;
        }
        s_record(run, record, object_types);
        records++;
    }
    json_decref(run->keyless);
    run->keyless = NULL;
    if (rc == CPW_BACKUP_NEXT_ERROR) {
        return -1;
    }
    if (records > 0) {
        char detail[256];
        snprintf(detail, sizeof(detail), "%llu profiles %s, %llu already there, %llu objects %s",
                 (unsigned long long)run->summary.profiles_created,
                 run->opts->dry_run ? "would be created" : "created",
                 (unsigned long long)run->summary.profiles_skipped,
                 (unsigned long long)run->summary.objects_put,
                 run->opts->dry_run ? "would be put" : "put");
        cpw_restore_note(run,
                         run->summary.profiles_created || run->summary.objects_put
                           ? CPW_RESTORE_CREATE
                           : CPW_RESTORE_SKIP,
                         "profiles", run->domain, detail);
    }
    return 0;
}
