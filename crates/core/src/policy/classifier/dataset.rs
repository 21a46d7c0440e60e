//! The text format of labelled examples: one per line, tab-separated
//! `support_type`, `kind`, `subject`, `body`. Lines starting with `#` and blank lines are
//! ignored. `kind` may be `-` (or empty) when unknown. In subject and body, `\n` stands for a
//! line break, `\t` for a tab and `\\` for a backslash, so a multi-line mail fits one line.

use super::{RequestKind, TrainingExample};
use crate::ValidationError;
use crate::policy::labelled::unescape;
use crate::support::SupportType;

const COLUMNS: usize = 4;

/// Parses labelled examples; the error names the first offending line (1-based).
pub fn parse_examples(text: &str) -> Result<Vec<TrainingExample>, ValidationError> {
    let mut examples = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        examples.push(
            parse_line(line)
                .map_err(|message| ValidationError::new(format!("line {number}"), message))?,
        );
    }
    Ok(examples)
}

fn parse_line(line: &str) -> Result<TrainingExample, String> {
    let columns: Vec<&str> = line.split('\t').collect();
    let [support_type, kind, subject, body] = columns.as_slice() else {
        return Err(format!(
            "expected {COLUMNS} tab-separated columns (support_type, kind, subject, body), found {}",
            columns.len()
        ));
    };
    let support_type: SupportType = support_type
        .trim()
        .parse()
        .map_err(|e: ValidationError| e.to_string())?;
    let kind = match kind.trim() {
        "" | "-" => None,
        other => Some(
            other
                .parse::<RequestKind>()
                .map_err(|e: ValidationError| e.to_string())?,
        ),
    };
    let subject = unescape(subject).map_err(|e| format!("subject: {e}"))?;
    let body = unescape(body).map_err(|e| format!("body: {e}"))?;
    if subject.trim().is_empty() && body.trim().is_empty() {
        return Err("subject and body are both empty".to_string());
    }
    Ok(TrainingExample {
        subject,
        body,
        support_type,
        kind,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_lines_comments_and_escapes() {
        let text = "# comment\n\ntechnical\terror\tNo carga\tHola\\nla tienda no carga\\\\x\nusage\t-\t\t¿Cómo pongo un cupón?\r\n";
        let examples = match parse_examples(text) {
            Ok(examples) => examples,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(
            examples,
            vec![
                TrainingExample {
                    subject: "No carga".into(),
                    body: "Hola\nla tienda no carga\\x".into(),
                    support_type: SupportType::Technical,
                    kind: Some(RequestKind::Error),
                },
                TrainingExample {
                    subject: String::new(),
                    body: "¿Cómo pongo un cupón?".into(),
                    support_type: SupportType::Usage,
                    kind: None,
                },
            ]
        );
    }

    #[test]
    fn errors_name_the_line() {
        let cases = [
            ("# ok\ntechnical\terror\tonly three", "line 2", "columns"),
            (
                "usage\tquestion\ta\tb\nbilling\trequest\ta\tb",
                "line 2",
                "SupportType",
            ),
            ("usage\tasking\ta\tb", "line 1", "RequestKind"),
            ("usage\tquestion\ta\tb\\q", "line 1", "escape"),
            ("\n\nusage\tquestion\t \t", "line 3", "empty"),
        ];
        for (text, field, fragment) in cases {
            match parse_examples(text) {
                Ok(examples) => panic!("{text:?} parsed as {examples:?}"),
                Err(e) => {
                    assert_eq!(e.field, field, "{text:?}");
                    assert!(e.message.contains(fragment), "{text:?}: {e}");
                }
            }
        }
    }
}
