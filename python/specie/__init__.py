"""Specie from Python: digital-asset custody insurance programs as code.

Compile a program, replay scenarios and event tables through it to the cent, analyse its
tower, verify its checks and simulate years of breaches exactly. Amounts come back as exact
decimals (``decimal128`` in Arrow tables, strings in dicts), never floats.

>>> import specie
>>> prog = specie.Program('''program "Demo" {
...   period 2026-01-01 to 2027-01-01
...   deductible 1M per occurrence
...   layer "Primary" 10M xs 0 { carrier "A" 100% }
... }''')
>>> r = prog.replay({"name": "s", "events": [{"id": "E1", "cause": "external_hack",
...     "occurred": "2026-03-14T02:10:00Z", "losses": [{"tier": "hot", "amount": "2500000"}]}]})
>>> r["events"][0]["paid"]
'1500000.00'
"""

from __future__ import annotations

import csv
import datetime as _dt
import decimal
import io
import json
import os
from typing import Any, Callable, Iterable, Mapping, Sequence

import pyarrow as pa
import pyarrow.compute  # noqa: F401  (pa.compute)

from . import _specie
from ._specie import SpecieError

__all__ = ["Program", "Portfolio", "PortfolioModel", "Model", "Simulation", "SpecieError", "DEFAULT_RETURN_PERIODS", "events_to_jsonl",
           "scenario_to_table"]

DEFAULT_RETURN_PERIODS = (2, 5, 10, 25, 50, 100, 200, 250, 500, 1000)

#: Columns of an event table that are not attributes.
EVENT_COLUMNS = ("event_id", "cause", "occurred", "discovered", "tier", "amount", "asset", "quantity", "series",
                 "recoveries")

Series = Mapping[str, Sequence[Sequence[Any]]]


def _read(path: str | os.PathLike[str]) -> str:
    with open(path, encoding="utf-8") as f:
        return f.read()


def _instant(v: Any) -> str:
    """An instant as RFC 3339 UTC text."""
    if isinstance(v, str):
        return v
    if hasattr(v, "to_pydatetime"):
        v = v.to_pydatetime()
    # Written by hand: strftime's %Y gives `999` for the year 999, not `0999`.
    if isinstance(v, _dt.datetime):
        if v.tzinfo is not None:
            v = v.astimezone(_dt.timezone.utc).replace(tzinfo=None)
        return f"{v.year:04d}-{v.month:02d}-{v.day:02d}T{v.hour:02d}:{v.minute:02d}:{v.second:02d}Z"
    if isinstance(v, _dt.date):
        return f"{v.year:04d}-{v.month:02d}-{v.day:02d}T00:00:00Z"
    raise SpecieError(f"`{v!r}` is not an instant")


def _decimal_text(v: Any) -> str:
    """A decimal exactly as written: Decimal, int and str as they are, a float by its
    shortest text (as a scenario's JSON number)."""
    if isinstance(v, bool):
        raise SpecieError(f"`{v!r}` is not an amount")
    if isinstance(v, (int, decimal.Decimal)):
        return str(v)
    if isinstance(v, float):
        return repr(v)
    return str(v)


def _table(events: Any) -> pa.Table:
    if isinstance(events, pa.Table):
        return events
    if isinstance(events, pa.RecordBatch):
        return pa.Table.from_batches([events])
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas is a dependency
        pd = None
    if pd is not None and isinstance(events, pd.DataFrame):
        return pa.Table.from_pandas(events, preserve_index=False)
    raise TypeError("events must be a pyarrow Table or RecordBatch, or a pandas DataFrame")


def _scalar(v: Any) -> Any:
    """A Python value as a scenario's JSON writes it."""
    if isinstance(v, decimal.Decimal):
        return str(v)
    if isinstance(v, (_dt.datetime, _dt.date)) or hasattr(v, "to_pydatetime"):
        return _instant(v)
    if isinstance(v, _dt.timedelta):
        return f"{int(v.total_seconds())}s"
    return v


def _series(series: Series, what: str = "prices") -> dict[str, list[list[str]]]:
    """Price or index series as a scenario writes them; a malformed one is a
    :class:`SpecieError` naming the asset or index."""
    if not isinstance(series, Mapping):
        raise SpecieError(f"`{what}` must map each asset or index to (instant, value) pairs, not {type(series).__name__}")
    out: dict[str, list[list[str]]] = {}
    for name, obs in series.items():
        if isinstance(obs, (str, bytes)) or not isinstance(obs, Iterable):
            raise SpecieError(f"{what} of `{name}`: {obs!r} is not a list of (instant, value) pairs")
        pairs = []
        for n, pair in enumerate(obs):
            if isinstance(pair, (str, bytes)) or not isinstance(pair, Sequence) or len(pair) != 2:
                raise SpecieError(f"{what} of `{name}`, observation {n}: {pair!r} is not an (instant, value) pair")
            pairs.append([_instant(pair[0]), _decimal_text(pair[1])])
        out[str(name)] = pairs
    return out


#: Columns that may not be null: they say which event and which line a row is.
_KEY_COLUMNS = ("event_id", "cause", "occurred", "tier")


def _recoveries(v: Any) -> list[dict[str, Any]]:
    if isinstance(v, str):
        v = json.loads(v)
    return [{k: _scalar(x) if k == "at" else (_decimal_text(x) if k in ("amount", "quantity") else x)
             for k, x in r.items() if x is not None} for r in v]


def events_to_jsonl(events: Any, prices: Series | None = None, indices: Series | None = None,
                    name: str = "events", currency: str | None = None) -> str:
    """An event table (one row per loss line) as a JSON Lines stream for replay.

    Rows are grouped by ``event_id`` and events sorted by (occurred, id). An event's
    ``cause``, ``occurred``, ``discovered``, ``series``, ``recoveries`` (a list of dicts
    or its JSON text) and attributes (every other column, nulls left out) are read from its
    first row; every row adds a loss line (``tier`` and ``amount``, or ``asset`` and
    ``quantity``). ``prices`` and ``indices`` map an asset or index to ``(instant, value)``
    pairs."""
    table = _table(events)
    cols = table.column_names
    for required in ("event_id", "cause", "occurred", "tier"):
        if required not in cols:
            raise SpecieError(f"the event table has no `{required}` column")
    by_id: dict[str, dict[str, Any]] = {}
    order: list[str] = []
    for n, row in enumerate(table.to_pylist()):
        for key in _KEY_COLUMNS:
            if row[key] is None:
                raise SpecieError(f"row {n}: `{key}` is null; every row needs an event id, cause, "
                                  "occurrence instant and tier")
        if row.get("amount") is not None and (row.get("asset") is not None or row.get("quantity") is not None):
            raise SpecieError(f"row {n} (event `{row['event_id']}`): a loss line has either `amount`, or "
                              "`asset` with `quantity`, not both")
        eid = str(row["event_id"])
        ev = by_id.get(eid)
        if ev is None:
            ev = {"id": eid, "cause": row["cause"], "occurred": _instant(row["occurred"]), "losses": []}
            if row.get("discovered") is not None:
                ev["discovered"] = _instant(row["discovered"])
            if row.get("series") is not None:
                ev["series"] = str(row["series"])
            attrs = {k: _scalar(v) for k, v in row.items() if k not in EVENT_COLUMNS and v is not None}
            if attrs:
                ev["attributes"] = attrs
            if row.get("recoveries") is not None:
                ev["recoveries"] = _recoveries(row["recoveries"])
            by_id[eid] = ev
            order.append(eid)
        line: dict[str, Any] = {"tier": row["tier"]}
        if row.get("amount") is not None:
            line["amount"] = _decimal_text(row["amount"])
        else:
            line["asset"] = row.get("asset")
            line["quantity"] = None if row.get("quantity") is None else _decimal_text(row["quantity"])
        ev["losses"].append(line)
    evs = sorted((by_id[i] for i in order), key=lambda e: (e["occurred"], e["id"]))
    header: dict[str, Any] = {"name": name}
    if currency is not None:
        header["currency"] = currency
    if prices:
        header["prices"] = _series(prices, "prices")
    if indices:
        header["indices"] = _series(indices, "indices")
    out = [json.dumps(header)]
    out.extend(json.dumps(e) for e in evs)
    return "\n".join(out) + "\n"


def scenario_to_table(scenario: Mapping[str, Any]) -> pa.Table:
    """A scenario dict (brief section 5) as an event table for :meth:`Program.replay_events`:
    one row per loss line, attributes as columns, recoveries as JSON text. Prices and
    indices stay in the scenario (pass them as ``prices=`` and ``indices=``)."""
    rows: list[dict[str, Any]] = []
    attr_names: list[str] = []
    for ev in scenario.get("events", []):
        for k in ev.get("attributes", {}):
            if k not in attr_names:
                attr_names.append(k)
    for ev in scenario.get("events", []):
        for line in ev["losses"]:
            row = {
                "event_id": ev["id"], "cause": ev["cause"], "occurred": ev["occurred"],
                "discovered": ev.get("discovered"), "series": ev.get("series"), "tier": line["tier"],
                "amount": line.get("amount"), "asset": line.get("asset"), "quantity": line.get("quantity"),
                "recoveries": json.dumps(ev["recoveries"]) if "recoveries" in ev else None,
            }
            for k in attr_names:
                row[k] = ev.get("attributes", {}).get(k)
            rows.append(row)
    base = {c: pa.string() for c in EVENT_COLUMNS}
    fields = [pa.field(c, base[c]) for c in EVENT_COLUMNS]
    if not rows:
        return pa.table({f.name: pa.array([], type=f.type) for f in fields})
    attrs = pa.Table.from_pylist([{k: r[k] for k in attr_names} for r in rows]) if attr_names else None
    cols = {c: pa.array([None if r[c] is None else str(r[c]) for r in rows], type=pa.string())
            for c in EVENT_COLUMNS}
    table = pa.table(cols)
    if attrs is not None:
        for name in attr_names:
            table = table.append_column(name, attrs.column(name))
    return table


class Program:
    """A compiled program. Compile errors raise :class:`SpecieError` with ``code``,
    ``line``, ``column``, ``diagnostics`` and the rendered text as the message."""

    def __init__(self, source: str, path: str | None = None) -> None:
        self._source = source
        self._path = path
        self._inner = _specie.Program(source, path)

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> "Program":
        """Reads and compiles a ``.specie`` program file."""
        return cls(_read(path), os.fspath(path))

    def __reduce__(self):  # rebuilt from its source on the other side
        return (Program, (self._source, self._path))

    def __repr__(self) -> str:
        return f"Program({self.name!r})"

    @property
    def name(self) -> str:
        """The program's name."""
        return self._inner.program_name

    @property
    def source(self) -> str:
        """The program's source text."""
        return self._source

    @property
    def currency(self) -> str:
        """The program's currency code."""
        return self._inner.currency[0]

    @property
    def warnings(self) -> list[dict[str, Any]]:
        """Compile warnings as diagnostics (code, message, line, column, …)."""
        return json.loads(self._inner.warnings_json)

    def replay(self, scenario: Mapping[str, Any] | str | os.PathLike[str]) -> dict[str, Any]:
        """Replays a scenario (a dict, JSON text or a path): the dict of
        ``specie replay --json``."""
        return json.loads(self._inner.replay_json(_scenario_text(scenario)))

    def replay_events(self, events: Any, prices: Series | None = None, indices: Series | None = None,
                      name: str = "events", currency: str | None = None) -> pa.Table:
        """Replays an event table as one scenario and returns one row per event.

        ``events`` is a pyarrow Table/RecordBatch or a pandas DataFrame, one row per loss
        line: ``event_id``, ``cause``, ``occurred``, optional ``discovered``, ``series`` and
        ``recoveries``, ``tier``, ``amount`` or ``asset`` + ``quantity``, attributes as
        further columns (see :func:`events_to_jsonl`). The result has ``id``,
        ``ground_up``, ``paid``, ``uncovered:REASON`` (the eleven reasons),
        ``layer:NAME`` (its carriers' paid) and ``carrier:NAME`` columns, amounts as exact
        ``decimal128(38, minor units)``, an occurrence as one row under its first member's
        id. The schema metadata holds ``currency``, ``minor_units`` and ``totals`` (the JSON
        of ``{"totals": …, "parametric": […]}``, as in ``specie replay --json``)."""
        csv_text, totals = self._inner.replay_events_csv(
            events_to_jsonl(events, prices, indices, name, currency))
        return _csv_table(csv_text, self._inner.currency, totals)

    def tower(self) -> dict[str, Any]:
        """The dict of ``specie tower --json``."""
        return json.loads(self._inner.tower_json())

    def test(self, seed: int = 0) -> dict[str, Any]:
        """This program's entry of ``specie test --format json``: its checks, verified."""
        return json.loads(self._inner.test_json(seed))

    def simulate(self, model: "Model", years: int | None = None, seed: int | None = None,
                 threads: int | None = None,
                 return_periods: Sequence[int] = DEFAULT_RETURN_PERIODS,
                 passes: int | None = None) -> "Simulation":
        """Simulates years of breaches drawn from ``model`` (brief section 12). The
        defaults are the model's ``years`` and ``seed`` (else 10,000 and 0); ``threads``
        defaults to every core and changes no result. ``passes`` (1 or 2) as the command
        line's ``--passes``: by default two passes in bounded memory when one pass would
        keep more than 64 MiB of annual totals (brief section 16); the results are the
        same bytes either way. Ctrl-C stops it promptly."""
        if not isinstance(model, Model):
            raise TypeError(f"model must be a specie.Model, not {type(model).__name__}")
        years = years if years is not None else (model.years or 10_000)
        seed = seed if seed is not None else (model.seed or 0)
        _check_years(years)
        _check_passes(passes)
        periods = list(return_periods)
        job = _specie.Job.program(self._inner, model.source, model.path)
        if passes == 2 or (passes is None and job.needs_two_passes(years, seed)):
            def one_pass() -> dict[str, Any]:
                block = _specie.simulate_block(self._inner, model.source, model.path, seed, 1, years, threads)
                return _specie.statistics(self._inner, model.source, model.path, seed, [block], periods)
            return Simulation(job.simulate_two_pass(years, seed, threads, periods), self._inner.currency,
                              one_pass)
        block = _specie.simulate_block(self._inner, model.source, model.path, seed, 1, years, threads)
        return Simulation(_specie.statistics(self._inner, model.source, model.path, seed, [block], periods),
                          self._inner.currency)


def _csv_table(text: str, currency: tuple[str, int], totals: str) -> pa.Table:
    import pyarrow.csv as pacsv

    code, decimals = currency
    header = next(csv.reader(io.StringIO(text[: text.find("\n") + 1])), [])
    money = pa.decimal128(38, decimals)
    types = {n: (pa.string() if i == 0 else money) for i, n in enumerate(header)}
    metadata = {"currency": code, "minor_units": str(decimals), "totals": totals}
    if not header:
        return pa.table({}).replace_schema_metadata(metadata)
    table = pacsv.read_csv(
        pa.BufferReader(text.encode("utf-8")),
        read_options=pacsv.ReadOptions(use_threads=False),
        convert_options=pacsv.ConvertOptions(column_types=types, strings_can_be_null=False,
                                             quoted_strings_can_be_null=False),
    )
    return table.replace_schema_metadata(metadata)


def _check_passes(passes: Any) -> None:
    if passes is not None and (isinstance(passes, bool) or passes not in (1, 2)):
        raise SpecieError(f"passes must be 1 or 2 (or None: chosen by the memory needed), not {passes!r}")


def _check_years(years: Any) -> None:
    if isinstance(years, bool) or not isinstance(years, int) or not 1 <= years <= 1_000_000_000:
        raise SpecieError(f"years must be a whole number from 1 to 1,000,000,000, not {years!r}")


def _scenario_text(scenario: Any) -> str:
    """A scenario given as a dict, JSON text or a path, as JSON text."""
    if isinstance(scenario, Mapping):
        return json.dumps(scenario)
    if isinstance(scenario, str) and scenario.lstrip().startswith("{"):
        return scenario
    if isinstance(scenario, (str, os.PathLike)):
        return _read(scenario)
    # An int would open that file descriptor, and close it: stderr for 2.
    raise TypeError(f"scenario must be a dict, JSON text or a path, not {type(scenario).__name__}")


class Portfolio:
    """A compiled portfolio (brief section 15): a book of programs, read beside the
    portfolio file, and the vendors their insureds depend on. Compile errors in the
    portfolio or in any of its programs raise :class:`SpecieError`; each of its
    ``diagnostics`` names its ``file``.

    >>> book = specie.Portfolio.from_file("fixtures/book/custody-book.specie")  # doctest: +SKIP
    >>> book.replay("fixtures/book/scenarios/custody-book--hosting-provider-takeover.json")["totals"]["paid"]  # doctest: +SKIP
    '57500000.00'
    """

    def __init__(self, source: str, path: str | os.PathLike[str]) -> None:
        self._source = source
        self._path = os.fspath(path)
        self._inner = _specie.Portfolio(source, self._path)

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> "Portfolio":
        """Reads and compiles a portfolio file; its programs' paths are relative to it."""
        return cls(_read(path), path)

    def __reduce__(self):  # rebuilt from its file on the other side
        return (Portfolio, (self._source, self._path))

    def __repr__(self) -> str:
        return f"Portfolio({self.name!r})"

    @property
    def name(self) -> str:
        """The portfolio's name."""
        return self._inner.portfolio_name

    @property
    def keys(self) -> list[str]:
        """The programs' keys, in the file's order."""
        return self._inner.keys

    def replay(self, scenario: Mapping[str, Any] | str | os.PathLike[str]) -> dict[str, Any]:
        """Replays a portfolio scenario (section 15.1; a dict, JSON text or a path): the
        dict of ``specie replay PORTFOLIO SCENARIO --json``."""
        return json.loads(self._inner.replay_json(_scenario_text(scenario)))

    def tower(self, concentration: float | int | str | None = None) -> dict[str, Any]:
        """The dict of ``specie tower PORTFOLIO --json``: each carrier's lines over the book
        and each vendor's maximum; ``concentration`` (a percentage, default 50) flags a
        vendor maximum over that share of a carrier's line."""
        return json.loads(self._inner.tower_json(None if concentration is None else str(concentration)))

    def simulate(self, model: "PortfolioModel", years: int | None = None, seed: int | None = None,
                 threads: int | None = None,
                 return_periods: Sequence[int] = DEFAULT_RETURN_PERIODS,
                 passes: int | None = None) -> "Simulation":
        """Simulates the book under a portfolio model (brief section 15.2): the JSON of
        ``specie simulate PORTFOLIO PORTFOLIO-MODEL --json`` as a :class:`Simulation`
        (its ``diversification`` and ``clash`` tables besides the summaries). Defaults and
        ``passes`` as for :meth:`Program.simulate`; by default two passes in bounded
        memory, in slices with a look at Ctrl-C between them."""
        if not isinstance(model, PortfolioModel):
            raise TypeError(f"model must be a specie.PortfolioModel, not {type(model).__name__}")
        _check_passes(passes)
        job = _specie.Job.book(self._inner, model.source, model.path)
        own_years, own_seed = job.model_defaults
        years = years if years is not None else (own_years or 10_000)
        seed = seed if seed is not None else (own_seed or 0)
        _check_years(years)
        periods = list(return_periods)
        currency = self._inner.currency

        def one_pass() -> dict[str, Any]:
            return job.simulate_book_one_pass(years, seed, threads, periods)
        if passes == 1:
            return Simulation(one_pass(), currency)
        return Simulation(job.simulate_two_pass(years, seed, threads, periods), currency, one_pass)


class PortfolioModel:
    """A portfolio model (a ``.specie`` file holding one ``portfolio model``, brief section
    15.2): each program's model and the vendor perils shared by the programs that use a
    vendor. It is compiled against the portfolio it is simulated with; the programs'
    model files are read beside it."""

    def __init__(self, source: str, path: str | os.PathLike[str]) -> None:
        self.source = source
        self.path = os.fspath(path)

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> "PortfolioModel":
        """Reads a portfolio model file."""
        return cls(_read(path), path)

    def __reduce__(self):
        return (PortfolioModel, (self.source, self.path))

    def __repr__(self) -> str:
        return f"PortfolioModel({self.path!r})"


class Model:
    """A model (a ``.specie`` file holding one ``model``). Its syntax is checked here; it
    is type-checked against the program it is simulated with."""

    def __init__(self, source: str, path: str | None = None) -> None:
        self.source = source
        self.path = path
        self.name, self.years, self.seed = _specie.parse_model(source, path)

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> "Model":
        """Reads a model file."""
        return cls(_read(path), os.fspath(path))

    def __reduce__(self):
        return (Model, (self.source, self.path))

    def __repr__(self) -> str:
        return f"Model({self.name!r})"


class Simulation:
    """The results of :meth:`Program.simulate` or :meth:`Portfolio.simulate`."""

    def __init__(self, raw: dict[str, Any], currency: tuple[str, int],
                 one_pass: Callable[[], dict[str, Any]] | None = None) -> None:
        self._raw = raw
        self._currency = currency
        self._dict = json.loads(raw["json"])
        # A run made in two passes keeps no year: the year loss table simulates the years
        # again in one pass (the same years, so the same figures).
        self._one_pass = one_pass

    @property
    def events(self) -> int:
        """Simulated events."""
        return int(self._raw["events"])

    def to_json(self) -> str:
        """The bytes of ``specie simulate --json`` (without the final newline)."""
        return self._raw["json"]

    def to_dict(self) -> dict[str, Any]:
        """The dict of ``specie simulate --json``."""
        return json.loads(self._raw["json"])

    def summaries(self):
        """One row per summary: AAL, SD, SE (exact decimals), CV, share of non-zero years."""
        import pandas as pd

        rows = [{
            "summary": s["summary"],
            "aal": decimal.Decimal(s["aal"]),
            "sd": decimal.Decimal(s["sd"]),
            "se": decimal.Decimal(s["se"]),
            "cv": s["cv"],
            "nonzero_years": s["nonzero_years"],
        } for s in self._dict["summaries"]]
        return pd.DataFrame(rows)

    def ept(self):
        """The exceedance table in ORD columns: SummaryId, EPCalc (2), EPType (1 OEP,
        2 OEP TVaR, 3 AEP, 4 AEP TVaR), ReturnPeriod, Loss."""
        import pandas as pd

        rows = []
        for i, s in enumerate(self._dict["summaries"], start=1):
            for ty, curve, key in ((1, "oep", "loss"), (2, "oep", "tvar"), (3, "aep", "loss"), (4, "aep", "tvar")):
                for p in s[curve]:
                    rows.append({"SummaryId": i, "EPCalc": 2, "EPType": ty,
                                 "ReturnPeriod": p["return_period"], "Loss": decimal.Decimal(p[key])})
        return pd.DataFrame(rows, columns=["SummaryId", "EPCalc", "EPType", "ReturnPeriod", "Loss"])

    def layers(self):
        """One row per layer: attachment and exhaustion probability, expected reinstatement
        premium (none for a book)."""
        import pandas as pd

        return pd.DataFrame([{**l, "reinstatement_premium": decimal.Decimal(l["reinstatement_premium"])}
                             for l in self._dict.get("layers", [])])

    def diversification(self):
        """A book's diversification table (brief section 15.2): one row per carrier, its
        figures over the book (``book_aal``, ``book_aep_100``, ``book_aep_250``) against the
        sum of its slices of each program (``sum_of_programs_…``, exact decimals), and the
        share saved (``diversification_…``); empty for a single program."""
        import pandas as pd

        rows = []
        for d in self._dict.get("diversification", []):
            row: dict[str, Any] = {"carrier": d["carrier"]}
            for group in ("book", "sum_of_programs"):
                row.update({f"{group}_{k}": decimal.Decimal(v) for k, v in d[group].items()})
            row.update({f"diversification_{k}": v for k, v in d["diversification"].items()})
            rows.append(row)
        return pd.DataFrame(rows)

    def clash(self):
        """A book's clash table (brief section 15.2): one row per vendor peril and carrier:
        the peril's events, programs reached per event and share of years in which some
        carrier paid in two programs or more from one event (``clash_probability``), and
        the share of years in
        which one event made the carrier pay in two programs or more
        (``carrier_clash_probability``); empty for a single program."""
        import pandas as pd

        rows = []
        for c in self._dict.get("clash", []):
            head = {k: c[k] for k in ("peril", "vendor", "events", "programs_per_event", "clash_probability")}
            for carrier in c["carriers"] or [{"carrier": None, "clash_probability": None}]:
                rows.append({**head, "carrier": carrier["carrier"],
                             "carrier_clash_probability": carrier["clash_probability"]})
        return pd.DataFrame(rows, columns=["peril", "vendor", "events", "programs_per_event", "clash_probability",
                                           "carrier", "carrier_clash_probability"])

    def uncovered_by_clause(self, return_period: int = 100):
        """Which clause costs the insured most: one row per clause that left money
        uncovered (``reason``, ``clause``), its average annual uncovered amount (``aal``),
        its share of the average uncovered total, and the annual amount it leaves at
        ``return_period`` (AEP), largest AAL first."""
        import pandas as pd

        if isinstance(return_period, bool) or not isinstance(return_period, int) or return_period < 1:
            raise SpecieError(f"return_period must be a whole number of years, 1 or more, not {return_period!r}")
        by_name = {s["summary"]: s for s in self._dict["summaries"]}
        total = decimal.Decimal(by_name["uncovered"]["aal"]) if "uncovered" in by_name else decimal.Decimal(0)
        rows = []
        for name, s in by_name.items():
            parts = name.split(":", 2)
            if len(parts) != 3 or parts[0] != "uncovered":
                continue
            aal = decimal.Decimal(s["aal"])
            at = [p for p in s["aep"] if p["return_period"] == return_period]
            rows.append({
                "reason": parts[1],
                "clause": parts[2],
                "aal": aal,
                "share": float(aal / total) if total else 0.0,
                f"aep_{return_period}": decimal.Decimal(at[0]["loss"]) if at else None,
            })
        rows.sort(key=lambda r: (-r["aal"], r["reason"], r["clause"]))
        return pd.DataFrame(rows, columns=["reason", "clause", "aal", "share", f"aep_{return_period}"])

    def year_losses(self) -> pa.Table:
        """Every year's non-zero loss per summary (the ORD period loss table): Period,
        SummaryId, Summary, Loss (exact ``decimal128``), sorted by period then summary."""
        code, decimals = self._currency
        raw = self._raw
        if raw.get("block") is None and self._one_pass is not None:
            raw = self._one_pass()
        names = raw["summaries"]
        years, id_bytes, losses = _specie.year_loss_buffers(raw["block"])
        n = len(years) // 4
        period = pa.Array.from_buffers(pa.uint32(), n, [None, pa.py_buffer(years)])
        ids = pa.Array.from_buffers(pa.uint32(), n, [None, pa.py_buffer(id_bytes)])
        # A decimal128 array holds its unscaled integers: the minor units, as they are.
        loss = pa.Array.from_buffers(pa.decimal128(38, decimals), n, [None, pa.py_buffer(losses)])
        summary = pa.DictionaryArray.from_arrays(pa.compute.subtract(ids, 1).cast(pa.int32()),
                                                 pa.array(names, type=pa.string()))
        return pa.table(
            {"Period": period, "SummaryId": ids, "Summary": summary, "Loss": loss},
            metadata={"currency": code},
        )
