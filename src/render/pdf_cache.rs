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

use super::disk_file::DiskFile;

/// Where typeset volumes are looked up and kept, by a key of their whole
/// input (see `render::pdf`).
pub trait PdfCache: Sync {
    /// The volume typeset from the input with this key, if kept: the kept
    /// file, held open (see [`DiskFile`]).
    fn get(&self, key: &str) -> Option<DiskFile>;
    /// Keeps a volume typeset from the input with this key, and returns the
    /// kept file. A cache that cannot keep it returns `None`: it is an
    /// optimisation only, and the build holds the volume in memory.
    fn put(&self, key: &str, pdf: &[u8]) -> Option<DiskFile>;
    /// Called once the build's output is written: forgets the volumes this
    /// build did not use. Returns how many it removed.
    fn prune(&self) -> usize {
        0
    }
}

/// No cache: every volume is typeset (tests, and builds outside git).
pub struct NoPdfCache;

impl PdfCache for NoPdfCache {
    fn get(&self, _key: &str) -> Option<DiskFile> {
        None
    }

    fn put(&self, _key: &str, _pdf: &[u8]) -> Option<DiskFile> {
        None
    }
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

/// Whether `file` looks like a whole PDF file: its header and, near the
/// end, its end-of-file marker. A file cut short is typeset again.
fn looks_whole(file: &DiskFile) -> bool {
    let mut head = [0; 5];
    let mut tail = [0; 32];
    let tail_len = file.len().min(tail.len() as u64);
    let tail = &mut tail[..tail_len as usize];
    let read = |buf: &mut [u8], offset| file.read_at(buf, offset).is_ok_and(|n| n == buf.len());
    read(&mut head, 0)
        && read(tail, file.len() - tail_len)
        && &head == b"%PDF-"
        && tail.windows(5).any(|w| w == b"%%EOF")
}

impl PdfCache for DirPdfCache {
    fn get(&self, key: &str) -> Option<DiskFile> {
        let file = DiskFile::open(&self.file(key)?).ok()?;
        if !looks_whole(&file) {
            return None;
        }
        self.mark_used(key);
        Some(file)
    }

    fn put(&self, key: &str, pdf: &[u8]) -> Option<DiskFile> {
        let path = self.file(key)?;
        self.write(&path, pdf).ok()?;
        self.mark_used(key);
        DiskFile::open(&path).ok()
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
        assert!(cache.get("ab12").is_none(), "nothing kept yet");
        let kept = cache.put("ab12", PDF).expect("kept");
        assert_eq!(kept.read_all().expect("read"), PDF);
        let found = cache.get("ab12").expect("found");
        assert_eq!(found.read_all().expect("read"), PDF);
        assert!(cache.get("ab13").is_none());
    }

    #[test]
    fn keys_that_are_not_hex_never_name_a_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cache = DirPdfCache::new(dir.path());
        assert!(cache.put("../escape", PDF).is_none());
        assert!(cache.put("", PDF).is_none());
        assert_eq!(fs::read_dir(dir.path()).expect("dir").count(), 0);
        assert!(cache.get("../escape").is_none());
    }

    #[test]
    fn a_file_cut_short_is_not_used() {
        let dir = tempfile::tempdir().expect("tempdir");
        fs::write(dir.path().join("ab.pdf"), &PDF[..10]).expect("write");
        let cache = DirPdfCache::new(dir.path());
        assert!(cache.get("ab").is_none());
        fs::write(dir.path().join("ab.pdf"), b"").expect("write");
        assert!(cache.get("ab").is_none(), "an empty file");
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
