/*
 * sandbox.h - `cpwarden sandbox`: a local, wire-compatible AWS for Customer Profiles, Connect,
 * IAM, STS, CloudTrail and Organizations, on one loopback endpoint.
 *
 * Every request is SigV4-verified against the sandbox's credentials, routed by the credential
 * scope's service name and the models' HTTP bindings, validated against the model, handed to the
 * service logic (src/sandbox/sbx.h) and answered in the service's exact wire format, always with
 * a request id. The same object runs in `cpwarden sandbox` and in-process (demo, tests).
 *
 * Thread-safety: start/stop from one controlling thread; requests are served by worker threads.
 */
#ifndef CPW_SANDBOX_H
#define CPW_SANDBOX_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cpw_sandbox;

/** The default account's root credentials: AWS's documented example keys (docs/sandbox.md). */
#define CPW_SANDBOX_DEFAULT_ACCOUNT    "123456789012"
#define CPW_SANDBOX_ROOT_ACCESS_KEY_ID "AKIAIOSFODNN7EXAMPLE"
#define CPW_SANDBOX_ROOT_SECRET_KEY    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

/**
 * A built-in scenario document for cpw_sandbox_options.scenario: "orphans" (the runbook's
 * situation), "clean" (nothing), or "org:accounts=N,regions=R,leftover=P,seed=S" (generated,
 * deterministic from the seed). Returns 0 with *doc (owned, json_decref), or -1 with
 * CPW_ERR_CONFIG for an unknown name or a bad parameter.
 */
int cpw_sandbox_builtin_scenario(const char *spec, json_t **doc);

struct cpw_sandbox_options {
    const char *bind_address;        /* default 127.0.0.1 */
    uint16_t port;                   /* 0: pick a free port */
    bool allow_remote;               /* needed for a non-loopback bind_address */
    unsigned threads;                /* 0: one per core */
    const char *data_dir;            /* NULL: state in memory */
    const json_t *scenario;          /* optional, borrowed: loaded once the state is open */
    int64_t slr_deletion_delay_ms;   /* < 0: default */
    int64_t create_account_delay_ms; /* < 0: default */
    const json_t *knobs; /* optional, borrowed: realism knobs (docs/sandbox.md), applied after
                            the scenario's own "knobs" */
    /* Limits against hostile clients (cpw_http_server_options; 0: the server's default). */
    unsigned request_timeout_s;
    unsigned max_connections;
    unsigned max_connections_per_client;
    size_t max_inflight_body_bytes;
};

/**
 * Opens the state, loads the scenario and starts serving. Returns an owned sandbox
 * (cpw_sandbox_stop) or NULL with the error raised (bad address, port in use, state store,
 * scenario errors).
 */
struct cpw_sandbox *cpw_sandbox_start(const struct cpw_sandbox_options *options);

/** The port actually bound. */
uint16_t cpw_sandbox_port(const struct cpw_sandbox *sandbox);

/** "http://127.0.0.1:PORT" (borrowed). */
const char *cpw_sandbox_url(const struct cpw_sandbox *sandbox);

/** Stops serving (in-flight requests finish), flushes and closes the state. NULL is a no-op. */
void cpw_sandbox_stop(struct cpw_sandbox *sandbox);

/** Requests served so far (all outcomes). */
uint64_t cpw_sandbox_request_count(const struct cpw_sandbox *sandbox);

#endif
