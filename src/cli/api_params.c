/*
 * api_params.c - the AWS CLI's parameter flags for `cpwarden api`, derived from the model: the
 * names (botocore's xform_name), the value forms (scalars, lists as words, JSON, shorthand,
 * file://) and the input skeleton.
 */
#include "api_params.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "cpw/alloc.h"
#include "cpw/buf.h"
#include "cpw/error.h"
#include "cpw/json.h"
#include "cpw/shorthand.h"

#define FILE_VALUE_MAX_BYTES (16u * 1024u * 1024u)
#define FLAG_MAX             256
#define SKELETON_MAX_DEPTH   8

/* ----- names ----------------------------------------------------------------------------- */

/* botocore's _first_cap_regex '(.)([A-Z][a-z]+)' replaced by '\1-\2', left to right. */
static void s_first_caps(const char *in, struct cpw_buf *out)
{
    size_t n = strlen(in);
    for (size_t p = 0; p < n;) {
        size_t q = p + 1;
        if (q + 1 < n && isupper((unsigned char)in[q]) && islower((unsigned char)in[q + 1])) {
            size_t end = q + 1;
            while (end < n && islower((unsigned char)in[end])) {
                end++;
            }
            (void)cpw_buf_append_byte(out, (uint8_t)in[p]);
            (void)cpw_buf_append_byte(out, '-');
            (void)cpw_buf_append(out, cpw_span_from(in + q, end - q));
            p = end;
        } else {
            (void)cpw_buf_append_byte(out, (uint8_t)in[p]);
            p++;
        }
    }
}

/* botocore's _end_cap_regex '([a-z0-9])([A-Z])' replaced by '\1-\2', left to right. */
static void s_end_caps(const char *in, struct cpw_buf *out)
{
    size_t n = strlen(in);
    for (size_t p = 0; p < n;) {
        bool lower_or_digit = islower((unsigned char)in[p]) || isdigit((unsigned char)in[p]);
        if (lower_or_digit && p + 1 < n && isupper((unsigned char)in[p + 1])) {
            (void)cpw_buf_append_byte(out, (uint8_t)in[p]);
            (void)cpw_buf_append_byte(out, '-');
            (void)cpw_buf_append_byte(out, (uint8_t)in[p + 1]);
            p += 2;
        } else {
            (void)cpw_buf_append_byte(out, (uint8_t)in[p]);
            p++;
        }
    }
}

void cpw_cli_api_flag_name(const char *member, char *out, size_t size)
{
    struct cpw_buf name;
    struct cpw_buf first;
    struct cpw_buf done;
    cpw_buf_init(&name, FLAG_MAX);
    cpw_buf_init(&first, FLAG_MAX * 2);
    cpw_buf_init(&done, FLAG_MAX * 3);
    /* "[A-Z]{2,}s$" (ARNs, ACLs) becomes "-arns" first */
    size_t len = strlen(member);
    size_t run = 0; /* upper-case letters right before a final 's' */
    while (len >= 1 && member[len - 1] == 's' && run + 1 < len &&
           isupper((unsigned char)member[len - 2 - run])) {
        run++;
    }
    if (run >= 2) {
        size_t stem = len - 1 - run;
        (void)cpw_buf_append(&name, cpw_span_from(member, stem));
        (void)cpw_buf_append_byte(&name, '-');
        for (size_t i = stem; i < len; i++) {
            (void)cpw_buf_append_byte(&name, (uint8_t)tolower((unsigned char)member[i]));
        }
    } else {
        (void)cpw_buf_append_cstr(&name, member);
    }
    s_first_caps(cpw_buf_cstr(&name), &first);
    s_end_caps(cpw_buf_cstr(&first), &done);
    const char *text = cpw_buf_cstr(&done);
    size_t i = 0;
    for (; size > 0 && i + 1 < size && text[i]; i++) {
        out[i] = (char)tolower((unsigned char)text[i]);
    }
    if (size > 0) {
        out[i] = '\0';
    }
    cpw_buf_clean_up(&name);
    cpw_buf_clean_up(&first);
    cpw_buf_clean_up(&done);
}

/* ----- values ----------------------------------------------------------------------------- */

int cpw_cli_api_file_value(const char *word, char **text)
{
    *text = NULL;
    const char *path = NULL;
    if (strncmp(word, "file://", 7) == 0) {
        path = word + 7;
    } else if (strncmp(word, "fileb://", 8) == 0) {
        path = word + 8;
    } else {
        return 0;
    }
    struct cpw_buf buf;
    cpw_buf_init(&buf, FILE_VALUE_MAX_BYTES);
    if (cpw_buf_read_regular_file(&buf, path)) {
        cpw_buf_clean_up(&buf);
        return cpw_raise(CPW_ERR_INVALID_ARGUMENT, "%s: %s", word, cpw_last_error_detail());
    }
    (void)cpw_buf_append_byte(&buf, '\0');
    *text = cpw_strdup(cpw_buf_cstr(&buf));
    cpw_buf_clean_up(&buf);
    return 0;
}

static json_t *s_value(const struct cpw_model_service *svc,
                       const json_t *shape,
                       const char *flag,
                       const char *word);

static json_t *s_bad(const char *flag, const char *why, const char *word)
{
    cpw_raise(CPW_ERR_INVALID_ARGUMENT, "--%s: %s, not '%s'", flag, why, word);
    return NULL;
}

static json_t *s_json_of(const char *flag, const char *word, bool object)
{
    json_t *doc = NULL;
    if (cpw_json_load(cpw_span_from_cstr(word), FILE_VALUE_MAX_BYTES, &doc) != 0) {
        cpw_raise(CPW_ERR_INVALID_ARGUMENT, "--%s: not valid JSON: %s", flag,
                  cpw_last_error_detail());
        return NULL;
    }
    if (object ? !json_is_object(doc) : !json_is_array(doc)) {
        json_decref(doc);
        return s_bad(flag, object ? "expected a JSON object or k=v,k2=v2" : "expected a list",
                     word);
    }
    return doc;
}

/* A parsed shorthand value (strings, lists, objects) converted by the model as the AWS CLI's
 * BackCompatVisitor does: a scalar where a list goes becomes a list of one, numbers and
 * booleans are read from their text. Unknown members and values of the wrong kind are refused
 * here (the AWS CLI refuses them when it validates the input). NULL with the error raised. */
static json_t *s_from_shorthand(const struct cpw_model_service *svc,
                                const json_t *shape,
                                const char *flag,
                                const json_t *value,
                                int depth)
{
    const char *type = json_string_value(json_object_get(shape, "type"));
    type = type ? type : "string";
    if (depth > SKELETON_MAX_DEPTH * 8) {
        cpw_raise(CPW_ERR_INVALID_ARGUMENT, "--%s: the value nests too deep", flag);
        return NULL;
    }
    bool is_map = strcmp(type, "map") == 0;
    if (strcmp(type, "structure") == 0 || is_map) {
        if (!json_is_object(value)) {
            cpw_raise(CPW_ERR_INVALID_ARGUMENT, "--%s: expected a structure ({Key=Value,...})",
                      flag);
            return NULL;
        }
        const json_t *members = json_object_get(shape, "members");
        json_t *out = json_object();
        const char *key;
        const json_t *v;
        json_object_foreach((json_t *)value, key, v)
        {
            const json_t *target = is_map
                                     ? cpw_model_resolve_ref(svc, json_object_get(shape, "value"))
                                     : cpw_model_resolve_ref(svc, json_object_get(members, key));
            if (!target) {
                cpw_raise(CPW_ERR_INVALID_ARGUMENT, "--%s: unknown member '%s'", flag, key);
                json_decref(out);
                return NULL;
            }
            json_t *converted = s_from_shorthand(svc, target, flag, v, depth + 1);
            if (!converted) {
                json_decref(out);
                return NULL;
            }
            json_object_set_new(out, key, converted);
        }
        return out;
    }
    if (strcmp(type, "list") == 0) {
        const json_t *member = cpw_model_resolve_ref(svc, json_object_get(shape, "member"));
        json_t *out = json_array();
        size_t count = json_is_array(value) ? json_array_size(value) : 1;
        for (size_t i = 0; i < count && member; i++) {
            const json_t *item = json_is_array(value) ? json_array_get(value, i) : value;
            json_t *converted = s_from_shorthand(svc, member, flag, item, depth + 1);
            if (!converted) {
                json_decref(out);
                return NULL;
            }
            json_array_append_new(out, converted);
        }
        return out;
    }
    if (!json_is_string(value)) {
        cpw_raise(CPW_ERR_INVALID_ARGUMENT, "--%s: expected a single value where a %s goes", flag,
                  type);
        return NULL;
    }
    const char *text = json_string_value(value);
    if (strcmp(type, "boolean") == 0) { /* the AWS CLI reads true/false in any case */
        if (strcasecmp(text, "true") == 0 || strcasecmp(text, "false") == 0) {
            return json_boolean(strcasecmp(text, "true") == 0);
        }
        return s_bad(flag, "expected true or false", text);
    }
    return s_value(svc, shape, flag, text);
}

/* Shorthand for a structure or map: "Key=Value,List=[a,b],Nested={A=1,B=x}" (the AWS CLI's
 * grammar, core/shorthand), converted by the model. A structure whose only member is a string
 * called Value also takes the bare value ("--flag shutdown" is {"Value": "shutdown"}). */
static json_t *s_shorthand(const struct cpw_model_service *svc,
                           const json_t *shape,
                           const char *flag,
                           const char *word)
{
    const json_t *members = json_object_get(shape, "members");
    const json_t *only_value = json_object_size(members) == 1
                                 ? cpw_model_resolve_ref(svc, json_object_get(members, "Value"))
                                 : NULL;
    const char *only_type = json_string_value(json_object_get(only_value, "type"));
    if (only_type && strcmp(only_type, "string") == 0 && !strchr(word, '=')) {
        return json_pack("{s:s}", "Value", word);
    }
    json_t *parsed = NULL;
    if (cpw_shorthand_parse(word, &parsed) != 0) {
        cpw_raise(CPW_ERR_INVALID_ARGUMENT, "Error parsing parameter '--%s': %s", flag,
                  cpw_last_error_detail());
        return NULL;
    }
    json_t *out = s_from_shorthand(svc, shape, flag, parsed, 0);
    json_decref(parsed);
    return out;
}

/* One word as a value of shape. */
static json_t *s_value(const struct cpw_model_service *svc,
                       const json_t *shape,
                       const char *flag,
                       const char *word)
{
    const char *type = json_string_value(json_object_get(shape, "type"));
    type = type ? type : "string";
    if (strcmp(type, "structure") == 0 || strcmp(type, "map") == 0) {
        return word[0] == '{' ? s_json_of(flag, word, true) : s_shorthand(svc, shape, flag, word);
    }
    if (strcmp(type, "list") == 0) {
        if (word[0] == '[') {
            return s_json_of(flag, word, false);
        }
        const json_t *member = cpw_model_resolve_ref(svc, json_object_get(shape, "member"));
        json_t *v = member ? s_value(svc, member, flag, word) : NULL;
        return v ? json_pack("[o]", v) : NULL;
    }
    if (strcmp(type, "integer") == 0 || strcmp(type, "long") == 0) {
        char *end = NULL;
        long long n = strtoll(word, &end, 10);
        return *word && end && *end == '\0' ? json_integer(n)
                                            : s_bad(flag, "expected an integer", word);
    }
    if (strcmp(type, "float") == 0 || strcmp(type, "double") == 0) {
        char *end = NULL;
        double d = strtod(word, &end);
        return *word && end && *end == '\0' ? json_real(d) : s_bad(flag, "expected a number", word);
    }
    if (strcmp(type, "boolean") == 0) {
        if (strcmp(word, "true") == 0 || strcmp(word, "false") == 0) {
            return json_boolean(strcmp(word, "true") == 0);
        }
        return s_bad(flag, "expected true or false", word);
    }
    return json_string(word); /* string, enum, timestamp, blob: as written */
}

/* ----- flags ------------------------------------------------------------------------------ */

/* The member of input whose flag is name; *boolean_negated for "no-NAME" of a boolean. */
static const char *s_member_for(const struct cpw_model_service *svc,
                                const json_t *input,
                                const char *name,
                                bool *negated)
{
    const json_t *members = json_object_get(input, "members");
    const char *key;
    const json_t *ref;
    *negated = false;
    json_object_foreach((json_t *)members, key, ref)
    {
        char flag[FLAG_MAX];
        cpw_cli_api_flag_name(key, flag, sizeof(flag));
        if (strcmp(flag, name) == 0) {
            return key;
        }
        const json_t *shape = cpw_model_resolve_ref(svc, ref);
        const char *type = json_string_value(json_object_get(shape, "type"));
        if (type && strcmp(type, "boolean") == 0 && strncmp(name, "no-", 3) == 0 &&
            strcmp(flag, name + 3) == 0) {
            *negated = true;
            return key;
        }
    }
    return NULL;
}

static int s_unknown_flag(const json_t *input, const char *name)
{
    const json_t *members = json_object_get(input, "members");
    size_t count = json_object_size(members);
    char(*flags)[FLAG_MAX] = cpw_calloc(count + 1, sizeof(*flags));
    const char **names = cpw_calloc(count + 1, sizeof(*names));
    size_t i = 0;
    const char *key;
    const json_t *ref;
    json_object_foreach((json_t *)members, key, ref)
    {
        (void)ref;
        cpw_cli_api_flag_name(key, flags[i], FLAG_MAX);
        names[i] = flags[i];
        i++;
    }
    const char *near = cpw_cli_nearest(name, names, i);
    int rc =
      near ? cpw_raise(CPW_ERR_INVALID_ARGUMENT,
                       "unknown option '--%s' for this operation; did you mean '--%s'?", name, near)
           : cpw_raise(CPW_ERR_INVALID_ARGUMENT,
                       "unknown option '--%s' for this operation (see "
                       "--generate-cli-skeleton for its parameters)",
                       name);
    cpw_free(names);
    cpw_free(flags);
    return rc;
}

int cpw_cli_api_params(const struct cpw_model_service *svc,
                       const char *operation,
                       int count,
                       char **words,
                       json_t *input)
{
    const json_t *shape = cpw_model_input_shape(svc, operation);
    for (int i = 0; i < count;) {
        const char *word = words[i];
        if (strncmp(word, "--", 2) != 0 || !word[2]) {
            return cpw_raise(CPW_ERR_INVALID_ARGUMENT, "unexpected argument '%s'", word);
        }
        char name[FLAG_MAX];
        const char *eq = strchr(word + 2, '=');
        size_t len = eq ? (size_t)(eq - word - 2) : strlen(word + 2);
        snprintf(name, sizeof(name), "%.*s", (int)(len < FLAG_MAX ? len : FLAG_MAX - 1), word + 2);
        bool negated = false;
        const char *member = shape ? s_member_for(svc, shape, name, &negated) : NULL;
        if (!member) {
            return s_unknown_flag(shape, name);
        }
        const json_t *mshape =
          cpw_model_resolve_ref(svc, json_object_get(json_object_get(shape, "members"), member));
        const char *type = json_string_value(json_object_get(mshape, "type"));
        /* the values: after '=', or the words up to the next flag */
        int first = i + 1;
        int end = first;
        while (!eq && end < count && strncmp(words[end], "--", 2) != 0) {
            end++;
        }
        i = end;
        json_t *value = NULL;
        if (type && strcmp(type, "boolean") == 0 && !eq && end == first) {
            value = json_boolean(!negated); /* --flag / --no-flag */
        } else if (negated) {
            return cpw_raise(CPW_ERR_INVALID_ARGUMENT, "--%s takes no value", name);
        } else if (!eq && end == first) {
            return cpw_raise(CPW_ERR_INVALID_ARGUMENT, "option '--%s' needs a value", name);
        } else if (type && strcmp(type, "list") == 0 && !eq && end - first > 1) {
            value = json_array(); /* --names a b c */
            const json_t *item = cpw_model_resolve_ref(svc, json_object_get(mshape, "member"));
            for (int k = first; k < end && value; k++) {
                char *text = NULL;
                json_t *v = NULL;
                if (cpw_cli_api_file_value(words[k], &text) == 0) {
                    v = s_value(svc, item, name, text ? text : words[k]);
                }
                cpw_free(text);
                if (!v) {
                    json_decref(value);
                    return -1;
                }
                json_array_append_new(value, v);
            }
        } else if (!eq && end - first > 1) {
            return cpw_raise(CPW_ERR_INVALID_ARGUMENT, "--%s takes one value, not %d", name,
                             end - first);
        } else {
            const char *raw = eq ? eq + 1 : words[first];
            char *text = NULL;
            if (cpw_cli_api_file_value(raw, &text)) {
                return -1;
            }
            value = s_value(svc, mshape, name, text ? text : raw);
            cpw_free(text);
            if (!value) {
                return -1;
            }
        }
        json_object_set_new(input, member, value);
    }
    return 0;
}

/* ----- skeleton --------------------------------------------------------------------------- */

static json_t *s_skeleton(const struct cpw_model_service *svc, const json_t *shape, int depth)
{
    const char *type = json_string_value(json_object_get(shape, "type"));
    type = type ? type : "string";
    if (strcmp(type, "structure") == 0) {
        json_t *out = json_object();
        const char *key;
        const json_t *ref;
        json_object_foreach((json_t *)json_object_get(shape, "members"), key, ref)
        {
            const json_t *m = cpw_model_resolve_ref(svc, ref);
            if (m && depth < SKELETON_MAX_DEPTH) {
                json_object_set_new(out, key, s_skeleton(svc, m, depth + 1));
            }
        }
        return out;
    }
    if (strcmp(type, "list") == 0) {
        const json_t *m = cpw_model_resolve_ref(svc, json_object_get(shape, "member"));
        return m && depth < SKELETON_MAX_DEPTH ? json_pack("[o]", s_skeleton(svc, m, depth + 1))
                                               : json_array();
    }
    if (strcmp(type, "map") == 0) {
        const json_t *v = cpw_model_resolve_ref(svc, json_object_get(shape, "value"));
        return v && depth < SKELETON_MAX_DEPTH
                 ? json_pack("{s:o}", "KeyName", s_skeleton(svc, v, depth + 1))
                 : json_object();
    }
    if (strcmp(type, "integer") == 0 || strcmp(type, "long") == 0) {
        return json_integer(0);
    }
    if (strcmp(type, "float") == 0 || strcmp(type, "double") == 0) {
        return json_real(0.0);
    }
    if (strcmp(type, "boolean") == 0) {
        return json_true();
    }
    return json_string("");
}

json_t *cpw_cli_api_skeleton(const struct cpw_model_service *svc, const char *operation)
{
    const json_t *shape = cpw_model_input_shape(svc, operation);
    return shape ? s_skeleton(svc, shape, 0) : json_object();
}
