/*
 * regex.c - PCRE2 behind regex.h, with cpwarden's allocator, so patterns count in the tests'
 * leak checks like every other allocation.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/error.h"
#include "cpw/regex.h"

struct cpw_regex {
    char *pattern;
    pcre2_general_context *context;
    pcre2_code *code;
};

static void *s_malloc(PCRE2_SIZE size, void *user)
{
    (void)user;
    return cpw_malloc(size);
}

static void s_free(void *ptr, void *user)
{
    (void)user;
    cpw_free(ptr);
}

struct cpw_regex *cpw_regex_new(const char *pattern)
{
    if (!pattern) {
        cpw_raise(CPW_ERR_INVALID_ARGUMENT, "no pattern");
        return NULL;
    }
    struct cpw_regex *re = cpw_calloc(1, sizeof(*re));
    re->pattern = cpw_strdup(pattern);
    re->context = pcre2_general_context_create(s_malloc, s_free, NULL);
    pcre2_compile_context *cc = pcre2_compile_context_create(re->context);
    int err = 0;
    PCRE2_SIZE offset = 0;
    re->code =
      pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, PCRE2_UTF, &err, &offset, cc);
    pcre2_compile_context_free(cc);
    if (!re->code) {
        PCRE2_UCHAR message[256];
        pcre2_get_error_message(err, message, sizeof(message));
        cpw_raise(CPW_ERR_PARSE, "pattern '%s' at offset %zu: %s", pattern, (size_t)offset,
                  (const char *)message);
        cpw_regex_destroy(re);
        return NULL;
    }
    return re;
}

void cpw_regex_destroy(struct cpw_regex *re)
{
    if (!re) {
        return;
    }
    pcre2_code_free(re->code);
    pcre2_general_context_free(re->context);
    cpw_free(re->pattern);
    cpw_free(re);
}

bool cpw_regex_match(const struct cpw_regex *re, const char *subject)
{
    if (!re || !re->code || !subject) {
        return false;
    }
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re->code, re->context);
    if (!md) {
        return false;
    }
    int rc = pcre2_match(re->code, (PCRE2_SPTR)subject, strlen(subject), 0, 0, md, NULL);
    pcre2_match_data_free(md);
    return rc >= 0;
}

const char *cpw_regex_pattern(const struct cpw_regex *re)
{
    return re ? re->pattern : NULL;
}
