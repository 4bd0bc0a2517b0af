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

use super::History;

/// What must stay the same for a history to stay valid: the commit HEAD
/// points at and the index file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GitState {
    head: Option<git2::Oid>,
    index: Option<(SystemTime, u64)>,
}

/// The repository holding an ISMS, kept open between loads (`isms serve`):
/// git then reads its index again only when the file changed, where
/// opening it anew reads the whole index for every status question (about
/// 15 ms at 10,000 files).
pub struct OpenRepo {
    repo: Repository,
}

impl OpenRepo {
    /// The repository holding `isms_root`; `None` when there is none (the
    /// caller then reads the history anew, which reports the problem).
    pub fn discover(isms_root: &Path) -> Option<OpenRepo> {
        Repository::discover(isms_root)
            .ok()
            .map(|repo| OpenRepo { repo })
    }

    /// The current [`GitState`].
    pub fn state(&self) -> GitState {
        let head = self.repo.head().ok().and_then(|h| h.target());
        let index = std::fs::metadata(self.repo.path().join("index"))
            .ok()
            .and_then(|m| Some((m.modified().ok()?, m.len())));
        GitState { head, index }
    }
}

/// Asks git again about `paths` (relative to the ISMS root, any file, edited,
/// added or deleted since `history` was read) and updates which documents
/// have uncommitted changes and whether the root is dirty.
pub fn refresh_worktree(history: &mut History, repo: &OpenRepo, paths: &[String]) {
    if paths.is_empty() {
        return;
    }
    for path in paths {
        let in_repo = if history.root_prefix.is_empty() {
            path.clone()
        } else {
            format!("{}/{path}", history.root_prefix)
        };
        // A path git does not know (an untracked file since deleted) is an
        // error here; it is then simply not a change.
        let status = repo
            .repo
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
}
