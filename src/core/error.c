/*
 * error.c - the thread-local error slot and the table of code names and sentences.
 */
#define CPW_ERROR_DEFINES_RAISE /* error.h: the analyzer's view of cpw_raise is not this file's */
#include "cpw/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define DETAIL_BYTES 4096 /* room for the credential chain's summary behind a call's context */

static _Thread_local enum cpw_error tl_code;
static _Thread_local char tl_detail[DETAIL_BYTES];

static const char *const s_names[] = {
#define CPW_ERROR_NAME_(code, sentence) #code,
    CPW_ERROR_LIST(CPW_ERROR_NAME_)
#undef CPW_ERROR_NAME_
};

static const char *const s_sentences[] = {
#define CPW_ERROR_SENTENCE_(code, sentence) sentence,
    CPW_ERROR_LIST(CPW_ERROR_SENTENCE_)
#undef CPW_ERROR_SENTENCE_
};

int cpw_raise(enum cpw_error code, const char *fmt, ...)
{
    /* Format into a temporary first: an argument may be cpw_last_error_detail(), i.e. the slot
     * being replaced ("cannot read X: %s" wrapping the cause), and vsnprintf into the buffer it
     * reads from is undefined behaviour. */
    char detail[DETAIL_BYTES];
    detail[0] = '\0';
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(detail, sizeof(detail), fmt, ap);
        va_end(ap);
    }
    memcpy(tl_detail, detail, sizeof(tl_detail));
    tl_code = code;
    return -1;
}

enum cpw_error cpw_last_error(void)
{
    return tl_code;
}

const char *cpw_last_error_detail(void)
{
    if (tl_detail[0] == '\0') {
        return cpw_error_str(tl_code);
    }
    return tl_detail;
}

void cpw_error_clear(void)
{
    tl_code = CPW_ERR_NONE;
    tl_detail[0] = '\0';
}

const char *cpw_error_name(enum cpw_error code)
{
    if ((unsigned)code >= (unsigned)CPW_ERR_COUNT_) {
        return "CPW_ERR_UNKNOWN";
    }
    return s_names[code];
}

const char *cpw_error_str(enum cpw_error code)
{
    if ((unsigned)code >= (unsigned)CPW_ERR_COUNT_) {
        return "unknown error";
    }
    return s_sentences[code];
}
