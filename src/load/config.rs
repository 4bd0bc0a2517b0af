//! `isms.toml`: read with serde, unknown keys rejected with their line, then
//! turned into the typed `Config` the rest of the program uses.

use serde::Deserialize;

pub use crate::model::config::{ApprovalEvidence, Config, PeopleConfig, SiteConfig};

/// A problem in `isms.toml`, with the 1-based line it is on.
#[derive(Debug, Clone)]
pub struct ConfigError {
    pub line: Option<u32>,
    pub message: String,
    pub hint: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    organisation: RawOrganisation,
    #[serde(default)]
    audit: RawAudit,
    #[serde(default)]
    people: RawPeople,
    #[serde(default)]
    document_control: RawDocumentControl,
    #[serde(default)]
    site: RawSite,
    #[serde(default)]
    source: RawSource,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOrganisation {
    name: String,
    isms_lead: Option<String>,
    #[serde(default)]
    top_management: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawAudit {
    stage1: Option<toml::value::Datetime>,
    stage2: Option<toml::value::Datetime>,
    #[serde(default)]
    surveillance: Vec<toml::value::Datetime>,
    minor_nc_days: Option<u32>,
    cycle_months: Option<u32>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawPeople {
    roster: Option<String>,
    training_interval_months: Option<u32>,
    joiner_training_days: Option<u32>,
    leaver_access_days: Option<u32>,
    acknowledge_days: Option<u32>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawDocumentControl {
    review_interval_months: Option<u32>,
    require_distinct_approver: Option<bool>,
    approval_evidence: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawSite {
    title: Option<String>,
    staff_classifications: Option<Vec<String>>,
    logo: Option<String>,
    accent: Option<String>,
    theme: Option<String>,
    contact: Option<String>,
    incident_reporting: Option<String>,
    acknowledge_url: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawSource {
    #[serde(default)]
    exclude: Vec<String>,
}

/// Parses `isms.toml`. On error, returns every problem found (so far as TOML
/// parsing allows, which stops at the first).
pub fn parse_config(text: &str) -> Result<Config, Vec<ConfigError>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if let Some(line) = super::limits::scan_toml(text) {
        return Err(vec![ConfigError {
            line: Some(line),
            message: format!(
                "nesting deeper than {} levels of tables and arrays",
                super::limits::MAX_DEPTH
            ),
            hint: Some("isms.toml needs two levels at most: fix the brackets on this line".into()),
        }]);
    }
    let raw: RawConfig = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| line_of_offset(text, s.start));
        vec![ConfigError {
            line,
            message: e.message().trim().to_string(),
            hint: Some(
                "see the `isms.toml` section of the documentation for the accepted keys".into(),
            ),
        }]
    })?;
    let mut errors = Vec::new();
    let stage = |name: &str,
                 value: Option<toml::value::Datetime>,
                 errors: &mut Vec<ConfigError>| {
        let value = value?;
        match (value.date, value.time) {
            (Some(d), None) => {
                let date =
                    chrono::NaiveDate::from_ymd_opt(d.year.into(), d.month.into(), d.day.into())?;
                if super::limits::year_in_range(date) {
                    Some(date)
                } else {
                    errors.push(ConfigError {
                        line: find_key_line(text, name),
                        message: super::limits::year_message(
                            &format!("`{name}`"),
                            &value.to_string(),
                        ),
                        hint: None,
                    });
                    None
                }
            }
            _ => {
                errors.push(ConfigError {
                    line: find_key_line(text, name),
                    message: format!("`{name}` must be a date like 2027-03-02, not {value}"),
                    hint: None,
                });
                None
            }
        }
    };
    let stage1 = stage("stage1", raw.audit.stage1, &mut errors);
    let stage2 = stage("stage2", raw.audit.stage2, &mut errors);
    let surveillance: Vec<_> = raw
        .audit
        .surveillance
        .iter()
        .filter_map(|d| stage("surveillance", Some(*d), &mut errors))
        .collect();
    let defaults = Config::default();
    let staff_classifications = raw
        .site
        .staff_classifications
        .unwrap_or(defaults.site.staff_classifications);
    for c in &staff_classifications {
        if crate::model::document::Classification::parse(c).is_none() {
            errors.push(ConfigError {
                line: find_key_line(text, "staff_classifications"),
                message: format!("unknown classification `{c}` in `staff_classifications`"),
                hint: Some("use public, internal, confidential or restricted".into()),
            });
        }
    }
    if let Some(accent) = &raw.site.accent {
        if !is_safe_css_colour(accent) {
            errors.push(ConfigError {
                line: find_key_line(text, "accent"),
                message: format!("`accent` must be a CSS hex colour like #1d4f91, not `{accent}`"),
                hint: None,
            });
        }
    }
    if let Some(url) = &raw.site.acknowledge_url {
        if !is_acknowledge_url(url) {
            errors.push(ConfigError {
                line: find_key_line(text, "acknowledge_url"),
                message: format!(
                    "`acknowledge_url` must be an https:, http: or mailto: address without spaces or quotes, not `{url}`"
                ),
                hint: Some("for example \"https://forms.northwind.example/read\"".into()),
            });
        }
    }
    for glob in &raw.source.exclude {
        if let Err(e) = globset::Glob::new(glob) {
            errors.push(ConfigError {
                line: find_key_line(text, "exclude"),
                message: format!("invalid glob `{glob}` in `exclude`: {e}"),
                hint: None,
            });
        }
    }
    if raw.document_control.review_interval_months == Some(0) {
        errors.push(ConfigError {
            line: find_key_line(text, "review_interval_months"),
            message: "`review_interval_months` must be at least 1".into(),
            hint: None,
        });
    }
    let approval_evidence = match raw.document_control.approval_evidence.as_deref() {
        None => ApprovalEvidence::default(),
        Some(value) => ApprovalEvidence::parse(value).unwrap_or_else(|| {
            errors.push(ConfigError {
                line: find_key_line(text, "approval_evidence"),
                message: format!(
                    "`approval_evidence` must be front-matter, commit, trailer or signed, not `{value}`"
                ),
                hint: None,
            });
            ApprovalEvidence::default()
        }),
    };
    if raw.people.training_interval_months == Some(0) {
        errors.push(ConfigError {
            line: find_key_line(text, "training_interval_months"),
            message: "`training_interval_months` must be at least 1".into(),
            hint: None,
        });
    }
    let people = PeopleConfig {
        training_interval_months: raw
            .people
            .training_interval_months
            .unwrap_or(defaults.people.training_interval_months),
        joiner_training_days: raw
            .people
            .joiner_training_days
            .unwrap_or(defaults.people.joiner_training_days),
        leaver_access_days: raw
            .people
            .leaver_access_days
            .unwrap_or(defaults.people.leaver_access_days),
        acknowledge_days: raw
            .people
            .acknowledge_days
            .unwrap_or(defaults.people.acknowledge_days),
    };
    for (key, value) in [
        ("minor_nc_days", raw.audit.minor_nc_days),
        ("cycle_months", raw.audit.cycle_months),
    ] {
        if value == Some(0) {
            errors.push(ConfigError {
                line: find_key_line(text, key),
                message: format!("`{key}` must be at least 1"),
                hint: None,
            });
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Config {
        organisation: raw.organisation.name,
        isms_lead: raw.organisation.isms_lead,
        top_management: raw.organisation.top_management,
        stage1,
        stage2,
        surveillance,
        minor_nc_days: raw.audit.minor_nc_days.unwrap_or(defaults.minor_nc_days),
        cycle_months: raw.audit.cycle_months.unwrap_or(defaults.cycle_months),
        roster: raw.people.roster,
        people,
        review_interval_months: raw
            .document_control
            .review_interval_months
            .unwrap_or(defaults.review_interval_months),
        require_distinct_approver: raw
            .document_control
            .require_distinct_approver
            .unwrap_or(defaults.require_distinct_approver),
        approval_evidence,
        site: SiteConfig {
            title: raw.site.title,
            staff_classifications,
            logo: raw.site.logo,
            accent: raw.site.accent,
            theme: raw.site.theme,
            contact: raw.site.contact,
            incident_reporting: raw.site.incident_reporting,
            acknowledge_url: raw.site.acknowledge_url,
        },
        exclude: raw.source.exclude,
    })
}

/// Hex colours only: the value is written into a style attribute.
fn is_safe_css_colour(s: &str) -> bool {
    let Some(hex) = s.strip_prefix('#') else {
        return false;
    };
    matches!(hex.len(), 3 | 6) && hex.bytes().all(|b| b.is_ascii_hexdigit())
}

fn line_of_offset(text: &str, offset: usize) -> u32 {
    let upto = &text.as_bytes()[..offset.min(text.len())];
    (upto.iter().filter(|&&b| b == b'\n').count() + 1) as u32
}

/// The 1-based line of `key = ...` in `isms.toml` text.
pub fn key_line(text: &str, key: &str) -> Option<u32> {
    find_key_line(text, key)
}

/// A link staff can follow to confirm they read a document: a web or mail
/// address, nothing a browser would run or misread.
fn is_acknowledge_url(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    ["https://", "http://", "mailto:"]
        .iter()
        .any(|scheme| lower.starts_with(scheme) && lower.len() > scheme.len())
        && !url.chars().any(|c| {
            c.is_whitespace() || c.is_control() || matches!(c, '"' | '\'' | '<' | '>' | '`')
        })
}

fn find_key_line(text: &str, key: &str) -> Option<u32> {
    text.lines()
        .position(|l| {
            let l = l.trim_start();
            l.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
        .map(|i| i as u32 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_apply() {
        let c = parse_config("[organisation]\nname = \"A\"\n").expect("config");
        assert_eq!(c.review_interval_months, 12);
        assert!(c.require_distinct_approver);
        assert_eq!(c.site.staff_classifications, vec!["public", "internal"]);
        assert_eq!(c.people, PeopleConfig::default());
        assert_eq!(c.people.training_interval_months, 12);
        assert_eq!(c.people.joiner_training_days, 30);
        assert_eq!(c.people.leaver_access_days, 1);
        assert_eq!(c.people.acknowledge_days, 30);
    }

    #[test]
    fn people_windows_are_read() {
        let c = parse_config(
            "[organisation]\nname = \"A\"\n[people]\ntraining_interval_months = 24\n\
             joiner_training_days = 14\nleaver_access_days = 0\nacknowledge_days = 10\n",
        )
        .expect("config");
        assert_eq!(
            c.people,
            PeopleConfig {
                training_interval_months: 24,
                joiner_training_days: 14,
                leaver_access_days: 0,
                acknowledge_days: 10,
            }
        );
        let err =
            parse_config("[organisation]\nname = \"A\"\n[people]\ntraining_interval_months = 0\n")
                .expect_err("zero interval");
        assert_eq!(err[0].line, Some(4));
        let err = parse_config("[organisation]\nname = \"A\"\n[people]\nleaver_days = 1\n")
            .expect_err("unknown key");
        assert_eq!(err[0].line, Some(4));
    }

    #[test]
    fn unknown_key_has_its_line() {
        let err = parse_config("[organisation]\nname = \"A\"\n\n[audit]\nstage3 = 2027-01-01\n")
            .expect_err("unknown key");
        assert_eq!(err[0].line, Some(5));
        assert!(err[0].message.contains("stage3"), "{}", err[0].message);
    }

    #[test]
    fn stages_are_dates() {
        let c = parse_config("[organisation]\nname = \"A\"\n[audit]\nstage2 = 2027-03-02\n")
            .expect("config");
        assert_eq!(c.stage2.map(|d| d.to_string()), Some("2027-03-02".into()));
        let err =
            parse_config("[organisation]\nname = \"A\"\n[audit]\nstage2 = 2027-03-02T10:00:00\n")
                .expect_err("datetime");
        assert_eq!(err[0].line, Some(4));
    }

    #[test]
    fn certification_cycle_keys() {
        let c = parse_config("[organisation]\nname = \"A\"\n").expect("config");
        assert_eq!((c.minor_nc_days, c.cycle_months), (90, 12));
        assert!(c.surveillance.is_empty());
        let c = parse_config(
            "[organisation]\nname = \"A\"\n[audit]\nsurveillance = [2028-02-15, 2029-02-14]\nminor_nc_days = 30\ncycle_months = 6\n",
        )
        .expect("config");
        let dates: Vec<String> = c.surveillance.iter().map(|d| d.to_string()).collect();
        assert_eq!(dates, ["2028-02-15", "2029-02-14"]);
        assert_eq!((c.minor_nc_days, c.cycle_months), (30, 6));
        let err = parse_config(
            "[organisation]\nname = \"A\"\n[audit]\nsurveillance = [2028-02-15T10:00:00]\ncycle_months = 0\n",
        )
        .expect_err("bad values");
        assert_eq!(err.len(), 2);
        assert_eq!(err[0].line, Some(4));
        assert_eq!(err[1].line, Some(5));
        let err = parse_config("[organisation]\nname = \"A\"\n[audit]\nminor_nc = 30\n")
            .expect_err("unknown key");
        assert_eq!(err[0].line, Some(4));
    }
}
