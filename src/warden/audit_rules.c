/*
 * audit_rules.c - the audit's rule set: the built-in defaults, and a YAML rules file read over
 * them (docs/audit.md, "Rules file"). Every schema mistake names the file, line and column, and
 * what was expected there: an unknown key, a value of the wrong type, a severity or confidence
 * that does not exist, a pattern that does not compile.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "audit_internal.h"
#include "cpw/alloc.h"
#include "cpw/error.h"
#include "cpw/yaml.h"

#define DEFAULT_NAME_PATTERN "^[a-z0-9]+(-[a-z0-9]+)*$"

static const char *const s_severity_names[] = {
#define CPW_AUDIT_SEVERITY_NAME_(e, name) name,
    CPW_AUDIT_SEVERITY_LIST(CPW_AUDIT_SEVERITY_NAME_)
#undef CPW_AUDIT_SEVERITY_NAME_
};

struct rule_meta {
    const char *id;
    enum cpw_audit_severity severity;
    const char *description;
};

static const struct rule_meta s_rules[] = {
#define CPW_AUDIT_RULE_META_(e, id, sev, text) { id, sev, text },
    CPW_AUDIT_RULE_LIST(CPW_AUDIT_RULE_META_)
#undef CPW_AUDIT_RULE_META_
};

const char *cpw_audit_severity_name(enum cpw_audit_severity severity)
{
    return (unsigned)severity < CPW_AUDIT_SEVERITY_COUNT_ ? s_severity_names[severity] : NULL;
}

const char *cpw_audit_rule_name(enum cpw_audit_rule_id rule)
{
    return (unsigned)rule < CPW_AUDIT_RULE_COUNT_ ? s_rules[rule].id : NULL;
}

const char *cpw_audit_rule_description(enum cpw_audit_rule_id rule)
{
    return (unsigned)rule < CPW_AUDIT_RULE_COUNT_ ? s_rules[rule].description : NULL;
}

int cpw_audit_severity_parse(const char *name, enum cpw_audit_severity *out)
{
    for (size_t i = 0; name && i < CPW_AUDIT_SEVERITY_COUNT_; i++) {
        if (strcmp(name, s_severity_names[i]) == 0) {
            *out = (enum cpw_audit_severity)i;
            return 0;
        }
    }
    return cpw_raise(CPW_ERR_INVALID_ARGUMENT,
                     "severity '%s' is not one of info, low, medium, high, critical",
                     name ? name : "");
}

/* ----- lifecycle ------------------------------------------------------------------------------ */

static void s_strings_free(char **list, size_t count)
{
    for (size_t i = 0; list && i < count; i++) {
        cpw_free(list[i]);
    }
    cpw_free(list);
}

static void s_filter_clean_up(struct cpw_audit_filter *f)
{
    s_strings_free(f->accounts, f->account_count);
    s_strings_free(f->regions, f->region_count);
    s_strings_free(f->names, f->name_count);
    s_strings_free(f->exclude_names, f->exclude_name_count);
    for (size_t i = 0; f->tags && i < f->tag_count; i++) {
        cpw_free(f->tags[i].key);
        cpw_free(f->tags[i].value);
    }
    cpw_free(f->tags);
    memset(f, 0, sizeof(*f));
}

static void s_config_clean_up(struct cpw_audit_rule_config *c)
{
    s_filter_clean_up(&c->filter);
    cpw_regex_destroy(c->domain_pattern);
    cpw_regex_destroy(c->instance_pattern);
    s_strings_free(c->required_keys, c->required_key_count);
    for (size_t i = 0; c->allowed && i < c->allowed_count; i++) {
        cpw_free(c->allowed[i].key);
        s_strings_free(c->allowed[i].values, c->allowed[i].value_count);
    }
    cpw_free(c->allowed);
    cpw_free(c->tag_key);
    s_strings_free(c->allow_principals, c->allow_principal_count);
    memset(c, 0, sizeof(*c));
}

void cpw_audit_rules_destroy(struct cpw_audit_rules *rules)
{
    if (!rules) {
        return;
    }
    s_filter_clean_up(&rules->filter);
    for (size_t i = 0; i < CPW_AUDIT_RULE_COUNT_; i++) {
        s_config_clean_up(&rules->rules[i]);
    }
    cpw_free(rules->source);
    cpw_free(rules);
}

struct cpw_audit_rules *cpw_audit_rules_default(void)
{
    struct cpw_audit_rules *r = cpw_calloc(1, sizeof(*r));
    r->source = cpw_strdup("built-in");
    for (size_t i = 0; i < CPW_AUDIT_RULE_COUNT_; i++) {
        r->rules[i].enabled = true;
        r->rules[i].severity = s_rules[i].severity;
    }
    r->rules[CPW_AUDIT_RULE_LEFTOVERS].min_confidence = CPW_INV_CONFIDENCE_LIKELY;
    r->rules[CPW_AUDIT_RULE_NAMING].domain_pattern = cpw_regex_new(DEFAULT_NAME_PATTERN);
    r->rules[CPW_AUDIT_RULE_NAMING].instance_pattern = cpw_regex_new(DEFAULT_NAME_PATTERN);
    struct cpw_audit_rule_config *tagging = &r->rules[CPW_AUDIT_RULE_TAGGING];
    tagging->required_keys = cpw_calloc(1, sizeof(char *));
    tagging->required_keys[0] = cpw_strdup("environment");
    tagging->required_key_count = 1;
    r->rules[CPW_AUDIT_RULE_DOMAIN_EXPIRATION].min_days = 30;
    r->rules[CPW_AUDIT_RULE_DOMAIN_EXPIRATION].max_days = 1098;
    r->rules[CPW_AUDIT_RULE_DOMAIN_EMPTY].max_age_days = 30;
    r->rules[CPW_AUDIT_RULE_DOMAIN_OWNER].tag_key = cpw_strdup("owner");
    r->rules[CPW_AUDIT_RULE_ROLE_UNUSED].max_age_days = 90;
    r->rules[CPW_AUDIT_RULE_ROLE_DELETION].max_age_days = 1;
    r->rules[CPW_AUDIT_RULE_DOCUMENTATION].max_age_days = 90;
    return r;
}

const char *cpw_audit_rules_source(const struct cpw_audit_rules *rules)
{
    return rules->source;
}

bool cpw_audit_rule_enabled(const struct cpw_audit_rules *rules, enum cpw_audit_rule_id rule)
{
    return (unsigned)rule < CPW_AUDIT_RULE_COUNT_ && rules->rules[rule].enabled;
}

enum cpw_audit_severity cpw_audit_rule_severity(const struct cpw_audit_rules *rules,
                                                enum cpw_audit_rule_id rule)
{
    return (unsigned)rule < CPW_AUDIT_RULE_COUNT_ ? rules->rules[rule].severity
                                                  : CPW_AUDIT_SEVERITY_INFO;
}

/* ----- the loader ----------------------------------------------------------------------------- */

struct loader {
    const char *source;
};

static int s_bad(const struct loader *ld, const struct cpw_yaml_node *at, const char *fmt, ...)
  __attribute__((format(printf, 3, 4)));

static int s_bad(const struct loader *ld, const struct cpw_yaml_node *at, const char *fmt, ...)
{
    char detail[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof(detail), fmt, ap);
    va_end(ap);
    return cpw_raise(CPW_ERR_CONFIG, "%s:%zu:%zu: %s", ld->source, at ? at->line : 1,
                     at ? at->column : 1, detail);
}

static int s_expect(const struct loader *ld,
                    const struct cpw_yaml_node *node,
                    enum cpw_yaml_kind kind,
                    const char *what)
{
    if (node->kind != kind) {
        return s_bad(ld, node, "%s must be a %s, not a %s", what, cpw_yaml_kind_name(kind),
                     cpw_yaml_kind_name(node->kind));
    }
    return 0;
}

/* Every key of map must be one of known[]; the first other one is named with the nearest. */
static int s_known_keys(const struct loader *ld,
                        const struct cpw_yaml_node *map,
                        const char *where,
                        const char *const *known,
                        size_t count)
{
    for (size_t i = 0; i < map->count; i++) {
        const char *key = map->keys[i]->value;
        bool ok = false;
        for (size_t k = 0; k < count && !ok; k++) {
            ok = strcmp(key, known[k]) == 0;
        }
        if (!ok) {
            const char *near = NULL;
            size_t best = 3;
            for (size_t k = 0; k < count; k++) {
                size_t d = cpw_edit_distance(key, known[k]);
                if (d < best) {
                    best = d;
                    near = known[k];
                }
            }
            return s_bad(ld, map->keys[i], "unknown key '%s' in %s%s%s%s", key, where,
                         near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
        }
    }
    return 0;
}

/* A sequence of scalars (or one scalar) into a new string list. */
static int s_strings(const struct loader *ld,
                     const struct cpw_yaml_node *node,
                     const char *what,
                     char ***out,
                     size_t *count)
{
    s_strings_free(*out, *count);
    *out = NULL;
    *count = 0;
    if (node->kind == CPW_YAML_SCALAR) {
        *out = cpw_calloc(1, sizeof(char *));
        (*out)[0] = cpw_strdup(node->value);
        *count = 1;
        return 0;
    }
    if (s_expect(ld, node, CPW_YAML_SEQUENCE, what)) {
        return -1;
    }
    char **list = cpw_calloc(node->count ? node->count : 1, sizeof(char *));
    for (size_t i = 0; i < node->count; i++) {
        if (node->items[i]->kind != CPW_YAML_SCALAR) {
            s_strings_free(list, i);
            return s_bad(ld, node->items[i], "%s: every item must be a string, not a %s", what,
                         cpw_yaml_kind_name(node->items[i]->kind));
        }
        list[i] = cpw_strdup(node->items[i]->value);
    }
    *out = list;
    *count = node->count;
    return 0;
}

static int s_days(const struct loader *ld,
                  const struct cpw_yaml_node *node,
                  const char *what,
                  int64_t *out)
{
    int64_t n = 0;
    if (cpw_yaml_int(node, &n) || n < 0 || n > 36500) {
        return s_bad(ld, node, "%s must be a whole number of days from 0 to 36500", what);
    }
    *out = n;
    return 0;
}

static int s_filter(const struct loader *ld,
                    const struct cpw_yaml_node *node,
                    struct cpw_audit_filter *f)
{
    static const char *const known[] = { "accounts", "regions", "names", "exclude_names", "tags" };
    if (s_expect(ld, node, CPW_YAML_MAPPING, "filters") ||
        s_known_keys(ld, node, "filters", known, sizeof(known) / sizeof(known[0]))) {
        return -1;
    }
    const struct cpw_yaml_node *v;
    if ((v = cpw_yaml_get(node, "accounts")) &&
        s_strings(ld, v, "filters.accounts", &f->accounts, &f->account_count)) {
        return -1;
    }
    for (size_t i = 0; i < f->account_count; i++) {
        uint64_t ignored = 0;
        if (strlen(f->accounts[i]) != 12 ||
            cpw_span_to_u64(cpw_span_from_cstr(f->accounts[i]), UINT64_MAX, &ignored)) {
            return s_bad(ld, v, "filters.accounts: '%s' is not a 12-digit account id",
                         f->accounts[i]);
        }
    }
    if ((v = cpw_yaml_get(node, "regions")) &&
        s_strings(ld, v, "filters.regions", &f->regions, &f->region_count)) {
        return -1;
    }
    if ((v = cpw_yaml_get(node, "names")) &&
        s_strings(ld, v, "filters.names", &f->names, &f->name_count)) {
        return -1;
    }
    if ((v = cpw_yaml_get(node, "exclude_names")) &&
        s_strings(ld, v, "filters.exclude_names", &f->exclude_names, &f->exclude_name_count)) {
        return -1;
    }
    if ((v = cpw_yaml_get(node, "tags"))) {
        if (s_expect(ld, v, CPW_YAML_MAPPING, "filters.tags (key: value, or key: null)")) {
            return -1;
        }
        f->tags = cpw_calloc(v->count ? v->count : 1, sizeof(*f->tags));
        for (size_t i = 0; i < v->count; i++) {
            const struct cpw_yaml_node *val = v->items[i];
            if (val->kind != CPW_YAML_SCALAR) {
                f->tag_count = i;
                return s_bad(ld, val, "filters.tags.%s must be a string or null",
                             v->keys[i]->value);
            }
            f->tags[i].key = cpw_strdup(v->keys[i]->value);
            bool any = !val->quoted && (val->value[0] == '\0' || strcmp(val->value, "~") == 0 ||
                                        strcmp(val->value, "null") == 0);
            f->tags[i].value = any ? NULL : cpw_strdup(val->value);
        }
        f->tag_count = v->count;
    }
    return 0;
}

static int s_pattern(const struct loader *ld,
                     const struct cpw_yaml_node *node,
                     const char *what,
                     struct cpw_regex **out)
{
    if (s_expect(ld, node, CPW_YAML_SCALAR, what)) {
        return -1;
    }
    struct cpw_regex *re = cpw_regex_new(node->value);
    if (!re) {
        char detail[400];
        snprintf(detail, sizeof(detail), "%s", cpw_last_error_detail());
        return s_bad(ld, node, "%s: %s", what, detail);
    }
    cpw_regex_destroy(*out);
    *out = re;
    return 0;
}

/* The parameters one rule accepts besides enabled, severity and filters. */
static const char *const *s_params(enum cpw_audit_rule_id id, size_t *count)
{
    static const char *const leftovers[] = { "min_confidence" };
    static const char *const naming[] = { "domain_pattern", "instance_pattern" };
    static const char *const tagging[] = { "required", "allowed_values" };
    static const char *const expiration[] = { "min_days", "max_days" };
    static const char *const age[] = { "max_age_days" };
    static const char *const owner[] = { "tag_key" };
    static const char *const unused[] = { "max_unused_days" };
    static const char *const pending[] = { "max_pending_days" };
    static const char *const allow[] = { "allow" };
#define P(list) (*count = sizeof(list) / sizeof(list[0]), list)
    switch (id) {
    case CPW_AUDIT_RULE_LEFTOVERS:
        return P(leftovers);
    case CPW_AUDIT_RULE_NAMING:
        return P(naming);
    case CPW_AUDIT_RULE_TAGGING:
        return P(tagging);
    case CPW_AUDIT_RULE_DOMAIN_EXPIRATION:
        return P(expiration);
    case CPW_AUDIT_RULE_DOMAIN_EMPTY:
    case CPW_AUDIT_RULE_DOCUMENTATION:
        return P(age);
    case CPW_AUDIT_RULE_DOMAIN_OWNER:
        return P(owner);
    case CPW_AUDIT_RULE_ROLE_UNUSED:
        return P(unused);
    case CPW_AUDIT_RULE_ROLE_DELETION:
        return P(pending);
    case CPW_AUDIT_RULE_LEAST_PRIVILEGE:
        return P(allow);
    default:
        break;
    }
#undef P
    *count = 0;
    return NULL;
}

static int s_confidence(const struct loader *ld,
                        const struct cpw_yaml_node *v,
                        enum cpw_inv_confidence *out)
{
    static const enum cpw_inv_confidence all[] = { CPW_INV_CONFIDENCE_POSSIBLE,
                                                   CPW_INV_CONFIDENCE_LIKELY,
                                                   CPW_INV_CONFIDENCE_CERTAIN };
    for (size_t i = 0; v->kind == CPW_YAML_SCALAR && i < 3; i++) {
        if (strcmp(v->value, cpw_inv_confidence_name(all[i])) == 0) {
            *out = all[i];
            return 0;
        }
    }
    return s_bad(ld, v, "min_confidence must be possible, likely or certain");
}

static int s_allowed_values(const struct loader *ld,
                            const struct cpw_yaml_node *v,
                            struct cpw_audit_rule_config *c)
{
    if (s_expect(ld, v, CPW_YAML_MAPPING, "allowed_values (tag key: [values])")) {
        return -1;
    }
    c->allowed = cpw_calloc(v->count ? v->count : 1, sizeof(*c->allowed));
    for (size_t i = 0; i < v->count; i++) {
        c->allowed[i].key = cpw_strdup(v->keys[i]->value);
        c->allowed_count = i + 1;
        if (s_strings(ld, v->items[i], "allowed_values", &c->allowed[i].values,
                      &c->allowed[i].value_count)) {
            return -1;
        }
    }
    return 0;
}

static int s_rule(const struct loader *ld,
                  enum cpw_audit_rule_id id,
                  const struct cpw_yaml_node *node,
                  struct cpw_audit_rule_config *c)
{
    const char *name = s_rules[id].id;
    char where[96];
    snprintf(where, sizeof(where), "rule %s", name);
    if (node->kind == CPW_YAML_SCALAR) { /* "naming: false" or "naming: off" shorthand */
        bool on = false;
        if (cpw_yaml_bool(node, &on)) {
            return s_bad(ld, node, "rule %s must be a mapping or true/false", name);
        }
        c->enabled = on;
        return 0;
    }
    if (s_expect(ld, node, CPW_YAML_MAPPING, where)) {
        return -1;
    }
    size_t pcount = 0;
    const char *const *params = s_params(id, &pcount);
    const char *known[16] = { "enabled", "severity", "filters" };
    size_t kcount = 3;
    for (size_t i = 0; i < pcount; i++) {
        known[kcount++] = params[i];
    }
    if (s_known_keys(ld, node, where, known, kcount)) {
        return -1;
    }
    const struct cpw_yaml_node *v;
    if ((v = cpw_yaml_get(node, "enabled")) && cpw_yaml_bool(v, &c->enabled)) {
        return s_bad(ld, v, "%s.enabled must be true or false", name);
    }
    if ((v = cpw_yaml_get(node, "severity"))) {
        if (v->kind != CPW_YAML_SCALAR || cpw_audit_severity_parse(v->value, &c->severity)) {
            return s_bad(ld, v, "%s.severity must be info, low, medium, high or critical", name);
        }
    }
    if ((v = cpw_yaml_get(node, "filters")) && s_filter(ld, v, &c->filter)) {
        return -1;
    }
    if ((v = cpw_yaml_get(node, "min_confidence")) && s_confidence(ld, v, &c->min_confidence)) {
        return -1;
    }
    if ((v = cpw_yaml_get(node, "domain_pattern")) &&
        s_pattern(ld, v, "naming.domain_pattern", &c->domain_pattern)) {
        return -1;
    }
    if ((v = cpw_yaml_get(node, "instance_pattern")) &&
        s_pattern(ld, v, "naming.instance_pattern", &c->instance_pattern)) {
        return -1;
    }
    if ((v = cpw_yaml_get(node, "required")) &&
        s_strings(ld, v, "tagging.required", &c->required_keys, &c->required_key_count)) {
        return -1;
    }
    if ((v = cpw_yaml_get(node, "allowed_values")) && s_allowed_values(ld, v, c)) {
        return -1;
    }
    if ((v = cpw_yaml_get(node, "min_days")) && s_days(ld, v, "min_days", &c->min_days)) {
        return -1;
    }
    if ((v = cpw_yaml_get(node, "max_days")) && s_days(ld, v, "max_days", &c->max_days)) {
        return -1;
    }
    if (c->min_days > c->max_days) {
        return s_bad(ld, node, "%s: min_days (%lld) is above max_days (%lld)", name,
                     (long long)c->min_days, (long long)c->max_days);
    }
    static const char *const age_keys[] = { "max_age_days", "max_unused_days", "max_pending_days" };
    for (size_t i = 0; i < 3; i++) {
        if ((v = cpw_yaml_get(node, age_keys[i])) && s_days(ld, v, age_keys[i], &c->max_age_days)) {
            return -1;
        }
    }
    if ((v = cpw_yaml_get(node, "tag_key"))) {
        if (s_expect(ld, v, CPW_YAML_SCALAR, "tag_key") || v->value[0] == '\0') {
            return v->kind == CPW_YAML_SCALAR ? s_bad(ld, v, "tag_key must not be empty") : -1;
        }
        cpw_free(c->tag_key);
        c->tag_key = cpw_strdup(v->value);
    }
    if ((v = cpw_yaml_get(node, "allow")) &&
        s_strings(ld, v, "least-privilege.allow", &c->allow_principals,
                  &c->allow_principal_count)) {
        return -1;
    }
    return 0;
}

static int s_load(const struct loader *ld,
                  const struct cpw_yaml_node *root,
                  struct cpw_audit_rules *r)
{
    static const char *const top[] = { "version", "filters", "rules" };
    if (s_expect(ld, root, CPW_YAML_MAPPING, "a rules file") ||
        s_known_keys(ld, root, "the rules file", top, 3)) {
        return -1;
    }
    const struct cpw_yaml_node *v = cpw_yaml_get(root, "version");
    int64_t version = 1;
    if (v && (cpw_yaml_int(v, &version) || version != 1)) {
        return s_bad(ld, v, "version must be 1 (the only rules-file version this build reads)");
    }
    if ((v = cpw_yaml_get(root, "filters")) && s_filter(ld, v, &r->filter)) {
        return -1;
    }
    const struct cpw_yaml_node *rules = cpw_yaml_get(root, "rules");
    if (!rules) {
        return 0;
    }
    if (s_expect(ld, rules, CPW_YAML_MAPPING, "rules")) {
        return -1;
    }
    const char *ids[CPW_AUDIT_RULE_COUNT_];
    for (size_t i = 0; i < CPW_AUDIT_RULE_COUNT_; i++) {
        ids[i] = s_rules[i].id;
    }
    if (s_known_keys(ld, rules, "rules", ids, CPW_AUDIT_RULE_COUNT_)) {
        return -1;
    }
    for (size_t i = 0; i < rules->count; i++) {
        for (size_t k = 0; k < CPW_AUDIT_RULE_COUNT_; k++) {
            if (strcmp(rules->keys[i]->value, s_rules[k].id) == 0 &&
                s_rule(ld, (enum cpw_audit_rule_id)k, rules->items[i], &r->rules[k])) {
                return -1;
            }
        }
    }
    return 0;
}

struct cpw_audit_rules *cpw_audit_rules_load(struct cpw_span yaml, const char *source)
{
    struct loader ld = { .source = source ? source : "rules" };
    struct cpw_yaml_node *root = NULL;
    if (cpw_yaml_load(yaml, 0, &root)) {
        char detail[600];
        snprintf(detail, sizeof(detail), "%s", cpw_last_error_detail());
        enum cpw_error code = cpw_last_error();
        cpw_raise(code, "%s: %s", ld.source, detail);
        return NULL;
    }
    struct cpw_audit_rules *r = cpw_audit_rules_default();
    cpw_free(r->source);
    r->source = cpw_strdup(ld.source);
    if (s_load(&ld, root, r)) {
        cpw_audit_rules_destroy(r);
        r = NULL;
    }
    cpw_yaml_destroy(root);
    return r;
}
