/*
 * backup.h - `cpwarden backup` and `cpwarden restore` as library calls: export one Customer
 * Profiles domain's whole configuration (and optionally its profiles with their objects) into a
 * backup file (backup_file.h), and recreate a domain from such a file, idempotently.
 *
 * Export: GetDomain (settings, matching, rule-based matching), ListTagsForResource on the domain
 * ARN, and every list section (backup_file.h): object types, domain object types, integrations,
 * workflows, event streams, calculated attributes, segment definitions, event triggers, layouts,
 * recommender schemas, recommenders (without trained state) and recommender filters, each
 * listed (every page) and read in full; cpw_backup_coverage names what is left out and why.
 * With profiles, every
 * profile (enumerated with ListProfileAttributeValues on ProfileId, read in batches with
 * SearchProfiles on _profileId) and its objects (ListProfileObjects per object type), written as
 * one record per profile so memory stays flat.
 *
 * Restore: compares every item of the backup with what the target already holds; an equal item
 * is skipped, a missing one created, a different one reported as a conflict (and overwritten
 * only with force). A second restore of the same backup therefore changes nothing.
 *
 * Ownership: the client is borrowed; summaries are plain data. Thread-safety: the client's.
 */
#ifndef CPW_BACKUP_H
#define CPW_BACKUP_H

#include <stdbool.h>
#include <stdint.h>

#include "cpw/aws_client.h"
#include "cpw/backup_file.h"
#include "cpw/buf.h"

struct cpw_backup_options {
    bool with_profiles;          /* also export profiles and their objects as records */
    const char *account;         /* the domain's account; NULL: STS GetCallerIdentity */
    const char *source_identity; /* the caller's ARN for the header; NULL: GetCallerIdentity */
};

struct cpw_backup_summary {
    char account[16];
    char sha256[65]; /* hex digest of the whole file */
    struct cpw_backup_counts counts;
    uint64_t items[CPW_BACKUP_SECTION_COUNT_]; /* items per list section */
    uint64_t records;                          /* profile records written */
    int64_t created_at_s;
};

/**
 * Exports domain (in region, required) into a new backup file at path (mode 0600,
 * written atomically; the directory must exist). options may be NULL. Fills *summary (may be
 * NULL). Returns 0, or -1 with the error raised: CPW_ERR_AWS (a call failed; the detail names
 * the operation and the AWS error), CPW_ERR_IO, CPW_ERR_INVALID_ARGUMENT. On failure no file
 * appears at path.
 */
int cpw_backup_domain(struct cpw_aws_client *client,
                      const char *region,
                      const char *domain,
                      const char *path,
                      const struct cpw_backup_options *options,
                      struct cpw_backup_summary *summary);

/**
 * Appends DIR/DOMAIN-REGION-TAG.cpwbackup to out: the one naming of backup files, whether
 * `cpwarden backup` (TAG: the time, YYYYMMDDTHHMMSSZ) or apply (TAG: the account and the plan's
 * checksum prefix, so a resumed run finds the same file) writes them. Returns 0 or -1.
 */
int cpw_backup_file_name(struct cpw_buf *out,
                         const char *dir,
                         const char *domain,
                         const char *region,
                         const char *tag);

/**
 * Appends the default backup path to out: DIR/backups/DOMAIN-REGION-YYYYMMDDTHHMMSSZ.cpwbackup
 * where DIR is state_dir, else the store's default directory (store.h), and creates
 * DIR/backups with mode 0700. Returns 0, or -1 (CPW_ERR_CONFIG, CPW_ERR_IO, CPW_ERR_LIMIT).
 */
int cpw_backup_default_path(const char *state_dir,
                            const char *domain,
                            const char *region,
                            int64_t now_s,
                            struct cpw_buf *out);

/*
 * Coverage: every Customer Profiles List/Get operation that reads a domain is either carried
 * (carried_in names the sections or records holding what it reads) or excluded
 * (excluded_because says why; docs/backup-format.md lists the same). Exactly one of the two is
 * set. Strings are static.
 */
struct cpw_backup_coverage {
    const char *operation;
    const char *carried_in;
    const char *excluded_because;
};

/** Entries to walk with cpw_backup_coverage_at (0 .. count-1). */
size_t cpw_backup_coverage_count(void);

/** Entry i: 0 with *out set, 1 for an empty slot (skip it), -1 past the end. */
int cpw_backup_coverage_at(size_t i, struct cpw_backup_coverage *out);

/**
 * Counts, into counts[section] (zeroed first), the items of every configuration kind after the
 * four version 1 counted (domain object types, workflows, segment definitions, event triggers,
 * layouts, recommender schemas, recommenders, recommender filters) with their List operations,
 * every page. Best effort: a kind that cannot be listed stays 0 (for impact summaries, never
 * for decisions). Returns how many kinds could not be listed.
 */
unsigned cpw_backup_count_kinds(struct cpw_aws_client *client,
                                const char *region,
                                const char *domain,
                                uint64_t counts[CPW_BACKUP_SECTION_COUNT_]);

/* ----- restore ---------------------------------------------------------------------------- */

/** What restore did (or, with dry_run, would do) to one item. */
/*
 * X(action, name): what the restore did with one item.
 *   create    created (or would be)
 *   skip      already there, equal
 *   update    different, overwritten because of force
 *   conflict  different, left alone
 *   warning   restored or tried, with a caveat (detail says which)
 *   failed    the service refused it (detail says why)
 *   not-restored  left out by design: cannot be recreated, or not re-attached, or the part of
 *             an item that is not (detail says why)
 */
#define CPW_RESTORE_ACTION_LIST(X)                                                                 \
    X(CPW_RESTORE_CREATE, "create")                                                                \
    X(CPW_RESTORE_SKIP, "skip")                                                                    \
    X(CPW_RESTORE_UPDATE, "update")                                                                \
    X(CPW_RESTORE_CONFLICT, "conflict")                                                            \
    X(CPW_RESTORE_WARNING, "warning")                                                              \
    X(CPW_RESTORE_FAILED, "failed")                                                                \
    X(CPW_RESTORE_NOT_RESTORED, "not-restored")

enum cpw_restore_action {
#define CPW_RESTORE_ACTION_ENUM_(e, name) e,
    CPW_RESTORE_ACTION_LIST(CPW_RESTORE_ACTION_ENUM_)
#undef CPW_RESTORE_ACTION_ENUM_
      CPW_RESTORE_ACTION_COUNT_
};

/** The action's name from CPW_RESTORE_ACTION_LIST. Static storage. */
const char *cpw_restore_action_name(enum cpw_restore_action action);

/**
 * Told about every item: kind ("domain", "tags", "object-type", "domain-object-type",
 * "calculated-attribute", "segment-definition", "event-trigger", "integration", "workflow",
 * "event-stream", "layout", "recommender-schema", "recommender", "recommender-filter",
 * "profile", "profiles"), its name, and a detail sentence (may be "").
 * Strings are borrowed for the call.
 */
typedef void(cpw_restore_report_fn)(void *user,
                                    enum cpw_restore_action action,
                                    const char *kind,
                                    const char *name,
                                    const char *detail);

struct cpw_restore_options {
    const char *domain;  /* target domain name; NULL: the backup's */
    const char *region;  /* target region; NULL: the client's */
    const char *account; /* target account (Connect ARN checks); NULL: GetCallerIdentity */
    bool dry_run;        /* compare and report; send nothing that changes anything */
    bool force;          /* overwrite differing items (domain settings included) */
    bool skip_profiles;  /* leave the backup's profile records out */
    /* Also restore integrations whose Uri is a live Connect instance that another domain of
     * the target integrates (left out by default: a copy never takes a live instance). */
    bool attach_integrations;
    /* Test hook (restore --kill-after-change N): raise SIGKILL right after the Nth changing
     * call (Create*, Put*, Update*) succeeded, so crash tests can interrupt a restore anywhere.
     * 0: off. */
    unsigned kill_after_change;
    cpw_restore_report_fn *report; /* may be NULL */
    void *report_user;
};

struct cpw_restore_summary {
    unsigned created;
    unsigned skipped;
    unsigned updated;
    unsigned conflicts;
    unsigned warnings;
    unsigned failed;
    unsigned not_restored;
    uint64_t profiles_created;
    uint64_t profiles_skipped;
    uint64_t objects_put;
};

/* How a restore ended (the values are those of the earlier int results). */
enum cpw_restore_status {
    CPW_RESTORE_STOPPED = -1, /* nothing more could be done; the error is raised */
    CPW_RESTORE_COMPLETE = 0, /* every item created or already equal (warnings allowed) */
    CPW_RESTORE_PARTIAL = 1,  /* some items conflicted or failed; the summary counts them */
};

/**
 * Verifies the backup file (backup_file.h: version, completeness, checksum) before anything is
 * sent, then recreates what it holds in the target. options may be NULL. Returns
 * CPW_RESTORE_COMPLETE when every item is created or already equal (warnings allowed),
 * CPW_RESTORE_PARTIAL when some items conflicted or failed (the summary counts them; nothing else
 * was stopped by them), or CPW_RESTORE_STOPPED with the error raised: the
 * reader's errors (CPW_ERR_VERSION, CPW_ERR_PARSE, CPW_ERR_INTEGRITY), CPW_ERR_AWS when the
 * domain itself cannot be read or created, or a conflicting domain without force
 * (CPW_ERR_AWS is not used for that: CPW_ERR_INVALID_ARGUMENT with the differing settings named).
 */
enum cpw_restore_status cpw_restore_domain(struct cpw_aws_client *client,
                                           const char *path,
                                           const struct cpw_restore_options *options,
                                           struct cpw_restore_summary *summary);

#endif
