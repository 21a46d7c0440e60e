//! Phone numbers as a phone system reports them on a call, read so that the caller can be
//! found among contacts, whose numbers are kept in international form (`+34600111222`, see
//! [`crate::directory::normalize_phone`]). A PBX writes the same number many ways: with or
//! without `+34` or `0034`, with spaces, dots, dashes and slashes, as a SIP address, or not
//! at all when the caller withholds it.

use thiserror::Error;

/// How a country's numbers are dialled inside it: its code, and how many digits a national
/// number has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NumberingPlan {
    pub country_code: &'static str,
    pub national_digits: usize,
}

impl NumberingPlan {
    /// Spain: `+34` and nine digits.
    pub const SPAIN: NumberingPlan = NumberingPlan {
        country_code: "34",
        national_digits: 9,
    };
}

/// What a reported number turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallNumber {
    /// A number that can be dialled from anywhere, in international form (`+34600111222`).
    International(String),
    /// An extension or short code of the phone system (`201`): it names an agent's line,
    /// never a customer.
    Internal(String),
    /// The caller withheld their number, or the phone system did not know it.
    Withheld,
}

impl CallNumber {
    /// The number as kept: `+34600111222`, `201`, or empty when withheld.
    pub fn as_text(&self) -> &str {
        match self {
            CallNumber::International(n) | CallNumber::Internal(n) => n,
            CallNumber::Withheld => "",
        }
    }

    /// A number kept by [`CallNumber::as_text`], read back.
    pub fn from_text(text: &str) -> CallNumber {
        if text.is_empty() {
            CallNumber::Withheld
        } else if text.starts_with('+') {
            CallNumber::International(text.to_string())
        } else {
            CallNumber::Internal(text.to_string())
        }
    }

    /// The number in international form, when it is one a customer could have.
    pub fn international(&self) -> Option<&str> {
        match self {
            CallNumber::International(n) => Some(n),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum NumberError {
    #[error("a phone number has at most {MAX_NUMBER_CHARS} characters")]
    TooLong,
    #[error("{0:?} is not a phone number")]
    NotANumber(String),
}

/// Longer than any number written with separators and a SIP host: refused unread.
pub const MAX_NUMBER_CHARS: usize = 128;
/// The longest number the international plan allows (ITU-T E.164).
const MAX_DIGITS: usize = 15;
/// Extensions and short codes are at most this long.
const MAX_INTERNAL_DIGITS: usize = 6;

/// The words phone systems write instead of a number the caller withheld.
const WITHHELD: [&str; 10] = [
    "anonymous",
    "unknown",
    "restricted",
    "private",
    "withheld",
    "unavailable",
    "anonimo",
    "anónimo",
    "oculto",
    "desconocido",
];

/// Reads a number as a phone system reported it, for a company in `plan`'s country.
pub fn read_call_number(raw: &str, plan: NumberingPlan) -> Result<CallNumber, NumberError> {
    if raw.chars().count() > MAX_NUMBER_CHARS {
        return Err(NumberError::TooLong);
    }
    let bad = || NumberError::NotANumber(raw.trim().to_string());
    let mut text = raw.trim();
    // A SIP or tel address: the number is the user part.
    for scheme in ["sip:", "sips:", "tel:"] {
        if let Some(rest) = text
            .get(..scheme.len())
            .filter(|start| start.eq_ignore_ascii_case(scheme))
            .and_then(|_| text.get(scheme.len()..))
        {
            text = rest;
        }
    }
    text = text.split(['@', ';']).next().unwrap_or_default().trim();
    let lowered = text.to_lowercase();
    if text.is_empty() || WITHHELD.contains(&lowered.as_str()) {
        return Ok(CallNumber::Withheld);
    }
    // A trunk prefix written inside an international number: "+44 (0)20 7946 0958".
    let text = text.replace("(0)", "");
    let mut digits = String::new();
    let mut plus = false;
    for (i, c) in text.chars().enumerate() {
        match c {
            '+' if i == 0 => plus = true,
            '0'..='9' => digits.push(c),
            ' ' | '-' | '.' | '/' | '(' | ')' => {}
            _ => return Err(bad()),
        }
    }
    if digits.is_empty() {
        return Ok(CallNumber::Withheld);
    }
    let international = if plus {
        digits
    } else if let Some(rest) = digits.strip_prefix("00") {
        rest.to_string()
    } else if digits.len() == plan.national_digits && !digits.starts_with('0') {
        format!("{}{digits}", plan.country_code)
    } else if digits.len() <= MAX_INTERNAL_DIGITS {
        return Ok(CallNumber::Internal(digits));
    } else if digits.starts_with(plan.country_code)
        && digits.len() == plan.country_code.len() + plan.national_digits
    {
        digits
    } else if digits.len() >= 10 {
        // Ten or more digits without a prefix: PBXs often report E.164 without its plus.
        digits
    } else {
        return Err(bad());
    };
    if !(7..=MAX_DIGITS).contains(&international.len()) || international.starts_with('0') {
        return Err(bad());
    }
    Ok(CallNumber::International(format!("+{international}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::directory::normalize_phone;

    fn read(raw: &str) -> Result<CallNumber, NumberError> {
        read_call_number(raw, NumberingPlan::SPAIN)
    }

    fn international(n: &str) -> Result<CallNumber, NumberError> {
        Ok(CallNumber::International(n.to_string()))
    }

    #[test]
    fn spanish_numbers_are_read_however_they_are_written() {
        let mobile = "+34600111222";
        for raw in [
            "600111222",
            "600 111 222",
            "600.111.222",
            "600-11-12-22",
            "600/111 222",
            "+34600111222",
            "+34 600 111 222",
            "0034600111222",
            "0034 600 11 12 22",
            "34600111222",
            " sip:600111222@pbx.vendomia.local ",
            "SIP:+34600111222@10.0.0.5;user=phone",
            "tel:+34-600-111-222",
        ] {
            assert_eq!(read(raw), international(mobile), "{raw:?}");
        }
        assert_eq!(read("91 123 45 67"), international("+34911234567"));
        assert_eq!(read("(91) 123-45-67"), international("+34911234567"));
        assert_eq!(read("900 100 200"), international("+34900100200"));
    }

    #[test]
    fn foreign_numbers_keep_their_country() {
        assert_eq!(read("+44 (0)20 7946 0958"), international("+442079460958"));
        assert_eq!(read("0044 20 7946 0958"), international("+442079460958"));
        assert_eq!(read("+1 (212) 555-0100"), international("+12125550100"));
        assert_eq!(read("4915112345678"), international("+4915112345678"));
        assert_eq!(read("+351 912 345 678"), international("+351912345678"));
    }

    #[test]
    fn withheld_numbers_and_extensions_are_no_customer() {
        for raw in [
            "",
            "   ",
            "anonymous",
            "Anonymous",
            "unknown",
            "RESTRICTED",
            "oculto",
            "sip:anonymous@anonymous.invalid",
            "+",
        ] {
            assert_eq!(read(raw), Ok(CallNumber::Withheld), "{raw:?}");
        }
        assert_eq!(read("201"), Ok(CallNumber::Internal("201".into())));
        assert_eq!(
            read("sip:2001@pbx"),
            Ok(CallNumber::Internal("2001".into()))
        );
        assert_eq!(read("*97"), Err(NumberError::NotANumber("*97".into())));
    }

    #[test]
    fn what_is_no_number_is_refused_and_nothing_long_is_read() {
        for raw in [
            "hola",
            "600111222x",
            "+34 600 111 222 333 444 55",
            "0000000000",
            "++34600111222",
            "1234567",
        ] {
            assert!(read(raw).is_err(), "{raw:?}: {:?}", read(raw));
        }
        assert_eq!(read(&"6".repeat(10 * 1024)), Err(NumberError::TooLong));
        assert_eq!(
            read(&"ñ".repeat(MAX_NUMBER_CHARS + 1)),
            Err(NumberError::TooLong)
        );
        // Multi-byte text where a scheme would end is read, not cut inside a character.
        assert!(read("aññ").is_err());
        assert!(read("sñp:600111222").is_err());
    }

    #[test]
    fn a_number_read_from_a_call_matches_the_same_number_kept_on_a_contact() {
        for typed in [
            "600 111 222",
            "+34 600-111-222",
            "0044 20 7946 0958",
            "(91) 123 45 67",
        ] {
            let kept = normalize_phone("phone", typed).ok();
            let read = match read(typed) {
                Ok(CallNumber::International(n)) => Some(n),
                _ => None,
            };
            assert_eq!(read, kept, "{typed:?}");
        }
    }
}
