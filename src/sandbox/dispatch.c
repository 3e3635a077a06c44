/*
 * dispatch.c - runs one sandbox operation: finds the service and handler, wraps the call in one
 * transaction, refuses regional calls in regions the account cannot use (account.c), settles
 * asynchronous work that has come due, and records the CloudTrail event of every mutating call
 * (failed ones too: the handler's writes are rolled back to a savepoint, the event is kept).
 * Every request is authorized (authz.c) in the same transaction before its handler runs.
 *
 * Reads (cpw_sbx_op_reads_only) run on a read connection in their own snapshot, without the
 * writer's lock; a read that turns out to write (asynchronous work come due, a full key-use
 * ledger) is rolled back and runs again through the writer (sbx_state.h).
 */
#include <string.h>

#include "cpw/error.h"
#include "cpw/model.h"
#include "sbx_authz.h"
#include "sbx_contact.h"
#include "sbx_state.h"

static bool s_starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* CloudTrail's read-only calls: Get*, List*, Describe*, LookupEvents. */
static bool s_is_read_only(const char *operation)
{
    return s_starts_with(operation, "Get") || s_starts_with(operation, "List") ||
           s_starts_with(operation, "Describe") || strcmp(operation, "LookupEvents") == 0;
}

static const struct cpw_sbx_service *s_find_service(const struct cpw_sbx *sbx, const char *name)
{
    for (size_t i = 0; i < sbx->service_count; i++) {
        if (strcmp(sbx->services[i]->signing_name, name) == 0) {
            return sbx->services[i];
        }
    }
    return NULL;
}

static cpw_sbx_op_fn s_find_op(const struct cpw_sbx_service *service, const char *operation)
{
    for (size_t i = 0; i < service->op_count; i++) {
        if (strcmp(service->ops[i].name, operation) == 0) {
            return service->ops[i].fn;
        }
    }
    return NULL;
}

bool cpw_sbx_emulates(const struct cpw_sbx *sbx, const char *service, const char *operation)
{
    const struct cpw_sbx_service *found = s_find_service(sbx, service);
    return found != NULL && operation != NULL && s_find_op(found, operation) != NULL;
}

/* ----- operations served without a signature ---------------------------------------------- */

/* AWS serves these unsigned: the token or assertion in the request is the caller's proof. */
static const struct {
    const char *service;
    const char *operation;
} s_unsigned_ops[] = {
    { "sts", "AssumeRoleWithWebIdentity" },
    { "sts", "AssumeRoleWithSAML" },
};

bool cpw_sbx_unsigned_operation(const char *service, const char *operation)
{
    for (size_t i = 0; service != NULL && operation != NULL &&
                       i < sizeof(s_unsigned_ops) / sizeof(s_unsigned_ops[0]);
         i++) {
        if (strcmp(s_unsigned_ops[i].service, service) == 0 &&
            strcmp(s_unsigned_ops[i].operation, operation) == 0) {
            return true;
        }
    }
    return false;
}

/* ------------------------------------------------------------------------------------------- */

static int s_not_emulated(struct cpw_sbx_ctx *ctx, const struct cpw_sbx_service *service)
{
    const char *service_name = ctx->req->service;
    const char *model_name = service ? service->model_name : service_name;
    const struct cpw_model_service *model = cpw_model_service_get(model_name);
    if (model == NULL || cpw_model_operation(model, ctx->req->operation) == NULL) {
        cpw_error_clear();
        return cpw_sbx_fail(ctx, 400, "InvalidAction", "Could not find operation %s for %s",
                            ctx->req->operation, service_name);
    }
    int rc = cpw_sbx_fail(ctx, 501, "NotImplemented", "The sandbox does not emulate %s:%s yet",
                          service_name, ctx->req->operation);
    ctx->err->receiver = true;
    return rc;
}

/* Runs the handler under a savepoint: its writes are undone when it answers an AWS error. */
static int s_call(struct cpw_sbx_ctx *ctx, cpw_sbx_op_fn fn, json_t **output)
{
    if (cpw_sbx_sql_exec(ctx->db, "SAVEPOINT op") != 0) {
        return -1;
    }
    json_t *empty = NULL;
    const json_t *input = ctx->req->input;
    if (input == NULL) {
        input = empty = json_object();
    }
    int rc = fn(ctx, input, output);
    json_decref(empty);
    if (rc != 0) {
        json_decref(*output);
        *output = NULL;
    } else if (*output == NULL) {
        *output = json_object(); /* an operation without output members */
    }
    if (rc == 1 && cpw_sbx_sql_exec(ctx->db, "ROLLBACK TO op") != 0) {
        return -1;
    }
    if (rc >= 0 && cpw_sbx_sql_exec(ctx->db, "RELEASE op") != 0) {
        return -1;
    }
    return rc;
}

static int s_settle(struct cpw_sbx_ctx *ctx, const struct cpw_sbx_service *service)
{
    if (strcmp(service->signing_name, "iam") == 0 &&
        cpw_sbx_iam_settle_tasks(ctx, ctx->req->caller->account_id) != 0) {
        return -1;
    }
    if ((strcmp(service->signing_name, "organizations") == 0 ||
         strcmp(service->signing_name, "sts") == 0) &&
        cpw_sbx_org_settle(ctx) != 0) {
        return -1;
    }
    return cpw_sbx_contact_settle(ctx, ctx->req->caller->account_id);
}

static int s_run(struct cpw_sbx_ctx *ctx, const struct cpw_sbx_service *service, json_t **output)
{
    /* A regional endpoint answers nothing in a region the account cannot use. */
    int gate = cpw_sbx_region_gate(ctx, service);
    if (gate != 0) {
        return gate;
    }
    cpw_sbx_op_fn fn = service ? s_find_op(service, ctx->req->operation) : NULL;
    if (fn == NULL) {
        return s_not_emulated(ctx, service);
    }
    /* Asynchronous work is evaluated lazily from timestamps, before the call sees the state
     * (on a read connection, s_work_due has found none due). */
    if (ctx->db == ctx->sbx->db && s_settle(ctx, service) != 0) {
        return -1;
    }
    /* Authorization, in this transaction: a denied call runs nothing but is still recorded. */
    int rc = cpw_sbx_authorize(ctx);
    if (rc < 0) {
        return -1;
    }
    if (rc == 0) {
        rc = s_call(ctx, fn, output);
    }
    if (rc >= 0 && !s_is_read_only(ctx->req->operation) &&
        cpw_sbx_record_call_event(ctx, service, rc == 0 ? *output : NULL) != 0) {
        return -1;
    }
    return rc;
}

/* 1 when s_run would settle asynchronous work that has come due (writes, and may call role
 * usage hooks), 0 when not, -1. Asked on read connections, which then hand the request to the
 * writer before anything has run. */
static int s_work_due(struct cpw_sbx_ctx *ctx)
{
    const char *service = ctx->req->service;
    const char *account = ctx->req->caller->account_id;
    int64_t now_ms = ctx->req->now_ms;
    sqlite3_stmt *stmt = NULL;
    int due = 0;
    for (int check = 0; check < 3 && due == 0; check++) {
        if (check == 0 && strcmp(service, "iam") == 0) {
            stmt =
              cpw_sbx_sql_query(ctx->db,
                                "SELECT 1 FROM iam_slr_tasks WHERE account_id = ? AND"
                                " status = 'IN_PROGRESS' AND created_ms + ? <= ? LIMIT 1",
                                "sii", account, (int64_t)ctx->sbx->slr_deletion_delay_ms, now_ms);
        } else if (check == 1 &&
                   (strcmp(service, "organizations") == 0 || strcmp(service, "sts") == 0)) {
            stmt = cpw_sbx_sql_query(ctx->db,
                                     "SELECT 1 FROM org_create_requests WHERE"
                                     " state = 'IN_PROGRESS' AND completed_ms <= ? LIMIT 1",
                                     "i", now_ms);
        } else if (check == 2) {
            stmt = cpw_sbx_sql_query(ctx->db,
                                     "SELECT 1 FROM contact_role_cleanups WHERE account_id = ?"
                                     " AND due_ms <= ? LIMIT 1",
                                     "si", account, now_ms);
        } else {
            continue;
        }
        due = stmt ? cpw_sbx_sql_step(stmt) : -1;
        cpw_sbx_sql_done(stmt);
    }
    return due;
}

/* One attempt of the request in one transaction on ctx->db: BEGIN (IMMEDIATE on the writer),
 * key-use bookkeeping, the operation, COMMIT. Returns s_run's answer, or -2 (read connection
 * only, nothing run) when the request must go to the writer; rolled back when negative. */
static int s_transaction(struct cpw_sbx_ctx *ctx, struct cpw_sbx_reader *reader, json_t **output)
{
    struct cpw_sbx *sbx = ctx->sbx;
    int rc = cpw_sbx_sql_exec(ctx->db, reader ? "BEGIN" : "BEGIN IMMEDIATE");
    if (rc == 0) {
        /* GetAccessKeyLastUsed */
        rc = reader ? cpw_sbx_reader_note_key_use(sbx, reader, ctx) : cpw_sbx_key_uses_flush(ctx);
        /* The reader's ledger is full, or asynchronous work is due: the writer takes it. */
        if (rc == 0 && reader) {
            rc = s_work_due(ctx);
        }
        if (rc == 1) {
            rc = -2;
        }
    }
    if (rc == 0) {
        rc = s_run(ctx, s_find_service(sbx, ctx->req->service), output);
        if (reader == NULL) {
            cpw_sbx_state_write_hook(sbx);
        }
        if (rc >= 0 && cpw_sbx_sql_exec(ctx->db, "COMMIT") != 0) {
            rc = -1;
        }
    }
    if (rc < 0) {
        sqlite3_exec(ctx->db, "ROLLBACK", NULL, NULL, NULL);
        json_decref(*output);
        *output = NULL;
    }
    return rc;
}

/* A read on a read connection: 0, 1 or -1 as dispatch, or 2 when it must run on the writer. */
static int s_read(struct cpw_sbx *sbx,
                  const struct cpw_sbx_request *req,
                  json_t **output,
                  struct cpw_sbx_error *err)
{
    struct cpw_sbx_reader *reader = cpw_sbx_reader_acquire(sbx);
    if (reader == NULL) {
        return -1;
    }
    struct cpw_sbx_ctx ctx = {
        .sbx = sbx, .db = cpw_sbx_reader_db(reader), .req = req, .err = err
    };
    ctx.resources = json_array();
    cpw_sbx_reader_reset_write(reader);
    int rc = s_transaction(&ctx, reader, output);
    bool retry = cpw_sbx_reader_wanted_write(reader) || rc == -2;
    cpw_sbx_reader_release(reader);
    json_decref(ctx.resources);
    cpw_sbx_state_count_read(sbx, retry);
    if (retry) {
        json_decref(*output);
        *output = NULL;
        memset(err, 0, sizeof(*err));
        cpw_error_clear();
        return 2;
    }
    return rc;
}

int cpw_sbx_dispatch(struct cpw_sbx *sbx,
                     const struct cpw_sbx_request *req,
                     json_t **output,
                     struct cpw_sbx_error *err)
{
    *output = NULL;
    memset(err, 0, sizeof(*err));
    if (req == NULL || req->caller == NULL || req->caller->account_id == NULL ||
        req->service == NULL || req->operation == NULL) {
        return cpw_raise(CPW_ERR_INVALID_ARGUMENT, "incomplete sandbox request");
    }
    int rc = cpw_sbx_op_reads_only(req->service, req->operation) && cpw_sbx_readers_enabled(sbx)
               ? s_read(sbx, req, output, err)
               : 2;
    if (rc != 2) {
        return rc;
    }
    struct cpw_sbx_ctx ctx = { .sbx = sbx, .db = sbx->db, .req = req, .err = err };
    ctx.resources = json_array();
    pthread_mutex_lock(&sbx->lock);
    rc = s_transaction(&ctx, NULL, output);
    pthread_mutex_unlock(&sbx->lock);
    json_decref(ctx.resources);
    return rc;
}
