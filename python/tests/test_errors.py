"""Bad input from Python: every call ends in a clear `SpecieError` or `TypeError`, never a
`PanicException`, a merged event, a closed file descriptor or a silent zero-year result
(issue 24, items 2, 3, 5, 6, 10 and 14). Each test failed before its fix."""

from __future__ import annotations

import datetime as dt
import os
import pickle

import pyarrow as pa
import pytest

import specie
from conftest import FIXTURES

PROGRAM = FIXTURES / "programs" / "crypto-native-crime-specie.specie"
MODEL = FIXTURES / "models" / "crypto-native-crime-specie--hot-wallet-drain.specie"


@pytest.fixture(scope="module")
def prog() -> specie.Program:
    return specie.Program.from_file(PROGRAM)


def test_a_panic_inside_the_boundary_is_a_specie_error() -> None:
    with pytest.raises(specie.SpecieError) as err:
        specie._specie._panic_for_tests()
    assert err.value.code == "specie::internal"
    assert "planted panic" in str(err.value)


def test_specie_error_pickles_with_its_attributes() -> None:
    # Spark ships a task's exception to the driver by pickling it.
    with pytest.raises(specie.SpecieError) as err:
        specie.Program('program "x" {\n  period 2026-01-01 to 2027-01-01\n  currency USC\n}\n')
    back = pickle.loads(pickle.dumps(err.value))
    assert type(back) is specie.SpecieError
    assert (back.code, back.line, back.column) == (err.value.code, 3, 12)
    assert str(back) == str(err.value)


def test_a_diagnostic_past_column_65535_is_an_error_not_a_panic() -> None:
    src = 'program "x" {\n  period 2026-01-01 to 2027-01-01\n  ' + " " * 70_000 + "bogus 1\n}\n"
    with pytest.raises(specie.SpecieError) as err:
        specie.Program(src)
    assert err.value.code == "specie::parse::unknown_item"
    assert (err.value.line, err.value.column) == (3, 70_003)


def test_a_check_of_billions_of_events_is_refused_at_compile_time() -> None:
    # It compiled, and `test()` allocated 378 GB and killed the interpreter.
    src = (FIXTURES / "invalid" / "check-too-many-events.specie").read_text()
    with pytest.raises(specie.SpecieError) as err:
        specie.Program(src)
    assert err.value.code == "specie::limit::check_events"


def test_null_key_columns_are_errors_naming_the_row(prog) -> None:
    # Two different events with a null event_id were merged into one event `"None"`.
    table = pa.table({
        "event_id": ["E1", None],
        "cause": ["external_hack", "insider_theft"],
        "occurred": ["2026-03-01T00:00:00Z", "2026-06-01T00:00:00Z"],
        "tier": ["hot", "cold"],
        "amount": ["1000", "2000"],
    })
    with pytest.raises(specie.SpecieError, match=r"row 1: `event_id` is null"):
        prog.replay_events(table)
    for column in ("cause", "occurred", "tier"):
        t = table.set_column(table.schema.get_field_index(column), column,
                             pa.array([table.column(column)[0].as_py(), None]))
        t = t.set_column(0, "event_id", pa.array(["E1", "E2"]))
        with pytest.raises(specie.SpecieError, match=rf"row 1: `{column}` is null"):
            prog.replay_events(t)


def test_a_row_with_an_amount_and_an_asset_is_refused(prog) -> None:
    table = pa.table({
        "event_id": ["E1"], "cause": ["external_hack"], "occurred": ["2026-03-01T00:00:00Z"],
        "tier": ["hot"], "amount": ["1000"], "asset": ["BTC"], "quantity": ["2"],
    })
    with pytest.raises(specie.SpecieError, match="not both"):
        prog.replay_events(table, prices={"BTC": [("2026-01-01T00:00:00Z", "60000")]})


def test_malformed_prices_are_errors_naming_the_asset(prog) -> None:
    table = pa.table({"event_id": ["E1"], "cause": ["external_hack"],
                      "occurred": ["2026-03-01T00:00:00Z"], "tier": ["hot"], "amount": ["1"]})
    with pytest.raises(specie.SpecieError, match="prices of `BTC`"):
        prog.replay_events(table, prices={"BTC": "nope"})
    with pytest.raises(specie.SpecieError, match="observation 0"):
        prog.replay_events(table, prices={"BTC": [("2026-01-01T00:00:00Z",)]})


def test_instants_before_the_year_1000_keep_four_digits() -> None:
    assert specie._instant(dt.datetime(999, 5, 1, 3, 4, 5)) == "0999-05-01T03:04:05Z"
    assert specie._instant(dt.date(42, 1, 2)) == "0042-01-02T00:00:00Z"


def test_replay_refuses_what_is_not_a_scenario(prog) -> None:
    # `replay(2)` opened file descriptor 2 and closed the process's standard error.
    with pytest.raises(TypeError, match="not int"):
        prog.replay(2)
    os.fstat(2)  # still open


def test_simulate_refuses_bad_arguments(prog) -> None:
    model = specie.Model.from_file(MODEL)
    with pytest.raises(TypeError, match="specie.Model"):
        prog.simulate(None)
    for years in (0, -5, 1.5, True):
        with pytest.raises(specie.SpecieError, match="years must be"):
            prog.simulate(model, years=years)
    sim = prog.simulate(model, years=200)
    for rp in (0, -1):
        with pytest.raises(specie.SpecieError, match="return_period"):
            sim.uncovered_by_clause(return_period=rp)


def test_a_simulation_that_cannot_fit_in_memory_is_refused() -> None:
    # From Python, 500M years in one pass used 22.6 GB; by default such a run takes two
    # passes in bounded memory, so the refusal is of one pass asked for.
    prog = specie.Program.from_file(PROGRAM)
    model = specie.Model.from_file(FIXTURES / "models" / "crypto-native-crime-specie--every-kind.specie")
    with pytest.raises(specie.SpecieError) as err:
        prog.simulate(model, years=1_000_000_000, passes=1)
    assert err.value.code == "specie::simulate::memory"
    assert "MiB available" in str(err.value)
