//! Reading objects on all cores.
//!
//! gitoxide's repository handle is cheap to clone into a thread-safe one
//! (`into_sync`) and back into a handle per thread (`to_thread_local`), each
//! with its own caches over the shared, memory-mapped pack files. Work is
//! split into a few contiguous runs per thread: neighbouring items (commits
//! in topological order, blobs of one document) share most of the objects
//! they read, so each run keeps its own caches warm.

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

/// A handle for one thread, with an object cache.
fn handle(mut own: gix::Repository) -> gix::Repository {
    own.object_cache_size_if_unset(OBJECT_CACHE);
    own
}

/// `work` applied to every item, in order, on all cores (on the calling
/// thread when there are few items). Stops at the first error.
pub(super) fn map<T, R, F>(
    repo: &gix::Repository,
    items: &[T],
    work: F,
) -> Result<Vec<R>, HistoryError>
where
    T: Sync,
    R: Send,
    F: Fn(&gix::Repository, &T) -> Result<R, HistoryError> + Sync,
{
    let threads = rayon::current_num_threads();
    if threads < 2 || items.len() < SERIAL_LIMIT {
        let own = handle(repo.clone());
        return items.iter().map(|item| work(&own, item)).collect();
    }
    let shared = repo.clone().into_sync();
    let chunk = items.len().div_ceil(threads * RUNS_PER_THREAD);
    let parts: Vec<Result<Vec<R>, HistoryError>> = items
        .par_chunks(chunk)
        .map(|part| {
            let own = handle(shared.to_thread_local());
            part.iter().map(|item| work(&own, item)).collect()
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
    let done = map(repo, blobs, |repo, oid| {
        let mut buf = Vec::new();
        let blob = repo
            .objects
            .find_blob(oid, &mut buf)
            .map_err(|e| HistoryError::objects(format!("reading blob {oid}"), e))?;
        Ok((*oid, fingerprint(blob.data)))
    })?;
    Ok(done.into_iter().collect())
}
