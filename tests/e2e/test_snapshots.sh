#!/usr/bin/env bash
# `cpwarden snapshots` lists what `inventory --diff ID` can name, and --diff refuses to compare
# scans of different scope (a one-region scan would "remove" the other regions' resources).
source "$(dirname "$0")/lib.sh"
start_sandbox --scenario orphans --no-rate-limits
STATE="$E2E_TMP/state"
inv() { "$CPWARDEN" inventory --endpoint-url "$ENDPOINT" --state "$STATE" --output json "$@"; }
rc() { "$@" >"$E2E_TMP/out" 2>"$E2E_TMP/err"; echo $?; }

inv --regions us-east-1,eu-west-2 >/dev/null
inv --regions us-east-1 >/dev/null
"$CPWARDEN" snapshots --state "$STATE" --output json >"$E2E_TMP/list.json"
check "snapshots lists both scans, newest first, with their scopes" /usr/bin/python3 - \
    "$E2E_TMP/list.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))["snapshots"]
assert [x["scope"] for x in s] == ["accounts=caller regions=us-east-1",
                                   "accounts=caller regions=us-east-1,eu-west-2"], s
assert s[0]["id"] > s[1]["id"] and s[0]["format_version"] >= 1 and s[0]["identity"].startswith("arn:aws:")
PY
first=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["snapshots"][1]["id"])' "$E2E_TMP/list.json")
check "the table names the ids" grep -q "^$first " <("$CPWARDEN" snapshots --state "$STATE")
check "--limit 1 keeps the newest only" \
    test "$("$CPWARDEN" snapshots --state "$STATE" --output csv --limit 1 | wc -l)" = 2

check "--diff against a snapshot of other regions is refused (252)" \
    test "$(rc inv --regions us-east-1 --no-save --diff "$first")" = 252
check "...naming both scopes" grep -q "scanned accounts=caller regions=us-east-1,eu-west-2, this scan covers accounts=caller regions=us-east-1" "$E2E_TMP/err"
check "--diff against a snapshot of the same scope works" \
    test "$(rc inv --regions us-east-1,eu-west-2 --no-save --diff "$first")" = 0
check "--diff (the latest) of the same scope works" \
    test "$(rc inv --regions us-east-1 --no-save --diff)" = 0
check "a bad --output is a usage error" test "$(rc "$CPWARDEN" snapshots --output yaml)" = 252
finish
