/*
 * config.c - reads ~/.aws/config and ~/.aws/credentials (INI dialect of the AWS CLI) through
 * the libinih wrapper (cpw/ini.h).
 *
 * Storage is a flat list of (file, section type, section name, key, value) entries: the files
 * are small (a few hundred lines at most), so lookups are linear scans.
 */
#include "cpw/config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cpw/alloc.h"
#include "cpw/buf.h"
#include "cpw/error.h"
#include "cpw/ini.h"

#define CONFIG_MAX_BYTES ((size_t)4 * 1024 * 1024)

enum source_file {
    SOURCE_CONFIG,
    SOURCE_CREDENTIALS,
};

struct entry {
    enum source_file file;
    char *type; /* "profile", "sso-session", "services", ... */
    char *name; /* section name ("default" for [default]) */
    char *key;  /* "region" or "customer_profiles.endpoint_url" */
    char *value;
};

struct cpw_config {
    struct entry *entries;
    size_t count;
    size_t cap;
    char *profile;
    char *config_path;
    char *credentials_path;
};

static void s_add(struct cpw_config *cfg,
                  enum source_file file,
                  struct cpw_span type,
                  struct cpw_span name,
                  struct cpw_span key,
                  struct cpw_span value)
{
    if (cfg->count == cfg->cap) {
        cfg->cap = cfg->cap ? cfg->cap * 2 : 32;
        cfg->entries = cpw_realloc(cfg->entries, cfg->cap * sizeof(*cfg->entries));
    }
    struct entry *e = &cfg->entries[cfg->count++];
    e->file = file;
    e->type = cpw_strndup((const char *)type.ptr, type.len);
    e->name = cpw_strndup((const char *)name.ptr, name.len);
    e->key = cpw_strndup((const char *)key.ptr, key.len);
    e->value = cpw_strndup((const char *)value.ptr, value.len);
}

static struct cpw_span s_trim_all(struct cpw_span s)
{
    s = cpw_span_trim(s);
    while (s.len && (s.ptr[s.len - 1] == '\r')) {
        s.len--;
        s = cpw_span_trim(s);
    }
    return s;
}

/* Splits a section header's inside ("profile dev", "default", "sso-session x") into type and
 * name for the given file. Returns false for a header that does not name a usable section. */
static bool s_section(enum source_file file,
                      struct cpw_span inside,
                      struct cpw_span *type,
                      struct cpw_span *name)
{
    inside = s_trim_all(inside);
    if (file == SOURCE_CREDENTIALS) {
        *type = cpw_span_from_cstr("profile");
        *name = inside;
        return inside.len > 0;
    }
    long sp = cpw_span_find_byte(inside, ' ');
    if (sp < 0) {
        if (cpw_span_eq_cstr(inside, "profile")) {
            return false; /* "[profile ]": a profile without a name */
        }
        /* Only [default] is a profile without the "profile " prefix in the config file. */
        *type = cpw_span_eq_cstr(inside, "default") ? cpw_span_from_cstr("profile") : inside;
        *name = inside;
        return inside.len > 0;
    }
    *type = cpw_span_sub(inside, 0, (size_t)sp);
    *name = s_trim_all(cpw_span_sub(inside, (size_t)sp + 1, inside.len));
    return name->len > 0;
}

/* The state of one file's parse, fed by cpw_ini_parse. */
struct parse {
    struct cpw_config *cfg;
    enum source_file file;
    const char *path;
    char *type; /* the current section's, NULL before any */
    char *name;
    char *parent; /* a key given without a value: indented lines under it are its sub-keys */
    size_t last;  /* the entry an indented line continues, or SIZE_MAX */
};

/*
 * As the AWS CLI reads the files (botocore's configloader over Python's configparser): keys
 * are case-insensitive (kept lower case); an indented `k = v` under a key without a value is
 * the sub-setting "parent.k" (`s3 =` blocks, [services] sections); other indented lines continue
 * the value above on a new line; a section that appears twice adds up, the last value winning.
 */
static int s_item(void *user, const struct cpw_ini_item *item)
{
    struct parse *p = user;
    if (!item->key) {
        struct cpw_span type;
        struct cpw_span name;
        if (!s_section(p->file, cpw_span_from_cstr(item->section), &type, &name)) {
            return cpw_raise(CPW_ERR_CONFIG, "%s:%u: malformed section header", p->path,
                             item->line);
        }
        cpw_free(p->type);
        cpw_free(p->name);
        cpw_free(p->parent);
        p->type = cpw_strndup((const char *)type.ptr, type.len);
        p->name = cpw_strndup((const char *)name.ptr, name.len);
        p->parent = NULL;
        p->last = SIZE_MAX;
        return 0;
    }
    if (!p->type) {
        return cpw_raise(CPW_ERR_CONFIG, "%s:%u: setting outside of any [section]", p->path,
                         item->line);
    }
    struct cpw_span type = cpw_span_from_cstr(p->type);
    struct cpw_span name = cpw_span_from_cstr(p->name);
    struct cpw_span value = cpw_span_from_cstr(item->value);
    if (item->continuation && p->parent) {
        long eq = cpw_span_find_byte(value, '=');
        if (eq <= 0) {
            return cpw_raise(CPW_ERR_CONFIG, "%s:%u: expected 'key = value' under '%s ='", p->path,
                             item->line, p->parent);
        }
        struct cpw_buf key;
        cpw_buf_init(&key, 1024);
        int rc = cpw_buf_appendf(&key, "%s.", p->parent) ||
                 cpw_buf_append(&key, s_trim_all(cpw_span_sub(value, 0, (size_t)eq)));
        if (rc == 0) {
            s_add(p->cfg, p->file, type, name, cpw_buf_span(&key),
                  s_trim_all(cpw_span_sub(value, (size_t)eq + 1, value.len)));
        }
        cpw_buf_clean_up(&key);
        return rc ? cpw_raise(CPW_ERR_CONFIG, "%s:%u: key too long", p->path, item->line) : 0;
    }
    if (item->continuation) {
        if (p->last == SIZE_MAX) {
            return 0; /* continues a key that holds nothing */
        }
        struct entry *e = &p->cfg->entries[p->last];
        struct cpw_buf joined;
        cpw_buf_init(&joined, CONFIG_MAX_BYTES);
        (void)cpw_buf_appendf(&joined, "%s\n%s", e->value, item->value);
        cpw_free(e->value);
        e->value = cpw_buf_detach(&joined);
        return 0;
    }
    char *key = cpw_strdup(item->key);
    for (char *c = key; *c; c++) {
        if (*c >= 'A' && *c <= 'Z') {
            *c = (char)(*c - 'A' + 'a');
        }
    }
    cpw_free(p->parent);
    p->parent = NULL;
    p->last = SIZE_MAX;
    if (value.len == 0) {
        p->parent = key; /* "s3 =": its sub-keys follow, indented */
        return 0;
    }
    s_add(p->cfg, p->file, type, name, cpw_span_from_cstr(key), value);
    p->last = p->cfg->count - 1;
    cpw_free(key);
    return 0;
}

static int s_parse(struct cpw_config *cfg, enum source_file file, const char *path)
{
    struct cpw_buf text;
    cpw_buf_init(&text, CONFIG_MAX_BYTES);
    struct stat st;
    if (stat(path, &st) != 0 && errno == ENOENT) {
        return 0; /* no file: nothing configured */
    }
    /* A regular file only (or /dev/null, read as empty): a FIFO would block here forever, a
     * directory is no configuration. */
    if (cpw_buf_read_regular_file(&text, path)) {
        cpw_buf_clean_up(&text);
        return cpw_raise(CPW_ERR_CONFIG, "%s", cpw_last_error_detail());
    }
    struct parse p = { .cfg = cfg, .file = file, .path = path, .last = SIZE_MAX };
    int rc = cpw_ini_parse(cpw_buf_span(&text), path, s_item, &p);
    cpw_free(p.type);
    cpw_free(p.name);
    cpw_free(p.parent);
    cpw_buf_clean_up(&text);
    return rc;
}

static char *s_default_path(const char *env_name, const char *home_relative)
{
    const char *env = getenv(env_name);
    if (env && *env) {
        return cpw_strdup(env);
    }
    const char *home = getenv("HOME");
    struct cpw_buf path;
    cpw_buf_init(&path, 4096);
    (void)cpw_buf_appendf(&path, "%s/%s", home ? home : "", home_relative);
    return cpw_buf_detach(&path);
}

struct cpw_config *cpw_config_new_empty(const char *profile)
{
    struct cpw_config *cfg = cpw_calloc(1, sizeof(*cfg));
    const char *env_profile = getenv("AWS_PROFILE");
    cfg->profile =
      cpw_strdup(profile ? profile : (env_profile && *env_profile ? env_profile : "default"));
    cfg->config_path = cpw_strdup("");
    cfg->credentials_path = cpw_strdup("");
    return cfg;
}

struct cpw_config *cpw_config_load(const struct cpw_config_load_options *opts)
{
    struct cpw_config *cfg = cpw_config_new_empty(opts ? opts->profile : NULL);
    cpw_free(cfg->config_path);
    cpw_free(cfg->credentials_path);
    cfg->config_path = opts && opts->config_path ? cpw_strdup(opts->config_path)
                                                 : s_default_path("AWS_CONFIG_FILE", ".aws/config");
    cfg->credentials_path = opts && opts->credentials_path
                              ? cpw_strdup(opts->credentials_path)
                              : s_default_path("AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials");
    if (s_parse(cfg, SOURCE_CONFIG, cfg->config_path) ||
        s_parse(cfg, SOURCE_CREDENTIALS, cfg->credentials_path)) {
        cpw_config_destroy(cfg);
        return NULL;
    }
    return cfg;
}

void cpw_config_destroy(struct cpw_config *cfg)
{
    if (!cfg) {
        return;
    }
    for (size_t i = 0; i < cfg->count; i++) {
        cpw_free(cfg->entries[i].type);
        cpw_free(cfg->entries[i].name);
        cpw_free(cfg->entries[i].key);
        cpw_free(cfg->entries[i].value);
    }
    cpw_free(cfg->entries);
    cpw_free(cfg->profile);
    cpw_free(cfg->config_path);
    cpw_free(cfg->credentials_path);
    cpw_free(cfg);
}

const char *cpw_config_profile(const struct cpw_config *cfg)
{
    return cfg->profile;
}

int cpw_config_has_profile(const struct cpw_config *cfg, const char *profile)
{
    for (size_t i = 0; i < cfg->count; i++) {
        if (strcmp(cfg->entries[i].type, "profile") == 0 &&
            strcmp(cfg->entries[i].name, profile) == 0) {
            return 1;
        }
    }
    return 0;
}

/* Last matching entry of the given file wins (the CLI's configparser keeps the last value). */
static const char *s_find(const struct cpw_config *cfg,
                          enum source_file file,
                          const char *type,
                          const char *name,
                          const char *key)
{
    const char *found = NULL;
    for (size_t i = 0; i < cfg->count; i++) {
        const struct entry *e = &cfg->entries[i];
        if (e->file == file && strcmp(e->type, type) == 0 && strcmp(e->name, name) == 0 &&
            strcmp(e->key, key) == 0) {
            found = e->value;
        }
    }
    return found;
}

const char *cpw_config_get(const struct cpw_config *cfg, const char *profile, const char *key)
{
    const char *name = profile ? profile : cfg->profile;
    const char *v = s_find(cfg, SOURCE_CREDENTIALS, "profile", name, key);
    return v ? v : s_find(cfg, SOURCE_CONFIG, "profile", name, key);
}

const char *cpw_config_get_from(const struct cpw_config *cfg,
                                enum cpw_config_file file,
                                const char *profile,
                                const char *key)
{
    return s_find(cfg, file == CPW_CONFIG_FILE_CREDENTIALS ? SOURCE_CREDENTIALS : SOURCE_CONFIG,
                  "profile", profile ? profile : cfg->profile, key);
}

const char *cpw_config_get_section(const struct cpw_config *cfg,
                                   const char *section_type,
                                   const char *name,
                                   const char *key)
{
    return s_find(cfg, SOURCE_CONFIG, section_type, name, key);
}

const char *cpw_config_path(const struct cpw_config *cfg)
{
    return cfg->config_path;
}

const char *cpw_config_credentials_path(const struct cpw_config *cfg)
{
    return cfg->credentials_path;
}
