//! Every scenario the policy is checked against: who writes, how and what, and what Soporte
//! has to decide about it.

use crate::{BERTO_PHONE, Case, GMAIL, HUERFANA, MODA, PILAR_PHONE, TIENDA, Via};
use soporte_core::policy::checklist::ChecklistItem::*;
use soporte_core::support::{Channel, Priority, SupportType};

use SupportType::{Administrative as Admin, Technical as Tech, Usage};

const fn email(from: &'static str) -> Via {
    Via::Email { from, robot: false }
}

const fn recorded(channel: Channel, from: &'static str) -> Via {
    Via::Recorded {
        channel,
        from,
        support_type: None,
        priority: None,
    }
}

pub(super) fn cases() -> Vec<Case> {
    use Channel::{Phone, Whatsapp};
    use Priority::{Normal, Urgent};
    let c = |name, via, subject, body, image| Case {
        name,
        via,
        subject,
        body,
        image,
        support_type: None,
        priority: Normal,
        missing: &[],
        assignee: &[],
        acknowledged: true,
        urgent_phone: None,
        redirect: None,
        sla: (4, 24),
    };
    vec![
        // ---- technical: error reports need all five items
        Case {
            support_type: Some(Tech),
            assignee: &["Pilar"],
            sla: (8, 40),
            ..c(
                "the policy's model request is complete",
                email(TIENDA),
                "Se duplican los elementos de texto",
                "Hola,\n\nEn Sitios Web, estoy creando la página 'Política de Garantía' y cuando añado un elemento de texto se añaden dos elementos de golpe en lugar de uno. Os adjunto captura.\n\nGracias, Marta",
                true,
            )
        },
        Case {
            support_type: Some(Tech),
            missing: &[Screenshot, Location, Timing, Description],
            assignee: &["Pilar"],
            sla: (8, 40),
            ..c(
                "a vague error report asks for everything but the known account",
                email(TIENDA),
                "Error",
                "Hola, me sale un error y no funciona. Podéis mirarlo? Gracias",
                false,
            )
        },
        Case {
            support_type: Some(Tech),
            // "la web" names the product area (Sitios Web).
            missing: &[Screenshot, Timing, AccountUser, Description],
            assignee: &["Tomás"],
            sla: (8, 40),
            ..c(
                "an unknown sender's vague bug goes to the technical agent",
                email(GMAIL),
                "no funciona",
                "no me funciona nada de la web, se queda en blanco",
                false,
            )
        },
        Case {
            support_type: Some(Tech),
            missing: &[Screenshot],
            assignee: &["Pilar"],
            sla: (8, 40),
            ..c(
                "only the screenshot is missing",
                email(TIENDA),
                "Error al guardar un producto",
                "Buenos días. En Tienda, en la ficha del producto 'Camiseta azul', cuando pulso Guardar me sale un error 500 y los cambios no se guardan, cuando debería guardarse normalmente. Pasa desde ayer por la tarde.",
                false,
            )
        },
        Case {
            support_type: Some(Tech),
            missing: &[Timing, Description],
            assignee: &["Berto"],
            sla: (8, 40),
            ..c(
                "a backup agent covers an absent personal agent",
                email(MODA),
                "Fallo en el blog",
                "Adjunto captura del fallo en el Blog.",
                true,
            )
        },
        Case {
            support_type: Some(Tech),
            missing: &[Screenshot, AccountUser],
            assignee: &["Tomás"],
            sla: (8, 40),
            ..c(
                "an unknown sender with a good description still owes account and screenshot",
                email(GMAIL),
                "Los cupones no se aplican en el checkout",
                "Hola, en la página de checkout de mi tienda, cuando el cliente introduce el cupón VERANO10 no se aplica el descuento y el total sigue igual, cuando debería restar un 10%. Pasa desde esta mañana.",
                false,
            )
        },
        Case {
            support_type: Some(Tech),
            missing: &[Screenshot, Timing],
            assignee: &["Tomás"],
            sla: (8, 40),
            ..c(
                "an account without a covering agent goes by load to technical",
                email(HUERFANA),
                "Pedidos duplicados",
                "En Pedidos me aparecen todos los pedidos duplicados, en lugar de uno aparecen dos iguales con el mismo número.",
                false,
            )
        },
        Case {
            support_type: Some(Tech),
            missing: &[Location, Timing, Description],
            assignee: &["Pilar"],
            sla: (8, 40),
            ..c(
                "a screenshot alone is not a description",
                email(TIENDA),
                "fallo",
                "mirad la captura, va mal",
                true,
            )
        },
        Case {
            support_type: Some(Tech),
            missing: &[Screenshot, Description],
            assignee: &["Pilar"],
            sla: (8, 40),
            ..c(
                "a url names the place",
                email(TIENDA),
                "Página en blanco",
                "Desde el lunes la página https://tienda-ana.es/contacto sale en blanco.",
                false,
            )
        },
        Case {
            support_type: Some(Tech),
            missing: &[Screenshot, AccountUser],
            assignee: &["Tomás"],
            sla: (8, 40),
            ..c(
                "an English bug report",
                email(GMAIL),
                "Images not uploading",
                "Hi, when I try to upload a product image in the Products section, the upload bar reaches 100% but the image never appears, instead of showing the thumbnail. It started yesterday afternoon.",
                false,
            )
        },
        Case {
            support_type: Some(Tech),
            priority: Urgent,
            missing: &[Screenshot, Location, Timing, Description],
            assignee: &["Pilar"],
            sla: (2, 16),
            ..c(
                "an English vague report",
                email(TIENDA),
                "bug",
                "something is broken, please fix asap?? not sure what happened",
                false,
            )
        },
        // ---- technical: change requests need where and for whom
        Case {
            support_type: Some(Tech),
            assignee: &["Pilar"],
            sla: (8, 40),
            ..c(
                "a change request with its place",
                email(TIENDA),
                "Sugerencia para el editor",
                "Sería genial que el editor de Sitios Web permitiera duplicar una sección entera con un clic. Ahora hay que copiar elemento a elemento.",
                false,
            )
        },
        Case {
            support_type: Some(Tech),
            missing: &[Location, AccountUser],
            assignee: &["Tomás"],
            sla: (8, 40),
            ..c(
                "a change request without place or account",
                email(GMAIL),
                "Mejora",
                "Estaría bien poder programar publicaciones, ¿lo tenéis previsto? sería una mejora muy útil",
                false,
            )
        },
        Case {
            support_type: Some(Tech),
            missing: &[AccountUser],
            assignee: &["Tomás"],
            sla: (8, 40),
            ..c(
                "an English feature request",
                email(GMAIL),
                "Feature request: dark mode",
                "Could you add a dark mode to the editor? It would be great for working at night.",
                false,
            )
        },
        // ---- technical requests on the wrong channel are recorded and redirected
        Case {
            support_type: Some(Tech),
            missing: &[Screenshot, Timing, Description],
            assignee: &["Pilar"],
            redirect: Some(Channel::Email),
            sla: (8, 40),
            ..c(
                "a bug by WhatsApp is pointed to the support address",
                recorded(Whatsapp, TIENDA),
                "WhatsApp",
                "oye q la web da error otra vez, me lo mirais?",
                false,
            )
        },
        Case {
            support_type: Some(Tech),
            missing: &[Screenshot, Timing],
            assignee: &["Pilar"],
            redirect: Some(Channel::Email),
            sla: (8, 40),
            ..c(
                "a bug by phone is recorded and redirected",
                recorded(Phone, TIENDA),
                "Llamada: error en pagos",
                "Llama Marta: en Pagos, la pasarela de pago rechaza todas las tarjetas con el mensaje 'operación denegada' en vez de cobrar.",
                false,
            )
        },
        Case {
            support_type: Some(Tech),
            missing: &[Location, AccountUser],
            assignee: &["Tomás"],
            redirect: Some(Channel::Email),
            sla: (8, 40),
            ..c(
                "a feature idea by WhatsApp is redirected too",
                recorded(Whatsapp, GMAIL),
                "idea",
                "estaria genial que anadierais exportar a excel, seria una mejora top",
                false,
            )
        },
        // ---- usage questions need only where
        Case {
            support_type: Some(Usage),
            assignee: &["Pilar"],
            urgent_phone: Some(PILAR_PHONE),
            sla: (4, 16),
            ..c(
                "a how-to question with its place",
                email(TIENDA),
                "Cómo pongo envío gratis",
                "Hola! ¿Cómo puedo configurar en Envíos que el envío sea gratis a partir de 50 €?",
                false,
            )
        },
        Case {
            support_type: Some(Usage),
            missing: &[Location],
            assignee: &["Pilar"],
            urgent_phone: Some(PILAR_PHONE),
            sla: (4, 16),
            ..c(
                "a how-to question without a place",
                email(TIENDA),
                "duda",
                "como se hace para cambiar el color de los botones?",
                false,
            )
        },
        Case {
            support_type: Some(Usage),
            assignee: &["Pilar"],
            urgent_phone: Some(PILAR_PHONE),
            sla: (4, 16),
            ..c(
                "usage by WhatsApp is fine",
                recorded(Whatsapp, TIENDA),
                "WhatsApp",
                "hola pilar una duda, como añado un producto con tallas en la tienda?",
                false,
            )
        },
        Case {
            support_type: Some(Usage),
            assignee: &["Pilar"],
            urgent_phone: Some(PILAR_PHONE),
            sla: (4, 16),
            ..c(
                "usage by phone is fine",
                recorded(Phone, TIENDA),
                "Llamada",
                "Pregunta cómo se crea un cupón de descuento en Cupones para Black Friday.",
                false,
            )
        },
        Case {
            support_type: Some(Usage),
            missing: &[Location],
            assignee: &["Berto"],
            urgent_phone: Some(BERTO_PHONE),
            sla: (4, 16),
            ..c(
                "the covering backup agent's phone is given",
                email(MODA),
                "Pregunta",
                "Buenas, ¿cómo puedo hacer para que mis clientes se registren antes de comprar?",
                false,
            )
        },
        Case {
            support_type: Some(Usage),
            assignee: &["Pilar", "Berto"],
            sla: (4, 16),
            ..c(
                "an unknown sender's question goes to a usage agent",
                email(GMAIL),
                "How do I add a blog post?",
                "Hi! How do I publish a new post in the Blog section? Thanks",
                false,
            )
        },
        Case {
            support_type: Some(Usage),
            missing: &[Location],
            assignee: &["Pilar", "Berto"],
            sla: (4, 16),
            ..c(
                "an English how-to without place",
                email(GMAIL),
                "question",
                "hey, how can I change my logo? cant find where",
                false,
            )
        },
        Case {
            support_type: Some(Usage),
            assignee: &["Pilar"],
            urgent_phone: Some(PILAR_PHONE),
            sla: (4, 16),
            ..c(
                "a question about SEO settings",
                email(TIENDA),
                "SEO",
                "¿Dónde se cambia la meta descripción de la página de inicio? Lo busco en SEO y no lo veo.",
                false,
            )
        },
        Case {
            support_type: Some(Usage),
            assignee: &["Pilar"],
            urgent_phone: Some(PILAR_PHONE),
            sla: (4, 16),
            ..c(
                "a question about domains",
                email(TIENDA),
                "Dominio propio",
                "Quiero conectar mi dominio tiendaana.com a la web, ¿qué pasos tengo que seguir en Dominios?",
                false,
            )
        },
        // ---- administrative requests need the account
        Case {
            support_type: Some(Admin),
            assignee: &["Pilar"],
            urgent_phone: Some(PILAR_PHONE),
            sla: (8, 24),
            ..c(
                "an invoice request from a known customer is complete",
                email(TIENDA),
                "Factura de octubre",
                "Hola, ¿me podéis reenviar la factura de octubre? No la encuentro. Gracias",
                false,
            )
        },
        Case {
            support_type: Some(Admin),
            missing: &[AccountUser],
            assignee: &["Ana"],
            sla: (8, 24),
            ..c(
                "an unknown sender's invoice request asks for the account",
                email(GMAIL),
                "Factura",
                "Necesito una factura rectificativa porque el NIF está mal.",
                false,
            )
        },
        Case {
            support_type: Some(Admin),
            assignee: &["Ana"],
            sla: (8, 24),
            ..c(
                "an account named in the text counts",
                email(GMAIL),
                "Cambio de plan",
                "Hola, soy el dueño de la cuenta Ferretería López y quiero pasar al plan anual. ¿Cómo lo hacemos?",
                false,
            )
        },
        Case {
            support_type: Some(Admin),
            assignee: &["Pilar"],
            urgent_phone: Some(PILAR_PHONE),
            sla: (8, 24),
            ..c(
                "a cancellation",
                email(TIENDA),
                "Baja",
                "Queremos darnos de baja del servicio a final de mes. ¿Qué tenemos que hacer?",
                false,
            )
        },
        Case {
            support_type: Some(Admin),
            assignee: &["Pilar"],
            urgent_phone: Some(PILAR_PHONE),
            sla: (8, 24),
            ..c(
                "billing data change",
                email(TIENDA),
                "Datos de facturación",
                "Hemos cambiado de dirección fiscal, la nueva es Calle Mayor 5, Madrid. Actualizadla en las próximas facturas.",
                false,
            )
        },
        Case {
            support_type: Some(Admin),
            assignee: &["Berto"],
            urgent_phone: Some(BERTO_PHONE),
            sla: (8, 24),
            ..c(
                "adding a user to the account",
                email(MODA),
                "Nuevo usuario",
                "Hola, necesito dar de alta a un nuevo usuario en la cuenta para mi socia, con permisos de administrador.",
                false,
            )
        },
        Case {
            support_type: Some(Admin),
            assignee: &["Pilar"],
            urgent_phone: Some(PILAR_PHONE),
            sla: (8, 24),
            ..c(
                "an English invoice request",
                email(TIENDA),
                "Invoice",
                "Hello, could you send me the invoice for last month? Our accountant needs it.",
                false,
            )
        },
        Case {
            support_type: Some(Admin),
            assignee: &["Pilar"],
            redirect: Some(Channel::Email),
            urgent_phone: Some(PILAR_PHONE),
            sla: (8, 24),
            ..c(
                "a non-urgent administrative call is pointed to e-mail",
                recorded(Phone, TIENDA),
                "Llamada",
                "Pide una copia de la factura de septiembre.",
                false,
            )
        },
        Case {
            support_type: Some(Admin),
            assignee: &["Pilar"],
            redirect: Some(Channel::Email),
            urgent_phone: Some(PILAR_PHONE),
            sla: (8, 24),
            ..c(
                "administrative matters by WhatsApp are pointed to e-mail",
                recorded(Whatsapp, TIENDA),
                "WhatsApp",
                "hola me mandas la factura de este mes porfa",
                false,
            )
        },
        Case {
            support_type: Some(Admin),
            priority: Urgent,
            assignee: &["Pilar"],
            urgent_phone: Some(PILAR_PHONE),
            sla: (1, 8),
            ..c(
                "an urgent double charge by phone stays on the phone",
                recorded(Phone, TIENDA),
                "Llamada urgente",
                "Nos habéis hecho un cobro duplicado de la cuota este mes, necesitamos que nos lo devolváis.",
                false,
            )
        },
        // ---- urgency
        Case {
            support_type: Some(Tech),
            priority: Urgent,
            missing: &[Screenshot, Description],
            assignee: &["Pilar"],
            sla: (2, 16),
            ..c(
                "a shop that does not load is urgent",
                email(TIENDA),
                "URGENTE la tienda no carga",
                "La tienda no carga desde hace una hora, no puedo vender nada!!",
                false,
            )
        },
        Case {
            support_type: Some(Tech),
            priority: Urgent,
            missing: &[Screenshot, AccountUser, Description],
            assignee: &["Tomás"],
            sla: (2, 16),
            ..c(
                "an English outage is urgent",
                email(GMAIL),
                "Site is down",
                "Our site is down since 9am, customers can't buy anything. Please help ASAP.",
                false,
            )
        },
        Case {
            support_type: Some(Admin),
            priority: Urgent,
            assignee: &["Pilar"],
            urgent_phone: Some(PILAR_PHONE),
            sla: (1, 8),
            ..c(
                "a double charge by e-mail is urgent",
                email(TIENDA),
                "Cobro duplicado",
                "Nos habéis cobrado dos veces la mensualidad de noviembre. Por favor revisadlo.",
                false,
            )
        },
        Case {
            support_type: Some(Usage),
            assignee: &["Pilar"],
            urgent_phone: Some(PILAR_PHONE),
            sla: (4, 16),
            ..c(
                "no rush is not urgent",
                email(TIENDA),
                "Duda sin prisa",
                "No es urgente, pero ¿cómo cambio el orden de las categorías en la Tienda?",
                false,
            )
        },
        Case {
            support_type: Some(Tech),
            priority: Urgent,
            missing: &[Screenshot, Location, Timing, Description],
            assignee: &["Pilar"],
            redirect: Some(Channel::Email),
            sla: (2, 16),
            ..c(
                "an urgent bug by WhatsApp is still pointed to e-mail",
                recorded(Whatsapp, TIENDA),
                "WhatsApp",
                "urgente!!! no funciona nada",
                false,
            )
        },
        Case {
            support_type: Some(Usage),
            priority: Urgent,
            missing: &[Location],
            assignee: &["Pilar"],
            urgent_phone: Some(PILAR_PHONE),
            sla: (1, 4),
            ..c(
                "an explicit urgent flag from the recorder",
                Via::Recorded {
                    channel: Channel::Api,
                    from: TIENDA,
                    support_type: None,
                    priority: Some(Urgent),
                },
                "Duda",
                "¿Cómo se cambia la contraseña de un usuario?",
                false,
            )
        },
        // ---- set by whoever recorded the request
        Case {
            support_type: Some(Admin),
            assignee: &["Pilar"],
            urgent_phone: Some(PILAR_PHONE),
            sla: (8, 24),
            ..c(
                "an explicit type wins over the classifier",
                Via::Recorded {
                    channel: Channel::Api,
                    from: TIENDA,
                    support_type: Some(Admin),
                    priority: None,
                },
                "Consulta",
                "¿Cómo hago para añadir un producto?",
                false,
            )
        },
        Case {
            support_type: Some(Tech),
            missing: &[Screenshot, Location, Timing, Description],
            assignee: &["Pilar"],
            sla: (8, 40),
            ..c(
                "an explicit technical type asks for error evidence",
                Via::Recorded {
                    channel: Channel::Api,
                    from: TIENDA,
                    support_type: Some(Tech),
                    priority: None,
                },
                "Incidencia",
                "Error reportado por el cliente.",
                false,
            )
        },
        // ---- automatic mail is recorded, never answered
        Case {
            support_type: Some(Tech),
            missing: &[Screenshot, Location, Timing, Description],
            assignee: &["Pilar"],
            acknowledged: false,
            sla: (8, 40),
            ..c(
                "automatic mail is never acknowledged",
                Via::Email {
                    from: TIENDA,
                    robot: true,
                },
                "Error en el servidor",
                "Se ha producido un error en el servidor.",
                false,
            )
        },
        // ---- more everyday requests
        Case {
            support_type: Some(Tech),
            missing: &[Screenshot],
            assignee: &["Pilar"],
            sla: (8, 40),
            ..c(
                "a WhatsApp-style detailed bug by e-mail",
                email(TIENDA),
                "no va el formulario",
                "hola!! en la web el formulario de contacto no envia nada, le doy a enviar y se queda cargando en vez de mandar el mensaje. desde ayer",
                false,
            )
        },
        Case {
            support_type: Some(Tech),
            // Changing the theme is what triggers it: the moment is known.
            missing: &[],
            assignee: &["Pilar"],
            sla: (8, 40),
            ..c(
                "screenshot, place and the action that triggers it",
                email(TIENDA),
                "Plantilla descolocada",
                "En Plantillas, he cambiado al tema 'Minimal' y el menú aparece descolocado encima del logo en lugar de a la derecha. Os mando captura.",
                true,
            )
        },
        Case {
            support_type: Some(Admin),
            assignee: &["Pilar"],
            urgent_phone: Some(PILAR_PHONE),
            sla: (8, 24),
            ..c(
                "refund question is administrative",
                email(TIENDA),
                "Devolución",
                "Hola, pagamos el plan anual por error en lugar del mensual. ¿Podéis devolvernos la diferencia?",
                false,
            )
        },
        Case {
            support_type: Some(Usage),
            assignee: &["Pilar"],
            urgent_phone: Some(PILAR_PHONE),
            sla: (4, 16),
            ..c(
                "usage question about orders",
                email(TIENDA),
                "Pedidos",
                "¿Cómo marco un pedido como enviado en Pedidos para que le llegue el aviso al cliente?",
                false,
            )
        },
        Case {
            support_type: Some(Tech),
            missing: &[Screenshot, AccountUser],
            assignee: &["Tomás"],
            sla: (8, 40),
            ..c(
                "email mailbox problem described well",
                email(GMAIL),
                "No recibo correos",
                "Desde el martes no recibo ningún correo en el buzón info@ de Correo, los clientes dicen que les rebotan con error en vez de llegarme.",
                false,
            )
        },
        Case {
            support_type: Some(Usage),
            // "la foto de portada": the home page.
            missing: &[],
            assignee: &["Pilar"],
            urgent_phone: Some(PILAR_PHONE),
            sla: (4, 16),
            ..c(
                "a short usage question in capitals",
                email(TIENDA),
                "AYUDA",
                "COMO CAMBIO LA FOTO DE PORTADA??",
                false,
            )
        },
    ]
}
