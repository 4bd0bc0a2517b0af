//! Which `.md` files each commit changed under the ISMS root.
//!
//! Each commit's ISMS-root subtree is compared with its first parent's by
//! object id first: a commit that leaves the ISMS root alone costs one id
//! comparison. Otherwise gitoxide's tree diff compares the two subtrees,
//! descending only into folders whose ids differ, so a commit that edits a
//! file reads only the trees on the path to it. This is much cheaper than a
//! general diff, which also looks at content and renames.

use gix::bstr::{BStr, ByteSlice};
use gix::diff::tree::recorder::Change;
use gix::objs::tree::EntryMode;
use gix::objs::{FindExt, TreeRefIter};

use super::graph::{Commit, FileChange};
use super::{pool, HistoryError, Oid};

/// `(path, old blob, new blob)` of one changed `.md` file.
type Changed = (String, Option<Oid>, Option<Oid>);

/// The buffers and diff state one thread reuses from tree to tree.
#[derive(Default)]
struct Scratch {
    state: gix::diff::tree::State,
    old: Vec<u8>,
    new: Vec<u8>,
    entry: Vec<u8>,
}

/// Tree lookups and comparisons on one thread's repository handle.
struct Trees<'r, 's> {
    repo: &'r gix::Repository,
    scratch: &'s mut Scratch,
}

impl<'r, 's> Trees<'r, 's> {
    fn new(repo: &'r gix::Repository, scratch: &'s mut Scratch) -> Self {
        Trees { repo, scratch }
    }

    /// The entry at `path` (`/`-separated) below tree `root`, as
    /// `(mode, id)`; the root itself for an empty path.
    fn lookup(&mut self, root: Oid, path: &str) -> Result<Option<(EntryMode, Oid)>, HistoryError> {
        let parts: Vec<&[u8]> = path
            .split('/')
            .filter(|p| !p.is_empty())
            .map(str::as_bytes)
            .collect();
        if parts.is_empty() {
            return Ok(Some((gix::objs::tree::EntryKind::Tree.into(), root)));
        }
        let context = || format!("reading tree {root}");
        let tree = self
            .repo
            .objects
            .find_tree_iter(&root, &mut self.scratch.old)
            .map_err(|e| HistoryError::objects(context(), e))?;
        let entry = tree
            .lookup_entry(&self.repo.objects, &mut self.scratch.entry, parts)
            .map_err(|e| HistoryError::objects(context(), e))?;
        Ok(entry.map(|e| (e.mode, e.oid)))
    }

    /// The blob at `path` below tree `root`, if there is a regular file.
    fn blob_at(&mut self, root: Option<Oid>, path: &str) -> Result<Option<Oid>, HistoryError> {
        let Some(root) = root else {
            return Ok(None);
        };
        Ok(match self.lookup(root, path)? {
            Some((mode, id)) if mode.is_blob() => Some(id),
            _ => None,
        })
    }

    /// The subtree at `prefix` below tree `tree`.
    fn subtree(&mut self, tree: Oid, prefix: &str) -> Result<Option<Oid>, HistoryError> {
        Ok(match self.lookup(tree, prefix)? {
            Some((mode, id)) if mode.is_tree() => Some(id),
            _ => None,
        })
    }

    /// Every `.md` file that differs between the trees `old` and `new`
    /// (either may be absent), in path order.
    fn diff(&mut self, old: Option<Oid>, new: Option<Oid>) -> Result<Vec<Changed>, HistoryError> {
        if old == new {
            return Ok(Vec::new());
        }
        let context = || "comparing trees";
        let kind = self.repo.object_hash();
        let objects = &self.repo.objects;
        let Scratch {
            state,
            old: old_buf,
            new: new_buf,
            ..
        } = &mut *self.scratch;
        let old_tree = match old {
            Some(id) => objects
                .find_tree_iter(&id, old_buf)
                .map_err(|e| HistoryError::objects(context(), e))?,
            None => TreeRefIter::from_bytes(&[], kind),
        };
        let new_tree = match new {
            Some(id) => objects
                .find_tree_iter(&id, new_buf)
                .map_err(|e| HistoryError::objects(context(), e))?,
            None => TreeRefIter::from_bytes(&[], kind),
        };
        let mut recorder = gix::diff::tree::Recorder::default();
        gix::diff::tree(old_tree, new_tree, state, objects, &mut recorder)
            .map_err(|e| HistoryError::objects(context(), e))?;
        let blob = |mode: EntryMode, id: Oid| mode.is_blob().then_some(id);
        let mut out: Vec<Changed> = Vec::new();
        for change in recorder.records {
            let (path, old, new) = match change {
                Change::Addition {
                    entry_mode,
                    oid,
                    path,
                    ..
                } => (path, None, blob(entry_mode, oid)),
                Change::Deletion {
                    entry_mode,
                    oid,
                    path,
                    ..
                } => (path, blob(entry_mode, oid), None),
                Change::Modification {
                    previous_entry_mode,
                    previous_oid,
                    entry_mode,
                    oid,
                    path,
                } => (
                    path,
                    blob(previous_entry_mode, previous_oid),
                    blob(entry_mode, oid),
                ),
            };
            if old != new && is_markdown(path.as_ref()) {
                out.push((path.to_str_lossy().into_owned(), old, new));
            }
        }
        // Byte order of full paths is git's order of tree entries walked
        // depth first; the diff itself goes breadth first.
        out.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        Ok(out)
    }
}

/// Whether the last component of `path` is `<something>.md`, in any case.
fn is_markdown(path: &BStr) -> bool {
    let name = path.rsplit_str("/").next().unwrap_or_default();
    name.len() > 3 && name[name.len() - 3..].eq_ignore_ascii_case(b".md")
}

/// Every `.md` file below the tree `root`, with its blob.
pub(super) fn list_md(
    repo: &gix::Repository,
    root: Option<Oid>,
) -> Result<Vec<(String, Oid)>, HistoryError> {
    let listed = Trees::new(repo, &mut Scratch::default()).diff(None, root)?;
    Ok(listed
        .into_iter()
        .filter_map(|(path, _, new)| new.map(|oid| (path, oid)))
        .collect())
}

/// Fills in `root`, the ISMS-root subtree, of every fresh commit.
pub(super) fn compute_roots(
    repo: &gix::Repository,
    prefix: &str,
    commits: &mut [Commit],
) -> Result<(), HistoryError> {
    let mut jobs: Vec<(usize, Oid)> = commits
        .iter()
        .enumerate()
        .filter(|(_, c)| c.fresh)
        .filter_map(|(i, c)| Some((i, c.tree?)))
        .collect();
    pool::pack_order(repo, &mut jobs, |(_, tree)| Some(*tree));
    let roots = pool::map(repo, &jobs, |repo, scratch, (index, tree)| {
        Ok((*index, Trees::new(repo, scratch).subtree(*tree, prefix)?))
    })?;
    for (index, root) in roots {
        commits[index].root = root;
    }
    Ok(())
}

/// A fresh commit to compare with its parents: position, ISMS root and the
/// parents' ISMS roots.
type Job = (usize, Option<Oid>, Vec<Option<Oid>>);

/// Fills in `changes` of every fresh commit (roots must be known), on all
/// cores, in the pack order of their ISMS roots (see [`pool::pack_order`]).
pub(super) fn compute_changes(
    repo: &gix::Repository,
    commits: &mut [Commit],
) -> Result<(), HistoryError> {
    let mut jobs: Vec<Job> = commits
        .iter()
        .enumerate()
        .filter(|(_, c)| c.fresh && !(c.cut && c.parent_idx.is_empty()))
        .map(|(i, c)| {
            let parents = c.parent_idx.iter().map(|&p| commits[p].root).collect();
            (i, c.root, parents)
        })
        .collect();
    pool::pack_order(repo, &mut jobs, |(_, root, _)| *root);
    let results = pool::map(repo, &jobs, |repo, scratch, (index, root, parents)| {
        let changes = changes_of(&mut Trees::new(repo, scratch), *root, parents)?;
        Ok((*index, changes))
    })?;
    for (index, changes) in results {
        commits[index].changes = changes;
    }
    Ok(())
}

/// The changes of one commit relative to its first parent, with the blob of
/// every other parent at each changed path (for merge simplification).
fn changes_of(
    trees: &mut Trees<'_, '_>,
    root: Option<Oid>,
    parents: &[Option<Oid>],
) -> Result<Vec<FileChange>, HistoryError> {
    let first = parents.first().copied().flatten();
    if !parents.is_empty() && first == root {
        return Ok(Vec::new());
    }
    let raw = trees.diff(first, root)?;
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
    fn markdown_extension_ignores_case() {
        assert!(is_markdown("policy.md".into()));
        assert!(is_markdown("a/POLICY.MD".into()));
        assert!(!is_markdown(".md".into()));
        assert!(!is_markdown("a/.md".into()));
        assert!(!is_markdown("notes.mdx".into()));
    }
}
