/*
 * validate_internal.h - pattern translation for input validation. Internal.
 */
#ifndef CPW_VALIDATE_INTERNAL_H
#define CPW_VALIDATE_INTERNAL_H

#include "cpw/buf.h"

/**
 * Appends the POSIX ERE form of a model (Java) pattern, anchored to match the whole value
 * unless the pattern starts with '^' or ends with '$' (its own anchors then apply).
 * Returns 0, 1 when the pattern uses syntax that has no ERE form, or -1 (buffer limit).
 */
int cpw_validate_pattern_translate(const char *java, struct cpw_buf *out);

/** 1 when value matches pattern, 0 when it does not, -1 when the pattern cannot be checked. */
int cpw_validate_pattern_match(const char *java, const char *value);

#endif
