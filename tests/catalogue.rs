//! The built-in catalogue equals the verified reference tables.

use std::path::Path;

use isms::model::catalogue::{ControlId, CONTROLS, MAPPING_2013};

fn reference(name: &str) -> Option<String> {
    // The reference folder sits beside the checkout; skip quietly if absent.
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/reference")
        .join(name);
    std::fs::read_to_string(path).ok()
}

#[test]
fn catalogue_equals_reference() {
    let Some(text) = reference("annex-a-2022.csv") else {
        return;
    };
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let rows: Vec<(String, String, String)> = rdr
        .records()
        .map(|r| {
            let r = r.expect("row");
            (r[0].to_string(), r[1].to_string(), r[2].to_string())
        })
        .collect();
    let ours: Vec<(String, String, String)> = CONTROLS
        .iter()
        .map(|c| {
            (
                c.id.to_string(),
                c.title.to_string(),
                c.theme.as_str().to_string(),
            )
        })
        .collect();
    assert_eq!(ours, rows);
}

#[test]
fn mapping_equals_reference() {
    let Some(text) = reference("annex-a-2013-to-2022.csv") else {
        return;
    };
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let rows: Vec<(String, String, String)> = rdr
        .records()
        .map(|r| {
            let r = r.expect("row");
            (r[0].to_string(), r[1].to_string(), r[2].to_string())
        })
        .collect();
    let ours: Vec<(String, String, String)> = MAPPING_2013
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect();
    assert_eq!(ours, rows);
    assert!(MAPPING_2013
        .iter()
        .all(|(_, _, id)| ControlId::parse(id).is_some()));
}
