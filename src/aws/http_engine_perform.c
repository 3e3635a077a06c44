/*
 * http_engine_perform.c - the blocking convenience over the HTTP engine: submit one call, run
 * the engine until everything is done, hand back the response. Uses only the public engine API.
 */
#include "cpw/http_engine.h"

#include <stdbool.h>

/* perform's own done needs its state as user while prepare/classify keep the caller's: the
 * trampolines below forward to the caller's callbacks. */
struct s_perform_state {
    const struct cpw_http_call_options *caller;
    bool finished;
    struct cpw_http_result result;
};

static int s_perform_prepare(void *user, struct cpw_http_request *request, unsigned attempt)
{
    struct s_perform_state *st = user;
    return st->caller->prepare(st->caller->user, request, attempt);
}

static enum cpw_http_verdict s_perform_classify(void *user,
                                                const struct cpw_http_response *response,
                                                const struct cpw_http_transport_error *transport)
{
    struct s_perform_state *st = user;
    return st->caller->classify(st->caller->user, response, transport);
}

static void s_perform_done(void *user, struct cpw_http_result *result)
{
    struct s_perform_state *st = user;
    st->finished = true;
    st->result = *result;
    cpw_http_response_init(&result->response); /* moved into st */
}

int cpw_http_engine_perform(struct cpw_http_engine *engine,
                            const struct cpw_http_call_options *options,
                            struct cpw_http_response *out,
                            struct cpw_http_result *result)
{
    cpw_http_response_init(out);
    if (!options) {
        return cpw_raise(CPW_ERR_INVALID_ARGUMENT, "no call options");
    }
    struct s_perform_state st = { .caller = options };
    cpw_http_response_init(&st.result.response);
    struct cpw_http_call_options o = *options;
    o.prepare = options->prepare ? s_perform_prepare : NULL;
    o.classify = options->classify ? s_perform_classify : NULL;
    o.done = s_perform_done;
    o.user = &st;
    if (cpw_http_engine_submit(engine, &o) != 0) {
        return -1;
    }
    int rc = cpw_http_engine_run(engine);
    *out = st.result.response;
    cpw_http_response_init(&st.result.response);
    if (result) {
        *result = st.result;
    }
    if (rc != 0) {
        return -1;
    }
    if (!st.finished || st.result.error != CPW_ERR_NONE) {
        return cpw_raise(st.finished ? st.result.error : CPW_ERR_INTERNAL, "%s",
                         st.finished ? st.result.detail : "the call did not finish");
    }
    return 0;
}
