//! The `isms.toml` parser, on the text the loader gives it (UTF-8 only; other
//! bytes are a finding before parsing). Invariants: no panic, and every
//! error with a line points inside the file.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let lines = text.split('\n').count() as u32;
    if let Err(errors) = isms::load::config::parse_config(text) {
        assert!(!errors.is_empty(), "an error without a message");
        for e in &errors {
            assert!(!e.message.is_empty());
            if let Some(line) = e.line {
                assert!(
                    (1..=lines).contains(&line),
                    "error at line {line} of a {lines}-line file: {}",
                    e.message
                );
            }
        }
    }
});
