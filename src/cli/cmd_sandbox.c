/*
 * cmd_sandbox.c - `cpwarden sandbox`: run the local AWS until SIGINT/SIGTERM.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "cpw/alloc.h"
#include "cpw/buf.h"
#include "cpw/error.h"
#include "cpw/file.h"
#include "cpw/http_server.h"
#include "cpw/json.h"
#include "cpw/sandbox.h"

#define SCENARIO_MAX_BYTES (64u * 1024u * 1024u)

enum {
    OPT_BIND = 1,
    OPT_PORT,
    OPT_DATA,
    OPT_MEMORY,
    OPT_SCENARIO,
    OPT_READY_FILE,
    OPT_PRINT_ENV,
    OPT_ENV_FILE,
    OPT_ALLOW_REMOTE,
    OPT_THREADS,
    OPT_SLR_DELAY,
    OPT_SEED,
    OPT_NO_RATE_LIMITS,
    OPT_NO_AUTHZ,
    OPT_LATENCY,
    OPT_FAULTS,
    OPT_ROLE_PERSISTS,
    OPT_KNOB,
    OPT_REQUEST_TIMEOUT,
    OPT_MAX_CONNECTIONS,
    OPT_MAX_PER_CLIENT,
    OPT_MAX_INFLIGHT_BODY,
};

static const struct option s_long[] = {
    { "bind", required_argument, NULL, OPT_BIND },
    { "port", required_argument, NULL, OPT_PORT },
    { "data", required_argument, NULL, OPT_DATA },
    { "memory", no_argument, NULL, OPT_MEMORY },
    { "scenario", required_argument, NULL, OPT_SCENARIO },
    { "ready-file", required_argument, NULL, OPT_READY_FILE },
    { "print-env", no_argument, NULL, OPT_PRINT_ENV },
    { "env-file", required_argument, NULL, OPT_ENV_FILE },
    { "allow-remote", no_argument, NULL, OPT_ALLOW_REMOTE },
    { "threads", required_argument, NULL, OPT_THREADS },
    { "slr-deletion-delay-ms", required_argument, NULL, OPT_SLR_DELAY },
    { "seed", required_argument, NULL, OPT_SEED },
    { "no-rate-limits", no_argument, NULL, OPT_NO_RATE_LIMITS },
    { "no-authz", no_argument, NULL, OPT_NO_AUTHZ },
    { "latency-ms", required_argument, NULL, OPT_LATENCY },
    { "fault-probability", required_argument, NULL, OPT_FAULTS },
    { "role-persists", no_argument, NULL, OPT_ROLE_PERSISTS },
    { "knob", required_argument, NULL, OPT_KNOB },
    { "request-timeout", required_argument, NULL, OPT_REQUEST_TIMEOUT },
    { "max-connections", required_argument, NULL, OPT_MAX_CONNECTIONS },
    { "max-connections-per-client", required_argument, NULL, OPT_MAX_PER_CLIENT },
    { "max-inflight-body-mib", required_argument, NULL, OPT_MAX_INFLIGHT_BODY },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
};

/* Writes text to path atomically (temp file + rename, 0600), so a waiting reader never reads
 * half of it. */
static int s_write_atomically(const char *path, const char *text)
{
    struct cpw_buf tmp;
    cpw_buf_init(&tmp, 4096);
    if (cpw_buf_appendf(&tmp, "%s.tmp.%ld", path, (long)getpid())) {
        return -1;
    }
    int fd = open(cpw_buf_cstr(&tmp), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        int rc = cpw_raise(CPW_ERR_IO, "cannot write %s: %s", path, strerror(errno));
        cpw_buf_clean_up(&tmp);
        return rc;
    }
    size_t len = strlen(text);
    bool written = write(fd, text, len) == (ssize_t)len;
    int rc = 0;
    bool failed = close(fd) != 0 || !written;
    if (!failed && cpw_file_refuse_link(path)) { /* rename would replace a link placed there */
        rc = -1;
    } else if (failed || rename(cpw_buf_cstr(&tmp), path) != 0) {
        rc = cpw_raise(CPW_ERR_IO, "cannot write %s: %s", path, strerror(errno));
    }
    if (rc) {
        unlink(cpw_buf_cstr(&tmp));
    }
    cpw_buf_clean_up(&tmp);
    return rc;
}

/* The export lines for the AWS CLI and boto3 pointed at url. */
static void s_env_text(struct cpw_buf *out, const char *url)
{
    (void)cpw_buf_appendf(
      out,
      "export AWS_ACCESS_KEY_ID=%s\n"
      "export AWS_SECRET_ACCESS_KEY=%s\n"
      "export AWS_DEFAULT_REGION=us-east-1\n"
      "export AWS_ENDPOINT_URL=%s\n"
      "# AWS CLI v2 before 2.13 ignores AWS_ENDPOINT_URL: pass --endpoint-url %s\n",
      CPW_SANDBOX_ROOT_ACCESS_KEY_ID, CPW_SANDBOX_ROOT_SECRET_KEY, url, url);
}

/* --ready-file (the URL) and --env-file (the export lines), once the port is known. */
static int s_write_ready(const char *ready_file, const char *env_file, const char *url)
{
    struct cpw_buf text;
    cpw_buf_init(&text, 8192);
    int rc = 0;
    if (env_file) {
        s_env_text(&text, url);
        rc = s_write_atomically(env_file, cpw_buf_cstr(&text));
        if (rc) {
            cpw_cli_print_last_error("--env-file");
        }
    }
    if (rc == 0 && ready_file) {
        cpw_buf_reset(&text);
        (void)cpw_buf_appendf(&text, "%s\n", url);
        rc = s_write_atomically(ready_file, cpw_buf_cstr(&text));
        if (rc) {
            cpw_cli_print_last_error("--ready-file");
        }
    }
    cpw_buf_clean_up(&text);
    return rc;
}

/* The database DIR/sandbox.db is never opened through a symbolic link (the library refuses it
 * too, this says so before anything starts). */
static int s_check_data_dir(const char *dir)
{
    struct cpw_buf db;
    cpw_buf_init(&db, 4096);
    int rc = cpw_buf_appendf(&db, "%s/sandbox.db", dir);
    if (rc == 0) {
        rc = cpw_file_refuse_link(cpw_buf_cstr(&db));
    }
    cpw_buf_clean_up(&db);
    return rc;
}

/* A scenario is a file, or the name of a built-in one (orphans, clean, org:...). */
static json_t *s_load_scenario(const char *path)
{
    if (access(path, F_OK) != 0) {
        json_t *doc = NULL;
        if (cpw_sandbox_builtin_scenario(path, &doc) == 0) {
            return doc;
        }
        cpw_raise(CPW_ERR_CONFIG,
                  "'%s' is neither a file nor a built-in scenario (orphans, clean, "
                  "org:accounts=N,regions=R,leftover=P,seed=S): %s",
                  path, cpw_last_error_detail());
        return NULL;
    }
    struct cpw_buf text;
    cpw_buf_init(&text, SCENARIO_MAX_BYTES);
    if (cpw_buf_read_file(&text, path)) {
        cpw_buf_clean_up(&text);
        return NULL;
    }
    json_error_t err;
    json_t *doc = NULL;
    (void)cpw_json_load_ex(cpw_buf_span(&text), SIZE_MAX, CPW_JSON_LOAD_CONTAINER, &doc, &err);
    cpw_buf_clean_up(&text);
    if (!doc) {
        cpw_raise(CPW_ERR_CONFIG, "%s: line %d, column %d: %s", path, err.line, err.column,
                  err.text);
    }
    return doc;
}

/* "--knob KEY=VALUE": VALUE as JSON when it parses (numbers, true/false), else a string. */
static int s_add_knob(json_t *knobs, const char *spec)
{
    const char *eq = strchr(spec, '=');
    if (!eq || eq == spec) {
        return cpw_cli_usage_error("sandbox", "--knob takes KEY=VALUE, not '%s'", spec);
    }
    json_t *value = cpw_json_load_cstr(eq + 1);
    if (!value) {
        value = json_string(eq + 1);
    }
    char *key = cpw_strndup(spec, (size_t)(eq - spec));
    json_object_set_new(knobs, key, value);
    cpw_free(key);
    return 0;
}

static int s_run(int argc, char **argv)
{
    struct cpw_sandbox_options opts = { .port = 4566,
                                        .slr_deletion_delay_ms = -1,
                                        .create_account_delay_ms = -1 };
    const char *ready_file = NULL;
    const char *env_file = NULL;
    const char *scenario_path = NULL;
    bool print_env = false;
    json_t *knobs = json_object();
    json_t *scenario = NULL;
    int exit_code = CPW_EXIT_OK;
    optind = 0;
    opterr = 0;
    int c;
    uint64_t n = 0;
    while ((c = getopt_long(argc, argv, "+h", s_long, NULL)) != -1) {
        switch (c) {
        case OPT_BIND:
            opts.bind_address = optarg;
            break;
        case OPT_PORT:
            if (cpw_span_to_u64(cpw_span_from_cstr(optarg), 65535, &n)) {
                exit_code =
                  cpw_cli_usage_error("sandbox", "--port takes 0-65535, not '%s'", optarg);
                goto done;
            }
            opts.port = (uint16_t)n;
            break;
        case OPT_DATA:
            opts.data_dir = optarg;
            break;
        case OPT_MEMORY:
            opts.data_dir = NULL;
            break;
        case OPT_SCENARIO:
            scenario_path = optarg;
            break;
        case OPT_READY_FILE:
            ready_file = optarg;
            break;
        case OPT_ENV_FILE:
            env_file = optarg;
            break;
        case OPT_PRINT_ENV:
            print_env = true;
            break;
        case OPT_ALLOW_REMOTE:
            opts.allow_remote = true;
            break;
        case OPT_THREADS:
            if (cpw_span_to_u64(cpw_span_from_cstr(optarg), 64, &n) || n == 0) {
                exit_code = cpw_cli_usage_error("sandbox", "--threads takes 1-64");
                goto done;
            }
            opts.threads = (unsigned)n;
            break;
        case OPT_SLR_DELAY:
            if (cpw_span_to_u64(cpw_span_from_cstr(optarg), 86400000, &n)) {
                exit_code =
                  cpw_cli_usage_error("sandbox", "--slr-deletion-delay-ms takes 0-86400000");
                goto done;
            }
            opts.slr_deletion_delay_ms = (int64_t)n;
            break;
        case OPT_SEED:
            if (cpw_span_to_u64(cpw_span_from_cstr(optarg), INT64_MAX, &n)) {
                exit_code = cpw_cli_usage_error("sandbox", "--seed takes a whole number");
                goto done;
            }
            json_object_set_new(knobs, "seed", json_integer((json_int_t)n));
            break;
        case OPT_NO_RATE_LIMITS:
            json_object_set_new(knobs, "rate_limits", json_false());
            break;
        case OPT_NO_AUTHZ:
            json_object_set_new(knobs, "authz", json_false());
            break;
        case OPT_LATENCY:
            if (cpw_span_to_u64(cpw_span_from_cstr(optarg), 60000, &n)) {
                exit_code = cpw_cli_usage_error("sandbox", "--latency-ms takes 0-60000");
                goto done;
            }
            json_object_set_new(knobs, "latency_ms", json_integer((json_int_t)n));
            break;
        case OPT_FAULTS: {
            char *end = NULL;
            double p = strtod(optarg, &end);
            if (!end || *end || p < 0 || p > 1) {
                exit_code = cpw_cli_usage_error("sandbox", "--fault-probability takes 0 to 1");
                goto done;
            }
            json_object_set_new(knobs, "fault_probability", json_real(p));
            break;
        }
        case OPT_ROLE_PERSISTS:
            json_object_set_new(knobs, "domain_role_persists", json_true());
            break;
        case OPT_REQUEST_TIMEOUT:
            if (cpw_span_to_u64(cpw_span_from_cstr(optarg), 3600, &n) || n == 0) {
                exit_code = cpw_cli_usage_error("sandbox", "--request-timeout takes 1-3600");
                goto done;
            }
            opts.request_timeout_s = (unsigned)n;
            break;
        case OPT_MAX_CONNECTIONS:
        case OPT_MAX_PER_CLIENT:
            if (cpw_span_to_u64(cpw_span_from_cstr(optarg), 65536, &n) || n == 0) {
                exit_code = cpw_cli_usage_error(
                  "sandbox", "--%s takes 1-65536",
                  c == OPT_MAX_CONNECTIONS ? "max-connections" : "max-connections-per-client");
                goto done;
            }
            *(c == OPT_MAX_CONNECTIONS ? &opts.max_connections : &opts.max_connections_per_client) =
              (unsigned)n;
            break;
        case OPT_MAX_INFLIGHT_BODY:
            if (cpw_span_to_u64(cpw_span_from_cstr(optarg), 65536, &n) || n == 0) {
                exit_code = cpw_cli_usage_error("sandbox", "--max-inflight-body-mib takes 1-65536");
                goto done;
            }
            opts.max_inflight_body_bytes = (size_t)n * 1024u * 1024u;
            break;
        case OPT_KNOB:
            if (s_add_knob(knobs, optarg)) {
                exit_code = CPW_EXIT_USAGE;
                goto done;
            }
            break;
        default:
            exit_code = cpw_cli_option_error("sandbox", s_long, argc, argv);
            goto done;
        }
    }
    if (optind < argc) {
        exit_code = cpw_cli_usage_error("sandbox", "unexpected argument '%s'", argv[optind]);
        goto done;
    }
    const char *host = opts.bind_address ? opts.bind_address : "127.0.0.1";
    if (print_env) {
        if (opts.port == 0) { /* the port is only known once serving */
            exit_code =
              cpw_cli_usage_error("sandbox", "--print-env needs a fixed --port; with --port 0 use "
                                             "--env-file FILE, written once the port is chosen");
            goto done;
        }
        struct cpw_buf url;
        cpw_buf_init(&url, 1024);
        (void)cpw_buf_appendf(&url, strchr(host, ':') ? "http://[%s]:%u" : "http://%s:%u", host,
                              (unsigned)opts.port);
        struct cpw_buf text;
        cpw_buf_init(&text, 8192);
        s_env_text(&text, cpw_buf_cstr(&url));
        fputs(cpw_buf_cstr(&text), stdout);
        cpw_buf_clean_up(&text);
        cpw_buf_clean_up(&url);
        goto done;
    }
    if (opts.bind_address && !cpw_http_is_loopback(opts.bind_address)) {
        if (!opts.allow_remote) {
            exit_code = cpw_cli_usage_error("sandbox",
                                            "refusing to listen on %s: only loopback addresses "
                                            "unless --allow-remote",
                                            opts.bind_address);
            goto done;
        }
        fprintf(stderr,
                "cpwarden sandbox: WARNING: listening on %s; anyone who can reach it and "
                "knows the example keys can use it\n",
                opts.bind_address);
    }
    if (opts.data_dir && mkdir(opts.data_dir, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "cpwarden sandbox: cannot create %s: %s\n", opts.data_dir, strerror(errno));
        exit_code = CPW_EXIT_CONFIG;
        goto done;
    }
    if (opts.data_dir && s_check_data_dir(opts.data_dir)) {
        cpw_cli_print_last_error("--data");
        exit_code = CPW_EXIT_CONFIG;
        goto done;
    }
    if (scenario_path && !(scenario = s_load_scenario(scenario_path))) {
        cpw_cli_print_last_error("--scenario");
        exit_code = CPW_EXIT_CONFIG;
        goto done;
    }
    opts.scenario = scenario;
    opts.knobs = json_object_size(knobs) ? knobs : NULL;

    /* Block the signals before any thread starts, so that only sigwait sees them. */
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, NULL);

    struct cpw_sandbox *sandbox = cpw_sandbox_start(&opts);
    if (!sandbox) {
        cpw_cli_print_last_error("sandbox");
        exit_code = cpw_last_error() == CPW_ERR_CONFIG ? CPW_EXIT_CONFIG : CPW_EXIT_OTHER;
        goto done;
    }
    printf("cpwarden sandbox listening on %s\n", cpw_sandbox_url(sandbox));
    fflush(stdout);
    if (s_write_ready(ready_file, env_file, cpw_sandbox_url(sandbox))) {
        exit_code = CPW_EXIT_OTHER;
    } else {
        int sig = 0;
        sigwait(&signals, &sig);
        fprintf(stderr, "cpwarden sandbox: %s received, stopping after %llu requests\n",
                sig == SIGINT ? "SIGINT" : "SIGTERM",
                (unsigned long long)cpw_sandbox_request_count(sandbox));
    }
    cpw_sandbox_stop(sandbox);
    if (ready_file) {
        unlink(ready_file);
    }
    if (env_file) {
        unlink(env_file);
    }

done:
    json_decref(scenario);
    json_decref(knobs);
    return exit_code;
}

const struct cpw_cli_command cpw_cli_cmd_sandbox = {
    .name = "sandbox",
    .summary = "run a local, wire-compatible AWS (Customer Profiles, Connect, IAM, STS, ...)",
    .help =
      "usage: cpwarden sandbox [--bind ADDR] [--port N] [--data DIR | --memory]\n"
      "                        [--scenario NAME|FILE] [--ready-file FILE] [--threads N]\n"
      "                        [--allow-remote] [knobs]\n"
      "       cpwarden sandbox --print-env [--port N]   (N other than 0: see --env-file)\n"
      "\n"
      "Serves the emulated AWS services (Customer Profiles, Connect, IAM, STS, CloudTrail,\n"
      "Organizations) on one loopback endpoint until SIGINT or SIGTERM. Every request must be\n"
      "signed (SigV4). The default account is 123456789012 and its root credentials are AWS's\n"
      "documented example keys (see --print-env).\n"
      "\n"
      "  --bind ADDR         listen address (default 127.0.0.1; others need --allow-remote)\n"
      "  --port N            port (default 4566; 0 picks a free one and prints it)\n"
      "  --data DIR          keep state in DIR/sandbox.db across restarts (default: memory);\n"
      "                      a symbolic link at DIR/sandbox.db is refused\n"
      "  --memory            keep state in memory only (the default)\n"
      "  --scenario NAME|FILE  a built-in scenario (orphans, clean,\n"
      "                      org:accounts=N,regions=R,leftover=P,seed=S, with the audit\n"
      "                      knobs untagged, trails_off, unencrypted and stale_roles, each a\n"
      "                      share) or a scenario file (docs/sandbox-scenarios.md)\n"
      "  --ready-file FILE   once serving, write the URL to FILE (tests wait on it)\n"
      "  --threads N         worker threads (default: one per core)\n"
      "  --print-env         print export lines for the AWS CLI and boto3, then exit\n"
      "  --env-file FILE     once serving, write those lines (with the port chosen) to FILE\n"
      "\n"
      "Limits against hostile clients (docs/sandbox.md, \"Hostile clients\"):\n"
      "  --request-timeout S  a request must arrive whole within S seconds of the connection\n"
      "                      opening or of the previous answer, else the connection is closed\n"
      "                      (default 30)\n"
      "  --max-connections N  open connections in total; more are closed at once\n"
      "                      (default 512)\n"
      "  --max-connections-per-client N  open connections per client address; more are closed\n"
      "                      at once (default 128)\n"
      "  --max-inflight-body-mib N  request bodies held at once, in MiB; a request that would\n"
      "                      exceed it is answered 503 SlowDown (default 64)\n"
      "\n"
      "Authorization (docs/authorization.md): every signed request is evaluated as AWS does\n"
      "(identity policies, groups, permissions boundaries, session policies, the SCPs of the\n"
      "organization, trust policies); a denial answers AccessDenied in the service's format.\n"
      "  --no-authz          allow every signed request (also the knob authz=false)\n"
      "\n"
      "Realism knobs (docs/sandbox.md; AWS's published rate limits apply by default):\n"
      "  --seed N            seed for faults and jitter (reproducible runs)\n"
      "  --no-rate-limits    do not throttle at AWS's published request rates\n"
      "  --latency-ms MS     add MS to every answer\n"
      "  --fault-probability P  answer a share P (0-1) of requests with 500/503/throttling\n"
      "  --role-persists     DeleteDomain leaves the domain's service-linked role behind\n"
      "  --slr-deletion-delay-ms MS  how long DeleteServiceLinkedRole tasks stay IN_PROGRESS "
      "(20000)\n"
      "  --knob KEY=VALUE    any other knob, e.g. --knob delete_domain_failure=internal\n"
      "\n"
      "POST /_cpwarden/clock?advance_ms=N on the same port moves the services' clock ahead\n"
      "(asynchronous tasks, session expiry) instead of waiting; POST /_cpwarden/knobs with a\n"
      "JSON object of knobs changes them while serving.\n"
      "Once serving it prints 'cpwarden sandbox listening on http://HOST:PORT'.\n"
      "Exit status: 0 stopped by SIGINT/SIGTERM, 252 usage, 253 bad scenario or state\n"
      "directory, 255 other (the port in use).\n"
      "Example: aws --endpoint-url http://127.0.0.1:4566 sts get-caller-identity\n",
    .run = s_run,
    .options = s_long,
};
