//! A message's parts and headers written out as bytes: the MIME tree, RFC 2047
//! encoded-words, quoted-printable, base64 and windows-1252.

use super::compose::Image;
use super::people::Client;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use std::fmt::Write as _;
use std::io::Write as _;

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum TransferEncoding {
    QuotedPrintable,
    Base64,
    EightBit,
}

impl TransferEncoding {
    pub(super) fn name(self) -> &'static str {
        match self {
            TransferEncoding::QuotedPrintable => "quoted-printable",
            TransferEncoding::Base64 => "base64",
            TransferEncoding::EightBit => "8bit",
        }
    }
}

pub(super) enum Part {
    Text {
        subtype: &'static str,
        body: String,
        encoding: TransferEncoding,
        windows_1252: bool,
    },
    Image(Image),
    Multipart {
        subtype: &'static str,
        boundary: String,
        parts: Vec<Part>,
    },
}

impl Part {
    /// Appends the part's own headers, a blank line and its body, CRLF throughout.
    pub(super) fn render(&self, out: &mut Vec<u8>) {
        match self {
            Part::Text {
                subtype,
                body,
                encoding,
                windows_1252,
            } => {
                let charset = if *windows_1252 {
                    "windows-1252"
                } else {
                    "UTF-8"
                };
                let bytes = if *windows_1252 {
                    to_windows_1252(body)
                } else {
                    body.as_bytes().to_vec()
                };
                let _ = write!(
                    out,
                    "Content-Type: text/{subtype}; charset=\"{charset}\"\r\n\
                     Content-Transfer-Encoding: {}\r\n\r\n",
                    encoding.name()
                );
                match encoding {
                    TransferEncoding::QuotedPrintable => quoted_printable(&bytes, out),
                    TransferEncoding::Base64 => base64_lines(&bytes, out),
                    TransferEncoding::EightBit => {
                        for line in bytes.split(|b| *b == b'\n') {
                            out.extend_from_slice(line);
                            out.extend_from_slice(b"\r\n");
                        }
                    }
                }
            }
            Part::Image(image) => {
                let name = &image.filename;
                let (name_param, filename_param) = if name.is_ascii() {
                    (format!("\"{name}\""), format!("filename=\"{name}\""))
                } else {
                    (
                        format!("\"{}\"", encoded_word_q(name, false)),
                        format!("filename*=UTF-8''{}", percent_encode(name)),
                    )
                };
                let disposition = if image.content_id.is_some() {
                    "inline"
                } else {
                    "attachment"
                };
                let _ = write!(
                    out,
                    "Content-Type: image/png; name={name_param}\r\n\
                     Content-Disposition: {disposition}; {filename_param}\r\n\
                     Content-Transfer-Encoding: base64\r\n"
                );
                if let Some(cid) = &image.content_id {
                    let _ = write!(out, "Content-ID: <{cid}>\r\n");
                }
                out.extend_from_slice(b"\r\n");
                base64_lines(&image.bytes, out);
            }
            Part::Multipart {
                subtype,
                boundary,
                parts,
            } => {
                let _ = write!(
                    out,
                    "Content-Type: multipart/{subtype};\r\n\tboundary=\"{boundary}\"\r\n\r\n"
                );
                for part in parts {
                    let _ = write!(out, "--{boundary}\r\n");
                    part.render(out);
                }
                let _ = write!(out, "--{boundary}--\r\n");
            }
        }
    }
}

/// `Name <address>`, the name as an encoded-word when it is not plain ASCII.
pub(super) fn mailbox_header(
    name: &str,
    address: &str,
    client: Client,
    windows_1252: bool,
) -> String {
    if name.is_ascii() {
        format!("\"{name}\" <{address}>")
    } else {
        format!(
            "{} <{address}>",
            encode_header_text(name, client, windows_1252)
        )
    }
}

/// Header text as each client encodes it: Gmail in base64 words, the others in Q words,
/// Outlook sometimes in windows-1252; plain ASCII stays as it is.
pub(super) fn encode_header_text(text: &str, client: Client, windows_1252: bool) -> String {
    if text.is_ascii() {
        return text.to_string();
    }
    if client == Client::Gmail {
        encoded_words_b(text)
    } else {
        encoded_word_q(text, windows_1252)
    }
}

/// RFC 2047 B words of at most 45 bytes of UTF-8 each (75 characters encoded), split on
/// character boundaries and folded onto continuation lines.
fn encoded_words_b(text: &str) -> String {
    let mut words = Vec::new();
    let mut chunk = String::new();
    for c in text.chars() {
        if chunk.len() + c.len_utf8() > 45 {
            words.push(format!("=?UTF-8?B?{}?=", STANDARD.encode(chunk.as_bytes())));
            chunk.clear();
        }
        chunk.push(c);
    }
    if !chunk.is_empty() {
        words.push(format!("=?UTF-8?B?{}?=", STANDARD.encode(chunk.as_bytes())));
    }
    words.join("\r\n ")
}

/// RFC 2047 Q words, each at most 75 characters, folded onto continuation lines.
fn encoded_word_q(text: &str, windows_1252: bool) -> String {
    let charset = if windows_1252 { "iso-8859-1" } else { "UTF-8" };
    let prefix = format!("=?{charset}?Q?");
    let mut words = Vec::new();
    let mut word = String::new();
    for c in text.chars() {
        let mut encoded = String::new();
        let bytes = if windows_1252 {
            to_windows_1252(&c.to_string())
        } else {
            c.to_string().into_bytes()
        };
        for b in bytes {
            match b {
                b' ' => encoded.push('_'),
                // The characters RFC 2047 allows unencoded in a phrase (a display name).
                b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'!' | b'*' | b'+' | b'/' => {
                    encoded.push(b as char)
                }
                _ => {
                    let _ = write!(encoded, "={b:02X}");
                }
            }
        }
        if prefix.len() + word.len() + encoded.len() + 2 > 75 {
            words.push(format!("{prefix}{word}?="));
            word.clear();
        }
        word.push_str(&encoded);
    }
    if !word.is_empty() {
        words.push(format!("{prefix}{word}?="));
    }
    words.join("\r\n ")
}

/// Characters outside windows-1252 (none in this corpus) become '?'.
fn to_windows_1252(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            '€' => 0x80,
            c if (c as u32) < 0x100 => c as u32 as u8,
            _ => b'?',
        })
        .collect()
}

fn percent_encode(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b".-_".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// Quoted-printable (RFC 2045): lines of at most 76 characters with soft breaks, `=XX`
/// for anything but printable ASCII, trailing spaces encoded.
fn quoted_printable(bytes: &[u8], out: &mut Vec<u8>) {
    for line in bytes.split(|b| *b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let mut width = 0;
        for (i, &b) in line.iter().enumerate() {
            let last = i + 1 == line.len();
            let literal =
                (b == b' ' || b == b'\t') && !last || (33..=126).contains(&b) && b != b'=';
            let piece_len = if literal { 1 } else { 3 };
            if width + piece_len > 75 {
                out.extend_from_slice(b"=\r\n");
                width = 0;
            }
            if literal {
                out.push(b);
            } else {
                let _ = write!(out, "={b:02X}");
            }
            width += piece_len;
        }
        out.extend_from_slice(b"\r\n");
    }
}

/// Base64 in lines of 76 characters.
fn base64_lines(bytes: &[u8], out: &mut Vec<u8>) {
    let encoded = STANDARD.encode(bytes);
    for line in encoded.as_bytes().chunks(76) {
        out.extend_from_slice(line);
        out.extend_from_slice(b"\r\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Result;

    #[test]
    fn quoted_printable_round_trips_through_the_parser() -> Result<()> {
        let text = "¿Podéis revisar la página? Añadir un producto falla = error ";
        let mut body = Vec::new();
        quoted_printable(text.as_bytes(), &mut body);
        let raw = [
            b"From: a@b.es\r\nSubject: =?UTF-8?Q?P=C3=A1gina?=\r\nMIME-Version: 1.0\r\n\
              Content-Type: text/plain; charset=UTF-8\r\n\
              Content-Transfer-Encoding: quoted-printable\r\n\r\n"
                .as_slice(),
            &body,
        ]
        .concat();
        let mail = soporte_mail::parse(&raw)?;
        assert_eq!(mail.subject, "Página");
        assert_eq!(mail.full_text.trim_end(), text.trim_end());
        Ok(())
    }
}
