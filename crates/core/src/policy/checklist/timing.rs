//! When the problem happens: a time ("ayer", "desde el lunes", "a las 10:30", "el 12/03",
//! "hace dos días", "since yesterday") or the moment it shows up ("cuando añado…",
//! "al pulsar…", "after saving…", "I click save and nothing happens").

use super::description::{self, Kind};
use super::doc::{Doc, PhraseList};

static TIME_PHRASES: PhraseList = PhraseList::new(&[
    // Spanish
    "hoy",
    "ayer",
    "anoche",
    "anteayer",
    "antier",
    "antes de ayer",
    "esta manana",
    "esta tarde",
    "esta noche",
    "esta madrugada",
    "esta misma manana",
    "este fin de semana",
    "el fin de semana",
    "esta semana",
    "la semana pasada",
    "el mes pasado",
    "ahora mismo",
    "en este momento",
    "hace un rato",
    "hace poco",
    "hace nada",
    "desde entonces",
    "desde hace",
    "desde que",
    "todo el dia",
    "toda la manana",
    "toda la tarde",
    "toda la noche",
    "todo el fin de semana",
    "de madrugada",
    "todos los dias",
    "cada dia",
    "a primera hora",
    "el otro dia",
    // English
    "today",
    "yesterday",
    "tonight",
    "last night",
    "this morning",
    "this afternoon",
    "this evening",
    "this week",
    "last week",
    "last weekend",
    "this weekend",
    "right now",
    "ever since",
    "since then",
    "the other day",
    "every day",
    "all day",
]);

/// Connectives that tie the problem to what the customer does.
static TRIGGER_PHRASES: PhraseList = PhraseList::new(&[
    "cada vez que",
    "siempre que",
    "nada mas",
    "despues de",
    "despues que",
    "luego de",
    "every time",
    "each time",
    "any time",
    "whenever",
    "as soon as",
    "upon",
]);

const WEEKDAYS: &[&str] = &[
    "lunes",
    "martes",
    "miercoles",
    "jueves",
    "viernes",
    "sabado",
    "domingo",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];
const MONTHS_ES: &[&str] = &[
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "setiembre",
    "octubre",
    "noviembre",
    "diciembre",
];
const MONTHS_EN: &[&str] = &[
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];
const QUANTITIES: &[&str] = &[
    "un", "una", "unos", "unas", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho",
    "nueve", "diez", "quince", "veinte", "varios", "varias", "algunos", "algunas", "mas", "par",
    "media", "medio", "a", "an", "one", "two", "three", "four", "five", "six", "ten", "few",
    "couple", "several", "some", "the", "last", "past",
];
const UNITS: &[&str] = &[
    "segundo", "segundos", "minuto", "minutos", "min", "mins", "hora", "horas", "h", "dia", "dias",
    "semana", "semanas", "mes", "meses", "rato", "second", "seconds", "minute", "minutes", "hour",
    "hours", "day", "days", "week", "weeks", "month", "months", "while",
];
/// Events a problem is dated from: "desde la actualización", "after the update".
const EVENTS: &[&str] = &[
    "actualizacion",
    "actualizaciones",
    "cambio",
    "migracion",
    "traslado",
    "transferencia",
    "renovacion",
    "instalacion",
    "importacion",
    "mantenimiento",
    "update",
    "upgrade",
    "migration",
    "transfer",
    "change",
    "renewal",
    "installation",
    "import",
    "maintenance",
];
/// Words that may lead a time in the quote: "desde el lunes", "a las 9:15", "since Monday".
const TIME_LEADERS: &[&str] = &[
    "desde", "el", "este", "esta", "a", "las", "la", "sobre", "hacia", "hasta", "on", "since",
    "last", "this", "at", "around", "en", "from", "pasado", "los", "de",
];

/// "cuando podáis": when the customer asks to be helped, not when it fails.
const CUANDO_NOT_TRIGGER: &[&str] = &[
    "puedas", "podais", "pueda", "puedan", "podamos", "tengas", "tengais", "tenga", "tengan",
    "quieras", "querais", "quieran", "sea", "sean", "sepas", "sepais", "sepan", "estara",
    "estaran", "sera", "seria", "solo", "deberia", "deberian", "tendria", "tendrian", "os", "te",
    "vayas", "podeis", "pueden", "estara",
];
const WHEN_NOT_TRIGGER: &[&str] = &[
    "will",
    "can",
    "could",
    "would",
    "possible",
    "convenient",
    "available",
    "should",
];
/// Words ending like an infinitive that are not one ("al lugar"), or that make "al …"
/// mean "since it is" ("al ser", "al estar").
const AL_NOT_TRIGGER: &[&str] = &[
    "lugar",
    "hogar",
    "titular",
    "auxiliar",
    "particular",
    "similar",
    "popular",
    "mar",
    "bar",
    "par",
    "taller",
    "poder",
    "alquiler",
    "mujer",
    "ser",
    "estar",
    "haber",
    "tener",
    "final",
    "principio",
    "parecer",
    "nivel",
    "cliente",
    "proveedor",
    "correo",
    "por",
];

pub(super) fn is_infinitive(word: &str) -> bool {
    let bare = [
        "le", "lo", "la", "les", "los", "las", "me", "se", "te", "nos",
    ]
    .iter()
    .find_map(|c| word.strip_suffix(c).filter(|b| b.len() >= 3 && ends_inf(b)))
    .unwrap_or(word);
    word.len() >= 3 && ends_inf(bare) && !AL_NOT_TRIGGER.contains(&bare)
}

fn ends_inf(w: &str) -> bool {
    w.ends_with("ar") || w.ends_with("er") || w.ends_with("ir")
}

fn is_number(w: &str) -> bool {
    !w.is_empty() && w.chars().all(|c| c.is_ascii_digit())
}

fn number(w: &str) -> Option<u32> {
    if w.len() > 4 || !is_number(w) {
        return None;
    }
    w.parse().ok()
}

/// Whether the sentence of token `i` is a question that `i` opens: "¿Cuándo estará…?".
fn opens_question(doc: &Doc, i: usize) -> bool {
    if doc.gap_before(i).contains('\u{bf}') {
        return true;
    }
    let sid = doc.sentence_of(i);
    let starts = i == 0 || doc.sentence_of(i - 1) != sid;
    if !starts {
        return false;
    }
    let last = (i..doc.len())
        .take_while(|j| doc.sentence_of(*j) == sid)
        .last()
        .unwrap_or(i);
    doc.gap_before(last + 1).contains('?')
}

/// Connective triggers as token spans: "cuando añado", "al pulsar", "when I click".
pub(super) fn trigger_spans(doc: &Doc) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let listed = doc.phrase_ends(&TRIGGER_PHRASES);
    for i in 0..doc.len() {
        let phrase_end = listed.get(i).copied().filter(|e| *e > 0);
        if let Some(end) = trigger_at(doc, i, phrase_end) {
            out.push((i, end));
        }
    }
    out
}

fn trigger_at(doc: &Doc, i: usize, phrase_end: Option<usize>) -> Option<usize> {
    let w = doc.word(i);
    let next = doc.next_word(i, 1);
    let prev = doc.prev_word(i, 1);
    if next.is_empty() {
        return None;
    }
    match w {
        "cuando" => {
            // "hasta cuándo", "de vez en cuando", "cuando podáis", "¿cuándo estará?".
            let asks = matches!(prev, "hasta" | "desde" | "de" | "para")
                || CUANDO_NOT_TRIGGER.contains(&next)
                || opens_question(doc, i);
            let now_and_then = prev == "en" && doc.prev_word(i, 2) == "vez";
            (!asks && !now_and_then).then_some(i + 2)
        }
        "al" => is_infinitive(next).then_some(i + 2),
        "tras" => (is_infinitive(next)
            || matches!(next, "la" | "el" | "las" | "los" | "un" | "una" | "cambiar"))
        .then_some(i + 2),
        "antes" if next == "de" => is_infinitive(doc.next_word(i, 2)).then_some(i + 3),
        "mientras" => Some(i + 2),
        "en" if next == "cuanto" => {
            (!matches!(doc.next_word(i, 2), "a" | "al" | "" | "antes")).then_some(i + 3)
        }
        "si" => description::action_at(doc, i + 1),
        "when" => {
            let you_can = next == "you"
                && matches!(
                    doc.next_word(i, 2),
                    "can" | "have" | "get" | "ve" | "ll" | "re" | "are" | "will" | "could"
                );
            let ok = !WHEN_NOT_TRIGGER.contains(&next)
                && !you_can
                && !matches!(prev, "know" | "tell" | "me" | "ask")
                && !opens_question(doc, i);
            ok.then_some(i + 2)
        }
        "after" => (next != "all").then_some(i + 2),
        "once" => {
            matches!(next, "i" | "we" | "the" | "a" | "customers" | "you" | "it").then_some(i + 2)
        }
        "while" => (matches!(next, "i" | "we" | "the" | "a" | "customers")
            || next.ends_with("ing"))
        .then_some(i + 2),
        "if" => {
            if matches!(next, "i" | "we") {
                description::action_at(doc, i + 1)
            } else {
                None
            }
        }
        "since" => {
            // "since I renamed it" is a time; "since I'm on the basic plan" a reason.
            if matches!(next, "i" | "we") {
                let v = doc.next_word(i, 2);
                (v.len() > 3 && v.ends_with("ed")).then_some(i + 3)
            } else {
                None
            }
        }
        _ => {
            let end = phrase_end?;
            let after = doc.word(end);
            // "después de todo", "whenever you have time" are not moments.
            let after_all = matches!(w, "despues" | "luego") && after == "todo";
            let when_free = matches!(w, "whenever" | "any")
                && after == "you"
                && matches!(doc.next_word(end, 1), "have" | "can" | "get" | "re" | "are");
            (!after_all && !when_free).then_some(end + 1)
        }
    }
}

/// Explicit times and dates as token spans.
fn time_spans(doc: &Doc) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let listed = doc.phrase_ends(&TIME_PHRASES);
    for i in 0..doc.len() {
        let phrase_end = listed.get(i).copied().filter(|e| *e > 0);
        if let Some(end) = time_at(doc, i, phrase_end) {
            out.push((i, end));
        } else if doc.word(i) == "ago" {
            // "two days ago", "an hour ago": the quantity comes first.
            let start = (1..=3).rev().find(|k| {
                let q = doc.prev_word(i, *k);
                QUANTITIES.contains(&q) || is_number(q)
            });
            let unit = (1..=3).any(|k| UNITS.contains(&doc.prev_word(i, k)));
            if let (Some(k), true) = (start, unit) {
                out.push((i - k, i + 1));
            }
        }
    }
    out
}

fn time_at(doc: &Doc, i: usize, phrase_end: Option<usize>) -> Option<usize> {
    let w = doc.word(i);
    let prev = doc.prev_word(i, 1);
    let next = doc.next_word(i, 1);
    // "no hace nada" is "does nothing", not "just now".
    if w == "hace" && prev == "no" {
        return None;
    }
    if let Some(end) = phrase_end {
        return Some(end);
    }
    if WEEKDAYS.contains(&w) {
        // "Black Friday" is a sale, not a day the problem happened.
        let sale = (w == "friday" && prev == "black") || (w == "monday" && prev == "cyber");
        return (!sale).then_some(i + 1);
    }
    if MONTHS_ES.contains(&w) {
        let dated = (prev == "de"
            && (number(doc.prev_word(i, 2)).is_some_and(|d| (1..=31).contains(&d))
                || matches!(doc.prev_word(i, 2), "principios" | "finales" | "mediados")))
            || matches!(prev, "en" | "desde" | "hasta");
        return dated.then_some(i + 1);
    }
    if MONTHS_EN.contains(&w) {
        let dated = matches!(
            prev,
            "in" | "since" | "on" | "early" | "late" | "mid" | "until"
        ) || prev.starts_with(|c: char| c.is_ascii_digit())
            || number(next).is_some_and(|d| (1..=31).contains(&d));
        return dated.then_some(i + 1);
    }
    if w == "hace" || w == "llevo" || w == "llevamos" || w == "for" {
        return quantity_of_time(doc, i + 1).filter(|_| !next.is_empty());
    }
    if w == "las" && matches!(prev, "a" | "sobre" | "hacia" | "desde" | "hasta" | "de") {
        return number(next).filter(|h| *h <= 24).map(|_| i + 2);
    }
    if w == "dia" && matches!(prev, "el" | "desde" | "del") {
        return number(next).filter(|d| (1..=31).contains(d)).map(|_| i + 2);
    }
    if matches!(w, "desde" | "tras" | "since" | "after") {
        // "desde la actualización", "since the domain transfer".
        return (1..=3)
            .find(|k| EVENTS.contains(&doc.next_word(i, *k)))
            .map(|k| i + k + 1);
    }
    clock_or_date(doc, i)
}

/// "un par de días", "2 horas", "a few minutes" starting at token `i`.
fn quantity_of_time(doc: &Doc, i: usize) -> Option<usize> {
    let q = doc.word(i);
    if !(QUANTITIES.contains(&q) || is_number(q))
        || doc.sentence_of(i) != doc.sentence_of(i.saturating_sub(1))
    {
        return None;
    }
    (0..4)
        .map(|k| i + k)
        .take_while(|j| doc.sentence_of(*j) == doc.sentence_of(i))
        .find(|j| UNITS.contains(&doc.word(*j)))
        .map(|j| j + 1)
}

/// "9:15", "10h", "3pm", "12/03", "12-03-2024", "2024-03-12".
fn clock_or_date(doc: &Doc, i: usize) -> Option<usize> {
    let w = doc.word(i);
    if !w.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    // "3pm", "10am", "15h", "15h30".
    let digits: String = w.chars().take_while(char::is_ascii_digit).collect();
    let suffix = &w[digits.len()..];
    if let Some(h) = number(&digits) {
        let clock_suffix = matches!(suffix, "am" | "pm" | "h" | "hs")
            || (suffix.starts_with('h') && number(&suffix[1..]).is_some_and(|m| m < 60));
        if h <= 24 && !suffix.is_empty() && clock_suffix {
            return Some(i + 1);
        }
    }
    if !suffix.is_empty() {
        return None;
    }
    let first = number(w)?;
    let next = doc.word(i + 1);
    let gap = if i + 1 < doc.len() {
        doc.gap_before(i + 1)
    } else {
        ""
    };
    let second = number(next);
    match (gap, second) {
        (":", Some(m)) if first <= 24 && m < 60 && next.len() == 2 => {
            let end = if matches!(doc.word(i + 2), "h" | "am" | "pm" | "horas")
                && doc.tight_before(i + 2)
            {
                i + 3
            } else {
                i + 2
            };
            Some(end)
        }
        (" ", None) if first <= 12 && matches!(next, "am" | "pm") => Some(i + 2),
        ("/", Some(m)) | ("-", Some(m)) | (".", Some(m)) => {
            let year_first = w.len() == 4 && (1990..=2100).contains(&first);
            let day_month = (1..=31).contains(&first) && (1..=12).contains(&m) && next.len() <= 2;
            let third_gap = doc.gap_before(i + 2);
            let has_third =
                i + 2 < doc.len() && third_gap == gap && number(doc.word(i + 2)).is_some();
            if year_first {
                (has_third && (1..=12).contains(&m)).then_some(i + 3)
            } else if day_month && gap != "." {
                Some(if has_third { i + 3 } else { i + 2 })
            } else if day_month && has_third {
                Some(i + 3)
            } else {
                None
            }
        }
        _ => None,
    }
}

/// A first-person action followed, in the same sentence, by what happened, from the action
/// to the end of the outcome: "le doy a guardar y no hace nada".
fn sequence_span(doc: &Doc) -> Option<(usize, usize)> {
    let signals = description::signals(doc);
    let in_body = signals.iter().filter(|s| !doc.token_in_subject(s.first));
    let in_subject = signals.iter().filter(|s| doc.token_in_subject(s.first));
    in_body.chain(in_subject).find_map(|a| {
        if a.kind != Kind::Action || a.attempt {
            return None;
        }
        let sid = doc.sentence_of(a.first);
        signals
            .iter()
            .find(|o| {
                o.kind == Kind::Outcome && o.first >= a.end && doc.sentence_of(o.first) == sid
            })
            .map(|o| (a.first, o.end))
    })
}

pub(super) fn detect(doc: &Doc) -> Option<String> {
    let times = time_spans(doc).into_iter().map(|s| (s, true));
    let triggers = trigger_spans(doc).into_iter().map(|s| (s, false));
    let chosen = times
        .chain(triggers)
        .min_by_key(|((first, end), _)| (doc.token_in_subject(*first), *first, usize::MAX - end));
    let (first, end) = match chosen {
        Some(((first, end), is_time)) => {
            let mut f = first;
            if is_time {
                for _ in 0..2 {
                    if f > 0
                        && doc.tight_before(f)
                        && doc.sentence_of(f - 1) == doc.sentence_of(first)
                        && TIME_LEADERS.contains(&doc.word(f - 1))
                    {
                        f -= 1;
                    } else {
                        break;
                    }
                }
            }
            (f, end)
        }
        None => {
            let (first, end) = sequence_span(doc)?;
            let mut end = end;
            while end > first + 1 && !doc.tokens_balanced(first, end) {
                end -= 1;
            }
            return doc.quote_tokens(first, end, 80);
        }
    };
    let end = doc.clause_end(first, end, 4, 80);
    doc.quote_tokens(first, end, 80)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Option<String> {
        detect(&Doc::new("", text))
    }

    #[test]
    fn times_and_triggers_are_quoted_with_what_follows() {
        let cases: &[(&str, &str)] = &[
            (
                "En Sitios Web, estoy creando la página 'Política de Garantía' y cuando añado un \
                 elemento de texto se añaden dos elementos de golpe en lugar de uno",
                "\"cuando añado un elemento de texto\"",
            ),
            ("la web está caída desde las 9:15", "\"desde las 9:15\""),
            (
                "Desde ayer por la tarde, no guarda",
                "\"Desde ayer por la tarde\"",
            ),
            ("ya puse los registros hace dos días.", "\"hace dos días\""),
            (
                "Pasa desde el 12/03 sin parar",
                "\"desde el 12/03 sin parar\"",
            ),
            ("falla al pulsar Guardar.", "\"al pulsar Guardar\""),
            (
                "Ocurre desde la actualización del martes",
                "\"desde la actualización del martes\"",
            ),
            (
                "Hi, since yesterday when customers click Pay",
                "\"since yesterday when customers click Pay\"",
            ),
            ("It started today around 3pm.", "\"today around 3pm\""),
            (
                "every time I save a page the images disappear",
                "\"every time I save a page\"",
            ),
            ("I added the CNAME record two days ago.", "\"two days ago\""),
            (
                "la tienda no me deja, le doy a guardar y no hace nada",
                "\"le doy a guardar y no hace nada\"",
            ),
            (
                "The page shows a 404 error since I renamed it",
                "\"since I renamed it\"",
            ),
        ];
        for (text, want) in cases {
            assert_eq!(run(text).as_deref(), Some(*want), "{text}");
        }
    }

    #[test]
    fn requests_for_a_call_or_a_date_are_not_times() {
        let cases = [
            "Me podéis llamar cuando podáis? Gracias",
            "¿Cuándo estará disponible la integración con Amazon?",
            "Cuando puedas me llamas",
            "No me ha llegado la factura de este mes",
            "can you send me the invoice for March?",
            "un usuario puede editar los productos, cuando solo debería ver los pedidos",
            "Let me know when you can, thanks",
            "Whenever you have time, could you check it?",
            "Error 500 y 404, tallas 38-40",
            "la web no funciona",
            "no puedo entrar en mi cuenta",
            "I may need help",
        ];
        for text in cases {
            assert_eq!(run(text), None, "{text}");
        }
    }

    #[test]
    fn dates_and_clocks_do_not_panic_on_odd_numbers() {
        for text in [
            "99999999999999999999:99",
            "2024-13-45",
            "1/",
            ":30",
            "12:",
            "15h🙁",
            "ñ 3pm ñ",
        ] {
            let _ = run(text);
        }
        assert_eq!(run("ñ 3pm ñ").as_deref(), Some("\"3pm ñ\""));
    }
}
