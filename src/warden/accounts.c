/*
 * accounts.c - one client per account of an organization-wide clean-up (the caller's, or one
 * signed with the role assumed in the member), the live organization check, and the typed
 * confirmation of the accounts touched.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpw/accounts.h"
#include "cpw/alloc.h"
#include "cpw/aws_call.h"
#include "cpw/credentials.h"
#include "cpw/crypto.h"
#include "cpw/error.h"
#include "cpw/json.h"

#define MAX_ACCOUNTS 10000u

struct member {
    char *id;
    struct cpw_credentials_provider *provider; /* NULL for the caller's account */
    struct cpw_aws_client *client;             /* NULL when unreachable */
    enum cpw_error error;                      /* why unreachable */
    char *detail;
};

struct cpw_accounts {
    struct cpw_aws_client *caller; /* borrowed */
    struct cpw_aws_client_options client_options;
    char *caller_account;
    char *partition;
    char *role_name;
    struct member *members;
    size_t member_count;
};

static bool s_is_account_id(const char *s)
{
    return s && strlen(s) == 12 && strspn(s, "0123456789") == 12;
}

struct cpw_accounts *cpw_accounts_new(const struct cpw_accounts_options *opts)
{
    if (!opts || !opts->caller || !opts->client_options || !s_is_account_id(opts->caller_account)) {
        cpw_raise(CPW_ERR_INVALID_ARGUMENT,
                  "the accounts need the caller's client, its options and its account id");
        return NULL;
    }
    struct cpw_accounts *a = cpw_calloc(1, sizeof(*a));
    a->caller = opts->caller;
    a->client_options = *opts->client_options;
    a->caller_account = cpw_strdup(opts->caller_account);
    a->role_name = cpw_strdup(opts->role_name && *opts->role_name ? opts->role_name
                                                                  : CPW_ACCOUNTS_DEFAULT_ROLE_NAME);
    const char *arn = opts->caller_arn ? opts->caller_arn : "";
    const char *colon = strncmp(arn, "arn:", 4) == 0 ? strchr(arn + 4, ':') : NULL;
    a->partition = colon && colon > arn + 4 ? cpw_strndup(arn + 4, (size_t)(colon - arn - 4))
                                            : cpw_strdup("aws");
    return a;
}

void cpw_accounts_destroy(struct cpw_accounts *a)
{
    if (!a) {
        return;
    }
    for (size_t i = 0; i < a->member_count; i++) {
        cpw_aws_client_destroy(a->members[i].client); /* before its provider */
        cpw_credentials_provider_destroy(a->members[i].provider);
        cpw_free(a->members[i].id);
        cpw_free(a->members[i].detail);
    }
    cpw_free(a->members);
    cpw_free(a->caller_account);
    cpw_free(a->partition);
    cpw_free(a->role_name);
    cpw_free(a);
}

/* Makes the member's client and assumes the role once, so that a refusal is known now. */
static void s_reach(struct cpw_accounts *a, struct member *m)
{
    char role_arn[256];
    char session[64];
    snprintf(role_arn, sizeof(role_arn), "arn:%s:iam::%s:role/%s", a->partition, m->id,
             a->role_name);
    snprintf(session, sizeof(session), "cpwarden-%s", m->id);
    struct cpw_credentials_assume_role_options aopts = {
        .source = cpw_aws_client_credentials(a->caller),
        .role_arn = role_arn,
        .session_name = session,
        .region = a->client_options.region,
        .invoke = cpw_aws_client_invoke,
        .invoke_ctx = a->caller,
    };
    m->provider = cpw_credentials_provider_new_assume_role(&aopts);
    struct cpw_credentials creds;
    if (cpw_credentials_provider_get(m->provider, &creds)) {
        m->error = CPW_ERR_CREDENTIALS;
        struct cpw_buf text;
        cpw_buf_init(&text, 4096);
        (void)cpw_buf_appendf(&text, "cannot assume %s: %s", role_arn, cpw_last_error_detail());
        m->detail = cpw_buf_detach(&text);
        return;
    }
    cpw_credentials_clean_up(&creds);
    struct cpw_aws_client_options copts = a->client_options;
    copts.credentials = m->provider;
    copts.profile = NULL;
    m->client = cpw_aws_client_new(&copts);
    if (!m->client) {
        m->error = cpw_last_error();
        struct cpw_buf text;
        cpw_buf_init(&text, 4096);
        (void)cpw_buf_appendf(&text, "no client for account %s: %s", m->id,
                              cpw_last_error_detail());
        m->detail = cpw_buf_detach(&text);
    }
}

struct cpw_aws_client *cpw_accounts_client(struct cpw_accounts *a, const char *account)
{
    if (!a || !s_is_account_id(account)) {
        cpw_raise(CPW_ERR_INVALID_ARGUMENT, "'%s' is not an account id", account ? account : "");
        return NULL;
    }
    if (strcmp(account, a->caller_account) == 0) {
        return a->caller;
    }
    struct member *m = NULL;
    for (size_t i = 0; i < a->member_count && !m; i++) {
        if (strcmp(a->members[i].id, account) == 0) {
            m = &a->members[i];
        }
    }
    if (!m) {
        if (a->member_count >= MAX_ACCOUNTS) {
            cpw_raise(CPW_ERR_LIMIT, "more than %u accounts", MAX_ACCOUNTS);
            return NULL;
        }
        a->members = cpw_realloc(a->members, (a->member_count + 1) * sizeof(*a->members));
        m = &a->members[a->member_count++];
        memset(m, 0, sizeof(*m));
        m->id = cpw_strdup(account);
        s_reach(a, m);
    }
    if (!m->client) {
        cpw_raise(m->error, "%s", m->detail ? m->detail : "unreachable");
        return NULL;
    }
    return m->client;
}

struct cpw_aws_client *cpw_accounts_client_fn(void *ctx, const char *account)
{
    return cpw_accounts_client(ctx, account);
}

/* One Organizations call with the caller's client; the AWS error raised as CPW_ERR_AWS. */
static int s_org_call(struct cpw_aws_client *client, const char *operation, bool all, json_t **out)
{
    struct cpw_aws_error aws;
    cpw_aws_error_init(&aws);
    struct cpw_aws_call call = { .service = "organizations", .operation = operation };
    enum cpw_aws_outcome outcome;
    int rc = cpw_aws_call_classified(client, &call, all, out, &aws, &outcome);
    if (rc && aws.code) {
        cpw_raise(CPW_ERR_AWS, "organizations %s: %s: %s", operation, aws.code,
                  aws.message ? aws.message : "");
    }
    cpw_aws_error_clean_up(&aws);
    return rc;
}

int cpw_accounts_check_organization(struct cpw_aws_client *caller,
                                    const char *caller_account,
                                    const char *plan_account,
                                    const char *const *accounts,
                                    size_t count)
{
    json_t *org = NULL;
    json_t *list = NULL;
    int rc = -1;
    if (!caller || !caller_account) {
        return cpw_raise(CPW_ERR_INVALID_ARGUMENT, "the organization check needs the caller");
    }
    if (s_org_call(caller, "DescribeOrganization", false, &org)) {
        cpw_raise(CPW_ERR_WRONG_ACCOUNT,
                  "an organization plan needs the caller to belong to the organization: %s",
                  cpw_last_error_detail());
        goto cleanup;
    }
    const char *management =
      cpw_json_get_string(json_object_get(org, "Organization"), "MasterAccountId");
    if (!management || (strcmp(management, caller_account) != 0 &&
                        (!plan_account || strcmp(plan_account, caller_account) != 0))) {
        cpw_raise(CPW_ERR_WRONG_ACCOUNT,
                  "account %s is neither the organization's management account (%s) nor the "
                  "account the plan was made from",
                  caller_account, management ? management : "unknown");
        goto cleanup;
    }
    if (s_org_call(caller, "ListAccounts", true, &list)) {
        goto cleanup;
    }
    for (size_t i = 0; i < count; i++) {
        bool member = false;
        size_t k;
        const json_t *acct;
        json_array_foreach(json_object_get(list, "Accounts"), k, acct)
        {
            const char *id = cpw_json_get_string(acct, "Id");
            const char *status = cpw_json_get_string(acct, "Status");
            if (id && strcmp(id, accounts[i]) == 0 && (!status || strcmp(status, "ACTIVE") == 0)) {
                member = true;
            }
        }
        if (!member) {
            cpw_raise(CPW_ERR_WRONG_ACCOUNT,
                      "account %s is not an ACTIVE member of the caller's organization",
                      accounts[i]);
            goto cleanup;
        }
    }
    rc = 0;
cleanup:
    json_decref(org);
    json_decref(list);
    return rc;
}

static int s_str_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

size_t cpw_accounts_of_plan(const struct cpw_plan *plan, char ***ids)
{
    char **list = NULL;
    size_t n = 0;
    for (size_t i = 0; i < plan->action_count; i++) {
        const struct cpw_plan_action *a = &plan->actions[i];
        if (a->status != CPW_PLAN_ACTION_PLANNED) {
            continue;
        }
        bool seen = false;
        for (size_t k = 0; k < n && !seen; k++) {
            seen = strcmp(list[k], a->account) == 0;
        }
        if (!seen) {
            list = cpw_realloc(list, (n + 1) * sizeof(*list));
            list[n++] = cpw_strdup(a->account);
        }
    }
    if (n > 1) {
        qsort(list, n, sizeof(*list), s_str_cmp);
    }
    *ids = list;
    return n;
}

void cpw_accounts_list_free(char **ids, size_t count)
{
    for (size_t i = 0; ids && i < count; i++) {
        cpw_free(ids[i]);
    }
    cpw_free(ids);
}

int cpw_accounts_digest(const char *const *ids, size_t count, char out[CPW_ACCOUNTS_DIGEST_LEN + 1])
{
    if (count > MAX_ACCOUNTS) {
        return cpw_raise(CPW_ERR_LIMIT, "more than %u accounts", MAX_ACCOUNTS);
    }
    const char **sorted = cpw_calloc(count ? count : 1, sizeof(*sorted));
    for (size_t i = 0; i < count; i++) {
        sorted[i] = ids[i];
    }
    if (count > 1) {
        qsort(sorted, count, sizeof(*sorted), s_str_cmp);
    }
    struct cpw_buf text;
    cpw_buf_init(&text, (size_t)MAX_ACCOUNTS * 64u);
    int rc = 0;
    for (size_t i = 0; i < count; i++) {
        rc |= cpw_buf_appendf(&text, "%s%s", i ? "\n" : "", sorted[i]);
    }
    uint8_t digest[CPW_SHA256_LEN];
    if (rc == 0) {
        rc = cpw_sha256(cpw_buf_span(&text), digest);
    }
    if (rc == 0) {
        char hex[CPW_SHA256_HEX_LEN + 1];
        cpw_hex_encode_to(hex, digest, sizeof(digest));
        memcpy(out, hex, CPW_ACCOUNTS_DIGEST_LEN);
        out[CPW_ACCOUNTS_DIGEST_LEN] = '\0';
    }
    cpw_buf_clean_up(&text);
    cpw_free(sorted);
    return rc ? -1 : 0;
}

int cpw_accounts_confirm_prompt(const char *const *ids, size_t count, struct cpw_buf *out)
{
    if (count == 0) {
        return cpw_raise(CPW_ERR_INVALID_ARGUMENT, "no account to confirm");
    }
    int rc = 0;
    if (count <= CPW_ACCOUNTS_CONFIRM_LIST_MAX) {
        rc |= cpw_buf_append_cstr(out, "This deletes resources in account(s):");
        for (size_t i = 0; i < count; i++) {
            rc |= cpw_buf_appendf(out, " %s", ids[i]);
        }
        rc |= cpw_buf_append_cstr(out, "\nType the account id(s) to confirm: ");
        return rc ? -1 : 0;
    }
    char digest[CPW_ACCOUNTS_DIGEST_LEN + 1];
    if (cpw_accounts_digest(ids, count, digest)) {
        return -1;
    }
    rc |= cpw_buf_appendf(out, "This deletes resources in %zu accounts:", count);
    for (size_t i = 0; i < count; i++) {
        rc |= cpw_buf_appendf(out, "%s%s", i % 6 == 0 ? "\n  " : " ", ids[i]);
    }
    rc |= cpw_buf_appendf(out,
                          "\nDigest of the sorted account ids: %s\n"
                          "Type '%zu %s' (the number of accounts and the digest) to confirm: ",
                          digest, count, digest);
    return rc ? -1 : 0;
}

/* The next word of *p (separators: spaces, tabs, commas, line ends); false at the end. */
static bool s_word(const char **p, const char **word, size_t *len)
{
    while (**p == ' ' || **p == ',' || **p == '\t' || **p == '\n' || **p == '\r') {
        (*p)++;
    }
    *len = strcspn(*p, " ,\t\r\n");
    *word = *p;
    *p += *len;
    return *len > 0;
}

bool cpw_accounts_confirmation_matches(const char *const *ids, size_t count, const char *typed)
{
    if (!typed || count == 0 || count > MAX_ACCOUNTS) {
        return false;
    }
    const char *p = typed;
    const char *word = NULL;
    size_t len = 0;
    if (count > CPW_ACCOUNTS_CONFIRM_LIST_MAX) {
        char digest[CPW_ACCOUNTS_DIGEST_LEN + 1];
        char number[32];
        snprintf(number, sizeof(number), "%zu", count);
        if (cpw_accounts_digest(ids, count, digest) || !s_word(&p, &word, &len) ||
            len != strlen(number) || strncmp(word, number, len) != 0 || !s_word(&p, &word, &len) ||
            len != CPW_ACCOUNTS_DIGEST_LEN || strncmp(word, digest, len) != 0) {
            return false;
        }
        return !s_word(&p, &word, &len);
    }
    bool seen[CPW_ACCOUNTS_CONFIRM_LIST_MAX] = { false };
    size_t matched = 0;
    while (s_word(&p, &word, &len)) {
        bool known = false;
        for (size_t i = 0; i < count; i++) {
            if (strlen(ids[i]) == len && strncmp(ids[i], word, len) == 0) {
                known = true;
                matched += seen[i] ? 0 : 1;
                seen[i] = true;
            }
        }
        if (!known) {
            return false;
        }
    }
    return matched == count;
}
