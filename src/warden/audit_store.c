/*
 * audit_store.c - audit reports and documentation records through the state store (store.h):
 * a report saved whole, the newest one loaded back for `audit --diff`, and the documentation
 * records read into the audit's facts.
 */
#include <string.h>

#include "audit_internal.h"
#include "cpw/alloc.h"
#include "cpw/error.h"
#include "cpw/journal.h"
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

/* "deletion task TASK submitted" (apply_steps.c) to TASK; NULL when the detail is another. */
static char *s_task_of(const char *detail)
{
    static const char prefix[] = "deletion task ";
    static const char suffix[] = " submitted";
    size_t n = detail ? strlen(detail) : 0;
    if (n <= sizeof(prefix) + sizeof(suffix) - 2 || strncmp(detail, prefix, sizeof(prefix) - 1) ||
        strcmp(detail + n - (sizeof(suffix) - 1), suffix) != 0) {
        return NULL;
    }
    return cpw_strndup(detail + sizeof(prefix) - 1,
                       n - (sizeof(prefix) - 1) - (sizeof(suffix) - 1));
}

/* task/aws-service-role/PRINCIPAL/ROLE/UUID to ROLE (owned), or NULL. */
static char *s_role_of(const char *task)
{
    const char *end = strrchr(task, '/');
    const char *start = end;
    while (start && start > task && start[-1] != '/') {
        start--;
    }
    return end && start && end > start ? cpw_strndup(start, (size_t)(end - start)) : NULL;
}

int cpw_audit_read_deletion_tasks(struct cpw_store *store, struct cpw_audit_facts *facts)
{
    struct cpw_journal_entry *list = NULL;
    size_t count = 0;
    if (cpw_journal_list(store, NULL, &list, &count)) {
        return -1;
    }
    facts->tasks = cpw_calloc(count + 1, sizeof(*facts->tasks));
    for (size_t i = 0; i < count; i++) {
        const struct cpw_journal_entry *e = &list[i];
        if (strcmp(e->kind, "delete-service-linked-role") != 0 || strcmp(e->outcome, "done") != 0) {
            continue;
        }
        char *task = s_task_of(e->detail);
        char *role = task ? s_role_of(task) : NULL;
        int64_t at_ms = 0;
        if (!role || cpw_time_parse_iso8601_ms(cpw_span_from_cstr(e->at), &at_ms)) {
            cpw_free(task);
            cpw_free(role);
            continue;
        }
        struct cpw_audit_deletion_task *t = NULL;
        for (size_t k = 0; k < facts->task_count && !t; k++) {
            t = strcmp(facts->tasks[k].task_id, task) == 0 ? &facts->tasks[k] : NULL;
        }
        if (t) { /* the same task journaled again (a resumed run): keep the first submission */
            cpw_free(task);
            cpw_free(role);
            continue;
        }
        t = &facts->tasks[facts->task_count++];
        t->task_id = task;
        t->role_name = role;
        t->submitted_s = at_ms / 1000;
    }
    cpw_journal_entries_free(list, count);
    return 0;
}
