//! Search text: what a ticket's subject and messages are indexed as, and what a search box
//! query becomes. Both sides go through the same normalisation, so a search for
//! "facturacion" finds "Facturación" and a search for "facturas" finds "facturación".
//!
//! Each word is indexed twice: accent-folded ("facturacion") and as its Spanish stem taken
//! from the word as written ("factur"). The Snowball stemmer leaves an unaccented
//! "facturacion" unstemmed, so a query word matches when either its folded form or its
//! stem matches either form in the index. English stems are added too: customers and
//! agents write in both languages. Only letters and digits ever reach the database's query
//! syntax, so a query cannot inject operators.

use crate::policy::text::fold;
use rust_stemmers::{Algorithm, Stemmer};
use std::collections::BTreeSet;

/// Words this long and longer are not indexed (base64 runs, URLs glued together).
const LONGEST_WORD: usize = 40;
/// A query of more words than this is cut: the rest would only narrow it further.
const MOST_QUERY_WORDS: usize = 8;

struct Stemmers {
    spanish: Stemmer,
    english: Stemmer,
}

impl Stemmers {
    fn new() -> Self {
        Self {
            spanish: Stemmer::create(Algorithm::Spanish),
            english: Stemmer::create(Algorithm::English),
        }
    }

    /// Every form a word may be found by, all folded: the word itself, its Spanish stem and
    /// its English stem.
    fn forms(&self, word: &str) -> BTreeSet<String> {
        let lower = word.to_lowercase();
        let folded = fold(&lower);
        let mut forms = BTreeSet::new();
        forms.insert(fold(&self.spanish.stem(&lower)));
        forms.insert(fold(&self.english.stem(&folded)));
        forms.insert(folded);
        forms.retain(|f| !f.is_empty());
        forms
    }
}

fn raw_words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && w.chars().count() <= LONGEST_WORD)
}

/// The terms a text is indexed by, separated by spaces (each distinct term once).
pub fn index_terms(text: &str) -> String {
    let stemmers = Stemmers::new();
    let mut terms = BTreeSet::new();
    for word in raw_words(text) {
        terms.extend(stemmers.forms(word));
    }
    terms.into_iter().collect::<Vec<_>>().join(" ")
}

/// The terms of two texts together, as [`index_terms`] gives them for the texts joined by a
/// line break (a word never spans the two), from the terms of each. A long text's terms can
/// then be found where there is time for it, and joined later to those of a short one.
pub fn merge_terms(a: &str, b: &str) -> String {
    let terms: BTreeSet<&str> = a
        .split(' ')
        .chain(b.split(' '))
        .filter(|t| !t.is_empty())
        .collect();
    terms.into_iter().collect::<Vec<_>>().join(" ")
}

/// A search box query as groups of alternatives: a ticket matches when, for every group,
/// one of its forms is indexed. Empty when the query has no words. A word that folds to
/// nothing (a combining mark alone) is left out, as the index leaves it out: kept, its
/// empty group would match no ticket at all.
pub fn query_groups(query: &str) -> Vec<Vec<String>> {
    let stemmers = Stemmers::new();
    raw_words(query)
        .map(|word| stemmers.forms(word).into_iter().collect::<Vec<_>>())
        .filter(|forms| !forms.is_empty())
        .take(MOST_QUERY_WORDS)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(indexed: &str, query: &str) -> bool {
        let terms: BTreeSet<String> = index_terms(indexed)
            .split(' ')
            .map(str::to_string)
            .collect();
        let groups = query_groups(query);
        !groups.is_empty()
            && groups
                .iter()
                .all(|group| group.iter().any(|form| terms.contains(form)))
    }

    #[test]
    fn terms_found_apart_merge_into_those_of_the_whole() {
        let subject = "Factura duplicada de octubre";
        for body in [
            "Me han cobrado dos veces la facturación; ¿pueden devolverme una?",
            "",
            "octubre",
            "¡!",
        ] {
            assert_eq!(
                merge_terms(&index_terms(subject), &index_terms(body)),
                index_terms(&format!("{subject}\n{body}")),
                "{body:?}"
            );
        }
        assert_eq!(merge_terms("", ""), index_terms(""));
    }

    #[test]
    fn a_word_that_folds_to_nothing_does_not_empty_the_search() {
        // U+06DB, a combining mark that counts as a letter: folding drops it.
        assert!(found("Factura de octubre", "factura \u{6db}"));
        assert!(query_groups("\u{6db}").is_empty());
    }

    #[test]
    fn accents_and_inflections_do_not_hide_a_ticket() {
        let text = "No puedo publicar la página de Garantía; la facturación falla";
        assert!(found(text, "pagina"));
        assert!(found(text, "PÁGINA garantia"));
        assert!(found(text, "facturacion"));
        assert!(found(text, "facturas"));
        assert!(found(text, "publicando"));
        assert!(!found(text, "pedido"));
        assert!(!found(text, "pagina pedido"), "every word must match");
    }

    #[test]
    fn english_words_are_stemmed_too() {
        assert!(found("The checkout page keeps crashing", "crash"));
        assert!(found("The checkout page keeps crashing", "pages"));
    }

    #[test]
    fn queries_carry_only_letters_and_digits() {
        let groups = query_groups("\"factura\" OR * NEAR(x) -- ; 2026");
        for form in groups.iter().flatten() {
            assert!(form.chars().all(char::is_alphanumeric), "{form}");
        }
        assert!(query_groups("  ¿? ").is_empty());
    }

    #[test]
    fn terms_are_distinct_and_long_runs_are_skipped() {
        let terms = index_terms(
            "factura factura FACTURA aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        );
        assert_eq!(terms, "factur factura");
    }
}
