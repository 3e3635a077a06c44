#!/usr/bin/env bash
# Shell completion and the Debian package come from the same command table as `cpwarden help`:
# bash completes commands and each command's options; zsh and fish name every command; the
# package holds the binary, the man page and the three completion scripts.
source "$(dirname "$0")/lib.sh"

# Commands as `cpwarden help` lists them.
"$CPWARDEN" help | awk '/^Commands:/{on=1; next} /^$/{on=0} on{print $1}' >"$E2E_TMP/commands"
check "help lists commands" test "$(wc -l <"$E2E_TMP/commands")" -ge 12

"$CPWARDEN" completion bash >"$E2E_TMP/cpwarden.bash"
check "the bash script parses" bash -n "$E2E_TMP/cpwarden.bash"
complete_words() { # WORD...: what bash completion offers for the last word
    bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); _cpwarden;
             printf "%s\n" "${COMPREPLY[@]}"' _ "$E2E_TMP/cpwarden.bash" cpwarden "$@"
}
check "bash completes a command" test "$(complete_words inv)" = inventory
check "bash completes plan's options" grep -qx -- --regions <(complete_words plan --reg)
check "bash completes api's options" grep -qx -- --no-paginate <(complete_words api --no-pag)
check "bash completes global options after a command" grep -qx -- --log-level <(complete_words history --log)
all_in() { # FILE: every command of `cpwarden help` is in it
    while read -r cmd; do grep -q -- "$cmd" "$1" || { echo "missing: $cmd"; return 1; }; done <"$E2E_TMP/commands"
}
complete_words "" >"$E2E_TMP/bash-commands"
check "bash offers every command of help" all_in "$E2E_TMP/bash-commands"
"$CPWARDEN" completion zsh >"$E2E_TMP/_cpwarden"
"$CPWARDEN" completion fish >"$E2E_TMP/cpwarden.fish"
check "zsh names every command" all_in "$E2E_TMP/_cpwarden"
check "fish names every command" all_in "$E2E_TMP/cpwarden.fish"
check "fish knows a command's option" grep -q "__fish_seen_subcommand_from plan' -l regions -r" "$E2E_TMP/cpwarden.fish"
rc=0; "$CPWARDEN" completion tcsh >/dev/null 2>&1 || rc=$?
check "an unknown shell is a usage error" test "$rc" = 252

# The Debian package (what `make deb` builds).
(cd "$CPW_BUILD_DIR" && cpack -G DEB -B "$E2E_TMP/deb" >"$E2E_TMP/cpack.log" 2>&1)
deb=$(ls "$E2E_TMP"/deb/cpwarden_*.deb)
dpkg-deb -c "$deb" | awk '{print $6}' >"$E2E_TMP/contents"
for f in ./usr/bin/cpwarden ./usr/share/man/man1/cpwarden.1 \
         ./usr/share/bash-completion/completions/cpwarden ./usr/share/zsh/vendor-completions/_cpwarden \
         ./usr/share/fish/vendor_completions.d/cpwarden.fish; do
    check "the package holds $f" grep -qx -- "$f" "$E2E_TMP/contents"
done
check "the package depends on the libraries the binary links" \
    bash -c "dpkg-deb -f '$deb' Depends | grep -q libjansson4 && dpkg-deb -f '$deb' Depends | grep -q libpcre2-8-0"
finish
