//! Whether a request is urgent by the customer's own words.

use crate::ValidationError;
use crate::policy::checklist::doc::{Doc, fold_phrase};
use crate::policy::labelled::{Agreement, labelled_flag, labelled_rows, unescape};

/// The phrases the policy's customers use when something can't wait.
pub fn default_phrases() -> Vec<String> {
    [
        // Spanish
        "urgente",
        "urgencia",
        "es urgente",
        "urgentemente",
        "me urge",
        "nos urge",
        "lo antes posible",
        "cuanto antes",
        "no puedo vender",
        "no podemos vender",
        "no puedo cobrar",
        "no podemos cobrar",
        "la tienda no carga",
        "la web no carga",
        "la tienda no funciona",
        "la web esta caida",
        "caida",
        "caído",
        "esta caida",
        "web caida",
        "tienda caida",
        "no funciona nada",
        "cobro duplicado",
        "cobrado dos veces",
        "doble cobro",
        "emergencia",
        // English
        "urgent",
        "urgently",
        "asap",
        "as soon as possible",
        "site is down",
        "website is down",
        "store is down",
        "shop is down",
        "can't sell",
        "cant sell",
        "cannot sell",
        "double charged",
        "charged twice",
        "emergency",
    ]
    .iter()
    .map(|p| p.to_string())
    .collect()
}

/// Statements that the request can wait; they outweigh any urgent word around them
/// ("No es urgente, pero la web no carga en el móvil").
const NOT_URGENT: &[&str] = &[
    "no es urgente",
    "nada urgente",
    "no urge",
    "sin prisa",
    "no hay prisa",
    "no corre prisa",
    "no tengo prisa",
    "no es una urgencia",
    "no es una emergencia",
    "not urgent",
    "isn't urgent",
    "is not urgent",
    "no rush",
    "no hurry",
    "not an emergency",
    "not in a hurry",
];

/// Words that turn the urgent word after them around: "no es urgente", "not an emergency".
const NEGATORS: &[&str] = &[
    "no", "nada", "sin", "ni", "tampoco", "nunca", "not", "never", "nothing", "isn", "aren", "wasn",
];
/// Words that may stand between a negator and the urgent word.
const GLUE: &[&str] = &[
    "es",
    "sea",
    "era",
    "muy",
    "tan",
    "demasiado",
    "tampoco",
    "lo",
    "una",
    "un",
    "is",
    "an",
    "a",
    "really",
    "very",
    "so",
    "too",
    "that",
    "particularly",
    "t",
    "s",
];
/// "una caída de las visitas" is a trend, not an outage.
const METRICS: &[&str] = &[
    "visitas",
    "ventas",
    "trafico",
    "precio",
    "precios",
    "conversion",
    "conversiones",
    "posiciones",
    "seguidores",
    "pedidos",
    "rendimiento",
];

/// The first urgent phrase found (quoted from the text), or `None`.
pub fn detect(subject: &str, text: &str, phrases: &[String]) -> Option<String> {
    let doc = Doc::new(subject, text);
    if NOT_URGENT
        .iter()
        .any(|p| !doc.find_phrase(&fold_phrase(p)).is_empty())
    {
        return None;
    }
    let mut best: Option<(usize, usize)> = None;
    for phrase in phrases {
        let folded = fold_phrase(phrase);
        for (first, end) in doc.find_phrase(&folded) {
            if negated(&doc, first) || metric_drop(&doc, first, end) {
                continue;
            }
            let better = best.is_none_or(|(f, e)| (first, usize::MAX - end) < (f, usize::MAX - e));
            if better {
                best = Some((first, end));
            }
        }
    }
    let (first, end) = best?;
    doc.quote_tokens(first, end, 80)
}

fn negated(doc: &Doc, first: usize) -> bool {
    for k in 1..=3 {
        // "No, es urgente": the comma ends the negation.
        let Some(between) = (first + 1).checked_sub(k) else {
            return false;
        };
        if doc.gap_before(between).contains([',', ':', ';']) {
            return false;
        }
        let w = doc.prev_word(first, k);
        if NEGATORS.contains(&w) {
            return true;
        }
        if !GLUE.contains(&w) {
            return false;
        }
    }
    false
}

fn metric_drop(doc: &Doc, first: usize, end: usize) -> bool {
    end == first + 1
        && matches!(doc.word(first), "caida" | "caido" | "caidas")
        && matches!(doc.next_word(first, 1), "de" | "del" | "en")
        && (2..=3).any(|k| METRICS.contains(&doc.next_word(first, k)))
}

/// Precision and recall of [`detect`] with [`default_phrases`] on a labelled TSV file
/// (`urgency.tsv` format: `urgent, subject, text`); "positive" means urgent.
pub fn measure(labelled_tsv: &str) -> Result<Agreement, ValidationError> {
    let phrases = default_phrases();
    let mut agreement = Agreement::default();
    for row in labelled_rows(labelled_tsv, "urgent", 3) {
        let (line, f) = row?;
        let urgent = labelled_flag(f[0], line, "urgent")?;
        let field = |k: usize, name: &str| {
            unescape(f[k]).map_err(|e| {
                ValidationError::new("labelled_tsv", format!("line {line}: {name}: {e}"))
            })
        };
        let found = detect(&field(1, "subject")?, &field(2, "text")?, &phrases).is_some();
        agreement.record(urgent, found);
    }
    Ok(agreement)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LABELLED: &str = include_str!("../../data/checklist/urgency.tsv");

    fn run(subject: &str, text: &str) -> Option<String> {
        detect(subject, text, &default_phrases())
    }

    #[test]
    fn urgent_words_are_quoted_as_written() {
        let cases: &[(&str, &str, &str)] = &[
            ("", "Ayuda URGENTE por favor", "\"URGENTE\""),
            (
                "",
                "la web está caída desde las 9:15",
                "\"la web está caída\"",
            ),
            ("", "¡No puedo vender nada!", "\"No puedo vender\""),
            ("URGENTE", "la tienda no carga", "\"URGENTE\""),
            ("", "Se ha caído la web!!", "\"caído\""),
            ("", "We can’t sell anything", "\"can’t sell\""),
            ("", "Please fix it ASAP", "\"ASAP\""),
            (
                "",
                "Me habéis cobrado dos veces la cuota",
                "\"cobrado dos veces\"",
            ),
            ("", "No, es urgente: la tienda no carga", "\"es urgente\""),
        ];
        for (subject, text, want) in cases {
            assert_eq!(run(subject, text).as_deref(), Some(*want), "{text}");
        }
    }

    #[test]
    fn negated_or_calm_requests_are_not_urgent() {
        let cases = [
            "No es urgente, pero me gustaría cambiar el logo",
            "nada urgente, cuando podáis",
            "Sin prisa: ¿se pueden programar entradas? Es urgente que lo sepa algún día",
            "Not urgent, but how do I add a coupon?",
            "No rush, it's urgent only for my boss",
            "This is not an emergency",
            "It isn't urgent.",
            "no es nada urgente",
            "He notado una caída de las visitas este mes",
            "¿El teléfono de urgencias es el mismo?",
            "",
            "ñ🙁",
        ];
        for text in cases {
            assert_eq!(run("", text), None, "{text}");
        }
    }

    #[test]
    fn configured_phrases_replace_the_defaults() {
        let phrases = vec!["parada total".to_string()];
        assert_eq!(
            detect("", "Tenemos una PARADA TOTAL del almacén", &phrases).as_deref(),
            Some("\"PARADA TOTAL\"")
        );
        assert_eq!(detect("", "urgente", &phrases), None);
        assert_eq!(detect("", "urgente", &[]), None);
        assert_eq!(detect("", "urgente", &[String::new()]), None);
    }

    #[test]
    fn urgency_agrees_with_the_labelled_requests() {
        let Ok(score) = measure(LABELLED) else {
            panic!("urgency.tsv does not parse");
        };
        let rows = score.true_pos + score.false_pos + score.false_neg + score.true_neg;
        println!("{rows} labelled requests");
        println!(
            "urgency  precision {:.3}  recall {:.3}  TP {} FP {} FN {} TN {}",
            score.precision(),
            score.recall(),
            score.true_pos,
            score.false_pos,
            score.false_neg,
            score.true_neg
        );
        assert!(rows >= 40);
        assert!(
            score.precision() >= 0.9,
            "precision {:.3}",
            score.precision()
        );
        assert!(score.recall() >= 0.9, "recall {:.3}", score.recall());
    }

    #[test]
    fn measure_rejects_malformed_rows() {
        assert!(measure("1\tonly two\n").is_err());
        assert!(measure("x\ts\tt\n").is_err());
        let Ok(score) = measure("urgent\tsubject\ttext\n1\t\tes urgente\n0\t\thola\n") else {
            panic!("a valid file was rejected");
        };
        assert_eq!((score.true_pos, score.true_neg), (1, 1));
    }
}
