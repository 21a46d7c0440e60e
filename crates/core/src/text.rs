//! Text as both databases can keep it. PostgreSQL refuses the NUL character in text, which
//! SQLite keeps; so that text means the same on both, whatever comes in (a form, the API,
//! an e-mail) has each NUL replaced by U+FFFD, the replacement character, before it is
//! stored. The e-mail as received stays intact in the kept original.

use std::borrow::Cow;

/// `raw` with every NUL replaced by U+FFFD; borrowed when there is none.
pub fn storable(raw: &str) -> Cow<'_, str> {
    if raw.contains('\0') {
        Cow::Owned(raw.replace('\0', "\u{fffd}"))
    } else {
        Cow::Borrowed(raw)
    }
}

/// [`storable`], in place.
pub fn make_storable(text: &mut String) {
    if text.contains('\0') {
        *text = text.replace('\0', "\u{fffd}");
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn nul_becomes_the_replacement_character() {
        assert_eq!(super::storable("nul\0byte"), "nul\u{fffd}byte");
        assert!(matches!(
            super::storable("sin nada"),
            std::borrow::Cow::Borrowed(_)
        ));
        let mut text = String::from("\0\0");
        super::make_storable(&mut text);
        assert_eq!(text, "\u{fffd}\u{fffd}");
    }
}
