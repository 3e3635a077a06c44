/*
 * test_backup_file.c - the backup container: round trip of header, sections and records, 0600
 * atomic files, and refusal of truncated, edited and wrong-version files.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "cpw/alloc.h"
#include "cpw/backup_file.h"
#include "cpw/buf.h"
#include "cpw/error.h"
#include "cpw/time.h"
#include "harness.h"

static char s_dir[64];
static char s_path[128];

static void s_make_dir(void)
{
    snprintf(s_dir, sizeof(s_dir), "/tmp/cpw-backup-XXXXXX");
    assert_non_null(mkdtemp(s_dir));
    snprintf(s_path, sizeof(s_path), "%s/orphan-dom.backup", s_dir);
}

static void s_remove_dir(void)
{
    unlink(s_path);
    rmdir(s_dir);
}

static json_t *s_settings(void)
{
    return json_pack("{s:s, s:i, s:{s:b}}", "DomainName", "orphan-dom", "DefaultExpirationDays",
                     366, "Matching", "Enabled", 0);
}

static json_t *s_object_types(void)
{
    return json_pack("[{s:s, s:{s:{s:s}}}]", "ObjectTypeName", "CTR", "Fields", "ContactId",
                     "Source", "_ctr.ContactId");
}

static void s_write_backup(size_t records)
{
    cpw_time_pin_ms(1795000000000LL);
    struct cpw_backup_writer_options opts = {
        .path = s_path,
        .account = "123456789012",
        .region = "us-east-1",
        .domain = "orphan-dom",
        .source_identity = "arn:aws:iam::123456789012:user/ops",
        .counts = { .profiles = records, .objects = 2 * records, .object_types = 1 },
    };
    mode_t old_mask = umask(0);
    struct cpw_backup_writer *w = cpw_backup_writer_new(&opts);
    umask(old_mask);
    assert_non_null(w);
    json_t *settings = s_settings();
    json_t *types = s_object_types();
    json_t *tags = json_pack("{s:s}", "team", "contact-center");
    assert_int_equal(cpw_backup_writer_add_section(w, CPW_BACKUP_SETTINGS, settings), 0);
    assert_int_equal(cpw_backup_writer_add_section(w, CPW_BACKUP_TAGS, tags), 0);
    assert_int_equal(cpw_backup_writer_add_section(w, CPW_BACKUP_OBJECT_TYPES, types), 0);
    assert_int_equal(cpw_backup_writer_add_section(w, CPW_BACKUP_TAGS, tags), -1); /* twice */
    assert_int_equal(cpw_last_error(), CPW_ERR_INVALID_ARGUMENT);
    for (size_t i = 0; i < records; i++) {
        json_t *rec = json_pack("{s:{s:s, s:I}, s:[{s:s}]}", "profile", "ProfileId", "p", "Index",
                                (json_int_t)i, "objects", "note", "line\nbreak");
        assert_int_equal(cpw_backup_writer_add_record(w, rec), 0);
        json_decref(rec);
    }
    /* Sections after records are refused: the reader streams records last. */
    assert_int_equal(cpw_backup_writer_add_section(w, CPW_BACKUP_MATCHING, tags), -1);
    json_decref(settings);
    json_decref(types);
    json_decref(tags);
    /* Nothing is visible before finish. */
    assert_int_equal(access(s_path, F_OK), -1);
    assert_int_equal(cpw_backup_writer_finish(w), 0);
    cpw_backup_writer_destroy(w);
}

static void test_round_trip(void **state)
{
    (void)state;
    s_make_dir();
    s_write_backup(3);
    struct stat st;
    assert_int_equal(stat(s_path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);

    struct cpw_backup_reader *r = cpw_backup_reader_open(s_path);
    if (!r) {
        fail_msg("%s", cpw_last_error_detail());
    }
    const struct cpw_backup_header *h = cpw_backup_reader_header(r);
    assert_int_equal(h->format_version, CPW_BACKUP_FORMAT_VERSION);
    assert_string_equal(h->created_at, "2026-11-18T11:06:40Z");
    assert_string_equal(h->account, "123456789012");
    assert_string_equal(h->region, "us-east-1");
    assert_string_equal(h->domain, "orphan-dom");
    assert_string_equal(h->source_identity, "arn:aws:iam::123456789012:user/ops");
    assert_int_equal(h->counts.profiles, 3);
    assert_int_equal(h->counts.objects, 6);
    assert_int_equal(h->counts.object_types, 1);

    json_t *settings = s_settings();
    json_t *types = s_object_types();
    assert_true(json_equal(cpw_backup_reader_section(r, CPW_BACKUP_SETTINGS), settings));
    assert_true(json_equal(cpw_backup_reader_section(r, CPW_BACKUP_OBJECT_TYPES), types));
    assert_string_equal(
      json_string_value(json_object_get(cpw_backup_reader_section(r, CPW_BACKUP_TAGS), "team")),
      "contact-center");
    assert_null(cpw_backup_reader_section(r, CPW_BACKUP_EVENT_STREAMS));
    json_decref(settings);
    json_decref(types);

    assert_int_equal(cpw_backup_reader_record_count(r), 3);
    const json_t *rec;
    for (json_int_t i = 0; i < 3; i++) {
        assert_int_equal(cpw_backup_reader_next(r, &rec), 1);
        assert_int_equal(
          json_integer_value(json_object_get(json_object_get(rec, "profile"), "Index")), i);
        assert_string_equal(json_string_value(json_object_get(
                              json_array_get(json_object_get(rec, "objects"), 0), "note")),
                            "line\nbreak");
    }
    assert_int_equal(cpw_backup_reader_next(r, &rec), 0);
    assert_null(rec);
    cpw_backup_reader_destroy(r);

    /* No temporary file was left beside it. */
    char cmd[160];
    snprintf(cmd, sizeof(cmd), "test $(ls -A %s | wc -l) -eq 1", s_dir);
    assert_int_equal(system(cmd), 0);
    s_remove_dir();
}

static void test_unfinished_writer_leaves_nothing(void **state)
{
    (void)state;
    s_make_dir();
    struct cpw_backup_writer_options opts = {
        .path = s_path, .account = "123456789012", .region = "us-east-1", .domain = "d"
    };
    struct cpw_backup_writer *w = cpw_backup_writer_new(&opts);
    assert_non_null(w);
    json_t *rec = json_pack("{s:i}", "n", 1);
    assert_int_equal(cpw_backup_writer_add_record(w, rec), 0);
    json_decref(rec);
    cpw_backup_writer_destroy(w);
    assert_int_equal(access(s_path, F_OK), -1);
    char cmd[160];
    snprintf(cmd, sizeof(cmd), "test $(ls -A %s | wc -l) -eq 0", s_dir);
    assert_int_equal(system(cmd), 0);
    opts.account = "1234";
    assert_null(cpw_backup_writer_new(&opts));
    assert_int_equal(cpw_last_error(), CPW_ERR_INVALID_ARGUMENT);
    s_remove_dir();
}

static struct cpw_buf s_read(void)
{
    struct cpw_buf bytes;
    cpw_buf_init(&bytes, 1u << 24);
    assert_int_equal(cpw_buf_read_file(&bytes, s_path), 0);
    return bytes;
}

static void s_expect_refused(struct cpw_span bytes, enum cpw_error code, const char *fragment)
{
    struct cpw_backup_reader *r = cpw_backup_reader_open_memory(bytes);
    if (r || cpw_last_error() != code || !strstr(cpw_last_error_detail(), fragment)) {
        fail_msg("expected %s '%s', got %s '%s'", cpw_error_name(code), fragment,
                 cpw_error_name(cpw_last_error()), cpw_last_error_detail());
    }
}

static void test_damaged_files_refused(void **state)
{
    (void)state;
    s_make_dir();
    s_write_backup(5);
    struct cpw_buf bytes = s_read();
    struct cpw_span all = cpw_buf_span(&bytes);

    /* The in-memory reader accepts the intact file. */
    struct cpw_backup_reader *r = cpw_backup_reader_open_memory(all);
    assert_non_null(r);
    cpw_backup_reader_destroy(r);

    /* Truncated in the middle of a line, and at a line boundary (trailer gone). */
    s_expect_refused(cpw_span_sub(all, 0, all.len / 2), CPW_ERR_PARSE, "truncated");
    long last_line = (long)all.len - 2;
    while (last_line > 0 && all.ptr[last_line] != '\n') {
        last_line--;
    }
    s_expect_refused(cpw_span_sub(all, 0, (size_t)last_line + 1), CPW_ERR_PARSE, "truncated");
    s_expect_refused(cpw_span_sub(all, 0, 0), CPW_ERR_PARSE, "empty");

    /* One byte edited in a record. */
    long at = cpw_span_find(all, cpw_span_from_cstr("\"Index\":3"));
    assert_true(at > 0);
    bytes.data[at + 8] = '4';
    s_expect_refused(all, CPW_ERR_INTEGRITY, "checksum does not match");
    bytes.data[at + 8] = '3';

    /* An edited trailer digest. */
    long sha = cpw_span_find(all, cpw_span_from_cstr("\"sha256\":\""));
    assert_true(sha > 0);
    bytes.data[sha + 10] = bytes.data[sha + 10] == 'a' ? 'b' : 'a';
    s_expect_refused(all, CPW_ERR_INTEGRITY, "checksum does not match");
    cpw_buf_clean_up(&bytes);

    /* Wrong version (refused before the checksum is even looked at). */
    bytes = s_read();
    long v = cpw_span_find(cpw_buf_span(&bytes), cpw_span_from_cstr("\"format_version\":2"));
    assert_true(v > 0);
    bytes.data[v + 17] = '7';
    s_expect_refused(cpw_buf_span(&bytes), CPW_ERR_VERSION, "version 7 is not supported");
    cpw_buf_clean_up(&bytes);

    s_expect_refused(cpw_span_from_cstr("{\"format\":\"other\"}\n"), CPW_ERR_PARSE,
                     "not a cpwarden backup");
    assert_null(cpw_backup_reader_open("/nonexistent/backup"));
    assert_int_equal(cpw_last_error(), CPW_ERR_IO);
    s_remove_dir();
}

/* The committed seed files double as golden files of the documented format. */
static void test_seed_files(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        enum cpw_error code; /* CPW_ERR_NONE: reads to the end */
    } seeds[] = {
        { "valid.backup", CPW_ERR_NONE }, /* version 1: still read */
        { "valid-v2.backup", CPW_ERR_NONE },
        { "v2-count-mismatch.backup", CPW_ERR_PARSE },
        { "v2-missing-count.backup", CPW_ERR_PARSE },
        { "v2-list-not-array.backup", CPW_ERR_PARSE },
        { "v1-with-v2-section.backup", CPW_ERR_PARSE },
        { "truncated.backup", CPW_ERR_PARSE },
        { "no-trailer.backup", CPW_ERR_PARSE },
        { "edited.backup", CPW_ERR_INTEGRITY },
        { "wrong-version.backup", CPW_ERR_VERSION },
        { "record-before-section.backup", CPW_ERR_INTEGRITY },
    };
    for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
        char rel[128];
        snprintf(rel, sizeof(rel), "tests/fuzz/corpus/backup_read/%s", seeds[i].name);
        char *path = cpw_test_source_path(rel);
        struct cpw_backup_reader *r = cpw_backup_reader_open(path);
        cpw_free(path);
        if (seeds[i].code == CPW_ERR_NONE) {
            if (!r) {
                fail_msg("%s: %s", seeds[i].name, cpw_last_error_detail());
            }
            assert_string_equal(cpw_backup_reader_header(r)->domain, "orphan-dom");
            assert_non_null(cpw_backup_reader_section(r, CPW_BACKUP_OBJECT_TYPES));
            if (cpw_backup_reader_header(r)->format_version == 2) {
                /* every section of version 2, each list with the one item the header counts */
                for (int s = 0; s < CPW_BACKUP_SECTION_COUNT_; s++) {
                    if (s == CPW_BACKUP_RULE_BASED_MATCHING) {
                        continue;
                    }
                    const json_t *doc = cpw_backup_reader_section(r, (enum cpw_backup_section)s);
                    assert_non_null(doc);
                    if (cpw_backup_section_is_list((enum cpw_backup_section)s)) {
                        assert_int_equal(json_array_size(doc), 1);
                        assert_int_equal(cpw_backup_reader_header(r)->items[s], 1);
                    }
                }
            }
            const json_t *rec;
            int n = 0;
            while (cpw_backup_reader_next(r, &rec) == 1) {
                n++;
            }
            assert_int_equal(n, 2);
        } else if (r || cpw_last_error() != seeds[i].code) {
            fail_msg("%s: expected %s, got %s (%s)", seeds[i].name, cpw_error_name(seeds[i].code),
                     cpw_error_name(cpw_last_error()), cpw_last_error_detail());
        }
        cpw_backup_reader_destroy(r);
    }
}

CPW_TEST_MAIN("backup_file",
              CPW_TEST(test_seed_files),
              CPW_TEST(test_round_trip),
              CPW_TEST(test_unfinished_writer_leaves_nothing),
              CPW_TEST(test_damaged_files_refused))
