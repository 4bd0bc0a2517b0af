//! `isms approve ID --by NAME [--on DATE]`: records an approval in the
//! document's front matter (approved_by, approved_on, approved_digest) and
//! changes nothing else in the file.
//!
//! It finds the document the way `check` does (the same discovery and the
//! same front matter parser) and refuses, changing nothing, whenever it
//! could edit the wrong file or write something `check` would read
//! differently: a duplicate id, an id only in skipped files, unreadable front
//! matter that may hold the id, front matter it cannot edit in place. The
//! edit is read back with the same parser before the file is replaced.

use std::fmt;
use std::io::Write;
use std::ops::Range;
use std::path::{Path, PathBuf};

use marked_yaml::Node;
use rayon::prelude::*;

use crate::load::config::{self, ConfigError};
use crate::load::discover::{self, Skip};
use crate::load::document::{parse_document, parse_yaml, Parsed};
use crate::load::{frontmatter, FatalError};
use crate::model::confined::Confined;
use crate::model::ids::{fmt_date, Date, DocId};

/// The keys `approve` writes, in the order it adds missing ones.
const KEYS: [&str; 3] = ["approved_by", "approved_on", "approved_digest"];

/// An approval recorded in a file.
#[derive(Debug)]
pub struct Approval {
    pub id: String,
    /// The file, relative to the ISMS root.
    pub path: String,
    pub by: String,
    pub on: Date,
    pub digest: String,
}

impl fmt::Display for Approval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "approved {} ({}) by {} on {}: {}",
            self.id,
            self.path,
            self.by,
            fmt_date(self.on),
            self.digest
        )
    }
}

/// Why nothing was approved. Every one leaves every file as it was.
#[derive(Debug)]
pub enum ApproveError {
    /// The id asked for is not a valid document id.
    BadId(String),
    /// `--by` is empty or only white space.
    BlankName,
    /// `--by` holds a line break or another control character.
    ControlInName,
    /// `--by` is a word the checker reads as no value (`null`, `~`).
    NullName(String),
    /// No usable ISMS root.
    Load(FatalError),
    /// `isms.toml` cannot be read, so which files are excluded is unknown.
    Config(Vec<ConfigError>),
    /// No file holds the id.
    NotFound { id: String, root: PathBuf },
    /// The id is only in files that are not controlled documents.
    OnlySkipped {
        id: String,
        files: Vec<(String, Skip)>,
    },
    /// Several documents have the id: (path, line of `id:`).
    Duplicate {
        id: String,
        files: Vec<(String, u32)>,
    },
    /// Files whose front matter cannot be read mention the id: (path,
    /// line, problem).
    Unreadable {
        id: String,
        files: Vec<(String, u32, String)>,
    },
    /// The front matter cannot be edited in place safely.
    Unsafe {
        path: String,
        line: u32,
        reason: String,
    },
    /// The edited text would not read back as intended.
    Verify { path: String, what: String },
    /// The file changed on disk while it was being approved.
    Changed { path: String },
    Read {
        path: String,
        source: std::io::Error,
    },
    Write {
        path: String,
        source: std::io::Error,
    },
}

impl fmt::Display for ApproveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApproveError::BadId(id) => write!(
                f,
                "`{id}` is not a document id: ids use capital letters, digits, `.`, `_` and `-`, e.g. POL-AC"
            ),
            ApproveError::BlankName => write!(
                f,
                "`--by` is empty: give the approver's name, e.g. --by \"Sam Lee\""
            ),
            ApproveError::ControlInName => write!(
                f,
                "`--by` holds a line break or control character: give the approver's name on one line"
            ),
            ApproveError::NullName(by) => write!(
                f,
                "`--by {by}` would read as no approver at all: give the approver's name"
            ),
            ApproveError::Load(e) => write!(f, "{e}"),
            ApproveError::Config(errors) => {
                write!(
                    f,
                    "isms.toml cannot be used, so which files are excluded is not known; nothing was approved:"
                )?;
                for e in errors {
                    match e.line {
                        Some(line) => write!(f, "\n  isms.toml:{line}: {}", e.message)?,
                        None => write!(f, "\n  isms.toml: {}", e.message)?,
                    }
                }
                write!(f, "\nfix isms.toml (`isms check` reports it), then approve again")
            }
            ApproveError::NotFound { id, root } => write!(
                f,
                "no document with id `{id}` under {} (ids are case-sensitive; `isms check` reads the same files)",
                root.display()
            ),
            ApproveError::OnlySkipped { id, files } => {
                write!(
                    f,
                    "id `{id}` is only in files that are not controlled documents (`isms check` skips them), so nothing was approved:"
                )?;
                for (path, why) in files {
                    write!(f, "\n  {path}: {why}")?;
                }
                write!(
                    f,
                    "\nmove the document out of the skipped folder, or change `[source] exclude`, if it is meant to be controlled"
                )
            }
            ApproveError::Duplicate { id, files } => {
                write!(
                    f,
                    "id `{id}` is used by {} documents, so it is not clear which one to approve:",
                    files.len()
                )?;
                for (path, line) in files {
                    write!(f, "\n  {path}:{line}")?;
                }
                write!(
                    f,
                    "\ngive each document a unique id (DC004), then approve again"
                )
            }
            ApproveError::Unreadable { id, files } => {
                write!(
                    f,
                    "these files mention `{id}` in their front matter but cannot be read as documents, so it is not clear which document is `{id}`:"
                )?;
                for (path, line, problem) in files {
                    write!(f, "\n  {path}:{line}: {problem}")?;
                }
                write!(f, "\nfix them (`isms check` reports them), then approve again")
            }
            ApproveError::Unsafe { path, line, reason } => {
                write!(f, "{path}:{line}: {reason}; nothing was written")
            }
            ApproveError::Verify { path, what } => write!(
                f,
                "{path}: the edited front matter would not read back as intended ({what}); nothing was written"
            ),
            ApproveError::Changed { path } => write!(
                f,
                "{path} changed while it was being approved; nothing was written, run the command again"
            ),
            ApproveError::Read { path, source } => write!(f, "cannot read {path}: {source}"),
            ApproveError::Write { path, source } => {
                write!(f, "cannot write {path}: {source}; the file was left as it was")
            }
        }
    }
}

impl std::error::Error for ApproveError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ApproveError::Load(e) => Some(e),
            ApproveError::Read { source, .. } | ApproveError::Write { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// What one candidate file says about the id being approved.
enum Seen {
    /// A document with the id: its text and the line of `id:`.
    Match { text: String, line: u32 },
    /// Front matter that cannot be read and mentions the id.
    Unreadable { line: u32, problem: String },
    /// Anything else.
    Other,
}

/// Approves the document `id` of the ISMS at `root`.
pub fn run(root: &Path, id: &str, by: &str, on: Date) -> Result<Approval, ApproveError> {
    if DocId::parse(id).is_none() {
        return Err(ApproveError::BadId(id.to_string()));
    }
    let by = by.trim();
    if by.is_empty() {
        return Err(ApproveError::BlankName);
    }
    if by.chars().any(char::is_control) {
        return Err(ApproveError::ControlInName);
    }
    if matches!(by, "~" | "null") {
        return Err(ApproveError::NullName(by.to_string()));
    }
    let config_path = root.join("isms.toml");
    let config_text = match std::fs::read_to_string(&config_path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(ApproveError::Load(FatalError::NoConfig(root.to_path_buf())))
        }
        Err(e) => return Err(ApproveError::Load(FatalError::Io(config_path, e))),
    };
    let config = config::parse_config(&config_text).map_err(ApproveError::Config)?;

    let found = discover::discover(root, &config, None, false).map_err(ApproveError::Load)?;
    let reader = Confined::new(root)
        .map_err(|e| ApproveError::Load(FatalError::Io(root.to_path_buf(), e)))?;
    let seen: Vec<(String, Seen)> = found
        .files
        .par_iter()
        .map(|rel| (rel.clone(), look(&reader, rel, id)))
        .collect();
    let mut matches = Vec::new();
    let mut unreadable = Vec::new();
    for (rel, s) in seen {
        match s {
            Seen::Match { text, line } => matches.push((rel, line, text)),
            Seen::Unreadable { line, problem } => unreadable.push((rel, line, problem)),
            Seen::Other => {}
        }
    }
    if matches.len() > 1 {
        return Err(ApproveError::Duplicate {
            id: id.to_string(),
            files: matches.into_iter().map(|(p, l, _)| (p, l)).collect(),
        });
    }
    if !unreadable.is_empty() {
        return Err(ApproveError::Unreadable {
            id: id.to_string(),
            files: unreadable,
        });
    }
    let Some((rel, _, text)) = matches.pop() else {
        return Err(not_found(&reader, &config, id));
    };

    let parsed = match parse_document(&rel, &text) {
        Parsed::Document {
            document: Some(doc),
            ..
        } => doc,
        _ => {
            return Err(ApproveError::Verify {
                path: rel,
                what: "the document no longer reads".into(),
            })
        }
    };
    let digest = frontmatter::body_digest(&parsed.body);
    // The date and digest are plain scalars in every YAML reading (and
    // written so by hand); only the name needs quoting.
    let values = [yaml_scalar(by), fmt_date(on), digest.clone()];
    let updated =
        edit_front_matter(&text, &values).map_err(|(line, reason)| ApproveError::Unsafe {
            path: rel.clone(),
            line,
            reason,
        })?;
    verify(&rel, &text, &updated, id, [by, &fmt_date(on), &digest])?;
    replace_file(&root.join(&rel), &rel, text.as_bytes(), updated.as_bytes())?;
    Ok(Approval {
        id: id.to_string(),
        path: rel,
        by: by.to_string(),
        on,
        digest,
    })
}

/// Reads one candidate and says whether it is the document `id`.
fn look(reader: &Confined, rel: &str, id: &str) -> Seen {
    // A link is never a document (the loader reports one that leads out of
    // the ISMS), so approve never edits through one.
    let path = reader.root().join(rel);
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        return Seen::Other;
    }
    let bytes = match reader.read(rel) {
        Ok(b) => b,
        Err(e) => {
            return Seen::Unreadable {
                line: 1,
                problem: format!("cannot be read: {e}"),
            }
        }
    };
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let bytes = e.as_bytes();
            let front = bytes.starts_with(b"---") || bytes.starts_with(b"\xef\xbb\xbf---");
            if front && mentions(&String::from_utf8_lossy(bytes), id) {
                let valid = e.utf8_error().valid_up_to();
                let line = bytes[..valid].iter().filter(|&&b| b == b'\n').count() as u32 + 1;
                return Seen::Unreadable {
                    line,
                    problem: "file is not valid UTF-8".into(),
                };
            }
            return Seen::Other;
        }
    };
    match parse_document(rel, &text) {
        Parsed::Document {
            document: Some(doc),
            ..
        } if doc.id.value.as_str() == id => Seen::Match {
            line: doc.id.line,
            text,
        },
        Parsed::Document {
            document: None,
            findings,
        } => {
            let front = match frontmatter::split(&text) {
                Some(Ok(split)) => split.yaml,
                _ => text.as_str(),
            };
            if !mentions(front, id) {
                return Seen::Other;
            }
            let first = findings.iter().find(|f| f.line.is_some());
            Seen::Unreadable {
                line: first.and_then(|f| f.line).unwrap_or(1),
                problem: first.map_or_else(
                    || "front matter cannot be read".to_string(),
                    |f| f.message.clone(),
                ),
            }
        }
        _ => Seen::Other,
    }
}

/// Whether `text` holds `id` as a whole word (not inside a longer id).
fn mentions(text: &str, id: &str) -> bool {
    let is_id_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    text.match_indices(id).any(|(i, _)| {
        !text[..i].chars().next_back().is_some_and(is_id_char)
            && !text[i + id.len()..].chars().next().is_some_and(is_id_char)
    })
}

/// The error for an id no candidate holds: the skipped files that hold it,
/// if any.
fn not_found(reader: &Confined, config: &config::Config, id: &str) -> ApproveError {
    let root = reader.root();
    let skipped = discover::discover(root, config, None, true)
        .map(|found| found.skipped)
        .unwrap_or_default();
    let files: Vec<(String, Skip)> = skipped
        .into_par_iter()
        .filter(|(rel, _)| matches!(look(reader, rel, id), Seen::Match { .. }))
        .collect();
    if files.is_empty() {
        ApproveError::NotFound {
            id: id.to_string(),
            root: root.to_path_buf(),
        }
    } else {
        ApproveError::OnlySkipped {
            id: id.to_string(),
            files,
        }
    }
}

/// `value` as a YAML scalar that reads back as exactly `value`: plain when
/// that is unambiguous, else double-quoted.
pub fn yaml_scalar(value: &str) -> String {
    if is_plain_safe(value) {
        value.to_string()
    } else {
        double_quoted(value)
    }
}

/// `value` as a double-quoted YAML scalar.
fn double_quoted(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() || c == '\u{feff}' => {
                out.push_str(&format!("\\u{:04x}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Whether `value` written plain reads back as the same string, whatever the
/// YAML version or schema of the reader (so no booleans, nulls or numbers).
fn is_plain_safe(value: &str) -> bool {
    let Some(first) = value.chars().next() else {
        return false;
    };
    if value.trim() != value
        || "-?:,[]{}#&*!|>'\"%@`".contains(first)
        || first.is_ascii_digit()
        || first == '+'
        || first == '.'
        || value.contains(": ")
        || value.contains(" #")
        || value.ends_with(':')
        || value.chars().any(|c| c.is_control() || c == '\u{feff}')
    {
        return false;
    }
    let lower = value.to_ascii_lowercase();
    !matches!(
        lower.as_str(),
        "~" | "null" | "true" | "false" | "yes" | "no" | "y" | "n" | "on" | "off"
    )
}

/// The byte offset in `yaml` of a parser marker (a character index).
fn offset(yaml: &str, marker: &marked_yaml::Marker) -> Option<usize> {
    let index = marker.character();
    yaml.char_indices()
        .map(|(b, _)| b)
        .chain(std::iter::once(yaml.len()))
        .nth(index)
}

/// The byte length of the quoted scalar at the start of `s` (both quotes),
/// `None` when it does not close on this line.
fn quoted_len(s: &str) -> Option<usize> {
    let quote = s.chars().next()?;
    let mut chars = s.char_indices().skip(1).peekable();
    while let Some((i, c)) = chars.next() {
        match (quote, c) {
            ('"', '\\') => {
                chars.next();
            }
            ('\'', '\'') if chars.peek().is_some_and(|&(_, n)| n == '\'') => {
                chars.next();
            }
            (q, c) if c == q => return Some(i + 1),
            _ => {}
        }
    }
    None
}

/// Sets the approval keys of `text`'s front matter to `values` (YAML
/// scalars, in the order of [`KEYS`]): an existing value is replaced where
/// it stands, a missing key is added as a block line before the closing
/// delimiter; no other byte changes. `Err((file line, reason))` when that
/// cannot be done safely.
fn edit_front_matter(text: &str, values: &[String; 3]) -> Result<String, (u32, String)> {
    let cannot = |line: u32, reason: &str| (line, reason.to_string());
    let split = match frontmatter::split(text) {
        Some(Ok(split)) => split,
        _ => return Err(cannot(1, "the front matter cannot be read")),
    };
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let first_end = text[bom..]
        .find('\n')
        .map(|i| i + bom)
        .ok_or_else(|| cannot(1, "the front matter cannot be read"))?;
    let yaml_start = first_end + 1;
    let yaml = split.yaml;
    if text.get(yaml_start..yaml_start + yaml.len()) != Some(yaml) {
        return Err(cannot(1, "the front matter cannot be located"));
    }
    let eol = if text[..first_end].ends_with('\r') {
        "\r\n"
    } else {
        "\n"
    };
    // File line of a byte offset in `yaml`.
    let line_at = |at: usize| split.yaml_line + yaml[..at].matches('\n').count() as u32;
    let root = parse_yaml(yaml)
        .map_err(|_| cannot(split.yaml_line, "the front matter is not valid YAML"))?;
    let map = root
        .as_mapping()
        .ok_or_else(|| cannot(split.yaml_line, "the front matter is not a mapping"))?;
    let start = map
        .span()
        .start()
        .and_then(|m| offset(yaml, m))
        .ok_or_else(|| cannot(split.yaml_line, "the front matter cannot be located"))?;
    if yaml[start..].starts_with('{') {
        return Err(cannot(
            line_at(start),
            "the front matter is one flow-style mapping (`{...}`), which cannot be edited in place; \
             write it as block YAML, one `key: value` per line, then approve again",
        ));
    }
    // New keys get the indentation of the first one.
    let first = map
        .iter()
        .next()
        .and_then(|(k, _)| k.span().start())
        .and_then(|m| offset(yaml, m))
        .ok_or_else(|| cannot(split.yaml_line, "the front matter has no keys"))?;
    let line_start = yaml[..first].rfind('\n').map_or(0, |i| i + 1);
    let indent = &yaml[line_start..first];
    if !indent.chars().all(|c| c == ' ') {
        return Err(cannot(
            line_at(first),
            "the front matter's first key does not start its line",
        ));
    }

    let mut edits: Vec<(Range<usize>, String)> = Vec::new();
    let mut added = String::new();
    for (key, value) in KEYS.iter().zip(values) {
        match map.iter().find(|(k, _)| k.as_str() == *key) {
            Some((k, v)) => edits.push(value_edit(yaml, k, v, value, &line_at)?),
            None => added.push_str(&format!("{indent}{key}: {value}{eol}")),
        }
    }
    let mut new_yaml = yaml.to_string();
    edits.sort_by_key(|(range, _)| std::cmp::Reverse(range.start));
    for (range, replacement) in edits {
        new_yaml.replace_range(range, &replacement);
    }
    if !new_yaml.is_empty() && !new_yaml.ends_with('\n') {
        return Err(cannot(
            line_at(yaml.len()),
            "the front matter does not end with a line break",
        ));
    }
    new_yaml.push_str(&added);
    Ok(format!(
        "{}{new_yaml}{}",
        &text[..yaml_start],
        &text[yaml_start + yaml.len()..]
    ))
}

/// The range of `yaml` holding the value of `key` and its replacement.
fn value_edit(
    yaml: &str,
    key: &marked_yaml::types::MarkedScalarNode,
    value: &Node,
    new_value: &str,
    line_at: &dyn Fn(usize) -> u32,
) -> Result<(Range<usize>, String), (u32, String)> {
    let name = key.as_str();
    let key_at = key
        .span()
        .start()
        .and_then(|m| offset(yaml, m))
        .ok_or((line_at(0), format!("`{name}` cannot be located")))?;
    let line = line_at(key_at);
    let one_line = || {
        (
            line,
            format!("`{name}` is not written as `{name}: value` on one line; write it so, then approve again"),
        )
    };
    let line_end = yaml[key_at..].find('\n').map_or(yaml.len(), |i| key_at + i);
    let line_text = &yaml[key_at..line_end];
    let line_text = line_text.strip_suffix('\r').unwrap_or(line_text);
    let key_len = match line_text.chars().next() {
        Some('"' | '\'') => quoted_len(line_text).ok_or_else(one_line)?,
        _ if line_text.starts_with(name) => name.len(),
        _ => return Err(one_line()),
    };
    let after_key = &line_text[key_len..];
    let gap = after_key.len() - after_key.trim_start_matches([' ', '\t']).len();
    if !after_key[gap..].starts_with(':') {
        return Err(one_line());
    }
    let colon = key_at + key_len + gap + 1;
    let after = &line_text[key_len + gap + 1..];
    let value = match value {
        Node::Scalar(s) => s,
        _ => return Err(one_line()),
    };
    let value_at = value.span().start().and_then(|m| offset(yaml, m));
    let rest_is_comment = |rest: &str| {
        let rest = rest.trim_start_matches([' ', '\t']);
        rest.is_empty() || rest.starts_with('#')
    };
    match value_at {
        Some(at)
            if at > colon && at <= key_at + line_text.len() && !yaml[at..].starts_with('#') =>
        {
            let written = &yaml[at..key_at + line_text.len()];
            let len = match written.chars().next() {
                Some('"' | '\'') => quoted_len(written).ok_or_else(one_line)?,
                Some('|' | '>') => return Err(one_line()),
                _ => {
                    let end = [" #", "\t#"]
                        .iter()
                        .filter_map(|c| written.find(c))
                        .min()
                        .unwrap_or(written.len());
                    let plain = written[..end].trim_end_matches([' ', '\t']);
                    // A plain value continued on the next lines reads as more.
                    if plain != value.as_str() {
                        return Err(one_line());
                    }
                    plain.len()
                }
            };
            if !rest_is_comment(&written[len..]) {
                return Err(one_line());
            }
            // The YAML reader refuses a plain value after `:` and a tab.
            let replacement = if yaml[colon..at].starts_with('\t') && !new_value.starts_with('"') {
                double_quoted(new_value)
            } else {
                new_value.to_string()
            };
            Ok((at..at + len, replacement))
        }
        // `key:` with no value (or only a comment) on its line.
        _ if matches!(value.as_str(), "" | "~") && rest_is_comment(after) => {
            let blank = after.len() - after.trim_start_matches([' ', '\t']).len();
            let sep = if after.trim().is_empty() { "" } else { " " };
            Ok((colon..colon + blank, format!(" {new_value}{sep}")))
        }
        _ => Err(one_line()),
    }
}

/// Reads the edited text back with the same parser and refuses unless it
/// is the same document with exactly the new approval and nothing else
/// changed: the same body, every other key the same.
fn verify(
    rel: &str,
    old: &str,
    new: &str,
    id: &str,
    expected: [&str; 3],
) -> Result<(), ApproveError> {
    let fail = |what: &str| ApproveError::Verify {
        path: rel.to_string(),
        what: what.to_string(),
    };
    let (Some(Ok(old_split)), Some(Ok(new_split))) =
        (frontmatter::split(old), frontmatter::split(new))
    else {
        return Err(fail("the front matter no longer splits from the body"));
    };
    if old_split.body != new_split.body {
        return Err(fail("the body would change"));
    }
    let doc = match parse_document(rel, new) {
        Parsed::Document {
            document: Some(doc),
            ..
        } => doc,
        Parsed::Document { findings, .. } => {
            let first = findings.first().map_or("", |f| f.message.as_str());
            return Err(fail(&format!(
                "it would not be a readable document: {first}"
            )));
        }
        Parsed::NotADocument => return Err(fail("it would not be a document")),
    };
    if doc.id.value.as_str() != id {
        return Err(fail("the id would change"));
    }
    let read = [
        doc.approved_by.as_ref().map(|v| v.value.clone()),
        doc.approved_on.as_ref().map(|v| fmt_date(v.value)),
        doc.approved_digest.as_ref().map(|v| v.value.clone()),
    ];
    for ((key, want), got) in KEYS.iter().zip(expected).zip(read) {
        if got.as_deref() != Some(want) {
            return Err(fail(&format!(
                "`{key}` would read as {got:?}, not `{want}`"
            )));
        }
    }
    if doc.body_digest != expected[2] {
        return Err(fail("the body digest would differ"));
    }
    let (Ok(old_root), Ok(new_root)) = (parse_yaml(old_split.yaml), parse_yaml(new_split.yaml))
    else {
        return Err(fail("the front matter would not be valid YAML"));
    };
    let (Some(old_map), Some(new_map)) = (old_root.as_mapping(), new_root.as_mapping()) else {
        return Err(fail("the front matter would not be a mapping"));
    };
    let others = |map: &marked_yaml::types::MarkedMappingNode| -> Vec<(String, Node)> {
        map.iter()
            .filter(|(k, _)| !KEYS.contains(&k.as_str()))
            .map(|(k, v)| (k.as_str().to_string(), v.clone()))
            .collect()
    };
    if others(old_map) != others(new_map) {
        return Err(fail("another key would change"));
    }
    for (key, want) in KEYS.iter().zip(expected) {
        if new_map.get_scalar(key).map(|s| s.as_str()) != Some(want) {
            return Err(fail(&format!("`{key}` would not be `{want}`")));
        }
    }
    Ok(())
}

/// Replaces the file at `path` with `new`, atomically: a temporary file in
/// the same folder, with the file's permissions, flushed to disk, renamed
/// over it. Refuses when the file no longer holds `old`. The temporary
/// file never outlives a failure.
fn replace_file(path: &Path, rel: &str, old: &[u8], new: &[u8]) -> Result<(), ApproveError> {
    let write_err = |source| ApproveError::Write {
        path: rel.to_string(),
        source,
    };
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let permissions = std::fs::metadata(path)
        .map_err(|source| ApproveError::Read {
            path: rel.to_string(),
            source,
        })?
        .permissions();
    let mut temp = tempfile::Builder::new()
        .prefix(".isms-approve-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(write_err)?;
    temp.write_all(new).map_err(write_err)?;
    temp.as_file()
        .set_permissions(permissions)
        .map_err(write_err)?;
    temp.as_file().sync_all().map_err(write_err)?;
    match std::fs::read(path) {
        Ok(now) if now == old => {}
        _ => {
            return Err(ApproveError::Changed {
                path: rel.to_string(),
            })
        }
    }
    temp.persist(path).map_err(|e| write_err(e.error))?;
    // The rename itself is durable once the folder is flushed.
    #[cfg(unix)]
    if let Ok(folder) = std::fs::File::open(dir) {
        let _ = folder.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scalar_reads_back(value: &str) -> String {
        let yaml = format!("k: {}\n", yaml_scalar(value));
        let node = parse_yaml(&yaml).expect("valid YAML");
        let map = node.as_mapping().expect("mapping");
        map.get_scalar("k").expect("scalar").as_str().to_string()
    }

    #[test]
    fn scalars_read_back_as_written() {
        for name in [
            "Sam Lee",
            "Sam:",
            "O'Brien",
            "José Núñez",
            "- x",
            "@x",
            "#x",
            " leading",
            "trailing ",
            "yes",
            "No",
            "null",
            "~",
            "true",
            "1.0",
            "0x1F",
            "+1",
            ".5",
            "a: b",
            "a #b",
            "\"q\"",
            "back\\slash",
            "tab\tin",
            "line\nbreak",
            "[x]",
            "{x}",
            "*x",
            "&x",
            "!x",
            "|",
            ">",
            "%x",
            "`x",
            "?x",
            ",x",
            "\u{feff}bom",
            "sha256:0123",
            "2027-02-01",
        ] {
            assert_eq!(scalar_reads_back(name), name, "{}", yaml_scalar(name));
        }
        assert_eq!(yaml_scalar("Sam Lee"), "Sam Lee");
        assert_eq!(yaml_scalar("José Núñez"), "José Núñez");
        assert_eq!(yaml_scalar("Sam:"), "\"Sam:\"");
        assert_eq!(yaml_scalar("yes"), "\"yes\"");
        assert_eq!(yaml_scalar(""), "\"\"");
    }

    fn values() -> [String; 3] {
        ["New".into(), "2027-02-01".into(), "sha256:ab".into()]
    }

    #[test]
    fn replaces_in_place_and_adds_missing_keys_keeping_other_bytes() {
        let text = "---\r\nid: A\r\napproved_by: Old # who\r\n  # note\r\n---\r\nBody\r\n";
        assert_eq!(
            edit_front_matter(text, &values()).expect("edit"),
            "---\r\nid: A\r\napproved_by: New # who\r\n  # note\r\n\
             approved_on: 2027-02-01\r\napproved_digest: sha256:ab\r\n---\r\nBody\r\n"
        );
    }

    #[test]
    fn replaces_quoted_spaced_and_empty_values() {
        let text = "---\nid: A\n\"approved_by\"  :  'O''Old'  # c\napproved_on :\napproved_digest: # none\n---\n";
        assert_eq!(
            edit_front_matter(text, &values()).expect("edit"),
            "---\nid: A\n\"approved_by\"  :  New  # c\napproved_on : 2027-02-01\napproved_digest: sha256:ab # none\n---\n"
        );
    }

    #[test]
    fn a_value_after_a_tab_is_quoted() {
        let text = "---\nid: A\ntitle: Ünïcödé ✓\napproved_by:\t\"José\"\t# c\napproved_on:\t'2020-01-01'\n---\n";
        assert_eq!(
            edit_front_matter(text, &values()).expect("edit"),
            "---\nid: A\ntitle: Ünïcödé ✓\napproved_by:\t\"New\"\t# c\napproved_on:\t\"2027-02-01\"\n\
             approved_digest: sha256:ab\n---\n"
        );
    }

    #[test]
    fn indented_mappings_get_indented_lines() {
        let text = "---\n  id: A\n  title: T\n---\n";
        assert_eq!(
            edit_front_matter(text, &values()).expect("edit"),
            "---\n  id: A\n  title: T\n  approved_by: New\n  approved_on: 2027-02-01\n  approved_digest: sha256:ab\n---\n"
        );
    }

    #[test]
    fn refuses_what_it_cannot_edit_in_place() {
        for (text, line) in [
            ("---\n{id: A, approved_by: Old}\n---\n", 2),
            ("---\nid: A\napproved_by: |\n  Old\n---\n", 3),
            ("---\nid: A\napproved_by: Old\n  Name\n---\n", 3),
            ("---\nid: A\napproved_by:\n  Old\n---\n", 3),
            ("---\nid: A\napproved_by: \"Old\n  Name\"\n---\n", 3),
            ("---\nid: A\napproved_by: [Old]\n---\n", 3),
        ] {
            let err = edit_front_matter(text, &values()).expect_err(text);
            assert_eq!(err.0, line, "{text}: {}", err.1);
        }
    }

    #[test]
    fn finds_ids_as_whole_words() {
        assert!(mentions("id: POL-A\n", "POL-A"));
        assert!(mentions("{id: POL-A}", "POL-A"));
        assert!(!mentions("id: POL-AB\n", "POL-A"));
        assert!(!mentions("id: XPOL-A\n", "POL-A"));
    }
}
