//! What the customer did, or tried to do, with the product: a first-person verb of using it
//! ("cambio", "he intentado", "I tried"), or an action it did not let them do ("no me deja
//! subir").

use crate::policy::checklist::doc::{Doc, PhraseList, WordSet};
use crate::policy::checklist::location::DETERMINERS;
use crate::policy::checklist::timing;

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

pub(in crate::policy::checklist) fn action_at(doc: &Doc, i: usize) -> Option<usize> {
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

/// Verbs that say the customer tried: "no puedo vender" is a consequence, "no me deja subir"
/// an attempt.
pub(super) static CANNOT: PhraseList = PhraseList::new(&[
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
pub(super) fn attempt_at(doc: &Doc, end: usize) -> Option<usize> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ambiguous_verb_forms_need_context() {
        let doc = Doc::new("", "el envío, te envío, creo que, lo envío yo");
        let actions: Vec<usize> = (0..doc.len())
            .filter(|i| action_at(&doc, *i).is_some())
            .collect();
        assert_eq!(actions, vec![7]);
    }
}
