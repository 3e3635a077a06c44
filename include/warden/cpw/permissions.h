/*
 * permissions.h - the IAM actions each cpwarden command calls, with the resources they act on and
 * why, and the least-privilege IAM policy built from them (`cpwarden policy`, docs/permissions.md).
 * `cpwarden doctor` checks the same rows with iam:SimulatePrincipalPolicy.
 *
 * The table is what the code calls, not a wish list: tests/e2e/test_permissions_trace.sh runs
 * every command against the sandbox with --debug and fails when a called action is missing from
 * the command's rows, or when a row that says it is needed on every run was never called.
 *
 * Resources are templates in the service authorization reference's notation: ${Partition} and
 * ${RoleName} (the role assumed in member accounts) are expanded by cpw_permissions_resource;
 * "*" where the action has no resource type (every List*, sts:GetCallerIdentity, ...).
 *
 * Everything here is static data or owned results; thread-safe.
 */
#ifndef CPW_PERMISSIONS_H
#define CPW_PERMISSIONS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "cpw/buf.h"

/* The resource groups: one policy statement per command and group (its Sid's suffix). */
#define CPW_PERMISSIONS_RESOURCE_LIST(X)                                                           \
    X(ANY, "Any", "*")                                                                             \
    X(DOMAINS, "ProfileDomains", "arn:${Partition}:profile:*:*:domains/*")                         \
    X(INSTANCES, "ConnectInstances", "arn:${Partition}:connect:*:*:instance/*")                    \
    X(PROFILE_ROLES, "ProfileRoles",                                                               \
      "arn:${Partition}:iam::*:role/aws-service-role/profile.amazonaws.com/"                       \
      "AWSServiceRoleForProfile*")                                                                 \
    X(CONNECT_ROLES, "ConnectRoles",                                                               \
      "arn:${Partition}:iam::*:role/aws-service-role/connect.amazonaws.com/"                       \
      "AWSServiceRoleForAmazonConnect*")                                                           \
    X(TRAILS, "Trails", "arn:${Partition}:cloudtrail:*:*:trail/*")                                 \
    X(ROLES, "Roles", "arn:${Partition}:iam::*:role/*")                                            \
    X(MEMBER_ROLE, "MemberRole", "arn:${Partition}:iam::*:role/${RoleName}")

enum cpw_permissions_resource {
#define CPW_PERMISSIONS_RESOURCE_ENUM(id, label, tmpl) CPW_PERMISSIONS_RES_##id,
    CPW_PERMISSIONS_RESOURCE_LIST(CPW_PERMISSIONS_RESOURCE_ENUM)
#undef CPW_PERMISSIONS_RESOURCE_ENUM
      CPW_PERMISSIONS_RES_COUNT
};

/** One action a command needs. Static storage. */
struct cpw_permission {
    const char *command; /* "inventory", "apply", ... */
    const char *action;  /* "profile:DeleteDomain" */
    enum cpw_permissions_resource resource;
    const char *when; /* NULL: every run that finds something to read or change; else the
                         option or condition under which it is called ("--org", ...) */
    const char *why;  /* one line */
};

/** The rows, command by command in cpw_permissions_commands order. Static storage. */
const struct cpw_permission *cpw_permissions(size_t *count);

/** The commands that call AWS, in table order. Static storage. */
const char *const *cpw_permissions_commands(size_t *count);

/** True when name is one of cpw_permissions_commands. */
bool cpw_permissions_has_command(const char *name);

/** The group's Sid suffix ("ProfileDomains") and its template. Static storage. */
const char *cpw_permissions_resource_label(enum cpw_permissions_resource resource);
const char *cpw_permissions_resource_template(enum cpw_permissions_resource resource);

/** What a policy or a check covers. */
struct cpw_permissions_options {
    const char *const *commands; /* NULL or empty: every command */
    size_t command_count;
    const char *partition; /* NULL: "aws" */
    const char *role_name; /* NULL: OrganizationAccountAccessRole */
    const char *account;   /* NULL: "*"; else the account id put in the ARNs (doctor) */
};

/**
 * The resource template of group expanded with options' partition, role name and account into
 * out (capped). 0, or -1 with CPW_ERR_LIMIT.
 */
int cpw_permissions_resource(enum cpw_permissions_resource resource,
                             const struct cpw_permissions_options *options,
                             char *out,
                             size_t out_size);

/**
 * The IAM policy document for options' commands: {"Version": "2012-10-17", "Statement": [...]},
 * one Allow statement per command and resource group, Sid = the command's name capitalised and
 * the group's label ("ApplyProfileDomains"), actions sorted, statements in table order; an
 * action an earlier command's statement grants on the same resource is not repeated (so that
 * every command together stays under IAM's 6,144-character managed policy limit). Owned
 * (cpw_json_release); NULL with CPW_ERR_INVALID_ARGUMENT naming an unknown command.
 */
json_t *cpw_permissions_policy(const struct cpw_permissions_options *options);

/**
 * The rows for options' commands as a JSON array of {"command","action","resource","when",
 * "why","sid"} (when null for every run). Owned; NULL as cpw_permissions_policy.
 */
json_t *cpw_permissions_rows(const struct cpw_permissions_options *options);

/** The rows as a text table (COMMAND ACTION RESOURCE WHEN WHY). 0, or -1. */
int cpw_permissions_table(const struct cpw_permissions_options *options, struct cpw_buf *out);

/** The rows as Markdown, a section per command (docs/permissions.md's tables). 0, or -1. */
int cpw_permissions_markdown(const struct cpw_permissions_options *options, struct cpw_buf *out);

/**
 * The statement for the given rows of one command (for a fix: the missing actions of a group),
 * Sid as in the policy. rows point into cpw_permissions(); all must share command and group.
 * Owned; NULL for count 0.
 */
json_t *cpw_permissions_statement(const struct cpw_permission *const *rows,
                                  size_t count,
                                  const struct cpw_permissions_options *options);

#endif
