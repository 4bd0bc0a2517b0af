//! The CSV reader of the load stage, for every tabular record kind, untyped
//! data and the people roster, on the text the loader gives it (the bytes
//! read as lossy UTF-8). Invariants: no panic, and every finding and row
//! names the file and a line of it.
#![no_main]

use isms::load::csv_data;
use libfuzzer_sys::fuzz_target;

const PATH: &str = "records/fuzz.csv";
const KINDS: &[&str] = &[
    "training",
    "incident-log",
    "supplier-register",
    "risk-register",
    "corrective-actions",
    "",
];

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let lines = text.split('\n').count() as u32;
    let mut findings = Vec::new();
    for kind in KINDS {
        let table = csv_data::read_table(PATH, &text, kind, &mut findings);
        assert_eq!(table.path, PATH);
        for row in &table.rows {
            assert!(
                (1..=lines).contains(&row.line),
                "row at line {} of a {lines}-line file",
                row.line
            );
        }
    }
    let roster = csv_data::read_roster(PATH, &text, &mut findings);
    for person in &roster.people {
        assert!((1..=lines).contains(&person.line), "{person:?}");
    }
    for f in &findings {
        assert_eq!(f.path.as_deref(), Some(PATH), "{f:?}");
        let line = f.line.unwrap_or(0);
        assert!(
            (1..=lines).contains(&line),
            "finding at line {line} of a {lines}-line file: {f:?}"
        );
    }
});
