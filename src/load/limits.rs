//! Limits on input, checked before anything recursive or large touches it:
//! nesting depth of front matter and `isms.toml` (the parsers and the code
//! that walks their trees recurse once per level), file sizes, id length,
//! control characters and the range of years. Each limit is a finding with
//! its line, never a crash and never a silent truncation.

use chrono::Datelike;

use crate::model::ids::Date;

/// Deepest nesting of lists and mappings in front matter or `isms.toml`.
pub const MAX_DEPTH: usize = 64;

pub use crate::model::confined::MAX_FILE_BYTES;

/// Longest document id, in characters: `docs/ID.html` stays far below the
/// file name limits of every common file system (255 bytes).
pub const MAX_ID_CHARS: usize = 64;

/// Years a date may have: four digits, and nothing before 1900, which can
/// only be a typo in the records of a management system.
pub const YEARS: std::ops::RangeInclusive<i32> = 1900..=9999;

/// Why front matter was refused before parsing, with its line (1-based,
/// counted from the first YAML line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum YamlShape {
    /// Nesting deeper than [`MAX_DEPTH`] starts on this line.
    TooDeep { line: u32 },
    /// The front matter is one flow mapping `{...}`, and more follows it on
    /// this line, which a YAML parser would silently drop.
    AfterFlowMapping { line: u32 },
}

/// Scans front matter for nesting deeper than [`MAX_DEPTH`] and for content
/// after a top-level flow mapping, without recursion. The depth counted is
/// an upper bound of what the parser sees for ordinary YAML: every
/// increase of indentation, every compact `- ` or `? ` and every open `[`
/// or `{` counts one level.
pub fn scan_yaml(yaml: &str) -> Result<(), YamlShape> {
    let mut indents: Vec<usize> = Vec::new();
    // Open flow collections, and the quote a scalar is open in (they may
    // span lines).
    let mut flow = 0usize;
    let mut quote: Option<char> = None;
    // Indentation of the line that opened a block scalar (`|` or `>`).
    let mut block_scalar: Option<usize> = None;
    // A top-level flow mapping is open, or has been closed.
    let mut top_flow_open = false;
    let mut top_flow_closed = false;
    for (i, line) in yaml.lines().enumerate() {
        let line_no = i as u32 + 1;
        let line = line.strip_suffix('\r').unwrap_or(line);
        let indent = line.len() - line.trim_start_matches(' ').len();
        let rest = line[indent..].trim_end();
        if let Some(bs) = block_scalar {
            if rest.is_empty() || indent > bs {
                continue;
            }
            block_scalar = None;
        }
        if flow == 0 && quote.is_none() {
            if rest.is_empty() || rest.starts_with('#') {
                continue;
            }
            if top_flow_closed {
                return Err(YamlShape::AfterFlowMapping { line: line_no });
            }
            while indents.last().is_some_and(|&top| top > indent) {
                indents.pop();
            }
            if indents.last() != Some(&indent) {
                indents.push(indent);
            }
        }
        let bytes = rest.as_bytes();
        let mut pos = 0;
        // Compact nested entries: `- - - x`, `? - x`.
        if flow == 0 && quote.is_none() {
            while pos < bytes.len()
                && matches!(bytes[pos], b'-' | b'?')
                && bytes.get(pos + 1).is_none_or(|b| *b == b' ' || *b == b'\t')
            {
                pos += 1;
                while pos < bytes.len() && matches!(bytes[pos], b' ' | b'\t') {
                    pos += 1;
                }
                if pos < bytes.len() {
                    indents.push(indent + pos);
                }
            }
        }
        if indents.len() == 1 && flow == 0 && quote.is_none() && bytes.get(pos) == Some(&b'{') {
            top_flow_open = true;
        }
        // A value may open a flow collection or a quoted scalar where a
        // node starts: at the start, after `: `, `- `, `[`, `{` or `,`.
        let mut node_start = true;
        while pos < bytes.len() {
            let b = bytes[pos];
            if let Some(q) = quote {
                if b as char == q {
                    if q == '\'' && bytes.get(pos + 1) == Some(&b'\'') {
                        pos += 1;
                    } else {
                        quote = None;
                    }
                } else if q == '"' && b == b'\\' {
                    pos += 1;
                }
                pos += 1;
                continue;
            }
            match b {
                b'#' if pos == 0 || matches!(bytes[pos - 1], b' ' | b'\t') => break,
                b'"' | b'\'' if node_start => quote = Some(b as char),
                b'[' | b'{' if node_start || flow > 0 => {
                    flow += 1;
                    if indents.len() + flow > MAX_DEPTH {
                        return Err(YamlShape::TooDeep { line: line_no });
                    }
                    node_start = true;
                    pos += 1;
                    continue;
                }
                b']' | b'}' if flow > 0 => {
                    flow -= 1;
                    if flow == 0 && top_flow_open {
                        top_flow_open = false;
                        top_flow_closed = true;
                        let after = rest[pos + 1..].trim_start();
                        if !after.is_empty() && !after.starts_with('#') {
                            return Err(YamlShape::AfterFlowMapping { line: line_no });
                        }
                    }
                }
                b',' if flow > 0 => {
                    node_start = true;
                    pos += 1;
                    continue;
                }
                b':' | b'-' | b'?'
                    if bytes.get(pos + 1).is_none_or(|n| matches!(n, b' ' | b'\t')) =>
                {
                    node_start = true;
                    pos += 1;
                    continue;
                }
                b'|' | b'>' if node_start && flow == 0 => {
                    let indicators = rest[pos + 1..].split('#').next().unwrap_or("").trim();
                    if indicators
                        .chars()
                        .all(|c| matches!(c, '+' | '-' | '1'..='9'))
                    {
                        block_scalar = Some(indent);
                    }
                    break;
                }
                b' ' | b'\t' => {
                    pos += 1;
                    continue;
                }
                _ => {}
            }
            node_start = false;
            pos += 1;
        }
        if indents.len() + flow > MAX_DEPTH {
            return Err(YamlShape::TooDeep { line: line_no });
        }
    }
    Ok(())
}

/// The line (1-based) where nesting in TOML text goes deeper than
/// [`MAX_DEPTH`]: dotted table headers and keys, arrays and inline tables
/// each count one level. Scanned without recursion, before parsing.
pub fn scan_toml(text: &str) -> Option<u32> {
    let mut nesting = 0usize;
    // Depth of the current table header.
    let mut table = 0usize;
    // An open multi-line string: its delimiter.
    let mut multi: Option<&str> = None;
    for (i, line) in text.lines().enumerate() {
        let line_no = i as u32 + 1;
        let mut rest = line.trim();
        if let Some(delim) = multi {
            match rest.find(delim) {
                Some(end) => {
                    rest = &rest[end + 3..];
                    multi = None;
                }
                None => continue,
            }
        }
        let at_key = nesting == 0;
        if at_key && rest.starts_with('[') {
            // `[a.b]` or `[[a.b]]`
            let header = rest.trim_start_matches('[');
            let header = header.split(']').next().unwrap_or("");
            table = dotted_parts(header);
            if table > MAX_DEPTH {
                return Some(line_no);
            }
            continue;
        }
        let mut key_depth = table;
        let mut bytes_from = 0;
        if at_key {
            if let Some(eq) = find_unquoted(rest, b'=') {
                key_depth += dotted_parts(&rest[..eq]);
                bytes_from = eq + 1;
            }
        }
        let bytes = rest.as_bytes();
        let mut pos = bytes_from;
        while pos < bytes.len() {
            match bytes[pos] {
                b'#' => break,
                q @ (b'"' | b'\'') => {
                    let delim = if q == b'"' { "\"\"\"" } else { "'''" };
                    if rest[pos..].starts_with(delim) {
                        match rest[pos + 3..].find(delim) {
                            Some(end) => pos += 3 + end + 3,
                            None => {
                                multi = Some(delim);
                                break;
                            }
                        }
                        continue;
                    }
                    pos += 1;
                    while pos < bytes.len() && bytes[pos] != q {
                        if q == b'"' && bytes[pos] == b'\\' {
                            pos += 1;
                        }
                        pos += 1;
                    }
                }
                b'[' | b'{' => {
                    nesting += 1;
                    if key_depth + nesting > MAX_DEPTH {
                        return Some(line_no);
                    }
                }
                b']' | b'}' => nesting = nesting.saturating_sub(1),
                b'=' if nesting > 0 => {
                    // A dotted key inside an inline table.
                    let start = rest[..pos].rfind(['{', ',']).map_or(0, |p| p + 1);
                    if key_depth + nesting + dotted_parts(&rest[start..pos]) > MAX_DEPTH {
                        return Some(line_no);
                    }
                }
                _ => {}
            }
            pos += 1;
        }
        if key_depth > MAX_DEPTH {
            return Some(line_no);
        }
    }
    None
}

/// How many parts a (possibly dotted, possibly quoted) TOML key has.
fn dotted_parts(key: &str) -> usize {
    let mut parts = 1;
    let mut quote: Option<char> = None;
    for c in key.chars() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '.') => parts += 1,
            _ => {}
        }
    }
    parts
}

/// The first `needle` outside quotes.
fn find_unquoted(text: &str, needle: u8) -> Option<usize> {
    let mut quote: Option<u8> = None;
    for (i, &b) in text.as_bytes().iter().enumerate() {
        match (quote, b) {
            (None, b'"' | b'\'') => quote = Some(b),
            (Some(q), b) if b == q => quote = None,
            (None, b) if b == needle => return Some(i),
            _ => {}
        }
    }
    None
}

/// The first control character other than tab, CR and LF.
pub fn control_char(text: &str) -> Option<char> {
    text.chars()
        .find(|c| c.is_control() && !matches!(c, '\t' | '\r' | '\n'))
}

/// Whether a date's year is in [`YEARS`].
pub fn year_in_range(date: Date) -> bool {
    YEARS.contains(&date.year())
}

/// The message for a date whose year is out of range.
pub fn year_message(what: &str, text: &str) -> String {
    format!(
        "{what} `{text}` has a year outside {}..={}",
        YEARS.start(),
        YEARS.end()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_block_sequences_are_refused_at_their_line() {
        let yaml = format!("id: A\nextra:\n{}x\n", "- ".repeat(5000));
        assert_eq!(scan_yaml(&yaml), Err(YamlShape::TooDeep { line: 3 }));
        let mut nested = String::from("id: A\n");
        for d in 0..100 {
            nested.push_str(&format!("{}k{d}:\n", "  ".repeat(d)));
        }
        assert!(matches!(
            scan_yaml(&nested),
            Err(YamlShape::TooDeep { line }) if line > 60 && line < 70
        ));
    }

    #[test]
    fn deep_flow_collections_are_refused() {
        for yaml in [
            format!("extra: {}{}\n", "[".repeat(5000), "]".repeat(5000)),
            format!("extra: {}1{}\n", "{a: ".repeat(5000), "}".repeat(5000)),
            format!("extra:\n  {}\n", "[".repeat(100)),
        ] {
            assert!(matches!(scan_yaml(&yaml), Err(YamlShape::TooDeep { .. })));
        }
    }

    #[test]
    fn ordinary_front_matter_passes() {
        let yaml = "id: POL-AC\ntitle: \"Access [draft\"\ncontrols: [\"5.15\", 5.18]\nrecurring: [{record: access-review, every: quarterly}]\nsummary: |\n  text with [brackets\n    and { more\nfindings:\n  - id: F1\n    severity: minor\n    summary: 'it''s [fine'\nowner: Head of IT's team [x\n";
        assert_eq!(scan_yaml(yaml), Ok(()));
        let shallow = format!("extra: {}{}\n", "[".repeat(30), "]".repeat(30));
        assert_eq!(scan_yaml(&shallow), Ok(()));
    }

    #[test]
    fn content_after_a_flow_mapping_is_refused() {
        assert_eq!(
            scan_yaml("{id: A, title: T}\n# a comment\n\nstatus: approved\n"),
            Err(YamlShape::AfterFlowMapping { line: 4 })
        );
        assert_eq!(
            scan_yaml("{id: A,\n title: T} extra\n"),
            Err(YamlShape::AfterFlowMapping { line: 2 })
        );
        assert_eq!(scan_yaml("{id: A,\n title: T}  # done\n"), Ok(()));
    }

    #[test]
    fn deep_toml_is_refused_at_its_line() {
        let text = format!(
            "[organisation]\nname = \"A\"\n[source]\nexclude = {}{}\n",
            "[".repeat(5000),
            "]".repeat(5000)
        );
        assert_eq!(scan_toml(&text), Some(4));
        let header = format!("[{}]\n", vec!["a"; 100].join("."));
        assert_eq!(scan_toml(&header), Some(1));
        let inline = format!("x = {}1{}\n", "{a = ".repeat(100), "}".repeat(100));
        assert_eq!(scan_toml(&inline), Some(1));
        let ok = "[organisation]\nname = \"A [b\"\ntop_management = [\"x\", 'y']\nnote = \"\"\"\n[[[[\n\"\"\"\n[site]\naccent = \"#123\"\n";
        assert_eq!(scan_toml(ok), None);
    }

    #[test]
    fn control_characters_and_years() {
        assert_eq!(control_char("a\tb\r\n"), None);
        assert_eq!(control_char("a\0b"), Some('\0'));
        assert_eq!(control_char("a\u{1b}[31m"), Some('\u{1b}'));
        let d = |s| crate::model::ids::parse_date(s).expect("date");
        assert!(!year_in_range(d("0000-01-01")));
        assert!(!year_in_range(d("1899-12-31")));
        assert!(year_in_range(d("1900-01-01")));
        assert!(year_in_range(d("9999-12-31")));
    }
}
