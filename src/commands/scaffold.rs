//! `isms init DIR` and `isms new TYPE TITLE`: start an ISMS and add documents
//! with the front matter each type needs, as drafts.

use std::fmt::Write as _;
use std::path::Path;

use crate::model::catalogue::CONTROLS;
use crate::model::document::DocType;
use crate::model::ids::{fmt_date, Date};

/// Turns a title into an id prefix and a file name.
fn slug(title: &str) -> String {
    let mut out = String::new();
    for c in title.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}

fn id_prefix(t: DocType) -> &'static str {
    match t {
        DocType::Scope => "SCOPE",
        DocType::Policy => "POL",
        DocType::Procedure => "PRO",
        DocType::Standard => "STD",
        DocType::Plan => "PLN",
        DocType::Soa => "SOA",
        DocType::RiskAssessment => "RSK-METH",
        DocType::RiskTreatmentPlan => "RSK-RTP",
        DocType::Objectives => "OBJ",
        DocType::Record => "REC",
        DocType::Register => "REG",
        DocType::Guideline => "GDL",
        DocType::Briefing => "BRF",
    }
}

fn folder(t: DocType) -> &'static str {
    match t {
        DocType::Scope => "scope",
        DocType::Policy => "policies",
        DocType::Procedure => "procedures",
        DocType::Standard => "standards",
        DocType::Plan => "plans",
        DocType::Soa => "soa",
        DocType::RiskAssessment | DocType::RiskTreatmentPlan => "risk",
        DocType::Objectives => "objectives",
        DocType::Record => "records",
        DocType::Register => "registers",
        DocType::Guideline => "guidelines",
        DocType::Briefing => "briefings",
    }
}

/// The text of a new draft document of type `t`.
pub fn document_text(t: DocType, title: &str, today: Date) -> String {
    let words: String = slug(title)
        .split('-')
        .filter(|w| !w.is_empty())
        .take(3)
        .map(|w| w.to_ascii_uppercase())
        .collect::<Vec<_>>()
        .join("-");
    let id = format!(
        "{}-{}",
        id_prefix(t),
        if words.is_empty() {
            "NEW".into()
        } else {
            words
        }
    );
    let mut s = String::new();
    let _ = writeln!(
        s,
        "---\nid: {id}\ntitle: \"{}\"\ntype: {}",
        title.replace('"', "'"),
        t.as_str()
    );
    if t == DocType::Record {
        let _ = writeln!(s, "record: access-review\ndate: {}", fmt_date(today));
    } else {
        let _ = writeln!(s, "version: \"0.1\"\nstatus: draft");
    }
    let _ = writeln!(s, "owner: ISMS Lead\nclassification: internal");
    match t {
        DocType::Scope => s.push_str("clauses: [\"4.3\"]\n"),
        DocType::Objectives => {
            s.push_str("objectives:\n  - objective: \"\"\n    owner: \"\"\n    measure: \"\"\n")
        }
        DocType::Soa => {
            s.push_str("applicability:\n");
            for c in &CONTROLS {
                let _ = writeln!(s, "  - control: \"{}\"   # {}\n    applicable: true\n    status: planned\n    justification: \"\"", c.id, c.title);
            }
        }
        _ => {}
    }
    let _ = write!(s, "summary: \"\"\n---\n\n# {title}\n\n## Purpose\n\n## Scope\n\n## Roles and responsibilities\n");
    s
}

pub fn new(root: &Path, type_text: &str, title: &str, today: Date) -> i32 {
    let Some(t) = DocType::parse(type_text) else {
        let all: Vec<&str> = DocType::ALL.iter().map(|t| t.as_str()).collect();
        eprintln!(
            "error: unknown type `{type_text}`; use one of: {}",
            all.join(", ")
        );
        return 2;
    };
    if !root.join("isms.toml").is_file() {
        eprintln!(
            "error: no isms.toml in {}: run `isms init` first or pass --dir",
            root.display()
        );
        return 2;
    }
    let rel = format!("{}/{}.md", folder(t), slug(title));
    let path = root.join(&rel);
    if path.exists() {
        eprintln!("error: {rel} already exists");
        return 2;
    }
    let write = path
        .parent()
        .map_or(Ok(()), std::fs::create_dir_all)
        .and_then(|_| std::fs::write(&path, document_text(t, title, today)));
    match write {
        Ok(()) => {
            println!("created {rel} (draft); edit it, then `isms approve ID --by NAME`");
            0
        }
        Err(e) => {
            eprintln!("error: cannot write {rel}: {e}");
            2
        }
    }
}

pub fn init(dir: &Path, today: Date) -> i32 {
    if dir.join("isms.toml").exists() {
        eprintln!("error: {} already holds an isms.toml", dir.display());
        return 2;
    }
    let config = "[organisation]\nname = \"Example Ltd\"\nisms_lead = \"\"\ntop_management = []\n\n[audit]\n# stage1 = 2027-01-12\n# stage2 = 2027-03-02\n\n[people]\nroster = \"people/roster.csv\"\n\n[document_control]\nreview_interval_months = 12\nrequire_distinct_approver = true\n\n[site]\ntitle = \"Information security policies\"\n";
    let files: Vec<(String, String)> = vec![
        ("isms.toml".into(), config.into()),
        ("people/roster.csv".into(), "person,role,in_scope\n".into()),
        ("README.md".into(), "# ISMS\n\nThe information security management system, kept as Markdown.\nRun `isms check` to see what is missing.\n".into()),
        ("scope/isms-scope.md".into(), document_text(DocType::Scope, "ISMS scope", today)),
        ("policies/information-security-policy.md".into(), document_text(DocType::Policy, "Information security policy", today).replace("owner: ISMS Lead\n", "owner: ISMS Lead\nclauses: [\"5.2\"]\n")),
        ("soa/statement-of-applicability.md".into(), document_text(DocType::Soa, "Statement of Applicability", today)),
    ];
    for (rel, text) in &files {
        let path = dir.join(rel);
        let res = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|_| std::fs::write(&path, text));
        if let Err(e) = res {
            eprintln!("error: cannot write {}: {e}", path.display());
            return 2;
        }
    }
    if git2::Repository::discover(dir).is_err() {
        if let Err(e) = git2::Repository::init(dir) {
            eprintln!(
                "error: cannot create a git repository in {}: {e}",
                dir.display()
            );
            return 2;
        }
        println!("initialised a git repository in {}", dir.display());
    }
    println!(
        "created an ISMS skeleton in {}; run `isms check {}` for the list of what to write next",
        dir.display(),
        dir.display()
    );
    0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::document::{parse_document, Parsed};

    #[test]
    fn every_type_scaffolds_a_loadable_draft() {
        let today = crate::model::ids::parse_date("2026-05-01").expect("date");
        for t in DocType::ALL {
            let text = document_text(t, "Access control: remote staff", today);
            let Parsed::Document { document, findings } = parse_document("x.md", &text) else {
                panic!("not a document")
            };
            assert!(
                findings
                    .iter()
                    .all(|f| f.severity != crate::diagnostics::finding::Severity::Error),
                "{t:?}: {findings:?}"
            );
            assert!(document.is_some(), "{t:?}");
        }
    }
}
