//! The intake checklist: what the policy says helps support solve a request at once
//! ("Nos ayuda mucho"), detected in the customer's own words.
//!
//! Each detector returns the customer's words that show the item, so that agents can see why
//! the acknowledgement did not ask for it. A false "missing" annoys a customer who already
//! said it, a false "present" loses the one chance to ask: `labelled.tsv` measures both.

mod account_user;
mod description;
pub(crate) mod doc;
mod location;
mod screenshot;
mod timing;

use crate::ValidationError;
use crate::policy::labelled::{Agreement, labelled_flag, labelled_rows, unescape};
use doc::Doc;
use serde::{Deserialize, Serialize};

crate::string_enum!(
    ChecklistItem {
        Screenshot => "screenshot",
        Location => "location",
        Timing => "timing",
        AccountUser => "account_user",
        Description => "description",
    }
);

/// A part of the product customers name ("Sitios Web", "Tienda") and other ways they say it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductArea {
    pub name: String,
    pub synonyms: Vec<String>,
}

/// What the detectors look at: everything the customer has written on the ticket so far.
#[derive(Debug, Clone, Copy)]
pub struct ChecklistInput<'a> {
    pub subject: &'a str,
    /// The customer's visible text (quotes and signatures already removed), all messages.
    pub text: &'a str,
    /// An image attachment or inline image arrived with the customer's messages.
    pub has_image: bool,
    /// Who wrote, when the sender is a known contact of an account: "Ana Pérez <ana@x.es>, cuenta Tienda Ana".
    pub known_sender: Option<&'a str>,
    pub product_areas: &'a [ProductArea],
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemResult {
    pub key: ChecklistItem,
    pub present: bool,
    /// The customer's words that show the item, quoted; or why it counts as present.
    pub evidence: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checklist {
    pub items: Vec<ItemResult>,
    pub complete: bool,
}

impl Checklist {
    pub fn missing(&self) -> impl Iterator<Item = ChecklistItem> + '_ {
        self.items.iter().filter(|i| !i.present).map(|i| i.key)
    }

    /// This evaluation, with what `before` already found kept: an item the customer gave
    /// once stays given, with the words that showed it.
    pub fn keeping_present(mut self, before: Option<&Checklist>) -> Checklist {
        if let Some(before) = before {
            for item in self.items.iter_mut().filter(|i| !i.present) {
                if let Some(old) = before.items.iter().find(|o| o.key == item.key && o.present) {
                    item.present = true;
                    item.evidence = old.evidence.clone();
                }
            }
        }
        self.complete = self.items.iter().all(|i| i.present);
        self
    }
}

/// Runs the detector of each required item, in the order given.
pub fn evaluate(input: &ChecklistInput<'_>, required: &[ChecklistItem]) -> Checklist {
    let doc = Doc::new(input.subject, input.text);
    let items: Vec<ItemResult> = required
        .iter()
        .map(|key| {
            let evidence = detect_in(*key, input, &doc);
            ItemResult {
                key: *key,
                present: evidence.is_some(),
                evidence,
            }
        })
        .collect();
    let complete = items.iter().all(|i| i.present);
    Checklist { items, complete }
}

/// The evidence for one item, or `None` when the text doesn't show it.
pub fn detect(item: ChecklistItem, input: &ChecklistInput<'_>) -> Option<String> {
    detect_in(item, input, &Doc::new(input.subject, input.text))
}

fn detect_in(item: ChecklistItem, input: &ChecklistInput<'_>, doc: &Doc) -> Option<String> {
    match item {
        ChecklistItem::Screenshot => screenshot::detect(doc, input.has_image),
        ChecklistItem::Location => location::detect(doc, input.product_areas),
        ChecklistItem::Timing => timing::detect(doc),
        ChecklistItem::AccountUser => account_user::detect(doc, input.known_sender),
        ChecklistItem::Description => description::detect(doc),
    }
}

/// The parts of Vendomia customers name when they say where something fails, with the ways
/// they say them in Spanish and English.
pub fn default_product_areas() -> Vec<ProductArea> {
    let area = |name: &str, synonyms: &[&str]| ProductArea {
        name: name.to_string(),
        synonyms: synonyms.iter().map(|s| s.to_string()).collect(),
    };
    vec![
        area(
            "Sitios Web",
            &[
                "sitio web",
                "web",
                "página web",
                "páginas web",
                "website",
                "web site",
                "site",
            ],
        ),
        area(
            "Tienda",
            &[
                "tienda online",
                "tienda",
                "shop",
                "store",
                "online store",
                "carrito",
                "cart",
            ],
        ),
        area("Blog", &[]),
        area(
            "Pagos",
            &[
                "pago",
                "pasarela",
                "pasarela de pago",
                "TPV",
                "checkout",
                "payments",
                "payment",
                "finalizar compra",
                "finalizar la compra",
                "PayPal",
                "Redsys",
                "Bizum",
                "Stripe",
            ],
        ),
        area(
            "Envíos",
            &[
                "envío",
                "gastos de envío",
                "shipping",
                "transportista",
                "transportistas",
                "carrier",
            ],
        ),
        area("Dominios", &["dominio", "DNS", "domain", "domains"]),
        area(
            "Correo",
            &[
                "email corporativo",
                "correo corporativo",
                "buzón",
                "buzones",
                "mailbox",
                "cuenta de correo",
                "webmail",
            ],
        ),
        area(
            "Productos",
            &[
                "catálogo",
                "producto",
                "product",
                "products",
                "variantes",
                "variante",
                "stock",
                "inventario",
                "catalog",
            ],
        ),
        area("Pedidos", &["pedido", "orders", "order"]),
        area(
            "Facturación",
            &["facturas", "factura", "invoices", "invoice", "billing"],
        ),
        area("Usuarios", &["permisos", "roles", "users", "permissions"]),
        area("SEO", &["posicionamiento"]),
        area(
            "Plantillas",
            &[
                "plantilla",
                "tema",
                "template",
                "templates",
                "theme",
                "themes",
            ],
        ),
        area(
            "Cupones",
            &[
                "cupón",
                "descuentos",
                "descuento",
                "código de descuento",
                "coupon",
                "coupons",
                "discount",
                "discounts",
                "discount code",
            ],
        ),
        area(
            "Formularios",
            &[
                "formulario",
                "formulario de contacto",
                "form",
                "forms",
                "contact form",
            ],
        ),
        area("Editor", &[]),
    ]
}

/// How well one detector agrees with the labelled requests; "positive" means present.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemScore {
    pub item: ChecklistItem,
    pub agreement: Agreement,
}

/// One labelled request of `labelled.tsv`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct LabelledRequest {
    has_image: bool,
    known_sender: bool,
    labels: [bool; 5],
    subject: String,
    text: String,
}

/// The items in the column order of `labelled.tsv`.
const MEASURED: [ChecklistItem; 5] = [
    ChecklistItem::Screenshot,
    ChecklistItem::Location,
    ChecklistItem::Timing,
    ChecklistItem::AccountUser,
    ChecklistItem::Description,
];

fn labelled_error(line: usize, column: &str, message: &str) -> ValidationError {
    ValidationError::new("labelled_tsv", format!("line {line}: {column}: {message}"))
}

fn parse_labelled(tsv: &str) -> Result<Vec<LabelledRequest>, ValidationError> {
    let names = [
        "has_image",
        "known_sender",
        "screenshot",
        "location",
        "timing",
        "account_user",
        "description",
    ];
    labelled_rows(tsv, "has_image", 9)
        .map(|row| {
            let (line, f) = row?;
            let mut flags = [false; 7];
            for (k, name) in names.iter().enumerate() {
                flags[k] = labelled_flag(f[k], line, name)?;
            }
            Ok(LabelledRequest {
                has_image: flags[0],
                known_sender: flags[1],
                labels: [flags[2], flags[3], flags[4], flags[5], flags[6]],
                subject: unescape(f[7]).map_err(|e| labelled_error(line, "subject", &e))?,
                text: unescape(f[8]).map_err(|e| labelled_error(line, "text", &e))?,
            })
        })
        .collect()
}

/// Precision and recall of each detector on a labelled TSV file (`labelled.tsv` format:
/// `has_image, known_sender, screenshot, location, timing, account_user, description,
/// subject, text`), with the default product areas.
pub fn measure(labelled_tsv: &str) -> Result<Vec<ItemScore>, ValidationError> {
    let requests = parse_labelled(labelled_tsv)?;
    let areas = default_product_areas();
    let mut scores: Vec<ItemScore> = MEASURED
        .iter()
        .map(|item| ItemScore {
            item: *item,
            agreement: Agreement::default(),
        })
        .collect();
    for r in &requests {
        let input = ChecklistInput {
            subject: &r.subject,
            text: &r.text,
            has_image: r.has_image,
            known_sender: r.known_sender.then_some("contacto conocido de la cuenta"),
            product_areas: &areas,
        };
        let checklist = evaluate(&input, &MEASURED);
        for ((score, result), label) in scores.iter_mut().zip(&checklist.items).zip(r.labels) {
            score.agreement.record(label, result.present);
        }
    }
    Ok(scores)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LABELLED: &str = include_str!("../../../data/checklist/labelled.tsv");

    fn input<'a>(text: &'a str, areas: &'a [ProductArea]) -> ChecklistInput<'a> {
        ChecklistInput {
            subject: "",
            text,
            has_image: false,
            known_sender: None,
            product_areas: areas,
        }
    }

    #[test]
    fn what_the_customer_gave_once_stays_given() {
        let areas = default_product_areas();
        let before = evaluate(
            &ChecklistInput {
                has_image: true,
                ..input("hola", &areas)
            },
            ChecklistItem::ALL,
        );
        let now = evaluate(&input("desde ayer", &areas), ChecklistItem::ALL);
        let merged = now.clone().keeping_present(Some(&before));
        assert!(!merged.missing().any(|k| k == ChecklistItem::Screenshot));
        assert_eq!(
            merged.missing().count(),
            now.missing().count() - 1,
            "only the screenshot came from before"
        );
        assert_eq!(now.clone().keeping_present(None), now);
    }

    #[test]
    fn the_policy_example_shows_where_when_and_what() {
        let areas = default_product_areas();
        let text = "En Sitios Web, estoy creando la página 'Política de Garantía' y cuando añado \
                    un elemento de texto se añaden dos elementos de golpe en lugar de uno";
        let checklist = evaluate(&input(text, &areas), ChecklistItem::ALL);
        let evidence = |k: ChecklistItem| {
            checklist
                .items
                .iter()
                .find(|i| i.key == k)
                .and_then(|i| i.evidence.clone())
        };
        assert_eq!(
            evidence(ChecklistItem::Location).as_deref(),
            Some("\"En Sitios Web\"")
        );
        assert_eq!(
            evidence(ChecklistItem::Timing).as_deref(),
            Some("\"cuando añado un elemento de texto\"")
        );
        assert!(evidence(ChecklistItem::Description).is_some());
        assert_eq!(
            checklist.missing().collect::<Vec<_>>(),
            vec![ChecklistItem::Screenshot, ChecklistItem::AccountUser]
        );
        assert!(!checklist.complete);
    }

    #[test]
    fn a_complete_request_misses_nothing() {
        let areas = default_product_areas();
        let text = "Hola, soy Javier de Cerámicas Ruiz. Desde ayer, en la tienda, al pulsar \
                    'Pagar' en el checkout sale un error 500 en lugar de la confirmación.";
        let checklist = evaluate(
            &ChecklistInput {
                has_image: true,
                ..input(text, &areas)
            },
            ChecklistItem::ALL,
        );
        assert!(checklist.complete, "{checklist:?}");
        assert_eq!(checklist.missing().count(), 0);
    }

    #[test]
    fn vague_requests_miss_everything_they_do_not_say() {
        let areas = default_product_areas();
        let checklist = evaluate(
            &input("no me funciona la web, ayuda", &areas),
            ChecklistItem::ALL,
        );
        assert_eq!(
            checklist.missing().collect::<Vec<_>>(),
            vec![
                ChecklistItem::Screenshot,
                ChecklistItem::Timing,
                ChecklistItem::AccountUser,
                ChecklistItem::Description
            ]
        );
    }

    #[test]
    fn only_required_items_are_evaluated_in_order() {
        let areas = default_product_areas();
        let checklist = evaluate(
            &input("desde ayer", &areas),
            &[ChecklistItem::Timing, ChecklistItem::Location],
        );
        let keys: Vec<ChecklistItem> = checklist.items.iter().map(|i| i.key).collect();
        assert_eq!(keys, vec![ChecklistItem::Timing, ChecklistItem::Location]);
        assert_eq!(
            checklist.missing().collect::<Vec<_>>(),
            vec![ChecklistItem::Location]
        );
        assert!(evaluate(&input("", &areas), &[]).complete);
    }

    #[test]
    fn configured_areas_replace_the_defaults() {
        let areas = vec![ProductArea {
            name: "Reservas".to_string(),
            synonyms: vec!["agenda de citas".to_string()],
        }];
        assert_eq!(
            detect(
                ChecklistItem::Location,
                &input("En la AGENDA DE CITAS falla", &areas)
            )
            .as_deref(),
            Some("\"En la AGENDA DE CITAS\"")
        );
        assert_eq!(
            detect(ChecklistItem::Location, &input("la tienda no va", &areas)),
            None
        );
    }

    #[test]
    fn no_input_makes_a_detector_panic() {
        let areas = default_product_areas();
        let long = "ñ🙁é ".repeat(600);
        let texts = [
            "",
            " ",
            "\n\n",
            "ñ",
            "🙁",
            "e\u{301}",
            "\u{301}",
            "¿¡",
            "'",
            "\"",
            "a las",
            "hace",
            "cuando",
            "al",
            "www.",
            "http://",
            "@",
            "a@b",
            "x.es/",
            "la página '",
            "Plantillas >",
            "usuario:",
            "12/",
            "B-",
            long.as_str(),
        ];
        for text in texts {
            for has_image in [false, true] {
                let checklist = evaluate(
                    &ChecklistInput {
                        subject: text,
                        text,
                        has_image,
                        known_sender: None,
                        product_areas: &areas,
                    },
                    ChecklistItem::ALL,
                );
                assert_eq!(checklist.items.len(), ChecklistItem::ALL.len());
            }
        }
    }

    #[test]
    fn detection_is_fast_on_a_long_message() {
        let areas = default_product_areas();
        let paragraph = "Hola, buenos días. Desde ayer por la tarde, cuando edito la descripción \
                         de un producto en la Tienda y pulso Guardar, me sale el mensaje \
                         'Cambios guardados' pero al recargar la página vuelve a la anterior. \
                         Mi tienda es www.floreslola.es y mi usuario lola@floreslola.es. ";
        let text = paragraph.repeat(2048 / paragraph.len() + 1);
        let input = input(&text, &areas);
        let mut slowest = std::time::Duration::ZERO;
        for item in ChecklistItem::ALL {
            // The best of several batches: the machine may be busy with other work.
            let per_call = (0..10)
                .map(|_| {
                    let started = std::time::Instant::now();
                    for _ in 0..10 {
                        let _ = detect(*item, &input);
                    }
                    started.elapsed() / 10
                })
                .min()
                .unwrap_or_default();
            println!("{} bytes, {item}: {per_call:?}", text.len());
            slowest = slowest.max(per_call);
        }
        // Generous: unoptimised test builds are many times slower than release builds.
        assert!(
            slowest < std::time::Duration::from_millis(20),
            "{slowest:?}"
        );
    }

    #[test]
    fn measure_rejects_malformed_rows() {
        let bad_columns = "0\t0\t0\n";
        assert!(measure(bad_columns).is_err());
        let bad_flag = "2\t0\t0\t0\t0\t0\t0\ts\tt\n";
        let Err(err) = measure(bad_flag) else {
            panic!("a flag of 2 was accepted");
        };
        assert!(err.message.contains("line 1"), "{err}");
        let ok = "# comment\nhas_image\tknown_sender\tscreenshot\tlocation\ttiming\taccount_user\tdescription\tsubject\ttext\n1\t0\t1\t0\t0\t0\t0\ts\tt\n";
        let Ok(scores) = measure(ok) else {
            panic!("a valid file was rejected");
        };
        assert_eq!(scores.len(), 5);
        assert_eq!(scores[0].agreement.true_pos, 1);
    }

    #[test]
    fn detectors_agree_with_the_labelled_requests() {
        let Ok(scores) = measure(LABELLED) else {
            panic!("labelled.tsv does not parse");
        };
        let rows = parse_labelled(LABELLED).map(|r| r.len()).unwrap_or(0);
        println!("{rows} labelled requests");
        println!(
            "{:<14} {:>9} {:>7} {:>4} {:>4} {:>4} {:>4}",
            "item", "precision", "recall", "TP", "FP", "FN", "TN"
        );
        for s in &scores {
            println!(
                "{:<14} {:>9.3} {:>7.3} {:>4} {:>4} {:>4} {:>4}",
                s.item.as_str(),
                s.agreement.precision(),
                s.agreement.recall(),
                s.agreement.true_pos,
                s.agreement.false_pos,
                s.agreement.false_neg,
                s.agreement.true_neg
            );
        }
        print_disagreements();
        assert!(rows >= 150);
        for s in &scores {
            let (precision, recall) = (s.agreement.precision(), s.agreement.recall());
            assert!(precision >= 0.85, "{} precision {precision:.3}", s.item);
            assert!(recall >= 0.80, "{} recall {recall:.3}", s.item);
        }
    }

    /// The requests each detector gets wrong, to read next to the table.
    fn print_disagreements() {
        let Ok(requests) = parse_labelled(LABELLED) else {
            return;
        };
        let areas = default_product_areas();
        for r in &requests {
            let input = ChecklistInput {
                subject: &r.subject,
                text: &r.text,
                has_image: r.has_image,
                known_sender: r.known_sender.then_some("contacto conocido de la cuenta"),
                product_areas: &areas,
            };
            for (item, label) in MEASURED.iter().zip(r.labels) {
                let evidence = detect(*item, &input);
                if evidence.is_some() != label {
                    println!(
                        "  {:<12} labelled {} got {:?} | {} | {}",
                        item.as_str(),
                        u8::from(label),
                        evidence,
                        r.subject,
                        doc::truncate_chars(&r.text.replace('\n', " "), 90)
                    );
                }
            }
        }
    }
}
