//! The top-level scalars of plain front matter, read without a YAML parser.
//!
//! The history reader fingerprints every version of every document (tens of
//! thousands of blobs in a long history) and needs only four top-level
//! scalars of each. Almost all front matter is a flat list of `key: value`
//! lines, which a full YAML parser with source spans reads about ten times
//! slower than a line scan. [`top_level`] accepts only a strict subset of
//! YAML whose meaning is unambiguous and returns `None` for everything
//! else, so the caller falls back to the parser: the answer is the same
//! either way, only the time differs. What the subset takes in:
//!
//! - a key of letters, digits, `_` and `-` at the start of a line, then `:`
//!   and a space;
//! - a value that is a plain scalar on one line (not starting with a YAML
//!   indicator, without `: `, ` #` or a trailing `:`), a quoted scalar
//!   without escapes or inner quotes, or a one-line flow sequence of such
//!   scalars (or of plain words);
//! - blank lines and comments.
//!
//! Anything else (an empty value, a nested block, a tab, a duplicate key,
//! a control character, an escape) means "ask the parser".

/// One top-level value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Value<'a> {
    /// A scalar, as the parser would return it (quotes removed, the plain
    /// scalar's trailing spaces dropped).
    Scalar(&'a str),
    /// A flow sequence: not a scalar.
    Sequence,
}

/// The keys and values of `yaml` in order, or `None` when it is not in the
/// subset described in the module documentation.
pub fn top_level(yaml: &str) -> Option<Vec<(&str, Value<'_>)>> {
    let mut entries: Vec<(&str, Value<'_>)> = Vec::with_capacity(16);
    for line in yaml.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if !line.chars().all(plain_char) {
            return None;
        }
        let trimmed = line.trim_start_matches(' ');
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if trimmed.len() != line.len() {
            // An indented line continues or nests: not flat.
            return None;
        }
        let (key, rest) = key_of(line)?;
        let value = value_of(rest)?;
        if entries.iter().any(|(k, _)| *k == key) {
            return None;
        }
        entries.push((key, value));
    }
    (!entries.is_empty()).then_some(entries)
}

/// Characters allowed anywhere: printable, no tab, no character a YAML
/// reader treats as a break or a byte order mark.
fn plain_char(c: char) -> bool {
    !(c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}'))
}

/// `key: rest` with the key in `[A-Za-z0-9_][A-Za-z0-9_-]*`.
fn key_of(line: &str) -> Option<(&str, &str)> {
    let colon = line.find(':')?;
    let key = &line[..colon];
    let mut bytes = key.bytes();
    let first = bytes.next()?;
    if !(first.is_ascii_alphanumeric() || first == b'_')
        || !bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        return None;
    }
    let rest = line[colon + 1..].strip_prefix(' ')?;
    Some((key, rest))
}

/// The value after `key: `.
fn value_of(rest: &str) -> Option<Value<'_>> {
    let rest = rest.trim_start_matches(' ');
    let first = rest.chars().next()?;
    match first {
        '"' | '\'' => {
            let (scalar, after) = quoted(rest)?;
            only_comment(after).then_some(Value::Scalar(scalar))
        }
        '[' => {
            let after = flow_sequence(&rest[1..])?;
            only_comment(after).then_some(Value::Sequence)
        }
        _ => plain(rest).map(Value::Scalar),
    }
}

/// A plain scalar filling the rest of the line.
fn plain(text: &str) -> Option<&str> {
    const INDICATORS: &str = "-?:,[]{}#&*!|>'\"%@`";
    let first = text.chars().next()?;
    if INDICATORS.contains(first) {
        return None;
    }
    let value = text.trim_end_matches(' ');
    if value.ends_with(':') || value.contains(": ") || value.contains(" #") {
        return None;
    }
    Some(value)
}

/// A quoted scalar at the start of `text` (which starts with its quote)
/// without escapes or doubled quotes, and what follows it.
fn quoted(text: &str) -> Option<(&str, &str)> {
    let quote = text.chars().next()?;
    let inner = &text[1..];
    let end = inner.find(quote)?;
    let scalar = &inner[..end];
    if quote == '"' && scalar.contains('\\') {
        return None;
    }
    let after = &inner[end + 1..];
    // `'it''s'` is one scalar with a quote inside.
    if after.starts_with(quote) {
        return None;
    }
    Some((scalar, after))
}

/// A flow sequence after its `[`, up to and including `]`: what follows.
fn flow_sequence(mut text: &str) -> Option<&str> {
    text = text.trim_start_matches(' ');
    if let Some(after) = text.strip_prefix(']') {
        return Some(after);
    }
    loop {
        let after_item = match text.chars().next()? {
            '"' | '\'' => quoted(text)?.1,
            _ => {
                let word = text
                    .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
                    .unwrap_or(text.len());
                if word == 0 || !text.as_bytes()[0].is_ascii_alphanumeric() {
                    return None;
                }
                &text[word..]
            }
        };
        let after_item = after_item.trim_start_matches(' ');
        if let Some(after) = after_item.strip_prefix(']') {
            return Some(after);
        }
        text = after_item.strip_prefix(',')?.trim_start_matches(' ');
        if text.starts_with(']') {
            // A trailing comma: leave it to the parser.
            return None;
        }
    }
}

/// Nothing after a value but spaces and, after a space, a comment.
fn only_comment(after: &str) -> bool {
    let trimmed = after.trim_start_matches(' ');
    trimmed.is_empty() || (trimmed.starts_with('#') && trimmed.len() < after.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scalars(yaml: &str) -> Option<Vec<(&str, Option<&str>)>> {
        top_level(yaml).map(|entries| {
            entries
                .into_iter()
                .map(|(k, v)| match v {
                    Value::Scalar(s) => (k, Some(s)),
                    Value::Sequence => (k, None),
                })
                .collect()
        })
    }

    #[test]
    fn flat_front_matter_is_read() {
        let yaml = "id: POL-AC\ntitle: \"Access: who and why\"\nversion: '1.10'\n\
                    # a comment\n\napproved_on: 2026-01-05   \r\n\
                    controls: [\"5.15\", 5.18, 'A.9']\nowner: Head of IT  \n";
        assert_eq!(
            scalars(yaml),
            Some(vec![
                ("id", Some("POL-AC")),
                ("title", Some("Access: who and why")),
                ("version", Some("1.10")),
                ("approved_on", Some("2026-01-05")),
                ("controls", None),
                ("owner", Some("Head of IT")),
            ])
        );
    }

    #[test]
    fn anything_unusual_is_left_to_the_parser() {
        for yaml in [
            "",
            "# only a comment\n",
            "id:\n  - nested\n",
            "id: A\n  continued\n",
            "id: A\nid: B\n",
            "id: \"esc\\\"aped\"\n",
            "id: 'it''s'\n",
            "id: &anchor A\n",
            "id: *alias\n",
            "id: !tag A\n",
            "id: |\n  block\n",
            "id: a: b\n",
            "id: a #comment\n",
            "id: \"a\" b\n",
            "id:\tA\n",
            "id: A\t\n",
            "id:A\n",
            "- A\n",
            "\"id\": A\n",
            "id: [a, ]\n",
            "id: [a, [b]]\n",
            "id: [a\n",
            "id: {a: b}\n",
            "id: A\u{85}B\n",
            "id: -5\n",
            "id: A:\n",
        ] {
            assert_eq!(top_level(yaml), None, "{yaml:?}");
        }
    }

    /// What the YAML parser makes of `yaml`, in the same shape.
    fn parser_reading(yaml: &str) -> Option<Vec<(String, Option<String>)>> {
        let node = marked_yaml::parse_yaml_with_options(
            0,
            yaml,
            marked_yaml::LoaderOptions::default().prevent_coercion(true),
        )
        .ok()?;
        let map = node.as_mapping()?;
        Some(
            map.iter()
                .map(|(k, v)| {
                    let scalar = v.as_scalar().map(|s| s.as_str().to_string());
                    (k.as_str().to_string(), scalar)
                })
                .collect(),
        )
    }

    /// Lines of front matter, mostly of the quick subset, with the
    /// pieces that are easy to get wrong.
    fn piece() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let keys = prop::sample::select(vec![
            "id",
            "version",
            "approved_by",
            "approved_on",
            "title",
            "a-b",
            "_x",
            "2fa",
        ]);
        let colons = prop_oneof![
            8 => Just(": "),
            1 => prop::sample::select(vec![":", ":  ", ": \t", " : "]),
        ];
        let values = prop::sample::select(vec![
            "A",
            "1.10",
            "\"q: x\"",
            "'s'",
            "[a, \"b\"]",
            "x #c",
            "#c",
            "a:b",
            "''",
            "\"\"",
            " ",
            "-1",
            "é — ü",
            "a  b",
            "[]",
            "[a,]",
            "~",
            "null",
            "\"a\\\"\"",
            "[ 5.1 , 'x y' ]",
            "A   ",
            "'a' # c",
            "\"a\"b",
            "a#b",
            "{}",
            "|",
            "?x",
            ".5",
            "\" padded \"",
            "'it''s'",
            "\"a\\tb\"",
            "'a\\b'",
            "[\"a, b\"]",
            "x: ",
            "a\u{a0}",
        ]);
        let indents = prop_oneof![
            8 => Just(""),
            1 => prop::sample::select(vec![" ", "  ", "# "]),
        ];
        (indents, keys, colons, values).prop_map(|(i, k, c, v)| format!("{i}{k}{c}{v}"))
    }

    proptest::proptest! {
        #[test]
        fn quick_reading_agrees_with_the_parser(
            lines in proptest::collection::vec(piece(), 1..4),
            crlf in proptest::bool::ANY,
        ) {
            let yaml = lines.join(if crlf { "\r\n" } else { "\n" }) + "\n";
            if let Some(quick) = top_level(&yaml) {
                let quick: Vec<(String, Option<String>)> = quick
                    .into_iter()
                    .map(|(k, v)| match v {
                        Value::Scalar(s) => (k.to_string(), Some(s.to_string())),
                        Value::Sequence => (k.to_string(), None),
                    })
                    .collect();
                proptest::prop_assert_eq!(Some(quick), parser_reading(&yaml), "{:?}", yaml);
            }
        }
    }
}
