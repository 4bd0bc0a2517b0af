//! DC004: two documents share an id. The load stage keeps the first path
//! (in path order) and sets the others aside; this reports every path that
//! shares the id, naming the others, so the author sees both ends.

use std::collections::BTreeMap;

use super::Context;
use crate::diagnostics::finding::Finding;
use crate::diagnostics::rules;
use crate::model::document::Document;

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let isms = ctx.isms;
    if isms.duplicates.is_empty() {
        return;
    }
    let mut sharing: BTreeMap<&str, Vec<&Document>> = BTreeMap::new();
    for dup in &isms.duplicates {
        sharing.entry(dup.id.as_str()).or_default().push(dup);
    }
    for (id, docs) in &mut sharing {
        if let Some(first) = isms.doc(id) {
            docs.push(first);
        }
        docs.sort_by(|a, b| a.path.cmp(&b.path));
        for doc in docs.iter() {
            let others: Vec<&str> = docs
                .iter()
                .filter(|o| o.path != doc.path)
                .map(|o| o.path.as_str())
                .collect();
            out.push(
                Finding::new(
                    &rules::DC004,
                    format!("id `{id}` is also used by {}", others.join(", ")),
                )
                .at(&doc.path, doc.id.line)
                .document(id)
                .hint("give each document a unique id"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::checks::codes;
    use crate::model::document::DocType;
    use crate::model::testing::*;

    #[test]
    fn each_path_sharing_an_id_is_named() {
        let mut copy = doc("POL-A", DocType::Policy);
        copy.path = "old/pol-a.md".into();
        let mut third = doc("POL-A", DocType::Policy);
        third.path = "z/pol-a.md".into();
        let mut i = isms(vec![doc("POL-A", DocType::Policy)], None);
        i.duplicates = vec![Arc::new(copy), Arc::new(third)];
        let mut out = Vec::new();
        check(
            &Context {
                isms: &i,
                as_of: d("2026-12-01"),
            },
            &mut out,
        );
        assert_eq!(codes(&out), vec!["DC004", "DC004", "DC004"]);
        let at: Vec<_> = out.iter().map(|f| f.path.clone().unwrap()).collect();
        assert_eq!(at, vec!["old/pol-a.md", "pol-a.md", "z/pol-a.md"]);
        assert!(out[1].message.contains("old/pol-a.md, z/pol-a.md"));
    }

    #[test]
    fn unique_ids_are_quiet() {
        let i = isms(
            vec![doc("POL-A", DocType::Policy), doc("POL-B", DocType::Policy)],
            None,
        );
        let mut out = Vec::new();
        check(
            &Context {
                isms: &i,
                as_of: d("2026-12-01"),
            },
            &mut out,
        );
        assert!(out.is_empty());
    }
}
