//! How many items a client may send in one list. Every list a request carries is checked
//! against its bound before any item is looked at, so a request's work stays proportional
//! to what a person would send, and a refusal names the limit.

use crate::ValidationError;

/// Tags on one ticket.
pub const MAX_TAGS: usize = 50;
/// E-mail addresses of one contact.
pub const MAX_CONTACT_EMAILS: usize = 20;
/// Phone numbers of one contact.
pub const MAX_CONTACT_PHONES: usize = 20;
/// E-mail domains of one account.
pub const MAX_ACCOUNT_DOMAINS: usize = 100;
/// Tickets changed by one bulk action: several pages of an inbox.
pub const MAX_BULK_TICKETS: usize = 500;

/// Refuses a list of `field` longer than `max`.
pub fn check_count(field: &str, len: usize, max: usize) -> Result<(), ValidationError> {
    if len > max {
        return Err(ValidationError::new(
            field,
            format!("at most {max} items, not {len}"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_refusal_names_the_limit() {
        assert!(super::check_count("tags", 50, super::MAX_TAGS).is_ok());
        let refused = super::check_count("tags", 100_000, super::MAX_TAGS);
        assert_eq!(
            refused.map_err(|e| e.to_string()),
            Err("tags: at most 50 items, not 100000".to_string())
        );
    }
}
