/*
 * events_state.c - the state file of `cpwarden events --state-file` (events.h, docs/events.md):
 *
 *   {"format_version": 1, "since": "2026-12-04T10:00:00Z",
 *    "seen": [{"id": "EVENT-ID", "time": "2026-12-04T10:12:00Z"}, ...]}
 *
 * A file that is not exactly that is refused whole (never half-read, never rewritten), so a
 * corrupt or planted file stops the scheduled run with a clear error instead of repeating or
 * hiding events.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "atomic_file.h"
#include "cpw/alloc.h"
#include "cpw/error.h"
#include "cpw/events.h"
#include "cpw/file.h"
#include "cpw/json.h"
#include "cpw/time.h"

#define STATE_MAX_BYTES (16u * 1024u * 1024u)
#define ID_MAX_BYTES    128

void cpw_events_state_clean_up(struct cpw_events_state *state)
{
    for (size_t i = 0; i < state->seen_count; i++) {
        cpw_free(state->seen[i].id);
    }
    cpw_free(state->seen);
    memset(state, 0, sizeof(*state));
}

static int s_time(const json_t *v, int64_t *out)
{
    int64_t ms = 0;
    if (!json_is_string(v) ||
        cpw_time_parse_iso8601_ms(cpw_span_from_cstr(json_string_value(v)), &ms) != 0) {
        cpw_error_clear();
        return -1;
    }
    *out = ms / 1000;
    return 0;
}

static int s_bad(const char *path, const char *what)
{
    cpw_error_clear();
    return cpw_raise(CPW_ERR_PARSE,
                     "state file %s: %s; it was left unchanged (remove it to start over, which "
                     "reports the events of the look-back period again)",
                     path, what);
}

static int s_compare_seen(const void *a, const void *b)
{
    const struct cpw_events_seen *x = a;
    const struct cpw_events_seen *y = b;
    return strcmp(x->id, y->id);
}

/* Reads the document into state (empty on entry). 0, or -1 with s_bad's error. */
static int s_read(const char *path, const json_t *doc, struct cpw_events_state *state)
{
    const json_t *version = cpw_json_get(doc, "format_version");
    const json_t *seen = cpw_json_get(doc, "seen");
    if (!json_is_object(doc)) {
        return s_bad(path, "not a JSON object");
    }
    if (!json_is_integer(version) || json_integer_value(version) != 1) {
        return s_bad(path, "format_version is not 1");
    }
    if (json_object_size(doc) != 3) {
        return s_bad(path, "it holds other keys than format_version, since and seen");
    }
    if (s_time(cpw_json_get(doc, "since"), &state->since_s) != 0 || state->since_s <= 0) {
        return s_bad(path, "since is not an ISO 8601 time");
    }
    if (state->since_s > cpw_time_now_s() + 86400) {
        return s_bad(path, "since is in the future");
    }
    if (!json_is_array(seen) || json_array_size(seen) > CPW_EVENTS_STATE_MAX_IDS) {
        return s_bad(path, "seen is not a list of at most 100000 events");
    }
    size_t n = json_array_size(seen);
    state->seen = cpw_calloc(n ? n : 1, sizeof(*state->seen));
    for (size_t i = 0; i < n; i++) {
        const json_t *item = json_array_get(seen, i);
        const char *id = cpw_json_get_string(item, "id");
        int64_t t = 0;
        if (!json_is_object(item) || json_object_size(item) != 2 || !id || !*id ||
            strlen(id) > ID_MAX_BYTES || s_time(cpw_json_get(item, "time"), &t) != 0) {
            return s_bad(path,
                         "an entry of seen is not {\"id\": ID (1-128 bytes), \"time\": TIME}");
        }
        state->seen[i].id = cpw_strdup(id);
        state->seen[i].time_s = t;
        state->seen_count = i + 1;
    }
    qsort(state->seen, state->seen_count, sizeof(*state->seen), s_compare_seen);
    for (size_t i = 1; i < state->seen_count; i++) {
        if (strcmp(state->seen[i - 1].id, state->seen[i].id) == 0) {
            return s_bad(path, "an event id is listed twice");
        }
    }
    return 0;
}

int cpw_events_state_load(const char *path, struct cpw_events_state *state)
{
    memset(state, 0, sizeof(*state));
    struct stat st;
    if (lstat(path, &st) != 0) {
        if (errno == ENOENT) {
            return 0; /* the first run */
        }
        return cpw_raise(CPW_ERR_IO, "state file %s: %s", path, strerror(errno));
    }
    if (S_ISLNK(st.st_mode)) {
        return cpw_raise(CPW_ERR_IO, "state file %s is a symbolic link; refused", path);
    }
    if (!S_ISREG(st.st_mode)) {
        return cpw_raise(CPW_ERR_IO, "state file %s is not a regular file", path);
    }
    if (st.st_mode & (S_IWGRP | S_IWOTH)) {
        return cpw_raise(CPW_ERR_IO,
                         "state file %s is writable by other users; refused (chmod 600 it)", path);
    }
    struct cpw_buf text;
    cpw_buf_init(&text, STATE_MAX_BYTES);
    json_t *doc = NULL;
    int rc = 0;
    if (cpw_buf_read_regular_file(&text, path) != 0) {
        rc = cpw_raise(cpw_last_error() == CPW_ERR_LIMIT ? CPW_ERR_PARSE : CPW_ERR_IO,
                       "state file %s: %s", path, cpw_last_error_detail());
    } else if (cpw_json_load(cpw_buf_span(&text), STATE_MAX_BYTES, &doc) != 0) {
        char why[512];
        snprintf(why, sizeof(why), "not valid JSON (%s)", cpw_last_error_detail());
        rc = s_bad(path, why);
    } else {
        rc = s_read(path, doc, state);
    }
    if (rc != 0) {
        enum cpw_error code = cpw_last_error();
        char detail[1024];
        snprintf(detail, sizeof(detail), "%s", cpw_last_error_detail());
        cpw_events_state_clean_up(state);
        cpw_raise(code, "%s", detail);
    }
    cpw_json_release(doc);
    cpw_buf_clean_up(&text);
    return rc;
}

bool cpw_events_state_seen(const struct cpw_events_state *state, const char *event_id)
{
    if (state->seen_count == 0) {
        return false;
    }
    struct cpw_events_seen key = { .id = (char *)event_id };
    return bsearch(&key, state->seen, state->seen_count, sizeof(*state->seen), s_compare_seen) !=
           NULL;
}

int cpw_events_state_advance(struct cpw_events_state *state,
                             struct cpw_events *list,
                             int64_t now_s,
                             bool complete)
{
    /* Drop what was reported before, keep the rest (the order stays). */
    size_t kept = 0;
    for (size_t i = 0; i < list->count; i++) {
        if (cpw_events_state_seen(state, list->items[i].event_id)) {
            cpw_event_clean_up(&list->items[i]);
        } else {
            list->items[kept++] = list->items[i];
        }
    }
    list->count = kept;
    int64_t since =
      complete || state->since_s == 0 ? now_s - CPW_EVENTS_STATE_OVERLAP_S : state->since_s;
    if (!complete && state->since_s == 0) {
        /* the first run failed in part: start from the oldest event reported, or now's window */
        for (size_t i = 0; i < list->count; i++) {
            since = list->items[i].time_s < since ? list->items[i].time_s : since;
        }
    }
    /* The remembered ids at or after the new start, then the new ones. */
    size_t n = 0;
    struct cpw_events_seen *seen = cpw_calloc(state->seen_count + list->count + 1, sizeof(*seen));
    for (size_t i = 0; i < state->seen_count; i++) {
        if (state->seen[i].time_s >= since) {
            seen[n++] = state->seen[i];
        } else {
            cpw_free(state->seen[i].id);
        }
    }
    for (size_t i = 0; i < list->count; i++) {
        if (list->items[i].time_s >= since) {
            seen[n].id = cpw_strdup(list->items[i].event_id);
            seen[n++].time_s = list->items[i].time_s;
        }
    }
    cpw_free(state->seen);
    state->seen = seen;
    state->seen_count = n;
    state->since_s = since;
    qsort(state->seen, n, sizeof(*state->seen), s_compare_seen);
    if (n > CPW_EVENTS_STATE_MAX_IDS) {
        return cpw_raise(CPW_ERR_LIMIT, "more than %d events to remember since the last run",
                         CPW_EVENTS_STATE_MAX_IDS);
    }
    return 0;
}

int cpw_events_state_save(const char *path, const struct cpw_events_state *state)
{
    char since[CPW_TIME_ISO8601_LEN + 1];
    if (cpw_time_format_iso8601(state->since_s, since) != 0) {
        return -1;
    }
    json_t *seen = json_array();
    for (size_t i = 0; i < state->seen_count; i++) {
        char t[CPW_TIME_ISO8601_LEN + 1];
        if (cpw_time_format_iso8601(state->seen[i].time_s, t) != 0) {
            json_decref(seen);
            return -1;
        }
        cpw_json_append_take(seen, json_pack("{s:s, s:s}", "id", state->seen[i].id, "time", t));
    }
    json_t *doc = json_pack("{s:i, s:s, s:o}", "format_version", 1, "since", since, "seen", seen);
    struct cpw_buf text;
    cpw_buf_init(&text, STATE_MAX_BYTES);
    struct cpw_atomic_file file = { 0 };
    int rc = doc ? cpw_json_dump_document(doc, &text)
                 : cpw_raise(CPW_ERR_INTERNAL, "cannot build the state document");
    if (rc == 0 && (cpw_atomic_file_open(&file, path) != 0 ||
                    cpw_atomic_file_write(&file, cpw_buf_span(&text)) != 0 ||
                    cpw_atomic_file_commit(&file) != 0)) {
        rc = -1;
    }
    cpw_atomic_file_clean_up(&file);
    cpw_buf_clean_up(&text);
    cpw_json_release(doc);
    return rc;
}
