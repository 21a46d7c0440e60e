//! Asking customers how a solved request went: 1 (bad) to 5 (very good) and a comment,
//! once per request. When an agent solves a request, its customer gets an e-mail with a
//! single-use rating link (written in the ticket's own transaction, see
//! [`crate::policy::effects`]); a signed-in customer can also rate it on its page. Both
//! can be turned off with `portal.satisfaction`.

use super::sign_in::{PortalUser, link_hash};
use super::{SATISFACTION_LINK_LIFETIME, link_url};
use crate::{App, AppError, Principal, Result};
use jiff::Timestamp;
use soporte_core::ids::TicketId;
use soporte_core::ticket::{EventKind, Status, Ticket};
use soporte_store::{NewOutbox, NewPortalLink, NewSatisfaction, PortalLinkPurpose, Satisfaction};

/// The longest comment kept with a rating, in characters.
pub const MAX_RATING_COMMENT_CHARS: usize = 2000;

/// What the customer gave: the rating and an optional comment.
#[derive(Debug, Clone, Default)]
pub struct RatingInput {
    /// As typed: checked to be 1 to 5.
    pub rating: String,
    pub comment: String,
}

impl RatingInput {
    fn checked(&self) -> Result<(i16, String)> {
        let rating = match self.rating.trim().parse::<i16>() {
            Ok(r) if (1..=5).contains(&r) => r,
            _ => return Err(AppError::invalid("rating", "a rating from 1 to 5")),
        };
        let comment = self.comment.trim();
        if comment.chars().count() > MAX_RATING_COMMENT_CHARS {
            return Err(AppError::invalid(
                "comment",
                format!("at most {MAX_RATING_COMMENT_CHARS} characters"),
            ));
        }
        Ok((rating, comment.to_string()))
    }
}

/// A rating link as its page shows it: which request, and whether it can still be used.
#[derive(Debug, Clone)]
pub struct RatingLink {
    pub number: String,
    pub subject: String,
    /// `None` while the link can be used; otherwise what became of it.
    pub spent: Option<super::LinkState>,
}

/// The e-mail asking for a rating and the link it carries, drawn before the ticket's
/// transaction; the transaction keeps them only if it is the one that solves the request.
#[derive(Debug, Clone)]
pub(crate) struct SatisfactionAsk {
    pub link: NewPortalLink,
    pub email: NewOutbox,
}

impl App {
    /// The rating e-mail for a request an agent is about to solve, or `None` when it is
    /// not to be sent: ratings are off, the request is solved or closed already, its
    /// customer has no e-mail address, or they were asked (or rated) before.
    pub(crate) async fn satisfaction_ask(
        &self,
        ticket: &Ticket,
    ) -> Result<Option<SatisfactionAsk>> {
        let settings = self.settings();
        if !settings.portal.satisfaction || matches!(ticket.status, Status::Solved | Status::Closed)
        {
            return Ok(None);
        }
        let Some(contact) = self.store.contact(ticket.requester_id).await? else {
            return Ok(None);
        };
        let Some(address) = contact.emails.first() else {
            return Ok(None);
        };
        let asked = self
            .store
            .ticket_events(ticket.id)
            .await?
            .iter()
            .any(|e| e.kind == EventKind::SatisfactionAsked);
        if asked || self.store.ticket_satisfaction(ticket.id).await?.is_some() {
            return Ok(None);
        }
        let now = Timestamp::now();
        let secret = crate::auth::new_secret()?;
        let url = link_url(&settings, &secret);
        let templates = &settings.email.templates;
        let values = crate::email::Values {
            name: &contact.name,
            portal_link: &url,
            ..crate::email::Values::new(
                &ticket.number,
                &ticket.subject,
                &settings.company_name,
                &settings.email.from_address,
            )
        };
        let text = templates.render("satisfaction_body", &values);
        let html = super::emails::branded_html(
            &settings,
            &text,
            &url,
            super::emails::button_words(None, settings.email.language),
        );
        let email = settings.email.own_email(
            soporte_core::email::Mailbox {
                address: address.clone(),
                name: Some(contact.name.clone()),
            }
            .display(),
            templates.render("satisfaction_subject", &values),
            text,
            html,
            &ticket.number,
            now,
        );
        Ok(Some(SatisfactionAsk {
            link: NewPortalLink {
                token_hash: crate::auth::hash_token(&secret),
                purpose: PortalLinkPurpose::Satisfaction,
                contact: contact.id,
                ticket: Some(ticket.id),
                created_at: now,
                expires_at: now + SATISFACTION_LINK_LIFETIME,
            },
            email: NewOutbox {
                kind: "portal_satisfaction".into(),
                recipient: address.clone(),
                email,
                delivers_message: false,
            },
        }))
    }

    /// The rating of a request, for whoever may see the request.
    pub async fn satisfaction(
        &self,
        who: &Principal,
        id: TicketId,
    ) -> Result<Option<Satisfaction>> {
        self.ticket(who, id).await?;
        Ok(self.store.ticket_satisfaction(id).await?)
    }

    /// Whether a request is one to rate: ratings are on, and it is solved or closed.
    pub fn may_be_rated(&self, ticket: &Ticket) -> bool {
        self.settings().portal.satisfaction
            && matches!(ticket.status, Status::Solved | Status::Closed)
    }

    /// A signed-in customer rates their solved request. `false` when it was rated already
    /// (by them or, for an account's request, by its manager): the first rating stands.
    pub async fn portal_rate(
        &self,
        user: &PortalUser,
        number: &str,
        input: &RatingInput,
    ) -> Result<bool> {
        self.ratings_on()?;
        let (rating, comment) = input.checked()?;
        let ticket = self.portal_ticket(user, number).await?;
        if !self.may_be_rated(&ticket) {
            return Err(AppError::Forbidden(
                "a request is rated once it is solved".into(),
            ));
        }
        Ok(self
            .store
            .rate_ticket(
                &NewSatisfaction {
                    ticket: ticket.id,
                    contact: user.contact.id,
                    rating,
                    comment,
                    at: Timestamp::now(),
                },
                None,
            )
            .await?)
    }

    /// What a rating link is about, without spending it; `None` for a secret that is no
    /// rating link.
    pub async fn rating_link(&self, secret: &str) -> Result<Option<RatingLink>> {
        let Some(hash) = link_hash(secret) else {
            return Ok(None);
        };
        let Some(link) = self.store.portal_link(&hash).await? else {
            return Ok(None);
        };
        let Some(ticket_id) = link
            .ticket
            .filter(|_| link.purpose == PortalLinkPurpose::Satisfaction)
        else {
            return Ok(None);
        };
        let Some(ticket) = self.store.ticket(ticket_id).await? else {
            return Ok(None);
        };
        let rated = self.store.ticket_satisfaction(ticket_id).await?.is_some();
        let spent = if link.used_at.is_some() || rated {
            Some(super::LinkState::Used)
        } else if link.expires_at <= Timestamp::now() {
            Some(super::LinkState::Expired)
        } else {
            None
        };
        Ok(Some(RatingLink {
            number: ticket.number,
            subject: ticket.subject,
            spent,
        }))
    }

    /// Rates the request of a rating link and spends the link. `false` when the link is
    /// used or expired, or the request was rated already: nothing is written then.
    pub async fn rate_with_link(&self, secret: &str, input: &RatingInput) -> Result<bool> {
        self.ratings_on()?;
        let (rating, comment) = input.checked()?;
        let Some(hash) = link_hash(secret) else {
            return Err(AppError::not_found("link", "rating"));
        };
        let link = self
            .store
            .portal_link(&hash)
            .await?
            .filter(|l| l.purpose == PortalLinkPurpose::Satisfaction)
            .ok_or_else(|| AppError::not_found("link", "rating"))?;
        let ticket = link
            .ticket
            .ok_or_else(|| AppError::not_found("link", "rating"))?;
        if link.expires_at <= Timestamp::now() {
            return Ok(false);
        }
        Ok(self
            .store
            .rate_ticket(
                &NewSatisfaction {
                    ticket,
                    contact: link.contact,
                    rating,
                    comment,
                    at: Timestamp::now(),
                },
                Some(&hash),
            )
            .await?)
    }

    fn ratings_on(&self) -> Result<()> {
        if self.settings().portal.satisfaction {
            Ok(())
        } else {
            Err(AppError::Forbidden("ratings are turned off".into()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::RatingInput;

    #[test]
    fn a_rating_is_a_whole_number_from_one_to_five_with_a_bounded_comment() {
        let rate = |r: &str, c: &str| {
            RatingInput {
                rating: r.into(),
                comment: c.into(),
            }
            .checked()
            .ok()
        };
        assert_eq!(rate(" 5 ", "  Muy bien  "), Some((5, "Muy bien".into())));
        assert_eq!(rate("1", ""), Some((1, String::new())));
        for bad in ["0", "6", "", "4.5", "tres", "-1"] {
            assert_eq!(rate(bad, ""), None, "{bad:?}");
        }
        assert_eq!(
            rate("3", &"a".repeat(super::MAX_RATING_COMMENT_CHARS + 1)),
            None
        );
        assert!(rate("3", &"ñ".repeat(super::MAX_RATING_COMMENT_CHARS)).is_some());
    }
}
