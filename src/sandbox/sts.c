/*
 * sts.c - STS in the sandbox: GetCallerIdentity, AssumeRole (trust policy checked, temporary
 * credentials that the credentials lookup expires), GetSessionToken, GetFederationToken,
 * GetAccessKeyInfo, AssumeRoleWithWebIdentity and AssumeRoleWithSAML.
 *
 * Every ARN an answer holds is in the partition of the request's signing region (arn:aws-cn: for
 * cn-north-1, arn:aws-us-gov: for us-gov-west-1): the caller's own, assumed-role and
 * federated-user ARNs alike; a RoleArn of another partition is invalid there.
 *
 * Trust policies are evaluated for Principal.AWS only (account ids, ...:root, user and role
 * ARNs, "*"), with Deny statements winning; Condition blocks and the caller's own IAM
 * permissions are not evaluated (the sandbox has no IAM policy engine yet).
 *
 * AssumeRoleWithWebIdentity and AssumeRoleWithSAML are unsigned on AWS (the token is the proof)
 * and reach these handlers without a signature (cpw_sbx_unsigned_operation). What the sandbox
 * checks of a web identity token: it is a JWT (three base64url parts) whose payload is a JSON
 * object with string claims iss and sub and an aud (string or list), and, when it has exp, that
 * exp has not passed; the signature is NOT verified and no OIDC provider has to exist. The
 * role's trust policy must allow sts:AssumeRoleWithWebIdentity to a Principal.Federated naming
 * the issuer (the provider ARN ...:oidc-provider/ISSUER or the bare issuer, without https://).
 * Of a SAML assertion: it is base64 of a document holding an Assertion, PrincipalArn names an
 * IAM SAML provider that exists (else InvalidIdentityToken), and the trust policy names
 * PrincipalArn under Principal.Federated; the session name is the assertion's
 * RoleSessionName attribute (else its NameID). Conditions are not evaluated.
 */
#include <stdio.h>
#include <string.h>

#include "cpw/buf.h"
#include "cpw/crypto.h"
#include "cpw/error.h"
#include "sbx_authz.h"
#include "sbx_service.h"

#define TOKEN_CHARS  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
#define SECRET_CHARS TOKEN_CHARS

struct temp_creds {
    char access_key_id[32];
    char secret[48];
    char token[400];
};

/* The caller's ARN in the partition of the request (out, cap bytes); "" when it has none. */
static void s_caller_arn(const struct cpw_sbx_ctx *ctx, char *out, size_t cap)
{
    const char *arn = ctx->req->caller->principal_arn;
    out[0] = '\0';
    if (arn != NULL && cpw_sbx_partition_arn(cpw_sbx_ctx_partition(ctx), arn, out, cap) != 0) {
        cpw_error_clear();
        snprintf(out, cap, "%s", arn);
    }
}

/* The prefix "arn:P:SERVICE::" of partition P, into out; its length. */
static size_t s_prefix(char *out, size_t cap, const char *partition, const char *service)
{
    int n = snprintf(out, cap, "arn:%s:%s::", partition, service);
    return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

/* arn:P:sts::A:assumed-role/R/s -> does the role pattern arn:P:iam::A:role/.../R match? */
static bool s_assumed_role_matches(const char *pattern, const char *caller_arn, const char *part)
{
    char iam[48];
    char sts[48];
    size_t iam_len = s_prefix(iam, sizeof(iam), part, "iam");
    size_t sts_len = s_prefix(sts, sizeof(sts), part, "sts");
    const char *marker = strstr(caller_arn, ":assumed-role/");
    const char *pat_role = strstr(pattern, ":role/");
    if (marker == NULL || pat_role == NULL || iam_len == 0 || sts_len == 0 ||
        strncmp(pattern, iam, iam_len) != 0 || strncmp(caller_arn, sts, sts_len) != 0) {
        return false;
    }
    size_t account_len = (size_t)(marker - (caller_arn + sts_len));
    if ((size_t)(pat_role - (pattern + iam_len)) != account_len ||
        strncmp(pattern + iam_len, caller_arn + sts_len, account_len) != 0) {
        return false;
    }
    const char *role = marker + strlen(":assumed-role/");
    const char *slash = strchr(role, '/');
    const char *pat_name = strrchr(pattern, '/') + 1;
    size_t role_len = slash ? (size_t)(slash - role) : strlen(role);
    return strlen(pat_name) == role_len && strncmp(pat_name, role, role_len) == 0;
}

/* The caller of AssumeRole, with its ARN in the partition of the request. */
struct caller_view {
    const char *account_id;
    const char *arn; /* "" when none */
    const char *partition;
};

/* Principal.AWS names the caller: "*", its account id, its account's root in the request's
 * partition (an ARN of another partition names nobody here), its own ARN, or its role. */
static bool s_principal_matches(const char *pattern, const struct caller_view *caller)
{
    char root[80];
    snprintf(root, sizeof(root), "arn:%s:iam::%s:root", caller->partition, caller->account_id);
    if (strcmp(pattern, "*") == 0) {
        return true;
    }
    if (cpw_sbx_is_account_id(pattern)) {
        return strcmp(pattern, caller->account_id) == 0;
    }
    if (strcmp(pattern, root) == 0) {
        return true;
    }
    if (caller->arn[0] != '\0' && strcmp(pattern, caller->arn) == 0) {
        return true;
    }
    return caller->arn[0] != '\0' &&
           s_assumed_role_matches(pattern, caller->arn, caller->partition);
}

/* A string or a list of strings, any of which matches. */
static bool s_any(const json_t *value, bool (*match)(const char *, const void *), const void *arg)
{
    if (json_is_string(value)) {
        return match(json_string_value(value), arg);
    }
    size_t i;
    const json_t *item;
    json_array_foreach(value, i, item)
    {
        if (json_is_string(item) && match(json_string_value(item), arg)) {
            return true;
        }
    }
    return false;
}

/* action is "sts:AssumeRole", "sts:AssumeRoleWithWebIdentity" or "sts:AssumeRoleWithSAML". */
static bool s_action_matches(const char *pattern, const void *action)
{
    return strcmp(pattern, "*") == 0 || strcmp(pattern, "sts:*") == 0 ||
           strcmp(pattern, (const char *)action) == 0;
}

static bool s_caller_matches(const char *pattern, const void *caller)
{
    return s_principal_matches(pattern, caller);
}

/* Principal.Federated: the provider exactly, or an OIDC provider ARN ending in /provider. */
static bool s_federated_matches(const char *pattern, const void *provider)
{
    const char *want = provider;
    if (strcmp(pattern, want) == 0) {
        return true;
    }
    const char *marker = strstr(pattern, ":oidc-provider/");
    return marker != NULL && strcmp(marker + strlen(":oidc-provider/"), want) == 0;
}

/* The principal the request speaks for: a caller (AssumeRole) or a federated provider. */
struct trustee {
    const char *action;
    const struct caller_view *caller; /* AssumeRole */
    const char *federated;            /* web identity issuer or SAML provider ARN */
};

static bool s_statement_applies(const json_t *st, const struct trustee *who)
{
    if (!s_any(json_object_get(st, "Action"), s_action_matches, who->action)) {
        return false;
    }
    const json_t *principal = json_object_get(st, "Principal");
    if (json_is_string(principal)) {
        return strcmp(json_string_value(principal), "*") == 0;
    }
    if (who->federated != NULL) {
        return s_any(json_object_get(principal, "Federated"), s_federated_matches, who->federated);
    }
    return s_any(json_object_get(principal, "AWS"), s_caller_matches, who->caller);
}

/* True when the role's trust policy lets the trustee assume it. */
static bool s_trusts(const char *policy_text, const struct trustee *who)
{
    json_t *policy = cpw_json_load_cstr(policy_text);
    json_t *statements = json_object_get(policy, "Statement");
    json_t *single = NULL;
    if (json_is_object(statements)) {
        single = json_pack("[O]", statements);
        statements = single;
    }
    bool allowed = false;
    bool denied = false;
    size_t i;
    json_t *st;
    json_array_foreach(statements, i, st)
    {
        if (!s_statement_applies(st, who)) {
            continue;
        }
        const char *effect = json_string_value(json_object_get(st, "Effect"));
        if (effect != NULL && strcmp(effect, "Deny") == 0) {
            denied = true;
        } else if (effect != NULL && strcmp(effect, "Allow") == 0) {
            allowed = true;
        }
    }
    json_decref(single);
    json_decref(policy);
    return allowed && !denied;
}

/* Makes and stores temporary credentials. Returns 0 or -1. */
static int s_issue(struct cpw_sbx_ctx *ctx,
                   const char *account_id,
                   const char *principal_arn,
                   const char *user_id,
                   int64_t expires_ms,
                   struct temp_creds *out)
{
    snprintf(out->access_key_id, sizeof(out->access_key_id), "ASIA");
    snprintf(out->token, sizeof(out->token), "IQoJb3JpZ2luX2VjE");
    size_t token_len = strlen(out->token);
    if (cpw_sbx_random_chars(out->access_key_id + 4, 16, CPW_SBX_UPPER_ALNUM) != 0 ||
        cpw_sbx_random_chars(out->secret, 40, SECRET_CHARS) != 0 ||
        cpw_sbx_random_chars(out->token + token_len, 120, TOKEN_CHARS) != 0 ||
        cpw_sbx_random_chars(out->token + token_len + 120, 120, TOKEN_CHARS) != 0) {
        return -1;
    }
    return cpw_sbx_sql_do(ctx->db,
                          "INSERT INTO access_keys(access_key_id, secret, session_token,"
                          " expires_ms, account_id, principal_arn, user_id, created_ms)"
                          " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                          "sssisssi", out->access_key_id, out->secret, out->token, expires_ms,
                          account_id, principal_arn, user_id, ctx->req->now_ms) < 0
             ? -1
             : 0;
}

static json_t *s_credentials_json(const struct temp_creds *c, int64_t expires_ms)
{
    return json_pack("{s:s,s:s,s:s,s:o}", "AccessKeyId", c->access_key_id, "SecretAccessKey",
                     c->secret, "SessionToken", c->token, "Expiration",
                     cpw_sbx_time_json(expires_ms));
}

static int s_get_caller_identity(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    (void)input;
    const struct cpw_sbx_caller *caller = ctx->req->caller;
    char arn[1024];
    s_caller_arn(ctx, arn, sizeof(arn));
    *output = json_pack("{s:s,s:s,s:s}", "UserId", caller->user_id ? caller->user_id : "",
                        "Account", caller->account_id, "Arn", arn);
    return 0;
}

static int s_denied(struct cpw_sbx_ctx *ctx, const struct trustee *trustee, const char *role_arn)
{
    if (trustee->federated != NULL) {
        return cpw_sbx_fail(ctx, 403, "AccessDenied", "Not authorized to perform %s",
                            trustee->action);
    }
    return cpw_sbx_fail(ctx, 403, "AccessDenied",
                        "User: %s is not authorized to perform: %s on resource: %s",
                        trustee->caller ? trustee->caller->arn : "", trustee->action, role_arn);
}

/*
 * The common part of AssumeRole*: checks RoleArn, the session name, the trust policy for the
 * trustee, the duration, and issues the credentials. Output: Credentials and AssumedRoleUser.
 */
static int s_enter_role(struct cpw_sbx_ctx *ctx,
                        const json_t *input,
                        const char *session,
                        const struct trustee *trustee,
                        json_t **output)
{
    /* A role of the request's partition: arn:P:iam::ACCOUNT:role/... */
    const char *partition = cpw_sbx_ctx_partition(ctx);
    const char *role_arn = cpw_sbx_in_str(input, "RoleArn");
    char iam[48];
    size_t plen = s_prefix(iam, sizeof(iam), partition, "iam");
    if (role_arn == NULL || plen == 0 || strncmp(role_arn, iam, plen) != 0 ||
        strlen(role_arn) < plen + 12 + 7 || strncmp(role_arn + plen + 12, ":role/", 6) != 0) {
        return cpw_sbx_fail(ctx, 400, "ValidationError", "%s is invalid",
                            role_arn ? role_arn : "RoleArn");
    }
    if (!cpw_sbx_name_ok(session, 2, 64)) {
        return cpw_sbx_fail(ctx, 400, "ValidationError",
                            "1 validation error detected: Value '%s' at 'roleSessionName' failed "
                            "to satisfy constraint: Member must satisfy regular expression "
                            "pattern: [\\w+=,.@-]*",
                            session ? session : "");
    }
    char account_id[16];
    snprintf(account_id, sizeof(account_id), "%.12s", role_arn + plen);
    const char *name = strrchr(role_arn, '/') + 1;
    sqlite3_stmt *stmt = cpw_sbx_sql_query(ctx->db,
                                           "SELECT arn, role_id, trust_policy, max_session_s"
                                           " FROM iam_roles WHERE account_id = ? AND name = ?",
                                           "ss", account_id, name);
    if (stmt == NULL) {
        return -1;
    }
    int rc = cpw_sbx_sql_step(stmt);
    bool found = rc == 1 && strcmp(cpw_sbx_col(stmt, 0), role_arn) == 0;
    bool trusted = found && s_trusts(cpw_sbx_col(stmt, 2), trustee);
    char role_id[64] = "";
    int64_t max_session = found ? sqlite3_column_int64(stmt, 3) : 3600;
    if (found) {
        snprintf(role_id, sizeof(role_id), "%s", cpw_sbx_col(stmt, 1));
    }
    cpw_sbx_sql_done(stmt);
    if (rc < 0) {
        return -1;
    }
    /* An account whose CreateAccount has not completed cannot be entered yet. */
    stmt = cpw_sbx_sql_query(ctx->db,
                             "SELECT 1 FROM org_accounts WHERE account_id = ? AND joined_ms > ?",
                             "si", account_id, ctx->req->now_ms);
    rc = stmt ? cpw_sbx_sql_step(stmt) : -1;
    cpw_sbx_sql_done(stmt);
    if (rc < 0) {
        return -1;
    }
    if (!trusted || rc == 1) {
        return s_denied(ctx, trustee, role_arn); /* a missing role looks like a refusal */
    }
    int64_t duration = 3600;
    if (cpw_sbx_in_int(input, "DurationSeconds", 3600, &duration) != 0 || duration < 900) {
        cpw_error_clear();
        return cpw_sbx_fail(ctx, 400, "ValidationError",
                            "1 validation error detected: Value at 'durationSeconds' failed to "
                            "satisfy constraint: Member must have value greater than or equal "
                            "to 900");
    }
    /* Role chaining (a role session assuming a role) is limited to one hour. */
    const char *caller_arn = trustee->caller ? trustee->caller->arn : NULL;
    if (caller_arn != NULL && strstr(caller_arn, ":assumed-role/") != NULL && duration > 3600) {
        return cpw_sbx_fail(ctx, 400, "ValidationError",
                            "The requested DurationSeconds exceeds the 1 hour session limit for "
                            "roles assumed by role chaining.");
    }
    if (duration > max_session) {
        return cpw_sbx_fail(ctx, 400, "ValidationError",
                            "The requested DurationSeconds exceeds the MaxSessionDuration set for "
                            "this role.");
    }
    char principal[512];
    char user_id[160];
    snprintf(principal, sizeof(principal), "arn:%s:sts::%s:assumed-role/%s/%s", partition,
             account_id, name, session);
    snprintf(user_id, sizeof(user_id), "%s:%s", role_id, session);
    int64_t expires_ms = ctx->req->now_ms + duration * 1000;
    struct temp_creds creds;
    if (s_issue(ctx, account_id, principal, user_id, expires_ms, &creds) != 0 ||
        cpw_sbx_authz_save_session(ctx, creds.access_key_id, input) != 0) {
        return -1;
    }
    const char *region = ctx->req->caller->region ? ctx->req->caller->region : "us-east-1";
    if (cpw_sbx_sql_do(ctx->db,
                       "UPDATE iam_roles SET last_used_ms = ?, last_used_region = ?"
                       " WHERE account_id = ? AND name = ?",
                       "isss", ctx->req->now_ms, region, account_id, name) < 0) {
        return -1;
    }
    cpw_sbx_add_resource(ctx, "AWS::IAM::Role", role_arn);
    cpw_sbx_add_resource(ctx, "AWS::IAM::AccessKey", creds.access_key_id);
    *output = json_pack("{s:o,s:{s:s,s:s}}", "Credentials", s_credentials_json(&creds, expires_ms),
                        "AssumedRoleUser", "AssumedRoleId", user_id, "Arn", principal);
    return 0;
}

static int s_assume_role(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    char arn[1024];
    s_caller_arn(ctx, arn, sizeof(arn));
    struct caller_view caller = { .account_id = ctx->req->caller->account_id,
                                  .arn = arn,
                                  .partition = cpw_sbx_ctx_partition(ctx) };
    struct trustee trustee = { .action = "sts:AssumeRole", .caller = &caller };
    return s_enter_role(ctx, input, cpw_sbx_in_str(input, "RoleSessionName"), &trustee, output);
}

/* Decodes one base64url JWT part into out. 0 or -1 (not base64url). */
static int s_base64url(struct cpw_span part, struct cpw_buf *out)
{
    struct cpw_buf std;
    cpw_buf_init(&std, 16384);
    int rc = 0;
    for (size_t i = 0; i < part.len && rc == 0; i++) {
        char c = (char)part.ptr[i];
        rc = cpw_buf_append_byte(&std, (uint8_t)(c == '-' ? '+' : c == '_' ? '/' : c));
    }
    while (rc == 0 && std.len % 4 != 0) {
        rc = cpw_buf_append_byte(&std, '=');
    }
    if (rc == 0) {
        rc = cpw_base64_decode(out, cpw_buf_span(&std));
    }
    cpw_buf_clean_up(&std);
    return rc;
}

/* The JWT's claims (owned), or NULL when the token is not a JWT with a JSON object payload. */
static json_t *s_jwt_claims(const char *token)
{
    if (token == NULL) {
        return NULL;
    }
    struct cpw_span rest = cpw_span_from_cstr(token);
    struct cpw_span parts[3];
    size_t n = 0;
    struct cpw_span item;
    while (cpw_span_next_token(&rest, '.', &item)) {
        if (n == 3) {
            return NULL;
        }
        parts[n++] = item;
    }
    if (n != 3 || parts[0].len == 0 || parts[1].len == 0) {
        return NULL;
    }
    struct cpw_buf payload;
    cpw_buf_init(&payload, 16384);
    json_t *claims = NULL;
    if (s_base64url(parts[1], &payload) == 0) {
        (void)cpw_json_load(cpw_buf_span(&payload), 16384, &claims);
    }
    cpw_error_clear();
    cpw_buf_clean_up(&payload);
    if (!json_is_object(claims)) {
        json_decref(claims);
        return NULL;
    }
    return claims;
}

static int s_assume_role_with_web_identity(struct cpw_sbx_ctx *ctx,
                                           const json_t *input,
                                           json_t **output)
{
    json_t *claims = s_jwt_claims(cpw_sbx_in_str(input, "WebIdentityToken"));
    const char *iss = json_string_value(json_object_get(claims, "iss"));
    const char *sub = json_string_value(json_object_get(claims, "sub"));
    const json_t *aud_claim = json_object_get(claims, "aud");
    const char *aud = json_is_array(aud_claim) ? json_string_value(json_array_get(aud_claim, 0))
                                               : json_string_value(aud_claim);
    if (iss == NULL || sub == NULL || aud == NULL) {
        json_decref(claims);
        return cpw_sbx_fail(ctx, 400, "InvalidIdentityToken",
                            "The web identity token is not a JWT with iss, sub and aud claims.");
    }
    const json_t *exp = json_object_get(claims, "exp");
    if (json_is_integer(exp) && json_integer_value(exp) * 1000 <= ctx->req->now_ms) {
        json_decref(claims);
        return cpw_sbx_fail(ctx, 400, "ExpiredTokenException", "Token is expired");
    }
    const char *provider = strncmp(iss, "https://", 8) == 0 ? iss + 8 : iss;
    struct trustee trustee = { .action = "sts:AssumeRoleWithWebIdentity", .federated = provider };
    int rc = s_enter_role(ctx, input, cpw_sbx_in_str(input, "RoleSessionName"), &trustee, output);
    if (rc == 0) {
        json_object_set_new(*output, "SubjectFromWebIdentityToken", json_string(sub));
        json_object_set_new(*output, "Provider", json_string(provider));
        json_object_set_new(*output, "Audience", json_string(aud));
    }
    json_decref(claims);
    return rc;
}

/* The text of the first element <...AttributeValue> after marker in xml, into out. */
static bool s_xml_text_after(const char *xml,
                             const char *marker,
                             const char *tag,
                             char *out,
                             size_t size)
{
    const char *at = marker ? strstr(xml, marker) : xml;
    const char *open = at ? strstr(at, tag) : NULL;
    const char *start = open ? strchr(open, '>') : NULL;
    const char *end = start ? strchr(start + 1, '<') : NULL;
    if (end == NULL || (size_t)(end - start - 1) >= size) {
        return false;
    }
    snprintf(out, size, "%.*s", (int)(end - start - 1), start + 1);
    return out[0] != '\0';
}

/*
 * Whether the IAM SAML provider PrincipalArn names exists in the account of that ARN (any
 * partition: its name decides): 1, 0, -1.
 */
static int s_saml_provider_exists(struct cpw_sbx_ctx *ctx, const char *principal_arn)
{
    static const char marker[] = ":saml-provider/";
    const char *name = strstr(principal_arn, marker);
    char account[16] = "";
    if (name == NULL || sscanf(principal_arn, "arn:%*[^:]:iam::%12[0-9]:", account) != 1) {
        return 0;
    }
    sqlite3_stmt *stmt = cpw_sbx_sql_query(ctx->db,
                                           "SELECT 1 FROM iam_saml_providers WHERE account_id = ?"
                                           " AND substr(arn, instr(arn, ':saml-provider/')) = ?",
                                           "ss", account, name);
    int rc = stmt ? cpw_sbx_sql_step(stmt) : -1;
    cpw_sbx_sql_done(stmt);
    return rc;
}

static int s_assume_role_with_saml(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *assertion = cpw_sbx_in_str(input, "SAMLAssertion");
    const char *provider = cpw_sbx_in_str(input, "PrincipalArn");
    struct cpw_buf xml;
    cpw_buf_init(&xml, 100000);
    char session[80] = "";
    char subject[256] = "";
    bool ok = assertion != NULL && provider != NULL &&
              cpw_base64_decode(&xml, cpw_span_from_cstr(assertion)) == 0 &&
              cpw_buf_append_byte(&xml, 0) == 0 &&
              strstr((const char *)xml.data, "Assertion") != NULL;
    cpw_error_clear();
    if (ok) {
        const char *text = (const char *)xml.data;
        (void)s_xml_text_after(text, "NameID", "", subject, sizeof(subject));
        if (!s_xml_text_after(text, "Attributes/RoleSessionName", "AttributeValue", session,
                              sizeof(session))) {
            snprintf(session, sizeof(session), "%.64s", subject); /* names are <= 64 */
        }
    }
    cpw_buf_clean_up(&xml);
    if (!ok) {
        return cpw_sbx_fail(ctx, 400, "InvalidIdentityToken",
                            "The SAML assertion is not base64 of a SAML response.");
    }
    /* The provider's metadata holds the keys that verify the assertion: it must exist. */
    int exists = s_saml_provider_exists(ctx, provider);
    if (exists <= 0) {
        return exists < 0 ? -1
                          : cpw_sbx_fail(ctx, 400, "InvalidIdentityToken",
                                         "SAML provider %s does not exist.", provider);
    }
    struct trustee trustee = { .action = "sts:AssumeRoleWithSAML", .federated = provider };
    int rc = s_enter_role(ctx, input, session, &trustee, output);
    if (rc == 0) {
        json_object_set_new(*output, "Subject", json_string(subject));
        json_object_set_new(*output, "SubjectType", json_string("persistent"));
        json_object_set_new(*output, "Audience", json_string("https://signin.aws.amazon.com/saml"));
    }
    return rc;
}

/* Session credentials (an assumed role, a federated user, GetSessionToken's) cannot get more. */
static bool s_is_session(const struct cpw_sbx_caller *caller)
{
    const char *arn = caller->principal_arn ? caller->principal_arn : "";
    const char *key = caller->access_key_id ? caller->access_key_id : "";
    return strstr(arn, ":sts::") != NULL || strncmp(key, "ASIA", 4) == 0;
}

/* DurationSeconds between 900 and max (default def); 0, or 1 answered. */
static int s_duration(struct cpw_sbx_ctx *ctx,
                      const json_t *input,
                      int64_t def,
                      int64_t max,
                      int64_t *duration)
{
    if (cpw_sbx_in_int(input, "DurationSeconds", def, duration) != 0 || *duration < 900 ||
        *duration > max) {
        cpw_error_clear();
        return cpw_sbx_fail(ctx, 400, "ValidationError",
                            "DurationSeconds must be between 900 and %lld seconds", (long long)max);
    }
    return 0;
}

static int s_get_session_token(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const struct cpw_sbx_caller *caller = ctx->req->caller;
    if (s_is_session(caller)) {
        return cpw_sbx_fail(ctx, 403, "AccessDenied",
                            "Cannot call GetSessionToken with session credentials");
    }
    const char *arn = caller->principal_arn ? caller->principal_arn : "";
    bool root = strstr(arn, ":root") != NULL;
    int64_t duration = 0;
    int rc = s_duration(ctx, input, root ? 3600 : 43200, root ? 3600 : 129600, &duration);
    if (rc != 0) {
        return rc;
    }
    int64_t expires_ms = ctx->req->now_ms + duration * 1000;
    struct temp_creds creds;
    if (s_issue(ctx, caller->account_id, arn, caller->user_id ? caller->user_id : "", expires_ms,
                &creds) != 0) {
        return -1;
    }
    *output = json_pack("{s:o}", "Credentials", s_credentials_json(&creds, expires_ms));
    return 0;
}

/*
 * GetFederationToken: a federated user session of the calling IAM user (or root, for at most an
 * hour), arn:P:sts::ACCOUNT:federated-user/NAME. Its permissions are the session policies passed
 * here intersected with the caller's (recorded like AssumeRole's); PackedPolicySize is the
 * session policy's share of the 2,048-character limit, in percent.
 */
static int s_get_federation_token(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const struct cpw_sbx_caller *caller = ctx->req->caller;
    if (s_is_session(caller)) {
        return cpw_sbx_fail(ctx, 403, "AccessDenied",
                            "Cannot call GetFederationToken with session credentials");
    }
    const char *name = cpw_sbx_in_str(input, "Name");
    if (!cpw_sbx_name_ok(name, 2, 32)) {
        return cpw_sbx_fail(ctx, 400, "ValidationError",
                            "1 validation error detected: Value '%s' at 'name' failed to satisfy "
                            "constraint: Member must satisfy regular expression pattern: "
                            "[\\w+=,.@-]*",
                            name ? name : "");
    }
    const char *policy = cpw_sbx_in_str(input, "Policy");
    if (policy != NULL && strlen(policy) > 2048) {
        return cpw_sbx_fail(ctx, 400, "ValidationError",
                            "1 validation error detected: Value at 'policy' failed to satisfy "
                            "constraint: Member must have length less than or equal to 2048");
    }
    const char *arn = caller->principal_arn ? caller->principal_arn : "";
    bool root = strstr(arn, ":root") != NULL;
    int64_t duration = 0;
    int rc = s_duration(ctx, input, root ? 3600 : 43200, root ? 3600 : 129600, &duration);
    if (rc != 0) {
        return rc;
    }
    char principal[256];
    char user_id[64];
    snprintf(principal, sizeof(principal), "arn:%s:sts::%s:federated-user/%s",
             cpw_sbx_ctx_partition(ctx), caller->account_id, name);
    snprintf(user_id, sizeof(user_id), "%s:%s", caller->account_id, name);
    int64_t expires_ms = ctx->req->now_ms + duration * 1000;
    struct temp_creds creds;
    if (s_issue(ctx, caller->account_id, principal, user_id, expires_ms, &creds) != 0 ||
        cpw_sbx_authz_save_session(ctx, creds.access_key_id, input) != 0) {
        return -1;
    }
    /* The session's permissions are its user's intersected with the session policies (authz). */
    const char *user = strstr(arn, ":user/") ? strrchr(arn, '/') + 1 : NULL;
    if (cpw_sbx_sql_do(ctx->db,
                       "INSERT INTO sts_federated_users(access_key_id, user_name) VALUES (?, ?)",
                       "ss", creds.access_key_id, user) < 0) {
        return -1;
    }
    cpw_sbx_add_resource(ctx, "AWS::IAM::AccessKey", creds.access_key_id);
    *output = json_pack("{s:o,s:{s:s,s:s}}", "Credentials", s_credentials_json(&creds, expires_ms),
                        "FederatedUser", "FederatedUserId", user_id, "Arn", principal);
    size_t policy_len = policy ? strlen(policy) : 0;
    if (policy != NULL || json_array_size(json_object_get(input, "PolicyArns")) > 0) {
        json_object_set_new(*output, "PackedPolicySize",
                            json_integer((json_int_t)((policy_len * 100 + 2047) / 2048)));
    }
    return 0;
}

/* GetAccessKeyInfo: the account an access key (long-term or temporary) belongs to. */
static int s_get_access_key_info(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *key = cpw_sbx_in_str(input, "AccessKeyId");
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      ctx->db, "SELECT account_id FROM access_keys WHERE access_key_id = ?", "s", key ? key : "");
    if (stmt == NULL) {
        return -1;
    }
    int rc = cpw_sbx_sql_step(stmt);
    if (rc == 1) {
        *output = json_pack("{s:s}", "Account", cpw_sbx_col(stmt, 0));
    }
    cpw_sbx_sql_done(stmt);
    if (rc < 0) {
        return -1;
    }
    if (rc == 0) {
        /* AWS reads the account out of any key id; the sandbox knows only the keys it issued. */
        return cpw_sbx_fail(ctx, 400, "ValidationError",
                            "The access key ID %s was not issued by this sandbox", key ? key : "");
    }
    return 0;
}

/* The IAM user behind each GetFederationToken session (NULL: the account's root). */
static const char s_schema[] = "CREATE TABLE IF NOT EXISTS sts_federated_users("
                               " access_key_id TEXT PRIMARY KEY, user_name TEXT) STRICT;";

static const struct cpw_sbx_op s_ops[] = {
    { "GetCallerIdentity", s_get_caller_identity },
    { "AssumeRole", s_assume_role },
    { "GetSessionToken", s_get_session_token },
    { "AssumeRoleWithWebIdentity", s_assume_role_with_web_identity },
    { "AssumeRoleWithSAML", s_assume_role_with_saml },
    { "GetFederationToken", s_get_federation_token },
    { "GetAccessKeyInfo", s_get_access_key_info },
};

const struct cpw_sbx_service cpw_sbx_sts_service = {
    .signing_name = "sts",
    .model_name = "sts",
    .event_source = "sts.amazonaws.com",
    .global = true,
    .ops = s_ops,
    .op_count = sizeof(s_ops) / sizeof(s_ops[0]),
    .schema_sql = s_schema,
};
