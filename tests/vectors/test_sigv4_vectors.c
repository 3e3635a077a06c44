/*
 * test_sigv4_vectors.c - the AWS signing test suite (v4 cases) against cpwarden's signer and
 * verifier: for every case directory under $CPW_SIGV4_VECTORS, in both the header and the query
 * variant, the canonical request, string to sign, signature and signed request must equal the
 * suite's files byte for byte; the signed request must then pass verification, and fail it once
 * one byte of the signature changes.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/buf.h"
#include "cpw/error.h"
#include "cpw/http_msg.h"
#include "cpw/sigv4.h"
#include "cpw/sigv4_suite.h"
#include "harness.h"

#define FILE_MAX (1024u * 1024u)

struct lookup_ctx {
    const struct cpw_sigv4_suite_context *ctx;
};

static int s_lookup(const char *access_key_id, struct cpw_sigv4_secret *out, void *user)
{
    const struct cpw_sigv4_suite_context *ctx = user;
    if (strcmp(access_key_id, ctx->access_key_id) != 0) {
        return -1;
    }
    out->secret_access_key = ctx->secret_access_key;
    out->session_token = ctx->session_token;
    return 0;
}

static char *s_path(const char *dir, const char *name, const char *file)
{
    struct cpw_buf b;
    cpw_buf_init(&b, 4096);
    assert_int_equal(cpw_buf_appendf(&b, "%s/%s/%s", dir, name, file), 0);
    return cpw_buf_detach(&b);
}

static void s_read(struct cpw_buf *out, const char *dir, const char *name, const char *file)
{
    char *path = s_path(dir, name, file);
    cpw_buf_init(out, FILE_MAX);
    if (cpw_buf_read_file(out, path)) {
        fail_msg("cannot read %s: %s", path, cpw_last_error_detail());
    }
    cpw_free(path);
}

static void s_expect_file(const char *dir,
                          const char *name,
                          const char *file,
                          struct cpw_span actual)
{
    struct cpw_buf expected;
    s_read(&expected, dir, name, file);
    if (!cpw_span_eq(cpw_buf_span(&expected), actual)) {
        fail_msg("%s/%s differs:\n--- expected\n%s\n--- actual\n%.*s", name, file,
                 cpw_buf_cstr(&expected), (int)actual.len, (const char *)actual.ptr);
    }
    cpw_buf_clean_up(&expected);
}

/* Runs one case in one variant; returns after asserting everything. */
static void s_run_case(const char *dir, const char *name, bool query)
{
    const char *variant = query ? "query" : "header";
    char file[64];
    struct cpw_sigv4_suite_context ctx;
    char *context_path = s_path(dir, name, "context.json");
    if (cpw_sigv4_suite_context_load(&ctx, context_path)) {
        fail_msg("%s: %s", context_path, cpw_last_error_detail());
    }
    cpw_free(context_path);
    struct cpw_buf raw;
    s_read(&raw, dir, name, "request.txt");
    struct cpw_http_request req;
    if (cpw_http_request_parse(&req, cpw_buf_span(&raw))) {
        fail_msg("%s/request.txt: %s", name, cpw_last_error_detail());
    }
    cpw_buf_clean_up(&raw);

    struct cpw_sigv4_credentials creds;
    struct cpw_sigv4_sign_options opts;
    assert_int_equal(cpw_sigv4_suite_sign_options(&ctx, query, &creds, &opts), 0);
    struct cpw_sigv4_signing signing;
    cpw_sigv4_signing_init(&signing);
    if (cpw_sigv4_sign(&req, &opts, &signing)) {
        fail_msg("%s (%s): signing failed: %s", name, variant, cpw_last_error_detail());
    }
    snprintf(file, sizeof(file), "%s-canonical-request.txt", variant);
    s_expect_file(dir, name, file, cpw_buf_span(&signing.canonical_request));
    snprintf(file, sizeof(file), "%s-string-to-sign.txt", variant);
    s_expect_file(dir, name, file, cpw_buf_span(&signing.string_to_sign));
    snprintf(file, sizeof(file), "%s-signature.txt", variant);
    s_expect_file(dir, name, file, cpw_span_from_cstr(signing.signature));
    struct cpw_buf written;
    cpw_buf_init(&written, FILE_MAX);
    assert_int_equal(cpw_http_request_write(&req, &written), 0);
    snprintf(file, sizeof(file), "%s-signed-request.txt", variant);
    s_expect_file(dir, name, file, cpw_buf_span(&written));

    /* The verifier accepts what was signed, read back from the suite's own file... */
    struct cpw_http_request signed_req;
    assert_int_equal(cpw_http_request_parse(&signed_req, cpw_buf_span(&written)), 0);
    struct cpw_sigv4_verify_options vopts = {
        .lookup = s_lookup,
        .lookup_user = &ctx,
        .service = ctx.service,
        .now_s = ctx.timestamp_s + 60,
        .path_mode = opts.path_mode,
    };
    struct cpw_sigv4_verify_result result;
    assert_int_equal(cpw_sigv4_verify(&signed_req, &vopts, &result), 0);
    if (result.verdict != CPW_SIGV4_VERIFIED) {
        fail_msg("%s (%s): verifier said %s: %s", name, variant, result.aws_code, result.message);
    }
    assert_string_equal(result.access_key_id, ctx.access_key_id);
    assert_string_equal(result.service, ctx.service);
    assert_int_equal(result.presigned, query);

    /* ...and rejects it once one byte of the signature changes. */
    char *sig = strstr((char *)written.data, signing.signature);
    assert_non_null(sig);
    sig[10] = sig[10] == '0' ? '1' : '0';
    cpw_http_request_clean_up(&signed_req);
    assert_int_equal(cpw_http_request_parse(&signed_req, cpw_buf_span(&written)), 0);
    assert_int_equal(cpw_sigv4_verify(&signed_req, &vopts, &result), 0);
    assert_int_equal(result.verdict, CPW_SIGV4_MISMATCH);
    assert_string_equal(result.aws_code, "SignatureDoesNotMatch");

    cpw_http_request_clean_up(&signed_req);
    cpw_buf_clean_up(&written);
    cpw_sigv4_signing_clean_up(&signing);
    cpw_http_request_clean_up(&req);
    cpw_sigv4_suite_context_clean_up(&ctx);
}

static int s_name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_every_case_both_variants(void **state)
{
    (void)state;
    const char *dir = getenv("CPW_SIGV4_VECTORS");
    DIR *d = dir && *dir ? opendir(dir) : NULL;
    if (!d) { /* vendored in tests/vectors/sigv4: missing means a broken checkout */
        fail_msg("SigV4 test suite not found at '%s' (CPW_SIGV4_VECTORS)", dir ? dir : "");
    }
    char *names[256];
    size_t count = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && count < 256) {
        if (e->d_name[0] == '.') {
            continue;
        }
        char *ctx_path = s_path(dir, e->d_name, "context.json");
        FILE *f = fopen(ctx_path, "rb");
        cpw_free(ctx_path);
        if (!f) {
            continue; /* LICENSE, NOTICE */
        }
        fclose(f);
        names[count++] = cpw_strdup(e->d_name);
    }
    closedir(d);
    qsort(names, count, sizeof(names[0]), s_name_cmp);
    /* The suite has 38 cases; finding far fewer means the folder is not the suite. */
    assert_true(count >= 30);
    for (size_t i = 0; i < count; i++) {
        s_run_case(dir, names[i], false);
        s_run_case(dir, names[i], true);
        cpw_free(names[i]);
    }
    print_message("%zu SigV4 suite cases passed in both variants\n", count);
}

CPW_TEST_MAIN("sigv4_vectors", CPW_TEST(test_every_case_both_variants))
