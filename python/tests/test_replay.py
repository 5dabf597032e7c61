"""Replay from Python against the CLI: every fixture scenario, as a path, a dict and JSON
text, equals `specie replay --json`; its events as an Arrow table replay to the same
figures, event by event and in total."""

from __future__ import annotations

import decimal
import json
from pathlib import Path

import pyarrow as pa
import pytest

import specie
from conftest import ROOT, SCENARIOS, cli_json, program_of

D = decimal.Decimal


def rel(p: Path) -> str:
    return str(p.relative_to(ROOT))


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda p: p.stem)
def test_replay_equals_cli(cli, scenario: Path) -> None:
    prog = specie.Program.from_file(program_of(scenario))
    expected = cli_json(cli, "replay", rel(program_of(scenario)), rel(scenario), "--json")
    assert prog.replay(scenario) == expected
    text = scenario.read_text()
    assert prog.replay(text) == expected
    assert prog.replay(json.loads(text)) == expected
    # The shipped expected results are the same document.
    assert expected == json.loads((ROOT / "fixtures" / "expected" / scenario.name).read_text())


def column_sum(table: pa.Table, name: str) -> D:
    return sum((v for v in table.column(name).to_pylist()), D(0))


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda p: p.stem)
def test_replay_events_equals_cli(cli, scenario: Path) -> None:
    prog = specie.Program.from_file(program_of(scenario))
    doc = json.loads(scenario.read_text())
    expected = cli_json(cli, "replay", rel(program_of(scenario)), rel(scenario), "--json")
    table = prog.replay_events(specie.scenario_to_table(doc), prices=doc.get("prices"),
                               indices=doc.get("indices"), name=doc["name"], currency=doc.get("currency"))
    decimals = int(table.schema.metadata[b"minor_units"])
    money = pa.decimal128(38, decimals)
    assert all(table.schema.field(c).type == money for c in table.column_names[1:])
    # One row per event (an occurrence is one row), in the CLI's order.
    assert table.column("id").to_pylist() == [e["id"] for e in expected["events"]]
    rows = table.to_pylist()
    for row, ev in zip(rows, expected["events"]):
        assert row["ground_up"] == D(ev["ground_up"])
        assert row["paid"] == D(ev["paid"])
        for reason in ("outside_period", "excluded", "sublimit", "deductible", "tower_gap", "above_tower"):
            want = sum((D(u["amount"]) for u in ev["uncovered"] if u["reason"] == reason), D(0))
            assert row[f"uncovered:{reason}"] == want
        for layer in ev["layers"]:
            assert row[f"layer:{layer['layer']}"] == D(layer["paid"])
    totals = expected["totals"]
    assert column_sum(table, "ground_up") == D(totals["ground_up"])
    assert column_sum(table, "paid") == D(totals["paid"])
    for u in totals["uncovered"]:
        reason = u["reason"]
        want = sum((D(x["amount"]) for x in totals["uncovered"] if x["reason"] == reason), D(0))
        assert column_sum(table, f"uncovered:{reason}") == want
    for layer in totals["layers"]:
        assert column_sum(table, f"layer:{layer['layer']}") == D(layer["paid"])
    for carrier in totals["carriers"]:
        assert column_sum(table, f"carrier:{carrier['carrier']}") == D(carrier["paid"])
    # The metadata carries the totals and parametric claims of `--json`.
    meta = json.loads(table.schema.metadata[b"totals"])
    assert meta["totals"] == totals
    assert meta.get("parametric", []) == expected.get("parametric", [])


def test_replay_events_from_pandas_with_attributes_and_assets() -> None:
    """A DataFrame with datetimes, Decimal amounts, an asset line and an attribute column."""
    import datetime as dt

    import pandas as pd

    prog = specie.Program(
        'program "Frame" {\n'
        "  period 2026-01-01 to 2027-01-01\n"
        "  attribute insider: flag = false\n"
        '  exclude "Insiders" when insider\n'
        "  deductible 100k per occurrence\n"
        '  layer "Primary" 10M xs 0 { carrier "A" 60% carrier "B" 40% }\n'
        "}\n")
    frame = pd.DataFrame({
        "event_id": ["E1", "E1", "E2"],
        "cause": ["external_hack", "external_hack", "insider_theft"],
        "occurred": [dt.datetime(2026, 3, 1, 12, tzinfo=dt.timezone.utc)] * 2
        + [dt.datetime(2026, 4, 1, tzinfo=dt.timezone.utc)],
        "tier": ["hot", "warm", "hot"],
        "amount": [D("1000000.005"), None, D("500000")],
        "asset": [None, "BTC", None],
        "quantity": [None, D("2.5"), None],
        "insider": [False, False, True],
    })
    table = prog.replay_events(frame, prices={"BTC": [("2026-01-01T00:00:00Z", "60000")]})
    rows = {r["id"]: r for r in table.to_pylist()}
    # E1: 1,000,000.005 rounds half-even to 1,000,000.00 (the line is rounded, brief 6.1), plus
    # 2.5 BTC x 60,000 = 150,000.00: ground-up 1,150,000.00; less the 100,000.00 deductible:
    # 1,050,000.00, split 60/40 = 630,000.00 + 420,000.00.
    assert rows["E1"]["ground_up"] == D("1150000.00")
    assert rows["E1"]["paid"] == D("1050000.00")
    assert rows["E1"]["carrier:A"] == D("630000.00")
    assert rows["E1"]["carrier:B"] == D("420000.00")
    # E2: an insider, excluded in full.
    assert rows["E2"]["uncovered:excluded"] == D("500000.00")
    assert rows["E2"]["paid"] == D("0.00")


def test_replay_event_table_errors_name_the_event() -> None:
    prog = specie.Program.from_file(program_of(SCENARIOS[0]))
    bad = pa.table({"event_id": ["X1"], "cause": ["external_hack"], "occurred": ["2026-02-30T00:00:00Z"],
                    "tier": ["hot"], "amount": ["10"]})
    with pytest.raises(specie.SpecieError) as err:
        prog.replay_events(bad)
    assert "X1" in str(err.value)
    assert err.value.code.startswith("specie::")
    with pytest.raises(specie.SpecieError):
        prog.replay_events(pa.table({"event_id": ["X1"]}))
    with pytest.raises(TypeError):
        prog.replay_events([{"event_id": "X1"}])
