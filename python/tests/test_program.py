"""Compile errors, warnings, tower analysis and checks from Python, each equal to the CLI's
JSON; programs and models pickle by source."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

import specie
from conftest import FIXTURES, MODELS, PROGRAMS, ROOT, cli_json, program_of

INVALID = sorted((FIXTURES / "invalid").glob("*.specie"))
TOWERS = PROGRAMS + sorted((FIXTURES / "tower").glob("*.specie"))


def rel(p: Path) -> str:
    return str(p.relative_to(ROOT))


def test_compile_error_has_code_line_column() -> None:
    source = 'program "Broken" {\n  period 2026-01-01 to 2027-01-01\n  currency USC\n}\n'
    with pytest.raises(specie.SpecieError) as err:
        specie.Program(source, path="broken.specie")
    e = err.value
    assert isinstance(e, ValueError)
    assert e.code == "specie::value::unknown_currency"
    # `USC` starts at line 3, column 12 (`  currency ` is 11 characters).
    assert (e.line, e.column) == (3, 12)
    assert e.diagnostics[0]["help"] == "did you mean `USD`?"
    assert "unknown currency `USC`" in str(e)
    assert "broken.specie:3:12" in str(e)


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_fixtures_raise_the_cli_diagnostics(cli, path: Path) -> None:
    expected = cli_json(cli, "check", rel(path), "--format", "json", ok_codes=(1,))
    with pytest.raises(specie.SpecieError) as err:
        specie.Program(path.read_text(), path=rel(path))
    # Every diagnostic (warnings too), in the CLI's order; code, line and column of the
    # first error.
    assert err.value.diagnostics == expected
    errors = [d for d in expected if d["severity"] == "error"]
    assert (err.value.code, err.value.line, err.value.column) == (
        errors[0]["code"], errors[0]["line"], errors[0]["column"])


@pytest.mark.parametrize("path", PROGRAMS, ids=lambda p: p.stem)
def test_warnings_equal_check(cli, path: Path) -> None:
    expected = cli_json(cli, "check", rel(path), "--format", "json")
    prog = specie.Program(path.read_text(), path=rel(path))
    assert prog.warnings == [d for d in expected if d["severity"] == "warning"]


@pytest.mark.parametrize("path", TOWERS, ids=lambda p: p.stem)
def test_tower_equals_cli(cli, path: Path) -> None:
    prog = specie.Program(path.read_text(), path=rel(path))
    assert prog.tower() == cli_json(cli, "tower", rel(path), "--json")


@pytest.mark.parametrize("path", PROGRAMS + [FIXTURES / "failing-checks" / "hot-wallet-retention.specie"],
                         ids=lambda p: p.stem)
def test_checks_equal_cli(cli, path: Path) -> None:
    prog = specie.Program(path.read_text(), path=rel(path))
    expected = cli_json(cli, "test", rel(path), "--format", "json", ok_codes=(0, 1))
    assert [prog.test()] == expected


def test_programs_and_models_pickle() -> None:
    prog = specie.Program.from_file(PROGRAMS[0])
    back = pickle.loads(pickle.dumps(prog))
    assert (back.name, back.source, back.currency) == (prog.name, prog.source, prog.currency)
    scenario = sorted((FIXTURES / "scenarios").glob(PROGRAMS[0].stem + "--*.json"))[0]
    assert back.replay(scenario) == prog.replay(scenario)
    model = specie.Model.from_file(MODELS[0])
    model_back = pickle.loads(pickle.dumps(model))
    assert (model_back.name, model_back.source, model_back.years, model_back.seed) == (
        model.name, model.source, model.years, model.seed)
    mprog = specie.Program.from_file(program_of(MODELS[0]))
    assert mprog.simulate(model_back, years=200).to_json() == mprog.simulate(model, years=200).to_json()
