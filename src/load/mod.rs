//! Load stage: config, document discovery, front matter, CSV data and git
//! history, turned into the typed model. Per-file problems become findings;
//! only a missing ISMS root or an unreadable repository stops the run.

pub mod config;
pub mod csv_data;
pub mod discover;
pub mod document;
pub mod frontmatter;
pub mod history;
pub mod limits;
mod quick_yaml;
pub mod snapshot;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::diagnostics::finding::Finding;
use crate::diagnostics::rules;
use crate::model::confined::{Confined, ReadError};
use crate::model::digest::{FastMap, FastSet};
use crate::model::document::Document;
use crate::model::paths::join_relative;
use crate::model::people::Roster;
use crate::model::{DocIndex, Isms};
use config::Config;
use document::{parse_document, Parsed};

/// How to load.
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    /// Keep a history cache inside the git directory (safe to delete).
    pub history_cache: bool,
    /// Output folder to skip while walking (absolute or relative to cwd).
    pub out_dir: Option<PathBuf>,
    /// The files were read from a commit (`isms diff`): read the history at
    /// that commit, in the repository of the ISMS named there.
    pub history_at: Option<history::HistoryAt>,
    /// Leave out the earlier approved texts that only the staff site's
    /// word diffs show (`check` and `diff` render no site). On a large ISMS
    /// reading them is most of what a warm run spends in git.
    pub skip_earlier_texts: bool,
}

/// A problem that makes the whole input unusable (exit code 2).
#[derive(Debug)]
pub enum FatalError {
    NoConfig(PathBuf),
    Io(PathBuf, std::io::Error),
    History(history::HistoryError),
    /// A revision given to `isms diff` could not be read.
    Revision(snapshot::SnapshotError),
}

impl fmt::Display for FatalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FatalError::NoConfig(p) => write!(
                f,
                "no isms.toml in {}: not an ISMS root (run `isms init` to start one)",
                p.display()
            ),
            FatalError::Io(p, e) => write!(f, "cannot read {}: {e}", p.display()),
            FatalError::History(e) => write!(f, "{e}"),
            FatalError::Revision(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for FatalError {}

/// The result of loading: the model and the input findings.
pub struct Loaded {
    pub isms: Isms,
    pub findings: Vec<Finding>,
}

/// What a long-running process (`isms serve`) keeps from one load to the
/// next, so that a load after saving one file parses that file only and
/// reads the git history again only when HEAD or the index moved.
#[derive(Default)]
pub struct LoadState {
    /// Every `.md` file read by the last load, by path relative to the root.
    files: FastMap<String, Arc<ReadFile>>,
    /// The same paths, sorted: the next list when only hinted files changed.
    listed: Vec<String>,
    /// The documents' paths of the last load, in order: the history then
    /// covered exactly these.
    doc_paths: Vec<String>,
    /// The last load's documents and its indexes by id and by path, reused
    /// while the documents keep their paths and ids.
    indexes: Option<Indexes>,
    /// Digest of every source file of the last load, as (path, digest)
    /// sorted by path: the last model's `sources`.
    digests: Arc<Vec<(String, String)>>,
    /// The history of the last load and the git state it was read at.
    history: Option<(Option<history::GitState>, Arc<history::History>)>,
    /// The repository, kept open to ask about single paths (see
    /// [`history::OpenRepo`]).
    repo: Option<history::OpenRepo>,
    /// Paths (relative to the root) the caller saw change since the last
    /// load, e.g. from a file watcher: their git status is asked again even
    /// when they are not sources (a deleted or new file makes the root dirty).
    pub hints: Vec<String>,
    /// Take `hints` as the complete list of changes: files not named are not
    /// read again, and the tree is not walked when only files changed. For a
    /// file watcher that reports every change (`isms serve`); off, every
    /// load reads every file.
    pub trust_hints: bool,
}

impl LoadState {
    /// A state for a caller whose hints list every change (see
    /// [`LoadState::trust_hints`]).
    pub fn trusting_hints() -> LoadState {
        LoadState {
            trust_hints: true,
            ..LoadState::default()
        }
    }
}

/// A load's documents with their indexes (see [`LoadState::indexes`]).
struct Indexes {
    documents: Vec<Arc<Document>>,
    by_id: DocIndex,
    by_path: DocIndex,
}

impl Indexes {
    /// The indexes, if `documents` (with the paths of the last load) have
    /// the same ids, position by position: unchanged documents are the same
    /// allocation, so only the edited ones compare their ids.
    fn reuse(&self, documents: &[Arc<Document>]) -> Option<(DocIndex, DocIndex)> {
        let same = self.documents.len() == documents.len()
            && self
                .documents
                .iter()
                .zip(documents)
                .all(|(a, b)| Arc::ptr_eq(a, b) || a.id.as_str() == b.id.as_str());
        same.then(|| (Arc::clone(&self.by_id), Arc::clone(&self.by_path)))
    }
}

/// One `.md` file as last read: its bytes, digest and parse.
struct ReadFile {
    bytes: Vec<u8>,
    digest: String,
    parsed: Option<Parsed>,
}

/// What the load takes from one listed file: its document, its findings
/// and its entry in the model's sources.
type Gathered = (
    Option<Arc<Document>>,
    Vec<Finding>,
    Option<(String, String)>,
);

/// Loads the ISMS rooted at `root`.
pub fn load(root: &Path, opts: &LoadOptions) -> Result<Loaded, FatalError> {
    load_with(root, opts, &mut LoadState::default())
}

/// Loads the ISMS rooted at `root`, reusing what `state` holds from the
/// last load where the files are unchanged, and leaving this load's in it.
pub fn load_with(
    root: &Path,
    opts: &LoadOptions,
    state: &mut LoadState,
) -> Result<Loaded, FatalError> {
    let confined = match Confined::new(root) {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(FatalError::NoConfig(root.to_path_buf()))
        }
        Err(e) => return Err(FatalError::Io(root.to_path_buf(), e)),
    };
    let mut findings = Vec::new();
    let config_text = match confined.read("isms.toml") {
        Ok(b) => b,
        Err(ReadError::Missing) => return Err(FatalError::NoConfig(root.to_path_buf())),
        Err(ReadError::Io(e)) => return Err(FatalError::Io(root.join("isms.toml"), e)),
        Err(e) => {
            // Outside the ISMS or too large: reported, and the defaults used.
            findings.push(
                Finding::new(&rules::DC003, format!("isms.toml: {e}"))
                    .in_file("isms.toml")
                    .hint("keep isms.toml a plain file of the ISMS folder, under the size limit"),
            );
            Vec::new()
        }
    };
    let mut sources = vec![(
        "isms.toml".to_string(),
        frontmatter::sha256_hex(&config_text),
    )];
    let config_text = String::from_utf8(config_text).map_err(|_| {
        vec![config::ConfigError {
            line: None,
            message: "isms.toml is not UTF-8".into(),
            hint: None,
        }]
    });
    let config = match config_text
        .as_ref()
        .map_err(Clone::clone)
        .and_then(|t| config::parse_config(t))
    {
        Ok(c) => c,
        Err(errors) => {
            for e in errors {
                let mut f = Finding::new(&rules::DC003, format!("isms.toml: {}", e.message));
                f = match e.line {
                    Some(l) => f.at("isms.toml", l),
                    None => f.in_file("isms.toml"),
                };
                if let Some(h) = e.hint {
                    f = f.hint(h);
                }
                findings.push(f);
            }
            Config::default()
        }
    };
    let config_text = config_text.unwrap_or_default();
    let key_line = |key: &str| config::key_line(&config_text, key);
    let mut config = config;
    // The logo is published: it must be a file of the ISMS.
    if let Some(logo) = &config.site.logo {
        if let Err(e @ (ReadError::Outside | ReadError::TooLarge { .. })) = confined.read(logo) {
            let f = Finding::new(&rules::DC003, format!("logo `{logo}`: {e}"))
                .hint("put the logo file inside the ISMS folder and give its path from the root");
            findings.push(match key_line("logo") {
                Some(l) => f.at("isms.toml", l),
                None => f.in_file("isms.toml"),
            });
            config.site.logo = None;
        }
    }
    findings.extend(theme_findings(&confined, &config, key_line("theme")));
    let config = config;

    let config_unchanged = state
        .digests
        .binary_search_by(|(p, _)| p.as_str().cmp("isms.toml"))
        .is_ok_and(|at| state.digests[at].1 == sources[0].1);
    // `walked`: the list comes from a walk of the tree, not from the hints.
    let (files, walked) = crate::timing::step("load: discover", || {
        match files_from_hints(root, &config, opts, state, config_unchanged) {
            Some(files) => Ok((files, false)),
            None => discover::discover(root, &config, opts.out_dir.as_deref(), false)
                .map(|found| (found.files, true)),
        }
    })?;
    // What git records about approval commits is read only when asked for.
    let facts = config.approval_evidence != config::ApprovalEvidence::FrontMatter;
    let trusted = state.trust_hints && !state.hints.is_empty() && config_unchanged;
    let hinted: FastSet<&str> = state.hints.iter().map(String::as_str).collect();
    // One candidate file, parsed unless its bytes are those last read.
    let read_one = |previous: &FastMap<String, Arc<ReadFile>>, rel: &String| -> Arc<ReadFile> {
        let bytes = match read_candidate(&confined, rel) {
            Ok(bytes) => bytes,
            Err(parsed) => {
                return Arc::new(ReadFile {
                    bytes: Vec::new(),
                    digest: String::new(),
                    parsed,
                })
            }
        };
        match previous.get(rel).filter(|f| f.bytes == bytes) {
            Some(same) => Arc::clone(same),
            None => {
                let digest = frontmatter::sha256_hex(&bytes);
                let mut parsed = parse_file(rel, &bytes);
                if let Some(Parsed::Document {
                    document: Some(doc),
                    ..
                }) = &mut parsed
                {
                    Arc::make_mut(doc).source_digest = digest.clone();
                }
                Arc::new(ReadFile {
                    digest,
                    parsed,
                    bytes,
                })
            }
        }
    };
    let read_all = |previous: &FastMap<String, Arc<ReadFile>>| -> FastMap<String, Arc<ReadFile>> {
        crate::timing::step("load: read and parse", || {
            files
                .par_iter()
                .map(|rel| (rel.clone(), read_one(previous, rel)))
                .collect()
        })
    };
    // With no earlier history to bring up to date, the history of every
    // candidate file is read while the files are parsed: the two take
    // about as long, and a file that turns out not to be a document only
    // costs its entry.
    let early_history = if state.history.is_none() {
        let (read, history) = rayon::join(
            || read_all(&state.files),
            || {
                crate::timing::step("load: git history", || {
                    read_or_refresh_history(
                        root,
                        opts,
                        facts,
                        (&files, false),
                        &[],
                        None,
                        &mut state.repo,
                    )
                })
            },
        );
        state.files = read;
        Some(history)
    } else if trusted {
        // Files the watcher did not name are as they were: only the named
        // ones are read again, and the kept map is updated in place.
        // After a walk (the watcher named a folder), a file listed but
        // never read is read too.
        crate::timing::step("load: read and parse", || {
            let fresh: Vec<(String, Arc<ReadFile>)> = files
                .iter()
                .filter(|rel| {
                    hinted.contains(rel.as_str()) || (walked && !state.files.contains_key(*rel))
                })
                .collect::<Vec<_>>()
                .into_par_iter()
                .map(|rel| (rel.clone(), read_one(&state.files, rel)))
                .collect();
            state.files.extend(fresh);
            if state.files.len() != files.len() {
                let listed: FastSet<&str> = files.iter().map(String::as_str).collect();
                state.files.retain(|rel, _| listed.contains(rel.as_str()));
            }
        });
        None
    } else {
        state.files = read_all(&state.files);
        None
    };
    // Each listed file's parse, taken on every core (the lookups and copies
    // are most of a rebuild's load), then gathered in list order.
    let parsed: Vec<Gathered> = files
        .par_iter()
        .filter_map(|rel| {
            let file = state.files.get(rel)?;
            let Some(Parsed::Document {
                document,
                findings: file_findings,
            }) = &file.parsed
            else {
                return None;
            };
            let mut file_findings = file_findings.clone();
            if let Some(d) = document {
                for f in file_findings.iter_mut().filter(|f| f.document.is_none()) {
                    f.document = Some(d.id.value.to_string());
                }
            }
            // A file refused unread has no digest and is no source.
            let source = (!file.digest.is_empty()).then(|| (rel.clone(), file.digest.clone()));
            Some((document.clone(), file_findings, source))
        })
        .collect();
    let mut documents = Vec::with_capacity(parsed.len());
    sources.reserve(parsed.len());
    for (document, file_findings, source) in parsed {
        sources.extend(source);
        findings.extend(file_findings);
        documents.extend(document);
    }

    // CSV data of records.
    for doc in &mut documents {
        if doc.record.as_ref().is_none_or(|r| r.data.is_none()) {
            continue;
        }
        // Shared with the parse kept for the next load, which must stay
        // without the table: this copy gets it.
        let doc = std::sync::Arc::make_mut(doc);
        let Some(record) = &mut doc.record else {
            continue;
        };
        let Some(data) = &record.data else { continue };
        let rel = join_relative(&doc.path, &data.value);
        let read = match &rel {
            Some(r) => confined.read(r),
            None => Err(ReadError::Outside),
        };
        match (rel.as_deref(), read) {
            (Some(r), Ok(bytes)) => {
                sources.push((r.to_string(), frontmatter::sha256_hex(&bytes)));
                let text = String::from_utf8_lossy(&bytes);
                record.table = Some(csv_data::read_table(r, &text, &record.kind, &mut findings));
            }
            (_, Err(e)) => findings.push(
                Finding::new(
                    &rules::DC003,
                    format!("data file `{}`: {e}", data.value),
                )
                .at(&doc.path, data.line)
                .document(&doc.id.value)
                .hint("give the path, relative to this document, of a CSV file inside the ISMS folder"),
            ),
            (None, Ok(_)) => {}
        }
    }

    // Roster.
    let roster = match &config.roster {
        None => Roster::default(),
        Some(path) => match confined.read(path) {
            Ok(bytes) => {
                sources.push((path.clone(), frontmatter::sha256_hex(&bytes)));
                csv_data::read_roster(path, &String::from_utf8_lossy(&bytes), &mut findings)
            }
            Err(e) => {
                let f = Finding::new(&rules::DC003, format!("roster `{path}`: {e}"))
                    .hint("set `[people] roster` to a CSV path relative to the ISMS root");
                findings.push(match e {
                    ReadError::Missing | ReadError::Io(_) => f.in_file("isms.toml"),
                    _ => match key_line("roster") {
                        Some(l) => f.at("isms.toml", l),
                        None => f.in_file("isms.toml"),
                    },
                });
                Roster::default()
            }
        },
    };

    // Duplicate ids: the first path keeps the id, the others are set aside
    // for DC004 (reported by the checks).
    documents.sort_by(|a, b| a.path.cmp(&b.path));
    let first: Vec<bool> = {
        let mut taken: FastSet<&str> =
            FastSet::with_capacity_and_hasher(documents.len(), Default::default());
        documents
            .iter()
            .map(|d| taken.insert(d.id.as_str()))
            .collect()
    };
    // `partition` asks about the documents in order, as `first` lists them.
    let mut first = first.into_iter();
    let (documents, duplicates): (Vec<_>, Vec<_>) = documents
        .into_iter()
        .partition(|_| first.next().unwrap_or(true));

    // History, in one pass for all documents.
    sources.sort();
    let mut changed = changed_sources(&state.digests, &sources);
    changed.append(&mut state.hints);
    // The last load's paths are kept, and copied again only when they differ.
    let same_documents = documents
        .iter()
        .map(|d| d.path.as_str())
        .eq(state.doc_paths.iter().map(String::as_str));
    if !same_documents {
        state.doc_paths = documents.iter().map(|d| d.path.clone()).collect();
    }
    let history = match early_history {
        Some(history) => history?,
        None => crate::timing::step("load: git history", || {
            read_or_refresh_history(
                root,
                opts,
                facts,
                (&state.doc_paths, same_documents),
                &changed,
                state.history.take(),
                &mut state.repo,
            )
        })?,
    };
    state.history = Some(history.clone());
    state.listed = files;
    if !state.listed.is_sorted() {
        state.listed.sort_unstable();
    }
    let sources = Arc::new(sources);
    state.digests = Arc::clone(&sources);
    let history = history.1;
    let reused = state
        .indexes
        .as_ref()
        .filter(|_| same_documents)
        .and_then(|last| last.reuse(&documents));
    let (by_id, by_path) = reused.unwrap_or_else(|| crate::model::document_indexes(&documents));
    state.indexes = Some(Indexes {
        documents: documents.clone(),
        by_id: Arc::clone(&by_id),
        by_path: Arc::clone(&by_path),
    });
    Ok(Loaded {
        isms: Isms {
            root: root.to_path_buf(),
            actions: crate::model::action::collect(&documents, config.minor_nc_days),
            config,
            documents,
            roster,
            duplicates,
            history,
            sources,
            by_id,
            by_path,
        },
        findings,
    })
}

/// Reads one candidate `.md` file under the reading rule, or says what
/// its parse is without reading it: a file refused because it leads
/// outside the ISMS, or is too large while it starts like a document, is a
/// DC001 at its path; a symbolic link to a file inside the ISMS is not a
/// document of its own (its target is read under its own path).
fn read_candidate(confined: &Confined, rel: &str) -> Result<Vec<u8>, Option<Parsed>> {
    let refused = |message: String, hint: &str| {
        Some(Parsed::Document {
            document: None,
            findings: vec![Finding::new(&rules::DC001, message).in_file(rel).hint(hint)],
        })
    };
    let linked = std::fs::symlink_metadata(confined.root().join(rel))
        .is_ok_and(|m| m.file_type().is_symlink());
    // Candidates come from `discover`, a walk that follows no link.
    match confined.read_walked(rel) {
        Ok(_) if linked => Err(None),
        Ok(bytes) => Ok(bytes),
        Err(e @ ReadError::Outside) => Err(refused(
            format!("{rel}: {e}"),
            "replace the link with the document itself, inside the ISMS folder",
        )),
        Err(ReadError::TooLarge { size, head }) => {
            if head.starts_with(b"---") || head.starts_with(b"\xef\xbb\xbf---") {
                Err(refused(
                    format!(
                        "{rel}: {}",
                        ReadError::TooLarge {
                            size,
                            head: Vec::new()
                        }
                    ),
                    "split the document, or move large content out of the ISMS",
                ))
            } else {
                Err(None)
            }
        }
        Err(_) => Ok(Vec::new()),
    }
}

/// Theme files that would be read from outside their theme folder (a
/// symbolic link leading out), and an implicit `theme/` folder that is
/// itself a link out of the ISMS: DC003 each, at the file when it is in
/// the ISMS, else at the `theme` line of `isms.toml`. The render stage
/// refuses to read them in any case.
fn theme_findings(confined: &Confined, config: &Config, theme_line: Option<u32>) -> Vec<Finding> {
    let root = confined.root();
    let (dir, implicit) = match &config.site.theme {
        Some(dir) => (root.join(dir), false),
        None => (root.join("theme"), true),
    };
    if !dir.is_dir() {
        return Vec::new();
    }
    let finding = |message: String| {
        Finding::new(&rules::DC003, message)
            .hint("keep theme files inside the theme folder: copy them instead of linking")
    };
    let theme = if implicit {
        match confined.resolve("theme") {
            Ok(real) => real,
            Err(_) => {
                return vec![finding(
                    "theme folder `theme`: it leads outside the ISMS folder: not read".into(),
                )
                .in_file("theme")]
            }
        }
    } else {
        match Confined::new(&dir) {
            Ok(c) => c.root().to_path_buf(),
            Err(_) => return Vec::new(),
        }
    };
    // At the file when the theme is in the ISMS, else at `theme` in isms.toml.
    let at = |shown: &str, message: String| match theme.strip_prefix(root) {
        Ok(rel) => {
            let rel = rel.join(shown).to_string_lossy().replace('\\', "/");
            finding(message).in_file(rel)
        }
        Err(_) => match theme_line {
            Some(l) => finding(message).at("isms.toml", l),
            None => finding(message).in_file("isms.toml"),
        },
    };
    let mut out = Vec::new();
    for sub in ["templates", "static"] {
        // Links are not followed: each is judged by where it leads, and a
        // link out is neither read nor listed.
        for entry in walkdir::WalkDir::new(dir.join(sub)).into_iter().flatten() {
            if !entry.path_is_symlink() {
                continue;
            }
            let real = std::fs::canonicalize(entry.path());
            if real.is_ok_and(|r| !r.starts_with(&theme)) {
                let path = entry.path();
                let shown = path
                    .strip_prefix(&dir)
                    .unwrap_or(path)
                    .to_string_lossy()
                    .into_owned();
                let message =
                    format!("theme file `{shown}`: it leads outside the theme folder: not read");
                out.push(at(&shown, message));
                if entry.depth() == 0 {
                    break;
                }
            }
        }
    }
    out
}

/// Parses one `.md` file; `None` when it is not a controlled document.
/// Public for the fuzz targets only.
#[doc(hidden)]
pub fn parse_file(rel: &str, bytes: &[u8]) -> Option<Parsed> {
    match std::str::from_utf8(bytes) {
        Ok(text) => {
            let parsed = parse_document(rel, text);
            if let Parsed::Document {
                document: Some(doc),
                ..
            } = &parsed
            {
                // Parsed here, on all cores, and kept with the file for the
                // next load.
                doc.outline();
                if doc.is_approved() && !doc.is_record() {
                    doc.promises();
                }
            }
            Some(parsed)
        }
        Err(e) => {
            // Only files that look like front matter count as documents.
            if bytes.starts_with(b"---") || bytes.starts_with(b"\xef\xbb\xbf---") {
                let line = bytes[..e.valid_up_to()]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count() as u32
                    + 1;
                Some(Parsed::Document {
                    document: None,
                    findings: vec![Finding::new(&rules::DC001, "file is not valid UTF-8")
                        .at(rel, line)
                        .hint("save the file as UTF-8")],
                })
            } else {
                None
            }
        }
    }
}

/// Source paths added, removed or changed since the last load.
fn changed_sources(before: &[(String, String)], now: &[(String, String)]) -> Vec<String> {
    // Both sorted by path: one merge finds edits, additions and removals.
    let mut out = Vec::new();
    let (mut b, mut n) = (before.iter().peekable(), now.iter().peekable());
    loop {
        match (b.peek(), n.peek()) {
            (None, None) => return out,
            (Some((path, _)), None) => {
                out.push(path.clone());
                b.next();
            }
            (None, Some((path, _))) => {
                out.push(path.clone());
                n.next();
            }
            (Some((bp, bd)), Some((np, nd))) => match bp.cmp(np) {
                std::cmp::Ordering::Less => {
                    out.push(bp.clone());
                    b.next();
                }
                std::cmp::Ordering::Greater => {
                    out.push(np.clone());
                    n.next();
                }
                std::cmp::Ordering::Equal => {
                    if bd != nd {
                        out.push(np.clone());
                    }
                    b.next();
                    n.next();
                }
            },
        }
    }
}

/// The history of `doc_paths`: the previous one, brought up to date for the
/// `changed` paths, while HEAD and the index have not moved and it covers
/// every document; else read from the repository. `same_documents`: the
/// paths are those of the load that made `previous`, which covers exactly
/// them.
fn read_or_refresh_history(
    root: &Path,
    opts: &LoadOptions,
    facts: bool,
    (doc_paths, same_documents): (&[String], bool),
    changed: &[String],
    previous: Option<(Option<history::GitState>, Arc<history::History>)>,
    repo: &mut Option<history::OpenRepo>,
) -> Result<(Option<history::GitState>, Arc<history::History>), FatalError> {
    if repo.is_none() {
        *repo = history::OpenRepo::discover(root);
    }
    let state = repo.as_ref().map(history::OpenRepo::state);
    if let (Some(open), Some(now), Some((Some(was), mut shared))) =
        (repo.as_ref(), &state, previous)
    {
        if *now == was && (same_documents || doc_paths.iter().all(|p| shared.docs.contains_key(p)))
        {
            // No copy is made unless the last load's model is still alive
            // (`isms serve` frees it before the next load).
            let history = Arc::make_mut(&mut shared);
            history::refresh_worktree(history, open, changed);
            if history.docs.len() != doc_paths.len() {
                let keep: FastSet<&String> = doc_paths.iter().collect();
                history.docs.retain(|p, _| keep.contains(p));
            }
            return Ok((Some(was), shared));
        }
    }
    let history = history::read_history(
        root,
        doc_paths,
        &fingerprint,
        &history::HistoryOptions {
            use_cache: opts.history_cache,
            cache_salt: format!("isms-{}", env!("CARGO_PKG_VERSION")),
            at: opts.history_at.clone(),
            approval_facts: facts,
            skip_earlier_texts: opts.skip_earlier_texts,
        },
    )
    .map_err(FatalError::History)?;
    Ok((state, Arc::new(history)))
}

/// What the history reader needs of one version of a file.
pub fn fingerprint(bytes: &[u8]) -> Option<history::Fingerprint> {
    // Old versions keep to the size limit of the current files too.
    if bytes.len() as u64 > limits::MAX_FILE_BYTES {
        return None;
    }
    let text = std::str::from_utf8(bytes).ok()?;
    let split = frontmatter::split(text)?.ok()?;
    let fields = match quick_yaml::top_level(split.yaml) {
        Some(entries) => {
            let quick = FingerprintFields::from_entries(&entries);
            debug_assert_eq!(
                quick,
                FingerprintFields::parsed(split.yaml),
                "the quick reading of {:?} differs from the parser's",
                split.yaml
            );
            quick
        }
        None => FingerprintFields::parsed(split.yaml),
    };
    let approval = match (fields.approved_by, fields.approved_on) {
        (Some(by), Some(on)) => Some((by, on)),
        _ => None,
    };
    Some(history::Fingerprint {
        doc_id: fields.id,
        approval,
        version: fields.version,
        body: frontmatter::body_hash(split.body),
    })
}

/// The front matter scalars a fingerprint keeps, trimmed; `None` where the
/// key is missing, is not a scalar, or the front matter is not readable.
#[derive(Debug, Default, PartialEq, Eq)]
struct FingerprintFields {
    id: Option<String>,
    approved_by: Option<String>,
    approved_on: Option<String>,
    version: Option<String>,
}

impl FingerprintFields {
    /// From front matter that [`quick_yaml`] could read.
    fn from_entries(entries: &[(&str, quick_yaml::Value<'_>)]) -> Self {
        let get = |key: &str| {
            entries
                .iter()
                .find(|(k, _)| *k == key)
                .and_then(|(_, v)| match v {
                    quick_yaml::Value::Scalar(s) => Some(s.trim().to_string()),
                    quick_yaml::Value::Sequence => None,
                })
        };
        FingerprintFields {
            id: get("id"),
            approved_by: get("approved_by"),
            approved_on: get("approved_on"),
            version: get("version"),
        }
    }

    /// With the YAML parser (old versions are parsed under the same depth
    /// limit as current files).
    fn parsed(yaml: &str) -> Self {
        let node = limits::scan_yaml(yaml).ok().and_then(|()| {
            marked_yaml::parse_yaml_with_options(
                0,
                yaml,
                marked_yaml::LoaderOptions::default().prevent_coercion(true),
            )
            .ok()
        });
        let map = node.as_ref().and_then(|n| n.as_mapping());
        let get = |k: &str| {
            map.and_then(|m| m.get_scalar(k))
                .map(|s| s.as_str().trim().to_string())
        };
        FingerprintFields {
            id: get("id"),
            approved_by: get("approved_by"),
            approved_on: get("approved_on"),
            version: get("version"),
        }
    }
}

/// The `.md` files of the last load, brought up to date from the watcher's
/// hints without walking the tree. `None` (walk it) unless hints are
/// trusted and name only files: a folder created, moved or deleted, or a
/// changed `isms.toml` (whose `exclude` decides what counts), needs a walk.
fn files_from_hints(
    root: &Path,
    config: &Config,
    opts: &LoadOptions,
    state: &mut LoadState,
    config_unchanged: bool,
) -> Option<Vec<String>> {
    if !state.trust_hints
        || state.hints.is_empty()
        || state.files.is_empty()
        || state.listed.is_empty()
        || !config_unchanged
    {
        return None;
    }
    // What became of each hinted path: `true` a file now, `false` gone; a
    // folder needs a walk.
    let mut now_a_file = Vec::with_capacity(state.hints.len());
    for hint in &state.hints {
        match std::fs::symlink_metadata(root.join(hint)) {
            Ok(meta) if meta.is_dir() => return None,
            // Links are listed too: the confined reader decides.
            Ok(meta) if meta.is_file() || meta.file_type().is_symlink() => now_a_file.push(true),
            _ => now_a_file.push(false),
        }
    }
    let croot = std::fs::canonicalize(root).ok()?;
    let rules = discover::Rules::new(&croot, config, opts.out_dir.as_deref());
    // The kept list is updated in place (the load puts it back).
    let mut files = std::mem::take(&mut state.listed);
    for (hint, is_file) in state.hints.iter().zip(now_a_file) {
        match (files.binary_search(hint), is_file) {
            (Err(at), true) if hint.ends_with(".md") && rules.skip(hint).is_none() => {
                files.insert(at, hint.clone());
            }
            (Ok(at), false) => {
                files.remove(at);
            }
            _ => {}
        }
    }
    Some(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changed_sources_are_the_edited_added_and_removed_paths() {
        let list = |items: &[(&str, &str)]| -> Vec<(String, String)> {
            items
                .iter()
                .map(|(p, d)| (p.to_string(), d.to_string()))
                .collect()
        };
        let before = list(&[("a.md", "1"), ("b.md", "2"), ("c.md", "3"), ("e.md", "5")]);
        let now = list(&[("b.md", "2"), ("c.md", "9"), ("d.md", "4"), ("e.md", "5")]);
        assert_eq!(changed_sources(&before, &now), ["a.md", "c.md", "d.md"]);
        assert_eq!(changed_sources(&[], &now).len(), 4);
        assert_eq!(changed_sources(&before, &[]).len(), 4);
        assert!(changed_sources(&now, &now).is_empty());
    }

    #[test]
    fn fingerprints_of_deep_or_huge_old_versions_are_refused_without_parsing() {
        let deep = format!("---\nid: A\nx:\n{}y\n---\nbody\n", "- ".repeat(5000));
        let f = fingerprint(deep.as_bytes()).expect("front matter");
        assert_eq!(f.doc_id, None);
        let ok = fingerprint(b"---\nid: A\n---\nbody\n").expect("front matter");
        assert_eq!(ok.doc_id.as_deref(), Some("A"));
        let mut huge = b"---\nid: A\n---\n".to_vec();
        huge.resize(limits::MAX_FILE_BYTES as usize + 1, b'x');
        assert!(fingerprint(&huge).is_none());
    }
}
