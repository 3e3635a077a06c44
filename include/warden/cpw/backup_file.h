/*
 * backup_file.h - the container a Customer Profiles domain's configuration is exported into
 * before deletion (`cpwarden backup`, read back by `cpwarden restore`).
 *
 * A backup file is JSON Lines (docs/backup-format.md): a header line (format version, creation
 * time, account, region, domain, source identity, counts), one line per section (settings,
 * tags, matching, rule-based matching, object types, integrations, event streams, calculated
 * attributes: each a JSON document, typically the AWS API's output), then any number of record
 * lines (profiles with their objects), then a trailer line holding the sha256 of every byte
 * before it. Records are written and read one at a time, so memory stays flat however large
 * the domain. Files are created 0600 and appear atomically (temporary file + rename).
 *
 * The reader verifies the version and the checksum over the whole file before it hands back
 * anything, so a truncated, edited or foreign file is refused up front.
 *
 * Ownership: writers and readers are owned by their creator (_destroy). json_t values passed in
 * are borrowed; json_t values handed out are borrowed from the reader (see each function).
 * Thread-safety: one writer or reader per thread; no shared state.
 */
#ifndef CPW_BACKUP_FILE_H
#define CPW_BACKUP_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "cpw/buf.h"
#include "cpw/store.h" /* struct cpw_backup_counts */

#define CPW_BACKUP_FORMAT_VERSION     2 /* what the writer writes */
#define CPW_BACKUP_FORMAT_VERSION_MIN 1 /* the oldest version the reader still reads */
#define CPW_BACKUP_FORMAT_NAME        "cpwarden-backup"
#define CPW_BACKUP_MAX_LINE_BYTES     (64u * 1024u * 1024u)

/*
 * X(enum, name in the file, first format version holding it, is a list of items). A list
 * section's document is a JSON array whose length the version-2 header counts under the
 * section's name.
 */
#define CPW_BACKUP_SECTION_LIST(X)                                                                 \
    X(CPW_BACKUP_SETTINGS, "settings", 1, false)                                                   \
    X(CPW_BACKUP_TAGS, "tags", 1, false)                                                           \
    X(CPW_BACKUP_MATCHING, "matching", 1, false)                                                   \
    X(CPW_BACKUP_RULE_BASED_MATCHING, "rule_based_matching", 1, false)                             \
    X(CPW_BACKUP_OBJECT_TYPES, "object_types", 1, true)                                            \
    X(CPW_BACKUP_INTEGRATIONS, "integrations", 1, true)                                            \
    X(CPW_BACKUP_EVENT_STREAMS, "event_streams", 1, true)                                          \
    X(CPW_BACKUP_CALCULATED_ATTRIBUTES, "calculated_attributes", 1, true)                          \
    X(CPW_BACKUP_DOMAIN_OBJECT_TYPES, "domain_object_types", 2, true)                              \
    X(CPW_BACKUP_WORKFLOWS, "workflows", 2, true)                                                  \
    X(CPW_BACKUP_SEGMENT_DEFINITIONS, "segment_definitions", 2, true)                              \
    X(CPW_BACKUP_EVENT_TRIGGERS, "event_triggers", 2, true)                                        \
    X(CPW_BACKUP_LAYOUTS, "layouts", 2, true)                                                      \
    X(CPW_BACKUP_RECOMMENDER_SCHEMAS, "recommender_schemas", 2, true)                              \
    X(CPW_BACKUP_RECOMMENDERS, "recommenders", 2, true)                                            \
    X(CPW_BACKUP_RECOMMENDER_FILTERS, "recommender_filters", 2, true)

enum cpw_backup_section {
#define CPW_BACKUP_SECTION_ENUM_(e, name, since, list) e,
    CPW_BACKUP_SECTION_LIST(CPW_BACKUP_SECTION_ENUM_)
#undef CPW_BACKUP_SECTION_ENUM_
      CPW_BACKUP_SECTION_COUNT_
};

struct cpw_backup_header {
    int format_version;
    char *created_at; /* ISO 8601 */
    char *account;
    char *region;
    char *domain;
    char *source_identity; /* ARN of the caller that made the backup */
    struct cpw_backup_counts counts;
    /* Items per list section as the header counts them (version 1: the four it counts). */
    uint64_t items[CPW_BACKUP_SECTION_COUNT_];
};

/** "settings", ...; static storage. */
const char *cpw_backup_section_name(enum cpw_backup_section section);

/** Whether the section's document is a list of items (counted in the header). */
bool cpw_backup_section_is_list(enum cpw_backup_section section);

/* ----- writing ---------------------------------------------------------------------------- */

struct cpw_backup_writer_options {
    const char *path; /* required */
    const char *account;
    const char *region;
    const char *domain;
    const char *source_identity;
    struct cpw_backup_counts counts; /* profiles and objects (the list counts come from items) */
    /* Items per list section, for the header; for the four kinds counts also holds
     * (object types, integrations, event streams, calculated attributes) a 0 takes counts'. */
    uint64_t items[CPW_BACKUP_SECTION_COUNT_];
};

struct cpw_backup_writer;

/**
 * Starts a backup file: creates the temporary file (0600) and writes the header, stamped with
 * cpw_time_now_s(). account (12 digits), region and domain are required. Returns the writer
 * (owned by the caller) or NULL with CPW_ERR_INVALID_ARGUMENT / CPW_ERR_IO.
 */
struct cpw_backup_writer *cpw_backup_writer_new(const struct cpw_backup_writer_options *opts);

/**
 * Writes one section (document borrowed). Each section at most once, all before the first
 * record. Returns 0, or -1 (CPW_ERR_INVALID_ARGUMENT for order/duplicates, CPW_ERR_IO).
 */
int cpw_backup_writer_add_section(struct cpw_backup_writer *writer,
                                  enum cpw_backup_section section,
                                  const json_t *document);

/**
 * Writes one record (borrowed; by convention {"profile": {...}, "objects": [...]}) as one line.
 * Memory use does not grow with the number of records. Returns 0 or -1.
 */
int cpw_backup_writer_add_record(struct cpw_backup_writer *writer, const json_t *record);

/**
 * Writes the trailer and moves the file into place. Returns 0 or -1 (the file then does not
 * appear). Only cpw_backup_writer_destroy may follow.
 */
int cpw_backup_writer_finish(struct cpw_backup_writer *writer);

/** Frees the writer; an unfinished file is discarded (its temporary file removed). NULL ok. */
void cpw_backup_writer_destroy(struct cpw_backup_writer *writer);

/* ----- reading ---------------------------------------------------------------------------- */

struct cpw_backup_reader;

/**
 * Opens a backup file and verifies it before returning: format and version (CPW_ERR_VERSION),
 * complete with its trailer (CPW_ERR_PARSE "truncated"), sha256 of the content
 * (CPW_ERR_INTEGRITY), well-formed header and sections (CPW_ERR_PARSE: in version 2 every list
 * section is an array as long as the header counts it; a version-1 file holds only version-1
 * sections). Versions 1 and 2 are read. Sections are loaded;
 * records are left for cpw_backup_reader_next. Returns the reader (owned) or NULL.
 */
struct cpw_backup_reader *cpw_backup_reader_open(const char *path);

/** The same over bytes in memory (borrowed for the reader's life). */
struct cpw_backup_reader *cpw_backup_reader_open_memory(struct cpw_span bytes);

/** The header; borrowed from the reader. */
const struct cpw_backup_header *cpw_backup_reader_header(const struct cpw_backup_reader *reader);

/** A section's document, or NULL when the backup has none. Borrowed from the reader. */
const json_t *cpw_backup_reader_section(const struct cpw_backup_reader *reader,
                                        enum cpw_backup_section section);

/* What cpw_backup_reader_next read (the values are those of the earlier int results). */
enum cpw_backup_next {
    CPW_BACKUP_NEXT_ERROR = -1, /* the error is raised */
    CPW_BACKUP_NEXT_END = 0,    /* no more records, their count checked against the trailer */
    CPW_BACKUP_NEXT_RECORD = 1, /* *record is set */
};

/**
 * Reads the next record: CPW_BACKUP_NEXT_RECORD with *record set (borrowed; valid until the next
 * call or destroy), CPW_BACKUP_NEXT_END at the end (after checking the record count against the
 * trailer), CPW_BACKUP_NEXT_ERROR on error.
 */
enum cpw_backup_next cpw_backup_reader_next(struct cpw_backup_reader *reader,
                                            const json_t **record);

/** Records the trailer announces. */
uint64_t cpw_backup_reader_record_count(const struct cpw_backup_reader *reader);

/** Closes the file and frees everything. NULL is a no-op. */
void cpw_backup_reader_destroy(struct cpw_backup_reader *reader);

/* ----- verifying -------------------------------------------------------------------------- */

struct cpw_backup_verify_report {
    int format_version;
    char sha256[65]; /* the trailer's digest, verified against the content */
    uint64_t items[CPW_BACKUP_SECTION_COUNT_]; /* items per list section (1 per other section) */
    bool present[CPW_BACKUP_SECTION_COUNT_];
    uint64_t records; /* profile records */
    uint64_t objects; /* profile objects in them */
};

/**
 * Reads a whole backup without touching AWS: everything cpw_backup_reader_open checks, then
 * every record (each {"profile": {...}, "objects": [...]}) and the record count against the
 * trailer; fills *report. Returns 0, or -1 with the reader's errors (CPW_ERR_PARSE for a
 * malformed record).
 */
int cpw_backup_verify(const char *path, struct cpw_backup_verify_report *report);

#endif
