/*
 * codec.h - model-driven AWS protocol codecs (rest-json, query, json 1.0/1.1), both directions.
 *
 * The client serializes an input document into an HTTP request and parses the response into an
 * output document (or an AWS error, read exactly as botocore 1.43 reads it). The sandbox runs the
 * same codecs in reverse: it routes a request to an operation, parses the input document out of
 * it, and serializes output documents and errors in the protocol's wire format.
 *
 * Documents are jansson objects keyed by the model's member names (as the AWS CLI prints them).
 * Timestamps in documents the codecs produce are ISO 8601 strings in UTC with a "+00:00" offset
 * ("2024-01-01T00:00:00+00:00", fractions as ".123000"); input documents may also hold epoch
 * seconds as numbers. Blobs are base64 strings. Unknown members in responses are ignored; unknown
 * members in input documents are refused. Nested documents deeper than CPW_CODEC_MAX_DEPTH are
 * refused.
 *
 * Ownership: documents passed in are borrowed; documents returned are new references owned by
 * the caller (json_decref). Requests and responses are caller storage, initialised by the caller
 * and filled here. Thread-safety: every function is thread-safe (the models are shared
 * read-only).
 */
#ifndef CPW_CODEC_H
#define CPW_CODEC_H

#include <jansson.h>

#include "cpw/aws_error.h"
#include "cpw/http_msg.h"
#include "cpw/model.h"

#define CPW_CODEC_MAX_DEPTH 32

/* ----- client side ------------------------------------------------------------------------- */

/**
 * Fills out (an initialised, empty request) with method, path, query, headers (Content-Type,
 * X-Amz-Target, header bindings) and body for calling operation with input (NULL means {}).
 * Host, Content-Length and the signature are not set. Returns 0, or -1 with CPW_ERR_MODEL
 * (unknown operation), CPW_ERR_VALIDATION (a member the model does not have, a value of the
 * wrong type, a missing URI label) or CPW_ERR_LIMIT.
 */
int cpw_codec_serialize_request(const struct cpw_model_service *svc,
                                const char *operation,
                                const json_t *input,
                                struct cpw_http_request *out);

/**
 * Adds a fresh UUID v4 for every top-level member of operation's input that the model marks
 * idempotencyToken and input lacks, as botocore does before serializing (ClientToken). input
 * must be an object the caller owns. Returns the number of tokens added, or -1 with
 * CPW_ERR_MODEL / CPW_ERR_CRYPTO.
 */
int cpw_codec_fill_idempotency_tokens(const struct cpw_model_service *svc,
                                      const char *operation,
                                      json_t *input);

/**
 * Reads a response to operation. For a status below 301 it returns 0 and a new output document
 * in *output ({} for operations without output). For a status of 301 and above it fills err
 * (code, message, type, status, request id, class) and returns -1 with CPW_ERR_AWS. A body
 * that is not valid JSON/XML where one is required gives -1 with CPW_ERR_PARSE. err must be
 * initialised; its previous contents are replaced.
 */
int cpw_codec_parse_response(const struct cpw_model_service *svc,
                             const char *operation,
                             const struct cpw_http_response *resp,
                             json_t **output,
                             struct cpw_aws_error *err);

/**
 * Applies botocore's after-call customizations to operation's output document, in place, so
 * that it equals what boto3 returns and the AWS CLI prints: IAM's policy documents (members of
 * shape policyDocumentType, sent URL-encoded) become JSON values (botocore's
 * json_decode_policies); a value that does not decode stays a string. The client calls this
 * after cpw_codec_parse_response; the sandbox never does. Returns 0, or -1 with CPW_ERR_MODEL
 * (unknown operation).
 */
int cpw_codec_customize_output(const struct cpw_model_service *svc,
                               const char *operation,
                               json_t *output);

/* ----- server side ------------------------------------------------------------------------- */

/**
 * Finds the operation a request calls: rest-json by method and requestUri template (the most
 * specific match wins: literal segments over labels over greedy labels, static query keys
 * required), query by the Action form field, json by X-Amz-Target. *operation is borrowed from
 * the model. Returns 0, or -1 with CPW_ERR_NOT_FOUND.
 */
int cpw_codec_route(const struct cpw_model_service *svc,
                    const struct cpw_http_request *req,
                    const char **operation);

/**
 * Parses the input document of operation out of req (the inverse of serialize_request). Returns
 * 0 with a new document in *input, or -1 with err filled with the error the service would send
 * (SerializationException for json, MalformedQueryString / InvalidParameterValue for query,
 * the operation's bad-request exception for rest-json) and CPW_ERR_PARSE raised.
 */
int cpw_codec_parse_request(const struct cpw_model_service *svc,
                            const char *operation,
                            const struct cpw_http_request *req,
                            json_t **input,
                            struct cpw_aws_error *err);

/**
 * Fills out (an initialised, empty response) with operation's success reply for output (NULL
 * means {}) in the protocol's wire format, including the request id header or element.
 * Returns 0, or -1 with CPW_ERR_VALIDATION (output does not match the model) or CPW_ERR_LIMIT.
 */
int cpw_codec_serialize_response(const struct cpw_model_service *svc,
                                 const char *operation,
                                 const json_t *output,
                                 const char *request_id,
                                 struct cpw_http_response *out);

/**
 * Fills out with err in the protocol's error format. The status comes from the model's error
 * shape (error.httpStatusCode) when it has one, else err->http_status, else 400. Returns 0 or -1.
 */
int cpw_codec_serialize_error(const struct cpw_model_service *svc,
                              const struct cpw_aws_error *err,
                              struct cpw_http_response *out);

/**
 * The error code the service answers for input that fails validation in operation:
 * "ValidationError" for query, otherwise the first of the operation's modelled errors among
 * ValidationException, BadRequestException, InvalidParameterException, InvalidInputException,
 * InvalidRequestException, else the first of those the service models at all (falling back to
 * ValidationException for json, BadRequestException for rest-json).
 * Static or model storage.
 */
const char *cpw_codec_validation_error_code(const struct cpw_model_service *svc,
                                            const char *operation);

/* ----- validation -------------------------------------------------------------------------- */

/**
 * Checks input against operation's input shape: required members, types, lengths, ranges,
 * enums, patterns (those expressible as POSIX ERE; see docs/protocols.md) and unknown members.
 * Returns 0, or -1 with CPW_ERR_VALIDATION raised whose detail is botocore's report
 * ("Parameter validation failed:\nMissing required parameter in input: \"DomainName\"") and
 * err filled with what the service would answer (cpw_codec_validation_error_code, status 400,
 * AWS's "N validation error(s) detected: ..." message). err may be NULL.
 */
int cpw_validate_input(const struct cpw_model_service *svc,
                       const char *operation,
                       const json_t *input,
                       struct cpw_aws_error *err);

#endif
