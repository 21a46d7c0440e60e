//! Scenario `hostile`: how the work of reading untrusted input grows with its size. Each
//! family of hostile input (nested HTML, nested and numerous MIME parts, many headers, long
//! quoted text, long search text) is read at doubling sizes, through the same functions
//! intake uses; a family whose time more than about doubles when its size doubles costs
//! more than linear work, which anyone who can send an e-mail could exploit.

use crate::report::report_figure;
use anyhow::Result;
use clap::Args;
use std::time::{Duration, Instant};

#[derive(Args)]
pub struct HostileArgs {
    /// Stop doubling a family once one reading takes longer than this many seconds.
    #[arg(long, default_value_t = 5.0)]
    max_seconds: f64,
    /// Doublings per family, at most.
    #[arg(long, default_value_t = 6)]
    steps: u32,
}

/// The largest growth allowed when the size doubles: linear work doubles, quadratic work
/// quadruples; the slack covers timer and cache noise.
const LINEAR_RATIO: f64 = 2.6;

struct Family {
    name: &'static str,
    /// The size the first reading starts from.
    start: usize,
    /// The input of size `n`: an e-mail, or (for search) plain text.
    input: fn(usize) -> Vec<u8>,
    read: fn(&[u8]),
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

fn parse(raw: &[u8]) {
    std::hint::black_box(soporte_mail::parse(raw).ok());
}

fn index(text: &[u8]) {
    let text = String::from_utf8_lossy(text);
    std::hint::black_box(soporte_core::search::index_terms(&text));
}

const FAMILIES: [Family; 7] = [
    Family {
        name: "HTML: nested <div>",
        start: 10_000,
        input: nested_divs,
        read: parse,
    },
    Family {
        name: "HTML: nested <b id>",
        start: 10_000,
        input: nested_formatting,
        read: parse,
    },
    Family {
        name: "MIME: nested multiparts",
        start: 250,
        input: nested_multiparts,
        read: parse,
    },
    Family {
        name: "MIME: parts",
        start: 2_500,
        input: many_parts,
        read: parse,
    },
    Family {
        name: "headers",
        start: 5_000,
        input: many_headers,
        read: parse,
    },
    Family {
        name: "quoted text (lines)",
        start: 10_000,
        input: long_quote,
        read: parse,
    },
    Family {
        name: "search text (words)",
        start: 50_000,
        input: long_text,
        read: index,
    },
];

pub fn run(args: HostileArgs) -> Result<()> {
    println!(
        "soporte-bench hostile: each family read at doubling sizes (load {})",
        crate::report::load_average()
    );
    for family in &FAMILIES {
        let mut previous: Option<Duration> = None;
        let mut worst = 0.0f64;
        let mut n = family.start;
        for _ in 0..args.steps {
            let input = (family.input)(n);
            let started = Instant::now();
            (family.read)(&input);
            let took = started.elapsed();
            let ratio = previous.map(|p| took.as_secs_f64() / p.as_secs_f64().max(1e-6));
            if let Some(r) = ratio {
                // Below a millisecond the timer says more than the work does.
                if took > Duration::from_millis(1) {
                    worst = worst.max(r);
                }
            }
            report_figure(
                "-",
                family.name,
                &format!(
                    "n={n:<8} {:>7} KB  {:>10.2} ms  ×{}",
                    input.len() / 1024,
                    took.as_secs_f64() * 1000.0,
                    ratio.map_or("-".to_string(), |r| format!("{r:.2}"))
                ),
                None,
            );
            if took.as_secs_f64() > args.max_seconds {
                break;
            }
            previous = Some(took);
            n *= 2;
        }
        report_figure(
            "-",
            family.name,
            &format!("worst growth per doubling ×{worst:.2}"),
            Some((&format!("≤ ×{LINEAR_RATIO}"), worst <= LINEAR_RATIO)),
        );
    }
    Ok(())
}
