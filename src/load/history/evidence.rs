//! What git records about approval commits, for `approval_evidence`
//! (DC014): who authored and committed each, its `Approved-by:` trailers,
//! its signature, and, when it is not on HEAD's first-parent line, the
//! merge that brought it there.
//!
//! Read with libgit2, which parses trailers and splits a signed commit into
//! signature and payload exactly as git does; only the few approval commits
//! and HEAD's first-parent line are read.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use git2::{Oid, Repository};

use super::{ApprovalFacts, CommitInfo, CommitSignature, HistoryError};

/// The trailer that names an approver.
const TRAILER: &str = "Approved-by";

/// Facts for each document whose approval commit (an index into
/// `commits`) was found; `None` for the others.
pub(super) fn read(
    git_dir: &Path,
    head: Option<&str>,
    commits: &[CommitInfo],
    found: &[Option<usize>],
) -> Result<Vec<Option<ApprovalFacts>>, HistoryError> {
    let (Some(head), true) = (head, found.iter().any(Option::is_some)) else {
        return Ok(vec![None; found.len()]);
    };
    let repo = Repository::open(git_dir)
        .map_err(|e| HistoryError::git("opening the repository for approval evidence", e))?;
    let head = Oid::from_str(head).map_err(|e| HistoryError::git("reading HEAD", e))?;
    let line = FirstParentLine::new(&repo, head)?;
    let mut by_commit: HashMap<usize, ApprovalFacts> = HashMap::new();
    found
        .iter()
        .map(|commit| {
            let Some(index) = *commit else {
                return Ok(None);
            };
            if let Some(facts) = by_commit.get(&index) {
                return Ok(Some(facts.clone()));
            }
            let Some(info) = commits.get(index) else {
                return Ok(None);
            };
            let facts = facts_of(&repo, &line, index, &info.id)?;
            by_commit.insert(index, facts.clone());
            Ok(Some(facts))
        })
        .collect()
}

/// HEAD's first-parent line: its commits, and its merges oldest first.
struct FirstParentLine {
    members: HashSet<Oid>,
    merges_oldest_first: Vec<Oid>,
}

impl FirstParentLine {
    fn new(repo: &Repository, head: Oid) -> Result<Self, HistoryError> {
        let mut members = HashSet::new();
        let mut merges = Vec::new();
        let mut next = Some(head);
        while let Some(id) = next {
            if !members.insert(id) {
                break;
            }
            // A missing commit ends the line (a shallow clone).
            let Ok(commit) = repo.find_commit(id) else {
                break;
            };
            if commit.parent_count() > 1 {
                merges.push(id);
            }
            next = commit.parent_id(0).ok();
        }
        merges.reverse();
        Ok(FirstParentLine {
            members,
            merges_oldest_first: merges,
        })
    }

    /// The oldest merge on the line that contains `commit`. Containment is
    /// monotonic along the line (a merge contains everything its first
    /// parent does), so a binary search finds it.
    fn merge_containing(&self, repo: &Repository, commit: Oid) -> Option<Oid> {
        let contains = |merge: Oid| repo.graph_descendant_of(merge, commit).unwrap_or(false);
        let merges = &self.merges_oldest_first;
        let first = merges.partition_point(|m| !contains(*m));
        merges.get(first).copied()
    }
}

fn approvers(message: &str) -> Vec<String> {
    git2::message_trailers_strs(message)
        .map(|trailers| {
            trailers
                .iter()
                .filter(|(key, _)| key.eq_ignore_ascii_case(TRAILER))
                .map(|(_, value)| value.trim().to_string())
                .collect()
        })
        .unwrap_or_default()
}

fn facts_of(
    repo: &Repository,
    line: &FirstParentLine,
    index: usize,
    id: &str,
) -> Result<ApprovalFacts, HistoryError> {
    let oid = Oid::from_str(id).map_err(|e| HistoryError::git("reading a commit id", e))?;
    let commit = repo
        .find_commit(oid)
        .map_err(|e| HistoryError::git(format!("reading commit {id}"), e))?;
    let text = |s: Option<&str>| s.unwrap_or_default().to_string();
    let on_first_parent = line.members.contains(&oid);
    let merge = if on_first_parent {
        None
    } else {
        line.merge_containing(repo, oid).map(|merge| {
            let message = repo
                .find_commit(merge)
                .ok()
                .and_then(|c| c.message().ok().map(approvers))
                .unwrap_or_default();
            (merge.to_string(), message)
        })
    };
    let signature = repo
        .extract_signature(&oid, None)
        .ok()
        .map(|(signature, payload)| CommitSignature {
            armored: String::from_utf8_lossy(&signature).into_owned(),
            payload: payload.to_vec(),
        });
    let (author, committer) = (commit.author(), commit.committer());
    let facts = ApprovalFacts {
        commit: index,
        author_email: text(author.email().ok()),
        committer_name: text(committer.name().ok()),
        committer_email: text(committer.email().ok()),
        trailers: commit.message().ok().map(approvers).unwrap_or_default(),
        on_first_parent,
        merge,
        signature,
    };
    Ok(facts)
}
