//! Inflating pack entries (zlib streams) with miniz_oxide.
//!
//! The pack reader inflates objects itself (libgit2 offers no raw pack
//! access). Pack entries are small and their inflated size is known up
//! front, so this works on whole buffers: the input slice may run past the
//! end of the stream, and the output must be exactly the size the pack
//! header announced. The Adler-32 trailer is checked, so a damaged pack is
//! reported (and the caller falls back to libgit2) rather than producing
//! wrong bytes.

use std::cell::RefCell;

use miniz_oxide::inflate::core::inflate_flags::{
    TINFL_FLAG_COMPUTE_ADLER32, TINFL_FLAG_PARSE_ZLIB_HEADER,
    TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF,
};
use miniz_oxide::inflate::core::{decompress, DecompressorOxide};
use miniz_oxide::inflate::TINFLStatus;

/// Why a stream could not be inflated. The reader only needs to know that
/// it failed; the variants make test failures readable.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum InflateError {
    /// The input ended before the stream did.
    Truncated,
    /// The bytes are not a valid zlib stream, or the output size is wrong.
    Invalid,
}

type Result<T> = std::result::Result<T, InflateError>;

thread_local! {
    /// One decompressor per thread: its tables take longer to allocate
    /// than a small object takes to inflate.
    static DECOMPRESSOR: RefCell<Box<DecompressorOxide>> = RefCell::new(Box::default());
}

/// Inflates the zlib stream at the start of `input`, which must produce
/// exactly `size` bytes, into `out` (replacing its contents, so that a
/// buffer can be reused for data that is only needed briefly, such as
/// deltas). Returns the length of the stream.
pub(super) fn zlib_into(input: &[u8], size: usize, out: &mut Vec<u8>) -> Result<usize> {
    out.clear();
    out.resize(size, 0);
    let flags = TINFL_FLAG_PARSE_ZLIB_HEADER
        | TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF
        | TINFL_FLAG_COMPUTE_ADLER32;
    let (status, consumed, written) = DECOMPRESSOR.with(|cell| {
        let mut state = cell.borrow_mut();
        state.init();
        decompress(&mut state, input, out, 0, flags)
    });
    match status {
        TINFLStatus::Done if written == size => Ok(consumed),
        // The input is all there is: running out of it means the stream
        // was cut short (the caller may retry with more bytes).
        TINFLStatus::FailedCannotMakeProgress | TINFLStatus::NeedsMoreInput => {
            Err(InflateError::Truncated)
        }
        _ => Err(InflateError::Invalid),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zlib(input: &[u8], size: usize) -> Result<(Vec<u8>, usize)> {
        let mut out = Vec::new();
        let len = zlib_into(input, size, &mut out)?;
        Ok((out, len))
    }

    #[test]
    fn stored_block() {
        // zlib.compress(b"hello", 0)
        let stream = [
            0x78, 0x01, 0x01, 0x05, 0x00, 0xfa, 0xff, b'h', b'e', b'l', b'l', b'o', 0x06, 0x2c,
            0x02, 0x15,
        ];
        assert_eq!(zlib(&stream, 5), Ok((b"hello".to_vec(), stream.len())));
        assert_eq!(zlib(&stream, 4), Err(InflateError::Invalid));
        assert_eq!(
            zlib(&stream[..stream.len() - 2], 5),
            Err(InflateError::Truncated)
        );
    }

    fn from_hex(hex: &str) -> Vec<u8> {
        (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex"))
            .collect()
    }

    #[test]
    fn dynamic_block_with_overlapping_matches() {
        // zlib.compress(data, 9) of the text below: one dynamic block with
        // long matches, runs of one byte (distance 1) and of two bytes.
        let words: [&[u8]; 8] = [
            b"policy",
            b"control",
            b"access",
            b"review",
            b"risk",
            b"asset",
            b"approved",
            b"owner",
        ];
        let mut data = Vec::new();
        for i in 0..400 {
            data.extend_from_slice(words[(i * 7 + i / 3) % 8]);
            data.extend_from_slice(if i % 5 == 0 { b".\n" } else { b" " });
        }
        data.extend_from_slice(&[b'z'; 40]);
        data.extend_from_slice(&b"ab".repeat(30));
        let stream = from_hex(concat!(
            "78daed91d10ac2300c45dff315f982fc53ad79288ea5346343bfde29ed9ccc06117c4b0b4da1e570",
            "2f27cb90e2954096910b869c8bcc7cde5d5479c292f442f038b1f09c78c11023abb611659c8a0c04",
            "f989c33a3a508217158fd0f5f98d8a1fa0eb1f236acb6b44adb42db1d9bf55eff52730a2ee6b77a2",
            "56e856dceaefaa5c95ab7255aeca55b92a57e5aafeaceaf6e50aa7dff71d53e14ffa",
        ));
        assert_eq!((stream[2] >> 1) & 3, 2, "a dynamic block");
        assert_eq!(zlib(&stream, data.len()), Ok((data.clone(), stream.len())));
        // Every shorter input is reported as truncated, never misread.
        for cut in 2..stream.len() {
            assert!(zlib(&stream[..cut], data.len()).is_err(), "{cut}");
        }
        // A flipped bit is caught (by the codes or the checksum).
        for at in 2..stream.len() {
            let mut damaged = stream.clone();
            damaged[at] ^= 0x10;
            assert_ne!(
                zlib(&damaged, data.len()).map(|r| r.0),
                Ok(data.clone()),
                "{at}"
            );
        }
    }

    #[test]
    fn fixed_block_with_trailing_bytes() {
        // zlib.compress(b"hello hello hello hello") followed by other data.
        let mut stream = vec![
            0x78, 0x9c, 0xcb, 0x48, 0xcd, 0xc9, 0xc9, 0x57, 0xc8, 0x40, 0x27, 0x01, 0x68, 0x03,
            0x08, 0xb1,
        ];
        let len = stream.len();
        stream.extend_from_slice(b"next entry");
        let text = b"hello hello hello hello";
        assert_eq!(zlib(&stream, text.len()), Ok((text.to_vec(), len)));
        let mut damaged = stream.clone();
        damaged[len - 1] ^= 1;
        assert_eq!(zlib(&damaged, text.len()), Err(InflateError::Invalid));
    }
}
