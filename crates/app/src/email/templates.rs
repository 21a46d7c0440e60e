//! The texts of outgoing mail, as templates an operator can change in the configuration.
//! Spanish by default; English texts ship alongside.

use minijinja::{Environment, context};
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailTemplates {
    pub acknowledgement_subject: String,
    pub acknowledgement_body: String,
    pub reply_subject: String,
    pub reply_footer: String,
}

#[derive(Debug, Error)]
#[error("template {name}: {message}")]
pub struct TemplateError {
    pub name: &'static str,
    pub message: String,
}

impl Default for EmailTemplates {
    fn default() -> Self {
        Self::spanish()
    }
}

impl EmailTemplates {
    pub fn spanish() -> Self {
        Self {
            acknowledgement_subject: "[{{ number }}] Hemos recibido su solicitud: {{ subject }}"
                .into(),
            acknowledgement_body: "Hola {{ name }}:\n\n\
Hemos recibido su solicitud y la hemos registrado con el número {{ number }}. \
Su agente le responderá lo antes posible.\n\n\
Si quiere añadir algo, responda a este correo manteniendo el número en el asunto.\n\n\
Un saludo,\n{{ company }}\n{{ support_email }}"
                .into(),
            reply_subject: "[{{ number }}] Re: {{ subject }}".into(),
            reply_footer: "-- \n{{ agent }}\n{{ company }} · {{ support_email }}\n\
Responda a este correo para continuar con la solicitud {{ number }}."
                .into(),
        }
    }

    pub fn english() -> Self {
        Self {
            acknowledgement_subject: "[{{ number }}] We have received your request: {{ subject }}"
                .into(),
            acknowledgement_body: "Hello {{ name }},\n\n\
We have received your request and registered it as {{ number }}. \
Your agent will answer as soon as possible.\n\n\
To add something, reply to this e-mail keeping the number in the subject.\n\n\
Best regards,\n{{ company }}\n{{ support_email }}"
                .into(),
            reply_subject: "[{{ number }}] Re: {{ subject }}".into(),
            reply_footer: "-- \n{{ agent }}\n{{ company }} · {{ support_email }}\n\
Reply to this e-mail to continue with request {{ number }}."
                .into(),
        }
    }

    /// Checks that every template compiles, naming the broken one.
    pub fn validate(&self) -> Result<(), TemplateError> {
        for (name, source) in self.named() {
            let mut env = Environment::new();
            env.add_template("t", source).map_err(|e| TemplateError {
                name,
                message: e.to_string(),
            })?;
        }
        Ok(())
    }

    fn named(&self) -> [(&'static str, &str); 4] {
        [
            ("acknowledgement_subject", &self.acknowledgement_subject),
            ("acknowledgement_body", &self.acknowledgement_body),
            ("reply_subject", &self.reply_subject),
            ("reply_footer", &self.reply_footer),
        ]
    }

    pub(crate) fn render(&self, name: &'static str, values: &Values<'_>) -> String {
        let source = self
            .named()
            .into_iter()
            .find(|(n, _)| *n == name)
            .map_or("", |(_, s)| s);
        let env = Environment::new();
        env.render_str(
            source,
            context! {
                number => values.number,
                subject => values.subject,
                name => values.name,
                agent => values.agent,
                company => values.company,
                support_email => values.support_email,
            },
        )
        // Templates are validated at start; a failure here would be a bug, and an e-mail
        // with the raw template is better than none.
        .unwrap_or_else(|_| source.to_string())
    }
}

pub(crate) struct Values<'a> {
    pub number: &'a str,
    pub subject: &'a str,
    pub name: &'a str,
    pub agent: &'a str,
    pub company: &'a str,
    pub support_email: &'a str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_fill_in_their_values() {
        let values = Values {
            number: "VND-000042",
            subject: "Factura duplicada",
            name: "Luis",
            agent: "Ana",
            company: "Vendomia",
            support_email: "soporte@vendomia.com",
        };
        let t = EmailTemplates::spanish();
        assert_eq!(
            t.render("acknowledgement_subject", &values),
            "[VND-000042] Hemos recibido su solicitud: Factura duplicada"
        );
        assert!(t.render("acknowledgement_body", &values).starts_with("Hola Luis:\n\nHemos recibido su solicitud y la hemos registrado con el número VND-000042."));
        assert!(
            EmailTemplates::english()
                .render("reply_footer", &values)
                .contains("request VND-000042")
        );
    }

    #[test]
    fn broken_templates_are_named() {
        let broken = EmailTemplates {
            reply_footer: "{{ agent ".into(),
            ..EmailTemplates::spanish()
        };
        assert_eq!(
            broken.validate().err().map(|e| e.name),
            Some("reply_footer")
        );
        assert!(EmailTemplates::spanish().validate().is_ok());
    }
}
