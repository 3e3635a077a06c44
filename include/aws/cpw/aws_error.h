/*
 * aws_error.h - an error answered by an AWS service (or sent by the sandbox), as data.
 *
 * AWS errors are not internal errors (docs/style.md 4): the client parses them out of a response
 * and the sandbox builds them to send. The class follows botocore's standard retry mode: throttling
 * codes and transient codes/statuses are retryable, other statuses >= 500 are server faults, and
 * the rest are client faults.
 *
 * Thread-safety: plain data; one error per thread at a time.
 */
#ifndef CPW_AWS_ERROR_H
#define CPW_AWS_ERROR_H

#include <stdarg.h>
#include <stdbool.h>

#include "cpw/buf.h"

enum cpw_aws_error_class {
    CPW_AWS_ERROR_CLIENT,     /* the request was wrong: do not retry */
    CPW_AWS_ERROR_SERVER,     /* a server fault that is not known to be transient */
    CPW_AWS_ERROR_THROTTLING, /* slow down and retry */
    CPW_AWS_ERROR_TRANSIENT,  /* retry */
};

struct cpw_aws_error {
    char *code;       /* owned: "ResourceNotFoundException", or the status as text ("404") */
    char *message;    /* owned, may be "", NULL when the reply had no message element */
    char *type;       /* owned or NULL: "Sender"/"Receiver" (query protocol) */
    char *request_id; /* owned or NULL */
    long http_status;
    enum cpw_aws_error_class error_class;
};

/** Prepares an empty error (all NULL, status 0, class client). Never fails. */
void cpw_aws_error_init(struct cpw_aws_error *err);

/** Frees the strings and leaves the error empty. NULL is a no-op. */
void cpw_aws_error_clean_up(struct cpw_aws_error *err);

/**
 * Replaces err's code, message and status (copies; the message is printf-formatted), clears
 * type, keeps request_id, and recomputes the class.
 */
void cpw_aws_error_set(struct cpw_aws_error *err,
                       long http_status,
                       const char *code,
                       const char *message_fmt,
                       ...) __attribute__((format(printf, 4, 5)));

/** Replaces a string field (copies value; NULL clears). */
void cpw_aws_error_set_field(char **field, const char *value);

/** The class of an error code and HTTP status under botocore's standard retry rules. */
enum cpw_aws_error_class cpw_aws_error_classify(const char *code, long http_status);

/** True for the throttling and transient classes. */
bool cpw_aws_error_is_retryable(const struct cpw_aws_error *err);

/**
 * Appends the AWS CLI's line to out: "An error occurred (Code) when calling the Op operation:
 * Message" (code "Unknown" when empty, message "Unknown" when NULL, as botocore's ClientError).
 * Control characters in the code and message are escaped (cpw_buf_append_printable).
 * Returns 0 or -1 (CPW_ERR_LIMIT).
 */
int cpw_aws_error_format(const struct cpw_aws_error *err,
                         const char *operation,
                         struct cpw_buf *out);

#endif
