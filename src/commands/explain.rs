//! `isms explain [CODE]`: what a rule checks, why, and how to fix it.

use crate::diagnostics::rules::{self, Family};

pub fn run(code: Option<&str>) -> i32 {
    match code {
        None => {
            let mut family = None;
            for r in rules::ALL {
                if family != Some(r.family) {
                    println!("\n{}", r.family.label());
                    family = Some(r.family);
                }
                println!("  {:<7} {:<11} {}", r.code, r.severity, r.title);
            }
            println!("\nRun `isms explain CODE` for details.");
            0
        }
        Some(code) => match rules::find(code) {
            Some(r) => {
                println!("{} ({}): {}\n", r.code, r.severity, r.title);
                println!(
                    "Clause: {} ({})",
                    r.clause,
                    clause_title(r.clause, r.family)
                );
                println!("\nWhy it matters:\n  {}", r.why);
                println!("\nHow to fix it:\n  {}", r.fix);
                0
            }
            None => {
                eprintln!("error: unknown rule `{code}`; `isms explain` lists all rules");
                2
            }
        },
    }
}

fn clause_title(clause: &str, family: Family) -> &'static str {
    if let Some(c) = crate::model::ids::ClauseId::parse(clause) {
        if let Some(t) = crate::model::clauses::title(&c) {
            return t;
        }
    }
    if let Some(c) = crate::model::catalogue::ControlId::parse(clause) {
        return c.control().title;
    }
    family.label()
}
