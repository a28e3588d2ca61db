#!/usr/bin/env bash
# Re-pin constraints.txt: the exact versions the image installs (runtime + postgres extra).
# Run after changing dependencies in pyproject.toml; tests/test_packaging.py checks that every
# runtime dependency is pinned here and that each pin satisfies pyproject's range.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 -m venv "$tmp/venv"
"$tmp/venv/bin/pip" install --quiet --disable-pip-version-check ".[postgres]"
{
  echo "# Pinned versions for the container image (pip install -c constraints.txt)."
  echo "# Regenerate with scripts/update-constraints.sh after changing pyproject.toml."
  "$tmp/venv/bin/pip" freeze --disable-pip-version-check --exclude chokepoint | LC_ALL=C sort -f
} > constraints.txt
echo "constraints.txt: $(grep -vc '^#' constraints.txt) pins"
