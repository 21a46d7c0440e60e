//! Files uuencoded inside a text body, as older clients and scripts still send them:
//!
//! ```text
//! begin 644 factura.pdf
//! M)5!$1BTQ+C0*...
//! `
//! end
//! ```
//!
//! mail-parser reads MIME parts only, so the block would reach the agent as lines of noise
//! and the file would be lost. Each block is taken out of the text and becomes a file; a
//! block that does not decode (a character outside the alphabet, no `end`) is left as text.
//! One pass over the lines, each decoded once: the work is linear in the text's size.

/// A file found in a text body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UuFile {
    pub(crate) name: String,
    pub(crate) bytes: Vec<u8>,
}

/// The text without its uuencoded blocks and the files they held, or `None` when it has none.
pub(crate) fn extract(text: &str) -> Option<(String, Vec<UuFile>)> {
    if !text.contains("begin ") {
        return None;
    }
    let mut kept = String::with_capacity(text.len());
    let mut files = Vec::new();
    // The block being read: where its `begin` line starts, the file's name and its bytes.
    let mut block: Option<(usize, String, Vec<u8>)> = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let content = line.trim_end_matches(['\r', '\n']);
        if let Some((block_start, name, bytes)) = block.as_mut() {
            if content.trim_end() == "end" {
                files.push(UuFile {
                    name: std::mem::take(name),
                    bytes: std::mem::take(bytes),
                });
                block = None;
                continue;
            }
            if decode_line(content, bytes).is_some() {
                continue;
            }
            // Not uuencode after all: the lines read so far are text again, and this one is
            // looked at afresh below.
            kept.push_str(text.get(*block_start..start).unwrap_or_default());
            block = None;
        }
        match begin_line(content) {
            Some(name) => block = Some((start, name.to_string(), Vec::new())),
            None => kept.push_str(line),
        }
    }
    // A block with no `end` stays text.
    if let Some((block_start, _, _)) = block {
        kept.push_str(text.get(block_start..).unwrap_or_default());
    }
    (!files.is_empty()).then_some((kept, files))
}

/// The file name of a `begin <mode> <name>` line, the mode being three or four octal digits.
fn begin_line(line: &str) -> Option<&str> {
    let rest = line.strip_prefix("begin ")?;
    let (mode, name) = rest.split_once(' ')?;
    let octal = (3..=4).contains(&mode.len()) && mode.bytes().all(|b| (b'0'..=b'7').contains(&b));
    let name = name.trim();
    (octal && !name.is_empty()).then_some(name)
}

/// Appends the bytes one encoded line holds: its first character gives their number, then
/// every four characters give three bytes. Encoders that strip trailing spaces leave lines
/// short, so missing characters count as zero bits. `None` if a character is not uuencode.
fn decode_line(line: &str, out: &mut Vec<u8>) -> Option<()> {
    let value = |c: u8| {
        (0x20..=0x60)
            .contains(&c)
            .then_some(c.wrapping_sub(0x20) & 0x3f)
    };
    let bytes = line.as_bytes();
    let Some((&first, data)) = bytes.split_first() else {
        // An empty line: a zero-length line whose space was stripped.
        return Some(());
    };
    let count = usize::from(value(first)?);
    let mut written = 0;
    let mut groups = data.chunks(4);
    while written < count {
        let mut group = [0u8; 4];
        for (slot, &c) in group.iter_mut().zip(groups.next().unwrap_or_default()) {
            *slot = value(c)?;
        }
        let decoded = [
            (group[0] << 2) | (group[1] >> 4),
            (group[1] << 4) | (group[2] >> 2),
            (group[2] << 6) | group[3],
        ];
        let take = (count - written).min(3);
        out.extend_from_slice(decoded.get(..take).unwrap_or_default());
        written += take;
    }
    // What follows the counted groups must still be uuencode (some encoders add a checksum).
    groups.flatten().try_for_each(|&c| value(c).map(|_| ()))
}

/// A media type for a file name's extension, for the files people send this way;
/// `application/octet-stream` for the rest (offered as a download, never shown).
pub(crate) fn media_type(name: &str) -> &'static str {
    let extension = name
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .unwrap_or_default();
    match extension.as_str() {
        "pdf" => "application/pdf",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "bmp" => "image/bmp",
        "tif" | "tiff" => "image/tiff",
        "txt" | "log" => "text/plain",
        "csv" => "text/csv",
        "zip" => "application/zip",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "odt" => "application/vnd.oasis.opendocument.text",
        "ods" => "application/vnd.oasis.opendocument.spreadsheet",
        "xml" => "application/xml",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Encodes as `uuencode` does, to test against.
    fn encode(bytes: &[u8]) -> String {
        let char_of = |v: u8| if v == 0 { '`' } else { char::from(v + 0x20) };
        let mut out = String::new();
        for line in bytes.chunks(45) {
            out.push(char_of(line.len() as u8));
            for group in line.chunks(3) {
                let b = [
                    group[0],
                    group.get(1).copied().unwrap_or(0),
                    group.get(2).copied().unwrap_or(0),
                ];
                out.push(char_of(b[0] >> 2));
                out.push(char_of(((b[0] & 3) << 4) | (b[1] >> 4)));
                out.push(char_of(((b[1] & 0xf) << 2) | (b[2] >> 6)));
                out.push(char_of(b[2] & 0x3f));
            }
            out.push_str("\r\n");
        }
        out
    }

    #[test]
    fn blocks_become_files_and_leave_the_text() {
        let pdf: Vec<u8> = (0..=255u8).cycle().take(1000).collect();
        let text = format!(
            "Os mando la factura.\r\n\r\nbegin 644 factura.pdf\r\n{}`\r\nend\r\n\r\nUn saludo\r\n\
             begin 0600 notas.txt\r\n{}`\r\nend\r\n",
            encode(&pdf),
            encode(b"hola")
        );
        let (kept, files) = extract(&text).expect("two blocks");
        assert_eq!(kept, "Os mando la factura.\r\n\r\n\r\nUn saludo\r\n");
        assert_eq!(files.len(), 2);
        assert_eq!(
            (files[0].name.as_str(), &files[0].bytes),
            ("factura.pdf", &pdf)
        );
        assert_eq!(
            (files[1].name.as_str(), &files[1].bytes[..]),
            ("notas.txt", &b"hola"[..])
        );
    }

    #[test]
    fn lines_whose_trailing_spaces_were_stripped_still_decode() {
        // `hi` encodes as `":&D` followed by a space for the padding bits; a transport ate it.
        let (_, files) = extract("begin 644 a.txt\n\":&D\n\nend\n").expect("a block");
        assert_eq!(files[0].bytes, b"hi");
    }

    #[test]
    fn what_is_not_uuencode_stays_text() {
        assert_eq!(extract("Empezamos: begin 644 no es una cabecera\n"), None);
        // No `end`.
        let text = "begin 644 a.txt\n\":&D`\nY sigue el texto\n";
        assert_eq!(extract(text), None);
        // A character outside the alphabet ends the block as text, and a later block counts.
        let text =
            "begin 644 a.txt\nesto no es uuencode {}\nend\nbegin 644 b.txt\n\":&D`\n`\nend\n";
        let (kept, files) = extract(text).expect("the second block");
        assert_eq!(kept, "begin 644 a.txt\nesto no es uuencode {}\nend\n");
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].name, "b.txt");
        // Modes are octal.
        assert_eq!(extract("begin 999 a.txt\n`\nend\n"), None);
    }

    #[test]
    fn media_types_follow_the_extension() {
        assert_eq!(media_type("Factura.PDF"), "application/pdf");
        assert_eq!(media_type("captura.jpeg"), "image/jpeg");
        assert_eq!(media_type("programa.exe"), "application/octet-stream");
        assert_eq!(media_type("sin-extension"), "application/octet-stream");
    }
}
