//! HTML from e-mail, made safe to show: an allow-list sanitiser (ammonia) removes scripts,
//! styles and event handlers, and keeps only links and images whose scheme, judged the way a
//! browser reads it, is http, https, mailto, tel or cid. Inline images (`cid:`) are kept so
//! they can be pointed at the stored attachment when shown (see the API's message view);
//! remote images are disarmed so that opening a message does not tell the sender it was
//! read, until the agent asks for them.

mod bounds;

pub use bounds::{MAX_DEPTH, MAX_ELEMENTS, within_bounds};

use ammonia::Builder;
use std::borrow::Cow;
use std::sync::LazyLock;

/// Prefix that replaces a remote image's URL; the original URL follows it, so the console
/// can restore it when the agent clicks "show images".
pub use soporte_core::email::REMOTE_IMAGE_PREFIX;

static SANITIZER: LazyLock<Builder<'static>> = LazyLock::new(|| {
    let mut builder = Builder::default();
    builder
        .url_schemes(ALLOWED_SCHEMES.into_iter().collect())
        .link_rel(Some("noopener noreferrer nofollow"))
        .add_tag_attributes("img", ["width", "height", "alt"])
        .add_tag_attributes("td", ["colspan", "rowspan", "align", "valign"])
        .add_tag_attributes("th", ["colspan", "rowspan", "align", "valign"])
        .add_tag_attributes("table", ["border", "cellpadding", "cellspacing"])
        .add_generic_attributes(["align"])
        .attribute_filter(|element, attribute, value| {
            if !is_url_attribute(attribute) {
                return Some(Cow::Borrowed(value));
            }
            judge_url(element, attribute, value)
        });
    builder
});

/// The only schemes a link or an image in sanitised mail may use. Inline images (`cid:`)
/// are pointed at their attachment when shown.
const ALLOWED_SCHEMES: [&str; 5] = ["http", "https", "mailto", "tel", "cid"];

/// Attributes whose value a browser follows or loads.
fn is_url_attribute(attribute: &str) -> bool {
    matches!(
        attribute,
        "href"
            | "src"
            | "cite"
            | "action"
            | "formaction"
            | "poster"
            | "background"
            | "ping"
            | "data"
            | "xlink:href"
    )
}

/// Characters that do not count when judging a URL's scheme: C0 controls and spaces (which
/// the WHATWG URL parser trims from the ends, and, for tab and newlines, removes anywhere)
/// and the invisible Unicode spaces some clients skip as well. None has a place in a scheme,
/// so a value hiding `javascript:` behind them is judged as `javascript:`.
fn is_invisible_in_url(c: char) -> bool {
    c <= ' '
        || matches!(
            c,
            '\u{7f}'
                | '\u{a0}'
                | '\u{ad}'
                | '\u{1680}'
                | '\u{180e}'
                | '\u{2000}'..='\u{200f}'
                | '\u{2028}'..='\u{202f}'
                | '\u{205f}'..='\u{2064}'
                | '\u{3000}'
                | '\u{feff}'
        )
}

/// The scheme a URL has once invisible characters are set aside, lower-cased; `None` for a
/// relative URL.
fn visible_scheme(value: &str) -> Option<String> {
    let visible: String = value
        .chars()
        .filter(|c| !is_invisible_in_url(*c))
        .take_while(|c| !matches!(c, '/' | '?' | '#'))
        .collect();
    let (scheme, _) = visible.split_once(':')?;
    let mut chars = scheme.chars();
    let starts_with_letter = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    (starts_with_letter && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
        .then(|| scheme.to_ascii_lowercase())
}

/// What a URL attribute keeps: the value as the WHATWG URL parser reads it (ends trimmed of
/// C0 controls and spaces, tabs and newlines removed) when its scheme is allowed, remote
/// images disarmed; nothing for any other scheme or a relative address (which would point
/// into Soporte itself). Protocol-relative addresses (`//host/…`) count as remote.
fn judge_url<'v>(element: &str, attribute: &str, value: &'v str) -> Option<Cow<'v, str>> {
    let trimmed = value.trim_matches(|c: char| c <= ' ');
    let url: Cow<'v, str> = if trimmed.contains(['\t', '\n', '\r']) {
        Cow::Owned(trimmed.replace(['\t', '\n', '\r'], ""))
    } else {
        Cow::Borrowed(trimmed)
    };
    let remote = match visible_scheme(&url) {
        Some(scheme) if ALLOWED_SCHEMES.contains(&scheme.as_str()) => {
            // The browser must read the same scheme: `ht\u{a0}tp:` is a relative address.
            if visible_scheme(&url) != url.split_once(':').map(|(s, _)| s.to_ascii_lowercase()) {
                return None;
            }
            scheme == "http" || scheme == "https"
        }
        Some(_) => return None,
        None if url.starts_with("//") => true,
        None => return None,
    };
    if remote && element == "img" && attribute == "src" {
        return Some(Cow::Owned(format!("{REMOTE_IMAGE_PREFIX}{url}")));
    }
    if url.starts_with("//") {
        return Some(Cow::Owned(format!("https:{url}")));
    }
    Some(url)
}

/// Sanitised HTML, safe to place in a page as it is. HTML past the bounds of
/// [`within_bounds`] is not parsed: its text comes back, escaped, as one preformatted block
/// (intake keeps no HTML for such a message at all, only its text and the original).
pub fn sanitize(html: &str) -> String {
    if !within_bounds(html) {
        let text = bounds::rough_text(html)
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        return format!("<pre>{text}</pre>");
    }
    SANITIZER.clean(html).to_string()
}

/// A plain-text rendering of HTML for messages that came without a text part: block
/// elements become line breaks, entities are decoded by the sanitiser's parser (or, past
/// the bounds of [`within_bounds`], by a linear scan that parses nothing).
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
    let decoded = if within_bounds(html) {
        let with_breaks = BLOCKS.replace_all(html, "$0\n");
        decode_entities(&TEXT_ONLY.clean(&with_breaks).to_string())
    } else {
        bounds::rough_text(html)
    };
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
            // A relative address would point into Soporte itself.
            ("<img src=x onerror=alert(1)>", "<img>"),
        ];
        for (input, expected) in cases {
            assert_eq!(sanitize(input), expected, "{input}");
        }
    }

    #[test]
    fn script_urls_hidden_behind_invisible_characters_are_removed() {
        let hidden = [
            "\u{a0}javascript:alert(1)",
            "\u{1680}javascript:alert(1)",
            "\u{2003}javascript:alert(1)",
            "\u{2028}javascript:alert(1)",
            "\u{3000}javascript:alert(1)",
            "\u{feff}javascript:alert(1)",
            "java\u{200b}script:alert(1)",
            "java\u{a0}script:alert(1)",
            "\u{1}javascript:alert(1)",
            "java\tscript:alert(1)",
            "java&#x0A;script:alert(1)",
            " JaVaScRiPt:alert(1)",
            "vbscript:msgbox(1)",
            "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
            "/admin/agents",
            "ht\u{a0}tp://x.example/",
        ];
        for url in hidden {
            let html = sanitize(&format!("<a href=\"{url}\">x</a><img src=\"{url}\">"));
            assert_eq!(
                html, "<a rel=\"noopener noreferrer nofollow\">x</a><img>",
                "{url:?}"
            );
        }
    }

    #[test]
    fn allowed_links_keep_the_address_a_browser_reads() {
        let cases = [
            (" https://x.example/a\n", "https://x.example/a"),
            ("ht\ttps://x.example/b", "https://x.example/b"),
            ("mailto:ana@x.example", "mailto:ana@x.example"),
            ("tel:+34600111222", "tel:+34600111222"),
            ("//x.example/c", "https://x.example/c"),
        ];
        for (href, kept) in cases {
            assert_eq!(
                sanitize(&format!("<a href=\"{href}\">x</a>")),
                format!("<a href=\"{kept}\" rel=\"noopener noreferrer nofollow\">x</a>"),
                "{href:?}"
            );
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

    /// The fastest of three runs, in seconds.
    fn fastest(work: impl Fn()) -> f64 {
        (0..3)
            .map(|_| {
                let started = std::time::Instant::now();
                work();
                started.elapsed().as_secs_f64()
            })
            .fold(f64::INFINITY, f64::min)
    }

    /// Doubling the input may at most about double the time (a quadratic cost quadruples
    /// it); a few milliseconds are allowed on top for timer and scheduler noise.
    fn assert_scales_linearly(what: &str, input: impl Fn(usize) -> String, n: usize) {
        let (small, large) = (input(n), input(2 * n));
        let work = |html: &str| {
            std::hint::black_box(sanitize(html));
            std::hint::black_box(to_text(html));
        };
        let t1 = fastest(|| work(&small));
        let t2 = fastest(|| work(&large));
        assert!(
            t2 <= 3.0 * t1 + 0.05,
            "{what}: {n} took {t1:.3} s, {} took {t2:.3} s",
            2 * n
        );
    }

    #[test]
    fn hostile_markup_costs_no_more_than_its_size() {
        assert_scales_linearly("nested <div>", |n| "<div>".repeat(n) + "x", 5_000);
        assert_scales_linearly(
            "nested <b id>",
            |n| {
                (0..n)
                    .map(|i| format!("<b id=\"{i}\">"))
                    .collect::<String>()
                    + "x"
            },
            5_000,
        );
        // Within the bounds, parsing stays linear too.
        let block = format!("{}x{}", "<div>".repeat(200), "</div>".repeat(200));
        assert_scales_linearly("deep blocks", |n| block.repeat(n), 20);
        // And what is past them is kept as text.
        let text = to_text(&("<div>".repeat(MAX_DEPTH + 1) + "La factura &amp; el pedido"));
        assert_eq!(text, "La factura & el pedido");
    }

    #[test]
    fn html_becomes_readable_text() {
        let text = to_text(
            "<html><head><style>p{}</style></head><body><p>Hola,</p><p>la tienda no carga &amp; da error&nbsp;500</p><br>Gracias</body></html>",
        );
        assert_eq!(text, "Hola,\nla tienda no carga & da error 500\n\nGracias");
    }
}
