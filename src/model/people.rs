//! The people roster (`[people] roster`): who holds which role, who is in
//! scope for training, when they joined and left, who employs a contractor,
//! and how their approvals can be verified. Used to turn roles into people
//! when comparing names, and by every "all in-scope people" rule.

use super::ids::{name_key, Date};

/// One row of the roster, typed at load: optional columns left empty are
/// `None` or an empty list.
#[derive(Clone, Debug, Default)]
pub struct Person {
    pub name: String,
    pub role: String,
    pub in_scope: bool,
    /// The row's line in the roster CSV.
    pub line: u32,
    /// `email`: one or more addresses, `;`-separated in the cell.
    pub emails: Vec<String>,
    pub joined_on: Option<Date>,
    pub left_on: Option<Date>,
    /// `organisation`: a contractor's employer, which is a supplier.
    pub organisation: Option<String>,
    /// `ssh_key`: OpenSSH public key lines, `;`-separated in the cell, kept
    /// as written so that signatures can be verified against them.
    pub ssh_keys: Vec<String>,
}

impl Person {
    /// A leaver has `left_on` on or before the as-of date: out of every
    /// "all in-scope people" rule, and judged on access removal instead.
    pub fn is_leaver(&self, as_of: Date) -> bool {
        self.left_on.is_some_and(|left| left <= as_of)
    }
}

#[derive(Clone, Debug, Default)]
pub struct Roster {
    /// Path relative to the ISMS root, when configured.
    pub path: Option<String>,
    pub people: Vec<Person>,
    /// Role key to the name keys of its holders, built on first use: names
    /// are compared for every document, and folding every role each time
    /// costs more than the rest of the checks together.
    pub roles: std::sync::OnceLock<super::digest::FastMap<String, Vec<String>>>,
}

impl Roster {
    /// Role key to the name keys of its holders (see [`Roster::roles`]).
    fn role_holders(&self) -> &super::digest::FastMap<String, Vec<String>> {
        self.roles.get_or_init(|| {
            let mut roles: super::digest::FastMap<String, Vec<String>> = Default::default();
            for p in &self.people {
                roles
                    .entry(name_key(&p.role))
                    .or_default()
                    .push(name_key(&p.name));
            }
            roles
        })
    }

    /// The people the name or role with comparison key `key` stands for:
    /// the holders of the role whose whole text matches, else the name.
    fn holders<'a>(&'a self, key: &'a String) -> &'a [String] {
        match self.role_holders().get(key) {
            Some(holders) if !holders.is_empty() => holders,
            _ => std::slice::from_ref(key),
        }
    }

    /// The people a name or role stands for, as comparison keys: the people
    /// whose whole role matches, else the name itself.
    pub fn resolve(&self, name_or_role: &str) -> Vec<String> {
        let key = name_key(name_or_role);
        self.holders(&key).to_vec()
    }

    /// Whether two names or roles stand for a common person. Asked for
    /// every document on every check, so it copies no list of holders.
    pub fn same_person(&self, a: &str, b: &str) -> bool {
        let (a, b) = (name_key(a), name_key(b));
        let theirs = self.holders(&b);
        self.holders(&a).iter().any(|x| theirs.contains(x))
    }

    pub fn in_scope(&self) -> impl Iterator<Item = &Person> {
        self.people.iter().filter(|p| p.in_scope)
    }

    /// In-scope people who have not left by `as_of`: the people every
    /// "all in-scope people" rule (training, acknowledgements) judges.
    pub fn in_scope_at(&self, as_of: Date) -> impl Iterator<Item = &Person> {
        self.in_scope().filter(move |p| !p.is_leaver(as_of))
    }

    /// People who have left by `as_of`, in roster order.
    pub fn leavers(&self, as_of: Date) -> impl Iterator<Item = &Person> {
        self.people.iter().filter(move |p| p.is_leaver(as_of))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roster() -> Roster {
        Roster {
            path: None,
            people: vec![Person {
                name: "José Álvarez".into(),
                role: "Head of IT".into(),
                in_scope: true,
                line: 2,
                ..Person::default()
            }],
            ..Roster::default()
        }
    }

    #[test]
    fn roles_resolve_to_people() {
        let r = roster();
        assert!(r.same_person("head of it", "Jose Alvarez"));
        assert!(!r.same_person("Head", "Jose Alvarez"));
        assert!(r.same_person("Sam Lee", "sam  lee"));
    }

    #[test]
    fn a_leaver_has_left_on_or_before_the_as_of_date() {
        let d = |s| crate::model::ids::parse_date(s).expect("date");
        let mut r = roster();
        r.people[0].left_on = Some(d("2026-05-31"));
        assert!(r.people[0].is_leaver(d("2026-05-31")));
        assert!(!r.people[0].is_leaver(d("2026-05-30")));
        assert_eq!(r.in_scope_at(d("2026-05-30")).count(), 1);
        assert_eq!(r.in_scope_at(d("2026-05-31")).count(), 0);
        assert_eq!(r.leavers(d("2026-06-01")).count(), 1);
    }
}
