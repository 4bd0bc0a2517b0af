//! Fingerprinting blobs on all cores.
//!
//! Blobs in pack files are read by the pack reader, which rebuilds the
//! delta chains of the whole batch once, on all cores, and calls the
//! fingerprint function (which parses front matter and hashes the body) on
//! the thread that rebuilt each blob.
//!
//! What it cannot read (loose objects, alternates) goes through libgit2.
//! libgit2 serialises pack access behind process-wide locks, so several
//! threads reading objects at once spend more time waiting for each other
//! than they save: there one thread reads and only the fingerprint function
//! runs in parallel.

use std::collections::HashMap;
use std::path::Path;
use std::sync::mpsc::sync_channel;

use git2::{Oid, Repository};
use rayon::prelude::*;

use super::pack::Packs;
use super::{Fingerprint, FingerprintFn, HistoryError};

/// Below this many blobs a second thread costs more than it saves.
const SERIAL_LIMIT: usize = 64;

/// Blobs handed from the reader to the fingerprinting side at a time.
const BATCH: usize = 256;

/// Fingerprints each blob in `blobs`. `repo` is used for the few the pack
/// reader cannot read; when there are many, a reader thread opens its own
/// handle on `git_dir`.
pub(super) fn fingerprint_blobs(
    repo: &Repository,
    git_dir: &Path,
    packs: &Packs,
    blobs: &[Oid],
    fingerprint: &FingerprintFn,
) -> Result<HashMap<Oid, Option<Fingerprint>>, HistoryError> {
    let (read, rest) = packs.read_many(blobs, fingerprint);
    let mut out: HashMap<Oid, Option<Fingerprint>> = read.into_iter().collect();
    out.extend(through_libgit2(repo, git_dir, &rest, fingerprint)?);
    Ok(out)
}

/// Reads each blob with libgit2 and passes its bytes to the fingerprint
/// function: on the calling thread when there are few, otherwise on a
/// reader thread while all cores fingerprint.
fn through_libgit2(
    repo: &Repository,
    git_dir: &Path,
    blobs: &[Oid],
    fingerprint: &FingerprintFn,
) -> Result<HashMap<Oid, Option<Fingerprint>>, HistoryError> {
    fn read(repo: &Repository, oid: Oid) -> Result<git2::Blob<'_>, HistoryError> {
        repo.find_blob(oid)
            .map_err(|e| HistoryError::git(format!("reading blob {oid}"), e))
    }
    if blobs.len() < SERIAL_LIMIT {
        return blobs
            .iter()
            .map(|&oid| Ok((oid, fingerprint(read(repo, oid)?.content()))))
            .collect();
    }

    // Bounded, so memory stays small however many blobs there are.
    let (send, receive) = sync_channel::<Vec<(Oid, Vec<u8>)>>(4);
    std::thread::scope(|scope| {
        let reader = scope.spawn(move || -> Result<(), HistoryError> {
            let repo = Repository::open(git_dir)
                .map_err(|e| HistoryError::git("opening the repository again", e))?;
            for chunk in blobs.chunks(BATCH) {
                let mut batch = Vec::with_capacity(chunk.len());
                for &oid in chunk {
                    batch.push((oid, read(&repo, oid)?.content().to_vec()));
                }
                if send.send(batch).is_err() {
                    break;
                }
            }
            Ok(())
        });
        let mut out = HashMap::with_capacity(blobs.len());
        for batch in receive {
            let done: Vec<(Oid, Option<Fingerprint>)> = batch
                .par_iter()
                .map(|(oid, bytes)| (*oid, fingerprint(bytes)))
                .collect();
            out.extend(done);
        }
        match reader.join() {
            Ok(result) => result.map(|()| out),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })
}
