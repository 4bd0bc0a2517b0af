//! Puts rendered sites on disk so that a reader never sees half a build.
//!
//! The whole new OUT (`staff/`, `audit/` and the `.isms-output` marker) is
//! written into a temporary folder beside OUT (`.isms-build-*`, on the same
//! filesystem), then exchanged with OUT in one step: on Linux with
//! `renameat2(RENAME_EXCHANGE)`, so that OUT is at every instant either the
//! whole old build or the whole new one. Where the exchange is unavailable
//! (another system, or a filesystem that answers `EINVAL`) OUT is renamed
//! into the temporary folder and the new OUT renamed into its place; a kill
//! between those two renames leaves OUT missing for a moment, and the next
//! build puts a whole site back ([`recover`]) before doing anything else.
//!
//! Each temporary folder holds a lock file, locked for as long as its build
//! runs and naming the OUT it is for. A later build removes the temporary
//! folders of killed builds for the same OUT (their lock can be taken), never
//! one a running build holds, and never a folder without that marker.

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Component, Path, PathBuf};

use super::disk_file::DiskFile;
use super::{RenderError, SiteFile, Sites};

/// Why OUT could not be written; every variant names the path involved.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("cannot read the current directory: {0}")]
    CurrentDir(#[source] io::Error),
    #[error(
        "the output folder {} is the ISMS folder or contains it; choose another --out",
        .0.display()
    )]
    HoldsIsms(PathBuf),
    #[error("the output folder cannot be a filesystem root")]
    FilesystemRoot,
    #[error(
        "{} is not empty and was not written by isms build; choose an empty or new --out folder",
        .0.display()
    )]
    Foreign(PathBuf),
    #[error("{} is not a folder; choose another --out", .0.display())]
    NotAFolder(PathBuf),
    #[error("cannot create a temporary folder in {}", .0.display())]
    NoTempName(PathBuf),
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// A file made while the sites were written (the archive) could not be.
    #[error(transparent)]
    Render(#[from] RenderError),
}

/// An I/O error on `path`, for `map_err`.
fn io_error(action: &'static str, path: &Path) -> impl FnOnce(io::Error) -> WriteError {
    let path = path.to_path_buf();
    move |source| WriteError::Io {
        action,
        path,
        source,
    }
}

/// Makes `path` absolute and removes `.`/`..` without touching the disk (OUT
/// may not exist yet).
fn absolute(path: &Path) -> Result<PathBuf, WriteError> {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map_err(WriteError::CurrentDir)?
            .join(path)
    };
    let mut out = PathBuf::new();
    for part in joined.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    Ok(out)
}

/// The longest existing ancestor canonicalised, with the rest appended, so
/// that symlinks cannot hide that OUT is DIR.
fn resolved(path: &Path) -> Result<PathBuf, WriteError> {
    let abs = absolute(path)?;
    let mut existing = abs.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(real) = existing.canonicalize() {
            let mut out = real;
            for part in rest.iter().rev() {
                out.push(part);
            }
            return Ok(out);
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            _ => return Ok(abs),
        }
    }
}

/// Refuses an OUT that is the ISMS root or contains it: replacing it would
/// delete the sources.
pub fn check_out(root: &Path, out: &Path) -> Result<PathBuf, WriteError> {
    let root = resolved(root)?;
    let out = resolved(out)?;
    if root.starts_with(&out) {
        return Err(WriteError::HoldsIsms(out));
    }
    if out.parent().is_none() {
        return Err(WriteError::FilesystemRoot);
    }
    Ok(out)
}

/// Writes both sites as the new `out` (already checked by [`check_out`]),
/// replacing the old one in one step, with the files `beside` writes beside
/// the two sites at OUT's top level: it is given the new OUT's folder, and
/// runs on another thread while the sites are written, so the audit index
/// archive is compressed (processor work) while the file system creates the
/// pages (waiting on the disk). When `beside` fails nothing is put in
/// place: OUT stays as it was.
pub fn write_sites_with<F>(out: &Path, sites: &Sites, beside: F) -> Result<(), WriteError>
where
    F: FnOnce(&Path) -> Result<(), RenderError> + Send,
{
    let (Some(parent), Some(name)) = (out.parent(), out.file_name()) else {
        return Err(WriteError::FilesystemRoot);
    };
    let name = name.to_string_lossy();
    fs::create_dir_all(parent).map_err(io_error("create", parent))?;
    refuse_foreign_folder(out)?;
    let stale = stale_temps(parent, &name);
    recover(out, &stale)?;
    for temp in stale {
        temp.remove();
    }
    let temp = Temp::create(parent, &name)?;
    // The files of the build being replaced, where it is ours: a file whose
    // bytes are unchanged is linked from there instead of written again.
    let previous = out.join(MARKER).is_file().then_some(out);
    let result = temp
        .fill(sites, beside, previous)
        .and_then(|()| temp.swap(out));
    // Whatever happened, the temporary folder (holding the new OUT on
    // failure, the old one on success) goes.
    temp.remove();
    result
}

/// Written into every OUT this tool creates, so that a later build knows the
/// folder is its own to replace.
const MARKER: &str = ".isms-output";
const MARKER_TEXT: &str =
    "This folder is written by `isms build` and replaced as a whole on every build.\n";

/// Refuses a non-empty OUT that an earlier build did not create (its
/// `staff/` or `audit/` could be someone's files), and an OUT that is a file.
fn refuse_foreign_folder(out: &Path) -> Result<(), WriteError> {
    match fs::symlink_metadata(out) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io_error("read", out)(e)),
        Ok(meta) if !meta.is_dir() => return Err(WriteError::NotAFolder(out.to_path_buf())),
        Ok(_) => {}
    }
    let mut entries = fs::read_dir(out).map_err(io_error("read", out))?;
    if entries.next().is_none() || out.join(MARKER).is_file() {
        return Ok(());
    }
    Err(WriteError::Foreign(out.to_path_buf()))
}

/// The temporary folders' names start with this.
const TEMP_PREFIX: &str = ".isms-build-";
/// The lock file inside a temporary folder; it is also the marker that the
/// folder is isms's own.
const LOCK: &str = "isms-build.lock";
/// Inside a temporary folder: the new OUT being written, and (after a swap
/// by renames) the old OUT.
const NEW: &str = "new";
const OLD: &str = "old";

/// The lock file's content: what it is, and the name of the OUT it is for.
fn lock_text(out_name: &str) -> String {
    format!("A temporary folder of `isms build`, for {out_name}\n")
}

/// The temporary folder of one build, locked while the build runs.
struct Temp {
    dir: PathBuf,
    /// Held open (and so locked) until the folder is removed.
    _lock: File,
}

impl Temp {
    /// Creates and locks a new temporary folder in `parent`. The lock is
    /// taken before the marker text is written, so a build that finds the
    /// text and can take the lock knows the folder's build is gone.
    fn create(parent: &Path, out_name: &str) -> Result<Temp, WriteError> {
        let pid = std::process::id();
        for n in 0..1000u32 {
            let dir = parent.join(format!("{TEMP_PREFIX}{pid}-{n}"));
            match fs::create_dir(&dir) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(io_error("create", &dir)(e)),
            }
            let path = dir.join(LOCK);
            let locked = File::options()
                .read(true)
                .write(true)
                .create_new(true)
                .open(&path)
                .map_err(io_error("create", &path))
                .and_then(|mut lock| {
                    lock.lock().map_err(io_error("lock", &path))?;
                    lock.write_all(lock_text(out_name).as_bytes())
                        .map_err(io_error("write", &path))?;
                    Ok(lock)
                });
            return match locked {
                Ok(lock) => Ok(Temp { dir, _lock: lock }),
                Err(e) => {
                    let _ = fs::remove_file(&path);
                    let _ = fs::remove_dir(&dir);
                    Err(e)
                }
            };
        }
        Err(WriteError::NoTempName(parent.to_path_buf()))
    }

    /// Writes the whole new OUT, the marker last.
    fn fill<F>(&self, sites: &Sites, beside: F, previous: Option<&Path>) -> Result<(), WriteError>
    where
        F: FnOnce(&Path) -> Result<(), RenderError> + Send,
    {
        let new = self.dir.join(NEW);
        fs::create_dir(&new).map_err(io_error("create", &new))?;
        let before = |site: &str| previous.map(|p| p.join(site));
        let (written, beside) = rayon::join(
            || {
                write_files(&new.join("staff"), &sites.staff, before("staff").as_deref())?;
                let audit = new.join("audit");
                let audit_before = before("audit");
                write_files(&audit, &sites.audit, audit_before.as_deref())?;
                copy_files(&audit, &sites.audit_on_disk, audit_before.as_deref())
            },
            || beside(&new),
        );
        written?;
        crash_point("writing");
        beside?;
        let marker = new.join(MARKER);
        fs::write(&marker, MARKER_TEXT).map_err(io_error("write", &marker))?;
        crash_point("filled");
        Ok(())
    }

    /// Puts the new OUT in place of `out`.
    fn swap(&self, out: &Path) -> Result<(), WriteError> {
        let new = self.dir.join(NEW);
        if fs::symlink_metadata(out).is_err() {
            fs::rename(&new, out).map_err(io_error("move the new site to", out))?;
            crash_point("swapped");
            return Ok(());
        }
        if exchange(&new, out)? {
            crash_point("swapped");
            return Ok(());
        }
        let old = self.dir.join(OLD);
        fs::rename(out, &old).map_err(io_error("move the old site out of", out))?;
        crash_point("old moved aside");
        if let Err(e) = fs::rename(&new, out) {
            // Put the old site back rather than leave no OUT.
            let _ = fs::rename(&old, out);
            return Err(io_error("move the new site to", out)(e));
        }
        crash_point("swapped");
        Ok(())
    }

    /// Removes the folder, its lock file last: a kill part-way leaves a
    /// folder that still carries the marker, for a later build to remove.
    fn remove(self) {
        let _ = fs::remove_dir_all(self.dir.join(NEW));
        let _ = fs::remove_dir_all(self.dir.join(OLD));
        let _ = fs::remove_file(self.dir.join(LOCK));
        let _ = fs::remove_dir(&self.dir);
    }
}

/// Exchanges `new` and `out` atomically; `false` where the system or the
/// filesystem cannot.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn exchange(new: &Path, out: &Path) -> Result<bool, WriteError> {
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    use rustix::io::Errno;
    #[cfg(test)]
    if FORCE_FALLBACK.get() {
        return Ok(false);
    }
    match renameat_with(CWD, new, CWD, out, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(true),
        Err(e) if [Errno::INVAL, Errno::NOSYS, Errno::OPNOTSUPP].contains(&e) => Ok(false),
        Err(e) => Err(io_error("move the new site to", out)(e.into())),
    }
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn exchange(_new: &Path, _out: &Path) -> Result<bool, WriteError> {
    Ok(false)
}

/// The temporary folders in `parent` left by killed builds of `out_name`:
/// they carry the marker for that OUT and their lock can be taken. Each is
/// returned locked, so that no other build removes it meanwhile.
fn stale_temps(parent: &Path, out_name: &str) -> Vec<Temp> {
    let Ok(entries) = fs::read_dir(parent) else {
        return Vec::new();
    };
    let expected = lock_text(out_name);
    let mut stale: Vec<Temp> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with(TEMP_PREFIX))
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| {
            let dir = e.path();
            let mut lock = File::open(dir.join(LOCK)).ok()?;
            lock.try_lock().ok()?;
            let mut text = String::new();
            lock.read_to_string(&mut text).ok()?;
            (text == expected).then_some(Temp { dir, _lock: lock })
        })
        .collect();
    stale.sort_by(|a, b| a.dir.cmp(&b.dir));
    stale
}

/// When OUT is missing and a killed build left a whole site in its
/// temporary folder, puts it in place: the old OUT a swap by renames had
/// moved aside, or else a complete new OUT.
fn recover(out: &Path, stale: &[Temp]) -> Result<(), WriteError> {
    if fs::symlink_metadata(out).is_ok() {
        return Ok(());
    }
    let old = stale.iter().map(|t| t.dir.join(OLD)).find(|d| d.is_dir());
    let new = || {
        stale
            .iter()
            .map(|t| t.dir.join(NEW))
            .find(|d| d.join(MARKER).is_file())
    };
    if let Some(whole) = old.or_else(new) {
        fs::rename(&whole, out).map_err(io_error("restore", out))?;
    }
    Ok(())
}

/// Writes one site's files, folders first, then the files one after the
/// other. Creating tens of thousands of small files is bound by the file
/// system, which takes a lock on the folder for each: measured on a
/// 10,000-document ISMS, two threads wrote in the same time as one at
/// twice the processor time. The core this leaves free compresses the
/// audit index archive meanwhile (see [`write_sites_with`]).
fn write_files(dir: &Path, files: &[SiteFile], previous: Option<&Path>) -> Result<(), WriteError> {
    let folders: std::collections::BTreeSet<PathBuf> = files
        .iter()
        .filter_map(|(rel, _)| dir.join(rel).parent().map(Path::to_path_buf))
        .collect();
    for folder in &folders {
        fs::create_dir_all(folder).map_err(io_error("create", folder))?;
    }
    let mut buffer = Vec::new();
    files.iter().try_for_each(|(rel, bytes)| {
        let path = dir.join(rel);
        if let Some(before) = previous.map(|p| p.join(rel)) {
            if same_file_bytes(&before, bytes, &mut buffer) && fs::hard_link(&before, &path).is_ok()
            {
                return Ok(());
            }
        }
        fs::write(&path, bytes.as_slice()).map_err(io_error("write", &path))
    })
}

/// Writes files whose bytes are on disk (the audit pack's volumes) into
/// `dir`, beside the files [`write_files`] wrote: linked to the file found
/// (the cache's) where it is unchanged and on the same file system, else
/// linked from the build being replaced where it holds the same bytes, as
/// there, else copied a chunk at a time.
fn copy_files(
    dir: &Path,
    files: &[(String, DiskFile)],
    previous: Option<&Path>,
) -> Result<(), WriteError> {
    for (rel, file) in files {
        let path = dir.join(rel);
        if let Some(folder) = path.parent() {
            fs::create_dir_all(folder).map_err(io_error("create", folder))?;
        }
        if file.link_to(&path) {
            continue;
        }
        if let Some(before) = previous.map(|p| p.join(rel)) {
            let same = sole_plain_file(&before) == Some(file.len()) && file.same_as(&before);
            if same && fs::hard_link(&before, &path).is_ok() {
                continue;
            }
        }
        let mut out = File::create(&path).map_err(io_error("create", &path))?;
        file.copy_to(&mut out).map_err(io_error("write", &path))?;
    }
    Ok(())
}

/// The length of the file at `path` when it is a plain file that nothing
/// else links to (see [`same_file_bytes`]); `None` otherwise, and always
/// where links cannot be counted.
fn sole_plain_file(path: &Path) -> Option<u64> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let meta = fs::symlink_metadata(path).ok()?;
        (meta.is_file() && meta.nlink() == 1).then_some(meta.len())
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// Whether `path` is a plain file of the build being replaced that holds
/// exactly `bytes`, and nothing else links to: it can then become the new
/// build's file as it is. Linking it costs the file system a name where
/// writing costs a new file and its data, and removing the old build then
/// frees nothing the new one uses. A file another link shares (someone
/// may change it through that name) or a symbolic link is written afresh.
fn same_file_bytes(path: &Path, bytes: &[u8], buffer: &mut Vec<u8>) -> bool {
    if sole_plain_file(path) != Some(bytes.len() as u64) {
        return false;
    }
    let Ok(file) = File::open(path) else {
        return false;
    };
    buffer.clear();
    // One byte more than expected shows a file that grew since.
    file.take(bytes.len() as u64 + 1)
        .read_to_end(buffer)
        .is_ok_and(|_| buffer.as_slice() == bytes)
}

// Fault injection for the tests: a build "killed" at a named step, and the
// swap by renames forced where the exchange would work.
#[cfg(test)]
thread_local! {
    static CRASH_AT: std::cell::Cell<Option<&'static str>> = const { std::cell::Cell::new(None) };
    static FORCE_FALLBACK: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// A step a kill can interrupt; in tests, panics when it is the chosen one.
fn crash_point(_name: &'static str) {
    #[cfg(test)]
    if CRASH_AT.get() == Some(_name) {
        panic!("simulated kill at {_name}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both sites and nothing beside them.
    fn write_sites(out: &Path, sites: &Sites) -> Result<(), WriteError> {
        write_sites_with(out, sites, |_| Ok(()))
    }

    #[test]
    fn refuses_out_containing_root() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("isms");
        fs::create_dir(&root).expect("mkdir");
        assert!(check_out(&root, &root).is_err());
        assert!(check_out(&root, dir.path()).is_err());
        assert!(check_out(&root, &root.join("public")).is_ok());
        assert!(check_out(&root, &root.join("x/..")).is_err());
    }

    #[test]
    fn replaces_old_sites_and_leaves_no_temp() {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("out");
        let sites = |text: &str| Sites {
            staff: vec![("index.html".into(), text.as_bytes().to_vec().into())],
            audit: vec![("docs/a.html".into(), text.as_bytes().to_vec().into())],
            ..Sites::default()
        };
        write_sites(&out, &sites("one")).expect("first");
        fs::write(out.join("staff/stale.html"), "x").expect("stale");
        write_sites(&out, &sites("two")).expect("second");
        assert_eq!(
            fs::read_to_string(out.join("staff/index.html")).expect("read"),
            "two"
        );
        assert!(!out.join("staff/stale.html").exists());
        let leftovers: Vec<_> = fs::read_dir(dir.path())
            .expect("list")
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().starts_with(".isms-build"))
            .collect();
        assert!(leftovers.is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn unchanged_files_are_linked_from_the_replaced_build_and_changed_ones_written() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("out");
        let inode = |rel: &str| fs::metadata(out.join(rel)).expect("stat").ino();
        let build = |page: &str| Sites {
            staff: vec![
                ("index.html".into(), page.as_bytes().to_vec().into()),
                ("same.html".into(), b"same".to_vec().into()),
                ("shared.html".into(), b"shared".to_vec().into()),
                ("link.html".into(), b"outside".to_vec().into()),
            ],
            audit: vec![("docs/a.html".into(), b"same".to_vec().into())],
            ..Sites::default()
        };
        write_sites(&out, &build("one")).expect("first");
        let (same, audit) = (inode("staff/same.html"), inode("audit/docs/a.html"));
        // A file someone else also links to, and a file replaced by a
        // symbolic link to one outside OUT with the very bytes expected.
        let elsewhere = dir.path().join("elsewhere.html");
        fs::hard_link(out.join("staff/shared.html"), &elsewhere).expect("link");
        let outside = dir.path().join("outside.html");
        fs::write(&outside, "outside").expect("outside");
        fs::remove_file(out.join("staff/link.html")).expect("remove");
        std::os::unix::fs::symlink(&outside, out.join("staff/link.html")).expect("symlink");

        write_sites(&out, &build("two")).expect("second");
        assert_eq!(inode("staff/same.html"), same, "unchanged: linked");
        assert_eq!(inode("audit/docs/a.html"), audit, "unchanged: linked");
        assert_eq!(
            fs::read_to_string(out.join("staff/index.html")).expect("read"),
            "two"
        );
        let shared = fs::metadata(out.join("staff/shared.html")).expect("stat");
        assert_ne!(shared.ino(), fs::metadata(&elsewhere).expect("stat").ino());
        assert_eq!(shared.nlink(), 1, "written afresh, not shared");
        let link = fs::symlink_metadata(out.join("staff/link.html")).expect("stat");
        assert!(link.is_file(), "a plain file, not the symbolic link");
        // The old build's names are gone: what stays is linked once.
        assert_eq!(
            fs::metadata(out.join("staff/same.html"))
                .expect("stat")
                .nlink(),
            1
        );
    }

    #[cfg(unix)]
    #[test]
    fn files_on_disk_are_copied_or_linked_when_unchanged() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("out");
        let cache = dir.path().join("cache");
        fs::create_dir(&cache).expect("cache");
        let keep = |volume: &str| {
            let kept = cache.join(format!("{volume}.pdf"));
            fs::write(&kept, volume).expect("keep");
            kept
        };
        let build = |file: DiskFile| Sites {
            audit_on_disk: vec![("exports/pack.pdf".into(), file)],
            ..sites("page")
        };
        // Changed since it was found (a new time each call): it cannot be
        // linked as found.
        let days = std::cell::Cell::new(0);
        let touched = |kept: &Path| {
            let file = DiskFile::open(kept).expect("open");
            days.set(days.get() + 1);
            fs::File::options()
                .write(true)
                .open(kept)
                .expect("open")
                .set_modified(
                    std::time::UNIX_EPOCH + std::time::Duration::from_secs(86_400 * days.get()),
                )
                .expect("touch");
            file
        };
        let written = out.join("audit/exports/pack.pdf");
        let ino = |path: &Path| fs::metadata(path).expect("stat").ino();

        let one = keep("one");
        write_sites(&out, &build(DiskFile::open(&one).expect("open"))).expect("first");
        assert_eq!(fs::read(&written).expect("read"), b"one");
        assert_eq!(ino(&written), ino(&one), "linked to the file found");

        write_sites(&out, &build(touched(&one))).expect("touched");
        assert_eq!(fs::read(&written).expect("read"), b"one");
        let copied = ino(&written);
        assert_ne!(copied, ino(&one), "copied, not linked");

        write_sites(&out, &build(touched(&one))).expect("same again");
        assert_eq!(ino(&written), copied, "linked from the build replaced");

        let two = keep("two");
        write_sites(&out, &build(touched(&two))).expect("changed");
        assert_eq!(fs::read(&written).expect("read"), b"two");
    }

    fn sites(text: &str) -> Sites {
        Sites {
            staff: vec![("index.html".into(), text.as_bytes().to_vec().into())],
            audit: vec![("docs/a.html".into(), text.as_bytes().to_vec().into())],
            ..Sites::default()
        }
    }

    #[test]
    fn late_files_land_beside_the_sites_and_their_failure_keeps_the_old_out() {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("out");
        write_sites_with(&out, &sites("one"), |new| {
            fs::write(new.join("index.zip"), b"one")
                .map_err(|e| RenderError::export("index.zip", e))
        })
        .expect("first");
        assert_eq!(state(&out), "one");
        assert_eq!(fs::read(out.join("index.zip")).expect("late file"), b"one");
        let err = write_sites_with(&out, &sites("two"), |_| {
            Err(RenderError::export("index.zip", "no room"))
        })
        .expect_err("the late file failed");
        assert!(err.to_string().contains("no room"), "{err}");
        assert_eq!(state(&out), "one");
        assert_eq!(
            fs::read(out.join("index.zip")).expect("old late file"),
            b"one"
        );
        assert!(temps(dir.path()).is_empty(), "{:?}", temps(dir.path()));
    }

    /// What OUT holds: one build's text in both sites, `missing`, or `mixed`.
    fn state(out: &Path) -> String {
        if !out.exists() {
            return "missing".into();
        }
        let staff = fs::read_to_string(out.join("staff/index.html")).ok();
        let audit = fs::read_to_string(out.join("audit/docs/a.html")).ok();
        match (staff, audit) {
            (Some(s), Some(a)) if s == a && out.join(MARKER).is_file() => s,
            other => format!("mixed {other:?}"),
        }
    }

    fn temps(parent: &Path) -> Vec<String> {
        fs::read_dir(parent)
            .expect("list")
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|name| name.starts_with(".isms-build"))
            .collect()
    }

    /// Runs a build that is killed at `point`: a panic unwinds without any of
    /// the clean-up a failed build does, and releases the locks as the
    /// death of the process would.
    fn killed_build(out: &Path, text: &str, point: &'static str) {
        CRASH_AT.set(Some(point));
        let run = std::panic::catch_unwind(|| write_sites(out, &sites(text)));
        CRASH_AT.set(None);
        assert!(run.is_err(), "the build did not reach {point}");
    }

    #[test]
    fn a_kill_at_any_step_of_the_swap_leaves_out_whole_old_or_whole_new() {
        for fallback in [false, true] {
            FORCE_FALLBACK.set(fallback);
            for point in ["writing", "filled", "old moved aside", "swapped"] {
                if point == "old moved aside" && !fallback {
                    continue;
                }
                let dir = tempfile::tempdir().expect("tempdir");
                let out = dir.path().join("out");
                write_sites(&out, &sites("one")).expect("first build");
                killed_build(&out, "two", point);
                let after_kill = state(&out);
                let allowed: &[&str] = if fallback {
                    // Between the two renames OUT is missing; the next
                    // build puts a whole site back first.
                    &["one", "two", "missing"]
                } else {
                    &["one", "two"]
                };
                assert!(
                    allowed.contains(&after_kill.as_str()),
                    "fallback {fallback}, killed at {point}: OUT is {after_kill}"
                );
                // The next build is killed before its swap: OUT must be a
                // whole site again by then.
                killed_build(&out, "three", "filled");
                let recovered = state(&out);
                assert!(
                    ["one", "two"].contains(&recovered.as_str()),
                    "fallback {fallback}, killed at {point}: after recovery OUT is {recovered}"
                );
                write_sites(&out, &sites("four")).expect("a later build");
                assert_eq!(state(&out), "four");
                assert_eq!(temps(dir.path()), Vec::<String>::new(), "killed at {point}");
            }
            FORCE_FALLBACK.set(false);
        }
    }

    #[test]
    fn a_later_build_removes_the_temp_folders_of_killed_builds() {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("out");
        killed_build(&out, "one", "writing");
        let first = temps(dir.path());
        assert_eq!(first.len(), 1);
        killed_build(&out, "two", "filled");
        let second = temps(dir.path());
        assert_eq!(second.len(), 1);
        // The one left is the second build's (complete), not the first's.
        assert!(dir.path().join(&second[0]).join(NEW).join(MARKER).is_file());
        write_sites(&out, &sites("three")).expect("build");
        assert_eq!(state(&out), "three");
        assert_eq!(temps(dir.path()), Vec::<String>::new());
    }

    #[test]
    fn temp_folders_of_running_builds_other_outs_or_others_are_kept() {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("out");
        // A build of OUT still running: its folder is locked.
        let running = Temp::create(dir.path(), "out").expect("running build");
        fs::create_dir_all(running.dir.join(NEW)).expect("mkdir");
        // A killed build of another OUT in the same folder.
        let other = dir.path().join(".isms-build-other");
        fs::create_dir(&other).expect("mkdir");
        fs::write(other.join(LOCK), lock_text("site")).expect("lock file");
        // Folders with the name but not the marker.
        let foreign = dir.path().join(".isms-build-notes");
        fs::create_dir(&foreign).expect("mkdir");
        fs::write(foreign.join("keep.txt"), "mine").expect("write");
        let forged = dir.path().join(".isms-build-forged");
        fs::create_dir(&forged).expect("mkdir");
        fs::write(forged.join(LOCK), "something else").expect("write");

        write_sites(&out, &sites("one")).expect("build");
        assert_eq!(state(&out), "one");
        assert!(running.dir.join(NEW).is_dir());
        assert!(other.join(LOCK).is_file());
        assert!(foreign.join("keep.txt").is_file());
        assert!(forged.join(LOCK).is_file());

        // Once that build is gone, its folder is stale.
        drop(running);
        write_sites(&out, &sites("two")).expect("build");
        let mut left = temps(dir.path());
        left.sort();
        assert_eq!(
            left,
            [
                ".isms-build-forged",
                ".isms-build-notes",
                ".isms-build-other"
            ]
        );
    }

    #[test]
    fn refuses_an_out_that_is_a_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("out");
        fs::write(&out, "a file").expect("write");
        let err = write_sites(&out, &sites("one")).expect_err("refused");
        assert!(err.to_string().contains("is not a folder"), "{err}");
        assert_eq!(fs::read_to_string(&out).expect("read"), "a file");
        assert_eq!(temps(dir.path()), Vec::<String>::new());
    }

    #[cfg(any(target_os = "linux", target_os = "android"))]
    #[test]
    fn exchanges_in_one_step_where_the_filesystem_can() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        fs::create_dir(&a).expect("mkdir");
        fs::create_dir(&b).expect("mkdir");
        fs::write(a.join("x"), "from a").expect("write");
        assert!(
            exchange(&a, &b).expect("exchange"),
            "filesystem cannot exchange"
        );
        assert_eq!(fs::read_to_string(b.join("x")).expect("read"), "from a");
        assert!(!a.join("x").exists());
    }
}
