/*
 * loadgen.c - a small HTTP load generator for the sandbox benchmarks.
 *
 * Signs one AWS request (SigV4, header form, with libcpw's signer) and replays the same bytes
 * with K connections in flight over a libcurl multi handle until N requests have completed,
 * then prints one JSON line: requests, non-200 answers ("errors"), requests per second and
 * latency percentiles. The same bytes go to every server compared, so the client side costs the
 * same for each. The signature stays valid for the SigV4 clock-skew window (15 minutes), longer
 * than any run (runs are bounded by -n).
 *
 * --wait-ms T instead sends the request once per millisecond until it is answered 200 (at most T
 * ms) and prints the wall-clock time of that first answer, so a script can measure a server's
 * start-up from its own launch time.
 *
 * usage: cpw-loadgen URL SERVICE BODY [--target X-Amz-Target] [--get PATH] [--region R]
 *                    [-n N] [-c K] [--wait-ms T]
 *   e.g. cpw-loadgen http://127.0.0.1:4566 sts 'Action=GetCallerIdentity&Version=2011-06-15'
 *        cpw-loadgen http://127.0.0.1:4566 connect '' --get /instance
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cpw/alloc.h"
#include "cpw/buf.h"
#include "cpw/http_msg.h"
#include "cpw/sigv4.h"

struct loadgen_options {
    const char *url;
    const char *service;
    const char *body;
    const char *target;
    const char *get_path;
    const char *region;
    long total;
    long concurrency;
    long wait_ms;
};

/* The signed request, ready for libcurl. */
struct signed_request {
    struct cpw_http_request req;
    struct curl_slist *headers;
    char full_url[2048];
};

struct slot {
    CURL *easy;
    int64_t started_us;
};

static int64_t s_now_us(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static size_t s_discard(char *data, size_t size, size_t n, void *user)
{
    (void)data;
    (void)user;
    return size * n;
}

static int s_cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a;
    int64_t y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int s_parse_args(int argc, char **argv, struct loadgen_options *o)
{
    *o = (struct loadgen_options){ .region = "us-east-1", .total = 2000, .concurrency = 8 };
    if (argc < 4) {
        return -1;
    }
    o->url = argv[1];
    o->service = argv[2];
    o->body = argv[3];
    for (int i = 4; i < argc; i += 2) {
        if (i + 1 >= argc) {
            return -1;
        }
        const char *v = argv[i + 1];
        if (strcmp(argv[i], "--target") == 0) {
            o->target = v;
        } else if (strcmp(argv[i], "--get") == 0) {
            o->get_path = v;
        } else if (strcmp(argv[i], "--region") == 0) {
            o->region = v;
        } else if (strcmp(argv[i], "-n") == 0) {
            o->total = strtol(v, NULL, 10);
        } else if (strcmp(argv[i], "-c") == 0) {
            o->concurrency = strtol(v, NULL, 10);
        } else if (strcmp(argv[i], "--wait-ms") == 0) {
            o->wait_ms = strtol(v, NULL, 10);
        } else {
            return -1;
        }
    }
    if (o->total < 1 || o->total > 10000000 || o->concurrency < 1 || o->concurrency > 1024 ||
        o->wait_ms < 0 || o->wait_ms > 600000) {
        fprintf(stderr, "loadgen: -n 1..10000000, -c 1..1024, --wait-ms 0..600000\n");
        return -1;
    }
    return 0;
}

/* Builds and signs the request once; its headers become a curl list. */
static int s_sign(const struct loadgen_options *o, struct signed_request *out)
{
    const char *host = strstr(o->url, "://") ? strstr(o->url, "://") + 3 : o->url;
    const char *path = o->get_path ? o->get_path : "/";
    struct cpw_http_request *req = &out->req;
    cpw_http_request_init(req);
    cpw_http_request_set_method(req, o->get_path ? "GET" : "POST");
    if (cpw_http_request_set_target(req, cpw_span_from_cstr(path))) {
        return -1;
    }
    cpw_headers_add_cstr(&req->headers, "Host", host);
    if (!o->get_path) {
        cpw_headers_add_cstr(&req->headers, "Content-Type",
                             o->target ? "application/x-amz-json-1.1"
                                       : "application/x-www-form-urlencoded; charset=utf-8");
        if (cpw_buf_append_cstr(&req->body, o->body)) {
            return -1;
        }
    }
    if (o->target) {
        cpw_headers_add_cstr(&req->headers, "X-Amz-Target", o->target);
    }
    struct cpw_sigv4_credentials creds = { .access_key_id = "AKIAIOSFODNN7EXAMPLE",
                                           .secret_access_key =
                                             "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" };
    struct cpw_sigv4_sign_options sopts = { .credentials = &creds,
                                            .region = o->region,
                                            .service = o->service };
    if (cpw_sigv4_sign(req, &sopts, NULL)) {
        return -1;
    }
    for (size_t i = 0; i < req->headers.count; i++) {
        char line[4096];
        snprintf(line, sizeof(line), "%s: %s", req->headers.items[i].name,
                 req->headers.items[i].value);
        out->headers = curl_slist_append(out->headers, line);
    }
    out->headers = curl_slist_append(out->headers, "Expect:");
    snprintf(out->full_url, sizeof(out->full_url), "%s%s", o->url, path);
    return 0;
}

static CURL *s_easy(const struct signed_request *sr, void *private_data)
{
    CURL *e = curl_easy_init();
    if (!e) {
        return NULL;
    }
    curl_easy_setopt(e, CURLOPT_URL, sr->full_url);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, sr->headers);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, s_discard);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 30000L);
    curl_easy_setopt(e, CURLOPT_PRIVATE, private_data);
    if (sr->req.body.len > 0 || strcmp(sr->req.method, "POST") == 0) {
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, cpw_buf_cstr(&sr->req.body));
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)sr->req.body.len);
    } else {
        curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    }
    return e;
}

/* --wait-ms: one request per millisecond until a 200, then the wall-clock time of it. */
static int s_wait_first_answer(const struct signed_request *sr, long wait_ms)
{
    CURL *e = s_easy(sr, NULL);
    if (!e) {
        return 1;
    }
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, 1000L);
    int64_t deadline = s_now_us(CLOCK_MONOTONIC) + (int64_t)wait_ms * 1000;
    int rc = 1;
    long attempts = 0;
    while (s_now_us(CLOCK_MONOTONIC) < deadline) {
        attempts++;
        long status = 0;
        if (curl_easy_perform(e) == CURLE_OK &&
            curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK && status == 200) {
            printf("{\"first_answer_unix_us\": %lld, \"attempts\": %ld}\n",
                   (long long)s_now_us(CLOCK_REALTIME), attempts);
            rc = 0;
            break;
        }
        struct timespec pause = { .tv_sec = 0, .tv_nsec = 1000000 };
        nanosleep(&pause, NULL);
    }
    if (rc) {
        fprintf(stderr, "loadgen: no 200 answer within %ld ms\n", wait_ms);
    }
    curl_easy_cleanup(e);
    return rc;
}

/* -n N -c K: N requests with K in flight; one JSON line. */
static int s_load(const struct signed_request *sr, long total, long conc)
{
    CURLM *multi = curl_multi_init();
    struct slot *slots = cpw_calloc((size_t)conc, sizeof(*slots));
    int64_t *lat = cpw_calloc((size_t)total, sizeof(*lat));
    long started = 0;
    long done = 0;
    long errors = 0;
    long first_error_status = 0;
    int64_t t0 = s_now_us(CLOCK_MONOTONIC);
    for (long i = 0; i < conc && started < total; i++, started++) {
        slots[i].easy = s_easy(sr, &slots[i]);
        slots[i].started_us = s_now_us(CLOCK_MONOTONIC);
        curl_multi_add_handle(multi, slots[i].easy);
    }
    while (done < total) {
        int running = 0;
        curl_multi_perform(multi, &running);
        CURLMsg *msg;
        int left;
        while ((msg = curl_multi_info_read(multi, &left)) != NULL) {
            if (msg->msg != CURLMSG_DONE) {
                continue;
            }
            CURL *e = msg->easy_handle;
            char *priv = NULL;
            curl_easy_getinfo(e, CURLINFO_PRIVATE, &priv);
            struct slot *s = (struct slot *)(void *)priv;
            long status = 0;
            curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
            if (msg->data.result != CURLE_OK || status != 200) {
                if (errors++ == 0) {
                    first_error_status = msg->data.result != CURLE_OK ? -1 : status;
                }
            }
            lat[done++] = s_now_us(CLOCK_MONOTONIC) - s->started_us;
            curl_multi_remove_handle(multi, e);
            if (started < total) {
                started++;
                s->started_us = s_now_us(CLOCK_MONOTONIC);
                curl_multi_add_handle(multi, e);
            }
        }
        if (done < total) {
            curl_multi_poll(multi, NULL, 0, 100, NULL);
        }
    }
    int64_t elapsed_us = s_now_us(CLOCK_MONOTONIC) - t0;
    qsort(lat, (size_t)total, sizeof(*lat), s_cmp);
    printf(
      "{\"requests\": %ld, \"errors\": %ld, \"first_error_status\": %ld, \"concurrency\": %ld, "
      "\"seconds\": %.3f, \"rps\": %.1f, \"p50_ms\": %.3f, \"p99_ms\": %.3f}\n",
      total, errors, first_error_status, conc, (double)elapsed_us / 1e6,
      (double)total * 1e6 / (double)elapsed_us, (double)lat[total / 2] / 1000.0,
      (double)lat[(total * 99) / 100] / 1000.0);
    for (long i = 0; i < conc; i++) {
        if (slots[i].easy) {
            curl_multi_remove_handle(multi, slots[i].easy);
            curl_easy_cleanup(slots[i].easy);
        }
    }
    curl_multi_cleanup(multi);
    cpw_free(slots);
    cpw_free(lat);
    return errors ? 1 : 0;
}

int main(int argc, char **argv)
{
    struct loadgen_options o;
    if (s_parse_args(argc, argv, &o)) {
        fprintf(stderr,
                "usage: %s URL SERVICE BODY [--target T] [--get PATH] [--region R] [-n N] "
                "[-c K] [--wait-ms T]\n",
                argv[0]);
        return 2;
    }
    struct signed_request sr = { .headers = NULL };
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int rc = 1;
    if (s_sign(&o, &sr)) {
        fprintf(stderr, "loadgen: cannot build or sign the request\n");
    } else {
        rc = o.wait_ms ? s_wait_first_answer(&sr, o.wait_ms) : s_load(&sr, o.total, o.concurrency);
    }
    curl_slist_free_all(sr.headers);
    cpw_http_request_clean_up(&sr.req);
    curl_global_cleanup();
    return rc;
}
