//! The stages' walls: each module of the crate may use only the modules
//! below it. A lower stage that reaches up (the model importing the loader,
//! a check importing the loader, the server importing a CLI command) fails
//! here, with the file and line of the import.
//!
//! The layers, lowest first:
//! - `model`, and the helpers `timing` and `memory`: nothing else in the
//!   crate;
//! - `diagnostics` (rules, findings, exit codes): the model;
//! - `load` (builds the model), `checks` (judge it), `report` (prints
//!   findings): the model and diagnostics;
//! - `pipeline` (load, then check): the above;
//! - `render` (the sites): the model, diagnostics and report, never load;
//! - `serve` (the preview): all of the above but the CLI's `commands`;
//! - `commands`: everything.

use std::collections::BTreeMap;
use std::path::Path;

fn allowed() -> BTreeMap<&'static str, &'static [&'static str]> {
    BTreeMap::from([
        ("model", &[][..]),
        ("timing", &[][..]),
        ("memory", &[][..]),
        ("diagnostics", &["model"][..]),
        ("load", &["model", "diagnostics", "timing"][..]),
        ("checks", &["model", "diagnostics", "timing"][..]),
        ("report", &["model", "diagnostics"][..]),
        (
            "pipeline",
            &["model", "diagnostics", "timing", "load", "checks", "report"][..],
        ),
        (
            "render",
            &["model", "diagnostics", "timing", "memory", "report"][..],
        ),
        (
            "serve",
            &[
                "model",
                "diagnostics",
                "timing",
                "memory",
                "load",
                "checks",
                "report",
                "pipeline",
                "render",
            ][..],
        ),
        (
            "commands",
            &[
                "model",
                "diagnostics",
                "timing",
                "memory",
                "load",
                "checks",
                "report",
                "pipeline",
                "render",
                "serve",
            ][..],
        ),
    ])
}

/// The top-level module a source file belongs to (`src/load/history/x.rs`
/// -> `load`, `src/pipeline.rs` -> `pipeline`).
fn module_of(rel: &Path) -> Option<String> {
    let first = rel.components().next()?.as_os_str().to_str()?;
    Some(first.trim_end_matches(".rs").to_string())
}

/// Every `crate::<module>` a line names, including the members of a
/// `use crate::{a, b::c}` group.
fn crate_modules(line: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = line;
    while let Some(i) = rest.find("crate::") {
        let after = &rest[i + "crate::".len()..];
        if let Some(group) = after.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for member in group[..end].split(',') {
                let name: String = member
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    found.push(name);
                }
            }
        } else {
            let name: String = after
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                found.push(name);
            }
        }
        rest = after;
    }
    found
}

#[test]
fn lower_stages_never_import_higher_ones() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let allowed = allowed();
    let mut broken = Vec::new();
    for entry in walkdir::WalkDir::new(&src).sort_by_file_name() {
        let entry = entry.expect("walk src");
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let rel = path.strip_prefix(&src).expect("inside src");
        let Some(module) = module_of(rel) else {
            continue;
        };
        // The crate root and the binary tie everything together.
        if module == "lib" || module == "main" {
            continue;
        }
        let Some(may_use) = allowed.get(module.as_str()) else {
            broken.push(format!(
                "src/{}: module `{module}` has no place in the layers of tests/layers.rs",
                rel.display()
            ));
            continue;
        };
        let text = std::fs::read_to_string(path).expect("read source");
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for used in crate_modules(code) {
                if used != module && !may_use.contains(&used.as_str()) {
                    broken.push(format!(
                        "src/{}:{}: `{module}` uses `crate::{used}`",
                        rel.display(),
                        n + 1
                    ));
                }
            }
        }
    }
    assert!(
        broken.is_empty(),
        "imports that break the stage walls:\n{}",
        broken.join("\n")
    );
}

#[test]
fn the_scanner_sees_plain_and_grouped_imports() {
    assert_eq!(crate_modules("use crate::load::config;"), vec!["load"]);
    assert_eq!(
        crate_modules("use crate::{model::Isms, load::x};"),
        vec!["model", "load"]
    );
    assert_eq!(
        crate_modules("let x = crate::render::memo::Memo::new();"),
        vec!["render"]
    );
    assert!(crate_modules("let crate_name = 1;").is_empty());
}
