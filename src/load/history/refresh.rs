//! Keeping a [`History`] current while files are edited (`isms serve`).
//!
//! Saving a document changes the work tree, not the history: commits, the
//! approval commit of each document and their bodies stay as they were. Only
//! the "uncommitted" facts change, and those can be asked of git one path at
//! a time. The history itself needs reading again only when HEAD or the
//! index moves (a commit, checkout, merge or `git add`), which
//! [`GitState`] detects.

use std::path::Path;
use std::time::SystemTime;

use git2::{Repository, Status};

use super::{History, HistoryError};

/// What must stay the same for a history to stay valid: the commit HEAD
/// points at and the index file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GitState {
    head: Option<git2::Oid>,
    index: Option<(SystemTime, u64)>,
}

/// The current [`GitState`] of the repository holding `isms_root`; `None`
/// when it cannot be read (the caller then reads the history anew, which
/// reports the problem).
pub fn git_state(isms_root: &Path) -> Option<GitState> {
    let repo = Repository::discover(isms_root).ok()?;
    let head = repo.head().ok().and_then(|h| h.target());
    let index = std::fs::metadata(repo.path().join("index"))
        .ok()
        .and_then(|m| Some((m.modified().ok()?, m.len())));
    Some(GitState { head, index })
}

/// Asks git again about `paths` (relative to the ISMS root, any file, edited,
/// added or deleted since `history` was read) and updates which documents
/// have uncommitted changes and whether the root is dirty.
pub fn refresh_worktree(
    history: &mut History,
    isms_root: &Path,
    paths: &[String],
) -> Result<(), HistoryError> {
    if paths.is_empty() {
        return Ok(());
    }
    let repo = Repository::discover(isms_root)
        .map_err(|e| HistoryError::git("opening the repository for its status", e))?;
    for path in paths {
        let in_repo = if history.root_prefix.is_empty() {
            path.clone()
        } else {
            format!("{}/{path}", history.root_prefix)
        };
        // A path git does not know (an untracked file since deleted) is an
        // error here; it is then simply not a change.
        let status = repo
            .status_file(Path::new(&in_repo))
            .unwrap_or(Status::CURRENT);
        let changed = !status.is_empty() && !status.contains(Status::IGNORED);
        if changed {
            history.worktree_changes.insert(path.clone());
        } else {
            history.worktree_changes.remove(path);
        }
        if let Some(doc) = history.docs.get_mut(path) {
            // As when reading: a document not in HEAD (new, or ignored) is
            // uncommitted too.
            doc.uncommitted = changed || status.contains(Status::IGNORED);
        }
    }
    history.dirty = !history.worktree_changes.is_empty();
    Ok(())
}
