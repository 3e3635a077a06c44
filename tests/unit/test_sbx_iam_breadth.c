/*
 * test_sbx_iam_breadth.c - the sandbox's IAM breadth through cpw_sbx_dispatch: managed policies
 * and their versions, AWS managed policies, groups, user tags and login profiles, access-key last
 * use, instance profiles, account summary and password policy, and the fidelity fixes (paths
 * under /aws-service-role/, ListRoleTags paging, DeleteConflict messages).
 */
#include "sbx_test.h"

#define DOC(action)                                                                                \
    "{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":[{\\\"Effect\\\":\\\"Allow\\\","        \
    "\\\"Action\\\":\\\"" action "\\\",\\\"Resource\\\":\\\"*\\\"}]}"
#define TRUST                                                                                      \
    "{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":[{\\\"Effect\\\":\\\"Allow\\\","        \
    "\\\"Principal\\\":{\\\"AWS\\\":\\\"123456789012\\\"},\\\"Action\\\":\\\"sts:AssumeRole\\\"}]" \
    "}"
#define LOCAL_ARN "arn:aws:iam::123456789012:policy/team/Ops"

static int64_t s_int2(const json_t *doc, const char *a, const char *b)
{
    return json_integer_value(json_object_get(json_object_get(doc, a), b));
}

static void test_managed_policy_lifecycle(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    json_t *out = sbx_ok(
      &fx, &fx.root, "iam", "CreatePolicy",
      "{\"PolicyName\":\"Ops\",\"Path\":\"/team/\",\"Description\":\"d\","
      "\"PolicyDocument\":\"" DOC("s3:GetObject") "\","
                                                  "\"Tags\":[{\"Key\":\"k\",\"Value\":\"v\"}]}");
    assert_string_equal(sbx_str2(out, "Policy", "Arn"), LOCAL_ARN);
    assert_string_equal(sbx_str2(out, "Policy", "DefaultVersionId"), "v1");
    assert_memory_equal(sbx_str2(out, "Policy", "PolicyId"), "ANPA", 4);
    assert_int_equal(s_int2(out, "Policy", "AttachmentCount"), 0);
    json_decref(out);
    sbx_expect_error(&fx, &fx.root, "iam", "CreatePolicy",
                     "{\"PolicyName\":\"ops\",\"PolicyDocument\":\"" DOC("s3:*") "\"}", 409,
                     "EntityAlreadyExists");
    sbx_expect_error(&fx, &fx.root, "iam", "CreatePolicy",
                     "{\"PolicyName\":\"Bad\",\"PolicyDocument\":\"{nope\"}", 400,
                     "MalformedPolicyDocument");
    sbx_expect_error(&fx, &fx.root, "iam", "GetPolicy",
                     "{\"PolicyArn\":\"arn:aws:iam::123456789012:policy/Nope\"}", 404,
                     "NoSuchEntity");

    /* Versions: v2..v5 fit, a sixth does not; the default moves with SetAsDefault. */
    for (int i = 0; i < 4; i++) {
        out = sbx_ok(&fx, &fx.root, "iam", "CreatePolicyVersion",
                     "{\"PolicyArn\":\"" LOCAL_ARN
                     "\",\"PolicyDocument\":\"" DOC("s3:PutObject") "\",\"SetAsDefault\":true}");
        char want[8];
        snprintf(want, sizeof(want), "v%d", i + 2);
        assert_string_equal(sbx_str2(out, "PolicyVersion", "VersionId"), want);
        json_decref(out);
    }
    sbx_expect_error(&fx, &fx.root, "iam", "CreatePolicyVersion",
                     "{\"PolicyArn\":\"" LOCAL_ARN "\",\"PolicyDocument\":\"" DOC("s3:*") "\"}",
                     409, "LimitExceeded");
    out = sbx_ok(&fx, &fx.root, "iam", "ListPolicyVersions", "{\"PolicyArn\":\"" LOCAL_ARN "\"}");
    assert_int_equal(json_array_size(json_object_get(out, "Versions")), 5);
    json_t *first = json_array_get(json_object_get(out, "Versions"), 0);
    assert_string_equal(json_string_value(json_object_get(first, "VersionId")), "v5");
    assert_true(json_is_true(json_object_get(first, "IsDefaultVersion")));
    json_decref(out);
    out = sbx_ok(&fx, &fx.root, "iam", "GetPolicyVersion",
                 "{\"PolicyArn\":\"" LOCAL_ARN "\",\"VersionId\":\"v1\"}");
    assert_non_null(strstr(sbx_str2(out, "PolicyVersion", "Document"), "s3%3AGetObject"));
    assert_false(
      json_is_true(json_object_get(json_object_get(out, "PolicyVersion"), "IsDefaultVersion")));
    json_decref(out);
    sbx_expect_error(&fx, &fx.root, "iam", "DeletePolicyVersion",
                     "{\"PolicyArn\":\"" LOCAL_ARN "\",\"VersionId\":\"v5\"}", 409,
                     "DeleteConflict");
    json_decref(sbx_ok(&fx, &fx.root, "iam", "SetDefaultPolicyVersion",
                       "{\"PolicyArn\":\"" LOCAL_ARN "\",\"VersionId\":\"v1\"}"));
    sbx_expect_error(&fx, &fx.root, "iam", "SetDefaultPolicyVersion",
                     "{\"PolicyArn\":\"" LOCAL_ARN "\",\"VersionId\":\"v9\"}", 404, "NoSuchEntity");

    /* Tags. */
    json_decref(sbx_ok(&fx, &fx.root, "iam", "TagPolicy",
                       "{\"PolicyArn\":\"" LOCAL_ARN
                       "\",\"Tags\":[{\"Key\":\"x\",\"Value\":\"1\"}]}"));
    json_decref(sbx_ok(&fx, &fx.root, "iam", "UntagPolicy",
                       "{\"PolicyArn\":\"" LOCAL_ARN "\",\"TagKeys\":[\"k\"]}"));
    out = sbx_ok(&fx, &fx.root, "iam", "ListPolicyTags", "{\"PolicyArn\":\"" LOCAL_ARN "\"}");
    assert_int_equal(json_array_size(json_object_get(out, "Tags")), 1);
    assert_string_equal(
      json_string_value(json_object_get(json_array_get(json_object_get(out, "Tags"), 0), "Key")),
      "x");
    json_decref(out);

    /* Attached, the policy cannot be deleted; the count and the entity list follow. */
    json_decref(sbx_ok(&fx, &fx.root, "iam", "CreateRole",
                       "{\"RoleName\":\"R\",\"AssumeRolePolicyDocument\":\"" TRUST "\"}"));
    json_decref(sbx_ok(&fx, &fx.root, "iam", "AttachRolePolicy",
                       "{\"RoleName\":\"R\",\"PolicyArn\":\"" LOCAL_ARN "\"}"));
    out = sbx_ok(&fx, &fx.root, "iam", "GetPolicy", "{\"PolicyArn\":\"" LOCAL_ARN "\"}");
    assert_int_equal(s_int2(out, "Policy", "AttachmentCount"), 1);
    json_decref(out);
    out =
      sbx_ok(&fx, &fx.root, "iam", "ListEntitiesForPolicy", "{\"PolicyArn\":\"" LOCAL_ARN "\"}");
    assert_int_equal(json_array_size(json_object_get(out, "PolicyRoles")), 1);
    assert_int_equal(json_array_size(json_object_get(out, "PolicyUsers")), 0);
    json_decref(out);
    sbx_expect_error(&fx, &fx.root, "iam", "DeletePolicy", "{\"PolicyArn\":\"" LOCAL_ARN "\"}", 409,
                     "DeleteConflict");
    assert_string_equal(fx.err.message, "Cannot delete a policy attached to entities.");
    json_decref(sbx_ok(&fx, &fx.root, "iam", "DetachRolePolicy",
                       "{\"RoleName\":\"R\",\"PolicyArn\":\"" LOCAL_ARN "\"}"));
    /* Non-default versions block the deletion too. */
    sbx_expect_error(&fx, &fx.root, "iam", "DeletePolicy", "{\"PolicyArn\":\"" LOCAL_ARN "\"}", 409,
                     "DeleteConflict");
    assert_non_null(strstr(fx.err.message, "more than one version"));
    for (int i = 2; i <= 5; i++) {
        char in[256];
        snprintf(in, sizeof(in), "{\"PolicyArn\":\"" LOCAL_ARN "\",\"VersionId\":\"v%d\"}", i);
        json_decref(sbx_ok(&fx, &fx.root, "iam", "DeletePolicyVersion", in));
    }
    json_decref(sbx_ok(&fx, &fx.root, "iam", "DeletePolicy", "{\"PolicyArn\":\"" LOCAL_ARN "\"}"));
    sbx_expect_error(&fx, &fx.root, "iam", "GetPolicy", "{\"PolicyArn\":\"" LOCAL_ARN "\"}", 404,
                     "NoSuchEntity");
    sbx_fixture_close(&fx);
}

static void test_aws_managed_policies(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    json_t *out = sbx_ok(&fx, &fx.root, "iam", "GetPolicy",
                         "{\"PolicyArn\":\"arn:aws:iam::aws:policy/AmazonConnect_FullAccess\"}");
    assert_string_equal(sbx_str2(out, "Policy", "DefaultVersionId"), "v4");
    json_decref(out);
    out = sbx_ok(&fx, &fx.root, "iam", "GetPolicyVersion",
                 "{\"PolicyArn\":\"arn:aws:iam::aws:policy/AdministratorAccess\","
                 "\"VersionId\":\"v1\"}");
    /* {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]} */
    assert_non_null(strstr(sbx_str2(out, "PolicyVersion", "Document"),
                           "%22Action%22%3A%22%2A%22%2C%22Resource%22%3A%22%2A%22"));
    json_decref(out);
    out = sbx_ok(&fx, &fx.root, "iam", "GetPolicy",
                 "{\"PolicyArn\":\"arn:aws:iam::aws:policy/aws-service-role/"
                 "CustomerProfilesServiceLinkedRolePolicy\"}");
    assert_string_equal(sbx_str2(out, "Policy", "Path"), "/aws-service-role/");
    json_decref(out);
    /* AWS managed policies cannot be changed. */
    sbx_expect_error(&fx, &fx.root, "iam", "DeletePolicy",
                     "{\"PolicyArn\":\"arn:aws:iam::aws:policy/ReadOnlyAccess\"}", 400,
                     "InvalidInput");
    /* Scope and OnlyAttached. */
    json_decref(sbx_ok(&fx, &fx.root, "iam", "CreatePolicy",
                       "{\"PolicyName\":\"Mine\",\"PolicyDocument\":\"" DOC("s3:*") "\"}"));
    out = sbx_ok(&fx, &fx.root, "iam", "ListPolicies", "{\"Scope\":\"AWS\"}");
    assert_int_equal(json_array_size(json_object_get(out, "Policies")), 7);
    json_decref(out);
    out = sbx_ok(&fx, &fx.root, "iam", "ListPolicies", "{\"Scope\":\"Local\"}");
    assert_int_equal(json_array_size(json_object_get(out, "Policies")), 1);
    json_decref(out);
    out = sbx_ok(&fx, &fx.root, "iam", "ListPolicies", "{\"PathPrefix\":\"/aws-service-role/\"}");
    assert_int_equal(json_array_size(json_object_get(out, "Policies")), 2);
    json_decref(out);
    json_decref(sbx_ok(&fx, &fx.root, "iam", "CreateUser", "{\"UserName\":\"u\"}"));
    json_decref(sbx_ok(&fx, &fx.root, "iam", "AttachUserPolicy",
                       "{\"UserName\":\"u\",\"PolicyArn\":"
                       "\"arn:aws:iam::aws:policy/IAMFullAccess\"}"));
    out = sbx_ok(&fx, &fx.root, "iam", "ListPolicies", "{\"OnlyAttached\":true}");
    assert_int_equal(json_array_size(json_object_get(out, "Policies")), 1);
    json_decref(out);
    /* Paging across both scopes: 8 policies, 3 a page. */
    size_t seen = 0;
    char marker[256] = "";
    for (int page = 0; page < 5; page++) {
        char in[512];
        snprintf(in, sizeof(in),
                 marker[0] ? "{\"MaxItems\":3,\"Marker\":\"%s\"}" : "{\"MaxItems\":3%s}", marker);
        out = sbx_ok(&fx, &fx.root, "iam", "ListPolicies", in);
        seen += json_array_size(json_object_get(out, "Policies"));
        const char *next = json_string_value(json_object_get(out, "Marker"));
        snprintf(marker, sizeof(marker), "%s", next ? next : "");
        bool more = json_is_true(json_object_get(out, "IsTruncated"));
        json_decref(out);
        if (!more) {
            break;
        }
    }
    assert_int_equal(seen, 8);
    /* Attaching a policy that does not exist is refused, as AWS does. */
    sbx_expect_error(&fx, &fx.root, "iam", "AttachUserPolicy",
                     "{\"UserName\":\"u\",\"PolicyArn\":\"arn:aws:iam::aws:policy/NoSuch\"}", 404,
                     "NoSuchEntity");
    assert_string_equal(
      fx.err.message, "Policy arn:aws:iam::aws:policy/NoSuch does not exist or is not attachable.");
    /* Service-role policies go on service-linked roles only. */
    sbx_expect_error(&fx, &fx.root, "iam", "AttachUserPolicy",
                     "{\"UserName\":\"u\",\"PolicyArn\":\"arn:aws:iam::aws:policy/aws-service-role/"
                     "AmazonConnectServiceLinkedRolePolicy\"}",
                     400, "PolicyNotAttachable");
    out = sbx_ok(&fx, &fx.root, "iam", "ListAttachedUserPolicies", "{\"UserName\":\"u\"}");
    assert_int_equal(json_array_size(json_object_get(out, "AttachedPolicies")), 1);
    json_decref(out);
    sbx_expect_error(&fx, &fx.root, "iam", "DeleteUser", "{\"UserName\":\"u\"}", 409,
                     "DeleteConflict");
    assert_string_equal(fx.err.message, "Cannot delete entity, must detach all policies first.");
    json_decref(sbx_ok(&fx, &fx.root, "iam", "DetachUserPolicy",
                       "{\"UserName\":\"u\",\"PolicyArn\":"
                       "\"arn:aws:iam::aws:policy/IAMFullAccess\"}"));
    json_decref(sbx_ok(&fx, &fx.root, "iam", "DeleteUser", "{\"UserName\":\"u\"}"));
    sbx_fixture_close(&fx);
}

static void test_groups(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    json_t *out = sbx_ok(&fx, &fx.root, "iam", "CreateGroup", "{\"GroupName\":\"Admins\"}");
    assert_string_equal(sbx_str2(out, "Group", "Arn"), "arn:aws:iam::123456789012:group/Admins");
    assert_memory_equal(sbx_str2(out, "Group", "GroupId"), "AGPA", 4);
    json_decref(out);
    sbx_expect_error(&fx, &fx.root, "iam", "CreateGroup", "{\"GroupName\":\"admins\"}", 409,
                     "EntityAlreadyExists");
    json_decref(sbx_ok(&fx, &fx.root, "iam", "CreateUser", "{\"UserName\":\"alice\"}"));
    sbx_expect_error(&fx, &fx.root, "iam", "AddUserToGroup",
                     "{\"GroupName\":\"Admins\",\"UserName\":\"bob\"}", 404, "NoSuchEntity");
    json_decref(sbx_ok(&fx, &fx.root, "iam", "AddUserToGroup",
                       "{\"GroupName\":\"Admins\",\"UserName\":\"alice\"}"));
    out = sbx_ok(&fx, &fx.root, "iam", "GetGroup", "{\"GroupName\":\"Admins\"}");
    assert_int_equal(json_array_size(json_object_get(out, "Users")), 1);
    json_decref(out);
    out = sbx_ok(&fx, &fx.root, "iam", "ListGroupsForUser", "{\"UserName\":\"alice\"}");
    assert_int_equal(json_array_size(json_object_get(out, "Groups")), 1);
    json_decref(out);
    sbx_expect_error(&fx, &fx.root, "iam", "DeleteGroup", "{\"GroupName\":\"Admins\"}", 409,
                     "DeleteConflict");
    assert_string_equal(fx.err.message,
                        "Cannot delete entity, must remove users from group first.");
    sbx_expect_error(&fx, &fx.root, "iam", "DeleteUser", "{\"UserName\":\"alice\"}", 409,
                     "DeleteConflict");
    json_decref(sbx_ok(&fx, &fx.root, "iam", "RemoveUserFromGroup",
                       "{\"GroupName\":\"Admins\",\"UserName\":\"alice\"}"));
    json_decref(sbx_ok(
      &fx, &fx.root, "iam", "PutGroupPolicy",
      "{\"GroupName\":\"Admins\",\"PolicyName\":\"p\",\"PolicyDocument\":\"" DOC("iam:*") "\"}"));
    out = sbx_ok(&fx, &fx.root, "iam", "GetGroupPolicy",
                 "{\"GroupName\":\"Admins\",\"PolicyName\":\"p\"}");
    assert_non_null(strstr(json_string_value(json_object_get(out, "PolicyDocument")), "iam%3A%2A"));
    json_decref(out);
    out = sbx_ok(&fx, &fx.root, "iam", "ListGroupPolicies", "{\"GroupName\":\"Admins\"}");
    assert_int_equal(json_array_size(json_object_get(out, "PolicyNames")), 1);
    json_decref(out);
    sbx_expect_error(&fx, &fx.root, "iam", "DeleteGroup", "{\"GroupName\":\"Admins\"}", 409,
                     "DeleteConflict");
    assert_string_equal(fx.err.message, "Cannot delete entity, must delete policies first.");
    json_decref(sbx_ok(&fx, &fx.root, "iam", "DeleteGroupPolicy",
                       "{\"GroupName\":\"Admins\",\"PolicyName\":\"p\"}"));
    sbx_expect_error(&fx, &fx.root, "iam", "GetGroupPolicy",
                     "{\"GroupName\":\"Admins\",\"PolicyName\":\"p\"}", 404, "NoSuchEntity");
    json_decref(sbx_ok(&fx, &fx.root, "iam", "AttachGroupPolicy",
                       "{\"GroupName\":\"Admins\",\"PolicyArn\":"
                       "\"arn:aws:iam::aws:policy/AdministratorAccess\"}"));
    out = sbx_ok(&fx, &fx.root, "iam", "ListAttachedGroupPolicies", "{\"GroupName\":\"Admins\"}");
    assert_int_equal(json_array_size(json_object_get(out, "AttachedPolicies")), 1);
    json_decref(out);
    sbx_expect_error(&fx, &fx.root, "iam", "DeleteGroup", "{\"GroupName\":\"Admins\"}", 409,
                     "DeleteConflict");
    json_decref(sbx_ok(&fx, &fx.root, "iam", "DetachGroupPolicy",
                       "{\"GroupName\":\"Admins\",\"PolicyArn\":"
                       "\"arn:aws:iam::aws:policy/AdministratorAccess\"}"));
    json_decref(sbx_ok(&fx, &fx.root, "iam", "DeleteGroup", "{\"GroupName\":\"Admins\"}"));
    out = sbx_ok(&fx, &fx.root, "iam", "ListGroups", NULL);
    assert_int_equal(json_array_size(json_object_get(out, "Groups")), 0);
    json_decref(out);
    /* User inline policies. */
    json_decref(sbx_ok(
      &fx, &fx.root, "iam", "PutUserPolicy",
      "{\"UserName\":\"alice\",\"PolicyName\":\"q\",\"PolicyDocument\":\"" DOC("s3:*") "\"}"));
    out = sbx_ok(&fx, &fx.root, "iam", "ListUserPolicies", "{\"UserName\":\"alice\"}");
    assert_int_equal(json_array_size(json_object_get(out, "PolicyNames")), 1);
    json_decref(out);
    sbx_expect_error(&fx, &fx.root, "iam", "DeleteUser", "{\"UserName\":\"alice\"}", 409,
                     "DeleteConflict");
    assert_string_equal(fx.err.message, "Cannot delete entity, must delete policies first.");
    sbx_fixture_close(&fx);
}

static void test_users_keys_profiles_account(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    json_decref(sbx_ok(&fx, &fx.root, "iam", "CreateUser", "{\"UserName\":\"dev\"}"));
    json_decref(sbx_ok(&fx, &fx.root, "iam", "TagUser",
                       "{\"UserName\":\"dev\",\"Tags\":[{\"Key\":\"team\",\"Value\":\"a\"},"
                       "{\"Key\":\"x\",\"Value\":\"1\"}]}"));
    json_decref(
      sbx_ok(&fx, &fx.root, "iam", "UntagUser", "{\"UserName\":\"dev\",\"TagKeys\":[\"x\"]}"));
    json_t *out = sbx_ok(&fx, &fx.root, "iam", "ListUserTags", "{\"UserName\":\"dev\"}");
    assert_int_equal(json_array_size(json_object_get(out, "Tags")), 1);
    json_decref(out);
    sbx_expect_error(&fx, &fx.root, "iam", "ListUserTags", "{\"UserName\":\"nobody\"}", 404,
                     "NoSuchEntity");

    /* Login profiles follow the password policy. */
    json_decref(sbx_ok(&fx, &fx.root, "iam", "UpdateAccountPasswordPolicy",
                       "{\"MinimumPasswordLength\":12,\"RequireNumbers\":true}"));
    out = sbx_ok(&fx, &fx.root, "iam", "GetAccountPasswordPolicy", NULL);
    assert_int_equal(s_int2(out, "PasswordPolicy", "MinimumPasswordLength"), 12);
    json_decref(out);
    sbx_expect_error(&fx, &fx.root, "iam", "CreateLoginProfile",
                     "{\"UserName\":\"dev\",\"Password\":\"short1\"}", 400,
                     "PasswordPolicyViolation");
    sbx_expect_error(&fx, &fx.root, "iam", "CreateLoginProfile",
                     "{\"UserName\":\"dev\",\"Password\":\"longbutnodigits\"}", 400,
                     "PasswordPolicyViolation");
    out = sbx_ok(&fx, &fx.root, "iam", "CreateLoginProfile",
                 "{\"UserName\":\"dev\",\"Password\":\"correcthorse42\","
                 "\"PasswordResetRequired\":true}");
    assert_true(
      json_is_true(json_object_get(json_object_get(out, "LoginProfile"), "PasswordResetRequired")));
    json_decref(out);
    sbx_expect_error(&fx, &fx.root, "iam", "CreateLoginProfile",
                     "{\"UserName\":\"dev\",\"Password\":\"correcthorse42\"}", 409,
                     "EntityAlreadyExists");
    json_decref(sbx_ok(&fx, &fx.root, "iam", "UpdateLoginProfile",
                       "{\"UserName\":\"dev\",\"PasswordResetRequired\":false}"));
    out = sbx_ok(&fx, &fx.root, "iam", "GetLoginProfile", "{\"UserName\":\"dev\"}");
    assert_false(
      json_is_true(json_object_get(json_object_get(out, "LoginProfile"), "PasswordResetRequired")));
    json_decref(out);
    sbx_expect_error(&fx, &fx.root, "iam", "DeleteUser", "{\"UserName\":\"dev\"}", 409,
                     "DeleteConflict");
    assert_string_equal(fx.err.message, "Cannot delete entity, must delete login profile first.");
    json_decref(sbx_ok(&fx, &fx.root, "iam", "DeleteLoginProfile", "{\"UserName\":\"dev\"}"));
    sbx_expect_error(&fx, &fx.root, "iam", "GetLoginProfile", "{\"UserName\":\"dev\"}", 404,
                     "NoSuchEntity");
    json_decref(sbx_ok(&fx, &fx.root, "iam", "DeleteAccountPasswordPolicy", NULL));
    sbx_expect_error(&fx, &fx.root, "iam", "GetAccountPasswordPolicy", NULL, 404, "NoSuchEntity");

    /* A key is "N/A" until it signs a request; then its service, region and time show. */
    out = sbx_ok(&fx, &fx.root, "iam", "CreateAccessKey", "{\"UserName\":\"dev\"}");
    char key_id[32];
    snprintf(key_id, sizeof(key_id), "%s", sbx_str2(out, "AccessKey", "AccessKeyId"));
    json_decref(out);
    char in[256];
    snprintf(in, sizeof(in), "{\"AccessKeyId\":\"%s\"}", key_id);
    out = sbx_ok(&fx, &fx.root, "iam", "GetAccessKeyLastUsed", in);
    assert_string_equal(sbx_str2(out, "AccessKeyLastUsed", "ServiceName"), "N/A");
    assert_string_equal(json_string_value(json_object_get(out, "UserName")), "dev");
    json_decref(out);
    struct sbx_identity dev;
    sbx_identity_for(&fx, key_id, "eu-central-1", &dev);
    fx.now_ms += 60000;
    json_decref(sbx_ok(&fx, &dev, "sts", "GetCallerIdentity", NULL));
    out = sbx_ok(&fx, &fx.root, "iam", "GetAccessKeyLastUsed", in);
    assert_string_equal(sbx_str2(out, "AccessKeyLastUsed", "ServiceName"), "sts");
    assert_string_equal(sbx_str2(out, "AccessKeyLastUsed", "Region"), "eu-central-1");
    assert_string_equal(sbx_str2(out, "AccessKeyLastUsed", "LastUsedDate"), "2026-11-18T11:07:40Z");
    json_decref(out);
    snprintf(in, sizeof(in),
             "{\"UserName\":\"dev\",\"AccessKeyId\":\"%s\",\"Status\":\"Inactive\"}", key_id);
    json_decref(sbx_ok(&fx, &fx.root, "iam", "UpdateAccessKey", in));
    struct cpw_sbx_credentials creds;
    assert_int_equal(cpw_sbx_credentials_lookup(fx.sbx, key_id, fx.now_ms, &creds), -1);
    cpw_error_clear();
    sbx_expect_error(&fx, &fx.root, "iam", "UpdateAccessKey",
                     "{\"UserName\":\"dev\",\"AccessKeyId\":\"AKIANOPE\",\"Status\":\"Active\"}",
                     404, "NoSuchEntity");

    /* The authorization details list the user with its tags and the attached policies. */
    json_decref(sbx_ok(&fx, &fx.root, "iam", "AttachUserPolicy",
                       "{\"UserName\":\"dev\",\"PolicyArn\":"
                       "\"arn:aws:iam::aws:policy/ReadOnlyAccess\"}"));
    json_decref(sbx_ok(&fx, &fx.root, "iam", "CreateRole",
                       "{\"RoleName\":\"Det\",\"Description\":\"d\","
                       "\"AssumeRolePolicyDocument\":\"" TRUST "\"}"));
    out = sbx_ok(&fx, &fx.root, "iam", "GetAccountAuthorizationDetails", NULL);
    assert_int_equal(json_array_size(json_object_get(out, "RoleDetailList")), 1);
    json_t *udetail = json_array_get(json_object_get(out, "UserDetailList"), 0);
    assert_string_equal(json_string_value(json_object_get(udetail, "UserName")), "dev");
    assert_int_equal(json_array_size(json_object_get(udetail, "Tags")), 1);
    assert_int_equal(json_array_size(json_object_get(udetail, "AttachedManagedPolicies")), 1);
    /* ReadOnlyAccess is in use, so it is listed with its versions; unused AWS ones are not. */
    assert_int_equal(json_array_size(json_object_get(out, "Policies")), 1);
    assert_int_equal(json_array_size(json_object_get(
                       json_array_get(json_object_get(out, "Policies"), 0), "PolicyVersionList")),
                     1);
    json_decref(out);
    out = sbx_ok(&fx, &fx.root, "iam", "GetAccountAuthorizationDetails", "{\"Filter\":[\"Role\"]}");
    assert_int_equal(json_array_size(json_object_get(out, "UserDetailList")), 0);
    assert_int_equal(json_array_size(json_object_get(out, "Policies")), 0);
    json_decref(out);
    json_decref(sbx_ok(&fx, &fx.root, "iam", "DetachUserPolicy",
                       "{\"UserName\":\"dev\",\"PolicyArn\":"
                       "\"arn:aws:iam::aws:policy/ReadOnlyAccess\"}"));

    /* Account summary counts what exists. */
    out = sbx_ok(&fx, &fx.root, "iam", "GetAccountSummary", NULL);
    assert_int_equal(s_int2(out, "SummaryMap", "Users"), 1);
    assert_int_equal(s_int2(out, "SummaryMap", "VersionsPerPolicyQuota"), 5);
    json_decref(out);
    sbx_fixture_close(&fx);
}

static void test_instance_profiles(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    json_decref(sbx_ok(&fx, &fx.root, "iam", "CreateRole",
                       "{\"RoleName\":\"Ec2\",\"AssumeRolePolicyDocument\":\"" TRUST "\"}"));
    json_t *out = sbx_ok(&fx, &fx.root, "iam", "CreateInstanceProfile",
                         "{\"InstanceProfileName\":\"web\",\"Path\":\"/app/\"}");
    assert_string_equal(sbx_str2(out, "InstanceProfile", "Arn"),
                        "arn:aws:iam::123456789012:instance-profile/app/web");
    json_decref(out);
    sbx_expect_error(&fx, &fx.root, "iam", "CreateInstanceProfile",
                     "{\"InstanceProfileName\":\"web\"}", 409, "EntityAlreadyExists");
    json_decref(sbx_ok(&fx, &fx.root, "iam", "AddRoleToInstanceProfile",
                       "{\"InstanceProfileName\":\"web\",\"RoleName\":\"Ec2\"}"));
    sbx_expect_error(&fx, &fx.root, "iam", "AddRoleToInstanceProfile",
                     "{\"InstanceProfileName\":\"web\",\"RoleName\":\"Ec2\"}", 409,
                     "LimitExceeded");
    out = sbx_ok(&fx, &fx.root, "iam", "ListInstanceProfilesForRole", "{\"RoleName\":\"Ec2\"}");
    assert_int_equal(json_array_size(json_object_get(out, "InstanceProfiles")), 1);
    json_decref(out);
    out = sbx_ok(&fx, &fx.root, "iam", "GetInstanceProfile", "{\"InstanceProfileName\":\"web\"}");
    assert_int_equal(
      json_array_size(json_object_get(json_object_get(out, "InstanceProfile"), "Roles")), 1);
    json_decref(out);
    sbx_expect_error(&fx, &fx.root, "iam", "DeleteRole", "{\"RoleName\":\"Ec2\"}", 409,
                     "DeleteConflict");
    assert_string_equal(fx.err.message,
                        "Cannot delete entity, must remove roles from instance profile first.");
    sbx_expect_error(&fx, &fx.root, "iam", "DeleteInstanceProfile",
                     "{\"InstanceProfileName\":\"web\"}", 409, "DeleteConflict");
    json_decref(sbx_ok(&fx, &fx.root, "iam", "RemoveRoleFromInstanceProfile",
                       "{\"InstanceProfileName\":\"web\",\"RoleName\":\"Ec2\"}"));
    json_decref(
      sbx_ok(&fx, &fx.root, "iam", "DeleteInstanceProfile", "{\"InstanceProfileName\":\"web\"}"));
    out = sbx_ok(&fx, &fx.root, "iam", "ListInstanceProfiles", NULL);
    assert_int_equal(json_array_size(json_object_get(out, "InstanceProfiles")), 0);
    json_decref(out);
    sbx_fixture_close(&fx);
}

static void test_role_fidelity(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    sbx_expect_error(&fx, &fx.root, "iam", "CreateRole",
                     "{\"RoleName\":\"Fake\",\"Path\":\"/aws-service-role/connect.amazonaws.com/\","
                     "\"AssumeRolePolicyDocument\":\"" TRUST "\"}",
                     400, "InvalidInput");
    assert_non_null(strstr(fx.err.message, "/aws-service-role/"));
    json_decref(sbx_ok(&fx, &fx.root, "iam", "CreateRole",
                       "{\"RoleName\":\"T\",\"AssumeRolePolicyDocument\":\"" TRUST "\"}"));
    json_decref(sbx_ok(&fx, &fx.root, "iam", "TagRole",
                       "{\"RoleName\":\"T\",\"Tags\":[{\"Key\":\"a\",\"Value\":\"1\"},"
                       "{\"Key\":\"b\",\"Value\":\"2\"},{\"Key\":\"c\",\"Value\":\"3\"}]}"));
    json_t *out =
      sbx_ok(&fx, &fx.root, "iam", "ListRoleTags", "{\"RoleName\":\"T\",\"MaxItems\":2}");
    assert_int_equal(json_array_size(json_object_get(out, "Tags")), 2);
    assert_true(json_is_true(json_object_get(out, "IsTruncated")));
    char in[256];
    snprintf(in, sizeof(in), "{\"RoleName\":\"T\",\"MaxItems\":2,\"Marker\":\"%s\"}",
             json_string_value(json_object_get(out, "Marker")));
    json_decref(out);
    out = sbx_ok(&fx, &fx.root, "iam", "ListRoleTags", in);
    assert_int_equal(json_array_size(json_object_get(out, "Tags")), 1);
    assert_string_equal(
      json_string_value(json_object_get(json_array_get(json_object_get(out, "Tags"), 0), "Key")),
      "c");
    assert_false(json_is_true(json_object_get(out, "IsTruncated")));
    json_decref(out);
    sbx_fixture_close(&fx);
}

static void test_partitions(void **state)
{
    (void)state;
    struct sbx_fixture fx;
    sbx_fixture_open(&fx, NULL);
    struct sbx_identity cn;
    struct sbx_identity gov;
    sbx_identity_for(&fx, CPW_SBX_ROOT_ACCESS_KEY_ID, "cn-north-1", &cn);
    sbx_identity_for(&fx, CPW_SBX_ROOT_ACCESS_KEY_ID, "us-gov-west-1", &gov);
    json_t *out = sbx_ok(&fx, &cn, "iam", "CreateRole",
                         "{\"RoleName\":\"Cn\",\"AssumeRolePolicyDocument\":\"" TRUST "\"}");
    assert_string_equal(sbx_str2(out, "Role", "Arn"), "arn:aws-cn:iam::123456789012:role/Cn");
    json_decref(out);
    out = sbx_ok(&fx, &gov, "iam", "CreateUser", "{\"UserName\":\"g\"}");
    assert_string_equal(sbx_str2(out, "User", "Arn"), "arn:aws-us-gov:iam::123456789012:user/g");
    json_decref(out);
    out = sbx_ok(&fx, &fx.root, "iam", "GetUser", "{\"UserName\":\"g\"}");
    assert_string_equal(sbx_str2(out, "User", "Arn"), "arn:aws-us-gov:iam::123456789012:user/g");
    json_decref(out);
    out = sbx_ok(&fx, &gov, "iam", "GetPolicy",
                 "{\"PolicyArn\":\"arn:aws-us-gov:iam::aws:policy/AdministratorAccess\"}");
    assert_string_equal(sbx_str2(out, "Policy", "Arn"),
                        "arn:aws-us-gov:iam::aws:policy/AdministratorAccess");
    json_decref(out);
    out = sbx_ok(&fx, &cn, "iam", "CreateGroup", "{\"GroupName\":\"G\"}");
    assert_string_equal(sbx_str2(out, "Group", "Arn"), "arn:aws-cn:iam::123456789012:group/G");
    json_decref(out);
    sbx_fixture_close(&fx);
}

CPW_TEST_MAIN("sbx_iam_breadth",
              CPW_TEST(test_managed_policy_lifecycle),
              CPW_TEST(test_aws_managed_policies),
              CPW_TEST(test_groups),
              CPW_TEST(test_users_keys_profiles_account),
              CPW_TEST(test_instance_profiles),
              CPW_TEST(test_role_fidelity),
              CPW_TEST(test_partitions))
