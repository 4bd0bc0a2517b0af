//! The Annex A catalogue of ISO/IEC 27001:2022, built into the binary, and the
//! ISO/IEC 27001:2013 correspondence used to suggest replacements for old ids.

use std::fmt;

use serde::Serialize;

pub use super::annex_a::CONTROLS;
pub use super::mapping_2013::MAPPING_2013;

/// The four themes Annex A groups its controls into.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    Organizational,
    People,
    Physical,
    Technological,
}

impl Theme {
    pub const ALL: [Theme; 4] = [
        Theme::Organizational,
        Theme::People,
        Theme::Physical,
        Theme::Technological,
    ];

    /// The lowercase name used in exports (`organizational`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Theme::Organizational => "organizational",
            Theme::People => "people",
            Theme::Physical => "physical",
            Theme::Technological => "technological",
        }
    }

    /// A heading for people ("Organizational controls").
    pub fn label(self) -> &'static str {
        match self {
            Theme::Organizational => "Organizational controls",
            Theme::People => "People controls",
            Theme::Physical => "Physical controls",
            Theme::Technological => "Technological controls",
        }
    }
}

impl fmt::Display for Theme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An Annex A control id such as `5.15`. Only ids in the catalogue can be
/// constructed outside this module, so holding one proves it exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ControlId {
    major: u8,
    minor: u8,
}

impl ControlId {
    /// Position in catalogue order (0..93), used for sorting.
    pub fn index(self) -> usize {
        let offset = match self.major {
            5 => 0,
            6 => 37,
            7 => 45,
            _ => 59,
        };
        offset + usize::from(self.minor) - 1
    }

    pub fn control(self) -> &'static Control {
        &CONTROLS[self.index()]
    }

    /// Parses `5.15` or `A.5.15`; `None` when the id is not in the catalogue.
    pub fn parse(text: &str) -> Option<ControlId> {
        let text = text.trim();
        let bare = text
            .strip_prefix("A.")
            .or_else(|| text.strip_prefix("a."))
            .unwrap_or(text);
        let (major, minor) = bare.split_once('.')?;
        if !is_digits(major) || !is_digits(minor) || minor.starts_with('0') {
            return None;
        }
        let id = ControlId {
            major: major.parse().ok()?,
            minor: minor.parse().ok()?,
        };
        let max = match id.major {
            5 => 37,
            6 => 8,
            7 => 14,
            8 => 34,
            _ => return None,
        };
        (id.minor >= 1 && id.minor <= max).then_some(id)
    }
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

impl fmt::Display for ControlId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

impl Serialize for ControlId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// One Annex A control: id, short title and theme.
#[derive(Debug)]
pub struct Control {
    pub id: ControlId,
    pub title: &'static str,
    pub theme: Theme,
}

impl Control {
    pub(crate) const fn new(major: u8, minor: u8, title: &'static str, theme: Theme) -> Self {
        Control {
            id: ControlId { major, minor },
            title,
            theme,
        }
    }
}

/// The 2022 controls an ISO/IEC 27001:2013 id maps to (`A.9.2.1` -> `5.16`,
/// `5.18`). Empty when `text` is not a 2013 id.
pub fn map_2013(text: &str) -> Vec<ControlId> {
    let text = text.trim();
    let wanted = if text.starts_with("A.") || text.starts_with("a.") {
        format!("A.{}", &text[2..])
    } else {
        format!("A.{text}")
    };
    MAPPING_2013
        .iter()
        .filter(|(old, _, _)| *old == wanted)
        .filter_map(|(_, _, new)| ControlId::parse(new))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_is_in_order_and_indexable() {
        for (i, c) in CONTROLS.iter().enumerate() {
            assert_eq!(c.id.index(), i, "{}", c.id);
            assert_eq!(ControlId::parse(&c.id.to_string()), Some(c.id));
        }
    }

    #[test]
    fn parses_prefixed_and_rejects_unknown() {
        assert_eq!(
            ControlId::parse("A.5.15").map(|c| c.to_string()),
            Some("5.15".into())
        );
        assert_eq!(ControlId::parse("5.38"), None);
        assert_eq!(ControlId::parse("8.35"), None);
        assert_eq!(ControlId::parse("9.1"), None);
        assert_eq!(ControlId::parse("5.01"), None);
        assert_eq!(ControlId::parse("A.9.2.1"), None);
    }

    #[test]
    fn maps_2013_ids() {
        let ids: Vec<String> = map_2013("A.9.2.1").iter().map(|c| c.to_string()).collect();
        assert_eq!(ids, vec!["5.16"]);
        let ids: Vec<String> = map_2013("A.18.2.3").iter().map(|c| c.to_string()).collect();
        assert_eq!(ids, vec!["5.36", "8.8"]);
        assert!(map_2013("A.99.1").is_empty());
    }
}
