#!/usr/bin/env bash
# The options that say which accounts and regions a command covers (--org, --role-name,
# --accounts, --exclude-accounts, --regions) mean the same in audit, inventory, plan and events:
# the same checks and usage errors (252, naming the command and the option), each command taking
# only the options its help lists, and a good value reaching the scan.
source "$(dirname "$0")/lib.sh"

rc() { "$@" >"$E2E_TMP/out" 2>"$E2E_TMP/err"; echo $?; }
err_has() { grep -qF -- "$1" "$E2E_TMP/err"; }

for cmd in audit inventory plan; do
    check "$cmd: a short account id is a usage error (252)" \
        test "$(rc "$CPWARDEN" "$cmd" --accounts 12345)" = 252
    check "$cmd: ...naming the command, the option and the id" \
        err_has "cpwarden $cmd: --accounts takes 12-digit account ids, not '12345'"
    check "$cmd: a non-numeric id after a good one is refused" \
        test "$(rc "$CPWARDEN" "$cmd" --accounts 123456789012,12345678901x)" = 252
    check "$cmd: ...naming the bad one" err_has "not '12345678901x'"
    check "$cmd: --accounts without its value is named" \
        test "$(rc "$CPWARDEN" "$cmd" --accounts)" = 252
    check "$cmd: ...as such" err_has "option '--accounts' needs a value"
done
for cmd in audit inventory; do
    check "$cmd: --exclude-accounts checks its ids too" \
        test "$(rc "$CPWARDEN" "$cmd" --exclude-accounts ' 123456789012 , 9')" = 252
    check "$cmd: ...under its own name" \
        err_has "cpwarden $cmd: --exclude-accounts takes 12-digit account ids, not '9'"
done
check "plan does not take --exclude-accounts" \
    test "$(rc "$CPWARDEN" plan --exclude-accounts 123456789012)" = 252
check "...an unknown option there" err_has "unknown option '--exclude-accounts'"
check "events does not take --accounts" test "$(rc "$CPWARDEN" events --accounts 123456789012)" = 252
check "...an unknown option there" err_has "unknown option '--accounts'"
for cmd in audit inventory events; do
    check "$cmd: an unknown region is a usage error (252)" \
        test "$(rc "$CPWARDEN" "$cmd" --region eu-west-2 --regions xx-nowhere-1)" = 252
    check "$cmd: ...naming the command and the region" \
        err_has "cpwarden $cmd: --regions: unknown region 'xx-nowhere-1'"
    check "$cmd: --role-name without its value is named" \
        test "$(rc "$CPWARDEN" "$cmd" --role-name)" = 252
    check "$cmd: ...as such" err_has "option '--role-name' needs a value"
done

start_sandbox --scenario orphans --no-rate-limits
check "inventory: --accounts with spaces and --regions reach the scan" \
    test "$(rc "$CPWARDEN" inventory --endpoint-url "$ENDPOINT" --region eu-west-2 \
              --regions us-east-1 --accounts ' 123456789012 ' --no-save --output json)" = 0
check "...which reads that account in that region only" python3 - "$E2E_TMP/out" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["accounts"] == ["123456789012"], d["accounts"]
assert d["regions"] == ["us-east-1"], d["regions"]
EOF
check "audit: the same scope options reach its scan" \
    test "$(rc "$CPWARDEN" audit --endpoint-url "$ENDPOINT" --region eu-west-2 \
              --regions us-east-1 --accounts 123456789012 --no-save --output json)" != 252
check "...over that account and region" python3 - "$E2E_TMP/out" <<'EOF'
import json, sys
scope = json.load(open(sys.argv[1]))["scope"]
assert scope["accounts"] == ["123456789012"], scope
assert scope["regions"] == ["us-east-1"], scope
EOF

finish
