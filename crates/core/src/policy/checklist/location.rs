//! Where the problem happens: a product area ("En Sitios Web"), a page or section
//! ("la página 'Contacto'", "on the checkout page") or an address ("tienda-ana.es/carrito").

use super::ProductArea;
use super::doc::{Doc, fold_phrase};

/// Words that introduce a place and read naturally in the quote: "En Sitios Web".
const LEADERS: &[&str] = &[
    "en", "el", "la", "los", "las", "mi", "mis", "nuestro", "nuestra", "nuestros", "nuestras",
    "del", "al", "desde", "in", "on", "the", "my", "our", "to", "from",
];

/// What may stand before a noun so that it is the noun and not a verb that spells the same:
/// "el pedido" (an order) against "he pedido" (I asked).
pub(super) const DETERMINERS: &[&str] = &[
    "el", "la", "los", "las", "un", "una", "unos", "unas", "mi", "mis", "tu", "tus", "su", "sus",
    "nuestro", "nuestra", "nuestros", "nuestras", "vuestro", "vuestra", "este", "esta", "estos",
    "estas", "ese", "esa", "del", "al", "de", "en", "con", "cada", "ningun", "ninguna", "todo",
    "toda", "todos", "todas", "otro", "otra", "sin", "por", "para", "the", "my", "our", "your",
    "a", "an", "this", "that", "in", "on", "of", "to", "each", "every", "any", "no",
];

/// Area words that are also everyday words; `None` means a determiner before is enough.
fn weak_term_ok(doc: &Doc, i: usize, word: &str) -> bool {
    let prev = doc.prev_word(i, 1);
    let next = doc.next_word(i, 1);
    let det_before = DETERMINERS.contains(&prev);
    match word {
        // "he pedido", "te envío", "pago con tarjeta", "la página se recarga".
        "pedido" | "pago" | "envio" | "pagina" | "home" | "panel" | "configuracion" | "tab"
        | "order" => det_before && !(word == "order" && next == "to"),
        // "un tema", "sobre el tema de ayer": an issue, not a theme.
        "tema" => {
            matches!(
                prev,
                "mi" | "nuestro" | "tu" | "su" | "del" | "de" | "al" | "el"
            ) && !matches!(
                next,
                "de" | "del" | "es" | "que" | "con" | "sobre" | "urgente" | "pendiente" | "era"
            ) && doc.prev_word(i, 2) != "sobre"
        }
        // "por correo", "este correo", "mi correo es ...": the channel or an address;
        // "el correo de confirmación": a notification the shop sends, not the mailbox.
        "correo" => {
            let channel = matches!(
                prev,
                "por" | "un" | "este" | "ese" | "otro" | "mismo" | "ultimo" | "primer" | "segundo"
            );
            let address = next == "es" || (next == "electronico" && doc.next_word(i, 2) == "es");
            let notification = matches!(next, "de" | "del")
                && matches!(
                    doc.next_word(i, 2),
                    "confirmacion" | "aviso" | "notificacion" | "bienvenida" | "pedido"
                );
            !(channel || address || notification)
        }
        // "pantalla en blanco" is a symptom; "la pantalla de pago" a place.
        "pantalla" => matches!(next, "de" | "del"),
        "menu" => det_before || doc.gap_before(i).contains('>'),
        // "a blank page" is what the customer sees, not where.
        "page" | "pages" => !matches!(prev, "blank" | "white" | "empty" | "error" | "same"),
        _ => true,
    }
}

const WEAK: &[&str] = &[
    "pedido",
    "pago",
    "envio",
    "pagina",
    "home",
    "panel",
    "configuracion",
    "tab",
    "order",
    "tema",
    "correo",
    "pantalla",
    "menu",
    "page",
    "pages",
];

/// Parts of any page or of the back office, whatever the product areas are called.
const SECTIONS: &[&str] = &[
    "pagina",
    "paginas",
    "seccion",
    "secciones",
    "apartado",
    "menu",
    "menus",
    "pestana",
    "panel",
    "panel de control",
    "ajustes",
    "configuracion",
    "portada",
    "cabecera",
    "pie de pagina",
    "home",
    "homepage",
    "pantalla",
    "area de cliente",
    "backoffice",
    "page",
    "pages",
    "section",
    "tab",
    "settings",
    "dashboard",
    "header",
    "footer",
    "admin panel",
];

/// A web address or an e-mail address written in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Address {
    /// Byte range in [`Doc::original`].
    pub start: usize,
    pub end: usize,
    /// Lower-cased host: "tienda-ana.es".
    pub host: String,
    pub path: String,
    pub email: bool,
}

/// Top-level domains customers' sites use; a bare "nombre.xx" with another ending is more
/// likely a file name ("logo.png") or an abbreviation ("S.L.").
const TLDS: &[&str] = &[
    "es",
    "com",
    "net",
    "org",
    "eu",
    "cat",
    "gal",
    "eus",
    "shop",
    "store",
    "online",
    "site",
    "info",
    "biz",
    "io",
    "co",
    "uk",
    "ie",
    "de",
    "fr",
    "it",
    "pt",
    "nl",
    "be",
    "us",
    "mx",
    "ar",
    "cl",
    "pe",
    "app",
    "dev",
    "me",
    "tv",
    "web",
    "tienda",
    "boutique",
    "moda",
    "bio",
    "blog",
    "art",
    "studio",
    "design",
    "digital",
    "pro",
    "barcelona",
    "madrid",
    "ai",
];

/// Hosts of image sharing sites: a link there is a screenshot.
pub(super) const IMAGE_HOSTS: &[&str] = &[
    "prnt.sc",
    "prntscr.com",
    "imgur.com",
    "ibb.co",
    "gyazo.com",
    "snipboard.io",
    "postimg.cc",
    "postimages.org",
];

pub(super) fn host_is(host: &str, domain: &str) -> bool {
    host == domain
        || host
            .strip_suffix(domain)
            .is_some_and(|rest| rest.ends_with('.'))
}

/// Every web and e-mail address in the text, in order.
pub(super) fn addresses(doc: &Doc) -> Vec<Address> {
    let text = doc.original.as_str();
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let push = |s: usize, e: usize, out: &mut Vec<Address>| {
        if let Some(a) = text.get(s..e).and_then(|w| address(w, s)) {
            out.push(a);
        }
    };
    for (at, c) in text.char_indices() {
        if c.is_whitespace() {
            if let Some(s) = start.take() {
                push(s, at, &mut out);
            }
        } else if start.is_none() {
            start = Some(at);
        }
    }
    if let Some(s) = start {
        push(s, text.len(), &mut out);
    }
    out
}

fn address(word: &str, offset: usize) -> Option<Address> {
    // Most words are not addresses; skip them before any allocation.
    if !word.contains(['.', '@']) {
        return None;
    }
    let lead = |c: char| {
        matches!(
            c,
            '(' | '<' | '[' | '\u{ab}' | '"' | '\'' | '\u{bf}' | '\u{a1}'
        )
    };
    let trail = |c: char| {
        matches!(
            c,
            '.' | ','
                | ';'
                | ':'
                | '!'
                | '?'
                | ')'
                | '>'
                | ']'
                | '\u{bb}'
                | '"'
                | '\''
                | '\u{2026}'
        )
    };
    let trimmed_start = word.trim_start_matches(lead);
    let start = offset + (word.len() - trimmed_start.len());
    let core = trimmed_start.trim_end_matches(trail);
    if core.len() < 4 {
        return None;
    }
    let end = start + core.len();
    let lower = core.to_lowercase();
    if let Some((local, domain)) = lower.split_once('@') {
        let local_ok = !local.is_empty()
            && local
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '+'));
        let host = domain.to_string();
        return (local_ok && valid_host(&host, false)).then_some(Address {
            start,
            end,
            host,
            path: String::new(),
            email: true,
        });
    }
    let (rest, scheme) = match lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
    {
        Some(r) => (r, true),
        None => (lower.as_str(), false),
    };
    let (rest, www) = match rest.strip_prefix("www.") {
        Some(r) => (r, true),
        None => (rest, false),
    };
    let cut = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (host, path) = rest.split_at(cut);
    let host = host.split(':').next().unwrap_or("").to_string();
    let image_host = IMAGE_HOSTS.iter().any(|h| host_is(&host, h));
    if !(image_host || valid_host(&host, scheme || www)) {
        return None;
    }
    Some(Address {
        start,
        end,
        host,
        path: path.to_string(),
        email: false,
    })
}

fn valid_host(host: &str, any_tld: bool) -> bool {
    let labels: Vec<&str> = host.split('.').collect();
    if labels.len() < 2 {
        return false;
    }
    let labels_ok = labels.iter().all(|l| {
        !l.is_empty()
            && l.chars().all(|c| c.is_alphanumeric() || c == '-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    });
    let tld = labels.last().copied().unwrap_or("");
    let tld_ok = if any_tld {
        tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic())
    } else {
        TLDS.contains(&tld)
    };
    labels_ok && tld_ok
}

/// A place found in the text: a byte range of the original, and how it was named.
struct Place {
    start: usize,
    end: usize,
    /// A bare domain names the whole site: any named area or page says more.
    bare_domain: bool,
}

pub(super) fn detect(doc: &Doc, areas: &[ProductArea]) -> Option<String> {
    let mut places: Vec<Place> = Vec::new();

    for area in areas {
        for term in std::iter::once(&area.name).chain(area.synonyms.iter()) {
            let folded = fold_phrase(term);
            let single = !folded.contains(' ');
            for (i, end) in doc.find_phrase(&folded) {
                if single && WEAK.contains(&folded.as_str()) && !weak_term_ok(doc, i, &folded) {
                    continue;
                }
                if let Some(p) = place(doc, i, end, false) {
                    places.push(p);
                }
            }
        }
    }

    for section in SECTIONS {
        let single = !section.contains(' ');
        for (i, end) in doc.find_phrase(section) {
            if single && WEAK.contains(section) && !weak_term_ok(doc, i, section) {
                continue;
            }
            if let Some(p) = place(doc, i, end, true) {
                places.push(p);
            }
        }
    }

    // Inside "tienda-ana.es/carrito" or "info@tienda.es" the word "tienda" is part of an
    // address, not a place.
    let links = addresses(doc);
    places.retain(|p| !links.iter().any(|l| p.start < l.end && l.start < p.end));
    // A link to a screenshot shows the problem, not where it is.
    let image = |a: &Address| {
        IMAGE_HOSTS.iter().any(|h| host_is(&a.host, h))
            || [".png", ".jpg", ".jpeg", ".gif", ".webp"]
                .iter()
                .any(|e| a.path.to_lowercase().ends_with(e))
    };
    places.extend(
        links
            .iter()
            .filter(|a| !a.email && !image(a))
            .map(|a| Place {
                start: a.start,
                end: a.end,
                bare_domain: a.path.trim_matches('/').is_empty(),
            }),
    );

    // "The page https://…/portfolio": the name and the address quote as one place.
    for p in &mut places {
        if let Some(l) = links.iter().find(|l| {
            !l.email
                && !image(l)
                && l.start >= p.end
                && doc
                    .original
                    .get(p.end..l.start)
                    .is_some_and(|gap| !gap.is_empty() && gap.chars().all(|c| c == ' '))
        }) {
            p.end = l.end;
        }
    }

    // The first place named in the body is the one the customer leads with (the subject only
    // when the body names none); at one position the longer name ("Sitios Web" rather than
    // "web") quotes better.
    let best = places.iter().min_by(|a, b| {
        (doc.in_subject(a.start), a.bare_domain, a.start)
            .cmp(&(doc.in_subject(b.start), b.bare_domain, b.start))
            .then(b.end.cmp(&a.end))
    })?;
    doc.quote_original(best.start, best.end, 100)
}

/// The quoted extent of a place named by tokens `i..end`: with the preposition that leads it
/// and, for a page or section, its name ("la página 'Política de Garantía'",
/// "el apartado de Blog", "Plantillas > Cabecera").
fn place(doc: &Doc, i: usize, end: usize, section: bool) -> Option<Place> {
    let mut first = i;
    for _ in 0..2 {
        if first > 0
            && doc.tight_before(first)
            && doc.sentence_of(first - 1) == doc.sentence_of(i)
            && LEADERS.contains(&doc.word(first - 1))
        {
            first -= 1;
        } else {
            break;
        }
    }
    let mut fend = doc.tokens.get(end.checked_sub(1)?)?.end;
    let mut last = end;

    if !section
        && end < doc.len()
        && doc.tight_before(end)
        && doc.sentence_of(end) == doc.sentence_of(i)
        && matches!(
            doc.word(end),
            "page" | "pages" | "section" | "tab" | "screen" | "settings" | "list"
        )
    {
        // "the checkout page", "the orders list".
        fend = doc.tokens.get(end).map_or(fend, |t| t.end);
        last = end + 1;
    }

    if section {
        let mut j = end;
        if matches!(doc.next_word(end - 1, 1), "de" | "del" | "of") && doc.tight_before(end) {
            j = end + 1;
            // "the header of my store": the name comes after the determiners.
            for _ in 0..2 {
                if matches!(
                    doc.word(j),
                    "la" | "los"
                        | "las"
                        | "el"
                        | "mi"
                        | "mis"
                        | "su"
                        | "nuestra"
                        | "nuestro"
                        | "the"
                        | "my"
                        | "our"
                        | "your"
                        | "a"
                        | "an"
                        | "un"
                        | "una"
                ) && doc.tight_before(j)
                {
                    j += 1;
                }
            }
        }
        let from = if j > end {
            doc.tokens.get(j - 1).map_or(fend, |t| t.end)
        } else {
            fend
        };
        if let Some(q) = doc.quoted_after(from, 60) {
            fend = q;
            last = doc.token_at_or_after(q);
        } else if j > end {
            if j < doc.len() && doc.tight_before(j) && doc.sentence_of(j) == doc.sentence_of(i) {
                fend = doc.tokens.get(j).map_or(fend, |t| t.end);
                last = j + 1;
            }
        } else if end < doc.len()
            && doc.tight_before(end)
            && doc.sentence_of(end) == doc.sentence_of(i)
            && doc.looks_like_name(end)
        {
            fend = doc.tokens.get(end).map_or(fend, |t| t.end);
            last = end + 1;
        }
    }

    // Breadcrumbs: "Sitios Web > Menús", "Plantillas > Cabecera".
    for _ in 0..2 {
        let Some(next) = doc.tokens.get(last) else {
            break;
        };
        let gap = doc.folded.get(fend..next.start).unwrap_or("");
        if gap.trim().len() == 1 && matches!(gap.trim(), ">" | "\u{203a}" | "/") && gap.len() <= 3 {
            fend = next.end;
            last += 1;
        } else {
            break;
        }
    }

    let start = doc.tokens.get(first)?.start;
    let (s, e) = doc.original_range(start, fend)?;
    Some(Place {
        start: s,
        end: e,
        bare_domain: false,
    })
}

#[cfg(test)]
mod tests {
    use super::super::default_product_areas;
    use super::*;

    fn run(subject: &str, text: &str) -> Option<String> {
        detect(&Doc::new(subject, text), &default_product_areas())
    }

    #[test]
    fn finds_areas_pages_and_addresses() {
        let cases: &[(&str, Option<&str>)] = &[
            (
                "En Sitios Web, estoy creando la página 'Política de Garantía'",
                Some("\"En Sitios Web\""),
            ),
            (
                "estoy creando la página 'Política de Garantía' y falla",
                Some("\"la página 'Política de Garantía'\""),
            ),
            ("no me funciona la web, ayuda", Some("\"la web\"")),
            (
                "Me sale error 404 en la página de 'Quiénes somos'",
                Some("\"en la página de 'Quiénes somos'\""),
            ),
            (
                "buenas, en tienda-ana.es/carrito no se actualiza el total",
                Some("\"tienda-ana.es/carrito\""),
            ),
            (
                "mirad https://www.lunadesign.es/portfolio, sale 404",
                Some("\"https://www.lunadesign.es/portfolio\""),
            ),
            (
                "He ido a Plantillas > Colores pero no está",
                Some("\"Plantillas > Colores\""),
            ),
            ("el apartado de Blog no va", Some("\"el apartado de Blog\"")),
            (
                "they get a blank page on the checkout page",
                Some("\"on the checkout page\""),
            ),
            (
                "I can't find it in the settings",
                Some("\"in the settings\""),
            ),
            ("FACTURACIÓN: no llega nada", Some("\"FACTURACIÓN\"")),
            ("el buzón está lleno", Some("\"el buzón\"")),
            ("Los DNS no propagan", Some("\"Los DNS\"")),
        ];
        for (text, want) in cases {
            assert_eq!(run("", text).as_deref(), *want, "{text}");
        }
    }

    #[test]
    fn names_and_addresses_quote_better_than_bare_words() {
        let cases: &[(&str, &str)] = &[
            (
                "the header of my store looks broken",
                "\"the header of my store\"",
            ),
            (
                "somos Muebles Garrido (mueblesgarrido.es). Cada pedido aparece dos veces en Pedidos",
                "\"pedido\"",
            ),
            (
                "Screenshot: https://i.imgur.com/Xy12ab.png - the cart page shows the wrong total",
                "\"the cart page\"",
            ),
            (
                "The page https://www.lunadesign.es/portfolio shows a 404",
                "\"The page https://www.lunadesign.es/portfolio\"",
            ),
            (
                "Desde el lunes no llega el correo de confirmación del pedido",
                "\"del pedido\"",
            ),
        ];
        for (text, want) in cases {
            assert_eq!(run("", text).as_deref(), Some(*want), "{text}");
        }
        assert_eq!(
            run("Problema en la tienda", "En Pedidos no sale nada").as_deref(),
            Some("\"En Pedidos\"")
        );
        assert_eq!(
            run("Problema en la tienda", "no sale nada").as_deref(),
            Some("\"en la tienda\"")
        );
    }

    #[test]
    fn everyday_words_are_not_places() {
        let cases = [
            "Hola, he pedido ayuda varias veces",
            "te envío la captura, sale pantalla en blanco",
            "sobre el tema de ayer, sigue igual",
            "tengo un tema pendiente",
            "os escribo por correo porque no puedo entrar",
            "mi correo es ana@gmail.com",
            "me da error",
            "Adjunto logo.png y captura.jpg, S.L.",
            "I need this in order to continue",
            "Hola, no puedo entrar en mi cuenta",
        ];
        for text in cases {
            assert_eq!(run("", text), None, "{text}");
        }
    }

    #[test]
    fn addresses_are_cut_from_punctuation_and_emails_are_told_apart() {
        let doc = Doc::new(
            "",
            "(www.ceramicasruiz.com). Escribid a ana@tienda.es, gracias",
        );
        let found = addresses(&doc);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].host, "ceramicasruiz.com");
        assert!(!found[0].email);
        assert_eq!(
            &doc.original[found[0].start..found[0].end],
            "www.ceramicasruiz.com"
        );
        assert!(found[1].email);
        assert_eq!(found[1].host, "tienda.es");
    }

    #[test]
    fn multibyte_text_does_not_break_quotes() {
        assert_eq!(
            run("", "🙁🙁 en la TIENDA ñoña 🙁").as_deref(),
            Some("\"en la TIENDA\"")
        );
        assert_eq!(run("", "ñ🙁é"), None);
    }
}
