/*
 * uri.c - percent-encoding per SigV4 (RFC 3986 unreserved set, upper-case hex).
 */
#include "cpw/uri.h"

#include "cpw/error.h"

static const char s_hex_upper[] = "0123456789ABCDEF";

bool cpw_uri_is_unreserved(uint8_t c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

int cpw_uri_encode(struct cpw_buf *out, struct cpw_span in, unsigned flags)
{
    for (size_t i = 0; i < in.len; i++) {
        uint8_t c = in.ptr[i];
        int rc;
        if (cpw_uri_is_unreserved(c) || (c == '/' && (flags & CPW_URI_KEEP_SLASH))) {
            rc = cpw_buf_append_byte(out, c);
        } else {
            uint8_t triple[3] = { '%', (uint8_t)s_hex_upper[c >> 4], (uint8_t)s_hex_upper[c & 15] };
            rc = cpw_buf_append(out, cpw_span_from(triple, 3));
        }
        if (rc) {
            return -1;
        }
    }
    return 0;
}

static int s_hex_value(uint8_t c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

int cpw_uri_decode(struct cpw_buf *out, struct cpw_span in, unsigned flags)
{
    for (size_t i = 0; i < in.len; i++) {
        uint8_t c = in.ptr[i];
        if (c == '%') {
            if (i + 2 >= in.len) {
                return cpw_raise(CPW_ERR_ENCODING, "truncated percent-escape at offset %zu", i);
            }
            int hi = s_hex_value(in.ptr[i + 1]);
            int lo = s_hex_value(in.ptr[i + 2]);
            if (hi < 0 || lo < 0) {
                return cpw_raise(CPW_ERR_ENCODING, "malformed percent-escape at offset %zu", i);
            }
            c = (uint8_t)(hi * 16 + lo);
            i += 2;
        } else if (c == '+' && (flags & CPW_URI_PLUS_IS_SPACE)) {
            c = ' ';
        }
        if (cpw_buf_append_byte(out, c)) {
            return -1;
        }
    }
    return 0;
}
