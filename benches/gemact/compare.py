"""Times GEMAct (pip package `gemact`) on the model and layers of compare.specie, by Monte
Carlo over N years: Poisson(0.35) × lognormal(median 3M, sigma 1.8), 1M deductible, layers
10M xs 0, 40M xs 10M, 50M xs 50M (applied to the loss after the deductible, as Specie does).
Usage: python compare.py YEARS"""
import sys
import time

import numpy as np
from gemact import Frequency, Layer, LossModel, PolicyStructure, Severity

years = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
freq = Frequency(dist="poisson", par={"mu": 0.35})
sev = Severity(dist="lognormal", par={"scale": 3e6, "shape": 1.8})
# GEMAct layers act on the ground-up loss: a layer L xs A after a deductible D is
# cover L, deductible D + A.
layers = [Layer(cover=10e6, deductible=1e6), Layer(cover=40e6, deductible=11e6), Layer(cover=50e6, deductible=51e6)]
start = time.perf_counter()
lm = LossModel(
    frequency=freq,
    severity=sev,
    policystructure=PolicyStructure(layers=layers),
    aggr_loss_dist_method="mc",
    n_sim=years,
    random_state=1,
)
elapsed = time.perf_counter() - start
events = years * 0.35
print(f"gemact {years} years, ~{events:.0f} events: {elapsed:.2f} s, {events / elapsed:,.0f} events/s")
print("mean paid per layer:", [round(float(m), 2) for m in lm.mean(use_dist=True) ] if hasattr(lm.mean(), '__len__') else lm.mean())
