/*
 * console_internal.h - what the console's files share: the console itself, its jobs (scans and
 * applies with their event lists), the request context and the answer functions.
 */
#ifndef CPW_CONSOLE_INTERNAL_H
#define CPW_CONSOLE_INTERNAL_H

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "cpw/buf.h"
#include "cpw/console.h"
#include "cpw/http_server.h"
#include "cpw/inventory.h"
#include "cpw/store.h"

#define CONSOLE_MAX_JOBS       256
#define CONSOLE_MAX_EVENTS     100000 /* per job: a bound on what a stream replays */
#define CONSOLE_STREAM_WAIT_MS 10000  /* a stream with nothing new says so this often */

/* A scan or an apply running on its own thread, and what it said so far (SSE frames). */
struct console_job {
    char id[32]; /* "scan-N", "run-N" */
    bool apply;
    char **events; /* "event: NAME\ndata: JSON\n\n", owned */
    size_t count;
    size_t cap;
    bool finished;
    bool thread_started;
    pthread_t thread;
    struct cpw_console *console;
    /* the job's inputs, owned */
    char *plan_path;
    char *plan_name;
    char *confirmation;
    char **regions;
    size_t region_count;
    bool org;
};

struct cpw_console {
    struct cpw_console_options opts;
    struct cpw_http_server *server;
    uint16_t port;
    char token[CPW_CONSOLE_TOKEN_LEN + 1];
    char session[CPW_CONSOLE_TOKEN_LEN + 1];
    char csrf[CPW_CONSOLE_TOKEN_LEN + 1];
    char url[160];
    struct cpw_buf state_dir; /* the state directory */
    struct cpw_buf plans_dir; /* STATE/plans */
    struct cpw_store *store;
    pthread_mutex_t lock; /* guards everything below */
    pthread_cond_t changed;
    bool stopping;
    bool busy;                 /* a scan, plan or apply is using the AWS client */
    struct cpw_inventory *inv; /* the latest scan or snapshot, or NULL */
    int64_t snapshot_id;
    struct console_job *jobs[CONSOLE_MAX_JOBS];
    size_t job_count;
    unsigned next_scan;
    unsigned next_run;
};

/* One request as the API handlers see it. */
struct console_req {
    struct cpw_console *console;
    const struct cpw_http_exchange *exchange;
    const char *method;
    char path[1024];      /* decoded path */
    struct cpw_buf query; /* raw query */
    struct cpw_http_response *response;
};

/* ----- answers (console.c) ----- */

/** Answers status with {"error":{"code","message"}}. */
void console_error(struct console_req *r, long status, const char *code, const char *fmt, ...)
  __attribute__((format(printf, 4, 5)));

/** Answers doc (taken) as JSON, or in the ?format= asked for (export), with status 200. */
void console_reply(struct console_req *r, json_t *doc, const char *name);

/** Answers bytes with content type (and an attachment file name when not NULL). */
void console_bytes(struct console_req *r,
                   long status,
                   const char *type,
                   struct cpw_span bytes,
                   const char *attachment);

/** The decoded value of query parameter name into out. false: absent or undecodable. */
bool console_query(const struct console_req *r, const char *name, struct cpw_buf *out);

/* ----- read-only API (console_api.c) ----- */

void console_api_session(struct console_req *r);
void console_api_overview(struct console_req *r);
void console_api_graph(struct console_req *r, bool dot);
void console_api_findings(struct console_req *r, const char *id);
void console_api_domain(struct console_req *r);
void console_api_plans(struct console_req *r);
void console_api_plan_file(struct console_req *r, const char *name);
void console_api_plan_confirmation(struct console_req *r, const char *name);
void console_api_history(struct console_req *r);
void console_api_snapshots(struct console_req *r);
void console_api_snapshots_diff(struct console_req *r);
void console_api_audit(struct console_req *r);
void console_api_audit_run(struct console_req *r);
/** GET /api/doctor (console_doctor.c). */
void console_api_doctor(struct console_req *r);

/** The finding's JSON (id, kind, ..., evidence, plannable). */
json_t *console_finding_json(const struct cpw_inv_finding *f);

/** True when name is a plan file name the console would write (no path, .json). */
bool console_plan_name_ok(const char *name);

/* ----- jobs (console_jobs.c) ----- */

void console_api_scan(struct console_req *r);
void console_api_plan(struct console_req *r);
void console_api_apply(struct console_req *r);
void console_api_events(struct console_req *r, const char *job_id, bool apply);
/** Waits for every job thread and frees the jobs. */
void console_jobs_clean_up(struct cpw_console *c);

/* ----- exports (console_export.c) ----- */

/** The main list of doc (its first array member, or doc itself) as CSV or Markdown into out. */
int console_export_csv(const json_t *doc, struct cpw_buf *out);
int console_export_markdown(const json_t *doc, const char *title, struct cpw_buf *out);

/* ----- assets (generated at build time from src/console/assets/) ----- */

struct cpw_console_asset {
    const char *path; /* relative to assets/: "index.html", "app.js" */
    const char *type; /* content type */
    const unsigned char *data;
    size_t size;
};

extern const struct cpw_console_asset cpw_console_assets[];
extern const size_t cpw_console_asset_count;

#endif
