//! Whether the customer describes the situation: what they did (or want), what happened, and
//! what they expected instead — the policy's model: "estoy creando la página … y cuando añado
//! un elemento de texto se añaden dos elementos de golpe en lugar de uno".

mod action;
mod outcome;

use super::doc::{Doc, WordSet};
use super::timing;
pub(super) use action::action_at;
use action::{CANNOT, attempt_at};
use outcome::{EXPECTATIONS, OUTCOMES, expectation_at};

/// A word span that shows one of the three parts of a description.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Signal {
    pub kind: Kind,
    pub first: usize,
    pub end: usize,
    /// An action the customer could not do ("no me deja subir"): what they tried, but not a
    /// moment the problem shows up on.
    pub attempt: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Action,
    Outcome,
    Expectation,
}

/// Every signal of the three kinds, in text order.
pub(super) fn signals(doc: &Doc) -> &[Signal] {
    doc.signals(find_signals)
}

fn find_signals(doc: &Doc) -> Vec<Signal> {
    let mut out = Vec::new();
    let triggers = timing::trigger_spans(doc);
    let outcomes = doc.phrase_ends(&OUTCOMES);
    let expectations = doc.phrase_ends(&EXPECTATIONS);
    let cannot = doc.phrase_ends(&CANNOT);
    let at = |table: &[usize], i: usize| table.get(i).copied().filter(|e| *e > 0);
    for i in 0..doc.len() {
        if let Some(end) = action_at(doc, i) {
            out.push(Signal {
                kind: Kind::Action,
                first: i,
                end,
                attempt: false,
            });
        }
        if let Some(end) = at(&cannot, i).and_then(|end| attempt_at(doc, end)) {
            out.push(Signal {
                kind: Kind::Action,
                first: i,
                end,
                attempt: true,
            });
        }
        if let Some(end) = at(&outcomes, i) {
            out.push(Signal {
                kind: Kind::Outcome,
                first: i,
                end,
                attempt: false,
            });
        }
        if let Some(end) = expectation_at(doc, i, at(&expectations, i)) {
            out.push(Signal {
                kind: Kind::Expectation,
                first: i,
                end,
                attempt: false,
            });
        }
    }
    // "cuando añado …", "al pulsar …": the trigger is what the customer did.
    for (first, end) in triggers {
        out.push(Signal {
            kind: Kind::Action,
            first,
            end,
            attempt: false,
        });
    }
    out.sort_by_key(|s| (s.first, s.end));
    out
}

/// Words that carry no content: articles, pronouns, greetings and courtesy.
static FILLER: WordSet = WordSet::new(&[
    "el",
    "la",
    "los",
    "las",
    "un",
    "una",
    "unos",
    "unas",
    "de",
    "del",
    "al",
    "a",
    "en",
    "y",
    "o",
    "que",
    "se",
    "me",
    "te",
    "le",
    "les",
    "lo",
    "nos",
    "os",
    "mi",
    "mis",
    "tu",
    "su",
    "sus",
    "es",
    "por",
    "para",
    "con",
    "sin",
    "hola",
    "ola",
    "buenas",
    "buenos",
    "dias",
    "tardes",
    "noches",
    "gracias",
    "saludos",
    "saludo",
    "favor",
    "porfa",
    "xfa",
    "un",
    "muchas",
    "ayuda",
    "ayudar",
    "ayudeis",
    "urgente",
    "q",
    "pero",
    "the",
    "a",
    "an",
    "and",
    "or",
    "to",
    "of",
    "in",
    "on",
    "it",
    "is",
    "i",
    "my",
    "hi",
    "hello",
    "hey",
    "thanks",
    "thank",
    "you",
    "please",
    "regards",
    "cheers",
    "best",
    "help",
    "there",
    "this",
    "that",
    "be",
    "vendomia",
    "atentamente",
    "cordial",
    "equipo",
    "team",
]);

/// At least this many content words: a bare symptom line has fewer.
const MIN_CONTENT_WORDS: usize = 7;

pub(super) fn detect(doc: &Doc) -> Option<String> {
    let content = (0..doc.len())
        .filter(|i| !FILLER.contains(doc.word(*i)))
        .take(MIN_CONTENT_WORDS)
        .count();
    if content < MIN_CONTENT_WORDS {
        return None;
    }
    let found = signals(doc);
    let has = |k: Kind| found.iter().any(|s| s.kind == k);
    let kinds = [Kind::Action, Kind::Outcome, Kind::Expectation]
        .into_iter()
        .filter(|k| has(*k))
        .count();
    if kinds < 2 {
        return None;
    }
    best_sentence(doc, found)
}

/// The sentence that shows most of the description, quoted.
/// Ranked by the kinds it shows, then by showing what happened (the heart of a report), then
/// by being in the body rather than the subject, then by how much it says.
fn best_sentence(doc: &Doc, found: &[Signal]) -> Option<String> {
    let mut best: Option<((usize, bool, bool, usize), usize)> = None;
    // Signals come in text order, so each sentence's signals are one run.
    for run in found.chunk_by(|a, b| doc.sentence_of(a.first) == doc.sentence_of(b.first)) {
        let has = |k: Kind| run.iter().any(|s| s.kind == k);
        let kinds = [Kind::Action, Kind::Outcome, Kind::Expectation]
            .into_iter()
            .filter(|k| has(*k))
            .count();
        let first_token = run.first().map_or(0, |s| s.first);
        let in_body = !doc.token_in_subject(first_token);
        let rank = (kinds, has(Kind::Outcome), in_body, run.len());
        if best.is_none_or(|(b, _)| rank > b) {
            best = Some((rank, first_token));
        }
    }
    let (_, at) = best?;
    let sid = doc.sentence_of(at);
    let first = (0..=at)
        .rev()
        .take_while(|i| doc.sentence_of(*i) == sid)
        .last()?;
    let end = (at..doc.len())
        .take_while(|i| doc.sentence_of(*i) == sid)
        .last()?
        + 1;
    doc.quote_tokens(first, end, 120)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Option<String> {
        detect(&Doc::new("", text))
    }

    #[test]
    fn detailed_descriptions_are_found() {
        let cases: &[(&str, &str)] = &[
            (
                "En Sitios Web, estoy creando la página 'Política de Garantía' y cuando añado un \
                 elemento de texto se añaden dos elementos de golpe en lugar de uno",
                "\"En Sitios Web, estoy creando la página 'Política de Garantía' y cuando añado un \
                 elemento de texto se añaden dos…\"",
            ),
            (
                "Hola. He intentado conectar mi dominio y cuando le doy a verificar me dice que \
                 los DNS no están bien. Debería estar verificado.",
                "\"He intentado conectar mi dominio y cuando le doy a verificar me dice que los DNS \
                 no están bien\"",
            ),
            (
                "Hello, when I try to upload a product image I get 'File too large' even though \
                 the file is only 300 KB.",
                "\"Hello, when I try to upload a product image I get 'File too large' even though \
                 the file is only 300 KB\"",
            ),
            (
                "Cada vez que importo el CSV de productos se me duplican todos, en vez de \
                 actualizar el stock.",
                "\"Cada vez que importo el CSV de productos se me duplican todos, en vez de \
                 actualizar el stock\"",
            ),
        ];
        for (text, want) in cases {
            assert_eq!(run(text).as_deref(), Some(*want), "{text}");
        }
    }

    #[test]
    fn vague_requests_are_not_descriptions() {
        let cases = [
            "no funciona",
            "Ayuda urgente por favor",
            "me da error",
            "Hola buenas tardes, os escribo porque tengo un problema con la web y no funciona. \
             Gracias, un saludo",
            "Hola, tengo un problema con los pedidos, no funcionan bien. Me podéis llamar?",
            "not working, help!!",
            "Hi, can I change the currency of my store to USD?",
            "Desde esta mañana el blog no carga",
        ];
        for text in cases {
            assert_eq!(run(text), None, "{text}");
        }
    }
}
