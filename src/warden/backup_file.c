/*
 * backup_file.c - the backup container (docs/backup-format.md): a JSON Lines file with a header,
 * sections, streamed records and a sha256 trailer, written atomically with mode 0600 and read
 * back only after the version and the checksum of the whole file have been verified.
 */
#include "cpw/backup_file.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#include "atomic_file.h"
#include "cpw/alloc.h"
#include "cpw/crypto.h"
#include "cpw/error.h"
#include "cpw/json.h"
#include "cpw/time.h"

#define BACKUP_HEADER_MAX_BYTES  (1u * 1024u * 1024u)
#define BACKUP_TRAILER_MAX_BYTES 4096u
#define BACKUP_CHUNK_BYTES       (64u * 1024u)

static const char *const s_section_names[] = {
#define CPW_BACKUP_SECTION_NAME_(e, name, since, list) name,
    CPW_BACKUP_SECTION_LIST(CPW_BACKUP_SECTION_NAME_)
#undef CPW_BACKUP_SECTION_NAME_
};

static const int s_section_since[] = {
#define CPW_BACKUP_SECTION_SINCE_(e, name, since, list) since,
    CPW_BACKUP_SECTION_LIST(CPW_BACKUP_SECTION_SINCE_)
#undef CPW_BACKUP_SECTION_SINCE_
};

static const bool s_section_list[] = {
#define CPW_BACKUP_SECTION_IS_LIST_(e, name, since, list) list,
    CPW_BACKUP_SECTION_LIST(CPW_BACKUP_SECTION_IS_LIST_)
#undef CPW_BACKUP_SECTION_IS_LIST_
};

bool cpw_backup_section_is_list(enum cpw_backup_section section)
{
    return (unsigned)section < CPW_BACKUP_SECTION_COUNT_ && s_section_list[section];
}

const char *cpw_backup_section_name(enum cpw_backup_section section)
{
    if ((unsigned)section >= CPW_BACKUP_SECTION_COUNT_) {
        return "unknown";
    }
    return s_section_names[section];
}

static int s_section_parse(const char *name, enum cpw_backup_section *out)
{
    for (unsigned i = 0; i < CPW_BACKUP_SECTION_COUNT_; i++) {
        if (strcmp(name, s_section_names[i]) == 0) {
            *out = (enum cpw_backup_section)i;
            return 0;
        }
    }
    return -1;
}

static bool s_is_account_id(const char *s)
{
    if (!s || strlen(s) != 12) {
        return false;
    }
    for (size_t i = 0; i < 12; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
    }
    return true;
}

/* Version 2's counts: profiles, objects, and every list section's items under its name. */
static json_t *s_counts_json(const struct cpw_backup_counts *c, const uint64_t *items)
{
    json_t *counts = json_pack("{s:I, s:I}", "profiles", (json_int_t)c->profiles, "objects",
                               (json_int_t)c->objects);
    for (unsigned i = 0; i < CPW_BACKUP_SECTION_COUNT_; i++) {
        if (s_section_list[i]) {
            json_object_set_new(counts, s_section_names[i], json_integer((json_int_t)items[i]));
        }
    }
    return counts;
}

/* ----- writer ----------------------------------------------------------------------------- */

struct cpw_backup_writer {
    struct cpw_atomic_file file;
    struct cpw_sha256_ctx *sha;
    struct cpw_buf line; /* reused for every line: memory stays flat */
    bool written[CPW_BACKUP_SECTION_COUNT_];
    uint64_t section_count;
    uint64_t record_count;
    bool failed;
    bool finished;
};

/* Serializes doc as one compact line, hashes it and writes it. */
static int s_write_line(struct cpw_backup_writer *w, const json_t *doc)
{
    if (w->failed || w->finished) {
        return cpw_raise(CPW_ERR_INVALID_ARGUMENT, "backup writer is %s",
                         w->finished ? "finished" : "in a failed state");
    }
    cpw_buf_reset(&w->line);
    if (cpw_json_dump_with(doc, CPW_JSON_DUMP_COMPACT, &w->line) != 0 ||
        cpw_buf_append_byte(&w->line, '\n')) {
        w->failed = true;
        return cpw_raise(CPW_ERR_LIMIT, "backup: a line does not fit in %u bytes",
                         CPW_BACKUP_MAX_LINE_BYTES);
    }
    if (cpw_sha256_update(w->sha, cpw_buf_span(&w->line)) ||
        cpw_atomic_file_write(&w->file, cpw_buf_span(&w->line))) {
        w->failed = true;
        return -1;
    }
    return 0;
}

struct cpw_backup_writer *cpw_backup_writer_new(const struct cpw_backup_writer_options *opts)
{
    if (!opts || !opts->path || !s_is_account_id(opts->account) || !opts->region ||
        !*opts->region || !opts->domain || !*opts->domain) {
        cpw_raise(CPW_ERR_INVALID_ARGUMENT,
                  "a backup needs a path, a 12-digit account, a region and a domain");
        return NULL;
    }
    char now[CPW_TIME_ISO8601_LEN + 1];
    if (cpw_time_format_iso8601(cpw_time_now_s(), now)) {
        return NULL;
    }
    struct cpw_backup_writer *w = cpw_calloc(1, sizeof(*w));
    cpw_buf_init(&w->line, CPW_BACKUP_MAX_LINE_BYTES);
    w->sha = cpw_sha256_new();
    json_t *header = NULL;
    /* The four kinds version 1 counted may come in counts alone. */
    uint64_t items[CPW_BACKUP_SECTION_COUNT_];
    memcpy(items, opts->items, sizeof(items));
    const struct {
        enum cpw_backup_section section;
        uint64_t count;
    } v1[] = {
        { CPW_BACKUP_OBJECT_TYPES, opts->counts.object_types },
        { CPW_BACKUP_INTEGRATIONS, opts->counts.integrations },
        { CPW_BACKUP_EVENT_STREAMS, opts->counts.event_streams },
        { CPW_BACKUP_CALCULATED_ATTRIBUTES, opts->counts.calculated_attributes },
    };
    for (size_t i = 0; i < sizeof(v1) / sizeof(v1[0]); i++) {
        if (items[v1[i].section] == 0) {
            items[v1[i].section] = v1[i].count;
        }
    }
    if (!w->sha || cpw_atomic_file_open(&w->file, opts->path)) {
        goto on_error;
    }
    header =
      json_pack("{s:s, s:i, s:{s:s, s:s, s:s, s:s, s:s, s:o}}", "format", CPW_BACKUP_FORMAT_NAME,
                "format_version", CPW_BACKUP_FORMAT_VERSION, "header", "created_at", now, "account",
                opts->account, "region", opts->region, "domain", opts->domain, "source_identity",
                opts->source_identity ? opts->source_identity : "", "counts",
                s_counts_json(&opts->counts, items));
    if (!header) {
        cpw_raise(CPW_ERR_INVALID_ARGUMENT, "backup header fields must be valid UTF-8");
        goto on_error;
    }
    if (s_write_line(w, header)) {
        goto on_error;
    }
    json_decref(header);
    return w;
on_error:
    json_decref(header);
    cpw_backup_writer_destroy(w);
    return NULL;
}

int cpw_backup_writer_add_section(struct cpw_backup_writer *w,
                                  enum cpw_backup_section section,
                                  const json_t *document)
{
    if ((unsigned)section >= CPW_BACKUP_SECTION_COUNT_ || !document) {
        return cpw_raise(CPW_ERR_INVALID_ARGUMENT, "unknown backup section or no document");
    }
    if (w->record_count) {
        return cpw_raise(CPW_ERR_INVALID_ARGUMENT,
                         "backup section %s must come before the first record",
                         s_section_names[section]);
    }
    if (w->written[section]) {
        return cpw_raise(CPW_ERR_INVALID_ARGUMENT, "backup section %s written twice",
                         s_section_names[section]);
    }
    json_t *line =
      json_pack("{s:s, s:O}", "section", s_section_names[section], "document", document);
    int rc = line ? s_write_line(w, line)
                  : cpw_raise(CPW_ERR_INVALID_ARGUMENT, "backup section is not serializable");
    json_decref(line);
    if (rc == 0) {
        w->written[section] = true;
        w->section_count++;
    }
    return rc;
}

int cpw_backup_writer_add_record(struct cpw_backup_writer *w, const json_t *record)
{
    if (!record) {
        return cpw_raise(CPW_ERR_INVALID_ARGUMENT, "no backup record");
    }
    json_t *line = json_pack("{s:O}", "record", record);
    int rc = line ? s_write_line(w, line)
                  : cpw_raise(CPW_ERR_INVALID_ARGUMENT, "backup record is not serializable");
    json_decref(line);
    if (rc == 0) {
        w->record_count++;
    }
    return rc;
}

int cpw_backup_writer_finish(struct cpw_backup_writer *w)
{
    if (w->failed || w->finished) {
        return cpw_raise(CPW_ERR_INVALID_ARGUMENT, "backup writer cannot finish: %s",
                         w->finished ? "already finished" : "an earlier write failed");
    }
    uint8_t digest[CPW_SHA256_LEN];
    char hex[CPW_SHA256_HEX_LEN + 1];
    if (cpw_sha256_final(w->sha, digest)) {
        w->failed = true;
        return -1;
    }
    cpw_hex_encode_to(hex, digest, sizeof(digest));
    cpw_buf_reset(&w->line);
    if (cpw_buf_appendf(&w->line,
                        "{\"trailer\":{\"sections\":%llu,\"records\":%llu,"
                        "\"sha256\":\"%s\"}}\n",
                        (unsigned long long)w->section_count, (unsigned long long)w->record_count,
                        hex) ||
        cpw_atomic_file_write(&w->file, cpw_buf_span(&w->line)) ||
        cpw_atomic_file_commit(&w->file)) {
        w->failed = true;
        return -1;
    }
    w->finished = true;
    return 0;
}

void cpw_backup_writer_destroy(struct cpw_backup_writer *w)
{
    if (!w) {
        return;
    }
    cpw_atomic_file_clean_up(&w->file);
    cpw_sha256_destroy(w->sha);
    cpw_buf_clean_up(&w->line);
    cpw_free(w);
}

/* ----- reader ----------------------------------------------------------------------------- */

struct cpw_backup_reader {
    FILE *file;
    off_t content_len; /* bytes before the trailer line */
    off_t offset;      /* bytes consumed by the line reader */
    uint8_t *chunk;    /* read-ahead */
    size_t chunk_len;
    size_t chunk_pos;
    struct cpw_buf line;
    struct cpw_backup_header header;
    json_t *sections[CPW_BACKUP_SECTION_COUNT_];
    uint64_t trailer_sections;
    uint64_t trailer_records;
    uint64_t records_read;
    char sha256[CPW_SHA256_HEX_LEN + 1]; /* the trailer's digest */
    json_t *pending; /* the first record line, read while looking for sections */
    json_t *current; /* the record handed out last */
};

/* Reads one line (without its '\n') into r->line. 1: a line, 0: end of content, -1: error. */
static int s_read_line(struct cpw_backup_reader *r)
{
    cpw_buf_reset(&r->line);
    if (r->offset >= r->content_len) {
        return 0;
    }
    for (;;) {
        if (r->chunk_pos == r->chunk_len) {
            r->chunk_len = fread(r->chunk, 1, BACKUP_CHUNK_BYTES, r->file);
            r->chunk_pos = 0;
            if (r->chunk_len == 0) {
                return cpw_raise(CPW_ERR_PARSE, "backup: unexpected end of file");
            }
        }
        const uint8_t *start = r->chunk + r->chunk_pos;
        size_t avail = r->chunk_len - r->chunk_pos;
        const uint8_t *nl = memchr(start, '\n', avail);
        size_t take = nl ? (size_t)(nl - start) : avail;
        if (cpw_buf_append(&r->line, cpw_span_from(start, take))) {
            return cpw_raise(CPW_ERR_LIMIT, "backup: a line is over %u bytes",
                             CPW_BACKUP_MAX_LINE_BYTES);
        }
        r->chunk_pos += take + (nl ? 1 : 0);
        r->offset += (off_t)(take + (nl ? 1 : 0));
        if (nl) {
            return 1;
        }
    }
}

static json_t *s_parse_line(const struct cpw_buf *line, const char *what)
{
    json_error_t err;
    json_t *doc = NULL;
    (void)cpw_json_load_ex(cpw_buf_span(line), SIZE_MAX, CPW_JSON_LOAD_CONTAINER, &doc, &err);
    if (!json_is_object(doc)) {
        json_decref(doc);
        cpw_raise(CPW_ERR_PARSE, "backup: the %s is not a JSON object (%s)", what,
                  doc ? "other JSON" : err.text);
        return NULL;
    }
    return doc;
}

static int s_get_u64(const json_t *obj, const char *key, const char *where, uint64_t *out)
{
    const json_t *v = json_object_get(obj, key);
    if (!json_is_integer(v) || json_integer_value(v) < 0) {
        return cpw_raise(CPW_ERR_PARSE, "backup: %s.%s must be a non-negative integer", where, key);
    }
    *out = (uint64_t)json_integer_value(v);
    return 0;
}

static int s_get_str(const json_t *obj, const char *key, char **out)
{
    const json_t *v = json_object_get(obj, key);
    if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v)) {
        return cpw_raise(CPW_ERR_PARSE, "backup: header.%s must be a string", key);
    }
    *out = cpw_strdup(json_string_value(v));
    return 0;
}

/* Version 1's counts: six fixed members. */
static int s_read_counts_v1(const json_t *counts, struct cpw_backup_header *h)
{
    static const char *const count_keys[] = { "profiles",      "objects",
                                              "object_types",  "integrations",
                                              "event_streams", "calculated_attributes" };
    struct cpw_backup_counts *c = &h->counts;
    if (cpw_json_expect_keys(counts, "backup", "the header counts", count_keys, 6) ||
        s_get_u64(counts, "profiles", "counts", &c->profiles) ||
        s_get_u64(counts, "objects", "counts", &c->objects) ||
        s_get_u64(counts, "object_types", "counts", &c->object_types) ||
        s_get_u64(counts, "integrations", "counts", &c->integrations) ||
        s_get_u64(counts, "event_streams", "counts", &c->event_streams) ||
        s_get_u64(counts, "calculated_attributes", "counts", &c->calculated_attributes)) {
        return -1;
    }
    h->items[CPW_BACKUP_OBJECT_TYPES] = c->object_types;
    h->items[CPW_BACKUP_INTEGRATIONS] = c->integrations;
    h->items[CPW_BACKUP_EVENT_STREAMS] = c->event_streams;
    h->items[CPW_BACKUP_CALCULATED_ATTRIBUTES] = c->calculated_attributes;
    return 0;
}

/* Version 2's counts: profiles, objects and one member per list section, each required. */
static int s_read_counts_v2(const json_t *counts, struct cpw_backup_header *h)
{
    const char *keys[CPW_BACKUP_SECTION_COUNT_ + 2];
    size_t n = 0;
    keys[n++] = "profiles";
    keys[n++] = "objects";
    for (unsigned i = 0; i < CPW_BACKUP_SECTION_COUNT_; i++) {
        if (s_section_list[i]) {
            keys[n++] = s_section_names[i];
        }
    }
    if (cpw_json_expect_keys(counts, "backup", "the header counts", keys, n)) {
        return -1;
    }
    struct cpw_backup_counts *c = &h->counts;
    if (s_get_u64(counts, "profiles", "counts", &c->profiles) ||
        s_get_u64(counts, "objects", "counts", &c->objects)) {
        return -1;
    }
    for (unsigned i = 0; i < CPW_BACKUP_SECTION_COUNT_; i++) {
        if (s_section_list[i] && s_get_u64(counts, s_section_names[i], "counts", &h->items[i])) {
            return -1;
        }
    }
    c->object_types = h->items[CPW_BACKUP_OBJECT_TYPES];
    c->integrations = h->items[CPW_BACKUP_INTEGRATIONS];
    c->event_streams = h->items[CPW_BACKUP_EVENT_STREAMS];
    c->calculated_attributes = h->items[CPW_BACKUP_CALCULATED_ATTRIBUTES];
    return 0;
}

/* Line 1: format name and version first (CPW_ERR_VERSION), then the header's fields. */
static int s_read_header(struct cpw_backup_reader *r)
{
    static const char *const top_keys[] = { "format", "format_version", "header" };
    static const char *const keys[] = { "created_at", "account",         "region",
                                        "domain",     "source_identity", "counts" };
    if (s_read_line(r) != 1) {
        return cpw_raise(CPW_ERR_PARSE, "backup: no header line (empty or truncated file)");
    }
    json_t *doc = s_parse_line(&r->line, "header line");
    if (!doc) {
        return -1;
    }
    int rc = 0;
    const json_t *format = json_object_get(doc, "format");
    const json_t *version = json_object_get(doc, "format_version");
    const json_t *h = json_object_get(doc, "header");
    const json_t *counts = json_object_get(h, "counts");
    json_int_t v = json_is_integer(version) ? json_integer_value(version) : -1;
    if (!json_is_string(format) || strcmp(json_string_value(format), CPW_BACKUP_FORMAT_NAME) != 0) {
        rc = cpw_raise(CPW_ERR_PARSE, "not a cpwarden backup (\"format\" is not \"%s\")",
                       CPW_BACKUP_FORMAT_NAME);
    } else if (v < CPW_BACKUP_FORMAT_VERSION_MIN || v > CPW_BACKUP_FORMAT_VERSION) {
        rc = cpw_raise(CPW_ERR_VERSION,
                       "backup format version %lld is not supported (this cpwarden reads "
                       "versions %d to %d)",
                       (long long)v, CPW_BACKUP_FORMAT_VERSION_MIN, CPW_BACKUP_FORMAT_VERSION);
    } else if (!json_is_object(h) || !json_is_object(counts)) {
        rc = cpw_raise(CPW_ERR_PARSE, "backup: the header or its counts is not an object");
    } else if (cpw_json_expect_keys(doc, "backup", "the header line", top_keys, 3) ||
               cpw_json_expect_keys(h, "backup", "the header", keys, 6) ||
               s_get_str(h, "created_at", &r->header.created_at) ||
               s_get_str(h, "account", &r->header.account) ||
               s_get_str(h, "region", &r->header.region) ||
               s_get_str(h, "domain", &r->header.domain) ||
               s_get_str(h, "source_identity", &r->header.source_identity) ||
               (v == 1 ? s_read_counts_v1(counts, &r->header)
                       : s_read_counts_v2(counts, &r->header))) {
        rc = -1;
    }
    r->header.format_version = (int)(rc == 0 ? v : 0);
    json_decref(doc);
    return rc;
}

/* The last line must be the trailer; sets content_len to where it starts. */
static int s_read_trailer(struct cpw_backup_reader *r, off_t size)
{
    static const char *const keys[] = { "sections", "records", "sha256" };
    size_t tail_len =
      size < (off_t)BACKUP_TRAILER_MAX_BYTES ? (size_t)size : BACKUP_TRAILER_MAX_BYTES;
    if (tail_len < 2 || fseeko(r->file, size - (off_t)tail_len, SEEK_SET) != 0 ||
        fread(r->chunk, 1, tail_len, r->file) != tail_len || r->chunk[tail_len - 1] != '\n') {
        return cpw_raise(CPW_ERR_PARSE, "backup is truncated: it does not end with a complete "
                                        "trailer line");
    }
    size_t start = tail_len - 1;
    while (start > 0 && r->chunk[start - 1] != '\n') {
        start--;
    }
    if (start == 0) {
        return cpw_raise(CPW_ERR_PARSE, "backup is truncated: no trailer line");
    }
    r->content_len = size - (off_t)(tail_len - start);
    cpw_buf_reset(&r->line);
    if (cpw_buf_append(&r->line, cpw_span_from(r->chunk + start, tail_len - 1 - start))) {
        return -1;
    }
    json_t *doc = s_parse_line(&r->line, "last line");
    const json_t *t = json_object_get(doc, "trailer");
    int rc = 0;
    if (!doc || json_object_size(doc) != 1 || !json_is_object(t)) {
        rc = cpw_raise(CPW_ERR_PARSE, "backup is truncated: the last line is not the trailer");
    } else if (cpw_json_expect_keys(t, "backup", "the trailer", keys, 3) ||
               s_get_u64(t, "sections", "trailer", &r->trailer_sections) ||
               s_get_u64(t, "records", "trailer", &r->trailer_records)) {
        rc = -1;
    } else {
        const json_t *sha = json_object_get(t, "sha256");
        if (!json_is_string(sha) || json_string_length(sha) != CPW_SHA256_HEX_LEN) {
            rc = cpw_raise(CPW_ERR_PARSE, "backup: trailer.sha256 must be 64 hex digits");
        } else {
            snprintf(r->sha256, sizeof(r->sha256), "%s", json_string_value(sha));
            cpw_buf_reset(&r->line); /* keep the expected digest in r->line */
            rc = cpw_buf_append_cstr(&r->line, json_string_value(sha));
        }
    }
    json_decref(doc);
    return rc;
}

static int s_verify_checksum(struct cpw_backup_reader *r)
{
    struct cpw_sha256_ctx *sha = cpw_sha256_new();
    if (!sha || fseeko(r->file, 0, SEEK_SET) != 0) {
        cpw_sha256_destroy(sha);
        return cpw_raise(CPW_ERR_IO, "backup: cannot rewind the file");
    }
    off_t left = r->content_len;
    int rc = 0;
    while (rc == 0 && left > 0) {
        size_t want = left < (off_t)BACKUP_CHUNK_BYTES ? (size_t)left : BACKUP_CHUNK_BYTES;
        if (fread(r->chunk, 1, want, r->file) != want) {
            rc = cpw_raise(CPW_ERR_IO, "backup: short read while verifying");
        } else {
            rc = cpw_sha256_update(sha, cpw_span_from(r->chunk, want));
            left -= (off_t)want;
        }
    }
    uint8_t digest[CPW_SHA256_LEN];
    char hex[CPW_SHA256_HEX_LEN + 1];
    if (rc == 0 && cpw_sha256_final(sha, digest) == 0) {
        cpw_hex_encode_to(hex, digest, sizeof(digest));
        if (!cpw_span_eq_ignore_case(cpw_span_from_cstr(hex), cpw_buf_span(&r->line))) {
            rc = cpw_raise(CPW_ERR_INTEGRITY, "backup checksum does not match its content: the "
                                              "file was edited or damaged after it was written");
        }
    } else if (rc == 0) {
        rc = -1;
    }
    cpw_sha256_destroy(sha);
    if (rc == 0 && fseeko(r->file, 0, SEEK_SET) != 0) {
        rc = cpw_raise(CPW_ERR_IO, "backup: cannot rewind the file");
    }
    r->chunk_len = r->chunk_pos = 0;
    r->offset = 0;
    return rc;
}

/* Section lines up to the first record (kept as pending) or the trailer. */
static int s_read_sections(struct cpw_backup_reader *r)
{
    int got;
    uint64_t sections = 0;
    while ((got = s_read_line(r)) == 1) {
        json_t *doc = s_parse_line(&r->line, "line");
        if (!doc) {
            return -1;
        }
        if (json_object_get(doc, "record")) {
            if (json_object_size(doc) != 1) {
                json_decref(doc);
                return cpw_raise(CPW_ERR_PARSE, "backup: a record line has extra fields");
            }
            r->pending = doc;
            break;
        }
        const json_t *name = json_object_get(doc, "section");
        const json_t *document = json_object_get(doc, "document");
        enum cpw_backup_section section;
        if (json_object_size(doc) != 2 || !json_is_string(name) || !document ||
            s_section_parse(json_string_value(name), &section)) {
            json_decref(doc);
            return cpw_raise(CPW_ERR_PARSE,
                             "backup: line at byte %lld is neither a known "
                             "section nor a record",
                             (long long)r->offset);
        }
        if (r->sections[section]) {
            json_decref(doc);
            return cpw_raise(CPW_ERR_PARSE, "backup: section %s appears twice",
                             s_section_names[section]);
        }
        if (s_section_since[section] > r->header.format_version) {
            json_decref(doc);
            return cpw_raise(CPW_ERR_PARSE, "backup: section %s is not part of format version %d",
                             s_section_names[section], r->header.format_version);
        }
        if (s_section_list[section] && !json_is_array(document)) {
            json_decref(doc);
            return cpw_raise(CPW_ERR_PARSE, "backup: section %s is not a list",
                             s_section_names[section]);
        }
        r->sections[section] = json_incref((json_t *)document);
        sections++;
        json_decref(doc);
    }
    if (got < 0) {
        return -1;
    }
    if (sections != r->trailer_sections) {
        return cpw_raise(CPW_ERR_PARSE, "backup: %llu section(s) found, the trailer says %llu",
                         (unsigned long long)sections, (unsigned long long)r->trailer_sections);
    }
    /* From version 2 the header counts every list section's items: they must agree. */
    for (unsigned i = 0; r->header.format_version >= 2 && i < CPW_BACKUP_SECTION_COUNT_; i++) {
        uint64_t have = s_section_list[i] ? (uint64_t)json_array_size(r->sections[i]) : 0;
        if (s_section_list[i] && have != r->header.items[i]) {
            return cpw_raise(CPW_ERR_PARSE,
                             "backup: section %s holds %llu item(s), the header "
                             "counts %llu",
                             s_section_names[i], (unsigned long long)have,
                             (unsigned long long)r->header.items[i]);
        }
    }
    return 0;
}

static struct cpw_backup_reader *s_open(FILE *file, off_t size)
{
    struct cpw_backup_reader *r = cpw_calloc(1, sizeof(*r));
    r->file = file;
    r->chunk = cpw_malloc(BACKUP_CHUNK_BYTES);
    r->content_len = size;
    cpw_buf_init(&r->line, CPW_BACKUP_MAX_LINE_BYTES);
    /* Version first (a future version may checksum differently), then the whole-file checksum,
     * and only then anything that hands content back. */
    if (s_read_header(r) || s_read_trailer(r, size) || s_verify_checksum(r) ||
        s_read_line(r) != 1 || s_read_sections(r)) {
        cpw_backup_reader_destroy(r);
        return NULL;
    }
    return r;
}

struct cpw_backup_reader *cpw_backup_reader_open(const char *path)
{
    FILE *file = fopen(path, "rb");
    if (!file) {
        cpw_raise(CPW_ERR_IO, "%s: cannot open the backup: %s", path, strerror(errno));
        return NULL;
    }
    if (fseeko(file, 0, SEEK_END) != 0) {
        fclose(file);
        cpw_raise(CPW_ERR_IO, "%s: cannot size the backup", path);
        return NULL;
    }
    off_t size = ftello(file);
    rewind(file);
    struct cpw_backup_reader *r = s_open(file, size);
    if (!r) {
        enum cpw_error code = cpw_last_error();
        char *detail = cpw_strdup(cpw_last_error_detail());
        cpw_raise(code, "%s: %s", path, detail);
        cpw_free(detail);
    }
    return r;
}

struct cpw_backup_reader *cpw_backup_reader_open_memory(struct cpw_span bytes)
{
    if (bytes.len == 0) {
        cpw_raise(CPW_ERR_PARSE, "backup is empty");
        return NULL;
    }
    FILE *file = fmemopen((void *)bytes.ptr, bytes.len, "rb");
    if (!file) {
        cpw_raise(CPW_ERR_IO, "cannot read the backup from memory: %s", strerror(errno));
        return NULL;
    }
    return s_open(file, (off_t)bytes.len);
}

const struct cpw_backup_header *cpw_backup_reader_header(const struct cpw_backup_reader *r)
{
    return &r->header;
}

const json_t *cpw_backup_reader_section(const struct cpw_backup_reader *r,
                                        enum cpw_backup_section section)
{
    return (unsigned)section < CPW_BACKUP_SECTION_COUNT_ ? r->sections[section] : NULL;
}

uint64_t cpw_backup_reader_record_count(const struct cpw_backup_reader *r)
{
    return r->trailer_records;
}

enum cpw_backup_next cpw_backup_reader_next(struct cpw_backup_reader *r, const json_t **record)
{
    json_decref(r->current);
    r->current = NULL;
    *record = NULL;
    json_t *doc = r->pending;
    r->pending = NULL;
    if (!doc) {
        int got = s_read_line(r);
        if (got < 0) {
            return CPW_BACKUP_NEXT_ERROR;
        }
        if (got == 0) {
            if (r->records_read != r->trailer_records) {
                (void)cpw_raise(
                  CPW_ERR_PARSE, "backup: %llu record(s) found, the trailer says %llu",
                  (unsigned long long)r->records_read, (unsigned long long)r->trailer_records);
                return CPW_BACKUP_NEXT_ERROR;
            }
            return CPW_BACKUP_NEXT_END;
        }
        doc = s_parse_line(&r->line, "record line");
        if (!doc) {
            return CPW_BACKUP_NEXT_ERROR;
        }
        if (json_object_size(doc) != 1 || !json_object_get(doc, "record")) {
            json_decref(doc);
            (void)cpw_raise(CPW_ERR_PARSE,
                            "backup: line at byte %lld is not a record (sections "
                            "come before records)",
                            (long long)r->offset);
            return CPW_BACKUP_NEXT_ERROR;
        }
    }
    r->current = json_incref(json_object_get(doc, "record"));
    json_decref(doc);
    r->records_read++;
    *record = r->current;
    return CPW_BACKUP_NEXT_RECORD;
}

void cpw_backup_reader_destroy(struct cpw_backup_reader *r)
{
    if (!r) {
        return;
    }
    if (r->file) {
        fclose(r->file);
    }
    for (unsigned i = 0; i < CPW_BACKUP_SECTION_COUNT_; i++) {
        json_decref(r->sections[i]);
    }
    json_decref(r->pending);
    json_decref(r->current);
    cpw_free(r->header.created_at);
    cpw_free(r->header.account);
    cpw_free(r->header.region);
    cpw_free(r->header.domain);
    cpw_free(r->header.source_identity);
    cpw_buf_clean_up(&r->line);
    cpw_free(r->chunk);
    cpw_free(r);
}

int cpw_backup_verify(const char *path, struct cpw_backup_verify_report *report)
{
    memset(report, 0, sizeof(*report));
    struct cpw_backup_reader *r = cpw_backup_reader_open(path);
    if (!r) {
        return -1;
    }
    report->format_version = r->header.format_version;
    snprintf(report->sha256, sizeof(report->sha256), "%s", r->sha256);
    for (unsigned i = 0; i < CPW_BACKUP_SECTION_COUNT_; i++) {
        report->present[i] = r->sections[i] != NULL;
        report->items[i] = s_section_list[i] ? (uint64_t)json_array_size(r->sections[i])
                                             : (r->sections[i] ? 1u : 0u);
    }
    int rc;
    const json_t *record = NULL;
    while ((rc = cpw_backup_reader_next(r, &record)) == 1) {
        const json_t *objects = json_object_get(record, "objects");
        if (!json_is_object(json_object_get(record, "profile")) ||
            (objects && !json_is_array(objects))) {
            rc = cpw_raise(CPW_ERR_PARSE,
                           "%s: record %llu is not {\"profile\": {...}, \"objects\": [...]}", path,
                           (unsigned long long)r->records_read);
            break;
        }
        report->records++;
        report->objects += json_array_size(objects);
    }
    cpw_backup_reader_destroy(r);
    return rc < 0 ? -1 : 0;
}
