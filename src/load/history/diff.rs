//! Which `.md` files each commit changed under the ISMS root.
//!
//! Each commit's ISMS-root subtree is compared with its first parent's by
//! object id first: a commit that leaves the ISMS root alone costs one id
//! comparison. Otherwise gitoxide's tree diff compares the two subtrees,
//! descending only into folders whose ids differ, so a commit that edits a
//! file reads only the trees on the path to it. This is much cheaper than a
//! general diff, which also looks at content and renames.

use gix::bstr::BStr;
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
        let mut found = MarkdownChanges::default();
        gix::diff::tree(old_tree, new_tree, state, objects, &mut found)
            .map_err(|e| HistoryError::objects(context(), e))?;
        let mut out = found.changes;
        // Byte order of full paths is git's order of tree entries walked
        // depth first; the diff itself goes breadth first.
        out.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        Ok(out)
    }
}

/// Whether the file name `name` (one path component) is `<something>.md`,
/// in any case. Called for every entry of every folder the diff compares.
fn is_markdown_name(name: &[u8]) -> bool {
    name.len() > 3 && name[name.len() - 3..].eq_ignore_ascii_case(b".md")
}

/// A tree-diff visitor that keeps only the `.md` files whose blob changed.
///
/// gitoxide's diff calls the visitor for every entry of every folder it
/// compares, changed or not (thousands per commit in a large ISMS folder),
/// and its general-purpose recorder keeps the full path of each entry up to
/// date and copies it for every change, trees included. Here the path of
/// the folder being compared is kept once per folder, and an entry's name
/// is copied only when it ends in `.md`.
#[derive(Default)]
struct MarkdownChanges {
    /// The folder whose entries are being compared (`/`-separated, empty at
    /// the root of the diff).
    folder: Vec<u8>,
    /// Folders queued for comparison, in the order the diff visits them.
    queued: std::collections::VecDeque<Vec<u8>>,
    /// The current entry's name, when it is a `.md` name (`named`); the
    /// buffer is reused from entry to entry.
    name: Vec<u8>,
    named: bool,
    changes: Vec<Changed>,
}

impl MarkdownChanges {
    fn full_path(&self, name: &[u8]) -> Vec<u8> {
        let mut path = Vec::with_capacity(self.folder.len() + 1 + name.len());
        if !self.folder.is_empty() {
            path.extend_from_slice(&self.folder);
            path.push(b'/');
        }
        path.extend_from_slice(name);
        path
    }
}

impl gix::diff::tree::Visit for MarkdownChanges {
    fn pop_front_tracked_path_and_set_current(&mut self) {
        self.folder = self.queued.pop_front().unwrap_or_default();
    }

    fn push_back_tracked_path_component(&mut self, component: &BStr) {
        let path = self.full_path(component);
        self.queued.push_back(path);
        self.push_path_component(component);
    }

    fn push_path_component(&mut self, component: &BStr) {
        self.named = is_markdown_name(component);
        if self.named {
            self.name.clear();
            self.name.extend_from_slice(component);
        }
    }

    fn pop_path_component(&mut self) {
        self.named = false;
    }

    fn visit(&mut self, change: gix::diff::tree::visit::Change) -> gix::diff::tree::visit::Action {
        use gix::diff::tree::visit::Change;
        if !self.named {
            return std::ops::ControlFlow::Continue(());
        }
        let blob = |mode: EntryMode, id: Oid| mode.is_blob().then_some(id);
        let (old, new) = match change {
            Change::Addition {
                entry_mode, oid, ..
            } => (None, blob(entry_mode, oid)),
            Change::Deletion {
                entry_mode, oid, ..
            } => (blob(entry_mode, oid), None),
            Change::Modification {
                previous_entry_mode,
                previous_oid,
                entry_mode,
                oid,
            } => (
                blob(previous_entry_mode, previous_oid),
                blob(entry_mode, oid),
            ),
        };
        if old != new {
            let path = self.full_path(&self.name);
            self.changes
                .push((String::from_utf8_lossy(&path).into_owned(), old, new));
        }
        std::ops::ControlFlow::Continue(())
    }
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
        assert!(is_markdown_name(b"policy.md"));
        assert!(is_markdown_name(b"POLICY.MD"));
        assert!(!is_markdown_name(b".md"));
        assert!(!is_markdown_name(b"md"));
        assert!(!is_markdown_name(b"notes.mdx"));
    }

    /// Writes nested trees holding `files` (`path`, text) with libgit2 and
    /// returns the root tree's id.
    fn write_tree(repo: &git2::Repository, files: &[(&str, &str)]) -> Oid {
        fn build(repo: &git2::Repository, files: &[(String, String)]) -> git2::Oid {
            let mut folders: std::collections::BTreeMap<String, Vec<(String, String)>> =
                Default::default();
            let mut builder = repo.treebuilder(None).expect("tree builder");
            for (path, text) in files {
                match path.split_once('/') {
                    Some((folder, rest)) => folders
                        .entry(folder.to_string())
                        .or_default()
                        .push((rest.to_string(), text.clone())),
                    None => {
                        let blob = repo.blob(text.as_bytes()).expect("blob");
                        builder.insert(path, blob, 0o100644).expect("file entry");
                    }
                }
            }
            for (folder, inner) in folders {
                let tree = build(repo, &inner);
                builder
                    .insert(&folder, tree, 0o040000)
                    .expect("folder entry");
            }
            builder.write().expect("tree")
        }
        let owned: Vec<(String, String)> = files
            .iter()
            .map(|(p, t)| (p.to_string(), t.to_string()))
            .collect();
        Oid::try_from(build(repo, &owned).as_bytes()).expect("object id")
    }

    /// The diff as gitoxide's general-purpose recorder reports it, reduced
    /// to changed `.md` blobs: what [`MarkdownChanges`] must agree with.
    fn recorded(repo: &gix::Repository, old: Option<Oid>, new: Option<Oid>) -> Vec<Changed> {
        use gix::diff::tree::recorder::Change;
        let (mut old_buf, mut new_buf) = (Vec::new(), Vec::new());
        fn tree<'b>(
            repo: &gix::Repository,
            id: Option<Oid>,
            buf: &'b mut Vec<u8>,
        ) -> TreeRefIter<'b> {
            match id {
                Some(id) => repo.objects.find_tree_iter(&id, buf).expect("tree"),
                None => TreeRefIter::from_bytes(&[], repo.object_hash()),
            }
        }
        let old_tree = tree(repo, old, &mut old_buf);
        let new_tree = tree(repo, new, &mut new_buf);
        let mut recorder = gix::diff::tree::Recorder::default();
        gix::diff::tree(
            old_tree,
            new_tree,
            gix::diff::tree::State::default(),
            &repo.objects,
            &mut recorder,
        )
        .expect("diff");
        let blob = |mode: EntryMode, id: Oid| mode.is_blob().then_some(id);
        let mut out: Vec<Changed> = recorder
            .records
            .into_iter()
            .map(|change| match change {
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
            })
            .filter(|(path, old, new)| {
                let name = path.split(|&b| b == b'/').next_back().unwrap_or_default();
                old != new && is_markdown_name(name)
            })
            .map(|(path, old, new)| (String::from_utf8_lossy(&path).into_owned(), old, new))
            .collect();
        out.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        out
    }

    #[test]
    fn the_markdown_visitor_agrees_with_gitoxides_recorder() {
        let dir = tempfile::tempdir().expect("temp dir");
        let git = git2::Repository::init(dir.path()).expect("init");
        let before = write_tree(
            &git,
            &[
                ("a.md", "one"),
                ("notes.txt", "x"),
                ("dir/c.md", "two"),
                ("dir/sub/d.MD", "three"),
                ("dir/sub/keep.md", "same"),
                ("x.md/inner.md", "a folder named like a document"),
                ("gone/old.md", "removed with its folder"),
            ],
        );
        let after = write_tree(
            &git,
            &[
                ("a.md", "one, edited"),
                ("notes.txt", "y"),
                ("dir/c.md", "two"),
                ("dir/sub/e.md", "five"),
                ("dir/sub/keep.md", "same"),
                ("x.md", "now a file"),
                ("new/deep/f.md", "six"),
            ],
        );
        let repo = gix::open(dir.path()).expect("open");
        let pairs = [
            (None, Some(before)),
            (Some(before), Some(after)),
            (Some(after), Some(before)),
            (Some(after), None),
            (Some(before), Some(before)),
        ];
        for (old, new) in pairs {
            let ours = Trees::new(&repo, &mut Scratch::default())
                .diff(old, new)
                .expect("diff");
            assert_eq!(ours, recorded(&repo, old, new), "{old:?} -> {new:?}");
        }
        // And it finds what a reader would expect.
        let changed: Vec<String> = Trees::new(&repo, &mut Scratch::default())
            .diff(Some(before), Some(after))
            .expect("diff")
            .into_iter()
            .map(|(path, _, _)| path)
            .collect();
        assert_eq!(
            changed,
            [
                "a.md",
                "dir/sub/d.MD",
                "dir/sub/e.md",
                "gone/old.md",
                "new/deep/f.md",
                "x.md",
                "x.md/inner.md"
            ]
        );
    }
}
