//! Load stage: config, document discovery, front matter, CSV data and git
//! history, turned into the typed model. Per-file problems become findings;
//! only a missing ISMS root or an unreadable repository stops the run.

pub mod config;
pub mod csv_data;
pub mod document;
pub mod frontmatter;
pub mod history;

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::checks::rules;
use crate::finding::Finding;
use crate::model::people::Roster;
use crate::model::Isms;
use config::Config;
use document::{parse_document, Parsed};

/// How to load.
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    /// Keep a history cache inside the git directory (safe to delete).
    pub history_cache: bool,
    /// Output folder to skip while walking (absolute or relative to cwd).
    pub out_dir: Option<PathBuf>,
}

/// A problem that makes the whole input unusable (exit code 2).
#[derive(Debug)]
pub enum FatalError {
    NoConfig(PathBuf),
    Io(PathBuf, std::io::Error),
    History(history::HistoryError),
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
    files: HashMap<String, std::sync::Arc<ReadFile>>,
    /// Digest of every source file of the last load.
    digests: HashMap<String, String>,
    /// The history of the last load and the git state it was read at.
    history: Option<(Option<history::GitState>, history::History)>,
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

/// One `.md` file as last read: its bytes, digest and parse.
struct ReadFile {
    bytes: Vec<u8>,
    digest: String,
    parsed: Option<Parsed>,
}

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
    let config_path = root.join("isms.toml");
    let config_text = match std::fs::read(&config_path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(FatalError::NoConfig(root.to_path_buf()))
        }
        Err(e) => return Err(FatalError::Io(config_path, e)),
    };
    let mut findings = Vec::new();
    let mut sources = vec![(
        "isms.toml".to_string(),
        frontmatter::sha256_hex(&config_text),
    )];
    let config = match String::from_utf8(config_text)
        .map_err(|_| {
            vec![config::ConfigError {
                line: None,
                message: "isms.toml is not UTF-8".into(),
                hint: None,
            }]
        })
        .and_then(|t| config::parse_config(&t))
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

    let config_unchanged = state.digests.get("isms.toml") == Some(&sources[0].1);
    let files = crate::timing::step("load: discover", || {
        match files_from_hints(root, &config, opts, state, config_unchanged) {
            Some(files) => Ok(files),
            None => discover(root, &config, opts),
        }
    })?;
    let previous = &state.files;
    let trusted = state.trust_hints && !state.hints.is_empty() && config_unchanged;
    let hinted: std::collections::HashSet<&str> = state.hints.iter().map(String::as_str).collect();
    let read_all = || -> Vec<(String, std::sync::Arc<ReadFile>)> {
        crate::timing::step("load: read and parse", || {
            files
                .par_iter()
                .map(|rel| {
                    // A file the watcher did not name is as it was: not read.
                    if let (true, Some(same)) = (trusted, previous.get(rel)) {
                        if !hinted.contains(rel.as_str()) {
                            return (rel.clone(), std::sync::Arc::clone(same));
                        }
                    }
                    let bytes = std::fs::read(root.join(rel)).unwrap_or_default();
                    let file = match previous.get(rel).filter(|f| f.bytes == bytes) {
                        Some(same) => std::sync::Arc::clone(same),
                        None => std::sync::Arc::new(ReadFile {
                            digest: frontmatter::sha256_hex(&bytes),
                            parsed: parse_file(rel, &bytes),
                            bytes,
                        }),
                    };
                    (rel.clone(), file)
                })
                .collect()
        })
    };
    // With no earlier history to bring up to date, the history of every
    // candidate file is read while the files are parsed: the two take
    // about as long, and a file that turns out not to be a document only
    // costs its entry.
    let (read, early_history) = if state.history.is_none() {
        let (read, history) = rayon::join(read_all, || {
            crate::timing::step("load: git history", || {
                read_or_refresh_history(root, opts, &files, &[], None)
            })
        });
        (read, Some(history))
    } else {
        (read_all(), None)
    };

    let mut documents = Vec::new();
    for (rel, file) in &read {
        if let Some(Parsed::Document {
            document,
            findings: mut fs,
        }) = file.parsed.clone()
        {
            sources.push((rel.clone(), file.digest.clone()));
            if let Some(d) = &document {
                for f in fs.iter_mut().filter(|f| f.document.is_none()) {
                    f.document = Some(d.id.value.to_string());
                }
            }
            findings.extend(fs);
            if let Some(d) = document {
                documents.push(d);
            }
        }
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
        match rel.as_deref().map(|r| (r, std::fs::read(root.join(r)))) {
            Some((r, Ok(bytes))) => {
                sources.push((r.to_string(), frontmatter::sha256_hex(&bytes)));
                let text = String::from_utf8_lossy(&bytes);
                record.table = Some(csv_data::read_table(r, &text, &record.kind, &mut findings));
            }
            _ => findings.push(
                Finding::new(
                    &rules::DC003,
                    format!("data file `{}` not found", data.value),
                )
                .at(&doc.path, data.line)
                .document(&doc.id.value)
                .hint("give the CSV path relative to this document"),
            ),
        }
    }

    // Roster.
    let roster = match &config.roster {
        None => Roster::default(),
        Some(path) => match std::fs::read(root.join(path)) {
            Ok(bytes) => {
                sources.push((path.clone(), frontmatter::sha256_hex(&bytes)));
                csv_data::read_roster(path, &String::from_utf8_lossy(&bytes), &mut findings)
            }
            Err(_) => {
                findings.push(
                    Finding::new(&rules::DC003, format!("roster `{path}` not found"))
                        .in_file("isms.toml")
                        .hint("set `[people] roster` to a CSV path relative to the ISMS root"),
                );
                Roster::default()
            }
        },
    };

    // Duplicate ids (DC004): one finding on each path, naming the others.
    documents.sort_by(|a, b| a.path.cmp(&b.path));
    let mut seen: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, d) in documents.iter().enumerate() {
        seen.entry(d.id.value.to_string()).or_default().push(i);
    }
    let mut drop = vec![false; documents.len()];
    for (id, idx) in &seen {
        if idx.len() > 1 {
            for &i in idx {
                let others: Vec<&str> = idx
                    .iter()
                    .filter(|&&j| j != i)
                    .map(|&j| documents[j].path.as_str())
                    .collect();
                findings.push(
                    Finding::new(
                        &rules::DC004,
                        format!("id `{id}` is also used by {}", others.join(", ")),
                    )
                    .at(&documents[i].path, documents[i].id.line)
                    .document(id)
                    .hint("give each document a unique id"),
                );
            }
            for &i in &idx[1..] {
                drop[i] = true;
            }
        }
    }
    let mut keep = drop.iter().map(|d| !d);
    documents.retain(|_| keep.next().unwrap_or(true));

    // History, in one pass for all documents.
    let doc_paths: Vec<String> = documents.iter().map(|d| d.path.clone()).collect();
    sources.sort();
    let changed: Vec<String> = changed_sources(&state.digests, &sources)
        .chain(state.hints.drain(..))
        .collect();
    let history = match early_history {
        Some(history) => history?,
        None => crate::timing::step("load: git history", || {
            read_or_refresh_history(root, opts, &doc_paths, &changed, state.history.take())
        })?,
    };
    state.history = Some(history.clone());
    state.files = read.into_iter().collect();
    state.digests = sources.iter().cloned().collect();
    let history = history.1;
    let by_id = documents
        .iter()
        .enumerate()
        .map(|(i, d)| (d.id.value.to_string(), i))
        .collect();
    let by_path = documents
        .iter()
        .enumerate()
        .map(|(i, d)| (d.path.clone(), i))
        .collect();
    Ok(Loaded {
        isms: Isms {
            root: root.to_path_buf(),
            config,
            documents,
            roster,
            history: Some(history),
            sources,
            by_id,
            by_path,
        },
        findings,
    })
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
fn changed_sources<'a>(
    before: &'a HashMap<String, String>,
    now: &'a [(String, String)],
) -> impl Iterator<Item = String> + 'a {
    let now_map: HashMap<&str, &str> = now.iter().map(|(p, d)| (p.as_str(), d.as_str())).collect();
    let edited = now
        .iter()
        .filter(|(p, d)| before.get(p) != Some(d))
        .map(|(p, _)| p.clone());
    let removed = before
        .keys()
        .filter(move |p| !now_map.contains_key(p.as_str()))
        .cloned();
    edited.chain(removed)
}

/// The history of `doc_paths`: the previous one, brought up to date for the
/// `changed` paths, while HEAD and the index have not moved and it covers
/// every document; else read from the repository.
fn read_or_refresh_history(
    root: &Path,
    opts: &LoadOptions,
    doc_paths: &[String],
    changed: &[String],
    previous: Option<(Option<history::GitState>, history::History)>,
) -> Result<(Option<history::GitState>, history::History), FatalError> {
    let state = history::git_state(root);
    if let (Some(now), Some((Some(was), mut history))) = (&state, previous) {
        if *now == was && doc_paths.iter().all(|p| history.docs.contains_key(p)) {
            history::refresh_worktree(&mut history, root, changed).map_err(FatalError::History)?;
            let keep: std::collections::HashSet<&String> = doc_paths.iter().collect();
            history.docs.retain(|p, _| keep.contains(p));
            return Ok((Some(was), history));
        }
    }
    let history = history::read_history(
        root,
        doc_paths,
        &fingerprint,
        &history::HistoryOptions {
            use_cache: opts.history_cache,
            cache_salt: format!("isms-{}", env!("CARGO_PKG_VERSION")),
        },
    )
    .map_err(FatalError::History)?;
    Ok((state, history))
}

/// What the history reader needs of one version of a file.
pub fn fingerprint(bytes: &[u8]) -> Option<history::Fingerprint> {
    let text = std::str::from_utf8(bytes).ok()?;
    let split = frontmatter::split(text)?.ok()?;
    let node = marked_yaml::parse_yaml_with_options(
        0,
        split.yaml,
        marked_yaml::LoaderOptions::default().prevent_coercion(true),
    )
    .ok();
    let map = node.as_ref().and_then(|n| n.as_mapping());
    let get = |k: &str| {
        map.and_then(|m| m.get_scalar(k))
            .map(|s| s.as_str().trim().to_string())
    };
    let approval = match (get("approved_by"), get("approved_on")) {
        (Some(by), Some(on)) => Some((by, on)),
        _ => None,
    };
    Some(history::Fingerprint {
        doc_id: get("id"),
        approval,
        body: frontmatter::body_hash(split.body),
    })
}

/// The `.md` files of the last load, brought up to date from the watcher's
/// hints without walking the tree. `None` (walk it) unless hints are
/// trusted and name only files: a folder created, moved or deleted, or a
/// changed `isms.toml` (whose `exclude` decides what counts), needs a walk.
fn files_from_hints(
    root: &Path,
    config: &Config,
    opts: &LoadOptions,
    state: &LoadState,
    config_unchanged: bool,
) -> Option<Vec<String>> {
    if !state.trust_hints || state.hints.is_empty() || state.files.is_empty() || !config_unchanged {
        return None;
    }
    let globs = exclude_globs(config);
    let out = output_folder(root, opts);
    let mut files: std::collections::BTreeSet<String> = state.files.keys().cloned().collect();
    for hint in &state.hints {
        let path = root.join(hint);
        match std::fs::symlink_metadata(&path) {
            Ok(meta) if meta.is_dir() => return None,
            Ok(meta) if meta.is_file() => {
                if hint.ends_with(".md") && is_candidate(hint, &globs) && !path.starts_with(&out) {
                    files.insert(hint.clone());
                }
            }
            // Gone (or a symlink, which the walk skips too).
            _ => {
                files.remove(hint);
            }
        }
    }
    Some(files.into_iter().collect())
}

/// The `[source] exclude` globs; a bad glob excludes nothing (the config
/// check reports it).
fn exclude_globs(config: &Config) -> globset::GlobSet {
    let mut globs = globset::GlobSetBuilder::new();
    for g in &config.exclude {
        if let Ok(glob) = globset::Glob::new(g) {
            globs.add(glob);
        }
    }
    globs.build().unwrap_or_else(|_| globset::GlobSet::empty())
}

/// The output folder, which is never a source.
fn output_folder(root: &Path, opts: &LoadOptions) -> PathBuf {
    let out = opts.out_dir.clone().unwrap_or_else(|| root.join("public"));
    std::fs::canonicalize(&out).unwrap_or(out)
}

/// Whether a path relative to the root may hold a document: not in a hidden
/// folder or `node_modules`, not excluded.
fn is_candidate(rel: &str, globs: &globset::GlobSet) -> bool {
    !rel.split('/')
        .any(|part| part.starts_with('.') || part == "node_modules")
        && !globs.is_match(rel)
}

/// Finds candidate files: every `*.md` below the root, skipping hidden
/// folders, the output folder and `[source] exclude` globs.
fn discover(root: &Path, config: &Config, opts: &LoadOptions) -> Result<Vec<String>, FatalError> {
    let globs = exclude_globs(config);
    let out = output_folder(root, opts);
    let croot = std::fs::canonicalize(root).map_err(|e| FatalError::Io(root.to_path_buf(), e))?;
    let mut files = Vec::new();
    let walker = walkdir::WalkDir::new(&croot)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            if e.depth() == 0 {
                return true;
            }
            let name = e.file_name().to_string_lossy();
            if name.starts_with('.') || name == "node_modules" {
                return false;
            }
            if e.file_type().is_dir() && e.path() == out {
                return false;
            }
            true
        });
    for entry in walker.flatten() {
        if !entry.file_type().is_file() || entry.path().extension().is_none_or(|x| x != "md") {
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(&croot) else {
            continue;
        };
        let rel = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        if globs.is_match(&rel) {
            continue;
        }
        files.push(rel);
    }
    Ok(files)
}

/// Joins a path written in a document (relative to it) onto the document's
/// folder, normalising `.` and `..`; `None` when it leaves the ISMS root.
pub fn join_relative(doc_path: &str, target: &str) -> Option<String> {
    let mut parts: Vec<&str> = doc_path.split('/').collect();
    parts.pop();
    if target.starts_with('/') {
        parts.clear();
    }
    for seg in target.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

/// Decodes `%XX` escapes in a link or URL path; a malformed escape stays as
/// written, and so does the whole text when the result is not UTF-8.
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(b) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_string())
}
