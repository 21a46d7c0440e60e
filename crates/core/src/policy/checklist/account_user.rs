//! Which account and which user: the sender when support already knows them, or what the
//! customer writes to identify them ("mi usuario es jmartinez82", "nuestra tienda es Cerámicas
//! Ruiz", an e-mail address, the shop's domain, a NIF/CIF).

use super::doc::Doc;
use super::location::{IMAGE_HOSTS, addresses, host_is};

/// Domains that name a service, not the customer's account.
const THIRD_PARTY: &[&str] = &[
    "vendomia.com",
    "vendomia.es",
    "google.com",
    "google.es",
    "gmail.com",
    "hotmail.com",
    "hotmail.es",
    "outlook.com",
    "outlook.es",
    "yahoo.com",
    "yahoo.es",
    "icloud.com",
    "live.com",
    "facebook.com",
    "instagram.com",
    "whatsapp.com",
    "youtube.com",
    "paypal.com",
    "stripe.com",
    "redsys.es",
    "shopify.com",
    "godaddy.com",
    "amazon.com",
    "amazon.es",
    "dropbox.com",
    "wetransfer.com",
];
/// Support's own addresses: writing to them says nothing about the customer.
const OWN_DOMAINS: &[&str] = &["vendomia.com", "vendomia.es"];

/// Words that are not a name even when written with a capital after "mi tienda", "usuario".
const NOT_NAMES: &[&str] = &[
    "es",
    "se",
    "de",
    "del",
    "que",
    "no",
    "y",
    "con",
    "en",
    "el",
    "la",
    "los",
    "las",
    "un",
    "una",
    "para",
    "por",
    "me",
    "le",
    "lo",
    "ya",
    "si",
    "pero",
    "tiene",
    "tengo",
    "puede",
    "ha",
    "esta",
    "is",
    "the",
    "a",
    "an",
    "and",
    "not",
    "on",
    "in",
    "to",
    "for",
    "with",
    "has",
    "was",
    "can",
    "does",
    "doesn",
    "isn",
    "looks",
    "shows",
    "it",
    "i",
    "my",
    "nueva",
    "nuevo",
    "online",
    "web",
    "vendomia",
    "google",
    "shopify",
    "principal",
    "pro",
    "basic",
    "plan",
];

/// Roles named after "usuario": "con el usuario admin".
const ROLES: &[&str] = &[
    "admin",
    "administrador",
    "administradora",
    "administrator",
    "editor",
    "editora",
    "gestor",
    "gestora",
    "root",
    "demo",
];

pub(super) fn detect(doc: &Doc, known_sender: Option<&str>) -> Option<String> {
    if let Some(sender) = known_sender.map(str::trim).filter(|s| !s.is_empty()) {
        return Some(format!("remitente conocido: {sender}"));
    }
    let mut found: Vec<(usize, usize)> = Vec::new();
    for a in addresses(doc) {
        let own = OWN_DOMAINS.iter().any(|d| host_is(&a.host, d));
        let service = THIRD_PARTY.iter().any(|d| host_is(&a.host, d))
            || IMAGE_HOSTS.iter().any(|d| host_is(&a.host, d));
        if (a.email && !own) || (!a.email && !service) {
            found.push((a.start, a.end));
        }
    }
    for i in 0..doc.len() {
        let span = named_at(doc, i).or_else(|| tax_id_at(doc, i));
        if let Some(range) = span.and_then(|(first, end)| doc.token_range(first, end)) {
            found.push(range);
        }
    }
    let (start, end) = found.into_iter().min_by(|a, b| {
        (doc.in_subject(a.0), a.0)
            .cmp(&(doc.in_subject(b.0), b.0))
            .then(b.1.cmp(&a.1))
    })?;
    doc.quote_original(start, end, 80)
}

/// Whether token `j` can be (the start of) an identifier written after a label.
fn identifier(doc: &Doc, j: usize, after_colon: bool) -> bool {
    let w = doc.word(j);
    if w.is_empty() || NOT_NAMES.contains(&w) {
        return false;
    }
    let original = doc.original_word(j);
    let joined = {
        // "laura.g", "tiendasol_admin", "myshop-uk": written without spaces.
        let next_gap = doc.gap_before(j + 1);
        j + 1 < doc.len()
            && !next_gap.is_empty()
            && next_gap.chars().all(|c| matches!(c, '.' | '_' | '-'))
    };
    after_colon
        || joined
        || w.chars().any(|c| c.is_ascii_digit())
        || original.chars().next().is_some_and(char::is_uppercase)
        || doc
            .gap_before(j)
            .ends_with(['\'', '"', '\u{201c}', '\u{ab}'])
}

/// The end of a name that starts at token `j`: capitalised words and joiners ("Kids&Co",
/// "Pebble & Co", "Ferretería Paco").
fn name_end(doc: &Doc, j: usize) -> usize {
    let sid = doc.sentence_of(j);
    let mut end = j + 1;
    while end < doc.len() && end < j + 4 && doc.sentence_of(end) == sid {
        let gap = doc.gap_before(end);
        let joins = gap
            .chars()
            .all(|c| matches!(c, ' ' | '&' | '.' | '_' | '-'));
        if !joins || gap.contains(". ") {
            break;
        }
        let w = doc.word(end);
        let cont = doc.looks_like_name(end)
            || gap.chars().any(|c| matches!(c, '&' | '.' | '_' | '-'))
            || matches!(
                w,
                "co" | "sl" | "sa" | "slu" | "ltd" | "llc" | "inc" | "gmbh"
            );
        if !cont || NOT_NAMES.contains(&w) {
            break;
        }
        end += 1;
    }
    end
}

/// A label and the identifier after it, as a token span.
fn named_at(doc: &Doc, i: usize) -> Option<(usize, usize)> {
    let w = doc.word(i);
    let prev = doc.prev_word(i, 1);
    let possessive = matches!(
        prev,
        "mi" | "nuestra" | "nuestro" | "la" | "el" | "my" | "our" | "the" | "su"
    );
    // The label, and the token after it where the identifier may start.
    let (after, allow_de) = match w {
        "cuenta" | "account" | "username" | "login" | "cliente" | "customer" | "company"
        | "empresa" => (i + 1, matches!(w, "cuenta" | "account")),
        "usuario" | "usuaria" | "user" => (i + 1, false),
        "tienda" | "web" | "store" | "shop" | "site" | "website" | "negocio" | "marca"
            if possessive || doc.gap_before(i + 1).contains(':') =>
        {
            (i + 1, false)
        }
        "soy" | "somos" | "from" => (i + 1, false),
        "as" if prev == "logged" || prev == "in" => (i + 1, false),
        _ => return None,
    };
    if after >= doc.len() || doc.sentence_of(after) != doc.sentence_of(i) {
        return None;
    }
    let gap = doc.gap_before(after);
    if gap
        .chars()
        .any(|c| matches!(c, ',' | '.' | ';' | '(' | ')' | '!' | '?'))
    {
        return None;
    }
    let colon = gap.contains(':') || gap.contains('=');
    let mut j = after;
    // "mi cuenta es X", "my store is X", "se llama X", "called X", "nº de cliente 48213".
    loop {
        let word = doc.word(j);
        let skip = matches!(
            word,
            "es" | "is" | "se" | "llama" | "called" | "named" | "name"
        ) || (matches!(
            word,
            "numero" | "n" | "no" | "id" | "number" | "codigo" | "de" | "del"
        ) && matches!(w, "cliente" | "customer" | "cuenta" | "account"))
            || (allow_de && word == "de");
        if skip
            && j + 1 < doc.len()
            && doc.sentence_of(j + 1) == doc.sentence_of(i)
            && j < after + 4
        {
            j += 1;
        } else {
            break;
        }
    }
    // After "es"/"is" only a name-like word identifies ("mi tienda es muy lenta" does not),
    // except for user names, which are often written in lower case.
    let after_label =
        colon || (j > after && matches!(w, "usuario" | "usuaria" | "username" | "login"));
    let id_word = doc.word(j);
    match w {
        "soy" | "somos" | "from" => {
            // "soy Pedro de Deportes Norte", "somos Muebles Garrido", "I'm Olivia from Pebble".
            if w == "from" {
                let introduced = (2..=4).any(|k| matches!(doc.prev_word(i, k), "m" | "am" | "is"));
                let named = i > 0 && doc.looks_like_name(i - 1) && doc.looks_like_name(j);
                return (introduced && named).then(|| (j, name_end(doc, j)));
            }
            if !doc.looks_like_name(j) || NOT_NAMES.contains(&id_word) {
                return None;
            }
            let first_name_end = name_end(doc, j);
            if w == "somos" {
                return Some((j, first_name_end));
            }
            // A first name alone does not say which account: look for "de Empresa".
            let mut k = first_name_end;
            while k < doc.len()
                && k < first_name_end + 4
                && doc.sentence_of(k) == doc.sentence_of(i)
            {
                if matches!(doc.word(k), "de" | "from") && doc.looks_like_name(k + 1) {
                    return Some((k + 1, name_end(doc, k + 1)));
                }
                k += 1;
            }
            None
        }
        "usuario" | "usuaria" | "user" => {
            if ROLES.contains(&id_word) || identifier(doc, j, after_label) {
                Some((j, name_end(doc, j)))
            } else {
                None
            }
        }
        "cliente" | "customer" => {
            // A customer number, not "el cliente paga".
            id_word
                .chars()
                .any(|c| c.is_ascii_digit())
                .then(|| (j, j + 1))
        }
        _ => identifier(doc, j, after_label).then(|| (j, name_end(doc, j))),
    }
}

/// A Spanish tax number: DNI/NIF "12345678Z", NIE "X1234567L", CIF "B12345678".
fn tax_id_at(doc: &Doc, i: usize) -> Option<(usize, usize)> {
    let w = doc.word(i);
    if !matches!(w.len(), 1 | 8 | 9 | 11) {
        return None;
    }
    let check = |s: &str| {
        let chars: Vec<char> = s.chars().collect();
        if chars.len() != 9 || !chars.iter().all(char::is_ascii_alphanumeric) {
            return false;
        }
        let digits = |r: std::ops::Range<usize>| chars[r].iter().all(char::is_ascii_digit);
        let dni = digits(0..8) && chars[8].is_ascii_alphabetic();
        let nie =
            matches!(chars[0], 'x' | 'y' | 'z') && digits(1..8) && chars[8].is_ascii_alphabetic();
        let cif = "abcdefghjnpqrsuvw".contains(chars[0])
            && digits(1..8)
            && (chars[8].is_ascii_digit() || ('a'..='j').contains(&chars[8]));
        dni || nie || cif
    };
    if check(w) {
        return Some((i, i + 1));
    }
    // "ESB98765432" (VAT) and "B-12345678".
    if w.len() == 11 && w.starts_with("es") && check(&w[2..]) {
        return Some((i, i + 1));
    }
    let next = doc.word(i + 1);
    if i + 1 < doc.len() && doc.gap_before(i + 1) == "-" && check(&format!("{w}{next}")) {
        return Some((i, i + 2));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Option<String> {
        detect(&Doc::new("", text), None)
    }

    #[test]
    fn known_sender_is_enough() {
        let doc = Doc::new("", "no funciona");
        assert_eq!(
            detect(&doc, Some("Ana Pérez <ana@x.es>, cuenta Tienda Ana")).as_deref(),
            Some("remitente conocido: Ana Pérez <ana@x.es>, cuenta Tienda Ana")
        );
        assert_eq!(detect(&doc, Some("  ")), None);
    }

    #[test]
    fn accounts_and_users_named_in_the_text() {
        let cases: &[(&str, &str)] = &[
            (
                "Hola no puedo entrar, mi usuario es jmartinez82",
                "\"jmartinez82\"",
            ),
            ("con el usuario admin sí se publica", "\"admin\""),
            (
                "Mi email es rosa.martin@gmail.com",
                "\"rosa.martin@gmail.com\"",
            ),
            (
                "Nuestra tienda es Cerámicas Ruiz, gracias",
                "\"Cerámicas Ruiz\"",
            ),
            (
                "Quiero cambiar el plan de mi cuenta Tienda Bonita al plan Pro",
                "\"Tienda Bonita\"",
            ),
            ("Hola, soy Pedro de Deportes Norte.", "\"Deportes Norte\""),
            ("Mi CIF es B12345678", "\"B12345678\""),
            ("NIF 12345678-Z", "\"12345678-Z\""),
            ("mi número de cliente es 48213", "\"48213\""),
            ("Account: nordicwood", "\"nordicwood\""),
            ("My account is GreenLeaf Ltd.", "\"GreenLeaf Ltd\""),
            (
                "I'm Olivia from Pebble & Co. Since Tuesday",
                "\"Pebble & Co\"",
            ),
            ("Nombre de la tienda: Kids&Co.", "\"Kids&Co\""),
            (
                "en tienda-ana.es/carrito no se actualiza",
                "\"tienda-ana.es/carrito\"",
            ),
            ("usuario laura.g en la cuenta Viajes Sur", "\"laura.g\""),
        ];
        for (text, want) in cases {
            assert_eq!(run(text).as_deref(), Some(*want), "{text}");
        }
    }

    #[test]
    fn mentions_without_an_identifier_are_not_enough() {
        let cases = [
            "no puedo entrar en mi cuenta",
            "un usuario con rol gestor puede editar",
            "el cliente paga y no se crea el pedido",
            "Escribo a soporte@vendomia.com porque no va",
            "mira https://prnt.sc/a1b2c3",
            "Queremos migrar nuestra tienda de Shopify a Vendomia",
            "En la Tienda, al aplicar el cupón, falla",
            "Llamadme al 600123456 porfa",
            "Hola, soy Marta",
            "Error SIS0042 en el TPV",
            "I need help with my account",
            "my store is down and the site is offline",
            "Hello from Spain",
        ];
        for text in cases {
            assert_eq!(run(text), None, "{text}");
        }
    }
}
