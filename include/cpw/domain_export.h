/*
 * domain_export.h - a Customer Profiles domain's configuration exported from AWS into a backup
 * file (backup_file.h): what `cpwarden apply` runs for a backup-domain step, and what
 * `cpwarden backup` can share.
 *
 * Calls: GetDomain (settings, matching, rule-based matching, stats), ListTagsForResource,
 * ListIntegrations, ListProfileObjectTypes + GetProfileObjectType for each, ListEventStreams +
 * GetEventStream for each, ListCalculatedAttributeDefinitions + GetCalculatedAttributeDefinition
 * for each. Profiles are not exported (configuration only). The file is written 0600 and appears
 * atomically, then is read back and verified before the export reports success.
 *
 * Thread-safety: as the client (one thread).
 */
#ifndef CPW_DOMAIN_EXPORT_H
#define CPW_DOMAIN_EXPORT_H

#include <stdbool.h>

#include "cpw/aws_client.h"
#include "cpw/backup_file.h"

struct cpw_domain_export_options {
    struct cpw_aws_client *client; /* required */
    const char *account;           /* 12 digits, required */
    const char *region;            /* required */
    const char *domain;            /* required */
    const char *source_identity;   /* the caller's ARN, recorded in the header */
    const char *path;              /* the backup file to write (replaced atomically) */
};

/**
 * Exports the domain to opts->path and verifies the file by reading it back. *exists (may be
 * NULL) is set false when GetDomain answers ResourceNotFoundException (nothing is written and 0
 * is returned). counts (may be NULL) receives what the header records. Returns 0, or -1 with
 * CPW_ERR_AWS (the AWS CLI's sentence), CPW_ERR_IO, or the reader's errors.
 */
int cpw_domain_export(const struct cpw_domain_export_options *opts,
                      bool *exists,
                      struct cpw_backup_counts *counts);

#endif
