#!/usr/bin/env bash
# test_inventory_cli.sh - `cpwarden inventory` through the binary against `cpwarden sandbox`:
# the orphans scenario in every output format (JSON, CSV, Markdown, table), the exit codes
# (0 whole, 3 partial, 253 credentials, 252 usage), snapshots and --diff after a domain is
# deleted, an organization built through the API with a leftover in a member account, an
# opt-in region enabled in one account only, and the mode of --output-file.
source "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
STATE="$E2E_TMP/state"
REGIONS=all # every region where the services are offered: role findings need the whole scope

inv() { "$CPWARDEN" inventory --endpoint-url "$ENDPOINT" --regions "$REGIONS" --state "$STATE" "$@"; }
api() { "$CPWARDEN" api --endpoint-url "$ENDPOINT" "$@"; }

# --- help and usage ------------------------------------------------------------------------
"$CPWARDEN" inventory --help >"$E2E_TMP/help" 2>&1
check "help names the exit codes" grep -q "Exit status: 0 the whole scope was read; 3 part" "$E2E_TMP/help"
check "help has an example" grep -q "cpwarden inventory --org" "$E2E_TMP/help"
set +e
"$CPWARDEN" inventory --accounts 12 >/dev/null 2>&1; rc=$?
set -e
check "a bad account id is a usage error (252)" [ "$rc" -eq 252 ]

# Several scans in a row within a second would pass Connect's 2/s per account and region
# across processes (each process keeps its own client-side limits), and AWS_MAX_ATTEMPTS=1
# retries nothing: the format checks run without the sandbox's rate limits.
start_sandbox --scenario orphans --no-rate-limits

# --- JSON when stdout is not a terminal: the exact findings ----------------------------------
set +e
inv >"$E2E_TMP/inv.json" 2>"$E2E_TMP/inv.err"; rc=$?
set -e
check "a whole scan exits 0" [ "$rc" -eq 0 ]
check "JSON by default when piped" $PY - "$E2E_TMP/inv.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
got = [(f["kind"], f["confidence"], f["resource_arn"].rsplit("/", 1)[-1]) for f in d["findings"]]
want = [("orphaned-connect-role", "certain", "AWSServiceRoleForAmazonConnect_DeletedInstance00002"),
        ("orphaned-profile-role", "certain", "AWSServiceRoleForProfile"),
        ("legacy-profile-role", "certain", "AWSServiceRoleForProfile"),
        ("domain-without-instance", "certain", "retired-customers")]
assert d["format_version"] == 1 and got == want, got
assert len(d["errors"]) == 0 and len(d["roles"]) == 5 and len(d["domains"]) == 2
EOF
check "no progress on stderr when it is not a terminal" [ ! -s "$E2E_TMP/inv.err" ]

# --- CSV: every row has the header's column count --------------------------------------------
inv --no-save --output csv >"$E2E_TMP/inv.csv"
check "CSV rows all have the header's width" $PY - "$E2E_TMP/inv.csv" <<'EOF'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
assert len(rows) == 5, rows  # the header and the four findings
assert all(len(r) == len(rows[0]) for r in rows), [len(r) for r in rows]
assert any("retired-customers" in ",".join(r) for r in rows)
EOF

# --- Markdown and table ----------------------------------------------------------------------
inv --no-save --output markdown >"$E2E_TMP/inv.md"
check "Markdown report names the leftover domain" grep -q "retired-customers" "$E2E_TMP/inv.md"
check "Markdown has a heading" grep -q "^#" "$E2E_TMP/inv.md"
inv --no-save --output table >"$E2E_TMP/inv.txt"
check "table lists the findings" grep -q "domain-without-instance" "$E2E_TMP/inv.txt"
check "no colour when stdout is not a terminal" bash -c "! grep -q $'\x1b' '$E2E_TMP/inv.txt'"

# --- --output-file is private -----------------------------------------------------------------
umask 022
inv --no-save --output-file "$E2E_TMP/out.json"
check "--output-file is 0600" [ "$(stat -c %a "$E2E_TMP/out.json")" = "600" ]
check "--output-file holds JSON" $PY -c "import json,sys; json.load(open(sys.argv[1]))" "$E2E_TMP/out.json"
check "state.db is 0600" [ "$(stat -c %a "$STATE/state.db")" = "600" ]

# --- a domain deleted between two runs: --diff ----------------------------------------------
api --region eu-west-2 customer-profiles DeleteDomain '{"DomainName": "retired-customers"}' >/dev/null
inv --diff >"$E2E_TMP/diff.json"
check "--diff shows the domain and its finding gone" $PY - "$E2E_TMP/diff.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
changes = d["changes"]
gone = [c for c in changes if c["change"] == "disappeared"]
assert any(c["type"] == "domain" and c["arn"].endswith(":domains/retired-customers") for c in gone), changes
assert any(c["type"] == "finding" and c.get("kind") == "domain-without-instance" for c in gone), changes
EOF
inv --diff 1 >"$E2E_TMP/diff1.json"
check "--diff ID compares with that snapshot" grep -q "retired-customers" "$E2E_TMP/diff1.json"
set +e
inv --no-save --diff 999 >/dev/null 2>&1; rc=$?
set -e
check "an unknown snapshot is a usage error" [ "$rc" -eq 252 ]

# --- credentials that the sandbox refuses: 253 ----------------------------------------------
set +e
AWS_SECRET_ACCESS_KEY=wrong-secret-key-0000000000000000000000 inv --no-save >/dev/null 2>"$E2E_TMP/cred.err"; rc=$?
set -e
check "refused credentials exit 253" [ "$rc" -eq 253 ]
check "the secret never appears in errors" bash -c "! grep -q wrong-secret-key '$E2E_TMP/cred.err'"
stop_sandbox

# --- one service throttled beyond the retries: exit 3, results still printed ---------------
start_sandbox --scenario orphans --knob fault_probability=1 --knob fault_kind=throttle \
    --knob fault_service=profile
set +e
inv --no-save >"$E2E_TMP/partial.json" 2>"$E2E_TMP/partial.err"; rc=$?
set -e
check "a partial scan exits 3" [ "$rc" -eq 3 ]
check "the partial JSON carries the errors and the rest" $PY - "$E2E_TMP/partial.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
assert {e["code"] for e in d["errors"]} == {"ThrottlingException"}, d["errors"]
assert {e["service"] for e in d["errors"]} == {"profile"}
assert len(d["instances"]) == 1 and len(d["roles"]) == 5
assert not any(f["kind"] == "orphaned-profile-role" and f["confidence"] == "certain" for f in d["findings"])
EOF
check "stderr says the scan was partial" grep -q "part(s) of the scan failed" "$E2E_TMP/partial.err"
stop_sandbox

# --- an organization built through the API, a leftover in a member account ---------------
start_sandbox --no-rate-limits --knob create_account_delay_ms=0
api organizations CreateOrganization '{"FeatureSet": "ALL"}' >/dev/null
api organizations CreateAccount '{"Email": "m@example.com", "AccountName": "member"}' >"$E2E_TMP/ca.json"
REQ=$($PY -c "import json,sys; print(json.load(open(sys.argv[1]))['CreateAccountStatus']['Id'])" "$E2E_TMP/ca.json")
MEMBER=""
for _ in $(seq 1 50); do
    api organizations DescribeCreateAccountStatus "{\"CreateAccountRequestId\": \"$REQ\"}" >"$E2E_TMP/st.json"
    MEMBER=$($PY -c "import json,sys; s=json.load(open(sys.argv[1]))['CreateAccountStatus']; print(s.get('AccountId','') if s['State']=='SUCCEEDED' else '')" "$E2E_TMP/st.json")
    [ -n "$MEMBER" ] && break
    sleep 0.1
done
check "the member account was created" [ -n "$MEMBER" ]
api sts AssumeRole "{\"RoleArn\": \"arn:aws:iam::$MEMBER:role/OrganizationAccountAccessRole\", \"RoleSessionName\": \"setup\"}" >"$E2E_TMP/ar.json"
eval "$($PY - "$E2E_TMP/ar.json" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))["Credentials"]
print("M_KEY=%s M_SECRET=%s M_TOKEN=%s" % (c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"]))
EOF
)"
AWS_ACCESS_KEY_ID=$M_KEY AWS_SECRET_ACCESS_KEY=$M_SECRET AWS_SESSION_TOKEN=$M_TOKEN \
    api --region eu-west-2 customer-profiles CreateDomain '{"DomainName": "member-leftover", "DefaultExpirationDays": 30}' >/dev/null
set +e
inv --no-save --org >"$E2E_TMP/org.json"; rc=$?
set -e
check "the organization scan is whole" [ "$rc" -eq 0 ]
# A domain that never had a Connect integration is not proven a leftover: unattached, possible.
check "the member's domain is found through AssumeRole, unattached" $PY - "$E2E_TMP/org.json" "$MEMBER" <<'EOF'
import json, sys
d, member = json.load(open(sys.argv[1])), sys.argv[2]
assert sorted(d["accounts"]) == sorted(["123456789012", member]), d["accounts"]
assert not [f for f in d["findings"] if f["kind"] == "domain-without-instance"], d["findings"]
f = [f for f in d["findings"] if f["kind"] == "unattached-domain"]
assert len(f) == 1 and f[0]["account"] == member and f[0]["confidence"] == "possible", f
assert f[0]["resource_arn"].endswith(":domains/member-leftover"), f
assert "Delete" not in f[0]["action"] and "delete" not in f[0]["action"], f[0]["action"]
EOF

# --- scope: an opt-in region enabled in the member only ------------------------------------
# The management account enables af-south-1 for its member (Account Management, AccountId);
# af-south-1 stays disabled for the management account, whose calls there are refused as on
# AWS. The scan reads af-south-1 in the member and makes no call there in the management
# account: whole, no scan error.
api account EnableRegion "{\"RegionName\": \"af-south-1\", \"AccountId\": \"$MEMBER\"}" >/dev/null
advance_clock 5000
api account GetRegionOptStatus "{\"RegionName\": \"af-south-1\", \"AccountId\": \"$MEMBER\"}" >"$E2E_TMP/opt.json"
check "the member's af-south-1 is ENABLED after the enabling delay" grep -q '"ENABLED"' "$E2E_TMP/opt.json"
AWS_ACCESS_KEY_ID=$M_KEY AWS_SECRET_ACCESS_KEY=$M_SECRET AWS_SESSION_TOKEN=$M_TOKEN \
    api --region af-south-1 customer-profiles CreateDomain '{"DomainName": "cape-town", "DefaultExpirationDays": 30}' >/dev/null
set +e
api --region af-south-1 customer-profiles ListDomains >/dev/null 2>"$E2E_TMP/off.err"; rc=$?
set -e
check "af-south-1 refuses the management account (not enabled there)" \
    grep -q "UnrecognizedClientException" "$E2E_TMP/off.err"
set +e
"$CPWARDEN" inventory --endpoint-url "$ENDPOINT" --regions us-east-1,af-south-1 --no-save --org \
    >"$E2E_TMP/scope.json" 2>"$E2E_TMP/scope.err"; rc=$?
set -e
check "a scan over an opt-in region enabled in one account only is whole" [ "$rc" -eq 0 ]
check "af-south-1 is read in the member only" $PY - "$E2E_TMP/scope.json" "$MEMBER" <<'EOF'
import json, sys
d, member = json.load(open(sys.argv[1])), sys.argv[2]
assert d["errors"] == [], d["errors"]
cape = [(x["account"], x["name"]) for x in d["domains"] if x["region"] == "af-south-1"]
assert cape == [(member, "cape-town")], cape
EOF

finish
