//! Separating what a customer just wrote from the conversation their client pasted below it.
//!
//! Every mail client glues the previous messages to a reply in its own way (an attribution
//! line and `>` quoting, an Outlook header block, a "forwarded message" banner) and many
//! append a signature or a "sent from my phone" footer. Agents only need the new text. The
//! full original is stored elsewhere, so a clear marker is enough to cut. The one thing
//! this module must never do is leave an agent with nothing to read, so when no new text
//! is left the whole input stays visible.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;

/// The new text of a reply, and what was cut from it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReplyParts {
    /// What the sender wrote in this message, trimmed. Never empty when the input has any non-quoted text; if everything looks quoted, the whole input is returned here (never lose the only content).
    pub visible: String,
    /// The quoted history (attribution line + quoted text), trimmed; empty if none.
    pub quoted: String,
    /// The signature block that was removed from the visible part, trimmed; empty if none.
    pub signature: String,
}

/// Splits the plain-text body of an incoming mail into new text, quoted history and
/// signature.
///
/// Unmarked history (an attribution without `>` lines after it, an Outlook header block,
/// a forwarded-message banner) runs to the end of the mail, because clients that produce
/// it never put new text below it. `>`-quoted lines are judged by position instead:
/// trailing ones are history, a single leading run is a bottom-posted quote, and quotes
/// between the sender's own lines are an inline reply, kept visible because the answers
/// make no sense without the questions.
pub fn split_reply(text: &str) -> ReplyParts {
    let normalized = normalize_line_endings(text);
    let lines: Vec<&str> = normalized.split('\n').collect();
    let mut kinds: Vec<LineKind> = lines.iter().map(|line| LineKind::of(line)).collect();
    let history_start = find_history_start(&lines, &mut kinds);

    let body = &kinds[..history_start];
    let (Some(first_text), Some(last_text)) = (
        body.iter().position(|kind| *kind == LineKind::Text),
        body.iter().rposition(|kind| *kind == LineKind::Text),
    ) else {
        return whole_input(&normalized);
    };

    let bottom_posted = kinds[..first_text].contains(&LineKind::Quoted)
        && !kinds[first_text..last_text].contains(&LineKind::Quoted);
    let visible_start = if bottom_posted { first_text } else { 0 };
    let visible_end = last_text + 1;
    let signature_start = visible_start + signature_offset(&lines[visible_start..visible_end]);

    let visible = join_trimmed(&lines[visible_start..signature_start]);
    if visible.is_empty() {
        return whole_input(&normalized);
    }
    let quoted = [
        join_trimmed(&lines[..visible_start]),
        join_trimmed(&lines[visible_end..]),
    ]
    .into_iter()
    .filter(|part| !part.is_empty())
    .collect::<Vec<_>>()
    .join("\n\n");

    ReplyParts {
        visible,
        quoted,
        signature: join_trimmed(&lines[signature_start..visible_end]),
    }
}

/// Real markers are short; skipping longer lines keeps hostile input (a megabyte on one
/// line) from being run through every pattern.
const MAX_MARKER_LINE_BYTES: usize = 1_000;

/// Gmail wraps a long attribution (long name plus address) over two lines, rarely three.
const MAX_ATTRIBUTION_LINES: usize = 3;

/// Outlook's HTML-to-text conversion puts blank lines between header fields and wraps long
/// recipient lists, so the rest of a header block may sit a few lines below the sender.
const HEADER_BLOCK_LOOKAHEAD: usize = 10;

/// A customer may well write "De: Luis" and "Para: todos" in a message; real header blocks
/// always carry at least a date or a recipient and a subject besides the sender.
const MIN_HEADER_FIELDS_AFTER_SENDER: usize = 2;

/// Shorter runs of dashes are the "-- " signature delimiter or plain punctuation.
const MIN_RULE_LENGTH: usize = 5;

/// A pattern that fails to compile matches nothing: a typo must degrade detection, not take
/// down mail intake. `every_pattern_compiles` catches it in the tests.
type Pattern = LazyLock<Option<Regex>>;

fn compile(pattern: &str) -> Option<Regex> {
    Regex::new(pattern).ok()
}

fn matches(pattern: &Pattern, text: &str) -> bool {
    pattern.as_ref().is_some_and(|regex| regex.is_match(text))
}

/// The word an attribution starts with, checked alone so that a wrapped attribution is not
/// glued onto the sender's previous sentence.
static ATTRIBUTION_OPENING: Pattern = LazyLock::new(|| compile(r"(?i)^(?:el|on|le|em)\s"));

/// "El … escribió:" / "On … wrote:" in the languages our customers write in (Spanish,
/// English, Catalan, Portuguese, French), matched on the attribution joined into one line.
static ATTRIBUTION: Pattern = LazyLock::new(|| {
    compile(
        r"(?i)^(?:el|on|le|em)\s.*\s(?:escribi(?:ó|o\x{301}|o)|wrote|va\s+escriure|escreveu|a\s+écrit)\s*:$",
    )
});

/// Banners that Outlook, Gmail, Thunderbird and Apple Mail put above an original or
/// forwarded message.
static HISTORY_BANNER: Pattern = LazyLock::new(|| {
    compile(
        r"(?ix)^\s*(?:
            -{2,}\s*(?:original\s+message|mensaje\s+original|missatge\s+original|mensagem\s+original
                |message\s+d'origine|forwarded\s+message|mensaje\s+reenviado|missatge\s+reenviat
                |mensagem\s+encaminhada|message\s+transféré)\s*-{2,}
          | (?:begin\s+forwarded\s+message|inicio\s+del\s+mensaje\s+reenviado
                |comienzo\s+del\s+mensaje\s+reenviado|début\s+du\s+message\s+réexpédié)\s*:
        )\s*$",
    )
});

/// A "Label: value" line of a header block; HTML conversion may leave the label in `*bold*`.
static HEADER_FIELD_LINE: Pattern = LazyLock::new(|| {
    compile(
        r"(?i)^\s*[*_]{0,2}\s*(from|de|sent|enviado\s+el|enviado|date|fecha|to|para|cc|cco|bcc|subject|asunto|reply-to|responder\s+a)\s*[*_]{0,2}\s*:",
    )
});

/// Some HTML-to-text converters flatten a whole Outlook header block onto the sender line.
static INLINE_HEADER_FIELD: Pattern = LazyLock::new(|| {
    compile(
        r"(?i)(?:^|\s)[*_]{0,2}(sent|enviado\s+el|enviado|date|fecha|to|para|cc|subject|asunto)[*_]{0,2}\s*:",
    )
});

/// Footers that mobile and desktop clients append on their own. Device names are limited to
/// a few words so that a sentence that merely starts the same way stays visible.
static CLIENT_FOOTER: Pattern = LazyLock::new(|| {
    compile(
        r"(?ix)^(?:
            (?:enviado|enviada|sent)\s+(?:desde|from)\s+(?:mi|my)\s+[\p{L}\p{N}.'’-]+(?:\s+[\p{L}\p{N}.'’-]+){0,4}
          | (?:enviado\s+desde|sent\s+from)\s+(?:outlook|yahoo\s+mail|aol|correo|mail)
                (?:\s+(?:para|for|on|en)\s+[\p{L}\p{N}]+(?:\s+[\p{L}\p{N}]+){0,2})?
          | (?:obtener|obtén|get)\s+outlook\s+(?:para|for)\s+(?:ios|android)
        )\s*\.?$",
    )
});

/// Outlook's footers become "Obtener Outlook para iOS<https://aka.ms/…>" once converted
/// from HTML; the link is not part of what identifies them.
static LINK_IN_ANGLE_BRACKETS: Pattern = LazyLock::new(|| compile(r"<[^<>\s]*>"));

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineKind {
    Blank,
    /// A `>` line, or the attribution introducing a run of them.
    Quoted,
    Text,
}

impl LineKind {
    fn of(line: &str) -> Self {
        if line.trim().is_empty() {
            Self::Blank
        } else if line.trim_start().starts_with('>') {
            Self::Quoted
        } else {
            Self::Text
        }
    }
}

/// Header fields grouped by meaning, so that "Sent" and "Date" count once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HeaderField {
    Sender,
    Date,
    Recipient,
    Copy,
    Subject,
    ReplyTo,
}

impl HeaderField {
    fn from_label(label: &str) -> Option<Self> {
        let first_word = label.split_whitespace().next()?.to_lowercase();
        match first_word.as_str() {
            "from" | "de" => Some(Self::Sender),
            "sent" | "enviado" | "date" | "fecha" => Some(Self::Date),
            "to" | "para" => Some(Self::Recipient),
            "cc" | "cco" | "bcc" => Some(Self::Copy),
            "subject" | "asunto" => Some(Self::Subject),
            "reply-to" | "responder" => Some(Self::ReplyTo),
            _ => None,
        }
    }

    fn at_start_of(line: &str) -> Option<Self> {
        let regex = HEADER_FIELD_LINE.as_ref()?;
        let label = regex.captures(line)?.get(1)?;
        Self::from_label(label.as_str())
    }
}

/// Returns where unmarked history begins (the number of lines when there is none), and
/// reclassifies attributions that introduce `>` quotes as quoted, so that they travel with
/// their quote wherever it ends up.
fn find_history_start(lines: &[&str], kinds: &mut [LineKind]) -> usize {
    let mut index = 0;
    while index < lines.len() {
        if kinds[index] != LineKind::Text || lines[index].len() > MAX_MARKER_LINE_BYTES {
            index += 1;
            continue;
        }
        if let Some(span) = attribution_span(lines, kinds, index) {
            let after = index + span;
            let introduces_quote = kinds[after..]
                .iter()
                .find(|kind| **kind != LineKind::Blank)
                .is_some_and(|kind| *kind == LineKind::Quoted);
            if !introduces_quote {
                return include_rule_above(lines, kinds, index);
            }
            kinds[index..after].fill(LineKind::Quoted);
            index = after;
            continue;
        }
        if matches(&HISTORY_BANNER, lines[index]) || starts_header_block(lines, index) {
            return include_rule_above(lines, kinds, index);
        }
        index += 1;
    }
    lines.len()
}

/// How many lines, starting at `start`, form an attribution. A date or an address is
/// required so that "El lunes mi compañero escribió:" stays the customer's own words.
fn attribution_span(lines: &[&str], kinds: &[LineKind], start: usize) -> Option<usize> {
    let mut joined = String::new();
    let candidates = lines
        .iter()
        .zip(kinds)
        .skip(start)
        .take(MAX_ATTRIBUTION_LINES);
    for (offset, (line, kind)) in candidates.enumerate() {
        let line = line.trim();
        if *kind != LineKind::Text || line.len() > MAX_MARKER_LINE_BYTES {
            return None;
        }
        if offset == 0 {
            if !matches(&ATTRIBUTION_OPENING, line) {
                return None;
            }
        } else if joined.ends_with(['.', '!', '?']) || matches(&ATTRIBUTION_OPENING, line) {
            return None;
        } else {
            joined.push(' ');
        }
        joined.push_str(line);
        if matches(&ATTRIBUTION, &joined)
            && joined.contains(|character: char| character.is_ascii_digit() || character == '@')
        {
            return Some(offset + 1);
        }
    }
    None
}

fn starts_header_block(lines: &[&str], start: usize) -> bool {
    let Some(sender_line) = lines.get(start) else {
        return false;
    };
    if HeaderField::at_start_of(sender_line) != Some(HeaderField::Sender) {
        return false;
    }
    let mut fields: Vec<HeaderField> = Vec::new();
    if let Some(regex) = INLINE_HEADER_FIELD.as_ref() {
        let inline = regex
            .captures_iter(sender_line)
            .filter_map(|captures| HeaderField::from_label(captures.get(1)?.as_str()));
        for field in inline {
            if !fields.contains(&field) {
                fields.push(field);
            }
        }
    }
    for line in lines.iter().skip(start + 1).take(HEADER_BLOCK_LOOKAHEAD) {
        match HeaderField::at_start_of(line) {
            Some(HeaderField::Sender) => break,
            Some(field) if !fields.contains(&field) => fields.push(field),
            _ => {}
        }
    }
    fields.len() >= MIN_HEADER_FIELDS_AFTER_SENDER
}

/// Outlook draws a line of underscores above its header block; it belongs to the history,
/// not to the sender's text.
fn include_rule_above(lines: &[&str], kinds: &[LineKind], history_start: usize) -> usize {
    let mut start = history_start;
    for index in (0..history_start).rev() {
        if kinds[index] == LineKind::Blank {
            continue;
        }
        if !is_horizontal_rule(lines[index]) {
            break;
        }
        start = index;
    }
    start
}

fn is_horizontal_rule(line: &str) -> bool {
    let line = line.trim();
    line.chars().count() >= MIN_RULE_LENGTH
        && line
            .chars()
            .all(|character| matches!(character, '_' | '-' | '='))
}

/// Where the signature begins within the sender's own lines (their count when there is
/// none). Content must come first: a message that starts with "-- " has no body to protect.
/// Client footers only count at the very end, where clients put them.
fn signature_offset(lines: &[&str]) -> usize {
    let Some(first_content) = lines.iter().position(|line| !line.trim().is_empty()) else {
        return lines.len();
    };
    let delimiter = lines
        .iter()
        .enumerate()
        .skip(first_content + 1)
        .find(|(_, line)| line.trim_end() == "--")
        .map_or(lines.len(), |(index, _)| index);
    let mut start = delimiter;
    for (index, line) in lines[..delimiter].iter().enumerate().rev() {
        if line.trim().is_empty() {
            continue;
        }
        if !is_client_footer(line) {
            break;
        }
        start = index;
    }
    start
}

fn is_client_footer(line: &str) -> bool {
    let line = line.trim();
    if line.len() > MAX_MARKER_LINE_BYTES {
        return false;
    }
    let without_links = match LINK_IN_ANGLE_BRACKETS.as_ref() {
        Some(regex) => regex.replace_all(line, ""),
        None => Cow::Borrowed(line),
    };
    matches(&CLIENT_FOOTER, without_links.trim())
}

/// Stored and displayed text uses `\n` only; a lone `\r` (old Mac mail) is a line break
/// too, and a byte-order mark is never content.
fn normalize_line_endings(text: &str) -> String {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    text.replace("\r\n", "\n").replace('\r', "\n")
}

fn join_trimmed(lines: &[&str]) -> String {
    lines.join("\n").trim().to_owned()
}

fn whole_input(normalized: &str) -> ReplyParts {
    ReplyParts {
        visible: normalized.trim().to_owned(),
        ..ReplyParts::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Case {
        name: &'static str,
        input: &'static str,
        visible: &'static str,
        quoted: &'static str,
        signature: &'static str,
    }

    const CASES: &[Case] = &[
        Case {
            name: "plain Spanish text without any quote",
            input: "Hola,\n\nNo puedo acceder al panel desde ayer.\nMe da error 500.\n\nGracias\n",
            visible: "Hola,\n\nNo puedo acceder al panel desde ayer.\nMe da error 500.\n\nGracias",
            quoted: "",
            signature: "",
        },
        Case {
            name: "Gmail in Spanish",
            input: "Sí, ya funciona.\n\nEl mar, 3 nov 2026 a las 10:15, Ana García (<ana@vendomia.com>) escribió:\n\n> Hola Luis,\n> ¿Puedes probar de nuevo?\n",
            visible: "Sí, ya funciona.",
            quoted: "El mar, 3 nov 2026 a las 10:15, Ana García (<ana@vendomia.com>) escribió:\n\n> Hola Luis,\n> ¿Puedes probar de nuevo?",
            signature: "",
        },
        Case {
            name: "Gmail in Spanish with the attribution wrapped over two lines",
            input: "Perfecto, gracias.\n\nEl mar, 3 nov 2026 a las 10:15, Ana García Fernández - Soporte Vendomia (<\nana.garcia@vendomia.com>) escribió:\n\n> Ya está activado.\n",
            visible: "Perfecto, gracias.",
            quoted: "El mar, 3 nov 2026 a las 10:15, Ana García Fernández - Soporte Vendomia (<\nana.garcia@vendomia.com>) escribió:\n\n> Ya está activado.",
            signature: "",
        },
        Case {
            name: "Gmail in English",
            input: "Thanks, that fixed it.\n\nOn Tue, Nov 3, 2026 at 10:15 AM Ana <ana@x.com> wrote:\n\n> Could you clear the cache?\n> Regards\n",
            visible: "Thanks, that fixed it.",
            quoted: "On Tue, Nov 3, 2026 at 10:15 AM Ana <ana@x.com> wrote:\n\n> Could you clear the cache?\n> Regards",
            signature: "",
        },
        Case {
            name: "Gmail in English with the attribution wrapped",
            input: "Done.\n\nOn Tue, Nov 3, 2026 at 10:15 AM Ana García from Vendomia Support <\nana.garcia@vendomia.com> wrote:\n\n> Please update the plugin.\n",
            visible: "Done.",
            quoted: "On Tue, Nov 3, 2026 at 10:15 AM Ana García from Vendomia Support <\nana.garcia@vendomia.com> wrote:\n\n> Please update the plugin.",
            signature: "",
        },
        Case {
            name: "a sentence starting with On just above an attribution",
            input: "On Monday the page broke again.\nOn Tue, Nov 3, 2026 at 10:15 AM Ana <ana@x.com> wrote:\n> Is it fixed?\n",
            visible: "On Monday the page broke again.",
            quoted: "On Tue, Nov 3, 2026 at 10:15 AM Ana <ana@x.com> wrote:\n> Is it fixed?",
            signature: "",
        },
        Case {
            name: "Outlook desktop in Spanish with a line of underscores",
            input: "Adjunto la factura.\n\nLuis\n\n________________________________\nDe: Ana García <ana@vendomia.com>\nEnviado: martes, 3 de noviembre de 2026 10:15\nPara: Luis Pérez <luis@tienda.es>\nAsunto: RE: Factura de octubre\n\nHola Luis,\nNecesitamos la factura.\n",
            visible: "Adjunto la factura.\n\nLuis",
            quoted: "________________________________\nDe: Ana García <ana@vendomia.com>\nEnviado: martes, 3 de noviembre de 2026 10:15\nPara: Luis Pérez <luis@tienda.es>\nAsunto: RE: Factura de octubre\n\nHola Luis,\nNecesitamos la factura.",
            signature: "",
        },
        Case {
            name: "Outlook in Spanish with Enviado el and CC and no separator",
            input: "Ya lo he cambiado.\n\nDe: Soporte Vendomia <soporte@vendomia.com>\nEnviado el: martes, 3 de noviembre de 2026 10:15\nPara: luis@tienda.es\nCC: compras@tienda.es\nAsunto: [#1234] Cambio de dirección\n\nHola,\n¿Puedes cambiar la dirección?\n",
            visible: "Ya lo he cambiado.",
            quoted: "De: Soporte Vendomia <soporte@vendomia.com>\nEnviado el: martes, 3 de noviembre de 2026 10:15\nPara: luis@tienda.es\nCC: compras@tienda.es\nAsunto: [#1234] Cambio de dirección\n\nHola,\n¿Puedes cambiar la dirección?",
            signature: "",
        },
        Case {
            name: "Outlook in English",
            input: "Please see below.\r\n\r\nFrom: Ana <ana@vendomia.com>\r\nSent: Tuesday, November 3, 2026 10:15 AM\r\nTo: Luis <luis@shop.com>\r\nSubject: RE: Invoice\r\n\r\nHi Luis,\r\nAny news?\r\n",
            visible: "Please see below.",
            quoted: "From: Ana <ana@vendomia.com>\nSent: Tuesday, November 3, 2026 10:15 AM\nTo: Luis <luis@shop.com>\nSubject: RE: Invoice\n\nHi Luis,\nAny news?",
            signature: "",
        },
        Case {
            name: "Outlook on the web converted from HTML with bold labels and blank lines",
            input: "Hecho.\n\n**De:** Ana García <ana@vendomia.com>\n\n**Enviado:** martes, 3 de noviembre de 2026 10:15\n\n**Para:** Luis\n\n**Asunto:** Pedido 5512\n\nHola Luis",
            visible: "Hecho.",
            quoted: "**De:** Ana García <ana@vendomia.com>\n\n**Enviado:** martes, 3 de noviembre de 2026 10:15\n\n**Para:** Luis\n\n**Asunto:** Pedido 5512\n\nHola Luis",
            signature: "",
        },
        Case {
            name: "Outlook header block flattened onto one line",
            input: "Ok, thanks.\n\nFrom: Ana <ana@x.com> Sent: Tuesday, November 3, 2026 10:15 AM To: Luis Subject: RE: Order\n\nHi Luis",
            visible: "Ok, thanks.",
            quoted: "From: Ana <ana@x.com> Sent: Tuesday, November 3, 2026 10:15 AM To: Luis Subject: RE: Order\n\nHi Luis",
            signature: "",
        },
        Case {
            name: "Mensaje original banner",
            input: "Os reenvío lo que me dijeron.\n\n-----Mensaje original-----\nDe: Ana <ana@vendomia.com>\nEnviado el: martes, 3 de noviembre de 2026 10:15\nPara: luis@tienda.es\nAsunto: Garantía\n\nTexto anterior\n",
            visible: "Os reenvío lo que me dijeron.",
            quoted: "-----Mensaje original-----\nDe: Ana <ana@vendomia.com>\nEnviado el: martes, 3 de noviembre de 2026 10:15\nPara: luis@tienda.es\nAsunto: Garantía\n\nTexto anterior",
            signature: "",
        },
        Case {
            name: "Original Message banner",
            input: "See my comments.\n\n-----Original Message-----\nFrom: Ana\nSent: Tuesday\n\nOld text",
            visible: "See my comments.",
            quoted: "-----Original Message-----\nFrom: Ana\nSent: Tuesday\n\nOld text",
            signature: "",
        },
        Case {
            name: "Gmail forward in English with a comment",
            input: "FYI, this is the customer complaint.\n\n---------- Forwarded message ---------\nFrom: Pedro <pedro@cliente.com>\nDate: Tue, Nov 3, 2026 at 10:15 AM\nSubject: Pedido roto\nTo: <luis@tienda.es>\n\nEl pedido llegó roto.\n",
            visible: "FYI, this is the customer complaint.",
            quoted: "---------- Forwarded message ---------\nFrom: Pedro <pedro@cliente.com>\nDate: Tue, Nov 3, 2026 at 10:15 AM\nSubject: Pedido roto\nTo: <luis@tienda.es>\n\nEl pedido llegó roto.",
            signature: "",
        },
        Case {
            name: "Gmail forward in Spanish with a comment",
            input: "Mirad esto, por favor.\n\n---------- Mensaje reenviado ---------\nDe: Pedro <pedro@cliente.com>\nDate: mar, 3 nov 2026 a las 10:15\nSubject: Pedido roto\nTo: <luis@tienda.es>\n\nEl pedido llegó roto.",
            visible: "Mirad esto, por favor.",
            quoted: "---------- Mensaje reenviado ---------\nDe: Pedro <pedro@cliente.com>\nDate: mar, 3 nov 2026 a las 10:15\nSubject: Pedido roto\nTo: <luis@tienda.es>\n\nEl pedido llegó roto.",
            signature: "",
        },
        Case {
            name: "forward without any comment keeps everything visible",
            input: "\n---------- Forwarded message ---------\nFrom: Pedro <pedro@cliente.com>\nDate: Tue, Nov 3, 2026 at 10:15 AM\nSubject: Pedido roto\n\nEl pedido llegó roto.\n",
            visible: "---------- Forwarded message ---------\nFrom: Pedro <pedro@cliente.com>\nDate: Tue, Nov 3, 2026 at 10:15 AM\nSubject: Pedido roto\n\nEl pedido llegó roto.",
            quoted: "",
            signature: "",
        },
        Case {
            name: "Apple Mail forward banner in Spanish",
            input: "Te paso el correo del transportista.\n\nInicio del mensaje reenviado:\n\nDe: Envíos Rápidos <avisos@envios.es>\nFecha: 3 de noviembre de 2026, 10:15:00 CET\nPara: luis@tienda.es\nAsunto: Incidencia\n\nEl paquete no se pudo entregar.",
            visible: "Te paso el correo del transportista.",
            quoted: "Inicio del mensaje reenviado:\n\nDe: Envíos Rápidos <avisos@envios.es>\nFecha: 3 de noviembre de 2026, 10:15:00 CET\nPara: luis@tienda.es\nAsunto: Incidencia\n\nEl paquete no se pudo entregar.",
            signature: "",
        },
        Case {
            name: "iPhone in Spanish",
            input: "Sí, es correcto.\n\nEnviado desde mi iPhone\n\nEl 3 nov 2026, a las 10:15, Ana García <ana@vendomia.com> escribió:\n\n> ¿Confirmas la dirección?\n",
            visible: "Sí, es correcto.",
            quoted: "El 3 nov 2026, a las 10:15, Ana García <ana@vendomia.com> escribió:\n\n> ¿Confirmas la dirección?",
            signature: "Enviado desde mi iPhone",
        },
        Case {
            name: "iPhone in English",
            input: "Yes.\n\nSent from my iPhone\n\nOn 3 Nov 2026, at 10:15, Ana <ana@x.com> wrote:\n\n> Can you confirm?\n",
            visible: "Yes.",
            quoted: "On 3 Nov 2026, at 10:15, Ana <ana@x.com> wrote:\n\n> Can you confirm?",
            signature: "Sent from my iPhone",
        },
        Case {
            name: "iPad converted from HTML, quote without markers",
            input: "Vale.\n\nEnviado desde mi iPad\n\nEl 3 nov 2026, a las 10:15, Ana García <ana@vendomia.com> escribió:\n\nHola,\nTexto sin marcas de cita.\n",
            visible: "Vale.",
            quoted: "El 3 nov 2026, a las 10:15, Ana García <ana@vendomia.com> escribió:\n\nHola,\nTexto sin marcas de cita.",
            signature: "Enviado desde mi iPad",
        },
        Case {
            name: "Thunderbird in Spanish",
            input: "Funciona.\n\nEl 03/11/2026 a las 10:15, Ana García escribió:\n> Prueba ahora.\n",
            visible: "Funciona.",
            quoted: "El 03/11/2026 a las 10:15, Ana García escribió:\n> Prueba ahora.",
            signature: "",
        },
        Case {
            name: "Thunderbird in English",
            input: "Works now.\n\nOn 03/11/2026 10:15, Ana wrote:\n> Try again.\n>\n> Ana\n",
            visible: "Works now.",
            quoted: "On 03/11/2026 10:15, Ana wrote:\n> Try again.\n>\n> Ana",
            signature: "",
        },
        Case {
            name: "generic attribution converted from HTML",
            input: "Gracias por la rapidez.\n\nEl martes 3 de noviembre de 2026, Soporte Vendomia <soporte@vendomia.com> escribió:\nHola Luis,\nYa está resuelto.\n",
            visible: "Gracias por la rapidez.",
            quoted: "El martes 3 de noviembre de 2026, Soporte Vendomia <soporte@vendomia.com> escribió:\nHola Luis,\nYa está resuelto.",
            signature: "",
        },
        Case {
            name: "Catalan Gmail attribution",
            input: "D'acord, gràcies.\n\nEl dt., 3 de nov. 2026 a les 10:15, Ana (<ana@vendomia.com>) va escriure:\n> Ja està.\n",
            visible: "D'acord, gràcies.",
            quoted: "El dt., 3 de nov. 2026 a les 10:15, Ana (<ana@vendomia.com>) va escriure:\n> Ja està.",
            signature: "",
        },
        Case {
            name: "narrative 'escribió:' without a date stays visible",
            input: "El lunes mi compañero escribió:\nque el envío era gratis.\n¿Es así?",
            visible: "El lunes mi compañero escribió:\nque el envío era gratis.\n¿Es así?",
            quoted: "",
            signature: "",
        },
        Case {
            name: "trailing quote without attribution",
            input: "Sigue sin funcionar.\n\n> Hemos reiniciado el servidor.\n> ¿Puedes probar?\n",
            visible: "Sigue sin funcionar.",
            quoted: "> Hemos reiniciado el servidor.\n> ¿Puedes probar?",
            signature: "",
        },
        Case {
            name: "inline answers between quoted questions stay visible",
            input: "> ¿Qué página?\nLa de Política de Garantía\n> ¿Cuándo?\nAl añadir un texto",
            visible: "> ¿Qué página?\nLa de Política de Garantía\n> ¿Cuándo?\nAl añadir un texto",
            quoted: "",
            signature: "",
        },
        Case {
            name: "inline answers under an attribution, with the rest of the quote cut",
            input: "El 3 nov 2026, a las 10:15, Ana <ana@vendomia.com> escribió:\n> ¿Qué navegador usas?\nChrome.\n> ¿Y la versión?\nLa última.\n>\n> Un saludo,\n> Ana\n",
            visible: "El 3 nov 2026, a las 10:15, Ana <ana@vendomia.com> escribió:\n> ¿Qué navegador usas?\nChrome.\n> ¿Y la versión?\nLa última.",
            quoted: ">\n> Un saludo,\n> Ana",
            signature: "",
        },
        Case {
            name: "bottom-posted reply",
            input: "On Tue, Nov 3, 2026 at 10:15 AM Ana <ana@x.com> wrote:\n> Is the order still pending?\n\nYes, still pending.\n\n-- \nLuis\n",
            visible: "Yes, still pending.",
            quoted: "On Tue, Nov 3, 2026 at 10:15 AM Ana <ana@x.com> wrote:\n> Is the order still pending?",
            signature: "-- \nLuis",
        },
        Case {
            name: "standard signature delimiter",
            input: "El cupón no se aplica en el carrito.\n\n-- \nLuis Pérez\nTienda Luis S.L.\nTel. 600 000 000\n",
            visible: "El cupón no se aplica en el carrito.",
            quoted: "",
            signature: "-- \nLuis Pérez\nTienda Luis S.L.\nTel. 600 000 000",
        },
        Case {
            name: "signature delimiter without the trailing space, above a Gmail quote",
            input: "I attach the screenshot.\n\n--\nLuis Pérez | Tienda Luis\n\nOn Tue, Nov 3, 2026 at 10:15 AM Ana <ana@x.com> wrote:\n> Can you send a screenshot?\n",
            visible: "I attach the screenshot.",
            quoted: "On Tue, Nov 3, 2026 at 10:15 AM Ana <ana@x.com> wrote:\n> Can you send a screenshot?",
            signature: "--\nLuis Pérez | Tienda Luis",
        },
        Case {
            name: "Samsung footer",
            input: "Lo miro mañana.\n\nEnviado desde mi smartphone Samsung Galaxy.",
            visible: "Lo miro mañana.",
            quoted: "",
            signature: "Enviado desde mi smartphone Samsung Galaxy.",
        },
        Case {
            name: "Outlook for Android above an Outlook header block",
            input: "Ok\n\nEnviado desde Outlook para Android\n________________________________\nDe: Ana <ana@vendomia.com>\nEnviado: martes, 3 de noviembre de 2026 10:15\nPara: Luis\nAsunto: Pedido\n\nHola",
            visible: "Ok",
            quoted: "________________________________\nDe: Ana <ana@vendomia.com>\nEnviado: martes, 3 de noviembre de 2026 10:15\nPara: Luis\nAsunto: Pedido\n\nHola",
            signature: "Enviado desde Outlook para Android",
        },
        Case {
            name: "Outlook for iOS footer with its link, in Spanish",
            input: "Recibido.\n\nObtener Outlook para iOS<https://aka.ms/o0ukef>\n________________________________\nFrom: Ana <ana@vendomia.com>\nSent: Tuesday, November 3, 2026 10:15 AM\nTo: Luis\nSubject: Order\n\nHi",
            visible: "Recibido.",
            quoted: "________________________________\nFrom: Ana <ana@vendomia.com>\nSent: Tuesday, November 3, 2026 10:15 AM\nTo: Luis\nSubject: Order\n\nHi",
            signature: "Obtener Outlook para iOS<https://aka.ms/o0ukef>",
        },
        Case {
            name: "Get Outlook for Android footer",
            input: "Got it, thanks!\n\nGet Outlook for Android",
            visible: "Got it, thanks!",
            quoted: "",
            signature: "Get Outlook for Android",
        },
        Case {
            name: "Mail for Windows footer",
            input: "The invoice is attached.\n\nSent from Mail for Windows 10\n",
            visible: "The invoice is attached.",
            quoted: "",
            signature: "Sent from Mail for Windows 10",
        },
        Case {
            name: "Correo para Windows footer",
            input: "Adjunto el justificante.\n\nEnviado desde Correo para Windows\n",
            visible: "Adjunto el justificante.",
            quoted: "",
            signature: "Enviado desde Correo para Windows",
        },
        Case {
            name: "a short closing is not a signature",
            input: "Ya está solucionado.\n\nSaludos,\nLuis",
            visible: "Ya está solucionado.\n\nSaludos,\nLuis",
            quoted: "",
            signature: "",
        },
        Case {
            name: "closing kept, footer below it removed",
            input: "Ya está.\n\nSaludos, Luis\n\nEnviado desde mi iPhone",
            visible: "Ya está.\n\nSaludos, Luis",
            quoted: "",
            signature: "Enviado desde mi iPhone",
        },
        Case {
            name: "a sentence that starts like a footer stays visible",
            input: "Os escribo desde el móvil.\nEnviado desde mi casa, pero el pedido sigue sin llegar.",
            visible: "Os escribo desde el móvil.\nEnviado desde mi casa, pero el pedido sigue sin llegar.",
            quoted: "",
            signature: "",
        },
        Case {
            name: "customer text with two header-like lines is not a header block",
            input: "De: Luis\nPara: todo el equipo\n\nMañana cerramos a las 15h.",
            visible: "De: Luis\nPara: todo el equipo\n\nMañana cerramos a las 15h.",
            quoted: "",
            signature: "",
        },
        Case {
            name: "only a quote keeps everything visible",
            input: "> Hola\n> ¿Sigue el problema?\n",
            visible: "> Hola\n> ¿Sigue el problema?",
            quoted: "",
            signature: "",
        },
        Case {
            name: "only a footer and a quote keeps everything visible",
            input: "Sent from my iPhone\r\n\r\nOn 3 Nov 2026, at 10:15, Ana <ana@x.com> wrote:\r\n\r\n> Any news?\r\n",
            visible: "Sent from my iPhone\n\nOn 3 Nov 2026, at 10:15, Ana <ana@x.com> wrote:\n\n> Any news?",
            quoted: "",
            signature: "",
        },
    ];

    #[test]
    fn splits_realistic_replies() {
        for case in CASES {
            let parts = split_reply(case.input);
            assert_eq!(parts.visible, case.visible, "visible: {}", case.name);
            assert_eq!(parts.quoted, case.quoted, "quoted: {}", case.name);
            assert_eq!(parts.signature, case.signature, "signature: {}", case.name);
        }
    }

    fn non_whitespace(text: &str) -> usize {
        text.chars()
            .filter(|character| !character.is_whitespace())
            .count()
    }

    #[test]
    fn never_loses_content() {
        for case in CASES {
            let parts = split_reply(case.input);
            assert_eq!(
                non_whitespace(&parts.visible)
                    + non_whitespace(&parts.quoted)
                    + non_whitespace(&parts.signature),
                non_whitespace(case.input),
                "{}",
                case.name
            );
            assert_eq!(
                parts.visible.is_empty(),
                case.input.trim().is_empty(),
                "{}",
                case.name
            );
        }
    }

    #[test]
    fn every_pattern_compiles() {
        let patterns: [&Pattern; 7] = [
            &ATTRIBUTION_OPENING,
            &ATTRIBUTION,
            &HISTORY_BANNER,
            &HEADER_FIELD_LINE,
            &INLINE_HEADER_FIELD,
            &CLIENT_FOOTER,
            &LINK_IN_ANGLE_BRACKETS,
        ];
        for pattern in patterns {
            assert!(pattern.is_some());
        }
    }

    #[test]
    fn normalizes_line_endings_in_every_part() {
        let parts = split_reply(
            "Hola\r\nequipo\r\n\r\n-- \r\nLuis\r\n\r\nOn 03/11/2026 10:15, Ana wrote:\r\n> Old\r\n",
        );
        assert_eq!(
            parts,
            ReplyParts {
                visible: "Hola\nequipo".into(),
                quoted: "On 03/11/2026 10:15, Ana wrote:\n> Old".into(),
                signature: "-- \nLuis".into(),
            }
        );
        assert_eq!(split_reply("Uno\rDos\r").visible, "Uno\nDos");
    }

    #[test]
    fn empty_and_blank_input_give_empty_parts() {
        for input in ["", " ", "\n\n", "\r\n\t \r\n", "\u{feff}", "\u{a0}\n"] {
            assert_eq!(split_reply(input), ReplyParts::default(), "{input:?}");
        }
    }

    #[test]
    fn degenerate_input_keeps_something_visible() {
        let inputs = [
            "-- ",
            "--",
            ">",
            "> \n>\n>",
            "De:",
            "De:\nPara:\nAsunto:",
            "El",
            "On wrote:",
            "El 3 escribió:",
            "El 3 escribió:\n>",
            "_____\n",
            "Texto\n\n-- ",
            "ñ\u{301}\u{200b}€𝄞\n> 𝄞",
        ];
        for input in inputs {
            assert!(!split_reply(input).visible.is_empty(), "{input:?}");
        }
    }

    #[test]
    fn megabyte_inputs_are_handled() {
        let one_line = "á".repeat(512 * 1024);
        assert_eq!(split_reply(&one_line).visible, one_line);

        let new_text = "Respuesta nueva.";
        let mut long_history =
            format!("{new_text}\n\nEl 3 nov 2026, a las 10:15, Ana <ana@vendomia.com> escribió:\n");
        while long_history.len() < 1024 * 1024 {
            long_history.push_str("> El 3 nov 2026 el pedido\n> De: Ana\n> Para: Luis\n>\n");
        }
        let parts = split_reply(&long_history);
        assert_eq!(parts.visible, new_text);
        assert_eq!(
            parts.quoted.len(),
            long_history.trim().len() - format!("{new_text}\n\n").len()
        );

        let mut marker_lookalikes = format!("{new_text}\n\n");
        while marker_lookalikes.len() < 1024 * 1024 {
            marker_lookalikes.push_str("El 3 nov 2026 el pedido\nDe: Ana\nPara: Luis\n\n> cita\n");
        }
        let parts = split_reply(&marker_lookalikes);
        assert_eq!(
            parts.visible.len(),
            marker_lookalikes.trim().len() - "\n\n> cita".len()
        );
        assert_eq!(parts.quoted, "> cita");

        let attribution_body = "x".repeat(1024 * 1024);
        let long_attribution = format!("Hola\n\nOn {attribution_body} 2026 wrote:\n> old");
        let parts = split_reply(&long_attribution);
        assert_eq!(
            parts.visible,
            format!("Hola\n\nOn {attribution_body} 2026 wrote:")
        );
        assert_eq!(parts.quoted, "> old");
    }
}
