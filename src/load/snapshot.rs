//! The ISMS as it is at one commit, read from git objects (`isms diff`).
//!
//! The ISMS folder's tree at the commit is copied, file by file, from the
//! object database into a private temporary folder outside the work tree,
//! which the ordinary loader then reads: every rule judges that side
//! exactly as `check` would judge a checkout of it, while the work tree,
//! the index and HEAD stay untouched. Symbolic links and submodules are
//! not copied (a document behind a link is not read by `check` either).

use std::fmt;
use std::path::{Path, PathBuf};

use git2::{ObjectType, Repository, TreeWalkMode, TreeWalkResult};

use super::history::HistoryAt;
use super::limits;

/// The files of the ISMS at one commit, in a temporary folder removed when
/// this is dropped.
pub struct Snapshot {
    folder: tempfile::TempDir,
    /// What the loader needs to read the history at that commit.
    pub at: HistoryAt,
}

impl Snapshot {
    /// The ISMS root of the copy.
    pub fn root(&self) -> &Path {
        self.folder.path()
    }
}

/// Why a revision could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// The ISMS root is not in a git work tree.
    #[error("{} is not in a git work tree: {reason}", path.display())]
    NotARepository { path: PathBuf, reason: String },
    /// The revision names no commit.
    #[error(
        "`{rev}` names no commit in this repository ({reason}); give a branch, tag or commit id"
    )]
    BadRevision { rev: String, reason: String },
    /// The ISMS folder did not exist at that commit.
    #[error("there is no ISMS folder `{folder}` (with isms.toml) at `{rev}`")]
    NoIsms { rev: String, folder: String },
    /// Reading objects or writing the copy failed.
    #[error("reading `{rev}`: {reason}")]
    Read { rev: String, reason: String },
}

/// Copies the ISMS whose root in the work tree is `isms_root` as it is at
/// `rev` (a branch, tag, commit id or any revision git understands).
pub fn at_revision(isms_root: &Path, rev: &str) -> Result<Snapshot, SnapshotError> {
    let not_repo = |reason: String| SnapshotError::NotARepository {
        path: isms_root.to_path_buf(),
        reason,
    };
    let repo = Repository::discover(isms_root).map_err(|e| not_repo(e.message().to_string()))?;
    let workdir = repo
        .workdir()
        .ok_or_else(|| not_repo("the repository is bare".into()))?
        .canonicalize()
        .map_err(|e| not_repo(e.to_string()))?;
    let root = isms_root
        .canonicalize()
        .map_err(|e| not_repo(e.to_string()))?;
    let prefix = root
        .strip_prefix(&workdir)
        .map_err(|_| not_repo("it is outside the work tree".into()))?
        .to_string_lossy()
        .replace('\\', "/");
    let bad_rev = |reason: String| SnapshotError::BadRevision {
        rev: rev.to_string(),
        reason,
    };
    let commit = repo
        .revparse_single(rev)
        .and_then(|o| o.peel_to_commit())
        .map_err(|e| bad_rev(e.message().to_string()))?;
    let read = |reason: String| SnapshotError::Read {
        rev: rev.to_string(),
        reason,
    };
    let no_isms = || SnapshotError::NoIsms {
        rev: rev.to_string(),
        folder: if prefix.is_empty() {
            ".".into()
        } else {
            prefix.clone()
        },
    };
    let tree = commit.tree().map_err(|e| read(e.message().to_string()))?;
    let tree = if prefix.is_empty() {
        tree
    } else {
        let entry = tree.get_path(Path::new(&prefix)).map_err(|_| no_isms())?;
        if entry.kind() != Some(ObjectType::Tree) {
            return Err(no_isms());
        }
        repo.find_tree(entry.id())
            .map_err(|e| read(e.message().to_string()))?
    };
    if tree.get_name("isms.toml").is_none() {
        return Err(no_isms());
    }

    let folder = tempfile::Builder::new()
        .prefix("isms-rev-")
        .tempdir()
        .map_err(|e| read(format!("cannot create a temporary folder: {e}")))?;
    let mut failure: Option<SnapshotError> = None;
    tree.walk(TreeWalkMode::PreOrder, |dir, entry| {
        // Regular and executable files only: no links, no submodules.
        if entry.kind() != Some(ObjectType::Blob) || entry.filemode() & 0o170000 != 0o100000 {
            return TreeWalkResult::Ok;
        }
        let Ok(name) = entry.name() else {
            return TreeWalkResult::Ok;
        };
        let relative = format!("{dir}{name}");
        let written = repo
            .find_blob(entry.id())
            .map_err(|e| e.message().to_string())
            .and_then(|blob| {
                // Oversized files are left out as the reader would refuse them.
                if blob.size() as u64 > limits::MAX_FILE_BYTES {
                    return Ok(());
                }
                let path = folder.path().join(&relative);
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
                }
                std::fs::write(&path, blob.content()).map_err(|e| e.to_string())
            });
        match written {
            Ok(()) => TreeWalkResult::Ok,
            Err(reason) => {
                failure = Some(read(format!("{relative}: {reason}")));
                TreeWalkResult::Abort
            }
        }
    })
    .map_err(|e| match failure.take() {
        Some(f) => f,
        None => read(e.message().to_string()),
    })?;
    if let Some(f) = failure {
        return Err(f);
    }
    Ok(Snapshot {
        folder,
        at: HistoryAt {
            isms_root: isms_root.to_path_buf(),
            commit: commit.id().to_string(),
        },
    })
}

impl fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Snapshot")
            .field("root", &self.folder.path())
            .field("at", &self.at)
            .finish()
    }
}
