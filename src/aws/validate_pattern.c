/*
 * validate_pattern.c - the model's `pattern` constraints (Java regular expressions) checked with
 * PCRE2, the one place cpwarden compiles regular expressions.
 *
 * PCRE2 reads the Java syntax the models use: \p{L} classes, lookarounds, possessive and lazy
 * quantifiers, and (with PCRE2_ALT_BSUX) \uHHHH escapes. Values are UTF-8 (PCRE2_UTF); \w, \d
 * and \s stay ASCII, as in Java without UNICODE_CHARACTER_CLASS. A pattern without anchors must
 * match the whole value, as Java's String.matches does (IAM refuses "my role" for [\w+=,.@-]+).
 * A pattern that starts with '^' or ends with '$' carries its own anchors and is searched for as
 * written: Customer Profiles' TagArn "^arn:[a-z0-9]{1,10}:profile" accepts every full domain
 * ARN, as the service does. A pattern PCRE2 cannot compile (a Java-only construct) is not
 * checked.
 *
 * Compiled patterns are cached for the process (keyed by the pattern text, under a mutex) and
 * released by cpw_validate_pattern_cache_clean_up(), which cpw_model_clean_up() calls.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>

#include "cpw/alloc.h"
#include "validate_internal.h"

#define CACHE_SLOTS 512 /* the embedded models hold about 150 distinct patterns */

struct cached {
    char *pattern;    /* owned */
    pcre2_code *code; /* NULL: the pattern cannot be checked */
    uint32_t options; /* match options: anchored at both ends, or searched */
};

static pthread_mutex_t s_lock = PTHREAD_MUTEX_INITIALIZER;
static struct cached s_cache[CACHE_SLOTS];
static size_t s_cached;
static pcre2_general_context *s_context;

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

static size_t s_hash(const char *s)
{
    size_t h = 5381; /* djb2 */
    for (; *s; s++) {
        h = h * 33 + (unsigned char)*s;
    }
    return h;
}

/* The cache entry for pattern, compiled on first use. Called with s_lock held. */
static const struct cached *s_lookup(const char *pattern)
{
    size_t slot = s_hash(pattern) % CACHE_SLOTS;
    for (size_t probe = 0; probe < CACHE_SLOTS; probe++, slot = (slot + 1) % CACHE_SLOTS) {
        struct cached *c = &s_cache[slot];
        if (c->pattern && strcmp(c->pattern, pattern) == 0) {
            return c;
        }
        if (c->pattern) {
            continue;
        }
        if (s_cached >= CACHE_SLOTS * 3 / 4) {
            return NULL; /* full: compile per call rather than probe forever */
        }
        if (!s_context) {
            s_context = pcre2_general_context_create(s_malloc, s_free, NULL);
        }
        pcre2_compile_context *cc = pcre2_compile_context_create(s_context);
        int error = 0;
        PCRE2_SIZE offset = 0;
        c->code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
                                PCRE2_UTF | PCRE2_ALT_BSUX, &error, &offset, cc);
        pcre2_compile_context_free(cc);
        size_t len = strlen(pattern);
        bool own_anchors = pattern[0] == '^' || (len > 0 && pattern[len - 1] == '$');
        c->options = own_anchors ? 0 : PCRE2_ANCHORED | PCRE2_ENDANCHORED;
        c->pattern = cpw_strdup(pattern);
        s_cached++;
        return c;
    }
    return NULL;
}

int cpw_validate_pattern_match(const char *java, const char *value)
{
    pthread_mutex_lock(&s_lock);
    const struct cached *c = s_lookup(java);
    pcre2_code *code = c ? c->code : NULL;
    uint32_t options = c ? c->options : 0;
    if (code) {
        /* Matching reads the compiled code only, so it may run outside the lock; the cache
         * entry lives until cpw_validate_pattern_cache_clean_up, which callers must not run
         * concurrently with validation (as with cpw_model_clean_up). */
        pthread_mutex_unlock(&s_lock);
        pcre2_match_data *md = pcre2_match_data_create_from_pattern(code, s_context);
        int m =
          md ? pcre2_match(code, (PCRE2_SPTR)value, PCRE2_ZERO_TERMINATED, 0, options, md, NULL)
             : PCRE2_ERROR_NOMEMORY;
        pcre2_match_data_free(md);
        return m >= 0 ? 1 : 0; /* no match, or an error (bad UTF-8, a match limit): invalid */
    }
    pthread_mutex_unlock(&s_lock);
    return -1; /* not checkable */
}

void cpw_validate_pattern_cache_clean_up(void)
{
    pthread_mutex_lock(&s_lock);
    for (size_t i = 0; i < CACHE_SLOTS; i++) {
        pcre2_code_free(s_cache[i].code);
        cpw_free(s_cache[i].pattern);
        memset(&s_cache[i], 0, sizeof(s_cache[i]));
    }
    s_cached = 0;
    pcre2_general_context_free(s_context);
    s_context = NULL;
    pthread_mutex_unlock(&s_lock);
}
