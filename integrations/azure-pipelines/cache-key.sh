#!/usr/bin/env bash
# Sets the pipeline variable VIGIL_CACHE_KEY to a hash of the vigil sources
# (the Cache@2 key). Environment: VIGIL_SRC (default: two levels up).
set -euo pipefail
src=${VIGIL_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
hash=$(VIGIL_SRC="$src" bash "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/build-vigil.sh" hash)
echo "vigil sources: $hash"
echo "##vso[task.setvariable variable=VIGIL_CACHE_KEY]$hash"
