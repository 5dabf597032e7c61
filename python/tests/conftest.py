"""Shared fixtures: the repository's paths, the `specie` CLI (built once per session, the
reference every Python result is compared with) and a local Spark session."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures"
PROGRAMS = sorted((FIXTURES / "programs").glob("*.specie"))
SCENARIOS = sorted((FIXTURES / "scenarios").glob("*.json"))
MODELS = sorted((FIXTURES / "models").glob("*.specie"))


def program_of(fixture: Path) -> Path:
    """The program a scenario or model fixture belongs to (its name before `--`)."""
    return FIXTURES / "programs" / (fixture.stem.split("--")[0] + ".specie")


@pytest.fixture(scope="session")
def cli() -> Path:
    """The release `specie` binary, built from this checkout."""
    subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "specie"], cwd=ROOT, check=True)
    return ROOT / "target" / "release" / "specie"


def run_cli(cli: Path, *args: str, ok_codes: tuple[int, ...] = (0,)) -> str:
    """Runs the CLI from the repository root and returns its stdout."""
    p = subprocess.run([str(cli), *args], cwd=ROOT, capture_output=True, text=True)
    assert p.returncode in ok_codes, p.stderr
    return p.stdout


def cli_json(cli: Path, *args: str, ok_codes: tuple[int, ...] = (0,)):
    return json.loads(run_cli(cli, *args, ok_codes=ok_codes))


@pytest.fixture(scope="session")
def spark():
    """A local Spark session on two cores, UI off, bound to the loopback address."""
    pyspark = pytest.importorskip("pyspark")
    del pyspark
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("specie-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
