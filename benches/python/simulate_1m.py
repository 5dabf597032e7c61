"""Times a 1,000,000-year simulation three ways on this machine, in one run: the CLI
(`specie simulate --json`), Python (`prog.simulate`) and local Spark (`local[2]`,
`specie.spark.simulate_json` with 4 partitions), and checks the three JSON documents are
byte-identical. Run from the repository root after `cargo build --release` and
`pip install ./python`:

    python benches/python/simulate_1m.py [YEARS]
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import specie
import specie.spark

PROGRAM = "fixtures/programs/crypto-native-crime-specie.specie"
MODEL = "fixtures/models/crypto-native-crime-specie--hot-wallet-drain.specie"


def main() -> None:
    years = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    start = time.perf_counter()
    cli = subprocess.run(["target/release/specie", "simulate", PROGRAM, MODEL, "--years", str(years), "--json"],
                         capture_output=True, text=True, check=True).stdout
    t_cli = time.perf_counter() - start

    prog, model = specie.Program.from_file(PROGRAM), specie.Model.from_file(MODEL)
    start = time.perf_counter()
    sim = prog.simulate(model, years=years)
    t_py = time.perf_counter() - start

    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ["PYSPARK_PYTHON"] = sys.executable
    from pyspark.sql import SparkSession

    spark = (SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false")
             .config("spark.driver.bindAddress", "127.0.0.1").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    spark.range(2).collect()  # start the JVM and the executors before timing
    start = time.perf_counter()
    on_spark = specie.spark.simulate_json(spark, prog, model, years=years, partitions=4)
    t_spark = time.perf_counter() - start
    # Again, with the Python workers already started (Spark reuses them).
    start = time.perf_counter()
    again = specie.spark.simulate_json(spark, prog, model, years=years, partitions=4)
    t_spark_warm = time.perf_counter() - start
    assert again == on_spark
    spark.stop()

    assert cli == sim.to_json() + "\n" == on_spark + "\n", "the three results differ"
    print(f"{years:,} years, {sim.events:,} events, results byte-identical")
    for name, t in (("CLI", t_cli), ("Python", t_py), ("Spark local[2], 4 partitions", t_spark),
                    ("  again, workers started", t_spark_warm)):
        print(f"  {name:<30} {t:7.2f} s   {years / t / 1e6:5.2f} M years/s")


if __name__ == "__main__":
    main()
