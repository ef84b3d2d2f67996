#!/usr/bin/env bash
# Installs the dependencies and builds vigil (release) into $VIGIL_BUILD_DIR,
# unless a binary built from the same sources is already there (Cache@2);
# sets the pipeline variable VIGIL_BIN.
#
# Environment: VIGIL_SRC, VIGIL_BUILD_DIR (default $VIGIL_SRC/build/release),
#   VIGIL_INSTALL_DEPS (False/false skips scripts/setup.sh), VIGIL_BINARY (a
#   prebuilt binary: no setup, no build).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=${VIGIL_SRC:-$(cd "$here/../.." && pwd)}
build=${VIGIL_BUILD_DIR:-$src/build/release}

emit() {
  echo "vigil: using $1"
  echo "##vso[task.setvariable variable=VIGIL_BIN]$1"
}

if [ -n "${VIGIL_BINARY:-}" ]; then
  command -v "$VIGIL_BINARY" >/dev/null || { echo "##vso[task.logissue type=error]vigil binary '$VIGIL_BINARY' not found"; exit 2; }
  emit "$(command -v "$VIGIL_BINARY")"
  exit 0
fi
case "${VIGIL_INSTALL_DEPS:-true}" in
  [Ff]alse|0) ;;
  *) bash "$src/scripts/setup.sh" ;;
esac

hash=$(cd "$src" && find CMakeLists.txt CMakePresets.json cmake scanner reporters policies rules scripts/setup.sh \
         -type f ! -name '*.md' 2>/dev/null | LC_ALL=C sort | xargs -d '\n' sha1sum | sha1sum | cut -c1-20)
stamp="$build/.vigil-source-hash"
if [ -x "$build/vigil" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$hash" ] &&
   "$build/vigil" --version >/dev/null 2>&1; then
  echo "vigil: cached build of sources $hash"
  emit "$build/vigil"
  exit 0
fi
mkdir -p "$build"
if [ -f "$build/CMakeCache.txt" ] && ! grep -qxF "CMAKE_HOME_DIRECTORY:INTERNAL=$src" "$build/CMakeCache.txt"; then
  rm -rf "$build/CMakeCache.txt" "$build/CMakeFiles"
fi
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release "-DCMAKE_CXX_FLAGS_RELEASE=-O2 -DNDEBUG" \
  -DVIGIL_BUILD_TESTS=OFF -DVIGIL_BUILD_BENCH=OFF
cmake --build "$build" --target vigil -j "$(nproc 2>/dev/null || echo 2)"
echo "$hash" >"$stamp"
emit "$build/vigil"
