"""Portfolios from Python (brief section 15): replay and tower dicts equal to the CLI's
JSON, compile errors equal to `specie check --format json`, bad scenarios named."""

from __future__ import annotations

import json
import pickle
from decimal import Decimal
from pathlib import Path

import pytest

import specie
from conftest import FIXTURES, ROOT, cli_json, run_cli

BOOK = FIXTURES / "book" / "custody-book.specie"
RDS = sorted((FIXTURES / "book" / "scenarios").glob("*.json"))
INVALID = sorted((FIXTURES / "book" / "invalid").glob("*.specie"))


def rel(p: Path) -> str:
    return str(p.relative_to(ROOT))


@pytest.fixture
def at_root(monkeypatch):
    """Paths as the CLI is given them: relative to the repository root."""
    monkeypatch.chdir(ROOT)


def test_names_and_keys(at_root) -> None:
    book = specie.Portfolio.from_file(rel(BOOK))
    assert book.keys == ["exchange", "custodian", "staking", "platform", "warranty"]
    assert repr(book) == f"Portfolio({book.name!r})"


@pytest.mark.parametrize("scenario", RDS, ids=lambda p: p.stem)
def test_replay_equals_cli(cli, at_root, scenario: Path) -> None:
    book = specie.Portfolio.from_file(rel(BOOK))
    expected = cli_json(cli, "replay", rel(BOOK), rel(scenario), "--json")
    # A path, JSON text and a dict give the same result.
    assert book.replay(rel(scenario)) == expected
    assert book.replay(scenario.read_text()) == expected
    import json

    assert book.replay(json.loads(scenario.read_text())) == expected


def test_hosting_provider_figures(at_root) -> None:
    # The hand-checked book figures of the `linode-2012-03`-based scenario (its notes).
    r = specie.Portfolio.from_file(rel(BOOK)).replay(
        rel(FIXTURES / "book" / "scenarios" / "custody-book--hosting-provider-takeover.json"))
    v1 = r["vendor_events"][0]
    assert (v1["id"], v1["ground_up"], v1["paid"]) == ("V1", "80000000.00", "47500000.00")
    assert (r["totals"]["ground_up"], r["totals"]["paid"]) == ("90500000.00", "57500000.00")


def test_tower_equals_cli(cli, at_root) -> None:
    book = specie.Portfolio.from_file(rel(BOOK))
    assert book.tower() == cli_json(cli, "tower", rel(BOOK), "--json")
    assert book.tower(concentration=30) == cli_json(cli, "tower", rel(BOOK), "--json",
                                                    "--concentration", "30")
    with pytest.raises(specie.SpecieError, match="percentage"):
        book.tower(concentration=150)


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_portfolios_raise_the_cli_diagnostics(cli, at_root, path: Path) -> None:
    expected = cli_json(cli, "check", rel(path), "--format", "json", ok_codes=(1,))
    with pytest.raises(specie.SpecieError) as err:
        specie.Portfolio.from_file(rel(path))
    assert err.value.diagnostics == expected
    errors = [d for d in expected if d["severity"] == "error"]
    assert (err.value.code, err.value.line, err.value.column) == (
        errors[0]["code"], errors[0]["line"], errors[0]["column"])


def test_a_bad_scenario_names_the_vendor_event(at_root) -> None:
    book = specie.Portfolio.from_file(rel(BOOK))
    scenario = {"name": "bad", "vendor_events": [
        {"id": "V1", "vendor": "multisig_uj", "cause": "vendor_breach",
         "occurred": "2026-02-21T14:13:00Z", "damage": "100%"}]}
    with pytest.raises(specie.SpecieError) as err:
        book.replay(scenario)
    assert "multisig_uj" in str(err.value)
    assert "multisig_ui" in str(err.value)  # did you mean
    with pytest.raises(TypeError):
        book.replay(3)


def test_pickles_by_source(at_root) -> None:
    book = specie.Portfolio.from_file(rel(BOOK))
    again = pickle.loads(pickle.dumps(book))
    assert again.keys == book.keys
    assert again.tower() == book.tower()


BOOK_MODEL = FIXTURES / "book" / "custody-book-model.specie"


def test_book_simulation_equals_the_cli_in_one_and_two_passes(cli, at_root) -> None:
    book = specie.Portfolio.from_file(rel(BOOK))
    model = specie.PortfolioModel.from_file(rel(BOOK_MODEL))
    out = run_cli(cli, "simulate", rel(BOOK), rel(BOOK_MODEL), "--years", "5000", "--seed", "9", "--json")
    for passes in (None, 1, 2):
        sim = book.simulate(model, years=5000, seed=9, threads=2, passes=passes)
        assert sim.to_json() + "\n" == out, f"passes={passes}"
    one = book.simulate(model, years=5000, seed=9, passes=1)
    two = book.simulate(model, years=5000, seed=9, passes=2, threads=1)
    assert one.events == two.events == json.loads(out)["events"]
    # The year loss table is the CLI's plt.csv, from one pass or (simulated again) two.
    ord_dir = ROOT / "target" / "tmp-book-ord"
    run_cli(cli, "simulate", rel(BOOK), rel(BOOK_MODEL), "--years", "5000", "--seed", "9", "--ord", str(ord_dir))
    plt = (ord_dir / "plt.csv").read_text().splitlines()[1:]
    for sim in (one, two):
        t = sim.year_losses()
        rows = [f"{p},{i},{l}" for p, i, l in zip(t["Period"].to_pylist(), t["SummaryId"].to_pylist(),
                                                  t["Loss"].to_pylist())]
        assert rows == plt


def test_book_simulation_tables(at_root) -> None:
    book = specie.Portfolio.from_file(rel(BOOK))
    sim = book.simulate(specie.PortfolioModel.from_file(rel(BOOK_MODEL)), years=4000, seed=2)
    d = sim.to_dict()
    s = sim.summaries()
    assert list(s["summary"])[:3] == ["ground_up", "paid", "uncovered"]
    assert s["aal"][0] == Decimal(d["summaries"][0]["aal"])
    div = sim.diversification()
    assert list(div["carrier"]) == [c["carrier"] for c in d["diversification"]]
    assert all(div["book_aal"] == div["sum_of_programs_aal"])  # an AAL adds up exactly
    clash = sim.clash()
    assert set(clash["peril"]) == {c["peril"] for c in d["clash"]}
    assert sim.layers().empty and not sim.ept().empty


def test_book_simulation_errors(at_root) -> None:
    book = specie.Portfolio.from_file(rel(BOOK))
    with pytest.raises(TypeError):
        book.simulate(specie.Model.from_file(rel(FIXTURES / "models" / "crypto-native-crime-specie--every-kind.specie")))
    bad = specie.PortfolioModel('portfolio model "x" {\n  model "nobody" "m.specie"\n}\n', rel(BOOK_MODEL))
    with pytest.raises(specie.SpecieError) as e:
        book.simulate(bad, years=10)
    assert "nobody" in str(e.value)
    with pytest.raises(specie.SpecieError):
        book.simulate(specie.PortfolioModel.from_file(rel(BOOK_MODEL)), years=10, passes=3)
    m = specie.PortfolioModel.from_file(rel(BOOK_MODEL))
    assert pickle.loads(pickle.dumps(m)).source == m.source
