//! The commits reachable from HEAD, in topological order.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

use gix::objs::{Exists, FindExt};
use gix::revision::walk::Sorting;

use super::{pool, HistoryError, Oid};

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
pub(super) fn shallow_ids(repo: &gix::Repository) -> Result<HashSet<Oid>, HistoryError> {
    let listed = repo
        .shallow_commits()
        .map_err(|e| HistoryError::objects("reading the list of shallow commits", e))?;
    Ok(listed
        .map(|ids| ids.iter().copied().collect())
        .unwrap_or_default())
}

/// Reads one commit from the object database.
///
/// A commit listed as shallow that names parents is a boundary: its parents
/// are not in the repository, so they are dropped and the commit is `cut`.
/// A clone as deep as the whole history still lists its root commit as
/// shallow; that commit has no parents to miss.
fn load(
    repo: &gix::Repository,
    buf: &mut Vec<u8>,
    id: Oid,
    shallow: &HashSet<Oid>,
) -> Result<Commit, HistoryError> {
    let context = || format!("reading commit {id}");
    let commit = repo
        .objects
        .find_commit(&id, buf)
        .map_err(|e| HistoryError::objects(context(), e))?;
    let author = commit
        .author()
        .map_err(|e| HistoryError::objects(context(), e))?;
    let when = author.time().unwrap_or_default();
    let parents: Vec<Oid> = commit.parents().collect();
    let boundary = shallow.contains(&id) && !parents.is_empty();
    Ok(Commit {
        id,
        parents: if boundary { Vec::new() } else { parents },
        parent_idx: Vec::new(),
        cut: boundary,
        time: when.seconds,
        offset: when.offset / 60,
        author: String::from_utf8_lossy(author.name).into_owned(),
        subject: String::from_utf8_lossy(&commit.message().summary()).into_owned(),
        tree: Some(commit.tree()),
        root: None,
        changes: Vec::new(),
        fresh: true,
    })
}

/// Collects every commit reachable from `head`, taking what it can from
/// `cached` and reading the rest from git, and returns them children first.
///
/// Commits in the cache name their parents, so they are followed without
/// reading anything. From the first commits the cache lacks, gitoxide's
/// commit walk finds the rest (from the commit-graph file where the
/// repository has one, so that commits need not be decoded just to find
/// their parents; it stops at shallow boundaries and at commits in the
/// cache). A parent whose object is missing (a damaged copy) is not walked:
/// the commits naming it are `cut`. The commits not in the cache are then
/// decoded on all cores, each thread with its own object database handle.
pub(super) fn collect(
    repo: &gix::Repository,
    head: Oid,
    mut cached: HashMap<Oid, Commit>,
    shallow: &HashSet<Oid>,
) -> Result<Vec<Commit>, HistoryError> {
    let mut missing: HashSet<Oid> = HashSet::new();
    let mut found: HashMap<Oid, Commit> = HashMap::new();
    let mut to_load: Vec<Oid> = Vec::new();
    let mut walked: HashSet<Oid> = HashSet::new();
    let mut stack = vec![head];
    loop {
        // Through the cache first: its commits name their parents, so
        // nothing needs reading. Commits it lacks are where the walk starts.
        let mut tips = Vec::new();
        while let Some(id) = stack.pop() {
            if found.contains_key(&id) || walked.contains(&id) || missing.contains(&id) {
                continue;
            }
            match cached.remove(&id) {
                Some(commit) if !shallow.contains(&id) => {
                    stack.extend(commit.parents.iter().copied());
                    found.insert(id, commit);
                }
                _ if id != head && !repo.objects.exists(&id) => {
                    missing.insert(id);
                }
                _ => tips.push(id),
            }
        }
        if tips.is_empty() {
            break;
        }
        // gitoxide's walk from there, stopping at commits already found or
        // in the cache (those go back to the loop above).
        let reached_cache: RefCell<Vec<Oid>> = RefCell::new(Vec::new());
        let gone: RefCell<Vec<Oid>> = RefCell::new(Vec::new());
        let walk = repo
            .rev_walk(tips)
            .sorting(Sorting::BreadthFirst)
            .selected(|id| {
                if found.contains_key(id) || walked.contains(id) {
                    return false;
                }
                if cached.contains_key(id) && !shallow.contains(id) {
                    reached_cache.borrow_mut().push(id.to_owned());
                    return false;
                }
                let exists = repo.objects.exists(id);
                if !exists {
                    gone.borrow_mut().push(id.to_owned());
                }
                exists
            })
            .map_err(|e| HistoryError::objects("starting the commit walk", e))?;
        let mut new = Vec::new();
        for info in walk {
            let info = info.map_err(|e| HistoryError::objects("walking the commits", e))?;
            new.push(info.id);
        }
        walked.extend(new.iter().copied());
        to_load.extend(new);
        missing.extend(gone.into_inner());
        stack.extend(reached_cache.into_inner());
    }

    let loaded = pool::map(repo, &to_load, |repo, buf, id| {
        load(repo, buf, *id, shallow)
    })?;
    found.extend(loaded.into_iter().map(|c| (c.id, c)));

    if !missing.is_empty() {
        for commit in found.values_mut() {
            if commit.parents.iter().any(|p| missing.contains(p)) {
                if !commit.fresh {
                    // Its stored changes were against a parent that is gone.
                    *commit = load(repo, &mut Vec::new(), commit.id, shallow)?;
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
