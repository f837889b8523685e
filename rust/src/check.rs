//! The Antavo record schema, compiled from the schema file at run time and split by action as
//! `contract_kit/checking/compiled.py` splits it, with the same guards after the verdict.

use std::collections::HashMap;

use jsonschema::{PatternOptions, Validator};
use serde_json::{Map, Value};

pub struct RecordChecker {
    by_action: HashMap<String, Validator>,
    custom: Validator,
}

impl RecordChecker {
    /// `schema`: the text of `schemas/antavo/record.json`. Each documented action gets the
    /// record schema with only its own `allOf` rule; any other action the schema with none
    /// (`compiled._record_validators` splits it the same way).
    pub fn new(schema: &str) -> Result<Self, String> {
        let schema: Value = serde_json::from_str(schema).map_err(|e| e.to_string())?;
        let mut plain = schema
            .as_object()
            .ok_or("the record schema is not an object")?
            .clone();
        let rules = plain.remove("allOf");
        let base = plain
            .get("$id")
            .and_then(Value::as_str)
            .unwrap_or("")
            .trim_end_matches(".json")
            .to_owned();
        let rules: Vec<Value> = match rules {
            Some(Value::Array(rules)) => rules,
            _ => Vec::new(),
        };
        // A rule that does not select on the action alone is kept in every variant: the split
        // only leaves out rules that cannot apply to the record's action.
        let (by_name, common): (Vec<&Value>, Vec<&Value>) =
            rules.iter().partition(|rule| actions_of(rule).is_some());
        let with_rules = |id: String, own: &[&Value]| {
            let mut variant = plain.clone();
            variant.insert("$id".into(), id.into());
            let chosen: Vec<Value> = own
                .iter()
                .chain(common.iter())
                .map(|r| (*r).clone())
                .collect();
            if !chosen.is_empty() {
                variant.insert("allOf".into(), Value::Array(chosen));
            }
            compile(Value::Object(variant))
        };
        let mut rules_of: HashMap<&str, Vec<&Value>> = HashMap::new();
        for rule in by_name {
            for action in actions_of(rule).unwrap_or_default() {
                rules_of.entry(action).or_default().push(rule);
            }
        }
        let mut by_action = HashMap::new();
        for (action, own) in rules_of {
            let id = format!("{base}-by-action/{action}.json");
            by_action.insert(action.to_owned(), with_rules(id, &own)?);
        }
        let custom = with_rules(format!("{base}-custom.json"), &[])?;
        Ok(Self { by_action, custom })
    }

    /// `compiled.is_valid_record`: true when the record surely meets the schema.
    pub fn is_valid(&self, record: &Map<String, Value>, whole: &Value) -> bool {
        let action = record.get("action").and_then(Value::as_str);
        let chosen = action.and_then(|name| self.by_action.get(name));
        let validator = chosen.unwrap_or(&self.custom);
        if !validator.is_valid(whole) {
            return false;
        }
        if chosen.is_none() && action.is_some_and(has_disputed_space) {
            return false; // the engines disagree on these as white space: the reference decides
        }
        let birth_date = record.get("data").and_then(|data| data.get("birth_date"));
        if birth_date
            .and_then(Value::as_str)
            .is_some_and(|day| day.starts_with("0000"))
        {
            return false; // jsonschema accepts year 0, which no calendar has
        }
        match record.get("timestamp") {
            Some(Value::String(instant)) => plain_instant(instant.as_bytes()),
            _ => true,
        }
    }
}

/// The actions a rule `{"if": {"required": ["action"], "properties": {"action": {"enum" or
/// "const": ...}}}, "then": ...}` applies to (and nothing else: no `else`, no keyword beside
/// them); None for a rule of any other shape, which every variant keeps.
fn actions_of(rule: &Value) -> Option<Vec<&str>> {
    let rule = rule.as_object()?;
    if !rule.keys().all(|key| key == "if" || key == "then") {
        return None; // an `else` or a keyword beside them applies to other actions too
    }
    let condition = rule.get("if")?.as_object()?;
    let properties = condition.get("properties")?.as_object()?;
    let only_action = condition
        .keys()
        .all(|key| key == "properties" || key == "required");
    let action = properties.get("action")?.as_object()?;
    if !only_action || properties.len() != 1 || action.len() != 1 {
        return None;
    }
    let required = condition
        .get("required")
        .map_or(Some(&[][..]), |names| names.as_array().map(Vec::as_slice))?;
    if required.iter().any(|name| name != "action") {
        return None;
    }
    match (action.get("enum"), action.get("const")) {
        (Some(Value::Array(list)), None) => list.iter().map(Value::as_str).collect(),
        (None, Some(one)) => one.as_str().map(|name| vec![name]),
        _ => None,
    }
}

fn compile(schema: Value) -> Result<Validator, String> {
    jsonschema::options()
        .should_validate_formats(true)
        .with_pattern_options(PatternOptions::regex())
        .build(&schema)
        .map_err(|e| e.to_string())
}

/// `compiled.DISPUTED_SPACE`: characters only some engines read as white space.
fn has_disputed_space(text: &str) -> bool {
    text.chars()
        .any(|c| matches!(c, '\u{1c}'..='\u{1f}' | '\u{85}'))
}

/// `compiled.plain_instant`, on a date-time the schema has accepted (so its shape is fixed:
/// `YYYY-MM-DDThh:mm:ss[.f](Z|±hh:mm)`, ASCII): seconds below 60, the offset in range, a year
/// far from 0001 and 9999.
fn plain_instant(text: &[u8]) -> bool {
    if text.len() < 20 || matches!(&text[..4], b"0000" | b"0001" | b"9999") || text[17] > b'5' {
        return false;
    }
    let n = text.len();
    if matches!(text[n - 1], b'Z' | b'z') {
        return true;
    }
    &text[n - 5..n - 3] <= b"23".as_slice() && text[n - 2] <= b'5'
}
