"""Simulation from Python against the CLI: the same JSON byte for byte, the ORD tables
equal to `--ord`'s CSV files, Ctrl-C honoured, no thread pool started at import."""

from __future__ import annotations

import csv
import decimal
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import specie
from conftest import MODELS, ROOT, program_of, run_cli

D = decimal.Decimal


def rel(p: Path) -> str:
    return str(p.relative_to(ROOT))


@pytest.mark.parametrize("model", MODELS, ids=lambda p: p.stem)
def test_simulation_equals_cli_byte_for_byte(cli, model: Path, tmp_path: Path) -> None:
    prog = specie.Program.from_file(program_of(model))
    m = specie.Model.from_file(model)
    sim = prog.simulate(m, years=3000, seed=7)
    out = run_cli(cli, "simulate", rel(program_of(model)), rel(model), "--years", "3000", "--seed", "7",
                  "--json", "--ord", str(tmp_path))
    assert sim.to_json() + "\n" == out
    assert sim.to_dict()["years"] == 3000
    # The thread count changes nothing.
    assert prog.simulate(m, years=3000, seed=7, threads=1).to_json() == sim.to_json()

    def read(name: str) -> list[dict[str, str]]:
        with open(tmp_path / name, newline="") as f:
            return list(csv.DictReader(f))

    ept = sim.ept()
    got = sorted((int(r.SummaryId), int(r.EPCalc), int(r.EPType), int(r.ReturnPeriod), r.Loss)
                 for r in ept.itertuples())
    want = sorted((int(r["SummaryId"]), int(r["EPCalc"]), int(r["EPType"]), int(r["ReturnPeriod"]),
                   D(r["Loss"])) for r in read("ept.csv"))
    assert got == want
    plt = sim.year_losses()
    got_plt = list(zip(plt.column("Period").to_pylist(), plt.column("SummaryId").to_pylist(),
                       plt.column("Loss").to_pylist()))
    want_plt = [(int(r["Period"]), int(r["SummaryId"]), D(r["Loss"])) for r in read("plt.csv")]
    assert sorted(got_plt) == sorted(want_plt)
    names = {int(r["SummaryId"]): r["Summary"] for r in read("summaries.csv")}
    assert all(names[i] == s for i, s in zip(plt.column("SummaryId").to_pylist(),
                                              plt.column("Summary").to_pylist()))
    alt = {int(r["SummaryId"]): r for r in read("alt.csv")}
    summaries = sim.summaries()
    for i, row in enumerate(summaries.itertuples(), start=1):
        assert row.summary == names[i]
        assert row.aal == D(alt[i]["MeanLoss"])
        assert row.sd == D(alt[i]["SDLoss"])
        # The AAL is the year losses' exact mean, rounded half-even to the cent.
        total = sum((loss for sid, loss in zip(plt.column("SummaryId").to_pylist(),
                                                plt.column("Loss").to_pylist()) if sid == i), D(0))
        assert row.aal == (total / 3000).quantize(D("0.01"), rounding=decimal.ROUND_HALF_EVEN)


def test_model_defaults_are_used() -> None:
    # The first shipped model that says a small number of years.
    small = [p for p in MODELS if (specie.Model.from_file(p).years or 10**9) <= 50_000]
    assert small, "no shipped model with a small `years`"
    model = small[0]
    prog = specie.Program.from_file(program_of(model))
    m = specie.Model.from_file(model)
    sim = prog.simulate(m)
    assert sim.to_dict()["years"] == m.years


def test_model_errors_raise() -> None:
    prog = specie.Program.from_file(program_of(MODELS[0]))
    with pytest.raises(specie.SpecieError) as err:
        specie.Model('model "x" {\n  years\n}\n', path="bad.specie")
    # `years` wants a number: the parser stops at the `}` on line 3, column 1.
    assert (err.value.code, err.value.line, err.value.column) == ("specie::parse::syntax", 3, 1)
    # Parses, but names a cause the program does not know: found when simulated.
    source = MODELS[0].read_text()
    assert "cause external_hack" in source
    bad = source.replace("cause external_hack", "cause meteor_strike", 1)
    with pytest.raises(specie.SpecieError) as err:
        prog.simulate(specie.Model(bad, path="bad.specie"), years=10)
    assert err.value.code.startswith("specie::")
    assert "meteor_strike" in str(err.value)


def test_ctrl_c_stops_a_long_simulation_promptly() -> None:
    model = MODELS[0]
    prog = specie.Program.from_file(program_of(model))
    m = specie.Model.from_file(model)
    start = time.monotonic()
    prog.simulate(m, years=50_000, seed=1)
    per_year = (time.monotonic() - start) / 50_000
    years = int(10 / per_year)  # about ten seconds of work
    timer = threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT))
    start = time.monotonic()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        prog.simulate(m, years=years, seed=1)
    elapsed = time.monotonic() - start
    timer.cancel()
    assert elapsed < 2.5, f"stopped after {elapsed:.2f} s"


def test_import_starts_no_thread_pool() -> None:
    code = ("import os, pyarrow, pandas\n"
            "before = len(os.listdir('/proc/self/task'))\n"
            "import specie\n"
            "print(before, len(os.listdir('/proc/self/task')))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    before, after = out.split()
    assert before == after


def test_parametric_summaries_and_basis_risk_equal_the_cli(cli) -> None:
    # The calibrated drain-and-depeg model (fixtures/data/depegs.json): the parametric
    # summaries, claim probability and basis risk come back as the CLI prints them.
    model = ROOT / "fixtures/models/crime-tower-with-depeg--drain-and-depeg.specie"
    prog = specie.Program.from_file(program_of(model))
    sim = prog.simulate(specie.Model.from_file(model), years=5000, seed=3)
    d = sim.to_dict()
    names = list(sim.summaries().summary)
    assert {"parametric", "parametric:USDC depeg", "net_retained"} <= set(names)
    assert d["parametric"][0]["cover"] == "USDC depeg"
    assert 0 < d["parametric"][0]["claim_probability"] < 1
    assert d["basis_risk"]["threshold"] == "4000000.00"
    out = run_cli(cli, "simulate", rel(program_of(model)), rel(model), "--years", "5000", "--seed", "3",
                  "--json")
    assert sim.to_json() + "\n" == out

