#!/usr/bin/env bash
# test_sandbox_regions.sh - which regions an account may use, through clients nobody here wrote
# and through cpwarden: AWS Account Management against `cpwarden sandbox` with `cpwarden api`
# and boto3; a regional call in an opt-in region the account has not enabled answered as AWS
# does (403 UnrecognizedClientException) to the AWS CLI v2; and `cpwarden inventory --org`
# reading af-south-1 only in the members that enabled it.
#
# Clients: Debian 12's AWS CLI v2 (2.9.19) and boto3 (1.26) predate ListRegions (added 2023):
# `aws account list-regions` does not exist there. The Account Management calls therefore go
# through Debian's boto3 given the embedded model (src/models/account.json, botocore 1.43.11)
# on its loader's search path; the AWS CLI v2 is used for the regional 403.
source "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
AWS=${CPW_TEST_AWS:-/usr/bin/aws} # Debian's AWS CLI v2 unless a caller names another
MODELS="$(cd "$(dirname "$0")/../../src/models" && pwd)"
MEMBER_ON=200000000001  # the generated organization's 1st member enabled af-south-1
MEMBER_OFF=200000000002 # the 2nd did not

start_sandbox --scenario "org:accounts=2,regions=1,leftover=0,seed=5" --no-rate-limits

# --- cpwarden api: the embedded model, global endpoint routed to the sandbox ----------------
"$CPWARDEN" api --endpoint-url "$ENDPOINT" account list-regions --paginate >"$E2E_TMP/regions.json"
check "cpwarden api account list-regions: every region, af-south-1 DISABLED for the management account" \
    $PY - "$E2E_TMP/regions.json" <<'EOF'
import json, sys
d = {r["RegionName"]: r["RegionOptStatus"] for r in json.load(open(sys.argv[1]))["Regions"]}
assert len(d) >= 30, d
assert d["af-south-1"] == "DISABLED" and d["us-east-1"] == "ENABLED_BY_DEFAULT", d
EOF

# --- boto3 with the embedded model ----------------------------------------------------------
check "boto3: ListRegions pages and filter, GetRegionOptStatus and EnableRegion for a member" \
    $PY - "$ENDPOINT" "$MODELS" "$E2E_TMP/loader" "$MEMBER_ON" "$MEMBER_OFF" <<'EOF'
import os, shutil, sys
import boto3, botocore.session

endpoint, models, loader_dir, on, off = sys.argv[1:6]
# botocore's loader layout: <service>/<api-version>/service-2.json
version_dir = os.path.join(loader_dir, "account", "2021-02-01")
os.makedirs(version_dir, exist_ok=True)
shutil.copy(os.path.join(models, "account.json"), os.path.join(version_dir, "service-2.json"))
core = botocore.session.get_session()
core.get_component("data_loader").search_paths.insert(0, loader_dir)
account = boto3.Session(botocore_session=core, region_name="us-east-1").client(
    "account", endpoint_url=endpoint)

names, pages, token = [], 0, None
while True:
    kw = {"MaxResults": 10}
    if token:
        kw["NextToken"] = token
    page = account.list_regions(**kw)
    pages += 1
    names += [r["RegionName"] for r in page["Regions"]]
    token = page.get("NextToken")
    if not token or pages > 10:
        break
assert pages >= 3 and names == sorted(names) and len(names) == len(set(names)), (pages, names)

enabled = account.list_regions(AccountId=on, RegionOptStatusContains=["ENABLED"])["Regions"]
assert [r["RegionName"] for r in enabled] == ["af-south-1"], enabled
st = account.get_region_opt_status(AccountId=off, RegionName="af-south-1")
assert st["RegionOptStatus"] == "DISABLED", st
account.enable_region(AccountId=off, RegionName="me-south-1")
st = account.get_region_opt_status(AccountId=off, RegionName="me-south-1")
assert st["RegionOptStatus"] == "ENABLING", st
try:
    account.enable_region(RegionName="us-east-1")
    raise SystemExit("a default region was enabled")
except account.exceptions.ValidationException:
    pass
EOF

# --- AWS CLI v2: a regional call in an opt-in region the account has not enabled ------------
set +e
"$AWS" --endpoint-url "$ENDPOINT" --region af-south-1 customer-profiles list-domains \
    >"$E2E_TMP/cli.out" 2>"$E2E_TMP/cli.err"; rc=$?
set -e
check "AWS CLI v2: af-south-1 not enabled answers UnrecognizedClientException" \
    grep -q "UnrecognizedClientException.*The security token included in the request is invalid" \
    "$E2E_TMP/cli.err"
check "AWS CLI v2: ... and fails" [ "$rc" -ne 0 ]
"$AWS" --endpoint-url "$ENDPOINT" --region us-east-1 customer-profiles list-domains >/dev/null
check "AWS CLI v2: us-east-1 answers" [ $? -eq 0 ]

# --- cpwarden inventory --org: af-south-1 read only where it is enabled ----------------------
set +e
"$CPWARDEN" inventory --endpoint-url "$ENDPOINT" --org --regions us-east-1,af-south-1 \
    --output json >"$E2E_TMP/inv.json" 2>"$E2E_TMP/inv.err"; rc=$?
set -e
check "inventory --org over an opt-in region is whole (exit 0)" [ "$rc" -eq 0 ]
check "inventory: the af-south-1 domain of the member that enabled it, no scan error" \
    $PY - "$E2E_TMP/inv.json" "$MEMBER_ON" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
cape = sorted(x["account"] for x in d["domains"] if x["region"] == "af-south-1")
assert cape == [sys.argv[2]], cape
assert d["errors"] == [], d["errors"]
EOF

finish
