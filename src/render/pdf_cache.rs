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

use super::disk_file::{DiskFile, Stamp};

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

    /// Where the digests of the volume with this key are recorded.
    fn record(&self, key: &str) -> PathBuf {
        self.dir.join(format!("{key}.sums"))
    }

    /// The volume with its digests: from the record beside it when the
    /// record is of this very file as it is (same inode, length and
    /// modification time), else computed from its bytes and recorded for
    /// the next build. A warm build then reads no volume at all: the
    /// manifest takes the SHA-256 and the archive the CRC-32 from here.
    fn digested(&self, key: &str, file: DiskFile) -> DiskFile {
        let recorded = fs::read_to_string(self.record(key))
            .ok()
            .and_then(|text| parse_record(&text))
            .filter(|r| Some(r.stamp) == file.stamp() && r.len == file.len());
        match recorded {
            Some(r) => file.with_digests(r.sha256, r.crc32),
            None => {
                self.keep_record(key, &file);
                file
            }
        }
    }

    /// Records the digests of the volume with this key (computed from its
    /// bytes unless known) with the state of its file. Only a cache: a
    /// record that cannot be written costs the next build a reading.
    fn keep_record(&self, key: &str, file: &DiskFile) {
        if let (Ok((sha256, crc32)), Some(stamp)) = (file.digests(), file.stamp()) {
            let text = record_text(&Record {
                len: file.len(),
                stamp,
                sha256,
                crc32,
            });
            let _ = self.write(&self.record(key), text.as_bytes());
        }
    }

    fn mark_used(&self, key: &str) {
        if let Ok(mut used) = self.used.lock() {
            used.insert(key.to_string());
        }
    }

    fn write(&self, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
        fs::create_dir_all(&self.dir)?;
        // Written beside and renamed into place: a reader never sees half a
        // file, and two builds keeping the same volume write the same bytes.
        let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        let tmp = path.with_extension(format!(
            "{extension}.tmp.{}.{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let result = fs::File::create(&tmp)
            .and_then(|mut f| f.write_all(bytes).and_then(|()| f.sync_all()))
            .and_then(|()| fs::rename(&tmp, path));
        if result.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        result
    }
}

/// What the cache records of a kept volume: its digests, and the state of
/// the file they were computed from.
#[derive(Debug, PartialEq)]
struct Record {
    len: u64,
    stamp: Stamp,
    sha256: String,
    crc32: u32,
}

/// The first word of a record: another version's record is never read.
const RECORD_VERSION: &str = "isms-pdf-sums-1";

fn record_text(r: &Record) -> String {
    format!(
        "{RECORD_VERSION} {} {} {} {} {:08x} {}\n",
        r.len, r.stamp.device, r.stamp.inode, r.stamp.modified_ns, r.crc32, r.sha256
    )
}

fn parse_record(text: &str) -> Option<Record> {
    let mut words = text.trim_end_matches('\n').split(' ');
    (words.next()? == RECORD_VERSION).then_some(())?;
    let mut next = || words.next();
    let len = next()?.parse().ok()?;
    let stamp = Stamp {
        device: next()?.parse().ok()?,
        inode: next()?.parse().ok()?,
        modified_ns: next()?.parse().ok()?,
    };
    let crc32 = u32::from_str_radix(next()?, 16).ok()?;
    let sha256 = next()?.to_string();
    let hex = sha256.len() == 64
        && sha256
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    (hex && next().is_none()).then_some(Record {
        len,
        stamp,
        sha256,
        crc32,
    })
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
        Some(self.digested(key, file))
    }

    fn put(&self, key: &str, pdf: &[u8]) -> Option<DiskFile> {
        let path = self.file(key)?;
        self.write(&path, pdf).ok()?;
        self.mark_used(key);
        let file = DiskFile::open(&path).ok()?;
        // The bytes are at hand: digested here, not read back.
        let file = file.with_digests(crate::model::digest::sha256_hex(pdf), crc32fast::hash(pdf));
        self.keep_record(key, &file);
        Some(file)
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
            let key = name
                .strip_suffix(".pdf")
                .or_else(|| name.strip_suffix(".sums"));
            let stale = match key {
                Some(key) => !used.contains(key),
                None => name.contains(".pdf.tmp") || name.contains(".sums.tmp"),
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
        assert_eq!(build.prune(), 3, "bb, its record and the interrupted write");
        let mut left: Vec<String> = fs::read_dir(dir.path())
            .expect("dir")
            .map(|e| e.expect("entry").file_name().into_string().expect("utf-8"))
            .collect();
        left.sort();
        assert_eq!(
            left,
            ["aa.pdf", "aa.sums", "dd.pdf", "dd.sums", "notes.txt"]
        );
    }

    #[test]
    fn digests_are_recorded_and_trusted_only_for_the_file_they_were_made_of() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cache = DirPdfCache::new(dir.path());
        let kept = cache.put("ab", PDF).expect("kept");
        let sha = crate::model::digest::sha256_hex(PDF);
        assert_eq!(kept.sha256_hex().expect("sha"), sha);
        let record = fs::read_to_string(dir.path().join("ab.sums")).expect("record");
        let parsed = parse_record(&record).expect("parsed");
        assert_eq!(record_text(&parsed), record);
        assert_eq!(parsed.sha256, sha);
        assert_eq!(parsed.crc32, crc32fast::hash(PDF));

        // A record that does not match the file as it is: ignored, and
        // made again from the file's bytes.
        let forged = record_text(&Record {
            sha256: "0".repeat(64),
            ..parsed
        });
        fs::write(dir.path().join("ab.sums"), &forged).expect("forge");
        let found = cache.get("ab").expect("found");
        assert_eq!(
            found.sha256_hex().expect("sha"),
            "0".repeat(64),
            "same stamp: trusted"
        );
        let pdf = dir.path().join("ab.pdf");
        fs::File::options()
            .write(true)
            .open(&pdf)
            .expect("open")
            .set_modified(std::time::UNIX_EPOCH + std::time::Duration::from_secs(86_400))
            .expect("touch");
        let found = cache.get("ab").expect("found");
        assert_eq!(
            found.sha256_hex().expect("sha"),
            sha,
            "changed since: computed"
        );
        let again = parse_record(&fs::read_to_string(dir.path().join("ab.sums")).expect("record"))
            .expect("parsed");
        assert_eq!(again.sha256, sha, "and recorded again");

        for damaged in ["", "isms-pdf-sums-1 1 2 3", "isms-pdf-sums-0 1 2 3 4 0 aa"] {
            assert!(parse_record(damaged).is_none(), "{damaged:?}");
        }
    }

    #[test]
    fn prune_removes_the_records_of_volumes_no_longer_used() {
        let dir = tempfile::tempdir().expect("tempdir");
        let earlier = DirPdfCache::new(dir.path());
        earlier.put("aa", PDF);
        earlier.put("bb", PDF);
        let build = DirPdfCache::new(dir.path());
        assert!(build.get("aa").is_some());
        assert_eq!(build.prune(), 2, "bb.pdf and bb.sums");
        assert!(dir.path().join("aa.sums").exists());
    }
}
