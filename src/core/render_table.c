/*
 * render_table.c - the AWS CLI's `--output table`: awscli/formatter.py's TableFormatter builds
 * sections from the document, awscli/table.py's MultiTable lays them out. Both are followed rule
 * for rule (including the column scaling with round-half-even and the vertical fallback when the
 * table is wider than the terminal) so the bytes match the AWS CLI's.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/arena.h"
#include "cpw/error.h"
#include "cpw/render.h"

#define TABLE_ARENA_MAX ((size_t)512 * 1024 * 1024)
#define TABLE_MAX_DEPTH 64 /* deeper structures are written as JSON cells */

/* colorama's sequences, as the AWS CLI's ColorizedStyler writes them */
#define STYLE_ROW    "\x1b[1m\x1b[34m"
#define STYLE_INDENT "\x1b[2m\x1b[33m"
#define STYLE_RESET  "\x1b[0m"

struct cell {
    const char *text;
    size_t len;
    size_t width;
};

struct row {
    struct cell *cells;
    size_t count;
};

struct section {
    const char *title; /* "" or NULL (a nested list's element) for none */
    size_t indent;
    struct cell *headers;
    size_t header_count;
    struct row *rows;
    size_t row_count;
    size_t row_cap;
    long num_cols; /* -1 until the first header or row */
    size_t *max_widths;
    size_t width_count;
};

struct table {
    struct cpw_arena arena;
    struct section **sections;
    size_t count;
    size_t cap;
    struct section *current;
    bool failed;
};

/* ----- building (awscli/formatter.py TableFormatter) -------------------------------------- */

static void *s_alloc(struct table *t, size_t n, size_t size)
{
    void *p = cpw_arena_calloc(&t->arena, n ? n : 1, size);
    t->failed = t->failed || !p;
    return p;
}

static void s_new_section(struct table *t, const char *title, size_t indent)
{
    if (t->count == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 16;
        struct section **grown = s_alloc(t, cap, sizeof(*grown));
        if (!grown) {
            return;
        }
        if (t->count) {
            memcpy(grown, t->sections, t->count * sizeof(*grown));
        }
        t->sections = grown;
        t->cap = cap;
    }
    struct section *s = s_alloc(t, 1, sizeof(*s));
    if (!s) {
        return;
    }
    s->title = title;
    s->indent = indent;
    s->num_cols = -1;
    t->sections[t->count++] = s;
    t->current = s;
}

static struct cell s_cell(struct table *t, const json_t *value)
{
    struct cell c = { "", 0, 0 };
    struct cpw_buf text;
    cpw_buf_init(&text, TABLE_ARENA_MAX);
    if (value && cpw_render_scalar(value, &text) == 0) {
        c.text = cpw_arena_span_dup(&t->arena, cpw_buf_span(&text));
        t->failed = t->failed || !c.text;
        c.text = c.text ? c.text : "";
        c.len = text.len;
    } else if (value) {
        t->failed = true;
    }
    cpw_buf_clean_up(&text);
    c.width = cpw_render_text_width(cpw_span_from(c.text, c.len));
    return c;
}

static struct cell s_cell_text(const char *text)
{
    struct cell c = { text, strlen(text), 0 };
    c.width = cpw_render_text_width(cpw_span_from(text, c.len));
    return c;
}

/* Section._update_max_widths */
static void s_update_widths(struct table *t,
                            struct section *s,
                            const struct cell *cells,
                            size_t count)
{
    if (s->width_count == 0) {
        s->max_widths = s_alloc(t, count, sizeof(*s->max_widths));
        if (!s->max_widths) {
            return;
        }
        for (size_t i = 0; i < count; i++) {
            s->max_widths[i] = cells[i].width;
        }
        s->width_count = count;
        return;
    }
    for (size_t i = 0; i < count && i < s->width_count; i++) {
        s->max_widths[i] = cells[i].width > s->max_widths[i] ? cells[i].width : s->max_widths[i];
    }
}

static void s_add_header(struct table *t, struct cell *cells, size_t count)
{
    struct section *s = t->current;
    if (!s) {
        return;
    }
    s_update_widths(t, s, cells, count);
    if (s->num_cols < 0) {
        s->num_cols = (long)count;
    }
    s->headers = cells;
    s->header_count = count;
}

/* Section.add_row (a row of another width than the section's is refused by the AWS CLI with an
 * error; here it is cut or padded to the section's width) */
static void s_add_row(struct table *t, struct cell *cells, size_t count)
{
    struct section *s = t->current;
    if (!s) {
        return;
    }
    if (s->num_cols < 0) {
        s->num_cols = (long)count;
    }
    if (count != (size_t)s->num_cols) {
        struct cell *fitted = s_alloc(t, (size_t)s->num_cols, sizeof(*fitted));
        if (!fitted) {
            return;
        }
        for (size_t i = 0; i < (size_t)s->num_cols; i++) {
            fitted[i] = i < count ? cells[i] : s_cell_text("");
        }
        cells = fitted;
        count = (size_t)s->num_cols;
    }
    if (s->row_count == s->row_cap) {
        size_t cap = s->row_cap ? s->row_cap * 2 : 8;
        struct row *grown = s_alloc(t, cap, sizeof(*grown));
        if (!grown) {
            return;
        }
        if (s->row_count) {
            memcpy(grown, s->rows, s->row_count * sizeof(*grown));
        }
        s->rows = grown;
        s->row_cap = cap;
    }
    s->rows[s->row_count].cells = cells;
    s->rows[s->row_count].count = count;
    s->row_count++;
    s_update_widths(t, s, cells, count);
}

static bool s_scalar(const json_t *v)
{
    return !json_is_object(v) && !json_is_array(v);
}

/* Python's truth value: null, false, 0, 0.0, "", [] and {} are false. */
static bool s_truthy(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return json_object_size(v) > 0;
    case JSON_ARRAY:
        return json_array_size(v) > 0;
    case JSON_STRING:
        return json_string_length(v) > 0;
    case JSON_INTEGER:
        return json_integer_value(v) != 0;
    case JSON_REAL:
        return json_real_value(v) != 0.0;
    case JSON_TRUE:
        return true;
    case JSON_FALSE:
    case JSON_NULL:
        break;
    }
    return false;
}

static int s_cmp_keys(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sorted, de-duplicated keys of obj (or, for a list, of every object in it), split into those
 * with scalar values (headers) and the others (more). Arrays live in the arena. */
static void s_group_keys(struct table *t,
                         const json_t *doc,
                         const char ***headers,
                         size_t *header_count,
                         const char ***more,
                         size_t *more_count)
{
    size_t cap = 0;
    if (json_is_object(doc)) {
        cap = json_object_size(doc);
    } else {
        size_t i;
        const json_t *el;
        json_array_foreach((json_t *)doc, i, el)
        {
            cap += json_is_object(el) ? json_object_size(el) : 0;
        }
    }
    *headers = s_alloc(t, cap, sizeof(**headers));
    *more = s_alloc(t, cap, sizeof(**more));
    *header_count = 0;
    *more_count = 0;
    if (!*headers || !*more) {
        return;
    }
    size_t n = json_is_object(doc) ? 1 : json_array_size(doc);
    for (size_t i = 0; i < n; i++) {
        const json_t *obj = json_is_object(doc) ? doc : json_array_get(doc, i);
        const char *key;
        const json_t *value;
        if (!json_is_object(obj)) {
            continue;
        }
        json_object_foreach((json_t *)obj, key, value)
        {
            if (s_scalar(value)) {
                (*headers)[(*header_count)++] = key;
            } else {
                (*more)[(*more_count)++] = key;
            }
        }
    }
    const char **lists[2] = { *headers, *more };
    size_t *counts[2] = { header_count, more_count };
    for (size_t l = 0; l < 2; l++) {
        qsort(lists[l], *counts[l], sizeof(*lists[l]), s_cmp_keys);
        size_t unique = 0;
        for (size_t k = 0; k < *counts[l]; k++) {
            if (unique == 0 || strcmp(lists[l][unique - 1], lists[l][k]) != 0) {
                lists[l][unique++] = lists[l][k];
            }
        }
        *counts[l] = unique;
    }
}

static struct cell *s_header_cells(struct table *t, const char **keys, size_t count)
{
    struct cell *cells = s_alloc(t, count, sizeof(*cells));
    for (size_t i = 0; cells && i < count; i++) {
        cells[i] = s_cell_text(keys[i]);
    }
    return cells;
}

static bool s_build(struct table *t,
                    const char *title,
                    const json_t *current,
                    size_t indent,
                    int depth);

/* _build_sub_table_from_dict */
static void s_from_dict(struct table *t, const json_t *obj, size_t indent, int depth)
{
    const char **headers;
    const char **more;
    size_t header_count;
    size_t more_count;
    s_group_keys(t, obj, &headers, &header_count, &more, &more_count);
    if (header_count == 1) {
        struct cell *cells = s_alloc(t, 2, sizeof(*cells));
        if (cells) {
            cells[0] = s_cell_text(headers[0]);
            cells[1] = s_cell(t, json_object_get(obj, headers[0]));
            s_add_row(t, cells, 2);
        }
    } else if (header_count) {
        s_add_header(t, s_header_cells(t, headers, header_count), header_count);
        struct cell *cells = s_alloc(t, header_count, sizeof(*cells));
        for (size_t i = 0; cells && i < header_count; i++) {
            cells[i] = s_cell(t, json_object_get(obj, headers[i]));
        }
        if (cells) {
            s_add_row(t, cells, header_count);
        }
    }
    for (size_t i = 0; i < more_count && !t->failed; i++) {
        s_build(t, more[i], json_object_get(obj, more[i]), indent + 1, depth + 1);
    }
}

/* _build_sub_table_from_list */
static void s_from_list(struct table *t,
                        const json_t *list,
                        size_t indent,
                        const char *title,
                        int depth)
{
    const char **headers;
    const char **more;
    size_t header_count;
    size_t more_count;
    s_group_keys(t, list, &headers, &header_count, &more, &more_count);
    struct cell *header_cells = s_header_cells(t, headers, header_count);
    s_add_header(t, header_cells, header_count);
    size_t i;
    const json_t *el;
    json_array_foreach((json_t *)list, i, el)
    {
        if (t->failed) {
            break;
        }
        if (i > 0 && more_count) {
            s_new_section(t, title, indent);
            s_add_header(t, header_cells, header_count);
        }
        struct cell *cells = s_alloc(t, header_count, sizeof(*cells));
        if (!cells) {
            break;
        }
        for (size_t h = 0; h < header_count; h++) {
            const json_t *v = json_is_object(el) ? json_object_get(el, headers[h]) : NULL;
            cells[h] = v ? s_cell(t, v) : s_cell_text("");
        }
        s_add_row(t, cells, header_count);
        for (size_t m = 0; m < more_count && json_is_object(el); m++) {
            const json_t *v = json_object_get(el, more[m]);
            if (v) {
                s_build(t, more[m], v, indent + 1, depth + 1);
            }
        }
    }
}

/* _build_table; false when the document is not printed at all */
static bool s_build(struct table *t,
                    const char *title,
                    const json_t *current,
                    size_t indent,
                    int depth)
{
    if (!s_truthy(current)) {
        return false;
    }
    if (title) {
        s_new_section(t, title, indent);
    }
    if (depth > TABLE_MAX_DEPTH) {
        struct cell *cell = s_alloc(t, 1, sizeof(*cell));
        if (cell) {
            *cell = s_cell(t, current);
            s_add_row(t, cell, 1);
        }
        return true;
    }
    if (json_is_array(current)) {
        if (json_is_object(json_array_get(current, 0))) {
            s_from_list(t, current, indent, title, depth);
            return true;
        }
        size_t i;
        const json_t *item;
        json_array_foreach((json_t *)current, i, item)
        {
            if (s_scalar(item)) {
                struct cell *cell = s_alloc(t, 1, sizeof(*cell));
                if (cell) {
                    *cell = s_cell(t, item);
                    s_add_row(t, cell, 1);
                }
                continue;
            }
            if (json_is_object(item)) {
                /* Python iterates a dict's keys: "all scalar", so its keys become the row */
                struct cell *cells = s_alloc(t, json_object_size(item), sizeof(*cells));
                size_t k = 0;
                const char *key;
                const json_t *unused;
                json_object_foreach((json_t *)item, key, unused)
                {
                    (void)unused;
                    if (cells) {
                        cells[k++] = s_cell_text(key);
                    }
                }
                if (cells) {
                    s_add_row(t, cells, k);
                }
                continue;
            }
            bool all_scalar = true;
            size_t n = json_array_size(item);
            for (size_t k = 0; k < n && all_scalar; k++) {
                all_scalar = s_scalar(json_array_get(item, k));
            }
            if (all_scalar) {
                struct cell *cells = s_alloc(t, n, sizeof(*cells));
                for (size_t k = 0; cells && k < n; k++) {
                    cells[k] = s_cell(t, json_array_get(item, k));
                }
                if (cells) {
                    s_add_row(t, cells, n);
                }
            } else {
                s_build(t, NULL, item, 0, depth + 1);
            }
        }
    }
    if (json_is_object(current)) {
        s_from_dict(t, current, indent, depth);
    }
    return true;
}

/* ----- layout (awscli/table.py MultiTable) ------------------------------------------------- */

/* Section.calculate_column_widths(padding=4, max_width); widths gets width_count entries */
static void s_column_widths(const struct section *s, size_t max_width, long *widths)
{
    long sum = 0;
    for (size_t i = 0; i < s->width_count; i++) {
        sum += (long)s->max_widths[i] + 4;
    }
    if (s->width_count == 0) {
        return;
    }
    double scale = (double)max_width / (double)sum;
    long total = 0;
    for (size_t i = 0; i < s->width_count; i++) {
        widths[i] = (long)nearbyint(scale * (double)((long)s->max_widths[i] + 4));
        total += widths[i];
    }
    long off_by = total - (long)max_width;
    while (off_by != 0) {
        for (size_t k = 0; k < s->width_count; k++) {
            size_t i = off_by < 0 ? s->width_count - 1 - k : k;
            if (off_by > 0) {
                widths[i]--;
                off_by--;
            } else {
                widths[i]++;
                off_by++;
            }
            if (off_by == 0) {
                break;
            }
        }
    }
}

/* Section.total_width(padding=4, with_border=True, outer_padding=indent) */
static size_t s_total_width(const struct section *s)
{
    size_t total = 0;
    for (size_t i = 0; i < s->width_count; i++) {
        total += s->max_widths[i] + 4;
    }
    total += 2 + 2 * s->indent;
    /* a section of a nested list has no title, which Python measures as str(None) */
    size_t title =
      (s->title ? cpw_render_text_width(cpw_span_from_cstr(s->title)) : 4) + 2 + 2 * s->indent;
    return title > total ? title : total;
}

static size_t s_max_width(const struct table *t)
{
    size_t max = 0;
    for (size_t i = 0; i < t->count; i++) {
        size_t w = s_total_width(t->sections[i]);
        max = w > max ? w : max;
    }
    return max;
}

/* convert_to_vertical_table: a section of one row under headers becomes header | value rows */
static void s_vertical(struct table *t)
{
    for (size_t i = 0; i < t->count && !t->failed; i++) {
        struct section *s = t->sections[i];
        if (s->row_count != 1 || s->header_count == 0) {
            continue;
        }
        struct section *old = s;
        t->current = NULL;
        s = s_alloc(t, 1, sizeof(*s));
        if (!s) {
            return;
        }
        s->title = old->title;
        s->indent = old->indent;
        s->num_cols = -1;
        t->sections[i] = s;
        t->current = s;
        size_t n = old->header_count < old->rows[0].count ? old->header_count : old->rows[0].count;
        for (size_t k = 0; k < n; k++) {
            struct cell *cells = s_alloc(t, 2, sizeof(*cells));
            if (!cells) {
                return;
            }
            cells[0] = old->headers[k];
            cells[1] = old->rows[0].cells[k];
            s_add_row(t, cells, 2);
        }
    }
}

static int s_repeat(struct cpw_buf *out, char c, long n)
{
    int rc = 0;
    for (long i = 0; i < n && rc == 0; i++) {
        rc = cpw_buf_append_byte(out, (uint8_t)c);
    }
    return rc;
}

/* center_text(text, length, left_edge, '|') */
static int s_center(struct cpw_buf *out, const struct cell *text, long length, bool left_edge)
{
    long start = (length / 2) - ((long)text->width / 2) - 1;
    int rc = left_edge ? cpw_buf_append_byte(out, '|') : 0;
    rc = rc ? rc : s_repeat(out, ' ', start);
    rc = rc ? rc : cpw_buf_append(out, cpw_span_from(text->text, text->len));
    long so_far = (left_edge ? 1 : 0) + start + (long)text->width;
    rc = rc ? rc : s_repeat(out, ' ', length - 1 - so_far);
    return rc ? rc : cpw_buf_append_byte(out, '|');
}

/* align_left(text, length, left_edge, '|', left_padding=2) */
static int s_align_left(struct cpw_buf *out,
                        const struct cell *text,
                        long length,
                        bool left_edge,
                        bool color)
{
    long edge = left_edge ? 1 : 0;
    long padding = length - ((long)text->width + 2 + edge + 1) >= 0 ? 2 : 0;
    int rc = left_edge ? cpw_buf_append_byte(out, '|') : 0;
    rc = rc ? rc : s_repeat(out, ' ', padding);
    rc = rc || !color ? rc : cpw_buf_append_cstr(out, STYLE_ROW);
    rc = rc ? rc : cpw_buf_append(out, cpw_span_from(text->text, text->len));
    rc = rc || !color ? rc : cpw_buf_append_cstr(out, STYLE_RESET);
    rc = rc ? rc : s_repeat(out, ' ', length - (edge + padding + (long)text->width) - 1);
    return rc ? rc : cpw_buf_append_byte(out, '|');
}

/* _write_line_break: +-----+-------+ */
static int s_line_break(struct cpw_buf *out, const long *widths, size_t count)
{
    int rc = 0;
    for (size_t i = 0; i < count && rc == 0; i++) {
        if (i == 0) {
            rc = cpw_buf_append_byte(out, '+');
            rc = rc ? rc : s_repeat(out, '-', widths[i] - 2);
        } else {
            rc = s_repeat(out, '-', widths[i] - 1);
        }
        rc = rc ? rc : cpw_buf_append_byte(out, '+');
    }
    return rc;
}

/* IndentedStream: every line between indent bars on both sides */
static int s_bars(struct cpw_buf *out, size_t indent, bool color)
{
    if (indent == 0) {
        return 0;
    }
    int rc = 0;
    for (size_t i = 0; i < indent && rc == 0; i++) {
        rc = color ? cpw_buf_append_cstr(out, STYLE_INDENT "|" STYLE_RESET)
                   : cpw_buf_append_byte(out, '|');
    }
    return rc;
}

struct line {
    struct cpw_buf *out;
    size_t indent;
    bool color;
};

static int s_line_start(const struct line *l)
{
    return s_bars(l->out, l->indent, l->color);
}

static int s_line_end(const struct line *l)
{
    int rc = s_bars(l->out, l->indent, l->color);
    return rc ? rc : cpw_buf_append_byte(l->out, '\n');
}

static int s_render_section(const struct section *s,
                            size_t max_width,
                            bool color,
                            struct cpw_buf *out)
{
    struct line l = { out, s->indent, color };
    long width = (long)max_width - 2 * (long)s->indent;
    int rc = 0;
    if (s->title && s->title[0]) {
        struct cell title = s_cell_text(s->title);
        rc = s_line_start(&l);
        rc = rc ? rc : s_center(out, &title, width, true);
        rc = rc ? rc : s_line_end(&l);
        if (rc == 0 && s->header_count == 0 && s->row_count == 0) {
            rc = s_line_start(&l);
            rc = rc ? rc : cpw_buf_append_byte(out, '+');
            rc = rc ? rc : s_repeat(out, '-', width - 2);
            rc = rc ? rc : cpw_buf_append_byte(out, '+');
            rc = rc ? rc : s_line_end(&l);
        }
    }
    long *widths = cpw_calloc(s->width_count + 1, sizeof(*widths));
    s_column_widths(s, (size_t)(width > 0 ? width : 0), widths);
    if (rc == 0 && s->header_count) {
        rc = s_line_start(&l);
        rc = rc ? rc : s_line_break(out, widths, s->width_count);
        rc = rc ? rc : s_line_end(&l);
        rc = rc ? rc : s_line_start(&l);
        for (size_t i = 0; i < s->header_count && i < s->width_count && rc == 0; i++) {
            rc = s_center(out, &s->headers[i], widths[i], i == 0);
        }
        rc = rc ? rc : s_line_end(&l);
    }
    if (rc == 0 && s->row_count && s->width_count) {
        rc = s_line_start(&l);
        rc = rc ? rc : s_line_break(out, widths, s->width_count);
        rc = rc ? rc : s_line_end(&l);
        for (size_t r = 0; r < s->row_count && rc == 0; r++) {
            rc = s_line_start(&l);
            for (size_t i = 0; i < s->rows[r].count && i < s->width_count && rc == 0; i++) {
                rc = s_align_left(out, &s->rows[r].cells[i], widths[i], i == 0, color);
            }
            rc = rc ? rc : s_line_end(&l);
        }
        rc = rc ? rc : s_line_start(&l);
        rc = rc ? rc : s_line_break(out, widths, s->width_count);
        rc = rc ? rc : s_line_end(&l);
    }
    cpw_free(widths);
    return rc;
}

int cpw_render_table(const json_t *doc,
                     const struct cpw_render_table_options *options,
                     struct cpw_buf *out)
{
    struct table t;
    memset(&t, 0, sizeof(t));
    cpw_arena_init(&t.arena, TABLE_ARENA_MAX);
    const char *title = options && options->title ? options->title : "";
    size_t terminal = options ? options->terminal_width : 80;
    bool color = options && options->color;
    int rc = 0;
    if (doc && s_build(&t, title, doc, 0, 0) && !t.failed) {
        size_t max_width = s_max_width(&t);
        if (max_width > terminal) {
            s_vertical(&t);
            max_width = s_max_width(&t);
        }
        rc = t.failed ? -1 : s_repeat(out, '-', (long)max_width);
        rc = rc ? rc : cpw_buf_append_byte(out, '\n');
        for (size_t i = 0; i < t.count && rc == 0; i++) {
            rc = s_render_section(t.sections[i], max_width, color, out);
        }
    }
    if (t.failed) {
        rc = -1;
    }
    cpw_arena_clean_up(&t.arena);
    return rc;
}
