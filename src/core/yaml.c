/*
 * yaml.c - libyaml's event parser turned into a small tree with positions (yaml.h). The one place
 * cpwarden reads YAML: every limit (size, depth, nodes, no aliases, no duplicate keys) is kept
 * here, so a caller checks only its own schema.
 */
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "cpw/alloc.h"
#include "cpw/error.h"
#include "cpw/yaml.h"

struct reader {
    yaml_parser_t parser;
    size_t nodes;
};

static struct cpw_yaml_node *s_node_new(enum cpw_yaml_kind kind, yaml_mark_t mark)
{
    struct cpw_yaml_node *n = cpw_calloc(1, sizeof(*n));
    n->kind = kind;
    n->line = mark.line + 1;
    n->column = mark.column + 1;
    return n;
}

void cpw_yaml_destroy(struct cpw_yaml_node *root)
{
    if (!root) {
        return;
    }
    for (size_t i = 0; i < root->count; i++) {
        cpw_yaml_destroy(root->items[i]);
        if (root->keys) {
            cpw_yaml_destroy(root->keys[i]);
        }
    }
    cpw_free(root->items);
    cpw_free(root->keys);
    cpw_free(root->value);
    cpw_free(root);
}

static int s_bad_at(yaml_mark_t mark, const char *what)
{
    return cpw_raise(CPW_ERR_PARSE, "line %zu, column %zu: %s", mark.line + 1, mark.column + 1,
                     what);
}

/* The next event; -1 with the parser's own message and place. */
static int s_next(struct reader *r, yaml_event_t *ev)
{
    if (!yaml_parser_parse(&r->parser, ev)) {
        yaml_mark_t mark = r->parser.problem_mark;
        return cpw_raise(CPW_ERR_PARSE, "line %zu, column %zu: %s%s%s", mark.line + 1,
                         mark.column + 1, r->parser.problem ? r->parser.problem : "malformed YAML",
                         r->parser.context ? " " : "", r->parser.context ? r->parser.context : "");
    }
    return 0;
}

static void s_push(struct cpw_yaml_node *parent,
                   struct cpw_yaml_node *key,
                   struct cpw_yaml_node *item)
{
    size_t n = parent->count + 1;
    parent->items = cpw_realloc(parent->items, n * sizeof(*parent->items));
    parent->items[parent->count] = item;
    if (parent->kind == CPW_YAML_MAPPING) {
        parent->keys = cpw_realloc(parent->keys, n * sizeof(*parent->keys));
        parent->keys[parent->count] = key;
    }
    parent->count = n;
}

static int s_node(struct reader *r, yaml_event_t *ev, size_t depth, struct cpw_yaml_node **out);

/* The children of a collection until its end event. */
static int s_children(struct reader *r, struct cpw_yaml_node *parent, size_t depth)
{
    for (;;) {
        yaml_event_t ev;
        if (s_next(r, &ev)) {
            return -1;
        }
        if (ev.type == YAML_SEQUENCE_END_EVENT || ev.type == YAML_MAPPING_END_EVENT) {
            yaml_event_delete(&ev);
            return 0;
        }
        struct cpw_yaml_node *key = NULL;
        if (parent->kind == CPW_YAML_MAPPING) {
            if (ev.type != YAML_SCALAR_EVENT) {
                int rc = s_bad_at(ev.start_mark, "a mapping key must be a plain scalar");
                yaml_event_delete(&ev);
                return rc;
            }
            if (s_node(r, &ev, depth, &key)) {
                return -1;
            }
            if (cpw_yaml_get(parent, key->value)) {
                cpw_raise(CPW_ERR_PARSE, "line %zu, column %zu: duplicate key '%s'", key->line,
                          key->column, key->value);
                cpw_yaml_destroy(key);
                return -1;
            }
            if (s_next(r, &ev)) {
                cpw_yaml_destroy(key);
                return -1;
            }
        }
        struct cpw_yaml_node *item = NULL;
        if (s_node(r, &ev, depth, &item)) {
            cpw_yaml_destroy(key);
            return -1;
        }
        s_push(parent, key, item);
    }
}

/* Builds the node that event ev starts (ev is consumed). */
static int s_node(struct reader *r, yaml_event_t *ev, size_t depth, struct cpw_yaml_node **out)
{
    *out = NULL;
    int rc = 0;
    if (++r->nodes > CPW_YAML_MAX_NODES) {
        rc = cpw_raise(CPW_ERR_LIMIT, "line %zu, column %zu: more than %u nodes",
                       ev->start_mark.line + 1, ev->start_mark.column + 1, CPW_YAML_MAX_NODES);
        goto cleanup;
    }
    switch (ev->type) {
    case YAML_SCALAR_EVENT: {
        struct cpw_yaml_node *n = s_node_new(CPW_YAML_SCALAR, ev->start_mark);
        size_t len = ev->data.scalar.length;
        if (memchr(ev->data.scalar.value, '\0', len)) {
            cpw_yaml_destroy(n);
            rc = s_bad_at(ev->start_mark, "a scalar holds a NUL character");
            goto cleanup;
        }
        n->value = cpw_strndup((const char *)ev->data.scalar.value, len);
        n->quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE &&
                    ev->data.scalar.style != YAML_ANY_SCALAR_STYLE;
        *out = n;
        break;
    }
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT: {
        if (depth >= CPW_YAML_MAX_DEPTH) {
            rc = cpw_raise(CPW_ERR_LIMIT, "line %zu, column %zu: nested deeper than %d levels",
                           ev->start_mark.line + 1, ev->start_mark.column + 1, CPW_YAML_MAX_DEPTH);
            goto cleanup;
        }
        struct cpw_yaml_node *n =
          s_node_new(ev->type == YAML_SEQUENCE_START_EVENT ? CPW_YAML_SEQUENCE : CPW_YAML_MAPPING,
                     ev->start_mark);
        yaml_event_delete(ev);
        if (s_children(r, n, depth + 1)) {
            cpw_yaml_destroy(n);
            return -1;
        }
        *out = n;
        return 0;
    }
    case YAML_ALIAS_EVENT:
        rc = s_bad_at(ev->start_mark, "aliases (*name) are not supported");
        break;
    default:
        rc = s_bad_at(ev->start_mark, "unexpected YAML event");
        break;
    }
cleanup:
    yaml_event_delete(ev);
    return rc;
}

int cpw_yaml_load(struct cpw_span text, size_t max_bytes, struct cpw_yaml_node **out)
{
    *out = NULL;
    if (max_bytes == 0) {
        max_bytes = CPW_YAML_MAX_TEXT_BYTES;
    }
    if (text.len > max_bytes) {
        return cpw_raise(CPW_ERR_LIMIT, "YAML document larger than %zu bytes", max_bytes);
    }
    struct reader r = { .nodes = 0 };
    if (!yaml_parser_initialize(&r.parser)) {
        return cpw_raise(CPW_ERR_INTERNAL, "libyaml cannot start a parser");
    }
    yaml_parser_set_input_string(&r.parser, text.len ? text.ptr : (const unsigned char *)"",
                                 text.len);
    struct cpw_yaml_node *root = NULL;
    int rc = -1;
    yaml_event_t ev;
    /* STREAM-START, then DOCUMENT-START (or STREAM-END for an empty text) */
    if (s_next(&r, &ev)) {
        goto cleanup;
    }
    yaml_event_delete(&ev);
    if (s_next(&r, &ev)) {
        goto cleanup;
    }
    if (ev.type == YAML_STREAM_END_EVENT) {
        yaml_event_delete(&ev);
        root = s_node_new(CPW_YAML_MAPPING, (yaml_mark_t){ 0 });
        rc = 0;
        goto cleanup;
    }
    yaml_event_delete(&ev);
    if (s_next(&r, &ev) || s_node(&r, &ev, 0, &root)) {
        goto cleanup;
    }
    if (s_next(&r, &ev)) { /* DOCUMENT-END */
        goto cleanup;
    }
    yaml_event_delete(&ev);
    if (s_next(&r, &ev)) {
        goto cleanup;
    }
    if (ev.type != YAML_STREAM_END_EVENT) {
        s_bad_at(ev.start_mark, "only one YAML document is allowed");
        yaml_event_delete(&ev);
        goto cleanup;
    }
    yaml_event_delete(&ev);
    if (root->kind == CPW_YAML_SCALAR && !root->quoted &&
        (root->value[0] == '\0' || strcmp(root->value, "~") == 0 ||
         strcmp(root->value, "null") == 0)) {
        cpw_yaml_destroy(root); /* "---" alone or "null": an empty document */
        root = s_node_new(CPW_YAML_MAPPING, (yaml_mark_t){ 0 });
    }
    rc = 0;
cleanup:
    yaml_parser_delete(&r.parser);
    if (rc) {
        cpw_yaml_destroy(root);
        root = NULL;
    }
    *out = root;
    return rc;
}

const struct cpw_yaml_node *cpw_yaml_get(const struct cpw_yaml_node *map, const char *key)
{
    if (!map || map->kind != CPW_YAML_MAPPING || !key) {
        return NULL;
    }
    for (size_t i = 0; i < map->count; i++) {
        if (strcmp(map->keys[i]->value, key) == 0) {
            return map->items[i];
        }
    }
    return NULL;
}

const char *cpw_yaml_kind_name(enum cpw_yaml_kind kind)
{
    switch (kind) {
    case CPW_YAML_SEQUENCE:
        return "sequence";
    case CPW_YAML_MAPPING:
        return "mapping";
    case CPW_YAML_SCALAR:
        break;
    }
    return "scalar";
}

int cpw_yaml_bool(const struct cpw_yaml_node *node, bool *out)
{
    if (!node || node->kind != CPW_YAML_SCALAR || node->quoted) {
        return -1;
    }
    if (strcasecmp(node->value, "true") == 0) {
        *out = true;
        return 0;
    }
    if (strcasecmp(node->value, "false") == 0) {
        *out = false;
        return 0;
    }
    return -1;
}

int cpw_yaml_int(const struct cpw_yaml_node *node, int64_t *out)
{
    if (!node || node->kind != CPW_YAML_SCALAR || node->quoted) {
        return -1;
    }
    const char *s = node->value;
    bool negative = false;
    if (*s == '-' || *s == '+') {
        negative = *s == '-';
        s++;
    }
    uint64_t n = 0;
    if (!*s || cpw_span_to_u64(cpw_span_from_cstr(s), (uint64_t)INT64_MAX, &n)) {
        return -1;
    }
    *out = negative ? -(int64_t)n : (int64_t)n;
    return 0;
}
