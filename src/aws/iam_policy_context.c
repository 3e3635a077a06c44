/*
 * iam_policy_context.c - the condition keys of one request (struct cpw_iam_context).
 *
 * IAM condition key names are case-insensitive ("aws:username" and "aws:UserName" are one key);
 * their values keep their case. A key is single-valued, or multi-valued (a set that may be
 * empty, as aws:TagKeys for a request without tags), which matters to ForAnyValue/ForAllValues.
 * A linear table: a request carries a few dozen keys at most.
 */
#include <strings.h>

#include "cpw/alloc.h"
#include "cpw/error.h"
#include "iam_policy_internal.h"

struct cpw_iam_context {
    struct cpw_iam_context_entry *entries;
    size_t count;
    size_t cap;
};

struct cpw_iam_context *cpw_iam_context_new(void)
{
    return cpw_calloc(1, sizeof(struct cpw_iam_context));
}

void cpw_iam_context_destroy(struct cpw_iam_context *context)
{
    if (!context) {
        return;
    }
    for (size_t i = 0; i < context->count; i++) {
        cpw_free(context->entries[i].key);
        cpw_iam_strings_clean_up(&context->entries[i].values);
    }
    cpw_free(context->entries);
    cpw_free(context);
}

const struct cpw_iam_context_entry *cpw_iam_context_find(const struct cpw_iam_context *context,
                                                         const char *key)
{
    if (!context || !key) {
        return NULL;
    }
    for (size_t i = 0; i < context->count; i++) {
        if (strcasecmp(context->entries[i].key, key) == 0) {
            return &context->entries[i];
        }
    }
    return NULL;
}

static struct cpw_iam_context_entry *s_entry(struct cpw_iam_context *context, const char *key)
{
    struct cpw_iam_context_entry *e =
      (struct cpw_iam_context_entry *)cpw_iam_context_find(context, key);
    if (e) {
        return e;
    }
    if (context->count == context->cap) {
        context->cap = context->cap ? context->cap * 2 : 8;
        context->entries = cpw_realloc(context->entries, context->cap * sizeof(*context->entries));
    }
    e = &context->entries[context->count++];
    e->key = cpw_strdup(key);
    e->multi = false;
    e->values.items = NULL;
    e->values.count = 0;
    return e;
}

int cpw_iam_context_set(struct cpw_iam_context *context, const char *key, const char *value)
{
    if (!context || !key || !*key || !value) {
        return cpw_raise(CPW_ERR_INVALID_ARGUMENT, "iam context: a key and a value are required");
    }
    struct cpw_iam_context_entry *e = s_entry(context, key);
    cpw_iam_strings_clean_up(&e->values);
    e->multi = false;
    cpw_iam_strings_push(&e->values, value);
    return 0;
}

int cpw_iam_context_add(struct cpw_iam_context *context, const char *key, const char *value)
{
    if (!context || !key || !*key) {
        return cpw_raise(CPW_ERR_INVALID_ARGUMENT, "iam context: a key is required");
    }
    struct cpw_iam_context_entry *e = s_entry(context, key);
    e->multi = true;
    if (value) {
        if (e->values.count >= CPW_IAM_MAX_VALUES) {
            return cpw_raise(CPW_ERR_LIMIT, "iam context: more than %u values for %s",
                             CPW_IAM_MAX_VALUES, key);
        }
        cpw_iam_strings_push(&e->values, value);
    }
    return 0;
}

void cpw_iam_context_remove(struct cpw_iam_context *context, const char *key)
{
    if (!context || !key) {
        return;
    }
    for (size_t i = 0; i < context->count; i++) {
        if (strcasecmp(context->entries[i].key, key) == 0) {
            cpw_free(context->entries[i].key);
            cpw_iam_strings_clean_up(&context->entries[i].values);
            context->entries[i] = context->entries[context->count - 1];
            context->count--;
            return;
        }
    }
}

size_t cpw_iam_context_count(const struct cpw_iam_context *context, const char *key, bool *present)
{
    const struct cpw_iam_context_entry *e = cpw_iam_context_find(context, key);
    if (present) {
        *present = e != NULL;
    }
    return e ? e->values.count : 0;
}

const char *cpw_iam_context_value(const struct cpw_iam_context *context, const char *key, size_t i)
{
    const struct cpw_iam_context_entry *e = cpw_iam_context_find(context, key);
    if (!e || i >= e->values.count) {
        return NULL;
    }
    return e->values.items[i];
}
