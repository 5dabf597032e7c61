//! `Job`: a program with its model, or a portfolio with its portfolio model, simulated in
//! the two passes of spec section 16, here (in slices, Ctrl-C noticed between them) or as
//! two Spark jobs (pass 1's sketches and pass 2's keeps travel as bytes; the driver holds
//! histograms and the planned buckets, never every year).

use super::{
    compile_model, files_error, guarded, runtime_error, source_error, Portfolio, Program, SLICE,
};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};
use specie::portfolio::{BookModel, BookModelSourceError, BookOptions};
use specie::simulate::{BucketPlan, KeptValues, SimulateError, Sketch, Tally};

enum What {
    Program {
        program: Box<specie::program::Program>,
        model: Box<specie::model::Model>,
    },
    Book {
        portfolio: specie::portfolio::Portfolio,
        model: BookModel,
    },
}

/// A simulation's inputs, compiled once.
#[pyclass(module = "specie._specie", frozen)]
pub(crate) struct Job {
    what: What,
}

fn decode<T>(r: Result<T, specie::simulate::BlockDecodeError>) -> PyResult<T> {
    r.map_err(|e| runtime_error(&e))
}

fn sim<T>(r: Result<T, SimulateError>) -> PyResult<T> {
    r.map_err(|e| runtime_error(&e))
}

impl Job {
    fn sketch_years(
        &self,
        seed: u64,
        first: u64,
        count: u64,
        threads: Option<usize>,
    ) -> Result<Sketch, SimulateError> {
        match &self.what {
            What::Program { program, model } => {
                specie::simulate::sketch_years(program, model, seed, first, count, threads)
            }
            What::Book { portfolio, model } => {
                specie::portfolio::book_sketch_years(portfolio, model, seed, first, count, threads)
            }
        }
    }

    fn plan_of(&self, sketch: &Sketch, periods: &[u64]) -> BucketPlan {
        match &self.what {
            What::Program { program, .. } => {
                specie::simulate::plan_pass_two(program, sketch, periods, false)
            }
            What::Book { .. } => specie::portfolio::book_plan_pass_two(sketch, periods),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn keep_years(
        &self,
        plan: &BucketPlan,
        seed: u64,
        first: u64,
        count: u64,
        threads: Option<usize>,
    ) -> Result<KeptValues, SimulateError> {
        match &self.what {
            What::Program { program, model } => {
                specie::simulate::keep_years(program, model, seed, plan, first, count, threads)
            }
            What::Book { portfolio, model } => specie::portfolio::book_keep_years(
                portfolio, model, seed, plan, first, count, threads,
            ),
        }
    }

    /// The result dict of a run from its merged sketch, plan and keeps in year order.
    fn gathered<'py>(
        &self,
        py: Python<'py>,
        sketch: Sketch,
        plan: &BucketPlan,
        kept: Vec<KeptValues>,
        seed: u64,
        periods: &[u64],
    ) -> PyResult<Bound<'py, PyDict>> {
        let events = sketch.block().events;
        let tally = specie::simulate::gather(sketch, plan, kept);
        let (json, names) = py.detach(|| self.results(&tally, seed, periods));
        result_dict(py, json, names, events)
    }

    /// The statistics JSON and summary names of a gathered run.
    fn results(&self, tally: &Tally, seed: u64, periods: &[u64]) -> (String, Vec<String>) {
        match &self.what {
            What::Program { program, model } => {
                let r = tally.statistics(program, &model.name, seed, periods);
                let names = r.summaries.iter().map(|s| s.summary.clone()).collect();
                (r.to_json(), names)
            }
            What::Book { portfolio, model } => {
                let r = specie::portfolio::book_statistics(portfolio, model, seed, tally, periods);
                let names = r.summaries.iter().map(|s| s.summary.clone()).collect();
                (r.to_json(), names)
            }
        }
    }
}

/// The slices of `years` years from year 1, each at most [`SLICE`] years.
fn slices(years: u64) -> Vec<(u64, u64)> {
    let mut out = Vec::new();
    let mut first = 1u64;
    while first <= years {
        let count = SLICE.min(years - first + 1);
        out.push((first, count));
        first += count;
    }
    out
}

fn result_dict<'py>(
    py: Python<'py>,
    json: String,
    names: Vec<String>,
    events: u64,
) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("json", json)?;
    d.set_item("summaries", PyList::new(py, names)?)?;
    d.set_item("events", events)?;
    d.set_item("block", py.None())?;
    Ok(d)
}

#[pymethods]
impl Job {
    /// A program and its model (`model_source`, read from `model_path`).
    #[staticmethod]
    #[pyo3(signature = (program, model_source, model_path=None))]
    fn program(
        py: Python<'_>,
        program: &Program,
        model_source: &str,
        model_path: Option<String>,
    ) -> PyResult<Job> {
        guarded(|| {
            let name = model_path.unwrap_or_else(|| "<model>".to_string());
            let model = compile_model(py, program, model_source, &name)?;
            Ok(Job {
                what: What::Program {
                    program: Box::new(program.inner.clone()),
                    model: Box::new(model),
                },
            })
        })
    }

    /// A portfolio and its portfolio model (`model_source`, read from `model_path`: the
    /// programs' model files are read beside it).
    #[staticmethod]
    fn book(
        py: Python<'_>,
        portfolio: &Portfolio,
        model_source: &str,
        model_path: String,
    ) -> PyResult<Job> {
        guarded(|| {
            let mut load = specie::portfolio::files_beside(std::path::Path::new(&model_path));
            match specie::portfolio::compile_book_model_str(
                model_source,
                &portfolio.inner,
                &mut load,
            ) {
                Ok(c) => Ok(Job {
                    what: What::Book {
                        portfolio: portfolio.inner.clone(),
                        model: c.model,
                    },
                }),
                Err(BookModelSourceError::Parse(e)) => {
                    Err(source_error(py, &[&e], &model_path, model_source))
                }
                Err(BookModelSourceError::Compile(errs)) => {
                    let mut groups = vec![(errs.diagnostics(), model_path.as_str(), model_source)];
                    for f in &errs.models {
                        groups.push((
                            f.error.diagnostics(),
                            f.file.name.as_str(),
                            f.file.text.as_str(),
                        ));
                    }
                    Err(files_error(py, &groups))
                }
            }
        })
    }

    /// The model's name.
    #[getter]
    fn model_name(&self) -> String {
        match &self.what {
            What::Program { model, .. } => model.name.clone(),
            What::Book { model, .. } => model.name.clone(),
        }
    }

    /// The model's own `years` and `seed`, where it gives them.
    #[getter]
    fn model_defaults(&self) -> (Option<u64>, Option<u64>) {
        match &self.what {
            What::Program { model, .. } => (model.years, model.seed),
            What::Book { model, .. } => (model.years, model.seed),
        }
    }

    /// Whether `years` years are better made in two passes (as the command line decides).
    fn needs_two_passes(&self, py: Python<'_>, years: u64, seed: u64) -> PyResult<bool> {
        guarded(|| {
            sim(py.detach(|| match &self.what {
                What::Program { program, model } => {
                    specie::simulate::needs_two_passes(program, model, seed, years)
                }
                What::Book { portfolio, model } => {
                    specie::portfolio::book_needs_two_passes(portfolio, model, seed, years)
                }
            }))
        })
    }

    /// Pass 1 of `count` years from `first`: their sketch, as bytes.
    #[pyo3(signature = (seed, first, count, threads=None))]
    fn sketch<'py>(
        &self,
        py: Python<'py>,
        seed: u64,
        first: u64,
        count: u64,
        threads: Option<usize>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        guarded(|| {
            let s = sim(py.detach(|| self.sketch_years(seed, first, count, threads)))?;
            Ok(PyBytes::new(py, &s.to_bytes()))
        })
    }

    /// Merges sketches (bytes, any order) and plans pass 2: (merged sketch, plan), as
    /// bytes.
    fn plan<'py>(
        &self,
        py: Python<'py>,
        sketches: Vec<Vec<u8>>,
        return_periods: Vec<u64>,
    ) -> PyResult<(Bound<'py, PyBytes>, Bound<'py, PyBytes>)> {
        guarded(|| {
            let mut merged = Sketch::default();
            for s in &sketches {
                merged = merged.merge(decode(Sketch::from_bytes(s))?);
            }
            let plan = self.plan_of(&merged, &return_periods);
            Ok((
                PyBytes::new(py, &merged.to_bytes()),
                PyBytes::new(py, &plan.to_bytes()),
            ))
        })
    }

    /// Pass 2 of `count` years from `first`: what `plan` keeps of them, as bytes.
    #[pyo3(signature = (plan, seed, first, count, threads=None))]
    fn keep<'py>(
        &self,
        py: Python<'py>,
        plan: &[u8],
        seed: u64,
        first: u64,
        count: u64,
        threads: Option<usize>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        guarded(|| {
            let plan = decode(BucketPlan::from_bytes(plan))?;
            let k = sim(py.detach(|| self.keep_years(&plan, seed, first, count, threads)))?;
            Ok(PyBytes::new(py, &k.to_bytes()))
        })
    }

    /// The statistics of a run from its merged sketch, its plan and pass 2's keeps in year
    /// order: a dict with `json`, `summaries` and `events`.
    fn finish<'py>(
        &self,
        py: Python<'py>,
        sketch: &[u8],
        plan: &[u8],
        kept: Vec<Vec<u8>>,
        seed: u64,
        return_periods: Vec<u64>,
    ) -> PyResult<Bound<'py, PyDict>> {
        guarded(|| {
            let sketch = decode(Sketch::from_bytes(sketch))?;
            let plan = decode(BucketPlan::from_bytes(plan))?;
            let kept = kept
                .iter()
                .map(|k| decode(KeptValues::from_bytes(k)))
                .collect::<PyResult<Vec<_>>>()?;
            self.gathered(py, sketch, &plan, kept, seed, &return_periods)
        })
    }

    /// Both passes here, in slices of years with a look at Ctrl-C between them: the dict
    /// of [`Job::finish`].
    #[pyo3(signature = (years, seed, threads=None, return_periods=None))]
    fn simulate_two_pass<'py>(
        &self,
        py: Python<'py>,
        years: u64,
        seed: u64,
        threads: Option<usize>,
        return_periods: Option<Vec<u64>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        guarded(|| {
            let periods =
                return_periods.unwrap_or_else(|| specie::simulate::DEFAULT_RETURN_PERIODS.to_vec());
            let parts = slices(years);
            let mut sketch = Sketch::default();
            for (first, count) in &parts {
                let s = sim(py.detach(|| self.sketch_years(seed, *first, *count, threads)))?;
                sketch = sketch.merge(s);
                py.check_signals()?;
            }
            let plan = self.plan_of(&sketch, &periods);
            let mut kept = Vec::with_capacity(parts.len());
            for (first, count) in &parts {
                kept.push(sim(py.detach(|| {
                    self.keep_years(&plan, seed, *first, *count, threads)
                }))?);
                py.check_signals()?;
            }
            self.gathered(py, sketch, &plan, kept, seed, &periods)
        })
    }

    /// One pass of a book here (every non-zero year kept): the dict of [`Job::finish`]
    /// with the whole `block` for the year loss table, and its summaries' keys in order.
    #[pyo3(signature = (years, seed, threads=None, return_periods=None))]
    fn simulate_book_one_pass<'py>(
        &self,
        py: Python<'py>,
        years: u64,
        seed: u64,
        threads: Option<usize>,
        return_periods: Option<Vec<u64>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        guarded(|| {
            let What::Book { portfolio, model } = &self.what else {
                return Err(super::SpecieError::new_err("not a book"));
            };
            let periods =
                return_periods.unwrap_or_else(|| specie::simulate::DEFAULT_RETURN_PERIODS.to_vec());
            let options = BookOptions {
                threads,
                return_periods: &periods,
                passes: Some(1),
                chart: false,
            };
            let mut whole = None;
            let mut take = |keys: &[specie::simulate::SummaryKey], b: &specie::simulate::Block| {
                whole = Some((keys.to_vec(), b.clone()));
            };
            let (r, _) = sim(py.detach(|| {
                specie::portfolio::simulate_book(
                    portfolio,
                    model,
                    years,
                    seed,
                    &options,
                    &|_| {},
                    Some(&mut take),
                )
            }))?;
            let names = r.summaries.iter().map(|s| s.summary.clone()).collect();
            let d = result_dict(py, r.to_json(), names, r.events)?;
            if let Some((keys, block)) = whole {
                d.set_item(
                    "block",
                    Bound::new(
                        py,
                        super::SimBlock {
                            inner: block,
                            keys: Some(keys),
                        },
                    )?,
                )?;
            }
            Ok(d)
        })
    }
}
