/*
 * test_http_server.c - the sandbox's HTTP front: raw targets, headers, bodies, limits,
 * keep-alive, concurrency. A libcurl client talks to a server on 127.0.0.1:<ephemeral>.
 */
#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/buf.h"
#include "cpw/error.h"
#include "cpw/http_server.h"
#include "harness.h"

static atomic_int s_calls;

static void s_echo(void *user, const struct cpw_http_exchange *ex, struct cpw_http_response *resp)
{
    (void)user;
    atomic_fetch_add(&s_calls, 1);
    const struct cpw_http_request *req = ex->request;
    const char *test = cpw_headers_get(&req->headers, "x-test");
    char *copy = cpw_arena_strndup(ex->arena, "arena", 5); /* released with the request */
    resp->status = 200;
    cpw_headers_add_cstr(&resp->headers, "Content-Type", "text/plain");
    cpw_headers_add_cstr(&resp->headers, "x-amzn-RequestId", "req-1");
    (void)cpw_buf_appendf(&resp->body, "%s|%s|%s|%s|%s|%s|", req->method, cpw_buf_cstr(&req->path),
                          cpw_buf_cstr(&req->query), test ? test : "-", ex->peer_ip,
                          copy ? copy : "?");
    (void)cpw_buf_append(&resp->body, cpw_buf_span(&req->body));
}

static size_t s_collect(char *data, size_t size, size_t n, void *user)
{
    struct cpw_buf *out = user;
    return cpw_buf_append(out, cpw_span_from(data, size * n)) == 0 ? size * n : 0;
}

struct fetch {
    long status;
    struct cpw_buf body;
    long connects;
};

static void s_fetch(CURL *curl,
                    uint16_t port,
                    const char *method,
                    const char *target,
                    const char *body,
                    struct fetch *out)
{
    char url[512];
    snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", (unsigned)port, target);
    cpw_buf_init(&out->body, 1 << 20);
    struct curl_slist *headers = curl_slist_append(NULL, "X-Test: hello  world");
    headers = curl_slist_append(headers, "Expect:");
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, s_collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &out->body);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(curl, CURLOPT_PATH_AS_IS, 1L);
    if (body) {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    } else {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, NULL);
        curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
        curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    }
    CURLcode rc = curl_easy_perform(curl);
    assert_int_equal(rc, CURLE_OK);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &out->status);
    curl_easy_getinfo(curl, CURLINFO_NUM_CONNECTS, &out->connects);
    curl_slist_free_all(headers);
}

static struct cpw_http_server *s_start(size_t max_body)
{
    struct cpw_http_server_options opts = {
        .port = 0, .threads = 2, .max_body_bytes = max_body, .handler = s_echo
    };
    struct cpw_http_server *server = cpw_http_server_start(&opts);
    assert_non_null(server);
    assert_true(cpw_http_server_port(server) > 0);
    return server;
}

static void test_raw_target_headers_body(void **state)
{
    (void)state;
    struct cpw_http_server *server = s_start(0);
    CURL *curl = curl_easy_init();
    struct fetch f;
    s_fetch(curl, cpw_http_server_port(server), "GET",
            "/domains/a%20b%3Ac%2Fd~e%25f?next-token=a%20b%2Fc%2Bd&max-results=5", NULL, &f);
    assert_int_equal(f.status, 200);
    assert_string_equal(cpw_buf_cstr(&f.body), "GET|/domains/a%20b%3Ac%2Fd~e%25f|"
                                               "next-token=a%20b%2Fc%2Bd&max-results=5|"
                                               "hello  world|127.0.0.1|arena|");
    cpw_buf_clean_up(&f.body);

    s_fetch(curl, cpw_http_server_port(server), "POST", "/", "Action=ListRoles&Version=2010-05-08",
            &f);
    assert_int_equal(f.status, 200);
    assert_string_equal(cpw_buf_cstr(&f.body),
                        "POST|/||hello  world|127.0.0.1|arena|Action=ListRoles&Version=2010-05-08");
    /* Keep-alive: the second request reused the first connection. */
    assert_int_equal(f.connects, 0);
    cpw_buf_clean_up(&f.body);
    curl_easy_cleanup(curl);
    cpw_http_server_stop(server);
}

static void test_body_limit_answers_413(void **state)
{
    (void)state;
    atomic_store(&s_calls, 0);
    struct cpw_http_server *server = s_start(16);
    CURL *curl = curl_easy_init();
    struct fetch f;
    s_fetch(curl, cpw_http_server_port(server), "PUT", "/x", "0123456789abcdef", &f);
    assert_int_equal(f.status, 200);
    cpw_buf_clean_up(&f.body);
    s_fetch(curl, cpw_http_server_port(server), "PUT", "/x", "0123456789abcdefg", &f);
    assert_int_equal(f.status, 413);
    assert_int_equal(atomic_load(&s_calls), 1); /* the handler never saw the big one */
    cpw_buf_clean_up(&f.body);
    curl_easy_cleanup(curl);
    cpw_http_server_stop(server);
}

static void test_remote_bind_needs_consent(void **state)
{
    (void)state;
    struct cpw_http_server_options opts = { .bind_address = "0.0.0.0", .handler = s_echo };
    assert_null(cpw_http_server_start(&opts));
    assert_int_equal(cpw_last_error(), CPW_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(cpw_last_error_detail(), "--allow-remote"));
    opts.bind_address = "not-an-address";
    opts.allow_remote = true;
    assert_null(cpw_http_server_start(&opts));
    assert_true(cpw_http_is_loopback("127.0.0.2"));
    assert_true(cpw_http_is_loopback("::1"));
    assert_false(cpw_http_is_loopback("10.0.0.1"));
}

struct worker {
    uint16_t port;
    int ok;
};

static void *s_worker(void *arg)
{
    struct worker *w = arg;
    CURL *curl = curl_easy_init();
    for (int i = 0; i < 25; i++) {
        char url[128];
        struct cpw_buf body;
        cpw_buf_init(&body, 4096);
        snprintf(url, sizeof(url), "http://127.0.0.1:%u/n/%d", (unsigned)w->port, i);
        curl_easy_setopt(curl, CURLOPT_URL, url);
        curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, s_collect);
        curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
        curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 10000L);
        long status = 0;
        if (curl_easy_perform(curl) == CURLE_OK) {
            curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
            char expect[32];
            snprintf(expect, sizeof(expect), "GET|/n/%d|", i);
            if (status == 200 && strncmp(cpw_buf_cstr(&body), expect, strlen(expect)) == 0) {
                w->ok++;
            }
        }
        cpw_buf_clean_up(&body);
    }
    curl_easy_cleanup(curl);
    return NULL;
}

static void test_concurrent_clients_lose_nothing(void **state)
{
    (void)state;
    atomic_store(&s_calls, 0);
    struct cpw_http_server *server = s_start(0);
    pthread_t threads[4];
    struct worker workers[4];
    for (int i = 0; i < 4; i++) {
        workers[i].port = cpw_http_server_port(server);
        workers[i].ok = 0;
        pthread_create(&threads[i], NULL, s_worker, &workers[i]);
    }
    int ok = 0;
    for (int i = 0; i < 4; i++) {
        pthread_join(threads[i], NULL);
        ok += workers[i].ok;
    }
    assert_int_equal(ok, 100);
    assert_int_equal(atomic_load(&s_calls), 100);
    cpw_http_server_stop(server);
}

CPW_TEST_MAIN("http_server",
              CPW_TEST(test_raw_target_headers_body),
              CPW_TEST(test_body_limit_answers_413),
              CPW_TEST(test_remote_bind_needs_consent),
              CPW_TEST(test_concurrent_clients_lose_nothing))
