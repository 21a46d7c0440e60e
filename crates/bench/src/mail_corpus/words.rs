//! The words the corpus is made of: names, trades and places for the senders, and what
//! customers write about, how they greet and how they sign off, in Spanish.

pub(super) const FIRST_NAMES: &[&str] = &[
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
pub(super) const SURNAMES: &[&str] = &[
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
pub(super) const TRADES: &[(&str, &str)] = &[
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
pub(super) const PLACES: &[(&str, &str)] = &[
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
pub(super) const TLDS: &[&str] = &[
    ".es", ".com", ".es", ".net", ".com.es", ".cat", ".es", ".eus",
];

/// What a customer writes about: the subject (with `{pedido}`, `{mes}`, `{factura}`
/// filled in) and sentences the body is made of.
pub(super) struct Topic {
    pub(super) subject: &'static str,
    pub(super) lines: &'static [&'static str],
}

pub(super) const TOPICS: &[Topic] = &[
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
pub(super) const MONTHS: &[&str] = &[
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
pub(super) const GREETINGS: &[&str] = &[
    "Hola,",
    "Buenos días:",
    "Buenas tardes,",
    "Hola, buenos días.",
    "Estimado equipo de soporte:",
    "Buenas,",
];
pub(super) const FAREWELLS: &[&str] = &[
    "Un saludo,",
    "Gracias de antemano,",
    "Atentamente,",
    "Saludos cordiales,",
    "Muchas gracias,",
    "Un abrazo,",
];
pub(super) const REPLY_LINES: &[&str] = &[
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
pub(super) const WEEKDAYS: &[&str] = &["lun", "mar", "mié", "jue", "vie", "sáb", "dom"];
pub(super) const MONTHS_SHORT: &[&str] = &[
    "ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic",
];
