/*
 * validate_internal.h - pattern constraints for input validation. Internal.
 */
#ifndef CPW_VALIDATE_INTERNAL_H
#define CPW_VALIDATE_INTERNAL_H

/**
 * 1 when value matches the model (Java) pattern, 0 when it does not, -1 when the pattern cannot
 * be checked (PCRE2 does not compile it). Anchored at both ends unless the pattern starts with
 * '^' or ends with '$'. Thread-safe; compiled patterns are cached for the process.
 */
int cpw_validate_pattern_match(const char *java, const char *value);

/** Frees the compiled-pattern cache (cpw_model_clean_up calls it). Not concurrent with matching. */
void cpw_validate_pattern_cache_clean_up(void);

#endif
