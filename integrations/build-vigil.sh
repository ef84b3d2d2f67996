#!/usr/bin/env bash
# The build logic the CI integrations share (integrations/github/build.sh and
# integrations/azure-pipelines/build.sh are thin wrappers; so are their
# cache-key.sh scripts).
#
#   build-vigil.sh hash              prints the hash of every source file the
#                                    binary is built from (20 hex digits)
#   build-vigil.sh build github|azure|plain
#                                    installs the dependencies (scripts/setup.sh)
#                                    and builds the release binary into
#                                    $VIGIL_BUILD_DIR, unless that directory
#                                    already holds a binary built from the same
#                                    sources (a restored CI cache); then reports
#                                    the binary the CI's way: github writes
#                                    `bin=PATH` to $GITHUB_OUTPUT, azure sets the
#                                    pipeline variable VIGIL_BIN, plain prints it.
#
# Environment:
#   VIGIL_SRC           the vigil source tree (default: this script's parent)
#   VIGIL_BUILD_DIR     build directory (default: $VIGIL_SRC/build/release)
#   VIGIL_SOURCE_HASH   the source hash (`hash`'s output; computed when unset)
#   VIGIL_INSTALL_DEPS  false, False or 0 skips scripts/setup.sh
#   VIGIL_BINARY        use this prebuilt binary: no setup, no build
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=${VIGIL_SRC:-$(cd "$here/.." && pwd)}

source_hash() {
  (cd "$src" && find CMakeLists.txt CMakePresets.json cmake scanner reporters policies rules scripts/setup.sh \
     -type f ! -name '*.md' 2>/dev/null | LC_ALL=C sort | xargs -d '\n' sha1sum) | sha1sum | cut -c1-20
}

usage() { echo "usage: $0 hash | build github|azure|plain" >&2; exit 2; }

case "${1:-}" in
  hash) source_hash; exit 0 ;;
  build) ci=${2:-plain} ;;
  *) usage ;;
esac
case "$ci" in github|azure|plain) ;; *) usage ;; esac
build=${VIGIL_BUILD_DIR:-$src/build/release}

emit() {
  echo "vigil: using $1"
  case "$ci" in
    github) if [ -n "${GITHUB_OUTPUT:-}" ]; then echo "bin=$1" >>"$GITHUB_OUTPUT"; fi ;;
    azure) echo "##vso[task.setvariable variable=VIGIL_BIN]$1" ;;
  esac
}
error() {
  case "$ci" in
    github) echo "::error::$1" ;;
    azure) echo "##vso[task.logissue type=error]$1" ;;
    *) echo "vigil: error: $1" >&2 ;;
  esac
}
group() { if [ "$ci" = github ]; then echo "::group::$1"; fi; }
endgroup() { if [ "$ci" = github ]; then echo "::endgroup::"; fi; }

if [ -n "${VIGIL_BINARY:-}" ]; then
  command -v "$VIGIL_BINARY" >/dev/null || { error "vigil binary '$VIGIL_BINARY' not found"; exit 2; }
  emit "$(command -v "$VIGIL_BINARY")"
  exit 0
fi

case "${VIGIL_INSTALL_DEPS:-true}" in
  [Ff]alse|0) ;;
  *)
    group "Install dependencies (scripts/setup.sh)"
    bash "$src/scripts/setup.sh"
    endgroup
    ;;
esac

hash=${VIGIL_SOURCE_HASH:-}
if [ -z "$hash" ]; then hash=$(source_hash); fi
stamp="$build/.vigil-source-hash"
if [ -x "$build/vigil" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$hash" ] &&
   "$build/vigil" --version >/dev/null 2>&1; then
  echo "vigil: cached build of sources $hash"
  emit "$build/vigil"
  exit 0
fi

group "Build vigil (release)"
mkdir -p "$build"
# A restored cache made for another source directory cannot be reconfigured.
if [ -f "$build/CMakeCache.txt" ] && ! grep -qxF "CMAKE_HOME_DIRECTORY:INTERNAL=$src" "$build/CMakeCache.txt"; then
  rm -rf "$build/CMakeCache.txt" "$build/CMakeFiles"
fi
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release "-DCMAKE_CXX_FLAGS_RELEASE=-O2 -DNDEBUG" \
  -DVIGIL_BUILD_TESTS=OFF -DVIGIL_BUILD_BENCH=OFF
cmake --build "$build" --target vigil -j "$(nproc 2>/dev/null || echo 2)"
echo "$hash" >"$stamp"
endgroup
emit "$build/vigil"
