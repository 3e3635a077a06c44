# test_cleanup_lifecycle.sh - the clean-up flow end to end on the sandbox's "orphans" scenario:
# plan -> apply -> verify -> history, the domain whose role stays (DeleteServiceLinkedRole), a
# role still in use refused before its deletion is submitted, and DeleteDomain failing then
# succeeding on retry.
# shellcheck source=cleanup_lib.sh
source "$(dirname "$0")/cleanup_lib.sh"

# ---- plan -> apply -> verify -> history ----------------------------------------------------
start_orphans
cpw plan --regions "$REGIONS" -o "$E2E_TMP/plan.json" >"$E2E_TMP/plan.txt"
check "plan exits 0" test $? -eq 0
check "plan file is 0600" test "$(file_mode "$E2E_TMP/plan.json")" = 600
check "plan shows the orphaned domain" grep -q "$ORPHAN_DOMAIN" "$E2E_TMP/plan.txt"
check "plan never plans the live domain" \
    /usr/bin/python3 -c 'import json,sys; p=json.load(open(sys.argv[1]))
sys.exit(any(a["target"]["name"] == "live-customers" for a in p["actions"]))' "$E2E_TMP/plan.json"
check "plan carries the caller identity" grep -q '"arn": "arn:aws:iam::123456789012:root"' \
    "$E2E_TMP/plan.json"
cpw plan --regions "$REGIONS" --output markdown >"$E2E_TMP/plan.md"
check "plan renders Markdown" grep -q "^# " "$E2E_TMP/plan.md"

cpw plan --instance 5d2e8b1c-3f4a-4b5c-9d6e-000000000002 --regions "$REGIONS" --output json \
    >"$E2E_TMP/byinstance.json"
check "plan --instance finds the deleted instance's domain" grep -q \
    '"name": "retired-customers"' "$E2E_TMP/byinstance.json"
cpw plan --instance 0f7c4a5e-1a2b-4c3d-8e9f-000000000001 --regions "$REGIONS" --output json \
    >"$E2E_TMP/byactive.json"
check "plan --instance of the live instance refuses its domain" grep -q '"status": "refused"' \
    "$E2E_TMP/byactive.json"

# ---- a partial scope never plans a role: roles are global, their users regional ------------
# Only eu-west-2 read: the live instance (us-east-1) and the live domain are unseen, so their
# roles look unused; their findings are only possible and nothing plans them by default.
planned_roles() { # PLAN: the names of the roles the plan would delete
    /usr/bin/python3 -c 'import json,sys; p=json.load(open(sys.argv[1]))
print("\n".join(a["target"]["name"] for a in p["actions"]
      if a["kind"] == "delete-service-linked-role" and a["status"] == "planned"))' "$1"
}
cpw plan --regions eu-west-2 --output json >"$E2E_TMP/partial.json"
planned_roles "$E2E_TMP/partial.json" >"$E2E_TMP/partial.roles"
check "a partial scope does not plan the live instance's role" \
    not grep -qx "$LIVE_CONNECT_ROLE" "$E2E_TMP/partial.roles"
check "a partial scope does not plan the live domain's role" \
    not grep -qx "$LIVE_DOMAIN_ROLE" "$E2E_TMP/partial.roles"
# Nor the leftover domain's own role: with us-east-1 unread, a domain there created within the
# same window could be the role's owner, so no role is linked to a domain by creation time.
check "a partial scope plans no role at all, not even the leftover domain's" \
    test -z "$(cat "$E2E_TMP/partial.roles")"
check "...but still the leftover domain" /usr/bin/python3 -c 'import json,sys
p=json.load(open(sys.argv[1]))
sys.exit(not any(a["kind"] == "delete-domain" and a["status"] == "planned" for a in p["actions"]))' \
    "$E2E_TMP/partial.json"
check "the skipped roles say why" grep -q "only possibly orphaned" "$E2E_TMP/partial.json"
cpw inventory --regions eu-west-2 --no-save --state "$E2E_TMP/partial-state" --output json \
    >"$E2E_TMP/partial-inv.json" || true
check "the partial inventory names the regions it did not read" /usr/bin/python3 -c '
import json,sys; d=json.load(open(sys.argv[1]))
f=[f for f in d["findings"] if f["resource_arn"].endswith("/'"$LIVE_CONNECT_ROLE"'")]
sys.exit(not (len(f) == 1 and f[0]["confidence"] == "possible" and
    any("not read: " in e for e in f[0]["evidence"]) and
    "Delete" not in f[0]["action"]))' "$E2E_TMP/partial-inv.json"
# With no --regions, plan reads what inventory reads: the same targets as --regions all.
cpw plan --output json >"$E2E_TMP/default.json"
check "plan without --regions reads every region (plans the orphaned domain and roles)" \
    /usr/bin/python3 -c 'import json,sys
a=[(x["kind"], x["target"]["name"], x["status"]) for x in json.load(open(sys.argv[1]))["actions"]]
b=[(x["kind"], x["target"]["name"], x["status"]) for x in json.load(open(sys.argv[2]))["actions"]]
sys.exit(not (a == b and ("delete-domain", "retired-customers", "planned") in a))' \
    "$E2E_TMP/default.json" "$E2E_TMP/plan.json"

rc=0
cpw apply "$E2E_TMP/plan.json" </dev/null >/dev/null 2>"$E2E_TMP/noconfirm.err" || rc=$?
check "apply without a terminal and without --yes is refused (4)" test "$rc" -eq 4
check "the refusal says how to confirm" grep -q -- "--yes" "$E2E_TMP/noconfirm.err"
check "nothing was deleted without confirmation" domain_exists "$ORPHAN_DOMAIN" eu-west-2

rc=0
cpw apply "$E2E_TMP/plan.json" --yes "${FAST[@]}" >"$E2E_TMP/apply.txt" 2>"$E2E_TMP/apply.err" ||
    rc=$?
check "apply exits 0" test "$rc" -eq 0
check "the orphaned domain is gone" not domain_exists "$ORPHAN_DOMAIN" eu-west-2
check "its role is gone" role_gone_within "$ORPHAN_DOMAIN_ROLE"
check "the orphaned Connect role is gone" not role_exists "$ORPHAN_CONNECT_ROLE"
check "the live domain is untouched" domain_exists "$LIVE_DOMAIN" us-east-1
check "the live domain's role is untouched" role_exists "$LIVE_DOMAIN_ROLE"
check "the live instance's role is untouched" role_exists "$LIVE_CONNECT_ROLE"
check "DeleteDomain was called once" test "$(count_events DeleteDomain eu-west-2)" -eq 1
# The orphaned Connect role and the legacy AWSServiceRoleForProfile (a likely orphan: no domain
# can be its own); the domain's role went with the domain.
check "DeleteServiceLinkedRole was called twice" \
    test "$(count_events DeleteServiceLinkedRole us-east-1)" -eq 2
check "the legacy profile role is gone" not role_exists AWSServiceRoleForProfile
backup=$(ls "$XDG_STATE_HOME"/cpwarden/backups/"$ORPHAN_DOMAIN"-*.cpwbackup)
check "the backup is 0600" test "$(file_mode "$backup")" = 600
check "the backup is intact" backup_intact "$backup"
check "apply names its backup as cpwarden backup does (DOMAIN-REGION-TAG.cpwbackup)" \
    bash -c "basename '$backup' | grep -Eq '^$ORPHAN_DOMAIN-eu-west-2-[0-9]{12}-plan[0-9a-f]{12}\.cpwbackup$'"
check "the backup holds the domain's integration" grep -q '"section": *"integrations"' "$backup"

rc=0
cpw apply "$E2E_TMP/plan.json" --yes "${FAST[@]}" --output json >"$E2E_TMP/again.json" || rc=$?
check "applying the same plan again exits 0" test "$rc" -eq 0
check "... and finds every step done earlier" /usr/bin/python3 -c 'import json,sys
d=json.load(open(sys.argv[1])); s=[x["outcome"] for x in d["steps"] if x["outcome"] != "skipped"]
sys.exit(not s or any(o != "previously" for o in s))' "$E2E_TMP/again.json"
check "... without calling DeleteDomain again" test "$(count_events DeleteDomain eu-west-2)" -eq 1

cpw history --output json >"$E2E_TMP/history.json"
check "history lists what apply did, who, with which plan" /usr/bin/python3 -c 'import json,sys
c=json.load(open(sys.argv[1]))["changes"]
d=[x for x in c if x["what"] == "delete-domain"]
sys.exit(not (len(d) == 1 and d[0]["result"] == "done" and
    d[0]["who"] == "arn:aws:iam::123456789012:root" and
    d[0]["plan"]["path"].endswith("plan.json") and "retired-customers" in d[0]["target"]))' \
    "$E2E_TMP/history.json"
checksum=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["checksum"])' \
    "$E2E_TMP/plan.json")
check "history --plan filters by checksum prefix" \
    test "$(cpw history --plan "${checksum:0:8}" --output csv | wc -l)" -gt 1
check "history --plan with another prefix shows nothing" \
    test "$(cpw history --plan 0000000000 --output csv | wc -l)" -eq 1
check "history --since the future shows nothing" \
    test "$(cpw history --since 2999-01-01 --output csv | wc -l)" -eq 1
check "history renders Markdown" bash -c "'$CPWARDEN' history --output markdown | grep -q delete-domain"

# ---- the domain's role stays after DeleteDomain: DeleteServiceLinkedRole -------------------
start_orphans --role-persists
cpw plan --domain "$ORPHAN_DOMAIN" --region eu-west-2 --role "$ORPHAN_DOMAIN_ROLE" \
    -o "$E2E_TMP/persist.json" >/dev/null
rc=0
cpw apply "$E2E_TMP/persist.json" --yes --state "$E2E_TMP/persist-state" --poll-interval 20ms \
    --wait 300ms >"$E2E_TMP/persist.txt" 2>&1 || rc=$?
check "apply with a persisting role exits 0" test "$rc" -eq 0
check "the wait reports the role stayed" grep -q "still there after 300 ms" "$E2E_TMP/persist.txt"
check "the role is gone after DeleteServiceLinkedRole" not role_exists "$ORPHAN_DOMAIN_ROLE"
check "DeleteServiceLinkedRole was called once for it" \
    test "$(count_events DeleteServiceLinkedRole us-east-1)" -eq 1

# ---- plan --from-inventory: the inventory's findings and links choose the targets ----------
start_orphans --role-persists
/usr/bin/python3 - "$E2E_TMP/inventory.json" <<'PY'
import json, sys
acct = "123456789012"
dom = "arn:aws:profile:eu-west-2:%s:domains/retired-customers" % acct
role = ("arn:aws:iam::%s:role/aws-service-role/profile.amazonaws.com/"
        "AWSServiceRoleForProfile_OrphanDomainRole0002" % acct)
doc = {"schema": 1, "scanned_at": "2026-11-27T16:00:00Z", "accounts": [acct],
       "regions": ["eu-west-2"], "instances": [], "errors": [],
       "domains": [{"account": acct, "region": "eu-west-2", "name": "retired-customers",
                    "arn": dom, "created_at": None, "profile_count": 2, "instance_arns": [],
                    "integrations": [], "role_arn": role, "role_confidence": "likely"}],
       "roles": [{"account": acct, "name": "AWSServiceRoleForProfile_OrphanDomainRole0002",
                  "arn": role, "path": "/aws-service-role/profile.amazonaws.com/",
                  "service": "profile", "created_at": None, "last_used_at": None,
                  "last_used_region": None, "linked_arn": dom}],
       "findings": [{"kind": "domain-without-instance", "severity": "warning",
                     "confidence": "certain", "resource_arn": dom, "account": acct,
                     "region": "eu-west-2", "evidence": ["its instance is gone"],
                     "action": None}]}
json.dump(doc, open(sys.argv[1], "w"))
PY
cpw plan --from-inventory "$E2E_TMP/inventory.json" -o "$E2E_TMP/frominv.json" >/dev/null
check "plan --from-inventory exits 0" test $? -eq 0
check "... plans the domain's linked role after the domain" /usr/bin/python3 -c 'import json,sys
a=json.load(open(sys.argv[1]))["actions"]; k=[(x["kind"], x["target"]["name"]) for x in a]
sys.exit(("wait-role-gone", "AWSServiceRoleForProfile_OrphanDomainRole0002") not in k
    or k[0] != ("backup-domain", "retired-customers"))' "$E2E_TMP/frominv.json"
check "... and reads the integration live (dangling: deleted first)" \
    grep -q '"kind": "delete-integration"' "$E2E_TMP/frominv.json"
rc=0
cpw apply "$E2E_TMP/frominv.json" --yes --state "$E2E_TMP/inv-state" --poll-interval 20ms \
    --wait 300ms >/dev/null 2>&1 || rc=$?
check "apply of the inventory-based plan exits 0" test "$rc" -eq 0
check "... the domain and its role are gone" not role_exists "$ORPHAN_DOMAIN_ROLE"
check "... and the live domain is untouched" domain_exists "$LIVE_DOMAIN" us-east-1

# ---- a role a live domain still uses is refused before DeleteServiceLinkedRole ------------
cpw plan --role "$LIVE_DOMAIN_ROLE" -o "$E2E_TMP/inuse.json" >/dev/null
slr_before=$(count_events DeleteServiceLinkedRole us-east-1)
rc=0
cpw apply "$E2E_TMP/inuse.json" --yes --state "$E2E_TMP/inuse-state" "${FAST[@]}" \
    >"$E2E_TMP/inuse.txt" 2>"$E2E_TMP/inuse.err" || rc=$?
check "a role in use is refused at apply: exit 4" test "$rc" -eq 4
check "the refusal names the live domain using the role" grep -q \
    "is the role of domain arn:aws:profile:us-east-1:123456789012:domains/$LIVE_DOMAIN, which exists" \
    "$E2E_TMP/inuse.err"
check "the role in use is still there" role_exists "$LIVE_DOMAIN_ROLE"
check "no deletion task was submitted for it" \
    test "$(count_events DeleteServiceLinkedRole us-east-1)" -eq "$slr_before"
check "the verify step was not run" grep -q "not-run" "$E2E_TMP/inuse.txt"

# ---- DeleteDomain fails, then succeeds on retry --------------------------------------------
# Seed 3 draws a fault for the first DeleteDomain and none for the second (reproducible).
start_orphans --fault-probability 0.5 --knob fault_operation=DeleteDomain \
    --knob fault_kind=internal --seed 3
cpw plan --domain "$ORPHAN_DOMAIN" --region eu-west-2 -o "$E2E_TMP/retry.json" >/dev/null
rc=0
cpw apply "$E2E_TMP/retry.json" --yes --state "$E2E_TMP/retry-state" "${FAST[@]}" \
    --max-retries 3 >"$E2E_TMP/retry.txt" 2>&1 || rc=$?
check "DeleteDomain retried to success: exit 0" test "$rc" -eq 0
check "... on the second attempt" grep -q "DeleteDomain $ORPHAN_DOMAIN succeeded (attempt 2)" \
    "$E2E_TMP/retry.txt"
check "... and the domain is gone" not domain_exists "$ORPHAN_DOMAIN" eu-west-2

start_orphans --fault-probability 1 --knob fault_operation=DeleteDomain --knob fault_kind=internal
cpw plan --domain "$ORPHAN_DOMAIN" --region eu-west-2 -o "$E2E_TMP/noretry.json" >/dev/null
rc=0
cpw apply "$E2E_TMP/noretry.json" --yes --state "$E2E_TMP/noretry-state" "${FAST[@]}" \
    --max-retries 1 >/dev/null 2>"$E2E_TMP/noretry.err" || rc=$?
check "DeleteDomain failing every time: exit 1" test "$rc" -eq 1
check "... with the reason and the attempts" grep -q "failed after 2 attempt(s).*InternalServer" \
    "$E2E_TMP/noretry.err"
check "... and the domain stays" domain_exists "$ORPHAN_DOMAIN" eu-west-2

finish
