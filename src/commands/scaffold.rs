//! `isms init DIR` and `isms new TYPE TITLE`: start an ISMS and add documents
//! with the front matter each type needs, as drafts.

use std::fmt::Write as _;
use std::path::Path;

use crate::model::catalogue::CONTROLS;
use crate::model::document::DocType;
use crate::model::ids::{fmt_date, Date};
use crate::model::record::expected_columns;

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

/// Record kinds `isms new KIND TITLE` scaffolds directly: a record of that
/// kind, with an empty CSV of the contract's columns for tabular kinds.
pub const RECORD_KINDS: [&str; 11] = [
    "access-review",
    "internal-audit",
    "management-review",
    "training",
    "incident-log",
    "supplier-register",
    "risk-register",
    "corrective-actions",
    "leavers",
    "acknowledgements",
    "supplier-inventory",
];

/// The header of a new CSV of `kind`, with the optional columns a user is
/// most likely to want (`expires_on`, `reason`).
fn csv_header(kind: &str) -> Option<String> {
    let mut cols: Vec<&str> = expected_columns(kind)?.to_vec();
    match kind {
        "training" => cols.push("expires_on"),
        "supplier-inventory" => cols.push("reason"),
        _ => {}
    }
    Some(cols.join(",") + "\n")
}

/// The files of a new record of `kind`: the document, and for tabular kinds
/// its CSV beside it (relative paths under the ISMS root).
pub fn record_files(kind: &str, title: &str, today: Date) -> Vec<(String, String)> {
    let stem = slug(title);
    let csv = csv_header(kind);
    let mut text = document_text(DocType::Record, title, today)
        .replace("record: access-review\n", &format!("record: {kind}\n"));
    if csv.is_some() {
        text = text.replace(
            &format!("record: {kind}\n"),
            &format!("record: {kind}\ndata: {stem}.csv\n"),
        );
    }
    let mut files = vec![(format!("records/{stem}.md"), text)];
    if let Some(header) = csv {
        files.push((format!("records/{stem}.csv"), header));
    }
    files
}

pub fn new(root: &Path, type_text: &str, title: &str, today: Date) -> i32 {
    let kind = RECORD_KINDS.iter().find(|k| **k == type_text.trim());
    let t = DocType::parse(type_text);
    if t.is_none() && kind.is_none() {
        let all: Vec<&str> = DocType::ALL.iter().map(|t| t.as_str()).collect();
        eprintln!(
            "error: unknown type `{type_text}`; use one of: {}, or a record kind: {}",
            all.join(", "),
            RECORD_KINDS.join(", ")
        );
        return 2;
    }
    if !root.join("isms.toml").is_file() {
        eprintln!(
            "error: no isms.toml in {}: run `isms init` first or pass --dir",
            root.display()
        );
        return 2;
    }
    let files = match (t, kind) {
        (Some(t), _) => vec![(
            format!("{}/{}.md", folder(t), slug(title)),
            document_text(t, title, today),
        )],
        (None, Some(kind)) => record_files(kind, title, today),
        (None, None) => return 2,
    };
    // Nothing is written when any file exists, so no half record is left.
    if let Some((rel, _)) = files.iter().find(|(rel, _)| root.join(rel).exists()) {
        eprintln!("error: {rel} already exists");
        return 2;
    }
    for (rel, text) in &files {
        let path = root.join(rel);
        let write = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|_| std::fs::write(&path, text));
        if let Err(e) = write {
            eprintln!("error: cannot write {rel}: {e}");
            return 2;
        }
    }
    let rels: Vec<&str> = files.iter().map(|(r, _)| r.as_str()).collect();
    if kind.is_some() && t.is_none() {
        println!(
            "created {}; fill in the record and its data",
            rels.join(" and ")
        );
    } else {
        println!(
            "created {} (draft); edit it, then `isms approve ID --by NAME`",
            rels.join(", ")
        );
    }
    0
}

/// The roster `isms init` writes: the required columns, then the optional
/// ones (emails and SSH keys `;`-separated, dates as YYYY-MM-DD).
pub const ROSTER_HEADER: &str =
    "person,role,in_scope,email,joined_on,left_on,organisation,ssh_key\n";

/// The CI systems `isms init --ci` writes a workflow for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Ci {
    /// GitHub Actions: `.github/workflows/isms.yml`.
    Github,
    /// GitLab CI: `.gitlab-ci.yml`.
    Gitlab,
}

impl Ci {
    /// Where the workflow goes, relative to the repository root, and its
    /// template (also shown in docs/ci.md).
    fn workflow(self) -> (&'static str, &'static str) {
        match self {
            Ci::Github => (
                ".github/workflows/isms.yml",
                include_str!("../../docs/ci/github-workflow.yml"),
            ),
            Ci::Gitlab => (
                ".gitlab-ci.yml",
                include_str!("../../docs/ci/gitlab-ci.yml"),
            ),
        }
    }
}

/// The workflow text for an ISMS at `dir` (relative to the repository
/// root, `/`-separated, empty at the root).
pub fn workflow_text(ci: Ci, dir: &str) -> String {
    let (shown, prefix) = if dir.is_empty() {
        (".".to_string(), String::new())
    } else {
        (dir.to_string(), format!("{dir}/"))
    };
    ci.workflow()
        .1
        .replace("{{dir}}", &shown)
        .replace("{{prefix}}", &prefix)
}

/// Writes the CI workflow for the ISMS at `dir` at the root of its
/// repository; an existing file is left as it is.
fn write_workflow(dir: &Path, ci: Ci) -> Result<String, String> {
    let repo = git2::Repository::discover(dir).map_err(|e| e.message().to_string())?;
    let workdir = repo
        .workdir()
        .ok_or("the repository is bare")?
        .canonicalize()
        .map_err(|e| e.to_string())?;
    let root = dir.canonicalize().map_err(|e| e.to_string())?;
    let relative = root
        .strip_prefix(&workdir)
        .map_err(|_| "the ISMS is outside the work tree".to_string())?
        .to_string_lossy()
        .replace('\\', "/");
    let (rel, _) = ci.workflow();
    let path = workdir.join(rel);
    if path.exists() {
        return Err(format!(
            "{} already exists; merge the steps from docs/ci.md by hand",
            path.display()
        ));
    }
    path.parent()
        .map_or(Ok(()), std::fs::create_dir_all)
        .and_then(|_| std::fs::write(&path, workflow_text(ci, &relative)))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(path.display().to_string())
}

pub fn init(dir: &Path, today: Date, ci: Option<Ci>) -> i32 {
    if dir.join("isms.toml").exists() {
        eprintln!("error: {} already holds an isms.toml", dir.display());
        return 2;
    }
    // Refused before anything is written.
    if let Some(ci) = ci {
        // DIR may not exist yet: its repository is that of the nearest
        // folder that does.
        let existing = dir
            .ancestors()
            .find(|a| a.is_dir())
            .or(Some(Path::new(".")))
            .and_then(|a| git2::Repository::discover(a).ok())
            .and_then(|r| r.workdir().map(|w| w.join(ci.workflow().0)))
            .filter(|p| p.exists());
        if let Some(path) = existing {
            eprintln!(
                "error: {} already exists; merge the steps from docs/ci.md by hand",
                path.display()
            );
            return 2;
        }
    }
    let config = "[organisation]\nname = \"Example Ltd\"\nisms_lead = \"\"\ntop_management = []\n\n[audit]\n# stage1 = 2027-01-12\n# stage2 = 2027-03-02\n\n[people]\nroster = \"people/roster.csv\"\n\n[document_control]\nreview_interval_months = 12\nrequire_distinct_approver = true\n\n[site]\ntitle = \"Information security policies\"\n";
    let files: Vec<(String, String)> = vec![
        ("isms.toml".into(), config.into()),
        ("people/roster.csv".into(), ROSTER_HEADER.into()),
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
    if let Some(ci) = ci {
        match write_workflow(dir, ci) {
            Ok(path) => println!("wrote the CI workflow {path}"),
            Err(e) => {
                eprintln!("error: CI workflow: {e}");
                return 2;
            }
        }
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

    #[test]
    fn every_record_kind_scaffolds_a_loadable_record_with_its_columns() {
        let today = crate::model::ids::parse_date("2026-05-01").expect("date");
        for kind in RECORD_KINDS {
            let files = record_files(kind, "Leavers 2026", today);
            let Parsed::Document { document, findings } = parse_document("x.md", &files[0].1)
            else {
                panic!("not a document")
            };
            assert!(findings.is_empty(), "{kind}: {findings:?}");
            let doc = document.expect("document");
            let record = doc.record.as_ref().expect("record");
            assert_eq!(record.kind, kind);
            match expected_columns(kind) {
                Some(cols) => {
                    assert_eq!(files[1].0, "records/leavers-2026.csv");
                    assert!(files[1].1.starts_with(&cols.join(",")), "{kind}");
                    assert_eq!(
                        record.data.as_ref().map(|d| d.value.as_str()),
                        Some("leavers-2026.csv")
                    );
                    let mut f = Vec::new();
                    crate::load::csv_data::read_table("r.csv", &files[1].1, kind, &mut f);
                    assert!(f.is_empty(), "{kind}: {f:?}");
                }
                None => assert_eq!(files.len(), 1, "{kind}"),
            }
        }
    }

    #[test]
    fn the_roster_has_the_new_columns_and_loads() {
        let mut f = Vec::new();
        let r = crate::load::csv_data::read_roster("people/roster.csv", ROSTER_HEADER, &mut f);
        assert!(f.is_empty() && r.people.is_empty());
        for col in ["email", "joined_on", "left_on", "organisation", "ssh_key"] {
            assert!(ROSTER_HEADER.contains(col));
        }
    }
}
