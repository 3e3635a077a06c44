/*
 * api_params.h - `cpwarden api` parameters as AWS CLI users type them: one kebab-case flag per
 * member of the operation's input (`--domain-name X`), values in the AWS CLI's forms (a scalar, a
 * list as several words, JSON, the `k=v,k2=v2` shorthand, `file://PATH`), and the input
 * skeleton (`--generate-cli-skeleton`).
 */
#ifndef CPW_CLI_API_PARAMS_H
#define CPW_CLI_API_PARAMS_H

#include <jansson.h>
#include <stddef.h>

#include "cpw/model.h"

/**
 * The AWS CLI's name for a model member (botocore's xform_name with '-'): "DomainName" ->
 * "domain-name", "RoleARNs" -> "role-arns". Writes a NUL-terminated string into out.
 */
void cpw_cli_api_flag_name(const char *member, char *out, size_t size);

/**
 * Sets into input (an object, owned by the caller) the members that words name: each flag
 * "--kebab-name" (or "--kebab-name=value") with the words after it up to the next flag as its
 * value(s); a boolean member is also "--name" alone (true) or "--no-name" (false). Values are
 * converted by the member's shape. Returns 0, or -1 with CPW_ERR_INVALID_ARGUMENT naming the
 * flag (an unknown one with the nearest suggested) or the bad value.
 */
int cpw_cli_api_params(const struct cpw_model_service *svc,
                       const char *operation,
                       int count,
                       char **words,
                       json_t *input);

/**
 * The operation's input skeleton as the AWS CLI's --generate-cli-skeleton writes it: every
 * member with an empty value of its type ("" strings, 0 numbers, true booleans, a list of one,
 * a map of one "KeyName"), nested structures expanded (recursion stopped at 8 levels). Owned.
 */
json_t *cpw_cli_api_skeleton(const struct cpw_model_service *svc, const char *operation);

/**
 * The value of a "file://PATH" word: the file's text (at most 16 MiB) into *text (owned); any
 * other word: *text = NULL. Returns 0, or -1 with CPW_ERR_IO.
 */
int cpw_cli_api_file_value(const char *word, char **text);

#endif
