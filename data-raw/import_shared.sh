#!/usr/bin/env bash
# Copy the shared reference data into the R package's extdata folder (the single bundled
# copy; Python finds it through pyradiogen.resources). This is how r/inst/extdata was filled.
#
#   data-raw/import_shared.sh [SOURCE] [DEST]
#
# SOURCE defaults to /work/shared/data (or $PYRADIOGEN_SHARED_DATA), DEST to r/inst/extdata
# beside this script. Files are copied unchanged, made read-only, and checked byte for byte;
# the SOURCE README is not copied (its facts are in data-raw/README.md). Rerunning is safe.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
src="${1:-${PYRADIOGEN_SHARED_DATA:-/work/shared/data}}"
dest="${2:-$here/../r/inst/extdata}"

if [[ ! -d "$src" ]]; then
  echo "import_shared.sh: source folder $src not found; give it as the first argument" >&2
  exit 2
fi

parts=(genefu genesets imaging radiomics)
for part in "${parts[@]}"; do
  if [[ ! -d "$src/$part" ]]; then
    echo "import_shared.sh: $src/$part missing; is $src the shared data folder?" >&2
    exit 2
  fi
  mkdir -p "$dest/$part"
  for f in "$src/$part"/*; do
    [[ -f "$f" ]] || continue
    target="$dest/$part/$(basename "$f")"
    if [[ -e "$target" ]] && cmp -s "$f" "$target"; then
      continue
    fi
    chmod u+w "$target" 2>/dev/null || true
    cp "$f" "$target"
    chmod 444 "$target"
    echo "copied $part/$(basename "$f")"
  done
done

# check: every source file has an identical copy
status=0
for part in "${parts[@]}"; do
  for f in "$src/$part"/*; do
    [[ -f "$f" ]] || continue
    if ! cmp -s "$f" "$dest/$part/$(basename "$f")"; then
      echo "MISMATCH: $part/$(basename "$f")" >&2
      status=1
    fi
  done
done
[[ $status -eq 0 ]] && echo "r/inst/extdata matches $src"
exit $status
