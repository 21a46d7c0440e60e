//! Whether a request is urgent by the customer's own words.

/// The phrases the policy's customers use when something can't wait.
pub fn default_phrases() -> Vec<String> {
    Vec::new()
}

/// The first urgent phrase found (quoted from the text), or `None`.
pub fn detect(_subject: &str, _text: &str, _phrases: &[String]) -> Option<String> {
    None
}
