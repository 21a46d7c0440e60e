//! Multinomial logistic regression (softmax regression) over a request's features.
//!
//! Naive Bayes counts every feature as independent evidence; requests repeat the same idea
//! in several features (a word's Spanish and English stems, the pairs it is part of), so
//! naive Bayes overcounts and its probabilities are near 0 or 1. Logistic regression
//! learns how much each feature adds given the others, which on this data is both more
//! accurate and gives probabilities that mean something as confidence.
//!
//! Training is stochastic gradient descent in a fixed order, so the same examples always
//! give the same model. Weights are stored as integers (millionths): JSON round-trips
//! them exactly, so a stored model classifies exactly like the one that was trained.

use super::features::{Features, FnvBuild};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::fmt;

/// Passes over the training data. On a few hundred requests, more passes do not improve
/// accuracy on requests held back from training.
const EPOCHS: usize = 20;
const LEARNING_RATE: f64 = 1.0;
/// L2 penalty: keeps the weight of a word seen in one or two requests small, which is what
/// lets the model generalise from few examples.
const L2: f64 = 1e-4;
/// A feature must occur in this many training requests to get a weight: one occurrence
/// is mostly a name, a typo or a number, and would only bloat the stored model.
const MIN_REQUESTS: u32 = 2;
/// Weights are stored in millionths.
const SCALE: f64 = 1_000_000.0;

/// What is stored: the classes, how many training requests each had, a bias per class
/// and, per feature, a weight per class; weights in millionths.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Weights<L> {
    pub classes: Vec<L>,
    pub documents: Vec<u32>,
    pub bias: Vec<i64>,
    pub features: BTreeMap<String, Vec<i64>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    try_from = "Weights<L>",
    into = "Weights<L>",
    bound(
        serialize = "L: Serialize + Copy",
        deserialize = "L: Deserialize<'de> + Copy"
    )
)]
pub(crate) struct Logistic<L> {
    weights: Weights<L>,
    table: Table,
}

/// The weights as floats, for classification. The hash map is only looked up, never
/// iterated, so results do not depend on its order.
#[derive(Clone, PartialEq)]
struct Table {
    index: HashMap<String, usize, FnvBuild>,
    /// Row per feature (in `index` order), column per class.
    weights: Vec<f64>,
    bias: Vec<f64>,
}

impl fmt::Debug for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Table")
            .field("features", &self.index.len())
            .field("bias", &self.bias)
            .finish()
    }
}

impl<L: Copy> Logistic<L> {
    /// Trains on `(features, class index)` pairs; pairs with an index out of range are
    /// ignored.
    pub(crate) fn train<'a>(
        classes: &[L],
        examples: impl IntoIterator<Item = (&'a Features, usize)>,
    ) -> Logistic<L> {
        let width = classes.len();
        let mut documents = vec![0u32; width];
        let mut labelled: Vec<(&Features, usize)> = Vec::new();
        let mut frequency: BTreeMap<&str, u32> = BTreeMap::new();
        for (features, class) in examples {
            let Some(count) = documents.get_mut(class) else {
                continue;
            };
            *count = count.saturating_add(1);
            for (feature, _) in features.iter() {
                *frequency.entry(feature).or_default() += 1;
            }
            labelled.push((features, class));
        }
        let vocabulary: BTreeMap<&str, usize> = frequency
            .into_iter()
            .filter(|&(_, requests)| requests >= MIN_REQUESTS)
            .enumerate()
            .map(|(column, (feature, _))| (feature, column))
            .collect();
        let rows: Vec<(Vec<(usize, f64)>, usize)> = labelled
            .into_iter()
            .map(|(features, class)| {
                let norm = features.norm();
                let row = features
                    .iter()
                    .filter_map(|(feature, weight)| {
                        Some((*vocabulary.get(feature)?, weight / norm))
                    })
                    .collect();
                (row, class)
            })
            .collect();
        let mut weights = vec![0.0; vocabulary.len() * width];
        let mut bias = vec![0.0; width];
        let mut scores = vec![0.0; width];
        let mut order: Vec<usize> = (0..rows.len()).collect();
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        for epoch in 0..EPOCHS {
            shuffle(&mut order, &mut seed);
            // Shrinking steps let the weights settle instead of chasing the last examples.
            let rate = LEARNING_RATE / (1.0 + epoch as f64 * 0.1);
            for &i in &order {
                let Some((row, class)) = rows.get(i) else {
                    continue;
                };
                scores.copy_from_slice(&bias);
                for &(column, x) in row {
                    let w = &weights[column * width..(column + 1) * width];
                    for (score, w) in scores.iter_mut().zip(w) {
                        *score += x * w;
                    }
                }
                softmax(&mut scores);
                for (c, p) in scores.iter().enumerate() {
                    let gradient = p - if c == *class { 1.0 } else { 0.0 };
                    bias[c] -= rate * gradient;
                    // Only the weights of the features present decay: the usual sparse
                    // approximation of L2, keeping a step proportional to the text, not
                    // to the vocabulary.
                    for &(column, x) in row {
                        let w = &mut weights[column * width + c];
                        *w -= rate * (gradient * x + L2 * *w);
                    }
                }
            }
        }
        let quantize = |w: f64| (w * SCALE).round() as i64;
        let mut stored = BTreeMap::new();
        for (feature, column) in vocabulary {
            let row = weights
                .get(column * width..(column + 1) * width)
                .map(|row| row.iter().copied().map(quantize).collect())
                .unwrap_or_else(|| vec![0; width]);
            stored.insert(feature.to_string(), row);
        }
        Logistic::from_weights(Weights {
            classes: classes.to_vec(),
            documents,
            bias: bias.into_iter().map(quantize).collect(),
            features: stored,
        })
    }

    pub(crate) fn classes(&self) -> &[L] {
        &self.weights.classes
    }

    /// The probability of each class, in class order, summing to 1. Features never seen
    /// in training add nothing to any class. A text without any known feature gets the
    /// classes' share of the training requests: there is no evidence, and the biases alone
    /// would be overconfident, having been learnt alongside features that are now absent.
    pub(crate) fn posteriors(&self, features: &Features) -> Vec<f64> {
        let width = self.weights.classes.len();
        let norm = features.norm();
        let mut scores = self.table.bias.clone();
        let mut known = false;
        for (feature, weight) in features.iter() {
            let Some(&row) = self.table.index.get(feature) else {
                continue;
            };
            known = true;
            let Some(weights) = self.table.weights.get(row * width..(row + 1) * width) else {
                continue;
            };
            let x = weight / norm;
            for (score, w) in scores.iter_mut().zip(weights) {
                *score += x * w;
            }
        }
        if !known {
            return self.priors();
        }
        softmax(&mut scores);
        scores
    }

    /// Share of the training requests per class, add-one smoothed so that an untrained
    /// model is uniform.
    fn priors(&self) -> Vec<f64> {
        let documents = &self.weights.documents;
        let total: f64 = documents.iter().map(|&d| f64::from(d)).sum();
        let width = documents.len() as f64;
        documents
            .iter()
            .map(|&d| (f64::from(d) + 1.0) / (total + width))
            .collect()
    }

    fn from_weights(weights: Weights<L>) -> Logistic<L> {
        let width = weights.classes.len();
        let mut index =
            HashMap::with_capacity_and_hasher(weights.features.len(), FnvBuild::default());
        let mut table = Vec::with_capacity(weights.features.len() * width);
        for (row, (feature, values)) in weights.features.iter().enumerate() {
            index.insert(feature.clone(), row);
            table.extend(values.iter().map(|&w| w as f64 / SCALE));
        }
        let bias = weights.bias.iter().map(|&b| b as f64 / SCALE).collect();
        Logistic {
            table: Table {
                index,
                weights: table,
                bias,
            },
            weights,
        }
    }
}

impl<L: Copy> TryFrom<Weights<L>> for Logistic<L> {
    type Error = String;

    fn try_from(weights: Weights<L>) -> Result<Self, Self::Error> {
        let width = weights.classes.len();
        if width == 0 {
            return Err("a model needs at least one class".to_string());
        }
        if weights.documents.len() != width {
            return Err(format!(
                "{} document counts for {width} classes",
                weights.documents.len()
            ));
        }
        if weights.bias.len() != width {
            return Err(format!("{} biases for {width} classes", weights.bias.len()));
        }
        if let Some((feature, row)) = weights.features.iter().find(|(_, row)| row.len() != width) {
            return Err(format!(
                "feature {feature:?} has {} weights for {width} classes",
                row.len()
            ));
        }
        Ok(Logistic::from_weights(weights))
    }
}

impl<L> From<Logistic<L>> for Weights<L> {
    fn from(model: Logistic<L>) -> Weights<L> {
        model.weights
    }
}

/// Fisher–Yates with a fixed-seed xorshift generator: the order varies between epochs, as
/// stochastic gradient descent needs, but not between runs.
fn shuffle(order: &mut [usize], seed: &mut u64) {
    for i in (1..order.len()).rev() {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        let j = (*seed % (i as u64 + 1)) as usize;
        order.swap(i, j);
    }
}

/// Turns scores into probabilities in place; subtracting the maximum keeps `exp` from
/// overflowing.
pub(crate) fn softmax(scores: &mut [f64]) {
    let max = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !max.is_finite() {
        let uniform = 1.0 / scores.len().max(1) as f64;
        scores.iter_mut().for_each(|s| *s = uniform);
        return;
    }
    let mut sum = 0.0;
    for score in scores.iter_mut() {
        *score = (*score - max).exp();
        sum += *score;
    }
    for score in scores.iter_mut() {
        *score /= sum;
    }
}

/// Index of the largest value; the first wins a tie, so results do not depend on chance.
pub(crate) fn argmax(values: &[f64]) -> usize {
    let mut best = 0;
    for (i, &value) in values.iter().enumerate() {
        if values.get(best).is_some_and(|&b| value > b) {
            best = i;
        }
    }
    best
}
