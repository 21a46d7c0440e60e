//! Training the type classifier on the shipped examples plus agents' corrections, and
//! putting the new model in use on every node.

use crate::{App, AppError, Result};
use serde::Serialize;
use soporte_core::policy::classifier::{Classifier, TrainingExample, builtin_examples, evaluate};
use soporte_store::NewClassifierModel;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrainingReport {
    pub model_id: i64,
    /// Examples trained on: the shipped ones plus corrections.
    pub examples: usize,
    pub corrections: usize,
    /// Accuracy on the held-back fifth of the examples (trained without them).
    pub type_accuracy: f64,
    pub kind_accuracy: f64,
}

impl App {
    /// Retrains on everything, measures on the held-back split, keeps the model and puts
    /// it in use.
    pub async fn train_classifier(&self) -> Result<TrainingReport> {
        let corrections = self.store.classifier_corrections().await?;
        self.train_with(corrections).await
    }

    async fn train_with(&self, corrections: Vec<TrainingExample>) -> Result<TrainingReport> {
        let mut examples = builtin_examples();
        let shipped = examples.len();
        examples.extend(corrections);
        let corrections = examples.len() - shipped;
        let measured = evaluate(&examples);
        let classifier = Classifier::train(&examples);
        let model = serde_json::to_string(&classifier)
            .map_err(|e| AppError::Internal(format!("classifier model: {e}")))?;
        let model_id = self
            .store
            .save_classifier_model(&NewClassifierModel {
                model,
                examples: examples.len() as i64,
                corrections: corrections as i64,
                type_accuracy: measured.type_accuracy,
                kind_accuracy: measured.kind_accuracy,
            })
            .await?;
        self.classifier.replace(classifier, model_id);
        Ok(TrainingReport {
            model_id,
            examples: examples.len(),
            corrections,
            type_accuracy: measured.type_accuracy,
            kind_accuracy: measured.kind_accuracy,
        })
    }

    /// Puts the newest stored model in use, if it is not already (another node, or the
    /// `classifier train` command, may have trained it). Returns its id.
    pub async fn load_classifier(&self) -> Result<Option<i64>> {
        let Some(record) = self.store.latest_classifier_model().await? else {
            return Ok(None);
        };
        if self.classifier.model_id() != Some(record.id) {
            let classifier: Classifier = serde_json::from_str(&record.model).map_err(|e| {
                AppError::Internal(format!("stored classifier model {}: {e}", record.id))
            })?;
            self.classifier.replace(classifier, record.id);
        }
        Ok(Some(record.id))
    }

    /// The scheduled retraining: only when agents corrected something since the model in
    /// use was trained.
    pub async fn retrain_if_corrected(&self) -> Result<Option<TrainingReport>> {
        let corrections = self.store.classifier_corrections().await?;
        let trained_with = self
            .store
            .latest_classifier_model()
            .await?
            .map_or(0, |m| m.corrections);
        if corrections.len() as i64 == trained_with {
            self.load_classifier().await?;
            return Ok(None);
        }
        self.train_with(corrections).await.map(Some)
    }
}
