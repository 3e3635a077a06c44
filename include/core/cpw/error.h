/*
 * error.h - the one error convention of libcpw (docs/style.md 4).
 *
 * Fallible functions return 0 on success and -1 on failure (or NULL), after raising a code from
 * enum cpw_error and a formatted detail into a thread-local slot. Callers read the slot only after
 * seeing a failure return. Every code has a name (its enum spelling) and an English sentence.
 * AWS errors that a service answers are not internal errors: they travel as response objects.
 */
#ifndef CPW_ERROR_H
#define CPW_ERROR_H

#include <stddef.h>

/* X(code, sentence). Append new codes at the end of their group; never renumber by hand. */
#define CPW_ERROR_LIST(X)                                                                          \
    X(CPW_ERR_NONE, "no error")                                                                    \
    X(CPW_ERR_INVALID_ARGUMENT, "an argument was not valid")                                       \
    X(CPW_ERR_LIMIT, "a size limit was exceeded")                                                  \
    X(CPW_ERR_PARSE, "input could not be parsed")                                                  \
    X(CPW_ERR_IO, "an input/output operation failed")                                              \
    X(CPW_ERR_NOT_FOUND, "the requested item does not exist")                                      \
    X(CPW_ERR_UNSUPPORTED, "the operation is not supported")                                       \
    X(CPW_ERR_CRYPTO, "a cryptographic operation failed")                                          \
    X(CPW_ERR_TIME, "a time value was out of range or malformed")                                  \
    X(CPW_ERR_ENCODING, "a percent-encoded or hex value was malformed")                            \
    X(CPW_ERR_CONFIG, "the configuration is not valid")                                            \
    X(CPW_ERR_INTERNAL, "an internal invariant was violated")                                      \
    X(CPW_ERR_SIGV4_MISSING_AUTH, "the request carries no AWS signature")                          \
    X(CPW_ERR_SIGV4_INCOMPLETE, "the AWS signature is incomplete or malformed")                    \
    X(CPW_ERR_SIGV4_UNKNOWN_KEY, "the access key id is not known")                                 \
    X(CPW_ERR_SIGV4_MISMATCH, "the request signature does not match")                              \
    X(CPW_ERR_SIGV4_EXPIRED, "the presigned request has expired")                                  \
    X(CPW_ERR_SIGV4_SKEWED, "the request time is too far from the server time")                    \
    X(CPW_ERR_SIGV4_SCOPE, "the credential scope does not match the request")                      \
    X(CPW_ERR_HTTP, "an HTTP transfer failed")                                                     \
    X(CPW_ERR_TIMEOUT, "an operation timed out")                                                   \
    X(CPW_ERR_CREDENTIALS, "no usable AWS credentials were found")                                 \
    X(CPW_ERR_MODEL, "the service model does not describe this")                                   \
    X(CPW_ERR_VALIDATION, "the input does not match the service model")                            \
    X(CPW_ERR_AWS, "the AWS service answered with an error")                                       \
    X(CPW_ERR_STORE, "the state store failed")                                                     \
    X(CPW_ERR_VERSION, "the file's format version is not supported")                               \
    X(CPW_ERR_INTEGRITY, "a checksum or fingerprint does not match the content")                   \
    X(CPW_ERR_WRONG_ACCOUNT, "the document was made for another AWS account")                      \
    X(CPW_ERR_STALE_PLAN, "the plan no longer matches the live state")                             \
    X(CPW_ERR_CONFLICT, "an existing resource differs from what was asked for")                    \
    X(CPW_ERR_PROTECTED, "a protection rule forbids the change")                                   \
    X(CPW_ERR_NOT_CONFIRMED, "the change was not confirmed")                                       \
    X(CPW_ERR_LOCKED, "another process holds the lock")

enum cpw_error {
#define CPW_ERROR_ENUM_(code, sentence) code,
    CPW_ERROR_LIST(CPW_ERROR_ENUM_)
#undef CPW_ERROR_ENUM_
      CPW_ERR_COUNT_
};

/**
 * Raises code with a printf-style detail into this thread's error slot, replacing what was there.
 * Returns -1 so that a failure is one line: `return cpw_raise(CPW_ERR_LIMIT, "body over %zu", n);`.
 * The detail must never contain a secret. An argument may be cpw_last_error_detail() (to wrap
 * the cause: `cpw_raise(CPW_ERR_CONFIG, "%s: %s", path, cpw_last_error_detail())`): the new
 * detail is formatted before the slot is replaced.
 */
int cpw_raise(enum cpw_error code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#if defined(__clang_analyzer__) && !defined(CPW_ERROR_DEFINES_RAISE)
/* For the static analyzer (clang-tidy), which does not see into error.c: the result is -1. */
#define cpw_raise(...) (cpw_raise(__VA_ARGS__), -1)
#endif

/** The code last raised on this thread (CPW_ERR_NONE if none). */
enum cpw_error cpw_last_error(void);

/** The detail last raised on this thread; borrowed, valid until the next raise on this thread. */
const char *cpw_last_error_detail(void);

/** Clears this thread's error slot. */
void cpw_error_clear(void);

/** The code's name, e.g. "CPW_ERR_LIMIT"; static storage. */
const char *cpw_error_name(enum cpw_error code);

/** The code's English sentence; static storage. */
const char *cpw_error_str(enum cpw_error code);

#endif
