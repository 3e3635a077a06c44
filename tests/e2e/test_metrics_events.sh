#!/usr/bin/env bash
# test_metrics_events.sh - `cpwarden events` and `cpwarden metrics` on the sandbox's "orphans"
# scenario: changes made with the AWS CLI (as another IAM user) and with cpwarden apply are each
# listed once with the right actor, cpwarden's marked with its run id from the journal; a second
# run with the state file reports nothing new; a corrupt state file is refused unchanged; the
# OpenMetrics text parses (prometheus_client) and matches the inventory; --cloudwatch publishes
# the same values, read back with `aws cloudwatch list-metrics` / `get-metric-data`.
# shellcheck source=cleanup_lib.sh
source "$(dirname "$0")/cleanup_lib.sh"

AWSCLI=/usr/bin/aws
[ -x "$AWSCLI" ] || { echo "the AWS CLI v2 (Debian's awscli) is missing"; exit 77; }
start_orphans
EV_REGIONS=us-east-1,eu-west-2
STATE_FILE="$E2E_TMP/events.state"
rc() { "$@" >"$E2E_TMP/out" 2>"$E2E_TMP/err"; echo $?; }

# ---- changes outside cpwarden: another IAM user with the AWS CLI ------------------------------
cpw api iam create-user '{"UserName": "alice"}' >/dev/null
# Authorization is on: alice administers Connect and Customer Profiles (AmazonConnect_FullAccess
# covers only domains named amazon-connect-*, so the profile actions come inline).
cpw api iam attach-user-policy '{"UserName": "alice",
    "PolicyArn": "arn:aws:iam::aws:policy/AmazonConnect_FullAccess"}' >/dev/null
cpw api iam put-user-policy '{"UserName": "alice", "PolicyName": "profiles", "PolicyDocument":
    "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"profile:*\", \"Resource\": \"*\"}]}"}' \
    >/dev/null
cpw api iam create-access-key '{"UserName": "alice"}' --output json >"$E2E_TMP/key.json"
alice() {
    AWS_ACCESS_KEY_ID=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["AccessKey"]["AccessKeyId"])' "$E2E_TMP/key.json") \
    AWS_SECRET_ACCESS_KEY=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["AccessKey"]["SecretAccessKey"])' "$E2E_TMP/key.json") \
        "$AWSCLI" --endpoint-url "$ENDPOINT" "$@"
}
alice customer-profiles create-domain --domain-name manual-scratch --default-expiration-days 30 \
    --region us-east-1 >/dev/null
alice customer-profiles delete-domain --domain-name manual-scratch --region us-east-1 >/dev/null
INSTANCE=$(alice connect create-instance --identity-management-type CONNECT_MANAGED \
    --instance-alias manual-instance --inbound-calls-enabled --outbound-calls-enabled \
    --region eu-west-2 --query Id --output text)
alice connect delete-instance --instance-id "$INSTANCE" --region eu-west-2

# ---- changes by cpwarden: plan + apply the orphans' clean-up -----------------------------------
cpw plan --regions "$REGIONS" -o "$E2E_TMP/plan.json" >/dev/null
cpw apply "$E2E_TMP/plan.json" --yes "${FAST[@]}" >/dev/null 2>"$E2E_TMP/apply.err"
check "apply cleaned up" test $? -eq 0

# ---- events: each once, the right actor, cpwarden's runs marked ------------------------------
cpw events --regions "$EV_REGIONS" --since 1h --state-file "$STATE_FILE" --output json \
    >"$E2E_TMP/events1.json"
check "events exits 0" test $? -eq 0
check "the state file is 0600" test "$(file_mode "$STATE_FILE")" = 600
check "events: alice's create and delete, cpwarden's deletions with the run id" \
    /usr/bin/python3 - "$E2E_TMP/events1.json" "$ORPHAN_DOMAIN" "$ORPHAN_CONNECT_ROLE" \
    "$INSTANCE" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
ev, orphan, role, instance = doc["events"], sys.argv[2], sys.argv[3], sys.argv[4]
inst = [e for e in ev if e["resource"] == instance]
assert [(e["event"], e["region"]) for e in inst] == [("CreateInstance", "eu-west-2"),
                                                     ("DeleteInstance", "eu-west-2")], inst
assert all(e["actor"].endswith(":user/alice") and e["cpwarden_run_id"] is None for e in inst)
ids = [e["event_id"] for e in ev]
assert len(ids) == len(set(ids)), "an event listed twice"
assert doc["errors"] == [], doc["errors"]
mine = [e for e in ev if e["resource"] == "manual-scratch"]
assert [e["event"] for e in mine] == ["CreateDomain", "DeleteDomain"], mine
for e in mine:
    assert e["actor"] == "arn:aws:iam::123456789012:user/alice", e
    assert e["cpwarden_run_id"] is None, e
dd = [e for e in ev if e["event"] == "DeleteDomain" and e["resource"] == orphan]
assert len(dd) == 1, ev
assert isinstance(dd[0]["cpwarden_run_id"], int) and dd[0]["cpwarden_run_id"] > 0, dd
assert dd[0]["actor"] == "arn:aws:iam::123456789012:root", dd
slr = [e for e in ev if e["event"] == "DeleteServiceLinkedRole" and e["resource"] == role]
assert len(slr) == 1 and slr[0]["cpwarden_run_id"] == dd[0]["cpwarden_run_id"], slr
assert slr[0]["region"] == "us-east-1" and slr[0]["resource_type"] == "service-linked-role"
PY
check "the journal agrees: the run id is in cpwarden history" /usr/bin/python3 - \
    "$E2E_TMP/events1.json" <(cpw history --output json) <<'PY'
import json, sys
ev = json.load(open(sys.argv[1]))["events"]
runs = {c["run"] for c in json.load(open(sys.argv[2]))["changes"]}
marked = {e["cpwarden_run_id"] for e in ev if e["cpwarden_run_id"] is not None}
assert marked and marked <= runs, (marked, runs)
PY

cpw events --regions "$EV_REGIONS" --since 1h --state-file "$STATE_FILE" --output json \
    >"$E2E_TMP/events2.json"
check "a second run with the state file reports nothing new" /usr/bin/python3 -c '
import json,sys; sys.exit(len(json.load(open(sys.argv[1]))["events"]) != 0)' "$E2E_TMP/events2.json"
alice customer-profiles create-domain --domain-name manual-later --default-expiration-days 9 \
    --region eu-west-2 >/dev/null
cpw events --regions "$EV_REGIONS" --state-file "$STATE_FILE" --output csv >"$E2E_TMP/events3.csv"
check "a third run reports only the new changes (the domain, the role the service made)" \
    test "$(cut -d, -f4 "$E2E_TMP/events3.csv" | sort | tr '\n' ' ')" = \
    "CreateDomain CreateServiceLinkedRole event "
check "...in CSV, with alice as the actor" grep -q "CreateDomain,.*manual-later,arn:aws:iam::123456789012:user/alice" "$E2E_TMP/events3.csv"
check "--query filters the JSON document" test "$(cpw events --regions "$EV_REGIONS" --since 1h \
    --query 'length(events[?cpwarden_run_id==null && resource==`manual-scratch`])')" = 2

cp "$STATE_FILE" "$E2E_TMP/state.bak"
printf '{"format_version": 1, "since": ' >"$STATE_FILE"
check "a corrupt state file is refused (253)" \
    test "$(rc cpw events --regions "$EV_REGIONS" --state-file "$STATE_FILE")" = 253
check "...with a clear error" grep -q "state file .*not valid JSON" "$E2E_TMP/err"
check "...and left unchanged" test "$(cat "$STATE_FILE")" = '{"format_version": 1, "since": '
check "a bad --since is a usage error" test "$(rc cpw events --since soon)" = 252

# ---- metrics: OpenMetrics that parses and matches the inventory -----------------------------
cpw inventory --regions "$EV_REGIONS" --output json >"$E2E_TMP/inv.json" || true
cpw metrics -o "$E2E_TMP/cpwarden.prom"
check "metrics -o exits 0" test $? -eq 0
check "the metrics file is 0600" test "$(file_mode "$E2E_TMP/cpwarden.prom")" = 600
check "OpenMetrics parses and the values match the inventory" /usr/bin/python3 - \
    "$E2E_TMP/cpwarden.prom" "$E2E_TMP/inv.json" <<'PY'
import json, sys
from collections import Counter
from prometheus_client.openmetrics.parser import text_string_to_metric_families
text = open(sys.argv[1]).read()
inv = json.load(open(sys.argv[2]))
fams = {f.name: f for f in text_string_to_metric_families(text)}
def samples(name, suffix=""):
    return {tuple(sorted(s.labels.items())): s.value for s in fams[name].samples
            if s.name == name + suffix}
res = samples("cpwarden_resources")
for kind, key in (("instance", "instances"), ("domain", "domains")):
    want = Counter((x["account"], x["region"]) for x in inv[key])
    for acct in inv["accounts"]:
        for region in inv["regions"]:
            got = res[(("account", acct), ("kind", kind), ("region", region))]
            assert got == want[(acct, region)], (kind, acct, region, got, want)
fnd = samples("cpwarden_findings")
want = Counter((f["account"], f["region"] or "global", f["kind"], f["confidence"])
               for f in inv["findings"])
got = {(dict(k)["account"], dict(k)["region"], dict(k)["kind"], dict(k)["confidence"]): v
       for k, v in fnd.items()}
assert got == want, (got, want)
assert sum(samples("cpwarden_scan_errors").values()) == len(inv["errors"])
assert fams["cpwarden_cleanup_steps"].type == "counter"
done = samples("cpwarden_cleanup_steps", "_total")[(("outcome", "done"),)]
assert done >= 2, done
assert fams["cpwarden_scan_age_seconds"].unit == "seconds"
assert text.endswith("# EOF\n")
PY
check "metrics without a snapshot fails clearly (1)" \
    test "$(rc cpw metrics --state "$E2E_TMP/empty-state")" = 1
cpw metrics --from-inventory "$E2E_TMP/inv.json" --state "$E2E_TMP/empty-state" \
    >"$E2E_TMP/frominv.prom"
check "--from-inventory gives the same resources" test \
    "$(grep '^cpwarden_resources' "$E2E_TMP/frominv.prom")" = \
    "$(grep '^cpwarden_resources' "$E2E_TMP/cpwarden.prom")"

# ---- CloudWatch: the same values through PutMetricData ----------------------------------------
cpw metrics --cloudwatch Cpwarden/Test --region eu-west-2 2>"$E2E_TMP/cw.err"
check "--cloudwatch exits 0" test $? -eq 0
check "...and says how many it published" grep -q "published to CloudWatch namespace Cpwarden/Test" "$E2E_TMP/cw.err"
"$AWSCLI" --endpoint-url "$ENDPOINT" --region eu-west-2 cloudwatch list-metrics \
    --namespace Cpwarden/Test --metric-name Resources --output json >"$E2E_TMP/list.json"
check "aws cloudwatch list-metrics lists every resources series" /usr/bin/python3 - \
    "$E2E_TMP/list.json" "$E2E_TMP/cpwarden.prom" <<'PY'
import json, sys
metrics = json.load(open(sys.argv[1]))["Metrics"]
series = [l for l in open(sys.argv[2]) if l.startswith("cpwarden_resources{")]
assert len(metrics) == len(series), (len(metrics), len(series))
assert all(sorted(d["Name"] for d in m["Dimensions"]) == ["Account", "Kind", "Region"]
           for m in metrics)
PY
inst_us=$(grep '^cpwarden_resources{account="123456789012",region="us-east-1",kind="instance"}' \
    "$E2E_TMP/cpwarden.prom" | awk '{print $2}')
"$AWSCLI" --endpoint-url "$ENDPOINT" --region eu-west-2 cloudwatch get-metric-data \
    --start-time "$(date -u -d '-1 hour' +%FT%TZ)" --end-time "$(date -u -d '+1 hour' +%FT%TZ)" \
    --metric-data-queries '[{"Id": "inst", "MetricStat": {"Metric": {"Namespace": "Cpwarden/Test",
      "MetricName": "Resources", "Dimensions": [{"Name": "Kind", "Value": "instance"},
      {"Name": "Account", "Value": "123456789012"}, {"Name": "Region", "Value": "us-east-1"}]},
      "Period": 60, "Stat": "Maximum"}},
      {"Id": "n", "MetricStat": {"Metric": {"Namespace": "Cpwarden/Test", "MetricName": "ScanAge"},
      "Period": 300, "Stat": "SampleCount"}}]' --output json >"$E2E_TMP/data.json"
check "aws cloudwatch get-metric-data reads back the published value" /usr/bin/python3 - \
    "$E2E_TMP/data.json" "$inst_us" <<'PY'
import json, sys
r = {x["Id"]: x for x in json.load(open(sys.argv[1]))["MetricDataResults"]}
assert r["inst"]["Values"] == [float(sys.argv[2])], (r["inst"], sys.argv[2])
assert r["n"]["Values"] == [1.0], r["n"]
PY
check "metrics --cloudwatch with a reserved namespace fails (254)" \
    test "$(rc cpw metrics --cloudwatch AWS/Connect --region eu-west-2)" = 254

# ---- the sandbox's CloudWatch with the AWS CLI alone: statistics over periods -----------------
cw() { "$AWSCLI" --endpoint-url "$ENDPOINT" --region us-east-1 cloudwatch "$@"; }
T1=$(date -u -d '-10 minutes' +%Y-%m-%dT%H:%M:00Z)
T2=$(date -u -d "$T1 + 30 seconds" +%FT%TZ)
T3=$(date -u -d "$T1 + 5 minutes" +%FT%TZ)
cw put-metric-data --namespace Test/Stats --metric-data \
    "[{\"MetricName\": \"Latency\", \"Dimensions\": [{\"Name\": \"Host\", \"Value\": \"a\"}],
       \"Timestamp\": \"$T1\", \"Values\": [1, 5], \"Counts\": [1, 2], \"Unit\": \"Milliseconds\"},
      {\"MetricName\": \"Latency\", \"Dimensions\": [{\"Name\": \"Host\", \"Value\": \"a\"}],
       \"Timestamp\": \"$T2\", \"Value\": 9, \"Unit\": \"Milliseconds\"},
      {\"MetricName\": \"Latency\", \"Dimensions\": [{\"Name\": \"Host\", \"Value\": \"a\"}],
       \"Timestamp\": \"$T3\", \"StatisticValues\": {\"SampleCount\": 4, \"Sum\": 8, \"Minimum\": 1,
       \"Maximum\": 3}},
      {\"MetricName\": \"Latency\", \"Dimensions\": [{\"Name\": \"Host\", \"Value\": \"b\"}],
       \"Timestamp\": \"$T1\", \"Value\": 100}]"
check "aws cloudwatch put-metric-data is accepted" test $? -eq 0
queries='['
for stat in Sum Average Maximum Minimum SampleCount; do
    queries+="{\"Id\": \"$(echo "$stat" | tr 'A-Z' 'a-z')\", \"MetricStat\": {\"Metric\": {\"Namespace\":
      \"Test/Stats\", \"MetricName\": \"Latency\", \"Dimensions\": [{\"Name\": \"Host\",
      \"Value\": \"a\"}]}, \"Period\": 60, \"Stat\": \"$stat\"}},"
done
queries="${queries%,}]"
cw get-metric-data --start-time "$(date -u -d "$T1 - 1 hour" +%FT%TZ)" \
    --end-time "$(date -u -d "$T1 + 1 hour" +%FT%TZ)" --scan-by TimestampAscending \
    --metric-data-queries "$queries" --output json >"$E2E_TMP/stats.json"
check "get-metric-data: Sum, Average, Maximum, Minimum, SampleCount per minute" \
    /usr/bin/python3 - "$E2E_TMP/stats.json" <<'PY'
import json, sys
r = {x["Id"]: x["Values"] for x in json.load(open(sys.argv[1]))["MetricDataResults"]}
# minute 1: 1, 5, 5, 9 (Values with Counts, then one Value); minute 6: the statistic set
assert r["sum"] == [20.0, 8.0], r
assert r["average"] == [5.0, 2.0], r
assert r["maximum"] == [9.0, 3.0], r
assert r["minimum"] == [1.0, 1.0], r
assert r["samplecount"] == [4.0, 4.0], r
PY
check "list-metrics filters by dimension" test "$(cw list-metrics --namespace Test/Stats \
    --dimensions Name=Host,Value=b --query 'length(Metrics)' --output text)" = 1
check "put-metric-data into AWS/ is refused" test "$(rc cw put-metric-data --namespace AWS/EC2 \
    --metric-name X --value 1)" = 254
finish
