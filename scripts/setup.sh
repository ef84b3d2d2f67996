#!/usr/bin/env bash
# Installs vigil's build and test dependencies from Debian 12 packages.
# Installs only what is missing; does nothing (and needs no network) when
# everything is already there. Run as root, or with sudo available.
set -euo pipefail

arch=$(dpkg --print-architecture 2>/dev/null || echo amd64)
hs=libhyperscan-dev
[ "$arch" = amd64 ] || hs=libvectorscan-dev   # same libhs pkg-config name

pkgs=(build-essential cmake pkg-config git ca-certificates
      "$hs" libre2-dev libyaml-cpp-dev nlohmann-json3-dev libcli11-dev libgit2-dev
      libssl-dev  # libcrypto (X.509 for GSP-SEALED-008); libgit2-dev depends on it already
      libgtest-dev libgmock-dev libbenchmark-dev
      python3 python3-jsonschema python3-yaml pre-commit
      clang libclang-rt-14-dev)  # the fuzz preset (libFuzzer runtime), run by .ci/run
[ "${VIGIL_SETUP_EXTRA:-}" = "" ] || read -r -a extra <<<"$VIGIL_SETUP_EXTRA"
pkgs+=("${extra[@]:-}")

missing=()
for p in "${pkgs[@]}"; do
  [ -n "$p" ] || continue
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all dependencies are installed"
  exit 0
fi

echo "setup: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
