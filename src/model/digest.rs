//! SHA-256 checksums as lowercase hex: the form the manifest, the approval
//! digests and the history cache write them in. Here so that every stage
//! writes them the same way.

use sha2::{Digest, Sha256};

/// Lowercase hexadecimal of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(HEX[usize::from(b >> 4)] as char);
        s.push(HEX[usize::from(b & 15)] as char);
    }
    s
}

/// SHA-256 of raw bytes, as lowercase hex (manifest checksums).
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}
