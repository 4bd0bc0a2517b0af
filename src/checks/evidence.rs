//! DC014: the approval is evidenced in git as `[document_control]
//! approval_evidence` requires: the approver's own commit, an
//! `Approved-by:` trailer naming them, or their SSH signature.
//!
//! Judged on approved documents that are not records, whose approval
//! commit was found in history (DC013 covers the rest) and whose approval
//! values are committed (an approval only in the working tree is DC008).

use super::Context;
use crate::diagnostics::finding::Finding;
use crate::diagnostics::rules;
use crate::model::config::ApprovalEvidence;
use crate::model::document::Document;
use crate::model::history::{ApprovalFacts, CommitSignature, DocHistory};
use crate::model::ids::fmt_date;
use crate::model::people::Person;

/// `history` is the document's entry in the model's history, if any.
pub fn check(ctx: &Context, doc: &Document, history: Option<&DocHistory>, out: &mut Vec<Finding>) {
    let mode = ctx.isms.config.approval_evidence;
    if mode == ApprovalEvidence::FrontMatter || !doc.is_approved() || doc.is_record() {
        return;
    }
    let (Some(by), Some(on)) = (&doc.approved_by, &doc.approved_on) else {
        return;
    };
    let Some(history) = history else {
        return;
    };
    let Some(facts) = &history.approval_facts else {
        return;
    };
    // The committed approval must be the one in the file.
    let committed = history
        .head_fingerprint
        .as_ref()
        .and_then(|f| f.approval.as_ref());
    if committed != Some(&(by.value.clone(), fmt_date(on.value))) {
        return;
    }
    let approver = by.value.as_str();
    let people: Vec<&Person> = ctx
        .isms
        .roster
        .people
        .iter()
        .filter(|p| ctx.isms.roster.same_person(&p.name, approver))
        .collect();
    let commit = ctx
        .isms
        .history
        .commits
        .get(facts.commit)
        .map(|c| c.short_id().to_string())
        .unwrap_or_default();
    let problem = match mode {
        ApprovalEvidence::FrontMatter => None,
        ApprovalEvidence::Commit => by_commit(facts, &people, approver, &commit),
        ApprovalEvidence::Trailer => by_trailer(ctx, facts, approver, &commit),
        ApprovalEvidence::Signed => {
            by_signature(facts.signature.as_ref(), &people, approver, &commit)
        }
    };
    if let Some(problem) = problem {
        let id = doc.id.as_str();
        out.push(
            Finding::new(
                &rules::DC014,
                format!("{id}: the approval by {approver} is not evidenced in git (approval_evidence = \"{}\"): {problem}", mode.as_str()),
            )
            .at(&doc.path, by.line)
            .document(id)
            .hint(match mode {
                ApprovalEvidence::Commit => "Have the approver commit the approval themselves, and list the address they commit with in the roster's `email` column.",
                ApprovalEvidence::Trailer => "Add `Approved-by: <approver>` to the approval commit, or to the merge commit that brings it onto the main line.",
                _ => "Have the approver sign the approval commit with their SSH key (`git commit -S` with `gpg.format = ssh`), and list that key in the roster's `ssh_key` column.",
            }),
        );
    }
}

/// How the commit mode fails, if it does.
fn by_commit(
    facts: &ApprovalFacts,
    people: &[&Person],
    approver: &str,
    commit: &str,
) -> Option<String> {
    let emails: Vec<String> = people
        .iter()
        .flat_map(|p| p.emails.iter())
        .map(|e| e.trim().to_lowercase())
        .collect();
    if emails.is_empty() {
        return Some(format!("the roster lists no email for {approver}"));
    }
    let author = facts.author_email.trim().to_lowercase();
    let committer = facts.committer_email.trim().to_lowercase();
    if emails.contains(&author) || emails.contains(&committer) {
        return None;
    }
    Some(format!(
        "commit {commit} was authored by <{}> and committed by <{}>, neither of them {approver}'s roster email",
        facts.author_email, facts.committer_email
    ))
}

/// The name in a trailer value `Name` or `Name <email>`.
fn trailer_name(value: &str) -> &str {
    value.split('<').next().unwrap_or(value).trim()
}

fn by_trailer(
    ctx: &Context,
    facts: &ApprovalFacts,
    approver: &str,
    commit: &str,
) -> Option<String> {
    let names = |values: &[String]| {
        values
            .iter()
            .any(|v| ctx.isms.roster.same_person(trailer_name(v), approver))
    };
    if names(&facts.trailers) {
        return None;
    }
    if facts.on_first_parent {
        return Some(format!(
            "commit {commit} has no `Approved-by:` trailer naming {approver}"
        ));
    }
    match &facts.merge {
        Some((_, values)) if names(values) => None,
        Some((merge, _)) => Some(format!(
            "neither commit {commit} nor the merge {} that brought it in has an `Approved-by:` trailer naming {approver}",
            &merge[..merge.len().min(7)]
        )),
        None => Some(format!(
            "commit {commit} has no `Approved-by:` trailer naming {approver}, and no merge on the main line brought it in"
        )),
    }
}

fn by_signature(
    signature: Option<&CommitSignature>,
    people: &[&Person],
    approver: &str,
    commit: &str,
) -> Option<String> {
    let Some(signature) = signature else {
        return Some(format!("commit {commit} is not signed"));
    };
    if !signature.is_ssh() {
        return Some(format!(
            "commit {commit} carries a signature that is not an SSH signature"
        ));
    }
    let keys: Vec<&str> = people
        .iter()
        .flat_map(|p| p.ssh_keys.iter())
        .map(String::as_str)
        .collect();
    if keys.is_empty() {
        return Some(format!("the roster lists no `ssh_key` for {approver}"));
    }
    if signature.verified_by(keys) {
        None
    } else {
        Some(format!(
            "the signature on commit {commit} does not verify against {approver}'s roster keys"
        ))
    }
}
