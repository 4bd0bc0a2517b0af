//! `isms build`: check, then publish the staff site and the audit index.
//! A run with input errors (exit 2) writes nothing and leaves an earlier
//! build as it was.

use std::path::Path;

use super::check::{print_fatal, print_report};
use super::{exit_code, Format, EXIT_UNUSABLE};
use crate::diagnostics::finding::Severity;
use crate::load::LoadOptions;
use crate::model::ids::Date;
use crate::pipeline::run_checks;
use crate::render::memo::Memo;
use crate::render::page_store::PageStore;
use crate::render::pdf_cache::{DirPdfCache, NoPdfCache, PdfCache};
use crate::render::{self, write};

/// Builds `root` into `out` (default `root/public`); returns the exit code.
pub fn run(root: &Path, out: Option<&Path>, as_of: Date, format: Format, fail_on: Severity) -> i32 {
    let out = out.map_or_else(|| root.join("public"), Path::to_path_buf);
    let out = match write::check_out(root, &out) {
        Ok(out) => out,
        Err(e) => {
            print_fatal(root, as_of, &e.to_string(), format);
            return EXIT_UNUSABLE;
        }
    };
    let opts = LoadOptions {
        history_cache: true,
        out_dir: Some(out.clone()),
        ..LoadOptions::default()
    };
    let checked = match run_checks(root, as_of, &opts) {
        Ok(checked) => checked,
        Err(error) => {
            print_fatal(root, as_of, &error.to_string(), format);
            return EXIT_UNUSABLE;
        }
    };
    let report = || crate::timing::step("report", || print_report(root, &checked, format));
    let code = exit_code(&checked.findings, fail_on);
    if code == EXIT_UNUSABLE {
        report();
        return code;
    }
    // Typeset audit-pack volumes and rendered pages are kept beside the
    // history cache.
    let cache_dir = crate::load::history::cache_dir(root);
    let pdf_cache: Box<dyn PdfCache> = match &cache_dir {
        Some(dir) => Box::new(DirPdfCache::new(dir.join("pdf"))),
        None => Box::new(NoPdfCache),
    };
    let page_store = cache_dir.map(|dir| PageStore::new(&dir, as_of));
    // The report is printed while the sites render: on a large ISMS it is
    // tens of thousands of findings, each quoting its line.
    let ((), rendered) = rayon::join(report, || {
        let memo = crate::timing::step("render: kept pages", || {
            page_store
                .as_ref()
                .map_or_else(Memo::default, PageStore::open)
        });
        let sites = render::render_build(
            &checked.isms,
            &checked.summary,
            &checked.findings,
            pdf_cache.as_ref(),
            &memo,
        );
        (memo, sites)
    });
    let (memo, sites) = match rendered {
        (memo, Ok(sites)) => (memo, sites),
        (_, Err(message)) => {
            eprintln!("error: {message}");
            return EXIT_UNUSABLE;
        }
    };
    // Diagrams that could not be drawn are shown as their source; the
    // author learns where, and the build goes on (the drawings are cached,
    // so this draws nothing again).
    for note in render::diagram::notes(checked.isms.documents.iter().map(|d| &**d)) {
        eprintln!("{note}");
    }
    let archive =
        |new_out: &Path| render::write_audit_archive(&sites, &checked.summary, &out, new_out);
    match crate::timing::step("write", || write::write_sites_with(&out, &sites, archive)) {
        Ok(()) => {
            pdf_cache.prune();
            // Only a cache: a build that cannot keep its pages is no worse
            // than one without them.
            if let Some(store) = &page_store {
                let _ = crate::timing::step("render: keep pages", || store.keep(&memo));
            }
            code
        }
        Err(e) => {
            eprintln!("error: {e}");
            EXIT_UNUSABLE
        }
    }
}
