/*
 * uri.h - percent-encoding as SigV4 and the AWS protocols use it.
 *
 * SigV4 (docs: "Create a canonical request"): every byte except the unreserved characters
 * A-Z a-z 0-9 '-' '.' '_' '~' is encoded as %XY with upper-case hex; '/' is kept in paths.
 */
#ifndef CPW_URI_H
#define CPW_URI_H

#include <stdbool.h>

#include "cpw/buf.h"

enum cpw_uri_encode_flags {
    CPW_URI_ENCODE_DEFAULT = 0,
    CPW_URI_KEEP_SLASH = 1 << 0, /* leave '/' as is (path segments) */
};

/** True for the SigV4 unreserved set. */
bool cpw_uri_is_unreserved(uint8_t c);

/** Appends in, percent-encoded per SigV4, to out. Returns 0 or -1 (buffer limit). */
int cpw_uri_encode(struct cpw_buf *out, struct cpw_span in, unsigned flags);

enum cpw_uri_decode_flags {
    CPW_URI_DECODE_DEFAULT = 0,
    CPW_URI_PLUS_IS_SPACE = 1 << 0, /* application/x-www-form-urlencoded */
};

/**
 * Appends in, percent-decoded, to out. A '%' not followed by two hex digits is an error
 * (CPW_ERR_ENCODING) and nothing useful is left in out. Returns 0 or -1.
 */
int cpw_uri_decode(struct cpw_buf *out, struct cpw_span in, unsigned flags);

#endif
