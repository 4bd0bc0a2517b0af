//! `isms`: checks an ISO/IEC 27001:2022 ISMS kept as Markdown in git, the way a
//! certification auditor would, and publishes it as two static sites.
//!
//! The pipeline: [`load`] (config, walk, front matter, CSV, git) builds the
//! typed [`model`]; [`checks`] judge it and report
//! [`diagnostics::finding::Finding`]s against the rule catalogue in
//! [`diagnostics`]; [`pipeline`] runs those two for every command; [`report`]
//! prints findings, [`render`] turns the model into the two sites, and
//! [`serve`] and [`commands`] tie the stages to the preview and the CLI.
//! Each stage uses only the stages below it (`tests/layers.rs` holds the
//! walls).

#![forbid(unsafe_code)]

pub mod checks;
pub mod commands;
pub mod diagnostics;
pub mod load;
pub mod memory;
pub mod model;
pub mod pipeline;
pub mod render;
pub mod report;
pub mod serve;
pub mod timing;
