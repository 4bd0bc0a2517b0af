//! What a document's body promises in words ("access is reviewed
//! quarterly"): the contract's phrase list (section 5.5, "Promises") matched
//! case-insensitively on word boundaries, outside fenced code, each place
//! counted once as the longest phrase there.
//!
//! The scan depends on the body alone, so it runs once per parse, on all
//! cores while loading, and is kept with the document: `isms serve` scans
//! only the file that changed. RD021 (in `checks::promises`) judges which
//! promises `recurring:` leaves uncovered.

use std::sync::OnceLock;

use aho_corasick::AhoCorasick;

use crate::model::ids::Interval;

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

/// Finds the first words of every phrase (and `every`), ASCII letters
/// compared without case.
fn starts() -> Option<&'static AhoCorasick> {
    static STARTS: OnceLock<Option<AhoCorasick>> = OnceLock::new();
    STARTS
        .get_or_init(|| {
            let words = PHRASES
                .iter()
                .filter_map(|(w, _)| w.first())
                .chain(&["every"]);
            AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .build(words)
                .ok()
        })
        .as_ref()
}

/// Whether `line` may hold a promise: every promise starts with a phrase's
/// first word or `every`, compared as [`scan`] compares (each character
/// lowercased on its own).
#[cfg(test)]
fn may_promise(line: &str) -> bool {
    let Some(starts) = starts() else {
        return true;
    };
    starts.is_match(lowered(line).as_ref())
}

/// `line` with each character lowercased on its own (ASCII lines as they
/// are: the finder ignores ASCII case).
fn lowered(line: &str) -> std::borrow::Cow<'_, str> {
    if line.is_ascii() {
        std::borrow::Cow::Borrowed(line)
    } else {
        std::borrow::Cow::Owned(
            line.chars()
                .map(|c| c.to_lowercase().next().unwrap_or(c))
                .collect(),
        )
    }
}

/// Every promise in one line, left to right, each place counted once as the
/// longest phrase that matches there.
///
/// Most lines hold none: one pass of a finder for the phrases' first words
/// rules them out, and on an ASCII line (where a byte is a character) only
/// the places it found on a word boundary are tried.
pub fn promises_in(line: &str) -> Vec<Promise> {
    let Some(starts) = starts() else {
        return scan(line);
    };
    if !line.is_ascii() {
        return if starts.is_match(lowered(line).as_ref()) {
            scan(line)
        } else {
            Vec::new()
        };
    }
    let bytes = line.as_bytes();
    let mut places: Vec<usize> = starts
        .find_overlapping_iter(line)
        .map(|m| m.start())
        .filter(|&at| at == 0 || !is_word(char::from(bytes[at - 1])))
        .collect();
    if places.is_empty() {
        return Vec::new();
    }
    places.sort_unstable();
    places.dedup();
    scan_at(line, places.into_iter())
}

/// [`promises_in`], trying every phrase at every word.
fn scan(line: &str) -> Vec<Promise> {
    scan_at(line, 0..line.chars().count())
}

/// Tries every phrase at the character positions `places` (ascending),
/// skipping those inside a phrase already found.
fn scan_at(line: &str, places: impl Iterator<Item = usize>) -> Vec<Promise> {
    let original: Vec<char> = line.chars().collect();
    // Lowercase char by char, so positions stay aligned with the original.
    let chars: Vec<char> = original
        .iter()
        .map(|c| c.to_lowercase().next().unwrap_or(*c))
        .collect();
    let mut found = Vec::new();
    let mut next = 0;
    for at in places {
        if at < next || at >= chars.len() {
            continue;
        }
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
                next = end;
            }
        }
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

/// The promises of one body line, with what RD021 needs to judge them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PromiseLine {
    /// Line in the file.
    pub line: u32,
    /// Left to right; never empty.
    pub promises: Vec<Promise>,
    /// The line speaks of review (a word starting with "review").
    pub mentions_review: bool,
}

/// Every line of `body` (starting at file line `body_line`) that holds a
/// promise, skipping fenced code.
pub fn body_promises(body: &str, body_line: u32) -> Vec<PromiseLine> {
    let mut out = Vec::new();
    let mut fence: Option<(char, usize)> = None;
    for (n, line) in body.lines().enumerate() {
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
        out.push(PromiseLine {
            line: body_line + n as u32,
            promises,
            mentions_review: mentions_review(line),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

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

    proptest::proptest! {
        /// Trying only the places the finder names gives what trying every
        /// place gives, on lines built from phrase words, look-alikes and
        /// separators.
        #[test]
        fn the_finder_misses_no_promise(words in proptest::collection::vec(
            proptest::sample::select(vec![
                "every", "Every", "each", "once", "twice", "a", "year", "week", "month",
                "quarter", "six", "6", "12", "twelve", "months", "days", "weekly",
                "BI-WEEKLY", "semi-annually", "annually", "daily", "reach", "everyone",
                "x", "\u{c9}ach", "\u{130}", "-", ",", " ", "  ", "_",
            ]),
            0..12,
        )) {
            let line = words.concat();
            proptest::prop_assert_eq!(promises_in(&line), scan(&line), "{:?}", line);
            let spaced = words.join(" ");
            proptest::prop_assert_eq!(promises_in(&spaced), scan(&spaced), "{:?}", spaced);
        }
    }

    #[test]
    fn lines_in_fenced_code_hold_no_promises() {
        let body =
            "```\nrun daily\n~~~\nstill code, weekly\n```\n~~~~\nmonthly\n~~~~\nReviewed weekly.\n";
        let lines = body_promises(body, 10);
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert_eq!(lines[0].line, 18);
        assert!(lines[0].mentions_review);
    }
}
