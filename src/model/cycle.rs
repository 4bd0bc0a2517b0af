//! The certification cycle: Stage 2, then surveillance and recertification
//! audits. "The next audit" is the one every Stage 2 rule and the
//! preparation timeline are judged against (contract 5.1), so that the same
//! checks keep working after certification.

use super::config::Config;
use super::ids::{fmt_date, Date};

/// Which certification-body audit the next one is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuditKind {
    Stage2,
    /// A date from `[audit] surveillance` (surveillance or recertification).
    Surveillance,
}

/// The certification-body audit the ISMS is preparing for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NextAudit {
    pub kind: AuditKind,
    pub date: Date,
}

impl NextAudit {
    /// The audit's name in running text ("only 20 days before Stage 2").
    /// Stage 2 keeps v1's wording exactly.
    pub fn name(&self) -> &'static str {
        match self.kind {
            AuditKind::Stage2 => "Stage 2",
            AuditKind::Surveillance => "the surveillance audit",
        }
    }

    /// The audit's name as a heading or label.
    pub fn title(&self) -> &'static str {
        match self.kind {
            AuditKind::Stage2 => "Stage 2",
            AuditKind::Surveillance => "Surveillance audit",
        }
    }

    /// Name and date, e.g. "the surveillance audit on 2028-02-15".
    pub fn describe(&self) -> String {
        format!("{} on {}", self.name(), fmt_date(self.date))
    }
}

/// The earliest of `stage2` and the `surveillance` dates on or after
/// `as_of`; when all have passed, the latest of them; `None` when none is set.
/// A surveillance date equal to Stage 2 counts as Stage 2.
pub fn next_audit(config: &Config, as_of: Date) -> Option<NextAudit> {
    let all = config
        .stage2
        .map(|date| NextAudit {
            kind: AuditKind::Stage2,
            date,
        })
        .into_iter()
        .chain(config.surveillance.iter().map(|&date| NextAudit {
            kind: AuditKind::Surveillance,
            date,
        }));
    let key = |a: &NextAudit| (a.date, a.kind != AuditKind::Stage2);
    all.clone()
        .filter(|a| a.date >= as_of)
        .min_by_key(key)
        .or_else(|| all.max_by_key(|a| (a.date, a.kind == AuditKind::Stage2)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testing::d;

    fn config(stage2: Option<&str>, surveillance: &[&str]) -> Config {
        Config {
            stage2: stage2.map(d),
            surveillance: surveillance.iter().map(|s| d(s)).collect(),
            ..Config::default()
        }
    }

    fn next(c: &Config, as_of: &str) -> Option<(AuditKind, String)> {
        next_audit(c, d(as_of)).map(|a| (a.kind, a.date.to_string()))
    }

    #[test]
    fn only_stage2_is_always_stage2() {
        let c = config(Some("2027-03-02"), &[]);
        let want = Some((AuditKind::Stage2, "2027-03-02".to_string()));
        assert_eq!(next(&c, "2027-01-01"), want);
        assert_eq!(next(&c, "2027-03-02"), want);
        assert_eq!(next(&c, "2028-01-01"), want);
        assert_eq!(next(&Config::default(), "2027-01-01"), None);
    }

    #[test]
    fn earliest_on_or_after_as_of_else_latest() {
        let c = config(Some("2027-03-02"), &["2029-02-14", "2028-02-15"]);
        assert_eq!(
            next(&c, "2027-03-02"),
            Some((AuditKind::Stage2, "2027-03-02".into()))
        );
        assert_eq!(
            next(&c, "2027-03-03"),
            Some((AuditKind::Surveillance, "2028-02-15".into()))
        );
        assert_eq!(
            next(&c, "2028-02-16"),
            Some((AuditKind::Surveillance, "2029-02-14".into()))
        );
        assert_eq!(
            next(&c, "2030-01-01"),
            Some((AuditKind::Surveillance, "2029-02-14".into()))
        );
        // Surveillance dates alone work too.
        let c = config(None, &["2028-02-15"]);
        assert_eq!(
            next(&c, "2027-01-01").map(|(k, _)| k),
            Some(AuditKind::Surveillance)
        );
    }

    #[test]
    fn names_keep_v1_wording_for_stage2() {
        let a = NextAudit {
            kind: AuditKind::Stage2,
            date: d("2027-03-02"),
        };
        assert_eq!(a.describe(), "Stage 2 on 2027-03-02");
        let s = NextAudit {
            kind: AuditKind::Surveillance,
            date: d("2028-02-15"),
        };
        assert_eq!(s.describe(), "the surveillance audit on 2028-02-15");
    }
}
