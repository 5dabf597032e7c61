//! `specie._specie`: the Rust side of the Python package. It hands JSON text and plain
//! integer columns to the `specie` package (`python/specie/__init__.py`), which builds
//! dicts, pandas DataFrames and Arrow tables from them. Long calls run without the GIL,
//! in slices short enough to notice Ctrl-C between them.

use pyo3::create_exception;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};
use specie::diagnostic::{render, to_json};

mod passes;

// The module path is the one Python imports (`specie._specie`), so that the exception
// pickles: Spark ships a task's exceptions to the driver.
create_exception!(
    specie._specie,
    SpecieError,
    PyValueError,
    "A program or model that does not parse or compile, or input that does not fit it."
);

/// Runs `f`, turning a panic into `SpecieError` instead of pyo3's `PanicException` (which
/// is not an `Exception` and escapes `except Exception`). Library code does not panic; this
/// keeps a bug from taking a notebook or a Spark executor down with it.
fn guarded<T>(f: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic".to_string());
            let err = SpecieError::new_err(format!(
                "specie::internal: an internal error stopped the call ({what}); please report it"
            ));
            Python::attach(|py| {
                let v = err.value(py);
                let _ = v.setattr("code", "specie::internal");
                let _ = v.setattr("line", 0);
                let _ = v.setattr("column", 0);
                let _ = v.setattr("diagnostics", PyList::empty(py));
            });
            Err(err)
        }
    }
}

/// Panics inside the boundary, for the test that the boundary turns panics into
/// `SpecieError` (python/tests/test_errors.py).
#[pyfunction]
fn _panic_for_tests() -> PyResult<()> {
    guarded(|| -> PyResult<()> { std::panic::panic_any("planted panic") })
}

/// Raises `SpecieError` for `diags` of `src` (named `name`): the rendered text as the
/// message, `code`, `line`, `column` of the first, and every one as a dict.
fn source_error(py: Python<'_>, diags: &[&dyn miette::Diagnostic], name: &str, src: &str) -> PyErr {
    files_error(py, &[(diags.to_vec(), name, src)])
}

/// Diagnostics, each group against its own file (`(diagnostics, name, text)`).
type FileDiagnostics<'a> = (Vec<&'a dyn miette::Diagnostic>, &'a str, &'a str);

/// Raises `SpecieError` for diagnostics in several files (a portfolio and its programs):
/// as [`source_error`], each diagnostic's dict naming its `file`.
fn files_error(py: Python<'_>, groups: &[FileDiagnostics<'_>]) -> PyErr {
    let text: String = groups
        .iter()
        .flat_map(|(diags, name, src)| diags.iter().map(|d| render(*d, name, src, false)))
        .collect();
    let err = SpecieError::new_err(text);
    let value = err.value(py);
    let json: Vec<serde_json::Value> = groups
        .iter()
        .flat_map(|(diags, name, src)| {
            diags
                .iter()
                .filter_map(|d| serde_json::to_value(to_json(*d, name, src)).ok())
        })
        .collect();
    let first = json
        .iter()
        .find(|d| d.get("severity").and_then(|s| s.as_str()) == Some("error"))
        .or(json.first())
        .cloned()
        .unwrap_or_default();
    let _ = value.setattr(
        "code",
        first.get("code").and_then(|v| v.as_str()).unwrap_or(""),
    );
    let _ = value.setattr(
        "line",
        first
            .get("line")
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(0),
    );
    let _ = value.setattr(
        "column",
        first
            .get("column")
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(0),
    );
    let text = serde_json::to_string(&json).unwrap_or_default();
    let parsed = py
        .import("json")
        .and_then(|j| j.call_method1("loads", (text,)));
    if let Ok(list) = parsed {
        let _ = value.setattr("diagnostics", list);
    }
    err
}

/// Raises `SpecieError` for a runtime error (a scenario that does not fit, an overflow).
fn runtime_error(e: &dyn miette::Diagnostic) -> PyErr {
    let code = e.code().map(|c| c.to_string()).unwrap_or_default();
    let help = e.help().map(|h| format!("\nhelp: {h}")).unwrap_or_default();
    let err = SpecieError::new_err(format!("{code}: {e}{help}"));
    Python::attach(|py| {
        let v = err.value(py);
        let _ = v.setattr("code", code);
        let _ = v.setattr("line", 0);
        let _ = v.setattr("column", 0);
        let _ = v.setattr("diagnostics", PyList::empty(py));
    });
    err
}

/// A compiled program.
#[pyclass(module = "specie._specie", frozen)]
struct Program {
    inner: specie::program::Program,
    source: String,
    name: String,
    warnings: String,
}

#[pymethods]
impl Program {
    #[new]
    #[pyo3(signature = (source, path=None))]
    fn new(py: Python<'_>, source: String, path: Option<String>) -> PyResult<Program> {
        guarded(|| {
            let name = path.unwrap_or_else(|| "<program>".to_string());
            match specie::compile_str(&source) {
                Ok(c) => {
                    let warnings: Vec<_> = c
                        .warnings
                        .iter()
                        .map(|w| to_json(w, &name, &source))
                        .collect();
                    Ok(Program {
                        inner: c.program,
                        warnings: serde_json::to_string(&warnings).unwrap_or_default(),
                        source,
                        name,
                    })
                }
                Err(e) => Err(source_error(py, &e.diagnostics(), &name, &source)),
            }
        })
    }

    /// The program's name.
    #[getter]
    fn program_name(&self) -> String {
        self.inner.name.clone()
    }

    /// The currency's code and minor-unit decimals.
    #[getter]
    fn currency(&self) -> (String, u32) {
        (
            self.inner.currency.code.clone(),
            self.inner.currency.minor_units,
        )
    }

    /// Warnings as JSON diagnostics.
    #[getter]
    fn warnings_json(&self) -> String {
        self.warnings.clone()
    }

    /// `specie replay --json` of a scenario's JSON text.
    fn replay_json(&self, py: Python<'_>, scenario: String) -> PyResult<String> {
        guarded(|| {
            let out = py.detach(|| {
                let mut out = Vec::new();
                specie::replay::replay_text_into(
                    &self.inner,
                    &scenario,
                    &mut out,
                    specie::replay::Format::PrettyJson,
                    specie::replay::Options::default(),
                )
                .map(|_| out)
            });
            let out = out.map_err(|e| runtime_error(&e))?;
            String::from_utf8(out).map_err(|e| PyValueError::new_err(e.to_string()))
        })
    }

    /// Replays a JSON Lines stream (events sorted by occurred, then id; an optional header
    /// line) and returns one CSV row per event (`specie replay --format csv`) and the JSON
    /// of `{"totals": …, "parametric": […]}`.
    fn replay_events_csv(&self, py: Python<'_>, jsonl: String) -> PyResult<(String, String)> {
        guarded(|| {
            let out = py.detach(|| {
                let mut out = Vec::new();
                specie::replay::replay_stream_as(
                    &self.inner,
                    jsonl.as_bytes(),
                    None,
                    Some((&mut out, specie::replay::Format::Csv)),
                    specie::replay::Options::default(),
                )
                .map(|summary| (out, summary))
            });
            let (out, summary) = out.map_err(|e| runtime_error(&e))?;
            let mut totals = serde_json::json!({ "totals": summary.totals });
            if !summary.parametric.is_empty() {
                totals["parametric"] = serde_json::json!(summary.parametric);
            }
            let csv = String::from_utf8(out).map_err(|e| PyValueError::new_err(e.to_string()))?;
            Ok((csv, totals.to_string()))
        })
    }

    /// `specie tower --json`.
    fn tower_json(&self, py: Python<'_>) -> PyResult<String> {
        guarded(|| {
            let tower = py
                .detach(|| specie::tower::analyse(&self.inner, &Default::default()))
                .map_err(|e| runtime_error(&e))?;
            Ok(specie::tower::json_document(
                &tower,
                &self.name,
                &self.source,
            ))
        })
    }

    /// `specie test --format json` of this program (its one entry).
    #[pyo3(signature = (seed=0, cases=specie::verify::DEFAULT_CASES))]
    fn test_json(&self, py: Python<'_>, seed: u64, cases: u32) -> PyResult<String> {
        guarded(|| {
            let checks = py.detach(|| {
                self.inner
                    .checks
                    .iter()
                    .map(|c| specie::verify::verify(&self.inner, c, seed, cases))
                    .collect::<Result<Vec<_>, _>>()
            });
            let checks = checks.map_err(|e| runtime_error(&e))?;
            let v = serde_json::json!({
                "file": self.name,
                "program": self.inner.name,
                "checks": checks,
            });
            Ok(serde_json::to_string_pretty(&v).unwrap_or_default())
        })
    }
}

/// A compiled portfolio (brief section 15): its programs read beside its file.
#[pyclass(module = "specie._specie", frozen)]
struct Portfolio {
    inner: specie::portfolio::Portfolio,
    source: String,
    name: String,
}

#[pymethods]
impl Portfolio {
    /// Compiles the portfolio `source` read from `path`; its programs' paths are relative
    /// to `path`'s directory.
    #[new]
    fn new(py: Python<'_>, source: String, path: String) -> PyResult<Portfolio> {
        use specie::portfolio::PortfolioSourceError;
        guarded(|| {
            let mut load = specie::portfolio::files_beside(std::path::Path::new(&path));
            match specie::portfolio::compile_portfolio_str(&source, &mut load) {
                Ok(c) => Ok(Portfolio {
                    inner: c.portfolio,
                    source,
                    name: path,
                }),
                Err(PortfolioSourceError::Parse(e)) => Err(source_error(py, &[&e], &path, &source)),
                Err(PortfolioSourceError::Compile(errs)) => {
                    let own: Vec<&dyn miette::Diagnostic> = errs
                        .errors
                        .iter()
                        .map(|e| e as &dyn miette::Diagnostic)
                        .chain(errs.warnings.iter().map(|w| w as &dyn miette::Diagnostic))
                        .collect();
                    let mut groups = vec![(own, path.as_str(), source.as_str())];
                    for f in &errs.programs {
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

    /// The portfolio's name.
    #[getter]
    fn portfolio_name(&self) -> String {
        self.inner.name.clone()
    }

    /// The book's currency: its code and minor units.
    #[getter]
    fn currency(&self) -> (String, u32) {
        let c = &self.inner.currency;
        (c.code.to_string(), c.minor_units)
    }

    /// The programs' keys, in the file's order.
    #[getter]
    fn keys(&self) -> Vec<String> {
        self.inner.programs.iter().map(|p| p.key.clone()).collect()
    }

    /// `specie replay PORTFOLIO SCENARIO --json` of a portfolio scenario's JSON text.
    fn replay_json(&self, py: Python<'_>, scenario: String) -> PyResult<String> {
        guarded(|| {
            let replayed = py.detach(|| {
                specie::portfolio::replay_book(
                    &self.inner,
                    &scenario,
                    specie::replay::Options::default(),
                )
            });
            let (result, _) = replayed.map_err(|e| runtime_error(&e))?;
            Ok(result.to_json())
        })
    }

    /// `specie tower PORTFOLIO --json`, flagging vendor maxima over `concentration` percent.
    #[pyo3(signature = (concentration=None))]
    fn tower_json(&self, py: Python<'_>, concentration: Option<String>) -> PyResult<String> {
        guarded(|| {
            let mut options = specie::portfolio::BookTowerOptions::default();
            if let Some(c) = concentration {
                let text = if c.trim_end().ends_with('%') {
                    c.clone()
                } else {
                    format!("{c}%")
                };
                options.concentration = specie::portfolio::percent(&text).ok_or_else(|| {
                    SpecieError::new_err(format!(
                        "concentration takes a percentage from 0 to 100, such as `40` or `40%`, not `{c}`"
                    ))
                })?;
            }
            let tower = py
                .detach(|| specie::portfolio::book_tower(&self.inner, &options))
                .map_err(|e| runtime_error(&e))?;
            Ok(specie::portfolio::tower::json_document(
                &tower,
                &self.name,
                &self.source,
            ))
        })
    }
}

fn compile_model(
    py: Python<'_>,
    program: &Program,
    source: &str,
    name: &str,
) -> PyResult<specie::model::Model> {
    match specie::compile::compile_model_str(source, &program.inner) {
        Ok(c) => Ok(c.model),
        Err(e) => Err(source_error(py, &e.diagnostics(), name, source)),
    }
}

/// Checks a model's syntax; raises `SpecieError` when it does not parse. Returns its
/// name, years and seed.
#[pyfunction]
#[pyo3(signature = (source, path=None))]
fn parse_model(
    py: Python<'_>,
    source: &str,
    path: Option<String>,
) -> PyResult<(String, Option<u64>, Option<u64>)> {
    guarded(|| {
        let name = path.unwrap_or_else(|| "<model>".to_string());
        let file = specie::parse::parse_model(source)
            .map_err(|e| source_error(py, &[&e as &dyn miette::Diagnostic], &name, source))?;
        let num = |n: &specie::ast::NumberLit| {
            n.value()
                .and_then(|d| u64::try_from(d.normalize().mantissa()).ok())
        };
        let mut years = None;
        let mut seed = None;
        for item in &file.model.items {
            match &item.kind {
                specie::ast::ModelItemKind::Years(y) => years = num(&y.node),
                specie::ast::ModelItemKind::Seed(s) => seed = num(&s.node),
                specie::ast::ModelItemKind::Peril(_)
                | specie::ast::ModelItemKind::IndexPeril(_) => {}
            }
        }
        Ok((file.model.name.node.clone(), years, seed))
    })
}

/// Years simulated per slice between two looks at Ctrl-C.
const SLICE: u64 = 32_768;

/// The exact accumulations of a block of years, to merge with others (in any order) and
/// summarise with `statistics`; `to_bytes`/`from_bytes` ship it between processes.
#[pyclass(module = "specie._specie", frozen)]
struct SimBlock {
    inner: specie::simulate::Block,
    /// The summaries in the statistics' order, when it is not the block's (a book's).
    keys: Option<Vec<specie::simulate::SummaryKey>>,
}

#[pymethods]
impl SimBlock {
    /// The block's bytes (a compact binary encoding).
    fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.to_bytes())
    }

    /// A block from `to_bytes`.
    #[staticmethod]
    fn from_bytes(data: &[u8]) -> PyResult<SimBlock> {
        guarded(|| {
            specie::simulate::Block::from_bytes(data)
                .map(|inner| SimBlock { inner, keys: None })
                .map_err(|e| runtime_error(&e))
        })
    }

    /// Years in the block.
    #[getter]
    fn years(&self) -> u64 {
        self.inner.years
    }
}

/// Simulates `years` years from `first_year`: the block of their accumulations. Runs in
/// slices without the GIL and stops with `KeyboardInterrupt` between slices.
#[pyfunction]
#[pyo3(signature = (program, model_source, model_path, seed, first_year, years, threads=None))]
#[allow(clippy::too_many_arguments)] // the Python call's keyword arguments
fn simulate_block(
    py: Python<'_>,
    program: &Program,
    model_source: &str,
    model_path: Option<String>,
    seed: u64,
    first_year: u64,
    years: u64,
    threads: Option<usize>,
) -> PyResult<SimBlock> {
    guarded(|| {
        let name = model_path.unwrap_or_else(|| "<model>".to_string());
        let model = compile_model(py, program, model_source, &name)?;
        py.detach(|| specie::simulate::check_memory(&program.inner, &model, seed, years))
            .map_err(|e| runtime_error(&e))?;
        let mut total = specie::simulate::Block::default();
        let mut done = 0u64;
        while done < years {
            let count = SLICE.min(years - done);
            let first = first_year.saturating_add(done);
            let block = py
                .detach(|| {
                    specie::simulate::simulate_years(
                        &program.inner,
                        &model,
                        seed,
                        first,
                        count,
                        threads,
                        &|_| {},
                    )
                })
                .map_err(|e| runtime_error(&e))?;
            total.merge(block);
            done += count;
            py.check_signals()?;
        }
        Ok(SimBlock {
            inner: total,
            keys: None,
        })
    })
}

/// The statistics (`specie simulate --json`) of merged blocks, the summary names, the
/// event count and the merged block (for `year_loss_buffers`).
#[pyfunction]
#[pyo3(signature = (program, model_source, model_path, seed, blocks, return_periods=None))]
fn statistics<'py>(
    py: Python<'py>,
    program: &Program,
    model_source: &str,
    model_path: Option<String>,
    seed: u64,
    blocks: Vec<Bound<'py, SimBlock>>,
    return_periods: Option<Vec<u64>>,
) -> PyResult<Bound<'py, PyDict>> {
    guarded(|| {
        let name = model_path.unwrap_or_else(|| "<model>".to_string());
        let model = compile_model(py, program, model_source, &name)?;
        let periods =
            return_periods.unwrap_or_else(|| specie::simulate::DEFAULT_RETURN_PERIODS.to_vec());
        // One block is summarised where it is; several are merged first.
        let merged = match blocks.as_slice() {
            [one] => one.clone(),
            _ => {
                let mut total = specie::simulate::Block::default();
                for b in &blocks {
                    total.merge(b.get().inner.clone());
                }
                Bound::new(
                    py,
                    SimBlock {
                        inner: total,
                        keys: None,
                    },
                )?
            }
        };
        let block = &merged.get().inner;
        let result = py.detach(|| {
            specie::simulate::statistics(&program.inner, &model.name, seed, block, &periods)
        });
        let d = PyDict::new(py);
        d.set_item("json", result.to_json())?;
        d.set_item(
            "summaries",
            PyList::new(py, result.summaries.iter().map(|s| s.summary.clone()))?,
        )?;
        d.set_item("events", block.events)?;
        d.set_item("block", merged)?;
        Ok(d)
    })
}

/// A block's year losses (`plt.csv` rows sorted by year then summary) as three buffers:
/// little-endian u32 years, u32 summary ids (from 1, in the order of the statistics'
/// summaries) and i128 losses in minor units (an Arrow `decimal128` buffer).
#[pyfunction]
fn year_loss_buffers<'py>(
    py: Python<'py>,
    block: &SimBlock,
) -> PyResult<(
    Bound<'py, PyBytes>,
    Bound<'py, PyBytes>,
    Bound<'py, PyBytes>,
)> {
    guarded(|| {
        let (years, ids, losses) = py.detach(|| {
            let mut rows: Vec<(u32, u32, i64)> = Vec::new();
            let accs: Vec<&specie::simulate::Acc> = match &block.keys {
                Some(keys) => keys
                    .iter()
                    .filter_map(|k| block.inner.summaries.get(k))
                    .collect(),
                None => block.inner.summaries.values().collect(),
            };
            for (i, acc) in accs.into_iter().enumerate() {
                let id = u32::try_from(i + 1).unwrap_or(u32::MAX);
                for (y, v) in acc.annual_years.iter().zip(&acc.annual) {
                    rows.push((*y, id, *v));
                }
            }
            rows.sort_unstable();
            let mut years = Vec::with_capacity(rows.len() * 4);
            let mut ids = Vec::with_capacity(rows.len() * 4);
            let mut losses = Vec::with_capacity(rows.len() * 16);
            for (y, i, v) in rows {
                years.extend_from_slice(&y.to_le_bytes());
                ids.extend_from_slice(&i.to_le_bytes());
                losses.extend_from_slice(&i128::from(v).to_le_bytes());
            }
            (years, ids, losses)
        });
        Ok((
            PyBytes::new(py, &years),
            PyBytes::new(py, &ids),
            PyBytes::new(py, &losses),
        ))
    })
}

#[pymodule]
fn _specie(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Program>()?;
    m.add_class::<Portfolio>()?;
    m.add_class::<SimBlock>()?;
    m.add_class::<passes::Job>()?;
    m.add_function(wrap_pyfunction!(parse_model, m)?)?;
    m.add_function(wrap_pyfunction!(simulate_block, m)?)?;
    m.add_function(wrap_pyfunction!(statistics, m)?)?;
    m.add_function(wrap_pyfunction!(year_loss_buffers, m)?)?;
    m.add_function(wrap_pyfunction!(_panic_for_tests, m)?)?;
    m.add("SpecieError", m.py().get_type::<SpecieError>())?;
    Ok(())
}
