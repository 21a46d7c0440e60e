//! The classifier's memory: agents' type corrections (training examples) and the trained
//! models every instance puts in use.

use crate::Result;
use async_trait::async_trait;
use jiff::Timestamp;
use soporte_core::policy::classifier::TrainingExample;

#[async_trait]
pub trait ClassifierStore: Send + Sync {
    /// Agents' type corrections as training examples (the latest per ticket), with the
    /// ticket's subject and first message.
    async fn classifier_corrections(&self) -> Result<Vec<TrainingExample>>;
    async fn save_classifier_model(&self, model: &NewClassifierModel) -> Result<i64>;
    async fn latest_classifier_model(&self) -> Result<Option<ClassifierModelRecord>>;
}

/// A trained classifier to keep, with how it measured.
#[derive(Debug, Clone, PartialEq)]
pub struct NewClassifierModel {
    /// The model as JSON (`soporte_core::policy::classifier::Classifier`).
    pub model: String,
    pub examples: i64,
    pub corrections: i64,
    pub type_accuracy: f64,
    pub kind_accuracy: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ClassifierModelRecord {
    pub id: i64,
    pub model: String,
    pub examples: i64,
    pub corrections: i64,
    pub type_accuracy: f64,
    pub kind_accuracy: f64,
    pub created_at: Timestamp,
}
