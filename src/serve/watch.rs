//! Watching the sources for `isms serve`: the ISMS folder (documents, CSV
//! data, `isms.toml`, the theme when it lives there), a theme folder outside
//! it, and the few git files that move when HEAD or the index does.
//!
//! Native events (inotify, FSEvents, ReadDirectoryChangesW) where they work;
//! polling where they do not (network shares, some containers) or when asked
//! with `--poll`. Events are filtered (editor temporary files, hidden
//! folders, the build output) and debounced: an editor's save is often
//! several events, and one rebuild should follow them all.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use notify::{EventKind, RecursiveMode, Watcher};

/// How long the sources must stay quiet before a rebuild starts.
const QUIET: Duration = Duration::from_millis(15);
/// A rebuild starts at the latest this long after the first event, even
/// while events keep coming (a long `git checkout`).
const MAX_WAIT: Duration = Duration::from_millis(400);
/// How often the polling fallback looks at the files.
const POLL_INTERVAL: Duration = Duration::from_millis(500);

/// What is watched, and which events count.
pub struct Sources {
    /// The ISMS root, canonical.
    pub root: PathBuf,
    /// Folders under the root whose changes are not sources (the default
    /// build output), canonical.
    pub ignored: Vec<PathBuf>,
    /// The theme folder, when outside the root.
    pub theme: Option<PathBuf>,
    /// The repository's git directory, canonical.
    pub git_dir: Option<PathBuf>,
}

/// A running watcher and the events it delivers.
pub struct Watch {
    // Kept alive: dropping the watcher stops the events.
    _watcher: Box<dyn Watcher + Send>,
    events: Receiver<notify::Result<notify::Event>>,
    sources: Sources,
    /// "native" or "polling", for the start-up message.
    pub kind: &'static str,
}

/// Why the sources cannot be watched.
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    /// Neither file events nor polling could be set up.
    #[error("cannot watch the sources: {0}")]
    Start(#[source] notify::Error),
    /// A folder could not be added to the watch.
    #[error("cannot watch {}: {source}", .path.display())]
    Folder {
        path: PathBuf,
        #[source]
        source: notify::Error,
    },
}

impl Watch {
    /// Starts watching; falls back to polling when native events cannot be
    /// set up, or uses it from the start when `poll` is set.
    pub fn start(sources: Sources, poll: bool) -> Result<Watch, WatchError> {
        if !poll {
            let (tx, rx) = channel();
            match notify::recommended_watcher(tx)
                .map_err(WatchError::Start)
                .and_then(|w| add_paths(Box::new(w), &sources))
            {
                Ok(watcher) => {
                    return Ok(Watch {
                        _watcher: watcher,
                        events: rx,
                        sources,
                        kind: "native",
                    })
                }
                Err(e) => eprintln!("warning: file events unavailable ({e}); polling instead"),
            }
        }
        let (tx, rx) = channel();
        let config = notify::Config::default().with_poll_interval(POLL_INTERVAL);
        let watcher = notify::PollWatcher::new(tx, config).map_err(WatchError::Start)?;
        let watcher = add_paths(Box::new(watcher), &sources)?;
        Ok(Watch {
            _watcher: watcher,
            events: rx,
            sources,
            kind: "polling",
        })
    }

    /// Waits for the next batch of relevant changes, until `deadline` if
    /// given (`None` then). Returns the changed paths relative to the root
    /// (paths outside it, in the theme or git folder, are left out of the
    /// list but still start a rebuild).
    pub fn next_batch(&self, deadline: Option<Instant>) -> Option<Vec<String>> {
        let mut paths = BTreeSet::new();
        let mut first: Option<Instant> = None;
        loop {
            let now = Instant::now();
            let wait = match first {
                Some(start) => {
                    let max_left = (start + MAX_WAIT).saturating_duration_since(now);
                    if max_left.is_zero() {
                        break;
                    }
                    QUIET.min(max_left)
                }
                None => match deadline {
                    Some(d) => {
                        let left = d.saturating_duration_since(now);
                        if left.is_zero() {
                            return None;
                        }
                        left
                    }
                    None => Duration::from_secs(3600),
                },
            };
            match self.events.recv_timeout(wait) {
                Ok(Ok(event)) => {
                    if !counts(&event.kind) {
                        continue;
                    }
                    for path in &event.paths {
                        if let Some(change) = classify(&self.sources, path) {
                            first.get_or_insert_with(Instant::now);
                            if let Change::InRoot(rel) = change {
                                paths.insert(rel);
                            }
                        }
                    }
                }
                // A watcher error (a folder that vanished) is not a change.
                Ok(Err(_)) => {}
                Err(RecvTimeoutError::Timeout) => {
                    if first.is_some() {
                        break;
                    }
                }
                Err(RecvTimeoutError::Disconnected) => return None,
            }
        }
        Some(paths.into_iter().collect())
    }
}

fn add_paths(
    mut watcher: Box<dyn Watcher + Send>,
    sources: &Sources,
) -> Result<Box<dyn Watcher + Send>, WatchError> {
    let folder = |path: &Path| {
        let path = path.to_path_buf();
        move |source| WatchError::Folder { path, source }
    };
    watcher
        .watch(&sources.root, RecursiveMode::Recursive)
        .map_err(folder(&sources.root))?;
    if let Some(theme) = sources.theme.as_ref().filter(|t| t.is_dir()) {
        watcher
            .watch(theme, RecursiveMode::Recursive)
            .map_err(folder(theme))?;
    }
    if let Some(git) = sources
        .git_dir
        .as_ref()
        .filter(|g| !g.starts_with(&sources.root))
    {
        // HEAD, index and packed-refs sit in the git folder itself; branch
        // heads below refs/.
        watcher
            .watch(git, RecursiveMode::NonRecursive)
            .map_err(folder(git))?;
        let refs = git.join("refs");
        if refs.is_dir() {
            watcher
                .watch(&refs, RecursiveMode::Recursive)
                .map_err(folder(&refs))?;
        }
    }
    Ok(watcher)
}

/// Event kinds that can change what a build reads. Reads (access events)
/// do not; a file closed after writing does, as some editors produce only
/// that and a modify.
fn counts(kind: &EventKind) -> bool {
    match kind {
        EventKind::Access(notify::event::AccessKind::Close(notify::event::AccessMode::Write)) => {
            true
        }
        EventKind::Access(_) => false,
        _ => true,
    }
}

/// What one changed path means for the build.
#[derive(Debug, PartialEq, Eq)]
enum Change {
    /// A file under the ISMS root, relative to it.
    InRoot(String),
    /// The theme outside the root, or HEAD, the index or a ref.
    Elsewhere,
}

/// Whether a changed path matters, and how.
fn classify(sources: &Sources, path: &Path) -> Option<Change> {
    if let Some(git) = &sources.git_dir {
        if let Ok(rel) = path.strip_prefix(git) {
            return git_file_matters(rel).then_some(Change::Elsewhere);
        }
    }
    if sources.ignored.iter().any(|i| path.starts_with(i)) {
        return None;
    }
    let name = path.file_name()?.to_string_lossy();
    if is_temporary(&name) {
        return None;
    }
    if let Ok(rel) = path.strip_prefix(&sources.root) {
        let parts: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        if parts
            .iter()
            .any(|p| p.starts_with('.') || p == "node_modules")
        {
            return None;
        }
        return Some(Change::InRoot(parts.join("/")));
    }
    if sources
        .theme
        .as_ref()
        .is_some_and(|theme| path.starts_with(theme))
    {
        return Some(Change::Elsewhere);
    }
    None
}

/// The git files whose change means HEAD or the index moved.
fn git_file_matters(rel: &Path) -> bool {
    let rel = rel.to_string_lossy().replace('\\', "/");
    matches!(rel.as_str(), "HEAD" | "index" | "packed-refs")
        || (rel.starts_with("refs/") && !rel.ends_with(".lock"))
}

/// Files editors and tools write beside the real one while saving.
fn is_temporary(name: &str) -> bool {
    name.ends_with('~')
        || name.starts_with(".#")
        || (name.starts_with('#') && name.ends_with('#'))
        || name == "4913" // vim's probe for a writable folder
        || [".swp", ".swx", ".swo", ".tmp", ".crswap", ".part"]
            .iter()
            .any(|ext| name.ends_with(ext))
        || name.contains("___jb_")
        || name == ".DS_Store"
        || is_sed_temporary(name)
}

/// `sed -i` writes `sedXXXXXX` beside the file it edits.
fn is_sed_temporary(name: &str) -> bool {
    name.len() == 9
        && name.starts_with("sed")
        && name[3..].bytes().all(|b| b.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sources() -> Sources {
        Sources {
            root: PathBuf::from("/r/isms"),
            ignored: vec![PathBuf::from("/r/isms/public")],
            theme: Some(PathBuf::from("/r/theme")),
            git_dir: Some(PathBuf::from("/r/.git")),
        }
    }

    fn class(path: &str) -> Option<Change> {
        classify(&sources(), Path::new(path))
    }

    #[test]
    fn sources_under_the_root_count_with_their_relative_path() {
        assert_eq!(
            class("/r/isms/policies/access.md"),
            Some(Change::InRoot("policies/access.md".into()))
        );
        assert_eq!(
            class("/r/isms/isms.toml"),
            Some(Change::InRoot("isms.toml".into()))
        );
        assert_eq!(
            class("/r/theme/templates/base.html"),
            Some(Change::Elsewhere)
        );
    }

    #[test]
    fn temporary_hidden_and_output_files_do_not() {
        for path in [
            "/r/isms/policies/.access.md.swp",
            "/r/isms/policies/access.md~",
            "/r/isms/policies/#access.md#",
            "/r/isms/policies/4913",
            "/r/isms/policies/sedAb12Cd",
            "/r/isms/.vscode/settings.json",
            "/r/isms/public/staff/index.html",
            "/r/isms/node_modules/x/y.md",
            "/elsewhere/file.md",
        ] {
            assert_eq!(class(path), None, "{path}");
        }
    }

    #[test]
    fn head_index_and_refs_count_objects_do_not() {
        assert_eq!(class("/r/.git/HEAD"), Some(Change::Elsewhere));
        assert_eq!(class("/r/.git/index"), Some(Change::Elsewhere));
        assert_eq!(class("/r/.git/refs/heads/main"), Some(Change::Elsewhere));
        assert_eq!(class("/r/.git/index.lock"), None);
        assert_eq!(class("/r/.git/objects/ab/cdef"), None);
        assert_eq!(class("/r/.git/isms/history-cache-v1.json"), None);
    }
}
