//! Git history of the controlled documents, read once for all of them.
//!
//! DC006 needs, for every approved document, the commit in which its current
//! `approved_by`/`approved_on` values were recorded and whether the body has
//! changed since; the history pages need every commit that changed each
//! document. Asking git once per document does not scale (10,000 documents
//! times 20,000 commits), so this module walks the commit graph once:
//!
//! 1. `graph` finds the commits reachable from HEAD with gitoxide's commit
//!    walk (reading parents from the commit-graph file where the repository
//!    has one), decodes the ones it has not seen before on all cores, and
//!    orders them topologically (children first; after a commit its first
//!    parent comes next once all that parent's children are out). Dates are
//!    never used for ordering. gitoxide's topological walk works like git's
//!    `--topo-order`, with queues keyed by generation number and commit
//!    time, so which branch comes first can depend on dates; to keep the
//!    order a function of the graph alone, gitoxide's walk (breadth first)
//!    only finds the commits and `graph::order` orders them.
//! 2. `diff` compares each commit's ISMS-root subtree with its parents' by
//!    object id and, where they differ, runs gitoxide's tree diff on the two
//!    subtrees (which descends only into folders whose ids differ), keeping
//!    the `.md` files that changed. Commits that leave the ISMS root alone
//!    cost one object-id comparison.
//! 3. Every blob that shows up in a change is fingerprinted once (the caller
//!    parses front matter; this module never reads YAML).
//! 4. `follow` replays the changes from HEAD backwards, following each
//!    document through renames and merges, and records its changes and its
//!    approval commit.
//!
//! Steps 1 to 3 read every version of the ISMS folder's trees and documents
//! through gitoxide's object database (packs, loose objects and alternates
//! alike), split across all cores by `pool`: each thread gets its own
//! handle (`to_thread_local`) with its own object and delta-base caches
//! over the shared pack files. No git object is parsed by hand here.
//!
//! Steps 2 and 3 are the expensive ones, and their results depend only on
//! commit and blob ids, so `cache` keeps them in a file inside the git
//! directory: a later run computes only the commits and blobs it has not
//! seen before.
//!
//! The working tree is compared with HEAD by `status` at the same time, and
//! `refresh` asks again about single paths for `isms serve`. Both still use
//! libgit2: the status needs the index, `.gitignore` rules and the work
//! tree, which gitoxide provides only with its `status` feature (index,
//! attributes, ignore files and a directory walker), a larger build than
//! the one libgit2 call it would replace. Everything else, including
//! discovering the repository and reading HEAD, goes through gitoxide.

mod cache;
mod diff;
mod evidence;
mod follow;
mod graph;
mod pool;
mod refresh;
mod status;
mod texts;

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

/// A git object id.
type Oid = gix::ObjectId;

pub use crate::model::history::{
    ApprovalCommit, ApprovalFacts, ApprovedText, CommitInfo, CommitSignature, DocChange,
    DocHistory, Fingerprint, History, HistoryStats, PreviousApproval,
};

/// How [`read_history`] may use its cache.
///
/// The cache lives in `<git dir>/isms/history-cache-v1.json`. It records, per
/// commit id, the `.md` files the commit changed under the ISMS root, per
/// blob id, the fingerprint, and the `.md` files in the ISMS root's tree at
/// HEAD (by tree id). Both are facts about immutable objects, so the
/// cache stays valid when HEAD moves forward, back, or to rewritten history;
/// it is pruned to the commits reachable from the current HEAD on every
/// write. It is safe to delete at any time and is replaced atomically.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HistoryOptions {
    /// Read and write the cache. Off by default, so that tests and one-off
    /// runs leave the git directory alone.
    pub use_cache: bool,
    /// Identifies the fingerprint function: change it whenever the function
    /// could return something different for the same bytes (a new tool
    /// version, a different normalisation). A cache written with another
    /// salt, or for another ISMS root, is ignored and replaced.
    pub cache_salt: String,
    /// Read the history as it was at a commit instead of at HEAD (`isms
    /// diff`): the working tree is then not consulted at all.
    pub at: Option<HistoryAt>,
    /// Read what git records about each approval commit (authors, trailers,
    /// signatures) for `approval_evidence`.
    pub approval_facts: bool,
    /// Leave [`PreviousApproval::earlier_body`] out: the commands that
    /// render no staff site do not show it.
    pub skip_earlier_texts: bool,
}

/// The history at one commit of the repository that holds an ISMS, for an
/// ISMS whose files were read from that commit rather than from the work
/// tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoryAt {
    /// The ISMS root in the work tree: locates the repository and the
    /// ISMS folder inside it.
    pub isms_root: PathBuf,
    /// The commit whose history is read (full hex id).
    pub commit: String,
}

/// Why the history could not be read.
#[derive(Debug)]
pub enum HistoryError {
    /// `path` is not inside the work tree of a git repository.
    NotARepository {
        /// The ISMS root that was given.
        path: PathBuf,
        /// What went wrong, in words.
        reason: String,
    },
    /// Git failed while reading the repository.
    Git {
        /// What was being read.
        context: String,
        /// The error libgit2 reported.
        source: git2::Error,
    },
    /// Reading commits, trees or blobs (with gitoxide) failed.
    Objects {
        /// What was being read.
        context: String,
        /// The error gitoxide reported.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl HistoryError {
    fn git(context: impl Into<String>, source: git2::Error) -> Self {
        HistoryError::Git {
            context: context.into(),
            source,
        }
    }

    fn objects(
        context: impl Into<String>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        HistoryError::Objects {
            context: context.into(),
            source: source.into(),
        }
    }
}

impl fmt::Display for HistoryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HistoryError::NotARepository { path, reason } => {
                write!(f, "{} is not in a git work tree: {reason}", path.display())
            }
            HistoryError::Git { context, source } => {
                write!(f, "git history: {context}: {}", source.message())
            }
            HistoryError::Objects { context, source } => {
                write!(f, "git history: {context}: {source}")
            }
        }
    }
}

impl std::error::Error for HistoryError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            HistoryError::NotARepository { .. } => None,
            HistoryError::Git { source, .. } => Some(source),
            HistoryError::Objects { source, .. } => Some(source.as_ref()),
        }
    }
}

/// The signature of the caller's fingerprint function: raw file bytes in,
/// `None` when the bytes are not a readable document.
pub type FingerprintFn = dyn Fn(&[u8]) -> Option<Fingerprint> + Sync;

/// Reads the history of `doc_paths` (controlled documents found in the
/// working tree, relative to `isms_root`, `/` separators).
///
/// The repository is discovered from `isms_root`, which may be its work tree
/// or any folder below it. Works on repositories without commits, on a
/// detached HEAD and on shallow clones.
pub fn read_history(
    isms_root: &Path,
    doc_paths: &[String],
    fingerprint: &FingerprintFn,
    options: &HistoryOptions,
) -> Result<History, HistoryError> {
    let located = options.at.as_ref().map_or(isms_root, |at| &at.isms_root);
    // Discovered from an absolute path: in a linked work tree (whose `.git`
    // is a file) a relative start gives a work tree path that no longer
    // resolves from the current folder.
    let absolute = std::path::absolute(located).unwrap_or_else(|_| located.to_path_buf());
    let located = absolute.as_path();
    let repo = gix::discover(located).map_err(|e| HistoryError::NotARepository {
        path: located.to_path_buf(),
        reason: e.to_string(),
    })?;
    let prefix = root_prefix(&repo, located)?;
    let git_dir = repo.git_dir().to_path_buf();
    let shallow = repo.is_shallow();
    let keys: Vec<String> = doc_paths.iter().map(|p| normalise_doc_path(p)).collect();
    let start = match &options.at {
        None => None,
        Some(at) => Some(
            Oid::from_hex(at.commit.as_bytes())
                .map_err(|e| HistoryError::objects(format!("commit id {}", at.commit), e))?,
        ),
    };

    let (status, walked) = {
        let (git_dir, prefix, keys) = (&git_dir, &prefix, &keys);
        rayon::join(
            || match start {
                // A commit has no work tree: nothing is uncommitted.
                Some(_) => Ok(status::WorkTree {
                    dirty: false,
                    changed: HashSet::new(),
                }),
                None => crate::timing::step("history: work tree status", || {
                    status::read(git_dir, prefix)
                }),
            },
            move || walk(repo, start, git_dir, prefix, keys, fingerprint, options),
        )
    };
    let status = status?;
    let walked = walked?;
    let Walked {
        head,
        commits,
        per_doc,
        previous,
        stats,
    } = walked;

    let facts = if options.approval_facts {
        let found: Vec<Option<usize>> = per_doc
            .iter()
            .map(|d| match d.approval {
                ApprovalCommit::Found { commit, .. } => Some(commit),
                _ => None,
            })
            .collect();
        evidence::read(&git_dir, head.as_deref(), &commits, &found)?
    } else {
        vec![None; per_doc.len()]
    };

    let mut docs = crate::model::digest::FastMap::with_capacity_and_hasher(
        doc_paths.len(),
        Default::default(),
    );
    for (((given, doc), previous_approval), approval_facts) in
        doc_paths.iter().zip(per_doc).zip(previous).zip(facts)
    {
        let key = normalise_doc_path(given);
        let uncommitted = !doc.in_head || status.changed.contains(&key);
        docs.insert(
            given.clone(),
            DocHistory {
                changes: doc.changes,
                approval: doc.approval,
                head_fingerprint: doc.head_fingerprint,
                previous_approval,
                approval_facts,
                uncommitted,
            },
        );
    }
    Ok(History {
        head,
        shallow,
        dirty: status.dirty,
        worktree_changes: status.changed,
        root_prefix: prefix,
        commits,
        docs,
        stats,
    })
}

pub use refresh::{refresh_worktree, GitState, OpenRepo};

/// Turns a caller's path into the form used in trees: `/` separators, no
/// leading `./`.
fn normalise_doc_path(path: &str) -> String {
    let path = path.replace('\\', "/");
    let mut rest = path.as_str();
    while let Some(stripped) = rest.strip_prefix("./") {
        rest = stripped;
    }
    rest.to_string()
}

/// The folder inside the git directory of the repository holding
/// `isms_root` where derived data may be kept between runs (the history
/// cache, typeset PDF volumes): safe to delete, never seen by `git clean`.
/// `None` outside a git repository.
pub fn cache_dir(isms_root: &Path) -> Option<PathBuf> {
    let absolute = std::path::absolute(isms_root).ok()?;
    let repo = gix::discover(&absolute).ok()?;
    Some(cache_dir_in(repo.git_dir()))
}

/// [`cache_dir`] of the repository whose git directory is `git_dir`.
fn cache_dir_in(git_dir: &Path) -> PathBuf {
    git_dir.join("isms")
}

/// The ISMS root relative to the repository's work tree.
fn root_prefix(repo: &gix::Repository, isms_root: &Path) -> Result<String, HistoryError> {
    let not_repo = |reason: String| HistoryError::NotARepository {
        path: isms_root.to_path_buf(),
        reason,
    };
    let workdir = repo
        .workdir()
        .ok_or_else(|| not_repo("the repository is bare (it has no work tree)".into()))?;
    let workdir = workdir
        .canonicalize()
        .map_err(|e| not_repo(format!("cannot resolve the work tree: {e}")))?;
    let root = isms_root
        .canonicalize()
        .map_err(|e| not_repo(format!("cannot resolve the folder: {e}")))?;
    let relative = root
        .strip_prefix(&workdir)
        .map_err(|_| not_repo(format!("it is outside the work tree {}", workdir.display())))?;
    let mut parts = Vec::new();
    for component in relative.components() {
        match component {
            std::path::Component::Normal(part) => parts.push(
                part.to_str()
                    .ok_or_else(|| not_repo("the path is not valid UTF-8".into()))?
                    .to_string(),
            ),
            _ => return Err(not_repo("unexpected path component".into())),
        }
    }
    Ok(parts.join("/"))
}

/// Drops `garbage` on a thread of its own when it is `large`: freeing a
/// long history's hundreds of thousands of small allocations takes tens of
/// milliseconds that nothing needs to wait for. Only plain data may be
/// passed (no repository handles).
fn free_later<T: Send + 'static>(large: bool, garbage: T) {
    if !large {
        return;
    }
    // If no thread can be started, the closure and `garbage` are dropped
    // right here instead.
    let _ = std::thread::Builder::new()
        .name("isms-free".into())
        .spawn(move || drop(garbage));
}

/// Histories with fewer commits are freed in place.
const FREE_LATER_FROM: usize = 1000;

/// What [`walk`] found out, per document in `doc_paths` order.
struct Walked {
    head: Option<String>,
    commits: Vec<CommitInfo>,
    per_doc: Vec<follow::DocResult>,
    /// Per document, the approval before the current one, bodies read.
    previous: Vec<Option<PreviousApproval>>,
    stats: HistoryStats,
}

/// Where the bodies of earlier approvals are kept between runs (see
/// [`texts`]), and whether this run may rewrite the file.
#[derive(Clone, Copy)]
struct KeptTexts<'a> {
    path: &'a Path,
    salt: &'a str,
    write: bool,
}

/// One approved version, as its fingerprint describes it.
fn approved_text(version: follow::Version) -> ApprovedText {
    ApprovedText {
        commit: version.commit,
        path: version.path,
        version: version.fingerprint.version,
        body_hash: version.fingerprint.body,
    }
}

/// Reads the bodies of the approvals before the current ones, where the
/// staff site may show what changed: only an earlier approval whose body
/// differs from the current approval's (the fingerprints, cached, tell),
/// one blob per re-approved document whose text changed, and nothing
/// without `read_texts`. DC015 and the "changed since" lists compare the
/// fingerprints' body hashes and need no text, so an unchanged
/// re-approval reads nothing.
///
/// Read in pack order on every core, through handles with a delta-base
/// cache: versions of one document are stored as delta chains, and reading
/// them one by one through a handle without that cache rebuilt every chain
/// from its base (six seconds at 10,000 documents, on every run).
fn previous_approvals(
    repo: &gix::Repository,
    per_doc: &mut [follow::DocResult],
    read_texts: bool,
    kept: Option<KeptTexts<'_>>,
) -> Result<Vec<Option<PreviousApproval>>, HistoryError> {
    let found: Vec<Option<follow::Previous>> =
        per_doc.iter_mut().map(|doc| doc.previous.take()).collect();
    let differs = |f: &follow::Previous| {
        let earlier = f.previous.as_ref()?;
        (earlier.fingerprint.body != f.current.fingerprint.body)
            .then(|| (earlier.blob, earlier.path.clone()))
    };
    let mut wanted: Vec<(Oid, String)> = if read_texts {
        found.iter().flatten().filter_map(differs).collect()
    } else {
        Vec::new()
    };
    wanted.sort();
    wanted.dedup_by(|a, b| a.0 == b.0);
    // The bodies read by an earlier run; only the others are read now. A
    // run that reads no texts (`check`) neither loads nor prunes them.
    let kept = kept.filter(|_| read_texts);
    let mut bodies: texts::Texts = kept
        .as_ref()
        .map(|k| texts::load(k.path, k.salt))
        .unwrap_or_default();
    let before = bodies.len();
    bodies.retain(|oid, _| wanted.binary_search_by(|(w, _)| w.cmp(oid)).is_ok());
    let dropped = before - bodies.len();
    wanted.retain(|(oid, _)| !bodies.contains_key(oid));
    pool::pack_order(repo, &mut wanted, |(oid, _)| Some(*oid));
    let read = pool::map(repo, &wanted, |repo, buf: &mut Vec<u8>, (oid, path)| {
        use gix::objs::FindExt;
        let blob = repo
            .objects
            .find_blob(oid, buf)
            .map_err(|e| HistoryError::objects(format!("reading {path}"), e))?;
        let body = std::str::from_utf8(blob.data)
            .ok()
            .and_then(|text| crate::load::frontmatter::split(text)?.ok())
            .map(|split| crate::load::frontmatter::normalise_body(split.body));
        Ok((*oid, body))
    })?;
    let read_now = read.len();
    bodies.extend(read);
    if let Some(kept) = kept.filter(|k| k.write && (read_now > 0 || dropped > 0)) {
        texts::store(kept.path, kept.salt, &bodies);
    }
    Ok(found
        .into_iter()
        .map(|found| {
            let found = found?;
            let (approved_by, approved_on) = found.approval;
            let earlier_body = found
                .previous
                .as_ref()
                .and_then(|v| bodies.get(&v.blob).cloned().flatten());
            Some(PreviousApproval {
                approved_by,
                approved_on,
                current: approved_text(found.current),
                previous: found.previous.map(approved_text),
                earlier_body,
            })
        })
        .collect())
}

/// Everything except the working-tree status: commits, changes, fingerprints
/// and the per-document replay.
fn walk(
    repo: gix::Repository,
    start: Option<Oid>,
    git_dir: &Path,
    prefix: &str,
    docs: &[String],
    fingerprint: &FingerprintFn,
    options: &HistoryOptions,
) -> Result<Walked, HistoryError> {
    let mut stats = HistoryStats::default();
    let head = match start {
        Some(commit) => Some(commit),
        None => repo
            .head()
            .map_err(|e| HistoryError::objects("reading HEAD", e))?
            .try_peel_to_id()
            .map_err(|e| HistoryError::objects("resolving HEAD", e))?
            .map(|id| id.detach()),
    };
    let Some(head) = head else {
        return Ok(Walked {
            head: None,
            commits: Vec::new(),
            per_doc: docs
                .iter()
                .map(|_| follow::DocResult::not_in_head())
                .collect(),
            previous: docs.iter().map(|_| None).collect(),
            stats,
        });
    };

    let cache_file = cache::path(git_dir);
    let key = cache::Key {
        salt: &options.cache_salt,
        prefix,
    };
    let mut loaded = if options.use_cache {
        match crate::timing::step("history: cache read", || cache::load(&cache_file, &key)) {
            Ok(Some(loaded)) => {
                stats.cache_read = true;
                loaded
            }
            Ok(None) => cache::Loaded::default(),
            Err(problem) => {
                stats.cache_problem = Some(problem);
                cache::Loaded::default()
            }
        }
    } else {
        cache::Loaded::default()
    };
    let cached_commits = loaded.commits.len();
    let cached_blobs = loaded.blobs.len();
    let cache_head_root = loaded.head.as_ref().map(|h| h.root);
    let cache_was_read = stats.cache_read;

    let shallow_ids = graph::shallow_ids(&repo)?;
    let mut commits = crate::timing::step("history: commits", || {
        graph::collect(
            &repo,
            head,
            std::mem::take(&mut loaded.commits),
            &shallow_ids,
        )
    })?;
    stats.commits = commits.len();
    stats.commits_computed = commits.iter().filter(|c| c.fresh).count();
    // Commits at the edge of a shallow history are recomputed on every run
    // (they may gain parents), so they never make the cache stale.
    let fresh_cacheable = commits.iter().filter(|c| c.fresh && !c.cut).count();
    crate::timing::step("history: roots", || {
        diff::compute_roots(&repo, prefix, &mut commits)
    })?;

    // The versions at HEAD, for head_fingerprint and to seed the replay.
    let head_root = commits.first().and_then(|c| c.root);
    let listed = match loaded.head.take() {
        Some(listed) if listed.root == head_root => listed,
        _ => cache::HeadFiles {
            root: head_root,
            files: diff::list_md(&repo, head_root)?,
        },
    };
    let listing_cached = stats.cache_read && cache_head_root == Some(head_root);
    let head_files: HashMap<&str, Oid> = listed
        .files
        .iter()
        .map(|(path, blob)| (path.as_str(), *blob))
        .collect();
    let head_blobs: Vec<Option<Oid>> = docs
        .iter()
        .map(|d| head_files.get(d.as_str()).copied())
        .collect();

    crate::timing::step("history: tree diffs", || {
        diff::compute_changes(&repo, &mut commits)
    })?;

    let mut blobs = std::mem::take(&mut loaded.blobs);
    let mut wanted: HashSet<Oid> = HashSet::new();
    for commit in &commits {
        for change in &commit.changes {
            wanted.extend(change.new);
            wanted.extend(change.old.iter().flatten());
        }
    }
    wanted.extend(head_blobs.iter().flatten());
    let missing: Vec<Oid> = wanted
        .iter()
        .filter(|oid| !blobs.contains_key(*oid))
        .copied()
        .collect();
    stats.blobs_fingerprinted = missing.len();
    let computed = crate::timing::step("history: blobs", || {
        pool::fingerprint_blobs(&repo, &missing, fingerprint)
    })?;
    if blobs.is_empty() {
        blobs = computed;
    } else {
        blobs.extend(computed);
    }

    // Rewrite the cache when something new was computed, or when the file
    // holds entries this HEAD no longer reaches (pruning keeps it bounded).
    let reused_commits = commits.iter().filter(|c| !c.fresh).count();
    let reused_blobs = wanted.len() - missing.len();
    // The history at another commit only reads the cache: writing it would
    // prune what HEAD needs.
    let store = options.use_cache
        && start.is_none()
        && (!cache_was_read
            || !listing_cached
            || fresh_cacheable > 0
            || stats.blobs_fingerprinted > 0
            || cached_commits != reused_commits
            || cached_blobs != reused_blobs);
    // Writing the cache and the replay only read what is computed by now.
    let (mut per_doc, stored) = rayon::join(
        || {
            crate::timing::step("history: replay", || {
                follow::replay(&commits, docs, &head_blobs, &blobs)
            })
        },
        || store.then(|| cache::store(&cache_file, &key, &commits, &blobs, &wanted, &listed)),
    );
    match stored {
        Some(Ok(())) => stats.cache_written = true,
        Some(Err(problem)) => stats.cache_problem = Some(problem),
        None => {}
    }

    let texts_file = texts::path(git_dir);
    let kept = options.use_cache.then(|| KeptTexts {
        path: &texts_file,
        salt: &options.cache_salt,
        // As for the history cache: the history at another commit only
        // reads, so as not to prune what HEAD needs.
        write: start.is_none(),
    });
    let previous = crate::timing::step("history: previous approvals", || {
        previous_approvals(&repo, &mut per_doc, !options.skip_earlier_texts, kept)
    })?;
    let infos = commits
        .iter_mut()
        .map(|c| CommitInfo {
            id: c.id.to_string(),
            time: c.time,
            offset_minutes: c.offset,
            author: std::mem::take(&mut c.author),
            subject: std::mem::take(&mut c.subject),
        })
        .collect();
    drop(head_files);
    free_later(
        commits.len() >= FREE_LATER_FROM,
        (commits, blobs, wanted, listed),
    );
    Ok(Walked {
        head: Some(head.to_string()),
        commits: infos,
        per_doc,
        previous,
        stats,
    })
}
