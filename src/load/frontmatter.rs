//! Splits a document into front matter and body, keeping line numbers, and
//! computes the normalised body digest used by `approved_digest`.

use sha2::{Digest, Sha256};

/// A file split at its front matter delimiters.
#[derive(Debug, PartialEq, Eq)]
pub struct Split<'a> {
    /// The YAML between the `---` lines.
    pub yaml: &'a str,
    /// File line of the first YAML line (1-based).
    pub yaml_line: u32,
    /// Everything after the closing `---` line.
    pub body: &'a str,
    /// File line where the body starts.
    pub body_line: u32,
}

#[derive(Debug, PartialEq, Eq)]
pub enum SplitError {
    /// An opening `---` with no closing one.
    NeverClosed,
}

/// `None` when the file has no front matter (not a controlled document).
/// Accepts a UTF-8 BOM and CRLF line ends.
pub fn split(text: &str) -> Option<Result<Split<'_>, SplitError>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first_end = text.find('\n').unwrap_or(text.len());
    if text[..first_end].trim_end() != "---" {
        return None;
    }
    let yaml_start = (first_end + 1).min(text.len());
    let mut pos = yaml_start;
    let mut line = 2u32;
    while pos < text.len() {
        let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
        let l = text[pos..end].trim_end();
        if l == "---" || l == "..." {
            let body_start = (end + 1).min(text.len());
            return Some(Ok(Split {
                yaml: &text[yaml_start..pos],
                yaml_line: 2,
                body: &text[body_start..],
                body_line: line + 1,
            }));
        }
        pos = end + 1;
        line += 1;
    }
    Some(Err(SplitError::NeverClosed))
}

/// The body as the contract normalises it for digests: CRLF to LF, leading and
/// trailing blank lines removed, no final line break.
pub fn normalise_body(body: &str) -> String {
    let lines: Vec<&str> = body
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    let start = lines.iter().position(|l| !l.trim().is_empty());
    let Some(start) = start else {
        return String::new();
    };
    let end = lines
        .iter()
        .rposition(|l| !l.trim().is_empty())
        .unwrap_or(start);
    lines[start..=end].join("\n")
}

/// `sha256:<hex>` of the normalised body.
pub fn body_digest(body: &str) -> String {
    format!(
        "sha256:{}",
        hex(&Sha256::digest(normalise_body(body).as_bytes()))
    )
}

/// Raw sha256 of the normalised body (for history fingerprints). Hashes
/// the lines in place rather than building the normalised text: the
/// history reader calls it for every version of every document.
pub fn body_hash(body: &str) -> [u8; 32] {
    let blank = |line: &str| line.trim().is_empty();
    let mut lines = body.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    let mut hasher = Sha256::new();
    // Leading blank lines are dropped; trailing ones are held back until a
    // line with text follows them.
    let Some(first) = lines.by_ref().find(|l| !blank(l)) else {
        return hasher.finalize().into();
    };
    hasher.update(first.as_bytes());
    let mut held: Vec<&str> = Vec::new();
    for line in lines {
        if blank(line) {
            held.push(line);
            continue;
        }
        // Blank lines between text stay, spaces and all.
        for kept in held.drain(..).chain(std::iter::once(line)) {
            hasher.update(b"\n");
            hasher.update(kept.as_bytes());
        }
    }
    hasher.finalize().into()
}

pub use crate::model::digest::{hex, sha256_hex};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_with_lines() {
        let s = split("---\nid: A\n---\n# Title\n")
            .expect("fm")
            .expect("closed");
        assert_eq!(s.yaml, "id: A\n");
        assert_eq!(s.body, "# Title\n");
        assert_eq!(s.body_line, 4);
    }

    #[test]
    fn bom_and_crlf() {
        let s = split("\u{feff}---\r\nid: A\r\n---\r\nbody\r\n")
            .expect("fm")
            .expect("closed");
        assert_eq!(s.body_line, 4);
        assert_eq!(body_digest(s.body), body_digest("\n\nbody"));
    }

    #[test]
    fn no_front_matter_and_unclosed() {
        assert!(split("# Readme\n").is_none());
        assert_eq!(split("---\nid: A\n"), Some(Err(SplitError::NeverClosed)));
    }

    #[test]
    fn body_hash_is_the_digest_of_the_normalised_body() {
        for body in [
            "",
            "\n \r\n\t\n",
            "A",
            "\n  \nA\r\nB  \n\n",
            "A\n\n  \nB\r\n \n",
            "\r\nA\r\r\n",
            " A \n\t\n B",
        ] {
            let expected: [u8; 32] = Sha256::digest(normalise_body(body).as_bytes()).into();
            assert_eq!(body_hash(body), expected, "{body:?}");
        }
    }

    #[test]
    fn normalisation() {
        assert_eq!(normalise_body("\n  \nA\r\nB  \n\n"), "A\nB  ");
    }
}
