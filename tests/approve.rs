//! `isms approve` on real files: it edits the one document `check` sees,
//! refuses anything ambiguous with exit 2 and leaves the files as they were,
//! and changes no byte but the approval values.

mod common;

use std::fs;
use std::path::Path;

use common::{check_json, commit_all, example_repo, findings, isms};

const AUP: &str = "policies/acceptable-use.md";

fn approve(root: &Path, id: &str, by: &str) -> (i32, String, String) {
    isms(&[
        "approve",
        id,
        &format!("--by={by}"),
        "--on",
        "2027-02-01",
        "--dir",
        root.to_str().expect("utf-8 path"),
    ])
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).expect("read")
}

fn write(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    fs::write(path, text).expect("write");
}

/// Appends `[source] exclude` globs to the example's isms.toml.
fn exclude(root: &Path, globs: &str) {
    let mut config = read(&root.join("isms.toml"));
    config.push_str(&format!("\n[source]\nexclude = [{globs}]\n"));
    write(&root.join("isms.toml"), &config);
}

/// The approval values the checker reads from `text`.
fn approval_of(text: &str) -> (String, String, String) {
    let isms::load::document::Parsed::Document {
        document: Some(doc),
        findings,
    } = isms::load::document::parse_document("doc.md", text)
    else {
        panic!("not a document: {text}");
    };
    assert!(
        findings.is_empty(),
        "{:?}",
        findings.iter().map(|f| &f.message).collect::<Vec<_>>()
    );
    (
        doc.approved_by
            .as_ref()
            .map(|v| v.value.clone())
            .unwrap_or_default(),
        doc.approved_on
            .as_ref()
            .map(|v| isms::model::ids::fmt_date(v.value))
            .unwrap_or_default(),
        doc.approved_digest
            .as_ref()
            .map(|v| v.value.clone())
            .unwrap_or_default(),
    )
}

/// Every file below `dir` whose name says it is a temporary file.
fn temp_files(dir: &Path) -> Vec<String> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_entry(|e| e.file_name() != ".git")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains("tmp"))
        .map(|e| e.path().display().to_string())
        .collect()
}

#[test]
fn approve_edits_the_checked_copy_not_an_excluded_old_copy() {
    let (_dir, root, repo) = example_repo();
    exclude(&root, "\"archive/**\"");
    let old = read(&root.join(AUP));
    write(&root.join("archive/acceptable-use-2025.md"), &old);
    commit_all(&repo, "Archive", 1);
    let (code, json) = check_json(&root);
    assert_eq!(findings(&json), vec![], "{json:#}");
    assert_eq!(code, 0);

    let (code, out, err) = approve(&root, "POL-AUP", "Sam Lee");
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains(AUP), "{out}");
    assert_eq!(read(&root.join("archive/acceptable-use-2025.md")), old);
    assert_eq!(approval_of(&read(&root.join(AUP))).0, "Sam Lee");
}

#[test]
fn approve_refuses_an_id_found_only_in_excluded_files() {
    let (_dir, root, _repo) = example_repo();
    exclude(&root, "\"archive/**\"");
    let old = read(&root.join(AUP));
    fs::create_dir_all(root.join("archive")).expect("mkdir");
    fs::rename(root.join(AUP), root.join("archive/acceptable-use.md")).expect("move");

    let (code, out, err) = approve(&root, "POL-AUP", "Sam Lee");
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("archive/acceptable-use.md"), "{err}");
    assert!(err.contains("archive/**"), "{err}");
    assert!(err.contains("exclude"), "{err}");
    assert_eq!(read(&root.join("archive/acceptable-use.md")), old);
}

#[test]
fn approve_ignores_copies_in_the_output_hidden_and_node_modules_folders() {
    let (_dir, root, _repo) = example_repo();
    let old = read(&root.join(AUP));
    let copies = ["public/old.md", ".drafts/old.md", "node_modules/pkg/old.md"];
    for copy in copies {
        write(&root.join(copy), &old);
    }
    let (code, out, err) = approve(&root, "POL-AUP", "Sam Lee");
    assert_eq!(code, 0, "{out}{err}");
    for copy in copies {
        assert_eq!(read(&root.join(copy)), old, "{copy} was edited");
    }
    assert_eq!(approval_of(&read(&root.join(AUP))).0, "Sam Lee");

    // With the real one gone, the copies are named and nothing is written.
    fs::remove_file(root.join(AUP)).expect("remove");
    let (code, out, err) = approve(&root, "POL-AUP", "Sam Lee");
    assert_eq!(code, 2, "{out}{err}");
    for copy in copies {
        assert!(err.contains(copy), "{copy} not named: {err}");
        assert_eq!(read(&root.join(copy)), old, "{copy} was edited");
    }
    assert!(err.contains("output folder"), "{err}");
}

#[test]
fn approve_refuses_a_duplicate_id_naming_both_paths() {
    let (_dir, root, _repo) = example_repo();
    let old = read(&root.join(AUP));
    write(&root.join("aaa/copy.md"), &old);
    let (code, out, err) = approve(&root, "POL-AUP", "Sam Lee");
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("aaa/copy.md:2"), "{err}");
    assert!(err.contains(&format!("{AUP}:2")), "{err}");
    assert_eq!(read(&root.join(AUP)), old);
    assert_eq!(read(&root.join("aaa/copy.md")), old);
}

#[test]
fn approve_refuses_unreadable_front_matter_that_may_hold_the_id() {
    let (_dir, root, _repo) = example_repo();
    let old = read(&root.join(AUP));
    let broken = "---\nid: POL-AUP\ntitle: [never closed\n---\nBody\n";
    write(&root.join("policies/broken.md"), broken);
    let (code, out, err) = approve(&root, "POL-AUP", "Sam Lee");
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("policies/broken.md:"), "{err}");
    assert_eq!(read(&root.join(AUP)), old);
    assert_eq!(read(&root.join("policies/broken.md")), broken);
}

#[test]
fn approve_refuses_a_flow_style_front_matter_mapping() {
    let (_dir, root, _repo) = example_repo();
    let text = "---\n{id: POL-FLOW, title: Flow, type: policy, version: \"1.0\", status: approved, \
                owner: Head of IT, classification: internal, approved_by: Old, approved_on: 2026-01-01}\n\
                ---\n\n# Flow\n\nBody.\n";
    write(&root.join("policies/flow.md"), text);
    let (code, out, err) = approve(&root, "POL-FLOW", "Sam Lee");
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("policies/flow.md:2"), "{err}");
    assert!(err.contains("block"), "{err}");
    assert_eq!(read(&root.join("policies/flow.md")), text);
    assert!(temp_files(&root).is_empty(), "{:?}", temp_files(&root));
}

#[test]
fn approve_replaces_keys_written_with_a_space_before_the_colon_or_quoted() {
    for key in ["approved_by :", "\"approved_by\":", "'approved_by' :"] {
        let (_dir, root, repo) = example_repo();
        let path = root.join(AUP);
        common::edit(&path, "approved_by:", key);
        common::edit(&path, "approved_on:", "approved_on  :");
        commit_all(&repo, "Respace", 1);
        let (code, out, err) = approve(&root, "POL-AUP", "Sam Lee");
        assert_eq!(code, 0, "{key}: {out}{err}");
        let after = read(&path);
        assert!(after.contains(&format!("{key} Sam Lee\n")), "{after}");
        assert!(after.contains("approved_on  : 2027-02-01\n"), "{after}");
        assert_eq!(after.matches("approved_by").count(), 1, "{after}");
        assert_eq!(approval_of(&after).0, "Sam Lee");
        commit_all(&repo, "Approve", 2);
        let (_, json) = check_json(&root);
        assert_eq!(findings(&json), vec![], "{key}: {json:#}");
    }
}

#[test]
fn approve_keeps_indented_comments_crlf_and_bom_byte_for_byte() {
    let (_dir, root, _repo) = example_repo();
    let path = root.join("policies/crlf.md");
    let head = "\u{feff}---\r\nid: POL-CRLF\r\ntitle: CRLF\r\ntype: policy\r\nversion: \"1.0\"\r\n\
                status: approved\r\nowner: Head of IT\r\nclassification: internal\r\n";
    let body = "---\r\n\r\n# CRLF\r\n\r\nBody.\r\n";
    write(
        &path,
        &format!(
            "{head}approved_by: Old Name # who signed\r\n  # an indented note\r\n\
             approved_on: 2026-01-01\r\n# last comment\r\n{body}"
        ),
    );
    let (code, out, err) = approve(&root, "POL-CRLF", "Sam Lee");
    assert_eq!(code, 0, "{out}{err}");
    let digest = approval_of(&read(&path)).2;
    assert!(digest.starts_with("sha256:"), "{digest}");
    assert_eq!(
        read(&path),
        format!(
            "{head}approved_by: Sam Lee # who signed\r\n  # an indented note\r\n\
             approved_on: 2027-02-01\r\n# last comment\r\napproved_digest: {digest}\r\n{body}"
        )
    );
}

#[test]
fn approve_refuses_an_empty_or_blank_name() {
    let (_dir, root, _repo) = example_repo();
    let old = read(&root.join(AUP));
    for by in ["", "   ", "\t", "null", "~", "Sam\nLee"] {
        let (code, out, err) = approve(&root, "POL-AUP", by);
        assert_eq!(code, 2, "{by:?}: {out}{err}");
        assert!(err.contains("--by"), "{err}");
        assert_eq!(read(&root.join(AUP)), old);
    }
}

#[test]
fn approve_writes_names_yaml_would_misread_as_quoted_scalars() {
    let (_dir, root, _repo) = example_repo();
    let path = root.join(AUP);
    for name in [
        "Sam:",
        "O'Brien",
        "José Núñez",
        "- x",
        "@x",
        "#x",
        "yes",
        "Null",
        "1.0",
        "a # b",
        "\"quoted\"",
        "back\\slash",
        "[x]",
        "{x}",
        "x: y",
        "*x",
        "!x",
        "|",
        ">",
        "%x",
        "`x",
        "José:",
    ] {
        let (code, out, err) = approve(&root, "POL-AUP", name);
        assert_eq!(code, 0, "{name}: {out}{err}");
        assert_eq!(approval_of(&read(&path)).0, name, "{}", read(&path));
    }
}

#[cfg(unix)]
#[test]
fn approve_keeps_the_file_mode_and_leaves_no_temporary_file() {
    use std::os::unix::fs::PermissionsExt;
    let (_dir, root, _repo) = example_repo();
    let path = root.join(AUP);
    fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).expect("chmod");
    let (code, out, err) = approve(&root, "POL-AUP", "Sam Lee");
    assert_eq!(code, 0, "{out}{err}");
    let mode = fs::metadata(&path).expect("meta").permissions().mode() & 0o7777;
    assert_eq!(mode, 0o600);
    assert!(temp_files(&root).is_empty(), "{:?}", temp_files(&root));
}

#[test]
fn approve_refuses_an_invalid_id() {
    let (_dir, root, _repo) = example_repo();
    for id in ["", "pol-aup", "POL AUP"] {
        let (code, out, err) = approve(&root, id, "Sam Lee");
        assert_eq!(code, 2, "{id:?}: {out}{err}");
        assert!(err.contains("not a document id"), "{err}");
    }
}

#[test]
fn approve_refuses_when_isms_toml_cannot_say_what_is_excluded() {
    let (_dir, root, _repo) = example_repo();
    let old = read(&root.join(AUP));
    let mut config = read(&root.join("isms.toml"));
    config.push_str("\n[source]\nexclude = [\"archive/**\"]\nexclued = []\n");
    write(&root.join("isms.toml"), &config);
    let (code, out, err) = approve(&root, "POL-AUP", "Sam Lee");
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("isms.toml:"), "{err}");
    assert_eq!(read(&root.join(AUP)), old);

    fs::remove_file(root.join("isms.toml")).expect("remove");
    let (code, out, err) = approve(&root, "POL-AUP", "Sam Lee");
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("isms.toml"), "{err}");
    assert_eq!(read(&root.join(AUP)), old);
}

#[cfg(unix)]
#[test]
fn approve_never_edits_a_file_through_a_link_out_of_the_isms() {
    let (dir, root, _repo) = example_repo();
    let outside = dir.path().join("outside-policy.md");
    let text = "---\nid: POL-OUT\ntitle: Outside\ntype: policy\nversion: \"1\"\nstatus: draft\nowner: Kim\nclassification: internal\n---\n\nBody.\n";
    write(&outside, text);
    std::os::unix::fs::symlink(&outside, root.join("policies/linked.md")).expect("symlink");
    let (code, _out, err) = approve(&root, "POL-OUT", "Sam Lee");
    assert_eq!(code, 2, "{err}");
    assert_eq!(
        read(&outside),
        text,
        "the file outside the ISMS is untouched"
    );
}
