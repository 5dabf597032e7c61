#!/usr/bin/env bash
# Grammar tests (issue 28): the assertions of test/cases/*.test.specie, and a snapshot of
# the scopes of every `.specie` fixture of the repository, compared with
# test/snapshots/ (`--update` rewrites them; look at the diff before committing).
# Run by `npm test` here and by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
root=../..
work=$root/target/grammar-snap
update=${1:-}
rm -rf "$work"
mkdir -p "$work"
status=0
declare -A wanted=()
while IFS= read -r f; do
  rel=${f#"$root"/fixtures/}
  name=${rel//\//__}
  wanted[$name.snap]=1
  cp "$f" "$work/$name"
  if [ -f "test/snapshots/$name.snap" ]; then
    cp "test/snapshots/$name.snap" "$work/$name.snap"
  elif [ -z "$update" ]; then
    echo "no snapshot for fixtures/$rel: run \`npm run snapshots\` in editors/vscode" >&2
    status=1
  fi
done < <(find "$root/fixtures" -name '*.specie' | sort)
for s in test/snapshots/*.snap; do
  [ -e "$s" ] || continue
  if [ -z "${wanted[$(basename "$s")]:-}" ] && [ -z "$update" ]; then
    echo "snapshot $s has no fixture any more: run \`npm run snapshots\`" >&2
    status=1
  fi
done
[ "$status" = 0 ]

npx vscode-tmgrammar-test -g syntaxes/specie.tmLanguage.json 'test/cases/*.test.specie'
if [ -n "$update" ]; then
  npx vscode-tmgrammar-snap -g syntaxes/specie.tmLanguage.json --updateSnapshot "$work/*.specie"
  rm -f test/snapshots/*.snap
  cp "$work"/*.snap test/snapshots/
else
  npx vscode-tmgrammar-snap -g syntaxes/specie.tmLanguage.json "$work/*.specie"
fi
echo "grammar: $(ls "$work"/*.specie | wc -l) fixture snapshots and $(ls test/cases/*.test.specie | wc -l) assertion files pass"
