#!/usr/bin/env bash
# The `vigil-build` pre-commit hook: builds vigil from the sources next to this
# script into a cache directory, once per source version, then runs
# `vigil scan --staged --quiet` in the repository being committed to. Extra
# arguments (the hook's `args:`) go to vigil scan. The build itself is the CI
# integrations' shared script, integrations/build-vigil.sh (same source hash,
# same release settings, its log in the cache directory's build.log).
#
# Environment:
#   VIGIL_BUILD_CACHE  where builds are kept (default: $XDG_CACHE_HOME/vigil/build
#                      or ~/.cache/vigil/build); one subdirectory per source hash
#   VIGIL_BIN          use this vigil binary instead of building one
#   VIGIL_SETUP=1      run scripts/setup.sh (installs the Debian packages) first
set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

if [ -n "${VIGIL_BIN:-}" ]; then
  exec "$VIGIL_BIN" scan --staged --quiet "$@"
fi

shared="$src/integrations/build-vigil.sh"
cache_root=${VIGIL_BUILD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vigil/build}
# A hash of everything the binary is built from: a build is reused only for
# identical sources (build-vigil.sh also checks its stamp before building).
key=$(VIGIL_SRC="$src" bash "$shared" hash)
build="$cache_root/$key"
bin="$build/vigil"

if [ ! -x "$bin" ] || [ "$(cat "$build/.vigil-source-hash" 2>/dev/null)" != "$key" ]; then
  echo "vigil-build: building vigil from $src into $build (first run only)..." >&2
  mkdir -p "$build"
  deps=0
  if [ "${VIGIL_SETUP:-0}" = 1 ]; then deps=1; fi
  VIGIL_SRC="$src" VIGIL_BUILD_DIR="$build" VIGIL_SOURCE_HASH="$key" VIGIL_INSTALL_DEPS=$deps \
    bash "$shared" build plain >"$build/build.log" 2>&1 || {
    echo "vigil-build: the build failed; the last lines of $build/build.log:" >&2
    tail -n 30 "$build/build.log" >&2
    echo "vigil-build: install the dependencies with: sudo bash $src/scripts/setup.sh" >&2
    exit 2
  }
  # Keep only the newest few builds.
  ls -1dt "$cache_root"/*/ 2>/dev/null | tail -n +4 | xargs -r rm -rf
fi

exec "$bin" scan --staged --quiet "$@"
