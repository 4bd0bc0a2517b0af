//! Small typed values parsed once from front matter: document ids, clause ids,
//! dates, intervals, and `Spanned<T>` which remembers the source line.

use std::fmt;

use chrono::{Datelike, Months, NaiveDate};
use serde::Serialize;

/// A calendar date (`YYYY-MM-DD`), the only date type the model uses.
pub type Date = NaiveDate;

/// Parses a strict `YYYY-MM-DD` date.
pub fn parse_date(text: &str) -> Option<Date> {
    let t = text.trim();
    if t.len() != 10 || t.as_bytes()[4] != b'-' || t.as_bytes()[7] != b'-' {
        return None;
    }
    NaiveDate::parse_from_str(t, "%Y-%m-%d").ok()
}

/// Adds months, clamping to the end of the month (31 January + 1 month is the
/// last day of February), as the contract requires.
pub fn add_months(date: Date, months: u32) -> Date {
    date.checked_add_months(Months::new(months))
        .unwrap_or(NaiveDate::MAX)
}

/// Whole days from `earlier` to `later` (negative when reversed).
pub fn days_between(earlier: Date, later: Date) -> i64 {
    (later - earlier).num_days()
}

/// Formats a date as `YYYY-MM-DD`.
pub fn fmt_date(date: Date) -> String {
    format!("{:04}-{:02}-{:02}", date.year(), date.month(), date.day())
}

/// A value with the 1-based line of the file it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spanned<T> {
    pub value: T,
    pub line: u32,
}

impl<T> Spanned<T> {
    pub fn new(value: T, line: u32) -> Self {
        Spanned { value, line }
    }
}

impl<T> std::ops::Deref for Spanned<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

/// A document id: `[A-Z0-9][A-Z0-9._-]*`, e.g. `POL-AC`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct DocId(String);

impl DocId {
    pub fn parse(text: &str) -> Option<DocId> {
        let mut bytes = text.bytes();
        let first = bytes.next()?;
        let ok_first = first.is_ascii_uppercase() || first.is_ascii_digit();
        let ok_rest = bytes.all(|b| {
            b.is_ascii_uppercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-')
        });
        (ok_first && ok_rest).then(|| DocId(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DocId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A clause of ISO/IEC 27001:2022 such as `6.1.2`, kept as its numeric parts.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClauseId(Vec<u8>);

impl ClauseId {
    /// Parses a dotted clause number that exists in clauses 4-10.
    pub fn parse(text: &str) -> Option<ClauseId> {
        let parts: Option<Vec<u8>> = text.trim().split('.').map(|p| p.parse().ok()).collect();
        let id = ClauseId(parts?);
        super::clauses::title(&id).map(|_| id)
    }

    /// Whether a document listing `self` meets a requirement for `required`:
    /// `9.2.2` meets `9.2`, but `9` does not meet `9.1`.
    pub fn meets(&self, required: &ClauseId) -> bool {
        self.0.starts_with(&required.0)
    }

    pub fn parts(&self) -> &[u8] {
        &self.0
    }

    pub(crate) fn from_parts(parts: &[u8]) -> ClauseId {
        ClauseId(parts.to_vec())
    }
}

impl fmt::Display for ClauseId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

impl Serialize for ClauseId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// How often a recurring activity must happen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Interval {
    Days(u32),
    Weeks(u32),
    Months(u32),
    Years(u32),
}

impl Interval {
    /// `N days/weeks/months/years`, `monthly`, `quarterly`, `annually`, `yearly`.
    pub fn parse(text: &str) -> Option<Interval> {
        let t = text.trim().to_ascii_lowercase();
        match t.as_str() {
            "daily" => return Some(Interval::Days(1)),
            "weekly" => return Some(Interval::Weeks(1)),
            "monthly" => return Some(Interval::Months(1)),
            "quarterly" => return Some(Interval::Months(3)),
            "annually" | "yearly" => return Some(Interval::Years(1)),
            _ => {}
        }
        let mut words = t.split_whitespace();
        let n: u32 = words.next()?.parse().ok()?;
        let unit = words.next()?;
        if words.next().is_some() || n == 0 {
            return None;
        }
        match unit.trim_end_matches('s') {
            "day" => Some(Interval::Days(n)),
            "week" => Some(Interval::Weeks(n)),
            "month" => Some(Interval::Months(n)),
            "year" => Some(Interval::Years(n)),
            _ => None,
        }
    }

    /// The earliest date that is still within the interval before `date`.
    pub fn before(self, date: Date) -> Date {
        let back = match self {
            Interval::Days(n) => date.checked_sub_signed(chrono::Duration::days(n.into())),
            Interval::Weeks(n) => date.checked_sub_signed(chrono::Duration::weeks(n.into())),
            Interval::Months(n) => date.checked_sub_months(Months::new(n)),
            Interval::Years(n) => date.checked_sub_months(Months::new(n.saturating_mul(12))),
        };
        back.unwrap_or(NaiveDate::MIN)
    }
}

impl fmt::Display for Interval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (n, unit) = match *self {
            Interval::Days(n) => (n, "day"),
            Interval::Weeks(n) => (n, "week"),
            Interval::Months(n) => (n, "month"),
            Interval::Years(n) => (n, "year"),
        };
        write!(f, "{n} {unit}{}", if n == 1 { "" } else { "s" })
    }
}

/// Normalises a person's name or role for comparison: case and accents ignored,
/// inner whitespace collapsed.
pub fn name_key(name: &str) -> String {
    if name.is_ascii() {
        ascii_name_key(name)
    } else {
        any_name_key(name)
    }
}

/// [`name_key`] of any text.
fn any_name_key(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for word in name.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        for c in word.chars().flat_map(char::to_lowercase) {
            out.push(fold_accent(c));
        }
    }
    out
}

/// [`name_key`] of an ASCII name, byte by byte: names are compared for
/// every document by several rules, and most are ASCII.
fn ascii_name_key(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut gap = false;
    for b in name.bytes() {
        // The same whitespace as `split_whitespace` (vertical tab included).
        if char::from(b).is_whitespace() {
            gap = true;
            continue;
        }
        if gap && !out.is_empty() {
            out.push(' ');
        }
        gap = false;
        out.push(char::from(b.to_ascii_lowercase()));
    }
    out
}

/// Maps common Latin letters with diacritics to their base letter.
fn fold_accent(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => 'a',
        'ç' | 'ć' | 'č' | 'ĉ' | 'ċ' => 'c',
        'ď' | 'đ' => 'd',
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => 'e',
        'ğ' | 'ĝ' | 'ġ' | 'ģ' => 'g',
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' => 'i',
        'ñ' | 'ń' | 'ň' | 'ņ' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => 'o',
        'ŕ' | 'ř' => 'r',
        'ś' | 'š' | 'ş' | 'ș' => 's',
        'ť' | 'ţ' | 'ț' => 't',
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' | 'ų' => 'u',
        'ý' | 'ÿ' => 'y',
        'ź' | 'ż' | 'ž' => 'z',
        'ł' => 'l',
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        parse_date(s).expect("date")
    }

    #[test]
    fn months_clamp_to_month_end() {
        assert_eq!(add_months(d("2027-01-31"), 1), d("2027-02-28"));
        assert_eq!(add_months(d("2028-01-31"), 1), d("2028-02-29"));
        assert_eq!(add_months(d("2026-03-15"), 12), d("2027-03-15"));
    }

    #[test]
    fn strict_dates() {
        assert!(parse_date("2026-02-30").is_none());
        assert!(parse_date("2026-2-3").is_none());
        assert!(parse_date("2026-02-03").is_some());
    }

    #[test]
    fn doc_ids() {
        assert!(DocId::parse("POL-AC").is_some());
        assert!(DocId::parse("9.A_b").is_none());
        assert!(DocId::parse("-X").is_none());
        assert!(DocId::parse("").is_none());
    }

    #[test]
    fn clause_meets_subclauses_only() {
        let c = |s| ClauseId::parse(s).expect("clause");
        assert!(c("9.2.2").meets(&c("9.2")));
        assert!(!c("9").meets(&c("9.1")));
        assert!(ClauseId::parse("11").is_none());
        assert!(ClauseId::parse("6.1.3").is_some());
    }

    #[test]
    fn intervals() {
        assert_eq!(Interval::parse("quarterly"), Some(Interval::Months(3)));
        assert_eq!(Interval::parse("2 weeks"), Some(Interval::Weeks(2)));
        assert_eq!(Interval::parse("1 year"), Some(Interval::Years(1)));
        assert_eq!(Interval::parse("every so often"), None);
        assert_eq!(Interval::Months(3).before(d("2027-05-31")), d("2027-02-28"));
    }

    #[test]
    fn names_ignore_case_and_accents() {
        assert_eq!(name_key("José  Álvarez"), name_key("jose alvarez"));
        assert_eq!(name_key("  Head\x0bof \t IT \r\n"), "head of it");
    }

    proptest::proptest! {
        #[test]
        fn the_ascii_name_key_is_the_general_one(name in "[ -~\t\n\x0b\x0c\r\x00-\x1f]{0,24}") {
            proptest::prop_assert_eq!(ascii_name_key(&name), any_name_key(&name));
        }
    }
}
