/*
 * doctor_run.c - the doctor's calls (doctor.h): the identity and credentials rows, which regions
 * answer, iam:SimulatePrincipalPolicy over every action the commands need (one call per kind of
 * resource, for the union of the commands' actions), the SCPs that deny an action in a member
 * account (Organizations' policies of the account, its OUs and the root, each tried with
 * iam:SimulateCustomPolicy), dry probes where the simulation is denied, the journal's
 * deletion tasks, CloudTrail's DeleteDomain failures (events.h) and the engines' throttling.
 */
#include <stdio.h>
#include <string.h>

#include "cpw/accounts.h"
#include "cpw/alloc.h"
#include "cpw/audit.h"
#include "cpw/aws_call.h"
#include "cpw/doctor.h"
#include "cpw/error.h"
#include "cpw/events.h"
#include "cpw/json.h"
#include "cpw/time.h"

#define MAX_OU_DEPTH      8  /* Organizations nests OUs at most 5 deep under the root */
#define MAX_SCPS_PER_NODE 10 /* Organizations attaches at most 5 SCPs to a node */

/* The commands checked unless told: the clean-up itself. */
static const char *const s_default_commands[] = { "inventory", "plan",    "apply",
                                                  "backup",    "restore", "audit" };

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

struct run {
    const struct cpw_doctor_options *o;
    struct cpw_doctor_report *report;
    const char *const *commands;
    size_t command_count;
    const char *partition;
};

/* One call, classified; input consumed. 0 with *out, or -1 (aws filled when AWS answered). */
static int s_call(struct cpw_aws_client *client,
                  const char *service,
                  const char *operation,
                  json_t *input,
                  const char *region,
                  bool all_pages,
                  json_t **out,
                  struct cpw_aws_error *aws,
                  enum cpw_aws_outcome *outcome)
{
    struct cpw_aws_call call = {
        .service = service, .operation = operation, .input = input, .region = region
    };
    int rc = cpw_aws_call_classified(client, &call, all_pages, out, aws, outcome);
    cpw_json_release(input);
    return rc;
}

static void s_aws_reset(struct cpw_aws_error *aws)
{
    cpw_aws_error_clean_up(aws);
    cpw_aws_error_init(aws);
}

/* The principal SimulatePrincipalPolicy takes for caller_arn, or NULL (root, or not a user or
 * role): the role of an assumed-role session (path "/": the session ARN does not carry it). */
static char *s_principal(const char *arn)
{
    const char *p = strstr(arn ? arn : "", ":assumed-role/");
    if (p && strncmp(arn, "arn:", 4) == 0) {
        const char *name = p + strlen(":assumed-role/");
        const char *end = strchr(name, '/');
        size_t name_len = end ? (size_t)(end - name) : strlen(name);
        /* arn:PARTITION:sts::ACCOUNT:assumed-role/NAME/SESSION */
        const char *part = arn + 4;
        const char *part_end = strchr(part, ':');
        const char *acct = part_end ? strstr(part_end, "::") : NULL;
        if (!part_end || !acct) {
            return NULL;
        }
        acct += 2;
        size_t acct_len = (size_t)(p - acct);
        struct cpw_buf b;
        cpw_buf_init(&b, 2048);
        int rc = cpw_buf_appendf(&b, "arn:%.*s:iam::%.*s:role/%.*s", (int)(part_end - part), part,
                                 (int)acct_len, acct, (int)name_len, name);
        char *out = rc == 0 ? cpw_strdup(cpw_buf_cstr(&b)) : NULL;
        cpw_buf_clean_up(&b);
        return out;
    }
    if (strstr(arn ? arn : "", ":user/") || strstr(arn ? arn : "", ":role/")) {
        return cpw_strdup(arn);
    }
    return NULL;
}

/* ----- regions ---------------------------------------------------------------------------------
 */

static void s_regions(struct run *run, const char *account, struct cpw_aws_client *client)
{
    for (size_t i = 0; i < run->o->region_count; i++) {
        const char *region = run->o->regions[i];
        json_t *out = NULL;
        struct cpw_aws_error aws;
        cpw_aws_error_init(&aws);
        enum cpw_aws_outcome oc = CPW_AWS_OUTCOME_OTHER;
        if (s_call(client, "customer-profiles", "ListDomains", json_pack("{s:i}", "MaxResults", 1),
                   region, false, &out, &aws, &oc) == 0) {
            cpw_doctor_add(run->report, account, "regions", CPW_DOCTOR_OK, region,
                           "Customer Profiles answers (ListDomains)", NULL);
        } else if (oc == CPW_AWS_OUTCOME_ACCESS_DENIED) {
            cpw_doctor_add(run->report, account, "regions", CPW_DOCTOR_FAIL, region,
                           cpw_last_error_detail(),
                           "allow profile:ListDomains on \"*\" (cpwarden policy --command "
                           "inventory)");
        } else {
            char fix[512];
            snprintf(fix, sizeof(fix),
                     "leave %s out (--regions), or check that it is enabled for the account and "
                     "that its endpoint is reachable",
                     region);
            cpw_doctor_add(run->report, account, "regions", CPW_DOCTOR_FAIL, region,
                           cpw_last_error_detail(), fix);
        }
        cpw_error_clear();
        cpw_json_release(out);
        cpw_aws_error_clean_up(&aws);
    }
}

/* ----- SCPs ------------------------------------------------------------------------------------
 */

/* The decision of one policy document for action on resource (SimulateCustomPolicy), or NULL. */
static char *s_custom_decision(struct cpw_aws_client *client,
                               const char *content,
                               const char *action,
                               const char *resource)
{
    json_t *in = json_pack("{s:[s], s:[s]}", "PolicyInputList", content, "ActionNames", action);
    if (strcmp(resource, "*") != 0) {
        cpw_json_set_take(in, "ResourceArns", json_pack("[s]", resource));
    }
    json_t *out = NULL;
    struct cpw_aws_error aws;
    cpw_aws_error_init(&aws);
    enum cpw_aws_outcome oc;
    char *decision = NULL;
    if (s_call(client, "iam", "SimulateCustomPolicy", in, NULL, true, &out, &aws, &oc) == 0) {
        struct cpw_doctor_decision *d = NULL;
        size_t n = 0;
        if (cpw_doctor_parse_simulation(out, &d, &n) == 0 && n > 0) {
            decision = cpw_strdup(d[0].decision);
        }
        cpw_doctor_decisions_free(d, n);
    }
    cpw_error_clear();
    cpw_json_release(out);
    cpw_aws_error_clean_up(&aws);
    return decision;
}

/* The organization's root id into out (node_count incremented), when ListRoots answers. */
static void s_root(struct cpw_aws_client *mgmt, char *out, size_t out_size, size_t *node_count)
{
    json_t *roots = NULL;
    struct cpw_aws_error aws;
    cpw_aws_error_init(&aws);
    enum cpw_aws_outcome oc;
    if (s_call(mgmt, "organizations", "ListRoots", NULL, NULL, true, &roots, &aws, &oc) == 0) {
        const char *id = cpw_json_get_string(json_array_get(cpw_json_get(roots, "Roots"), 0), "Id");
        if (id) {
            snprintf(out, out_size, "%s", id);
            (*node_count)++;
        }
    }
    cpw_error_clear();
    cpw_json_release(roots);
    cpw_aws_error_clean_up(&aws);
}

/*
 * Which SCPs on the path from the root to account deny action: the explicit denies, else the
 * nodes none of whose SCPs allows it. A sentence (owned) or NULL when the management account
 * cannot tell (not the management account, or a call refused).
 */
static char *s_scp_hint(struct run *run, const char *account, const char *action, const char *res)
{
    struct cpw_aws_client *mgmt = run->o->client;
    char nodes[MAX_OU_DEPTH + 2][80];
    size_t node_count = 0;
    snprintf(nodes[node_count++], sizeof(nodes[0]), "%s", account);
    struct cpw_buf denies;
    struct cpw_buf none;
    cpw_buf_init(&denies, 16u * 1024u);
    cpw_buf_init(&none, 16u * 1024u);
    char *hint = NULL;
    bool failed = false;
    bool walked = true;
    for (size_t depth = 0; depth <= MAX_OU_DEPTH && !failed; depth++) {
        json_t *out = NULL;
        struct cpw_aws_error aws;
        cpw_aws_error_init(&aws);
        enum cpw_aws_outcome oc;
        if (s_call(mgmt, "organizations", "ListParents",
                   json_pack("{s:s}", "ChildId", nodes[node_count - 1]), NULL, true, &out, &aws,
                   &oc)) {
            /* No path: the account's own SCPs and the root's still tell (an OU's are missed). */
            cpw_error_clear();
            s_root(mgmt, nodes[node_count], sizeof(nodes[0]), &node_count);
            walked = false;
            depth = MAX_OU_DEPTH + 1;
        } else {
            const json_t *parent = json_array_get(cpw_json_get(out, "Parents"), 0);
            const char *id = cpw_json_get_string(parent, "Id");
            const char *type = cpw_json_get_string(parent, "Type");
            if (!id || node_count == COUNT(nodes)) {
                failed = !id;
                depth = MAX_OU_DEPTH + 1;
            } else {
                snprintf(nodes[node_count++], sizeof(nodes[0]), "%s", id);
                if (type && strcmp(type, "ROOT") == 0) {
                    depth = MAX_OU_DEPTH + 1;
                }
            }
        }
        cpw_json_release(out);
        cpw_aws_error_clean_up(&aws);
    }
    for (size_t i = 0; i < node_count && !failed; i++) {
        json_t *out = NULL;
        struct cpw_aws_error aws;
        cpw_aws_error_init(&aws);
        enum cpw_aws_outcome oc;
        if (s_call(
              mgmt, "organizations", "ListPoliciesForTarget",
              json_pack("{s:s, s:s}", "TargetId", nodes[i], "Filter", "SERVICE_CONTROL_POLICY"),
              NULL, true, &out, &aws, &oc)) {
            failed = true;
        }
        size_t k;
        const json_t *p;
        size_t allowing = 0;
        size_t seen = 0;
        struct cpw_buf names;
        cpw_buf_init(&names, 4096);
        json_array_foreach(cpw_json_get(out, "Policies"), k, p)
        {
            const char *id = cpw_json_get_string(p, "Id");
            const char *name = cpw_json_get_string(p, "Name");
            if (!id || failed || seen == MAX_SCPS_PER_NODE) {
                continue;
            }
            seen++;
            json_t *desc = NULL;
            s_aws_reset(&aws);
            if (s_call(mgmt, "organizations", "DescribePolicy", json_pack("{s:s}", "PolicyId", id),
                       NULL, false, &desc, &aws, &oc)) {
                failed = true;
                continue;
            }
            const char *content = cpw_json_get_string(cpw_json_get(desc, "Policy"), "Content");
            char *decision = content ? s_custom_decision(mgmt, content, action, res) : NULL;
            if (!decision) {
                failed = true;
            } else if (strcmp(decision, "explicitDeny") == 0) {
                (void)cpw_buf_appendf(&denies, "%sSCP %s (%s) attached to %s",
                                      denies.len ? "; " : "", id, name ? name : "?", nodes[i]);
            } else if (strcmp(decision, "allowed") == 0) {
                allowing++;
            }
            (void)cpw_buf_appendf(&names, "%s%s (%s)", names.len ? ", " : "", id,
                                  name ? name : "?");
            cpw_free(decision);
            cpw_json_release(desc);
        }
        if (!failed && allowing == 0) {
            (void)cpw_buf_appendf(&none, "%s%s [%s]", none.len ? "; " : "", nodes[i],
                                  names.len ? cpw_buf_cstr(&names) : "no SCP attached");
        }
        cpw_buf_clean_up(&names);
        cpw_json_release(out);
        cpw_aws_error_clean_up(&aws);
    }
    cpw_error_clear();
    struct cpw_buf b;
    cpw_buf_init(&b, 32u * 1024u);
    if (!failed && denies.len) {
        (void)cpw_buf_appendf(&b,
                              "look at %s: it denies %s; remove that statement, or move account "
                              "%s out of its reach (the management account edits SCPs)",
                              cpw_buf_cstr(&denies), action, account);
    } else if (!failed && !walked) {
        (void)cpw_buf_appendf(&b,
                              "neither the SCPs of account %s nor the root's deny %s: look at "
                              "the SCPs of the OUs above the account (ListParents was refused)",
                              account, action);
    } else if (!failed && none.len) {
        (void)cpw_buf_appendf(&b,
                              "no SCP allows %s at %s: attach one that allows it (FullAWSAccess, "
                              "or a statement naming it) at each of those",
                              action, cpw_buf_cstr(&none));
    }
    hint = b.len ? cpw_strdup(cpw_buf_cstr(&b)) : NULL;
    cpw_buf_clean_up(&b);
    cpw_buf_clean_up(&denies);
    cpw_buf_clean_up(&none);
    return hint;
}

/* ----- permissions -----------------------------------------------------------------------------
 */

/* The rows of the commands checked in group, command by command (rows[] sized by the table). */
static size_t s_rows_of(const char *command,
                        enum cpw_permissions_resource group,
                        const struct cpw_permission **rows)
{
    size_t count = 0;
    size_t n = 0;
    const struct cpw_permission *all = cpw_permissions(&count);
    for (size_t i = 0; i < count; i++) {
        /* AWS answers GetCallerIdentity whatever the policies say: nothing to check */
        if (all[i].resource != group || strcmp(all[i].command, command) != 0 ||
            strcmp(all[i].action, "sts:GetCallerIdentity") == 0) {
            continue;
        }
        bool dup = false;
        for (size_t k = 0; k < n && !dup; k++) {
            dup = strcmp(rows[k]->action, all[i].action) == 0;
        }
        if (!dup) {
            rows[n++] = &all[i];
        }
    }
    return n;
}

struct probe {
    const char *action;
    const char *service;
    const char *operation;
    const char *input;
    bool regional;
};

/* Cheap reads, one per service cpwarden calls, where the simulation cannot be asked. */
static const struct probe s_probes[] = {
    { "iam:ListRoles", "iam", "ListRoles", "{\"MaxItems\": 1}", false },
    { "profile:ListDomains", "customer-profiles", "ListDomains", "{\"MaxResults\": 1}", true },
    { "connect:ListInstances", "connect", "ListInstances", "{\"MaxResults\": 1}", true },
    { "cloudtrail:LookupEvents", "cloudtrail", "LookupEvents", "{\"MaxResults\": 1}", true },
};

static void s_probe(struct run *run,
                    const char *account,
                    struct cpw_aws_client *client,
                    const char *why,
                    bool denied)
{
    char detail[1024];
    snprintf(detail, sizeof(detail),
             "iam:SimulatePrincipalPolicy could not be used (%s): dry probes instead, one read per "
             "service; write actions (DeleteDomain, DeleteServiceLinkedRole, ...) are not checked",
             why);
    cpw_doctor_add(run->report, account, "permission", CPW_DOCTOR_FAIL,
                   "iam:SimulatePrincipalPolicy", detail,
                   denied ? "allow iam:SimulatePrincipalPolicy on the principal's own ARN "
                            "(cpwarden policy --command doctor) so that every action can be "
                            "checked"
                          : "the write actions are unchecked: compare the principal's policies "
                            "with 'cpwarden policy' by hand, or run doctor where IAM answers "
                            "the simulation");
    const char *region = run->o->region_count ? run->o->regions[0] : NULL;
    for (size_t i = 0; i < COUNT(s_probes); i++) {
        const struct probe *p = &s_probes[i];
        json_t *out = NULL;
        struct cpw_aws_error aws;
        cpw_aws_error_init(&aws);
        enum cpw_aws_outcome oc = CPW_AWS_OUTCOME_OTHER;
        int rc = s_call(client, p->service, p->operation, cpw_json_load_cstr(p->input),
                        p->regional ? region : NULL, false, &out, &aws, &oc);
        char text[1024];
        if (rc == 0) {
            snprintf(text, sizeof(text), "dry probe: %s answered", p->operation);
            cpw_doctor_add(run->report, account, "permission", CPW_DOCTOR_OK, p->action, text,
                           NULL);
        } else {
            snprintf(text, sizeof(text), "dry probe: %s", cpw_last_error_detail());
            char fix[256];
            snprintf(fix, sizeof(fix),
                     "add to the principal's policy: {\"Effect\":\"Allow\","
                     "\"Action\":[\"%s\"],\"Resource\":\"*\"}",
                     p->action);
            cpw_doctor_add(run->report, account, "permission",
                           oc == CPW_AWS_OUTCOME_ACCESS_DENIED ? CPW_DOCTOR_FAIL : CPW_DOCTOR_WARN,
                           p->action, text, fix);
        }
        cpw_error_clear();
        cpw_json_release(out);
        cpw_aws_error_clean_up(&aws);
    }
}

/* SimulatePrincipalPolicy for every action of group the commands need. 0, or -1 (*why set). */
static int s_simulate(struct cpw_aws_client *client,
                      const char *principal,
                      const char *const *actions,
                      size_t n,
                      const char *resource,
                      struct cpw_doctor_decision **d,
                      size_t *dn,
                      char *why,
                      size_t why_size,
                      enum cpw_aws_outcome *oc)
{
    json_t *names = json_array();
    for (size_t i = 0; i < n; i++) {
        cpw_json_append_take(names, json_string(actions[i]));
    }
    json_t *in = json_pack("{s:s, s:o}", "PolicySourceArn", principal, "ActionNames", names);
    if (strcmp(resource, "*") != 0) {
        cpw_json_set_take(in, "ResourceArns", json_pack("[s]", resource));
    }
    json_t *out = NULL;
    struct cpw_aws_error aws;
    cpw_aws_error_init(&aws);
    int rc = s_call(client, "iam", "SimulatePrincipalPolicy", in, NULL, true, &out, &aws, oc);
    if (rc == 0) {
        rc = cpw_doctor_parse_simulation(out, d, dn);
    }
    if (rc != 0) {
        snprintf(why, why_size, "%s", cpw_last_error_detail());
        cpw_error_clear();
    }
    cpw_json_release(out);
    cpw_aws_error_clean_up(&aws);
    return rc;
}

static void s_permissions(struct run *run,
                          const char *account,
                          struct cpw_aws_client *client,
                          const char *caller_arn,
                          bool member)
{
    char *principal =
      !member && run->o->principal ? cpw_strdup(run->o->principal) : s_principal(caller_arn);
    if (!principal) {
        if (strstr(caller_arn ? caller_arn : "", ":root")) {
            cpw_doctor_add(run->report, account, "permission", CPW_DOCTOR_INFO, "root",
                           "the account's root user: every action is allowed unless an SCP denies "
                           "it (none applies to the management account); not simulated",
                           "use an IAM role with 'cpwarden policy' instead of the root user");
            return;
        }
        s_probe(run, account, client, "the caller is neither an IAM user nor a role", false);
        return;
    }
    size_t total = 0;
    const struct cpw_permission *all = cpw_permissions(&total);
    const struct cpw_permission **rows = cpw_calloc(total, sizeof(*rows));
    const char **actions = cpw_calloc(total, sizeof(*actions));
    struct cpw_permissions_options popts = {
        .partition = run->partition,
        .role_name = run->o->role_name,
        .account = account,
    };
    bool probed = false;
    for (int g = 0; g < CPW_PERMISSIONS_RES_COUNT && !probed; g++) {
        /* the union of the commands' actions on this group, one simulation */
        size_t n = 0;
        for (size_t c = 0; c < run->command_count; c++) {
            size_t rn = s_rows_of(run->commands[c], (enum cpw_permissions_resource)g, rows);
            for (size_t i = 0; i < rn; i++) {
                bool dup = false;
                for (size_t k = 0; k < n && !dup; k++) {
                    dup = strcmp(actions[k], rows[i]->action) == 0;
                }
                if (!dup) {
                    actions[n++] = rows[i]->action;
                }
            }
        }
        if (n == 0) {
            continue;
        }
        char arn[512];
        if (cpw_permissions_resource((enum cpw_permissions_resource)g, &popts, arn, sizeof(arn))) {
            cpw_error_clear();
            continue;
        }
        struct cpw_doctor_decision *d = NULL;
        size_t dn = 0;
        char why[1024];
        enum cpw_aws_outcome oc = CPW_AWS_OUTCOME_OTHER;
        if (s_simulate(client, principal, actions, n, arn, &d, &dn, why, sizeof(why), &oc)) {
            s_probe(run, account, client, why, oc == CPW_AWS_OUTCOME_ACCESS_DENIED);
            probed = true;
            continue;
        }
        for (size_t c = 0; c < run->command_count; c++) {
            size_t rn = s_rows_of(run->commands[c], (enum cpw_permissions_resource)g, rows);
            char *hint = NULL;
            for (size_t i = 0; i < rn && member && !hint; i++) {
                for (size_t k = 0; k < dn && !hint; k++) {
                    if (d[k].organizations_denied && strcmp(d[k].action, rows[i]->action) == 0) {
                        hint = s_scp_hint(run, account, rows[i]->action, arn);
                    }
                }
            }
            cpw_doctor_check_permissions(run->report, account, rows, rn, d, dn, hint, &popts);
            cpw_free(hint);
        }
        cpw_doctor_decisions_free(d, dn);
    }
    (void)all;
    cpw_free(rows);
    cpw_free(actions);
    cpw_free(principal);
}

/* ----- deletion tasks, DeleteDomain failures, throttling ---------------------------------------
 */

struct reached {
    const char *account;
    struct cpw_aws_client *client;
};

static void s_tasks(struct run *run, const struct reached *accounts, size_t count)
{
    if (!run->o->store) {
        return;
    }
    struct cpw_audit_facts facts;
    memset(&facts, 0, sizeof(facts));
    if (cpw_audit_read_deletion_tasks(run->o->store, &facts) != 0) {
        cpw_doctor_add(run->report, "", "deletion-task", CPW_DOCTOR_WARN, NULL,
                       cpw_last_error_detail(), "check the state store (--state)");
        cpw_error_clear();
        return;
    }
    for (size_t t = 0; t < facts.task_count; t++) {
        const char *task = facts.tasks[t].task_id;
        bool answered = false;
        for (size_t a = 0; a < count && !answered; a++) {
            json_t *out = NULL;
            struct cpw_aws_error aws;
            cpw_aws_error_init(&aws);
            enum cpw_aws_outcome oc = CPW_AWS_OUTCOME_OTHER;
            if (s_call(accounts[a].client, "iam", "GetServiceLinkedRoleDeletionStatus",
                       json_pack("{s:s}", "DeletionTaskId", task), NULL, false, &out, &aws,
                       &oc) == 0) {
                cpw_doctor_check_deletion_task(run->report, accounts[a].account, task, out);
                answered = true;
            } else if (oc != CPW_AWS_OUTCOME_NOT_FOUND) {
                cpw_doctor_add(
                  run->report, accounts[a].account, "deletion-task",
                  oc == CPW_AWS_OUTCOME_ACCESS_DENIED ? CPW_DOCTOR_FAIL : CPW_DOCTOR_WARN, task,
                  cpw_last_error_detail(), "allow iam:GetServiceLinkedRoleDeletionStatus on \"*\"");
                answered = true;
            }
            cpw_error_clear();
            cpw_json_release(out);
            cpw_aws_error_clean_up(&aws);
        }
        if (!answered) {
            cpw_doctor_add(run->report, "", "deletion-task", CPW_DOCTOR_INFO, task,
                           "no account checked knows this task (NoSuchEntity): it ended long ago "
                           "or belongs to an account not checked",
                           NULL);
        }
    }
    cpw_audit_facts_clean_up(&facts);
}

static void s_delete_failures(struct run *run, const struct reached *accounts, size_t count)
{
    struct cpw_events_account *ea = cpw_calloc(count ? count : 1, sizeof(*ea));
    for (size_t i = 0; i < count; i++) {
        ea[i].account = accounts[i].account;
        ea[i].client = accounts[i].client;
    }
    int64_t now = run->o->now_s ? run->o->now_s : cpw_time_now_s();
    struct cpw_events_options eo = {
        .accounts = ea,
        .account_count = count,
        .regions = run->o->regions,
        .region_count = run->o->region_count,
        .since_s = run->o->events_since_s ? run->o->events_since_s : now - 24 * 3600,
    };
    struct cpw_events list;
    memset(&list, 0, sizeof(list));
    if (cpw_events_collect(&eo, &list) != 0) {
        cpw_doctor_add(run->report, "", "delete-domain", CPW_DOCTOR_WARN, NULL,
                       cpw_last_error_detail(), NULL);
        cpw_error_clear();
    }
    for (size_t a = 0; a < count; a++) {
        struct cpw_doctor_delete_failure *f = cpw_calloc(list.count + 1, sizeof(*f));
        size_t n = 0;
        for (size_t i = 0; i < list.count; i++) {
            const struct cpw_event *e = &list.items[i];
            if (strcmp(e->account, accounts[a].account) == 0 &&
                strcmp(e->event_name, "DeleteDomain") == 0 && e->error_code[0]) {
                f[n++] = (struct cpw_doctor_delete_failure){ .domain = e->resource,
                                                             .region = e->region,
                                                             .error_code = e->error_code,
                                                             .at_s = e->time_s };
            }
        }
        cpw_doctor_check_delete_failures(run->report, accounts[a].account, f, n, now);
        cpw_free(f);
    }
    for (size_t i = 0; i < list.error_count; i++) {
        char fix[256];
        snprintf(fix, sizeof(fix), "allow cloudtrail:LookupEvents on \"*\" in account %s",
                 list.errors[i].account);
        cpw_doctor_add(run->report, list.errors[i].account, "delete-domain", CPW_DOCTOR_WARN,
                       list.errors[i].region, list.errors[i].message, fix);
    }
    cpw_events_clean_up(&list);
    cpw_free(ea);
}

/* ----- the run ----------------------------------------------------------------------------------
 */

static void s_identity_rows(struct run *run)
{
    const struct cpw_doctor_options *o = run->o;
    char detail[512];
    const char *key = o->access_key_id ? o->access_key_id : "";
    size_t len = strlen(key);
    snprintf(detail, sizeof(detail), "found in: %s; access key ****%s",
             o->credentials_source ? o->credentials_source : "unknown",
             len >= 4 ? key + len - 4 : "");
    cpw_doctor_add(run->report, o->account, "credentials", CPW_DOCTOR_OK,
                   o->credentials_source ? o->credentials_source : "unknown", detail, NULL);
    cpw_doctor_check_clock(run->report, o->account, o->identity_local_s, o->identity_date);
    snprintf(detail, sizeof(detail), "%s (account %s)", o->arn, o->account);
    cpw_doctor_add(run->report, o->account, "identity", CPW_DOCTOR_OK, o->arn, detail, NULL);
}

int cpw_doctor_run(const struct cpw_doctor_options *options, struct cpw_doctor_report *report)
{
    if (!options || !options->client || !options->account || !options->arn) {
        return cpw_raise(CPW_ERR_INVALID_ARGUMENT, "doctor: client and identity required");
    }
    struct run run = {
        .o = options,
        .report = report,
        .commands = options->command_count ? options->commands : s_default_commands,
        .command_count =
          options->command_count ? options->command_count : COUNT(s_default_commands),
        .partition = "aws",
    };
    char partition[32] = "aws";
    if (strncmp(options->arn, "arn:", 4) == 0) {
        const char *end = strchr(options->arn + 4, ':');
        if (end && (size_t)(end - options->arn - 4) < sizeof(partition)) {
            snprintf(partition, sizeof(partition), "%.*s", (int)(end - options->arn - 4),
                     options->arn + 4);
            run.partition = partition;
        }
    }
    s_identity_rows(&run);

    struct reached *reached = NULL;
    size_t reached_count = 0;
    char **ids = NULL;
    size_t id_count = 0;
    struct cpw_accounts *set = NULL;
    if (options->org) {
        char *acct = NULL;
        char *arn = NULL;
        if (cpw_events_accounts(options->client, true, &acct, &arn, &ids, &id_count) != 0) {
            cpw_doctor_add(report, options->account, "organization", CPW_DOCTOR_FAIL, NULL,
                           cpw_last_error_detail(),
                           "run doctor --org from the organization's management account, with "
                           "organizations:ListAccounts allowed");
            cpw_error_clear();
        }
        cpw_free(acct);
        cpw_free(arn);
        struct cpw_accounts_options aopts = {
            .caller = options->client,
            .client_options = options->client_options,
            .caller_account = options->account,
            .caller_arn = options->arn,
            .role_name = options->role_name,
        };
        set = cpw_accounts_new(&aopts);
    }
    reached = cpw_calloc(id_count + 1, sizeof(*reached));
    reached[reached_count++] = (struct reached){ options->account, options->client };
    s_regions(&run, options->account, options->client);
    s_permissions(&run, options->account, options->client, options->arn, false);
    for (size_t i = 0; i < id_count && set; i++) {
        if (strcmp(ids[i], options->account) == 0) {
            continue;
        }
        struct cpw_aws_client *member = cpw_accounts_client(set, ids[i]);
        char role_arn[512];
        snprintf(role_arn, sizeof(role_arn), "arn:%s:iam::%s:role/%s", run.partition, ids[i],
                 options->role_name ? options->role_name : CPW_ACCOUNTS_DEFAULT_ROLE_NAME);
        if (!member) {
            char fix[1024];
            snprintf(fix, sizeof(fix),
                     "the role %s must exist in the member, trust account %s, and the caller "
                     "needs sts:AssumeRole on it",
                     role_arn, options->account);
            cpw_doctor_add(report, ids[i], "identity", CPW_DOCTOR_FAIL, role_arn,
                           cpw_last_error_detail(), fix);
            cpw_error_clear();
            continue;
        }
        char detail[640];
        snprintf(detail, sizeof(detail), "reached through %s (AssumeRole)", role_arn);
        cpw_doctor_add(report, ids[i], "identity", CPW_DOCTOR_OK, role_arn, detail, NULL);
        reached[reached_count++] = (struct reached){ ids[i], member };
        s_regions(&run, ids[i], member);
        /* the session's principal is the role itself */
        char session[600];
        snprintf(session, sizeof(session), "arn:%s:sts::%s:assumed-role/%s/cpwarden-doctor",
                 run.partition, ids[i],
                 options->role_name ? options->role_name : CPW_ACCOUNTS_DEFAULT_ROLE_NAME);
        s_permissions(&run, ids[i], member, session, true);
    }
    s_tasks(&run, reached, reached_count);
    s_delete_failures(&run, reached, reached_count);
    uint64_t requests = 0;
    uint64_t throttles = 0;
    uint64_t retries = 0;
    for (size_t i = 0; i < reached_count; i++) {
        struct cpw_http_engine_stats st;
        cpw_http_engine_get_stats(cpw_aws_client_engine(reached[i].client), &st);
        requests += st.requests_sent;
        throttles += st.throttles;
        retries += st.retries;
    }
    cpw_doctor_check_throttling(report, options->account, requests, throttles, retries);
    cpw_free(reached);
    cpw_accounts_destroy(set);
    cpw_accounts_list_free(ids, id_count);
    return 0;
}
