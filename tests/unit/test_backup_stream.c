/*
 * test_backup_stream.c - memory stays flat however many records a backup holds.
 *
 * The counting allocator's peak is process-wide, so this binary holds this one test only: the
 * peak it reads is the peak of writing and reading the backup.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "cpw/alloc.h"
#include "cpw/backup_file.h"
#include "cpw/error.h"
#include "harness.h"

#define RECORDS    100000
#define PEAK_BOUND (1024u * 1024u) /* the file is ~10 MB; the peak must stay far below */

static void test_100000_records_flat_memory(void **state)
{
    (void)state;
    char dir[64];
    snprintf(dir, sizeof(dir), "/tmp/cpw-backup-stream-XXXXXX");
    assert_non_null(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof(path), "%s/big.backup", dir);

    struct cpw_backup_writer_options opts = {
        .path = path,
        .account = "123456789012",
        .region = "us-east-1",
        .domain = "big",
        .counts = { .profiles = RECORDS },
    };
    struct cpw_backup_writer *w = cpw_backup_writer_new(&opts);
    assert_non_null(w);
    for (json_int_t i = 0; i < RECORDS; i++) {
        json_t *rec = json_pack("{s:{s:I, s:s, s:s}}", "profile", "Index", i, "FirstName", "Ada",
                                "EmailAddress", "ada@example.com");
        assert_int_equal(cpw_backup_writer_add_record(w, rec), 0);
        json_decref(rec);
    }
    assert_int_equal(cpw_backup_writer_finish(w), 0);
    cpw_backup_writer_destroy(w);

    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_true((size_t)st.st_size > 5u * PEAK_BOUND);

    struct cpw_backup_reader *r = cpw_backup_reader_open(path);
    assert_non_null(r);
    const json_t *rec;
    json_int_t expect = 0;
    int got;
    while ((got = cpw_backup_reader_next(r, &rec)) == 1) {
        assert_int_equal(
          json_integer_value(json_object_get(json_object_get(rec, "profile"), "Index")), expect);
        expect++;
    }
    assert_int_equal(got, 0);
    assert_int_equal(expect, RECORDS);
    cpw_backup_reader_destroy(r);

    size_t peak = cpw_alloc_peak_bytes();
    if (peak == 0 || peak > PEAK_BOUND) {
        fail_msg("peak live bytes %zu (bound %u, file %lld bytes)", peak, PEAK_BOUND,
                 (long long)st.st_size);
    }
    print_message("peak live bytes %zu for a %lld-byte backup of %d records\n", peak,
                  (long long)st.st_size, RECORDS);
    unlink(path);
    rmdir(dir);
}

CPW_TEST_MAIN("backup_stream", CPW_TEST(test_100000_records_flat_memory))
