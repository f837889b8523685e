//! The run's table of Antavo ids (`event_ids._IdTable`, the reference): for each id logged by a
//! piece, whether a different event already holds it, and where that event was.
//!
//! The same layout as the reference: three arrays of 8-byte slots, at most half of them used,
//! growing fourfold, so that a million-record replay (half a million ids) holds 24 MB.

/// Slots allocated with the first id.
const FIRST_SLOTS: usize = 1 << 16;

#[derive(Default)]
pub struct IdTable {
    keys: Vec<u64>,
    fingerprints: Vec<u64>,
    places: Vec<u64>,
    size: usize,
}

impl IdTable {
    /// The entries (five numbers each: key, fingerprint, record, line, message) in order: for
    /// each whose key a different event holds, `(its index, that event's place)`. `place` is
    /// `file_number << 40 | record`.
    pub fn conflicts(&mut self, entries: &[i64], file_number: u64) -> Vec<(usize, u64)> {
        let mut found = Vec::new();
        for (index, entry) in entries.chunks_exact(5).enumerate() {
            let place = (file_number << 40) | entry[2] as u64;
            if let Some(first) = self.first_other(entry[0] as u64, entry[1] as u64, place) {
                found.push((index, first));
            }
        }
        found
    }

    /// The place of the event first seen with `key`, if its fingerprint is not this one's;
    /// None when this is the first (it is then stored) or the same event again.
    fn first_other(&mut self, key: u64, fingerprint: u64, place: u64) -> Option<u64> {
        if self.size * 2 >= self.keys.len() {
            self.grow();
        }
        let key = key.max(1); // 0 marks an empty slot (keys are 62 bits: never negative)
        let mask = self.keys.len() - 1;
        let mut slot = key as usize & mask;
        while self.keys[slot] != 0 {
            if self.keys[slot] == key {
                let first = (self.fingerprints[slot], self.places[slot]);
                return (first.0 != fingerprint).then_some(first.1);
            }
            slot = (slot + 1) & mask;
        }
        self.keys[slot] = key;
        self.fingerprints[slot] = fingerprint;
        self.places[slot] = place;
        self.size += 1;
        None
    }

    fn grow(&mut self) {
        let slots = FIRST_SLOTS.max(4 * self.keys.len());
        let keys = std::mem::replace(&mut self.keys, vec![0; slots]);
        let fingerprints = std::mem::replace(&mut self.fingerprints, vec![0; slots]);
        let places = std::mem::replace(&mut self.places, vec![0; slots]);
        self.size = 0;
        for (slot, &key) in keys.iter().enumerate() {
            if key != 0 {
                self.first_other(key, fingerprints[slot], places[slot]);
            }
        }
    }
}
