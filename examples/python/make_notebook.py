"""Writes breach-year.ipynb. Run from the repository root:
`python examples/python/make_notebook.py --execute` (with the outputs); the tests execute
the notebook again (python/tests/test_notebook.py)."""

import nbformat as nbf

nb = nbf.v4.new_notebook()
md, code = nbf.v4.new_markdown_cell, nbf.v4.new_code_cell
nb.cells = [
    md("# A year of hot-wallet breaches\n\n"
       "The crypto-native crime and specie program (`fixtures/programs/crypto-native-crime-specie.specie`) "
       "against a model of hot-wallet drains whose frequency and severity were fitted on the 51 real "
       "hot-tier incidents of `custody-incidents.json` (2011-2025; `specie fit ... --tier hot`). "
       "Every simulated year is replayed through the program to the cent: what does the custodian "
       "recover, what is its 1-in-100 retained loss, and which clause costs it most?"),
    code("from pathlib import Path\n\n"
         "import matplotlib.pyplot as plt\n"
         "import specie\n\n"
         "root = next(p for p in [Path.cwd(), *Path.cwd().parents] if (p / \"fixtures\").is_dir())\n"
         "prog = specie.Program.from_file(root / \"fixtures/programs/crypto-native-crime-specie.specie\")\n"
         "model = specie.Model.from_file(root / \"fixtures/models/crypto-native-crime-specie--hot-wallet-drain.specie\")\n"
         "prog, model"),
    md("Simulate 20,000 years (the model's seed; the same seed gives the same figures on any "
       "machine, any thread count, or on Spark)."),
    code("sim = prog.simulate(model, years=20_000)\n"
         "sim.summaries().query(\"summary in ['ground_up', 'paid', 'uncovered']\")"),
    md("## Aggregate exceedance (AEP)\n\nThe annual loss exceeded once in T years, ground-up, "
       "paid by the carriers and kept by the insured."),
    code("ept = sim.ept()\n"
         "names = {i: s['summary'] for i, s in enumerate(sim.to_dict()['summaries'], start=1)}\n"
         "fig, ax = plt.subplots(figsize=(7, 4))\n"
         "for sid, name in names.items():\n"
         "    if name not in ('ground_up', 'paid', 'uncovered'):\n"
         "        continue\n"
         "    curve = ept[(ept.SummaryId == sid) & (ept.EPType == 3)]\n"
         "    ax.plot(curve.ReturnPeriod, [float(v) / 1e6 for v in curve.Loss], marker='o', label=name)\n"
         "ax.set_xscale('log'); ax.set_xlabel('return period (years)'); ax.set_ylabel('annual loss (USD M)')\n"
         "ax.legend(); ax.grid(True, alpha=0.3)\n"
         "aep = ept[(ept.EPType == 3) & (ept.ReturnPeriod == 100)].set_index('SummaryId').Loss\n"
         "print('1-in-100 retained (uncovered) loss:', aep[[k for k, v in names.items() if v == 'uncovered'][0]])"),
    md("## Layer hit probabilities\n\nThe share of years in which each layer is reached and "
       "exhausted, and its expected reinstatement premium."),
    code("layers = sim.layers()\n"
         "fig, ax = plt.subplots(figsize=(7, 3))\n"
         "x = range(len(layers))\n"
         "ax.bar([i - 0.2 for i in x], layers.attach_probability, width=0.4, label='attached')\n"
         "ax.bar([i + 0.2 for i in x], layers.exhaust_probability, width=0.4, label='exhausted')\n"
         "ax.set_xticks(list(x), layers.layer); ax.set_ylabel('probability per year'); ax.legend()\n"
         "layers"),
    md("## What the insured keeps, clause by clause\n\nEach clause's average annual uncovered "
       "amount, its share of everything uncovered, and what it leaves in a 1-in-100 year."),
    code("sim.uncovered_by_clause()"),
]
nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
if __name__ == "__main__":
    import sys

    if "--execute" in sys.argv:  # store the outputs too, for readers of the repository
        import nbclient

        nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                                resources={"metadata": {"path": "examples/python"}}).execute()
    nbf.write(nb, "examples/python/breach-year.ipynb")
