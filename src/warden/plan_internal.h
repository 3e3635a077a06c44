/*
 * plan_internal.h - what the plan_*.c files share and nothing else sees.
 */
#ifndef CPW_WARDEN_PLAN_INTERNAL_H
#define CPW_WARDEN_PLAN_INTERNAL_H

#include <jansson.h>

#include "cpw/buf.h"
#include "cpw/plan.h"

/** Appends a copy of s to the string vector (*v, *n). */
void cpw_plan_strv_push(char ***v, size_t *n, const char *s);

/** Frees a string vector. */
void cpw_plan_strv_free(char **v, size_t n);

/** Frees what an action owns (not the struct itself). */
void cpw_plan_action_clean_up(struct cpw_plan_action *action);

/** Frees what a checklist owns (not the struct itself). */
void cpw_plan_checklist_clean_up(struct cpw_plan_checklist *list);

/**
 * Appends the canonical serialization of doc to out: compact, object keys sorted bytewise,
 * UTF-8, as docs/plan-format.md specifies. Returns 0 or -1.
 */
int cpw_plan_canonical_json(const json_t *doc, struct cpw_buf *out);

/** sha256 of bytes as lower-case hex into out. Returns 0 or -1. */
int cpw_plan_sha256_hex(struct cpw_span bytes, char out[CPW_SHA256_HEX_LEN + 1]);

/** Sorts an action's facts by key (the document and the fingerprint use that order). */
void cpw_plan_sort_facts(struct cpw_plan_action *action);

#endif
