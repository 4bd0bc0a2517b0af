//! "What changed": a word-level comparison of two versions of a body, for
//! staff who need to see the changes rather than re-read the document.
//!
//! It compares the bodies as rendered for the site (HTML whose links and
//! images the site already filtered), never their Markdown source, so the
//! comparison cannot show a link target or anything else the page itself
//! would not. Words are compared as the escaped text of the HTML and
//! written back as they were, so nothing is unescaped on the way.
//!
//! Only the paragraphs (blocks) that changed are shown, with the number of
//! unchanged ones in between. Removed words are struck through and added
//! ones underlined (`<del>`, `<ins>`), each run with a text alternative
//! ("removed:", "added:") for screen readers and with a visible mark
//! besides colour.

use serde::Serialize;
use similar::{capture_diff_slices, Algorithm, DiffTag};

/// One token of a body: a word (escaped HTML text) or a block boundary.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Tok {
    Word(String),
    Break,
}

/// Tags whose start or end separates blocks of text.
const BLOCKS: [&str; 20] = [
    "p",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "td",
    "th",
    "pre",
    "blockquote",
    "table",
    "ul",
    "ol",
    "div",
    "br",
    "dt",
    "dd",
];

/// The words of rendered HTML, with a break at every block boundary.
fn tokens(html: &str) -> Vec<Tok> {
    let mut out = Vec::new();
    let mut rest = html;
    let mut text = String::new();
    let flush = |text: &mut String, out: &mut Vec<Tok>| {
        for w in text.split_whitespace() {
            out.push(Tok::Word(w.to_string()));
        }
        text.clear();
    };
    while let Some(open) = rest.find('<') {
        text.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('>') else {
            text.push_str(&rest[open..]);
            rest = "";
            break;
        };
        let tag = after[..close].trim_start_matches('/');
        let name: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        // Inline tags separate nothing: `<em>a</em>b` stays one word.
        if BLOCKS.contains(&name.as_str()) {
            flush(&mut text, &mut out);
            if out.last().is_some_and(|t| *t != Tok::Break) {
                out.push(Tok::Break);
            }
        }
        rest = &after[close + 1..];
    }
    text.push_str(rest);
    flush(&mut text, &mut out);
    if out.last() == Some(&Tok::Break) {
        out.pop();
    }
    out
}

/// A run of words in a changed block.
#[derive(Serialize, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Run {
    /// `same`, `added` or `removed`.
    pub kind: &'static str,
    /// Escaped HTML text.
    pub text: String,
}

/// A block of the comparison: a changed block's runs, or a count of
/// unchanged blocks left out.
#[derive(Serialize, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Part {
    pub runs: Vec<Run>,
    pub unchanged: usize,
}

/// The comparison of two rendered bodies.
#[derive(Serialize, Debug, PartialEq, Eq, Hash)]
pub(crate) struct WordDiff {
    pub parts: Vec<Part>,
    pub added: usize,
    pub removed: usize,
}

/// Compares the rendered bodies `old` and `new` word by word; `None` when
/// their words are the same.
pub(crate) fn compare(old: &str, new: &str) -> Option<WordDiff> {
    let (old, new) = (tokens(old), tokens(new));
    if old == new {
        return None;
    }
    // Each token tagged with how it changed, in reading order.
    let mut marked: Vec<(&'static str, &Tok)> = Vec::new();
    for op in capture_diff_slices(Algorithm::Myers, &old, &new) {
        let (tag, old_range, new_range) = op.as_tag_tuple();
        match tag {
            DiffTag::Equal => marked.extend(new[new_range].iter().map(|t| ("same", t))),
            DiffTag::Delete => marked.extend(old[old_range].iter().map(|t| ("removed", t))),
            DiffTag::Insert => marked.extend(new[new_range].iter().map(|t| ("added", t))),
            DiffTag::Replace => {
                marked.extend(old[old_range].iter().map(|t| ("removed", t)));
                marked.extend(new[new_range].iter().map(|t| ("added", t)));
            }
        }
    }
    let mut diff = WordDiff {
        parts: Vec::new(),
        added: 0,
        removed: 0,
    };
    let mut block: Vec<(&'static str, &str)> = Vec::new();
    let mut unchanged = 0usize;
    let mut end_block = |block: &mut Vec<(&'static str, &str)>, diff: &mut WordDiff| {
        if block.iter().all(|(k, _)| *k == "same") {
            if !block.is_empty() {
                unchanged += 1;
            }
        } else {
            diff.parts.push(Part {
                runs: runs(block),
                unchanged: std::mem::take(&mut unchanged),
            });
        }
        block.clear();
    };
    for (kind, tok) in marked {
        match tok {
            Tok::Break => end_block(&mut block, &mut diff),
            Tok::Word(w) => {
                match kind {
                    "added" => diff.added += 1,
                    "removed" => diff.removed += 1,
                    _ => {}
                }
                block.push((kind, w));
            }
        }
    }
    end_block(&mut block, &mut diff);
    let trailing = unchanged;
    if trailing > 0 {
        diff.parts.push(Part {
            runs: Vec::new(),
            unchanged: trailing,
        });
    }
    (diff.added + diff.removed > 0).then_some(diff)
}

/// Consecutive words of one kind joined into runs.
fn runs(block: &[(&'static str, &str)]) -> Vec<Run> {
    let mut out: Vec<Run> = Vec::new();
    for (kind, word) in block {
        match out.last_mut() {
            Some(run) if run.kind == *kind => {
                run.text.push(' ');
                run.text.push_str(word);
            }
            _ => out.push(Run {
                kind,
                text: (*word).to_string(),
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(kind: &'static str, text: &str) -> Run {
        Run {
            kind,
            text: text.into(),
        }
    }

    #[test]
    fn same_words_are_no_change() {
        assert_eq!(compare("<p>a  b</p>", "<p>a <em>b</em></p>\n"), None);
    }

    #[test]
    fn shows_changed_blocks_with_counts_of_the_others() {
        let old = "<p>One two.</p><p>Keep this.</p><p>Review yearly by the lead.</p><p>End.</p>";
        let new = "<p>One two.</p><p>Keep this.</p><p>Review quarterly by the lead.</p><p>End.</p>";
        let d = compare(old, new).expect("changed");
        assert_eq!((d.added, d.removed), (1, 1));
        assert_eq!(d.parts.len(), 2);
        assert_eq!(d.parts[0].unchanged, 2);
        assert_eq!(
            d.parts[0].runs,
            vec![
                run("same", "Review"),
                run("removed", "yearly"),
                run("added", "quarterly"),
                run("same", "by the lead."),
            ]
        );
        assert_eq!(
            d.parts[1],
            Part {
                runs: Vec::new(),
                unchanged: 1
            }
        );
    }

    #[test]
    fn escaped_text_stays_escaped_and_tags_are_not_words() {
        let d = compare(
            "<p>a &lt;b&gt;</p>",
            "<p>a &lt;b&gt; <a href=\"x.html\">c&amp;d</a></p>",
        )
        .expect("changed");
        assert_eq!(
            d.parts[0].runs,
            vec![run("same", "a &lt;b&gt;"), run("added", "c&amp;d")]
        );
    }

    #[test]
    fn a_new_block_is_added_whole() {
        let d = compare("<p>a</p>", "<p>a</p><ul><li>b c</li></ul>").expect("changed");
        assert_eq!(d.parts[0].runs, vec![run("added", "b c")]);
        assert_eq!(d.parts[0].unchanged, 1);
        assert_eq!(d.added, 2);
    }
}
