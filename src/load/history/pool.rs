//! Reading objects on all cores.
//!
//! gitoxide's repository handle is cheap to clone into a thread-safe one
//! (`into_sync`) and back into a handle per thread (`to_thread_local`), each
//! with its own caches over the shared, memory-mapped pack files. Work is
//! split into a few contiguous runs per thread, after [`pack_order`] has
//! put the items in the order of their objects in the pack files.

use std::collections::HashMap;

use gix::objs::FindExt;
use rayon::prelude::*;

use super::{Fingerprint, FingerprintFn, HistoryError, Oid};

/// Below this many items a second thread costs more than it saves.
const SERIAL_LIMIT: usize = 64;

/// Runs per thread: enough to balance the load, few enough that the cold
/// start of each run's caches does not matter.
const RUNS_PER_THREAD: usize = 4;

/// Bytes of decoded objects (mostly trees) each thread keeps; trees of
/// neighbouring commits are read again and again.
const OBJECT_CACHE: usize = 16 << 20;

/// Bytes of rebuilt delta bases each thread keeps. gitoxide's default is
/// a list of 64 objects searched one by one; the versions of a long
/// history's trees and documents are stored as delta chains tens of objects
/// deep, interleaved with each other, so 64 entries keep too few bases and
/// the list is slow to search. A map capped by size keeps every base a
/// thread is still likely to need: read in pack order, 16 MB per thread
/// does as well as 64 MB did (the same processor time on the bench
/// corpus), and the larger cache only cost memory and the time to fault
/// it in (a cold check of 10,000 documents: 50 MB more, 5-10% slower).
const PACK_CACHE: usize = 16 << 20;

/// A handle for one thread, with an object cache and a delta-base cache.
fn handle(mut own: gix::Repository) -> gix::Repository {
    own.object_cache_size_if_unset(OBJECT_CACHE);
    own.objects.set_pack_cache(|| {
        Box::new(gix::odb::pack::cache::lru::MemoryCappedHashmap::new(
            PACK_CACHE,
        ))
    });
    own
}

/// Sorts `items` by where the object `id` gives for each is stored: by pack
/// file and offset, loose objects last.
///
/// A delta in a pack always follows its base, and gitoxide keeps the
/// objects it has just rebuilt in a cache that the next rebuild consults at
/// each step down a delta chain. Read in pack order, each version of a
/// tree or document is then usually one delta away from one in the cache;
/// read in history order it can be a whole chain away (the versions of one
/// path are stored as delta chains tens of objects deep), which made
/// reading a long history tens of times slower.
///
/// Positions come from the pack index files (read with gitoxide); objects
/// in alternates keep their relative order at the end.
pub(super) fn pack_order<T>(
    repo: &gix::Repository,
    items: &mut [T],
    id: impl Fn(&T) -> Option<Oid>,
) {
    let folder = repo.common_dir().join("objects").join("pack");
    let indexes: Vec<gix::odb::pack::index::File> = std::fs::read_dir(folder)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|entry| entry.path())
                .filter(|path| path.extension().is_some_and(|e| e == "idx"))
                .filter_map(|path| gix::odb::pack::index::File::at(path, repo.object_hash()).ok())
                .collect()
        })
        .unwrap_or_default();
    if indexes.is_empty() {
        return;
    }
    let position = |id: Oid| {
        indexes.iter().enumerate().find_map(|(pack, index)| {
            let entry = index.lookup(id)?;
            Some((pack, index.pack_offset_at_index(entry)))
        })
    };
    let mut keyed: Vec<(usize, u64, usize)> = items
        .iter()
        .enumerate()
        .map(|(at, item)| match id(item).and_then(position) {
            Some((pack, offset)) => (pack, offset, at),
            None => (usize::MAX, 0, at),
        })
        .collect();
    keyed.sort_unstable();
    let order: Vec<usize> = keyed.into_iter().map(|(_, _, at)| at).collect();
    apply_order(items, order);
}

/// Puts `items[order[i]]` at position `i`.
fn apply_order<T>(items: &mut [T], mut order: Vec<usize>) {
    // Cycle by cycle, so that no item needs to be cloned.
    for start in 0..order.len() {
        let mut current = start;
        while order[current] != start {
            let next = order[current];
            items.swap(current, next);
            order[current] = current;
            current = next;
        }
        order[current] = current;
    }
}

/// `work` applied to every item, in order, on all cores (on the calling
/// thread when there are few items). Stops at the first error.
///
/// Each run of items shares one `S` (buffers, diff state), so that reading
/// thousands of objects does not allocate and zero fresh buffers for each.
pub(super) fn map<T, S, R, F>(
    repo: &gix::Repository,
    items: &[T],
    work: F,
) -> Result<Vec<R>, HistoryError>
where
    T: Sync,
    S: Default,
    R: Send,
    F: Fn(&gix::Repository, &mut S, &T) -> Result<R, HistoryError> + Sync,
{
    let threads = rayon::current_num_threads();
    if threads < 2 || items.len() < SERIAL_LIMIT {
        let own = handle(repo.clone());
        let mut scratch = S::default();
        return items
            .iter()
            .map(|item| work(&own, &mut scratch, item))
            .collect();
    }
    let shared = repo.clone().into_sync();
    let chunk = items.len().div_ceil(threads * RUNS_PER_THREAD);
    let parts: Vec<Result<Vec<R>, HistoryError>> = items
        .par_chunks(chunk)
        .map(|part| {
            let own = handle(shared.to_thread_local());
            let mut scratch = S::default();
            part.iter()
                .map(|item| work(&own, &mut scratch, item))
                .collect()
        })
        .collect();
    let mut out = Vec::with_capacity(items.len());
    for part in parts {
        out.extend(part?);
    }
    Ok(out)
}

/// Fingerprints each blob in `blobs`, reading them on all cores and calling
/// the fingerprint function on the thread that read each one.
pub(super) fn fingerprint_blobs(
    repo: &gix::Repository,
    blobs: &[Oid],
    fingerprint: &FingerprintFn,
) -> Result<HashMap<Oid, Option<Fingerprint>>, HistoryError> {
    let mut blobs = blobs.to_vec();
    pack_order(repo, &mut blobs, |oid| Some(*oid));
    let done = map(repo, &blobs, |repo, buf: &mut Vec<u8>, oid| {
        let blob = repo
            .objects
            .find_blob(oid, buf)
            .map_err(|e| HistoryError::objects(format!("reading blob {oid}"), e))?;
        Ok((*oid, fingerprint(blob.data)))
    })?;
    Ok(done.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::apply_order;

    #[test]
    fn apply_order_permutes_as_told() {
        let mut items = vec!['a', 'b', 'c', 'd', 'e'];
        apply_order(&mut items, vec![3, 0, 4, 1, 2]);
        assert_eq!(items, vec!['d', 'a', 'e', 'b', 'c']);
    }
}
