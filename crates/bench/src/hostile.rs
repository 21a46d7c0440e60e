//! Scenario `hostile`: how the work of reading untrusted input grows with its size. Each
//! family of hostile input (nested HTML, nested and numerous MIME parts, many headers, long
//! quoted text, long search text; `soporte_fuzzing::hostile`) is read at doubling sizes,
//! through the same functions intake uses; a family whose time more than about doubles when its size doubles costs
//! more than linear work, which anyone who can send an e-mail could exploit.

use crate::report::report_figure;
use anyhow::Result;
use clap::Args;
use soporte_fuzzing::hostile::FAMILIES;
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
