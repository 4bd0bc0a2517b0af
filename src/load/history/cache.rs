//! The history cache: per-commit changes, per-blob fingerprints and the
//! `.md` files at HEAD, kept in the git directory between runs.
//!
//! Everything stored is derived from immutable objects (a commit id fixes
//! its tree and parents, a blob id its bytes, a tree id its files), so
//! entries never go stale; only the fingerprint function and the ISMS root
//! can change their meaning, and both are part of the key checked on load.
//! Commits at a shallow boundary are not stored, since fetching more history
//! gives them parents. A file that cannot be read or parsed is ignored and
//! replaced.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::graph::{Commit, FileChange};
use super::{Fingerprint, Oid};

/// Bumped whenever the layout or the meaning of a stored field changes.
/// 2: commits are read with gitoxide, whose author names and subjects can
/// differ from libgit2's on unusual commits; files of format 1 are ignored.
/// 3: fingerprints hold the `version` as written (DC015).
const FORMAT: u32 = 3;

/// What a cache file must match to be used.
pub(super) struct Key<'a> {
    /// The caller's identification of its fingerprint function.
    pub salt: &'a str,
    /// ISMS root relative to the work tree; stored paths are relative to it.
    pub prefix: &'a str,
}

/// Cache contents ready for use.
#[derive(Default)]
pub(super) struct Loaded {
    pub commits: HashMap<Oid, Commit>,
    pub blobs: HashMap<Oid, Option<Fingerprint>>,
    pub head: Option<HeadFiles>,
}

/// The `.md` files in one ISMS-root tree (the one at HEAD when the cache
/// was written), with their blobs. Listing them reads every tree at HEAD,
/// which is most of what a run with an up-to-date cache would otherwise
/// read from the object database.
#[derive(Clone, Debug, Default)]
pub(super) struct HeadFiles {
    pub root: Option<Oid>,
    pub files: Vec<(String, Oid)>,
}

/// Where the cache lives: inside the git directory, so `check` leaves the
/// work tree untouched and `git clean` never sees it.
pub(super) fn path(git_dir: &Path) -> PathBuf {
    super::cache_dir_in(git_dir).join("history-cache-v1.json")
}

/// The cache file. Written piecewise by [`store`], in this field order.
#[derive(Deserialize)]
struct File {
    format: u32,
    salt: String,
    prefix: String,
    commits: Vec<StoredCommit>,
    blobs: Vec<StoredBlob>,
    /// Absent in files written before it was added, which stay usable; older
    /// versions of this program ignore it.
    #[serde(rename = "h", default)]
    head: Option<StoredHead>,
}

/// [`HeadFiles`]: `{"r": root or null, "f": [[path, blob], ...]}`.
#[derive(Serialize, Deserialize)]
struct StoredHead {
    #[serde(rename = "r")]
    root: Option<String>,
    #[serde(rename = "f")]
    files: Vec<(String, String)>,
}

/// Short field names keep a 20,000-commit file small and quick to parse.
#[derive(Serialize, Deserialize)]
struct StoredCommit {
    id: String,
    #[serde(rename = "p")]
    parents: Vec<String>,
    #[serde(rename = "t")]
    time: i64,
    #[serde(rename = "o")]
    offset: i32,
    #[serde(rename = "a")]
    author: String,
    #[serde(rename = "s")]
    subject: String,
    #[serde(rename = "r")]
    root: Option<String>,
    #[serde(rename = "c", default, skip_serializing_if = "Vec::is_empty")]
    changes: Vec<StoredChange>,
}

/// `[path, new blob, [blob in each parent]]`.
#[derive(Serialize, Deserialize)]
struct StoredChange(String, Option<String>, Vec<Option<String>>);

/// `[blob, fingerprint or null]`.
#[derive(Serialize, Deserialize)]
struct StoredBlob(String, Option<StoredFingerprint>);

#[derive(Serialize, Deserialize)]
struct StoredFingerprint {
    #[serde(rename = "i")]
    doc_id: Option<String>,
    #[serde(rename = "a")]
    approval: Option<(String, String)>,
    #[serde(rename = "v", default)]
    version: Option<String>,
    #[serde(rename = "b")]
    body: String,
}

/// Reads the cache. `Ok(None)` when there is none or it was written for
/// another key or format; `Err` describes a file that could not be used.
pub(super) fn load(path: &Path, key: &Key<'_>) -> Result<Option<Loaded>, String> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    let file: File = serde_json::from_slice(&bytes)
        .map_err(|e| format!("ignoring unreadable {}: {e}", path.display()))?;
    if file.format != FORMAT || file.salt != key.salt || file.prefix != key.prefix {
        return Ok(None);
    }
    decode(file).map(Some).ok_or_else(|| {
        format!(
            "ignoring {}: it holds an invalid object id or digest",
            path.display()
        )
    })
}

fn oid(hex: &str) -> Option<Oid> {
    Oid::from_hex(hex.as_bytes()).ok()
}

fn opt_oid(hex: &Option<String>) -> Option<Option<Oid>> {
    match hex {
        None => Some(None),
        Some(hex) => oid(hex).map(Some),
    }
}

fn decode(file: File) -> Option<Loaded> {
    let mut commits = HashMap::with_capacity(file.commits.len());
    for stored in file.commits {
        let id = oid(&stored.id)?;
        let parents = stored
            .parents
            .iter()
            .map(|p| oid(p))
            .collect::<Option<Vec<_>>>()?;
        let mut changes = Vec::with_capacity(stored.changes.len());
        for StoredChange(path, new, old) in stored.changes {
            changes.push(FileChange {
                path,
                new: opt_oid(&new)?,
                old: old.iter().map(opt_oid).collect::<Option<Vec<_>>>()?,
            });
        }
        commits.insert(
            id,
            Commit {
                id,
                parents,
                parent_idx: Vec::new(),
                cut: false,
                time: stored.time,
                offset: stored.offset,
                author: stored.author,
                subject: stored.subject,
                tree: None,
                root: opt_oid(&stored.root)?,
                changes,
                fresh: false,
            },
        );
    }
    let mut blobs = HashMap::with_capacity(file.blobs.len());
    for StoredBlob(hex, fingerprint) in file.blobs {
        let fingerprint = match fingerprint {
            None => None,
            Some(f) => Some(Fingerprint {
                doc_id: f.doc_id,
                approval: f.approval,
                version: f.version,
                body: from_hex(&f.body)?,
            }),
        };
        blobs.insert(oid(&hex)?, fingerprint);
    }
    let head = match file.head {
        None => None,
        Some(stored) => Some(HeadFiles {
            root: opt_oid(&stored.root)?,
            files: stored
                .files
                .iter()
                .map(|(path, blob)| Some((path.clone(), oid(blob)?)))
                .collect::<Option<Vec<_>>>()?,
        }),
    };
    Some(Loaded {
        commits,
        blobs,
        head,
    })
}

/// The fields of [`File`] before the two lists, as written.
#[derive(Serialize)]
struct Start<'a> {
    format: u32,
    salt: &'a str,
    prefix: &'a str,
    #[serde(rename = "h")]
    head: StoredHead,
}

fn stored_commits(commits: &[Commit]) -> Vec<StoredCommit> {
    commits
        .iter()
        .filter(|c| !c.cut)
        .map(|c| StoredCommit {
            id: c.id.to_string(),
            parents: c.parents.iter().map(Oid::to_string).collect(),
            time: c.time,
            offset: c.offset,
            author: c.author.clone(),
            subject: c.subject.clone(),
            root: c.root.map(|r| r.to_string()),
            changes: c
                .changes
                .iter()
                .map(|ch| {
                    StoredChange(
                        ch.path.clone(),
                        ch.new.map(|o| o.to_string()),
                        ch.old.iter().map(|o| o.map(|o| o.to_string())).collect(),
                    )
                })
                .collect(),
        })
        .collect()
}

fn stored_blobs(blobs: &HashMap<Oid, Option<Fingerprint>>, keep: &HashSet<Oid>) -> Vec<StoredBlob> {
    blobs
        .iter()
        .filter(|(oid, _)| keep.contains(*oid))
        .map(|(oid, f)| {
            StoredBlob(
                oid.to_string(),
                f.as_ref().map(|f| StoredFingerprint {
                    doc_id: f.doc_id.clone(),
                    approval: f.approval.clone(),
                    version: f.version.clone(),
                    body: to_hex(&f.body),
                }),
            )
        })
        .collect()
}

fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(DIGITS[usize::from(byte >> 4)] as char);
        out.push(DIGITS[usize::from(byte & 15)] as char);
    }
    out
}

fn from_hex(text: &str) -> Option<[u8; 32]> {
    let bytes = text.as_bytes();
    if bytes.len() != 64 {
        return None;
    }
    let digit = |c: u8| (c as char).to_digit(16);
    let mut out = [0u8; 32];
    for (i, pair) in bytes.chunks(2).enumerate() {
        let value = digit(pair[0])? * 16 + digit(pair[1])?;
        out[i] = u8::try_from(value).ok()?;
    }
    Some(out)
}

/// Writes the commits (except shallow-boundary ones) and the fingerprints of
/// the blobs in `keep`, replacing the file atomically: a temporary file in
/// the same folder, then a rename, so a reader never sees half a file.
///
/// The two lists are turned into JSON on two threads (together they take
/// longer than the replay that runs alongside) and joined into the same
/// document `File` describes.
pub(super) fn store(
    path: &Path,
    key: &Key<'_>,
    commits: &[Commit],
    blobs: &HashMap<Oid, Option<Fingerprint>>,
    keep: &HashSet<Oid>,
    head: &HeadFiles,
) -> Result<(), String> {
    let (commits_json, blobs_json) = rayon::join(
        || serde_json::to_vec(&stored_commits(commits)),
        || serde_json::to_vec(&stored_blobs(blobs, keep)),
    );
    let encoding = |e: serde_json::Error| format!("cannot encode {}: {e}", path.display());
    let (commits_json, blobs_json) = (
        commits_json.map_err(encoding)?,
        blobs_json.map_err(encoding)?,
    );
    let start = serde_json::to_vec(&Start {
        format: FORMAT,
        salt: key.salt,
        prefix: key.prefix,
        head: StoredHead {
            root: head.root.map(|r| r.to_string()),
            files: head
                .files
                .iter()
                .map(|(path, blob)| (path.clone(), blob.to_string()))
                .collect(),
        },
    })
    .map_err(encoding)?;
    // `{"format":..,"salt":..,"prefix":..,"h":..}` without its closing
    // brace, then the two lists.
    let start = start.strip_suffix(b"}").unwrap_or(&start);

    let folder = path
        .parent()
        .ok_or_else(|| format!("{} has no parent folder", path.display()))?;
    fs::create_dir_all(folder).map_err(|e| format!("cannot create {}: {e}", folder.display()))?;
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = folder.join(format!(".{name}.{}.{nanos}.tmp", std::process::id()));
    let written = (|| -> std::io::Result<()> {
        let mut out = BufWriter::new(fs::File::create(&temp)?);
        out.write_all(start)?;
        out.write_all(b",\"commits\":")?;
        out.write_all(&commits_json)?;
        out.write_all(b",\"blobs\":")?;
        out.write_all(&blobs_json)?;
        out.write_all(b"}")?;
        out.flush()?;
        drop(out);
        fs::rename(&temp, path)
    })();
    written.map_err(|e| {
        // Best effort: a leftover temporary file is harmless but untidy.
        let _ = fs::remove_file(&temp);
        format!("cannot write {}: {e}", path.display())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip() {
        let mut bytes = [0u8; 32];
        for (i, b) in bytes.iter_mut().enumerate() {
            *b = (i * 37) as u8;
        }
        assert_eq!(from_hex(&to_hex(&bytes)), Some(bytes));
        assert_eq!(from_hex("zz"), None);
        assert_eq!(from_hex(&"g".repeat(64)), None);
    }
}
