/*
 * http_engine_verdict.c - the HTTP engine's vocabulary for outcomes: names of transport error
 * categories and verdicts (for messages and logs), and the default classification used when a
 * call brings none.
 */
#include "cpw/http_engine.h"

const char *cpw_http_transport_category_name(enum cpw_http_transport_category category)
{
    switch (category) {
    case CPW_HTTP_TRANSPORT_NONE:
        return "none";
    case CPW_HTTP_TRANSPORT_DNS:
        return "dns";
    case CPW_HTTP_TRANSPORT_CONNECT:
        return "connect";
    case CPW_HTTP_TRANSPORT_TIMEOUT:
        return "timeout";
    case CPW_HTTP_TRANSPORT_CONNECTION:
        return "connection";
    case CPW_HTTP_TRANSPORT_TLS:
        return "tls";
    case CPW_HTTP_TRANSPORT_BODY_LIMIT:
        return "too-large";
    case CPW_HTTP_TRANSPORT_OTHER:
    default:
        return "other";
    }
}

const char *cpw_http_verdict_name(enum cpw_http_verdict verdict)
{
    switch (verdict) {
    case CPW_HTTP_VERDICT_SUCCESS:
        return "success";
    case CPW_HTTP_VERDICT_RETRY_THROTTLE:
        return "throttle";
    case CPW_HTTP_VERDICT_RETRY_TRANSIENT:
        return "transient";
    case CPW_HTTP_VERDICT_FAIL:
    default:
        return "fail";
    }
}

enum cpw_http_verdict cpw_http_classify_default(void *user,
                                                const struct cpw_http_response *response,
                                                const struct cpw_http_transport_error *transport)
{
    (void)user;
    if (transport) {
        return transport->category == CPW_HTTP_TRANSPORT_BODY_LIMIT
                 ? CPW_HTTP_VERDICT_FAIL
                 : CPW_HTTP_VERDICT_RETRY_TRANSIENT;
    }
    long status = response ? response->status : 0;
    if (status == 429) {
        return CPW_HTTP_VERDICT_RETRY_THROTTLE;
    }
    if (status == 500 || status == 502 || status == 503 || status == 504) {
        return CPW_HTTP_VERDICT_RETRY_TRANSIENT;
    }
    if (status >= 100 && status < 400) {
        return CPW_HTTP_VERDICT_SUCCESS;
    }
    return CPW_HTTP_VERDICT_FAIL;
}
