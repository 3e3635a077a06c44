/*
 * fuzz_sigv4_verify.c - libFuzzer target for the attacker-facing side of SigV4: arbitrary bytes
 * as a raw HTTP request through cpw_http_request_parse and cpw_sigv4_verify (header and
 * presigned paths, a long-term and a temporary key), the same bytes straight into the
 * Authorization and credential parsers, and, when the request parses, the signer too. It must
 * never crash, leak or hang, and no verdict message may carry a secret the client did not
 * send.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cpw/buf.h"
#include "cpw/http_msg.h"
#include "cpw/sigv4.h"

#define SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define TOKEN  "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267"

static int s_lookup(const char *access_key_id, struct cpw_sigv4_secret *out, void *user)
{
    (void)user;
    if (strcmp(access_key_id, "AKIDEXAMPLE") == 0) {
        out->secret_access_key = SECRET;
        out->session_token = NULL;
        return 0;
    }
    if (strcmp(access_key_id, "ASIAEXAMPLE") == 0) {
        out->secret_access_key = SECRET;
        out->session_token = TOKEN;
        return 0;
    }
    return -1;
}

/* The input itself may quote the secret (messages echo client input); only a secret the client
 * did not send is a leak. */
static bool s_input_has_secret;

static void s_verify(const struct cpw_http_request *req, int64_t now, const char *service)
{
    struct cpw_sigv4_verify_options opts = {
        .lookup = s_lookup,
        .service = service,
        .now_s = now,
    };
    struct cpw_sigv4_verify_result result;
    (void)cpw_sigv4_verify(req, &opts, &result);
    if (memchr(result.message, '\0', sizeof(result.message)) == NULL ||
        (!s_input_has_secret && strstr(result.message, SECRET) != NULL)) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cpw_span input = cpw_span_from(data, size);
    s_input_has_secret = cpw_span_find(input, cpw_span_from_cstr(SECRET)) >= 0;

    struct cpw_sigv4_authorization auth;
    struct cpw_sigv4_scope scope;
    if (cpw_sigv4_parse_authorization(input, &auth) == 0 && auth.credential.ptr) {
        (void)cpw_sigv4_parse_credential(auth.credential, &scope);
    }
    (void)cpw_sigv4_parse_credential(input, &scope);

    struct cpw_http_request req;
    if (cpw_http_request_parse(&req, input) != 0) {
        return 0;
    }
    s_verify(&req, 1440938160, NULL);  /* 2015-08-30T12:36:00Z, the suite's time */
    s_verify(&req, 1795765655, "sts"); /* 2026-11-27T07:47:35Z */

    struct cpw_sigv4_credentials creds = { "AKIDEXAMPLE", SECRET, TOKEN };
    struct cpw_sigv4_sign_options sopts = {
        .credentials = &creds,
        .region = "us-east-1",
        .service = "service",
        .timestamp_s = 1440938160,
        .location = size % 2 ? CPW_SIGV4_LOCATION_QUERY : CPW_SIGV4_LOCATION_HEADERS,
        .path_mode = (enum cpw_sigv4_path_mode)(size % 3),
    };
    if (cpw_sigv4_sign(&req, &sopts, NULL) == 0) {
        s_verify(&req, 1440938160, "service");
    }
    cpw_http_request_clean_up(&req);
    return 0;
}
