//! `contract_kit._core`: one pass over a piece of NDJSON (read, check, convert, write) for the
//! records it can vouch for; every other record is left to the Python path, which stays the
//! reference (contract_kit/running/core.py merges the two; tests/running/test_core.py proves
//! they agree).

mod check;
mod event_ids;
mod ids;
mod instant;
mod mapping;
mod parse;
mod piece;

use std::collections::{HashMap, HashSet};

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// What Python gives for the mapping: `(user_id_attribute, all_events, events, all_attributes,
/// attributes, event_names as {action: JSON text}, integrations as JSON text)`.
type MappingArgs = (
    String,
    bool,
    Vec<String>,
    bool,
    Vec<String>,
    HashMap<String, String>,
    String,
);

/// A deferred line: `(start, end, line, record, output_bytes, messages, event_ids, vouched,
/// skipped)`.
type DeferredTuple = (usize, usize, i64, i64, usize, usize, usize, usize, usize);

/// The record schema, compiled once a process (`contract_kit.running.core.checker`).
#[pyclass(frozen, module = "contract_kit._core")]
struct Checker(check::RecordChecker);

/// The configuration of one convert run, as the mapping reads it.
#[pyclass(frozen, module = "contract_kit._core")]
struct Mapping(mapping::Mapping);

#[pymethods]
impl Mapping {
    #[new]
    fn new(settings: MappingArgs) -> Self {
        let (
            user_id_attribute,
            all_events,
            events,
            all_attributes,
            attributes,
            names,
            integrations,
        ) = settings;
        Self(mapping::Mapping {
            user_id_attribute,
            all_events,
            events: events.into_iter().collect::<HashSet<_>>(),
            all_attributes,
            attributes: attributes.into_iter().collect::<HashSet<_>>(),
            event_names: names
                .into_iter()
                .map(|(k, v)| (k, v.into_bytes()))
                .collect(),
            integrations: integrations.into_bytes(),
        })
    }
}

#[pymethods]
impl Checker {
    /// `record_schema`: the text of schemas/antavo/record.json.
    #[new]
    fn new(record_schema: &str) -> PyResult<Self> {
        check::RecordChecker::new(record_schema)
            .map(Self)
            .map_err(PyValueError::new_err)
    }

    /// One piece, checked, and converted when `mapping` is given: `(output, messages,
    /// event_ids, deferred, vouched, skipped)`, where `event_ids` holds the bytes of an
    /// `array("q")`, five numbers an id (key, fingerprint, record, line, message), and
    /// `deferred` the lines left to the Python path, in order. Runs without the GIL.
    #[pyo3(signature = (mapping, data, first_line, first_record))]
    fn run<'py>(
        &self,
        py: Python<'py>,
        mapping: Option<&Bound<'py, Mapping>>,
        data: &Bound<'py, PyBytes>,
        first_line: i64,
        first_record: i64,
    ) -> (
        Bound<'py, PyBytes>,
        usize,
        Bound<'py, PyBytes>,
        Vec<DeferredTuple>,
        usize,
        usize,
    ) {
        let bytes = data.as_bytes();
        let mapping = mapping.map(|m| &m.get().0);
        let outcome = py.detach(|| piece::run(&self.0, mapping, bytes, first_line, first_record));
        let ids: Vec<u8> = outcome
            .event_ids
            .iter()
            .flat_map(|n| n.to_ne_bytes())
            .collect();
        let deferred = outcome
            .deferred
            .iter()
            .map(|d| {
                let ids = d.event_ids / 5;
                (
                    d.start,
                    d.end,
                    d.line,
                    d.record,
                    d.output_bytes,
                    d.messages,
                    ids,
                    d.vouched,
                    d.skipped,
                )
            })
            .collect();
        (
            PyBytes::new(py, &outcome.output),
            outcome.messages,
            PyBytes::new(py, &ids),
            deferred,
            outcome.vouched,
            outcome.skipped,
        )
    }
}

/// The Antavo ids of one run (see `contract_kit.running.event_ids`).
#[pyclass(module = "contract_kit._core")]
#[derive(Default)]
struct IdTable(event_ids::IdTable);

#[pymethods]
impl IdTable {
    #[new]
    fn new() -> Self {
        Self::default()
    }

    /// For each entry (the bytes of an `array("q")`, five numbers an id) whose key a different
    /// event holds: `(its index, that event's place)`.
    fn conflicts(&mut self, entries: &Bound<'_, PyBytes>, file_number: u64) -> Vec<(usize, u64)> {
        let numbers: Vec<i64> = entries
            .as_bytes()
            .chunks_exact(8)
            .map(|b| i64::from_ne_bytes(b.try_into().expect("eight bytes")))
            .collect();
        self.0.conflicts(&numbers, file_number)
    }
}

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Checker>()?;
    m.add_class::<Mapping>()?;
    m.add_class::<IdTable>()?;
    Ok(())
}
