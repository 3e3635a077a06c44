/*
 * fuzz_audit_rules.c - the audit's rules loader (core/yaml under the rules schema) on arbitrary
 * bytes: it must accept or refuse without crashing, leaking or reading out of bounds, and a
 * refusal always names where (a detail with a line, or the file name). An accepted rule set is
 * evaluated over an empty inventory and rendered, so whatever the file says reaches the
 * evaluator and the outputs.
 */
#include <stdint.h>
#include <string.h>

#include "cpw/audit.h"
#include "cpw/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cpw_audit_rules *rules = cpw_audit_rules_load(cpw_span_from(data, size), "fuzz.yaml");
    if (!rules) {
        if (strncmp(cpw_last_error_detail(), "fuzz.yaml", 9) != 0 &&
            cpw_last_error() != CPW_ERR_LIMIT) {
            __builtin_trap(); /* every refusal names the file */
        }
        return 0;
    }
    struct cpw_inventory *inv = cpw_inventory_new();
    cpw_inventory_add_account(inv, "123456789012");
    struct cpw_audit_facts facts = { 0 };
    json_t *report = cpw_audit_evaluate(rules, inv, &facts, 1800000000);
    struct cpw_buf out;
    cpw_buf_init(&out, 1024 * 1024);
    for (int f = CPW_AUDIT_FORMAT_TABLE; f <= CPW_AUDIT_FORMAT_JUNIT; f++) {
        cpw_buf_reset(&out);
        (void)cpw_audit_write(report, (enum cpw_audit_format)f, &out);
    }
    cpw_buf_clean_up(&out);
    json_decref(report);
    cpw_inventory_destroy(inv);
    cpw_audit_rules_destroy(rules);
    return 0;
}
