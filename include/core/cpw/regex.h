/*
 * regex.h - regular expressions for configuration (naming rules and the like), compiled with
 * PCRE2 in its own (Perl) syntax, UTF-8. The service models' Java patterns are checked elsewhere
 * (src/aws/validate_pattern.c); this is the wrapper for patterns people write.
 *
 * Ownership: cpw_regex_new returns an owned object (cpw_regex_destroy). Thread-safety: one
 * compiled regex may be matched from several threads (each match allocates its own match data).
 */
#ifndef CPW_REGEX_H
#define CPW_REGEX_H

#include <stdbool.h>

struct cpw_regex;

/**
 * Compiles pattern. The pattern is searched for (unanchored) unless it carries its own ^ and $.
 * Returns the regex (owned) or NULL with CPW_ERR_PARSE naming the offset and PCRE2's reason.
 */
struct cpw_regex *cpw_regex_new(const char *pattern);

/** Frees the regex. NULL is a no-op. */
void cpw_regex_destroy(struct cpw_regex *re);

/** True when subject (NUL-terminated UTF-8) matches. An invalid UTF-8 subject never matches. */
bool cpw_regex_match(const struct cpw_regex *re, const char *subject);

/** The pattern text given to cpw_regex_new. Borrowed. */
const char *cpw_regex_pattern(const struct cpw_regex *re);

#endif
