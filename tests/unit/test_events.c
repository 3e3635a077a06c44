/*
 * test_events.c - `cpwarden events` without AWS: reading LookupEvents items (which events are
 * reported, who made them, about which resource), the join with the journal, and the state file
 * (each event once; corrupt, planted or hostile files refused and left unchanged).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cpw/alloc.h"
#include "cpw/buf.h"
#include "cpw/error.h"
#include "cpw/events.h"
#include "cpw/json.h"
#include "harness.h"

#define T0 1796400000 /* 2026-12-04T16:00:00Z */

/* A LookupEvents item as CloudTrail (and the sandbox) returns it. */
static json_t *s_item(const char *id,
                      const char *name,
                      const char *source,
                      const char *when,
                      const char *arn,
                      const char *request_json)
{
    json_t *req = NULL;
    assert_int_equal(cpw_json_load(cpw_span_from_cstr(request_json), 4096, &req), 0);
    json_t *record =
      json_pack("{s:s, s:s, s:s, s:{s:s, s:s?}, s:o, s:s, s:s}", "eventSource", source, "eventTime",
                when, "awsRegion", "us-east-1", "userIdentity", "type",
                arn ? "IAMUser" : "AWSService", "arn", arn, "requestParameters", req,
                "recipientAccountId", "123456789012", "sourceIPAddress", "192.0.2.1");
    struct cpw_buf text;
    cpw_buf_init(&text, 1u << 16);
    assert_int_equal(cpw_json_dump(record, &text), 0);
    json_t *item =
      json_pack("{s:s, s:s, s:s, s:s, s:s}", "EventId", id, "EventName", name, "EventSource",
                source, "EventTime", when, "CloudTrailEvent", cpw_buf_cstr(&text));
    cpw_buf_clean_up(&text);
    json_decref(record);
    return item;
}

static void test_reads_lookup_items(void **state)
{
    (void)state;
    struct cpw_event ev;
    json_t *item = s_item("e1", "DeleteDomain", "profile.amazonaws.com", "2026-12-04T16:00:05Z",
                          "arn:aws:iam::123456789012:user/alice", "{\"domainName\": \"dom-a\"}");
    assert_int_equal(cpw_event_from_lookup(item, "999999999999", &ev), 1);
    assert_string_equal(ev.resource, "dom-a");
    assert_string_equal(ev.resource_type, "domain");
    assert_string_equal(ev.actor, "arn:aws:iam::123456789012:user/alice");
    assert_string_equal(ev.account, "123456789012"); /* the recipient, not the one looked in */
    assert_int_equal(ev.time_s, T0 + 5);
    assert_string_equal(ev.error_code, "");
    cpw_event_clean_up(&ev);
    json_decref(item);

    /* OpsWorks has a CreateInstance too: not ours. */
    item =
      s_item("e2", "CreateInstance", "opsworks.amazonaws.com", "2026-12-04T16:00:05Z", NULL, "{}");
    assert_int_equal(cpw_event_from_lookup(item, "123456789012", &ev), 0);
    json_decref(item);
    /* A service-linked role of another service: not ours; of Customer Profiles: ours. */
    item = s_item("e3", "DeleteServiceLinkedRole", "iam.amazonaws.com", "2026-12-04T16:00:05Z",
                  "arn:aws:iam::123456789012:root", "{\"roleName\": \"AWSServiceRoleForECS\"}");
    assert_int_equal(cpw_event_from_lookup(item, "123456789012", &ev), 0);
    json_decref(item);
    item = s_item("e4", "CreateServiceLinkedRole", "iam.amazonaws.com", "2026-12-04T16:00:05Z",
                  NULL, "{\"aWSServiceName\": \"profile.amazonaws.com\"}");
    assert_int_equal(cpw_event_from_lookup(item, "123456789012", &ev), 1);
    assert_string_equal(ev.resource_type, "service-linked-role");
    assert_string_equal(ev.actor_type, "AWSService");
    cpw_event_clean_up(&ev);
    json_decref(item);
    /* Malformed: no id, or a CloudTrailEvent that is not JSON. */
    item = json_pack("{s:s}", "EventName", "DeleteDomain");
    assert_int_equal(cpw_event_from_lookup(item, "123456789012", &ev), -1);
    json_decref(item);
    item = json_pack("{s:s, s:s, s:s}", "EventId", "x", "EventName", "DeleteDomain",
                     "CloudTrailEvent", "{not json");
    assert_int_equal(cpw_event_from_lookup(item, "123456789012", &ev), -1);
    assert_int_equal(cpw_last_error(), CPW_ERR_PARSE);
    json_decref(item);
}

static void s_push(struct cpw_events *list, const char *id, const char *name, int64_t t)
{
    json_t *item = NULL;
    char when[80];
    struct cpw_event ev;
    int64_t s = t - T0;
    snprintf(when, sizeof(when), "2026-12-04T16:%02lld:%02lldZ", (long long)(s / 60),
             (long long)(s % 60));
    item = s_item(id, name, "profile.amazonaws.com", when, "arn:aws:iam::123456789012:root",
                  "{\"domainName\": \"dom-a\"}");
    assert_int_equal(cpw_event_from_lookup(item, "123456789012", &ev), 1);
    json_decref(item);
    list->items = cpw_realloc(list->items, (list->count + 1) * sizeof(*list->items));
    list->items[list->count++] = ev;
}

static void test_join_with_journal(void **state)
{
    (void)state;
    struct cpw_events list = { 0 };
    s_push(&list, "e1", "DeleteDomain", T0 + 30);
    s_push(&list, "e2", "CreateDomain", T0 + 40);
    struct cpw_journal_entry steps[] = {
        { .run_id = 4,
          .at = "2026-12-04T16:00:31Z",
          .plan_checksum = "abc",
          .action_id = "a3",
          .kind = "delete-domain",
          .target = "dom-a (123456789012 us-east-1)" },
        { .run_id = 3,
          .at = "2026-12-04T15:00:00Z",
          .plan_checksum = "old",
          .action_id = "a3",
          .kind = "delete-domain",
          .target = "dom-a (123456789012 us-east-1)" },
        { .run_id = 5,
          .at = "2026-12-04T16:00:31Z",
          .plan_checksum = "x",
          .action_id = "a1",
          .kind = "delete-domain",
          .target = "dom-a (123456789012 eu-west-2)" },
    };
    cpw_events_join(&list, steps, 3);
    assert_int_equal(list.items[0].run_id, 4); /* the nearest step in time, same region */
    assert_string_equal(list.items[0].plan_checksum, "abc");
    assert_int_equal(list.items[1].run_id, 0); /* cpwarden never creates domains */

    json_t *doc = cpw_events_json(&list);
    const json_t *events = cpw_json_get(doc, "events");
    assert_int_equal(json_integer_value(cpw_json_get(json_array_get(events, 0), "cpwarden_run_id")),
                     4);
    assert_true(json_is_null(cpw_json_get(json_array_get(events, 1), "cpwarden_run_id")));
    cpw_json_release(doc);
    struct cpw_buf csv;
    cpw_buf_init(&csv, 1u << 16);
    assert_int_equal(cpw_events_csv(&list, &csv), 0);
    assert_non_null(strstr(cpw_buf_cstr(&csv), ",e1,4,abc,a3\r\n"));
    cpw_buf_clean_up(&csv);
    cpw_events_clean_up(&list);
}

static char s_dir[64];
static char s_path[128];

static void s_write(const char *text, mode_t mode)
{
    unlink(s_path);
    FILE *f = fopen(s_path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    chmod(s_path, mode);
}

static void s_expect_refused(const char *text, mode_t mode, enum cpw_error code, const char *why)
{
    s_write(text, mode);
    struct cpw_events_state st;
    assert_int_equal(cpw_events_state_load(s_path, &st), -1);
    assert_int_equal(cpw_last_error(), code);
    assert_non_null(strstr(cpw_last_error_detail(), why));
    assert_int_equal(st.seen_count, 0);
    /* Unchanged: the same bytes. */
    struct cpw_buf again;
    cpw_buf_init(&again, 1u << 20);
    assert_int_equal(cpw_buf_read_file(&again, s_path), 0);
    assert_string_equal(cpw_buf_cstr(&again), text);
    cpw_buf_clean_up(&again);
}

static void test_state_file_reports_once(void **state)
{
    (void)state;
    snprintf(s_dir, sizeof(s_dir), "/tmp/cpw-events-XXXXXX");
    assert_non_null(mkdtemp(s_dir));
    snprintf(s_path, sizeof(s_path), "%s/events.state", s_dir);

    struct cpw_events_state st;
    assert_int_equal(cpw_events_state_load(s_path, &st), 0); /* missing: the first run */
    assert_int_equal(st.since_s, 0);
    struct cpw_events list = { 0 };
    s_push(&list, "e1", "DeleteDomain", T0 + 30);
    s_push(&list, "e2", "UpdateDomain", T0 + 50);
    assert_int_equal(cpw_events_state_advance(&st, &list, T0 + 1000, true), 0);
    assert_int_equal(list.count, 2);
    assert_int_equal(st.since_s, T0 + 1000 - CPW_EVENTS_STATE_OVERLAP_S);
    assert_true(cpw_events_state_seen(&st, "e1"));
    assert_int_equal(cpw_events_state_save(s_path, &st), 0);
    struct stat sb;
    assert_int_equal(stat(s_path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    cpw_events_state_clean_up(&st);
    cpw_events_clean_up(&list);

    /* The next run finds e1, e2 again and a new e3: only e3 is left. */
    assert_int_equal(cpw_events_state_load(s_path, &st), 0);
    assert_int_equal(st.since_s, T0 - 2600);
    s_push(&list, "e1", "DeleteDomain", T0 + 30);
    s_push(&list, "e2", "UpdateDomain", T0 + 50);
    s_push(&list, "e3", "DeleteDomain", T0 + 500);
    assert_int_equal(cpw_events_state_advance(&st, &list, T0 + 4100, false), 0);
    assert_int_equal(list.count, 1);
    assert_string_equal(list.items[0].event_id, "e3");
    assert_int_equal(st.since_s, T0 - 2600); /* incomplete: the start stays for a retry */
    assert_true(cpw_events_state_seen(&st, "e3"));
    cpw_events_clean_up(&list);
    /* A complete run later moves the start and forgets the ids before it. */
    assert_int_equal(cpw_events_state_advance(&st, &list, T0 + 3640, true), 0);
    assert_int_equal(st.since_s, T0 + 40);
    assert_false(cpw_events_state_seen(&st, "e1"));
    assert_true(cpw_events_state_seen(&st, "e2"));
    assert_true(cpw_events_state_seen(&st, "e3"));
    cpw_events_state_clean_up(&st);
    cpw_events_clean_up(&list);
}

static void test_state_file_refuses_hostile_files(void **state)
{
    (void)state;
    s_expect_refused("{not json", 0600, CPW_ERR_PARSE, "not valid JSON");
    s_expect_refused("[1, 2]", 0600, CPW_ERR_PARSE, "not a JSON object");
    s_expect_refused("{\"format_version\": 2, \"since\": \"2026-12-04T16:00:00Z\", \"seen\": []}",
                     0600, CPW_ERR_PARSE, "format_version");
    s_expect_refused("{\"format_version\": 1, \"since\": \"2026-12-04T16:00:00Z\", \"seen\": [], "
                     "\"x\": 1}",
                     0600, CPW_ERR_PARSE, "other keys");
    s_expect_refused("{\"format_version\": 1, \"since\": \"yesterday\", \"seen\": []}", 0600,
                     CPW_ERR_PARSE, "since");
    s_expect_refused("{\"format_version\": 1, \"since\": \"2999-01-01T00:00:00Z\", \"seen\": []}",
                     0600, CPW_ERR_PARSE, "future");
    s_expect_refused("{\"format_version\": 1, \"since\": \"2026-12-04T16:00:00Z\", \"seen\": "
                     "[{\"id\": 7, \"time\": \"2026-12-04T16:00:00Z\"}]}",
                     0600, CPW_ERR_PARSE, "entry of seen");
    s_expect_refused("{\"format_version\": 1, \"since\": \"2026-12-04T16:00:00Z\", \"seen\": "
                     "[{\"id\": \"a\", \"time\": \"2026-12-04T16:00:00Z\"}, {\"id\": \"a\", "
                     "\"time\": \"2026-12-04T16:00:00Z\"}]}",
                     0600, CPW_ERR_PARSE, "twice");
    char long_id[400];
    snprintf(long_id, sizeof(long_id),
             "{\"format_version\": 1, \"since\": \"2026-12-04T16:00:00Z\", \"seen\": [{\"id\": "
             "\"%0200d\", \"time\": \"2026-12-04T16:00:00Z\"}]}",
             1);
    s_expect_refused(long_id, 0600, CPW_ERR_PARSE, "1-128 bytes");
    s_expect_refused("{\"format_version\": 1, \"since\": \"2026-12-04T16:00:00Z\", \"seen\": []}",
                     0666, CPW_ERR_IO, "writable by other users");

    /* A symbolic link planted at the path is refused, for reading and for writing. */
    char target[160];
    snprintf(target, sizeof(target), "%s/elsewhere", s_dir);
    s_write("{\"format_version\": 1, \"since\": \"2026-12-04T16:00:00Z\", \"seen\": []}", 0600);
    assert_int_equal(rename(s_path, target), 0);
    assert_int_equal(symlink(target, s_path), 0);
    struct cpw_events_state st;
    assert_int_equal(cpw_events_state_load(s_path, &st), -1);
    assert_non_null(strstr(cpw_last_error_detail(), "symbolic link"));
    struct cpw_events_state empty = { .since_s = T0 };
    assert_int_equal(cpw_events_state_save(s_path, &empty), -1);
    struct stat sb;
    assert_int_equal(lstat(s_path, &sb), 0);
    assert_true(S_ISLNK(sb.st_mode));
    unlink(s_path);
    unlink(target);
    rmdir(s_dir);
}

/* CloudTrail times have one-second resolution: within a second the lifecycle decides, whatever
 * the (random) event ids say; a repeated id is listed once. */
static void test_same_second_in_lifecycle_order(void **state)
{
    (void)state;
    struct cpw_events list = { 0 };
    s_push(&list, "a-delete-domain", "DeleteDomain", T0 + 5);
    s_push(&list, "b-create-domain", "CreateDomain", T0 + 5);
    s_push(&list, "c-delete-integration", "DeleteIntegration", T0 + 5);
    s_push(&list, "0-earlier", "DeleteDomain", T0 + 4);
    s_push(&list, "a-delete-domain", "DeleteDomain", T0 + 5);
    cpw_events_sort(&list);
    const char *want[] = { "0-earlier", "b-create-domain", "c-delete-integration",
                           "a-delete-domain" };
    assert_int_equal(list.count, 4);
    for (size_t i = 0; i < 4; i++) {
        assert_string_equal(list.items[i].event_id, want[i]);
    }
    cpw_events_clean_up(&list);
}

CPW_TEST_MAIN("events",
              CPW_TEST(test_same_second_in_lifecycle_order),
              CPW_TEST(test_reads_lookup_items),
              CPW_TEST(test_join_with_journal),
              CPW_TEST(test_state_file_reports_once),
              CPW_TEST(test_state_file_refuses_hostile_files))
