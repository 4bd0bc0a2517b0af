//! Which `.md` files each commit changed under the ISMS root.
//!
//! Trees are compared entry by entry and only where object ids differ: a
//! commit that leaves the ISMS root alone costs one id comparison, and one
//! that edits a file reads only the trees on the path to it. This is much
//! cheaper than a general diff, which also looks at content and renames.
//! Trees are read as raw objects and parsed in place, without building
//! libgit2 tree objects.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::rc::Rc;

use git2::{ObjectType, Odb, Oid, Repository};
use rayon::prelude::*;

use super::graph::{Commit, FileChange};
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

/// Reader of raw tree objects with a small cache of recent ones.
struct Trees<'r> {
    odb: Odb<'r>,
    cache: HashMap<Oid, Rc<[u8]>>,
}

impl<'r> Trees<'r> {
    fn new(repo: &'r Repository) -> Result<Self, git2::Error> {
        Ok(Trees {
            odb: repo.odb()?,
            cache: HashMap::new(),
        })
    }

    fn get(&mut self, id: Oid) -> Result<Rc<[u8]>, git2::Error> {
        if let Some(tree) = self.cache.get(&id) {
            return Ok(Rc::clone(tree));
        }
        let object = self.odb.read(id)?;
        if object.kind() != ObjectType::Tree {
            return Err(git2::Error::from_str(&format!("{id} is not a tree")));
        }
        let tree: Rc<[u8]> = Rc::from(object.data());
        if self.cache.len() >= TREE_CACHE {
            self.cache.clear();
        }
        self.cache.insert(id, Rc::clone(&tree));
        Ok(tree)
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
        let empty: Rc<[u8]> = Rc::from(&[][..]);
        let old_tree = match old {
            Some(id) => self.get(id)?,
            None => Rc::clone(&empty),
        };
        let new_tree = match new {
            Some(id) => self.get(id)?,
            None => empty,
        };
        let mut olds = Entries { data: &old_tree };
        let mut news = Entries { data: &new_tree };
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

/// Every `.md` file below the tree `root`, with its blob, and the size in
/// bytes of the largest tree read on the way.
pub(super) fn list_md(
    repo: &Repository,
    root: Option<Oid>,
) -> Result<(Vec<(String, Oid)>, usize), HistoryError> {
    let mut out = Vec::new();
    let mut trees = Trees::new(repo).map_err(odb_error)?;
    trees
        .diff(None, root, &mut String::new(), &mut out)
        .map_err(|e| HistoryError::git("listing the files at HEAD", e))?;
    let largest = trees.cache.values().map(|t| t.len()).max().unwrap_or(0);
    let files = out
        .into_iter()
        .filter_map(|(path, _, new)| new.map(|oid| (path, oid)))
        .collect();
    Ok((files, largest))
}

/// Fills in `root`, the ISMS-root subtree, of every fresh commit.
pub(super) fn compute_roots(
    repo: &Repository,
    prefix: &str,
    commits: &mut [Commit],
) -> Result<(), HistoryError> {
    let mut trees = Trees::new(repo).map_err(odb_error)?;
    for commit in commits.iter_mut().filter(|c| c.fresh) {
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

/// Trees at least this large make reading worth spreading over threads.
///
/// libgit2 serialises pack access behind process-wide locks and rebuilds
/// each tree from its delta chain. For small trees the locks dominate and
/// two readers are slower than one; for large ones (a folder of thousands
/// of documents) rebuilding dominates and two readers are almost twice as
/// fast.
pub(super) const PARALLEL_TREE_BYTES: usize = 64 * 1024;

/// Fills in `changes` of every fresh commit (roots must be known).
///
/// Commits are visited in topological order, so each commit's parent trees
/// are the ones read just before. `parallel` splits the commits into
/// contiguous runs read on separate threads, each with its own handle.
pub(super) fn compute_changes(
    repo: &Repository,
    commits: &mut [Commit],
    parallel: bool,
) -> Result<(), HistoryError> {
    let jobs: Vec<Job> = commits
        .iter()
        .enumerate()
        .filter(|(_, c)| c.fresh && !(c.cut && c.parent_idx.is_empty()))
        .map(|(i, c)| {
            let parents = c.parent_idx.iter().map(|&p| commits[p].root).collect();
            (i, c.id, c.root, parents)
        })
        .collect();
    let work = |repo: &Repository, part: &[Job]| -> Found {
        let mut trees = Trees::new(repo).map_err(odb_error)?;
        part.iter()
            .map(|(index, id, root, parents)| {
                let changes = changes_of(&mut trees, *root, parents)
                    .map_err(|e| HistoryError::git(format!("comparing commit {id}"), e))?;
                Ok((*index, changes))
            })
            .collect()
    };
    let threads = rayon::current_num_threads();
    let results = if parallel && threads > 1 && jobs.len() >= 2 * threads {
        let git_dir = repo.path();
        let chunk = jobs.len().div_ceil(threads * 4);
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
