//! SHA-256 checksums as lowercase hex: the form the manifest, the approval
//! digests and the history cache write them in; and the 64-bit hasher of the
//! in-memory keys that decide whether `isms serve` reuses a page. Here so that
//! every stage writes and keys them the same way.

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

/// The hasher of in-memory keys (pages, findings, histories): foldhash's
/// quality variant with a fixed seed, so one input gives one key in every
/// run. Not a checksum: keys leave the process only in the page store,
/// which the same binary alone reads (`render::page_store`). A rebuild hashes the
/// inputs of every page, and this is several times faster than the
/// standard library's SipHash on them while mixing as well.
pub type KeyHasher = foldhash::quality::FoldHasher<'static>;

/// A fresh [`KeyHasher`].
pub fn key_hasher() -> KeyHasher {
    use std::hash::BuildHasher;
    foldhash::quality::FixedState::with_seed(0x6973_6d73_6b65_7973).build_hasher()
}

/// A hash map for the model's indexes (documents by id and by path, the
/// history by path): looked up for every document by every rule and page,
/// with keys from the ISMS's own files, so foldhash's speed is worth more
/// than SipHash's resistance to chosen keys.
pub type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// The set counterpart of [`FastMap`].
pub type FastSet<K> = std::collections::HashSet<K, foldhash::fast::RandomState>;
