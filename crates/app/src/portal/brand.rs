//! The company's look on what customers see: its logo and colours on the portal's pages and
//! in the e-mails the portal sends (company name and support address come with the rest
//! of the settings). Everything here is checked once, when the configuration is read.

use thiserror::Error;

/// The largest logo accepted: a logo is shown small, and is sent with every page.
pub const MAX_LOGO_BYTES: usize = 512 * 1024;

/// The portal's own background, against which links in the accent colour must be readable.
const PAGE_BACKGROUND: Colour = Colour(0xf4, 0xf6, 0xf9);
/// WCAG 2's level AA for normal text.
const MIN_TEXT_CONTRAST: f64 = 4.5;

#[derive(Debug, Error, PartialEq)]
pub enum BrandError {
    #[error("`{0}` is no colour: write it as #RRGGBB, like #1a56b0")]
    NotAColour(String),
    #[error(
        "{colour} on the portal's background has a contrast of {contrast:.1}:1, and links need at least 4.5:1 to be readable (WCAG AA): choose a darker colour"
    )]
    TooLight { colour: String, contrast: f64 },
    #[error("the logo is {size} bytes; at most {MAX_LOGO_BYTES} are accepted")]
    LogoTooLarge { size: usize },
    #[error("the logo is no PNG, JPEG, GIF, WebP or SVG image")]
    LogoNotAnImage,
}

/// An sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Colour(pub u8, pub u8, pub u8);

impl Colour {
    pub const WHITE: Colour = Colour(0xff, 0xff, 0xff);
    /// The portal's text colour.
    pub const INK: Colour = Colour(0x1b, 0x22, 0x30);

    /// `#RRGGBB` (or `#RGB`), any case.
    pub fn parse(text: &str) -> Result<Self, BrandError> {
        let bad = || BrandError::NotAColour(text.to_string());
        let hex = text.trim().strip_prefix('#').ok_or_else(bad)?;
        if !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(bad());
        }
        let digits: Vec<u8> = match hex.len() {
            6 => (0..3)
                .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16))
                .collect::<Result<_, _>>()
                .map_err(|_| bad())?,
            3 => hex
                .chars()
                .map(|c| u8::from_str_radix(&c.to_string().repeat(2), 16))
                .collect::<Result<_, _>>()
                .map_err(|_| bad())?,
            _ => return Err(bad()),
        };
        Ok(Colour(digits[0], digits[1], digits[2]))
    }

    pub fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }

    /// Relative luminance, as WCAG 2 defines it.
    fn luminance(self) -> f64 {
        let channel = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.040_45 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(self.0) + 0.7152 * channel(self.1) + 0.0722 * channel(self.2)
    }

    /// The contrast ratio of two colours, 1 to 21.
    pub fn contrast(self, other: Colour) -> f64 {
        let (a, b) = (self.luminance(), other.luminance());
        let (light, dark) = if a > b { (a, b) } else { (b, a) };
        (light + 0.05) / (dark + 0.05)
    }

    /// What to write on this colour: white or the portal's ink, whichever reads better.
    pub fn ink(self) -> Colour {
        if self.contrast(Colour::WHITE) >= self.contrast(Colour::INK) {
            Colour::WHITE
        } else {
            Colour::INK
        }
    }
}

/// The company's logo, as configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logo {
    pub bytes: Vec<u8>,
    pub media_type: &'static str,
    /// Changes with the bytes, so that browsers fetch a new logo at once.
    pub version: String,
}

impl Logo {
    /// A logo from a file's bytes, judged by the bytes rather than the file's name.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Self, BrandError> {
        if bytes.len() > MAX_LOGO_BYTES {
            return Err(BrandError::LogoTooLarge { size: bytes.len() });
        }
        let media_type = match infer::get(&bytes).map(|kind| kind.mime_type()) {
            Some("image/png") => "image/png",
            Some("image/jpeg") => "image/jpeg",
            Some("image/gif") => "image/gif",
            Some("image/webp") => "image/webp",
            _ if looks_like_svg(&bytes) => "image/svg+xml",
            _ => return Err(BrandError::LogoNotAnImage),
        };
        use sha2::{Digest, Sha256};
        let version = hex::encode(&Sha256::digest(&bytes)[..6]);
        Ok(Self {
            bytes,
            media_type,
            version,
        })
    }
}

/// An SVG document: text whose first element is `<svg`, after any XML declaration,
/// comments and doctype.
fn looks_like_svg(bytes: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(&bytes[..bytes.len().min(4096)]) else {
        return false;
    };
    let mut rest = text.trim_start_matches('\u{feff}').trim_start();
    loop {
        if rest.starts_with("<svg") {
            return true;
        }
        let skipped = ["<?", "<!--", "<!"]
            .iter()
            .find(|open| rest.starts_with(**open))
            .and_then(|_| rest.find('>'))
            .map(|end| rest[end + 1..].trim_start());
        match skipped {
            Some(next) => rest = next,
            None => return false,
        }
    }
}

/// The company's logo and colours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Brand {
    pub logo: Option<Logo>,
    /// Buttons, links and highlights.
    pub accent: Colour,
    /// The band at the top of each page and e-mail.
    pub header: Colour,
}

impl Default for Brand {
    fn default() -> Self {
        Self {
            logo: None,
            accent: Colour(0x1a, 0x56, 0xb0),
            header: Colour::INK,
        }
    }
}

impl Brand {
    /// The brand with these colours, refusing an accent too light to read links in.
    pub fn with_colours(accent: &str, header: &str) -> Result<Self, BrandError> {
        let accent_colour = Colour::parse(accent)?;
        let contrast = accent_colour.contrast(PAGE_BACKGROUND);
        if contrast < MIN_TEXT_CONTRAST {
            return Err(BrandError::TooLight {
                colour: accent.trim().to_string(),
                contrast,
            });
        }
        Ok(Self {
            logo: None,
            accent: accent_colour,
            header: Colour::parse(header)?,
        })
    }

    /// The style sheet that puts the colours on the portal's pages.
    pub fn css(&self) -> String {
        format!(
            ":root {{ --accent: {}; --accent-ink: {}; --top: {}; --top-ink: {}; }}\n",
            self.accent.hex(),
            self.accent.ink().hex(),
            self.header.hex(),
            self.header.ink().hex(),
        )
    }

    /// Changes whenever what the pages show of the brand changes.
    pub fn version(&self) -> String {
        format!(
            "{}{}{}",
            &self.accent.hex()[1..],
            &self.header.hex()[1..],
            self.logo.as_ref().map_or("", |l| l.version.as_str())
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_are_read_as_hex_and_written_back() {
        assert_eq!(Colour::parse("#1A56b0"), Ok(Colour(0x1a, 0x56, 0xb0)));
        assert_eq!(Colour::parse(" #fff "), Ok(Colour::WHITE));
        assert_eq!(Colour(0x1a, 0x56, 0xb0).hex(), "#1a56b0");
        for bad in ["1a56b0", "#1a56b", "#ggg", "blue", "#1a56b0ff", "", "#ñññ"] {
            assert!(Colour::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn contrast_follows_wcag_and_text_on_a_colour_is_the_readable_one() {
        assert!((Colour::WHITE.contrast(Colour(0, 0, 0)) - 21.0).abs() < 0.01);
        assert!((Colour::WHITE.contrast(Colour::WHITE) - 1.0).abs() < 0.01);
        // #767676 on white is the classic 4.54:1.
        assert!((Colour(0x76, 0x76, 0x76).contrast(Colour::WHITE) - 4.54).abs() < 0.01);
        assert_eq!(Colour(0x1a, 0x56, 0xb0).ink(), Colour::WHITE);
        assert_eq!(Colour(0xff, 0xd7, 0x00).ink(), Colour::INK);
    }

    #[test]
    fn an_accent_too_light_for_links_is_refused() {
        assert!(Brand::with_colours("#0b6e4f", "#0b3d2e").is_ok());
        let refused = Brand::with_colours("#ffd700", "#000");
        assert!(
            matches!(refused, Err(BrandError::TooLight { .. })),
            "{refused:?}"
        );
    }

    #[test]
    fn a_logo_is_judged_by_its_bytes() {
        let png = vec![
            0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52,
        ];
        assert_eq!(Logo::from_bytes(png).map(|l| l.media_type), Ok("image/png"));
        let svg = br#"<?xml version="1.0"?><!-- logo --><svg xmlns="http://www.w3.org/2000/svg"/>"#;
        assert_eq!(
            Logo::from_bytes(svg.to_vec()).map(|l| l.media_type),
            Ok("image/svg+xml")
        );
        assert_eq!(
            Logo::from_bytes(b"<html><script>x</script></html>".to_vec()),
            Err(BrandError::LogoNotAnImage)
        );
        assert_eq!(
            Logo::from_bytes(vec![0; MAX_LOGO_BYTES + 1]),
            Err(BrandError::LogoTooLarge {
                size: MAX_LOGO_BYTES + 1
            })
        );
    }
}
