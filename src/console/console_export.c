/*
 * console_export.c - the console's exports: the main list of an answer (its first member that is
 * a list, or the answer itself when it is one) as CSV (RFC 4180, the inventory's field writer)
 * or as a Markdown table. Columns are the keys of the list's objects in first-seen order;
 * nested values are written as compact JSON.
 */
#include <string.h>

#include "console_internal.h"
#include "cpw/alloc.h"
#include "cpw/json.h"

#define MAX_COLUMNS 64

static const json_t *s_main_list(const json_t *doc)
{
    if (json_is_array(doc)) {
        return doc;
    }
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)doc, key, value)
    {
        if (json_is_array(value)) {
            return value;
        }
    }
    return NULL;
}

/* The columns of list (borrowed keys), at most MAX_COLUMNS; a list of scalars has one, "". */
static size_t s_columns(const json_t *list, const char **cols)
{
    size_t n = 0;
    size_t i;
    json_t *item;
    json_array_foreach(list, i, item)
    {
        if (!json_is_object(item)) {
            if (n == 0) {
                cols[n++] = "";
            }
            continue;
        }
        const char *key;
        json_t *value;
        json_object_foreach(item, key, value)
        {
            bool seen = false;
            for (size_t k = 0; k < n && !seen; k++) {
                seen = strcmp(cols[k], key) == 0;
            }
            if (!seen && n < MAX_COLUMNS) {
                cols[n++] = key;
            }
        }
    }
    return n;
}

/* The text of one cell (owned). */
static char *s_cell(const json_t *item, const char *col)
{
    const json_t *v = col[0] ? cpw_json_get(item, col) : item;
    if (!v || json_is_null(v)) {
        return cpw_strdup("");
    }
    if (json_is_string(v)) {
        return cpw_strdup(json_string_value(v));
    }
    char *text = cpw_json_dump_cstr(v, JSON_COMPACT | JSON_ENCODE_ANY);
    return text ? text : cpw_strdup("");
}

int console_export_csv(const json_t *doc, struct cpw_buf *out)
{
    const json_t *list = s_main_list(doc);
    const char *cols[MAX_COLUMNS];
    size_t n = list ? s_columns(list, cols) : 0;
    int rc = 0;
    for (size_t k = 0; rc == 0 && k < n; k++) {
        rc = cpw_inventory_csv_field(out, cols[k][0] ? cols[k] : "value");
        rc = rc ? rc : cpw_buf_append_cstr(out, k + 1 < n ? "," : "\r\n");
    }
    size_t i;
    json_t *item;
    json_array_foreach(list, i, item)
    {
        for (size_t k = 0; rc == 0 && k < n; k++) {
            char *cell = s_cell(item, cols[k]);
            rc = cpw_inventory_csv_field(out, cell);
            cpw_free(cell);
            rc = rc ? rc : cpw_buf_append_cstr(out, k + 1 < n ? "," : "\r\n");
        }
    }
    return rc;
}

/* A Markdown cell: '|' escaped, line breaks as spaces. */
static int s_md_cell(struct cpw_buf *out, const char *s)
{
    int rc = cpw_buf_append_cstr(out, " ");
    for (; rc == 0 && *s; s++) {
        rc = *s == '|'                  ? cpw_buf_append_cstr(out, "\\|")
             : *s == '\n' || *s == '\r' ? cpw_buf_append_byte(out, ' ')
                                        : cpw_buf_append_byte(out, (uint8_t)*s);
    }
    return rc ? rc : cpw_buf_append_cstr(out, " |");
}

int console_export_markdown(const json_t *doc, const char *title, struct cpw_buf *out)
{
    const json_t *list = s_main_list(doc);
    const char *cols[MAX_COLUMNS];
    size_t n = list ? s_columns(list, cols) : 0;
    int rc = cpw_buf_appendf(out, "# cpwarden console: %s\n\n", title);
    if (n == 0) {
        return rc ? rc : cpw_buf_append_cstr(out, "(nothing)\n");
    }
    rc = rc ? rc : cpw_buf_append_cstr(out, "|");
    for (size_t k = 0; rc == 0 && k < n; k++) {
        rc = s_md_cell(out, cols[k][0] ? cols[k] : "value");
    }
    rc = rc ? rc : cpw_buf_append_cstr(out, "\n|");
    for (size_t k = 0; rc == 0 && k < n; k++) {
        rc = cpw_buf_append_cstr(out, "---|");
    }
    rc = rc ? rc : cpw_buf_append_cstr(out, "\n");
    size_t i;
    json_t *item;
    json_array_foreach(list, i, item)
    {
        rc = rc ? rc : cpw_buf_append_cstr(out, "|");
        for (size_t k = 0; rc == 0 && k < n; k++) {
            char *cell = s_cell(item, cols[k]);
            rc = s_md_cell(out, cell);
            cpw_free(cell);
        }
        rc = rc ? rc : cpw_buf_append_cstr(out, "\n");
    }
    return rc;
}
