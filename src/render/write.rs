//! Puts rendered sites on disk so that a reader never sees half a build: the
//! new sites are written into a temporary folder beside OUT, and the old
//! `OUT/staff` and `OUT/audit` are swapped out only once both are complete.

use std::fs;
use std::path::{Component, Path, PathBuf};

use rayon::prelude::*;

use super::{SiteFile, Sites};

/// Makes `path` absolute and removes `.`/`..` without touching the disk (OUT
/// may not exist yet).
fn absolute(path: &Path) -> Result<PathBuf, String> {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map_err(|e| format!("cannot read the current directory: {e}"))?
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
fn resolved(path: &Path) -> Result<PathBuf, String> {
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
pub fn check_out(root: &Path, out: &Path) -> Result<PathBuf, String> {
    let root = resolved(root)?;
    let out = resolved(out)?;
    if root.starts_with(&out) {
        return Err(format!(
            "the output folder {} is the ISMS folder or contains it; choose another --out",
            out.display()
        ));
    }
    if out.parent().is_none() {
        return Err("the output folder cannot be a filesystem root".to_string());
    }
    Ok(out)
}

/// Writes both sites under `out` (already checked by [`check_out`]).
pub fn write_sites(out: &Path, sites: &Sites) -> Result<(), String> {
    let parent = out
        .parent()
        .ok_or_else(|| format!("{} has no parent folder", out.display()))?;
    fs::create_dir_all(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    refuse_foreign_folder(out)?;
    let temp = make_temp(parent)?;
    let result = fill_and_swap(&temp, out, sites).and_then(|()| {
        fs::write(out.join(MARKER), MARKER_TEXT)
            .map_err(|e| format!("cannot write {}: {e}", out.join(MARKER).display()))
    });
    // Whatever happened, the temporary folder (holding the new sites on
    // failure, the old ones on success) goes.
    let _ = fs::remove_dir_all(&temp);
    result
}

/// Written into every OUT this tool creates, so that a later build knows the
/// folder is its own to replace.
const MARKER: &str = ".isms-output";
const MARKER_TEXT: &str =
    "This folder is written by `isms build`; its staff/ and audit/ are replaced on every build.\n";

/// Refuses a non-empty OUT that an earlier build did not create: its
/// `staff/` or `audit/` could be someone's files.
fn refuse_foreign_folder(out: &Path) -> Result<(), String> {
    let Ok(mut entries) = fs::read_dir(out) else {
        return Ok(());
    };
    if entries.next().is_none() || out.join(MARKER).is_file() {
        return Ok(());
    }
    Err(format!(
        "{} is not empty and was not written by isms build; choose an empty or new --out folder",
        out.display()
    ))
}

fn make_temp(parent: &Path) -> Result<PathBuf, String> {
    let pid = std::process::id();
    for n in 0..1000u32 {
        let candidate = parent.join(format!(".isms-build-{pid}-{n}"));
        match fs::create_dir(&candidate) {
            Ok(()) => return Ok(candidate),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(format!("cannot create {}: {e}", candidate.display())),
        }
    }
    Err(format!(
        "cannot create a temporary folder in {}",
        parent.display()
    ))
}

fn fill_and_swap(temp: &Path, out: &Path, sites: &Sites) -> Result<(), String> {
    let new = temp.join("new");
    write_files(&new.join("staff"), &sites.staff)?;
    write_files(&new.join("audit"), &sites.audit)?;
    fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let old = temp.join("old");
    fs::create_dir(&old).map_err(|e| format!("cannot create {}: {e}", old.display()))?;
    for site in ["staff", "audit"] {
        let target = out.join(site);
        if target.symlink_metadata().is_ok() {
            fs::rename(&target, old.join(site))
                .map_err(|e| format!("cannot move the old {}: {e}", target.display()))?;
        }
        fs::rename(new.join(site), &target)
            .map_err(|e| format!("cannot move the new site to {}: {e}", target.display()))?;
    }
    Ok(())
}

/// Writes one site's files, folders first, then the files in parallel:
/// creating tens of thousands of small files is bound by system calls, which
/// overlap well across cores.
fn write_files(dir: &Path, files: &[SiteFile]) -> Result<(), String> {
    let folders: std::collections::BTreeSet<PathBuf> = files
        .iter()
        .filter_map(|(rel, _)| dir.join(rel).parent().map(Path::to_path_buf))
        .collect();
    for folder in &folders {
        fs::create_dir_all(folder)
            .map_err(|e| format!("cannot create {}: {e}", folder.display()))?;
    }
    files.par_iter().try_for_each(|(rel, bytes)| {
        let path = dir.join(rel);
        fs::write(&path, bytes.as_slice())
            .map_err(|e| format!("cannot write {}: {e}", path.display()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
