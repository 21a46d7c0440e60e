//! No hostile input makes intake's work grow faster than its size: for every family of
//! `soporte_fuzzing::hostile`, read through the same functions intake uses, doubling the
//! size at most about doubles the time. Quadratic work would quadruple it.
//!
//! Times are the fastest of three readings, and a few milliseconds are allowed on top for
//! timer and scheduler noise; `soporte-bench hostile` prints the full curves.

use soporte_fuzzing::hostile::FAMILIES;
use std::time::Instant;

fn fastest(read: fn(&[u8]), input: &[u8]) -> f64 {
    (0..3)
        .map(|_| {
            let started = Instant::now();
            read(input);
            started.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

#[test]
fn doubling_any_hostile_input_at_most_about_doubles_the_work() {
    let mut failures = Vec::new();
    for family in &FAMILIES {
        let n = family.start / 2;
        let (small, large) = ((family.input)(n), (family.input)(2 * n));
        let t1 = fastest(family.read, &small);
        let t2 = fastest(family.read, &large);
        eprintln!("{}: n={n} {t1:.4} s, n={} {t2:.4} s", family.name, 2 * n);
        if t2 > 3.0 * t1 + 0.05 {
            failures.push(format!(
                "{}: {n} took {t1:.3} s, {} took {t2:.3} s",
                family.name,
                2 * n
            ));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
