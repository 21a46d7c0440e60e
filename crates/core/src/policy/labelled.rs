//! Labelled data for training and measuring the policy's detectors: the TSV conventions
//! the shipped sets share, and agreement between a detector and the labels.

use crate::ValidationError;
use serde::{Deserialize, Serialize};

/// A text field of a labelled TSV file: `\n`, `\t` and `\\` stand for a newline, a tab and
/// a backslash. Any other escape is a mistake in the file, reported rather than guessed.
pub fn unescape(field: &str) -> Result<String, String> {
    let mut out = String::with_capacity(field.len());
    let mut chars = field.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('\\') => out.push('\\'),
            Some(other) => return Err(format!("unknown escape \\{other}")),
            None => return Err("a backslash ends the field".to_string()),
        }
    }
    Ok(out)
}

/// The data lines of a labelled TSV file, each split into fields: comments (`#`), blank lines
/// and the header line (its first field is `header`) are skipped.
pub fn labelled_rows<'a>(
    tsv: &'a str,
    header: &'a str,
    columns: usize,
) -> impl Iterator<Item = Result<(usize, Vec<&'a str>), ValidationError>> + 'a {
    tsv.lines()
        .enumerate()
        .filter(move |(_, line)| {
            let line = line.trim_end_matches('\r');
            !line.trim().is_empty()
                && !line.starts_with('#')
                && line.split('\t').next() != Some(header)
        })
        .map(move |(n, line)| {
            let fields: Vec<&str> = line.trim_end_matches('\r').split('\t').collect();
            if fields.len() == columns {
                Ok((n + 1, fields))
            } else {
                Err(ValidationError::new(
                    "labelled_tsv",
                    format!(
                        "line {}: expected {columns} tab-separated fields, found {}",
                        n + 1,
                        fields.len()
                    ),
                ))
            }
        })
}

/// A 0/1 field of a labelled TSV file.
pub fn labelled_flag(field: &str, line: usize, column: &str) -> Result<bool, ValidationError> {
    match field.trim() {
        "1" => Ok(true),
        "0" => Ok(false),
        other => Err(ValidationError::new(
            "labelled_tsv",
            format!("line {line}: {column} must be 0 or 1, found {other:?}"),
        )),
    }
}

/// How well a detector agrees with labels; "positive" means the label is true.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Agreement {
    pub true_pos: usize,
    pub false_pos: usize,
    pub false_neg: usize,
    pub true_neg: usize,
}

impl Agreement {
    pub fn record(&mut self, labelled: bool, detected: bool) {
        match (labelled, detected) {
            (true, true) => self.true_pos += 1,
            (false, true) => self.false_pos += 1,
            (true, false) => self.false_neg += 1,
            (false, false) => self.true_neg += 1,
        }
    }

    /// Of what the detector found, the share that was there (1 when it found nothing).
    pub fn precision(&self) -> f64 {
        ratio(self.true_pos, self.false_pos)
    }

    /// Of what was there, the share the detector found (1 when nothing was there).
    pub fn recall(&self) -> f64 {
        ratio(self.true_pos, self.false_neg)
    }
}

fn ratio(hits: usize, misses: usize) -> f64 {
    if hits + misses == 0 {
        1.0
    } else {
        hits as f64 / (hits + misses) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_are_read_and_mistakes_reported() {
        assert_eq!(unescape("a\\nb\\\\n\\t").as_deref(), Ok("a\nb\\n\t"));
        assert!(unescape("a\\x").is_err());
        assert!(unescape("a\\").is_err());
    }

    #[test]
    fn precision_and_recall_count_the_right_cells() {
        let mut a = Agreement::default();
        for (labelled, detected) in [
            (true, true),
            (true, true),
            (false, true),
            (true, false),
            (false, false),
        ] {
            a.record(labelled, detected);
        }
        assert!((a.precision() - 2.0 / 3.0).abs() < 1e-9);
        assert!((a.recall() - 2.0 / 3.0).abs() < 1e-9);
        assert_eq!(Agreement::default().precision(), 1.0);
    }
}
