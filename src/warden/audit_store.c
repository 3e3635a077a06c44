/*
 * audit_store.c - audit reports and documentation records through the state store (store.h):
 * a report saved whole, the newest one loaded back for `audit --diff`, and the documentation
 * records read into the audit's facts.
 */
#include <string.h>

#include "audit_internal.h"
#include "cpw/alloc.h"
#include "cpw/error.h"
#include "cpw/store.h"
#include "cpw/time.h"

#define REPORT_MAX_BYTES (64u * 1024u * 1024u)

int cpw_audit_save(struct cpw_store *store,
                   const json_t *report,
                   const char *scope,
                   int64_t *id_out)
{
    struct cpw_buf text;
    cpw_buf_init(&text, REPORT_MAX_BYTES);
    int64_t ran_ms = 0;
    const char *ran = cpw_json_get_string(report, "ran_at");
    if (!ran || cpw_time_parse_iso8601_ms(cpw_span_from_cstr(ran), &ran_ms)) {
        ran_ms = cpw_time_now_ms();
    }
    int rc = cpw_json_dump(report, &text);
    if (rc == 0) {
        rc = cpw_store_audit_save(store, ran_ms / 1000, scope, cpw_buf_span(&text), id_out);
    }
    cpw_buf_clean_up(&text);
    return rc;
}

json_t *cpw_audit_load_latest(struct cpw_store *store, const char *scope)
{
    struct cpw_buf text;
    cpw_buf_init(&text, REPORT_MAX_BYTES);
    json_t *doc = NULL;
    if (cpw_store_audit_latest(store, scope, &text) == 0 &&
        cpw_json_load(cpw_buf_span(&text), REPORT_MAX_BYTES, &doc) == 0 && !json_is_object(doc)) {
        json_decref(doc);
        doc = NULL;
        cpw_raise(CPW_ERR_PARSE, "the stored audit report is not a JSON object");
    }
    cpw_buf_clean_up(&text);
    return doc;
}

int cpw_audit_read_documents(struct cpw_store *store, struct cpw_audit_facts *facts)
{
    struct cpw_store_document_info *list = NULL;
    size_t count = 0;
    if (cpw_store_document_latest(store, &list, &count)) {
        return -1;
    }
    facts->documents = cpw_calloc(count + 1, sizeof(*facts->documents));
    for (size_t i = 0; i < count; i++) {
        facts->documents[i].account = cpw_strdup(list[i].account);
        facts->documents[i].region = cpw_strdup(list[i].region);
        facts->documents[i].domain = cpw_strdup(list[i].domain);
        facts->documents[i].created_at_s = list[i].created_at_s;
    }
    facts->document_count = count;
    facts->documents_read = true;
    cpw_store_document_list_free(list, count);
    return 0;
}
