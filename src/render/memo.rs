//! Reuse of rendered pages between rebuilds (`isms serve`).
//!
//! Each page is stored with a key: a hash of everything the page is made
//! from. A rebuild that computes the same key takes the stored bytes instead
//! of rendering again, so saving one document re-renders its own pages and
//! the pages that list it, not the whole site. `isms build` keeps the memo
//! between builds in a file (see [`super::page_store`]); `render_sites`
//! (tests, `isms diff`) uses a disabled one, which renders everything.
//!
//! The key must cover every input of the page; the callers compute it next to
//! the code that builds the page's context, so that the two change together.

use super::RenderError;
use std::hash::{Hash, Hasher};
use std::io::{self, Read, Write};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

/// What a page rendering yields: the page, and text a later step needs from
/// it (the staff site's search entry).
#[derive(Clone)]
pub struct Rendered {
    pub bytes: super::Bytes,
    /// What else the page yields (a staff page's search entry); shared, as
    /// every reuse hands out a copy.
    pub extra: Arc<str>,
}

struct Entry {
    key: u64,
    value: Rendered,
    /// The build that last used the entry; older entries are swept. Atomic
    /// so that a reuse needs only the read lock: pages render on every
    /// core, and most of them are reuses.
    generation: AtomicU64,
}

/// How many locks the stored pages are spread over.
const SHARDS: usize = 16;

/// The shard of the page at `path`.
fn shard_of(path: &str) -> usize {
    // Any stable spread will do; the last bytes differ most between pages.
    let tail = &path.as_bytes()[path.len().saturating_sub(12)..];
    tail.iter().fold(0usize, |h, &b| {
        h.wrapping_mul(31).wrapping_add(usize::from(b))
    }) % SHARDS
}

/// Rendered pages by site path, with their input keys.
#[derive(Default)]
pub struct Memo {
    /// Off (the default), pages are rendered every time and not kept: a
    /// one-off build would only double its memory.
    enabled: bool,
    /// Split into shards by path: pages are looked up on every core, and
    /// one lock over all of them made the cores take turns.
    entries: [RwLock<crate::model::digest::FastMap<String, Entry>>; SHARDS],
    /// The current build's number. Atomic: every page reads it, on every
    /// core, and a lock here made the threads queue once per page.
    generation: AtomicU64,
    /// The parsed theme and its key: parsing the templates takes longer than
    /// re-rendering a typical edit's pages.
    theme: Mutex<Option<Arc<super::Theme>>>,
    /// The staff site's filter of commit subjects naming hidden documents,
    /// with the key of its inputs: building it takes a pass over every
    /// commit subject.
    staff_filter: Mutex<Option<(u64, Arc<super::staff::StaffFilter>)>>,
    /// The SHA-256 (hex) of exports, with the very bytes it was computed
    /// from: holding them keeps their address from being reused, so the
    /// same pointer means the same bytes.
    digests: Mutex<crate::model::digest::FastMap<String, (super::Bytes, String)>>,
    /// Pages rendered (not reused) since the memo was made; for statistics.
    rendered: std::sync::atomic::AtomicUsize,
    /// Whether an entry was added, replaced or swept since the memo was
    /// made or restored: a kept memo unchanged need not be written again.
    changed: AtomicBool,
}

impl Memo {
    /// A memo that keeps pages for the next build.
    pub fn enabled() -> Memo {
        Memo {
            enabled: true,
            ..Memo::default()
        }
    }

    /// The lowercase hex SHA-256 of `bytes`, the file at `path`; reused
    /// while `path` holds the same bytes (a page or export the memo
    /// reused).
    pub fn sha256_hex(&self, path: &str, bytes: &super::Bytes) -> String {
        if self.enabled {
            if let Ok(digests) = self.digests.lock() {
                if let Some((_, hex)) = digests.get(path).filter(|(b, _)| Arc::ptr_eq(b, bytes)) {
                    return hex.clone();
                }
            }
        }
        let hex = crate::model::digest::sha256_hex(bytes);
        if self.enabled {
            if let Ok(mut digests) = self.digests.lock() {
                digests.insert(path.to_string(), (Arc::clone(bytes), hex.clone()));
            }
        }
        hex
    }

    /// Starts a build: entries not used by it are dropped by [`Memo::sweep`].
    pub fn begin(&self) {
        self.generation.fetch_add(1, Ordering::Relaxed);
        self.rendered.store(0, std::sync::atomic::Ordering::Relaxed);
    }

    /// Drops entries of pages the last build did not produce (deleted
    /// documents), so the memo does not grow without bound.
    ///
    /// A fragment (`page#row`) stays while its page was used: a page
    /// reused whole looks none of its rows up, and they are what renders
    /// it again cheaply once it changes.
    pub fn sweep(&self) {
        let generation = self.current();
        let used = |e: &Entry| e.generation.load(Ordering::Relaxed) == generation;
        // The pages that have fragments (a handful), then which of them
        // this build used.
        let mut with_fragments: std::collections::HashSet<String> = Default::default();
        for shard in &self.entries {
            if let Ok(entries) = shard.read() {
                for path in entries.keys() {
                    if let Some((page, _)) = path.rsplit_once('#') {
                        if !with_fragments.contains(page) {
                            with_fragments.insert(page.to_string());
                        }
                    }
                }
            }
        }
        with_fragments.retain(|page| {
            self.entries[shard_of(page)]
                .read()
                .is_ok_and(|entries| entries.get(page).is_some_and(used))
        });
        let page_used = |path: &str| {
            path.rsplit_once('#')
                .is_some_and(|(page, _)| with_fragments.contains(page))
        };
        for shard in &self.entries {
            if let Ok(mut entries) = shard.write() {
                let before = entries.len();
                entries.retain(|path, e| used(e) || page_used(path));
                if entries.len() != before {
                    self.changed.store(true, Ordering::Relaxed);
                }
            }
        }
    }

    /// Whether the entries changed since the memo was made or read.
    pub fn changed(&self) -> bool {
        self.changed.load(Ordering::Relaxed)
    }

    /// Writes every entry (pages and fragments, with their keys) to `out`,
    /// under `identity`: what the keys were computed by (see
    /// `render::page_store`). Entries are written sorted by path, so that
    /// one memo always gives the same bytes.
    pub fn write_to(&self, identity: u64, out: &mut impl Write) -> io::Result<()> {
        let shards: Vec<_> = self
            .entries
            .iter()
            .map(|s| {
                s.read()
                    .map_err(|_| io::Error::other("a page store lock was poisoned"))
            })
            .collect::<Result<_, _>>()?;
        let mut all: Vec<(&String, &Entry)> = shards.iter().flat_map(|s| s.iter()).collect();
        all.sort_unstable_by(|a, b| a.0.cmp(b.0));
        out.write_all(STORE_MAGIC)?;
        out.write_all(&identity.to_le_bytes())?;
        out.write_all(&(all.len() as u64).to_le_bytes())?;
        for (path, entry) in all {
            write_field(out, path.as_bytes())?;
            out.write_all(&entry.key.to_le_bytes())?;
            write_field(out, entry.value.extra.as_bytes())?;
            write_field(out, &entry.value.bytes)?;
        }
        Ok(())
    }

    /// An enabled memo holding the entries [`Memo::write_to`] wrote to
    /// `input` under `identity`; `None` when the input is of another
    /// identity or format, or damaged (nothing is then reused).
    pub fn read_from(identity: u64, input: &mut impl Read) -> Option<Memo> {
        let mut magic = [0; STORE_MAGIC.len()];
        input.read_exact(&mut magic).ok()?;
        (magic == *STORE_MAGIC && read_u64(input)? == identity).then_some(())?;
        let count = read_u64(input)?;
        let memo = Memo::enabled();
        for _ in 0..count {
            let path = String::from_utf8(read_field(input)?).ok()?;
            let key = read_u64(input)?;
            let extra = String::from_utf8(read_field(input)?).ok()?;
            let bytes = read_field(input)?;
            let entry = Entry {
                key,
                value: Rendered {
                    bytes: bytes.into(),
                    extra: Arc::from(extra),
                },
                generation: AtomicU64::new(0),
            };
            let mut shard = memo.entries[shard_of(&path)].write().ok()?;
            shard.insert(path, entry);
        }
        // Nothing may follow the last entry.
        (input.read(&mut [0]).ok()? == 0).then_some(memo)
    }

    /// How many pages the current build rendered rather than reused.
    pub fn rendered(&self) -> usize {
        self.rendered.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn current(&self) -> u64 {
        self.generation.load(Ordering::Relaxed)
    }

    /// The theme parsed from templates with `key`, parsed by `parse` unless
    /// the last one had the same key.
    pub fn theme(
        &self,
        key: u64,
        parse: impl FnOnce() -> Result<super::Theme, RenderError>,
    ) -> Result<Arc<super::Theme>, RenderError> {
        if self.enabled {
            if let Ok(cached) = self.theme.lock() {
                if let Some(theme) = cached.as_ref().filter(|t| t.key == key) {
                    return Ok(Arc::clone(theme));
                }
            }
        }
        let theme = Arc::new(parse()?);
        if self.enabled {
            if let Ok(mut cached) = self.theme.lock() {
                *cached = Some(Arc::clone(&theme));
            }
        }
        Ok(theme)
    }

    /// The staff filter built from inputs with `key`, built by `make` unless
    /// the last one had the same key.
    pub(crate) fn staff_filter(
        &self,
        key: u64,
        make: impl FnOnce() -> super::staff::StaffFilter,
    ) -> Arc<super::staff::StaffFilter> {
        if self.enabled {
            if let Ok(cached) = self.staff_filter.lock() {
                if let Some((_, filter)) = cached.as_ref().filter(|(k, _)| *k == key) {
                    return Arc::clone(filter);
                }
            }
        }
        let filter = Arc::new(make());
        if self.enabled {
            if let Ok(mut cached) = self.staff_filter.lock() {
                *cached = Some((key, Arc::clone(&filter)));
            }
        }
        filter
    }

    /// The stored page at `path` if its key is `key`, else renders it with
    /// `render` and stores the result.
    pub fn page(
        &self,
        path: &str,
        key: u64,
        render: impl FnOnce() -> Result<Rendered, RenderError>,
    ) -> Result<Rendered, RenderError> {
        self.lookup_or_render(path, key, render, true)
    }

    /// [`Memo::page`] for a part of a page (one row of a long table), kept
    /// under `path` the same way but not counted as a page rendered.
    pub fn fragment(
        &self,
        path: &str,
        key: u64,
        render: impl FnOnce() -> Result<Rendered, RenderError>,
    ) -> Result<Rendered, RenderError> {
        self.lookup_or_render(path, key, render, false)
    }

    fn lookup_or_render(
        &self,
        path: &str,
        key: u64,
        render: impl FnOnce() -> Result<Rendered, RenderError>,
        count: bool,
    ) -> Result<Rendered, RenderError> {
        if !self.enabled {
            return render();
        }
        let generation = self.current();
        let shard = &self.entries[shard_of(path)];
        if let Ok(entries) = shard.read() {
            if let Some(entry) = entries.get(path).filter(|e| e.key == key) {
                entry.generation.store(generation, Ordering::Relaxed);
                return Ok(entry.value.clone());
            }
        }
        let value = render()?;
        if count {
            self.rendered
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        self.changed.store(true, Ordering::Relaxed);
        if let Ok(mut entries) = shard.write() {
            entries.insert(
                path.to_string(),
                Entry {
                    key,
                    value: value.clone(),
                    generation: AtomicU64::new(generation),
                },
            );
        }
        Ok(value)
    }

    /// Renders a page whose whole input is the template `name` and `ctx`:
    /// the key is a hash of both, so any change to what the page shows
    /// renders it again. Takes the context by value: hashing it in place
    /// and handing it to the template costs no copy.
    pub fn template_page(
        &self,
        path: &str,
        tera: &tera::Tera,
        theme_key: u64,
        name: &str,
        ctx: tera::Context,
    ) -> Result<super::Bytes, RenderError> {
        if !self.enabled {
            return super::render_page(tera, name, &ctx, path);
        }
        let value = ctx.into_json();
        let mut hasher = crate::model::digest::key_hasher();
        (theme_key, name).hash(&mut hasher);
        hash_json(&value, &mut hasher);
        self.page(path, hasher.finish(), || {
            let ctx = tera::Context::from_value(value).map_err(|e| RenderError::Page {
                page: path.to_string(),
                template: name.to_string(),
                message: e.to_string(),
            })?;
            Ok(Rendered {
                bytes: super::render_page(tera, name, &ctx, path)?,
                extra: Arc::from(""),
            })
        })
        .map(|r| r.bytes)
    }
}

/// The first bytes of a written memo, with the format's version.
const STORE_MAGIC: &[u8; 12] = b"isms-pages1\n";

/// The longest field a written memo may hold (one page): a damaged length
/// then never asks for more memory than a page can take.
const MAX_FIELD: u64 = 1 << 30;

fn write_field(out: &mut impl Write, bytes: &[u8]) -> io::Result<()> {
    out.write_all(&(bytes.len() as u64).to_le_bytes())?;
    out.write_all(bytes)
}

fn read_u64(input: &mut impl Read) -> Option<u64> {
    let mut word = [0; 8];
    input.read_exact(&mut word).ok()?;
    Some(u64::from_le_bytes(word))
}

fn read_field(input: &mut impl Read) -> Option<Vec<u8>> {
    let len = read_u64(input)?;
    (len <= MAX_FIELD).then_some(())?;
    let mut bytes = Vec::with_capacity(usize::try_from(len.min(1 << 24)).unwrap_or(0));
    // Read as far as the input goes: a length beyond its end fails here
    // with only what was there in memory.
    input.take(len).read_to_end(&mut bytes).ok()?;
    (bytes.len() as u64 == len).then_some(bytes)
}

/// Feeds a JSON value into `hasher`, structure included (so `["a", "b"]`
/// and `["ab"]` differ). Object keys come in sorted order.
fn hash_json(value: &serde_json::Value, hasher: &mut crate::model::digest::KeyHasher) {
    use serde_json::Value;
    match value {
        Value::Null => 0u8.hash(hasher),
        Value::Bool(b) => (1u8, b).hash(hasher),
        Value::Number(n) => {
            (2u8, n.as_i64(), n.as_u64(), n.as_f64().map(f64::to_bits)).hash(hasher)
        }
        Value::String(s) => (3u8, s).hash(hasher),
        Value::Array(items) => {
            (4u8, items.len()).hash(hasher);
            for item in items {
                hash_json(item, hasher);
            }
        }
        Value::Object(map) => {
            (5u8, map.len()).hash(hasher);
            for (k, v) in map {
                k.hash(hasher);
                hash_json(v, hasher);
            }
        }
    }
}

/// A stable 64-bit hash of `value` (see [`crate::model::digest::KeyHasher`]:
/// the same input gives the same key in every run).
pub fn key_of<T: Hash + ?Sized>(value: &T) -> u64 {
    let mut hasher = crate::model::digest::key_hasher();
    value.hash(&mut hasher);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(text: &str) -> Result<Rendered, RenderError> {
        Ok(Rendered {
            bytes: text.as_bytes().to_vec().into(),
            extra: Arc::from(""),
        })
    }

    #[test]
    fn fragments_are_kept_like_pages_but_not_counted_as_pages() {
        let memo = Memo::enabled();
        memo.begin();
        memo.fragment("t#1", 1, || page("row")).expect("row");
        assert_eq!(memo.rendered(), 0, "a row is not a page");
        let again = memo
            .fragment("t#1", 1, || panic!("kept, not rendered again"))
            .expect("kept");
        assert_eq!(again.bytes.as_slice(), b"row");
        // A build that no longer has the row sweeps it.
        memo.begin();
        memo.sweep();
        let after = memo.fragment("t#1", 1, || page("new")).expect("new");
        assert_eq!(after.bytes.as_slice(), b"new");
    }

    #[test]
    fn the_rows_of_a_page_reused_whole_are_kept() {
        let memo = Memo::enabled();
        memo.begin();
        memo.fragment("t.html#1", 1, || page("row")).expect("row");
        memo.page("t.html", 1, || page("table")).expect("page");
        memo.sweep();
        // The page is reused whole: its row is not looked up, but kept.
        memo.begin();
        memo.page("t.html", 1, || panic!("kept")).expect("page");
        memo.sweep();
        memo.begin();
        let row = memo
            .fragment("t.html#1", 1, || panic!("the row was kept"))
            .expect("row");
        assert_eq!(row.bytes.as_slice(), b"row");
        // A build without the page drops its rows.
        memo.sweep();
        memo.begin();
        memo.sweep();
        let row = memo.fragment("t.html#1", 1, || page("new")).expect("row");
        assert_eq!(row.bytes.as_slice(), b"new");
    }

    #[test]
    fn reuses_a_page_while_its_key_holds() {
        let memo = Memo::enabled();
        memo.begin();
        assert_eq!(
            memo.page("a", 1, || page("one"))
                .expect("a")
                .bytes
                .as_slice(),
            b"one"
        );
        assert_eq!(
            memo.page("a", 1, || page("two"))
                .expect("a")
                .bytes
                .as_slice(),
            b"one"
        );
        assert_eq!(
            memo.page("a", 2, || page("two"))
                .expect("a")
                .bytes
                .as_slice(),
            b"two"
        );
        assert_eq!(memo.rendered(), 2);
    }

    #[test]
    fn a_digest_is_reused_only_for_the_same_bytes() {
        let memo = Memo::enabled();
        let a: crate::render::Bytes = Arc::new(b"abc".to_vec());
        let sha_abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        assert_eq!(memo.sha256_hex("x", &a), sha_abc);
        assert_eq!(memo.sha256_hex("x", &Arc::clone(&a)), sha_abc);
        // Equal path, other bytes (even at a recycled address): recomputed.
        let b: crate::render::Bytes = Arc::new(b"abd".to_vec());
        assert_ne!(memo.sha256_hex("x", &b), sha_abc);
        assert_eq!(memo.sha256_hex("y", &a), sha_abc);
        assert_eq!(Memo::default().sha256_hex("x", &a), sha_abc);
    }

    #[test]
    fn sweeps_pages_a_build_did_not_produce() {
        let memo = Memo::enabled();
        memo.begin();
        memo.page("a", 1, || page("a")).expect("a");
        memo.page("b", 1, || page("b")).expect("b");
        memo.begin();
        memo.page("a", 1, || page("x")).expect("a");
        memo.sweep();
        assert_eq!(
            memo.page("b", 1, || page("new"))
                .expect("b")
                .bytes
                .as_slice(),
            b"new"
        );
        assert_eq!(
            memo.page("a", 1, || page("x")).expect("a").bytes.as_slice(),
            b"a"
        );
    }

    #[test]
    fn json_hashes_see_structure() {
        let key = |v: serde_json::Value| {
            let mut h = crate::model::digest::key_hasher();
            hash_json(&v, &mut h);
            h.finish()
        };
        use serde_json::json;
        assert_ne!(key(json!(["a", "b"])), key(json!(["ab"])));
        assert_ne!(key(json!({"a": 1})), key(json!({"a": "1"})));
        assert_eq!(key(json!({"a": [1, null]})), key(json!({"a": [1, null]})));
    }

    #[test]
    fn a_disabled_memo_always_renders() {
        let memo = Memo::default();
        memo.begin();
        memo.page("a", 1, || page("one")).expect("a");
        assert_eq!(
            memo.page("a", 1, || page("two"))
                .expect("a")
                .bytes
                .as_slice(),
            b"two"
        );
    }

    #[test]
    fn errors_are_not_stored() {
        let memo = Memo::enabled();
        memo.begin();
        assert!(memo
            .page("a", 1, || Err(RenderError::export("x", "bad")))
            .is_err());
        assert_eq!(
            memo.page("a", 1, || page("ok"))
                .expect("a")
                .bytes
                .as_slice(),
            b"ok"
        );
    }
}
