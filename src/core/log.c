/*
 * log.c - leveled diagnostics on stderr, passed through a secret redactor first.
 *
 * The redactor has two layers: registered secret values (exact byte matches), and shapes that
 * are secret whatever their value (a SigV4 "Signature=<hex>", a presigned "X-Amz-Signature=" or
 * "X-Amz-Security-Token=" query value, an "X-Amz-Security-Token:" header, and INI-style
 * "aws_secret_access_key = ..." / "aws_session_token = ..." assignments).
 */
#include "cpw/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cpw/alloc.h"
#include "cpw/error.h"

#define MAX_SECRETS      64
#define MIN_SECRET_BYTES 8
#define LINE_MAX_BYTES   (64 * 1024)

static enum cpw_log_level s_level = CPW_LOG_WARN;
static pthread_mutex_t s_lock = PTHREAD_MUTEX_INITIALIZER;
static struct cpw_buf s_secrets[MAX_SECRETS];
static size_t s_secret_next;
static cpw_log_sink_fn *s_sink;
static void *s_sink_user;

static const char *const s_level_names[] = { "error", "warn", "info", "debug", "trace" };

void cpw_log_set_level(enum cpw_log_level level)
{
    s_level = level;
}

enum cpw_log_level cpw_log_get_level(void)
{
    return s_level;
}

int cpw_log_level_parse(const char *name, enum cpw_log_level *out)
{
    for (size_t i = 0; i < sizeof(s_level_names) / sizeof(s_level_names[0]); i++) {
        if (name && strcmp(name, s_level_names[i]) == 0) {
            *out = (enum cpw_log_level)i;
            return 0;
        }
    }
    return cpw_raise(CPW_ERR_INVALID_ARGUMENT,
                     "log level '%s' is not one of error, warn, info, debug, trace",
                     name ? name : "");
}

void cpw_log_register_secret(struct cpw_span secret)
{
    if (secret.len < MIN_SECRET_BYTES) {
        return;
    }
    pthread_mutex_lock(&s_lock);
    for (size_t i = 0; i < MAX_SECRETS; i++) {
        if (cpw_span_eq(cpw_buf_span(&s_secrets[i]), secret)) {
            pthread_mutex_unlock(&s_lock);
            return;
        }
    }
    struct cpw_buf *slot = &s_secrets[s_secret_next];
    s_secret_next = (s_secret_next + 1) % MAX_SECRETS;
    cpw_buf_clean_up_secure(slot);
    cpw_buf_init(slot, secret.len);
    (void)cpw_buf_append(slot, secret); /* fits by construction */
    pthread_mutex_unlock(&s_lock);
}

void cpw_log_forget_secrets(void)
{
    pthread_mutex_lock(&s_lock);
    for (size_t i = 0; i < MAX_SECRETS; i++) {
        cpw_buf_clean_up_secure(&s_secrets[i]);
    }
    s_secret_next = 0;
    pthread_mutex_unlock(&s_lock);
}

/* Length of a secret shape starting at text[i], after its marker, or 0. *marker_len is the part
 * that stays visible. */
struct shape {
    const char *marker; /* compared case-insensitively */
    const char *stops;  /* the value ends at one of these bytes (or the end) */
};

static const struct shape s_shapes[] = {
    { "Signature=", ", &\r\n\"'" },
    { "X-Amz-Signature=", "&\r\n\"' " },
    { "X-Amz-Security-Token=", "&\r\n\"' " },
    { "X-Amz-Security-Token:", "\r\n" },
    { "X-Amz-Credential=", "&\r\n\"' " },
    { "aws_secret_access_key", "\r\n" },
    { "aws_session_token", "\r\n" },
    { "\"SecretAccessKey\"", ",}\r\n" },
    { "\"SessionToken\"", ",}\r\n" },
    { "<SecretAccessKey>", "<" },
    { "<SessionToken>", "<" },
    { "x-amz-sso_bearer_token:", "\r\n" }, /* SSO's access token, in --debug's dump */
    { "\"accessToken\"", ",}\r\n" },
    { "\"refreshToken\"", ",}\r\n" },
    { "\"clientSecret\"", ",}\r\n" },
};

static bool s_match_ci(struct cpw_span text, size_t at, const char *marker, size_t marker_len)
{
    if (text.len - at < marker_len) {
        return false;
    }
    return cpw_span_eq_ignore_case(cpw_span_from(text.ptr + at, marker_len),
                                   cpw_span_from(marker, marker_len));
}

int cpw_log_redact(struct cpw_buf *out, struct cpw_span text)
{
    static const char mask[] = "****";
    pthread_mutex_lock(&s_lock);
    int rc = 0;
    size_t i = 0;
    while (i < text.len && rc == 0) {
        size_t skip = 0;
        for (size_t k = 0; k < MAX_SECRETS && !skip; k++) {
            struct cpw_span secret = cpw_buf_span(&s_secrets[k]);
            if (secret.len && text.len - i >= secret.len &&
                memcmp(text.ptr + i, secret.ptr, secret.len) == 0) {
                skip = secret.len;
            }
        }
        if (skip) {
            rc = cpw_buf_append_cstr(out, mask);
            i += skip;
            continue;
        }
        bool shaped = false;
        for (size_t k = 0; k < sizeof(s_shapes) / sizeof(s_shapes[0]) && !shaped; k++) {
            size_t marker_len = strlen(s_shapes[k].marker);
            if (!s_match_ci(text, i, s_shapes[k].marker, marker_len)) {
                continue;
            }
            /* Keep the marker and any separator (" = ", ":") visible, mask the value. */
            size_t j = i + marker_len;
            while (j < text.len && (text.ptr[j] == ' ' || text.ptr[j] == '=' ||
                                    text.ptr[j] == ':' || text.ptr[j] == '\t')) {
                j++;
            }
            size_t end = j;
            while (end < text.len && !strchr(s_shapes[k].stops, text.ptr[end])) {
                end++;
            }
            if (end == j) {
                continue; /* nothing to hide */
            }
            rc = cpw_buf_append(out, cpw_span_from(text.ptr + i, j - i));
            if (rc == 0) {
                rc = cpw_buf_append_cstr(out, mask);
            }
            i = end;
            shaped = true;
        }
        if (!shaped && rc == 0) {
            rc = cpw_buf_append_byte(out, text.ptr[i]);
            i++;
        }
    }
    pthread_mutex_unlock(&s_lock);
    return rc;
}

void cpw_log_set_sink(cpw_log_sink_fn *sink, void *user)
{
    pthread_mutex_lock(&s_lock);
    s_sink = sink;
    s_sink_user = user;
    pthread_mutex_unlock(&s_lock);
}

void cpw_log(enum cpw_log_level level, const char *fmt, ...)
{
    if (level > s_level) {
        return;
    }
    struct cpw_buf raw;
    struct cpw_buf line;
    cpw_buf_init(&raw, LINE_MAX_BYTES);
    cpw_buf_init(&line, 8 * LINE_MAX_BYTES + 64); /* room for \xNN escapes */
    va_list ap;
    va_start(ap, fmt);
    int rc = cpw_buf_vappendf(&raw, fmt, ap);
    va_end(ap);
    if (rc) {
        cpw_buf_clean_up(&raw);
        (void)cpw_buf_append_cstr(&raw, "(log message too long)");
    }
    if (s_sink == NULL) {
        (void)cpw_buf_appendf(&line, "cpwarden: %s: ", s_level_names[level]);
    }
    /* Log lines quote what servers and child processes said: no terminal escape gets through. */
    struct cpw_buf redacted;
    cpw_buf_init(&redacted, 2 * LINE_MAX_BYTES);
    if (cpw_log_redact(&redacted, cpw_buf_span(&raw)) == 0 &&
        cpw_buf_append_printable(&line, cpw_buf_span(&redacted), CPW_PRINTABLE_KEEP_NEWLINES) ==
          0) {
        pthread_mutex_lock(&s_lock);
        cpw_log_sink_fn *sink = s_sink;
        void *user = s_sink_user;
        pthread_mutex_unlock(&s_lock);
        if (sink) {
            sink(level, cpw_buf_cstr(&line), user);
        } else if (cpw_buf_append_byte(&line, '\n') == 0) {
            ssize_t ignored = write(STDERR_FILENO, line.data, line.len);
            (void)ignored;
        }
    }
    cpw_buf_clean_up(&raw);
    cpw_buf_clean_up(&redacted);
    cpw_buf_clean_up(&line);
}
