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
    /// How the acknowledgement asks for each missing checklist item.
    pub item_screenshot: String,
    pub item_location: String,
    pub item_timing: String,
    pub item_account_user: String,
    pub item_description: String,
    /// What agents receive when a ticket needs them now (urgent, SLA at risk or breached).
    pub notification_subject: String,
    pub notification_body: String,
    /// What the customer receives when an agent solves their request: the rating link.
    pub satisfaction_subject: String,
    pub satisfaction_body: String,
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
Hemos recibido su solicitud y la hemos registrado con el número {{ number }}.\n\
{% if redirect %}\nEste tipo de consulta ({{ type_label }}) se atiende por correo electrónico. \
Para que podamos ayudarle, escríbanos a {{ support_email }} con todos los detalles.\n{% endif %}\
{% if missing %}\nPara resolverla sin tener que volver a preguntarle, nos ayudaría mucho que nos enviara:\n\
{% for item in missing %}  - {{ item }}\n{% endfor %}\n\
Un ejemplo de buena descripción: «En Sitios Web, estoy creando la página 'Política de Garantía' \
y cuando añado un elemento de texto se añaden dos elementos de golpe en lugar de uno».\n{% endif %}\
{% if portal_link %}\nPuede añadirlo aquí, sin volver a escribirlo todo: {{ portal_link }}\n{% endif %}\
{% if agent_phone %}\nSi es urgente, puede llamar directamente a su agente personal, {{ agent }}, al {{ agent_phone }}.\n{% endif %}\n\
Su agente le responderá lo antes posible. Si quiere añadir algo, responda a este mensaje \
manteniendo el número {{ number }}.\n\n\
Un saludo,\n{{ company }}\n{{ support_email }}"
                .into(),
            reply_subject: "[{{ number }}] Re: {{ subject }}".into(),
            reply_footer: "-- \n{{ agent }}\n{{ company }} · {{ support_email }}\n\
Responda a este correo para continuar con la solicitud {{ number }}."
                .into(),
            item_screenshot: "capturas de pantalla en las que se vea el error".into(),
            item_location: "dónde ocurre: la sección (por ejemplo «Sitios Web» o «Tienda») y la página o el enlace".into(),
            item_timing: "cuándo ocurre: la hora, o la acción que lo provoca (por ejemplo «al pulsar Guardar»)".into(),
            item_account_user: "en qué cuenta ocurre y con qué usuario".into(),
            item_description: "una descripción detallada: qué estaba haciendo, qué esperaba que pasara y qué pasó en su lugar".into(),
            notification_subject: "[{{ number }}] {{ reason }}: {{ subject }}".into(),
            notification_body: "{{ reason }}.\n\nSolicitud {{ number }}: {{ subject }}\n{{ detail }}\n".into(),
            satisfaction_subject: "[{{ number }}] Resuelta: ¿cómo le hemos atendido?".into(),
            satisfaction_body: "Hola {{ name }}:\n\n\
Hemos dado por resuelta su solicitud {{ number }}, «{{ subject }}».\n\n\
¿Cómo le hemos atendido? Díganos de 1 a 5, y con un comentario si quiere, en este enlace. \
Sirve una vez, durante 30 días:\n\n{{ portal_link }}\n\n\
Si el problema sigue, responda a este correo manteniendo el número {{ number }}.\n\n\
Un saludo,\n{{ company }}\n{{ support_email }}"
                .into(),
        }
    }

    pub fn english() -> Self {
        Self {
            acknowledgement_subject: "[{{ number }}] We have received your request: {{ subject }}"
                .into(),
            acknowledgement_body: "Hello {{ name }},\n\n\
We have received your request and registered it as {{ number }}.\n\
{% if redirect %}\nThis kind of request ({{ type_label }}) is handled by e-mail. \
So that we can help you, please write to {{ support_email }} with all the details.\n{% endif %}\
{% if missing %}\nTo solve it without having to ask you again, it would help us a lot if you could send us:\n\
{% for item in missing %}  - {{ item }}\n{% endfor %}\n\
An example of a good description: \"In Web Sites, I am creating the page 'Warranty Policy' \
and when I add a text element two elements are added at once instead of one\".\n{% endif %}\
{% if portal_link %}\nYou can add it here, without writing everything again: {{ portal_link }}\n{% endif %}\
{% if agent_phone %}\nIf it is urgent, you can call your personal agent, {{ agent }}, on {{ agent_phone }}.\n{% endif %}\n\
Your agent will answer as soon as possible. To add something, reply to this message \
keeping the number {{ number }}.\n\n\
Best regards,\n{{ company }}\n{{ support_email }}"
                .into(),
            reply_subject: "[{{ number }}] Re: {{ subject }}".into(),
            reply_footer: "-- \n{{ agent }}\n{{ company }} · {{ support_email }}\n\
Reply to this e-mail to continue with request {{ number }}."
                .into(),
            item_screenshot: "screenshots showing the error".into(),
            item_location: "where it happens: the section (for example \"Web Sites\" or \"Shop\") and the page or link".into(),
            item_timing: "when it happens: the time, or the action that causes it (for example \"when I click Save\")".into(),
            item_account_user: "which account it happens in and with which user".into(),
            item_description: "a detailed description: what you were doing, what you expected and what happened instead".into(),
            notification_subject: "[{{ number }}] {{ reason }}: {{ subject }}".into(),
            notification_body: "{{ reason }}.\n\nRequest {{ number }}: {{ subject }}\n{{ detail }}\n".into(),
            satisfaction_subject: "[{{ number }}] Solved: how did we do?".into(),
            satisfaction_body: "Hello {{ name }},\n\n\
We have marked your request {{ number }}, \"{{ subject }}\", as solved.\n\n\
How did we do? Tell us from 1 to 5, with a comment if you like, at this link. \
It works once, for 30 days:\n\n{{ portal_link }}\n\n\
If the problem persists, reply to this e-mail keeping the number {{ number }}.\n\n\
Best regards,\n{{ company }}\n{{ support_email }}"
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

    /// Every text with its name, in the order an editor shows them.
    pub fn named(&self) -> [(&'static str, &str); 13] {
        [
            ("acknowledgement_subject", &self.acknowledgement_subject),
            ("acknowledgement_body", &self.acknowledgement_body),
            ("reply_subject", &self.reply_subject),
            ("reply_footer", &self.reply_footer),
            ("item_screenshot", &self.item_screenshot),
            ("item_location", &self.item_location),
            ("item_timing", &self.item_timing),
            ("item_account_user", &self.item_account_user),
            ("item_description", &self.item_description),
            ("notification_subject", &self.notification_subject),
            ("notification_body", &self.notification_body),
            ("satisfaction_subject", &self.satisfaction_subject),
            ("satisfaction_body", &self.satisfaction_body),
        ]
    }

    /// The variables a template may use.
    pub const VARIABLES: [&'static str; 13] = [
        "number",
        "subject",
        "name",
        "agent",
        "company",
        "support_email",
        "missing",
        "redirect",
        "type_label",
        "agent_phone",
        "reason",
        "detail",
        "portal_link",
    ];

    /// What the template `name` says with made-up values, for an editor's preview; `None`
    /// for an unknown name.
    pub fn preview(&self, name: &str, english: bool) -> Option<String> {
        let (name, _) = self.named().into_iter().find(|(n, _)| *n == name)?;
        let missing: Vec<&str> = [
            soporte_core::policy::checklist::ChecklistItem::Screenshot,
            soporte_core::policy::checklist::ChecklistItem::Location,
        ]
        .into_iter()
        .map(|item| self.item_request(item))
        .collect();
        let values = Values {
            name: "Luis Pérez",
            agent: "Ana García",
            missing: &missing,
            type_label: if english { "Technical" } else { "Técnico" },
            agent_phone: "+34 600 111 222",
            portal_link: "https://soporte.vendomia.com/portal/link?token=…",
            reason: if english { "Urgent" } else { "Urgente" },
            detail: if english {
                "Due by 26/11/2026 13:00"
            } else {
                "Vence el 26/11/2026 13:00"
            },
            ..Values::new(
                "VND-000123",
                if english {
                    "The shop does not publish"
                } else {
                    "No se publica la tienda"
                },
                "Vendomia",
                "soporte@vendomia.com",
            )
        };
        Some(self.render(name, &values))
    }

    /// How the acknowledgement asks for one missing item.
    pub fn item_request(&self, item: soporte_core::policy::checklist::ChecklistItem) -> &str {
        use soporte_core::policy::checklist::ChecklistItem::*;
        match item {
            Screenshot => &self.item_screenshot,
            Location => &self.item_location,
            Timing => &self.item_timing,
            AccountUser => &self.item_account_user,
            Description => &self.item_description,
        }
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
                missing => values.missing,
                redirect => values.redirect,
                type_label => values.type_label,
                agent_phone => values.agent_phone,
                reason => values.reason,
                detail => values.detail,
                portal_link => values.portal_link,
            },
        )
        // Templates are validated at start; a failure here would be a bug, and an e-mail
        // with the raw template is better than none.
        .unwrap_or_else(|_| source.to_string())
    }
}

#[derive(Clone, Copy)]
pub(crate) struct Values<'a> {
    pub number: &'a str,
    pub subject: &'a str,
    pub name: &'a str,
    pub agent: &'a str,
    pub company: &'a str,
    pub support_email: &'a str,
    /// Requests for the missing checklist items, already worded.
    pub missing: &'a [&'a str],
    /// Whether the request came by a channel its type is not handled on.
    pub redirect: bool,
    pub type_label: &'a str,
    /// The personal agent's phone, where urgent matters of the type may go by phone.
    pub agent_phone: &'a str,
    pub reason: &'a str,
    pub detail: &'a str,
    /// The portal link where the customer adds what is missing (empty: none).
    pub portal_link: &'a str,
}

impl<'a> Values<'a> {
    pub fn new(
        number: &'a str,
        subject: &'a str,
        company: &'a str,
        support_email: &'a str,
    ) -> Self {
        Self {
            number,
            subject,
            name: "",
            agent: "",
            company,
            support_email,
            missing: &[],
            redirect: false,
            type_label: "",
            agent_phone: "",
            reason: "",
            detail: "",
            portal_link: "",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_fill_in_their_values() {
        let values = Values {
            name: "Luis",
            agent: "Ana",
            ..Values::new(
                "VND-000042",
                "Factura duplicada",
                "Vendomia",
                "soporte@vendomia.com",
            )
        };
        let t = EmailTemplates::spanish();
        assert_eq!(
            t.render("acknowledgement_subject", &values),
            "[VND-000042] Hemos recibido su solicitud: Factura duplicada"
        );
        let ack = t.render("acknowledgement_body", &values);
        assert!(ack.starts_with("Hola Luis:\n\nHemos recibido su solicitud y la hemos registrado con el número VND-000042."), "{ack}");
        assert!(
            !ack.contains("nos ayudaría"),
            "nothing missing, nothing asked: {ack}"
        );
        assert!(!ack.contains("urgente"), "{ack}");
        let missing = ["capturas", "cuándo ocurre"];
        let asking = Values {
            missing: &missing,
            agent_phone: "+34 600 000 000",
            ..values
        };
        let ack = t.render("acknowledgement_body", &asking);
        assert!(
            ack.contains("nos ayudaría mucho que nos enviara:\n  - capturas\n  - cuándo ocurre\n"),
            "{ack}"
        );
        assert!(
            ack.contains("«En Sitios Web, estoy creando la página"),
            "{ack}"
        );
        assert!(
            ack.contains("agente personal, Ana, al +34 600 000 000."),
            "{ack}"
        );
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
