//! `isms controls`: the built-in Annex A catalogue.

use crate::model::catalogue::CONTROLS;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ControlsFormat {
    Human,
    Csv,
    Json,
}

pub fn run(format: ControlsFormat) -> i32 {
    match format {
        ControlsFormat::Human => {
            for c in &CONTROLS {
                println!("{:<5} {:<14} {}", c.id, c.theme, c.title);
            }
        }
        ControlsFormat::Csv => {
            let mut w = csv::Writer::from_writer(std::io::stdout());
            let _ = w.write_record(["id", "title", "theme"]);
            for c in &CONTROLS {
                let _ = w.write_record([c.id.to_string().as_str(), c.title, c.theme.as_str()]);
            }
            let _ = w.flush();
        }
        ControlsFormat::Json => {
            let list: Vec<_> = CONTROLS
                .iter()
                .map(|c| serde_json::json!({"id": c.id, "title": c.title, "theme": c.theme}))
                .collect();
            println!(
                "{}",
                serde_json::to_string_pretty(&list).unwrap_or_default()
            );
        }
    }
    0
}
