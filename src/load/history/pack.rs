//! Reading trees and blobs straight from the pack files.
//!
//! Reading history means reading every version of the ISMS folder's trees
//! and of its documents, and packs store nearly all of them as deltas
//! against other versions, in chains up to 50 deep. Through libgit2 that is
//! slow for reasons outside our control: its cache of delta bases is 16 MiB
//! and is emptied completely when full, so chains are rebuilt over and
//! over, and its pack access is serialised behind process-wide locks, so a
//! second thread makes things slower. This reader
//!
//! - keeps every object it rebuilds in its own cache (one per thread, so
//!   threads never wait for each other), which makes reading consecutive
//!   versions cost one delta each ([`Reader`]);
//! - reads a batch of blobs by walking the delta chains from their bases
//!   ([`Packs::read_many`]), so that each version in the chains is rebuilt
//!   exactly once, on all cores;
//! - reads the pack file in large windows shared by all threads once many
//!   objects are wanted, and entry by entry while they are few (when most
//!   of the history comes from the cache).
//!
//! It only handles what it fully understands: version 2 pack indexes with
//! SHA-1 ids, and pack entries whose bases are in the same pack. Anything
//! else (loose objects, alternates, a damaged pack, another object format)
//! makes it answer "not here", and the caller reads the object through
//! libgit2 instead, so the results never depend on which path was taken.

use std::collections::{HashMap, HashSet};
use std::fs::{self, File};
use std::hash::BuildHasherDefault;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use git2::Oid;
use rayon::prelude::*;

use super::inflate::{self, InflateError};

/// Length of a SHA-1 object id.
const RAW_ID: usize = 20;

/// Indexes with more objects than this get a 16-bit fanout table.
const FANOUT16_FROM: usize = 1 << 16;

/// Bytes of a pack file read at once. Windows overlap by [`OVERLAP`] so
/// that an entry smaller than that never needs two of them.
const WINDOW: u64 = 8 << 20;
const OVERLAP: u64 = 256 << 10;

/// File windows kept in memory, all packs together. Beyond that the least
/// recently used are dropped and read again when needed.
const WINDOW_BUDGET: usize = 256 << 20;

/// Bytes of rebuilt objects each [`Reader`] keeps. Comparing commits
/// newest first walks back along the delta chains of every folder's tree
/// at once, and the chains' versions must stay cached until they are
/// reached: with 16 MiB reading a 20,000-commit history took 25% longer.
const OBJECT_BUDGET: usize = 48 << 20;

/// Longest delta chain followed; longer ones mean a damaged pack (git
/// itself writes at most 4095, by default 50).
const MAX_CHAIN: usize = 10_000;

/// Bytes of an object, shared without copying (`Arc<[u8]>` would copy the
/// buffer once more when built from a `Vec`).
pub(super) type Bytes = Arc<Vec<u8>>;

/// A hasher for keys that are already well spread (object ids, outputs of
/// a cryptographic hash) or small numbers (pack positions): the default
/// SipHash shows up in profiles of the maps the readers consult for every
/// object, this costs a multiply per word. Its resistance to crafted keys
/// is not needed for the repository the user asked to check.
#[derive(Default)]
pub(super) struct FastHasher(u64);

impl std::hash::Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for word in words.by_ref() {
            let mut buf = [0u8; 8];
            buf.copy_from_slice(word);
            self.write_u64(u64::from_le_bytes(buf));
        }
        for &byte in words.remainder() {
            self.write_u64(u64::from(byte));
        }
    }

    fn write_u64(&mut self, n: u64) {
        // The multiplier of FxHash (rustc's own hasher).
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// A map with [`FastHasher`].
pub(super) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHasher>>;

/// Kind of a (non-delta) object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Commit,
    Tree,
    Blob,
    Tag,
}

/// What a pack entry holds.
#[derive(Clone, Copy, Debug)]
enum Stored {
    /// A whole object.
    Whole(Kind),
    /// A delta against the entry at this offset of the same pack.
    Delta(u64),
}

/// A parsed pack entry header.
#[derive(Clone, Copy, Debug)]
struct Entry {
    stored: Stored,
    /// Inflated size: of the object, or of the delta.
    size: usize,
    /// Offset of the compressed data.
    data: u64,
}

/// One `.idx` file (version 2), kept as bytes and searched in place.
struct Index {
    data: Vec<u8>,
    count: usize,
    /// For large indexes: where the ids with each 16-bit prefix start (one
    /// more entry for the end). Ids are uniformly spread, so this narrows a
    /// search to a handful of entries; a binary search over the whole
    /// 8-bit bucket would miss the processor cache at each step.
    fanout16: Vec<u32>,
}

impl Index {
    const HEADER: usize = 8;
    const FANOUT: usize = 256 * 4;

    fn parse(data: Vec<u8>) -> Option<Index> {
        if data.get(..Self::HEADER)? != b"\xfftOc\x00\x00\x00\x02" {
            return None;
        }
        let count = usize::try_from(be32(&data, Self::HEADER + 255 * 4)?).ok()?;
        // Ids, CRCs and 32-bit offsets, then the two trailing checksums.
        let tables = count
            .checked_mul(RAW_ID + 4 + 4)?
            .checked_add(Self::HEADER + Self::FANOUT + 2 * RAW_ID)?;
        if data.len() < tables {
            return None;
        }
        let mut index = Index {
            data,
            count,
            fanout16: Vec::new(),
        };
        if count > FANOUT16_FROM {
            let mut fanout = vec![0u32; (1 << 16) + 1];
            for i in 0..count {
                let id = index.id(i);
                fanout[usize::from(u16::from_be_bytes([id[0], id[1]])) + 1] += 1;
            }
            for i in 1..fanout.len() {
                fanout[i] += fanout[i - 1];
            }
            index.fanout16 = fanout;
        }
        Some(index)
    }

    fn id(&self, i: usize) -> &[u8] {
        let start = Self::HEADER + Self::FANOUT + i * RAW_ID;
        &self.data[start..start + RAW_ID]
    }

    /// The first eight bytes of an id as a number, which orders ids the
    /// same way as their bytes and compares in one instruction.
    fn prefix(id: &[u8]) -> u64 {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(&id[..8]);
        u64::from_be_bytes(bytes)
    }

    /// Pack offset of `id`, if this index lists it.
    fn offset(&self, id: &[u8]) -> Option<u64> {
        if id.len() != RAW_ID {
            return None;
        }
        let (mut low, mut high) = if self.fanout16.is_empty() {
            let first = usize::from(id[0]);
            let low = match first {
                0 => 0,
                _ => usize::try_from(be32(&self.data, Self::HEADER + (first - 1) * 4)?).ok()?,
            };
            let high = usize::try_from(be32(&self.data, Self::HEADER + first * 4)?).ok()?;
            (low, high)
        } else {
            let prefix = usize::from(u16::from_be_bytes([id[0], id[1]]));
            let low = usize::try_from(*self.fanout16.get(prefix)?).ok()?;
            let high = usize::try_from(*self.fanout16.get(prefix + 1)?).ok()?;
            (low, high)
        };
        if low > high || high > self.count {
            return None;
        }
        let needle = Self::prefix(id);
        while low < high {
            let mid = (low + high) / 2;
            let here = self.id(mid);
            let order = Self::prefix(here).cmp(&needle).then_with(|| here.cmp(id));
            match order {
                std::cmp::Ordering::Less => low = mid + 1,
                std::cmp::Ordering::Greater => high = mid,
                std::cmp::Ordering::Equal => return self.offset_at(mid),
            }
        }
        None
    }

    fn offset_at(&self, i: usize) -> Option<u64> {
        let small = Self::HEADER + Self::FANOUT + self.count * (RAW_ID + 4) + i * 4;
        let value = be32(&self.data, small)?;
        if value & 0x8000_0000 == 0 {
            return Some(u64::from(value));
        }
        let large = Self::HEADER + Self::FANOUT + self.count * (RAW_ID + 8);
        let at = large + usize::try_from(value & 0x7fff_ffff).ok()? * 8;
        let bytes = self.data.get(at..at + 8)?;
        Some(u64::from_be_bytes(bytes.try_into().ok()?))
    }

    /// The checksum of the pack file this index describes.
    fn pack_checksum(&self) -> &[u8] {
        let end = self.data.len() - RAW_ID;
        &self.data[end - RAW_ID..end]
    }
}

fn be32(data: &[u8], at: usize) -> Option<u32> {
    let bytes = data.get(at..at + 4)?;
    Some(u32::from_be_bytes(bytes.try_into().ok()?))
}

/// Reads `buf.len()` bytes at `offset` without moving a shared cursor, so
/// that threads can read the same file at once.
#[cfg(unix)]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

#[cfg(windows)]
fn read_at(file: &File, mut buf: &mut [u8], mut offset: u64) -> std::io::Result<()> {
    while !buf.is_empty() {
        match std::os::windows::fs::FileExt::seek_read(file, buf, offset) {
            Ok(0) => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => {
                buf = &mut buf[n..];
                offset += n as u64;
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

#[cfg(not(any(unix, windows)))]
fn read_at(_file: &File, _buf: &mut [u8], _offset: u64) -> std::io::Result<()> {
    Err(std::io::ErrorKind::Unsupported.into())
}

/// File windows shared by all threads, least recently used dropped first.
#[derive(Default)]
struct Windows {
    map: FastMap<(usize, u64), (Bytes, u64)>,
    bytes: usize,
    clock: u64,
}

impl Windows {
    fn get(&mut self, pack: usize, start: u64) -> Option<Bytes> {
        self.clock += 1;
        let (bytes, used) = self.map.get_mut(&(pack, start))?;
        *used = self.clock;
        Some(Arc::clone(bytes))
    }

    /// Adds a window read by the caller, unless another thread added it
    /// meanwhile, and returns the one kept.
    fn insert(&mut self, pack: usize, start: u64, bytes: Bytes) -> Bytes {
        if let Some(found) = self.get(pack, start) {
            return found;
        }
        self.bytes += bytes.len();
        self.map
            .insert((pack, start), (Arc::clone(&bytes), self.clock));
        while self.bytes > WINDOW_BUDGET && self.map.len() > 1 {
            let oldest = self
                .map
                .iter()
                .min_by_key(|(_, (_, used))| *used)
                .map(|(key, _)| *key);
            match oldest.and_then(|key| self.map.remove(&key)) {
                Some((dropped, _)) => self.bytes -= dropped.len(),
                None => break,
            }
        }
        bytes
    }
}

/// One pack file and its index.
struct Pack {
    index: Index,
    file: File,
    len: u64,
}

/// The pack files of a repository, readable from any number of threads.
/// Nothing is read until an object is asked for: with an up-to-date cache
/// a run needs no object at all.
pub(super) struct Packs {
    objects: PathBuf,
    packs: OnceLock<Vec<Pack>>,
    windows: Mutex<Windows>,
}

impl Packs {
    /// The packs in `<objects>/pack`.
    pub(super) fn open(objects: &Path) -> Packs {
        Packs {
            objects: objects.to_path_buf(),
            packs: OnceLock::new(),
            windows: Mutex::new(Windows::default()),
        }
    }

    /// Opens `<objects>/pack/*.pack` with their indexes on first use. Packs
    /// that cannot be used are skipped: their objects are then read through
    /// libgit2.
    fn list(&self) -> &[Pack] {
        self.packs.get_or_init(|| {
            let Ok(entries) = fs::read_dir(self.objects.join("pack")) else {
                return Vec::new();
            };
            let mut paths: Vec<_> = entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "idx"))
                .collect();
            paths.sort();
            paths.iter().filter_map(|p| Pack::open(p)).collect()
        })
    }

    /// Total size of the pack files.
    fn bytes(&self) -> u64 {
        self.list().iter().map(|p| p.len).sum()
    }

    /// `(pack number, offset)` of `id`, `None` when no pack holds it.
    fn locate(&self, id: Oid) -> Option<(usize, u64)> {
        let raw = id.as_bytes();
        if raw.len() != RAW_ID {
            return None;
        }
        self.list()
            .iter()
            .enumerate()
            .find_map(|(pack, p)| p.index.offset(raw).map(|offset| (pack, offset)))
    }

    /// The window of `pack` that starts at `start`. The file is read
    /// without holding the lock, so threads wait for each other only to
    /// look windows up.
    fn window(&self, pack: usize, start: u64) -> Option<Bytes> {
        let lock = || self.windows.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(found) = lock().get(pack, start) {
            return Some(found);
        }
        let p = self.list().get(pack)?;
        let end = p.len.min(start + WINDOW + OVERLAP);
        let mut buf = vec![0u8; usize::try_from(end.checked_sub(start)?).ok()?];
        read_at(&p.file, &mut buf, start).ok()?;
        Some(lock().insert(pack, start, Arc::new(buf)))
    }

    /// Reads the blobs `ids`, rebuilding each version in their delta
    /// chains once, on all cores, and returns `f` of each blob's bytes. The
    /// ids it could not read (not in a pack, not a blob, damaged) are
    /// returned separately, for the caller to read another way.
    pub(super) fn read_many<T: Send>(
        &self,
        ids: &[Oid],
        f: &(dyn Fn(&[u8]) -> T + Sync),
    ) -> (Vec<(Oid, T)>, Vec<Oid>) {
        let mut forest = Forest::default();
        let mut unread = Vec::new();
        let sparse = if ids.len() < DENSE_BATCH {
            usize::MAX
        } else {
            0
        };
        let mut cursor = Cursor::new(self, sparse);
        for &id in ids {
            match self.locate(id) {
                Some(at) => forest.add(&mut cursor, id, at),
                None => unread.push(id),
            }
        }
        let roots: Vec<usize> = (0..forest.nodes.len())
            .filter(|&n| forest.nodes[n].parent.is_none())
            .collect();
        let results: Vec<Rebuilt<T>> = roots
            .par_iter()
            .map(|&root| forest.rebuild(self, root, sparse, f))
            .collect();
        let mut read = Vec::with_capacity(ids.len());
        for (done, failed) in results {
            read.extend(done);
            unread.extend(failed);
        }
        // Only a damaged pack (a delta chain that loops) leaves ids out;
        // they go the other way too.
        if read.len() + unread.len() < ids.len() {
            let answered: HashSet<Oid> = read
                .iter()
                .map(|(id, _)| *id)
                .chain(unread.iter().copied())
                .collect();
            unread.extend(ids.iter().filter(|id| !answered.contains(id)));
        }
        (read, unread)
    }
}

/// Windows recently used by one thread, so that most reads of pack bytes
/// take no lock.
const CURSOR_WINDOWS: usize = 8;

/// Longest entry header: type and size (up to 10 bytes) and a base id.
const HEADER_MAX: usize = 32;

/// Bytes read at once in sparse mode: the header and data of most entries.
const SPARSE_READ: usize = 1024;

/// Entries a cursor reads one by one before it switches to windows: enough
/// for the trees at HEAD, few enough that a full history soon stops paying
/// a system call per object.
const SPARSE_READS: usize = 4096;

/// Packs this small (all together) are read in windows from the start:
/// loading them whole costs less than a few hundred separate reads.
const SMALL_PACKS: u64 = 32 << 20;

/// Batches of blobs at least this large are read through windows.
const DENSE_BATCH: usize = 256;

/// Reads pack entries for one thread: headers, inflated data, deltas.
struct Cursor<'p> {
    packs: &'p Packs,
    /// Entries still to read with their own small read before loading
    /// windows. Loading the whole pack in large windows is cheapest when
    /// most of it is needed (a history read without a cache), but wasteful
    /// for a few hundred objects scattered over a large pack, such as the
    /// trees at HEAD when everything else comes from the cache.
    sparse: usize,
    /// `(pack, window start, bytes)`, most recently used last.
    windows: Vec<(usize, u64, Bytes)>,
    /// Bytes last read in sparse mode: `(pack, offset)` and the bytes.
    buffer: Vec<u8>,
    buffer_at: Option<(usize, u64)>,
    /// Reused buffer for inflated deltas, which are needed only briefly.
    scratch: Vec<u8>,
}

impl<'p> Cursor<'p> {
    /// A cursor that reads the first `sparse` entries on their own.
    fn new(packs: &'p Packs, sparse: usize) -> Self {
        Cursor {
            packs,
            sparse,
            windows: Vec::with_capacity(CURSOR_WINDOWS),
            buffer: Vec::new(),
            buffer_at: None,
            scratch: Vec::new(),
        }
    }

    /// The bytes of `pack` from `offset`: in sparse mode at least `want` of
    /// them when they have to be read (fewer at the end of the file), but
    /// possibly fewer when the last read holds `offset`; otherwise up to the
    /// end of the window holding `offset` (at least [`OVERLAP`] unless the
    /// file ends). Either way at least [`HEADER_MAX`] unless the file ends.
    fn bytes(&mut self, pack: usize, offset: u64, want: usize) -> Option<&[u8]> {
        if self.sparse > 0 {
            let p = self.packs.list().get(pack)?;
            // Serve the data of an entry from the read of its header: it
            // holds the whole stream of most entries, and an inflate that
            // runs out of bytes reads the rest itself.
            let needed = p.len.min(offset.checked_add(want.min(HEADER_MAX) as u64)?);
            if let Some((at_pack, at)) = self.buffer_at {
                let held = at + self.buffer.len() as u64;
                if at_pack == pack && at <= offset && needed <= held {
                    return self.buffer.get(usize::try_from(offset - at).ok()?..);
                }
            }
            self.sparse -= 1;
            let end = p.len.min(offset.checked_add(want.max(SPARSE_READ) as u64)?);
            let len = usize::try_from(end.checked_sub(offset)?).ok()?;
            self.buffer.clear();
            self.buffer.resize(len, 0);
            self.buffer_at = None;
            read_at(&p.file, &mut self.buffer, offset).ok()?;
            self.buffer_at = Some((pack, offset));
            return Some(&self.buffer);
        }
        let start = offset / WINDOW * WINDOW;
        let found = self
            .windows
            .iter()
            .rposition(|(p, s, _)| *p == pack && *s == start);
        let index = match found {
            Some(index) => index,
            None => {
                let window = self.packs.window(pack, start)?;
                if self.windows.len() == CURSOR_WINDOWS {
                    self.windows.remove(0);
                }
                self.windows.push((pack, start, window));
                self.windows.len() - 1
            }
        };
        let from = usize::try_from(offset - start).ok()?;
        self.windows[index].2.get(from..)
    }

    /// Parses the entry header at `offset`.
    fn entry(&mut self, pack: usize, offset: u64) -> Option<Entry> {
        let index = &self.packs.list().get(pack)?.index;
        let bytes = self.bytes(pack, offset, HEADER_MAX)?;
        let mut at = 0;
        let mut byte = *bytes.get(at)?;
        at += 1;
        let kind = (byte >> 4) & 7;
        let mut size = u64::from(byte & 15);
        let mut shift = 4;
        while byte & 0x80 != 0 {
            byte = *bytes.get(at)?;
            at += 1;
            if shift > 57 {
                return None;
            }
            size |= u64::from(byte & 0x7f) << shift;
            shift += 7;
        }
        let stored = match kind {
            1 => Stored::Whole(Kind::Commit),
            2 => Stored::Whole(Kind::Tree),
            3 => Stored::Whole(Kind::Blob),
            4 => Stored::Whole(Kind::Tag),
            6 => {
                byte = *bytes.get(at)?;
                at += 1;
                let mut back = u64::from(byte & 0x7f);
                while byte & 0x80 != 0 {
                    byte = *bytes.get(at)?;
                    at += 1;
                    back = back.checked_add(1)?.checked_mul(128)? | u64::from(byte & 0x7f);
                }
                Stored::Delta(offset.checked_sub(back).filter(|_| back > 0)?)
            }
            7 => {
                let base = bytes.get(at..at + RAW_ID)?;
                at += RAW_ID;
                Stored::Delta(index.offset(base)?)
            }
            _ => return None,
        };
        Some(Entry {
            stored,
            size: usize::try_from(size).ok()?,
            data: offset + at as u64,
        })
    }

    /// Inflates the data of `entry` into `out` (replacing its contents).
    fn inflate_into(&mut self, pack: usize, entry: &Entry, out: &mut Vec<u8>) -> Option<()> {
        // Deflate never grows data by more than a few bytes per block.
        let bound = entry.size + entry.size / 8 + 1024;
        let first = inflate::zlib_into(self.bytes(pack, entry.data, bound)?, entry.size, out);
        match first {
            Ok(_) => Some(()),
            // The stream runs past the window or the sparse read: read
            // all the bytes it can take.
            Err(InflateError::Truncated) => {
                let p = self.packs.list().get(pack)?;
                let end = p.len.min(entry.data + bound as u64);
                let mut buf = vec![0u8; usize::try_from(end.checked_sub(entry.data)?).ok()?];
                read_at(&p.file, &mut buf, entry.data).ok()?;
                inflate::zlib_into(&buf, entry.size, out).ok().map(|_| ())
            }
            Err(InflateError::Invalid) => None,
        }
    }

    /// Inflates a whole object.
    fn inflate(&mut self, pack: usize, entry: &Entry) -> Option<Vec<u8>> {
        let mut out = Vec::new();
        self.inflate_into(pack, entry, &mut out)?;
        Some(out)
    }

    /// Inflates the delta of `entry` and applies it to `base`.
    fn rebuild(&mut self, pack: usize, entry: &Entry, base: &[u8]) -> Option<Vec<u8>> {
        let mut delta = std::mem::take(&mut self.scratch);
        let rebuilt = self
            .inflate_into(pack, entry, &mut delta)
            .and_then(|()| apply_delta(base, &delta));
        self.scratch = delta;
        rebuilt
    }
}

impl Pack {
    fn open(idx: &Path) -> Option<Pack> {
        let index = Index::parse(fs::read(idx).ok()?)?;
        let file = File::open(idx.with_extension("pack")).ok()?;
        let len = file.metadata().ok()?.len();
        let mut head = [0u8; 12];
        read_at(&file, &mut head, 0).ok()?;
        let version = u32::from_be_bytes([head[4], head[5], head[6], head[7]]);
        if &head[..4] != b"PACK" || !(2..=3).contains(&version) {
            return None;
        }
        // The index must describe this very pack (same trailing checksum).
        let mut checksum = [0u8; RAW_ID];
        read_at(&file, &mut checksum, len.checked_sub(RAW_ID as u64)?).ok()?;
        if checksum[..] != *index.pack_checksum() {
            return None;
        }
        Some(Pack { index, file, len })
    }
}

/// Rebuilt objects by `(pack, offset)`, for one thread.
///
/// Two generations approximate least-recently-used cheaply: new objects go
/// into `young`; when it is full it becomes `old` (dropping the previous
/// `old`), and an object found in `old` moves back into `young`.
#[derive(Default)]
struct Cache {
    young: FastMap<(usize, u64), (Kind, Bytes)>,
    old: FastMap<(usize, u64), (Kind, Bytes)>,
    young_bytes: usize,
}

impl Cache {
    fn get(&mut self, key: (usize, u64)) -> Option<(Kind, Bytes)> {
        if let Some((kind, data)) = self.young.get(&key) {
            return Some((*kind, Arc::clone(data)));
        }
        let (kind, data) = self.old.remove(&key)?;
        self.put(key, kind, Arc::clone(&data));
        Some((kind, data))
    }

    fn put(&mut self, key: (usize, u64), kind: Kind, data: Bytes) {
        if self.young_bytes + data.len() > OBJECT_BUDGET / 2 {
            self.old = std::mem::take(&mut self.young);
            self.young_bytes = 0;
        }
        self.young_bytes += data.len();
        self.young.insert(key, (kind, data));
    }
}

/// Reads single objects, for one thread, keeping what it rebuilds.
pub(super) struct Reader<'p> {
    packs: &'p Packs,
    cursor: Cursor<'p>,
    cache: Cache,
}

impl<'p> Reader<'p> {
    /// A reader that reads its first [`SPARSE_READS`] entries one by one
    /// and then loads the pack in windows (see [`Cursor::sparse`]); for
    /// small packs, windows right away.
    pub(super) fn new(packs: &'p Packs) -> Self {
        let sparse = if packs.bytes() <= SMALL_PACKS {
            0
        } else {
            SPARSE_READS
        };
        Reader {
            packs,
            cursor: Cursor::new(packs, sparse),
            cache: Cache::default(),
        }
    }

    /// The object `id` and its kind, or `None` when this reader cannot
    /// read it (the caller then asks libgit2).
    pub(super) fn read(&mut self, id: Oid) -> Option<(Kind, Bytes)> {
        let (pack, offset) = self.packs.locate(id)?;
        // Walk down the chain to a cached object or a whole one.
        let mut chain: Vec<(u64, Entry)> = Vec::new();
        let mut at = offset;
        let (kind, mut data) = loop {
            if let Some(found) = self.cache.get((pack, at)) {
                break found;
            }
            let entry = self.cursor.entry(pack, at)?;
            match entry.stored {
                Stored::Whole(kind) => {
                    let data: Bytes = Arc::new(self.cursor.inflate(pack, &entry)?);
                    self.cache.put((pack, at), kind, Arc::clone(&data));
                    break (kind, data);
                }
                Stored::Delta(base) => {
                    if chain.len() >= MAX_CHAIN {
                        return None;
                    }
                    chain.push((at, entry));
                    at = base;
                }
            }
        };
        // Then apply the deltas on the way back up, keeping each version.
        for (at, entry) in chain.iter().rev() {
            data = Arc::new(self.cursor.rebuild(pack, entry, &data)?);
            self.cache.put((pack, *at), kind, Arc::clone(&data));
        }
        Some((kind, data))
    }

    /// Like [`Reader::read`] for an object read only once (a commit): a
    /// whole object skips the cache, which would only cost time.
    pub(super) fn read_once(&mut self, id: Oid) -> Option<(Kind, Vec<u8>)> {
        let (pack, offset) = self.packs.locate(id)?;
        if self.cache.get((pack, offset)).is_none() {
            let entry = self.cursor.entry(pack, offset)?;
            if let Stored::Whole(kind) = entry.stored {
                return Some((kind, self.cursor.inflate(pack, &entry)?));
            }
        }
        self.read(id).map(|(kind, data)| (kind, data.to_vec()))
    }
}

/// What rebuilding one tree of a [`Forest`] gave: `f` of each wanted blob,
/// and the ids of those that could not be rebuilt.
type Rebuilt<T> = (Vec<(Oid, T)>, Vec<Oid>);

/// The delta chains of a batch of blobs, as a forest: each node is a pack
/// entry, its parent the entry it is a delta against.
#[derive(Default)]
struct Forest {
    nodes: Vec<Node>,
    by_place: FastMap<(usize, u64), usize>,
}

struct Node {
    pack: usize,
    entry: Option<Entry>,
    parent: Option<usize>,
    children: Vec<usize>,
    /// Blobs wanted at this entry (one, unless the caller repeated an id).
    wanted: Vec<Oid>,
}

impl Forest {
    /// Adds `id`, stored at `at`, and the chain below it.
    fn add(&mut self, cursor: &mut Cursor<'_>, id: Oid, at: (usize, u64)) {
        let mut child: Option<usize> = None;
        let mut place = at;
        let mut steps = 0;
        loop {
            if let Some(&node) = self.by_place.get(&place) {
                self.link(node, child);
                if child.is_none() {
                    self.nodes[node].wanted.push(id);
                }
                return;
            }
            let entry = cursor.entry(place.0, place.1);
            let node = self.nodes.len();
            self.nodes.push(Node {
                pack: place.0,
                entry,
                parent: None,
                children: Vec::new(),
                wanted: Vec::new(),
            });
            self.by_place.insert(place, node);
            self.link(node, child);
            if child.is_none() {
                self.nodes[node].wanted.push(id);
            }
            steps += 1;
            match entry.map(|e| e.stored) {
                Some(Stored::Delta(base)) if steps < MAX_CHAIN => {
                    child = Some(node);
                    place = (place.0, base);
                }
                // A whole object, or a chain that cannot be followed (the
                // node stays a root without data and fails as a whole).
                _ => return,
            }
        }
    }

    fn link(&mut self, parent: usize, child: Option<usize>) {
        if let Some(child) = child {
            self.nodes[child].parent = Some(parent);
            self.nodes[parent].children.push(child);
        }
    }

    /// Every wanted id in the tree below `node`, for reporting failures.
    fn wanted_below(&self, node: usize, out: &mut Vec<Oid>) {
        let mut stack = vec![node];
        while let Some(n) = stack.pop() {
            out.extend(&self.nodes[n].wanted);
            stack.extend(&self.nodes[n].children);
        }
    }

    /// Rebuilds the tree of versions below `root`, depth first, keeping
    /// only the versions on the current path in memory. `sparse` is passed
    /// to the [`Cursor`].
    fn rebuild<T>(
        &self,
        packs: &Packs,
        root: usize,
        sparse: usize,
        f: &(dyn Fn(&[u8]) -> T + Sync),
    ) -> Rebuilt<T> {
        let mut done = Vec::new();
        let mut failed = Vec::new();
        let mut cursor = Cursor::new(packs, sparse);
        let whole = match self.nodes[root].entry {
            Some(
                entry @ Entry {
                    stored: Stored::Whole(Kind::Blob),
                    ..
                },
            ) => cursor.inflate(self.nodes[root].pack, &entry),
            _ => None,
        };
        let Some(whole) = whole else {
            self.wanted_below(root, &mut failed);
            return (done, failed);
        };
        // (node, its bytes, next child to visit)
        let mut stack: Vec<(usize, Vec<u8>, usize)> = vec![(root, whole, 0)];
        for id in &self.nodes[root].wanted {
            done.push((*id, f(&stack[0].1)));
        }
        while let Some((node, data, next)) = stack.last_mut() {
            let Some(&child) = self.nodes[*node].children.get(*next) else {
                stack.pop();
                continue;
            };
            *next += 1;
            let rebuilt = self.nodes[child]
                .entry
                .and_then(|entry| cursor.rebuild(self.nodes[child].pack, &entry, data));
            let Some(rebuilt) = rebuilt else {
                self.wanted_below(child, &mut failed);
                continue;
            };
            for id in &self.nodes[child].wanted {
                done.push((*id, f(&rebuilt)));
            }
            if self.nodes[child].children.is_empty() {
                continue;
            }
            stack.push((child, rebuilt, 0));
        }
        (done, failed)
    }
}

/// Reads one size from a delta header (little-endian base-128).
fn delta_size(delta: &[u8], at: &mut usize) -> Option<usize> {
    let mut size = 0usize;
    let mut shift = 0;
    loop {
        let byte = *delta.get(*at)?;
        *at += 1;
        if shift > 57 {
            return None;
        }
        size |= usize::from(byte & 0x7f) << shift;
        shift += 7;
        if byte & 0x80 == 0 {
            return Some(size);
        }
    }
}

/// Applies a git delta to `base`. `None` when the delta does not fit the
/// base or is malformed.
fn apply_delta(base: &[u8], delta: &[u8]) -> Option<Vec<u8>> {
    let mut at = 0;
    if delta_size(delta, &mut at)? != base.len() {
        return None;
    }
    let size = delta_size(delta, &mut at)?;
    let mut out = Vec::with_capacity(size);
    while let Some(&op) = delta.get(at) {
        at += 1;
        if op & 0x80 != 0 {
            // Copy from the base: which offset and size bytes follow is
            // given by the low seven bits.
            let mut value = [0usize; 7];
            for (bit, slot) in value.iter_mut().enumerate() {
                if op & (1 << bit) != 0 {
                    *slot = usize::from(*delta.get(at)?);
                    at += 1;
                }
            }
            let offset = value[0] | value[1] << 8 | value[2] << 16 | value[3] << 24;
            let mut len = value[4] | value[5] << 8 | value[6] << 16;
            if len == 0 {
                len = 0x10000;
            }
            out.extend_from_slice(base.get(offset..offset.checked_add(len)?)?);
        } else if op != 0 {
            let len = usize::from(op);
            out.extend_from_slice(delta.get(at..at + len)?);
            at += len;
        } else {
            return None;
        }
        if out.len() > size {
            return None;
        }
    }
    (out.len() == size).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delta_copies_and_inserts() {
        let base = b"0123456789";
        // base size 10, result size 7: copy 3 bytes from offset 2, insert
        // "ab", copy 2 bytes from offset 8.
        let delta = [10, 7, 0x91, 2, 3, 2, b'a', b'b', 0x91, 8, 2];
        assert_eq!(apply_delta(base, &delta), Some(b"234ab89".to_vec()));
        // Wrong base size, copy beyond the base, short result.
        assert_eq!(apply_delta(b"012", &delta), None);
        assert_eq!(apply_delta(base, &[10, 3, 0x91, 9, 3]), None);
        assert_eq!(apply_delta(base, &[10, 3, 1, b'x']), None);
    }
}
