//! The git history of the controlled documents, as the checks and pages see
//! it: commits, each document's content changes (following renames) and the
//! commit that recorded its current approval. `load::history` reads it.

use std::collections::HashSet;

/// What the history reader needs to know about one version of a document file.
///
/// Computed by the caller's front-matter parser, so this module never parses
/// YAML. Two versions with equal `body` have the same normalised body (the
/// text `approved_digest` covers).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fingerprint {
    /// Front matter `id`, used to follow a document through renames.
    pub doc_id: Option<String>,
    /// `(approved_by, approved_on)` as written, if both are present.
    pub approval: Option<(String, String)>,
    /// `version` as written (DC015 compares it between approvals).
    pub version: Option<String>,
    /// SHA-256 of the normalised body.
    pub body: [u8; 32],
}

/// One commit reachable from HEAD.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommitInfo {
    /// Full object id, 40 lowercase hex digits.
    pub id: String,
    /// Author time, seconds since the Unix epoch (the time the change was
    /// written, which survives rebases).
    pub time: i64,
    /// Author's UTC offset in minutes.
    pub offset_minutes: i32,
    /// Author name.
    pub author: String,
    /// First line of the commit message.
    pub subject: String,
}

impl CommitInfo {
    /// The id abbreviated as `git log --oneline` does by default.
    pub fn short_id(&self) -> &str {
        // Ids are ASCII hex; anything else is shown whole.
        self.id.get(..7).unwrap_or(&self.id)
    }
}

/// A commit that changed the content of one document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocChange {
    /// Index into [`History::commits`].
    pub commit: usize,
    /// The document's path at that commit, relative to the ISMS root, with
    /// `/` separators (differs from the HEAD path before a rename).
    pub path: String,
    /// The normalised body differs from the previous version (always true
    /// when the document was created in this commit).
    pub body_changed: bool,
    /// `approved_by`/`approved_on` differ from the previous version.
    pub approval_changed: bool,
}

/// Where the approval values at HEAD were recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApprovalCommit {
    /// The newest commit (walking back from HEAD) in which
    /// `approved_by`/`approved_on` took their HEAD values.
    Found {
        /// Index into [`History::commits`].
        commit: usize,
        /// The normalised body at that commit equals the one at HEAD.
        body_matches_head: bool,
    },
    /// History ends (shallow clone or missing parent) before the commit that
    /// set the current approval values: DC013.
    CutShort,
    /// The document is not committed at HEAD, its HEAD version has no
    /// approval values, or the caller could not fingerprint its HEAD version.
    NotInHead,
}

/// One approved text of a document: the version of the file in the commit
/// that recorded an approval.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApprovedText {
    /// Index into [`History::commits`]: the approval commit.
    pub commit: usize,
    /// The document's path at that commit, relative to the ISMS root.
    pub path: String,
    /// `version` as written at that commit.
    pub version: Option<String>,
    /// SHA-256 of the normalised body at that commit.
    pub body_hash: [u8; 32],
}

/// The approval before the current one (FORMAT.md, DC015): the
/// `approved_by`/`approved_on` pair the document had just before its
/// approval commit, with the texts approved then and now, so that a reader
/// can tell what the current approval changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreviousApproval {
    /// `approved_by` as written before the current approval.
    pub approved_by: String,
    /// `approved_on` as written before the current approval.
    pub approved_on: String,
    /// The text at the current approval commit.
    pub current: ApprovedText,
    /// The text at the previous pair's approval commit (the newest commit,
    /// walking back from the current approval commit, in which the keys
    /// took those values); `None` when history ends before it.
    pub previous: Option<ApprovedText>,
    /// The body at the previous approval commit, normalised as for
    /// `approved_digest`, for the staff site's word diff. Read only when it
    /// differs from the body at the current approval commit; `None` when it
    /// does not, when it could not be read as UTF-8 text, or when the
    /// command renders no staff site (`isms check`, `isms diff`).
    pub earlier_body: Option<String>,
}

/// What git records about the commit that made a document's current
/// approval, for `approval_evidence` (DC014).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApprovalFacts {
    /// Index into [`History::commits`]: the approval commit.
    pub commit: usize,
    pub author_email: String,
    pub committer_name: String,
    pub committer_email: String,
    /// Values of the `Approved-by:` trailers of the approval commit.
    pub trailers: Vec<String>,
    /// The approval commit is on HEAD's first-parent line.
    pub on_first_parent: bool,
    /// When it is not: the oldest merge commit on that line that contains
    /// it (full id) and the values of that merge's `Approved-by:` trailers.
    pub merge: Option<(String, Vec<String>)>,
    /// The commit's signature, when it carries one.
    pub signature: Option<CommitSignature>,
}

/// A commit signature and the bytes it signs (the commit without its
/// signature header), as git stores them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommitSignature {
    /// The armored signature (`-----BEGIN SSH SIGNATURE-----` for SSH).
    pub armored: String,
    pub payload: Vec<u8>,
}

/// The namespace git signs commits in (`ssh-keygen -Y sign -n git`).
const SIGNING_NAMESPACE: &str = "git";

impl CommitSignature {
    /// Whether this is an SSH signature at all.
    pub fn is_ssh(&self) -> bool {
        ssh_key::SshSig::from_pem(self.armored.as_bytes()).is_ok()
    }

    /// Whether the signature verifies, in git's namespace, against one of
    /// `keys` (OpenSSH public key lines; lines that are not keys, or keys of
    /// an unsupported type, never verify).
    pub fn verified_by<'a>(&self, keys: impl IntoIterator<Item = &'a str>) -> bool {
        let Ok(signature) = ssh_key::SshSig::from_pem(self.armored.as_bytes()) else {
            return false;
        };
        keys.into_iter().any(|line| {
            ssh_key::PublicKey::from_openssh(line.trim()).is_ok_and(|key| {
                key.verify(SIGNING_NAMESPACE, &self.payload, &signature)
                    .is_ok()
            })
        })
    }
}

/// History of one controlled document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocHistory {
    /// Commits that changed the file's content, newest first (topological
    /// order), following renames. A merge counts only when the file differs
    /// from every parent's version.
    pub changes: Vec<DocChange>,
    /// The approval commit for the approval values at HEAD.
    pub approval: ApprovalCommit,
    /// Fingerprint of the version committed at HEAD, if any.
    pub head_fingerprint: Option<Fingerprint>,
    /// The approval before the current one, when the current approval
    /// commit was found and the document had other approval values just
    /// before it.
    pub previous_approval: Option<PreviousApproval>,
    /// What git records about the approval commit; read only when
    /// `approval_evidence` asks for it and the commit was found.
    pub approval_facts: Option<ApprovalFacts>,
    /// The working tree or the index differs from HEAD, or the file is not
    /// tracked at all (DC008).
    pub uncommitted: bool,
}

/// Counters that tell how much work a run did; useful to check the cache.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HistoryStats {
    /// Commits reachable from HEAD.
    pub commits: usize,
    /// Commits whose changes were computed from git in this run (the rest
    /// came from the cache).
    pub commits_computed: usize,
    /// Blobs passed to the fingerprint function in this run.
    pub blobs_fingerprinted: usize,
    /// A usable cache file was read.
    pub cache_read: bool,
    /// The cache file was (re)written.
    pub cache_written: bool,
    /// Why the cache could not be read or written, when that happened. The
    /// cache is an optimisation: its failures never fail the run.
    pub cache_problem: Option<String>,
}

/// The git history of the controlled documents. The default is the history
/// of a repository without commits.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct History {
    /// HEAD commit id, `None` in a repository without commits.
    pub head: Option<String>,
    /// The repository is a shallow clone.
    pub shallow: bool,
    /// Some file under the ISMS root (not gitignored) differs from HEAD or
    /// is untracked.
    pub dirty: bool,
    /// The paths under the ISMS root (relative to it) that make it dirty.
    pub worktree_changes: HashSet<String>,
    /// The ISMS root relative to the repository's work tree (`/`
    /// separators, empty when it is the work tree itself).
    pub root_prefix: String,
    /// Every commit reachable from HEAD, newest first (topological order).
    pub commits: Vec<CommitInfo>,
    /// One entry per path given to `load::history::read_history`, keyed by that path.
    pub docs: crate::model::digest::FastMap<String, DocHistory>,
    /// How much work this run did.
    pub stats: HistoryStats,
}
