#!/usr/bin/env bash
# The template's build step: installs the dependencies and builds vigil
# (release) into $VIGIL_BUILD_DIR, unless a binary built from the same sources
# is already there (Cache@2); sets the pipeline variable VIGIL_BIN. The logic
# is shared with the GitHub Action: see integrations/build-vigil.sh (and its
# environment variables VIGIL_SRC, VIGIL_BUILD_DIR, VIGIL_SOURCE_HASH,
# VIGIL_INSTALL_DEPS, VIGIL_BINARY).
set -euo pipefail
exec bash "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/build-vigil.sh" build azure
