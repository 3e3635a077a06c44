/*
 * xml.c - the one place that knows libxml2: parse options, error capture, node walking,
 * xmlTextWriter output and xmlFree.
 */
#include "cpw/xml.h"

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlwriter.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/error.h"

#define S_MAX_XML_BYTES (16u * 1024u * 1024u)

struct cpw_xml_doc {
    xmlDocPtr doc;
};

struct cpw_xml_writer {
    xmlBufferPtr buffer;
    xmlTextWriterPtr writer;
    int failed;
    size_t depth;
};

static pthread_once_t s_init_once = PTHREAD_ONCE_INIT;

static void s_init(void)
{
    xmlInitParser();
}

/* libxml2 would print to stderr; errors are read back from the parser context instead. */
static void s_silent(void *user, xmlErrorPtr error)
{
    (void)user;
    (void)error;
}

struct cpw_xml_doc *cpw_xml_parse(struct cpw_span text)
{
    pthread_once(&s_init_once, s_init);
    if (text.len > S_MAX_XML_BYTES) {
        cpw_raise(CPW_ERR_LIMIT, "XML text of %zu bytes is too large", text.len);
        return NULL;
    }
    if (text.len == 0) {
        cpw_raise(CPW_ERR_PARSE, "malformed XML at line 1 column 0: no element found");
        return NULL;
    }
    xmlSetStructuredErrorFunc(NULL, s_silent); /* per thread in libxml2 */
    xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
    if (!ctxt) {
        cpw_raise(CPW_ERR_INTERNAL, "libxml2 parser context could not be created");
        return NULL;
    }
    xmlDocPtr doc = xmlCtxtReadMemory(ctxt, (const char *)text.ptr, (int)text.len, NULL, NULL,
                                      XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_NOERROR |
                                        XML_PARSE_NOWARNING);
    struct cpw_xml_doc *out = NULL;
    if (!doc || !ctxt->wellFormed || !xmlDocGetRootElement(doc)) {
        const xmlError *e = xmlCtxtGetLastError(ctxt);
        if (e && e->message) {
            size_t n = strlen(e->message);
            while (n && (e->message[n - 1] == '\n' || e->message[n - 1] == ' ')) {
                n--;
            }
            cpw_raise(CPW_ERR_PARSE, "malformed XML at line %d column %d: %.*s", e->line, e->int2,
                      (int)n, e->message);
        } else {
            cpw_raise(CPW_ERR_PARSE, "malformed XML: no root element");
        }
        xmlFreeDoc(doc);
    } else if (doc->intSubset) {
        cpw_raise(CPW_ERR_PARSE, "XML with a document type declaration is not accepted");
        xmlFreeDoc(doc);
    } else {
        out = cpw_calloc(1, sizeof(*out));
        out->doc = doc;
    }
    xmlFreeParserCtxt(ctxt);
    xmlSetStructuredErrorFunc(NULL, NULL);
    return out;
}

/* One streamed parse: the caller's events, and whether anything made the text unacceptable. */
struct stream {
    const struct cpw_xml_events *ev;
    void *user;
    xmlParserCtxtPtr ctxt;
    bool refused; /* a callback stopped, or a form cpw_xml_parse refuses (a DTD) */
};

static void s_stream_stop(struct stream *st)
{
    st->refused = true;
    xmlStopParser(st->ctxt);
}

static void s_stream_start(void *ctx,
                           const xmlChar *localname,
                           const xmlChar *prefix,
                           const xmlChar *uri,
                           int n_namespaces,
                           const xmlChar **namespaces,
                           int n_attributes,
                           int n_defaulted,
                           const xmlChar **attributes)
{
    struct stream *st = ((xmlParserCtxtPtr)ctx)->_private;
    (void)prefix;
    (void)uri;
    (void)n_namespaces;
    (void)namespaces;
    (void)n_attributes;
    (void)n_defaulted;
    (void)attributes;
    if (!st->refused && st->ev->start(st->user, (const char *)localname)) {
        s_stream_stop(st);
    }
}

static void s_stream_end(void *ctx,
                         const xmlChar *localname,
                         const xmlChar *prefix,
                         const xmlChar *uri)
{
    struct stream *st = ((xmlParserCtxtPtr)ctx)->_private;
    (void)localname;
    (void)prefix;
    (void)uri;
    if (!st->refused && st->ev->end(st->user)) {
        s_stream_stop(st);
    }
}

static void s_stream_text(void *ctx, const xmlChar *text, int len)
{
    struct stream *st = ((xmlParserCtxtPtr)ctx)->_private;
    if (!st->refused && st->ev->text(st->user, (const char *)text, (size_t)len)) {
        s_stream_stop(st);
    }
}

static void s_stream_other(struct stream *st)
{
    if (!st->refused && st->ev->other(st->user)) {
        s_stream_stop(st);
    }
}

static void s_stream_cdata(void *ctx, const xmlChar *text, int len)
{
    (void)text;
    (void)len;
    s_stream_other(((xmlParserCtxtPtr)ctx)->_private);
}

static void s_stream_comment(void *ctx, const xmlChar *text)
{
    (void)text;
    s_stream_other(((xmlParserCtxtPtr)ctx)->_private);
}

static void s_stream_pi(void *ctx, const xmlChar *target, const xmlChar *data)
{
    (void)target;
    (void)data;
    s_stream_other(((xmlParserCtxtPtr)ctx)->_private);
}

static void s_stream_reference(void *ctx, const xmlChar *name)
{
    (void)name;
    s_stream_other(((xmlParserCtxtPtr)ctx)->_private);
}

/* cpw_xml_parse refuses a document type declaration. */
static void s_stream_subset(void *ctx, const xmlChar *name, const xmlChar *id, const xmlChar *sys)
{
    struct stream *st = ((xmlParserCtxtPtr)ctx)->_private;
    (void)name;
    (void)id;
    (void)sys;
    s_stream_stop(st);
}

int cpw_xml_stream(struct cpw_span text, const struct cpw_xml_events *ev, void *user)
{
    pthread_once(&s_init_once, s_init);
    if (text.len == 0 || text.len > S_MAX_XML_BYTES) {
        return -1;
    }
    xmlSetStructuredErrorFunc(NULL, s_silent);
    xmlParserCtxtPtr ctxt = xmlCreateMemoryParserCtxt((const char *)text.ptr, (int)text.len);
    if (!ctxt) {
        xmlSetStructuredErrorFunc(NULL, NULL);
        return -1;
    }
    (void)xmlCtxtUseOptions(ctxt, XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_NOERROR |
                                    XML_PARSE_NOWARNING);
    struct stream st = { .ev = ev, .user = user, .ctxt = ctxt, .refused = false };
    ctxt->_private = &st;
    /* Everything else keeps libxml2's SAX2 defaults (entities, the document node), which build
     * no element. Whitespace is reported as text: without a tree libxml2 cannot tell blanks
     * cpw_xml_parse would drop, and only an element's own text is ever read. */
    xmlSAXHandlerPtr sax = ctxt->sax;
    sax->startElementNs = s_stream_start;
    sax->endElementNs = s_stream_end;
    sax->characters = s_stream_text;
    sax->ignorableWhitespace = s_stream_text;
    sax->cdataBlock = s_stream_cdata;
    sax->comment = s_stream_comment;
    sax->processingInstruction = s_stream_pi;
    sax->reference = s_stream_reference;
    sax->internalSubset = s_stream_subset;
    sax->startElement = NULL;
    sax->endElement = NULL;
    int rc = xmlParseDocument(ctxt);
    bool ok = rc == 0 && ctxt->wellFormed && !st.refused;
    if (ctxt->myDoc) {
        xmlFreeDoc(ctxt->myDoc);
        ctxt->myDoc = NULL;
    }
    xmlFreeParserCtxt(ctxt);
    xmlSetStructuredErrorFunc(NULL, NULL);
    return ok ? 0 : -1;
}

void cpw_xml_doc_destroy(struct cpw_xml_doc *doc)
{
    if (!doc) {
        return;
    }
    xmlFreeDoc(doc->doc);
    cpw_free(doc);
}

static const struct cpw_xml_node *s_elem(xmlNodePtr n)
{
    while (n && n->type != XML_ELEMENT_NODE) {
        n = n->next;
    }
    return (const struct cpw_xml_node *)n;
}

const struct cpw_xml_node *cpw_xml_root(const struct cpw_xml_doc *doc)
{
    return doc ? (const struct cpw_xml_node *)xmlDocGetRootElement(doc->doc) : NULL;
}

const char *cpw_xml_name(const struct cpw_xml_node *node)
{
    return (const char *)((xmlNodePtr)node)->name;
}

bool cpw_xml_is(const struct cpw_xml_node *node, const char *name)
{
    return node && strcmp(cpw_xml_name(node), name) == 0;
}

const struct cpw_xml_node *cpw_xml_first_child(const struct cpw_xml_node *node)
{
    return node ? s_elem(((xmlNodePtr)node)->children) : NULL;
}

const struct cpw_xml_node *cpw_xml_next(const struct cpw_xml_node *node)
{
    return node ? s_elem(((xmlNodePtr)node)->next) : NULL;
}

const struct cpw_xml_node *cpw_xml_child(const struct cpw_xml_node *node, const char *name)
{
    for (const struct cpw_xml_node *c = cpw_xml_first_child(node); c; c = cpw_xml_next(c)) {
        if (cpw_xml_is(c, name)) {
            return c;
        }
    }
    return NULL;
}

bool cpw_xml_has_children(const struct cpw_xml_node *node)
{
    return cpw_xml_first_child(node) != NULL;
}

char *cpw_xml_text(const struct cpw_xml_node *node)
{
    xmlChar *content = xmlNodeGetContent((const xmlNode *)node);
    char *copy = cpw_strdup(content ? (const char *)content : "");
    xmlFree(content);
    return copy;
}

bool cpw_xml_text_span(const struct cpw_xml_node *node, struct cpw_span *out)
{
    const xmlNode *n = (const xmlNode *)node;
    if (!n || n->type != XML_ELEMENT_NODE) {
        return false;
    }
    if (!n->children) {
        *out = cpw_span_from("", 0);
        return true;
    }
    const xmlNode *text = n->children;
    if (text->next || text->type != XML_TEXT_NODE || !text->content) {
        return false;
    }
    *out = cpw_span_from_cstr((const char *)text->content);
    return true;
}

/* ----- writing ----------------------------------------------------------------------------- */

struct cpw_xml_writer *cpw_xml_writer_new(void)
{
    pthread_once(&s_init_once, s_init);
    struct cpw_xml_writer *w = cpw_calloc(1, sizeof(*w));
    w->buffer = xmlBufferCreate();
    w->writer = w->buffer ? xmlNewTextWriterMemory(w->buffer, 0) : NULL;
    if (!w->writer) {
        /* libxml2 fails here only when out of memory; the allocation wrapper aborts then too. */
        abort();
    }
    return w;
}

void cpw_xml_writer_destroy(struct cpw_xml_writer *w)
{
    if (!w) {
        return;
    }
    xmlFreeTextWriter(w->writer);
    xmlBufferFree(w->buffer);
    cpw_free(w);
}

static int s_check(struct cpw_xml_writer *w, int rc)
{
    if (rc < 0) {
        w->failed = 1;
        return cpw_raise(CPW_ERR_INTERNAL, "libxml2 could not write XML");
    }
    return 0;
}

int cpw_xml_start(struct cpw_xml_writer *w, const char *name, const char *ns)
{
    if (s_check(w, xmlTextWriterStartElement(w->writer, (const xmlChar *)name))) {
        return -1;
    }
    w->depth++;
    if (ns) {
        return s_check(
          w, xmlTextWriterWriteAttribute(w->writer, (const xmlChar *)"xmlns", (const xmlChar *)ns));
    }
    return 0;
}

int cpw_xml_end(struct cpw_xml_writer *w)
{
    if (w->depth == 0) {
        return cpw_raise(CPW_ERR_INTERNAL, "XML end without a start");
    }
    w->depth--;
    /* Full end tags (<a></a>) rather than <a/>, as AWS writes them. */
    return s_check(w, xmlTextWriterFullEndElement(w->writer));
}

int cpw_xml_element(struct cpw_xml_writer *w, const char *name, const char *text)
{
    if (cpw_xml_start(w, name, NULL) ||
        s_check(w, xmlTextWriterWriteString(w->writer, (const xmlChar *)text))) {
        return -1;
    }
    return cpw_xml_end(w);
}

int cpw_xml_writer_finish(struct cpw_xml_writer *w, struct cpw_buf *out)
{
    while (w->depth > 0) {
        if (cpw_xml_end(w)) {
            return -1;
        }
    }
    if (w->failed || s_check(w, xmlTextWriterFlush(w->writer))) {
        return cpw_raise(CPW_ERR_INTERNAL, "XML writing failed");
    }
    return cpw_buf_append(
      out, cpw_span_from(xmlBufferContent(w->buffer), (size_t)xmlBufferLength(w->buffer)));
}
