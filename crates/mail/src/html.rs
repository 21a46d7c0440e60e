//! HTML from e-mail, made safe to show: an allow-list sanitiser (ammonia) removes scripts,
//! styles, event handlers and dangerous URLs. Inline images (`cid:`) are kept so they can be
//! pointed at the stored attachment when shown (see the API's message view); remote images are disarmed so that opening
//! a message does not tell the sender it was read, until the agent asks for them.

use ammonia::Builder;
use std::borrow::Cow;
use std::sync::LazyLock;

/// Prefix that replaces a remote image's URL; the original URL follows it, so the console
/// can restore it when the agent clicks "show images".
pub use soporte_core::email::REMOTE_IMAGE_PREFIX;

static SANITIZER: LazyLock<Builder<'static>> = LazyLock::new(|| {
    let mut builder = Builder::default();
    builder
        .add_url_schemes(["cid"])
        .link_rel(Some("noopener noreferrer nofollow"))
        .add_tag_attributes("img", ["width", "height", "alt"])
        .add_tag_attributes("td", ["colspan", "rowspan", "align", "valign"])
        .add_tag_attributes("th", ["colspan", "rowspan", "align", "valign"])
        .add_tag_attributes("table", ["border", "cellpadding", "cellspacing"])
        .add_generic_attributes(["align"])
        .attribute_filter(|element, attribute, value| {
            if element == "img" && attribute == "src" {
                let lower = value.trim_start().to_ascii_lowercase();
                if lower.starts_with("http:")
                    || lower.starts_with("https:")
                    || lower.starts_with("//")
                {
                    return Some(Cow::Owned(format!("{REMOTE_IMAGE_PREFIX}{value}")));
                }
            }
            Some(Cow::Borrowed(value))
        });
    builder
});

/// Sanitised HTML, safe to place in a page as it is.
pub fn sanitize(html: &str) -> String {
    SANITIZER.clean(html).to_string()
}

/// A plain-text rendering of HTML for messages that came without a text part: block
/// elements become line breaks, entities are decoded by the sanitiser's parser.
pub fn to_text(html: &str) -> String {
    // Keep only the text: an empty allow-list leaves the character data.
    static TEXT_ONLY: LazyLock<Builder<'static>> = LazyLock::new(|| {
        let mut b = Builder::empty();
        b.clean_content_tags(["script", "style", "head", "title"].into_iter().collect());
        b
    });
    static BLOCKS: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(r"(?i)<\s*(br|/p|/div|/tr|/li|/h[1-6]|/blockquote|/table)\b[^>]*>")
            .expect("the block-element pattern is valid")
    });
    let with_breaks = BLOCKS.replace_all(html, "$0\n");
    let text = TEXT_ONLY.clean(&with_breaks).to_string();
    let decoded = decode_entities(&text);
    let mut lines: Vec<&str> = decoded.lines().map(str::trim_end).collect();
    lines.dedup_by(|a, b| a.trim().is_empty() && b.trim().is_empty());
    lines.join("\n").trim().to_string()
}

/// The sanitiser re-escapes text; turn the few entities it produces back into characters.
fn decode_entities(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .replace('\u{a0}', " ")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dangerous_markup_is_removed() {
        let cases = [
            ("<p onclick=\"steal()\">Hola</p>", "<p>Hola</p>"),
            ("<script>alert(1)</script><b>Factura</b>", "<b>Factura</b>"),
            (
                "<a href=\"javascript:alert(1)\">x</a>",
                "<a rel=\"noopener noreferrer nofollow\">x</a>",
            ),
            ("<style>body{display:none}</style>Texto", "Texto"),
            ("<iframe src=\"https://evil.example\"></iframe>ok", "ok"),
            ("<img src=x onerror=alert(1)>", "<img src=\"x\">"),
        ];
        for (input, expected) in cases {
            assert_eq!(sanitize(input), expected, "{input}");
        }
    }

    #[test]
    fn inline_images_are_kept_and_remote_ones_disarmed() {
        let html = sanitize("<img src=\"cid:logo@x\"><img src=\"https://tracker.example/p.gif\">");
        assert!(html.contains("src=\"cid:logo@x\""), "{html}");
        assert!(
            html.contains("src=\"about:blank#remote-image=https://tracker.example/p.gif\""),
            "{html}"
        );
    }

    #[test]
    fn html_becomes_readable_text() {
        let text = to_text(
            "<html><head><style>p{}</style></head><body><p>Hola,</p><p>la tienda no carga &amp; da error&nbsp;500</p><br>Gracias</body></html>",
        );
        assert_eq!(text, "Hola,\nla tienda no carga & da error 500\n\nGracias");
    }
}
