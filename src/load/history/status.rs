//! Uncommitted changes under the ISMS root (DC008 and the `dirty` flag).

use std::collections::HashSet;
use std::path::Path;

use git2::{Repository, Status, StatusOptions};

use super::HistoryError;

pub(super) struct WorkTree {
    /// Something under the ISMS root differs from HEAD or is untracked.
    pub dirty: bool,
    /// Paths relative to the ISMS root that differ from HEAD in the index or
    /// the working tree, or are untracked. Gitignored files are left out.
    pub changed: HashSet<String>,
}

/// Compares the index and the working tree under `prefix` with HEAD.
///
/// Opens its own handle so that it can run while the history is read.
pub(super) fn read(git_dir: &Path, prefix: &str) -> Result<WorkTree, HistoryError> {
    let repo = Repository::open(git_dir)
        .map_err(|e| HistoryError::git("opening the repository for its status", e))?;
    let mut options = StatusOptions::new();
    options
        .include_untracked(true)
        .recurse_untracked_dirs(true)
        .include_ignored(false)
        .exclude_submodules(true)
        .disable_pathspec_match(true);
    if !prefix.is_empty() {
        options.pathspec(prefix);
    }
    let statuses = repo
        .statuses(Some(&mut options))
        .map_err(|e| HistoryError::git("reading the working tree status", e))?;
    let mut changed = HashSet::new();
    for entry in statuses.iter() {
        let status = entry.status();
        if status.is_empty() || status.contains(Status::IGNORED) {
            continue;
        }
        let path = String::from_utf8_lossy(entry.path_bytes());
        let relative = if prefix.is_empty() {
            Some(path.as_ref())
        } else {
            path.strip_prefix(prefix).and_then(|p| p.strip_prefix('/'))
        };
        if let Some(relative) = relative {
            changed.insert(relative.to_string());
        }
    }
    Ok(WorkTree {
        dirty: !changed.is_empty(),
        changed,
    })
}
