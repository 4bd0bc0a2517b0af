//! `isms`: checks an ISO/IEC 27001:2022 ISMS kept as Markdown in git, the way a
//! certification auditor would, and publishes it as two static sites.
//!
//! The pipeline: [`load`] (config, walk, front matter, CSV, git) builds the
//! typed [`model`]; [`checks`] report [`finding::Finding`]s; [`report`] prints
//! them; [`commands`] tie the stages to the CLI.

pub mod checks;
pub mod commands;
pub mod finding;
pub mod load;
pub mod model;
pub mod render;
pub mod report;
pub mod serve;
pub mod timing;
