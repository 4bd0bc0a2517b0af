//! The people roster (`[people] roster`): who holds which role, and who is in
//! scope for training. Used to turn roles into people when comparing names.

use std::collections::HashMap;

use super::ids::name_key;

#[derive(Clone, Debug)]
pub struct Person {
    pub name: String,
    pub role: String,
    pub in_scope: bool,
    pub line: u32,
}

#[derive(Clone, Debug, Default)]
pub struct Roster {
    /// Path relative to the ISMS root, when configured.
    pub path: Option<String>,
    pub people: Vec<Person>,
    /// Role key to the name keys of its holders, built on first use: names
    /// are compared for every document, and folding every role each time
    /// costs more than the rest of the checks together.
    pub roles: std::sync::OnceLock<HashMap<String, Vec<String>>>,
}

impl Roster {
    /// The people a name or role stands for, as comparison keys: the people
    /// whose whole role matches, else the name itself.
    pub fn resolve(&self, name_or_role: &str) -> Vec<String> {
        let key = name_key(name_or_role);
        let roles = self.roles.get_or_init(|| {
            let mut roles: HashMap<String, Vec<String>> = HashMap::new();
            for p in &self.people {
                roles
                    .entry(name_key(&p.role))
                    .or_default()
                    .push(name_key(&p.name));
            }
            roles
        });
        match roles.get(&key) {
            Some(holders) if !holders.is_empty() => holders.clone(),
            _ => vec![key],
        }
    }

    /// Whether two names or roles stand for a common person.
    pub fn same_person(&self, a: &str, b: &str) -> bool {
        let a = self.resolve(a);
        let b = self.resolve(b);
        a.iter().any(|x| b.contains(x))
    }

    pub fn in_scope(&self) -> impl Iterator<Item = &Person> {
        self.people.iter().filter(|p| p.in_scope)
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
}
