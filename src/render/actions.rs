//! The actions page of the audit index (`actions.html`) and its export
//! (`exports/actions.csv`): every action of the ISMS by source and state,
//! each linked to the document or record it came from.

use serde::Serialize;

use super::audit_pages::{plain, Cell};
use super::soa::neutralise;
use super::{doc_href, page_context, Bytes, Pages, RenderError, SiteContext, SiteFile};
use crate::model::action::{Action, Source, State};
use crate::model::ids::{fmt_date, Date};
use crate::model::Isms;

/// One source's actions, worst state first.
#[derive(Serialize, Hash)]
struct Group {
    label: &'static str,
    anchor: String,
    rows: Vec<Vec<Cell>>,
}

/// How many actions of each state, per source and in total.
#[derive(Serialize, Hash)]
struct CountRow {
    label: &'static str,
    anchor: Option<String>,
    counts: [usize; 4],
    total: usize,
}

const STATES: [State; 4] = [
    State::Overdue,
    State::Open,
    State::ClosedUnreviewed,
    State::Closed,
];

fn tone(state: State) -> &'static str {
    match state {
        State::Overdue => "bad",
        State::Open => "pending",
        State::ClosedUnreviewed => "warn",
        State::Closed => "ok",
    }
}

/// Actions in page order: by source, then worst state, then due date.
fn sorted(isms: &Isms, as_of: Date) -> Vec<(&Action, State)> {
    let mut all: Vec<(&Action, State)> = isms.actions.iter().map(|a| (a, a.state(as_of))).collect();
    all.sort_by(|(a, sa), (b, sb)| {
        (a.source, *sa, a.due.is_none(), a.due, &a.path, a.line).cmp(&(
            b.source,
            *sb,
            b.due.is_none(),
            b.due,
            &b.path,
            b.line,
        ))
    });
    all
}

/// `actions.html` and `exports/actions.csv`.
pub(crate) fn render(
    isms: &Isms,
    as_of: Date,
    site: &SiteContext,
    pages: &Pages,
) -> Result<Vec<SiteFile>, RenderError> {
    let actions = sorted(isms, as_of);
    let groups: Vec<Group> = Source::ALL
        .iter()
        .map(|&source| Group {
            label: source.label(),
            anchor: format!("source-{}", source.key()),
            rows: actions
                .iter()
                .filter(|(a, _)| a.source == source)
                .map(|(a, state)| row(isms, a, *state))
                .collect(),
        })
        .collect();
    let mut counts: Vec<CountRow> = Source::ALL
        .iter()
        .map(|&source| {
            let of: Vec<State> = actions
                .iter()
                .filter(|(a, _)| a.source == source)
                .map(|(_, s)| *s)
                .collect();
            CountRow {
                label: source.label(),
                anchor: Some(format!("source-{}", source.key())),
                counts: STATES.map(|s| of.iter().filter(|x| **x == s).count()),
                total: of.len(),
            }
        })
        .collect();
    counts.push(CountRow {
        label: "All sources",
        anchor: None,
        counts: STATES.map(|s| actions.iter().filter(|(_, x)| *x == s).count()),
        total: actions.len(),
    });
    let key = pages.key(isms, &(&groups, &counts, fmt_date(as_of)));
    let page = pages.keyed("audit/actions.html", key, || {
        let mut ctx = page_context(site, "audit", "", "Actions", false, false);
        ctx.insert("groups", &groups);
        ctx.insert("counts", &counts);
        ctx.insert("states", &STATES.map(|s| s.label()));
        ctx.insert("as_of", &fmt_date(as_of));
        super::render_page(
            &pages.theme.tera,
            "audit/actions.html",
            &ctx,
            "audit/actions.html",
        )
    })?;
    let records: Vec<Vec<String>> = actions
        .iter()
        .map(|(a, state)| csv_record(a, *state))
        .collect();
    let csv = pages.keyed(
        "audit/exports/actions.csv",
        super::memo::key_of(&records),
        || actions_csv(&records).map(Bytes::new),
    )?;
    Ok(vec![
        ("actions.html".into(), page),
        ("exports/actions.csv".into(), csv),
    ])
}

fn row(isms: &Isms, a: &Action, state: State) -> Vec<Cell> {
    let doc = isms.doc(&a.document);
    let date = |d: Option<Date>| d.map(fmt_date);
    let came_from = match (&a.finding, a.source) {
        (Some(f), Source::CorrectiveActions) => format!("{} (finding {f})", a.document),
        _ => a.document.clone(),
    };
    vec![
        Cell {
            text: Some(a.id.clone().unwrap_or_else(|| "(no id)".into())),
            href: None,
            code: a.id.is_some(),
            tone: None,
        },
        plain(Some(a.summary.clone()).filter(|s| !s.is_empty())),
        Cell {
            text: Some(state.label().to_string()),
            href: None,
            code: false,
            tone: Some(tone(state)),
        },
        plain(a.owner.clone()),
        plain(date(a.due)),
        plain(date(a.closed_on)),
        Cell {
            text: Some(came_from),
            href: doc.map(doc_href),
            code: false,
            tone: None,
        },
        plain(Some(format!("{}:{}", a.path, a.line))),
    ]
}

/// The export's columns.
const CSV_HEADER: [&str; 14] = [
    "source",
    "id",
    "action",
    "state",
    "owner",
    "due",
    "closed_on",
    "effectiveness_reviewed_on",
    "finding",
    "risk",
    "evidence",
    "document",
    "path",
    "line",
];

fn csv_record(a: &Action, state: State) -> Vec<String> {
    let date = |d: Option<Date>| d.map(fmt_date).unwrap_or_default();
    vec![
        a.source.key().to_string(),
        a.id.clone().unwrap_or_default(),
        a.summary.clone(),
        state.key().to_string(),
        a.owner.clone().unwrap_or_default(),
        date(a.due),
        date(a.closed_on),
        date(a.effectiveness_reviewed_on),
        a.finding.clone().unwrap_or_default(),
        a.risk.clone().unwrap_or_default(),
        a.evidence.clone().unwrap_or_default(),
        a.document.clone(),
        a.path.clone(),
        a.line.to_string(),
    ]
}

/// The actions as CSV, every cell that a spreadsheet would read as a
/// formula neutralised.
fn actions_csv(records: &[Vec<String>]) -> Result<Vec<u8>, RenderError> {
    let csv_error = |e: &dyn std::fmt::Display| RenderError::export("audit/exports/actions.csv", e);
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(CSV_HEADER).map_err(|e| csv_error(&e))?;
    for r in records {
        w.write_record(r.iter().map(|c| neutralise(c)))
            .map_err(|e| csv_error(&e))?;
    }
    w.into_inner().map_err(|e| csv_error(&e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralised() {
        let mut record = vec![String::new(); CSV_HEADER.len()];
        record[0] = "corrective-actions".into();
        record[1] = "=HYPERLINK(\"x\")".into();
        record[2] = "+1".into();
        let records = vec![record];
        let text = String::from_utf8(actions_csv(&records).expect("csv")).expect("utf-8");
        assert!(text.starts_with("source,id,action,state,"), "{text}");
        assert!(text.contains("\"'=HYPERLINK(\"\"x\"\")\",'+1"), "{text}");
    }
}
