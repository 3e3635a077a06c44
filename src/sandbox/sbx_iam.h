/*
 * sbx_iam.h - what the IAM files of the sandbox share beyond sbx_service.h (internal to
 * src/sandbox/): small store queries and checks their handlers repeat.
 */
#ifndef CPW_SBX_IAM_H
#define CPW_SBX_IAM_H

#include "sbx_service.h"

/**
 * The count(*) that sql (binding two strings: a, and b where NULL binds "") answers, or -1
 * raised (CPW_ERR_STORE).
 */
int cpw_sbx_iam_count(sqlite3 *db, const char *sql, const char *a, const char *b);

/**
 * 0 when the caller's account has the IAM user name, else 1 with NoSuchEntity 404 "The user with
 * name NAME cannot be found." answered, or -1.
 */
int cpw_sbx_iam_need_user(struct cpw_sbx_ctx *ctx, const char *name);

#endif
