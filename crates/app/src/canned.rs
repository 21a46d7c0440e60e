//! Canned replies: answers agents give again and again, kept by administrators, inserted
//! into a reply with the ticket's details filled in (`{{ name }}`, `{{ number }}`,
//! `{{ subject }}`, `{{ agent }}`, `{{ account }}`, `{{ company }}`).

use crate::{App, AppError, Principal, Result};
use minijinja::{Environment, context};
use soporte_core::ids::TicketId;
use soporte_store::CannedReply;

const LONGEST_TITLE: usize = 120;
const LONGEST_BODY: usize = 20_000;

/// The variables a canned reply may use, for the admin page's help.
pub const CANNED_REPLY_VARIABLES: [&str; 6] =
    ["name", "number", "subject", "agent", "account", "company"];

impl App {
    pub async fn canned_replies(&self, who: &Principal) -> Result<Vec<CannedReply>> {
        who.require_agent()?;
        Ok(self.store.canned_replies().await?)
    }

    /// Creates or changes a canned reply (administrators). The body must be a valid
    /// template: a mistake is caught here, not when an agent inserts it.
    pub async fn save_canned_reply(
        &self,
        who: &Principal,
        id: Option<i64>,
        title: &str,
        body: &str,
    ) -> Result<i64> {
        who.require_admin()?;
        let title = title.trim();
        if title.is_empty() || title.chars().count() > LONGEST_TITLE {
            return Err(AppError::invalid(
                "title",
                format!("a title of 1 to {LONGEST_TITLE} characters"),
            ));
        }
        if body.trim().is_empty() || body.len() > LONGEST_BODY {
            return Err(AppError::invalid(
                "body",
                format!("a text of 1 to {LONGEST_BODY} bytes"),
            ));
        }
        Environment::new()
            .template_from_str(body)
            .map_err(|e| AppError::invalid("body", format!("not a valid template: {e}")))?;
        Ok(self.store.save_canned_reply(id, title, body).await?)
    }

    pub async fn delete_canned_reply(&self, who: &Principal, id: i64) -> Result<()> {
        who.require_admin()?;
        if self.store.delete_canned_reply(id).await? {
            Ok(())
        } else {
            Err(AppError::not_found("canned reply", id))
        }
    }

    /// A canned reply's text for this ticket, its variables filled in.
    pub async fn canned_reply_for(
        &self,
        who: &Principal,
        ticket: TicketId,
        id: i64,
    ) -> Result<String> {
        let agent = who.require_agent()?;
        let ticket = self.ticket(who, ticket).await?;
        let reply = self
            .store
            .canned_replies()
            .await?
            .into_iter()
            .find(|r| r.id == id)
            .ok_or_else(|| AppError::not_found("canned reply", id))?;
        let requester = self.store.contact(ticket.requester_id).await?;
        let account = match ticket.account_id {
            Some(id) => self.store.account(id).await?.map(|a| a.name),
            None => None,
        };
        Environment::new()
            .render_str(
                &reply.body,
                context! {
                    name => requester.map(|c| c.name).unwrap_or_default(),
                    number => ticket.number,
                    subject => ticket.subject,
                    agent => agent.name,
                    account => account.unwrap_or_default(),
                    company => self.settings().company_name,
                },
            )
            .map_err(|e| AppError::invalid("body", format!("the canned reply fails: {e}")))
    }
}
