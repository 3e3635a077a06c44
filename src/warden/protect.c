/*
 * protect.c - cpwarden's own configuration file: account block/allow lists and protected
 * resources (name globs, a protecting tag), and the check every plan runs before proposing a
 * deletion.
 *
 * The format is a strict INI dialect, read through the libinih wrapper (cpw/ini.h): unlike the
 * AWS files (src/aws/config.c), an unknown section or key is an error, because a misspelt
 * protection must never silently protect nothing.
 */
#include "cpw/protect.h"

#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cpw/alloc.h"
#include "cpw/buf.h"
#include "cpw/error.h"
#include "cpw/ini.h"

#define PROTECT_MAX_BYTES ((size_t)1024 * 1024)

struct rule {
    char *text;
    unsigned line;
};

struct rule_list {
    struct rule *items;
    size_t count;
};

struct cpw_protect {
    char *path;
    struct rule_list blocklist;
    struct rule_list allow;
    struct rule_list domain_globs;
    struct rule_list role_globs;
    char *tag_key;
    char *tag_value;   /* "*" means any value */
    unsigned tag_line; /* 0: the built-in default */
};

enum section {
    SECTION_NONE,
    SECTION_ACCOUNTS,
    SECTION_PROTECT,
};

static void s_list_add(struct rule_list *list, struct cpw_span text, unsigned line)
{
    list->items = cpw_realloc(list->items, (list->count + 1) * sizeof(*list->items));
    list->items[list->count].text = cpw_strndup((const char *)text.ptr, text.len);
    list->items[list->count].line = line;
    list->count++;
}

static void s_list_clean_up(struct rule_list *list)
{
    for (size_t i = 0; i < list->count; i++) {
        cpw_free(list->items[i].text);
    }
    cpw_free(list->items);
    list->items = NULL;
    list->count = 0;
}

static struct cpw_span s_trim(struct cpw_span s)
{
    s = cpw_span_trim(s);
    while (s.len && s.ptr[s.len - 1] == '\r') {
        s.len--;
        s = cpw_span_trim(s);
    }
    return s;
}

static bool s_is_account_id(struct cpw_span s)
{
    if (s.len != 12) {
        return false;
    }
    for (size_t i = 0; i < s.len; i++) {
        if (!isdigit(s.ptr[i])) {
            return false;
        }
    }
    return true;
}

/* Splits a comma-separated value into the list; accounts are validated. */
static int s_add_values(struct cpw_protect *cfg,
                        struct rule_list *list,
                        struct cpw_span value,
                        bool accounts,
                        unsigned lineno)
{
    struct cpw_span item;
    size_t added = 0;
    while (cpw_span_next_token(&value, ',', &item)) {
        item = s_trim(item);
        if (item.len == 0) {
            return cpw_raise(CPW_ERR_CONFIG, "%s:%u: empty item in a comma-separated list",
                             cfg->path, lineno);
        }
        if (accounts && !s_is_account_id(item)) {
            return cpw_raise(CPW_ERR_CONFIG,
                             "%s:%u: '%.*s' is not an AWS account id (12 digits expected)",
                             cfg->path, lineno, (int)item.len, (const char *)item.ptr);
        }
        s_list_add(list, item, lineno);
        added++;
    }
    if (added == 0) {
        return cpw_raise(CPW_ERR_CONFIG, "%s:%u: the list is empty", cfg->path, lineno);
    }
    return 0;
}

static int s_setting(struct cpw_protect *cfg,
                     enum section section,
                     struct cpw_span key,
                     struct cpw_span value,
                     unsigned lineno)
{
    if (section == SECTION_ACCOUNTS && cpw_span_eq_cstr(key, "blocklist")) {
        return s_add_values(cfg, &cfg->blocklist, value, true, lineno);
    }
    if (section == SECTION_ACCOUNTS && cpw_span_eq_cstr(key, "allow")) {
        return s_add_values(cfg, &cfg->allow, value, true, lineno);
    }
    if (section == SECTION_PROTECT && cpw_span_eq_cstr(key, "domains")) {
        return s_add_values(cfg, &cfg->domain_globs, value, false, lineno);
    }
    if (section == SECTION_PROTECT && cpw_span_eq_cstr(key, "roles")) {
        return s_add_values(cfg, &cfg->role_globs, value, false, lineno);
    }
    if (section == SECTION_PROTECT &&
        (cpw_span_eq_cstr(key, "tag_key") || cpw_span_eq_cstr(key, "tag_value"))) {
        if (value.len == 0) {
            return cpw_raise(CPW_ERR_CONFIG, "%s:%u: %.*s needs a value", cfg->path, lineno,
                             (int)key.len, (const char *)key.ptr);
        }
        char **slot = cpw_span_eq_cstr(key, "tag_key") ? &cfg->tag_key : &cfg->tag_value;
        cpw_free(*slot);
        *slot = cpw_strndup((const char *)value.ptr, value.len);
        cfg->tag_line = lineno;
        return 0;
    }
    return cpw_raise(CPW_ERR_CONFIG, "%s:%u: unknown key '%.*s' in [%s]", cfg->path, lineno,
                     (int)key.len, (const char *)key.ptr,
                     section == SECTION_ACCOUNTS ? "accounts" : "protect");
}

struct parse {
    struct cpw_protect *cfg;
    enum section section;
};

/* One header or setting from cpw_ini_parse. An indented line is a setting of its own, not a
 * continuation: indentation means nothing in this file. */
static int s_item(void *user, const struct cpw_ini_item *item)
{
    struct parse *p = user;
    struct cpw_protect *cfg = p->cfg;
    if (!item->key) {
        struct cpw_span name = s_trim(cpw_span_from_cstr(item->section));
        if (cpw_span_eq_cstr(name, "accounts")) {
            p->section = SECTION_ACCOUNTS;
        } else if (cpw_span_eq_cstr(name, "protect")) {
            p->section = SECTION_PROTECT;
        } else {
            return cpw_raise(CPW_ERR_CONFIG,
                             "%s:%u: unknown section [%.*s] (known: [accounts], [protect])",
                             cfg->path, item->line, (int)name.len, (const char *)name.ptr);
        }
        return 0;
    }
    if (p->section == SECTION_NONE) {
        return cpw_raise(CPW_ERR_CONFIG, "%s:%u: setting outside of any [section]", cfg->path,
                         item->line);
    }
    struct cpw_span key = cpw_span_from_cstr(item->key);
    struct cpw_span value = cpw_span_from_cstr(item->value);
    if (item->continuation) {
        long eq = cpw_span_find_byte(value, '=');
        if (eq <= 0) {
            return cpw_raise(CPW_ERR_CONFIG, "%s:%u: expected 'key = value'", cfg->path,
                             item->line);
        }
        key = s_trim(cpw_span_sub(value, 0, (size_t)eq));
        value = s_trim(cpw_span_sub(value, (size_t)eq + 1, value.len));
    }
    return s_setting(cfg, p->section, key, value, item->line);
}

static int s_parse(struct cpw_protect *cfg, struct cpw_span text)
{
    struct parse p = { .cfg = cfg, .section = SECTION_NONE };
    return cpw_ini_parse(text, cfg->path, s_item, &p);
}

char *cpw_protect_default_path(void)
{
    struct cpw_buf path;
    cpw_buf_init(&path, 8192);
    const char *xdg = getenv("XDG_CONFIG_HOME");
    if (xdg && *xdg == '/') {
        (void)cpw_buf_appendf(&path, "%s/cpwarden/config", xdg);
    } else {
        const char *home = getenv("HOME");
        (void)cpw_buf_appendf(&path, "%s/.config/cpwarden/config", home ? home : "");
    }
    return cpw_buf_detach(&path);
}

struct cpw_protect *cpw_protect_new_default(void)
{
    struct cpw_protect *cfg = cpw_calloc(1, sizeof(*cfg));
    cfg->path = cpw_strdup("");
    cfg->tag_key = cpw_strdup(CPW_PROTECT_DEFAULT_TAG_KEY);
    cfg->tag_value = cpw_strdup("*");
    return cfg;
}

struct cpw_protect *cpw_protect_load(const char *path)
{
    struct cpw_protect *cfg = cpw_protect_new_default();
    struct cpw_buf text;
    cpw_buf_init(&text, PROTECT_MAX_BYTES);
    cpw_free(cfg->path);
    cfg->path = path ? cpw_strdup(path) : cpw_protect_default_path();
    struct stat st;
    if (!path && stat(cfg->path, &st) != 0 && errno == ENOENT) {
        return cfg; /* no file at the default place: defaults */
    }
    if (cpw_buf_read_regular_file(&text, cfg->path)) { /* a FIFO must not block us */
        cpw_raise(CPW_ERR_CONFIG, "%s: cannot read the cpwarden configuration (%s)", cfg->path,
                  cpw_last_error_detail());
        goto on_error;
    }
    if (s_parse(cfg, cpw_buf_span(&text))) {
        goto on_error;
    }
    cpw_buf_clean_up(&text);
    return cfg;
on_error:
    cpw_buf_clean_up(&text);
    cpw_protect_destroy(cfg);
    return NULL;
}

void cpw_protect_destroy(struct cpw_protect *cfg)
{
    if (!cfg) {
        return;
    }
    s_list_clean_up(&cfg->blocklist);
    s_list_clean_up(&cfg->allow);
    s_list_clean_up(&cfg->domain_globs);
    s_list_clean_up(&cfg->role_globs);
    cpw_free(cfg->tag_key);
    cpw_free(cfg->tag_value);
    cpw_free(cfg->path);
    cpw_free(cfg);
}

const char *cpw_protect_path(const struct cpw_protect *cfg)
{
    return cfg ? cfg->path : "";
}

static const struct rule *s_find_exact(const struct rule_list *list, const char *text)
{
    for (size_t i = 0; i < list->count; i++) {
        if (strcmp(list->items[i].text, text) == 0) {
            return &list->items[i];
        }
    }
    return NULL;
}

static const struct rule *s_find_glob(const struct rule_list *list, const char *name)
{
    for (size_t i = 0; i < list->count; i++) {
        if (fnmatch(list->items[i].text, name, 0) == 0) {
            return &list->items[i];
        }
    }
    return NULL;
}

static enum cpw_protect_verdict s_protected(char **reason, const char *fmt, ...)
  __attribute__((format(printf, 2, 3)));

static enum cpw_protect_verdict s_protected(char **reason, const char *fmt, ...)
{
    if (reason) {
        struct cpw_buf text;
        cpw_buf_init(&text, 4096);
        va_list ap;
        va_start(ap, fmt);
        (void)cpw_buf_vappendf(&text, fmt, ap);
        va_end(ap);
        *reason = cpw_buf_detach(&text);
    }
    return CPW_PROTECT_PROTECTED;
}

enum cpw_protect_verdict cpw_protect_check(const struct cpw_protect *cfg,
                                           const char *account,
                                           enum cpw_protect_kind kind,
                                           const char *name,
                                           const struct cpw_tag *tags,
                                           size_t tag_count,
                                           char **reason)
{
    if (reason) {
        *reason = NULL;
    }
    if (!cfg) {
        return CPW_PROTECT_ALLOWED;
    }
    account = account ? account : "";
    name = name ? name : "";
    const struct rule *hit = s_find_exact(&cfg->blocklist, account);
    if (hit) {
        return s_protected(reason, "account %s is on the blocklist ([accounts] blocklist, %s:%u)",
                           account, cfg->path, hit->line);
    }
    if (cfg->allow.count && !s_find_exact(&cfg->allow, account)) {
        return s_protected(reason, "account %s is not on the allowlist ([accounts] allow, %s:%u)",
                           account, cfg->path, cfg->allow.items[0].line);
    }
    if (kind == CPW_PROTECT_ACCOUNT) {
        return CPW_PROTECT_ALLOWED;
    }
    const char *what = kind == CPW_PROTECT_DOMAIN ? "domain" : "role";
    hit = s_find_glob(kind == CPW_PROTECT_DOMAIN ? &cfg->domain_globs : &cfg->role_globs, name);
    if (hit) {
        return s_protected(reason, "%s '%s' matches protected glob '%s' ([protect] %s, %s:%u)",
                           what, name, hit->text, kind == CPW_PROTECT_DOMAIN ? "domains" : "roles",
                           cfg->path, hit->line);
    }
    for (size_t i = 0; i < tag_count; i++) {
        if (!tags[i].key || strcmp(tags[i].key, cfg->tag_key) != 0) {
            continue;
        }
        const char *value = tags[i].value ? tags[i].value : "";
        if (strcmp(cfg->tag_value, "*") == 0 || strcmp(cfg->tag_value, value) == 0) {
            if (cfg->tag_line) {
                return s_protected(
                  reason,
                  "%s '%s' carries protecting tag %s=%s ([protect] tag_key/tag_value, "
                  "%s:%u)",
                  what, name, tags[i].key, value, cfg->path, cfg->tag_line);
            }
            return s_protected(reason, "%s '%s' carries protecting tag %s=%s (default rule)", what,
                               name, tags[i].key, value);
        }
    }
    return CPW_PROTECT_ALLOWED;
}
