//! The run's table of Antavo ids (`event_ids._IdTable`, the reference): for each id logged by a
//! piece, whether a different event already holds it, and where that event was.

use std::collections::HashMap;

#[derive(Default)]
pub struct IdTable {
    /// key -> (fingerprint, place) of the first event seen with it
    seen: HashMap<u64, (u64, u64)>,
}

impl IdTable {
    /// The entries (five numbers each: key, fingerprint, record, line, message) in order: for
    /// each whose key a different event holds, `(its index, that event's place)`. `place` is
    /// `file_number << 40 | record`.
    pub fn conflicts(&mut self, entries: &[i64], file_number: u64) -> Vec<(usize, u64)> {
        let mut found = Vec::new();
        for (index, entry) in entries.chunks_exact(5).enumerate() {
            let key = match entry[0] as u64 {
                0 => 1, // as the reference: 0 marks an empty slot there
                key => key,
            };
            let (fingerprint, place) = (entry[1] as u64, (file_number << 40) | entry[2] as u64);
            let first = self.seen.entry(key).or_insert((fingerprint, place));
            if first.0 != fingerprint {
                found.push((index, first.1));
            }
        }
        found
    }
}
