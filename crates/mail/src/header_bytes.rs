//! Raw 8-bit bytes in headers. RFC 5322 headers are ASCII, anything else travelling in
//! encoded words (RFC 2047), but older Outlook and Exchange, and many scripts, write Latin-1
//! or Windows-1252 bytes as they are: `Subject: Factura n\xba 12`. Read as UTF-8, each such
//! byte becomes U+FFFD.
//!
//! mail-parser reads header values as UTF-8, and says where each one lies in the message.
//! Every value that is not valid UTF-8 is decoded here — by the charset the message declares
//! for itself or for its first text, else by Windows-1252 — and written back as UTF-8, and
//! mail-parser reads the result again: addresses, encoded words and parameters are still its
//! work. Values that are UTF-8 already (raw UTF-8 headers, RFC 6532) are left as they are.

use mail_parser::decoders::charsets::DecoderFnc;
use mail_parser::decoders::charsets::map::charset_decoder;
use mail_parser::{Message, MimeHeaders};

/// The message's bytes with every header value that is not UTF-8 decoded and written as
/// UTF-8, or `None` when every value is UTF-8 already. One pass over the headers; the bodies
/// (and the headers of attached messages) are copied unchanged.
pub(crate) fn with_utf8_headers(message: &Message<'_>) -> Option<Vec<u8>> {
    let raw = message.raw_message();
    let mut out: Option<Vec<u8>> = None;
    let mut copied = 0;
    let mut last_end = 0;
    let mut decoders: Option<Vec<DecoderFnc>> = None;
    for header in message.parts.iter().flat_map(|part| &part.headers) {
        let (start, end) = (header.offset_start as usize, header.offset_end as usize);
        // Values come in the order of the bytes; anything else is left alone rather than
        // sorted, so that the work stays linear.
        if start < last_end {
            continue;
        }
        let Some(value) = raw.get(start..end) else {
            continue;
        };
        last_end = end;
        if std::str::from_utf8(value).is_ok() {
            continue;
        }
        let decoders = decoders.get_or_insert_with(|| declared_decoders(message));
        let text = decode(value, decoders);
        let buffer = out.get_or_insert_with(|| Vec::with_capacity(raw.len() + raw.len() / 16));
        buffer.extend_from_slice(raw.get(copied..start).unwrap_or_default());
        buffer.extend_from_slice(text.as_bytes());
        copied = end;
    }
    let mut buffer = out?;
    buffer.extend_from_slice(raw.get(copied..).unwrap_or_default());
    Some(buffer)
}

/// The decoders of the charsets the message declares: its own `Content-Type`'s, then its
/// first text part's. Unicode forms are left out: UTF-8 was tried already, and UTF-7, -16 or
/// -32 read from 8-bit header bytes would only make up text that was never there.
fn declared_decoders(message: &Message<'_>) -> Vec<DecoderFnc> {
    let first_text = message.parts.iter().find(|part| {
        part.content_type()
            .is_some_and(|ct| ct.ctype().eq_ignore_ascii_case("text"))
    });
    [Some(message.root_part()), first_text]
        .into_iter()
        .flatten()
        .filter_map(|part| part.content_type()?.attribute("charset"))
        .filter(|charset| !charset.to_ascii_lowercase().contains("utf"))
        .filter_map(|charset| charset_decoder(charset.as_bytes()))
        .collect()
}

/// `value` decoded by the first of `decoders` that reads all of it without inventing or
/// losing a line break, else by Windows-1252 (a superset of Latin-1's printable characters).
fn decode(value: &[u8], decoders: &[DecoderFnc]) -> String {
    let line_breaks = |bytes: &[u8]| bytes.iter().filter(|&&b| b == b'\r' || b == b'\n').count();
    for decoder in decoders {
        let text = decoder(value);
        if !text.contains('\u{FFFD}') && line_breaks(text.as_bytes()) == line_breaks(value) {
            return text;
        }
    }
    match charset_decoder(b"windows-1252") {
        Some(windows_1252) => windows_1252(value),
        None => String::from_utf8_lossy(value).into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mail_parser::MessageParser;

    fn decoded(raw: &[u8]) -> String {
        let message = MessageParser::default().parse(raw).expect("a message");
        let bytes = with_utf8_headers(&message).unwrap_or_else(|| raw.to_vec());
        String::from_utf8_lossy(&bytes).into_owned()
    }

    #[test]
    fn only_values_that_are_not_utf8_change() {
        let raw = "From: José <jose@x.es>\r\nSubject: ya UTF-8\r\n\r\ncuerpo \u{e9}\r\n";
        let message = MessageParser::default()
            .parse(raw.as_bytes())
            .expect("a message");
        assert_eq!(with_utf8_headers(&message), None, "nothing to decode");

        let raw = b"From: Jos\xe9 <jose@x.es>\r\nSubject: ya UTF-8 \xc3\xa9\r\n\r\ncuerpo \xe9\r\n";
        let message = MessageParser::default().parse(raw).expect("a message");
        assert_eq!(
            with_utf8_headers(&message).as_deref(),
            Some(&b"From: Jos\xc3\xa9 <jose@x.es>\r\nSubject: ya UTF-8 \xc3\xa9\r\n\r\ncuerpo \xe9\r\n"[..]),
            "the body's bytes are left to its own charset"
        );
    }

    #[test]
    fn a_declared_charset_comes_before_windows_1252() {
        // 0xA4 is € in ISO-8859-15 and ¤ in Windows-1252 and Latin-1.
        let raw = b"Subject: 20 \xa4\r\nContent-Type: text/plain; charset=iso-8859-15\r\n\r\nx\r\n";
        assert!(decoded(raw).starts_with("Subject: 20 €\r\n"));
        let raw = b"Subject: 20 \xa4\r\nContent-Type: text/plain\r\n\r\nx\r\n";
        assert!(decoded(raw).starts_with("Subject: 20 ¤\r\n"));
        // A declared UTF-7 is no way to read 8-bit bytes.
        let raw = b"Subject: n\xba 1\r\nContent-Type: text/plain; charset=utf-7\r\n\r\nx\r\n";
        assert!(decoded(raw).starts_with("Subject: nº 1\r\n"));
    }

    #[test]
    fn a_charset_that_cannot_read_the_bytes_gives_way() {
        // Latin-1 bytes in a message that says Shift_JIS: `\xe9 ` is no Shift_JIS character.
        let raw = b"Subject: Jos\xe9 P\xe9rez\r\nContent-Type: text/plain; charset=shift_jis\r\n\r\nx\r\n";
        assert!(decoded(raw).starts_with("Subject: José Pérez\r\n"));
    }
}
