# test_cleanup_refusals.sh - everything apply must refuse, with nothing changed: stale plans
# (a profile added, the domain deleted by hand), every protection (account blocklist, name glob,
# tag, ACTIVE instance without --force, a rule added after planning), a role a live instance
# uses, bad plan files (truncated, edited, another format version, another account, the
# confirmed accounts edited and re-sealed), and a plan or account another process is applying
# (a lock named by its holder; a lock left by a dead process is taken over).
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
n = json.loads(json.dumps(doc)); n["accounts"] = []; seal(n, d + "/noaccounts.json")
o = json.loads(json.dumps(doc)); o["accounts"] = ["999999999999"]; seal(o, d + "/otheraccount.json")
PY
check "edited test file differs" not cmp -s "$E2E_TMP/good.json" "$E2E_TMP/edited.json"
declare -A expect=(
    [truncated]="not valid JSON"
    [edited]="checksum"
    [version]="version"
    [account]="999999999999"
    [noaccounts]='"accounts" field says none, but its planned actions touch 123456789012'
    [otheraccount]='"accounts" field says 999999999999, but its planned actions touch 123456789012'
)
for bad in truncated edited version account noaccounts otheraccount; do
    check "a $bad plan is refused with 4" \
        test "$(apply_rc "$E2E_TMP/$bad.json" "$E2E_TMP/$bad.err")" -eq 4
    check "... with a clear error ($bad)" grep -qi "${expect[$bad]}" "$E2E_TMP/$bad.err"
done
rc=0
cpw apply "$E2E_TMP/noaccounts.json" </dev/null >/dev/null 2>"$E2E_TMP/noaccounts-noyes.err" || rc=$?
check "an emptied, re-sealed accounts list does not bypass the confirmation (4)" test "$rc" -eq 4
check "... it is refused as edited, not asked about" grep -q "edited or is inconsistent" \
    "$E2E_TMP/noaccounts-noyes.err"
check "bad plans changed nothing" domain_exists "$ORPHAN_DOMAIN" eu-west-2
check "bad plans called no DeleteDomain" test "$(count_events DeleteDomain eu-west-2)" -eq 0
rc=0
cpw apply "$E2E_TMP/missing.json" --yes >/dev/null 2>&1 || rc=$?
check "a missing plan file is a usage error (252)" test "$rc" -eq 252

# ---- a role a live Connect instance uses, planned by name ----------------------------------
cpw plan --role "$LIVE_CONNECT_ROLE" -o "$E2E_TMP/liverole.json" >/dev/null
check "the live instance's role refused at apply (4)" \
    test "$(apply_rc "$E2E_TMP/liverole.json" "$E2E_TMP/liverole.err" --state "$E2E_TMP/st-r")" -eq 4
check "... naming the instance that uses it" grep -q \
    "is the service role of Connect instance arn:aws:connect:us-east-1:123456789012:instance/.* (ACTIVE) in us-east-1" \
    "$E2E_TMP/liverole.err"
check "... and the role is untouched" role_exists "$LIVE_CONNECT_ROLE"
check "... no deletion task was submitted" \
    test "$(count_events DeleteServiceLinkedRole us-east-1)" -eq 0

# ---- a Connect role judged on an incomplete scope: some region cannot be listed ------------
start_orphans --fault-probability 1 --knob fault_operation=ListInstances --knob fault_kind=internal
cpw plan --role "$ORPHAN_CONNECT_ROLE" -o "$E2E_TMP/noscope.json" >/dev/null
check "a Connect role whose usage cannot be read everywhere is refused (4)" \
    test "$(apply_rc "$E2E_TMP/noscope.json" "$E2E_TMP/noscope.err" --state "$E2E_TMP/st-s")" -eq 4
check "... saying which regions could not be read" grep -q \
    "not every region where Connect is offered could be read (ListInstances in [a-z0-9-]*: " \
    "$E2E_TMP/noscope.err"
check "... and the role is untouched" role_exists "$ORPHAN_CONNECT_ROLE"

# ---- one apply per plan and per account at a time ------------------------------------------
# The test shell holds a lock with flock(1) on fd 9 and names itself in it, as cpwarden does:
# cpwarden apply is then the second process, refused at once (no timing involved).
start_orphans
plan_orphan "$E2E_TMP/lock.json"
sum=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["checksum"])' \
    "$E2E_TMP/lock.json")
LOCKS="$E2E_TMP/lockstate/locks"
(umask 077 && mkdir -p "$LOCKS")
HOST=$(uname -n)
hold_lock() { # FILE
    exec 9<>"$1"
    flock -n 9
    printf 'pid %s\nhost %s\nsince 2026-12-04T20:00:00Z\nwhat test\n' "$$" "$HOST" >"$1"
}
hold_lock "$LOCKS/plan-$sum.lock"
check "a plan being applied elsewhere is refused (4)" \
    test "$(apply_rc "$E2E_TMP/lock.json" "$E2E_TMP/lock1.err" --state "$E2E_TMP/lockstate")" -eq 4
check "... naming the holder" grep -q \
    "is being applied by pid $$ on host $HOST since 2026-12-04T20:00:00Z; wait for it to finish" \
    "$E2E_TMP/lock1.err"
exec 9>&-
hold_lock "$LOCKS/account-123456789012.lock"
check "an account being applied elsewhere is refused (4)" \
    test "$(apply_rc "$E2E_TMP/lock.json" "$E2E_TMP/lock2.err" --state "$E2E_TMP/lockstate")" -eq 4
check "... naming the account and the holder" grep -q \
    "account 123456789012 is being applied by pid $$ on host $HOST" "$E2E_TMP/lock2.err"
exec 9>&-
check "locked out: the domain is untouched" domain_exists "$ORPHAN_DOMAIN" eu-west-2
check "locked out: nothing was backed up" test ! -e "$E2E_TMP/lockstate/backups"
# A lock file left by a process that died holding it: the kernel released the lock, the file
# still names the holder.
true &
dead=$!
wait "$dead"
printf 'pid %s\nhost %s\nsince 2026-12-04T19:00:00Z\nwhat plan\n' "$dead" "$HOST" \
    >"$LOCKS/plan-$sum.lock"
check "a lock left by a dead process is taken over: apply exits 0" \
    test "$(apply_rc "$E2E_TMP/lock.json" "$E2E_TMP/lock3.err" --state "$E2E_TMP/lockstate")" -eq 0
check "... saying so" grep -q \
    "taking over a lock left by pid $dead on host $HOST (since 2026-12-04T19:00:00Z), which is no longer running" \
    "$E2E_TMP/lock3.err"
check "... and the plan was applied" not domain_exists "$ORPHAN_DOMAIN" eu-west-2
check "the lock files are private and empty once released" \
    test "$(file_mode "$LOCKS/plan-$sum.lock")" = 600 -a ! -s "$LOCKS/plan-$sum.lock" \
    -a ! -s "$LOCKS/account-123456789012.lock"

finish
