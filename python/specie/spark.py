"""Specie on Apache Spark: simulations of a program or a book split into blocks of years run
as two Spark jobs (the two passes of brief section 16: the driver holds histograms and the
planned buckets' values, never every year), and event tables replayed partition by
partition, with results equal to a single machine's.

Workers need the ``specie`` wheel: install it on every node (``pip install specie-*.whl``
in the cluster's image or bootstrap script), or ship it with the job
(``spark.sparkContext.addPyFile`` does not work for compiled wheels; use
``--archives`` with a packed virtual environment, or ``spark.submit.pyFiles`` pointing at a
directory where the wheel is unpacked). Programs and models travel to the workers as their
source text (they pickle by source).
"""

from __future__ import annotations

import json
from typing import Any, Iterator

import pyarrow as pa

from . import (Model, Portfolio, PortfolioModel, Program, DEFAULT_RETURN_PERIODS, SpecieError, _check_years,
               _specie)


def _blocks(years: int, partitions: int) -> list[tuple[int, int, int]]:
    """(block id, first year, count) for `partitions` blocks covering years 1..=years."""
    size = -(-years // partitions)
    out = []
    for b in range(partitions):
        first = b * size + 1
        count = min(size, years - b * size)
        if count > 0:
            out.append((b, first, count))
    return out


def _job(target: Program | Portfolio, model: Model | PortfolioModel) -> Any:
    """The compiled simulation of a program and its model, or of a book and its portfolio
    model (compile errors raise here, on the driver)."""
    if isinstance(target, Program):
        if not isinstance(model, Model):
            raise TypeError(f"a program is simulated with a specie.Model, not {type(model).__name__}")
        return _specie.Job.program(target._inner, model.source, model.path)
    if isinstance(target, Portfolio):
        if not isinstance(model, PortfolioModel):
            raise TypeError(f"a portfolio is simulated with a specie.PortfolioModel, not {type(model).__name__}")
        return _specie.Job.book(target._inner, model.source, model.path)
    raise TypeError(f"simulate takes a specie.Program or specie.Portfolio, not {type(target).__name__}")


def _on_blocks(spark: Any, blocks: list[tuple[int, int, int]], work: Any) -> list[bytes]:
    """Runs ``work(first, count) -> bytes`` on every block, one block per partition
    (``mapInArrow`` over block ids); the results in block order."""
    plan = {b: (first, count) for b, first, count in blocks}
    schema = pa.schema([("block", pa.int64()), ("data", pa.binary())])

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            for b in batch.column("id").to_pylist():
                first, count = plan[b]
                yield pa.RecordBatch.from_pydict({"block": [b], "data": [work(first, count)]}, schema=schema)

    df = spark.range(0, len(blocks), numPartitions=len(blocks))
    rows = df.mapInArrow(run, "block long, data binary").collect()
    return [bytes(r["data"]) for r in sorted(rows, key=lambda r: r["block"])]


def simulate_json(spark: Any, target: Program | Portfolio, model: Model | PortfolioModel,
                  years: int | None = None, seed: int | None = None, partitions: int = 4,
                  return_periods: tuple[int, ...] = DEFAULT_RETURN_PERIODS) -> str:
    """The JSON of ``specie simulate --json`` for a program and its model, or for a
    portfolio and its portfolio model, computed on Spark in two jobs over ``partitions``
    blocks of years: pass 1 sends each block's sketch (sums and histograms) to the driver,
    which plans the buckets holding the ranks asked; pass 2 simulates the same blocks again
    and sends back only those buckets' values. Byte for byte the JSON of
    ``target.simulate(model, years, seed).to_json()``. Workers rebuild the program from its
    source; a portfolio and its models are read from their paths, which must be readable
    on every worker."""
    job = _job(target, model)
    own_years, own_seed = job.model_defaults
    years = years if years is not None else (own_years or 10_000)
    seed = seed if seed is not None else (own_seed or 0)
    _check_years(years)
    if isinstance(partitions, bool) or not isinstance(partitions, int) or partitions < 1:
        raise SpecieError(f"partitions must be a whole number, 1 or more, not {partitions!r}")
    blocks = _blocks(years, partitions)
    periods = list(return_periods)

    def pass_one(first: int, count: int) -> bytes:
        return _job(target, model).sketch(seed, first, count, 1)

    merged, plan = job.plan(_on_blocks(spark, blocks, pass_one), periods)

    def pass_two(first: int, count: int) -> bytes:
        return _job(target, model).keep(plan, seed, first, count, 1)

    kept = _on_blocks(spark, blocks, pass_two)
    return job.finish(merged, plan, kept, seed, periods)["json"]


def simulate(spark: Any, target: Program | Portfolio, model: Model | PortfolioModel, years: int | None = None,
             seed: int | None = None, partitions: int = 4) -> dict[str, Any]:
    """The dict of ``specie simulate --json``, computed on Spark (see :func:`simulate_json`)."""
    return json.loads(simulate_json(spark, target, model, years, seed, partitions))


def replay_events(df: Any, prog: Program, by: str | None = None, prices: dict | None = None) -> Any:
    """Replays a Spark DataFrame of events (the columns of :meth:`Program.replay_events`)
    partition by partition with ``mapInArrow``. Each partition must hold whole scenarios:
    partition by insured or scenario (``df.repartition("scenario")``) and name that column
    in ``by``; its rows are then replayed one scenario per value, and the column is kept in
    the result. Without ``by``, each partition is one scenario."""
    from pyspark.sql.pandas.types import from_arrow_schema

    src = prog.source
    empty = pa.table({c: pa.array([], type=pa.string()) for c in ("event_id", "cause", "occurred", "tier", "amount")})
    out_schema = prog.replay_events(empty).schema
    if by is not None:
        out_schema = pa.schema([pa.field(by, _arrow_type(df, by))] + list(out_schema),
                               metadata=out_schema.metadata)

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        worker = Program(src)
        batches = [b for b in batches if b.num_rows > 0]
        if not batches:
            return
        table = pa.Table.from_batches(batches)
        if by is None:
            yield from worker.replay_events(table, prices).to_batches()
            return
        keys = table.column(by).to_pylist()
        for key in dict.fromkeys(keys):
            mask = pa.array([k == key for k in keys])
            part = table.filter(mask).drop_columns([by])
            result = worker.replay_events(part, prices)
            col = pa.array([key] * result.num_rows, type=table.schema.field(by).type)
            yield from result.add_column(0, by, col).to_batches()

    return df.mapInArrow(run, from_arrow_schema(out_schema))


def _arrow_type(df: Any, column: str) -> pa.DataType:
    from pyspark.sql.pandas.types import to_arrow_type

    return to_arrow_type(df.schema[column].dataType)
