//! Typeset audit-pack volumes kept between builds.
//!
//! Typesetting is most of what `isms build` costs on a large ISMS (Typst
//! lays out every table row and paragraph of every document), while a
//! volume's bytes follow from its input alone: the data the template
//! receives, the template, the typesetter and the as-of date. So a volume
//! whose input is unchanged since the last build is taken from the cache
//! instead of being typeset again. The cache lives inside the git
//! directory, like the history cache: `isms build` writes nothing else
//! outside OUT, `git clean` never sees it, and deleting it only costs time.
//!
//! Every volume names the commit on its cover, so a new commit makes every
//! volume new; the cache serves builds of one commit (a second build, a
//! build after changing only the theme's pages) and uncommitted edits, which
//! change only the volumes that hold the edited documents and the first
//! (its register).

use std::collections::HashSet;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Where typeset volumes are looked up and kept, by a key of their whole
/// input (see `render::pdf`).
pub trait PdfCache: Sync {
    /// The volume typeset from the input with this key, if kept.
    fn get(&self, key: &str) -> Option<Vec<u8>>;
    /// Keeps a volume typeset from the input with this key. A cache that
    /// cannot keep it says nothing: it is an optimisation only.
    fn put(&self, key: &str, pdf: &[u8]);
    /// Called once the build's output is written: forgets the volumes this
    /// build did not use. Returns how many it removed.
    fn prune(&self) -> usize {
        0
    }
}

/// No cache: every volume is typeset (tests, and builds outside git).
pub struct NoPdfCache;

impl PdfCache for NoPdfCache {
    fn get(&self, _key: &str) -> Option<Vec<u8>> {
        None
    }

    fn put(&self, _key: &str, _pdf: &[u8]) {}
}

/// A folder of `<key>.pdf` files. It keeps what one build used:
/// [`PdfCache::prune`] removes the rest once the build has written its
/// output, so the folder never holds more than one pack.
pub struct DirPdfCache {
    dir: PathBuf,
    used: Mutex<HashSet<String>>,
}

impl DirPdfCache {
    /// The cache in `dir` (created when the first volume is kept).
    pub fn new(dir: impl Into<PathBuf>) -> DirPdfCache {
        DirPdfCache {
            dir: dir.into(),
            used: Mutex::new(HashSet::new()),
        }
    }

    fn file(&self, key: &str) -> Option<PathBuf> {
        // Keys are lowercase hex digests; anything else never names a file.
        let valid = !key.is_empty() && key.bytes().all(|b| b.is_ascii_hexdigit());
        valid.then(|| self.dir.join(format!("{key}.pdf")))
    }

    fn mark_used(&self, key: &str) {
        if let Ok(mut used) = self.used.lock() {
            used.insert(key.to_string());
        }
    }

    fn write(&self, path: &Path, pdf: &[u8]) -> std::io::Result<()> {
        fs::create_dir_all(&self.dir)?;
        // Written beside and renamed into place: a reader never sees half a
        // file, and two builds keeping the same volume write the same bytes.
        let tmp = path.with_extension(format!(
            "pdf.tmp.{}.{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let result = fs::File::create(&tmp)
            .and_then(|mut f| f.write_all(pdf).and_then(|()| f.sync_all()))
            .and_then(|()| fs::rename(&tmp, path));
        if result.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        result
    }
}

/// Whether `bytes` look like a whole PDF file: its header and, near the
/// end, its end-of-file marker. A file cut short is typeset again.
fn looks_whole(bytes: &[u8]) -> bool {
    let tail = &bytes[bytes.len().saturating_sub(32)..];
    bytes.starts_with(b"%PDF-") && tail.windows(5).any(|w| w == b"%%EOF")
}

impl PdfCache for DirPdfCache {
    fn get(&self, key: &str) -> Option<Vec<u8>> {
        let bytes = fs::read(self.file(key)?).ok()?;
        if !looks_whole(&bytes) {
            return None;
        }
        self.mark_used(key);
        Some(bytes)
    }

    fn put(&self, key: &str, pdf: &[u8]) {
        let Some(path) = self.file(key) else { return };
        if self.write(&path, pdf).is_ok() {
            self.mark_used(key);
        }
    }

    /// Removes the volumes this build did not use, and files left by a
    /// build that was interrupted while keeping one.
    fn prune(&self) -> usize {
        let Ok(used) = self.used.lock() else {
            return 0;
        };
        let Ok(entries) = fs::read_dir(&self.dir) else {
            return 0;
        };
        let mut removed = 0;
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            let stale = match name.strip_suffix(".pdf") {
                Some(key) => !used.contains(key),
                None => name.contains(".pdf.tmp"),
            };
            if stale && fs::remove_file(entry.path()).is_ok() {
                removed += 1;
            }
        }
        removed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PDF: &[u8] = b"%PDF-1.7\n...\n%%EOF\n";

    #[test]
    fn a_kept_volume_is_found_by_its_key_only() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cache = DirPdfCache::new(dir.path().join("pdf"));
        assert_eq!(cache.get("ab12"), None, "nothing kept yet");
        cache.put("ab12", PDF);
        assert_eq!(cache.get("ab12").as_deref(), Some(PDF));
        assert_eq!(cache.get("ab13"), None);
    }

    #[test]
    fn keys_that_are_not_hex_never_name_a_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cache = DirPdfCache::new(dir.path());
        cache.put("../escape", PDF);
        cache.put("", PDF);
        assert_eq!(fs::read_dir(dir.path()).expect("dir").count(), 0);
        assert_eq!(cache.get("../escape"), None);
    }

    #[test]
    fn a_file_cut_short_is_not_used() {
        let dir = tempfile::tempdir().expect("tempdir");
        fs::write(dir.path().join("ab.pdf"), &PDF[..10]).expect("write");
        let cache = DirPdfCache::new(dir.path());
        assert_eq!(cache.get("ab"), None);
    }

    #[test]
    fn prune_keeps_only_what_this_build_used() {
        let dir = tempfile::tempdir().expect("tempdir");
        let earlier = DirPdfCache::new(dir.path());
        earlier.put("aa", PDF);
        earlier.put("bb", PDF);
        fs::write(dir.path().join("cc.pdf.tmp.1.ThreadId(2)"), b"half").expect("write");
        fs::write(dir.path().join("notes.txt"), b"not ours").expect("write");

        let build = DirPdfCache::new(dir.path());
        assert!(build.get("aa").is_some());
        build.put("dd", PDF);
        assert_eq!(build.prune(), 2, "bb and the interrupted write");
        let mut left: Vec<String> = fs::read_dir(dir.path())
            .expect("dir")
            .map(|e| e.expect("entry").file_name().into_string().expect("utf-8"))
            .collect();
        left.sort();
        assert_eq!(left, ["aa.pdf", "dd.pdf", "notes.txt"]);
    }
}
