/*
 * credentials_http.c - the one blocking HTTP request the container and IMDS credential sources
 * make, on a plain libcurl easy handle with short timeouts, no proxy and no redirects. These
 * endpoints are link-local or loopback services, not AWS APIs, so the client engine is not
 * involved.
 */
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "cpw/crypto.h"
#include "credentials_internal.h"

static pthread_once_t s_curl_once = PTHREAD_ONCE_INIT;
static CURLcode s_curl_init_rc;

static void s_curl_init(void)
{
    s_curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

struct sink {
    struct cpw_buf *body;
    bool overflow;
};

static size_t s_write(char *data, size_t size, size_t count, void *user)
{
    struct sink *sink = user;
    size_t n = size * count;
    if (sink->body->len + n > sink->body->max) {
        sink->overflow = true;
        return 0; /* curl stops with CURLE_WRITE_ERROR */
    }
    (void)cpw_buf_append(sink->body, cpw_span_from(data, n));
    return n;
}

int cpw_credentials_http_fetch(const struct cpw_credentials_http *req,
                               long *status,
                               struct cpw_buf *body)
{
    *status = 0;
    pthread_once(&s_curl_once, s_curl_init);
    if (s_curl_init_rc != CURLE_OK) {
        return cpw_raise(CPW_ERR_HTTP, "libcurl could not start: %s",
                         curl_easy_strerror(s_curl_init_rc));
    }
    CURL *curl = curl_easy_init();
    if (!curl) {
        return cpw_raise(CPW_ERR_HTTP, "libcurl could not create a handle");
    }
    struct curl_slist *headers = NULL;
    char line[8192];
    if (req->header_name) {
        snprintf(line, sizeof(line), "%s: %s", req->header_name, req->header_value);
        headers = curl_slist_append(headers, line);
    }
    if (strcmp(req->method, "PUT") == 0) {
        /* A PUT without a body still says so (curl adds nothing for a custom method). */
        headers = curl_slist_append(headers, "Content-Length: 0");
    }
    struct sink sink = { .body = body };
    char errbuf[CURL_ERROR_SIZE] = "";
    long timeout_ms = req->timeout_ms > 0 ? (long)req->timeout_ms : 1000L;
    curl_easy_setopt(curl, CURLOPT_URL, req->url);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, req->method);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, s_write);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
    CURLcode rc = curl_easy_perform(curl);
    int result = 0;
    if (rc == CURLE_OK) {
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
    } else if (sink.overflow) {
        result = cpw_raise(CPW_ERR_LIMIT, "the answer is larger than %zu bytes", body->max);
    } else {
        result = cpw_raise(rc == CURLE_OPERATION_TIMEDOUT ? CPW_ERR_TIMEOUT : CPW_ERR_HTTP, "%s",
                           errbuf[0] ? errbuf : curl_easy_strerror(rc));
    }
    curl_slist_free_all(headers);
    cpw_secure_zero(line, sizeof(line)); /* it may have held an authorization token */
    curl_easy_cleanup(curl);
    return result;
}
