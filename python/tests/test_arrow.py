"""The Arrow conversion is exact: any amount, given as an Arrow decimal, a string or a
Python Decimal, comes back as the same decimal128 rounded half-even to the currency's minor
unit (hypothesis-generated, for currencies with 0, 2 and 3 decimals)."""

from __future__ import annotations

import decimal

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

import specie

D = decimal.Decimal

CURRENCIES = {"JPY": 0, "USD": 2, "KWD": 3}
PROGRAMS = {
    code: specie.Program(
        f'program "Exact {code}" {{\n'
        f"  currency {code}\n"
        "  period 2026-01-01 to 2027-01-01\n"
        '  layer "Whole" 900B xs 0 { carrier "A" 70% carrier "B" 30% }\n'
        "}\n")
    for code in CURRENCIES
}

amounts = st.decimals(min_value=D("0"), max_value=D("100000000000"), places=6,
                      allow_nan=False, allow_infinity=False)


def half_even(v: D, decimals: int) -> D:
    return v.quantize(D(1).scaleb(-decimals), rounding=decimal.ROUND_HALF_EVEN)


@settings(max_examples=150, deadline=None)
@given(code=st.sampled_from(sorted(CURRENCIES)), lines=st.lists(amounts, min_size=1, max_size=4),
       kind=st.sampled_from(["decimal128", "string", "python"]))
def test_amounts_round_trip_exactly(code: str, lines: list[D], kind: str) -> None:
    decimals = CURRENCIES[code]
    n = len(lines)
    if kind == "decimal128":
        amount = pa.array(lines, type=pa.decimal128(24, 6))
    elif kind == "string":
        amount = pa.array([str(v) for v in lines], type=pa.string())
    else:
        amount = lines
    table = pa.table({"event_id": ["E1"] * n, "cause": ["external_hack"] * n,
                      "occurred": ["2026-05-01T00:00:00Z"] * n, "tier": ["hot"] * n, "amount": amount})
    out = PROGRAMS[code].replay_events(table)
    assert out.schema.field("paid").type == pa.decimal128(38, decimals)
    assert out.schema.metadata[b"currency"] == code.encode()
    row = out.to_pylist()[0]
    # Each line is valued and rounded on its own (brief 6.1), then added.
    want = sum((half_even(v, decimals) for v in lines), D(0))
    assert row["ground_up"] == want
    assert row["paid"] == want
    # The 70/30 split adds up to the minor unit: each carrier gets the floor of its share
    # in minor units and the one unit left goes to the larger remainder (ties: A, the first).
    minor = int(want.scaleb(decimals))
    a, b = minor * 7 // 10, minor * 3 // 10
    if minor - a - b == 1:
        if (minor * 7) % 10 >= (minor * 3) % 10:
            a += 1
        else:
            b += 1
    assert minor - a - b == 0
    assert row["carrier:A"] == D(a).scaleb(-decimals)
    assert row["carrier:B"] == D(b).scaleb(-decimals)


@settings(max_examples=100, deadline=None)
@given(values=st.lists(st.decimals(min_value=D("-99999999999999"), max_value=D("99999999999999"),
                                   places=2, allow_nan=False, allow_infinity=False), max_size=20))
def test_csv_to_decimal128_is_exact(values: list[D]) -> None:
    text = "id,paid\n" + "".join(f"e{i},{v}\n" for i, v in enumerate(values))
    table = specie._csv_table(text, ("USD", 2), "{}")
    assert table.column("paid").type == pa.decimal128(38, 2)
    assert table.column("paid").to_pylist() == values
    assert table.column("id").to_pylist() == [f"e{i}" for i in range(len(values))]
