#!/usr/bin/env bash
# Check the R package in r/ as CRAN would see it (without the PDF manual):
#   1. man/ and NAMESPACE are what roxygen2 generates from the comments in r/R (else: stale);
#   2. R CMD build r    (builds the vignette);
#   3. R CMD check --no-manual   (installs, runs every help-page example, the testthat suite
#      and the vignette code).
# Fails on any ERROR or WARNING, or on stale roxygen output; NOTEs are printed (each expected
# one is explained in r/README.md). About 1 minute on 2 cores.
#
#   scripts/check-r-package.sh [OUTDIR]      (default .make/rcheck)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$here/.make/rcheck}"
start=$(date +%s)
rm -rf "$out"
mkdir -p "$out"

# the check must not reach for CRAN (no network here) nor see the project's .rlib
# (an empty local repository answers R CMD check's package-index lookups)
mkdir -p "$out/repo/src/contrib"
: > "$out/repo/src/contrib/PACKAGES"
profile="$out/Rprofile"
echo "options(repos = c(CRAN = \"file://$out/repo\"))" > "$profile"
export R_PROFILE_USER="$profile"
export _R_CHECK_FUTURE_FILE_TIMESTAMPS_=FALSE
export _R_CHECK_CRAN_INCOMING_=FALSE
export _R_CHECK_CRAN_INCOMING_REMOTE_=FALSE
unset R_LIBS_USER R_LIBS PYRADIOGEN_R_LIBS

# 1. roxygen2 output up to date
mkdir -p "$out/roxygen"
cp -r "$here/r" "$out/roxygen/pyradiogen"
rm -rf "$out/roxygen/pyradiogen/man" "$out/roxygen/pyradiogen/NAMESPACE"
(cd "$out/roxygen/pyradiogen" && Rscript -e 'suppressMessages(roxygen2::roxygenise(load_code = roxygen2::load_source))' \
  >"$out/roxygen.log" 2>&1) || { cat "$out/roxygen.log"; exit 1; }
if ! diff -r -q "$here/r/man" "$out/roxygen/pyradiogen/man" >/dev/null ||
   ! diff -q "$here/r/NAMESPACE" "$out/roxygen/pyradiogen/NAMESPACE" >/dev/null; then
  diff -r "$here/r/man" "$out/roxygen/pyradiogen/man" | head -40 || true
  diff "$here/r/NAMESPACE" "$out/roxygen/pyradiogen/NAMESPACE" | head -20 || true
  echo "r/man or r/NAMESPACE is stale: run \`make roxygen\` and commit the result" >&2
  exit 1
fi

# 2. build
(cd "$out" && R CMD build "$here/r" >build.log 2>&1) || { cat "$out/build.log"; exit 1; }
tarball=$(ls "$out"/pyradiogen_*.tar.gz)

# 3. check
set +e
(cd "$out" && R CMD check --no-manual "$tarball" >check.log 2>&1)
rc=$?
set -e
log="$out/pyradiogen.Rcheck/00check.log"
status=$(grep -E '^Status:' "$log" 2>/dev/null || echo "Status: unknown")
tests=$(grep -hE '\[ FAIL [0-9]+ \| WARN [0-9]+ \| SKIP [0-9]+ \| PASS [0-9]+ \]' \
        "$out/pyradiogen.Rcheck/tests/testthat.Rout"* 2>/dev/null | tail -1 || true)
notes=$(grep -B1 -A6 -E '\.\.\. NOTE$' "$log" || true)
elapsed=$(( $(date +%s) - start ))
echo "R CMD check --no-manual: $status (${elapsed} s); testthat: ${tests:-see $log}"
if [ -n "$notes" ]; then echo "NOTEs (see r/README.md):"; echo "$notes"; fi
if [ $rc -ne 0 ] || grep -qE '\.\.\. (ERROR|WARNING)$' "$log" || grep -qE 'ERROR|WARNING' <<<"$status"; then
  grep -B2 -A25 -E '\.\.\. (ERROR|WARNING)$' "$log" || tail -40 "$out/check.log"
  echo "R CMD check failed: ERROR or WARNING above (full log: $log)" >&2
  exit 1
fi
