#!/usr/bin/env bash
# Installs vigil's dependencies (scripts/setup.sh) and builds the release
# binary into $VIGIL_BUILD_DIR, unless that directory already holds a binary
# built from the same sources (restored by actions/cache). Writes `bin=PATH`
# to $GITHUB_OUTPUT.
#
# Environment:
#   VIGIL_SRC           the vigil source tree (default: two levels up)
#   VIGIL_BUILD_DIR     build directory (default: $VIGIL_SRC/build/release)
#   VIGIL_SOURCE_HASH   the source hash (cache-key.sh's `hash`; computed when unset)
#   VIGIL_INSTALL_DEPS  "false" skips scripts/setup.sh
#   VIGIL_BINARY        use this prebuilt binary: no setup, no build
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=${VIGIL_SRC:-$(cd "$here/../.." && pwd)}
build=${VIGIL_BUILD_DIR:-$src/build/release}

emit() {
  echo "vigil: using $1"
  if [ -n "${GITHUB_OUTPUT:-}" ]; then echo "bin=$1" >>"$GITHUB_OUTPUT"; fi
}

if [ -n "${VIGIL_BINARY:-}" ]; then
  command -v "$VIGIL_BINARY" >/dev/null || { echo "::error::vigil binary '$VIGIL_BINARY' not found"; exit 2; }
  emit "$(command -v "$VIGIL_BINARY")"
  exit 0
fi

if [ "${VIGIL_INSTALL_DEPS:-true}" != false ]; then
  echo "::group::Install dependencies (scripts/setup.sh)"
  bash "$src/scripts/setup.sh"
  echo "::endgroup::"
fi

hash=${VIGIL_SOURCE_HASH:-}
if [ -z "$hash" ]; then
  hash=$(VIGIL_SRC="$src" GITHUB_OUTPUT= bash "$here/cache-key.sh" | sed 's/.*-//')
fi
stamp="$build/.vigil-source-hash"
if [ -x "$build/vigil" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$hash" ] &&
   "$build/vigil" --version >/dev/null 2>&1; then
  echo "vigil: cached build of sources $hash"
  emit "$build/vigil"
  exit 0
fi

echo "::group::Build vigil (release)"
mkdir -p "$build"
# A restored cache made for another source directory cannot be reconfigured.
if [ -f "$build/CMakeCache.txt" ] && ! grep -qxF "CMAKE_HOME_DIRECTORY:INTERNAL=$src" "$build/CMakeCache.txt"; then
  rm -rf "$build/CMakeCache.txt" "$build/CMakeFiles"
fi
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release "-DCMAKE_CXX_FLAGS_RELEASE=-O2 -DNDEBUG" \
  -DVIGIL_BUILD_TESTS=OFF -DVIGIL_BUILD_BENCH=OFF
cmake --build "$build" --target vigil -j "$(nproc 2>/dev/null || echo 2)"
echo "$hash" >"$stamp"
echo "::endgroup::"
emit "$build/vigil"
