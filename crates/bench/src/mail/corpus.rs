//! The corpus as intake takes it in: its files in delivery order, and what its manifest
//! says about the thread of every reply.

use anyhow::{Context, Result, ensure};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The messages of a corpus, in the order they are taken in.
pub(super) struct Corpus {
    pub(super) dir: PathBuf,
    /// Paths relative to `dir`, as the manifest names them (`new/…` or `000001.eml`).
    pub(super) files: Vec<String>,
    pub(super) bytes: u64,
}

impl Corpus {
    /// A Maildir keeps messages in `cur/` and `new/` (any name); a plain directory holds
    /// `.eml` files itself. File-name order is delivery order for Maildir names (they start
    /// with the delivery time) and for numbered `.eml` files alike.
    pub(super) fn read(dir: &Path) -> Result<Self> {
        let is_maildir = dir.join("cur").is_dir() || dir.join("new").is_dir();
        let folders: Vec<PathBuf> = if is_maildir {
            vec![dir.join("cur"), dir.join("new")]
        } else {
            vec![dir.to_path_buf()]
        };
        let mut found = Vec::new();
        let mut bytes = 0;
        for folder in folders.iter().filter(|f| f.is_dir()) {
            for entry in std::fs::read_dir(folder)
                .with_context(|| format!("listing {}", folder.display()))?
            {
                let entry = entry?;
                let name = entry.file_name().to_string_lossy().into_owned();
                let wanted = is_maildir || name.ends_with(".eml");
                let metadata = entry.metadata()?;
                if wanted && metadata.is_file() && !name.starts_with('.') {
                    bytes += metadata.len();
                    let relative = entry
                        .path()
                        .strip_prefix(dir)?
                        .to_string_lossy()
                        .into_owned();
                    found.push((name, relative));
                }
            }
        }
        found.sort();
        ensure!(!found.is_empty(), "{}: no messages found", dir.display());
        Ok(Self {
            dir: dir.to_path_buf(),
            files: found.into_iter().map(|(_, relative)| relative).collect(),
            bytes,
        })
    }
}

/// Column `column` of a manifest row, empty when the row is short.
fn field<'a>(row: &[&'a str], column: usize) -> &'a str {
    row.get(column).copied().unwrap_or_default()
}

/// What the generator knows and intake has to work out: the thread of every reply.
pub(super) struct ExpectedThreads {
    /// (reply, first message of its thread), as indexes into the corpus' files.
    pub(super) replies: Vec<(usize, usize)>,
    pub(super) threads: usize,
    pub(super) images: usize,
}

impl ExpectedThreads {
    /// Reads a manifest with (at least) the columns `seq`, `file`, `in_reply_to`,
    /// `thread_root` (a `seq`) and `has_png`: this generator's and the peer's.
    pub(super) fn read(path: &Path, corpus: &Corpus) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading the manifest {}", path.display()))?;
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().unwrap_or_default().split('\t').collect();
        let column = |name: &str| {
            header
                .iter()
                .position(|h| *h == name)
                .with_context(|| format!("{}: no `{name}` column", path.display()))
        };
        let (seq, file, in_reply_to, thread_root, has_png) = (
            column("seq")?,
            column("file")?,
            column("in_reply_to")?,
            column("thread_root")?,
            column("has_png")?,
        );
        let index_of: HashMap<&str, usize> = corpus
            .files
            .iter()
            .enumerate()
            .map(|(i, f)| (f.as_str(), i))
            .collect();
        let rows: Vec<Vec<&str>> = lines.map(|l| l.split('\t').collect()).collect();
        let mut file_of_seq = HashMap::new();
        for row in &rows {
            let name = field(row, file);
            let index = *index_of.get(name).with_context(|| {
                format!(
                    "{}: {name} is not in the corpus {} (wrong manifest or layout?)",
                    path.display(),
                    corpus.dir.display()
                )
            })?;
            file_of_seq.insert(field(row, seq), index);
        }
        let mut expected = Self {
            replies: Vec::new(),
            threads: 0,
            images: 0,
        };
        for row in &rows {
            expected.images += usize::from(field(row, has_png) == "1");
            if field(row, in_reply_to).is_empty() {
                expected.threads += 1;
                continue;
            }
            let root = field(row, thread_root);
            let root_index = *file_of_seq
                .get(root)
                .with_context(|| format!("{}: no message with seq {root}", path.display()))?;
            expected
                .replies
                .push((file_of_seq[field(row, seq)], root_index));
        }
        Ok(expected)
    }
}
