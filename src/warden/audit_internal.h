/*
 * audit_internal.h - the audit module's shared internals: a loaded rule set (audit_rules.c) as
 * the evaluator (audit_eval.c) reads it.
 */
#ifndef CPW_AUDIT_INTERNAL_H
#define CPW_AUDIT_INTERNAL_H

#include "cpw/audit.h"
#include "cpw/regex.h"

/** A tag filter or requirement: key, and value (NULL: any value). */
struct cpw_audit_tag_match {
    char *key;
    char *value;
};

/** Which resources a rule looks at; an empty list means "any". */
struct cpw_audit_filter {
    char **accounts;
    size_t account_count;
    char **regions;
    size_t region_count;
    char **names; /* globs (fnmatch) on the domain name, instance alias or role name */
    size_t name_count;
    char **exclude_names;
    size_t exclude_name_count;
    struct cpw_audit_tag_match *tags; /* every one must be present (resources without tags:
                                         roles, trails, never match a tag filter) */
    size_t tag_count;
};

/** A tag key and the values it may take. */
struct cpw_audit_allowed_values {
    char *key;
    char **values;
    size_t value_count;
};

struct cpw_audit_rule_config {
    bool enabled;
    enum cpw_audit_severity severity;
    struct cpw_audit_filter filter;
    /* leftovers */
    enum cpw_inv_confidence min_confidence;
    /* naming */
    struct cpw_regex *domain_pattern;
    struct cpw_regex *instance_pattern;
    /* tagging */
    char **required_keys;
    size_t required_key_count;
    struct cpw_audit_allowed_values *allowed;
    size_t allowed_count;
    /* domain-expiration */
    int64_t min_days;
    int64_t max_days;
    /* domain-empty, documentation, role-unused, role-deletion-task */
    int64_t max_age_days;
    /* domain-owner-tag */
    char *tag_key;
    /* least-privilege */
    char **allow_principals; /* globs on principal ARNs */
    size_t allow_principal_count;
};

struct cpw_audit_rules {
    char *source;
    struct cpw_audit_filter filter; /* applies to every rule, before its own */
    struct cpw_audit_rule_config rules[CPW_AUDIT_RULE_COUNT_];
};

#endif
