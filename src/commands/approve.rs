//! `isms approve ID --by NAME [--on DATE]`: records an approval in the
//! document's front matter (approved_by, approved_on, approved_digest) and
//! changes nothing else in the file.

use std::path::Path;

use crate::load::document::{parse_document, Parsed};
use crate::load::frontmatter;
use crate::model::ids::{fmt_date, Date};

pub fn run(root: &Path, id: &str, by: &str, on: Date) -> i32 {
    let files = match walk_md(root) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    for rel in files {
        let path = root.join(&rel);
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let Parsed::Document {
            document: Some(doc),
            ..
        } = parse_document(&rel, &text)
        else {
            continue;
        };
        if doc.id.value.as_str() != id {
            continue;
        }
        let digest = frontmatter::body_digest(&doc.body);
        let Some(updated) = set_keys(
            &text,
            &[
                ("approved_by", yaml_string(by)),
                ("approved_on", fmt_date(on)),
                ("approved_digest", digest.clone()),
            ],
        ) else {
            eprintln!("error: {rel}: front matter could not be updated");
            return 2;
        };
        let tmp = path.with_extension("md.isms-tmp");
        if let Err(e) = std::fs::write(&tmp, updated).and_then(|_| std::fs::rename(&tmp, &path)) {
            eprintln!("error: cannot write {rel}: {e}");
            return 2;
        }
        println!(
            "approved {id} ({rel}) by {by} on {}: {digest}",
            fmt_date(on)
        );
        return 0;
    }
    eprintln!("error: no document with id `{id}` under {}", root.display());
    2
}

fn walk_md(root: &Path) -> std::io::Result<Vec<String>> {
    let mut out = Vec::new();
    for e in walkdir::WalkDir::new(root)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'))
        .flatten()
    {
        if e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "md") {
            if let Ok(rel) = e.path().strip_prefix(root) {
                out.push(
                    rel.components()
                        .map(|c| c.as_os_str().to_string_lossy())
                        .collect::<Vec<_>>()
                        .join("/"),
                );
            }
        }
    }
    Ok(out)
}

/// Quotes a value for YAML when a plain scalar would be misread.
fn yaml_string(s: &str) -> String {
    let plain = !s.is_empty()
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.starts_with(|c: char| "[]{}&*!|>'\"%@`#,?:-".contains(c))
        && !matches!(s, "true" | "false" | "null" | "yes" | "no" | "~");
    if plain {
        s.to_string()
    } else {
        format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

/// Replaces (or inserts before the closing `---`) top-level `key: value`
/// lines, keeping every other byte, the BOM and the line ending style.
pub fn set_keys(text: &str, keys: &[(&str, String)]) -> Option<String> {
    let bom = if text.starts_with('\u{feff}') {
        "\u{feff}"
    } else {
        ""
    };
    let body = &text[bom.len()..];
    let eol = if body.contains("\r\n") { "\r\n" } else { "\n" };
    let mut lines: Vec<String> = body.split_inclusive('\n').map(str::to_string).collect();
    if lines.first().map(|l| l.trim_end()) != Some("---") {
        return None;
    }
    let close = lines
        .iter()
        .skip(1)
        .position(|l| matches!(l.trim_end(), "---" | "..."))?
        + 1;
    let mut close = close;
    for (key, value) in keys {
        let prefix = format!("{key}:");
        let new_line = format!("{key}: {value}{eol}");
        match lines[1..close].iter().position(|l| l.starts_with(&prefix)) {
            Some(i) => {
                let i = i + 1;
                // Drop continuation lines of a multi-line value.
                let mut j = i + 1;
                while j < close && (lines[j].starts_with(' ') || lines[j].starts_with('\t')) {
                    j += 1;
                }
                lines.splice(i..j, [new_line]);
                close -= j - i - 1;
            }
            None => {
                lines.insert(close, new_line);
                close += 1;
            }
        }
    }
    Some(format!("{bom}{}", lines.concat()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_and_inserts_keeping_other_bytes() {
        let text = "---\r\nid: A\r\napproved_by: Old\r\n# note\r\n---\r\nBody\r\n";
        let out = set_keys(
            text,
            &[
                ("approved_by", "New Person".into()),
                ("approved_on", "2026-01-02".into()),
            ],
        )
        .expect("set");
        assert_eq!(out, "---\r\nid: A\r\napproved_by: New Person\r\n# note\r\napproved_on: 2026-01-02\r\n---\r\nBody\r\n");
    }

    #[test]
    fn quotes_when_needed() {
        assert_eq!(yaml_string("Alex Morgan"), "Alex Morgan");
        assert_eq!(yaml_string("CEO: Alex"), "\"CEO: Alex\"");
    }
}
