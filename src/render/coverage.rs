//! SoA coverage by Annex A theme for the audit overview: how many controls of
//! each theme are implemented, partly implemented, planned, not implemented,
//! excluded, or missing from the SoA. The chart and the table beside it are
//! drawn by the theme's templates from these numbers, so both always agree.

use serde::Serialize;

use crate::model::catalogue::{Control, Theme};
use crate::model::document::{ImplementationStatus, SoaEntry};
use crate::model::Isms;

/// Where one control stands in the SoA. Every control is in exactly one
/// category, so each theme's counts add up to its size in the catalogue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Category {
    Implemented,
    Partial,
    Planned,
    NotImplemented,
    /// Applicable, but the SoA gives no implementation status.
    NoStatus,
    Excluded,
    NotAddressed,
}

impl Category {
    const ALL: [Category; 7] = [
        Category::Implemented,
        Category::Partial,
        Category::Planned,
        Category::NotImplemented,
        Category::NoStatus,
        Category::Excluded,
        Category::NotAddressed,
    ];

    fn of(entry: Option<&SoaEntry>) -> Category {
        match entry {
            None => Category::NotAddressed,
            Some(e) if !e.applicable => Category::Excluded,
            Some(e) => match e.status {
                Some(ImplementationStatus::Implemented) => Category::Implemented,
                Some(ImplementationStatus::Partial) => Category::Partial,
                Some(ImplementationStatus::Planned) => Category::Planned,
                Some(ImplementationStatus::NotImplemented) => Category::NotImplemented,
                None => Category::NoStatus,
            },
        }
    }

    /// Stable key, used by the theme for pattern and class names.
    fn key(self) -> &'static str {
        match self {
            Category::Implemented => "implemented",
            Category::Partial => "partial",
            Category::Planned => "planned",
            Category::NotImplemented => "not-implemented",
            Category::NoStatus => "no-status",
            Category::Excluded => "excluded",
            Category::NotAddressed => "not-addressed",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Category::Implemented => "Implemented",
            Category::Partial => "Partial",
            Category::Planned => "Planned",
            Category::NotImplemented => "Not implemented",
            Category::NoStatus => "Applicable, no status",
            Category::Excluded => "Excluded",
            Category::NotAddressed => "Not addressed",
        }
    }
}

#[derive(Debug, PartialEq, Eq, Serialize)]
pub(crate) struct CategoryInfo {
    key: &'static str,
    label: &'static str,
}

/// One category's count within a theme; `start` is the sum of the counts
/// before it, where the chart's segment begins.
#[derive(Debug, PartialEq, Eq, Serialize)]
pub(crate) struct Segment {
    key: &'static str,
    label: &'static str,
    count: usize,
    start: usize,
}

#[derive(Debug, PartialEq, Eq, Serialize)]
pub(crate) struct ThemeCoverage {
    /// `organizational`, ... or `all` for the totals.
    key: &'static str,
    label: &'static str,
    /// First and last control of the theme (`5.1`, `5.37`), if any.
    range: Option<(String, String)>,
    segments: Vec<Segment>,
    total: usize,
}

/// What the overview's chart and table show.
#[derive(Debug, PartialEq, Eq, Serialize)]
pub(crate) struct Coverage {
    /// The categories shown, in order; "Applicable, no status" only when
    /// some control is in it, so a tidy SoA gets a tidy chart.
    categories: Vec<CategoryInfo>,
    themes: Vec<ThemeCoverage>,
    /// Sums over all themes (93 controls).
    all: ThemeCoverage,
    /// The largest theme, which sets the chart's scale.
    max_total: usize,
}

/// Counts the SoA's controls per theme and category.
pub(crate) fn coverage(isms: &Isms) -> Coverage {
    let entries = super::soa::entries(isms);
    let shown: Vec<Category> = Category::ALL
        .into_iter()
        .filter(|&c| c != Category::NoStatus || entries.iter().any(|(_, e)| Category::of(*e) == c))
        .collect();
    let themes: Vec<ThemeCoverage> = Theme::ALL
        .iter()
        .map(|&theme| {
            let in_theme: Vec<&(&Control, Option<&SoaEntry>)> =
                entries.iter().filter(|(c, _)| c.theme == theme).collect();
            let range = in_theme
                .first()
                .zip(in_theme.last())
                .map(|((first, _), (last, _))| (first.id.to_string(), last.id.to_string()));
            let categories: Vec<Category> =
                in_theme.iter().map(|(_, e)| Category::of(*e)).collect();
            theme_coverage(theme.as_str(), theme.label(), range, &shown, &categories)
        })
        .collect();
    let everything: Vec<Category> = entries.iter().map(|(_, e)| Category::of(*e)).collect();
    let all = theme_coverage("all", "All themes", None, &shown, &everything);
    Coverage {
        categories: shown
            .iter()
            .map(|c| CategoryInfo {
                key: c.key(),
                label: c.label(),
            })
            .collect(),
        max_total: themes.iter().map(|t| t.total).max().unwrap_or(0),
        themes,
        all,
    }
}

fn theme_coverage(
    key: &'static str,
    label: &'static str,
    range: Option<(String, String)>,
    shown: &[Category],
    controls: &[Category],
) -> ThemeCoverage {
    let mut start = 0;
    let segments = shown
        .iter()
        .map(|&category| {
            let count = controls.iter().filter(|&&c| c == category).count();
            let segment = Segment {
                key: category.key(),
                label: category.label(),
                count,
                start,
            };
            start += count;
            segment
        })
        .collect();
    ThemeCoverage {
        key,
        label,
        range,
        segments,
        total: controls.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::catalogue::ControlId;
    use crate::model::document::{DocType, Soa};
    use crate::model::testing::{doc, isms};

    fn entry(control: &str, applicable: bool, status: Option<ImplementationStatus>) -> SoaEntry {
        SoaEntry {
            control: ControlId::parse(control).expect("control"),
            applicable,
            status,
            justification: None,
            line: 12,
        }
    }

    fn counts(t: &ThemeCoverage) -> Vec<(&str, usize)> {
        t.segments.iter().map(|s| (s.key, s.count)).collect()
    }

    #[test]
    fn counts_each_control_once_per_theme() {
        let mut soa = doc("SOA", DocType::Soa);
        soa.soa = Some(Soa {
            line: 11,
            entries: vec![
                entry("5.1", true, Some(ImplementationStatus::Implemented)),
                entry("5.2", true, Some(ImplementationStatus::Partial)),
                entry("5.3", true, Some(ImplementationStatus::Planned)),
                entry("6.1", true, Some(ImplementationStatus::NotImplemented)),
                entry("7.4", false, None),
                entry("8.1", true, None),
            ],
        });
        let c = coverage(&isms(vec![soa], None));
        let keys: Vec<&str> = c.categories.iter().map(|c| c.key).collect();
        assert_eq!(
            keys,
            [
                "implemented",
                "partial",
                "planned",
                "not-implemented",
                "no-status",
                "excluded",
                "not-addressed"
            ]
        );
        let org = &c.themes[0];
        assert_eq!(org.range, Some(("5.1".into(), "5.37".into())));
        assert_eq!(
            counts(org),
            [
                ("implemented", 1),
                ("partial", 1),
                ("planned", 1),
                ("not-implemented", 0),
                ("no-status", 0),
                ("excluded", 0),
                ("not-addressed", 34)
            ]
        );
        assert_eq!(org.segments[6].start, 3);
        let totals: Vec<usize> = c.themes.iter().map(|t| t.total).collect();
        assert_eq!(totals, [37, 8, 14, 34]);
        assert_eq!(c.max_total, 37);
        assert_eq!(c.all.total, 93);
        assert_eq!(
            counts(&c.all),
            [
                ("implemented", 1),
                ("partial", 1),
                ("planned", 1),
                ("not-implemented", 1),
                ("no-status", 1),
                ("excluded", 1),
                ("not-addressed", 87)
            ]
        );
    }

    #[test]
    fn without_an_soa_everything_is_not_addressed() {
        let c = coverage(&isms(Vec::new(), None));
        assert!(!c.categories.iter().any(|c| c.key == "no-status"));
        assert_eq!(c.all.total, 93);
        assert_eq!(c.all.segments.last().map(|s| s.count), Some(93));
    }
}
