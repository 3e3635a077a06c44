/*
 * iam_eval_driver.c - evaluates IAM requests with cpwarden's policy engine for the differential
 * test (tests/authz/diff.mjs). Not part of the product.
 *
 * Reads one JSON object per line on stdin:
 *   {"id": N, "principal": {"kind": "user|role_session|root|federated|service", "arn": ...,
 *    "account": ..., "role_arn": ..., "service": ...}, "action": ..., "resource": ...,
 *    "resource_account": ..., "context": {key: "v" | ["v", ...]},
 *    "identity": [doc, ...], "scp": [[doc, ...], ...], "rcp": [[doc, ...], ...],
 *    "resource_policy": doc|null, "boundary": doc|null, "session": doc|null}
 * and writes one line per case: {"id": N, "decision": "allowed|implicitDeny|explicitDeny",
 * "denied_by": type|null, "message": AccessDenied text|null} or {"id": N, "error": detail} when a
 * policy does not parse. Exits 0 after the last line, 1 on unreadable input.
 */
#include <stdio.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/buf.h"
#include "cpw/error.h"
#include "cpw/iam_policy.h"
#include "cpw/json.h"

#define S_MAX_LINE     (4u * 1024u * 1024u)
#define S_MAX_POLICIES 64u

struct s_case {
    struct cpw_iam_policy *owned[S_MAX_POLICIES];
    size_t owned_count;
};

static struct cpw_iam_policy *s_parse(struct s_case *c,
                                      const json_t *doc,
                                      enum cpw_iam_policy_type type,
                                      const char *id)
{
    if (c->owned_count >= S_MAX_POLICIES) {
        cpw_raise(CPW_ERR_LIMIT, "more than %u policies in one case", S_MAX_POLICIES);
        return NULL;
    }
    struct cpw_iam_policy_parse_options o = { .type = type, .id = id };
    struct cpw_iam_policy *p = cpw_iam_policy_parse_json(doc, &o);
    if (p) {
        c->owned[c->owned_count++] = p;
    }
    return p;
}

static enum cpw_iam_principal_kind s_kind(const char *kind)
{
    if (!kind) {
        return CPW_IAM_PRINCIPAL_USER;
    }
    if (strcmp(kind, "role_session") == 0) {
        return CPW_IAM_PRINCIPAL_ROLE_SESSION;
    }
    if (strcmp(kind, "root") == 0) {
        return CPW_IAM_PRINCIPAL_ROOT;
    }
    if (strcmp(kind, "federated") == 0) {
        return CPW_IAM_PRINCIPAL_FEDERATED;
    }
    if (strcmp(kind, "service") == 0) {
        return CPW_IAM_PRINCIPAL_SERVICE;
    }
    return CPW_IAM_PRINCIPAL_USER;
}

static int s_context(const json_t *obj, struct cpw_iam_context *ctx)
{
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)obj, key, v)
    {
        if (json_is_string(v)) {
            if (cpw_iam_context_set(ctx, key, json_string_value(v)) != 0) {
                return -1;
            }
        } else if (json_is_array(v)) {
            if (cpw_iam_context_add(ctx, key, NULL) != 0) {
                return -1;
            }
            size_t i;
            const json_t *item;
            json_array_foreach(v, i, item)
            {
                if (cpw_iam_context_add(ctx, key, json_string_value(item)) != 0) {
                    return -1;
                }
            }
        }
    }
    return 0;
}

/* Org levels from [[doc, ...], ...]; policies and levels are stored in the arrays given. */
static int s_levels(struct s_case *c,
                    const json_t *levels,
                    enum cpw_iam_policy_type type,
                    struct cpw_iam_org_level *out,
                    const struct cpw_iam_policy **slots,
                    size_t *level_count)
{
    size_t used = 0;
    size_t li;
    const json_t *level;
    *level_count = 0;
    json_array_foreach(levels, li, level)
    {
        if (li >= 8) {
            return cpw_raise(CPW_ERR_LIMIT, "more than 8 organization levels");
        }
        out[li].target_id = "level";
        out[li].policies = slots + used;
        out[li].count = 0;
        size_t pi;
        const json_t *doc;
        json_array_foreach(level, pi, doc)
        {
            if (used >= S_MAX_POLICIES) {
                return cpw_raise(CPW_ERR_LIMIT, "too many organization policies");
            }
            struct cpw_iam_policy *p = s_parse(c, doc, type, cpw_iam_policy_type_name(type));
            if (!p) {
                return -1;
            }
            slots[used++] = p;
            out[li].count++;
        }
        (*level_count)++;
    }
    return 0;
}

static json_t *s_run(const json_t *in)
{
    struct s_case c = { 0 };
    struct cpw_iam_context *ctx = cpw_iam_context_new();
    const struct cpw_iam_policy *identity[S_MAX_POLICIES] = { 0 };
    const struct cpw_iam_policy *scp_slots[S_MAX_POLICIES] = { 0 };
    const struct cpw_iam_policy *rcp_slots[S_MAX_POLICIES] = { 0 };
    const struct cpw_iam_policy *boundary[1] = { 0 };
    const struct cpw_iam_policy *session[1] = { 0 };
    struct cpw_iam_org_level scp_levels[8];
    struct cpw_iam_org_level rcp_levels[8];
    struct cpw_iam_policy_set set = { 0 };
    struct cpw_iam_decision d = { 0 };
    json_t *out = json_object();
    cpw_json_set_take(out, "id", json_incref(cpw_json_get(in, "id")));
    const json_t *who = cpw_json_get(in, "principal");
    struct cpw_iam_request r = {
        .principal = { .kind = s_kind(cpw_json_get_string(who, "kind")),
                       .arn = cpw_json_get_string(who, "arn"),
                       .account = cpw_json_get_string(who, "account"),
                       .role_arn = cpw_json_get_string(who, "role_arn"),
                       .service = cpw_json_get_string(who, "service") },
        .action = cpw_json_get_string(in, "action"),
        .resource = cpw_json_get_string(in, "resource"),
        .resource_account = cpw_json_get_string(in, "resource_account"),
        .context = ctx,
    };
    if (s_context(cpw_json_get(in, "context"), ctx) != 0) {
        goto failed;
    }
    size_t i;
    const json_t *doc;
    json_array_foreach(cpw_json_get(in, "identity"), i, doc)
    {
        if (i >= S_MAX_POLICIES / 2) {
            cpw_raise(CPW_ERR_LIMIT, "too many identity policies");
            goto failed;
        }
        identity[i] = s_parse(&c, doc, CPW_IAM_POLICY_IDENTITY, "identity");
        if (!identity[i]) {
            goto failed;
        }
        set.identity_count = i + 1;
    }
    set.identity = identity;
    if (s_levels(&c, cpw_json_get(in, "scp"), CPW_IAM_POLICY_SCP, scp_levels, scp_slots,
                 &set.scp_level_count) != 0 ||
        s_levels(&c, cpw_json_get(in, "rcp"), CPW_IAM_POLICY_RCP, rcp_levels, rcp_slots,
                 &set.rcp_level_count) != 0) {
        goto failed;
    }
    set.scp_levels = scp_levels;
    set.rcp_levels = rcp_levels;
    const json_t *res = cpw_json_get(in, "resource_policy");
    if (json_is_object(res) &&
        !(set.resource = s_parse(&c, res, CPW_IAM_POLICY_RESOURCE, "resource"))) {
        goto failed;
    }
    const json_t *pb = cpw_json_get(in, "boundary");
    if (json_is_object(pb)) {
        if (!(boundary[0] = s_parse(&c, pb, CPW_IAM_POLICY_BOUNDARY, "boundary"))) {
            goto failed;
        }
        set.boundary = boundary;
        set.boundary_count = 1;
        set.has_boundary = true;
    }
    const json_t *ses = cpw_json_get(in, "session");
    if (json_is_object(ses)) {
        if (!(session[0] = s_parse(&c, ses, CPW_IAM_POLICY_SESSION, "session"))) {
            goto failed;
        }
        set.session = session;
        set.session_count = 1;
        set.has_session = true;
    }
    if (cpw_iam_evaluate(&set, &r, &d) != 0) {
        goto failed;
    }
    cpw_json_set_take(out, "decision", json_string(cpw_iam_decision_name(d.decision)));
    char *msg = cpw_iam_denial_message(&r, &d);
    cpw_json_set_take(out, "denied_by",
                      msg ? json_string(cpw_iam_policy_type_name(d.denied_by)) : json_null());
    cpw_json_set_take(out, "message", msg ? json_string(msg) : json_null());
    cpw_free(msg);
    goto cleanup;
failed:
    cpw_json_set_take(out, "error", json_string(cpw_last_error_detail()));
cleanup:
    cpw_iam_decision_clean_up(&d);
    for (size_t k = 0; k < c.owned_count; k++) {
        cpw_iam_policy_destroy(c.owned[k]);
    }
    cpw_iam_context_destroy(ctx);
    return out;
}

int main(void)
{
    cpw_alloc_install_library_hooks();
    struct cpw_buf line;
    cpw_buf_init(&line, S_MAX_LINE);
    int rc = 0;
    for (;;) {
        int ch = getchar();
        if (ch != EOF && ch != '\n') {
            if (cpw_buf_append_byte(&line, (uint8_t)ch) != 0) {
                fprintf(stderr, "iam_eval_driver: line over %u bytes\n", S_MAX_LINE);
                rc = 1;
                break;
            }
            continue;
        }
        if (line.len > 0) {
            json_t *in = NULL;
            if (cpw_json_load(cpw_buf_span(&line), S_MAX_LINE, &in) != 0) {
                fprintf(stderr, "iam_eval_driver: %s\n", cpw_last_error_detail());
                rc = 1;
                break;
            }
            json_t *out = s_run(in);
            (void)cpw_json_dump_stream(out, CPW_JSON_DUMP_COMPACT, stdout);
            putchar('\n');
            json_decref(out);
            json_decref(in);
            cpw_buf_reset(&line);
        }
        if (ch == EOF) {
            break;
        }
    }
    cpw_buf_clean_up(&line);
    fflush(stdout);
    return rc;
}
