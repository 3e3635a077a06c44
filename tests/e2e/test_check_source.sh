#!/usr/bin/env bash
# scripts/check-source refuses a raw jansson load or dump call outside src/core/json.c (core/json
# is the one place that knows the loading flags and the document styles), names the file and
# line, ignores comments, and accepts the same tree once the call goes through core/json.
source "$(dirname "$0")/lib.sh"

src=${CPW_SOURCE_DIR:?}
tree="$E2E_TMP/tree"
mkdir -p "$tree/scripts" "$tree/src/core" "$tree/src/warden"
cp "$src/scripts/check-source" "$tree/scripts/"
cp "$src/.clang-format" "$tree/" 2>/dev/null || true
# The files the script's own comments cite, so that its path-citation check passes on this tree.
mkdir -p "$tree/docs" && touch "$tree/docs/style.md" "$tree/src/core/alloc.c"
cat >"$tree/src/core/json.c" <<'C'
int cpw_json_probe(void)
{
    return json_loadb(0, 0, 0, 0) != 0; /* the wrapper may call jansson */
}
C
cat >"$tree/src/warden/reader.c" <<'C'
/* json_loads() in a comment is not a call */
int cpw_reader_probe(const char *text)
{
    return json_loads(text, 0, 0) != 0;
}
C
cat >"$tree/src/warden/writer.c" <<'C'
int cpw_writer_probe(const void *doc)
{
    return json_dump_callback(doc, 0, 0, 0);
}
C
git -C "$tree" init -q && git -C "$tree" add -A

rc=0
bash "$tree/scripts/check-source" >"$E2E_TMP/raw.out" 2>&1 || rc=$?
check "a raw jansson call fails the check" test "$rc" -eq 1
check "the load call is named with file and line" grep -q '^src/warden/reader.c:4:' "$E2E_TMP/raw.out"
check "the dump call is named with file and line" grep -q '^src/warden/writer.c:3:' "$E2E_TMP/raw.out"
check "the reason is given" grep -q 'raw jansson load/dump outside src/core/json.c' "$E2E_TMP/raw.out"
check "src/core/json.c itself is allowed" bash -c "! grep -q '^src/core/json.c' '$E2E_TMP/raw.out'"
check "a comment is not a call" bash -c "! grep -q 'reader.c:1:' '$E2E_TMP/raw.out'"

sed -i 's/json_loads(text, 0, 0)/cpw_json_load_cstr(text)/' "$tree/src/warden/reader.c"
sed -i 's/json_dump_callback(doc, 0, 0, 0)/cpw_json_dump_with(doc, 0, 0)/' "$tree/src/warden/writer.c"
rc=0
bash "$tree/scripts/check-source" >"$E2E_TMP/clean.out" 2>&1 || rc=$?
check "the same tree through core/json passes" test "$rc" -eq 0
check "the same tree through core/json passes the jansson check" \
    bash -c "! grep -q 'raw jansson' '$E2E_TMP/clean.out'"
check "and the whole check passes" grep -q 'check-source: ok' "$E2E_TMP/clean.out"

finish
