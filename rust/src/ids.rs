//! messageIds (UUIDv5 under contract-kit's namespace), event keys and fingerprints, as
//! `contract_kit/mapping/transform.py` and `contract_kit/running/steps.py` make them.

use blake2::Blake2b;
use blake2::digest::Digest;
use blake2::digest::consts::U8;
use sha1::Sha1;

/// uuid5(NAMESPACE_URL, "https://schemas.contract-kit.dev/message-id"), as bytes.
const NAMESPACE: [u8; 16] = [
    0x33, 0x86, 0x45, 0xba, 0xba, 0x72, 0x5c, 0xf6, 0xb0, 0xd8, 0x93, 0x8f, 0xfd, 0xc9, 0x75, 0xe3,
];

/// Event keys and fingerprints are 62 bits: with the numbers beside them they fit a signed array.
const SIXTY_TWO_BITS: u64 = (1 << 62) - 1;

/// A name's SHA-1 under the namespace: its messageId, and the event key it carries.
pub struct Hashed([u8; 20]);

impl Hashed {
    pub fn of(parts: &[&[u8]]) -> Self {
        let mut hasher = Sha1::new();
        hasher.update(NAMESPACE);
        for part in parts {
            hasher.update(part);
        }
        Self(hasher.finalize().into())
    }

    /// The messageId: the hash's first 16 bytes with the version (5) and the RFC variant set.
    pub fn message_id(&self) -> [u8; 36] {
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&self.0[..16]);
        bytes[6] = (bytes[6] & 0x0f) | 0x50;
        bytes[8] = (bytes[8] & 0x3f) | 0x80;
        let mut text = [b'-'; 36];
        let mut at = 0;
        for (index, byte) in bytes.iter().enumerate() {
            if matches!(index, 4 | 6 | 8 | 10) {
                at += 1;
            }
            text[at] = HEX[usize::from(byte >> 4)];
            text[at + 1] = HEX[usize::from(byte & 0xf)];
            at += 2;
        }
        text
    }

    /// `transform.event_key`: 62 bits of the hash's bytes 8 to 16.
    pub fn key(&self) -> i64 {
        let mut eight = [0u8; 8];
        eight.copy_from_slice(&self.0[8..16]);
        (u64::from_be_bytes(eight) & SIXTY_TWO_BITS) as i64
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// `steps._note_event_id`'s fingerprint: 62 bits of BLAKE2b (8-byte digest) of the record's
/// canonical JSON without its timestamp.
pub fn fingerprint(canonical: &[u8]) -> i64 {
    let digest = Blake2b::<U8>::digest(canonical);
    let mut eight = [0u8; 8];
    eight.copy_from_slice(&digest);
    (u64::from_be_bytes(eight) & SIXTY_TWO_BITS) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_id_of_customer_and_id() {
        // transform.event_message_id("c", "i"), from Python
        let hashed = Hashed::of(&[b"c", b"\n", b"i"]);
        assert_eq!(
            &hashed.message_id(),
            b"e54c96ab-51bf-5d66-82a7-5525fef3a503".as_slice()
        );
    }
}
