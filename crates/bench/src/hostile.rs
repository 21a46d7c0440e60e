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

/// The largest growth allowed: time ∝ size^k with k near 1 is linear work, k near 2
/// quadratic; the slack covers caches and memory that thin out at the largest sizes.
const MAX_EXPONENT: f64 = 1.3;

struct Family {
    name: &'static str,
    /// The size the first reading starts from.
    start: usize,
    /// The input of size `n`: an e-mail, or (for search) plain text.
    input: fn(usize) -> Vec<u8>,
    read: fn(&[u8]),
}

/// Readings shorter than this are too noisy to judge growth by.
const MEASURABLE: Duration = Duration::from_millis(3);

/// The fastest of up to three readings (one, when a reading takes over a tenth of the time
/// allowed), so that a busy moment of the machine does not read as growth.
fn fastest_reading(read: fn(&[u8]), input: &[u8], max_seconds: f64) -> Duration {
    let mut fastest = Duration::MAX;
    for _ in 0..3 {
        let started = Instant::now();
        read(input);
        fastest = fastest.min(started.elapsed());
        if fastest.as_secs_f64() > max_seconds / 10.0 {
            break;
        }
    }
    fastest
}

/// k in time ∝ size^k, from the first reading long enough to measure to the last one.
fn growth_exponent(readings: &[(usize, Duration)]) -> f64 {
    let (Some(first), Some(last)) = (readings.first(), readings.last()) else {
        return 0.0;
    };
    let (n0, t0) = readings
        .iter()
        .find(|(n, t)| *t >= MEASURABLE && *n < last.0)
        .unwrap_or(first);
    let (n1, t1) = last;
    if n1 <= n0 {
        return 0.0;
    }
    (t1.as_secs_f64() / t0.as_secs_f64().max(1e-9)).ln() / (*n1 as f64 / *n0 as f64).ln()
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
        let mut readings: Vec<(usize, Duration)> = Vec::new();
        let mut n = family.start;
        for _ in 0..args.steps {
            let input = (family.input)(n);
            let took = fastest_reading(family.read, &input, args.max_seconds);
            let ratio = readings
                .last()
                .map(|(_, p)| took.as_secs_f64() / p.as_secs_f64().max(1e-9));
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
            readings.push((n, took));
            if took.as_secs_f64() > args.max_seconds {
                break;
            }
            n *= 2;
        }
        let exponent = growth_exponent(&readings);
        report_figure(
            "-",
            family.name,
            &format!("time grows as size^{exponent:.2}"),
            Some((&format!("≤ size^{MAX_EXPONENT}"), exponent <= MAX_EXPONENT)),
        );
    }
    Ok(())
}
