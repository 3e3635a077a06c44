# test_cleanup_refusals.sh - everything apply must refuse, with nothing changed: stale plans
# (a profile added, the domain deleted by hand), every protection (account blocklist, name glob,
# tag, ACTIVE instance without --force, a rule added after planning), and bad plan files
# (truncated, edited, another format version, another account).
# shellcheck source=cleanup_lib.sh
source "$(dirname "$0")/cleanup_lib.sh"

start_orphans
ORPHAN_ARN="arn:aws:profile:eu-west-2:123456789012:domains/$ORPHAN_DOMAIN"

plan_orphan() { # OUT [PLAN ARGS...]
    local out=$1
    shift
    cpw plan --domain "$ORPHAN_DOMAIN" --region eu-west-2 -o "$out" "$@" >/dev/null
}

apply_rc() { # PLAN ERRFILE [ARGS...]: apply's exit status
    local plan=$1 err=$2
    shift 2
    local rc=0
    cpw apply "$plan" --yes "${FAST[@]}" "$@" >/dev/null 2>"$err" || rc=$?
    echo "$rc"
}

action_statuses() { # PLAN: the distinct statuses of its actions
    /usr/bin/python3 -c 'import json,sys
print(" ".join(sorted({a["status"] for a in json.load(open(sys.argv[1]))["actions"]})))' "$1"
}

# ---- stale: a profile was added after planning ---------------------------------------------
plan_orphan "$E2E_TMP/stale1.json"
cpw api customer-profiles create-profile --region eu-west-2 \
    "{\"DomainName\": \"$ORPHAN_DOMAIN\", \"FirstName\": \"Late\"}" >/dev/null
check "a plan gone stale (profile added) is refused with 4" \
    test "$(apply_rc "$E2E_TMP/stale1.json" "$E2E_TMP/stale1.err")" -eq 4
check "... naming the fact that changed" grep -q "domain.profile_count was 2, is now 3" \
    "$E2E_TMP/stale1.err"
check "... and the domain is untouched" domain_exists "$ORPHAN_DOMAIN" eu-west-2

# ---- stale: the domain was deleted by hand --------------------------------------------------
start_orphans
plan_orphan "$E2E_TMP/stale2.json"
cpw api customer-profiles delete-domain --region eu-west-2 \
    "{\"DomainName\": \"$ORPHAN_DOMAIN\"}" >/dev/null
check "a plan gone stale (domain deleted by hand) is refused with 4" \
    test "$(apply_rc "$E2E_TMP/stale2.json" "$E2E_TMP/stale2.err")" -eq 4
check "... saying the step is no longer called for" grep -q "no longer called for" \
    "$E2E_TMP/stale2.err"
check "... and DeleteDomain was not called by apply" \
    test "$(count_events DeleteDomain eu-west-2)" -eq 1

# ---- protections ----------------------------------------------------------------------------
start_orphans
printf '[accounts]\nblocklist = 123456789012\n' >"$E2E_TMP/blocked.conf"
printf '[protect]\ndomains = retired-*\n' >"$E2E_TMP/glob.conf"
printf '[protect]\ntag_key = keep\n' >"$E2E_TMP/tag.conf"

plan_orphan "$E2E_TMP/blocked.json" --config "$E2E_TMP/blocked.conf"
check "the account blocklist skips every action" \
    test "$(action_statuses "$E2E_TMP/blocked.json")" = "skipped"
check "... naming the rule" grep -q "blocklist" "$E2E_TMP/blocked.json"
plan_orphan "$E2E_TMP/glob.json" --config "$E2E_TMP/glob.conf"
check "a domain glob skips every action" test "$(action_statuses "$E2E_TMP/glob.json")" = "skipped"
check "... naming the glob" grep -q "retired-\*" "$E2E_TMP/glob.json"
cpw api customer-profiles tag-resource --region eu-west-2 \
    "{\"resourceArn\": \"$ORPHAN_ARN\", \"tags\": {\"keep\": \"yes\"}}" >/dev/null
plan_orphan "$E2E_TMP/tag.json" --config "$E2E_TMP/tag.conf"
check "a protecting tag skips every action" test "$(action_statuses "$E2E_TMP/tag.json")" = "skipped"
for p in blocked glob tag; do
    check "apply of the $p plan exits 0" \
        test "$(apply_rc "$E2E_TMP/$p.json" "$E2E_TMP/$p.err" --config "$E2E_TMP/$p.conf" \
            --state "$E2E_TMP/state-$p")" -eq 0
done
check "protected: the domain is untouched" domain_exists "$ORPHAN_DOMAIN" eu-west-2
check "protected: DeleteDomain never called" test "$(count_events DeleteDomain eu-west-2)" -eq 0

cpw plan --domain "$LIVE_DOMAIN" --region us-east-1 -o "$E2E_TMP/active.json" >/dev/null
check "a domain used by an ACTIVE instance is refused in the plan" \
    test "$(action_statuses "$E2E_TMP/active.json")" = "refused"
check "... saying to use --force" grep -q -- "--force" "$E2E_TMP/active.json"
check "apply of that plan exits 0 and deletes nothing" \
    test "$(apply_rc "$E2E_TMP/active.json" "$E2E_TMP/active.err" --state "$E2E_TMP/st-a")" -eq 0
check "... the live domain is untouched" domain_exists "$LIVE_DOMAIN" us-east-1
cpw plan --domain "$LIVE_DOMAIN" --region us-east-1 --force -o "$E2E_TMP/forced.json" >/dev/null
check "--force plans it" test "$(action_statuses "$E2E_TMP/forced.json")" = "planned"

printf '[protect]\ndomains = retired-customers\n' >"$E2E_TMP/late.conf"
plan_orphan "$E2E_TMP/late.json"
check "a protection added after planning is refused with 4" \
    test "$(apply_rc "$E2E_TMP/late.json" "$E2E_TMP/late.err" --config "$E2E_TMP/late.conf")" -eq 4
check "... naming the rule" grep -q "protected glob 'retired-customers'" "$E2E_TMP/late.err"
check "... and the domain is untouched" domain_exists "$ORPHAN_DOMAIN" eu-west-2

# ---- bad plan files -------------------------------------------------------------------------
plan_orphan "$E2E_TMP/good.json"
head -c 200 "$E2E_TMP/good.json" >"$E2E_TMP/truncated.json"
sed 's/"profiles": 2/"profiles": 3/' "$E2E_TMP/good.json" >"$E2E_TMP/edited.json"
/usr/bin/python3 - "$E2E_TMP" <<'PY'
import hashlib, json, sys
d = sys.argv[1]
doc = json.load(open(d + "/good.json"))
def seal(doc, path):
    doc.pop("checksum", None)
    canon = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    doc["checksum"] = hashlib.sha256(canon.encode()).hexdigest()
    json.dump(doc, open(path, "w"), indent=2)
v = dict(doc); v["format_version"] = 3; seal(v, d + "/version.json")
a = json.loads(json.dumps(doc)); a["caller"]["account"] = "999999999999"
a["caller"]["arn"] = "arn:aws:iam::999999999999:root"; seal(a, d + "/account.json")
PY
check "edited test file differs" not cmp -s "$E2E_TMP/good.json" "$E2E_TMP/edited.json"
declare -A expect=(
    [truncated]="not valid JSON"
    [edited]="checksum"
    [version]="version"
    [account]="999999999999"
)
for bad in truncated edited version account; do
    check "a $bad plan is refused with 4" \
        test "$(apply_rc "$E2E_TMP/$bad.json" "$E2E_TMP/$bad.err")" -eq 4
    check "... with a clear error ($bad)" grep -qi "${expect[$bad]}" "$E2E_TMP/$bad.err"
done
check "bad plans changed nothing" domain_exists "$ORPHAN_DOMAIN" eu-west-2
check "bad plans called no DeleteDomain" test "$(count_events DeleteDomain eu-west-2)" -eq 0
rc=0
cpw apply "$E2E_TMP/missing.json" --yes >/dev/null 2>&1 || rc=$?
check "a missing plan file is a usage error (252)" test "$rc" -eq 252

finish
