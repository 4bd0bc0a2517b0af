//! Which files are controlled documents: every `*.md` below the ISMS root,
//! except in hidden folders, `node_modules`, the output folder and the
//! `[source] exclude` globs. Every command that looks for documents goes
//! through here, so that none of them can see a file the others skip.

use std::fmt;
use std::path::{Path, PathBuf};

use super::config::Config;
use super::FatalError;

/// Why a `.md` file below the root is not a controlled document.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Skip {
    /// In a hidden folder, or a hidden file: the first hidden part of its path.
    Hidden(String),
    /// In a `node_modules` folder.
    NodeModules,
    /// In the output folder (its path relative to the root).
    Output(String),
    /// Matched by this `[source] exclude` glob.
    Excluded(String),
}

impl fmt::Display for Skip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Skip::Hidden(part) => write!(f, "hidden (`{part}` starts with `.`)"),
            Skip::NodeModules => write!(f, "in a `node_modules` folder"),
            Skip::Output(out) => write!(f, "in the output folder `{out}/`"),
            Skip::Excluded(glob) => {
                write!(
                    f,
                    "excluded by `[source] exclude` glob `{glob}` in isms.toml"
                )
            }
        }
    }
}

/// The rules that decide whether a path relative to the root may hold a
/// document.
pub struct Rules {
    globs: globset::GlobSet,
    /// The pattern of each glob in `globs`, by index.
    patterns: Vec<String>,
    /// The output folder relative to the root, when it is inside it.
    out: Option<String>,
}

impl Rules {
    /// `croot` is the canonical root; `out_dir` the output folder (absolute
    /// or relative to the current directory; default `public/` in the root).
    pub fn new(croot: &Path, config: &Config, out_dir: Option<&Path>) -> Rules {
        // A bad glob excludes nothing (the config check reports it).
        let mut builder = globset::GlobSetBuilder::new();
        let mut patterns = Vec::new();
        for g in &config.exclude {
            if let Ok(glob) = globset::Glob::new(g) {
                builder.add(glob);
                patterns.push(g.clone());
            }
        }
        let globs = builder.build().unwrap_or_else(|_| {
            patterns.clear();
            globset::GlobSet::empty()
        });
        let out: PathBuf = out_dir.map_or_else(|| croot.join("public"), Path::to_path_buf);
        let out = std::fs::canonicalize(&out).unwrap_or(out);
        let out = out
            .strip_prefix(croot)
            .ok()
            .map(relative)
            .filter(|rel| !rel.is_empty());
        Rules {
            globs,
            patterns,
            out,
        }
    }

    /// Why `rel` (a `/`-separated path below the root) is not a candidate,
    /// or `None` when it is one.
    pub fn skip(&self, rel: &str) -> Option<Skip> {
        if let Some(part) = rel.split('/').find(|p| p.starts_with('.')) {
            return Some(Skip::Hidden(part.to_string()));
        }
        if rel.split('/').any(|p| p == "node_modules") {
            return Some(Skip::NodeModules);
        }
        if let Some(out) = &self.out {
            if rel
                .strip_prefix(out.as_str())
                .is_some_and(|r| r.is_empty() || r.starts_with('/'))
            {
                return Some(Skip::Output(out.clone()));
            }
        }
        let glob = self.globs.matches(rel).into_iter().next()?;
        Some(Skip::Excluded(
            self.patterns.get(glob).cloned().unwrap_or_default(),
        ))
    }
}

/// The `.md` files found below the root.
#[derive(Debug, Default)]
pub struct Discovered {
    /// The candidates: relative `/`-separated paths, sorted.
    pub files: Vec<String>,
    /// With [`discover`]'s `list_skipped`, the `.md` files skipped and why,
    /// sorted by path; else empty.
    pub skipped: Vec<(String, Skip)>,
}

/// Finds the candidate documents: every `*.md` regular file (not a symbolic
/// link) below `root` that [`Rules::skip`] keeps. With `list_skipped`, the
/// folders it skips are walked too (all but `.git`) to list what they hold.
pub fn discover(
    root: &Path,
    config: &Config,
    out_dir: Option<&Path>,
    list_skipped: bool,
) -> Result<Discovered, FatalError> {
    let croot = std::fs::canonicalize(root).map_err(|e| FatalError::Io(root.to_path_buf(), e))?;
    let rules = Rules::new(&croot, config, out_dir);
    let mut found = Discovered::default();
    let mut walker = walkdir::WalkDir::new(&croot)
        .sort_by_file_name()
        .into_iter();
    while let Some(entry) = walker.next() {
        let Ok(entry) = entry else { continue };
        if entry.depth() == 0 {
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(&croot) else {
            continue;
        };
        let rel = relative(rel);
        if entry.file_type().is_dir() {
            // Globs apply to files; a folder is skipped for its name or for
            // being the output folder.
            let skipped = matches!(
                rules.skip(&rel),
                Some(Skip::Hidden(_) | Skip::NodeModules | Skip::Output(_))
            );
            if skipped && (!list_skipped || entry.file_name() == ".git") {
                walker.skip_current_dir();
            }
            continue;
        }
        // Links are listed too: the loader's confined reader skips one that
        // stays inside the ISMS and reports one that leads out of it.
        let file_or_link = entry.file_type().is_file() || entry.path_is_symlink();
        if !file_or_link || entry.path().extension().is_none_or(|x| x != "md") {
            continue;
        }
        match rules.skip(&rel) {
            None => found.files.push(rel),
            Some(why) if list_skipped => found.skipped.push((rel, why)),
            Some(_) => {}
        }
    }
    found.files.sort();
    found.skipped.sort();
    Ok(found)
}

/// A relative path with `/` separators.
fn relative(path: &Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(exclude: &[&str]) -> Config {
        Config {
            exclude: exclude.iter().map(|g| (*g).to_string()).collect(),
            ..Config::default()
        }
    }

    fn put(root: &Path, rel: &str) {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, "---\nid: X\n---\n").expect("write");
    }

    #[test]
    fn skips_hidden_output_node_modules_and_excluded_and_sorts() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        for rel in [
            "b.md",
            "a/x.md",
            "a.md",
            "a-b.md",
            "notes.txt",
            ".hidden/h.md",
            "sub/.h.md",
            "public/p.md",
            "node_modules/pkg/n.md",
            "drafts/d.md",
            ".git/g.md",
        ] {
            put(root, rel);
        }
        let cfg = config(&["drafts/**"]);
        let found = discover(root, &cfg, None, false).expect("walk");
        assert_eq!(found.files, ["a-b.md", "a.md", "a/x.md", "b.md"]);
        assert!(found.skipped.is_empty());

        let found = discover(root, &cfg, None, true).expect("walk");
        assert_eq!(found.files, ["a-b.md", "a.md", "a/x.md", "b.md"]);
        assert_eq!(
            found.skipped,
            [
                (".hidden/h.md".to_string(), Skip::Hidden(".hidden".into())),
                (
                    "drafts/d.md".to_string(),
                    Skip::Excluded("drafts/**".into())
                ),
                ("node_modules/pkg/n.md".to_string(), Skip::NodeModules),
                ("public/p.md".to_string(), Skip::Output("public".into())),
                ("sub/.h.md".to_string(), Skip::Hidden(".h.md".into())),
            ]
        );
    }

    #[test]
    fn another_output_folder_is_skipped_and_public_is_not() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        put(root, "public/p.md");
        put(root, "site/s.md");
        let found = discover(root, &config(&[]), Some(&root.join("site")), false).expect("walk");
        assert_eq!(found.files, ["public/p.md"]);
    }

    #[cfg(unix)]
    #[test]
    fn symbolic_links_are_listed_for_the_reader_to_judge() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        put(root, "a.md");
        std::os::unix::fs::symlink(root.join("a.md"), root.join("b.md")).expect("symlink");
        let found = discover(root, &config(&[]), None, true).expect("walk");
        assert_eq!(found.files, ["a.md", "b.md"]);
        assert!(found.skipped.is_empty());
    }
}
