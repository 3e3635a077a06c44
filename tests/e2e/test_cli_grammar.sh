#!/usr/bin/env bash
# One grammar on every command: global options before or after the command, `--opt value` and
# `--opt=value`, suggestions for unknown commands and options, usage errors exit 252, and colour
# only where asked for or on a terminal that can show it.
source "$(dirname "$0")/lib.sh"
start_sandbox --scenario orphans --no-rate-limits  # many scans in a row: no throttling

rc() { "$@" >"$E2E_TMP/out" 2>"$E2E_TMP/err"; echo $?; }
err_has() { grep -q -- "$1" "$E2E_TMP/err"; }

id_after=$("$CPWARDEN" api --endpoint-url "$ENDPOINT" --region eu-west-2 sts get-caller-identity)
id_before=$("$CPWARDEN" --endpoint-url "$ENDPOINT" --region eu-west-2 api sts get-caller-identity)
id_equals=$("$CPWARDEN" --endpoint-url="$ENDPOINT" api --region=eu-west-2 sts get-caller-identity)
check "AWS options before the command work" test -n "$id_before"
check "before and after the command give the same answer" test "$id_before" = "$id_after"
check "--opt=value works before and after the command" test "$id_equals" = "$id_after"
check "--query before the command applies to its output" \
    test "$("$CPWARDEN" --query Account --endpoint-url "$ENDPOINT" api sts get-caller-identity)" \
    = '"123456789012"'

check "--log-level after the command is accepted" \
    test "$(rc "$CPWARDEN" inventory --endpoint-url "$ENDPOINT" --regions us-east-1 \
              --output json --no-save --log-level info)" = 0
check "--log-level=LEVEL is accepted" \
    test "$(rc "$CPWARDEN" --log-level=warn inventory --endpoint-url "$ENDPOINT" \
              --regions us-east-1 --output json --no-save)" = 0
check "a bad --log-level is a usage error (252)" \
    test "$(rc "$CPWARDEN" inventory --log-level loud)" = 252
check "...naming the levels" err_has "error, warn, info, debug or trace"

check "an unknown command exits 252" test "$(rc "$CPWARDEN" inventroy)" = 252
check "...and suggests the nearest" err_has "did you mean 'inventory'"
check "an unknown option exits 252" test "$(rc "$CPWARDEN" history --sine 2026-01-01)" = 252
check "...and suggests the nearest" err_has "did you mean '--since'"
check "an option without its value is named" test "$(rc "$CPWARDEN" history --since)" = 252
check "...as such" err_has "option '--since' needs a value"
check "a flag given a value is a usage error" test "$(rc "$CPWARDEN" inventory --org=x)" = 252
check "...saying it takes none" err_has "option '--org' takes no value"
check "an unknown global option suggests the nearest" test "$(rc "$CPWARDEN" --colr on help)" = 252
check "...with its name" err_has "did you mean '--color'"

# Colour: forced on gives escape sequences in the table, --no-color and NO_COLOR none.
"$CPWARDEN" inventory --endpoint-url "$ENDPOINT" --regions us-east-1 --output table \
    --color on --no-save >"$E2E_TMP/color" 2>/dev/null || true
"$CPWARDEN" inventory --endpoint-url "$ENDPOINT" --regions us-east-1 --output table \
    --no-color --no-save >"$E2E_TMP/plain" 2>/dev/null || true
check "--color on colours the table" grep -q $'\033\[' "$E2E_TMP/color"
check "--no-color gives no escape sequence" bash -c "! grep -q $'\033' '$E2E_TMP/plain'"
# On a terminal (script(1) gives the command one): colour by default, none with TERM=dumb.
tty_inventory() {
    TERM=$1 script -qec "'$CPWARDEN' inventory --endpoint-url '$ENDPOINT' --regions us-east-1 \
        --output table --no-save" /dev/null </dev/null 2>/dev/null || true
}
tty_inventory xterm-256color >"$E2E_TMP/tty-color"
tty_inventory dumb >"$E2E_TMP/tty-dumb"
check "a terminal gets colour" grep -q $'\033\[' "$E2E_TMP/tty-color"
check "TERM=dumb gets no escape sequence" bash -c "! grep -q $'\033' '$E2E_TMP/tty-dumb'"
check "...but the table itself" grep -q "LiveDomain\|domain" "$E2E_TMP/tty-dumb"
check "a bad --color value is a usage error" test "$(rc "$CPWARDEN" --color sometimes help)" = 252

# --output is the format everywhere, the output file one name everywhere (-o/--output-file).
check "plan -o json (a format as a file name) is a usage error" \
    test "$(rc "$CPWARDEN" plan --endpoint-url "$ENDPOINT" -o json)" = 252
check "...saying which option means what" err_has "use --output json for the format"
check "no file named json was written" test ! -e json
check "a format the command does not write is a usage error" \
    test "$(rc "$CPWARDEN" plan --endpoint-url "$ENDPOINT" --output text)" = 252
check "...naming the formats it offers" err_has "--output takes table,json,markdown here"
check "document --output table names its formats" \
    test "$(rc "$CPWARDEN" document --output=table)" = 252
check "inventory -o FILE writes the file" \
    test "$(rc "$CPWARDEN" inventory --endpoint-url "$ENDPOINT" --regions us-east-1 --no-save \
              --output json -o "$E2E_TMP/inv.json")" = 0
check "...a JSON inventory" grep -q '"findings"' "$E2E_TMP/inv.json"
check "an AWS CLI profile's output = text is no error (the command's default applies)" \
    test "$(AWS_DEFAULT_OUTPUT=text rc "$CPWARDEN" plan --endpoint-url "$ENDPOINT" \
              --regions us-east-1)" = 0
check "a malformed --region is a usage error (252)" \
    test "$(rc "$CPWARDEN" api --region 'bad region' sts get-caller-identity)" = 252
check "an unknown operation is a usage error (252)" \
    test "$(rc "$CPWARDEN" api sts GetCallerIdentty)" = 252
check "...named" err_has "no operation"
"$CPWARDEN" backup --endpoint-url "$ENDPOINT" --region eu-west-2 --domain \
    "$("$CPWARDEN" api --endpoint-url "$ENDPOINT" --region eu-west-2 customer-profiles \
        list-domains --query 'Items[0].DomainName' | tr -d '"')" \
    --state "$E2E_TMP/state" --output json >"$E2E_TMP/backup.json" 2>/dev/null || true
check "backup --output json prints its summary as JSON" /usr/bin/python3 -c \
    'import json,sys; d=json.load(open(sys.argv[1])); assert d["sha256"] and "profiles" in d["counts"]' \
    "$E2E_TMP/backup.json"

# The sandbox's printed environment matches the running server.
check "--print-env with --port 0 is refused (the port is not known yet)" \
    test "$(rc "$CPWARDEN" sandbox --port 0 --print-env)" = 252
check "...pointing at --env-file" err_has "use --env-file FILE"
"$CPWARDEN" sandbox --port 0 --env-file "$E2E_TMP/sbx.env" --ready-file "$E2E_TMP/sbx.ready" \
    >/dev/null 2>&1 &
env_pid=$!
for _ in $(seq 1 200); do [ -s "$E2E_TMP/sbx.ready" ] && break; sleep 0.05; done
check "--env-file names the port the server chose" \
    grep -qx "export AWS_ENDPOINT_URL=$(cat "$E2E_TMP/sbx.ready")" "$E2E_TMP/sbx.env"
check "...is private (0600)" test "$(stat -c %a "$E2E_TMP/sbx.env")" = 600
check "...and works: the AWS CLI reaches the server through it" bash -c \
    "source '$E2E_TMP/sbx.env' && /usr/bin/aws --endpoint-url \"\$AWS_ENDPOINT_URL\" \
       sts get-caller-identity --query Account --output text | grep -qx 123456789012"
kill -TERM "$env_pid"; wait "$env_pid" 2>/dev/null || true
check "--env-file is removed when the server stops" test ! -e "$E2E_TMP/sbx.env"

# Every JSON document is indented the same way (history's was on one line).
"$CPWARDEN" history --state "$E2E_TMP/empty-state" --output json >"$E2E_TMP/history.json"
check "history --output json is indented like the others" \
    test "$(sed -n 2p "$E2E_TMP/history.json")" = '  "changes": []'
"$CPWARDEN" snapshots --state "$E2E_TMP/empty-state" --output json >"$E2E_TMP/snaps.json"
check "...as snapshots is" test "$(sed -n 2p "$E2E_TMP/snaps.json")" = '  "snapshots": []'

# Clear failures: the no-credentials error arrives whole (it was cut mid-word) and names the fix.
env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY AWS_EC2_METADATA_DISABLED=true \
    "$CPWARDEN" api --endpoint-url "$ENDPOINT" sts get-caller-identity >/dev/null 2>"$E2E_TMP/err" || true
check "no credentials: the fix is named" err_has "run 'aws configure'"
check "no credentials: every source is listed, the last one whole" \
    err_has "imds: disabled by AWS_EC2_METADATA_DISABLED$"
finish
