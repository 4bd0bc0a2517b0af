//! The document parser `check` runs on every `.md` file: the loader's own
//! entry point (UTF-8 check, front matter split, YAML, typed document,
//! outline), the history fingerprint of the same bytes, and the body digest.
//! Invariants: no panic, and every finding names the file and a line of it.
//! `scripts/fuzz.sh` keeps debug assertions on, so the fingerprint also
//! checks that its quick reading of plain front matter agrees with the YAML
//! parser.
#![no_main]

use isms::load::document::Parsed;
use isms::load::frontmatter;
use libfuzzer_sys::fuzz_target;

const PATH: &str = "policies/fuzz.md";

fuzz_target!(|data: &[u8]| {
    let parsed = isms::load::parse_file(PATH, data);
    isms::load::fingerprint(data);
    let lines = data.iter().filter(|&&b| b == b'\n').count() as u32 + 1;
    match parsed {
        None => assert!(
            std::str::from_utf8(data).map_or(true, |t| frontmatter::split(t).is_none()),
            "a file with front matter was not taken as a document"
        ),
        Some(Parsed::NotADocument) => {}
        Some(Parsed::Document { document, findings }) => {
            for f in &findings {
                assert_eq!(f.path.as_deref(), Some(PATH), "{f:?}");
                let line = f.line.unwrap_or(0);
                assert!(
                    (1..=lines).contains(&line),
                    "finding at line {line} of a {lines}-line file: {f:?}"
                );
            }
            if let Some(doc) = document {
                assert_eq!(doc.path, PATH);
                let _ = frontmatter::body_digest(&doc.body);
            }
        }
    }
});
