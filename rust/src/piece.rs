//! One pass over a piece of NDJSON: every line read, checked and (converting) written, or left
//! to the Python path with enough to merge its verdict back in record order.

use crate::check::RecordChecker;
use crate::ids::{Hashed, fingerprint};
use crate::mapping::{Mapping, Outcome, is_python_space};
use crate::parse;

/// `results.NO_MESSAGE`: an event id whose record wrote no message.
const NO_MESSAGE: i64 = -1;

/// A line left to the Python path, and how far the core's own results had got before it:
/// the Python path takes the core's results up to here, then the line's own.
pub struct Deferred {
    pub start: usize,
    pub end: usize,
    pub line: i64,
    pub record: i64,
    pub output_bytes: usize,
    pub messages: usize,
    pub event_ids: usize,
    pub vouched: usize,
    pub skipped: usize,
}

#[derive(Default)]
pub struct PieceOutcome {
    /// Each message written, compact JSON and a newline, in record order.
    pub output: Vec<u8>,
    pub messages: usize,
    /// Five numbers a record with an Antavo id: key, fingerprint, record, line, message.
    pub event_ids: Vec<i64>,
    pub deferred: Vec<Deferred>,
    /// Records the core vouched for (converted or skipped).
    pub vouched: usize,
    pub skipped: usize,
}

/// Read every line of `data` (the lines from `first_line` on, the first record numbered
/// `first_record`); `mapping` None only checks (validate).
pub fn run(
    checker: &RecordChecker,
    mapping: Option<&Mapping>,
    data: &[u8],
    first_line: i64,
    first_record: i64,
) -> PieceOutcome {
    let mut outcome = PieceOutcome::default();
    let crlf = memchr::memchr(b'\r', data).is_some();
    let (mut line_number, mut record) = (first_line - 1, first_record);
    let mut start = 0;
    let ends = memchr::memchr_iter(b'\n', data).chain(std::iter::once(data.len()));
    for end in ends {
        let raw = &data[start..end];
        line_number += 1;
        if is_blank(raw) {
            start = end + 1;
            continue; // no record
        }
        let text = if crlf {
            raw.strip_suffix(b"\r").unwrap_or(raw)
        } else {
            raw
        };
        if !vouch(checker, mapping, text, record, line_number, &mut outcome) {
            outcome.deferred.push(Deferred {
                start,
                end,
                line: line_number,
                record,
                output_bytes: outcome.output.len(),
                messages: outcome.messages,
                event_ids: outcome.event_ids.len(),
                vouched: outcome.vouched,
                skipped: outcome.skipped,
            });
        }
        record += 1;
        start = end + 1;
    }
    outcome
}

/// Check (and convert) one record; false leaves it to the Python path, with nothing written.
fn vouch(
    checker: &RecordChecker,
    mapping: Option<&Mapping>,
    text: &[u8],
    record: i64,
    line_number: i64,
    outcome: &mut PieceOutcome,
) -> bool {
    let Some(mut line) = parse::line(text) else {
        return false;
    };
    if !checker.is_valid(line.record(), &line.value) {
        return false;
    }
    let (hashed, message) = match mapping {
        None => match (line.record().get("customer"), line.record().get("id")) {
            (Some(serde_json::Value::String(customer)), Some(serde_json::Value::String(id))) => (
                Some(Hashed::of(&[customer.as_bytes(), b"\n", id.as_bytes()])),
                NO_MESSAGE,
            ),
            _ => (None, NO_MESSAGE),
        },
        Some(mapping) => match mapping.convert(&line, &mut outcome.output) {
            Outcome::Deferred => return false,
            Outcome::Skipped => {
                outcome.vouched += 1;
                outcome.skipped += 1;
                return true;
            }
            Outcome::Written(hashed) => {
                outcome.output.push(b'\n');
                outcome.messages += 1;
                (hashed, outcome.messages as i64 - 1)
            }
        },
    };
    outcome.vouched += 1;
    if let Some(hashed) = hashed {
        if let Some(members) = line.value.as_object_mut() {
            members.remove("timestamp"); // a re-sent event may carry another
        }
        let canonical = serde_json::to_vec(&line.value).expect("a map of JSON values");
        outcome.event_ids.extend([
            hashed.key(),
            fingerprint(&canonical),
            record,
            line_number,
            message,
        ]);
    }
    true
}

/// `pieces.is_blank`: white space only, as Python's `bytes.strip` and then `str.strip` read it.
fn is_blank(raw: &[u8]) -> bool {
    if raw
        .iter()
        .all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c))
    {
        return true;
    }
    raw.first() != Some(&b'{')
        && std::str::from_utf8(raw).is_ok_and(|text| text.chars().all(is_python_space))
}
