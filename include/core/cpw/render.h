/*
 * render.h - the AWS CLI's `--output text` and `--output table` for any JSON document, byte for
 * byte as the AWS CLI v2 writes them (awscli/text.py and awscli/table.py), so that a command
 * printing AWS data offers the same two formats the AWS CLI's users script against.
 *
 * Both take the document after --query. Scalars are written as Python's str() writes them
 * (True, False, None, 1.5, 1e-05), since that is what the AWS CLI prints.
 *
 * text: one line per object, its scalar members tab-separated in key order; a list of objects
 * gives one line per element prefixed by its key upper-cased (ROLES\t...), nested objects and
 * lists follow as their own lines; a list of scalars is one tab-separated line (or KEY\tvalue
 * lines under a key).
 *
 * table: boxed sections titled by the operation then by each nested key, indented with '|' per
 * level, columns scaled to the widest section, and sections of one row turned vertical when the
 * table is wider than the terminal. The layout (centred titles, column scaling with Python's
 * round-half-even, the vertical fallback) is the AWS CLI's own: no table library reproduces it,
 * which is why it is written here rather than taken from libsmartcols.
 *
 * Ownership: nothing is kept; the output is appended to the caller's buffer.
 */
#ifndef CPW_RENDER_H
#define CPW_RENDER_H

#include <stdbool.h>
#include <stddef.h>

#include "cpw/buf.h"
#include "cpw/json.h"

/** Appends the document as the AWS CLI's text output. Returns 0, or -1 (CPW_ERR_LIMIT). */
int cpw_render_text(const json_t *doc, struct cpw_buf *out);

struct cpw_render_table_options {
    const char *title;     /* the first section's title: the operation's name ("ListRoles") */
    size_t terminal_width; /* columns; the AWS CLI uses 80 when stdout is not a terminal */
    bool color;            /* the AWS CLI's terminal colours (values bright blue, bars dim) */
};

/**
 * Appends the document as the AWS CLI's table output. A document the AWS CLI does not print as a
 * table (null, false, 0, "", [] or {}) appends nothing. Returns 0, or -1 (CPW_ERR_LIMIT).
 */
int cpw_render_table(const json_t *doc,
                     const struct cpw_render_table_options *options,
                     struct cpw_buf *out);

/** Appends a scalar as Python's str() writes it ("True", "None", "1.0", "1e-05", text as is). */
int cpw_render_scalar(const json_t *value, struct cpw_buf *out);

/**
 * Display width of UTF-8 text as the AWS CLI measures it: 2 columns for each East Asian wide,
 * full-width or ambiguous character (Unicode 14), 1 for every other character or invalid byte.
 */
size_t cpw_render_text_width(struct cpw_span text);

#endif
