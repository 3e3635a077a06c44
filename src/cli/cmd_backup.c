/*
 * cmd_backup.c - `cpwarden backup` (export a Customer Profiles domain into a backup file and
 * record it in the state store's backups index) and `cpwarden restore` (recreate a domain from
 * one). Both only parse arguments and call libcpw (backup.h, store.h).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "aws_opts.h"
#include "cli.h"
#include "cpw/backup.h"
#include "cpw/backup_file.h"
#include "cpw/error.h"
#include "cpw/file.h"
#include "cpw/json.h"
#include "cpw/store.h"
#include "cpw/time.h"
#include "session.h"

enum {
    OPT_DOMAIN = 1,
    OPT_WITH_PROFILES,
    OPT_STATE,
    OPT_DRY_RUN,
    OPT_FORCE,
    OPT_NO_PROFILES,
    OPT_VERIFY,
    OPT_ATTACH_INTEGRATIONS,
    OPT_KILL_AFTER_CHANGE,
};

static const struct option s_backup_long[] = {
    { "domain", required_argument, NULL, OPT_DOMAIN },
    { "output-file", required_argument, NULL, 'o' },
    { "with-profiles", no_argument, NULL, OPT_WITH_PROFILES },
    { "state", required_argument, NULL, OPT_STATE },
    { "verify", required_argument, NULL, OPT_VERIFY },
    { "help", no_argument, NULL, 'h' },
    CPW_CLI_AWS_LONG_OPTIONS,
    { NULL, 0, NULL, 0 },
};

/* `backup --verify FILE`: reads the whole file, touches nothing else, prints what it holds. */
static int s_verify(const char *path, bool json)
{
    struct cpw_backup_verify_report v;
    if (cpw_backup_verify(path, &v)) {
        cpw_cli_print_last_error("backup --verify: the backup file is refused");
        return CPW_EXIT_FAILED;
    }
    struct cpw_backup_reader *reader = cpw_backup_reader_open(path);
    if (!reader) {
        cpw_cli_print_last_error("backup --verify");
        return CPW_EXIT_FAILED;
    }
    const struct cpw_backup_header *h = cpw_backup_reader_header(reader);
    json_t *sections = json_object();
    for (int i = 0; i < CPW_BACKUP_SECTION_COUNT_; i++) {
        if (v.present[i]) {
            json_object_set_new(sections, cpw_backup_section_name((enum cpw_backup_section)i),
                                json_integer((json_int_t)v.items[i]));
        }
    }
    json_t *doc =
      json_pack("{s:s, s:b, s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:I, s:I}", "backup", path,
                "valid", 1, "format_version", v.format_version, "created_at", h->created_at,
                "account", h->account, "region", h->region, "domain", h->domain, "source_identity",
                h->source_identity, "sha256", v.sha256, "sections", sections, "profile_records",
                (json_int_t)v.records, "objects", (json_int_t)v.objects);
    cpw_backup_reader_destroy(reader);
    if (json) {
        struct cpw_buf out;
        cpw_buf_init(&out, 64u * 1024u);
        if (doc && cpw_json_dump_document(doc, &out) == 0) {
            fwrite(out.data, 1, out.len, stdout);
        }
        cpw_buf_clean_up(&out);
        cpw_json_release(doc);
        return CPW_EXIT_OK;
    }
    printf("backup: %s\nvalid: yes (format version %d, sha256 %s)\ncreated_at: %s\n"
           "account: %s\nregion: %s\ndomain: %s\nsource_identity: %s\n",
           path, v.format_version, v.sha256, cpw_json_get_string(doc, "created_at"),
           cpw_json_get_string(doc, "account"), cpw_json_get_string(doc, "region"),
           cpw_json_get_string(doc, "domain"), cpw_json_get_string(doc, "source_identity"));
    for (int i = 0; i < CPW_BACKUP_SECTION_COUNT_; i++) {
        if (v.present[i]) {
            printf("%s: %llu\n", cpw_backup_section_name((enum cpw_backup_section)i),
                   (unsigned long long)v.items[i]);
        }
    }
    printf("profile_records: %llu\nobjects: %llu\n", (unsigned long long)v.records,
           (unsigned long long)v.objects);
    cpw_json_release(doc);
    return CPW_EXIT_OK;
}

/* The backup's summary as one JSON document (--output json). */
static void s_print_json(const char *path,
                         int64_t id,
                         const struct cpw_backup_summary *summary,
                         const char *region,
                         const char *domain)
{
    const struct cpw_backup_counts *k = &summary->counts;
    json_t *doc = json_pack(
      "{s:s, s:I, s:s, s:s, s:s, s:s, s:{s:I, s:I, s:I, s:I, s:I, s:I}}", "backup", path, "id",
      (json_int_t)id, "account", summary->account, "region", region, "domain", domain, "sha256",
      summary->sha256, "counts", "object_types", (json_int_t)k->object_types, "integrations",
      (json_int_t)k->integrations, "event_streams", (json_int_t)k->event_streams,
      "calculated_attributes", (json_int_t)k->calculated_attributes, "profiles",
      (json_int_t)k->profiles, "profile_records", (json_int_t)summary->records);
    struct cpw_buf out;
    cpw_buf_init(&out, 64u * 1024u);
    if (doc && cpw_json_dump_document(doc, &out) == 0) {
        fwrite(out.data, 1, out.len, stdout);
    }
    cpw_buf_clean_up(&out);
    cpw_json_release(doc);
}

static int s_backup(int argc, char **argv)
{
    struct cpw_settings_options sopts;
    cpw_cli_aws_options_init(&sopts);
    const char *domain = NULL;
    const char *path = NULL;
    const char *state_dir = NULL;
    const char *verify = NULL;
    bool with_profiles = false;
    cpw_cli_getopt_start();
    int c;
    while ((c = cpw_cli_getopt("backup", argc, argv, "ho:", s_backup_long, &sopts)) != -1) {
        if (c == CPW_CLI_OPT_INVALID) {
            return CPW_EXIT_USAGE;
        }
        switch (c) {
        case OPT_DOMAIN:
            domain = optarg;
            break;
        case 'o':
            path = optarg;
            break;
        case OPT_WITH_PROFILES:
            with_profiles = true;
            break;
        case OPT_STATE:
            state_dir = optarg;
            break;
        case OPT_VERIFY:
            verify = optarg;
            break;
        default:
            return cpw_cli_option_error("backup", s_backup_long, argc, argv);
        }
    }
    if (optind != argc) {
        return cpw_cli_usage_error("backup", "unexpected argument '%s'", argv[optind]);
    }
    if (verify) {
        if (domain || path || with_profiles) {
            return cpw_cli_usage_error("backup", "--verify FILE takes no --domain, "
                                                 "--output-file or --with-profiles");
        }
        bool json = sopts.output && strcmp(sopts.output, "json") == 0;
        return s_verify(verify, json);
    }
    if (!domain) {
        return cpw_cli_usage_error("backup", "--domain NAME is required");
    }
    if (path && cpw_file_refuse_link(path)) { /* the writer refuses it too, after the calls */
        return cpw_cli_usage_error("backup", "--output-file: %s", cpw_last_error_detail());
    }
    struct cpw_cli_session session;
    cpw_cli_session_init(&session);
    const struct cpw_settings *settings = &session.settings;
    struct cpw_store *store = NULL;
    struct cpw_buf default_path;
    cpw_buf_init(&default_path, 4096);
    int exit_code = cpw_cli_session_settings(&session, &sopts);
    if (exit_code == CPW_EXIT_OK) {
        exit_code = cpw_cli_session_client(&session);
    }
    if (exit_code != CPW_EXIT_OK) {
        goto cleanup;
    }
    exit_code = CPW_EXIT_FAILED;
    if (!path) {
        if (cpw_backup_default_path(state_dir, domain, settings->region, cpw_time_now_s(),
                                    &default_path)) {
            cpw_cli_print_last_error("backup");
            goto cleanup;
        }
        path = cpw_buf_cstr(&default_path);
    }
    struct cpw_backup_options bopts = { .with_profiles = with_profiles };
    struct cpw_backup_summary summary;
    if (cpw_backup_domain(session.client, settings->region, domain, path, &bopts, &summary)) {
        cpw_cli_print_last_error("backup");
        exit_code = cpw_last_error() == CPW_ERR_AWS || cpw_last_error() == CPW_ERR_NOT_FOUND
                      ? CPW_EXIT_SERVICE
                      : cpw_cli_exit_for_error();
        goto cleanup;
    }
    store = cpw_store_open(&(struct cpw_store_options){ .dir = state_dir });
    int64_t id = 0;
    struct cpw_store_backup record = {
        .created_at_s = summary.created_at_s,
        .account = summary.account,
        .region = settings->region,
        .domain = (char *)domain,
        .path = (char *)path,
        .sha256 = summary.sha256,
        .counts = summary.counts,
        .records = summary.records,
    };
    if (!store || cpw_store_backup_add(store, &record, &id)) {
        cpw_cli_print_last_error("backup: the file was written but not recorded in the index");
        exit_code = CPW_EXIT_PARTIAL;
    } else {
        exit_code = CPW_EXIT_OK;
    }
    const struct cpw_backup_counts *k = &summary.counts;
    if (settings->output == CPW_OUTPUT_JSON) {
        s_print_json(path, id, &summary, settings->region, domain);
        goto cleanup;
    }
    printf("backup: %s\nid: %lld\naccount: %s\nregion: %s\ndomain: %s\nsha256: %s\n"
           "object_types: %llu\nintegrations: %llu\nevent_streams: %llu\n"
           "calculated_attributes: %llu\nprofiles: %llu\nprofile_records: %llu\n",
           path, (long long)id, summary.account, settings->region, domain, summary.sha256,
           (unsigned long long)k->object_types, (unsigned long long)k->integrations,
           (unsigned long long)k->event_streams, (unsigned long long)k->calculated_attributes,
           (unsigned long long)k->profiles, (unsigned long long)summary.records);
cleanup:
    cpw_store_destroy(store);
    cpw_cli_session_clean_up(&session);
    cpw_buf_clean_up(&default_path);
    return exit_code;
}

const struct cpw_cli_command cpw_cli_cmd_backup = {
    .name = "backup",
    .summary = "export a Customer Profiles domain's configuration into a backup file",
    .help =
      "usage: cpwarden backup --domain NAME [--region R] [-o PATH] [--with-profiles]\n"
      "                       [--state DIR] [AWS options]\n"
      "       cpwarden backup --verify FILE\n"
      "\n"
      "Exports the domain's whole configuration: settings, tags, matching and rule-based\n"
      "matching, object types, domain object types, integrations, workflows, event streams,\n"
      "calculated attributes, segment definitions, event triggers, layouts, recommender\n"
      "schemas, recommenders and recommender filters (docs/backup-format.md lists what is left\n"
      "out and why); with --with-profiles also every profile and its objects, streamed one at\n"
      "a time. The file (format version 2) is written with mode 0600 and recorded in the state\n"
      "store's backups index.\n"
      "\n"
      "  --domain NAME        the domain to back up (required)\n"
      "  -o, --output-file PATH\n"
      "                       where to write it (default: "
      "STATE/backups/NAME-REGION-TIME.cpwbackup);\n"
      "                       a symbolic link there is refused, never followed\n"
      "  --with-profiles      also export profiles and their objects\n"
      "  --state DIR          the state directory (default $XDG_STATE_HOME/cpwarden)\n"
      "  --verify FILE        check FILE without touching AWS (version 1 or 2, trailer,\n"
      "                       sha256, section counts, every record) and print what it holds\n"
      "\n" CPW_CLI_AWS_OPTIONS_HELP "\n"
      "Prints the file, its index id, sha256 and counts (--output text, the default, or json).\n"
      "Exit status: 0 written and recorded (or, with --verify, the file is sound);\n"
      "3 written but not recorded; 252 usage; 253 configuration; 254 an AWS call failed\n"
      "(nothing is written); 1 the file given to --verify is refused, or other failures; 255\n"
      "other failures.\n",
    .run = s_backup,
    .options = s_backup_long,
    .formats = "text,json",
    .writes_file = true,
};

/* ----- restore ---------------------------------------------------------------------------- */

static const struct option s_restore_long[] = {
    { "domain", required_argument, NULL, OPT_DOMAIN },
    { "dry-run", no_argument, NULL, OPT_DRY_RUN },
    { "force", no_argument, NULL, OPT_FORCE },
    { "no-profiles", no_argument, NULL, OPT_NO_PROFILES },
    { "attach-integrations", no_argument, NULL, OPT_ATTACH_INTEGRATIONS },
    { "kill-after-change", required_argument, NULL, OPT_KILL_AFTER_CHANGE }, /* test hook */
    { "help", no_argument, NULL, 'h' },
    CPW_CLI_AWS_LONG_OPTIONS,
    { NULL, 0, NULL, 0 },
};

static void s_report(void *user,
                     enum cpw_restore_action action,
                     const char *kind,
                     const char *name,
                     const char *detail)
{
    (void)user;
    /* One line per item, on stdout only: a warning is printed once. */
    printf("%-12s %-20s %s%s%s\n", cpw_restore_action_name(action), kind, name,
           detail[0] ? ": " : "", detail);
}

static int s_restore(int argc, char **argv)
{
    struct cpw_settings_options sopts;
    cpw_cli_aws_options_init(&sopts);
    struct cpw_restore_options ropts = { .report = s_report };
    cpw_cli_getopt_start();
    int c;
    while ((c = cpw_cli_getopt("restore", argc, argv, "h", s_restore_long, &sopts)) != -1) {
        if (c == CPW_CLI_OPT_INVALID) {
            return CPW_EXIT_USAGE;
        }
        switch (c) {
        case OPT_DOMAIN:
            ropts.domain = optarg;
            break;
        case OPT_DRY_RUN:
            ropts.dry_run = true;
            break;
        case OPT_FORCE:
            ropts.force = true;
            break;
        case OPT_NO_PROFILES:
            ropts.skip_profiles = true;
            break;
        case OPT_ATTACH_INTEGRATIONS:
            ropts.attach_integrations = true;
            break;
        case OPT_KILL_AFTER_CHANGE: { /* crash tests: SIGKILL right after the Nth change */
            uint64_t n = 0;
            if (cpw_span_to_u64(cpw_span_from_cstr(optarg), 1000000, &n) || n == 0) {
                return cpw_cli_usage_error("restore", "--kill-after-change takes 1 to 1000000");
            }
            ropts.kill_after_change = (unsigned)n;
            break;
        }
        default:
            return cpw_cli_option_error("restore", s_restore_long, argc, argv);
        }
    }
    if (argc - optind != 1) {
        return cpw_cli_usage_error("restore", "expected one BACKUP file");
    }
    const char *path = argv[optind];
    /* Verify the file before anything else: a bad file never reaches AWS. */
    struct cpw_backup_reader *reader = cpw_backup_reader_open(path);
    if (!reader) {
        cpw_cli_print_last_error("restore: the backup file is refused");
        return CPW_EXIT_FAILED;
    }
    char backup_region[64];
    snprintf(backup_region, sizeof(backup_region), "%s", cpw_backup_reader_header(reader)->region);
    cpw_backup_reader_destroy(reader);
    if (!sopts.region) {
        sopts.region = backup_region; /* default: where the backup was taken */
    }
    struct cpw_cli_session session;
    cpw_cli_session_init(&session);
    const struct cpw_settings *settings = &session.settings;
    int exit_code = cpw_cli_session_settings(&session, &sopts);
    if (exit_code == CPW_EXIT_OK) {
        exit_code = cpw_cli_session_client(&session);
    }
    if (exit_code != CPW_EXIT_OK) {
        goto cleanup;
    }
    ropts.region = settings->region;
    struct cpw_restore_summary summary;
    enum cpw_restore_status rc = cpw_restore_domain(session.client, path, &ropts, &summary);
    if (rc == CPW_RESTORE_STOPPED) {
        cpw_cli_print_last_error("restore");
        switch (cpw_last_error()) {
        case CPW_ERR_AWS:
        case CPW_ERR_NOT_FOUND:
            exit_code = CPW_EXIT_SERVICE;
            break;
        case CPW_ERR_CONFLICT:
        case CPW_ERR_PARSE:
        case CPW_ERR_VERSION:
        case CPW_ERR_INTEGRITY:
            exit_code = CPW_EXIT_FAILED;
            break;
        default:
            exit_code = cpw_cli_exit_for_error();
        }
        goto cleanup;
    }
    printf("%s: %u created, %u unchanged, %u updated, %u conflicts, %u warnings, %u failed, "
           "%u not restored\n",
           ropts.dry_run ? "dry run" : "restored", summary.created, summary.skipped,
           summary.updated, summary.conflicts, summary.warnings, summary.failed,
           summary.not_restored);
    exit_code = rc == CPW_RESTORE_COMPLETE ? CPW_EXIT_OK : CPW_EXIT_PARTIAL;
cleanup:
    cpw_cli_session_clean_up(&session);
    return exit_code;
}

const struct cpw_cli_command cpw_cli_cmd_restore = {
    .name = "restore",
    .summary = "recreate a Customer Profiles domain from a backup file",
    .help =
      "usage: cpwarden restore BACKUP [--domain NEW] [--region R] [--dry-run] [--force]\n"
      "                        [--no-profiles] [--attach-integrations] [AWS options]\n"
      "\n"
      "Verifies BACKUP (format version 1 or 2, completeness, sha256) before anything is sent,\n"
      "then recreates the domain, its tags and every configuration item the backup holds, in\n"
      "dependency order (object types, domain object types, calculated attributes, segment\n"
      "definitions, event triggers, integrations, event streams, layouts, recommender\n"
      "schemas, recommenders, recommender filters) and, when the backup has them, its\n"
      "profiles and their objects, in the current account and --region (default: the\n"
      "backup's region). Items already there and equal are skipped, so restoring twice (or\n"
      "again after an interruption) changes nothing twice. A domain that exists with other\n"
      "settings is reported and left alone unless --force; other differing items are reported\n"
      "as conflicts. What cannot be recreated (a workflow, a recommender's trained state) is\n"
      "reported as not-restored with the reason. An integration whose Uri is a live Connect\n"
      "instance that another domain integrates is not re-attached unless\n"
      "--attach-integrations; one the target does not have is restored with a warning.\n"
      "\n"
      "  --domain NEW     restore under another domain name\n"
      "  --dry-run        print what would be created; change nothing\n"
      "  --force          overwrite differing settings and items\n"
      "  --no-profiles    leave the backup's profiles out\n"
      "  --attach-integrations\n"
      "                   also attach live Connect instances that another domain integrates\n"
      "  --kill-after-change N\n"
      "                   (crash tests) SIGKILL right after the Nth change is sent\n"
      "\n" CPW_CLI_AWS_OPTIONS_HELP "\n"
      "Prints one line per item (create, skip, update, conflict, warning, failed,\n"
      "not-restored) on stdout, each once, and a total.\n"
      "Exit status: 0 done; 3 some items conflicted or failed; 1 the file is refused or the\n"
      "domain conflicts; 252 usage; 253 configuration; 254 an AWS call failed.\n",
    .run = s_restore,
    .options = s_restore_long,
    .formats = "text",
};
