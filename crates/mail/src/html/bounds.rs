//! What keeps hostile HTML from costing more than its size. The HTML parser's tree builder
//! looks through the stack of open elements for every new element, so deeply nested markup
//! costs the square of its depth (`<div>` 40,000 times took 14 s of one core). A linear
//! scan of the tags measures the markup first; past the bounds it is never parsed, and its
//! text is taken by a scan that is linear too.

/// Deepest nesting parsed: far beyond what mail clients and newsletters write (tables in
/// tables seldom pass 30 levels), below where browsers' own parsers stop nesting (512).
pub const MAX_DEPTH: usize = 256;
/// Most elements parsed in one message's HTML; a long newsletter has a few thousand.
pub const MAX_ELEMENTS: usize = 50_000;

/// Whether the HTML is small and shallow enough to parse, by a scan of its tags (linear in
/// its length). Elements whose end tag may be left out are not counted as nesting, so sloppy
/// but ordinary mail is not mistaken for an attack.
pub fn within_bounds(html: &str) -> bool {
    let lower = html.to_ascii_lowercase();
    let mut depth = 0usize;
    let mut elements = 0usize;
    for piece in Pieces::new(html, &lower) {
        match piece {
            Piece::Start { name, self_closing } => {
                elements += 1;
                if !self_closing && !never_nests(name) {
                    depth += 1;
                }
                if depth > MAX_DEPTH || elements > MAX_ELEMENTS {
                    return false;
                }
            }
            Piece::End { name } if !never_nests(name) => depth = depth.saturating_sub(1),
            Piece::End { .. } | Piece::Text(_) => {}
        }
    }
    true
}

/// The text of HTML that is not parsed: tags dropped (a line break after those that end a
/// block), scripts and styles skipped, character references decoded. Linear in its length.
pub fn rough_text(html: &str) -> String {
    let lower = html.to_ascii_lowercase();
    let mut text = String::with_capacity(html.len() / 2);
    for piece in Pieces::new(html, &lower) {
        match piece {
            Piece::Text(t) => decode_references(t, &mut text),
            Piece::Start { name: "br", .. } => text.push('\n'),
            Piece::End { name } if ends_a_block(name) => text.push('\n'),
            Piece::Start { .. } | Piece::End { .. } => {}
        }
    }
    text
}

/// Appends `text` with its character references decoded: the named ones mail uses most,
/// and every numeric one (an invalid number gives U+FFFD). Others stay as written.
fn decode_references(text: &str, out: &mut String) {
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let Some(semi) = rest.as_bytes()[..rest.len().min(12)]
            .iter()
            .position(|b| *b == b';')
        else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let name = &rest[1..semi];
        let decoded = match name {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" | "#39" => Some('\''),
            "nbsp" => Some(' '),
            _ => name.strip_prefix('#').map(|number| {
                match number.strip_prefix(['x', 'X']) {
                    Some(hex) => u32::from_str_radix(hex, 16),
                    None => number.parse::<u32>(),
                }
                .ok()
                .and_then(char::from_u32)
                .unwrap_or('\u{fffd}')
            }),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
}

/// Elements with no end tag, or whose end tag the parser implies when the next one starts:
/// on their own they never make the tree deeper.
fn never_nests(name: &str) -> bool {
    matches!(
        name,
        "area"
            | "base"
            | "br"
            | "col"
            | "embed"
            | "hr"
            | "img"
            | "input"
            | "link"
            | "meta"
            | "param"
            | "source"
            | "track"
            | "wbr"
            | "p"
            | "li"
            | "dt"
            | "dd"
            | "tr"
            | "td"
            | "th"
            | "option"
            | "optgroup"
            | "tbody"
            | "thead"
            | "tfoot"
            | "colgroup"
            | "html"
            | "head"
            | "body"
            | "rb"
            | "rt"
            | "rp"
    )
}

fn ends_a_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "tr"
            | "li"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "blockquote"
            | "table"
    )
}

/// Elements whose content is text, not markup, until their end tag.
fn holds_raw_text(name: &str) -> bool {
    matches!(
        name,
        "script" | "style" | "textarea" | "title" | "xmp" | "iframe" | "noembed" | "noframes"
    )
}

#[derive(Debug, PartialEq, Eq)]
enum Piece<'a> {
    Text(&'a str),
    /// `name` lower-cased.
    Start {
        name: &'a str,
        self_closing: bool,
    },
    End {
        name: &'a str,
    },
}

/// The tags and text of HTML, in one pass: every step moves forward, and each byte is looked
/// at a bounded number of times. Names come from a lower-cased copy of the input (the same
/// length, since only ASCII letters change), so the scan never allocates per tag.
struct Pieces<'a> {
    html: &'a str,
    lower: &'a str,
    at: usize,
    /// Set after a raw-text element's start tag: its content is skipped up to `</name`.
    raw_text_of: Option<&'a str>,
}

impl<'a> Pieces<'a> {
    /// `lower` is `html.to_ascii_lowercase()`.
    fn new(html: &'a str, lower: &'a str) -> Self {
        Self {
            html,
            lower,
            at: 0,
            raw_text_of: None,
        }
    }

    fn find_from(&self, needle: &str, from: usize) -> Option<usize> {
        self.lower.get(from..)?.find(needle).map(|i| from + i)
    }
}

impl<'a> Iterator for Pieces<'a> {
    type Item = Piece<'a>;

    fn next(&mut self) -> Option<Piece<'a>> {
        let bytes = self.html.as_bytes();
        if let Some(name) = self.raw_text_of.take() {
            self.at = self
                .find_from(&format!("</{name}"), self.at)
                .unwrap_or(bytes.len());
        }
        while self.at < bytes.len() {
            let start = self.at;
            if bytes[start] != b'<' {
                let end = self.find_from("<", start).unwrap_or(bytes.len());
                self.at = end;
                return Some(Piece::Text(&self.html[start..end]));
            }
            if self.lower[start..].starts_with("<!--") {
                self.at = self
                    .find_from("-->", start + 4)
                    .map_or(bytes.len(), |end| end + 3);
                continue;
            }
            let closing = bytes.get(start + 1) == Some(&b'/');
            let name_start = start + 1 + usize::from(closing);
            if !bytes.get(name_start).is_some_and(u8::is_ascii_alphabetic) {
                // `<!doctype …>` and `<?…>` are skipped; any other `<` is text.
                if matches!(bytes.get(start + 1), Some(b'!' | b'?')) {
                    self.at = self
                        .find_from(">", start)
                        .map_or(bytes.len(), |end| end + 1);
                    continue;
                }
                self.at = start + 1;
                return Some(Piece::Text(&self.html[start..start + 1]));
            }
            let name_end = bytes[name_start..]
                .iter()
                .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'-' | b':')))
                .map_or(bytes.len(), |i| name_start + i);
            // The tag ends at the first `>` outside a quoted attribute value.
            let mut end = name_end;
            let mut quote: Option<u8> = None;
            while end < bytes.len() {
                match (quote, bytes[end]) {
                    (None, b'>') => break,
                    (None, q @ (b'"' | b'\'')) => quote = Some(q),
                    (Some(q), b) if b == q => quote = None,
                    _ => {}
                }
                end += 1;
            }
            self.at = (end + 1).min(bytes.len());
            let name = &self.lower[name_start..name_end];
            if closing {
                return Some(Piece::End { name });
            }
            if holds_raw_text(name) {
                self.raw_text_of = Some(name);
            }
            let self_closing = end > name_end && bytes[end - 1] == b'/';
            return Some(Piece::Start { name, self_closing });
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(html: &str) -> Vec<String> {
        let lower = html.to_ascii_lowercase();
        Pieces::new(html, &lower)
            .map(|p| match p {
                Piece::Text(t) => format!("text {t}"),
                Piece::Start { name, self_closing } => {
                    format!("<{name}{}>", if self_closing { "/" } else { "" })
                }
                Piece::End { name } => format!("</{name}>"),
            })
            .collect()
    }

    #[test]
    fn tags_and_text_are_told_apart() {
        assert_eq!(
            pieces(
                "<!doctype html><P class=\"a>b\">Hola <b>x</b> 1 < 2<br/><!-- <div> --><SCRIPT>if (a<b) {}</script>fin"
            ),
            [
                "<p>",
                "text Hola ",
                "<b>",
                "text x",
                "</b>",
                "text  1 ",
                "text <",
                "text  2",
                "<br/>",
                "<script>",
                "</script>",
                "text fin"
            ]
        );
    }

    #[test]
    fn deep_or_huge_markup_is_out_of_bounds() {
        assert!(within_bounds(&"<div>".repeat(MAX_DEPTH)));
        assert!(!within_bounds(&"<div>".repeat(MAX_DEPTH + 1)));
        // Closed elements do not add up, nor do elements whose end tag is implied.
        assert!(within_bounds(&"<div>x</div>".repeat(10_000)));
        assert!(within_bounds(&"<p>línea".repeat(10_000)));
        assert!(!within_bounds(&"<br>".repeat(MAX_ELEMENTS + 1)));
    }

    #[test]
    fn unparsed_markup_still_gives_its_text() {
        let html = format!(
            "{}<p>La tienda no carga &amp; da error&nbsp;500 &#8364; &#x41;</p><style>p{{}}</style>Gracias",
            "<div>".repeat(3)
        );
        assert_eq!(
            rough_text(&html),
            "La tienda no carga & da error 500 € A\nGracias"
        );
    }
}
