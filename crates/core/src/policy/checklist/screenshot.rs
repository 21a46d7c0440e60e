//! The screenshot the policy asks for: an image that arrived, or a link to one. Saying
//! "adjunto captura" is not enough — the acknowledgement should ask for the missing image.

use super::doc::Doc;
use super::location::{IMAGE_HOSTS, addresses, host_is};

const IMAGE_EXTENSIONS: &[&str] = &[".png", ".jpg", ".jpeg", ".gif", ".webp", ".heic", ".bmp"];

pub(super) fn detect(doc: &Doc, has_image: bool) -> Option<String> {
    if has_image {
        return Some("imagen adjunta".to_string());
    }
    // A bare "captura.png" is a file name the customer meant to attach, not a link.
    let link = addresses(doc).into_iter().find(|a| {
        !a.email
            && (IMAGE_HOSTS.iter().any(|h| host_is(&a.host, h))
                || (!a.path.is_empty()
                    && IMAGE_EXTENSIONS
                        .iter()
                        .any(|e| a.path.to_lowercase().ends_with(e))))
    })?;
    let quoted = doc.quote_original(link.start, link.end, 100)?;
    Some(format!("enlace a imagen: {quoted}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_and_image_links_count_but_words_do_not() {
        let cases: &[(&str, bool, Option<&str>)] = &[
            ("os adjunto captura del error", true, Some("imagen adjunta")),
            ("os adjunto captura del error", false, None),
            ("Screenshot attached.", false, None),
            ("adjunto captura.png", false, None),
            (
                "el pantallazo: https://prnt.sc/a1b2c3 .",
                false,
                Some("enlace a imagen: \"https://prnt.sc/a1b2c3\""),
            ),
            (
                "see https://example.com/shots/error.PNG",
                false,
                Some("enlace a imagen: \"https://example.com/shots/error.PNG\""),
            ),
            ("mirad www.mitienda.es/carrito", false, None),
            ("ñ 🙁", false, None),
        ];
        for (text, has_image, want) in cases {
            assert_eq!(
                detect(&Doc::new("", text), *has_image).as_deref(),
                *want,
                "{text}"
            );
        }
    }
}
