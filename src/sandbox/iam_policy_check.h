/*
 * iam_policy_check.h - IAM's grammar for the policy documents the sandbox stores, without a
 * request: what iam_policy_check.c decides, for the unit tests and the fuzz target.
 * The sandbox's handlers call cpw_sbx_iam_check_policy() (sbx_service.h), which answers the
 * same message as a MalformedPolicyDocument error.
 */
#ifndef CPW_SBX_IAM_POLICY_CHECK_H
#define CPW_SBX_IAM_POLICY_CHECK_H

#include <stdbool.h>

#include "cpw/buf.h"
#include "sbx_service.h"

/* Cap of a message: resources are quoted into it, at most this many bytes of each. */
#define CPW_SBX_POLICY_MESSAGE_MAX 4096u

/**
 * Checks document (NUL-terminated JSON text; NULL is refused) as IAM checks a policy of kind.
 * Returns 0 when IAM accepts it; 1 when IAM refuses it, with IAM's MalformedPolicyDocument
 * message in message (reset first; the caller owns the buffer, initialised with any cap of at
 * least CPW_SBX_POLICY_MESSAGE_MAX); -1 with the error raised when the message does not fit.
 * Pure and thread-safe: it reads only its arguments.
 */
int cpw_sbx_iam_policy_problem(const char *document,
                               enum cpw_sbx_policy_kind kind,
                               struct cpw_buf *message);

/**
 * Whether IAM's legacy parser reads value (NUL-terminated) as a Date condition value: ISO 8601
 * ([-]YYYY[-MM[-DD]][THH[:MM[:SS[.fraction][Z|+HH[:MM]]]]], case-insensitive) when it holds a
 * "-" or a "T", else whole epoch seconds from 0 to 2^63-1. Pure (iam_policy_dates.c).
 */
bool cpw_sbx_iam_policy_date_ok(const char *value);

#endif
