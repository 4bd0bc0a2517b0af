//! The bodies of earlier approvals, kept in the git directory between runs.
//!
//! `build` and `serve` show staff what changed since a document's previous
//! approval, which needs that approval's text: one blob per re-approved
//! document whose body changed. Reading those blobs is cheap one by one but
//! not in thousands (versions are stored as delta chains), and it was most
//! of what a warm build of 10,000 documents read from git. A blob's body
//! never changes, so the normalised body of each blob read is kept here,
//! apart from the history cache: `check`, which never reads these texts,
//! never loads them either.
//!
//! Like the history cache, the file is derived data: one written by another
//! version, or that cannot be read, is ignored and replaced.

use std::collections::HashMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::Oid;

/// Bumped whenever what a stored body means changes.
const FORMAT: u32 = 1;

/// The bodies by blob: `None` for a blob without readable front matter.
pub(super) type Texts = HashMap<Oid, Option<String>>;

/// Where the file lives, beside the history cache.
pub(super) fn path(git_dir: &Path) -> PathBuf {
    super::cache_dir_in(git_dir).join("earlier-texts-v1.json")
}

/// The file as read.
#[derive(Deserialize)]
struct Stored {
    format: u32,
    /// The program that wrote it (its version): the body's normalisation
    /// belongs to it.
    salt: String,
    /// `[blob, body or null]`, sorted by blob.
    texts: Vec<(String, Option<String>)>,
}

/// The file as written: [`Stored`], borrowing.
#[derive(Serialize)]
struct Storing<'a> {
    format: u32,
    salt: &'a str,
    texts: Vec<(String, Option<&'a str>)>,
}

/// The kept bodies; empty when there is no usable file.
pub(super) fn load(path: &Path, salt: &str) -> Texts {
    let Ok(bytes) = fs::read(path) else {
        return Texts::new();
    };
    let Ok(file) = serde_json::from_slice::<Stored>(&bytes) else {
        return Texts::new();
    };
    if file.format != FORMAT || file.salt != salt {
        return Texts::new();
    }
    let mut texts = Texts::with_capacity(file.texts.len());
    for (blob, body) in file.texts {
        let Ok(blob) = Oid::from_hex(blob.as_bytes()) else {
            // One bad id makes the whole file suspect.
            return Texts::new();
        };
        texts.insert(blob, body);
    }
    texts
}

/// Keeps `texts` (only these: what the run used), replacing the file
/// atomically. A file that cannot be written is no error: the texts are
/// read from git again next time.
pub(super) fn store(path: &Path, salt: &str, texts: &Texts) {
    let mut sorted: Vec<(String, Option<&str>)> = texts
        .iter()
        .map(|(blob, body)| (blob.to_string(), body.as_deref()))
        .collect();
    sorted.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let file = Storing {
        format: FORMAT,
        salt,
        texts: sorted,
    };
    let Ok(json) = serde_json::to_vec(&file) else {
        return;
    };
    let Some(folder) = path.parent() else { return };
    if fs::create_dir_all(folder).is_err() {
        return;
    }
    // Written beside and renamed into place; a temporary file that is not
    // put in place is removed when dropped.
    let Ok(mut temp) = tempfile::NamedTempFile::new_in(folder) else {
        return;
    };
    if temp.write_all(&json).is_ok() {
        let _ = temp.persist(path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blob(n: u8) -> Oid {
        Oid::from_bytes_or_panic(&[n; 20])
    }

    #[test]
    fn kept_texts_come_back_for_the_same_program_only() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("isms").join("texts.json");
        assert!(load(&file, "isms-1").is_empty(), "nothing kept yet");
        let texts = Texts::from([(blob(1), Some("Body one.\n".to_string())), (blob(2), None)]);
        store(&file, "isms-1", &texts);
        assert_eq!(load(&file, "isms-1"), texts);
        assert!(load(&file, "isms-2").is_empty(), "another version's file");
    }

    #[test]
    fn a_damaged_file_is_ignored() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("texts.json");
        fs::write(&file, b"{\"format\":1,\"salt\":\"isms-1\",\"texts\":[").expect("write");
        assert!(load(&file, "isms-1").is_empty());
        fs::write(
            &file,
            b"{\"format\":1,\"salt\":\"isms-1\",\"texts\":[[\"not hex\",null]]}",
        )
        .expect("write");
        assert!(load(&file, "isms-1").is_empty());
    }
}
