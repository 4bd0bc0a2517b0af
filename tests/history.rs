//! Integration tests of the git history reader on real repositories.

use std::path::{Path, PathBuf};
use std::process::Command;

use git2::{IndexAddOption, Oid, Repository, ResetType, Signature, Time};
use isms::load::history::{
    read_history, ApprovalCommit, DocHistory, Fingerprint, History, HistoryError, HistoryOptions,
};
use sha2::{Digest, Sha256};
use tempfile::TempDir;

/// A small stand-in for the real front-matter parser: `id:`,
/// `approved_by:` and `approved_on:` lines in the front matter, and the
/// SHA-256 of the normalised text after the closing `---`.
fn fingerprint(bytes: &[u8]) -> Option<Fingerprint> {
    let text = std::str::from_utf8(bytes).ok()?;
    let text = text
        .strip_prefix('\u{feff}')
        .unwrap_or(text)
        .replace("\r\n", "\n");
    let mut lines = text.split('\n');
    if lines.next()? != "---" {
        return None;
    }
    let (mut id, mut by, mut on, mut version) = (None, None, None, None);
    let mut closed = false;
    for line in lines.by_ref() {
        if line == "---" {
            closed = true;
            break;
        }
        let value = |prefix: &str| line.strip_prefix(prefix).map(|v| v.trim().to_string());
        id = value("id:").or(id);
        by = value("approved_by:").or(by);
        on = value("approved_on:").or(on);
        version = value("version:").or(version);
    }
    if !closed {
        return None;
    }
    let body = lines.collect::<Vec<_>>().join("\n");
    let body = body.trim_matches('\n');
    let approval = match (by, on) {
        (Some(by), Some(on)) => Some((by, on)),
        _ => None,
    };
    Some(Fingerprint {
        doc_id: id,
        approval,
        version,
        body: Sha256::digest(body.as_bytes()).into(),
    })
}

/// A document with optional approval values and extra front matter.
fn doc(id: &str, approval: Option<(&str, &str)>, extra: &str, body: &str) -> String {
    let mut text = format!("---\nid: {id}\ntitle: {id}\n");
    if let Some((by, on)) = approval {
        text.push_str(&format!("approved_by: {by}\napproved_on: {on}\n"));
    }
    text.push_str(extra);
    text.push_str("---\n");
    text.push_str(body);
    text
}

const A: Option<(&str, &str)> = Some(("Alex Morgan", "2026-01-10"));
const B: Option<(&str, &str)> = Some(("Sam Lee", "2026-02-20"));

/// A scratch repository with deterministic commit times.
struct Repo {
    dir: TempDir,
    repo: Repository,
    clock: i64,
}

impl Repo {
    fn new() -> Self {
        let dir = TempDir::new().expect("temp dir");
        let repo = Repository::init(dir.path()).expect("init");
        Repo {
            dir,
            repo,
            clock: 0,
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn write(&self, path: &str, text: &str) {
        let full = self.path().join(path);
        std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
        std::fs::write(full, text).expect("write");
    }

    fn remove(&self, path: &str) {
        std::fs::remove_file(self.path().join(path)).expect("remove");
    }

    fn signature(&mut self) -> Signature<'static> {
        self.clock += 1;
        Signature::new(
            "Priya Shah",
            "priya@example.org",
            &Time::new(1_700_000_000 + self.clock, 60),
        )
        .expect("signature")
    }

    /// Stages everything in the work tree and commits it on top of
    /// `parents` (HEAD when `None`), moving HEAD.
    fn commit_with(&mut self, message: &str, parents: Option<&[Oid]>) -> Oid {
        let sig = self.signature();
        let mut index = self.repo.index().expect("index");
        index
            .add_all(["*"].iter(), IndexAddOption::DEFAULT, None)
            .expect("add");
        index.update_all(["*"].iter(), None).expect("update");
        index.write().expect("write index");
        let tree = self
            .repo
            .find_tree(index.write_tree().expect("tree"))
            .expect("find tree");
        let parent_ids: Vec<Oid> = match parents {
            Some(p) => p.to_vec(),
            None => match self.repo.head() {
                Ok(head) => vec![head.peel_to_commit().expect("head").id()],
                Err(_) => Vec::new(),
            },
        };
        let parent_commits: Vec<git2::Commit<'_>> = parent_ids
            .iter()
            .map(|id| self.repo.find_commit(*id).expect("parent"))
            .collect();
        let refs: Vec<&git2::Commit<'_>> = parent_commits.iter().collect();
        let id = self
            .repo
            .commit(None, &sig, &sig, message, &tree, &refs)
            .expect("commit");
        drop(parent_commits);
        self.point_head(id);
        id
    }

    fn commit(&mut self, message: &str) -> Oid {
        self.commit_with(message, None)
    }

    /// Moves the current branch (or detached HEAD) to `id` without touching
    /// the work tree.
    fn point_head(&self, id: Oid) {
        match self.repo.head() {
            Ok(head) if head.is_branch() => {
                let name = head.name().expect("name").to_string();
                self.repo
                    .reference(&name, id, true, "test")
                    .expect("move branch");
            }
            Ok(_) => self.repo.set_head_detached(id).expect("detach"),
            Err(_) => {
                let name = self
                    .repo
                    .find_reference("HEAD")
                    .expect("HEAD")
                    .symbolic_target()
                    .expect("utf-8")
                    .expect("symbolic")
                    .to_owned();
                self.repo
                    .reference(&name, id, true, "test")
                    .expect("first commit");
            }
        }
    }

    /// Resets the branch, index and work tree to `id` (`git reset --hard`).
    fn reset(&self, id: Oid) {
        let object = self.repo.find_object(id, None).expect("object");
        self.repo
            .reset(&object, ResetType::Hard, None)
            .expect("reset");
    }
}

fn read(root: &Path, docs: &[&str]) -> History {
    read_with(root, docs, &HistoryOptions::default())
}

fn read_with(root: &Path, docs: &[&str], options: &HistoryOptions) -> History {
    let docs: Vec<String> = docs.iter().map(|d| d.to_string()).collect();
    read_history(root, &docs, &fingerprint, options).expect("history")
}

fn doc_history<'a>(history: &'a History, path: &str) -> &'a DocHistory {
    history.docs.get(path).expect("doc in result")
}

/// The approval commit's id, and whether the body still matches.
fn approval(history: &History, path: &str) -> Option<(String, bool)> {
    match doc_history(history, path).approval {
        ApprovalCommit::Found {
            commit,
            body_matches_head,
        } => Some((history.commits[commit].id.clone(), body_matches_head)),
        _ => None,
    }
}

/// Commit ids of a document's changes, newest first.
fn change_ids(history: &History, path: &str) -> Vec<String> {
    doc_history(history, path)
        .changes
        .iter()
        .map(|c| history.commits[c.commit].id.clone())
        .collect()
}

#[test]
fn body_changed_after_approval_is_not_current() {
    let mut r = Repo::new();
    r.write("pol.md", &doc("POL-1", A, "", "Body one.\n"));
    let approved = r.commit("Approve policy");
    r.write("pol.md", &doc("POL-1", A, "", "Body two.\n"));
    let edited = r.commit("Edit policy");

    let h = read(r.path(), &["pol.md"]);
    assert_eq!(approval(&h, "pol.md"), Some((approved.to_string(), false)));
    assert_eq!(
        change_ids(&h, "pol.md"),
        vec![edited.to_string(), approved.to_string()]
    );
    let d = doc_history(&h, "pol.md");
    assert!(d.changes[0].body_changed && !d.changes[0].approval_changed);
    assert!(d.changes[1].body_changed && d.changes[1].approval_changed);
    assert!(!d.uncommitted);
    assert!(!h.dirty);
    assert_eq!(h.head, Some(edited.to_string()));
    assert_eq!(h.commits[0].subject, "Edit policy");
    assert_eq!(h.commits[0].author, "Priya Shah");
    assert_eq!(h.commits[0].time, 1_700_000_002);
    assert_eq!(h.commits[0].offset_minutes, 60);
}

#[test]
fn front_matter_only_change_keeps_approval_current() {
    let mut r = Repo::new();
    r.write("pol.md", &doc("POL-1", A, "", "Body.\n"));
    let approved = r.commit("Approve");
    r.write("pol.md", &doc("POL-1", A, "summary: tidy\n", "Body.\n"));
    let tidied = r.commit("Front matter only");
    // CRLF line ends normalise to the same body.
    r.write(
        "pol.md",
        &doc("POL-1", A, "summary: tidy\n", "Body.\n").replace('\n', "\r\n"),
    );
    let crlf = r.commit("CRLF");

    let h = read(r.path(), &["pol.md"]);
    assert_eq!(approval(&h, "pol.md"), Some((approved.to_string(), true)));
    assert_eq!(
        change_ids(&h, "pol.md"),
        vec![crlf.to_string(), tidied.to_string(), approved.to_string()]
    );
    let d = doc_history(&h, "pol.md");
    assert!(!d.changes[0].body_changed);
    assert!(!d.changes[1].body_changed);
}

#[test]
fn rename_in_one_commit_is_followed() {
    let mut r = Repo::new();
    r.write("old/pol.md", &doc("POL-1", A, "", "Body.\n"));
    let approved = r.commit("Approve");
    r.remove("old/pol.md");
    r.write("policies/access.md", &doc("POL-1", A, "", "Body.\n"));
    let moved = r.commit("Move");

    let h = read(r.path(), &["policies/access.md"]);
    assert_eq!(
        approval(&h, "policies/access.md"),
        Some((approved.to_string(), true))
    );
    let d = doc_history(&h, "policies/access.md");
    assert_eq!(
        change_ids(&h, "policies/access.md"),
        vec![moved.to_string(), approved.to_string()]
    );
    assert_eq!(d.changes[0].path, "policies/access.md");
    assert!(!d.changes[0].body_changed && !d.changes[0].approval_changed);
    assert_eq!(d.changes[1].path, "old/pol.md");
}

#[test]
fn rename_with_edit_is_followed_by_id() {
    let mut r = Repo::new();
    r.write("a.md", &doc("POL-1", A, "", "Body.\n"));
    let approved = r.commit("Approve");
    r.remove("a.md");
    r.write("b.md", &doc("POL-1", A, "", "Body, edited while moving.\n"));
    r.commit("Move and edit");

    let h = read(r.path(), &["b.md"]);
    assert_eq!(approval(&h, "b.md"), Some((approved.to_string(), false)));
    assert!(doc_history(&h, "b.md").changes[0].body_changed);
}

#[test]
fn rename_without_id_is_followed_by_body() {
    let mut r = Repo::new();
    let text = "---\napproved_by: Alex Morgan\napproved_on: 2026-01-10\n---\nSame body.\n";
    r.write("a.md", text);
    let approved = r.commit("Approve");
    r.remove("a.md");
    r.write("b.md", text);
    r.commit("Move");

    let h = read(r.path(), &["b.md"]);
    assert_eq!(approval(&h, "b.md"), Some((approved.to_string(), true)));
    assert_eq!(doc_history(&h, "b.md").changes.len(), 2);
}

#[test]
fn new_file_with_other_id_is_not_a_rename() {
    let mut r = Repo::new();
    r.write("a.md", &doc("POL-1", A, "", "Old body.\n"));
    r.commit("First");
    r.remove("a.md");
    r.write("b.md", &doc("POL-2", A, "", "New body.\n"));
    let created = r.commit("Replace");

    let h = read(r.path(), &["b.md"]);
    assert_eq!(change_ids(&h, "b.md"), vec![created.to_string()]);
    assert_eq!(approval(&h, "b.md"), Some((created.to_string(), true)));
}

#[test]
fn body_edit_and_approval_in_one_commit_is_current() {
    let mut r = Repo::new();
    r.write("pol.md", &doc("POL-1", None, "", "Draft.\n"));
    r.commit("Draft");
    r.write("pol.md", &doc("POL-1", A, "", "Final text.\n"));
    let approved = r.commit("Edit and approve");

    let h = read(r.path(), &["pol.md"]);
    assert_eq!(approval(&h, "pol.md"), Some((approved.to_string(), true)));
}

#[test]
fn approval_changed_back_counts_from_the_last_change() {
    let mut r = Repo::new();
    r.write("pol.md", &doc("POL-1", A, "", "One.\n"));
    r.commit("Approve A");
    r.write("pol.md", &doc("POL-1", B, "", "Two.\n"));
    r.commit("Approve B");
    r.write("pol.md", &doc("POL-1", A, "", "Two.\n"));
    let back = r.commit("Back to A");
    r.write("pol.md", &doc("POL-1", A, "summary: x\n", "Two.\n"));
    r.commit("Tidy");

    let h = read(r.path(), &["pol.md"]);
    assert_eq!(approval(&h, "pol.md"), Some((back.to_string(), true)));
}

#[test]
fn approval_in_the_root_commit_is_found() {
    let mut r = Repo::new();
    r.write("pol.md", &doc("POL-1", A, "", "Body.\n"));
    let first = r.commit("Initial");
    let h = read(r.path(), &["pol.md"]);
    assert_eq!(approval(&h, "pol.md"), Some((first.to_string(), true)));
    assert!(matches!(
        doc_history(&h, "pol.md").head_fingerprint,
        Some(Fingerprint { ref doc_id, .. }) if doc_id.as_deref() == Some("POL-1")
    ));
}

#[test]
fn isms_root_in_a_subfolder() {
    let mut r = Repo::new();
    r.write("README.md", "# Project\n");
    r.write("isms/isms.toml", "");
    r.write("isms/policies/pol.md", &doc("POL-1", A, "", "Body.\n"));
    let approved = r.commit("Approve");
    r.write("src/main.rs", "fn main() {}\n");
    r.write("README.md", "# Project, edited\n");
    r.commit("Code only");
    r.write(
        "isms/policies/pol.md",
        &doc("POL-1", A, "summary: s\n", "Body.\n"),
    );
    let tidy = r.commit("Tidy");
    r.write("README.md", "# Untracked edit\n");

    // Discovery works from the ISMS root and the history stays inside it.
    let h = read(&r.path().join("isms"), &["policies/pol.md"]);
    assert_eq!(h.root_prefix, "isms");
    assert_eq!(h.commits.len(), 3);
    assert_eq!(
        change_ids(&h, "policies/pol.md"),
        vec![tidy.to_string(), approved.to_string()]
    );
    assert_eq!(
        approval(&h, "policies/pol.md"),
        Some((approved.to_string(), true))
    );
    // A change outside the ISMS root does not make it dirty.
    assert!(!h.dirty);
    r.write("isms/notes.txt", "x");
    let h = read(&r.path().join("isms"), &["policies/pol.md"]);
    assert!(h.dirty);
    assert!(!doc_history(&h, "policies/pol.md").uncommitted);
    r.write("isms/policies/pol.md", &doc("POL-1", A, "", "Edited.\n"));
    let h = read(&r.path().join("isms/policies"), &["pol.md"]);
    assert_eq!(h.root_prefix, "isms/policies");
    assert!(doc_history(&h, "pol.md").uncommitted);
    assert_eq!(approval(&h, "pol.md"), Some((approved.to_string(), true)));
}

#[test]
fn repository_without_commits() {
    let r = Repo::new();
    r.write("pol.md", &doc("POL-1", A, "", "Body.\n"));
    let h = read(r.path(), &["pol.md"]);
    assert_eq!(h.head, None);
    assert!(h.commits.is_empty());
    assert!(h.dirty);
    let d = doc_history(&h, "pol.md");
    assert!(d.uncommitted);
    assert_eq!(d.approval, ApprovalCommit::NotInHead);
    assert_eq!(d.head_fingerprint, None);
}

#[test]
fn detached_head_reads_history_of_that_commit() {
    let mut r = Repo::new();
    r.write("pol.md", &doc("POL-1", A, "", "One.\n"));
    let first = r.commit("One");
    r.write("pol.md", &doc("POL-1", A, "", "Two.\n"));
    r.commit("Two");
    r.repo.set_head_detached(first).expect("detach");
    r.reset(first);

    let h = read(r.path(), &["pol.md"]);
    assert_eq!(h.head, Some(first.to_string()));
    assert_eq!(h.commits.len(), 1);
    assert_eq!(approval(&h, "pol.md"), Some((first.to_string(), true)));
    assert!(!doc_history(&h, "pol.md").uncommitted);
}

fn shallow_clone(source: &Path, depth: u32) -> TempDir {
    let target = TempDir::new().expect("temp dir");
    let status = Command::new("git")
        .args(["clone", "--quiet", "--depth", &depth.to_string()])
        .arg(format!("file://{}", source.display()))
        .arg(target.path().join("clone"))
        .status()
        .expect("run git clone");
    assert!(status.success());
    target
}

#[test]
fn shallow_clone_cuts_history_short() {
    let mut r = Repo::new();
    r.write("pol.md", &doc("POL-1", A, "", "Body.\n"));
    let approved = r.commit("Approve");
    r.write("pol.md", &doc("POL-1", A, "summary: s\n", "Body.\n"));
    r.commit("Tidy");
    r.write("other.md", &doc("OTH-1", B, "", "Other.\n"));
    let last = r.commit("Other doc");

    // Depth 1: only HEAD; nothing is known about either document's changes.
    let clone = shallow_clone(r.path(), 1);
    let h = read(&clone.path().join("clone"), &["pol.md", "other.md"]);
    assert!(h.shallow);
    assert_eq!(h.commits.len(), 1);
    assert_eq!(h.head, Some(last.to_string()));
    assert_eq!(doc_history(&h, "pol.md").approval, ApprovalCommit::CutShort);
    assert_eq!(
        doc_history(&h, "other.md").approval,
        ApprovalCommit::CutShort
    );
    assert!(doc_history(&h, "pol.md").changes.is_empty());
    assert!(doc_history(&h, "pol.md").head_fingerprint.is_some());
    assert!(!h.dirty);

    // Depth 2: other.md's approval commit is inside, pol.md's is not.
    let clone = shallow_clone(r.path(), 2);
    let h = read(&clone.path().join("clone"), &["pol.md", "other.md"]);
    assert_eq!(h.commits.len(), 2);
    assert_eq!(approval(&h, "other.md"), Some((last.to_string(), true)));
    assert_eq!(doc_history(&h, "pol.md").approval, ApprovalCommit::CutShort);

    // Full clone depth: everything is found.
    let clone = shallow_clone(r.path(), 3);
    let h = read(&clone.path().join("clone"), &["pol.md"]);
    assert!(h.shallow);
    assert_eq!(approval(&h, "pol.md"), Some((approved.to_string(), true)));
}

#[test]
fn shallow_file_written_by_hand_marks_the_boundary() {
    let mut r = Repo::new();
    r.write("pol.md", &doc("POL-1", A, "", "Body.\n"));
    r.commit("Approve");
    r.write("pol.md", &doc("POL-1", A, "summary: s\n", "Body.\n"));
    let tidy = r.commit("Tidy");
    r.write("pol.md", &doc("POL-1", A, "summary: t\n", "Body.\n"));
    let last = r.commit("Tidy again");
    std::fs::write(r.repo.path().join("shallow"), format!("{tidy}\n")).expect("shallow");
    let h = read(r.path(), &["pol.md"]);
    assert!(h.shallow);
    assert_eq!(h.commits.len(), 2);
    assert_eq!(change_ids(&h, "pol.md"), vec![last.to_string()]);
    assert_eq!(doc_history(&h, "pol.md").approval, ApprovalCommit::CutShort);
}

#[test]
fn missing_parent_object_cuts_history_short() {
    let mut r = Repo::new();
    r.write("pol.md", &doc("POL-1", A, "", "Body.\n"));
    let first = r.commit("Approve");
    r.write("pol.md", &doc("POL-1", A, "summary: s\n", "Body.\n"));
    let tidy = r.commit("Tidy");
    // Delete the first commit's loose object, as in a damaged copy.
    let hex = first.to_string();
    let object = r
        .repo
        .path()
        .join("objects")
        .join(&hex[..2])
        .join(&hex[2..]);
    std::fs::remove_file(object).expect("remove object");

    let h = read(r.path(), &["pol.md"]);
    assert!(!h.shallow);
    assert_eq!(h.commits.len(), 1);
    assert_eq!(change_ids(&h, "pol.md"), Vec::<String>::new());
    assert_eq!(h.commits[0].id, tidy.to_string());
    assert_eq!(doc_history(&h, "pol.md").approval, ApprovalCommit::CutShort);
}

#[test]
fn uncommitted_and_untracked_documents_are_flagged() {
    let mut r = Repo::new();
    r.write(".gitignore", "ignored/\n");
    r.write("a.md", &doc("A", A, "", "A.\n"));
    r.write("b.md", &doc("B", A, "", "B.\n"));
    r.write("c.md", &doc("C", A, "", "C.\n"));
    r.commit("Start");
    let h = read(r.path(), &["a.md", "b.md", "c.md"]);
    assert!(!h.dirty);

    // Ignored files never make the tree dirty.
    r.write("ignored/x.md", "x");
    assert!(!read(r.path(), &["a.md"]).dirty);

    r.write("a.md", &doc("A", A, "", "A, edited.\n"));
    r.write("new.md", &doc("N", None, "", "New.\n"));
    // Staged but not committed.
    r.write("c.md", &doc("C", B, "", "C.\n"));
    let mut index = r.repo.index().expect("index");
    index.add_path(Path::new("c.md")).expect("stage");
    index.write().expect("write index");

    let h = read(r.path(), &["a.md", "b.md", "c.md", "new.md"]);
    assert!(h.dirty);
    assert!(doc_history(&h, "a.md").uncommitted);
    assert!(!doc_history(&h, "b.md").uncommitted);
    assert!(doc_history(&h, "c.md").uncommitted);
    let new = doc_history(&h, "new.md");
    assert!(new.uncommitted);
    assert_eq!(new.approval, ApprovalCommit::NotInHead);
    // The HEAD version is what the history describes.
    let a = doc_history(&h, "a.md");
    assert!(matches!(
        a.approval,
        ApprovalCommit::Found {
            body_matches_head: true,
            ..
        }
    ));
}

#[test]
fn approval_only_in_the_working_tree_is_not_in_head() {
    let mut r = Repo::new();
    r.write("pol.md", &doc("POL-1", None, "", "Body.\n"));
    r.commit("Draft");
    r.write("pol.md", &doc("POL-1", A, "", "Body.\n"));
    let h = read(r.path(), &["pol.md"]);
    let d = doc_history(&h, "pol.md");
    assert!(d.uncommitted);
    assert_eq!(d.approval, ApprovalCommit::NotInHead);
    assert_eq!(
        d.head_fingerprint.as_ref().and_then(|f| f.approval.clone()),
        None
    );
}

#[test]
fn merge_counts_only_when_the_file_differs_from_every_parent() {
    let mut r = Repo::new();
    r.write("a.md", &doc("A", A, "", "A.\n"));
    r.write("b.md", &doc("B", A, "", "B.\n"));
    let base = r.commit("Base");

    // Side branch edits a.md.
    r.write("a.md", &doc("A", A, "", "A, edited on a branch.\n"));
    let side = r.commit("Side edit");

    // Main line edits b.md's front matter.
    r.reset(base);
    r.write("b.md", &doc("B", A, "summary: s\n", "B.\n"));
    let main = r.commit("Main edit");

    // Merge both, taking each side's version.
    r.write("a.md", &doc("A", A, "", "A, edited on a branch.\n"));
    let merge = r.commit_with("Merge", Some(&[main, side]));

    let h = read(r.path(), &["a.md", "b.md"]);
    assert_eq!(h.commits.len(), 4);
    assert_eq!(h.commits[0].id, merge.to_string());
    assert_eq!(
        change_ids(&h, "a.md"),
        vec![side.to_string(), base.to_string()]
    );
    assert_eq!(
        change_ids(&h, "b.md"),
        vec![main.to_string(), base.to_string()]
    );
    assert_eq!(approval(&h, "a.md"), Some((base.to_string(), false)));
    assert_eq!(approval(&h, "b.md"), Some((base.to_string(), true)));
}

#[test]
fn merge_that_resolves_to_new_content_is_a_change() {
    let mut r = Repo::new();
    r.write("a.md", &doc("A", None, "", "Base.\n"));
    let base = r.commit("Base");
    r.write("a.md", &doc("A", None, "", "Side.\n"));
    let side = r.commit("Side");
    r.reset(base);
    r.write("a.md", &doc("A", None, "", "Main.\n"));
    let main = r.commit("Main");
    // Conflict resolved with new text and the approval.
    r.write("a.md", &doc("A", A, "", "Resolved.\n"));
    let merge = r.commit_with("Merge and approve", Some(&[main, side]));

    let h = read(r.path(), &["a.md"]);
    let ids = change_ids(&h, "a.md");
    assert_eq!(ids[0], merge.to_string());
    assert_eq!(ids.len(), 4, "merge, both sides and base: {ids:?}");
    assert!(ids.contains(&side.to_string()) && ids.contains(&main.to_string()));
    assert_eq!(ids[3], base.to_string());
    assert_eq!(approval(&h, "a.md"), Some((merge.to_string(), true)));
}

#[test]
fn approval_on_a_branch_is_found_through_the_merge() {
    let mut r = Repo::new();
    r.write("a.md", &doc("A", None, "", "Text.\n"));
    r.write("b.md", &doc("B", None, "", "Other.\n"));
    let base = r.commit("Base");
    r.write("a.md", &doc("A", A, "", "Text.\n"));
    let approved = r.commit("Approve on branch");
    r.reset(base);
    r.write("b.md", &doc("B", None, "", "Other, edited.\n"));
    let main = r.commit("Main");
    r.write("a.md", &doc("A", A, "", "Text.\n"));
    r.commit_with("Merge", Some(&[main, approved]));

    let h = read(r.path(), &["a.md"]);
    assert_eq!(approval(&h, "a.md"), Some((approved.to_string(), true)));
}

#[test]
fn not_a_repository_is_an_error() {
    let dir = TempDir::new().expect("temp dir");
    let result = read_history(dir.path(), &[], &fingerprint, &HistoryOptions::default());
    let error = result.expect_err("not a repository");
    assert!(matches!(error, HistoryError::NotARepository { .. }));
    assert!(error.to_string().contains("not in a git work tree"));
}

fn cache_file(r: &Repo) -> PathBuf {
    r.repo.path().join("isms").join("history-cache-v1.json")
}

fn cached(salt: &str) -> HistoryOptions {
    HistoryOptions {
        use_cache: true,
        cache_salt: salt.to_string(),
        ..HistoryOptions::default()
    }
}

fn same_result(a: &History, b: &History) {
    assert_eq!(a.head, b.head);
    assert_eq!(a.commits, b.commits);
    assert_eq!(a.docs, b.docs);
}

#[test]
fn cache_is_reused_extended_and_rebuilt() {
    let mut r = Repo::new();
    r.write("a.md", &doc("A", A, "", "One.\n"));
    r.write("b.md", &doc("B", None, "", "B.\n"));
    r.commit("One");
    r.write("a.md", &doc("A", A, "", "Two.\n"));
    let two = r.commit("Two");
    let docs = ["a.md", "b.md"];

    let cold = read_with(r.path(), &docs, &cached("v1"));
    assert!(cold.stats.cache_written && !cold.stats.cache_read);
    assert!(cache_file(&r).exists());
    assert_eq!(cold.stats.commits_computed, 2);

    // Same HEAD: nothing to compute, nothing to write.
    let warm = read_with(r.path(), &docs, &cached("v1"));
    assert!(warm.stats.cache_read && !warm.stats.cache_written);
    assert_eq!(warm.stats.commits_computed, 0);
    assert_eq!(warm.stats.blobs_fingerprinted, 0);
    same_result(&cold, &warm);
    same_result(&cold, &read(r.path(), &docs));

    // One new commit: only it is computed.
    r.write("b.md", &doc("B", B, "", "B.\n"));
    r.commit("Approve B");
    let next = read_with(r.path(), &docs, &cached("v1"));
    assert_eq!(next.stats.commits_computed, 1);
    same_result(&next, &read(r.path(), &docs));

    // Rewritten history (reset and a different commit): still right.
    r.reset(two);
    r.write("a.md", &doc("A", B, "", "Two.\n"));
    let rewritten = r.commit("Approve A again");
    let after = read_with(r.path(), &docs, &cached("v1"));
    assert_eq!(after.stats.commits_computed, 1);
    same_result(&after, &read(r.path(), &docs));
    assert_eq!(
        approval(&after, "a.md"),
        Some((rewritten.to_string(), true))
    );

    // Another fingerprint version: the cache is not used.
    let salted = read_with(r.path(), &docs, &cached("v2"));
    assert!(!salted.stats.cache_read);
    assert_eq!(salted.stats.commits_computed, 4 - 1);
    same_result(&salted, &after);

    // A damaged file is ignored and replaced.
    std::fs::write(cache_file(&r), b"{not json").expect("damage");
    let repaired = read_with(r.path(), &docs, &cached("v2"));
    assert!(repaired.stats.cache_problem.is_some());
    assert!(repaired.stats.cache_written);
    same_result(&repaired, &after);
    let again = read_with(r.path(), &docs, &cached("v2"));
    assert!(again.stats.cache_read && again.stats.cache_problem.is_none());

    // Deleting it is always safe.
    std::fs::remove_file(cache_file(&r)).expect("delete");
    same_result(&read_with(r.path(), &docs, &cached("v2")), &after);
}

#[test]
fn cache_without_the_listing_at_head_is_used_and_completed() {
    let mut r = Repo::new();
    r.write("a.md", &doc("A", A, "", "One.\n"));
    r.commit("One");
    r.write("b.md", &doc("B", None, "", "B.\n"));
    r.commit("Two");
    let docs = ["a.md", "b.md"];
    let cold = read_with(r.path(), &docs, &cached("v1"));

    // As an earlier version wrote it: no listing of the files at HEAD.
    let text = std::fs::read_to_string(cache_file(&r)).expect("read cache");
    let mut json: serde_json::Value = serde_json::from_str(&text).expect("json");
    let object = json.as_object_mut().expect("object");
    assert!(object.remove("h").is_some());
    std::fs::write(cache_file(&r), json.to_string()).expect("write cache");

    let warm = read_with(r.path(), &docs, &cached("v1"));
    assert!(warm.stats.cache_read && warm.stats.cache_written);
    assert_eq!(warm.stats.commits_computed, 0);
    same_result(&cold, &warm);
    let again = read_with(r.path(), &docs, &cached("v1"));
    assert!(again.stats.cache_read && !again.stats.cache_written);
    same_result(&cold, &again);
}

#[test]
fn cache_follows_a_change_of_isms_root() {
    let mut r = Repo::new();
    r.write("isms/a.md", &doc("A", A, "", "One.\n"));
    let first = r.commit("One");
    let at_root = read_with(r.path(), &["isms/a.md"], &cached("v1"));
    let below = read_with(&r.path().join("isms"), &["a.md"], &cached("v1"));
    assert!(!below.stats.cache_read);
    assert_eq!(
        approval(&at_root, "isms/a.md"),
        Some((first.to_string(), true))
    );
    assert_eq!(approval(&below, "a.md"), Some((first.to_string(), true)));
}

#[test]
fn cache_in_a_shallow_clone() {
    let mut r = Repo::new();
    r.write("pol.md", &doc("POL-1", A, "", "Body.\n"));
    r.commit("Approve");
    r.write("pol.md", &doc("POL-1", A, "summary: s\n", "Body.\n"));
    r.commit("Tidy");
    let clone = shallow_clone(r.path(), 1);
    let root = clone.path().join("clone");
    let cold = read_with(&root, &["pol.md"], &cached("v1"));
    let warm = read_with(&root, &["pol.md"], &cached("v1"));
    same_result(&cold, &warm);
    assert_eq!(
        doc_history(&warm, "pol.md").approval,
        ApprovalCommit::CutShort
    );
    // Deepening the clone gives the boundary commit its parent.
    let status = Command::new("git")
        .arg("-C")
        .arg(&root)
        .args(["fetch", "--quiet", "--unshallow"])
        .status()
        .expect("git fetch");
    assert!(status.success());
    let deep = read_with(&root, &["pol.md"], &cached("v1"));
    assert!(!deep.shallow);
    assert!(matches!(
        doc_history(&deep, "pol.md").approval,
        ApprovalCommit::Found {
            body_matches_head: true,
            ..
        }
    ));
}

#[test]
fn names_that_sort_around_a_folder_are_compared_correctly() {
    // Git sorts a folder as if its name ended in '/': "x.md" < "x/" < "x0.md".
    let mut r = Repo::new();
    for path in ["x.md", "x-1.md", "x0.md", "x/in.md", "x/deeper/more.md"] {
        r.write(path, &doc("D", None, "", path));
    }
    let first = r.commit("All");
    r.write("x.md", &doc("D", None, "", "x, edited"));
    r.write("x/in.md", &doc("D", None, "", "in, edited"));
    r.write("x0.md", &doc("D", None, "", "x0, edited"));
    let second = r.commit("Some");
    let paths = ["x.md", "x-1.md", "x0.md", "x/in.md", "x/deeper/more.md"];
    let h = read(r.path(), &paths);
    for (path, edited) in paths.iter().zip([true, false, true, true, false]) {
        let mut expected = vec![first.to_string()];
        if edited {
            expected.insert(0, second.to_string());
        }
        assert_eq!(change_ids(&h, path), expected, "{path}");
    }
}

#[test]
fn large_folder_gives_the_same_history() {
    // Over 64 KiB of tree entries, so the commits are compared on several
    // threads; the result must not depend on that.
    let mut r = Repo::new();
    let count = 2000;
    for i in 0..count {
        r.write(
            &format!("docs/document-number-{i:05}.md"),
            &doc(&format!("D{i}"), A, "", "Body.\n"),
        );
    }
    let first = r.commit("Import");
    let mut edits = Vec::new();
    for k in 0..12 {
        let i = k * 97;
        r.write(
            &format!("docs/document-number-{i:05}.md"),
            &doc(&format!("D{i}"), A, "", &format!("Body, edit {k}.\n")),
        );
        edits.push((i, r.commit(&format!("Edit {k}"))));
    }
    let paths: Vec<String> = (0..count)
        .map(|i| format!("docs/document-number-{i:05}.md"))
        .collect();
    let refs: Vec<&str> = paths.iter().map(String::as_str).collect();
    let h = read(r.path(), &refs);
    assert_eq!(h.commits.len(), 13);
    for (i, commit) in &edits {
        let path = &paths[*i];
        assert_eq!(
            change_ids(&h, path),
            vec![commit.to_string(), first.to_string()],
            "{path}"
        );
        assert_eq!(approval(&h, path), Some((first.to_string(), false)));
    }
    assert_eq!(change_ids(&h, &paths[1]), vec![first.to_string()]);
    assert_eq!(approval(&h, &paths[1]), Some((first.to_string(), true)));
}

/// Runs git in `dir`.
fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .status()
        .expect("run git");
    assert!(status.success(), "git {args:?}");
}

/// A body of many lines, a few of which change with `version`, so that git
/// stores the versions as deltas of each other.
fn long_body(doc: usize, version: usize) -> String {
    (0..120)
        .map(|line| {
            if line % 17 == doc % 17 {
                format!("Line {line} of document {doc}, revised in version {version}.\n")
            } else {
                format!("Line {line} of document {doc}: text that stays the same.\n")
            }
        })
        .collect()
}

#[test]
fn packed_objects_give_the_same_history() {
    // History read from pack files (deltas against deltas, both kinds of
    // delta base, objects partly packed and partly loose) must equal the
    // history read from loose objects.
    let mut r = Repo::new();
    let path = |i: usize| format!("docs/part-{}/policy-{i:02}.md", i % 3);
    for i in 0..12 {
        r.write(&path(i), &doc(&format!("P{i}"), None, "", &long_body(i, 0)));
    }
    let base = r.commit("Import\n\nTwelve policies.\n");
    for round in 1..10 {
        let approval = if round % 2 == 0 { A } else { B };
        for i in (round % 3..12).step_by(3) {
            r.write(
                &path(i),
                &doc(&format!("P{i}"), approval, "", &long_body(i, round)),
            );
        }
        r.commit(&format!("Round {round}"));
    }
    // A side branch merged back, and a rename.
    let main = r
        .repo
        .head()
        .expect("head")
        .peel_to_commit()
        .expect("c")
        .id();
    r.write(&path(4), &doc("P4", A, "extra: x\n", &long_body(4, 99)));
    let side = r.commit_with("Side", Some(&[base]));
    r.reset(main);
    r.write(&path(4), &doc("P4", A, "extra: x\n", &long_body(4, 99)));
    r.commit_with("Merge", Some(&[main, side]));
    git(r.path(), &["repack", "-a", "-d", "-q"]);
    // Later commits stay loose.
    let moved = r.path().join("docs/moved.md");
    std::fs::rename(r.path().join(path(7)), &moved).expect("rename");
    r.commit("Move P7");
    for round in 10..13 {
        r.write(&path(2), &doc("P2", A, "", &long_body(2, round)));
        r.commit(&format!("Round {round}"));
    }

    let mut docs: Vec<String> = (0..12).filter(|&i| i != 7).map(path).collect();
    docs.push("docs/moved.md".to_string());
    let docs: Vec<&str> = docs.iter().map(String::as_str).collect();
    let mixed = read(r.path(), &docs);
    assert_eq!(mixed.commits.len(), 16);
    assert!(doc_history(&mixed, "docs/moved.md").changes.len() > 2);

    // Everything loose again: move the pack away and unpack it.
    let pack_dir = r.repo.path().join("objects").join("pack");
    let outside = TempDir::new().expect("temp dir");
    for entry in std::fs::read_dir(&pack_dir).expect("pack dir") {
        let entry = entry.expect("entry");
        std::fs::rename(entry.path(), outside.path().join(entry.file_name())).expect("move");
    }
    for entry in std::fs::read_dir(outside.path()).expect("moved") {
        let entry = entry.expect("entry");
        if entry.path().extension().is_some_and(|e| e == "pack") {
            let status = Command::new("git")
                .arg("-C")
                .arg(r.path())
                .arg("unpack-objects")
                .arg("-q")
                .stdin(std::fs::File::open(entry.path()).expect("pack"))
                .status()
                .expect("run git unpack-objects");
            assert!(status.success());
        }
    }
    let loose = read(r.path(), &docs);
    same_result(&mixed, &loose);

    // Deep chains with offset bases, then with bases named by id.
    git(
        r.path(),
        &[
            "repack",
            "-a",
            "-d",
            "-f",
            "-q",
            "--depth=50",
            "--window=50",
        ],
    );
    same_result(&read(r.path(), &docs), &loose);
    git(
        r.path(),
        &[
            "-c",
            "repack.useDeltaBaseOffset=false",
            "repack",
            "-a",
            "-d",
            "-f",
            "-q",
        ],
    );
    same_result(&read(r.path(), &docs), &loose);
}

/// Packs every object of the repository into one pack with deep delta
/// chains and removes the loose copies, as `git gc --aggressive` would.
fn repack(path: &Path) {
    for args in [
        &[
            "repack",
            "-a",
            "-d",
            "-f",
            "-q",
            "--depth=50",
            "--window=50",
        ][..],
        &["prune-packed"][..],
    ] {
        let status = Command::new("git")
            .arg("-C")
            .arg(path)
            .args(args)
            .status()
            .expect("run git");
        assert!(status.success(), "git {args:?}");
    }
}

#[test]
fn packed_history_reads_the_same_as_loose_objects() {
    // Many versions of a few documents, with renames, approvals and a
    // front-matter-only change, so that the pack holds long delta chains
    // of both trees and blobs.
    let mut r = Repo::new();
    let long_body = "A paragraph that stays the same in every version.\n".repeat(40);
    r.write("policies/a.md", &doc("A", None, "", &long_body));
    r.write("policies/b.md", &doc("B", A, "", "B body.\n"));
    r.commit("Import");
    for k in 0..30 {
        let body = format!("{long_body}Edit {k}.\n");
        let approval = if k % 5 == 0 { A } else { None };
        r.write("policies/a.md", &doc("A", approval, "", &body));
        if k == 10 {
            r.remove("policies/b.md");
            r.write("policies/renamed-b.md", &doc("B", A, "", "B body.\n"));
        }
        if k == 20 {
            r.write(
                "policies/renamed-b.md",
                &doc("B", A, "owner: X\n", "B body.\n"),
            );
        }
        r.commit(&format!("Edit {k}"));
    }
    let docs = ["policies/a.md", "policies/renamed-b.md"];
    let loose = read(r.path(), &docs);
    repack(r.path());
    let packs = std::fs::read_dir(r.path().join(".git/objects/pack"))
        .expect("pack folder")
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "pack"))
        .count();
    assert_eq!(packs, 1, "the objects are in one pack");
    let packed = read(r.path(), &docs);
    same_result(&loose, &packed);
    assert_eq!(change_ids(&packed, "policies/a.md").len(), 31);
}

/// An approved text as (commit id, version, SHA-256 of the normalised body).
type Text = (String, Option<String>, [u8; 32]);

/// The SHA-256 of a normalised body, as [`Text`] holds it.
fn body_hash(normalised: &str) -> [u8; 32] {
    Sha256::digest(normalised.as_bytes()).into()
}

/// The previous approval's pair, then the texts at the current and the
/// previous approval commits.
fn previous(history: &History, path: &str) -> Option<((String, String), Text, Option<Text>)> {
    let p = doc_history(history, path).previous_approval.as_ref()?;
    let text = |t: &isms::load::history::ApprovedText| {
        (
            history.commits[t.commit].id.clone(),
            t.version.clone(),
            t.body_hash,
        )
    };
    Some((
        (p.approved_by.clone(), p.approved_on.clone()),
        text(&p.current),
        p.previous.as_ref().map(text),
    ))
}

#[test]
fn previous_approval_is_the_pair_just_before_the_approval_commit() {
    let mut r = Repo::new();
    r.write(
        "pol.md",
        &doc("POL-1", A, "version: \"1.0\"\n", "First text.\n"),
    );
    let first = r.commit("approve 1.0");
    // A front-matter-only commit keeps the first approval's commit.
    r.write(
        "pol.md",
        &doc("POL-1", A, "version: \"1.0\"\nowner: IT\n", "First text.\n"),
    );
    r.commit("owner");
    r.write(
        "pol.md",
        &doc(
            "POL-1",
            A,
            "version: \"1.0\"\nowner: IT\n",
            "\r\nSecond text.\r\n\r\n",
        ),
    );
    r.commit("edit without approval");
    r.write(
        "pol.md",
        &doc(
            "POL-1",
            B,
            "version: \"1.1\"\nowner: IT\n",
            "Second text.\n",
        ),
    );
    let second = r.commit("approve 1.1");
    r.write("README.md", "not a document\n");
    r.commit("unrelated");

    let h = read(r.path(), &["pol.md"]);
    let (pair, current, before) = previous(&h, "pol.md").expect("previous approval");
    assert_eq!(pair, ("Alex Morgan".into(), "2026-01-10".into()));
    assert_eq!(
        current,
        (
            second.to_string(),
            Some("\"1.1\"".into()),
            body_hash("Second text.")
        )
    );
    assert_eq!(
        before,
        Some((
            first.to_string(),
            Some("\"1.0\"".into()),
            body_hash("First text.")
        ))
    );
    // The earlier text, for the staff site's word diff.
    let p = doc_history(&h, "pol.md").previous_approval.as_ref();
    assert_eq!(
        p.and_then(|p| p.earlier_body.as_deref()),
        Some("First text.")
    );
}

#[test]
fn earlier_texts_are_left_out_when_asked_and_nothing_else_changes() {
    let mut r = Repo::new();
    r.write("pol.md", &doc("POL-1", A, "version: 1\n", "First text.\n"));
    r.commit("approve");
    r.write("pol.md", &doc("POL-1", B, "version: 1\n", "Second text.\n"));
    r.commit("re-approve");
    let full = read(r.path(), &["pol.md"]);
    let lean = read_with(
        r.path(),
        &["pol.md"],
        &HistoryOptions {
            skip_earlier_texts: true,
            ..HistoryOptions::default()
        },
    );
    let body = |h: &History| {
        doc_history(h, "pol.md")
            .previous_approval
            .as_ref()
            .map(|p| p.earlier_body.clone())
    };
    assert_eq!(body(&full), Some(Some("First text.".to_string())));
    assert_eq!(body(&lean), Some(None));
    assert_eq!(previous(&full, "pol.md"), previous(&lean, "pol.md"));
}

fn texts_file(r: &Repo) -> PathBuf {
    r.repo.path().join("isms").join("earlier-texts-v1.json")
}

#[test]
fn earlier_texts_are_kept_between_runs_for_the_same_program() {
    let mut r = Repo::new();
    r.write("pol.md", &doc("POL-1", A, "version: 1\n", "First text.\n"));
    r.commit("approve");
    r.write("pol.md", &doc("POL-1", B, "version: 1\n", "Second text.\n"));
    r.commit("re-approve");
    let body = |h: &History| {
        doc_history(h, "pol.md")
            .previous_approval
            .as_ref()
            .and_then(|p| p.earlier_body.clone())
    };
    let first = read_with(r.path(), &["pol.md"], &cached("v1"));
    assert_eq!(body(&first).as_deref(), Some("First text."));
    let kept = std::fs::read_to_string(texts_file(&r)).expect("texts kept");
    assert!(kept.contains("First text."), "{kept}");

    // The next run takes the text from the file, not from git: a file
    // changed behind its back shows through.
    std::fs::write(texts_file(&r), kept.replace("First text.", "Kept text.")).expect("edit");
    let warm = read_with(r.path(), &["pol.md"], &cached("v1"));
    assert_eq!(body(&warm).as_deref(), Some("Kept text."));
    // Another program's file, or a damaged one, is not used.
    let other = read_with(r.path(), &["pol.md"], &cached("v2"));
    assert_eq!(body(&other).as_deref(), Some("First text."));
    std::fs::write(texts_file(&r), b"{not json").expect("damage");
    let repaired = read_with(r.path(), &["pol.md"], &cached("v2"));
    assert_eq!(body(&repaired).as_deref(), Some("First text."));
    let kept = std::fs::read_to_string(texts_file(&r)).expect("rewritten");
    assert!(kept.contains("First text."), "{kept}");

    // A run that shows no earlier texts (`check`) leaves the file alone.
    let lean = HistoryOptions {
        skip_earlier_texts: true,
        ..cached("v2")
    };
    read_with(r.path(), &["pol.md"], &lean);
    assert_eq!(
        std::fs::read_to_string(texts_file(&r)).expect("still there"),
        kept
    );

    // Re-approved again: the file keeps only the text this run needs.
    r.write("pol.md", &doc("POL-1", A, "version: 2\n", "Third text.\n"));
    r.commit("re-approve again");
    let next = read_with(r.path(), &["pol.md"], &cached("v2"));
    assert_eq!(body(&next).as_deref(), Some("Second text."));
    let kept = std::fs::read_to_string(texts_file(&r)).expect("pruned");
    assert!(
        kept.contains("Second text.") && !kept.contains("First text."),
        "{kept}"
    );
}

#[test]
fn an_earlier_approval_of_the_same_text_is_not_read() {
    let mut r = Repo::new();
    r.write("pol.md", &doc("POL-1", A, "version: 1\n", "Same text.\n"));
    r.commit("approve");
    r.write("pol.md", &doc("POL-1", B, "version: 2\n", "Same text.\n"));
    r.commit("re-approve, text unchanged");
    let h = read(r.path(), &["pol.md"]);
    let (_, current, before) = previous(&h, "pol.md").expect("previous approval");
    assert_eq!(Some(current.2), before.map(|b| b.2), "one text, one hash");
    let p = doc_history(&h, "pol.md").previous_approval.as_ref();
    assert_eq!(p.map(|p| p.earlier_body.is_none()), Some(true));
}

#[test]
fn no_previous_approval_for_a_first_approval_or_a_draft_before_it() {
    let mut r = Repo::new();
    r.write("a.md", &doc("A", A, "", "Body.\n"));
    r.write("b.md", &doc("B", None, "", "Draft.\n"));
    r.commit("add");
    r.write("b.md", &doc("B", B, "", "Draft.\n"));
    r.commit("approve b");
    let h = read(r.path(), &["a.md", "b.md"]);
    assert!(previous(&h, "a.md").is_none());
    assert!(previous(&h, "b.md").is_none());
}

#[test]
fn previous_approval_follows_a_rename() {
    let mut r = Repo::new();
    r.write("old.md", &doc("POL-1", A, "version: 1\n", "Old text.\n"));
    let first = r.commit("approve");
    r.remove("old.md");
    r.write("new.md", &doc("POL-1", A, "version: 1\n", "Old text.\n"));
    r.commit("git mv");
    r.write("new.md", &doc("POL-1", B, "version: 1\n", "New text.\n"));
    let second = r.commit("re-approve");
    let h = read(r.path(), &["new.md"]);
    let (_, current, before) = previous(&h, "new.md").expect("previous approval");
    assert_eq!(current.0, second.to_string());
    let before = before.expect("found");
    assert_eq!(before.0, first.to_string());
    let p = doc_history(&h, "new.md")
        .previous_approval
        .as_ref()
        .expect("p");
    assert_eq!(p.previous.as_ref().map(|t| t.path.as_str()), Some("old.md"));
    assert_eq!(p.current.path, "new.md");
}

#[test]
fn previous_approval_cut_short_in_a_shallow_clone() {
    let mut r = Repo::new();
    r.write("pol.md", &doc("POL-1", A, "", "One.\n"));
    r.commit("approve");
    r.write("pol.md", &doc("POL-1", A, "", "Two.\n"));
    r.commit("edit");
    r.write("pol.md", &doc("POL-1", B, "", "Two.\n"));
    r.commit("re-approve");
    let clone = shallow_clone(r.path(), 1);
    let h = read(&clone.path().join("clone"), &["pol.md"]);
    // Only the approval commit is there: its parent, and so the pair before
    // it, are unknown.
    assert!(previous(&h, "pol.md").is_none());
    let clone = shallow_clone(r.path(), 2);
    let h = read(&clone.path().join("clone"), &["pol.md"]);
    let (pair, _, before) = previous(&h, "pol.md").expect("pair known");
    assert_eq!(pair.0, "Alex Morgan");
    assert_eq!(before, None);
}
