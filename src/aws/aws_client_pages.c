/*
 * aws_client_pages.c - every page of a paginated operation, merged as the AWS CLI merges them,
 * with the CLI's --max-items / --starting-token resume tokens: base64 of a JSON object holding
 * the service's own token under its input member name and, when a page was cut short,
 * "boto_truncate_amount" (how many items of that page were already given). A token that is not
 * such an object is taken as the service's own token, with the old "TOKEN___N" form read as
 * the AWS CLI reads it.
 */
#include <stdlib.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/aws_client.h"
#include "cpw/buf.h"
#include "cpw/crypto.h"
#include "cpw/error.h"
#include "cpw/json.h"
#include "cpw/model.h"

#define DEFAULT_MAX_PAGES 10000u
#define TRUNCATE_KEY      "boto_truncate_amount"
#define MAX_TOKEN_BYTES   ((size_t)64 * 1024)

/* The single member name of a paginator field (a string, or a one-element list), or NULL. */
static const char *s_single(const json_t *field)
{
    if (json_is_string(field)) {
        return json_string_value(field);
    }
    if (json_is_array(field) && json_array_size(field) == 1) {
        return json_string_value(json_array_get(field, 0));
    }
    return NULL;
}

struct paging {
    const char *input_token;
    const char *output_token;
    const char *more_results;  /* NULL or "IsTruncated" */
    const json_t *result_keys; /* string or list, from the paginator; NULL: every list member */
};

/* Finds how an operation pages: its paginator, else the NextToken / Marker conventions. */
static bool s_paging(const struct cpw_model_service *svc, const char *operation, struct paging *pg)
{
    memset(pg, 0, sizeof(*pg));
    const json_t *pag = cpw_model_paginator(svc, operation);
    if (pag) {
        pg->input_token = s_single(json_object_get(pag, "input_token"));
        pg->output_token = s_single(json_object_get(pag, "output_token"));
        pg->more_results = json_string_value(json_object_get(pag, "more_results"));
        pg->result_keys = json_object_get(pag, "result_key");
        if (pg->output_token && strchr(pg->output_token, '.')) {
            return false; /* nested token paths are not used by the services we speak */
        }
        return pg->input_token && pg->output_token;
    }
    const json_t *in = json_object_get(cpw_model_input_shape(svc, operation), "members");
    const json_t *out = json_object_get(cpw_model_output_shape(svc, operation), "members");
    static const char *const tokens[] = { "NextToken", "nextToken", "Marker" };
    for (size_t i = 0; i < sizeof(tokens) / sizeof(tokens[0]); i++) {
        if (json_object_get(in, tokens[i]) && json_object_get(out, tokens[i])) {
            pg->input_token = tokens[i];
            pg->output_token = tokens[i];
            if (strcmp(tokens[i], "Marker") == 0 && json_object_get(out, "IsTruncated")) {
                pg->more_results = "IsTruncated";
            }
            return true;
        }
    }
    return false;
}

static size_t s_result_key_count(const struct paging *pg)
{
    return json_is_array(pg->result_keys) ? json_array_size(pg->result_keys)
           : pg->result_keys              ? 1
                                          : 0;
}

static const char *s_result_key(const struct paging *pg, size_t i)
{
    return json_is_array(pg->result_keys) ? json_string_value(json_array_get(pg->result_keys, i))
                                          : json_string_value(pg->result_keys);
}

static bool s_is_result_key(const struct paging *pg, const char *key)
{
    if (!pg->result_keys) {
        return true;
    }
    for (size_t i = 0; i < s_result_key_count(pg); i++) {
        const char *k = s_result_key(pg, i);
        if (k && strcmp(k, key) == 0) {
            return true;
        }
    }
    return false;
}

/* The list --max-items counts: the paginator's first result key, else the page's first list. */
static json_t *s_primary(const struct paging *pg, json_t *page)
{
    if (s_result_key_count(pg) > 0) {
        const char *key = s_result_key(pg, 0);
        return key ? json_object_get(page, key) : NULL;
    }
    const char *key;
    json_t *value;
    json_object_foreach(page, key, value)
    {
        if (json_is_array(value)) {
            return value;
        }
    }
    return NULL;
}

/* ----- resume tokens ------------------------------------------------------------------------ */

struct start {
    char *token;     /* the service's token to send first; NULL: none */
    size_t truncate; /* items of the first page already given */
};

/* Not a resume token: the service's own token, or the old "TOKEN___N" form (N items of TOKEN's
 * page given). "None" stands for no token, as the AWS CLI writes it. */
static void s_start_plain(const char *text, struct start *st)
{
    const char *sep = strstr(text, "___");
    size_t token_len = strlen(text);
    if (sep && !strstr(sep + 3, "___")) {
        char *end = NULL;
        long long n = strtoll(sep + 3, &end, 10);
        if (sep[3] && end && !*end && n >= 0) {
            token_len = (size_t)(sep - text);
            st->truncate = (size_t)n;
        }
    }
    bool none = token_len == 4 && strncmp(text, "None", 4) == 0;
    st->token = none ? NULL : cpw_strndup(text, token_len);
}

/* Reads a --starting-token. 0, or -1 with CPW_ERR_INVALID_ARGUMENT. */
static int s_start_parse(const char *text, const struct paging *pg, struct start *st)
{
    memset(st, 0, sizeof(*st));
    struct cpw_buf raw;
    cpw_buf_init(&raw, MAX_TOKEN_BYTES);
    json_t *doc = NULL;
    int rc = 0;
    if (cpw_base64_decode(&raw, cpw_span_from_cstr(text)) != 0 ||
        cpw_json_load(cpw_buf_span(&raw), MAX_TOKEN_BYTES, &doc) != 0 || !json_is_object(doc)) {
        cpw_error_clear();
        s_start_plain(text, st);
        goto done;
    }
    const json_t *token = json_object_get(doc, pg->input_token);
    const json_t *amount = json_object_get(doc, TRUNCATE_KEY);
    if ((!json_is_string(token) && !json_is_null(token)) ||
        (amount && (!json_is_integer(amount) || json_integer_value(amount) < 0))) {
        rc = cpw_raise(CPW_ERR_INVALID_ARGUMENT, "Bad starting token: %s", text);
        goto done;
    }
    st->token = json_is_string(token) ? cpw_strdup(json_string_value(token)) : NULL;
    st->truncate = amount ? (size_t)json_integer_value(amount) : 0;
done:
    json_decref(doc);
    cpw_buf_clean_up(&raw);
    return rc;
}

/* The resume token for a page requested with token (NULL: none), truncate items of it given. */
static json_t *s_resume_token(const struct paging *pg, const char *token, bool cut, size_t truncate)
{
    json_t *obj = json_object();
    cpw_json_set_take(obj, pg->input_token, token ? json_string(token) : json_null());
    if (cut) {
        cpw_json_set_take(obj, TRUNCATE_KEY, json_integer((json_int_t)truncate));
    }
    /* As Python's json.dumps: ", " and ": " separators, non-ASCII escaped. */
    char *text = cpw_json_dump_cstr(obj, CPW_JSON_DUMP_ASCII);
    json_decref(obj);
    if (!text) {
        return NULL;
    }
    struct cpw_buf b64;
    cpw_buf_init(&b64, MAX_TOKEN_BYTES * 2);
    json_t *out = NULL;
    if (cpw_base64_encode(&b64, cpw_span_from_cstr(text)) == 0) {
        out = json_string(cpw_buf_cstr(&b64));
    }
    cpw_buf_clean_up(&b64);
    cpw_free(text);
    return out;
}

/* After a resumed first page: its first `drop` items were given before, and the other result
 * keys were given whole with that page (the AWS CLI empties them). */
static void s_resume_first_page(const struct paging *pg, json_t *page, size_t drop)
{
    json_t *primary = s_primary(pg, page);
    for (size_t i = 0; json_is_array(primary) && i < drop && json_array_size(primary) > 0; i++) {
        json_array_remove(primary, 0);
    }
    for (size_t i = 1; i < s_result_key_count(pg); i++) {
        const char *key = s_result_key(pg, i);
        json_t *v = key ? json_object_get(page, key) : NULL;
        if (!v) {
            continue;
        }
        json_t *empty = json_is_array(v)    ? json_array()
                        : json_is_string(v) ? json_string("")
                        : json_is_number(v) ? json_integer(0)
                                            : json_null();
        cpw_json_set_take(page, key, empty);
    }
}

/* ----- the page loop ------------------------------------------------------------------------ */

static void s_merge(const struct paging *pg, json_t *merged, json_t *page)
{
    const char *key;
    json_t *value;
    json_object_foreach(page, key, value)
    {
        json_t *into = json_object_get(merged, key);
        if (json_is_array(value) && json_is_array(into) && s_is_result_key(pg, key)) {
            json_array_extend(into, value);
        }
    }
}

int cpw_aws_client_call_all_pages(struct cpw_aws_client *client,
                                  const struct cpw_aws_call *call,
                                  unsigned max_pages,
                                  json_t **output,
                                  struct cpw_aws_error *aws)
{
    *output = NULL;
    const struct cpw_model_service *svc = cpw_model_service_get(call->service);
    const char *operation = svc ? cpw_model_operation_resolve(svc, call->operation) : NULL;
    if (!operation) {
        return -1;
    }
    struct paging pg;
    if (!s_paging(svc, operation, &pg)) {
        if (call->max_items || call->starting_token) {
            return cpw_raise(CPW_ERR_INVALID_ARGUMENT, "%s does not page", operation);
        }
        return cpw_aws_client_call(client, call, output, aws);
    }
    struct start st = { 0 };
    if (call->starting_token && s_start_parse(call->starting_token, &pg, &st) != 0) {
        return -1;
    }
    if (!max_pages) {
        max_pages = DEFAULT_MAX_PAGES;
    }
    json_t *input = call->input ? json_deep_copy(call->input) : json_object();
    json_t *merged = NULL;
    json_t *resume = NULL;
    char *sent = st.token; /* the token the current page is requested with (owned) */
    uint64_t total = 0;
    int rc = 0;
    for (unsigned page = 0; page < max_pages; page++) {
        if (sent) {
            cpw_json_set_take(input, pg.input_token, json_string(sent));
        }
        struct cpw_aws_call c = *call;
        c.input = input;
        json_t *out = NULL;
        if (cpw_aws_client_call(client, &c, &out, aws)) {
            rc = -1;
            break;
        }
        size_t dropped = page == 0 && call->starting_token ? st.truncate : 0;
        if (dropped) {
            s_resume_first_page(&pg, out, dropped);
        }
        const char *token = json_string_value(json_object_get(out, pg.output_token));
        bool more = token && *token;
        if (pg.more_results && !json_is_true(json_object_get(out, pg.more_results))) {
            more = false;
        }
        char *next = more ? cpw_strdup(token) : NULL; /* out may be released below */
        json_t *items = s_primary(&pg, out);
        size_t n = json_is_array(items) ? json_array_size(items) : 0;
        bool cut = call->max_items && total + n > call->max_items;
        if (cut) {
            size_t keep = (size_t)(call->max_items - total);
            while (json_array_size(items) > keep) {
                json_array_remove(items, json_array_size(items) - 1);
            }
            resume = s_resume_token(&pg, sent, true, keep + dropped);
        }
        total += n;
        if (call->on_page) {
            call->on_page(call->page_user, out);
        }
        if (!merged) {
            merged = out;
        } else {
            s_merge(&pg, merged, out);
            json_decref(out);
        }
        if (cut || !next) {
            cpw_free(next);
            break;
        }
        if (call->max_items && total == call->max_items) {
            resume = s_resume_token(&pg, next, false, 0); /* on a page boundary */
            cpw_free(next);
            break;
        }
        if (sent && strcmp(sent, next) == 0) {
            cpw_free(next);
            rc = cpw_raise(CPW_ERR_AWS, "%s returned the same %s twice; stopping", operation,
                           pg.output_token);
            break;
        }
        cpw_free(sent);
        sent = next;
        if (page + 1 == max_pages) {
            rc = cpw_raise(CPW_ERR_LIMIT, "%s: more than %u pages", operation, max_pages);
        }
    }
    cpw_free(sent);
    json_decref(input);
    if (rc) {
        json_decref(merged);
        json_decref(resume);
        return -1;
    }
    json_object_del(merged, pg.output_token);
    if (pg.more_results) {
        json_object_del(merged, pg.more_results);
    }
    if (resume) {
        cpw_json_set_take(merged, "NextToken", resume); /* the AWS CLI's name, whatever the API's */
    }
    *output = merged;
    return 0;
}
