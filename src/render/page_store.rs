//! Rendered pages kept between builds.
//!
//! `isms serve` keeps every page with a key of its inputs and renders again
//! only the pages whose key changed (see [`super::memo`]). `isms build`
//! keeps the same memo in a file beside the history cache, so that a build
//! after a small change, or none, renders only what changed. The keys are
//! computed by this very binary's code: the file is read only by the
//! binary that wrote it (its size and modification time) and for the same
//! as-of date; any other file is ignored and replaced. Deleting it costs
//! only time. `isms serve` starts from it too, so that its first build
//! renders only what changed since the last `isms build`.

use std::io::{BufReader, BufWriter};
use std::path::{Path, PathBuf};

use super::memo::Memo;
use crate::model::ids::Date;

/// The file's name in the cache folder.
const NAME: &str = "pages-v1.bin";

/// Where a build's pages are kept, and what may read them.
pub struct PageStore {
    path: PathBuf,
    /// `None` when the running binary cannot be identified: nothing is
    /// then read or kept.
    identity: Option<u64>,
}

impl PageStore {
    /// The store in the cache folder `dir`, for a build judged as of
    /// `as_of`.
    pub fn new(dir: &Path, as_of: Date) -> PageStore {
        let identity = binary_stamp().map(|binary| {
            super::memo::key_of(&(
                NAME,
                env!("CARGO_PKG_VERSION"),
                binary,
                crate::model::ids::fmt_date(as_of),
            ))
        });
        PageStore {
            path: dir.join(NAME),
            identity,
        }
    }

    /// The memo the last build kept, or an empty one that keeps what this
    /// build renders.
    pub fn open(&self) -> Memo {
        let Some(identity) = self.identity else {
            return Memo::enabled();
        };
        std::fs::File::open(&self.path)
            .ok()
            .and_then(|file| Memo::read_from(identity, &mut BufReader::new(file)))
            .unwrap_or_else(Memo::enabled)
    }

    /// Keeps `memo` for the next build, unless it holds what the store
    /// holds already. Written beside and renamed into place: a build that
    /// reads it meanwhile sees the old file or the new one, whole.
    pub fn keep(&self, memo: &Memo) -> std::io::Result<()> {
        let (Some(identity), Some(dir)) = (self.identity, self.path.parent()) else {
            return Ok(());
        };
        if !memo.changed() {
            return Ok(());
        }
        std::fs::create_dir_all(dir)?;
        let mut file = BufWriter::new(tempfile::NamedTempFile::new_in(dir)?);
        memo.write_to(identity, &mut file)?;
        let file = file.into_inner().map_err(|e| e.into_error())?;
        file.persist(&self.path).map_err(|e| e.error)?;
        Ok(())
    }
}

/// The running binary's size and modification time: a binary built from
/// other code may compute other keys for the same inputs, or render them
/// differently.
fn binary_stamp() -> Option<(u64, i128)> {
    let meta = std::fs::metadata(std::env::current_exe().ok()?).ok()?;
    let modified = meta.modified().ok()?;
    let since = modified.duration_since(std::time::UNIX_EPOCH).ok()?;
    Some((meta.len(), since.as_nanos() as i128))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::memo::Rendered;
    use std::sync::Arc;

    fn page(text: &str) -> Result<Rendered, crate::render::RenderError> {
        Ok(Rendered {
            bytes: text.as_bytes().to_vec().into(),
            extra: Arc::from(format!("extra {text}")),
        })
    }

    fn date(text: &str) -> Date {
        crate::model::ids::parse_date(text).expect("date")
    }

    /// A store in `dir` for 2027-02-15 that kept one page, `a.html`.
    fn kept_a(dir: &Path) -> PageStore {
        let store = PageStore::new(dir, date("2027-02-15"));
        let memo = store.open();
        memo.begin();
        memo.page("a.html", 1, || page("a")).expect("a");
        store.keep(&memo).expect("kept");
        store
    }

    /// The bytes of `a.html` (key 1) in a build from `store`: the kept
    /// page, or "fresh" when it renders again.
    fn a_from(store: &PageStore) -> Vec<u8> {
        let memo = store.open();
        memo.begin();
        let a = memo.page("a.html", 1, || page("fresh")).expect("a");
        a.bytes.to_vec()
    }

    #[test]
    fn a_later_build_reuses_the_pages_whose_keys_hold() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = PageStore::new(dir.path(), date("2027-02-15"));
        let first = store.open();
        first.begin();
        first.page("a.html", 1, || page("a")).expect("a");
        first.fragment("t.html#2", 2, || page("row")).expect("row");
        first.sweep();
        store.keep(&first).expect("kept");

        let second = store.open();
        assert!(!second.changed());
        second.begin();
        let a = second
            .page("a.html", 1, || panic!("kept, not rendered again"))
            .expect("a");
        assert_eq!(a.bytes.as_slice(), b"a");
        assert_eq!(&*a.extra, "extra a");
        let row = second
            .fragment("t.html#2", 3, || page("new row"))
            .expect("row");
        assert_eq!(row.bytes.as_slice(), b"new row", "another key renders");
        second.sweep();
        assert!(second.changed());
        assert_eq!(second.rendered(), 0);
    }

    #[test]
    fn another_as_of_date_or_a_damaged_file_reuses_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = kept_a(dir.path());

        let other_day = PageStore::new(dir.path(), date("2027-02-16"));
        assert_eq!(a_from(&other_day), b"fresh");

        let path = dir.path().join(NAME);
        let whole = std::fs::read(&path).expect("read");
        for cut in [0, 5, 20, whole.len() - 1] {
            std::fs::write(&path, &whole[..cut]).expect("cut");
            assert_eq!(a_from(&store), b"fresh", "cut at {cut}");
        }
        let mut longer = whole.clone();
        longer.push(0);
        std::fs::write(&path, &longer).expect("longer");
        assert_eq!(a_from(&store), b"fresh", "bytes after the last entry");
    }

    #[test]
    fn an_unchanged_memo_is_not_written_again() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = kept_a(dir.path());
        let path = dir.path().join(NAME);

        let again = store.open();
        again.begin();
        again.page("a.html", 1, || page("b")).expect("a");
        again.sweep();
        std::fs::remove_file(&path).expect("remove");
        store.keep(&again).expect("nothing to keep");
        assert!(!path.exists(), "an unchanged memo writes nothing");
    }

    proptest::proptest! {
        /// Whatever the file holds, reading it never panics, and a memo
        /// read back holds exactly what was written.
        #[test]
        fn any_bytes_are_read_safely(bytes in proptest::collection::vec(0u8..=255, 0..300)) {
            let mut input = std::io::Cursor::new(&bytes);
            let _ = Memo::read_from(7, &mut input);
            let mut prefixed = b"isms-pages1\n".to_vec();
            prefixed.extend(7u64.to_le_bytes());
            prefixed.extend(&bytes);
            let _ = Memo::read_from(7, &mut std::io::Cursor::new(&prefixed));
        }

        #[test]
        fn written_pages_read_back(pages in proptest::collection::btree_map("[a-z#/.]{1,12}", ("[ -~]{0,20}", 0u64..4), 0..8)) {
            let memo = Memo::enabled();
            memo.begin();
            for (path, (text, key)) in &pages {
                memo.page(path, *key, || page(text)).expect("page");
            }
            let mut bytes = Vec::new();
            memo.write_to(9, &mut bytes).expect("write");
            let read = Memo::read_from(9, &mut std::io::Cursor::new(&bytes)).expect("read back");
            proptest::prop_assert!(Memo::read_from(8, &mut std::io::Cursor::new(&bytes)).is_none());
            read.begin();
            for (path, (text, key)) in &pages {
                let got = read.page(path, *key, || page("rendered again")).expect("page");
                proptest::prop_assert_eq!(got.bytes.as_slice(), text.as_bytes());
                proptest::prop_assert_eq!(&*got.extra, format!("extra {text}"));
            }
        }
    }
}
