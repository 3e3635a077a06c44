/*
 * test_sbx_concurrency.c - the sandbox's read connections: reads complete while a write
 * transaction is held open, see only committed state, see a write as soon as it has committed;
 * reads that would write run again through the writer; every emulated operation is classified
 * and the read-classified ones do not write in the ordinary case.
 */
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "sandbox/sbx_state.h"
#include "sbx_test.h"

/* Bound of every wait below: a broken build fails instead of hanging (never reached otherwise). */
#define WAIT_S 60

struct hold {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool armed;    /* the next write transaction holds */
    bool held;     /* the writer is inside its transaction, waiting */
    bool released; /* the writer may commit */
    bool reads_done;
    bool write_done;
    int write_rc;
    /* what the reads saw while the write was open */
    int caller_rc;
    int list_rc;
    size_t roles_seen;
    int get_rc;
    char get_code[96];
    int lookup_rc;
    struct sbx_fixture *fx;
};

static bool s_wait_for(struct hold *h, const bool *flag)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += WAIT_S;
    int rc = 0;
    while (!*flag && rc == 0) {
        rc = pthread_cond_timedwait(&h->cond, &h->lock, &until);
    }
    return *flag;
}

static void s_set(struct hold *h, bool *flag)
{
    pthread_mutex_lock(&h->lock);
    *flag = true;
    pthread_cond_broadcast(&h->cond);
    pthread_mutex_unlock(&h->lock);
}

/* The write hook: the armed transaction waits, uncommitted, until the test releases it. */
static void s_hold_hook(void *user)
{
    struct hold *h = user;
    pthread_mutex_lock(&h->lock);
    if (h->armed) {
        h->armed = false;
        h->held = true;
        pthread_cond_broadcast(&h->cond);
        (void)s_wait_for(h, &h->released);
    }
    pthread_mutex_unlock(&h->lock);
}

/* Calls as root and expects success; returns the output (owned). */
static json_t *s_ok(struct sbx_fixture *fx,
                    const char *service,
                    const char *operation,
                    const char *input_json)
{
    json_t *out = NULL;
    assert_int_equal(sbx_call(fx, &fx->root, service, operation, input_json, &out), 0);
    assert_non_null(out);
    return out;
}

static int s_dispatch(struct sbx_fixture *fx,
                      const char *service,
                      const char *operation,
                      const char *input_json,
                      json_t **out,
                      struct cpw_sbx_error *err)
{
    json_t *input = json_loads(input_json, 0, NULL);
    struct cpw_sbx_request req = { .service = service,
                                   .operation = operation,
                                   .input = input,
                                   .caller = &fx->root.caller,
                                   .now_ms = fx->now_ms };
    int rc = cpw_sbx_dispatch(fx->sbx, &req, out, err);
    json_decref(input);
    return rc;
}

#define TRUST                                                                                      \
    "{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":[{\\\"Effect\\\":\\\"Allow\\\","        \
    "\\\"Principal\\\":{\\\"AWS\\\":\\\"123456789012\\\"},\\\"Action\\\":\\\"sts:AssumeRole\\\"}]" \
    "}"

static void *s_writer(void *arg)
{
    struct hold *h = arg;
    json_t *out = NULL;
    struct cpw_sbx_error err;
    h->write_rc =
      s_dispatch(h->fx, "iam", "CreateRole",
                 "{\"RoleName\":\"Held\",\"AssumeRolePolicyDocument\":\"" TRUST "\"}", &out, &err);
    json_decref(out);
    s_set(h, &h->write_done);
    return NULL;
}

static void *s_reader(void *arg)
{
    struct hold *h = arg;
    json_t *out = NULL;
    struct cpw_sbx_error err;
    h->caller_rc = s_dispatch(h->fx, "sts", "GetCallerIdentity", "{}", &out, &err);
    json_decref(out);
    h->list_rc = s_dispatch(h->fx, "iam", "ListRoles", "{}", &out, &err);
    h->roles_seen = json_array_size(json_object_get(out, "Roles"));
    json_decref(out);
    h->get_rc = s_dispatch(h->fx, "iam", "GetRole", "{\"RoleName\":\"Held\"}", &out, &err);
    snprintf(h->get_code, sizeof(h->get_code), "%s", err.code);
    json_decref(out);
    struct cpw_sbx_credentials creds;
    h->lookup_rc =
      cpw_sbx_credentials_lookup(h->fx->sbx, CPW_SBX_ROOT_ACCESS_KEY_ID, h->fx->now_ms, &creds);
    cpw_sbx_credentials_clean_up(&creds);
    s_set(h, &h->reads_done);
    return NULL;
}

/* Reads on other connections complete while a write transaction is open, and do not see it. */
static void test_reads_do_not_wait_on_an_open_write(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    struct hold h = { .fx = &fx };
    pthread_mutex_init(&h.lock, NULL);
    pthread_cond_init(&h.cond, NULL);
    json_t *out = s_ok(&fx, "iam", "ListRoles", NULL);
    size_t roles_before = json_array_size(json_object_get(out, "Roles"));
    json_decref(out);

    cpw_sbx_set_write_hook(fx.sbx, s_hold_hook, &h);
    h.armed = true;
    pthread_t writer;
    assert_int_equal(pthread_create(&writer, NULL, s_writer, &h), 0);
    pthread_mutex_lock(&h.lock);
    bool held = s_wait_for(&h, &h.held);
    pthread_mutex_unlock(&h.lock);

    pthread_t reader;
    assert_int_equal(pthread_create(&reader, NULL, s_reader, &h), 0);
    pthread_mutex_lock(&h.lock);
    /* With one connection under one lock the reads would wait for the release below, which
     * comes only after them: they would never be done. */
    bool reads_done = s_wait_for(&h, &h.reads_done);
    bool write_done_early = h.write_done;
    h.released = true;
    pthread_cond_broadcast(&h.cond);
    pthread_mutex_unlock(&h.lock);
    pthread_join(reader, NULL);
    pthread_join(writer, NULL);
    cpw_sbx_set_write_hook(fx.sbx, NULL, NULL);

    assert_true(held);
    assert_true(reads_done);
    assert_false(write_done_early);
    assert_int_equal(h.caller_rc, 0);
    assert_int_equal(h.list_rc, 0);
    assert_int_equal(h.roles_seen, roles_before); /* the open write is invisible */
    assert_int_equal(h.get_rc, 1);
    assert_string_equal(h.get_code, "NoSuchEntity");
    assert_int_equal(h.lookup_rc, 0);
    assert_int_equal(h.write_rc, 0);

    /* Committed before this read began: seen (read your writes), from a read connection. */
    uint64_t reads0 = 0;
    uint64_t retried0 = 0;
    cpw_sbx_read_stats(fx.sbx, &reads0, &retried0);
    out = s_ok(&fx, "iam", "GetRole", "{\"RoleName\":\"Held\"}");
    assert_string_equal(sbx_str2(out, "Role", "RoleName"), "Held");
    json_decref(out);
    uint64_t reads1 = 0;
    uint64_t retried1 = 0;
    cpw_sbx_read_stats(fx.sbx, &reads1, &retried1);
    assert_int_equal(reads1, reads0 + 1);
    assert_int_equal(retried1, retried0);
    pthread_cond_destroy(&h.cond);
    pthread_mutex_destroy(&h.lock);
    sbx_fixture_close(&fx);
}

/* A read that finds asynchronous work due runs through the writer, which settles it once. */
static void test_due_work_moves_a_read_to_the_writer(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    struct cpw_sbx_options opts = { .slr_deletion_delay_ms = 1000, .create_account_delay_ms = -1 };
    sbx_fixture_open(&fx, &opts);
    json_decref(s_ok(&fx, "iam", "CreateServiceLinkedRole",
                     "{\"AWSServiceName\":\"profile.amazonaws.com\",\"CustomSuffix\":\"c\"}"));
    json_decref(
      s_ok(&fx, "iam", "DeleteServiceLinkedRole", "{\"RoleName\":\"AWSServiceRoleForProfile_c\"}"));
    uint64_t reads0 = 0;
    uint64_t retried0 = 0;
    cpw_sbx_read_stats(fx.sbx, &reads0, &retried0);
    json_decref(s_ok(&fx, "iam", "GetRole",
                     "{\"RoleName\":\"AWSServiceRoleForProfile_c\"}")); /* still pending */
    fx.now_ms += 1000;
    sbx_expect_error(&fx, &fx.root, "iam", "GetRole",
                     "{\"RoleName\":\"AWSServiceRoleForProfile_c\"}", 404, "NoSuchEntity");
    uint64_t reads1 = 0;
    uint64_t retried1 = 0;
    cpw_sbx_read_stats(fx.sbx, &reads1, &retried1);
    assert_int_equal(reads1, reads0 + 1);     /* the pending one, on a read connection */
    assert_int_equal(retried1, retried0 + 1); /* the due one, through the writer */
    /* Settled: the next read stays on a read connection. */
    sbx_expect_error(&fx, &fx.root, "iam", "GetRole",
                     "{\"RoleName\":\"AWSServiceRoleForProfile_c\"}", 404, "NoSuchEntity");
    cpw_sbx_read_stats(fx.sbx, &reads0, &retried0);
    assert_int_equal(reads0, reads1 + 1);
    assert_int_equal(retried0, retried1);
    sbx_fixture_close(&fx);
}

/* Without a writable temporary directory the sandbox still serves, all on one connection. */
static void test_no_tmpdir_serves_on_the_writer(void **state)
{
    (void)state;
    const char *saved = getenv("TMPDIR");
    char *old = saved ? cpw_strdup(saved) : NULL;
    assert_int_equal(setenv("TMPDIR", "/nonexistent-cpwarden-test-dir", 1), 0);
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    if (old != NULL) {
        setenv("TMPDIR", old, 1);
        cpw_free(old);
    } else {
        unsetenv("TMPDIR");
    }
    json_decref(s_ok(&fx, "iam", "CreateRole",
                     "{\"RoleName\":\"Solo\",\"AssumeRolePolicyDocument\":\"" TRUST "\"}"));
    json_t *out = s_ok(&fx, "iam", "GetRole", "{\"RoleName\":\"Solo\"}");
    assert_string_equal(sbx_str2(out, "Role", "RoleName"), "Solo");
    json_decref(out);
    uint64_t reads = 0;
    uint64_t retried = 0;
    cpw_sbx_read_stats(fx.sbx, &reads, &retried);
    assert_int_equal(reads, 0);
    assert_int_equal(retried, 0);
    sbx_fixture_close(&fx);
}

static bool s_cloudtrail_read_name(const char *op)
{
    return strncmp(op, "Get", 3) == 0 || strncmp(op, "List", 4) == 0 ||
           strncmp(op, "Describe", 8) == 0 || strcmp(op, "LookupEvents") == 0;
}

/*
 * Walks every registered service's model: each emulated operation is classified; only CloudTrail
 * read names are reads; and a read-classified operation, called with an empty input on a fresh
 * sandbox, is served by a read connection without trying to write (a write would cost a retry:
 * the table would be missing a row).
 */
static void test_every_operation_classified(void **state)
{
    (void)state;
    assert_false(cpw_sbx_op_reads_only("iam", "GetAccessKeyLastUsed"));
    assert_false(cpw_sbx_op_reads_only("iam", "CreateRole"));
    assert_true(cpw_sbx_op_reads_only("sts", "GetCallerIdentity"));
    assert_false(cpw_sbx_op_reads_only(NULL, "ListRoles"));
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    size_t emulated = 0;
    size_t reads = 0;
    for (size_t s = 0; s < fx.sbx->service_count; s++) {
        const struct cpw_sbx_service *service = fx.sbx->services[s];
        const struct cpw_model_service *model = cpw_model_service_get(service->model_name);
        assert_non_null(model);
        const char *op;
        json_t *def;
        json_object_foreach(json_object_get(cpw_model_document(model), "operations"), op, def)
        {
            if (!cpw_sbx_emulates(fx.sbx, service->signing_name, op)) {
                continue;
            }
            emulated++;
            bool read = cpw_sbx_op_reads_only(service->signing_name, op);
            if (!s_cloudtrail_read_name(op)) {
                assert_false(read);
                continue;
            }
            if (!read) {
                continue;
            }
            reads++;
            uint64_t r0 = 0;
            uint64_t t0 = 0;
            uint64_t r1 = 0;
            uint64_t t1 = 0;
            cpw_sbx_read_stats(fx.sbx, &r0, &t0);
            json_t *out = NULL;
            int rc = sbx_call(&fx, &fx.root, service->signing_name, op, NULL, &out);
            json_decref(out);
            cpw_sbx_read_stats(fx.sbx, &r1, &t1);
            if (rc < 0 || r1 != r0 + 1 || t1 != t0) {
                fail_msg("%s:%s: rc %d, reads %llu -> %llu, retried %llu -> %llu",
                         service->signing_name, op, rc, (unsigned long long)r0,
                         (unsigned long long)r1, (unsigned long long)t0, (unsigned long long)t1);
            }
        }
    }
    assert_true(emulated > 100);
    assert_true(reads > 40);
    sbx_fixture_close(&fx);
}

CPW_TEST_MAIN("sbx_concurrency",
              CPW_TEST(test_reads_do_not_wait_on_an_open_write),
              CPW_TEST(test_due_work_moves_a_read_to_the_writer),
              CPW_TEST(test_every_operation_classified),
              CPW_TEST(test_no_tmpdir_serves_on_the_writer))
