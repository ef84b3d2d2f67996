#!/usr/bin/env bash
# Sets the pipeline variable VIGIL_CACHE_KEY to a hash of the vigil sources
# (the Cache@2 key). Environment: VIGIL_SRC (default: two levels up).
set -euo pipefail
src=${VIGIL_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
hash=$(cd "$src" && find CMakeLists.txt CMakePresets.json cmake scanner reporters policies rules scripts/setup.sh \
         -type f ! -name '*.md' 2>/dev/null | LC_ALL=C sort | xargs -d '\n' sha1sum | sha1sum | cut -c1-20)
echo "vigil sources: $hash"
echo "##vso[task.setvariable variable=VIGIL_CACHE_KEY]$hash"
