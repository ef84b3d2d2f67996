#!/usr/bin/env bash
# Prints (and writes to $GITHUB_OUTPUT as `key`) the cache key of a vigil
# build: runner OS, architecture and image, plus a hash of every source file
# the binary is built from. hashFiles() cannot be used for this: it only sees
# files under $GITHUB_WORKSPACE, and the action's sources live under
# $GITHUB_ACTION_PATH when another repository uses it.
#
# Environment: VIGIL_SRC (the vigil source tree; default: two levels up).
set -euo pipefail
src=${VIGIL_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
hash=$(VIGIL_SRC="$src" bash "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/build-vigil.sh" hash)
key="vigil-build-${RUNNER_OS:-$(uname -s)}-${RUNNER_ARCH:-$(uname -m)}-${ImageOS:-local}-${hash}"
echo "$key"
if [ -n "${GITHUB_OUTPUT:-}" ]; then
  echo "key=$key" >>"$GITHUB_OUTPUT"
  echo "hash=$hash" >>"$GITHUB_OUTPUT"
fi
