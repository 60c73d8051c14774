#!/usr/bin/env bash
# Debian system dependencies of pyradiogen: R 4.2 and every R package the project uses
# (roxygen2, knitr and markdown document and check the R package), plus Chromium for the
# report's rendering test. Idempotent: installs only what is missing.
# Run as root, or as a user with sudo.  Usage: scripts/install-system-deps.sh [--check]
set -euo pipefail

PACKAGES=(
  r-base-core r-base-dev
  r-cran-nlme r-cran-glmnet r-cran-psych r-cran-rocr r-cran-nnet r-cran-matrix
  r-cran-jsonlite r-cran-testthat r-cran-roxygen2 r-cran-knitr r-cran-markdown
  r-bioc-gsva r-bioc-gseabase r-bioc-biobase r-bioc-annotationdbi r-bioc-org.hs.eg.db
  chromium
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ "${1:-}" = "--check" ]; then
  if [ ${#missing[@]} -eq 0 ]; then echo "system dependencies: all installed"; exit 0; fi
  echo "missing Debian packages: ${missing[*]}"; exit 1
fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "system dependencies: all installed"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  SUDO="sudo"
fi
echo "installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
