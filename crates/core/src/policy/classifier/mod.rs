//! Which support type a request is, and what kind of request it is, learned from examples.
//!
//! Two logistic regression models share the same features (see [`features`]): one for the
//! support type, one for the request kind. The kind model only learns from examples whose
//! kind is known; agents' corrections usually fix just the type.
//!
//! Kinds largely follow from types (administrative requests are petitions, usage requests
//! are questions), and each model sometimes sees what the other misses. So the answer is
//! the most probable (type, kind) pair, scoring each pair by both models' probabilities
//! times how much more often that pair occurred in training than chance. This keeps the
//! two answers consistent: a request that is surely administrative is not reported as a
//! feature request.

mod dataset;
mod features;
mod logistic;

pub use dataset::parse_examples;

use crate::support::SupportType;
use features::Features;
use logistic::{Logistic, argmax};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

crate::string_enum!(
    /// What the customer is asking for. The intake checklist asks for error evidence only
    /// from error reports; other kinds need less.
    RequestKind {
        Error => "error",
        Change => "change",
        Question => "question",
        Request => "request",
    }
);

/// One labelled request. `kind` is unknown for agents' corrections, which only fix the type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingExample {
    pub subject: String,
    pub body: String,
    pub support_type: SupportType,
    pub kind: Option<RequestKind>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Classification {
    pub support_type: SupportType,
    /// Probability of `support_type`, 0–1.
    pub type_confidence: f64,
    pub kind: RequestKind,
    /// Probability of `kind`, 0–1.
    pub kind_confidence: f64,
}

/// A trained model. Serialises to JSON with sorted keys and integer weights, so the same
/// training data always gives the same text, and a stored model classifies exactly like
/// the one that was trained.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Classifier {
    support_type: Logistic<SupportType>,
    kind: Logistic<RequestKind>,
    /// How many training requests of each type had each kind.
    kinds_by_type: BTreeMap<SupportType, BTreeMap<RequestKind, u32>>,
}

/// Smoothing of the pair counts: small, because the labelling rules nearly fix the kind
/// of each type, but not zero, so that strong evidence can still produce a rare pair.
const PAIR_ALPHA: f64 = 0.5;

impl Classifier {
    /// Examples without a kind (agents' corrections) train the type model only.
    pub fn train(examples: &[TrainingExample]) -> Classifier {
        let features: Vec<Features> = examples
            .iter()
            .map(|example| Features::of(&example.subject, &example.body))
            .collect();
        let labelled = examples.iter().zip(&features);
        let support_type = Logistic::train(
            SupportType::ALL,
            labelled.clone().filter_map(|(example, features)| {
                Some((
                    features,
                    class_index(SupportType::ALL, example.support_type)?,
                ))
            }),
        );
        let kind = Logistic::train(
            RequestKind::ALL,
            labelled.filter_map(|(example, features)| {
                Some((features, class_index(RequestKind::ALL, example.kind?)?))
            }),
        );
        let mut kinds_by_type: BTreeMap<SupportType, BTreeMap<RequestKind, u32>> = BTreeMap::new();
        for example in examples {
            if let Some(request_kind) = example.kind {
                let count = kinds_by_type
                    .entry(example.support_type)
                    .or_default()
                    .entry(request_kind)
                    .or_default();
                *count = count.saturating_add(1);
            }
        }
        Classifier {
            support_type,
            kind,
            kinds_by_type,
        }
    }

    /// Any text is accepted; one without a word the model knows gets the classes' share of
    /// the training requests, a low confidence.
    pub fn classify(&self, subject: &str, body: &str) -> Classification {
        let features = Features::of(subject, body);
        let type_probabilities = self.support_type.posteriors(&features);
        let kind_probabilities = self.kind.posteriors(&features);
        let types = self.support_type.classes();
        let kinds = self.kind.classes();

        // Joint distribution over (type, kind) pairs, row per type.
        let mut joint = Vec::with_capacity(types.len() * kinds.len());
        for (&support_type, p_type) in types.iter().zip(&type_probabilities) {
            for (&request_kind, p_kind) in kinds.iter().zip(&kind_probabilities) {
                joint.push(p_type * p_kind * self.affinity(support_type, request_kind));
            }
        }
        let total: f64 = joint.iter().sum();
        if total > 0.0 && total.is_finite() {
            joint.iter_mut().for_each(|p| *p /= total);
        }
        let best = argmax(&joint);
        let width = kinds.len().max(1);
        let (best_type, best_kind) = (best / width, best % width);
        let type_confidence = joint.iter().skip(best_type * width).take(width).sum();
        let kind_confidence = joint.iter().skip(best_kind).step_by(width).sum();
        Classification {
            support_type: types
                .get(best_type)
                .copied()
                .unwrap_or(SupportType::Technical),
            type_confidence,
            kind: kinds.get(best_kind).copied().unwrap_or(RequestKind::Error),
            kind_confidence,
        }
    }

    /// P(kind | type) / P(kind) from the training pairs: above 1 for pairs that go together,
    /// near 0 for pairs the labelling rules exclude, 1 when nothing is known.
    fn affinity(&self, support_type: SupportType, request_kind: RequestKind) -> f64 {
        let kinds = self.kind.classes().len() as f64;
        let smoothed = |count: u32, total: u32| {
            (f64::from(count) + PAIR_ALPHA) / (f64::from(total) + PAIR_ALPHA * kinds)
        };
        let row = self.kinds_by_type.get(&support_type);
        let in_type = row
            .and_then(|row| row.get(&request_kind))
            .copied()
            .unwrap_or(0);
        let type_total = row.map_or(0, |row| row.values().sum());
        let overall: u32 = self
            .kinds_by_type
            .values()
            .filter_map(|row| row.get(&request_kind))
            .sum();
        let all: u32 = self.kinds_by_type.values().flat_map(BTreeMap::values).sum();
        smoothed(in_type, type_total) / smoothed(overall, all)
    }
}

fn class_index<L: PartialEq>(classes: &[L], label: L) -> Option<usize> {
    classes.iter().position(|class| *class == label)
}

/// The labelled examples shipped with Soporte, from `data/classifier/training.tsv`.
/// The tests check that the file parses; should it ever fail to, this returns no examples
/// rather than a partial set, so that a broken file gives an untrained model instead of a
/// silently skewed one.
pub fn builtin_examples() -> Vec<TrainingExample> {
    parse_examples(BUILTIN).unwrap_or_default()
}

const BUILTIN: &str = include_str!("../../../data/classifier/training.tsv");

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    pub trained_on: usize,
    pub held_back: usize,
    pub type_accuracy: f64,
    pub kind_accuracy: f64,
}

/// Whether [`evaluate`] holds an example back: every fifth one, a fixed choice, so that
/// results are comparable from one change of the model or the data to the next.
fn is_held_back(index: usize) -> bool {
    index % 5 == 4
}

/// Trains on all but every fifth example and measures accuracy on those held back.
/// Kind accuracy counts only held-back examples whose kind is known. An accuracy with
/// nothing to measure is 0.
pub fn evaluate(examples: &[TrainingExample]) -> Evaluation {
    let (held_back, training): (Vec<_>, Vec<_>) = examples
        .iter()
        .enumerate()
        .partition(|(index, _)| is_held_back(*index));
    let training: Vec<TrainingExample> = training.into_iter().map(|(_, e)| e.clone()).collect();
    let classifier = Classifier::train(&training);
    let mut types_right = 0usize;
    let mut kinds_known = 0usize;
    let mut kinds_right = 0usize;
    for (_, example) in &held_back {
        let result = classifier.classify(&example.subject, &example.body);
        if result.support_type == example.support_type {
            types_right += 1;
        }
        if let Some(kind) = example.kind {
            kinds_known += 1;
            if result.kind == kind {
                kinds_right += 1;
            }
        }
    }
    Evaluation {
        trained_on: training.len(),
        held_back: held_back.len(),
        type_accuracy: ratio(types_right, held_back.len()),
        kind_accuracy: ratio(kinds_right, kinds_known),
    }
}

fn ratio(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::text::words;
    use std::collections::BTreeSet;

    fn examples() -> Vec<TrainingExample> {
        match parse_examples(BUILTIN) {
            Ok(examples) => examples,
            Err(e) => panic!("the shipped training data does not parse: {e}"),
        }
    }

    fn is_english(example: &TrainingExample) -> bool {
        // Frequent function words; whichever language has more of them wins.
        const ENGLISH: &[&str] = &[
            "the", "my", "i", "you", "is", "to", "and", "can", "how", "please", "it", "for", "our",
            "we", "this", "of", "with", "on", "are", "was", "be",
        ];
        const SPANISH: &[&str] = &[
            "el", "la", "mi", "de", "que", "y", "en", "no", "los", "como", "se", "me", "por",
            "para", "con", "las", "un", "una", "es",
        ];
        let text = words(&format!("{} {}", example.subject, example.body));
        let count = |list: &[&str]| text.iter().filter(|w| list.contains(&w.as_str())).count();
        count(ENGLISH) > count(SPANISH)
    }

    #[test]
    fn shipped_data_is_large_balanced_and_bilingual() {
        let examples = examples();
        assert_eq!(builtin_examples(), examples);
        assert!(examples.len() >= 450, "{} examples", examples.len());
        type Key<'a> = (SupportType, Option<RequestKind>, &'a str);
        let mut counts = BTreeMap::<Key, usize>::new();
        for example in &examples {
            let language = if is_english(example) { "en" } else { "es" };
            *counts
                .entry((example.support_type, example.kind, language))
                .or_default() += 1;
        }
        for ((support_type, kind, language), count) in &counts {
            println!(
                "{support_type:>14} {:<8} {language} {count:>4}",
                kind.map_or("-", RequestKind::as_str)
            );
        }
        let total = |keep: &dyn Fn(&Key) -> bool| -> usize {
            counts
                .iter()
                .filter(|(key, _)| keep(key))
                .map(|(_, count)| count)
                .sum()
        };
        for support_type in SupportType::ALL {
            let count = total(&|(t, _, _)| t == support_type);
            println!("{support_type}: {count}");
            assert!(count >= 130, "{support_type}: {count} examples");
        }
        for kind in RequestKind::ALL {
            let count = total(&|(_, k, _)| *k == Some(*kind));
            println!("{kind}: {count}");
            assert!(count > 0, "no {kind} examples");
        }
        let english = total(&|(_, _, language)| *language == "en");
        let spanish = total(&|(_, _, language)| *language == "es");
        println!("spanish: {spanish}, english: {english}");
        assert!(english >= examples.len() / 5);
        assert!(spanish >= examples.len() / 2);
        let distinct: BTreeSet<(&str, &str)> = examples
            .iter()
            .map(|e| (e.subject.as_str(), e.body.as_str()))
            .collect();
        assert_eq!(distinct.len(), examples.len(), "duplicate examples");
    }

    #[test]
    fn held_back_accuracy_is_high() {
        let examples = examples();
        let evaluation = evaluate(&examples);
        println!("{evaluation:?}");
        assert_eq!(evaluation.held_back, examples.len() / 5);
        assert_eq!(evaluation.trained_on + evaluation.held_back, examples.len());

        // Confusion of the support type (rows: labelled, columns: predicted), and the
        // held-back requests that were misclassified, to see what the model gets wrong.
        let training: Vec<TrainingExample> = examples
            .iter()
            .enumerate()
            .filter(|(index, _)| !is_held_back(*index))
            .map(|(_, example)| example.clone())
            .collect();
        let classifier = Classifier::train(&training);
        let mut confusion = BTreeMap::<(SupportType, SupportType), usize>::new();
        let mut kind_confusion = BTreeMap::<(RequestKind, RequestKind), usize>::new();
        for (index, example) in examples.iter().enumerate() {
            if !is_held_back(index) {
                continue;
            }
            let result = classifier.classify(&example.subject, &example.body);
            *confusion
                .entry((example.support_type, result.support_type))
                .or_default() += 1;
            if let Some(kind) = example.kind {
                *kind_confusion.entry((kind, result.kind)).or_default() += 1;
            }
            if result.support_type != example.support_type || Some(result.kind) != example.kind {
                println!(
                    "example {index}: {}/{:?} taken for {}/{} ({:.2}/{:.2}): {} | {}",
                    example.support_type,
                    example.kind,
                    result.support_type,
                    result.kind,
                    result.type_confidence,
                    result.kind_confidence,
                    example.subject,
                    example.body.chars().take(80).collect::<String>()
                );
            }
        }
        println!("type confusion (labelled -> predicted):");
        for ((labelled, predicted), count) in &confusion {
            println!("  {labelled:>14} -> {predicted:<14} {count}");
        }
        println!("kind confusion (labelled -> predicted):");
        for ((labelled, predicted), count) in &kind_confusion {
            println!("  {labelled:>14} -> {predicted:<14} {count}");
        }
        println!("{}", cross_validation(&examples));
        assert!(
            evaluation.type_accuracy >= 0.90,
            "type accuracy {:.3}",
            evaluation.type_accuracy
        );
        assert!(
            evaluation.kind_accuracy >= 0.85,
            "kind accuracy {:.3}",
            evaluation.kind_accuracy
        );
    }

    /// Accuracy over all five possible held-back fifths, a steadier figure than the fixed
    /// one; printed for information only.
    fn cross_validation(examples: &[TrainingExample]) -> String {
        let (mut types_right, mut kinds_right, mut kinds_known) = (0, 0, 0);
        for fold in 0..5 {
            let training: Vec<TrainingExample> = examples
                .iter()
                .enumerate()
                .filter(|(index, _)| index % 5 != fold)
                .map(|(_, example)| example.clone())
                .collect();
            let classifier = Classifier::train(&training);
            for example in examples.iter().skip(fold).step_by(5) {
                let result = classifier.classify(&example.subject, &example.body);
                types_right += usize::from(result.support_type == example.support_type);
                if let Some(kind) = example.kind {
                    kinds_known += 1;
                    kinds_right += usize::from(result.kind == kind);
                }
            }
        }
        format!(
            "five-fold cross-validation: type accuracy {:.3}, kind accuracy {:.3}",
            ratio(types_right, examples.len()),
            ratio(kinds_right, kinds_known)
        )
    }

    fn builtin_classifier() -> Classifier {
        Classifier::train(&examples())
    }

    #[test]
    fn unseen_requests_are_classified_as_a_person_would() {
        use RequestKind::*;
        use SupportType::*;
        let classifier = builtin_classifier();
        let cases = [
            ("", "no me deja subir fotos a la tienda", Technical, Error),
            (
                "",
                "como hago para poner envio gratis a partir de 50€",
                Usage,
                Question,
            ),
            ("", "quiero darme de baja", Administrative, Request),
            (
                "",
                "Could you add dark mode to the editor?",
                Technical,
                Change,
            ),
            (
                "Factura",
                "necesito una copia de la factura de diciembre con mi CIF",
                Administrative,
                Request,
            ),
            (
                "URGENTE",
                "los clientes no pueden pagar con tarjeta, les sale un error en el último paso",
                Technical,
                Error,
            ),
            ("", "¿Cómo pongo un descuento?", Usage, Question),
            (
                "",
                "How do I change the colour of the buttons on my site?",
                Usage,
                Question,
            ),
            (
                "Sugerencia",
                "estaría bien poder programar los cupones para que se activen solos",
                Technical,
                Change,
            ),
            (
                "Cancel",
                "Please cancel my plan at the end of this month.",
                Administrative,
                Request,
            ),
            (
                "",
                "the checkout page is broken, it shows a 500 error",
                Technical,
                Error,
            ),
            (
                "FACTURACION",
                "QUIERO CAMBIAR EL NIF DE MIS FACTURAS",
                Administrative,
                Request,
            ),
        ];
        for (subject, body, support_type, kind) in cases {
            let result = classifier.classify(subject, body);
            assert_eq!(
                (result.support_type, result.kind),
                (support_type, kind),
                "{subject:?} {body:?}: {result:?}"
            );
        }
    }

    /// Informal and mixed-language requests of the kinds that are easy to get wrong: short
    /// bug reports with question marks, chat-style Spanish, set-up questions about domains
    /// and mail, and administrative petitions phrased as questions.
    #[test]
    fn unseen_requests_classify() {
        use RequestKind::*;
        use SupportType::*;
        let classifier = builtin_classifier();
        let cases = [
            (
                "",
                "the shop page won't load at all?? please sort it out quickly",
                Technical,
                Error,
            ),
            (
                "Problem",
                "nothing happens when customers press pay, can you guys fix it asap",
                Technical,
                Error,
            ),
            (
                "",
                "hola, el carrito no deja añadir productos desde ayer, me lo miráis porfa?",
                Technical,
                Error,
            ),
            (
                "",
                "buenas xq se queda cargando la página de pedidos? no hay manera de verlos",
                Technical,
                Error,
            ),
            (
                "",
                "al guardar la página sale \"error inesperado\" y se pierden los cambios",
                Technical,
                Error,
            ),
            (
                "",
                "el correo info@ no recibe nada desde esta mañana, urge",
                Technical,
                Error,
            ),
            (
                "Dominio",
                "¿Cómo configuro los DNS de mi dominio para que funcione con la web de Vendomia?",
                Usage,
                Question,
            ),
            (
                "",
                "how do I set up my mailbox in Thunderbird? which ports?",
                Usage,
                Question,
            ),
            (
                "Correo",
                "¿dónde creo un buzón nuevo para mi empleado con el dominio de la tienda?",
                Usage,
                Question,
            ),
            (
                "SSL",
                "how do i turn on https for my own domain?",
                Usage,
                Question,
            ),
            (
                "Duda",
                "¿es un fallo o me falta configurar algo? las fotos del blog salen pequeñas",
                Usage,
                Question,
            ),
            (
                "",
                "¿podéis mandarme la factura de la renovación anual? la necesito para contabilidad",
                Administrative,
                Request,
            ),
            (
                "",
                "could you move us to the cheaper plan from next month?",
                Administrative,
                Request,
            ),
            (
                "",
                "¿me podéis cambiar los datos fiscales de las facturas? hemos cambiado de domicilio",
                Administrative,
                Request,
            ),
            (
                "",
                "¿Tenéis pensado añadir pagos con Google Pay en la tienda?",
                Technical,
                Change,
            ),
            (
                "",
                "I'd love an option to export the blog comments",
                Technical,
                Change,
            ),
        ];
        let mut wrong = Vec::new();
        for (subject, body, support_type, kind) in cases {
            let result = classifier.classify(subject, body);
            println!(
                "{}/{} ({:.2}/{:.2}) {subject:?} {body:?}",
                result.support_type, result.kind, result.type_confidence, result.kind_confidence
            );
            if (result.support_type, result.kind) != (support_type, kind) {
                wrong.push(format!("{subject:?} {body:?}: {result:?}"));
            }
        }
        assert!(wrong.is_empty(), "{wrong:#?}");
    }

    #[test]
    fn accents_and_case_do_not_change_the_answer() {
        let classifier = builtin_classifier();
        let pairs = [
            (
                "Facturación",
                "¿Podéis cambiar la dirección de facturación?",
                "facturacion",
                "podeis cambiar la direccion de facturacion",
            ),
            (
                "Envío",
                "No se calcula bien el envío a Baleares",
                "ENVIO",
                "NO SE CALCULA BIEN EL ENVIO A BALEARES",
            ),
        ];
        for (subject, body, plain_subject, plain_body) in pairs {
            let accented = classifier.classify(subject, body);
            let plain = classifier.classify(plain_subject, plain_body);
            assert_eq!(accented.support_type, plain.support_type, "{body}");
            assert_eq!(accented.kind, plain.kind, "{body}");
            // The question marks differ, nothing else.
            assert!((accented.type_confidence - plain.type_confidence).abs() < 0.2);
        }
    }

    #[test]
    fn a_stored_model_classifies_like_the_trained_one() {
        let classifier = builtin_classifier();
        let json = match serde_json::to_string(&classifier) {
            Ok(json) => json,
            Err(e) => panic!("serialising: {e}"),
        };
        let restored: Classifier = match serde_json::from_str(&json) {
            Ok(restored) => restored,
            Err(e) => panic!("deserialising: {e}"),
        };
        assert_eq!(restored, classifier);
        for example in examples().iter().step_by(7) {
            assert_eq!(
                restored.classify(&example.subject, &example.body),
                classifier.classify(&example.subject, &example.body)
            );
        }
        // The same data gives the same text, so stored models can be compared.
        assert_eq!(
            serde_json::to_string(&builtin_classifier()).ok(),
            Some(json)
        );
    }

    #[test]
    fn a_malformed_stored_model_is_rejected() {
        let json = r#"{"support_type":{"classes":["administrative","usage","technical"],"documents":[1,1,1],"bias":[0,0],"features":{}},"kind":{"classes":["error"],"documents":[1],"bias":[0],"features":{}},"kinds_by_type":{}}"#;
        assert!(serde_json::from_str::<Classifier>(json).is_err());
    }

    #[test]
    fn corrections_without_kind_train_only_the_type() {
        let examples = examples();
        let mut corrected = examples.clone();
        let correction = TrainingExample {
            subject: "Lo del dominio".into(),
            body: "el dominio no va desde ayer y nadie me contesta".into(),
            support_type: SupportType::Technical,
            kind: None,
        };
        corrected.extend(std::iter::repeat_n(correction, 3));
        let before = Classifier::train(&examples);
        let after = Classifier::train(&corrected);
        assert_eq!(after.kind, before.kind);
        assert_eq!(after.kinds_by_type, before.kinds_by_type);
        assert_ne!(after.support_type, before.support_type);
    }

    #[test]
    fn confidences_are_probabilities_and_answers_are_repeatable() {
        let classifier = builtin_classifier();
        let texts = [
            ("", ""),
            ("", "   ¿?  "),
            ("Hola", "Hola"),
            ("", "asdkjh qwpoeiru zxmcnv"),
            ("Factura", "no me ha llegado la factura"),
            ("", &"la web no carga ".repeat(500)),
        ];
        for (subject, body) in texts {
            let first = classifier.classify(subject, body);
            assert_eq!(classifier.classify(subject, body), first);
            assert!((0.0..=1.0).contains(&first.type_confidence), "{first:?}");
            assert!((0.0..=1.0).contains(&first.kind_confidence), "{first:?}");
        }
        // Without words there is no evidence: the answer is the most common class, and
        // the model is far from sure of it.
        let empty = classifier.classify("", "");
        assert!(empty.type_confidence < 0.6, "{empty:?}");
        // Training twice on the same data gives the same model.
        assert_eq!(builtin_classifier(), classifier);
    }

    #[test]
    fn an_untrained_model_answers_with_uniform_confidence() {
        let classifier = Classifier::train(&[]);
        let result = classifier.classify("La tienda no carga", "Error 502");
        assert!(
            (result.type_confidence - 1.0 / 3.0).abs() < 1e-9,
            "{result:?}"
        );
        assert!(
            (result.kind_confidence - 1.0 / 4.0).abs() < 1e-9,
            "{result:?}"
        );
        let empty = evaluate(&[]);
        assert_eq!(
            empty,
            Evaluation {
                trained_on: 0,
                held_back: 0,
                type_accuracy: 0.0,
                kind_accuracy: 0.0,
            }
        );
    }

    /// Timing only means something in an optimised build:
    /// `cargo test -p soporte-core --release classifier_speed -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn classifier_speed() {
        use std::time::Instant;
        let examples = examples();
        let start = Instant::now();
        let classifier = Classifier::train(&examples);
        let training = start.elapsed();
        let mail = "Hola, buenos días:\n\nDesde ayer por la tarde, cuando un cliente intenta pagar con \
            tarjeta en la tienda, la pasarela devuelve un error y el pedido se queda como pendiente. \
            Hemos probado con varias tarjetas y navegadores y pasa lo mismo. Con PayPal funciona. \
            No hemos cambiado nada en la configuración de pagos desde hace meses. ¿Podéis revisarlo? \
            Es urgente porque estamos en plena campaña de Navidad y perdemos ventas cada hora que \
            pasa. Os adjunto una captura del mensaje de error.\n\nGracias,\nLaura Sánchez\nTienda Lúa";
        let rounds = 2000;
        let start = Instant::now();
        for _ in 0..rounds {
            std::hint::black_box(classifier.classify("Error en el pago con tarjeta", mail));
        }
        let per_mail = start.elapsed() / rounds;
        // Most of the time goes into stemming; this shows how much.
        let start = Instant::now();
        for _ in 0..rounds {
            std::hint::black_box(Features::of("Error en el pago con tarjeta", mail));
        }
        let features = start.elapsed() / rounds;
        let json = serde_json::to_string(&classifier)
            .map(|j| j.len())
            .unwrap_or(0);
        println!(
            "training on {} examples: {training:?}; classifying a {}-character mail: \
             {per_mail:?} ({features:?} of it extracting features); model: {json} bytes of JSON",
            examples.len(),
            mail.chars().count()
        );
    }
}
