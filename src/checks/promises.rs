//! RD021: a body promises a recurring activity in words ("access is reviewed
//! quarterly") that the document does not declare in `recurring:`, so no
//! rule can ask for its records (RD008) and the auditor will.
//!
//! The phrase list and its intervals are the contract's (section 5.5,
//! "Promises"): matched case-insensitively on word boundaries, outside
//! fenced code, each place counted once as the longest phrase there. A
//! phrase is covered by a `recurring:` entry of the same interval (a week is
//! 7 days, a quarter 3 months, a year 12 months), or, on a line that speaks
//! of review, by the document's own review interval, which DC007 judges.

use std::sync::OnceLock;

use aho_corasick::AhoCorasick;

use super::Context;
use crate::diagnostics::finding::Finding;
use crate::diagnostics::rules;
use crate::model::document::Document;
use crate::model::ids::{add_months, Date, Interval};

/// An interval in the units the contract compares: days or months.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Span {
    Days(u32),
    Months(u32),
}

impl From<Interval> for Span {
    fn from(interval: Interval) -> Span {
        match interval {
            Interval::Days(n) => Span::Days(n),
            Interval::Weeks(n) => Span::Days(n.saturating_mul(7)),
            Interval::Months(n) => Span::Months(n),
            Interval::Years(n) => Span::Months(n.saturating_mul(12)),
        }
    }
}

impl std::fmt::Display for Span {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (n, unit) = match *self {
            Span::Days(n) if n % 7 == 0 => (n / 7, "week"),
            Span::Days(n) => (n, "day"),
            Span::Months(n) if n % 12 == 0 => (n / 12, "year"),
            Span::Months(n) => (n, "month"),
        };
        write!(f, "{n} {unit}{}", if n == 1 { "" } else { "s" })
    }
}

/// The fixed phrases, as words, with their intervals.
const PHRASES: &[(&[&str], Span)] = &[
    (&["daily"], Span::Days(1)),
    (&["weekly"], Span::Days(7)),
    (&["every", "week"], Span::Days(7)),
    (&["monthly"], Span::Months(1)),
    (&["every", "month"], Span::Months(1)),
    (&["each", "month"], Span::Months(1)),
    (&["quarterly"], Span::Months(3)),
    (&["every", "quarter"], Span::Months(3)),
    (&["each", "quarter"], Span::Months(3)),
    (&["twice", "a", "year"], Span::Months(6)),
    (&["every", "six", "months"], Span::Months(6)),
    (&["every", "6", "months"], Span::Months(6)),
    (&["half-yearly"], Span::Months(6)),
    (&["semi-annually"], Span::Months(6)),
    (&["annually"], Span::Months(12)),
    (&["yearly"], Span::Months(12)),
    (&["once", "a", "year"], Span::Months(12)),
    (&["every", "year"], Span::Months(12)),
    (&["each", "year"], Span::Months(12)),
    (&["fortnightly"], Span::Days(14)),
    (&["bi-weekly"], Span::Days(14)),
    (&["biweekly"], Span::Days(14)),
];

const NUMBER_WORDS: [&str; 12] = [
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
    "twelve",
];

/// One promise found in a line: the phrase as written and its interval.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Promise {
    pub phrase: String,
    pub span: Span,
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Matches `word` (lowercase) at `chars[at..]` (lowercased); returns the end.
fn word_at(chars: &[char], at: usize, word: &str) -> Option<usize> {
    let mut i = at;
    for w in word.chars() {
        if chars.get(i) != Some(&w) {
            return None;
        }
        i += 1;
    }
    Some(i)
}

fn skip_spaces(chars: &[char], mut at: usize) -> Option<usize> {
    let start = at;
    while chars.get(at).is_some_and(|c| c.is_whitespace()) {
        at += 1;
    }
    (at > start).then_some(at)
}

/// Matches a sequence of words separated by whitespace, ending on a word
/// boundary; returns the end.
fn words_at(chars: &[char], at: usize, words: &[&str]) -> Option<usize> {
    let mut i = at;
    for (n, w) in words.iter().enumerate() {
        if n > 0 {
            i = skip_spaces(chars, i)?;
        }
        i = word_at(chars, i, w)?;
    }
    (!chars.get(i).copied().is_some_and(is_word)).then_some(i)
}

/// `every N days/weeks/months/years`, N in digits or one to twelve.
fn every_n_at(chars: &[char], at: usize) -> Option<(usize, Span)> {
    let i = word_at(chars, at, "every")?;
    let i = skip_spaces(chars, i)?;
    let digits: String = chars[i..]
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    let (n, i) = if !digits.is_empty() {
        (digits.parse::<u32>().ok()?, i + digits.chars().count())
    } else {
        NUMBER_WORDS.iter().enumerate().find_map(|(k, w)| {
            let end = word_at(chars, i, w)?;
            (!chars.get(end).copied().is_some_and(is_word)).then_some((k as u32 + 1, end))
        })?
    };
    if n == 0 {
        return None;
    }
    let i = skip_spaces(chars, i)?;
    for (unit, make) in [
        ("days", Span::Days as fn(u32) -> Span),
        ("day", Span::Days),
        ("weeks", |n: u32| Span::Days(n.saturating_mul(7))),
        ("week", |n: u32| Span::Days(n.saturating_mul(7))),
        ("months", Span::Months),
        ("month", Span::Months),
        ("years", |n: u32| Span::Months(n.saturating_mul(12))),
        ("year", |n: u32| Span::Months(n.saturating_mul(12))),
    ] {
        if let Some(end) = word_at(chars, i, unit) {
            if !chars.get(end).copied().is_some_and(is_word) {
                return Some((end, make(n)));
            }
        }
    }
    None
}

/// Whether `line` may hold a promise: every promise starts with a phrase's
/// first word or `every`, compared as [`scan`] compares (each character
/// lowercased on its own). Most lines hold none, and this one pass over the
/// line is far cheaper than trying every phrase at every word.
fn may_promise(line: &str) -> bool {
    static STARTS: OnceLock<Option<AhoCorasick>> = OnceLock::new();
    let starts = STARTS.get_or_init(|| {
        let words = PHRASES
            .iter()
            .filter_map(|(w, _)| w.first())
            .chain(&["every"]);
        AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(words)
            .ok()
    });
    let Some(starts) = starts else {
        return true;
    };
    if line.is_ascii() {
        starts.is_match(line)
    } else {
        let lowered: String = line
            .chars()
            .map(|c| c.to_lowercase().next().unwrap_or(c))
            .collect();
        starts.is_match(&lowered)
    }
}

/// Every promise in one line, left to right, each place counted once as the
/// longest phrase that matches there.
pub fn promises_in(line: &str) -> Vec<Promise> {
    if may_promise(line) {
        scan(line)
    } else {
        Vec::new()
    }
}

/// [`promises_in`], trying every phrase at every word.
fn scan(line: &str) -> Vec<Promise> {
    let original: Vec<char> = line.chars().collect();
    // Lowercase char by char, so positions stay aligned with the original.
    let chars: Vec<char> = original
        .iter()
        .map(|c| c.to_lowercase().next().unwrap_or(*c))
        .collect();
    let mut found = Vec::new();
    let mut at = 0;
    while at < chars.len() {
        let boundary = at == 0 || !is_word(chars[at - 1]);
        if boundary && is_word(chars[at]) {
            let mut best: Option<(usize, Span)> = every_n_at(&chars, at);
            for (words, span) in PHRASES {
                if let Some(end) = words_at(&chars, at, words) {
                    if best.is_none_or(|(e, _)| end > e) {
                        best = Some((end, *span));
                    }
                }
            }
            if let Some((end, span)) = best {
                found.push(Promise {
                    phrase: original[at..end].iter().collect(),
                    span,
                });
                at = end;
                continue;
            }
        }
        at += 1;
    }
    found
}

/// Whether a line speaks of review: a word starting with "review".
fn mentions_review(line: &str) -> bool {
    let lower = line.to_lowercase();
    lower
        .match_indices("review")
        .any(|(i, _)| lower[..i].chars().next_back().is_none_or(|c| !is_word(c)))
}

/// Whole months from `from` to `to`: the largest n with from + n months <= to.
fn whole_months(from: Date, to: Date) -> u32 {
    use chrono::Datelike;
    if to < from {
        return 0;
    }
    let rough = (to.year() - from.year()) * 12 + to.month() as i32 - from.month() as i32;
    let mut n = rough.max(0) as u32;
    while n > 0 && add_months(from, n) > to {
        n -= 1;
    }
    n
}

/// The document's own review interval: the whole months from `approved_on`
/// to `next_review` when both are written, else the configured interval.
fn own_review(ctx: &Context, doc: &Document) -> Span {
    match (&doc.approved_on, &doc.next_review) {
        (Some(on), Some(next)) => Span::Months(whole_months(on.value, next.value)),
        _ => Span::Months(ctx.isms.config.review_interval_months),
    }
}

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for doc in ctx.isms.documents.iter().map(|d| &**d) {
        if !doc.is_approved() || doc.is_record() {
            continue;
        }
        let declared: Vec<Span> = doc.recurring.iter().map(|r| Span::from(r.every)).collect();
        let review = own_review(ctx, doc);
        let mut fence: Option<(char, usize)> = None;
        for (n, line) in doc.body.lines().enumerate() {
            let trimmed = line.trim_start();
            let marker = trimmed.chars().next().filter(|c| *c == '`' || *c == '~');
            if let Some(c) = marker {
                let run = trimmed.chars().take_while(|x| *x == c).count();
                if run >= 3 {
                    match fence {
                        None => {
                            fence = Some((c, run));
                            continue;
                        }
                        Some((open, len)) if open == c && run >= len => {
                            fence = None;
                            continue;
                        }
                        Some(_) => {}
                    }
                }
            }
            if fence.is_some() {
                continue;
            }
            let promises = promises_in(line);
            if promises.is_empty() {
                continue;
            }
            let review_line = mentions_review(line);
            let covered =
                |p: &Promise| declared.contains(&p.span) || (review_line && p.span == review);
            let uncovered = promises.into_iter().find(|p| !covered(p));
            let Some(promise) = uncovered else {
                continue;
            };
            let id = doc.id.as_str();
            out.push(
                Finding::new(
                    &rules::RD021,
                    format!(
                        "{id} promises an activity \"{}\" (every {}) that `recurring:` does not declare",
                        promise.phrase, promise.span
                    ),
                )
                .at(&doc.path, doc.body_line + n as u32)
                .document(id)
                .hint(format!(
                    "declare it, e.g. `recurring: [{{record: <record kind>, every: \"{}\"}}]`, and keep records of it; or reword the sentence if nobody does it at that interval",
                    promise.span
                )),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::codes;
    use crate::model::document::{DocType, Recurring};
    use crate::model::ids::Spanned;
    use crate::model::testing::*;

    fn phrases(line: &str) -> Vec<(String, Span)> {
        promises_in(line)
            .into_iter()
            .map(|p| (p.phrase, p.span))
            .collect()
    }

    #[test]
    fn every_listed_phrase_with_its_interval() {
        let cases = [
            ("Backups run daily.", Span::Days(1)),
            ("Logs are checked Weekly.", Span::Days(7)),
            ("We meet every week.", Span::Days(7)),
            ("A monthly report.", Span::Months(1)),
            ("Checked every month.", Span::Months(1)),
            ("Checked each month.", Span::Months(1)),
            ("Access is reviewed quarterly.", Span::Months(3)),
            ("Once every quarter.", Span::Months(3)),
            ("Once each quarter.", Span::Months(3)),
            ("Tested twice a year.", Span::Months(6)),
            ("Tested every six months.", Span::Months(6)),
            ("Tested every 6 months.", Span::Months(6)),
            ("A half-yearly test.", Span::Months(6)),
            ("Tested semi-annually.", Span::Months(6)),
            ("Renewed annually.", Span::Months(12)),
            ("Renewed yearly.", Span::Months(12)),
            ("Renewed once a year.", Span::Months(12)),
            ("Renewed every year.", Span::Months(12)),
            ("Renewed each year.", Span::Months(12)),
            ("A fortnightly stand-up.", Span::Days(14)),
            ("A bi-weekly scan.", Span::Days(14)),
            ("A biweekly scan.", Span::Days(14)),
            ("Every 10 days.", Span::Days(10)),
            ("every three weeks", Span::Days(21)),
            ("every twelve months", Span::Months(12)),
            ("every 2 years", Span::Months(24)),
        ];
        for (line, span) in cases {
            let got = phrases(line);
            assert_eq!(got.len(), 1, "{line}: {got:?}");
            assert_eq!(got[0].1, span, "{line}");
        }
    }

    #[test]
    fn the_quick_test_passes_every_line_a_scan_finds_promises_in() {
        for line in [
            "Backups run DAILY and are checked Every Six Months.",
            "Backups run DA\u{130}LY.",
            "every 3 weeks, \u{c9}ach quarter, each quarter",
            "Reviewed BI-WEEKLY; Semi-Annually; Once A Year.",
            "\u{212a}eys are rotated every 12 months by \u{e9}quipe.",
            "Nothing recurs here.",
            "",
        ] {
            assert_eq!(promises_in(line), scan(line), "{line}");
        }
        assert_eq!(
            phrases("Backups run DA\u{130}LY."),
            [("DA\u{130}LY".to_string(), Span::Days(1))]
        );
        assert!(!may_promise("Nothing recurs here."));
    }

    #[test]
    fn the_longest_phrase_counts_once_on_word_boundaries() {
        assert_eq!(
            phrases("Reviewed semi-annually."),
            vec![("semi-annually".to_string(), Span::Months(6))]
        );
        assert_eq!(
            phrases("Every Six Months we test"),
            vec![("Every Six Months".to_string(), Span::Months(6))]
        );
        assert!(phrases("dailyness, biannually, weeklyish, every thirteen months").is_empty());
        assert_eq!(phrases("daily and weekly").len(), 2);
    }

    fn policy(body: &str) -> crate::model::document::Document {
        let mut p = doc("PRO-AR", DocType::Procedure);
        p.body = body.to_string();
        p.body_line = 15;
        p
    }

    fn run(docs: Vec<crate::model::document::Document>) -> Vec<Finding> {
        let i = isms(docs, None);
        let mut out = Vec::new();
        check(
            &Context {
                isms: &i,
                as_of: d("2027-01-01"),
            },
            &mut out,
        );
        out
    }

    #[test]
    fn an_undeclared_promise_is_found_at_its_line() {
        let out = run(vec![policy(
            "# Access review\n\nAccess is reviewed quarterly and logged monthly.\n",
        )]);
        assert_eq!(codes(&out), vec!["RD021"]);
        assert_eq!(out[0].path.as_deref(), Some("pro-ar.md"));
        assert_eq!(out[0].line, Some(17));
        assert!(
            out[0].message.contains("\"quarterly\""),
            "{}",
            out[0].message
        );
    }

    #[test]
    fn an_equivalent_recurring_interval_covers_the_promise() {
        let mut p = policy("Access is reviewed quarterly.\nScans run every week.\n");
        p.recurring = vec![
            Recurring {
                record: "access-review".into(),
                every: Interval::Months(3),
                line: 12,
            },
            Recurring {
                record: "vulnerability-scan".into(),
                every: Interval::Days(7),
                line: 12,
            },
        ];
        assert!(run(vec![p]).is_empty());
    }

    #[test]
    fn promises_in_fenced_code_and_in_drafts_are_quiet() {
        let body = "```\nrun daily\n~~~\nstill code, weekly\n```\n~~~~\nmonthly\n~~~~\n";
        assert!(run(vec![policy(body)]).is_empty());
        let mut draft = policy("Reviewed quarterly.");
        draft.status = Some(crate::model::document::Status::Draft);
        assert!(run(vec![draft]).is_empty());
        let mut r = record("REC-1", "access-review");
        r.body = "Done quarterly.".into();
        assert!(run(vec![r]).is_empty());
    }

    #[test]
    fn the_documents_own_review_is_not_a_promise() {
        // Approved 2026-06-01, reviewed every 12 months by default.
        assert!(run(vec![policy("This policy is reviewed annually.")]).is_empty());
        // Not a review line: still a promise.
        assert_eq!(
            codes(&run(vec![policy("Keys are rotated annually.")])),
            vec!["RD021"]
        );
        // A written next_review sets the interval: 6 whole months.
        let mut p = policy("We review this policy every six months.");
        p.next_review = Some(Spanned::new(d("2026-12-01"), 10));
        assert!(run(vec![p.clone()]).is_empty());
        p.body = "We review this policy annually.".into();
        assert_eq!(codes(&run(vec![p])), vec!["RD021"]);
    }

    #[test]
    fn whole_months_clamp_at_month_ends() {
        assert_eq!(whole_months(d("2026-01-31"), d("2026-02-28")), 1);
        assert_eq!(whole_months(d("2026-05-11"), d("2027-05-11")), 12);
        assert_eq!(whole_months(d("2026-05-11"), d("2027-05-10")), 11);
    }
}
