"""Specie on Spark in local mode: a simulation split into four partitions is byte for byte
the single-machine JSON; an event table replayed over four partitions equals one call."""

from __future__ import annotations

import decimal
import json

import pyarrow as pa
import pytest

import specie
import specie.spark
import pyarrow.compute  # noqa: F401

from conftest import MODELS, ROOT, SCENARIOS, program_of

D = decimal.Decimal


@pytest.mark.parametrize("model", MODELS, ids=lambda p: p.stem)
def test_spark_simulation_is_byte_identical(spark, model) -> None:
    prog = specie.Program.from_file(program_of(model))
    m = specie.Model.from_file(model)
    local = prog.simulate(m, years=10_001, seed=11).to_json()
    on_spark = specie.spark.simulate_json(spark, prog, m, years=10_001, seed=11, partitions=4)
    assert on_spark == local
    assert specie.spark.simulate(spark, prog, m, years=10_001, seed=11, partitions=4) == json.loads(local)


def test_spark_blocks_cover_every_year_once() -> None:
    for years, parts in ((10, 4), (3, 4), (1_000_000, 7), (8, 8)):
        blocks = specie.spark._blocks(years, parts)
        covered = [y for _, first, count in blocks for y in range(first, first + count)]
        assert covered == list(range(1, years + 1))


INCIDENTS = ROOT.parent / "shared" / "data" / "custody-incidents.json"
STANDARD_CAUSES = {"external_hack", "insider_theft", "key_compromise", "physical_loss", "vendor_breach",
                   "social_engineering"}


def incident_table() -> pa.Table:
    """The real incidents with a known tier and cause, moved to the same day of 2026 (the
    program's period), one loss line of their USD loss each, one scenario per year of the
    incident."""
    rows = []
    for inc in json.loads(INCIDENTS.read_text()):
        if inc["tier"] not in ("hot", "warm", "cold") or inc["cause"] not in STANDARD_CAUSES:
            continue
        year, month, day = inc["date"].split("-")
        day = min(int(day), 28) if month == "02" else int(day)
        rows.append({"scenario": year, "event_id": inc["id"], "cause": inc["cause"],
                     "occurred": f"2026-{month}-{day:02d}T00:00:00Z", "tier": inc["tier"],
                     "amount": str(inc["loss_usd"])})
    return pa.Table.from_pylist(rows)


def test_spark_replay_events_equals_single_calls(spark) -> None:
    prog = specie.Program.from_file(ROOT / "fixtures" / "programs" / "crypto-native-crime-specie.specie")
    table = incident_table()
    years = sorted(set(table.column("scenario").to_pylist()))
    assert table.num_rows >= 40 and len(years) >= 8
    df = spark.createDataFrame(table.to_pandas()).repartition(4, "scenario")
    assert df.rdd.getNumPartitions() == 4
    result = specie.spark.replay_events(df, prog, by="scenario").toPandas()
    assert sorted(set(result["scenario"])) == years
    for year in years:
        part = table.filter(pa.compute.equal(table.column("scenario"), year)).drop_columns(["scenario"])
        single = prog.replay_events(part).to_pandas()
        got = result[result["scenario"] == year].drop(columns=["scenario"]).reset_index(drop=True)
        assert list(got.columns) == list(single.columns)
        assert got.to_dict("records") == single.to_dict("records")
        assert all(isinstance(v, D) for v in got["paid"])
    # Each year is its own scenario: aggregates start afresh every year, so the sum over
    # years exceeds one scenario of every incident whenever an aggregate bites.
    assert result["paid"].sum() >= prog.replay_events(table.drop_columns(["scenario"])).to_pandas()["paid"].sum()


def test_spark_replay_events_one_scenario_per_partition(spark) -> None:
    prog_path = program_of(SCENARIOS[0])
    path = [p for p in SCENARIOS if program_of(p) == prog_path][0]
    prog = specie.Program.from_file(prog_path)
    doc = json.loads(path.read_text())
    table = specie.scenario_to_table(doc).select(list(specie.EVENT_COLUMNS))
    df = spark.createDataFrame(table.to_pandas()).coalesce(1)
    got = specie.spark.replay_events(df, prog).toPandas()
    single = prog.replay_events(table).to_pandas()
    assert got.to_dict("records") == single.to_dict("records")


@pytest.mark.parametrize("partitions", [0, -1, 2.5])
def test_spark_partitions_must_be_whole_and_positive(spark, partitions) -> None:
    # `partitions=-1` returned a 0-year result and `partitions=0` raised ZeroDivisionError.
    prog = specie.Program.from_file(program_of(MODELS[0]))
    m = specie.Model.from_file(MODELS[0])
    with pytest.raises(specie.SpecieError, match="partitions must be"):
        specie.spark.simulate(spark, prog, m, years=100, partitions=partitions)
    with pytest.raises(specie.SpecieError, match="years must be"):
        specie.spark.simulate(spark, prog, m, years=0)


BOOK = ROOT / "fixtures" / "book" / "custody-book.specie"
BOOK_MODEL = ROOT / "fixtures" / "book" / "custody-book-model.specie"


def test_spark_book_simulation_is_byte_identical(spark) -> None:
    book = specie.Portfolio.from_file(BOOK)
    model = specie.PortfolioModel.from_file(BOOK_MODEL)
    local = book.simulate(model, years=9_001, seed=5).to_json()
    assert specie.spark.simulate_json(spark, book, model, years=9_001, seed=5, partitions=4) == local
    # Whatever the split: 7 partitions, and more partitions than years.
    assert specie.spark.simulate_json(spark, book, model, years=9_001, seed=5, partitions=7) == local
    small = book.simulate(model, years=3, seed=5, passes=1).to_json()
    assert specie.spark.simulate_json(spark, book, model, years=3, seed=5, partitions=4) == small


def test_spark_simulation_holds_no_year_on_the_driver() -> None:
    # The driver receives each block's sketch (sparse histograms, bounded whatever the
    # years: at most 28,673 buckets a summary) and the planned buckets' values (equal values
    # merged): at 200,000 years a fifth of the annual totals a one-pass block would ship,
    # the kept values a fiftieth (measured: 1.26 MB and 59 KB against 13 MB).
    prog = specie.Program.from_file(program_of(MODELS[0]))
    m = specie.Model.from_file(MODELS[0])
    job = specie._specie.Job.program(prog._inner, m.source, m.path)
    periods = list(specie.DEFAULT_RETURN_PERIODS)
    sizes = {}
    for years in (20_000, 200_000):
        blocks = specie.spark._blocks(years, 4)
        sketches = [job.sketch(3, first, count, 1) for _, first, count in blocks]
        merged, plan = job.plan(sketches, periods)
        kept = [job.keep(plan, 3, first, count, 1) for _, first, count in blocks]
        every_year = len(specie._specie.simulate_block(prog._inner, m.source, m.path, 3, 1, years).to_bytes())
        sizes[years] = (sum(map(len, sketches)), sum(map(len, kept)), every_year)
        assert job.finish(merged, plan, kept, 3, periods)["json"] == prog.simulate(m, years=years, seed=3).to_json()
    sketch, kept, every = sizes[200_000]
    assert sketch + kept < every / 5, sizes
    assert kept < every / 50, sizes


def test_spark_simulate_refuses_mismatched_inputs(spark) -> None:
    book = specie.Portfolio.from_file(BOOK)
    with pytest.raises(TypeError):
        specie.spark.simulate_json(spark, book, specie.Model.from_file(MODELS[0]))
    with pytest.raises(specie.SpecieError):
        specie.spark.simulate_json(spark, book, specie.PortfolioModel.from_file(BOOK_MODEL), years=10, partitions=0)
