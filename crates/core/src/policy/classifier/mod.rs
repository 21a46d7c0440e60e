//! Which support type a request is, and what kind of request it is, learned from examples.

use crate::support::SupportType;
use serde::{Deserialize, Serialize};

crate::string_enum!(
    /// What the customer is asking for. The intake checklist asks for error evidence only
    /// from error reports; other kinds need less.
    RequestKind {
        Error => "error",
        Change => "change",
        Question => "question",
        Request => "request",
    }
);

/// One labelled request. `kind` is unknown for agents' corrections, which only fix the type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingExample {
    pub subject: String,
    pub body: String,
    pub support_type: SupportType,
    pub kind: Option<RequestKind>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Classification {
    pub support_type: SupportType,
    /// Probability of `support_type`, 0–1.
    pub type_confidence: f64,
    pub kind: RequestKind,
    pub kind_confidence: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Classifier {}

impl Classifier {
    pub fn train(_examples: &[TrainingExample]) -> Classifier {
        Classifier {}
    }

    pub fn classify(&self, _subject: &str, _body: &str) -> Classification {
        Classification {
            support_type: SupportType::Technical,
            type_confidence: 0.0,
            kind: RequestKind::Error,
            kind_confidence: 0.0,
        }
    }
}

/// The labelled examples shipped with Soporte.
pub fn builtin_examples() -> Vec<TrainingExample> {
    Vec::new()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    pub trained_on: usize,
    pub held_back: usize,
    pub type_accuracy: f64,
    pub kind_accuracy: f64,
}

/// Trains on all but every fifth example and measures accuracy on those held back.
pub fn evaluate(_examples: &[TrainingExample]) -> Evaluation {
    Evaluation {
        trained_on: 0,
        held_back: 0,
        type_accuracy: 0.0,
        kind_accuracy: 0.0,
    }
}
