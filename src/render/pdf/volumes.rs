//! How a large audit pack is cut into files.
//!
//! Typst keeps the whole layout of a file in memory until it writes the
//! PDF: about 3 MB for each ISMS document in the pack, and about as much
//! for every 20 rows of the register and findings tables. One file for an
//! ISMS of thousands of documents would need tens of gigabytes, so a large
//! pack comes in volumes, typeset one after the other: first the
//! Statement of Applicability and the two long tables, in runs of at most
//! [`Limits::table_rows`] rows (the register, then the findings), then the
//! documents, at most [`Limits::documents`] to a file. When both tables fit
//! in the first volume, it also holds the first documents, so a pack of a
//! small ISMS is one file with everything.

use std::ops::Range;

/// The most one file holds of each kind.
#[derive(Clone, Copy, Debug)]
pub(super) struct Limits {
    pub documents: usize,
    pub table_rows: usize,
}

/// What the build uses: a volume of 250 documents or of 2,500 table rows
/// takes under a gigabyte while it is typeset.
pub(super) const LIMITS: Limits = Limits {
    documents: 250,
    table_rows: 2_500,
};

/// What one file of the pack holds: the SoA or not, rows of the register
/// and of the findings (positions in each table), and documents (positions
/// among the pack's documents).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Part {
    pub soa: bool,
    pub register: Range<usize>,
    pub findings: Range<usize>,
    pub documents: Range<usize>,
}

/// The files of a pack with `register` and `findings` table rows and
/// `documents` documents, in order; never empty.
pub(super) fn plan(
    register: usize,
    findings: usize,
    documents: usize,
    limits: Limits,
) -> Vec<Part> {
    let per_file_rows = limits.table_rows.max(1);
    let per_file_documents = limits.documents.max(1);
    let rows = register + findings;
    let mut parts: Vec<Part> = Vec::new();
    let mut start = 0;
    loop {
        let end = (start + per_file_rows).min(rows);
        parts.push(Part {
            soa: parts.is_empty(),
            register: start.min(register)..end.min(register),
            findings: start.saturating_sub(register)..end.saturating_sub(register),
            documents: 0..0,
        });
        start = end;
        if start >= rows {
            break;
        }
    }
    let mut next = 0;
    if let [only] = parts.as_mut_slice() {
        next = per_file_documents.min(documents);
        only.documents = 0..next;
    }
    while next < documents {
        let end = (next + per_file_documents).min(documents);
        parts.push(Part {
            soa: false,
            register: register..register,
            findings: findings..findings,
            documents: next..end,
        });
        next = end;
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(
        soa: bool,
        register: Range<usize>,
        findings: Range<usize>,
        documents: Range<usize>,
    ) -> Part {
        Part {
            soa,
            register,
            findings,
            documents,
        }
    }

    const SMALL: Limits = Limits {
        documents: 2,
        table_rows: 4,
    };

    #[test]
    fn a_small_pack_is_one_file_with_everything() {
        assert_eq!(plan(3, 1, 2, SMALL), [part(true, 0..3, 0..1, 0..2)]);
        assert_eq!(plan(0, 0, 0, SMALL), [part(true, 0..0, 0..0, 0..0)]);
    }

    #[test]
    fn documents_beyond_the_first_file_come_in_runs() {
        assert_eq!(
            plan(3, 0, 5, SMALL),
            [
                part(true, 0..3, 0..0, 0..2),
                part(false, 3..3, 0..0, 2..4),
                part(false, 3..3, 0..0, 4..5),
            ]
        );
    }

    #[test]
    fn long_tables_come_in_files_of_their_own_before_the_documents() {
        assert_eq!(
            plan(6, 3, 3, SMALL),
            [
                part(true, 0..4, 0..0, 0..0),
                part(false, 4..6, 0..2, 0..0),
                part(false, 6..6, 2..3, 0..0),
                part(false, 6..6, 3..3, 0..2),
                part(false, 6..6, 3..3, 2..3),
            ]
        );
    }

    #[test]
    fn every_row_and_document_is_in_exactly_one_file() {
        for register in 0..12 {
            for findings in 0..12 {
                for documents in 0..7 {
                    let parts = plan(register, findings, documents, SMALL);
                    let mut seen = (0, 0, 0);
                    for p in &parts {
                        assert_eq!(p.register.start, seen.0.min(register));
                        assert_eq!(p.findings.start, seen.1);
                        assert_eq!(p.documents.start, seen.2);
                        assert!(p.register.len() + p.findings.len() <= SMALL.table_rows);
                        assert!(p.documents.len() <= SMALL.documents);
                        seen = (p.register.end, p.findings.end, p.documents.end);
                    }
                    assert_eq!(seen, (register, findings, documents));
                    assert_eq!(parts.iter().filter(|p| p.soa).count(), 1);
                    assert!(parts[0].soa);
                }
            }
        }
    }
}
