//! Replays the per-commit changes from HEAD backwards to build each
//! document's history.
//!
//! Every commit carries a map from path to the document that lives there,
//! handed down from its children. A commit that changed a tracked path adds
//! a change to that document's list; a file created in a commit ends the
//! path's line, unless a file deleted in the same commit is the same
//! document (same `id`, or the same body), in which case the document goes
//! on under the old path. At a merge, a path whose blob equals a parent's
//! follows only that parent (git's default history simplification), so a
//! merge counts as a change only when the file differs from every parent.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};

use super::graph::{Commit, FileChange};
use super::{ApprovalCommit, DocChange, Fingerprint, Oid};

/// What the replay found for one document.
pub(super) struct DocResult {
    pub changes: Vec<DocChange>,
    pub approval: ApprovalCommit,
    pub head_fingerprint: Option<Fingerprint>,
    /// The document is committed at HEAD.
    pub in_head: bool,
    /// The approval before the current one, with blob ids still to be read.
    pub previous: Option<Previous>,
}

/// A version of a document in an approval commit.
#[derive(Clone, Debug)]
pub(super) struct Version {
    pub commit: usize,
    pub path: String,
    pub blob: Oid,
    pub fingerprint: Fingerprint,
}

/// The approval values just before the current approval commit, the version
/// in that commit, and the version in the commit that recorded those values
/// (`None` when the walk did not reach it).
#[derive(Clone, Debug)]
pub(super) struct Previous {
    pub approval: (String, String),
    pub current: Version,
    pub previous: Option<Version>,
}

impl DocResult {
    pub(super) fn not_in_head() -> Self {
        DocResult {
            changes: Vec::new(),
            approval: ApprovalCommit::NotInHead,
            head_fingerprint: None,
            in_head: false,
            previous: None,
        }
    }
}

/// Path (relative to the ISMS root) to document index.
type Tracked<'a> = HashMap<&'a str, usize>;

type Blobs = HashMap<Oid, Option<Fingerprint>>;

fn fingerprint_of(blobs: &Blobs, oid: Option<Oid>) -> Option<&Fingerprint> {
    oid.and_then(|oid| blobs.get(&oid)).and_then(|f| f.as_ref())
}

fn approval_of(fingerprint: Option<&Fingerprint>) -> Option<&(String, String)> {
    fingerprint.and_then(|f| f.approval.as_ref())
}

/// Bodies are equal only when both versions could be fingerprinted.
fn same_body(a: Option<&Fingerprint>, b: Option<&Fingerprint>) -> bool {
    matches!((a, b), (Some(a), Some(b)) if a.body == b.body)
}

/// Files deleted in one commit (relative to its first parent), indexed for
/// rename detection. Built only for commits where a tracked file appears.
struct Deleted<'a> {
    by_id: HashMap<&'a str, Vec<&'a FileChange>>,
    by_body: HashMap<[u8; 32], Vec<&'a FileChange>>,
    used: HashSet<&'a str>,
}

impl<'a> Deleted<'a> {
    fn new(commit: &'a Commit, blobs: &'a Blobs) -> Self {
        let mut by_id: HashMap<&str, Vec<&FileChange>> = HashMap::new();
        let mut by_body: HashMap<[u8; 32], Vec<&FileChange>> = HashMap::new();
        for change in &commit.changes {
            let old = change.old.first().copied().flatten();
            if change.new.is_some() || old.is_none() {
                continue;
            }
            if let Some(fingerprint) = fingerprint_of(blobs, old) {
                if let Some(id) = fingerprint.doc_id.as_deref() {
                    by_id.entry(id).or_default().push(change);
                }
                by_body.entry(fingerprint.body).or_default().push(change);
            }
        }
        Deleted {
            by_id,
            by_body,
            used: HashSet::new(),
        }
    }

    /// The deleted file that `added` was renamed from, if any: same document
    /// id first, else an identical body.
    fn source_of(&mut self, added: Option<&Fingerprint>) -> Option<&'a FileChange> {
        let added = added?;
        let by_id = added
            .doc_id
            .as_deref()
            .and_then(|id| self.by_id.get(id))
            .into_iter()
            .flatten();
        let by_body = self.by_body.get(&added.body).into_iter().flatten();
        let found = by_id
            .chain(by_body)
            .find(|c| !self.used.contains(c.path.as_str()))
            .copied()?;
        self.used.insert(found.path.as_str());
        Some(found)
    }
}

/// Adds `map` to the paths pending for a commit.
fn hand_down<'a>(slot: &mut Option<Tracked<'a>>, map: Tracked<'a>) {
    if map.is_empty() {
        return;
    }
    *slot = Some(match slot.take() {
        None => map,
        Some(existing) => {
            let (mut big, small) = if existing.len() >= map.len() {
                (existing, map)
            } else {
                (map, existing)
            };
            for (path, doc) in small {
                big.entry(path).or_insert(doc);
            }
            big
        }
    });
}

/// Builds the history of each document in `docs` (paths at HEAD), given the
/// commits in topological order and the fingerprints of every blob involved.
pub(super) fn replay(
    commits: &[Commit],
    docs: &[String],
    head_blobs: &[Option<Oid>],
    blobs: &Blobs,
) -> Vec<DocResult> {
    let head_fingerprints: Vec<Option<&Fingerprint>> = head_blobs
        .iter()
        .map(|oid| fingerprint_of(blobs, *oid))
        .collect();
    let targets: Vec<Option<&(String, String)>> =
        head_fingerprints.iter().map(|f| approval_of(*f)).collect();
    let mut changes: Vec<Vec<DocChange>> = vec![Vec::new(); docs.len()];
    let mut found: Vec<Option<(usize, bool)>> = vec![None; docs.len()];
    // Per document, once its approval commit is found: the approval values
    // just before it, the version there, and then the version in the commit
    // that recorded those earlier values.
    let mut previous: Vec<Option<Previous>> = vec![None; docs.len()];

    let mut pending: Vec<Option<Tracked<'_>>> = (0..commits.len()).map(|_| None).collect();
    if !commits.is_empty() {
        let mut at_head = Tracked::new();
        for (doc, path) in docs.iter().enumerate() {
            if head_blobs[doc].is_some() {
                at_head.entry(path.as_str()).or_insert(doc);
            }
        }
        pending[0] = Some(at_head);
    }

    for (index, commit) in commits.iter().enumerate() {
        let Some(mut tracked) = pending[index].take() else {
            continue;
        };
        let parents = commit.parent_idx.len();
        // Paths that follow a parent other than the first.
        let mut side: Vec<Tracked<'_>> = (1..parents).map(|_| Tracked::new()).collect();
        let mut leave: Vec<&str> = Vec::new();
        let mut enter: Vec<(&str, usize)> = Vec::new();
        let mut deleted: Option<Deleted<'_>> = None;
        let mut recorded: HashSet<usize> = HashSet::new();

        for change in &commit.changes {
            let path = change.path.as_str();
            let Some(&doc) = tracked.get(path) else {
                continue;
            };
            if let Some(same) = change.old.iter().position(|old| *old == change.new) {
                // Unchanged relative to that parent: its history is there.
                if same > 0 {
                    leave.push(path);
                    side[same - 1].insert(path, doc);
                }
                continue;
            }
            if change.new.is_none() {
                // Not a file here after all (a stale hand-down); stop.
                leave.push(path);
                continue;
            }
            let new = fingerprint_of(blobs, change.new);
            // The versions this one replaces, and the path it had there.
            let mut before: Vec<Option<&Fingerprint>> = Vec::new();
            for (parent, old) in change.old.iter().enumerate() {
                match old {
                    Some(_) => {
                        before.push(fingerprint_of(blobs, *old));
                        if parent > 0 {
                            side[parent - 1].insert(path, doc);
                        }
                    }
                    None if parent == 0 => {
                        leave.push(path);
                        let index = deleted.get_or_insert_with(|| Deleted::new(commit, blobs));
                        if let Some(source) = index.source_of(new) {
                            enter.push((source.path.as_str(), doc));
                            before.push(fingerprint_of(blobs, source.old[0]));
                        }
                    }
                    None => {}
                }
            }
            let body_changed = before.is_empty() || before.iter().all(|b| !same_body(new, *b));
            let approval_changed = if before.is_empty() {
                approval_of(new).is_some()
            } else {
                before.iter().all(|b| approval_of(*b) != approval_of(new))
            };
            if recorded.insert(doc) {
                changes[doc].push(DocChange {
                    commit: index,
                    path: path.to_string(),
                    body_changed,
                    approval_changed,
                });
            }
            if found[doc].is_none() {
                if let Some(target) = targets[doc] {
                    let sets_it = approval_of(new) == Some(target)
                        && before.iter().all(|b| approval_of(*b) != Some(target));
                    if sets_it {
                        found[doc] = Some((index, same_body(new, head_fingerprints[doc])));
                        // "Just before" is the version this one replaced
                        // on the first line that had the file.
                        let earlier = before.iter().flatten().find_map(|b| b.approval.clone());
                        if let (Some(approval), Some(blob), Some(fingerprint)) =
                            (earlier, change.new, new)
                        {
                            previous[doc] = Some(Previous {
                                approval,
                                current: Version {
                                    commit: index,
                                    path: path.to_string(),
                                    blob,
                                    fingerprint: fingerprint.clone(),
                                },
                                previous: None,
                            });
                        }
                    }
                }
            } else if let Some(wanted) = previous[doc].as_mut().filter(|p| p.previous.is_none()) {
                let target = Some(&wanted.approval);
                let sets_it =
                    approval_of(new) == target && before.iter().all(|b| approval_of(*b) != target);
                if let (true, Some(blob), Some(fingerprint)) = (sets_it, change.new, new) {
                    wanted.previous = Some(Version {
                        commit: index,
                        path: path.to_string(),
                        blob,
                        fingerprint: fingerprint.clone(),
                    });
                }
            }
        }

        for path in leave {
            tracked.remove(path);
        }
        for (path, doc) in enter {
            if let Entry::Vacant(slot) = tracked.entry(path) {
                slot.insert(doc);
            }
        }
        if let Some(&first) = commit.parent_idx.first() {
            hand_down(&mut pending[first], tracked);
        }
        for (map, &parent) in side.into_iter().zip(commit.parent_idx.iter().skip(1)) {
            hand_down(&mut pending[parent], map);
        }
    }

    changes
        .into_iter()
        .zip(previous)
        .enumerate()
        .map(|(doc, (changes, previous))| {
            let in_head = head_blobs[doc].is_some();
            let approval = match (found[doc], targets[doc]) {
                (Some((commit, body_matches_head)), _) => ApprovalCommit::Found {
                    commit,
                    body_matches_head,
                },
                (None, None) => ApprovalCommit::NotInHead,
                // A complete history always explains an approval at HEAD
                // (at the latest, the commit that created the file), so
                // not finding it means the walk hit the end of a shallow or
                // damaged history.
                (None, Some(_)) => ApprovalCommit::CutShort,
            };
            DocResult {
                changes,
                approval,
                head_fingerprint: head_fingerprints[doc].cloned(),
                in_head,
                previous,
            }
        })
        .collect()
}
