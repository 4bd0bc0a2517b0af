//! What can stop the sites from rendering: a theme that cannot be read or
//! parsed, a template that fails on a page, an export that cannot be
//! serialised. Each names the file it is about, so `isms build` prints it
//! and the preview's overlay shows it.

use std::path::{Path, PathBuf};

use crate::model::confined::ReadError;

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// `[site] theme` names a folder that is not there.
    #[error("theme folder {} does not exist ([site] theme in isms.toml)", .path.display())]
    NoThemeFolder { path: PathBuf },
    /// A theme or logo file could not be read (or lies outside its folder).
    #[error("{what} {}: {source}", .path.display())]
    Read {
        what: &'static str,
        path: PathBuf,
        #[source]
        source: ReadError,
    },
    /// A theme template is not UTF-8.
    #[error("theme template {} is not UTF-8", .path.display())]
    NotUtf8 { path: PathBuf },
    /// The templates do not parse (Tera's message names the template and line).
    #[error("theme templates: {message}")]
    Templates { message: String },
    /// A template failed while rendering one page.
    #[error("rendering {page} with {template}: {message}")]
    Page {
        page: String,
        template: String,
        message: String,
    },
    /// An export or data file could not be serialised.
    #[error("{file}: {message}")]
    Export { file: String, message: String },
}

impl RenderError {
    /// The file the error is about, when it names one on disk.
    pub fn path(&self) -> Option<&Path> {
        match self {
            RenderError::NoThemeFolder { path }
            | RenderError::Read { path, .. }
            | RenderError::NotUtf8 { path } => Some(path),
            _ => None,
        }
    }

    /// An export error from any serialiser.
    pub(crate) fn export(file: &str, error: impl std::fmt::Display) -> RenderError {
        RenderError::Export {
            file: file.to_string(),
            message: error.to_string(),
        }
    }

    /// A Tera error with its whole chain (the top-level message alone rarely
    /// names the cause).
    pub(crate) fn chain(e: &tera::Error) -> String {
        let mut text = e.to_string();
        let mut source = std::error::Error::source(e);
        while let Some(s) = source {
            text.push_str(": ");
            text.push_str(&s.to_string());
            source = s.source();
        }
        text
    }
}
