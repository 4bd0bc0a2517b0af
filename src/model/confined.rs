//! The one rule for reading inputs: a file is read only when its real path
//! (after following every symbolic link) lies inside the folder it belongs
//! to (the ISMS root, or for theme files the theme folder), and only when it
//! is no larger than [`MAX_FILE_BYTES`]. Every reader of ISMS input (the
//! load stage, and the theme and logo reads of the render stage and the
//! source lines the report quotes) goes through [`Confined`]; a refused file
//! is never opened, so nothing of it can reach a report or a site. It lives
//! in the model, the one layer all of those readers may use.

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Largest document, CSV file or `isms.toml` that is read (8 MiB).
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

/// A folder that reads are confined to.
#[derive(Clone, Debug)]
pub struct Confined {
    /// The folder's real path.
    root: PathBuf,
}

/// Why a file was not read.
#[derive(Debug)]
pub enum ReadError {
    /// Its real path is outside the folder (a `..`, an absolute path or a
    /// symbolic link leading out).
    Outside,
    /// Larger than [`MAX_FILE_BYTES`]; `head` holds its first bytes, so a
    /// caller can tell whether it looks like a document.
    TooLarge { size: u64, head: Vec<u8> },
    /// Not there, or not a file.
    Missing,
    /// Any other error of the file system.
    Io(std::io::Error),
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Outside => f.write_str("it leads outside the ISMS folder: not read"),
            ReadError::TooLarge { size, .. } => write!(
                f,
                "it is {size} bytes, more than the limit of {MAX_FILE_BYTES} bytes: not read"
            ),
            ReadError::Missing => f.write_str("not found"),
            ReadError::Io(e) => write!(f, "cannot be read: {e}"),
        }
    }
}

impl std::error::Error for ReadError {}

impl From<std::io::Error> for ReadError {
    fn from(e: std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::NotFound {
            ReadError::Missing
        } else {
            ReadError::Io(e)
        }
    }
}

impl Confined {
    /// Reads confined to `root`, which must exist.
    pub fn new(root: &Path) -> std::io::Result<Confined> {
        Ok(Confined {
            root: std::fs::canonicalize(root)?,
        })
    }

    /// The folder's real path.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The real path of `path` (relative to the folder, or absolute), when
    /// it exists and lies inside the folder.
    pub fn resolve(&self, path: impl AsRef<Path>) -> Result<PathBuf, ReadError> {
        let real = std::fs::canonicalize(self.root.join(path))?;
        if real.starts_with(&self.root) {
            Ok(real)
        } else {
            Err(ReadError::Outside)
        }
    }

    /// Reads the file at `path` (relative to the folder, or absolute) under
    /// the rule above.
    pub fn read(&self, path: impl AsRef<Path>) -> Result<Vec<u8>, ReadError> {
        let real = self.resolve(path)?;
        read_limited(std::fs::File::open(&real)?)
    }

    /// Reads `rel`, a path relative to the folder that a walk found without
    /// following links (as `load::discover` walks): every folder on the way
    /// is a real folder inside this one, so only the file itself could lead
    /// out. It is opened without following a link (a file replaced by a link
    /// since the walk is refused, not followed), which spares resolving
    /// every part of the path: on a large ISMS that resolving cost more
    /// than reading. Any other path, and other systems, go through
    /// [`Confined::read`].
    pub fn read_walked(&self, rel: &str) -> Result<Vec<u8>, ReadError> {
        #[cfg(any(target_os = "linux", target_os = "android"))]
        if Path::new(rel)
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)))
        {
            use std::os::unix::fs::OpenOptionsExt;
            let flags = rustix::fs::OFlags::NOFOLLOW.bits();
            let file = std::fs::OpenOptions::new()
                .read(true)
                .custom_flags(i32::try_from(flags).unwrap_or(i32::MAX))
                .open(self.root.join(rel));
            return match file {
                Ok(file) => read_limited(file),
                // ELOOP: the file is now a link; judge it as one.
                Err(e) if e.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error()) => {
                    self.read(rel)
                }
                Err(e) => Err(e.into()),
            };
        }
        self.read(rel)
    }

    /// Reads a text file: as [`Confined::read`], with invalid UTF-8
    /// replaced.
    pub fn read_text(&self, path: impl AsRef<Path>) -> Result<String, ReadError> {
        self.read(path)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
    }
}

/// Reads an open file up to [`MAX_FILE_BYTES`]; not a regular file reads
/// as missing.
fn read_limited(file: std::fs::File) -> Result<Vec<u8>, ReadError> {
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(ReadError::Missing);
    }
    let mut bytes = Vec::with_capacity(meta.len().min(MAX_FILE_BYTES) as usize);
    // One byte over the limit tells a file that grew since `metadata`.
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)?;
    if meta.len() > MAX_FILE_BYTES || bytes.len() as u64 > MAX_FILE_BYTES {
        bytes.truncate(8);
        return Err(ReadError::TooLarge {
            size: meta.len().max(MAX_FILE_BYTES + 1),
            head: bytes,
        });
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_inside_refuses_outside() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("isms");
        std::fs::create_dir_all(root.join("a")).expect("mkdir");
        std::fs::write(root.join("a/in.csv"), "x\n").expect("write");
        std::fs::write(dir.path().join("secret.csv"), "OUTSIDE-MARKER\n").expect("write");
        let c = Confined::new(&root).expect("root");
        assert_eq!(c.read("a/in.csv").expect("inside"), b"x\n");
        assert_eq!(c.read("a/../a/in.csv").expect("inside"), b"x\n");
        assert!(matches!(c.read("../secret.csv"), Err(ReadError::Outside)));
        let abs = dir.path().join("secret.csv");
        assert!(matches!(c.read(&abs), Err(ReadError::Outside)));
        assert!(matches!(c.read("nope.csv"), Err(ReadError::Missing)));
        assert!(matches!(c.read("a"), Err(ReadError::Missing)));
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(&abs, root.join("a/link.csv")).expect("symlink");
            assert!(matches!(c.read("a/link.csv"), Err(ReadError::Outside)));
            std::os::unix::fs::symlink(dir.path(), root.join("up")).expect("symlink");
            assert!(matches!(c.read("up/secret.csv"), Err(ReadError::Outside)));
            std::os::unix::fs::symlink(root.join("a/in.csv"), root.join("ok.csv"))
                .expect("symlink");
            assert_eq!(c.read("ok.csv").expect("link inside"), b"x\n");
        }
    }

    #[test]
    fn a_walked_path_is_read_in_place_and_a_link_is_judged_as_one() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("isms");
        std::fs::create_dir_all(root.join("a")).expect("mkdir");
        std::fs::write(root.join("a/in.md"), "x\n").expect("write");
        std::fs::write(dir.path().join("secret.md"), "OUTSIDE-MARKER\n").expect("write");
        let c = Confined::new(&root).expect("root");
        assert_eq!(c.read_walked("a/in.md").expect("inside"), b"x\n");
        assert!(matches!(c.read_walked("a"), Err(ReadError::Missing)));
        assert!(matches!(c.read_walked("nope.md"), Err(ReadError::Missing)));
        // Not a walked path: resolved as `read` resolves it.
        assert!(matches!(
            c.read_walked("../secret.md"),
            Err(ReadError::Outside)
        ));
        #[cfg(unix)]
        {
            let abs = dir.path().join("secret.md");
            std::os::unix::fs::symlink(&abs, root.join("a/link.md")).expect("symlink");
            assert!(matches!(
                c.read_walked("a/link.md"),
                Err(ReadError::Outside)
            ));
            std::os::unix::fs::symlink(root.join("a/in.md"), root.join("ok.md")).expect("symlink");
            assert_eq!(c.read_walked("ok.md").expect("link inside"), b"x\n");
        }
    }

    #[test]
    fn refuses_large_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        let f = std::fs::File::create(dir.path().join("big.md")).expect("create");
        f.set_len(MAX_FILE_BYTES + 1).expect("grow");
        let c = Confined::new(dir.path()).expect("root");
        match c.read("big.md") {
            Err(ReadError::TooLarge { size, head }) => {
                assert_eq!(size, MAX_FILE_BYTES + 1);
                assert_eq!(head.len(), 8);
            }
            other => panic!("{other:?}"),
        }
    }
}
