# test_cleanup_org.sh - the organization-wide clean-up end to end on the sandbox's "org:"
# scenario: plan --org and plan --from-inventory of an org inventory plan every member's
# leftovers, apply deletes them in each member (checked in the member through AssumeRole), a
# blocklisted account is skipped, a member whose role cannot be assumed fails alone, and
# applying again resumes each account without repeating a step.
# shellcheck source=cleanup_lib.sh
source "$(dirname "$0")/cleanup_lib.sh"

SCENARIO='org:accounts=4,regions=2,leftover=0.5,seed=1'
ORG_REGIONS=us-east-1,us-west-2
MEMBERS=$(seq -f "2000000000%02g" 1 7)

start_org() { # [SCENARIO]
    if [ -n "$SANDBOX_PID" ]; then stop_sandbox; fi
    start_sandbox --scenario "${1:-$SCENARIO}" --no-rate-limits --knob domain_role_cleanup_ms=200 \
        --slr-deletion-delay-ms 100
    export AWS_ENDPOINT_URL="$ENDPOINT"
    rm -rf "$XDG_STATE_HOME"
}

# One profile per member: the member's OrganizationAccountAccessRole, assumed with the
# management account's keys from the environment, to look at the member from inside.
: >"$AWS_CONFIG_FILE"
for m in $MEMBERS; do
    printf '[profile m%s]\nrole_arn = arn:aws:iam::%s:role/OrganizationAccountAccessRole\n' \
        "$m" "$m" >>"$AWS_CONFIG_FILE"
    printf 'credential_source = Environment\n' >>"$AWS_CONFIG_FILE"
done

in_member() { # ACCOUNT API-ARGS...: cpwarden api inside a member account
    local account=$1; shift
    cpw api "$@" --profile "m$account"
}

member_domain_exists() { # ACCOUNT NAME REGION
    in_member "$1" customer-profiles get-domain "{\"DomainName\": \"$2\"}" --region "$3" \
        >/dev/null 2>&1
}

member_events() { # ACCOUNT EVENT REGION: CloudTrail events of that name in the member
    in_member "$1" cloudtrail lookup-events --paginate --region "$3" \
        "{\"LookupAttributes\": [{\"AttributeKey\": \"EventName\", \"AttributeValue\": \"$2\"}]}" |
        /usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)["Events"]))'
}

# planned_domains PLAN: "ACCOUNT NAME REGION" of every planned delete-domain, one per line.
planned_domains() {
    /usr/bin/python3 - "$1" <<'PY'
import json, sys
for a in json.load(open(sys.argv[1]))["actions"]:
    if a["kind"] == "delete-domain" and a["status"] == "planned":
        t = a["target"]
        print(t["account"], t["name"], t["region"])
PY
}

plan_accounts() { # PLAN: the accounts of the planned actions, sorted, one line
    /usr/bin/python3 -c 'import json,sys
p=json.load(open(sys.argv[1]))
print(" ".join(sorted({a["target"]["account"] for a in p["actions"] if a["status"] == "planned"})))' "$1"
}

# ---- plan --org and plan --from-inventory of an org inventory ----------------------------
start_org
cpw plan --org --regions "$ORG_REGIONS" -o "$E2E_TMP/plan.json" >"$E2E_TMP/plan.txt"
check "plan --org exits 0" test $? -eq 0
check "plan --org touches member accounts" grep -q "^Accounts touched: 2000000000" \
    "$E2E_TMP/plan.txt"
touched=$(plan_accounts "$E2E_TMP/plan.json")
check "leftovers are planned in at least three members" \
    test "$(echo "$touched" | wc -w)" -ge 3
check "the plan records the organization and the role" /usr/bin/python3 -c 'import json,sys
o=json.load(open(sys.argv[1]))["options"]
sys.exit(not (o["organization"] is True and o["role_name"] == "OrganizationAccountAccessRole"))' \
    "$E2E_TMP/plan.json"
check "the plan's actions carry their member account" /usr/bin/python3 -c 'import json,sys
p=json.load(open(sys.argv[1]))
sys.exit(not all(a["target"]["account"].startswith("2000000000") for a in p["actions"]))' \
    "$E2E_TMP/plan.json"
check "every planned domain was read in its member account" /usr/bin/python3 -c 'import json,sys
p=json.load(open(sys.argv[1]))
d=[a for a in p["actions"] if a["kind"] == "delete-domain"]
sys.exit(not d or not all(a["target"]["arn"].split(":")[4] == a["target"]["account"] for a in d))' \
    "$E2E_TMP/plan.json"

cpw inventory --org --regions "$ORG_REGIONS" --no-save --output json \
    --output-file "$E2E_TMP/inventory.json" 2>/dev/null
cpw plan --from-inventory "$E2E_TMP/inventory.json" -o "$E2E_TMP/fromfile.json" \
    >"$E2E_TMP/fromfile.txt"
check "plan --from-inventory of an org inventory exits 0" test $? -eq 0
check "... does not say 'Accounts touched: none'" not grep -q "Accounts touched: none" \
    "$E2E_TMP/fromfile.txt"
check "... plans the same accounts as plan --org" \
    test "$(plan_accounts "$E2E_TMP/fromfile.json")" = "$touched"
check "... the same domains" \
    test "$(planned_domains "$E2E_TMP/fromfile.json")" = "$(planned_domains "$E2E_TMP/plan.json")"

rc=0
cpw plan --org --domain x >/dev/null 2>&1 || rc=$?
check "plan --org with a named domain is a usage error (252)" test "$rc" -eq 252

# ---- a blocklisted member is skipped; a member whose role is gone fails alone ----------------
read -r BLOCKED BROKEN _ <<<"$touched"
mkdir -p "$XDG_CONFIG_HOME/cpwarden"
printf '[accounts]\nblocklist = %s\n' "$BLOCKED" >"$XDG_CONFIG_HOME/cpwarden/config"
cpw plan --org --regions "$ORG_REGIONS" -o "$E2E_TMP/guarded.json" >"$E2E_TMP/guarded.txt"
check "the blocklisted member is not touched by the plan" \
    not grep -q "^Accounts touched:.*$BLOCKED" "$E2E_TMP/guarded.txt"
check "its actions are skipped with the blocklist as reason" /usr/bin/python3 -c 'import json,sys
p=json.load(open(sys.argv[1]))
a=[x for x in p["actions"] if x["target"]["account"] == sys.argv[2]]
sys.exit(not a or any(x["status"] != "skipped" or "blocklist" not in x["reason"] for x in a))' \
    "$E2E_TMP/guarded.json" "$BLOCKED"

rc=0
cpw apply "$E2E_TMP/guarded.json" </dev/null >/dev/null 2>"$E2E_TMP/noconfirm.err" || rc=$?
check "apply without a terminal and without --yes is refused (4)" test "$rc" -eq 4

# The member's access role goes: AssumeRole into it now fails. With authorization on, a role
# cannot remove itself after losing its policy, so a second administrator role does it.
MGMT=$(cpw api sts get-caller-identity --query Account --output text)
in_member "$BROKEN" iam create-role "$(/usr/bin/python3 -c 'import json,sys
t={"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
   "Principal": {"AWS": "arn:aws:iam::%s:root" % sys.argv[1]}}]}
print(json.dumps({"RoleName": "Breaker", "AssumeRolePolicyDocument": json.dumps(t)}))' "$MGMT")" \
    >/dev/null
in_member "$BROKEN" iam attach-role-policy \
    '{"RoleName": "Breaker", "PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}'
printf '[profile b%s]\nrole_arn = arn:aws:iam::%s:role/Breaker\ncredential_source = Environment\n' \
    "$BROKEN" "$BROKEN" >>"$AWS_CONFIG_FILE"
cpw api iam detach-role-policy --profile "b$BROKEN" \
    '{"RoleName": "OrganizationAccountAccessRole", "PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}'
cpw api iam delete-role --profile "b$BROKEN" '{"RoleName": "OrganizationAccountAccessRole"}'
check "the broken member's role is gone" not in_member "$BROKEN" sts get-caller-identity

cpw plan --org --regions "$ORG_REGIONS" --output json >"$E2E_TMP/nobroken.json" \
    2>"$E2E_TMP/nobroken.err"
check "plan --org warns that it could not enter the member" \
    grep -q "account $BROKEN not scanned" "$E2E_TMP/nobroken.err"
check "... and plans the others without it" /usr/bin/python3 -c 'import json,sys
p=json.load(open(sys.argv[1]))
a={x["target"]["account"] for x in p["actions"]}
sys.exit(sys.argv[2] in a or len(a) < 2)' "$E2E_TMP/nobroken.json" "$BROKEN"
cpw plan --from-inventory "$E2E_TMP/inventory.json" --output json >"$E2E_TMP/stale-inv.json" \
    2>"$E2E_TMP/stale-inv.err"
check "plan --from-inventory leaves out a member it cannot enter now, saying so" \
    grep -q "account $BROKEN left out of the plan: cannot assume" "$E2E_TMP/stale-inv.err"
check "... its targets are not in the plan" /usr/bin/python3 -c 'import json,sys
p=json.load(open(sys.argv[1]))
sys.exit(any(x["target"]["account"] == sys.argv[2] for x in p["actions"]))' \
    "$E2E_TMP/stale-inv.json" "$BROKEN"

rc=0
cpw apply "$E2E_TMP/guarded.json" --yes "${FAST[@]}" --output json >"$E2E_TMP/apply.json" \
    2>"$E2E_TMP/apply.err" || rc=$?
check "apply exits 1: one member failed" test "$rc" -eq 1
check "the unreachable member is reported" grep -q "account $BROKEN: unreachable" \
    "$E2E_TMP/apply.err"
check "its steps failed with the AssumeRole reason" /usr/bin/python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
s=[x for x in d["steps"] if x["account"] == sys.argv[2] and x["outcome"] != "skipped"]
sys.exit(not s or any(x["outcome"] != "failed" or "cannot assume" not in x["detail"] for x in s))' \
    "$E2E_TMP/apply.json" "$BROKEN"
others=0
deleted=0
while read -r account name region; do
    if [ "$account" = "$BROKEN" ] || [ "$account" = "$BLOCKED" ]; then continue; fi
    others=$((others + 1))
    if ! member_domain_exists "$account" "$name" "$region"; then deleted=$((deleted + 1)); fi
done < <(planned_domains "$E2E_TMP/guarded.json")
check "the other members' leftovers are deleted in each member" \
    test "$others" -ge 1 -a "$deleted" -eq "$others"
blocked_alive=0
blocked_total=0
while read -r account name region; do
    if [ "$account" != "$BLOCKED" ]; then continue; fi
    blocked_total=$((blocked_total + 1))
    if member_domain_exists "$account" "$name" "$region"; then
        blocked_alive=$((blocked_alive + 1))
    fi
done < <(planned_domains "$E2E_TMP/plan.json")
check "the blocklisted member's leftovers are untouched" \
    test "$blocked_total" -ge 1 -a "$blocked_alive" -eq "$blocked_total"
check "the blocklisted member saw no DeleteDomain" \
    test "$(member_events "$BLOCKED" DeleteDomain us-east-1)" -eq 0
cpw history --output json >"$E2E_TMP/history.json"
check "history names the member account of every step" /usr/bin/python3 -c 'import json,sys
c=json.load(open(sys.argv[1]))["changes"]
sys.exit(not c or not all("(2000000000" in x["target"] for x in c))' "$E2E_TMP/history.json"

# ---- a member blocklisted after the plan is refused alone at apply ---------------------------
start_org
rm -f "$XDG_CONFIG_HOME/cpwarden/config"
cpw plan --org --regions "$ORG_REGIONS" -o "$E2E_TMP/late.json" >/dev/null
read -r LATE _ <<<"$(plan_accounts "$E2E_TMP/late.json")"
printf '[accounts]\nblocklist = %s\n' "$LATE" >"$E2E_TMP/late.conf"
rc=0
cpw apply "$E2E_TMP/late.json" --yes --config "$E2E_TMP/late.conf" "${FAST[@]}" >/dev/null \
    2>"$E2E_TMP/late.err" || rc=$?
check "apply with a member blocklisted since the plan exits 1" test "$rc" -eq 1
check "... that member is refused as protected" \
    grep -q "account $LATE: refused, .* failed: protected: .* is on the blocklist" "$E2E_TMP/late.err"
late_alive=0
late_total=0
others_gone=0
others_total=0
while read -r account name region; do
    if [ "$account" = "$LATE" ]; then
        late_total=$((late_total + 1))
        if member_domain_exists "$account" "$name" "$region"; then late_alive=$((late_alive + 1)); fi
    else
        others_total=$((others_total + 1))
        if ! member_domain_exists "$account" "$name" "$region"; then
            others_gone=$((others_gone + 1))
        fi
    fi
done < <(planned_domains "$E2E_TMP/late.json")
check "... its leftovers are untouched" test "$late_total" -ge 1 -a "$late_alive" -eq "$late_total"
check "... the other members are cleaned up" \
    test "$others_total" -ge 1 -a "$others_gone" -eq "$others_total"

# ---- interrupted, then resumed per account -------------------------------------------------
start_org
rm -f "$XDG_CONFIG_HOME/cpwarden/config"
cpw plan --org --regions "$ORG_REGIONS" -o "$E2E_TMP/resume.json" >/dev/null
rc=0
cpw apply "$E2E_TMP/resume.json" --yes --parallel 1 --kill-after-record 5 "${FAST[@]}" \
    >/dev/null 2>&1 || rc=$?
check "the first apply was killed" test "$rc" -eq 137
rc=0
cpw apply "$E2E_TMP/resume.json" --yes --parallel 3 "${FAST[@]}" --output json \
    >"$E2E_TMP/resumed.json" 2>"$E2E_TMP/resumed.err" || rc=$?
check "applying again completes (0)" test "$rc" -eq 0
check "... as a resumed run that found earlier work" /usr/bin/python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
sys.exit(not (d["resumed"] and any(s["outcome"] == "previously" for s in d["steps"])))' \
    "$E2E_TMP/resumed.json"
once=0
total=0
while read -r account name region; do
    total=$((total + 1))
    if ! member_domain_exists "$account" "$name" "$region" &&
        [ "$(member_events "$account" DeleteDomain "$region")" -eq \
            "$(planned_domains "$E2E_TMP/resume.json" | grep -c "^$account .* $region$")" ]; then
        once=$((once + 1))
    fi
done < <(planned_domains "$E2E_TMP/resume.json")
check "every planned domain is gone, DeleteDomain called once each in its member" \
    test "$total" -ge 3 -a "$once" -eq "$total"
cpw history --output json >"$E2E_TMP/history2.json"
check "the journal records each finished step once" /usr/bin/python3 -c 'import json,sys
from collections import Counter
c=json.load(open(sys.argv[1]))["changes"]
n=Counter(x["step"] for x in c if x["result"] in ("done", "already"))
sys.exit(not n or max(n.values()) != 1)' "$E2E_TMP/history2.json"
rc=0
cpw apply "$E2E_TMP/resume.json" --yes "${FAST[@]}" --output json >"$E2E_TMP/third.json" || rc=$?
check "a third apply does nothing new" /usr/bin/python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
sys.exit(any(s["outcome"] not in ("previously", "skipped") for s in d["steps"]))' \
    "$E2E_TMP/third.json"

# ---- many accounts: confirmed by their count and digest, typed on a terminal ----------------
if command -v script >/dev/null; then
    start_org 'org:accounts=7,regions=1,leftover=1,seed=1'
    cpw plan --org --regions us-east-1 -o "$E2E_TMP/seven.json" >/dev/null
    check "seven members are planned" test "$(plan_accounts "$E2E_TMP/seven.json" | wc -w)" -eq 7
    digest=$(/usr/bin/python3 -c 'import hashlib,json,sys
p=json.load(open(sys.argv[1]))
ids=sorted({a["target"]["account"] for a in p["actions"] if a["status"] == "planned"})
print(hashlib.sha256("\n".join(ids).encode()).hexdigest()[:8])' "$E2E_TMP/seven.json")
    on_terminal() { # TYPED OUT: apply on a pseudo-terminal, TYPED on its input; the exit status
        local rc=0
        printf '%s\n' "$1" | script -qec "'$CPWARDEN' apply '$E2E_TMP/seven.json' \
            --poll-interval 20ms --wait 2s --retry-interval 50ms" /dev/null >"$2" 2>&1 || rc=$?
        echo "$rc"
    }
    check "the prompt asks for the count and the digest" \
        test "$(on_terminal "7 00000000" "$E2E_TMP/t1.out")" -eq 4
    check "... naming them" grep -q "Type '7 $digest'" "$E2E_TMP/t1.out"
    check "typing every id does not confirm seven accounts" test "$(on_terminal \
        "$(plan_accounts "$E2E_TMP/seven.json")" "$E2E_TMP/t2.out")" -eq 4
    check "nothing was deleted unconfirmed" \
        test "$(member_events 200000000007 DeleteDomain us-east-1)" -eq 0
    check "the count and the digest confirm" \
        test "$(on_terminal "7 $digest" "$E2E_TMP/t3.out")" -eq 0
    check "... and every member is cleaned up" \
        test "$(member_events 200000000007 DeleteDomain us-east-1)" -eq 1
else
    echo "script(1) not installed: the terminal confirmation is covered by unit.accounts only"
fi

finish
