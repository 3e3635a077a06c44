/*
 * console.h - `cpwarden console`: a local web application over the same library calls as the
 * command line (inventory collection and snapshots, cpw_plan_make, cpw_apply_file, the journal,
 * the audit store), served on 127.0.0.1 by the sandbox's HTTP server with the assets embedded
 * at build time. docs/console.md ("API", "Security") is the contract with the web assets.
 *
 * Security: a random per-run access token (32 bytes, base64url) in the URL printed at start is
 * exchanged for an HttpOnly, SameSite=Strict session cookie; every other request needs the
 * cookie; every state-changing request needs the X-CSRF-Token header (GET /api/session); the
 * Host header must name the loopback address and port (DNS rebinding), and an Origin header, when
 * sent, this very origin; tokens are compared in constant time. Every answer carries a strict
 * Content-Security-Policy. Tokens never reach a log.
 *
 * Work that talks to AWS (scans, plans, applies) runs one at a time on the console's own
 * threads: the client is used by one thread at a time, as everywhere in libcpw.
 *
 * Ownership: the console borrows everything in its options (the client, protections, lists)
 * until cpw_console_destroy. Thread-safety: new/listen/destroy from one controlling thread;
 * cpw_console_handle from any number of threads at once.
 */
#ifndef CPW_CONSOLE_H
#define CPW_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpw/apply.h"
#include "cpw/aws_client.h"
#include "cpw/http_server.h"
#include "cpw/protect.h"

/* The access token and the session and CSRF tokens: 32 random bytes, base64url (43 chars). */
#define CPW_CONSOLE_TOKEN_BYTES 32
#define CPW_CONSOLE_TOKEN_LEN   43

/* The session cookie's name. */
#define CPW_CONSOLE_COOKIE "cpw_session"

struct cpw_console_options {
    uint16_t port; /* 0: any free port */
    /* AWS (may be NULL for a console that only serves what is stored: scans, plans and applies
     * then answer 503) */
    struct cpw_aws_client *client;
    const struct cpw_aws_client_options *client_options;
    bool retry_mode_configured; /* as cpw_apply_file_options */
    const char *account;        /* the caller's account */
    const char *caller_arn;     /* the caller */
    const char *endpoint;       /* --endpoint-url, shown in the session; may be NULL */
    const char *region;         /* the current region */
    const char *const *regions; /* what a scan covers by default */
    size_t region_count;
    bool org;                            /* scans cover the organization */
    const char *role_name;               /* assumed in member accounts */
    const char *const *accounts;         /* only these member accounts */
    size_t account_count;                /* */
    const char *const *exclude_accounts; /* never these */
    size_t exclude_count;                /* */
    const char *state_dir;               /* NULL: the default state store */
    const struct cpw_protect *protect;   /* required when client is set */
    struct cpw_apply_options run;        /* apply timings (as apply --wait ...) */
};

struct cpw_console;

/**
 * A console over opts (borrowed), not listening yet: opens the state store and loads the latest
 * snapshot, makes the tokens. NULL with the error raised (CPW_ERR_IO, CPW_ERR_STORE, ...).
 */
struct cpw_console *cpw_console_new(const struct cpw_console_options *opts);

/** Starts serving on 127.0.0.1 (opts->port; 0: any). 0, or -1 with CPW_ERR_IO. */
int cpw_console_listen(struct cpw_console *console);

/** "http://127.0.0.1:PORT/?token=TOKEN" (borrowed; the port known once listening). */
const char *cpw_console_url(const struct cpw_console *console);

/** Serves one request: the server's handler, public for tests. */
void cpw_console_handle(void *console,
                        const struct cpw_http_exchange *exchange,
                        struct cpw_http_response *response);

/**
 * Stops serving (open event streams end), waits for running scans and applies to finish, and
 * frees everything. NULL is a no-op.
 */
void cpw_console_destroy(struct cpw_console *console);

/* ----- the security checks, public for tests -------------------------------------------------- */

/** True when host (a Host header) is 127.0.0.1:port or localhost:port. */
bool cpw_console_host_allowed(const char *host, uint16_t port);

/** True when origin (an Origin header) is http://127.0.0.1:port or http://localhost:port. */
bool cpw_console_origin_allowed(const char *origin, uint16_t port);

/** Copies the value of cookie name from a Cookie header into out (cap bytes). false: absent. */
bool cpw_console_cookie(const char *header, const char *name, char *out, size_t cap);

/** Constant-time comparison of two tokens (false when either is NULL or lengths differ). */
bool cpw_console_token_equal(const char *a, const char *b);

#endif
