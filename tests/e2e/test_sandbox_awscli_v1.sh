#!/usr/bin/env bash
# The same end-to-end run as test_sandbox_awscli.sh with the AWS CLI v1, when one is installed
# (it is not a project dependency: skipped when absent). v1 exits 255 on a service error.
set -euo pipefail
v1=""
for candidate in $(type -ap aws 2>/dev/null) /usr/local/bin/aws; do
    if [ -x "$candidate" ] && "$candidate" --version 2>&1 | grep -q '^aws-cli/1\.'; then
        v1=$candidate
        break
    fi
done
if [ -z "$v1" ]; then
    echo "skipped: no AWS CLI v1 on PATH"; exit 77
fi
CPW_TEST_AWS=$v1 CPW_TEST_AWS_ERROR_EXIT=255 exec bash "$(dirname "$0")/test_sandbox_awscli.sh"
