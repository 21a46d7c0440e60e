//! The e-mails the portal sends, in Spanish and in English: a sign-in link asked for on
//! the portal, an agent's invitation, and (its text from the e-mail templates) the rating
//! link of a solved request. Each goes as plain text with an HTML version in the company's
//! colours and logo.

use crate::AppSettings;
use crate::email::Language;
use jiff::SignedDuration;
use serde::Serialize;

/// The HTML version's layout; minijinja escapes every value (the name ends in `.html`).
const HTML_LAYOUT: &str = include_str!("email_html.html");

#[derive(Serialize)]
struct Paragraph<'a> {
    lines: Vec<&'a str>,
    /// A paragraph that is only the link: shown as a button.
    link: Option<&'a str>,
}

/// The HTML version of a portal e-mail's `text`: the same words, in the company's colours
/// under its logo, with the paragraph that is only `link` shown as a button saying
/// `button`. `None` if it could not be rendered (the e-mail then goes as text alone).
pub(crate) fn branded_html(
    settings: &AppSettings,
    text: &str,
    link: &str,
    button: &str,
) -> Option<String> {
    let brand = &settings.portal.brand;
    let paragraphs: Vec<Paragraph<'_>> = text
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| Paragraph {
            lines: p.lines().collect(),
            link: (p == link).then_some(link),
        })
        .collect();
    let logo = brand.logo.as_ref().map(|logo| {
        format!(
            "{}/portal/brand/logo?v={}",
            settings.public_url.trim_end_matches('/'),
            logo.version
        )
    });
    let lang = match settings.email.language {
        Language::Spanish => "es",
        Language::English => "en",
    };
    minijinja::Environment::new()
        .render_named_str(
            "portal_email.html",
            HTML_LAYOUT,
            minijinja::context! {
                lang,
                company => settings.company_name,
                support_email => settings.support_email,
                header => brand.header.hex(),
                header_ink => brand.header.ink().hex(),
                accent => brand.accent.hex(),
                accent_ink => brand.accent.ink().hex(),
                logo,
                paragraphs,
                button,
            },
        )
        .map_err(|e| tracing::error!(error = %e, "the HTML version of a portal e-mail failed"))
        .ok()
}

/// What the button of a portal e-mail says.
pub(crate) fn button_words(kind: Option<LinkEmail>, language: Language) -> &'static str {
    match (kind, language) {
        (Some(_), Language::Spanish) => "Entrar en el portal",
        (Some(_), Language::English) => "Enter the portal",
        (None, Language::Spanish) => "Valorar la atención",
        (None, Language::English) => "Rate our service",
    }
}

/// Why a customer receives a link to the portal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LinkEmail {
    SignIn,
    Invitation,
}

pub(crate) struct LinkEmailText {
    pub subject: String,
    pub text: String,
}

/// The subject and text of an e-mail carrying `link`, valid for `lifetime`.
pub(crate) fn link_email(
    kind: LinkEmail,
    language: Language,
    name: &str,
    company: &str,
    link: &str,
    lifetime: SignedDuration,
    inviting_agent: Option<&str>,
) -> LinkEmailText {
    let minutes = lifetime.as_mins();
    let days = lifetime.as_hours() / 24;
    match (language, kind) {
        (Language::Spanish, LinkEmail::SignIn) => LinkEmailText {
            subject: format!("Su enlace para entrar en el soporte de {company}"),
            text: format!(
                "Hola {name}:\n\nPara entrar en el portal de soporte de {company}, abra este enlace en los próximos {minutes} minutos. Solo sirve una vez:\n\n{link}\n\nSi no lo ha pedido usted, ignore este mensaje: nadie puede entrar sin él.\n\nUn saludo,\n{company}\n"
            ),
        },
        (Language::English, LinkEmail::SignIn) => LinkEmailText {
            subject: format!("Your link to {company}'s support portal"),
            text: format!(
                "Hello {name},\n\nTo enter {company}'s support portal, open this link within {minutes} minutes. It works once:\n\n{link}\n\nIf you did not ask for it, ignore this message: nobody can enter without it.\n\nKind regards,\n{company}\n"
            ),
        },
        (Language::Spanish, LinkEmail::Invitation) => LinkEmailText {
            subject: format!("Su acceso al portal de soporte de {company}"),
            text: format!(
                "Hola {name}:\n\n{who} le invita al portal de soporte de {company}. Allí puede enviar sus solicitudes con todos los detalles, seguirlas y responder.\n\nPara entrar, abra este enlace en los próximos {days} días. Solo sirve una vez; después podrá pedir otro desde el portal con su dirección de correo:\n\n{link}\n\nUn saludo,\n{company}\n",
                who = inviting_agent.unwrap_or("Su agente de soporte"),
            ),
        },
        (Language::English, LinkEmail::Invitation) => LinkEmailText {
            subject: format!("Your access to {company}'s support portal"),
            text: format!(
                "Hello {name},\n\n{who} invites you to {company}'s support portal, where you can send your requests with every detail, follow them and reply.\n\nTo enter, open this link within {days} days. It works once; afterwards you can ask the portal for another with your e-mail address:\n\n{link}\n\nKind regards,\n{company}\n",
                who = inviting_agent.unwrap_or("Your support agent"),
            ),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_html_version_escapes_what_it_shows_and_makes_the_link_a_button()
    -> Result<(), Box<dyn std::error::Error>> {
        let mut settings = AppSettings::new(
            soporte_core::ticket::TicketPrefix::parse("VND")?,
            "Vendomia <b>&</b>",
            "soporte@vendomia.com",
        );
        settings.portal.brand = super::super::Brand::with_colours("#0b6e4f", "#ffd700")?;
        let link = "https://x/portal/link?token=a&b";
        let html = branded_html(
            &settings,
            &format!("Hola <Luis>:\nlínea dos\n\n{link}\n\nUn saludo"),
            link,
            "Entrar",
        )
        .unwrap_or_default();
        assert!(
            html.contains("Vendomia &lt;b&gt;&amp;&lt;&#x2f;b&gt;"),
            "{html}"
        );
        assert!(html.contains("Hola &lt;Luis&gt;:<br>línea dos"), "{html}");
        assert!(
            html.contains("href=\"https:&#x2f;&#x2f;x&#x2f;portal&#x2f;link?token=a&amp;b\""),
            "{html}"
        );
        assert!(
            html.contains("background:#0b6e4f;color:#ffffff"),
            "the button in the accent"
        );
        assert!(
            html.contains("background:#ffd700;color:#1b2230"),
            "dark text on a light band"
        );
        assert!(!html.contains("<img"), "no logo configured, none shown");
        Ok(())
    }

    #[test]
    fn a_sign_in_email_carries_its_link_and_says_how_long_it_works() {
        let mail = link_email(
            LinkEmail::SignIn,
            Language::Spanish,
            "Luis",
            "Vendomia",
            "https://soporte.vendomia.com/portal/link?token=abc",
            SignedDuration::from_mins(15),
            None,
        );
        assert!(
            mail.text
                .contains("https://soporte.vendomia.com/portal/link?token=abc\n")
        );
        assert!(mail.text.contains("15 minutos"));
        let invitation = link_email(
            LinkEmail::Invitation,
            Language::English,
            "Luis",
            "Vendomia",
            "https://x/portal/link?token=abc",
            SignedDuration::from_hours(7 * 24),
            Some("Ana García"),
        );
        assert!(invitation.text.contains("Ana García invites you"));
        assert!(invitation.text.contains("within 7 days"));
    }
}
