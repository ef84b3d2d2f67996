#!/usr/bin/env bash
# The action's build step: installs vigil's dependencies (scripts/setup.sh) and
# builds the release binary into $VIGIL_BUILD_DIR, unless that directory
# already holds a binary built from the same sources (restored by
# actions/cache). Writes `bin=PATH` to $GITHUB_OUTPUT. The logic is shared
# with the Azure Pipelines template: see integrations/build-vigil.sh (and its
# environment variables VIGIL_SRC, VIGIL_BUILD_DIR, VIGIL_SOURCE_HASH,
# VIGIL_INSTALL_DEPS, VIGIL_BINARY).
set -euo pipefail
exec bash "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/build-vigil.sh" build github
