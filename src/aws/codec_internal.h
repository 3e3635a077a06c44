/*
 * codec_internal.h - what the protocol codec files share: shape walking, timestamps, scalar
 * text forms, JSON-body conversion and key/value pair lists. Not a public interface.
 */
#ifndef CPW_CODEC_INTERNAL_H
#define CPW_CODEC_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "cpw/aws_error.h"
#include "cpw/buf.h"
#include "cpw/http_msg.h"
#include "cpw/model.h"

#define CPW_CODEC_MAX_PAIRS 4096

/* ----- shapes ------------------------------------------------------------------------------ */

/** json_string_value(obj[key]) or NULL. */
const char *cpw_codec_str(const json_t *obj, const char *key);

/** The shape's type ("structure", "string", ...) or "". */
const char *cpw_codec_type(const json_t *shape);

/** A member reference's name on the wire: its locationName, else member_name. */
const char *cpw_codec_wire_name(const json_t *ref, const char *member_name);

/** The timestamp format of a member (reference first, then shape), else dflt. */
const char *cpw_codec_ts_format(const json_t *ref, const json_t *shape, const char *dflt);

/** The target shape of ref or NULL with CPW_ERR_MODEL. */
const json_t *cpw_codec_target(const struct cpw_model_service *svc, const json_t *ref);

/* ----- timestamps -------------------------------------------------------------------------- */

/** Reads an input-document timestamp (ISO 8601 string or epoch seconds number). */
int cpw_codec_doc_time(const json_t *value, int64_t *epoch_ms);

/** A new document timestamp string "YYYY-MM-DDTHH:MM:SS[.ffffff]+00:00". */
json_t *cpw_codec_time_doc_new(int64_t epoch_ms);

/** Appends epoch_ms in fmt ("iso8601", "unixTimestamp", "rfc822") as text. */
int cpw_codec_time_text(int64_t epoch_ms, const char *fmt, struct cpw_buf *out);

/** Parses wire text: ISO 8601, HTTP date, or epoch seconds ("1700000000", "1.5"). */
int cpw_codec_time_parse(struct cpw_span text, int64_t *epoch_ms);

/* ----- scalars as text (query forms, XML, URI, query strings, headers) ---------------------- */

/**
 * Appends a document scalar as text for its shape: strings and blobs as they are, numbers,
 * "true"/"false", timestamps in the member's format (else ts_default). -1 with
 * CPW_ERR_VALIDATION for a value of the wrong type.
 */
int cpw_codec_scalar_text(const json_t *ref,
                          const json_t *shape,
                          const json_t *value,
                          const char *ts_default,
                          struct cpw_buf *out);

/** Parses text into a new document scalar for shape. -1 with CPW_ERR_PARSE. */
int cpw_codec_scalar_parse(const json_t *shape, struct cpw_span text, json_t **out);

/** True for shapes that are not structure/list/map. */
bool cpw_codec_is_scalar(const json_t *shape);

/* ----- JSON bodies ------------------------------------------------------------------------- */

enum cpw_codec_json_flags {
    CPW_CODEC_JSON_BODY_ONLY = 1 << 0, /* skip members bound to URI, query, headers, status */
    CPW_CODEC_JSON_FRACTIONS = 1 << 1, /* epoch timestamps keep milliseconds (responses) */
};

/** Document -> wire JSON (member names -> locationName, timestamps per format). New ref. */
int cpw_codec_json_to_wire(const struct cpw_model_service *svc,
                           const json_t *ref,
                           const json_t *shape,
                           const json_t *doc,
                           const char *ts_default,
                           unsigned flags,
                           int depth,
                           json_t **out);

/** Wire JSON -> document (unknown keys ignored, timestamps to ISO). New ref. */
int cpw_codec_json_from_wire(const struct cpw_model_service *svc,
                             const json_t *ref,
                             const json_t *shape,
                             const json_t *wire,
                             unsigned flags,
                             int depth,
                             json_t **out);

/**
 * Reads a JSON body straight into a new document for shape (a structure read with flags as
 * cpw_codec_json_from_wire reads it; NULL shape: any JSON value, as cpw_json_load reads it), in
 * one pass. Returns 0 with *out set (a new reference), or -1 with nothing raised and *out NULL
 * when the body is not one it takes (malformed JSON, a type mismatch, a duplicate key, ...): the
 * caller then runs the reference path (cpw_json_load + cpw_codec_json_from_wire), which gives the
 * same document or raises the error it always raised.
 */
int cpw_codec_json_read(const struct cpw_model_service *svc,
                        const json_t *shape,
                        struct cpw_span body,
                        unsigned flags,
                        json_t **out);

/**
 * Appends the JSON body of doc for shape (a json-protocol input or output; flags as
 * cpw_codec_json_to_wire takes them, with "unixTimestamp" as the default timestamp format) to
 * out, byte for byte as cpw_codec_json_to_wire then cpw_json_dump would write it, without the
 * wire tree. Returns 0, or -1 with out as it was when doc is not one it writes (an unknown
 * member, a type mismatch, a real number, another timestamp format, ...): the caller then runs
 * the reference path, which writes the same bytes or raises the error it always raised.
 */
int cpw_codec_json_write(const struct cpw_model_service *svc,
                         const json_t *shape,
                         const json_t *doc,
                         unsigned flags,
                         struct cpw_buf *out);

/**
 * Reads a query-protocol XML reply straight into a new document for the output structure shape
 * (wrapper: the result element's name under the root, or NULL when the root holds the result),
 * in one pass, as cpw_codec_query_parse_output's walk over cpw_xml_parse's tree reads it.
 * Returns 0 with *out set (a new reference), or -1 with *out NULL when the reply is not one it
 * takes (malformed XML, a scalar that does not convert, a map, mixed content, ...): the caller
 * then runs the reference path, which gives the same document or raises the error it always
 * raised. Nothing it raises on -1 is meant for the caller.
 */
int cpw_codec_xml_read(const struct cpw_model_service *svc,
                       const json_t *shape,
                       const char *wrapper,
                       struct cpw_span body,
                       json_t **out);

/**
 * The reference path of cpw_codec_query_parse_output: the reply parsed into libxml2's tree
 * (cpw_xml_parse), then walked by the model. Returns 0 with *output set (a new reference), or -1
 * with CPW_ERR_PARSE or CPW_ERR_MODEL.
 */
int cpw_codec_query_read_tree(const struct cpw_model_service *svc,
                              const char *operation,
                              struct cpw_span body,
                              json_t **output);

/* ----- key/value pairs --------------------------------------------------------------------- */

struct cpw_codec_pair {
    char *key;   /* owned */
    char *value; /* owned */
};

struct cpw_codec_pairs {
    struct cpw_codec_pair *items;
    size_t count;
    size_t cap;
};

void cpw_codec_pairs_init(struct cpw_codec_pairs *pairs);
void cpw_codec_pairs_clean_up(struct cpw_codec_pairs *pairs);
void cpw_codec_pairs_add(struct cpw_codec_pairs *pairs, const char *key, struct cpw_span value);

/** The value of the first pair called key, or NULL. */
const char *cpw_codec_pairs_get(const struct cpw_codec_pairs *pairs, const char *key);

/** Appends "k=v&k=v" encoded per SigV4 (space %20), or per forms (space '+') when form. */
int cpw_codec_pairs_encode(const struct cpw_codec_pairs *pairs, bool form, struct cpw_buf *out);

/**
 * Decodes "k=v&k2" (a missing '=' gives an empty value; '+' is a space) into pairs. -1 with
 * CPW_ERR_ENCODING / CPW_ERR_LIMIT.
 */
int cpw_codec_pairs_decode(struct cpw_span text, struct cpw_codec_pairs *pairs);

/* ----- per protocol ------------------------------------------------------------------------ */

/*
 * The protocol halves of the public entry points in codec.h, with the same contracts. The
 * dispatcher has already checked that the operation exists, turned a NULL document into {} and
 * (for parse_request) maps a failure to the service's error; these return 0 or -1 with an
 * internal error raised. Documents returned are new references owned by the caller.
 */

int cpw_codec_json_serialize_request(const struct cpw_model_service *svc,
                                     const char *operation,
                                     const json_t *input,
                                     struct cpw_http_request *out);
int cpw_codec_json_parse_request(const struct cpw_model_service *svc,
                                 const char *operation,
                                 const struct cpw_http_request *req,
                                 json_t **input);
int cpw_codec_json_parse_output(const struct cpw_model_service *svc,
                                const char *operation,
                                const struct cpw_http_response *resp,
                                json_t **output);
int cpw_codec_json_serialize_response(const struct cpw_model_service *svc,
                                      const char *operation,
                                      const json_t *output,
                                      struct cpw_http_response *out);

int cpw_codec_rest_serialize_request(const struct cpw_model_service *svc,
                                     const char *operation,
                                     const json_t *input,
                                     struct cpw_http_request *out);
int cpw_codec_rest_route(const struct cpw_model_service *svc,
                         const struct cpw_http_request *req,
                         const char **operation);
/** Frees the routes cpw_codec_rest_route builds per model on first use (cpw_model_clean_up). */
void cpw_codec_rest_routes_clean_up(void);
int cpw_codec_rest_parse_request(const struct cpw_model_service *svc,
                                 const char *operation,
                                 const struct cpw_http_request *req,
                                 json_t **input);
int cpw_codec_rest_parse_output(const struct cpw_model_service *svc,
                                const char *operation,
                                const struct cpw_http_response *resp,
                                json_t **output);
int cpw_codec_rest_serialize_response(const struct cpw_model_service *svc,
                                      const char *operation,
                                      const json_t *output,
                                      struct cpw_http_response *out);

int cpw_codec_query_serialize_request(const struct cpw_model_service *svc,
                                      const char *operation,
                                      const json_t *input,
                                      struct cpw_http_request *out);
int cpw_codec_query_route(const struct cpw_model_service *svc,
                          const struct cpw_http_request *req,
                          const char **operation);
int cpw_codec_query_parse_request(const struct cpw_model_service *svc,
                                  const char *operation,
                                  const struct cpw_http_request *req,
                                  json_t **input);
int cpw_codec_query_parse_output(const struct cpw_model_service *svc,
                                 const char *operation,
                                 const struct cpw_http_response *resp,
                                 json_t **output);
int cpw_codec_query_serialize_response(const struct cpw_model_service *svc,
                                       const char *operation,
                                       const json_t *output,
                                       const char *request_id,
                                       struct cpw_http_response *out);

/** Fills err from an error response (status >= 301) the way botocore 1.43 reads it. */
int cpw_codec_parse_error(const struct cpw_model_service *svc,
                          const struct cpw_http_response *resp,
                          struct cpw_aws_error *err);

#endif
