//! The policy engine's quality and speed: the classifier's accuracy on the held-back fifth
//! of its training set, the intake checklist detectors' precision and recall per item and
//! urgency detection's on their labelled sets, and the time one intake decision takes.

use crate::report::report_figure;
use anyhow::{Result, anyhow};
use soporte_core::policy::checklist;
use soporte_core::policy::classifier::{Classifier, builtin_examples, evaluate};
use soporte_core::policy::intake::{IntakeRequest, decide_intake};
use soporte_core::policy::labelled::Agreement;
use soporte_core::policy::rules::Policy;
use soporte_core::policy::urgency;
use soporte_core::support::Channel;
use std::time::Instant;

const CHECKLIST_SET: &str = include_str!("../../core/data/checklist/labelled.tsv");
const URGENCY_SET: &str = include_str!("../../core/data/checklist/urgency.tsv");
/// Labelled by someone who had not seen the detectors: the fairer measure.
const INDEPENDENT_CHECKLIST_SET: &str =
    include_str!("../../core/data/checklist/independent-checklist.tsv");
const INDEPENDENT_URGENCY_SET: &str =
    include_str!("../../core/data/checklist/independent-urgency.tsv");

#[derive(clap::Args)]
pub struct PolicyArgs {
    /// Intake decisions to time (classification, urgency, checklist, channel rule).
    #[arg(long, default_value_t = 20_000)]
    decisions: usize,
}

fn agreement(a: &Agreement) -> String {
    format!(
        "precision {:.3}  recall {:.3}  (tp {} fp {} fn {} tn {})",
        a.precision(),
        a.recall(),
        a.true_pos,
        a.false_pos,
        a.false_neg,
        a.true_neg
    )
}

pub fn run(args: PolicyArgs) -> Result<()> {
    let examples = builtin_examples();
    let started = Instant::now();
    let measured = evaluate(&examples);
    let took = started.elapsed();
    report_figure(
        "core",
        "classifier type accuracy",
        &format!(
            "{:.1}% on {} held back ({} trained on, {:.0} ms)",
            measured.type_accuracy * 100.0,
            measured.held_back,
            measured.trained_on,
            took.as_secs_f64() * 1000.0
        ),
        Some(("≥ 90%", measured.type_accuracy >= 0.9)),
    );
    report_figure(
        "core",
        "classifier kind accuracy",
        &format!("{:.1}%", measured.kind_accuracy * 100.0),
        None,
    );
    for (set, checklist_tsv, urgency_tsv) in [
        ("detectors' own set", CHECKLIST_SET, URGENCY_SET),
        (
            "independent set",
            INDEPENDENT_CHECKLIST_SET,
            INDEPENDENT_URGENCY_SET,
        ),
    ] {
        let scores =
            checklist::measure(checklist_tsv).map_err(|e| anyhow!("{set}, checklist: {e}"))?;
        for s in &scores {
            report_figure(
                "core",
                &format!("checklist {} ({set})", s.item),
                &agreement(&s.agreement),
                None,
            );
        }
        let u = urgency::measure(urgency_tsv).map_err(|e| anyhow!("{set}, urgency: {e}"))?;
        report_figure("core", &format!("urgency ({set})"), &agreement(&u), None);
    }

    let classifier = Classifier::train(&examples);
    let policy = Policy::default();
    let texts: Vec<(&str, &str)> = examples
        .iter()
        .map(|e| (e.subject.as_str(), e.body.as_str()))
        .collect();
    if texts.is_empty() {
        return Err(anyhow!("no training examples to time decisions on"));
    }
    let started = Instant::now();
    let mut urgent = 0usize;
    for i in 0..args.decisions {
        let (subject, text) = texts[i % texts.len()];
        let d = decide_intake(
            &policy,
            &classifier,
            &IntakeRequest {
                subject,
                text,
                channel: Channel::Email,
                has_image: false,
                known_sender: None,
                support_type: None,
                priority: None,
            },
        );
        urgent += usize::from(d.urgency.is_some());
    }
    let per = started.elapsed().as_secs_f64() * 1e6 / args.decisions as f64;
    report_figure(
        "core",
        "intake decision",
        &format!(
            "{per:.0} µs each over {} requests ({urgent} urgent)",
            args.decisions
        ),
        None,
    );
    Ok(())
}
