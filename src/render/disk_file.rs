//! An output file whose bytes stay on disk until they are written.
//!
//! The audit pack of a large ISMS is hundreds of megabytes of typeset
//! volumes, and a build that finds them in the cache has no reason to hold
//! them in memory: they are copied from the cache into OUT, hashed for the
//! manifest and compressed into the archive a piece at a time.
//!
//! The file is held open from the moment it is found. A cache file is
//! replaced by renaming a new one over it, never rewritten in place, and an
//! open file outlives its name: another build pruning or replacing the cache
//! meanwhile cannot change or take away what this build copies.

use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// A read-only file of the output, held open (see the module comment).
#[derive(Debug)]
pub struct DiskFile {
    file: File,
    /// Where the file was found: an unchanged volume is linked into OUT
    /// from here (see [`DiskFile::link_to`]).
    path: PathBuf,
    len: u64,
    /// Which file this is and when it was last written, taken when it was
    /// opened; `None` where the system does not tell.
    stamp: Option<Stamp>,
    /// The SHA-256 (hex, for the manifest) and the CRC-32 (for the
    /// archive's comparison with the one being replaced), once known: a
    /// build can compute them while it still waits for other work, or take
    /// them from the cache's record.
    digests: OnceLock<(String, u32)>,
}

/// What tells one state of a file from another without reading it: the
/// file (device and inode) and its modification time. A file rewritten in
/// place gets a new time; one replaced by a rename is another inode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stamp {
    pub device: u64,
    pub inode: u64,
    pub modified_ns: i128,
}

impl Stamp {
    /// The stamp of the file `meta` describes (Unix only).
    pub fn of(meta: &fs::Metadata) -> Option<Stamp> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            Some(Stamp {
                device: meta.dev(),
                inode: meta.ino(),
                modified_ns: i128::from(meta.mtime()) * 1_000_000_000
                    + i128::from(meta.mtime_nsec()),
            })
        }
        #[cfg(not(unix))]
        {
            let _ = meta;
            None
        }
    }
}

/// The content of an output file made apart from the pages: in memory, or
/// a file on disk that the output copies.
#[derive(Debug)]
pub enum Content {
    Memory(Vec<u8>),
    Disk(DiskFile),
}

impl Content {
    /// The whole content in memory.
    pub fn to_vec(&self) -> io::Result<Vec<u8>> {
        match self {
            Content::Memory(bytes) => Ok(bytes.clone()),
            Content::Disk(file) => file.read_all(),
        }
    }
}

/// How much of a file is read at a time when it is copied or hashed.
const CHUNK: usize = 1 << 20;

impl DiskFile {
    /// Opens the file at `path` and takes its length.
    pub fn open(path: &Path) -> io::Result<DiskFile> {
        let file = File::open(path)?;
        let meta = file.metadata()?;
        Ok(DiskFile {
            file,
            path: path.to_path_buf(),
            len: meta.len(),
            stamp: Stamp::of(&meta),
            digests: OnceLock::new(),
        })
    }

    /// The file with its digests as recorded elsewhere (the cache keeps
    /// them beside the volume, for the file with this very stamp), so that
    /// nothing reads it only to compute them again.
    pub fn with_digests(self, sha256: String, crc32: u32) -> DiskFile {
        let _ = self.digests.set((sha256, crc32));
        self
    }

    /// Which file this is and when it was written, as when it was opened.
    pub fn stamp(&self) -> Option<Stamp> {
        self.stamp
    }

    /// The file's length in bytes, when it was opened.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the file is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Reads `buf.len()` bytes from `offset`, or fewer at the end of the
    /// file. Reads by position: threads that read one file at once (the
    /// archive and the writer) do not move each other's place.
    pub fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        #[cfg(unix)]
        {
            std::os::unix::fs::FileExt::read_at(&self.file, buf, offset)
        }
        #[cfg(windows)]
        {
            std::os::windows::fs::FileExt::seek_read(&self.file, buf, offset)
        }
        #[cfg(not(any(unix, windows)))]
        {
            let _ = (buf, offset);
            Err(io::ErrorKind::Unsupported.into())
        }
    }

    /// Hands the file's bytes to `each`, a chunk at a time. A file that is
    /// shorter or longer than when it was opened is an error: something
    /// changed it in place, and its bytes are not the ones that were found.
    fn chunks(&self, mut each: impl FnMut(&[u8]) -> io::Result<()>) -> io::Result<()> {
        let mut buf = vec![0; CHUNK];
        let mut offset = 0;
        loop {
            let n = self.read_at(&mut buf, offset)?;
            if n == 0 {
                break;
            }
            offset += n as u64;
            if offset > self.len {
                break;
            }
            each(&buf[..n])?;
        }
        if offset != self.len {
            return Err(io::Error::other(format!(
                "the file changed while it was read: {offset} bytes or more where there were {}",
                self.len
            )));
        }
        Ok(())
    }

    /// The whole file in memory (one audit-pack volume while it is
    /// compressed).
    pub fn read_all(&self) -> io::Result<Vec<u8>> {
        let mut bytes = Vec::with_capacity(usize::try_from(self.len).unwrap_or(0));
        self.chunks(|chunk| {
            bytes.extend_from_slice(chunk);
            Ok(())
        })?;
        Ok(bytes)
    }

    /// Copies the file into `out`, a chunk at a time.
    pub fn copy_to(&self, out: &mut impl io::Write) -> io::Result<()> {
        self.chunks(|chunk| out.write_all(chunk))
    }

    /// The lowercase hex SHA-256 of the file (see [`DiskFile::digests`]).
    pub fn sha256_hex(&self) -> io::Result<String> {
        Ok(self.digests()?.0)
    }

    /// The CRC-32 of the file (see [`DiskFile::digests`]).
    pub fn crc32(&self) -> io::Result<u32> {
        Ok(self.digests()?.1)
    }

    /// The SHA-256 (hex) and the CRC-32 of the file, both from one reading,
    /// a chunk at a time, the first time either is asked for.
    pub fn digests(&self) -> io::Result<(String, u32)> {
        if let Some(known) = self.digests.get() {
            return Ok(known.clone());
        }
        use sha2::{Digest, Sha256};
        let mut sha = Sha256::new();
        let mut crc = crc32fast::Hasher::new();
        self.chunks(|chunk| {
            sha.update(chunk);
            crc.update(chunk);
            Ok(())
        })?;
        let computed = (crate::model::digest::hex(&sha.finalize()), crc.finalize());
        Ok(self.digests.get_or_init(|| computed).clone())
    }

    /// Makes `dest` a second name of this very file, unchanged since it was
    /// opened: OUT then holds the cached volume without a byte copied or
    /// read. `false` (and nothing left at `dest`) where that cannot be
    /// shown: another file system, no links, or a file that was replaced or
    /// written since it was opened. The caller copies it then.
    pub fn link_to(&self, dest: &Path) -> bool {
        let Some(stamp) = self.stamp else {
            return false;
        };
        if fs::hard_link(&self.path, dest).is_err() {
            return false;
        }
        let linked = fs::symlink_metadata(dest)
            .is_ok_and(|meta| meta.len() == self.len && Stamp::of(&meta) == Some(stamp));
        if !linked {
            let _ = fs::remove_file(dest);
        }
        linked
    }

    /// Whether the file at `path` holds exactly the same bytes, compared a
    /// chunk at a time.
    pub fn same_as(&self, path: &Path) -> bool {
        let Ok(other) = DiskFile::open(path) else {
            return false;
        };
        if other.len != self.len {
            return false;
        }
        let (mut a, mut b) = (vec![0; CHUNK], vec![0; CHUNK]);
        let mut offset = 0;
        while offset < self.len {
            let want = usize::try_from((self.len - offset).min(CHUNK as u64)).unwrap_or(CHUNK);
            let (Ok(()), Ok(())) = (
                read_exact_at(self, &mut a[..want], offset),
                read_exact_at(&other, &mut b[..want], offset),
            ) else {
                return false;
            };
            if a[..want] != b[..want] {
                return false;
            }
            offset += want as u64;
        }
        true
    }
}

/// Fills `buf` from `offset`; an error when the file ends first.
fn read_exact_at(file: &DiskFile, buf: &mut [u8], offset: u64) -> io::Result<()> {
    let mut done = 0;
    while done < buf.len() {
        let n = file.read_at(&mut buf[done..], offset + done as u64)?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        done += n;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file_with(bytes: &[u8]) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("f.pdf");
        std::fs::write(&path, bytes).expect("write");
        (dir, path)
    }

    #[test]
    fn reads_copies_and_hashes_the_whole_file() {
        // Larger than one chunk, so the loops go round more than once.
        let bytes: Vec<u8> = (0..CHUNK * 2 + 17).map(|i| (i % 251) as u8).collect();
        let (_dir, path) = file_with(&bytes);
        let file = DiskFile::open(&path).expect("open");
        assert_eq!(file.len(), bytes.len() as u64);
        assert_eq!(file.read_all().expect("read"), bytes);
        let mut copy = Vec::new();
        file.copy_to(&mut copy).expect("copy");
        assert_eq!(copy, bytes);
        assert_eq!(
            file.sha256_hex().expect("hash"),
            crate::model::digest::sha256_hex(&bytes)
        );
    }

    #[test]
    fn reads_by_position_whatever_was_read_before() {
        let (_dir, path) = file_with(b"abcdef");
        let file = DiskFile::open(&path).expect("open");
        let mut buf = [0; 3];
        for (offset, expected) in [(0, b"abc"), (3, b"def"), (0, b"abc")] {
            assert_eq!(file.read_at(&mut buf, offset).expect("read"), 3);
            assert_eq!(&buf, expected);
        }
        assert_eq!(file.read_at(&mut buf, 6).expect("at the end"), 0);
    }

    #[test]
    fn outlives_its_name_and_notices_a_change_in_place() {
        let (dir, path) = file_with(b"%PDF-1.7 volume");
        let file = DiskFile::open(&path).expect("open");
        std::fs::remove_file(&path).expect("remove");
        assert_eq!(file.read_all().expect("still readable"), b"%PDF-1.7 volume");

        let other = dir.path().join("g.pdf");
        std::fs::write(&other, b"short").expect("write");
        let changed = DiskFile::open(&other).expect("open");
        std::fs::write(&other, b"longer than it was").expect("rewrite in place");
        assert!(changed.read_all().is_err());
        assert!(changed.copy_to(&mut Vec::new()).is_err());
        assert!(changed.sha256_hex().is_err());
        std::fs::write(&other, b"shor").expect("cut short in place");
        assert!(changed.read_all().is_err());
    }

    #[test]
    fn compares_with_a_file_byte_for_byte() {
        let (dir, path) = file_with(b"same bytes");
        let file = DiskFile::open(&path).expect("open");
        let same = dir.path().join("same");
        std::fs::write(&same, b"same bytes").expect("write");
        let other = dir.path().join("other");
        std::fs::write(&other, b"same bytez").expect("write");
        assert!(file.same_as(&same));
        assert!(!file.same_as(&other));
        assert!(!file.same_as(&dir.path().join("missing")));
    }

    #[test]
    fn links_only_the_very_file_it_opened_as_it_was() {
        let (dir, path) = file_with(b"%PDF-1.7 volume");
        let file = DiskFile::open(&path).expect("open");
        let linked = dir.path().join("linked.pdf");
        assert!(file.link_to(&linked));
        assert_eq!(std::fs::read(&linked).expect("read"), b"%PDF-1.7 volume");
        assert_eq!(
            Stamp::of(&std::fs::metadata(&linked).expect("meta")),
            file.stamp(),
            "the same file under a second name"
        );

        // Written in place since it was opened: not linked, nothing left.
        let later = dir.path().join("later.pdf");
        let handle = std::fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .expect("open for writing");
        handle
            .set_modified(std::time::UNIX_EPOCH + std::time::Duration::from_secs(86_400))
            .expect("touch");
        assert!(!file.link_to(&later));
        assert!(!later.exists());

        // Replaced by a rename: another file, not linked.
        let replacement = dir.path().join("new.pdf");
        std::fs::write(&replacement, b"%PDF-1.7 volume").expect("write");
        std::fs::rename(&replacement, &path).expect("rename");
        let fresh = DiskFile::open(&path).expect("open");
        std::fs::write(dir.path().join("other.pdf"), b"x").expect("write");
        std::fs::rename(dir.path().join("other.pdf"), &path).expect("rename");
        assert!(!fresh.link_to(&later));
        assert!(!later.exists());
    }

    #[test]
    fn digests_known_from_elsewhere_are_not_computed_again() {
        let (_dir, path) = file_with(b"abc");
        let computed = DiskFile::open(&path).expect("open");
        let (sha, crc) = computed.digests().expect("digests");
        assert_eq!(sha, crate::model::digest::sha256_hex(b"abc"));
        assert_eq!(crc, crc32fast::hash(b"abc"));
        let known = DiskFile::open(&path)
            .expect("open")
            .with_digests("recorded".into(), 7);
        assert_eq!(known.sha256_hex().expect("sha"), "recorded");
        assert_eq!(known.crc32().expect("crc"), 7);
    }
}
