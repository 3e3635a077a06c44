/*
 * metrics_cloudwatch.c - the metric families as CloudWatch PutMetricData inputs, and publishing
 * them, and the atomic file write of the text (metrics.h). Each family with a CloudWatch name
 * becomes one metric; its labels become dimensions named like them with the first letter
 * upper-cased (account -> Account).
 */
#include <ctype.h>
#include <string.h>

#include "atomic_file.h"
#include "cpw/aws_client.h"
#include "cpw/error.h"
#include "cpw/json.h"
#include "cpw/metrics.h"
#include "cpw/time.h"
#include "metrics_internal.h"

/* CloudWatch's namespace limit (PutMetricData: 1 to 255 characters, no leading colon). */
#define NAMESPACE_MAX 255

static json_t *s_dimensions(const struct cpw_metrics_family_def *def,
                            const struct cpw_metrics_sample *s)
{
    json_t *dims = json_array();
    for (size_t k = 0; k < cpw_metrics_label_count(def); k++) {
        /* "account" -> "Account"; CloudWatch refuses an empty dimension value. */
        char name[64];
        snprintf(name, sizeof(name), "%s", def->labels[k]);
        name[0] = (char)toupper((unsigned char)name[0]);
        const char *value = s->values[k][0] ? s->values[k] : "-";
        cpw_json_append_take(dims, json_pack("{s:s, s:s}", "Name", name, "Value", value));
    }
    return dims;
}

int cpw_metrics_cloudwatch_inputs(const struct cpw_metrics *m,
                                  const char *ns,
                                  int64_t timestamp_s,
                                  json_t **inputs)
{
    *inputs = NULL;
    if (!ns || !*ns || strlen(ns) > NAMESPACE_MAX || ns[0] == ':') {
        return cpw_raise(CPW_ERR_INVALID_ARGUMENT,
                         "a CloudWatch namespace has 1 to %d characters and does not start with "
                         "':'",
                         NAMESPACE_MAX);
    }
    char when[CPW_TIME_ISO8601_LEN + 1];
    if (cpw_time_format_iso8601(timestamp_s, when) != 0) {
        return -1;
    }
    json_t *all = json_array();
    json_t *data = NULL;
    for (size_t f = 0; f < CPW_METRICS_FAMILY_COUNT; f++) {
        const struct cpw_metrics_family_def *def = cpw_metrics_def((enum cpw_metrics_family_id)f);
        if (!def->cw_name) {
            continue;
        }
        for (size_t i = 0; i < m->families[f].count; i++) {
            if (!data) {
                data = json_array();
                cpw_json_append_take(all,
                                     json_pack("{s:s, s:O}", "Namespace", ns, "MetricData", data));
                json_decref(data); /* the input holds it */
            }
            const struct cpw_metrics_sample *s = &m->families[f].samples[i];
            cpw_json_append_take(data,
                                 json_pack("{s:s, s:o, s:s, s:f, s:s}", "MetricName", def->cw_name,
                                           "Dimensions", s_dimensions(def, s), "Timestamp", when,
                                           "Value", s->value, "Unit", def->cw_unit));
            if (json_array_size(data) >= CPW_METRICS_CLOUDWATCH_BATCH) {
                data = NULL;
            }
        }
    }
    *inputs = all;
    return 0;
}

int cpw_metrics_publish_cloudwatch(struct cpw_aws_client *client,
                                   const struct cpw_metrics *m,
                                   const char *ns,
                                   int64_t timestamp_s,
                                   size_t *published)
{
    if (published) {
        *published = 0;
    }
    json_t *inputs = NULL;
    if (cpw_metrics_cloudwatch_inputs(m, ns, timestamp_s, &inputs) != 0) {
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < json_array_size(inputs); i++) {
        const json_t *input = json_array_get(inputs, i);
        struct cpw_aws_call call = {
            .service = "cloudwatch",
            .operation = "PutMetricData",
            .input = input,
        };
        json_t *output = NULL;
        rc = cpw_aws_client_call(client, &call, &output, NULL);
        cpw_json_release(output);
        if (rc == 0 && published) {
            *published += json_array_size(cpw_json_get(input, "MetricData"));
        }
    }
    cpw_json_release(inputs);
    return rc;
}

int cpw_metrics_write_file(const char *path, struct cpw_span text)
{
    struct cpw_atomic_file file = { 0 };
    if (cpw_atomic_file_open(&file, path) != 0 || cpw_atomic_file_write(&file, text) != 0 ||
        cpw_atomic_file_commit(&file) != 0) {
        cpw_atomic_file_clean_up(&file);
        return -1;
    }
    return 0;
}
