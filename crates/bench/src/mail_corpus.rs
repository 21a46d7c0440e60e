//! A synthetic but realistic support inbox for the `mail` scenario, written as a Maildir.
//!
//! Intake cost depends on what the mail looks like, so the corpus imitates what a Spanish
//! helpdesk receives: customers of ~60 small companies (~300 addresses) writing from
//! Gmail, Outlook, Thunderbird and Apple Mail; subjects and display names as RFC 2047
//! encoded-words; bodies in quoted-printable, base64 or raw 8-bit, in UTF-8 or, from
//! Outlook, windows-1252; plain text, multipart/alternative or HTML only; one message in
//! five carrying a 100 KB screenshot (inline behind `cid:` in some HTML); three in ten
//! answering an earlier message of the corpus with `In-Reply-To`, `References` and the
//! parent quoted below a Gmail-style "El … escribió:" line.
//!
//! Everything comes from one fixed-seed xorshift generator, so the same N always gives
//! the same bytes and two runs measure the same work. Files go to `new/` under Maildir
//! names that sort in delivery order, and `manifest.tsv` beside `new/` records, per
//! message, the thread it belongs to, so the intake run can check its threading. The
//! manifest has the columns of the django-helpdesk peer's `gen_mail.py --manifest`, so
//! the same check runs on the peer's corpus.

use anyhow::{Context, Result, ensure};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use jiff::Timestamp;
use jiff::tz::{TimeZone, offset};
use std::collections::HashSet;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

/// The support address every message is sent to.
pub const SUPPORT_ADDRESS: &str = "soporte@vendomia.com";
/// The company running the helpdesk: an online-shop builder, as the subjects suggest.
pub const SUPPORT_COMPANY: &str = "Vendomia";

/// Fixed seed: the corpus is part of the benchmark's definition.
const SEED: u64 = 0x5EED_2026_0105_0930;
const IMAGE_BYTES: usize = 100 * 1024;
const IMAGE_PERCENT: u64 = 20;
const REPLY_PERCENT: u64 = 30;
const HTML_ONLY_PERCENT: u64 = 15;
const ALTERNATIVE_PERCENT: u64 = 35;
const COMPANY_DOMAINS: usize = 60;
const ADDRESSES_PER_DOMAIN: usize = 5;
/// Replies answer recent mail: the parent is on average this many messages back.
const MEAN_REPLY_DISTANCE: f64 = 40.0;
/// First message: Monday 5 January 2026, 09:30 in Madrid.
const FIRST_DELIVERY: &str = "2026-01-05T08:30:00Z";

/// xorshift64*: a few lines, no dependency, and the same sequence on every machine.
pub struct Xorshift(u64);

impl Xorshift {
    pub fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    pub fn percent(&mut self, p: u64) -> bool {
        self.next_u64() % 100 < p
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            let bytes = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
    }

    fn hex(&mut self, digits: usize) -> String {
        let mut out = String::with_capacity(digits);
        while out.len() < digits {
            let _ = write!(out, "{:016x}", self.next_u64());
        }
        out.truncate(digits);
        out
    }
}

const FIRST_NAMES: &[&str] = &[
    "María",
    "José",
    "Lucía",
    "Javier",
    "Carmen",
    "Antonio",
    "Sofía",
    "Manuel",
    "Elena",
    "Francisco",
    "Paula",
    "David",
    "Laura",
    "Alejandro",
    "Marta",
    "Daniel",
    "Ana",
    "Pablo",
    "Cristina",
    "Sergio",
    "Núria",
    "Íñigo",
    "Begoña",
    "Raúl",
    "Águeda",
    "Ramón",
    "Inés",
    "Óscar",
    "Rocío",
    "Jesús",
    "Montserrat",
    "Joaquín",
];
const SURNAMES: &[&str] = &[
    "García",
    "Fernández",
    "González",
    "Rodríguez",
    "López",
    "Martínez",
    "Sánchez",
    "Pérez",
    "Gómez",
    "Martín",
    "Jiménez",
    "Ruiz",
    "Hernández",
    "Díaz",
    "Moreno",
    "Muñoz",
    "Álvarez",
    "Romero",
    "Alonso",
    "Gutiérrez",
    "Navarro",
    "Torres",
    "Domínguez",
    "Vázquez",
    "Ramos",
    "Gil",
    "Ramírez",
    "Serrano",
    "Blanco",
    "Ibáñez",
    "Castaño",
    "Peña",
    "Núñez",
    "Ordóñez",
];
/// (domain label, name on the signature) of the customers' trades.
const TRADES: &[(&str, &str)] = &[
    ("ferreteria", "Ferretería"),
    ("talleres", "Talleres"),
    ("asesoria", "Asesoría"),
    ("clinica-dental", "Clínica Dental"),
    ("libreria", "Librería"),
    ("panaderia", "Panadería"),
    ("bodegas", "Bodegas"),
    ("transportes", "Transportes"),
    ("reformas", "Reformas"),
    ("inmobiliaria", "Inmobiliaria"),
    ("farmacia", "Farmacia"),
    ("optica", "Óptica"),
    ("academia", "Academia"),
    ("hostal", "Hostal"),
    ("floristeria", "Floristería"),
    ("muebles", "Muebles"),
    ("viveros", "Viveros"),
    ("gestoria", "Gestoría"),
    ("zapateria", "Zapatería"),
    ("joyeria", "Joyería"),
];
const PLACES: &[(&str, &str)] = &[
    ("lopez", "López"),
    ("garcia", "García"),
    ("del-sur", "del Sur"),
    ("norte", "Norte"),
    ("iberica", "Ibérica"),
    ("la-mancha", "La Mancha"),
    ("castellana", "Castellana"),
    ("mediterraneo", "Mediterráneo"),
    ("sanchez", "Sánchez"),
    ("el-pilar", "El Pilar"),
    ("san-anton", "San Antón"),
    ("los-alamos", "Los Álamos"),
    ("triana", "Triana"),
    ("gracia", "Gràcia"),
    ("begona", "Begoña"),
    ("ordonez", "Ordóñez"),
    ("munoz", "Muñoz"),
    ("la-huerta", "La Huerta"),
    ("montes", "Montes"),
    ("valle-verde", "Valle Verde"),
    ("ribera", "Ribera"),
    ("alameda", "Alameda"),
    ("penalara", "Peñalara"),
];
const TLDS: &[&str] = &[
    ".es", ".com", ".es", ".net", ".com.es", ".cat", ".es", ".eus",
];

/// What a customer writes about: the subject (with `{pedido}`, `{mes}`, `{factura}`
/// filled in) and sentences the body is made of.
struct Topic {
    subject: &'static str,
    lines: &'static [&'static str],
}

const TOPICS: &[Topic] = &[
    Topic {
        subject: "No puedo publicar la página",
        lines: &[
            "Cuando pulso «Publicar» en la página de inicio se queda cargando y al final sale un aviso de error.",
            "He probado con Chrome y con Firefox, y también desde el ordenador de un compañero.",
            "Ayer por la tarde funcionaba sin problemas; no hemos cambiado nada desde entonces.",
            "¿Podéis revisar si hay algún problema con nuestra cuenta?",
        ],
    },
    Topic {
        subject: "Factura duplicada",
        lines: &[
            "Este mes nos habéis cobrado dos veces la cuota del plan Profesional.",
            "En el banco aparecen dos cargos de 49,90 € con la misma fecha.",
            "Os adjunto el extracto para que lo comprobéis.",
            "¿Podéis devolvernos el importe del segundo cargo?",
        ],
    },
    Topic {
        subject: "Error al añadir un producto a la tienda",
        lines: &[
            "Al guardar un producto nuevo con variantes (talla y color) aparece «Error interno, inténtelo más tarde».",
            "Los productos sin variantes sí se guardan bien.",
            "Necesitamos tener el catálogo de primavera listo antes del lunes.",
            "Os mando una captura de pantalla del mensaje.",
        ],
    },
    Topic {
        subject: "No me llega el correo para restablecer la contraseña",
        lines: &[
            "He pedido tres veces el enlace para cambiar la contraseña y no me llega nada.",
            "Ya he mirado en la carpeta de correo no deseado.",
            "El usuario es el de siempre, la dirección de este correo.",
            "¿Me podéis enviar el enlace a mano?",
        ],
    },
    Topic {
        subject: "El pago con tarjeta falla en el último paso",
        lines: &[
            "Varios clientes nos dicen que el pago con tarjeta se queda colgado al confirmar.",
            "El TPV del banco dice que no le llega ninguna operación.",
            "Con PayPal y con transferencia el pedido se completa bien.",
            "Estamos perdiendo ventas, ¿podéis mirarlo con urgencia?",
        ],
    },
    Topic {
        subject: "¿Cómo cambio el logotipo de la web?",
        lines: &[
            "Hemos renovado la imagen de la empresa y queremos poner el logotipo nuevo.",
            "En el editor no encuentro dónde se cambia; solo me deja tocar los colores.",
            "El archivo que tenemos es un PNG de 800 × 300 píxeles, ¿sirve así?",
        ],
    },
    Topic {
        subject: "La tienda no envía los correos de confirmación de pedido",
        lines: &[
            "Desde el martes los clientes no reciben el correo de confirmación al comprar.",
            "Los pedidos sí aparecen en el panel, pero los clientes nos llaman preocupados.",
            "No hemos cambiado la configuración del correo.",
        ],
    },
    Topic {
        subject: "Cobro duplicado en la suscripción de {mes}",
        lines: &[
            "En la tarjeta de la empresa aparecen dos cargos por la suscripción de este mes.",
            "Os adjunto el justificante del banco.",
            "Necesitamos la devolución y una factura rectificativa para la gestoría.",
        ],
    },
    Topic {
        subject: "Pedido {pedido} no aparece en el panel",
        lines: &[
            "Un cliente nos ha enviado el justificante de pago del pedido, pero en el panel no aparece.",
            "El cobro sí ha llegado a la cuenta del banco.",
            "¿Puede haberse quedado a medias al volver de la pasarela de pago?",
        ],
    },
    Topic {
        subject: "Error 500 al guardar los cambios del menú",
        lines: &[
            "Al guardar el menú principal sale una página con «Error 500».",
            "Pasa solo cuando el nombre de la sección lleva tilde o eñe, por ejemplo «Diseño».",
            "Si quito la tilde se guarda sin problemas.",
        ],
    },
    Topic {
        subject: "¿Se puede exportar el listado de clientes a Excel?",
        lines: &[
            "Nuestra gestoría nos pide el listado de clientes con su NIF y dirección.",
            "He visto la opción de exportar pedidos, pero no la de clientes.",
            "¿Hay alguna forma de sacarlo en Excel o en CSV?",
        ],
    },
    Topic {
        subject: "La web tarda muchísimo en cargar",
        lines: &[
            "Desde el lunes la tienda tarda más de diez segundos en abrir cualquier página.",
            "Nos pasa en la oficina y a los clientes, con fibra y desde el móvil.",
            "No hemos subido fotos nuevas ni instalado nada.",
        ],
    },
    Topic {
        subject: "Cambiar los datos fiscales de la factura {factura}",
        lines: &[
            "En la factura sale la dirección antigua de la empresa.",
            "Nos hemos mudado a la calle Alcalá, 123, 2.º izquierda, 28009 Madrid.",
            "¿Podéis emitirla de nuevo con los datos correctos?",
        ],
    },
    Topic {
        subject: "No se calculan bien los gastos de envío a Canarias",
        lines: &[
            "Los pedidos a Canarias salen con los mismos gastos de envío que a la península.",
            "He configurado una zona aparte, pero el carrito no la tiene en cuenta.",
            "¿Me podéis decir qué estoy haciendo mal?",
        ],
    },
    Topic {
        subject: "El candado del navegador sale tachado",
        lines: &[
            "Al entrar en la tienda el navegador dice que la conexión no es segura.",
            "Creo que el certificado SSL ha caducado este fin de semana.",
            "Los clientes no se atreven a pagar con ese aviso.",
        ],
    },
    Topic {
        subject: "El formulario de contacto no envía nada",
        lines: &[
            "Cuando alguien rellena el formulario de contacto sale «Mensaje enviado», pero no nos llega.",
            "Lo he probado yo misma con dos direcciones distintas.",
            "¿Dónde se configura a qué correo llegan los mensajes?",
        ],
    },
    Topic {
        subject: "Solicitud de factura rectificativa",
        lines: &[
            "Necesitamos una factura rectificativa de la factura {factura}.",
            "El NIF que aparece no es el nuestro; el correcto es B12345678.",
            "Gracias por vuestra ayuda.",
        ],
    },
    Topic {
        subject: "El dominio no apunta a la web nueva",
        lines: &[
            "Hemos cambiado los DNS como indicaba la guía, pero el dominio sigue mostrando la web antigua.",
            "Han pasado ya más de 48 horas.",
            "¿Podéis comprobar si falta algo en vuestra parte?",
        ],
    },
    Topic {
        subject: "Las fotos del catálogo se ven pixeladas",
        lines: &[
            "Las fotos de los productos se ven borrosas en la ficha, aunque las subimos en alta resolución.",
            "En el móvil se ven todavía peor.",
            "Os adjunto un ejemplo de cómo se ve.",
        ],
    },
    Topic {
        subject: "Dar de baja a un usuario que ya no trabaja con nosotros",
        lines: &[
            "Una compañera ha dejado la empresa y queremos quitarle el acceso al panel.",
            "No me aparece la opción de eliminar usuarios, solo la de editarlos.",
            "¿Lo podéis hacer vosotros o me indicáis cómo?",
        ],
    },
];
const MONTHS: &[&str] = &[
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
];
const GREETINGS: &[&str] = &[
    "Hola,",
    "Buenos días:",
    "Buenas tardes,",
    "Hola, buenos días.",
    "Estimado equipo de soporte:",
    "Buenas,",
];
const FAREWELLS: &[&str] = &[
    "Un saludo,",
    "Gracias de antemano,",
    "Atentamente,",
    "Saludos cordiales,",
    "Muchas gracias,",
    "Un abrazo,",
];
const REPLY_LINES: &[&str] = &[
    "Gracias por la respuesta, pero el problema continúa.",
    "Lo he vuelto a probar esta mañana y sigue igual.",
    "¿Hay alguna novedad? Seguimos sin poder trabajar con normalidad.",
    "Perfecto, ya funciona. ¡Muchas gracias por la ayuda!",
    "Os adjunto otra captura con el error que aparece ahora.",
    "He hecho lo que me indicasteis y ahora sale otro mensaje distinto.",
    "Añado en copia a mi compañera, que es quien lleva la tienda.",
    "¿Podríais llamarme por teléfono? Es más fácil explicarlo así.",
    "Disculpad, se me olvidó indicar el número de pedido: {pedido}.",
    "Confirmado: el cargo duplicado ya aparece devuelto. Gracias.",
];
const WEEKDAYS: &[&str] = &["lun", "mar", "mié", "jue", "vie", "sáb", "dom"];
const MONTHS_SHORT: &[&str] = &[
    "ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic",
];

/// The mail program a person uses: it decides Message-IDs, MIME boundaries, charsets and
/// how headers are encoded, which is where real mail differs most.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Client {
    Gmail,
    Outlook,
    Thunderbird,
    AppleMail,
}

struct Person {
    name: String,
    address: String,
    domain: usize,
    company: String,
    client: Client,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum BodyKind {
    Plain,
    Alternative,
    HtmlOnly,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum TransferEncoding {
    QuotedPrintable,
    Base64,
    EightBit,
}

impl TransferEncoding {
    fn name(self) -> &'static str {
        match self {
            TransferEncoding::QuotedPrintable => "quoted-printable",
            TransferEncoding::Base64 => "base64",
            TransferEncoding::EightBit => "8bit",
        }
    }
}

/// What later replies need to know of a message already written.
struct Sent {
    message_id: String,
    references: Vec<String>,
    sender: usize,
    thread_subject: String,
    text: String,
    html_quote: String,
    date: jiff::ZonedDateTime,
    thread_root: usize,
    wave: usize,
}

/// What the generator wrote, for the summary line.
pub struct CorpusSummary {
    pub messages: usize,
    pub bytes: u64,
    pub threads: usize,
    pub replies: usize,
    pub with_image: usize,
    pub html_only: usize,
}

/// Writes `messages` e-mails to `dir/new/` (creating `cur/`, `new/` and `tmp/`) and the
/// manifest to `dir/manifest.tsv`. Refuses a Maildir that already holds mail, so two
/// corpora never mix.
pub fn generate(dir: &Path, messages: usize) -> Result<CorpusSummary> {
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(dir.join(sub))
            .with_context(|| format!("creating {}", dir.join(sub).display()))?;
    }
    let has_mail = std::fs::read_dir(dir.join("new"))?
        .chain(std::fs::read_dir(dir.join("cur"))?)
        .next()
        .is_some();
    ensure!(
        !has_mail,
        "{} already holds messages; generate into an empty directory",
        dir.display()
    );

    let mut rng = Xorshift::new(SEED);
    let people = people(&mut rng);
    let zone = TimeZone::fixed(offset(1));
    let mut delivered: Timestamp = FIRST_DELIVERY.parse()?;
    let mut sent: Vec<Sent> = Vec::with_capacity(messages);
    let mut manifest =
        String::from("seq\tfile\twave\tmessage_id\tin_reply_to\tthread_root\tkind\tcte\thas_png\n");
    let mut summary = CorpusSummary {
        messages,
        bytes: 0,
        threads: 0,
        replies: 0,
        with_image: 0,
        html_only: 0,
    };
    for seq in 1..=messages {
        delivered += jiff::SignedDuration::from_secs(20 + rng.below(580) as i64);
        let date = delivered.to_zoned_datetime(zone.clone());
        let parent = (seq > 5 && rng.percent(REPLY_PERCENT)).then(|| {
            let back = (-(1.0 - rng.unit()).ln() * MEAN_REPLY_DISTANCE) as usize;
            sent.len() - 1 - back.min(sent.len() - 1)
        });
        let mail = compose(&mut rng, &people, &sent, parent, seq, date)?;
        let file_name = format!(
            "{}.M{:06}P{}.mx1.vendomia.com",
            delivered.as_second(),
            rng.below(1_000_000),
            1_000 + rng.below(60_000)
        );
        let path = dir.join("new").join(&file_name);
        let mut file =
            std::fs::File::create(&path).with_context(|| format!("creating {}", path.display()))?;
        file.write_all(&mail.raw)?;
        summary.bytes += mail.raw.len() as u64;
        summary.with_image += usize::from(mail.has_image);
        summary.html_only += usize::from(mail.kind.starts_with("html"));
        let in_reply_to = parent.map_or("", |p| sent[p].message_id.as_str());
        match parent {
            Some(_) => summary.replies += 1,
            None => summary.threads += 1,
        }
        let _ = writeln!(
            manifest,
            "{seq}\tnew/{file_name}\t{}\t{}\t{in_reply_to}\t{}\t{}\t{}\t{}",
            mail.sent.wave,
            mail.sent.message_id,
            mail.sent.thread_root,
            mail.kind,
            mail.encoding.name(),
            u8::from(mail.has_image),
        );
        sent.push(mail.sent);
    }
    std::fs::write(dir.join("manifest.tsv"), manifest).context("writing manifest.tsv")?;
    Ok(summary)
}

/// 60 company domains with 5 addresses each: a role address, the administration, and
/// three people, so that most threads are one person but some companies write a lot.
fn people(rng: &mut Xorshift) -> Vec<Person> {
    let mut out = Vec::with_capacity(COMPANY_DOMAINS * ADDRESSES_PER_DOMAIN);
    for domain_index in 0..COMPANY_DOMAINS {
        let (trade_label, trade_name) = TRADES[domain_index % TRADES.len()];
        // A different place for each round over the trades, so no domain repeats.
        let round = domain_index / TRADES.len();
        let (place_label, place_name) =
            PLACES[(domain_index % TRADES.len() + round * 7) % PLACES.len()];
        let domain = format!(
            "{trade_label}-{place_label}{}",
            TLDS[domain_index % TLDS.len()]
        );
        let company = format!("{trade_name} {place_name}, S.L.");
        let mut used = HashSet::new();
        for slot in 0..ADDRESSES_PER_DOMAIN {
            let first = *rng.pick(FIRST_NAMES);
            let last = *rng.pick(SURNAMES);
            let name = format!("{first} {last}");
            let mut local = match slot {
                0 => "info".to_string(),
                1 => "administracion".to_string(),
                2 => ascii_label(first),
                3 => format!("{}.{}", ascii_label(first), ascii_label(last)),
                _ => format!("{}{}", &ascii_label(first)[..1], ascii_label(last)),
            };
            while !used.insert(local.clone()) {
                local.push_str(&rng.below(10).to_string());
            }
            let client = match rng.below(100) {
                0..35 => Client::Gmail,
                35..70 => Client::Outlook,
                70..85 => Client::Thunderbird,
                _ => Client::AppleMail,
            };
            out.push(Person {
                name: if slot == 0 { company.clone() } else { name },
                address: format!("{local}@{domain}"),
                domain: domain_index,
                company: company.clone(),
                client,
            });
        }
    }
    out
}

/// "Íñigo Ibáñez" → "inigoibanez": what people make of their names in addresses.
fn ascii_label(text: &str) -> String {
    text.chars()
        .filter_map(|c| {
            let plain = match c {
                'á' | 'à' | 'Á' | 'À' => 'a',
                'é' | 'è' | 'É' | 'È' => 'e',
                'í' | 'ï' | 'Í' => 'i',
                'ó' | 'ò' | 'Ó' | 'Ò' => 'o',
                'ú' | 'ü' | 'Ú' | 'Ü' => 'u',
                'ñ' | 'Ñ' => 'n',
                'ç' | 'Ç' => 'c',
                ' ' => return None,
                other => other,
            };
            Some(plain.to_ascii_lowercase())
        })
        .collect()
}

/// One generated e-mail: its bytes and what the manifest and later replies need.
struct Composed {
    raw: Vec<u8>,
    sent: Sent,
    kind: &'static str,
    encoding: TransferEncoding,
    has_image: bool,
}

fn compose(
    rng: &mut Xorshift,
    people: &[Person],
    sent: &[Sent],
    parent: Option<usize>,
    seq: usize,
    date: jiff::ZonedDateTime,
) -> Result<Composed> {
    let fill = |rng: &mut Xorshift, template: &str| {
        template
            .replace("{pedido}", &format!("PED-{}", 10_000 + rng.below(90_000)))
            .replace("{mes}", rng.pick::<&str>(MONTHS))
            .replace("{factura}", &format!("F2025-{:05}", rng.below(100_000)))
    };
    let parent = parent.map(|p| &sent[p]);

    // Who writes, about what, and the words they write.
    let (sender, subject, own_text) = match parent {
        Some(parent) => {
            // Mostly the same person answering; sometimes a colleague takes over.
            let sender = if rng.percent(80) {
                parent.sender
            } else {
                let colleague = people[parent.sender].domain * ADDRESSES_PER_DOMAIN
                    + rng.below(ADDRESSES_PER_DOMAIN);
                colleague.min(people.len() - 1)
            };
            let template = *rng.pick(REPLY_LINES);
            let reply = fill(rng, template);
            let text = format!(
                "{}\n\n{reply}\n\n{}\n{}",
                rng.pick(GREETINGS),
                rng.pick(FAREWELLS),
                people[sender].name
            );
            let prefix = if people[sender].client == Client::Outlook {
                "RE: "
            } else {
                "Re: "
            };
            (sender, format!("{prefix}{}", parent.thread_subject), text)
        }
        None => {
            let sender = rng.below(people.len());
            let topic = rng.pick(TOPICS);
            let sentences = 2 + rng.below(topic.lines.len() - 1);
            let first_line = rng.below(topic.lines.len());
            let body: Vec<String> = (0..sentences)
                .map(|i| fill(rng, topic.lines[(first_line + i) % topic.lines.len()]))
                .collect();
            let person = &people[sender];
            let text = format!(
                "{}\n\n{}\n\n{}\n{}\n{}\nTel. 9{} {:02} {:02} {:02}",
                rng.pick(GREETINGS),
                body.join(" "),
                rng.pick(FAREWELLS),
                person.name,
                person.company,
                10 + rng.below(89),
                rng.below(100),
                rng.below(100),
                rng.below(100),
            );
            (sender, fill(rng, topic.subject), text)
        }
    };
    let person = &people[sender];
    let domain = person.address.rsplit('@').next().unwrap_or("example.es");
    let client_signature = match person.client {
        Client::AppleMail if rng.percent(40) => "\n\nEnviado desde mi iPhone",
        Client::Outlook if rng.percent(20) => "\n\nObtener Outlook para Android",
        _ => "",
    };
    let own_text = format!("{own_text}{client_signature}");

    // The quoted parent, as Gmail writes it: attribution line, then "> " lines.
    let (text, html_quote_of_parent) = match parent {
        Some(parent) => {
            let author = &people[parent.sender];
            let attribution = format!(
                "El {}, {} (<{}>) escribió:",
                spanish_date(&parent.date),
                author.name,
                author.address
            );
            let quoted: Vec<String> = parent
                .text
                .lines()
                .map(|l| {
                    if l.is_empty() {
                        ">".into()
                    } else {
                        format!("> {l}")
                    }
                })
                .collect();
            let text = format!("{own_text}\n\n{attribution}\n\n{}\n", quoted.join("\n"));
            let html = format!(
                "<div class=\"gmail_quote\"><div dir=\"ltr\" class=\"gmail_attr\">{}<br></div>\
                 <blockquote class=\"gmail_quote\" style=\"margin:0px 0px 0px 0.8ex;\
                 border-left:1px solid rgb(204,204,204);padding-left:1ex\">{}</blockquote></div>",
                escape_html(&attribution),
                parent.html_quote
            );
            (text, html)
        }
        None => (format!("{own_text}\n"), String::new()),
    };
    let own_html = paragraphs_html(&own_text);

    // Shape of the message.
    let kind = match rng.below(100) as u64 {
        n if n < HTML_ONLY_PERCENT => BodyKind::HtmlOnly,
        n if n < HTML_ONLY_PERCENT + ALTERNATIVE_PERCENT => BodyKind::Alternative,
        _ => BodyKind::Plain,
    };
    let encoding = match rng.below(100) {
        0..55 => TransferEncoding::QuotedPrintable,
        55..90 => TransferEncoding::Base64,
        _ => TransferEncoding::EightBit,
    };
    let windows_1252 = person.client == Client::Outlook && rng.percent(50);
    let has_image = rng.percent(IMAGE_PERCENT);
    let inline_image = has_image && kind != BodyKind::Plain && rng.percent(50);
    let image = has_image.then(|| screenshot(rng, person.client, domain, &date, inline_image));
    let image_tag = match &image {
        Some(Image {
            content_id: Some(cid),
            filename,
            ..
        }) => format!(
            "<p><img src=\"cid:{cid}\" alt=\"{}\" width=\"640\" height=\"360\"></p>",
            escape_html(filename)
        ),
        _ => String::new(),
    };
    let html = format!(
        "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset={}\"></head>\
         <body><div dir=\"ltr\">{own_html}{image_tag}</div>{html_quote_of_parent}</body></html>\n",
        if windows_1252 {
            "windows-1252"
        } else {
            "utf-8"
        }
    );
    let text_part = || Part::Text {
        subtype: "plain",
        body: text.clone(),
        encoding,
        windows_1252,
    };
    let html_part = || Part::Text {
        subtype: "html",
        body: html.clone(),
        encoding,
        windows_1252,
    };
    let mut boundary_of = |level: usize| boundary(rng, person.client, level);
    let body = match kind {
        BodyKind::Plain => text_part(),
        BodyKind::HtmlOnly => html_part(),
        BodyKind::Alternative => Part::Multipart {
            subtype: "alternative",
            boundary: boundary_of(2),
            parts: vec![text_part(), html_part()],
        },
    };
    let body = match image {
        Some(image) if image.content_id.is_some() => Part::Multipart {
            subtype: "related",
            boundary: boundary_of(1),
            parts: vec![body, Part::Image(image)],
        },
        Some(image) => Part::Multipart {
            subtype: "mixed",
            boundary: boundary_of(0),
            parts: vec![body, Part::Image(image)],
        },
        None => body,
    };
    let kind_label = match (kind, has_image, inline_image) {
        (BodyKind::Plain, false, _) => "plain",
        (BodyKind::Plain, true, _) => "plain+png",
        (BodyKind::Alternative, false, _) => "alternative",
        (BodyKind::Alternative, true, false) => "alternative+png",
        (BodyKind::Alternative, true, true) => "alternative+inline",
        (BodyKind::HtmlOnly, false, _) => "html",
        (BodyKind::HtmlOnly, true, false) => "html+png",
        (BodyKind::HtmlOnly, true, true) => "html+inline",
    };

    // Headers, as the receiving MTA stores them.
    let message_id = message_id(rng, person.client, domain, seq);
    let mut references = parent.map(|p| p.references.clone()).unwrap_or_default();
    if let Some(parent) = parent {
        references.push(parent.message_id.clone());
    }
    let rfc2822_date = jiff::fmt::rfc2822::to_string(&date)?;
    let mut head = String::with_capacity(2048);
    let _ = write!(
        head,
        "Return-Path: <{address}>\r\nDelivered-To: {SUPPORT_ADDRESS}\r\n\
         Received: from mail-{host}.{domain} (mail-{host}.{domain} [192.0.2.{ip}])\r\n\
         \tby mx1.vendomia.com (Postfix) with ESMTPS id {queue_id}\r\n\
         \tfor <{SUPPORT_ADDRESS}>; {rfc2822_date}\r\n\
         Date: {rfc2822_date}\r\nFrom: {from}\r\nTo: Soporte {SUPPORT_COMPANY} <{SUPPORT_ADDRESS}>\r\n",
        address = person.address,
        host = rng.hex(6),
        ip = 1 + rng.below(254),
        queue_id = rng.hex(11).to_ascii_uppercase(),
        from = mailbox_header(&person.name, &person.address, person.client, windows_1252),
    );
    if rng.percent(8) {
        let colleague =
            &people[person.domain * ADDRESSES_PER_DOMAIN + rng.below(ADDRESSES_PER_DOMAIN)];
        let cc = mailbox_header(
            &colleague.name,
            &colleague.address,
            person.client,
            windows_1252,
        );
        let _ = write!(head, "Cc: {cc}\r\n");
    }
    let _ = write!(
        head,
        "Subject: {}\r\nMessage-ID: {message_id}\r\n",
        encode_header_text(&subject, person.client, windows_1252)
    );
    if let Some(parent) = parent {
        let _ = write!(
            head,
            "In-Reply-To: {}\r\nReferences: {}\r\n",
            parent.message_id,
            references.join("\r\n ")
        );
    }
    head.push_str("MIME-Version: 1.0\r\n");
    head.push_str(match person.client {
        Client::Gmail => "",
        Client::Outlook => "X-Mailer: Microsoft Outlook 16.0\r\n",
        Client::Thunderbird => "User-Agent: Mozilla Thunderbird\r\nContent-Language: es-ES\r\n",
        Client::AppleMail => "X-Mailer: iPhone Mail (21F90)\r\n",
    });
    let mut raw = head.into_bytes();
    body.render(&mut raw);

    let html_quote = format!("{own_html}{html_quote_of_parent}");
    Ok(Composed {
        raw,
        sent: Sent {
            message_id,
            thread_subject: parent.map_or_else(|| subject.clone(), |p| p.thread_subject.clone()),
            references,
            sender,
            text,
            html_quote,
            date,
            thread_root: parent.map_or(seq, |p| p.thread_root),
            wave: parent.map_or(0, |p| p.wave + 1),
        },
        kind: kind_label,
        encoding,
        has_image,
    })
}

/// "lun, 5 ene 2026 a las 9:30", as Gmail writes dates in Spanish.
fn spanish_date(date: &jiff::ZonedDateTime) -> String {
    format!(
        "{}, {} {} {} a las {}:{:02}",
        WEEKDAYS[date.weekday().to_monday_zero_offset() as usize],
        date.day(),
        MONTHS_SHORT[(date.month() - 1) as usize],
        date.year(),
        date.hour(),
        date.minute()
    )
}

fn message_id(rng: &mut Xorshift, client: Client, domain: &str, seq: usize) -> String {
    match client {
        Client::Gmail => {
            let mut bytes = [0u8; 30];
            rng.fill(&mut bytes);
            let token = STANDARD.encode(bytes).replace('/', "_");
            format!("<CA+{token}@mail.gmail.com>")
        }
        Client::Outlook => format!(
            "<{}@{}.eurprd04.prod.outlook.com>",
            rng.hex(36).to_ascii_uppercase(),
            rng.hex(12).to_ascii_uppercase()
        ),
        Client::Thunderbird => format!("<{}-{}-{}@{domain}>", rng.hex(8), rng.hex(4), rng.hex(12)),
        Client::AppleMail => format!(
            "<{}-{seq}-{}@{domain}>",
            rng.hex(8).to_ascii_uppercase(),
            rng.hex(12).to_ascii_uppercase()
        ),
    }
}

fn boundary(rng: &mut Xorshift, client: Client, level: usize) -> String {
    match client {
        Client::Gmail => format!("000000000000{}{level}", rng.hex(11)),
        Client::Outlook => format!("_00{level}_{}_", rng.hex(40).to_ascii_uppercase()),
        Client::Thunderbird => format!("------------{}{level}", rng.hex(23)),
        Client::AppleMail => format!("Apple-Mail={}-{level}", rng.hex(32).to_ascii_uppercase()),
    }
}

/// A 100 KB "screenshot": a PNG signature and header, then bytes that look random (and
/// differ for every image, so content-addressed storage cannot share them).
struct Image {
    filename: String,
    content_id: Option<String>,
    bytes: Vec<u8>,
}

fn screenshot(
    rng: &mut Xorshift,
    client: Client,
    domain: &str,
    date: &jiff::ZonedDateTime,
    inline: bool,
) -> Image {
    let mut bytes = vec![0u8; IMAGE_BYTES];
    rng.fill(&mut bytes);
    let header = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x05\0\0\0\x02\xd0\x08\x06\0\0\0";
    bytes[..header.len()].copy_from_slice(header);
    let filename = match rng.below(7) {
        0 => "captura.png".to_string(),
        1 => format!(
            "Captura de pantalla {}-{:02}-{:02} a las {}.{:02}.{:02}.png",
            date.year(),
            date.month(),
            date.day(),
            date.hour(),
            date.minute(),
            date.second()
        ),
        2 => "pantallazo.png".to_string(),
        3 => "image001.png".to_string(),
        4 => "error_tienda.png".to_string(),
        5 => format!(
            "IMG_{}{:02}{:02}_{:02}{:02}{:02}.png",
            date.year(),
            date.month(),
            date.day(),
            date.hour(),
            date.minute(),
            date.second()
        ),
        _ => "página de error.png".to_string(),
    };
    let content_id = inline.then(|| match client {
        Client::Gmail => format!("ii_{}", rng.hex(10)),
        Client::Outlook => format!(
            "image001.png@01DC{}.{}",
            rng.hex(4).to_ascii_uppercase(),
            rng.hex(8).to_ascii_uppercase()
        ),
        _ => format!("part1.{}.{}@{domain}", rng.hex(8), rng.hex(8)),
    });
    Image {
        filename,
        content_id,
        bytes,
    }
}

enum Part {
    Text {
        subtype: &'static str,
        body: String,
        encoding: TransferEncoding,
        windows_1252: bool,
    },
    Image(Image),
    Multipart {
        subtype: &'static str,
        boundary: String,
        parts: Vec<Part>,
    },
}

impl Part {
    /// Appends the part's own headers, a blank line and its body, CRLF throughout.
    fn render(&self, out: &mut Vec<u8>) {
        match self {
            Part::Text {
                subtype,
                body,
                encoding,
                windows_1252,
            } => {
                let charset = if *windows_1252 {
                    "windows-1252"
                } else {
                    "UTF-8"
                };
                let bytes = if *windows_1252 {
                    to_windows_1252(body)
                } else {
                    body.as_bytes().to_vec()
                };
                let _ = write!(
                    out,
                    "Content-Type: text/{subtype}; charset=\"{charset}\"\r\n\
                     Content-Transfer-Encoding: {}\r\n\r\n",
                    encoding.name()
                );
                match encoding {
                    TransferEncoding::QuotedPrintable => quoted_printable(&bytes, out),
                    TransferEncoding::Base64 => base64_lines(&bytes, out),
                    TransferEncoding::EightBit => {
                        for line in bytes.split(|b| *b == b'\n') {
                            out.extend_from_slice(line);
                            out.extend_from_slice(b"\r\n");
                        }
                    }
                }
            }
            Part::Image(image) => {
                let name = &image.filename;
                let (name_param, filename_param) = if name.is_ascii() {
                    (format!("\"{name}\""), format!("filename=\"{name}\""))
                } else {
                    (
                        format!("\"{}\"", encoded_word_q(name, false)),
                        format!("filename*=UTF-8''{}", percent_encode(name)),
                    )
                };
                let disposition = if image.content_id.is_some() {
                    "inline"
                } else {
                    "attachment"
                };
                let _ = write!(
                    out,
                    "Content-Type: image/png; name={name_param}\r\n\
                     Content-Disposition: {disposition}; {filename_param}\r\n\
                     Content-Transfer-Encoding: base64\r\n"
                );
                if let Some(cid) = &image.content_id {
                    let _ = write!(out, "Content-ID: <{cid}>\r\n");
                }
                out.extend_from_slice(b"\r\n");
                base64_lines(&image.bytes, out);
            }
            Part::Multipart {
                subtype,
                boundary,
                parts,
            } => {
                let _ = write!(
                    out,
                    "Content-Type: multipart/{subtype};\r\n\tboundary=\"{boundary}\"\r\n\r\n"
                );
                for part in parts {
                    let _ = write!(out, "--{boundary}\r\n");
                    part.render(out);
                }
                let _ = write!(out, "--{boundary}--\r\n");
            }
        }
    }
}

/// `Name <address>`, the name as an encoded-word when it is not plain ASCII.
fn mailbox_header(name: &str, address: &str, client: Client, windows_1252: bool) -> String {
    if name.is_ascii() {
        format!("\"{name}\" <{address}>")
    } else {
        format!(
            "{} <{address}>",
            encode_header_text(name, client, windows_1252)
        )
    }
}

/// Header text as each client encodes it: Gmail in base64 words, the others in Q words,
/// Outlook sometimes in windows-1252; plain ASCII stays as it is.
fn encode_header_text(text: &str, client: Client, windows_1252: bool) -> String {
    if text.is_ascii() {
        return text.to_string();
    }
    if client == Client::Gmail {
        encoded_words_b(text)
    } else {
        encoded_word_q(text, windows_1252)
    }
}

/// RFC 2047 B words of at most 45 bytes of UTF-8 each (75 characters encoded), split on
/// character boundaries and folded onto continuation lines.
fn encoded_words_b(text: &str) -> String {
    let mut words = Vec::new();
    let mut chunk = String::new();
    for c in text.chars() {
        if chunk.len() + c.len_utf8() > 45 {
            words.push(format!("=?UTF-8?B?{}?=", STANDARD.encode(chunk.as_bytes())));
            chunk.clear();
        }
        chunk.push(c);
    }
    if !chunk.is_empty() {
        words.push(format!("=?UTF-8?B?{}?=", STANDARD.encode(chunk.as_bytes())));
    }
    words.join("\r\n ")
}

/// RFC 2047 Q words, each at most 75 characters, folded onto continuation lines.
fn encoded_word_q(text: &str, windows_1252: bool) -> String {
    let charset = if windows_1252 { "iso-8859-1" } else { "UTF-8" };
    let prefix = format!("=?{charset}?Q?");
    let mut words = Vec::new();
    let mut word = String::new();
    for c in text.chars() {
        let mut encoded = String::new();
        let bytes = if windows_1252 {
            to_windows_1252(&c.to_string())
        } else {
            c.to_string().into_bytes()
        };
        for b in bytes {
            match b {
                b' ' => encoded.push('_'),
                // The characters RFC 2047 allows unencoded in a phrase (a display name).
                b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'!' | b'*' | b'+' | b'/' => {
                    encoded.push(b as char)
                }
                _ => {
                    let _ = write!(encoded, "={b:02X}");
                }
            }
        }
        if prefix.len() + word.len() + encoded.len() + 2 > 75 {
            words.push(format!("{prefix}{word}?="));
            word.clear();
        }
        word.push_str(&encoded);
    }
    if !word.is_empty() {
        words.push(format!("{prefix}{word}?="));
    }
    words.join("\r\n ")
}

/// Characters outside windows-1252 (none in this corpus) become '?'.
fn to_windows_1252(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            '€' => 0x80,
            c if (c as u32) < 0x100 => c as u32 as u8,
            _ => b'?',
        })
        .collect()
}

fn percent_encode(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b".-_".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// Quoted-printable (RFC 2045): lines of at most 76 characters with soft breaks, `=XX`
/// for anything but printable ASCII, trailing spaces encoded.
fn quoted_printable(bytes: &[u8], out: &mut Vec<u8>) {
    for line in bytes.split(|b| *b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let mut width = 0;
        for (i, &b) in line.iter().enumerate() {
            let last = i + 1 == line.len();
            let literal =
                (b == b' ' || b == b'\t') && !last || (33..=126).contains(&b) && b != b'=';
            let piece_len = if literal { 1 } else { 3 };
            if width + piece_len > 75 {
                out.extend_from_slice(b"=\r\n");
                width = 0;
            }
            if literal {
                out.push(b);
            } else {
                let _ = write!(out, "={b:02X}");
            }
            width += piece_len;
        }
        out.extend_from_slice(b"\r\n");
    }
}

/// Base64 in lines of 76 characters.
fn base64_lines(bytes: &[u8], out: &mut Vec<u8>) {
    let encoded = STANDARD.encode(bytes);
    for line in encoded.as_bytes().chunks(76) {
        out.extend_from_slice(line);
        out.extend_from_slice(b"\r\n");
    }
}

fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Paragraphs of `<p>`, line breaks inside a paragraph as `<br>`.
fn paragraphs_html(text: &str) -> String {
    text.split("\n\n")
        .filter(|p| !p.trim().is_empty())
        .map(|p| format!("<p>{}</p>", escape_html(p).replace('\n', "<br>")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_printable_round_trips_through_the_parser() -> Result<()> {
        let text = "¿Podéis revisar la página? Añadir un producto falla = error ";
        let mut body = Vec::new();
        quoted_printable(text.as_bytes(), &mut body);
        let raw = [
            b"From: a@b.es\r\nSubject: =?UTF-8?Q?P=C3=A1gina?=\r\nMIME-Version: 1.0\r\n\
              Content-Type: text/plain; charset=UTF-8\r\n\
              Content-Transfer-Encoding: quoted-printable\r\n\r\n"
                .as_slice(),
            &body,
        ]
        .concat();
        let mail = soporte_mail::parse(&raw)?;
        assert_eq!(mail.subject, "Página");
        assert_eq!(mail.full_text.trim_end(), text.trim_end());
        Ok(())
    }

    #[test]
    fn the_corpus_is_deterministic_and_parses() -> Result<()> {
        let (first, second) = (tempfile::tempdir()?, tempfile::tempdir()?);
        generate(first.path(), 60)?;
        generate(second.path(), 60)?;
        let manifest = std::fs::read_to_string(first.path().join("manifest.tsv"))?;
        assert_eq!(
            manifest,
            std::fs::read_to_string(second.path().join("manifest.tsv"))?
        );
        let mut names: Vec<_> = std::fs::read_dir(first.path().join("new"))?
            .map(|e| e.map(|e| e.path()))
            .collect::<std::io::Result<_>>()?;
        names.sort();
        assert_eq!(names.len(), 60);
        for path in names {
            let raw = std::fs::read(&path)?;
            let mail = soporte_mail::parse(&raw)?;
            assert!(mail.message_id.is_some(), "{}", path.display());
            assert!(!mail.subject.is_empty(), "{}", path.display());
            assert!(!mail.text.trim().is_empty(), "{}", path.display());
        }
        Ok(())
    }
}
