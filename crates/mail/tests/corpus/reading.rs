//! Reading the corpus: its manifest, the `.eml` files under it, and what a panic said.

use crate::expectations::Row;
use std::collections::BTreeMap;
use std::error::Error;
use std::path::Path;

/// MANIFEST.tsv by file name. Fields holding quotes are quoted CSV-style (`"a ""b"""`).
pub(super) fn read_manifest(path: &Path) -> Result<BTreeMap<String, Row>, Box<dyn Error>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the manifest {}: {e}", path.display()))?;
    let mut records = split_tsv(&text).into_iter();
    let header = records.next().ok_or("the manifest is empty")?;
    let mut rows = BTreeMap::new();
    for (line, record) in records.enumerate() {
        if record.len() != header.len() {
            return Err(format!(
                "manifest record {} has {} fields, the header {}",
                line + 2,
                record.len(),
                header.len()
            )
            .into());
        }
        let row: Row = header.iter().cloned().zip(record).collect();
        let file = row
            .get("file")
            .cloned()
            .ok_or("the manifest has no `file` column")?;
        rows.insert(file, row);
    }
    Ok(rows)
}

pub(super) fn split_tsv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut at_field_start = true;
    while let Some(c) = chars.next() {
        match c {
            '"' if at_field_start => {
                // Quoted field: up to the lone closing quote; `""` is a quote.
                while let Some(q) = chars.next() {
                    if q == '"' {
                        if chars.peek() == Some(&'"') {
                            chars.next();
                            field.push('"');
                        } else {
                            break;
                        }
                    } else {
                        field.push(q);
                    }
                }
                at_field_start = false;
            }
            '\t' => {
                record.push(std::mem::take(&mut field));
                at_field_start = true;
            }
            '\n' => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
                at_field_start = true;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            _ => {
                field.push(c);
                at_field_start = false;
            }
        }
    }
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        records.push(record);
    }
    records
}

/// Every `.eml` below `dir`, as paths relative to `root` with `/` separators.
pub(super) fn eml_files_under(root: &Path, dir: &Path) -> Result<Vec<String>, Box<dyn Error>> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            found.extend(eml_files_under(root, &path)?);
        } else if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("eml"))
        {
            let relative = path.strip_prefix(root)?;
            let parts: Vec<String> = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            found.push(parts.join("/"));
        }
    }
    Ok(found)
}

pub(super) fn panic_text(payload: &Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".to_string())
}
