//! `transform.to_segment` for a record that passed the schema, written straight to bytes: the
//! message in its fixed key order, with the record's own values copied as they were written
//! (the reader accepted the line only in orjson's exact form, so they are the bytes orjson
//! would write). A record whose message needs anything unusual is left to the Python path.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use crate::ids::Hashed;
use crate::instant;
use crate::parse::{Line, Member};

/// Segment's limit on one message (`validation.MAX_MESSAGE_BYTES`).
pub const MAX_MESSAGE_BYTES: usize = 32 * 1024;

/// The run's configuration as the mapping reads it (`transform.MappingSettings`).
pub struct Mapping {
    pub user_id_attribute: String,
    pub all_events: bool,
    pub events: HashSet<String>,
    pub all_attributes: bool,
    pub attributes: HashSet<String>,
    /// Renamed events: the action, and the event name as JSON text.
    pub event_names: HashMap<String, Vec<u8>>,
    /// The loop-prevention object, as JSON text.
    pub integrations: Vec<u8>,
}

pub enum Outcome {
    /// Written to the output; the hash behind its messageId, when the record has an `id`.
    Written(Option<Hashed>),
    /// Left out by the sync settings: counted, not an error.
    Skipped,
    /// The Python path must decide (a violation, or a form the core does not write).
    Deferred,
}

const PROFILE_ACTION: &str = "profile";

impl Mapping {
    /// Append the record's message (and no newline) to `out`, or say why not.
    pub fn convert(&self, line: &Line, out: &mut Vec<u8>) -> Outcome {
        let record = line.record();
        let Some(action) = record.get("action").and_then(Value::as_str) else {
            return Outcome::Deferred;
        };
        let Some(data) = line.raw("data") else {
            return Outcome::Deferred;
        };
        let is_profile = action == PROFILE_ACTION;
        // the synced members of a profile update's data, when not every attribute is synced
        let mut traits: Option<Vec<&Member>> = None;
        if is_profile {
            if line.data_members.is_empty() {
                return Outcome::Skipped;
            }
            if !self.all_attributes {
                let mut synced = Vec::with_capacity(line.data_members.len());
                for member in &line.data_members {
                    match self.is_synced_attribute(line, member) {
                        Some(true) => synced.push(member),
                        Some(false) => {}
                        None => return Outcome::Deferred,
                    }
                }
                if synced.is_empty() {
                    return Outcome::Skipped;
                }
                traits = Some(synced);
            }
        } else if !(self.all_events || self.events.contains(action)) {
            return Outcome::Skipped;
        }
        let Some(timestamp) = record.get("timestamp").and_then(instant::normalise) else {
            return Outcome::Deferred;
        };
        let hashed = match record.get("id") {
            Some(Value::String(id)) => {
                let Some(customer) = record.get("customer").and_then(Value::as_str) else {
                    return Outcome::Deferred;
                };
                Hashed::of(&[customer.as_bytes(), b"\n", id.as_bytes()])
            }
            Some(_) => return Outcome::Deferred,
            None => match serde_json::to_vec(&line.value) {
                Ok(canonical) => Hashed::of(&[&canonical]), // keys sorted, as orjson's sort_keys
                Err(_) => return Outcome::Deferred,
            },
        };
        let start = out.len();
        if is_profile {
            out.extend_from_slice(br#"{"type":"identify","userId":"#);
        } else {
            out.extend_from_slice(br#"{"type":"track","event":"#);
            match self.event_names.get(action) {
                Some(name) => out.extend_from_slice(name),
                None => out.extend_from_slice(line.raw("action").unwrap_or_default()),
            }
            out.extend_from_slice(br#","userId":"#);
        }
        if !self.write_user_id(line, out) {
            out.truncate(start);
            return Outcome::Deferred;
        }
        out.extend_from_slice(br#","timestamp":""#);
        out.extend_from_slice(timestamp.as_bytes());
        out.extend_from_slice(br#"","messageId":""#);
        out.extend_from_slice(&hashed.message_id());
        if is_profile {
            out.extend_from_slice(br#"","traits":"#);
            match &traits {
                None => out.extend_from_slice(data),
                Some(synced) => write_members(line, synced, out),
            }
        } else {
            out.extend_from_slice(br#"","properties":"#);
            match line.raw("account") {
                Some(account) if !line.data_has("account") => {
                    out.extend_from_slice(&data[..data.len() - 1]);
                    if !line.data_members.is_empty() {
                        out.push(b',');
                    }
                    out.extend_from_slice(br#""account":"#);
                    out.extend_from_slice(account);
                    out.push(b'}');
                }
                _ => out.extend_from_slice(data),
            }
        }
        out.extend_from_slice(br#","integrations":"#);
        out.extend_from_slice(&self.integrations);
        out.push(b'}');
        if out.len() - start > MAX_MESSAGE_BYTES {
            out.truncate(start);
            return Outcome::Deferred; // too large: the Python path words it
        }
        let with_id = matches!(record.get("id"), Some(Value::String(_)));
        Outcome::Written(with_id.then_some(hashed))
    }

    /// Whether a member of a profile update's `data` is a synced attribute; None for a key
    /// written with an escape (left to the Python path).
    fn is_synced_attribute(&self, line: &Line, member: &Member) -> Option<bool> {
        let key = std::str::from_utf8(line.key_of(member)).ok()?;
        if key.contains('\\') {
            return None;
        }
        Some(self.attributes.contains(key))
    }

    /// `transform.resolve_user_id`, written as a JSON string; false when the Python path must
    /// decide (no such attribute, a blank one, or a value that is not a string or an integer).
    fn write_user_id(&self, line: &Line, out: &mut Vec<u8>) -> bool {
        let record = line.record();
        let attribute = self.user_id_attribute.as_str();
        let value = if attribute == "customer" || attribute == "external_id" {
            match (record.get(attribute), line.raw(attribute)) {
                (Some(Value::String(text)), Some(raw)) if !is_blank(text) => {
                    out.extend_from_slice(raw);
                    return true;
                }
                (found, _) => found,
            }
        } else {
            let in_data = if record.get("action").and_then(Value::as_str) == Some(PROFILE_ACTION) {
                record.get("data").and_then(|data| data.get(attribute))
            } else {
                None
            };
            in_data.or_else(|| {
                record
                    .get("attributes")
                    .and_then(|known| known.get(attribute))
            })
        };
        match value {
            Some(Value::String(text)) if !is_blank(text) => {
                serde_json::to_writer(&mut *out, text).is_ok()
            }
            Some(Value::Number(number)) => {
                let text = if let Some(whole) = number.as_i64() {
                    whole.to_string()
                } else if let Some(whole) = number.as_u64() {
                    whole.to_string()
                } else {
                    match number.as_f64() {
                        // JSON Schema counts 12345.0 as an integer
                        Some(float)
                            if float.fract() == 0.0 && float.abs() < 9_007_199_254_740_992.0 =>
                        {
                            (float as i64).to_string()
                        }
                        _ => return false,
                    }
                };
                out.push(b'"');
                out.extend_from_slice(text.as_bytes());
                out.push(b'"');
                true
            }
            _ => false,
        }
    }
}

/// An object of these members, as written.
fn write_members(line: &Line, members: &[&Member], out: &mut Vec<u8>) {
    out.push(b'{');
    for (index, member) in members.iter().enumerate() {
        if index > 0 {
            out.push(b',');
        }
        out.extend_from_slice(line.member_text(member));
    }
    out.push(b'}');
}

/// Python's `not text.strip()`: empty, or white space only as `str.isspace` reads it.
pub fn is_blank(text: &str) -> bool {
    text.chars().all(is_python_space)
}

/// `str.isspace` for one character (Python 3.11's table).
pub fn is_python_space(c: char) -> bool {
    matches!(
        c,
        '\u{9}'..='\u{d}'
            | '\u{1c}'..='\u{20}'
            | '\u{85}'
            | '\u{a0}'
            | '\u{1680}'
            | '\u{2000}'..='\u{200a}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202f}'
            | '\u{205f}'
            | '\u{3000}'
    )
}
