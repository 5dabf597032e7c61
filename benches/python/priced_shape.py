"""Issue 30's event shape, timed in one run: events as custody incidents usually come (two
loss lines -- an asset quantity valued at a price, and an amount -- and an integer
attribute), through the crypto-native program.

    cargo build --release
    python3 benches/python/priced_shape.py [--events 200000] [--lines 1000000]

Writes the files under target/priced-shape/, then times (best of three):
  1. the whole scenario file, `specie replay P S.json --json` (events/s, peak memory / file size);
  2. the JSON Lines file, `specie replay P --events E.jsonl --prices PRICES.json --json`,
     against Python's own `json.loads` over the same lines (the ratio of their times).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROGRAM = ROOT / "fixtures" / "programs" / "crypto-native-crime-specie.specie"
SPECIE = ROOT / "target" / "release" / "specie"
CAUSES = ["external_hack", "key_compromise", "insider_theft", "vendor_breach", "physical_loss"]
TIERS = ["hot", "warm", "cold"]
START = 1_767_225_600  # 2026-01-01T00:00:00Z


def instant(t: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def event(i: int, rng: random.Random) -> dict:
    t = START + 120 + i * 2
    return {
        "id": f"E{i:09}",
        "cause": rng.choice(CAUSES),
        "occurred": instant(t),
        "discovered": instant(t + 3600),
        "losses": [
            {"tier": rng.choice(TIERS), "asset": "BTC", "quantity": f"{rng.randint(1, 40_000) / 100:.2f}"},
            {"tier": rng.choice(TIERS), "amount": f"{rng.randint(1_000, 40_000_000)}.{rng.randint(0, 99):02}"},
        ],
        "attributes": {"colluding_staff": rng.randint(0, 2)},
    }


def write(out: Path, events: int, lines: int) -> tuple[Path, Path, Path]:
    out.mkdir(parents=True, exist_ok=True)
    prices = {"BTC": [["2026-01-01T00:00:00Z", "64250.17"]]}
    whole, jsonl, price_file = out / "scenario.json", out / "events.jsonl", out / "prices.json"
    rng = random.Random(30)
    with whole.open("w") as f:
        f.write('{"name": "Priced shape", "prices": ' + json.dumps(prices) + ', "events": [\n')
        f.write(",\n".join(json.dumps(event(i, rng), separators=(",", ":")) for i in range(events)))
        f.write("\n]}\n")
    rng = random.Random(31)
    with jsonl.open("w") as f:
        for i in range(lines):
            f.write(json.dumps(event(i, rng), separators=(",", ":")) + "\n")
    price_file.write_text(json.dumps({"prices": prices}))
    return whole, jsonl, price_file


def best(cmd: list[str], runs: int = 3) -> tuple[float, int]:
    """Best wall time of `runs` runs and the peak memory (KB) of the children."""
    times = []
    sink = ROOT / "target" / "priced-shape" / "out.json"
    for _ in range(runs):
        with sink.open("w") as out:
            t = time.perf_counter()
            subprocess.run(cmd, check=True, stdout=out)
            times.append(time.perf_counter() - t)
    return min(times), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=200_000)
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--specie", default=str(SPECIE))
    a = ap.parse_args()
    whole, jsonl, prices = write(ROOT / "target" / "priced-shape", a.events, a.lines)
    secs, kb = best([a.specie, "replay", str(PROGRAM), str(whole), "--json"])
    size = whole.stat().st_size
    print(f"whole file: {a.events:,} events, {size / 1e6:.1f} MB: {secs:.3f} s, "
          f"{a.events / secs / 1e3:.0f}k events/s; peak {kb / 1e3:.0f} MB = {kb * 1e3 / size:.2f}x the file")
    secs, _ = best([a.specie, "replay", str(PROGRAM), "--events", str(jsonl), "--prices", str(prices), "--json"])
    text = jsonl.read_bytes().splitlines()
    loads = min(timed(lambda: [json.loads(l) for l in text]) for _ in range(3))
    print(f"JSON Lines: {a.lines:,} events: {secs:.3f} s, {a.lines / secs / 1e6:.2f}M events/s; "
          f"json.loads {loads:.3f} s: specie is {loads / secs:.2f}x json.loads")


def timed(f) -> float:
    t = time.perf_counter()
    f()
    return time.perf_counter() - t


if __name__ == "__main__":
    sys.exit(main())
