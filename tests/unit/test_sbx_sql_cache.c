/*
 * test_sbx_sql_cache.c - the prepared statements each sandbox connection keeps (sql.c): a query
 * made again gets the same statement without preparing, released reset and unbound; a query
 * nested in the loop of the same query gets a statement of its own; a schema change is followed;
 * the cache is keyed by text and bounded; requests, once warm, prepare nothing; and threads
 * serving reads and writes at once each use their own connection's statements.
 */
#include <pthread.h>

#include "sandbox/sbx_state.h"
#include "sbx_test.h"

#define ROWS_SQL                                                                                   \
    "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < ?) SELECT x FROM n"

#define TRUST                                                                                      \
    "{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":[{\\\"Effect\\\":\\\"Allow\\\","        \
    "\\\"Principal\\\":{\\\"AWS\\\":\\\"123456789012\\\"},\\\"Action\\\":\\\"sts:AssumeRole\\\"}]" \
    "}"

static struct cpw_sbx_sql_cache_stats s_stats(sqlite3 *db)
{
    struct cpw_sbx_sql_cache_stats st;
    cpw_sbx_sql_cache_stats(db, &st);
    return st;
}

/* Steps stmt to its end and returns the sum of column 0 over the rows. */
static int64_t s_sum(sqlite3_stmt *stmt)
{
    int64_t sum = 0;
    int rc;
    while ((rc = cpw_sbx_sql_step(stmt)) == 1) {
        sum += sqlite3_column_int64(stmt, 0);
    }
    assert_int_equal(rc, 0);
    return sum;
}

static void test_query_again_reuses_the_statement(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    sqlite3 *db = fx.sbx->db;
    struct cpw_sbx_sql_cache_stats before = s_stats(db);
    uint64_t total = cpw_sbx_sql_prepare_count();
    sqlite3_stmt *first = NULL;
    for (int i = 0; i < 20; i++) {
        sqlite3_stmt *stmt = cpw_sbx_sql_query(db, "SELECT name FROM accounts WHERE account_id = ?",
                                               "s", CPW_SBX_DEFAULT_ACCOUNT);
        assert_non_null(stmt);
        if (first == NULL) {
            first = stmt;
        }
        assert_ptr_equal(stmt, first);
        assert_int_equal(cpw_sbx_sql_step(stmt), 1);
        assert_string_equal(cpw_sbx_col(stmt, 0), "sandbox");
        cpw_sbx_sql_done(stmt);
    }
    struct cpw_sbx_sql_cache_stats after = s_stats(db);
    assert_int_equal(after.prepares - before.prepares, 1);
    assert_int_equal(after.reuses - before.reuses, 19);
    assert_int_equal(after.kept, before.kept + 1);
    assert_int_equal(cpw_sbx_sql_prepare_count() - total, 1);
    /* cpw_sbx_sql_do keeps its statements too, and still counts the changes. */
    for (int i = 0; i < 3; i++) {
        assert_int_equal(cpw_sbx_sql_do(db, "UPDATE accounts SET email = ? WHERE account_id = ?",
                                        "ss", "x@example.com", CPW_SBX_DEFAULT_ACCOUNT),
                         1);
    }
    assert_int_equal(s_stats(db).prepares - after.prepares, 1);
    /* So does cpw_sbx_sql_exec for one statement (a transaction's BEGIN, SAVEPOINT, ...). */
    uint64_t prepares = s_stats(db).prepares;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(cpw_sbx_sql_exec(db, "SAVEPOINT t"), 0);
        assert_int_equal(cpw_sbx_sql_exec(db, "RELEASE t"), 0);
    }
    assert_int_equal(s_stats(db).prepares - prepares, 2);
    assert_int_equal(cpw_sbx_sql_exec(db, "RELEASE nothing"), -1); /* errors still raised */
    assert_int_equal(cpw_last_error(), CPW_ERR_STORE);
    cpw_error_clear();
    sbx_fixture_close(&fx);
}

static void test_release_resets_and_clears_bindings(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    sqlite3 *db = fx.sbx->db;
    sqlite3_stmt *stmt = cpw_sbx_sql_query(db, "SELECT ?1 IS NULL, ?1", "s", "bound");
    assert_int_equal(cpw_sbx_sql_step(stmt), 1);
    assert_int_equal(sqlite3_column_int(stmt, 0), 0);
    assert_string_equal(cpw_sbx_col(stmt, 1), "bound");
    cpw_sbx_sql_done(stmt);
    sqlite3_stmt *again = cpw_sbx_sql_query(db, "SELECT ?1 IS NULL, ?1", NULL);
    assert_ptr_equal(again, stmt);
    assert_int_equal(cpw_sbx_sql_step(again), 1);
    assert_int_equal(sqlite3_column_int(again, 0), 1); /* the old binding is gone */
    cpw_sbx_sql_done(again);
    /* Released in the middle of its rows: the next use starts from the first row. */
    stmt = cpw_sbx_sql_query(db, ROWS_SQL, "i", (int64_t)3);
    assert_int_equal(cpw_sbx_sql_step(stmt), 1);
    assert_int_equal(sqlite3_column_int(stmt, 0), 1);
    assert_int_equal(cpw_sbx_sql_step(stmt), 1);
    cpw_sbx_sql_done(stmt);
    stmt = cpw_sbx_sql_query(db, ROWS_SQL, "i", (int64_t)3);
    assert_int_equal(s_sum(stmt), 1 + 2 + 3);
    cpw_sbx_sql_done(stmt);
    sbx_fixture_close(&fx);
}

static void test_nested_use_gets_its_own_statement(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    sqlite3 *db = fx.sbx->db;
    sqlite3_stmt *outer = cpw_sbx_sql_query(db, ROWS_SQL, "i", (int64_t)3);
    assert_non_null(outer);
    struct cpw_sbx_sql_cache_stats before = s_stats(db);
    int64_t outer_sum = 0;
    int64_t inner_sum = 0;
    int rc;
    while ((rc = cpw_sbx_sql_step(outer)) == 1) {
        int64_t x = sqlite3_column_int64(outer, 0);
        outer_sum += x;
        /* The same text while outer is mid-way: a separate statement, bound apart. */
        sqlite3_stmt *inner = cpw_sbx_sql_query(db, ROWS_SQL, "i", x + 1);
        assert_non_null(inner);
        assert_ptr_not_equal(inner, outer);
        inner_sum += s_sum(inner);
        cpw_sbx_sql_done(inner);
    }
    assert_int_equal(rc, 0);
    assert_int_equal(outer_sum, 1 + 2 + 3);
    assert_int_equal(inner_sum, (1 + 2) + (1 + 2 + 3) + (1 + 2 + 3 + 4));
    cpw_sbx_sql_done(outer);
    struct cpw_sbx_sql_cache_stats after = s_stats(db);
    assert_int_equal(after.prepares - before.prepares, 3); /* one per nested use */
    assert_int_equal(after.kept, before.kept);             /* finalized, not kept */
    /* Released, the kept statement is handed out again. */
    sqlite3_stmt *again = cpw_sbx_sql_query(db, ROWS_SQL, "i", (int64_t)2);
    assert_ptr_equal(again, outer);
    assert_int_equal(s_sum(again), 1 + 2);
    cpw_sbx_sql_done(again);
    assert_int_equal(s_stats(db).prepares, after.prepares);
    sbx_fixture_close(&fx);
}

static void test_schema_change_is_followed(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    sqlite3 *db = fx.sbx->db;
    assert_int_equal(cpw_sbx_sql_exec(db, "CREATE TABLE t_cache(a); INSERT INTO t_cache VALUES(1)"),
                     0);
    sqlite3_stmt *stmt = cpw_sbx_sql_query(db, "SELECT * FROM t_cache", NULL);
    assert_int_equal(cpw_sbx_sql_step(stmt), 1);
    assert_int_equal(sqlite3_column_count(stmt), 1);
    cpw_sbx_sql_done(stmt);
    assert_int_equal(cpw_sbx_sql_exec(db, "ALTER TABLE t_cache ADD COLUMN b TEXT DEFAULT 'new'"),
                     0);
    sqlite3_stmt *again = cpw_sbx_sql_query(db, "SELECT * FROM t_cache", NULL);
    assert_ptr_equal(again, stmt);
    assert_int_equal(cpw_sbx_sql_step(again), 1);
    assert_int_equal(sqlite3_column_count(again), 2);
    assert_string_equal(cpw_sbx_col(again, 1), "new");
    cpw_sbx_sql_done(again);
    sbx_fixture_close(&fx);
}

static void test_keyed_by_text_and_bounded(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    sqlite3 *db = fx.sbx->db;
    const int distinct = 3 * CPW_SBX_SQL_KEEP_MAX;
    char sql[64];
    for (int i = 0; i < distinct; i++) {
        /* One buffer, many texts: the cache must not take the address for the text. */
        snprintf(sql, sizeof(sql), "SELECT %d", i);
        sqlite3_stmt *stmt = cpw_sbx_sql_query(db, sql, NULL);
        assert_int_equal(cpw_sbx_sql_step(stmt), 1);
        assert_int_equal(sqlite3_column_int(stmt, 0), i);
        cpw_sbx_sql_done(stmt);
    }
    struct cpw_sbx_sql_cache_stats st = s_stats(db);
    assert_int_equal(st.kept, CPW_SBX_SQL_KEEP_MAX);
    /* The most recent texts are the ones kept. */
    snprintf(sql, sizeof(sql), "SELECT %d", distinct - 1);
    sqlite3_stmt *stmt = cpw_sbx_sql_query(db, sql, NULL);
    assert_int_equal(cpw_sbx_sql_step(stmt), 1);
    assert_int_equal(sqlite3_column_int(stmt, 0), distinct - 1);
    cpw_sbx_sql_done(stmt);
    assert_int_equal(s_stats(db).prepares, st.prepares);
    assert_int_equal(s_stats(db).reuses, st.reuses + 1);
    sbx_fixture_close(&fx);
}

static void s_ok(struct sbx_fixture *fx, const char *service, const char *op, const char *input)
{
    assert_int_equal(sbx_call(fx, &fx->root, service, op, input, NULL), 0);
}

static void s_round(struct sbx_fixture *fx, int i)
{
    char input[512];
    s_ok(fx, "sts", "GetCallerIdentity", NULL);
    s_ok(fx, "iam", "ListRoles", "{\"PathPrefix\":\"/\"}");
    snprintf(input, sizeof(input),
             "{\"RoleName\":\"warm-%d\",\"AssumeRolePolicyDocument\":\"" TRUST "\"}", i);
    s_ok(fx, "iam", "CreateRole", input);
    snprintf(input, sizeof(input), "{\"RoleName\":\"warm-%d\"}", i);
    s_ok(fx, "iam", "GetRole", input);
}

static void test_warm_requests_prepare_nothing(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    for (int i = 0; i < 3; i++) {
        s_round(&fx, i);
    }
    uint64_t warm = cpw_sbx_sql_prepare_count();
    for (int i = 3; i < 23; i++) {
        s_round(&fx, i);
    }
    assert_int_equal(cpw_sbx_sql_prepare_count() - warm, 0);
    sbx_fixture_close(&fx);
}

/* ----- threads ------------------------------------------------------------------------------ */

#define THREAD_CALLS 150

struct worker {
    struct sbx_fixture *fx;
    int index;
    int failures;
};

static int s_call(struct sbx_fixture *fx, const char *service, const char *op, const char *input)
{
    json_t *in = input ? json_loads(input, 0, NULL) : json_object();
    json_t *out = NULL;
    struct cpw_sbx_error err;
    struct cpw_sbx_request req = { .service = service,
                                   .operation = op,
                                   .input = in,
                                   .caller = &fx->root.caller,
                                   .now_ms = fx->now_ms };
    int rc = cpw_sbx_dispatch(fx->sbx, &req, &out, &err);
    json_decref(in);
    json_decref(out);
    return rc;
}

static void *s_worker(void *arg)
{
    struct worker *w = arg;
    char input[512];
    for (int i = 0; i < THREAD_CALLS; i++) {
        if (w->index == 0) {
            snprintf(input, sizeof(input),
                     "{\"RoleName\":\"t-%d\",\"AssumeRolePolicyDocument\":\"" TRUST "\"}", i);
            w->failures += s_call(w->fx, "iam", "CreateRole", input) != 0;
        } else {
            w->failures += s_call(w->fx, "iam", "ListRoles", NULL) != 0;
            w->failures += s_call(w->fx, "sts", "GetCallerIdentity", NULL) != 0;
        }
    }
    return NULL;
}

static void test_threads_use_their_own_statements(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    struct worker workers[4];
    pthread_t threads[4];
    for (int i = 0; i < 4; i++) {
        workers[i] = (struct worker){ .fx = &fx, .index = i };
        assert_int_equal(pthread_create(&threads[i], NULL, s_worker, &workers[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        assert_int_equal(pthread_join(threads[i], NULL), 0);
        assert_int_equal(workers[i].failures, 0);
    }
    json_t *out = NULL;
    assert_int_equal(sbx_call(&fx, &fx.root, "iam", "ListRoles", "{\"MaxItems\":1000}", &out), 0);
    size_t created = 0;
    size_t i;
    json_t *role;
    json_array_foreach(json_object_get(out, "Roles"), i, role)
    {
        const char *name = json_string_value(json_object_get(role, "RoleName"));
        created += name != NULL && strncmp(name, "t-", 2) == 0;
    }
    json_decref(out);
    assert_int_equal(created, THREAD_CALLS);
    uint64_t reads = 0;
    uint64_t retried = 0;
    cpw_sbx_read_stats(fx.sbx, &reads, &retried);
    assert_true(reads >= 3 * 2 * THREAD_CALLS); /* the reads did run on read connections */
    sbx_fixture_close(&fx);
}

CPW_TEST_MAIN("sbx_sql_cache",
              CPW_TEST(test_query_again_reuses_the_statement),
              CPW_TEST(test_release_resets_and_clears_bindings),
              CPW_TEST(test_nested_use_gets_its_own_statement),
              CPW_TEST(test_schema_change_is_followed),
              CPW_TEST(test_keyed_by_text_and_bounded),
              CPW_TEST(test_warm_requests_prepare_nothing),
              CPW_TEST(test_threads_use_their_own_statements))
