/*
 * http_msg.h - HTTP requests and responses as plain data, shared by the SigV4 signer and
 * verifier, the protocol codecs, the client engine and the sandbox server.
 *
 * A request holds the method, the path and query exactly as they go on the wire (already
 * percent-encoded, no '?'), the headers in order (names as given; lookups ignore case) and the
 * body. Everything inside is owned by the message and released by its clean_up.
 */
#ifndef CPW_HTTP_MSG_H
#define CPW_HTTP_MSG_H

#include <stdbool.h>
#include <stddef.h>

#include "cpw/buf.h"

#define CPW_HTTP_MAX_HEADER_BYTES (64u * 1024u)
#define CPW_HTTP_MAX_BODY_BYTES   (16u * 1024u * 1024u)
#define CPW_HTTP_MAX_PATH_BYTES   (16u * 1024u)

struct cpw_header {
    char *name;  /* owned, NUL-terminated */
    char *value; /* owned, NUL-terminated */
    /* Whitespace that followed the ':' in a parsed message (at most 7 bytes kept), written back
     * by cpw_http_request_write so a parsed message is reproduced byte for byte. */
    char lead_ws[8];
};

struct cpw_headers {
    struct cpw_header *items; /* owned array */
    size_t count;
    size_t cap;
};

void cpw_headers_init(struct cpw_headers *headers);
void cpw_headers_clean_up(struct cpw_headers *headers);

/** Appends a header (copies both). Repeated names are kept as separate entries. Never fails. */
void cpw_headers_add(struct cpw_headers *headers, struct cpw_span name, struct cpw_span value);
void cpw_headers_add_cstr(struct cpw_headers *headers, const char *name, const char *value);

/** Replaces every header called name (any case) by one with value. */
void cpw_headers_set(struct cpw_headers *headers, const char *name, const char *value);

/** Removes every header called name (any case). Returns how many were removed. */
size_t cpw_headers_remove(struct cpw_headers *headers, const char *name);

/** The first value of name (any case), borrowed, or NULL. */
const char *cpw_headers_get(const struct cpw_headers *headers, const char *name);

/** Number of headers called name (any case). */
size_t cpw_headers_count_name(const struct cpw_headers *headers, const char *name);

struct cpw_http_request {
    char *method;         /* owned: "GET", "POST", ... */
    struct cpw_buf path;  /* raw, percent-encoded path, starts with '/' */
    struct cpw_buf query; /* raw query string without '?', may be empty */
    struct cpw_headers headers;
    struct cpw_buf body;
};

/** Prepares an empty request with the standard size caps. */
void cpw_http_request_init(struct cpw_http_request *req);
void cpw_http_request_clean_up(struct cpw_http_request *req);

/** Sets the method (copied). */
void cpw_http_request_set_method(struct cpw_http_request *req, const char *method);

/**
 * Sets path and query from a request target "/p/a?x=1" (the part after '?' becomes the query).
 * Returns 0, or -1 (CPW_ERR_LIMIT / CPW_ERR_INVALID_ARGUMENT when it does not start with '/').
 */
int cpw_http_request_set_target(struct cpw_http_request *req, struct cpw_span target);

/**
 * Parses a raw HTTP/1.1 request message ("METHOD target HTTP/1.1\r\nName: value\r\n...\r\n\r\n
 * body"); LF-only line ends and obs-fold continuation lines (RFC 7230 3.2.4, kept joined with
 * the original whitespace) are accepted, as in the SigV4 suite's request.txt files. Returns 0, or
 * -1 with CPW_ERR_PARSE / CPW_ERR_LIMIT, leaving req cleaned up.
 */
int cpw_http_request_parse(struct cpw_http_request *req, struct cpw_span raw);

/**
 * Appends the request as HTTP/1.1 text (LF line ends, the SigV4 suite's format: request line,
 * "Name:value" lines with the whitespace the parsed message had after ':', an empty line, the
 * body) to out.
 */
int cpw_http_request_write(const struct cpw_http_request *req, struct cpw_buf *out);

struct cpw_http_response {
    long status;
    struct cpw_headers headers;
    struct cpw_buf body;
};

void cpw_http_response_init(struct cpw_http_response *resp);
void cpw_http_response_clean_up(struct cpw_http_response *resp);

#endif
