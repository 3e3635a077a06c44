/*
 * authz_cache.c - what makes authorization cheap per request: parsed policies cached by a key
 * (their type, id and text, or a managed policy's identity and version) and held by reference
 * while a request evaluates them, and the authorization reads (through the connections' kept
 * statements, sql.c). Also the authorization tables (permissions boundaries, session policies),
 * made at open.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/error.h"
#include "cpw/iam_policy.h"
#include "sbx_authz.h"
#include "sbx_service.h"

#define CACHE_MAX 512 /* parsed policies kept; unreferenced ones are dropped past it */

static const char s_schema[] =
  /* Permissions boundaries of users and roles. */
  "CREATE TABLE IF NOT EXISTS authz_role_boundary("
  " account_id TEXT NOT NULL, role_name TEXT NOT NULL COLLATE NOCASE, policy_arn TEXT NOT NULL,"
  " PRIMARY KEY(account_id, role_name),"
  " FOREIGN KEY(account_id, role_name) REFERENCES iam_roles(account_id, name)"
  " ON DELETE CASCADE) STRICT;"
  "CREATE TABLE IF NOT EXISTS authz_user_boundary("
  " account_id TEXT NOT NULL, user_name TEXT NOT NULL COLLATE NOCASE, policy_arn TEXT NOT NULL,"
  " PRIMARY KEY(account_id, user_name),"
  " FOREIGN KEY(account_id, user_name) REFERENCES iam_users(account_id, name)"
  " ON DELETE CASCADE) STRICT;"
  /* The session policies of temporary credentials (AssumeRole Policy and PolicyArns). */
  "CREATE TABLE IF NOT EXISTS authz_sessions("
  " access_key_id TEXT PRIMARY KEY REFERENCES access_keys(access_key_id) ON DELETE CASCADE,"
  " policy TEXT, policy_arns TEXT NOT NULL DEFAULT '[]') STRICT;";

/* ----- the parsed-policy cache ------------------------------------------------------------- */

struct cpw_sbx_authz {
    pthread_mutex_t lock;
    struct cpw_sbx_authz_entry entries[CACHE_MAX];
    size_t count;
    uint64_t parses; /* how many documents were parsed (the cache's misses) */
};

int cpw_sbx_authz_open(struct cpw_sbx *sbx)
{
    if (cpw_sbx_sql_exec(sbx->db, s_schema) != 0) {
        return -1;
    }
    sbx->authz = cpw_calloc(1, sizeof(*sbx->authz));
    pthread_mutex_init(&sbx->authz->lock, NULL);
    return 0;
}

void cpw_sbx_authz_close(struct cpw_sbx *sbx)
{
    struct cpw_sbx_authz *a = sbx ? sbx->authz : NULL;
    if (a == NULL) {
        return;
    }
    for (size_t i = 0; i < CACHE_MAX; i++) {
        cpw_iam_policy_destroy(a->entries[i].policy);
    }
    pthread_mutex_destroy(&a->lock);
    cpw_free(a);
    sbx->authz = NULL;
}

uint64_t cpw_sbx_authz_parse_count(struct cpw_sbx *sbx)
{
    pthread_mutex_lock(&sbx->authz->lock);
    uint64_t n = sbx->authz->parses;
    pthread_mutex_unlock(&sbx->authz->lock);
    return n;
}

sqlite3_stmt *cpw_sbx_authz_query(struct cpw_sbx_ctx *ctx, const char *sql, const char *types, ...)
{
    va_list ap;
    va_start(ap, types);
    sqlite3_stmt *stmt = cpw_sbx_sql_vquery(ctx->db, sql, types, ap);
    va_end(ap);
    return stmt;
}

void cpw_sbx_authz_finish(struct cpw_sbx_ctx *ctx, sqlite3_stmt *stmt)
{
    (void)ctx;
    cpw_sbx_sql_done(stmt);
}

/* FNV-1a over the policy type, its id and its text. */
static uint64_t s_hash(enum cpw_iam_policy_type type, const char *id, const char *text)
{
    uint64_t h = 0xcbf29ce484222325ULL ^ (uint64_t)type;
    for (const char *p = id; *p != '\0'; p++) {
        h = (h ^ (uint8_t)*p) * 0x100000001b3ULL;
    }
    h = (h ^ 0xffu) * 0x100000001b3ULL;
    for (const char *p = text; *p != '\0'; p++) {
        h = (h ^ (uint8_t)*p) * 0x100000001b3ULL;
    }
    return h;
}

/* The cached entry of (type, id, text), parsing on a miss; referenced until s_release. */
struct cpw_sbx_authz_entry *cpw_sbx_authz_acquire(struct cpw_sbx_authz *a,
                                                  enum cpw_iam_policy_type type,
                                                  const char *id,
                                                  const char *key,
                                                  sqlite3_stmt *stmt,
                                                  const char *text)
{
    uint64_t h = s_hash(type, id, key);
    pthread_mutex_lock(&a->lock);
    struct cpw_sbx_authz_entry *found = NULL;
    struct cpw_sbx_authz_entry *free_slot = NULL;
    for (size_t i = 0; i < CACHE_MAX && found == NULL; i++) {
        if (a->entries[i].used && a->entries[i].hash == h) {
            found = &a->entries[i];
        } else if (!a->entries[i].used && free_slot == NULL) {
            free_slot = &a->entries[i];
        }
    }
    if (found == NULL && free_slot == NULL) {
        /* Full: drop the entries no request holds (held ones keep their place: requests in
         * flight point at them). */
        for (size_t i = 0; i < CACHE_MAX; i++) {
            if (a->entries[i].refs == 0) {
                cpw_iam_policy_destroy(a->entries[i].policy);
                a->entries[i] = (struct cpw_sbx_authz_entry){ 0 };
                a->count--;
                if (free_slot == NULL) {
                    free_slot = &a->entries[i];
                }
            }
        }
    }
    if (found == NULL && free_slot != NULL) {
        struct cpw_iam_policy_parse_options opts = { .type = type, .id = id };
        found = free_slot;
        *found = (struct cpw_sbx_authz_entry){ .hash = h, .used = true };
        a->count++;
        /* The document is read only on a miss (a column of stmt when text is NULL). */
        found->policy = cpw_iam_policy_parse(
          cpw_span_from_cstr(text != NULL ? text : cpw_sbx_col(stmt, 1)), &opts);
        cpw_error_clear(); /* a stored document that does not parse grants nothing */
        a->parses++;
    }
    if (found != NULL) {
        found->refs++;
    }
    pthread_mutex_unlock(&a->lock);
    return found;
}

void cpw_sbx_authz_release(struct cpw_sbx_authz *a, struct cpw_sbx_authz_entry *e)
{
    pthread_mutex_lock(&a->lock);
    e->refs--;
    pthread_mutex_unlock(&a->lock);
}
