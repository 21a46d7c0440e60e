//! The customer's words as the detectors read them: folded like [`crate::policy::text::fold`],
//! split into words, with every folded byte traced back to the original text so that the
//! evidence quotes what the customer wrote ("En Sitios Web"), not its folded form.

use super::description::Signal;
use crate::policy::text::fold;
use std::cell::OnceCell;
use std::sync::OnceLock;

/// A word of the folded text, as a byte range of [`Doc::folded`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Token {
    pub start: usize,
    pub end: usize,
}

pub(crate) struct Doc {
    pub original: String,
    /// Where the text starts in `original`, after the subject line.
    body_start: usize,
    pub folded: String,
    /// For each byte of `folded`, the byte range in `original` of the character it came from.
    origin: Vec<(usize, usize)>,
    pub tokens: Vec<Token>,
    /// Sentence number of each token.
    sentence: Vec<usize>,
    /// Token indices sorted by their text, to find a phrase's first word without a scan.
    by_word: Vec<usize>,
    signals: OnceCell<Vec<Signal>>,
}

/// Folds a configured phrase the way [`Doc`] folds the customer's text.
pub(crate) fn fold_phrase(phrase: &str) -> String {
    let mut out = String::with_capacity(phrase.len());
    let mut pending_space = false;
    for c in phrase.chars() {
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        push_folded(c, &mut out);
    }
    out
}

/// The words of a folded phrase, as the tokenizer of [`Doc`] would cut them.
pub(crate) fn phrase_words(folded_phrase: &str) -> Vec<&str> {
    folded_phrase
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect()
}

fn push_folded(c: char, out: &mut String) {
    if c.is_ascii() {
        // Backticks are typed for apostrophes on some phone keyboards.
        out.push(if c == '`' {
            '\''
        } else {
            c.to_ascii_lowercase()
        });
        return;
    }
    // Typographic apostrophes must match the plain one in "can't", "doesn't".
    if matches!(c, '\u{2019}' | '\u{2018}' | '\u{00b4}' | '\u{02bc}') {
        out.push('\'');
        return;
    }
    // One character at a time through the policy's own fold, so that both agree on every
    // accent and case rule and each folded byte knows the character it came from.
    let mut buf = [0u8; 4];
    out.push_str(&fold(c.encode_utf8(&mut buf)));
}

fn is_quote(c: char) -> bool {
    matches!(
        c,
        '\'' | '"' | '\u{201c}' | '\u{201d}' | '\u{00ab}' | '\u{00bb}' | '\u{201e}'
    )
}

impl Doc {
    /// The subject and the text, read as one: customers often put the whole request in the
    /// subject line.
    pub fn new(subject: &str, text: &str) -> Doc {
        let subject = subject.trim();
        if subject.is_empty() {
            return Doc::from_original(text.to_string(), 0);
        }
        Doc::from_original(format!("{subject}\n{text}"), subject.len() + 1)
    }

    fn from_original(original: String, body_start: usize) -> Doc {
        let mut folded = String::with_capacity(original.len());
        let mut origin = Vec::with_capacity(original.len());
        // Whitespace runs become one space, or one line break when they hold one, so that
        // phrases match across double spaces but not across lines.
        let mut space: Option<(usize, usize, bool)> = None;
        for (at, c) in original.char_indices() {
            let end = at + c.len_utf8();
            if c.is_whitespace() {
                space = match space {
                    None => Some((at, end, c == '\n')),
                    Some((s, _, nl)) => Some((s, end, nl || c == '\n')),
                };
                continue;
            }
            if let Some((s, e, nl)) = space.take()
                && !folded.is_empty()
            {
                folded.push(if nl { '\n' } else { ' ' });
                origin.push((s, e));
            }
            push_folded(c, &mut folded);
            origin.resize(folded.len(), (at, end));
        }
        let tokens = tokenize(&folded);
        // By word, then by position: a word's occurrences are a slice in text order.
        let mut by_word: Vec<(&str, usize)> = tokens
            .iter()
            .enumerate()
            .map(|(i, t)| (folded.get(t.start..t.end).unwrap_or(""), i))
            .collect();
        by_word.sort_unstable();
        let by_word: Vec<usize> = by_word.into_iter().map(|(_, i)| i).collect();
        let mut doc = Doc {
            original,
            body_start,
            folded,
            origin,
            tokens,
            sentence: Vec::new(),
            by_word,
            signals: OnceCell::new(),
        };
        doc.sentence = doc.number_sentences();
        doc
    }

    fn number_sentences(&self) -> Vec<usize> {
        let mut out = Vec::with_capacity(self.tokens.len());
        let mut n = 0;
        for i in 0..self.tokens.len() {
            if i > 0 && self.breaks_before(i) {
                n += 1;
            }
            out.push(n);
        }
        out
    }

    /// Whether a sentence ends between token `i - 1` and token `i`.
    fn breaks_before(&self, i: usize) -> bool {
        let gap = self.gap_before(i);
        let mut chars = gap.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\n' | '!' | '?' | ';' | '\u{2026}' | '\u{a1}' | '\u{bf}' => return true,
                // "tienda-ana.es" and "10.30" are not two sentences: the gap ends at a word.
                '.' if chars.peek().is_some_and(|n| n.is_whitespace()) => return true,
                _ => {}
            }
        }
        false
    }

    /// Whether a byte offset of `original` is in the subject line. The body says the same
    /// things at more length, so its words make the better quote.
    pub fn in_subject(&self, original_offset: usize) -> bool {
        original_offset < self.body_start
    }

    /// Whether token `i` is in the subject line.
    pub fn token_in_subject(&self, i: usize) -> bool {
        self.token_range(i, i + 1)
            .is_some_and(|(s, _)| self.in_subject(s))
    }

    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    /// The folded word at token `i` ("" past the end).
    pub fn word(&self, i: usize) -> &str {
        self.tokens
            .get(i)
            .and_then(|t| self.folded.get(t.start..t.end))
            .unwrap_or("")
    }

    /// The folded word before token `i`, if it is in the same sentence.
    pub fn prev_word(&self, i: usize, back: usize) -> &str {
        if back > i {
            return "";
        }
        let j = i - back;
        if self.sentence_of(j) != self.sentence_of(i) {
            return "";
        }
        self.word(j)
    }

    /// The folded word after token `i`, if it is in the same sentence.
    pub fn next_word(&self, i: usize, ahead: usize) -> &str {
        let j = i + ahead;
        if j >= self.tokens.len() || self.sentence_of(j) != self.sentence_of(i) {
            return "";
        }
        self.word(j)
    }

    pub fn sentence_of(&self, i: usize) -> usize {
        self.sentence.get(i).copied().unwrap_or(usize::MAX)
    }

    /// Folded text between token `i - 1` and token `i` (from the start for `i == 0`).
    pub fn gap_before(&self, i: usize) -> &str {
        let end = self.tokens.get(i).map_or(self.folded.len(), |t| t.start);
        let start = if i == 0 {
            0
        } else {
            self.tokens.get(i - 1).map_or(0, |t| t.end)
        };
        self.folded.get(start..end).unwrap_or("")
    }

    /// Whether tokens `i - 1` and `i` are written together as one phrase: separated only by
    /// spaces, an apostrophe or a hyphen.
    pub fn tight_before(&self, i: usize) -> bool {
        i > 0
            && self
                .gap_before(i)
                .chars()
                .all(|c| c == ' ' || c == '\'' || c == '-')
    }

    /// The end (exclusive token index) of `words` matched at token `i`.
    pub fn match_words<'w>(
        &self,
        i: usize,
        words: impl IntoIterator<Item = &'w str>,
    ) -> Option<usize> {
        let mut j = i;
        for w in words {
            if j >= self.tokens.len() || self.word(j) != w || (j > i && !self.tight_before(j)) {
                return None;
            }
            j += 1;
        }
        (j > i).then_some(j)
    }

    /// For each token, the end of the first of `phrases` (in list order) that matches there,
    /// or 0. Built once per list: looking phrases up by their first word is much cheaper than
    /// trying every phrase at every word.
    pub fn phrase_ends(&self, list: &PhraseList) -> Vec<usize> {
        // (phrase number, end) of the best match at each token.
        let mut best: Vec<(usize, usize)> = vec![(usize::MAX, 0); self.tokens.len()];
        let index = list.index();
        let (mut a, mut b) = (0, 0);
        // Both sides are sorted by word: walk them together.
        while a < self.by_word.len() && b < index.len() {
            let word = self.word(self.by_word[a]);
            match word.cmp(index[b].0) {
                std::cmp::Ordering::Less => a += 1,
                std::cmp::Ordering::Greater => b += 1,
                std::cmp::Ordering::Equal => {
                    let a_end = a + self.by_word[a..].partition_point(|t| self.word(*t) == word);
                    let b_end = b + index[b..].partition_point(|(w, _)| *w == word);
                    for t in &self.by_word[a..a_end] {
                        for (_, k) in &index[b..b_end] {
                            let Some(phrase) = list.phrases.get(*k) else {
                                continue;
                            };
                            if let Some(e) = self.match_words(*t, phrase_words(phrase))
                                && let Some(slot) = best.get_mut(*t)
                                && *k < slot.0
                            {
                                *slot = (*k, e);
                            }
                        }
                    }
                    a = a_end;
                    b = b_end;
                }
            }
        }
        best.into_iter().map(|(_, e)| e).collect()
    }

    /// Token indices where `word` occurs, in text order.
    pub fn occurrences(&self, word: &str) -> &[usize] {
        let from = self.by_word.partition_point(|t| self.word(*t) < word);
        let len = self.by_word[from..].partition_point(|t| self.word(*t) == word);
        &self.by_word[from..from + len]
    }

    /// Every match of the folded `phrase`, as token ranges in text order.
    pub fn find_phrase(&self, phrase: &str) -> Vec<(usize, usize)> {
        let words = || {
            phrase
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
        };
        let Some(first) = words().next() else {
            return Vec::new();
        };
        self.occurrences(first)
            .iter()
            .filter_map(|i| self.match_words(*i, words()).map(|e| (*i, e)))
            .collect()
    }

    /// The signals of a description, worked out once per text: the timing detector asks
    /// for them too.
    pub(super) fn signals(&self, compute: impl FnOnce(&Doc) -> Vec<Signal>) -> &[Signal] {
        self.signals.get_or_init(|| compute(self))
    }

    /// Byte range in `original` of the folded byte range.
    pub fn original_range(&self, fstart: usize, fend: usize) -> Option<(usize, usize)> {
        if fstart >= fend {
            return None;
        }
        let start = self.origin.get(fstart)?.0;
        let end = self.origin.get(fend - 1)?.1;
        (start < end).then_some((start, end))
    }

    /// Byte range in `original` of tokens `first..end`.
    pub fn token_range(&self, first: usize, end: usize) -> Option<(usize, usize)> {
        let s = self.tokens.get(first)?.start;
        let e = self.tokens.get(end.checked_sub(1)?)?.end;
        self.original_range(s, e)
    }

    /// The original spelling of token `i`.
    pub fn original_word(&self, i: usize) -> &str {
        self.token_range(i, i + 1)
            .and_then(|(s, e)| self.original.get(s..e))
            .unwrap_or("")
    }

    /// Whether the customer wrote token `i` with a capital or a digit: names of shops,
    /// accounts and pages are written that way.
    pub fn looks_like_name(&self, i: usize) -> bool {
        self.original_word(i)
            .chars()
            .next()
            .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
    }

    /// The folded end of a quotation opening right after folded byte `at` (spaces allowed),
    /// at most `max` bytes long: "la página 'Contacto'".
    pub fn quoted_after(&self, at: usize, max: usize) -> Option<usize> {
        let rest = self.folded.get(at..)?;
        let skipped = rest.len() - rest.trim_start_matches(' ').len();
        let mut chars = rest[skipped..].char_indices();
        let (_, open) = chars.next()?;
        if !is_quote(open) {
            return None;
        }
        for (off, c) in chars {
            if off > max {
                return None;
            }
            if c == '\n' {
                return None;
            }
            if is_quote(c) {
                return Some(at + skipped + off + c.len_utf8());
            }
        }
        None
    }

    /// The original text of a byte range of `original`, whitespace collapsed, within quotes.
    pub fn quote_original(&self, start: usize, end: usize, max_chars: usize) -> Option<String> {
        let text = self.original.get(start..end)?;
        let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let trimmed = collapsed.trim_matches(|c: char| {
            c.is_whitespace() || matches!(c, ',' | ';' | ':' | '(' | ')' | '-')
        });
        if trimmed.is_empty() {
            return None;
        }
        Some(format!("\"{}\"", truncate_chars(trimmed, max_chars)))
    }

    /// Quote of tokens `first..end`.
    pub fn quote_tokens(&self, first: usize, end: usize, max_chars: usize) -> Option<String> {
        let (s, mut e) = self.token_range(first, end)?;
        // "'pending' instead of 'paid'": take the closing quote that follows the last word.
        if let Some(c) = self.original.get(e..).and_then(|r| r.chars().next())
            && is_quote(c)
            && self.original.get(s..e).is_some_and(|t| !quotes_balanced(t))
        {
            e += c.len_utf8();
        }
        self.quote_original(s, e, max_chars)
    }

    /// Whether the original text of tokens `first..end` opens no quotation it doesn't close.
    pub fn tokens_balanced(&self, first: usize, end: usize) -> bool {
        self.token_range(first, end)
            .and_then(|(s, e)| self.original.get(s..e))
            .is_none_or(quotes_balanced)
    }

    /// Tokens `i..` extended by up to `extra` words of the same sentence, stopping at
    /// punctuation that ends a clause and at `max_chars` of original text.
    pub fn clause_end(&self, first: usize, end: usize, extra: usize, max_chars: usize) -> usize {
        let mut j = end;
        let limit = (end + extra).min(self.tokens.len());
        while j < limit {
            let gap = self.gap_before(j);
            let stops = gap
                .chars()
                .any(|c| matches!(c, ',' | '.' | ';' | '!' | '?' | '\n' | '(' | ')'))
                || CLAUSE_STARTS.contains(&self.word(j))
                // "9:15" and "12/03" are one time, not a clause break.
                || (gap.contains(':') && !(gap == ":" && self.word(j).starts_with(|c: char| c.is_ascii_digit())));
            if stops || self.sentence_of(j) != self.sentence_of(first) {
                break;
            }
            let chars = self
                .token_range(first, j + 1)
                .and_then(|(s, e)| self.original.get(s..e))
                .map_or(0, |t| t.chars().count());
            if chars > max_chars {
                break;
            }
            j += 1;
        }
        // A quote ending in "de" or in an open quotation reads as cut off.
        while j > end
            && (self.trailing(j - 1)
                || !self.tokens_balanced(first, j) && self.closing_after(j - 1).is_none())
        {
            j -= 1;
        }
        j
    }

    /// Whether token `i` would dangle at the end of a quote: "de", "the", but not the "in"
    /// of "log in".
    fn trailing(&self, i: usize) -> bool {
        let w = self.word(i);
        if matches!(w, "in" | "on") && i > 0 {
            let verb = self.word(i - 1);
            if matches!(
                verb,
                "log" | "logged" | "sign" | "signed" | "check" | "checked"
            ) {
                return false;
            }
        }
        TRAILING.contains(&w)
    }

    /// The closing quote right after token `i`, if any.
    fn closing_after(&self, i: usize) -> Option<char> {
        let (_, e) = self.token_range(i, i + 1)?;
        self.original
            .get(e..)
            .and_then(|r| r.chars().next())
            .filter(|c| is_quote(*c))
    }

    /// Token index whose folded range contains byte `at`, or the next one.
    pub fn token_at_or_after(&self, at: usize) -> usize {
        self.tokens.partition_point(|t| t.end <= at)
    }
}

/// Whether every quotation opened in `text` is closed; apostrophes inside words ("don't")
/// are not quotes.
fn quotes_balanced(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    let mut straight_double = 0;
    let mut straight_single = 0;
    let mut curly = 0i32;
    let mut angle = 0i32;
    for (k, c) in chars.iter().enumerate() {
        match c {
            '"' => straight_double += 1,
            '\'' | '\u{2019}' | '\u{2018}' => {
                let inside_word = k > 0
                    && chars[k - 1].is_alphanumeric()
                    && chars.get(k + 1).is_some_and(|n| n.is_alphanumeric());
                if !inside_word {
                    straight_single += 1;
                }
            }
            '\u{201c}' => curly += 1,
            '\u{201d}' => curly -= 1,
            '\u{ab}' => angle += 1,
            '\u{bb}' => angle -= 1,
            _ => {}
        }
    }
    straight_double % 2 == 0 && straight_single % 2 == 0 && curly == 0 && angle == 0
}

/// A fixed list of folded words, looked up by binary search once sorted on first use: some
/// lists are checked for every word of the text.
pub(crate) struct WordSet {
    words: &'static [&'static str],
    sorted: OnceLock<Vec<&'static str>>,
}

impl WordSet {
    pub const fn new(words: &'static [&'static str]) -> WordSet {
        WordSet {
            words,
            sorted: OnceLock::new(),
        }
    }

    pub fn contains(&self, word: &str) -> bool {
        let sorted = self.sorted.get_or_init(|| {
            let mut v = self.words.to_vec();
            v.sort_unstable();
            v
        });
        sorted.binary_search(&word).is_ok()
    }
}

/// A fixed list of folded phrases, indexed by first word on first use so that a text is
/// matched against all of them in one pass over its sorted words.
pub(crate) struct PhraseList {
    phrases: &'static [&'static str],
    index: OnceLock<Vec<(&'static str, usize)>>,
}

impl PhraseList {
    pub const fn new(phrases: &'static [&'static str]) -> PhraseList {
        PhraseList {
            phrases,
            index: OnceLock::new(),
        }
    }

    fn index(&self) -> &[(&'static str, usize)] {
        self.index.get_or_init(|| {
            let mut v: Vec<(&'static str, usize)> = self
                .phrases
                .iter()
                .enumerate()
                .filter_map(|(k, p)| phrase_words(p).first().map(|w| (*w, k)))
                .collect();
            v.sort_unstable();
            v
        })
    }
}

/// Words a quote should not end on.
const TRAILING: &[&str] = &[
    "de", "del", "la", "el", "los", "las", "un", "una", "y", "o", "que", "en", "a", "al", "con",
    "por", "para", "se", "me", "le", "lo", "mi", "su", "desde", "the", "a", "an", "and", "or",
    "to", "of", "in", "on", "my", "i", "is", "are", "was",
];

/// Words that start another clause: a quote about when something happens stops before them.
const CLAUSE_STARTS: &[&str] = &["y", "pero", "aunque", "and", "but", "although"];

fn tokenize(folded: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    for (at, c) in folded.char_indices() {
        if c.is_alphanumeric() {
            if start.is_none() {
                start = Some(at);
            }
        } else if let Some(s) = start.take() {
            out.push(Token { start: s, end: at });
        }
    }
    if let Some(s) = start {
        out.push(Token {
            start: s,
            end: folded.len(),
        });
    }
    out
}

/// At most `max` characters, cut at a word when possible, marked with an ellipsis.
pub(crate) fn truncate_chars(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max.saturating_sub(1)).collect();
    let at_word = match cut.rfind(' ') {
        Some(pos) if pos > cut.len() / 2 => &cut[..pos],
        _ => cut.as_str(),
    };
    format!(
        "{}\u{2026}",
        at_word.trim_end_matches(|c: char| !c.is_alphanumeric())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_matches_the_policy_fold_and_keeps_the_origin() {
        let doc = Doc::new("", "Añadí  CAMIÓN\n\nÜber");
        assert_eq!(doc.folded, "anadi camion\nuber");
        assert_eq!(fold("Añadí CAMIÓN"), "anadi camion");
        let Some((s, e)) = doc.token_range(1, 2) else {
            panic!("no range for token 1");
        };
        assert_eq!(&doc.original[s..e], "CAMIÓN");
    }

    #[test]
    fn folding_agrees_with_the_policy_fold_on_mixed_text() {
        let text = "FACTURACIÓN Añadí Über çà ß İstanbul Ωmega ﬁn e\u{301} 🙁 x";
        assert_eq!(Doc::new("", text).folded, fold(text));
    }

    #[test]
    fn decomposed_accents_and_emoji_keep_char_boundaries() {
        let text = "Cami\u{301}on 🙁 ñandú e\u{301}xito";
        let doc = Doc::new("", text);
        assert_eq!(doc.word(0), "camion");
        assert_eq!(doc.original_word(0), "Cami\u{301}on");
        assert_eq!(doc.word(2), "exito");
        for i in 0..doc.len() {
            assert!(!doc.original_word(i).is_empty());
        }
        // The quote is what the customer typed, decomposed accent included.
        assert_eq!(
            doc.quote_tokens(1, 3, 80).as_deref(),
            Some("\"ñandú e\u{301}xito\"")
        );
    }

    #[test]
    fn sentences_break_at_punctuation_but_not_inside_domains() {
        let doc = Doc::new("", "Mira tienda-ana.es/carrito. Luego 10.30 hoy");
        assert_eq!(doc.sentence_of(0), doc.sentence_of(4));
        assert_ne!(doc.sentence_of(4), doc.sentence_of(5));
    }

    #[test]
    fn phrases_match_whole_words_in_order() {
        let doc = Doc::new("", "No se guarda; no  se   guarda. It doesn’t work");
        assert_eq!(doc.find_phrase("no se guarda"), vec![(0, 3), (3, 6)]);
        assert_eq!(doc.find_phrase(&fold_phrase("doesn't work")), vec![(7, 10)]);
        assert!(doc.find_phrase("se guardan").is_empty());
    }

    #[test]
    fn truncation_keeps_words_and_char_boundaries() {
        assert_eq!(truncate_chars("ñññ ñññ ñññ", 8), "ñññ ñññ\u{2026}");
        assert_eq!(truncate_chars("corto", 8), "corto");
        assert_eq!(truncate_chars("🙁🙁🙁🙁🙁", 3), "\u{2026}");
    }
}
