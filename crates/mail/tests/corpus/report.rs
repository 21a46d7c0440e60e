//! Tally and verdict: what was checked, what failed, and whether enough was checked for
//! the test to mean something.

use crate::allow_lists::{KNOWN_DIFFERENCES, MISATTRIBUTED};
use std::collections::BTreeSet;
use std::error::Error;

#[derive(Default)]
pub(super) struct Report {
    pub(super) parsed: usize,
    pub(super) refused: usize,
    expectations: usize,
    subjects: usize,
    known: usize,
    pub(super) misattributed: usize,
    pub(super) unmapped: usize,
    /// Allow-list entries that matched something; the others are stale.
    pub(super) used_misattributed: BTreeSet<usize>,
    used_known: BTreeSet<usize>,
    failures: Vec<String>,
}

/// Below these the manifest was not read as intended (a format change, a parsing slip)
/// and the test would pass while checking almost nothing.
/// (On the corpus as first checked in: 309 expectations, 166 subjects.)
const MIN_EXPECTATIONS: usize = 250;
const MIN_SUBJECTS: usize = 140;

impl Report {
    pub(super) fn fail(&mut self, file: &str, why: String) {
        self.failures.push(format!("{file}: {why}"));
    }

    /// Records one checked clause, taking KNOWN_DIFFERENCES into account both ways.
    pub(super) fn judge(
        &mut self,
        file: &str,
        clause: &str,
        kind: &str,
        verdict: Result<(), String>,
    ) {
        match kind {
            "subject" => self.subjects += 1,
            _ => self.expectations += 1,
        }
        let known = KNOWN_DIFFERENCES
            .iter()
            .position(|(name, fragment, _)| *name == file && clause.contains(fragment));
        if let Some(entry) = known {
            self.used_known.insert(entry);
        }
        match (verdict, known) {
            (Ok(()), None) => {}
            (Err(_), Some(_)) => self.known += 1,
            (Err(got), None) => self.fail(file, format!("{clause}: got {got}")),
            (Ok(()), Some(_)) => self.fail(
                file,
                format!("{clause}: now matches, remove its entry from KNOWN_DIFFERENCES"),
            ),
        }
    }

    pub(super) fn finish(mut self, files: usize) -> Result<(), Box<dyn Error>> {
        // An entry that matched nothing hides nothing any more, or names a file or a clause
        // wrongly: either way it must go.
        let lists = [
            ("MISATTRIBUTED", MISATTRIBUTED, &self.used_misattributed),
            ("KNOWN_DIFFERENCES", KNOWN_DIFFERENCES, &self.used_known),
        ];
        let mut stale = Vec::new();
        for (list_name, list, used) in lists {
            for (index, (file, fragment, _)) in list.iter().enumerate() {
                if !used.contains(&index) {
                    stale.push(format!(
                        "{list_name} entry ({file}, {fragment}) matches no clause"
                    ));
                }
            }
        }
        self.failures.extend(stale);

        eprintln!(
            "corpus: {files} files, {} parsed, {} refused as not messages, {} expectations checked, {} subject checks \
             ({} known differences, {} misattributed and {} unmappable manifest clauses skipped)",
            self.parsed,
            self.refused,
            self.expectations,
            self.subjects,
            self.known,
            self.misattributed,
            self.unmapped,
        );
        assert!(
            self.failures.is_empty(),
            "{} corpus failures:\n  {}",
            self.failures.len(),
            self.failures.join("\n  ")
        );
        assert!(
            self.expectations >= MIN_EXPECTATIONS,
            "only {} expectations checked (at least {MIN_EXPECTATIONS} expected): is the manifest read correctly?",
            self.expectations
        );
        assert!(
            self.subjects >= MIN_SUBJECTS,
            "only {} subject checks (at least {MIN_SUBJECTS} expected)",
            self.subjects
        );
        Ok(())
    }
}
