"""The example notebook runs from a fresh kernel: every cell without error, both figures
drawn, and the 1-in-100 retained loss it prints equals the simulation's AEP."""

from __future__ import annotations

import nbclient
import nbformat

import specie
from conftest import ROOT

NOTEBOOK = ROOT / "examples" / "python" / "breach-year.ipynb"


def test_breach_year_notebook_executes() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) == 2
    printed = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    prog = specie.Program.from_file(ROOT / "fixtures/programs/crypto-native-crime-specie.specie")
    model = specie.Model.from_file(ROOT / "fixtures/models/crypto-native-crime-specie--hot-wallet-drain.specie")
    sim = prog.simulate(model, years=20_000)
    uncovered = next(s for s in sim.to_dict()["summaries"] if s["summary"] == "uncovered")
    aep100 = next(p["loss"] for p in uncovered["aep"] if p["return_period"] == 100)
    assert f"1-in-100 retained (uncovered) loss: {aep100}" in printed
