/*
 * log.h - diagnostics on stderr, with levels, that never print a secret.
 *
 * Every message passes through a redactor before it is written: values registered with
 * cpw_log_register_secret() (secret keys, session tokens) and anything shaped like a SigV4
 * signature, a presigned-URL signature or security token, or an `aws_secret_access_key = ...`
 * assignment is replaced by "****". Messages go to stderr as `cpwarden: LEVEL: text`.
 *
 * Thread-safety: logging is thread-safe (one write per message). Registration is thread-safe.
 */
#ifndef CPW_LOG_H
#define CPW_LOG_H

#include "cpw/buf.h"

enum cpw_log_level {
    CPW_LOG_ERROR = 0,
    CPW_LOG_WARN = 1,
    CPW_LOG_INFO = 2,
    CPW_LOG_DEBUG = 3,
    CPW_LOG_TRACE = 4,
};

/** Sets the most verbose level that is written (default CPW_LOG_WARN). */
void cpw_log_set_level(enum cpw_log_level level);

/** The current level. */
enum cpw_log_level cpw_log_get_level(void);

/** Parses "error|warn|info|debug|trace". Returns 0, or -1 with CPW_ERR_INVALID_ARGUMENT. */
int cpw_log_level_parse(const char *name, enum cpw_log_level *out);

/** Writes one message at level if the level is enabled. */
void cpw_log(enum cpw_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/**
 * Registers a secret value (at least 8 bytes; shorter ones are ignored) that must never appear
 * in a log line. The value is copied; up to 64 secrets are kept, the oldest dropped first.
 */
void cpw_log_register_secret(struct cpw_span secret);

/** Forgets every registered secret (tests). */
void cpw_log_forget_secrets(void);

/**
 * Replaces secrets in text with "****" and appends the result to out. Used by cpw_log and by
 * anything else that writes diagnostics (error details shown to users). Returns 0 or -1.
 */
int cpw_log_redact(struct cpw_buf *out, struct cpw_span text);

/**
 * Sends log lines to a callback instead of stderr (tests). NULL restores stderr. The callback
 * receives the redacted line without a trailing newline.
 */
typedef void(cpw_log_sink_fn)(enum cpw_log_level level, const char *line, void *user);
void cpw_log_set_sink(cpw_log_sink_fn *sink, void *user);

#endif
