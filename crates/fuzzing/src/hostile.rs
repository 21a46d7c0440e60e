//! Hostile input by family, at any size: what costs a parser more than linear work when
//! it is careless (nested and numerous HTML elements, nested and numerous MIME parts, many
//! headers, long quoted text, long search text). The `hostile` benchmark reads each at
//! doubling sizes and prints how the time grows; the scaling tests check that doubling
//! the size about doubles the time.

pub struct Family {
    pub name: &'static str,
    /// A size whose reading takes long enough to time (tens of milliseconds).
    pub start: usize,
    /// The input of size `n`: an e-mail, or for search, text to index and a query.
    pub input: fn(usize) -> Vec<u8>,
    /// What reads it: one of the fuzzing targets, which go through what intake does.
    pub read: fn(&[u8]),
}

fn mail_with_html(html: &str) -> Vec<u8> {
    format!(
        "From: x@spam.example\r\nSubject: hola\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/html; charset=utf-8\r\n\r\n{html}\r\n"
    )
    .into_bytes()
}

fn nested_divs(n: usize) -> Vec<u8> {
    mail_with_html(&("<div>".repeat(n) + "x"))
}

fn nested_formatting(n: usize) -> Vec<u8> {
    mail_with_html(
        &((0..n)
            .map(|i| format!("<b id=\"{i}\">"))
            .collect::<String>()
            + "x"),
    )
}

fn nested_multiparts(n: usize) -> Vec<u8> {
    let mut mail = String::from("From: x@spam.example\r\nSubject: hola\r\nMIME-Version: 1.0\r\n");
    for i in 0..n {
        mail.push_str(&format!(
            "Content-Type: multipart/mixed; boundary=\"b{i}\"\r\n\r\n--b{i}\r\n"
        ));
    }
    mail.push_str("Content-Type: text/plain\r\n\r\nx\r\n");
    for i in (0..n).rev() {
        mail.push_str(&format!("--b{i}--\r\n"));
    }
    mail.into_bytes()
}

fn many_parts(n: usize) -> Vec<u8> {
    let mut mail = String::from(
        "From: x@spam.example\r\nSubject: hola\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n",
    );
    for i in 0..n {
        mail.push_str(&format!(
            "--b\r\nContent-Type: text/plain; name=\"p{i}.txt\"\r\n\
             Content-Disposition: attachment; filename=\"p{i}.txt\"\r\n\r\nparte {i}\r\n"
        ));
    }
    mail.push_str("--b--\r\n");
    mail.into_bytes()
}

fn many_headers(n: usize) -> Vec<u8> {
    let mut mail = String::from("From: x@spam.example\r\nSubject: hola\r\n");
    for i in 0..n {
        mail.push_str(&format!("X-Relleno-{i}: valor {i}\r\n"));
    }
    mail.push_str("\r\nLa tienda no carga.\r\n");
    mail.into_bytes()
}

fn long_quote(n: usize) -> Vec<u8> {
    let mut mail = String::from(
        "From: x@spam.example\r\nSubject: Re: hola\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
         Sigue sin funcionar.\r\n\r\nEl lun, 2 nov 2026 a las 9:00, Soporte escribió:\r\n",
    );
    for i in 0..n {
        mail.push_str(&format!("> línea citada número {i} de la conversación\r\n"));
    }
    mail.into_bytes()
}

fn long_text(n: usize) -> Vec<u8> {
    (0..n)
        .map(|i| format!("facturación{i} "))
        .collect::<String>()
        .into_bytes()
}

pub const FAMILIES: [Family; 7] = [
    Family {
        name: "HTML: nested <div>",
        start: 10_000,
        input: nested_divs,
        read: crate::mime_intake,
    },
    Family {
        name: "HTML: nested <b id>",
        start: 10_000,
        input: nested_formatting,
        read: crate::mime_intake,
    },
    Family {
        name: "MIME: nested multiparts",
        start: 250,
        input: nested_multiparts,
        read: crate::mime_intake,
    },
    Family {
        name: "MIME: parts",
        start: 2_500,
        input: many_parts,
        read: crate::mime_intake,
    },
    Family {
        name: "headers",
        start: 5_000,
        input: many_headers,
        read: crate::mime_intake,
    },
    Family {
        name: "quoted text (lines)",
        start: 10_000,
        input: long_quote,
        read: crate::mime_intake,
    },
    Family {
        name: "search text (words)",
        start: 50_000,
        input: long_text,
        read: crate::search_query,
    },
];
