/*
 * sbx.h - the contract between the sandbox's HTTP front and its service logic (internal).
 *
 * The front (server.c) verifies the SigV4 signature, routes the request to (service, operation)
 * with the shared protocol codecs, parses and validates the input document, and then calls
 * cpw_sbx_dispatch(). Service logic never sees HTTP: it works on JSON documents whose keys are
 * the botocore model's member names, and on the state store. It answers either an output
 * document or an AWS error (code, message, HTTP status), which the front serializes in the
 * service's protocol.
 */
#ifndef CPW_SANDBOX_SBX_H
#define CPW_SANDBOX_SBX_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* An AWS error answered by the emulated service (not an internal failure). */
struct cpw_sbx_error {
    long status;        /* HTTP status, e.g. 404 */
    char code[96];      /* "NoSuchEntity" */
    char message[1024]; /* AWS's message text */
    bool receiver;      /* query protocol <Type>: Receiver (server fault) instead of Sender */
};

/* Who is calling, as established from the verified signature. */
struct cpw_sbx_caller {
    const char *access_key_id;
    const char *account_id;    /* "123456789012" */
    const char *principal_arn; /* "arn:aws:iam::123456789012:root", "...:assumed-role/R/s" */
    const char *user_id;       /* GetCallerIdentity's UserId */
    const char *region;        /* the credential scope's region */
    const char *source_ip;     /* "127.0.0.1" */
    const char *user_agent;    /* may be NULL */
};

struct cpw_sbx_request {
    const char *service;   /* signing name: "iam", "sts", "organizations", "cloudtrail", ... */
    const char *operation; /* model name: "CreateServiceLinkedRole" */
    const json_t *input;   /* validated input document (borrowed) */
    const struct cpw_sbx_caller *caller;
    const char *request_id;
    int64_t now_ms; /* the sandbox clock for this request */
};

#endif
