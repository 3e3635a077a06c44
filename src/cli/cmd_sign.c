/*
 * cmd_sign.c - `cpwarden sign`: signs a raw HTTP request file with SigV4 (the AWS signing test
 * suite's formats) and prints the signed request or one intermediate, or verifies a signed
 * request the way the sandbox does, for users chasing SignatureDoesNotMatch.
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cpw/buf.h"
#include "cpw/error.h"
#include "cpw/http_msg.h"
#include "cpw/log.h"
#include "cpw/sigv4.h"
#include "cpw/sigv4_suite.h"
#include "cpw/time.h"

#define REQUEST_FILE_MAX (CPW_HTTP_MAX_BODY_BYTES + CPW_HTTP_MAX_HEADER_BYTES + 64u * 1024u)

enum show {
    SHOW_REQUEST,
    SHOW_CANONICAL,
    SHOW_STRING_TO_SIGN,
    SHOW_SIGNATURE,
};

struct sign_args {
    const char *context_path;
    const char *request_path;
    const char *now_text;
    bool query;
    bool verify;
    bool show_given;
    enum show show;
};

static const struct option s_options[] = {
    { "context", required_argument, NULL, 'c' }, { "query", no_argument, NULL, 'q' },
    { "show", required_argument, NULL, 's' },    { "verify", no_argument, NULL, 'v' },
    { "now", required_argument, NULL, 'n' },     { NULL, 0, NULL, 0 },
};

static int s_parse_args(int argc, char **argv, struct sign_args *a)
{
    memset(a, 0, sizeof(*a));
    optind = 0; /* glibc: full re-initialisation */
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "+c:qs:vn:", s_options, NULL)) != -1) {
        switch (c) {
        case 'c':
            a->context_path = optarg;
            break;
        case 'q':
            a->query = true;
            break;
        case 'v':
            a->verify = true;
            break;
        case 'n':
            a->now_text = optarg;
            break;
        case 's':
            a->show_given = true;
            if (strcmp(optarg, "request") == 0) {
                a->show = SHOW_REQUEST;
            } else if (strcmp(optarg, "canonical") == 0) {
                a->show = SHOW_CANONICAL;
            } else if (strcmp(optarg, "string-to-sign") == 0) {
                a->show = SHOW_STRING_TO_SIGN;
            } else if (strcmp(optarg, "signature") == 0) {
                a->show = SHOW_SIGNATURE;
            } else {
                return cpw_cli_usage_error(
                  "sign", "--show takes request, canonical, string-to-sign or signature, not '%s'",
                  optarg);
            }
            break;
        default:
            return cpw_cli_option_error("sign", s_options, argc, argv);
        }
    }
    if (!a->context_path) {
        return cpw_cli_usage_error("sign", "--context CONTEXT.json is required");
    }
    if (optind != argc - 1) {
        return cpw_cli_usage_error("sign", "exactly one REQUEST file is expected");
    }
    if (a->verify && a->query) {
        return cpw_cli_usage_error("sign", "--query applies to signing, not to --verify");
    }
    if (a->now_text && !a->verify) {
        return cpw_cli_usage_error("sign", "--now applies to --verify");
    }
    a->request_path = argv[optind];
    return 0;
}

/* Parses --now: "now", "YYYYMMDDTHHMMSSZ" or ISO 8601. */
static int s_parse_now(const char *text, int64_t *out)
{
    if (strcmp(text, "now") == 0) {
        *out = cpw_time_now_s();
        return 0;
    }
    int64_t ms = 0;
    if (cpw_time_parse_amz(cpw_span_from_cstr(text), out) == 0) {
        return 0;
    }
    if (cpw_time_parse_iso8601_ms(cpw_span_from_cstr(text), &ms) == 0) {
        *out = ms / 1000;
        return 0;
    }
    return -1;
}

/* The request's own signing time (X-Amz-Date header or query parameter), or 0. */
static int64_t s_request_time(const struct cpw_http_request *req)
{
    struct cpw_span text = cpw_span_from_cstr(cpw_headers_get(&req->headers, "x-amz-date"));
    struct cpw_span rest = cpw_buf_span(&req->query);
    struct cpw_span piece;
    while (text.len == 0 && cpw_span_next_token(&rest, '&', &piece)) {
        if (cpw_span_starts_with(piece, cpw_span_from_cstr("X-Amz-Date="))) {
            text = cpw_span_sub(piece, 11, piece.len - 11);
        }
    }
    int64_t t = 0;
    return cpw_time_parse_amz(cpw_span_trim(text), &t) == 0 ? t : 0;
}

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

static void s_print_span(struct cpw_span s)
{
    fwrite(s.ptr, 1, s.len, stdout);
}

static void s_print_intermediate(enum show show, const struct cpw_sigv4_signing *signing)
{
    if (show == SHOW_CANONICAL) {
        s_print_span(cpw_buf_span(&signing->canonical_request));
    } else if (show == SHOW_STRING_TO_SIGN) {
        s_print_span(cpw_buf_span(&signing->string_to_sign));
    } else if (show == SHOW_SIGNATURE) {
        fputs(signing->signature, stdout);
    }
}

static int s_verify(const struct sign_args *a,
                    const struct cpw_sigv4_suite_context *ctx,
                    const struct cpw_http_request *req)
{
    int64_t now = 0;
    if (a->now_text) {
        if (s_parse_now(a->now_text, &now)) {
            return cpw_cli_usage_error("sign", "--now takes 'now', YYYYMMDDTHHMMSSZ or ISO 8601");
        }
    } else if (ctx->has_timestamp) {
        now = ctx->timestamp_s;
    } else {
        now = s_request_time(req);
    }
    struct cpw_sigv4_signing computed;
    cpw_sigv4_signing_init(&computed);
    struct cpw_sigv4_verify_options opts = {
        .lookup = s_lookup,
        .lookup_user = (void *)ctx,
        .service = ctx->service,
        .now_s = now,
        .path_mode = ctx->normalize ? CPW_SIGV4_PATH_NORMALIZE : CPW_SIGV4_PATH_ENCODE_ONLY,
        .debug = &computed,
    };
    struct cpw_sigv4_verify_result result;
    int rc = cpw_sigv4_verify(req, &opts, &result);
    if (rc == 0 && a->show_given && a->show != SHOW_REQUEST && computed.signature[0]) {
        s_print_intermediate(a->show, &computed);
        fputs("\n\n", stdout);
    }
    cpw_sigv4_signing_clean_up(&computed);
    if (rc) {
        cpw_cli_print_last_error("verification could not complete");
        return CPW_EXIT_OTHER;
    }
    if (result.verdict == CPW_SIGV4_VERIFIED) {
        puts("OK");
        return CPW_EXIT_OK;
    }
    printf("%s: %s\n", result.aws_code, result.message);
    return CPW_EXIT_FAILED;
}

static int s_sign(const struct sign_args *a,
                  const struct cpw_sigv4_suite_context *ctx,
                  struct cpw_http_request *req)
{
    struct cpw_sigv4_credentials creds;
    struct cpw_sigv4_sign_options opts;
    if (cpw_sigv4_suite_sign_options(ctx, a->query, &creds, &opts)) {
        cpw_cli_print_last_error(a->context_path);
        return CPW_EXIT_OTHER;
    }
    struct cpw_sigv4_signing signing;
    struct cpw_buf out;
    cpw_sigv4_signing_init(&signing);
    cpw_buf_init(&out, REQUEST_FILE_MAX * 2);
    int status = CPW_EXIT_OK;
    if (cpw_sigv4_sign(req, &opts, &signing)) {
        cpw_cli_print_last_error(a->request_path);
        status = CPW_EXIT_OTHER;
    } else if (a->show == SHOW_REQUEST) {
        if (cpw_http_request_write(req, &out)) {
            cpw_cli_print_last_error(a->request_path);
            status = CPW_EXIT_OTHER;
        } else {
            s_print_span(cpw_buf_span(&out));
        }
    } else {
        s_print_intermediate(a->show, &signing);
    }
    cpw_buf_clean_up(&out);
    cpw_sigv4_signing_clean_up(&signing);
    return status;
}

static int s_run(int argc, char **argv)
{
    struct sign_args a;
    int rc = s_parse_args(argc, argv, &a);
    if (rc) {
        return rc;
    }
    struct cpw_sigv4_suite_context ctx;
    struct cpw_http_request req;
    struct cpw_buf raw;
    cpw_http_request_init(&req);
    cpw_buf_init(&raw, REQUEST_FILE_MAX);
    if (cpw_sigv4_suite_context_load(&ctx, a.context_path)) {
        cpw_cli_print_last_error(a.context_path);
        rc = CPW_EXIT_OTHER;
        goto cleanup;
    }
    cpw_log_register_secret(cpw_span_from_cstr(ctx.secret_access_key));
    cpw_log_register_secret(cpw_span_from_cstr(ctx.session_token));
    if (cpw_buf_read_file(&raw, a.request_path) ||
        cpw_http_request_parse(&req, cpw_buf_span(&raw))) {
        cpw_cli_print_last_error(a.request_path);
        rc = CPW_EXIT_OTHER;
        goto cleanup;
    }
    rc = a.verify ? s_verify(&a, &ctx, &req) : s_sign(&a, &ctx, &req);

cleanup:
    cpw_buf_clean_up(&raw);
    cpw_http_request_clean_up(&req);
    cpw_sigv4_suite_context_clean_up(&ctx);
    fflush(stdout);
    return rc;
}

const struct cpw_cli_command cpw_cli_cmd_sign = {
    .name = "sign",
    .summary = "sign a raw HTTP request with SigV4, or verify one (debugging signatures)",
    .help =
      "usage: cpwarden sign --context CONTEXT.json [--query]\n"
      "                     [--show request|canonical|string-to-sign|signature] REQUEST.txt\n"
      "       cpwarden sign --verify --context CONTEXT.json [--now TIME]\n"
      "                     [--show canonical|string-to-sign|signature] SIGNED-REQUEST.txt\n"
      "\n"
      "Signs a raw HTTP/1.1 request with AWS Signature Version 4 and prints the signed request\n"
      "(default) or one intermediate step, byte for byte in the AWS signing test suite's\n"
      "formats. With --verify, checks a signed request the way `cpwarden sandbox` does and\n"
      "prints OK or the AWS error code and message a server would answer.\n"
      "\n"
      "CONTEXT.json is the suite's context file:\n"
      "  {\"credentials\": {\"access_key_id\": \"AKID...\", \"secret_access_key\": \"...\",\n"
      "                   \"token\": \"(optional session token)\"},\n"
      "   \"region\": \"us-east-1\", \"service\": \"profile\", \"timestamp\": "
      "\"2015-08-30T12:36:00Z\",\n"
      "   \"expiration_in_seconds\": 3600, \"normalize\": true, \"sign_body\": false}\n"
      "Signing needs region, service and timestamp. For --verify only the credentials are\n"
      "needed; a service, when given, must match the credential scope.\n"
      "\n"
      "Options:\n"
      "  -c, --context FILE   credentials and signing parameters (required)\n"
      "  -q, --query          presign: put the signature in the query string (X-Amz-*)\n"
      "  -s, --show WHAT      print WHAT instead of the signed request: request, canonical\n"
      "                       (canonical request), string-to-sign or signature; with --verify\n"
      "                       print what the verifier computed before the verdict\n"
      "  -v, --verify         verify REQUEST instead of signing it\n"
      "  -n, --now TIME       server clock for --verify: 'now', YYYYMMDDTHHMMSSZ or ISO 8601\n"
      "                       (default: the context's timestamp, else the request's X-Amz-Date)\n"
      "  -h, --help           this text\n"
      "\n"
      "REQUEST.txt is an HTTP/1.1 request: request line, header lines, an empty line, body.\n"
      "LF or CRLF line ends and folded header lines are accepted.\n"
      "\n"
      "Exit status: 0 signed or verified; 1 verification failed (code and message on stdout);\n"
      "252 usage error; 255 unreadable or invalid context or request file.\n"
      "See docs/sigv4.md for debugging SignatureDoesNotMatch.\n",
    .run = s_run,
    .options = s_options,
};
