#!/usr/bin/env bash
# `cpwarden sign` as users run it: every case of the AWS signing test suite, both variants, each
# output compared byte for byte with the suite's files; --verify on the suite's signed requests
# (accepted, and rejected once the signature changes); exit codes for usage errors and bad files.
# Exit 77 (skipped) when the suite folder is absent.
set -uo pipefail

suite=${CPW_SIGV4_VECTORS:-}
if [ -z "$suite" ] || [ ! -d "$suite/get-vanilla" ]; then
  echo "SigV4 test suite not found at '${suite}' (CPW_SIGV4_VECTORS): skipped"
  exit 77
fi
bin=${CPWARDEN:?CPWARDEN must point at the built binary}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
show_cases="get-vanilla get-utf8 get-header-value-multiline post-x-www-form-urlencoded post-sts-header-after"

check() { # check DESCRIPTION COMMAND...
  local what=$1
  shift
  if "$@"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "not ok - $what"
  fi
}

same() { # same EXPECTED-FILE COMMAND...: the command's stdout equals the file, exit 0
  local expected=$1
  shift
  "$@" >"$tmp/out" 2>"$tmp/err" && cmp -s "$tmp/out" "$expected"
}

exit_is() { # exit_is CODE COMMAND...
  local want=$1
  shift
  "$@" >"$tmp/out" 2>"$tmp/err"
  [ $? -eq "$want" ]
}

for dir in "$suite"/*/; do
  case=$(basename "$dir")
  [ -f "$dir/context.json" ] || continue
  for variant in header query; do
    flag=()
    [ $variant = query ] && flag=(--query)
    check "$case $variant request" same "$dir/$variant-signed-request.txt" \
      "$bin" sign "${flag[@]}" --context "$dir/context.json" "$dir/request.txt"
    # Intermediates of every case are checked by vectors.sigv4_vectors; here a few cases show
    # that the command prints them untouched.
    case " $show_cases " in
    *" $case "*)
      for show in canonical:canonical-request string-to-sign:string-to-sign signature:signature; do
        check "$case $variant ${show%%:*}" same "$dir/$variant-${show#*:}.txt" \
          "$bin" sign "${flag[@]}" --show "${show%%:*}" --context "$dir/context.json" "$dir/request.txt"
      done
      ;;
    esac
    printf 'OK\n' >"$tmp/ok"
    check "$case $variant verify" same "$tmp/ok" \
      "$bin" sign --verify --context "$dir/context.json" "$dir/$variant-signed-request.txt"
    sig=$(cat "$dir/$variant-signature.txt")
    bad=${sig:0:20}$([ "${sig:20:1}" = 0 ] && echo 1 || echo 0)${sig:21}
    sed "s/$sig/$bad/" "$dir/$variant-signed-request.txt" >"$tmp/tampered.txt"
    check "$case $variant verify tampered" exit_is 1 \
      "$bin" sign --verify --context "$dir/context.json" "$tmp/tampered.txt"
    check "$case $variant tampered says SignatureDoesNotMatch" \
      grep -q '^SignatureDoesNotMatch: The request signature we calculated' "$tmp/out"
  done
done

v="$suite/get-vanilla"
check "--help prints usage" exit_is 0 "$bin" sign --help
check "--help text" grep -q -- '--verify' "$tmp/out"
check "no --context is a usage error" exit_is 252 "$bin" sign "$v/request.txt"
check "unknown option is a usage error" exit_is 252 "$bin" sign --bogus --context "$v/context.json" "$v/request.txt"
check "bad --show is a usage error" exit_is 252 "$bin" sign --show everything --context "$v/context.json" "$v/request.txt"
check "two request files is a usage error" exit_is 252 "$bin" sign --context "$v/context.json" "$v/request.txt" "$v/request.txt"
check "missing context file" exit_is 255 "$bin" sign --context "$tmp/none.json" "$v/request.txt"
check "missing context file is named" grep -q "none.json" "$tmp/err"
printf '{"credentials": ' >"$tmp/broken.json"
check "invalid JSON context" exit_is 255 "$bin" sign --context "$tmp/broken.json" "$v/request.txt"
check "invalid JSON is explained" grep -q "not valid JSON" "$tmp/err"
printf '{"credentials": {"access_key_id": "AKIDEXAMPLE", "secret_access_key": "x"}}' >"$tmp/noscope.json"
check "context without region/service/timestamp cannot sign" exit_is 255 "$bin" sign --context "$tmp/noscope.json" "$v/request.txt"
check "missing fields are explained" grep -q '"region", "service" and "timestamp"' "$tmp/err"
printf 'not an http request\n' >"$tmp/garbage.txt"
check "invalid request file" exit_is 255 "$bin" sign --context "$v/context.json" "$tmp/garbage.txt"
check "missing request file" exit_is 255 "$bin" sign --context "$v/context.json" "$tmp/none.txt"
check "unsigned request verifies as MissingAuthenticationToken" exit_is 1 "$bin" sign --verify --context "$v/context.json" "$v/request.txt"
check "MissingAuthenticationToken printed" grep -q '^MissingAuthenticationToken: ' "$tmp/out"
check "clock 16 minutes late" exit_is 1 "$bin" sign --verify --now 20150830T125200Z --context "$v/context.json" "$v/header-signed-request.txt"
check "skew message" grep -q '^SignatureDoesNotMatch: Signature expired: 20150830T123600Z is now earlier than 20150830T123700Z (20150830T125200Z - 15 min.)' "$tmp/out"
check "secret never printed" bash -c "! grep -rq 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' '$tmp/out' '$tmp/err'"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
