//! The features a request's text is reduced to before counting: stems from the Spanish and
//! the English Snowball stemmers plus pairs of neighbouring stems.
//!
//! Customers write with and without accents ("facturación", "facturacion"), and Snowball's
//! Spanish rules only recognise the accented suffixes, so the unaccented spelling would stay
//! unstemmed and look like a different word. Each word therefore yields the stem of its
//! accented form, the stem of its folded form with the usual "-ción"/"-sión" accent put
//! back, and the stems of its folded form; a writer's accents change little.

use crate::policy::text::fold;
use rust_stemmers::{Algorithm, Stemmer};
use std::borrow::Cow;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// The subject says in a few words what the request is about, so its words count more.
const SUBJECT_WEIGHT: f64 = 1.5;
const BODY_WEIGHT: f64 = 1.0;

/// Stands for any number: invoice numbers and amounts vary, their presence does not.
const NUMBER: &str = "#num";

/// Stands for a question mark anywhere in the request: questions ask how, reports tell
/// what failed.
const QUESTION: &str = "#ask";

/// Words too common to say anything about a request: articles, pronouns, prepositions,
/// auxiliaries, greetings and sign-offs (every kind of request has them). Negations ("no",
/// "not") and question words ("como", "how") are not here: they separate error reports
/// from questions. Folded spelling, sorted, for binary search.
#[rustfmt::skip]
const SPANISH_STOPWORDS: &[&str] = &[
    "abrazo", "al", "algo", "ante", "aqui", "asi", "atentamente", "aun", "buen", "buenas",
    "buenos", "con", "cordial", "cordiales", "de", "del", "desde", "el", "ella", "ellas",
    "ello", "ellos", "en", "entre", "era", "eran", "es", "esa", "esas", "ese", "eso",
    "esos", "esta", "estaba", "estas", "este", "esto", "estos", "fue", "gracias", "ha",
    "han", "hemos", "hola", "la", "las", "le", "les", "lo", "los", "me", "mi", "mia", "mio",
    "mis", "muchas", "muchisimas", "muy", "nos", "nosotros", "nuestra", "nuestras",
    "nuestro", "nuestros", "os", "otra", "otro", "para", "pero", "por", "pues", "que",
    "saludo", "saludos", "se", "sea", "ser", "si", "sin", "sobre", "su", "sus", "tal",
    "tambien", "tardes", "te", "ti", "tu", "tus", "un", "una", "unas", "uno", "unos",
    "usted", "ustedes", "vale", "vosotros", "vuestra", "vuestro", "ya", "yo",
];

#[rustfmt::skip]
const ENGLISH_STOPWORDS: &[&str] = &[
    "about", "all", "also", "am", "an", "and", "any", "are", "as", "at", "be", "been",
    "best", "but", "by", "cheers", "dear", "did", "do", "does", "for", "from", "had", "has",
    "have", "he", "hello", "her", "hey", "hi", "him", "his", "in", "into", "is", "it",
    "its", "just", "kind", "my", "of", "on", "or", "our", "regards", "she", "so", "some",
    "than", "thank", "thanks", "that", "the", "their", "them", "then", "there", "these",
    "they", "this", "those", "to", "too", "us", "was", "we", "were", "which", "who", "will",
    "with", "you", "your", "yours",
];

fn is_stopword(folded: &str) -> bool {
    SPANISH_STOPWORDS.binary_search(&folded).is_ok()
        || ENGLISH_STOPWORDS.binary_search(&folded).is_ok()
}

/// The features of one request, stored in a single buffer: classifying a mail should not
/// allocate a string per feature.
#[derive(Debug, Default)]
pub(crate) struct Features {
    text: String,
    spans: Vec<Span>,
}

#[derive(Debug, Clone, Copy)]
struct Span {
    start: usize,
    end: usize,
    weight: f64,
}

impl Features {
    pub(crate) fn of(subject: &str, body: &str) -> Features {
        let mut features = Features {
            text: String::with_capacity(2 * (subject.len() + body.len())),
            spans: Vec::with_capacity((subject.len() + body.len()) / 2),
        };
        let stemmers = Stemmers::new();
        features.add_text(subject, SUBJECT_WEIGHT, &stemmers);
        features.add_text(body, BODY_WEIGHT, &stemmers);
        if subject.contains('?')
            || body.contains('?')
            || subject.contains('¿')
            || body.contains('¿')
        {
            features.push(QUESTION, BODY_WEIGHT);
        }
        features.keep_once();
        features
    }

    /// Keeps each feature once, with its largest weight: whether a request mentions
    /// something says more than how often it repeats it, and long mails would otherwise
    /// outvote short ones.
    fn keep_once(&mut self) {
        let text = &self.text;
        let key = |span: &Span| text.get(span.start..span.end).unwrap_or("");
        // Sorting by hash first compares integers instead of strings; equal strings still
        // end up next to each other, heaviest first.
        let mut keyed: Vec<(u64, Span)> = self
            .spans
            .iter()
            .map(|span| (hash(key(span)), *span))
            .collect();
        keyed.sort_by(|(hash_a, a), (hash_b, b)| {
            hash_a
                .cmp(hash_b)
                .then_with(|| key(a).cmp(key(b)))
                .then(b.weight.total_cmp(&a.weight))
        });
        keyed.dedup_by(|(hash_later, later), (hash_earlier, earlier)| {
            hash_later == hash_earlier && key(later) == key(earlier)
        });
        self.spans.clear();
        self.spans.extend(keyed.into_iter().map(|(_, span)| span));
    }

    /// Euclidean length of the weight vector, so that a long mail and a one-liner weigh the
    /// same; 1 for a text without features.
    pub(crate) fn norm(&self) -> f64 {
        let sum: f64 = self.spans.iter().map(|span| span.weight.powi(2)).sum();
        if sum > 0.0 { sum.sqrt() } else { 1.0 }
    }

    /// Every feature of the request, once, with its weight; in no meaningful order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, f64)> {
        self.spans
            .iter()
            .filter_map(|span| Some((self.text.get(span.start..span.end)?, span.weight)))
    }

    fn add_text(&mut self, text: &str, weight: f64, stemmers: &Stemmers) {
        // Pairs do not cross from the subject into the body: they are different sentences.
        let mut previous: Option<Span> = None;
        // Words as `text::words` splits them, but before folding: the Spanish stemmer needs
        // the accents. Combining marks belong to their word, for decomposed input.
        let tokens = text
            .split(|c: char| !(c.is_alphanumeric() || is_combining_mark(c)))
            .filter(|token| !token.is_empty());
        for token in tokens {
            let (lower, folded) = spellings(token);
            if folded.chars().all(|c| c.is_ascii_digit()) {
                let number = self.push(NUMBER, weight);
                // Short numbers are often HTTP statuses or error codes, worth keeping as such.
                if folded.len() <= 3 {
                    self.push(&folded, weight);
                }
                self.push_pair(previous, number, weight);
                previous = Some(number);
                continue;
            }
            if folded.chars().nth(1).is_none() || is_stopword(&folded) {
                continue;
            }
            let start = self.spans.len();
            let restored = restore_accent(&folded);
            let canonical = self.push_stem(
                stemmers.spanish(restored.as_deref().unwrap_or(&folded)),
                weight,
            );
            if lower != folded {
                let stem = stemmers.spanish(&lower);
                self.push_distinct(start, stem, weight);
            }
            if restored.is_some() {
                let stem = stemmers.spanish(&folded);
                self.push_distinct(start, stem, weight);
            }
            let english = stemmers.english(&folded);
            self.push_distinct(start, english, weight);
            self.push_pair(previous, canonical, weight);
            previous = Some(canonical);
        }
    }

    fn push(&mut self, feature: &str, weight: f64) -> Span {
        let start = self.text.len();
        self.text.push_str(feature);
        let span = Span {
            start,
            end: self.text.len(),
            weight,
        };
        self.spans.push(span);
        span
    }

    fn push_stem(&mut self, stem: Cow<'_, str>, weight: f64) -> Span {
        if stem.is_ascii() {
            self.push(&stem, weight)
        } else {
            self.push(&fold(&stem), weight)
        }
    }

    /// Adds `stem` unless the current word (whose features start at `word_start`) already
    /// produced it, so that a word does not count more just because stemmers agree on it.
    fn push_distinct(&mut self, word_start: usize, stem: Cow<'_, str>, weight: f64) {
        let folded = if stem.is_ascii() {
            stem
        } else {
            Cow::Owned(fold(&stem))
        };
        let seen = self.spans[word_start..]
            .iter()
            .any(|span| self.text.get(span.start..span.end) == Some(&*folded));
        if !seen {
            self.push(&folded, weight);
        }
    }

    fn push_pair(&mut self, previous: Option<Span>, current: Span, weight: f64) {
        let Some(previous) = previous else {
            return;
        };
        let start = self.text.len();
        // Both halves are already in the buffer; copy them through a range so that no
        // temporary string is needed. A space cannot occur in a single-word feature.
        self.text.extend_from_within(previous.start..previous.end);
        self.text.push(' ');
        self.text.extend_from_within(current.start..current.end);
        self.spans.push(Span {
            start,
            end: self.text.len(),
            weight,
        });
    }
}

/// The lower-case spelling (accents kept, for the Spanish stemmer) and the folded one.
fn spellings(token: &str) -> (Cow<'_, str>, Cow<'_, str>) {
    if token.is_ascii() {
        if token.bytes().any(|b| b.is_ascii_uppercase()) {
            let lower = token.to_ascii_lowercase();
            (Cow::Owned(lower.clone()), Cow::Owned(lower))
        } else {
            (Cow::Borrowed(token), Cow::Borrowed(token))
        }
    } else if token.chars().any(is_combining_mark) {
        // Composed form: the stemmer's suffixes are written with composed accents, and
        // mail clients sometimes send decomposed ones.
        let lower: String = token.nfc().flat_map(char::to_lowercase).collect();
        (Cow::Owned(lower), Cow::Owned(fold(token)))
    } else {
        let lower = token.to_lowercase();
        let folded = fold_latin(&lower).unwrap_or_else(|| fold(&lower));
        (Cow::Owned(lower), Cow::Owned(folded))
    }
}

/// Folds the accented letters of Spanish and other Western European languages by table,
/// which is much faster than Unicode decomposition; `None` for any other letter, which
/// then goes through [`fold`]. Expects lower case.
fn fold_latin(lower: &str) -> Option<String> {
    lower
        .chars()
        .map(|c| match c {
            'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' => Some('a'),
            'é' | 'è' | 'ê' | 'ë' => Some('e'),
            'í' | 'ì' | 'î' | 'ï' => Some('i'),
            'ó' | 'ò' | 'ô' | 'ö' | 'õ' => Some('o'),
            'ú' | 'ù' | 'û' | 'ü' => Some('u'),
            'ñ' => Some('n'),
            'ç' => Some('c'),
            c if c.is_ascii() => Some(c),
            _ => None,
        })
        .collect()
}

/// FNV-1a: fast on the short strings features are, and the same on every run, unlike the
/// standard library's randomly seeded hasher.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 ^= u64::from(byte);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

pub(crate) type FnvBuild = std::hash::BuildHasherDefault<Fnv>;

fn hash(feature: &str) -> u64 {
    use std::hash::Hasher;
    let mut hasher = Fnv::default();
    hasher.write(feature.as_bytes());
    hasher.finish()
}

/// Puts back the accent of "-ción"/"-sión", the endings Snowball's Spanish rules need
/// accented to strip ("facturacion" → "facturación" → "factur").
fn restore_accent(folded: &str) -> Option<String> {
    for (plain, accented) in [("cion", "ción"), ("sion", "sión"), ("xion", "xión")] {
        if let Some(root) = folded.strip_suffix(plain)
            && !root.is_empty()
        {
            return Some(format!("{root}{accented}"));
        }
    }
    None
}

struct Stemmers {
    spanish: Stemmer,
    english: Stemmer,
}

impl Stemmers {
    fn new() -> Stemmers {
        Stemmers {
            spanish: Stemmer::create(Algorithm::Spanish),
            english: Stemmer::create(Algorithm::English),
        }
    }

    fn spanish<'a>(&self, word: &'a str) -> Cow<'a, str> {
        self.spanish.stem(word)
    }

    fn english<'a>(&self, word: &'a str) -> Cow<'a, str> {
        self.english.stem(word)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn feature_set(subject: &str, body: &str) -> BTreeSet<String> {
        Features::of(subject, body)
            .iter()
            .map(|(feature, _)| feature.to_string())
            .collect()
    }

    #[test]
    fn stopwords_are_sorted_and_folded() {
        for list in [SPANISH_STOPWORDS, ENGLISH_STOPWORDS] {
            assert!(list.windows(2).all(|pair| pair[0] < pair[1]));
            assert!(list.iter().all(|word| fold(word) == *word));
        }
    }

    #[test]
    fn accents_do_not_change_the_features() {
        assert_eq!(
            feature_set("", "facturación"),
            feature_set("", "facturacion")
        );
        assert_eq!(
            feature_set("", "FACTURACIÓN"),
            feature_set("", "facturacion")
        );
        assert_eq!(feature_set("", "Pingüino"), feature_set("", "pinguino"));
        // Letters outside the fast table still fold.
        assert_eq!(feature_set("", "Dvořák"), feature_set("", "dvorak"));
        assert!(feature_set("", "facturacion").contains("factur"));
        assert!(feature_set("", "facturas").contains("factur"));
        assert_eq!(feature_set("", "envío"), feature_set("", "envio"));
        assert_eq!(
            feature_set("", "suscripción cancelada"),
            feature_set("", "suscripcion cancelada")
        );
    }

    #[test]
    fn decomposed_accents_are_one_word() {
        assert_eq!(
            feature_set("", "facturacio\u{0301}n"),
            feature_set("", "facturación")
        );
    }

    #[test]
    fn stopwords_and_single_letters_are_dropped_but_negation_stays() {
        let features = feature_set("", "Hola, no me funciona el carrito y la web");
        assert!(features.contains("no"));
        assert!(!features.contains("hola"));
        assert!(!features.contains("el"));
        assert!(!features.contains("y"));
        assert!(features.contains("no funcion"));
    }

    #[test]
    fn numbers_collapse_but_short_codes_stay() {
        let features = feature_set("", "error 500 en la factura 2024-00123");
        assert!(features.contains(NUMBER));
        assert!(features.contains("500"));
        assert!(!features.contains("00123"));
    }

    #[test]
    fn subject_words_weigh_more_and_each_feature_counts_once() {
        let weight_of = |features: &Features, wanted: &str| -> Vec<f64> {
            features
                .iter()
                .filter(|(feature, _)| *feature == wanted)
                .map(|(_, weight)| weight)
                .collect()
        };
        let both = Features::of("pedido", "pedido pedido");
        assert_eq!(weight_of(&both, "ped"), vec![SUBJECT_WEIGHT]);
        let body_only = Features::of("hola", "pedido pedido");
        assert_eq!(weight_of(&body_only, "ped"), vec![BODY_WEIGHT]);
    }

    #[test]
    fn english_words_get_english_stems() {
        let features = feature_set("", "The invoices are missing");
        assert!(features.contains("invoic"));
        assert!(features.contains("miss"));
    }

    #[test]
    fn empty_text_has_no_features() {
        assert_eq!(Features::of("", "").iter().count(), 0);
        assert_eq!(Features::of("", "... !!").iter().count(), 0);
        let question = Features::of("¿?", "");
        let only_question: Vec<(&str, f64)> = question.iter().collect();
        assert_eq!(only_question, vec![(QUESTION, BODY_WEIGHT)]);
    }
}
