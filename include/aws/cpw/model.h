/*
 * model.h - the AWS service models cpwarden speaks, embedded at build time.
 *
 * The models are botocore's service-2.json (documentation stripped, paginators merged under
 * "paginators") for customer-profiles, connect, iam, sts, cloudtrail, organizations and sso,
 * plus the partitions/regions table (endpoints). They are parsed on first use and then shared
 * read-only by all threads. Codecs walk the botocore shapes directly: a shape is the jansson
 * object from the model's "shapes" map (type, members, member, key/value, location, ...).
 *
 * Ownership: every json_t returned here is borrowed from the process-wide model and stays
 * valid until cpw_model_clean_up(). Never modify or decref it.
 * Thread-safety: lookups are thread-safe; cpw_model_clean_up() is not (call it at exit/tests).
 */
#ifndef CPW_MODEL_H
#define CPW_MODEL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

enum cpw_protocol {
    CPW_PROTOCOL_REST_JSON,
    CPW_PROTOCOL_QUERY,
    CPW_PROTOCOL_JSON,
};

struct cpw_model_service; /* opaque */

/**
 * Finds a service by its cpwarden/CLI name ("customer-profiles"), its signing name ("profile")
 * or its endpoint prefix. Parses the embedded model on first use. Returns NULL with
 * CPW_ERR_MODEL for an unknown name (or a model that fails to parse).
 */
const struct cpw_model_service *cpw_model_service_get(const char *name);

/** Number of embedded services, and the i-th one (NULL past the end), in name order. */
size_t cpw_model_service_count(void);
const struct cpw_model_service *cpw_model_service_at(size_t i);

/** "customer-profiles", "connect", "iam", "sts", "cloudtrail", "organizations", "sso", "account".
 */
const char *cpw_model_name(const struct cpw_model_service *svc);

enum cpw_protocol cpw_model_protocol(const struct cpw_model_service *svc);

/** The SigV4 signing name: metadata.signingName, else endpointPrefix ("profile", "iam"). */
const char *cpw_model_signing_name(const struct cpw_model_service *svc);

/** metadata.endpointPrefix ("profile", "portal.sso"). */
const char *cpw_model_endpoint_prefix(const struct cpw_model_service *svc);

/** metadata.serviceId ("Customer Profiles"): the base of AWS_ENDPOINT_URL_<SERVICE>. */
const char *cpw_model_service_id(const struct cpw_model_service *svc);

/** metadata.apiVersion ("2010-05-08"), sent as Version= by the query protocol. */
const char *cpw_model_api_version(const struct cpw_model_service *svc);

/** metadata.targetPrefix for json services ("AWSOrganizationsV20161128"), else NULL. */
const char *cpw_model_target_prefix(const struct cpw_model_service *svc);

/** metadata.jsonVersion ("1.1"), else NULL. */
const char *cpw_model_json_version(const struct cpw_model_service *svc);

/** metadata.xmlNamespace for query services, else NULL. */
const char *cpw_model_xml_namespace(const struct cpw_model_service *svc);

/** The whole service model (metadata, operations, shapes, paginators, source). Borrowed. */
const json_t *cpw_model_document(const struct cpw_model_service *svc);

/** The operation object ("name", "http", "input", "output", "errors") or NULL. Borrowed. */
const json_t *cpw_model_operation(const struct cpw_model_service *svc, const char *operation);

/**
 * Finds an operation by its model name ("ListDomains") or the CLI's kebab-case spelling
 * ("list-domains"). Returns the model name (borrowed) or NULL with CPW_ERR_MODEL.
 */
const char *cpw_model_operation_resolve(const struct cpw_model_service *svc, const char *spelling);

/** A shape by name or NULL. Borrowed. */
const json_t *cpw_model_shape(const struct cpw_model_service *svc, const char *shape);

/** The operation's input/output shape (the structure), or NULL when it has none. Borrowed. */
const json_t *cpw_model_input_shape(const struct cpw_model_service *svc, const char *operation);
const json_t *cpw_model_output_shape(const struct cpw_model_service *svc, const char *operation);

/** The target shape of a reference object ({"shape": "Name", ...}), or NULL. Borrowed. */
const json_t *cpw_model_resolve_ref(const struct cpw_model_service *svc, const json_t *ref);

/** The operation's paginator ({input_token, output_token, limit_key, result_key, ...}) or NULL. */
const json_t *cpw_model_paginator(const struct cpw_model_service *svc, const char *operation);

/** The botocore version the models were extracted from. Static storage. */
const char *cpw_model_botocore_version(void);

/**
 * The partitions table: [{partition, dnsSuffix, dualStackDnsSuffix, regionRegex, regions[],
 * services: {name: {regions[], global?, partitionEndpoint?, hostname?, signingRegion?}}}].
 * Borrowed; NULL with CPW_ERR_MODEL if it fails to parse.
 */
const json_t *cpw_model_partitions(void);

/** Frees every parsed model (tests and process exit). Not thread-safe. */
void cpw_model_clean_up(void);

#endif
