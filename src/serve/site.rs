//! What the server hands out: the last good build of both sites, in memory,
//! and the state of the latest rebuild for the live-reload script.

use std::sync::{Arc, RwLock};

use serde::Serialize;

use crate::model::digest::FastMap;
use crate::render::Sites;

/// Why the latest rebuild produced no site: the first input error (file and
/// line when known) and the full message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BuildError {
    pub path: Option<String>,
    pub line: Option<u32>,
    pub message: String,
}

impl BuildError {
    /// An error that names no file (an unusable root, a theme template).
    pub fn unlocated(message: String) -> BuildError {
        BuildError {
            path: None,
            line: None,
            message,
        }
    }
}

/// One published state: every file of each site by its path in the site,
/// the build counter, and the error of a later failed rebuild, if any.
#[derive(Default)]
pub struct Published {
    /// The staff site's files (`index.html`), served under `/staff/`.
    pub staff: FastMap<String, Arc<Vec<u8>>>,
    /// The audit index's files, served under `/audit/`.
    pub audit: FastMap<String, Arc<Vec<u8>>>,
    /// Counts good builds; the browser reloads when it changes.
    pub version: u64,
    /// Set while the source is broken; the files stay those of the last good
    /// build.
    pub error: Option<BuildError>,
    /// No good build yet: every page shows the error page.
    pub empty: bool,
}

impl Published {
    /// A file by its URL path without the leading `/` (`staff/index.html`).
    pub fn file(&self, path: &str) -> Option<&Arc<Vec<u8>>> {
        match path.split_once('/') {
            Some(("staff", rest)) => self.staff.get(rest),
            Some(("audit", rest)) => self.audit.get(rest),
            _ => None,
        }
    }
}

/// Shared between the rebuild loop (writer) and the HTTP workers (readers).
/// A reader takes the `Arc` and never blocks a rebuild for longer than the
/// pointer swap.
#[derive(Clone, Default)]
pub struct Shared(Arc<RwLock<Arc<Published>>>);

impl Shared {
    /// A state with no build yet.
    pub fn new() -> Shared {
        Shared(Arc::new(RwLock::new(Arc::new(Published {
            empty: true,
            ..Published::default()
        }))))
    }

    /// The current state.
    pub fn get(&self) -> Arc<Published> {
        match self.0.read() {
            Ok(guard) => Arc::clone(&guard),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    fn set(&self, published: Published) {
        let published = Arc::new(published);
        match self.0.write() {
            Ok(mut guard) => *guard = published,
            Err(poisoned) => *poisoned.into_inner() = published,
        }
    }

    /// Publishes a good build: its files replace the old ones at once.
    /// Returns the state it replaced, for the caller to free once nobody
    /// waits (tens of thousands of files take milliseconds to free).
    pub fn publish(&self, sites: Sites) -> Arc<Published> {
        let old = self.get();
        // Each site's paths move into its map as they are: no copy.
        let (staff, audit) = rayon::join(
            || sites.staff.into_iter().collect(),
            || sites.audit.into_iter().collect(),
        );
        self.set(Published {
            staff,
            audit,
            version: old.version + 1,
            error: None,
            empty: false,
        });
        old
    }

    /// Records a failed rebuild; the last good files stay published.
    pub fn fail(&self, error: BuildError) {
        let old = self.get();
        self.set(Published {
            staff: old.staff.clone(),
            audit: old.audit.clone(),
            version: old.version,
            error: Some(error),
            empty: old.empty,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sites(text: &str) -> Sites {
        Sites {
            staff: vec![("index.html".into(), text.as_bytes().to_vec().into())],
            audit: vec![("index.html".into(), b"audit".to_vec().into())],
            ..Sites::default()
        }
    }

    #[test]
    fn a_failed_rebuild_keeps_the_last_good_files() {
        let shared = Shared::new();
        assert!(shared.get().empty);
        shared.publish(sites("one"));
        let error = BuildError {
            path: Some("a.md".into()),
            line: Some(3),
            message: "bad".into(),
        };
        shared.fail(error.clone());
        let now = shared.get();
        assert_eq!(now.version, 1);
        assert_eq!(now.error.as_ref(), Some(&error));
        assert_eq!(
            now.file("staff/index.html").map(|b| b.as_slice()),
            Some(&b"one"[..])
        );
        shared.publish(sites("two"));
        let now = shared.get();
        assert_eq!(now.version, 2);
        assert!(now.error.is_none());
        assert_eq!(
            now.file("staff/index.html").map(|b| b.as_slice()),
            Some(&b"two"[..])
        );
    }
}
