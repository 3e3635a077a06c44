/*
 * document.h - `cpwarden document`: the runbook's documentation template filled in for one
 * Customer Profiles domain (or every domain of a region), as a JSON document and as Markdown.
 *
 * Each domain's document holds: the region and account; the domain and its associated Connect
 * instances (integrations whose Uri is an instance ARN, each with its DescribeInstance status,
 * or "GONE" when the instance no longer exists); the domain's AWSServiceRoleForProfile_* role
 * with how sure the link is (inventory.h's linking: CloudTrail certain, creation time likely,
 * last use possible); a configuration summary (encryption key, dead-letter queue, matching,
 * object types, integrations, event streams, calculated attributes, and under its backup section
 * name the item names of every other kind a backup carries, profile count); and the
 * runbook's pre-deletion checklist (no ACTIVE instance uses the domain; profile count recorded;
 * a backup exists in the backups index; role identified), each item with ok and a detail.
 *
 * Ownership: documents are owned by the caller. Thread-safety: the client's.
 */
#ifndef CPW_DOCUMENT_H
#define CPW_DOCUMENT_H

#include <jansson.h>

#include "cpw/aws_client.h"
#include "cpw/buf.h"
#include "cpw/store.h"

struct cpw_document_options {
    const char *account;     /* the account; NULL: STS GetCallerIdentity */
    struct cpw_store *store; /* borrowed: the backups index; NULL: "backup exists" unknown */
};

/**
 * Documents domain (NULL: every domain of the region, from ListDomains) in region (required)
 * and appends one document per domain to documents (a JSON array). IAM and CloudTrail failures
 * only lower the role's confidence (the document says why); a Customer Profiles failure fails
 * the call. Returns 0, or -1 with the error raised (CPW_ERR_NOT_FOUND for an unknown domain,
 * CPW_ERR_AWS).
 */
int cpw_document_region(struct cpw_aws_client *client,
                        const char *region,
                        const char *domain,
                        const struct cpw_document_options *options,
                        json_t *documents);

/**
 * Appends the documents (an array from cpw_document_region) as Markdown to out: per domain the
 * template's sections (Overview, Associated instances, Service-linked role, Configuration,
 * Pre-deletion checklist). Returns 0 or -1 (CPW_ERR_LIMIT).
 */
int cpw_document_markdown(const json_t *documents, struct cpw_buf *out);

#endif
