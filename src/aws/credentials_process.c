/*
 * credentials_process.c - credential_process: runs the configured command without a shell and
 * reads credentials from its standard output, as the AWS CLI does.
 *
 * The command line is split like Python's shlex.split (what the CLI uses on POSIX), the program
 * is started with posix_spawnp (safe in a threaded process) in its own process group, standard
 * output and standard error are read with poll() up to a deadline and a byte cap, and the whole
 * group is killed at the deadline. The output must be JSON with "Version": 1, AccessKeyId,
 * SecretAccessKey, and optionally SessionToken, Expiration (ISO 8601) and AccountId.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cpw/alloc.h"
#include "cpw/json.h"
#include "cpw/log.h"
#include "cpw/time.h"
#include "credentials_internal.h"

#define STDOUT_MAX_BYTES   (64u * 1024u)
#define STDERR_MAX_BYTES   (4u * 1024u)
#define STDERR_SHOWN_BYTES 512u
#define DEFAULT_TIMEOUT_MS 60000
#define MAX_ARGS           256

extern char **environ;

/* ----- splitting (POSIX shlex) ------------------------------------------------------------------
 */

static void s_push(char ***argv, size_t *count, struct cpw_buf *word)
{
    *argv = cpw_realloc(*argv, (*count + 2) * sizeof(**argv));
    (*argv)[(*count)++] = cpw_buf_detach(word);
    (*argv)[*count] = NULL;
}

char **cpw_credentials_split_command(const char *command)
{
    char **argv = NULL;
    size_t count = 0;
    struct cpw_buf word;
    cpw_buf_init(&word, 64 * 1024);
    bool in_word = false;
    char quote = 0;
    const char *p = command ? command : "";
    for (; *p; p++) {
        char c = *p;
        if (quote == '\'') {
            if (c == '\'') {
                quote = 0;
            } else if (cpw_buf_append_byte(&word, (uint8_t)c)) {
                goto on_error;
            }
            continue;
        }
        if (quote == '"') {
            if (c == '"') {
                quote = 0;
                continue;
            }
            if (c == '\\' && (p[1] == '"' || p[1] == '\\')) {
                c = *++p;
            }
            if (cpw_buf_append_byte(&word, (uint8_t)c)) {
                goto on_error;
            }
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            if (in_word) {
                if (count == MAX_ARGS) {
                    goto on_error;
                }
                s_push(&argv, &count, &word);
                in_word = false;
            }
            continue;
        }
        in_word = true;
        if (c == '\'' || c == '"') {
            quote = c;
            continue;
        }
        if (c == '\\') {
            if (!p[1]) {
                goto on_error; /* shlex: "No escaped character" */
            }
            c = *++p;
        }
        if (cpw_buf_append_byte(&word, (uint8_t)c)) {
            goto on_error;
        }
    }
    if (quote) {
        goto on_error;
    }
    if (in_word) {
        s_push(&argv, &count, &word);
    }
    if (count == 0) {
        cpw_raise(CPW_ERR_CONFIG, "the command is empty");
        cpw_free(argv);
        return NULL;
    }
    return argv;
on_error:
    cpw_buf_clean_up(&word);
    cpw_credentials_argv_free(argv);
    cpw_raise(CPW_ERR_CONFIG,
              "the command line has an unterminated quote, a trailing backslash or too many "
              "words");
    return NULL;
}

void cpw_credentials_argv_free(char **argv)
{
    if (!argv) {
        return;
    }
    for (char **a = argv; *a; a++) {
        cpw_free(*a);
    }
    cpw_free(argv);
}

/* ----- running ------------------------------------------------------------------------------- */

struct run_result {
    struct cpw_buf out;
    struct cpw_buf err;
    int status; /* waitpid status */
    bool timed_out;
    bool out_too_long;
};

/* Reads what is available on fd into buf (bytes past the cap are drained and dropped). Returns
 * false at end of file. */
static bool s_drain(int fd, struct cpw_buf *buf, bool *overflow)
{
    uint8_t chunk[4096];
    ssize_t n = read(fd, chunk, sizeof(chunk));
    if (n < 0) {
        return errno == EINTR || errno == EAGAIN;
    }
    if (n == 0) {
        return false;
    }
    if (buf->len + (size_t)n > buf->max) {
        if (overflow) {
            *overflow = true;
        }
        return true;
    }
    (void)cpw_buf_append(buf, cpw_span_from(chunk, (size_t)n));
    return true;
}

/* A close-on-exec pipe, so that programs started later do not inherit its ends (the dup2
 * onto the child's stdout/stderr clears the flag there). */
static int s_pipe(int fds[2])
{
    if (pipe(fds)) {
        return -1;
    }
    (void)fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    (void)fcntl(fds[1], F_SETFD, FD_CLOEXEC);
    return 0;
}

static int s_run(char **argv, int64_t timeout_ms, struct run_result *result)
{
    int out_pipe[2] = { -1, -1 };
    int err_pipe[2] = { -1, -1 };
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    bool actions_ready = false;
    bool attr_ready = false;
    pid_t pid = -1;
    int rc = -1;
    if (s_pipe(out_pipe) || s_pipe(err_pipe)) {
        rc = cpw_raise(CPW_ERR_IO, "pipe: %s", strerror(errno));
        goto cleanup;
    }
    actions_ready = posix_spawn_file_actions_init(&actions) == 0;
    attr_ready = posix_spawnattr_init(&attr) == 0;
    if (!actions_ready || !attr_ready ||
        posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO) ||
        posix_spawn_file_actions_adddup2(&actions, err_pipe[1], STDERR_FILENO) ||
        posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP) ||
        posix_spawnattr_setpgroup(&attr, 0)) {
        rc = cpw_raise(CPW_ERR_IO, "cannot prepare the process");
        goto cleanup;
    }
    int spawn_rc = posix_spawnp(&pid, argv[0], &actions, &attr, argv, environ);
    if (spawn_rc != 0) {
        pid = -1;
        rc = cpw_raise(CPW_ERR_IO, "cannot start '%s': %s", argv[0], strerror(spawn_rc));
        goto cleanup;
    }
    close(out_pipe[1]);
    close(err_pipe[1]);
    out_pipe[1] = err_pipe[1] = -1;

    int64_t deadline = cpw_time_monotonic_ms() + timeout_ms;
    struct pollfd fds[2] = { { .fd = out_pipe[0], .events = POLLIN },
                             { .fd = err_pipe[0], .events = POLLIN } };
    while (fds[0].fd >= 0 || fds[1].fd >= 0) {
        int64_t left = deadline - cpw_time_monotonic_ms();
        if (left <= 0) {
            result->timed_out = true;
            break;
        }
        int n = poll(fds, 2, (int)(left > 1000 ? 1000 : left));
        if (n < 0 && errno != EINTR) {
            break;
        }
        for (int i = 0; i < 2 && n > 0; i++) {
            if (fds[i].fd >= 0 && fds[i].revents) {
                bool open = s_drain(fds[i].fd, i == 0 ? &result->out : &result->err,
                                    i == 0 ? &result->out_too_long : NULL);
                if (!open) {
                    fds[i].fd = -1;
                }
            }
        }
    }
    /* Both pipes closed: the process is exiting; give it until the deadline to do so. */
    while (!result->timed_out) {
        pid_t w = waitpid(pid, &result->status, WNOHANG);
        if (w == pid) {
            pid = -1;
            break;
        }
        if (w < 0 && errno != EINTR) {
            break;
        }
        if (cpw_time_monotonic_ms() >= deadline) {
            result->timed_out = true;
            break;
        }
        struct timespec pause = { .tv_sec = 0, .tv_nsec = 5 * 1000 * 1000 };
        nanosleep(&pause, NULL);
    }
    rc = 0;
cleanup:
    if (pid > 0) {
        kill(-pid, SIGKILL); /* the whole group: the command may have started children */
        kill(pid, SIGKILL);
        while (waitpid(pid, &result->status, 0) < 0 && errno == EINTR) {
        }
    }
    for (int i = 0; i < 2; i++) {
        if (out_pipe[i] >= 0) {
            close(out_pipe[i]);
        }
        if (err_pipe[i] >= 0) {
            close(err_pipe[i]);
        }
    }
    if (actions_ready) {
        posix_spawn_file_actions_destroy(&actions);
    }
    if (attr_ready) {
        posix_spawnattr_destroy(&attr);
    }
    return rc;
}

/* ----- stderr, shown redacted ------------------------------------------------------------------
 * A credential helper that fails often says why on stderr, and may echo what it had: the JSON it
 * was about to print, a key it read. Only a redacted, printable excerpt is ever shown. */

#define REDACTED         "[redacted]"
#define BASE64_RUN_BYTES 32u /* a secret access key is 40, a session token hundreds */

static const char *const s_secret_keys[] = {
    "AccessKeyId",       "SecretAccessKey",       "SessionToken",
    "aws_access_key_id", "aws_secret_access_key", "aws_session_token",
};

static bool s_is_alnum(uint8_t c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static bool s_is_base64(uint8_t c)
{
    return s_is_alnum(c) || c == '+' || c == '/' || c == '=';
}

/* If a secret-bearing key ("SecretAccessKey": "...", aws_session_token = ...) starts at i, the
 * offset of its value and the offset just past it; false otherwise. */
static bool s_keyed_value(struct cpw_span t, size_t i, size_t *value_at, size_t *value_end)
{
    if (i > 0 && (s_is_alnum(t.ptr[i - 1]) || t.ptr[i - 1] == '_')) {
        return false;
    }
    for (size_t k = 0; k < sizeof(s_secret_keys) / sizeof(s_secret_keys[0]); k++) {
        size_t n = strlen(s_secret_keys[k]);
        if (t.len - i < n || !cpw_span_eq_ignore_case(cpw_span_from(t.ptr + i, n),
                                                      cpw_span_from_cstr(s_secret_keys[k]))) {
            continue;
        }
        size_t j = i + n;
        j += j < t.len && (t.ptr[j] == '"' || t.ptr[j] == '\'');
        while (j < t.len && (t.ptr[j] == ' ' || t.ptr[j] == '\t')) {
            j++;
        }
        if (j >= t.len || (t.ptr[j] != ':' && t.ptr[j] != '=')) {
            continue;
        }
        j++;
        while (j < t.len && (t.ptr[j] == ' ' || t.ptr[j] == '\t')) {
            j++;
        }
        uint8_t quote = j < t.len && (t.ptr[j] == '"' || t.ptr[j] == '\'') ? t.ptr[j] : 0;
        j += quote != 0;
        size_t end = j;
        while (end < t.len &&
               (quote ? t.ptr[end] != quote : !strchr(" \t\r\n,;}]\"'", t.ptr[end]))) {
            end += quote && t.ptr[end] == '\\' && end + 1 < t.len ? 2 : 1;
        }
        if (end == j) {
            return false;
        }
        *value_at = j;
        *value_end = end;
        return true;
    }
    return false;
}

/* Length of an access key id (AKIA/ASIA + 16) or of a long base64 run with mixed case starting at
 * i, at a word start; 0 otherwise. Paths of short segments ("/usr/local/bin") are not runs. */
static size_t s_secret_shape(struct cpw_span t, size_t i)
{
    if (i > 0 && s_is_base64(t.ptr[i - 1])) {
        return 0;
    }
    size_t end = i;
    bool upper = false;
    bool lower = false;
    size_t segment = 0;
    size_t longest = 0;
    while (end < t.len && s_is_base64(t.ptr[end])) {
        uint8_t c = t.ptr[end++];
        upper |= c >= 'A' && c <= 'Z';
        lower |= c >= 'a' && c <= 'z';
        segment = c == '/' ? 0 : segment + 1;
        longest = segment > longest ? segment : longest;
    }
    size_t len = end - i;
    if (len == 20 &&
        (cpw_span_starts_with(cpw_span_from(t.ptr + i, len), cpw_span_from_cstr("AKIA")) ||
         cpw_span_starts_with(cpw_span_from(t.ptr + i, len), cpw_span_from_cstr("ASIA")))) {
        return len;
    }
    return len >= BASE64_RUN_BYTES && upper && lower && longest >= 12 ? len : 0;
}

/* Appends text with secret-looking values replaced by REDACTED. */
static int s_redact_secrets(struct cpw_buf *out, struct cpw_span t)
{
    size_t i = 0;
    size_t copied = 0;
    int rc = 0;
    while (i < t.len && rc == 0) {
        size_t value_at = 0;
        size_t value_end = 0;
        size_t shape = 0;
        if (s_keyed_value(t, i, &value_at, &value_end)) {
            rc = cpw_buf_append(out, cpw_span_from(t.ptr + copied, value_at - copied));
            rc = rc ? rc : cpw_buf_append_cstr(out, REDACTED);
            i = copied = value_end;
        } else if ((shape = s_secret_shape(t, i)) > 0) {
            rc = cpw_buf_append(out, cpw_span_from(t.ptr + copied, i - copied));
            rc = rc ? rc : cpw_buf_append_cstr(out, REDACTED);
            i = copied = i + shape;
        } else {
            i++;
        }
    }
    return rc ? rc : cpw_buf_append(out, cpw_span_from(t.ptr + copied, t.len - copied));
}

/* The first STDERR_SHOWN_BYTES of stderr on one line: secrets redacted, control characters
 * escaped so that the helper cannot drive the terminal. */
static void s_stderr_excerpt(const struct cpw_buf *err, struct cpw_buf *excerpt)
{
    struct cpw_span text = cpw_span_trim(cpw_buf_span(err));
    if (text.len > STDERR_SHOWN_BYTES) {
        text.len = STDERR_SHOWN_BYTES;
    }
    struct cpw_buf flat;
    struct cpw_buf masked;
    struct cpw_buf logged;
    cpw_buf_init(&flat, STDERR_SHOWN_BYTES + 1);
    cpw_buf_init(&masked, 2 * STDERR_SHOWN_BYTES);
    cpw_buf_init(&logged, 2 * STDERR_SHOWN_BYTES);
    for (size_t i = 0; i < text.len; i++) {
        uint8_t c = text.ptr[i];
        (void)cpw_buf_append_byte(&flat, (c == '\n' || c == '\r' || c == '\t') ? ' ' : c);
    }
    /* The log's redactor first (secrets registered by this process, its "****" shapes), then
     * the shapes a helper's output has, which also turn its "****" into REDACTED. */
    if (cpw_log_redact(&logged, cpw_buf_span(&flat)) == 0 &&
        s_redact_secrets(&masked, cpw_buf_span(&logged)) == 0) {
        (void)cpw_buf_append_printable(excerpt, cpw_buf_span(&masked), 0);
    }
    cpw_buf_clean_up_secure(&flat);
    cpw_buf_clean_up_secure(&masked);
    cpw_buf_clean_up_secure(&logged);
}

int cpw_credentials_from_process(struct cpw_credentials_chain *chain,
                                 const char *profile,
                                 const char *command,
                                 struct cpw_credentials *out)
{
    char what[256];
    snprintf(what, sizeof(what), "process: profile '%s'", profile);
    char **argv = cpw_credentials_split_command(command);
    if (!argv) {
        return cpw_credentials_fail(CPW_ERR_CREDENTIALS, "%s: credential_process: %s", what,
                                    cpw_last_error_detail());
    }
    int64_t timeout_ms =
      chain->opts->process_timeout_ms > 0 ? chain->opts->process_timeout_ms : DEFAULT_TIMEOUT_MS;
    struct run_result result = { .status = 0 };
    cpw_buf_init(&result.out, STDOUT_MAX_BYTES);
    cpw_buf_init(&result.err, STDERR_MAX_BYTES);
    struct cpw_buf excerpt;
    cpw_buf_init(&excerpt, STDERR_SHOWN_BYTES * 8); /* room for \xNN escapes */
    json_t *doc = NULL;
    int rc = -1;
    if (s_run(argv, timeout_ms, &result)) {
        cpw_credentials_fail(CPW_ERR_CREDENTIALS, "%s: %s", what, cpw_last_error_detail());
        goto cleanup;
    }
    s_stderr_excerpt(&result.err, &excerpt);
    if (result.timed_out) {
        cpw_credentials_fail(CPW_ERR_CREDENTIALS, "%s: '%s' did not finish within %lld ms", what,
                             argv[0], (long long)timeout_ms);
        goto cleanup;
    }
    if (!WIFEXITED(result.status) || WEXITSTATUS(result.status) != 0) {
        int code = WIFEXITED(result.status) ? WEXITSTATUS(result.status) : -1;
        cpw_credentials_fail(CPW_ERR_CREDENTIALS, "%s: '%s' failed (%s %d): %s", what, argv[0],
                             WIFEXITED(result.status) ? "exit status" : "signal",
                             WIFEXITED(result.status) ? code : WTERMSIG(result.status),
                             excerpt.len ? cpw_buf_cstr(&excerpt) : "(no error output)");
        goto cleanup;
    }
    if (result.out_too_long) {
        cpw_credentials_fail(CPW_ERR_CREDENTIALS, "%s: '%s' wrote more than %u bytes", what,
                             argv[0], STDOUT_MAX_BYTES);
        goto cleanup;
    }
    json_error_t jerr;
    (void)cpw_json_load_ex(cpw_buf_span(&result.out), CPW_JSON_MAX_TEXT_BYTES,
                           CPW_JSON_LOAD_CONTAINER, &doc, &jerr);
    if (!json_is_object(doc)) {
        /* jerr.text may quote the input: say only where it broke. */
        cpw_credentials_fail(CPW_ERR_CREDENTIALS,
                             "%s: '%s' did not print a JSON object (line %d, column %d)", what,
                             argv[0], jerr.line, jerr.column);
        goto cleanup;
    }
    const json_t *version = json_object_get(doc, "Version");
    if (!json_is_integer(version) || json_integer_value(version) != 1) {
        cpw_credentials_fail(CPW_ERR_CREDENTIALS,
                             "%s: '%s' printed an unsupported Version (only 1 is supported)", what,
                             argv[0]);
        goto cleanup;
    }
    static const struct cpw_credentials_json_names names = {
        .access_key_id = "AccessKeyId",
        .secret_access_key = "SecretAccessKey",
        .session_token = "SessionToken",
        .expiration = "Expiration",
    };
    if (cpw_credentials_from_json(out, what, "process", doc, &names, NULL)) {
        goto cleanup;
    }
    rc = CPW_CREDS_FOUND;
cleanup:
    json_decref(doc);
    cpw_buf_clean_up_secure(&result.out);
    cpw_buf_clean_up_secure(&result.err);
    cpw_buf_clean_up(&excerpt);
    cpw_credentials_argv_free(argv);
    return rc;
}
