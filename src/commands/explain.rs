//! `isms explain [CODE]`: what a rule checks, why, and how to fix it.

use crate::diagnostics::rules;

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
                print!("{}", r.explanation());
                0
            }
            None => {
                eprintln!("error: unknown rule `{code}`; `isms explain` lists all rules");
                2
            }
        },
    }
}
