//! The Typst "world" of the audit pack: one template, one data file, the
//! embedded fonts and a fixed date. Nothing is read from disk or the
//! network, so a build depends on its input alone.

use std::sync::LazyLock;

use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Smart};
use typst::layout::PagedDocument;
use typst::syntax::{FileId, Source, VirtualPath};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

use crate::model::ids::Date;

/// The fonts every pack is set in, loaded once: the families Typst ships
/// under free licences (SIL Open Font License, Bitstream Vera).
static FONTS: LazyLock<(LazyHash<FontBook>, Vec<Font>)> = LazyLock::new(|| {
    let fonts: Vec<Font> = typst_assets::fonts()
        .flat_map(|data| Font::iter(Bytes::new(data)))
        .collect();
    (LazyHash::new(FontBook::from_fonts(&fonts)), fonts)
});

static LIBRARY: LazyLock<LazyHash<Library>> =
    LazyLock::new(|| LazyHash::new(Library::builder().build()));

/// The path under which the template reads its data.
const DATA: &str = "/data.json";

struct PackWorld {
    main: Source,
    data: Bytes,
    today: Datetime,
}

impl World for PackWorld {
    fn library(&self) -> &LazyHash<Library> {
        &LIBRARY
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &FONTS.0
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::NotFound(id.vpath().as_rootless_path().into()))
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == data_id() {
            Ok(self.data.clone())
        } else {
            Err(FileError::NotFound(id.vpath().as_rootless_path().into()))
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        FONTS.1.get(index).cloned()
    }

    fn today(&self, _offset: Option<i64>) -> Option<Datetime> {
        Some(self.today)
    }
}

fn data_id() -> FileId {
    FileId::new(None, VirtualPath::new(DATA))
}

/// Typesets `template` with `data` as `/data.json` into PDF bytes. The
/// document id is derived from `ident`, the dates from `as_of`. An error is
/// the template's diagnostics as text (a broken theme template, never the
/// documents' text, which is data).
pub(super) fn typeset(
    template: &str,
    data: Vec<u8>,
    as_of: Date,
    ident: &str,
) -> Result<Vec<u8>, String> {
    use chrono::Datelike;
    let today = Datetime::from_ymd(as_of.year(), as_of.month() as u8, as_of.day() as u8)
        .ok_or_else(|| format!("the as-of date {as_of} is out of range"))?;
    let world = PackWorld {
        main: Source::new(
            FileId::new(None, VirtualPath::new("/audit-pack.typ")),
            template.to_string(),
        ),
        data: Bytes::new(data),
        today,
    };
    let document: PagedDocument = typst::compile(&world)
        .output
        .map_err(|errors| diagnostics(&world, &errors))?;
    let options = typst_pdf::PdfOptions {
        ident: Smart::Custom(ident),
        timestamp: Some(typst_pdf::Timestamp::new_utc(today)),
        ..Default::default()
    };
    let pdf = typst_pdf::pdf(&document, &options).map_err(|errors| diagnostics(&world, &errors));
    // Typst memoises across runs. Nothing of one volume helps the next
    // (each holds other documents), and keeping it would make memory grow
    // with the whole pack instead of one volume.
    typst::comemo::evict(0);
    pdf
}

/// Diagnostics with the template line they point at.
fn diagnostics(world: &PackWorld, errors: &[SourceDiagnostic]) -> String {
    errors
        .iter()
        .map(|e| {
            let line = world
                .main
                .range(e.span)
                .map(|r| {
                    world
                        .main
                        .lines()
                        .byte_to_line(r.start)
                        .map_or(0, |l| l + 1)
                })
                .unwrap_or(0);
            format!("audit-pack.typ line {line}: {}", e.message)
        })
        .collect::<Vec<_>>()
        .join("; ")
}
