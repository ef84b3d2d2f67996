#!/usr/bin/env bash
# The `vigil-build` pre-commit hook: builds vigil from the sources next to this
# script (the release preset's settings) into a cache directory, once per
# source version, then runs `vigil scan --staged --quiet` in the repository
# being committed to. Extra arguments (the hook's `args:`) go to vigil scan.
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

# A hash of everything the binary is built from: a build is reused only for
# identical sources.
source_hash() {
  (cd "$src" && find CMakeLists.txt CMakePresets.json cmake scanner reporters policies rules \
      -type f ! -name '*.md' 2>/dev/null | LC_ALL=C sort | xargs -d '\n' sha1sum) | sha1sum | cut -c1-16
}

cache_root=${VIGIL_BUILD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vigil/build}
key=$(source_hash)
build="$cache_root/$key"
bin="$build/vigil"

if [ ! -x "$bin" ] || [ ! -f "$build/.vigil-built" ]; then
  echo "vigil-build: building vigil from $src into $build (first run only)..." >&2
  if [ "${VIGIL_SETUP:-0}" = 1 ]; then bash "$src/scripts/setup.sh" >&2; fi
  mkdir -p "$build"
  jobs=$(nproc 2>/dev/null || echo 2)
  # The release preset's cache variables, with a binary directory of our own.
  {
    cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release "-DCMAKE_CXX_FLAGS_RELEASE=-O2 -DNDEBUG" \
      -DVIGIL_BUILD_TESTS=OFF -DVIGIL_BUILD_BENCH=OFF &&
    cmake --build "$build" --target vigil -j "$jobs"
  } >"$build/build.log" 2>&1 || {
    echo "vigil-build: the build failed; the last lines of $build/build.log:" >&2
    tail -n 30 "$build/build.log" >&2
    echo "vigil-build: install the dependencies with: sudo bash $src/scripts/setup.sh" >&2
    exit 2
  }
  touch "$build/.vigil-built"
  # Keep only the newest few builds.
  ls -1dt "$cache_root"/*/ 2>/dev/null | tail -n +4 | xargs -r rm -rf
fi

exec "$bin" scan --staged --quiet "$@"
