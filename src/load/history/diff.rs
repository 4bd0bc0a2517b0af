//! Which `.md` files each commit changed under the ISMS root.
//!
//! Trees are compared entry by entry and only where object ids differ: a
//! commit that leaves the ISMS root alone costs one id comparison, and one
//! that edits a file reads only the trees on the path to it. This is much
//! cheaper than a general diff, which also looks at content and renames.
//! Trees are read as raw objects and parsed in place, without building
//! libgit2 tree objects.

use std::cmp::Ordering;
use std::collections::VecDeque;
use std::path::Path;
use std::sync::mpsc::{Receiver, TryRecvError};
use std::sync::Arc;

use git2::{ObjectType, Odb, Oid, Repository};
use rayon::prelude::*;

use super::graph::{Commit, FileChange};
use super::pack::{Bytes, FastMap, Kind, Packs, Reader};
use super::HistoryError;

const MODE_TREE: u32 = 0o040000;
const MODE_FILE: u32 = 0o100644;
const MODE_EXEC: u32 = 0o100755;

/// Length of a SHA-1 object id in a raw tree entry.
const RAW_ID: usize = 20;

/// Trees kept in memory; neighbouring commits share most of theirs.
const TREE_CACHE: usize = 1024;

/// One entry of a raw tree object: `<octal mode> <name>\0<20-byte id>`.
struct Entry<'a> {
    mode: u32,
    name: &'a [u8],
    id: &'a [u8],
}

impl Entry<'_> {
    fn is_tree(&self) -> bool {
        self.mode == MODE_TREE
    }

    fn oid(&self) -> Result<Oid, git2::Error> {
        Oid::from_bytes(self.id)
    }
}

fn not_a_tree(id: Oid) -> git2::Error {
    git2::Error::from_str(&format!("{id} is not a tree"))
}

fn malformed() -> git2::Error {
    git2::Error::from_str("malformed tree object")
}

/// The entries of a raw tree object, in stored (sorted) order.
///
/// Parsing in place avoids building libgit2 tree objects, which allocate
/// per entry and dominate the cost on large folders.
struct Entries<'a> {
    data: &'a [u8],
}

impl<'a> Iterator for Entries<'a> {
    type Item = Result<Entry<'a>, git2::Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.data.is_empty() {
            return None;
        }
        let parsed = (|| {
            let space = self.data.iter().position(|&b| b == b' ')?;
            let mut mode = 0u32;
            for &digit in &self.data[..space] {
                if !(b'0'..=b'7').contains(&digit) {
                    return None;
                }
                mode = mode.checked_mul(8)? + u32::from(digit - b'0');
            }
            let rest = &self.data[space + 1..];
            let nul = rest.iter().position(|&b| b == 0)?;
            let id = rest.get(nul + 1..nul + 1 + RAW_ID)?;
            let entry = Entry {
                mode,
                name: &rest[..nul],
                id,
            };
            Some((entry, &rest[nul + 1 + RAW_ID..]))
        })();
        match parsed {
            Some((entry, rest)) => {
                self.data = rest;
                Some(Ok(entry))
            }
            None => {
                self.data = &[];
                Some(Err(malformed()))
            }
        }
    }
}

/// A raw tree object, shared between the cache and the comparisons in
/// progress without copying its bytes.
type Raw = Bytes;

/// Reader of raw tree objects with a small cache of recent ones.
///
/// Trees come from the pack reader (fast, see `pack`); libgit2 reads the
/// ones it cannot (loose objects, alternates).
struct Trees<'r> {
    odb: Odb<'r>,
    reader: Reader<'r>,
    cache: FastMap<Oid, Raw>,
}

impl<'r> Trees<'r> {
    fn new(repo: &'r Repository, reader: Reader<'r>) -> Result<Self, git2::Error> {
        Ok(Trees {
            odb: repo.odb()?,
            reader,
            cache: FastMap::default(),
        })
    }

    fn get(&mut self, id: Oid) -> Result<Raw, git2::Error> {
        if let Some(tree) = self.cache.get(&id) {
            return Ok(Arc::clone(tree));
        }
        let tree = match self.reader.read(id) {
            Some((Kind::Tree, data)) => data,
            Some(_) => return Err(not_a_tree(id)),
            None => {
                let object = self.odb.read(id)?;
                if object.kind() != ObjectType::Tree {
                    return Err(not_a_tree(id));
                }
                Arc::new(object.data().to_vec())
            }
        };
        if self.cache.len() >= TREE_CACHE {
            self.cache.clear();
        }
        self.cache.insert(id, Arc::clone(&tree));
        Ok(tree)
    }

    /// The bytes of tree `id`, empty for `None`.
    fn bytes(&mut self, id: Option<Oid>) -> Result<Option<Raw>, git2::Error> {
        id.map(|id| self.get(id)).transpose()
    }

    /// The entry at `path` (`/`-separated) below tree `root`, as `(mode, id)`.
    fn lookup(&mut self, root: Oid, path: &str) -> Result<Option<(u32, Oid)>, git2::Error> {
        let mut current = root;
        let mut parts = path.split('/').filter(|p| !p.is_empty()).peekable();
        while let Some(part) = parts.next() {
            let tree = self.get(current)?;
            let mut found = None;
            for entry in (Entries { data: &tree }) {
                let entry = entry?;
                if entry.name == part.as_bytes() {
                    found = Some((entry.mode, entry.oid()?));
                    break;
                }
            }
            match found {
                None => return Ok(None),
                Some(found) if parts.peek().is_none() => return Ok(Some(found)),
                Some((mode, id)) if mode == MODE_TREE => current = id,
                Some(_) => return Ok(None),
            }
        }
        Ok(Some((MODE_TREE, root)))
    }

    /// The blob at `path` below tree `root`, if there is a regular file.
    fn blob_at(&mut self, root: Option<Oid>, path: &str) -> Result<Option<Oid>, git2::Error> {
        let Some(root) = root else {
            return Ok(None);
        };
        Ok(match self.lookup(root, path)? {
            Some((mode, id)) if is_file(mode) => Some(id),
            _ => None,
        })
    }

    /// The subtree at `prefix` below tree `tree`.
    fn subtree(&mut self, tree: Oid, prefix: &str) -> Result<Option<Oid>, git2::Error> {
        Ok(match self.lookup(tree, prefix)? {
            Some((MODE_TREE, id)) => Some(id),
            _ => None,
        })
    }

    /// Appends `(path, old blob, new blob)` for every `.md` file that differs
    /// between the trees `old` and `new` (either may be absent).
    fn diff(
        &mut self,
        old: Option<Oid>,
        new: Option<Oid>,
        base: &mut String,
        out: &mut Vec<(String, Option<Oid>, Option<Oid>)>,
    ) -> Result<(), git2::Error> {
        if old == new {
            return Ok(());
        }
        let old_tree = self.bytes(old)?;
        let new_tree = self.bytes(new)?;
        let old_bytes = old_tree.as_deref().map_or(&[][..], Vec::as_slice);
        let new_bytes = new_tree.as_deref().map_or(&[][..], Vec::as_slice);
        // Versions of a large folder usually differ in one or two entries:
        // skip the identical run at the start with a plain byte comparison.
        let start = shared_entries(old_bytes, new_bytes);
        let mut olds = Entries {
            data: &old_bytes[start..],
        };
        let mut news = Entries {
            data: &new_bytes[start..],
        };
        let mut a = olds.next().transpose()?;
        let mut b = news.next().transpose()?;
        loop {
            let order = match (&a, &b) {
                (Some(x), Some(y)) => entry_order(x.name, x.is_tree(), y.name, y.is_tree()),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => break,
            };
            match order {
                Ordering::Less => {
                    self.compare(a.as_ref(), None, base, out)?;
                    a = olds.next().transpose()?;
                }
                Ordering::Greater => {
                    self.compare(None, b.as_ref(), base, out)?;
                    b = news.next().transpose()?;
                }
                Ordering::Equal => {
                    // Same key, so same kind; equal ids mean nothing below differs.
                    let same =
                        matches!((&a, &b), (Some(x), Some(y)) if x.id == y.id && x.mode == y.mode);
                    if !same {
                        self.compare(a.as_ref(), b.as_ref(), base, out)?;
                    }
                    // In step again after a difference: skip the next
                    // identical run the same way as the first one.
                    if olds.data.len() == news.data.len() {
                        let skip = shared_entries(olds.data, news.data);
                        olds.data = &olds.data[skip..];
                        news.data = &news.data[skip..];
                    }
                    a = olds.next().transpose()?;
                    b = news.next().transpose()?;
                }
            }
        }
        Ok(())
    }

    /// Handles one pair of entries with the same sort key that differ.
    fn compare(
        &mut self,
        left: Option<&Entry<'_>>,
        right: Option<&Entry<'_>>,
        base: &mut String,
        out: &mut Vec<(String, Option<Oid>, Option<Oid>)>,
    ) -> Result<(), git2::Error> {
        let Some(named) = left.or(right) else {
            return Ok(());
        };
        let name = named.name;
        if named.is_tree() {
            let old = left.map(Entry::oid).transpose()?;
            let new = right.map(Entry::oid).transpose()?;
            let len = base.len();
            base.push_str(&String::from_utf8_lossy(name));
            base.push('/');
            self.diff(old, new, base, out)?;
            base.truncate(len);
            return Ok(());
        }
        if !is_markdown(name) {
            return Ok(());
        }
        let blob = |e: Option<&Entry<'_>>| -> Result<Option<Oid>, git2::Error> {
            match e {
                Some(e) if is_file(e.mode) => Ok(Some(e.oid()?)),
                _ => Ok(None),
            }
        };
        let (old, new) = (blob(left)?, blob(right)?);
        if old != new {
            let mut path = base.clone();
            path.push_str(&String::from_utf8_lossy(name));
            out.push((path, old, new));
        }
        Ok(())
    }
}

/// Length of the leading run of whole entries that two raw trees share.
///
/// Entries cannot be found by scanning backwards (object ids are binary),
/// so this finds the first differing byte and then walks entry boundaries
/// forward up to it, which only looks for the NUL after each name.
fn shared_entries(old: &[u8], new: &[u8]) -> usize {
    let differ = first_difference(old, new);
    if differ == new.len() && differ == old.len() {
        return differ;
    }
    let mut at = 0;
    loop {
        let Some(nul) = find_nul(&new[at..]) else {
            return at;
        };
        let end = at + nul + 1 + RAW_ID;
        if end > differ {
            return at;
        }
        at = end;
    }
}

/// Position of the first byte where `a` and `b` differ (the shorter length
/// when one is a prefix of the other): large blocks first, so that the
/// common case (a long identical run) is a few `memcmp` calls.
fn first_difference(a: &[u8], b: &[u8]) -> usize {
    let len = a.len().min(b.len());
    let mut at = 0;
    for block in [4096, 64] {
        while at + block <= len && a[at..at + block] == b[at..at + block] {
            at += block;
        }
    }
    at + a[at..len]
        .iter()
        .zip(&b[at..len])
        .position(|(x, y)| x != y)
        .unwrap_or(len - at)
}

/// Position of the first NUL byte, eight bytes at a time.
fn find_nul(data: &[u8]) -> Option<usize> {
    const LOW: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut chunks = data.chunks_exact(8);
    let mut at = 0;
    for chunk in chunks.by_ref() {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let word = u64::from_le_bytes(word);
        // Sets the high bit of the first zero byte (and maybe of later ones).
        let zero = word.wrapping_sub(LOW) & !word & HIGH;
        if zero != 0 {
            return Some(at + (zero.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&b| b == 0)
        .map(|p| at + p)
}

fn is_file(mode: u32) -> bool {
    mode == MODE_FILE || mode == MODE_EXEC
}

fn is_markdown(name: &[u8]) -> bool {
    name.len() > 3 && name[name.len() - 3..].eq_ignore_ascii_case(b".md")
}

/// Git's order of tree entries: by name bytes, a tree's name compared as if
/// it ended in `/`.
fn entry_order(a: &[u8], a_tree: bool, b: &[u8], b_tree: bool) -> Ordering {
    let common = a.len().min(b.len());
    match a[..common].cmp(&b[..common]) {
        Ordering::Equal => {}
        other => return other,
    }
    let end = |tree: bool| if tree { b'/' } else { 0 };
    let ca = a.get(common).copied().unwrap_or(end(a_tree));
    let cb = b.get(common).copied().unwrap_or(end(b_tree));
    ca.cmp(&cb)
}

/// Every `.md` file below the tree `root`, with its blob.
pub(super) fn list_md(
    repo: &Repository,
    packs: &Packs,
    root: Option<Oid>,
) -> Result<Vec<(String, Oid)>, HistoryError> {
    let mut out = Vec::new();
    let mut trees = Trees::new(repo, Reader::new(packs)).map_err(odb_error)?;
    trees
        .diff(None, root, &mut String::new(), &mut out)
        .map_err(|e| HistoryError::git("listing the files at HEAD", e))?;
    Ok(out
        .into_iter()
        .filter_map(|(path, _, new)| new.map(|oid| (path, oid)))
        .collect())
}

/// What the commit walk reports about each commit it finds.
pub(super) struct Seen {
    id: Oid,
    tree: Option<Oid>,
    /// The ISMS root, known already for commits from the cache.
    root: Option<Oid>,
    parents: Vec<Oid>,
    fresh: bool,
    cut: bool,
}

impl Seen {
    pub(super) fn of(commit: &Commit) -> Self {
        Seen {
            id: commit.id,
            tree: commit.tree,
            root: commit.root,
            parents: commit.parents.clone(),
            fresh: commit.fresh,
            cut: commit.cut,
        }
    }
}

/// Roots and changes computed while the commits were still being walked.
#[derive(Default)]
pub(super) struct Early {
    /// ISMS root of fresh commits.
    roots: FastMap<Oid, Option<Oid>>,
    /// Changes of fresh commits whose parents were all found.
    changes: FastMap<Oid, Vec<FileChange>>,
}

/// Compares commits with their parents while the walk is still reading
/// commits, on a core that would otherwise wait: the walk is sequential
/// (each commit names the next ones), so on its own it leaves all but one
/// core idle. A commit is compared as soon as all its parents have been
/// found, newest first; when the walk ends this stops, and
/// [`compute_changes`] does the rest on all cores.
///
/// Failures stop the early work quietly: the same work is then done again
/// later, where errors are reported.
pub(super) fn compare_while_walking(
    git_dir: &Path,
    packs: &Packs,
    prefix: &str,
    seen: Receiver<Seen>,
) -> Early {
    let mut early = Early::default();
    // Root of every commit found so far; jobs of fresh commits by id; ids
    // of commits waiting for a parent, by parent; jobs ready to run.
    let mut known: FastMap<Oid, Option<Oid>> = FastMap::default();
    let mut jobs: FastMap<Oid, (Option<Oid>, Vec<Oid>)> = FastMap::default();
    let mut waiting: FastMap<Oid, Vec<Oid>> = FastMap::default();
    let mut ready: VecDeque<Oid> = VecDeque::new();
    // Commits from the cache need nothing read: open the repository only
    // once a fresh one turns up (with an up-to-date cache, never).
    let mut pending = loop {
        match seen.recv() {
            Ok(item) if item.fresh => break Some(item),
            Ok(item) => {
                known.insert(item.id, item.root);
            }
            Err(_) => return early,
        }
    };
    let Ok(repo) = Repository::open(git_dir) else {
        return early;
    };
    let Ok(mut trees) = Trees::new(&repo, Reader::new(packs)) else {
        return early;
    };
    loop {
        // Take in what the walk found, waiting only when idle.
        loop {
            let item = if let Some(item) = pending.take() {
                item
            } else if ready.is_empty() {
                match seen.recv() {
                    Ok(item) => item,
                    Err(_) => return early,
                }
            } else {
                match seen.try_recv() {
                    Ok(item) => item,
                    Err(TryRecvError::Empty) => break,
                    Err(TryRecvError::Disconnected) => return early,
                }
            };
            let root = match (item.fresh, item.tree) {
                (false, _) => item.root,
                (true, None) => None,
                (true, Some(tree)) => match trees.subtree(tree, prefix) {
                    Ok(root) => root,
                    Err(_) => return early,
                },
            };
            known.insert(item.id, root);
            if item.fresh {
                early.roots.insert(item.id, root);
                if !item.cut {
                    match item.parents.iter().find(|p| !known.contains_key(p)) {
                        Some(parent) => waiting.entry(*parent).or_default().push(item.id),
                        None => ready.push_back(item.id),
                    }
                    jobs.insert(item.id, (root, item.parents));
                }
            }
            for child in waiting.remove(&item.id).unwrap_or_default() {
                let Some((_, parents)) = jobs.get(&child) else {
                    continue;
                };
                match parents.iter().find(|p| !known.contains_key(p)) {
                    Some(parent) => waiting.entry(*parent).or_default().push(child),
                    None => ready.push_back(child),
                }
            }
        }
        let Some(id) = ready.pop_front() else {
            continue;
        };
        let Some((root, parents)) = jobs.remove(&id) else {
            continue;
        };
        let parent_roots: Vec<Option<Oid>> = parents
            .iter()
            .map(|p| known.get(p).copied().flatten())
            .collect();
        match changes_of(&mut trees, root, &parent_roots) {
            Ok(changes) => {
                early.changes.insert(id, changes);
            }
            Err(_) => return early,
        }
    }
}

/// Fills in `root`, the ISMS-root subtree, of every fresh commit, taking
/// those found while walking from `early`.
pub(super) fn compute_roots(
    repo: &Repository,
    packs: &Packs,
    prefix: &str,
    commits: &mut [Commit],
    early: &Early,
) -> Result<(), HistoryError> {
    let mut trees = Trees::new(repo, Reader::new(packs)).map_err(odb_error)?;
    for commit in commits.iter_mut().filter(|c| c.fresh) {
        if let Some(root) = early.roots.get(&commit.id) {
            commit.root = *root;
            continue;
        }
        if let Some(tree) = commit.tree {
            commit.root = trees.subtree(tree, prefix).map_err(|e| {
                HistoryError::git(format!("reading the tree of commit {}", commit.id), e)
            })?;
        }
    }
    Ok(())
}

fn odb_error(e: git2::Error) -> HistoryError {
    HistoryError::git("opening the object database", e)
}

/// A fresh commit to compare with its parents: position, id, ISMS root and
/// the parents' ISMS roots.
type Job = (usize, Oid, Option<Oid>, Vec<Option<Oid>>);

/// The changes found for a run of jobs, by commit position.
type Found = Result<Vec<(usize, Vec<FileChange>)>, HistoryError>;

/// Fills in `changes` of every fresh commit (roots must be known).
///
/// Commits are visited in topological order, so each commit's parent trees
/// are the ones read just before. With more than one thread the commits are
/// split into contiguous runs, each read with its own pack reader (which
/// shares nothing with the others but the file windows) and its own handle
/// for the objects libgit2 has to read.
pub(super) fn compute_changes(
    repo: &Repository,
    packs: &Packs,
    commits: &mut [Commit],
    mut early: Early,
) -> Result<(), HistoryError> {
    // Early results were compared with the same parents: a commit whose
    // parent turned out to be missing never had all its parents found.
    let jobs: Vec<Job> = commits
        .iter()
        .enumerate()
        .filter(|(_, c)| c.fresh && !(c.cut && c.parent_idx.is_empty()))
        .filter(|(_, c)| !early.changes.contains_key(&c.id))
        .map(|(i, c)| {
            let parents = c.parent_idx.iter().map(|&p| commits[p].root).collect();
            (i, c.id, c.root, parents)
        })
        .collect();
    let work = |repo: &Repository, part: &[Job]| -> Found {
        let mut trees = Trees::new(repo, Reader::new(packs)).map_err(odb_error)?;
        part.iter()
            .map(|(index, id, root, parents)| {
                let changes = changes_of(&mut trees, *root, parents)
                    .map_err(|e| HistoryError::git(format!("comparing commit {id}"), e))?;
                Ok((*index, changes))
            })
            .collect()
    };
    let threads = rayon::current_num_threads();
    let results = if threads > 1 && jobs.len() >= 2 * threads {
        let git_dir = repo.path();
        // A few runs per thread balance the load; each run starts with cold
        // caches, so not more.
        let chunk = jobs.len().div_ceil(threads * 2);
        let parts: Vec<Found> = jobs
            .par_chunks(chunk)
            .map(|part| {
                let own = Repository::open(git_dir)
                    .map_err(|e| HistoryError::git("opening the repository again", e))?;
                work(&own, part)
            })
            .collect();
        let mut all = Vec::with_capacity(jobs.len());
        for part in parts {
            all.extend(part?);
        }
        all
    } else {
        work(repo, &jobs)?
    };
    for (index, changes) in results {
        commits[index].changes = changes;
    }
    for commit in commits.iter_mut().filter(|c| c.fresh) {
        if let Some(changes) = early.changes.remove(&commit.id) {
            commit.changes = changes;
        }
    }
    Ok(())
}

/// The changes of one commit relative to its first parent, with the blob of
/// every other parent at each changed path (for merge simplification).
fn changes_of(
    trees: &mut Trees<'_>,
    root: Option<Oid>,
    parents: &[Option<Oid>],
) -> Result<Vec<FileChange>, git2::Error> {
    let first = parents.first().copied().flatten();
    if !parents.is_empty() && first == root {
        return Ok(Vec::new());
    }
    let mut raw = Vec::new();
    trees.diff(first, root, &mut String::new(), &mut raw)?;
    let mut out = Vec::with_capacity(raw.len());
    for (path, old, new) in raw {
        let mut olds = Vec::with_capacity(parents.len());
        if !parents.is_empty() {
            olds.push(old);
            for other in &parents[1..] {
                olds.push(trees.blob_at(*other, &path)?);
            }
        }
        out.push(FileChange {
            path,
            new,
            old: olds,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tree_entries_sort_like_git() {
        // "a.md" < "a/" because '.' < '/'; "a/" < "a0" because '/' < '0'.
        assert_eq!(entry_order(b"a.md", false, b"a", true), Ordering::Less);
        assert_eq!(entry_order(b"a", true, b"a0", false), Ordering::Less);
        assert_eq!(entry_order(b"a", false, b"a", true), Ordering::Less);
        assert_eq!(entry_order(b"b", true, b"b", true), Ordering::Equal);
    }

    #[test]
    fn markdown_extension_ignores_case() {
        assert!(is_markdown(b"policy.md"));
        assert!(is_markdown(b"POLICY.MD"));
        assert!(!is_markdown(b".md"));
        assert!(!is_markdown(b"notes.mdx"));
    }
}
