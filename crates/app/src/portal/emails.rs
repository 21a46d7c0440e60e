//! The e-mails the portal sends, in Spanish and in English: a sign-in link asked for on
//! the portal, and an agent's invitation.

use crate::email::Language;
use jiff::SignedDuration;

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
