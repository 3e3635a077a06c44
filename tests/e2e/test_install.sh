#!/usr/bin/env bash
# `make install` honours PREFIX and DESTDIR as packagers expect: everything lands under
# DESTDIR/PREFIX and nothing under the default prefix.
source "$(dirname "$0")/lib.sh"

src=${CPW_SOURCE_DIR:?}
build=${CPW_BUILD_DIR:?}
stage="$E2E_TMP/stage"
# cmake --install only copies: no bootstrap, no build (the tree under test is built already).
DESTDIR="$stage" cmake --install "$build" --prefix /opt/cpwarden-test >"$E2E_TMP/install.log" 2>&1
check "the binary is installed under DESTDIR/PREFIX" test -x "$stage/opt/cpwarden-test/bin/cpwarden"
check "the man page is installed under DESTDIR/PREFIX" \
    test -f "$stage/opt/cpwarden-test/share/man/man1/cpwarden.1"
check "nothing is installed outside DESTDIR/PREFIX" \
    test "$(find "$stage" -type f | grep -vc '^'"$stage"'/opt/cpwarden-test/')" = 0
check "the installed binary runs" "$stage/opt/cpwarden-test/bin/cpwarden" --version
# The Makefile passes PREFIX and DESTDIR through (make -n: shown, not run, since it would build).
make -n -s -C "$src" install BUILD="$build" PREFIX=/opt/p DESTDIR=/tmp/d >"$E2E_TMP/make.n" 2>&1
check "make install passes PREFIX and DESTDIR" \
    grep -q 'DESTDIR="/tmp/d" .*--install .*--prefix "/opt/p"' "$E2E_TMP/make.n"
finish
