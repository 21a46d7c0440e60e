use crate::ValidationError;
use crate::ids::TicketId;

/// The letters in front of ticket numbers (`VND` in `VND-000123`), from configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketPrefix(String);

impl TicketPrefix {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let ok = (1..=10).contains(&raw.len())
            && raw
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
        if ok && raw.chars().next().is_some_and(|c| c.is_ascii_uppercase()) {
            Ok(Self(raw.to_string()))
        } else {
            Err(ValidationError::new(
                "ticket_prefix",
                format!(
                    "{raw:?} must be 1 to 10 upper-case letters or digits, starting with a letter"
                ),
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The number people quote in e-mails and on the phone. It is derived from the ticket id,
/// so it is unique without a second counter, and padded to six digits so it reads well.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketNumber;

impl TicketNumber {
    pub fn format(prefix: &TicketPrefix, id: TicketId) -> String {
        format!("{}-{:06}", prefix.as_str(), id.0)
    }

    /// Finds `PREFIX-123` in free text (a subject such as `Re: [VND-000123] Factura`).
    pub fn find_in(prefix: &TicketPrefix, text: &str) -> Option<TicketId> {
        let p = prefix.as_str();
        let mut rest = text;
        while let Some(pos) = rest.find(p) {
            let before_ok = rest[..pos]
                .chars()
                .next_back()
                .is_none_or(|c| !c.is_ascii_alphanumeric());
            let after = &rest[pos + p.len()..];
            if before_ok && let Some(digits) = after.strip_prefix('-') {
                let end = digits
                    .find(|c: char| !c.is_ascii_digit())
                    .unwrap_or(digits.len());
                let boundary_ok = digits[end..]
                    .chars()
                    .next()
                    .is_none_or(|c| !c.is_ascii_alphanumeric());
                if end > 0
                    && boundary_ok
                    && let Ok(n) = digits[..end].parse::<i64>()
                {
                    return Some(TicketId(n));
                }
            }
            rest = &rest[pos + p.len()..];
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vnd() -> TicketPrefix {
        TicketPrefix::parse("VND").unwrap_or_else(|_| TicketPrefix("VND".into()))
    }

    #[test]
    fn numbers_are_padded() {
        assert_eq!(TicketNumber::format(&vnd(), TicketId(123)), "VND-000123");
        assert_eq!(
            TicketNumber::format(&vnd(), TicketId(1_234_567)),
            "VND-1234567"
        );
    }

    #[test]
    fn numbers_are_found_in_subjects() {
        let cases = [
            ("Re: [VND-000123] Factura", Some(123)),
            ("RE: RE: VND-42", Some(42)),
            ("XVND-000123", None),
            ("VND-", None),
            ("VND-12a", None),
            ("sobre VND-7, y VND-8", Some(7)),
        ];
        for (text, expected) in cases {
            assert_eq!(
                TicketNumber::find_in(&vnd(), text),
                expected.map(TicketId),
                "{text}"
            );
        }
    }

    #[test]
    fn prefixes_are_validated() {
        assert!(TicketPrefix::parse("VND").is_ok());
        assert!(TicketPrefix::parse("vnd").is_err());
        assert!(TicketPrefix::parse("").is_err());
        assert!(TicketPrefix::parse("1AB").is_err());
    }
}
