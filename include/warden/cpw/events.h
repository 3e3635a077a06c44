/*
 * events.h - who created, changed or deleted Connect instances, Customer Profiles domains and
 * their service-linked roles, from CloudTrail (LookupEvents), joined with cpwarden's own journal,
 * and the state file that lets a scheduled run report each event once (docs/events.md).
 *
 * Lookups: in every region, LookupEvents by event name for CreateInstance, DeleteInstance
 * (connect.amazonaws.com), CreateDomain, UpdateDomain, DeleteDomain, PutIntegration,
 * DeleteIntegration (profile.amazonaws.com); in us-east-1, where IAM records, for
 * CreateServiceLinkedRole, DeleteServiceLinkedRole and DeleteRole of the two services' roles
 * (AWSServiceRoleForProfile*, AWSServiceRoleForAmazonConnect*, or aWSServiceName naming
 * profile/connect). Every page is read (bounded); events of other services with the same names
 * are dropped. A lookup that fails is kept as an error and the others go on.
 *
 * Ownership: a struct cpw_events owns every event and string in it (cpw_events_destroy).
 * Thread-safety: none; one thread per list.
 */
#ifndef CPW_EVENTS_H
#define CPW_EVENTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpw/aws_client.h"
#include "cpw/buf.h"
#include "cpw/journal.h"

/** IAM records its events in this region (aws partition). */
#define CPW_EVENTS_IAM_REGION "us-east-1"

/** A journal step joins an event of the same resource at most this far apart in time. */
#define CPW_EVENTS_JOIN_WINDOW_S 900

/** At most this many LookupEvents pages per account, region and event name. */
#define CPW_EVENTS_MAX_PAGES 2000

/** One CloudTrail event about an instance, a domain or a service-linked role. */
struct cpw_event {
    char *event_id;
    int64_t time_s;
    char *account;       /* recipientAccountId (else the account looked up) */
    char *region;        /* awsRegion */
    char *event_name;    /* DeleteDomain, ... */
    char *event_source;  /* profile.amazonaws.com, ... */
    char *resource_type; /* "instance", "domain", "integration", "service-linked-role" */
    char *resource;      /* instance id or alias, domain name, role name ("" unknown) */
    char *actor;         /* userIdentity.arn (else its type and principal) */
    char *actor_type;    /* userIdentity.type: Root, IAMUser, AssumedRole, AWSService, ... */
    char *invoked_by;    /* userIdentity.invokedBy or "" */
    char *error_code;    /* "" when the call succeeded */
    char *source_ip;
    /* from the journal (cpw_events_join); 0 / NULL when no cpwarden step matches */
    int64_t run_id;
    char *plan_checksum;
    char *step; /* the plan action id */
};

/** A lookup that failed: where, and the sentence. */
struct cpw_events_error {
    char *account;
    char *region;
    char *message;
};

struct cpw_events {
    struct cpw_event *items; /* oldest first (time, lifecycle order, event id) after collection */
    size_t count;
    size_t cap;
    struct cpw_events_error *errors;
    size_t error_count;
};

/** Frees everything in list and zeroes it. NULL is a no-op. */
void cpw_events_clean_up(struct cpw_events *list);

/** One account to look into: its client (borrowed) and id. */
struct cpw_events_account {
    const char *account;
    struct cpw_aws_client *client; /* NULL: the account could not be reached (error given) */
    const char *error;             /* why, when client is NULL */
};

struct cpw_events_options {
    const struct cpw_events_account *accounts;
    size_t account_count;
    const char *const *regions; /* where Connect and Customer Profiles events are looked up */
    size_t region_count;
    int64_t since_s; /* StartTime */
};

/**
 * Who calls (STS GetCallerIdentity: *caller_account, *caller_arn) and which accounts to look
 * into: the caller's, or with org every ACTIVE account of the organization (Organizations
 * ListAccounts, every page), sorted. Strings owned (cpw_free; the list with
 * cpw_accounts_list_free). Returns 0, or -1 with the call's error raised.
 */
int cpw_events_accounts(struct cpw_aws_client *caller,
                        bool org,
                        char **caller_account,
                        char **caller_arn,
                        char ***ids,
                        size_t *count);

/**
 * Looks the events up in every account and region of opts and appends them (deduplicated by
 * event id) to list, sorted oldest first. Lookups that fail become list->errors. Returns 0, or
 * -1 on an internal failure (nothing about AWS answers).
 */
int cpw_events_collect(const struct cpw_events_options *opts, struct cpw_events *list);

/**
 * Sorts list oldest first (events of the same second in lifecycle order: creations, then
 * deletions as an apply makes them, then by event id) and drops repeated event ids.
 */
void cpw_events_sort(struct cpw_events *list);

/**
 * Reads one LookupEvents "Events" item into ev (owned; cpw_event_clean_up), looked up in
 * account. Returns 1 when it is an event this listing reports, 0 when it is not (another
 * service's event, a role of another service), -1 when it is malformed (raised).
 */
int cpw_event_from_lookup(const json_t *item, const char *account, struct cpw_event *ev);

/** Frees one event's strings. */
void cpw_event_clean_up(struct cpw_event *ev);

/**
 * Marks the events cpwarden made: a journal step whose action matches the event (delete-domain
 * and DeleteDomain, delete-integration and DeleteIntegration, delete-service-linked-role and
 * DeleteServiceLinkedRole) on the same resource, account (and region) within
 * CPW_EVENTS_JOIN_WINDOW_S; the nearest step in time wins.
 */
void cpw_events_join(struct cpw_events *list, const struct cpw_journal_entry *steps, size_t n);

/* ----- output ------------------------------------------------------------------------------ */

/** The JSON document {"format_version": 1, "events": [...], "errors": [...]} (new reference). */
json_t *cpw_events_json(const struct cpw_events *list);

/** Appends the table (one line per event, a header) or the CSV (RFC 4180). 0 or -1. */
int cpw_events_table(const struct cpw_events *list, struct cpw_buf *out);
int cpw_events_csv(const struct cpw_events *list, struct cpw_buf *out);

/* ----- the state file ---------------------------------------------------------------------- */

/** Events delivered this long after they happened are still reported (CloudTrail's delay). */
#define CPW_EVENTS_STATE_OVERLAP_S 3600

/** At most this many event ids are remembered. */
#define CPW_EVENTS_STATE_MAX_IDS 100000

/**
 * What a scheduled run remembers: where the next lookup starts and the ids already reported at
 * or after that time. Owned strings.
 */
struct cpw_events_seen {
    char *id;
    int64_t time_s;
};

struct cpw_events_state {
    int64_t since_s;              /* 0: no state yet */
    struct cpw_events_seen *seen; /* event ids reported, sorted by id */
    size_t seen_count;
};

/**
 * Reads path into state. A missing file is an empty state (0). Anything else that is not a
 * state file this build wrote (a link, not a regular file, over 16 MiB, malformed JSON, another
 * format_version, wrong types, too many ids, an id over 128 bytes) fails with CPW_ERR_PARSE or
 * CPW_ERR_IO naming the file and what is wrong, and nothing is changed. Returns 0 or -1.
 */
int cpw_events_state_load(const char *path, struct cpw_events_state *state);

/** True when the event id is remembered as reported. */
bool cpw_events_state_seen(const struct cpw_events_state *state, const char *event_id);

/**
 * Removes from list the events state has already reported (cpw_events_state_seen), then
 * records the remaining ones in state and moves since_s to now_s - CPW_EVENTS_STATE_OVERLAP_S
 * unless complete is false (some lookups failed: the start stays, so a retry finds them).
 * Forgets ids older than the new start. Returns 0 or -1.
 */
int cpw_events_state_advance(struct cpw_events_state *state,
                             struct cpw_events *list,
                             int64_t now_s,
                             bool complete);

/**
 * Writes state to path whole or not at all (a temporary file beside it, mode 0600, renamed
 * over it; a symbolic link at path is refused). Returns 0 or -1 with CPW_ERR_IO.
 */
int cpw_events_state_save(const char *path, const struct cpw_events_state *state);

/** Frees the state's lists and zeroes it. */
void cpw_events_state_clean_up(struct cpw_events_state *state);

#endif
