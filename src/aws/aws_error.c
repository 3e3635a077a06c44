/*
 * aws_error.c - AWS service errors as data: lifecycle, retry class, and the CLI's message line.
 */
#include "cpw/aws_error.h"

#include <string.h>

#include "cpw/alloc.h"

/* botocore retries/standard.py: the throttling and transient error codes. */
static const char *const s_throttling_codes[] = {
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
};

static const char *const s_transient_codes[] = {
    "RequestTimeout",
    "RequestTimeoutException",
    "PriorRequestNotComplete",
};

static bool s_in(const char *code, const char *const *list, size_t n)
{
    for (size_t i = 0; code && i < n; i++) {
        if (strcmp(code, list[i]) == 0) {
            return true;
        }
    }
    return false;
}

void cpw_aws_error_init(struct cpw_aws_error *err)
{
    memset(err, 0, sizeof(*err));
    err->error_class = CPW_AWS_ERROR_CLIENT;
}

void cpw_aws_error_clean_up(struct cpw_aws_error *err)
{
    if (!err) {
        return;
    }
    cpw_free(err->code);
    cpw_free(err->message);
    cpw_free(err->type);
    cpw_free(err->request_id);
    cpw_aws_error_init(err);
}

void cpw_aws_error_set_field(char **field, const char *value)
{
    cpw_free(*field);
    *field = value ? cpw_strdup(value) : NULL;
}

void cpw_aws_error_set(struct cpw_aws_error *err,
                       long http_status,
                       const char *code,
                       const char *message_fmt,
                       ...)
{
    struct cpw_buf msg;
    cpw_buf_init(&msg, 64u * 1024u);
    va_list ap;
    va_start(ap, message_fmt);
    (void)cpw_buf_vappendf(&msg, message_fmt, ap); /* past the cap: an empty message */
    va_end(ap);
    cpw_free(err->message);
    err->message = cpw_buf_detach(&msg);
    cpw_aws_error_set_field(&err->code, code ? code : "");
    cpw_aws_error_set_field(&err->type, NULL);
    err->http_status = http_status;
    err->error_class = cpw_aws_error_classify(err->code, http_status);
}

enum cpw_aws_error_class cpw_aws_error_classify(const char *code, long http_status)
{
    if (s_in(code, s_throttling_codes, sizeof(s_throttling_codes) / sizeof(*s_throttling_codes))) {
        return CPW_AWS_ERROR_THROTTLING;
    }
    if (s_in(code, s_transient_codes, sizeof(s_transient_codes) / sizeof(*s_transient_codes)) ||
        http_status == 500 || http_status == 502 || http_status == 503 || http_status == 504) {
        return CPW_AWS_ERROR_TRANSIENT;
    }
    return http_status >= 500 ? CPW_AWS_ERROR_SERVER : CPW_AWS_ERROR_CLIENT;
}

bool cpw_aws_error_is_retryable(const struct cpw_aws_error *err)
{
    return err->error_class == CPW_AWS_ERROR_THROTTLING ||
           err->error_class == CPW_AWS_ERROR_TRANSIENT;
}

int cpw_aws_error_format(const struct cpw_aws_error *err,
                         const char *operation,
                         struct cpw_buf *out)
{
    const char *code = err->code && err->code[0] ? err->code : "Unknown";
    /* Code and message come from the server: shown with control characters escaped, so that a
     * message cannot drive the terminal (clear it, retitle it, hide text). */
    if (cpw_buf_append_cstr(out, "An error occurred (") ||
        cpw_buf_append_printable(out, cpw_span_from_cstr(code), 0) ||
        cpw_buf_appendf(out, ") when calling the %s operation: ", operation)) {
        return -1;
    }
    return cpw_buf_append_printable(out,
                                    cpw_span_from_cstr(err->message ? err->message : "Unknown"), 0);
}
