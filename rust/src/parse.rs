//! A strict reader for one NDJSON line that accepts only text written exactly as orjson writes
//! it: compact, keys in their order, no duplicate key, strings escaped as orjson escapes them,
//! integers within 64 bits and floats in their shortest decimal form without an exponent.
//!
//! Such a line is what `orjson.dumps(orjson.loads(line))` gives back unchanged, so any part of
//! it can be copied into a message as it stands. Anything else (and anything that is not JSON)
//! is `None`: the record is left to the Python path, which words and locates what is wrong.

use serde_json::{Map, Number, Value};

/// Where one member of an object lies in the line: its key (the bytes between the quotes) and
/// its value; the member as written runs from `key.0 - 1` to `value.1`.
#[derive(Clone, Copy)]
pub struct Member {
    pub key: (usize, usize),
    pub value: (usize, usize),
}

/// A record read from its line, with the members of the record and of its `data` object.
pub struct Line<'a> {
    pub text: &'a [u8],
    /// The record: always an object.
    pub value: Value,
    pub members: Vec<Member>,
    pub data_members: Vec<Member>,
}

impl Line<'_> {
    /// The record's members.
    pub fn record(&self) -> &Map<String, Value> {
        self.value.as_object().expect("a record is an object")
    }

    /// The value of the record's member `key`, as written.
    pub fn raw(&self, key: &str) -> Option<&[u8]> {
        self.find(&self.members, key)
            .map(|m| &self.text[m.value.0..m.value.1])
    }

    /// The key of `member` as written (without quotes).
    pub fn key_of(&self, member: &Member) -> &[u8] {
        &self.text[member.key.0..member.key.1]
    }

    /// `"key":value` of `member`, as written.
    pub fn member_text(&self, member: &Member) -> &[u8] {
        &self.text[member.key.0 - 1..member.value.1]
    }

    pub fn data_has(&self, key: &str) -> bool {
        self.find(&self.data_members, key).is_some()
    }

    fn find<'m>(&self, members: &'m [Member], key: &str) -> Option<&'m Member> {
        // a key written with an escape is never one of the plain names looked up here
        members.iter().find(|m| self.key_of(m) == key.as_bytes())
    }
}

/// Objects and arrays nested deeper than this are left to the Python path.
const MAX_DEPTH: usize = 128;

/// The record on this line, or None when the line is not in orjson's exact form.
pub fn line(text: &[u8]) -> Option<Line<'_>> {
    // Outside strings only ASCII tokens are accepted, and each string is checked as UTF-8 as
    // it is read: so a line read is UTF-8 throughout.
    if text.first() != Some(&b'{') {
        return None;
    }
    let mut reader = Reader {
        text,
        at: 1,
        members: Vec::new(),
        data_members: Vec::new(),
    };
    let value = Value::Object(reader.object(0)?);
    if reader.at != text.len() {
        return None;
    }
    let Reader {
        members,
        data_members,
        ..
    } = reader;
    Some(Line {
        text,
        value,
        members,
        data_members,
    })
}

struct Reader<'a> {
    text: &'a [u8],
    at: usize,
    members: Vec<Member>,
    data_members: Vec<Member>,
}

/// Which spans an object records: the record's own members, its `data` object's, or none.
#[derive(Clone, Copy, PartialEq)]
enum Spans {
    Record,
    Data,
    None,
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.get(self.at).copied()
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        if self.peek() == Some(byte) {
            self.at += 1;
            Some(())
        } else {
            None
        }
    }

    /// The object whose `{` was just read.
    fn object(&mut self, depth: usize) -> Option<Map<String, Value>> {
        let spans = if depth == 0 {
            Spans::Record
        } else {
            Spans::None
        };
        self.object_with(depth, spans)
    }

    fn object_with(&mut self, depth: usize, spans: Spans) -> Option<Map<String, Value>> {
        if depth > MAX_DEPTH {
            return None;
        }
        let mut map = Map::new();
        if self.eat(b'}').is_some() {
            return Some(map);
        }
        loop {
            self.eat(b'"')?;
            let key_start = self.at;
            let key = self.string()?;
            let key_end = self.at - 1;
            self.eat(b':')?;
            let value_start = self.at;
            let value = if spans == Spans::Record && key == "data" && self.peek() == Some(b'{') {
                self.at += 1;
                Value::Object(self.object_with(depth + 1, Spans::Data)?)
            } else {
                self.value(depth + 1)?
            };
            let member = Member {
                key: (key_start, key_end),
                value: (value_start, self.at),
            };
            match spans {
                Spans::Record => self.members.push(member),
                Spans::Data => self.data_members.push(member),
                Spans::None => {}
            }
            if map.insert(key, value).is_some() {
                return None; // a duplicate key: the Python path names it
            }
            match self.peek()? {
                b',' => self.at += 1,
                b'}' => {
                    self.at += 1;
                    return Some(map);
                }
                _ => return None,
            }
        }
    }

    fn value(&mut self, depth: usize) -> Option<Value> {
        match self.peek()? {
            b'{' => {
                self.at += 1;
                Some(Value::Object(self.object(depth)?))
            }
            b'[' => {
                self.at += 1;
                self.array(depth)
            }
            b'"' => {
                self.at += 1;
                Some(Value::String(self.string()?))
            }
            b't' => self.literal(b"true", Value::Bool(true)),
            b'f' => self.literal(b"false", Value::Bool(false)),
            b'n' => self.literal(b"null", Value::Null),
            _ => self.number(),
        }
    }

    fn literal(&mut self, word: &[u8], value: Value) -> Option<Value> {
        if self.text[self.at..].starts_with(word) {
            self.at += word.len();
            Some(value)
        } else {
            None
        }
    }

    fn array(&mut self, depth: usize) -> Option<Value> {
        if depth > MAX_DEPTH {
            return None;
        }
        let mut items = Vec::new();
        if self.eat(b']').is_some() {
            return Some(Value::Array(items));
        }
        loop {
            items.push(self.value(depth + 1)?);
            match self.peek()? {
                b',' => self.at += 1,
                b']' => {
                    self.at += 1;
                    return Some(Value::Array(items));
                }
                _ => return None,
            }
        }
    }

    /// The string whose opening quote was just read, escaped only as orjson escapes: `\"`,
    /// `\\`, `\b \t \n \f \r`, and `\u00xx` (lowercase) for the other control characters.
    fn string(&mut self) -> Option<String> {
        let text = self.text;
        let start = self.at;
        let mut at = start;
        // eight bytes at a time while none of them is a quote, a backslash or a control character
        while let Some(eight) = text.get(at..at + 8) {
            let word = u64::from_le_bytes(eight.try_into().expect("eight bytes"));
            if needs_a_look(word) {
                break;
            }
            at += 8;
        }
        // the common case: no escape
        while let Some(&byte) = text.get(at) {
            match byte {
                b'"' => {
                    self.at = at + 1;
                    // the line is UTF-8 and the cut falls on ASCII quotes
                    return Some(String::from(std::str::from_utf8(&text[start..at]).ok()?));
                }
                b'\\' => break,
                0..=0x1f => return None,
                _ => at += 1,
            }
        }
        let mut owned: Vec<u8> = text[start..at].to_vec();
        while let Some(&byte) = text.get(at) {
            match byte {
                b'"' => {
                    self.at = at + 1;
                    return String::from_utf8(owned).ok();
                }
                b'\\' => {
                    let (decoded, used) = escape(&text[at + 1..])?;
                    owned.push(decoded);
                    at += 1 + used;
                }
                0..=0x1f => return None,
                _ => {
                    owned.push(byte);
                    at += 1;
                }
            }
        }
        None
    }

    /// An integer within 64 bits (not `-0`), or a float in its shortest decimal form (ryu's,
    /// which is orjson's between 1e-5 and 1e16); no exponent.
    fn number(&mut self) -> Option<Value> {
        let text = self.text;
        let start = self.at;
        let mut at = start;
        if text.get(at) == Some(&b'-') {
            at += 1;
        }
        match text.get(at)? {
            b'0' => at += 1,
            b'1'..=b'9' => {
                while text.get(at).is_some_and(u8::is_ascii_digit) {
                    at += 1;
                }
            }
            _ => return None,
        }
        let integral = text.get(at) != Some(&b'.');
        if !integral {
            at += 1;
            let digits = at;
            while text.get(at).is_some_and(u8::is_ascii_digit) {
                at += 1;
            }
            if at == digits {
                return None;
            }
        }
        if matches!(text.get(at), Some(b'e' | b'E')) {
            return None;
        }
        self.at = at;
        let written = std::str::from_utf8(&text[start..at]).ok()?;
        if integral {
            if written == "-0" {
                return None;
            }
            if let Ok(small) = written.parse::<i64>() {
                return Some(Value::Number(small.into()));
            }
            return written
                .parse::<u64>()
                .ok()
                .map(|big| Value::Number(big.into()));
        }
        let float: f64 = written.parse().ok()?;
        let mut buffer = ryu::Buffer::new();
        if !float.is_finite() || buffer.format_finite(float) != written {
            return None;
        }
        Number::from_f64(float).map(Value::Number)
    }
}

/// Whether any of eight bytes is `"`, `\\` or below 0x20 (the classic "has a zero byte" and
/// "has a byte below n" tests, exact as yes-or-no answers).
fn needs_a_look(word: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let zero_byte = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS;
    let below_space = word.wrapping_sub(ONES * 0x20) & !word & HIGHS;
    (zero_byte(word ^ (ONES * u64::from(b'"')))
        | zero_byte(word ^ (ONES * u64::from(b'\\')))
        | below_space)
        != 0
}

/// The character an escape stands for (after the backslash), and how many bytes it used; None
/// for an escape orjson does not write.
fn escape(after: &[u8]) -> Option<(u8, usize)> {
    let decoded = match after.first()? {
        b'"' => b'"',
        b'\\' => b'\\',
        b'b' => 0x08,
        b't' => b'\t',
        b'n' => b'\n',
        b'f' => 0x0c,
        b'r' => b'\r',
        b'u' => {
            let digits = after.get(1..5)?;
            if &digits[..2] != b"00" {
                return None;
            }
            let value = hex(digits[2])? * 16 + hex(digits[3])?;
            if value >= 0x20 || matches!(value, 0x08 | 0x09 | 0x0a | 0x0c | 0x0d) {
                return None;
            }
            return Some((value, 5));
        }
        _ => return None,
    };
    Some((decoded, 1))
}

fn hex(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reads(text: &str) -> bool {
        line(text.as_bytes()).is_some()
    }

    #[test]
    fn reads_orjson_form_only() {
        assert!(reads(
            r#"{"a":1,"b":[true,null,-2.5],"c":{"d":"e\n\u001f"}}"#
        ));
        assert!(!reads(r#"{"a": 1}"#), "a space");
        assert!(!reads(r#"{"a":1,"a":2}"#), "a duplicate key");
        assert!(!reads(r#"{"a":"\ud800"}"#), "a lone surrogate");
        assert!(
            !reads(r#"{"a":"\u00e9"}"#),
            "an escape orjson does not write"
        );
        assert!(!reads(r#"{"a":"\/"}"#), "an escaped slash");
        assert!(!reads(r#"{"a":-0}"#), "minus zero");
        assert!(!reads(r#"{"a":1e5}"#), "an exponent");
        assert!(!reads(r#"{"a":1.50}"#), "not the shortest form");
        assert!(
            !reads(r#"{"a":123456789012345678901234567890}"#),
            "beyond 64 bits"
        );
        assert!(!reads(r#"{"a":NaN}"#), "not JSON");
        assert!(!reads(r#"{"a":1}x"#), "text after the record");
        assert!(!reads(r#"[1]"#), "not an object");
    }

    #[test]
    fn reads_long_strings_and_refuses_bytes_that_are_not_utf8() {
        let long = format!(
            r#"{{"a":"{}","b":"{}é\n{}"}}"#,
            "x".repeat(40),
            "y".repeat(17),
            "z".repeat(9)
        );
        assert_eq!(
            line(long.as_bytes()).unwrap().record()["b"]
                .as_str()
                .unwrap()
                .len(),
            29
        );
        assert!(line(b"{\"a\":\"\xff\"}").is_none());
        assert!(
            line(b"{\"a\":\"abcdefgh\x01ijkl\"}").is_none(),
            "a control character"
        );
        assert!(
            line(b"{\"a\":\"abcdefghijkl\xc3\"}").is_none(),
            "a cut character"
        );
    }

    #[test]
    fn looks_at_exactly_the_bytes_that_need_it() {
        for byte in 0..=255u8 {
            let mut eight = [b'a'; 8];
            eight[5] = byte;
            let expected = byte == b'"' || byte == b'\\' || byte < 0x20;
            assert_eq!(
                needs_a_look(u64::from_le_bytes(eight)),
                expected,
                "byte {byte}"
            );
        }
    }

    #[test]
    fn records_members_of_the_record_and_its_data() {
        let text = br#"{"action":"x","data":{"k":1,"l":"m"},"n":2}"#;
        let read = line(text).unwrap();
        assert_eq!(read.raw("data").unwrap(), br#"{"k":1,"l":"m"}"#);
        assert_eq!(read.members.len(), 3);
        assert_eq!(read.data_members.len(), 2);
        assert_eq!(read.member_text(&read.data_members[1]), br#""l":"m""#);
        assert!(read.data_has("k") && !read.data_has("n"));
    }
}
