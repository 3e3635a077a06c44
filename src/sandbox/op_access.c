/*
 * op_access.c - which sandbox operations run on a read connection (sbx_state.h).
 *
 * The rule is CloudTrail's: Get*, List*, Describe* and LookupEvents are reads; everything else
 * (creating, deleting, tagging, assuming roles, ...) writes, if only its CloudTrail event, and
 * runs through the writer. The table below lists the read-named operations that must run
 * through the writer anyway because what they answer is bookkeeping the writer applies.
 * Asynchronous work that comes due during a read (a service-linked role deletion task, a
 * CreateAccount request, a Connect instance's role clean-up) needs no row here: the read
 * connection refuses the write, and dispatch runs the request again through the writer.
 */
#include <string.h>

#include "sbx_state.h"

static const struct {
    const char *service;
    const char *operation;
} s_writer_reads[] = {
    /* Key uses made on read connections wait in their ledgers until the writer applies them. */
    { "iam", "GetAccessKeyLastUsed" },
    /* Writes the session's credentials. */
    { "sts", "GetSessionToken" },
    /* Gives the user its bookkeeping row on first use. */
    { "iam", "ListUserTags" },
    { "iam", "GetLoginProfile" },
};

static bool s_starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool cpw_sbx_op_reads_only(const char *service, const char *operation)
{
    if (service == NULL || operation == NULL) {
        return false;
    }
    if (!s_starts_with(operation, "Get") && !s_starts_with(operation, "List") &&
        !s_starts_with(operation, "Describe") && strcmp(operation, "LookupEvents") != 0) {
        return false;
    }
    for (size_t i = 0; i < sizeof(s_writer_reads) / sizeof(s_writer_reads[0]); i++) {
        if (strcmp(s_writer_reads[i].service, service) == 0 &&
            strcmp(s_writer_reads[i].operation, operation) == 0) {
            return false;
        }
    }
    return true;
}
