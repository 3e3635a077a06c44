/*
 * test_sbx_iam.c - the sandbox's IAM through cpw_sbx_dispatch: roles, policies, tags, users and
 * access keys, service-linked roles and their asynchronous deletion.
 */
#include "sbx_test.h"

#define TRUST_ACCOUNT                                                                              \
    "{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":[{\\\"Effect\\\":\\\"Allow\\\","        \
    "\\\"Principal\\\":{\\\"AWS\\\":\\\"123456789012\\\"},\\\"Action\\\":\\\"sts:AssumeRole\\\"}]" \
    "}"

static void s_create_role(struct sbx_fixture *fx, const char *name, const char *path)
{
    char input[1024];
    snprintf(input, sizeof(input),
             "{\"RoleName\":\"%s\",\"Path\":\"%s\",\"AssumeRolePolicyDocument\":\"" TRUST_ACCOUNT
             "\"}",
             name, path);
    json_decref(sbx_ok(fx, &fx->root, "iam", "CreateRole", input));
}

static bool s_all_of(const char *s, const char *alphabet)
{
    for (; *s != '\0'; s++) {
        if (strchr(alphabet, *s) == NULL) {
            return false;
        }
    }
    return true;
}

#define ALNUM "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

static void test_create_and_get_role(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    json_t *out = sbx_ok(&fx, &fx.root, "iam", "CreateRole",
                         "{\"RoleName\":\"App\",\"Path\":\"/team/\",\"Description\":\"d\","
                         "\"MaxSessionDuration\":7200,\"Tags\":[{\"Key\":\"k\",\"Value\":\"v\"}],"
                         "\"AssumeRolePolicyDocument\":\"" TRUST_ACCOUNT "\"}");
    const char *role_id = sbx_str2(out, "Role", "RoleId");
    assert_int_equal(strlen(role_id), 21);
    assert_memory_equal(role_id, "AROA", 4);
    assert_string_equal(sbx_str2(out, "Role", "Arn"), "arn:aws:iam::123456789012:role/team/App");
    /* The trust policy comes back URL-encoded, as IAM sends it. */
    const char *doc = sbx_str2(out, "Role", "AssumeRolePolicyDocument");
    assert_non_null(strstr(doc, "%7B%22Version%22%3A%222012-10-17%22"));
    json_decref(out);

    out = sbx_ok(&fx, &fx.root, "iam", "GetRole", "{\"RoleName\":\"app\"}");
    assert_string_equal(sbx_str2(out, "Role", "RoleName"), "App"); /* names ignore case */
    assert_string_equal(sbx_str2(out, "Role", "Description"), "d");
    assert_int_equal(
      json_integer_value(json_object_get(json_object_get(out, "Role"), "MaxSessionDuration")),
      7200);
    assert_non_null(json_object_get(json_object_get(out, "Role"), "RoleLastUsed"));
    assert_int_equal(json_array_size(json_object_get(json_object_get(out, "Role"), "Tags")), 1);
    json_decref(out);

    sbx_expect_error(&fx, &fx.root, "iam", "CreateRole",
                     "{\"RoleName\":\"APP\",\"AssumeRolePolicyDocument\":\"" TRUST_ACCOUNT "\"}",
                     409, "EntityAlreadyExists");
    sbx_expect_error(&fx, &fx.root, "iam", "CreateRole",
                     "{\"RoleName\":\"A12345678901234567890123456789012345678901234567890123456789"
                     "012345\",\"AssumeRolePolicyDocument\":\"" TRUST_ACCOUNT "\"}",
                     400, "ValidationError");
    sbx_expect_error(&fx, &fx.root, "iam", "CreateRole",
                     "{\"RoleName\":\"Bad\",\"AssumeRolePolicyDocument\":\"{not json\"}", 400,
                     "MalformedPolicyDocument");
    sbx_expect_error(&fx, &fx.root, "iam", "GetRole", "{\"RoleName\":\"Nope\"}", 404,
                     "NoSuchEntity");
    /* Trust policies are limited to 2,048 characters. */
    char big[3000];
    int len = snprintf(big, sizeof(big),
                       "{\"RoleName\":\"Big\",\"AssumeRolePolicyDocument\":\"{\\\"Statement\\\":"
                       "{\\\"Effect\\\":\\\"Allow\\\",\\\"Principal\\\":\\\"*\\\","
                       "\\\"Action\\\":\\\"sts:AssumeRole\\\",\\\"Sid\\\":\\\"");
    memset(big + len, 'x', 2100);
    snprintf(big + len + 2100, sizeof(big) - (size_t)len - 2100, "\\\"}}\"}");
    sbx_expect_error(&fx, &fx.root, "iam", "CreateRole", big, 409, "LimitExceeded");
    assert_string_equal(fx.err.message, "Cannot exceed quota for ACLSizePerRole: 2048");

    json_decref(sbx_ok(&fx, &fx.root, "iam", "UpdateRoleDescription",
                       "{\"RoleName\":\"App\",\"Description\":\"new\"}"));
    json_decref(sbx_ok(&fx, &fx.root, "iam", "UpdateRole",
                       "{\"RoleName\":\"App\",\"MaxSessionDuration\":3600}"));
    out = sbx_ok(&fx, &fx.root, "iam", "GetRole", "{\"RoleName\":\"App\"}");
    assert_string_equal(sbx_str2(out, "Role", "Description"), "new");
    assert_int_equal(
      json_integer_value(json_object_get(json_object_get(out, "Role"), "MaxSessionDuration")),
      3600);
    json_decref(out);
    sbx_fixture_close(&fx);
}

static void test_role_quota(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    for (int i = 0; i < 1000; i++) {
        char name[32];
        snprintf(name, sizeof(name), "r%04d", i);
        s_create_role(&fx, name, "/");
    }
    sbx_expect_error(&fx, &fx.root, "iam", "CreateRole",
                     "{\"RoleName\":\"one-too-many\",\"AssumeRolePolicyDocument\":\"" TRUST_ACCOUNT
                     "\"}",
                     409, "LimitExceeded");
    sbx_fixture_close(&fx);
}

static void test_list_roles_path_prefix_and_marker(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    const char *app[] = { "a1", "a2", "a3", "a4", "a5" };
    for (size_t i = 0; i < 5; i++) {
        s_create_role(&fx, app[4 - i], "/app/x/");
    }
    s_create_role(&fx, "o1", "/other/");
    s_create_role(&fx, "a0", "/");

    size_t seen = 0;
    int pages = 0;
    char marker[256] = "";
    for (;;) {
        char input[512];
        if (marker[0] != '\0') {
            snprintf(input, sizeof(input),
                     "{\"PathPrefix\":\"/app/\",\"MaxItems\":2,\"Marker\":\"%s\"}", marker);
        } else {
            snprintf(input, sizeof(input), "{\"PathPrefix\":\"/app/\",\"MaxItems\":2}");
        }
        json_t *out = sbx_ok(&fx, &fx.root, "iam", "ListRoles", input);
        pages++;
        size_t i;
        json_t *role;
        json_array_foreach(json_object_get(out, "Roles"), i, role)
        {
            assert_true(seen < 5);
            assert_string_equal(json_string_value(json_object_get(role, "RoleName")), app[seen]);
            assert_null(json_object_get(role, "RoleLastUsed")); /* ListRoles omits it */
            seen++;
        }
        bool truncated = json_is_true(json_object_get(out, "IsTruncated"));
        const char *next = json_string_value(json_object_get(out, "Marker"));
        assert_true(truncated == (next != NULL));
        if (!truncated) {
            json_decref(out);
            break;
        }
        snprintf(marker, sizeof(marker), "%s", next);
        json_decref(out);
    }
    assert_int_equal(seen, 5);
    assert_int_equal(pages, 3);

    json_t *out = sbx_ok(&fx, &fx.root, "iam", "ListRoles", NULL);
    assert_int_equal(json_array_size(json_object_get(out, "Roles")), 7);
    json_decref(out);
    sbx_fixture_close(&fx);
}

static void test_policies_tags_and_delete_conflict(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    s_create_role(&fx, "R", "/");
    const char *arn = "arn:aws:iam::aws:policy/ReadOnlyAccess";
    char input[512];
    snprintf(input, sizeof(input), "{\"RoleName\":\"R\",\"PolicyArn\":\"%s\"}", arn);
    json_decref(sbx_ok(&fx, &fx.root, "iam", "AttachRolePolicy", input));
    json_t *out = sbx_ok(&fx, &fx.root, "iam", "ListAttachedRolePolicies", "{\"RoleName\":\"R\"}");
    assert_string_equal(
      json_string_value(
        json_object_get(json_array_get(json_object_get(out, "AttachedPolicies"), 0), "PolicyName")),
      "ReadOnlyAccess");
    json_decref(out);
    sbx_expect_error(&fx, &fx.root, "iam", "DeleteRole", "{\"RoleName\":\"R\"}", 409,
                     "DeleteConflict");
    assert_string_equal(fx.err.message, "Cannot delete entity, must detach all policies first.");
    /* At most 10 managed policies per role; attaching one again is not a new one. */
    for (int i = 0; i <= 10; i++) {
        char create[256];
        snprintf(create, sizeof(create),
                 "{\"PolicyName\":\"P%d\",\"PolicyDocument\":\"{\\\"Version\\\":"
                 "\\\"2012-10-17\\\",\\\"Statement\\\":{\\\"Effect\\\":\\\"Allow\\\","
                 "\\\"Action\\\":\\\"s3:ListBucket\\\",\\\"Resource\\\":\\\"*\\\"}}\"}",
                 i);
        json_decref(sbx_ok(&fx, &fx.root, "iam", "CreatePolicy", create));
    }
    for (int i = 0; i < 9; i++) {
        char more[256];
        snprintf(more, sizeof(more),
                 "{\"RoleName\":\"R\",\"PolicyArn\":\"arn:aws:iam::123456789012:policy/P%d\"}", i);
        json_decref(sbx_ok(&fx, &fx.root, "iam", "AttachRolePolicy", more));
    }
    json_decref(sbx_ok(&fx, &fx.root, "iam", "AttachRolePolicy", input));
    sbx_expect_error(&fx, &fx.root, "iam", "AttachRolePolicy",
                     "{\"RoleName\":\"R\",\"PolicyArn\":\"arn:aws:iam::123456789012:policy/P10\"}",
                     409, "LimitExceeded");
    for (int i = 0; i < 9; i++) {
        char more[256];
        snprintf(more, sizeof(more),
                 "{\"RoleName\":\"R\",\"PolicyArn\":\"arn:aws:iam::123456789012:policy/P%d\"}", i);
        json_decref(sbx_ok(&fx, &fx.root, "iam", "DetachRolePolicy", more));
    }
    json_decref(sbx_ok(&fx, &fx.root, "iam", "DetachRolePolicy", input));
    sbx_expect_error(&fx, &fx.root, "iam", "DetachRolePolicy", input, 404, "NoSuchEntity");

    json_decref(sbx_ok(&fx, &fx.root, "iam", "PutRolePolicy",
                       "{\"RoleName\":\"R\",\"PolicyName\":\"inline\",\"PolicyDocument\":"
                       "\"{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":{\\\"Effect\\\":"
                       "\\\"Deny\\\",\\\"Action\\\":\\\"*\\\",\\\"Resource\\\":\\\"*\\\"}}\"}"));
    out = sbx_ok(&fx, &fx.root, "iam", "GetRolePolicy",
                 "{\"RoleName\":\"R\",\"PolicyName\":\"inline\"}");
    assert_non_null(strstr(json_string_value(json_object_get(out, "PolicyDocument")), "%22"));
    json_decref(out);
    out = sbx_ok(&fx, &fx.root, "iam", "ListRolePolicies", "{\"RoleName\":\"R\"}");
    assert_int_equal(json_array_size(json_object_get(out, "PolicyNames")), 1);
    json_decref(out);
    sbx_expect_error(&fx, &fx.root, "iam", "DeleteRole", "{\"RoleName\":\"R\"}", 409,
                     "DeleteConflict");
    assert_string_equal(fx.err.message, "Cannot delete entity, must delete policies first.");
    json_decref(sbx_ok(&fx, &fx.root, "iam", "DeleteRolePolicy",
                       "{\"RoleName\":\"R\",\"PolicyName\":\"inline\"}"));

    json_decref(sbx_ok(&fx, &fx.root, "iam", "TagRole",
                       "{\"RoleName\":\"R\",\"Tags\":[{\"Key\":\"a\",\"Value\":\"1\"},"
                       "{\"Key\":\"b\",\"Value\":\"2\"}]}"));
    json_decref(sbx_ok(&fx, &fx.root, "iam", "TagRole",
                       "{\"RoleName\":\"R\",\"Tags\":[{\"Key\":\"a\",\"Value\":\"3\"}]}"));
    json_decref(
      sbx_ok(&fx, &fx.root, "iam", "UntagRole", "{\"RoleName\":\"R\",\"TagKeys\":[\"b\"]}"));
    out = sbx_ok(&fx, &fx.root, "iam", "ListRoleTags", "{\"RoleName\":\"R\"}");
    assert_int_equal(json_array_size(json_object_get(out, "Tags")), 1);
    assert_string_equal(
      json_string_value(json_object_get(json_array_get(json_object_get(out, "Tags"), 0), "Value")),
      "3");
    json_decref(out);

    json_decref(sbx_ok(&fx, &fx.root, "iam", "DeleteRole", "{\"RoleName\":\"R\"}"));
    sbx_expect_error(&fx, &fx.root, "iam", "GetRole", "{\"RoleName\":\"R\"}", 404, "NoSuchEntity");
    sbx_fixture_close(&fx);
}

static void test_users_and_access_keys_sign(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    json_t *out = sbx_ok(&fx, &fx.root, "iam", "CreateUser", "{\"UserName\":\"alice\"}");
    char user_id[64];
    snprintf(user_id, sizeof(user_id), "%s", sbx_str2(out, "User", "UserId"));
    assert_memory_equal(user_id, "AIDA", 4);
    json_decref(out);
    out = sbx_ok(&fx, &fx.root, "iam", "CreateAccessKey", "{\"UserName\":\"alice\"}");
    char key_id[32];
    char secret[64];
    snprintf(key_id, sizeof(key_id), "%s", sbx_str2(out, "AccessKey", "AccessKeyId"));
    snprintf(secret, sizeof(secret), "%s", sbx_str2(out, "AccessKey", "SecretAccessKey"));
    json_decref(out);
    assert_int_equal(strlen(key_id), 20);
    assert_memory_equal(key_id, "AKIA", 4);
    assert_true(s_all_of(key_id, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"));
    assert_int_equal(strlen(secret), 40);

    /* The new key is what the SigV4 verifier finds. */
    struct sbx_identity alice;
    sbx_identity_for(&fx, key_id, "us-east-1", &alice);
    assert_string_equal(alice.creds.secret_access_key, secret);
    assert_string_equal(alice.creds.session_token, "");
    assert_string_equal(alice.creds.principal_arn, "arn:aws:iam::123456789012:user/alice");
    assert_string_equal(alice.creds.user_id, user_id);
    out = sbx_ok(&fx, &alice, "sts", "GetCallerIdentity", NULL);
    assert_string_equal(json_string_value(json_object_get(out, "UserId")), user_id);
    json_decref(out);

    /* ListUsers pages like ListRoles. */
    json_decref(sbx_ok(&fx, &fx.root, "iam", "CreateUser", "{\"UserName\":\"bob\"}"));
    json_decref(sbx_ok(&fx, &fx.root, "iam", "CreateUser", "{\"UserName\":\"carol\"}"));
    out = sbx_ok(&fx, &fx.root, "iam", "ListUsers", "{\"MaxItems\":2}");
    assert_int_equal(json_array_size(json_object_get(out, "Users")), 2);
    assert_true(json_is_true(json_object_get(out, "IsTruncated")));
    char page[256];
    snprintf(page, sizeof(page), "{\"MaxItems\":2,\"Marker\":\"%s\"}",
             json_string_value(json_object_get(out, "Marker")));
    json_decref(out);
    out = sbx_ok(&fx, &fx.root, "iam", "ListUsers", page);
    assert_int_equal(json_array_size(json_object_get(out, "Users")), 1);
    assert_string_equal(json_string_value(json_object_get(
                          json_array_get(json_object_get(out, "Users"), 0), "UserName")),
                        "carol");
    assert_true(json_is_false(json_object_get(out, "IsTruncated")));
    json_decref(out);

    out = sbx_ok(&fx, &fx.root, "iam", "ListAccessKeys", "{\"UserName\":\"alice\"}");
    assert_int_equal(json_array_size(json_object_get(out, "AccessKeyMetadata")), 1);
    json_decref(out);
    sbx_expect_error(&fx, &fx.root, "iam", "DeleteUser", "{\"UserName\":\"alice\"}", 409,
                     "DeleteConflict");
    char input[128];
    snprintf(input, sizeof(input), "{\"UserName\":\"alice\",\"AccessKeyId\":\"%s\"}", key_id);
    json_decref(sbx_ok(&fx, &fx.root, "iam", "DeleteAccessKey", input));
    struct cpw_sbx_credentials gone;
    assert_int_equal(cpw_sbx_credentials_lookup(fx.sbx, key_id, fx.now_ms, &gone), -1);
    assert_int_equal(cpw_last_error(), CPW_ERR_SIGV4_UNKNOWN_KEY);
    json_decref(sbx_ok(&fx, &fx.root, "iam", "DeleteUser", "{\"UserName\":\"alice\"}"));
    sbx_expect_error(&fx, &fx.root, "iam", "GetUser", "{\"UserName\":\"alice\"}", 404,
                     "NoSuchEntity");
    cpw_sbx_credentials_clean_up(&alice.creds);
    sbx_fixture_close(&fx);
}

static void test_not_emulated_operation(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    sbx_expect_error(&fx, &fx.root, "iam", "CreateOpenIDConnectProvider", "{}", 501,
                     "NotImplemented");
    assert_string_equal(fx.err.message,
                        "The sandbox does not emulate iam:CreateOpenIDConnectProvider yet");
    sbx_expect_error(&fx, &fx.root, "iam", "NoSuchOperation", "{}", 400, "InvalidAction");
    sbx_fixture_close(&fx);
}

/* ----- service-linked roles ---------------------------------------------------------------- */

static void test_slr_naming(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    json_t *out = sbx_ok(&fx, &fx.root, "iam", "CreateServiceLinkedRole",
                         "{\"AWSServiceName\":\"profile.amazonaws.com\"}");
    const char *name = sbx_str2(out, "Role", "RoleName");
    assert_int_equal(strlen(name), strlen("AWSServiceRoleForProfile_") + 20);
    assert_memory_equal(name, "AWSServiceRoleForProfile_", 25);
    assert_true(s_all_of(name + 25, ALNUM));
    assert_string_equal(sbx_str2(out, "Role", "Path"), "/aws-service-role/profile.amazonaws.com/");
    assert_non_null(
      strstr(sbx_str2(out, "Role", "AssumeRolePolicyDocument"), "profile.amazonaws.com"));
    char input[256];
    snprintf(input, sizeof(input), "{\"RoleName\":\"%s\"}", name);
    json_decref(out);
    out = sbx_ok(&fx, &fx.root, "iam", "ListAttachedRolePolicies", input);
    assert_string_equal(
      json_string_value(
        json_object_get(json_array_get(json_object_get(out, "AttachedPolicies"), 0), "PolicyArn")),
      "arn:aws:iam::aws:policy/aws-service-role/CustomerProfilesServiceLinkedRolePolicy");
    json_decref(out);

    out = sbx_ok(&fx, &fx.root, "iam", "CreateServiceLinkedRole",
                 "{\"AWSServiceName\":\"profile.amazonaws.com\",\"CustomSuffix\":\"dom1\"}");
    assert_string_equal(sbx_str2(out, "Role", "RoleName"), "AWSServiceRoleForProfile_dom1");
    assert_string_equal(sbx_str2(out, "Role", "Arn"),
                        "arn:aws:iam::123456789012:role/aws-service-role/profile.amazonaws.com/"
                        "AWSServiceRoleForProfile_dom1");
    json_decref(out);

    out = sbx_ok(&fx, &fx.root, "iam", "CreateServiceLinkedRole",
                 "{\"AWSServiceName\":\"connect.amazonaws.com\"}");
    name = sbx_str2(out, "Role", "RoleName");
    assert_int_equal(strlen(name), strlen("AWSServiceRoleForAmazonConnect_") + 20);
    assert_memory_equal(name, "AWSServiceRoleForAmazonConnect_", 31);
    assert_true(s_all_of(name + 31, ALNUM));
    snprintf(input, sizeof(input), "{\"RoleName\":\"%s\"}", name);
    json_decref(out);
    out = sbx_ok(&fx, &fx.root, "iam", "ListAttachedRolePolicies", input);
    assert_string_equal(
      json_string_value(
        json_object_get(json_array_get(json_object_get(out, "AttachedPolicies"), 0), "PolicyArn")),
      "arn:aws:iam::aws:policy/aws-service-role/AmazonConnectServiceLinkedRolePolicy");
    json_decref(out);

    out = sbx_ok(&fx, &fx.root, "iam", "CreateServiceLinkedRole",
                 "{\"AWSServiceName\":\"ecs.amazonaws.com\"}");
    assert_string_equal(sbx_str2(out, "Role", "RoleName"), "AWSServiceRoleForECS");
    json_decref(out);

    out = sbx_ok(&fx, &fx.root, "iam", "ListRoles",
                 "{\"PathPrefix\":\"/aws-service-role/profile.amazonaws.com/\"}");
    assert_int_equal(json_array_size(json_object_get(out, "Roles")), 2);
    json_decref(out);
    sbx_fixture_close(&fx);
}

static void test_slr_duplicate_and_protected(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    const char *in = "{\"AWSServiceName\":\"profile.amazonaws.com\",\"CustomSuffix\":\"x\"}";
    json_decref(sbx_ok(&fx, &fx.root, "iam", "CreateServiceLinkedRole", in));
    sbx_expect_error(&fx, &fx.root, "iam", "CreateServiceLinkedRole", in, 400, "InvalidInput");
    assert_string_equal(fx.err.message,
                        "Service role name AWSServiceRoleForProfile_x has been taken in this "
                        "account, please try a different suffix.");
    sbx_expect_error(&fx, &fx.root, "iam", "CreateServiceLinkedRole",
                     "{\"AWSServiceName\":\"ecs.amazonaws.com\",\"CustomSuffix\":\"x\"}", 400,
                     "InvalidInput");

    const char *role = "{\"RoleName\":\"AWSServiceRoleForProfile_x\"}";
    sbx_expect_error(&fx, &fx.root, "iam", "DeleteRole", role, 400, "UnmodifiableEntity");
    assert_string_equal(fx.err.message,
                        "Cannot perform the operation on the protected role "
                        "'AWSServiceRoleForProfile_x' - this role is only modifiable by AWS");
    sbx_expect_error(&fx, &fx.root, "iam", "DetachRolePolicy",
                     "{\"RoleName\":\"AWSServiceRoleForProfile_x\",\"PolicyArn\":\"arn:aws:iam::"
                     "aws:policy/aws-service-role/CustomerProfilesServiceLinkedRolePolicy\"}",
                     400, "UnmodifiableEntity");
    /* Only the description of a service-linked role may change. */
    json_decref(sbx_ok(&fx, &fx.root, "iam", "UpdateRoleDescription",
                       "{\"RoleName\":\"AWSServiceRoleForProfile_x\",\"Description\":\"ok\"}"));
    json_decref(sbx_ok(&fx, &fx.root, "iam", "GetRole", role));
    sbx_fixture_close(&fx);
}

static char *s_delete_slr(struct sbx_fixture *fx, const char *name)
{
    char input[256];
    snprintf(input, sizeof(input), "{\"RoleName\":\"%s\"}", name);
    json_t *out = sbx_ok(fx, &fx->root, "iam", "DeleteServiceLinkedRole", input);
    char *id = cpw_strdup(json_string_value(json_object_get(out, "DeletionTaskId")));
    json_decref(out);
    return id;
}

static json_t *s_status(struct sbx_fixture *fx, const char *task)
{
    char input[512];
    snprintf(input, sizeof(input), "{\"DeletionTaskId\":\"%s\"}", task);
    return sbx_ok(fx, &fx->root, "iam", "GetServiceLinkedRoleDeletionStatus", input);
}

static void test_slr_deletion_succeeds_after_delay(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    struct cpw_sbx_options opts = { .slr_deletion_delay_ms = 2000, .create_account_delay_ms = -1 };
    sbx_fixture_open(&fx, &opts);
    json_decref(sbx_ok(&fx, &fx.root, "iam", "CreateServiceLinkedRole",
                       "{\"AWSServiceName\":\"profile.amazonaws.com\",\"CustomSuffix\":\"d\"}"));
    char *task = s_delete_slr(&fx, "AWSServiceRoleForProfile_d");
    const char *prefix = "task/aws-service-role/profile.amazonaws.com/AWSServiceRoleForProfile_d/";
    assert_memory_equal(task, prefix, strlen(prefix));
    assert_int_equal(strlen(task), strlen(prefix) + 36);

    fx.now_ms += 1999;
    char *again = s_delete_slr(&fx, "AWSServiceRoleForProfile_d");
    assert_string_equal(again, task); /* same task while pending */
    cpw_free(again);
    json_t *out = s_status(&fx, task);
    assert_string_equal(json_string_value(json_object_get(out, "Status")), "IN_PROGRESS");
    json_decref(out);
    json_decref(
      sbx_ok(&fx, &fx.root, "iam", "GetRole", "{\"RoleName\":\"AWSServiceRoleForProfile_d\"}"));

    fx.now_ms += 1;
    out = s_status(&fx, task);
    assert_string_equal(json_string_value(json_object_get(out, "Status")), "SUCCEEDED");
    assert_null(json_object_get(out, "Reason"));
    json_decref(out);
    sbx_expect_error(&fx, &fx.root, "iam", "GetRole",
                     "{\"RoleName\":\"AWSServiceRoleForProfile_d\"}", 404, "NoSuchEntity");
    cpw_free(task);
    sbx_fixture_close(&fx);
}

struct fake_usage {
    int calls;
    bool in_use;
    char role_arn[512];
};

static int s_fake_hook(void *user,
                       struct cpw_sbx_ctx *ctx,
                       const char *account_id,
                       const char *role_arn,
                       json_t *list)
{
    (void)ctx;
    struct fake_usage *usage = user;
    usage->calls++;
    snprintf(usage->role_arn, sizeof(usage->role_arn), "%s", role_arn);
    assert_string_equal(account_id, "123456789012");
    if (usage->in_use) {
        json_array_append_new(
          list, json_pack("{s:s,s:[s]}", "Region", "eu-west-2", "Resources",
                          "arn:aws:profile:eu-west-2:123456789012:domains/still-here"));
    }
    return 0;
}

static void test_slr_deletion_fails_while_in_use(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    struct cpw_sbx_options opts = { .slr_deletion_delay_ms = 0, .create_account_delay_ms = -1 };
    sbx_fixture_open(&fx, &opts);
    struct fake_usage usage = { .in_use = true };
    assert_int_equal(
      cpw_sbx_register_role_usage_hook(fx.sbx, "profile.amazonaws.com", s_fake_hook, &usage), 0);
    json_decref(sbx_ok(&fx, &fx.root, "iam", "CreateServiceLinkedRole",
                       "{\"AWSServiceName\":\"profile.amazonaws.com\",\"CustomSuffix\":\"u\"}"));
    char *task = s_delete_slr(&fx, "AWSServiceRoleForProfile_u");
    json_t *out = s_status(&fx, task);
    assert_int_equal(usage.calls, 1);
    assert_string_equal(usage.role_arn, "arn:aws:iam::123456789012:role/aws-service-role/"
                                        "profile.amazonaws.com/AWSServiceRoleForProfile_u");
    assert_string_equal(json_string_value(json_object_get(out, "Status")), "FAILED");
    json_t *reason = json_object_get(out, "Reason");
    assert_non_null(json_string_value(json_object_get(reason, "Reason")));
    json_t *use = json_array_get(json_object_get(reason, "RoleUsageList"), 0);
    assert_string_equal(json_string_value(json_object_get(use, "Region")), "eu-west-2");
    assert_string_equal(json_string_value(json_array_get(json_object_get(use, "Resources"), 0)),
                        "arn:aws:profile:eu-west-2:123456789012:domains/still-here");
    json_decref(out);
    json_decref(
      sbx_ok(&fx, &fx.root, "iam", "GetRole", "{\"RoleName\":\"AWSServiceRoleForProfile_u\"}"));

    /* Once the resource is gone, a new task succeeds. */
    usage.in_use = false;
    char *second = s_delete_slr(&fx, "AWSServiceRoleForProfile_u");
    assert_string_not_equal(second, task);
    out = s_status(&fx, second);
    assert_string_equal(json_string_value(json_object_get(out, "Status")), "SUCCEEDED");
    json_decref(out);
    out = s_status(&fx, task); /* the old task keeps its outcome */
    assert_string_equal(json_string_value(json_object_get(out, "Status")), "FAILED");
    json_decref(out);
    cpw_free(task);
    cpw_free(second);
    sbx_fixture_close(&fx);
}

static void test_slr_deletion_errors(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    sbx_expect_error(&fx, &fx.root, "iam", "GetServiceLinkedRoleDeletionStatus",
                     "{\"DeletionTaskId\":\"task/aws-service-role/profile.amazonaws.com/"
                     "AWSServiceRoleForProfile_x/00000000-0000-4000-8000-000000000000\"}",
                     404, "NoSuchEntity");
    sbx_expect_error(&fx, &fx.root, "iam", "GetServiceLinkedRoleDeletionStatus",
                     "{\"DeletionTaskId\":\"not-a-task\"}", 400, "InvalidInput");
    sbx_expect_error(&fx, &fx.root, "iam", "DeleteServiceLinkedRole", "{\"RoleName\":\"Nope\"}",
                     404, "NoSuchEntity");
    s_create_role(&fx, "Plain", "/");
    sbx_expect_error(&fx, &fx.root, "iam", "DeleteServiceLinkedRole", "{\"RoleName\":\"Plain\"}",
                     400, "InvalidInput");
    sbx_fixture_close(&fx);
}

CPW_TEST_MAIN("sbx_iam",
              CPW_TEST(test_create_and_get_role),
              CPW_TEST(test_role_quota),
              CPW_TEST(test_list_roles_path_prefix_and_marker),
              CPW_TEST(test_policies_tags_and_delete_conflict),
              CPW_TEST(test_users_and_access_keys_sign),
              CPW_TEST(test_not_emulated_operation),
              CPW_TEST(test_slr_naming),
              CPW_TEST(test_slr_duplicate_and_protected),
              CPW_TEST(test_slr_deletion_succeeds_after_delay),
              CPW_TEST(test_slr_deletion_fails_while_in_use),
              CPW_TEST(test_slr_deletion_errors))
