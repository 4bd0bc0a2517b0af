//! The commits reachable from HEAD, in topological order.

use std::collections::{HashMap, HashSet};

use git2::{ErrorCode, ObjectType, Odb, Oid, Repository};

use super::commit;
use super::pack::{Kind, Packs, Reader};
use super::HistoryError;

/// A `.md` file whose blob differs between a commit and its first parent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct FileChange {
    /// Path relative to the ISMS root.
    pub path: String,
    /// Blob at the commit, `None` when the file was deleted.
    pub new: Option<Oid>,
    /// Blob at the same path in each parent (same order as
    /// [`Commit::parents`]); empty for a root commit.
    pub old: Vec<Option<Oid>>,
}

/// One commit and what it changed under the ISMS root.
#[derive(Clone, Debug)]
pub(super) struct Commit {
    pub id: Oid,
    /// Parents present in the repository, in commit order.
    pub parents: Vec<Oid>,
    /// Positions of `parents` in the ordered commit list.
    pub parent_idx: Vec<usize>,
    /// Some parent is missing: a shallow-clone boundary or a damaged
    /// repository. What this commit changed relative to it is unknown.
    pub cut: bool,
    pub time: i64,
    pub offset: i32,
    pub author: String,
    pub subject: String,
    /// The commit's tree; known for commits read from git in this run.
    pub tree: Option<Oid>,
    /// The ISMS-root subtree, `None` when the folder does not exist there.
    pub root: Option<Oid>,
    /// Changed `.md` files relative to the first parent (see
    /// [`FileChange`]). Empty for commits that leave the root alone and
    /// for cut commits without parents.
    pub changes: Vec<FileChange>,
    /// Read from git in this run, so `root` and `changes` still have to be
    /// computed.
    pub fresh: bool,
}

/// Commits listed as shallow-clone boundaries (`<common dir>/shallow`).
///
/// Read directly so the boundary is known whether or not libgit2 hides the
/// missing parents.
pub(super) fn shallow_ids(repo: &Repository) -> HashSet<Oid> {
    let Ok(text) = std::fs::read_to_string(repo.commondir().join("shallow")) else {
        return HashSet::new();
    };
    text.lines()
        .filter_map(|line| Oid::from_str(line.trim()).ok())
        .collect()
}

/// Reads commits: the raw object from the pack reader (or the object
/// database for loose ones), parsed by `commit`; libgit2's commit objects
/// for anything that parser leaves alone.
struct Loader<'r> {
    repo: &'r Repository,
    odb: Odb<'r>,
    reader: Reader<'r>,
}

impl Loader<'_> {
    fn load(&mut self, id: Oid, shallow: &HashSet<Oid>) -> Result<Commit, git2::Error> {
        match self.raw(id).as_deref().and_then(commit::parse) {
            Some(parsed) => {
                // See `has_parents_on_record` for why the raw object decides.
                let boundary = shallow.contains(&id) && !parsed.parents.is_empty();
                Ok(Commit {
                    id,
                    parents: if boundary { Vec::new() } else { parsed.parents },
                    parent_idx: Vec::new(),
                    cut: boundary,
                    time: parsed.time,
                    offset: parsed.offset,
                    author: parsed.author,
                    subject: parsed.subject,
                    tree: Some(parsed.tree),
                    root: None,
                    changes: Vec::new(),
                    fresh: true,
                })
            }
            None => load(self.repo, id, shallow),
        }
    }

    /// The raw commit, `None` when it cannot be read this way.
    fn raw(&mut self, id: Oid) -> Option<Vec<u8>> {
        match self.reader.read_once(id) {
            Some((Kind::Commit, data)) => Some(data),
            Some(_) => None,
            None => {
                let object = self.odb.read(id).ok()?;
                (object.kind() == ObjectType::Commit).then(|| object.data().to_vec())
            }
        }
    }
}

fn load(repo: &Repository, id: Oid, shallow: &HashSet<Oid>) -> Result<Commit, git2::Error> {
    let commit = repo.find_commit(id)?;
    let author = commit.author();
    let when = author.when();
    let boundary = shallow.contains(&id) && has_parents_on_record(repo, id)?;
    let parents = if boundary {
        Vec::new()
    } else {
        commit.parent_ids().collect()
    };
    Ok(Commit {
        id,
        parents,
        parent_idx: Vec::new(),
        cut: boundary,
        time: when.seconds(),
        offset: when.offset_minutes(),
        author: String::from_utf8_lossy(author.name_bytes()).into_owned(),
        subject: commit
            .summary_bytes()
            .map(|s| String::from_utf8_lossy(s).into_owned())
            .unwrap_or_default(),
        tree: Some(commit.tree_id()),
        root: None,
        changes: Vec::new(),
        fresh: true,
    })
}

/// Whether the stored commit object names any parent. A clone as deep as
/// the whole history still lists its root commit as shallow; that commit has
/// no parents to miss. Read from the raw object because libgit2 may hide the
/// parents of shallow commits.
fn has_parents_on_record(repo: &Repository, id: Oid) -> Result<bool, git2::Error> {
    let odb = repo.odb()?;
    let object = odb.read(id)?;
    let data = object.data();
    let header_end = data
        .windows(2)
        .position(|w| w == b"\n\n")
        .unwrap_or(data.len());
    Ok(data[..header_end]
        .split(|&b| b == b'\n')
        .any(|line| line.starts_with(b"parent ")))
}

/// Collects every commit reachable from `head`, taking what it can from
/// `cached` and reading the rest from git, and returns them children first.
/// `seen` is told about each commit as soon as it is found, so that work on
/// it can start while the walk goes on.
pub(super) fn collect(
    repo: &Repository,
    packs: &Packs,
    head: Oid,
    mut cached: HashMap<Oid, Commit>,
    shallow: &HashSet<Oid>,
    seen: &mut dyn FnMut(&Commit),
) -> Result<Vec<Commit>, HistoryError> {
    let mut loader = Loader {
        repo,
        odb: repo
            .odb()
            .map_err(|e| HistoryError::git("opening the object database", e))?,
        reader: Reader::new(packs),
    };
    let mut found: HashMap<Oid, Commit> = HashMap::new();
    let mut missing: HashSet<Oid> = HashSet::new();
    let mut stack = vec![head];
    while let Some(id) = stack.pop() {
        if found.contains_key(&id) || missing.contains(&id) {
            continue;
        }
        let commit = match cached.remove(&id) {
            Some(commit) if !shallow.contains(&id) => commit,
            _ => match loader.load(id, shallow) {
                Ok(commit) => commit,
                Err(e) if e.code() == ErrorCode::NotFound && id != head => {
                    missing.insert(id);
                    continue;
                }
                Err(e) => return Err(HistoryError::git(format!("reading commit {id}"), e)),
            },
        };
        for parent in commit.parents.iter().rev() {
            if !found.contains_key(parent) {
                stack.push(*parent);
            }
        }
        seen(&commit);
        found.insert(id, commit);
    }

    if !missing.is_empty() {
        for commit in found.values_mut() {
            if commit.parents.iter().any(|p| missing.contains(p)) {
                if !commit.fresh {
                    // Its stored changes were against a parent that is gone.
                    *commit = load(repo, commit.id, shallow).map_err(|e| {
                        HistoryError::git(format!("reading commit {}", commit.id), e)
                    })?;
                }
                commit.parents.retain(|p| !missing.contains(p));
                commit.cut = true;
            }
        }
    }
    Ok(order(head, found))
}

/// Topological order, children before parents, from the graph alone.
///
/// Kahn's algorithm with a stack: after a commit, its first parent comes
/// next when all of that parent's children are out, so each line of history
/// is listed without interleaving. Dates play no part.
fn order(head: Oid, mut found: HashMap<Oid, Commit>) -> Vec<Commit> {
    let mut children: HashMap<Oid, usize> = HashMap::with_capacity(found.len());
    for commit in found.values() {
        for parent in &commit.parents {
            *children.entry(*parent).or_insert(0) += 1;
        }
    }
    let mut ordered: Vec<Commit> = Vec::with_capacity(found.len());
    let mut stack = vec![head];
    while let Some(id) = stack.pop() {
        let Some(commit) = found.remove(&id) else {
            continue;
        };
        for parent in commit.parents.iter().rev() {
            if let Some(count) = children.get_mut(parent) {
                *count -= 1;
                if *count == 0 {
                    stack.push(*parent);
                }
            }
        }
        ordered.push(commit);
    }
    let position: HashMap<Oid, usize> =
        ordered.iter().enumerate().map(|(i, c)| (c.id, i)).collect();
    for commit in &mut ordered {
        commit.parent_idx = commit
            .parents
            .iter()
            .filter_map(|p| position.get(p).copied())
            .collect();
    }
    ordered
}
