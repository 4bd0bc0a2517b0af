//! `acknowledgements.html` of the audit index: per `acknowledge: true`
//! document, who has confirmed its current version and who has not, judged
//! as RD026 judges it.

use serde::Serialize;
use serde_json::{json, Value};

use super::{doc_href, page_context, Pages, RenderError, SiteContext, SiteFile};
use crate::model::acknowledge::AckState;
use crate::model::ids::{fmt_date, Date};
use crate::model::Isms;

/// A page the overview links besides the evidence packs.
#[derive(Serialize)]
pub(crate) struct ViewLink {
    href: &'static str,
    title: &'static str,
}

#[derive(Serialize)]
struct DocView {
    id: String,
    title: String,
    href: String,
    version: String,
    approved_on: String,
    confirmed: usize,
    total: usize,
    rows: Vec<Vec<Value>>,
}

pub(crate) fn render(
    isms: &Isms,
    site: &SiteContext,
    pages: &Pages,
    as_of: Date,
) -> Result<(Vec<SiteFile>, Vec<ViewLink>), RenderError> {
    let docs: Vec<DocView> = isms
        .acknowledgements(as_of)
        .into_iter()
        .map(|a| {
            let rows = a
                .people
                .iter()
                .map(|p| {
                    let (state, on) = match p.state {
                        AckState::Confirmed { on } => {
                            (json!({"text": "Confirmed", "tone": "ok"}), Some(on))
                        }
                        AckState::Late { on } => (json!({"text": "Late", "tone": "bad"}), Some(on)),
                        AckState::Missing => {
                            (json!({"text": "Not confirmed", "tone": "bad"}), None)
                        }
                        AckState::Pending => {
                            (json!({"text": "Not yet due", "tone": "pending"}), None)
                        }
                    };
                    vec![
                        Value::String(p.person.name.clone()),
                        state,
                        on.map_or(Value::Null, |d| Value::String(fmt_date(d))),
                        Value::String(fmt_date(p.deadline)),
                    ]
                })
                .collect();
            DocView {
                id: a.document.id.as_str().to_string(),
                title: a.document.title.clone(),
                href: doc_href(a.document),
                version: a.version.to_string(),
                approved_on: fmt_date(a.approved_on.value),
                confirmed: a
                    .people
                    .iter()
                    .filter(|p| matches!(p.state, AckState::Confirmed { .. }))
                    .count(),
                total: a.people.len(),
                rows,
            }
        })
        .collect();
    let mut ctx = page_context(site, "audit", "", "Acknowledgements", false, false);
    ctx.insert("docs", &docs);
    ctx.insert("as_of", &fmt_date(as_of));
    ctx.insert("days", &isms.config.people.acknowledge_days);
    let page = pages.render(
        "audit/acknowledgements.html",
        "audit/acknowledgements.html",
        ctx,
    )?;
    Ok((
        vec![("acknowledgements.html".into(), page)],
        vec![ViewLink {
            href: "acknowledgements.html",
            title: "Acknowledgements: who confirmed reading the current version",
        }],
    ))
}
