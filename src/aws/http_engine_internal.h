/*
 * http_engine_internal.h - what the HTTP engine's files share: one attempt's libcurl transfer
 * (request bytes out, response headers and body in, transport error mapping).
 *
 * Not a public header: only src/aws/http_engine*.c include it.
 */
#ifndef CPW_HTTP_ENGINE_INTERNAL_H
#define CPW_HTTP_ENGINE_INTERNAL_H

#include <curl/curl.h>

#include "cpw/http_engine.h"

/** Transport settings one attempt needs. */
struct cpw_http_engine_transfer_settings {
    const char *url_base;
    int64_t connect_timeout_ms;
    int64_t timeout_ms;
    size_t max_body_bytes;
    const char *ca_file;   /* NULL: libcurl's default store */
    bool fresh_connection; /* no reused connection: libcurl resends on a dead reused one */
    void *private_data;    /* stored as CURLOPT_PRIVATE */
};

/** One attempt on the wire. */
struct cpw_http_engine_transfer {
    CURL *easy;                      /* borrowed from the engine's pool */
    struct curl_slist *headers;      /* owned */
    char *url;                       /* owned */
    struct cpw_http_request request; /* the prepared request; its body is what curl sends */
    struct cpw_http_response response;
    size_t header_bytes;
    bool too_large;
    char errbuf[CURL_ERROR_SIZE];
};

/** Zeroes a transfer (no easy handle yet). */
void cpw_http_engine_transfer_init(struct cpw_http_engine_transfer *t);

/**
 * Configures t->easy (already reset) to send t->request per settings. Returns 0, or -1 with
 * CPW_ERR_HTTP (an option libcurl refused) or CPW_ERR_LIMIT (URL too long).
 */
int cpw_http_engine_transfer_setup(struct cpw_http_engine_transfer *t,
                                   const struct cpw_http_engine_transfer_settings *settings);

/**
 * After libcurl finished t with code: fills *transport (category NONE when a response arrived),
 * sets the response status, and adds the bytes moved to *bytes_sent / *bytes_received.
 */
void cpw_http_engine_transfer_finish(struct cpw_http_engine_transfer *t,
                                     CURLcode code,
                                     struct cpw_http_transport_error *transport,
                                     uint64_t *bytes_sent,
                                     uint64_t *bytes_received);

/** Frees what the transfer owns (not the easy handle, which goes back to the pool). */
void cpw_http_engine_transfer_clean_up(struct cpw_http_engine_transfer *t);

/** Deep copy of src into dst (dst uninitialised on entry). Returns 0 or -1 (CPW_ERR_LIMIT). */
int cpw_http_engine_request_copy(struct cpw_http_request *dst, const struct cpw_http_request *src);

#endif
