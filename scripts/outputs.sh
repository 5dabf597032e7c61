#!/usr/bin/env bash
# Writes every output of the shipped fixtures into DIR (stdout, stderr and exit status of
# each command, and the files it writes), so that a refactoring can be shown to change no
# byte: scripts/outputs.sh BIN DIR, twice, then `diff -r`.
set -uo pipefail
bin=$(realpath "$1")
out=$(realpath -m "$2")
cd "$(dirname "$0")/.."
mkdir -p "$out"
run() { # NAME ARGS…: stdout, stderr, status of one command
  local name=$1; shift
  "$bin" "$@" >"$out/$name.out" 2>"$out/$name.err"
  echo $? >"$out/$name.status"
}
for p in fixtures/programs/*.specie fixtures/tower/*.specie fixtures/invalid/*.specie fixtures/failing-checks/*.specie; do
  b=$(basename "$p" .specie)
  d=$(basename "$(dirname "$p")")
  run "$d-$b.check" check "$p"
  run "$d-$b.check-json" check --format json "$p"
  run "$d-$b.tower" tower "$p" --svg "$out/$d-$b.tower.svg"
  run "$d-$b.tower-json" tower "$p" --json
  run "$d-$b.test" test "$p"
  run "$d-$b.test-json" test --format json "$p"
  run "$d-$b.test-junit" test --format junit "$p"
done
for s in fixtures/scenarios/*.json; do
  b=$(basename "$s" .json)
  p=fixtures/programs/${b%%--*}.specie
  run "$b.replay" replay "$p" "$s"
  run "$b.replay-json" replay "$p" "$s" --json
  run "$b.replay-jsonl" replay "$p" "$s" --format jsonl
  run "$b.replay-csv" replay "$p" "$s" --format csv
  for id in $(grep -o '"id": *"[^"]*"' "$s" | head -3 | sed 's/.*"\([^"]*\)"$/\1/'); do
    run "$b.explain-$id" replay "$p" "$s" --explain "$id"
  done
done
for m in fixtures/models/*.specie; do
  b=$(basename "$m" .specie)
  p=fixtures/programs/${b%%--*}.specie
  run "$b.simulate" simulate "$p" "$m" --years 3000 --threads 2
  run "$b.simulate-json" simulate "$p" "$m" --years 3000 --json --ord "$out/$b.ord" --svg "$out/$b.svg" --events-out "$out/$b.events.jsonl"
done
run fit fit ../shared/data/custody-incidents.json --tier hot --svg "$out/fit.svg"
run fit-json fit ../shared/data/custody-incidents.json --json
# Timings are the only bytes that differ from run to run.
sed -i -E 's/\([0-9.]+ ms, /(T ms, /; s/time="[0-9.]+"/time="T"/' "$out"/*.test*.out
