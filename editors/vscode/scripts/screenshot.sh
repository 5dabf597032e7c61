#!/usr/bin/env bash
# The README's picture of editing with the extension: editors/vscode/scripts/screenshot.js
# (the grammar's highlighting and the real answers of `specie lsp`) drawn by headless
# Chromium. Needs `cargo build --release` and `npm ci` here first.
#   bash editors/vscode/scripts/screenshot.sh [OUT.png]   (default docs/editing.png)
set -euo pipefail
cd "$(dirname "$0")/../../.."
out=$(realpath -m "${1:-docs/editing.png}")
html=$(realpath -m target/editing.html)
node editors/vscode/scripts/screenshot.js "$html"
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --hide-scrollbars --user-data-dir="$profile" \
  --window-size=1100,790 --screenshot="$out" "file://$html" >/dev/null 2>&1
test -s "$out"
echo "$out"
