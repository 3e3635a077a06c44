/*
 * xml.h - libxml2, wrapped once (docs/style.md 8): safe parsing, element walking, and writing.
 *
 * Parsing never touches the network, never loads a DTD and never expands entities
 * (XML_PARSE_NONET | XML_PARSE_NOBLANKS; never NOENT, DTDLOAD or HUGE); libxml2's own messages
 * are silenced and the first error becomes CPW_ERR_PARSE with line and column. Element names are
 * compared without their namespace. Strings that libxml2 allocates are copied into cpw_malloc
 * memory so callers release them with cpw_free.
 *
 * Thread-safety: every function is thread-safe on distinct documents and writers.
 */
#ifndef CPW_XML_H
#define CPW_XML_H

#include <stdbool.h>

#include "cpw/buf.h"

struct cpw_xml_doc;  /* opaque: a parsed document */
struct cpw_xml_node; /* borrowed from its document */

/**
 * Parses text into a new document (owned; cpw_xml_doc_destroy). Returns NULL with
 * CPW_ERR_PARSE ("malformed XML at line L column C: reason") or CPW_ERR_LIMIT.
 */
struct cpw_xml_doc *cpw_xml_parse(struct cpw_span text);

/** Frees a document and every node in it. NULL is a no-op. */
void cpw_xml_doc_destroy(struct cpw_xml_doc *doc);

/** The root element (borrowed), or NULL. */
const struct cpw_xml_node *cpw_xml_root(const struct cpw_xml_doc *doc);

/** The element's local name (borrowed; no namespace prefix). */
const char *cpw_xml_name(const struct cpw_xml_node *node);

/** True when the element's local name equals name. */
bool cpw_xml_is(const struct cpw_xml_node *node, const char *name);

/** The first child element (borrowed), or NULL. */
const struct cpw_xml_node *cpw_xml_first_child(const struct cpw_xml_node *node);

/** The next sibling element (borrowed), or NULL. */
const struct cpw_xml_node *cpw_xml_next(const struct cpw_xml_node *node);

/** The first child element called name (borrowed), or NULL. */
const struct cpw_xml_node *cpw_xml_child(const struct cpw_xml_node *node, const char *name);

/** True when the element has at least one child element. */
bool cpw_xml_has_children(const struct cpw_xml_node *node);

/** The element's text content, owned by the caller (cpw_free); "" for an empty element. */
char *cpw_xml_text(const struct cpw_xml_node *node);

/**
 * The element's text without a copy, when its content is a single text node or nothing (the
 * common case): true with *out borrowed from the document (valid until it is destroyed). False
 * for any other content (several nodes, CDATA, child elements): use cpw_xml_text.
 */
bool cpw_xml_text_span(const struct cpw_xml_node *node, struct cpw_span *out);

/* ----- streaming ---------------------------------------------------------------------------- */

/*
 * Callbacks of cpw_xml_stream; each returns 0 to go on or -1 to stop the parse. start: an
 * element opens (its local name, valid during the call); end: the innermost open element
 * closes; text: character data of the innermost element (references resolved; one element's
 * text may come in several calls); other: anything else inside an element (a comment, a
 * processing instruction, a CDATA section), which cpw_xml_text_span would not read in place.
 */
struct cpw_xml_events {
    int (*start)(void *user, const char *name);
    int (*end)(void *user);
    int (*text)(void *user, const char *text, size_t len);
    int (*other)(void *user);
};

/**
 * Reads text as cpw_xml_parse does (same options, limits and refusals) without building a
 * document, reporting each event to ev with user. Returns 0 when the text is a document that
 * cpw_xml_parse would accept and no callback stopped; -1 otherwise, with nothing raised (use
 * cpw_xml_parse for the error).
 */
int cpw_xml_stream(struct cpw_span text, const struct cpw_xml_events *ev, void *user);

/* ----- writing ----------------------------------------------------------------------------- */

struct cpw_xml_writer; /* opaque */

/** A writer producing a document without an XML declaration. Owned; never NULL. */
struct cpw_xml_writer *cpw_xml_writer_new(void);

/** Frees the writer (whatever was written is lost). NULL is a no-op. */
void cpw_xml_writer_destroy(struct cpw_xml_writer *w);

/** Opens <name>, optionally with xmlns="ns" (ns may be NULL). */
int cpw_xml_start(struct cpw_xml_writer *w, const char *name, const char *ns);

/** Closes the innermost open element. */
int cpw_xml_end(struct cpw_xml_writer *w);

/** Writes <name>escaped text</name>. */
int cpw_xml_element(struct cpw_xml_writer *w, const char *name, const char *text);

/**
 * Closes every open element and appends the document to out. Returns 0, or -1 with
 * CPW_ERR_INTERNAL (a libxml2 failure) or CPW_ERR_LIMIT.
 */
int cpw_xml_writer_finish(struct cpw_xml_writer *w, struct cpw_buf *out);

#endif
