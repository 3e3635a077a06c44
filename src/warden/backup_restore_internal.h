/*
 * backup_restore_internal.h - what the restore of a domain's configuration (backup_restore.c)
 * shares with the restore of its profiles (backup_restore_profiles.c).
 */
#ifndef CPW_WARDEN_BACKUP_RESTORE_INTERNAL_H
#define CPW_WARDEN_BACKUP_RESTORE_INTERNAL_H

#include <stdbool.h>

#include "cpw/backup.h"

struct cpw_restore_run {
    struct cpw_aws_client *client;
    const struct cpw_restore_options *opts;
    const char *domain;
    const char *region;
    char account[16];
    bool domain_exists;  /* the target domain exists (or was created by this run) */
    bool domain_created; /* this run created it */
    struct cpw_restore_summary summary;
    json_t *keyless;  /* target profiles without a standard key: fields text -> [ids] */
    unsigned changes; /* changing calls sent, for the kill_after_change hook */
};

/* What a lookup of one item in the target found. */
enum cpw_restore_lookup {
    CPW_RESTORE_UNREADABLE, /* the lookup failed; the error is raised */
    CPW_RESTORE_MISSING,    /* no such item (or no target domain yet) */
    CPW_RESTORE_FOUND,      /* the item, returned to the caller */
};

/** Counts action in the summary and tells the caller's report function. */
void cpw_restore_note(struct cpw_restore_run *run,
                      enum cpw_restore_action action,
                      const char *kind,
                      const char *name,
                      const char *detail);

/**
 * Calls a Customer Profiles operation on the target domain: sets input's DomainName (input is
 * consumed). *output (may be NULL) receives the output. Returns 0 or -1 (cpw_backup_call).
 * Every changing call (Create*, Put*, Update*) restores go through here, where the
 * kill_after_change test hook counts them.
 */
int cpw_restore_send(struct cpw_restore_run *run, const char *op, json_t *input, json_t **output);

/**
 * Restores the backup's profile records (read one at a time from reader), with the object
 * types section to find each object's PROFILE key. Returns 0, or -1 when the records cannot be
 * read (a service refusal of one profile is counted as failed, not returned).
 */
int cpw_restore_profiles(struct cpw_restore_run *run,
                         struct cpw_backup_reader *reader,
                         const json_t *object_types);

#endif
