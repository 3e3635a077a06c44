/*
 * fuzz_backup_read.c - the backup reader on arbitrary bytes: refuse or read every record, never
 * crash, leak or read out of bounds. Each input is tried as is, then with its last line replaced
 * by a trailer whose checksum matches, so the parsing behind the checksum is reached too. What
 * the reader accepts must keep its promises: a version it reads (1 or 2), only the sections of
 * that version, every list section an array, and in version 2 as long as the header counts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpw/backup_file.h"
#include "cpw/buf.h"
#include "cpw/crypto.h"

static void s_try(struct cpw_span bytes)
{
    struct cpw_backup_reader *r = cpw_backup_reader_open_memory(bytes);
    if (!r) {
        return;
    }
    const struct cpw_backup_header *h = cpw_backup_reader_header(r);
    if (h->format_version < CPW_BACKUP_FORMAT_VERSION_MIN ||
        h->format_version > CPW_BACKUP_FORMAT_VERSION) {
        abort();
    }
    for (unsigned s = 0; s < CPW_BACKUP_SECTION_COUNT_; s++) {
        const json_t *doc = cpw_backup_reader_section(r, (enum cpw_backup_section)s);
        if (!cpw_backup_section_is_list((enum cpw_backup_section)s)) {
            continue;
        }
        if (doc && !json_is_array(doc)) {
            abort();
        }
        if (h->format_version >= 2 && json_array_size(doc) != h->items[s]) {
            abort();
        }
    }
    const json_t *record;
    while (cpw_backup_reader_next(r, &record) == 1) {
    }
    cpw_backup_reader_destroy(r);
}

static uint64_t s_count_lines(struct cpw_span content, const char *prefix)
{
    uint64_t n = 0;
    struct cpw_span rest = content;
    struct cpw_span line;
    while (cpw_span_next_token(&rest, '\n', &line)) {
        n += cpw_span_starts_with(line, cpw_span_from_cstr(prefix));
    }
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cpw_span input = cpw_span_from(data, size);
    s_try(input);

    /* Content: everything up to the last '\n' that is not the final byte. */
    size_t end = size;
    if (end && data[end - 1] == '\n') {
        end--;
    }
    while (end && data[end - 1] != '\n') {
        end--;
    }
    struct cpw_span content = cpw_span_sub(input, 0, end);
    uint8_t digest[CPW_SHA256_LEN];
    char hex[CPW_SHA256_HEX_LEN + 1];
    if (cpw_sha256(content, digest)) {
        return 0;
    }
    cpw_hex_encode_to(hex, digest, sizeof(digest));
    struct cpw_buf resealed;
    cpw_buf_init(&resealed, size + 256);
    if (cpw_buf_append(&resealed, content) == 0 &&
        cpw_buf_appendf(&resealed,
                        "{\"trailer\":{\"sections\":%llu,\"records\":%llu,\"sha256\":\"%s\"}}\n",
                        (unsigned long long)s_count_lines(content, "{\"section\""),
                        (unsigned long long)s_count_lines(content, "{\"record\""), hex) == 0) {
        s_try(cpw_buf_span(&resealed));
    }
    cpw_buf_clean_up(&resealed);
    return 0;
}
