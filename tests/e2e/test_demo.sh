#!/usr/bin/env bash
# `cpwarden demo` tells the whole story and ends with a clean account: leftovers found first,
# none after apply, the live contact center untouched, and the change log shown.
set -uo pipefail
: "${CPWARDEN:?}"
PASSED=0; FAILED=0
check() { local name=$1; shift; if "$@"; then PASSED=$((PASSED + 1)); else FAILED=$((FAILED + 1)); echo "FAILED: $name"; fi; }
out=$(mktemp); trap 'rm -f "$out"' EXIT
HOME=/nonexistent "$CPWARDEN" demo >"$out" 2>&1; rc=$?
check "demo exits 0" test "$rc" -eq 0
check "the first inventory finds the leftovers" grep -q "4 finding(s), 0 scan error(s)" "$out"
check "the retired domain is planned for deletion" grep -q "delete-domain .*retired-customers" "$out"
check "the verification inventory finds none" grep -q "0 finding(s), 0 scan error(s)" "$out"
check "the live domain is still there" grep -q "live-customers  3" "$out"
check "history shows the deletion" grep -Eq "a03 +delete-domain +done" "$out"
check "it ends with a clean account" grep -q "The account is clean" "$out"
dir=$(grep -o '/tmp/cpwarden-demo-[A-Za-z0-9]*' "$out" | head -1)
check "the demo named its temporary directory" test -n "$dir"
check "its temporary directory is removed" test ! -e "$dir"
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
