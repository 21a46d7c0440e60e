//! The `[company]` section: who the customers deal with, and how it looks to them.

use anyhow::{Result, anyhow};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Company {
    pub name: String,
    /// The support address customers write to.
    pub support_email: String,
    /// Letters in front of ticket numbers (`VND-000123`).
    pub ticket_prefix: String,
    pub locale: String,
    pub timezone: String,
    /// The logo on the portal's pages and e-mails: a PNG, JPEG, GIF, WebP or SVG file of
    /// at most 512 KB.
    #[serde(default)]
    pub logo_file: Option<PathBuf>,
    /// Buttons and links on the portal and in its e-mails (`#RRGGBB`); it must be dark
    /// enough to read links in (4.5:1 on the page, WCAG AA).
    pub accent_colour: String,
    /// The band at the top of the portal's pages and e-mails (`#RRGGBB`); its text turns
    /// white or dark, whichever reads better.
    pub header_colour: String,
}

impl Company {
    /// The logo and colours, read and checked.
    pub fn brand(&self) -> Result<soporte_app::portal::Brand> {
        soporte_app::portal::Colour::parse(&self.header_colour)
            .map_err(|e| anyhow!("config key `company.header_colour`: {e}"))?;
        let mut brand =
            soporte_app::portal::Brand::with_colours(&self.accent_colour, &self.header_colour)
                .map_err(|e| anyhow!("config key `company.accent_colour`: {e}"))?;
        if let Some(path) = &self.logo_file {
            let bytes = std::fs::read(path).map_err(|e| {
                anyhow!(
                    "config key `company.logo_file`: cannot read {}: {e}",
                    path.display()
                )
            })?;
            brand.logo =
                Some(soporte_app::portal::Logo::from_bytes(bytes).map_err(|e| {
                    anyhow!("config key `company.logo_file`: {}: {e}", path.display())
                })?);
        }
        Ok(brand)
    }
}

#[cfg(test)]
mod tests {
    use super::super::Config;
    use super::super::tests::error_of;

    /// A 1×1 PNG.
    const PNG: &[u8] = &[
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44,
        0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f,
        0x15, 0xc4, 0x89,
    ];

    #[test]
    fn the_logo_and_colours_are_read_and_checked() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let logo = dir.path().join("logo.png");
        std::fs::write(&logo, PNG)?;
        let mut config = Config::default();
        config.company.logo_file = Some(logo);
        config.company.accent_colour = "#0B6E4F".into();
        config.company.header_colour = "#f5f5f0".into();
        config.validate()?;
        let brand = config.company.brand()?;
        assert_eq!(brand.logo.map(|l| l.media_type), Some("image/png"));
        assert_eq!(brand.accent.hex(), "#0b6e4f");
        assert_eq!(brand.header.hex(), "#f5f5f0");
        Ok(())
    }

    #[test]
    fn a_bad_logo_or_colour_names_its_key() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let mut config = Config::default();
        config.company.header_colour = "navy".into();
        let err = error_of(&config);
        assert!(
            err.contains("`company.header_colour`") && err.contains("#RRGGBB"),
            "{err}"
        );

        let mut config = Config::default();
        config.company.accent_colour = "#ffd700".into();
        let err = error_of(&config);
        assert!(
            err.contains("`company.accent_colour`") && err.contains("4.5:1"),
            "{err}"
        );

        let mut config = Config::default();
        config.company.logo_file = Some(dir.path().join("missing.png"));
        let err = error_of(&config);
        assert!(
            err.contains("`company.logo_file`") && err.contains("cannot read"),
            "{err}"
        );

        let page = dir.path().join("logo.png");
        std::fs::write(&page, "<html><script>alert(1)</script></html>")?;
        config.company.logo_file = Some(page);
        let err = error_of(&config);
        assert!(
            err.contains("`company.logo_file`") && err.contains("no PNG"),
            "{err}"
        );
        Ok(())
    }
}
