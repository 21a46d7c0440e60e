//! The support policy end to end: a request arrives (by e-mail, or recorded through the
//! API from WhatsApp, the phone or an integration) and Soporte decides its type, urgency,
//! missing checklist items, assignee, acknowledgement, SLA due times and channel
//! redirect. Every case runs on SQLite and on PostgreSQL.

use soporte_app::email::{IntakeOutcome, IntakeSource};
use soporte_app::{
    AccountInput, AgentInput, AgentUpdate, App, AppSettings, Principal, TicketInput, TokenOwner,
};
use soporte_core::auth::TokenScope;
use soporte_core::directory::{Absence, Role};
use soporte_core::policy::checklist::ChecklistItem::{self, *};
use soporte_core::support::{Channel, Priority, SupportType};
use soporte_core::ticket::{MessageKind, Ticket, TicketPrefix};
use soporte_store::DiskBlobStore;
use soporte_store::testkit::TestDb;
use std::sync::Arc;

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// How the request arrives.
#[derive(Clone, Copy)]
enum Via {
    /// An e-mail to the support address; `robot` marks it as automatic mail.
    Email { from: &'static str, robot: bool },
    /// Recorded through the API on a channel (an agent logging a WhatsApp message or a
    /// call, an integration), with what the recorder set explicitly.
    Recorded {
        channel: Channel,
        from: &'static str,
        support_type: Option<SupportType>,
        priority: Option<Priority>,
    },
}

struct Case {
    name: &'static str,
    via: Via,
    subject: &'static str,
    body: &'static str,
    image: bool,
    support_type: Option<SupportType>,
    priority: Priority,
    missing: &'static [ChecklistItem],
    /// Acceptable assignees by name; empty: unassigned.
    assignee: &'static [&'static str],
    acknowledged: bool,
    /// The acknowledgement names the personal agent's phone.
    urgent_phone: Option<&'static str>,
    redirect: Option<Channel>,
    /// First-response and resolution targets in business hours.
    sla: (i64, i64),
}

// Senders. Tienda Ana's personal agent is Pilar; Moda Luis's personal agent is away, so
// Berto covers; Huérfana's personal agent is away and it has no backup; a Gmail sender
// belongs to no account.
const TIENDA: &str = "marta@tienda-ana.es";
const MODA: &str = "luis@modaluis.com";
const HUERFANA: &str = "eva@huerfana.es";
const GMAIL: &str = "pepe.garcia1985@gmail.com";

const PILAR_PHONE: &str = "+34600111222";
const BERTO_PHONE: &str = "+34600333444";

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

fn cases() -> Vec<Case> {
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

struct Desk {
    app: App,
    admin: Principal,
    _blobs: tempfile::TempDir,
}

async fn desk(db: &TestDb) -> Result<Desk, Box<dyn std::error::Error>> {
    let blobs = tempfile::tempdir()?;
    let mut settings = AppSettings::new(
        TicketPrefix::parse("VND")?,
        "Vendomia",
        "soporte@vendomia.com",
    );
    // The same customers write many times here; loop protection is tested elsewhere.
    settings.email.auto_answers_per_hour = 1000;
    let app = App::new(
        db.store.clone(),
        Arc::new(DiskBlobStore::new(blobs.path())?),
        settings,
    )
    .with_mail(Arc::new(soporte_mail::MimeCodec));
    let agent =
        |email: &str, name: &str, phone: Option<&str>, role: Role, types: Vec<SupportType>| {
            AgentInput {
                email: email.into(),
                name: name.into(),
                phone: phone.map(str::to_string),
                role: Some(role),
                types,
                ..AgentInput::default()
            }
        };
    let ana = app
        .create_agent(&agent(
            "ana@vendomia.com",
            "Ana",
            None,
            Role::Admin,
            vec![Admin],
        ))
        .await?;
    let pilar = app
        .create_agent(&agent(
            "pilar@vendomia.com",
            "Pilar",
            Some(PILAR_PHONE),
            Role::Agent,
            vec![Usage],
        ))
        .await?;
    let berto = app
        .create_agent(&agent(
            "berto@vendomia.com",
            "Berto",
            Some(BERTO_PHONE),
            Role::Agent,
            vec![Usage],
        ))
        .await?;
    app.create_agent(&agent(
        "tomas@vendomia.com",
        "Tomás",
        None,
        Role::Agent,
        vec![Tech],
    ))
    .await?;
    let away = app
        .create_agent(&agent(
            "ausente@vendomia.com",
            "Ausente",
            Some("+34600999999"),
            Role::Agent,
            vec![Tech],
        ))
        .await?;
    let now = jiff::Timestamp::now();
    app.update_agent(
        away.id,
        &AgentUpdate {
            absences: Some(vec![Absence {
                starts_at: now - jiff::SignedDuration::from_hours(24),
                ends_at: now + jiff::SignedDuration::from_hours(24 * 30),
            }]),
            ..AgentUpdate::default()
        },
    )
    .await?;
    let account = |name: &str, domain: &str, personal, backup| AccountInput {
        name: name.into(),
        email_domains: vec![domain.into()],
        personal_agent_id: personal,
        backup_agent_id: backup,
        ..AccountInput::default()
    };
    app.create_account(&account(
        "Tienda Ana",
        "tienda-ana.es",
        Some(pilar.id),
        Some(berto.id),
    ))
    .await?;
    app.create_account(&account(
        "Moda Luis",
        "modaluis.com",
        Some(away.id),
        Some(berto.id),
    ))
    .await?;
    app.create_account(&account("Huérfana", "huerfana.es", Some(away.id), None))
        .await?;
    let token = app
        .issue_token(TokenOwner::Agent(ana.id), TokenScope::Admin, "")
        .await?;
    let admin = app.authenticate(&token.plaintext).await?;
    Ok(Desk {
        app,
        admin,
        _blobs: blobs,
    })
}

fn raw_email(n: usize, case: &Case, from: &str, robot: bool) -> String {
    let robot = if robot {
        "Auto-Submitted: auto-generated\r\n"
    } else {
        ""
    };
    let head = format!(
        "From: Cliente <{from}>\r\nTo: soporte@vendomia.com\r\nSubject: {}\r\nMessage-ID: <case-{n}@test>\r\n{robot}MIME-Version: 1.0\r\n",
        case.subject
    );
    let body = case.body.replace('\n', "\r\n");
    if case.image {
        format!(
            "{head}Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{body}\r\n\
--b\r\nContent-Type: image/png; name=\"captura.png\"\r\nContent-Disposition: attachment; filename=\"captura.png\"\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==\r\n--b--\r\n"
        )
    } else {
        format!(
            "{head}Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{body}\r\n"
        )
    }
}

async fn open(desk: &Desk, n: usize, case: &Case) -> Result<Ticket, Box<dyn std::error::Error>> {
    match case.via {
        Via::Email { from, robot } => {
            let outcome = desk
                .app
                .intake_email(
                    raw_email(n, case, from, robot).as_bytes(),
                    &IntakeSource::Api,
                )
                .await?;
            let IntakeOutcome::Created {
                ticket_id,
                new_ticket: true,
                ..
            } = outcome
            else {
                return Err(format!("{}: no new ticket: {outcome:?}", case.name).into());
            };
            Ok(desk.app.ticket(&desk.admin, ticket_id).await?)
        }
        Via::Recorded {
            channel,
            from,
            support_type,
            priority,
        } => Ok(desk
            .app
            .create_ticket(
                &desk.admin,
                &TicketInput {
                    subject: case.subject.into(),
                    body: case.body.into(),
                    requester_email: Some(from.into()),
                    channel: Some(channel),
                    support_type,
                    priority,
                    ..TicketInput::default()
                },
            )
            .await?),
    }
}

/// Checks one case; returns what differs, so that every failing case is reported at once.
async fn check(
    desk: &Desk,
    n: usize,
    case: &Case,
) -> Result<Vec<String>, Box<dyn std::error::Error>> {
    let ticket = open(desk, n, case).await?;
    let mut wrong = Vec::new();
    let mut expect = |what: &str, ok: bool, detail: String| {
        if !ok {
            wrong.push(format!("{what}: {detail}"));
        }
    };
    expect(
        "type",
        ticket.support_type == case.support_type,
        format!(
            "{:?} (confidence {:?}), expected {:?}",
            ticket.support_type, ticket.policy.type_confidence, case.support_type
        ),
    );
    expect(
        "priority",
        ticket.priority == case.priority,
        format!("{}, expected {}", ticket.priority, case.priority),
    );
    let checklist = ticket.policy.checklist.clone().unwrap_or_else(|| {
        soporte_core::policy::checklist::Checklist {
            items: vec![],
            complete: false,
        }
    });
    let missing: Vec<ChecklistItem> = checklist.missing().collect();
    expect(
        "missing",
        missing == case.missing,
        format!(
            "{missing:?}, expected {:?}; evidence {:?}",
            case.missing,
            checklist
                .items
                .iter()
                .filter(|i| i.present)
                .map(|i| (i.key, i.evidence.clone()))
                .collect::<Vec<_>>()
        ),
    );
    expect(
        "complete",
        checklist.complete == case.missing.is_empty(),
        format!("{}", checklist.complete),
    );

    let detail = desk.app.ticket_detail(&desk.admin, ticket.id).await?;
    let assignee = detail.assignee_name.clone().unwrap_or_default();
    let assignee_ok = if case.assignee.is_empty() {
        ticket.assignee_id.is_none()
    } else {
        case.assignee.contains(&assignee.as_str())
    };
    expect(
        "assignee",
        assignee_ok,
        format!("{assignee:?}, expected one of {:?}", case.assignee),
    );
    expect(
        "redirect",
        ticket.policy.redirect == case.redirect,
        format!("{:?}, expected {:?}", ticket.policy.redirect, case.redirect),
    );

    let answers: Vec<_> = detail
        .messages
        .iter()
        .filter(|m| m.kind == MessageKind::Outbound && m.automatic.is_some())
        .collect();
    if case.acknowledged {
        expect(
            "one acknowledgement",
            answers.len() == 1,
            format!("{} answers", answers.len()),
        );
        if let Some(ack) = answers.first() {
            let text = &ack.body_text;
            expect(
                "answered on the request's channel",
                ack.channel == ticket.channel,
                format!("{} vs {}", ack.channel, ticket.channel),
            );
            expect("number", text.contains(&ticket.number), text.clone());
            let templates = &desk.app.settings().email.templates;
            for item in [Screenshot, Location, Timing, AccountUser, Description] {
                let asked = text.contains(templates.item_request(item));
                expect(
                    &format!("asks for {item}"),
                    asked == case.missing.contains(&item),
                    text.clone(),
                );
            }
            expect(
                "model example when something is missing",
                text.contains("Política de Garantía") != case.missing.is_empty(),
                text.clone(),
            );
            match case.urgent_phone {
                Some(phone) => expect(
                    "urgent phone",
                    text.contains(&format!("al {phone}.")),
                    text.clone(),
                ),
                None => expect(
                    "no urgent phone",
                    !text.contains("Si es urgente"),
                    text.clone(),
                ),
            }
            expect(
                "redirect text",
                text.contains("se atiende por correo electrónico") == case.redirect.is_some(),
                text.clone(),
            );
        }
        let by_email = matches!(case.via, Via::Email { .. })
            || matches!(ticket.channel, Channel::Api | Channel::Portal);
        let queued = desk
            .app
            .list_outbox(&desk.admin, None)
            .await?
            .into_iter()
            .filter(|o| o.ticket_id == Some(ticket.id.0) && o.kind == "acknowledgement")
            .count();
        expect(
            "acknowledgement e-mail",
            queued == usize::from(by_email),
            format!("{queued} queued"),
        );
    } else {
        expect(
            "no acknowledgement",
            answers.is_empty(),
            format!("{} answers", answers.len()),
        );
    }

    let policy = &desk.app.settings().policy;
    let cal = &policy.calendar;
    let sla = &ticket.policy.sla;
    let first = cal.add_business_time(
        ticket.created_at,
        jiff::SignedDuration::from_hours(case.sla.0),
    );
    let resolution = cal.add_business_time(
        ticket.created_at,
        jiff::SignedDuration::from_hours(case.sla.1),
    );
    expect(
        "first response due",
        sla.first_response_due == Some(first),
        format!(
            "{:?}, expected {first} ({}h)",
            sla.first_response_due, case.sla.0
        ),
    );
    expect(
        "resolution due",
        sla.resolution_due == Some(resolution),
        format!(
            "{:?}, expected {resolution} ({}h)",
            sla.resolution_due, case.sla.1
        ),
    );
    expect(
        "sla state",
        sla.state == Some(soporte_core::policy::sla::SlaState::OnTrack)
            || sla.state == Some(soporte_core::policy::sla::SlaState::AtRisk),
        format!("{:?}", sla.state),
    );
    Ok(wrong)
}

async fn every_scenario_holds(desk: &Desk) -> TestResult {
    let cases = cases();
    assert!(cases.len() >= 50, "the suite has {} cases", cases.len());
    let mut failures = Vec::new();
    for (n, case) in cases.iter().enumerate() {
        let wrong = check(desk, n, case).await?;
        if !wrong.is_empty() {
            failures.push(format!("#{n} {}:\n    {}", case.name, wrong.join("\n    ")));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} scenarios failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    Ok(())
}

soporte_store::on_both_databases!(desk; every_scenario_holds);
