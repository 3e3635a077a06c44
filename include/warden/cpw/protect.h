/*
 * protect.h - what cpwarden must never touch: cpwarden's own configuration file.
 *
 * The file is `$XDG_CONFIG_HOME/cpwarden/config` (else `~/.config/cpwarden/config`) or a path
 * given by the caller; docs/configuration.md describes its format:
 *
 *   [accounts]
 *   blocklist = 111111111111, 222222222222
 *   allow = 333333333333
 *   [protect]
 *   domains = prod-*, *-keep
 *   roles = AWSServiceRoleForAmazonConnect_Keep*
 *   tag_key = cpwarden:protect
 *   tag_value = *
 *
 * The blocklist is never touched; allow, when set, is the only accounts touched; domains and
 * roles are fnmatch(3) globs on names; a resource carrying tag_key with tag_value ('*': any
 * value, the default) is protected.
 *
 * Every deletion a plan proposes is checked here first; a protected target becomes a skipped
 * action whose reason names the rule (and the file and line that set it).
 *
 * Ownership: struct cpw_protect is owned by whoever loaded it (cpw_protect_destroy).
 * Thread-safety: immutable after load; concurrent checks are safe.
 */
#ifndef CPW_PROTECT_H
#define CPW_PROTECT_H

#include <stddef.h>

#define CPW_PROTECT_DEFAULT_TAG_KEY "cpwarden:protect"

/** One resource tag, borrowed strings. */
struct cpw_tag {
    const char *key;
    const char *value;
};

/** What kind of resource is checked (selects the glob list). */
enum cpw_protect_kind {
    CPW_PROTECT_DOMAIN,  /* a Customer Profiles domain, by domain name */
    CPW_PROTECT_ROLE,    /* an IAM (service-linked) role, by role name */
    CPW_PROTECT_ACCOUNT, /* the account alone: only the [accounts] rules apply */
};

enum cpw_protect_verdict {
    CPW_PROTECT_ALLOWED = 0,
    CPW_PROTECT_PROTECTED = 1,
};

struct cpw_protect;

/**
 * The default path: $XDG_CONFIG_HOME/cpwarden/config, else $HOME/.config/cpwarden/config.
 * Owned by the caller (cpw_free).
 */
char *cpw_protect_default_path(void);

/**
 * Loads the configuration from path, or from the default path when path is NULL. A missing
 * default file gives the defaults (no globs, no account rules, tag cpwarden:protect with any
 * value); a missing explicit path is an error. Errors: NULL with CPW_ERR_CONFIG and
 * "FILE:LINE: what is wrong" for a malformed line, an unknown section or key, an account id that
 * is not 12 digits, an empty glob. Owned by the caller.
 */
struct cpw_protect *cpw_protect_load(const char *path);

/** The defaults, without reading any file. Owned by the caller. */
struct cpw_protect *cpw_protect_new_default(void);

/** Frees the configuration. NULL is a no-op. */
void cpw_protect_destroy(struct cpw_protect *cfg);

/**
 * Decides whether cpwarden may touch the resource `name` of `kind` in `account` carrying `tags`
 * (tag_count entries; tags may be NULL when tag_count is 0). Rules, first match wins: account on
 * the blocklist; allowlist set and account not on it; name matches a glob for its kind; a tag
 * matches the protecting tag. cfg NULL means "no rules".
 *
 * When protected and reason is not NULL, *reason receives a sentence naming the rule, e.g.
 * "domain 'prod-main' matches protected glob 'prod-*' ([protect] domains, FILE:3)", owned by the
 * caller (cpw_free); otherwise *reason is set to NULL.
 */
enum cpw_protect_verdict cpw_protect_check(const struct cpw_protect *cfg,
                                           const char *account,
                                           enum cpw_protect_kind kind,
                                           const char *name,
                                           const struct cpw_tag *tags,
                                           size_t tag_count,
                                           char **reason);

/** The path the configuration was read from ("" for defaults). Borrowed. */
const char *cpw_protect_path(const struct cpw_protect *cfg);

#endif
