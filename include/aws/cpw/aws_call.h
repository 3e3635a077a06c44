/*
 * aws_call.h - one AWS call and what its outcome means, defined once: ok, the resource does not
 * exist, access denied, throttled, or any other failure. Plan, apply, backup, document and the
 * inventory collector all decide "gone" here, so a resource is never taken for deleted because
 * of a failure that is not the service's own not-found answer. Also the caller's identity (STS
 * GetCallerIdentity), read the same way by every command.
 *
 * Not-found, per service (the code each service answers for a missing resource):
 *   customer-profiles, connect: ResourceNotFoundException;  iam: NoSuchEntity.
 * No other service and no other signal (an HTTP 404 without that code, a transport error, a
 * local failure) is ever not-found.
 *
 * Thread-safety: as the client (one thread); the classifiers are pure.
 */
#ifndef CPW_AWS_CALL_H
#define CPW_AWS_CALL_H

#include <jansson.h>
#include <stdbool.h>

#include "cpw/aws_client.h"
#include "cpw/aws_error.h"

enum cpw_aws_outcome {
    CPW_AWS_OUTCOME_OK,
    CPW_AWS_OUTCOME_NOT_FOUND,     /* the service's not-found code for this service */
    CPW_AWS_OUTCOME_ACCESS_DENIED, /* AccessDenied, AccessDeniedException, ... */
    CPW_AWS_OUTCOME_THROTTLED,     /* a throttling code (after the client's retries) */
    CPW_AWS_OUTCOME_OTHER,         /* every other failure, service-answered or not */
};

/** "ok", "not-found", "access-denied", "throttled" or "other" (static storage). */
const char *cpw_aws_outcome_name(enum cpw_aws_outcome outcome);

/**
 * The code with which service (model name: "customer-profiles", "iam", ...) answers for a
 * resource that does not exist, or NULL when none of its codes is taken to mean that.
 */
const char *cpw_aws_not_found_code(const char *service);

/**
 * True only when code is exactly service's not-found code. NULL code or service: false.
 */
bool cpw_aws_is_not_found(const char *service, const char *code);

/**
 * The outcome of a call of service that returned status (0 ok, -1 failed) with aws holding the
 * service's answer when there was one (code non-NULL), NULL or an empty error otherwise.
 * A failure without a service code is OTHER, whatever its HTTP status.
 */
enum cpw_aws_outcome cpw_aws_classify(const char *service,
                                      int status,
                                      const struct cpw_aws_error *aws);

/**
 * Blocking: makes call (every page when all_pages) and classifies it into *outcome (always set).
 * Returns 0 with *output (owned) on OK; else -1, *output NULL, aws (if not NULL, initialised by
 * the caller) holding the service's code and message, and the error raised: CPW_ERR_NOT_FOUND
 * for NOT_FOUND, CPW_ERR_AWS for every other service answer (detail: the AWS CLI's sentence,
 * "An error occurred (Code) when calling the Op operation: Message"), else what the client
 * raised (credentials, HTTP, ...). call->input is not consumed.
 */
int cpw_aws_call_classified(struct cpw_aws_client *client,
                            const struct cpw_aws_call *call,
                            bool all_pages,
                            json_t **output,
                            struct cpw_aws_error *aws,
                            enum cpw_aws_outcome *outcome);

/** Who the caller is (STS GetCallerIdentity). Strings owned (cpw_aws_identity_clean_up). */
struct cpw_aws_identity {
    char *account; /* 12 digits */
    char *arn;
    char *user_id;   /* may be NULL when the service did not answer it */
    char *partition; /* from the ARN ("aws", "aws-cn", ...); "aws" when the ARN has none */
};

/**
 * STS GetCallerIdentity in region (NULL: the client's). Returns 0 with *out filled, or -1 with
 * out zeroed and the error raised as cpw_aws_call_classified does (aws, if not NULL and
 * initialised by the caller, holding the service's answer), or CPW_ERR_AWS when the answer has
 * no 12-digit Account or no Arn.
 */
int cpw_aws_caller_identity(struct cpw_aws_client *client,
                            const char *region,
                            struct cpw_aws_identity *out,
                            struct cpw_aws_error *aws);

/**
 * Reads GetCallerIdentity's output document (a call made some other way, e.g. submitted): 0 with
 * *out filled, or -1 (CPW_ERR_AWS) when it has no 12-digit Account or no Arn.
 */
int cpw_aws_identity_from_output(const json_t *doc, struct cpw_aws_identity *out);

/** Frees the strings and zeroes the identity. NULL is a no-op. */
void cpw_aws_identity_clean_up(struct cpw_aws_identity *identity);

#endif
