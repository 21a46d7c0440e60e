//! Text as the policy's detectors and the classifier see it: lower-case, accents folded,
//! split into words. Customers write "facturacion", "facturación" and "FACTURACIÓN" for the
//! same thing, often from a phone, so every rule compares folded text.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Lower-cases and removes diacritics: "Añadí CAMIÓN" → "anadi camion". "ñ" folds to "n"
/// on purpose: phone keyboards and hurried writers often drop the tilde too.
pub fn fold(text: &str) -> String {
    text.nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The words of a text, folded, in order. Digits stay (error codes, invoice numbers);
/// everything that is not a letter or digit separates words.
pub fn words(text: &str) -> Vec<String> {
    fold(text)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// Whether `phrase` occurs in `folded_text` as whole words (both already folded).
/// "caida" matches "la web esta caida" but not "recaidas".
pub fn contains_phrase(folded_text: &str, folded_phrase: &str) -> bool {
    find_phrase(folded_text, folded_phrase).is_some()
}

/// Byte offset of the first whole-word occurrence of `folded_phrase` in `folded_text`.
pub fn find_phrase(folded_text: &str, folded_phrase: &str) -> Option<usize> {
    if folded_phrase.is_empty() {
        return None;
    }
    let is_word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    let mut from = 0;
    while let Some(pos) = folded_text[from..].find(folded_phrase) {
        let start = from + pos;
        let end = start + folded_phrase.len();
        let before = folded_text[..start].chars().next_back();
        let after = folded_text[end..].chars().next();
        let phrase_starts_word = folded_phrase
            .chars()
            .next()
            .is_some_and(char::is_alphanumeric);
        let phrase_ends_word = folded_phrase
            .chars()
            .next_back()
            .is_some_and(char::is_alphanumeric);
        if (!phrase_starts_word || !is_word(before)) && (!phrase_ends_word || !is_word(after)) {
            return Some(start);
        }
        from = start
            + folded_text[start..]
                .chars()
                .next()
                .map_or(1, char::len_utf8);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_removes_case_and_accents() {
        assert_eq!(fold("Añadí CAMIÓN Ü"), "anadi camion u");
        assert_eq!(fold("facturación"), fold("FACTURACION"));
    }

    #[test]
    fn words_split_on_punctuation_and_keep_numbers() {
        assert_eq!(
            words("¿Error 500 en la página?"),
            vec!["error", "500", "en", "la", "pagina"]
        );
    }

    #[test]
    fn phrases_match_whole_words_only() {
        assert!(contains_phrase("la web esta caida", "caida"));
        assert!(!contains_phrase("recaidas frecuentes", "caida"));
        assert!(contains_phrase("no puedo vender nada", "no puedo vender"));
        assert!(!contains_phrase("no puedo venderlo", "no puedo vender"));
        assert_eq!(find_phrase("urgente, urgente", "urgente"), Some(0));
    }
}
