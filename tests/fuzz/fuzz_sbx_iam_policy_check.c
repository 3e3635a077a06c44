/*
 * fuzz_sbx_iam_policy_check.c - the sandbox's check of stored IAM policy documents on arbitrary
 * bytes, as a permissions policy and as a trust policy: it must accept (0) or refuse with a
 * non-empty MalformedPolicyDocument message (1), never fail, crash or leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/sandbox/iam_policy_check.h"
#include "cpw/alloc.h"
#include "cpw/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* The handlers pass NUL-terminated text: the bytes up to the first NUL. */
    char *text = cpw_malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    const enum cpw_sbx_policy_kind kinds[] = { CPW_SBX_POLICY_IDENTITY, CPW_SBX_POLICY_TRUST };
    for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
        struct cpw_buf message;
        cpw_buf_init(&message, CPW_SBX_POLICY_MESSAGE_MAX);
        int rc = cpw_sbx_iam_policy_problem(text, kinds[k], &message);
        if (rc != 0 && (rc != 1 || message.len == 0)) {
            abort();
        }
        cpw_buf_clean_up(&message);
    }
    cpw_free(text);
    return 0;
}
