/*
 * codec_rest.h - rest-json bindings shared by the request and response files. Internal.
 */
#ifndef CPW_CODEC_REST_H
#define CPW_CODEC_REST_H

#include <stdbool.h>
#include <strings.h>

#include "codec_internal.h"

/** Appends a header-bound member's value as header text (lists comma-joined, jsonvalue base64). */
int cpw_codec_rest_header_value(const struct cpw_model_service *svc,
                                const json_t *mref,
                                const json_t *mshape,
                                const json_t *value,
                                struct cpw_buf *out);

/**
 * Writes doc's header, header-map and (when status is non-NULL) statusCode members into headers.
 * Refuses members the shape does not have.
 */
int cpw_codec_rest_headers_out(const struct cpw_model_service *svc,
                               const json_t *shape,
                               const json_t *doc,
                               struct cpw_headers *headers,
                               long *status);

/** Reads header, header-map and (status > 0) statusCode members into doc. */
int cpw_codec_rest_headers_in(const struct cpw_model_service *svc,
                              const json_t *shape,
                              const struct cpw_headers *headers,
                              long status,
                              json_t *doc);

/** The shape's payload member name or NULL. */
const char *cpw_codec_rest_payload(const json_t *shape);

/**
 * Appends the body for doc: the payload member (raw for blob/string) or the JSON of the body
 * members. Without body members and without always_json nothing is written. *is_json tells
 * whether a JSON document was written.
 */
int cpw_codec_rest_body_out(const struct cpw_model_service *svc,
                            const json_t *shape,
                            const json_t *doc,
                            bool always_json,
                            struct cpw_buf *body,
                            bool *is_json);

/** Reads the body (payload member or JSON body members) into doc. */
int cpw_codec_rest_body_in(const struct cpw_model_service *svc,
                           const json_t *shape,
                           struct cpw_span body,
                           json_t *doc);

/**
 * Matches a raw request path against a requestUri path template ("/a/{B}/{C+}"). Returns the
 * specificity (> 0; literal segments weigh most, greedy labels least) or 0 for no match; with
 * labels non-NULL, adds each label's percent-decoded value under its name (without '+'); a
 * label that decodes to a NUL or another control character is then no match, with CPW_ERR_PARSE
 * raised (a name must never be cut short by "%00").
 */
long cpw_codec_rest_match(struct cpw_span tpl,
                          struct cpw_span path,
                          struct cpw_codec_pairs *labels);

#endif
