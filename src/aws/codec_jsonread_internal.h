/*
 * codec_jsonread_internal.h - private to codec_jsonread.c (the model-guided reader) and
 * codec_jsonscan.c (its byte-level scanner: whitespace, strings, numbers, literals, checked as
 * strictly as jansson checks them).
 */
#ifndef CPW_CODEC_JSONREAD_INTERNAL_H
#define CPW_CODEC_JSONREAD_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codec_internal.h"

#define MEMO_SLOTS 64

/* What a member reference leads to, remembered for the call (lists repeat the same members). */
struct memo {
    const json_t *ref;
    const json_t *shape; /* the target shape; NULL: not resolved */
    int kind;            /* enum kind of shape */
    const char *wire;    /* locationName or NULL */
    bool located;        /* bound to a header, the URI, the query string or the status */
};

struct reader {
    const uint8_t *p;
    const uint8_t *end;
    const struct cpw_model_service *svc;
    char *scratch; /* decoded strings with escapes: scratch_inline, or owned when larger */
    size_t scratch_cap;
    char scratch_inline[16384];
    struct memo memo[MEMO_SLOTS];
};

/* A decoded string: either a span of the body or of the scratch buffer (valid until the next
 * string is decoded). */
struct text {
    const char *ptr;
    size_t len;
};

struct number {
    bool is_integer;
    long long integer;
    double real;
};

/* The scanner (codec_jsonscan.c). Each returns 0, or -1 when the body is not what the reference
 * path would accept the same way (nothing raised: the caller falls back). */
/** Skips JSON whitespace. */
void cpw_jr_ws(struct reader *r);
/** A string at r->p (the opening quote); *out valid until the next string is decoded. */
int cpw_jr_string(struct reader *r, struct text *out);
/** A number as jansson reads it: an integer in range, or a finite real. */
int cpw_jr_number(struct reader *r, struct number *out);
/** The literal WORD (true, false, null) at r->p. */
int cpw_jr_literal(struct reader *r, const char *word);
/** After a member or an element: skips whitespace, then 1 at ',' (more follow; the whitespace
 *  after it skipped), 0 at CLOSE ('}' or ']', consumed), -1 at anything else. */
int cpw_jr_next(struct reader *r, char close);

#endif
