/*
 * customer_profiles_matching.c - identity resolution in the Customer Profiles sandbox: GetMatches,
 * ListRuleBasedMatches, GetSimilarProfiles and GetAutoMergingPreview, computed deterministically
 * from the domain's stored profiles.
 *
 * Machine-learning matching (the domain's Matching): two profiles match when they share an
 * e-mail address (EmailAddress, PersonalEmailAddress, BusinessEmailAddress; case-insensitive;
 * score 0.99), else a phone number (PhoneNumber, MobilePhoneNumber, HomePhoneNumber,
 * BusinessPhoneNumber; digits only, at least 7; score 0.95), else first name, last name and
 * Address.Address1 (case-insensitive, all present; score 0.9). Rule-based matching (the domain's
 * RuleBasedMatching): two profiles match at level N when they agree on every attribute of rule N
 * (MatchingRules[N-1].Rule, N up to MaxAllowedRuleLevelForMatching): EmailAddress and
 * PhoneNumber compare any of the fields above (or those AttributeTypesSelector lists), Address
 * compares Address1 and PostalCode of Address (or the listed address fields), any other name is
 * a Profile member or a dotted path (Address.City, Attributes.tier), compared case-insensitively.
 * Matches are transitive: a match group is a connected set of at least two profiles; its
 * ConfidenceScore is the weakest link's score, its RuleLevel the lowest level among its links,
 * and its MatchId 32 hex digits of SHA-256 over the kind and the sorted profile ids, so the same
 * profiles give the same id. At most 5,000 profiles of a domain are considered.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpw/alloc.h"
#include "cpw/error.h"
#include "cpw/json.h"
#include "sbx_cp_profiles.h"

#define PROFILE_MAX 5000
#define LIST_MAX    100

static const char *const s_email_fields[] = { "EmailAddress", "PersonalEmailAddress",
                                              "BusinessEmailAddress", NULL };
static const char *const s_phone_fields[] = { "PhoneNumber", "MobilePhoneNumber", "HomePhoneNumber",
                                              "BusinessPhoneNumber", NULL };

/* ----- normalised values ------------------------------------------------------------------- */

static void s_norm_text(const char *s, char *out, size_t cap)
{
    size_t j = 0;
    while (*s == ' ') {
        s++;
    }
    for (; *s != '\0' && j + 1 < cap; s++) {
        out[j] = *s;
        if (*s >= 'A' && *s <= 'Z') {
            out[j] = (char)(*s - 'A' + 'a');
        }
        j++;
    }
    while (j > 0 && out[j - 1] == ' ') {
        j--;
    }
    out[j] = '\0';
}

static void s_norm_phone(const char *s, char *out, size_t cap)
{
    size_t j = 0;
    for (; *s != '\0' && j + 1 < cap; s++) {
        if (*s >= '0' && *s <= '9') {
            out[j++] = *s;
        }
    }
    out[j] = '\0';
    if (j < 7) {
        out[0] = '\0';
    }
}

/* The value at a dotted path of one or two levels (borrowed string), or NULL. */
static const char *s_path(const json_t *profile, const char *path)
{
    const char *dot = strchr(path, '.');
    if (dot == NULL) {
        return cpw_json_get_string(profile, path);
    }
    char head[128];
    size_t n = (size_t)(dot - path);
    if (n >= sizeof(head)) {
        return NULL;
    }
    memcpy(head, path, n);
    head[n] = '\0';
    return cpw_json_get_string(cpw_json_get(profile, head), dot + 1);
}

/* Adds the normalised values of fields (NULL-terminated) of profile to set (object as a set). */
static void s_values(const json_t *profile,
                     const char *const *fields,
                     const json_t *selected,
                     bool phone,
                     json_t *set)
{
    char norm[512];
    if (json_is_array(selected) && json_array_size(selected) > 0) {
        size_t i;
        const json_t *f;
        json_array_foreach(selected, i, f)
        {
            const char *v = json_is_string(f) ? s_path(profile, json_string_value(f)) : NULL;
            if (v != NULL) {
                (phone ? s_norm_phone : s_norm_text)(v, norm, sizeof(norm));
                if (norm[0] != '\0') {
                    json_object_set_new(set, norm, json_true());
                }
            }
        }
        return;
    }
    for (size_t i = 0; fields[i] != NULL; i++) {
        const char *v = s_path(profile, fields[i]);
        if (v != NULL) {
            (phone ? s_norm_phone : s_norm_text)(v, norm, sizeof(norm));
            if (norm[0] != '\0') {
                json_object_set_new(set, norm, json_true());
            }
        }
    }
}

/* The set of normalised values of one rule attribute of a profile (owned object). */
static json_t *s_attribute_set(const json_t *profile, const char *attr, const json_t *selector)
{
    json_t *set = json_object();
    if (strcmp(attr, "EmailAddress") == 0) {
        s_values(profile, s_email_fields, cpw_json_get(selector, "EmailAddress"), false, set);
    } else if (strcmp(attr, "PhoneNumber") == 0) {
        s_values(profile, s_phone_fields, cpw_json_get(selector, "PhoneNumber"), true, set);
    } else if (strcmp(attr, "Address") == 0) {
        const json_t *kinds = cpw_json_get(selector, "Address");
        static const char *const defaults[] = { "Address", NULL };
        size_t n = json_is_array(kinds) && json_array_size(kinds) > 0 ? json_array_size(kinds) : 1;
        for (size_t i = 0; i < n; i++) {
            const char *kind = json_is_array(kinds) && json_array_size(kinds) > 0
                                 ? json_string_value(json_array_get(kinds, i))
                                 : defaults[0];
            const json_t *addr = kind ? cpw_json_get(profile, kind) : NULL;
            const char *line = cpw_json_get_string(addr, "Address1");
            const char *postal = cpw_json_get_string(addr, "PostalCode");
            if (line != NULL) {
                char joined[600];
                char norm[600];
                snprintf(joined, sizeof(joined), "%s|%s", line, postal ? postal : "");
                s_norm_text(joined, norm, sizeof(norm));
                json_object_set_new(set, norm, json_true());
            }
        }
    } else {
        const char *v = s_path(profile, attr);
        char norm[512];
        if (v != NULL) {
            s_norm_text(v, norm, sizeof(norm));
            if (norm[0] != '\0') {
                json_object_set_new(set, norm, json_true());
            }
        }
    }
    return set;
}

static bool s_intersect(const json_t *a, const json_t *b)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)a, key, v)
    {
        if (json_object_get(b, key) != NULL) {
            return true;
        }
    }
    return false;
}

/* ----- match groups ------------------------------------------------------------------------ */

struct graph {
    size_t n;
    json_t *profiles; /* array of documents in ProfileId order */
    size_t *parent;
    double *score; /* weakest link of the group (at its root) */
    int *level;    /* lowest rule level of the group (at its root) */
};

static size_t s_find(struct graph *g, size_t i)
{
    for (size_t guard = 0; g->parent[i] != i && guard < g->n; guard++) {
        g->parent[i] = g->parent[g->parent[i]];
        i = g->parent[i];
    }
    return i;
}

static void s_union(struct graph *g, size_t a, size_t b, double score, int level)
{
    size_t ra = s_find(g, a);
    size_t rb = s_find(g, b);
    if (ra == rb) {
        return;
    }
    size_t lo = ra < rb ? ra : rb;
    size_t hi = ra < rb ? rb : ra;
    double s = g->score[lo] < g->score[hi] ? g->score[lo] : g->score[hi];
    int l = g->level[lo] < g->level[hi] ? g->level[lo] : g->level[hi];
    g->parent[hi] = lo;
    g->score[lo] = s < score ? s : score;
    g->level[lo] = l < level ? l : level;
}

static void s_graph_free(struct graph *g)
{
    cpw_json_release(g->profiles);
    cpw_free(g->parent);
    cpw_free(g->score);
    cpw_free(g->level);
    memset(g, 0, sizeof(*g));
}

/* Loads the domain's profiles (ProfileId order). Returns 0 or -1. */
static int s_graph_load(struct cpw_sbx_ctx *ctx, const char *domain, struct graph *g)
{
    memset(g, 0, sizeof(*g));
    g->profiles = json_array();
    sqlite3_stmt *stmt = cpw_sbx_sql_query(
      ctx->db,
      "SELECT doc FROM cp_items WHERE account_id = ? AND region = ? AND domain = ? AND kind = ?"
      " ORDER BY name LIMIT ?",
      "ssssi", ctx->req->caller->account_id, cpw_cp_region(ctx), domain, CPW_CP_PROFILE,
      (int64_t)PROFILE_MAX);
    if (stmt == NULL) {
        return -1;
    }
    int rc;
    while ((rc = cpw_sbx_sql_step(stmt)) == 1) {
        json_t *doc = NULL;
        if (cpw_json_load(cpw_span_from_cstr(cpw_sbx_col(stmt, 0)), CPW_CP_DOC_MAX, &doc) != 0) {
            cpw_error_clear();
            continue;
        }
        cpw_json_append_take(g->profiles, doc);
    }
    cpw_sbx_sql_done(stmt);
    if (rc < 0) {
        return -1;
    }
    g->n = json_array_size(g->profiles);
    g->parent = cpw_calloc(g->n + 1, sizeof(*g->parent));
    g->score = cpw_calloc(g->n + 1, sizeof(*g->score));
    g->level = cpw_calloc(g->n + 1, sizeof(*g->level));
    for (size_t i = 0; i < g->n; i++) {
        g->parent[i] = i;
        g->score[i] = 1.0;
        g->level[i] = 16;
    }
    return 0;
}

/* The normalised values one matching attribute of one profile holds. */
struct value_set {
    json_t *values; /* object used as a set (owned) */
};

/* Links the profiles the machine-learning rule matches. */
static void s_link_ml(struct graph *g)
{
    /* Per profile: e-mail addresses, phone numbers, name and address. */
    struct value_set *sets = cpw_calloc(3 * g->n + 1, sizeof(*sets));
    for (size_t i = 0; i < g->n; i++) {
        const json_t *p = json_array_get(g->profiles, i);
        sets[3 * i].values = s_attribute_set(p, "EmailAddress", NULL);
        sets[3 * i + 1].values = s_attribute_set(p, "PhoneNumber", NULL);
        sets[3 * i + 2].values = json_object();
        const char *first = cpw_json_get_string(p, "FirstName");
        const char *last = cpw_json_get_string(p, "LastName");
        const char *line = cpw_json_get_string(cpw_json_get(p, "Address"), "Address1");
        if (first != NULL && last != NULL && line != NULL) {
            char joined[800];
            char norm[800];
            snprintf(joined, sizeof(joined), "%s|%s|%s", first, last, line);
            s_norm_text(joined, norm, sizeof(norm));
            json_object_set_new(sets[3 * i + 2].values, norm, json_true());
        }
    }
    for (size_t i = 0; i < g->n; i++) {
        for (size_t j = i + 1; j < g->n; j++) {
            if (s_intersect(sets[3 * i].values, sets[3 * j].values)) {
                s_union(g, i, j, 0.99, 16);
            } else if (s_intersect(sets[3 * i + 1].values, sets[3 * j + 1].values)) {
                s_union(g, i, j, 0.95, 16);
            } else if (s_intersect(sets[3 * i + 2].values, sets[3 * j + 2].values)) {
                s_union(g, i, j, 0.9, 16);
            }
        }
    }
    for (size_t k = 0; k < 3 * g->n; k++) {
        cpw_json_release(sets[k].values);
    }
    cpw_free(sets);
}

/* Links the profiles the domain's matching rules match (RuleBasedMatching). */
static void s_link_rules(struct graph *g, const json_t *config)
{
    const json_t *rules = cpw_json_get(config, "MatchingRules");
    const json_t *selector = cpw_json_get(config, "AttributeTypesSelector");
    int64_t max_level = 15;
    const json_t *max = cpw_json_get(config, "MaxAllowedRuleLevelForMatching");
    if (json_is_integer(max)) {
        max_level = (int64_t)json_integer_value(max);
    }
    size_t r;
    const json_t *rule;
    json_array_foreach(rules, r, rule)
    {
        if ((int64_t)r + 1 > max_level) {
            break;
        }
        const json_t *attrs = cpw_json_get(rule, "Rule");
        size_t na = json_array_size(attrs);
        if (na == 0) {
            continue;
        }
        struct value_set *sets = cpw_calloc(g->n * na + 1, sizeof(*sets));
        for (size_t i = 0; i < g->n; i++) {
            for (size_t a = 0; a < na; a++) {
                const char *attr = json_string_value(json_array_get(attrs, a));
                sets[i * na + a].values =
                  s_attribute_set(json_array_get(g->profiles, i), attr ? attr : "", selector);
            }
        }
        for (size_t i = 0; i < g->n; i++) {
            for (size_t j = i + 1; j < g->n; j++) {
                bool all = true;
                for (size_t a = 0; a < na && all; a++) {
                    all = s_intersect(sets[i * na + a].values, sets[j * na + a].values);
                }
                if (all) {
                    s_union(g, i, j, 1.0, (int)r + 1);
                }
            }
        }
        for (size_t k = 0; k < g->n * na; k++) {
            cpw_json_release(sets[k].values);
        }
        cpw_free(sets);
    }
}

/*
 * The match groups of the graph (owned array of {MatchId, ProfileIds, ConfidenceScore,
 * RuleLevel}) in order of their first profile id.
 */
static json_t *s_groups(struct graph *g, const char *kind)
{
    json_t *groups = json_array();
    for (size_t root = 0; root < g->n; root++) {
        if (s_find(g, root) != root) {
            continue;
        }
        json_t *ids = json_array();
        struct cpw_buf joined;
        cpw_buf_init(&joined, (size_t)PROFILE_MAX * 40u);
        (void)cpw_buf_append_cstr(&joined, kind);
        for (size_t i = root; i < g->n; i++) {
            if (s_find(g, i) == root) {
                const char *id = cpw_json_get_string(json_array_get(g->profiles, i), "ProfileId");
                cpw_json_append_take(ids, json_string(id ? id : ""));
                (void)cpw_buf_appendf(&joined, "|%s", id ? id : "");
            }
        }
        if (json_array_size(ids) < 2) {
            cpw_json_release(ids);
            cpw_buf_clean_up(&joined);
            continue;
        }
        char match_id[33];
        if (cpw_cp_digest_id(cpw_buf_cstr(&joined), match_id) != 0) {
            cpw_error_clear();
            snprintf(match_id, sizeof(match_id), "%032zx", root);
        }
        cpw_buf_clean_up(&joined);
        json_t *group = json_pack("{s:s,s:o,s:f,s:i}", "MatchId", match_id, "ProfileIds", ids,
                                  "ConfidenceScore", g->score[root], "RuleLevel", g->level[root]);
        cpw_json_append_take(groups, group);
    }
    return groups;
}

/* The domain's match groups of one kind (ML or rule-based; owned) and its profile count. */
int cpw_cp_match_groups(struct cpw_sbx_ctx *ctx,
                        const char *domain,
                        bool rule_based,
                        const json_t *domain_doc,
                        json_t **groups,
                        size_t *profile_count)
{
    struct graph g;
    *groups = NULL;
    if (s_graph_load(ctx, domain, &g) != 0) {
        s_graph_free(&g);
        return -1;
    }
    if (rule_based) {
        s_link_rules(&g, cpw_json_get(domain_doc, "RuleBasedMatching"));
    } else {
        s_link_ml(&g);
    }
    *groups = s_groups(&g, rule_based ? "rule" : "ml");
    if (profile_count != NULL) {
        *profile_count = g.n;
    }
    s_graph_free(&g);
    return 0;
}

bool cpw_cp_ir_enabled(const json_t *domain_doc, const char *member)
{
    return json_is_true(cpw_json_get(cpw_json_get(domain_doc, member), "Enabled"));
}

/* The domain's document (owned) after answering 404: 0, 1, -1. */
int cpw_cp_ir_domain_doc(struct cpw_sbx_ctx *ctx, const char *domain, json_t **doc)
{
    if (cpw_cp_domain_doc(ctx, domain, doc) != 0) {
        return -1;
    }
    return *doc != NULL ? 0
                        : cpw_cp_not_found(ctx, "Domain %s does not exist.", domain ? domain : "");
}

/* ----- matches ----------------------------------------------------------------------------- */

int cpw_cp_get_matches(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *domain = cpw_sbx_in_str(input, "DomainName");
    int64_t offset = 0;
    int64_t limit = LIST_MAX;
    json_t *doc = NULL;
    int rc = cpw_cp_ir_prepare(ctx, domain, &doc);
    if (rc == 0) {
        rc = cpw_cp_paging(ctx, input, LIST_MAX, &offset, &limit);
    }
    int64_t generated = 0;
    if (rc == 0 && cpw_cp_ir_last_job_end(ctx, domain, &generated) != 0) {
        rc = -1;
    }
    json_t *groups = NULL;
    if (rc == 0 && generated > 0 &&
        cpw_cp_match_groups(ctx, domain, false, doc, &groups, NULL) != 0) {
        rc = -1;
    }
    cpw_json_release(doc);
    if (rc != 0) {
        cpw_json_release(groups);
        return rc;
    }
    json_t *matches = json_array();
    size_t total = json_array_size(groups);
    for (size_t i = (size_t)offset; i < total && (int64_t)json_array_size(matches) < limit; i++) {
        json_t *g = json_array_get(groups, i);
        json_object_del(g, "RuleLevel");
        json_array_append(matches, g);
    }
    cpw_json_release(groups);
    json_t *result = json_object();
    cpw_json_set_take(result, "Matches", matches);
    cpw_json_set_take(result, "PotentialMatches", json_integer((json_int_t)total));
    if (generated > 0) {
        cpw_json_set_take(result, "MatchGenerationDate", cpw_sbx_time_json(generated));
    }
    cpw_cp_next_token(result, offset, limit, (size_t)(offset + limit) < total);
    *output = result;
    return 0;
}

int cpw_cp_list_rule_based_matches(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *domain = cpw_sbx_in_str(input, "DomainName");
    int64_t offset = 0;
    int64_t limit = LIST_MAX;
    json_t *doc = NULL;
    int rc = cpw_cp_ir_domain_doc(ctx, domain, &doc);
    if (rc == 0) {
        rc = cpw_cp_paging(ctx, input, LIST_MAX, &offset, &limit);
    }
    if (rc == 0 && !cpw_cp_ir_enabled(doc, "RuleBasedMatching")) {
        rc = cpw_cp_bad(ctx, "Rule-based matching is not enabled for domain %s.", domain);
    }
    json_t *groups = NULL;
    if (rc == 0 && cpw_cp_match_groups(ctx, domain, true, doc, &groups, NULL) != 0) {
        rc = -1;
    }
    cpw_json_release(doc);
    if (rc != 0) {
        return rc;
    }
    json_t *ids = json_array();
    size_t total = json_array_size(groups);
    for (size_t i = (size_t)offset; i < total && (int64_t)json_array_size(ids) < limit; i++) {
        json_array_append(ids, cpw_json_get(json_array_get(groups, i), "MatchId"));
    }
    cpw_json_release(groups);
    json_t *result = json_object();
    cpw_json_set_take(result, "MatchIds", ids);
    cpw_cp_next_token(result, offset, limit, (size_t)(offset + limit) < total);
    *output = result;
    return 0;
}

/* True when the profile's value of a search key (as SearchProfiles reads keys) is value. */
static bool s_has_key_value(const json_t *profile, const char *key, const char *value)
{
    const char *const *fields = NULL;
    static const char *const id[] = { "ProfileId", NULL };
    static const char *const account[] = { "AccountNumber", NULL };
    static const char *const full[] = { "FirstName", NULL };
    const char *single[2] = { key, NULL };
    if (key == NULL || value == NULL) {
        return false;
    }
    if (strcmp(key, "_email") == 0) {
        fields = s_email_fields;
    } else if (strcmp(key, "_phone") == 0) {
        fields = s_phone_fields;
    } else if (strcmp(key, "_profileId") == 0) {
        fields = id;
    } else if (strcmp(key, "_account") == 0) {
        fields = account;
    } else if (strcmp(key, "_fullName") == 0) {
        fields = full;
    } else {
        fields = single;
    }
    for (size_t i = 0; fields[i] != NULL; i++) {
        const char *have = s_path(profile, fields[i]);
        if (have != NULL && strcmp(have, value) == 0) {
            return true;
        }
    }
    return false;
}

int cpw_cp_get_similar_profiles(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *domain = cpw_sbx_in_str(input, "DomainName");
    const char *type = cpw_sbx_in_str(input, "MatchType");
    const char *key = cpw_sbx_in_str(input, "SearchKey");
    const char *value = cpw_sbx_in_str(input, "SearchValue");
    int64_t offset = 0;
    int64_t limit = 20;
    json_t *doc = NULL;
    int rc = cpw_cp_ir_domain_doc(ctx, domain, &doc);
    if (rc == 0) {
        rc = cpw_cp_paging(ctx, input, LIST_MAX, &offset, &limit);
    }
    bool rule_based = type != NULL && strcmp(type, "RULE_BASED_MATCHING") == 0;
    if (rc == 0 && (key == NULL || value == NULL || type == NULL)) {
        rc = cpw_cp_bad(ctx, "MatchType, SearchKey and SearchValue are required.");
    }
    if (rc == 0 && rule_based && !cpw_cp_ir_enabled(doc, "RuleBasedMatching")) {
        rc = cpw_cp_bad(ctx, "Rule-based matching is not enabled for domain %s.", domain);
    }
    struct graph g;
    memset(&g, 0, sizeof(g));
    if (rc == 0 && s_graph_load(ctx, domain, &g) != 0) {
        rc = -1;
    }
    if (rc != 0) {
        s_graph_free(&g);
        cpw_json_release(doc);
        return rc;
    }
    if (rule_based) {
        s_link_rules(&g, cpw_json_get(doc, "RuleBasedMatching"));
    } else {
        s_link_ml(&g);
    }
    cpw_json_release(doc);
    /* The first profile holding the value, and everything in its match group. */
    size_t found = g.n;
    for (size_t i = 0; i < g.n && found == g.n; i++) {
        if (s_has_key_value(json_array_get(g.profiles, i), key, value)) {
            found = i;
        }
    }
    json_t *ids = json_array();
    json_t *result = json_pack("{s:s}", "MatchType", type);
    if (found < g.n) {
        size_t root = s_find(&g, found);
        json_t *groups = s_groups(&g, rule_based ? "rule" : "ml");
        size_t i;
        const json_t *group;
        json_array_foreach(groups, i, group)
        {
            const char *first =
              json_string_value(json_array_get(cpw_json_get(group, "ProfileIds"), 0));
            const char *root_id =
              cpw_json_get_string(json_array_get(g.profiles, root), "ProfileId");
            if (first != NULL && root_id != NULL && strcmp(first, root_id) == 0) {
                cpw_json_set_take(result, "MatchId",
                                  json_string(cpw_json_get_string(group, "MatchId")));
                if (rule_based) {
                    cpw_json_set_take(
                      result, "RuleLevel",
                      json_integer(json_integer_value(cpw_json_get(group, "RuleLevel"))));
                } else {
                    cpw_json_set_take(
                      result, "ConfidenceScore",
                      json_real(json_real_value(cpw_json_get(group, "ConfidenceScore"))));
                }
            }
        }
        cpw_json_release(groups);
        int64_t seen = 0;
        bool more = false;
        for (size_t k = 0; k < g.n; k++) {
            if (s_find(&g, k) != root) {
                continue;
            }
            if (seen >= offset + limit) {
                more = true;
                break;
            }
            if (seen >= offset) {
                cpw_json_append_take(ids, json_string(cpw_json_get_string(
                                            json_array_get(g.profiles, k), "ProfileId")));
            }
            seen++;
        }
        cpw_cp_next_token(result, offset, limit, more);
    }
    s_graph_free(&g);
    cpw_json_set_take(result, "ProfileIds", ids);
    *output = result;
    return 0;
}

int cpw_cp_get_auto_merging_preview(struct cpw_sbx_ctx *ctx, const json_t *input, json_t **output)
{
    const char *domain = cpw_sbx_in_str(input, "DomainName");
    const json_t *lists =
      cpw_json_get(cpw_json_get(input, "Consolidation"), "MatchingAttributesList");
    double min_score = 0;
    const json_t *min = cpw_json_get(input, "MinAllowedConfidenceScoreForMerging");
    if (json_is_number(min)) {
        min_score = json_number_value(min);
    }
    json_t *doc = NULL;
    int rc = cpw_cp_ir_domain_doc(ctx, domain, &doc);
    if (rc == 0 && (!json_is_array(lists) || json_array_size(lists) == 0)) {
        rc = cpw_cp_bad(ctx, "Consolidation.MatchingAttributesList is required.");
    }
    struct graph g;
    memset(&g, 0, sizeof(g));
    if (rc == 0 && s_graph_load(ctx, domain, &g) != 0) {
        rc = -1;
    }
    cpw_json_release(doc);
    if (rc != 0) {
        s_graph_free(&g);
        return rc;
    }
    s_link_ml(&g);
    json_t *groups = s_groups(&g, "ml");
    /* A profile merges into its group's first profile when they agree on every attribute of
     * one of the lists and the group's score is high enough. */
    int64_t merged = 0;
    for (size_t root = 0; root < g.n; root++) {
        if (s_find(&g, root) != root || g.score[root] < min_score) {
            continue;
        }
        const json_t *head = json_array_get(g.profiles, root);
        for (size_t k = root + 1; k < g.n; k++) {
            if (s_find(&g, k) != root) {
                continue;
            }
            bool merges = false;
            size_t li;
            const json_t *list;
            json_array_foreach(lists, li, list)
            {
                bool all = json_array_size(list) > 0;
                size_t ai;
                const json_t *attr;
                json_array_foreach(list, ai, attr)
                {
                    const char *name = json_string_value(attr);
                    json_t *a = s_attribute_set(head, name ? name : "", NULL);
                    json_t *b =
                      s_attribute_set(json_array_get(g.profiles, k), name ? name : "", NULL);
                    all = all && s_intersect(a, b);
                    cpw_json_release(a);
                    cpw_json_release(b);
                }
                merges = merges || all;
            }
            merged += merges ? 1 : 0;
        }
    }
    *output = json_pack("{s:s,s:I,s:I,s:I}", "DomainName", domain, "NumberOfMatchesInSample",
                        (json_int_t)json_array_size(groups), "NumberOfProfilesInSample",
                        (json_int_t)g.n, "NumberOfProfilesWillBeMerged", (json_int_t)merged);
    cpw_json_release(groups);
    s_graph_free(&g);
    return 0;
}
