/*
 * inventory_diff_format.c - a diff between two inventories as a table, JSON, CSV (one row per
 * change) or Markdown (docs/inventory-schema.md, "Diff").
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/error.h"
#include "cpw/json.h"
#include "cpw/time.h"
#include "inventory_diff_internal.h"
#include "inventory_internal.h"

#define OUTPUT_MAX_BYTES (256u * 1024u * 1024u)

/* "field: before -> after" for a change, "kind description" for presence. Owned. */
static char *s_detail(const struct cpw_inv_change *c)
{
    struct cpw_buf out;
    cpw_buf_init(&out, 16u << 20);
    if (c->change == CPW_INV_CHANGE_CHANGED) {
        (void)cpw_buf_appendf(&out, "%s%s%s: %s -> %s", c->kind ? c->kind : "", c->kind ? " " : "",
                              c->field, c->before ? c->before : "none",
                              c->after ? c->after : "none");
    } else {
        const char *what = c->change == CPW_INV_CHANGE_APPEARED ? c->after : c->before;
        (void)cpw_buf_appendf(&out, "%s%s%s", c->kind ? c->kind : "", c->kind && what ? " " : "",
                              what ? what : "");
    }
    char *text = cpw_buf_detach(&out);
    cpw_buf_clean_up(&out);
    return text;
}

static int s_table(const struct cpw_inventory_diff *diff, bool color, struct cpw_buf *out)
{
    char from[32];
    char to[32];
    cpw_inventory_format_time(diff->from_scanned_at_s, from);
    cpw_inventory_format_time(diff->to_scanned_at_s, to);
    int rc = cpw_buf_appendf(out, "cpwarden inventory diff: %s -> %s, %zu change(s)\n", from, to,
                             diff->count);
    for (size_t i = 0; i < diff->count && rc == 0; i++) {
        const struct cpw_inv_change *c = diff->changes[i];
        const char *mark = c->change == CPW_INV_CHANGE_APPEARED
                             ? "+"
                             : (c->change == CPW_INV_CHANGE_DISAPPEARED ? "-" : "~");
        const char *on =
          !color ? ""
                 : (c->change == CPW_INV_CHANGE_APPEARED
                      ? "\033[32m"
                      : (c->change == CPW_INV_CHANGE_DISAPPEARED ? "\033[31m" : "\033[33m"));
        char *detail = s_detail(c);
        rc |= cpw_buf_appendf(out, "%s%s %-8s %s %s %s  %s%s\n", on, mark, c->type, c->account,
                              c->region ? c->region : "global", c->arn ? c->arn : "-", detail,
                              color ? "\033[0m" : "");
        cpw_free(detail);
    }
    return rc ? -1 : 0;
}

static json_t *s_str(const char *s)
{
    json_t *v = s ? json_string(s) : json_null();
    return v ? v : json_string("(invalid UTF-8)");
}

static json_t *s_time(int64_t epoch_s)
{
    char text[CPW_TIME_ISO8601_LEN + 1];
    if (epoch_s == 0 || cpw_time_format_iso8601(epoch_s, text) != 0) {
        return json_null();
    }
    return json_string(text);
}

static int s_json(const struct cpw_inventory_diff *diff, struct cpw_buf *out)
{
    json_t *root = json_object();
    json_object_set_new(root, "format_version", json_integer(CPW_INVENTORY_SCHEMA));
    json_t *from = json_object();
    json_object_set_new(from, "scanned_at", s_time(diff->from_scanned_at_s));
    json_object_set_new(root, "from", from);
    json_t *to = json_object();
    json_object_set_new(to, "scanned_at", s_time(diff->to_scanned_at_s));
    json_object_set_new(root, "to", to);
    json_t *changes = json_array();
    for (size_t i = 0; i < diff->count; i++) {
        const struct cpw_inv_change *c = diff->changes[i];
        json_t *o = json_object();
        json_object_set_new(o, "change", s_str(cpw_inv_change_kind_name(c->change)));
        json_object_set_new(o, "type", s_str(c->type));
        json_object_set_new(o, "arn", s_str(c->arn));
        json_object_set_new(o, "account", s_str(c->account));
        json_object_set_new(o, "region", s_str(c->region));
        json_object_set_new(o, "kind", s_str(c->kind));
        json_object_set_new(o, "field", s_str(c->field));
        json_object_set_new(o, "before", s_str(c->before));
        json_object_set_new(o, "after", s_str(c->after));
        json_array_append_new(changes, o);
    }
    json_object_set_new(root, "changes", changes);
    int rc = cpw_json_dump_with(root, CPW_JSON_DUMP_INDENT2, out);
    json_decref(root);
    if (rc != 0) {
        return cpw_last_error() == CPW_ERR_LIMIT
                 ? -1
                 : cpw_raise(CPW_ERR_INTERNAL, "inventory diff JSON could not be written");
    }
    return cpw_buf_append_byte(out, '\n');
}

static int s_csv(const struct cpw_inventory_diff *diff, struct cpw_buf *out)
{
    int rc = cpw_buf_append_cstr(out, "change,type,account,region,arn,kind,field,before,after\r\n");
    for (size_t i = 0; i < diff->count && rc == 0; i++) {
        const struct cpw_inv_change *c = diff->changes[i];
        const char *fields[] = { cpw_inv_change_kind_name(c->change),
                                 c->type,
                                 c->account,
                                 c->region ? c->region : "global",
                                 c->arn,
                                 c->kind,
                                 c->field,
                                 c->before,
                                 c->after };
        for (size_t f = 0; f < sizeof(fields) / sizeof(fields[0]) && rc == 0; f++) {
            rc |= f ? cpw_buf_append_byte(out, ',') : 0;
            rc |= cpw_inventory_csv_field(out, fields[f]);
        }
        rc |= cpw_buf_append_cstr(out, "\r\n");
    }
    return rc ? -1 : 0;
}

static int s_markdown(const struct cpw_inventory_diff *diff, struct cpw_buf *out)
{
    char from[32];
    char to[32];
    cpw_inventory_format_time(diff->from_scanned_at_s, from);
    cpw_inventory_format_time(diff->to_scanned_at_s, to);
    size_t counts[3] = { 0 };
    for (size_t i = 0; i < diff->count; i++) {
        counts[diff->changes[i]->change]++;
    }
    int rc = cpw_buf_appendf(out,
                             "# cpwarden inventory diff\n\nFrom the scan of %s to the scan of %s.\n"
                             "\n## Summary\n\n| Change | Count |\n| --- | --- |\n"
                             "| Appeared | %zu |\n| Disappeared | %zu |\n| Changed | %zu |\n"
                             "\n## Changes\n\n"
                             "| Change | Type | Account | Region | Resource | Detail |\n"
                             "| --- | --- | --- | --- | --- | --- |\n",
                             from, to, counts[CPW_INV_CHANGE_APPEARED],
                             counts[CPW_INV_CHANGE_DISAPPEARED], counts[CPW_INV_CHANGE_CHANGED]);
    for (size_t i = 0; i < diff->count && rc == 0; i++) {
        const struct cpw_inv_change *c = diff->changes[i];
        char *detail = s_detail(c);
        const char *cells[] = { cpw_inv_change_kind_name(c->change), c->type, c->account,
                                c->region ? c->region : "global",    c->arn,  detail };
        rc |= cpw_buf_append_byte(out, '|');
        for (size_t f = 0; f < 6; f++) {
            rc |= cpw_buf_append_byte(out, ' ');
            rc |= cpw_inventory_md_cell(out, cells[f]);
            rc |= cpw_buf_append_cstr(out, " |");
        }
        rc |= cpw_buf_append_byte(out, '\n');
        cpw_free(detail);
    }
    return rc ? -1 : 0;
}

int cpw_inventory_diff_write(const struct cpw_inventory_diff *diff,
                             enum cpw_inv_format format,
                             const struct cpw_inventory_write_options *opts,
                             struct cpw_buf *out)
{
    switch (format) {
    case CPW_INV_FORMAT_TABLE:
        return s_table(diff, opts && opts->color, out);
    case CPW_INV_FORMAT_JSON:
        return s_json(diff, out);
    case CPW_INV_FORMAT_CSV:
        return s_csv(diff, out);
    case CPW_INV_FORMAT_MARKDOWN:
        return s_markdown(diff, out);
    }
    return cpw_raise(CPW_ERR_INVALID_ARGUMENT, "unknown diff output format %d", (int)format);
}

int cpw_inventory_diff_write_file(const struct cpw_inventory_diff *diff,
                                  enum cpw_inv_format format,
                                  const struct cpw_inventory_write_options *opts,
                                  FILE *stream)
{
    struct cpw_buf out;
    cpw_buf_init(&out, OUTPUT_MAX_BYTES);
    int rc = cpw_inventory_diff_write(diff, format, opts, &out);
    if (rc == 0 && out.len > 0 && fwrite(out.data, 1, out.len, stream) != out.len) {
        rc = cpw_raise(CPW_ERR_IO, "could not write the inventory diff");
    }
    if (rc == 0 && fflush(stream) != 0) {
        rc = cpw_raise(CPW_ERR_IO, "could not write the inventory diff");
    }
    cpw_buf_clean_up(&out);
    return rc;
}
