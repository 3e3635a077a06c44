/*
 * test_sbx_cred_cache.c - the per-request floor's shortcuts in the sandbox's state store: the
 * credentials each read connection keeps (a repeated lookup is answered from memory, and every
 * commit that writes makes the kept entries stale, so a key deactivated, deleted or reactivated
 * is seen on the very next lookup; expiry is judged at each lookup), and request ids from a
 * per-thread generator (UUID v4 form, never repeated).
 */
#include <pthread.h>

#include "sandbox/sbx_state.h"
#include "sbx_test.h"

/* Creates user NAME with an access key; its id into key_id (32 bytes). */
static void s_user_with_key(struct sbx_fixture *fx, const char *name, char *key_id)
{
    char input[128];
    snprintf(input, sizeof(input), "{\"UserName\":\"%s\"}", name);
    json_decref(sbx_ok(fx, &fx->root, "iam", "CreateUser", input));
    json_t *out = sbx_ok(fx, &fx->root, "iam", "CreateAccessKey", input);
    snprintf(key_id, 32, "%s", sbx_str2(out, "AccessKey", "AccessKeyId"));
    json_decref(out);
}

static int s_lookup(struct sbx_fixture *fx, const char *key_id, struct cpw_sbx_credentials *out)
{
    int rc = cpw_sbx_credentials_lookup(fx->sbx, key_id, fx->now_ms, out);
    if (rc != 0) {
        assert_int_equal(cpw_last_error(), CPW_ERR_SIGV4_UNKNOWN_KEY);
        cpw_error_clear();
    }
    return rc;
}

static void s_set_status(struct sbx_fixture *fx, const char *key_id, const char *status)
{
    char input[160];
    snprintf(input, sizeof(input),
             "{\"UserName\":\"alice\",\"AccessKeyId\":\"%s\",\"Status\":\"%s\"}", key_id, status);
    json_decref(sbx_ok(fx, &fx->root, "iam", "UpdateAccessKey", input));
}

static void test_repeated_lookup_is_kept(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    char key_id[32];
    s_user_with_key(&fx, "alice", key_id);
    struct cpw_sbx_credentials first;
    struct cpw_sbx_credentials again;
    assert_int_equal(s_lookup(&fx, key_id, &first), 0);
    uint64_t hits = cpw_sbx_credentials_cache_hits(fx.sbx);
    for (int i = 0; i < 10; i++) {
        assert_int_equal(s_lookup(&fx, key_id, &again), 0);
        assert_string_equal(again.secret_access_key, first.secret_access_key);
        assert_string_equal(again.principal_arn, "arn:aws:iam::123456789012:user/alice");
        assert_string_equal(again.account_id, "123456789012");
        assert_string_equal(again.user_id, first.user_id);
        cpw_sbx_credentials_clean_up(&again);
    }
    /* Nothing written in between: every one came from the kept entry. */
    assert_int_equal(cpw_sbx_credentials_cache_hits(fx.sbx), hits + 10);
    cpw_sbx_credentials_clean_up(&first);
    sbx_fixture_close(&fx);
}

static void test_status_change_and_deletion_seen_at_once(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    char key_id[32];
    s_user_with_key(&fx, "alice", key_id);
    struct cpw_sbx_credentials creds;
    assert_int_equal(s_lookup(&fx, key_id, &creds), 0);
    assert_int_equal(s_lookup(&fx, key_id, &creds), 0); /* kept now */

    s_set_status(&fx, key_id, "Inactive");
    assert_int_equal(s_lookup(&fx, key_id, &creds), -1); /* the very next lookup refuses it */
    assert_int_equal(s_lookup(&fx, key_id, &creds), -1);

    s_set_status(&fx, key_id, "Active");
    assert_int_equal(s_lookup(&fx, key_id, &creds), 0);
    assert_int_equal(s_lookup(&fx, key_id, &creds), 0);

    char input[160];
    snprintf(input, sizeof(input), "{\"UserName\":\"alice\",\"AccessKeyId\":\"%s\"}", key_id);
    json_decref(sbx_ok(&fx, &fx.root, "iam", "DeleteAccessKey", input));
    assert_int_equal(s_lookup(&fx, key_id, &creds), -1);
    cpw_sbx_credentials_clean_up(&creds);
    sbx_fixture_close(&fx);
}

/* A write to anything (here an unrelated role) also makes the kept entries stale: the next
 * lookup reads the database again and still finds the key. */
static void test_any_write_makes_entries_stale(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    struct cpw_sbx_credentials creds;
    assert_int_equal(s_lookup(&fx, CPW_SBX_ROOT_ACCESS_KEY_ID, &creds), 0);
    assert_int_equal(s_lookup(&fx, CPW_SBX_ROOT_ACCESS_KEY_ID, &creds), 0);
    uint64_t hits = cpw_sbx_credentials_cache_hits(fx.sbx);
    json_decref(sbx_ok(&fx, &fx.root, "iam", "CreateUser", "{\"UserName\":\"bob\"}"));
    assert_int_equal(s_lookup(&fx, CPW_SBX_ROOT_ACCESS_KEY_ID, &creds), 0);
    assert_int_equal(cpw_sbx_credentials_cache_hits(fx.sbx), hits);
    assert_string_equal(creds.secret_access_key, CPW_SBX_ROOT_SECRET_KEY);
    assert_int_equal(s_lookup(&fx, CPW_SBX_ROOT_ACCESS_KEY_ID, &creds), 0);
    assert_int_equal(cpw_sbx_credentials_cache_hits(fx.sbx), hits + 1);
    cpw_sbx_credentials_clean_up(&creds);
    sbx_fixture_close(&fx);
}

static void test_expiry_judged_at_each_lookup(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    json_t *out = sbx_ok(&fx, &fx.root, "sts", "GetSessionToken", "{\"DurationSeconds\":900}");
    const char *key_id = sbx_str2(out, "Credentials", "AccessKeyId");
    struct cpw_sbx_credentials creds;
    assert_int_equal(s_lookup(&fx, key_id, &creds), 0);
    assert_false(creds.expired);
    assert_int_equal(s_lookup(&fx, key_id, &creds), 0);
    assert_false(creds.expired);
    uint64_t hits = cpw_sbx_credentials_cache_hits(fx.sbx);
    fx.now_ms += 900 * 1000;
    assert_int_equal(s_lookup(&fx, key_id, &creds), 0);
    assert_true(creds.expired); /* from the kept entry, judged against the new time */
    assert_int_equal(cpw_sbx_credentials_cache_hits(fx.sbx), hits + 1);
    cpw_sbx_credentials_clean_up(&creds);
    json_decref(out);
    sbx_fixture_close(&fx);
}

/* ----- request ids ------------------------------------------------------------------------- */

#define IDS_PER_THREAD 20000

static int s_cmp_id(const void *a, const void *b)
{
    return memcmp(a, b, 37);
}

static void s_check_form(const char *id)
{
    assert_int_equal(strlen(id), 36);
    for (size_t i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            assert_int_equal(id[i], '-');
        } else {
            assert_non_null(strchr("0123456789abcdef", id[i]));
        }
    }
    assert_int_equal(id[14], '4');           /* version 4 */
    assert_non_null(strchr("89ab", id[19])); /* variant 10 */
}

static void *s_make_ids(void *arg)
{
    char(*ids)[37] = arg;
    for (size_t i = 0; i < IDS_PER_THREAD; i++) {
        cpw_sbx_request_id(ids[i]);
    }
    return NULL;
}

static void test_request_ids_unique_and_well_formed(void **state)
{
    (void)state;
    char(*ids)[37] = cpw_calloc(3 * IDS_PER_THREAD, 37);
    s_make_ids(ids);
    pthread_t threads[2];
    for (size_t t = 0; t < 2; t++) {
        assert_int_equal(
          pthread_create(&threads[t], NULL, s_make_ids, ids + (t + 1) * IDS_PER_THREAD), 0);
    }
    for (size_t t = 0; t < 2; t++) {
        assert_int_equal(pthread_join(threads[t], NULL), 0);
    }
    for (size_t i = 0; i < 3 * IDS_PER_THREAD; i++) {
        s_check_form(ids[i]);
    }
    qsort(ids, 3 * IDS_PER_THREAD, 37, s_cmp_id);
    for (size_t i = 1; i < 3 * IDS_PER_THREAD; i++) {
        if (memcmp(ids[i - 1], ids[i], 37) == 0) {
            fail_msg("request id %s made twice", ids[i]);
        }
    }
    /* Not a counter in disguise: consecutive ids of one thread differ in most characters. */
    char a[37];
    char b[37];
    cpw_sbx_request_id(a);
    cpw_sbx_request_id(b);
    size_t same = 0;
    for (size_t i = 0; i < 36; i++) {
        same += a[i] == b[i];
    }
    assert_true(same < 20);
    cpw_free(ids);
}

CPW_TEST_MAIN("sbx_cred_cache",
              CPW_TEST(test_repeated_lookup_is_kept),
              CPW_TEST(test_status_change_and_deletion_seen_at_once),
              CPW_TEST(test_any_write_makes_entries_stale),
              CPW_TEST(test_expiry_judged_at_each_lookup),
              CPW_TEST(test_request_ids_unique_and_well_formed))
