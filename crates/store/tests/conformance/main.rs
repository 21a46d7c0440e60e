//! The store conformance suite: every check runs unchanged on SQLite and on PostgreSQL, one
//! module per aggregate of the store (one test binary, so the suite links once).
//!
//! PostgreSQL comes from `TEST_SOPORTE_POSTGRES_URL` (set by `scripts/test.sh`); each check
//! gets a schema of its own (see `soporte_store::testkit`).

use soporte_core::auth::TokenScope;
use soporte_core::directory::{Absence, Role};
use soporte_core::ids::*;
use soporte_core::support::{Channel, Priority, SupportType};
use soporte_core::ticket::{
    Actor, ChangeError, EventKind, MessageKind, Status, TicketPatch, TicketPrefix,
};
use soporte_store::*;
use std::collections::HashSet;
use std::sync::Arc;

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// The fixture of a conformance check is the store itself.
async fn store_of(
    db: &soporte_store::testkit::TestDb,
) -> Result<Arc<dyn Store>, Box<dyn std::error::Error>> {
    Ok(db.store.clone())
}

mod access;
mod blobs;
mod calls;
mod directory;
mod outage;
mod portal;
mod schema;
mod search;
mod settings;
mod tickets;
mod whatsapp;
mod whatsapp_outbox;

fn vnd() -> TicketPrefix {
    TicketPrefix::parse("VND").unwrap_or_else(|e| panic!("{e}"))
}

fn agent(email: &str, role: Role) -> NewAgent {
    NewAgent {
        email: email.into(),
        name: "Ana García".into(),
        phone: Some("+34600111222".into()),
        whatsapp: None,
        whatsapp_phone_number_id: None,
        role,
        types: vec![SupportType::Usage],
        password_hash: None,
    }
}

fn account(name: &str, domains: &[&str]) -> NewAccount {
    NewAccount {
        name: name.into(),
        tax_id: None,
        plan: Some("Pro".into()),
        email_domains: domains.iter().map(|d| d.to_string()).collect(),
        personal_agent_id: None,
        backup_agent_id: None,
    }
}

fn new_contact(email: &str, account_id: Option<AccountId>) -> NewContact {
    NewContact {
        account_id,
        account_manager: false,
        name: "Luis Pérez".into(),
        emails: vec![email.into()],
        phones: vec!["+34911234567".into()],
    }
}

fn ticket(subject: &str, requester: Requester) -> NewTicket {
    NewTicket {
        number_prefix: vnd(),
        subject: subject.into(),
        support_type: None,
        channel: Channel::Email,
        priority: Priority::Normal,
        assignee_id: None,
        assignment_reason: None,
        account_id: None,
        requester,
        product_area: None,
        tags: vec![],
        body_text: "En Sitios Web, al añadir un texto se añaden dos.".into(),
        body_html: None,
        channel_message_id: None,
        attachments: vec![],
        extra: MessageExtra::default(),
        created_by: None,
        policy: Default::default(),
    }
}
