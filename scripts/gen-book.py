#!/usr/bin/env python3
"""Writes a generated book for timing `specie replay PORTFOLIO SCENARIO`: N programs (towers
of 2-5 layers among 12 carriers, sub-limits, deductibles, exposures on every tier), V vendors
each used by a third to a half of the programs, and one portfolio scenario with one breach
of every vendor plus a few own events per program. Deterministic for a seed.

    python3 scripts/gen-book.py --programs 200 --vendors 10 --out /tmp/book
    target/release/specie replay /tmp/book/book.specie /tmp/book/rds.json

With --model it also writes a portfolio model (`model.specie`): every program with the
shipped hot-wallet model, and one vendor peril per vendor (Poisson 0.05 a year, damage
beta 1.2 2.0), for timing `specie simulate PORTFOLIO PORTFOLIO-MODEL`.
"""

import argparse
import json
import os
import random
import shutil

CARRIERS = ["Northgate Specialty", "Harbor Underwriting", "Meridian Mutual", "Syndicate 1001",
            "Syndicate 2020", "Atlas Re", "Alpine Fronting AG", "Lakeside Insurance",
            "Crescent Specialty", "Beacon Mutual", "Summit Casualty", "Keel Underwriting"]
CAUSES = ["external_hack", "key_compromise", "insider_theft", "vendor_breach"]
TIERS = ["hot", "warm", "cold"]


def program(rng: random.Random, n: int) -> tuple[str, dict[str, int]]:
    hot, warm, cold = (rng.randint(5, 80) * 1_000_000, rng.randint(20, 300) * 1_000_000,
                       rng.randint(100, 3000) * 1_000_000)
    lines = [f'program "Generated custody crime {n:03}" {{',
             "  currency USD", "  period 2026-01-01 to 2027-01-01",
             f"  exposure hot {hot}", f"  exposure warm {warm}", f"  exposure cold {cold}",
             "  covers " + ", ".join(CAUSES if rng.random() < 0.8 else CAUSES[:3]),
             f'  sublimit "Hot wallets" {rng.randint(5, 40)}M per occurrence when tier is hot',
             f'  deductible "Retention" {rng.choice([250, 500, 1000, 2500])}k per occurrence']
    attach = 0
    for k in range(rng.randint(2, 5)):
        limit = rng.choice([5, 10, 15, 25, 50]) * 1_000_000
        lines.append(f'  layer "L{k + 1}" {limit} xs {attach} {{')
        if rng.random() < 0.6:
            lines.append(f"    aggregate {limit * 2}")
        chosen = rng.sample(CARRIERS, rng.randint(1, 3))
        cuts = sorted(rng.sample(range(10, 91, 5), len(chosen) - 1))
        for c, lo, hi in zip(chosen, [0] + cuts, cuts + [100]):
            lines.append(f'    carrier "{c}" {hi - lo}%')
        lines.append("  }")
        attach += limit
    lines.append("}")
    return "\n".join(lines) + "\n", {"hot": hot, "warm": warm, "cold": cold}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--programs", type=int, default=200)
    ap.add_argument("--vendors", type=int, default=10)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True)
    ap.add_argument("--model", action="store_true", help="also write model.specie")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    os.makedirs(os.path.join(a.out, "programs"), exist_ok=True)
    keys = [f"p{n:03}" for n in range(a.programs)]
    book = ['portfolio "Generated book" {', "  currency USD"]
    exposures = {}
    for n, key in enumerate(keys):
        text, exposures[key] = program(rng, n)
        with open(os.path.join(a.out, "programs", f"{key}.specie"), "w") as f:
            f.write(text)
        book.append(f'  program "{key}" "programs/{key}.specie"')
    for v in range(a.vendors):
        book.append(f'  vendor "vendor_{v}" {{')
        for key in rng.sample(keys, rng.randint(a.programs // 3, a.programs // 2)):
            tiers = rng.sample(TIERS, rng.randint(1, 3))
            book.append(f'    uses "{key}" ' + ", ".join(f"{t} {rng.randint(5, 100)}%" for t in tiers))
        book.append("  }")
    book.append("}")
    with open(os.path.join(a.out, "book.specie"), "w") as f:
        f.write("\n".join(book) + "\n")
    events = {}
    for key in keys:
        own = []
        for e in range(rng.randint(0, 5)):
            day = rng.randint(1, 360)
            tier = rng.choice(TIERS)
            amount = rng.randint(1, exposures[key][tier] // 1000)
            own.append({"id": f"E{e + 1}", "cause": rng.choice(CAUSES[:3]),
                        "occurred": f"2026-{1 + (day - 1) // 30:02}-{1 + (day - 1) % 28:02}T12:00:00Z",
                        "losses": [{"tier": tier, "amount": str(amount * 1000)}]})
        own.sort(key=lambda e: (e["occurred"], e["id"]))
        if own:
            events[key] = own
    vendor_events = [{"id": f"V{v + 1}", "vendor": f"vendor_{v}", "cause": "vendor_breach",
                      "occurred": f"2026-{v % 12 + 1:02}-15T03:00:00Z",
                      "damage": {"hot": "100%", "warm": f"{rng.randint(10, 100)}%",
                                 "cold": f"{rng.randint(1, 50)}%"}}
                     for v in range(a.vendors)]
    with open(os.path.join(a.out, "rds.json"), "w") as f:
        json.dump({"name": "Generated 10-vendor RDS", "events": events,
                   "vendor_events": vendor_events}, f, indent=1)
    if a.model:
        write_model(a.out, keys, a.vendors)


def write_model(out: str, keys: list[str], vendors: int) -> None:
    here = os.path.dirname(os.path.abspath(__file__))
    os.makedirs(os.path.join(out, "models"), exist_ok=True)
    shutil.copy(os.path.join(here, "..", "fixtures", "book", "models", "hot-wallet-drain.specie"),
                os.path.join(out, "models", "hot-wallet-drain.specie"))
    lines = ['portfolio model "Generated book model" {', "  seed 3"]
    lines += [f'  model "{k}" "models/hot-wallet-drain.specie"' for k in keys]
    for v in range(vendors):
        lines += [f'  vendor peril "V{v}" {{', f'    vendor "vendor_{v}"', "    cause vendor_breach",
                  "    frequency poisson 0.05 per year", "    damage beta 1.2 2.0", "  }"]
    lines.append("}")
    with open(os.path.join(out, "model.specie"), "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
