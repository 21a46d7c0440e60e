//! Whether the customer describes the situation: what they did (or want), what happened, and
//! what they expected instead — the policy's model: "estoy creando la página … y cuando añado
//! un elemento de texto se añaden dos elementos de golpe en lugar de uno".

use super::doc::{Doc, PhraseList, WordSet};
use super::location::DETERMINERS;
use super::timing;

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

/// Verbs of using the product, as stems: first-person forms are built from them
/// ("cambio", "cambié", "cambiamos"). Talking to support ("escribo", "llamo", "adjunto") is
/// not using the product and is left out.
static AR_STEMS: WordSet = WordSet::new(&[
    "cambi",
    "guard",
    "carg",
    "edit",
    "public",
    "borr",
    "elimin",
    "entr",
    "puls",
    "pinch",
    "configur",
    "instal",
    "activ",
    "desactiv",
    "conect",
    "vincul",
    "actualiz",
    "arrastr",
    "peg",
    "copi",
    "duplic",
    "seleccion",
    "busc",
    "compr",
    "rellen",
    "agreg",
    "quit",
    "modific",
    "insert",
    "renombr",
    "migr",
    "prob",
    "intent",
    "us",
    "recarg",
    "refresc",
    "descarg",
    "gener",
    "program",
    "asign",
    "marc",
    "cancel",
    "import",
    "export",
    "cre",
    "trat",
    "pag",
    "envi",
    "clic",
    "clik",
    "click",
    "toc",
    "visit",
    "revis",
    "comprob",
    "verific",
    "apret",
    "coloc",
    "complet",
    "arregl",
    "restaur",
    "reinici",
    "desinstal",
    "desconect",
    "sincroniz",
    "integr",
    "registr",
    "logu",
    "valid",
    "confirm",
    "aplic",
]);
static ER_STEMS: WordSet = WordSet::new(&[
    "anad", "sub", "met", "abr", "acced", "introduc", "elig", "eleg", "escog", "devolv", "mov",
    "romp", "resolv", "describ", "imprim", "consegu", "perd",
]);

/// Forms that are also nouns or other words; they count only when no determiner precedes
/// ("el envío", "de pago", "el uso") and, for "creo", not as "I think" ("creo que").
const AMBIGUOUS_FORMS: &[&str] = &[
    "envio", "uso", "pago", "cargo", "creo", "importo", "marco", "registro", "valido", "toco",
    "cambio", "pego", "copio", "borro", "intento",
];
/// Forms that are another word altogether, often in English.
const NOT_VERBS: &[&str] = &[
    "entre", "cree", "trato", "use", "page", "complete", "active",
];

static IRREGULAR_ES: WordSet = WordSet::new(&[
    "hago",
    "hice",
    "hicimos",
    "hacemos",
    "pongo",
    "puse",
    "pusimos",
    "ponemos",
    "elijo",
    "cierro",
    "cerre",
    "cerramos",
    "busque",
    "pague",
    "publique",
    "actualice",
    "pegue",
    "coloque",
    "toque",
    "pulse",
    "marque",
    "saque",
    "probe",
    "pruebo",
    "pruebe",
    "clique",
    "clickeo",
    "doy",
    "vuelvo",
    "volvi",
    "volvemos",
    "quito",
    "anadi",
    "subi",
    "abri",
    "accedi",
    "meti",
    "introduje",
    "introduzco",
    "escogi",
    "elegi",
]);

const PARTICIPLE_IRREGULAR: &[&str] = &[
    "hecho", "puesto", "escrito", "abierto", "vuelto", "visto", "roto", "devuelto", "resuelto",
    "impreso", "cubierto", "dicho",
];
/// "He llamado", "he escrito": talking to support, not using the product.
const PARTICIPLE_CONTACT: &[&str] = &[
    "llamado",
    "escrito",
    "contactado",
    "preguntado",
    "consultado",
    "comentado",
    "leido",
    "dicho",
];

static EN_ACTION: WordSet = WordSet::new(&[
    "try",
    "tried",
    "click",
    "clicked",
    "add",
    "added",
    "save",
    "saved",
    "upload",
    "uploaded",
    "open",
    "opened",
    "go",
    "went",
    "change",
    "changed",
    "create",
    "created",
    "set",
    "put",
    "made",
    "make",
    "enter",
    "entered",
    "type",
    "typed",
    "press",
    "pressed",
    "select",
    "selected",
    "delete",
    "deleted",
    "remove",
    "removed",
    "install",
    "installed",
    "update",
    "updated",
    "connect",
    "connected",
    "import",
    "imported",
    "use",
    "log",
    "logged",
    "paste",
    "pasted",
    "drag",
    "dragged",
    "edit",
    "edited",
    "publish",
    "published",
    "tap",
    "tapped",
    "test",
    "tested",
    "check",
    "checked",
    "reset",
    "rename",
    "renamed",
    "enable",
    "enabled",
    "disable",
    "disabled",
    "follow",
    "followed",
    "buy",
    "bought",
    "pay",
    "paid",
    "switched",
    "switch",
    "moved",
    "move",
    "renewed",
    "renew",
    "activated",
    "activate",
    "visit",
    "visited",
    "search",
    "searched",
    "look",
    "looked",
    "created",
    "ordered",
    "configured",
    "configure",
    "duplicated",
    "duplicate",
    "reloaded",
    "reload",
    "refreshed",
    "refresh",
    "cleared",
    "clear",
    "sent",
    "send",
    "deleted",
]);
/// "I need", "I was charged": not something the customer did with the product.
const EN_NOT_ACTION: &[&str] = &[
    "need", "needed", "used", "wanted", "wondered", "noticed", "received",
];

pub(super) fn action_at(doc: &Doc, i: usize) -> Option<usize> {
    let w = doc.word(i);
    let next = doc.next_word(i, 1);
    match w {
        "he" | "hemos" | "habia" | "habiamos" => {
            let mut j = i + 1;
            if matches!(doc.next_word(i, 1), "ya" | "tambien" | "incluso") {
                j += 1;
            }
            let p = doc.word(j);
            let is_participle = (p.ends_with("ado") || p.ends_with("ido") || p.ends_with("ada"))
                && p.len() > 4
                || PARTICIPLE_IRREGULAR.contains(&p);
            (doc.sentence_of(j) == doc.sentence_of(i)
                && is_participle
                && !PARTICIPLE_CONTACT.contains(&p))
            .then_some(j + 1)
        }
        "estoy" | "estamos" | "estaba" | "estabamos" => (next.len() > 5
            && (next.ends_with("ando") || next.ends_with("iendo") || next.ends_with("yendo")))
        .then_some(i + 2),
        "le" if matches!(next, "doy" | "di" | "damos" | "dimos" | "da" | "dan") => Some(i + 2),
        "i" | "we" => english_action(doc, i),
        _ => {
            if matches!(w, "trying" | "tried") && next == "to" {
                return Some(i + 2);
            }
            if matches!(w, "hago" | "hice" | "hacemos" | "hicimos") {
                return matches!(next, "clic" | "click" | "doble").then_some(i + 2);
            }
            spanish_first_person(doc, i).then_some(i + 1)
        }
    }
}

fn english_action(doc: &Doc, i: usize) -> Option<usize> {
    let mut j = i + 1;
    let mut aux = "";
    while matches!(
        doc.word(j),
        "ve" | "have"
            | "had"
            | "m"
            | "am"
            | "re"
            | "are"
            | "just"
            | "also"
            | "already"
            | "then"
            | "d"
            | "even"
            | "again"
            | "first"
    ) && doc.sentence_of(j) == doc.sentence_of(i)
        && j < i + 4
    {
        if matches!(
            doc.word(j),
            "ve" | "have" | "had" | "m" | "am" | "re" | "are"
        ) {
            aux = doc.word(j);
        }
        j += 1;
    }
    if doc.sentence_of(j) != doc.sentence_of(i) {
        return None;
    }
    let v = doc.word(j);
    if EN_NOT_ACTION.contains(&v) {
        return None;
    }
    let ok = match aux {
        "m" | "am" | "re" | "are" => v.len() > 4 && v.ends_with("ing") && v != "having",
        _ => EN_ACTION.contains(v) || (v.len() > 4 && v.ends_with("ed")),
    };
    ok.then_some(j + 1)
}

fn spanish_first_person(doc: &Doc, i: usize) -> bool {
    let w = doc.word(i);
    let ending = w.ends_with('o') || w.ends_with('e') || w.ends_with('i') || w.ends_with("mos");
    if w.len() < 3 || !ending || NOT_VERBS.contains(&w) {
        return false;
    }
    let is_form = IRREGULAR_ES.contains(w)
        || ["o", "e", "amos"].iter().any(|e| {
            w.strip_suffix(e)
                .is_some_and(|stem| AR_STEMS.contains(stem))
        })
        || ["o", "i", "imos", "emos"].iter().any(|e| {
            w.strip_suffix(e)
                .is_some_and(|stem| ER_STEMS.contains(stem))
        });
    if !is_form {
        return false;
    }
    if AMBIGUOUS_FORMS.contains(&w) {
        let prev = doc.prev_word(i, 1);
        // "el envío", "te envío", "creo que", "cambio de plan": not the customer acting.
        if DETERMINERS.contains(&prev)
            || matches!(prev, "te" | "os" | "les" | "gastos" | "metodo" | "metodos")
            || matches!(doc.next_word(i, 1), "que" | "de" | "del")
        {
            return false;
        }
    }
    true
}

static OUTCOMES: PhraseList = PhraseList::new(&[
    // Spanish
    "se anaden",
    "se anade",
    "se duplica",
    "se duplican",
    "aparece",
    "aparecen",
    "sale",
    "salen",
    "salta",
    "da error",
    "me da",
    "error",
    "errores",
    "no se guarda",
    "no se guardan",
    "no guarda",
    "no carga",
    "no cargan",
    "no se ve",
    "no se ven",
    "se ve",
    "se ven",
    "no funciona",
    "no funcionan",
    "no va",
    "no me deja",
    "no deja",
    "no puedo",
    "no puede",
    "no pueden",
    "no podemos",
    "no llega",
    "no llegan",
    "no me llega",
    "no me llegan",
    "no recibe",
    "no reciben",
    "no recibo",
    "no recibimos",
    "se queda",
    "se quedan",
    "queda",
    "se cuelga",
    "se bloquea",
    "se cierra",
    "se borra",
    "se borran",
    "se pierde",
    "se pierden",
    "pierdo",
    "desaparece",
    "desaparecen",
    "vuelve",
    "vuelven",
    "en blanco",
    "no hace nada",
    "no pasa nada",
    "me echa",
    "cobra",
    "cobrando",
    "falla",
    "fallan",
    "muestra",
    "muestran",
    "me dice",
    "dice que",
    "me pone",
    "le pone",
    "pone",
    "rebota",
    "rebotan",
    "no responde",
    "tarda",
    "tardan",
    "no se abre",
    "no abre",
    "no se actualiza",
    "no se actualizan",
    "sigue",
    "siguen",
    "pasa lo mismo",
    "pasa igual",
    "se pone",
    "se salta",
    "se rompe",
    "bloqueado",
    "no encuentro",
    "no se aplica",
    "se aplica",
    "vacio",
    "vacia",
    "devuelve",
    "cancelado",
    "descuadrado",
    "descuadrada",
    "pixelada",
    "pixelado",
    "cortado",
    "cortada",
    "estiradas",
    "estirada",
    "no se envia",
    "no se envian",
    "no se crea",
    "no se crean",
    "no se puede",
    "no se pueden",
    "no entra",
    "no entran",
    "lento",
    "lenta",
    "redirige",
    "se recarga",
    "no sale",
    "no salen",
    "se cambia",
    "se mezclan",
    "se mueve",
    "404",
    "500",
    "403",
    "502",
    "se me cierra",
    "se me duplican",
    "se me borra",
    "me cobra",
    "me han cobrado",
    "me habeis cobrado",
    "cobrado",
    "caducado",
    "caida",
    "no se abre",
    "no me sale",
    "mal",
    "sin poder",
    "solo veo",
    "solo sale",
    "solo salen",
    "solo aparece",
    "solo aparecen",
    "solo se",
    "only shows",
    "only show",
    "only see",
    "only get",
    // English
    "doesn t",
    "does not",
    "doesnt",
    "don t",
    "do not",
    "dont",
    "didn t",
    "did not",
    "won t",
    "wont",
    "isn t",
    "is not",
    "isnt",
    "aren t",
    "are not",
    "can t",
    "cannot",
    "cant",
    "couldn t",
    "not working",
    "nothing happens",
    "does nothing",
    "errors",
    "fails",
    "failed",
    "failing",
    "shows",
    "showing",
    "appears",
    "disappear",
    "disappears",
    "blank",
    "stuck",
    "freezes",
    "freeze",
    "crashes",
    "crash",
    "broken",
    "looks",
    "keeps",
    "i get",
    "i got",
    "we get",
    "they get",
    "says",
    "bounce",
    "bounces",
    "stopped",
    "stays",
    "wrong",
    "twice",
    "duplicated",
    "blurry",
    "overlaps",
    "slow",
    "redirects",
    "expired",
    "offline",
    "down",
    "not receiving",
    "charged",
    "still",
]);

static EXPECTATIONS: PhraseList = PhraseList::new(&[
    // Spanish
    "en lugar de",
    "en vez de",
    "deberia",
    "deberian",
    "tendria que",
    "tendrian que",
    "tiene que",
    "tienen que",
    "esperaba",
    "se supone",
    "normalmente",
    "aunque",
    "a pesar de",
    "quiero",
    "queremos",
    "quisiera",
    "quisieramos",
    "me gustaria",
    "nos gustaria",
    "necesito",
    "necesitamos",
    "no he cambiado",
    "no hemos cambiado",
    "correcto",
    "correcta",
    "igual que",
    "lo normal",
    "ayer funcionaba",
    "ayer iba",
    "de siempre",
    "como siempre",
    // English
    "instead of",
    "instead",
    "should",
    "shouldn t",
    "expected",
    "expect",
    "supposed to",
    "used to",
    "was working",
    "were working",
    "worked",
    "works",
    "working fine",
    "fine",
    "even though",
    "although",
    "as before",
    "i want",
    "i d like",
    "i would like",
    "we want",
    "we need",
    "i need",
    "we d like",
    "haven t changed",
    "didn t change",
    "correct",
    "normal",
    "but i m on",
]);

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

/// Verbs that say the customer tried: "no puedo vender" is a consequence, "no me deja subir"
/// an attempt.
static CANNOT: PhraseList = PhraseList::new(&[
    "no me deja",
    "no nos deja",
    "no consigo",
    "no conseguimos",
    "no logro",
    "won t let me",
    "unable to",
    "not able to",
]);

/// "no me deja subir el favicon": the action the customer attempted, after the phrase of
/// [`CANNOT`] that ends at `end`.
fn attempt_at(doc: &Doc, end: usize) -> Option<usize> {
    let verb = doc.next_word(end - 1, 1);
    let spanish = doc.word(end - 1) == "deja" || doc.prev_word(end - 1, 1) == "no";
    let ok = if spanish {
        timing::is_infinitive(verb)
    } else {
        verb.len() > 1
            && verb.chars().all(char::is_alphabetic)
            && !matches!(verb, "be" | "the" | "a" | "it")
    };
    ok.then_some(end + 1)
}

fn expectation_at(doc: &Doc, i: usize, listed: Option<usize>) -> Option<usize> {
    let w = doc.word(i);
    match w {
        // "antes funcionaba", "antes sí", but not "lo antes posible", "antes de ayer".
        "antes" => {
            let prev = doc.prev_word(i, 1);
            let next = doc.next_word(i, 1);
            let urgency = matches!(prev, "lo" | "cuanto") || next == "posible";
            let day = next == "de" && doc.next_word(i, 2) == "ayer";
            (!urgency && !day && !next.is_empty()).then_some(i + 1)
        }
        // "en el ordenador se ve bien": a contrast, unless it is "no … bien".
        "bien" => {
            let negated = (1..=3).any(|k| matches!(doc.prev_word(i, k), "no" | "nada"));
            (!negated && i > 0).then_some(i + 1)
        }
        _ => listed,
    }
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

    #[test]
    fn ambiguous_verb_forms_need_context() {
        let doc = Doc::new("", "el envío, te envío, creo que, lo envío yo");
        let actions: Vec<usize> = (0..doc.len())
            .filter(|i| action_at(&doc, *i).is_some())
            .collect();
        assert_eq!(actions, vec![7]);
    }
}
