#!/usr/bin/env bash
# Renders an SVG to PNG in headless Chromium (Debian's `chromium` package), to look at the
# tower chart the way a browser draws it: scripts/render-svg.sh IN.svg OUT.png
set -euo pipefail
in=$(realpath "$1")
out=$(realpath -m "$2")
chrome=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chrome" ]; then
  echo "chromium not found: apt-get install -y chromium" >&2
  exit 2
fi
# The SVG's own width and height set the window.
w=$(grep -o 'width="[0-9.]*"' "$in" | head -1 | tr -dc '0-9.')
h=$(grep -o 'height="[0-9.]*"' "$in" | head -1 | tr -dc '0-9.')
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
"$chrome" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --hide-scrollbars --user-data-dir="$profile" \
  --window-size="${w%.*},${h%.*}" --screenshot="$out" "file://$in" >/dev/null 2>&1
test -s "$out"
echo "$out"
