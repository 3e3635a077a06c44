/*
 * iam_ssh_keys.c - the SSH public keys of IAM users in the sandbox (UploadSSHPublicKey,
 * GetSSHPublicKey, ListSSHPublicKeys, UpdateSSHPublicKey, DeleteSSHPublicKey).
 *
 * As IAM documents, a key is an RSA key of at least 2048 bits in ssh-rsa (OpenSSH) or PEM format
 * ("-----BEGIN PUBLIC KEY-----"); anything else (an X.509 certificate, a DSA or EC key) is refused
 * with UnrecognizedPublicKeyEncoding, a short or garbled key with InvalidPublicKey. A user holds
 * at most 5 keys. The Fingerprint is the first 16 bytes of the SHA-256 of the decoded key, in
 * IAM's colon-separated hex layout (IAM's own is an MD5 digest). Keys are listed oldest first.
 */
#include <stdio.h>
#include <string.h>

#include "cpw/buf.h"
#include "cpw/crypto.h"
#include "cpw/error.h"
#include "sbx_iam.h"
#include "sbx_service.h"

#define KEYS_PER_USER 5
#define MIN_RSA_BITS  2048
#define BODY_MAX      16384

static const char *s_account(struct cpw_sbx_ctx *ctx)
{
    return ctx->req->caller->account_id;
}

/* Reads a 4-byte big-endian length and that many bytes at *pos of der; 0, or -1 past the end. */
static int s_ssh_field(const struct cpw_buf *der, size_t *pos, size_t *start, size_t *len)
{
    if (der->len - *pos < 4) {
        return -1;
    }
    const uint8_t *p = der->data + *pos;
    size_t n = ((size_t)p[0] << 24) | ((size_t)p[1] << 16) | ((size_t)p[2] << 8) | p[3];
    if (n > der->len - *pos - 4) {
        return -1;
    }
    *start = *pos + 4;
    *len = n;
    *pos += 4 + n;
    return 0;
}

/* Bits of the big-endian unsigned integer of len bytes at p. */
static size_t s_bits(const uint8_t *p, size_t len)
{
    while (len > 0 && *p == 0) {
        p++;
        len--;
    }
    size_t bits = len * 8;
    for (uint8_t top = len ? *p : 0; len > 0 && (top & 0x80) == 0; top = (uint8_t)(top << 1)) {
        bits--;
    }
    return bits;
}

/*
 * Decodes body into key (the key's bytes) and tells its RSA modulus size: 0 with *bits set,
 * 1 when the encoding is not one IAM takes, 2 when it is malformed.
 */
static int s_decode(const char *body, struct cpw_buf *key, size_t *bits)
{
    static const char pem_head[] = "-----BEGIN PUBLIC KEY-----";
    static const char pem_tail[] = "-----END PUBLIC KEY-----";
    static const char ssh_head[] = "ssh-rsa ";
    if (strncmp(body, ssh_head, sizeof(ssh_head) - 1) == 0) {
        const char *b64 = body + sizeof(ssh_head) - 1;
        size_t n = strcspn(b64, " \r\n");
        if (cpw_base64_decode(key, cpw_span_from(b64, n)) != 0) {
            cpw_error_clear();
            return 2;
        }
        size_t pos = 0, start = 0, len = 0;
        if (s_ssh_field(key, &pos, &start, &len) != 0 || len != 7 ||
            memcmp(key->data + start, "ssh-rsa", 7) != 0 ||
            s_ssh_field(key, &pos, &start, &len) != 0 || /* e */
            s_ssh_field(key, &pos, &start, &len) != 0) { /* n */
            return 2;
        }
        *bits = s_bits(key->data + start, len);
        return 0;
    }
    const char *head = strstr(body, pem_head);
    const char *tail = head ? strstr(head, pem_tail) : NULL;
    if (head != body || tail == NULL) {
        return 1;
    }
    struct cpw_buf text;
    cpw_buf_init(&text, BODY_MAX);
    for (const char *p = head + sizeof(pem_head) - 1; p < tail; p++) {
        if (*p != '\r' && *p != '\n' && *p != ' ' &&
            cpw_buf_append(&text, cpw_span_from(p, 1)) != 0) {
            break;
        }
    }
    int rc = cpw_base64_decode(key, cpw_span_from(cpw_buf_cstr(&text), text.len)) == 0 ? 0 : 2;
    cpw_buf_clean_up(&text);
    cpw_error_clear();
    /* SubjectPublicKeyInfo of RSA: the modulus is most of it; 2048 bits make ~294 bytes */
    *bits = rc == 0 && key->len > 38 ? (key->len - 38) * 8 : 0;
    return rc;
}

static int s_fingerprint(const struct cpw_buf *key, char out[48])
{
    uint8_t digest[CPW_SHA256_LEN];
    if (cpw_sha256(cpw_span_from(key->data, key->len), digest) != 0) {
        return -1;
    }
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < 16; i++) {
        out[i * 3] = hex[digest[i] >> 4];
        out[i * 3 + 1] = hex[digest[i] & 0xf];
        out[i * 3 + 2] = i == 15 ? '\0' : ':';
    }
    return 0;
}

#define KEY_COLUMNS "user_name, key_id, body, fingerprint, status, uploaded_ms"

static json_t *s_key_json(sqlite3_stmt *stmt, bool with_body)
{
    json_t *key = json_pack("{s:s,s:s,s:s,s:o}", "UserName", cpw_sbx_col(stmt, 0), "SSHPublicKeyId",
                            cpw_sbx_col(stmt, 1), "Status", cpw_sbx_col(stmt, 4), "UploadDate",
                            cpw_sbx_time_json(sqlite3_column_int64(stmt, 5)));
    if (with_body) {
        json_object_set_new(key, "SSHPublicKeyBody", json_string(cpw_sbx_col(stmt, 2)));
        json_object_set_new(key, "Fingerprint", json_string(cpw_sbx_col(stmt, 3)));
    }
    return key;
}

/* 0 with *key (owned) set, 1 NoSuchEntity answered, -1. */
static int s_find(struct cpw_sbx_ctx *ctx, const char *user, const char *id, json_t **key)
{
    sqlite3_stmt *stmt = cpw_sbx_sql_query(ctx->db,
                                           "SELECT " KEY_COLUMNS " FROM iam_ssh_keys WHERE"
                                           " account_id = ? AND user_name = ? AND key_id = ?",
                                           "sss", s_account(ctx), user, id ? id : "");
    int rc = stmt ? cpw_sbx_sql_step(stmt) : -1;
    if (rc == 1) {
        *key = s_key_json(stmt, true);
    }
    cpw_sbx_sql_done(stmt);
    if (rc == 0) {
        return cpw_sbx_fail(ctx, 404, "NoSuchEntity", "The Public Key with id %s cannot be found.",
                            id ? id : "");
    }
    return rc < 0 ? -1 : 0;
}

int cpw_sbx_iam_upload_ssh_public_key(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out)
{
    const char *user = cpw_sbx_in_str(in, "UserName");
    const char *body = cpw_sbx_in_str(in, "SSHPublicKeyBody");
    int rc = cpw_sbx_iam_need_user(ctx, user);
    if (rc != 0) {
        return rc;
    }
    struct cpw_buf key;
    cpw_buf_init(&key, BODY_MAX);
    size_t bits = 0;
    rc = s_decode(body ? body : "", &key, &bits);
    char fingerprint[48] = "";
    if (rc == 0 && bits < MIN_RSA_BITS) {
        rc = 2;
    }
    if (rc == 0 && s_fingerprint(&key, fingerprint) != 0) {
        rc = -1;
    }
    cpw_buf_clean_up(&key);
    if (rc == 1) {
        return cpw_sbx_fail(ctx, 400, "UnrecognizedPublicKeyEncoding",
                            "The public key encoding format is unsupported or unrecognized.");
    }
    if (rc == 2) {
        return cpw_sbx_fail(ctx, 400, "InvalidPublicKey",
                            "The public key is malformed or otherwise invalid.");
    }
    if (rc < 0) {
        return -1;
    }
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      ctx->db, "SELECT count(*) FROM iam_ssh_keys WHERE account_id = ? AND user_name = ?", "ss",
      s_account(ctx), user);
    rc = stmt ? cpw_sbx_sql_step(stmt) : -1;
    int count = rc == 1 ? sqlite3_column_int(stmt, 0) : 0;
    cpw_sbx_sql_done(stmt);
    if (rc < 0) {
        return -1;
    }
    if (count >= KEYS_PER_USER) {
        return cpw_sbx_fail(ctx, 409, "LimitExceeded",
                            "Cannot exceed quota for PublicKeysPerUser: %d", KEYS_PER_USER);
    }
    char id[32] = "APKA";
    if (cpw_sbx_random_chars(id + 4, 16, CPW_SBX_UPPER_ALNUM) != 0) {
        return -1;
    }
    if (cpw_sbx_sql_do(ctx->db,
                       "INSERT INTO iam_ssh_keys(account_id, user_name, key_id, body, fingerprint,"
                       " status, uploaded_ms) SELECT account_id, name, ?, ?, ?, 'Active', ? FROM"
                       " iam_users WHERE account_id = ? AND name = ?",
                       "sssiss", id, body, fingerprint, ctx->req->now_ms, s_account(ctx),
                       user) < 0) {
        return -1;
    }
    json_t *result = NULL;
    if (s_find(ctx, user, id, &result) != 0) {
        return -1;
    }
    cpw_sbx_add_resource(ctx, "AWS::IAM::User", user);
    *out = json_pack("{s:o}", "SSHPublicKey", result);
    return 0;
}

int cpw_sbx_iam_get_ssh_public_key(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out)
{
    const char *user = cpw_sbx_in_str(in, "UserName");
    const char *encoding = cpw_sbx_in_str(in, "Encoding");
    if (encoding == NULL || (strcmp(encoding, "SSH") != 0 && strcmp(encoding, "PEM") != 0)) {
        return cpw_sbx_fail(ctx, 400, "ValidationError",
                            "1 validation error detected: Value '%s' at 'encoding' failed to "
                            "satisfy constraint: Member must satisfy enum value set: [SSH, PEM]",
                            encoding ? encoding : "");
    }
    int rc = cpw_sbx_iam_need_user(ctx, user);
    json_t *key = NULL;
    if (rc == 0) {
        rc = s_find(ctx, user, cpw_sbx_in_str(in, "SSHPublicKeyId"), &key);
    }
    if (rc != 0) {
        return rc;
    }
    *out = json_pack("{s:o}", "SSHPublicKey", key);
    return 0;
}

static json_t *s_key_row(sqlite3_stmt *stmt, void *arg)
{
    (void)arg;
    return s_key_json(stmt, false);
}

int cpw_sbx_iam_list_ssh_public_keys(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out)
{
    const char *user = cpw_sbx_in_str(in, "UserName");
    const char *arn = ctx->req->caller->principal_arn;
    if (user == NULL && arn != NULL && strstr(arn, ":user/") != NULL) {
        user = strrchr(arn, '/') + 1;
    }
    int rc = user ? cpw_sbx_iam_need_user(ctx, user) : 0;
    if (rc != 0) {
        return rc;
    }
    int64_t max_items = 100;
    struct cpw_buf after;
    cpw_buf_init(&after, 1024);
    rc = cpw_sbx_iam_page_start(ctx, in, &after, &max_items);
    if (rc != 0) {
        cpw_buf_clean_up(&after);
        return rc;
    }
    /* oldest first; the marker is the next key's id, keys uploaded together order by id */
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      ctx->db,
      "SELECT " KEY_COLUMNS " FROM iam_ssh_keys k WHERE account_id = ?1 AND user_name IS ?2 AND"
      " (?3 = '' OR (uploaded_ms, key_id) >= (SELECT uploaded_ms, key_id FROM iam_ssh_keys WHERE"
      " account_id = ?1 AND key_id = ?3)) ORDER BY uploaded_ms, key_id LIMIT ?4",
      "sssi", s_account(ctx), user, cpw_buf_cstr(&after), max_items + 1);
    cpw_buf_clean_up(&after);
    return cpw_sbx_iam_page_answer(stmt, "SSHPublicKeys", max_items, 1, s_key_row, NULL, out);
}

int cpw_sbx_iam_update_ssh_public_key(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out)
{
    const char *user = cpw_sbx_in_str(in, "UserName");
    const char *id = cpw_sbx_in_str(in, "SSHPublicKeyId");
    const char *status = cpw_sbx_in_str(in, "Status");
    if (status == NULL || (strcmp(status, "Active") != 0 && strcmp(status, "Inactive") != 0)) {
        return cpw_sbx_fail(ctx, 400, "ValidationError",
                            "1 validation error detected: Value '%s' at 'status' failed to satisfy "
                            "constraint: Member must satisfy enum value set: [Active, Inactive]",
                            status ? status : "");
    }
    int rc = cpw_sbx_iam_need_user(ctx, user);
    json_t *key = NULL;
    if (rc == 0) {
        rc = s_find(ctx, user, id, &key);
    }
    if (rc != 0) {
        return rc;
    }
    json_decref(key);
    if (cpw_sbx_sql_do(ctx->db,
                       "UPDATE iam_ssh_keys SET status = ? WHERE account_id = ? AND key_id = ?",
                       "sss", status, s_account(ctx), id) < 0) {
        return -1;
    }
    cpw_sbx_add_resource(ctx, "AWS::IAM::User", user);
    *out = json_object();
    return 0;
}

int cpw_sbx_iam_delete_ssh_public_key(struct cpw_sbx_ctx *ctx, const json_t *in, json_t **out)
{
    const char *user = cpw_sbx_in_str(in, "UserName");
    const char *id = cpw_sbx_in_str(in, "SSHPublicKeyId");
    int rc = cpw_sbx_iam_need_user(ctx, user);
    json_t *key = NULL;
    if (rc == 0) {
        rc = s_find(ctx, user, id, &key);
    }
    if (rc != 0) {
        return rc;
    }
    json_decref(key);
    if (cpw_sbx_sql_do(ctx->db, "DELETE FROM iam_ssh_keys WHERE account_id = ? AND key_id = ?",
                       "ss", s_account(ctx), id) < 0) {
        return -1;
    }
    cpw_sbx_add_resource(ctx, "AWS::IAM::User", user);
    *out = json_object();
    return 0;
}
