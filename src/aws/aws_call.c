/*
 * aws_call.c - one blocking AWS call classified (ok / not-found / access-denied / throttled /
 * other), the per-service not-found codes, and the caller's identity.
 */
#include "cpw/aws_call.h"

#include <string.h>

#include "cpw/alloc.h"
#include "cpw/error.h"
#include "cpw/json.h"

#define SENTENCE_MAX_BYTES 4096u

/* The code each service answers for a resource that does not exist (its API reference). */
static const struct {
    const char *service;
    const char *code;
} s_not_found[] = {
    { "customer-profiles", "ResourceNotFoundException" },
    { "connect", "ResourceNotFoundException" },
    { "iam", "NoSuchEntity" },
};

static const char *const s_access_denied[] = {
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
};

const char *cpw_aws_outcome_name(enum cpw_aws_outcome outcome)
{
    switch (outcome) {
    case CPW_AWS_OUTCOME_OK:
        return "ok";
    case CPW_AWS_OUTCOME_NOT_FOUND:
        return "not-found";
    case CPW_AWS_OUTCOME_ACCESS_DENIED:
        return "access-denied";
    case CPW_AWS_OUTCOME_THROTTLED:
        return "throttled";
    case CPW_AWS_OUTCOME_OTHER:
        break;
    }
    return "other";
}

const char *cpw_aws_not_found_code(const char *service)
{
    for (size_t i = 0; service && i < sizeof(s_not_found) / sizeof(s_not_found[0]); i++) {
        if (strcmp(service, s_not_found[i].service) == 0) {
            return s_not_found[i].code;
        }
    }
    return NULL;
}

bool cpw_aws_is_not_found(const char *service, const char *code)
{
    const char *expected = cpw_aws_not_found_code(service);
    return expected && code && strcmp(code, expected) == 0;
}

enum cpw_aws_outcome cpw_aws_classify(const char *service,
                                      int status,
                                      const struct cpw_aws_error *aws)
{
    if (status == 0) {
        return CPW_AWS_OUTCOME_OK;
    }
    const char *code = aws ? aws->code : NULL;
    if (!code || !*code) {
        return CPW_AWS_OUTCOME_OTHER; /* no service answer: never a definite not-found */
    }
    if (cpw_aws_is_not_found(service, code)) {
        return CPW_AWS_OUTCOME_NOT_FOUND;
    }
    for (size_t i = 0; i < sizeof(s_access_denied) / sizeof(s_access_denied[0]); i++) {
        if (strcmp(code, s_access_denied[i]) == 0) {
            return CPW_AWS_OUTCOME_ACCESS_DENIED;
        }
    }
    if (cpw_aws_error_classify(code, aws->http_status) == CPW_AWS_ERROR_THROTTLING) {
        return CPW_AWS_OUTCOME_THROTTLED;
    }
    return CPW_AWS_OUTCOME_OTHER;
}

int cpw_aws_call_classified(struct cpw_aws_client *client,
                            const struct cpw_aws_call *call,
                            bool all_pages,
                            json_t **output,
                            struct cpw_aws_error *aws,
                            enum cpw_aws_outcome *outcome)
{
    struct cpw_aws_error local;
    cpw_aws_error_init(&local);
    struct cpw_aws_error *err = aws ? aws : &local;
    *output = NULL;
    int rc = all_pages ? cpw_aws_client_call_all_pages(client, call, 0, output, err)
                       : cpw_aws_client_call(client, call, output, err);
    /* A service error is only trusted as such when the client raised it as one. */
    bool answered = rc != 0 && cpw_last_error() == CPW_ERR_AWS && err->code;
    *outcome = rc == 0
                 ? CPW_AWS_OUTCOME_OK
                 : (answered ? cpw_aws_classify(call->service, rc, err) : CPW_AWS_OUTCOME_OTHER);
    if (answered) {
        struct cpw_buf line;
        cpw_buf_init(&line, SENTENCE_MAX_BYTES);
        (void)cpw_aws_error_format(err, call->operation, &line);
        cpw_raise(*outcome == CPW_AWS_OUTCOME_NOT_FOUND ? CPW_ERR_NOT_FOUND : CPW_ERR_AWS, "%s",
                  cpw_buf_cstr(&line));
        cpw_buf_clean_up(&line);
    }
    cpw_aws_error_clean_up(&local);
    return rc == 0 ? 0 : -1;
}

void cpw_aws_identity_clean_up(struct cpw_aws_identity *identity)
{
    if (!identity) {
        return;
    }
    cpw_free(identity->account);
    cpw_free(identity->arn);
    cpw_free(identity->user_id);
    cpw_free(identity->partition);
    memset(identity, 0, sizeof(*identity));
}

static bool s_account_id(const char *s)
{
    if (!s || strlen(s) != 12) {
        return false;
    }
    for (size_t i = 0; i < 12; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
    }
    return true;
}

int cpw_aws_identity_from_output(const json_t *doc, struct cpw_aws_identity *out)
{
    memset(out, 0, sizeof(*out));
    const char *account = cpw_json_get_string(doc, "Account");
    const char *arn = cpw_json_get_string(doc, "Arn");
    const char *user_id = cpw_json_get_string(doc, "UserId");
    if (!s_account_id(account) || !arn) {
        return cpw_raise(CPW_ERR_AWS, "GetCallerIdentity answered without a 12-digit Account or "
                                      "without an Arn");
    }
    out->account = cpw_strdup(account);
    out->arn = cpw_strdup(arn);
    out->user_id = user_id ? cpw_strdup(user_id) : NULL;
    const char *colon = strncmp(arn, "arn:", 4) == 0 ? strchr(arn + 4, ':') : NULL;
    out->partition = colon && colon > arn + 4 ? cpw_strndup(arn + 4, (size_t)(colon - arn - 4))
                                              : cpw_strdup("aws");
    return 0;
}

int cpw_aws_caller_identity(struct cpw_aws_client *client,
                            const char *region,
                            struct cpw_aws_identity *out,
                            struct cpw_aws_error *aws)
{
    memset(out, 0, sizeof(*out));
    struct cpw_aws_call call = { .service = "sts",
                                 .operation = "GetCallerIdentity",
                                 .region = region };
    enum cpw_aws_outcome outcome;
    json_t *doc = NULL;
    if (cpw_aws_call_classified(client, &call, false, &doc, aws, &outcome)) {
        return -1;
    }
    int rc = cpw_aws_identity_from_output(doc, out);
    cpw_json_release(doc);
    return rc;
}
