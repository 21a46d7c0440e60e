//! Splitting the corpus into lanes for concurrent intake, each thread whole in one lane
//! and in delivery order.

use super::corpus::Corpus;
use anyhow::{Context, Result};
use std::collections::HashMap;

/// Splits the corpus into `tasks` lanes so that all of a thread lands in one lane, in
/// file-name order: a reply is never taken in before the message it answers. The thread
/// is found from the Message-ID, In-Reply-To and References headers alone, as a real
/// importer could do before taking messages in.
pub(super) fn lanes_by_thread(corpus: &Corpus, tasks: usize) -> Result<Vec<Vec<usize>>> {
    let mut root_of: HashMap<String, String> = HashMap::new();
    let mut lanes = vec![Vec::new(); tasks];
    for (i, name) in corpus.files.iter().enumerate() {
        let path = corpus.dir.join(name);
        let raw = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        let headers = ThreadHeaders::of(&raw);
        let root = headers
            .references
            .iter()
            .chain(&headers.in_reply_to)
            .find_map(|id| root_of.get(id).cloned())
            .or_else(|| headers.references.first().cloned())
            .or_else(|| headers.in_reply_to.first().cloned())
            .or_else(|| headers.message_id.clone())
            .unwrap_or_else(|| name.clone());
        if let Some(id) = headers.message_id {
            root_of.insert(id, root.clone());
        }
        let lane = (fnv1a(root.as_bytes()) % tasks as u64) as usize;
        if let Some(lane) = lanes.get_mut(lane) {
            lane.push(i);
        }
    }
    Ok(lanes)
}

/// The threading headers of a message, ids without their angle brackets.
struct ThreadHeaders {
    message_id: Option<String>,
    in_reply_to: Vec<String>,
    references: Vec<String>,
}

impl ThreadHeaders {
    fn of(raw: &[u8]) -> Self {
        let mut end = raw.len();
        for (i, _) in raw.iter().enumerate().filter(|(_, b)| **b == b'\n') {
            let rest = &raw[i + 1..];
            if rest.starts_with(b"\n") || rest.starts_with(b"\r\n") {
                end = i;
                break;
            }
        }
        let block = String::from_utf8_lossy(&raw[..end]);
        // Unfold: a line starting with white space continues the field above it.
        let mut fields: Vec<String> = Vec::new();
        for line in block.split('\n').map(|l| l.trim_end_matches('\r')) {
            match fields.last_mut() {
                Some(field) if line.starts_with([' ', '\t']) => {
                    field.push(' ');
                    field.push_str(line.trim());
                }
                _ => fields.push(line.to_string()),
            }
        }
        let mut headers = Self {
            message_id: None,
            in_reply_to: Vec::new(),
            references: Vec::new(),
        };
        for field in &fields {
            let Some((name, value)) = field.split_once(':') else {
                continue;
            };
            let ids = || -> Vec<String> {
                value
                    .split('<')
                    .skip(1)
                    .filter_map(|s| s.split_once('>').map(|(id, _)| id.trim().to_string()))
                    .filter(|id| !id.is_empty())
                    .collect()
            };
            match name.trim().to_ascii_lowercase().as_str() {
                "message-id" => headers.message_id = ids().into_iter().next(),
                "in-reply-to" => headers.in_reply_to = ids(),
                "references" => headers.references = ids(),
                _ => {}
            }
        }
        headers
    }
}

/// FNV-1a: a stable hash, so the same corpus is always split the same way.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, b| {
        (hash ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thread_headers_are_read_from_folded_lines() {
        let raw = b"Message-ID: <b@x.es>\r\nIn-Reply-To:\r\n <a@x.es>\r\n\
                    References: <r@x.es>\r\n\t<a@x.es>\r\nSubject: Re: hola\r\n\r\n\
                    Message-ID: <not-a-header@x.es>\r\n";
        let headers = ThreadHeaders::of(raw);
        assert_eq!(headers.message_id.as_deref(), Some("b@x.es"));
        assert_eq!(headers.in_reply_to, ["a@x.es"]);
        assert_eq!(headers.references, ["r@x.es", "a@x.es"]);
    }
}
