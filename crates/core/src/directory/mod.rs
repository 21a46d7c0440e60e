//! Who is who: customer accounts and their contacts, and the agents who serve them.

mod identifiers;

pub use identifiers::{
    normalize_domain, normalize_email, normalize_mail_address, normalize_phone, normalize_tax_id,
};

use crate::ids::{AccountId, AgentId, ContactId};
use crate::string_enum;
use crate::support::SupportType;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// A customer company. Its personal agent is the person the policy promises the customer;
/// the backup covers the personal agent's absences.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Account {
    pub id: AccountId,
    pub name: String,
    pub tax_id: Option<String>,
    pub plan: Option<String>,
    pub email_domains: Vec<String>,
    pub personal_agent_id: Option<AgentId>,
    pub backup_agent_id: Option<AgentId>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contact {
    pub id: ContactId,
    pub account_id: Option<AccountId>,
    /// The account's manager sees all of the account's requests, not only their own. Only
    /// a contact of an account can be one.
    #[serde(default)]
    pub account_manager: bool,
    pub name: String,
    pub emails: Vec<String>,
    pub phones: Vec<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

string_enum!(
    Role {
        Agent => "agent",
        Admin => "admin",
    }
);

/// A period when an agent is away; tickets of their accounts go to the backup agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Absence {
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Agent {
    pub id: AgentId,
    pub email: String,
    pub name: String,
    pub phone: Option<String>,
    pub whatsapp: Option<String>,
    /// Meta's id of the agent's WhatsApp business number: what arrives for it is theirs.
    pub whatsapp_phone_number_id: Option<String>,
    pub role: Role,
    pub types: Vec<SupportType>,
    pub absences: Vec<Absence>,
    pub active: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl Agent {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    pub fn is_absent_at(&self, at: Timestamp) -> bool {
        self.absences
            .iter()
            .any(|a| a.starts_at <= at && at < a.ends_at)
    }
}

/// Absences must be real intervals; overlapping ones are allowed (they simply merge).
pub fn validate_absences(absences: &[Absence]) -> Result<(), crate::ValidationError> {
    for (i, a) in absences.iter().enumerate() {
        if a.ends_at <= a.starts_at {
            return Err(crate::ValidationError::new(
                format!("absences[{i}]"),
                "ends_at must be after starts_at",
            ));
        }
    }
    Ok(())
}

/// A display name as someone wrote it (a form field, an e-mail's From), made one line: every
/// control character and run of whitespace becomes one space, and it is cut at 200
/// characters. Names reach headers of outgoing mail, where a line break would end the header.
pub fn display_name(raw: &str) -> String {
    raw.split(|c: char| c.is_control() || c.is_whitespace())
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(200)
        .collect()
}

/// A name shown to people: trimmed, not empty, no control characters, bounded length.
pub fn normalize_name(field: &str, raw: &str) -> Result<String, crate::ValidationError> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(crate::ValidationError::new(field, "must not be empty"));
    }
    if name.chars().count() > 200 {
        return Err(crate::ValidationError::new(
            field,
            "must be at most 200 characters",
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(crate::ValidationError::new(
            field,
            "must not contain control characters",
        ));
    }
    Ok(name.to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn display_names_are_one_line() {
        assert_eq!(
            super::display_name("  Ana\r\nBcc: x@evil.example\t García\u{0}  "),
            "Ana Bcc: x@evil.example García"
        );
        assert_eq!(super::display_name(&"ñ".repeat(300)).chars().count(), 200);
        assert_eq!(super::display_name("\r\n"), "");
    }

    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap_or(Timestamp::UNIX_EPOCH)
    }

    #[test]
    fn absence_covers_its_start_but_not_its_end() {
        let agent = Agent {
            id: AgentId(1),
            email: "ana@vendomia.com".into(),
            name: "Ana".into(),
            phone: None,
            whatsapp: None,
            whatsapp_phone_number_id: None,
            role: Role::Agent,
            types: vec![],
            absences: vec![Absence {
                starts_at: ts("2026-08-01T00:00:00Z"),
                ends_at: ts("2026-08-15T00:00:00Z"),
            }],
            active: true,
            created_at: Timestamp::UNIX_EPOCH,
            updated_at: Timestamp::UNIX_EPOCH,
        };
        assert!(agent.is_absent_at(ts("2026-08-01T00:00:00Z")));
        assert!(agent.is_absent_at(ts("2026-08-10T12:00:00Z")));
        assert!(!agent.is_absent_at(ts("2026-08-15T00:00:00Z")));
        assert!(!agent.is_absent_at(ts("2026-07-31T23:59:59Z")));
    }

    #[test]
    fn names_are_trimmed_and_must_have_content() {
        assert_eq!(normalize_name("name", "  Ana  ").as_deref(), Ok("Ana"));
        assert!(normalize_name("name", "   ").is_err());
        assert!(normalize_name("name", "a\u{0}b").is_err());
    }

    #[test]
    fn inverted_absence_is_rejected_naming_its_index() {
        let bad = [Absence {
            starts_at: ts("2026-08-15T00:00:00Z"),
            ends_at: ts("2026-08-01T00:00:00Z"),
        }];
        assert_eq!(
            validate_absences(&bad).err().map(|e| e.field),
            Some("absences[0]".to_string())
        );
    }
}
