/*
 * backup_internal.h - what backup export, restore and document share: one AWS call with its
 * error turned into a sentence, and the caller's identity.
 */
#ifndef CPW_WARDEN_BACKUP_INTERNAL_H
#define CPW_WARDEN_BACKUP_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>

#include "cpw/aws_client.h"
#include "cpw/backup_file.h"

/**
 * Calls service/operation in region (NULL: the client's) with input (consumed; NULL means {}),
 * every page when all_pages. Returns 0 with *output owned by the caller, or -1 with the error
 * raised as cpw_aws_call_classified raises it: CPW_ERR_NOT_FOUND only for the service's own
 * not-found code (aws_call.h), else CPW_ERR_AWS / the client's error, the detail naming the
 * operation and the service's message.
 */
int cpw_backup_call(struct cpw_aws_client *client,
                    const char *region,
                    const char *service,
                    const char *operation,
                    json_t *input,
                    bool all_pages,
                    json_t **output);

/**
 * The caller's account (12 digits, into account[16]) and ARN (into arn, arn_size bytes) from
 * STS GetCallerIdentity (cpw_aws_caller_identity). Returns 0 or -1.
 */
int cpw_backup_caller(struct cpw_aws_client *client,
                      const char *region,
                      char account[16],
                      char *arn,
                      size_t arn_size);

/*
 * One list section of a backup: the List operation (every page; its items under items_key,
 * each named by name_member) and the Get operation reading one item in full (input member
 * get_member), or get_op NULL when the List items are whole. The table's order is the export's
 * and restore's dependency order (backup_coverage.c).
 */
struct cpw_backup_kind {
    enum cpw_backup_section section;
    const char *list_op;
    const char *items_key;
    const char *name_member;
    const char *get_op;
    const char *get_member;
};

/** The list sections; static storage. */
const struct cpw_backup_kind *cpw_backup_kinds(size_t *count);

/** cpw_json_project (json.h): the members of src named in keys, without null, {} and []. */
json_t *cpw_backup_project(const json_t *src, const char *const *keys);

#endif
