//! Machine-readable exports of the audit index (`exports/`): the findings as
//! `check --format json` prints them, the document register as CSV, and a
//! manifest with the checksum of every source file the build read.

use super::RenderError;
use serde::Serialize;

use super::register;
use super::soa::neutralise;
use rayon::prelude::*;

use super::{memo, Bytes, Pages, SiteFile};
use crate::diagnostics::finding::Finding;
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
    /// The other exports of this build (`exports/…` but the manifest), so
    /// that a copy handed over (the zip, the PDF) can be checked.
    exports: Vec<ManifestFile<'a>>,
}

#[derive(Serialize)]
struct ManifestFile<'a> {
    path: &'a str,
    sha256: &'a str,
}

/// The findings and register exports; `register_key` is the register
/// rows' key, as the register page computed it.
pub(crate) fn render(
    summary: &Summary,
    findings: &[Finding],
    (register_rows, register_key): (&[register::RegisterRow], u64),
    pages: &Pages,
) -> Result<Vec<SiteFile>, RenderError> {
    let summary_key = serde_json::to_string(summary)
        .map_err(|e| RenderError::export("audit/exports/findings.json", e))?;
    let findings_key = pages.findings_key;
    let findings_json = pages.keyed(
        "audit/exports/findings.json",
        memo::key_of(&(&summary_key, findings_key)),
        || findings_json(summary, findings).map(Bytes::new),
    )?;
    let register_csv = pages.keyed("audit/exports/register.csv", register_key, || {
        register_csv(register_rows).map(Bytes::new)
    })?;
    Ok(vec![
        ("exports/findings.json".into(), findings_json),
        ("exports/register.csv".into(), register_csv),
    ])
}

/// `findings.json`: exactly what `isms check --format json` prints.
fn findings_json(summary: &Summary, findings: &[Finding]) -> Result<Vec<u8>, RenderError> {
    // The root as given on the command line may be an absolute path; the
    // export names the ISMS root as `.` so builds from any folder match.
    let portable = Summary {
        root: ".".into(),
        ..summary.clone()
    };
    let mut findings_json = crate::report::json::render(&portable, findings).into_bytes();
    findings_json.push(b'\n');
    Ok(findings_json)
}

/// Adds `exports/manifest.json` to the audit index's `files` (replacing an
/// earlier one): made last, as it holds the checksums of the other exports.
pub(crate) fn seal(
    isms: &Isms,
    summary: &Summary,
    sites: &mut super::Sites,
    memo: &memo::Memo,
) -> Result<(), RenderError> {
    sites.audit.retain(|(path, _)| path != MANIFEST);
    let manifest = manifest_json(isms, summary, &sites.audit, &sites.audit_on_disk, memo)?;
    sites
        .audit
        .push((MANIFEST.to_string(), Bytes::new(manifest)));
    Ok(())
}

/// Where the manifest goes in the audit index.
pub const MANIFEST: &str = "exports/manifest.json";

/// `manifest.json`: what the build read, with checksums, and the checksums
/// of the other exports.
fn manifest_json(
    isms: &Isms,
    summary: &Summary,
    files: &[SiteFile],
    on_disk: &[(String, super::disk_file::DiskFile)],
    memo: &memo::Memo,
) -> Result<Vec<u8>, RenderError> {
    let mut exports: Vec<(&str, String)> = files
        .iter()
        .filter(|(path, _)| path.starts_with("exports/"))
        .map(|(path, bytes)| (path.as_str(), memo.sha256_hex(path, bytes)))
        .collect();
    // Read back from disk (the audit pack: hundreds of megabytes on a large
    // ISMS), on every core.
    let from_disk: Vec<(&str, String)> = on_disk
        .par_iter()
        .filter(|(path, _)| path.starts_with("exports/"))
        .map(|(path, file)| {
            file.sha256_hex()
                .map(|sha256| (path.as_str(), sha256))
                .map_err(|e| RenderError::export(&format!("audit/{path}"), e))
        })
        .collect::<Result<_, _>>()?;
    exports.extend(from_disk);
    exports.sort();
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
        exports: exports
            .iter()
            .map(|(path, sha256)| ManifestFile { path, sha256 })
            .collect(),
    };
    let mut manifest_json = serde_json::to_vec_pretty(&manifest)
        .map_err(|e| RenderError::export("audit/exports/manifest.json", e))?;
    manifest_json.push(b'\n');
    Ok(manifest_json)
}

/// The register as CSV: the overview's columns (see [`super::register`]),
/// plus each document's path in place of the link to its page.
fn register_csv(rows: &[register::RegisterRow]) -> Result<Vec<u8>, RenderError> {
    let csv_error =
        |e: &dyn std::fmt::Display| RenderError::export("audit/exports/register.csv", e);
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(register::CSV_HEADER)
        .map_err(|e| csv_error(&e))?;
    for row in rows {
        w.write_record(register::csv_record(row).iter().map(|c| neutralise(c)))
            .map_err(|e| csv_error(&e))?;
    }
    w.into_inner().map_err(|e| csv_error(&e))
}
