//! Supplier names as the contract compares them: the register, the
//! inventory and the roster's `organisation` column are written by different
//! people ("Acme Ltd", "ACME Limited", "acme"), and must still meet.

/// Legal forms dropped from the end of a normalised name (one at most).
const LEGAL_FORMS: [&str; 15] = [
    "ltd", "limited", "inc", "llc", "plc", "gmbh", "ag", "ab", "bv", "sa", "sarl", "oy", "as",
    "corp", "co",
];

/// The comparison key of a supplier name: lowercase, every character that is
/// not a letter or digit (Unicode letters count) turned into a space, spaces
/// collapsed, and one trailing legal form dropped. A name that is nothing
/// but a legal form keeps it, so "Co" never meets every other supplier.
pub fn supplier_key(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .flat_map(char::to_lowercase)
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    let mut words: Vec<&str> = cleaned.split_whitespace().collect();
    if words.len() > 1 && words.last().is_some_and(|w| LEGAL_FORMS.contains(w)) {
        words.pop();
    }
    words.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_differing_only_in_legal_form_and_punctuation_meet() {
        assert_eq!(supplier_key("Acme Ltd"), "acme");
        assert_eq!(supplier_key("ACME  Limited"), "acme");
        assert_eq!(supplier_key("Acme, Inc."), "acme");
        assert_eq!(supplier_key("acme"), "acme");
        assert_eq!(supplier_key("Müller GmbH"), "müller");
        assert_eq!(supplier_key("Data-Hub B.V."), "data hub b v");
        assert_eq!(supplier_key("Data Hub BV"), "data hub");
    }

    #[test]
    fn only_one_trailing_legal_form_is_dropped() {
        assert_eq!(supplier_key("Smith & Co Ltd"), "smith co");
        assert_eq!(supplier_key("Co"), "co");
        assert_eq!(supplier_key("Ltd Services"), "ltd services");
        assert_ne!(supplier_key("Acme Cloud"), supplier_key("Acme"));
    }
}
