//! Machine-readable exports of the audit index (`exports/`): the findings as
//! `check --format json` prints them, the document register as CSV, and a
//! manifest with the checksum of every source file the build read.

use serde::Serialize;

use super::soa::neutralise;
use super::SiteFile;
use crate::finding::Finding;
use crate::model::ids::fmt_date;
use crate::model::Isms;
use crate::report::Summary;

#[derive(Serialize)]
struct Manifest<'a> {
    schema: u32,
    tool_version: &'a str,
    commit: Option<&'a str>,
    dirty: bool,
    as_of: &'a str,
    files: Vec<ManifestFile<'a>>,
}

#[derive(Serialize)]
struct ManifestFile<'a> {
    path: &'a str,
    sha256: &'a str,
}

pub(crate) fn render(
    isms: &Isms,
    summary: &Summary,
    findings: &[Finding],
) -> Result<Vec<SiteFile>, String> {
    // The root as given on the command line may be an absolute path; the
    // export names the ISMS root as `.` so builds from any folder match.
    let portable = Summary {
        root: ".".into(),
        ..summary.clone()
    };
    let mut findings_json = crate::report::json::render(&portable, findings).into_bytes();
    findings_json.push(b'\n');
    let manifest = Manifest {
        schema: 1,
        tool_version: summary.tool_version,
        commit: summary.commit.as_deref(),
        dirty: summary.dirty,
        as_of: &summary.as_of,
        files: isms
            .sources
            .iter()
            .map(|(path, sha256)| ManifestFile { path, sha256 })
            .collect(),
    };
    let mut manifest_json = serde_json::to_vec_pretty(&manifest).map_err(|e| e.to_string())?;
    manifest_json.push(b'\n');
    Ok(vec![
        ("exports/findings.json".into(), findings_json),
        ("exports/register.csv".into(), register_csv(isms)?),
        ("exports/manifest.json".into(), manifest_json),
    ])
}

fn register_csv(isms: &Isms) -> Result<Vec<u8>, String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "id",
        "title",
        "type",
        "version",
        "status",
        "owner",
        "approved_by",
        "approved_on",
        "next_review",
        "classification",
        "staff_site",
        "path",
        "last_change_commit",
        "last_change_date",
        "last_change_author",
    ])
    .map_err(|e| e.to_string())?;
    for d in &isms.documents {
        let next_review = isms.next_review(d);
        let history = isms.history.as_ref();
        let last = history
            .and_then(|h| h.docs.get(&d.path))
            .and_then(|dh| dh.changes.iter().find(|c| c.body_changed))
            .and_then(|c| history.and_then(|h| h.commits.get(c.commit)));
        let record = [
            d.id.as_str().to_string(),
            d.title.clone(),
            d.doc_type.as_str().to_string(),
            d.version.clone().unwrap_or_default(),
            d.status.map(|s| s.as_str().to_string()).unwrap_or_default(),
            d.owner.value.clone(),
            d.approved_by
                .as_ref()
                .map(|a| a.value.clone())
                .unwrap_or_default(),
            d.approved_on
                .as_ref()
                .map(|a| fmt_date(a.value))
                .unwrap_or_default(),
            next_review.map(fmt_date).unwrap_or_default(),
            d.classification.as_str().to_string(),
            (if isms.on_staff_site(d) { "yes" } else { "no" }).to_string(),
            d.path.clone(),
            last.map(|c| c.id.clone()).unwrap_or_default(),
            last.and_then(|c| chrono::DateTime::from_timestamp(c.time, 0))
                .map(|t| fmt_date(t.date_naive()))
                .unwrap_or_default(),
            last.map(|c| c.author.clone()).unwrap_or_default(),
        ];
        w.write_record(record.iter().map(|c| neutralise(c)))
            .map_err(|e| e.to_string())?;
    }
    w.into_inner().map_err(|e| e.to_string())
}
