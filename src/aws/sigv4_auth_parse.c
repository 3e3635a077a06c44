/*
 * sigv4_auth_parse.c - parsing what a SigV4 client sends: the Authorization header's
 * parameters and the credential scope. Attacker-facing: every read is bounded by the span.
 */
#include <string.h>

#include "cpw/error.h"
#include "cpw/sigv4.h"

static bool s_is_blank(uint8_t c)
{
    return c == ' ' || c == '\t';
}

int cpw_sigv4_parse_authorization(struct cpw_span header, struct cpw_sigv4_authorization *out)
{
    memset(out, 0, sizeof(*out));
    struct cpw_span h = cpw_span_trim(header);
    size_t i = 0;
    while (i < h.len && !s_is_blank(h.ptr[i])) {
        i++;
    }
    out->algorithm = cpw_span_sub(h, 0, i);
    if (!cpw_span_eq_cstr(out->algorithm, CPW_SIGV4_ALGORITHM)) {
        return cpw_raise(CPW_ERR_SIGV4_INCOMPLETE, "unsupported authorization algorithm");
    }
    struct cpw_span rest = cpw_span_sub(h, i, h.len - i);
    struct cpw_span piece;
    while (cpw_span_next_token(&rest, ',', &piece)) {
        piece = cpw_span_trim(piece);
        if (piece.len == 0) {
            continue;
        }
        long eq = cpw_span_find_byte(piece, '=');
        if (eq < 0) {
            return cpw_raise(CPW_ERR_SIGV4_INCOMPLETE, "authorization parameter without '='");
        }
        struct cpw_span name = cpw_span_trim(cpw_span_sub(piece, 0, (size_t)eq));
        struct cpw_span value = cpw_span_trim(cpw_span_sub(piece, (size_t)eq + 1, piece.len));
        struct cpw_span *slot = NULL;
        if (cpw_span_eq_cstr(name, "Credential")) {
            slot = &out->credential;
        } else if (cpw_span_eq_cstr(name, "SignedHeaders")) {
            slot = &out->signed_headers;
        } else if (cpw_span_eq_cstr(name, "Signature")) {
            slot = &out->signature;
        } else {
            continue; /* unknown parameters are ignored, as AWS does */
        }
        if (slot->ptr) {
            return cpw_raise(CPW_ERR_SIGV4_INCOMPLETE, "authorization parameter repeated");
        }
        /* A present but empty value still counts as present, never as a NULL span. */
        *slot = value.len ? value : cpw_span_from("", 0);
    }
    return 0;
}

int cpw_sigv4_parse_credential(struct cpw_span credential, struct cpw_sigv4_scope *out)
{
    memset(out, 0, sizeof(*out));
    struct cpw_span *parts[5] = { &out->access_key_id, &out->date, &out->region, &out->service,
                                  &out->terminator };
    struct cpw_span rest = credential;
    struct cpw_span token;
    size_t n = 0;
    while (cpw_span_next_token(&rest, '/', &token)) {
        if (n == 5 || token.len == 0) {
            memset(out, 0, sizeof(*out));
            return cpw_raise(CPW_ERR_SIGV4_INCOMPLETE, "credential is not five '/'-parts");
        }
        *parts[n++] = token;
    }
    if (n != 5 || (credential.len && credential.ptr[credential.len - 1] == '/')) {
        memset(out, 0, sizeof(*out));
        return cpw_raise(CPW_ERR_SIGV4_INCOMPLETE, "credential is not five '/'-parts");
    }
    return 0;
}
