//! What the pages make the browser fetch: the scripts and style sheets they load, and any
//! URL that would contact another host, read from the start tags of every page checked.

use super::measure::Desk;
use crate::report::report_figure;
use anyhow::Result;
use std::collections::BTreeSet;

/// What the pages make the browser fetch, over every page checked.
#[derive(Default)]
pub(super) struct References {
    pages: usize,
    scripts: BTreeSet<String>,
    style_sheets: BTreeSet<String>,
    problems: BTreeSet<String>,
}

impl References {
    pub(super) fn check(&mut self, page: &str) {
        self.pages += 1;
        for tag in tags(page) {
            let attribute = |name: &str| {
                tag.attributes
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, v)| v.as_str())
            };
            match tag.name.as_str() {
                "script" => match attribute("src") {
                    Some(src) => {
                        self.scripts.insert(path_of(src));
                    }
                    None => {
                        self.problems.insert("an inline <script>".into());
                    }
                },
                "style" => {
                    self.problems.insert("an inline <style>".into());
                }
                "link" => {
                    let rel = attribute("rel").unwrap_or_default();
                    let href = attribute("href").unwrap_or_default();
                    if rel.split_whitespace().any(|r| r == "stylesheet") {
                        self.style_sheets.insert(path_of(href));
                    } else {
                        self.problems
                            .insert(format!("<link rel=\"{rel}\" href=\"{href}\">"));
                    }
                }
                _ => {}
            }
            for (name, value) in &tag.attributes {
                // htmx and the console's script take URLs from `hx-*` and `data-*`.
                let fetched = matches!(
                    name.as_str(),
                    "src" | "href" | "action" | "formaction" | "srcset" | "poster" | "data"
                ) || name.starts_with("hx-")
                    || name.starts_with("data-");
                if fetched && names_another_host(value) {
                    self.problems
                        .insert(format!("<{} {name}=\"{value}\">", tag.name));
                }
            }
        }
    }

    /// The PASS/MISS line, and the sizes of the files as the browser gets them.
    pub(super) async fn report(&self, desk: &Desk) -> Result<()> {
        let pass =
            self.scripts.len() == 1 && self.style_sheets.len() == 1 && self.problems.is_empty();
        let mut fetched: Vec<String> = self.scripts.iter().cloned().collect();
        fetched.extend(self.style_sheets.iter().cloned());
        let figure = format!(
            "{}; {}; {} pages",
            fetched.join(", "),
            if self.problems.is_empty() {
                "no other host"
            } else {
                "more (below)"
            },
            self.pages
        );
        report_figure(
            "sqlite",
            "what pages fetch",
            &figure,
            Some(("1 js, 1 css, same host", pass)),
        );
        for problem in &self.problems {
            println!("    not allowed: {problem}");
        }
        let mut sizes = Vec::new();
        for asset in self.scripts.iter().chain(&self.style_sheets) {
            let bytes = desk.get(asset).await?.len();
            sizes.push(format!("{asset} {:.1} KB", bytes as f64 / 1024.0));
        }
        report_figure("sqlite", "", &sizes.join(", "), None);
        Ok(())
    }
}

/// The path of a same-site URL, without its query (the version the pages add).
fn path_of(url: &str) -> String {
    url.split(['?', '#']).next().unwrap_or_default().to_string()
}

/// Whether a URL makes the browser contact a host other than this one: a scheme other than
/// `data:`, `mailto:` or `tel:`, or a scheme-relative `//host`.
fn names_another_host(url: &str) -> bool {
    let url = url.trim().to_ascii_lowercase();
    if url.starts_with("//") {
        return true;
    }
    let Some((scheme, _)) = url.split_once(':') else {
        return false;
    };
    let is_scheme = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    is_scheme && !matches!(scheme, "data" | "mailto" | "tel")
}

struct Tag {
    name: String,
    /// Names in lower case; values as written, `&amp;` decoded.
    attributes: Vec<(String, String)>,
}

/// The start tags of a page with their attributes. Enough for the console's own markup,
/// which escapes every `<` that is not a tag; not a general HTML parser.
fn tags(page: &str) -> Vec<Tag> {
    let mut found = Vec::new();
    let mut rest = page;
    while let Some(at) = rest.find('<') {
        rest = &rest[at + 1..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if name.is_empty() {
            continue;
        }
        rest = &rest[name.len()..];
        let mut attributes = Vec::new();
        loop {
            rest = rest.trim_start();
            if rest.is_empty() || rest.starts_with('>') || rest.starts_with("/>") {
                break;
            }
            let attribute: String = rest
                .chars()
                .take_while(|c| !c.is_whitespace() && !matches!(c, '=' | '>' | '/'))
                .collect();
            if attribute.is_empty() {
                rest = &rest[rest.chars().next().map_or(1, char::len_utf8)..];
                continue;
            }
            rest = rest[attribute.len()..].trim_start();
            let mut value = String::new();
            if let Some(after) = rest.strip_prefix('=') {
                let after = after.trim_start();
                let (text, remaining) = match after.chars().next() {
                    Some(quote @ ('"' | '\'')) => {
                        let inner = &after[1..];
                        let end = inner.find(quote).unwrap_or(inner.len());
                        (&inner[..end], inner.get(end + 1..).unwrap_or_default())
                    }
                    _ => {
                        let end = after
                            .find(|c: char| c.is_whitespace() || c == '>')
                            .unwrap_or(after.len());
                        (&after[..end], &after[end..])
                    }
                };
                value = text.replace("&amp;", "&");
                rest = remaining;
            }
            attributes.push((attribute.to_ascii_lowercase(), value));
        }
        found.push(Tag { name, attributes });
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_to_other_hosts_are_found() {
        let page = "<html><head><link rel=\"stylesheet\" href=\"/assets/console.css?v=1\">\
                    <script src=\"/assets/htmx.min.js?v=1\" defer></script></head>\
                    <body><a href=\"/inbox?view=mine&amp;type=\">x</a>\
                    <img src=\"https://cdn.example/x.png\"><p>1 &lt; 2</p></body></html>";
        let mut references = References::default();
        references.check(page);
        assert_eq!(
            references.scripts,
            BTreeSet::from(["/assets/htmx.min.js".to_string()])
        );
        assert_eq!(
            references.style_sheets,
            BTreeSet::from(["/assets/console.css".to_string()])
        );
        assert_eq!(
            references.problems,
            BTreeSet::from(["<img src=\"https://cdn.example/x.png\">".to_string()])
        );
    }

    #[test]
    fn only_urls_with_another_host_count() {
        assert!(names_another_host("https://example.com/x"));
        assert!(names_another_host("//example.com/x"));
        assert!(!names_another_host("/tickets/1"));
        assert!(!names_another_host("/language?to=en&back=/inbox"));
        assert!(!names_another_host("mailto:ana@example.com"));
        assert!(!names_another_host("#main"));
        assert!(!names_another_host("2025-11-25T10:00:00Z"));
    }
}
