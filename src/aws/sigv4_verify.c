/*
 * sigv4_verify.c - server-side SigV4 verification, for the sandbox: header (Authorization) and
 * presigned-query requests, credential scope and clock checks, key lookup through a callback,
 * recomputation from the SignedHeaders list only, constant-time comparison, and the AWS error
 * code, message and status for every way a request can fail.
 *
 * Attacker-facing: every value taken from the request is length-checked before use, values
 * echoed into messages are reduced to printable ASCII and truncated, and no secret, derived key
 * or expected signature ever reaches the result.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/error.h"
#include "cpw/time.h"
#include "cpw/uri.h"
#include "sigv4_internal.h"

#define ECHO_MAX  320  /* bytes of client input quoted in a message */
#define VALUE_MAX 8192 /* longest presigned parameter value accepted (tokens are long) */
#define MSG_DOES_NOT_MATCH                                                                         \
    "The request signature we calculated does not match the signature you provided. Check your "   \
    "AWS Secret Access Key and signing method. Consult the service documentation for details."

const char *cpw_sigv4_verdict_code(enum cpw_sigv4_verdict verdict)
{
    switch (verdict) {
    case CPW_SIGV4_VERIFIED:
        return "";
    case CPW_SIGV4_MISSING_AUTH:
        return "MissingAuthenticationToken";
    case CPW_SIGV4_INCOMPLETE:
        return "IncompleteSignature";
    case CPW_SIGV4_UNKNOWN_KEY:
        return "InvalidClientTokenId";
    case CPW_SIGV4_MISMATCH:
    case CPW_SIGV4_SCOPE_MISMATCH:
    case CPW_SIGV4_SKEWED:
        return "SignatureDoesNotMatch";
    case CPW_SIGV4_EXPIRED:
        return "RequestExpired";
    case CPW_SIGV4_INTERNAL:
        return "InternalFailure";
    }
    return "InternalFailure";
}

/* Everything one verification collects from the request. */
struct verify_state {
    const struct cpw_http_request *req;
    const struct cpw_sigv4_verify_options *o;
    struct cpw_sigv4_verify_result *r;
    struct cpw_span auth_header; /* header mode: the whole Authorization value */
    struct cpw_span credential;
    struct cpw_span signed_headers;
    struct cpw_span signature;
    struct cpw_span amz_date;
    struct cpw_span token; /* ptr NULL: none sent */
    struct cpw_span expires;
    /* Presigned values, percent-decoded (owned). */
    struct cpw_buf q_algorithm, q_credential, q_signed, q_signature, q_date, q_token, q_expires;
    char amz_date_buf[CPW_TIME_AMZ_LEN + 1];
};

static int s_verdict(struct verify_state *st, enum cpw_sigv4_verdict v, const char *fmt, ...)
  __attribute__((format(printf, 3, 4)));

/* Records the verdict, its code, status and message; returns 0 (the check ran). */
static int s_verdict(struct verify_state *st, enum cpw_sigv4_verdict v, const char *fmt, ...)
{
    struct cpw_sigv4_verify_result *r = st->r;
    r->verdict = v;
    r->aws_code = cpw_sigv4_verdict_code(v);
    if (v == CPW_SIGV4_SKEWED && st->o->skew_error_code && *st->o->skew_error_code) {
        r->aws_code = st->o->skew_error_code;
    }
    switch (v) {
    case CPW_SIGV4_VERIFIED:
        r->http_status = 200;
        break;
    case CPW_SIGV4_INCOMPLETE:
        r->http_status = st->o->rest_json_errors ? 403 : 400;
        break;
    case CPW_SIGV4_INTERNAL:
        r->http_status = 500;
        break;
    default:
        r->http_status = 403;
        break;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->message, sizeof(r->message), fmt, ap);
    va_end(ap);
    return 0;
}

/* Copies client input for a message: printable ASCII only, at most ECHO_MAX bytes. */
static void s_echo(char *out, size_t cap, struct cpw_span in)
{
    size_t n = 0;
    for (size_t i = 0; i < in.len && n + 4 < cap && i < ECHO_MAX; i++) {
        uint8_t c = in.ptr[i];
        out[n++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
    }
    if (in.len > ECHO_MAX && n + 4 < cap) {
        memcpy(out + n, "...", 3);
        n += 3;
    }
    out[n] = '\0';
}

static bool s_is_scope_char(uint8_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
}

static bool s_scope_part_ok(struct cpw_span s, size_t max)
{
    if (s.len == 0 || s.len > max) {
        return false;
    }
    for (size_t i = 0; i < s.len; i++) {
        if (!s_is_scope_char(s.ptr[i])) {
            return false;
        }
    }
    return true;
}

static void s_copy(char *dst, struct cpw_span s)
{
    memcpy(dst, s.ptr, s.len);
    dst[s.len] = '\0';
}

/* The raw value of the first query parameter called key (exact, undecoded key). */
static bool s_query_raw(struct cpw_span query, const char *key, struct cpw_span *value)
{
    struct cpw_span rest = query;
    struct cpw_span piece;
    struct cpw_span k = cpw_span_from_cstr(key);
    while (cpw_span_next_token(&rest, '&', &piece)) {
        long eq = cpw_span_find_byte(piece, '=');
        struct cpw_span name = eq < 0 ? piece : cpw_span_sub(piece, 0, (size_t)eq);
        if (cpw_span_eq(name, k)) {
            *value = eq < 0 ? cpw_span_from("", 0) : cpw_span_sub(piece, (size_t)eq + 1, piece.len);
            return true;
        }
    }
    return false;
}

/* Decodes the query parameter key into buf; *out is NULL-ptr when absent. -1 if malformed. */
static int s_query_param(struct verify_state *st,
                         const char *key,
                         struct cpw_buf *buf,
                         struct cpw_span *out)
{
    struct cpw_span raw;
    *out = (struct cpw_span){ 0 };
    if (!s_query_raw(cpw_buf_span(&st->req->query), key, &raw)) {
        return 0;
    }
    if (cpw_uri_decode(buf, raw, CPW_URI_DECODE_DEFAULT)) {
        return -1;
    }
    *out = buf->len ? cpw_buf_span(buf) : cpw_span_from("", 0);
    return 0;
}

static bool s_has_presign_params(const struct cpw_http_request *req)
{
    struct cpw_span v;
    struct cpw_span q = cpw_buf_span(&req->query);
    return s_query_raw(q, "X-Amz-Algorithm", &v) || s_query_raw(q, "X-Amz-Credential", &v) ||
           s_query_raw(q, "X-Amz-Signature", &v);
}

/* Header mode: Authorization, X-Amz-Date (or Date), X-Amz-Security-Token. */
static int s_collect_header(struct verify_state *st, bool *decided)
{
    const struct cpw_headers *h = &st->req->headers;
    char echo[ECHO_MAX + 8];
    *decided = true;
    if (cpw_headers_count_name(h, "authorization") > 1) {
        return s_verdict(st, CPW_SIGV4_INCOMPLETE, "Only one Authorization header is allowed.");
    }
    st->auth_header = cpw_span_from_cstr(cpw_headers_get(h, "authorization"));
    s_echo(echo, sizeof(echo), st->auth_header);
    struct cpw_sigv4_authorization auth;
    if (cpw_sigv4_parse_authorization(st->auth_header, &auth)) {
        char alg[80];
        s_echo(alg, sizeof(alg), cpw_span_sub(auth.algorithm, 0, 64));
        if (!cpw_span_eq_cstr(auth.algorithm, CPW_SIGV4_ALGORITHM)) {
            return s_verdict(st, CPW_SIGV4_INCOMPLETE,
                             "Unsupported AWS 'algorithm': '%s'. Authorization=%s", alg, echo);
        }
        return s_verdict(st, CPW_SIGV4_INCOMPLETE,
                         "Authorization header format is invalid. Authorization=%s", echo);
    }
    if (!auth.credential.ptr || !auth.signed_headers.ptr || !auth.signature.ptr) {
        return s_verdict(
          st, CPW_SIGV4_INCOMPLETE, "%s%s%sAuthorization=%s",
          auth.credential.ptr ? "" : "Authorization header requires 'Credential' parameter. ",
          auth.signed_headers.ptr ? ""
                                  : "Authorization header requires 'SignedHeaders' parameter. ",
          auth.signature.ptr ? "" : "Authorization header requires 'Signature' parameter. ", echo);
    }
    st->credential = auth.credential;
    st->signed_headers = auth.signed_headers;
    st->signature = auth.signature;
    const char *amz = cpw_headers_get(h, "x-amz-date");
    if (amz) {
        st->amz_date = cpw_span_trim(cpw_span_from_cstr(amz));
    } else {
        const char *date = cpw_headers_get(h, "date");
        int64_t t = 0;
        if (!date) {
            return s_verdict(st, CPW_SIGV4_INCOMPLETE,
                             "Authorization header requires existence of either a 'X-Amz-Date' or"
                             " a 'Date' header. Authorization=%s",
                             echo);
        }
        if (cpw_time_parse_http_date(cpw_span_trim(cpw_span_from_cstr(date)), &t) ||
            cpw_time_format_amz(t, st->amz_date_buf)) {
            char d[ECHO_MAX + 8];
            s_echo(d, sizeof(d), cpw_span_from_cstr(date));
            return s_verdict(st, CPW_SIGV4_INCOMPLETE, "Date header is not a valid HTTP date: '%s'",
                             d);
        }
        st->amz_date = cpw_span_from_cstr(st->amz_date_buf);
    }
    const char *token = cpw_headers_get(h, "x-amz-security-token");
    if (token) {
        st->token = cpw_span_from_cstr(token);
    }
    *decided = false;
    return 0;
}

/* Presigned mode: the X-Amz-* query parameters, percent-decoded. */
static int s_collect_query(struct verify_state *st, bool *decided)
{
    struct cpw_span algorithm;
    *decided = true;
    if (s_query_param(st, "X-Amz-Algorithm", &st->q_algorithm, &algorithm) ||
        s_query_param(st, "X-Amz-Credential", &st->q_credential, &st->credential) ||
        s_query_param(st, "X-Amz-SignedHeaders", &st->q_signed, &st->signed_headers) ||
        s_query_param(st, "X-Amz-Signature", &st->q_signature, &st->signature) ||
        s_query_param(st, "X-Amz-Date", &st->q_date, &st->amz_date) ||
        s_query_param(st, "X-Amz-Expires", &st->q_expires, &st->expires) ||
        s_query_param(st, "X-Amz-Security-Token", &st->q_token, &st->token)) {
        return s_verdict(st, CPW_SIGV4_INCOMPLETE,
                         "AWS query-string parameters are not correctly percent-encoded.");
    }
    if (!algorithm.ptr || !st->credential.ptr || !st->signature.ptr || !st->amz_date.ptr ||
        !st->signed_headers.ptr || !st->expires.ptr) {
        return s_verdict(st, CPW_SIGV4_INCOMPLETE,
                         "AWS query-string parameters must include 'X-Amz-Algorithm', "
                         "'X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-Date', "
                         "'X-Amz-SignedHeaders', 'X-Amz-Expires'. Re-examine the query-string "
                         "parameters.");
    }
    if (!cpw_span_eq_cstr(algorithm, CPW_SIGV4_ALGORITHM)) {
        char alg[80];
        s_echo(alg, sizeof(alg), cpw_span_sub(algorithm, 0, 64));
        return s_verdict(st, CPW_SIGV4_INCOMPLETE,
                         "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\", not '%s'.", alg);
    }
    if (!st->token.ptr) {
        const char *token = cpw_headers_get(&st->req->headers, "x-amz-security-token");
        if (token) {
            st->token = cpw_span_from_cstr(token);
        }
    }
    *decided = false;
    return 0;
}

/* Scope, date and clock checks. Sets *decided when a verdict was recorded. */
static int s_check_scope_and_time(struct verify_state *st,
                                  const struct cpw_sigv4_scope *scope,
                                  bool *decided)
{
    const struct cpw_sigv4_verify_options *o = st->o;
    struct cpw_sigv4_verify_result *r = st->r;
    char a[ECHO_MAX + 8];
    char b[ECHO_MAX + 8];
    *decided = true;
    int64_t t = 0;
    if (st->amz_date.len != CPW_TIME_AMZ_LEN || cpw_time_parse_amz(st->amz_date, &t)) {
        s_echo(a, sizeof(a), st->amz_date);
        return s_verdict(st, CPW_SIGV4_INCOMPLETE,
                         "Date must be in ISO-8601 'basic format'. Got '%s'. See "
                         "http://en.wikipedia.org/wiki/ISO_8601",
                         a);
    }
    r->request_time_s = t;
    if (!cpw_span_eq(scope->date, cpw_span_sub(st->amz_date, 0, CPW_TIME_DATE_LEN))) {
        s_echo(a, sizeof(a), scope->date);
        s_echo(b, sizeof(b), st->amz_date);
        return s_verdict(st, CPW_SIGV4_SCOPE_MISMATCH,
                         "Date in Credential scope does not match YYYYMMDD from ISO-8601 version "
                         "of date from HTTP: '%s' != '%.8s', from '%s'.",
                         a, b, b);
    }
    if (!cpw_span_eq_cstr(scope->terminator, "aws4_request")) {
        s_echo(a, sizeof(a), scope->terminator);
        return s_verdict(st, CPW_SIGV4_SCOPE_MISMATCH,
                         "Credential should be scoped with a valid terminator: 'aws4_request', "
                         "not '%s'.",
                         a);
    }
    if (o->service && *o->service && !cpw_span_eq_cstr(scope->service, o->service)) {
        s_echo(a, sizeof(a), cpw_span_from_cstr(o->service));
        return s_verdict(st, CPW_SIGV4_SCOPE_MISMATCH,
                         "Credential should be scoped to correct service: '%s'. ", a);
    }
    int64_t now = o->now_s ? o->now_s : cpw_time_now_s();
    int64_t window = o->max_skew_s > 0 ? o->max_skew_s : CPW_SIGV4_MAX_SKEW_S;
    char now_text[CPW_TIME_AMZ_LEN + 1] = "";
    char edge_text[CPW_TIME_AMZ_LEN + 1] = "";
    if (st->r->presigned) {
        uint64_t expires = 0;
        if (cpw_span_to_u64(st->expires, CPW_SIGV4_MAX_EXPIRES_S, &expires) || expires == 0) {
            return s_verdict(st, CPW_SIGV4_INCOMPLETE,
                             "X-Amz-Expires must be a number of seconds from 1 to %d (a week).",
                             CPW_SIGV4_MAX_EXPIRES_S);
        }
        if (now > t + (int64_t)expires) {
            return s_verdict(st, CPW_SIGV4_EXPIRED, "Request has expired.");
        }
    } else if (now - t > window) {
        cpw_time_format_amz(now, now_text);
        cpw_time_format_amz(now - window, edge_text);
        s_echo(a, sizeof(a), st->amz_date);
        return s_verdict(st, CPW_SIGV4_SKEWED,
                         "Signature expired: %s is now earlier than %s (%s - %lld min.)", a,
                         edge_text, now_text, (long long)(window / 60));
    }
    if (t - now > window) {
        cpw_time_format_amz(now, now_text);
        cpw_time_format_amz(now + window, edge_text);
        s_echo(a, sizeof(a), st->amz_date);
        return s_verdict(st, CPW_SIGV4_SKEWED,
                         "Signature not yet current: %s is still later than %s (%s + %lld min.)", a,
                         edge_text, now_text, (long long)(window / 60));
    }
    *decided = false;
    return 0;
}

/* Byte order of two spans, shorter first on a common prefix. */
static int s_span_cmp(struct cpw_span a, struct cpw_span b)
{
    size_t n = a.len < b.len ? a.len : b.len;
    int c = n ? memcmp(a.ptr, b.ptr, n) : 0;
    if (c != 0) {
        return c;
    }
    return a.len < b.len ? -1 : a.len > b.len;
}

/*
 * SignedHeaders: 1..64 lower-case names separated by ';', sorted without repeats as SigV4 builds
 * it (a repeated name would make the canonical request grow with every repeat), host among them.
 */
static int s_check_signed_headers(struct verify_state *st, bool *decided)
{
    struct cpw_span rest = st->signed_headers;
    struct cpw_span name;
    struct cpw_span previous = { 0 };
    size_t count = 0;
    bool has_host = false;
    *decided = true;
    if (st->signed_headers.len == 0) {
        return s_verdict(st, CPW_SIGV4_INCOMPLETE, "SignedHeaders must not be empty.");
    }
    while (cpw_span_next_token(&rest, ';', &name)) {
        bool ok = name.len > 0 && ++count <= CPW_SIGV4_MAX_SIGNED;
        for (size_t i = 0; ok && i < name.len; i++) {
            uint8_t c = name.ptr[i];
            ok =
              (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
        }
        if (ok && count > 1) {
            ok = s_span_cmp(previous, name) < 0;
        }
        if (!ok) {
            return s_verdict(st, CPW_SIGV4_INCOMPLETE,
                             "SignedHeaders must be up to %d sorted, distinct, lower-case header "
                             "names separated by ';'.",
                             CPW_SIGV4_MAX_SIGNED);
        }
        previous = name;
        has_host |= cpw_span_eq_cstr(name, "host");
    }
    if (st->signed_headers.ptr[st->signed_headers.len - 1] == ';') {
        return s_verdict(st, CPW_SIGV4_INCOMPLETE, "SignedHeaders must not end with ';'.");
    }
    if (!has_host) {
        return s_verdict(st, CPW_SIGV4_MISMATCH,
                         "'Host' or ':authority' must be a 'SignedHeader' in the AWS "
                         "Authorization.");
    }
    *decided = false;
    return 0;
}

/* Recomputes the signature with the secret and compares it in constant time. */
static int s_check_signature(struct verify_state *st,
                             const struct cpw_sigv4_scope *scope,
                             const struct cpw_sigv4_secret *secret)
{
    const struct cpw_sigv4_verify_options *o = st->o;
    int rc = -1;
    struct cpw_sigv4_signing local;
    struct cpw_sigv4_signing *sig = o->debug ? o->debug : &local;
    struct cpw_buf scope_text;
    uint8_t key[CPW_SHA256_LEN] = { 0 };
    char payload_hash[CPW_SHA256_HEX_LEN + 1];
    char expected[CPW_SHA256_HEX_LEN + 1] = "";
    cpw_sigv4_signing_init(&local);
    cpw_buf_init(&scope_text, 512);

    const char *claimed = cpw_headers_get(&st->req->headers, "x-amz-content-sha256");
    if (o->allow_unsigned_payload && claimed && strcmp(claimed, CPW_SIGV4_UNSIGNED_PAYLOAD) == 0) {
        memcpy(payload_hash, CPW_SIGV4_UNSIGNED_PAYLOAD, sizeof(CPW_SIGV4_UNSIGNED_PAYLOAD));
    } else if (cpw_sigv4_hash_hex(cpw_buf_span(&st->req->body), payload_hash)) {
        goto cleanup;
    }
    struct cpw_sigv4_canon_input in = {
        .method = st->req->method ? st->req->method : "",
        .path = cpw_buf_span(&st->req->path),
        .query = cpw_buf_span(&st->req->query),
        .headers = &st->req->headers,
        .signed_headers = st->signed_headers,
        .path_mode = o->path_mode,
        .payload_hash = cpw_span_from_cstr(payload_hash),
    };
    if (st->r->presigned) {
        in.skip_query_keys[0] = cpw_span_from_cstr("X-Amz-Signature");
    }
    if (cpw_buf_appendf(&scope_text, "%s/%s/%s/aws4_request", st->r->date, st->r->region,
                        st->r->service) ||
        cpw_sigv4_canonical_request(&sig->canonical_request, &in) ||
        cpw_sigv4_string_to_sign(&sig->string_to_sign, cpw_buf_span(&sig->canonical_request),
                                 st->amz_date, cpw_buf_span(&scope_text)) ||
        cpw_sigv4_key_cache_get(o->key_cache, scope->access_key_id,
                                cpw_span_from_cstr(secret->secret_access_key), scope->date,
                                scope->region, scope->service, key) ||
        cpw_sigv4_signature_hex(key, cpw_buf_span(&sig->string_to_sign), expected)) {
        goto cleanup;
    }
    /* Constant time: the comparison must not tell an attacker how many bytes matched. */
    bool match = cpw_ct_equal(cpw_span_from(expected, CPW_SHA256_HEX_LEN), st->signature);
    if (!match && st->r->presigned && st->token.ptr) {
        /* Some clients add the session token to a presigned URL after signing (the suite's
         * omit_session_token): the token must still match the key, so only its place in the
         * canonical query differs. */
        in.skip_query_keys[1] = cpw_span_from_cstr("X-Amz-Security-Token");
        if (cpw_sigv4_canonical_request(&sig->canonical_request, &in) ||
            cpw_sigv4_string_to_sign(&sig->string_to_sign, cpw_buf_span(&sig->canonical_request),
                                     st->amz_date, cpw_buf_span(&scope_text)) ||
            cpw_sigv4_signature_hex(key, cpw_buf_span(&sig->string_to_sign), expected)) {
            goto cleanup;
        }
        match = cpw_ct_equal(cpw_span_from(expected, CPW_SHA256_HEX_LEN), st->signature);
    }
    if (o->debug) {
        memcpy(o->debug->signature, expected, sizeof(expected));
    }
    if (match) {
        s_verdict(st, CPW_SIGV4_VERIFIED, "%s", "");
    } else {
        s_verdict(st, CPW_SIGV4_MISMATCH, MSG_DOES_NOT_MATCH);
    }
    rc = 0;

cleanup:
    cpw_secure_zero(key, sizeof(key));
    cpw_secure_zero(expected, sizeof(expected));
    cpw_buf_clean_up(&scope_text);
    cpw_sigv4_signing_clean_up(&local);
    return rc;
}

static int s_verify(struct verify_state *st)
{
    const struct cpw_sigv4_verify_options *o = st->o;
    struct cpw_sigv4_verify_result *r = st->r;
    bool decided = false;
    bool has_header = cpw_headers_get(&st->req->headers, "authorization") != NULL;
    if (!has_header && !s_has_presign_params(st->req)) {
        return s_verdict(st, CPW_SIGV4_MISSING_AUTH,
                         o->rest_json_errors ? "Missing Authentication Token"
                                             : "Request is missing Authentication Token");
    }
    r->presigned = !has_header;
    if ((has_header ? s_collect_header(st, &decided) : s_collect_query(st, &decided)) || decided) {
        return 0;
    }

    struct cpw_sigv4_scope scope;
    char echo[ECHO_MAX + 8];
    if (cpw_sigv4_parse_credential(st->credential, &scope) ||
        !s_scope_part_ok(scope.access_key_id, CPW_SIGV4_AKID_MAX) ||
        scope.date.len != CPW_TIME_DATE_LEN || !s_scope_part_ok(scope.date, CPW_TIME_DATE_LEN) ||
        !s_scope_part_ok(scope.region, CPW_SIGV4_SCOPE_PART_MAX) ||
        !s_scope_part_ok(scope.service, CPW_SIGV4_SCOPE_PART_MAX) ||
        !s_scope_part_ok(scope.terminator, CPW_SIGV4_SCOPE_PART_MAX)) {
        s_echo(echo, sizeof(echo), st->credential);
        return s_verdict(st, CPW_SIGV4_INCOMPLETE,
                         "Credential must have exactly 5 slash-delimited elements, e.g. "
                         "keyid/date/region/service/term, got '%s'",
                         echo);
    }
    s_copy(r->access_key_id, scope.access_key_id);
    s_copy(r->date, scope.date);
    s_copy(r->region, scope.region);
    s_copy(r->service, scope.service);

    if (s_check_scope_and_time(st, &scope, &decided) || decided ||
        s_check_signed_headers(st, &decided) || decided) {
        return 0;
    }

    struct cpw_sigv4_secret secret = { 0 };
    if (!o->lookup || o->lookup(r->access_key_id, &secret, o->lookup_user) != 0 ||
        !secret.secret_access_key) {
        return s_verdict(st, CPW_SIGV4_UNKNOWN_KEY,
                         "The security token included in the request is invalid.");
    }
    /* A temporary key needs its own token; a long-term key takes none. */
    bool token_ok =
      secret.session_token
        ? st->token.ptr != NULL && cpw_ct_equal(st->token, cpw_span_from_cstr(secret.session_token))
        : st->token.ptr == NULL;
    if (!token_ok) {
        return s_verdict(st, CPW_SIGV4_UNKNOWN_KEY,
                         "The security token included in the request is invalid.");
    }
    return s_check_signature(st, &scope, &secret);
}

int cpw_sigv4_verify(const struct cpw_http_request *req,
                     const struct cpw_sigv4_verify_options *options,
                     struct cpw_sigv4_verify_result *result)
{
    memset(result, 0, sizeof(*result));
    struct verify_state st = { .req = req, .o = options, .r = result };
    struct cpw_buf *bufs[] = { &st.q_algorithm, &st.q_credential, &st.q_signed, &st.q_signature,
                               &st.q_date,      &st.q_token,      &st.q_expires };
    for (size_t i = 0; i < sizeof(bufs) / sizeof(bufs[0]); i++) {
        cpw_buf_init(bufs[i], VALUE_MAX);
    }
    int rc = s_verify(&st);
    if (rc) {
        enum cpw_error code = cpw_last_error();
        char detail[256];
        snprintf(detail, sizeof(detail), "%s", cpw_last_error_detail());
        s_verdict(&st, CPW_SIGV4_INTERNAL, "%s",
                  "We encountered an internal error. Please try again.");
        cpw_raise(code, "SigV4 verification could not complete: %s", detail);
    }
    for (size_t i = 0; i < sizeof(bufs) / sizeof(bufs[0]); i++) {
        cpw_buf_clean_up_secure(bufs[i]);
    }
    return rc;
}
