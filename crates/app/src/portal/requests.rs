//! A signed-in customer's requests: the list (their own, or for an account's manager the
//! account's), one request with its conversation, and replying to it. Visibility is the
//! API's (`soporte_core::auth::contact_may_see`); internal notes never leave the store's
//! answer unfiltered.

use super::sign_in::PortalUser;
use crate::{App, AppError, MessageInput, Result, TicketDetail, TicketFilter, Upload};
use soporte_core::ids::ContactId;
use soporte_core::support::Channel;
use soporte_core::ticket::{MessageKind, Status, Ticket};
use soporte_store::{Cursor, TicketSort};
use std::collections::HashMap;

/// Requests a list page shows at most.
pub const REQUESTS_PER_PAGE: u32 = 25;

/// Which of a customer's requests a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RequestList {
    /// Not solved nor closed.
    #[default]
    Open,
    /// Solved or closed.
    Finished,
}

impl RequestList {
    fn statuses(self) -> Vec<Status> {
        match self {
            RequestList::Open => vec![Status::New, Status::Open, Status::Pending, Status::OnHold],
            RequestList::Finished => vec![Status::Solved, Status::Closed],
        }
    }
}

/// One page of a customer's requests, most recently changed first.
pub struct RequestPage {
    pub items: Vec<Ticket>,
    /// Who asked for each request, when the list shows other people's (a manager's).
    pub requesters: HashMap<ContactId, String>,
    pub next: Option<Cursor>,
}

impl App {
    /// The customer's requests of one list, a page at a time.
    pub async fn portal_requests(
        &self,
        user: &PortalUser,
        list: RequestList,
        after: Option<Cursor>,
    ) -> Result<RequestPage> {
        let page = self
            .list_tickets(
                &user.principal(),
                &TicketFilter {
                    statuses: list.statuses(),
                    sort: TicketSort::UpdatedDesc,
                    after,
                    limit: Some(REQUESTS_PER_PAGE),
                    ..TicketFilter::default()
                },
            )
            .await?;
        let mut others: Vec<ContactId> = page
            .items
            .iter()
            .map(|t| t.requester_id)
            .filter(|id| *id != user.contact.id)
            .collect();
        others.sort_by_key(|id| id.0);
        others.dedup();
        let requesters = if others.is_empty() {
            HashMap::new()
        } else {
            self.store
                .contacts_by_ids(&others)
                .await?
                .into_iter()
                .map(|c| (c.id, c.name))
                .collect()
        };
        Ok(RequestPage {
            items: page.items,
            requesters,
            next: page.next,
        })
    }

    /// One request by its number ("VND-000123"), with what its customer may read of it.
    /// Another account's request, like one that does not exist, is not found.
    pub async fn portal_request(&self, user: &PortalUser, number: &str) -> Result<TicketDetail> {
        let id = self.portal_ticket_id(number)?;
        self.ticket_detail(&user.principal(), id)
            .await
            .map_err(|e| not_found_as_request(e, number))
    }

    /// The request by its number, without its conversation: what an action on it checks.
    pub(super) async fn portal_ticket(&self, user: &PortalUser, number: &str) -> Result<Ticket> {
        let id = self.portal_ticket_id(number)?;
        self.ticket(&user.principal(), id)
            .await
            .map_err(|e| not_found_as_request(e, number))
    }

    fn portal_ticket_id(&self, number: &str) -> Result<soporte_core::ids::TicketId> {
        self.ticket_reference(number)
            .ok_or_else(|| AppError::not_found("request", number))
    }

    /// The customer writes on their request, with files: it joins the conversation as
    /// their message, as an e-mail reply would (the checklist and urgency are read again,
    /// and a request waiting for them goes back to support).
    pub async fn portal_reply(
        &self,
        user: &PortalUser,
        number: &str,
        text: &str,
        files: Vec<Upload>,
    ) -> Result<Ticket> {
        let files =
            super::uploads::check_uploads(files).map_err(|refusal| AppError::Unprocessable {
                code: "upload_refused",
                message: format!("{refusal:?}"),
            })?;
        let ticket = self.portal_ticket(user, number).await?;
        match ticket.status {
            Status::Closed => return Err(AppError::TicketClosed),
            Status::Solved => {
                return Err(AppError::Forbidden(
                    "a solved request is reopened, not answered".into(),
                ));
            }
            _ => {}
        }
        let (ticket, _) = self
            .add_message(
                &user.principal(),
                ticket.id,
                &MessageInput {
                    kind: Some(MessageKind::Inbound),
                    body: text.to_string(),
                    attachments: files,
                    channel: Some(Channel::Portal),
                    ..MessageInput::default()
                },
            )
            .await?;
        Ok(ticket)
    }

    /// The customer gives what the checklist still wants, from the slots the request's page
    /// shows for exactly those items: it joins the conversation as their message (the
    /// checklist is read again on it), with the screenshots.
    pub async fn portal_add_missing(
        &self,
        user: &PortalUser,
        number: &str,
        given: &MissingItemsInput,
        files: Vec<Upload>,
    ) -> Result<Ticket> {
        let text = given.text();
        if text.is_empty() && files.is_empty() {
            return Err(AppError::invalid("items", "nothing was added"));
        }
        let text = if text.is_empty() {
            if given.english {
                "Screenshots attached.".to_string()
            } else {
                "Adjunto las capturas.".to_string()
            }
        } else {
            text
        };
        self.portal_reply(user, number, &text, files).await
    }

    /// The customer says their request is solved.
    pub async fn portal_mark_solved(&self, user: &PortalUser, number: &str) -> Result<Ticket> {
        let ticket = self.portal_ticket(user, number).await?;
        match ticket.status {
            Status::Solved => return Ok(ticket),
            Status::Closed => return Err(AppError::TicketClosed),
            _ => {}
        }
        self.customer_sets_status(user, &ticket, Status::Solved)
            .await
    }

    /// The customer reopens a solved request, within the configured time after it was
    /// solved; after that, or once closed, they write a new one.
    pub async fn portal_reopen(&self, user: &PortalUser, number: &str) -> Result<Ticket> {
        let ticket = self.portal_ticket(user, number).await?;
        if !self.may_reopen(&ticket, jiff::Timestamp::now()) {
            return Err(AppError::Forbidden(
                "this request can no longer be reopened; write a new one".into(),
            ));
        }
        self.customer_sets_status(user, &ticket, Status::Open).await
    }

    /// Whether the customer may still reopen a request: solved, and within
    /// `reopen_within` of being solved.
    pub fn may_reopen(&self, ticket: &Ticket, now: jiff::Timestamp) -> bool {
        ticket.status == Status::Solved
            && ticket
                .solved_at
                .is_some_and(|at| now.duration_since(at) < self.settings().portal.reopen_within)
    }

    async fn customer_sets_status(
        &self,
        user: &PortalUser,
        ticket: &Ticket,
        status: Status,
    ) -> Result<Ticket> {
        let effects = self.policy_effects(None).await?;
        Ok(self
            .store
            .update_ticket_with(
                ticket.id,
                &soporte_core::ticket::TicketPatch {
                    status: Some(status),
                    ..Default::default()
                },
                soporte_core::ticket::Actor::Contact(user.contact.id),
                effects,
            )
            .await?)
    }
}

/// Another account's request reads as one that does not exist, under the number the
/// customer used.
fn not_found_as_request(e: AppError, number: &str) -> AppError {
    match e {
        AppError::NotFound { .. } => AppError::not_found("request", number),
        other => other,
    }
}

/// What the customer typed into the "add what is missing" slots.
#[derive(Debug, Clone, Default)]
pub struct MissingItemsInput {
    pub area: Option<String>,
    pub place: String,
    pub when: String,
    pub account_user: String,
    pub description: String,
    /// The language of the labels.
    pub english: bool,
}

impl MissingItemsInput {
    /// The slots as labelled lines, the description first.
    pub fn text(&self) -> String {
        let draft = super::RequestDraft {
            description: self.description.clone(),
            area: self.area.clone(),
            place: self.place.clone(),
            when: self.when.clone(),
            english: self.english,
            ..super::RequestDraft::default()
        };
        let mut text = draft.text();
        let account_user = self.account_user.trim();
        if !account_user.is_empty() {
            let label = if self.english {
                "Account and user"
            } else {
                "Cuenta y usuario"
            };
            let labelled_lines = self.area.is_some()
                || !self.place.trim().is_empty()
                || !self.when.trim().is_empty();
            match (text.is_empty(), labelled_lines) {
                (true, _) => {}
                (false, true) => text.push('\n'),
                (false, false) => text.push_str("\n\n"),
            }
            text.push_str(&format!("{label}: {account_user}"));
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::MissingItemsInput;

    #[test]
    fn the_missing_items_become_labelled_lines() {
        let given = MissingItemsInput {
            area: Some("Tienda".into()),
            when: "al pulsar Publicar".into(),
            account_user: "Tienda Luis, usuario luis".into(),
            ..MissingItemsInput::default()
        };
        assert_eq!(
            given.text(),
            "Dónde: Tienda\nCuándo: al pulsar Publicar\nCuenta y usuario: Tienda Luis, usuario luis"
        );
        let only_account = MissingItemsInput {
            description: "Sale un error.".into(),
            account_user: "Tienda Luis".into(),
            ..MissingItemsInput::default()
        };
        assert_eq!(
            only_account.text(),
            "Sale un error.\n\nCuenta y usuario: Tienda Luis"
        );
    }
}
